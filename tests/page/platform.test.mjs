// The admin page scoped by mini program, through a Worker in platform mode (COMPONENT_APPID and
// COMPONENT_APPSECRET without AUTHORIZER_APPID) in front of the simulator's generated
// authorizers: the picker (search by name and by appid, pages, by keyboard), an app's
// environments, a function, its config; the address at each step, back, forward, reload and a
// shared link; the admin's Add (through the simulator's stand-in for WeChat's authorization
// page, the link's referrer, an app without cloud development) and Import; a revoked app and one
// to authorize again; what a viewer sees. In English, and in Chinese at 375 px.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import {
  KEYS, SIM_COMPONENT_APPID as COMPONENT_APPID, eventually, openPage, platformSettings, pushTicket, screenshot, signIn,
  simControl, simGet, startAll, waitIdle,
} from "./browser.mjs";

/** Generated authorizers (mock/README.md, "Many authorizers"): 25 make two pages of 20. */
const COUNT = 25;
const appid = (i) => `wx-sim-app-${String(i).padStart(4, "0")}`;
const nickName = (i) => `Sim App ${String(i).padStart(4, "0")}`;
const PHONE = { width: 375, height: 800 };
/** What the Worker answers for an app without cloud development: WeChat refuses getenvinfo with 61007. */
const ENVS_NO_CLOUD_STATUS = 502;

let env;

before(async () => {
  env = await startAll({ shots: "platform-", worker: platformSettings() });
  await simControl(env.sim.url, "/__sim/authorizers", { count: COUNT });
  await pushTicket(env.sim.url, env.worker.url);
});

after(async () => {
  // A reset drops the generated and added accounts: the other page tests see the seed only.
  await simControl(env.sim.url, "/__sim/reset", {}).catch(() => {});
  await env?.stop();
});

/** A request to the Worker's API (a POST when `body` is given), as the page would send it. */
async function api(path, { key = KEYS.viewer, body } = {}) {
  const response = await fetch(env.worker.url + path, {
    method: body === undefined ? "GET" : "POST",
    headers: {
      Authorization: `Bearer ${key}`, Origin: env.worker.url,
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: await response.json().catch(() => null) };
}

const url = (page) => new URL(page.url());
const place = (page) => Object.fromEntries(url(page).searchParams);
const rows = (page) => page.locator("#apps-body .app-row");
const appIds = (page) => rows(page).locator(".app-id").allTextContents();

/** A screenshot; at phone width, the page must not scroll sideways. */
async function shot(page, name) {
  const { width } = page.viewportSize();
  if (width <= PHONE.width) {
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= width, `${name}: no sideways scrolling`);
  }
  await screenshot(page, name);
}

/** Waits until the picker is idle and shows a list (or says it has none). */
async function pickerIdle(page) {
  await page.locator('#apps[aria-busy="false"] #apps-body :is(.app-list, [data-state="empty"])').first().waitFor();
}

/** Imports the platform's authorizations through the API, once, and waits for their nicknames. */
let imported = false;
async function importOnce() {
  if (imported) return;
  const answer = await api("/api/apps/import", { key: KEYS.admin, body: {} });
  assert.equal(answer.status, 200, JSON.stringify(answer.json));
  imported = true;
  await waitForNicknames();
}

/** The Platform object's alarm fills the nicknames of imported apps in batches. */
async function waitForNicknames() {
  await eventually(async () => {
    const { json } = await api(`/api/apps?q=${encodeURIComponent("Sim App")}&limit=100`);
    return json?.apps?.length >= COUNT && json.apps.every((app) => typeof app.nickName === "string");
  }, "the nicknames of the imported apps", 60000);
}

test("a viewer sees the picker without Add or Import", async () => {
  const t = await openPage(env);
  const { page } = t;
  await signIn(page, KEYS.viewer);
  await pickerIdle(page);
  assert.equal(await page.locator("#apps").isVisible(), true);
  assert.equal(await page.locator("#views").isHidden(), true, "nothing to look up before an app is chosen");
  assert.equal(await page.getByRole("button", { name: "Add mini program" }).count(), 0);
  assert.equal(await page.getByRole("button", { name: "Import authorizations" }).count(), 0);
  await eventually(() => page.evaluate(() => document.activeElement.id === "apps-q"), "the search has the keyboard");
  await t.finish();
});

test("an admin imports the authorizations: the list shows the imported apps", async () => {
  const t = await openPage(env);
  const { page } = t;
  await signIn(page, KEYS.admin);
  await pickerIdle(page);
  await page.getByRole("button", { name: "Import authorizations" }).click();
  const outcome = page.locator('#apps-admin [data-outcome="import"]');
  await outcome.waitFor();
  // The seeded authorizer of the platform and the generated ones.
  const total = (await simGet(env.sim.url, "/__sim/authorizers")).authorizers
    .filter((a) => a.component_appid === COMPONENT_APPID && a.authorized).length;
  assert.equal(await outcome.textContent(), `${total} authorizations, ${total} new.`);
  imported = true;
  await pickerIdle(page);
  assert.match(await page.locator("#apps-body .app-range").textContent(), new RegExp(`^1–20 of ${total}$`));
  const ids = await appIds(page);
  assert.equal(ids.length, 20);
  for (let i = 1; i <= 5; i++) assert.ok(ids.includes(appid(i)), `${appid(i)} listed`);
  await screenshot(page, "imported");
  // The outcome is drawn again in the language chosen.
  await page.locator("#lang").selectOption("zh-CN");
  assert.equal(await outcome.textContent(), `共 ${total} 个授权，新增 ${total} 个。`);
  assert.equal(await page.locator('#apps-admin button[data-action="import"]').textContent(), "导入授权");
  await waitForNicknames();
  await t.finish();
});

// The steps, in both languages: `lang` and the texts it shows, at desktop and phone widths.
const RUNS = [
  { lang: "en", locale: "en-US", viewport: undefined, noCloud: /permission set 49\) not granted/, envs: "Environments of" },
  { lang: "zh-CN", locale: "zh-CN", viewport: PHONE, noCloud: /权限集 49/, envs: "的环境" },
];

