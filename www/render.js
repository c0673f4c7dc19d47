// Builds the result cards from the typed config objects. Every card keeps its own view state
// (filter text, raw JSON open, revealed values) in a plain object owned by the model, so a
// language switch can rebuild the cards without losing what the user did.

import { DOTS, h, replaceChildren, uid } from "./dom.js";
import { historyButton } from "./history.js";
import { has, t } from "./i18n.js";
import { TYPE_OF } from "./source.js";
import { triggerSchedule } from "./timeline.js";

/**
 * The card for one kind: its config, or the neutral "not configured" card for `null`.
 * `ctx`: `{ canReveal, reveal(index) → Promise<string> (the clear value of environment row
 * `index`), announce(text), extra? }`; `extra` (`{header, body}`, the edit controls) goes at
 * the end of the card's header and of its body.
 */
export function renderCard(kind, config, state, ctx) {
  const extra = ctx.extra ?? { header: null, body: null };
  if (config === null) return notConfiguredCard(kind, extra);
  const body =
    kind === "cloudCall" ? cloudCallBody(config, state)
      : kind === "timerTrigger" ? timerTriggerBody(config)
        : environmentBody(config, state, ctx);
  return card(kind, "card", [body, rawToggle(config, state), extra.body], extra.header, historyButton(kind, config));
}

function card(kind, className, children, ...extraHeader) {
  const titleId = uid("card-title");
  return h("section", { class: className, "aria-labelledby": titleId, dataset: { kind } },
    h("header", { class: "card-header" },
      h("h3", { id: titleId }, t(`kind.${kind}`)),
      h("span", { class: "badge badge-type" }, t("kind.type", { type: TYPE_OF[kind] })),
      extraHeader),
    children);
}

function notConfiguredCard(kind, extra) {
  return card(kind, "card card-neutral", [h("p", { class: "muted" }, t("notConfigured.body")), extra.body],
    h("span", { class: "badge badge-neutral", dataset: { state: "not-configured" } }, t("notConfigured.title")),
    extra.header);
}

// --- type 1: cloud-call permissions --------------------------------------------------------

function cloudCallBody(config, state) {
  const names = Array.isArray(config.openapi) ? config.openapi : [];
  if (names.length === 0) return h("p", { class: "muted" }, t("cloudCall.none"));
  const inputId = uid("filter");
  const countId = uid("count");
  const list = h("ul", { class: "api-list" });
  const count = h("p", { class: "muted count", id: countId, "aria-live": "polite" });
  const empty = h("p", { class: "muted", hidden: true }, t("cloudCall.noMatch"));
  const input = h("input", {
    type: "search", id: inputId, class: "filter", autocomplete: "off", spellcheck: "false",
    "aria-describedby": countId,
    on: { input: () => { state.filter = input.value; update(); } },
  });
  input.value = state.filter;

  function update() {
    const needle = state.filter.trim().toLowerCase();
    const shown = needle ? names.filter((name) => name.toLowerCase().includes(needle)) : names;
    replaceChildren(list, shown.map((name) => h("li", {}, apiName(name))));
    count.textContent = t("cloudCall.count", { shown: shown.length, total: names.length });
    empty.hidden = shown.length > 0;
  }
  update();

  return [
    h("div", { class: "field field-inline" }, h("label", { for: inputId }, t("cloudCall.filter")), input),
    count, list, empty,
  ];
}

/** `category.method` with the category de-emphasised; any other text as it is. */
function apiName(name) {
  const dot = name.indexOf(".");
  if (dot <= 0) return h("code", {}, name);
  return h("code", {}, h("span", { class: "api-category" }, name.slice(0, dot + 1)), name.slice(dot + 1));
}

// --- type 2: timer triggers ----------------------------------------------------------------

