// The normal mode's source: the Worker's JSON API on this origin (see source.js for what both
// sources share).

import {
  EDITS, KINDS, KIND_ORDER, PAGE_SIZE, PageError, REQUEST_TIMEOUT_MS, configOrNull, editAnswer, listAnswer, single,
  versionOf,
} from "./source.js";

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

/** Mini programs per page of the picker. */
export const APPS_PAGE_SIZE = 20;

/**
 * The normal mode: the Worker's API on this origin, authorised with the access key, or with
 * no key (`null`) when Cloudflare Access signs the requests in front of the Worker. With
 * `appid`, every request that acts for an app names it (`forApp` gives the source of another).
 */
export function workerSource(key, appid = null) {
  const headers = { Accept: "application/json" };
  if (key) headers.Authorization = `Bearer ${key}`;
  /** `fields` with the app's appid, for a query string or a POST body (where `env` is). */
  const scoped = (fields) => (appid ? { appid, ...fields } : fields);

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
    /** The app this source acts for, or null (no apps, or none chosen yet). */
    appid,

    /** The same Worker and key, acting for `id`. */
    forApp: (id) => workerSource(key, id),

    /** `{role, via}` for the key; throws `unauthorized` for a wrong one. */
    me: (signal) => call("/api/me", {}, signal),

    /**
     * One page of the mini programs whose appid or nickname contains `q`:
     * `{mode: "platform" | "app" | "none", total, offset, apps}`.
     */
    async apps({ q = "", offset = 0, limit = APPS_PAGE_SIZE }, signal) {
      return appsAnswer(await call("/api/apps", { q, offset, limit }, signal));
    },

    /** The app's environments: `{environments: [{env, alias, status, ...}]}`. */
    async environments(signal) {
      const body = await call("/api/envs", scoped({}), signal);
      return { environments: Array.isArray(body.environments) ? body.environments.filter((e) => e && typeof e.env === "string") : [] };
    },

    /** Links to WeChat's authorization page for a new mini program (admin): `{pc, mobile, expiresIn}`. */
    async authorize(signal) {
      const body = await call("/api/apps/authorize", {}, signal, {});
      return {
        pc: webLink(body.pc), mobile: webLink(body.mobile),
        expiresIn: Number.isInteger(body.expiresIn) ? body.expiresIn : null,
      };
    },

    /** Registers every mini program that authorized the platform (admin): `{total, added, updated}`. */
    async importApps(signal) {
      const body = await call("/api/apps/import", {}, signal, {});
      const count = (value) => (Number.isInteger(value) && value >= 0 ? value : 0);
      return { total: count(body.total), added: count(body.added), updated: count(body.updated) };
    },

    /** See {@link directSource}'s `configs`. */
    async configs({ env, functionName, type }, signal) {
      const params = scoped({ env, function: functionName, type });
      if (type === "all") {
        const all = await call("/api/config", params, signal);
        return Object.fromEntries(KIND_ORDER.map((kind) => [kind, all[kind] ?? null]));
      }
      return { [KINDS[type]]: await single(() => call("/api/config", params, signal)) };
    },

    /** The clear value of row `index` of a masked environment config (admin only). */
    async reveal(config, index, signal) {
      const clear = await call("/api/config",
        scoped({ env: config.env, function: config.functionName, type: 3, reveal: 1 }), signal);
      return pickValue(clear, config.environment[index], index);
    },

    /** One page of the environment's functions: `{total, functions}`. */
    async functions({ env, offset = 0, limit = PAGE_SIZE }, signal) {
      return listAnswer(await call("/api/functions", scoped({ env, limit, offset }), signal));
    },

    /** The config of one type in two environments, masked, and the changes from A to B. */
    async compare({ functionName, envA, envB, type }, signal) {
      const body = await call("/api/compare", scoped({ function: functionName, envA, envB, type }), signal);
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
      const body = scoped({ env, function: functionName, expectedVersion: versionOf(config), ...fields });
      if (dryRun) body.dryRun = true;
      return editAnswer(await call(EDITS[op].path, {}, signal, body));
    },
  };
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

const APP_STATUSES = ["authorized", "revoked", "reauthorize"];
const MODES = ["platform", "app", "none"];

/** The answer of /api/apps, with only well-formed rows (unknown statuses kept as "unknown"). */
function appsAnswer(body) {
  const text = (value) => (typeof value === "string" && value !== "" ? value : null);
  const apps = (Array.isArray(body.apps) ? body.apps : [])
    .filter((row) => row && typeof row.appid === "string" && row.appid !== "")
    .map((row) => ({
      appid: row.appid,
      nickName: text(row.nickName),
      headImg: text(row.headImg),
      principalName: text(row.principalName),
      cloudDevelopment: row.cloudDevelopment === true,
      status: APP_STATUSES.includes(row.status) ? row.status : "unknown",
    }));
  return {
    mode: MODES.includes(body.mode) ? body.mode : "none",
    total: Number.isInteger(body.total) ? body.total : apps.length,
    offset: Number.isInteger(body.offset) ? body.offset : 0,
    apps,
  };
}

/** An http(s) link from the Worker, or null: nothing else becomes an href. */
function webLink(value) {
  try {
    const url = new URL(String(value));
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}