for (const run of RUNS) {
  test(`${run.lang}${run.viewport ? " at 375 px" : ""}: search by name and appid, an app's environments, a function, its config; back and reload`, async () => {
    await importOnce();
    const t = await openPage(env, { locale: run.locale, ...(run.viewport ? { viewport: run.viewport } : {}) });
    const { page } = t;
    await page.locator("#access-key").fill(KEYS.viewer);
    await page.locator("#signin-form button[type=submit]").click();
    await page.locator("#role:not([hidden])").waitFor();
    await pickerIdle(page);
    assert.equal(await page.evaluate(() => document.documentElement.lang), run.lang);

    // The second page of the list, then a search by name.
    await page.locator('#apps-body button[data-action="next"]').click();
    // Ordered by nickname: Sim App 0021 opens the second page.
    await eventually(async () => (await appIds(page))[0] === appid(21), "the second page");
    assert.equal(url(page).search, "", "a page of the picker is not a step");
    await page.locator("#apps-q").fill("app 0007");
    await eventually(async () => JSON.stringify(await appIds(page)) === JSON.stringify([appid(7)]), "the search by name");
    assert.equal(await rows(page).locator(".app-name").textContent(), nickName(7));
    assert.equal(await rows(page).locator(".avatar").textContent(), "S", "the letter under the avatar");
    // The avatar itself, asked over https from WeChat's image host (served by openPage's stand-in).
    const img = rows(page).locator(".avatar img");
    assert.equal(await img.getAttribute("src"), `https://wx.qlogo.cn/mmopen/sim-app-0007/0`);
    await eventually(async () => (await img.evaluate((el) => el.complete && el.naturalWidth)) === 1, "the avatar loaded");
    // A search by appid: every tenth app has not granted cloud development, and says so.
    await page.locator("#apps-q").fill(appid(10));
    await eventually(async () => JSON.stringify(await appIds(page)) === JSON.stringify([appid(10)]), "the search by appid");
    assert.match(await rows(page).locator('[data-note="cloud"]').textContent(), run.noCloud);
    await page.locator("#apps-q").fill("no such app");
    await page.locator('#apps-body [data-state="empty"]').waitFor();
    await page.locator("#apps-q").fill(appid(7));
    await eventually(async () => JSON.stringify(await appIds(page)) === JSON.stringify([appid(7)]), "the search by appid");
    assert.equal(url(page).search, "", "searching is not a step");
    await shot(page, `${run.lang}-picker`);

    // Step 1: the app. Its environments: 1 + 7 % 3 = 2.
    await rows(page).first().click();
    await page.locator('#envs[aria-busy="false"] .env-list').waitFor();
    assert.deepEqual(place(page), { app: appid(7) });
    assert.match(await page.locator("#envs-title").textContent(), new RegExp(run.envs));
    assert.deepEqual(await page.locator("#envs .env-id").allTextContents(), ["prod-app0007", "test-app0007"]);
    assert.deepEqual(await page.locator("#envs .env-alias").allTextContents(), ["prod", "test"]);
    assert.equal(await page.locator("#apps .app-chosen .app-id").textContent(), appid(7));
    assert.equal(await page.locator("#views").isVisible(), true);

    // Step 2: an environment. Its functions: 2 + (7 + 1) % 3 = 4.
    await page.locator('#envs button[data-env="prod-app0007"]').click();
    await page.locator('#browse[aria-busy="false"] table caption').waitFor();
    assert.deepEqual(place(page), { app: appid(7), env: "prod-app0007" });
    assert.deepEqual((await page.locator("#browse tbody th button").allTextContents()).sort(), ["login", "notify", "orderSync", "reportDaily"]);
    await shot(page, `${run.lang}-environment`);

    // Step 3: a function; its configs (j = 1: one API from the pool's second, a trigger, REGION).
    await page.locator('#browse button[data-function="orderSync"]').click();
    await waitIdle(page);
    assert.deepEqual(place(page), { app: appid(7), env: "prod-app0007", fn: "orderSync" });
    const card = (kind) => page.locator(`#results-body [data-kind="${kind}"]`);
    assert.deepEqual(await card("cloudCall").locator(".api-list li").allTextContents(), ["wxacode.getUnlimited"]);
    assert.equal(await card("timerTrigger").locator("code.cron").textContent(), "0 8 8 * * * *");
    assert.deepEqual(await card("environment").locator("tbody tr th").allTextContents(), ["REGION"]);
    await shot(page, `${run.lang}-config`);

    // Reload: the same place, the same config.
    await page.reload();
    await page.locator("#role:not([hidden])").waitFor();
    await waitIdle(page);
    assert.deepEqual(place(page), { app: appid(7), env: "prod-app0007", fn: "orderSync" });
    assert.equal(await page.locator("#apps .app-chosen .app-id").textContent(), appid(7));
    assert.deepEqual(await card("cloudCall").locator(".api-list li").allTextContents(), ["wxacode.getUnlimited"]);
    await page.locator('#browse[aria-busy="false"] table caption').waitFor();

    // Back: the environment without a function, then the app without an environment.
    await page.goBack();
    await eventually(async () => (await page.locator("#results-body").textContent()) === "", "the config is gone");
    assert.deepEqual(place(page), { app: appid(7), env: "prod-app0007" });
    assert.equal(await page.locator("#browse").isVisible(), true);
    await page.goBack();
    await eventually(() => page.locator("#browse").isHidden(), "the function list is gone");
    assert.deepEqual(place(page), { app: appid(7) });
    assert.equal(await page.locator("#envs .env-list").isVisible(), true);
    // Forward again to the function.
    await page.goForward();
    await page.goForward();
    await waitIdle(page);
    assert.deepEqual(place(page), { app: appid(7), env: "prod-app0007", fn: "orderSync" });
    assert.deepEqual(await card("environment").locator("tbody tr th").allTextContents(), ["REGION"]);
    assert.deepEqual(await page.locator("#recent-list .chip-main").allTextContents(), ["orderSync"]);

    // Another app: a step of its own; what was shown of the first (its config, its recent
    // lookups) is not shown for it.
    await page.locator('#apps button[data-action="change"]').click();
    assert.equal(await page.evaluate(() => document.activeElement.id), "apps-q");
    await page.locator("#apps-q").fill(appid(8));
    await eventually(async () => JSON.stringify(await appIds(page)) === JSON.stringify([appid(8)]), "the search for another app");
    await rows(page).first().click();
    await page.locator('#envs[aria-busy="false"] .env-list').waitFor();
    assert.deepEqual(place(page), { app: appid(8) });
    assert.equal(await page.locator("#results-body").textContent(), "");
    assert.equal(await page.locator("#recent-list .chip-main").count(), 0, "the first app's lookups stay with it");
    const recent = JSON.parse(await page.evaluate(() => localStorage.getItem("tcbfc.recent")));
    assert.deepEqual(recent, [{ appid: appid(7), env: "prod-app0007", functionName: "orderSync", type: "all" }]);
    await page.goBack();
    await waitIdle(page);
    assert.equal(await page.locator("#apps .app-chosen .app-id").textContent(), appid(7));
    assert.deepEqual(await page.locator("#recent-list .chip-main").allTextContents(), ["orderSync"]);
    await t.finish();
  });
}

