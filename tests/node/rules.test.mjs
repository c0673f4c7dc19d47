// The rules the Worker and the page take from the package instead of copying them: checkField,
// checkConfig, maskConfig, maskChanges, emptyConfig and defaults, through the packed package.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  checkConfig,
  checkField,
  defaults,
  diffConfigs,
  emptyConfig,
  getFuncConfig,
  isTcbError,
  maskChanges,
  maskConfig,
  uploadFuncConfig,
} from "tcb-funcconfig";
import { ENV, base, sent } from "./helpers.mjs";

const MASK = "••••••";

/** Asserts a broken rule: its code and field, a message naming the field, and a hint. */
function assertBroken(result, code, field, what) {
  assert.ok(result, `${what}: expected ${code}`);
  assert.deepEqual(Object.keys(result).sort(), ["code", "field", "hint", "message"], what);
  assert.equal(result.code, code, `${what}: ${result.message}`);
  assert.equal(result.field, field, what);
  assert.ok(result.message.startsWith(`${field} `), `${what}: ${result.message}`);
  assert.ok(typeof result.hint === "string" && result.hint.length > 10, `${what}: hint ${result.hint}`);
}

function throwsInvalid(fn, pattern) {
  assert.throws(fn, (e) => {
    assert.ok(isTcbError(e), String(e));
    assert.equal(e.code, "invalid_argument");
    assert.match(e.message, pattern);
    return true;
  });
}

test("defaults: the base URL, the mask and the limits, frozen", () => {
  const d = defaults();
  assert.deepEqual(
    { ...d },
    {
      baseUrl: "https://api.weixin.qq.com",
      timeoutMs: 10000,
      maxTimeoutMs: 300000,
      renewBeforeSecs: 300,
      mask: MASK,
      timeout: 3,
      maxTimeout: 300,
      maxEnvironmentBytes: 4096,
    },
  );
  assert.ok(Object.isFrozen(d));
});

test("checkField: good values of every field pass, by number or by name of the type", () => {
  const good = [
    [1, "openapi", "wxacode.getUnlimited"],
    ["cloudCall", "openapi", "a_1.b_2"],
    [2, "name", "nightly-sync_2"],
    ["timerTrigger", "name", "n".repeat(60)],
    [2, "config", "0 0 2 * * * *"],
    [2, "config", "0 15 10 * * MON-FRI *"],
    [3, "timeout", 1],
    [3, "timeout", 300],
    ["environment", "timeout", "20"],
    [3, "timeout", " 7 "],
    [3, "key", "DB_PASSWORD"],
    [3, "key", "_x1"],
    [3, "value", ""],
    [3, "value", "p@ss \"w\" 键"],
    [3, "value", "x".repeat(3000)],
    [1, "env", "test-777bb9"],
    [3, "env", "e".repeat(64)],
    [2, "functionName", "orderSync"],
  ];
  for (const [type, field, value] of good) assert.equal(checkField(type, field, value), null, `${type} ${field} ${value}`);
});

