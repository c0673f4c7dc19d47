// The fleet page (www/fleet.html) in a real Chromium, through the platform Worker (wrangler dev
// / workerd) in front of the simulator with 30 generated mini programs: searches checked
// against the simulator's seed rules, a bulk edit's preview, a run with live progress, a
// cancel, the CSV report, the viewer's page, and the page in Chinese at 375 px. Every test
// checks on the simulator what was (or was not) written, and fails on any console error.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { KEYS, SCREENSHOTS, eventually, openPage, simulator } from "./browser.mjs";
import { startWorker, waitFor } from "../edge/harness.mjs";
import { appidOf, readableFunctions } from "../edge/fleet-rules.mjs";

const N = 30;
const UPLOAD = "/tcb/uploadfuncconfig";
const GRANT = "urllink.generate";
const SETTINGS = {
  secrets: { WECHAT_ACCESS_TOKEN: undefined, COMPONENT_APPSECRET: "sim-component-secret", COMPONENT_TOKEN: "sim-component-token", COMPONENT_AES_KEY: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG" },
  vars: { COMPONENT_APPID: "wx-sim-component", WECHAT_TIMEOUT_MS: "20000" },
};
const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run",
];
const expected = readableFunctions(N);
let env;

async function sim(path, body) {
  const r = await fetch(env.sim.url + path, body === undefined ? {} : { method: body === "DELETE" ? "DELETE" : "POST", ...(body === "DELETE" ? {} : { body: JSON.stringify(body) }) });
  assert.ok(r.ok, `simulator ${path}: ${r.status}`);
  return r.json();
}

