// The history (edge/src/history*.js) in workerd through `wrangler dev`, against the simulator:
// one record per write, whatever the outcome; rollback through a safe restore; drift noticed on
// reads; the kept configs sealed under HISTORY_KEY (nothing readable at rest, another key opens
// nothing, rotation keeps old records readable); viewers; retention.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KEYS, recorder, simControl, startWorker, waitFor } from "./harness.mjs";
import { SECRETS as ALL_SECRETS } from "../secrets.mjs";

const SIM = process.env.SIM_URL;
const ENV = `edge-history-${process.pid}`;
const MASK = "••••••";
const KEY_1 = `k1:${Buffer.alloc(32, 7).toString("base64")}`;
const KEY_2 = `k2:${Buffer.alloc(32, 9).toString("base64")}`;
/** The environment values these tests store: none may show in an answer or at rest. */
const SECRETS = ["hist-s3cret-Value-31", "hist-s3cret-Value-62", "hist-drift-Value-93"];
const FUNCTIONS = ["hEnv", "hApis", "hTimer", "hBack", "hMoved", "hDrift", "hView", "hRetain", "hNoKey"];
const state = mkdtempSync(join(tmpdir(), "tcb-history-"));
let worker, api;

const start = (secrets = { HISTORY_KEY: KEY_1 }, vars = {}) =>
  startWorker({ simUrl: SIM, persistTo: state, secrets, vars });

before(async () => {
  assert.ok(SIM, "SIM_URL must point at a running tcb-sim");
  worker = await start();
  api = recorder(worker.url);
  await simControl(SIM, "functions", { env: ENV, names: FUNCTIONS });
});

after(async () => {
  await worker?.stop();
  rmSync(state, { recursive: true, force: true });
});

// --- helpers ---------------------------------------------------------------------------------

const seed = (fn, type, config) => simControl(SIM, "configs", { env: ENV, function_name: fn, type, config });

/** The raw text the simulator holds (null: not configured). */
async function storedRaw(fn, type) {
  const r = await fetch(`${SIM}/tcb/getfuncconfig?access_token=sim-access-token`, {
    method: "POST",
    body: JSON.stringify({ env: ENV, function_name: fn, type }),
  });
  const body = await r.json();
  return body.errcode === 85089 ? null : body.config;
}

/** Writes `text` straight to the simulator, behind the Worker's back. */
async function uploadBehind(fn, type, text) {
  const r = await fetch(`${SIM}/tcb/uploadfuncconfig?access_token=sim-access-token`, {
    method: "POST",
    body: JSON.stringify({ type, env: ENV, function_name: fn, config: text }),
  });
  assert.equal((await r.json()).errcode, 0);
}

const uploads = async (fn) => (await simControl(SIM, `changes?env=${ENV}&function=${fn}`)).uploads;

async function versionOf(fn, type) {
  const r = await api.request(`/api/config?env=${ENV}&function=${fn}&type=${type}`, { key: KEYS.viewer });
  if (r.status === 404) return null;
  assert.equal(r.status, 200, r.text);
  return r.json.version;
}

function write(route, body, key = KEYS.admin) {
  return api.request(`/api/edit/${route}`, {
    key,
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ env: ENV, ...body }),
  });
}

