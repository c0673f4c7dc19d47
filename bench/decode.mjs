// Decode (stubbed fetch): no network. `globalThis.fetch` is replaced by a stub that answers every
// request with a new Response holding a prebuilt large answer, so both clients do the same work
// per call: validate, build the request, "fetch", read the text, parse twice, build the typed
// result. Large answers: type 1 with 2,000 permission names, type 3 with 300 environment
// variables, type 2 with one trigger (the package also computes that trigger's `schedule`: its
// explanation and next 5 runs, which the baseline does not do).
import assert from "node:assert/strict";

import * as base from "./baseline.mjs";
import { ENV, TOKEN, fix, largeAnswers, msSince, save, spread, stripSchedule, table } from "./lib.mjs";
import * as pkg from "../pkg/node.js";

// DECODE_CALLS decodes per type and client in all, split over ROUNDS rounds.
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const TOTAL = Number(process.env.DECODE_CALLS ?? 10000);
const CALLS = Math.ceil(TOTAL / ROUNDS);
const WARMUP = Number(process.env.WARMUP ?? 500);

const answers = largeAnswers();
let current = answers[1];
const headers = { "Content-Type": "application/json" };
globalThis.fetch = async () => new Response(current, { status: 200, headers });

const clients = {
  wasm: new pkg.TcbClient({ accessToken: TOKEN, baseUrl: "http://127.0.0.1:9", retries: 0 }),
  js: new base.TcbClient({ accessToken: TOKEN, baseUrl: "http://127.0.0.1:9", retries: 0 }),
};

async function run(client, type, n) {
  current = answers[type];
  const request = { env: ENV, functionName: "orderSync", type };
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await client.getFuncConfig(request);
  return (msSince(t0) * 1000) / n; // µs per call
}

const sizes = {};
for (const type of [1, 2, 3]) {
  current = answers[type];
  const request = { env: ENV, functionName: "orderSync", type };
  const w = stripSchedule(await clients.wasm.getFuncConfig(request));
  const j = await clients.js.getFuncConfig(request);
  assert.deepEqual(j, w, `type ${type}: the two clients disagree`);
  sizes[type] = Buffer.byteLength(answers[type]);
}

const labels = { 1: "type 1: 2,000 permissions", 2: "type 2: 1 trigger", 3: "type 3: 300 variables" };
const rows = [];
for (const type of [1, 2, 3]) {
  for (const c of Object.values(clients)) await run(c, type, WARMUP);
  const per = { wasm: [], js: [] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const name of r % 2 === 0 ? ["wasm", "js"] : ["js", "wasm"]) per[name].push(await run(clients[name], type, CALLS));
  }
  const w = spread(per.wasm);
  const j = spread(per.js);
  rows.push({ type, label: labels[type], answerBytes: sizes[type], wasm: w, js: j, ratio: w.median / j.median });
}

console.log(`decode (stubbed fetch): ${CALLS} calls per round x ${ROUNDS} rounds (order alternating), µs per call`);
console.log(table([
  ["answer (bytes)", "wasm min", "median", "max", "JS min", "median", "max", "wasm/JS"],
  ...rows.map((r) => [`${r.label} (${r.answerBytes})`, fix(r.wasm.min, 1), fix(r.wasm.median, 1), fix(r.wasm.max, 1),
    fix(r.js.min, 1), fix(r.js.median, 1), fix(r.js.max, 1), fix(r.ratio)]),
]));
save("decode", { rounds: ROUNDS, calls: CALLS, total: CALLS * ROUNDS, rows });
clients.wasm.free();
