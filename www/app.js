// The admin page: sign-in, the query form, recent queries, the function list, the result
// cards (with their editors for admins) and the compare view.
// The access key (or, in direct mode, the token) lives in sessionStorage only; localStorage
// holds the language choice and recent queries (env, function, type), never a secret.

import { h, replaceChildren } from "./dom.js";
import { validChanges } from "./changes.js";
import { compareView, functionList } from "./browse.js";
import { editor } from "./edit.js";
import { initialLanguage, language, setLanguage, t, translateStatic } from "./i18n.js";
import { cardState, renderCard, renderError } from "./render.js";
import { KIND_ORDER, KINDS, NOT_CONFIGURED, PAGE_SIZE, PageError, directSource, workerSource } from "./source.js";

const SESSION_KEY = "tcbfc.session";
const RECENT_KEY = "tcbfc.recent";
const RECENT_MAX = 8;
const TYPES = ["all", "1", "2", "3"];
const TYPE_OF = { cloudCall: "1", timerTrigger: "2", environment: "3" };

const $ = (id) => document.getElementById(id);
const els = {
  signin: $("signin"),
  signinForm: $("signin-form"),
  accessKey: $("access-key"),
  signinStatus: $("signin-status"),
  signinAccess: $("signin-access"),
  direct: $("direct"),
  directForm: $("direct-form"),
  directBaseUrl: $("direct-base-url"),
  directToken: $("direct-token"),
  workspace: $("workspace"),
  role: $("role"),
  signout: $("signout"),
  lang: $("lang"),
  queryForm: $("query-form"),
  env: $("q-env"),
  functionName: $("q-function"),
  type: $("q-type"),
  submit: $("q-submit"),
  recentList: $("recent-list"),
  recentNone: $("recent-none"),
  recentClear: $("recent-clear"),
  results: $("results"),
  resultsBody: $("results-body"),
  busy: $("busy"),
  announce: $("announce"),
  viewLookup: $("view-lookup"),
  viewCompare: $("view-compare"),
  lookupView: $("lookup-view"),
  compareView: $("compare-view"),
  functions: $("q-functions"),
  browse: $("browse"),
  browseTitle: $("browse-title"),
  browseBody: $("browse-body"),
  compareForm: $("compare-form"),
  compareFunction: $("c-function"),
  compareEnvA: $("c-env-a"),
  compareEnvB: $("c-env-b"),
  compareType: $("c-type"),
  compareSubmit: $("c-submit"),
  compareResults: $("compare-results"),
  compareBusy: $("compare-busy"),
  compareBody: $("compare-body"),
};

const state = {
  source: null,
  /** `{role, via}` once signed in; role is "viewer", "admin" or "direct". */
  session: null,
  /** What the sign-in panel shows: `{busy, messageKey, error}`. */
  signin: { busy: false, messageKey: null, error: null },
  /** The last query and its outcome: `{query, results}` or `{query, error}`. */
  outcome: null,
  cardStates: {},
  /** The card elements shown, by kind, so one card can be rebuilt in place. */
  cardEls: new Map(),
  busy: false,
  controller: null,
  /** "lookup" or "compare". */
  view: "lookup",
  /** The function list: `{env, offset, total, functions, error, busy, controller}` or null. */
  browse: null,
  /** The compare view: `{query, result | error, busy, controller}` or null. */
  compare: null,
};

// --- storage -------------------------------------------------------------------------------

function readSession() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(SESSION_KEY));
    if (saved?.mode === "worker" && typeof saved.key === "string") return saved;
    if (saved?.mode === "access") return saved;
    if (saved?.mode === "direct" && typeof saved.baseUrl === "string" && typeof saved.token === "string") return saved;
  } catch {
    // Nothing usable saved.
  }
  return null;
}

function saveSession(saved) {
  try {
    sessionStorage.setItem(SESSION_KEY, JSON.stringify(saved));
  } catch {
    // Storage disabled: the session works until the page is reloaded.
  }
}

function readRecent() {
  try {
    const list = JSON.parse(localStorage.getItem(RECENT_KEY));
    if (!Array.isArray(list)) return [];
    return list
      .filter((q) => q && typeof q.env === "string" && typeof q.functionName === "string" && TYPES.includes(q.type))
      .map(({ env, functionName, type }) => ({ env, functionName, type }))
      .slice(0, RECENT_MAX);
  } catch {
    return [];
  }
}

