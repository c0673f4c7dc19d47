// Where the Worker's WeChat access token comes from, and the one TcbClient per isolate (the
// platform's, one per app: src/app-clients.js).
//
// Exactly one token source is configured:
//   static      WECHAT_ACCESS_TOKEN                                  (a fixed token)
//   stable      WECHAT_APPID + WECHAT_APPSECRET                      (the package's stableToken)
//   authorizer  COMPONENT_APPID + COMPONENT_APPSECRET + AUTHORIZER_APPID, with the TOKENS
//               Durable Object (src/token-store.js), which refreshes for every isolate at once:
//               the one-app platform
//   platform    COMPONENT_APPID + COMPONENT_APPSECRET without AUTHORIZER_APPID: every mini
//               program of the registry (the PLATFORM Durable Object, src/platform-store.js),
//               one TokenStore per app and one client per app per isolate
//
// workerd forbids a request to await a promise that another request created (it cancels or
// hangs it), so everything kept here across requests is a plain value: the client (whose own
// token cache holds plain values, and lets one token fetch run at a time while the others
// poll), and the last token's expiry.
import { TcbClient, defaults, stableToken } from "tcb-funcconfig";
import { apiError } from "./api.js";
import { platformClient } from "./app-clients.js";

const { baseUrl: DEFAULT_BASE_URL } = defaults();

/** The settings each source needs; a source counts as chosen when any of them is set. */
const SOURCES = {
  static: ["WECHAT_ACCESS_TOKEN"],
  stable: ["WECHAT_APPID", "WECHAT_APPSECRET"],
  authorizer: ["COMPONENT_APPID", "COMPONENT_APPSECRET", "AUTHORIZER_APPID"],
};
/** The platform's settings: the authorizer source's without AUTHORIZER_APPID. */
const PLATFORM_SETTINGS = ["COMPONENT_APPID", "COMPONENT_APPSECRET"];

const ALL_SOURCES_HINT =
  "set exactly one token source: the WECHAT_ACCESS_TOKEN secret; or WECHAT_APPID and WECHAT_APPSECRET; " +
  "or COMPONENT_APPID, COMPONENT_APPSECRET and AUTHORIZER_APPID with the TOKENS Durable Object (one mini program); " +
  "or COMPONENT_APPID and COMPONENT_APPSECRET with the TOKENS and PLATFORM Durable Objects (the platform; see edge/README.md)";

const isSet = (env, name) => typeof env[name] === "string" && env[name] !== "";

/**
 * The configured token source, or what is wrong with the settings. The problem names settings,
 * never their values. The component settings without AUTHORIZER_APPID are the platform.
 * @param {Record<string, any>} env
 * @returns {{ source: "static" | "stable" | "authorizer" | "platform" } | { problem: string }}
 */
export function readSource(env) {
  const chosen = Object.keys(SOURCES).filter((name) => SOURCES[name].some((k) => isSet(env, k)));
  if (chosen.length === 0) return { problem: `no token source is set: ${ALL_SOURCES_HINT}` };
  if (chosen.length > 1) return { problem: `more than one token source is set (${chosen.join(", ")}): ${ALL_SOURCES_HINT}` };
  const source = chosen[0] === "authorizer" && !isSet(env, "AUTHORIZER_APPID") ? "platform" : chosen[0];
  const needs = source === "platform" ? PLATFORM_SETTINGS : SOURCES[source];
  const missing = needs.filter((k) => !isSet(env, k));
  if (missing.length > 0) {
    const what = source === "platform" ? "the platform (no AUTHORIZER_APPID)" : `the ${source} token source`;
    return { problem: `${what} also needs ${missing.join(" and ")} (see edge/README.md)` };
  }
  if ((source === "authorizer" || source === "platform") && (!env.TOKENS || !env.PLATFORM)) {
    return { problem: `the ${source} token source needs the TOKENS and PLATFORM Durable Object bindings (classes TokenStore and Platform, see edge/wrangler.toml)` };
  }
  return { source };
}

/** Whether the Worker serves one app (AUTHORIZER_APPID set) rather than the platform's registry. */
export function isOneApp(env) {
  return isSet(env, "AUTHORIZER_APPID");
}

