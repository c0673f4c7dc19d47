// Shared by the page tests: the simulator, the Worker, a real Chromium, and the checks every
// test ends with (no console error, no page error, no dialog).
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { startWorker } from "../edge/harness.mjs";
import { record } from "../leaks.mjs";

export { KEYS } from "../edge/harness.mjs";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const ENV = "test-777bb9";
export const SIM_TOKEN = "sim-access-token";
export const SCREENSHOTS = join(ROOT, "build/screenshots/page");

const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
/** A 1×1 PNG. */
const AVATAR_PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==", "base64");
const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run",
];

/**
 * The simulator from SIM_URL (scripts/test.sh runs one), else one started here from
 * target/release/tcb-sim. Returns { url, stop() }.
 */
export async function simulator() {
  if (process.env.SIM_URL) return { url: process.env.SIM_URL.replace(/\/$/, ""), stop() {} };
  const dir = mkdtempSync(join(tmpdir(), "tcb-page-sim-"));
  const portFile = join(dir, "port");
  const child = spawn(join(ROOT, "target/release/tcb-sim"), ["--port", "0", "--port-file", portFile, "--quiet"],
    { stdio: "ignore" });
  const stop = () => {
    child.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 100 && !existsSync(portFile); i++) await new Promise((r) => setTimeout(r, 50));
  if (!existsSync(portFile)) {
    stop();
    throw new Error("the simulator did not start; build it with `cargo build --release -p tcb-sim`");
  }
  return { url: `http://127.0.0.1:${readFileSync(portFile, "utf8").trim()}`, stop };
}

/** POSTs a control request to the simulator; resolves to its JSON answer. */
export async function simControl(simUrl, path, body) {
  const response = await fetch(simUrl + path, { method: "POST", body: JSON.stringify(body) });
  const text = await response.text();
  assert.ok(response.ok, `simulator ${path}: ${response.status} ${text}`);
  return JSON.parse(text);
}

/** GETs a control resource of the simulator (e.g. `/__sim/authorizers`); resolves to its JSON. */
export async function simGet(simUrl, path) {
  const response = await fetch(simUrl + path);
  const text = await response.text();
  assert.ok(response.ok, `simulator ${path}: ${response.status} ${text}`);
  return JSON.parse(text);
}

/** The simulator's third-party platform (mock/README.md). */
export const SIM_COMPONENT_APPID = "wx-sim-component";

/**
 * The settings of a Worker for the simulator's platform (`{vars, secrets}` for `startAll` or
 * startWorker): its appid, secret, message token and EncodingAESKey, no static token. `vars` adds
 * to them, e.g. AUTHORIZER_APPID for the one-app platform.
 */
export function platformSettings(vars = {}) {
  return {
    secrets: {
      WECHAT_ACCESS_TOKEN: undefined, COMPONENT_APPSECRET: "sim-component-secret",
      COMPONENT_TOKEN: "sim-component-token", COMPONENT_AES_KEY: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
    },
    vars: { COMPONENT_APPID: SIM_COMPONENT_APPID, WECHAT_TIMEOUT_MS: "20000", ...vars },
  };
}

/** Has the simulator push a fresh component_verify_ticket to the Worker's event URL, as WeChat does. */
export async function pushTicket(simUrl, workerUrl) {
  const pushed = await simControl(simUrl, "/__sim/push", { url: `${workerUrl}/wechat/events`, info_type: "component_verify_ticket" });
  assert.equal(pushed.success, true, JSON.stringify(pushed));
}

/**
 * Starts the sim (if needed), the Worker allowing direct calls to the sim, and Chromium.
 * `shots` prefixes this test file's screenshot names (its old ones are removed, the other
 * files' kept): "" for page.test.mjs, e.g. "edit-" for another file. `worker`: the Worker's
 * other settings, `{vars, secrets}` as startWorker takes them (by default a static token);
 * `secrets` are more of them (e.g. HISTORY_KEY).
 */
