// What the user asks about mini programs: a page of the picker (a search), the row of the app
// chosen, its environments, and an admin's Add (authorization links) or Import. Each asks the
// source, makes the model's transition (apps-model.js) and has the view draw it; a newer request
// of the same kind cancels the older, and a key the Worker no longer takes signs the user out.

import {
  adminStarted, appChosen, envsStarted, pickerAnswered, pickerStarted,
} from "./apps-model.js";
import { renderAdmin, renderEnvs, renderNotice, renderPicker } from "./apps-view.js";
import { els } from "./elements.js";
import { t } from "./i18n.js";
import { signedOutBy } from "./session.js";
import { asPageError } from "./source.js";
import { requestEnded, state } from "./state.js";
import { announce, renderBrowse, renderCompare, renderRecent, renderResults, renderView } from "./view.js";
import { APPS_PAGE_SIZE } from "./worker-source.js";

/**
 * Loads the page of the apps matching `q` from `offset` (the first answer also says whether the
 * Worker has apps at all). `focusOn`: the pager button pressed ("prev" / "next"), kept while
 * it can be used.
 */
export async function findApps(q, offset, focusOn = null) {
  if (typeof state.source?.apps !== "function") return;
  const picker = pickerStarted(q, offset);
  const { signal } = picker.controller;
  renderPicker();
  try {
    const page = await state.source.apps({ q, offset, limit: APPS_PAGE_SIZE }, signal);
    if (signal.aborted) return;
    pickerAnswered(picker, page, offset);
  } catch (error) {
    if (signal.aborted || signedOutBy(error)) return;
    picker.error = asPageError(error);
  }
  if (!requestEnded("picker", picker)) return;
  renderPicker();
  renderAdmin();
  renderView();
  if (focusOn === "prev" || focusOn === "next") {
    (els.appsBody.querySelector(`button[data-action="${focusOn}"]:not(:disabled)`) ?? els.appsQuery).focus();
  }
  if (picker.error) return;
  announce(t(picker.total === 1 ? "apps.count.one" : "apps.count.other", { total: picker.total }));
}

/**
 * Makes `appid` the app worked on, with its row from the list shown or, for an app reached by
 * its address, from a search for it. Resolves false when another place was asked for meanwhile.
 */
export async function selectApp(appid) {
  let row = state.picker?.apps.find((app) => app.appid === appid) ?? null;
  if (!row) {
    try {
      const page = await state.source.apps({ q: appid, offset: 0, limit: APPS_PAGE_SIZE });
      row = page.apps.find((app) => app.appid === appid) ?? null;
    } catch (error) {
      if (signedOutBy(error)) return false;
      // The requests made for the app say what is wrong.
    }
    if (state.place.app !== appid) return false;
  }
  appChosen(row, appid);
  renderAppChange();
  return true;
}

/** No app is worked on: back to the picker. */
export function clearApp() {
  appChosen(null);
  renderAppChange();
}

/** Draws what changes with the app: every part that belongs to one. */
function renderAppChange() {
  renderNotice();
  renderPicker();
  renderAdmin();
  renderEnvs();
  renderView();
  renderRecent();
  renderBrowse();
  renderResults();
  renderCompare();
}

/** Loads the environments of the app worked on (in direct mode, of the token). */
export async function loadEnvironments({ focus = false } = {}) {
  if (typeof state.source?.environments !== "function") return;
  const envs = envsStarted();
  const { signal } = envs.controller;
  renderEnvs();
  try {
    const { environments } = await state.source.environments(signal);
    if (signal.aborted) return;
    envs.environments = environments;
  } catch (error) {
    if (signal.aborted || signedOutBy(error)) return;
    envs.environments = [];
    envs.error = asPageError(error);
  }
  if (!requestEnded("envs", envs)) return;
  renderEnvs();
  if (focus) els.envsTitle.focus();
  if (!envs.error) {
    const total = envs.environments.length;
    announce(t(total === 1 ? "envs.count.one" : "envs.count.other", { total }));
  }
}

/** An admin asks for the links to WeChat's authorization page. */
export async function addApp() {
  const task = adminStarted("authorize");
  renderAdmin();
  try {
    task.result = await state.source.authorize(task.controller.signal);
  } catch (error) {
    if (task.controller.signal.aborted || signedOutBy(error)) return;
    task.error = asPageError(error);
  }
  if (!requestEnded("adminTask", task)) return;
  renderAdmin();
  (els.appsAdmin.querySelector("#auth-links-title, [role=alert]") ?? els.appsAdmin).focus();
  if (!task.error) announce(t("admin.linksTitle"));
}

/** An admin imports every authorization of the platform; the list is read again. */
export async function importApps() {
  const task = adminStarted("import");
  renderAdmin();
  try {
    task.result = await state.source.importApps(task.controller.signal);
  } catch (error) {
    if (task.controller.signal.aborted || signedOutBy(error)) return;
    task.error = asPageError(error);
  }
  if (!requestEnded("adminTask", task)) return;
  renderAdmin();
  if (task.error) return;
  announce(t("admin.imported", task.result));
  await findApps(state.picker?.q ?? "", 0);
}
