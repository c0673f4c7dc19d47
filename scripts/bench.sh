#!/usr/bin/env bash
# Benchmarks (figures, not pass/fail), all in one run, written to bench/RESULTS.md:
#   sizes (the .wasm, the glue, the tarball, the two benchmark Workers' bundles), where the .wasm's
#   bytes go (twiggy), building one request (gloo-net's builder against the package's way), per
#   call in Node against the simulator (time and CPU), decode with a stubbed fetch, the wasm memory across many calls, the
#   Workers in workerd (cold start, memory under load, requests/s with wrk under wrangler dev and
#   plain workerd), the fleet's index build over 250 apps (wall time, subrequests per alarm
#   invocation, WeChat calls per function), and the cron search against croner. The package is compared with a
#   hand-written JavaScript client doing the same job (bench/baseline.mjs).
# BENCH_SKIP_BUILD=1 measures pkg/ as it is instead of rebuilding it first.
source "$(dirname "$0")/lib.sh"

ensure_wasm_target
ensure_wasm_bindgen
ensure_npm_tools
ensure_wrk
ensure_twiggy
if [ "${BENCH_SKIP_BUILD:-0}" = 1 ] && [ -f "$ROOT/pkg/tcb_funcconfig_bg.wasm" ]; then
  say "measuring pkg/ as it is (BENCH_SKIP_BUILD=1)"
else
  "$ROOT/scripts/build.sh"
fi
build_sim
mkdir -p "$BUILD"

OUT="$BUILD/bench"
rm -rf "$OUT"
mkdir -p "$OUT"
export BENCH_OUT="$OUT"

SIM_PID=
cleanup() {
  if [ -n "$SIM_PID" ]; then
    kill "$SIM_PID" 2>/dev/null || true
    wait "$SIM_PID" 2>/dev/null || true
  fi
  # wrangler's scratch state next to the benchmark Workers (also in bench/.gitignore).
  rm -rf "$ROOT"/bench/workers/*/.wrangler
}
trap cleanup EXIT
trap 'exit 130' INT TERM

SIM_ARGS=--quiet start_sim
export TCB_SIM_URL="$SIM_URL"
say "simulator at $SIM_URL"

node -e '
  const os = require("os");
  require("fs").writeFileSync(process.argv[1], JSON.stringify({
    date: new Date().toISOString(), nproc: Number(process.argv[2]), loadStart: os.loadavg()[0].toFixed(2) }));' \
  "$OUT/meta.json" "$(nproc)"

cd "$ROOT"
say "size: the package's files, the tarball and the two Workers' bundles"
node bench/sizes.mjs
say "size profile: twiggy top 20 and the split by crate"
node bench/twiggy.mjs
say "building one request: gloo-net's RequestBuilder vs the package's way (bench/request-build)"
cargo build --release -q --target wasm32-unknown-unknown --manifest-path bench/request-build/Cargo.toml
wasm-bindgen --target web --no-typescript --out-dir "$OUT/request-build" \
  bench/request-build/target/wasm32-unknown-unknown/release/tcb_funcconfig_request_build.wasm
node bench/builder.mjs
say "per call in Node: wasm vs JS baseline against the simulator"
node bench/calls.mjs
say "decode (stubbed fetch): wasm vs JS baseline on large configs"
node bench/decode.mjs
say "wasm linear memory across 10,000 calls"
node --expose-gc bench/memory.mjs
say "workerd: cold start, memory under load, requests/s (wrangler dev and plain workerd)"
node bench/workerd.mjs
say "fleet: the index build over 250 apps × 3 types in workerd (bench/fleet.mjs)"
node bench/fleet.mjs | tee "$OUT/fleet.txt"
say "cron: next 1000 runs, wasm vs croner"
node bench/cron.mjs | tee "$OUT/cron.txt"

node bench/report.mjs
say "bench/RESULTS.md written"
