// Browsing in workerd through `wrangler dev`, against the simulator: the functions of an
// environment (/api/functions), one config in two environments (/api/compare), and config
// versions the same in every isolate that shares the Worker's secrets.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { KEYS, recorder, simControl, simCount, startWorker, waitFor } from "./harness.mjs";

const SIM = process.env.SIM_URL;
const SEEDED = "test-777bb9";
// Environments of their own: nothing else lists or changes them.
const LISTED = "edge-browse";
const MANY = "edge-browse-many";
const OTHER = "edge-compare";
const MASK = "••••••";
const VERSION = /^[0-9a-f]{32}$/;
const SEED_VALUES = ["10.0.0.8", "s3cr3t-pa55w0rd", "ap-shanghai"];
const OTHER_VALUES = ["10.0.0.9", "s3cr3t-pa55w0rX", "other-value-8080"];
const OTHER_ADMIN_KEY = "another-admin-key-for-tests-5555";
let worker, twin, stranger, api;

before(async () => {
  assert.ok(SIM, "SIM_URL must point at a running tcb-sim");
  // `twin` has the same secrets as `worker` (another isolate of the same deployment),
  // `stranger` another ADMIN_KEY (another deployment).
  const started = await Promise.allSettled([
    startWorker({ simUrl: SIM }),
    startWorker({ simUrl: SIM }),
    startWorker({ simUrl: SIM, secrets: { ADMIN_KEY: OTHER_ADMIN_KEY } }),
  ]);
  [worker, twin, stranger] = started.map((s) => s.value);
  for (const s of started) if (s.status === "rejected") throw s.reason;
  api = recorder(worker.url);

  await simControl(SIM, "functions", { env: LISTED, count: 25, prefix: "fn" });
  await simControl(SIM, "functions", { env: MANY, count: 230, prefix: "bulk" });
  // orderSync in another environment: one value changed (same length), one gone, one new.
  const otherEnv = [
    { key: "DB_HOST", value: "10.0.0.9" },
    { key: "DB_PASSWORD", value: "s3cr3t-pa55w0rX" },
    { key: "EXTRA", value: "other-value-8080" },
  ];
  await simControl(SIM, "configs", { env: OTHER, function_name: "orderSync", type: 3, config: JSON.stringify({ timeout: 30, environment: otherEnv }) });
  await simControl(SIM, "configs", {
    env: OTHER,
    function_name: "orderSync",
    type: 1,
    config: JSON.stringify({ permissions: { openapi: ["subscribeMessage.send", "wxacode.get"] } }),
  });
});

after(async () => {
  await simControl(SIM, "settings", { listRuntimeKey: "runtime" }).catch(() => {});
  await Promise.all([worker?.stop(), twin?.stop(), stranger?.stop()]);
});

const get = (path, key = KEYS.viewer, options = {}) => api.request(path, { key, ...options });
const listCalls = () => simCount(SIM, "/tcb/listfunctions");

function assertError(r, status, code) {
  assert.equal(r.status, status, r.text);
  assert.deepEqual(Object.keys(r.json), ["error"]);
  assert.equal(r.json.error.code, code);
  assert.equal(typeof r.json.error.hint, "string");
  assert.equal(typeof r.json.error.message, "string");
  assert.equal(typeof r.json.error.retryable, "boolean");
}

function assertFunctionInfo(f) {
  assert.deepEqual(Object.keys(f), ["name", "runtime", "status", "addTime", "modTime"]);
  assert.equal(typeof f.name, "string");
}

// --- /api/functions --------------------------------------------------------------------------