function rollback(id, body = {}, key = KEYS.admin) {
  return api.request(`/api/history/${id}/rollback`, {
    key,
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

/** The records of one function, newest first. */
async function records(fn, key = KEYS.viewer) {
  const r = await api.request(`/api/history?env=${ENV}&function=${fn}`, { key });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.total, r.json.records.length);
  return r.json.records;
}

const envConfig = (pairs, timeout = 10) => JSON.stringify({ timeout, environment: pairs.map(([key, value]) => ({ key, value })) });

function assertMasked(changes) {
  for (const c of changes) {
    if (c.field !== "environment") continue;
    for (const side of ["before", "after"]) if (c[side] !== undefined) assert.equal(c[side], MASK);
  }
}

// --- records ---------------------------------------------------------------------------------

test("every write route leaves exactly one record, whatever its outcome; a dry run leaves none", async () => {
  let count = 0;
  const expectRecord = async (fn, fields) => {
    const all = await records(fn);
    count++;
    const total = (await api.request(`/api/history?env=${ENV}`, { key: KEYS.viewer })).json.total;
    assert.equal(total, count, `after ${JSON.stringify(fields)}`);
    const [last] = all;
    for (const [k, v] of Object.entries(fields)) assert.deepEqual(last[k], v, `${k} of ${JSON.stringify(last)}`);
    assert.equal(last.who, "admin key");
    assert.equal(last.env, ENV);
    assert.match(last.id, /^[0-9a-f-]{36}$/);
    assert.ok(Date.now() - Date.parse(last.at) < 120000);
    assertMasked(last.changes);
    return last;
  };

  const w1 = await write("environment", { function: "hEnv", expectedVersion: null, set: { A: SECRETS[0] } });
  assert.equal(w1.status, 200, w1.text);
  const r1 = await expectRecord("hEnv", { kind: "edit", outcome: "written", type: 3, versionBefore: null, versionAfter: w1.json.config.version });
  assert.deepEqual(r1.changes, [{ op: "added", field: "environment", key: "A", after: MASK, masked: true }]);
  assert.equal(r1.rollback.available, true);

  const dry = await write("environment", { function: "hEnv", expectedVersion: w1.json.config.version, set: { A: SECRETS[1] }, dryRun: true });
  assert.equal(dry.status, 200, dry.text);
  assert.equal((await records("hEnv")).length, 1, "a dry run is not recorded");

  const g = await write("openapi/grant", { function: "hApis", expectedVersion: null, names: ["wxacode.get", "a.b"] });
  assert.equal(g.status, 200, g.text);
  await expectRecord("hApis", { kind: "edit", outcome: "written", type: 1 });
  const rv = await write("openapi/revoke", { function: "hApis", expectedVersion: g.json.config.version, names: ["a.b"] });
  assert.equal(rv.status, 200, rv.text);
  await expectRecord("hApis", { outcome: "written", changes: [{ op: "removed", field: "openapi", key: "a.b" }] });
  const t = await write("trigger", { function: "hTimer", expectedVersion: null, name: "nightly", config: "0 0 2 * * * *" });
  assert.equal(t.status, 200, t.text);
  await expectRecord("hTimer", { outcome: "written", type: 2 });
  const rm = await write("trigger/remove", { function: "hTimer", expectedVersion: t.json.config.version });
  assert.equal(rm.status, 200, rm.text);
  await expectRecord("hTimer", { outcome: "written", versionBefore: t.json.config.version });

  // A no-op, a stale version, a refusal by the package's rules, an upload WeChat refuses.
  const noop = await write("openapi/revoke", { function: "hApis", expectedVersion: rv.json.config.version, names: ["x.y"] });
  assert.equal(noop.json.written, false);
  await expectRecord("hApis", { outcome: "unchanged", changes: [] });
  const stale = await write("environment", { function: "hEnv", expectedVersion: null, set: { B: SECRETS[1] } });
  assert.equal(stale.status, 409, stale.text);
  await expectRecord("hEnv", { outcome: "conflict", versionBefore: w1.json.config.version });
  const bad = await write("trigger", { function: "hTimer", expectedVersion: rm.json.config.version, name: "n", config: "0 0 25 * * * *" });
  assert.equal(bad.status, 400, bad.text);
  await expectRecord("hTimer", { outcome: "error" });
  await simControl(SIM, "faults", { path: "/tcb/uploadfuncconfig", function_name: "hApis", times: 1, fault: { kind: "body", body: '{"errcode":40097,"errmsg":"invalid args"}' } });
  const refused = await write("openapi/grant", { function: "hApis", expectedVersion: rv.json.config.version, names: ["c.d"] });
  assert.notEqual(refused.status, 200, refused.text);
  const last = await expectRecord("hApis", { outcome: refused.json.error.code === "unknown_outcome" ? "unknown_outcome" : "error" });
  if (refused.json.error.errcode !== undefined) assert.equal(last.errcode, refused.json.error.errcode);
  // Nothing in any answer holds a value.
  for (const body of api.bodies) for (const s of SECRETS) assert.ok(!body.includes(s), `an answer shows ${s}`);
});

test("history filters: app, function, type, person, kind and time, newest first, paged", async () => {
  const all = (await api.request(`/api/history?env=${ENV}`, { key: KEYS.viewer })).json;
  assert.ok(all.total >= 3);
  const times = all.records.map((r) => Date.parse(r.at));
  assert.deepEqual(times, [...times].sort((a, b) => b - a));
  const page = (await api.request(`/api/history?env=${ENV}&offset=1&limit=2`, { key: KEYS.viewer })).json;
  assert.deepEqual(page.records.map((r) => r.id), all.records.slice(1, 3).map((r) => r.id));
  const type2 = (await api.request(`/api/history?env=${ENV}&type=2`, { key: KEYS.viewer })).json;
  assert.ok(type2.total > 0 && type2.records.every((r) => r.type === 2));
  const nobody = (await api.request(`/api/history?env=${ENV}&who=${encodeURIComponent("nobody@example.com")}`, { key: KEYS.viewer })).json;
  assert.equal(nobody.total, 0);
  const admin = (await api.request(`/api/history?env=${ENV}&who=${encodeURIComponent("admin key")}`, { key: KEYS.viewer })).json;
  assert.equal(admin.total, all.total);
  const future = (await api.request(`/api/history?env=${ENV}&from=${encodeURIComponent(new Date(Date.now() + 3600e3).toISOString())}`, { key: KEYS.viewer })).json;
  assert.equal(future.total, 0);
  const past = (await api.request(`/api/history?env=${ENV}&to=${Date.now() - 3600e3}`, { key: KEYS.viewer })).json;
  assert.equal(past.total, 0);
  const other = (await api.request(`/api/history?appid=wx0000000000000000`, { key: KEYS.viewer })).json;
  assert.equal(other.total, 0);
  for (const q of ["type=4", "from=yesterday", "limit=0", "limit=201", "offset=-1"]) {
    const r = await api.request(`/api/history?${q}`, { key: KEYS.viewer });
    assert.equal(r.status, 400, q);
    assert.equal(r.json.error.code, "invalid_argument");
  }
});

// --- rollback --------------------------------------------------------------------------------

test("rollback restores the earlier raw text exactly, after a dry-run preview, and is recorded", async () => {
  const earlier = '{"timeout": 7, "environment": [{"key":"A","value":"hist-s3cret-Value-31","note":"kept"}], "memo": 2.50}';
  await seed("hBack", 3, earlier);
  const v = await versionOf("hBack", 3);
  const w = await write("environment", { function: "hBack", expectedVersion: v, set: { A: SECRETS[1] }, timeout: 30 });
  assert.equal(w.status, 200, w.text);
  const [record] = await records("hBack");
  assert.equal(record.outcome, "written");
  const uploaded = await uploads("hBack");

  const dry = await rollback(record.id, { dryRun: true });
  assert.equal(dry.status, 200, dry.text);
  assert.equal(dry.json.written, false);
  assert.deepEqual(dry.json.changes.map((c) => [c.op, c.field, c.key]), [["changed", "timeout", "timeout"], ["changed", "environment", "A"]]);
  assertMasked(dry.json.changes);
  assert.equal(await uploads("hBack"), uploaded);
  assert.equal((await records("hBack")).length, 1, "a dry run is not recorded");

  const done = await rollback(record.id);
  assert.equal(done.status, 200, done.text);
  assert.equal(done.json.written, true);
  assert.equal(await storedRaw("hBack", 3), earlier);
  assert.equal(await uploads("hBack"), uploaded + 1);
  const [back, first] = await records("hBack");
  assert.equal(first.id, record.id);
  assert.deepEqual([back.kind, back.outcome, back.rollbackOf, back.who], ["rollback", "written", record.id, "admin key"]);
  assert.equal(back.id, done.json.recordId);
  assert.equal(back.versionBefore, record.versionAfter);
  assert.equal(back.versionAfter, v);

  // The detail: before and after side by side, masked; an admin may reveal.
  const d = await api.request(`/api/history/${record.id}`, { key: KEYS.viewer });
  assert.equal(d.status, 200, d.text);
  assert.equal(d.json.kept, true);
  assert.equal(d.json.before.environment[0].value, MASK);
  assert.equal(d.json.after.environment[0].value, MASK);
  assert.ok(!d.text.includes(SECRETS[0]) && !d.text.includes(SECRETS[1]));
  const shown = await api.request(`/api/history/${record.id}?reveal=1`, { key: KEYS.admin, expectSecret: true });
  assert.equal(shown.status, 200, shown.text);
  assert.equal(shown.json.before.raw, earlier);
  assert.deepEqual(shown.json.record.changes.find((c) => c.field === "environment"), { op: "changed", field: "environment", key: "A", before: SECRETS[0], after: SECRETS[1] });
});

test("rollback over a config that moved since is a conflict: nothing written, the attempt recorded", async () => {
  await seed("hMoved", 3, envConfig([["A", "one"]]));
  const v = await versionOf("hMoved", 3);
  const w = await write("environment", { function: "hMoved", expectedVersion: v, set: { A: "two" } });
  assert.equal(w.status, 200, w.text);
  const [record] = await records("hMoved");
  await uploadBehind("hMoved", 3, envConfig([["A", "three"]]));
  const uploaded = await uploads("hMoved");
  const requests = (await simControl(SIM, "requests?function_name=hMoved")).filter((r) => r.path === "/tcb/uploadfuncconfig").length;

  const r = await rollback(record.id);
  assert.equal(r.status, 409, r.text);
  assert.equal(r.json.error.code, "conflict");
  assert.equal(await uploads("hMoved"), uploaded);
  assert.equal((await simControl(SIM, "requests?function_name=hMoved")).filter((x) => x.path === "/tcb/uploadfuncconfig").length, requests);
  assert.equal(await storedRaw("hMoved", 3), envConfig([["A", "three"]]));
  const [attempt] = await records("hMoved");
  assert.deepEqual([attempt.kind, attempt.outcome, attempt.rollbackOf], ["rollback", "conflict", record.id]);
});

// --- drift -----------------------------------------------------------------------------------

test("a change behind the Worker's back shows as drift on the next read; the first read only sets the baseline", async () => {
  await seed("hDrift", 3, envConfig([["A", "base"], ["B", "same"]]));
  await versionOf("hDrift", 3);
  assert.equal((await records("hDrift")).length, 0, "the first read sets the baseline only");
  await versionOf("hDrift", 3);
  assert.equal((await records("hDrift")).length, 0, "an unchanged config is no drift");
  await uploadBehind("hDrift", 3, envConfig([["A", SECRETS[2]], ["B", "same"]]));
  const now = await versionOf("hDrift", 3);
  const [drift] = await records("hDrift");
  assert.deepEqual([drift.kind, drift.who, drift.outcome, drift.versionAfter], ["drift", "outside the Worker", "written", now]);
  assert.deepEqual(drift.changes, [{ op: "changed", field: "environment", key: "A", before: MASK, after: MASK, masked: true }]);
  // The Worker's own write is the new baseline: no drift after it.
  const w = await write("environment", { function: "hDrift", expectedVersion: now, set: { B: "other" } });
  assert.equal(w.status, 200, w.text);
  await versionOf("hDrift", 3);
  assert.deepEqual((await records("hDrift")).map((r) => r.kind), ["edit", "drift"]);
  // type=all reads are watched too.
  await uploadBehind("hDrift", 3, envConfig([["A", "again"]]));
  const all = await api.request(`/api/config?env=${ENV}&function=hDrift&type=all`, { key: KEYS.viewer });
  assert.equal(all.status, 200, all.text);
  assert.deepEqual((await records("hDrift")).map((r) => r.kind), ["drift", "edit", "drift"]);
  // The drift can be rolled back like a write.
  const [latest] = await records("hDrift");
  const back = await rollback(latest.id);
  assert.equal(back.status, 200, back.text);
  assert.equal(JSON.parse(await storedRaw("hDrift", 3)).environment.find((e) => e.key === "B").value, "other");
});

// --- viewers ---------------------------------------------------------------------------------

test("viewers read the history masked, may not reveal, and may not roll back", async () => {
  await seed("hView", 3, envConfig([["A", "view-one"]]));
  const w = await write("environment", { function: "hView", expectedVersion: await versionOf("hView", 3), set: { A: SECRETS[0] } });
  assert.equal(w.status, 200, w.text);
  const [record] = await records("hView", KEYS.viewer);
  const uploaded = await uploads("hView");
  const r = await rollback(record.id, {}, KEYS.viewer);
  assert.equal(r.status, 403, r.text);
  assert.equal(r.json.error.code, "forbidden");
  const dry = await rollback(record.id, { dryRun: true }, KEYS.viewer);
  assert.equal(dry.status, 403);
  assert.equal(await uploads("hView"), uploaded);
  const reveal = await api.request(`/api/history/${record.id}?reveal=1`, { key: KEYS.viewer });
  assert.equal(reveal.status, 403);
  const d = await api.request(`/api/history/${record.id}`, { key: KEYS.viewer });
  assert.equal(d.status, 200);
  assert.ok(!d.text.includes(SECRETS[0]) && !d.text.includes("view-one"), d.text);
  const none = await api.request(`/api/history`);
  assert.equal(none.status, 401);
  const missing = await api.request(`/api/history/00000000-0000-0000-0000-000000000000`, { key: KEYS.viewer });
  assert.equal(missing.status, 404);
});

// --- keys ------------------------------------------------------------------------------------

/** Every file under `dir`, recursively. */
function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

test("stored bytes hold no environment value; another key opens nothing; rotation keeps old records readable", async () => {
  // The rollback of hBack's write: the latest record there, whose config is still the current one.
  const [rolled, record] = await records("hBack");
  await worker.stop();

  // The Durable Objects' SQLite files (and anything else the Worker keeps) hold no secret.
  const stored = files(state).filter((f) => /durable|\.sqlite/i.test(f));
  assert.ok(stored.some((f) => f.endsWith(".sqlite")), `no SQLite file under ${state}: ${stored.join(", ")}`);
  for (const f of files(state)) {
    const bytes = readFileSync(f);
    for (const s of [...SECRETS, ...ALL_SECRETS, "view-one", "hist-s3cret"]) {
      assert.equal(bytes.indexOf(Buffer.from(s)), -1, `${f} holds ${s}`);
    }
  }

  // Another key: the record says rollback is unavailable, nothing is written.
  worker = await start({ HISTORY_KEY: KEY_2 });
  api = recorder(worker.url);
  const list = await records("hBack");
  assert.deepEqual(list.find((r) => r.id === rolled.id).rollback, { available: false, reason: "unknown_key" });
  const uploaded = await uploads("hBack");
  const refused = await rollback(rolled.id);
  assert.equal(refused.status, 503, refused.text);
  assert.equal(refused.json.error.code, "history_key");
  assert.equal(await uploads("hBack"), uploaded);
  const d = await api.request(`/api/history/${record.id}?reveal=1`, { key: KEYS.admin });
  assert.equal(d.json.kept, false);
  assert.equal(d.json.before, undefined);
  await worker.stop();

  // Rotation: the new key first, the old one second.
  worker = await start({ HISTORY_KEY: `${KEY_2},${KEY_1}` });
  api = recorder(worker.url);
  const opened = await api.request(`/api/history/${record.id}`, { key: KEYS.viewer });
  assert.equal(opened.json.kept, true);
  assert.equal(opened.json.before.kind, "environment");
  const again = await rollback(rolled.id, { dryRun: true });
  assert.equal(again.status, 200, again.text);
});

test("without HISTORY_KEY writes work and are recorded, and the history says rollback is unavailable", async () => {
  await worker.stop();
  worker = await start({ HISTORY_KEY: "not a key" });
  api = recorder(worker.url);
  const w = await write("environment", { function: "hNoKey", expectedVersion: null, set: { A: "no-key-value" } });
  assert.equal(w.status, 200, w.text);
  const [record] = await records("hNoKey");
  assert.deepEqual(record.rollback, { available: false, reason: "not_kept" });
  const r = await rollback(record.id);
  assert.equal(r.status, 409, r.text);
  assert.equal(r.json.error.code, "rollback_unavailable");
  assert.match(r.json.error.hint, /HISTORY_KEY/);
  assert.equal(await uploads("hNoKey"), 1);
});

test("records past the retention are purged by the alarm", async () => {
  await worker.stop();
  // 0.00003 days: about 2.6 seconds; the alarm runs once per retention period when that is
  // shorter than a day.
  worker = await start({ HISTORY_KEY: KEY_1 }, { HISTORY_RETENTION_DAYS: "0.00003" });
  api = recorder(worker.url);
  const w = await write("environment", { function: "hRetain", expectedVersion: null, set: { A: "x" } });
  assert.equal(w.status, 200, w.text);
  assert.equal((await records("hRetain")).length, 1);
  const purged = await waitFor(async () => (await api.request(`/api/history`, { key: KEYS.viewer })).json.total === 0, 30000);
  assert.ok(purged, "the records are still there");
});
