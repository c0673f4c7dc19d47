// Shared by the benchmark scripts: the simulator, timing statistics and formatting.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const TOKEN = "sim-access-token";
export const ENV = "test-777bb9";

/**
 * The simulator: `TCB_SIM_URL` when set (make test's own), else a fresh `target/release/tcb-sim`
 * on a free port. Returns { url, stop() }.
 */
export async function startSim() {
  if (process.env.TCB_SIM_URL) return { url: process.env.TCB_SIM_URL.replace(/\/$/, ""), stop: async () => {} };
  const bin = join(ROOT, "target/release/tcb-sim");
  if (!existsSync(bin)) throw new Error("target/release/tcb-sim is missing: cargo build --release -p tcb-sim");
  const dir = mkdtempSync(join(tmpdir(), "tcb-bench-sim-"));
  const portFile = join(dir, "port");
  const child = spawn(bin, ["--port", "0", "--port-file", portFile, "--quiet"], { stdio: ["ignore", "ignore", "inherit"] });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  // However this process ends, the simulator ends with it.
  const onExit = () => child.kill("SIGTERM");
  process.once("exit", onExit);
  const stop = async () => {
    process.off("exit", onExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 200 && !existsSync(portFile); i++) await new Promise((r) => setTimeout(r, 25));
  if (!existsSync(portFile)) {
    await stop();
    throw new Error("the simulator did not start");
  }
  return { url: `http://127.0.0.1:${readFileSync(portFile, "utf8").trim()}`, stop, pid: child.pid };
}

/** Calls the simulator's control API: GET without body, else POST it as JSON. */
export async function sim(url, path, body) {
  const init = body === undefined ? {} : { method: "POST", body: JSON.stringify(body) };
  const r = await fetch(`${url}/__sim/${path}`, init);
  if (!r.ok) throw new Error(`sim ${path}: ${r.status} ${await r.text()}`);
  return r.json();
}

/**
 * A copy of a config (or anything) without the `schedule` (or `scheduleError`) the package adds
 * to timer triggers.
 */
export function stripSchedule(value) {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(stripSchedule);
  const out = {};
  for (const [k, v] of Object.entries(value)) if (k !== "schedule" && k !== "scheduleError") out[k] = stripSchedule(v);
  return out;
}

/** Sorted copy and its min / median / p99 / max. */
export function summary(values) {
  const s = [...values].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { n: s.length, min: s[0], median: at(0.5), p99: at(0.99), max: s[s.length - 1] };
}

/** Median of a list of numbers. */
export const median = (values) => summary(values).median;

/** Milliseconds since `t0` (from process.hrtime.bigint()). */
export const msSince = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

/** Number to fixed decimals; bytes with a thousands separator. */
/** A progress line on stderr (the figures go to stdout). */
export const note = (text) => process.stderr.write(`  .. ${text}\n`);

export const fix = (x, d = 3) => (x === undefined || x === null || Number.isNaN(x) ? "n/a" : Number(x).toFixed(d));
export const bytes = (n) => (n === undefined || n === null ? "n/a" : Number(n).toLocaleString("en-US"));

/** Writes one benchmark's figures as JSON into BENCH_OUT (when set), for bench/report.mjs. */
export function save(name, data) {
  const dir = process.env.BENCH_OUT;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(data, null, 2) + "\n");
}

/** min / median / max of a list, for the tables. */
export function spread(values) {
  const s = summary(values);
  return { min: s.min, median: s.median, max: s.max, values };
}

/** A plain-text table: `rows` are arrays of cells, the first row the header. */
export function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join("  ")).join("\n");
}

/** The three large answers of the decode benchmark: the whole getfuncconfig body per type. */
export function largeAnswers() {
  const categories = ["wxacode", "subscribeMessage", "security", "customerServiceMessage", "cloudbase", "ocr", "img", "analysis"];
  const openapi = Array.from({ length: 2000 }, (_, i) => `${categories[i % categories.length]}.method${i}`);
  const environment = Array.from({ length: 300 }, (_, i) => ({ key: `VAR_${i}_NAME`, value: `value-${i}-${"x".repeat(i % 40)}` }));
  const configs = {
    1: { permissions: { openapi } },
    2: { triggers: [{ name: "nightlySync", type: "timer", config: "0 0 2 * * MON-FRI *" }] },
    3: { timeout: 60, environment },
  };
  const out = {};
  for (const t of [1, 2, 3]) out[t] = JSON.stringify({ errcode: 0, errmsg: "ok", config: JSON.stringify(configs[t]) });
  return out;
}

const WRANGLER_ENV = { WRANGLER_SEND_METRICS: "false", CI: "1", CLOUDFLARE_CF_FETCH_ENABLED: "false" };
export const WRANGLER = join(ROOT, "node_modules/.bin/wrangler");
export const WORKERD = join(ROOT, "node_modules/@cloudflare/workerd-linux-64/bin/workerd");

/** The environment wrangler runs with: offline, no metrics, no prompts. */
export const wranglerEnv = () => ({ ...process.env, ...WRANGLER_ENV });

/**
 * Bundles bench/workers/<name> with `wrangler deploy --dry-run --outdir <outdir>`. Returns
 * { outdir, modules: [{ name, type: "esModule" | "wasm", bytes }], reported } where `reported`
 * is wrangler's own "Total Upload" line.
 */
export function bundleWorker(name, outdir) {
  rmSync(outdir, { recursive: true, force: true });
  const out = execFileSync(WRANGLER, ["deploy", "--dry-run", "--outdir", outdir, "-c", join(ROOT, "bench/workers", name, "wrangler.toml")],
    { cwd: join(ROOT, "bench/workers", name), env: wranglerEnv(), encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const reported = (out.match(/Total Upload: .*/) ?? [""])[0].trim();
  const modules = readdirSync(outdir)
    .filter((f) => f.endsWith(".js") || f.endsWith(".wasm"))
    .map((f) => ({ name: f, type: f.endsWith(".wasm") ? "wasm" : "esModule", bytes: statSync(join(outdir, f)).size }));
  return { outdir, modules, reported };
}
