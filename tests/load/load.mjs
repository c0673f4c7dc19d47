// Load on the edge Worker: wrk against `wrangler dev` + the simulator on loopback, for
// LOAD_SECONDS (default 30) at LOAD_CONNECTIONS (default 32). Every answer must be a 200:
// any non-2xx answer, socket error or timeout fails the run. Prints requests/s, p50/p90/p99
// and the workerd process's resident memory at the start and the end.
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KEYS, startWorker } from "../edge/harness.mjs";

const SIM_URL = process.env.SIM_URL;
const SECONDS = Number(process.env.LOAD_SECONDS ?? 30);
const CONNECTIONS = Number(process.env.LOAD_CONNECTIONS ?? 32);
if (!SIM_URL) throw new Error("SIM_URL is not set");

/** The pid listening on `port` (workerd serves the Worker's port itself). */
function listener(port) {
  const out = execFileSync("ss", ["-ltnpH", `sport = :${port}`], { encoding: "utf8" });
  const pid = out.match(/pid=(\d+)/)?.[1];
  if (!pid) throw new Error(`nothing listens on ${port}:\n${out}`);
  return Number(pid);
}
const rss = (pid) => Number(readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+)/)[1]) * 1024;
const mib = (n) => `${(n / 1048576).toFixed(1)} MiB`;

const worker = await startWorker({ simUrl: SIM_URL });
let failed = false;
try {
  const port = Number(new URL(worker.url).port);
  const pid = listener(port);
  const name = readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  const path = "/api/config?env=test-777bb9&function=orderSync&type=";
  // Every type once before the load: all must answer 200 with a config.
  for (const t of [1, 2, 3]) {
    const res = await fetch(`${worker.url}${path}${t}`, { headers: { authorization: `Bearer ${KEYS.viewer}` } });
    if (res.status !== 200) throw new Error(`type ${t}: HTTP ${res.status} before the load: ${await res.text()}`);
  }
  const before = rss(pid);
  // wrk rotates the type over 1/2/3 and counts every answer that is not a 200.
  const dir = mkdtempSync(join(tmpdir(), "tcb-load-"));
  const script = join(dir, "rotate.lua");
  writeFileSync(script, `
local i = 0
local bad = 0
request = function()
  i = i + 1
  return wrk.format("GET", "${path}" .. ((i % 3) + 1), { ["Authorization"] = "Bearer ${KEYS.viewer}" })
end
response = function(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("LOAD requests=%d non200=%d connect=%d read=%d write=%d timeout=%d p50=%d p90=%d p99=%d max=%d rps=%.1f\\n",
    summary.requests, summary.errors.status, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    summary.requests / (summary.duration / 1e6)))
end
`);
  const wrk = spawnSync("wrk", ["-t2", `-c${CONNECTIONS}`, `-d${SECONDS}s`, "--timeout", "10s", "-s", script, worker.url], {
    encoding: "utf8",
  });
  const line = wrk.stdout.split("\n").find((l) => l.startsWith("LOAD "));
  if (!line) throw new Error(`wrk printed no summary:\n${wrk.stdout}\n${wrk.stderr}`);
  const r = Object.fromEntries(line.slice(5).split(" ").map((kv) => kv.split("=")).map(([k, v]) => [k, Number(v)]));
  const after = rss(pid);
  const errors = r.non200 + r.connect + r.read + r.write + r.timeout;
  const ms = (us) => `${(us / 1000).toFixed(1)} ms`;
  console.log(`Load on the Worker (${name}, pid ${pid}, serves the port): wrk ${SECONDS} s at ${CONNECTIONS} connections, GET /api/config type 1/2/3 (wrangler dev + tcb-sim, loopback)`);
  console.log("| requests | failed | requests/s | p50 | p90 | p99 | max | RSS start | end |");
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  console.log(`| ${r.requests} | ${errors} | ${r.rps.toFixed(0)} | ${ms(r.p50)} | ${ms(r.p90)} | ${ms(r.p99)} | ${ms(r.max)} | ${mib(before)} | ${mib(after)} |`);
  if (r.requests === 0 || errors !== 0) {
    console.error(`FAILED: ${errors} failed requests (non-200 ${r.non200}, connect ${r.connect}, read ${r.read}, write ${r.write}, timeout ${r.timeout})`);
    failed = true;
  }
} finally {
  await worker.stop();
}
process.exit(failed ? 1 : 0);
