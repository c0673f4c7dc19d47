// Draws the mini program picker (search, list, pager, the chosen app), the admin's Add and
// Import, the environment list and the notice of a return from the authorization page. DOM
// only: what a click asks for goes to the handlers the controller binds.

import { busyLine, h, replaceChildren } from "./dom.js";
import { els } from "./elements.js";
import { has, t } from "./i18n.js";
import { renderError } from "./render.js";
import { hasApps } from "./apps-model.js";
import { state } from "./state.js";
import { APPS_PAGE_SIZE } from "./worker-source.js";

/**
 * `{ chooseApp(appid), page(offset, "prev" | "next"), change(), add(), importApps(),
 * chooseEnv(env), dismissNotice(), dismissTask() }`.
 */
let handlers = null;

export function bindAppsView(bound) {
  handlers = bound;
}

export function renderAppsAll() {
  renderNotice();
  renderPicker();
  renderAdmin();
  renderEnvs();
}

// --- one app -------------------------------------------------------------------------------

/** The hosts of WeChat's avatars, as the Worker's Content-Security-Policy allows them (img-src). */
const AVATAR_HOST = /^(?:[a-z0-9-]+\.qlogo\.cn|mmbiz\.qpic\.cn)$/;

/**
 * The app's avatar (`headImg`) over a letter in a circle: the letter shows while the image
 * loads, when there is none, and when it fails. WeChat gives the URL as http://; it is asked
 * over https (the same hosts serve both), and only from WeChat's avatar hosts.
 */
function avatar(app) {
  // The nickname's first letter or digit, else the appid's after its "wx".
  const name = app.nickName ?? app.appid.replace(/^wx/i, "");
  const letter = name.match(/[\p{L}\p{N}]/u)?.[0].toUpperCase() ?? "?";
  let hash = 0;
  for (const ch of app.appid) hash = (hash * 31 + ch.codePointAt(0)) % 997;
  const src = avatarUrl(app.headImg);
  const img = src
    ? h("img", { class: "avatar-img", src, alt: "", loading: "lazy", referrerpolicy: "no-referrer", on: { error: (e) => e.target.remove() } })
    : null;
  return h("span", { class: "avatar", "aria-hidden": "true", dataset: { tone: hash % 6 } }, letter, img);
}

/** `headImg` as an https URL on WeChat's avatar hosts, or null. */
function avatarUrl(headImg) {
  if (typeof headImg !== "string") return null;
  try {
    const url = new URL(headImg);
    if ((url.protocol !== "http:" && url.protocol !== "https:") || !AVATAR_HOST.test(url.hostname) || url.port !== "") return null;
    url.protocol = "https:";
    return url.href;
  } catch {
    return null;
  }
}

/**
 * Whether the platform's registry says `app` has not granted cloud development (49). The one-app
 * platform does not know its app's permission sets, so it is never said there.
 */
function lacksCloud(app) {
  return state.appsMode === "platform" && app.listed !== false && !app.cloudDevelopment;
}

function statusBadge(app) {
  return h("span", { class: "badge app-status", dataset: { status: app.status } }, t(`apps.status.${app.status}`));
}

/** Name, appid and status of `app`; `explain` adds the plain explanation of its status. */
function appSummary(app, { explain }) {
  const problems = [];
  const listed = app.listed !== false;
  // "Authorized" is explained only when the app can be read (else the missing 49 is the news).
  if (listed && (app.status !== "authorized" || (explain && !lacksCloud(app)))) {
    problems.push(h("span", { class: "app-note", dataset: { note: "status" } }, t(`apps.explain.${app.status}`)));
  }
  if (lacksCloud(app) && app.status === "authorized") {
    problems.push(h("span", { class: "app-note warn", dataset: { note: "cloud" } }, t("apps.noCloud")));
  }
  return [
    avatar(app),
    h("span", { class: "app-text" },
      // A platform reads the nicknames of imported apps a little later; the one-app platform has none.
      app.nickName || state.appsMode === "platform"
        ? h("span", { class: "app-name" }, app.nickName ?? h("span", { class: "muted" }, t("apps.unnamed"))) : null,
      h("code", { class: "app-id" }, app.appid),
      explain && app.principalName ? h("span", { class: "muted small-text" }, t("apps.principal", { name: app.principalName })) : null,
      problems),
    listed ? statusBadge(app) : null,
  ];
}

