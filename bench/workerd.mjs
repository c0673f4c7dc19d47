// The two benchmark Workers (bench/workers/wasm: the package; bench/workers/js: the baseline) in
// workerd, both answering GET /?function=F&type=T from the simulator:
//   1. cold start: plain `workerd serve` of the `wrangler deploy --dry-run` bundle (a generated
//      capnp config), from spawn to the first 200 answer, COLD_RUNS times each, alternating;
//   2. memory: the same plain workerd with its inspector on: the isolate's JS heap (after a full
//      GC), the wasm linear memory of the Worker (every WebAssembly.Memory found in the isolate),
//      and the process RSS, before and after LOAD_SECONDS of wrk load;
//   3. per request: both Workers under `wrangler dev`, driven by wrk for WRK_SECONDS at
//      concurrency 1 (-t1 -c1) and 8 (-t2 -c8), WRK_ROUNDS rounds in alternating order; types
//      rotate 1/2/3 on orderSync (a wrk Lua script). Then the same in plain workerd
//      (PLAIN_SECONDS), where wrangler's dev proxy does not weigh on every request.
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { promisify } from "node:util";

import { ROOT, WORKERD, WRANGLER, bundleWorker, bytes, fix, msSince, note, save, spread, startSim, stripSchedule, table, wranglerEnv } from "./lib.mjs";

const COLD_RUNS = Number(process.env.COLD_RUNS ?? 21);
const WRK_SECONDS = Number(process.env.WRK_SECONDS ?? 10);
const WRK_ROUNDS = Number(process.env.WRK_ROUNDS ?? 3);
const PLAIN_SECONDS = Number(process.env.PLAIN_SECONDS ?? 5);
const LOAD_SECONDS = Number(process.env.LOAD_SECONDS ?? 10);
const NAMES = ["wasm", "js"];
const PATHS = [1, 2, 3].map((t) => `/?function=orderSync&type=${t}`);

const scratch = mkdtempSync(join(tmpdir(), "tcb-bench-workerd-"));
const children = new Set();
function track(child) {
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}
const killAll = () => {
  for (const c of children) c.kill("SIGTERM");
};
process.on("exit", () => {
  killAll();
  rmSync(scratch, { recursive: true, force: true });
});
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => process.exit(130));

async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10000);
  await exited;
  clearTimeout(timer);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

const simulator = await startSim();
const wrkScript = join(scratch, "rotate.lua");
writeFileSync(wrkScript, [
  "-- Types 1, 2, 3 in turn on orderSync.",
  `local paths = { ${PATHS.map((p) => JSON.stringify(p)).join(", ")} }`,
  "local i = 0",
  "request = function()",
  "  i = i % #paths + 1",
  '  return wrk.format("GET", paths[i])',
  "end",
  "",
].join("\n"));

// --- bundles and capnp configs -----------------------------------------------------------------

note("bundling both Workers (wrangler deploy --dry-run)");
const bundles = {};
for (const name of NAMES) {
  const saved = process.env.BENCH_OUT && join(process.env.BENCH_OUT, "bundles", name);
  bundles[name] = saved && existsSync(saved) ? { outdir: saved, modules: JSON.parse(readFileSync(join(saved, "..", `${name}.json`), "utf8")).modules }
    : bundleWorker(name, join(scratch, "bundle-" + name));
  const modules = bundles[name].modules.map((m) => `    (name = ${JSON.stringify(m.name)}, ${m.type} = embed ${JSON.stringify(relative(scratch, join(bundles[name].outdir, m.name)))}),`);
  const entry = bundles[name].modules.find((m) => m.type === "esModule");
  // capnp reads a path starting with "/" from its import path: the files are named relative to the config.
  modules.sort((a, b) => (a.includes(`"${entry.name}"`) ? -1 : b.includes(`"${entry.name}"`) ? 1 : 0)); // the entry first
  writeFileSync(join(scratch, `${name}.capnp`), `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    # Outbound fetch to the simulator on 127.0.0.1 needs "local".
    (name = "net", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "main")],
);

const worker :Workerd.Worker = (
  modules = [
${modules.join("\n")}
  ],
  compatibilityDate = "2026-04-01",
  bindings = [
    (name = "ACCESS_TOKEN", text = "sim-access-token"),
    (name = "SIM_URL", text = ${JSON.stringify(simulator.url)}),
  ],
  globalOutbound = "net",
);
`);
}

