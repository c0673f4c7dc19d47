// FleetStore: the Durable Object of a platform's fleet (one per platform, named
// `fleet:<COMPONENT_APPID>`): the index of every app's environments, functions and configs
// (src/fleet-index.js), the jobs that build it and that edit many functions at once
// (src/jobs.js), and the alarm that runs them, one batch per invocation.
//
// A batch is sized to stay under the subrequests one invocation may make (FLEET_SUBREQUESTS,
// default 40, counting each target's WeChat calls at most and a token fetch per app client made),
// runs at most PARALLEL targets at once and PER_APP of one app, records each target's state
// before its first call and its outcome right after its last, and sets the alarm again. 45011
// (WeChat's per-minute limit) puts the app's targets off by FLEET_BACKOFF_MS (default 60 s);
// 45009 (the daily quota) stops the job with the reason.
//
// Internal routes (reached only through the FLEET binding):
//   POST /jobs                {kind:"index", types, appids?} | {kind:"edit", edit, targets, dryRun} → {id}
//   GET  /jobs                → {jobs}
//   GET  /job?id&offset&limit → the job, its counts and a page of results
//   POST /cancel?id           → the job
//   POST /search              {filters, offset, limit} → {total, offset, limit, rows}
//   GET  /stats               → what the index holds
import { DurableObject } from "cloudflare:workers";
import { TcbClient, defaults, isTcbError } from "tcb-funcconfig";
import { FleetIndex } from "./fleet-index.js";
import { search } from "./fleet-search.js";
import { Jobs } from "./jobs.js";
import { EDIT_CALLS, KINDS, presentEdit } from "./jobs-edit.js";
import { isNotConfigured } from "./api.js";
import { outcomeOf, recordWrite } from "./history.js";
import { fromTokenStore, platformStub } from "./source.js";
import { versionOf } from "./version.js";

const { baseUrl: DEFAULT_BASE_URL } = defaults();

/** Targets under way at once, in all and of one app (an invocation may hold 6 connections open). */
const PARALLEL = 6;
const PER_APP = 2;
const DEFAULT_SUBREQUESTS = 40;
const DEFAULT_BACKOFF_MS = 60000;
/** At most this many app clients are kept (each holds its cached token). */
const MAX_CLIENTS = 64;
/** WeChat's lists hold at most 100 functions a page. */
const LIST_PAGE = 100;

/**
 * A failure WeChat or the network may not repeat (a timeout, a reset, a 5xx) is tried again
 * this many times, RETRY_MS apart, read first; the package's own retries are off (each call is
 * one subrequest of the budget).
 */
const MAX_ATTEMPTS = 3;
const RETRY_MS = 2000;
/** Never tried again: the package's verdicts on an edit. */
const FINAL_CODES = ["conflict", "unverified", "unknown_outcome"];

const SLOW = 45011;
const DAILY = 45009;
const STOP_REASON = "WeChat's daily quota is used up (45009): nothing more was sent; start the job again when the quota is renewed";

export class FleetStore extends DurableObject {
  /**
   * @param {DurableObjectState} ctx
   * @param {Record<string, any>} env
   */
  constructor(ctx, env) {
    super(ctx, env);
    this.index = new FleetIndex(ctx.storage.sql);
    this.jobs = new Jobs(ctx.storage.sql);
    /** appid → TcbClient, in order of use. */
    this.clients = new Map();
    this.running = false;
  }

