// Development mode's source: the package's own wasm client, calling a CORS-enabled base URL from
// the page (see source.js for what both sources share).

import { loadPackage } from "./package.js";
import {
  KINDS, KIND_ORDER, PAGE_SIZE, PageError, REQUEST_TIMEOUT_MS, editAnswer, listAnswer, single,
} from "./source.js";

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

    /** The environments the token sees, from the package's `getEnvInfo`. */
    async environments(signal) {
      if (typeof client.getEnvInfo !== "function") throw unavailable();
      try {
        const { environments } = await client.getEnvInfo({ signal });
        return { environments: Array.isArray(environments) ? environments : [] };
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
