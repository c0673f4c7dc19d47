// The admin page: sign-in, the query form, recent queries and the result cards.
// The access key (or, in direct mode, the token) lives in sessionStorage only; localStorage
// holds the language choice and recent queries (env, function, type), never a secret.

import { h, replaceChildren } from "./dom.js";
import { initialLanguage, language, setLanguage, t, translateStatic } from "./i18n.js";
import { cardState, renderCard, renderError } from "./render.js";
import { KIND_ORDER, KINDS, PageError, directSource, workerSource } from "./source.js";

const SESSION_KEY = "tcbfc.session";
const RECENT_KEY = "tcbfc.recent";
const RECENT_MAX = 8;
const TYPES = ["all", "1", "2", "3"];

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
  busy: false,
  controller: null,
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
  renderHeader();
  renderSignin();
  renderRecent();
  renderResults();
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
  const canReveal = state.session?.role === "admin" || state.session?.role === "direct";
  const source = state.source;
  const cards = KIND_ORDER.filter((kind) => kind in outcome.results).map((kind) => {
    const config = outcome.results[kind];
    state.cardStates[kind] ??= cardState();
    return renderCard(kind, config, state.cardStates[kind], {
      canReveal,
      reveal: (index) => source.reveal(config, index),
      announce,
    });
  });
  replaceChildren(els.resultsBody, heading, h("div", { class: "cards" }, cards));
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
  sessionStorage.removeItem(SESSION_KEY);
  state.source = null;
  state.session = null;
  state.outcome = null;
  state.cardStates = {};
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