test("checkField: every bad value names its rule, field and hint", () => {
  const bad = [
    [1, "openapi", "", "required"],
    [1, "openapi", "wxacode", "api_name"],
    [1, "openapi", ".get", "api_name"],
    [1, "openapi", "a.b.c", "api_name"],
    [1, "openapi", "1a.b", "api_name"],
    [1, "openapi", "a-b.c", "api_name"],
    [1, "openapi", " a.b", "api_name"],
    [1, "openapi", "云.调用", "api_name"],
    [1, "openapi", 12, "shape"],
    [1, "openapi", null, "shape"],
    [2, "name", "", "required"],
    [2, "name", "1st", "trigger_name"],
    [2, "name", "n".repeat(61), "trigger_name"],
    [2, "name", "has space", "trigger_name"],
    [2, "config", "", "required"],
    [2, "config", "0 0 2 * * *", "cron"],
    [2, "config", "0 0 25 * * * *", "cron"],
    [2, "config", ["0 0 2 * * * *"], "shape"],
    [3, "timeout", 0, "timeout"],
    [3, "timeout", 301, "timeout"],
    [3, "timeout", 2.5, "timeout"],
    [3, "timeout", -3, "timeout"],
    [3, "timeout", Number.NaN, "timeout"],
    [3, "timeout", "0", "timeout"],
    [3, "timeout", "1e2", "timeout"],
    [3, "timeout", "5.0", "timeout"],
    [3, "timeout", "abc", "timeout"],
    [3, "timeout", "", "required"],
    [3, "timeout", null, "timeout"],
    [3, "key", "", "required"],
    [3, "key", "1K", "env_key"],
    [3, "key", "K-1", "env_key"],
    [3, "key", "K.V", "env_key"],
    [3, "key", "键", "env_key"],
    [3, "value", "x".repeat(4100), "too_large"],
    [3, "value", "\"".repeat(2100), "too_large"],
    [3, "value", 5, "shape"],
    [1, "env", "", "required"],
    [1, "env", "a/b", "env_id"],
    [1, "env", "e".repeat(65), "env_id"],
    [2, "functionName", "", "required"],
    [2, "functionName", "1x", "function_name"],
    [2, "functionName", "f".repeat(61), "function_name"],
  ];
  const hints = new Map();
  for (const [type, field, value, code] of bad) {
    const what = `${type} ${field} ${String(value).slice(0, 20)}`;
    const broken = checkField(type, field, value);
    assertBroken(broken, code, field, what);
    // One hint per rule, whatever the field.
    if (!hints.has(code)) hints.set(code, broken.hint);
    assert.equal(broken.hint, hints.get(code), what);
  }
  assert.equal(new Set(hints.values()).size, hints.size, "each rule has its own hint");
  assert.equal(checkField(3, "timeout", 0).hint, "give a whole number of seconds from 1 to 300");
  assert.equal(checkField(1, "openapi", "x").hint, "write the API as <category>.<method>, e.g. wxacode.getUnlimited");
  // The cron parser's reason is in the message.
  assert.equal(checkField(2, "config", "0 0 25 * * * *").message, "config is not a WeChat cron expression: hour: 25 is outside 0-23");
  assert.match(checkField(2, "config", "0 0 2 * * *").message, /7 fields/);
});

test("checkField: a message never quotes the value", () => {
  const secret = "s3cr3t-Value-%%";
  for (const [type, field] of [[1, "openapi"], [2, "name"], [3, "key"], [3, "timeout"], [1, "env"], [1, "functionName"]]) {
    const r = checkField(type, field, secret);
    assert.ok(r, `${field}`);
    assert.ok(!JSON.stringify(r).includes(secret), `${field}: ${JSON.stringify(r)}`);
  }
  const big = `${secret}${"x".repeat(5000)}`;
  assert.ok(!JSON.stringify(checkField(3, "value", big)).includes(secret));
});

test("checkField: an unknown type or field is an invalid_argument, not a default", () => {
  throwsInvalid(() => checkField(4, "openapi", "a.b"), /^type /);
  throwsInvalid(() => checkField("cloud", "openapi", "a.b"), /^type /);
  throwsInvalid(() => checkField(1, "timeout", 3), /^field /);
  throwsInvalid(() => checkField(3, "openapi", "a.b"), /^field /);
  throwsInvalid(() => checkField(2, "Name", "n"), /^field /);
  throwsInvalid(() => checkField(2, undefined, "n"), /^field /);
});

