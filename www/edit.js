// Editing a config, for admins: the editor inside each card, the preview of the exact changes
// (always asked for first, with dryRun), Save and Cancel, and what a refused or uncertain write
// shows. The page checks every input by the package's rules (`checkField`) before anything is
// sent, and never writes on its own: a conflict or an uncertain outcome offers Reload, never a
// retry. An editor opens once the package is loaded; if it cannot be, it opens all the same and
// the Worker's checks are the only ones.
//
// An editor's state lives in the card's view state (`cardState().edit`), so a language switch
// rebuilds it without losing what was typed. Secret values live only there and in the inputs'
// `value` properties, never in an attribute or a text node.

import { DOTS, h } from "./dom.js";
import { language, t } from "./i18n.js";
import { changeList, configSummary, localChanges, validChanges } from "./changes.js";
import { renderError } from "./render.js";
import { loadPackage, packageModule } from "./package.js";
import { formatRun } from "./timeline.js";

/** The package's rules, or `null` when it could not be loaded (then the Worker checks alone). */
const rules = packageModule;
/** How many next runs the trigger editor lists under the expression. */
const LIVE_RUNS = 3;

let nextId = 0;
const uid = (prefix) => `${prefix}-${++nextId}`;

/** A fresh, closed editor. */
export function editState() {
  return {
    open: false,
    /** "form", "preview" (the dry run's changes), "conflict" or "uncertain". */
    phase: "form",
    busy: false,
    draft: null,
    /** Field errors by field id: `{key, params}`. */
    errors: {},
    /** A note under the form ("nothing to change"), as a string key. */
    note: null,
    /** The edit being previewed: `{op, fields}`. */
    pending: null,
    changes: null,
    /** The error shown: the conflict or uncertain outcome, or a refused request. */
    error: null,
  };
}

/**
 * The edit controls of one card: `{header, body}` (header: the Edit toggle; body: the saved
 * notice and, when open, the editor). `cs` is the card's view state; `ctx`:
 * `{ where: {env, functionName}, send(op, fields, dryRun) → Promise<{written, config, changes}>,
 *    saved(result), reload(), rerender(focusSelector), announce(text), unauthorized() }`.
 */
export function editor(kind, config, cs, ctx) {
  cs.edit ??= editState();
  const es = cs.edit;
  const editorId = `editor-${kind}`;
  const toggle = h("button", {
    type: "button", class: "secondary small", dataset: { action: "edit", focus: "edit" },
    "aria-expanded": String(es.open), "aria-controls": es.open ? editorId : null,
    disabled: es.busy,
    on: {
      click: () => {
        if (es.open) {
          cs.edit = editState();
          ctx.rerender('[data-focus="edit"]');
        } else {
          const open = () => {
            cs.notice = null;
            cs.edit = Object.assign(editState(), { open: true, draft: newDraft(kind, config) });
            ctx.rerender(firstFieldSelector(kind));
          };
          if (rules()) open();
          else loadPackage().then(open, open);
        }
      },
    },
  }, es.open ? t("edit.close") : t(`edit.open.${kind}`));

  const notice = cs.notice
    ? h("p", { class: "saved", role: "status", tabindex: "-1", dataset: { focus: "notice" } }, t(cs.notice.key, cs.notice.params))
    : null;
  if (!es.open) return { header: toggle, body: notice };

  const view = { kind, config, cs, es, ctx };
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

function firstFieldSelector(kind) {
  return kind === "environment" ? '[data-focus="timeout"]'
    : kind === "cloudCall" ? '[data-focus="grant"]'
      : '[data-focus="trigger-name"]';
}

function newDraft(kind, config) {
  if (kind === "environment") {
    // Rows by variable key (a Map: a key is server text, "__proto__" included). A function
    // without this config starts from the package's empty one.
    const timeout = config?.timeout ?? rules()?.emptyConfig(3).timeout ?? "";
    return { timeout: String(timeout), rows: new Map(), added: [] };
  }
  if (kind === "cloudCall") return { names: "" };
  const current = Array.isArray(config?.triggers) ? config.triggers[0] : null;
  return { name: current?.name ?? "", cron: current?.config ?? "" };
}

// --- sending -------------------------------------------------------------------------------

/** Asks for the changes `fields` would make (dry run) and shows them. */
async function preview(view, op, fields) {
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

/** Sends the previewed edit for real. */
async function save(view) {
  const { es, ctx } = view;
  es.error = null;
  await run(view, async () => {
    const result = await ctx.send(es.pending.op, es.pending.fields, false);
    ctx.saved(result);
    return null;
  });
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

// --- the forms -----------------------------------------------------------------------------

function formView(view) {
  const { kind } = view;
  const form = kind === "environment" ? environmentForm(view) : kind === "cloudCall" ? cloudCallForm(view) : triggerForm(view);
  return [form, view.kind === "cloudCall" ? revokeList(view) : null, view.kind === "timerTrigger" ? removeTrigger(view) : null];
}

/** The form around the fields: Preview (submit) and Cancel, the note and a refused request. */
function editForm(view, { onSubmit, submitKey }, ...fields) {
  const { es, cs, ctx } = view;
  const form = h("form", { class: "edit-form", novalidate: true },
    fields,
    es.note ? h("p", { class: "notice edit-note", role: "status" }, t(es.note)) : null,
    errorBox(es),
    busyLine(es),
    h("div", { class: "form-actions" },
      h("button", { type: "submit", disabled: es.busy, dataset: { action: "preview" } }, t(submitKey)),
      h("button", {
        type: "button", class: "secondary", disabled: es.busy, dataset: { action: "cancel" },
        on: { click: () => { cs.edit = editState(); ctx.rerender('[data-focus="edit"]'); } },
      }, t("edit.cancel"))));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!es.busy) onSubmit(form);
  });
  return form;
}

