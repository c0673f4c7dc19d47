// What an editor shows after a request: the preview of the exact changes (with Save and
// Cancel), the conflict panel (the config changed since it was loaded) and the uncertain
// outcome (a write that may or may not have been made). The last two offer Reload only.

import { h, uid } from "./dom.js";
import { t } from "./i18n.js";
import { changeList, configSummary, localChanges } from "./changes.js";
import { renderError } from "./render.js";
import { backToForm, reload, save } from "./edit-actions.js";
import { editBusyLine, errorBox } from "./edit-parts.js";

export function previewView(view) {
  const { es, ctx } = view;
  const back = () => backToForm(view);
  const headingId = uid("preview");
  if (es.changes.length === 0) {
    return h("div", { class: "preview", dataset: { state: "nothing" } },
      h("p", { id: headingId, class: "notice", role: "status", tabindex: "-1", dataset: { focus: "preview" } }, t("edit.nothing")),
      h("div", { class: "form-actions" },
        h("button", { type: "button", class: "secondary", dataset: { action: "back" }, on: { click: back } }, t("edit.back"))));
  }
  return h("div", { class: "preview", role: "region", "aria-labelledby": headingId, dataset: { state: "changes" } },
    h("h5", { id: headingId, tabindex: "-1", dataset: { focus: "preview" } }, t("edit.previewTitle")),
    h("p", {}, t("edit.previewIntro", { functionName: ctx.where.functionName, env: ctx.where.env })),
    changeList(es.changes),
    errorBox(es),
    editBusyLine(es),
    h("div", { class: "form-actions" },
      h("button", { type: "button", disabled: es.busy, dataset: { action: "save" }, on: { click: () => save(view) } }, t("edit.save")),
      h("button", { type: "button", class: "secondary", disabled: es.busy, dataset: { action: "cancel-preview" }, on: { click: back } },
        t("edit.cancel"))));
}

export function conflictView(view) {
  const { kind, es, config } = view;
  const error = es.error;
  // What the user saw: as the server says, else the config this card was showing.
  const expected = Object.hasOwn(error, "expected") ? error.expected : config;
  const hasActual = Object.hasOwn(error, "actual");
  let changes = error.changes;
  let sure = true;
  if (!changes && hasActual) ({ changes, sure } = localChanges(kind, expected, error.actual));
  const headingId = uid("conflict");
  const versions = hasActual
    ? sideBySide(kind, expected, error.actual, changes, ["edit.conflict.yours", "edit.conflict.theirs"])
    : null;
  return h("div", { class: "conflict", role: "alert", "aria-labelledby": headingId, dataset: { state: "conflict" } },
    h("h5", { id: headingId, tabindex: "-1", dataset: { focus: "conflict" } }, t("edit.conflict.title")),
    h("p", {}, t("edit.conflict.body")),
    versions,
    h("h6", {}, t("edit.conflict.changes")),
    changeList(changes ?? [], { emptyKey: sure ? "edit.conflict.noChanges" : "edit.conflict.hiddenOnly" }),
    sure ? null : h("p", { class: "muted small-text" }, t("edit.conflict.hiddenNote")),
    reloadPanelEnd(view));
}

export function uncertainView(view) {
  const { kind, es } = view;
  const error = es.error;
  const code = error.code;
  let versions = null;
  if (code === "unverified" && Object.hasOwn(error, "expected") && Object.hasOwn(error, "actual")) {
    const changes = error.changes ?? localChanges(kind, error.expected, error.actual).changes;
    versions = [
      sideBySide(kind, error.expected, error.actual, changes, ["edit.unverified.written", "edit.unverified.readBack"]),
      h("h6", {}, t("edit.unverified.changes")),
      changeList(changes, { emptyKey: "edit.conflict.noChanges" }),
    ];
  }
  return h("div", { class: "uncertain", dataset: { state: code } },
    h("p", { class: "notice", tabindex: "-1", dataset: { focus: "uncertain" } }, t(`edit.${code}.body`)),
    renderError(error),
    versions,
    reloadPanelEnd(view));
}

/** Two versions of a config side by side, titled by `titleKeys`, marked by `changes`. */
function sideBySide(kind, before, after, changes, [beforeKey, afterKey]) {
  return h("div", { class: "side-by-side" },
    configSummary(kind, before, { title: t(beforeKey), side: "before", changes }),
    configSummary(kind, after, { title: t(afterKey), side: "after", changes }));
}

/** The end of the conflict and uncertain panels: a failed reload, the busy line, Reload. */
function reloadPanelEnd(view) {
  const { es } = view;
  return [
    es.reloadError ? renderError(es.reloadError) : null,
    editBusyLine(es),
    h("div", { class: "form-actions" },
      h("button", {
        type: "button", disabled: es.busy, dataset: { action: "reload" }, on: { click: () => reload(view) },
      }, t("edit.reload"))),
  ];
}