  /** @param {Request} request */
  async fetch(request) {
    const url = new URL(request.url);
    const id = url.searchParams.get("id") ?? "";
    try {
      switch (`${request.method} ${url.pathname}`) {
        case "POST /jobs":
          return Response.json(await this.createJob(await request.json()));
        case "GET /jobs":
          await this.wake();
          return Response.json({ jobs: this.jobs.list().map((job) => this.present(job)) });
        case "GET /job": {
          await this.wake();
          const job = this.jobs.get(id);
          if (!job) return notFound();
          const offset = Number(url.searchParams.get("offset") ?? 0);
          const limit = Number(url.searchParams.get("limit") ?? -1);
          return Response.json({ ...this.present(job), results: this.jobs.results(id, offset, limit) });
        }
        case "POST /cancel": {
          const job = this.jobs.get(id);
          if (!job) return notFound();
          if (job.state === "queued" || job.state === "running") {
            this.jobs.setState(id, "cancelled", { finishedAt: Date.now() });
            this.jobs.forgetValues(id);
          }
          await this.wake();
          return Response.json(this.present(this.jobs.get(id)));
        }
        case "POST /search":
          return Response.json(search(this.index, await request.json()));
        case "GET /stats":
          return Response.json(this.index.stats());
        default:
          return Response.json({ error: { code: "not_found", hint: "no such FleetStore route", message: "not found" } }, { status: 404 });
      }
    } catch {
      return Response.json({ error: { code: "internal", hint: "an unexpected error in the fleet store; try again", message: "internal error", retryable: true } }, { status: 500 });
    }
  }

  /** A job as answered: its counts, the edit without values. */
  present(job) {
    return {
      id: job.id,
      kind: job.kind,
      state: job.state,
      dryRun: job.dryRun,
      ...(job.kind === "edit" ? { edit: presentEdit(job.edit) } : { types: job.types }),
      reason: job.reason,
      createdAt: job.createdAt,
      startedAt: job.startedAt,
      finishedAt: job.finishedAt,
      total: this.jobs.total(job.id),
      counts: this.jobs.counts(job.id),
      inFlight: this.jobs.inFlight(job.id),
      invocations: job.invocations,
      subrequests: job.subrequests,
      maxSubrequests: job.maxSubrequests,
      backoffs: job.backoffs,
    };
  }

  async createJob(body) {
    const id = crypto.randomUUID();
    const now = Date.now();
    if (body.kind === "index") {
      this.jobs.create({ id, kind: "index", types: body.types, edit: body.appids ? { appids: body.appids } : null, now });
    } else {
      this.jobs.create({ id, kind: "edit", dryRun: body.dryRun === true, edit: body.edit, who: typeof body.who === "string" ? body.who : null, now });
      this.jobs.addTargets(id, body.targets.map((t) => ({ unit: "edit", appid: t.appid, env: t.env, functionName: t.functionName })));
    }
    await this.wake();
    return { id };
  }

  /** Sets the alarm when a job waits and none is set (also after a restart). */
  async wake() {
    const job = this.jobs.current();
    if (!job) return;
    const at = await this.ctx.storage.getAlarm();
    if (at === null) await this.ctx.storage.setAlarm(Date.now());
  }

  // --- the alarm: one batch of the current job -------------------------------------------------

  async alarm() {
    if (this.running) return;
    this.running = true;
    let again = null;
    try {
      again = await this.step();
    } catch {
      again = Date.now() + 5000;
    } finally {
      this.running = false;
    }
    if (again !== null) await this.ctx.storage.setAlarm(again);
  }

  /** Runs one batch; answers when the alarm should run next (null: no job left). */
  async step() {
    let job = this.jobs.current();
    if (!job) return null;
    const budget = { left: this.subrequestLimit(), used: 0 };
    if (job.state === "queued") {
      await this.begin(job, budget);
      this.jobs.setState(job.id, "running", { startedAt: Date.now() });
      job = this.jobs.get(job.id);
    }
    this.jobs.reclaimInFlight(job.id);
    const now = Date.now();
    const batch = [];
    const newClients = new Set();
    for (const t of this.jobs.due(job.id, now, 200)) {
      const clientCost = this.clients.has(t.appid) || newClients.has(t.appid) ? 0 : 1;
      const cost = this.cost(job, t) + clientCost;
      if (cost > budget.left) break;
      budget.left -= cost;
      budget.used += cost;
      if (clientCost) newClients.add(t.appid);
      batch.push(t);
    }
    const run = { job, backoffs: 0, stopped: false, appsSlow: new Map() };
    await this.runBatch(run, batch);
    this.jobs.noteInvocation(job.id, budget.used, run.backoffs);

    const state = this.jobs.get(job.id).state;
    if (state === "running") {
      const next = this.jobs.nextDue(job.id);
      if (next === null) {
        this.jobs.setState(job.id, "done", { finishedAt: Date.now() });
        this.jobs.forgetValues(job.id);
      } else {
        return Math.max(Date.now(), next);
      }
    }
    return this.jobs.current() ? Date.now() : null;
  }