/** The Durable Object that holds one authorizer's tokens. */
export function tokenStoreFor(env, appid) {
  const ns = env.TOKENS;
  return ns.get(ns.idFromName(`authorizer:${env.COMPONENT_APPID}:${appid}`));
}

/** The one-app platform's TokenStore. */
export function tokenStoreStub(env) {
  return tokenStoreFor(env, env.AUTHORIZER_APPID);
}

/** The Durable Object of the platform: ticket, pushes, registry, component calls. */
export function platformStub(env) {
  const ns = env.PLATFORM;
  return ns.get(ns.idFromName(`platform:${env.COMPONENT_APPID}`));
}

// --- the client per isolate -----------------------------------------------------------------

/**
 * The isolate's client and the plain values behind it. `key` lists the settings it was built
 * from: when any of them changes, the client is built again.
 */
let current = null;

/**
 * The isolate's TcbClient for the configured source and `appid` (from the query or the body),
 * for one request.
 *
 * One-app platform: `appid` is optional and must be AUTHORIZER_APPID (else 404 `unknown_app`);
 * the TokenStore is asked first whether the authorization still stands: an `unauthorized` push
 * (src/events.js) drops its tokens, and the isolate's cached token must not outlive that by even
 * one request. Platform: `appid` is required, and the Platform object is asked first (which also
 * notes lastUsedAt): `revoked` and `reauthorize` are 403, an unknown app 404. `refused` is then
 * the answer, and the isolate's client for that app is dropped with its cached token.
 * Static and stable sources have no apps: `appid` is not looked at.
 * @param {Record<string, any>} env
 * @param {string | null | undefined} appid
 * @returns {Promise<{ client: TcbClient, source: string, state: object } | { problem: string } | { refused: import("./api.js").ApiResult }>}
 */
export async function clientFor(env, appid) {
  const chosen = readSource(env);
  if (chosen.problem) return chosen;
  if (chosen.source === "platform") return platformClient(env, appid);
  if (chosen.source === "authorizer" && appid !== null && appid !== undefined && appid !== env.AUTHORIZER_APPID) {
    return { refused: apiError(404, "unknown_app", `this Worker serves one mini program (AUTHORIZER_APPID): send its appid, or none`, "no such mini program") };
  }
  const built = buildClient(env);
  if (built.problem || built.source !== "authorizer") return built;
  const refused = await authorizationRefused(env);
  if (!refused) return built;
  if (current === built) current = null;
  return { refused };
}

/** The 503 for an authorizer whose ticket or refresh token is not stored, or null. */
async function authorizationRefused(env) {
  const refuse = (message, hint) => ({ status: 503, body: { error: { code: "token", hint, retryable: false, message } } });
  let stored;
  try {
    const response = await tokenStoreStub(env).fetch("https://token-store/status?brief=1");
    stored = response.ok ? await response.json() : null;
  } catch {
    stored = null;
  }
  if (!stored) return refuse("the token store failed", "see the Worker's logs; check the TOKENS Durable Object");
  if (stored.hasRefreshToken === true) return null;
  // In the order the store itself would say it (src/token-store.js refresh()).
  if (stored.hasTicket !== true) return refuse("no component verify ticket is stored", TICKET_HINT);
  return refuse("no authorizer refresh token is stored", "an admin must POST it to /api/wechat/refresh-token (after the authorization, or after an unauthorized push)");
}

/** What to do when no ticket is stored (also the TokenStore's hint). */
export const TICKET_HINT =
  "register the Worker's /wechat/events as the platform's authorization event URL (WeChat pushes a ticket every 10 minutes), or an admin must POST the ticket to /api/wechat/ticket";

