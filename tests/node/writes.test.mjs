// Writes and browsing through the packed package, against the simulator: uploadFuncConfig, the
// read-modify-write edit helpers of TcbClient, listFunctions / listAllFunctions and diffConfigs.
// Every test starts from a freshly reset simulator and checks what the simulator really stored,
// received and counted, not only what the package answered.
import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { TcbClient, diffConfigs, getFuncConfig, isTcbError, listFunctions, uploadFuncConfig } from "tcb-funcconfig";
import { ENV, SIM, TOKEN, assertNoSecret, base, closedPort, control, countFetches, fault, makeRejection, sleep, tokenSequence } from "./helpers.mjs";

const MASK = "••••••";
const UPLOAD = "/tcb/uploadfuncconfig";
const LIST = "/tcb/listfunctions";

// The seeded type-3 config of orderSync.
const ORDER_SYNC_ENV = [
  { key: "DB_HOST", value: "10.0.0.8" },
  { key: "DB_PASSWORD", value: "s3cr3t-pa55w0rd" },
  { key: "REGION", value: "ap-shanghai" },
];
const ORDER_SYNC_OPENAPI = ["subscribeMessage.send", "wxacode.getUnlimited", "security.msgSecCheck"];

// Values that must never show in an error: the seeded password, the access token, and every
// value these tests set.
const NEW_SECRET = "n3w-s3cret-Value-77";
const HOOK_SECRET = "hook-s3cret-Value-88";
const SIDE_SECRET = "side-s3cret-Value-99";
const SECRETS = ["s3cr3t-pa55w0rd", TOKEN, NEW_SECRET, HOOK_SECRET, SIDE_SECRET];

const settings = (body) => control("/__sim/settings", body);
/** Applied uploads of one function, by the simulator's own count. */
const changesOf = (fn) => control(`/__sim/changes?env=${ENV}&function=${fn}`);
/** WeChat-side requests the simulator received, optionally for one function and/or one path. */
async function requests({ fn, path } = {}) {
  const q = new URLSearchParams();
  if (fn) q.set("function_name", fn);
  if (path) q.set("path", path);
  return control(`/__sim/requests${q.size ? `?${q}` : ""}`);
}
const uploadsSent = async (fn) => (await requests({ fn, path: UPLOAD })).length;
/** The config the simulator holds now (null: not configured), read with the plain getter. */
async function stored(fn, type) {
  try {
    return await getFuncConfig({ ...base, functionName: fn, type });
  } catch (e) {
    if (e.errcode === 85089) return null;
    throw e;
  }
}
const client = (options = {}) => new TcbClient({ accessToken: TOKEN, baseUrl: SIM, ...options });

/** The rejection of `promise`, checked to be a TcbError that leaks nothing. */
const rejection = makeRejection({ file: "writes.test.mjs", secrets: SECRETS });

function assertInvalid(e, field, what) {
  assert.equal(e.code, "invalid_argument", `${what}: ${e.code} ${e.message}`);
  assert.ok(e.message.includes(field), `${what}: "${e.message}" should name ${field}`);
}

/** A loopback port nothing listens on: opened on port 0, noted, closed. */
const maskedChange = (op, key) => ({
  op, field: "environment", key, ...(op !== "added" && { before: MASK }), ...(op !== "removed" && { after: MASK }), masked: true,
});

beforeEach(() => control("/__sim/reset", {}));

// ---------------------------------------------------------------------------------------------
// uploadFuncConfig

const UPLOADS = [
  {
    type: 1,
    config: { openapi: ["wxacode.get", "subscribeMessage.send", "a_1.b_2"] },
    json: { permissions: { openapi: ["wxacode.get", "subscribeMessage.send", "a_1.b_2"] } },
    check: (c) => assert.deepEqual(c.openapi, ["wxacode.get", "subscribeMessage.send", "a_1.b_2"]),
  },
  {
    type: 2,
    config: { triggers: [{ name: "every-Hour_1", config: "0 0 * * * * *" }] },
    json: { triggers: [{ name: "every-Hour_1", type: "timer", config: "0 0 * * * * *" }] },
    check: (c) => assert.deepEqual(c.triggers.map(({ name, type, config }) => ({ name, type, config })), [
      { name: "every-Hour_1", type: "timer", config: "0 0 * * * * *" },
    ]),
  },
  {
    type: 3,
    config: { timeout: 60, environment: [{ key: "API_KEY", value: NEW_SECRET }, { key: "_MODE", value: "prod mode, 中文 \"q\"" }] },
    json: { timeout: 60, environment: [{ key: "API_KEY", value: NEW_SECRET }, { key: "_MODE", value: "prod mode, 中文 \"q\"" }] },
    check: (c) => {
      assert.equal(c.timeout, 60);
      assert.deepEqual(c.environment, [{ key: "API_KEY", value: NEW_SECRET }, { key: "_MODE", value: "prod mode, 中文 \"q\"" }]);
    },
  },
];

async function checkUploads(upload) {
  // "reportDaily" has only a type-2 config: type 1 and 3 are new, type 2 is replaced.
  const fn = "reportDaily";
  for (const [i, u] of UPLOADS.entries()) {
    const result = await upload({ env: ENV, functionName: fn, type: u.type, config: u.config });
    assert.equal(result, undefined, "uploadFuncConfig resolves to nothing");
    const back = await stored(fn, u.type);
    assert.equal(back.type, u.type);
    u.check(back);
    assert.deepEqual(JSON.parse(back.raw), u.json, `type ${u.type}: the whole config, exactly as written`);
    const counted = await changesOf(fn);
    assert.equal(counted.uploads, i + 1, `type ${u.type}: exactly one applied upload`);
    assert.equal(counted.byType[String(u.type)], 1);
    // The one request on the wire carried exactly the text now stored.
    const sent = (await requests({ fn, path: UPLOAD })).at(-1);
    const body = JSON.parse(sent.body);
    assert.deepEqual(
      { type: body.type, env: body.env, function_name: body.function_name, config: body.config },
      { type: u.type, env: ENV, function_name: fn, config: `<${Buffer.byteLength(back.raw)} bytes>` },
    );
    assert.equal(sent.errcode, 0);
  }
  assert.equal(await uploadsSent(fn), UPLOADS.length, "one request per upload, no retry");
}

test("uploadFuncConfig (top level): each type is written and read back verbatim, one upload each", async () => {
  await checkUploads((req) => uploadFuncConfig({ ...req, accessToken: TOKEN, baseUrl: SIM }));
});

test("TcbClient.uploadFuncConfig: each type is written and read back verbatim, one upload each", async () => {
  await checkUploads((req) => client().uploadFuncConfig(req));
});

test("uploadFuncConfig replaces the whole config and accepts a typed result object", async () => {
  const c = client();
  // A typed result of orderSync (kind, raw, schedule and all) written to another function.
  for (const type of [1, 2, 3]) {
    const source = await stored("orderSync", type);
    await c.uploadFuncConfig({ env: ENV, functionName: "hello", type, config: source });
    const copy = await stored("hello", type);
    assert.deepEqual(JSON.parse(copy.raw), JSON.parse(source.raw), `type ${type} copied`);
  }
  assert.deepEqual((await changesOf("hello")).byType, { 1: 1, 2: 1, 3: 1 });
  // The written config is the complete one: what is left out is gone.
  await c.uploadFuncConfig({ env: ENV, functionName: "orderSync", type: 3, config: { timeout: 7, environment: [{ key: "ONLY", value: "1" }] } });
  const env3 = await stored("orderSync", 3);
  assert.deepEqual({ timeout: env3.timeout, environment: env3.environment }, { timeout: 7, environment: [{ key: "ONLY", value: "1" }] });
  assert.equal((await stored("orderSync", 2)).triggers.length, 1);
  await c.uploadFuncConfig({ env: ENV, functionName: "orderSync", type: 2, config: { triggers: [] } });
  assert.deepEqual((await stored("orderSync", 2)).triggers, []);
});

