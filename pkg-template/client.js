// The client: it sequences the WebAssembly module's steps around `fetch` and owns what only
// JavaScript has — the clock, AbortSignals, promises and token callbacks. Every rule is the
// module's: argument validation, request bodies, decoding, the retry policy, edits, config
// comparison and masking, and every error with its hint.
import * as core from "./tcb_funcconfig.js";

export { isTcbError, nextRuns, parseCron } from "./tcb_funcconfig.js";

/** Largest answer body read, in bytes (WeChat's answers are a few kilobytes). */
const MAX_BODY_BYTES = 4 * 1024 * 1024;
/** `force_refresh` of stable_token is sent at most once per this many milliseconds. */
const FORCE_REFRESH_INTERVAL_MS = 30000;
/** Pages `listAllFunctions` reads at most, whatever `total_count` claims. */
const MAX_PAGES = 1000;

const GET = "/tcb/getfuncconfig";
const UPLOAD = "/tcb/uploadfuncconfig";
const LIST = "/tcb/listfunctions";

/** Errors of requests that certainly never left (connection refused): a write may be resent. */
const unsent = new WeakSet();
/** Errors that mean the server rejected the token: a fresh one may be tried once. */
const tokenRejected = new WeakSet();

/** What a stopped race rejects with, told apart from the raced promise's own rejection. */
const STOPPED = Symbol("stopped");

/** A time limit and the caller's signal, joined into one internal signal. */
class Deadline {
  constructor(timeoutMs, signal) {
    if (signal?.aborted) throw core.clientError("aborted", "", 0);
    this.timeoutMs = timeoutMs;
    this.user = signal;
    this.controller = new AbortController();
    this.timedOut = false;
    // Aborted always with an Error reason, so `fetch` rejects with something readable.
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.abort("timeout");
    }, timeoutMs);
    if (signal) {
      this.onAbort = () => this.abort("aborted");
      signal.addEventListener("abort", this.onAbort, { once: true });
    }
  }

  get signal() {
    return this.controller.signal;
  }

  abort(why) {
    if (!this.controller.signal.aborted) this.controller.abort(new Error(why));
  }

  /** Aborts whatever is still in flight under this deadline. */
  cancel() {
    this.abort("cancelled");
  }

  /** The error for a failed step: the caller's abort or the deadline come before the runtime's reason. */
  failure(detail) {
    if (this.user?.aborted) return core.clientError("aborted", "", 0);
    if (this.timedOut) return core.clientError("timeout", "", this.timeoutMs);
    return core.clientError("network", detail, 0);
  }

  /** Awaits `promise`, rejecting with STOPPED as soon as the deadline passes or the caller aborts. */
  race(promise) {
    const signal = this.signal;
    if (signal.aborted) return Promise.reject(STOPPED);
    let stop;
    const stopped = new Promise((_, reject) => {
      stop = () => reject(STOPPED);
      signal.addEventListener("abort", stop, { once: true });
    });
    return Promise.race([promise, stopped]).finally(() => signal.removeEventListener("abort", stop));
  }

  /** Waits `ms`, or less when the deadline passes or the caller aborts (then rejects). */
  async sleep(ms) {
    let timer;
    try {
      await this.race(new Promise((resolve) => (timer = setTimeout(resolve, ms))));
    } catch {
      throw this.failure("cancelled");
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Calls a user callback and awaits it within the deadline. A `TcbError` it throws passes
   * through; anything else becomes a `token` error without its message (it may hold a secret).
   */
  async callUser(f, arg, name) {
    try {
      return await this.race(Promise.resolve().then(() => f(arg)));
    } catch (reason) {
      if (reason === STOPPED) throw this.failure("cancelled");
      throw core.isTcbError(reason) ? reason : core.clientError("token", `${name} threw or rejected`, 0);
    }
  }

  dispose() {
    clearTimeout(this.timer);
    this.user?.removeEventListener("abort", this.onAbort);
  }
}

/** Runs `work(deadline)` under a fresh deadline. */
async function within(timeoutMs, signal, work) {
  const deadline = new Deadline(timeoutMs, signal);
  try {
    return await work(deadline);
  } finally {
    deadline.dispose();
  }
}

/** A failed `fetch` or body read as a `network` error (or the deadline's), noting a refusal. */
function fetchFailure(deadline, e) {
  const code = typeof e?.cause === "object" ? e.cause?.code : undefined;
  const message = typeof e?.message === "string" ? e.message : "fetch failed";
  const error = deadline.failure(code ? `${message} (${code})` : message);
  if (code === "ECONNREFUSED" && error.code === "network") unsent.add(error);
  return error;
}

/** The body as text, refused once it passes MAX_BODY_BYTES without holding more than that. */
async function readCapped(response) {
  const announced = response.headers.get("content-length");
  if (announced !== null && Number(announced) <= MAX_BODY_BYTES) return response.text();
  const reader = response.body?.getReader();
  if (!reader) return response.text();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      reader.cancel().catch(() => {});
      throw core.clientError("too_large", "", 0);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

/** POSTs a JSON body under the deadline: `[status, text]`. */
async function post(deadline, url, body) {
  let response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body,
      signal: deadline.signal,
    });
  } catch (e) {
    throw fetchFailure(deadline, e);
  }
  if (Number(response.headers.get("content-length")) > MAX_BODY_BYTES) {
    response.body?.cancel().catch(() => {});
    throw core.clientError("too_large", "", 0);
  }
  try {
    return [response.status, await readCapped(response)];
  } catch (e) {
    throw core.isTcbError(e) ? e : fetchFailure(deadline, e);
  }
}

