// A runtime of the fault matrix that runs server/server.mjs in a process of its own (Deno,
// Bun): started once for every cell, driven over loopback HTTP (GET /cell), and watched for
// what goes wrong in it: the problems the server reports, its output (an uncaught error, a
// panic, a trap) and its exit.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "./driver.mjs";
import { record } from "../leaks.mjs";

const SERVER = join(ROOT, "tests/faults/server/server.mjs");
const START_TIMEOUT_MS = 30000;
const REQUEST_TIMEOUT_MS = 30000;
const TRAP = /uncaught|unhandled|RuntimeError|unreachable|panicked|error:/i;

/** The `runtime` for defineMatrix of `name` / `label`, run as `command` + `args` + the server's path. */
export function processRuntime({ name, label, command, args = [] }) {
  return {
    name,
    label,
    async start(simUrl) {
      const child = spawn(command, [...args, SERVER], {
        cwd: ROOT,
        env: { ...process.env, SIM_URL: simUrl, NO_COLOR: "1" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      child.stdout.on("data", (d) => (output += d));
      child.stderr.on("data", (d) => (output += d));
      const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
      let stopping = false;
      const stop = async () => {
        stopping = true;
        if (child.exitCode === null && child.signalCode === null) {
          child.kill("SIGTERM");
          await exited;
        }
        // Everything the runtime printed, for the secret-leak scan (tests/leaks.mjs).
        record("faults", output, `${label} output`);
      };

      const deadline = Date.now() + START_TIMEOUT_MS;
      let url;
      while (!url && Date.now() < deadline && child.exitCode === null) {
        const port = /^listening (\d+)$/m.exec(output)?.[1];
        if (port) url = `http://127.0.0.1:${port}`;
        else await new Promise((r) => setTimeout(r, 50));
      }
      if (!url) {
        await stop();
        throw new Error(`${label} did not start:\n${output}`);
      }
      const get = async (path) => {
        const r = await fetch(url + path, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
        const text = await r.text();
        if (!r.ok) throw new Error(`GET ${path}: ${r.status} ${text}`);
        return JSON.parse(text);
      };
      const health = await get("/health");
      if (health.runtime !== name) throw new Error(`expected ${name}, found ${JSON.stringify(health)}`);

      const problems = [];
      let seen = output.length;
      exited.then(({ code, signal }) => stopping || problems.push(`${label} exited (code ${code}, signal ${signal})`));
      return {
        version: health.version,
        async run(cell, functionName) {
          const started = Date.now();
          const answer = await get(`/cell?id=${encodeURIComponent(cell.id)}&fn=${encodeURIComponent(functionName)}`);
          problems.push(...answer.problems);
          return { outcome: answer.outcome, ms: answer.ms, roundTripMs: Date.now() - started };
        },
        async drain() {
          const fresh = output.slice(seen);
          seen = output.length;
          const lines = fresh.split("\n").filter((line) => TRAP.test(line)).map((line) => `${label}: ${line.trim()}`);
          return [...problems.splice(0), ...lines];
        },
        stop,
      };
    },
  };
}
