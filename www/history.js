// The history view: the records of the Worker's history (GET /api/history) as a timeline — who,
// when, what — filtered by person, mini program, environment, function, type and time; each
// record's change with the configs before and after side by side (GET /api/history/:id, values
// masked); and for admins a rollback, previewed first as a dry run (POST
// /api/history/:id/rollback). Viewers see the same timeline, masked, without Rollback.
// Opened from its tab, or from a config card (that function's history). Its place in the
// address: `?view=history&who=…&appid=…&env=…&function=…&type=…&from=…&to=…`.
// Only with the Worker (direct mode has no history).

import { changeList, configSummary } from "./changes.js";
import { h } from "./dom.js";
import { els } from "./elements.js";
import { language, t } from "./i18n.js";
import { ht } from "./history-i18n.js";
import { KINDS } from "./source.js";
import { showView, state } from "./state.js";
import { readSession } from "./storage.js";
import { renderView } from "./view.js";

const FILTERS = ["who", "appid", "env", "function", "type", "from", "to"];
const PAGE = 20;
const REQUEST_TIMEOUT_MS = 30000;

/** The view's own state; reset on sign-out. */
const hs = fresh();

function fresh() {
  return { filters: {}, records: [], total: 0, busy: false, error: null, open: new Map(), addressRead: false, loaded: false };
}

const $ = (id) => document.getElementById(id);

/** Whether the history can be shown: signed in through the Worker (a key or Access). */
function available() {
  return state.session?.role === "viewer" || state.session?.role === "admin";
}

const isAdmin = () => state.session?.role === "admin";

// --- requests ------------------------------------------------------------------------------

