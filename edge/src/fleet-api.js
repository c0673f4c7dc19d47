// The fleet's routes, on the platform only (the FleetStore Durable Object, src/fleet-store.js):
//   GET  /api/fleet/search?…            functions across every app (viewer; src/fleet-search.js)
//   GET  /api/fleet/status              what the index holds (viewer)
//   POST /api/fleet/index  {types?, appids?}            build or refresh the index: 202 {id} (admin)
//   GET  /api/jobs                      the latest jobs (viewer)
//   POST /api/jobs  {edit:{kind,spec}, targets:[{appid,env,functionName}], dryRun?}: 202 {id} (admin)
//   GET  /api/jobs/:id?offset&limit     the job, its counts, a page of results (viewer)
//   POST /api/jobs/:id/cancel           (admin)
//   GET  /api/jobs/:id/report[?format=csv]  every target's outcome (viewer)
import { checkField } from "tcb-funcconfig";
import { apiError, misconfigured, readBody, refuseCrossSite } from "./api.js";
import { APPID_PATTERN } from "./app-clients.js";
import { parseSearch } from "./fleet-search.js";
import { whoOf } from "./history.js";
import { checkEdit } from "./jobs-edit.js";
import { readSource } from "./source.js";

/** The most targets one job may have, and the most its body may weigh. */
export const MAX_TARGETS = 5000;
const MAX_BODY_BYTES = 1024 * 1024;
const JOB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ADMIN_HINT = "only an admin may start or cancel a job; a viewer may search and follow them";
const UNAUTHORIZED_HINT = "send Authorization: Bearer <viewer or admin key>, or sign in through Cloudflare Access";

const badArgument = (message) => apiError(400, "invalid_argument", "fix the request; nothing was started", message);

/**
 * The route of a fleet path: `{ method, admin, path, handle }` (path as logged: a job's id as
 * `:id`), or null when the path is not the fleet's.
 * @param {string} pathname
 */
export function fleetRoute(pathname) {
  if (pathname === "/api/fleet/search") return { method: "GET", admin: false, path: pathname, handle: searchFleet };
  if (pathname === "/api/fleet/status") return { method: "GET", admin: false, path: pathname, handle: fleetStatus };
  if (pathname === "/api/fleet/index") return { method: "POST", admin: true, path: pathname, handle: startIndex };
  if (pathname === "/api/jobs") return { method: null, admin: null, path: pathname, handle: null };
  const m = /^\/api\/jobs\/([^/]+)(\/cancel|\/report)?$/.exec(pathname);
  if (!m) return null;
  const id = m[1];
  if (m[2] === "/cancel") return { method: "POST", admin: true, path: "/api/jobs/:id/cancel", handle: (r, u, e) => cancelJob(e, id) };
  if (m[2] === "/report") return { method: "GET", admin: false, path: "/api/jobs/:id/report", handle: (r, u, e) => report(u, e, id) };
  return { method: "GET", admin: false, path: "/api/jobs/:id", handle: (r, u, e) => getJob(u, e, id) };
}

/**
 * Answers a fleet route: the method first (a preflight never gets further), then the caller
 * (`identify`, src/auth.js), the role, and for a write its origin and type, all before anything
 * is asked of the FleetStore.
 * @returns {Promise<{ identity: object | null, result: import("./api.js").ApiResult & { allow?: string, text?: string, contentType?: string } }>}
 */
