// What the page's two sources share. Both answer with the package's typed config objects and
// throw PageError, so rendering never cares which one is in use:
//   - workerSource (worker-source.js): the Worker's JSON API on this origin (normal mode, key in
//     a Bearer header);
//   - directSource (direct-source.js): the package's own wasm TcbClient calling a CORS-enabled
//     base URL (development mode, e.g. the local simulator).
// Both also list an environment's functions and environments, compare a config across two
// environments and edit configs. An edit names the config it was made on: the Worker guards it
// with the config's `version`, the direct client with its `raw` text (`expectedRaw`).

/** Config type numbers and the names used in results (`kind`). */
export const KINDS = { 1: "cloudCall", 2: "timerTrigger", 3: "environment" };
export const KIND_ORDER = ["cloudCall", "timerTrigger", "environment"];
/** The config types a query can ask for: all three, or one. */
export const TYPES = ["all", ...Object.keys(KINDS)];
/** The config type number of each kind, as a query names it: `{cloudCall: "1", ...}`. */
export const TYPE_OF = Object.fromEntries(Object.entries(KINDS).map(([type, kind]) => [kind, type]));

/** errcode for "no config of this type": shown as a neutral state, not as an error. */
export const NOT_CONFIGURED = 85089;

export const REQUEST_TIMEOUT_MS = 30000;

/** Items per page of the function list. */
export const PAGE_SIZE = 20;

/**
 * The edit operations: the Worker route of each, and the kind of config it changes.
 * `fields` of an edit: environment `{set?, unset?, timeout?}`, grant/revoke `{names}`,
 * trigger `{name, config}`, triggerRemove `{}`.
 */
export const EDITS = {
  environment: { path: "/api/edit/environment", kind: "environment" },
  grant: { path: "/api/edit/openapi/grant", kind: "cloudCall" },
  revoke: { path: "/api/edit/openapi/revoke", kind: "cloudCall" },
  trigger: { path: "/api/edit/trigger", kind: "timerTrigger" },
  triggerRemove: { path: "/api/edit/trigger/remove", kind: "timerTrigger" },
};

/** A failed request, with the fields of the API's error object. */
export class PageError extends Error {
  constructor({ code = "unknown", errcode, errmsg, hint = "", retryable = false, message, httpStatus,
    expected, actual, changes } = {}) {
    super(message || hint || code);
    this.name = "PageError";
    this.code = String(code);
    if (errcode !== undefined && errcode !== null) this.errcode = Number(errcode);
    if (errmsg !== undefined && errmsg !== null) this.errmsg = String(errmsg);
    this.hint = String(hint ?? "");
    this.retryable = Boolean(retryable);
    if (httpStatus !== undefined) this.httpStatus = httpStatus;
    // A conflict or an unverified write says what the caller saw and what the server has
    // (configs, masked) and the changes between them.
    if (isConfigOrNull(expected)) this.expected = expected;
    if (isConfigOrNull(actual)) this.actual = actual;
    if (Array.isArray(changes)) this.changes = changes.filter((c) => c && typeof c === "object");
  }
}

/** Any failure as a PageError: one already is, anything else keeps its code and message. */
export function asPageError(error) {
  if (error instanceof PageError) return error;
  return new PageError({ code: error?.code ?? "unknown", hint: String(error?.message ?? error) });
}


const isConfigOrNull = (value) => value === null || (typeof value === "object" && value !== undefined && !Array.isArray(value));

/** The version an edit is guarded with: the config's, or `null` for "not configured". */
export function versionOf(config) {
  return config && typeof config.version === "string" ? config.version : null;
}

export function configOrNull(value) {
  return value && typeof value === "object" && !Array.isArray(value) ? value : null;
}

export function listAnswer(body) {
  const functions = Array.isArray(body?.functions) ? body.functions.filter((f) => f && typeof f.name === "string") : [];
  const total = Number.isInteger(body?.total) ? body.total : functions.length;
  return { total, functions };
}

export function editAnswer(body) {
  return {
    written: body?.written === true,
    config: configOrNull(body?.config),
    changes: Array.isArray(body?.changes) ? body.changes : [],
  };
}

/** Runs a one-type request; "not configured" (85089) becomes `null`. */
export async function single(request) {
  try {
    return await request();
  } catch (error) {
    if (Number(error?.errcode) === NOT_CONFIGURED) return null;
    throw error;
  }
}