// --- the picker ----------------------------------------------------------------------------

export function renderPicker() {
  const picker = state.picker;
  els.apps.hidden = !hasApps() && !picker?.error;
  if (els.apps.hidden) return;
  const open = state.pickerOpen || !state.app;
  els.appsSearch.hidden = !open;
  els.apps.setAttribute("aria-busy", String(Boolean(picker?.busy)));
  if (!open) {
    // The one-app platform has nothing else to choose.
    const others = state.appsMode === "platform" || (picker?.total ?? 0) > 1;
    replaceChildren(els.appsBody, h("div", { class: "app-chosen", dataset: { appid: state.app.appid } },
      appSummary(state.app, { explain: true })),
    others ? h("button", { type: "button", class: "secondary small", dataset: { action: "change" }, on: { click: () => handlers.change() } },
      t("apps.change")) : null);
    return;
  }
  replaceChildren(els.appsBody, picker ? pickerList(picker) : null);
}

function pickerList(picker) {
  const { apps, total, busy, error } = picker;
  const parts = [];
  if (busy) parts.push(busyLine(t("apps.loading"), { role: "status" }));
  if (error) parts.push(renderError(error));
  if (!busy && !error && apps.length === 0) {
    parts.push(h("p", { class: "muted", dataset: { state: "empty" } }, picker.q ? t("apps.noMatch", { q: picker.q }) : t("apps.none")));
  }
  if (!state.app && apps.length > 0) parts.push(h("p", { class: "muted small-text" }, t("apps.choose")));
  if (apps.length === 0) return parts;
  const from = picker.shownOffset + 1;
  parts.push(h("p", { class: "muted small-text app-range" },
    t("apps.range", { from, to: picker.shownOffset + apps.length, total })));
  parts.push(h("ul", { class: "app-list" }, apps.map((app) => h("li", {},
    h("button", {
      type: "button", class: "app-row", disabled: busy, dataset: { appid: app.appid },
      "aria-current": state.app?.appid === app.appid ? "true" : null,
      on: { click: () => handlers.chooseApp(app.appid) },
    }, appSummary(app, { explain: false }))))));
  const hasPrev = picker.shownOffset > 0;
  const hasNext = picker.shownOffset + APPS_PAGE_SIZE < total;
  if (hasPrev || hasNext) {
    parts.push(h("nav", { class: "pager", "aria-label": t("apps.pages") },
      h("button", {
        type: "button", class: "secondary small", disabled: busy || !hasPrev, dataset: { action: "prev" },
        on: { click: () => handlers.page(Math.max(0, picker.shownOffset - APPS_PAGE_SIZE), "prev") },
      }, t("apps.prev")),
      h("button", {
        type: "button", class: "secondary small", disabled: busy || !hasNext, dataset: { action: "next" },
        on: { click: () => handlers.page(picker.shownOffset + APPS_PAGE_SIZE, "next") },
      }, t("apps.next"))));
  }
  return parts;
}

// --- the admin's Add and Import ------------------------------------------------------------

/** Only an admin of a platform (not of one app) adds or imports mini programs. */
export function renderAdmin() {
  const show = state.appsMode === "platform" && state.session?.role === "admin" && (state.pickerOpen || !state.app);
  els.appsAdmin.hidden = !show;
  if (!show) return;
  const task = state.adminTask;
  const busy = Boolean(task?.busy);
  els.appsAdmin.setAttribute("aria-busy", String(busy));
  const button = (action, key, run) =>
    h("button", { type: "button", class: "secondary", disabled: busy, dataset: { action }, on: { click: run } }, t(key));
  const buttons = h("div", { class: "form-actions" },
    button("add", "admin.add", () => handlers.add()),
    button("import", "admin.import", () => handlers.importApps()));
  replaceChildren(els.appsAdmin, buttons, task ? taskOutcome(task) : null);
}

