// Where configurations come from. Both sources answer with the package's typed config objects
// and throw PageError, so rendering never cares which one is in use:
//   - workerSource: the Worker's JSON API on this origin (normal mode, key in a Bearer header);
//   - directSource: the package's own wasm TcbClient calling a CORS-enabled base URL
//     (development mode, e.g. the local simulator).
// Both also list an environment's functions, compare a config across two environments and
// edit configs. An edit names the config it was made on: the Worker guards it with the
// config's `version`, the direct client with its `raw` text (`expectedRaw`).

import { loadPackage } from "./package.js";

/** Config type numbers and the names used in results (`kind`). */
export const KINDS = { 1: "cloudCall", 2: "timerTrigger", 3: "environment" };
export const KIND_ORDER = ["cloudCall", "timerTrigger", "environment"];
/** The config types a query can ask for: all three, or one. */
export const TYPES = ["all", ...Object.keys(KINDS)];
/** The config type number of each kind, as a query names it: `{cloudCall: "1", ...}`. */
export const TYPE_OF = Object.fromEntries(Object.entries(KINDS).map(([type, kind]) => [kind, type]));

/** errcode for "no config of this type": shown as a neutral state, not as an error. */
export const NOT_CONFIGURED = 85089;

const REQUEST_TIMEOUT_MS = 30000;

/** Items per page of the function list. */
export const PAGE_SIZE = 20;

/**
 * The edit operations: the Worker route of each, and the kind of config it changes.
 * `fields` of an edit: environment `{set?, unset?, timeout?}`, grant/revoke `{names}`,
 * trigger `{name, config}`, triggerRemove `{}`.
 */
export const EDITS = {
  environment: { path: "/api/edit/environment", kind: "environment" },
  grant: { path: "/api/edit/openapi/grant", kind: "cloudCall" },
  revoke: { path: "/api/edit/openapi/revoke", kind: "cloudCall" },
  trigger: { path: "/api/edit/trigger", kind: "timerTrigger" },
  triggerRemove: { path: "/api/edit/trigger/remove", kind: "timerTrigger" },
};

/** A failed request, with the fields of the API's error object. */
export class PageError extends Error {
  constructor({ code = "unknown", errcode, errmsg, hint = "", retryable = false, message, httpStatus,
    expected, actual, changes } = {}) {
    super(message || hint || code);
    this.name = "PageError";
    this.code = String(code);
    if (errcode !== undefined && errcode !== null) this.errcode = Number(errcode);
    if (errmsg !== undefined && errmsg !== null) this.errmsg = String(errmsg);
    this.hint = String(hint ?? "");
    this.retryable = Boolean(retryable);
    if (httpStatus !== undefined) this.httpStatus = httpStatus;
    // A conflict or an unverified write says what the caller saw and what the server has
    // (configs, masked) and the changes between them.
    if (isConfigOrNull(expected)) this.expected = expected;
    if (isConfigOrNull(actual)) this.actual = actual;
    if (Array.isArray(changes)) this.changes = changes.filter((c) => c && typeof c === "object");
  }
}

/** Any failure as a PageError: one already is, anything else keeps its code and message. */
export function asPageError(error) {
  if (error instanceof PageError) return error;
  return new PageError({ code: error?.code ?? "unknown", hint: String(error?.message ?? error) });
}

