#!/usr/bin/env bash
# Runs every test layer and fails on any failure:
#   native cargo tests (core + simulator), wasm tests in Node and in headless Chromium,
#   the packed package in Node, Deno, Bun and workerd, the edge Worker in workerd, the admin
#   page in Chromium, make demo once, the fault matrix in all five runtimes, the TypeScript consumer check,
#   publint, short fuzzing runs and the size budget.
source "$(dirname "$0")/lib.sh"
ensure_wasm_target
ensure_wasm_bindgen
ensure_npm_tools
ensure_chromium
mkdir -p "$BUILD"
# What the system emits during the run (answers, logs, page text, errors) is collected here
# for the secret-leak scan at the end (tests/leaks.mjs, tests/leak-scan.mjs).
export TCB_LEAK_LOG="$BUILD/leaks.log"
: >"$TCB_LEAK_LOG"

# The hard limit on the gzipped .wasm (128 KiB), and the 90 KB it aims for.
SIZE_BUDGET_GZIP=131072
SIZE_TARGET_GZIP=92160
SUMMARY=()
TOTAL=0
SIM_PID=

cleanup() { [ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null || true; }
trap cleanup EXIT

# Adds a layer's count (from its log) to the summary; a layer that ran no test fails the run.
record() {
  local layer=$1 n=$2
  if [ "${n:-0}" -eq 0 ]; then
    echo "layer '$layer' ran no test" >&2
    exit 1
  fi
  SUMMARY+=("$(printf '%-34s %5d passed' "$layer" "$n")")
  TOTAL=$((TOTAL + n))
}
cargo_count() { grep -E '^test result: ok' "$1" | sed -E 's/.* ([0-9]+) passed.*/\1/' | awk '{s+=$1} END {print s+0}'; }
node_count() { grep -E '^# pass ' "$1" | awk '{s+=$3} END {print s+0}'; }
deno_count() { sed -nE 's/^ok \| ([0-9]+) passed \| 0 failed.*/\1/p' "$1" | awk '{s+=$1} END {print s+0}'; }
bun_count() { sed -nE 's/^ *([0-9]+) pass$/\1/p' "$1" | awk '{s+=$1} END {print s+0}'; }

say "native: cargo test --workspace (pure core and simulator)"
cargo test --workspace 2>&1 | tee "$BUILD/native.log"
record "native (cargo test)" "$(cargo_count "$BUILD/native.log")"

build_sim
start_sim
say "simulator at $SIM_URL"
reset_sim() { node -e 'fetch(process.argv[1], { method: "POST" }).then((r) => process.exit(r.ok ? 0 : 1))' "$SIM_URL/__sim/reset"; }

export TCB_SIM_URL="$SIM_URL"
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner

say "wasm: wasm-bindgen-test in Node"
reset_sim
cargo test --target wasm32-unknown-unknown --test wasm 2>&1 | tee "$BUILD/wasm-node.log"
record "wasm in Node (wasm-bindgen-test)" "$(cargo_count "$BUILD/wasm-node.log")"

say "wasm: wasm-bindgen-test in headless Chromium"
reset_sim
CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_USE_BROWSER=1 \
  cargo test --target wasm32-unknown-unknown --test wasm 2>&1 | tee "$BUILD/wasm-chromium.log"
record "wasm in Chromium (wasm-bindgen-test)" "$(cargo_count "$BUILD/wasm-chromium.log")"

"$ROOT/scripts/build.sh"

say "packing the package and installing it into a scratch consumer"
rm -rf "$BUILD/pack" "$BUILD/consumer"
mkdir -p "$BUILD/pack" "$BUILD/consumer"
tarball=$(cd "$ROOT/pkg" && npm pack --silent --pack-destination "$BUILD/pack")
cp -R "$ROOT/tests/node" "$ROOT/tests/runtimes" "$ROOT/tests/workerd" "$ROOT/tests/types" "$BUILD/consumer/"
cat >"$BUILD/consumer/package.json" <<JSON
{ "name": "consumer", "private": true, "type": "module",
  "dependencies": { "tcb-funcconfig": "file:../pack/$tarball" } }
JSON
(cd "$BUILD/consumer" && npm install --no-audit --no-fund --silent)

say "package: Node 20 ($(node --version)), imported by name"
reset_sim
(cd "$BUILD/consumer" && node --test --test-concurrency=1 node/ runtimes/) 2>&1 | tee "$BUILD/node.log"
record "package in Node (node --test)" "$(node_count "$BUILD/node.log")"

# The suite of tests/runtimes/ again, in Deno and in Bun (both run node:test suites), each
# importing the package by name: Deno through its `deno` condition, Bun through `node`.
say "package: Deno $(deno --version | sed -n 's/^deno \([^ ]*\).*/\1/p'), imported by name"
reset_sim
(cd "$BUILD/consumer" && NO_COLOR=1 deno test --no-lock --no-check --no-prompt --allow-net=127.0.0.1 \
  --allow-read --allow-write="$TCB_LEAK_LOG" --allow-env runtimes/) 2>&1 | tee "$BUILD/deno.log"
record "package in Deno (deno test)" "$(deno_count "$BUILD/deno.log")"

say "package: Bun $(bun --version), imported by name"
reset_sim
(cd "$BUILD/consumer" && bun test ./runtimes/) 2>&1 | tee "$BUILD/bun.log"
record "package in Bun (bun test)" "$(bun_count "$BUILD/bun.log")"

say "package: workerd through wrangler dev"
reset_sim
(cd "$BUILD/consumer" && WRANGLER="$ROOT/node_modules/.bin/wrangler" node --test workerd/) 2>&1 | tee "$BUILD/workerd.log"
record "package in workerd (node --test)" "$(node_count "$BUILD/workerd.log")"

say "edge Worker in workerd (wrangler dev) against the simulator"
ensure_edge_deps
reset_sim
(cd "$ROOT" && node --test --test-concurrency=1 tests/edge/) 2>&1 | tee "$BUILD/edge.log"
record "edge Worker (node --test)" "$(node_count "$BUILD/edge.log")"

say "admin page in headless Chromium (Playwright) through the Worker"
reset_sim
(cd "$ROOT" && node --test --test-concurrency=1 tests/page/) 2>&1 | tee "$BUILD/page.log"
record "admin page (Playwright)" "$(node_count "$BUILD/page.log")"

say "the front door: make demo, run through once and stopped (DEMO_EXIT=1)"
(cd "$ROOT" && DEMO_EXIT=1 scripts/demo.sh) 2>&1 | tee "$BUILD/demo.log"
grep -q 'authorized=1' "$BUILD/demo.log" && grep -q -- '-> HTTP 200' "$BUILD/demo.log"
record "make demo (runs through)" 1

say "benchmark baseline: the hand-written JS client gives the package's results"
reset_sim
(cd "$ROOT" && node --test bench/baseline.test.mjs) 2>&1 | tee "$BUILD/baseline.log"
record "bench baseline = package" "$(node_count "$BUILD/baseline.log")"

say "load on the Worker: wrk for 5 s at 32 connections, no failed request (make load: 30 s)"
ensure_wrk
reset_sim
(cd "$ROOT" && LOAD_SECONDS=5 node tests/load/load.mjs) 2>&1 | tee "$BUILD/load.log"
record "load on the Worker (0 failed)" 1

say "fault matrix: Node, headless Chromium, workerd, Deno and Bun against injected faults"
reset_sim
(cd "$ROOT" && node --test --test-concurrency=1 tests/faults/) 2>&1 | tee "$BUILD/faults.log"
record "fault matrix (node --test)" "$(node_count "$BUILD/faults.log")"

say "types: tsc --noEmit --strict on a consumer"
(cd "$BUILD/consumer" && "$ROOT/node_modules/.bin/tsc" -p types/tsconfig.json)
record "types (tsc --strict)" 1

say "package lint: publint"
publint "$ROOT/pkg"
record "package lint (publint)" 1

say "fuzzing: each target briefly (make fuzz runs them for 10 minutes each)"
FUZZ_SECONDS=${FUZZ_SECONDS:-8} "$ROOT/scripts/fuzz.sh"
record "fuzz targets (no crash)" "$(grep -c 'executions, 0 crashes' "$BUILD/fuzz/summary.txt")"

say "size budget: the .wasm gzipped must stay within $SIZE_BUDGET_GZIP bytes"
raw=$(stat -c %s "$ROOT/pkg/tcb_funcconfig_bg.wasm")
gz=$(gzip -9 -c "$ROOT/pkg/tcb_funcconfig_bg.wasm" | wc -c)
tar_size=$(stat -c %s "$BUILD/pack/$tarball")
echo "tcb_funcconfig_bg.wasm: $raw bytes raw, $gz bytes gzipped; packed tarball $tar_size bytes"
[ "$gz" -le "$SIZE_BUDGET_GZIP" ] || { echo "over the size budget" >&2; exit 1; }
[ "$gz" -le "$SIZE_TARGET_GZIP" ] || echo "note: $((gz - SIZE_TARGET_GZIP)) bytes over the $SIZE_TARGET_GZIP-byte target"
record "size budget" 1

say "secret-leak scan: every secret the tests use, in everything the system emitted"
node "$ROOT/tests/leak-scan.mjs" "$TCB_LEAK_LOG" 2>&1 | tee "$BUILD/leak-scan.log"
record "secret-leak scan (0 hits in $(sed -n 's/^entries: //p' "$BUILD/leak-scan.log") entries)" 1

echo
echo "Test layers:"
printf '  %s\n' "${SUMMARY[@]}"
echo "wasm: $raw bytes raw, $gz bytes gzipped; tarball $tar_size bytes"
echo "make test: $TOTAL passed, 0 failed"
