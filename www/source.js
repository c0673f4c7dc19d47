// Where configurations come from. Both sources answer with the package's typed config objects
// and throw PageError, so rendering never cares which one is in use:
//   - workerSource: the Worker's JSON API on this origin (normal mode, key in a Bearer header);
//   - directSource: the package's own wasm TcbClient calling a CORS-enabled base URL
//     (development mode, e.g. the local simulator).

/** Config type numbers and the names used in results (`kind`). */
export const KINDS = { 1: "cloudCall", 2: "timerTrigger", 3: "environment" };
export const KIND_ORDER = ["cloudCall", "timerTrigger", "environment"];

/** errcode for "no config of this type": shown as a neutral state, not as an error. */
export const NOT_CONFIGURED = 85089;

/** Dots shown in place of a hidden value (the same the Worker sends). */
export const MASK = "••••••";

const REQUEST_TIMEOUT_MS = 30000;

/** A failed request, with the fields of the API's error object. */
export class PageError extends Error {
  constructor({ code = "unknown", errcode, errmsg, hint = "", retryable = false, message, httpStatus } = {}) {
    super(message || hint || code);
    this.name = "PageError";
    this.code = String(code);
    if (errcode !== undefined && errcode !== null) this.errcode = Number(errcode);
    if (errmsg !== undefined && errmsg !== null) this.errmsg = String(errmsg);
    this.hint = String(hint ?? "");
    this.retryable = Boolean(retryable);
    if (httpStatus !== undefined) this.httpStatus = httpStatus;
  }
}

/** Turns a fetch rejection into a PageError (abort and timeout keep their own codes). */
function fetchFailure(error, signal) {
  if (error?.name === "TimeoutError") {
    return new PageError({ code: "timeout", retryable: true, hint: "The server did not answer in time. Try again." });
  }
  if (error?.name === "AbortError" || signal?.aborted) {
    return new PageError({ code: "aborted", hint: "The request was cancelled." });
  }
  return new PageError({ code: "network", retryable: true, hint: "Check the connection and that the server is running." });
}

/**
 * The normal mode: the Worker's API on this origin, authorised with the access key, or with
 * no key (`null`) when Cloudflare Access signs the requests in front of the Worker.
 */
export function workerSource(key) {
  const headers = { Accept: "application/json" };
  if (key) headers.Authorization = `Bearer ${key}`;

  async function call(path, params, signal) {
    const url = new URL(path, location.origin);
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, String(value));
    const signals = [AbortSignal.timeout(REQUEST_TIMEOUT_MS)];
    if (signal) signals.push(signal);
    let response;
    let text;
    try {
      response = await fetch(url, {
        headers,
        signal: AbortSignal.any(signals),
        cache: "no-store",
      });
      text = await response.text();
    } catch (error) {
      throw fetchFailure(error, signal);
    }
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const apiError = body && typeof body === "object" ? body.error : undefined;
    if (apiError && typeof apiError === "object") {
      throw new PageError({ ...apiError, httpStatus: response.status });
    }
    if (!response.ok) {
      throw new PageError({ code: "http", httpStatus: response.status, retryable: response.status >= 500,
        hint: "The server answered with an HTTP error and no details." });
    }
    if (!body || typeof body !== "object") {
      throw new PageError({ code: "decode", httpStatus: response.status, hint: "The server's answer was not JSON." });
    }
    return body;
  }

  return {
    mode: "worker",

    /** `{role, via}` for the key; throws `unauthorized` for a wrong one. */
    me: (signal) => call("/api/me", {}, signal),

    /** See {@link directSource}'s `configs`. */
    async configs({ env, functionName, type }, signal) {
      const params = { env, function: functionName, type };
      if (type === "all") {
        const all = await call("/api/config", params, signal);
        return Object.fromEntries(KIND_ORDER.map((kind) => [kind, all[kind] ?? null]));
      }
      return { [KINDS[type]]: await single(() => call("/api/config", params, signal)) };
    },

    /** The clear value of row `index` of a masked environment config (admin only). */
    async reveal(config, index, signal) {
      const clear = await call("/api/config",
        { env: config.env, function: config.functionName, type: 3, reveal: 1 }, signal);
      return pickValue(clear, config.environment[index], index);
    },
  };
}

/** Development mode: the package's wasm client calls `baseUrl` with `token`, from this page. */
export async function directSource(baseUrl, token) {
  const { TcbClient, isTcbError } = await import("./pkg/browser.js");
  const wrap = (error) => (isTcbError(error) ? new PageError(error) : error);
  let client;
  try {
    client = new TcbClient({ accessToken: token, baseUrl, timeoutMs: REQUEST_TIMEOUT_MS });
  } catch (error) {
    throw wrap(error);
  }
  // Clear values stay here, next to the masked config that is rendered, until revealed.
  const clearValues = new WeakMap();
  const maskConfig = (config) => {
    if (!config || config.kind !== "environment") return config;
    const masked = maskEnvironment(config);
    clearValues.set(masked, config.environment.map((item) => item.value));
    return masked;
  };

  return {
    mode: "direct",

    /**
     * The configs asked for, by kind: `{cloudCall, timerTrigger, environment}` for "all",
     * else one of them. `null` means not configured (errcode 85089).
     */
    async configs({ env, functionName, type }, signal) {
      try {
        if (type === "all") {
          const all = await client.getAllConfigs(env, functionName, { signal });
          return Object.fromEntries(KIND_ORDER.map((kind) => [kind, maskConfig(all[kind] ?? null)]));
        }
        const config = await single(() => client.getFuncConfig({ env, functionName, type: Number(type), signal }));
        return { [KINDS[type]]: maskConfig(config) };
      } catch (error) {
        throw wrap(error);
      }
    },

    async reveal(config, index) {
      const values = clearValues.get(config);
      if (!values || index >= values.length) throw new PageError({ code: "invalid_argument", hint: "Look the function up again." });
      return values[index];
    },
  };
}

/** Runs a one-type request; "not configured" (85089) becomes `null`. */
async function single(request) {
  try {
    return await request();
  } catch (error) {
    if (Number(error?.errcode) === NOT_CONFIGURED) return null;
    throw error;
  }
}

/** The value of the row that was masked as `item` at `index` in the revealed config. */
function pickValue(clear, item, index) {
  const items = Array.isArray(clear?.environment) ? clear.environment : [];
  const match = items[index]?.key === item?.key ? items[index] : items.find((v) => v.key === item?.key);
  if (!match || typeof match.value !== "string") {
    throw new PageError({ code: "decode", hint: "The variable was not in the answer. Look the function up again." });
  }
  return match.value;
}

/** The environment config as a viewer sees it from the Worker: values and raw values removed. */
function maskEnvironment(config) {
  const environment = config.environment.map(({ key, value }) => ({ key, value: MASK, masked: true, length: value.length }));
  return {
    ...config,
    environment,
    raw: JSON.stringify({ timeout: config.timeout, environment: environment.map(({ key }) => ({ key, value: MASK })) }),
    rawMasked: true,
  };
}