export async function startAll({ shots = "", worker: settings = {}, secrets = {} } = {}) {
  const sim = await simulator();
  const allSecrets = { ...settings.secrets, ...secrets };
  const worker = await startWorker({
    simUrl: sim.url, vars: { DEV_CONNECT_SRC: sim.url, ...settings.vars }, ...(Object.keys(allSecrets).length > 0 ? { secrets: allSecrets } : {}),
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  shotPrefix = shots;
  mkdirSync(SCREENSHOTS, { recursive: true });
  const mine = new RegExp(`^${shots.replace(/[^\w-]/g, "")}\\d{2}-.*\\.png$`);
  for (const name of readdirSync(SCREENSHOTS)) {
    if (mine.test(name)) rmSync(join(SCREENSHOTS, name), { force: true });
  }
  return {
    sim,
    worker,
    browser,
    async stop() {
      await browser.close();
      worker.stop();
      sim.stop();
    },
  };
}

let shotCount = 0;
let shotPrefix = "";

/**
 * Opens the page in a fresh browser context (its own storage) and records every console
 * error, page error and dialog. Chromium logs each non-2xx fetch as a console error
 * ("Failed to load resource"): a test that provokes one names it with `expectHttp(status, path)`;
 * any other stays a failure.
 */
export async function openPage(env, { viewport = { width: 1100, height: 900 }, locale = "en-US", permissions = [] } = {}) {
  const context = await env.browser.newContext({ viewport, locale, permissions });
  // WeChat's avatar hosts are not reachable from the tests: a 1×1 image answers for them.
  await context.route(/^https:\/\/[a-z0-9-]+\.qlogo\.cn\//, (route) => route.fulfill({ status: 200, contentType: "image/png", body: AVATAR_PNG }));
  const page = await context.newPage();
  const problems = [];
  const expected = [];
  const dialogs = [];
  // Everything the page shows or logs goes to the secret-leak scan (tests/leaks.mjs): each
  // console line, page error and dialog, each /api/ answer (but an admin's reveal=1) and, at
  // finish(), the page's text.
  const answers = [];
  page.on("console", (message) => {
    record("page", `${message.type()}: ${message.text()} ${message.location()?.url ?? ""}`, "console");
    if (message.type() === "error") problems.push({ text: message.text(), url: message.location()?.url ?? "" });
  });
  page.on("pageerror", (error) => {
    record("page", `pageerror: ${error.stack ?? error.message}`, "pageerror");
    problems.push({ text: `pageerror: ${error.message}`, url: "" });
  });
  page.on("dialog", (dialog) => {
    record("page", `${dialog.type()}: ${dialog.message()}`, "dialog");
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    dialog.dismiss().catch(() => {});
  });
  page.on("response", (response) => {
    const url = new URL(response.url());
    if (url.origin !== new URL(env.worker.url).origin || !url.pathname.startsWith("/api/") || url.searchParams.get("reveal") === "1") return;
    answers.push(response.text()
      .then((text) => record("page", `${response.status()}\n${text}`, `answer to ${response.request().method()} ${url.pathname}`))
      .catch(() => {}));
  });
  await page.goto(env.worker.url + "/");
  return {
    page,
    context,
    dialogs,
    /** Allows Chromium's console line for one expected non-2xx answer of `path`. */
    expectHttp(status, path) {
      expected.push({ status, path });
    },
    /** Asserts no console error, page error or dialog, then closes the context. */
    async finish() {
      await recordPageText(page);
      await Promise.all(answers);
      const unexpected = problems.filter(({ text, url }) => {
        const match = /^Failed to load resource: the server responded with a status of (\d+)/.exec(text);
        if (!match || !url) return true;
        const path = new URL(url).pathname;
        return !expected.some((e) => e.status === Number(match[1]) && e.path === path);
      });
      await context.close();
      assert.deepEqual(unexpected.map((p) => `${p.text} ${p.url}`.trim()), [], "console errors or page errors");
      assert.deepEqual(dialogs, [], "dialogs");
    },
  };
}

/**
 * Records the page's text (hidden parts too) for the secret-leak scan. The values an admin
 * revealed on purpose (`code.value` in an environment row) are left out: showing them is
 * what the reveal is for.
 */
async function recordPageText(page) {
  if (page.isClosed()) return;
  const text = await page.evaluate(() => {
    const body = document.body.cloneNode(true);
    for (const el of body.querySelectorAll("tr[data-key] code.value")) el.textContent = "[revealed]";
    return body.textContent;
  }).catch(() => null);
  if (text !== null) record("page", text, `page text at the end of a test (${page.url()})`);
}

/**
 * Saves a screenshot as build/screenshots/page/NN-name.png: the full page, or only `target`
 * (a locator) when given.
 */
export async function screenshot(page, name, { target } = {}) {
  shotCount += 1;
  const file = join(SCREENSHOTS, `${shotPrefix}${String(shotCount).padStart(2, "0")}-${name}.png`);
  if (target) await target.screenshot({ path: file });
  else await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Polls `check` (sync or async) until it returns a truthy value; fails after `timeoutMs`. */
export async function eventually(check, message, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for: ${message}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Signs in with `key` and waits for the role badge. */
export async function signIn(page, key) {
  await page.getByLabel("Access key").fill(key);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.locator("#role:not([hidden])").waitFor();
}

/** Fills the query form and submits it; waits until the request finished and results show. */
export async function lookUp(page, { env = ENV, functionName, type = "all", drawn = true }) {
  await page.locator("#q-env").fill(env);
  await page.locator("#q-function").fill(functionName);
  await page.locator("#q-type").selectOption(type);
  await page.locator("#q-submit").click();
  await waitIdle(page, { drawn });
}

/**
 * Waits until no request is in flight and the results show, with every trigger timeline drawn:
 * a timeline first says it is loading (the package is imported on first use) and then redraws,
 * which moves what is below it — a click during that move can land elsewhere. `drawn: false`
 * skips that wait, for a test that holds the package back.
 */
export async function waitIdle(page, { drawn = true } = {}) {
  await page.locator('#results[aria-busy="false"] #results-body h2').waitFor();
  if (drawn) await page.locator('#results-body .timeline-status[role="status"]').first().waitFor({ state: "detached" });
}
