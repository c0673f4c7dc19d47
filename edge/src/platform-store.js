// Platform: the Durable Object of a third-party platform. One instance per platform (named
// `platform:<COMPONENT_APPID>`) holds the component verify ticket, the table of pushes seen,
// the registry of the mini programs that authorized the platform (SQLite table `apps`), and
// makes the platform's own calls through the package's ComponentClient. It keeps the platform's
// one component_access_token in its storage with its expiry (it outlives the object's eviction
// and a restart) and serves it to every TokenStore: the whole platform fetches one every ~2 h,
// whatever the number of authorized apps (api_component_token has a platform-wide quota).
//
// One object per platform serialises what must not interleave: a push's replay check and what
// it applies, the registry's writes, and each authorization code's single exchange.
//
// Internal routes (reached only through the PLATFORM binding, never from the Internet):
//   GET  /ticket              → {ticket}   for a TokenStore's readiness check and status
//   GET  /component-token?force=0|1  (+ X-Rejected-Token: <token> after a rejection)
//                             → {accessToken, expiresIn}: the platform's one component_access_token,
//                             for every TokenStore's authorizer token refresh and this object's calls
//   PUT  /ticket              {ticket}     the ticket an admin stored
//   GET  /status              → {hasTicket, lastAuthorization?}
//   POST /push                {timestamp, nonce, msgSignature, event}: 409 when seen, else applied
//   POST /use?appid=A         → {status} (404 unknown_app); notes lastUsedAt, at most once a minute
//   GET  /app?appid=A         → the app's row (404 unknown_app)
//   GET  /apps?q&status&offset&limit → {total, offset, limit, apps}
//   POST /links               {redirectUri} → {pc, mobile, redirectUri, expiresIn}
//   POST /exchange            {code, state} → {appid}: the state checked (403 invalid_link), then
//                             api_query_auth once per code, and the app registered
//   POST /mark?appid=A        {status}   e.g. "reauthorize" after a refresh failed with 61023
//   POST /collect?appid=A     → {refreshToken|null}: an imported refresh token, handed over once
//   POST /import              → {total, added, updated, requests}
import { DurableObject } from "cloudflare:workers";
import { ComponentClient, componentToken, defaults, isTcbError } from "tcb-funcconfig";
import { Registry, STATUSES } from "./registry.js";
import { UNKNOWN_APP_HINT } from "./app-clients.js";
import { LinkState } from "./link-state.js";
import { TICKET_HINT, isOneApp, tokenStoreFor } from "./source.js";

const { baseUrl: DEFAULT_BASE_URL, renewBeforeSecs } = defaults();
/** The component token is served while it has more than this left (as the package's caches do). */
const RENEW_BEFORE_MS = renewBeforeSecs * 1000;
/** When WeChat's answer carries no `expires_in` (it always does): its documented lifetime. */
const DEFAULT_EXPIRES_IN_S = 7200;

/** How long a push's (timestamp, nonce, msg_signature) is remembered (the package allows ±300 s). */
const REPLAY_KEEP_MS = 600 * 1000;
/** How long an exchanged code's hash is remembered: a code lives 600 s. */
const CODE_KEEP_S = 900;
/**
 * The alarm reads this many profiles per run (api_get_authorizer_info), at most INFO_PARALLEL
 * at once: well under the 50 subrequests of one invocation on the free plan and the 6
 * connections open at once.
 */
const INFO_BATCH = 20;
const INFO_PARALLEL = 5;
/** A profile that could not be read is tried again after this long. */
const INFO_RETRY_S = 600;
/** How long a pre-auth code lives when WeChat does not say (its documented 1800 s). */
const PRE_AUTH_CODE_S = 1800;
/** api_get_authorizer_list gives at most this many accounts per request. */
const LIST_PAGE = 500;

