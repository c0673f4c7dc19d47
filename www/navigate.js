// Moving the page from place to place. Each step the user takes (a mini program, an
// environment, a function) is a new entry in the history (address.js); a place given by the
// address (a reload, a shared link opened after signing in, back and forward) is reached by the
// same steps, loading only what is not shown yet.

import { loadFunctions, runQuery } from "./actions.js";
import { currentPlace, NOWHERE, pushPlace, replacePlace } from "./address.js";
import { clearApp, findApps, loadEnvironments, selectApp } from "./apps-actions.js";
import { appsModeKnown, hasApps } from "./apps-model.js";
import { els } from "./elements.js";
import { placeSet, state } from "./state.js";
import { fillQuery, renderBrowse, renderRecent, renderResults } from "./view.js";
import { renderEnvs } from "./apps-view.js";

/** The user's step to `place` (fields left out are not chosen): a new history entry. */
export function goTo(place) {
  const target = within({ ...NOWHERE, ...place });
  pushPlace(target);
  return arrive(target, { step: true });
}

/** Back or forward: the address says where the page is. */
export function restorePlace(place) {
  return arrive(within(place), { step: false });
}

/**
 * After signing in: learns whether the Worker has mini programs, then goes where the address
 * says (or to the app just authorized). With only one app, it is chosen.
 */
export async function startPlace() {
  els.appsQuery.value = "";
  if (state.source?.mode === "worker") await findApps("", 0);
  else appsModeKnown("none");
  if (!state.source) return;
  let place = currentPlace();
  if (state.notice?.authorized) place = { ...NOWHERE, app: state.notice.authorized };
  if (state.appsMode === "app" && !place.app && state.picker?.total === 1) place = { ...place, app: state.picker.apps[0].appid };
  place = within(place);
  replacePlace(place);
  // Without apps (a static or stable token, direct mode), the token's environments are listed at once.
  if (!hasApps()) loadEnvironments();
  await arrive(place, { step: false });
  if (hasApps() && !state.app) els.appsQuery.focus();
}

/** `place` as this page can show it: without apps there is no `app`. */
function within(place) {
  return hasApps() ? place : { ...place, app: null };
}

/**
 * Shows `target`. A user's `step` loads its last part again even when it is shown (the user
 * asked for it); a restored place loads only what differs from what is shown.
 */
async function arrive(target, { step }) {
  placeSet(target);
  if (hasApps()) {
    if (!target.app) {
      if (state.app) clearApp();
      return;
    }
    if (state.app?.appid !== target.app) {
      if (!(await selectApp(target.app))) return;
      loadEnvironments({ focus: step && !target.env });
    } else if (step && !target.env) {
      loadEnvironments({ focus: true });
    }
  }
  renderEnvs();
  renderBrowse();
  renderResults();
  renderRecent();
  if (target.env) {
    els.env.value = target.env;
    const last = !target.fn;
    // The list opens by itself for a place restored, and for a step to the environment itself.
    if ((step && last) || (!step && state.browse?.env !== target.env)) loadFunctions(target.env, 0, step && last ? "heading" : null);
  }
  if (target.fn) {
    const query = {
      ...(target.app ? { appid: target.app } : {}), env: target.env, functionName: target.fn, type: target.type,
    };
    fillQuery(query);
    const shown = state.outcome?.query;
    const same = shown && shown.env === query.env && shown.functionName === query.functionName && shown.type === query.type;
    if (step || !same) runQuery(query);
  }
}
