// The page's writes and browsing in a real Chromium, through the real Worker (wrangler dev /
// workerd) in front of the simulator: the function list, the admin's edits with their preview,
// conflicts and uncertain writes, the viewer's read-only page and the compare view. Every test
// checks on the simulator what was (or was not) written, and fails on any console error.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import {
  ENV, KEYS, SCREENSHOTS, SIM_TOKEN, eventually, lookUp, openPage, screenshot, signIn, simControl, startAll,
} from "./browser.mjs";
import { parseCron } from "../../pkg/node.js";

let env;

before(async () => {
  env = await startAll({ shots: "edit-" });
});

after(async () => {
  await env?.stop();
  console.log(`screenshots: ${SCREENSHOTS}`);
});

// --- helpers -------------------------------------------------------------------------------

const card = (page, kind) => page.locator(`#results-body [data-kind="${kind}"]`);
const editor = (page, kind) => card(page, kind).locator(".editor");

async function simGet(path) {
  const response = await fetch(env.sim.url + path);
  assert.ok(response.ok, `simulator ${path}: ${response.status}`);
  return response.json();
}

async function uploadCount(functionName, envId) {
  const answer = await simGet(`/__sim/changes?env=${encodeURIComponent(envId)}&function=${encodeURIComponent(functionName)}`);
  return answer.uploads;
}

/** Upload counts when each test started, so a simulator shared with earlier runs is fine. */
const baselines = new Map();

/** Starts counting the uploads to `functionName` (in ENV) from now. */
async function fresh(functionName) {
  baselines.set(functionName, await uploadCount(functionName, ENV));
}

/** How many uploads the simulator applied to `functionName` (in ENV) since `fresh`. */
async function uploads(functionName) {
  return (await uploadCount(functionName, ENV)) - (baselines.get(functionName) ?? 0);
}

/** The simulator's requests about `functionName` (any path). */
const simRequests = (functionName) => simGet(`/__sim/requests?function_name=${encodeURIComponent(functionName)}`);

/** How many upload requests about `functionName` reached the simulator (applied or not). */
const uploadRequests = async (functionName) =>
  (await simRequests(functionName)).filter((r) => r.path === "/tcb/uploadfuncconfig").length;

/** The config the simulator holds, read through getfuncconfig (`null`: not configured). */
async function stored(functionName, type, envId = ENV) {
  const response = await fetch(`${env.sim.url}/tcb/getfuncconfig?access_token=${SIM_TOKEN}`, {
    method: "POST", body: JSON.stringify({ env: envId, function_name: functionName, type }),
  });
  const body = await response.json();
  if (body.errcode === 85089) return null;
  assert.equal(body.errcode, 0, JSON.stringify(body));
  return JSON.parse(body.config);
}

function setConfig(functionName, type, config, envId = ENV) {
  return simControl(env.sim.url, "/__sim/configs", {
    env: envId, function_name: functionName, type, config: config === null ? null : JSON.stringify(config),
  });
}

/** The Worker's own answer for a config (what the page was shown), as the viewer. */
async function workerConfig(functionName, type, envId = ENV) {
  const url = `${env.worker.url}/api/config?env=${envId}&function=${functionName}&type=${type}`;
  const response = await fetch(url, { headers: { Authorization: `Bearer ${KEYS.viewer}` } });
  return response.json();
}

/** Records the bodies of the page's edit requests. */
function recordEdits(page) {
  const sent = [];
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (url.pathname.startsWith("/api/edit/")) sent.push({ path: url.pathname, method: request.method(), body: JSON.parse(request.postData() ?? "null") });
  });
  return sent;
}

async function openEditor(page, kind) {
  await card(page, kind).locator('button[data-action="edit"]').click();
  await editor(page, kind).waitFor();
}

/** Clicks the preview (submit) button and waits for the preview. */
async function previewEdit(page, kind) {
  await editor(page, kind).locator('button[data-action="preview"]').click();
  await editor(page, kind).locator('.preview').waitFor();
}

/** The change list shown in `scope`: `[op, field, key]` rows. */
const changeRows = (scope) => scope.locator(".changes li").evaluateAll((items) =>
  items.map((li) => [li.dataset.op, li.dataset.field, li.dataset.key]));

async function save(page, kind) {
  await editor(page, kind).locator('button[data-action="save"]').click();
  await card(page, kind).locator(".saved").waitFor();
}

/** A type 1 config as WeChat writes it. */
const perms = (openapi) => ({ permissions: { openapi } });

const ENV_CONFIG = {
  timeout: 20,
  environment: [
    { key: "DB_HOST", value: "10.0.0.8" },
    { key: "DB_PASSWORD", value: "s3cr3t-edit-pw" },
    { key: "REGION", value: "ap-shanghai" },
  ],
};

// --- browse --------------------------------------------------------------------------------

