// POST /wechat/events: the third-party platform's authorization event URL (授权事件接收URL).
// WeChat pushes the component_verify_ticket there every 10 minutes, and the authorization
// events (authorized, updateauthorized, unauthorized) when a mini program grants, changes or
// withdraws its authorization. No admin key: the push is verified by its msg_signature and
// decrypted by the package (`decryptPush`); the Platform object (src/platform-store.js)
// refuses a replay and applies it: the ticket is stored; on the platform an authorization's
// code is exchanged (api_query_auth) and the app registered with its profile; `unauthorized`
// marks the app revoked and drops its tokens.
import { decryptPush, isTcbError } from "tcb-funcconfig";
import { apiError, internalError, readBody } from "./api.js";
import { isOneApp, platformStub, readSource } from "./source.js";

export const EVENTS_PATH = "/wechat/events";

/** WeChat's pushes are well under 4 KiB; anything much bigger is not one. */
const MAX_BODY_BYTES = 64 * 1024;

/** The settings a push needs besides the authorizer token source's. */
const PUSH_SETTINGS = ["COMPONENT_TOKEN", "COMPONENT_AES_KEY"];

/** The body types WeChat sends (`text/xml`), or none. */
const XML_TYPES = new Set(["", "text/xml", "application/xml"]);

/** The status of each refusal of the package (`reason`): forged or replayed → 401, unreadable → 400. */
const STATUS_BY_REASON = {
  bad_signature: 401,
  stale: 401,
  not_encrypted: 400,
  bad_base64: 400,
  bad_ciphertext: 400,
  bad_padding: 400,
  bad_length: 400,
  wrong_appid: 400,
  malformed: 400,
};

/**
 * Answers a push. `{ status, body, text? }`: `text` is the literal `success` WeChat expects;
 * otherwise `body` is a JSON error. `infoType` or `reason` goes to the log line.
 * @param {Request} request
 * @param {URL} url
 * @param {Record<string, any>} env
 * @returns {Promise<{ status: number, body?: any, text?: string, note: string }>}
 */
export async function receivePush(request, url, env) {
  if (request.method !== "POST") {
    return { ...apiError(405, "method_not_allowed", "WeChat POSTs its pushes here; nothing else is served"), note: "-" };
  }
  const missing = PUSH_SETTINGS.filter((k) => typeof env[k] !== "string" || env[k] === "");
  const chosen = readSource(env);
  const takesPushes = chosen.source === "authorizer" || chosen.source === "platform";
  if (missing.length > 0 || chosen.problem || !takesPushes) {
    const needs = missing.length > 0 ? `set ${missing.join(" and ")} (the platform's message token and EncodingAESKey, as in its console)` : "";
    const source = chosen.problem ?? (!takesPushes ? `pushes feed the authorizer token source or the platform, but the Worker's source is "${chosen.source}"` : "");
    const hint = [needs, source].filter(Boolean).join("; ") + " (see edge/README.md)";
    return { ...apiError(503, "misconfigured", hint, "the Worker is not set up to receive pushes; nothing was stored"), note: "misconfigured" };
  }
  const type = (request.headers.get("Content-Type") ?? "").split(";")[0].trim().toLowerCase();
  if (!XML_TYPES.has(type)) {
    return { ...apiError(415, "unsupported_media_type", "WeChat sends the push as text/xml"), note: "-" };
  }
  const read = await readBody(request, MAX_BODY_BYTES);
  if (read.tooLarge) return { ...apiError(413, "payload_too_large", `a push is at most ${MAX_BODY_BYTES / 1024} KiB`), note: "-" };
  if (read.text === null) return refusal(400, "malformed", "the body is not UTF-8 text");

  const query = readQuery(url.searchParams);
  if (!query) return refusal(400, "malformed", "the query must carry timestamp, nonce, msg_signature and encrypt_type as WeChat sends them");

  let event;
  try {
    event = await decryptPush({
      query,
      body: read.text,
      token: env.COMPONENT_TOKEN,
      encodingAesKey: env.COMPONENT_AES_KEY,
      componentAppid: env.COMPONENT_APPID,
    });
  } catch (e) {
    if (isTcbError(e) && e.code === "push" && Object.hasOwn(STATUS_BY_REASON, e.reason)) {
      return refusal(STATUS_BY_REASON[e.reason], e.reason, e.hint);
    }
    if (isTcbError(e) && e.code === "invalid_argument") {
      // The query was checked above: what the package refused is a setting (its value is not shown).
      return { ...apiError(503, "misconfigured", "check COMPONENT_TOKEN, COMPONENT_AES_KEY (43 characters) and COMPONENT_APPID (see edge/README.md)",
        "the Worker's push settings are invalid; nothing was stored"), note: "misconfigured" };
    }
    return { ...internalError(), note: "internal" };
  }

  // The Platform refuses a push it has seen (timestamp, nonce and signature) and applies the rest.
  const response = await platformStub(env).fetch("https://platform/push", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ timestamp: query.timestamp, nonce: query.nonce, msgSignature: query.msg_signature, event: storedPart(event, env) }),
  });
  if (response.status === 409) return refusal(401, "replay", "this push was received already; WeChat sends each push with a new nonce");
  if (!response.ok) return { ...apiError(503, "token", "the platform store failed; WeChat sends the push again", "the push was not stored", true), note: "store_failed" };
  const outcome = (await response.json().catch(() => null))?.outcome;
  const note = logName(event.infoType) + (typeof outcome === "string" && /^[a-z0-9_]{1,40}$/.test(outcome) ? ` ${outcome}` : "");
  return { status: 200, text: "success", note };
}

/** The query WeChat sends, checked for shape (the package checks the values), or null. */
function readQuery(params) {
  const timestamp = params.get("timestamp") ?? "";
  const nonce = params.get("nonce") ?? "";
  const msgSignature = params.get("msg_signature") ?? "";
  const encryptType = params.get("encrypt_type") ?? "";
  if (!/^[0-9]{1,12}$/.test(timestamp) || !/^[\x21-\x7e]{1,64}$/.test(nonce) || !/^[0-9a-fA-F]{40}$/.test(msgSignature)) return null;
  if (encryptType.length > 16) return null;
  return { timestamp, nonce, msg_signature: msgSignature, encrypt_type: encryptType };
}

/**
 * What the Platform needs of the event. The authorization code goes along only on the platform,
 * which exchanges it at once (api_query_auth) and keeps only its hash; the one-app platform does
 * not exchange it, and a code kept unused is only a secret lying around.
 */
function storedPart(event, env) {
  const part = { infoType: event.infoType, createTime: event.createTime };
  if (event.componentVerifyTicket !== undefined) part.componentVerifyTicket = event.componentVerifyTicket;
  if (event.authorizerAppid !== undefined) part.authorizerAppid = event.authorizerAppid;
  if (event.authorizationCodeExpiredTime !== undefined) part.authorizationCodeExpiredTime = event.authorizationCodeExpiredTime;
  if (!isOneApp(env) && typeof event.authorizationCode === "string") part.authorizationCode = event.authorizationCode;
  return part;
}

/** The InfoType for the log: WeChat's names as they are, anything else as "other". */
function logName(infoType) {
  return /^[a-z_]{1,40}$/.test(infoType) ? infoType : "other";
}

function refusal(status, reason, hint) {
  return {
    status,
    body: { error: { code: "push", reason, hint, retryable: false, message: `the push was refused (${reason}); nothing was stored` } },
    note: reason,
  };
}
