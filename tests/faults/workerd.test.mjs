// The fault matrix in workerd: tests/faults/worker/ under `wrangler dev`. Each cell is one
// GET /cell request; the Worker times the call itself (Date.now() around the awaited call) and
// the round trip is bounded here too. Besides the outcome, every cell checks that the isolate
// survived (the same isolate id as at start), that the Worker logged no error, and that
// wrangler's output shows no uncaught exception or trap.
import { join } from "node:path";
import { defineMatrix, ROOT } from "./driver.mjs";
import { startWrangler } from "./wrangler.mjs";

const REQUEST_TIMEOUT_MS = 30000;
const TRAP = /uncaught|RuntimeError|unreachable|panicked|\[ERROR\]|exceeded|isolate/i;

defineMatrix({
  name: "workerd",
  label: "workerd",
  async start(simUrl) {
    const worker = await startWrangler({
      config: join(ROOT, "tests/faults/worker/wrangler.toml"),
      vars: { SIM_URL: simUrl },
      readyPath: "/health",
    });
    const get = async (path) => {
      const r = await fetch(worker.url + path, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      const text = await r.text();
      if (!r.ok) throw new Error(`GET ${path}: ${r.status} ${text}`);
      return JSON.parse(text);
    };
    const { isolate } = await get("/health");
    const problems = [];
    let seen = worker.output().length;
    return {
      async run(cell, functionName) {
        const started = Date.now();
        const answer = await get(`/cell?id=${encodeURIComponent(cell.id)}&fn=${encodeURIComponent(functionName)}`);
        const roundTripMs = Date.now() - started;
        if (answer.isolate !== isolate) problems.push(`the isolate changed (${isolate} -> ${answer.isolate}): it was restarted`);
        problems.push(...answer.problems);
        return { outcome: answer.outcome, ms: answer.ms, roundTripMs };
      },
      async drain() {
        const output = worker.output();
        const fresh = output.slice(seen);
        seen = output.length;
        const lines = fresh.split("\n").filter((line) => TRAP.test(line)).map((line) => `wrangler: ${line.trim()}`);
        return [...problems.splice(0), ...lines];
      },
      stop: () => worker.stop(),
    };
  },
});
