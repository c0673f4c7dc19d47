// The admin page in a real Chromium, served by the real Worker (wrangler dev / workerd) in
// front of the simulator. Every test fails on any console error, page error or dialog.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import {
  ENV, KEYS, SCREENSHOTS, SIM_TOKEN, eventually, lookUp, openPage, screenshot, signIn, simControl, startAll, waitIdle,
} from "./browser.mjs";
import { nextRuns, parseCron } from "../../pkg/node.js";

let env;

before(async () => {
  env = await startAll();
});

after(async () => {
  await env?.stop();
  console.log(`screenshots: ${SCREENSHOTS}`);
});

const card = (page, kind) => page.locator(`#results-body [data-kind="${kind}"]`);
const storage = (page) => page.evaluate(() => ({
  session: Object.entries(sessionStorage),
  local: Object.entries(localStorage),
}));

test("viewer signs in: role shown, key in sessionStorage only, sign-out forgets it", async () => {
  const t = await openPage(env);
  const { page } = t;
  await page.getByLabel("Access key").waitFor();
  await screenshot(page, "signin");
  // Hold /api/me until the loading state was checked.
  let release;
  const held = new Promise((resolve) => (release = resolve));
  await page.route("**/api/me", async (route) => {
    await held;
    await route.continue();
  });
  await page.getByLabel("Access key").fill(KEYS.viewer);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.locator('#signin[aria-busy="true"]').waitFor();
  assert.match(await page.locator("#signin-status").textContent(), /Checking the key/);
  assert.equal(await page.getByRole("button", { name: "Sign in", exact: true }).isDisabled(), true);
  await screenshot(page, "signin-checking");
  release();
  await page.locator("#role:not([hidden])").waitFor();
  await page.unroute("**/api/me");
  assert.equal(await page.locator("#role").textContent(), "Viewer");
  assert.equal(await page.locator("#role").getAttribute("data-role"), "viewer");
  assert.equal(await page.getByRole("heading", { name: "Look up a function" }).isVisible(), true);

  await lookUp(page, { functionName: "orderSync", type: "3" });
  let s = await storage(page);
  assert.ok(s.session.some(([, v]) => v.includes(KEYS.viewer)), "the key is in sessionStorage");
  assert.ok(!s.local.some(([k, v]) => k.includes(KEYS.viewer) || v.includes(KEYS.viewer)), "never in localStorage");
  assert.ok(s.local.length > 0, "recent queries are in localStorage");

  // A reload in the same tab keeps the session.
  await page.reload();
  await page.locator("#role:not([hidden])").waitFor();
  assert.equal(await page.locator("#role").textContent(), "Viewer");

  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByLabel("Access key").waitFor();
  assert.equal(await page.locator("#workspace").isHidden(), true);
  assert.equal(await page.locator("#role").isHidden(), true);
  s = await storage(page);
  assert.deepEqual(s.session, [], "sign-out clears sessionStorage");
  assert.ok(!JSON.stringify(s.local).includes(KEYS.viewer));
  await t.finish();
});

test("admin signs in with the keyboard only", async () => {
  const t = await openPage(env);
  const { page } = t;
  await page.getByLabel("Access key").focus();
  await page.keyboard.type(KEYS.admin);
  await page.keyboard.press("Enter");
  await page.locator("#role:not([hidden])").waitFor();
  assert.equal(await page.locator("#role").textContent(), "Admin");
  // Focus moves to the form; Tab reaches the submit button, which shows a focus ring.
  assert.equal(await page.evaluate(() => document.activeElement.id), "q-env");
  await page.keyboard.type(ENV);
  await page.keyboard.press("Tab");
  await page.keyboard.type("reportDaily");
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.id), "q-submit");
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, "none", "visible focus");
  await page.keyboard.press("Enter");
  await waitIdle(page);
  const trigger = card(page, "timerTrigger").locator("tbody tr");
  assert.equal(await trigger.locator("th").textContent(), "weekdayMorning");
  assert.equal(await trigger.locator("code.cron").textContent(), "0 15 10 * * MON-FRI *");
  await screenshot(page, "admin-keyboard-timer");
  await t.finish();
});

test("a wrong key shows the error and keeps nothing", async () => {
  const t = await openPage(env);
  const { page } = t;
  t.expectHttp(401, "/api/me");
  await page.getByLabel("Access key").waitFor();
  await page.getByLabel("Access key").fill("not-a-key");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  const error = page.locator('#signin-status [role="alert"]');
  await error.waitFor();
  assert.match(await page.locator("#signin-status").textContent(), /not accepted/);
  assert.equal(await error.getAttribute("data-code"), "unauthorized");
  assert.match(await error.locator('[data-fact="hint"] dd').textContent(), /Bearer/);
  assert.equal(await page.locator("#workspace").isHidden(), true);
  assert.equal(await page.locator("#signin button[type=submit]").first().isEnabled(), true);
  assert.deepEqual((await storage(page)).session, []);
  await screenshot(page, "signin-wrong-key");

  // Without Cloudflare Access in front, "continue without a key" is refused the same way.
  const sent = page.waitForRequest((request) => request.url().endsWith("/api/me"));
  await page.getByRole("button", { name: /Cloudflare Access/ }).click();
  assert.equal((await sent).headers().authorization, undefined, "no key is sent");
  await page.locator('#signin[aria-busy="false"] #signin-status [role="alert"]').waitFor();
  assert.equal(await page.locator("#workspace").isHidden(), true);
  await t.finish();
});