export async function handleFleet(request, url, env, identify) {
  let route = fleetRoute(url.pathname);
  if (url.pathname === "/api/jobs") {
    if (request.method !== "GET" && request.method !== "POST") {
      return { identity: null, result: { ...apiError(405, "method_not_allowed", "use GET to list jobs or POST to start one"), allow: "GET, POST" } };
    }
    route = request.method === "POST" ? { method: "POST", admin: true, handle: startJob } : { method: "GET", admin: false, handle: listJobs };
  }
  if (request.method !== route.method) {
    const hint = route.method === "POST" ? "this route starts or stops a job: use POST" : "this route is read-only: use GET";
    return { identity: null, result: { ...apiError(405, "method_not_allowed", hint), allow: route.method } };
  }
  const identity = await identify(request, env);
  if (!identity) return { identity, result: apiError(401, "unauthorized", UNAUTHORIZED_HINT) };
  if (route.admin && identity.role !== "admin") return { identity, result: apiError(403, "forbidden", ADMIN_HINT) };
  if (route.method === "POST") {
    const refused = refuseCrossSite(request, url);
    if (refused) return { identity, result: refused };
  }
  const chosen = readSource(env);
  if (chosen.problem) return { identity, result: misconfigured(chosen.problem) };
  if (chosen.source !== "platform" || !env.FLEET) {
    return { identity, result: apiError(404, "not_platform", "the fleet routes serve a platform (COMPONENT_APPID without AUTHORIZER_APPID) with the FLEET Durable Object binding; see edge/README.md") };
  }
  return { identity, result: await route.handle(request, url, env, identity) };
}

function fleet(env) {
  return env.FLEET.get(env.FLEET.idFromName(`fleet:${env.COMPONENT_APPID}`));
}

/** The FleetStore's answer as an API answer (its errors are already in the API's shape). */
async function ask(env, path, init, status = 200) {
  let response;
  try {
    response = await fleet(env).fetch(`https://fleet${path}`, init);
  } catch {
    return apiError(503, "fleet", "see the Worker's logs; check the FLEET Durable Object", "the fleet store failed", true);
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) return { status: response.status, body: body ?? apiError(502, "fleet", "the fleet store answered badly").body };
  return { status, body };
}

async function searchFleet(_request, url, env) {
  const parsed = parseSearch(url.searchParams);
  if (parsed.problem) return badArgument(parsed.problem);
  return ask(env, "/search", { method: "POST", body: JSON.stringify(parsed) });
}

async function fleetStatus(_request, _url, env) {
  const stats = await ask(env, "/stats");
  if (stats.status !== 200) return stats;
  const jobs = await ask(env, "/jobs");
  if (jobs.status !== 200) return jobs;
  return { status: 200, body: { ...stats.body, lastIndex: jobs.body.jobs.find((j) => j.kind === "index") ?? null } };
}

async function readJson(request) {
  const read = await readBody(request, MAX_BODY_BYTES);
  if (read.tooLarge) return { refused: apiError(413, "payload_too_large", "send at most 1 MB; split the targets over several jobs") };
  if (read.text === null) return { refused: badArgument("the body is not UTF-8 text") };
  if (read.text.trim() === "") return { body: {} };
  try {
    return { body: JSON.parse(read.text) };
  } catch {
    return { refused: badArgument("the body is not JSON") };
  }
}

const isObject = (v) => typeof v === "object" && v !== null && !Array.isArray(v);

async function startIndex(request, _url, env) {
  const read = await readJson(request);
  if (read.refused) return read.refused;
  const body = read.body;
  if (!isObject(body) || Object.keys(body).some((k) => k !== "types" && k !== "appids")) return badArgument("the body takes types ([1, 2, 3] by default) and appids (every authorized app by default)");
  const types = body.types ?? [1, 2, 3];
  if (!Array.isArray(types) || types.length === 0 || types.some((t) => ![1, 2, 3].includes(t)) || new Set(types).size !== types.length) {
    return badArgument("types must be a list of config types 1, 2 and 3, each at most once");
  }
  if (body.appids !== undefined && (!Array.isArray(body.appids) || body.appids.length > MAX_TARGETS || body.appids.some((a) => typeof a !== "string" || !APPID_PATTERN.test(a)))) {
    return badArgument(`appids must be a list of at most ${MAX_TARGETS} appids`);
  }
  return ask(env, "/jobs", { method: "POST", body: JSON.stringify({ kind: "index", types: [...types].sort(), appids: body.appids }) }, 202);
}

