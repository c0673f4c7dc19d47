#!/usr/bin/env bash
# Benchmarks (figures, not pass/fail): the cron computation against croner in one Node process.
source "$(dirname "$0")/lib.sh"
"$ROOT/scripts/build.sh"
say "cron: next 1000 runs, wasm vs croner"
node "$ROOT/bench/cron.mjs"
