// The wasm module's memory across many calls, in its own Node process. The package's instance is
// shared with its glue module: `initSync()` from pkg/tcb_funcconfig.js returns the existing
// instance's exports once pkg/node.js has initialised it, and those exports hold `memory` (the
// linear memory) and `__wbindgen_externrefs` (the table of JS values the module holds).
// Calls go through a stubbed `globalThis.fetch` (the large answers of the decode benchmark, an
// errcode answer and an undecodable one, in turn), so only the package's own memory is measured.
import { ENV, TOKEN, bytes, largeAnswers, save, table } from "./lib.mjs";
import * as pkg from "../pkg/node.js";
import { initSync } from "../pkg/tcb_funcconfig.js";

const CALLS = Number(process.env.MEMORY_CALLS ?? 10000);
const WARMUP = 100;

const exports = initSync();
if (!(exports?.memory instanceof WebAssembly.Memory)) throw new Error("the wasm instance's memory is not reachable");
const tables = Object.entries(exports).filter(([, v]) => v instanceof WebAssembly.Table);
const snapshot = () => ({
  memory: exports.memory.buffer.byteLength,
  tables: Object.fromEntries(tables.map(([k, t]) => [k, t.length])),
  jsHeap: process.memoryUsage().heapUsed,
});

const large = largeAnswers();
const bodies = [large[1], large[2], large[3],
  '{"errcode":85089,"errmsg":"config not found rid: 1-2"}',
  '{"errcode":0,"errmsg":"ok","config":"{permissions"}'];
let n = 0;
globalThis.fetch = async () => new Response(bodies[n % bodies.length], { status: 200, headers: { "Content-Type": "application/json" } });

const client = new pkg.TcbClient({ accessToken: TOKEN, baseUrl: "http://127.0.0.1:9", retries: 0 });
async function calls(count) {
  for (let i = 0; i < count; i++, n++) {
    await client.getFuncConfig({ env: ENV, functionName: "orderSync", type: (n % 3) + 1 }).catch((e) => {
      if (e?.name !== "TcbError") throw e;
    });
  }
}

const atLoad = snapshot();
await calls(WARMUP);
const afterWarmup = snapshot();
await calls(CALLS);
const afterCalls = snapshot();
// Let the finalizers of dropped objects run, then look again.
if (globalThis.gc) {
  globalThis.gc();
  await new Promise((r) => setTimeout(r, 50));
}
const afterGc = snapshot();
client.free();

const growth = afterCalls.memory - afterWarmup.memory;
console.log(`wasm linear memory across ${CALLS} calls (stubbed fetch; large configs, an errcode, a decode error in turn)`);
console.log(table([
  ["when", "linear memory (bytes)", ...tables.map(([k]) => `${k} (slots)`)],
  ["at load", bytes(atLoad.memory), ...tables.map(([k]) => atLoad.tables[k])],
  [`after ${WARMUP} warm-up calls`, bytes(afterWarmup.memory), ...tables.map(([k]) => afterWarmup.tables[k])],
  [`after ${CALLS} more calls`, bytes(afterCalls.memory), ...tables.map(([k]) => afterCalls.tables[k])],
]));
console.log(`growth over the ${CALLS} calls: ${bytes(growth)} bytes (${growth / 65536} pages of 64 KiB)`);
save("memory", { calls: CALLS, warmup: WARMUP, atLoad, afterWarmup, afterCalls, afterGc, growth });