async function startJob(request, _url, env, identity) {
  const read = await readJson(request);
  if (read.refused) return read.refused;
  const body = read.body;
  if (!isObject(body)) return badArgument("the body must be a JSON object");
  if (Object.keys(body).some((k) => !["edit", "targets", "dryRun"].includes(k))) return badArgument("the body takes edit, targets and dryRun");
  if (body.dryRun !== undefined && typeof body.dryRun !== "boolean") return badArgument("dryRun must be true or false");
  const problem = checkEdit(body.edit) ?? checkTargets(body.targets);
  if (problem) return badArgument(problem);
  const job = {
    kind: "edit",
    edit: { kind: body.edit.kind, spec: body.edit.spec ?? {} },
    targets: body.targets.map((t) => ({ appid: t.appid, env: t.env, functionName: t.functionName })),
    dryRun: body.dryRun === true,
    // Who started it: each target's write is recorded in the history under this name.
    who: whoOf(identity),
  };
  return ask(env, "/jobs", { method: "POST", body: JSON.stringify(job) }, 202);
}

/** What is wrong with a job's targets, or null. Messages name the target's place, never its text. */
function checkTargets(targets) {
  if (!Array.isArray(targets) || targets.length === 0 || targets.length > MAX_TARGETS) return `targets must be a list of 1–${MAX_TARGETS} {appid, env, functionName}`;
  const seen = new Set();
  for (const [i, t] of targets.entries()) {
    if (!isObject(t) || Object.keys(t).some((k) => !["appid", "env", "functionName"].includes(k))) return `targets[${i}] must be {appid, env, functionName}`;
    if (typeof t.appid !== "string" || !APPID_PATTERN.test(t.appid)) return `targets[${i}].appid must be a mini program's appid`;
    for (const field of ["env", "functionName"]) {
      const broken = typeof t[field] === "string" ? checkField(1, field, t[field]) : { message: `${field} must be a string` };
      if (broken) return `targets[${i}]: ${broken.message}`;
    }
    const key = `${t.appid}\u0000${t.env}\u0000${t.functionName}`;
    if (seen.has(key)) return `targets[${i}] is listed twice: one outcome per target`;
    seen.add(key);
  }
  return null;
}

async function listJobs(_request, _url, env) {
  return ask(env, "/jobs");
}

function checkId(id) {
  return JOB_ID.test(id) ? null : apiError(404, "not_found", "no such job: see GET /api/jobs", "no such job");
}

async function getJob(url, env, id) {
  const bad = checkId(id);
  if (bad) return bad;
  const offset = url.searchParams.get("offset") ?? "0";
  const limit = url.searchParams.get("limit") ?? "100";
  if (!/^\d{1,6}$/.test(offset) || !/^\d{1,4}$/.test(limit) || Number(limit) < 1 || Number(limit) > 1000) {
    return badArgument("offset must be a whole number, limit 1–1000");
  }
  const answer = await ask(env, `/job?${new URLSearchParams({ id, offset, limit })}`);
  if (answer.status === 200) Object.assign(answer.body, { offset: Number(offset), limit: Number(limit) });
  return answer;
}

async function cancelJob(env, id) {
  return checkId(id) ?? ask(env, `/cancel?${new URLSearchParams({ id })}`, { method: "POST" });
}

const CSV_COLUMNS = ["appid", "env", "functionName", "outcome", "code", "errcode", "message", "changes"];

async function report(url, env, id) {
  const bad = checkId(id);
  if (bad) return bad;
  const format = url.searchParams.get("format") ?? "json";
  if (format !== "json" && format !== "csv") return badArgument("format must be json or csv");
  const answer = await ask(env, `/job?${new URLSearchParams({ id })}`);
  if (answer.status !== 200 || format === "json") return answer;
  const lines = [CSV_COLUMNS.join(",")];
  for (const r of answer.body.results) {
    const changes = (r.changes ?? []).map((c) => `${c.op} ${c.field} ${c.key}`).join("; ");
    lines.push([r.appid, r.env, r.functionName, r.outcome, r.code, r.errcode, r.message, changes].map(csvCell).join(","));
  }
  return { status: 200, body: null, text: lines.join("\r\n") + "\r\n", contentType: "text/csv; charset=utf-8", filename: `job-${id}.csv` };
}

/** One CSV cell: quoted when needed; text a spreadsheet would run as a formula starts with '. */
function csvCell(v) {
  if (v === undefined || v === null) return "";
  let s = String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
