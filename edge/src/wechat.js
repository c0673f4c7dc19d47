// The admin routes of the token sources:
//   POST /api/wechat/ticket          {"ticket": "..."}        the component verify ticket (the platform's)
//   POST /api/wechat/refresh-token   {"refreshToken": "...", "appid"?}  an authorizer's refresh token
//   GET  /api/wechat/token-status[?appid=A]  which source, what is stored (never a secret)
import { apiError, fromStoreAnswer, misconfigured, readBody, refuseCrossSite } from "./api.js";
import { UNKNOWN_APP_HINT, requireAppid } from "./app-clients.js";
import { platformStub, readSource, stableExpiresIn, tokenStoreFor } from "./source.js";

/** The most a ticket or refresh token may be (WeChat's are about 100 characters). */
const MAX_VALUE_LENGTH = 1024;
/** The most a request body may be. */
const MAX_BODY_BYTES = 4096;

/**
 * `POST /api/wechat/ticket` and `POST /api/wechat/refresh-token`: stores the ticket in the
 * Platform object, the refresh token in the app's TokenStore (`appid` in the body: required on
 * the platform, optional for the one-app platform). The caller is an admin already.
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
  if (chosen.source !== "authorizer" && chosen.source !== "platform") {
    return apiError(409, "conflict", `the Worker's token source is "${chosen.source}": a ticket or refresh token is used only by the authorizer source (see edge/README.md)`);
  }
  const read = await readFields(request, field);
  if (read === null || read.value === null) {
    return apiError(400, "invalid_argument", "fix the body; nothing was stored",
      `the body must be {"${field}": "..."}: a string of 1 to ${MAX_VALUE_LENGTH} visible characters without spaces`);
  }
  let stub;
  if (field === "ticket") {
    stub = platformStub(env).fetch("https://platform/ticket", putJson({ ticket: read.value }));
  } else {
    const target = await appFor(env, chosen.source, read.appid);
    if (target.refused) return target.refused;
    stub = tokenStoreFor(env, target.appid).fetch(`https://token-store/refresh-token?appid=${encodeURIComponent(target.appid)}`, putJson({ refreshToken: read.value }));
  }
  const response = await stub;
  if (!response.ok) return fromStoreAnswer(response);
  return { status: 200, body: { ok: true } };
}

const putJson = (body) => ({ method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });

/**
 * The app a token route acts for: the one-app platform's own (another appid is 404), or on the
 * platform a registered one (required: 400 without, 404 when not in the registry).
 */
async function appFor(env, source, appid) {
  if (source === "authorizer") {
    if (appid !== null && appid !== undefined && appid !== env.AUTHORIZER_APPID) {
      return { refused: apiError(404, "unknown_app", "this Worker serves one mini program (AUTHORIZER_APPID): send its appid, or none", "no such mini program") };
    }
    return { appid: env.AUTHORIZER_APPID };
  }
  const checked = requireAppid(appid);
  if (checked.refused) return checked;
  const response = await platformStub(env).fetch(`https://platform/app?appid=${encodeURIComponent(appid)}`);
  if (response.status === 404) return { refused: apiError(404, "unknown_app", UNKNOWN_APP_HINT, "no such mini program in the registry") };
  if (!response.ok) return { refused: await fromStoreAnswer(response) };
  return { appid };
}

/**
 * `GET /api/wechat/token-status[?appid=A]`: `{ source, hasTicket, hasRefreshToken,
 * accessTokenExpiresIn?, lastAuthorization? }`. On the platform without `appid`: the platform's
 * own part (`hasTicket`, `lastAuthorization`).
 * @param {URLSearchParams} params
 * @param {Record<string, any>} env
 * @returns {Promise<import("./api.js").ApiResult>}
 */
export async function tokenStatus(params, env) {
  const chosen = readSource(env);
  if (chosen.problem) return misconfigured(chosen.problem);
  const body = { source: chosen.source, hasTicket: false, hasRefreshToken: false };
  if (chosen.source === "stable") {
    const left = stableExpiresIn(env);
    if (left !== undefined) body.accessTokenExpiresIn = left;
  } else if (chosen.source === "authorizer" || chosen.source === "platform") {
    const appid = params.get("appid");
    const platform = await platformStub(env).fetch("https://platform/status");
    if (!platform.ok) return fromStoreAnswer(platform);
    const shared = await platform.json();
    body.hasTicket = shared.hasTicket === true;
    if (chosen.source === "authorizer" || appid !== null) {
      const target = await appFor(env, chosen.source, appid);
      if (target.refused) return target.refused;
      const response = await tokenStoreFor(env, target.appid).fetch(`https://token-store/status?brief=1&appid=${encodeURIComponent(target.appid)}`);
      if (!response.ok) return fromStoreAnswer(response);
      const stored = await response.json();
      body.hasRefreshToken = stored.hasRefreshToken === true;
      if (typeof stored.accessTokenExpiresIn === "number") body.accessTokenExpiresIn = stored.accessTokenExpiresIn;
    } else {
      delete body.hasRefreshToken;
    }
    // The last authorization event pushed to /wechat/events (never its code).
    const last = shared.lastAuthorization;
    if (last && typeof last === "object") {
      body.lastAuthorization = { infoType: String(last.infoType), authorizerAppid: String(last.authorizerAppid), receivedAt: Number(last.receivedAt) };
      if (typeof last.codeExpiredTime === "number") body.lastAuthorization.codeExpiredTime = last.codeExpiredTime;
    }
  }
  return { status: 200, body };
}

/**
 * The body's `field` (`value`, null when it is not an acceptable string) and `appid` (as sent),
 * or null when the body is not a JSON object.
 */
async function readFields(request, field) {
  let read;
  try {
    read = await readBody(request, MAX_BODY_BYTES);
  } catch {
    return null;
  }
  if (read.tooLarge || read.text === null) return null;
  let body;
  try {
    body = JSON.parse(read.text);
  } catch {
    return null;
  }
  if (typeof body !== "object" || body === null) return null;
  const value = body[field];
  const appid = body.appid;
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_VALUE_LENGTH) return { value: null, appid };
  // Visible ASCII only: no spaces, control characters or anything a header or log could mangle.
  return { value: /^[\x21-\x7e]+$/.test(value) ? value : null, appid };
}
