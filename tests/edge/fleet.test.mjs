// The platform's fleet index and search in workerd against the simulator: an index build over
// 250 generated accounts (a job on the FleetStore's alarm, in batches under the subrequest
// budget), a refresh that reads only what changed, and every kind of search, each checked
// against the numbers recomputed from the simulator's seed rules (tests/edge/fleet-rules.mjs).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { KEYS, recorder, simControl, startWorker, waitFor } from "./harness.mjs";
import { appidOf, hasTcb, key, readableFunctions } from "./fleet-rules.mjs";

const SIM = process.env.SIM_URL;
const N = 250;
const SETTINGS = {
  secrets: { WECHAT_ACCESS_TOKEN: undefined, COMPONENT_APPSECRET: "sim-component-secret", COMPONENT_TOKEN: "sim-component-token", COMPONENT_AES_KEY: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG" },
  vars: { COMPONENT_APPID: "wx-sim-component", WECHAT_TIMEOUT_MS: "20000" },
};
const BUILD_WAIT_MS = 900000;
const GET_CONFIG = "/tcb/getfuncconfig";

let worker, api;
const expected = readableFunctions(N);

before(async () => {
  assert.ok(SIM, "SIM_URL must point at a running tcb-sim");
  await simControl(SIM, "reset", null);
  await simControl(SIM, "authorizers", { count: N });
  worker = await startWorker({ simUrl: SIM, ...SETTINGS });
  api = recorder(worker.url);
  const pushed = await simControl(SIM, "push", { url: `${worker.url}/wechat/events`, info_type: "component_verify_ticket" });
  assert.equal(pushed.success, true, JSON.stringify(pushed));
  const imported = await post("/api/apps/import");
  assert.equal(imported.status, 200, imported.text);
});

after(async () => {
  await worker?.stop();
  if (SIM) {
    await simControl(SIM, "authorizers", { count: 0 }).catch(() => {});
    await simControl(SIM, "reset", null);
  }
});

const get = (path, k = KEYS.viewer) => api.request(path, { key: k });
const post = (path, body = {}, k = KEYS.admin) =>
  api.request(path, { key: k, method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
const count = async (path) => (await simControl(SIM, "state")).counters[path] ?? 0;

async function finished(id, timeoutMs = BUILD_WAIT_MS) {
  const job = await waitFor(async () => {
    const r = await get(`/api/jobs/${id}?limit=1`);
    assert.equal(r.status, 200, r.text);
    return ["done", "cancelled", "stopped"].includes(r.json.state) ? r.json : null;
  }, timeoutMs);
  assert.ok(job, `job ${id} did not finish in time`);
  return job;
}

/** Every row of a search (all pages), of the generated accounts only. */
async function searchAll(query) {
  const rows = [];
  for (let offset = 0; ; offset += 500) {
    const r = await get(`/api/fleet/search?${query}&limit=500&offset=${offset}`);
    assert.equal(r.status, 200, r.text);
    rows.push(...r.json.rows);
    if (offset + 500 >= r.json.total) break;
  }
  return rows.filter((r) => r.appid.startsWith("wx-sim-app-"));
}

function sameSet(rows, wanted, label) {
  const got = rows.map(key).sort();
  const want = wanted.map(key).sort();
  assert.equal(got.length, want.length, `${label}: ${got.length} rows, the rules give ${want.length}`);
  assert.deepEqual(got, want, label);
}

let built;

test("an index build over 250 apps: every readable function indexed, in batches under the budget", async () => {
  const viewer = await post("/api/fleet/index", {}, KEYS.viewer);
  assert.equal(viewer.status, 403, viewer.text);
  const bad = await post("/api/fleet/index", { types: [4] });
  assert.equal(bad.status, 400, bad.text);

  const started = Date.now();
  const r = await post("/api/fleet/index", { types: [1, 2, 3] });
  assert.equal(r.status, 202, r.text);
  assert.match(r.json.id, /^[0-9a-f-]{36}$/);
  built = await finished(r.json.id);
  assert.equal(built.state, "done");
  assert.equal(built.counts.pending, 0);
  // 61007 for every tenth account (no cloud development): its app step fails, nothing else.
  assert.equal(built.counts.error, N / 10, JSON.stringify(built.counts));
  assert.ok(built.maxSubrequests <= 40, `at most 40 subrequests an invocation, ${built.maxSubrequests} seen`);
  assert.ok(built.invocations > 1);
  console.log(`index build: ${Date.now() - started} ms, ${built.invocations} invocations, ${built.subrequests} budgeted subrequests`);

  const failed = (await get(`/api/jobs/${built.id}/report`)).json.results.filter((t) => t.outcome === "error");
  assert.deepEqual(failed.map((t) => t.appid).sort(), Array.from({ length: N / 10 }, (_, x) => appidOf(10 * (x + 1))));
  assert.ok(failed.every((t) => t.errcode === 61007), "the failures are WeChat's 61007");

  const all = await searchAll("timeoutMin=0");
  sameSet(all, expected, "every function with a timeout");
  // No environment value is stored or answered: keys only.
  assert.doesNotMatch(JSON.stringify(all), /key-\d{4}-|pw-\d{4}-/);
  const status = await get("/api/fleet/status");
  assert.equal(status.status, 200, status.text);
  assert.ok(status.json.functions >= expected.length);
  assert.equal(status.json.lastIndex.id, built.id);
});

test("search by name, exact and by its beginning; each row links into the page", async () => {
  sameSet(await searchAll("name=orderSync"), expected.filter((f) => f.name === "orderSync"), "name=orderSync");
  sameSet(await searchAll("namePrefix=report"), expected.filter((f) => f.name.startsWith("report")), "namePrefix=report");
  sameSet(await searchAll("name=report"), [], "an exact name matches whole names only");
  const page = await get("/api/fleet/search?name=login&limit=3&offset=2");
  assert.equal(page.json.rows.length, 3);
  assert.equal(page.json.offset, 2);
  const row = page.json.rows[0];
  assert.equal(row.link, `/?app=${row.appid}&env=${row.env}&fn=login`);
  const nick = (await searchAll("name=login")).find((r) => r.appid === "wx-sim-app-0001");
  assert.equal(nick.nickname === null || nick.nickname === "Sim App 0001", true);
});

test("search by granted openapi name", async () => {
  for (const api of ["urllink.generate", "wxacode.get", "phonenumber.getPhoneNumber"]) {
    sameSet(await searchAll(`openapi=${encodeURIComponent(api)}`), expected.filter((f) => f.openapi.includes(api)), `openapi=${api}`);
  }
  sameSet(await searchAll("openapi=openapi.unknown"), [], "an API no function has");
});

test("search by trigger: fires within a window on a day, fires more often than every N minutes", async () => {
  // The simulator's triggers fire daily at hour:minute (UTC+8).
  const inWindow = (t, from, to) => t !== null && t.hour * 60 + t.minute >= from && t.hour * 60 + t.minute < to;
  for (const [from, to] of [["09:00", "10:30"], ["00:00", "24:00"], ["23:59", "24:00"]]) {
    const m = (s) => (s === "24:00" ? 1440 : Number(s.slice(0, 2)) * 60 + Number(s.slice(3)));
    sameSet(
      await searchAll(`firesOn=2026-12-08&from=${from}&to=${to}`),
      expected.filter((f) => inWindow(f.trigger, m(from), m(to))),
      `fires on 2026-12-08 ${from}–${to}`,
    );
  }
  sameSet(await searchAll("moreOftenThan=1441"), expected.filter((f) => f.trigger !== null), "daily triggers fire more often than every 1441 minutes");
  sameSet(await searchAll("moreOftenThan=1440"), [], "and not more often than every 1440");
  const bad = await get("/api/fleet/search?firesOn=2026-13-01");
  assert.equal(bad.status, 400, bad.text);
  assert.equal((await get("/api/fleet/search?firesOn=2026-12-08&from=10:00&to=09:00")).status, 400);
});

test("search by environment variable key present or missing, and by timeout range", async () => {
  sameSet(await searchAll("envKey=DB_PASSWORD"), expected.filter((f) => f.keys.includes("DB_PASSWORD")), "envKey=DB_PASSWORD");
  sameSet(await searchAll("missingEnvKey=API_KEY"), expected.filter((f) => !f.keys.includes("API_KEY")), "missingEnvKey=API_KEY");
  sameSet(await searchAll("timeoutMin=5&timeoutMax=7"), expected.filter((f) => f.timeout >= 5 && f.timeout <= 7), "timeout 5–7");
  sameSet(
    await searchAll("name=notify&envKey=REGION&timeoutMax=8"),
    expected.filter((f) => f.name === "notify" && f.keys.includes("REGION") && f.timeout <= 8),
    "filters combine",
  );
  assert.equal((await get("/api/fleet/search")).status, 400, "a search needs a filter");
  assert.equal((await get("/api/fleet/search?nope=1")).status, 400, "an unknown parameter is refused");
  assert.equal((await get("/api/fleet/search?name=login", "wrong-key")).status, 401);
});

test("a refresh reads no config whose function did not change", async () => {
  const reads = await count(GET_CONFIG);
  const r = await post("/api/fleet/index", {});
  assert.equal(r.status, 202, r.text);
  const again = await finished(r.json.id);
  assert.equal(again.state, "done");
  assert.equal(await count(GET_CONFIG), reads, "no getfuncconfig: every mod_time is the same");
  assert.ok(again.total < built.total, "no function step this time");
  sameSet(await searchAll("timeoutMin=0"), expected, "the index is unchanged");
  assert.ok(expected.every((f) => hasTcb(f.i)));
});