function rememberQuery(query) {
  const same = (q) => q.env === query.env && q.functionName === query.functionName && q.type === query.type;
  const list = [{ env: query.env, functionName: query.functionName, type: query.type }, ...readRecent().filter((q) => !same(q))];
  try {
    localStorage.setItem(RECENT_KEY, JSON.stringify(list.slice(0, RECENT_MAX)));
  } catch {
    // Recent queries are a convenience; the query itself still runs.
  }
}

// --- rendering -----------------------------------------------------------------------------

function typeLabel(type) {
  return type === "all" ? t("query.typeAll") : `${type} · ${t(`kind.${KINDS[type]}`)}`;
}

function renderAll() {
  translateStatic();
  els.lang.value = language();
  for (const option of els.type.options) option.textContent = typeLabel(option.value);
  for (const option of els.compareType.options) option.textContent = typeLabel(option.value);
  renderHeader();
  renderSignin();
  renderView();
  renderRecent();
  renderBrowse();
  renderResults();
  renderCompare();
}

function renderView() {
  const compare = state.view === "compare";
  els.lookupView.hidden = compare;
  els.compareView.hidden = !compare;
  els.viewLookup.setAttribute("aria-pressed", String(!compare));
  els.viewCompare.setAttribute("aria-pressed", String(compare));
}

function renderHeader() {
  const session = state.session;
  els.role.hidden = !session;
  els.signout.hidden = !state.source;
  if (session) {
    els.role.textContent = t(`role.${session.role}`);
    els.role.dataset.role = session.role;
    els.role.title = [t("role.label", { role: t(`role.${session.role}`) }), session.via ? t(`via.${session.via}`) : ""]
      .filter(Boolean).join(" ");
  }
}

function renderSignin() {
  const { busy, messageKey, error } = state.signin;
  els.signin.hidden = Boolean(state.session);
  els.workspace.hidden = !state.session;
  els.signin.setAttribute("aria-busy", String(busy));
  for (const button of els.signin.querySelectorAll("button")) button.disabled = busy;
  replaceChildren(els.signinStatus,
    busy ? h("p", { class: "busy" }, h("span", { class: "spinner", "aria-hidden": "true" }), t(messageKey)) : null,
    !busy && messageKey ? h("p", { class: "notice" }, t(messageKey)) : null,
    !busy && error ? renderError(error) : null);
}

function renderRecent() {
  const list = readRecent();
  els.recentNone.hidden = list.length > 0;
  els.recentClear.hidden = list.length === 0;
  replaceChildren(els.recentList, list.map((query) =>
    h("li", {}, h("button", {
      type: "button", class: "chip", disabled: state.busy,
      on: { click: () => { fillForm(query); runQuery(query); } },
    }, h("span", { class: "chip-main" }, query.functionName),
    h("span", { class: "chip-detail" }, `${query.env} · ${typeLabel(query.type)}`)))));
}

function renderResults() {
  const outcome = state.outcome;
  if (!outcome) {
    replaceChildren(els.resultsBody);
    return;
  }
  const { query } = outcome;
  const heading = h("h2", { class: "results-heading" }, t("results.heading", { env: query.env, functionName: query.functionName }));
  if (outcome.error) {
    replaceChildren(els.resultsBody, heading, renderError(outcome.error));
    return;
  }
  state.cardEls = new Map();
  const cards = KIND_ORDER.filter((kind) => kind in outcome.results).map((kind) => buildCard(kind));
  const unavailable = state.session?.role === "direct" && !state.source?.canEdit
    ? h("p", { class: "muted small-text" }, t("edit.unavailableDirect")) : null;
  replaceChildren(els.resultsBody, heading, unavailable, h("div", { class: "cards" }, cards));
}

/** Whether the signed-in user may edit: an admin, or direct mode with a package that can. */
function canEdit() {
  return state.session?.role === "admin" || (state.session?.role === "direct" && Boolean(state.source?.canEdit));
}

/** The card of `kind` for the current outcome, with its editor when the user may edit. */
function buildCard(kind) {
  const { query, results } = state.outcome;
  const config = results[kind];
  const cs = (state.cardStates[kind] ??= cardState());
  const source = state.source;
  const el = renderCard(kind, config, cs, {
    canReveal: state.session?.role === "admin" || state.session?.role === "direct",
    reveal: (index) => source.reveal(config, index),
    announce,
    extra: canEdit() ? editor(kind, config, cs, editContext(kind, cs, query)) : null,
  });
  state.cardEls.set(kind, el);
  return el;
}

/** Rebuilds the card of `kind` in place (if `cs` is still its state) and focuses `focus` in it. */
function refreshCard(kind, cs, focus) {
  const old = state.cardEls.get(kind);
  if (!state.outcome?.results || state.cardStates[kind] !== cs || !old?.isConnected) return;
  const el = buildCard(kind);
  old.replaceWith(el);
  if (focus) el.querySelector(focus)?.focus();
}

