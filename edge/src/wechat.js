// The admin routes of the token sources:
//   POST /api/wechat/ticket          {"ticket": "..."}        the component verify ticket
//   POST /api/wechat/refresh-token   {"refreshToken": "..."}  the authorizer refresh token
//   GET  /api/wechat/token-status    which source, what is stored (never a secret)
import { apiError, misconfigured, readBody, refuseCrossSite, statusFor } from "./api.js";
import { readSource, stableExpiresIn, tcbError, tokenStoreStub } from "./source.js";

/** The most a ticket or refresh token may be (WeChat's are about 100 characters). */
const MAX_VALUE_LENGTH = 1024;
/** The most a request body may be. */
const MAX_BODY_BYTES = 4096;

/**
 * `POST /api/wechat/ticket` and `POST /api/wechat/refresh-token`: stores the value in the
 * TokenStore. The caller is an admin already.
 * @param {Request} request
 * @param {URL} url
 * @param {Record<string, any>} env
 * @param {"ticket" | "refreshToken"} field
 * @returns {Promise<import("./api.js").ApiResult>}
 */
export async function storeValue(request, url, env, field) {
  const refused = refuseCrossSite(request, url);
  if (refused) return refused;
  const chosen = readSource(env);
  if (chosen.problem) return misconfigured(chosen.problem);
  if (chosen.source !== "authorizer") {
    return apiError(409, "conflict", `the Worker's token source is "${chosen.source}": a ticket or refresh token is used only by the authorizer source (see edge/README.md)`);
  }
  const value = await readField(request, field);
  if (value === null) {
    return apiError(400, "invalid_argument", "fix the body; nothing was stored",
      `the body must be {"${field}": "..."}: a string of 1 to ${MAX_VALUE_LENGTH} visible characters without spaces`);
  }
  const path = field === "ticket" ? "/ticket" : "/refresh-token";
  const response = await tokenStoreStub(env).fetch(`https://token-store${path}`, {
    method: "PUT",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ [field]: value }),
  });
  if (!response.ok) return storeFailure(response);
  return { status: 200, body: { ok: true } };
}

/**
 * `GET /api/wechat/token-status`: `{ source, hasTicket, hasRefreshToken, accessTokenExpiresIn?,
 * lastAuthorization? }`.
 * @param {Record<string, any>} env
 * @returns {Promise<import("./api.js").ApiResult>}
 */
export async function tokenStatus(env) {
  const chosen = readSource(env);
  if (chosen.problem) return misconfigured(chosen.problem);
  const body = { source: chosen.source, hasTicket: false, hasRefreshToken: false };
  if (chosen.source === "stable") {
    const left = stableExpiresIn(env);
    if (left !== undefined) body.accessTokenExpiresIn = left;
  } else if (chosen.source === "authorizer") {
    const response = await tokenStoreStub(env).fetch("https://token-store/status");
    if (!response.ok) return storeFailure(response);
    const stored = await response.json();
    body.hasTicket = stored.hasTicket === true;
    body.hasRefreshToken = stored.hasRefreshToken === true;
    if (typeof stored.accessTokenExpiresIn === "number") body.accessTokenExpiresIn = stored.accessTokenExpiresIn;
    // The last authorization event pushed to /wechat/events (never its code).
    const last = stored.lastAuthorization;
    if (last && typeof last === "object") {
      body.lastAuthorization = { infoType: String(last.infoType), authorizerAppid: String(last.authorizerAppid), receivedAt: Number(last.receivedAt) };
      if (typeof last.codeExpiredTime === "number") body.lastAuthorization.codeExpiredTime = last.codeExpiredTime;
    }
  }
  return { status: 200, body };
}

/** The body's `field`, or null when the body is not `{field: <acceptable string>}`. */
async function readField(request, field) {
  let read;
  try {
    read = await readBody(request, MAX_BODY_BYTES);
  } catch {
    return null;
  }
  if (read.tooLarge || read.text === null) return null;
  let value;
  try {
    value = JSON.parse(read.text)?.[field];
  } catch {
    return null;
  }
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_VALUE_LENGTH) return null;
  // Visible ASCII only: no spaces, control characters or anything a header or log could mangle.
  return /^[\x21-\x7e]+$/.test(value) ? value : null;
}

/** The store's error answer, with its documented fields only. */
async function storeFailure(response) {
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