  subrequestLimit() {
    const n = Number(this.env.FLEET_SUBREQUESTS);
    return Number.isInteger(n) && n >= 8 && n <= 1000 ? n : DEFAULT_SUBREQUESTS;
  }

  backoffMs() {
    const n = Number(this.env.FLEET_BACKOFF_MS);
    return Number.isInteger(n) && n >= 100 && n <= 3600000 ? n : DEFAULT_BACKOFF_MS;
  }

  /** The most WeChat calls one target may make. */
  cost(job, t) {
    if (t.unit === "app" || t.unit === "env") return 1;
    if (t.unit === "fn") return job.types.length;
    if (job.dryRun) return 1;
    return EDIT_CALLS + (t.read_first ? 1 : 0);
  }

  /**
   * A job's first step: the registry's apps (one request to the Platform object). An index job
   * gets one target per authorized app; an edit job's targets of apps that are not registered
   * and authorized get their outcome now.
   */
  async begin(job, budget) {
    budget.left -= 1;
    budget.used += 1;
    const response = await platformStub(this.env).fetch("https://platform/apps?status=&offset=0&limit=100000");
    if (!response.ok) throw new Error("the platform store failed");
    const { apps } = await response.json();
    const status = new Map(apps.map((a) => [a.appid, a.status]));
    if (job.kind === "index") {
      const only = job.edit?.appids ? new Set(job.edit.appids) : null;
      const chosen = apps.filter((a) => a.status === "authorized" && (!only || only.has(a.appid)));
      for (const a of chosen) this.index.noteApp(a.appid, a.nickName);
      this.jobs.addTargets(job.id, chosen.map((a) => ({ unit: "app", appid: a.appid })));
      return;
    }
    for (const appid of this.jobs.appids(job.id)) {
      const s = status.get(appid);
      if (s === "authorized") continue;
      const detail = { code: s ? s : "unknown_app", message: s ? `the mini program is ${s}: it must authorize the platform again` : "no such mini program in the registry" };
      this.jobs.refuseApp(job.id, appid, detail);
    }
  }

  /** Runs a batch: at most PARALLEL targets at once, PER_APP of one app. */
  async runBatch(run, batch) {
    const queue = [...batch];
    const perApp = new Map();
    const running = new Set();
    while (queue.length > 0 || running.size > 0) {
      // Nothing new starts once the job is cancelled or stopped; what runs finishes.
      if (queue.length > 0 && (run.stopped || this.jobs.get(run.job.id).state !== "running")) queue.length = 0;
      const now = Date.now();
      const i = running.size < PARALLEL
        ? queue.findIndex((t) => (perApp.get(t.appid) ?? 0) < PER_APP)
        : -1;
      if (i >= 0) {
        const [t] = queue.splice(i, 1);
        if ((run.appsSlow.get(t.appid) ?? 0) > now) continue; // its app answered 45011 meanwhile
        perApp.set(t.appid, (perApp.get(t.appid) ?? 0) + 1);
        const p = this.runTarget(run, t).finally(() => {
          running.delete(p);
          perApp.set(t.appid, perApp.get(t.appid) - 1);
        });
        running.add(p);
        continue;
      }
      if (running.size === 0) break;
      await Promise.race(running);
    }
  }

