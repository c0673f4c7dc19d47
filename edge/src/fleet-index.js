// The fleet index: the FleetStore's SQLite tables of every app's environments, their functions
// and what the chosen config types say, each entry with when it was read. Environment
// variables are kept by key only: no value is ever stored.
//
//   fleet_apps      appid, nickname, read_at, error         (one row per app indexed)
//   fleet_envs      appid, env, alias, read_at
//   fleet_functions appid, env, name, mod_time, listed_at, timeout, read_at_1/2/3, error
//   fleet_openapi   appid, env, name, api                    (type 1, one row per API name)
//   fleet_triggers  appid, env, name, trigger, config        (type 2, one row per trigger)
//   fleet_env_keys  appid, env, name, key                    (type 3, keys only)

const SCHEMA = [
  "CREATE TABLE IF NOT EXISTS fleet_apps (appid TEXT PRIMARY KEY, nickname TEXT, read_at INTEGER, error TEXT)",
  "CREATE TABLE IF NOT EXISTS fleet_envs (appid TEXT NOT NULL, env TEXT NOT NULL, alias TEXT, read_at INTEGER NOT NULL, PRIMARY KEY (appid, env))",
  `CREATE TABLE IF NOT EXISTS fleet_functions (
     appid TEXT NOT NULL, env TEXT NOT NULL, name TEXT NOT NULL, mod_time TEXT, listed_at INTEGER NOT NULL,
     timeout INTEGER, read_at_1 INTEGER, read_at_2 INTEGER, read_at_3 INTEGER, error TEXT,
     PRIMARY KEY (appid, env, name)
   )`,
  "CREATE INDEX IF NOT EXISTS fleet_functions_name ON fleet_functions (name)",
  "CREATE TABLE IF NOT EXISTS fleet_openapi (appid TEXT NOT NULL, env TEXT NOT NULL, name TEXT NOT NULL, api TEXT NOT NULL)",
  "CREATE INDEX IF NOT EXISTS fleet_openapi_fn ON fleet_openapi (appid, env, name)",
  "CREATE INDEX IF NOT EXISTS fleet_openapi_api ON fleet_openapi (api)",
  "CREATE TABLE IF NOT EXISTS fleet_triggers (appid TEXT NOT NULL, env TEXT NOT NULL, name TEXT NOT NULL, trigger TEXT NOT NULL, config TEXT NOT NULL)",
  "CREATE INDEX IF NOT EXISTS fleet_triggers_fn ON fleet_triggers (appid, env, name)",
  "CREATE TABLE IF NOT EXISTS fleet_env_keys (appid TEXT NOT NULL, env TEXT NOT NULL, name TEXT NOT NULL, key TEXT NOT NULL)",
  "CREATE INDEX IF NOT EXISTS fleet_env_keys_fn ON fleet_env_keys (appid, env, name)",
  "CREATE INDEX IF NOT EXISTS fleet_env_keys_key ON fleet_env_keys (key)",
];

/** The per-type tables, by config type. */
const TYPE_TABLES = { 1: "fleet_openapi", 2: "fleet_triggers", 3: "fleet_env_keys" };
const DETAIL_TABLES = Object.values(TYPE_TABLES);

export class FleetIndex {
  /** @param {SqlStorage} sql */
  constructor(sql) {
    this.sql = sql;
    for (const statement of SCHEMA) this.sql.exec(statement);
  }

  /** Notes an app (its nickname from the registry) before it is read. */
  noteApp(appid, nickname) {
    this.sql.exec(
      "INSERT INTO fleet_apps (appid, nickname) VALUES (?, ?) ON CONFLICT (appid) DO UPDATE SET nickname = excluded.nickname",
      appid, nickname ?? null,
    );
  }

  /** The app could not be read (61007, …): its old entries stay, marked by the error. */
  appFailed(appid, error) {
    this.sql.exec("UPDATE fleet_apps SET error = ? WHERE appid = ?", error, appid);
  }