test("orderSync: each type, then all three, as a viewer (values masked, no reveal)", async () => {
  const t = await openPage(env);
  const { page } = t;
  await signIn(page, KEYS.viewer);

  await lookUp(page, { functionName: "orderSync", type: "1" });
  assert.deepEqual(await page.locator("#results-body [data-kind]").evaluateAll((els) => els.map((e) => e.dataset.kind)), ["cloudCall"]);
  assert.deepEqual(await card(page, "cloudCall").locator(".api-list li").allTextContents(),
    ["subscribeMessage.send", "wxacode.getUnlimited", "security.msgSecCheck"]);
  assert.equal(await page.locator("#results-body h2").textContent(), `orderSync in ${ENV}`);

  await lookUp(page, { functionName: "orderSync", type: "2" });
  const row = card(page, "timerTrigger").locator("tbody tr");
  assert.equal(await row.count(), 1);
  assert.deepEqual(await row.locator("th, td").allTextContents().then((cells) => cells.slice(0, 3)),
    ["nightlySync", "timer", "0 0 2 * * * *"]);
  assert.equal(await card(page, "timerTrigger").locator(".trigger-schedule .explanation").textContent(), "at 02:00:00 every day");

  await lookUp(page, { functionName: "orderSync", type: "3" });
  const envCard = card(page, "environment");
  assert.match(await envCard.locator(".facts").textContent(), /Timeout\s*20 s/);
  const rows = envCard.locator("tbody tr");
  assert.deepEqual(await rows.locator("th").allTextContents(), ["DB_HOST", "DB_PASSWORD", "REGION"]);
  const password = rows.filter({ hasText: "DB_PASSWORD" });
  assert.equal(await password.locator(".dots").textContent(), "••••••");
  assert.equal(await password.locator(".length").textContent(), "15 chars");
  assert.equal(await envCard.getByRole("button", { name: /Reveal/ }).count(), 0, "a viewer has no reveal button");
  assert.equal(await envCard.getByRole("button", { name: /Copy/ }).count(), 0, "nothing to copy while masked");
  assert.ok(!(await page.content()).includes("s3cr3t-pa55w0rd"));
  await screenshot(page, "viewer-environment-masked");

  await lookUp(page, { functionName: "orderSync", type: "all" });
  assert.deepEqual(await page.locator("#results-body [data-kind]").evaluateAll((els) => els.map((e) => e.dataset.kind)),
    ["cloudCall", "timerTrigger", "environment"]);
  assert.equal(await card(page, "cloudCall").locator(".api-list li").count(), 3);
  assert.equal(await card(page, "timerTrigger").locator("tbody tr th").textContent(), "nightlySync");
  assert.equal(await card(page, "environment").locator("tbody tr").count(), 3);
  assert.ok(!(await page.content()).includes("s3cr3t-pa55w0rd"));
  await screenshot(page, "viewer-all-three");
  await t.finish();
});

test("every request shows a loading state", async () => {
  const t = await openPage(env);
  const { page } = t;
  await signIn(page, KEYS.viewer);
  await simControl(env.sim.url, "/__sim/faults", { function_name: "orderSync", times: 1, fault: { kind: "delay", ms: 1500 } });
  await page.locator("#q-env").fill(ENV);
  await page.locator("#q-function").fill("orderSync");
  await page.locator("#q-type").selectOption("1");
  await page.locator("#q-submit").click();
  await page.locator('#results[aria-busy="true"]').waitFor({ state: "attached" });
  assert.equal(await page.locator("#busy").isVisible(), true);
  assert.match(await page.locator("#busy").textContent(), /Loading/);
  assert.equal(await page.locator("#q-submit").isDisabled(), true);
  await screenshot(page, "loading");
  await waitIdle(page);
  assert.equal(await page.locator("#busy").isHidden(), true);
  assert.equal(await page.locator("#q-submit").isEnabled(), true);
  assert.equal(await card(page, "cloudCall").locator(".api-list li").count(), 3);
  await t.finish();
});

test("admin reveals one row, copies it, hides it again; raw JSON stays masked", async () => {
  const t = await openPage(env, { permissions: ["clipboard-read", "clipboard-write"] });
  const { page } = t;
  await signIn(page, KEYS.admin);
  await lookUp(page, { functionName: "orderSync", type: "3" });
  const envCard = card(page, "environment");
  const password = envCard.locator('tbody tr[data-key="DB_PASSWORD"]');
  assert.equal(await envCard.getByRole("button", { name: /^Reveal the value of/ }).count(), 3);
  assert.equal(await envCard.getByRole("button", { name: /^Copy/ }).count(), 0, "no copy before reveal");

  await password.getByRole("button", { name: "Reveal the value of DB_PASSWORD" }).click();
  await password.locator("code.value").waitFor();
  assert.equal(await password.locator("code.value").textContent(), "s3cr3t-pa55w0rd");
  // Only that row: the others stay masked.
  for (const key of ["DB_HOST", "REGION"]) {
    const other = envCard.locator(`tbody tr[data-key="${key}"]`);
    assert.equal(await other.locator(".dots").count(), 1, `${key} still masked`);
    assert.equal(await other.getByRole("button", { name: /^Copy/ }).count(), 0);
  }
  const copy = password.getByRole("button", { name: "Copy the value of DB_PASSWORD" });
  await copy.click();
  await eventually(async () => (await copy.textContent()) === "Copied", "the copy button says Copied");
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), "s3cr3t-pa55w0rd");
  await screenshot(page, "admin-revealed-row");

  await envCard.getByRole("button", { name: "Show raw JSON" }).click();
  const raw = await envCard.locator(".raw pre").textContent();
  assert.ok(!raw.includes("s3cr3t"), "raw JSON stays masked");
  assert.match(raw, /"DB_PASSWORD"/);
  assert.match(await envCard.locator(".raw").textContent(), /values are removed/);

  await password.getByRole("button", { name: "Hide the value of DB_PASSWORD" }).click();
  await password.locator(".dots").waitFor();
  assert.equal(await password.getByRole("button", { name: /^Copy/ }).count(), 0);
  assert.ok(!(await envCard.locator("tbody").textContent()).includes("s3cr3t"));
  await t.finish();
});

