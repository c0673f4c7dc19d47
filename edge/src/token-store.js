// TokenStore: the Durable Object behind the authorizer token source. One instance per
// authorizer (named `authorizer:<COMPONENT_APPID>:<AUTHORIZER_APPID>`) keeps, in its durable
// storage, the component verify ticket, the authorizer refresh token and the current
// authorizer_access_token with its expiry, and performs every refresh of that token, one at a
// time, for all the Worker's isolates.
//
// Internal routes (reached only through the TOKENS binding, never from the Internet):
//   GET /token?force=0|1   (+ X-Rejected-Token: <token> after a rejection) → {accessToken, expiresIn}
//   GET /status            → {hasTicket, hasRefreshToken, accessTokenExpiresIn?}
//   PUT /ticket            {ticket}        the component verify ticket WeChat pushed
//   PUT /refresh-token     {refreshToken}  after an authorization
//   POST /push             {timestamp, nonce, msgSignature, event} a push WeChat sent to
//                          /wechat/events, verified and decrypted (src/events.js): 409 when
//                          seen already, else applied → {ok}
import { DurableObject } from "cloudflare:workers";
import { authorizerToken, defaults, isTcbError } from "tcb-funcconfig";
import { TICKET_HINT } from "./source.js";

const { baseUrl: DEFAULT_BASE_URL, renewBeforeSecs } = defaults();
/** A token is used from the store only while it has more than this left (as the package does). */
const RENEW_BEFORE_MS = renewBeforeSecs * 1000;

/** When WeChat's answer carries no `expires_in` (it always does): its documented lifetime. */
const DEFAULT_EXPIRES_IN_S = 7200;
/**
 * A failed refresh is answered again, without asking WeChat, for this long (or until a ticket
 * or refresh token is stored): requests arriving just after a failure would otherwise each try
 * again, one after the other.
 */
const FAILURE_HOLD_MS = 2000;
/**
 * How long a push's (timestamp, nonce, msg_signature) is remembered. The package accepts a
 * timestamp up to 300 s either side of now, so a push seen now can be accepted again until at
 * most 600 s from now; after that it is refused as stale anyway.
 */
const REPLAY_KEEP_MS = 600 * 1000;

export class TokenStore extends DurableObject {
  /**
   * @param {DurableObjectState} ctx
   * @param {Record<string, any>} env
   */
  constructor(ctx, env) {
    super(ctx, env);
    /** @type {{ ticket: string, refreshToken: string, access: { token: string, expiresAt: number } | null, lastAuthorization: object | null }} */
    this.saved = { ticket: "", refreshToken: "", access: null, lastAuthorization: null };
    /** The refresh in flight, shared by this object's own concurrent requests (see accessToken()). */
    this.refreshing = null;
    /** The last failed refresh, answered again until `until`. */
    this.failure = null;
    /** The package's provider and the settings it was built from. */
    this.provider = null;
    // No request is delivered before the stored values are loaded.
    ctx.blockConcurrencyWhile(async () => {
      const stored = await ctx.storage.get(["ticket", "refreshToken", "access", "lastAuthorization"]);
      this.saved.ticket = stored.get("ticket") ?? "";
      this.saved.refreshToken = stored.get("refreshToken") ?? "";
      this.saved.access = stored.get("access") ?? null;
      this.saved.lastAuthorization = stored.get("lastAuthorization") ?? null;
    });
  }

  /** @param {Request} request */
  async fetch(request) {
    const url = new URL(request.url);
    const route = `${request.method} ${url.pathname}`;
    try {
      switch (route) {
        case "GET /token": {
          const rejected = url.searchParams.get("force") === "1" ? request.headers.get("X-Rejected-Token") ?? "" : "";
          return Response.json(await this.accessToken(rejected));
        }
        case "GET /status":
          return Response.json(this.status());
        case "PUT /ticket":
          return await this.store(request, "ticket");
        case "PUT /refresh-token":
          return await this.store(request, "refreshToken");
        case "POST /push":
          return await this.push(request);
        default:
          return failure(404, { code: "not_found", hint: "no such TokenStore route", message: "not found" });
      }
    } catch (e) {
      return fromError(e);
    }
  }

  status() {
    const body = { hasTicket: this.saved.ticket !== "", hasRefreshToken: this.saved.refreshToken !== "" };
    if (this.saved.lastAuthorization) body.lastAuthorization = this.saved.lastAuthorization;
    const left = this.saved.access ? Math.floor((this.saved.access.expiresAt - Date.now()) / 1000) : 0;
    if (left > 0) body.accessTokenExpiresIn = left;
    return body;
  }