const bigEnvironment = [{ key: "BIG", value: "x".repeat(4100) }];
const INVALID_UPLOADS = [
  [1, { openapi: ["wxacode"] }, "config.openapi[0]", "type 1 name without a dot"],
  [1, { openapi: ["wxacode.get", "1a.b"] }, "config.openapi[1]", "type 1 name starting with a digit"],
  [1, { openapi: ["a.b", "c.d", "a.b"] }, "config.openapi[2]", "type 1 duplicate"],
  [1, { openapi: [7] }, "config.openapi[0]", "type 1 name not a string"],
  [2, { triggers: [{ name: "a", config: "0 0 2 * * * *" }, { name: "b", config: "0 0 3 * * * *" }] }, "config.triggers", "type 2 two triggers"],
  [2, { triggers: [{ name: "1bad", config: "0 0 2 * * * *" }] }, "config.triggers[0].name", "type 2 bad name"],
  [2, { triggers: [{ name: "n".repeat(61), config: "0 0 2 * * * *" }] }, "config.triggers[0].name", "type 2 name too long"],
  [2, { triggers: [{ name: "ok", type: "http", config: "0 0 2 * * * *" }] }, "config.triggers[0].type", "type 2 type not timer"],
  [2, { triggers: [{ name: "ok", config: "0 0 24 * * * *" }] }, "config.triggers[0].config", "type 2 hour 24"],
  [2, { triggers: [{ name: "ok", config: "0 0 * * *" }] }, "config.triggers[0].config", "type 2 five fields"],
  [2, { triggers: [{ name: "ok" }] }, "config.triggers[0].config", "type 2 cron missing"],
  [3, { timeout: 0, environment: [] }, "config.timeout", "type 3 timeout 0"],
  [3, { timeout: 301, environment: [] }, "config.timeout", "type 3 timeout 301"],
  [3, { timeout: 5.5, environment: [] }, "config.timeout", "type 3 timeout 5.5"],
  [3, { timeout: "5", environment: [] }, "config.timeout", "type 3 timeout a string"],
  [3, { environment: [] }, "config.timeout", "type 3 timeout missing"],
  [3, { timeout: 5, environment: [{ key: "1K", value: "v" }] }, "config.environment[0].key", "type 3 key 1K"],
  [3, { timeout: 5, environment: [{ key: "A-B", value: "v" }] }, "config.environment[0].key", "type 3 key with a dash"],
  [3, { timeout: 5, environment: [{ key: "K", value: "1" }, { key: "K", value: "2" }] }, "config.environment[1].key", "type 3 duplicate keys"],
  [3, { timeout: 5, environment: [{ key: "K", value: 1 }] }, "config.environment[0].value", "type 3 value not a string"],
  [3, { timeout: 5, environment: ["K=V"] }, "config.environment[0]", "type 3 item not an object"],
  [3, { timeout: 5, environment: bigEnvironment }, "config.environment", "type 3 environment over 4 KB"],
  [3, { timeout: 5 }, "config.environment", "type 3 environment missing (would wipe every variable)"],
  [1, { timeout: 5, environment: [] }, "config", "a type-3 config uploaded as type 1"],
  [3, { openapi: ["a.b"] }, "config", "a type-1 config uploaded as type 3"],
  [2, { openapi: ["a.b"] }, "config", "a type-1 config uploaded as type 2"],
  [1, "{\"permissions\":{\"openapi\":[]}}", "config", "a JSON text instead of an object"],
  [1, ["a.b"], "config", "an array"],
  [3, null, "config", "null"],
  [3, undefined, "config", "missing"],
  [2, 42, "config", "a number"],
];

async function checkRefusals(upload) {
  for (const [type, config, field, what] of INVALID_UPLOADS) {
    const e = await rejection(upload({ env: ENV, functionName: "orderSync", type, config }));
    assertInvalid(e, field, what);
    assert.equal(e.retryable, false);
  }
  // Nothing at all reached the simulator.
  assert.deepEqual(await requests(), []);
  assert.equal((await changesOf("orderSync")).uploads, 0);
  assert.deepEqual((await stored("orderSync", 3)).environment, ORDER_SYNC_ENV);
}

test("uploadFuncConfig (top level) refuses every invalid config, naming the field, before sending", async () => {
  await checkRefusals((req) => uploadFuncConfig({ ...req, accessToken: TOKEN, baseUrl: SIM }));
});

test("TcbClient.uploadFuncConfig refuses every invalid config before even asking for a token", async () => {
  const src = tokenSequence(TOKEN);
  const c = new TcbClient({ getAccessToken: src.fn, baseUrl: SIM });
  await checkRefusals((req) => c.uploadFuncConfig(req));
  assert.deepEqual(src.calls, [], "the token source was never asked");
});

test("the {timeout:5} trap: a partial environment config is refused and orderSync keeps its variables", async () => {
  for (const upload of [
    () => uploadFuncConfig({ ...base, functionName: "orderSync", type: 3, config: { timeout: 5 } }),
    () => client().uploadFuncConfig({ env: ENV, functionName: "orderSync", type: 3, config: { timeout: 5 } }),
    () => client().uploadFuncConfig({ env: ENV, functionName: "orderSync", type: "environment", config: { timeout: 5 } }),
  ]) {
    const e = await rejection(upload());
    assertInvalid(e, "config.environment", "{timeout:5}");
  }
  assert.equal(await uploadsSent("orderSync"), 0);
  const now = await stored("orderSync", 3);
  assert.deepEqual({ timeout: now.timeout, environment: now.environment }, { timeout: 20, environment: ORDER_SYNC_ENV });
});

test("uploadFuncConfig: bad request fields are refused before sending too", async () => {
  const ok = { openapi: ["a.b"] };
  for (const [bad, field] of [
    [{ env: "" }, "env"], [{ functionName: "9x" }, "functionName"], [{ type: 4 }, "type"], [{ accessToken: "" }, "accessToken"],
    [{ timeoutMs: 0 }, "timeoutMs"], [{ signal: {} }, "signal"],
  ]) {
    const e = await rejection(uploadFuncConfig({ ...base, functionName: "hello", type: 1, config: ok, ...bad }));
    assertInvalid(e, field, JSON.stringify(bad));
  }
  const e = await rejection(uploadFuncConfig("not an object"));
  assert.equal(e.code, "invalid_argument");
  assert.deepEqual(await requests(), []);
});

// ---------------------------------------------------------------------------------------------
// Edit helpers: happy paths

test("updateEnvironment sets one variable and keeps the rest of orderSync's config", async () => {
  const c = client();
  const result = await c.updateEnvironment(ENV, "orderSync", { set: { REGION: NEW_SECRET } });
  assert.deepEqual(Object.keys(result).sort(), ["changes", "config", "written"]);
  assert.equal(result.written, true);
  assert.deepEqual(result.changes, [maskedChange("changed", "REGION")]);
  const now = await stored("orderSync", 3);
  assert.equal(now.timeout, 20);
  assert.deepEqual(now.environment, [
    { key: "DB_HOST", value: "10.0.0.8" },
    { key: "DB_PASSWORD", value: "s3cr3t-pa55w0rd" },
    { key: "REGION", value: NEW_SECRET },
  ]);
  assert.equal(result.config.kind, "environment");
  assert.equal(result.config.raw, now.raw, "the resolved config is what the server holds");
  assert.deepEqual(result.config.environment, now.environment);
  assert.deepEqual(await changesOf("orderSync"), { env: ENV, function: "orderSync", uploads: 1, byType: { 1: 0, 2: 0, 3: 1 } });
  assert.equal(await uploadsSent("orderSync"), 1);
  // The other types were not touched.
  assert.deepEqual((await stored("orderSync", 1)).openapi, ORDER_SYNC_OPENAPI);
  assert.equal((await stored("orderSync", 2)).triggers[0].name, "nightlySync");
});