  /** One target: its state noted before its first call, its outcome right after its last. */
  async runTarget(run, t) {
    const { job } = run;
    this.jobs.start(job.id, t.seq);
    try {
      const client = this.client(t.appid);
      const done = t.unit === "edit" ? await this.edit(job, client, t) : await this.read(job, client, t);
      this.jobs.finish(job.id, t.seq, done.outcome, done.detail);
    } catch (e) {
      const errcode = isTcbError(e) ? e.errcode : undefined;
      if (errcode === SLOW || errcode === DAILY) {
        // Not done: read first when it comes again (a write may have gone through).
        const notBefore = Date.now() + this.backoffMs();
        this.jobs.later(job.id, t.seq, errcode === SLOW ? notBefore : 0);
        if (errcode === SLOW) {
          run.backoffs += 1;
          run.appsSlow.set(t.appid, notBefore);
          this.jobs.backOffApp(job.id, t.appid, notBefore);
        } else if (!run.stopped) {
          run.stopped = true;
          this.jobs.setState(job.id, "stopped", { reason: STOP_REASON, finishedAt: Date.now() });
          this.jobs.forgetValues(job.id);
        }
        return;
      }
      if (isTcbError(e) && e.retryable === true && !FINAL_CODES.includes(e.code) && t.attempts + 1 < MAX_ATTEMPTS) {
        this.jobs.later(job.id, t.seq, Date.now() + RETRY_MS, true);
        return;
      }
      const outcome = t.unit === "edit" && isTcbError(e) && ["conflict", "unverified", "unknown_outcome"].includes(e.code) ? e.code : "error";
      this.jobs.finish(job.id, t.seq, outcome, errorDetail(e));
      if (t.unit === "edit" && !job.dryRun) {
        await this.record(job, t, { outcome: outcomeOf(e), errcode: isTcbError(e) ? e.errcode : undefined, changes: [], before: t.before });
      }
      if (t.unit === "app") this.index.appFailed(t.appid, errorText(e));
      if (t.unit === "fn") this.index.functionFailed(t.appid, t.env, t.function_name, errorText(e));
    }
  }

  /** One step of an index build: an app's environments, an environment's functions, or a function's configs. */
  async read(job, client, t) {
    const now = Date.now();
    if (t.unit === "app") {
      const { environments } = await client.getEnvInfo();
      this.ctx.storage.transactionSync(() => {
        this.index.setEnvs(t.appid, environments, now);
        this.jobs.addTargets(job.id, environments.map((e) => ({ unit: "env", appid: t.appid, env: e.env })));
      });
      return { outcome: "done", detail: { envs: environments.length } };
    }
    if (t.unit === "env") {
      const { functions } = await client.listAllFunctions(t.env);
      let toRead = 0;
      this.ctx.storage.transactionSync(() => {
        const due = this.index.setFunctions(t.appid, t.env, functions, job.types, now);
        toRead = due.length;
        this.jobs.addTargets(job.id, due.map((f) => ({ unit: "fn", appid: t.appid, env: t.env, functionName: f.name, modTime: f.modTime })));
      });
      return { outcome: "done", detail: { functions: functions.length, pages: Math.max(1, Math.ceil(functions.length / LIST_PAGE)), toRead } };
    }
    const configs = {};
    for (const type of job.types) {
      try {
        configs[type] = await client.getFuncConfig({ env: t.env, functionName: t.function_name, type });
      } catch (e) {
        if (!(isTcbError(e) && e.errcode === 85089)) throw e;
        configs[type] = null; // not configured
      }
    }
    this.index.setConfigs(t.appid, t.env, t.function_name, t.mod_time, configs, Date.now());
    return { outcome: "done" };
  }

