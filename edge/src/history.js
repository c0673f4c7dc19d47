// The history (the HistoryStore Durable Object, src/history-store.js) as the Worker uses it:
// records of writes (src/edit.js and the rollback here), drift noticed on reads (src/api.js),
// and the routes
//   GET  /api/history?appid&env&function&type&who&kind&from&to&offset&limit   (any role; masked)
//   GET  /api/history/:id[?reveal=1]      one record with its configs before and after
//   POST /api/history/:id/rollback {dryRun?}   (admin) the config the write replaced, put back
import { diffConfigs } from "tcb-funcconfig";
import {
  apiError,
  fromTcbError,
  isNotConfigured,
  misconfigured,
  present,
  presentChanges,
  presentVersioned,
  readBody,
  refuseCrossSite,
  refuseReveal,
} from "./api.js";
import { comparable } from "./browse.js";
import { HISTORY_KEY_HINT } from "./history-key.js";
import { clientFor, readSource } from "./source.js";
import { versionOf } from "./version.js";

/** The route prefix; `/api/history/<id>` and `/api/history/<id>/rollback` below it. */
export const HISTORY_PATH = "/api/history";
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ROLLBACK_BODY_BYTES = 1024;
const BAD_QUERY_HINT = "fix the argument; nothing was read";

/** Who a record names for an identity: the Access email, or "admin key". */
export function whoOf(identity) {
  return identity?.via === "access" && identity.email ? identity.email : "admin key";
}

/** The app a record names: the platform's appid as asked, the one app's, or none (no apps). */
export function appidOf(env, given) {
  const { source } = readSource(env);
  if (source === "platform") return typeof given === "string" ? given : null;
  if (source === "authorizer") return env.AUTHORIZER_APPID;
  return null;
}

/** The history's Durable Object, or null when the Worker has no HISTORY binding. */
export function historyStub(env) {
  const ns = env.HISTORY;
  if (!ns) return null;
  return ns.get(ns.idFromName(`history:${env.COMPONENT_APPID || "deployment"}`));
}

/** The outcome a record names for a package error. */
export function outcomeOf(error) {
  const code = error?.code;
  return code === "conflict" || code === "unverified" || code === "unknown_outcome" ? code : "error";
}

/**
 * Records one write; `{ id, kept }`, or null when the history is not there or failed (the write's
 * own answer stands either way).
 */
export async function recordWrite(env, entry) {
  const stub = historyStub(env);
  if (!stub) return null;
  try {
    return await stub.write(entry);
  } catch {
    return null;
  }
}

/**
 * Tells the history what a read saw (`configs`: `[{ type, config }]`, config null when not
 * configured), in one round trip; drift is recorded there. Never fails the read.
 */
export async function observeRead(env, target, configs) {
  const stub = historyStub(env);
  if (!stub) return;
  try {
    const seen = await Promise.all(configs.map(async ({ type, config }) => ({ type, version: await versionOf(config?.raw ?? null, env), config })));
    await stub.observe({ ...target, configs: seen });
  } catch {
    // The read's answer does not depend on the history.
  }
}

/**
 * Answers the history routes for a caller already identified (the method was checked by
 * src/index.js; checked again here).
 * @returns {Promise<import("./api.js").ApiResult>}
 */
export async function history(request, url, env, identity) {
  const parts = url.pathname.slice(HISTORY_PATH.length).split("/").filter(Boolean);
  const stub = historyStub(env);
  if (parts.length === 2 && parts[1] === "rollback") {
    if (request.method !== "POST") return apiError(405, "method_not_allowed", "a rollback writes a config: use POST with a JSON body");
    if (identity.role !== "admin") return apiError(403, "forbidden", "only an admin may roll a config back; a viewer may read the history");
    if (!stub) return misconfigured(NO_BINDING);
    return rollback(request, url, env, identity, stub, parts[0]);
  }
  if (request.method !== "GET") return apiError(405, "method_not_allowed", "the history is read-only: use GET");
  if (!stub) return misconfigured(NO_BINDING);
  if (parts.length === 0) return list(url.searchParams, stub);
  if (parts.length === 1) return detail(url.searchParams, identity.role, env, stub, parts[0]);
  return apiError(404, "not_found", "no such API route; see edge/README.md");
}

const NO_BINDING = "bind the HistoryStore Durable Object as HISTORY (see edge/wrangler.toml)";

const badQuery = (message) => apiError(400, "invalid_argument", BAD_QUERY_HINT, message);

/** A time filter: an ISO date or milliseconds since 1970. */
function time(text) {
  if (/^[0-9]{1,15}$/.test(text)) return Number(text);
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : null;
}

async function list(params, stub) {
  const q = {};
  for (const name of ["appid", "env", "function", "who", "kind"]) {
    const v = params.get(name);
    if (v !== null && v !== "") q[name] = v;
  }
  const type = params.get("type");
  if (type !== null && type !== "") {
    if (!["1", "2", "3"].includes(type)) return badQuery("type must be 1, 2 or 3");
    q.type = Number(type);
  }
  for (const name of ["from", "to"]) {
    const v = params.get(name);
    if (v === null || v === "") continue;
    const ms = time(v);
    if (ms === null) return badQuery(`${name} must be a date (ISO 8601) or milliseconds since 1970`);
    q[name] = ms;
  }
  for (const [name, max] of [["offset", 1e9], ["limit", 200]]) {
    const v = params.get(name);
    if (v === null || v === "") continue;
    if (!/^[0-9]{1,10}$/.test(v) || Number(v) > max || (name === "limit" && Number(v) === 0)) {
      return badQuery(`${name} must be a whole number${name === "limit" ? " from 1 to 200" : ""}`);
    }
    q[name] = Number(v);
  }
  return { status: 200, body: await stub.list(q) };
}