/** Starts plain workerd on a free port (reported on the control fd); resolves { child, port, listenMs, t0 }. */
function startWorkerd(name, extraArgs = []) {
  const t0 = process.hrtime.bigint();
  const child = track(spawn(WORKERD, ["serve", join(scratch, `${name}.capnp`), "--control-fd=3", ...extraArgs],
    { stdio: ["ignore", "ignore", "pipe", "pipe"] }));
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    let control = "";
    child.stdio[3].on("data", (d) => {
      control += d;
      const line = control.split("\n").find((l) => l.includes('"listen"'));
      if (line) resolve({ child, port: JSON.parse(line).port, listenMs: msSince(t0), t0 });
    });
    child.once("exit", (code) => reject(new Error(`workerd (${name}) exited with ${code}: ${stderr}`)));
  });
}

// --- 1. cold start -------------------------------------------------------------------------------

note(`cold start: ${COLD_RUNS} runs of plain workerd per Worker`);
const cold = { wasm: { first: [], listen: [] }, js: { first: [], listen: [] } };
for (let i = 0; i < COLD_RUNS + 1; i++) {
  for (const name of i % 2 === 0 ? NAMES : [...NAMES].reverse()) {
    const w = await startWorkerd(name);
    let status = 0;
    for (let tries = 0; status !== 200 && tries < 1000; tries++) {
      status = await fetch(`http://127.0.0.1:${w.port}${PATHS[0]}`).then(async (r) => (await r.arrayBuffer(), r.status), () => 0);
      if (status !== 200 && status !== 0) throw new Error(`${name}: first answer ${status}`);
    }
    const firstMs = msSince(w.t0);
    await stop(w.child);
    if (status !== 200) throw new Error(`${name}: no 200 answer`);
    if (i === 0) continue; // the first pair warms the page cache
    cold[name].first.push(firstMs);
    cold[name].listen.push(w.listenMs);
  }
}
const coldRows = NAMES.map((name) => ({ name, first: spread(cold[name].first), listen: spread(cold[name].listen) }));
console.log(`cold start in plain workerd (${COLD_RUNS} runs each, alternating), ms from spawn`);
console.log(table([
  ["Worker", "to listening: min", "median", "max", "to first 200: min", "median", "max"],
  ...coldRows.map((r) => [r.name, fix(r.listen.min, 1), fix(r.listen.median, 1), fix(r.listen.max, 1), fix(r.first.min, 1), fix(r.first.median, 1), fix(r.first.max, 1)]),
]));
const coldDiff = coldRows[0].first.median - coldRows[1].first.median;
console.log(`wasm - JS (median to first 200): ${fix(coldDiff, 1)} ms; ratio ${fix(coldRows[0].first.median / coldRows[1].first.median)}`);

// --- wrk ------------------------------------------------------------------------------------------

const exec = promisify(execFile);
const toMs = (v, unit) => Number(v) * (unit === "us" ? 0.001 : unit === "s" ? 1000 : unit === "m" ? 60000 : 1);
async function wrk(url, threads, connections, seconds) {
  const { stdout } = await exec("wrk", [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, "--latency", "--timeout", "10s", "-s", wrkScript, url]);
  const num = (re) => {
    const m = stdout.match(re);
    if (!m) throw new Error(`wrk output not understood:\n${stdout}`);
    return m;
  };
  const p50 = num(/^\s*50%\s+([\d.]+)(us|ms|s|m)\s*$/m);
  const p99 = num(/^\s*99%\s+([\d.]+)(us|ms|s|m)\s*$/m);
  const non2xx = Number((stdout.match(/Non-2xx or 3xx responses:\s+(\d+)/) ?? [0, 0])[1]);
  const errors = stdout.match(/Socket errors:.*/)?.[0];
  return {
    rps: Number(num(/Requests\/sec:\s+([\d.]+)/)[1]), p50: toMs(p50[1], p50[2]), p99: toMs(p99[1], p99[2]),
    requests: Number(num(/(\d+) requests in/)[1]), non2xx, errors,
  };
}

// --- 2. memory of the isolate under load (plain workerd with its inspector) ----------------------

let WebSocket;
try {
  ({ default: WebSocket } = await import("ws"));
} catch {
  WebSocket = globalThis.WebSocket;
}

