// How a difference between two configs is shown: the change list (added / removed / changed)
// and a config side by side with another, its entries marked by the change that touches them.
// Used by the edit preview, the conflict panel and the compare view. Environment values are
// never shown: the server sends them masked, and the page shows dots whatever it receives.

import { DOTS, h } from "./dom.js";
import { t } from "./i18n.js";

const OPS = ["added", "removed", "changed"];
const FIELDS = ["openapi", "triggers", "timeout", "environment"];
/** The marks beside an entry, for those who do not see the colours. */
const SIGNS = { added: "+", removed: "−", changed: "~" };

/** The changes that are well formed, in the order the server gave them. */
export function validChanges(changes) {
  return (Array.isArray(changes) ? changes : []).filter((c) =>
    c && OPS.includes(c.op) && FIELDS.includes(c.field) && typeof c.key === "string");
}

/** The change list, or `emptyKey`'s text when there is no change. */
export function changeList(changes, { emptyKey = "changes.none" } = {}) {
  const list = validChanges(changes);
  if (list.length === 0) return h("p", { class: "muted changes-none" }, t(emptyKey));
  return h("ul", { class: "changes" }, list.map((change) =>
    h("li", { class: `change change-${change.op}`, dataset: { op: change.op, field: change.field, key: change.key } },
      h("span", { class: "change-sign", "aria-hidden": "true" }, SIGNS[change.op]),
      h("span", { class: "change-op" }, t(`changes.op.${change.op}`)),
      " ",
      h("span", { class: "change-field" }, t(`changes.field.${change.field}`)),
      " ",
      h("code", { class: "change-key wrap" }, change.field === "timeout" ? t("env.timeout") : change.key),
      values(change))));
}

/** `: before → after` as far as the change has them; environment values as dots. */
function values(change) {
  if (change.field === "openapi") return null;
  const show = (value) => {
    if (value === undefined || value === null) return null;
    if (change.field === "environment") return masked();
    if (change.field === "timeout") return h("span", { class: "change-value" }, t("env.seconds", { n: value }));
    return h("code", { class: "change-value wrap" }, String(value));
  };
  const before = change.op === "added" ? null : show(change.before);
  const after = change.op === "removed" ? null : show(change.after);
  if (!before && !after) return null;
  return h("span", { class: "change-values" }, ": ", before,
    before && after ? h("span", { class: "arrow" }, " → ") : null,
    after);
}

/** A hidden value: the dots, and what they mean for screen readers. */
export function masked() {
  return h("span", { class: "masked" },
    h("span", { class: "dots", "aria-hidden": "true" }, DOTS),
    h("span", { class: "visually-hidden" }, t("env.maskedNoLength")));
}

/**
 * One config as a compact list, for a side-by-side view. `side` is "before" (entries removed
 * or changed by `changes` are marked) or "after" (entries added or changed are marked).
 * `title` heads it (a `level` heading); `null` config shows "Not configured".
 */
