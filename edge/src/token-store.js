// TokenStore: the Durable Object behind the authorizer token source. One instance per
// authorizer (named `authorizer:<COMPONENT_APPID>:<appid>`) keeps, in its durable storage, the
// authorizer refresh token and the current authorizer_access_token with its expiry, and
// performs every refresh of that token, one at a time, for all the Worker's isolates. It learns
// its appid from each request (query `appid`; the one-app platform's AUTHORIZER_APPID when
// absent). The component_access_token is the platform's: the Platform object
// (src/platform-store.js) keeps one for every TokenStore and is asked for it at each refresh
// (again, with the rejected token, when WeChat refuses it).
//
// Internal routes (reached only through the TOKENS binding, never from the Internet):
//   GET  /token?force=0|1[&appid=A]  (+ X-Rejected-Token: <token> after a rejection) → {accessToken, expiresIn}
//   GET  /status[?brief=1]  → {hasTicket, hasRefreshToken, accessTokenExpiresIn?}; brief: the
//                             ticket is asked of the Platform only when no refresh token is stored
//   PUT  /refresh-token     {refreshToken}  after an authorization
//   POST /withdraw          the authorization was withdrawn (an `unauthorized` push): tokens dropped
import { DurableObject } from "cloudflare:workers";
import { authorizerToken, defaults, isTcbError } from "tcb-funcconfig";
import { TICKET_HINT, isOneApp, platformStub, tcbError } from "./source.js";

const { baseUrl: DEFAULT_BASE_URL, renewBeforeSecs } = defaults();
/** A token is used from the store only while it has more than this left (as the package does). */
const RENEW_BEFORE_MS = renewBeforeSecs * 1000;

/** When WeChat's answer carries no `expires_in` (it always does): its documented lifetime. */
const DEFAULT_EXPIRES_IN_S = 7200;
/**
 * A failed refresh is answered again, without asking WeChat, for this long (or until a refresh
 * token is stored): requests arriving just after a failure would otherwise each try again, one
 * after the other. A store that holds nothing yet is not held: it is told at once.
 */
const FAILURE_HOLD_MS = 2000;

export class TokenStore extends DurableObject {
  /**
   * @param {DurableObjectState} ctx
   * @param {Record<string, any>} env
   */
  constructor(ctx, env) {
    super(ctx, env);
    /** @type {{ refreshToken: string, access: { token: string, expiresAt: number } | null }} */
    this.saved = { refreshToken: "", access: null };
    /** This authorizer's appid, from the requests (the object's name holds it too). */
    this.appid = "";
    /** The component token the Platform last gave (sent back after a rejection). */
    this.componentToken = "";
    /** The refresh in flight, shared by this object's own concurrent requests (see accessToken()). */
    this.refreshing = null;
    /** The last failed refresh, answered again until `until`. */
    this.failure = null;
    /** The package's provider and the settings it was built from. */
    this.provider = null;
    // No request is delivered before the stored values are loaded.
    ctx.blockConcurrencyWhile(async () => {
      const stored = await ctx.storage.get(["refreshToken", "access"]);
      this.saved.refreshToken = stored.get("refreshToken") ?? "";
      this.saved.access = stored.get("access") ?? null;
    });
  }

  /** @param {Request} request */
  async fetch(request) {
    const url = new URL(request.url);
    const route = `${request.method} ${url.pathname}`;
    const appid = url.searchParams.get("appid") || this.env.AUTHORIZER_APPID || "";
    if (appid) this.appid = appid;
    try {
      switch (route) {
        case "GET /token": {
          const rejected = url.searchParams.get("force") === "1" ? request.headers.get("X-Rejected-Token") ?? "" : "";
          return Response.json(await this.accessToken(rejected));
        }
        case "GET /status":
          return Response.json(await this.status(url.searchParams.get("brief") === "1"));
        case "PUT /refresh-token":
          return await this.store(request, "refreshToken");
        case "POST /withdraw":
          await this.withdraw();
          return Response.json({ ok: true });
        default:
          return failure(404, { code: "not_found", hint: "no such TokenStore route", message: "not found" });
      }
    } catch (e) {
      return fromError(e);
    }
  }