/** Replaces every secret in every text of an error with `***`. */
function redact(error, secrets) {
  if (!core.isTcbError(error)) return error;
  for (const key of ["message", "hint", "errmsg", "raw", "stack"]) {
    let text = error[key];
    if (typeof text !== "string") continue;
    for (const s of secrets) if (s) text = text.split(s).join("***");
    if (text !== error[key]) error[key] = text;
  }
  return error;
}

/**
 * A client's token source and its cache. The cache holds plain values only, never a promise:
 * in workerd a request must not await a promise that another request created.
 */
class Tokens {
  constructor({ accessToken, getAccessToken }) {
    this.fixed = accessToken;
    this.callback = getAccessToken;
    this.cache = null;
    /** Every token handed out, so that errors can be scrubbed of all of them. */
    this.seen = accessToken ? [accessToken] : [];
  }

  get canRefresh() {
    return typeof this.callback === "function";
  }

  async current(deadline) {
    if (this.fixed) return this.fixed;
    if (this.cache && Date.now() < this.cache.renewAt) return this.cache.accessToken;
    return this.fetch(false, deadline);
  }

  /** A fresh token after the server rejected `rejected`; one another call already fetched is reused. */
  async refresh(rejected, deadline) {
    const c = this.cache;
    if (c && c.accessToken !== rejected && Date.now() < c.renewAt) return c.accessToken;
    this.cache = null;
    return this.fetch(true, deadline);
  }

  async fetch(forceRefresh, deadline) {
    if (!this.canRefresh) throw core.clientError("token", "a static accessToken cannot be refreshed", 0);
    const value = await deadline.callUser(this.callback, { forceRefresh, signal: deadline.signal }, "getAccessToken");
    const token = core.readToken(value, Date.now());
    this.seen.push(token.accessToken);
    this.cache = token;
    return token.accessToken;
  }
}

function getCall(r) {
  // The module answers decoded configs as JSON text: one string crosses, JSON.parse builds it.
  return { path: GET, body: r.body, write: false, decode: (s, t) => JSON.parse(core.decodeGet(r.env, r.functionName, r.type, s, t)) };
}

const decodeList = (s, t) => JSON.parse(core.decodeList(s, t));

function isNotConfigured(e) {
  return e?.code === "api" && e.errcode === 85089;
}

/** A client holding a token source, limits and retry policy for many calls. */
export class TcbClient {
  #tokens;
  #baseUrl;
  #timeoutMs;
  #retries;

  /** `new TcbClient({ accessToken | getAccessToken, baseUrl?, timeoutMs?, retries? })`; throws a `TcbError` on bad options. */
  constructor(options) {
    const o = core.readClientOptions(options);
    this.#tokens = new Tokens(o);
    this.#baseUrl = o.baseUrl;
    this.#timeoutMs = o.timeoutMs;
    this.#retries = o.retries;
  }