async function api(path, params = {}, body = undefined) {
  const saved = readSession();
  const headers = { Accept: "application/json" };
  if (saved?.mode === "worker") headers.Authorization = `Bearer ${saved.key}`;
  const url = new URL(path, location.origin);
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(name, String(value));
  }
  const init = { headers, cache: "no-store", signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) };
  if (body !== undefined) Object.assign(init, { method: "POST", headers: { ...headers, "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const response = await fetch(url, init);
  let json = null;
  try {
    json = await response.json();
  } catch {
    json = null;
  }
  if (!response.ok || !json || json.error) {
    const e = new Error(typeof json?.error?.message === "string" ? json.error.message : `HTTP ${response.status}`);
    e.code = json?.error?.code ?? "http";
    throw e;
  }
  return json;
}

/** The filters as the API takes them: dates become the start and end of the chosen days. */
function query(filters, offset) {
  const q = { offset, limit: PAGE };
  for (const name of ["who", "appid", "env", "function", "type"]) if (filters[name]) q[name] = filters[name];
  if (filters.from) q.from = new Date(`${filters.from}T00:00:00`).getTime();
  if (filters.to) q.to = new Date(`${filters.to}T23:59:59.999`).getTime();
  return q;
}

async function load({ more = false } = {}) {
  hs.busy = true;
  hs.error = null;
  draw();
  try {
    const page = await api("/api/history", query(hs.filters, more ? hs.records.length : 0));
    hs.records = more ? [...hs.records, ...page.records] : page.records;
    hs.total = page.total;
    hs.loaded = true;
  } catch (e) {
    hs.error = e.message;
  } finally {
    hs.busy = false;
    draw();
  }
}

// --- opening the view ----------------------------------------------------------------------

/** Opens the history with `filters` (e.g. one function's, from its card). */
export function openHistory(filters = {}) {
  hs.filters = Object.fromEntries(Object.entries(filters).filter(([name, v]) => FILTERS.includes(name) && v));
  showView("history");
  renderView();
  writeAddress();
  load();
}

/** The address for the view and its filters; the page's own address when another view shows. */
function writeAddress() {
  const params = new URLSearchParams();
  if (state.view === "history") {
    params.set("view", "history");
    for (const name of FILTERS) if (hs.filters[name]) params.set(name, hs.filters[name]);
  }
  const search = params.size ? `?${params}` : "";
  if (location.search !== search) history.replaceState(null, "", `${location.pathname}${search}${location.hash}`);
}

/** The history opened from the address, once, after sign-in. */
function readAddress() {
  hs.addressRead = true;
  const params = new URLSearchParams(location.search);
  if (params.get("view") !== "history") return;
  const filters = {};
  for (const name of FILTERS) {
    const v = params.get(name);
    if (v) filters[name] = v;
  }
  queueMicrotask(() => openHistory(filters));
}

/** A config card's link to its function's history (null when there is no history). */
export function historyButton(kind, config) {
  if (!available() || !config) return null;
  const type = Object.keys(KINDS).find((n) => KINDS[n] === kind);
  return h("button", {
    type: "button", class: "link history-link",
    on: { click: () => openHistory({ env: config.env, function: config.functionName, type }) },
  }, ht("fromCard"));
}

// --- drawing -------------------------------------------------------------------------------

/** Shows or hides the view and its tab; called by renderView (view.js). */
export function renderHistory() {
  const tab = $("view-history");
  const view = $("history-view");
  if (!tab || !view) return;
  if (!state.session) {
    Object.assign(hs, fresh());
    view.hidden = true;
    tab.hidden = true;
    return;
  }
  if (!hs.addressRead) readAddress();
  tab.hidden = !available();
  tab.textContent = ht("tab");
  const shown = state.view === "history" && available();
  tab.setAttribute("aria-pressed", String(shown));
  view.hidden = !shown;
  if (shown) {
    els.lookupView.hidden = true;
    els.compareView.hidden = true;
    els.viewLookup.setAttribute("aria-pressed", "false");
    els.viewCompare.setAttribute("aria-pressed", "false");
    draw();
  } else if (new URLSearchParams(location.search).get("view") === "history") {
    writeAddress();
  }
}

function draw() {
  const view = $("history-view");
  if (!view || view.hidden) return;
  const focused = document.activeElement?.id;
  view.replaceChildren(
    h("section", { class: "panel history-panel", "aria-labelledby": "history-title" },
      h("h2", { id: "history-title" }, ht("title")),
      h("p", { class: "muted" }, ht("intro")),
      filtersForm()),
    h("section", { class: "results history-results", "aria-busy": String(hs.busy) }, timeline()));
  if (focused && $(focused)) $(focused).focus();
}

function filtersForm() {
  const field = (name, input) =>
    h("div", { class: "field" }, h("label", { for: `history-${name}` }, ht(name)), input);
  const text = (name) => {
    const input = h("input", { id: `history-${name}`, name, autocomplete: "off", spellcheck: "false" });
    input.value = hs.filters[name] ?? "";
    return field(name, input);
  };
  const date = (name) => {
    const input = h("input", { id: `history-${name}`, name, type: "date" });
    input.value = hs.filters[name] ?? "";
    return field(name, input);
  };
  const type = h("select", { id: "history-type", name: "type" },
    h("option", { value: "" }, ht("type.any")),
    Object.entries(KINDS).map(([n, kind]) => h("option", { value: n }, `${n} · ${kindName(kind)}`)));
  type.value = hs.filters.type ?? "";
  const form = h("form", { class: "query-form history-filters", "aria-label": ht("filters"), on: { submit: (event) => {
    event.preventDefault();
    const data = new FormData(form);
    hs.filters = {};
    for (const name of FILTERS) {
      const v = String(data.get(name) ?? "").trim();
      if (v) hs.filters[name] = v;
    }
    writeAddress();
    load();
  } } },
  text("who"), text("appid"), text("env"), text("function"), field("type", type), date("from"), date("to"),
  h("div", { class: "form-actions" },
    h("button", { type: "submit", id: "history-apply" }, ht("apply")),
    h("button", { type: "button", class: "secondary", id: "history-clear", on: { click: () => openHistory({}) } }, ht("clear"))));
  return form;
}

/** The page's name of a config kind (the card titles' texts). */
const kindName = (kind) => t(`kind.${kind}`);

function timeline() {
  if (hs.error) return h("p", { class: "error-box history-error", role: "alert" }, ht("failed", { message: hs.error }));
  if (hs.busy && !hs.loaded) return h("p", { class: "muted", role: "status" }, ht("loading"));
  if (hs.records.length === 0) return h("p", { class: "muted history-none" }, ht("none"));
  return [
    h("p", { class: "muted history-count", "aria-live": "polite" }, ht("count", { shown: hs.records.length, total: hs.total })),
    h("ol", { class: "history-list" }, hs.records.map(recordItem)),
    hs.records.length < hs.total
      ? h("button", { type: "button", class: "secondary", id: "history-more", disabled: hs.busy, on: { click: () => load({ more: true }) } }, ht("more"))
      : null,
  ];
}

function whoText(who) {
  if (who === "outside the Worker") return ht("who.outside");
  if (who === "admin key") return ht("who.adminKey");
  return who;
}

function recordItem(record) {
  const kind = KINDS[record.type];
  const open = hs.open.get(record.id) ?? {};
  const when = new Date(record.at);
  return h("li", { class: `history-record kind-${record.kind} outcome-${record.outcome}`, dataset: { id: record.id, kind: record.kind, outcome: record.outcome } },
    h("div", { class: "history-head" },
      h("time", { datetime: record.at }, when.toLocaleString(language())),
      h("span", { class: "history-who wrap" }, whoText(record.who)),
      h("span", { class: `badge history-kind` }, ht(`kind.${record.kind}`)),
      h("span", { class: `badge history-outcome` }, ht(`outcome.${record.outcome}`))),
    h("p", { class: "history-target wrap" },
      record.appid ? [h("code", {}, record.appid), " · "] : null,
      h("code", {}, record.env), " / ", h("code", {}, record.function), " · ", kindName(kind),
      record.rollbackOf ? [" · ", ht("rollbackOf")] : null),
    changeList(record.changes),
    h("div", { class: "history-actions" },
      h("button", { type: "button", class: "secondary history-diff", "aria-expanded": String(Boolean(open.detail)),
        on: { click: () => toggleDetail(record) } }, open.detail ? ht("hideDiff") : ht("diff")),
      isAdmin() && record.rollback?.available
        ? h("button", { type: "button", class: "history-rollback", disabled: Boolean(open.busy), on: { click: () => previewRollback(record) } }, ht("rollback"))
        : null),
    isAdmin() && record.rollback && !record.rollback.available && record.kind !== "rollback"
      ? h("p", { class: "muted small-text history-no-rollback" }, ht(`noRollback.${record.rollback.reason}`))
      : null,
    open.detail ? detail(kind, open.detail) : null,
    open.preview ? preview(record, open.preview) : null,
    open.message ? h("p", { class: `history-message ${open.failed ? "error-box" : "notice"}`, role: "status" }, open.message) : null);
}

function detail(kind, d) {
  if (d.error) return h("p", { class: "error-box" }, ht("failed", { message: d.error }));
  if (!d.kept) return h("p", { class: "muted history-not-kept" }, ht("notKept"));
  return h("div", { class: "history-sides" },
    configSummary(kind, d.before ?? null, { title: ht("before"), side: "before", changes: d.record.changes }),
    configSummary(kind, d.after ?? null, { title: ht("after"), side: "after", changes: d.record.changes }));
}

function preview(record, p) {
  return h("div", { class: "history-preview", role: "group", "aria-label": ht("rollback.preview") },
    h("p", {}, ht("rollback.preview")),
    changeList(p.changes),
    h("div", { class: "form-actions" },
      h("button", { type: "button", class: "danger history-confirm", on: { click: () => runRollback(record) } }, ht("rollback.confirm")),
      h("button", { type: "button", class: "secondary history-cancel", on: { click: () => {
        hs.open.set(record.id, { ...hs.open.get(record.id), preview: null });
        draw();
      } } }, ht("rollback.cancel"))));
}

// --- actions -------------------------------------------------------------------------------

async function toggleDetail(record) {
  const open = hs.open.get(record.id) ?? {};
  if (open.detail) {
    hs.open.set(record.id, { ...open, detail: null });
    draw();
    return;
  }
  let d;
  try {
    d = await api(`/api/history/${record.id}`);
  } catch (e) {
    d = { error: e.message };
  }
  hs.open.set(record.id, { ...(hs.open.get(record.id) ?? {}), detail: d });
  draw();
}

async function previewRollback(record) {
  const set = (patch) => {
    hs.open.set(record.id, { ...(hs.open.get(record.id) ?? {}), ...patch });
    draw();
  };
  set({ busy: true, message: null, failed: false });
  try {
    const dry = await api(`/api/history/${record.id}/rollback`, {}, { dryRun: true });
    if (dry.changes.length === 0 && !dry.written) set({ busy: false, preview: null, message: ht("rollback.noop") });
    else set({ busy: false, preview: { changes: dry.changes } });
  } catch (e) {
    set({ busy: false, failed: true, message: e.code === "conflict" ? ht("rollback.conflict") : ht("rollback.failed", { message: e.message }) });
  }
}

async function runRollback(record) {
  const set = (patch) => {
    hs.open.set(record.id, { ...(hs.open.get(record.id) ?? {}), ...patch });
    draw();
  };
  set({ busy: true, preview: null });
  try {
    const done = await api(`/api/history/${record.id}/rollback`, {}, {});
    set({ busy: false, message: done.written ? ht("rollback.done") : ht("rollback.noop"), failed: false });
    const message = hs.open.get(record.id);
    await load();
    hs.open.set(record.id, message);
    draw();
  } catch (e) {
    set({ busy: false, failed: true, message: e.code === "conflict" ? ht("rollback.conflict") : ht("rollback.failed", { message: e.message }) });
  }
}

// --- wiring --------------------------------------------------------------------------------

/** Binds the tab; the rest is drawn on demand. */
export function initHistory() {
  $("view-history")?.addEventListener("click", () => openHistory(hs.filters));
}
