// Runs the fault matrix (cells.mjs) in one runtime as node:test tests, and keeps the matrix
// table (build/faults-matrix.md) that puts the runtimes side by side.
//
// A runtime is { name, label, start(simUrl) } where start resolves to
//   run(cell, functionName) -> { outcome, ms, roundTripMs? }   the cell's call, in that runtime
//                               (Node in this process; the others in a page, a Worker or a
//                               process of their own, reached over loopback)
//   drain() -> [problem, ...]   what went wrong in the runtime since the last drain (uncaught
//                               errors, console errors, a restarted isolate ...)
//   stop()
// For each cell the driver registers the normal config for a function name private to the
// cell and the runtime, injects the cell's faults, runs the call and checks: the outcome, the
// time (timeoutMs + SLACK_MS; the round trip into the other runtimes too), the requests the
// simulator saw, nothing trapped or went uncaught, and that the same client then serves a normal
// call.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { record } from "../leaks.mjs";
import { simulator } from "../page/browser.mjs";
import {
  CELLS, ENV, ACCESS_TOKEN, NORMAL_CONFIG, SLACK_MS, cellById, expectedLabel, functionNameFor, labelOf, problemsOf,
  requestsExpected, timeoutOf,
} from "./cells.mjs";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BUILD = join(ROOT, "build");
const COLUMNS = join(BUILD, "faults");
const MATRIX_FILE = join(BUILD, "faults-matrix.md");

/** Allowed on top of timeoutMs + SLACK_MS for the hop from Node into the page, the Worker or the process. */
export const HOP_MS = 1000;

/** The runtimes of the matrix, in column order. */
export const RUNTIMES = [
  { name: "node", label: "Node" },
  { name: "chromium", label: "Chromium" },
  { name: "workerd", label: "workerd" },
  { name: "deno", label: "Deno" },
  { name: "bun", label: "Bun" },
];

const CONTROL_TIMEOUT_MS = 10000;

/** POSTs `body` as JSON to the simulator's `path`; returns the answer's JSON. */
export async function simPost(simUrl, path, body) {
  const r = await fetch(simUrl + path, { method: "POST", body: JSON.stringify(body), signal: AbortSignal.timeout(CONTROL_TIMEOUT_MS) });
  const text = await r.text();
  if (!r.ok) throw new Error(`simulator ${path}: ${r.status} ${text}`);
  return JSON.parse(text);
}

async function simRequests(simUrl, functionName, path = "/tcb/getfuncconfig") {
  const r = await fetch(`${simUrl}/__sim/requests?function_name=${encodeURIComponent(functionName)}`,
    { signal: AbortSignal.timeout(CONTROL_TIMEOUT_MS) });
  if (!r.ok) throw new Error(`simulator requests: ${r.status}`);
  return (await r.json()).filter((q) => q.path === path);
}

function registerConfig(simUrl, functionName, config = NORMAL_CONFIG) {
  return simPost(simUrl, "/__sim/configs", { env: ENV, function_name: functionName, type: 3, config });
}

/**
 * The id of this run of the matrix, shared by every runtime that tests against the same
 * simulator since its last reset (kept there as a config), so the table joins only columns of
 * one run.
 */
async function runIdOf(simUrl) {
  const read = async () => {
    const r = await fetch(`${simUrl}/tcb/getfuncconfig?access_token=${ACCESS_TOKEN}`, {
      method: "POST",
      body: JSON.stringify({ env: ENV, function_name: "faultsMatrixRun", type: 3 }),
      signal: AbortSignal.timeout(CONTROL_TIMEOUT_MS),
    });
    const answer = await r.json();
    return answer.errcode === 0 ? JSON.parse(answer.config).environment[0].value : null;
  };
  const existing = await read();
  if (existing) return existing;
  const id = `${new Date().toISOString()}-${Math.random().toString(36).slice(2, 8)}`;
  await registerConfig(simUrl, "faultsMatrixRun", JSON.stringify({ timeout: 3, environment: [{ key: "RUN", value: id }] }));
  return read();
}