  /** One request with `token`, retried by the module's policy; a rejected token is marked for the caller. */
  async #attempt(call, token, deadline) {
    const url = core.endpointUrl(this.#baseUrl, call.path, token);
    for (let done = 0; ; done++) {
      let error;
      try {
        const [status, text] = await post(deadline, url, call.body);
        return call.decode(status, text);
      } catch (e) {
        error = e;
      }
      const next = core.afterFailure(error, this.#retries, done, call.write, unsent.has(error), Math.random());
      if (typeof next !== "number") throw next;
      if (next < 0) {
        tokenRejected.add(error);
        throw error;
      }
      await deadline.sleep(next);
    }
  }

  /** One request; a rejected token is replaced once and the request tried once more. */
  async #call(call, deadline) {
    const token = await this.#tokens.current(deadline);
    try {
      return await this.#attempt(call, token, deadline);
    } catch (e) {
      if (!tokenRejected.has(e) || !this.#tokens.canRefresh) throw e;
      const fresh = await this.#tokens.refresh(token, deadline);
      return this.#attempt(call, fresh, deadline);
    }
  }

  /** Runs a call under its own deadline; every error leaves scrubbed of every token. */
  async #run(signal, work) {
    try {
      return await within(this.#timeoutMs, signal, work);
    } catch (e) {
      throw redact(e, this.#tokens.seen);
    }
  }

  /** One config; "not configured" (errcode 85089) is `null`. */
  async #readOpt(r, deadline) {
    try {
      return await this.#call(getCall(r), deadline);
    } catch (e) {
      if (isNotConfigured(e)) return null;
      throw e;
    }
  }

  /** Fetches one configuration: `{ env, functionName, type, signal? }`. */
  async getFuncConfig(request) {
    const r = core.getRequest(request);
    return this.#run(r.signal, (d) => this.#call(getCall(r), d));
  }

  /**
   * The three configurations concurrently under one deadline and one token fetch. A type the
   * function does not have is `null`; any other failure rejects the whole call and cancels
   * the requests still in flight.
   */
  async getAllConfigs(env, functionName, options) {
    const [r1, r2, r3, signal] = core.getAllRequests(env, functionName, options);
    const reqs = [r1, r2, r3];
    return this.#run(signal, async (deadline) => {
      const token = await this.#tokens.current(deadline);
      const member = async (r, tok) => {
        try {
          return { config: await this.#attempt(getCall(r), tok, deadline) };
        } catch (e) {
          if (isNotConfigured(e)) return { config: null };
          if (tokenRejected.has(e)) return { rejected: e };
          deadline.cancel();
          throw e;
        }
      };
      let outcomes = await Promise.all(reqs.map((r) => member(r, token)));
      if (outcomes.some((o) => o.rejected) && this.#tokens.canRefresh) {
        // One fresh token for every request whose token was rejected.
        const fresh = await this.#tokens.refresh(token, deadline);
        outcomes = await Promise.all(outcomes.map((o, i) => (o.rejected ? member(reqs[i], fresh) : o)));
      }
      const rejected = outcomes.find((o) => o.rejected);
      if (rejected) throw rejected.rejected;
      return { cloudCall: outcomes[0].config, timerTrigger: outcomes[1].config, environment: outcomes[2].config };
    });
  }

  /** Writes one complete configuration: `{ env, functionName, type, config, signal? }`. */
  async uploadFuncConfig(request) {
    const r = core.uploadRequest(request);
    await this.#run(r.signal, (d) => this.#upload(r.body, d));
  }

