// Draws the page from the model (state.js) into the elements of index.html: the header, the
// sign-in panel, the view tabs, recent queries, the function list, the result cards and the
// compare view (the recent queries as storage.js keeps them; the mini programs are apps-view.js's).
// DOM only: what a click asks for goes to the handlers the controller binds.

import { busyLine, h, replaceChildren } from "./dom.js";
import { compareView, functionList } from "./browse.js";
import { editor } from "./edit.js";
import { els } from "./elements.js";
import { renderHistory } from "./history.js";
import { language, t, translateStatic } from "./i18n.js";
import { renderCard, renderError } from "./render.js";
import { KIND_ORDER, KINDS } from "./source.js";
import { renderAppsAll } from "./apps-view.js";
import { hasApps } from "./apps-model.js";
import { canEdit, canReveal, cardStateOf, isCurrentCard, state } from "./state.js";
import { readRecent } from "./storage.js";

/**
 * What the view's own controls ask for: `{ query(query) (a recent query or a function of the
 * list), page(env, offset, "prev" | "next"), reveal(config, index), editContext(kind, cs, query) }`.
 */
let handlers = null;

export function bindView(bound) {
  handlers = bound;
}

/** The card elements shown, by kind, so one card can be rebuilt in place. */
let cardEls = new Map();

export function typeLabel(type) {
  return type === "all" ? t("query.typeAll") : `${type} · ${t(`kind.${KINDS[type]}`)}`;
}

/** Draws everything again, in the current language. */
export function renderAll() {
  translateStatic();
  els.lang.value = language();
  for (const option of els.type.options) option.textContent = typeLabel(option.value);
  for (const option of els.compareType.options) option.textContent = typeLabel(option.value);
  renderHeader();
  renderSignin();
  renderAppsAll();
  renderView();
  renderBusy();
  renderRecent();
  renderBrowse();
  renderResults();
  renderCompare();
}

export function renderView() {
  const compare = state.view === "compare";
  // With mini programs, nothing can be looked up before one is chosen.
  const waiting = hasApps() && !state.app;
  els.views.hidden = waiting;
  els.lookupView.hidden = compare || waiting;
  els.compareView.hidden = !compare || waiting;
  els.viewLookup.setAttribute("aria-pressed", String(!compare));
  els.viewCompare.setAttribute("aria-pressed", String(compare));
  // The history view (history.js) takes the place of both when it shows.
  renderHistory();
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

export function renderSignin() {
  const { busy, messageKey, error } = state.signin;
  els.signin.hidden = Boolean(state.session);
  els.workspace.hidden = !state.session;
  els.signin.setAttribute("aria-busy", String(busy));
  for (const button of els.signin.querySelectorAll("button")) button.disabled = busy;
  replaceChildren(els.signinStatus,
    busy ? busyLine(t(messageKey)) : null,
    !busy && messageKey ? h("p", { class: "notice" }, t(messageKey)) : null,
    !busy && error ? renderError(error) : null);
}

/** Whether a query is running: the results say so and the query buttons wait. */
export function renderBusy() {
  els.results.setAttribute("aria-busy", String(state.busy));
  els.busy.hidden = !state.busy;
  els.submit.disabled = state.busy;
  for (const button of els.recentList.querySelectorAll("button")) button.disabled = state.busy;
}

export function renderRecent() {
  const list = readRecent().filter((query) => (query.appid ?? null) === (state.app?.appid ?? null));
  els.recentNone.hidden = list.length > 0;
  els.recentClear.hidden = list.length === 0;
  replaceChildren(els.recentList, list.map((query) =>
    h("li", {}, h("button", {
      type: "button", class: "chip", disabled: state.busy,
      on: { click: () => handlers.query(query) },
    }, h("span", { class: "chip-main" }, query.functionName),
    h("span", { class: "chip-detail" }, `${query.env} · ${typeLabel(query.type)}`)))));
}

// --- the result cards ----------------------------------------------------------------------

export function renderResults() {
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
  cardEls = new Map();
  const cards = KIND_ORDER.filter((kind) => kind in outcome.results).map((kind) => buildCard(kind));
  const unavailable = state.session?.role === "direct" && !state.source?.canEdit
    ? h("p", { class: "muted small-text" }, t("edit.unavailableDirect")) : null;
  replaceChildren(els.resultsBody, heading, unavailable, h("div", { class: "cards" }, cards));
}

/** The card of `kind` for the current outcome, with its editor when the user may edit. */
function buildCard(kind) {
  const { query, results } = state.outcome;
  const config = results[kind];
  const cs = cardStateOf(kind);
  const el = renderCard(kind, config, cs, {
    canReveal: canReveal(),
    reveal: (index) => handlers.reveal(config, index),
    announce,
    extra: canEdit() ? editor(kind, config, cs, handlers.editContext(kind, cs, query)) : null,
  });
  cardEls.set(kind, el);
  return el;
}

/** Rebuilds the card of `kind` in place (if `cs` is still its state) and focuses `focus` in it. */
export function refreshCard(kind, cs, focus) {
  const old = cardEls.get(kind);
  if (!isCurrentCard(kind, cs) || !old?.isConnected) return;
  const el = buildCard(kind);
  old.replaceWith(el);
  if (focus) el.querySelector(focus)?.focus();
}

// --- the function list ---------------------------------------------------------------------

export function renderBrowse() {
  const browse = state.browse;
  els.functions.disabled = Boolean(browse?.busy);
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
    page: (offset, which) => handlers.page(browse.env, offset, which),
    choose: (name) => handlers.query({ env: browse.env, functionName: name, type: els.type.value }),
  }));
  if (again) els.browseBody.querySelector(again)?.focus();
}

/**
 * After a page of the list came: the keyboard goes to the pager button pressed (`focusOn`
 * "prev" / "next") while it can be used, else to the list's heading.
 */
export function focusBrowse(focusOn) {
  if (focusOn === "prev" || focusOn === "next") {
    const pager = els.browseBody.querySelector(`button[data-action="${focusOn}"]:not(:disabled)`);
    (pager ?? els.browseTitle).focus();
  } else if (focusOn === "heading") {
    els.browseTitle.focus();
  }
}

// --- the compare view ----------------------------------------------------------------------

export function renderCompare() {
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

// --- announcements -------------------------------------------------------------------------

/** Says `text` to screen readers. */
export function announce(text) {
  els.announce.textContent = "";
  // A fresh text node makes screen readers read the same message again.
  requestAnimationFrame(() => { els.announce.textContent = text; });
}

// --- the forms -----------------------------------------------------------------------------

/** Puts `query` in the query form. */
export function fillQuery(query) {
  els.env.value = query.env;
  els.functionName.value = query.functionName;
  els.type.value = query.type;
}

/** Opening the compare view: the function and environment A start as the lookup's. */
export function prefillCompare() {
  if (!els.compareFunction.value && els.functionName.value) els.compareFunction.value = els.functionName.value;
  if (!els.compareEnvA.value && els.env.value) els.compareEnvA.value = els.env.value;
}