test("Functions lists the environment's functions, 20 a page, and a choice is looked up", async () => {
  const browseEnv = "page-browse";
  const names = Array.from({ length: 45 }, (_, i) => `fn${String(i + 1).padStart(2, "0")}`);
  await simControl(env.sim.url, "/__sim/functions", { env: browseEnv, names });
  const t = await openPage(env);
  const { page } = t;
  t.expectHttp(404, "/api/config");
  await signIn(page, KEYS.viewer);
  await page.locator("#q-env").fill(browseEnv);
  await page.getByRole("button", { name: "Functions", exact: true }).click();
  const browse = page.locator("#browse");
  await browse.locator('table caption').waitFor();
  assert.equal(await browse.locator("h2").textContent(), `Functions in ${browseEnv}`);
  assert.equal(await page.evaluate(() => document.activeElement.id), "browse-title", "focus moves to the list");

  // Each page is what the Worker lists, in its order, with runtime, status and time.
  const api = async (offset) => {
    const response = await fetch(`${env.worker.url}/api/functions?env=${browseEnv}&limit=20&offset=${offset}`,
      { headers: { Authorization: `Bearer ${KEYS.viewer}` } });
    assert.equal(response.status, 200);
    return response.json();
  };
  const shown = () => browse.locator("tbody tr th button").allTextContents();
  const first = await api(0);
  assert.equal(first.total, 45);
  assert.deepEqual(await shown(), first.functions.map((f) => f.name));
  assert.equal(await browse.locator("caption").textContent(), "Functions 1–20 of 45. Choose one to look it up.");
  assert.match(await browse.locator(".pager").textContent(), /Page 1 of 3/);
  assert.equal(await browse.getByRole("button", { name: "Previous" }).isDisabled(), true);
  const row = browse.locator("tbody tr").first();
  const cells = await row.locator("td").allTextContents();
  assert.equal(cells.length, 3, "runtime, status, modified");
  if (first.functions[0].runtime) assert.equal(cells[0], first.functions[0].runtime);
  if (first.functions[0].status) assert.equal(cells[1], first.functions[0].status);
  await screenshot(page, "browse-page-1");

  await browse.getByRole("button", { name: "Next" }).click();
  await eventually(async () => (await browse.locator("caption").textContent()).startsWith("Functions 21–40"), "page 2");
  assert.deepEqual(await shown(), (await api(20)).functions.map((f) => f.name));
  assert.equal(await page.evaluate(() => document.activeElement.dataset.action), "next", "focus stays on Next");
  await page.keyboard.press("Enter");
  await eventually(async () => (await browse.locator("caption").textContent()).startsWith("Functions 41–45"), "page 3");
  const last = (await api(40)).functions.map((f) => f.name);
  assert.deepEqual(await shown(), last);
  assert.equal(last.length, 5);
  assert.equal(await browse.getByRole("button", { name: "Next" }).isDisabled(), true);
  assert.match(await browse.locator(".pager").textContent(), /Page 3 of 3/);
  await browse.getByRole("button", { name: "Previous" }).click();
  await eventually(async () => (await browse.locator("caption").textContent()).startsWith("Functions 21–40"), "back to page 2");
  assert.deepEqual(new Set([...(await api(0)).functions, ...(await api(20)).functions, ...(await api(40)).functions].map((f) => f.name)),
    new Set(names), "the three pages hold every function once");

  // Choosing one looks it up with the type chosen in the form.
  const chosen = (await shown())[3];
  await browse.locator("tbody").getByRole("button", { name: chosen, exact: true }).click();
  await page.locator(`#results[aria-busy="false"] #results-body h2`).waitFor();
  await eventually(async () => (await page.locator("#results-body h2").textContent()) === `${chosen} in ${browseEnv}`, "looked up");
  assert.equal(await page.locator("#q-function").inputValue(), chosen);
  assert.equal(await page.locator("#q-env").inputValue(), browseEnv);
  // A function created without configs: neutral cards, no error.
  assert.equal(await page.locator('#results-body [data-state="not-configured"]').count() >= 1, true);
  assert.equal(await browse.locator(`tbody button[aria-current="true"]`).textContent(), chosen);
  await t.finish();
});

test("Functions in an environment without functions says so; an empty environment field is focused", async () => {
  const t = await openPage(env);
  const { page } = t;
  t.expectHttp(404, "/api/functions");
  await signIn(page, KEYS.viewer);
  await page.locator("#q-env").fill("");
  await page.getByRole("button", { name: "Functions", exact: true }).click();
  assert.equal(await page.evaluate(() => document.activeElement.id), "q-env");
  assert.equal(await page.locator("#browse").isHidden(), true);
  await page.locator("#q-env").fill("page-empty-env");
  await page.getByRole("button", { name: "Functions", exact: true }).click();
  await page.locator('#browse [data-state="empty"]').waitFor();
  assert.equal(await page.locator("#browse [data-state=empty]").textContent(), "No functions in this environment.");
  await t.finish();
});

// --- environment ---------------------------------------------------------------------------

test("admin edits the timeout and a value: preview shows the exact change, Save writes once, others kept", async () => {
  const fn = "pageEditEnv";
  await fresh(fn);
  await setConfig(fn, 3, ENV_CONFIG);
  const t = await openPage(env);
  const { page } = t;
  const sent = recordEdits(page);
  await signIn(page, KEYS.admin);
  await lookUp(page, { functionName: fn, type: "3" });
  const loaded = await workerConfig(fn, 3);
  assert.match(loaded.version, /^[0-9a-f]{32}$/);

  await openEditor(page, "environment");
  const ed = editor(page, "environment");
  const timeout = ed.getByLabel("Timeout (seconds)");
  assert.equal(await page.evaluate(() => document.activeElement.dataset.focus), "timeout", "focus on the first field");
  assert.equal(await timeout.inputValue(), "20");
  // Existing values stay masked in the editor too.
  assert.deepEqual(await ed.locator(".edit-row").evaluateAll((rows) => rows.map((r) => r.dataset.key)), ["DB_HOST", "DB_PASSWORD", "REGION"]);
  assert.equal(await ed.locator(".edit-row .dots").count(), 3);
  await timeout.fill("30");
  await ed.getByRole("button", { name: "Change the value of DB_PASSWORD" }).click();
  const newValue = ed.getByLabel("New value of DB_PASSWORD");
  assert.equal(await page.evaluate(() => document.activeElement.dataset.focus), "value:DB_PASSWORD");
  assert.equal(await newValue.getAttribute("type"), "password");
  await newValue.fill("n3w-s3cr3t-value");
  assert.ok(!(await page.content()).includes("n3w-s3cr3t-value"), "a typed value is not in the DOM");
  const show = ed.getByRole("button", { name: "Show the value typed for DB_PASSWORD" });
  assert.equal(await show.getAttribute("aria-pressed"), "false");
  await show.click();
  assert.equal(await newValue.getAttribute("type"), "text");
  assert.equal(await show.getAttribute("aria-pressed"), "true");
  assert.ok(!(await page.content()).includes("n3w-s3cr3t-value"), "shown, it is still only the input's value");
  await screenshot(page, "env-editor", { target: card(page, "environment") });
  await show.click();
  assert.equal(await show.getAttribute("aria-pressed"), "false");
  assert.equal(await newValue.getAttribute("type"), "password");

  await previewEdit(page, "environment");
  const preview = ed.locator(".preview");
  assert.deepEqual(await changeRows(preview), [
    ["changed", "timeout", "timeout"],
    ["changed", "environment", "DB_PASSWORD"],
  ]);
  assert.match(await preview.locator('li[data-key="timeout"]').textContent(), /20 s → 30 s/);
  assert.equal(await preview.locator('li[data-key="DB_PASSWORD"] .dots').count(), 2, "both values masked");
  assert.equal(await page.evaluate(() => document.activeElement.dataset.focus), "preview");
  const html = await page.content();
  assert.ok(!html.includes("n3w-s3cr3t-value") && !html.includes("s3cr3t-edit-pw"), "no value in the preview");
  assert.equal(await uploads(fn), 0, "the preview wrote nothing");
  assert.equal(sent.length, 1);
  assert.deepEqual(sent[0], {
    path: "/api/edit/environment", method: "POST",
    body: { env: ENV, function: fn, expectedVersion: loaded.version, set: { DB_PASSWORD: "n3w-s3cr3t-value" }, timeout: 30, dryRun: true },
  });
  await screenshot(page, "env-preview", { target: card(page, "environment") });

  await save(page, "environment");
  assert.equal(sent.length, 2);
  const { dryRun, ...rest } = sent[0].body;
  assert.equal(dryRun, true);
  assert.deepEqual(sent[1].body, rest, "Save sends the previewed edit without dryRun, with the version seen");
  assert.equal(await card(page, "environment").locator(".saved").textContent(), "Saved: 2 changes written.");
  assert.equal(await page.evaluate(() => document.activeElement.dataset.focus), "notice");
  assert.equal(await editor(page, "environment").count(), 0, "the editor closed");
  const envCard = card(page, "environment");
  assert.match(await envCard.locator(".facts").textContent(), /Timeout\s*30 s/);
  assert.equal(await envCard.locator('tr[data-key="DB_PASSWORD"] .length').textContent(), "16 chars");

  assert.equal(await uploads(fn), 1, "one upload");
  assert.deepEqual(await stored(fn, 3), {
    timeout: 30,
    environment: [
      { key: "DB_HOST", value: "10.0.0.8" },
      { key: "DB_PASSWORD", value: "n3w-s3cr3t-value" },
      { key: "REGION", value: "ap-shanghai" },
    ],
  });
  const html2 = await page.content();
  assert.ok(!html2.includes("n3w-s3cr3t-value") && !html2.includes("s3cr3t-edit-pw") && !html2.includes("ap-shanghai"));

  // A second edit starts from the new version: add one variable, delete another.
  const written = await workerConfig(fn, 3);
  assert.notEqual(written.version, loaded.version);
  await openEditor(page, "environment");
  await ed.getByRole("button", { name: "Add variable" }).click();
  assert.equal(await page.evaluate(() => document.activeElement.dataset.focus.startsWith("newKey:")), true);
  await page.keyboard.type("FEATURE_FLAG");
  await ed.locator(".edit-row-new").getByLabel("Value", { exact: true }).fill("on");
  await ed.getByRole("button", { name: "Delete REGION" }).click();
  assert.match(await ed.locator('.edit-row[data-key="REGION"]').textContent(), /Will be deleted/);
  await previewEdit(page, "environment");
  assert.deepEqual(await changeRows(ed.locator(".preview")), [
    ["removed", "environment", "REGION"],
    ["added", "environment", "FEATURE_FLAG"],
  ]);
  await save(page, "environment");
  assert.equal(sent[3].body.expectedVersion, written.version);
  assert.deepEqual(sent[3].body.unset, ["REGION"]);
  assert.deepEqual(sent[3].body.set, { FEATURE_FLAG: "on" });
  assert.equal(await uploads(fn), 2);
  assert.deepEqual(await stored(fn, 3), {
    timeout: 30,
    environment: [
      { key: "DB_HOST", value: "10.0.0.8" },
      { key: "DB_PASSWORD", value: "n3w-s3cr3t-value" },
      { key: "FEATURE_FLAG", value: "on" },
    ],
  });
  assert.deepEqual(await card(page, "environment").locator("tbody tr th").allTextContents(), ["DB_HOST", "DB_PASSWORD", "FEATURE_FLAG"]);
  await t.finish();
});