  /** What is stored (never a value). `brief`: the Platform is asked only when it matters. */
  async status(brief) {
    const body = { hasTicket: false, hasRefreshToken: this.saved.refreshToken !== "" };
    if (!brief || !body.hasRefreshToken) body.hasTicket = (await this.platformTicket()) !== "";
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
   * Access is gone (an `unauthorized` push, or a refresh token WeChat no longer takes): the
   * tokens are dropped, so the next request of any isolate is refused until a new authorization
   * is stored.
   */
  async withdraw() {
    await this.ctx.storage.delete(["refreshToken", "access"]);
    this.saved.refreshToken = "";
    this.saved.access = null;
    this.failure = null;
  }

  /** The platform's ticket, asked of the Platform object ("" when none is stored). */
  async platformTicket() {
    const response = await platformStub(this.env).fetch("https://platform/ticket");
    if (!response.ok) throw notReady("the platform store failed", "see the Worker's logs; check the PLATFORM Durable Object");
    const { ticket } = await response.json();
    return typeof ticket === "string" ? ticket : "";
  }

  /**
   * The platform's component_access_token, asked of the Platform object; `force` after WeChat
   * rejected the one it gave, which goes along so that the Platform renews it only once for all
   * the TokenStores that saw it rejected.
   */
  async platformComponentToken(force) {
    const headers = force && this.componentToken ? { "X-Rejected-Token": this.componentToken } : {};
    const response = await platformStub(this.env).fetch(`https://platform/component-token?force=${force ? 1 : 0}`, { headers });
    const body = await response.json().catch(() => null);
    if (!response.ok || typeof body?.accessToken !== "string") throw tcbError(body?.error);
    this.componentToken = body.accessToken;
    return { accessToken: body.accessToken, expiresIn: body.expiresIn };
  }

  /**
   * On the platform (no AUTHORIZER_APPID), an imported app's refresh token waits in the registry
   * until this object's first refresh collects it.
   */
  async collectRefreshToken() {
    if (isOneApp(this.env) || !this.appid) return;
    const response = await platformStub(this.env).fetch(`https://platform/collect?appid=${encodeURIComponent(this.appid)}`, { method: "POST" });
    if (!response.ok) return;
    const { refreshToken } = await response.json();
    if (typeof refreshToken !== "string" || refreshToken === "" || this.saved.refreshToken) return;
    await this.ctx.storage.put("refreshToken", refreshToken);
    this.saved.refreshToken = refreshToken;
  }

  /**
   * A refresh WeChat refused with 61023 (the refresh token is no longer valid): on the platform
   * the dead token is dropped and the registry marks the app `reauthorize`, so the next request
   * is refused before anything is sent.
   */
  async lost() {
    if (isOneApp(this.env) || !this.appid) return;
    await this.withdraw();
    await platformStub(this.env).fetch(`https://platform/mark?appid=${encodeURIComponent(this.appid)}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ status: "reauthorize" }),
    }).catch(() => null);
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
      async (e) => {
        if (isTcbError(e) && e.errcode === 61023) await this.lost();
        // Nothing stored yet is not held: the next request after storing it goes ahead.
        else if (e?.storeError?.code !== "token") this.failure = { error: e, until: Date.now() + FAILURE_HOLD_MS };
        throw e;
      },
    ).finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /** One refresh through the package: the platform's component_access_token, then authorizer_access_token. */
  async refresh() {
    if (!(await this.platformTicket())) {
      throw notReady("no component verify ticket is stored", TICKET_HINT);
    }
    if (!this.saved.refreshToken) await this.collectRefreshToken();
    if (!this.saved.refreshToken) {
      throw notReady("no authorizer refresh token is stored", isOneApp(this.env)
        ? "an admin must POST it to /api/wechat/refresh-token (after the authorization)"
        : "the mini program's admin must authorize the platform again (\"Add mini program\")");
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
    const key = [env.COMPONENT_APPID, this.appid, env.WECHAT_BASE_URL, env.WECHAT_TIMEOUT_MS].join("\n");
    if (this.provider?.key === key) return this.provider.getAccessToken;
    let getAccessToken;
    try {
      getAccessToken = authorizerToken({
        componentAppid: env.COMPONENT_APPID ?? "",
        getComponentAccessToken: ({ forceRefresh }) => this.platformComponentToken(forceRefresh),
        authorizerAppid: this.appid,
        baseUrl: env.WECHAT_BASE_URL || DEFAULT_BASE_URL,
        ...(env.WECHAT_TIMEOUT_MS ? { timeoutMs: Number(env.WECHAT_TIMEOUT_MS) } : {}),
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
