// The platform's clients: one TcbClient per app per isolate (at most MAX_APP_CLIENTS, the least
// recently used dropped first), each with its token from that app's TokenStore, and the cut-off
// every request acting for an app goes through first: the Platform object's word on the app
// (src/platform-store.js), which also notes lastUsedAt.
import { TcbClient, defaults } from "tcb-funcconfig";
import { apiError } from "./api.js";
import { fromTokenStore, platformStub, sameKey } from "./source.js";

const { baseUrl: DEFAULT_BASE_URL } = defaults();

/** An appid as WeChat makes them (`wx` and 16 hex digits), loosely: what may go into a URL or a name. */
export const APPID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** What to do about an unknown appid. */
export const UNKNOWN_APP_HINT =
  "no such mini program on this platform: add it (\"Add mini program\"), or import the platform's authorizations (POST /api/apps/import)";

/** What the cut-off answers for an app that is not `authorized`. */
const CUT_OFF = {
  revoked: ["the mini program withdrew its authorization", "the mini program's admin must authorize the platform again: \"Add mini program\""],
  reauthorize: ["the mini program's authorization is lost (its refresh token is no longer valid)", "the mini program's admin must authorize again: \"Add mini program\""],
};

/**
 * The appid a platform route acts for, checked: `{ appid }` or `{ refused }` (400 when missing
 * or not an appid).
 */
export function requireAppid(appid) {
  if (appid === null || appid === undefined || appid === "") {
    return { refused: apiError(400, "invalid_argument", "choose a mini program: pass appid", "appid is required on the platform") };
  }
  if (typeof appid !== "string" || !APPID_PATTERN.test(appid)) {
    return { refused: apiError(400, "invalid_argument", "choose a mini program: pass appid", "appid must be a mini program's appid") };
  }
  return { appid };
}

/**
 * The cut-off: the Platform object's word on `appid`, as `null` (authorized) or the refusal.
 * @returns {Promise<import("./api.js").ApiResult | null>}
 */
export async function appRefused(env, appid) {
  let response;
  try {
    response = await platformStub(env).fetch(`https://platform/use?appid=${encodeURIComponent(appid)}`, { method: "POST" });
  } catch {
    response = null;
  }
  if (response?.status === 404) return apiError(404, "unknown_app", UNKNOWN_APP_HINT, "no such mini program in the registry");
  const body = response?.ok ? await response.json().catch(() => null) : null;
  if (!body || typeof body.status !== "string") {
    return apiError(503, "platform", "see the Worker's logs; check the PLATFORM Durable Object", "the platform store failed", true);
  }
  const cut = CUT_OFF[body.status];
  return cut ? apiError(403, body.status, cut[1], cut[0]) : null;
}

/** At most this many apps' clients are kept per isolate; the least recently used goes first. */
const MAX_APP_CLIENTS = 32;
/** appid → { key, client, state }, in order of use (a Map keeps insertion order). */
const appClients = new Map();

/**
 * The isolate's client for a registered, authorized app: `{ client, source, state }`, or
 * `{ refused }` (400 without an appid, 404 unknown, 403 revoked or reauthorize; the isolate's
 * client for the app is then dropped with its cached token), or `{ problem }`.
 * @param {Record<string, any>} env
 * @param {unknown} appid
 */
export async function platformClient(env, appid) {
  const checked = requireAppid(appid);
  if (checked.refused) return checked;
  const refused = await appRefused(env, checked.appid);
  if (refused) {
    appClients.delete(checked.appid);
    return { refused };
  }
  const key = [env.COMPONENT_APPID, env.WECHAT_BASE_URL, env.WECHAT_TIMEOUT_MS];
  const kept = appClients.get(checked.appid);
  if (kept && kept.tokens === env.TOKENS && sameKey(kept.key, key)) {
    appClients.delete(checked.appid);
    appClients.set(checked.appid, kept);
    return kept;
  }
  const baseUrl = env.WECHAT_BASE_URL || DEFAULT_BASE_URL;
  const timeout = env.WECHAT_TIMEOUT_MS ? { timeoutMs: Number(env.WECHAT_TIMEOUT_MS) } : {};
  const state = { expiresAt: 0, lastToken: "", appid: checked.appid };
  let client;
  try {
    client = new TcbClient({ getAccessToken: (ctx) => fromTokenStore(state, env, ctx), baseUrl, ...timeout });
  } catch {
    return { problem: "check the Worker's COMPONENT_APPID / COMPONENT_APPSECRET and WECHAT_BASE_URL / WECHAT_TIMEOUT_MS settings (see edge/README.md)" };
  }
  const entry = { key, tokens: env.TOKENS, source: "platform", client, state };
  appClients.delete(checked.appid);
  appClients.set(checked.appid, entry);
  while (appClients.size > MAX_APP_CLIENTS) appClients.delete(appClients.keys().next().value);
  return entry;
}
