// The fleet page's drawing: the index line, the search results with their choices and pages,
// and a job's progress, counts and results. Everything goes in as text (dom.js).
import { h } from "./dom.js";
import { t } from "./i18n.js";

const $ = (id) => document.getElementById(id);

/** Replaces the children of `el` with `children`. */
function fill(el, ...children) {
  el.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined));
}

export const targetKey = (r) => `${r.appid}\u0000${r.env}\u0000${r.function ?? r.functionName}`;

/** A failure, as a line of text: what happened and what to do. */
export function errorLine(error) {
  const parts = [error?.message || error?.code || "error"];
  if (error?.errcode !== undefined) parts.push(`(${error.errcode})`);
  if (error?.hint) parts.push(`— ${error.hint}`);
  return parts.join(" ");
}

export function showStatus(id, text, isError = false) {
  fill($(id), text ? h("p", { class: isError ? "error-text" : "muted", role: isError ? "alert" : null }, text) : null);
}

export function renderIndex(stats) {
  $("f-index").textContent = !stats || stats.functions === 0
    ? t("fleet.index.none")
    : t("fleet.index.summary", { apps: stats.apps, envs: stats.envs, functions: stats.functions, errors: stats.appErrors });
}

/**
 * The results of a search: `{total, offset, limit, rows}`, with a checkbox per row (`chosen`:
 * the set of target keys) and the pager; `on.toggle(row, checked)`, `on.page(offset)`,
 * `on.all()`, `on.none()`.
 */
export function renderResults(answer, chosen, on) {
  if (!answer) return fill($("f-results"));
  if (answer.total === 0) return fill($("f-results"), h("p", { class: "muted" }, t("fleet.search.none")));
  const rows = answer.rows.map((r) => h("tr", {},
    h("td", {}, h("input", {
      type: "checkbox", "aria-label": `${r.appid} ${r.env} ${r.function}`, checked: chosen.has(targetKey(r)) ? true : null,
      on: { change: (e) => on.toggle(r, e.target.checked) },
    })),
    h("td", {}, r.appid, r.nickname ? h("div", { class: "muted" }, r.nickname) : null),
    h("td", {}, r.env),
    h("td", {}, h("a", { href: r.link }, r.function)),
  ));
  const to = Math.min(answer.offset + answer.rows.length, answer.total);
  fill($("f-results"),
    h("p", { id: "f-total" }, t("fleet.search.total", { total: answer.total })),
    h("div", { class: "fleet-pager" },
      h("button", { type: "button", class: "secondary", id: "f-all", on: { click: on.all } }, t("fleet.search.selectAll", { total: answer.total })),
      h("button", { type: "button", class: "secondary", id: "f-none", on: { click: on.none } }, t("fleet.search.clear"))),
    h("div", { class: "fleet-table-wrap" }, h("table", { class: "fleet-table" },
      h("thead", {}, h("tr", {}, ...["choose", "app", "env", "function"].map((c) => h("th", { scope: "col" }, t(`fleet.col.${c}`))))),
      h("tbody", {}, rows))),
    h("div", { class: "fleet-pager" },
      h("button", { type: "button", class: "secondary", id: "f-prev", disabled: answer.offset === 0, on: { click: () => on.page(Math.max(0, answer.offset - answer.limit)) } }, t("fleet.search.prev")),
      h("span", {}, t("fleet.search.page", { from: answer.offset + 1, to, total: answer.total })),
      h("button", { type: "button", class: "secondary", id: "f-next", disabled: to >= answer.total, on: { click: () => on.page(answer.offset + answer.limit) } }, t("fleet.search.next"))),
  );
}

export function renderChosen(count) {
  $("f-chosen").textContent = t("fleet.edit.chosen", { count });
}

const FINAL = ["done", "cancelled", "stopped"];

/** A job: its state, a progress bar, its counts, Cancel while it runs, the report, its results. */
export function renderJob(job, on) {
  const section = $("f-job");
  if (!job) {
    section.hidden = true;
    return;
  }
  section.hidden = false;
  $("f-job-title").textContent = `${t(job.dryRun ? "fleet.job.preview" : "fleet.job.run")} · ${t(`fleet.state.${job.state}`)}`;
  const done = job.total - (job.counts.pending ?? 0);
  const counts = Object.entries(job.counts).filter(([, n]) => n > 0)
    .map(([k, n]) => h("li", { dataset: { outcome: k } }, `${t(`fleet.outcome.${k}`)}: ${n}`));
  const results = job.results ?? [];
  fill($("f-job-body"),
    h("progress", { id: "f-progress", class: "fleet-progress", max: String(Math.max(job.total, 1)), value: String(done) }),
    h("p", { id: "f-progress-text" }, t("fleet.job.progress", { done, total: job.total })),
    job.reason ? h("p", { class: "error-text", role: "alert" }, job.reason) : null,
    h("ul", { class: "fleet-counts", id: "f-counts" }, counts),
    h("div", { class: "form-actions" },
      FINAL.includes(job.state) ? null : h("button", { type: "button", class: "secondary", id: "f-cancel", disabled: !on.canCancel, on: { click: on.cancel } }, t("fleet.job.cancel")),
      h("button", { type: "button", class: "secondary", id: "f-report", on: { click: on.report } }, t("fleet.job.report"))),
    h("div", { class: "fleet-table-wrap" }, h("table", { class: "fleet-table", id: "f-job-results" },
      h("thead", {}, h("tr", {}, ...["app", "env", "function", "outcome", "detail"].map((c) => h("th", { scope: "col" }, t(`fleet.col.${c}`))))),
      h("tbody", {}, results.map((r) => h("tr", { dataset: { outcome: r.outcome } },
        h("td", {}, r.appid),
        h("td", {}, r.env ?? ""),
        h("td", {}, r.functionName ?? ""),
        h("td", { class: `fleet-outcome-${r.outcome}` }, t(`fleet.outcome.${r.outcome}`)),
        h("td", {}, detail(r))))))),
    results.length < job.total ? h("p", { class: "muted" }, t("fleet.job.more", { shown: results.length, total: job.total })) : null,
  );
}

function detail(r) {
  if (Array.isArray(r.changes) && r.changes.length > 0) return r.changes.map((c) => `${c.op} ${c.field} ${c.key}`).join("; ");
  if (r.message) return `${r.message}${r.errcode !== undefined ? ` (${r.errcode})` : ""}`;
  return "";
}
