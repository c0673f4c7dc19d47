// The editor's forms, one per kind: the timeout and variables of the environment, the
// permissions to grant (and those to revoke), the timer trigger with its schedule explained as
// it is typed (and the trigger to remove). Each input keeps the draft; Preview checks it.

import { h, uid } from "./dom.js";
import { language, t } from "./i18n.js";
import { masked } from "./changes.js";
import { loadPackage, packageModule } from "./package.js";
import { formatRun } from "./timeline.js";
import { newRow } from "./edit-model.js";
import { previewRemoval, submit } from "./edit-actions.js";
import { editForm, field, removalList, showToggle, smallButton } from "./edit-parts.js";

/** How many next runs the trigger editor lists under the expression. */
const LIVE_RUNS = 3;

/** The form of the editor in `view` (see edit-actions.js), with its list of what can be removed. */
export function formView(view) {
  const { kind } = view;
  if (kind === "environment") return environmentForm(view);
  if (kind === "cloudCall") return [cloudCallForm(view), revokeList(view)];
  return [triggerForm(view), removeTrigger(view)];
}

// --- environment ---------------------------------------------------------------------------

function environmentForm(view) {
  const { es, config, ctx } = view;
  const draft = es.draft;
  const items = Array.isArray(config?.environment) ? config.environment : [];
  const rerender = (focus) => ctx.rerender(focus);
  const pkg = packageModule();

  const timeout = field(view, {
    id: "timeout", label: t("edit.timeout"), value: draft.timeout, hintKey: "edit.timeoutHint",
    attrs: { type: "number", min: "1", max: pkg ? String(pkg.defaults().maxTimeout) : null, step: "1", inputmode: "numeric", class: "narrow" },
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
        masked(),
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
        const row = newRow(uid("new"));
        draft.added.push(row);
        rerender(`[data-focus="${CSS.escape(`newKey:${row.id}`)}"]`);
      },
    },
  }, t("edit.addVariable"));

  return editForm(view, { submitKey: "edit.preview", onSubmit: () => submit(view) },
    timeout,
    h("fieldset", { class: "edit-variables" },
      h("legend", {}, t("env.variables")),
      h("p", { class: "muted small-text" }, t("edit.valuesHint")),
      existing.length ? h("ul", { class: "edit-rows" }, existing) : h("p", { class: "muted" }, t("env.none")),
      added.length ? h("ul", { class: "edit-rows" }, added) : null,
      add));
}

// --- cloud-call permissions ----------------------------------------------------------------

function cloudCallForm(view) {
  const { es } = view;
  return editForm(view, { submitKey: "edit.previewGrant", onSubmit: () => submit(view) },
    field(view, {
      id: "grant", label: t("edit.grant"), value: es.draft.names, hintKey: "edit.grantHint",
      attrs: { type: "text", placeholder: "wxacode.getUnlimited, subscribeMessage.send" },
      onInput: (value) => { es.draft.names = value; },
    }));
}

function revokeList(view) {
  const { es, config } = view;
  const names = Array.isArray(config?.openapi) ? config.openapi : [];
  if (names.length === 0) return null;
  return removalList({ title: t("edit.revokeTitle"), headingId: uid("revoke") }, names.map((name) => ({
    name,
    content: h("code", { class: "wrap edit-key" }, name),
    button: h("button", {
      type: "button", class: "secondary small", disabled: es.busy, "aria-label": t("edit.revokeLabel", { name }),
      dataset: { action: "revoke" },
      on: { click: () => previewRemoval(view, "revoke", { names: [name] }) },
    }, t("edit.revoke")),
  })));
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
  if (!packageModule()) {
    loadPackage().then(() => live.isConnected && explain(live, draft.cron, cronInput), () => {
      if (live.isConnected) live.replaceChildren();
    });
  }
  const hasTrigger = Array.isArray(config?.triggers) && config.triggers.length > 0;
  return editForm(view, { submitKey: "edit.previewTrigger", onSubmit: () => submit(view) },
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
  const cron = packageModule();
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

function removeTrigger(view) {
  const { es, config } = view;
  const triggers = Array.isArray(config?.triggers) ? config.triggers : [];
  if (triggers.length === 0) return null;
  return removalList({ title: t("edit.removeTitle") }, triggers.map((trigger) => ({
    name: trigger.name,
    content: [h("span", { class: "wrap edit-key" }, trigger.name), h("code", { class: "cron wrap" }, trigger.config)],
    button: h("button", {
      type: "button", class: "secondary small", disabled: es.busy,
      "aria-label": t("edit.removeTriggerLabel", { name: trigger.name }), dataset: { action: "remove-trigger" },
      on: { click: () => previewRemoval(view, "triggerRemove", {}) },
    }, t("edit.removeTrigger")),
  })));
}