  /** An app's environments as just read; environments gone are dropped with their functions. */
  setEnvs(appid, environments, now) {
    const keep = new Set(environments.map((e) => e.env));
    for (const { env } of this.sql.exec("SELECT env FROM fleet_envs WHERE appid = ?", appid).toArray()) {
      if (!keep.has(env)) this.dropEnv(appid, env);
    }
    for (const e of environments) {
      this.sql.exec(
        "INSERT INTO fleet_envs (appid, env, alias, read_at) VALUES (?, ?, ?, ?) ON CONFLICT (appid, env) DO UPDATE SET alias = excluded.alias, read_at = excluded.read_at",
        appid, e.env, e.alias ?? null, now,
      );
    }
    this.sql.exec("UPDATE fleet_apps SET read_at = ?, error = NULL WHERE appid = ?", now, appid);
  }

  dropEnv(appid, env) {
    for (const table of ["fleet_functions", ...DETAIL_TABLES]) this.sql.exec(`DELETE FROM ${table} WHERE appid = ? AND env = ?`, appid, env);
    this.sql.exec("DELETE FROM fleet_envs WHERE appid = ? AND env = ?", appid, env);
  }

  /**
   * An environment's functions as just listed. Functions gone are dropped; the answer is the
   * functions that must be read: new ones, those whose `mod_time` changed, and those lacking a
   * read of one of `types`.
   */
  setFunctions(appid, env, functions, types, now) {
    const stored = new Map(
      this.sql.exec("SELECT name, mod_time, read_at_1, read_at_2, read_at_3 FROM fleet_functions WHERE appid = ? AND env = ?", appid, env)
        .toArray().map((row) => [row.name, row]),
    );
    const listed = new Set(functions.map((f) => f.name));
    for (const name of stored.keys()) {
      if (listed.has(name)) continue;
      for (const table of ["fleet_functions", ...DETAIL_TABLES]) this.sql.exec(`DELETE FROM ${table} WHERE appid = ? AND env = ? AND name = ?`, appid, env, name);
    }
    const toRead = [];
    for (const f of functions) {
      const modTime = f.modTime === null || f.modTime === undefined ? null : String(f.modTime);
      const row = stored.get(f.name);
      if (!row) {
        this.sql.exec("INSERT INTO fleet_functions (appid, env, name, mod_time, listed_at) VALUES (?, ?, ?, NULL, ?)", appid, env, f.name, now);
      } else {
        this.sql.exec("UPDATE fleet_functions SET listed_at = ? WHERE appid = ? AND env = ? AND name = ?", now, appid, env, f.name);
      }
      // mod_time is stored only once the function's configs are read (setConfigs), so a read
      // cut short is done again next time.
      const fresh = row && modTime !== null && row.mod_time === modTime && types.every((t) => row[`read_at_${t}`] !== null);
      if (!fresh) toRead.push({ name: f.name, modTime });
    }
    return toRead;
  }

  /**
   * One function's configs as just read: `configs[type]` is the typed config, or null when the
   * type is not configured (85089). Environment values are dropped here: keys only.
   */
  setConfigs(appid, env, name, modTime, configs, now) {
    const where = [appid, env, name];
    for (const [typeText, config] of Object.entries(configs)) {
      const type = Number(typeText);
      this.sql.exec(`DELETE FROM ${TYPE_TABLES[type]} WHERE appid = ? AND env = ? AND name = ?`, ...where);
      if (type === 1) {
        for (const api of new Set(config?.openapi ?? [])) this.sql.exec("INSERT INTO fleet_openapi VALUES (?, ?, ?, ?)", ...where, api);
      } else if (type === 2) {
        for (const t of config?.triggers ?? []) this.sql.exec("INSERT INTO fleet_triggers VALUES (?, ?, ?, ?, ?)", ...where, t.name, t.config);
      } else {
        for (const key of new Set((config?.environment ?? []).map((v) => v.key))) this.sql.exec("INSERT INTO fleet_env_keys VALUES (?, ?, ?, ?)", ...where, key);
        this.sql.exec("UPDATE fleet_functions SET timeout = ? WHERE appid = ? AND env = ? AND name = ?", config?.timeout ?? null, ...where);
      }
      this.sql.exec(`UPDATE fleet_functions SET read_at_${type} = ? WHERE appid = ? AND env = ? AND name = ?`, now, ...where);
    }
    this.sql.exec("UPDATE fleet_functions SET mod_time = ?, error = NULL WHERE appid = ? AND env = ? AND name = ?", modTime, ...where);
  }