/** The isolate's client, built on first use and again when the settings it depends on change. */
function buildClient(env) {
  const chosen = readSource(env);
  if (chosen.problem) return chosen;
  const { source } = chosen;
  if (source === "platform") return { problem: "the platform's clients are per app (platformClient)" };
  const key = [source, env.WECHAT_BASE_URL, env.WECHAT_TIMEOUT_MS, ...SOURCES[source].map((k) => env[k])];
  if (current && current.tokens === env.TOKENS && sameKey(current.key, key)) return current;

  const baseUrl = env.WECHAT_BASE_URL || DEFAULT_BASE_URL;
  const timeout = env.WECHAT_TIMEOUT_MS ? { timeoutMs: Number(env.WECHAT_TIMEOUT_MS) } : {};
  // Plain values only. Stable: when the last token fetched expires. Authorizer: the last token
  // handed out.
  const state = { expiresAt: 0, lastToken: "" };
  let client;
  try {
    if (source === "static") {
      client = new TcbClient({ accessToken: env.WECHAT_ACCESS_TOKEN, baseUrl, ...timeout });
    } else if (source === "stable") {
      // The client fetches one token at a time for every request of the isolate (see above).
      const provider = stableToken({ appid: env.WECHAT_APPID, secret: env.WECHAT_APPSECRET, baseUrl, ...timeout });
      client = new TcbClient({ getAccessToken: (ctx) => recordExpiry(state, provider, ctx), baseUrl, ...timeout });
    } else {
      client = new TcbClient({ getAccessToken: (ctx) => fromTokenStore(state, env, ctx), baseUrl, ...timeout });
    }
  } catch {
    // The package's message could quote a setting; the operator finds the cause in the README.
    return { problem: `check the Worker's ${SOURCES[source].join(" / ")} and WECHAT_BASE_URL / WECHAT_TIMEOUT_MS settings (see edge/README.md)` };
  }
  // The client replaced (if any) is not freed: a request may still be using it; it is
  // garbage-collected with its memory in the wasm module.
  current = { key, tokens: env.TOKENS, source, client, state };
  return current;
}

/** Whether two lists of settings are the same. */
export function sameKey(a, b) {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * Seconds left on the token this isolate last fetched for the stable source (not known for a
 * static token, nor before the first fetch).
 * @param {Record<string, any>} env
 * @returns {number | undefined}
 */
export function stableExpiresIn(env) {
  const built = buildClient(env);
  if (built.problem || built.source !== "stable" || !built.state.expiresAt) return undefined;
  const left = Math.floor((built.state.expiresAt - Date.now()) / 1000);
  return left > 0 ? left : undefined;
}

// --- stable token: the package's provider, its expiry noted --------------------------------------

/** Calls the stable-token provider and notes when the token it gives expires. */
async function recordExpiry(state, provider, ctx) {
  const issued = await provider(ctx);
  if (typeof issued === "object" && issued !== null && Number.isFinite(issued.expiresIn)) {
    state.expiresAt = Date.now() + issued.expiresIn * 1000;
  }
  return issued;
}

// --- authorizer token: asked of the Durable Object ---------------------------------------------

/**
 * Asks the TokenStore for the authorizer_access_token (of `state.appid` on the platform). After a rejection, the token this
 * isolate last used goes along: the store refreshes only when its token is still that one, so
 * many isolates reporting the same rejected token cause one refresh. The stub is made here, in
 * the calling request, never kept across requests.
 */
export async function fromTokenStore(state, env, { forceRefresh }) {
  const appid = state.appid ?? env.AUTHORIZER_APPID;
  const stub = tokenStoreFor(env, appid);
  const headers = {};
  // A header, not the query: a URL may end up in logs.
  if (forceRefresh && state.lastToken) headers["X-Rejected-Token"] = state.lastToken;
  const response = await stub.fetch(`https://token-store/token?force=${forceRefresh ? 1 : 0}&appid=${encodeURIComponent(appid)}`, { headers });
  const body = await response.json();
  if (!response.ok || typeof body?.accessToken !== "string") throw tcbError(body?.error);
  state.lastToken = body.accessToken;
  return { accessToken: body.accessToken, expiresIn: body.expiresIn };
}

/**
 * Rebuilds the store's error as an error the package passes through unchanged (its `name`,
 * `code` and `hint` make it one); an unknown code becomes the package's `token` code.
 */
export function tcbError(fields) {
  const f = fields && typeof fields === "object" ? fields : {};
  const e = new Error(typeof f.message === "string" ? f.message : "the token store failed");
  e.name = "TcbError";
  e.code = typeof f.code === "string" ? f.code : "token";
  e.hint = typeof f.hint === "string" ? f.hint : "see the Worker's logs; check the TOKENS Durable Object";
  e.retryable = f.retryable === true;
  if (typeof f.errcode === "number") e.errcode = f.errcode;
  if (typeof f.errmsg === "string") e.errmsg = f.errmsg;
  if (typeof f.httpStatus === "number") e.httpStatus = f.httpStatus;
  return e;
}