test("a reveal shows its own loading state, and a failed one shows the error in the card", async () => {
  const t = await openPage(env);
  const { page } = t;
  t.expectHttp(502, "/api/config");
  await signIn(page, KEYS.admin);
  await lookUp(page, { functionName: "orderSync", type: "3" });
  const envCard = card(page, "environment");
  const host = envCard.locator('tbody tr[data-key="DB_HOST"]');

  await simControl(env.sim.url, "/__sim/faults", { function_name: "orderSync", times: 1, fault: { kind: "delay", ms: 1500 } });
  await host.getByRole("button", { name: "Reveal the value of DB_HOST" }).click();
  await envCard.locator('tbody tr[data-key="DB_HOST"][aria-busy="true"]').waitFor();
  const busyButton = host.locator('button[data-action="reveal"]');
  assert.equal(await busyButton.isDisabled(), true);
  assert.equal(await busyButton.textContent(), "Revealing…");
  await host.locator("code.value").waitFor();
  assert.equal(await host.locator("code.value").textContent(), "10.0.0.8");
  assert.equal(await host.getAttribute("aria-busy"), null);

  await simControl(env.sim.url, "/__sim/faults", {
    function_name: "orderSync", times: 1, fault: { kind: "errcode", errcode: 45011, errmsg: "api minute-quota reach limit" },
  });
  const region = envCard.locator('tbody tr[data-key="REGION"]');
  await region.getByRole("button", { name: "Reveal the value of REGION" }).click();
  const error = envCard.locator('[role="alert"]');
  await error.waitFor();
  assert.equal(await error.getAttribute("data-errcode"), "45011");
  assert.match(await error.locator(".error-title").textContent(), /Too many calls this minute/);
  assert.equal(await region.locator(".dots").count(), 1, "the row stays masked");
  assert.equal(await region.getByRole("button", { name: "Reveal the value of REGION" }).isEnabled(), true);
  assert.equal(await host.locator("code.value").textContent(), "10.0.0.8", "the other row keeps its value");
  await screenshot(page, "reveal-failed");
  await t.finish();
});

test("the permissions filter narrows the list", async () => {
  const t = await openPage(env);
  const { page } = t;
  await signIn(page, KEYS.viewer);
  await lookUp(page, { functionName: "openapi", type: "1" });
  const cloudCall = card(page, "cloudCall");
  const items = cloudCall.locator(".api-list li");
  assert.equal(await items.count(), 8);
  const filter = cloudCall.getByLabel("Filter APIs");
  await filter.fill("TEMPLATE");
  await eventually(async () => (await items.count()) === 6, "6 templateMessage APIs");
  assert.equal(await cloudCall.locator(".count").textContent(), "6 of 8 APIs");
  await filter.fill("getunlimited");
  await eventually(async () => (await items.count()) === 1, "one API");
  assert.equal(await items.textContent(), "wxacode.getUnlimited");
  await screenshot(page, "permissions-filtered");
  await filter.fill("no-such-api");
  await eventually(async () => (await items.count()) === 0, "no API");
  assert.equal(await cloudCall.getByText("No API matches the filter.").isVisible(), true);
  await filter.fill("");
  await eventually(async () => (await items.count()) === 8, "all again");
  await t.finish();
});

test("the raw JSON toggle shows the config pretty-printed", async () => {
  const t = await openPage(env);
  const { page } = t;
  await signIn(page, KEYS.viewer);
  await lookUp(page, { functionName: "orderSync", type: "2" });
  const timer = card(page, "timerTrigger");
  const toggle = timer.locator('button[data-action="raw"]');
  assert.equal(await toggle.textContent(), "Show raw JSON");
  assert.equal(await toggle.getAttribute("aria-expanded"), "false");
  assert.equal(await timer.locator(".raw").isHidden(), true);
  await toggle.click();
  assert.equal(await toggle.getAttribute("aria-expanded"), "true");
  assert.equal(await toggle.textContent(), "Hide raw JSON");
  const raw = await timer.locator(".raw pre").textContent();
  assert.equal(raw, JSON.stringify({ triggers: [{ name: "nightlySync", type: "timer", config: "0 0 2 * * * *" }] }, null, 2));
  await screenshot(page, "raw-json");
  await toggle.click();
  assert.equal(await timer.locator(".raw").isHidden(), true);
  assert.equal(await toggle.getAttribute("aria-expanded"), "false");
  await t.finish();
});

test("not configured (85089) is a neutral state, not an error", async () => {
  const t = await openPage(env);
  const { page } = t;
  t.expectHttp(404, "/api/config");
  await signIn(page, KEYS.viewer);
  await lookUp(page, { functionName: "hello", type: "1" });
  const cloudCall = card(page, "cloudCall");
  assert.equal(await cloudCall.locator('[data-state="not-configured"]').textContent(), "Not configured");
  assert.match(await cloudCall.textContent(), /85089/);
  assert.equal(await page.locator('#results [role="alert"]').count(), 0, "no error shown");
  await screenshot(page, "not-configured");

  await lookUp(page, { functionName: "hello", type: "all" });
  assert.equal(await page.locator('#results-body [data-state="not-configured"]').count(), 2);
  assert.equal(await card(page, "cloudCall").locator('[data-state="not-configured"]').count(), 1);
  assert.equal(await card(page, "timerTrigger").locator('[data-state="not-configured"]').count(), 1);
  assert.match(await card(page, "environment").textContent(), /3 s/);
  assert.match(await card(page, "environment").textContent(), /No environment variables/);
  assert.equal(await page.locator('#results [role="alert"]').count(), 0);
  await screenshot(page, "hello-all-three");
  await t.finish();
});

test("errcode 40014 is shown with errcode, errmsg and the hint", async () => {
  const t = await openPage(env);
  const { page } = t;
  t.expectHttp(502, "/api/config");
  await signIn(page, KEYS.viewer);
  await simControl(env.sim.url, "/__sim/faults", {
    function_name: "openapi", times: 1, fault: { kind: "errcode", errcode: 40014, errmsg: "invalid access_token" },
  });
  await lookUp(page, { functionName: "openapi", type: "1" });
  const error = page.locator('#results-body [role="alert"]');
  await error.waitFor();
  assert.equal(await error.getAttribute("data-errcode"), "40014");
  const fact = (name) => error.locator(`[data-fact="${name}"] dd`).textContent();
  assert.equal(await fact("code"), "api");
  assert.equal(await fact("errcode"), "40014");
  assert.match(await fact("errmsg"), /^invalid access_token/);
  assert.match(await fact("hint"), /authorizer_access_token/);
  assert.match(await error.locator(".error-title").textContent(), /refused the access token/);
  assert.equal(await page.locator("#results-body [data-kind]").count(), 0);
  await screenshot(page, "error-40014");
  await t.finish();
});