async function api(path, body) {
  const r = await fetch(env.worker.url + path, {
    method: body === undefined ? "GET" : "POST",
    headers: { Authorization: `Bearer ${KEYS.admin}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await r.json();
  assert.ok(r.ok, `${path}: ${r.status} ${JSON.stringify(json)}`);
  return json;
}

before(async () => {
  const s = await simulator();
  const worker = await startWorker({ simUrl: s.url, ...SETTINGS });
  env = { sim: s, worker };
  await sim("/__sim/reset", {});
  await sim("/__sim/authorizers", { count: N });
  const pushed = await sim("/__sim/push", { url: `${worker.url}/wechat/events`, info_type: "component_verify_ticket" });
  assert.equal(pushed.success, true);
  await api("/api/apps/import", {});
  // The generated accounts only (the seeded one has functions of its own).
  const { id } = await api("/api/fleet/index", { appids: Array.from({ length: N }, (_, x) => appidOf(x + 1)) });
  const built = await waitFor(async () => ((await api(`/api/jobs/${id}?limit=1`)).state === "done" ? true : null), 300000);
  assert.ok(built, "the index was built");
  mkdirSync(SCREENSHOTS, { recursive: true });
  env.browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", headless: true, args: CHROMIUM_ARGS });
});

after(async () => {
  await env?.browser?.close();
  await env?.worker?.stop();
  if (env?.sim) {
    await sim("/__sim/faults", "DELETE").catch(() => {});
    await sim("/__sim/authorizers", { count: 0 }).catch(() => {});
    await sim("/__sim/reset", {}).catch(() => {});
    env.sim.stop();
  }
});

// --- helpers -------------------------------------------------------------------------------

/** Opens fleet.html (at `query`) signed in with `key`. */
async function openFleet(key = KEYS.admin, options = {}, query = "") {
  const opened = await openPage(env, options);
  const { page } = opened;
  await page.goto(`${env.worker.url}/fleet.html${query}`);
  await page.fill("#f-key", key);
  await page.click("#f-signin-form button[type=submit]");
  await page.waitForSelector("#f-workspace:not([hidden])");
  return opened;
}

async function search(page, kind, value) {
  await page.selectOption("#f-kind", kind);
  if (value !== undefined) await page.fill("#f-value", value);
  await page.click("#f-search");
}

const totalShown = async (page) => Number((await page.locator("#f-total").textContent()).match(/\d+/)[0]);

/** Applied uploads after request `since`, per "env function". */
async function uploads(since) {
  const counts = new Map();
  for (const r of await sim(`/__sim/requests?path=${encodeURIComponent(UPLOAD)}`)) {
    if (r.errcode !== 0 || r.seq <= since) continue;
    const b = JSON.parse(r.body);
    counts.set(`${b.env} ${b.function_name}`, (counts.get(`${b.env} ${b.function_name}`) ?? 0) + 1);
  }
  return counts;
}
const lastSeq = async () => (await sim(`/__sim/requests?path=${encodeURIComponent(UPLOAD)}`)).reduce((m, r) => Math.max(m, r.seq), 0);

async function jobState(page) {
  return page.locator("#f-job-title").textContent();
}

// --- the tests ------------------------------------------------------------------------------

test("search: each kind of query answers what the seed rules give, with links into the page", async () => {
  const { page, finish } = await openFleet();
  await eventually(async () => /\b27 mini programs/.test(await page.locator("#f-index").textContent()), "the index line");

  await search(page, "openapi", GRANT);
  await page.waitForSelector("#f-total");
  assert.equal(await totalShown(page), expected.filter((f) => f.openapi.includes(GRANT)).length);
  assert.match(page.url(), /\?openapi=urllink\.generate$/, "the search is in the address");
  const href = await page.locator("#f-results tbody a").first().getAttribute("href");
  assert.match(href, /^\/\?app=wx-sim-app-\d{4}&env=[a-z]+-app\d{4}&fn=\w+$/);

  await page.selectOption("#f-kind", "timeout");
  await page.fill("#f-tmin", "5");
  await page.fill("#f-tmax", "7");
  await page.click("#f-search");
  await eventually(async () => (await totalShown(page)) === expected.filter((f) => f.timeout >= 5 && f.timeout <= 7).length, "timeout 5–7");

  await page.selectOption("#f-kind", "firesOn");
  await page.fill("#f-day", "2026-12-08");
  await page.fill("#f-from", "09:00");
  await page.fill("#f-to", "12:00");
  await page.click("#f-search");
  const fires = expected.filter((f) => f.trigger && f.trigger.hour >= 9 && f.trigger.hour < 12).length;
  await eventually(async () => fires === 0 ? (await page.locator("#f-results").textContent()).includes("No function") : (await totalShown(page)) === fires, "fires 09:00–12:00");

  await search(page, "missingEnvKey", "API_KEY");
  await eventually(async () => (await totalShown(page)) === expected.filter((f) => !f.keys.includes("API_KEY")).length, "missing API_KEY");
  // Pages of 50.
  const total = await totalShown(page);
  if (total > 50) {
    await page.click("#f-next");
    await eventually(async () => (await page.locator(".fleet-pager span").textContent()).startsWith("51–"), "the second page");
  }
  await finish();

  // The address alone brings a search back.
  const again = await openFleet(KEYS.viewer, {}, "?name=login");
  await again.page.waitForSelector("#f-total");
  assert.equal(await totalShown(again.page), expected.filter((f) => f.name === "login").length);
  assert.equal(await again.page.locator("#f-run").isDisabled(), true, "a viewer may not run an edit");
  assert.equal(await again.page.locator("#f-preview").isDisabled(), true);
  await again.finish();
});

let lastJobPage;

test("a bulk edit: the preview writes nothing; the run shows its progress live and writes each target once", async () => {
  const opened = await openFleet();
  const { page } = opened;
  await search(page, "name", "login");
  await page.waitForSelector("#f-total");
  await page.click("#f-all");
  const logins = expected.filter((f) => f.name === "login");
  await eventually(async () => (await page.locator("#f-chosen").textContent()).includes(`${logins.length} functions`), "all chosen");
  await page.selectOption("#f-edit-kind", "grant_openapi");
  await page.fill("#f-list", GRANT);
  const before = await lastSeq();

  await page.click("#f-preview");
  await eventually(async () => /Preview.*Done/.test(await jobState(page)), "the preview is done", 60000);
  const wouldWrite = logins.filter((f) => !f.openapi.includes(GRANT));
  assert.equal(await page.locator('#f-job-results tr[data-outcome="would_write"]').count(), wouldWrite.length);
  assert.equal((await uploads(before)).size, 0, "a preview uploads nothing");

  // Slow reads, so that the progress can be seen moving.
  await sim("/__sim/faults", { path: "/tcb/getfuncconfig", times: 0, fault: { kind: "delay", ms: 120 } });
  try {
    await page.click("#f-run");
    const seen = new Set();
    await eventually(async () => {
      seen.add(await page.locator("#f-progress-text").textContent().catch(() => ""));
      return /Bulk edit.*Done/.test(await jobState(page));
    }, "the run is done", 120000);
    const partial = [...seen].filter((s) => /^(\d+) of (\d+)/.test(s) && Number(s.match(/^(\d+)/)[1]) < Number(s.match(/of (\d+)/)[1]));
    assert.ok(partial.length >= 1, `the progress was seen before the end: ${[...seen].join(" | ")}`);
  } finally {
    await sim("/__sim/faults", "DELETE");
  }
  assert.equal(await page.locator('#f-job-results tr[data-outcome="written"]').count(), wouldWrite.length);
  const applied = await uploads(before);
  for (const f of wouldWrite) assert.equal(applied.get(`${f.env} ${f.name}`), 1, `${f.appid} written once`);
  assert.equal(applied.size, wouldWrite.length);
  assert.match(page.url(), /job=[0-9a-f-]{36}/, "the job is in the address");
  lastJobPage = opened;
});

test("the report downloads as CSV, one line per target", async () => {
  const { page, finish } = lastJobPage;
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#f-report")]);
  assert.match(download.suggestedFilename(), /^job-[0-9a-f-]{36}\.csv$/);
  const text = readFileSync(await download.path(), "utf8");
  const lines = text.trimEnd().split("\r\n");
  assert.equal(lines[0], "appid,env,functionName,outcome,code,errcode,message,changes");
  assert.equal(lines.length, expected.filter((f) => f.name === "login").length + 1);
  assert.ok(lines.slice(1).every((l) => /,(written|unchanged),/.test(l)), "each target's outcome");
  await finish();
});

test("cancel: the run stops, the targets not reached stay pending and are not written", async () => {
  const { page, finish } = await openFleet();
  await search(page, "name", "orderSync");
  await page.waitForSelector("#f-total");
  await page.click("#f-all");
  await page.selectOption("#f-edit-kind", "set_timeout");
  await page.fill("#f-timeout", "33");
  await sim("/__sim/faults", { path: "/tcb/getfuncconfig", times: 0, fault: { kind: "delay", ms: 200 } });
  const before = await lastSeq();
  try {
    await page.click("#f-run");
    await eventually(async () => /^[1-9]\d* of/.test(await page.locator("#f-progress-text").textContent().catch(() => "")), "the run got going", 60000);
    await page.click("#f-cancel");
    await eventually(async () => /Cancelled/.test(await jobState(page)), "cancelled", 60000);
  } finally {
    await sim("/__sim/faults", "DELETE");
  }
  const id = new URL(page.url()).searchParams.get("job");
  const job = await waitFor(async () => {
    const j = await api(`/api/jobs/${id}?limit=1000`);
    return j.inFlight === 0 ? j : null;
  }, 60000);
  assert.equal(job.state, "cancelled");
  assert.ok(job.counts.pending > 0, JSON.stringify(job.counts));
  const applied = await uploads(before);
  for (const r of job.results) assert.equal(applied.get(`${r.env} ${r.functionName}`) ?? 0, r.outcome === "written" ? 1 : 0, JSON.stringify(r));
  await finish();
});

test("in Chinese at 375 px: the page fits and speaks Chinese", async () => {
  const { page, finish } = await openFleet(KEYS.admin, { viewport: { width: 375, height: 800 }, locale: "zh-CN" });
  assert.equal(await page.locator("h1").textContent(), "批量管理");
  assert.equal(await page.locator("#f-search").textContent(), "搜索");
  await search(page, "name", "notify");
  await page.waitForSelector("#f-total");
  assert.match(await page.locator("#f-total").textContent(), /^找到 \d+ 个云函数$/);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 375, `no sideways scrolling at 375 px (${width})`);
  await page.screenshot({ path: join(SCREENSHOTS, "fleet-375-zh.png"), fullPage: true });
  await finish();
});
