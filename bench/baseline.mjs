// The comparison point for the benchmarks: a hand-written JavaScript client for
// `POST /tcb/getfuncconfig` that does the package's job the way a careful team would write it.
//
// Same as the package (see README "Validation" and "Errors"):
// - the same validation before anything is sent (accessToken, env, functionName, type,
//   baseUrl, timeoutMs, retries, signal), failing with `invalid_argument`;
// - the same request: POST {base}/tcb/getfuncconfig?access_token=<percent-encoded>, JSON body
//   {type, env, function_name}, one time limit for the call (`timeoutMs`) and the caller's signal;
// - the same typed results (kind, type, env, functionName, openapi | triggers | timeout +
//   environment, raw) with the same tolerant reading: `openapi` in any letter case, missing
//   lists empty, missing `timeout` 3, missing trigger `type` "timer", a `config` encoded twice
//   unwrapped once, wrong JSON types a `decode` error carrying `raw`;
// - the same errors: a `TcbError` with code api (errcode, errmsg, hint, retryable), http,
//   network, timeout, aborted or decode (raw), with the access token scrubbed from every text.
// Not done here (the benchmarks call the package with `retries: 0` so both do the same work):
// retries with backoff, token sources and refresh, and the `schedule` of timer triggers.
// Known edge cases read differently: a repeated JSON key (JSON.parse keeps the last, the
// package the first) and a `timeout` written with an exponent (`1e1`), which the package refuses.

const DEFAULT_BASE_URL = "https://api.weixin.qq.com";
const DEFAULT_TIMEOUT_MS = 10000;
const MAX_TIMEOUT_MS = 300000;
const NAMES = { cloudCall: 1, timerTrigger: 2, environment: 3 };
const KINDS = [, "cloudCall", "timerTrigger", "environment"];
const TYPE_RULE = 'must be one of 1, 2, 3, "cloudCall", "timerTrigger", "environment"';
const GENERIC_HINT = "see errmsg and WeChat's cloud development error codes";

// errcode → [hint, retryable], after the spec's table.
const ERRCODES = new Map([
  [-1, ["WeChat is busy; try again with backoff", true]],
  [-1000, ["WeChat had an internal error; try again with backoff", true]],
  [40001, ["the token was replaced or revoked; fetch a fresh access_token and retry once", false]],
  [40014, ["this endpoint needs a third-party platform's authorizer_access_token; a mini program's own access_token (stable_token) is refused here", false]],
  [40066, ["the endpoint path is wrong; check baseUrl (no extra path)", false]],
  [40097, ["check env, functionName and type", false]],
  [40101, ["a required body field was missing; check env, functionName and type", false]],
  [41001, ["pass a non-empty accessToken", false]],
  [42001, ["the token expired (they last 7200 s); fetch a fresh access_token and retry once", false]],
  [43002, ["a proxy changed the method; send POST", false]],
  [44002, ["a proxy dropped the body; send the JSON body", false]],
  [47001, ["a proxy altered the JSON body; send it unchanged", false]],
  [45009, ["the daily quota is used up: do not retry today; it resets daily (clear_quota can reset it)", false]],
  [45011, ["too many calls this minute; retry in the next minute", false]],
  [48001, ["grant the cloud development permission set (49 or 64) to this app", false]],
  [61007, ["the mini program has not authorised the permission set (49 or 64) to your platform", false]],
  [61004, ["edge egress IPs change: call through a fixed-IP relay (baseUrl) whose IP is whitelisted", false]],
  [85088, ["enable cloud development for this mini program first", false]],
  [85089, ["this function has no config of this type (not configured); check env and functionName", false]],
]);

class TcbError extends Error {
  constructor(code, message, hint, retryable, extra) {
    super(message);
    this.name = "TcbError";
    this.code = code;
    if (extra) Object.assign(this, extra);
    this.hint = hint;
    this.retryable = retryable;
  }
}

export function isTcbError(value) {
  return value instanceof TcbError;
}