/** What an editor needs: where it writes, how, and what to do with the outcome. */
function editContext(kind, cs, query) {
  const outcome = state.outcome;
  const current = () => state.outcome === outcome && state.cardStates[kind] === cs;
  return {
    where: { env: query.env, functionName: query.functionName },
    send: (op, fields, dryRun) => state.source.edit(op, {
      env: query.env, functionName: query.functionName, config: outcome.results[kind], fields, dryRun,
    }),
    saved(result) {
      const n = validChanges(result.changes).length;
      const notice = result.written ? { key: n === 1 ? "edit.saved.one" : "edit.saved.other", params: { n } } : { key: "edit.nothing" };
      announce(t(notice.key, notice.params));
      if (!current()) return;
      // The card shows what the server answered, with its new version.
      outcome.results[kind] = result.config;
      Object.assign(cs, { revealed: new Map(), revealError: null, edit: null, notice });
      refreshCard(kind, cs, '[data-focus="notice"]');
    },
    reload: () => reloadCard(kind, cs),
    rerender: (focus) => refreshCard(kind, cs, focus),
    announce,
    unauthorized: () => signOut("signin.expired"),
  };
}

/** Reads the config of `kind` again (after a conflict or an uncertain write); the edit is discarded. */
async function reloadCard(kind, cs) {
  const outcome = state.outcome;
  const { env, functionName } = outcome.query;
  refreshCard(kind, cs, '[data-focus="busy"]');
  try {
    const results = await state.source.configs({ env, functionName, type: TYPE_OF[kind] });
    if (state.outcome !== outcome || state.cardStates[kind] !== cs) return;
    outcome.results[kind] = results[kind] ?? null;
    const fresh = cardState();
    fresh.notice = { key: "edit.reloaded" };
    state.cardStates[kind] = fresh;
    const old = state.cardEls.get(kind);
    if (old?.isConnected) {
      const el = buildCard(kind);
      old.replaceWith(el);
      el.querySelector('[data-focus="notice"]')?.focus();
    }
    announce(t("edit.reloaded"));
  } catch (error) {
    if (error?.code === "unauthorized" && state.source?.mode === "worker") {
      signOut("signin.expired");
      return;
    }
    if (!cs.edit) return;
    cs.edit.busy = false;
    cs.edit.reloadError = asPageError(error);
    refreshCard(kind, cs, '[data-action="reload"]');
  }
}

// --- the function list ---------------------------------------------------------------------

function renderBrowse() {
  const browse = state.browse;
  els.browse.hidden = !browse;
  if (!browse) return;
  els.browse.setAttribute("aria-busy", String(browse.busy));
  els.browseTitle.textContent = t("browse.title", { env: browse.env });
  // The list is rebuilt: focus inside it goes to the same button in the new one.
  const focused = els.browseBody.contains(document.activeElement) ? document.activeElement : null;
  const again = focused?.dataset.function !== undefined ? `button[data-function="${CSS.escape(focused.dataset.function)}"]`
    : focused?.dataset.action ? `button[data-action="${CSS.escape(focused.dataset.action)}"]` : null;
  replaceChildren(els.browseBody, functionList(browse, {
    chosen: state.outcome?.query?.env === browse.env ? state.outcome.query.functionName : null,
    page: (offset, which) => loadFunctions(browse.env, offset, which),
    choose: (name) => {
      const query = { env: browse.env, functionName: name, type: els.type.value };
      fillForm(query);
      runQuery(query);
    },
  }));
  if (again) els.browseBody.querySelector(again)?.focus();
}

/**
 * Loads one page of the functions of `env`. `focusOn`: "heading" (a new list), or the pager
 * button pressed ("prev" / "next"), which keeps focus while it can.
 */
async function loadFunctions(env, offset, focusOn) {
  if (!state.source) return;
  state.browse?.controller?.abort();
  const controller = new AbortController();
  const previous = state.browse?.env === env ? state.browse : null;
  state.browse = {
    env, offset, busy: true, controller, error: null,
    total: previous?.total ?? 0, functions: previous?.functions ?? [], shownOffset: previous?.shownOffset ?? 0,
  };
  const browse = state.browse;
  els.functions.disabled = true;
  renderBrowse();
  try {
    const page = await state.source.functions({ env, offset, limit: PAGE_SIZE }, controller.signal);
    if (controller.signal.aborted) return;
    Object.assign(browse, { total: page.total, functions: page.functions, shownOffset: offset });
  } catch (error) {
    if (controller.signal.aborted) return;
    if (Number(error?.errcode) === NOT_CONFIGURED) {
      // WeChat answers an environment it does not know (or without functions) with 85089.
      Object.assign(browse, { total: 0, functions: [], shownOffset: 0 });
      return finishBrowse(browse, focusOn);
    }
    if (error?.code === "unauthorized" && state.source.mode === "worker") {
      signOut("signin.expired");
      return;
    }
    browse.error = asPageError(error);
  }
  finishBrowse(browse, focusOn);
}

