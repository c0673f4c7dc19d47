// Where the Worker's WeChat access token comes from, and the one TcbClient per isolate.
//
// Exactly one token source is configured:
//   static      WECHAT_ACCESS_TOKEN                                  (a fixed token)
//   stable      WECHAT_APPID + WECHAT_APPSECRET                      (the package's stableToken)
//   authorizer  COMPONENT_APPID + COMPONENT_APPSECRET + AUTHORIZER_APPID, with the TOKENS
//               Durable Object (src/token-store.js), which refreshes for every isolate at once
//
// workerd forbids a request to await a promise that another request created (it cancels or
// hangs it), so everything kept here across requests is a plain value: the client (whose own
// token cache holds plain values), a token and its expiry, the time a fetch started.
import { TcbClient, stableToken } from "tcb-funcconfig";

export const DEFAULT_BASE_URL = "https://api.weixin.qq.com";

/** The settings each source needs; a source counts as chosen when any of them is set. */
const SOURCES = {
  static: ["WECHAT_ACCESS_TOKEN"],
  stable: ["WECHAT_APPID", "WECHAT_APPSECRET"],
  authorizer: ["COMPONENT_APPID", "COMPONENT_APPSECRET", "AUTHORIZER_APPID"],
};

const ALL_SOURCES_HINT =
  "set exactly one token source: the WECHAT_ACCESS_TOKEN secret; or WECHAT_APPID and WECHAT_APPSECRET; " +
  "or COMPONENT_APPID, COMPONENT_APPSECRET and AUTHORIZER_APPID with the TOKENS Durable Object (see edge/README.md)";

/** A token is used from a cache only while it has more than this left (as the package does). */
export const RENEW_BEFORE_MS = 300 * 1000;

const isSet = (env, name) => typeof env[name] === "string" && env[name] !== "";

/**
 * The configured token source, or what is wrong with the settings. The problem names settings,
 * never their values.
 * @param {Record<string, any>} env
 * @returns {{ source: "static" | "stable" | "authorizer" } | { problem: string }}
 */
export function readSource(env) {
  const chosen = Object.keys(SOURCES).filter((name) => SOURCES[name].some((k) => isSet(env, k)));
  if (chosen.length === 0) return { problem: `no token source is set: ${ALL_SOURCES_HINT}` };
  if (chosen.length > 1) return { problem: `more than one token source is set (${chosen.join(", ")}): ${ALL_SOURCES_HINT}` };
  const source = chosen[0];
  const missing = SOURCES[source].filter((k) => !isSet(env, k));
  if (missing.length > 0) return { problem: `the ${source} token source also needs ${missing.join(" and ")} (see edge/README.md)` };
  if (source === "authorizer" && !env.TOKENS) {
    return { problem: "the authorizer token source needs the TOKENS Durable Object binding (class TokenStore, see edge/wrangler.toml)" };
  }
  return { source };
}

/** The Durable Object that holds one authorizer's tokens. */
export function tokenStoreStub(env) {
  const ns = env.TOKENS;
  return ns.get(ns.idFromName(`authorizer:${env.COMPONENT_APPID}:${env.AUTHORIZER_APPID}`));
}

// --- the client per isolate -----------------------------------------------------------------

/**
 * The isolate's client and the plain values behind it. `key` lists the settings it was built
 * from: when any of them changes, the client is built again.
 */
let current = null;

/**
 * The isolate's TcbClient for the configured source, built on first use and again when the
 * settings it depends on change.
 * @param {Record<string, any>} env
 * @returns {{ client: TcbClient, source: string, state: object } | { problem: string }}
 */