test("checkConfig: a config that may be written, and the first rule each bad one breaks", () => {
  assert.equal(checkConfig(1, { openapi: ["wxacode.get", "a.b"] }), null);
  assert.equal(checkConfig(2, { triggers: [{ name: "n", config: "0 0 2 * * * *" }] }), null);
  assert.equal(checkConfig(2, { triggers: [] }), null);
  assert.equal(checkConfig("environment", { timeout: 3, environment: [{ key: "K", value: "V" }] }), null);
  for (const t of [1, 2, 3]) assert.equal(checkConfig(t, emptyConfig(t)), null, `empty ${t}`);
  const cases = [
    [1, { openapi: ["a.b", "nope"] }, "api_name", "config.openapi[1]"],
    [1, { openapi: ["a.b", "a.b"] }, "duplicate", "config.openapi[1]"],
    [1, { openapi: "a.b" }, "shape", "config.openapi"],
    [1, { openapi: [1] }, "shape", "config.openapi[0]"],
    [1, null, "shape", "config"],
    [1, "a.b", "shape", "config"],
    [2, { triggers: [{ name: "a", config: "* * * * * * *" }, { name: "b", config: "* * * * * * *" }] }, "too_many", "config.triggers"],
    [2, { triggers: [{ name: "1a", config: "* * * * * * *" }] }, "trigger_name", "config.triggers[0].name"],
    [2, { triggers: [{ name: "a", type: "http", config: "* * * * * * *" }] }, "trigger_type", "config.triggers[0].type"],
    [2, { triggers: [{ name: "a", config: "0 0 25 * * * *" }] }, "cron", "config.triggers[0].config"],
    [2, { triggers: [{ name: "a" }] }, "shape", "config.triggers[0].config"],
    [3, { timeout: 0, environment: [] }, "timeout", "config.timeout"],
    [3, { timeout: 301, environment: [] }, "timeout", "config.timeout"],
    [3, { timeout: 5.5, environment: [] }, "shape", "config.timeout"],
    [3, { environment: [] }, "shape", "config.timeout"],
    [3, { timeout: 3 }, "shape", "config.environment"],
    [3, { timeout: 3, environment: [{ key: "1K", value: "v" }] }, "env_key", "config.environment[0].key"],
    [3, { timeout: 3, environment: [{ key: "A", value: "1" }, { key: "A", value: "2" }] }, "duplicate", "config.environment[1].key"],
    [3, { timeout: 3, environment: [{ key: "BIG", value: "x".repeat(4100) }] }, "too_large", "config.environment"],
  ];
  for (const [type, config, code, field] of cases) {
    assertBroken(checkConfig(type, config), code, field, `${type} ${JSON.stringify(config).slice(0, 60)}`);
  }
  throwsInvalid(() => checkConfig(0, { openapi: [] }), /^type /);
});

test("checkConfig says what uploadFuncConfig refuses, and nothing is sent", async () => {
  const fn = "rulesUpload";
  for (const [type, config] of [
    [1, { openapi: ["a.b", "nope"] }],
    [2, { triggers: [{ name: "a", config: "0 0 25 * * * *" }] }],
    [3, { timeout: 3, environment: [{ key: "A", value: "1" }, { key: "A", value: "2" }] }],
  ]) {
    const broken = checkConfig(type, config);
    await assert.rejects(uploadFuncConfig({ ...base, functionName: fn, type, config }), (e) => {
      assert.ok(isTcbError(e));
      assert.equal(e.code, "invalid_argument");
      assert.equal(e.message, broken.message);
      return true;
    });
  }
  assert.equal(await sent(fn), 0, "nothing reached the simulator");
});

test("emptyConfig: the plain empty config of each type, fresh each time", () => {
  assert.deepEqual(emptyConfig(1), { openapi: [] });
  assert.deepEqual(emptyConfig("timerTrigger"), { triggers: [] });
  assert.deepEqual(emptyConfig(3), { timeout: 3, environment: [] });
  const a = emptyConfig(3);
  a.environment.push({ key: "K", value: "V" });
  assert.deepEqual(emptyConfig(3).environment, []);
  // A missing config compares as the empty one.
  assert.deepEqual(diffConfigs(emptyConfig(1), { openapi: ["a.b"] }), [{ op: "added", field: "openapi", key: "a.b" }]);
  throwsInvalid(() => emptyConfig(7), /^type /);
  throwsInvalid(() => emptyConfig(undefined), /^type /);
});

const SECRETS = ["mysql.internal", "hunter2-PASSWORD", "ap-shanghai-1", "键值🔑"];
const envConfig = {
  env: ENV,
  functionName: "orderSync",
  kind: "environment",
  type: 3,
  timeout: 20,
  environment: SECRETS.map((value, i) => ({ key: `K${i}`, value })),
  raw: JSON.stringify({ timeout: 20, environment: SECRETS.map((value, i) => ({ key: `K${i}`, value })), extra: SECRETS[1] }),
  somethingNew: SECRETS[0],
};

function assertNoValue(shown, what) {
  const text = JSON.stringify(shown);
  for (const secret of SECRETS) assert.ok(!text.includes(secret), `${what} shows a value: ${text}`);
}

test("maskConfig: values, raw and anything unknown replaced; each value's length kept", () => {
  const masked = maskConfig(envConfig);
  assertNoValue(masked, "maskConfig");
  assert.deepEqual(masked, {
    env: ENV,
    functionName: "orderSync",
    kind: "environment",
    type: 3,
    timeout: 20,
    environment: SECRETS.map((value, i) => ({ key: `K${i}`, value: MASK, masked: true, length: value.length })),
    raw: JSON.stringify({ timeout: 20, environment: SECRETS.map((_, i) => ({ key: `K${i}`, value: MASK })) }),
    rawMasked: true,
  });
  // The length is JavaScript's (UTF-16 units), emoji included.
  assert.equal(masked.environment[3].length, 4);
  assert.notEqual(masked, envConfig);
  assert.equal(envConfig.environment[0].value, SECRETS[0], "the input is left as it was");
});

