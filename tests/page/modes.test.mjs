// The page without a platform's many mini programs: a Worker with a static token (`/api/apps`
// says "none"), direct mode (the package in the browser, no Worker), and the one-app platform
// (AUTHORIZER_APPID: `/api/apps` says "app"). No picker to go through; the environments come from
// getenvinfo; each step is an address all the same.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startWorker } from "../edge/harness.mjs";
import {
  ENV, KEYS, SIM_TOKEN, openPage, platformSettings, pushTicket, screenshot, signIn, simGet, startAll, waitIdle,
} from "./browser.mjs";

let env;

before(async () => {
  env = await startAll({ shots: "modes-" });
});

after(async () => {
  await env?.stop();
});

const place = (page) => Object.fromEntries(new URL(page.url()).searchParams);
const envRow = (page) => page.locator(`#envs button[data-env="${ENV}"]`);

test("a static token: no picker; the environments, a function and its config, each an address; back and reload", async () => {
  const t = await openPage(env);
  const { page } = t;
  await signIn(page, KEYS.viewer);
  await envRow(page).waitFor();
  assert.equal(await page.locator("#apps").isHidden(), true, "no picker without apps");
  assert.equal(await page.locator("#views").isVisible(), true);
  assert.equal(await envRow(page).locator(".env-alias").textContent(), "test");
  assert.equal(await envRow(page).locator(".env-status").textContent(), "Normal");

  await envRow(page).click();
  await page.locator('#browse[aria-busy="false"] table caption').waitFor();
  assert.deepEqual(place(page), { env: ENV });
  assert.equal(await envRow(page).getAttribute("aria-current"), "true");
  await page.locator('#browse button[data-function="orderSync"]').click();
  await waitIdle(page);
  assert.deepEqual(place(page), { env: ENV, fn: "orderSync" });
  assert.equal(await page.locator("#results-body h2").textContent(), `orderSync in ${ENV}`);

  await page.reload();
  await page.locator("#role:not([hidden])").waitFor();
  await waitIdle(page);
  assert.equal(await page.locator("#results-body h2").textContent(), `orderSync in ${ENV}`);
  assert.equal(await page.locator("#q-function").inputValue(), "orderSync");
  await page.goBack();
  await page.locator("#results-body h2").waitFor({ state: "detached" });
  assert.deepEqual(place(page), { env: ENV });
  await t.finish();
});

test("zh-CN at 375 px: the environments of a static token", async () => {
  const t = await openPage(env, { locale: "zh-CN", viewport: { width: 375, height: 800 } });
  const { page } = t;
  await page.locator("#access-key").fill(KEYS.viewer);
  await page.locator("#signin-form button[type=submit]").click();
  await envRow(page).waitFor();
  assert.equal(await page.locator("#envs-title").textContent(), "环境");
  assert.equal(await envRow(page).locator(".env-status").textContent(), "正常");
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 375), "no sideways scrolling");
  await screenshot(page, "zh-CN-static-environments");
  await t.finish();
});

test("direct mode: no picker; the environments from the package's getEnvInfo", async () => {
  const t = await openPage(env);
  const { page } = t;
  const seen = [];
  page.on("request", (request) => seen.push(new URL(request.url())));
  await page.getByText("Development: direct mode").click();
  await page.getByLabel("Base URL").fill(env.sim.url);
  await page.getByLabel("Access token").fill(SIM_TOKEN);
  await page.getByRole("button", { name: "Use direct mode" }).click();
  await envRow(page).waitFor();
  assert.equal(await page.locator("#apps").isHidden(), true);
  await envRow(page).click();
  await page.locator('#browse[aria-busy="false"] table caption').waitFor();
  assert.deepEqual(place(page), { env: ENV });
  const sim = new URL(env.sim.url).origin;
  assert.ok(seen.some((u) => u.origin === sim && u.pathname === "/tcb/getenvinfo"), "the browser asked the simulator");
  assert.equal(seen.filter((u) => u.pathname.startsWith("/api/")).length, 0, "no Worker API call");
  await t.finish();
});

test("the one-app platform: its app is chosen by itself, with nothing to add, import or choose", async () => {
  const AUTHORIZER_APPID = "wx-sim-authorizer";
  const worker = await startWorker({ simUrl: env.sim.url, ...platformSettings({ AUTHORIZER_APPID }) });
  try {
    // WeChat's ticket, pushed; the authorizer's refresh token, as an admin stores it.
    await pushTicket(env.sim.url, worker.url);
    const { authorizers } = await simGet(env.sim.url, "/__sim/state");
    const refreshToken = authorizers.find((a) => a.authorizer_appid === AUTHORIZER_APPID).refresh_token;
    const stored = await fetch(`${worker.url}/api/wechat/refresh-token`, {
      method: "POST",
      headers: { Authorization: `Bearer ${KEYS.admin}`, "Content-Type": "application/json", Origin: worker.url },
      body: JSON.stringify({ refreshToken }),
    });
    assert.equal(stored.status, 200, await stored.text());

    const t = await openPage({ ...env, worker });
    const { page } = t;
    await signIn(page, KEYS.admin);
    await page.locator(`#apps .app-chosen[data-appid="${AUTHORIZER_APPID}"]`).waitFor();
    await envRow(page).waitFor();
    assert.deepEqual(place(page), { app: AUTHORIZER_APPID });
    assert.equal(await page.locator("#apps-admin").isHidden(), true, "a one-app platform adds nothing");
    assert.equal(await page.locator('#apps button[data-action="change"]').count(), 0, "nothing else to choose");
    assert.equal(await page.locator('#apps [data-note="cloud"]').count(), 0, "its permission sets are not known here");
    assert.equal(await page.locator("#apps .app-chosen .app-name").count(), 0, "no nickname to wait for");
    assert.equal(await page.locator("#apps .app-chosen .avatar").textContent(), "S", "the appid's first letter after wx");
    await envRow(page).click();
    await page.locator('#browse button[data-function="orderSync"]').click();
    await waitIdle(page);
    assert.deepEqual(place(page), { app: AUTHORIZER_APPID, env: ENV, fn: "orderSync" });
    assert.equal(await page.locator('#results-body [data-kind="cloudCall"] .api-list li').count(), 3);
    await screenshot(page, "one-app");
    await t.finish();
  } finally {
    await worker.stop();
  }
});