export function configSummary(kind, config, { title, side, changes = [], level = "h6" }) {
  const marks = new Map();
  for (const change of validChanges(changes)) {
    const mine = change.op === "changed" || (side === "before" ? change.op === "removed" : change.op === "added");
    if (mine) marks.set(`${change.field}\u0000${change.key}`, change.op);
  }
  const mark = (field, key) => marks.get(`${field}\u0000${key}`) ?? null;
  const entry = (field, key, ...content) => {
    const op = mark(field, key);
    return h("li", { class: op ? `entry diff-${op}` : "entry", dataset: { key, ...(op ? { op } : {}) } },
      op ? h("span", { class: "change-sign", "aria-hidden": "true" }, SIGNS[op]) : null,
      content,
      op ? h("span", { class: "visually-hidden" }, ` (${t(`changes.op.${op}`)})`) : null);
  };

  let body;
  if (config === null || config === undefined) {
    body = h("p", { class: "muted", dataset: { state: "not-configured" } }, t("notConfigured.title"));
  } else if (kind === "cloudCall") {
    const names = Array.isArray(config.openapi) ? config.openapi : [];
    body = names.length
      ? h("ul", { class: "summary-list" }, names.map((name) => entry("openapi", name, h("code", { class: "wrap" }, name))))
      : h("p", { class: "muted" }, t("cloudCall.none"));
  } else if (kind === "timerTrigger") {
    const triggers = Array.isArray(config.triggers) ? config.triggers : [];
    body = triggers.length
      ? h("ul", { class: "summary-list" }, triggers.map((trigger) => entry("triggers", trigger.name,
        h("span", { class: "wrap summary-name" }, trigger.name), " ", h("code", { class: "cron wrap" }, trigger.config))))
      : h("p", { class: "muted" }, t("timer.none"));
  } else {
    const items = Array.isArray(config.environment) ? config.environment : [];
    const timeoutMark = mark("timeout", "timeout");
    body = [
      h("p", { class: timeoutMark ? `summary-timeout diff-${timeoutMark}` : "summary-timeout", dataset: { key: "timeout" } },
        timeoutMark ? h("span", { class: "change-sign", "aria-hidden": "true" }, SIGNS[timeoutMark]) : null,
        t("env.timeout"), ": ", t("env.seconds", { n: config.timeout })),
      items.length
        ? h("ul", { class: "summary-list" }, items.map((item) =>
          entry("environment", item.key, h("code", { class: "wrap" }, item.key), " = ", masked())))
        : h("p", { class: "muted" }, t("env.none")),
    ];
  }
  const version = config && typeof config.version === "string" ? config.version : null;
  return h("section", { class: "summary", dataset: { side } },
    h(level, { class: "summary-title" }, title),
    version ? h("p", { class: "muted small-text version" }, t("version.label"), " ", h("code", { class: "wrap" }, version)) : null,
    body);
}

/**
 * The changes from `a` to `b` (configs of `kind` as the page has them, environment values
 * masked; `null` is empty), for when the server did not send them. Like the package's diff:
 * removed and changed entries in `a`'s order, then added ones in `b`'s. A masked value counts
 * as changed only when its length changed; `sure` says whether every change could be seen.
 */
export function localChanges(kind, a, b) {
  const changes = [];
  let sure = true;
  const pairs = (config) => {
    if (!config) return [];
    if (kind === "cloudCall") return (config.openapi ?? []).map((name) => ({ field: "openapi", key: name }));
    if (kind === "timerTrigger") {
      return (config.triggers ?? []).map((trigger) => ({ field: "triggers", key: trigger.name, value: trigger.config }));
    }
    return [
      { field: "timeout", key: "timeout", value: String(config.timeout) },
      ...(config.environment ?? []).map((item) => ({ field: "environment", key: item.key, item })),
    ];
  };
  const before = pairs(a);
  const after = pairs(b);
  const find = (list, entry) => list.find((other) => other.field === entry.field && other.key === entry.key);
  const masked = (entry) => entry.field === "environment";
  for (const entry of before) {
    const other = find(after, entry);
    if (!other) {
      changes.push({ op: "removed", field: entry.field, key: entry.key, ...(entry.field === "openapi" ? {} : { before: masked(entry) ? DOTS : entry.value }), ...(masked(entry) ? { masked: true } : {}) });
    } else if (masked(entry)) {
      const [x, y] = [entry.item, other.item];
      if (!x.masked && !y.masked) {
        if (x.value !== y.value) changes.push({ op: "changed", field: "environment", key: entry.key, before: DOTS, after: DOTS, masked: true });
      } else if (Number.isInteger(x.length) && Number.isInteger(y.length) && x.length !== y.length) {
        changes.push({ op: "changed", field: "environment", key: entry.key, before: DOTS, after: DOTS, masked: true });
      } else {
        sure = false;
      }
    } else if (entry.value !== other.value) {
      changes.push({ op: "changed", field: entry.field, key: entry.key, before: entry.value, after: other.value });
    }
  }
  for (const entry of after) {
    if (!find(before, entry)) {
      changes.push({ op: "added", field: entry.field, key: entry.key, ...(entry.field === "openapi" ? {} : { after: masked(entry) ? DOTS : entry.value }), ...(masked(entry) ? { masked: true } : {}) });
    }
  }
  // The timeout of a missing environment config is not a change anyone made.
  return { changes: a && b ? changes : changes.filter((c) => c.field !== "timeout"), sure };
}
