// The admin's write routes (/api/edit/*) in workerd through `wrangler dev`, against the
// simulator: what is written (checked on the simulator), what is refused before anything is
// sent, the version check, the package's own guard, and the outcomes a write may have.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import { KEYS, recorder, simControl, startWorker, waitFor } from "./harness.mjs";

const SIM = process.env.SIM_URL;
// An environment of its own (the other test files read the seed's functions as they are), new
// on each run: the simulator counts uploads since its last reset.
const ENV = `edge-writes-${process.pid}`;
const MASK = "••••••";
const VERSION = /^[0-9a-f]{32}$/;
// The Worker's time limit for a whole call: the unknown-outcome test delays an upload past it.
const TIMEOUT_MS = 3000;
/** Every environment value these tests store or send: none may show in an answer or a log line. */
const SECRETS = ["s3cr3t-pa55w0rd", "10.0.0.8", "alpha-value-5150", "added-value-2718", "hook-value-3141", "merge-value-1618", "slow-value-1414"];
const FUNCTIONS = ["wEnvSet", "wEnvMixed", "wEnvNew", "wEnvDry", "wEnvNoop", "wApis", "wApisNew", "wTimer", "wTimerBad",
  "wStale", "wStaleGone", "wRace", "wMerge", "wSlow", "wMediaOk", "wRefused", "wInvalidEdit"];
const ROUTES = ["environment", "openapi/grant", "openapi/revoke", "trigger", "trigger/remove"];
let worker, api;

before(async () => {
  assert.ok(SIM, "SIM_URL must point at a running tcb-sim");
  worker = await startWorker({ simUrl: SIM, vars: { WECHAT_TIMEOUT_MS: String(TIMEOUT_MS) } });
  api = recorder(worker.url);
  // WeChat writes only to functions that exist: these start with no config.
  await simControl(SIM, "functions", { env: ENV, names: FUNCTIONS });
});

after(async () => {
  // Whatever a failed test left behind must not reach the next file.
  await simControl(SIM, "settings", { uploadMode: "replace" }).catch(() => {});
  await fetch(`${SIM}/__sim/hooks`, { method: "DELETE" }).catch(() => {});
  await worker?.stop();
});

// --- helpers ---------------------------------------------------------------------------------

const ENV_CONFIG = (environment, timeout = 20) => JSON.stringify({ timeout, environment });

/** Stores a config on the simulator (`null` removes it). */
const seed = (fn, type, config) => simControl(SIM, "configs", { env: ENV, function_name: fn, type, config });

/** The config the simulator holds, as WeChat answers it: the parsed JSON, or null (85089). */
async function stored(fn, type) {
  const r = await fetch(`${SIM}/tcb/getfuncconfig?access_token=sim-access-token`, {
    method: "POST",
    body: JSON.stringify({ env: ENV, function_name: fn, type }),
  });
  const body = await r.json();
  if (body.errcode === 85089) return null;
  assert.equal(body.errcode, 0, JSON.stringify(body));
  return JSON.parse(body.config);
}

/** How many uploads the simulator applied for `fn` (all types). */
const uploads = async (fn) => (await simControl(SIM, `changes?env=${ENV}&function=${fn}`)).uploads;
/** Every request the simulator received for `fn`. */
const sent = async (fn) => (await (await fetch(`${SIM}/__sim/requests?function_name=${fn}`)).json()).length;

/** The version GET /api/config gives (null when not configured). */
async function versionOf(fn, type) {
  const r = await api.request(`/api/config?env=${ENV}&function=${fn}&type=${type}`, { key: KEYS.viewer });
  if (r.status === 404) return null;
  assert.equal(r.status, 200, r.text);
  assert.match(r.json.version, VERSION);
  return r.json.version;
}