test("server text is never markup (XSS probe in type 2 and type 3)", async () => {
  const payload = "<img src=x onerror=alert(1)>";
  const triggerName = "<script>alert(2)</script>";
  await simControl(env.sim.url, "/__sim/configs", {
    env: ENV, function_name: "xssProbe", type: 3,
    config: JSON.stringify({ timeout: 3, environment: [{ key: "X", value: payload }] }),
  });
  await simControl(env.sim.url, "/__sim/configs", {
    env: ENV, function_name: "xssProbe", type: 2,
    config: JSON.stringify({ triggers: [{ name: triggerName, type: "timer", config: "0 0 2 * * * *" }] }),
  });
  const t = await openPage(env);
  const { page } = t;
  await signIn(page, KEYS.admin);
  await lookUp(page, { functionName: "xssProbe", type: "all" });
  const envRow = card(page, "environment").locator('tbody tr[data-key="X"]');
  assert.equal(await envRow.locator(".length").textContent(), `${payload.length} chars`);
  await envRow.getByRole("button", { name: "Reveal the value of X" }).click();
  await envRow.locator("code.value").waitFor();
  assert.equal(await envRow.locator("code.value").textContent(), payload);
  assert.equal(await card(page, "timerTrigger").locator("tbody th").textContent(), triggerName);
  for (const kind of ["timerTrigger", "environment"]) {
    await card(page, kind).getByRole("button", { name: "Show raw JSON" }).click();
  }
  assert.match(await card(page, "timerTrigger").locator(".raw pre").textContent(), /<script>alert\(2\)<\/script>/);
  assert.equal(await page.locator("img").count(), 0, "no img element");
  assert.equal(await page.locator("#results script").count(), 0, "no script element");
  assert.equal(await page.evaluate(() => document.scripts.length), 1, "only the page's own module");
  assert.deepEqual(t.dialogs, []);
  await screenshot(page, "xss-literal");
  await t.finish();
});

test("language: zh-CN from the browser, switchable, remembered, <html lang> follows", async () => {
  const t = await openPage(env, { locale: "zh-CN" });
  const { page } = t;
  await page.getByLabel("访问密钥").waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), "zh-CN");
  assert.equal(await page.title(), "云函数配置");
  await page.getByLabel("访问密钥").fill(KEYS.admin);
  await page.getByRole("button", { name: "登录", exact: true }).click();
  await page.locator("#role:not([hidden])").waitFor();
  assert.equal(await page.locator("#role").textContent(), "管理员");
  await page.getByLabel("环境 ID").fill(ENV);
  await page.getByLabel("云函数名称").fill("orderSync");
  await page.getByRole("button", { name: "查询" }).click();
  await waitIdle(page);
  assert.equal(await card(page, "cloudCall").locator("h3").textContent(), "云调用权限");
  assert.match(await card(page, "timerTrigger").textContent(), /每天 02:00:00/);
  assert.match(await card(page, "environment").locator(".facts").textContent(), /20 秒/);
  await card(page, "environment").getByRole("button", { name: "显示 DB_PASSWORD 的值" }).click();
  await card(page, "environment").locator("code.value").waitFor();
  await screenshot(page, "zh-CN-all-three");

  await page.getByLabel("语言").selectOption("en");
  assert.equal(await page.evaluate(() => document.documentElement.lang), "en");
  assert.equal(await page.getByRole("button", { name: "Look up" }).isVisible(), true);
  assert.equal(await page.locator("#role").textContent(), "Admin");
  assert.equal(await card(page, "cloudCall").locator("h3").textContent(), "Cloud call permissions");
  assert.equal(await card(page, "environment").locator("code.value").textContent(), "s3cr3t-pa55w0rd",
    "what the user revealed survives the switch");
  assert.equal(await page.evaluate(() => localStorage.getItem("tcbfc.lang")), "en");

  await page.reload();
  await page.locator("#role:not([hidden])").waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), "en", "the choice is remembered");
  await page.getByLabel("Language").selectOption("zh-CN");
  assert.equal(await page.evaluate(() => document.documentElement.lang), "zh-CN");
  assert.equal(await page.getByLabel("环境 ID").isVisible(), true);
  await t.finish();
});

test("recent queries: remembered without keys, clickable", async () => {
  const t = await openPage(env);
  const { page } = t;
  await signIn(page, KEYS.admin);
  await lookUp(page, { functionName: "reportDaily", type: "2" });
  await lookUp(page, { functionName: "orderSync", type: "1" });
  const recent = JSON.parse(await page.evaluate(() => localStorage.getItem("tcbfc.recent")));
  assert.deepEqual(recent, [
    { env: ENV, functionName: "orderSync", type: "1" },
    { env: ENV, functionName: "reportDaily", type: "2" },
  ]);
  const local = JSON.stringify(await page.evaluate(() => Object.entries(localStorage)));
  assert.ok(!local.includes(KEYS.admin) && !local.includes(KEYS.viewer));

  await page.locator("#recent-list button").filter({ hasText: "reportDaily" }).click();
  await waitIdle(page);
  assert.equal(await page.locator("#results-body h2").textContent(), `reportDaily in ${ENV}`);
  assert.equal(await card(page, "timerTrigger").locator("tbody th").textContent(), "weekdayMorning");
  assert.equal(await page.locator("#q-function").inputValue(), "reportDaily");
  assert.equal(await page.locator("#q-type").inputValue(), "2");
  assert.equal(await page.locator("#recent-list button").first().textContent().then((s) => s.startsWith("reportDaily")), true);
  await screenshot(page, "recent-queries");
  await t.finish();
});

