// The model's transitions for the mini programs: the picker, the app chosen, its environments,
// an admin's Add or Import and the notice of a return from the authorization page. The fields
// they change are state.js's (`appsMode`, `picker`, `pickerOpen`, `app`, `envs`, `adminTask`,
// `notice`).

import { state } from "./state.js";

/** Whether the page offers mini programs to choose from (the Worker has them). */
export function hasApps() {
  return state.appsMode === "platform" || state.appsMode === "app";
}

/** A row for an appid the Worker did not list (the requests for it say why). */
function unlistedRow(appid) {
  return { appid, nickName: null, headImg: null, principalName: null, cloudDevelopment: false, status: "unknown", listed: false };
}

/**
 * The app of `row` (or of `appid` when it was not listed) is the one worked on, or none
 * (`null`): the source acts for it, and whatever was shown of another app (its environments,
 * functions, configs) is dropped.
 */
export function appChosen(row, appid = row?.appid ?? null) {
  if ((state.app?.appid ?? null) !== appid) {
    state.controller?.abort();
    for (const slot of ["browse", "compare", "envs"]) state[slot]?.controller?.abort();
    Object.assign(state, { outcome: null, cardStates: {}, browse: null, compare: null, envs: null, busy: false, controller: null });
    state.source = state.source.forApp(appid);
  }
  state.app = appid ? row ?? unlistedRow(appid) : null;
  state.pickerOpen = !appid;
}

/** The picker's list is shown again, to choose another app. */
export function pickerOpened() {
  state.pickerOpen = true;
}

/** Starts loading a page of the picker (`q` searched, from `offset`), in place of any. */
export function pickerStarted(q, offset) {
  state.picker?.controller?.abort();
  const previous = state.picker;
  state.picker = {
    q, offset, busy: true, controller: new AbortController(), error: null,
    total: previous?.total ?? 0, apps: previous?.apps ?? [], shownOffset: previous?.shownOffset ?? 0,
  };
  return state.picker;
}

/** A page of apps came: the picker shows it, and the Worker's mode is known. */
export function pickerAnswered(picker, { mode, total, apps }, offset) {
  Object.assign(picker, { total, apps, shownOffset: offset });
  state.appsMode = mode;
  // The chosen app's row is kept as fresh as the list.
  const row = apps.find((app) => app.appid === state.app?.appid);
  if (row) state.app = row;
}

/** The Worker's mode, learnt without a list (a source that has no apps). */
export function appsModeKnown(mode) {
  state.appsMode = mode;
}

/** Starts loading the environments, in place of any such request. */
export function envsStarted() {
  state.envs?.controller?.abort();
  state.envs = { environments: state.envs?.environments ?? [], busy: true, error: null, controller: new AbortController() };
  return state.envs;
}

/** Starts an admin's `op` ("authorize" or "import"), in place of any. */
export function adminStarted(op) {
  state.adminTask?.controller?.abort();
  state.adminTask = { op, busy: true, result: null, error: null, controller: new AbortController() };
  return state.adminTask;
}

export function adminDismissed() {
  state.adminTask?.controller?.abort();
  state.adminTask = null;
}

/** The outcome of a return from the authorization page (address.js): `{authorized}` or `{error}`. */
export function noticeShown(notice) {
  state.notice = notice;
}

export function noticeDismissed() {
  state.notice = null;
}
