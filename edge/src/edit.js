// The admin's write routes: POST /api/edit/environment, /api/edit/openapi/grant,
// /api/edit/openapi/revoke, /api/edit/trigger and /api/edit/trigger/remove.
//
// Each one is a read-modify-write of one config type through the package's helpers. The body
// names the version of the config the admin last saw (`expectedVersion`, from GET /api/config;
// null for "not configured"). The Worker reads the config, and writes only when it is still
// that version; it passes the `raw` it read on to the helper, whose own read before the upload
// guards the write once more. A caller that holds the real text (after reveal=1) may send it
// as `expectedRaw` instead, which goes to the helper as it is.
import {
  apiError,
  fromTcbError,
  isNotConfigured,
  misconfigured,
  presentChanges,
  presentVersioned,
  readBody,
  refuseCrossSite,
} from "./api.js";
import { appidOf, outcomeOf, recordWrite, whoOf } from "./history.js";
import { clientFor } from "./source.js";
import { VERSION_PATTERN, versionOf } from "./version.js";

/** The most a write's body may be. */
export const MAX_EDIT_BODY_BYTES = 64 * 1024;

const BAD_BODY_HINT = "fix the body; nothing was sent";

const isObject = (v) => typeof v === "object" && v !== null && !Array.isArray(v);
const isStringList = (v) => Array.isArray(v) && v.every((item) => typeof item === "string");

/**
 * What each route takes besides `appid`, `env`, `function`, `expectedVersion` and `dryRun`: the config
 * type, each field's check (a message when it is wrong), the required fields, and the helper
 * call.
 */
const EDITS = {
  "/api/edit/environment": {
    type: 3,
    fields: {
      set: (v) => checkSet(v),
      unset: (v) => (isStringList(v) ? null : "unset must be an array of strings"),
      timeout: (v) => (typeof v === "number" ? null : "timeout must be a number"),
    },
    required: [],
    call: (client, e, f, body, options) => {
      const edit = {};
      for (const k of ["set", "unset", "timeout"]) if (body[k] !== undefined) edit[k] = body[k];
      return client.updateEnvironment(e, f, edit, options);
    },
  },
  "/api/edit/openapi/grant": {
    type: 1,
    fields: { names: (v) => (isStringList(v) ? null : "names must be an array of strings") },
    required: ["names"],
    call: (client, e, f, body, options) => client.grantOpenapi(e, f, body.names, options),
  },
  "/api/edit/openapi/revoke": {
    type: 1,
    fields: { names: (v) => (isStringList(v) ? null : "names must be an array of strings") },
    required: ["names"],
    call: (client, e, f, body, options) => client.revokeOpenapi(e, f, body.names, options),
  },
  "/api/edit/trigger": {
    type: 2,
    fields: {
      name: (v) => (typeof v === "string" ? null : "name must be a string"),
      config: (v) => (typeof v === "string" ? null : "config must be a string (a 7-field cron expression)"),
    },
    required: ["name", "config"],
    call: (client, e, f, body, options) => client.setTimerTrigger(e, f, { name: body.name, config: body.config }, options),
  },
  "/api/edit/trigger/remove": {
    type: 2,
    fields: {},
    required: [],
    call: (client, e, f, _body, options) => client.removeTimerTrigger(e, f, options),
  },
};

/** The write routes, by path. */
export const EDIT_ROUTES = new Set(Object.keys(EDITS));

function checkSet(v) {
  if (!isObject(v)) return "set must be an object of variable names to string values";
  // A key is named (it is what the admin typed as a name), a value never is.
  for (const [key, value] of Object.entries(v)) {
    if (typeof value !== "string") return `set.${key.slice(0, 64)} must be a string`;
  }
  return null;
}

/**
 * Answers a write route. The caller is an admin already and the method is POST.
 * @param {Request} request
 * @param {URL} url
 * @param {Record<string, any>} env
 * @param {import("./auth.js").Identity} identity
 * @returns {Promise<import("./api.js").ApiResult>}
 */