test("the environment editor checks its fields before anything is sent", async () => {
  const fn = "pageEditChecks";
  await fresh(fn);
  await setConfig(fn, 3, ENV_CONFIG);
  const t = await openPage(env);
  const { page } = t;
  const sent = recordEdits(page);
  await signIn(page, KEYS.admin);
  await lookUp(page, { functionName: fn, type: "3" });
  await openEditor(page, "environment");
  const ed = editor(page, "environment");
  const before = (await simRequests(fn)).length;

  // Nothing changed: said without asking the server.
  await ed.locator('button[data-action="preview"]').click();
  await ed.locator(".edit-note").waitFor();
  assert.equal(await ed.locator(".edit-note").textContent(), "Nothing to change: the configuration already is like this.");

  await ed.getByLabel("Timeout (seconds)").fill("301");
  await ed.getByRole("button", { name: "Add variable" }).click();
  await ed.locator(".edit-row-new").getByLabel("New key").fill("9bad");
  await ed.getByRole("button", { name: "Add variable" }).click();
  await ed.locator(".edit-row-new").nth(1).getByLabel("New key").fill("DB_HOST");
  await ed.getByRole("button", { name: "Change the value of REGION" }).click();
  await ed.locator('button[data-action="preview"]').click();
  await ed.locator(".field-error").first().waitFor();
  const errors = await ed.locator(".field-error").evaluateAll((els) => els.map((e) => [e.dataset.error.split(":")[0], e.textContent]));
  assert.deepEqual(errors, [
    ["timeout", "Enter a whole number of seconds from 1 to 300."],
    ["value", "Type the new value, or keep the current one."],
    ["newKey", "Use letters, digits and _, not starting with a digit."],
    ["newKey", "DB_HOST is already set: use Change value on its row."],
  ]);
  const timeout = ed.getByLabel("Timeout (seconds)");
  assert.equal(await timeout.getAttribute("aria-invalid"), "true");
  const describedBy = await timeout.getAttribute("aria-describedby");
  assert.match(await page.locator(`[id="${describedBy.split(" ").pop()}"]`).textContent(), /1 to 300/, "the error is tied to its field");
  assert.equal(await page.evaluate(() => document.activeElement.dataset.focus), "timeout", "the first error has focus");
  await screenshot(page, "env-errors", { target: card(page, "environment") });

  await timeout.fill("0");
  await ed.locator('button[data-action="preview"]').click();
  assert.match(await ed.locator('[data-error="timeout"]').textContent(), /1 to 300/);
  assert.equal(sent.length, 0, "no request to the Worker");
  assert.equal((await simRequests(fn)).length, before, "nothing reached the simulator");

  // Cancel discards the draft and closes the editor.
  await ed.getByRole("button", { name: "Cancel" }).click();
  assert.equal(await editor(page, "environment").count(), 0);
  assert.equal(await page.evaluate(() => document.activeElement.dataset.action), "edit");
  await openEditor(page, "environment");
  assert.equal(await editor(page, "environment").getByLabel("Timeout (seconds)").inputValue(), "20");
  assert.equal(await editor(page, "environment").locator(".edit-row-new").count(), 0);
  await t.finish();
});

