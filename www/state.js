// The page's model: what it knows and shows, and the transitions between those states. No DOM
// and no requests here: the controllers ask the source, make these transitions and have the
// view draw the result. Where the page is (`place`: the mini program, environment and function
// chosen) is kept here, in one place; address.js maps it to and from the address.

import { NOWHERE } from "./address.js";

export const state = {
  /** Where configurations come from (see source.js), once signed in. */
  source: null,
  /** `{role, via}` once signed in; role is "viewer", "admin" or "direct". */
  session: null,
  /** What the sign-in panel shows: `{busy, messageKey, error}`. */
  signin: { busy: false, messageKey: null, error: null },
  /** The last query and its outcome: `{query, results}` or `{query, error}`. */
  outcome: null,
  /** Each result card's view state (see `cardState`), by kind. */
  cardStates: {},
  /** Whether a query is running, and its AbortController. */
  busy: false,
  controller: null,
  /** "lookup" or "compare". */
  view: "lookup",
  /** The function list: `{env, offset, shownOffset, total, functions, error, busy, controller}` or null. */
  browse: null,
  /** The compare view: `{query, result | error, busy, controller}` or null. */
  compare: null,
  /** Where the page is: `{app, env, fn, type}`, null where nothing is chosen (see address.js). */
  place: { ...NOWHERE },
  /** Whether the Worker has mini programs: "platform", "app" or "none"; null until known. */
  appsMode: null,
  // The mini programs (see apps-model.js for their transitions).
  /** The mini program picker: `{q, offset, shownOffset, total, apps, busy, error, controller}` or null. */
  picker: null,
  /** Whether the picker's list is open (else the chosen app is shown with "Change"). */
  pickerOpen: true,
  /** The chosen mini program's row (see /api/apps), or null. */
  app: null,
  /** The environments of the chosen app (direct mode: of the token): `{environments, busy, error, controller}`. */
  envs: null,
  /** The return from the authorization page, shown above the workspace: `{authorized: appid}`, `{error}` or null. */
  notice: null,
  /** An admin's Add or Import: `{op: "authorize" | "import", busy, result, error, controller}` or null. */
  adminTask: null,
};

// --- the session ---------------------------------------------------------------------------

export function signinStarted(messageKey) {
  state.signin = { busy: true, messageKey, error: null };
}

export function signedIn(source, session) {
  state.source = source;
  state.session = session;
  state.signin = { busy: false, messageKey: null, error: null };
}

/** The error box says what happened; no separate notice above it. */
export function signinFailed(error) {
  state.signin = { busy: false, messageKey: null, error };
}

/** Back to the sign-in panel, showing `messageKey` if given; every request is cancelled. */
export function signedOut(messageKey = null) {
  state.controller?.abort();
  state.browse?.controller?.abort();
  state.compare?.controller?.abort();
  for (const slot of ["picker", "envs", "adminTask"]) state[slot]?.controller?.abort();
  Object.assign(state, {
    source: null, session: null, outcome: null, cardStates: {}, browse: null, compare: null, view: "lookup",
    busy: false, signin: { busy: false, messageKey, error: null },
    appsMode: null, picker: null, pickerOpen: true, app: null, envs: null, notice: null, adminTask: null,
  });
}

/** Whether the signed-in user may edit: an admin, or direct mode with a package that can. */
export function canEdit() {
  return state.session?.role === "admin" || (state.session?.role === "direct" && Boolean(state.source?.canEdit));
}

/** Whether the user may see the clear value of a masked variable. */
export function canReveal() {
  return state.session?.role === "admin" || state.session?.role === "direct";
}

// --- the view ------------------------------------------------------------------------------

export function showView(view) {
  state.view = view;
}

// --- where the page is --------------------------------------------------------------------

/**
 * The page is at `place`: what it no longer shows (the configs without a function, the list
 * without an environment) is dropped.
 */
export function placeSet(place) {
  state.place = { ...NOWHERE, ...place };
  if (!state.place.fn && state.outcome) {
    state.controller?.abort();
    Object.assign(state, { outcome: null, cardStates: {}, busy: false, controller: null });
  }
  if (!state.place.env && state.browse) {
    state.browse.controller?.abort();
    state.browse = null;
  }
}

// --- requests ------------------------------------------------------------------------------

/** Starts a query in place of any running one; returns its AbortController. */
export function queryStarted() {
  state.controller?.abort();
  state.controller = new AbortController();
  state.busy = true;
  return state.controller;
}

/** Ends the query of `controller`; false when another one has taken its place. */
export function queryEnded(controller) {
  if (state.controller !== controller) return false;
  state.controller = null;
  state.busy = false;
  return true;
}

/** The outcome of `query`: `{results}` or `{error}`; the cards start afresh. */
export function queryAnswered(query, outcome) {
  state.outcome = { query, ...outcome };
  state.cardStates = {};
}

/**
 * Starts loading one page of the functions of `env`, in place of any list being loaded. What
 * was shown of the same env stays until the page arrives.
 */
export function browseStarted(env, offset) {
  state.browse?.controller?.abort();
  const previous = state.browse?.env === env ? state.browse : null;
  state.browse = {
    env, offset, busy: true, controller: new AbortController(), error: null,
    total: previous?.total ?? 0, functions: previous?.functions ?? [], shownOffset: previous?.shownOffset ?? 0,
  };
  return state.browse;
}

export function browseAnswered(browse, { total, functions }, shownOffset) {
  Object.assign(browse, { total, functions, shownOffset });
}

/** Starts comparing `query` (`{functionName, envA, envB, type}`) in place of any comparison. */
export function compareStarted(query) {
  state.compare?.controller?.abort();
  state.compare = { query, busy: true, controller: new AbortController(), result: null, error: null };
  return state.compare;
}

/**
 * Ends `request` (the function list or the comparison held as `state[slot]`); false when
 * another one has taken its place.
 */
export function requestEnded(slot, request) {
  if (state[slot] !== request) return false;
  request.busy = false;
  request.controller = null;
  return true;
}

// --- the cards -----------------------------------------------------------------------------

/**
 * A fresh view state for one card: what the user did to it (filter text, raw JSON open,
 * revealed values and a failed reveal), kept so that a language switch redraws it as it was.
 * The card's editor adds `edit` (see edit-model.js) and `notice` (a saved or reloaded edit).
 */
function cardState() {
  return { filter: "", rawOpen: false, revealed: new Map(), revealError: null };
}

/** The view state of the card of `kind`, made on first use. */
export function cardStateOf(kind) {
  return (state.cardStates[kind] ??= cardState());
}

/** Whether `cs` is still the state of the card of `kind` in the results shown. */
export function isCurrentCard(kind, cs) {
  return Boolean(state.outcome?.results) && state.cardStates[kind] === cs;
}

/** An edit of `kind` was saved: the card shows what the server answered, with `notice`. */
export function cardSaved(kind, cs, config, notice) {
  state.outcome.results[kind] = config;
  Object.assign(cs, { revealed: new Map(), revealError: null, edit: null, notice });
}

/** The config of `kind` was read again: a fresh card state (any edit is discarded). */
export function cardReloaded(kind, config) {
  state.outcome.results[kind] = config;
  const fresh = cardState();
  fresh.notice = { key: "edit.reloaded" };
  state.cardStates[kind] = fresh;
  return fresh;
}