test("a shared link opens at its place after signing in", async () => {
  await importOnce();
  const t = await openPage(env);
  const { page } = t;
  await page.goto(`${env.worker.url}/?app=${appid(8)}&env=test-app0008&fn=login&type=3`);
  await signIn(page, KEYS.viewer);
  await waitIdle(page);
  assert.equal(await page.locator("#apps .app-chosen .app-name").textContent(), nickName(8));
  assert.equal(await page.locator("#q-type").inputValue(), "3");
  assert.deepEqual(await page.locator("#results-body [data-kind]").evaluateAll((els) => els.map((e) => e.dataset.kind)), ["environment"]);
  assert.deepEqual(place(page), { app: appid(8), env: "test-app0008", fn: "login", type: "3" });
  await t.finish();
});

for (const run of RUNS) {
  test(`${run.lang}${run.viewport ? " at 375 px" : ""}: an admin adds a mini program through WeChat's authorization page`, async () => {
    const t = await openPage(env, { locale: run.locale, ...(run.viewport ? { viewport: run.viewport } : {}) });
    const { page } = t;
    await page.locator("#access-key").fill(KEYS.admin);
    await page.locator("#signin-form button[type=submit]").click();
    await page.locator("#role:not([hidden])").waitFor();
    await pickerIdle(page);
    await page.locator('#apps-admin button[data-action="add"]').click();
    const pc = page.locator('#apps-admin a[data-link="pc"]');
    await pc.waitFor();
    assert.equal(await page.locator('#apps-admin a[data-link="mobile"]').count(), 1);
    assert.equal(await pc.getAttribute("referrerpolicy"), "origin", "WeChat checks the page's domain");
    assert.match(await page.locator("#apps-admin .auth-links").textContent(), /云开发管理/);
    await shot(page, `${run.lang}-add-links`);

    const link = new URL(await pc.getAttribute("href"));
    const params = link.searchParams;
    assert.equal(link.origin + link.pathname, "https://mp.weixin.qq.com/cgi-bin/componentloginpage");
    // Opened from the page, the link names the page's origin as its referrer (WeChat checks it
    // against the platform's registered domain), though the page itself sends none.
    let referer = null;
    await t.context.route("https://mp.weixin.qq.com/**", (route) => {
      referer = route.request().headers().referer ?? "";
      return route.fulfill({ status: 200, contentType: "text/plain", body: "WeChat's authorization page" });
    });
    const [tab] = await Promise.all([t.context.waitForEvent("page"), pc.click()]);
    await eventually(() => referer !== null, "the link was opened");
    assert.equal(referer, `${env.worker.url}/`);
    await tab.close();
    assert.equal(params.get("component_appid"), COMPONENT_APPID);
    assert.equal(params.get("auth_type"), "2");
    const wayBack = new URL(params.get("redirect_uri"));
    assert.equal(wayBack.origin + wayBack.pathname, `${env.worker.url}/wechat/authorized`);
    assert.match(wayBack.searchParams.get("state"), /^[0-9]+\.[A-Za-z0-9_-]{43}$/, "the way back carries the Worker's signed state");
    assert.ok(params.get("pre_auth_code"));
    const before = new Set((await simGet(env.sim.url, "/__sim/authorizers")).authorizers.map((a) => a.authorizer_appid));

    // The simulator's stand-in for WeChat's page authorizes a new account and sends the browser
    // back to the Worker, which answers 303 to the page.
    const standIn = new URL("/__sim/authorize", env.sim.url);
    for (const name of ["component_appid", "pre_auth_code", "redirect_uri", "auth_type"]) standIn.searchParams.set(name, params.get(name));
    await page.goto(standIn.href);
    await page.locator("#notice:not([hidden])").waitFor();
    const added = (await simGet(env.sim.url, "/__sim/authorizers")).authorizers.find((a) => !before.has(a.authorizer_appid));
    assert.ok(added, "the simulator made an account");
    assert.deepEqual(place(page), { app: added.authorizer_appid }, "authorized=1 is gone from the address");
    await page.locator(`#apps .app-chosen[data-appid="${added.authorizer_appid}"]`).waitFor();
    await eventually(async () => (await page.locator("#notice").textContent()).includes(added.nick_name), "the notice names the app");
    assert.equal(await page.locator("#apps .app-chosen .app-name").textContent(), added.nick_name);
    await page.locator('#envs[aria-busy="false"] .env-list').waitFor();
    assert.deepEqual(await page.locator("#envs .env-id").allTextContents(), [`prod-${added.authorizer_appid}`]);
    await shot(page, `${run.lang}-added`);
    // A reload does not show the notice again.
    await page.reload();
    await page.locator('#envs[aria-busy="false"] .env-list').waitFor();
    assert.equal(await page.locator("#notice").isHidden(), true);
    await t.finish();
  });
}