test("Cancel after the preview writes nothing", async () => {
  const fn = "pageEditCancel";
  await fresh(fn);
  const uploadsAsked = await uploadRequests(fn);
  await setConfig(fn, 3, ENV_CONFIG);
  const t = await openPage(env);
  const { page } = t;
  const sent = recordEdits(page);
  await signIn(page, KEYS.admin);
  await lookUp(page, { functionName: fn, type: "3" });
  await openEditor(page, "environment");
  const ed = editor(page, "environment");
  await ed.getByLabel("Timeout (seconds)").fill("45");
  await ed.getByRole("button", { name: "Delete DB_HOST" }).click();
  await previewEdit(page, "environment");
  assert.deepEqual(await changeRows(ed.locator(".preview")), [
    ["changed", "timeout", "timeout"],
    ["removed", "environment", "DB_HOST"],
  ]);
  await ed.locator('button[data-action="cancel-preview"]').click();
  // Back to the form with what was typed.
  await ed.locator("form").waitFor();
  assert.equal(await ed.getByLabel("Timeout (seconds)").inputValue(), "45");
  assert.equal(await ed.locator('.edit-row[data-key="DB_HOST"]').getAttribute("data-mode"), "delete");
  await ed.getByRole("button", { name: "Cancel" }).click();
  assert.equal(sent.length, 1);
  assert.equal(sent[0].body.dryRun, true);
  assert.equal(await uploads(fn), 0);
  assert.equal(await uploadRequests(fn), uploadsAsked, "no upload was even asked for");
  assert.deepEqual(await stored(fn, 3), ENV_CONFIG);
  assert.match(await card(page, "environment").locator(".facts").textContent(), /Timeout\s*20 s/);
  await t.finish();
});

// --- permissions ---------------------------------------------------------------------------

test("admin grants and revokes permissions, by keyboard", async () => {
  const fn = "pageEditPerms";
  await fresh(fn);
  await setConfig(fn, 1, perms(["wxacode.get"]));
  const t = await openPage(env);
  const { page } = t;
  const sent = recordEdits(page);
  await signIn(page, KEYS.admin);
  await lookUp(page, { functionName: fn, type: "1" });
  const cloud = card(page, "cloudCall");
  await cloud.locator('button[data-action="edit"]').focus();
  await page.keyboard.press("Enter");
  const ed = editor(page, "cloudCall");
  await ed.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.dataset.focus), "grant");

  // A name that is not <category>.<method> is refused in the page.
  await page.keyboard.type("subscribeMessage.send notAName");
  await page.keyboard.press("Enter");
  await ed.locator('[data-error="grant"]').waitFor();
  assert.equal(await ed.locator('[data-error="grant"]').textContent(), "Not an API name of the form <category>.<method>: notAName");
  assert.equal(sent.length, 0);

  await ed.getByLabel("Grant APIs").fill("subscribeMessage.send, security.msgSecCheck  wxacode.get");
  await ed.getByLabel("Grant APIs").press("Enter");
  await ed.locator(".preview").waitFor();
  assert.deepEqual(sent[0].body.names, ["subscribeMessage.send", "security.msgSecCheck", "wxacode.get"]);
  assert.deepEqual(await changeRows(ed.locator(".preview")), [
    ["added", "openapi", "subscribeMessage.send"],
    ["added", "openapi", "security.msgSecCheck"],
  ]);
  assert.equal(await page.evaluate(() => document.activeElement.dataset.focus), "preview");
  await screenshot(page, "grant-preview", { target: cloud });
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.dataset.action), "save");
  await page.keyboard.press("Enter");
  await cloud.locator(".saved").waitFor();
  assert.equal(await cloud.locator(".saved").textContent(), "Saved: 2 changes written.");
  assert.deepEqual(await cloud.locator(".api-list li").allTextContents(), ["wxacode.get", "subscribeMessage.send", "security.msgSecCheck"]);
  assert.deepEqual(await stored(fn, 1), perms(["wxacode.get", "subscribeMessage.send", "security.msgSecCheck"]));
  assert.equal(await uploads(fn), 1);

  // Revoke, per row.
  await openEditor(page, "cloudCall");
  await ed.getByRole("button", { name: "Revoke wxacode.get" }).click();
  await ed.locator(".preview").waitFor();
  assert.deepEqual(await changeRows(ed.locator(".preview")), [["removed", "openapi", "wxacode.get"]]);
  await save(page, "cloudCall");
  assert.equal(await cloud.locator(".saved").textContent(), "Saved: 1 change written.");
  assert.deepEqual(await cloud.locator(".api-list li").allTextContents(), ["subscribeMessage.send", "security.msgSecCheck"]);
  assert.deepEqual(await stored(fn, 1), perms(["subscribeMessage.send", "security.msgSecCheck"]));
  assert.equal(await uploads(fn), 2);
  assert.deepEqual(sent.map((s) => [s.path, s.body.dryRun ?? false]), [
    ["/api/edit/openapi/grant", true], ["/api/edit/openapi/grant", false],
    ["/api/edit/openapi/revoke", true], ["/api/edit/openapi/revoke", false],
  ]);

  // Granting what is granted already changes nothing.
  await openEditor(page, "cloudCall");
  await ed.getByLabel("Grant APIs").fill("security.msgSecCheck");
  await previewEdit(page, "cloudCall");
  assert.equal(await ed.locator('.preview[data-state="nothing"]').textContent(), "Nothing to change: the configuration already is like this.Back");
  assert.equal(await ed.locator('button[data-action="save"]').count(), 0);
  assert.equal(await uploads(fn), 2);
  await t.finish();
});

test("a permission granted to a function without that config creates it", async () => {
  const fn = "pageEditNewPerms";
  await fresh(fn);
  await setConfig(fn, 1, null);
  await setConfig(fn, 3, { timeout: 3, environment: [] });
  const t = await openPage(env);
  const { page } = t;
  t.expectHttp(404, "/api/config");
  const sent = recordEdits(page);
  await signIn(page, KEYS.admin);
  await lookUp(page, { functionName: fn, type: "1" });
  assert.equal(await card(page, "cloudCall").locator('[data-state="not-configured"]').count(), 1);
  await openEditor(page, "cloudCall");
  await editor(page, "cloudCall").getByLabel("Grant APIs").fill("wxacode.getUnlimited");
  await previewEdit(page, "cloudCall");
  assert.equal(sent[0].body.expectedVersion, null, "not configured: version null");
  await save(page, "cloudCall");
  assert.deepEqual(await card(page, "cloudCall").locator(".api-list li").allTextContents(), ["wxacode.getUnlimited"]);
  assert.deepEqual(await stored(fn, 1), perms(["wxacode.getUnlimited"]));
  await t.finish();
});

// --- timer trigger -------------------------------------------------------------------------