  async store(request, field) {
    let value;
    try {
      value = (await request.json())?.[field];
    } catch {
      value = undefined;
    }
    if (typeof value !== "string" || value === "") {
      return failure(400, { code: "invalid_argument", hint: `send {"${field}": "..."}`, message: `${field} must be a non-empty string` });
    }
    // Stored before it is used; an older value is simply replaced.
    await this.ctx.storage.put(field, value);
    this.saved[field] = value;
    this.failure = null;
    return Response.json({ ok: true });
  }

  /**
   * A verified push: refused (409) when its (timestamp, nonce, msg_signature) was seen within
   * REPLAY_KEEP_MS, else remembered and applied. Claiming the key is one synchronous SQLite
   * step, so two copies of a push arriving at once cannot both pass; if applying fails, the
   * claim is dropped again so that WeChat's retry is not taken for a replay.
   */
  async push(request) {
    let body;
    try {
      body = await request.json();
    } catch {
      body = undefined;
    }
    const { timestamp, nonce, msgSignature, event } = body ?? {};
    if (![timestamp, nonce, msgSignature].every((v) => typeof v === "string" && v !== "" && v.length <= 64) || typeof event?.infoType !== "string") {
      return failure(400, { code: "invalid_argument", hint: "send {timestamp, nonce, msgSignature, event}", message: "not a push" });
    }
    const sql = this.ctx.storage.sql;
    const now = Date.now();
    sql.exec("CREATE TABLE IF NOT EXISTS push_seen (timestamp TEXT NOT NULL, nonce TEXT NOT NULL, msg_signature TEXT NOT NULL, seen_at INTEGER NOT NULL, PRIMARY KEY (timestamp, nonce, msg_signature))");
    sql.exec("DELETE FROM push_seen WHERE seen_at < ?", now - REPLAY_KEEP_MS);
    const seen = sql.exec("SELECT 1 FROM push_seen WHERE timestamp = ? AND nonce = ? AND msg_signature = ?", timestamp, nonce, msgSignature).toArray();
    if (seen.length > 0) return failure(409, { code: "replay", hint: "this push was received already", message: "replayed push" });
    sql.exec("INSERT INTO push_seen (timestamp, nonce, msg_signature, seen_at) VALUES (?, ?, ?, ?)", timestamp, nonce, msgSignature, now);
    try {
      await this.apply(event, now);
    } catch (e) {
      sql.exec("DELETE FROM push_seen WHERE timestamp = ? AND nonce = ? AND msg_signature = ?", timestamp, nonce, msgSignature);
      throw e;
    }
    return Response.json({ ok: true });
  }

  /** What a push changes: the ticket, this authorizer's tokens, or a note of an authorization. */
  async apply(event, now) {
    switch (event.infoType) {
      case "component_verify_ticket": {
        const ticket = event.componentVerifyTicket;
        if (typeof ticket !== "string" || ticket === "") return;
        await this.ctx.storage.put("ticket", ticket);
        this.saved.ticket = ticket;
        this.failure = null;
        return;
      }
      case "unauthorized":
        // Access is gone: the tokens are dropped, so the next request of any isolate is refused
        // (src/source.js asks this object before each call) until a new authorization is stored.
        if (event.authorizerAppid !== this.env.AUTHORIZER_APPID) return;
        await this.ctx.storage.delete(["refreshToken", "access"]);
        this.saved.refreshToken = "";
        this.saved.access = null;
        this.failure = null;
        return;
      case "authorized":
      case "updateauthorized": {
        // The code itself is not kept: it is exchanged through api_query_auth, which this Worker
        // does not call yet; an admin stores the refresh token instead.
        const note = {
          infoType: event.infoType,
          authorizerAppid: typeof event.authorizerAppid === "string" ? event.authorizerAppid : "",
          receivedAt: Math.floor(now / 1000),
        };
        if (Number.isFinite(event.authorizationCodeExpiredTime)) note.codeExpiredTime = event.authorizationCodeExpiredTime;
        await this.ctx.storage.put("lastAuthorization", note);
        this.saved.lastAuthorization = note;
        return;
      }
      default:
        // Another InfoType: accepted, nothing to keep.
        return;
    }
  }