test("a failed return from the authorization page says why, once", async () => {
  const t = await openPage(env);
  const { page } = t;
  await page.goto(`${env.worker.url}/?authorization_error=expired_code`);
  assert.equal(url(page).search, "", "the error is taken out of the address");
  await signIn(page, KEYS.admin);
  const notice = page.locator("#notice");
  await notice.waitFor();
  assert.match(await notice.textContent(), /expired \(61010\)/);
  assert.equal(await notice.getAttribute("data-tone"), "error");
  await notice.getByRole("button", { name: "Close" }).click();
  assert.equal(await notice.isHidden(), true);
  await t.finish();
});

test("a code brought back without the page's own link is not exchanged, and the page says so", async () => {
  const t = await openPage(env);
  const { page } = t;
  // Straight to the way back, as a forged link would send the browser: no signed state.
  await page.goto(`${env.worker.url}/wechat/authorized?auth_code=queryauthcode@@@forged&expires_in=600`);
  assert.equal(url(page).pathname, "/");
  assert.equal(url(page).search, "", "the error is taken out of the address");
  await signIn(page, KEYS.admin);
  const notice = page.locator("#notice");
  await notice.waitFor();
  assert.match(await notice.textContent(), /did not come back through a link this page made/);
  assert.equal(await notice.getAttribute("data-tone"), "error");
  await t.finish();
});

