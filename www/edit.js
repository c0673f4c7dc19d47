// Editing a config, for admins: the editor inside each card. The page checks every input by
// the package's rules (`checkField`) before anything is sent, asks for the exact changes first
// (dryRun), and never writes on its own. An editor opens once the package is loaded; if it
// cannot be, it opens all the same and the Worker's checks are the only ones.
//   edit-model.js: the editor's state, and the edit its draft makes (no DOM)
//   edit-actions.js: what its controls do (check, preview, save, reload)
//   edit-forms.js, edit-outcome.js, edit-parts.js: what it shows
//
// An editor's state lives in the card's view state (`cs.edit`, see state.js `cardState`), so
// a language switch rebuilds it without losing what was typed. Secret values live only there
// and in the inputs' `value` properties, never in an attribute or a text node.

import { h, uid } from "./dom.js";
import { t } from "./i18n.js";
import { closeEditor, openEditor } from "./edit-actions.js";
import { editState } from "./edit-model.js";
import { formView } from "./edit-forms.js";
import { conflictView, previewView, uncertainView } from "./edit-outcome.js";

/**
 * The edit controls of one card: `{header, body}` (header: the Edit toggle; body: the saved
 * notice and, when open, the editor). `cs` is the card's view state; `ctx`:
 * `{ where: {env, functionName}, send(op, fields, dryRun) → Promise<{written, config, changes}>,
 *    saved(result), reload(), rerender(focusSelector), announce(text), unauthorized() }`.
 */
export function editor(kind, config, cs, ctx) {
  cs.edit ??= editState();
  const es = cs.edit;
  const view = { kind, config, cs, es, ctx };
  const editorId = `editor-${kind}`;
  const toggle = h("button", {
    type: "button", class: "secondary small", dataset: { action: "edit", focus: "edit" },
    "aria-expanded": String(es.open), "aria-controls": es.open ? editorId : null,
    disabled: es.busy,
    on: { click: () => (es.open ? closeEditor(view) : openEditor(view)) },
  }, es.open ? t("edit.close") : t(`edit.open.${kind}`));

  const notice = cs.notice
    ? h("p", { class: "saved", role: "status", tabindex: "-1", dataset: { focus: "notice" } }, t(cs.notice.key, cs.notice.params))
    : null;
  if (!es.open) return { header: toggle, body: notice };

  const content =
    es.phase === "preview" ? previewView(view)
      : es.phase === "conflict" ? conflictView(view)
        : es.phase === "uncertain" ? uncertainView(view)
          : formView(view);
  const titleId = uid("editor-title");
  const section = h("section", {
    id: editorId, class: "editor", "aria-labelledby": titleId, "aria-busy": String(es.busy), dataset: { phase: es.phase },
  }, h("h4", { id: titleId }, t(`edit.title.${kind}`)), content);
  return { header: toggle, body: [notice, section] };
}