export function clientFor(env) {
  const chosen = readSource(env);
  if (chosen.problem) return chosen;
  const { source } = chosen;
  const key = [source, env.WECHAT_BASE_URL, env.WECHAT_TIMEOUT_MS, ...SOURCES[source].map((k) => env[k])];
  if (current && current.tokens === env.TOKENS && sameKey(current.key, key)) return current;

  const baseUrl = env.WECHAT_BASE_URL || DEFAULT_BASE_URL;
  const timeout = env.WECHAT_TIMEOUT_MS ? { timeoutMs: Number(env.WECHAT_TIMEOUT_MS) } : {};
  // Plain values only. Stable: the last token and its expiry, the fetch in flight (its number,
  // start time, whether forced) and how many fetches have stored a token. Authorizer: the last
  // token handed out.
  const state = { token: "", expiresAt: 0, fetchId: 0, fetching: 0, fetchStarted: 0, forcedFetch: false, generation: 0, lastToken: "" };
  let client;
  try {
    if (source === "static") {
      client = new TcbClient({ accessToken: env.WECHAT_ACCESS_TOKEN, baseUrl, ...timeout });
    } else if (source === "stable") {
      const provider = stableToken({ appid: env.WECHAT_APPID, secret: env.WECHAT_APPSECRET, baseUrl, ...timeout });
      const waitLimitMs = Number(env.WECHAT_TIMEOUT_MS) || 10000;
      client = new TcbClient({ getAccessToken: (ctx) => coalesced(state, provider, ctx, waitLimitMs), baseUrl, ...timeout });
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

function sameKey(a, b) {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * Seconds left on the token this isolate last fetched for the stable source (not known for a
 * static token, nor before the first fetch).
 * @param {Record<string, any>} env
 * @returns {number | undefined}
 */
export function stableExpiresIn(env) {
  const built = clientFor(env);
  if (built.problem || built.source !== "stable" || !built.state.token) return undefined;
  const left = Math.floor((built.state.expiresAt - Date.now()) / 1000);
  return left > 0 ? left : undefined;
}

// --- stable token: one fetch at a time per isolate ---------------------------------------------

const POLL_MS = 20;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The stable-token provider behind one fetch per isolate at a time. A request that finds a
 * fetch in flight does not await it (that promise belongs to another request): it polls the
 * plain values on its own timer until the fetch has stored its token, or until the fetch has
 * taken longer than `waitLimitMs` (its request may have been cancelled), then fetches itself.
 *
 * After a rejection (`forceRefresh`) a request waits only for a forced fetch in flight: a plain
 * fetch started before the rejection could bring back the rejected token.
 */
async function coalesced(state, provider, { forceRefresh, signal }, waitLimitMs) {
  const arrived = state.generation;
  const since = Date.now();
  const joinable = () => state.fetching !== 0 && (!forceRefresh || state.forcedFetch);
  if (joinable()) {
    const waiting = () =>
      state.generation === arrived && joinable() && Date.now() - state.fetchStarted < waitLimitMs && Date.now() - since < waitLimitMs;
    while (waiting() && !signal?.aborted) await sleep(POLL_MS);
    const usable = state.token && state.expiresAt - Date.now() > RENEW_BEFORE_MS;
    if (state.generation > arrived && usable) return { accessToken: state.token, expiresIn: secondsLeft(state) };
  } else if (!forceRefresh && state.token && state.expiresAt - Date.now() > RENEW_BEFORE_MS) {
    // This isolate has a usable token already (the client asked before it stored it).
    return { accessToken: state.token, expiresIn: secondsLeft(state) };
  }
  const id = ++state.fetchId;
  state.fetching = id;
  state.fetchStarted = Date.now();
  state.forcedFetch = Boolean(forceRefresh);
  try {
    const issued = await provider({ forceRefresh: Boolean(forceRefresh), signal });
    const token = typeof issued === "string" ? issued : issued.accessToken;
    const expiresIn = typeof issued === "string" ? undefined : issued.expiresIn;
    state.token = token;
    state.expiresAt = Date.now() + (expiresIn ?? 0) * 1000;
    state.generation++;
    return issued;
  } finally {
    // Only the latest fetch clears the mark (a newer one may have started meanwhile).
    if (state.fetching === id) {
      state.fetching = 0;
      state.forcedFetch = false;
    }
  }
}

function secondsLeft(state) {
  return Math.max(0, Math.floor((state.expiresAt - Date.now()) / 1000));
}

// --- authorizer token: asked of the Durable Object ---------------------------------------------

/**
 * Asks the TokenStore for the authorizer_access_token. After a rejection, the token this
 * isolate last used goes along: the store refreshes only when its token is still that one, so
 * many isolates reporting the same rejected token cause one refresh. The stub is made here, in
 * the calling request, never kept across requests.
 */
async function fromTokenStore(state, env, { forceRefresh }) {
  const stub = tokenStoreStub(env);
  const headers = {};
  // A header, not the query: a URL may end up in logs.
  if (forceRefresh && state.lastToken) headers["X-Rejected-Token"] = state.lastToken;
  const response = await stub.fetch(`https://token-store/token?force=${forceRefresh ? 1 : 0}`, { headers });
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