test("admin sets a trigger (a bad cron is shown inline and nothing is sent) and removes it", async () => {
  const fn = "pageEditTimer";
  await fresh(fn);
  await setConfig(fn, 2, { triggers: [{ name: "nightly", type: "timer", config: "0 0 2 * * * *" }] });
  const t = await openPage(env);
  const { page } = t;
  const sent = recordEdits(page);
  await signIn(page, KEYS.admin);
  await lookUp(page, { functionName: fn, type: "2" });
  await openEditor(page, "timerTrigger");
  const ed = editor(page, "timerTrigger");
  const name = ed.getByLabel("Trigger name");
  const cron = ed.getByLabel("Cron expression");
  assert.equal(await name.inputValue(), "nightly");
  assert.equal(await cron.inputValue(), "0 0 2 * * * *");
  const live = ed.locator(".cron-live");
  await eventually(async () => (await live.locator(".explanation").count()) === 1, "the current expression explained");
  assert.equal(await live.locator(".explanation").textContent(), "at 02:00:00 every day");

  const before = (await simRequests(fn)).length;
  await cron.fill("0 0 25 * * * *");
  await eventually(async () => (await live.locator(".schedule-error").count()) === 1, "the error as it is typed");
  assert.match(await live.locator(".schedule-error").textContent(), /^Not understood: .*hour: 25 is outside 0-23$/);
  assert.equal(await cron.getAttribute("aria-invalid"), "true");
  await ed.locator('button[data-action="preview"]').click();
  assert.equal(await page.evaluate(() => document.activeElement.dataset.focus), "trigger-cron");
  assert.match(await ed.locator(".cron-live .schedule-error").textContent(), /hour: 25 is outside 0-23$/);
  await name.fill("1bad");
  await ed.locator('button[data-action="preview"]').click();
  await ed.locator('[data-error="trigger-name"]').waitFor();
  assert.equal(await ed.locator('[data-error="trigger-name"]').textContent(), "Use 1–60 letters, digits, - and _, starting with a letter.");
  await screenshot(page, "trigger-invalid", { target: card(page, "timerTrigger") });
  assert.equal(sent.length, 0, "nothing sent to the Worker");
  assert.equal((await simRequests(fn)).length, before, "nothing reached the simulator");

  await name.fill("weekdays");
  await cron.fill("0 30 9 * * MON-FRI *");
  const expected = parseCron("0 30 9 * * MON-FRI *").explanation.en;
  await eventually(async () => (await live.locator(".explanation").textContent().catch(() => "")) === expected, "explained");
  assert.equal(await live.locator("time").count(), 3, "the next runs");
  assert.match(await live.locator("time").first().getAttribute("datetime"), /T09:30:00\+08:00$/);
  await previewEdit(page, "timerTrigger");
  assert.deepEqual(sent[0].body, {
    env: ENV, function: fn, expectedVersion: (await workerConfig(fn, 2)).version, name: "weekdays", config: "0 30 9 * * MON-FRI *", dryRun: true,
  });
  assert.deepEqual(await changeRows(ed.locator(".preview")), [
    ["removed", "triggers", "nightly"],
    ["added", "triggers", "weekdays"],
  ]);
  await save(page, "timerTrigger");
  const row = card(page, "timerTrigger").locator("tbody tr");
  assert.equal(await row.locator("th").textContent(), "weekdays");
  assert.equal(await row.locator("code.cron").textContent(), "0 30 9 * * MON-FRI *");
  assert.deepEqual(await stored(fn, 2), { triggers: [{ name: "weekdays", type: "timer", config: "0 30 9 * * MON-FRI *" }] });

  await openEditor(page, "timerTrigger");
  await ed.getByRole("button", { name: "Remove trigger weekdays" }).click();
  await ed.locator(".preview").waitFor();
  assert.deepEqual(await changeRows(ed.locator(".preview")), [["removed", "triggers", "weekdays"]]);
  await save(page, "timerTrigger");
  assert.equal(await card(page, "timerTrigger").locator("tbody tr").count(), 0);
  const left = await stored(fn, 2);
  assert.ok(left === null || left.triggers.length === 0, `no trigger left: ${JSON.stringify(left)}`);
  assert.equal(await uploads(fn), 2);
  await t.finish();
});

// --- conflicts and uncertain writes --------------------------------------------------------

test("a config changed after it was loaded: the conflict panel, nothing saved, Reload shows the server's", async () => {
  const fn = "pageEditConflict";
  await fresh(fn);
  await setConfig(fn, 3, ENV_CONFIG);
  const t = await openPage(env);
  const { page } = t;
  t.expectHttp(409, "/api/edit/environment");
  const sent = recordEdits(page);
  await signIn(page, KEYS.admin);
  await lookUp(page, { functionName: fn, type: "3" });
  const loaded = await workerConfig(fn, 3);
  await openEditor(page, "environment");
  const ed = editor(page, "environment");
  await ed.getByLabel("Timeout (seconds)").fill("60");
  await previewEdit(page, "environment");

  // Someone else changes it.
  const theirs = { timeout: 25, environment: [...ENV_CONFIG.environment, { key: "ADDED_BY_OTHER", value: "x" }] };
  await setConfig(fn, 3, theirs);
  const now = await workerConfig(fn, 3);
  await ed.locator('button[data-action="save"]').click();
  const conflict = ed.locator(".conflict");
  await conflict.waitFor();
  assert.equal(await conflict.locator("h5").textContent(), "Someone else changed this configuration");
  assert.equal(await page.evaluate(() => document.activeElement.dataset.focus), "conflict");
  assert.equal(sent.at(-1).body.expectedVersion, loaded.version);
  // Both versions side by side.
  const sides = conflict.locator(".side-by-side .summary");
  assert.equal(await sides.count(), 2);
  assert.equal(await sides.nth(0).locator(".summary-title").textContent(), "What you loaded");
  assert.equal(await sides.nth(0).locator(".version code").textContent(), loaded.version);
  assert.equal(await sides.nth(1).locator(".summary-title").textContent(), "On the server now");
  assert.equal(await sides.nth(1).locator(".version code").textContent(), now.version);
  assert.match(await sides.nth(0).locator(".summary-timeout").textContent(), /20 s/);
  assert.match(await sides.nth(1).locator(".summary-timeout").textContent(), /25 s/);
  assert.equal(await sides.nth(1).locator('li[data-key="ADDED_BY_OTHER"]').getAttribute("data-op"), "added");
  const changes = await changeRows(conflict);
  assert.ok(changes.some(([op, field]) => op === "changed" && field === "timeout"), JSON.stringify(changes));
  assert.ok(changes.some(([op, , key]) => op === "added" && key === "ADDED_BY_OTHER"), JSON.stringify(changes));
  assert.equal(await conflict.getByRole("button", { name: "Save" }).count(), 0, "no way to force it");
  assert.equal(await uploads(fn), 0, "nothing was saved");
  assert.ok(!(await page.content()).includes("s3cr3t-edit-pw"));
  await screenshot(page, "conflict", { target: card(page, "environment") });

  await conflict.getByRole("button", { name: "Reload" }).click();
  const envCard = card(page, "environment");
  await envCard.locator(".saved").waitFor();
  assert.equal(await envCard.locator(".saved").textContent(), "Reloaded: this is the configuration on the server now.");
  assert.match(await envCard.locator(".facts").textContent(), /Timeout\s*25 s/);
  assert.deepEqual(await envCard.locator("tbody tr th").allTextContents(), ["DB_HOST", "DB_PASSWORD", "REGION", "ADDED_BY_OTHER"]);
  assert.equal(await editor(page, "environment").count(), 0, "the edit is discarded");
  assert.equal(await uploads(fn), 0);
  assert.deepEqual(await stored(fn, 3), theirs);

  // An edit made now is guarded by the reloaded version.
  await openEditor(page, "environment");
  assert.equal(await editor(page, "environment").getByLabel("Timeout (seconds)").inputValue(), "25");
  await editor(page, "environment").getByLabel("Timeout (seconds)").fill("26");
  await previewEdit(page, "environment");
  assert.equal(sent.at(-1).body.expectedVersion, now.version);
  await save(page, "environment");
  assert.equal(await uploads(fn), 1);
  assert.equal((await stored(fn, 3)).timeout, 26);
  await t.finish();
});