test("/api/functions: a page at a time, for viewer and admin", async () => {
  for (const key of [KEYS.viewer, KEYS.admin]) {
    const first = await get(`/api/functions?env=${LISTED}`, key);
    assert.equal(first.status, 200, first.text);
    assert.deepEqual(Object.keys(first.json), ["total", "functions"]);
    assert.equal(first.json.total, 25);
    assert.equal(first.json.functions.length, 10, "10 by default");
    first.json.functions.forEach(assertFunctionInfo);
    assert.equal(first.headers.get("cache-control"), "no-store");
    assert.equal(first.headers.get("access-control-allow-origin"), null);
  }
  const pages = [];
  for (const offset of [0, 7, 14, 21]) {
    const r = await get(`/api/functions?env=${LISTED}&limit=7&offset=${offset}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.total, 25);
    pages.push(...r.json.functions.map((f) => f.name));
  }
  assert.equal(pages.length, 25);
  assert.equal(new Set(pages).size, 25, "no function twice");
  assert.ok(pages.every((name) => name.startsWith("fn")));
  const past = await get(`/api/functions?env=${LISTED}&limit=100&offset=25`);
  assert.deepEqual(past.json, { total: 25, functions: [] });
});

test("/api/functions?all=1 pages through every function, 100 at a time", async () => {
  const calls = await listCalls();
  const r = await get(`/api/functions?env=${MANY}&all=1`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.total, 230);
  assert.equal(r.json.functions.length, 230);
  assert.equal(new Set(r.json.functions.map((f) => f.name)).size, 230);
  r.json.functions.forEach(assertFunctionInfo);
  assert.equal(await listCalls() - calls, 3);
  const page = await get(`/api/functions?env=${MANY}&all=0&limit=100&offset=200`);
  assert.equal(page.json.functions.length, 30);
});

test("/api/functions reads the runtime whether WeChat names it runtime or run_time", async (t) => {
  const runtimes = async () => (await get(`/api/functions?env=${LISTED}&limit=5`)).json.functions.map((f) => f.runtime);
  const plain = await runtimes();
  assert.ok(plain.every((r) => typeof r === "string" && r.length > 0), JSON.stringify(plain));
  await simControl(SIM, "settings", { listRuntimeKey: "run_time" });
  t.after(() => simControl(SIM, "settings", { listRuntimeKey: "runtime" }));
  assert.deepEqual(await runtimes(), plain);
});

test("/api/functions: 400 for bad paging, nothing sent", async () => {
  const calls = await listCalls();
  const cases = [
    ["limit=0", /limit/],
    ["limit=101", /limit/],
    ["limit=-1", /limit/],
    ["limit=1.5", /limit/],
    ["limit=abc", /limit/],
    ["limit=", /limit/],
    ["limit=1e2", /limit/],
    ["limit=%2010", /limit/],
    ["offset=-1", /offset/],
    ["offset=x", /offset/],
    ["offset=0x10", /offset/],
    ["offset=99999999999", /offset/],
    ["all=2", /all/],
    ["all=true", /all/],
    ["all=1&limit=5", /all/],
    ["all=1&offset=0", /all/],
  ];
  for (const [query, message] of cases) {
    const r = await get(`/api/functions?env=${LISTED}&${query}`);
    assertError(r, 400, "invalid_argument");
    assert.match(r.json.error.message, message, query);
  }
  for (const query of ["", "env=", "env=bad%20env", `env=${"e".repeat(65)}`]) {
    assertError(await get(`/api/functions?${query}`), 400, "invalid_argument");
  }
  assert.equal(await listCalls(), calls, "nothing sent");
});

test("/api/functions: 401 without a key, 405 for anything but GET, upstream errors mapped", async () => {
  assertError(await get(`/api/functions?env=${LISTED}`, null), 401, "unauthorized");
  const post = await get(`/api/functions?env=${LISTED}`, KEYS.admin, { method: "POST" });
  assertError(post, 405, "method_not_allowed");
  assert.equal(post.headers.get("allow"), "GET");
  await simControl(SIM, "faults", { path: "/tcb/listfunctions", times: 1, fault: { kind: "errcode", errcode: 85088 } });
  const refused = await get(`/api/functions?env=${LISTED}`);
  assertError(refused, 502, "api");
  assert.equal(refused.json.error.errcode, 85088);
});

// --- /api/compare ----------------------------------------------------------------------------

const compare = (query, key = KEYS.viewer, options) => get(`/api/compare?${query}`, key, options);

test("/api/compare: two environments' variables, masked, changes on the real values", async () => {
  for (const key of [KEYS.viewer, KEYS.admin]) {
    const r = await compare(`function=orderSync&envA=${SEEDED}&envB=${OTHER}&type=3`, key);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(Object.keys(r.json), ["a", "b", "changes"]);
    assert.equal(r.json.a.env, SEEDED);
    assert.equal(r.json.b.env, OTHER);
    for (const side of [r.json.a, r.json.b]) {
      assert.equal(side.rawMasked, true);
      for (const v of side.environment) assert.deepEqual([v.value, v.masked], [MASK, true]);
      assert.match(side.version, VERSION);
    }
    assert.notEqual(r.json.a.version, r.json.b.version);
    assert.equal(r.json.a.version, (await get(`/api/config?env=${SEEDED}&function=orderSync&type=3`)).json.version);
    const byKey = Object.fromEntries(r.json.changes.map((c) => [c.key, c]));
    assert.deepEqual(byKey.timeout, { op: "changed", field: "timeout", key: "timeout", before: "20", after: "30" });
    // Same length, other value: still a change.
    assert.deepEqual(byKey.DB_PASSWORD, { op: "changed", field: "environment", key: "DB_PASSWORD", before: MASK, after: MASK, masked: true });
    assert.deepEqual(byKey.DB_HOST, { op: "changed", field: "environment", key: "DB_HOST", before: MASK, after: MASK, masked: true });
    assert.deepEqual(byKey.REGION, { op: "removed", field: "environment", key: "REGION", before: MASK, masked: true });
    assert.deepEqual(byKey.EXTRA, { op: "added", field: "environment", key: "EXTRA", after: MASK, masked: true });
    assert.equal(r.json.changes.length, 5);
    for (const value of [...SEED_VALUES, ...OTHER_VALUES]) assert.ok(!r.text.includes(value), `${value} leaked`);
  }
});

test("/api/compare with reveal=1: values for an admin only", async () => {
  const r = await compare(`function=orderSync&envA=${SEEDED}&envB=${OTHER}&type=3&reveal=1`, KEYS.admin, { expectSecret: true });
  assert.equal(r.status, 200, r.text);
  const byKey = Object.fromEntries(r.json.changes.map((c) => [c.key, c]));
  assert.deepEqual(byKey.DB_PASSWORD, { op: "changed", field: "environment", key: "DB_PASSWORD", before: "s3cr3t-pa55w0rd", after: "s3cr3t-pa55w0rX" });
  assert.deepEqual(byKey.EXTRA, { op: "added", field: "environment", key: "EXTRA", after: "other-value-8080" });
  assert.equal(r.json.a.rawMasked, false);
  assert.equal(r.json.b.environment.find((v) => v.key === "EXTRA").value, "other-value-8080");
  assert.match(r.json.b.version, VERSION);

  const sent = await simCount(SIM, "/tcb/getfuncconfig");
  for (const type of ["3", "1"]) {
    const refused = await compare(`function=orderSync&envA=${SEEDED}&envB=${OTHER}&type=${type}&reveal=1`, KEYS.viewer);
    assertError(refused, 403, "forbidden");
    for (const value of [...SEED_VALUES, ...OTHER_VALUES, "orderSync"]) assert.ok(!refused.text.includes(value));
  }
  assert.equal(await simCount(SIM, "/tcb/getfuncconfig"), sent, "nothing read for a refused reveal");
});

test("/api/compare: permissions, and a side that is not configured", async () => {
  const apis = await compare(`function=orderSync&envA=${SEEDED}&envB=${OTHER}&type=1`);
  assert.equal(apis.status, 200, apis.text);
  assert.equal(apis.json.a.kind, "cloudCall");
  assert.deepEqual(
    apis.json.changes.map((c) => [c.op, c.key]).sort(),
    [["added", "wxacode.get"], ["removed", "security.msgSecCheck"], ["removed", "wxacode.getUnlimited"]],
  );
  for (const c of apis.json.changes) assert.deepEqual(Object.keys(c), ["op", "field", "key"]);

  // orderSync has no trigger in OTHER: B is null and compares as no triggers.
  const timers = await compare(`function=orderSync&envA=${SEEDED}&envB=${OTHER}&type=2`);
  assert.equal(timers.status, 200, timers.text);
  assert.equal(timers.json.a.triggers[0].name, "nightlySync");
  assert.match(timers.json.a.version, VERSION);
  assert.equal(timers.json.b, null);
  assert.deepEqual(timers.json.changes.map((c) => [c.op, c.field, c.key]), [["removed", "triggers", "nightlySync"]]);
  const reversed = await compare(`function=orderSync&envA=${OTHER}&envB=${SEEDED}&type=2`);
  assert.equal(reversed.json.a, null);
  assert.deepEqual(reversed.json.changes.map((c) => [c.op, c.key]), [["added", "nightlySync"]]);

  // Neither side: nothing differs.
  const neither = await compare(`function=nowhere&envA=${SEEDED}&envB=${OTHER}&type=3`);
  assert.deepEqual(neither.json, { a: null, b: null, changes: [] });
  // The same config on both sides: the same version, no changes.
  const same = await compare(`function=orderSync&envA=${SEEDED}&envB=${SEEDED}&type=3`);
  assert.equal(same.json.a.version, same.json.b.version);
  assert.deepEqual(same.json.changes, []);
});

test("/api/compare: 400 for a bad or missing argument, nothing sent", async () => {
  const sent = await simCount(SIM, "/tcb/getfuncconfig");
  for (const query of [
    `function=orderSync&envA=${SEEDED}&envB=${OTHER}`,
    `function=orderSync&envA=${SEEDED}&envB=${OTHER}&type=all`,
    `function=orderSync&envA=${SEEDED}&envB=${OTHER}&type=4`,
    `envA=${SEEDED}&envB=${OTHER}&type=3`,
    `function=orderSync&envB=${OTHER}&type=3`,
    `function=orderSync&envA=${SEEDED}&type=3`,
    `function=9bad&envA=${SEEDED}&envB=${OTHER}&type=3`,
    `function=orderSync&envA=bad%20env&envB=${OTHER}&type=3`,
    `function=orderSync&envA=${SEEDED}&envB=bad!env&type=3`,
  ]) {
    assertError(await compare(query), 400, "invalid_argument");
  }
  assert.equal(await simCount(SIM, "/tcb/getfuncconfig"), sent);
  assertError(await compare(`function=orderSync&envA=${SEEDED}&envB=${OTHER}&type=3`, null), 401, "unauthorized");
});

// --- versions --------------------------------------------------------------------------------

test("versions: the same config gives the same version in every isolate with the same secrets", async () => {
  const query = `/api/config?env=${SEEDED}&function=orderSync&type=all`;
  const answers = [];
  for (const w of [worker, twin, stranger]) {
    const r = await fetch(w.url + query, { headers: { Authorization: `Bearer ${KEYS.viewer}` } });
    assert.equal(r.status, 200);
    answers.push(await r.json());
  }
  const [mine, twins, strangers] = answers;
  for (const type of ["cloudCall", "timerTrigger", "environment"]) {
    assert.match(mine[type].version, VERSION);
    assert.equal(twins[type].version, mine[type].version, `${type}: the same secrets, the same version`);
    assert.notEqual(strangers[type].version, mine[type].version, `${type}: another key, another version`);
  }
  assert.notEqual(mine.cloudCall.version, mine.environment.version);
});

test("no environment value, token or key in any answer or log line", async () => {
  const apiLines = () => worker.output().split("\n").filter((line) => /^api [A-Z]+ \//.test(line));
  assert.ok(await waitFor(() => apiLines().length >= api.count), "one log line per API request");
  for (const line of apiLines()) assert.match(line, /^api [A-Z]+ \/api\/[a-z]+ \d{3} role=(viewer|admin|-) \d+ms$/);
  const secrets = ["sim-access-token", KEYS.viewer, KEYS.admin, OTHER_ADMIN_KEY, ...SEED_VALUES, ...OTHER_VALUES];
  for (const [where, text] of [["output", worker.output() + twin.output() + stranger.output()], ...api.bodies.map((b, i) => [`body ${i}`, b])]) {
    for (const secret of secrets) assert.ok(!text.includes(secret), `${where} contains ${secret}`);
  }
});