test("updateEnvironment: set, unset and timeout in one write; changes masked unless revealValues", async () => {
  const c = client();
  const r = await c.updateEnvironment(ENV, "orderSync", { set: { NEW_KEY: NEW_SECRET, REGION: "eu-west" }, unset: ["DB_HOST", "NOT_THERE"], timeout: 30 });
  assert.equal(r.written, true);
  assert.deepEqual(r.changes, [
    { op: "changed", field: "timeout", key: "timeout", before: "20", after: "30" },
    maskedChange("removed", "DB_HOST"),
    maskedChange("changed", "REGION"),
    maskedChange("added", "NEW_KEY"),
  ]);
  const now = await stored("orderSync", 3);
  assert.equal(now.timeout, 30);
  assert.deepEqual(now.environment, [
    { key: "DB_PASSWORD", value: "s3cr3t-pa55w0rd" },
    { key: "REGION", value: "eu-west" },
    { key: "NEW_KEY", value: NEW_SECRET },
  ]);

  const shown = await c.updateEnvironment(ENV, "orderSync", { set: { NEW_KEY: "plain" }, unset: ["DB_PASSWORD"] }, { revealValues: true });
  assert.equal(shown.written, true);
  assert.deepEqual(shown.changes, [
    { op: "removed", field: "environment", key: "DB_PASSWORD", before: "s3cr3t-pa55w0rd" },
    { op: "changed", field: "environment", key: "NEW_KEY", before: NEW_SECRET, after: "plain" },
  ]);
  for (const ch of shown.changes) assert.ok(!("masked" in ch), "no masked flag on revealed values");
  assert.deepEqual((await stored("orderSync", 3)).environment, [{ key: "REGION", value: "eu-west" }, { key: "NEW_KEY", value: "plain" }]);
  assert.equal((await changesOf("orderSync")).uploads, 2);
});

test("grantOpenapi and revokeOpenapi keep the other names and write once each", async () => {
  const c = client();
  const g = await c.grantOpenapi(ENV, "orderSync", ["wxacode.get", "subscribeMessage.send"]);
  assert.equal(g.written, true);
  assert.deepEqual(g.changes, [{ op: "added", field: "openapi", key: "wxacode.get" }]);
  assert.deepEqual((await stored("orderSync", 1)).openapi, [...ORDER_SYNC_OPENAPI, "wxacode.get"]);
  assert.deepEqual(g.config.openapi, [...ORDER_SYNC_OPENAPI, "wxacode.get"]);
  assert.equal(g.config.kind, "cloudCall");

  const r = await c.revokeOpenapi(ENV, "orderSync", ["security.msgSecCheck", "not.granted"]);
  assert.equal(r.written, true);
  assert.deepEqual(r.changes, [{ op: "removed", field: "openapi", key: "security.msgSecCheck" }]);
  const now = await stored("orderSync", 1);
  assert.deepEqual(now.openapi, ["subscribeMessage.send", "wxacode.getUnlimited", "wxacode.get"]);
  assert.equal(r.config.raw, now.raw);
  assert.deepEqual(await changesOf("orderSync"), { env: ENV, function: "orderSync", uploads: 2, byType: { 1: 2, 2: 0, 3: 0 } });
  // revealValues changes nothing for names.
  const again = await c.grantOpenapi(ENV, "orderSync", ["security.msgSecCheck"], { revealValues: true });
  assert.deepEqual(again.changes, [{ op: "added", field: "openapi", key: "security.msgSecCheck" }]);
});

test("setTimerTrigger replaces the one trigger; removeTimerTrigger leaves none", async () => {
  const c = client();
  const s = await c.setTimerTrigger(ENV, "orderSync", { name: "hourly", config: "0 0 * * * * *" });
  assert.equal(s.written, true);
  assert.deepEqual(s.changes, [
    { op: "removed", field: "triggers", key: "nightlySync", before: "0 0 2 * * * *" },
    { op: "added", field: "triggers", key: "hourly", after: "0 0 * * * * *" },
  ]);
  let now = await stored("orderSync", 2);
  assert.deepEqual(now.triggers.map(({ name, type, config }) => ({ name, type, config })), [{ name: "hourly", type: "timer", config: "0 0 * * * * *" }]);
  assert.deepEqual(JSON.parse(now.raw), { triggers: [{ name: "hourly", type: "timer", config: "0 0 * * * * *" }] });
  assert.equal(s.config.raw, now.raw);

  // Same name, another schedule: one "changed".
  const moved = await c.setTimerTrigger(ENV, "orderSync", { name: "hourly", type: "timer", config: "0 30 * * * * *" });
  assert.deepEqual(moved.changes, [{ op: "changed", field: "triggers", key: "hourly", before: "0 0 * * * * *", after: "0 30 * * * * *" }]);

  const rm = await c.removeTimerTrigger(ENV, "reportDaily");
  assert.equal(rm.written, true);
  assert.deepEqual(rm.changes, [{ op: "removed", field: "triggers", key: "weekdayMorning", before: "0 15 10 * * MON-FRI *" }]);
  now = await stored("reportDaily", 2);
  assert.deepEqual(now.triggers, []);
  assert.deepEqual(rm.config.triggers, []);
  assert.equal((await changesOf("orderSync")).byType["2"], 2);
  assert.equal((await changesOf("reportDaily")).uploads, 1);
});

test("edits of a type that is not configured (85089) start from an empty config", async () => {
  const c = client();
  // hello has only a type-3 config; openapi only type 1.
  const g = await c.grantOpenapi(ENV, "hello", ["wxacode.get"]);
  assert.equal(g.written, true);
  assert.deepEqual(g.changes, [{ op: "added", field: "openapi", key: "wxacode.get" }]);
  assert.deepEqual(JSON.parse((await stored("hello", 1)).raw), { permissions: { openapi: ["wxacode.get"] } });

  const t = await c.setTimerTrigger(ENV, "hello", { name: "daily", config: "0 0 8 * * * *" });
  assert.deepEqual(t.changes, [{ op: "added", field: "triggers", key: "daily", after: "0 0 8 * * * *" }]);
  assert.deepEqual(JSON.parse((await stored("hello", 2)).raw), { triggers: [{ name: "daily", type: "timer", config: "0 0 8 * * * *" }] });

  const e = await c.updateEnvironment(ENV, "openapi", { set: { K: NEW_SECRET } });
  assert.deepEqual(e.changes, [maskedChange("added", "K")]);
  const env3 = await stored("openapi", 3);
  assert.deepEqual({ timeout: env3.timeout, environment: env3.environment }, { timeout: 3, environment: [{ key: "K", value: NEW_SECRET }] });
  assert.deepEqual((await changesOf("hello")).byType, { 1: 1, 2: 1, 3: 0 });
  assert.deepEqual((await changesOf("openapi")).byType, { 1: 0, 2: 0, 3: 1 });
});

test("no-op edits write nothing and resolve written: false", async () => {
  const c = client();
  const current3 = await stored("orderSync", 3);
  const noops = [
    [() => c.updateEnvironment(ENV, "orderSync", { set: { REGION: "ap-shanghai" } }), current3.raw],
    [() => c.updateEnvironment(ENV, "orderSync", { unset: ["NOT_THERE"] }), current3.raw],
    [() => c.updateEnvironment(ENV, "orderSync", { timeout: 20 }), current3.raw],
    [() => c.grantOpenapi(ENV, "orderSync", ["wxacode.getUnlimited"]), (await stored("orderSync", 1)).raw],
    [() => c.revokeOpenapi(ENV, "orderSync", ["not.granted"]), (await stored("orderSync", 1)).raw],
    [() => c.setTimerTrigger(ENV, "orderSync", { name: "nightlySync", config: "0 0 2 * * * *" }), (await stored("orderSync", 2)).raw],
  ];
  for (const [edit, raw] of noops) {
    const r = await edit();
    assert.deepEqual(Object.keys(r).sort(), ["changes", "config", "written"]);
    assert.equal(r.written, false);
    assert.deepEqual(r.changes, []);
    assert.equal(r.config.raw, raw, "the config as it is");
  }
  // Nothing to remove or revoke where nothing is configured: config stays null.
  for (const edit of [() => c.removeTimerTrigger(ENV, "hello"), () => c.revokeOpenapi(ENV, "hello", ["a.b"])]) {
    const r = await edit();
    assert.deepEqual(r, { written: false, config: null, changes: [] });
  }
  assert.equal(await uploadsSent("orderSync"), 0);
  assert.equal(await uploadsSent("hello"), 0);
  assert.equal((await control("/__sim/changes")).functions.length, 0);
});