test("a conflict at the preview shows the same panel", async () => {
  const fn = "pageEditConflict2";
  await fresh(fn);
  await setConfig(fn, 1, perms(["wxacode.get"]));
  const t = await openPage(env);
  const { page } = t;
  t.expectHttp(409, "/api/edit/openapi/grant");
  await signIn(page, KEYS.admin);
  await lookUp(page, { functionName: fn, type: "1" });
  await setConfig(fn, 1, perms(["wxacode.get", "ocr.idcard"]));
  await openEditor(page, "cloudCall");
  await editor(page, "cloudCall").getByLabel("Grant APIs").fill("subscribeMessage.send");
  await editor(page, "cloudCall").locator('button[data-action="preview"]').click();
  const conflict = editor(page, "cloudCall").locator(".conflict");
  await conflict.waitFor();
  assert.equal(await conflict.locator(".side-by-side .summary").count(), 2);
  assert.deepEqual(await changeRows(conflict), [["added", "openapi", "ocr.idcard"]]);
  assert.equal(await uploads(fn), 0);
  await conflict.getByRole("button", { name: "Reload" }).click();
  await card(page, "cloudCall").locator(".saved").waitFor();
  assert.deepEqual(await card(page, "cloudCall").locator(".api-list li").allTextContents(), ["wxacode.get", "ocr.idcard"]);
  await t.finish();
});

test("an upload whose outcome is unknown (504) shows its hint and Reload, and is never retried", async () => {
  const fn = "pageEditUnknown";
  await fresh(fn);
  await setConfig(fn, 3, ENV_CONFIG);
  const t = await openPage(env);
  const { page } = t;
  t.expectHttp(504, "/api/edit/environment");
  await signIn(page, KEYS.admin);
  await lookUp(page, { functionName: fn, type: "3" });
  await openEditor(page, "environment");
  const ed = editor(page, "environment");
  await ed.getByLabel("Timeout (seconds)").fill("40");
  await previewEdit(page, "environment");
  const uploadsAsked = await uploadRequests(fn);
  await simControl(env.sim.url, "/__sim/faults", {
    path: "/tcb/uploadfuncconfig", times: 1, fault: { kind: "http", status: 502, body: "<html>bad gateway</html>" },
  });
  await ed.locator('button[data-action="save"]').click();
  const panel = ed.locator('.uncertain[data-state="unknown_outcome"]');
  await panel.waitFor();
  assert.match(await panel.locator(".notice").textContent(), /not known whether the change was written/);
  assert.equal(await panel.locator('[role="alert"]').getAttribute("data-code"), "unknown_outcome");
  assert.match(await panel.locator('[data-fact="hint"] dd').textContent(), /read the config/i);
  assert.equal(await panel.getByRole("button", { name: "Save" }).count(), 0);
  await screenshot(page, "unknown-outcome", { target: card(page, "environment") });
  // Never retried: one upload request reached the simulator.
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(await uploadRequests(fn), uploadsAsked + 1);
  await panel.getByRole("button", { name: "Reload" }).click();
  await card(page, "environment").locator(".saved").waitFor();
  assert.match(await card(page, "environment").locator(".facts").textContent(), /Timeout\s*20 s/);
  await t.finish();
});

test("a write read back different (502 unverified) shows what was written and read, with Reload", async () => {
  const fn = "pageEditUnverified";
  await fresh(fn);
  await setConfig(fn, 1, perms(["wxacode.get"]));
  const t = await openPage(env);
  const { page } = t;
  t.expectHttp(502, "/api/edit/openapi/grant");
  await signIn(page, KEYS.admin);
  await lookUp(page, { functionName: fn, type: "1" });
  await openEditor(page, "cloudCall");
  const ed = editor(page, "cloudCall");
  await ed.getByLabel("Grant APIs").fill("ocr.idcard");
  await previewEdit(page, "cloudCall");
  await simControl(env.sim.url, "/__sim/hooks", {
    env: ENV, function: fn, type: 1, after: "upload", config: JSON.stringify(perms(["wxacode.get"])),
  });
  await ed.locator('button[data-action="save"]').click();
  const panel = ed.locator('.uncertain[data-state="unverified"]');
  await panel.waitFor();
  assert.match(await panel.locator(".notice").textContent(), /reading it back gave something else/);
  assert.equal(await panel.locator('[role="alert"]').getAttribute("data-code"), "unverified");
  assert.match(await panel.locator('[data-fact="hint"] dd').textContent(), /\S/);
  const sides = panel.locator(".side-by-side .summary");
  assert.deepEqual(await sides.locator(".summary-title").allTextContents(), ["What was written", "What was read back"]);
  assert.equal(await sides.nth(0).locator('li[data-key="ocr.idcard"]').getAttribute("data-op"), "removed");
  assert.deepEqual(await changeRows(panel), [["removed", "openapi", "ocr.idcard"]]);
  assert.equal(await uploads(fn), 1, "written once, never again");
  await screenshot(page, "unverified", { target: card(page, "cloudCall") });
  assert.equal(await panel.getByRole("button", { name: "Reload" }).count(), 1);
  await panel.getByRole("button", { name: "Reload" }).click();
  await card(page, "cloudCall").locator(".saved").waitFor();
  assert.deepEqual(await card(page, "cloudCall").locator(".api-list li").allTextContents(), ["wxacode.get"]);
  await fetch(`${env.sim.url}/__sim/hooks`, { method: "DELETE" });
  await t.finish();
});