function taskOutcome(task) {
  if (task.busy) return busyLine(t(task.op === "authorize" ? "admin.adding" : "admin.importing"), { role: "status" });
  if (task.error) return renderError(task.error);
  if (task.op === "import") {
    return h("p", { class: "notice", dataset: { outcome: "import" }, tabindex: "-1" }, t("admin.imported", task.result));
  }
  const { pc, mobile, expiresIn } = task.result;
  // The links carry the page's origin as their referrer (the page sends none otherwise):
  // WeChat opens its authorization page only for the platform's registered domain.
  const link = (href, key, which) => (href
    ? h("li", {}, h("a", { href, target: "_blank", rel: "noopener", referrerpolicy: "origin", dataset: { link: which } }, t(key)))
    : null);
  return h("section", { class: "auth-links", dataset: { outcome: "authorize" }, "aria-labelledby": "auth-links-title" },
    h("h3", { id: "auth-links-title", class: "small-heading", tabindex: "-1" }, t("admin.linksTitle")),
    h("ul", { class: "link-list" }, link(pc, "admin.pc", "pc"), link(mobile, "admin.mobile", "mobile")),
    h("p", { class: "small-text" }, t("admin.linksNote")),
    expiresIn ? h("p", { class: "muted small-text" }, t("admin.expires", { minutes: Math.max(1, Math.round(expiresIn / 60)) })) : null,
    h("button", { type: "button", class: "link", on: { click: () => handlers.dismissTask() } }, t("admin.dismiss")));
}

// --- the environments ----------------------------------------------------------------------

export function renderEnvs() {
  const envs = state.envs;
  els.envs.hidden = !envs;
  if (!envs) return;
  els.envs.setAttribute("aria-busy", String(envs.busy));
  els.envsTitle.textContent = state.app ? t("envs.titleOf", { name: state.app.nickName ?? state.app.appid }) : t("envs.title");
  const parts = [];
  if (envs.busy) parts.push(busyLine(t("envs.loading"), { role: "status" }));
  if (envs.error) parts.push(renderError(envs.error));
  if (!envs.busy && !envs.error && envs.environments.length === 0) {
    parts.push(h("p", { class: "muted", dataset: { state: "empty" } }, t("envs.none")));
  }
  if (envs.environments.length > 0) {
    parts.push(h("ul", { class: "env-list" }, envs.environments.map((e) => h("li", {},
      h("button", {
        type: "button", class: "env-row", disabled: envs.busy, dataset: { env: e.env },
        "aria-current": state.place.env === e.env ? "true" : null,
        on: { click: () => handlers.chooseEnv(e.env) },
      },
      h("span", { class: "env-alias" }, e.alias || e.env),
      h("code", { class: "env-id" }, e.env),
      e.status ? h("span", { class: "badge env-status", dataset: { status: e.status } }, envStatus(e.status)) : null)))));
  }
  replaceChildren(els.envsBody, parts);
}

/** WeChat's word for an environment's state, in words when the page knows it. */
function envStatus(status) {
  return has(`envs.status.${status}`) ? t(`envs.status.${status}`) : status;
}

// --- the notice ----------------------------------------------------------------------------

/** The outcome of a return from the authorization page, until closed. */
export function renderNotice() {
  const notice = state.notice;
  els.notice.hidden = !notice || !state.session;
  if (els.notice.hidden) return;
  const lines = [];
  if (notice.authorized) {
    const row = state.app?.appid === notice.authorized ? state.app : null;
    const name = row?.nickName ? `${row.nickName} (${notice.authorized})` : notice.authorized;
    lines.push(h("p", {}, t("notice.authorized", { name })));
    if (row && lacksCloud(row)) lines.push(h("p", { class: "warn", dataset: { note: "cloud" } }, t("notice.noCloud")));
  } else {
    const key = `notice.error.${notice.error}`;
    lines.push(h("p", {}, has(key) ? t(key) : t("notice.error.other", { code: notice.error })));
  }
  els.notice.dataset.tone = notice.authorized ? "ok" : "error";
  replaceChildren(els.notice, h("div", { class: "notice-text" }, lines),
    h("button", { type: "button", class: "link", on: { click: () => handlers.dismissNotice() } }, t("admin.dismiss")));
}
