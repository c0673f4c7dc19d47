// Bulk edits as jobs on the FleetStore's alarm, in workerd against the simulator: a dry run and
// a grant over 250 apps with every target's outcome checked against the seed rules, a restart
// of the Worker in the middle of a job (the same persisted state), a burst of 45011, 45009, a
// cancel, a lost upload answer, and the report as JSON and CSV. The simulator's request log
// proves that no target was written twice.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KEYS, ROOT, recorder, simControl, startWorker, waitFor } from "./harness.mjs";
import { appidOf, functionsOf, hasTcb } from "./fleet-rules.mjs";

const SIM = process.env.SIM_URL;
const N = 250;
const UPLOAD = "/tcb/uploadfuncconfig";
const GRANT = "urllink.generate";
const SETTINGS = {
  secrets: {
    WECHAT_ACCESS_TOKEN: undefined, COMPONENT_APPSECRET: "sim-component-secret", COMPONENT_TOKEN: "sim-component-token",
    COMPONENT_AES_KEY: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
    // Each target's write is recorded in the history, with the config it replaced kept sealed.
    HISTORY_KEY: `k1:${Buffer.alloc(32, 9).toString("base64")}`,
  },
  // A short back-off: the test moves the simulator's clock past WeChat's minute instead of waiting.
  vars: { COMPONENT_APPID: "wx-sim-component", WECHAT_TIMEOUT_MS: "20000", FLEET_BACKOFF_MS: "1000" },
};
const JOB_WAIT_MS = 300000;

let worker, api;
const persistTo = mkdtempSync(join(tmpdir(), "tcb-jobs-"));

async function start() {
  worker = await startWorker({ simUrl: SIM, persistTo, ...SETTINGS });
  api = recorder(worker.url);
}