test("an app added without cloud development says so, in the notice and in its row", async () => {
  await importOnce();
  const t = await openPage(env);
  const { page } = t;
  await signIn(page, KEYS.admin);
  await pickerIdle(page);
  await page.locator('#apps-admin button[data-action="add"]').click();
  const pc = page.locator('#apps-admin a[data-link="pc"]');
  await pc.waitFor();
  const params = new URL(await pc.getAttribute("href")).searchParams;
  // The stand-in authorizes an existing account when told which: every tenth lacks 49.
  const standIn = new URL("/__sim/authorize", env.sim.url);
  for (const name of ["component_appid", "pre_auth_code", "redirect_uri", "auth_type"]) standIn.searchParams.set(name, params.get(name));
  standIn.searchParams.set("appid", appid(10));
  t.expectHttp(ENVS_NO_CLOUD_STATUS, "/api/envs");
  await page.goto(standIn.href);
  const notice = page.locator("#notice");
  await notice.locator('[data-note="cloud"]').waitFor();
  assert.match(await notice.textContent(), new RegExp(`${nickName(10)} \\(${appid(10)}\\) was authorized`));
  assert.match(await notice.locator('[data-note="cloud"]').textContent(), /permission set 49/);
  assert.match(await page.locator('#apps .app-chosen [data-note="cloud"]').textContent(), /permission set 49\) not granted/);
  assert.equal(await page.locator('#apps .app-chosen [data-note="status"]').count(), 0, "not told it can be read");
  // Its environments cannot be read: WeChat's refusal, explained.
  await page.locator('#envs[aria-busy="false"] [role="alert"]').waitFor();
  await screenshot(page, "added-without-cloud");
  await t.finish();
});