function errorBox(es) {
  if (!es.error || es.phase === "conflict" || es.phase === "uncertain") return null;
  return h("div", { tabindex: "-1", class: "edit-error", dataset: { focus: "edit-error" } }, renderError(es.error));
}

function busyLine(es) {
  if (!es.busy) return null;
  return h("p", { class: "busy", role: "status", tabindex: "-1", dataset: { focus: "busy" } },
    h("span", { class: "spinner", "aria-hidden": "true" }),
    t(es.phase === "preview" ? "edit.saving" : es.phase === "form" ? "edit.checking" : "edit.reloading"));
}

/**
 * A labelled input with its error under it. `id` names the field in `es.errors`; `attrs` go
 * on the input; `value` is set as the property (never an attribute); `onInput(value)` keeps
 * the draft. An error marked `live` is shown by another element (`describedBy`), not here.
 */
function field(view, { id, label, attrs = {}, value, onInput, hintKey, after = null, className = "field", describedBy = null }) {
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
function showToggle(input, draftRow, labelKey, key) {
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

// --- environment ---------------------------------------------------------------------------

function environmentForm(view) {
  const { es, config, ctx } = view;
  const draft = es.draft;
  const items = Array.isArray(config?.environment) ? config.environment : [];
  const rerender = (focus) => ctx.rerender(focus);

  const timeout = field(view, {
    id: "timeout", label: t("edit.timeout"), value: draft.timeout, hintKey: "edit.timeoutHint",
    attrs: { type: "number", min: "1", max: rules() ? String(rules().defaults().maxTimeout) : null, step: "1", inputmode: "numeric", class: "narrow" },
    onInput: (value) => { draft.timeout = value; },
  });

  const existing = items.map((item) => {
    if (!draft.rows.has(item.key)) draft.rows.set(item.key, { mode: "keep", value: "", shown: false });
    const row = draft.rows.get(item.key);
    const sel = (what) => `[data-focus="${CSS.escape(`${what}:${item.key}`)}"]`;
    const actions = [];
    let detail = null;
    if (row.mode === "change") {
      detail = field(view, {
        id: `value:${item.key}`, label: t("edit.newValueOf", { key: item.key }), value: row.value,
        attrs: { type: "password", class: "secret", autocomplete: "new-password" }, className: "field new-value",
        onInput: (value) => { row.value = value; },
        after: (input) => showToggle(input, row, "edit.newValue", item.key),
      });
      actions.push(smallButton("edit.keepValue", "edit.keepValueLabel", item.key, `keep:${item.key}`, es, () => {
        Object.assign(row, { mode: "keep", value: "", shown: false });
        delete es.errors[`value:${item.key}`];
        rerender(sel("change"));
      }));
    } else if (row.mode === "delete") {
      detail = h("p", { class: "will-delete" }, t("edit.willDelete"));
      actions.push(smallButton("edit.undoDelete", "edit.undoDeleteLabel", item.key, `undo:${item.key}`, es, () => {
        row.mode = "keep";
        rerender(sel("delete"));
      }));
    } else {
      actions.push(
        smallButton("edit.changeValue", "edit.changeValueLabel", item.key, `change:${item.key}`, es, () => {
          row.mode = "change";
          rerender(sel("value"));
        }),
        smallButton("edit.delete", "edit.deleteLabel", item.key, `delete:${item.key}`, es, () => {
          row.mode = "delete";
          rerender(sel("undo"));
        }));
    }
    return h("li", { class: `edit-row edit-row-${row.mode}`, dataset: { key: item.key, mode: row.mode } },
      h("div", { class: "edit-row-head" },
        h("code", { class: "wrap edit-key" }, item.key),
        h("span", { class: "masked" }, h("span", { class: "dots", "aria-hidden": "true" }, DOTS),
          h("span", { class: "visually-hidden" }, t("env.maskedNoLength"))),
        h("div", { class: "actions" }, actions)),
      detail);
  });

  const added = draft.added.map((row, index) => {
    const remove = smallButton("edit.removeRow", "edit.removeRowLabel", String(index + 1), `remove:${row.id}`, es, () => {
      draft.added = draft.added.filter((r) => r !== row);
      delete es.errors[`newKey:${row.id}`];
      rerender('[data-action="add"]');
    });
    return h("li", { class: "edit-row edit-row-new", dataset: { row: row.id } },
      h("div", { class: "new-fields" },
        field(view, {
          id: `newKey:${row.id}`, label: t("edit.newKey"), value: row.key,
          attrs: { type: "text", class: "key-input" },
          onInput: (value) => { row.key = value; },
        }),
        field(view, {
          id: `newValue:${row.id}`, label: t("edit.newValue"), value: row.value,
          attrs: { type: "password", class: "secret", autocomplete: "new-password" },
          onInput: (value) => { row.value = value; },
          after: (input) => showToggle(input, row, "edit.newValue", row.key.trim()),
        })),
      h("div", { class: "actions" }, remove));
  });

  const add = h("button", {
    type: "button", class: "secondary small", disabled: es.busy, dataset: { action: "add" },
    on: {
      click: () => {
        const row = { id: uid("new"), key: "", value: "", shown: false };
        draft.added.push(row);
        rerender(`[data-focus="${CSS.escape(`newKey:${row.id}`)}"]`);
      },
    },
  }, t("edit.addVariable"));

  return editForm(view, { submitKey: "edit.preview", onSubmit: () => submitEnvironment(view) },
    timeout,
    h("fieldset", { class: "edit-variables" },
      h("legend", {}, t("env.variables")),
      h("p", { class: "muted small-text" }, t("edit.valuesHint")),
      existing.length ? h("ul", { class: "edit-rows" }, existing) : h("p", { class: "muted" }, t("env.none")),
      added.length ? h("ul", { class: "edit-rows" }, added) : null,
      add));
}

function smallButton(textKey, labelKey, key, focus, es, onClick) {
  return h("button", {
    type: "button", class: "secondary small", "aria-label": t(labelKey, { key }), disabled: es.busy,
    dataset: { focus, action: focus.split(":")[0] }, on: { click: onClick },
  }, t(textKey));
}

function submitEnvironment(view) {
  const { es, config } = view;
  const draft = es.draft;
  const errors = {};
  const items = Array.isArray(config?.environment) ? config.environment : [];
  const pkg = rules();
  const current = config?.timeout ?? pkg?.emptyConfig(3).timeout;
  const broken = (field, value) => pkg?.checkField(3, field, value) ?? null;

  const timeoutText = draft.timeout.trim();
  const timeout = Number(timeoutText);
  if (broken("timeout", timeoutText)) errors.timeout = { key: "edit.error.timeout" };

  const set = {};
  // Defined, not assigned: a key named "__proto__" is a key like any other.
  const put = (key, value) => Object.defineProperty(set, key, { value, enumerable: true, writable: true, configurable: true });
  const unset = [];
  for (const item of items) {
    const row = draft.rows.get(item.key);
    if (row?.mode === "change") {
      if (row.value === "") errors[`value:${item.key}`] = { key: "edit.error.valueRequired" };
      else put(item.key, row.value);
    } else if (row?.mode === "delete") {
      unset.push(item.key);
    }
  }
  const existingKeys = new Set(items.map((item) => item.key));
  const seen = new Set();
  for (const row of draft.added) {
    const key = row.key.trim();
    if (key === "" && row.value === "") continue;
    const id = `newKey:${row.id}`;
    const keyBroken = broken("key", key);
    if (keyBroken) errors[id] = { key: keyBroken.code === "required" ? "edit.error.keyRequired" : "edit.error.key" };
    else if (existingKeys.has(key)) errors[id] = { key: "edit.error.keyExists", params: { key } };
    else if (seen.has(key)) errors[id] = { key: "edit.error.keyRepeated", params: { key } };
    else put(key, row.value);
    seen.add(key);
  }

  const fields = {};
  if (Object.keys(set).length) fields.set = set;
  if (unset.length) fields.unset = unset;
  if (!errors.timeout && timeout !== current) fields.timeout = timeout;
  if (!check(view, errors)) return;
  if (Object.keys(fields).length === 0) {
    nothingToChange(view);
    return;
  }
  preview(view, "environment", fields);
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

// --- cloud-call permissions ----------------------------------------------------------------

function cloudCallForm(view) {
  const { es } = view;
  return editForm(view, { submitKey: "edit.previewGrant", onSubmit: () => submitGrant(view) },
    field(view, {
      id: "grant", label: t("edit.grant"), value: es.draft.names, hintKey: "edit.grantHint",
      attrs: { type: "text", placeholder: "wxacode.getUnlimited, subscribeMessage.send" },
      onInput: (value) => { es.draft.names = value; },
    }));
}

function submitGrant(view) {
  const names = [...new Set(view.es.draft.names.split(/[\s,，、;；]+/).filter(Boolean))];
  const bad = names.filter((name) => rules()?.checkField(1, "openapi", name));
  const errors = {};
  if (names.length === 0) errors.grant = { key: "edit.error.namesRequired" };
  else if (bad.length) errors.grant = { key: "edit.error.names", params: { names: bad.join(", ") } };
  if (!check(view, errors)) return;
  preview(view, "grant", { names });
}

function revokeList(view) {
  const { es, config } = view;
  const names = Array.isArray(config?.openapi) ? config.openapi : [];
  if (names.length === 0) return null;
  const headingId = uid("revoke");
  return h("div", { class: "edit-revoke" },
    h("h5", { id: headingId }, t("edit.revokeTitle")),
    h("ul", { class: "edit-rows", "aria-labelledby": headingId }, names.map((name) =>
      h("li", { class: "edit-row", dataset: { name } },
        h("div", { class: "edit-row-head" },
          h("code", { class: "wrap edit-key" }, name),
          h("div", { class: "actions" },
            h("button", {
              type: "button", class: "secondary small", disabled: es.busy, "aria-label": t("edit.revokeLabel", { name }),
              dataset: { action: "revoke" },
              on: { click: () => { es.errors = {}; preview(view, "revoke", { names: [name] }); } },
            }, t("edit.revoke"))))))));
}

// --- timer trigger -------------------------------------------------------------------------

function triggerForm(view) {
  const { es, config } = view;
  const draft = es.draft;
  const liveId = uid("cron-live");
  const live = h("div", { id: liveId, class: "cron-live", "aria-live": "polite", dataset: { live: "cron" } });
  const cronField = field(view, {
    id: "trigger-cron", label: t("edit.triggerCron"), value: draft.cron, hintKey: "edit.cronHint", describedBy: liveId,
    attrs: { type: "text", class: "cron-input", placeholder: "0 0 2 * * * *" },
    onInput: (value) => {
      draft.cron = value;
      explain(live, value, cronInput);
    },
  });
  const cronInput = cronField.querySelector("input");
  explain(live, draft.cron, cronInput);
  if (!rules()) {
    loadPackage().then(() => live.isConnected && explain(live, draft.cron, cronInput), () => {
      if (live.isConnected) live.replaceChildren();
    });
  }
  const hasTrigger = Array.isArray(config?.triggers) && config.triggers.length > 0;
  return editForm(view, { submitKey: "edit.previewTrigger", onSubmit: () => submitTrigger(view) },
    hasTrigger ? h("p", { class: "muted small-text" }, t("edit.oneTrigger")) : null,
    field(view, {
      id: "trigger-name", label: t("edit.triggerName"), value: draft.name, hintKey: "edit.triggerNameHint",
      attrs: { type: "text" },
      onInput: (value) => { draft.name = value; },
    }),
    cronField,
    live);
}

/** The expression's meaning and next runs as it is typed, or why it is not understood. */
function explain(live, expression, input) {
  const cron = rules();
  const text = expression.trim();
  if (!text) {
    live.replaceChildren();
    return;
  }
  if (!cron) {
    live.replaceChildren(h("p", { class: "muted small-text" }, t("edit.cronLoading")));
    return;
  }
  try {
    const parsed = cron.parseCron(text);
    const runs = cron.nextRuns(text, { count: LIVE_RUNS });
    const explanation = language() === "zh-CN" ? parsed.explanation.zh : parsed.explanation.en;
    input.removeAttribute("aria-invalid");
    live.replaceChildren(
      h("p", { class: "explanation wrap", dataset: { state: "ok" } }, explanation),
      runs.length
        ? h("p", { class: "muted small-text next-runs" }, t("timeline.nextRuns"), " ",
          runs.map((iso, i) => [i ? ", " : "", h("time", { datetime: iso, class: "nowrap" }, formatRun(iso))]))
        : h("p", { class: "muted small-text" }, t("timer.noNextRun")));
  } catch (error) {
    input.setAttribute("aria-invalid", "true");
    live.replaceChildren(h("p", { class: "schedule-error wrap", dataset: { state: "invalid" } },
      t("timer.scheduleError", { reason: error?.message ?? String(error) })));
  }
}

function submitTrigger(view) {
  const { es } = view;
  const name = es.draft.name.trim();
  const expression = es.draft.cron.trim();
  const errors = {};
  const pkg = rules();
  const nameBroken = pkg?.checkField(2, "name", name);
  if (nameBroken) errors["trigger-name"] = { key: nameBroken.code === "required" ? "edit.error.triggerNameRequired" : "edit.error.triggerName" };
  const cronBroken = pkg?.checkField(2, "config", expression);
  if (cronBroken?.code === "required") {
    errors["trigger-cron"] = { key: "edit.error.cronRequired" };
  } else if (cronBroken) {
    // Said by the line under the field, which follows what is typed.
    errors["trigger-cron"] = { key: "timer.scheduleError", params: { reason: cronBroken.message }, live: true };
  }
  if (!check(view, errors)) return;
  preview(view, "trigger", { name, config: expression });
}

function removeTrigger(view) {
  const { es, config } = view;
  const triggers = Array.isArray(config?.triggers) ? config.triggers : [];
  if (triggers.length === 0) return null;
  return h("div", { class: "edit-revoke" },
    h("h5", {}, t("edit.removeTitle")),
    h("ul", { class: "edit-rows" }, triggers.map((trigger) =>
      h("li", { class: "edit-row", dataset: { name: trigger.name } },
        h("div", { class: "edit-row-head" },
          h("span", { class: "wrap edit-key" }, trigger.name),
          h("code", { class: "cron wrap" }, trigger.config),
          h("div", { class: "actions" },
            h("button", {
              type: "button", class: "secondary small", disabled: es.busy,
              "aria-label": t("edit.removeTriggerLabel", { name: trigger.name }), dataset: { action: "remove-trigger" },
              on: { click: () => { es.errors = {}; preview(view, "triggerRemove", {}); } },
            }, t("edit.removeTrigger"))))))));
}

// --- preview, conflict, uncertain outcome --------------------------------------------------

function previewView(view) {
  const { es, ctx } = view;
  const back = () => {
    es.phase = "form";
    es.changes = null;
    es.pending = null;
    es.error = null;
    ctx.rerender('[data-action="preview"]');
  };
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
    es.error ? h("div", { tabindex: "-1", class: "edit-error", dataset: { focus: "edit-error" } }, renderError(es.error)) : null,
    busyLine(es),
    h("div", { class: "form-actions" },
      h("button", { type: "button", disabled: es.busy, dataset: { action: "save" }, on: { click: () => save(view) } }, t("edit.save")),
      h("button", { type: "button", class: "secondary", disabled: es.busy, dataset: { action: "cancel-preview" }, on: { click: back } },
        t("edit.cancel"))));
}

function reloadButton(view) {
  const { es, ctx } = view;
  return h("button", {
    type: "button", disabled: es.busy, dataset: { action: "reload" },
    on: {
      click: () => {
        es.busy = true;
        ctx.reload();
      },
    },
  }, t("edit.reload"));
}

function conflictView(view) {
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
    ? h("div", { class: "side-by-side" },
      configSummary(kind, expected, { title: t("edit.conflict.yours"), side: "before", changes }),
      configSummary(kind, error.actual, { title: t("edit.conflict.theirs"), side: "after", changes }))
    : null;
  return h("div", { class: "conflict", role: "alert", "aria-labelledby": headingId, dataset: { state: "conflict" } },
    h("h5", { id: headingId, tabindex: "-1", dataset: { focus: "conflict" } }, t("edit.conflict.title")),
    h("p", {}, t("edit.conflict.body")),
    versions,
    h("h6", {}, t("edit.conflict.changes")),
    changeList(changes ?? [], { emptyKey: sure ? "edit.conflict.noChanges" : "edit.conflict.hiddenOnly" }),
    sure ? null : h("p", { class: "muted small-text" }, t("edit.conflict.hiddenNote")),
    errorBoxAlways(es),
    busyLine(es),
    h("div", { class: "form-actions" }, reloadButton(view)));
}

function uncertainView(view) {
  const { kind, es } = view;
  const error = es.error;
  const code = error.code;
  let versions = null;
  if (code === "unverified" && Object.hasOwn(error, "expected") && Object.hasOwn(error, "actual")) {
    const changes = error.changes ?? localChanges(kind, error.expected, error.actual).changes;
    versions = [
      h("div", { class: "side-by-side" },
        configSummary(kind, error.expected, { title: t("edit.unverified.written"), side: "before", changes }),
        configSummary(kind, error.actual, { title: t("edit.unverified.readBack"), side: "after", changes })),
      h("h6", {}, t("edit.unverified.changes")),
      changeList(changes, { emptyKey: "edit.conflict.noChanges" }),
    ];
  }
  return h("div", { class: "uncertain", dataset: { state: code } },
    h("p", { class: "notice", tabindex: "-1", dataset: { focus: "uncertain" } }, t(`edit.${code}.body`)),
    renderError(error),
    versions,
    errorBoxAlways(es),
    busyLine(es),
    h("div", { class: "form-actions" }, reloadButton(view)));
}

/** A failed reload, shown in the conflict and uncertain panels. */
function errorBoxAlways(es) {
  return es.reloadError ? renderError(es.reloadError) : null;
}