test("dryRun computes the result and the changes but writes nothing", async () => {
  const c = client();
  const before = await stored("orderSync", 3);
  const r = await c.updateEnvironment(ENV, "orderSync", { set: { REGION: NEW_SECRET }, timeout: 45 }, { dryRun: true });
  assert.equal(r.written, false);
  assert.deepEqual(r.changes, [
    { op: "changed", field: "timeout", key: "timeout", before: "20", after: "45" },
    maskedChange("changed", "REGION"),
  ]);
  assert.equal(r.config.timeout, 45, "the config that would be written");
  assert.deepEqual(r.config.environment.at(-1), { key: "REGION", value: NEW_SECRET });

  const revealed = await c.updateEnvironment(ENV, "orderSync", { set: { REGION: NEW_SECRET } }, { dryRun: true, revealValues: true });
  assert.deepEqual(revealed.changes, [{ op: "changed", field: "environment", key: "REGION", before: "ap-shanghai", after: NEW_SECRET }]);

  const g = await c.grantOpenapi(ENV, "orderSync", ["wxacode.get"], { dryRun: true });
  assert.deepEqual([g.written, g.changes], [false, [{ op: "added", field: "openapi", key: "wxacode.get" }]]);
  const t = await c.setTimerTrigger(ENV, "orderSync", { name: "x", config: "0 0 3 * * * *" }, { dryRun: true });
  assert.equal(t.written, false);
  assert.equal(t.changes.length, 2);
  const rm = await c.removeTimerTrigger(ENV, "reportDaily", { dryRun: true });
  assert.deepEqual([rm.written, rm.changes.map((ch) => ch.op)], [false, ["removed"]]);

  // A dry run still applies every rule.
  const big = await rejection(c.updateEnvironment(ENV, "orderSync", { set: { BIG: "x".repeat(4100) } }, { dryRun: true }));
  assertInvalid(big, "config.environment", "dry run over 4 KB");

  assert.deepEqual(await requests({ path: UPLOAD }), []);
  assert.equal((await control("/__sim/changes")).functions.length, 0);
  assert.equal((await stored("orderSync", 3)).raw, before.raw);
  assert.equal((await stored("reportDaily", 2)).triggers.length, 1);
});

test("edit helpers refuse bad arguments before anything is sent", async () => {
  const src = tokenSequence(TOKEN);
  const c = new TcbClient({ getAccessToken: src.fn, baseUrl: SIM });
  const cases = [
    [() => c.updateEnvironment(ENV, "orderSync", {}), "edit"],
    [() => c.updateEnvironment(ENV, "orderSync", { timeout: 0 }), "timeout"],
    [() => c.updateEnvironment(ENV, "orderSync", { timeout: 301 }), "timeout"],
    [() => c.updateEnvironment(ENV, "orderSync", { timeout: 2.5 }), "timeout"],
    [() => c.updateEnvironment(ENV, "orderSync", { set: { "1K": "v" } }), "set.1K"],
    [() => c.updateEnvironment(ENV, "orderSync", { set: { K: 1 } }), "set.K"],
    [() => c.updateEnvironment(ENV, "orderSync", { set: { K: "v" }, unset: ["K"] }), "set.K"],
    [() => c.updateEnvironment(ENV, "orderSync", { unset: ["OK", "a-b"] }), "unset[1]"],
    [() => c.updateEnvironment(ENV, "orderSync", "REGION=x"), "edit"],
    [() => c.updateEnvironment("", "orderSync", { timeout: 5 }), "env"],
    [() => c.updateEnvironment(ENV, "9bad", { timeout: 5 }), "functionName"],
    [() => c.updateEnvironment(ENV, "orderSync", { timeout: 5 }, { expectedRaw: 5 }), "expectedRaw"],
    [() => c.updateEnvironment(ENV, "orderSync", { timeout: 5 }, { signal: {} }), "signal"],
    [() => c.grantOpenapi(ENV, "orderSync", []), "names"],
    [() => c.grantOpenapi(ENV, "orderSync", ["ok.fine", "nope"]), "names[1]"],
    [() => c.grantOpenapi(ENV, "orderSync", "a.b"), "names"],
    [() => c.revokeOpenapi(ENV, "orderSync", ["a.b.c"]), "names[0]"],
    [() => c.setTimerTrigger(ENV, "orderSync", { name: "1x", config: "0 0 2 * * * *" }), "trigger.name"],
    [() => c.setTimerTrigger(ENV, "orderSync", { name: "ok", config: "0 0 25 * * * *" }), "trigger.config"],
    [() => c.setTimerTrigger(ENV, "orderSync", { name: "ok", type: "http", config: "0 0 2 * * * *" }), "trigger.type"],
    [() => c.setTimerTrigger(ENV, "orderSync", { name: "ok" }), "trigger.config"],
  ];
  for (const [call, field] of cases) assertInvalid(await rejection(call()), field, `${call}`);
  assert.deepEqual(await requests(), []);
  assert.deepEqual(src.calls, []);
});

// ---------------------------------------------------------------------------------------------
// expectedRaw, concurrent changes and read-back

test("expectedRaw that matches the server writes; the same config written differently matches too", async () => {
  const c = client();
  const seen = await stored("orderSync", 3);
  const r = await c.updateEnvironment(ENV, "orderSync", { set: { REGION: "x1" } }, { expectedRaw: seen.raw });
  assert.equal(r.written, true);
  const next = await stored("orderSync", 3);
  // The same config as other text (spaces, key order) is the same config.
  const respaced = JSON.stringify({ environment: next.environment, timeout: next.timeout }, null, 2);
  const r2 = await c.updateEnvironment(ENV, "orderSync", { set: { REGION: "x2" } }, { expectedRaw: respaced });
  assert.equal(r2.written, true);
  // null = "I saw it not configured", and it is not.
  const g = await c.grantOpenapi(ENV, "hello", ["a.b"], { expectedRaw: null });
  assert.equal(g.written, true);
  assert.equal((await changesOf("orderSync")).uploads, 2);
  assert.equal((await changesOf("hello")).uploads, 1);
});

test("stale expectedRaw: conflict with expected, actual and changes, masked; nothing written", async () => {
  const c = client();
  const seen = await stored("orderSync", 3);
  // Someone else changes DB_HOST (not through an upload).
  const theirs = { timeout: 20, environment: [{ key: "DB_HOST", value: SIDE_SECRET }, ORDER_SYNC_ENV[1], ORDER_SYNC_ENV[2]] };
  await control("/__sim/configs", { env: ENV, function_name: "orderSync", type: 3, config: JSON.stringify(theirs) });
  const e = await rejection(c.updateEnvironment(ENV, "orderSync", { set: { REGION: NEW_SECRET } }, { expectedRaw: seen.raw, revealValues: true }));
  assert.equal(e.code, "conflict");
  assert.equal(e.retryable, false);
  assert.equal(e.expected.kind, "environment");
  assert.equal(e.expected.timeout, 20);
  assert.deepEqual(e.expected.environment, ORDER_SYNC_ENV.map(({ key }) => ({ key, value: MASK })));
  assert.deepEqual(JSON.parse(e.expected.raw).environment.map((v) => v.value), [MASK, MASK, MASK], "raw is masked too");
  assert.deepEqual(e.actual.environment, ORDER_SYNC_ENV.map(({ key }) => ({ key, value: MASK })));
  assert.deepEqual(e.changes, [maskedChange("changed", "DB_HOST")], "changes computed on real values, masked even with revealValues");
  assert.equal(await uploadsSent("orderSync"), 0);
  assert.equal((await changesOf("orderSync")).uploads, 0);
  assert.deepEqual(JSON.parse((await stored("orderSync", 3)).raw), theirs, "the server keeps the other writer's config");
});

