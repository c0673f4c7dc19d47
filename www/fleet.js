// The fleet page (fleet.html): search every mini program's functions (the Worker's index),
// choose targets, preview a bulk edit (a dry-run job), run it with live progress, cancel it,
// download its report. Its place in the address: fleet.html?<the search's own parameters>
// [&job=<id>], so a search or a job can be reloaded or shared.
import { addStrings, initialLanguage, setLanguage, t, translateStatic } from "./i18n.js";
import { FLEET_STRINGS } from "./fleet-strings.js";
import { fleetApi, sessionKey } from "./fleet-requests.js";
import { saveSession } from "./storage.js";
import { errorLine, renderChosen, renderIndex, renderJob, renderResults, showStatus, targetKey } from "./fleet-view.js";

const $ = (id) => document.getElementById(id);
const PAGE = 50;
const ALL_PAGE = 500;
const POLL_MS = 1000;
const FINAL = ["done", "cancelled", "stopped"];
/** The search's parameters, as the API and the address name them. */
const SEARCH_PARAMS = ["name", "namePrefix", "openapi", "firesOn", "from", "to", "moreOftenThan", "envKey", "missingEnvKey", "timeoutMin", "timeoutMax"];

const page = {
  api: null,
  role: null,
  search: null, // the last search's parameters
  answer: null,
  chosen: new Map(), // target key → {appid, env, functionName}
  job: null,
  polling: null,
};

addStrings(FLEET_STRINGS);
setLanguage(initialLanguage());
$("lang").value = document.documentElement.lang;
translate();

$("lang").addEventListener("change", () => {
  setLanguage($("lang").value, { remember: true });
  translate();
  redraw();
  if (page.api) loadIndex();
});

function translate() {
  translateStatic();
  document.title = t("fleet.title");
}

function redraw() {
  renderResults(page.answer, page.chosen, handlers);
  renderChosen(page.chosen.size);
  renderJob(page.job, jobHandlers());
}

// --- sign-in -------------------------------------------------------------------------------

async function start(key) {
  const api = fleetApi(key);
  try {
    const me = await api.me();
    page.api = api;
    page.role = me.role;
  } catch (error) {
    $("f-signin").hidden = false;
    $("f-workspace").hidden = true;
    if (key !== undefined) showStatus("f-signin-status", errorLine(error), true);
    return;
  }
  $("f-signin").hidden = true;
  $("f-workspace").hidden = false;
  const admin = page.role === "admin";
  for (const id of ["f-preview", "f-run", "f-reindex"]) $(id).disabled = !admin;
  if (!admin) showStatus("f-edit-status", t("fleet.edit.viewer"));
  showKindFields();
  showEditFields();
  redraw();
  await loadIndex();
  fromAddress();
}

$("f-signin-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const key = $("f-key").value.trim();
  if (!key) return;
  saveSession({ mode: "worker", key });
  await start(key);
});

async function loadIndex() {
  try {
    renderIndex(await page.api.status());
  } catch (error) {
    showStatus("f-search-status", errorLine(error), true);
  }
}

// --- search --------------------------------------------------------------------------------

function showKindFields() {
  const kind = $("f-kind").value;
  for (const el of document.querySelectorAll("#f-search-form [data-for]")) {
    const wanted = el.dataset.for;
    el.hidden = wanted === "text" ? ["firesOn", "timeout"].includes(kind) : wanted !== kind;
  }
}
$("f-kind").addEventListener("change", showKindFields);

/** The search form as the API's parameters, or null when something is missing. */
function formParams() {
  const kind = $("f-kind").value;
  if (kind === "firesOn") {
    if (!$("f-day").value) return null;
    return { firesOn: $("f-day").value, from: $("f-from").value || "00:00", to: $("f-to").value || "24:00" };
  }
  if (kind === "timeout") {
    const params = {};
    if ($("f-tmin").value) params.timeoutMin = $("f-tmin").value;
    if ($("f-tmax").value) params.timeoutMax = $("f-tmax").value;
    return Object.keys(params).length > 0 ? params : null;
  }
  const value = $("f-value").value.trim();
  return value ? { [kind]: value } : null;
}

/** The form filled from a search's parameters (the address's). */
function fillForm(params) {
  if (params.firesOn) {
    $("f-kind").value = "firesOn";
    $("f-day").value = params.firesOn;
    if (params.from) $("f-from").value = params.from;
    if (params.to && params.to !== "24:00") $("f-to").value = params.to;
  } else if (params.timeoutMin || params.timeoutMax) {
    $("f-kind").value = "timeout";
    $("f-tmin").value = params.timeoutMin ?? "";
    $("f-tmax").value = params.timeoutMax ?? "";
  } else {
    const kind = SEARCH_PARAMS.find((k) => params[k] !== undefined);
    if (kind) {
      $("f-kind").value = kind;
      $("f-value").value = params[kind];
    }
  }
  showKindFields();
}

function setAddress() {
  const query = new URLSearchParams(page.search ?? {});
  if (page.job) query.set("job", page.job.id);
  const text = query.toString();
  history.replaceState(null, "", text ? `?${text}` : location.pathname);
}

async function runSearch(params, offset = 0) {
  page.search = params;
  setAddress();
  showStatus("f-search-status", "");
  try {
    page.answer = await page.api.search({ ...params, offset, limit: PAGE });
  } catch (error) {
    page.answer = null;
    showStatus("f-search-status", errorLine(error), true);
  }
  redraw();
}

