// GET /api/config: reads a configuration through the package, masks secrets, maps errors.
// The masking, versions, error mapping and request checks here serve the other routes too
// (browse.js, edit.js, wechat.js).
import { isTcbError, maskChanges, maskConfig } from "tcb-funcconfig";
import { appidOf, observeRead } from "./history.js";
import { clientFor, tcbError } from "./source.js";
import { versionOf } from "./version.js";

/** The config types a query may name, by their query text. */
export const TYPES = { 1: 1, 2: 2, 3: 3 };

/**
 * An API answer before it becomes a Response.
 * @typedef {{ status: number, body: unknown }} ApiResult
 */

/**
 * Builds the `{"error": {...}}` answer of the API.
 * @param {number} status
 * @param {string} code
 * @param {string} hint
 * @param {string} [message]
 * @param {boolean} [retryable]
 * @returns {ApiResult}
 */
export function apiError(status, code, hint, message = hint, retryable = false) {
  return { status, body: { error: { code, hint, retryable, message } } };
}

/**
 * The answer for an unexpected exception (its text is not passed on: it could hold anything).
 * @returns {ApiResult}
 */
export function internalError() {
  return apiError(500, "internal", "an unexpected error; try again, report it if it persists", "internal error", true);
}

/**
 * The refusal of a POST that a cross-site page could have sent, or `null`. A browser sends a
 * cross-site form without a preflight, and Cloudflare Access adds its JWT to any request
 * carrying the Access cookie: only a same-origin (or Origin-less) JSON request may write.
 * @param {Request} request
 * @param {URL} url
 * @returns {ApiResult | null}
 */
export function refuseCrossSite(request, url) {
  const origin = request.headers.get("Origin");
  if (origin !== null && origin !== url.origin) {
    return apiError(403, "forbidden", "send this request from the admin page's own origin, or without an Origin header");
  }
  const type = (request.headers.get("Content-Type") ?? "").split(";")[0].trim().toLowerCase();
  if (type !== "application/json") {
    return apiError(415, "unsupported_media_type", "send the body as JSON with Content-Type: application/json");
  }
  return null;
}

/**
 * Reads a request body of at most `limit` bytes: `{ tooLarge: true }` as soon as it is known to
 * be bigger (from Content-Length, or once that much has arrived: nothing more is read), else
 * `{ text }` (`text` null when it is not UTF-8).
 * @param {Request} request
 * @param {number} limit
 */
export async function readBody(request, limit) {
  const declared = request.headers.get("Content-Length");
  if (declared !== null && !(Number(declared) <= limit)) return { tooLarge: true };
  const chunks = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        reader.cancel().catch(() => {});
        return { tooLarge: true };
      }
      chunks.push(value);
    }
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
  } catch {
    return { text: null };
  }
}

/**
 * The 403 for `reveal=1` from a viewer, or `null` (checked before anything is read).
 * @param {URLSearchParams} params
 * @param {"viewer" | "admin"} role
 * @returns {ApiResult | null}
 */
export function refuseReveal(params, role) {
  if (params.get("reveal") === "1" && role !== "admin") {
    return apiError(403, "forbidden", "only an admin may reveal environment values; ask without reveal=1");
  }
  return null;
}

/**
 * Whether a package error says the function has no config of that type (errcode 85089).
 * @param {any} e
 */
export function isNotConfigured(e) {
  return e?.code === "api" && e.errcode === 85089;
}

/**
 * The 500 `misconfigured` answer: `hint` names the settings to fix, never their values.
 * @param {string} hint
 * @returns {ApiResult}
 */
export function misconfigured(hint) {
  return apiError(500, "misconfigured", hint, "the Worker is not configured correctly");
}

/**
 * Answers `GET /api/config?env=E&function=F&type=1|2|3|all[&reveal=1]`.
 *
 * Environment values (type 3) are masked, in the items and in `raw`, unless the caller is an
 * admin and asked for `reveal=1`.
 * @param {URLSearchParams} params
 * @param {"viewer" | "admin"} role
 * @param {Record<string, string | undefined>} env the Worker's env
 * @returns {Promise<ApiResult>}
 */
export async function getConfig(params, role, env) {
  const refused = refuseReveal(params, role);
  if (refused) return refused;
  const reveal = params.get("reveal") === "1";
  const type = params.get("type");
  if (type !== "all" && !Object.hasOwn(TYPES, type ?? "")) {
    return apiError(400, "invalid_argument", "fix the argument; nothing was sent", "type must be 1, 2, 3 or all");
  }

  // One client per isolate, for the configured token source (src/source.js).
  const built = await clientFor(env, params.get("appid"));
  if (built.refused) return built.refused;
  if (built.problem) return misconfigured(built.problem);
  const { client } = built;

  const envId = params.get("env") ?? undefined;
  const functionName = params.get("function") ?? undefined;
  try {
    if (type === "all") {
      const all = await client.getAllConfigs(envId, functionName);
      await observeRead(env, { appid: appidOf(env, params.get("appid")), env: envId, function: functionName }, [
        { type: 1, config: all.cloudCall },
        { type: 2, config: all.timerTrigger },
        { type: 3, config: all.environment },
      ]);
      const [cloudCall, timerTrigger, environment] = await Promise.all(
        [all.cloudCall, all.timerTrigger, all.environment].map((c) => presentVersioned(c, reveal, env)),
      );
      return { status: 200, body: { cloudCall, timerTrigger, environment } };
    }
    const config = await client.getFuncConfig({ env: envId, functionName, type: TYPES[type] });
    // Drift: the history compares this version with the last one it saw (one round trip).
    await observeRead(env, { appid: appidOf(env, params.get("appid")), env: envId, function: functionName }, [{ type: TYPES[type], config }]);
    return { status: 200, body: await presentVersioned(config, reveal, env) };
  } catch (e) {
    return fromTcbError(e);
  }
}