function finishBrowse(browse, focusOn) {
  if (state.browse !== browse) return;
  browse.busy = false;
  browse.controller = null;
  els.functions.disabled = false;
  renderBrowse();
  if (focusOn === "prev" || focusOn === "next") {
    // Keep the keyboard on the pager; on the heading when that button can no longer be used.
    const pager = els.browseBody.querySelector(`button[data-action="${focusOn}"]:not(:disabled)`);
    (pager ?? els.browseTitle).focus();
  } else {
    els.browseTitle.focus();
  }
  announce(browse.error ? t("browse.failed")
    : t(browse.total === 1 ? "browse.count.one" : "browse.count.other", { total: browse.total }));
}

// --- the compare view ----------------------------------------------------------------------

function showView(view) {
  state.view = view;
  if (view === "compare") {
    if (!els.compareFunction.value && els.functionName.value) els.compareFunction.value = els.functionName.value;
    if (!els.compareEnvA.value && els.env.value) els.compareEnvA.value = els.env.value;
  }
  renderView();
}

function renderCompare() {
  const compare = state.compare;
  els.compareResults.setAttribute("aria-busy", String(Boolean(compare?.busy)));
  els.compareBusy.hidden = !compare?.busy;
  els.compareSubmit.disabled = Boolean(compare?.busy);
  if (!compare || (compare.busy && !compare.result && !compare.error)) {
    replaceChildren(els.compareBody);
    return;
  }
  replaceChildren(els.compareBody, compareView(compare, { typeLabel }));
}

async function runCompare(query) {
  if (!state.source) return;
  state.compare?.controller?.abort();
  const controller = new AbortController();
  const compare = { query, busy: true, controller, result: null, error: null };
  state.compare = compare;
  renderCompare();
  try {
    compare.result = await state.source.compare(query, controller.signal);
  } catch (error) {
    if (controller.signal.aborted) return;
    if (error?.code === "unauthorized" && state.source.mode === "worker") {
      signOut("signin.expired");
      return;
    }
    compare.error = asPageError(error);
  }
  if (state.compare !== compare) return;
  compare.busy = false;
  compare.controller = null;
  renderCompare();
  announce(compare.error ? t("compare.failed")
    : t("compare.heading", { functionName: query.functionName, envA: query.envA, envB: query.envB }));
}

function announce(text) {
  els.announce.textContent = "";
  // A fresh text node makes screen readers read the same message again.
  requestAnimationFrame(() => { els.announce.textContent = text; });
}

function setBusy(busy) {
  state.busy = busy;
  els.results.setAttribute("aria-busy", String(busy));
  els.busy.hidden = !busy;
  els.submit.disabled = busy;
  for (const button of els.recentList.querySelectorAll("button")) button.disabled = busy;
}

// --- actions -------------------------------------------------------------------------------

/** Signs in to the Worker with `key`, or with no key (`null`) behind Cloudflare Access. */
async function signInWithKey(key) {
  await startSession(() => {
    const source = workerSource(key);
    return source.me().then((me) => {
      if (me?.role !== "viewer" && me?.role !== "admin") {
        throw new PageError({ code: "decode", hint: "The server answered /api/me without a known role." });
      }
      return { source, session: { role: me.role, via: me.via === "access" ? "access" : "key" } };
    });
  }, "signin.checking", key ? { mode: "worker", key } : { mode: "access" });
}

async function signInDirect(baseUrl, token) {
  await startSession(async () => {
    const source = await directSource(baseUrl, token);
    return { source, session: { role: "direct" } };
  }, "direct.loading", { mode: "direct", baseUrl, token });
}

/** Runs a sign-in attempt with the sign-in panel busy; keeps the secret only when it works. */
async function startSession(connect, busyKey, saved) {
  state.signin = { busy: true, messageKey: busyKey, error: null };
  renderSignin();
  try {
    const { source, session } = await connect();
    saveSession(saved);
    state.source = source;
    state.session = session;
    state.signin = { busy: false, messageKey: null, error: null };
    els.accessKey.value = "";
    els.directToken.value = "";
    renderAll();
    const first = readRecent()[0];
    if (first && !els.env.value) fillForm(first);
    (els.env.value ? els.functionName : els.env).focus();
  } catch (error) {
    sessionStorage.removeItem(SESSION_KEY);
    // The error box says what happened; no separate notice above it.
    state.signin = { busy: false, messageKey: null, error: asPageError(error) };
    renderSignin();
    (saved.mode === "direct" ? els.directBaseUrl : els.accessKey).focus();
  }
}