export async function edit(request, url, env, identity) {
  const route = EDITS[url.pathname];
  const refused = refuseCrossSite(request, url);
  if (refused) return refused;
  const read = await readBody(request, MAX_EDIT_BODY_BYTES);
  if (read.tooLarge) {
    return apiError(413, "payload_too_large", `send a body of at most ${MAX_EDIT_BODY_BYTES / 1024} KB; nothing was sent`);
  }
  if (read.text === null) return badBody("the body is not UTF-8 text");
  let body;
  try {
    body = JSON.parse(read.text);
  } catch {
    return badBody("the body is not JSON");
  }
  const problem = checkBody(body, route);
  if (problem) return badBody(problem);

  const built = await clientFor(env, body.appid);
  if (built.refused) return built.refused;
  if (built.problem) return misconfigured(built.problem);
  const { client } = built;

  // Every write is recorded (src/history.js), whatever its outcome; a dry run is not a write.
  const dryRun = body.dryRun === true;
  const target = { appid: appidOf(env, body.appid), env: body.env, function: body.function, type: route.type };
  const note = (entry) => (dryRun ? null : recordWrite(env, { who: whoOf(identity), ...target, kind: "edit", ...entry }));
  let current;
  let currentVersion = null;
  try {
    // The config as it is now (85089: not configured), and whether it is what the admin saw.
    // A caller holding the real text (an admin after reveal=1, a script) may name it instead of
    // its version: the package compares it itself. Read either way, for the history's record.
    try {
      current = await client.getFuncConfig({ env: body.env, functionName: body.function, type: route.type });
    } catch (e) {
      if (!isNotConfigured(e)) throw e;
      current = null;
    }
    currentVersion = await versionOf(current?.raw ?? null, env);
    let expectedRaw = body.expectedRaw;
    if (!Object.hasOwn(body, "expectedRaw")) {
      if (currentVersion !== body.expectedVersion) {
        await note({ outcome: "conflict", changes: [], versionBefore: currentVersion, before: current });
        return staleVersion(current, body.expectedVersion, env);
      }
      expectedRaw = current?.raw ?? null;
    }

    const options = { expectedRaw, dryRun, revealValues: false };
    const result = await route.call(client, body.env, body.function, body, options);
    const after = result.config ?? null;
    await note({
      outcome: result.written ? "written" : "unchanged",
      changes: result.changes,
      versionBefore: currentVersion,
      versionAfter: await versionOf(after?.raw ?? null, env),
      before: current,
      after,
    });
    return {
      status: 200,
      body: {
        written: result.written === true,
        config: await presentVersioned(after, false, env),
        changes: presentChanges(result.changes, false),
      },
    };
  } catch (e) {
    await note({ outcome: outcomeOf(e), errcode: e?.errcode, changes: [], versionBefore: currentVersion, before: current });
    return fromTcbError(e);
  }
}

function badBody(message) {
  return apiError(400, "invalid_argument", BAD_BODY_HINT, message);
}

/** What is wrong with a write's body, or null. Messages name the field, never a value. */
function checkBody(body, route) {
  if (!isObject(body)) return "the body must be a JSON object";
  const known = ["appid", "env", "function", "expectedVersion", "expectedRaw", "dryRun", ...Object.keys(route.fields)];
  // An unknown field is refused, not ignored: a misspelt `dryRun` must not turn into a write.
  if (Object.keys(body).some((k) => !known.includes(k))) {
    return `the body has a field this route does not take; it takes ${known.join(", ")}`;
  }
  if (body.appid !== undefined && typeof body.appid !== "string") return "appid must be a string";
  for (const field of ["env", "function"]) {
    if (body[field] === undefined) return `${field} is required`;
    if (typeof body[field] !== "string") return `${field} must be a string`;
  }
  const byVersion = Object.hasOwn(body, "expectedVersion");
  if (byVersion === Object.hasOwn(body, "expectedRaw")) {
    return "give exactly one of expectedVersion (the version of the config you last read, or null when it was not configured) or expectedRaw (its raw text, or null)";
  }
  if (byVersion && body.expectedVersion !== null && (typeof body.expectedVersion !== "string" || !VERSION_PATTERN.test(body.expectedVersion))) {
    return "expectedVersion must be a config's version (32 hex digits) or null";
  }
  if (!byVersion && body.expectedRaw !== null && typeof body.expectedRaw !== "string") {
    return "expectedRaw must be the raw text of the config you last read, or null";
  }
  if (body.dryRun !== undefined && typeof body.dryRun !== "boolean") return "dryRun must be true or false";
  for (const field of route.required) if (body[field] === undefined) return `${field} is required`;
  for (const [field, check] of Object.entries(route.fields)) {
    if (body[field] === undefined) continue;
    const wrong = check(body[field]);
    if (wrong) return wrong;
  }
  return null;
}

/** 409: the config is not the version the admin saw; what it is now (masked, versioned). */
async function staleVersion(current, expectedVersion, env) {
  const answer = apiError(
    409,
    "conflict",
    "the config changed since you read it: look at `actual`, then send the edit again with its version if it still applies",
    "the config is not the version you last saw; nothing was written",
  );
  answer.body.error.actual = await presentVersioned(current, false, env);
  answer.body.error.expectedVersion = expectedVersion;
  return answer;
}