test("expectedRaw null while the type is configured is a conflict; a config removed since is one too", async () => {
  const c = client();
  const e = await rejection(c.grantOpenapi(ENV, "orderSync", ["a.b"], { expectedRaw: null }));
  assert.equal(e.code, "conflict");
  assert.equal(e.expected, null);
  assert.deepEqual(e.actual.openapi, ORDER_SYNC_OPENAPI);
  assert.deepEqual(e.changes, ORDER_SYNC_OPENAPI.map((key) => ({ op: "added", field: "openapi", key })));

  const env = await rejection(c.updateEnvironment(ENV, "orderSync", { timeout: 9 }, { expectedRaw: null }));
  assert.equal(env.code, "conflict");
  assert.equal(env.expected, null);
  assert.deepEqual(env.changes, [
    { op: "changed", field: "timeout", key: "timeout", before: "3", after: "20" },
    ...ORDER_SYNC_ENV.map(({ key }) => maskedChange("added", key)),
  ]);

  const seen = await stored("reportDaily", 2);
  await control("/__sim/configs", { env: ENV, function_name: "reportDaily", type: 2, config: null });
  const gone = await rejection(c.setTimerTrigger(ENV, "reportDaily", { name: "x", config: "0 0 1 * * * *" }, { expectedRaw: seen.raw }));
  assert.equal(gone.code, "conflict");
  assert.equal(gone.actual, null);
  assert.equal(gone.expected.triggers[0].name, "weekdayMorning");
  assert.deepEqual(gone.changes, [{ op: "removed", field: "triggers", key: "weekdayMorning", before: "0 15 10 * * MON-FRI *" }]);
  assert.deepEqual(await requests({ path: UPLOAD }), []);
  assert.equal(await stored("reportDaily", 2), null);
});

test("expectedRaw that is not a config of the helper's type is invalid_argument, nothing sent", async () => {
  const c = client();
  const typeOne = (await stored("orderSync", 1)).raw;
  const typeThree = (await stored("hello", 3)).raw;
  const cases = [
    // hello's type 3 is {"timeout":3,"environment":[]}: a type-1 raw must not pass for it.
    [() => c.updateEnvironment(ENV, "hello", { set: { K: "v" } }, { expectedRaw: typeOne }), "a type-1 raw for updateEnvironment"],
    [() => c.grantOpenapi(ENV, "hello", ["a.b"], { expectedRaw: typeThree }), "a type-3 raw for grantOpenapi"],
    [() => c.setTimerTrigger(ENV, "hello", { name: "x", config: "0 0 1 * * * *" }, { expectedRaw: typeOne }), "a type-1 raw for setTimerTrigger"],
    [() => c.updateEnvironment(ENV, "orderSync", { timeout: 5 }, { expectedRaw: "not json" }), "not JSON"],
    [() => c.updateEnvironment(ENV, "orderSync", { timeout: 5 }, { expectedRaw: "[]" }), "an array"],
    [() => c.updateEnvironment(ENV, "orderSync", { timeout: 5 }, { expectedRaw: "{\"timeout\":\"x\"}" }), "timeout a string"],
  ];
  const setupRequests = (await requests()).length;
  const failures = [];
  for (const [call, what] of cases) {
    let outcome;
    try {
      outcome = await call();
    } catch (e) {
      outcome = e;
    }
    if (!(isTcbError(outcome) && outcome.code === "invalid_argument" && outcome.message.includes("expectedRaw"))) {
      failures.push(`${what}: ${isTcbError(outcome) ? `${outcome.code}: ${outcome.message}` : `resolved ${JSON.stringify(outcome)}`}`);
    }
  }
  // One assertion, so that a failure shows every wrong outcome, every request and every write.
  assert.deepEqual(
    {
      notRefused: failures,
      sent: (await requests()).slice(setupRequests).map((r) => `${r.path} ${r.body}`),
      written: (await control("/__sim/changes")).functions,
    },
    { notRefused: [], sent: [], written: [] },
    "each must be refused as invalid_argument naming expectedRaw, with nothing sent or written",
  );
});

test("a change between the helper's first read and its pre-write read: conflict, the other writer's config stays", async () => {
  const c = client();
  const theirs = JSON.stringify({ timeout: 9, environment: [{ key: "DB_PASSWORD", value: HOOK_SECRET }] });
  await control("/__sim/hooks", { env: ENV, function: "orderSync", type: 3, after: "read", nth: 1, config: theirs });
  const e = await rejection(c.updateEnvironment(ENV, "orderSync", { set: { REGION: NEW_SECRET } }, { revealValues: true }));
  assert.equal(e.code, "conflict");
  assert.equal(e.expected.timeout, 20, "expected: the helper's own first read");
  assert.deepEqual(e.expected.environment.map((v) => v.value), [MASK, MASK, MASK]);
  assert.deepEqual(e.actual.environment, [{ key: "DB_PASSWORD", value: MASK }]);
  assert.deepEqual(e.changes, [
    { op: "changed", field: "timeout", key: "timeout", before: "20", after: "9" },
    maskedChange("removed", "DB_HOST"),
    maskedChange("changed", "DB_PASSWORD"),
    maskedChange("removed", "REGION"),
  ]);
  assert.equal(await uploadsSent("orderSync"), 0);
  assert.equal((await changesOf("orderSync")).uploads, 0);
  assert.equal((await stored("orderSync", 3)).raw, theirs);
  assert.deepEqual((await control("/__sim/hooks")).hooks, [], "the hook fired");

  // The same for a permission edit.
  const names = JSON.stringify({ permissions: { openapi: ["other.writer"] } });
  await control("/__sim/hooks", { env: ENV, function: "orderSync", type: 1, after: "read", nth: 1, config: names });
  const g = await rejection(c.grantOpenapi(ENV, "orderSync", ["wxacode.get"]));
  assert.equal(g.code, "conflict");
  assert.deepEqual(g.actual.openapi, ["other.writer"]);
  assert.equal((await stored("orderSync", 1)).raw, names);
  assert.equal(await uploadsSent("orderSync"), 0);
});

test("a read-back that differs from the write (a merging server): unverified with expected, actual and changes", async () => {
  await settings({ uploadMode: "merge" });
  const c = client();
  const e = await rejection(c.updateEnvironment(ENV, "orderSync", { unset: ["DB_PASSWORD"], set: { REGION: NEW_SECRET } }));
  assert.equal(e.code, "unverified");
  assert.deepEqual(e.expected.environment, [{ key: "DB_HOST", value: MASK }, { key: "REGION", value: MASK }], "what was written");
  assert.deepEqual(e.actual.environment.map((v) => v.key), ["DB_HOST", "DB_PASSWORD", "REGION"], "what was read back");
  assert.ok(e.actual.environment.every((v) => v.value === MASK));
  assert.deepEqual(e.changes, [maskedChange("added", "DB_PASSWORD")]);
  assert.equal((await changesOf("orderSync")).uploads, 1, "the write was applied once and not repeated");
  assert.equal(await uploadsSent("orderSync"), 1);
  assert.deepEqual((await stored("orderSync", 3)).environment, [
    { key: "DB_HOST", value: "10.0.0.8" },
    { key: "DB_PASSWORD", value: "s3cr3t-pa55w0rd" },
    { key: "REGION", value: NEW_SECRET },
  ]);
});

