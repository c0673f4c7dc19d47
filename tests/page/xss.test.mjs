// The XSS corpus in a real Chromium, through the real Worker: hostile text in every place the
// server's data reaches the page (API names, trigger names and cron text, environment keys
// and values revealed by an admin, function names from listfunctions, WeChat's errmsg) and
// every view that shows it (config cards, raw JSON, the function list, recent queries, compare,
// the edit preview, the conflict panel, errors, direct mode). Each test checks that nothing ran
// (`window.__xss` stays unset, no element or handler of a payload exists), that the text is
// shown literally where it is shown, that no Content-Security-Policy violation happened, and
// that the page then still looks up a function normally.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { ENV, KEYS, SIM_TOKEN, lookUp, openPage, screenshot, signIn, simControl, startAll, waitIdle } from "./browser.mjs";

// Every payload would set window.__xss if it ever ran.
const PAYLOADS = [
  "<img src=x onerror=window.__xss=1>",
  "<script>window.__xss=1</script>",
  "\"><svg onload=window.__xss=1>",
  "javascript:window.__xss=1",
  "{{constructor.constructor('window.__xss=1')()}}",
  "'><iframe srcdoc=\"<script>parent.__xss=1</script>\"></iframe>",
  "</code></pre><a href=\"javascript:window.__xss=1\" id=xssLink>x</a>",
];
const [IMG, SCRIPT, SVG, JS_URL, TEMPLATE, IFRAME, LINK] = PAYLOADS;
// Environments of their own, new on each run.
const XENV = `page-xss-${process.pid}`;
const XENV_B = `page-xss-b-${process.pid}`;
const FN = "xssFn";
const HOSTILE_ERRMSG = `${IMG} ${SCRIPT} ${SVG} ${TEMPLATE}`;

let env;

before(async () => {
  env = await startAll({ shots: "xss-" });
  // xssFn: every type, hostile wherever the page shows server text.
  await setConfig(FN, 1, { permissions: { openapi: PAYLOADS } });
  await setConfig(FN, 2, { triggers: [{ name: IMG, type: "timer", config: SCRIPT }] });
  await setConfig(FN, 3, { timeout: 7, environment: PAYLOADS.map((key, i) => ({ key, value: PAYLOADS[(i + 1) % PAYLOADS.length] })) });
  // The same function in another environment, different: for the compare view.
  await setConfig(FN, 1, { permissions: { openapi: [IMG, "wxacode.get", `${SVG}-b`] } }, XENV_B);
  await setConfig(FN, 2, { triggers: [{ name: SVG, type: "timer", config: TEMPLATE }] }, XENV_B);
  await setConfig(FN, 3, { timeout: 8, environment: [{ key: IMG, value: "changed-value" }, { key: `${LINK}-b`, value: IFRAME }] }, XENV_B);
  // Function names for the list.
  await simControl(env.sim.url, "/__sim/functions", { env: XENV, names: PAYLOADS });
});

after(async () => {
  await fetch(`${env?.sim.url}/__sim/faults`, { method: "DELETE" }).catch(() => {});
  await env?.stop();
});

// --- helpers -------------------------------------------------------------------------------

function setConfig(functionName, type, config, envId = XENV) {
  return simControl(env.sim.url, "/__sim/configs", {
    env: envId, function_name: functionName, type, config: config === null ? null : JSON.stringify(config),
  });
}

const card = (page, kind) => page.locator(`#results-body [data-kind="${kind}"]`);
const editor = (page, kind) => card(page, kind).locator(".editor");
const texts = (locator) => locator.allTextContents();

/**
 * Opens the page with a recorder of CSP violations installed before any script of the page
 * runs (an init script, then a reload), so a payload blocked by the policy is noticed too.
 */