test("maskConfig: masking twice changes nothing, and a masked value has no length", () => {
  const once = maskConfig(envConfig);
  assert.deepEqual(maskConfig(once), { ...once, environment: once.environment.map(({ length, ...item }) => item) });
  const fromPackage = { ...envConfig, environment: [{ key: "A", value: MASK }, { key: "B", value: "abc" }] };
  assert.deepEqual(maskConfig(fromPackage).environment, [
    { key: "A", value: MASK, masked: true },
    { key: "B", value: MASK, masked: true, length: 3 },
  ]);
});

test("maskConfig: other types as they are, null for nothing, odd inputs refused or emptied", () => {
  const cloud = { kind: "cloudCall", type: 1, env: ENV, functionName: "f", openapi: ["a.b"], raw: "{}" };
  assert.equal(maskConfig(cloud), cloud);
  const timer = { kind: "timerTrigger", type: 2, triggers: [] };
  assert.equal(maskConfig(timer), timer);
  assert.equal(maskConfig(null), null);
  assert.equal(maskConfig(undefined), null);
  throwsInvalid(() => maskConfig("environment"), /^config /);
  throwsInvalid(() => maskConfig(5), /^config /);
  // No list: no items, and the raw text says so.
  const odd = maskConfig({ kind: "environment", type: 3, timeout: 3, environment: "K=V" });
  assert.deepEqual(odd.environment, []);
  assert.equal(odd.raw, '{"timeout":3,"environment":[]}');
  assert.ok(!JSON.stringify(odd).includes("K=V"));
});

test("maskConfig on a real config read from the simulator shows no value", async () => {
  const real = await getFuncConfig({ ...base, functionName: "orderSync", type: 3 });
  assert.ok(real.environment.length > 0);
  const masked = maskConfig(real);
  const text = JSON.stringify(masked);
  for (const { value } of real.environment) if (value.length > 2) assert.ok(!text.includes(value), `shows ${value}`);
  assert.deepEqual(masked.environment.map((v) => [v.key, v.length]), real.environment.map((v) => [v.key, v.value.length]));
  assert.deepEqual(JSON.parse(masked.raw), { timeout: real.timeout, environment: real.environment.map(({ key }) => ({ key, value: MASK })) });
});

test("maskChanges: environment values masked whatever came in, others kept, fields only", () => {
  const changes = [
    { op: "changed", field: "environment", key: "K0", before: SECRETS[0], after: SECRETS[1], extra: SECRETS[2] },
    { op: "added", field: "environment", key: "K1", after: SECRETS[3] },
    { op: "removed", field: "environment", key: "K2", before: SECRETS[2], masked: false },
    { op: "changed", field: "timeout", key: "timeout", before: "3", after: "20" },
    { op: "added", field: "openapi", key: "a.b" },
    { op: "changed", field: "triggers", key: "t", before: "0 0 2 * * * *", after: "0 0 3 * * * *", masked: true },
    null,
    "text",
  ];
  const masked = maskChanges(changes);
  assertNoValue(masked, "maskChanges");
  assert.deepEqual(masked, [
    { op: "changed", field: "environment", key: "K0", before: MASK, after: MASK, masked: true },
    { op: "added", field: "environment", key: "K1", after: MASK, masked: true },
    { op: "removed", field: "environment", key: "K2", before: MASK, masked: true },
    { op: "changed", field: "timeout", key: "timeout", before: "3", after: "20" },
    { op: "added", field: "openapi", key: "a.b" },
    { op: "changed", field: "triggers", key: "t", before: "0 0 2 * * * *", after: "0 0 3 * * * *", masked: true },
  ]);
  assert.deepEqual(maskChanges(undefined), []);
  assert.deepEqual(maskChanges({ length: 1, 0: changes[0] }), []);
  // The package's own diff, revealed, then masked: the same as asking it masked.
  const a = { timeout: 3, environment: [{ key: "K", value: SECRETS[0] }] };
  const b = { timeout: 3, environment: [{ key: "K", value: SECRETS[1] }] };
  assert.deepEqual(maskChanges(diffConfigs(a, b, { revealValues: true })), diffConfigs(a, b));
});
