#!/usr/bin/env bash
# Fuzzes every target in fuzz/ for FUZZ_SECONDS each (default 600) from the committed seeds,
# FUZZ_JOBS targets at a time (default 1; the machine has 2 cores).
# Prints each target's executions; any crash fails the run and leaves its input in fuzz/artifacts/.
source "$(dirname "$0")/lib.sh"
SECONDS_PER_TARGET=${FUZZ_SECONDS:-600}
if ! cargo fuzz --version >/dev/null 2>&1; then
  say "installing cargo-fuzz (about 2 minutes, once)"
  cargo install cargo-fuzz
fi
# libFuzzer needs unstable compiler flags: the nightly toolchain where the machine has one,
# otherwise the stable compiler in bootstrap mode without a sanitizer.
if rustup toolchain list | grep -q '^nightly'; then
  FUZZ=(cargo +nightly fuzz)
  SAN=()
else
  export RUSTC_BOOTSTRAP=1
  FUZZ=(cargo fuzz)
  SAN=(--sanitizer none)
fi
cd "$ROOT/fuzz"
TARGETS=$("${FUZZ[@]}" list)
say "building fuzz targets: $(echo $TARGETS)"
"${FUZZ[@]}" build "${SAN[@]}" -O 2>&1 | tail -1
mkdir -p "$BUILD/fuzz"
: >"$BUILD/fuzz/summary.txt"
fuzz_one() {
  local t=$1 corpus="$BUILD/fuzz/corpus/$1"
  mkdir -p "$corpus" "$ROOT/fuzz/seeds/$t"
  say "fuzzing $t for ${SECONDS_PER_TARGET}s"
  "${FUZZ[@]}" run "${SAN[@]}" -O "$t" "$corpus" "$ROOT/fuzz/seeds/$t" -- \
    -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    >"$BUILD/fuzz/$t.log" 2>&1 || { tail -40 "$BUILD/fuzz/$t.log"; echo "fuzz target $t failed" >&2; return 1; }
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$BUILD/fuzz/$t.log")
  printf '%-10s %12s executions, 0 crashes\n' "$t" "$runs" | tee -a "$BUILD/fuzz/summary.txt"
}
export -f fuzz_one say
export BUILD ROOT SECONDS_PER_TARGET
export FUZZ_CMD="${FUZZ[*]}" SAN_ARGS="${SAN[*]}"
# shellcheck disable=SC2086
printf '%s\n' $TARGETS | xargs -P "${FUZZ_JOBS:-1}" -I{} bash -c 'FUZZ=($FUZZ_CMD); SAN=($SAN_ARGS); fuzz_one "$1"' _ {}