async function open(options) {
  const t = await openPage(env, options);
  await t.context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener("securitypolicyviolation", (e) => {
      window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`);
    });
  });
  await t.page.reload();
  await t.page.getByLabel("Access key").waitFor();
  return t;
}

/** Nothing of a payload ran or became markup, and the policy was never violated. */
async function assertInert(page) {
  const found = await page.evaluate(() => ({
    xss: window.__xss,
    csp: window.__cspViolations,
    handlers: document.querySelectorAll("[onerror], [onload], [onclick], [srcdoc]").length,
    elements: document.querySelectorAll("img, iframe, object, embed, #xssLink, a[href^='javascript:'], svg[onload]").length,
    scripts: [...document.scripts].map((s) => s.src.replace(location.origin, "")),
  }));
  assert.equal(found.xss, undefined, "a payload ran");
  assert.deepEqual(found.csp, [], "Content-Security-Policy violations");
  assert.equal(found.handlers, 0, "an element with an inline handler");
  assert.equal(found.elements, 0, "an element made from a payload");
  assert.deepEqual(found.scripts, ["/app.js"], "only the page's own module");
}

/** The function list shows every hostile name literally (and the tests' own functions). */
function assertListed(listed) {
  for (const name of PAYLOADS) assert.ok(listed.includes(name), `${name} is listed: ${listed.join(" | ")}`);
  assert.deepEqual(listed.filter((name) => !PAYLOADS.includes(name) && !name.startsWith("xss")), [], "nothing else");
}

/** The page still works: a normal lookup of orderSync shows its three cards. */
async function assertStillWorks(page) {
  await lookUp(page, { env: ENV, functionName: "orderSync", type: "all" });
  assert.deepEqual(await page.locator("#results-body [data-kind]").evaluateAll((els) => els.map((e) => e.dataset.kind)),
    ["cloudCall", "timerTrigger", "environment"]);
  assert.equal(await card(page, "timerTrigger").locator("tbody th").textContent(), "nightlySync");
  await assertInert(page);
}

// --- the corpus ----------------------------------------------------------------------------

test("config cards and raw JSON: API names, trigger name and cron, keys and values an admin reveals", async () => {
  const t = await open();
  const { page } = t;
  await signIn(page, KEYS.admin);
  await lookUp(page, { env: XENV, functionName: FN, type: "all" });

  assert.deepEqual(await texts(card(page, "cloudCall").locator(".api-list li")), PAYLOADS, "API names shown literally");
  const trigger = card(page, "timerTrigger").locator("tbody tr");
  assert.equal(await trigger.locator("th").textContent(), IMG);
  assert.equal(await trigger.locator("code.cron").textContent(), SCRIPT);
  assert.match(await card(page, "timerTrigger").textContent(), /7 fields/, "the cron text is explained as an error");

  const envCard = card(page, "environment");
  assert.deepEqual(await texts(envCard.locator("tbody tr th")), PAYLOADS, "keys shown literally");
  for (const [i, key] of PAYLOADS.entries()) {
    const row = envCard.locator("tbody tr").nth(i);
    await row.getByRole("button", { name: `Reveal the value of ${key}` }).click();
    await row.locator("code.value").waitFor();
    assert.equal(await row.locator("code.value").textContent(), PAYLOADS[(i + 1) % PAYLOADS.length], `the value of row ${i}`);
  }
  // The filter takes hostile text too.
  await card(page, "cloudCall").getByLabel("Filter APIs").fill(SCRIPT);
  assert.deepEqual(await texts(card(page, "cloudCall").locator(".api-list li")), [SCRIPT]);
  await card(page, "cloudCall").getByLabel("Filter APIs").fill("");

  for (const kind of ["cloudCall", "timerTrigger", "environment"]) {
    await card(page, kind).getByRole("button", { name: "Show raw JSON" }).click();
  }
  const raw = async (kind) => JSON.parse(await card(page, kind).locator(".raw pre").textContent());
  assert.deepEqual((await raw("cloudCall")).permissions.openapi, PAYLOADS, "raw JSON shown literally");
  assert.deepEqual((await raw("timerTrigger")).triggers, [{ name: IMG, type: "timer", config: SCRIPT }]);
  assert.deepEqual((await raw("environment")).environment.map((e) => e.key), PAYLOADS);
  await screenshot(page, "cards");
  await assertInert(page);
  // A language switch rebuilds every card from the same data.
  await page.getByLabel("Language").selectOption("zh-CN");
  await page.getByLabel("语言").selectOption("en");
  assert.deepEqual(await texts(card(page, "cloudCall").locator(".api-list li")), PAYLOADS);
  await assertStillWorks(page);
  await t.finish();
});

test("function names from listfunctions: the list, the lookup of one, the recent queries", async () => {
  const t = await open();
  const { page } = t;
  t.expectHttp(400, "/api/config");
  await signIn(page, KEYS.viewer);
  await page.locator("#q-env").fill(XENV);
  await page.getByRole("button", { name: "Functions", exact: true }).click();
  const browse = page.locator("#browse");
  await browse.locator("table caption").waitFor();
  assert.equal(await browse.locator("h2").textContent(), `Functions in ${XENV}`);
  assertListed(await texts(browse.locator("tbody tr th button")));
  await screenshot(page, "function-list");
  await assertInert(page);

  // Choosing a hostile name looks it up: the Worker refuses the name (400), the page says so.
  for (const name of [IMG, SVG]) {
    await browse.locator("tbody").getByRole("button", { name, exact: true }).click();
    await waitIdle(page);
    assert.equal(await page.locator("#results-body h2").textContent(), `${name} in ${XENV}`);
    const error = page.locator('#results-body [role="alert"]');
    assert.equal(await error.getAttribute("data-code"), "invalid_argument");
    assert.equal(await page.locator("#q-function").inputValue(), name);
    await assertInert(page);
  }
  // The recent queries keep the names and show them after a reload.
  await page.reload();
  await page.locator("#role:not([hidden])").waitFor();
  const recent = await texts(page.locator("#recent-list button"));
  assert.ok(recent.some((text) => text.includes(SVG)) && recent.some((text) => text.includes(IMG)), recent.join(" | "));
  await assertInert(page);
  await assertStillWorks(page);
  await t.finish();
});

test("WeChat's errmsg in a lookup, a reveal, the function list, the compare view and an edit", async () => {
  const t = await open();
  const { page } = t;
  t.expectHttp(502, "/api/config");
  t.expectHttp(502, "/api/functions");
  t.expectHttp(502, "/api/compare");
  t.expectHttp(502, "/api/edit/openapi/grant");
  await signIn(page, KEYS.admin);
  const fault = (path, functionName) => simControl(env.sim.url, "/__sim/faults", {
    ...(path ? { path } : {}), ...(functionName ? { function_name: functionName } : {}), times: 1,
    fault: { kind: "errcode", errcode: 45011, errmsg: HOSTILE_ERRMSG },
  });
  const errmsgOf = (scope) => scope.locator('[role="alert"] [data-fact="errmsg"] dd').first().textContent();

  // A lookup.
  await fault(null, FN);
  await lookUp(page, { env: XENV, functionName: FN, type: "1" });
  assert.equal(await errmsgOf(page.locator("#results-body")), HOSTILE_ERRMSG);
  await screenshot(page, "errmsg-lookup");
  await assertInert(page);

  // A reveal.
  await lookUp(page, { env: XENV, functionName: FN, type: "3" });
  await fault(null, FN);
  await card(page, "environment").locator("tbody tr").first().getByRole("button", { name: /^Reveal/ }).click();
  await card(page, "environment").locator('[role="alert"]').waitFor();
  assert.equal(await errmsgOf(card(page, "environment")), HOSTILE_ERRMSG);
  await assertInert(page);

  // The function list.
  await fault("/tcb/listfunctions");
  await page.locator("#q-env").fill(XENV);
  await page.getByRole("button", { name: "Functions", exact: true }).click();
  await page.locator('#browse [role="alert"]').waitFor();
  assert.equal(await errmsgOf(page.locator("#browse")), HOSTILE_ERRMSG);
  await assertInert(page);

  // An edit: the Worker's read before the write meets the error.
  await lookUp(page, { env: XENV, functionName: FN, type: "1" });
  await card(page, "cloudCall").locator('button[data-action="edit"]').click();
  await editor(page, "cloudCall").getByLabel("Grant APIs").fill("wxacode.get");
  await fault(null, FN);
  await editor(page, "cloudCall").locator('button[data-action="preview"]').click();
  await editor(page, "cloudCall").locator('[role="alert"]').waitFor();
  assert.equal(await errmsgOf(editor(page, "cloudCall")), HOSTILE_ERRMSG);
  await assertInert(page);

  // The compare view.
  await page.getByRole("button", { name: "Compare environments" }).click();
  await page.locator("#c-function").fill(FN);
  await page.locator("#c-env-a").fill(XENV);
  await page.locator("#c-env-b").fill(XENV_B);
  await page.locator("#c-type").selectOption("1");
  await fault(null, FN);
  await page.getByRole("button", { name: "Compare", exact: true }).click();
  await page.locator('#compare-body [role="alert"]').waitFor();
  assert.equal(await errmsgOf(page.locator("#compare-body")), HOSTILE_ERRMSG);
  await screenshot(page, "errmsg-compare");
  await assertInert(page);

  await page.getByRole("button", { name: "Configurations" }).click();
  await assertStillWorks(page);
  await t.finish();
});

test("compare: hostile names, triggers and keys side by side and in the change list", async () => {
  const t = await open();
  const { page } = t;
  await signIn(page, KEYS.admin);
  await page.getByRole("button", { name: "Compare environments" }).click();
  await page.locator("#c-function").fill(FN);
  await page.locator("#c-env-a").fill(XENV);
  await page.locator("#c-env-b").fill(XENV_B);
  const body = page.locator("#compare-body");
  const changeKeys = () => body.locator(".compare-changes li").evaluateAll((items) => items.map((li) => [li.dataset.op, li.dataset.key]));

  await page.locator("#c-type").selectOption("1");
  await page.getByRole("button", { name: "Compare", exact: true }).click();
  await body.locator(".side-by-side").waitFor();
  assert.deepEqual(await texts(body.locator(".summary").nth(0).locator("li code")), PAYLOADS);
  assert.deepEqual(await changeKeys(), [
    ...PAYLOADS.slice(1).map((name) => ["removed", name]),
    ["added", "wxacode.get"],
    ["added", `${SVG}-b`],
  ]);
  assert.deepEqual(await texts(body.locator(".compare-changes li code.change-key")), [...PAYLOADS.slice(1), "wxacode.get", `${SVG}-b`]);
  await assertInert(page);

  await page.locator("#c-type").selectOption("2");
  await page.getByRole("button", { name: "Compare", exact: true }).click();
  await body.locator(".summary .cron").first().waitFor();
  assert.deepEqual(await texts(body.locator(".summary .summary-name")), [IMG, SVG]);
  assert.deepEqual(await texts(body.locator(".summary .cron")), [SCRIPT, TEMPLATE]);
  assert.deepEqual(await changeKeys(), [["removed", IMG], ["added", SVG]]);
  await assertInert(page);

  await page.locator("#c-type").selectOption("3");
  await page.getByRole("button", { name: "Compare", exact: true }).click();
  await body.locator(".summary-timeout").first().waitFor();
  assert.deepEqual(await texts(body.locator(".summary").nth(1).locator("li code")), [IMG, `${LINK}-b`]);
  const keys = (await changeKeys()).map(([, key]) => key);
  assert.ok(keys.includes(SCRIPT) && keys.includes(`${LINK}-b`), keys.join(" | "));
  assert.ok(!(await body.textContent()).includes("changed-value"), "values stay masked");
  await screenshot(page, "compare");
  await assertInert(page);

  await page.getByRole("button", { name: "Configurations" }).click();
  await assertStillWorks(page);
  await t.finish();
});

test("the edit preview: a hostile trigger replaced, hostile API names revoked", async () => {
  const fn = "xssEdit";
  await setConfig(fn, 1, { permissions: { openapi: [IMG, "wxacode.get"] } });
  await setConfig(fn, 2, { triggers: [{ name: SVG, type: "timer", config: JS_URL }] });
  const t = await open();
  const { page } = t;
  await signIn(page, KEYS.admin);
  await lookUp(page, { env: XENV, functionName: fn, type: "all" });

  // The trigger editor starts from the hostile trigger; the preview lists it as removed.
  await card(page, "timerTrigger").locator('button[data-action="edit"]').click();
  const ed = editor(page, "timerTrigger");
  await ed.waitFor();
  assert.equal(await ed.getByLabel("Trigger name").inputValue(), SVG);
  assert.equal(await ed.getByLabel("Cron expression").inputValue(), JS_URL);
  await ed.getByLabel("Trigger name").fill("safe");
  await ed.getByLabel("Cron expression").fill("0 0 3 * * * *");
  await ed.locator('button[data-action="preview"]').click();
  await ed.locator(".preview").waitFor();
  const rows = ed.locator(".preview .changes li");
  assert.deepEqual(await rows.evaluateAll((items) => items.map((li) => [li.dataset.op, li.dataset.key])), [["removed", SVG], ["added", "safe"]]);
  assert.deepEqual(await texts(ed.locator(".preview .changes li code.change-key")), [SVG, "safe"]);
  assert.match(await ed.locator(".preview").textContent(), /javascript:window\.__xss=1/, "the old cron text shown literally");
  await screenshot(page, "edit-preview", { target: card(page, "timerTrigger") });
  await assertInert(page);
  await ed.locator('button[data-action="cancel-preview"]').click();
  await ed.getByRole("button", { name: "Cancel" }).click();

  // Revoking the hostile API name: the package refuses a name that is no API name (400,
  // nothing sent); the editor shows the error next to the name, both as text.
  t.expectHttp(400, "/api/edit/openapi/revoke");
  await card(page, "cloudCall").locator('button[data-action="edit"]').click();
  const perms = editor(page, "cloudCall");
  await perms.getByRole("button", { name: `Revoke ${IMG}` }).click();
  await perms.locator('[role="alert"]').waitFor();
  assert.equal(await perms.locator('[role="alert"]').getAttribute("data-code"), "invalid_argument");
  assert.ok((await perms.textContent()).includes(IMG), "the name shown literally");
  await screenshot(page, "edit-revoke", { target: card(page, "cloudCall") });
  await assertInert(page);
  await assertStillWorks(page);
  await t.finish();
});

test("the conflict panel: the server's config changed to hostile text after it was loaded", async () => {
  const fn = "xssConflict";
  await setConfig(fn, 1, { permissions: { openapi: ["wxacode.get"] } });
  await setConfig(fn, 3, { timeout: 5, environment: [{ key: "SAFE", value: "v" }] });
  const t = await open();
  const { page } = t;
  t.expectHttp(409, "/api/edit/openapi/grant");
  t.expectHttp(409, "/api/edit/environment");
  await signIn(page, KEYS.admin);
  await lookUp(page, { env: XENV, functionName: fn, type: "all" });

  await card(page, "cloudCall").locator('button[data-action="edit"]').click();
  await editor(page, "cloudCall").getByLabel("Grant APIs").fill("ocr.idcard");
  await setConfig(fn, 1, { permissions: { openapi: ["wxacode.get", ...PAYLOADS] } });
  await editor(page, "cloudCall").locator('button[data-action="preview"]').click();
  const conflict = editor(page, "cloudCall").locator(".conflict");
  await conflict.waitFor();
  const now = conflict.locator(".side-by-side .summary").nth(1);
  assert.deepEqual(await texts(now.locator("li code")), ["wxacode.get", ...PAYLOADS]);
  assert.deepEqual(await texts(conflict.locator(".changes li code.change-key")), PAYLOADS);
  await screenshot(page, "conflict-permissions", { target: card(page, "cloudCall") });
  await assertInert(page);

  await card(page, "environment").locator('button[data-action="edit"]').click();
  await editor(page, "environment").getByLabel("Timeout (seconds)").fill("6");
  await setConfig(fn, 3, { timeout: 5, environment: [{ key: "SAFE", value: "v" }, ...PAYLOADS.map((key) => ({ key, value: IMG }))] });
  await editor(page, "environment").locator('button[data-action="preview"]').click();
  const envConflict = editor(page, "environment").locator(".conflict");
  await envConflict.waitFor();
  assert.deepEqual(await texts(envConflict.locator(".side-by-side .summary").nth(1).locator("li code")), ["SAFE", ...PAYLOADS]);
  assert.deepEqual(await texts(envConflict.locator(".changes li code.change-key")), PAYLOADS);
  await assertInert(page);
  await assertStillWorks(page);
  await t.finish();
});

test("direct mode: the page's wasm client under the same policy shows the corpus literally", async () => {
  const t = await open();
  const { page } = t;
  await page.getByText("Development: direct mode").click();
  await page.getByLabel("Base URL").fill(env.sim.url);
  await page.getByLabel("Access token").fill(SIM_TOKEN);
  await page.getByRole("button", { name: "Use direct mode" }).click();
  await page.locator("#role:not([hidden])").waitFor();
  await page.locator("#q-env").fill(XENV);
  await page.getByRole("button", { name: "Functions", exact: true }).click();
  await page.locator("#browse table").waitFor();
  assertListed(await texts(page.locator("#browse tbody th button")));
  await lookUp(page, { env: XENV, functionName: FN, type: "all" });
  assert.deepEqual(await texts(card(page, "cloudCall").locator(".api-list li")), PAYLOADS);
  assert.equal(await card(page, "timerTrigger").locator("tbody th").textContent(), IMG);
  assert.deepEqual(await texts(card(page, "environment").locator("tbody tr th")), PAYLOADS);
  await assertInert(page);
  await assertStillWorks(page);
  await t.finish();
});