// ---------------------------------------------------------------------------------------------
// Failures on the wire

test("a timeout after the upload was sent: unknown_outcome within timeoutMs, never sent twice", async () => {
  await fault({ path: UPLOAD, times: 0, fault: { kind: "delay", ms: 3000 } });
  const t0 = Date.now();
  const e = await rejection(uploadFuncConfig({ ...base, functionName: "hello", type: 1, config: { openapi: ["a.b"] }, timeoutMs: 1000 }));
  const took = Date.now() - t0;
  assert.equal(e.code, "unknown_outcome");
  assert.ok(took < 1000 + 200, `settled after ${took} ms`);
  assert.match(e.hint, /read the config/);
  assert.equal(e.retryable, false);
  await sleep(2300); // past the late answer: a retry would have shown by now
  assert.equal((await changesOf("hello")).uploads, 1, "exactly one write reached the server");
  assert.equal(await uploadsSent("hello"), 1, "and it was not sent again");
  assert.deepEqual((await stored("hello", 1)).openapi, ["a.b"]);
});

test("a timeout after the upload was sent, through an edit helper: unknown_outcome, one write", async () => {
  await fault({ path: UPLOAD, times: 0, fault: { kind: "delay", ms: 3000 } });
  const c = client({ timeoutMs: 1000 });
  const t0 = Date.now();
  const e = await rejection(c.updateEnvironment(ENV, "orderSync", { set: { REGION: NEW_SECRET } }));
  const took = Date.now() - t0;
  assert.equal(e.code, "unknown_outcome");
  assert.ok(took < 1000 + 200, `settled after ${took} ms`);
  assert.match(e.hint, /read the config/);
  await sleep(2300);
  assert.equal((await changesOf("orderSync")).uploads, 1);
  assert.equal(await uploadsSent("orderSync"), 1);
  assert.deepEqual((await stored("orderSync", 3)).environment.at(-1), { key: "REGION", value: NEW_SECRET });
});

test("connection refused: network (nothing left, so retried), not unknown_outcome", async () => {
  const port = await closedPort();
  const target = `http://127.0.0.1:${port}`;
  const fetches = countFetches(target);
  try {
    const e = await rejection(uploadFuncConfig({ ...base, baseUrl: target, functionName: "hello", type: 1, config: { openapi: ["a.b"] } }));
    assert.equal(e.code, "network");
    assert.equal(fetches.count, 3, "the first attempt and the 2 default retries");
    fetches.count = 0;
    const c = new TcbClient({ accessToken: TOKEN, baseUrl: target, retries: 1 });
    const e2 = await rejection(c.uploadFuncConfig({ env: ENV, functionName: "hello", type: 1, config: { openapi: ["a.b"] } }));
    assert.equal(e2.code, "network");
    assert.equal(fetches.count, 2);
    fetches.count = 0;
    const e3 = await rejection(c.grantOpenapi(ENV, "hello", ["a.b"]));
    assert.equal(e3.code, "network");
  } finally {
    fetches.restore();
  }
});

test("HTTP 502 from a gateway on upload: unknown_outcome, no retry", async () => {
  await fault({ path: UPLOAD, times: 0, fault: { kind: "http", status: 502 } });
  const e = await rejection(uploadFuncConfig({ ...base, functionName: "hello", type: 1, config: { openapi: ["a.b"] } }));
  assert.equal(e.code, "unknown_outcome");
  assert.match(e.hint, /read the config/);
  assert.equal(await uploadsSent("hello"), 1, "sent once");
  const e2 = await rejection(client().updateEnvironment(ENV, "orderSync", { timeout: 9 }));
  assert.equal(e2.code, "unknown_outcome");
  assert.equal(await uploadsSent("orderSync"), 1);
  assert.equal((await control("/__sim/changes")).functions.length, 0, "the fault answered instead of the write");
});

test("errcode -1 on upload is an answer (not applied): retried, then written once", async () => {
  await fault({ path: UPLOAD, times: 2, fault: { kind: "errcode", errcode: -1 } });
  await uploadFuncConfig({ ...base, functionName: "hello", type: 1, config: { openapi: ["a.b"] } });
  assert.equal(await uploadsSent("hello"), 3);
  assert.equal((await changesOf("hello")).uploads, 1);
  assert.deepEqual((await stored("hello", 1)).openapi, ["a.b"]);

  await fault({ path: UPLOAD, times: 1, fault: { kind: "errcode", errcode: -1 } });
  const r = await client().updateEnvironment(ENV, "orderSync", { set: { REGION: "r2" } });
  assert.equal(r.written, true);
  assert.equal(await uploadsSent("orderSync"), 2);
  assert.equal((await changesOf("orderSync")).uploads, 1);

  await fault({ path: UPLOAD, times: 0, fault: { kind: "errcode", errcode: -1 } });
  const e = await rejection(client({ retries: 1 }).uploadFuncConfig({ env: ENV, functionName: "reportDaily", type: 1, config: { openapi: ["a.b"] } }));
  assert.equal(e.code, "api");
  assert.equal(e.errcode, -1);
  assert.equal(await uploadsSent("reportDaily"), 2);
  assert.equal((await changesOf("reportDaily")).uploads, 0);
});

test("40001 / 42001 on a write: the token is refreshed once and the write succeeds once", async () => {
  // 42001: the source's first token is expired.
  const expired = tokenSequence("sim-expired-token", TOKEN);
  await new TcbClient({ getAccessToken: expired.fn, baseUrl: SIM }).uploadFuncConfig({ env: ENV, functionName: "hello", type: 1, config: { openapi: ["a.b"] } });
  assert.deepEqual(expired.forces(), [false, true]);
  const sent = await requests({ fn: "hello", path: UPLOAD });
  assert.deepEqual(sent.map((r) => r.errcode), [42001, 0]);
  assert.equal((await changesOf("hello")).uploads, 1);

  // 40001 on the upload itself.
  await fault({ path: UPLOAD, times: 1, fault: { kind: "errcode", errcode: 40001 } });
  const src = tokenSequence(TOKEN);
  const c = new TcbClient({ getAccessToken: src.fn, baseUrl: SIM });
  await c.uploadFuncConfig({ env: ENV, functionName: "reportDaily", type: 1, config: { openapi: ["c.d"] } });
  assert.deepEqual(src.forces(), [false, true]);
  assert.equal(await uploadsSent("reportDaily"), 2);
  assert.equal((await changesOf("reportDaily")).uploads, 1);
  assert.deepEqual((await stored("reportDaily", 1)).openapi, ["c.d"]);

  // 40001 on an edit helper's upload: one refresh, one write.
  await fault({ path: UPLOAD, times: 1, fault: { kind: "errcode", errcode: 40001 } });
  const src2 = tokenSequence(TOKEN);
  const r = await new TcbClient({ getAccessToken: src2.fn, baseUrl: SIM }).grantOpenapi(ENV, "orderSync", ["wxacode.get"]);
  assert.equal(r.written, true);
  assert.deepEqual(src2.forces(), [false, true]);
  assert.equal(await uploadsSent("orderSync"), 2);
  assert.equal((await changesOf("orderSync")).uploads, 1);

  // A static token that is rejected on a write is not retried.
  const e = await rejection(uploadFuncConfig({ ...base, accessToken: "sim-expired-token", functionName: "openapi", type: 1, config: { openapi: ["a.b"] } }));
  assert.equal(e.errcode, 42001);
  assert.equal(await uploadsSent("openapi"), 1);
  assert.equal((await changesOf("openapi")).uploads, 0);
});