/**
 * A config as the API shows it (see `present`) with its `version`; `null` stays `null`.
 * @param {any} config a FuncConfig from the package, with its real `raw`
 * @param {boolean} reveal
 * @param {Record<string, any>} env the Worker's env (the version key's secret)
 * @returns {Promise<any>}
 */
export async function presentVersioned(config, reveal, env) {
  if (config === null || config === undefined) return null;
  const version = await versionOf(config.raw, env);
  return { ...present(config, reveal), version };
}

/**
 * A config as the API shows it: environment values (items and `raw`) masked unless `reveal`,
 * each masked item with the value's length (the package's `maskConfig`).
 * @param {any} config a FuncConfig from the package, with real values
 * @param {boolean} reveal
 */
export function present(config, reveal) {
  if (config?.kind !== "environment") return config;
  if (reveal) {
    return {
      ...config,
      environment: config.environment.map(({ key, value }) => ({ key, value, masked: false })),
      rawMasked: false,
    };
  }
  return maskConfig(config);
}

/**
 * Config changes as the API shows them. Unless `reveal`, every environment value is the mask,
 * whatever the package sent (it masks them already: `maskChanges` is a second lock).
 * @param {any[]} changes ConfigChange objects from the package
 * @param {boolean} reveal
 */
export function presentChanges(changes, reveal) {
  if (!reveal) return maskChanges(changes);
  if (!Array.isArray(changes)) return [];
  return changes.map((c) => {
    const change = { op: c.op, field: c.field, key: c.key };
    if (c.before !== undefined) change.before = c.before;
    if (c.after !== undefined) change.after = c.after;
    if (c.masked === true) change.masked = true;
    return change;
  });
}

/**
 * The HTTP status for a package error.
 * @param {{ code: string, errcode?: number }} error a TcbError
 * @returns {number}
 */
export function statusFor(error) {
  switch (error.code) {
    case "invalid_argument":
      return 400;
    case "api":
      return isNotConfigured(error) ? 404 : 502;
    case "timeout":
    case "unknown_outcome": // a write that may or may not have happened
      return 504;
    case "conflict":
      return 409;
    case "token": // the token source failed (e.g. the authorizer's ticket is not stored yet)
      return 503;
    default: // http, network, decode, aborted
      return 502;
  }
}

/**
 * The answer for a Durable Object's error answer (TokenStore, Platform): its documented fields
 * only, the package's hint passed through.
 * @param {Response} response
 * @returns {Promise<ApiResult>}
 */
export async function fromStoreAnswer(response) {
  let fields;
  try {
    fields = (await response.json())?.error;
  } catch {
    fields = undefined;
  }
  const e = tcbError(fields);
  if (fields?.code === "misconfigured") return misconfigured(e.hint);
  const error = { code: e.code };
  for (const k of ["errcode", "errmsg"]) if (e[k] !== undefined) error[k] = e[k];
  Object.assign(error, { hint: e.hint, retryable: e.retryable, message: e.message });
  return { status: response.status >= 400 && response.status < 600 ? response.status : statusFor(e), body: { error } };
}

/**
 * The answer for a package error: its documented fields, nothing that could carry a value.
 * @param {unknown} e
 * @returns {ApiResult}
 */
export function fromTcbError(e) {
  if (!isTcbError(e)) return internalError();
  const error = { code: e.code };
  if (e.errcode !== undefined) error.errcode = e.errcode;
  if (e.errmsg !== undefined) error.errmsg = e.errmsg;
  error.hint = e.hint;
  error.retryable = e.retryable;
  // A decode message may quote the config it could not read (environment values): keep only
  // the part before the detail, and never pass `raw` on.
  error.message = e.code === "decode" ? e.message.split(": ")[0] : e.message;
  // A write the package refused (conflict) or could not confirm (unverified): what was
  // expected, what the server has, and the difference, all masked (the package masked the
  // configs already, so their items carry no length; masked again here all the same).
  if (e.code === "conflict" || e.code === "unverified") {
    error.expected = maskConfig(e.expected);
    error.actual = maskConfig(e.actual);
    error.changes = maskChanges(e.changes);
  }
  return { status: statusFor(e), body: { error } };
}