const isConfigOrNull = (value) => value === null || (typeof value === "object" && value !== undefined && !Array.isArray(value));

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

  async function call(path, params, signal, json) {
    const url = new URL(path, location.origin);
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, String(value));
    const signals = [AbortSignal.timeout(REQUEST_TIMEOUT_MS)];
    if (signal) signals.push(signal);
    let response;
    let text;
    try {
      response = await fetch(url, {
        ...(json === undefined
          ? { headers }
          : { method: "POST", headers: { ...headers, "Content-Type": "application/json" }, body: JSON.stringify(json) }),
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
      // A conflict's configs and changes are read from the error, or from beside it.
      const extra = {};
      for (const name of ["expected", "actual", "changes"]) {
        if (!Object.hasOwn(apiError, name) && Object.hasOwn(body, name)) extra[name] = body[name];
      }
      throw new PageError({ ...apiError, ...extra, httpStatus: response.status });
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

    /** One page of the environment's functions: `{total, functions}`. */
    async functions({ env, offset = 0, limit = PAGE_SIZE }, signal) {
      return listAnswer(await call("/api/functions", { env, limit, offset }, signal));
    },

    /** The config of one type in two environments, masked, and the changes from A to B. */
    async compare({ functionName, envA, envB, type }, signal) {
      const body = await call("/api/compare", { function: functionName, envA, envB, type }, signal);
      return {
        a: configOrNull(body.a),
        b: configOrNull(body.b),
        changes: Array.isArray(body.changes) ? body.changes : [],
      };
    },

    /** Editing is possible (the Worker refuses a viewer's edits with 403 `forbidden`). */
    canEdit: true,

    /**
     * Sends edit `op` (see {@link EDITS}) of `config` (the config shown, `null` for "not
     * configured"), guarded by its version: `{written, config, changes}`. `dryRun` writes
     * nothing and gives the changes the edit would make.
     */
    async edit(op, { env, functionName, config, fields, dryRun = false }, signal) {
      const body = { env, function: functionName, expectedVersion: versionOf(config), ...fields };
      if (dryRun) body.dryRun = true;
      return editAnswer(await call(EDITS[op].path, {}, signal, body));
    },
  };
}

/** The version an edit is guarded with: the config's, or `null` for "not configured". */
export function versionOf(config) {
  return config && typeof config.version === "string" ? config.version : null;
}

function configOrNull(value) {
  return value && typeof value === "object" && !Array.isArray(value) ? value : null;
}

function listAnswer(body) {
  const functions = Array.isArray(body?.functions) ? body.functions.filter((f) => f && typeof f.name === "string") : [];
  const total = Number.isInteger(body?.total) ? body.total : functions.length;
  return { total, functions };
}

function editAnswer(body) {
  return {
    written: body?.written === true,
    config: configOrNull(body?.config),
    changes: Array.isArray(body?.changes) ? body.changes : [],
  };
}

/** Development mode: the package's wasm client calls `baseUrl` with `token`, from this page. */
export async function directSource(baseUrl, token) {
  const pkg = await loadPackage();
  const { TcbClient, isTcbError } = pkg;
  const wrap = (error) => (isTcbError(error) ? new PageError(error) : error);
  let client;
  try {
    client = new TcbClient({ accessToken: token, baseUrl, timeoutMs: REQUEST_TIMEOUT_MS });
  } catch (error) {
    throw wrap(error);
  }
  // Clear values stay here, next to the masked config that is rendered, until revealed; so
  // does the exact `raw` of every config shown, which guards an edit made on it.
  const clearValues = new WeakMap();
  const realRaw = new WeakMap();
  const maskConfig = (config) => {
    if (!config || typeof config !== "object") return config ?? null;
    if (config.kind !== "environment") {
      realRaw.set(config, config.raw);
      return config;
    }
    const masked = pkg.maskConfig(config);
    clearValues.set(masked, config.environment.map((item) => item.value));
    realRaw.set(masked, config.raw);
    return masked;
  };
  const editMethods = ["updateEnvironment", "grantOpenapi", "revokeOpenapi", "setTimerTrigger", "removeTimerTrigger"];
  const canEdit = editMethods.every((name) => typeof client[name] === "function");

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

    async functions({ env, offset = 0, limit = PAGE_SIZE }, signal) {
      if (typeof client.listFunctions !== "function") throw unavailable();
      try {
        return listAnswer(await client.listFunctions({ env, limit, offset, signal }));
      } catch (error) {
        throw wrap(error);
      }
    },

    async compare({ functionName, envA, envB, type }, signal) {
      if (typeof pkg.diffConfigs !== "function") throw unavailable();
      try {
        const [a, b] = await Promise.all([envA, envB].map((env) =>
          single(() => client.getFuncConfig({ env, functionName, type: Number(type), signal }))));
        const changes = pkg.diffConfigs(a ?? emptyLike(pkg, type, b), b ?? emptyLike(pkg, type, a));
        return { a: maskConfig(a), b: maskConfig(b), changes };
      } catch (error) {
        throw wrap(error);
      }
    },

    /** Whether this build of the package can edit (else the page says editing is unavailable). */
    canEdit,

    /** See {@link workerSource}'s `edit`; guarded by the exact `raw` of `config` instead. */
    async edit(op, { env, functionName, config, fields, dryRun = false }, signal) {
      if (!canEdit) throw unavailable();
      const expectedRaw = config ? realRaw.get(config) : null;
      if (expectedRaw === undefined) throw new PageError({ code: "invalid_argument", hint: "Look the function up again." });
      const options = { expectedRaw, dryRun, signal };
      try {
        let result;
        if (op === "environment") result = await client.updateEnvironment(env, functionName, fields, options);
        else if (op === "grant") result = await client.grantOpenapi(env, functionName, fields.names, options);
        else if (op === "revoke") result = await client.revokeOpenapi(env, functionName, fields.names, options);
        else if (op === "trigger") result = await client.setTimerTrigger(env, functionName, { name: fields.name, config: fields.config }, options);
        else result = await client.removeTimerTrigger(env, functionName, options);
        const answer = editAnswer(result);
        return { ...answer, config: maskConfig(answer.config) };
      } catch (error) {
        throw wrap(error);
      }
    },
  };
}

function unavailable() {
  return new PageError({ code: "unavailable", hint: "This build of the package cannot do this in direct mode; use the Worker." });
}

/**
 * The package's empty config of `type` to compare a missing one with; the other's timeout kept,
 * so that a missing environment config shows no timeout change.
 */
function emptyLike(pkg, type, other) {
  const empty = pkg.emptyConfig(Number(type));
  if (Number(type) === 3 && Number.isInteger(other?.timeout)) empty.timeout = other.timeout;
  return empty;
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