  /** A function whose configs could not be read keeps its old entries, marked by the error. */
  functionFailed(appid, env, name, error) {
    this.sql.exec("UPDATE fleet_functions SET error = ? WHERE appid = ? AND env = ? AND name = ?", error, appid, env, name);
  }

  /** What the index holds, in numbers. */
  stats() {
    const one = (q) => this.sql.exec(q).one().n;
    return {
      apps: one("SELECT count(*) AS n FROM fleet_apps WHERE read_at IS NOT NULL"),
      appErrors: one("SELECT count(*) AS n FROM fleet_apps WHERE error IS NOT NULL"),
      envs: one("SELECT count(*) AS n FROM fleet_envs"),
      functions: one("SELECT count(*) AS n FROM fleet_functions"),
      oldestRead: this.sql.exec("SELECT min(listed_at) AS n FROM fleet_functions").one().n,
    };
  }

  /**
   * Functions matching the SQL part of a query (see src/fleet-search.js), in (appid, env, name)
   * order: `{ rows }`, each with the app's nickname, when it was read and its triggers when
   * `withTriggers`.
   */
  select(filters, { withTriggers = false } = {}) {
    const where = [];
    const args = [];
    const fn = "o.appid = f.appid AND o.env = f.env AND o.name = f.name";
    if (filters.name !== undefined) {
      where.push("f.name = ?");
      args.push(filters.name);
    }
    if (filters.namePrefix !== undefined) {
      where.push("substr(f.name, 1, ?) = ?");
      args.push(filters.namePrefix.length, filters.namePrefix);
    }
    if (filters.openapi !== undefined) {
      where.push(`EXISTS (SELECT 1 FROM fleet_openapi o WHERE ${fn} AND o.api = ?)`);
      args.push(filters.openapi);
    }
    if (filters.envKey !== undefined) {
      where.push(`EXISTS (SELECT 1 FROM fleet_env_keys o WHERE ${fn} AND o.key = ?)`);
      args.push(filters.envKey);
    }
    if (filters.missingEnvKey !== undefined) {
      where.push(`f.read_at_3 IS NOT NULL AND NOT EXISTS (SELECT 1 FROM fleet_env_keys o WHERE ${fn} AND o.key = ?)`);
      args.push(filters.missingEnvKey);
    }
    if (filters.timeoutMin !== undefined) {
      where.push("f.timeout >= ?");
      args.push(filters.timeoutMin);
    }
    if (filters.timeoutMax !== undefined) {
      where.push("f.timeout <= ?");
      args.push(filters.timeoutMax);
    }
    if (withTriggers) where.push(`EXISTS (SELECT 1 FROM fleet_triggers o WHERE ${fn})`);
    const filter = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
    const rows = this.sql.exec(
      `SELECT f.appid, a.nickname, f.env, f.name, f.mod_time, f.listed_at, f.read_at_1, f.read_at_2, f.read_at_3, f.timeout
         FROM fleet_functions f LEFT JOIN fleet_apps a ON a.appid = f.appid ${filter}
         ORDER BY f.appid, f.env, f.name`,
      ...args,
    ).toArray();
    if (!withTriggers) return rows;
    const triggers = new Map();
    for (const t of this.sql.exec("SELECT appid, env, name, trigger, config FROM fleet_triggers").toArray()) {
      const k = `${t.appid}\u0000${t.env}\u0000${t.name}`;
      if (!triggers.has(k)) triggers.set(k, []);
      triggers.get(k).push({ name: t.trigger, config: t.config });
    }
    for (const row of rows) row.triggers = triggers.get(`${row.appid}\u0000${row.env}\u0000${row.name}`) ?? [];
    return rows;
  }
}