test("an app whose admin withdrew the authorization shows as revoked, and is refused", async () => {
  await importOnce();
  const pushed = await simControl(env.sim.url, "/__sim/push",
    { url: `${env.worker.url}/wechat/events`, info_type: "unauthorized", authorizer_appid: appid(3) });
  assert.equal(pushed.success, true, JSON.stringify(pushed));
  const t = await openPage(env, { locale: "zh-CN", viewport: PHONE });
  const { page } = t;
  t.expectHttp(403, "/api/envs");
  await page.locator("#access-key").fill(KEYS.viewer);
  await page.locator("#signin-form button[type=submit]").click();
  await page.locator("#role:not([hidden])").waitFor();
  await pickerIdle(page);
  await page.locator("#apps-q").fill(appid(3));
  await eventually(async () => JSON.stringify(await appIds(page)) === JSON.stringify([appid(3)]), "the search by appid");
  assert.equal(await rows(page).locator(".app-status").textContent(), "已取消授权");
  assert.match(await rows(page).locator('[data-note="status"]').textContent(), /撤回了授权/);
  await rows(page).first().click();
  const error = page.locator('#envs[aria-busy="false"] [role="alert"]');
  await error.waitFor();
  assert.equal(await error.getAttribute("data-code"), "revoked");
  assert.match(await error.textContent(), /小程序管理员已撤回授权/);
  assert.deepEqual(place(page), { app: appid(3) });
  await shot(page, "zh-CN-revoked");
  await t.finish();
});

test("an app whose authorization WeChat no longer accepts asks to be authorized again", async () => {
  await importOnce();
  // Withdrawn without a push: the Worker learns it at the app's next token refresh (61023).
  await simControl(env.sim.url, "/__sim/unauthorize", { authorizer_appid: appid(4) });
  const first = await api(`/api/envs?appid=${appid(4)}`);
  assert.notEqual(first.status, 200, JSON.stringify(first.json));
  const t = await openPage(env);
  const { page } = t;
  t.expectHttp(403, "/api/envs");
  await signIn(page, KEYS.viewer);
  await pickerIdle(page);
  await page.locator("#apps-q").fill(appid(4));
  await eventually(async () => JSON.stringify(await appIds(page)) === JSON.stringify([appid(4)]), "the search by appid");
  assert.equal(await rows(page).locator(".app-status").textContent(), "Authorize again");
  assert.match(await rows(page).locator('[data-note="status"]').textContent(), /must authorize again \(Add mini program\)/);
  await rows(page).first().click();
  const error = page.locator('#envs[aria-busy="false"] [role="alert"]');
  await error.waitFor();
  assert.equal(await error.getAttribute("data-code"), "reauthorize");
  assert.match(await error.textContent(), /must be authorized again/);
  await shot(page, "reauthorize");
  await t.finish();
});

test("the keyboard alone: search, choose an app, an environment, a function", async () => {
  await importOnce();
  const t = await openPage(env);
  const { page } = t;
  await signIn(page, KEYS.viewer);
  await pickerIdle(page);
  await eventually(() => page.evaluate(() => document.activeElement.id === "apps-q"), "the search has the keyboard");
  await page.keyboard.type(appid(7));
  await page.keyboard.press("Enter");
  await eventually(async () => JSON.stringify(await appIds(page)) === JSON.stringify([appid(7)]), "the search");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.dataset.appid), appid(7));
  await page.keyboard.press("Enter");
  await page.locator('#envs[aria-busy="false"] .env-list').waitFor();
  await eventually(() => page.evaluate(() => document.activeElement.id === "envs-title"), "the environments have the keyboard");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.dataset.env), "prod-app0007");
  await page.keyboard.press("Enter");
  await page.locator('#browse[aria-busy="false"] table caption').waitFor();
  await eventually(() => page.evaluate(() => document.activeElement.id === "browse-title"), "the functions have the keyboard");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.dataset.function), "login");
  await page.keyboard.press("Enter");
  await waitIdle(page);
  assert.deepEqual(place(page), { app: appid(7), env: "prod-app0007", fn: "login" });
  await t.finish();
});
