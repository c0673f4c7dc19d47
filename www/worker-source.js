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

/** The value of the row that was masked as `item` at `index` in the revealed config. */
function pickValue(clear, item, index) {
  const items = Array.isArray(clear?.environment) ? clear.environment : [];
  const match = items[index]?.key === item?.key ? items[index] : items.find((v) => v.key === item?.key);
  if (!match || typeof match.value !== "string") {
    throw new PageError({ code: "decode", hint: "The variable was not in the answer. Look the function up again." });
  }
  return match.value;
}