/** POSTs `body` (JSON unless a string) to /api/edit/<route>. */
function write(route, body, { key = KEYS.admin, headers = {}, method = "POST" } = {}) {
  return api.request(`/api/edit/${route}`, {
    key,
    method,
    headers: { "Content-Type": "application/json", ...headers },
    body: method === "GET" || method === "HEAD" ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
}

function assertError(r, status, code) {
  assert.equal(r.status, status, r.text);
  assert.deepEqual(Object.keys(r.json), ["error"]);
  assert.equal(r.json.error.code, code, r.text);
  assert.equal(typeof r.json.error.hint, "string");
  assert.equal(typeof r.json.error.message, "string");
  assert.equal(typeof r.json.error.retryable, "boolean");
  assert.equal(r.headers.get("content-type"), "application/json; charset=utf-8");
  assert.equal(r.headers.get("cache-control"), "no-store");
  assert.equal(r.headers.get("access-control-allow-origin"), null);
}

/** A masked environment config as the API shows it. */
function assertMaskedEnvironment(config, keys, { lengths = true } = {}) {
  assert.equal(config.kind, "environment");
  assert.deepEqual(config.environment.map((v) => v.key), keys);
  for (const v of config.environment) {
    assert.equal(v.value, MASK);
    assert.equal(v.masked, true);
    if (lengths) assert.equal(typeof v.length, "number");
  }
  assert.equal(config.rawMasked, true);
  for (const v of JSON.parse(config.raw).environment) assert.equal(v.value, MASK);
}

const ORIGINAL = [
  { key: "DB_HOST", value: "10.0.0.8" },
  { key: "DB_PASSWORD", value: "s3cr3t-pa55w0rd" },
  { key: "ALPHA", value: "alpha-value-5150" },
];

// --- environment -----------------------------------------------------------------------------

test("expectedRaw instead of a version: the real text a caller holds guards the write", async () => {
  // The text the server sends back verbatim, as a script (or an admin after reveal=1) has it.
  const raw = ENV_CONFIG(ORIGINAL);
  await seed("wEnvRaw", 3, raw);
  const r = await write("environment", { env: ENV, function: "wEnvRaw", expectedRaw: raw, set: { ADDED: "added-value-2718" } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.written, true);
  // The same text again is stale now: the package refuses, nothing more is written.
  const stale = await write("environment", { env: ENV, function: "wEnvRaw", expectedRaw: raw, unset: ["ALPHA"] });
  assertError(stale, 409, "conflict");
  assert.ok(!stale.text.includes("s3cr3t-pa55w0rd") && !stale.text.includes("added-value-2718"), stale.text);
  assert.equal((await simControl(SIM, `changes?env=${ENV}&function=wEnvRaw`)).uploads, 1);
  // Both, or neither: refused before anything is read.
  const before = await sent("wEnvRaw");
  for (const body of [
    { env: ENV, function: "wEnvRaw", expectedRaw: raw, expectedVersion: null, unset: ["ALPHA"] },
    { env: ENV, function: "wEnvRaw", unset: ["ALPHA"] },
    { env: ENV, function: "wEnvRaw", expectedRaw: 42, unset: ["ALPHA"] },
  ]) {
    assertError(await write("environment", body), 400, "invalid_argument");
  }
  assert.equal(await sent("wEnvRaw"), before);
});

test("environment: setting one variable keeps the others, one complete upload", async () => {
  await seed("wEnvSet", 3, ENV_CONFIG(ORIGINAL));
  const before = await versionOf("wEnvSet", 3);
  const r = await write("environment", { env: ENV, function: "wEnvSet", expectedVersion: before, set: { ADDED: "added-value-2718" } });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(Object.keys(r.json).sort(), ["changes", "config", "written"]);
  assert.equal(r.json.written, true);
  assertMaskedEnvironment(r.json.config, ["DB_HOST", "DB_PASSWORD", "ALPHA", "ADDED"]);
  assert.equal(r.json.config.timeout, 20);
  assert.deepEqual(r.json.config.environment.map((v) => v.length), [8, 15, 16, 16]);
  assert.deepEqual(r.json.changes, [{ op: "added", field: "environment", key: "ADDED", after: MASK, masked: true }]);

  // The simulator: exactly one upload, of the whole config.
  const changes = await simControl(SIM, `changes?env=${ENV}&function=wEnvSet`);
  assert.equal(changes.uploads, 1);
  assert.equal(changes.byType["3"], 1);
  assert.deepEqual(await stored("wEnvSet", 3), { timeout: 20, environment: [...ORIGINAL, { key: "ADDED", value: "added-value-2718" }] });

  // The answer's version is the new config's, as GET /api/config gives it.
  assert.match(r.json.config.version, VERSION);
  assert.notEqual(r.json.config.version, before);
  assert.equal(r.json.config.version, await versionOf("wEnvSet", 3));
});

test("environment: change a value, unset another and the timeout in one write", async () => {
  await seed("wEnvMixed", 3, ENV_CONFIG(ORIGINAL, 10));
  const r = await write("environment", {
    env: ENV,
    function: "wEnvMixed",
    expectedVersion: await versionOf("wEnvMixed", 3),
    set: { DB_PASSWORD: "s3cr3t-pa55w0rd-2" },
    unset: ["ALPHA"],
    timeout: 60,
  });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.written, true);
  assertMaskedEnvironment(r.json.config, ["DB_HOST", "DB_PASSWORD"]);
  assert.equal(r.json.config.timeout, 60);
  const byKey = Object.fromEntries(r.json.changes.map((c) => [c.key, c]));
  assert.deepEqual(byKey.timeout, { op: "changed", field: "timeout", key: "timeout", before: "10", after: "60" });
  assert.deepEqual(byKey.DB_PASSWORD, { op: "changed", field: "environment", key: "DB_PASSWORD", before: MASK, after: MASK, masked: true });
  assert.deepEqual(byKey.ALPHA, { op: "removed", field: "environment", key: "ALPHA", before: MASK, masked: true });
  assert.equal(r.json.changes.length, 3);
  assert.equal(await uploads("wEnvMixed"), 1);
  assert.deepEqual(await stored("wEnvMixed", 3), {
    timeout: 60,
    environment: [{ key: "DB_HOST", value: "10.0.0.8" }, { key: "DB_PASSWORD", value: "s3cr3t-pa55w0rd-2" }],
  });
});

test("environment on a function without one: expectedVersion null creates it", async () => {
  await seed("wEnvNew", 3, null);
  assert.equal(await versionOf("wEnvNew", 3), null);
  const r = await write("environment", { env: ENV, function: "wEnvNew", expectedVersion: null, set: { ALPHA: "alpha-value-5150" } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.written, true);
  assertMaskedEnvironment(r.json.config, ["ALPHA"]);
  assert.equal(await uploads("wEnvNew"), 1);
  const config = await stored("wEnvNew", 3);
  assert.deepEqual(config.environment, [{ key: "ALPHA", value: "alpha-value-5150" }]);
});

test("dryRun: the changes and the config it would write, nothing written", async () => {
  await seed("wEnvDry", 3, ENV_CONFIG(ORIGINAL));
  const version = await versionOf("wEnvDry", 3);
  const r = await write("environment", { env: ENV, function: "wEnvDry", expectedVersion: version, dryRun: true, set: { ADDED: "added-value-2718" }, unset: ["DB_HOST"] });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.written, false);
  assert.deepEqual(r.json.changes.map((c) => [c.op, c.key]).sort(), [["added", "ADDED"], ["removed", "DB_HOST"]]);
  for (const c of r.json.changes) assert.equal(c.masked, true);
  if (r.json.config) assertMaskedEnvironment(r.json.config, ["DB_PASSWORD", "ALPHA", "ADDED"]);
  assert.equal(await uploads("wEnvDry"), 0);
  assert.deepEqual(await stored("wEnvDry", 3), { timeout: 20, environment: ORIGINAL });
  assert.equal(await versionOf("wEnvDry", 3), version, "the config is as it was");

  // dryRun false writes.
  const real = await write("trigger", { env: ENV, function: "wEnvDry", expectedVersion: null, dryRun: false, name: "t1", config: "0 0 3 * * * *" });
  assert.equal(real.status, 200, real.text);
  assert.equal(real.json.written, true);
  assert.equal(await uploads("wEnvDry"), 1);
});

test("a no-op edit writes nothing", async () => {
  await seed("wEnvNoop", 3, ENV_CONFIG(ORIGINAL));
  const version = await versionOf("wEnvNoop", 3);
  const r = await write("environment", { env: ENV, function: "wEnvNoop", expectedVersion: version, set: { ALPHA: "alpha-value-5150" } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.written, false);
  assert.deepEqual(r.json.changes, []);
  assert.equal(await uploads("wEnvNoop"), 0);
});

// --- cloud-call permissions ------------------------------------------------------------------

test("openapi/grant and openapi/revoke: one upload each, the other names kept", async () => {
  const raw = JSON.stringify({ permissions: { openapi: ["wxacode.get", "subscribeMessage.send"] } });
  await seed("wApis", 1, raw);
  const granted = await write("openapi/grant", { env: ENV, function: "wApis", expectedVersion: await versionOf("wApis", 1), names: ["security.msgSecCheck"] });
  assert.equal(granted.status, 200, granted.text);
  assert.equal(granted.json.written, true);
  assert.equal(granted.json.config.kind, "cloudCall");
  assert.deepEqual(granted.json.config.openapi, ["wxacode.get", "subscribeMessage.send", "security.msgSecCheck"]);
  assert.deepEqual(granted.json.changes, [{ op: "added", field: "openapi", key: "security.msgSecCheck" }]);
  assert.equal(await uploads("wApis"), 1);
  assert.deepEqual((await stored("wApis", 1)).permissions.openapi, ["wxacode.get", "subscribeMessage.send", "security.msgSecCheck"]);

  const revoked = await write("openapi/revoke", { env: ENV, function: "wApis", expectedVersion: granted.json.config.version, names: ["wxacode.get"] });
  assert.equal(revoked.status, 200, revoked.text);
  assert.equal(revoked.json.written, true);
  assert.deepEqual(revoked.json.config.openapi, ["subscribeMessage.send", "security.msgSecCheck"]);
  assert.deepEqual(revoked.json.changes, [{ op: "removed", field: "openapi", key: "wxacode.get" }]);
  assert.equal(await uploads("wApis"), 2);
  assert.deepEqual((await stored("wApis", 1)).permissions.openapi, ["subscribeMessage.send", "security.msgSecCheck"]);
  assert.equal(revoked.json.config.version, await versionOf("wApis", 1));
});

test("openapi/grant on a function without permissions, from expectedVersion null", async () => {
  await seed("wApisNew", 1, null);
  const r = await write("openapi/grant", { env: ENV, function: "wApisNew", expectedVersion: null, names: ["wxacode.getUnlimited"] });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.config.openapi, ["wxacode.getUnlimited"]);
  assert.equal(await uploads("wApisNew"), 1);
  assert.deepEqual((await stored("wApisNew", 1)).permissions.openapi, ["wxacode.getUnlimited"]);
});

// --- timer trigger ---------------------------------------------------------------------------

test("trigger and trigger/remove: set the schedule, then remove it", async () => {
  await seed("wTimer", 2, JSON.stringify({ triggers: [{ name: "nightly", type: "timer", config: "0 0 2 * * * *" }] }));
  const set = await write("trigger", { env: ENV, function: "wTimer", expectedVersion: await versionOf("wTimer", 2), name: "nightly", config: "0 30 4 * * * *" });
  assert.equal(set.status, 200, set.text);
  assert.equal(set.json.written, true);
  assert.equal(set.json.config.kind, "timerTrigger");
  assert.deepEqual(set.json.config.triggers.map(({ name, type, config }) => ({ name, type, config })), [{ name: "nightly", type: "timer", config: "0 30 4 * * * *" }]);
  assert.deepEqual(set.json.changes, [{ op: "changed", field: "triggers", key: "nightly", before: "0 0 2 * * * *", after: "0 30 4 * * * *" }]);
  assert.equal(await uploads("wTimer"), 1);
  assert.deepEqual((await stored("wTimer", 2)).triggers, [{ name: "nightly", type: "timer", config: "0 30 4 * * * *" }]);

  const removed = await write("trigger/remove", { env: ENV, function: "wTimer", expectedVersion: set.json.config.version });
  assert.equal(removed.status, 200, removed.text);
  assert.equal(removed.json.written, true);
  assert.deepEqual(removed.json.changes.map((c) => [c.op, c.field, c.key]), [["removed", "triggers", "nightly"]]);
  assert.equal(await uploads("wTimer"), 2);
  const after = await stored("wTimer", 2);
  assert.ok(after === null || after.triggers.length === 0, JSON.stringify(after));
  if (removed.json.config) assert.deepEqual(removed.json.config.triggers, []);
});

test("trigger: a cron expression the package refuses is 400 and nothing is written", async () => {
  await seed("wTimerBad", 2, null);
  const r = await write("trigger", { env: ENV, function: "wTimerBad", expectedVersion: null, name: "nightly", config: "0 0 25 * * * *" });
  assertError(r, 400, "invalid_argument");
  assert.match(r.json.error.message, /hour/);
  assert.equal(await uploads("wTimerBad"), 0);
});

// --- versions and the guards -----------------------------------------------------------------

test("a stale expectedVersion: 409 with the config as it is now, nothing written", async () => {
  await seed("wStale", 3, ENV_CONFIG(ORIGINAL));
  const seen = await versionOf("wStale", 3);
  await seed("wStale", 3, ENV_CONFIG([...ORIGINAL, { key: "OTHER", value: "hook-value-3141" }]));
  const now = await versionOf("wStale", 3);
  assert.notEqual(now, seen, "a changed config has another version");

  const r = await write("environment", { env: ENV, function: "wStale", expectedVersion: seen, set: { ALPHA: "merge-value-1618" } });
  assertError(r, 409, "conflict");
  assert.equal(r.json.error.expectedVersion, seen);
  assertMaskedEnvironment(r.json.error.actual, ["DB_HOST", "DB_PASSWORD", "ALPHA", "OTHER"]);
  assert.equal(r.json.error.actual.version, now);
  assert.equal(await uploads("wStale"), 0);

  // expectedVersion null while it is configured, and a version while it is not.
  const nullSeen = await write("environment", { env: ENV, function: "wStale", expectedVersion: null, set: { ALPHA: "x" } });
  assertError(nullSeen, 409, "conflict");
  assert.equal(nullSeen.json.error.actual.version, now);
  await seed("wStaleGone", 1, null);
  const gone = await write("openapi/grant", { env: ENV, function: "wStaleGone", expectedVersion: now, names: ["wxacode.get"] });
  assertError(gone, 409, "conflict");
  assert.equal(gone.json.error.actual, null);
  assert.equal(await uploads("wStale"), 0);
  assert.equal(await uploads("wStaleGone"), 0);

  // The version from the conflict answer is the one to write with.
  const retried = await write("environment", { env: ENV, function: "wStale", expectedVersion: r.json.error.actual.version, unset: ["OTHER"] });
  assert.equal(retried.status, 200, retried.text);
  assert.equal(await uploads("wStale"), 1);
});

test("a change between the Worker's read and the package's: the package's guard answers 409", async () => {
  await seed("wRace", 3, ENV_CONFIG(ORIGINAL));
  const version = await versionOf("wRace", 3);
  // After the next read (the Worker's version check), someone else changes the config.
  const theirs = ENV_CONFIG([{ key: "DB_HOST", value: "10.0.0.8" }, { key: "DB_PASSWORD", value: "hook-value-3141" }]);
  await simControl(SIM, "hooks", { env: ENV, function: "wRace", type: 3, after: "read", nth: 1, config: theirs });
  const r = await write("environment", { env: ENV, function: "wRace", expectedVersion: version, set: { ADDED: "added-value-2718" } });
  assertError(r, 409, "conflict");
  assert.equal(r.json.error.expectedVersion, undefined);
  assertMaskedEnvironment(r.json.error.expected, ["DB_HOST", "DB_PASSWORD", "ALPHA"], { lengths: false });
  assertMaskedEnvironment(r.json.error.actual, ["DB_HOST", "DB_PASSWORD"], { lengths: false });
  const byKey = Object.fromEntries(r.json.error.changes.map((c) => [c.key, c]));
  assert.deepEqual(byKey.ALPHA, { op: "removed", field: "environment", key: "ALPHA", before: MASK, masked: true });
  assert.deepEqual(byKey.DB_PASSWORD, { op: "changed", field: "environment", key: "DB_PASSWORD", before: MASK, after: MASK, masked: true });
  assert.equal(await uploads("wRace"), 0, "nothing written");
  assert.deepEqual(await stored("wRace", 3), JSON.parse(theirs));
});

test("an upload the server merges instead of replacing: 502 unverified", async (t) => {
  await seed("wMerge", 3, ENV_CONFIG([...ORIGINAL, { key: "GONE", value: "merge-value-1618" }]));
  const version = await versionOf("wMerge", 3);
  await simControl(SIM, "settings", { uploadMode: "merge" });
  t.after(() => simControl(SIM, "settings", { uploadMode: "replace" }));
  const r = await write("environment", { env: ENV, function: "wMerge", expectedVersion: version, unset: ["GONE"] });
  assertError(r, 502, "unverified");
  assert.ok(r.json.error.expected, "what was written");
  assert.ok(r.json.error.actual, "what was read back");
  assertMaskedEnvironment(r.json.error.expected, ["DB_HOST", "DB_PASSWORD", "ALPHA"], { lengths: false });
  assert.ok(r.json.error.actual.environment.some((v) => v.key === "GONE"), "the merge kept GONE");
  assertMaskedEnvironment(r.json.error.actual, r.json.error.actual.environment.map((v) => v.key), { lengths: false });
  assert.deepEqual(r.json.error.changes.map((c) => [c.op, c.key]), [["added", "GONE"]]);
  assert.equal(await uploads("wMerge"), 1);
});

test("an upload answered after the Worker's time limit: 504 unknown_outcome, never sent twice", async () => {
  await seed("wSlow", 3, ENV_CONFIG(ORIGINAL));
  const version = await versionOf("wSlow", 3);
  await simControl(SIM, "faults", { path: "/tcb/uploadfuncconfig", function_name: "wSlow", times: 1, fault: { kind: "delay", ms: TIMEOUT_MS + 4000 } });
  const started = Date.now();
  const r = await write("environment", { env: ENV, function: "wSlow", expectedVersion: version, set: { SLOW: "slow-value-1414" } });
  assertError(r, 504, "unknown_outcome");
  assert.equal(r.json.error.retryable, false);
  assert.ok(Date.now() - started < TIMEOUT_MS + 3000, `took ${Date.now() - started} ms`);
  // The delayed upload was applied; no second one follows.
  assert.equal(await uploads("wSlow"), 1);
  await new Promise((resolve) => setTimeout(resolve, 5000));
  assert.equal(await uploads("wSlow"), 1);
  const uploadRequests = (await (await fetch(`${SIM}/__sim/requests?function_name=wSlow&path=/tcb/uploadfuncconfig`)).json());
  assert.equal(uploadRequests.length, 1);
  assert.ok((await stored("wSlow", 3)).environment.some((v) => v.key === "SLOW"));
});

// --- refusals --------------------------------------------------------------------------------

const VALID = {
  environment: { set: { A: "b" } },
  "openapi/grant": { names: ["wxacode.get"] },
  "openapi/revoke": { names: ["wxacode.get"] },
  trigger: { name: "t", config: "0 0 1 * * * *" },
  "trigger/remove": {},
};

test("a viewer may not write: 403 on every route, before the body is read, nothing sent", async () => {
  for (const route of ROUTES) {
    const body = { env: ENV, function: "wViewer", expectedVersion: null, ...VALID[route] };
    const refusals = [
      await write(route, body, { key: KEYS.viewer }),
      await write(route, "not json", { key: KEYS.viewer }),
      await write(route, body, { key: KEYS.viewer, headers: { "Content-Type": "text/plain" } }),
    ];
    for (const r of refusals) {
      assertError(r, 403, "forbidden");
      assert.ok(!r.text.includes("wViewer") && !r.text.includes(ENV));
    }
    assertError(await write(route, body, { key: null }), 401, "unauthorized");
  }
  assert.equal(await sent("wViewer"), 0);
});

test("405 for any method but POST, with Allow: POST and no CORS headers", async () => {
  for (const route of ROUTES) {
    for (const method of ["GET", "PUT", "DELETE", "PATCH"]) {
      const r = await write(route, VALID[route], { method });
      assertError(r, 405, "method_not_allowed");
      assert.equal(r.headers.get("allow"), "POST");
    }
    const preflight = await api.request(`/api/edit/${route}`, {
      method: "OPTIONS",
      headers: { Origin: "https://evil.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type" },
    });
    assert.equal(preflight.status, 405);
    assert.equal(preflight.headers.get("access-control-allow-origin"), null);
    assert.equal(preflight.headers.get("access-control-allow-methods"), null);
  }
});

test("415 unless the body is declared JSON; 403 from another origin", async () => {
  const body = { env: ENV, function: "wRefused", expectedVersion: null, names: ["wxacode.get"] };
  for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonp", ""]) {
    assertError(await write("openapi/grant", body, { headers: { "Content-Type": type } }), 415, "unsupported_media_type");
  }
  const noType = await api.request("/api/edit/openapi/grant", { key: KEYS.admin, method: "POST", body: new Blob([JSON.stringify(body)]) });
  assertError(noType, 415, "unsupported_media_type");
  const ok = await write("openapi/grant", { ...body, function: "wMediaOk" }, { headers: { "Content-Type": "Application/JSON; charset=utf-8" } });
  assert.equal(ok.status, 200, ok.text);
  await seed("wRefused", 1, null);
  assertError(await write("openapi/grant", body, { headers: { Origin: "https://evil.example" } }), 403, "forbidden");
  assert.equal(await sent("wRefused"), 0);
});

test("400 for a body that is not as described, naming the field: nothing sent", async () => {
  const base = { env: ENV, function: "wInvalid", expectedVersion: null };
  const cases = [
    ["environment", "", /JSON/],
    ["environment", "{", /JSON/],
    ["environment", "[]", /object/],
    ["environment", "null", /object/],
    ["environment", "\"text\"", /object/],
    ["environment", { function: "wInvalid", expectedVersion: null }, /env/],
    ["environment", { env: ENV, expectedVersion: null }, /function/],
    ["environment", { env: ENV, function: "wInvalid" }, /expectedVersion/],
    ["environment", { ...base, env: 7 }, /env/],
    ["environment", { ...base, function: ["wInvalid"] }, /function/],
    ["environment", { ...base, expectedVersion: 12 }, /expectedVersion/],
    ["environment", { ...base, expectedVersion: "not-a-version" }, /expectedVersion/],
    ["environment", { ...base, dryRun: "yes" }, /dryRun/],
    ["environment", { ...base, dryrun: true }, /field/],
    ["environment", { ...base, set: ["A"] }, /set/],
    ["environment", { ...base, set: { A: 1 } }, /set\.A/],
    ["environment", { ...base, unset: "A" }, /unset/],
    ["environment", { ...base, unset: [1] }, /unset/],
    ["environment", { ...base, timeout: "20" }, /timeout/],
    ["openapi/grant", base, /names/],
    ["openapi/grant", { ...base, names: "wxacode.get" }, /names/],
    ["openapi/revoke", { ...base, names: [1] }, /names/],
    ["trigger", { ...base, config: "0 0 1 * * * *" }, /name/],
    ["trigger", { ...base, name: "t" }, /config/],
    ["trigger", { ...base, name: "t", config: 5 }, /config/],
    ["trigger/remove", { ...base, names: [] }, /field/],
  ];
  for (const [route, body, message] of cases) {
    const r = await write(route, body);
    assertError(r, 400, "invalid_argument");
    assert.match(r.json.error.message, message, `${route} ${JSON.stringify(body)}: ${r.json.error.message}`);
  }
  assert.equal(await sent("wInvalid"), 0, "nothing was sent for an invalid body");
});

test("400 for an edit the package refuses: the config is read, nothing is written", async () => {
  const base = { env: ENV, function: "wInvalidEdit", expectedVersion: null };
  const cases = [
    ["environment", { ...base, set: { "1BAD": "v" } }, /key/],
    ["environment", { ...base, timeout: 301 }, /timeout/],
    ["openapi/grant", { ...base, names: ["not an api"] }, /names/],
    ["trigger", { ...base, name: "9t", config: "0 0 1 * * * *" }, /name/],
    // The names the package checks before anything is sent.
    ["environment", { ...base, env: "bad env" }, /env/],
    ["environment", { ...base, function: "9bad" }, /function/i],
  ];
  for (const [route, body, message] of cases) {
    const r = await write(route, body);
    assertError(r, 400, "invalid_argument");
    assert.match(r.json.error.message, message, `${route} ${JSON.stringify(body)}: ${r.json.error.message}`);
  }
  assert.equal(await uploads("wInvalidEdit"), 0);
  const requests = await (await fetch(`${SIM}/__sim/requests?function_name=9bad`)).json();
  assert.equal(requests.length, 0);
});

test("413 for a body over 64 KB, declared or streamed, without reading it all", async () => {
  const big = JSON.stringify({ env: ENV, function: "wHuge", expectedVersion: null, set: { A: "x".repeat(70 * 1024) } });
  assertError(await write("environment", big), 413, "payload_too_large");
  // Exactly 64 KB is still read (and refused for its content, not its size).
  const short = JSON.stringify({ env: ENV, function: "wHuge", expectedVersion: "not-a-version" });
  const fits = short + " ".repeat(64 * 1024 - short.length);
  const r = await write("environment", fits);
  assertError(r, 400, "invalid_argument");
  assert.match(r.json.error.message, /expectedVersion/);

  // Chunked, with no Content-Length, and never finished: the answer comes once 64 KB are in.
  const { port } = new URL(worker.url);
  const answer = await new Promise((resolve, reject) => {
    const socket = connect(Number(port), "127.0.0.1", () => {
      socket.write([
        "POST /api/edit/environment HTTP/1.1",
        "Host: 127.0.0.1",
        `Authorization: Bearer ${KEYS.admin}`,
        "Content-Type: application/json",
        "Transfer-Encoding: chunked",
        "",
        "",
      ].join("\r\n"));
      const chunk = "x".repeat(16 * 1024);
      for (let i = 0; i < 6; i++) socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    });
    let data = "";
    socket.setEncoding("utf8");
    socket.on("data", (d) => {
      data += d;
      if (/\r\n\r\n/.test(data) && /payload_too_large/.test(data)) {
        socket.destroy();
        resolve(data);
      }
    });
    socket.on("error", reject);
    socket.on("close", () => resolve(data));
    socket.setTimeout(20000, () => socket.destroy());
  });
  assert.match(answer, /^HTTP\/1\.1 413/, answer.slice(0, 200));
  assert.equal(await sent("wHuge"), 0);
});

// --- what leaves the Worker ------------------------------------------------------------------

test("no environment value, token or key in any answer or log line; one log line per request", async () => {
  const apiLines = () => worker.output().split("\n").filter((line) => /^api [A-Z]+ \//.test(line));
  const complete = await waitFor(() => apiLines().length >= api.count);
  assert.ok(complete, `expected ${api.count} log lines, found ${apiLines().length}`);
  // The chunked 413 request went over a raw socket: one line more than counted.
  assert.ok(apiLines().length >= api.count && apiLines().length <= api.count + 1);
  for (const line of apiLines()) {
    assert.match(line, /^api [A-Z]+ \/api(\/[a-z-]+)+ \d{3} role=(viewer|admin|-) \d+ms$/);
  }
  const secrets = ["sim-access-token", KEYS.viewer, KEYS.admin, ...SECRETS];
  for (const [where, text] of [["output", worker.output()], ...api.bodies.map((b, i) => [`body ${i}`, b])]) {
    for (const secret of secrets) assert.ok(!text.includes(secret), `${where} contains ${secret}`);
  }
});
