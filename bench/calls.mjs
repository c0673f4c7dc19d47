// Per call in Node: the package (wasm, `retries: 0`) against the JavaScript baseline, both
// calling the simulator on loopback with one client object each, types rotating 1/2/3 on
// orderSync. Each round runs CALLS sequential calls, then CALLS calls at concurrency
// CONCURRENCY, for each client; the order alternates between rounds (wasm first, then JS first)
// to cancel drift. Figures are per round; the tables show min / median / max over rounds.
import * as base from "./baseline.mjs";
import { ENV, TOKEN, fix, msSince, save, spread, startSim, summary, table } from "./lib.mjs";
import * as pkg from "../pkg/node.js";

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const CALLS = Number(process.env.CALLS ?? 2000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 16);
const WARMUP = Number(process.env.WARMUP ?? 500);

const simulator = await startSim();
try {
  const clients = {
    wasm: new pkg.TcbClient({ accessToken: TOKEN, baseUrl: simulator.url, retries: 0 }),
    js: new base.TcbClient({ accessToken: TOKEN, baseUrl: simulator.url, retries: 0 }),
  };
  const request = (i) => ({ env: ENV, functionName: "orderSync", type: (i % 3) + 1 });

  // Runs `n` calls with `workers` in flight; returns per-call latencies (ms), the wall time and
  // this process's CPU time per call (µs, user + system: the client's own work, since the
  // simulator is another process).
  async function run(client, n, workers) {
    const latencies = new Array(n);
    let next = 0;
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    await Promise.all(Array.from({ length: workers }, async () => {
      while (next < n) {
        const i = next++;
        const t = process.hrtime.bigint();
        const c = await client.getFuncConfig(request(i));
        latencies[i] = msSince(t);
        if (c.type !== (i % 3) + 1) throw new Error("wrong answer");
      }
    }));
    const wallMs = msSince(t0);
    const cpu = process.cpuUsage(cpu0);
    return { latencies, wallMs, cpuUs: (cpu.user + cpu.system) / n };
  }

  for (const client of Object.values(clients)) await run(client, WARMUP, CONCURRENCY); // warm up both

  const rounds = { wasm: [], js: [] };
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? ["wasm", "js"] : ["js", "wasm"];
    for (const name of order) {
      const seq = await run(clients[name], CALLS, 1);
      const conc = await run(clients[name], CALLS, CONCURRENCY);
      const s = summary(seq.latencies);
      const c = summary(conc.latencies);
      rounds[name].push({
        seqMedian: s.median, seqP99: s.p99, seqPerSec: (CALLS / seq.wallMs) * 1000, seqCpu: seq.cpuUs,
        concMedian: c.median, concP99: c.p99, concPerSec: (CALLS / conc.wallMs) * 1000, concCpu: conc.cpuUs,
      });
    }
  }

  const metrics = [
    ["seqMedian", `sequential: median ms/call`],
    ["seqP99", `sequential: p99 ms/call`],
    ["seqPerSec", `sequential: calls/s`],
    ["seqCpu", `sequential: CPU µs/call`],
    ["concMedian", `concurrency ${CONCURRENCY}: median ms/call`],
    ["concP99", `concurrency ${CONCURRENCY}: p99 ms/call`],
    ["concPerSec", `concurrency ${CONCURRENCY}: calls/s`],
    ["concCpu", `concurrency ${CONCURRENCY}: CPU µs/call`],
  ];
  const rows = metrics.map(([key, label]) => {
    const w = spread(rounds.wasm.map((x) => x[key]));
    const j = spread(rounds.js.map((x) => x[key]));
    return { key, label, wasm: w, js: j, ratio: w.median / j.median };
  });
  const d = (key) => (key.endsWith("PerSec") || key.endsWith("Cpu") ? 0 : 3);
  console.log(`per call in Node, ${CALLS} calls x ${ROUNDS} rounds (order alternating), types 1/2/3 on orderSync`);
  console.log(table([
    ["metric", "wasm min", "median", "max", "JS min", "median", "max", "wasm/JS"],
    ...rows.map((r) => [r.label, fix(r.wasm.min, d(r.key)), fix(r.wasm.median, d(r.key)), fix(r.wasm.max, d(r.key)),
      fix(r.js.min, d(r.key)), fix(r.js.median, d(r.key)), fix(r.js.max, d(r.key)), fix(r.ratio)]),
  ]));
  save("calls", { rounds: ROUNDS, calls: CALLS, concurrency: CONCURRENCY, warmup: WARMUP, rows });
  clients.wasm.free();
} finally {
  await simulator.stop();
}
