// The page's model: what it knows and shows, and the transitions between those states. No DOM
// and no requests here: the controllers ask the source, make these transitions and have the
// view draw the result. Where the page is (the view, the query shown) is kept here, in one
// place, so that later it can be read from and written to the address.

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
  Object.assign(state, {
    source: null, session: null, outcome: null, cardStates: {}, browse: null, compare: null, view: "lookup",
    busy: false, signin: { busy: false, messageKey, error: null },
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