test("phone width 375 px: no horizontal scroll", async () => {
  const t = await openPage(env, { viewport: { width: 375, height: 812 } });
  const { page } = t;
  t.expectHttp(502, "/api/config");
  const scrollWidth = () => page.evaluate(() => document.scrollingElement.scrollWidth);
  await page.getByLabel("Access key").waitFor();
  assert.ok((await scrollWidth()) <= 375, "sign-in");
  await signIn(page, KEYS.admin);
  await lookUp(page, { functionName: "orderSync", type: "all" });
  await card(page, "environment").getByRole("button", { name: "Reveal the value of DB_PASSWORD" }).click();
  await card(page, "environment").locator("code.value").waitFor();
  for (const kind of ["cloudCall", "timerTrigger", "environment"]) {
    await card(page, kind).getByRole("button", { name: "Show raw JSON" }).click();
  }
  assert.ok((await scrollWidth()) <= 375, `results: ${await scrollWidth()}`);
  await screenshot(page, "phone-all-three");
  await simControl(env.sim.url, "/__sim/faults", {
    function_name: "openapi", times: 1, fault: { kind: "errcode", errcode: 40014, errmsg: "invalid access_token" },
  });
  await lookUp(page, { functionName: "openapi", type: "1" });
  await page.locator('#results-body [role="alert"]').waitFor();
  assert.ok((await scrollWidth()) <= 375, "error");
  await screenshot(page, "phone-error");
  await t.finish();
});

test("direct mode: the page's own wasm client calls the simulator", async () => {
  const t = await openPage(env);
  const { page } = t;
  const seen = [];
  page.on("request", (request) => seen.push(new URL(request.url())));
  await page.getByText("Development: direct mode").click();
  await page.getByLabel("Base URL").fill(env.sim.url);
  await page.getByLabel("Access token").fill(SIM_TOKEN);
  await page.getByRole("button", { name: "Use direct mode" }).click();
  await page.locator("#role:not([hidden])").waitFor();
  assert.equal(await page.locator("#role").textContent(), "Direct mode");

  await lookUp(page, { functionName: "orderSync", type: "all" });
  assert.equal(await card(page, "timerTrigger").locator("tbody th").textContent(), "nightlySync");
  assert.equal(await card(page, "cloudCall").locator(".api-list li").count(), 3);
  const envCard = card(page, "environment");
  assert.equal(await envCard.locator('tr[data-key="DB_PASSWORD"] .length').textContent(), "15 chars");
  assert.ok(!(await page.content()).includes("s3cr3t-pa55w0rd"), "masked until revealed");
  await envCard.getByRole("button", { name: "Reveal the value of DB_PASSWORD" }).click();
  assert.equal(await envCard.locator('tr[data-key="DB_PASSWORD"] code.value').textContent(), "s3cr3t-pa55w0rd");
  await screenshot(page, "direct-mode");

  const sim = new URL(env.sim.url);
  const direct = seen.filter((u) => u.origin === sim.origin && u.pathname === "/tcb/getfuncconfig");
  assert.ok(direct.length >= 3, "the browser called the simulator itself");
  assert.ok(seen.some((u) => u.pathname.endsWith("/pkg/tcb_funcconfig_bg.wasm")), "the wasm module was loaded");
  assert.equal(seen.filter((u) => u.pathname.startsWith("/api/")).length, 0, "no Worker API call");
  const s = await storage(page);
  assert.ok(!JSON.stringify(s.local).includes(SIM_TOKEN), "the token is not in localStorage");

  // The wasm client checks arguments before sending anything.
  const before = seen.length;
  await lookUp(page, { functionName: "9-not-a-name", type: "1" });
  const error = page.locator('#results-body [role="alert"]');
  assert.equal(await error.getAttribute("data-code"), "invalid_argument");
  assert.match(await error.locator('[data-fact="hint"] dd').textContent(), /\S/);
  assert.equal(seen.slice(before).filter((u) => u.origin === sim.origin).length, 0, "nothing was sent");
  await t.finish();
});

test("the page's sources build DOM from text only and need no inline script or style", async () => {
  const { readdirSync, readFileSync } = await import("node:fs");
  const www = new URL("../../www/", import.meta.url);
  const files = readdirSync(www).filter((name) => /\.(js|html|css)$/.test(name));
  assert.ok(files.includes("app.js") && files.includes("index.html"));
  for (const name of files) {
    const text = readFileSync(new URL(name, www), "utf8");
    for (const banned of [/innerHTML/, /outerHTML/, /insertAdjacentHTML/, /document\.write/, /\beval\(/, /new Function/]) {
      assert.doesNotMatch(text, banned, `${name}: ${banned}`);
    }
    if (name.endsWith(".html")) {
      assert.doesNotMatch(text, /<style|\sstyle=|\son[a-z]+=/i, `${name}: inline style or handler`);
      for (const [, attrs, body] of text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)) {
        assert.match(attrs, /\ssrc=/, "scripts are files");
        assert.equal(body.trim(), "", "no inline script");
      }
    }
  }
});

// --- timer triggers: the next 7 days -------------------------------------------------------

const WEEK = 7 * 86_400_000;
const WEEKDAYS_EN = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)$/;
const WEEKDAYS_ZH = /^周[一二三四五六日]$/;

const schedule = (page, name) => card(page, "timerTrigger").locator(`.trigger-schedule[data-trigger="${name}"]`);
/** The strip of trigger `name`, once drawn (it is drawn at the width it is shown at). */
async function drawnStrip(page, name) {
  const strip = schedule(page, name).locator("svg.timeline-strip[data-width]");
  await strip.waitFor();
  return strip;
}

/** The fires the page must show: computed here by the package, from the strip's own start. */
async function expectedFires(strip, expression) {
  const from = Date.parse(await strip.getAttribute("data-from"));
  assert.equal(Date.parse(await strip.getAttribute("data-to")), from + WEEK);
  const next = nextRuns(expression, { from: new Date(from), count: 1000 });
  return { from, next, inWindow: next.filter((iso) => Date.parse(iso) < from + WEEK) };
}

/** The UTC+8 weekday (0 = Sunday) of an ISO time. */
const weekdayOf = (iso) => new Date(Date.parse(iso) + 8 * 3_600_000).getUTCDay();

async function setTimers(functionName, triggers) {
  await simControl(env.sim.url, "/__sim/configs", {
    env: ENV, function_name: functionName, type: 2,
    config: JSON.stringify({ triggers: triggers.map(([name, config]) => ({ name, type: "timer", config })) }),
  });
}

