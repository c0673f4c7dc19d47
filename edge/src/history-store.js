// HistoryStore: the Durable Object that records every write made through the Worker, and every
// change made behind its back (drift). One object per platform (`history:<COMPONENT_APPID>`), or
// per deployment without a platform (`history:deployment`). SQLite storage:
//   records    append-only: one row per write, rollback or drift; no route edits or deletes one,
//              only the retention alarm drops rows older than HISTORY_RETENTION_DAYS
//   last_seen  per (appid, env, function, type): the last version seen and its config, sealed,
//              the baseline drift is measured against
// Change lists are stored masked (the package's maskChanges). The configs before and after a
// write are kept sealed (src/history-key.js): without HISTORY_KEY they are not kept at all, and
// no column holds an environment value.
//
// Reached through RPC from the Worker only (src/history.js): write, observe, list, get.
import { DurableObject } from "cloudflare:workers";
import { diffConfigs, maskChanges } from "tcb-funcconfig";
import { comparable } from "./browse.js";
import { open, readKeys, seal } from "./history-key.js";

/** A record's id: a UUID. */
const RECORD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DAY_MS = 24 * 60 * 60 * 1000;
const DEFAULT_RETENTION_DAYS = 180;
/** The page size of list() unless asked, and the most it gives. */
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS records (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE, at INTEGER NOT NULL, who TEXT NOT NULL,
     appid TEXT NOT NULL, env TEXT NOT NULL, fn TEXT NOT NULL, type INTEGER NOT NULL,
     kind TEXT NOT NULL, outcome TEXT NOT NULL, errcode INTEGER,
     changes TEXT NOT NULL, version_before TEXT, version_after TEXT, ref TEXT,
     kid TEXT, sealed_before TEXT, sealed_after TEXT
   )`,
  "CREATE INDEX IF NOT EXISTS records_at ON records (at)",
  "CREATE INDEX IF NOT EXISTS records_target ON records (appid, env, fn, type, at)",
  `CREATE TABLE IF NOT EXISTS last_seen (
     appid TEXT NOT NULL, env TEXT NOT NULL, fn TEXT NOT NULL, type INTEGER NOT NULL,
     version TEXT, kid TEXT, sealed TEXT, seen_at INTEGER NOT NULL,
     PRIMARY KEY (appid, env, fn, type)
   )`,
];

/** The retention in milliseconds: HISTORY_RETENTION_DAYS (a positive number, fractions allowed). */
export function retentionMs(env) {
  const text = env.HISTORY_RETENTION_DAYS;
  const days = text === undefined || text === "" ? DEFAULT_RETENTION_DAYS : Number(text);
  return Number.isFinite(days) && days > 0 ? days * DAY_MS : DEFAULT_RETENTION_DAYS * DAY_MS;
}

/** The associated data of a target's last-seen config. */
const seenId = (t) => `seen\n${t.appid}\n${t.env}\n${t.function}\n${t.type}`;

export class HistoryStore extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => {
      for (const statement of SCHEMA) this.sql.exec(statement);
    });
  }

  /** The keys, or null when HISTORY_KEY is missing or malformed. */
  async keys() {
    const read = await readKeys(this.env.HISTORY_KEY);
    return read.keys ?? null;
  }

  /**
   * Records one write. `entry`: who, appid, env, function, type, kind, outcome, errcode?,
   * changes, versionBefore, versionAfter, ref?, before/after (configs as the package gives them,
   * with `raw`; null: not configured; undefined: not known), `id?`: a writer that may record the
   * same write twice (a bulk job resumed after an interruption) names it, and a second record
   * with that id is not made. Returns `{ id, at, kept }`.
   */
  async write(entry) {
    const named = typeof entry.id === "string" && RECORD_ID.test(entry.id);
    const id = named ? entry.id : crypto.randomUUID();
    if (named) {
      const existing = this.sql.exec("SELECT at, sealed_before, sealed_after FROM records WHERE id = ?", id).toArray()[0];
      if (existing) return { id, at: existing.at, kept: existing.sealed_before !== null || existing.sealed_after !== null };
    }
    const at = Date.now();
    const keys = await this.keys();
    let kid = null;
    let sealedBefore = null;
    let sealedAfter = null;
    if (keys) {
      kid = keys[0].kid;
      if (entry.before !== undefined) sealedBefore = (await seal(keys, id, { config: entry.before })).sealed;
      if (entry.after !== undefined) sealedAfter = (await seal(keys, id, { config: entry.after })).sealed;
    }
    this.sql.exec(
      `INSERT INTO records (id, at, who, appid, env, fn, type, kind, outcome, errcode, changes, version_before, version_after, ref, kid, sealed_before, sealed_after)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      id, at, String(entry.who), entry.appid ?? "", entry.env, entry.function, entry.type, entry.kind, entry.outcome,
      entry.errcode ?? null, JSON.stringify(maskChanges(entry.changes ?? [])), entry.versionBefore ?? null,
      entry.versionAfter ?? null, entry.ref ?? null, kid, sealedBefore, sealedAfter,
    );
    // What the Worker wrote is the new baseline; after a write of unknown outcome there is none.
    const target = { appid: entry.appid ?? "", env: entry.env, function: entry.function, type: entry.type };
    if (entry.outcome === "written" && entry.after !== undefined) {
      await this.setSeen(target, entry.versionAfter ?? null, entry.after, keys, at);
    } else if (entry.outcome === "unverified" || entry.outcome === "unknown_outcome") {
      this.sql.exec("DELETE FROM last_seen WHERE appid = ? AND env = ? AND fn = ? AND type = ?", target.appid, target.env, target.function, target.type);
    }
    await this.scheduleAlarm();
    return { id, at, kept: sealedBefore !== null || sealedAfter !== null };
  }

  async setSeen(t, version, config, keys, at) {
    const sealed = keys ? await seal(keys, seenId(t), { config }) : { kid: null, sealed: null };
    this.sql.exec(
      `INSERT INTO last_seen (appid, env, fn, type, version, kid, sealed, seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (appid, env, fn, type) DO UPDATE SET version = excluded.version, kid = excluded.kid, sealed = excluded.sealed, seen_at = excluded.seen_at`,
      t.appid, t.env, t.function, t.type, version, sealed.kid, sealed.sealed, at,
    );
  }

  /**
   * A read's configs: `{ appid, env, function, configs: [{ type, version, config }] }` (config null:
   * not configured). The first read of a target sets its baseline; a version other than the
   * last one seen is recorded as drift. Returns the ids of the drift records.
   */
  async observe(read) {
    const keys = await this.keys();
    const drift = [];
    for (const { type, version, config } of read.configs) {
      const t = { appid: read.appid ?? "", env: read.env, function: read.function, type };
      const at = Date.now();
      const row = this.sql
        .exec("SELECT version, kid, sealed FROM last_seen WHERE appid = ? AND env = ? AND fn = ? AND type = ?", t.appid, t.env, t.function, type)
        .toArray()[0];
      if (row && row.version === version) continue;
      if (row) {
        // The config as last seen, when it was kept and the key still opens it.
        let before;
        if (keys && row.sealed) {
          const opened = await open(keys, seenId(t), row.kid, row.sealed);
          if (opened.value) before = opened.value.config;
        }
        const changes = before === undefined ? [] : diffConfigs(comparable(before, type), comparable(config, type));
        const id = await this.write({
          who: "outside the Worker", ...t, kind: "drift", outcome: "written",
          changes, versionBefore: row.version, versionAfter: version, before, after: config,
        });
        drift.push(id.id);
      }
      await this.setSeen(t, version, config, keys, at);
    }
    return { drift };
  }

  /** Records newest first, filtered: `{ total, offset, limit, records }`. */
  async list(q) {
    const where = [];
    const args = [];
    for (const [column, value] of [["appid", q.appid], ["env", q.env], ["fn", q.function], ["type", q.type], ["who", q.who], ["kind", q.kind]]) {
      if (value !== undefined && value !== null) {
        where.push(`${column} = ?`);
        args.push(value);
      }
    }
    if (q.from !== undefined) {
      where.push("at >= ?");
      args.push(q.from);
    }
    if (q.to !== undefined) {
      where.push("at <= ?");
      args.push(q.to);
    }
    const clause = where.length ? `WHERE ${where.join(" AND ")}` : "";
    const total = this.sql.exec(`SELECT COUNT(*) AS n FROM records ${clause}`, ...args).one().n;
    const limit = Math.min(q.limit ?? DEFAULT_LIMIT, MAX_LIMIT);
    const offset = q.offset ?? 0;
    const rows = this.sql.exec(`SELECT * FROM records ${clause} ORDER BY at DESC, seq DESC LIMIT ? OFFSET ?`, ...args, limit, offset).toArray();
    const keys = await this.keys();
    return { total, offset, limit, records: rows.map((r) => shape(r, keys)) };
  }

  /**
   * One record with its configs opened: `{ record, before?, after?, problem? }` (before/after:
   * `{ config }`; absent when not kept; `problem` when a kept config does not open). Null when
   * there is no such record.
   */
  async get(id) {
    const row = this.sql.exec("SELECT * FROM records WHERE id = ?", id).toArray()[0];
    if (!row) return null;
    const keys = await this.keys();
    const out = { record: shape(row, keys) };
    if (row.sealed_before === null && row.sealed_after === null) return out;
    if (!keys) return { ...out, problem: "HISTORY_KEY is missing or malformed" };
    for (const [side, sealed] of [["before", row.sealed_before], ["after", row.sealed_after]]) {
      if (sealed === null) continue;
      const opened = await open(keys, row.id, row.kid, sealed);
      if (opened.problem) return { ...out, problem: opened.problem };
      out[side] = opened.value;
    }
    return out;
  }

  /** The alarm runs once a day, or once per retention period when that is shorter. */
  async scheduleAlarm() {
    const due = Date.now() + Math.min(DAY_MS, retentionMs(this.env));
    const set = await this.ctx.storage.getAlarm();
    // An alarm set under a longer retention is brought forward.
    if (set === null || set > due) await this.ctx.storage.setAlarm(due);
  }

  /** Drops the records older than the retention; runs again while any record is left. */
  async alarm() {
    this.sql.exec("DELETE FROM records WHERE at < ?", Date.now() - retentionMs(this.env));
    if (this.sql.exec("SELECT COUNT(*) AS n FROM records").one().n > 0) await this.scheduleAlarm();
  }
}

/** A record as the API shows it (never a sealed config). */
function shape(r, keys) {
  const kept = r.sealed_before !== null;
  const record = {
    id: r.id,
    at: new Date(r.at).toISOString(),
    who: r.who,
    appid: r.appid === "" ? null : r.appid,
    env: r.env,
    function: r.fn,
    type: r.type,
    kind: r.kind,
    outcome: r.outcome,
    changes: JSON.parse(r.changes),
    versionBefore: r.version_before,
    versionAfter: r.version_after,
  };
  if (r.errcode !== null) record.errcode = r.errcode;
  if (r.ref !== null) record.rollbackOf = r.ref;
  // Whether the config this write replaced can be put back: kept, and a key of that kid is here.
  record.rollback = !kept
    ? { available: false, reason: "not_kept" }
    : !keys
      ? { available: false, reason: "no_key" }
      : keys.some((k) => k.kid === r.kid)
        ? { available: true }
        : { available: false, reason: "unknown_key" };
  return record;
}
