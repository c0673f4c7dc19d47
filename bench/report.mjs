// Writes bench/RESULTS.md from the figures the benchmark scripts saved in BENCH_OUT.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";

import { ROOT, WORKERD, WRANGLER, bytes, fix } from "./lib.mjs";

const OUT = process.env.BENCH_OUT;
if (!OUT) throw new Error("BENCH_OUT is not set");
const read = (name) => (existsSync(join(OUT, `${name}.json`)) ? JSON.parse(readFileSync(join(OUT, `${name}.json`), "utf8")) : null);
const sizes = read("sizes");
const calls = read("calls");
const decode = read("decode");
const memory = read("memory");
const workerd = read("workerd");
const builder = read("builder");
const twiggy = read("twiggy");
const meta = read("meta") ?? {};
const fleet = read("fleet");
const cron = existsSync(join(OUT, "cron.txt")) ? readFileSync(join(OUT, "cron.txt"), "utf8").trim() : null;

const run = (cmd, args) => {
  try {
    return execFileSync(cmd, args, { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "n/a";
  }
};
const md = (rows) => {
  const [head, ...body] = rows;
  return [`| ${head.join(" | ")} |`, `|${head.map((_, i) => (i === 0 ? ":---" : "---:")).join("|")}|`, ...body.map((r) => `| ${r.join(" | ")} |`)].join("\n");
};
const yes = (ok) => (ok === undefined ? "n/a" : ok ? "**met**" : "**not met**");
const sha = (file) => createHash("sha256").update(readFileSync(file)).digest("hex").slice(0, 12);
const ratioRows = (rows, digits) => rows.map((r) => [r.label, fix(r.wasm.min, digits(r)), fix(r.wasm.median, digits(r)), fix(r.wasm.max, digits(r)),
  fix(r.js.min, digits(r)), fix(r.js.median, digits(r)), fix(r.js.max, digits(r)), fix(r.ratio, 2)]);
const RATIO_HEAD = ["metric", "wasm min", "wasm median", "wasm max", "JS min", "JS median", "JS max", "wasm/JS (medians)"];

const lines = [];
const p = (...xs) => lines.push(...xs);

p("# Benchmarks: the package (Rust/wasm) against a hand-written JavaScript client", "");
p("Written by `make bench` (`scripts/bench.sh`); figures, not pass/fail. Every comparison runs both",
  "clients on the same machine in the same run, alternating their order between rounds.", "");
p(md([
  ["run", ""],
  ["date", meta.date ?? new Date().toISOString()],
  ["machine", `${meta.nproc ?? cpus().length} CPUs (nproc), ${cpus()[0]?.model ?? "unknown CPU"}`],
  ["load average (1 min) at start / end", `${meta.loadStart ?? "n/a"} / ${loadavg()[0].toFixed(2)}`],
  ["Node", process.version],
  ["workerd / wrangler", `${run(WORKERD, ["--version"])} / ${run(WRANGLER, ["--version"]).split("\n").pop()}`],
  ["commit", `${run("git", ["rev-parse", "--short", "HEAD"])}${run("git", ["status", "--porcelain", "--", "src", "pkg-template"]) ? " (src/ or pkg-template/ modified)" : ""}`],
  ["pkg/tcb_funcconfig_bg.wasm sha256", sha(join(ROOT, "pkg/tcb_funcconfig_bg.wasm"))],
]));
p("");

// --- budgets -------------------------------------------------------------------------------------
// Each budget as the project sets it; a figure, not a test (only the size budget is also a test).
const BUDGET = { wasmGzip: 92160, seq: 1.2, conc: 1.25, workerd: 1.2, coldMs: 8, decode: 2 };
const t = [];
if (sizes) t.push([`.wasm ≤ 90 KB gzip (${bytes(BUDGET.wasmGzip)} bytes; make test fails above 128 KiB)`, `${bytes(sizes.files.wasm.gzip)} bytes gzip -9`, yes(sizes.files.wasm.gzip <= BUDGET.wasmGzip)]);
const callRow = (key) => calls?.rows.find((r) => r.key === key);
for (const [key, label, budget] of [["seqMedian", "per call in Node, sequential (median)", BUDGET.seq], ["concMedian", `per call in Node, concurrency ${calls?.concurrency} (median)`, BUDGET.conc]]) {
  const r = callRow(key);
  if (r) t.push([`${label} ≤ ${budget}× JS`, `${fix(r.ratio, 2)}×`, yes(r.ratio <= budget)]);
}
for (const [key, label] of [["seqCpu", "CPU per call in Node, sequential"], ["concCpu", `CPU per call in Node, concurrency ${calls?.concurrency}`]]) {
  const r = callRow(key);
  if (r) t.push([`${label} (reported beside JS)`, `${fix(r.wasm.median, 0)} vs ${fix(r.js.median, 0)} µs (${fix(r.ratio, 2)}×)`, "n/a"]);
}
const reqRow = (which, level) => workerd?.perRequest?.[which]?.find((r) => r.level === level && r.metric === "rps");
for (const [which, label, budget] of [["wranglerDev", "wrangler dev", null], ["plainWorkerd", "plain workerd", BUDGET.workerd]]) {
  for (const level of ["c1", "c8"]) {
    const r = reqRow(which, level);
    // Time per request wasm/JS is the inverse of the requests/s ratio.
    const figure = r && `${fix(1 / r.ratio, 2)}× the time (${fix(r.wasm.median, 0)} vs ${fix(r.js.median, 0)} req/s)`;
    if (r) t.push([budget ? `per request in workerd (${label}, ${level}) ≤ ${budget}× JS` : `per request in workerd (${label}, ${level}; no budget: its proxy dominates)`, figure, budget ? yes(1 / r.ratio <= budget) : "n/a"]);
  }
}
if (workerd?.cold) t.push([`cold start in workerd ≤ +${BUDGET.coldMs} ms over JS`, `+${fix(workerd.coldDiff, 1)} ms (${fix(workerd.cold[0].first.median, 1)} vs ${fix(workerd.cold[1].first.median, 1)} ms)`, yes(workerd.coldDiff <= BUDGET.coldMs)]);
for (const r of decode?.rows ?? []) t.push([`decode ≤ ${BUDGET.decode}× JS: ${r.label}`, `${fix(r.ratio, 2)}×`, yes(r.ratio <= BUDGET.decode)]);
if (memory) t.push([`zero memory growth (Node, ${bytes(memory.calls)} calls)`, `${bytes(memory.growth)} bytes`, yes(memory.growth === 0)]);
for (const name of ["wasm"]) {
  const m = workerd?.memory?.[name];
  if (m && !m.error) {
    const g = m.after.wasmMemory - m.before.wasmMemory;
    t.push([`zero memory growth (workerd, ${bytes(m.load.requests)} requests)`, `${bytes(g)} bytes of wasm memory`, yes(g === 0)]);
  }
}
if (builder) t.push(["request building: the faster of gloo's builder and `web_sys::Request` + `From` is used", `${fix(builder.direct.median, 1)} vs ${fix(builder.gloo.median, 1)} µs`, yes(builder.direct.median <= builder.gloo.median)]);
p("## Budgets", "", md([["budget", "where we are", "status"], ...t]), "");

// --- sizes -----------------------------------------------------------------------------------------
if (sizes) {
  const f = sizes.files;
  p("## Size", "", md([
    ["file", "raw", "gzip -9", "brotli (quality 11)"],
    ["`pkg/tcb_funcconfig_bg.wasm`", bytes(f.wasm.raw), bytes(f.wasm.gzip), bytes(f.wasm.brotli)],
    ["`pkg/tcb_funcconfig.js` (JS glue)", bytes(f.glue.raw), bytes(f.glue.gzip), bytes(f.glue.brotli)],
    ["`bench/baseline.mjs` (the JS baseline, comments included)", bytes(f.baseline.raw), bytes(f.baseline.gzip), bytes(f.baseline.brotli)],
    [`npm tarball (\`npm pack --dry-run\`: ${sizes.tarball.entryCount} files, ${bytes(sizes.tarball.unpackedSize)} unpacked)`, bytes(sizes.tarball.size), "", ""],
  ]), "");
  const b = sizes.bundles;
  p("Worker bundles from `wrangler deploy --dry-run --outdir` (bench/workers/wasm, bench/workers/js; source maps excluded):", "");
  p(md([
    ["", "wasm Worker", "JS Worker", "wasm/JS"],
    ["modules", b.wasm.modules.map((m) => `${m.type} ${bytes(m.bytes)}`).join(" + "), b.js.modules.map((m) => `${m.type} ${bytes(m.bytes)}`).join(" + "), ""],
    ["raw", bytes(b.wasm.raw), bytes(b.js.raw), fix(b.wasm.raw / b.js.raw, 1)],
    ["gzip -9 (per file, summed)", bytes(b.wasm.gzip), bytes(b.js.gzip), fix(b.wasm.gzip / b.js.gzip, 1)],
    ["wrangler's \"Total Upload\"", b.wasm.reported.replace("Total Upload: ", ""), b.js.reported.replace("Total Upload: ", ""), ""],
  ]), "");
}

// --- where the bytes go ----------------------------------------------------------------------------
if (twiggy) {
  const short = (name) => (name.length > 110 ? `${name.slice(0, 107)}...` : name).replaceAll("|", "\\|");
  p("### Where the bytes go (twiggy)", "",
    `\`bench/twiggy.mjs\`: the module optimized as \`make build\` does but with names kept (\`wasm-opt -g\`); ${bytes(twiggy.total)} bytes of`,
    "code and data, the names section left out. Shallow sizes, raw bytes.", "");
  p(md([["top 20 items", "bytes", "%"], ...twiggy.top.map((i) => [`\`${short(i.name)}\``, bytes(i.size), fix(i.percent, 1)])]), "");
  p(md([["by crate (first crate the item's name mentions)", "bytes", "%"], ...twiggy.crates.map((c) => [c.crate, bytes(c.size), fix(c.percent, 1)])]), "");
}

// --- building one request ----------------------------------------------------------------------------
if (builder) {
  p("## Building one request", "",
    "`bench/builder.mjs` times, in one wasm module (`bench/request-build`), gloo-net's `RequestBuilder` (URL, query",
    "params, headers, a throwaway `Request`, then the real one) against the package's way (a `web_sys::Request` with its",
    `init, turned into gloo-net's \`Request\`): ${bytes(builder.builds)} builds per round, ${builder.rounds} rounds, µs per request.`, "");
  p(md([["way", "min", "median", "max"],
    ["gloo-net `RequestBuilder`", fix(builder.gloo.min, 2), fix(builder.gloo.median, 2), fix(builder.gloo.max, 2)],
    ["`web_sys::Request` + `From` (the package)", fix(builder.direct.min, 2), fix(builder.direct.median, 2), fix(builder.direct.max, 2)]]), "");
}

// --- per call in Node ------------------------------------------------------------------------------
if (calls) {
  p("## Per call in Node", "",
    `${bytes(calls.calls)} sequential calls, then ${bytes(calls.calls)} at concurrency ${calls.concurrency}, per client and round; ${calls.rounds} rounds,`,
    `order alternating; ${calls.warmup} warm-up calls each first. One client object each (\`TcbClient\`, the package with`,
    "`retries: 0`), the simulator on loopback, types 1/2/3 in turn on `orderSync`. Min / median / max are over",
    "the rounds' figures (each round's median or p99 of its calls). For calls/s a ratio below 1 means the wasm is slower.", "");
  p(md([RATIO_HEAD, ...ratioRows(calls.rows, (r) => (r.key.endsWith("PerSec") || r.key.endsWith("Cpu") ? 0 : 3))]), "",
    "CPU µs/call is this Node process's user + system time (`process.cpuUsage`) over the round, divided by its calls:",
    "the client's own work, since the simulator is another process.", "");
}

// --- per request in workerd ----------------------------------------------------------------------
if (workerd?.perRequest) {
  const d = (r) => (r.metric === "rps" ? 0 : 2);
  p("## Per request in workerd", "",
    "Both Workers (`bench/workers/wasm`: the package's `getFuncConfig` with `retries: 0`; `bench/workers/js`: the",
    "baseline) answer `GET /?function=orderSync&type=T` from the simulator; wrk rotates T over 1/2/3 (Lua script).",
    `Every answer is checked to be 200 and the same for both (schedule aside) before the load; wrk runs ${workerd.wrkRounds} rounds`,
    "per level, order alternating; min / median / max over rounds. Client (wrk), Worker and simulator share the machine's CPUs.", "");
  p(`### Under \`wrangler dev\` (${workerd.wrkSeconds} s per run)`, "", md([RATIO_HEAD, ...ratioRows(workerd.perRequest.wranglerDev, d)]), "");
  p(`### Plain \`workerd serve\` of the same bundles (${workerd.plainSeconds} s per run)`, "",
    "wrangler dev sends each request through its own proxy, which costs more than the Worker itself; plain workerd shows",
    "the Workers' own difference.", "", md([RATIO_HEAD, ...ratioRows(workerd.perRequest.plainWorkerd, d)]), "");
}

// --- cold start ------------------------------------------------------------------------------------
if (workerd?.cold) {
  p("## Cold start in workerd", "",
    `\`workerd serve\` (the binary, a generated capnp config with the wrangler bundle's modules: the \`.wasm\` as a \`wasm\``,
    "module; `globalOutbound` a network service allowing local addresses), from spawn to the first 200 answer of",
    `\`GET /?function=orderSync&type=1\` (which includes one call to the simulator); ${workerd.coldRuns} runs each after one warm-up pair, alternating.`,
    "\"Listening\" is when workerd reports its socket on its control fd.", "");
  p(md([
    ["Worker", "to listening: min", "median", "max", "to first 200: min", "median", "max"],
    ...workerd.cold.map((r) => [r.name, fix(r.listen.min, 1), fix(r.listen.median, 1), fix(r.listen.max, 1), fix(r.first.min, 1), fix(r.first.median, 1), fix(r.first.max, 1)]),
  ]), "", `wasm − JS (medians, to first 200): **${fix(workerd.coldDiff, 1)} ms**; ratio ${fix(workerd.cold[0].first.median / workerd.cold[1].first.median, 2)}.`, "");
}

// --- decode ------------------------------------------------------------------------------------------
if (decode) {
  p("## Decode (stubbed fetch)", "",
    `No network: \`globalThis.fetch\` is a stub answering a new \`Response\` with a prebuilt large answer, so both clients do`,
    "the same work per call (validate, build the request, fetch, read the text, parse twice, build the typed result).",
    `${bytes(decode.total)} calls per type and client: ${decode.rounds} rounds of ${bytes(decode.calls)}, order alternating; µs per call. The package also computes the`,
    "type 2 trigger's `schedule` (explanation and next 5 runs), which the baseline does not.", "");
  p(md([["answer (body bytes)", "wasm min", "wasm median", "wasm max", "JS min", "JS median", "JS max", "wasm/JS (medians)"],
    ...decode.rows.map((r) => [`${r.label} (${bytes(r.answerBytes)})`, fix(r.wasm.min, 1), fix(r.wasm.median, 1), fix(r.wasm.max, 1),
      fix(r.js.min, 1), fix(r.js.median, 1), fix(r.js.max, 1), fix(r.ratio, 2)])]), "");
}

// --- memory --------------------------------------------------------------------------------------------
if (memory || workerd?.memory) {
  p("## Memory", "");
  if (memory) {
    const tables = Object.keys(memory.atLoad.tables);
    p(`In Node, a separate process: the wasm instance's linear memory (\`memory\` export, reached through the glue's`,
      "`initSync()`, which returns the instance's exports once initialised) and its externref table, across calls through",
      "a stubbed fetch (the large answers, an 85089 errcode, an undecodable config, in turn).", "");
    p(md([["when", "linear memory (bytes)", ...tables.map((k) => `\`${k}\` (slots)`)],
      ["at load", bytes(memory.atLoad.memory), ...tables.map((k) => memory.atLoad.tables[k])],
      [`after ${memory.warmup} warm-up calls`, bytes(memory.afterWarmup.memory), ...tables.map((k) => memory.afterWarmup.tables[k])],
      [`after ${bytes(memory.calls)} more calls`, bytes(memory.afterCalls.memory), ...tables.map((k) => memory.afterCalls.tables[k])],
    ]), "", `Growth over the ${bytes(memory.calls)} calls: **${bytes(memory.growth)} bytes**. (Linear memory grows in 64 KiB pages and never shrinks.)`, "");
  }
  if (workerd?.memory) {
    p(`In workerd (plain \`workerd serve\` with \`--inspector-addr\`): through the inspector, every \`WebAssembly.Memory\` of the`,
      "isolate (`Runtime.queryObjects`, which runs a full GC first) and the isolate's JS heap (`Runtime.getHeapUsage`);",
      `the workerd process's RSS from /proc. Load: wrk -t2 -c8 for ${workerd.loadSeconds} s, types rotating.`, "");
    const rows = [];
    for (const name of ["wasm", "js"]) {
      const m = workerd.memory[name];
      if (!m) continue;
      if (m.error) {
        rows.push([name, "not measured", m.error, "", ""]);
        continue;
      }
      rows.push([name, "after 3 requests", bytes(m.before.wasmMemory), bytes(m.before.jsHeapUsed), bytes(m.before.rss)]);
      rows.push([name, `after ${bytes(m.load.requests)} more`, bytes(m.after.wasmMemory), bytes(m.after.jsHeapUsed), bytes(m.after.rss)]);
    }
    p(md([["Worker", "when", "wasm memory (bytes)", "JS heap used (bytes)", "workerd RSS (bytes)"], ...rows]), "");
  }
}

if (fleet) p("## Fleet: the index build over the simulator's apps (bench/fleet.mjs)", "", "```", fleet.text, "```", "");
if (cron) p("## Cron: next 1000 runs, wasm against croner (bench/cron.mjs)", "", "```", cron, "```", "");

p("## Method and fairness", "",
  "- The baseline (`bench/baseline.mjs`) is a complete client: the README's validation rules, the same request (POST,",
  "  token percent-encoded in the query, JSON body), one time limit and the caller's signal, the tolerant typed",
  "  reading of the three types, and the same error classification (api with errcode/errmsg/hint/retryable, http,",
  "  network, timeout, aborted, decode with raw), the token scrubbed from errors. `node --test bench/baseline.test.mjs`",
  "  checks it gives the package's results on the simulator's configs, tests/fixtures, tolerant-reading cases,",
  "  errcodes -1, 40014, 42001, 45009, 85089 and the other failures.",
  "- It does not retry, refresh tokens or compute trigger schedules: the package runs with `retries: 0` (one request",
  "  per call, as the baseline), and results are compared with the package's `schedule`/`scheduleError` removed. The",
  "  package still computes each timer trigger's schedule (explanation and next 5 runs) in every type 2 call: work the",
  "  baseline does not do.",
  "- The machine has few cores shared by client, server and load generator, and possibly other work (see the load",
  "  average above): compare the ratios of one run rather than absolute figures across runs.",
  "");

// The Optimizations section is kept from the previous RESULTS.md: it is written by hand.
const previous = existsSync(join(ROOT, "bench/RESULTS.md")) ? readFileSync(join(ROOT, "bench/RESULTS.md"), "utf8") : "";
const kept = previous.indexOf("\n## Optimizations");
if (kept >= 0) p(previous.slice(kept + 1).trimEnd(), "");
else p("## Optimizations", "", "<!-- make bench keeps this section as written: list each optimization and its measured effect. -->", "", "_None yet._", "");

writeFileSync(join(ROOT, "bench/RESULTS.md"), lines.join("\n"));
console.log(`wrote bench/RESULTS.md`);