const invalid = (field, rule) => new TcbError("invalid_argument", `${field} ${rule}`, "fix the argument; nothing was sent", false);

function apiError(errcode, errmsg) {
  const [hint, retryable] = ERRCODES.get(errcode) ?? [GENERIC_HINT, false];
  const extra = errmsg === undefined ? { errcode } : { errcode, errmsg };
  return new TcbError("api", `WeChat answered errcode ${errcode}: ${errmsg ?? "(no errmsg)"}`, hint, retryable, extra);
}

function httpError(status) {
  const retryable = status >= 500 || status === 429;
  const hint = retryable
    ? "the server or a proxy in between failed; try again with backoff"
    : status === 404
      ? "check baseUrl: the path was not found there"
      : "check baseUrl and any proxy in between; this status is not WeChat's own answer";
  return new TcbError("http", `HTTP status ${status} instead of 200`, hint, retryable, { httpStatus: status });
}

const decodeError = (what, detail, raw) =>
  new TcbError("decode", `could not decode ${what}: ${detail}`,
    "the answer was not in the documented shape; the text is in `raw`, report it if it persists", false, { raw });

const networkError = (detail) =>
  new TcbError("network", `the request failed before an answer arrived: ${detail}`,
    "check connectivity and baseUrl (a browser also needs CORS on that server); try again", true);

const timeoutError = (ms) =>
  new TcbError("timeout", `no complete answer within ${ms} ms`, "try again later, or raise timeoutMs if the network is slow", true);

const abortedError = () =>
  new TcbError("aborted", "the call was aborted by its signal", "the caller cancelled this call; nothing more will happen", false);

// --- validation -------------------------------------------------------------------------------

const BAD_TOKEN_CHAR = /[\p{White_Space}\p{Cc}]/u;
const ENV = /^[A-Za-z0-9_-]{1,64}$/;
const FUNCTION_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,59}$/;
const BASE_URL_RULE = 'must be an absolute http(s) URL such as "https://api.weixin.qq.com" (no query, fragment or credentials)';

function optString(obj, key) {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw invalid(key, "must be a string");
  return v;
}

function checkAccessToken(token) {
  if (token === undefined || token === "") throw invalid("accessToken", "is required (a non-empty string)");
  if (token.length > 512 && [...token].length > 512) throw invalid("accessToken", "must be at most 512 characters");
  if (BAD_TOKEN_CHAR.test(token)) {
    throw invalid("accessToken", "must not contain whitespace or control characters (check for a stray newline)");
  }
  return token;
}