test("timeline: a daily trigger has one mark a day, the package loads only for timers, both languages", async () => {
  const t = await openPage(env);
  const { page } = t;
  const wasm = [];
  page.on("request", (request) => {
    if (new URL(request.url()).pathname.endsWith("/pkg/tcb_funcconfig_bg.wasm")) wasm.push(request.url());
  });
  await signIn(page, KEYS.viewer);
  await lookUp(page, { functionName: "orderSync", type: "1" });
  assert.equal(wasm.length, 0, "no wasm before a timer trigger is shown");

  await lookUp(page, { functionName: "orderSync", type: "2" });
  const section = schedule(page, "nightlySync");
  let strip = await drawnStrip(page, "nightlySync");
  assert.equal(wasm.length, 1, "the package was loaded for the timeline, in Worker mode");
  assert.equal(await section.locator("h4").textContent(), "Schedule: nightlySync");
  assert.equal(await section.locator(".explanation").textContent(), "at 02:00:00 every day");
  assert.equal(await strip.getAttribute("role"), "img");
  assert.equal(await strip.getAttribute("data-mode"), "marks");

  let { from, inWindow } = await expectedFires(strip, "0 0 2 * * * *");
  // Once a day; one fewer only if the page's "now" fell on 02:00:00.000 exactly.
  assert.ok(inWindow.length >= 6 && inWindow.length <= 8, `${inWindow.length} runs`);
  const marks = strip.locator(".mark");
  assert.equal(await marks.count(), inWindow.length);
  assert.deepEqual(await marks.evaluateAll((els) => els.map((e) => e.dataset.time)), inWindow);
  // Left to right, one day apart, inside the strip.
  const width = Number(await strip.getAttribute("data-width"));
  const xs = await marks.evaluateAll((els) => els.map((e) => Number(e.getAttribute("x"))));
  assert.ok(xs.every((x, i) => x >= 0 && x <= width && (i === 0 || x > xs[i - 1])), `marks at ${xs}`);
  const gaps = xs.slice(1).map((x, i) => x - xs[i]);
  assert.ok(gaps.every((gap) => Math.abs(gap - gaps[0]) < 0.5), `equal gaps ${gaps}`);
  assert.equal(await strip.getAttribute("viewBox"), `0 0 ${width} 78`);

  const label = await strip.getAttribute("aria-label");
  assert.match(label, new RegExp(`^${inWindow.length} runs in the next 7 days, next at \\w{3} ${inWindow[0].slice(0, 10)} 02:00:00 \\(UTC\\+8\\)$`));
  assert.equal(await strip.locator("title").first().textContent(), label);
  assert.equal(await section.locator(".timeline-summary").textContent(), label);
  assert.equal(await section.locator(".timeline-summary").getAttribute("aria-hidden"), "true", "said once, by the strip");
  const days = await strip.locator(".day-label").allTextContents();
  assert.ok(days.length >= 6 && days.length <= 8, `day labels ${days}`);
  assert.ok(days.every((day) => WEEKDAYS_EN.test(day)), `day labels ${days}`);
  assert.ok((await strip.locator(".date-label").allTextContents()).every((date) => /^[A-Z][a-z]{2} \d{1,2}$/.test(date)));
  assert.equal(await strip.locator(".tick").count(), 7, "a tick at each UTC+8 midnight");
  // The next 5 runs as text, once.
  assert.deepEqual(await section.locator(".next-runs time").evaluateAll((els) => els.map((e) => e.getAttribute("datetime"))),
    nextRuns("0 0 2 * * * *", { from: new Date(from), count: 5 }));
  assert.equal(await card(page, "timerTrigger").locator(".next-runs").count(), 1);
  await screenshot(page, "timeline-daily-en", { target: card(page, "timerTrigger") });

  await page.getByLabel("Language").selectOption("zh-CN");
  strip = await drawnStrip(page, "nightlySync");
  assert.equal(await section.locator(".explanation").textContent(), "每天 02:00:00");
  assert.equal(await section.locator("h4").textContent(), "执行计划：nightlySync");
  ({ inWindow } = await expectedFires(strip, "0 0 2 * * * *"));
  assert.equal(await strip.locator(".mark").count(), inWindow.length);
  assert.match(await strip.getAttribute("aria-label"),
    new RegExp(`^未来 7 天内执行 ${inWindow.length} 次，下次为 周. ${inWindow[0].slice(0, 10)} 02:00:00（UTC\\+8）$`));
  const zhDays = await strip.locator(".day-label").allTextContents();
  assert.ok(zhDays.length >= 6 && zhDays.every((day) => WEEKDAYS_ZH.test(day)), `day labels ${zhDays}`);
  assert.ok((await strip.locator(".date-label").allTextContents()).every((date) => /^\d{1,2}\/\d{1,2}$/.test(date)));
  assert.match(await section.locator(".next-runs").textContent(), /^接下来的执行时间（UTC\+8）：/);
  await screenshot(page, "timeline-daily-zh", { target: card(page, "timerTrigger") });
  assert.equal(wasm.length, 1, "loaded once");
  await t.finish();
});

test("timeline: weekdays at 10:15 show one mark per weekday in the window", async () => {
  const t = await openPage(env);
  const { page } = t;
  await signIn(page, KEYS.viewer);
  await lookUp(page, { functionName: "reportDaily", type: "2" });
  const strip = await drawnStrip(page, "weekdayMorning");
  const { inWindow } = await expectedFires(strip, "0 15 10 * * MON-FRI *");
  // A 7-day window holds each weekday once (4 only if "now" fell on 10:15:00.000 exactly).
  assert.ok(inWindow.length === 5 || inWindow.length === 4, `${inWindow.length} runs`);
  const times = await strip.locator(".mark").evaluateAll((els) => els.map((e) => e.dataset.time));
  assert.deepEqual(times, inWindow);
  assert.ok(times.every((iso) => weekdayOf(iso) >= 1 && weekdayOf(iso) <= 5 && iso.includes("T10:15:00+08:00")));
  assert.match(await strip.getAttribute("aria-label"),
    new RegExp(`^${inWindow.length} runs in the next 7 days, next at (Mon|Tue|Wed|Thu|Fri) ${inWindow[0].slice(0, 10)} 10:15:00 `));
  assert.equal(await schedule(page, "weekdayMorning").locator(".explanation").textContent(), "at 10:15:00 on Monday to Friday");
  await t.finish();
});

