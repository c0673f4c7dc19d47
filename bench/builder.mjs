// Building one request in the wasm: gloo-net's `RequestBuilder` against the package's own way
// (a `web_sys::Request` with its init, turned into gloo-net's `Request`), both in one module
// (bench/request-build, built by scripts/bench.sh into BENCH_OUT/request-build). Rounds
// alternate their order; µs per request, min / median / max over rounds.
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { fix, save, spread, table } from "./lib.mjs";

const ROUNDS = Number(process.env.ROUNDS ?? 7);
const N = Number(process.env.BUILDS ?? 2000);
const dir = join(process.env.BENCH_OUT, "request-build");
const m = await import(join(dir, "tcb_funcconfig_request_build.js"));
m.initSync({ module: readFileSync(join(dir, "tcb_funcconfig_request_build_bg.wasm")) });

const url = "http://127.0.0.1:9/tcb/getfuncconfig?access_token=sim-access-token";
const body = JSON.stringify({ env: "test-777bb9", function_name: "orderSync", type: 1 });
const ways = { gloo: m.glooBuilder, direct: m.packageBuilder };

const time = (f) => {
  const t0 = process.hrtime.bigint();
  const built = f(url, body, N);
  const us = Number(process.hrtime.bigint() - t0) / 1000 / N;
  if (built !== N) throw new Error(`built ${built} of ${N} requests`);
  return us;
};
for (const f of Object.values(ways)) time(f); // warm up
const rounds = { gloo: [], direct: [] };
for (let r = 0; r < ROUNDS; r++) {
  for (const name of r % 2 === 0 ? ["gloo", "direct"] : ["direct", "gloo"]) rounds[name].push(time(ways[name]));
}
const result = { rounds: ROUNDS, builds: N, gloo: spread(rounds.gloo), direct: spread(rounds.direct) };
console.log(`building one request, ${N} per round x ${ROUNDS} rounds (µs per request)`);
console.log(table([
  ["way", "min", "median", "max"],
  ["gloo-net RequestBuilder", fix(result.gloo.min, 2), fix(result.gloo.median, 2), fix(result.gloo.max, 2)],
  ["web_sys::Request + From (the package)", fix(result.direct.min, 2), fix(result.direct.median, 2), fix(result.direct.max, 2)],
]));
save("builder", result);