test("no secret in any error: conflicts, unverified, unknown outcomes and refusals included", async () => {
  const errors = [];
  const c = client({ timeoutMs: 1000 });
  const grab = async (p) => {
    try {
      await p;
    } catch (e) {
      errors.push(e);
      return;
    }
    assert.fail("expected a rejection");
  };
  // conflict via expectedRaw and via a hook, with revealValues asked for
  const seen = (await stored("orderSync", 3)).raw;
  await control("/__sim/configs", { env: ENV, function_name: "orderSync", type: 3, config: { timeout: 20, environment: [{ key: "DB_PASSWORD", value: SIDE_SECRET }] } });
  await grab(c.updateEnvironment(ENV, "orderSync", { set: { DB_PASSWORD: NEW_SECRET } }, { expectedRaw: seen, revealValues: true }));
  await control("/__sim/reset", {});
  await control("/__sim/hooks", { env: ENV, function: "orderSync", type: 3, after: "read", config: JSON.stringify({ timeout: 20, environment: [{ key: "X", value: HOOK_SECRET }] }) });
  await grab(c.updateEnvironment(ENV, "orderSync", { set: { API: NEW_SECRET } }, { revealValues: true }));
  // unverified
  await control("/__sim/reset", {});
  await settings({ uploadMode: "merge" });
  await grab(c.updateEnvironment(ENV, "orderSync", { unset: ["REGION"], set: { API: NEW_SECRET } }, { revealValues: true }));
  // unknown outcome, with the secret in the body that timed out
  await control("/__sim/reset", {});
  await fault({ path: UPLOAD, times: 2, fault: { kind: "delay", ms: 3000 } });
  await grab(c.updateEnvironment(ENV, "orderSync", { set: { API: NEW_SECRET } }));
  await grab(uploadFuncConfig({ ...base, functionName: "hello", type: 3, config: { timeout: 3, environment: [{ key: "K", value: NEW_SECRET }] }, timeoutMs: 500 }));
  // refusals whose input holds the secret
  await grab(c.uploadFuncConfig({ env: ENV, functionName: "hello", type: 3, config: { timeout: 0, environment: [{ key: "K", value: NEW_SECRET }] } }));
  await grab(c.uploadFuncConfig({ env: ENV, functionName: "hello", type: 3, config: { timeout: 3, environment: [{ key: "K", value: NEW_SECRET + "x".repeat(4100) }] } }));
  await grab(c.uploadFuncConfig({ env: ENV, functionName: "hello", type: 3, config: { timeout: 3, environment: [{ key: "K", value: NEW_SECRET }, { key: "K", value: NEW_SECRET }] } }));
  await grab(c.updateEnvironment(ENV, "orderSync", { set: { K: NEW_SECRET }, unset: ["K"] }));
  await grab(c.updateEnvironment(ENV, "orderSync", { set: { BIG: NEW_SECRET.repeat(300) } }));
  await grab(c.updateEnvironment(ENV, "orderSync", { timeout: 5 }, { expectedRaw: `{"timeout":"${NEW_SECRET}"}` }));
  await grab(c.updateEnvironment(ENV, "orderSync", { timeout: 5 }, { expectedRaw: `not json ${NEW_SECRET}` }));
  // the access token on a network failure and an API error
  await grab(uploadFuncConfig({ ...base, baseUrl: `http://127.0.0.1:${await closedPort()}`, functionName: "hello", type: 1, config: { openapi: ["a.b"] }, retries: 0 }));
  await control("/__sim/reset", {});
  await fault({ path: UPLOAD, fault: { kind: "errcode", errcode: 40097, errmsg: `bad config ${TOKEN}` } });
  await grab(uploadFuncConfig({ ...base, functionName: "hello", type: 1, config: { openapi: ["a.b"] } }));

  assert.deepEqual(errors.map((e) => e.code), [
    "conflict", "conflict", "unverified", "unknown_outcome", "unknown_outcome",
    "invalid_argument", "invalid_argument", "invalid_argument", "invalid_argument", "invalid_argument", "invalid_argument", "invalid_argument",
    "network", "api",
  ]);
  for (const e of errors) assertNoSecret(e, SECRETS);
});

// ---------------------------------------------------------------------------------------------
// listFunctions / listAllFunctions

const SEEDED = [
  { name: "hello", runtime: "Nodejs12.16", status: "Active", addTime: 1680307200, modTime: 1693526400 },
  { name: "openapi", runtime: "Nodejs16.13", status: "Active", addTime: 1672531200, modTime: 1672617600 },
  { name: "orderSync", runtime: "Nodejs16.13", status: "Active", addTime: 1675209600, modTime: 1704067200 },
  { name: "reportDaily", runtime: "Nodejs18.15", status: "Active", addTime: 1677628800, modTime: 1698796800 },
];
const fnName = (i) => `fn${String(i).padStart(3, "0")}`;
const ALL_29 = [...Array.from({ length: 25 }, (_, i) => fnName(i)), ...SEEDED.map((f) => f.name)];

test("listFunctions: the seeded functions with their fields, default limit 10", async () => {
  const page = await listFunctions({ ...base });
  assert.deepEqual(Object.keys(page).sort(), ["functions", "total"]);
  assert.deepEqual(page, { total: 4, functions: SEEDED });
  for (const f of page.functions) assert.deepEqual(Object.keys(f).sort(), ["addTime", "modTime", "name", "runtime", "status"]);

  assert.deepEqual(await control("/__sim/functions", { env: ENV, count: 25, prefix: "fn" }), { created: 25 });
  const first = await client().listFunctions({ env: ENV });
  assert.equal(first.total, 29);
  assert.deepEqual(first.functions.map((f) => f.name), ALL_29.slice(0, 10), "10 by default");
  const body = JSON.parse((await requests({ path: LIST })).at(-1).body);
  assert.equal(body.env, ENV);
  assert.ok(body.limit === undefined || body.limit === 10, `limit sent: ${body.limit}`);
  const made = first.functions[0];
  assert.equal(made.runtime, "Nodejs16.13");
  assert.equal(made.status, "Active");
  assert.equal(typeof made.addTime, "number");
});

test("listFunctions pages over 25 created functions with limit and offset", async () => {
  await control("/__sim/functions", { env: ENV, count: 25, prefix: "fn" });
  const c = client();
  const seen = [];
  for (let offset = 0; offset < 29; offset += 10) {
    const page = await c.listFunctions({ env: ENV, limit: 10, offset });
    assert.equal(page.total, 29);
    assert.equal(page.functions.length, Math.min(10, 29 - offset));
    seen.push(...page.functions.map((f) => f.name));
  }
  assert.deepEqual(seen, ALL_29);
  const sent = (await requests({ path: LIST })).map((r) => JSON.parse(r.body));
  assert.deepEqual(sent.map((b) => [b.limit, b.offset ?? 0]), [[10, 0], [10, 10], [10, 20]]);
  assert.deepEqual(await c.listFunctions({ env: ENV, limit: 100, offset: 29 }), { total: 29, functions: [] });
  const one = await listFunctions({ ...base, limit: 1, offset: 25 });
  assert.deepEqual(one, { total: 29, functions: [SEEDED[0]] });
  const last = await listFunctions({ ...base, limit: 100 });
  assert.deepEqual(last.functions.map((f) => f.name), ALL_29);
});

test("listFunctions reads run_time when the server names the runtime that way", async () => {
  await settings({ listRuntimeKey: "run_time" });
  const page = await client().listFunctions({ env: ENV });
  assert.deepEqual(page.functions, SEEDED);
});

