// What an editor's controls do: open and close it, check the draft, ask for the changes an
// edit would make (always first, with dryRun), save, go back, reload. The page never writes
// on its own: a conflict or an uncertain outcome offers Reload, never a retry.
//
// `view` is `{kind, config, cs, es, ctx}`: the card's kind and config, its view state `cs`
// (the editor's state is `cs.edit`, `es`) and the card's context `ctx` (see edit.js).

import { validChanges } from "./changes.js";
import { t } from "./i18n.js";
import { draftEdit, editState, openEditState } from "./edit-model.js";
import { loadPackage, packageModule } from "./package.js";

/** Opens the editor of the card once the package is loaded, or when it cannot be. */
export function openEditor({ kind, config, cs, ctx }) {
  const open = () => {
    cs.notice = null;
    cs.edit = openEditState(kind, config, packageModule());
    ctx.rerender(firstFieldSelector(kind));
  };
  if (packageModule()) open();
  else loadPackage().then(open, open);
}

/** Closes the editor; what was typed is dropped. */
export function closeEditor({ cs, ctx }) {
  cs.edit = editState();
  ctx.rerender('[data-focus="edit"]');
}

function firstFieldSelector(kind) {
  return kind === "environment" ? '[data-focus="timeout"]'
    : kind === "cloudCall" ? '[data-focus="grant"]'
      : '[data-focus="trigger-name"]';
}

/** Checks the form's draft; previews its edit when every field is right. */
export function submit(view) {
  const { kind, config, es } = view;
  const { errors, edit } = draftEdit(kind, es.draft, config, packageModule());
  if (!check(view, errors)) return;
  if (!edit) {
    nothingToChange(view);
    return;
  }
  preview(view, edit.op, edit.fields);
}

/** Records the field errors; with any, shows them and focuses the first. True when none. */
function check(view, errors) {
  const { es, ctx } = view;
  es.errors = errors;
  es.note = null;
  es.error = null;
  const ids = Object.keys(errors);
  if (ids.length === 0) return true;
  ctx.rerender(`[data-focus="${CSS.escape(ids[0])}"]`);
  ctx.announce(t("edit.fixErrors", { n: ids.length }));
  return false;
}

function nothingToChange(view) {
  view.es.note = "edit.nothing";
  view.ctx.rerender('[data-action="preview"]');
  view.ctx.announce(t("edit.nothing"));
}

/** Asks for the changes `fields` would make (dry run) and shows them. */
export async function preview(view, op, fields) {
  const { es, ctx } = view;
  es.pending = { op, fields };
  es.error = null;
  es.note = null;
  await run(view, async () => {
    const result = await ctx.send(op, fields, true);
    es.changes = validChanges(result.changes);
    es.phase = "preview";
    return '[data-focus="preview"]';
  });
}

/** Previews removing something listed (a permission, the trigger); field errors are cleared. */
export function previewRemoval(view, op, fields) {
  view.es.errors = {};
  preview(view, op, fields);
}

/** Sends the previewed edit for real. */
export async function save(view) {
  const { es, ctx } = view;
  es.error = null;
  await run(view, async () => {
    const result = await ctx.send(es.pending.op, es.pending.fields, false);
    ctx.saved(result);
    return null;
  });
}

/** From the preview back to the form, as it was typed. */
export function backToForm({ es, ctx }) {
  es.phase = "form";
  es.changes = null;
  es.pending = null;
  es.error = null;
  ctx.rerender('[data-action="preview"]');
}

/** Reads the config again (after a conflict or an uncertain outcome); the edit is discarded. */
export function reload({ es, ctx }) {
  es.busy = true;
  ctx.reload();
}

/**
 * Runs one request with the editor busy, then shows what came of it. A conflict and an
 * uncertain outcome get their own panel; any other error is shown with the form or preview.
 */
async function run(view, request) {
  const { es, ctx } = view;
  es.busy = true;
  ctx.rerender('[data-focus="busy"]');
  let focus;
  try {
    focus = await request();
    es.busy = false;
    if (focus === null) return; // saved: the card was rebuilt from the answer
  } catch (error) {
    es.busy = false;
    if (error?.code === "unauthorized") {
      ctx.unauthorized();
      return;
    }
    es.error = error;
    if (error?.code === "conflict") {
      es.phase = "conflict";
      focus = '[data-focus="conflict"]';
    } else if (error?.code === "unverified" || error?.code === "unknown_outcome") {
      es.phase = "uncertain";
      focus = '[data-focus="uncertain"]';
    } else {
      focus = '[data-focus="edit-error"]';
    }
  }
  if (es.open) ctx.rerender(focus);
}
