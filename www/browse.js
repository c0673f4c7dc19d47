// The function list of an environment (a page at a time) and the compare view's result.

import { busyLine, h } from "./dom.js";
import { t } from "./i18n.js";
import { changeList, configSummary } from "./changes.js";
import { renderError } from "./render.js";
import { KINDS, PAGE_SIZE } from "./source.js";

const ZONE = 8 * 3_600_000;

/**
 * The list in `browse` (`{env, offset, shownOffset, total, functions, error, busy}`).
 * `ctx`: `{ chosen (the function shown below, or null), page(offset, "prev" | "next"),
 * choose(name) }`.
 */
export function functionList(browse, ctx) {
  const { functions, total, busy, error } = browse;
  const parts = [];
  if (busy) {
    parts.push(busyLine(t("browse.loading"), { role: "status" }));
  }
  if (error) parts.push(renderError(error));
  if (!busy && !error && functions.length === 0) {
    parts.push(h("p", { class: "muted", dataset: { state: "empty" } }, t("browse.none")));
  }
  if (functions.length === 0) return parts;

  const from = browse.shownOffset + 1;
  const to = browse.shownOffset + functions.length;
  const labels = [t("browse.name"), t("browse.runtime"), t("browse.status"), t("browse.modified")];
  parts.push(h("table", { class: "data stack functions-table" },
    h("caption", {}, t("browse.range", { from, to, total })),
    h("thead", {}, h("tr", {}, labels.map((label) => h("th", { scope: "col" }, label)))),
    h("tbody", {}, functions.map((fn) =>
      h("tr", { dataset: { name: fn.name } },
        h("th", { scope: "row", "data-label": labels[0] },
          h("button", {
            type: "button", class: "link fn-name", disabled: busy,
            "aria-current": ctx.chosen === fn.name ? "true" : null,
            dataset: { function: fn.name }, on: { click: () => ctx.choose(fn.name) },
          }, fn.name)),
        h("td", { "data-label": labels[1] }, text(fn.runtime)),
        h("td", { "data-label": labels[2] }, text(fn.status)),
        h("td", { "data-label": labels[3] }, text(formatTime(fn.modTime))))))));

  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const page = Math.floor(browse.shownOffset / PAGE_SIZE) + 1;
  const hasPrev = browse.shownOffset > 0;
  const hasNext = browse.shownOffset + PAGE_SIZE < total;
  if (hasPrev || hasNext) {
    parts.push(h("nav", { class: "pager", "aria-label": t("browse.pages") },
      h("button", {
        type: "button", class: "secondary small", disabled: busy || !hasPrev, dataset: { action: "prev" },
        on: { click: () => ctx.page(Math.max(0, browse.shownOffset - PAGE_SIZE), "prev") },
      }, t("browse.prev")),
      h("span", { class: "muted small-text" }, t("browse.page", { page, pages })),
      h("button", {
        type: "button", class: "secondary small", disabled: busy || !hasNext, dataset: { action: "next" },
        on: { click: () => ctx.page(browse.shownOffset + PAGE_SIZE, "next") },
      }, t("browse.next"))));
  }
  return parts;
}

function text(value) {
  return value === null || value === undefined || value === ""
    ? h("span", { class: "muted" }, h("span", { "aria-hidden": "true" }, "—"), h("span", { class: "visually-hidden" }, t("browse.unknown")))
    : h("span", { class: "wrap" }, String(value));
}

/**
 * A function's time as WeChat gave it: a number (seconds or milliseconds since the epoch) is
 * written in UTC+8 as `YYYY-MM-DD HH:MM:SS`; a string is shown as it is.
 */
export function formatTime(value) {
  if (value === null || value === undefined || value === "") return null;
  const number = typeof value === "number" ? value : /^\d+$/.test(String(value).trim()) ? Number(value) : NaN;
  if (!Number.isFinite(number)) return String(value);
  const ms = number < 1e11 ? number * 1000 : number;
  const date = new Date(ms + ZONE);
  if (Number.isNaN(date.getTime())) return String(value);
  return date.toISOString().slice(0, 19).replace("T", " ");
}

/** The compare view's result: `compare` is `{query, result | error}`. */
export function compareView(compare, { typeLabel }) {
  const { query } = compare;
  const heading = h("h2", { class: "results-heading", tabindex: "-1" },
    t("compare.heading", { functionName: query.functionName, envA: query.envA, envB: query.envB }));
  const type = h("p", { class: "muted" }, typeLabel(query.type));
  if (compare.error) return [heading, type, renderError(compare.error)];
  const { a, b, changes } = compare.result;
  const kind = KINDS[query.type];
  return [
    heading,
    type,
    h("div", { class: "side-by-side compare" },
      configSummary(kind, a, { title: t("compare.side", { side: "A", env: query.envA }), side: "before", changes, level: "h3" }),
      configSummary(kind, b, { title: t("compare.side", { side: "B", env: query.envB }), side: "after", changes, level: "h3" })),
    h("section", { class: "panel compare-changes", "aria-labelledby": "compare-changes-title" },
      h("h3", { id: "compare-changes-title" }, t("compare.changes", { envA: query.envA, envB: query.envB })),
      changeList(changes, { emptyKey: "compare.same" })),
  ];
}
