// The history view in a real Chromium, through the real Worker in front of the simulator: the
// timeline from a config card, the filters and the address, a record's change side by side,
// the admin's rollback with its dry-run preview (checked on the simulator), the viewer's page
// without Rollback or any value, Chinese, and 375 px.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { KEYS, SIM_TOKEN, eventually, lookUp, openPage, screenshot, signIn, simControl, startAll } from "./browser.mjs";

// An environment of its own: the other page tests list the seeded one's functions.
const ENV = `page-history-${process.pid}`;
const FN = "pHist";
const KEY = `k1:${Buffer.alloc(32, 7).toString("base64")}`;
const FIRST = "hist-s3cret-Value-31";
const SECOND = "hist-s3cret-Value-62";
const EARLIER = JSON.stringify({ timeout: 5, environment: [{ key: "TOKEN", value: FIRST }, { key: "MODE", value: "a" }] });
let env;

before(async () => {
  env = await startAll({ shots: "history-", secrets: { HISTORY_KEY: KEY } });
  await simControl(env.sim.url, "/__sim/functions", { env: ENV, names: [FN] });
  await simControl(env.sim.url, "/__sim/configs", { env: ENV, function_name: FN, type: 3, config: EARLIER });
  // Two edits through the Worker: two records.
  const version = (await workerApi(`/api/config?env=${ENV}&function=${FN}&type=3`, KEYS.viewer)).version;
  const one = await workerApi("/api/edit/environment", KEYS.admin, { env: ENV, function: FN, expectedVersion: version, set: { TOKEN: SECOND } });
  await workerApi("/api/edit/environment", KEYS.admin, { env: ENV, function: FN, expectedVersion: one.config.version, timeout: 9 });
});

after(async () => {
  await env?.stop();
});

async function workerApi(path, key, body) {
  const response = await fetch(env.worker.url + path, body === undefined
    ? { headers: { Authorization: `Bearer ${key}` } }
    : { method: "POST", headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const json = await response.json();
  assert.ok(response.ok, `${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

async function storedRaw() {
  const response = await fetch(`${env.sim.url}/tcb/getfuncconfig?access_token=${SIM_TOKEN}`, {
    method: "POST", body: JSON.stringify({ env: ENV, function_name: FN, type: 3 }),
  });
  return (await response.json()).config;
}

const records = (page) => page.locator("#history-view .history-record");

test("admin: a card's history, the filters, a change side by side, and a rollback previewed first", async () => {
  const { page, finish } = await openPage(env);
  await signIn(page, KEYS.admin);
  await lookUp(page, { env: ENV, functionName: FN, type: "3" });
  await page.locator('#results-body [data-kind="environment"] .history-link').click();
  await eventually(async () => (await records(page).count()) === 2, "two records");
  assert.match(page.url(), new RegExp(`view=history.*function=${FN}`));
  assert.equal(await page.locator("#lookup-view").isHidden(), true);
  const first = records(page).first();
  assert.match(await first.textContent(), /admin key/);
  assert.equal(await first.getAttribute("data-kind"), "edit");

  // Filters: a person nobody is, then none.
  await page.locator("#history-who").fill("nobody@example.com");
  await page.locator("#history-apply").click();
  await page.locator("#history-view .history-none").waitFor();
  assert.match(page.url(), /who=nobody/);
  await page.locator("#history-who").fill("");
  await page.locator("#history-function").fill(FN);
  await page.locator("#history-from").fill(new Date(Date.now() - 86400e3).toISOString().slice(0, 10));
  await page.locator("#history-apply").click();
  await eventually(async () => (await records(page).count()) === 2, "two records again");

  // The older record's change: before and after side by side, values masked.
  const older = records(page).nth(1);
  await older.locator(".history-diff").click();
  await older.locator(".history-sides").waitFor();
  assert.equal(await older.locator('.summary[data-side="before"] .diff-changed').count(), 1);
  assert.equal(await older.locator('.summary[data-side="after"] .diff-changed').count(), 1);
  assert.ok(!(await older.textContent()).includes(FIRST));
  await screenshot(page, "diff");

  // The newer edit rolls back: first the preview, then the write.
  const newer = records(page).first();
  await newer.locator(".history-rollback").click();
  await newer.locator(".history-preview").waitFor();
  assert.deepEqual(await newer.locator(".history-preview .change").evaluateAll((els) => els.map((e) => e.dataset.field)), ["timeout"]);
  const before = await storedRaw();
  await screenshot(page, "preview");
  await newer.locator(".history-confirm").click();
  await eventually(async () => (await records(page).count()) === 3, "the rollback recorded");
  assert.equal(await records(page).first().getAttribute("data-kind"), "rollback");
  assert.notEqual(await storedRaw(), before);
  assert.equal(JSON.parse(await storedRaw()).timeout, 5);
  // Then the first edit: the config is now as that edit left it, so it rolls back to EARLIER.
  const firstEdit = records(page).nth(2);
  await firstEdit.locator(".history-rollback").click();
  await firstEdit.locator(".history-confirm").click();
  await eventually(async () => (await records(page).count()) === 4, "the second rollback recorded");
  assert.equal(await storedRaw(), EARLIER);
  await finish();
});

test("viewer: the history from the address, masked, with no Rollback; 375 px; Chinese", async () => {
  const { page, finish } = await openPage(env, { viewport: { width: 375, height: 800 }, locale: "zh-CN" });
  await page.goto(`${env.worker.url}/?view=history&function=${FN}`);
  await page.locator("#access-key").fill(KEYS.viewer);
  await page.locator("#signin-form button[type=submit]").click();
  await eventually(async () => (await records(page).count()) >= 4, "the records");
  assert.equal(await page.locator("#view-history").textContent(), "历史");
  assert.equal(await page.locator("#history-view .history-rollback").count(), 0);
  await records(page).last().locator(".history-diff").click();
  await records(page).last().locator(".history-sides").waitFor();
  const text = await page.locator("#history-view").textContent();
  for (const secret of [FIRST, SECOND]) assert.ok(!text.includes(secret), `the viewer sees ${secret}`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than 375`);
  await screenshot(page, "viewer-375");
  await finish();
});
