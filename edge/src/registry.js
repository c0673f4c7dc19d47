// The platform's registry of mini programs: the SQLite table `apps` in the Platform object's
// storage (src/platform-store.js), and every query on it. Synchronous: each method is one step
// of the object's storage, which no other request of the object interleaves with.

/** A registry row's status: `revoked` after an `unauthorized` push, `reauthorize` after a 61023. */
export const STATUSES = ["authorized", "revoked", "reauthorize"];

/** What the cloud development permission set is called in func_info. */
const CLOUD_DEVELOPMENT = 49;
/** lastUsedAt is written at most this often per app. */
const USE_WRITE_EVERY_S = 60;

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS apps (
     appid TEXT PRIMARY KEY,
     nick_name TEXT,
     head_img TEXT,
     principal_name TEXT,
     func_info TEXT NOT NULL DEFAULT '[]',
     status TEXT NOT NULL,
     added_at INTEGER NOT NULL,
     last_used_at INTEGER,
     info_at INTEGER,
     info_tried_at INTEGER,
     pending_refresh_token TEXT
   )`,
  // The listing's order (nickname, then appid) straight from an index, with or without status.
  "CREATE INDEX IF NOT EXISTS apps_by_name ON apps (nick_name, appid)",
  "CREATE INDEX IF NOT EXISTS apps_by_status ON apps (status, nick_name, appid)",
];

/** The columns of a row as the API gives it (never the pending refresh token). */
const COLUMNS = "appid, nick_name, head_img, principal_name, func_info, status, added_at, last_used_at, info_at";

const nowSecs = () => Math.floor(Date.now() / 1000);

export class Registry {
  /** @param {SqlStorage} sql the object's `ctx.storage.sql` */
  constructor(sql) {
    this.sql = sql;
    for (const statement of SCHEMA) sql.exec(statement);
  }

  /** The app as the API gives it, or null. */
  get(appid) {
    const row = this.sql.exec(`SELECT ${COLUMNS} FROM apps WHERE appid = ?`, appid).toArray()[0];
    return row ? toApp(row) : null;
  }

  /** The cut-off: the app's status (null: unknown); lastUsedAt noted at most once a minute. */
  use(appid) {
    const now = nowSecs();
    const row = this.sql.exec("SELECT status, last_used_at FROM apps WHERE appid = ?", appid).toArray()[0];
    if (!row) return null;
    if (row.last_used_at === null || row.last_used_at <= now - USE_WRITE_EVERY_S) {
      this.sql.exec("UPDATE apps SET last_used_at = ? WHERE appid = ?", now, appid);
    }
    return row.status;
  }

  /**
   * One page, filtered, counted and ordered in SQLite: `q` a substring of the appid or the
   * nickname (LIKE: case-insensitive for ASCII; the caller's `%` and `_` taken literally),
   * `status` one of STATUSES or "". Apps without a nickname yet come last.
   * @param {{ q: string, status: string, offset: number, limit: number }} page
   */
  list({ q, status, offset, limit }) {
    const where = [];
    const args = [];
    if (q !== "") {
      const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      where.push("(appid LIKE ? ESCAPE '\\' OR nick_name LIKE ? ESCAPE '\\')");
      args.push(pattern, pattern);
    }
    if (status !== "") {
      where.push("status = ?");
      args.push(status);
    }
    const filter = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
    const total = this.sql.exec(`SELECT count(*) AS n FROM apps ${filter}`, ...args).one().n;
    const rows = this.sql.exec(
      `SELECT ${COLUMNS} FROM apps ${filter} ORDER BY nick_name IS NULL, nick_name, appid LIMIT ? OFFSET ?`,
      ...args, limit, offset,
    ).toArray();
    return { total, offset, limit, apps: rows.map(toApp) };
  }

  /** Sets the app's status; whether it is registered. */
  mark(appid, status) {
    return this.sql.exec("UPDATE apps SET status = ? WHERE appid = ?", status, appid).rowsWritten > 0;
  }

  /** `unauthorized`: revoked, and an imported refresh token not collected yet is dropped. */
  revoke(appid) {
    this.sql.exec("UPDATE apps SET status = 'revoked', pending_refresh_token = NULL WHERE appid = ?", appid);
  }

  /**
   * An imported refresh token, taken out of the row in the same step: handed out once, to the
   * app's TokenStore. Null when there is none or the app is not authorized.
   */
  collect(appid) {
    const row = this.sql.exec("SELECT pending_refresh_token AS token FROM apps WHERE appid = ? AND status = 'authorized'", appid).toArray()[0];
    if (!row?.token) return null;
    this.sql.exec("UPDATE apps SET pending_refresh_token = NULL WHERE appid = ?", appid);
    return row.token;
  }

  /** Keeps a refresh token for the app's TokenStore to collect (it could not be handed over). */
  keepRefreshToken(appid, token) {
    this.sql.exec("UPDATE apps SET pending_refresh_token = ? WHERE appid = ?", token, appid);
  }

  /**
   * Registers (or updates) an app that has just authorized: status `authorized`, the profile
   * when it is known (null: the alarm reads it), the permission sets of the authorization.
   * @param {string} appid
   * @param {{ nickName: string|null, headImg: string|null, principalName: string|null, funcInfo: number[] } | null} info
   * @param {number[]} funcInfo
   */
  register(appid, info, funcInfo) {
    const now = nowSecs();
    const funcs = JSON.stringify(Array.isArray(info?.funcInfo) && info.funcInfo.length > 0 ? info.funcInfo : funcInfo ?? []);
    this.sql.exec(
      `INSERT INTO apps (appid, nick_name, head_img, principal_name, func_info, status, added_at, info_at)
       VALUES (?, ?, ?, ?, ?, 'authorized', ?, ?)
       ON CONFLICT (appid) DO UPDATE SET
         nick_name = coalesce(excluded.nick_name, nick_name), head_img = coalesce(excluded.head_img, head_img),
         principal_name = coalesce(excluded.principal_name, principal_name), func_info = excluded.func_info,
         status = 'authorized', info_at = coalesce(excluded.info_at, info_at), info_tried_at = NULL,
         pending_refresh_token = NULL`,
      appid, info?.nickName ?? null, info?.headImg ?? null, info?.principalName ?? null, funcs, now, info ? now : null,
    );
  }

  /**
   * Registers the accounts of WeChat's authorization list, each with its refresh token for its
   * TokenStore to collect. The caller runs it in one transaction. An account registered and
   * still `authorized` keeps the token its TokenStore holds; one `revoked` or `reauthorize` is
   * authorized again with the list's token (its TokenStore dropped its own) and its profile is
   * read again.
   * @param {{ authorizerAppid: string, refreshToken: string | null }[]} accounts
   * @returns {{ added: number, updated: number }}
   */
  upsertListed(accounts) {
    const now = nowSecs();
    let added = 0;
    let updated = 0;
    for (const { authorizerAppid: appid, refreshToken } of accounts) {
      const token = refreshToken ?? null;
      const row = this.sql.exec("SELECT status FROM apps WHERE appid = ?", appid).toArray()[0];
      if (!row) {
        this.sql.exec("INSERT INTO apps (appid, status, added_at, pending_refresh_token) VALUES (?, 'authorized', ?, ?)", appid, now, token);
        added++;
        continue;
      }
      updated++;
      if (row.status !== "authorized") {
        this.sql.exec(
          "UPDATE apps SET status = 'authorized', pending_refresh_token = ?, info_at = NULL, info_tried_at = NULL WHERE appid = ?",
          token, appid,
        );
      } else if (token) {
        // Still waiting to be collected: the list's token is the current one.
        this.sql.exec("UPDATE apps SET pending_refresh_token = ? WHERE appid = ? AND pending_refresh_token IS NOT NULL", token, appid);
      }
    }
    return { added, updated };
  }

  /**
   * After a complete authorization list: every app it no longer holds is `revoked` (an
   * `unauthorized` push that never arrived), and an imported refresh token not collected yet is
   * dropped. Returns how many were revoked.
   * @param {string[]} listed the appids of the whole list
   */
  revokeUnlisted(listed) {
    // Counted by the rows it returns: rowsWritten counts index entries too.
    return this.sql.exec(
      "UPDATE apps SET status = 'revoked', pending_refresh_token = NULL WHERE status != 'revoked' AND appid NOT IN (SELECT value FROM json_each(?)) RETURNING appid",
      JSON.stringify(listed),
    ).toArray().length;
  }

  /** Up to `limit` authorized apps without a profile, not tried since `triedBefore` (Unix s). */
  missingInfo(limit, triedBefore) {
    return this.sql.exec(
      "SELECT appid FROM apps WHERE info_at IS NULL AND status = 'authorized' AND (info_tried_at IS NULL OR info_tried_at <= ?) ORDER BY appid LIMIT ?",
      triedBefore, limit,
    ).toArray().map((r) => r.appid);
  }

  /** How many authorized apps lack a profile, and when the earliest of them was last tried (0: never). */
  missingInfoLeft() {
    return this.sql.exec(
      "SELECT count(*) AS n, min(coalesce(info_tried_at, 0)) AS triedAt FROM apps WHERE info_at IS NULL AND status = 'authorized'",
    ).one();
  }

  /** The profile read by the alarm. */
  setInfo(appid, info) {
    this.sql.exec(
      "UPDATE apps SET nick_name = ?, head_img = ?, principal_name = ?, func_info = ?, info_at = ? WHERE appid = ?",
      info.nickName ?? null, info.headImg ?? null, info.principalName ?? null, JSON.stringify(info.funcInfo ?? []), nowSecs(), appid,
    );
  }

  /** A profile that could not be read; `revoked` when the account no longer authorizes the platform. */
  infoFailed(appid, revoked) {
    this.sql.exec(`UPDATE apps SET info_tried_at = ?${revoked ? ", status = 'revoked'" : ""} WHERE appid = ?`, nowSecs(), appid);
  }
}

/** A row as the API gives it. */
function toApp(row) {
  let funcInfo;
  try {
    funcInfo = JSON.parse(row.func_info);
  } catch {
    funcInfo = [];
  }
  if (!Array.isArray(funcInfo)) funcInfo = [];
  return {
    appid: row.appid,
    nickName: row.nick_name ?? null,
    headImg: row.head_img ?? null,
    principalName: row.principal_name ?? null,
    funcInfo,
    cloudDevelopment: funcInfo.includes(CLOUD_DEVELOPMENT),
    status: row.status,
    addedAt: row.added_at,
    lastUsedAt: row.last_used_at ?? null,
    infoAt: row.info_at ?? null,
  };
}
