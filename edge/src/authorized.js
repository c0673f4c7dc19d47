// GET /wechat/authorized?auth_code=…&expires_in=600: where WeChat sends a mini program's admin
// after the authorization page (the `redirect_uri` of POST /api/apps/authorize). No admin key:
// the single-use code is the credential. The Platform object exchanges it (api_query_auth, once
// per code), stores the refresh token in the app's TokenStore, reads the profile and registers
// the app. The answer is a 303 to the page: `/?app=<appid>&authorized=1`, or
// `/?authorization_error=<invalid_code|expired_code|no_ticket|failed>`. The code is never
// logged, stored or echoed.
import { APPID_PATTERN } from "./app-clients.js";
import { platformStub, readSource } from "./source.js";

export const AUTHORIZED_PATH = "/wechat/authorized";

/** An authorization code as WeChat sends it: visible ASCII, a few dozen characters. */
const CODE_PATTERN = /^[\x21-\x7e]{1,512}$/;

/** The page's error word for each failure the Platform reports. */
const ERROR_BY_ERRCODE = { 61009: "invalid_code", 61010: "expired_code", 61005: "no_ticket", 61006: "no_ticket" };

/**
 * Answers the redirect. `{ location, note }`: where to send the browser (303) and a word for the
 * log line.
 * @param {Request} request
 * @param {URL} url
 * @param {Record<string, any>} env
 * @returns {Promise<{ status: number, location?: string, text?: string, note: string }>}
 */
export async function receiveAuthorization(request, url, env) {
  if (request.method !== "GET") return { status: 405, text: "WeChat's authorization page redirects here with GET", note: "-" };
  const fail = (error) => ({ status: 303, location: `/?authorization_error=${error}`, note: error });
  const chosen = readSource(env);
  if (chosen.problem || chosen.source !== "platform") return fail("failed");
  const code = url.searchParams.get("auth_code");
  if (code === null || !CODE_PATTERN.test(code)) return fail("invalid_code");

  let response;
  try {
    response = await platformStub(env).fetch("https://platform/exchange", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ code }),
    });
  } catch {
    return fail("failed");
  }
  const body = await response.json().catch(() => null);
  if (response.ok && typeof body?.appid === "string" && APPID_PATTERN.test(body.appid)) {
    return { status: 303, location: `/?app=${encodeURIComponent(body.appid)}&authorized=1`, note: "registered" };
  }
  const error = body?.error;
  if (error?.code === "no_ticket") return fail("no_ticket");
  return fail(ERROR_BY_ERRCODE[error?.errcode] ?? "failed");
}