/** The object's own tables besides the registry's (src/registry.js). */
const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS push_seen (
     timestamp TEXT NOT NULL, nonce TEXT NOT NULL, msg_signature TEXT NOT NULL, seen_at INTEGER NOT NULL,
     PRIMARY KEY (timestamp, nonce, msg_signature)
   )`,
  // SHA-256 of each authorization code exchanged (never the code), so a code that comes both by
  // the redirect and by the `authorized` push is exchanged once.
  "CREATE TABLE IF NOT EXISTS codes_used (hash TEXT PRIMARY KEY, appid TEXT NOT NULL, used_at INTEGER NOT NULL)",
];

const nowSecs = () => Math.floor(Date.now() / 1000);

export class Platform extends DurableObject {
  /**
   * @param {DurableObjectState} ctx
   * @param {Record<string, any>} env
   */
  constructor(ctx, env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    /** @type {Registry} */
    this.registry = null;
    this.ticket = "";
    this.lastAuthorization = null;
    /** The ComponentClient and the settings it was built from. */
    this.client = null;
    /** The stored component token: `{ token, expiresAt }` or null. */
    this.componentToken = null;
    /** The component token fetch in flight, shared by this object's concurrent requests. */
    this.componentFetch = null;
    /** The package's component token source and the settings it was built from. */
    this.componentSource = null;
    /** The component token this object's ComponentClient last got (sent back after a rejection). */
    this.clientToken = "";
    /** Exchanges under way, by code hash: shared by this object's concurrent requests. */
    this.exchanging = new Map();
    /** Signs and checks the state of the authorization links' way back. */
    this.linkState = new LinkState(ctx.storage);
    ctx.blockConcurrencyWhile(async () => {
      for (const statement of SCHEMA) this.sql.exec(statement);
      this.registry = new Registry(this.sql);
      const stored = await ctx.storage.get(["ticket", "lastAuthorization", "componentToken"]);
      this.ticket = stored.get("ticket") ?? "";
      this.componentToken = stored.get("componentToken") ?? null;
      this.lastAuthorization = stored.get("lastAuthorization") ?? null;
    });
  }

  /** @param {Request} request */
  async fetch(request) {
    const url = new URL(request.url);
    const appid = url.searchParams.get("appid") ?? "";
    try {
      switch (`${request.method} ${url.pathname}`) {
        case "GET /ticket":
          return Response.json({ ticket: this.ticket });
        case "GET /component-token": {
          // A header, not the query: a URL may end up in logs.
          const rejected = url.searchParams.get("force") === "1" ? request.headers.get("X-Rejected-Token") ?? "" : "";
          return Response.json(await this.componentAccessToken(rejected));
        }
        case "PUT /ticket":
          return await this.storeTicket(request);
        case "GET /status":
          return Response.json({ hasTicket: this.ticket !== "", ...(this.lastAuthorization ? { lastAuthorization: this.lastAuthorization } : {}) });
        case "POST /push":
          return await this.push(request);
        case "POST /use": {
          const status = this.registry.use(appid);
          return status ? Response.json({ status }) : unknownApp();
        }
        case "GET /app": {
          const app = this.registry.get(appid);
          return app ? Response.json(app) : unknownApp();
        }
        case "GET /apps":
          return Response.json(this.registry.list(listArguments(url.searchParams)));
        case "POST /links":
          return Response.json(await this.links(await request.json()));
        case "POST /exchange": {
          const { code, state } = await request.json();
          if (!(await this.linkState.verify(state))) {
            return failure(403, { code: "invalid_link", hint: "start again from \"Add mini program\": the link was not made by this Worker, or is older than its pre-auth code", message: "the authorization did not come from a link of this Worker" });
          }
          return Response.json(await this.exchange(code));
        }
        case "POST /mark": {
          const status = (await request.json())?.status;
          if (!STATUSES.includes(status)) throw badArgument(`send {"status": one of ${STATUSES.join(", ")}}`);
          return Response.json({ ok: true, changed: this.registry.mark(appid, status) });
        }
        case "POST /collect":
          return Response.json({ refreshToken: this.registry.collect(appid) });
        case "POST /import":
          return Response.json(await this.importAll());
        default:
          return failure(404, { code: "not_found", hint: "no such Platform route", message: "not found" });
      }
    } catch (e) {
      return fromError(e);
    }
  }

  async storeTicket(request) {
    const ticket = (await request.json().catch(() => null))?.ticket;
    if (typeof ticket !== "string" || ticket === "") {
      return failure(400, { code: "invalid_argument", hint: 'send {"ticket": "..."}', message: "ticket must be a non-empty string" });
    }
    await this.setTicket(ticket);
    return Response.json({ ok: true });
  }

  async setTicket(ticket) {
    await this.ctx.storage.put("ticket", ticket);
    this.ticket = ticket;
  }

  // --- pushes ----------------------------------------------------------------------------------

  /**
   * A verified push: refused (409) when its (timestamp, nonce, msg_signature) was seen within
   * REPLAY_KEEP_MS, else remembered and applied. Claiming the key is one synchronous SQLite
   * step, so two copies of a push arriving at once cannot both pass; if applying fails, the
   * claim is dropped again so that WeChat's retry is not taken for a replay.
   */
  async push(request) {
    const body = await request.json().catch(() => undefined);
    const { timestamp, nonce, msgSignature, event } = body ?? {};
    if (![timestamp, nonce, msgSignature].every((v) => typeof v === "string" && v !== "" && v.length <= 64) || typeof event?.infoType !== "string") {
      return failure(400, { code: "invalid_argument", hint: "send {timestamp, nonce, msgSignature, event}", message: "not a push" });
    }
    const now = Date.now();
    this.sql.exec("DELETE FROM push_seen WHERE seen_at < ?", now - REPLAY_KEEP_MS);
    const seen = this.sql.exec("SELECT 1 FROM push_seen WHERE timestamp = ? AND nonce = ? AND msg_signature = ?", timestamp, nonce, msgSignature).toArray();
    if (seen.length > 0) return failure(409, { code: "replay", hint: "this push was received already", message: "replayed push" });
    this.sql.exec("INSERT INTO push_seen (timestamp, nonce, msg_signature, seen_at) VALUES (?, ?, ?, ?)", timestamp, nonce, msgSignature, now);
    let outcome;
    try {
      outcome = await this.apply(event, now);
    } catch (e) {
      this.sql.exec("DELETE FROM push_seen WHERE timestamp = ? AND nonce = ? AND msg_signature = ?", timestamp, nonce, msgSignature);
      throw e;
    }
    return Response.json({ ok: true, ...(outcome ? { outcome } : {}) });
  }

  /** What a push changes. Returns a word for the log line when there is something to say. */
  async apply(event, now) {
    const appid = typeof event.authorizerAppid === "string" ? event.authorizerAppid : "";
    switch (event.infoType) {
      case "component_verify_ticket": {
        const ticket = event.componentVerifyTicket;
        if (typeof ticket === "string" && ticket !== "") await this.setTicket(ticket);
        return null;
      }
      case "unauthorized": {
        if (!appid) return null;
        // The registry first (the cut-off every request of the platform asks about), then the
        // app's tokens: a failure throws, and WeChat sends the push again.
        this.registry.revoke(appid);
        const response = await tokenStoreFor(this.env, appid).fetch(`https://token-store/withdraw?appid=${encodeURIComponent(appid)}`, { method: "POST" });
        if (!response.ok) throw new Error("the token store did not drop the tokens");
        return null;
      }
      case "authorized":
      case "updateauthorized": {
        const note = { infoType: event.infoType, authorizerAppid: appid, receivedAt: Math.floor(now / 1000) };
        if (Number.isFinite(event.authorizationCodeExpiredTime)) note.codeExpiredTime = event.authorizationCodeExpiredTime;
        await this.ctx.storage.put("lastAuthorization", note);
        this.lastAuthorization = note;
        // The one-app platform stores its refresh token by hand; the platform exchanges the code
        // (once, whether the push or the redirect brings it first).
        if (isOneApp(this.env) || typeof event.authorizationCode !== "string" || event.authorizationCode === "") return null;
        try {
          await this.exchange(event.authorizationCode);
          return "registered";
        } catch (e) {
          // Answered `success` all the same: the code works once, so WeChat's retry could not
          // do better; the mini program's admin sees the redirect's outcome.
          return `exchange_failed_${isTcbError(e) && e.errcode ? e.errcode : e?.storeError?.code ?? "error"}`;
        }
      }
      default:
        return null;
    }
  }

  // --- the platform's calls --------------------------------------------------------------------

  /**
   * The stored component token while it has more than RENEW_BEFORE_MS left and is not
   * `rejected`; otherwise a new one, fetched once for all of this object's concurrent requests
   * (they share the object's I/O context, so they may await the same promise; see TokenStore)
   * and stored before it is handed out. A fetch in flight brings a token newer than any handed
   * out, so it serves every waiter, whichever token each saw rejected.
   * @param {string} rejected the token a caller saw rejected, or ""
   */
  async componentAccessToken(rejected) {
    const stored = this.componentToken;
    if (stored && stored.expiresAt - Date.now() > RENEW_BEFORE_MS && stored.token !== rejected) {
      return { accessToken: stored.token, expiresIn: Math.floor((stored.expiresAt - Date.now()) / 1000) };
    }
    this.componentFetch ??= this.fetchComponentToken().finally(() => {
      this.componentFetch = null;
    });
    return this.componentFetch;
  }

  async fetchComponentToken() {
    if (!this.ticket) throw notReady("no_ticket", "no component verify ticket is stored", TICKET_HINT);
    const issued = await this.source()({ forceRefresh: true });
    const expiresIn = issued.expiresIn ?? DEFAULT_EXPIRES_IN_S;
    const stored = { token: issued.accessToken, expiresAt: Date.now() + expiresIn * 1000 };
    await this.ctx.storage.put("componentToken", stored);
    this.componentToken = stored;
    return { accessToken: stored.token, expiresIn };
  }

  /** The package's component token source, built again when a setting it uses changes. */
  source() {
    const env = this.env;
    const key = [env.COMPONENT_APPID, env.COMPONENT_APPSECRET, env.WECHAT_BASE_URL, env.WECHAT_TIMEOUT_MS].join("\n");
    if (this.componentSource?.key === key) return this.componentSource.get;
    const get = settings(() => componentToken({
      componentAppid: env.COMPONENT_APPID ?? "",
      componentAppsecret: env.COMPONENT_APPSECRET ?? "",
      getComponentVerifyTicket: () => this.ticket,
      ...timing(env),
    }));
    this.componentSource = { key, get };
    return get;
  }

  /**
   * The ComponentClient, built again when a setting it uses changes; its calls use the stored
   * component token. Throws `no_ticket` without a ticket.
   */
  component() {
    if (!this.ticket) throw notReady("no_ticket", "no component verify ticket is stored", TICKET_HINT);
    // Settings the package refuses are told here, before any call.
    this.source();
    const env = this.env;
    const key = [env.COMPONENT_APPID, env.WECHAT_BASE_URL, env.WECHAT_TIMEOUT_MS].join("\n");
    if (this.client?.key === key) return this.client.component;
    const component = settings(() => new ComponentClient({
      componentAppid: env.COMPONENT_APPID ?? "",
      getComponentAccessToken: async ({ forceRefresh }) => {
        const issued = await this.componentAccessToken(forceRefresh ? this.clientToken : "");
        this.clientToken = issued.accessToken;
        return issued;
      },
      ...timing(env),
    }));
    this.client = { key, component };
    return component;
  }

  /** The authorization links for mini programs (auth_type=2) with a fresh pre-auth code. */
  async links(body) {
    const client = this.component();
    const { preAuthCode, expiresIn } = await client.createPreAuthCode();
    const lifetime = expiresIn ?? PRE_AUTH_CODE_S;
    // The way back carries a state this object signed, valid as long as the pre-auth code: an
    // auth_code arriving without one is refused before WeChat is asked anything.
    const redirectUri = `${body?.redirectUri}?state=${await this.linkState.issue(lifetime)}`;
    const { pc, mobile } = client.authorizationLinks(preAuthCode, redirectUri);
    return { pc, mobile, redirectUri, expiresIn: lifetime };
  }

  /**
   * Exchanges an authorization code once: a code seen in the last CODE_KEEP_S (by its hash)
   * answers the app it gave; one being exchanged right now is awaited (all requests of this
   * object share its I/O context, so one may await what another started).
   */
  async exchange(code) {
    if (typeof code !== "string" || code === "") throw badArgument("send {code}");
    const hash = await sha256(code);
    this.sql.exec("DELETE FROM codes_used WHERE used_at < ?", nowSecs() - CODE_KEEP_S);
    const used = this.sql.exec("SELECT appid FROM codes_used WHERE hash = ?", hash).toArray()[0];
    if (used) return { appid: used.appid };
    const running = this.exchanging.get(hash);
    if (running) return running;
    const work = this.exchangeNow(code, hash).finally(() => this.exchanging.delete(hash));
    this.exchanging.set(hash, work);
    return work;
  }

  async exchangeNow(code, hash) {
    const client = this.component();
    const auth = await client.queryAuth(code);
    const appid = auth.authorizerAppid;
    this.sql.exec("INSERT OR REPLACE INTO codes_used (hash, appid, used_at) VALUES (?, ?, ?)", hash, appid, nowSecs());
    // The profile; without it the app is registered all the same and the alarm reads it later.
    let info = null;
    try {
      info = await client.getAuthorizerInfo(appid);
    } catch {
      info = null;
    }
    // The refresh token first, so that the app is never registered without one.
    const token = auth.authorizerRefreshToken;
    const stored = token
      ? await tokenStoreFor(this.env, appid).fetch(`https://token-store/refresh-token?appid=${encodeURIComponent(appid)}`, {
        method: "PUT",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ refreshToken: token }),
      }).then((r) => r.ok, () => false)
      : false;
    this.registry.register(appid, info, auth.funcInfo);
    // Not stored there: kept here for the TokenStore to collect on its first refresh.
    if (token && !stored) this.registry.keepRefreshToken(appid, token);
    if (!info) await this.scheduleInfo();
    return { appid };
  }

  /**
   * Registers every account the platform's authorization list holds (api_get_authorizer_list,
   * 500 per request), all rows in one transaction.
   *
   * The refresh tokens stay in the registry (`pending_refresh_token`) until each app's TokenStore
   * collects its own on first use (POST /collect), rather than being handed to a few hundred
   * TokenStores now: each hand-over is a subrequest, and one invocation may make 50 (free plan);
   * the import stays one request per 500 accounts, whatever their number. A token is collected
   * once and then lives only in its TokenStore.
   */
  async importAll() {
    const listed = await this.component().getAllAuthorizers();
    // Only a complete list says which apps are gone (the list may change while it is paged).
    const complete = listed.list.length === listed.totalCount;
    const { added, updated, revoked } = this.ctx.storage.transactionSync(() => ({
      ...this.registry.upsertListed(listed.list),
      revoked: complete ? this.registry.revokeUnlisted(listed.list.map((a) => a.authorizerAppid)) : 0,
    }));
    await this.scheduleInfo();
    const requests = Math.max(1, Math.ceil(listed.list.length / LIST_PAGE));
    return { total: listed.totalCount, added, updated, revoked, requests };
  }

  // --- the alarm: profiles of imported apps ------------------------------------------------------

  /** Sets the alarm to run now, unless one is due within a second anyway. */
  async scheduleInfo() {
    const at = await this.ctx.storage.getAlarm();
    if (at === null || at > Date.now() + 1000) await this.ctx.storage.setAlarm(Date.now());
  }

  /**
   * Reads the profiles the registry lacks, INFO_BATCH per run, and sets itself again until none
   * is missing: soon while some are due, else when the earliest failed one may be tried again.
   */
  async alarm() {
    const due = this.registry.missingInfo(INFO_BATCH, nowSecs() - INFO_RETRY_S);
    if (due.length > 0) {
      let client = null;
      try {
        client = this.component();
      } catch {
        client = null; // no ticket yet: each is tried again later
      }
      for (let i = 0; i < due.length; i += INFO_PARALLEL) {
        await Promise.all(due.slice(i, i + INFO_PARALLEL).map((appid) => this.readInfo(client, appid)));
      }
    }
    const left = this.registry.missingInfoLeft();
    if (left.n > 0) {
      const retryAt = left.triedAt + INFO_RETRY_S;
      await this.ctx.storage.setAlarm(retryAt <= nowSecs() ? Date.now() + 100 : retryAt * 1000);
    }
  }

  async readInfo(client, appid) {
    try {
      if (!client) throw new Error("no component client");
      this.registry.setInfo(appid, await client.getAuthorizerInfo(appid));
    } catch (e) {
      // 61003: the account no longer authorizes the platform.
      this.registry.infoFailed(appid, isTcbError(e) && e.errcode === 61003);
    }
  }
}