$("f-search-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const params = formParams();
  if (!params) {
    (["firesOn", "timeout"].includes($("f-kind").value) ? ($("f-kind").value === "firesOn" ? $("f-day") : $("f-tmin")) : $("f-value")).focus();
    return;
  }
  runSearch(params);
});

const handlers = {
  toggle(row, checked) {
    const target = { appid: row.appid, env: row.env, functionName: row.function };
    if (checked) page.chosen.set(targetKey(row), target);
    else page.chosen.delete(targetKey(row));
    renderChosen(page.chosen.size);
  },
  page: (offset) => runSearch(page.search, offset),
  async all() {
    try {
      for (let offset = 0; ; offset += ALL_PAGE) {
        const answer = await page.api.search({ ...page.search, offset, limit: ALL_PAGE });
        for (const row of answer.rows) page.chosen.set(targetKey(row), { appid: row.appid, env: row.env, functionName: row.function });
        if (offset + ALL_PAGE >= answer.total) break;
      }
    } catch (error) {
      showStatus("f-search-status", errorLine(error), true);
    }
    redraw();
  },
  none() {
    page.chosen.clear();
    redraw();
  },
};

$("f-reindex").addEventListener("click", async () => {
  try {
    const { id } = await page.api.reindex();
    showStatus("f-search-status", t("fleet.index.started"));
    follow(id);
  } catch (error) {
    showStatus("f-search-status", errorLine(error), true);
  }
});

// --- the bulk edit -------------------------------------------------------------------------

const EDIT_FIELDS = {
  grant_openapi: "names", revoke_openapi: "names", unset_env: "keys", set_env: "set",
  set_timeout: "timeout", set_trigger: "trigger", remove_trigger: "",
};

function showEditFields() {
  const wanted = EDIT_FIELDS[$("f-edit-kind").value];
  for (const el of document.querySelectorAll("#f-edit-form [data-edit]")) el.hidden = !el.dataset.edit.split(" ").includes(wanted);
}
$("f-edit-kind").addEventListener("change", showEditFields);

/** The edit as the API takes it, or `{problem}`. */
function editSpec() {
  const kind = $("f-edit-kind").value;
  const list = () => $("f-list").value.split(/[\s,]+/).filter(Boolean);
  switch (EDIT_FIELDS[kind]) {
    case "names": return { kind, spec: { names: list() } };
    case "keys": return { kind, spec: { keys: list() } };
    case "timeout": return { kind, spec: { timeout: Number($("f-timeout").value) } };
    case "trigger": return { kind, spec: { name: $("f-tname").value.trim(), config: $("f-tconfig").value.trim() } };
    case "set": {
      const set = {};
      for (const line of $("f-set").value.split("\n").map((l) => l.trim()).filter(Boolean)) {
        const at = line.indexOf("=");
        if (at <= 0) return { problem: t("fleet.edit.badSet") };
        set[line.slice(0, at).trim()] = line.slice(at + 1);
      }
      return { kind, spec: { set } };
    }
    default: return { kind, spec: {} };
  }
}

async function startEdit(dryRun) {
  if (page.chosen.size === 0) return showStatus("f-edit-status", t("fleet.edit.noTargets"), true);
  const edit = editSpec();
  if (edit.problem) return showStatus("f-edit-status", edit.problem, true);
  showStatus("f-edit-status", "");
  try {
    const { id } = await page.api.startJob({ edit, targets: [...page.chosen.values()], dryRun });
    follow(id);
  } catch (error) {
    showStatus("f-edit-status", errorLine(error), true);
  }
}

$("f-preview").addEventListener("click", () => startEdit(true));
$("f-run").addEventListener("click", () => startEdit(false));

// --- following a job -----------------------------------------------------------------------

function jobHandlers() {
  return {
    canCancel: page.role === "admin",
    async cancel() {
      try {
        await page.api.cancel(page.job.id);
      } catch (error) {
        showStatus("f-edit-status", errorLine(error), true);
      }
      poll();
    },
    async report() {
      try {
        const blob = await page.api.reportCsv(page.job.id);
        const url = URL.createObjectURL(blob);
        const a = document.createElement("a");
        a.href = url;
        a.download = `job-${page.job.id}.csv`;
        document.body.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 10000);
      } catch (error) {
        showStatus("f-edit-status", errorLine(error), true);
      }
    },
  };
}

function follow(id) {
  page.job = { id, state: "queued", total: 0, counts: {}, results: [], dryRun: false };
  setAddress();
  poll();
}

async function poll() {
  clearTimeout(page.polling);
  const id = page.job?.id;
  if (!id) return;
  try {
    const job = await page.api.job(id);
    if (page.job?.id !== id) return;
    page.job = job;
  } catch (error) {
    showStatus("f-edit-status", errorLine(error), true);
    return;
  }
  renderJob(page.job, jobHandlers());
  if (!FINAL.includes(page.job.state) || page.job.inFlight > 0) {
    page.polling = setTimeout(poll, POLL_MS);
  } else if (page.job.kind === "index") {
    await loadIndex();
  }
}

// --- the address ---------------------------------------------------------------------------

function fromAddress() {
  const query = new URLSearchParams(location.search);
  const params = {};
  for (const k of SEARCH_PARAMS) if (query.get(k) !== null) params[k] = query.get(k);
  if (Object.keys(params).length > 0) {
    fillForm(params);
    runSearch(params);
  }
  const job = query.get("job");
  if (job && /^[0-9a-f-]{36}$/.test(job)) follow(job);
}

const saved = sessionKey();
if (saved === undefined) $("f-signin").hidden = false;
else start(saved);
