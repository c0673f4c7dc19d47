// The admin page's entry and controller: it wires the page's forms and buttons to the actions
// (actions.js, session.js), binds the view's own controls to them, and starts the page: the
// language, then the session saved in this tab, if any.
//   model: state.js (and storage.js, what is kept between loads)
//   view: view.js, drawing with render.js, browse.js, changes.js, timeline.js and edit.js
//   controllers: this file, session.js (sign-in and out), actions.js (requests)

import { editContext, loadFunctions, reveal, runCompare, runQuery, showQuery } from "./actions.js";
import { els } from "./elements.js";
import { initHistory } from "./history.js";
import { initialLanguage, setLanguage } from "./i18n.js";
import { resumeSession, signInDirect, signInWithKey, signOut } from "./session.js";
import { showView } from "./state.js";
import { forgetRecent } from "./storage.js";
import { bindView, prefillCompare, renderAll, renderRecent, renderView } from "./view.js";

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

onSubmit(els.queryForm, () => {
  if (focusMissing(els.env, els.functionName)) return;
  runQuery({ env: els.env.value.trim(), functionName: els.functionName.value.trim(), type: els.type.value });
});

els.functions.addEventListener("click", () => {
  if (!focusMissing(els.env)) loadFunctions(els.env.value.trim(), 0, "heading");
});

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
initHistory();
setLanguage(initialLanguage());
renderAll();
resumeSession();