function checkBaseUrl(url) {
  if (url === undefined) return DEFAULT_BASE_URL;
  const i = url.indexOf("://");
  const scheme = i < 0 ? "" : url.slice(0, i).toLowerCase();
  if (scheme !== "http" && scheme !== "https") throw invalid("baseUrl", BASE_URL_RULE);
  const authority = url.slice(i + 3).split("/")[0];
  if (!authority || authority.includes("@") || authority.startsWith(":") || /[\p{White_Space}\p{Cc}?#\\]/u.test(url)) {
    throw invalid("baseUrl", BASE_URL_RULE);
  }
  return url.replace(/\/+$/, "");
}

function checkTimeoutMs(v) {
  if (v === undefined || v === null) return DEFAULT_TIMEOUT_MS;
  if (typeof v !== "number") throw invalid("timeoutMs", "must be a number");
  if (!Number.isInteger(v) || v < 1 || v > MAX_TIMEOUT_MS) {
    throw invalid("timeoutMs", "must be a whole number of milliseconds from 1 to 300000");
  }
  return v;
}

function checkRetries(v) {
  if (v === undefined || v === null) return;
  if (typeof v !== "number") throw invalid("retries", "must be a number");
  if (!Number.isInteger(v) || v < 0 || v > 10) throw invalid("retries", "must be a whole number from 0 to 10");
}

function checkObject(v, what) {
  if (typeof v !== "object" || v === null) throw invalid(what, "must be an object");
  return v;
}

function readOptions(obj) {
  const accessToken = checkAccessToken(optString(obj, "accessToken"));
  const baseUrl = checkBaseUrl(optString(obj, "baseUrl"));
  const timeoutMs = checkTimeoutMs(obj.timeoutMs);
  checkRetries(obj.retries);
  return { accessToken, baseUrl, timeoutMs };
}

function readRequest(obj) {
  const env = optString(obj, "env");
  if (env === undefined) throw invalid("env", "is required (a non-empty string)");
  const functionName = optString(obj, "functionName");
  if (functionName === undefined) throw invalid("functionName", "is required (a non-empty string)");
  const t = obj.type;
  const type = t === 1 || t === 2 || t === 3 ? t : typeof t === "string" && Object.hasOwn(NAMES, t) ? NAMES[t] : undefined;
  if (type === undefined) throw invalid("type", TYPE_RULE);
  if (env === "") throw invalid("env", 'is required (the environment id, e.g. "test-777bb9")');
  if (!ENV.test(env)) throw invalid("env", "must be 1-64 characters of letters, digits, '-' and '_'");
  if (functionName === "") throw invalid("functionName", "is required (the cloud function's name)");
  if (!FUNCTION_NAME.test(functionName)) {
    throw invalid("functionName", "must be 1-60 characters of letters, digits, '-' and '_', starting with a letter");
  }
  const signal = obj.signal ?? undefined;
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw invalid("signal", "must be an AbortSignal");
  return { env, functionName, type, signal };
}

// --- decoding ---------------------------------------------------------------------------------

const kindOf = (v) =>
  v === null ? "null" : Array.isArray(v) ? "an array" : typeof v === "object" ? "an object"
    : typeof v === "string" ? "a string" : typeof v === "number" ? "a number" : "a boolean";
const isObject = (v) => typeof v === "object" && v !== null && !Array.isArray(v);
const wrong = (path, expected, v) => `\`${path}\` is ${kindOf(v)}, expected ${expected}`;

function str(v, path) {
  if (typeof v !== "string") throw wrong(path, "a string", v);
  return v;
}

function list(v, path, item) {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw wrong(path, "an array", v);
  const out = new Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = item(v[i], `${path}[${i}]`);
  return out;
}

function obj(v, path) {
  if (!isObject(v)) throw wrong(path, "an object", v);
  return v;
}

function cloudCall(v) {
  const permissions = obj(v, "config").permissions;
  if (permissions === undefined || permissions === null) return [];
  obj(permissions, "permissions");
  let names;
  for (const k in permissions) {
    if (k.length === 7 && k.toLowerCase() === "openapi") {
      names = permissions[k];
      break;
    }
  }
  return list(names, "permissions.openapi", str);
}

function triggers(v) {
  return list(obj(v, "config").triggers, "triggers", (t, path) => {
    obj(t, path);
    const field = (key) => {
      if (t[key] === undefined || t[key] === null) throw `\`${path}.${key}\` is missing`;
      return str(t[key], `${path}.${key}`);
    };
    const name = field("name");
    const type = t.type === undefined || t.type === null ? "timer" : str(t.type, `${path}.type`);
    return { name, type, config: field("config") };
  });
}

function environment(v) {
  obj(v, "config");
  let timeout = 3;
  if (v.timeout !== undefined && v.timeout !== null) {
    if (typeof v.timeout !== "number") throw wrong("timeout", "a whole number of seconds", v.timeout);
    if (!Number.isInteger(v.timeout) || v.timeout < 0 || v.timeout > 4294967295) {
      throw `\`timeout\` is ${v.timeout}, expected whole seconds`;
    }
    timeout = v.timeout;
  }
  const vars = list(v.environment, "environment", (e, path) => {
    obj(e, path);
    const field = (key) => {
      if (!(key in e)) throw `\`${path}.${key}\` is missing`;
      return str(e[key], `${path}.${key}`);
    };
    return { key: field("key"), value: field("value") };
  });
  return { timeout, environment: vars };
}

/** Decodes one answer (HTTP status and body text) into a typed config; throws a TcbError. */
export function decodeAnswer(status, body, env, functionName, type) {
  if (status < 200 || status > 299) throw httpError(status);
  if (body.trim() === "") throw decodeError("the answer", "the body is empty", body);
  let envelope;
  try {
    envelope = JSON.parse(body);
  } catch (e) {
    throw decodeError("the answer", `not JSON (${e.message})`, body);
  }
  if (!isObject(envelope)) throw decodeError("the answer", `${kindOf(envelope)}, not a JSON object`, body);
  let errcode = envelope.errcode;
  if (typeof errcode === "string" && /^\s*[+-]?\d+\s*$/.test(errcode)) errcode = Number(errcode);
  if (errcode === undefined || errcode === null) throw decodeError("the answer", "the answer has no `errcode`", body);
  if (!Number.isSafeInteger(errcode)) throw decodeError("the answer", "`errcode` is not an integer", body);
  if (errcode !== 0) throw apiError(errcode, typeof envelope.errmsg === "string" ? envelope.errmsg : undefined);
  const raw = envelope.config;
  if (typeof raw !== "string") {
    const detail = raw === undefined || raw === null ? "errcode is 0 but `config` is missing"
      : `\`config\` is ${kindOf(raw)}, not the documented JSON string`;
    throw decodeError("the answer", detail, body);
  }
  const kind = KINDS[type];
  const what = `the type ${type} (${kind}) config`;
  try {
    let value;
    try {
      value = JSON.parse(raw);
      if (typeof value === "string") value = JSON.parse(value);
    } catch (e) {
      throw `not JSON (${e.message})`;
    }
    if (type === 1) return { kind, type, env, functionName, openapi: cloudCall(value), raw };
    if (type === 2) return { kind, type, env, functionName, triggers: triggers(value), raw };
    const { timeout, environment: vars } = environment(value);
    return { kind, type, env, functionName, timeout, environment: vars, raw };
  } catch (detail) {
    throw typeof detail === "string" ? decodeError(what, detail, raw) : detail;
  }
}

// --- the call ---------------------------------------------------------------------------------

function scrub(e, token) {
  for (const k of ["message", "errmsg", "raw"]) {
    if (typeof e[k] === "string" && e[k].includes(token)) e[k] = e[k].replaceAll(token, "***");
  }
  return e;
}

async function call(options, request) {
  const { accessToken, baseUrl, timeoutMs } = options;
  const { env, functionName, type, signal } = request;
  if (signal?.aborted) throw abortedError();
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error("timeout"));
  }, timeoutMs);
  const onAbort = () => controller.abort(new Error("aborted"));
  signal?.addEventListener("abort", onAbort);
  const failure = (e) => (signal?.aborted ? abortedError() : timedOut ? timeoutError(timeoutMs) : networkError(String(e?.message ?? e)));
  try {
    let status, body;
    try {
      const response = await fetch(`${baseUrl}/tcb/getfuncconfig?access_token=${encodeURIComponent(accessToken).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase())}`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: `{"type":${type},"env":"${env}","function_name":"${functionName}"}`,
        signal: controller.signal,
      });
      status = response.status;
      body = await response.text();
    } catch (e) {
      throw failure(e);
    }
    return decodeAnswer(status, body, env, functionName, type);
  } catch (e) {
    throw scrub(e, accessToken);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }
}

/** `getFuncConfig({ accessToken, env, functionName, type, baseUrl?, timeoutMs?, signal? })`. */
export async function getFuncConfig(request) {
  checkObject(request, "request");
  return call(readOptions(request), readRequest(request));
}

/** `new TcbClient({ accessToken, baseUrl?, timeoutMs? })` with `.getFuncConfig({ env, functionName, type, signal? })`. */
export class TcbClient {
  #options;
  constructor(options) {
    checkObject(options, "options");
    this.#options = readOptions(options);
  }
  async getFuncConfig(request) {
    checkObject(request, "request");
    return call(this.#options, readRequest(request));
  }
  free() {}
}