test("timeline: dense schedules are drawn as a band with their count", async () => {
  await setTimers("denseTimer", [["everyFive", "*/5 * * * * * *"]]);
  await setTimers("quarterTimer", [["everyQuarter", "0 */15 * * * * *"]]);
  const t = await openPage(env);
  const { page } = t;
  await signIn(page, KEYS.admin);

  // Every 5 s: far more than 1000 in the week, so an estimate from the span of 1000 runs.
  await lookUp(page, { functionName: "denseTimer", type: "2" });
  let strip = await drawnStrip(page, "everyFive");
  assert.equal(await strip.getAttribute("data-mode"), "band");
  assert.equal(await strip.locator(".mark").count(), 0);
  const bands = strip.locator(".band");
  assert.equal(await bands.count(), 1, "one band over the whole week");
  const width = Number(await strip.getAttribute("data-width"));
  const band = await bands.evaluate((e) => ({ x: Number(e.getAttribute("x")), width: Number(e.getAttribute("width")) }));
  assert.ok(band.x < 3 && band.x + band.width > width - 3, `band ${JSON.stringify(band)} in ${width}`);
  const text = await strip.locator(".band-label").textContent();
  const about = /^more than 1,000 \(about ([\d,]+)\)$/.exec(text);
  assert.ok(about, text);
  const estimate = Number(about[1].replaceAll(",", ""));
  assert.ok(estimate > 115000 && estimate < 125000, `about ${estimate} (120960 in fact)`);
  assert.match(await strip.getAttribute("aria-label"),
    new RegExp(`^More than 1,000 runs in the next 7 days \\(about ${about[1]}\\), next at `));
  assert.equal(await schedule(page, "everyFive").locator(".explanation").textContent(), "every 5 seconds");
  await screenshot(page, "timeline-dense", { target: card(page, "timerTrigger") });

  await page.getByLabel("Language").selectOption("zh-CN");
  strip = await drawnStrip(page, "everyFive");
  assert.match(await strip.locator(".band-label").textContent(), /^超过 1,000 次（约 [\d,]+ 次）$/);
  assert.match(await strip.getAttribute("aria-label"), /^未来 7 天内执行超过 1,000 次（约 [\d,]+ 次），下次为 /);
  await page.getByLabel("语言").selectOption("en");

  // Every quarter-hour: over 200, so a band, but at most 1000, so the exact count.
  await lookUp(page, { functionName: "quarterTimer", type: "2" });
  strip = await drawnStrip(page, "everyQuarter");
  const { inWindow } = await expectedFires(strip, "0 */15 * * * * *");
  assert.ok(inWindow.length > 200 && inWindow.length <= 1000);
  assert.equal(await strip.getAttribute("data-mode"), "band");
  assert.equal(await strip.locator(".mark").count(), 0);
  assert.equal(await strip.locator(".band-label").textContent(), `${inWindow.length} runs`);
  assert.match(await strip.getAttribute("aria-label"), new RegExp(`^${inWindow.length} runs in the next 7 days, next at `));
  await t.finish();
});

test("timeline: a bad expression shows its error, a far one its next run, a past one says so", async () => {
  await setTimers("badTimer", [["broken", "0 0 25 * * * *"]]);
  await setTimers("oddTimers", [["yearly", "0 0 0 1 1 * *"], ["never", "0 0 0 31 2 * *"], ["broken", "0 0 25 * * * *"]]);
  const t = await openPage(env);
  const { page } = t;
  const wasm = [];
  page.on("request", (request) => {
    if (new URL(request.url()).pathname.endsWith(".wasm")) wasm.push(request.url());
  });
  await signIn(page, KEYS.viewer);

  await lookUp(page, { functionName: "badTimer", type: "2" });
  let broken = schedule(page, "broken");
  assert.equal(await broken.locator(".schedule-error").textContent(), "Not understood: hour: 25 is outside 0-23");
  assert.equal(await card(page, "timerTrigger").locator("svg").count(), 0, "no timeline");
  assert.equal(wasm.length, 0, "an expression that did not parse needs no package");

  await lookUp(page, { functionName: "oddTimers", type: "2" });
  const yearly = await drawnStrip(page, "yearly");
  const { next, inWindow } = await expectedFires(yearly, "0 0 0 1 1 * *");
  if (inWindow.length === 0) {
    assert.equal(await yearly.locator(".mark").count(), 0);
    assert.match(await yearly.getAttribute("aria-label"),
      new RegExp(`^No runs in the next 7 days\\. Next run: \\w{3} ${next[0].slice(0, 10)} 00:00:00 \\(UTC\\+8\\)\\.$`));
  } else {
    // Run in the last days of December: New Year is in the window.
    assert.equal(await yearly.locator(".mark").count(), 1);
    assert.match(await yearly.getAttribute("aria-label"), /^1 run in the next 7 days, next at /);
  }
  const never = schedule(page, "never");
  assert.equal(await never.locator(".timeline-summary").textContent(), "No run left: the expression has no future fire time.");
  assert.equal(await never.locator("svg").count(), 0);
  assert.equal(await never.locator(".next-runs").count(), 0);
  broken = schedule(page, "broken");
  assert.match(await broken.textContent(), /hour: 25 is outside 0-23/);
  assert.equal(await broken.locator("svg").count(), 0);
  assert.equal(await card(page, "timerTrigger").locator("svg").count(), 1, "only the yearly trigger has a strip");
  await screenshot(page, "timeline-far-never-bad", { target: card(page, "timerTrigger") });

  await page.getByLabel("Language").selectOption("zh-CN");
  assert.equal(await schedule(page, "broken").locator(".schedule-error").textContent(), "无法解析：hour: 25 is outside 0-23");
  assert.equal(await schedule(page, "never").locator(".timeline-summary").textContent(), "之后不再执行：该表达式没有未来的执行时间。");
  await t.finish();
});