/** Connects to workerd's inspector; returns { send(method, params), contextId, close() }. */
async function inspector(port) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/main`);
  const pending = new Map();
  let id = 0;
  let contextId;
  let contextReady;
  const context = new Promise((r) => (contextReady = r));
  const onMessage = (data) => {
    const m = JSON.parse(String(data?.data ?? data));
    if (m.method === "Runtime.executionContextCreated") {
      contextId = m.params.context.id;
      contextReady();
    }
    const p = m.id && pending.get(m.id);
    if (p) {
      pending.delete(m.id);
      m.error ? p.reject(new Error(`${p.method}: ${JSON.stringify(m.error)}`)) : p.resolve(m.result);
    }
  };
  if (ws.on) ws.on("message", onMessage);
  else ws.addEventListener("message", onMessage);
  await new Promise((resolve, reject) => {
    if (ws.once) {
      ws.once("open", resolve);
      ws.once("error", reject);
    } else {
      ws.addEventListener("open", resolve);
      ws.addEventListener("error", reject);
    }
  });
  const send = (method, params = {}) => new Promise((resolve, reject) => {
    const i = ++id;
    const timer = setTimeout(() => {
      pending.delete(i);
      reject(new Error(`${method}: no answer`));
    }, 10000);
    pending.set(i, { method, resolve: (v) => (clearTimeout(timer), resolve(v)), reject: (e) => (clearTimeout(timer), reject(e)) });
    ws.send(JSON.stringify({ id: i, method, params }));
  });
  await send("Runtime.enable");
  await Promise.race([context, new Promise((_, reject) => setTimeout(() => reject(new Error("no execution context")), 5000))]);
  return { send, contextId: () => contextId, close: () => ws.close() };
}

/** Every WebAssembly.Memory of the isolate (queryObjects runs a full GC first), then the JS heap. */
async function isolateMemory(insp) {
  const proto = await insp.send("Runtime.evaluate", { expression: "WebAssembly.Memory.prototype", contextId: insp.contextId() });
  const found = await insp.send("Runtime.queryObjects", { prototypeObjectId: proto.result.objectId });
  const sizes = await insp.send("Runtime.callFunctionOn", {
    objectId: found.objects.objectId, returnByValue: true,
    functionDeclaration: "function () { return this.map((m) => m.buffer.byteLength); }",
  });
  const heap = await insp.send("Runtime.getHeapUsage");
  return { wasmMemory: sizes.result.value.reduce((a, b) => a + b, 0), wasmMemories: sizes.result.value.length, jsHeapUsed: heap.usedSize, jsHeapTotal: heap.totalSize };
}

const rss = (pid) => Number((readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+)/) ?? [0, NaN])[1]) * 1024;

note(`memory: plain workerd with its inspector, ${LOAD_SECONDS} s of load per Worker`);
const memory = {};
for (const name of NAMES) {
  const inspectorPort = await freePort();
  const w = await startWorkerd(name, [`--inspector-addr=127.0.0.1:${inspectorPort}`]);
  try {
    const base = `http://127.0.0.1:${w.port}`;
    for (const p of PATHS) assert.equal((await fetch(base + p)).status, 200);
    const insp = await inspector(inspectorPort);
    const before = { ...(await isolateMemory(insp)), rss: rss(w.child.pid) };
    const load = await wrk(base + "/", 2, 8, LOAD_SECONDS);
    const after = { ...(await isolateMemory(insp)), rss: rss(w.child.pid) };
    insp.close();
    memory[name] = { before, after, load };
  } catch (e) {
    memory[name] = { error: String(e.message ?? e) };
  } finally {
    await stop(w.child);
  }
}
console.log(`memory in plain workerd: after 3 requests, then after ${LOAD_SECONDS} s of wrk -t2 -c8 (JS heap and wasm memory after a full GC)`);
const memRow = (name, when) => {
  const m = memory[name];
  if (m.error) return [name, when, m.error, "", ""];
  const x = m[when];
  const label = when === "before" ? "after 3 requests" : `after ${bytes(m.load.requests)} more (${fix(m.load.rps, 0)}/s)`;
  return [name, label, bytes(x.wasmMemory), bytes(x.jsHeapUsed), bytes(x.rss)];
};
console.log(table([["Worker", "when", "wasm memory", "JS heap used", "workerd RSS"],
  ...NAMES.flatMap((n) => [memRow(n, "before"), memRow(n, "after")])]));

// --- 3. per request under wrangler dev ------------------------------------------------------------