test("listFunctions refuses limit 0 / 101 / 1.5 and offset -1 / 1.5 before sending", async () => {
  const c = client();
  for (const [bad, field] of [
    [{ limit: 0 }, "limit"], [{ limit: 101 }, "limit"], [{ limit: 1.5 }, "limit"], [{ limit: "10" }, "limit"],
    [{ offset: -1 }, "offset"], [{ offset: 1.5 }, "offset"], [{ env: "" }, "env"],
  ]) {
    assertInvalid(await rejection(c.listFunctions({ env: ENV, ...bad })), field, `client ${JSON.stringify(bad)}`);
    assertInvalid(await rejection(listFunctions({ ...base, ...bad })), field, `top level ${JSON.stringify(bad)}`);
  }
  assert.deepEqual(await requests(), []);
  const ok = await c.listFunctions({ env: ENV, limit: 100, offset: 0 });
  assert.equal(ok.total, 4);
});

test("listAllFunctions returns all 29 in order; more than 100 take several pages", async () => {
  await control("/__sim/functions", { env: ENV, count: 25, prefix: "fn" });
  const c = client();
  const all = await c.listAllFunctions(ENV);
  assert.equal(all.total, 29);
  assert.deepEqual(all.functions.map((f) => f.name), ALL_29);
  assert.deepEqual(all.functions.slice(25), SEEDED);

  await control("/__sim/reset", {});
  await control("/__sim/functions", { env: ENV, count: 230, prefix: "fn" });
  const many = await c.listAllFunctions(ENV);
  assert.equal(many.total, 234);
  assert.equal(many.functions.length, 234);
  assert.deepEqual(many.functions.map((f) => f.name), [...Array.from({ length: 230 }, (_, i) => fnName(i)), ...SEEDED.map((f) => f.name)]);
  const sent = (await requests({ path: LIST })).map((r) => JSON.parse(r.body));
  assert.deepEqual(sent.map((b) => [b.limit, b.offset ?? 0]), [[100, 0], [100, 100], [100, 200]]);
  assertInvalid(await rejection(c.listAllFunctions("")), "env", "listAllFunctions env");
});

// ---------------------------------------------------------------------------------------------
// diffConfigs

test("diffConfigs: added, removed and changed for each type", () => {
  assert.deepEqual(diffConfigs({ openapi: ["a.b", "c.d"] }, { openapi: ["c.d", "e.f"] }), [
    { op: "removed", field: "openapi", key: "a.b" },
    { op: "added", field: "openapi", key: "e.f" },
  ]);
  assert.deepEqual(
    diffConfigs(
      { triggers: [{ name: "x", config: "0 0 1 * * * *" }, { name: "y", config: "0 0 2 * * * *" }] },
      { triggers: [{ name: "x", type: "timer", config: "0 0 3 * * * *" }, { name: "z", config: "0 0 4 * * * *" }] },
    ),
    [
      { op: "changed", field: "triggers", key: "x", before: "0 0 1 * * * *", after: "0 0 3 * * * *" },
      { op: "removed", field: "triggers", key: "y", before: "0 0 2 * * * *" },
      { op: "added", field: "triggers", key: "z", after: "0 0 4 * * * *" },
    ],
  );
  const a = { timeout: 3, environment: [{ key: "A", value: "1" }, { key: "B", value: NEW_SECRET }] };
  const b = { timeout: 5, environment: [{ key: "B", value: "3" }, { key: "C", value: "4" }] };
  const masked = diffConfigs(a, b);
  assert.deepEqual(masked, [
    { op: "changed", field: "timeout", key: "timeout", before: "3", after: "5" },
    maskedChange("removed", "A"),
    maskedChange("changed", "B"),
    maskedChange("added", "C"),
  ]);
  assert.ok(!JSON.stringify(masked).includes(NEW_SECRET));
  assert.deepEqual(diffConfigs(a, b, { revealValues: true }), [
    { op: "changed", field: "timeout", key: "timeout", before: "3", after: "5" },
    { op: "removed", field: "environment", key: "A", before: "1" },
    { op: "changed", field: "environment", key: "B", before: NEW_SECRET, after: "3" },
    { op: "added", field: "environment", key: "C", after: "4" },
  ]);
  assert.deepEqual(diffConfigs(a, a), []);
  assert.deepEqual(diffConfigs({ openapi: [] }, { openapi: [] }), []);
  assert.deepEqual(diffConfigs(a, b, { revealValues: false }), masked);
});

test("diffConfigs accepts typed results, alone or with plain shapes", async () => {
  const orderSync = await stored("orderSync", 3);
  const hello = await stored("hello", 3);
  assert.deepEqual(diffConfigs(hello, orderSync), [
    { op: "changed", field: "timeout", key: "timeout", before: "3", after: "20" },
    ...ORDER_SYNC_ENV.map(({ key }) => maskedChange("added", key)),
  ]);
  assert.deepEqual(diffConfigs(orderSync, { timeout: 20, environment: ORDER_SYNC_ENV.slice(1) }, { revealValues: true }), [
    { op: "removed", field: "environment", key: "DB_HOST", before: "10.0.0.8" },
  ]);
  const t1 = await stored("orderSync", 1);
  const t2a = await stored("orderSync", 2);
  const t2b = await stored("reportDaily", 2);
  assert.deepEqual(diffConfigs(t1, { openapi: ORDER_SYNC_OPENAPI }), []);
  assert.deepEqual(diffConfigs(t2a, t2b), [
    { op: "removed", field: "triggers", key: "nightlySync", before: "0 0 2 * * * *" },
    { op: "added", field: "triggers", key: "weekdayMorning", after: "0 15 10 * * MON-FRI *" },
  ]);
  assert.deepEqual(diffConfigs(t2a, t2a), []);
});

test("diffConfigs refuses configs of different types and values that are not configs", async () => {
  const t1 = await stored("orderSync", 1);
  const t3 = await stored("orderSync", 3);
  for (const [a, b, what] of [
    [t1, t3, "typed cloudCall vs environment"],
    [{ openapi: ["a.b"] }, { timeout: 3, environment: [] }, "plain type 1 vs type 3"],
    [{ triggers: [] }, { openapi: [] }, "plain type 2 vs type 1"],
    [t3, { triggers: [] }, "typed environment vs plain type 2"],
  ]) {
    assert.throws(() => diffConfigs(a, b), (e) => isTcbError(e) && e.code === "invalid_argument", what);
  }
  for (const [a, b] of [["x", { openapi: [] }], [{ openapi: [] }, null], [{ other: 1 }, { other: 1 }], [{ timeout: 3 }, { timeout: 3 }], [[1], [1]]]) {
    assert.throws(() => diffConfigs(a, b), (e) => isTcbError(e) && e.code === "invalid_argument", JSON.stringify([a, b]));
  }
  assert.throws(() => diffConfigs({ openapi: [] }, { openapi: [] }, "reveal"), (e) => isTcbError(e) && e.code === "invalid_argument");
});

test("an edit keeps what the server sends beyond the documented fields", async () => {
  // A newer server's config: a member the client does not model at the top, in permissions,
  // and on each environment variable.
  const raw3 = `{"timeout":7,"memorySize":256,"environment":[{"key":"KEEP","value":"k","encrypted":false},{"key":"DROP","value":"d"}]}`;
  await control("/__sim/configs", { env: ENV, function_name: "hello", type: 3, config: raw3 });
  const done = await client().updateEnvironment(ENV, "hello", { set: { NEW: "n" }, unset: ["DROP"] }, { expectedRaw: raw3 });
  assert.equal(done.written, true);
  const back = JSON.parse((await stored("hello", 3)).raw);
  assert.deepEqual(back, {
    timeout: 7,
    memorySize: 256,
    environment: [{ key: "KEEP", value: "k", encrypted: false }, { key: "NEW", value: "n" }],
  });
  const raw1 = `{"permissions":{"Openapi":["a.b"],"scope":"all"},"version":2.50}`;
  await control("/__sim/configs", { env: ENV, function_name: "hello", type: 1, config: raw1 });
  await client().grantOpenapi(ENV, "hello", ["c.d"]);
  assert.equal((await stored("hello", 1)).raw, `{"permissions":{"openapi":["a.b","c.d"],"scope":"all"},"version":2.50}`);
});