  #upload(body, deadline) {
    return this.#call({ path: UPLOAD, body, write: true, decode: core.checkAnswer }, deadline);
  }

  /** One page of functions: `{ env, limit?, offset?, signal? }`. */
  async listFunctions(request) {
    const r = core.listRequest(request);
    return this.#run(r.signal, (d) => this.#call({ path: LIST, body: r.body, write: false, decode: decodeList }, d));
  }

  /** Every function of an environment, 100 per request, under one deadline. */
  async listAllFunctions(env, options) {
    const first = core.listPageBody(env, 0);
    return this.#run(core.optionsSignal(options), async (deadline) => {
      const all = { total: 0, functions: [] };
      for (let page = 0; page < MAX_PAGES; page++) {
        const body = page === 0 ? first : core.listPageBody(env, page);
        const got = await this.#call({ path: LIST, body, write: false, decode: decodeList }, deadline);
        all.total = got.total;
        all.functions.push(...got.functions);
        if (got.functions.length < 100 || all.functions.length >= all.total) break;
      }
      return all;
    });
  }

  /**
   * The read-modify-write behind every edit helper: read, check `expectedRaw`, apply, read
   * again right before writing (anything changed: conflict, nothing written), write the
   * complete config, read back (a difference: unverified).
   */
  async #edit(kind, env, functionName, spec, options) {
    const r = core.editRequest(kind, env, functionName, spec, options);
    const same = (a, b) => core.sameConfig(r.env, r.functionName, r.type, a?.raw ?? null, b?.raw ?? null);
    const versionsError = (unverified, a, b) =>
      core.versionsError(unverified, r.env, r.functionName, r.type, a?.raw ?? null, b?.raw ?? null);
    return this.#run(r.signal, async (deadline) => {
      const first = await this.#readOpt(r, deadline);
      if (r.expectedRaw !== undefined) {
        const expected = r.expectedRaw === null ? null : { raw: r.expectedRaw };
        if (!same(expected, first)) throw versionsError(false, expected, first);
      }
      const plan = JSON.parse(core.planEdit(kind, spec, r.env, r.functionName, r.type, first?.raw ?? null, r.reveal));
      if (plan.changes.length === 0) return { written: false, config: first, changes: plan.changes };
      if (r.dryRun) return { written: false, config: plan.config, changes: plan.changes };
      const second = await this.#readOpt(r, deadline);
      if (!same(first, second)) throw versionsError(false, first, second);
      await this.#upload(plan.body, deadline);
      const back = await this.#readOpt(r, deadline);
      if (!same(plan.config, back)) throw versionsError(true, plan.config, back);
      return { written: true, config: back, changes: plan.changes };
    });
  }

  /** Sets and unsets environment variables and changes the timeout, keeping everything else. */
  updateEnvironment(env, functionName, edit, options) {
    return this.#edit("environment", env, functionName, edit, options);
  }

  /** Grants cloud-call APIs (`<category>.<method>` names). */
  grantOpenapi(env, functionName, names, options) {
    return this.#edit("grant", env, functionName, names, options);
  }

  /** Revokes cloud-call APIs. */
  revokeOpenapi(env, functionName, names, options) {
    return this.#edit("revoke", env, functionName, names, options);
  }

  /** Makes `{ name, config }` the function's one timer trigger. */
  setTimerTrigger(env, functionName, trigger, options) {
    return this.#edit("setTrigger", env, functionName, trigger, options);
  }

  /** Removes the function's timer trigger. */
  removeTimerTrigger(env, functionName, options) {
    return this.#edit("removeTrigger", env, functionName, undefined, options);
  }

  /** Forgets the cached token (optional: a client holds nothing else). */
  free() {
    this.#tokens.cache = null;
  }
}

/**
 * What changes from `a` to `b`, two configs of the same type (typed results or the plain
 * `{openapi}` / `{triggers}` / `{timeout, environment}` shapes); values masked unless
 * `options.revealValues`.
 */
export function diffConfigs(a, b, options) {
  return JSON.parse(core.diffConfigs(a, b, options));
}

/** Fetches one configuration of one cloud function (a one-call client). */
export async function getFuncConfig(request) {
  core.getRequest(request);
  return new TcbClient(request).getFuncConfig(request);
}

/** Writes one complete configuration (a one-call client). */
export async function uploadFuncConfig(request) {
  core.uploadRequest(request);
  return new TcbClient(request).uploadFuncConfig(request);
}

/** One page of an environment's functions (a one-call client). */
export async function listFunctions(request) {
  core.listRequest(request);
  return new TcbClient(request).listFunctions(request);
}

/** A token endpoint call: `[url, body]` posted, the answer decoded. */
async function postToken(deadline, [url, body], field) {
  const [status, text] = await post(deadline, url, body);
  return core.decodeToken(status, text, field);
}

function issued({ accessToken, expiresIn }) {
  return expiresIn === undefined ? { accessToken } : { accessToken, expiresIn };
}