/** The Worker's ticket pushed by the simulator, and every generated account imported. */
async function platformReady(sim, client, url) {
  const pushed = await simControl(sim, "push", { url: `${url}/wechat/events`, info_type: "component_verify_ticket" });
  assert.equal(pushed.success, true, JSON.stringify(pushed));
  const imported = await client.request("/api/apps/import", { key: KEYS.admin, method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
  assert.equal(imported.status, 200, imported.text);
}

/**
 * A simulator of this test's own, for moving its clock: the shared one's clock must stay with
 * real time (pushes are refused 300 s away from the Worker's clock).
 */
async function privateSim() {
  const dir = mkdtempSync(join(tmpdir(), "tcb-jobs-sim-"));
  const portFile = join(dir, "port");
  const child = spawn(join(ROOT, "target/release/tcb-sim"), ["--port", "0", "--port-file", portFile, "--quiet"], { stdio: "ignore" });
  const stop = () => {
    child.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 100 && !existsSync(portFile); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(existsSync(portFile), "the simulator did not start; build it with `cargo build --release -p tcb-sim`");
  return { url: `http://127.0.0.1:${readFileSync(portFile, "utf8").trim()}`, stop };
}

before(async () => {
  assert.ok(SIM, "SIM_URL must point at a running tcb-sim");
  await simControl(SIM, "reset", null);
  await simControl(SIM, "authorizers", { count: N });
  await start();
  await platformReady(SIM, api, worker.url);
});

after(async () => {
  await worker?.stop();
  rmSync(persistTo, { recursive: true, force: true });
  if (SIM) {
    await fetch(`${SIM}/__sim/faults`, { method: "DELETE" }).catch(() => {});
    await simControl(SIM, "settings", { perMinuteQuota: 0 }).catch(() => {});
    await simControl(SIM, "authorizers", { count: 0 }).catch(() => {});
    await simControl(SIM, "reset", null);
  }
});

const get = (path, k = KEYS.viewer) => api.request(path, { key: k });
const post = (path, body = {}, k = KEYS.admin) =>
  api.request(path, { key: k, method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
const fault = (body) => simControl(SIM, "faults", body);
const clearFaults = () => fetch(`${SIM}/__sim/faults`, { method: "DELETE" });

const target = (f) => ({ appid: f.appid, env: f.env, functionName: f.name });
/** Function j of env k of account i, by the rules. */
const fnOf = (i, k = 1, j = 0) => functionsOf(i).find((f) => f.k === k && f.j === j);
const tkey = (t) => `${t.env} ${t.functionName ?? t.function_name}`;

/** The simulator's last request so far: applied() counts what comes after. */
const lastSeq = async () => (await simControl(SIM, `requests?path=${encodeURIComponent(UPLOAD)}`)).reduce((m, r) => Math.max(m, r.seq), 0);

/** Applied uploads per target (env + function) after request `since`, from the simulator's request log. */
async function applied(since) {
  const requests = await simControl(SIM, `requests?path=${encodeURIComponent(UPLOAD)}`);
  const counts = new Map();
  for (const r of requests) {
    if (r.errcode !== 0 || r.seq <= since) continue;
    const k = tkey(JSON.parse(r.body));
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return counts;
}

async function startJob(body) {
  const r = await post("/api/jobs", body);
  assert.equal(r.status, 202, r.text);
  return r.json.id;
}

const job = async (id) => {
  const r = await get(`/api/jobs/${id}?limit=1000`);
  assert.equal(r.status, 200, r.text);
  return r.json;
};

async function finished(id, timeoutMs = JOB_WAIT_MS, meanwhile = async () => {}) {
  const done = await waitFor(async () => {
    await meanwhile();
    const j = await job(id);
    return ["done", "cancelled", "stopped"].includes(j.state) && j.inFlight === 0 ? j : null;
  }, timeoutMs);
  assert.ok(done, `job ${id} did not finish in time`);
  return done;
}

const byTarget = (results) => new Map(results.map((r) => [tkey(r), r]));

test("a job's body is checked before anything starts; viewers may not start one", async () => {
  const t = [target(fnOf(1))];
  const viewer = await post("/api/jobs", { edit: { kind: "grant_openapi", spec: { names: [GRANT] } }, targets: t }, KEYS.viewer);
  assert.equal(viewer.status, 403, viewer.text);
  for (const body of [
    { edit: { kind: "nope", spec: {} }, targets: t },
    { edit: { kind: "grant_openapi", spec: { names: ["not an api"] } }, targets: t },
    { edit: { kind: "set_timeout", spec: { timeout: 301 } }, targets: t },
    { edit: { kind: "set_trigger", spec: { name: "t", config: "not cron" } }, targets: t },
    { edit: { kind: "grant_openapi", spec: { names: [GRANT] } }, targets: [] },
    { edit: { kind: "grant_openapi", spec: { names: [GRANT] } }, targets: [...t, ...t] },
    { edit: { kind: "grant_openapi", spec: { names: [GRANT] } }, targets: t, dryRun: "yes" },
  ]) {
    const r = await post("/api/jobs", body);
    assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
  }
  assert.equal((await get("/api/jobs/not-a-job")).status, 404);
  assert.equal((await get("/api/jobs/00000000-0000-0000-0000-000000000000")).status, 404);
});

test("the fleet's routes: methods, credentials, roles and origins are checked before anything starts", async () => {
  const before = (await get("/api/jobs")).json.jobs.length;
  const body = JSON.stringify({ edit: { kind: "set_timeout", spec: { timeout: 5 } }, targets: [target(fnOf(1))] });
  const json = { "Content-Type": "application/json" };
  const id = "00000000-0000-4000-8000-000000000000";
  const routes = [
    ["GET", "/api/fleet/search?name=login", false],
    ["GET", "/api/fleet/status", false],
    ["POST", "/api/fleet/index", true],
    ["GET", "/api/jobs", false],
    ["POST", "/api/jobs", true],
    ["GET", `/api/jobs/${id}`, false],
    ["POST", `/api/jobs/${id}/cancel`, true],
    ["GET", `/api/jobs/${id}/report`, false],
  ];
  for (const [method, path, admin] of routes) {
    const send = (k, headers = {}) => api.request(path, { key: k, method, headers: { ...json, ...headers }, body: method === "POST" ? body : undefined });
    const none = await send(undefined);
    assert.equal(none.status, 401, `${method} ${path} without a key: ${none.text}`);
    const wrong = await send("not-the-key");
    assert.equal(wrong.status, 401, `${method} ${path} with a wrong key`);
    const preflight = await api.request(path, { method: "OPTIONS", headers: { Origin: "https://evil.example", "Access-Control-Request-Method": method } });
    assert.equal(preflight.status, 405, `OPTIONS ${path}`);
    assert.equal(preflight.headers.get("access-control-allow-origin"), null);
    if (admin) {
      assert.equal((await send(KEYS.viewer)).status, 403, `${method} ${path} as a viewer`);
      assert.equal((await send(KEYS.admin, { Origin: "https://evil.example" })).status, 403, `${method} ${path} from another origin`);
      assert.equal((await send(KEYS.admin, { "Content-Type": "text/plain" })).status, 415, `${method} ${path} not JSON`);
    }
  }
  assert.equal((await get("/api/jobs")).json.jobs.length, before, "no job was made");
});

// One target per account: env 1's first function (`login`).
const grantTargets = Array.from({ length: N }, (_, x) => fnOf(x + 1));
const outcomeOf = (f, dryRun) => (!hasTcb(f.i) ? "error" : f.openapi.includes(GRANT) ? "unchanged" : dryRun ? "would_write" : "written");

test("a dry run over 250 apps: every target's plan, nothing written", async () => {
  const since = await lastSeq();
  const id = await startJob({ edit: { kind: "grant_openapi", spec: { names: [GRANT] } }, targets: grantTargets.map(target), dryRun: true });
  const done = await finished(id);
  assert.equal(done.state, "done");
  assert.equal(done.total, N);
  const results = byTarget(done.results);
  for (const f of grantTargets) {
    const r = results.get(`${f.env} ${f.name}`);
    assert.equal(r.outcome, outcomeOf(f, true), `${f.appid}: ${JSON.stringify(r)}`);
    if (r.outcome === "would_write") assert.deepEqual(r.changes, [{ op: "added", field: "openapi", key: GRANT }]);
  }
  assert.equal((await applied(since)).size, 0, "a dry run uploads nothing");
});

test("a bulk grant over 250 apps completes; every outcome is right, each written target uploaded once", async () => {
  const started = Date.now();
  const since = await lastSeq();
  const id = await startJob({ edit: { kind: "grant_openapi", spec: { names: [GRANT] } }, targets: grantTargets.map(target) });
  const done = await finished(id);
  console.log(`bulk grant: ${Date.now() - started} ms, ${done.invocations} invocations, at most ${done.maxSubrequests} subrequests in one`);
  assert.equal(done.state, "done");
  assert.ok(done.maxSubrequests <= 40);
  const results = byTarget(done.results);
  const uploads = await applied(since);
  const want = { written: 0, unchanged: 0, error: 0 };
  for (const f of grantTargets) {
    const r = results.get(`${f.env} ${f.name}`);
    const outcome = outcomeOf(f, false);
    want[outcome] += 1;
    assert.equal(r.outcome, outcome, `${f.appid}: ${JSON.stringify(r)}`);
    assert.equal(uploads.get(`${f.env} ${f.name}`) ?? 0, outcome === "written" ? 1 : 0, f.appid);
    if (outcome === "error") assert.equal(r.errcode, 61007);
  }
  assert.deepEqual(done.counts, { ...done.counts, ...want, pending: 0, conflict: 0, unverified: 0, unknown_outcome: 0 });
  // The history: exactly one record per target (the first job that writes), under the admin key.
  const records = [];
  for (let offset = 0; ; offset += 200) {
    const page = await get(`/api/history?kind=job&offset=${offset}&limit=200`);
    assert.equal(page.status, 200, page.text);
    records.push(...page.json.records);
    if (records.length >= page.json.total) break;
  }
  assert.equal(records.length, grantTargets.length, "one record per target");
  const recorded = new Map(records.map((r) => [`${r.env} ${r.function}`, r]));
  assert.equal(recorded.size, grantTargets.length, "no target recorded twice");
  for (const f of grantTargets) {
    const r = recorded.get(`${f.env} ${f.name}`);
    assert.ok(r, `${f.appid} recorded`);
    assert.equal(r.appid, f.appid);
    assert.equal(r.who, "admin key");
    assert.equal(r.type, 1);
    assert.equal(r.outcome, outcomeOf(f, false) === "written" ? "written" : outcomeOf(f, false), f.appid);
  }
  // What WeChat holds now, through the Worker's own read route.
  const f = grantTargets.find((x) => outcomeOf(x, false) === "written");
  const config = await get(`/api/config?appid=${f.appid}&env=${f.env}&function=${f.name}&type=1`);
  assert.ok(config.json.openapi.includes(GRANT), config.text);
});

// Accounts 1…60 that have cloud development: env 1's second function (`orderSync`).
const sixty = Array.from({ length: 60 }, (_, x) => x + 1).filter(hasTcb).map((i) => fnOf(i, 1, 1));

test("a Worker restarted in the middle of a job resumes it; no target is written twice", async () => {
  await clearFaults();
  // Every upload is applied at once and answered late (most of a target's time), so that some
  // are in flight at the stop.
  await fault({ path: UPLOAD, times: 0, fault: { kind: "delay", ms: 1500 } });
  const since = await lastSeq();
  const startedAt = Date.now();
  const id = await startJob({ edit: { kind: "set_timeout", spec: { timeout: 42 } }, targets: sixty.map(target) });
  const midway = await waitFor(async () => {
    const j = await job(id);
    return j.counts.written >= 6 && j.inFlight > 0 ? j : null;
  }, 120000);
  assert.ok(midway, "the job got going");
  await worker.stop();
  await start();
  await clearFaults();
  const done = await finished(id);
  assert.equal(done.state, "done");
  assert.equal(done.counts.written, sixty.length, JSON.stringify(done.counts));
  const uploads = await applied(since);
  for (const f of sixty) assert.equal(uploads.get(`${f.env} ${f.name}`), 1, `${f.appid} uploaded once`);
  assert.ok(done.results.some((r) => r.resumed), "a target in flight at the stop was read first and found written");
  // One history record per target, the resumed ones included.
  const records = (await get(`/api/history?kind=job&type=3&from=${startedAt}&limit=200`)).json.records;
  const perTarget = new Map();
  for (const r of records) perTarget.set(`${r.env} ${r.function}`, (perTarget.get(`${r.env} ${r.function}`) ?? 0) + 1);
  for (const f of sixty) assert.equal(perTarget.get(`${f.env} ${f.name}`), 1, `${f.appid} recorded once`);
  assert.equal(records.length, sixty.length);
});

test("a burst of 45011 slows the job down and it still finishes", async () => {
  const sim = await privateSim();
  let own;
  try {
    await simControl(sim.url, "authorizers", { count: 5 });
    own = await startWorker({ simUrl: sim.url, ...SETTINGS });
    const client = recorder(own.url);
    await platformReady(sim.url, client, own.url);
    // Every function of accounts 2 and 5 (3 envs each): more calls per app than WeChat's minute
    // allows, though more than two targets' calls (a target makes at most 6: the read kept for
    // the history, a read first after an interruption, read, read again, write, read back).
    const many = [...functionsOf(2), ...functionsOf(5)];
    await simControl(sim.url, "settings", { perMinuteQuota: 12 });
    const r = await client.request("/api/jobs", {
      key: KEYS.admin, method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ edit: { kind: "set_timeout", spec: { timeout: 17 } }, targets: many.map(target) }),
    });
    assert.equal(r.status, 202, r.text);
    // WeChat's minute passes every second or so.
    let moved = Date.now();
    const done = await waitFor(async () => {
      if (Date.now() - moved >= 1000) {
        moved = Date.now();
        await simControl(sim.url, "clock", { advance: 61 });
      }
      const j = (await client.request(`/api/jobs/${r.json.id}?limit=1000`, { key: KEYS.viewer })).json;
      return ["done", "cancelled", "stopped"].includes(j.state) && j.inFlight === 0 ? j : null;
    }, JOB_WAIT_MS);
    assert.ok(done, "the job finished");
    assert.equal(done.state, "done");
    assert.ok(done.backoffs > 0, "45011 put the apps off");
    assert.equal(done.counts.written, many.length, JSON.stringify(done.counts));
    const slowed = (await simControl(sim.url, "requests?path=%2Ftcb%2Fgetfuncconfig")).filter((q) => q.errcode === 45011);
    assert.ok(slowed.length > 0, "WeChat answered 45011");
    const uploads = new Map();
    for (const q of await simControl(sim.url, `requests?path=${encodeURIComponent(UPLOAD)}`)) {
      if (q.errcode === 0) uploads.set(tkey(JSON.parse(q.body)), (uploads.get(tkey(JSON.parse(q.body))) ?? 0) + 1);
    }
    for (const f of many) assert.equal(uploads.get(`${f.env} ${f.name}`), 1, `${f.env} ${f.name}`);
  } finally {
    await own?.stop();
    sim.stop();
  }
});

test("45009 stops the job with the reason; what was not reached stays pending", async () => {
  const targets = Array.from({ length: 40 }, (_, x) => x + 61).filter(hasTcb).map((i) => fnOf(i, 1, 1));
  await fault({ path: "/tcb/getfuncconfig", times: 1, fault: { kind: "errcode", errcode: 45009 } });
  const since = await lastSeq();
  const id = await startJob({ edit: { kind: "set_timeout", spec: { timeout: 9 } }, targets: targets.map(target) });
  const done = await finished(id);
  assert.equal(done.state, "stopped");
  assert.match(done.reason, /45009/);
  assert.ok(done.counts.pending > 0, JSON.stringify(done.counts));
  assert.equal(done.counts.error, 0);
  const uploads = await applied(since);
  for (const r of done.results) {
    assert.equal(uploads.get(tkey(r)) ?? 0, r.outcome === "written" ? 1 : 0, JSON.stringify(r));
  }
});

test("cancelling stops the job; targets in flight finish, none is half-written", async () => {
  const targets = Array.from({ length: 60 }, (_, x) => x + 101).filter(hasTcb).map((i) => fnOf(i, 1, 1));
  await fault({ path: "/tcb/getfuncconfig", times: 0, fault: { kind: "delay", ms: 150 } });
  try {
    const since = await lastSeq();
    const id = await startJob({ edit: { kind: "set_trigger", spec: { name: "nightly", config: "0 0 3 * * * *" } }, targets: targets.map(target) });
    await waitFor(async () => (await job(id)).counts.written >= 3, 120000);
    const viewer = await post(`/api/jobs/${id}/cancel`, {}, KEYS.viewer);
    assert.equal(viewer.status, 403, viewer.text);
    const cancelled = await post(`/api/jobs/${id}/cancel`);
    assert.equal(cancelled.status, 200, cancelled.text);
    assert.equal(cancelled.json.state, "cancelled");
    const done = await finished(id);
    assert.equal(done.state, "cancelled");
    assert.ok(done.counts.pending > 0, "targets not started stay pending");
    await new Promise((r) => setTimeout(r, 1500));
    const uploads = await applied(since);
    const after = await job(id);
    assert.deepEqual(after.counts, done.counts, "nothing moves after a cancel");
    for (const r of after.results) {
      // Written and verified by the read back, or never uploaded.
      assert.equal(uploads.get(tkey(r)) ?? 0, r.outcome === "written" ? 1 : 0, JSON.stringify(r));
      assert.ok(["written", "pending"].includes(r.outcome), JSON.stringify(r));
    }
  } finally {
    await clearFaults();
  }
});

test("a lost upload answer is unknown_outcome, and that target is never written again", async () => {
  const targets = [fnOf(201, 1, 0), fnOf(202, 1, 1), fnOf(204, 1, 2)];
  await fault({ path: UPLOAD, function_name: targets[1].name, times: 1, fault: { kind: "truncate" } });
  const id = await startJob({ edit: { kind: "unset_env", spec: { keys: ["REGION"] } }, targets: targets.map(target) });
  const done = await finished(id);
  const results = byTarget(done.results);
  const lost = results.get(`${targets[1].env} ${targets[1].name}`);
  assert.equal(lost.outcome, "unknown_outcome", JSON.stringify(lost));
  const requests = await simControl(SIM, `requests?path=${encodeURIComponent(UPLOAD)}`);
  const tries = requests.filter((r) => tkey(JSON.parse(r.body)) === `${targets[1].env} ${targets[1].name}`);
  assert.equal(tries.length, 1, "one upload was sent for it, never a second");
});

test("a second writer: a change between the reads is a conflict (nothing written), a change after the write is unverified", async () => {
  const [a, b, c] = [fnOf(205, 1, 0), fnOf(206, 1, 1), fnOf(207, 1, 0)];
  const hook = (f, after, timeout) => simControl(SIM, "hooks", { env: f.env, function: f.name, type: 3, after, nth: 1, config: JSON.stringify({ timeout, environment: [] }) });
  await hook(a, "read", 99);
  await hook(b, "upload", 98);
  const since = await lastSeq();
  const id = await startJob({ edit: { kind: "set_timeout", spec: { timeout: 21 } }, targets: [a, b, c].map(target) });
  const done = await finished(id);
  const results = byTarget(done.results);
  const outcome = (f) => results.get(`${f.env} ${f.name}`);
  assert.equal(outcome(a).outcome, "conflict", JSON.stringify(outcome(a)));
  assert.equal(outcome(b).outcome, "unverified", JSON.stringify(outcome(b)));
  assert.equal(outcome(c).outcome, "written", JSON.stringify(outcome(c)));
  assert.ok(outcome(a).changes.some((ch) => ch.field === "timeout"), "the conflict says what changed");
  const uploads = await applied(since);
  assert.equal(uploads.get(`${a.env} ${a.name}`) ?? 0, 0);
  assert.equal(uploads.get(`${b.env} ${b.name}`), 1);
  assert.equal(uploads.get(`${c.env} ${c.name}`), 1);
  assert.deepEqual(done.counts, { ...done.counts, written: 1, conflict: 1, unverified: 1, pending: 0 });
});

test("a target of an app the registry does not hold is an error at once, and nothing is sent for it", async () => {
  const known = fnOf(208, 1, 0);
  const unknown = { appid: "wx-sim-app-9999", env: "prod-app9999", functionName: "login" };
  const id = await startJob({ edit: { kind: "set_timeout", spec: { timeout: 12 } }, targets: [target(known), unknown], dryRun: true });
  const done = await finished(id);
  const results = byTarget(done.results);
  assert.equal(results.get("prod-app9999 login").outcome, "error");
  assert.equal(results.get("prod-app9999 login").code, "unknown_app");
  assert.equal(results.get(`${known.env} ${known.name}`).outcome, "would_write");
  const asked = await simControl(SIM, "requests?path=%2Ftcb%2Fgetfuncconfig");
  assert.ok(!asked.some((r) => r.body.includes("prod-app9999")), "nothing asked about the unknown app");
});

test("set_env: the values reach WeChat and no answer about the job ever shows them", async () => {
  const VALUE = "fleet-secret-value-5e1a";
  const f = fnOf(209, 1, 0);
  const since = await lastSeq();
  const id = await startJob({ edit: { kind: "set_env", spec: { set: { FLEET_TOKEN: VALUE } } }, targets: [target(f)] });
  const running = await get(`/api/jobs/${id}`);
  assert.doesNotMatch(running.text, new RegExp(VALUE));
  const done = await finished(id);
  assert.equal(done.counts.written, 1, JSON.stringify(done.counts));
  assert.deepEqual(done.results[0].changes, [{ op: "added", field: "environment", key: "FLEET_TOKEN", after: "••••••", masked: true }]);
  for (const path of [`/api/jobs/${id}`, `/api/jobs/${id}/report`, `/api/jobs/${id}/report?format=csv`, "/api/jobs"]) {
    const r = await get(path);
    assert.equal(r.status, 200, r.text);
    assert.doesNotMatch(r.text, new RegExp(VALUE), path);
  }
  assert.equal((await applied(since)).get(`${f.env} ${f.name}`), 1);
  const config = await api.request(`/api/config?appid=${f.appid}&env=${f.env}&function=${f.name}&type=3&reveal=1`, { key: KEYS.admin, expectSecret: true });
  assert.ok(config.json.environment.some((v) => v.key === "FLEET_TOKEN" && v.value === VALUE), "WeChat holds the value");
});

test("the report, as JSON and as CSV", async () => {
  const jobs = await get("/api/jobs");
  assert.equal(jobs.status, 200, jobs.text);
  const grant = jobs.json.jobs.find((j) => j.edit?.kind === "grant_openapi" && !j.dryRun);
  const json = await get(`/api/jobs/${grant.id}/report`);
  assert.equal(json.status, 200, json.text);
  assert.equal(json.json.results.length, N);
  const csv = await get(`/api/jobs/${grant.id}/report?format=csv`);
  assert.equal(csv.status, 200, csv.text);
  assert.match(csv.headers.get("content-type"), /^text\/csv/);
  assert.match(csv.headers.get("content-disposition"), /attachment; filename="job-[0-9a-f-]+\.csv"/);
  const lines = csv.text.trimEnd().split("\r\n");
  assert.equal(lines[0], "appid,env,functionName,outcome,code,errcode,message,changes");
  assert.equal(lines.length, N + 1);
  const first = lines.find((l) => l.startsWith(`${appidOf(1)},`));
  const f = fnOf(1);
  assert.equal(first.split(",")[3], outcomeOf(f, false));
  assert.ok(lines.some((l) => /,error,api,61007,/.test(l)), "61007 rows carry the code");
  assert.equal((await get(`/api/jobs/${grant.id}/report?format=xml`)).status, 400);
});
