// Jobs: the FleetStore's SQLite tables of index builds and bulk edits, and each target's
// outcome. A target is `pending`, `in_flight` (its calls under way) or `done` (its outcome
// recorded). The state is written before a target's first call and its outcome right after its
// last, so a target found `in_flight` by a new invocation was interrupted: it is read first.
//
//   fleet_jobs     id, kind (index|edit), state, dry_run, edit (JSON), types (JSON), reason,
//                  who (for the history's records), created_at, started_at, finished_at, invocations, subrequests,
//                  max_subrequests, backoffs
//   fleet_targets  job_id, seq, unit (app|env|fn|edit), appid, env, function_name, state,
//                  outcome, detail (JSON), read_first, not_before, mod_time, attempts

export const STATES = ["queued", "running", "done", "cancelled", "stopped"];
/** The outcomes of an edit's target; `pending` counts those without one yet. */
export const OUTCOMES = ["written", "would_write", "unchanged", "conflict", "unverified", "unknown_outcome", "error"];

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS fleet_jobs (
     id TEXT PRIMARY KEY, kind TEXT NOT NULL, state TEXT NOT NULL, dry_run INTEGER NOT NULL DEFAULT 0,
     edit TEXT, types TEXT, reason TEXT, who TEXT, created_at INTEGER NOT NULL, started_at INTEGER, finished_at INTEGER,
     invocations INTEGER NOT NULL DEFAULT 0, subrequests INTEGER NOT NULL DEFAULT 0,
     max_subrequests INTEGER NOT NULL DEFAULT 0, backoffs INTEGER NOT NULL DEFAULT 0
   )`,
  `CREATE TABLE IF NOT EXISTS fleet_targets (
     job_id TEXT NOT NULL, seq INTEGER NOT NULL, unit TEXT NOT NULL, appid TEXT NOT NULL, env TEXT, function_name TEXT,
     state TEXT NOT NULL DEFAULT 'pending', outcome TEXT, detail TEXT, read_first INTEGER NOT NULL DEFAULT 0,
     not_before INTEGER NOT NULL DEFAULT 0, mod_time TEXT, attempts INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (job_id, seq)
   )`,
  "CREATE INDEX IF NOT EXISTS fleet_targets_state ON fleet_targets (job_id, state, not_before)",
];

const JOB_COLUMNS = "id, kind, state, dry_run, edit, types, reason, who, created_at, started_at, finished_at, invocations, subrequests, max_subrequests, backoffs";

export class Jobs {
  /** @param {SqlStorage} sql */
  constructor(sql) {
    this.sql = sql;
    for (const statement of SCHEMA) this.sql.exec(statement);
  }

  create({ id, kind, dryRun = false, edit = null, types = null, who = null, now }) {
    this.sql.exec(
      "INSERT INTO fleet_jobs (id, kind, state, dry_run, edit, types, who, created_at) VALUES (?, ?, 'queued', ?, ?, ?, ?, ?)",
      id, kind, dryRun ? 1 : 0, edit === null ? null : JSON.stringify(edit), types === null ? null : JSON.stringify(types), who, now,
    );
  }

  get(id) {
    const row = this.sql.exec(`SELECT ${JOB_COLUMNS} FROM fleet_jobs WHERE id = ?`, id).toArray()[0];
    return row ? toJob(row) : null;
  }

  /** The job the alarm works on: the oldest queued or running one (jobs run one after another). */
  current() {
    const row = this.sql.exec(`SELECT ${JOB_COLUMNS} FROM fleet_jobs WHERE state IN ('queued', 'running') ORDER BY created_at, id LIMIT 1`).toArray()[0];
    return row ? toJob(row) : null;
  }

  list(limit = 20) {
    return this.sql.exec(`SELECT ${JOB_COLUMNS} FROM fleet_jobs ORDER BY created_at DESC, id LIMIT ?`, limit).toArray().map(toJob);
  }

  setState(id, state, fields = {}) {
    this.sql.exec(
      "UPDATE fleet_jobs SET state = ?, reason = coalesce(?, reason), started_at = coalesce(started_at, ?), finished_at = ? WHERE id = ?",
      state, fields.reason ?? null, fields.startedAt ?? null, fields.finishedAt ?? null, id,
    );
  }

  /** A finished set-variables job forgets the values it was given: only their keys stay. */
  forgetValues(id) {
    const job = this.get(id);
    if (job?.edit?.spec?.set && typeof job.edit.spec.set === "object") {
      const set = Object.fromEntries(Object.keys(job.edit.spec.set).map((k) => [k, null]));
      this.sql.exec("UPDATE fleet_jobs SET edit = ? WHERE id = ?", JSON.stringify({ ...job.edit, spec: { ...job.edit.spec, set } }), id);
    }
  }

  noteInvocation(id, subrequests, backoffs) {
    this.sql.exec(
      "UPDATE fleet_jobs SET invocations = invocations + 1, subrequests = subrequests + ?, max_subrequests = max(max_subrequests, ?), backoffs = backoffs + ? WHERE id = ?",
      subrequests, subrequests, backoffs, id,
    );
  }

  /** Adds targets (units) after the job's last one. */
  addTargets(jobId, targets) {
    let seq = this.sql.exec("SELECT coalesce(max(seq), 0) AS n FROM fleet_targets WHERE job_id = ?", jobId).one().n;
    for (const t of targets) {
      seq += 1;
      this.sql.exec(
        "INSERT INTO fleet_targets (job_id, seq, unit, appid, env, function_name, mod_time, outcome, state, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        jobId, seq, t.unit, t.appid, t.env ?? null, t.functionName ?? null, t.modTime ?? null,
        t.outcome ?? null, t.outcome ? "done" : "pending", t.detail ? JSON.stringify(t.detail) : null,
      );
    }
  }

  /** The apps a job's targets belong to. */
  appids(jobId) {
    return this.sql.exec("SELECT DISTINCT appid FROM fleet_targets WHERE job_id = ?", jobId).toArray().map((r) => r.appid);
  }

  /** Every pending target of an app gets the outcome `error` with `detail` (e.g. the app is revoked). */
  refuseApp(jobId, appid, detail) {
    this.sql.exec(
      "UPDATE fleet_targets SET state = 'done', outcome = 'error', detail = ? WHERE job_id = ? AND appid = ? AND state = 'pending'",
      JSON.stringify(detail), jobId, appid,
    );
  }

  /** Targets an earlier invocation left in flight: each is read first before anything else. */
  reclaimInFlight(jobId) {
    return this.sql.exec("UPDATE fleet_targets SET state = 'pending', read_first = 1 WHERE job_id = ? AND state = 'in_flight'", jobId).rowsWritten;
  }

  /**
   * Up to `limit` pending targets due now, taken in turn from each app (every app's first, then
   * every app's second, …) so that a batch spreads over apps.
   */
  due(jobId, now, limit) {
    return this.sql.exec(
      `SELECT seq, unit, appid, env, function_name, read_first, mod_time, attempts FROM (
         SELECT *, row_number() OVER (PARTITION BY appid ORDER BY seq) AS turn
           FROM fleet_targets WHERE job_id = ? AND state = 'pending' AND not_before <= ?
       ) ORDER BY turn, seq LIMIT ?`,
      jobId, now, limit,
    ).toArray();
  }

  /** When the next pending target is due (null: none left). */
  nextDue(jobId) {
    return this.sql.exec("SELECT min(not_before) AS t FROM fleet_targets WHERE job_id = ? AND state = 'pending'", jobId).one().t;
  }

  inFlight(jobId) {
    return this.sql.exec("SELECT count(*) AS n FROM fleet_targets WHERE job_id = ? AND state = 'in_flight'", jobId).one().n;
  }

  start(jobId, seq) {
    this.sql.exec("UPDATE fleet_targets SET state = 'in_flight' WHERE job_id = ? AND seq = ?", jobId, seq);
  }

  finish(jobId, seq, outcome, detail) {
    this.sql.exec(
      "UPDATE fleet_targets SET state = 'done', outcome = ?, detail = ? WHERE job_id = ? AND seq = ?",
      outcome, detail ? JSON.stringify(detail) : null, jobId, seq,
    );
  }

  /** Back to pending, to be read first, not before `notBefore`; `retry` counts it as another attempt. */
  later(jobId, seq, notBefore, retry = false) {
    this.sql.exec(
      "UPDATE fleet_targets SET state = 'pending', read_first = 1, not_before = ?, attempts = attempts + ? WHERE job_id = ? AND seq = ?",
      notBefore, retry ? 1 : 0, jobId, seq,
    );
  }

  /** An app answered 45011: none of its pending targets before `notBefore`. */
  backOffApp(jobId, appid, notBefore) {
    this.sql.exec("UPDATE fleet_targets SET not_before = max(not_before, ?) WHERE job_id = ? AND appid = ? AND state = 'pending'", notBefore, jobId, appid);
  }

  counts(jobId) {
    const counts = Object.fromEntries([...OUTCOMES, "pending"].map((k) => [k, 0]));
    for (const row of this.sql.exec("SELECT state, outcome, count(*) AS n FROM fleet_targets WHERE job_id = ? GROUP BY state, outcome", jobId).toArray()) {
      const key = row.state === "done" ? row.outcome : "pending";
      counts[key] = (counts[key] ?? 0) + row.n;
    }
    return counts;
  }

  total(jobId) {
    return this.sql.exec("SELECT count(*) AS n FROM fleet_targets WHERE job_id = ?", jobId).one().n;
  }

  results(jobId, offset = 0, limit = -1) {
    return this.sql.exec(
      "SELECT seq, unit, appid, env, function_name, state, outcome, detail FROM fleet_targets WHERE job_id = ? ORDER BY seq LIMIT ? OFFSET ?",
      jobId, limit, offset,
    ).toArray().map((row) => ({
      appid: row.appid,
      env: row.env,
      functionName: row.function_name,
      ...(row.unit === "edit" ? {} : { unit: row.unit }),
      outcome: row.state === "done" ? row.outcome : "pending",
      ...(row.state === "in_flight" ? { inFlight: true } : {}),
      ...(row.detail ? JSON.parse(row.detail) : {}),
    }));
  }
}

function toJob(row) {
  return {
    id: row.id,
    kind: row.kind,
    state: row.state,
    dryRun: row.dry_run === 1,
    edit: row.edit === null ? null : JSON.parse(row.edit),
    types: row.types === null ? null : JSON.parse(row.types),
    reason: row.reason ?? null,
    who: row.who ?? null,
    createdAt: row.created_at,
    startedAt: row.started_at ?? null,
    finishedAt: row.finished_at ?? null,
    invocations: row.invocations,
    subrequests: row.subrequests,
    maxSubrequests: row.max_subrequests,
    backoffs: row.backoffs,
  };
}