  /**
   * One target of a bulk edit through the package's helper: a dry run reads and plans; a run
   * reads, reads again, writes and reads back. A target interrupted earlier is read first: when
   * the edit is in place already it is not written again.
   */
  async edit(job, client, t) {
    const kind = KINDS[job.edit.kind];
    const target = { env: t.env, functionName: t.function_name };
    const spec = job.edit.spec ?? {};
    if (job.dryRun || t.read_first) {
      const plan = await kind.call(client, target, spec, { dryRun: true, revealValues: false });
      if (job.dryRun) return { outcome: plan.changes.length === 0 ? "unchanged" : "would_write", detail: { changes: plan.changes } };
      if (plan.changes.length === 0) {
        // Written before the interruption: recorded now, without the config it replaced (not known).
        await this.record(job, t, { outcome: "written", changes: [], after: plan.config ?? null });
        return { outcome: "written", detail: { changes: [], resumed: true } };
      }
    }
    // The config as it is before the write, for the history (its record keeps it sealed, so that
    // the write can be rolled back); the edit is based on it: a change since is a conflict.
    let before;
    try {
      before = await client.getFuncConfig({ env: t.env, functionName: t.function_name, type: kind.type });
    } catch (e) {
      if (!isNotConfigured(e)) throw e;
      before = null;
    }
    t.before = before;
    const result = await kind.call(client, target, spec, { revealValues: false, expectedRaw: before?.raw ?? null });
    const outcome = result.written ? "written" : "unchanged";
    await this.record(job, t, { outcome, changes: result.changes, before, after: result.config ?? null });
    return { outcome, detail: { changes: result.changes } };
  }

  /** A target's write, recorded in the history (src/history.js) like a write through the page. */
  async record(job, t, entry) {
    const type = KINDS[job.edit.kind].type;
    await recordWrite(this.env, {
      // One record per target, also when an interruption makes it come here twice.
      id: await recordId(job.id, t.seq),
      who: job.who ?? "admin key",
      appid: t.appid,
      env: t.env,
      function: t.function_name,
      type,
      kind: "job",
      ...entry,
      // Unknown (undefined) stays unknown: null would say "not configured".
      ...(entry.before !== undefined ? { versionBefore: await versionOf(entry.before?.raw ?? null, this.env) } : {}),
      ...(entry.after !== undefined ? { versionAfter: await versionOf(entry.after?.raw ?? null, this.env) } : {}),
    });
  }

  /** The app's client, kept across invocations (its token cached); a new one asks the app's TokenStore. */
  client(appid) {
    const kept = this.clients.get(appid);
    if (kept) {
      this.clients.delete(appid);
      this.clients.set(appid, kept);
      return kept;
    }
    const state = { expiresAt: 0, lastToken: "", appid };
    const timeout = this.env.WECHAT_TIMEOUT_MS ? { timeoutMs: Number(this.env.WECHAT_TIMEOUT_MS) } : {};
    const client = new TcbClient({
      getAccessToken: (ctx) => fromTokenStore(state, this.env, ctx),
      baseUrl: this.env.WECHAT_BASE_URL || DEFAULT_BASE_URL,
      // No retries of our own making: each call is one subrequest, and the budget counts them.
      retries: 0,
      ...timeout,
    });
    this.clients.set(appid, client);
    while (this.clients.size > MAX_CLIENTS) this.clients.delete(this.clients.keys().next().value);
    return client;
  }
}

/** The history record's id of a job's target: a UUID made from the job's id and the target's number. */
async function recordId(jobId, seq) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${jobId}:${seq}`)));
  const hex = Array.from(digest.slice(0, 16), (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** What a failure says, for the results: the package's code, errcode and message; never a value. */
function errorDetail(e) {
  if (isTcbError(e)) {
    const detail = { code: e.code, message: e.message };
    if (e.errcode !== undefined) detail.errcode = e.errcode;
    if (Array.isArray(e.changes)) detail.changes = e.changes;
    return detail;
  }
  return { code: "internal", message: "an unexpected error" };
}

function errorText(e) {
  return isTcbError(e) ? (e.errcode !== undefined ? `${e.code} ${e.errcode}` : e.code) : "internal";
}

function notFound() {
  return Response.json({ error: { code: "not_found", hint: "no such job: see GET /api/jobs", message: "no such job" } }, { status: 404 });
}
