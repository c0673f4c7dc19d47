// The pieces every editor view is made of: the form with Preview and Cancel, a labelled input
// with its error, the show toggle of a secret input, a small row button, the busy line and the
// error box. Secret values are set as the inputs' `value` property, never as an attribute or
// a text node.

import { busyLine, h, uid } from "./dom.js";
import { t } from "./i18n.js";
import { renderError } from "./render.js";
import { closeEditor } from "./edit-actions.js";

/** The form around the fields: Preview (submit) and Cancel, the note and a refused request. */
export function editForm(view, { onSubmit, submitKey }, ...fields) {
  const { es } = view;
  const form = h("form", { class: "edit-form", novalidate: true },
    fields,
    es.note ? h("p", { class: "notice edit-note", role: "status" }, t(es.note)) : null,
    errorBox(es),
    editBusyLine(es),
    h("div", { class: "form-actions" },
      h("button", { type: "submit", disabled: es.busy, dataset: { action: "preview" } }, t(submitKey)),
      h("button", {
        type: "button", class: "secondary", disabled: es.busy, dataset: { action: "cancel" },
        on: { click: () => closeEditor(view) },
      }, t("edit.cancel"))));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!es.busy) onSubmit(form);
  });
  return form;
}

/** A refused request, with the form or the preview. */
export function errorBox(es) {
  if (!es.error || es.phase === "conflict" || es.phase === "uncertain") return null;
  return h("div", { tabindex: "-1", class: "edit-error", dataset: { focus: "edit-error" } }, renderError(es.error));
}

export function editBusyLine(es) {
  if (!es.busy) return null;
  return busyLine(t(es.phase === "preview" ? "edit.saving" : es.phase === "form" ? "edit.checking" : "edit.reloading"),
    { role: "status", tabindex: "-1", dataset: { focus: "busy" } });
}

/**
 * A labelled input with its error under it. `id` names the field in `es.errors`; `attrs` go
 * on the input; `value` is set as the property (never an attribute); `onInput(value)` keeps
 * the draft. An error marked `live` is shown by another element (`describedBy`), not here.
 */
export function field(view, { id, label, attrs = {}, value, onInput, hintKey, after = null, className = "field", describedBy = null }) {
  const { es } = view;
  const inputId = uid("f");
  const errorId = uid("err");
  const hintId = hintKey ? uid("hint") : null;
  const error = es.errors[id];
  const input = h("input", {
    id: inputId, autocomplete: "off", spellcheck: "false", ...attrs,
    "aria-invalid": error ? "true" : null,
    "aria-describedby": [hintId, error && !error.live ? errorId : null, describedBy].filter(Boolean).join(" ") || null,
    disabled: es.busy,
    dataset: { focus: id, field: id },
  });
  input.value = value;
  input.addEventListener("input", () => {
    onInput(input.value);
    if (es.errors[id]) {
      // The error stays until the next check, but no longer marks what is being fixed.
      input.removeAttribute("aria-invalid");
    }
  });
  return h("div", { class: className },
    h("label", { for: inputId }, label),
    after ? h("div", { class: "input-row" }, input, after(input)) : input,
    hintKey ? h("p", { id: hintId, class: "muted small-text field-hint" }, t(hintKey)) : null,
    error && !error.live ? h("p", { id: errorId, class: "field-error", dataset: { error: id } }, t(error.key, error.params)) : null);
}

/**
 * A toggle that shows what was typed in a password-style input: its name stays the same,
 * `aria-pressed` says whether the value is shown.
 */
export function showToggle(input, draftRow, labelKey, key) {
  const button = h("button", {
    type: "button", class: "secondary small toggle", "aria-pressed": String(Boolean(draftRow.shown)),
    "aria-label": t("edit.showValueLabel", { key: key || t(labelKey) }),
    dataset: { action: "show" },
  }, t("edit.show"));
  button.addEventListener("click", () => {
    draftRow.shown = !draftRow.shown;
    input.type = draftRow.shown ? "text" : "password";
    button.setAttribute("aria-pressed", String(draftRow.shown));
  });
  input.type = draftRow.shown ? "text" : "password";
  return button;
}

/** A small button of one row, named for screen readers by the row's `key`. */
export function smallButton(textKey, labelKey, key, focus, es, onClick) {
  return h("button", {
    type: "button", class: "secondary small", "aria-label": t(labelKey, { key }), disabled: es.busy,
    dataset: { focus, action: focus.split(":")[0] }, on: { click: onClick },
  }, t(textKey));
}

/**
 * A list of what can be removed (permissions, the trigger), one row each: the row's
 * `dataset`, what it shows, and its remove button.
 */
export function removalList({ title, headingId = null }, rows) {
  return h("div", { class: "edit-revoke" },
    h("h5", { id: headingId }, title),
    h("ul", { class: "edit-rows", "aria-labelledby": headingId }, rows.map(({ name, content, button }) =>
      h("li", { class: "edit-row", dataset: { name } },
        h("div", { class: "edit-row-head" }, content, h("div", { class: "actions" }, button))))));
}
