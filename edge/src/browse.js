// Browsing: GET /api/functions (the functions of an environment) and GET /api/compare (one
// config type of a function in two environments, and what differs).
import { checkField, diffConfigs, emptyConfig } from "tcb-funcconfig";
import { TYPES, apiError, fromTcbError, isNotConfigured, misconfigured, presentChanges, presentVersioned, refuseReveal } from "./api.js";
import { clientFor } from "./source.js";

const BAD_QUERY_HINT = "fix the argument; nothing was sent";
const badQuery = (message) => apiError(400, "invalid_argument", BAD_QUERY_HINT, message);

/**
 * `GET /api/functions?env=E[&limit=L&offset=O]` or `?env=E&all=1`: `{ total, functions }`.
 * @param {URLSearchParams} params
 * @param {Record<string, any>} env
 * @returns {Promise<import("./api.js").ApiResult>}
 */
export async function listFunctions(params, env) {
  const all = params.get("all");
  if (all !== null && all !== "0" && all !== "1") return badQuery("all must be 1 (every function) or 0");
  // Digits only; anything else goes to the package as NaN. The package checks the range (and
  // refuses NaN) by its own rule before anything is sent.
  const paging = {};
  for (const name of ["limit", "offset"]) {
    const text = params.get(name);
    if (text !== null) paging[name] = /^[0-9]{1,10}$/.test(text) ? Number(text) : NaN;
  }
  if (all === "1" && Object.keys(paging).length > 0) return badQuery("all=1 lists every function: send it without limit or offset");

  const built = await clientFor(env, params.get("appid"));
  if (built.refused) return built.refused;
  if (built.problem) return misconfigured(built.problem);
  const envId = params.get("env") ?? undefined;
  try {
    const listed = all === "1"
      ? await built.client.listAllFunctions(envId)
      : await built.client.listFunctions({ env: envId, ...paging });
    // Field by field: what the package may add later is not passed on unseen.
    const functions = listed.functions.map(({ name, runtime, status, addTime, modTime }) => ({
      name,
      runtime: runtime ?? null,
      status: status ?? null,
      addTime: addTime ?? null,
      modTime: modTime ?? null,
    }));
    return { status: 200, body: { total: listed.total, functions } };
  } catch (e) {
    return fromTcbError(e);
  }
}

/** The comparable part of a config, in the plain shape `diffConfigs` takes. */
export function comparable(config, type) {
  // A config that is not there ("not configured") compares as the empty one.
  if (config === null) return emptyConfig(type);
  if (type === 1) return { openapi: config.openapi };
  if (type === 2) return { triggers: config.triggers.map(({ name, type: kind, config: cron }) => ({ name, type: kind, config: cron })) };
  return { timeout: config.timeout, environment: config.environment.map(({ key, value }) => ({ key, value })) };
}

/**
 * `GET /api/compare?function=F&envA=A&envB=B&type=1|2|3[&reveal=1]`: `{ a, b, changes }`, the
 * changes from A to B. A side that is not configured is `null` and compares as an empty config.
 * Changes are computed on the real values, and shown masked unless an admin asks `reveal=1`.
 * @param {URLSearchParams} params
 * @param {"viewer" | "admin"} role
 * @param {Record<string, any>} env
 * @returns {Promise<import("./api.js").ApiResult>}
 */
export async function compare(params, role, env) {
  const refused = refuseReveal(params, role);
  if (refused) return refused;
  const reveal = params.get("reveal") === "1";
  const typeText = params.get("type");
  if (!Object.hasOwn(TYPES, typeText ?? "")) return badQuery("type must be 1, 2 or 3");
  const type = TYPES[typeText];
  // Both sides are read at once: both names are checked first, by the package's rules, so that
  // a bad one sends nothing at all.
  for (const [name, field] of [["function", "functionName"], ["envA", "env"], ["envB", "env"]]) {
    const value = params.get(name);
    if (value === null) return badQuery(`${name} is required`);
    const broken = checkField(type, field, value);
    if (broken) return badQuery(`${name}: ${broken.message}`);
  }

  const built = await clientFor(env, params.get("appid"));
  if (built.refused) return built.refused;
  if (built.problem) return misconfigured(built.problem);
  const { client } = built;
  const functionName = params.get("function");
  const read = (envId) =>
    client.getFuncConfig({ env: envId, functionName, type }).then(
      (config) => ({ config }),
      (error) => (isNotConfigured(error) ? { config: null } : { error }),
    );
  try {
    const [a, b] = await Promise.all([read(params.get("envA")), read(params.get("envB"))]);
    if (a.error) throw a.error;
    if (b.error) throw b.error;
    const changes = diffConfigs(comparable(a.config, type), comparable(b.config, type), { revealValues: reveal });
    return {
      status: 200,
      body: {
        a: await presentVersioned(a.config, reveal, env),
        b: await presentVersioned(b.config, reveal, env),
        changes: presentChanges(changes, reveal),
      },
    };
  } catch (e) {
    return fromTcbError(e);
  }
}
