#!/usr/bin/env bash
# Builds the package, starts the simulator and reads the three configs of a seeded function.
source "$(dirname "$0")/lib.sh"
"$ROOT/scripts/build.sh"
mkdir -p "$BUILD"
build_sim
SIM_ARGS=--quiet start_sim
trap 'kill "$SIM_PID" 2>/dev/null || true' EXIT
say "simulator at $SIM_URL"
TCB_BASE_URL="$SIM_URL" node "$ROOT/demo/demo.mjs"