function timerTriggerBody(config) {
  const triggers = Array.isArray(config.triggers) ? config.triggers : [];
  if (triggers.length === 0) return h("p", { class: "muted" }, t("timer.none"));
  const labels = [t("timer.name"), t("timer.type"), t("timer.cron")];
  return [
    h("table", { class: "data stack" },
      h("caption", {}, t("timer.caption")),
      h("thead", {}, h("tr", {}, labels.map((label) => h("th", { scope: "col" }, label)))),
      h("tbody", {}, triggers.map((trigger) =>
        h("tr", {},
          h("th", { scope: "row", "data-label": labels[0] }, h("span", { class: "wrap" }, trigger.name)),
          h("td", { "data-label": labels[1] }, h("span", { class: "wrap" }, trigger.type)),
          h("td", { "data-label": labels[2] }, h("code", { class: "cron" }, trigger.config)))))),
    // Under the table, each trigger's schedule: what it means and its next 7 days.
    triggers.map((trigger) => triggerSchedule(trigger)),
  ];
}

// --- type 3: environment -------------------------------------------------------------------

function environmentBody(config, state, ctx) {
  const items = Array.isArray(config.environment) ? config.environment : [];
  const timeout = h("dl", { class: "facts" },
    h("div", {}, h("dt", {}, t("env.timeout")), h("dd", {}, t("env.seconds", { n: config.timeout }))));
  if (items.length === 0) return [timeout, h("p", { class: "muted" }, t("env.none"))];

  // A viewer of masked values has nothing to do with a row: no actions column then.
  const withActions = ctx.canReveal || items.some((item) => !item.masked);
  const labels = [t("env.key"), t("env.value"), t("env.actions")];
  const columns = withActions ? labels : labels.slice(0, 2);
  const errorBox = h("div", { class: "row-error" });
  const showError = (error) => {
    state.revealError = error;
    replaceChildren(errorBox, error ? renderError(error) : null);
  };
  showError(state.revealError);
  const rows = items.map((item, index) => {
    const row = h("tr", { dataset: { key: item.key } });
    const rowView = { item, index, labels, withActions, state, ctx, row, showError };
    rowView.refill = () => replaceChildren(row, ...rowCells(rowView));
    rowView.refill();
    return row;
  });

  return [
    timeout,
    h("table", { class: "data stack env-table" },
      h("caption", {}, t("env.variables")),
      h("thead", {}, h("tr", {}, columns.map((label) => h("th", { scope: "col" }, label)))),
      h("tbody", {}, rows)),
    errorBox,
  ];
}

/** The cells of one variable's row; `refill()` rebuilds them after a reveal or hide. */
function rowCells({ item, index, labels, withActions, state, ctx, row, showError, refill }) {
  const revealed = state.revealed.has(index);
  const clear = revealed ? state.revealed.get(index) : item.masked ? null : item.value;

  let valueCell;
  if (clear !== null && clear !== undefined) {
    valueCell = h("code", { class: "value wrap" }, clear);
  } else {
    const length = Number.isInteger(item.length) ? item.length : null;
    valueCell = h("span", { class: "masked" },
      h("span", { class: "dots", "aria-hidden": "true" }, DOTS),
      length === null ? null : h("span", { class: "length", "aria-hidden": "true" }, t("env.chars", { n: length })),
      h("span", { class: "visually-hidden" }, length === null ? t("env.maskedNoLength") : t("env.masked", { n: length })));
  }

  const actions = [];
  if (item.masked && ctx.canReveal) {
    const button = h("button", {
      type: "button", class: "small secondary",
      "aria-label": revealed ? t("env.hideLabel", { key: item.key }) : t("env.revealLabel", { key: item.key }),
      dataset: { action: revealed ? "hide" : "reveal" },
    }, revealed ? t("env.hide") : t("env.reveal"));
    button.addEventListener("click", async () => {
      if (state.revealed.has(index)) {
        state.revealed.delete(index);
        refill();
        return;
      }
      button.disabled = true;
      button.textContent = t("env.revealing");
      row.setAttribute("aria-busy", "true");
      showError(null);
      try {
        state.revealed.set(index, await ctx.reveal(index));
      } catch (error) {
        showError(error);
      } finally {
        row.removeAttribute("aria-busy");
      }
      refill();
      // Keep keyboard focus on the row's button after it was rebuilt.
      row.querySelector("button[data-action]")?.focus();
    });
    actions.push(button);
  }
  if (clear !== null && clear !== undefined) {
    const copy = h("button", {
      type: "button", class: "small secondary", dataset: { action: "copy" },
      "aria-label": t("env.copyLabel", { key: item.key }),
    }, t("env.copy"));
    copy.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(clear);
        copy.textContent = t("env.copied");
        ctx.announce(t("env.copiedStatus", { key: item.key }));
      } catch {
        copy.textContent = t("env.copyFailed");
        ctx.announce(t("env.copyFailed"));
      }
    });
    actions.push(copy);
  }

  return [
    h("th", { scope: "row", "data-label": labels[0] }, h("code", { class: "wrap" }, item.key)),
    h("td", { "data-label": labels[1] }, valueCell),
    withActions ? h("td", { "data-label": labels[2] }, h("div", { class: "actions" }, actions)) : null,
  ];
}