test("direct mode: the page's own wasm client lists, previews, saves and meets a conflict", async () => {
  const fn = "pageDirectEdit";
  await fresh(fn);
  await setConfig(fn, 3, ENV_CONFIG);
  const t = await openPage(env);
  const { page } = t;
  const seen = [];
  page.on("request", (request) => seen.push(new URL(request.url())));
  await page.getByText("Development: direct mode").click();
  await page.getByLabel("Base URL").fill(env.sim.url);
  await page.getByLabel("Access token").fill(SIM_TOKEN);
  await page.getByRole("button", { name: "Use direct mode" }).click();
  await page.locator("#role:not([hidden])").waitFor();

  await page.locator("#q-env").fill(ENV);
  await page.getByRole("button", { name: "Functions", exact: true }).click();
  await page.locator("#browse table").waitFor();
  const listed = await page.locator("#browse tbody th button").allTextContents();
  assert.ok(["hello", "openapi", "orderSync", "reportDaily", fn].every((name) => listed.includes(name)), listed.join());

  await lookUp(page, { functionName: fn, type: "3" });
  await openEditor(page, "environment");
  const ed = editor(page, "environment");
  await ed.getByLabel("Timeout (seconds)").fill("40");
  await ed.getByRole("button", { name: "Change the value of REGION" }).click();
  await ed.getByLabel("New value of REGION").fill("direct-secret-region");
  await previewEdit(page, "environment");
  assert.deepEqual(await changeRows(ed.locator(".preview")), [
    ["changed", "timeout", "timeout"],
    ["changed", "environment", "REGION"],
  ]);
  assert.equal(await uploads(fn), 0);
  await save(page, "environment");
  assert.equal(await uploads(fn), 1);
  assert.deepEqual(await stored(fn, 3), {
    timeout: 40,
    environment: [ENV_CONFIG.environment[0], ENV_CONFIG.environment[1], { key: "REGION", value: "direct-secret-region" }],
  });
  assert.match(await card(page, "environment").locator(".facts").textContent(), /Timeout\s*40 s/);
  assert.ok(!(await page.content()).includes("direct-secret-region"));

  // The next edit is guarded by the raw text now shown: a change made meanwhile is a conflict.
  await openEditor(page, "environment");
  await ed.getByLabel("Timeout (seconds)").fill("41");
  await previewEdit(page, "environment");
  await setConfig(fn, 3, { timeout: 99, environment: [] });
  await ed.locator('button[data-action="save"]').click();
  const conflict = ed.locator(".conflict");
  await conflict.waitFor();
  assert.equal(await conflict.locator(".side-by-side .summary").count(), 2);
  assert.match(await conflict.locator(".summary").nth(1).locator(".summary-timeout").textContent(), /99 s/);
  const changes = await changeRows(conflict);
  assert.ok(changes.some(([op, field]) => op === "changed" && field === "timeout"), JSON.stringify(changes));
  assert.ok(!(await page.content()).includes("direct-secret-region"), "the conflict's configs are masked");
  assert.equal(await uploads(fn), 1, "nothing more was written");
  await conflict.getByRole("button", { name: "Reload" }).click();
  await card(page, "environment").locator(".saved").waitFor();
  assert.match(await card(page, "environment").locator(".facts").textContent(), /Timeout\s*99 s/);
  assert.equal(seen.filter((u) => u.pathname.startsWith("/api/")).length, 0, "no Worker API call");
  await t.finish();
});

// --- roles, compare, language, phone -------------------------------------------------------

test("a viewer sees no edit control", async () => {
  const t = await openPage(env);
  const { page } = t;
  await signIn(page, KEYS.viewer);
  await lookUp(page, { functionName: "orderSync", type: "all" });
  assert.equal(await page.locator('#results-body [data-action="edit"]').count(), 0);
  assert.equal(await page.locator("#results-body .editor").count(), 0);
  assert.equal(await page.getByRole("button", { name: /^Edit/ }).count(), 0);
  // The admin sees one per card.
  await page.getByRole("button", { name: "Sign out" }).click();
  await signIn(page, KEYS.admin);
  await lookUp(page, { functionName: "orderSync", type: "all" });
  assert.deepEqual(await page.locator('#results-body [data-action="edit"]').allTextContents(),
    ["Edit permissions", "Edit trigger", "Edit environment"]);
  await t.finish();
});