/** A kept config as the API shows it: masked unless `reveal`; null stays null. */
function shown(config, reveal) {
  if (config === null || config === undefined) return null;
  return present(config, reveal);
}

async function detail(params, role, env, stub, id) {
  const refused = refuseReveal(params, role);
  if (refused) return refused;
  if (!ID.test(id)) return apiError(404, "not_found", "no such record: ids come from GET /api/history");
  const reveal = params.get("reveal") === "1";
  const got = await stub.get(id);
  if (!got) return apiError(404, "not_found", "no such record (or it is past the retention): ids come from GET /api/history");
  const body = { record: got.record, kept: Boolean(got.before || got.after) };
  if (got.problem) {
    body.kept = false;
    body.problem = { message: got.problem, hint: HISTORY_KEY_HINT };
  }
  if (got.before) body.before = shown(got.before.config, reveal);
  if (got.after) body.after = shown(got.after.config, reveal);
  // The change list again from the configs themselves when an admin asks for the values.
  if (reveal && got.before && got.after) {
    const type = got.record.type;
    body.record = { ...got.record, changes: presentChanges(diffConfigs(comparable(got.before.config, type), comparable(got.after.config, type), { revealValues: true }), true) };
  }
  return { status: 200, body };
}

async function rollback(request, url, env, identity, stub, id) {
  const refused = refuseCrossSite(request, url);
  if (refused) return refused;
  const read = await readBody(request, ROLLBACK_BODY_BYTES);
  if (read.tooLarge || read.text === null) return apiError(400, "invalid_argument", "send {} or {\"dryRun\": true}", "the body is not a small JSON object");
  let body;
  try {
    body = read.text.trim() === "" ? {} : JSON.parse(read.text);
  } catch {
    return apiError(400, "invalid_argument", "send {} or {\"dryRun\": true}", "the body is not JSON");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body) || Object.keys(body).some((k) => k !== "dryRun")) {
    return apiError(400, "invalid_argument", "send {} or {\"dryRun\": true}", "the body takes only dryRun");
  }
  if (body.dryRun !== undefined && typeof body.dryRun !== "boolean") return apiError(400, "invalid_argument", "send {} or {\"dryRun\": true}", "dryRun must be true or false");
  const dryRun = body.dryRun === true;
  if (!ID.test(id)) return apiError(404, "not_found", "no such record: ids come from GET /api/history");

  const got = await stub.get(id);
  if (!got) return apiError(404, "not_found", "no such record (or it is past the retention): ids come from GET /api/history");
  const { record } = got;
  if (got.problem) {
    return apiError(503, "history_key", `nothing was written; ${HISTORY_KEY_HINT}`, `rollback unavailable: ${got.problem}`);
  }
  if (!got.before) {
    const why = record.rollback.reason === "no_key"
      ? "the history keeps no config without HISTORY_KEY"
      : "the config this record replaced was not kept (the write was recorded without HISTORY_KEY, or failed before it was read)";
    return apiError(409, "rollback_unavailable", `nothing was written; ${HISTORY_KEY_HINT}`, `rollback unavailable: ${why}`);
  }
  const earlier = got.before.config;
  if (earlier === null || typeof earlier?.raw !== "string") {
    return apiError(409, "rollback_unavailable", "nothing was written; WeChat has no call that removes a config: change it with an edit instead", "rollback unavailable: the function had no config of this type before this write");
  }
  if (record.versionAfter === null) {
    return apiError(409, "rollback_unavailable", "nothing was written; only a write that left a known config can be rolled back", "rollback unavailable: this record left no known config");
  }

  const built = await clientFor(env, record.appid);
  if (built.refused) return built.refused;
  if (built.problem) return misconfigured(built.problem);
  const { client } = built;
  const target = { appid: record.appid, env: record.env, function: record.function, type: record.type };
  const note = (entry) => (dryRun ? null : recordWrite(env, {
    who: whoOf(identity), ...target, kind: "rollback", ref: record.id, ...entry,
  }));

  let current;
  try {
    try {
      current = await client.getFuncConfig({ env: record.env, functionName: record.function, type: record.type });
    } catch (e) {
      if (!isNotConfigured(e)) throw e;
      current = null;
    }
    const currentVersion = await versionOf(current?.raw ?? null, env);
    if (currentVersion !== record.versionAfter) {
      await note({ outcome: "conflict", changes: [], versionBefore: currentVersion, before: current });
      const answer = apiError(
        409,
        "conflict",
        "the config changed since this record's write: look at `actual` and at the history, then roll back a later record or edit it",
        "the config is not the one this record's write left; nothing was written",
      );
      answer.body.error.actual = await presentVersioned(current, false, env);
      answer.body.error.expectedVersion = record.versionAfter;
      return answer;
    }
    let result;
    try {
      result = await client.restoreConfig(record.env, record.function, record.type, earlier.raw, {
        expectedRaw: current?.raw ?? null,
        dryRun,
        revealValues: false,
      });
    } catch (e) {
      await note({ outcome: outcomeOf(e), errcode: e?.errcode, changes: [], versionBefore: currentVersion, before: current });
      throw e;
    }
    const after = result.config ?? null;
    const recorded = await note({
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
        dryRun,
        config: await presentVersioned(after, false, env),
        changes: presentChanges(result.changes, false),
        ...(recorded ? { recordId: recorded.id } : {}),
      },
    };
  } catch (e) {
    return fromTcbError(e);
  }
}
