// Search over the fleet index: the query's reading (in the Worker) and its answer (in the
// FleetStore). Trigger times come from the package's `nextRuns` (no cron logic here).
//
//   name=N | namePrefix=P        a function's name, exact or its beginning
//   openapi=API                  the function may call this cloud-call API (type 1)
//   firesOn=YYYY-MM-DD&from=HH:MM&to=HH:MM
//                                a timer trigger fires in [from, to) that day (UTC+8, WeChat's zone)
//   moreOftenThan=N              a timer trigger fires more often than every N minutes (the
//                                smallest gap among its next MAX_RUNS fire times)
//   envKey=K | missingEnvKey=K   the environment variable K is set / is not (type 3; keys only)
//   timeoutMin=S&timeoutMax=S    the timeout in seconds, bounds included
//   offset=0&limit=50            the page (limit 1–500)
// Filters combine with AND; at least one is needed.
import { nextRuns } from "tcb-funcconfig";

/** Fire times looked at for `moreOftenThan` (the package allows 1000). */
export const MAX_RUNS = 200;
const MAX_LIMIT = 500;

const TEXT_FILTERS = ["name", "namePrefix", "openapi", "envKey", "missingEnvKey"];
const KNOWN = new Set([...TEXT_FILTERS, "firesOn", "from", "to", "moreOftenThan", "timeoutMin", "timeoutMax", "offset", "limit"]);
const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const WHOLE = /^\d{1,6}$/;

/**
 * The query as filters: `{ filters }` or `{ problem }` (a message naming the parameter, never
 * echoing its value).
 * @param {URLSearchParams} params
 */
export function parseSearch(params) {
  for (const key of params.keys()) if (!KNOWN.has(key)) return { problem: `unknown parameter ${key.slice(0, 32)}; see edge/README.md (fleet search)` };
  const filters = {};
  for (const key of TEXT_FILTERS) {
    const v = params.get(key);
    if (v === null) continue;
    if (v === "" || v.length > 128) return { problem: `${key} must be 1–128 characters` };
    filters[key] = v;
  }
  if (filters.name !== undefined && filters.namePrefix !== undefined) return { problem: "give name or namePrefix, not both" };
  const firesOn = params.get("firesOn");
  if (firesOn !== null || params.has("from") || params.has("to")) {
    const from = params.get("from") ?? "00:00";
    const to = params.get("to") ?? "24:00";
    if (firesOn === null || !DAY.test(firesOn)) return { problem: "firesOn must be a day, YYYY-MM-DD (UTC+8)" };
    if (!TIME.test(from)) return { problem: "from must be a time of day, HH:MM (UTC+8)" };
    if (to !== "24:00" && !TIME.test(to)) return { problem: "to must be a time of day, HH:MM, or 24:00 (UTC+8)" };
    const start = Date.parse(`${firesOn}T${from}:00+08:00`);
    const end = to === "24:00" ? Date.parse(`${firesOn}T00:00:00+08:00`) + 86400000 : Date.parse(`${firesOn}T${to}:00+08:00`);
    if (!Number.isFinite(start) || !(end > start)) return { problem: "from must come before to" };
    filters.window = { start, end };
  }
  const often = params.get("moreOftenThan");
  if (often !== null) {
    if (!WHOLE.test(often) || Number(often) < 1) return { problem: "moreOftenThan must be a whole number of minutes ≥ 1" };
    filters.moreOftenThan = Number(often);
  }
  for (const key of ["timeoutMin", "timeoutMax"]) {
    const v = params.get(key);
    if (v === null) continue;
    if (!WHOLE.test(v)) return { problem: `${key} must be a whole number of seconds` };
    filters[key] = Number(v);
  }
  if (Object.keys(filters).length === 0) return { problem: "give at least one filter: name, namePrefix, openapi, firesOn, moreOftenThan, envKey, missingEnvKey, timeoutMin or timeoutMax" };
  const offset = params.get("offset") ?? "0";
  const limit = params.get("limit") ?? "50";
  if (!WHOLE.test(offset)) return { problem: "offset must be a whole number" };
  if (!WHOLE.test(limit) || Number(limit) < 1 || Number(limit) > MAX_LIMIT) return { problem: `limit must be a whole number 1–${MAX_LIMIT}` };
  return { filters, offset: Number(offset), limit: Number(limit) };
}

/**
 * The answer: `{ total, offset, limit, rows }`, rows in (appid, env, function) order, each with
 * the app's nickname, when each type was read, and a link into the page.
 * @param {import("./fleet-index.js").FleetIndex} index
 */
export function search(index, { filters, offset, limit }, now = Date.now()) {
  const byTrigger = filters.window !== undefined || filters.moreOftenThan !== undefined;
  let rows = index.select(filters, { withTriggers: byTrigger });
  if (byTrigger) rows = rows.filter((row) => row.triggers.some((t) => triggerMatches(t.config, filters, now)));
  return {
    total: rows.length,
    offset,
    limit,
    rows: rows.slice(offset, offset + limit).map((row) => ({
      appid: row.appid,
      nickname: row.nickname ?? null,
      env: row.env,
      function: row.name,
      timeout: row.timeout ?? null,
      ...(byTrigger ? { triggers: row.triggers } : {}),
      readAt: { list: row.listed_at, 1: row.read_at_1, 2: row.read_at_2, 3: row.read_at_3 },
      link: `/?${new URLSearchParams({ app: row.appid, env: row.env, fn: row.name })}`,
    })),
  };
}

/** Whether one trigger expression matches the trigger filters; one that does not parse never does. */
function triggerMatches(config, filters, now) {
  try {
    if (filters.window) {
      // The first fire time at or after the window's start (nextRuns is strictly after `from`).
      const [first] = nextRuns(config, { from: new Date(filters.window.start - 1000), count: 1 });
      if (first === undefined || Date.parse(first) >= filters.window.end) return false;
    }
    if (filters.moreOftenThan !== undefined) {
      const runs = nextRuns(config, { from: new Date(now), count: MAX_RUNS }).map((t) => Date.parse(t));
      let smallest = Infinity;
      for (let i = 1; i < runs.length; i++) smallest = Math.min(smallest, runs[i] - runs[i - 1]);
      if (!(smallest < filters.moreOftenThan * 60000)) return false;
    }
    return true;
  } catch {
    return false;
  }
}