test("compare: one function in two environments side by side, changes highlighted, values masked", async () => {
  const fn = "pageCompare";
  await fresh(fn);
  const other = "page-prod";
  await setConfig(fn, 1, perms(["wxacode.get", "subscribeMessage.send"]));
  await setConfig(fn, 1, perms(["subscribeMessage.send", "ocr.idcard"]), other);
  await setConfig(fn, 3, { timeout: 20, environment: [{ key: "TOKEN", value: "cmp-secret-a" }, { key: "ONLY_A", value: "1" }] });
  await setConfig(fn, 3, { timeout: 30, environment: [{ key: "TOKEN", value: "cmp-secret-b" }] }, other);
  const t = await openPage(env);
  const { page } = t;
  await signIn(page, KEYS.viewer);
  await page.locator("#q-env").fill(ENV);
  await page.locator("#q-function").fill(fn);
  await page.getByRole("button", { name: "Compare environments" }).click();
  assert.equal(await page.locator("#compare-view").isVisible(), true);
  assert.equal(await page.locator("#lookup-view").isHidden(), true);
  assert.equal(await page.getByRole("button", { name: "Compare environments" }).getAttribute("aria-pressed"), "true");
  assert.equal(await page.locator("#c-function").inputValue(), fn, "filled from the lookup");
  assert.equal(await page.locator("#c-env-a").inputValue(), ENV);
  await page.locator("#c-env-b").fill(other);
  await page.locator("#c-type").selectOption("1");
  const asked = page.waitForRequest((r) => new URL(r.url()).pathname === "/api/compare");
  await page.getByRole("button", { name: "Compare", exact: true }).click();
  const url = new URL((await asked).url());
  assert.deepEqual(Object.fromEntries(url.searchParams), { function: fn, envA: ENV, envB: other, type: "1" });
  const body = page.locator("#compare-body");
  await body.locator(".side-by-side").waitFor();
  assert.equal(await body.locator("h2").textContent(), `${fn}: ${ENV} and ${other}`);
  const sides = body.locator(".summary");
  assert.equal(await sides.nth(0).locator(".summary-title").textContent(), `A · ${ENV}`);
  assert.equal(await sides.nth(1).locator(".summary-title").textContent(), `B · ${other}`);
  assert.equal(await sides.nth(0).locator('li[data-key="wxacode.get"]').getAttribute("data-op"), "removed");
  assert.equal(await sides.nth(0).locator('li[data-key="subscribeMessage.send"]').getAttribute("data-op"), null);
  assert.equal(await sides.nth(1).locator('li[data-key="ocr.idcard"]').getAttribute("data-op"), "added");
  assert.deepEqual(await changeRows(body.locator(".compare-changes")), [
    ["removed", "openapi", "wxacode.get"],
    ["added", "openapi", "ocr.idcard"],
  ]);
  await screenshot(page, "compare-permissions");

  await page.locator("#c-type").selectOption("3");
  await page.getByRole("button", { name: "Compare", exact: true }).click();
  await eventually(async () => (await body.locator(".summary-timeout").count()) === 2, "the environment compared");
  assert.deepEqual(await changeRows(body.locator(".compare-changes")), [
    ["changed", "timeout", "timeout"],
    ["changed", "environment", "TOKEN"],
    ["removed", "environment", "ONLY_A"],
  ]);
  assert.equal(await body.locator('.compare-changes li[data-key="TOKEN"] .dots').count(), 2);
  const html = await page.content();
  assert.ok(!html.includes("cmp-secret-a") && !html.includes("cmp-secret-b"), "values masked");
  await screenshot(page, "compare-environment");

  // Back to the lookup view as it was.
  await page.getByRole("button", { name: "Configurations" }).click();
  assert.equal(await page.locator("#lookup-view").isVisible(), true);
  await t.finish();
});

test("zh-CN: the editor and the compare view speak Chinese; a switch keeps the draft", async () => {
  const fn = "pageEditZh";
  await fresh(fn);
  await setConfig(fn, 3, ENV_CONFIG);
  const t = await openPage(env, { locale: "zh-CN" });
  const { page } = t;
  await page.getByLabel("访问密钥").fill(KEYS.admin);
  await page.getByRole("button", { name: "登录", exact: true }).click();
  await page.locator("#role:not([hidden])").waitFor();
  await lookUp(page, { functionName: fn, type: "3" });
  await card(page, "environment").getByRole("button", { name: "编辑环境配置" }).click();
  const ed = editor(page, "environment");
  await ed.getByLabel("超时时间（秒）").fill("500");
  await ed.getByRole("button", { name: "预览变更" }).click();
  assert.equal(await ed.locator('[data-error="timeout"]').textContent(), "请输入 1 到 300 之间的整数秒数。");
  await ed.getByLabel("超时时间（秒）").fill("50");
  await page.getByLabel("语言").selectOption("en");
  assert.equal(await ed.getByLabel("Timeout (seconds)").inputValue(), "50", "the draft survives the switch");
  await page.getByLabel("Language").selectOption("zh-CN");
  await ed.getByRole("button", { name: "预览变更" }).click();
  await ed.locator(".preview").waitFor();
  assert.equal(await ed.locator(".preview h5").textContent(), "确认变更");
  assert.match(await ed.locator('.preview li[data-key="timeout"]').textContent(), /修改.*20 秒 → 50 秒/);
  await screenshot(page, "zh-preview", { target: card(page, "environment") });
  await ed.getByRole("button", { name: "取消" }).click();
  await page.getByRole("button", { name: "环境对比" }).click();
  assert.equal(await page.locator("#compare-title").textContent(), "对比两个环境");
  assert.equal(await uploads(fn), 0);
  await t.finish();
});

test("phone width 375 px: the function list, the editor, a preview and the compare view fit", async () => {
  const fn = "pageEditPhone";
  await fresh(fn);
  await setConfig(fn, 3, ENV_CONFIG);
  await setConfig(fn, 2, { triggers: [{ name: "nightly", type: "timer", config: "0 0 2 * * * *" }] });
  await setConfig(fn, 3, { timeout: 9, environment: [{ key: "A_VERY_LONG_VARIABLE_NAME_THAT_GOES_ON_AND_ON", value: "x" }] }, "page-prod");
  const t = await openPage(env, { viewport: { width: 375, height: 812 } });
  const { page } = t;
  const scrollWidth = () => page.evaluate(() => document.scrollingElement.scrollWidth);
  await signIn(page, KEYS.admin);
  await page.locator("#q-env").fill(ENV);
  await page.getByRole("button", { name: "Functions", exact: true }).click();
  await page.locator("#browse table").waitFor();
  assert.ok((await scrollWidth()) <= 375, `function list: ${await scrollWidth()}`);
  await screenshot(page, "phone-functions");

  await lookUp(page, { functionName: fn, type: "all" });
  await openEditor(page, "environment");
  const ed = editor(page, "environment");
  await ed.getByRole("button", { name: "Change the value of DB_PASSWORD" }).click();
  await ed.getByRole("button", { name: "Add variable" }).click();
  await openEditor(page, "timerTrigger");
  assert.ok((await scrollWidth()) <= 375, `editors: ${await scrollWidth()}`);
  await screenshot(page, "phone-editors");
  await ed.getByLabel("Timeout (seconds)").fill("10");
  await ed.getByLabel("New value of DB_PASSWORD").fill("phone-secret-value");
  await ed.locator(".edit-row-new").getByLabel("New key").fill("A_VERY_LONG_VARIABLE_NAME_THAT_GOES_ON_AND_ON_AGAIN");
  await previewEdit(page, "environment");
  assert.ok((await scrollWidth()) <= 375, `preview: ${await scrollWidth()}`);
  await screenshot(page, "phone-preview");
  await ed.locator('button[data-action="cancel-preview"]').click();

  await page.getByRole("button", { name: "Compare environments" }).click();
  await page.locator("#c-function").fill(fn);
  await page.locator("#c-env-a").fill(ENV);
  await page.locator("#c-env-b").fill("page-prod");
  await page.locator("#c-type").selectOption("3");
  await page.getByRole("button", { name: "Compare", exact: true }).click();
  await page.locator("#compare-body .side-by-side").waitFor();
  assert.ok((await scrollWidth()) <= 375, `compare: ${await scrollWidth()}`);
  await screenshot(page, "phone-compare");
  assert.equal(await uploads(fn), 0);
  await t.finish();
});