  /**
   * The cached token while it has more than 300 s left and is not `rejected`; otherwise the
   * result of a refresh.
   *
   * Every request of this object that needs a refresh awaits the same promise. That is safe
   * here, unlike between a Worker's requests: all requests to one Durable Object share the
   * object's I/O context, so one request may await what another started (a plain Worker
   * request would be cancelled or hang). The object's requests do interleave at every await
   * (its input gate only holds them during storage operations), so without the shared promise
   * N requests arriving during a refresh would start N refreshes, and with a rotating refresh
   * token all but one of them would fail (61023: the first one used it up).
   *
   * A refresh already in flight always brings a token newer than any handed out, so it serves
   * every waiter, whichever token each of them saw rejected. A failure is shared the same way,
   * and answered again for FAILURE_HOLD_MS.
   * @param {string} rejected the token a caller saw rejected, or ""
   */
  async accessToken(rejected) {
    const access = this.saved.access;
    if (access && access.expiresAt - Date.now() > RENEW_BEFORE_MS && access.token !== rejected) {
      return { accessToken: access.token, expiresIn: Math.floor((access.expiresAt - Date.now()) / 1000) };
    }
    if (this.refreshing) return this.refreshing;
    if (this.failure && Date.now() < this.failure.until) throw this.failure.error;
    this.refreshing = this.refresh().then(
      (issued) => {
        this.failure = null;
        return issued;
      },
      (e) => {
        this.failure = { error: e, until: Date.now() + FAILURE_HOLD_MS };
        throw e;
      },
    ).finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /** One refresh through the package: component_access_token (cached in the provider), then authorizer_access_token. */
  async refresh() {
    if (!this.saved.ticket) {
      throw notReady("no component verify ticket is stored", TICKET_HINT);
    }
    if (!this.saved.refreshToken) {
      throw notReady("no authorizer refresh token is stored", "an admin must POST it to /api/wechat/refresh-token (after the authorization)");
    }
    const getAccessToken = this.tokenProvider();
    const issued = await getAccessToken({ forceRefresh: true });
    if (!this.saved.refreshToken) {
      // Withdrawn (an `unauthorized` push) while this refresh was under way.
      throw notReady("the authorization was withdrawn", "the mini program must authorize the platform again; then store the new refresh token");
    }
    const expiresIn = issued.expiresIn ?? DEFAULT_EXPIRES_IN_S;
    const access = { token: issued.accessToken, expiresAt: Date.now() + expiresIn * 1000 };
    await this.ctx.storage.put("access", access);
    this.saved.access = access;
    return { accessToken: access.token, expiresIn };
  }

  /** The package's authorizerToken provider, built again when a setting it uses changes. */
  tokenProvider() {
    const env = this.env;
    const key = [env.COMPONENT_APPID, env.COMPONENT_APPSECRET, env.AUTHORIZER_APPID, env.WECHAT_BASE_URL, env.WECHAT_TIMEOUT_MS].join("\n");
    if (this.provider?.key === key) return this.provider.getAccessToken;
    let getAccessToken;
    try {
      getAccessToken = authorizerToken({
        componentAppid: env.COMPONENT_APPID ?? "",
        componentAppsecret: env.COMPONENT_APPSECRET ?? "",
        authorizerAppid: env.AUTHORIZER_APPID ?? "",
        baseUrl: env.WECHAT_BASE_URL || DEFAULT_BASE_URL,
        ...(env.WECHAT_TIMEOUT_MS ? { timeoutMs: Number(env.WECHAT_TIMEOUT_MS) } : {}),
        getComponentVerifyTicket: () => this.saved.ticket,
        getAuthorizerRefreshToken: () => this.saved.refreshToken,
        // The package awaits this before it hands out the new access token: a rotated refresh
        // token (the old one is dead from now on) is durable before anything uses the new one.
        saveAuthorizerRefreshToken: async (refreshToken) => {
          // Withdrawn meanwhile: the rotated token is not brought back.
          if (!this.saved.refreshToken) return;
          await this.ctx.storage.put("refreshToken", refreshToken);
          this.saved.refreshToken = refreshToken;
        },
      });
    } catch {
      throw Object.assign(new Error("the authorizer settings are invalid"), {
        storeError: {
          status: 500,
          code: "misconfigured",
          hint: "check the Worker's COMPONENT_APPID / COMPONENT_APPSECRET / AUTHORIZER_APPID and WECHAT_BASE_URL / WECHAT_TIMEOUT_MS settings (see edge/README.md)",
        },
      });
    }
    this.provider = { key, getAccessToken };
    return getAccessToken;
  }
}

function notReady(message, hint) {
  return Object.assign(new Error(message), { storeError: { status: 503, code: "token", hint, retryable: false } });
}

function failure(status, error) {
  return Response.json({ error: { retryable: false, ...error } }, { status });
}

/**
 * A failure as an answer: the package's errors keep their documented fields (never `raw`, which
 * could quote a token answer); anything unexpected says nothing about itself.
 */
function fromError(e) {
  if (e?.storeError) {
    const { status, ...fields } = e.storeError;
    return failure(status, { ...fields, message: e.message });
  }
  if (isTcbError(e)) {
    const error = { code: e.code, hint: e.hint, retryable: e.retryable, message: e.message };
    for (const k of ["errcode", "errmsg", "httpStatus"]) if (e[k] !== undefined) error[k] = e[k];
    return failure(e.code === "api" || e.code === "http" || e.code === "network" || e.code === "decode" ? 502 : 503, error);
  }
  return failure(500, { code: "internal", hint: "an unexpected error in the token store; try again", message: "internal error", retryable: true });
}