// --- raw JSON ------------------------------------------------------------------------------

function rawToggle(config, state) {
  if (typeof config.raw !== "string") return null;
  const preId = uid("raw");
  let pretty = config.raw;
  let parsed = false;
  try {
    pretty = JSON.stringify(JSON.parse(config.raw), null, 2);
    parsed = true;
  } catch {
    // Shown exactly as received, with a note.
  }
  const panel = h("div", { id: preId, class: "raw", hidden: !state.rawOpen },
    config.rawMasked ? h("p", { class: "muted" }, t("raw.masked")) : null,
    parsed ? null : h("p", { class: "muted" }, t("raw.notJson")),
    h("pre", { tabindex: "0" }, h("code", {}, pretty)));
  const button = h("button", { type: "button", class: "secondary small", "aria-controls": preId,
    "aria-expanded": String(state.rawOpen), dataset: { action: "raw" } });
  const label = () => {
    button.textContent = state.rawOpen ? t("raw.hide") : t("raw.show");
    button.setAttribute("aria-expanded", String(state.rawOpen));
    panel.hidden = !state.rawOpen;
  };
  button.addEventListener("click", () => {
    state.rawOpen = !state.rawOpen;
    label();
  });
  label();
  return h("div", { class: "raw-toggle" }, button, panel);
}

// --- errors --------------------------------------------------------------------------------

/** An error as a person reads it: what happened, what to do, and the codes for support. */
export function renderError(error) {
  const code = String(error?.code ?? "unknown");
  const errcode = error?.errcode;
  const explanation =
    errcode !== undefined && has(`errcode.${errcode}`) ? t(`errcode.${errcode}`)
      : has(`error.code.${code}`) ? t(`error.code.${code}`)
        : t("error.title");
  const facts = [
    ["error.hint", error?.hint],
    ["error.code", code],
    ["error.errcode", errcode],
    ["error.errmsg", error?.errmsg],
    ["error.httpStatus", error?.httpStatus],
    ["error.retryable", typeof error?.retryable === "boolean" ? t(error.retryable ? "error.retryableYes" : "error.retryableNo") : undefined],
  ].filter(([, value]) => value !== undefined && value !== null && value !== "");
  return h("div", { class: "error-box", role: "alert", dataset: { code, errcode: errcode ?? "" } },
    h("p", { class: "error-title" }, h("strong", {}, t("error.title")), " ", explanation),
    h("dl", { class: "facts" }, facts.map(([key, value]) =>
      h("div", { dataset: { fact: key.slice("error.".length) } }, h("dt", {}, t(key)), h("dd", {}, String(value))))));
}