/** `{ forceRefresh, signal }` of a provider call; anything else is ignored. */
function context(ctx) {
  const forceRefresh = ctx?.forceRefresh === true;
  const signal = ctx?.signal instanceof AbortSignal ? ctx.signal : undefined;
  return { forceRefresh, signal };
}

/**
 * A token source for a mini program's own access token (`POST /cgi-bin/stable_token`), for
 * `new TcbClient({ getAccessToken: stableToken({ appid, secret }) })`. The secret travels in
 * the body, never the URL.
 */
export function stableToken(options) {
  const o = core.readProviderOptions("stable", options);
  let lastForce = -Infinity;
  return async function getAccessToken(ctx) {
    const { forceRefresh, signal } = context(ctx);
    // force_refresh only after a rejection, and at most once per 30 s (WeChat limits it).
    const force = forceRefresh && Date.now() - lastForce >= FORCE_REFRESH_INTERVAL_MS;
    if (force) lastForce = Date.now();
    const request = core.tokenRequest("stable", o.baseUrl, o.appid, o.secret, "", "", force);
    try {
      return issued(await within(o.timeoutMs, signal, (d) => postToken(d, request, "access_token")));
    } catch (e) {
      throw redact(e, [o.secret]);
    }
  };
}

/**
 * A token source for a third-party platform acting for one authorized mini program:
 * component_access_token (cached) then authorizer_access_token. A rotated refresh token is
 * saved with `saveAuthorizerRefreshToken` before the new access token is used.
 */
export function authorizerToken(options) {
  const o = core.readProviderOptions("authorizer", options);
  let componentToken = null;

  async function component(deadline, secrets) {
    if (componentToken && Date.now() < componentToken.renewAt) return componentToken.accessToken;
    const ticket = await deadline.callUser(o.getComponentVerifyTicket, undefined, "getComponentVerifyTicket");
    if (typeof ticket !== "string" || ticket === "") {
      throw core.clientError("token", "getComponentVerifyTicket gave no ticket string", 0);
    }
    secrets.push(ticket);
    const request = core.tokenRequest("component", o.baseUrl, o.componentAppid, o.componentAppsecret, ticket, "", false);
    const got = await postToken(deadline, request, "component_access_token");
    secrets.push(got.accessToken);
    componentToken = core.readToken(issued(got), Date.now());
    return got.accessToken;
  }

  async function authorizer(deadline, secrets) {
    const refresh = await deadline.callUser(o.getAuthorizerRefreshToken, undefined, "getAuthorizerRefreshToken");
    if (typeof refresh !== "string" || refresh === "") {
      throw core.clientError("token", "getAuthorizerRefreshToken gave no refresh token string", 0);
    }
    secrets.push(refresh);
    let got;
    for (let renewed = false; ; renewed = true) {
      const ct = await component(deadline, secrets);
      const request = core.tokenRequest("authorizer", o.baseUrl, o.componentAppid, o.authorizerAppid, refresh, ct, false);
      try {
        got = await postToken(deadline, request, "authorizer_access_token");
        break;
      } catch (e) {
        // The component token was rejected: renew it once.
        if (renewed || core.afterFailure(e, 0, 0, false, false, 0) !== -1) throw e;
        componentToken = null;
      }
    }
    secrets.push(got.accessToken);
    if (got.refreshToken && got.refreshToken !== refresh) {
      secrets.push(got.refreshToken);
      // Saved before the new access token is used: a rotated refresh token is never lost.
      try {
        await deadline.callUser(o.saveAuthorizerRefreshToken, got.refreshToken, "saveAuthorizerRefreshToken");
      } catch (e) {
        const error =
          e.code === "token" ? core.clientError("token", "saveAuthorizerRefreshToken failed; the new access token is not used", 0) : e;
        error.hint = "persist the rotated authorizer_refresh_token: WeChat has already invalidated the previous one";
        throw error;
      }
    }
    return issued(got);
  }

  return async function getAccessToken(ctx) {
    const { signal } = context(ctx);
    const secrets = [o.componentAppsecret];
    try {
      return await within(o.timeoutMs, signal, (d) => authorizer(d, secrets));
    } catch (e) {
      throw redact(e, secrets);
    }
  };
}