function signOut(messageKey = null) {
  state.controller?.abort();
  state.browse?.controller?.abort();
  state.compare?.controller?.abort();
  sessionStorage.removeItem(SESSION_KEY);
  state.source = null;
  state.session = null;
  state.outcome = null;
  state.cardStates = {};
  state.browse = null;
  state.compare = null;
  state.view = "lookup";
  els.functions.disabled = false;
  state.signin = { busy: false, messageKey, error: null };
  setBusy(false);
  renderAll();
  els.accessKey.focus();
}

async function runQuery(query) {
  if (!state.source) return;
  state.controller?.abort();
  const controller = new AbortController();
  state.controller = controller;
  rememberQuery(query);
  setBusy(true);
  renderRecent();
  try {
    const results = await state.source.configs(query, controller.signal);
    if (controller.signal.aborted) return;
    state.outcome = { query, results };
  } catch (error) {
    if (controller.signal.aborted) return;
    if (error?.code === "unauthorized" && state.source.mode === "worker") {
      signOut("signin.expired");
      return;
    }
    state.outcome = { query, error: asPageError(error) };
  } finally {
    if (state.controller === controller) {
      state.controller = null;
      setBusy(false);
    }
  }
  state.cardStates = {};
  renderRecent();
  renderResults();
  if (state.browse && !state.browse.busy) renderBrowse();
  // Errors announce themselves (role="alert"); a success is announced in one short line.
  if (state.outcome?.results) announce(t("results.heading", { env: query.env, functionName: query.functionName }));
}

function asPageError(error) {
  if (error instanceof PageError) return error;
  return new PageError({ code: error?.code ?? "unknown", hint: String(error?.message ?? error) });
}

function fillForm(query) {
  els.env.value = query.env;
  els.functionName.value = query.functionName;
  els.type.value = query.type;
}

// --- wiring --------------------------------------------------------------------------------

els.signinForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const key = els.accessKey.value.trim();
  if (!key) {
    els.accessKey.focus();
    return;
  }
  signInWithKey(key);
});

els.signinAccess.addEventListener("click", () => signInWithKey(null));

els.directForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const baseUrl = els.directBaseUrl.value.trim();
  const token = els.directToken.value.trim();
  if (!baseUrl || !token) {
    (baseUrl ? els.directToken : els.directBaseUrl).focus();
    return;
  }
  signInDirect(baseUrl, token);
});

els.signout.addEventListener("click", () => signOut());

els.queryForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const query = { env: els.env.value.trim(), functionName: els.functionName.value.trim(), type: els.type.value };
  const missing = [els.env, els.functionName].find((input) => !input.value.trim());
  if (missing) {
    missing.focus();
    return;
  }
  runQuery(query);
});

els.functions.addEventListener("click", () => {
  const env = els.env.value.trim();
  if (!env) {
    els.env.focus();
    return;
  }
  loadFunctions(env, 0, "heading");
});

els.viewLookup.addEventListener("click", () => showView("lookup"));
els.viewCompare.addEventListener("click", () => showView("compare"));

els.compareForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const inputs = [els.compareFunction, els.compareEnvA, els.compareEnvB];
  const missing = inputs.find((input) => !input.value.trim());
  if (missing) {
    missing.focus();
    return;
  }
  runCompare({
    functionName: els.compareFunction.value.trim(),
    envA: els.compareEnvA.value.trim(),
    envB: els.compareEnvB.value.trim(),
    type: els.compareType.value,
  });
});

els.recentClear.addEventListener("click", () => {
  try {
    localStorage.removeItem(RECENT_KEY);
  } catch {
    // Nothing to clear.
  }
  renderRecent();
  els.env.focus();
});

els.lang.addEventListener("change", () => {
  setLanguage(els.lang.value, { remember: true });
  renderAll();
});

// --- start ---------------------------------------------------------------------------------

setLanguage(initialLanguage());
renderAll();
const saved = readSession();
if (saved?.mode === "worker") signInWithKey(saved.key);
else if (saved?.mode === "access") signInWithKey(null);
else if (saved?.mode === "direct") {
  els.direct.open = true;
  els.directBaseUrl.value = saved.baseUrl;
  signInDirect(saved.baseUrl, saved.token);
}