async function wranglerDev(name) {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const inspectorPort = await freePort();
    const args = ["dev", "-c", join(ROOT, "bench/workers", name, "wrangler.toml"), "--ip", "127.0.0.1", "--port", String(port),
      "--inspector-port", String(inspectorPort), "--var", `SIM_URL:${simulator.url}`, "--persist-to", join(scratch, `state-${name}`),
      "--show-interactive-dev-session=false", "--log-level", "warn"];
    const child = track(spawn(WRANGLER, args, { cwd: join(ROOT, "bench/workers", name), env: wranglerEnv(), stdio: ["ignore", "pipe", "pipe"] }));
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 600 && child.exitCode === null; i++) {
      const status = await fetch(url + PATHS[0], { signal: AbortSignal.timeout(5000) }).then(async (r) => (await r.arrayBuffer(), r.status), () => 0);
      if (status === 200) return { child, url };
      await new Promise((r) => setTimeout(r, 100));
    }
    await stop(child);
    if (attempt === 3 || !/address already in use/i.test(output)) throw new Error(`wrangler dev (${name}) did not start:\n${output}`);
  }
}

const LEVELS = [{ key: "c1", threads: 1, connections: 1 }, { key: "c8", threads: 2, connections: 8 }];

/** wrk rounds against both Workers (`urls.wasm`, `urls.js`), order alternating; returns table rows. */
async function perRequest(what, urls, seconds) {
  // Each answer is 200 and both Workers answer the same configs (schedule aside).
  for (const p of PATHS) {
    const answers = [];
    for (const name of NAMES) {
      const r = await fetch(urls[name] + p);
      assert.equal(r.status, 200, `${what} ${name} ${p}`);
      answers.push(stripSchedule(await r.json()));
    }
    assert.deepEqual(answers[1], answers[0], `${what}: the two Workers disagree on ${p}`);
  }
  for (const name of NAMES) await wrk(urls[name] + "/", 2, 8, 2); // warm up
  note(`${what}: wrk ${WRK_ROUNDS} rounds x 2 Workers x 2 levels x ${seconds} s`);
  const runs = { wasm: { c1: [], c8: [] }, js: { c1: [], c8: [] } };
  for (let r = 0; r < WRK_ROUNDS; r++) {
    for (const name of r % 2 === 0 ? NAMES : [...NAMES].reverse()) {
      for (const l of LEVELS) {
        const x = await wrk(urls[name] + "/", l.threads, l.connections, seconds);
        if (x.non2xx > 0 || x.errors) throw new Error(`${what} ${name} ${l.key}: ${x.non2xx} non-2xx answers ${x.errors ?? ""}`);
        runs[name][l.key].push(x);
      }
    }
  }
  const rows = [];
  for (const l of LEVELS) {
    for (const [metric, label] of [["rps", "requests/s"], ["p50", "p50 ms"], ["p99", "p99 ms"]]) {
      const w = spread(runs.wasm[l.key].map((x) => x[metric]));
      const j = spread(runs.js[l.key].map((x) => x[metric]));
      rows.push({ level: l.key, connections: l.connections, threads: l.threads, metric, label: `-t${l.threads} -c${l.connections}: ${label}`, wasm: w, js: j, ratio: w.median / j.median });
    }
  }
  const d = (r) => (r.metric === "rps" ? 0 : 3);
  console.log(`per request, ${what}: wrk ${seconds} s x ${WRK_ROUNDS} rounds (order alternating), types 1/2/3 on orderSync`);
  console.log(table([["metric", "wasm min", "median", "max", "JS min", "median", "max", "wasm/JS"],
    ...rows.map((r) => [r.label, fix(r.wasm.min, d(r)), fix(r.wasm.median, d(r)), fix(r.wasm.max, d(r)),
      fix(r.js.min, d(r)), fix(r.js.median, d(r)), fix(r.js.max, d(r)), fix(r.ratio)])]));
  return rows;
}

note("per request: both Workers with wrangler dev");
const dev = {};
for (const name of NAMES) dev[name] = await wranglerDev(name);
const devRows = await perRequest("wrangler dev", { wasm: dev.wasm.url, js: dev.js.url }, WRK_SECONDS);
for (const name of NAMES) await stop(dev[name].child);

note("per request: both Workers in plain workerd");
const plain = {};
for (const name of NAMES) plain[name] = await startWorkerd(name);
const plainRows = await perRequest("plain workerd", { wasm: `http://127.0.0.1:${plain.wasm.port}`, js: `http://127.0.0.1:${plain.js.port}` }, PLAIN_SECONDS);
for (const name of NAMES) await stop(plain[name].child);

save("workerd", {
  coldRuns: COLD_RUNS, cold: coldRows, coldDiff,
  loadSeconds: LOAD_SECONDS, memory,
  wrkSeconds: WRK_SECONDS, plainSeconds: PLAIN_SECONDS, wrkRounds: WRK_ROUNDS, perRequest: { wranglerDev: devRows, plainWorkerd: plainRows },
});
await simulator.stop();