/** Defines one test per cell for `runtime` (see the top of this file). */
export function defineMatrix(runtime) {
  const nonce = Math.random().toString(36).slice(2, 8);
  const after_ = functionNameFor(runtime.name, "after", nonce);
  const rows = [];
  let sim, env, simUrl, runId;

  before(async () => {
    sim = await simulator();
    simUrl = sim.url;
    runId = await runIdOf(simUrl);
    await registerConfig(simUrl, after_);
    env = await runtime.start(simUrl);
  });

  after(async () => {
    await env?.stop();
    sim?.stop();
    if (!runId) return;
    mkdirSync(COLUMNS, { recursive: true });
    writeFileSync(join(COLUMNS, `${runtime.name}.json`), JSON.stringify({ runId, runtime: runtime.name, rows }, null, 2));
    const table = renderMatrix(runId);
    writeFileSync(MATRIX_FILE, table);
    console.log(`\nFault matrix (${MATRIX_FILE}):\n\n${table}`);
  });

  for (const cell of CELLS) {
    test(`${runtime.label}: ${cell.title}`, async (t) => {
      // Problems left by an earlier cell that failed before its own check are not this cell's.
      for (const earlier of await env.drain()) t.diagnostic(`before this cell: ${earlier}`);
      const functionName = functionNameFor(runtime.name, cell.id, nonce);
      await registerConfig(simUrl, functionName);
      for (const { fault, times = 0 } of cell.faults) {
        await simPost(simUrl, "/__sim/faults", { function_name: functionName, times, fault, ...(cell.path && { path: cell.path }) });
      }
      const started = Date.now();
      const { outcome, ms, roundTripMs } = await env.run(cell, functionName);
      const wallMs = Date.now() - started;
      // The outcome as the runtime saw it (an error's message, stack, hint, errmsg, raw) goes
      // to the secret-leak scan.
      record("faults", JSON.stringify(outcome), `${runtime.name} ${cell.id}`);
      const row = { id: cell.id, label: labelOf(outcome), ms, roundTripMs: roundTripMs ?? wallMs, message: outcome.message };
      rows.push(row);
      t.diagnostic(`${labelOf(outcome)} in ${ms} ms${outcome.ok ? "" : `: ${outcome.message}`}`);
      if (cell.observed && cell.observed[runtime.name] !== outcome.code) {
        t.diagnostic(`note: ${outcome.code} here, noted in cells.mjs as ${cell.observed[runtime.name]}`);
      }

      assert.deepEqual(problemsOf(cell, outcome), [], "the outcome");
      const limit = timeoutOf(cell) + SLACK_MS;
      assert.ok(ms <= limit, `settled after ${ms} ms, more than ${limit}`);
      if (cell.maxMs) assert.ok(ms <= cell.maxMs, `settled after ${ms} ms, more than the ${cell.maxMs} ms this cell allows`);
      assert.ok(wallMs <= limit + HOP_MS, `the round trip took ${wallMs} ms, more than ${limit + HOP_MS}`);

      const [min, max] = requestsExpected(cell, outcome, runtime.name);
      const seen = (await simRequests(simUrl, functionName, cell.path)).length;
      row.requests = seen;
      assert.ok(seen >= min && seen <= max, `the simulator saw ${seen} requests, expected ${min === max ? min : `${min}-${max}`}`);

      // The same client right after: no state left poisoned by the fault.
      const next = await env.run(cellById("normal"), after_);
      record("faults", JSON.stringify(next.outcome), `${runtime.name} ${cell.id}, the normal call after`);
      assert.deepEqual(problemsOf(cellById("normal"), next.outcome), [], "the normal call after the cell");
      assert.ok(next.ms <= timeoutOf(cellById("normal")) + SLACK_MS, `the normal call after took ${next.ms} ms`);
      row.after = next.ms;

      const drained = await env.drain(cell);
      record("faults", [...drained, ...(env.logged ?? [])].join("\n"), `${runtime.name} ${cell.id}, problems and console lines`);
      assert.deepEqual(drained, [], "uncaught errors, traps or console errors in the runtime");
      for (const line of env.logged ?? []) t.diagnostic(`logged (expected): ${line}`);
      row.logged = env.logged ?? [];
      row.passed = true;
    });
  }
}

/** The matrix of every runtime's column of run `runId` as a Markdown table. */
export function renderMatrix(runId) {
  const columns = {};
  for (const file of readdirSync(COLUMNS).filter((f) => f.endsWith(".json"))) {
    try {
      const column = JSON.parse(readFileSync(join(COLUMNS, file), "utf8"));
      if (column.runId === runId) columns[column.runtime] = new Map(column.rows.map((r) => [r.id, r]));
    } catch {}
  }
  const runtimes = RUNTIMES.filter((r) => columns[r.name]);
  const header = ["cell", "timeoutMs", "expected", ...runtimes.map((r) => r.label)];
  const lines = [header, header.map(() => "---")];
  for (const cell of CELLS) {
    lines.push([
      cell.title,
      String(timeoutOf(cell)) + (cell.oneShot ? " (one-shot)" : ""),
      expectedLabel(cell),
      ...runtimes.map((r) => {
        const row = columns[r.name].get(cell.id);
        if (!row) return "not run";
        const requests = row.requests === undefined ? "" : `, ${row.requests} req`;
        return `${row.label} ${row.ms} ms${requests}${row.passed ? "" : " FAILED"}`;
      }),
    ]);
  }
  const missing = RUNTIMES.filter((r) => !columns[r.name]).map((r) => r.label);
  const logged = [];
  for (const r of runtimes) {
    for (const cell of CELLS) {
      const lines = columns[r.name].get(cell.id)?.logged ?? [];
      const counts = new Map();
      for (const line of lines) counts.set(line, (counts.get(line) ?? 0) + 1);
      for (const [line, n] of counts) logged.push(`- ${r.label}, ${cell.title}: ${n} × \`${line}\``);
    }
  }
  return [
    `Run ${runId}. Each entry: the outcome (result kind, or TcbError code), the call's wall time and`,
    "the requests the simulator received for it (FAILED: a check of that cell failed, see the test",
    "output). Each cell also checks that the runtime did not trap or log an unexpected error, and",
    "that the same client then served a normal call.",
    ...(missing.length ? [`Not run: ${missing.join(", ")}.`] : []),
    "",
    ...lines.map((cells) => `| ${cells.join(" | ")} |`),
    "",
    ...(logged.length ? ["Console lines the runtimes logged for the injected failures (allowed by the cells):", "", ...logged, ""] : []),
  ].join("\n");
}