test("timeline: readable at 375 px and redrawn to the width it is shown at", async () => {
  const t = await openPage(env);
  const { page } = t;
  await signIn(page, KEYS.admin);
  await lookUp(page, { functionName: "orderSync", type: "2" });
  let strip = await drawnStrip(page, "nightlySync");
  const wide = Number(await strip.getAttribute("data-width"));
  assert.ok(wide > 600, `drawn ${wide} px wide`);

  await page.setViewportSize({ width: 375, height: 812 });
  await eventually(async () => Number(await strip.getAttribute("data-width")) < 375, "redrawn narrower");
  const scrollWidth = () => page.evaluate(() => document.scrollingElement.scrollWidth);
  assert.ok((await scrollWidth()) <= 375, `page ${await scrollWidth()} px wide`);
  const layout = await strip.evaluate((svg) => {
    const box = svg.getBoundingClientRect();
    const parent = svg.closest(".card").getBoundingClientRect();
    const labels = [...svg.querySelectorAll(".day-label, .date-label")].map((e) => {
      const r = e.getBoundingClientRect();
      return { left: r.left, right: r.right, top: r.top, height: r.height, size: parseFloat(getComputedStyle(e).fontSize) };
    });
    return { width: box.width, left: box.left, right: box.right, cardLeft: parent.left, cardRight: parent.right,
      viewBox: svg.getAttribute("viewBox"), labels };
  });
  assert.ok(layout.left >= layout.cardLeft && layout.right <= layout.cardRight, "inside the card");
  assert.equal(layout.viewBox, `0 0 ${Math.round(layout.width)} 78`, "one unit is one pixel");
  assert.ok(layout.labels.length >= 12, "weekday and date labels");
  for (const label of layout.labels) {
    assert.ok(label.size >= 11 && label.height >= 10, `labels stay readable: ${JSON.stringify(label)}`);
    assert.ok(label.left >= layout.left - 0.5 && label.right <= layout.right + 0.5, "labels inside the strip");
  }
  const rows = new Map();
  for (const label of layout.labels) rows.set(Math.round(label.top), [...(rows.get(Math.round(label.top)) ?? []), label]);
  for (const row of rows.values()) {
    row.sort((a, b) => a.left - b.left);
    assert.ok(row.every((label, i) => i === 0 || label.left >= row[i - 1].right), "labels do not overlap");
  }
  await screenshot(page, "timeline-phone");

  await setTimers("denseTimer", [["everyFive", "*/5 * * * * * *"]]);
  await lookUp(page, { functionName: "denseTimer", type: "2" });
  strip = await drawnStrip(page, "everyFive");
  const fits = await strip.evaluate((svg) => {
    const box = svg.getBoundingClientRect();
    const label = svg.querySelector(".band-label").getBoundingClientRect();
    return label.left >= box.left && label.right <= box.right;
  });
  assert.ok(fits, "the band's label fits");
  assert.ok((await scrollWidth()) <= 375);
  await screenshot(page, "timeline-phone-dense", { target: card(page, "timerTrigger") });
  await t.finish();
});

test("timeline: the config's own schedule shows while the package loads, and if it cannot load", async () => {
  const WASM = "**/pkg/tcb_funcconfig_bg.wasm";
  let t = await openPage(env);
  let { page } = t;
  let release;
  const held = new Promise((resolve) => (release = resolve));
  await page.route(WASM, async (route) => {
    await held;
    await route.continue();
  });
  await signIn(page, KEYS.viewer);
  await lookUp(page, { functionName: "orderSync", type: "2", drawn: false });
  let section = schedule(page, "nightlySync");
  assert.equal(await section.locator('[role="status"].timeline-status').textContent(), "Loading the timeline…");
  assert.equal(await section.locator(".explanation").textContent(), "at 02:00:00 every day");
  assert.equal(await section.locator(".next-runs time").count(), 5, "the next runs the config came with");
  assert.equal(await section.locator("svg").count(), 0);
  release();
  await drawnStrip(page, "nightlySync");
  assert.equal(await section.locator(".timeline-status").count(), 0);
  assert.equal(await section.locator(".next-runs time").count(), 5);
  await t.finish();

  t = await openPage(env);
  ({ page } = t);
  t.expectHttp(404, "/pkg/tcb_funcconfig_bg.wasm");
  await page.route(WASM, (route) => route.fulfill({ status: 404, body: "not here" }));
  await signIn(page, KEYS.viewer);
  await lookUp(page, { functionName: "orderSync", type: "2" });
  section = schedule(page, "nightlySync");
  await eventually(async () => (await section.locator(".timeline-status").textContent()) === "The timeline could not be loaded.",
    "the failure is said");
  assert.equal(await section.locator(".explanation").textContent(), "at 02:00:00 every day");
  assert.equal(await section.locator(".next-runs time").count(), 5);
  assert.equal(await section.locator("svg").count(), 0);
  await t.finish();
});

test("timeline: a trigger that comes without a schedule is explained by the page", async () => {
  await setTimers("plainTimers", [["hourly", "0 30 * * * * *"], ["broken", "0 0 25 * * * *"]]);
  const t = await openPage(env);
  const { page } = t;
  // An older server: the triggers without `schedule` or `scheduleError`.
  await page.route("**/api/config?*", async (route) => {
    const response = await route.fetch();
    const body = await response.json();
    for (const trigger of body.triggers ?? []) {
      delete trigger.schedule;
      delete trigger.scheduleError;
    }
    await route.fulfill({ response, json: body });
  });
  await signIn(page, KEYS.viewer);
  await lookUp(page, { functionName: "plainTimers", type: "2" });
  const strip = await drawnStrip(page, "hourly");
  assert.equal(await schedule(page, "hourly").locator(".explanation").textContent(), parseCron("0 30 * * * * *").explanation.en);
  const { inWindow } = await expectedFires(strip, "0 30 * * * * *");
  assert.ok(inWindow.length >= 167 && inWindow.length <= 168, "hourly: 168 in a week, under the 200 drawn as marks");
  assert.equal(await strip.locator(".mark").count(), inWindow.length);
  assert.match(await schedule(page, "broken").locator(".schedule-error").textContent(), /^Not understood: .*hour: 25 is outside 0-23/);
  assert.equal(await schedule(page, "broken").locator("svg").count(), 0);
  await t.finish();
});