/** The listing's arguments (the Worker checked them, src/apps.js). */
function listArguments(params) {
  return {
    q: params.get("q") ?? "",
    status: params.get("status") ?? "",
    offset: Number(params.get("offset") ?? 0),
    limit: Number(params.get("limit") ?? 50),
  };
}

function unknownApp() {
  return failure(404, { code: "unknown_app", hint: UNKNOWN_APP_HINT, message: "no such mini program in the registry" });
}

async function sha256(text) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

function notReady(code, message, hint) {
  return Object.assign(new Error(message), { storeError: { status: 503, code, hint, retryable: false } });
}

function badArgument(hint) {
  return Object.assign(new Error("bad argument"), { storeError: { status: 400, code: "invalid_argument", hint, retryable: false } });
}

/** `baseUrl` and `timeoutMs` of the package's objects, from the Worker's settings. */
function timing(env) {
  return { baseUrl: env.WECHAT_BASE_URL || DEFAULT_BASE_URL, ...(env.WECHAT_TIMEOUT_MS ? { timeoutMs: Number(env.WECHAT_TIMEOUT_MS) } : {}) };
}

/** What `make()` builds from the Worker's settings; settings the package refuses are `misconfigured`. */
function settings(make) {
  try {
    return make();
  } catch {
    throw Object.assign(new Error("the platform settings are invalid"), {
      storeError: { status: 500, code: "misconfigured", hint: "check the Worker's COMPONENT_APPID / COMPONENT_APPSECRET and WECHAT_BASE_URL / WECHAT_TIMEOUT_MS settings (see edge/README.md)" },
    });
  }
}

function failure(status, error) {
  return Response.json({ error: { retryable: false, ...error } }, { status });
}

/**
 * A failure as an answer: the package's errors keep their documented fields and hints (never
 * `raw`); anything unexpected says nothing about itself.
 */
function fromError(e) {
  if (e?.storeError) {
    const { status, ...fields } = e.storeError;
    return failure(status, { ...fields, message: e.message });
  }
  if (isTcbError(e)) {
    const error = { code: e.code, hint: e.hint, retryable: e.retryable, message: e.message };
    for (const k of ["errcode", "errmsg", "httpStatus"]) if (e[k] !== undefined) error[k] = e[k];
    return failure(e.code === "invalid_argument" ? 400 : e.code === "token" ? 503 : 502, error);
  }
  return failure(500, { code: "internal", hint: "an unexpected error in the platform store; try again", message: "internal error", retryable: true });
}
