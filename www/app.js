// The admin page's entry and controller: it wires the page's forms and buttons to the actions
// (actions.js, apps-actions.js, session.js) and the steps from place to place (navigate.js),
// binds the view's own controls to them, and starts the page: the language, the return from
// WeChat's authorization page if this is one, then the session saved in this tab, if any.
//   model: state.js and apps-model.js (and storage.js, what is kept between loads; address.js,
//     where the page is, in its address)
//   view: view.js and apps-view.js, drawing with render.js, browse.js, changes.js, timeline.js
//     and edit.js
//   controllers: this file, session.js (sign-in and out), navigate.js (steps), actions.js and
//     apps-actions.js (requests)

import { editContext, loadFunctions, reveal, runCompare } from "./actions.js";
import { onPlaceChange, takeAuthorizationReturn } from "./address.js";
import { addApp, findApps, importApps } from "./apps-actions.js";
import { adminDismissed, noticeDismissed, noticeShown, pickerOpened } from "./apps-model.js";
import { bindAppsView, renderAdmin, renderNotice, renderPicker } from "./apps-view.js";
import { els } from "./elements.js";
import { initHistory } from "./history.js";
import { initialLanguage, setLanguage } from "./i18n.js";
import { goTo, restorePlace, startPlace } from "./navigate.js";
import { resumeSession, signInDirect, signInWithKey, signOut, whenSignedIn } from "./session.js";
import { showView, state } from "./state.js";
import { forgetRecent } from "./storage.js";
import { bindView, prefillCompare, renderAll, renderRecent, renderView } from "./view.js";

/** How long the search waits for the typing to pause before asking the Worker. */
const SEARCH_DELAY_MS = 300;

/** The first empty input of `inputs`, focused; `null` when all are filled. */
function focusMissing(...inputs) {
  const missing = inputs.find((input) => !input.value.trim());
  missing?.focus();
  return missing ?? null;
}

/** Calls `handle` on the submit of `form`, instead of the browser's navigation. */
function onSubmit(form, handle) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    handle();
  });
}

onSubmit(els.signinForm, () => {
  if (!focusMissing(els.accessKey)) signInWithKey(els.accessKey.value.trim());
});

els.signinAccess.addEventListener("click", () => signInWithKey(null));

onSubmit(els.directForm, () => {
  if (!focusMissing(els.directBaseUrl, els.directToken)) signInDirect(els.directBaseUrl.value.trim(), els.directToken.value.trim());
});

els.signout.addEventListener("click", () => signOut());

/** Shows `query` (`{appid?, env, functionName, type}`): a step to its function. */
function showQuery(query) {
  goTo({ app: query.appid ?? state.place.app, env: query.env, fn: query.functionName, type: query.type });
}

onSubmit(els.queryForm, () => {
  if (focusMissing(els.env, els.functionName)) return;
  showQuery({ env: els.env.value.trim(), functionName: els.functionName.value.trim(), type: els.type.value });
});

els.functions.addEventListener("click", () => {
  if (focusMissing(els.env)) return;
  const env = els.env.value.trim();
  // The list of the environment shown opens beside the function shown; another is a step.
  if (env === state.place.env) loadFunctions(env, 0, "heading");
  else goTo({ app: state.place.app, env });
});

let searchTimer = null;
const search = () => {
  clearTimeout(searchTimer);
  findApps(els.appsQuery.value.trim(), 0);
};
els.appsQuery.addEventListener("input", () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(search, SEARCH_DELAY_MS);
});
onSubmit(els.appsSearch, search);

for (const [button, view] of [[els.viewLookup, "lookup"], [els.viewCompare, "compare"]]) {
  button.addEventListener("click", () => {
    showView(view);
    if (view === "compare") prefillCompare();
    renderView();
  });
}

onSubmit(els.compareForm, () => {
  if (focusMissing(els.compareFunction, els.compareEnvA, els.compareEnvB)) return;
  runCompare({
    functionName: els.compareFunction.value.trim(),
    envA: els.compareEnvA.value.trim(),
    envB: els.compareEnvB.value.trim(),
    type: els.compareType.value,
  });
});

els.recentClear.addEventListener("click", () => {
  forgetRecent();
  renderRecent();
  els.env.focus();
});

els.lang.addEventListener("change", () => {
  setLanguage(els.lang.value, { remember: true });
  renderAll();
});

bindView({ query: showQuery, page: loadFunctions, reveal, editContext });
bindAppsView({
  chooseApp: (appid) => goTo({ app: appid }),
  page: (offset, which) => findApps(state.picker?.q ?? "", offset, which),
  change() {
    pickerOpened();
    renderPicker();
    renderAdmin();
    els.appsQuery.focus();
  },
  add: addApp,
  importApps,
  chooseEnv: (env) => goTo({ app: state.place.app, env }),
  dismissNotice() {
    noticeDismissed();
    renderNotice();
  },
  dismissTask() {
    adminDismissed();
    renderAdmin();
  },
});
whenSignedIn(startPlace);
onPlaceChange((place) => {
  if (state.source) restorePlace(place);
});

const back = takeAuthorizationReturn();
if (back) noticeShown(back);
initHistory();
setLanguage(initialLanguage());
renderAll();
resumeSession();
