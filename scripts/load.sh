#!/usr/bin/env bash
# Load on the edge Worker: wrk against wrangler dev + the simulator, LOAD_SECONDS (default 30) at
# LOAD_CONNECTIONS (default 32); fails on any request that does not answer 200.
# make test runs it for 5 s; make load for the full 30 s.
source "$(dirname "$0")/lib.sh"
ensure_npm_tools
ensure_wrk
[ -f "$ROOT/pkg/tcb_funcconfig_bg.wasm" ] || "$ROOT/scripts/build.sh"
ensure_edge_deps
build_sim
mkdir -p "$BUILD"
SIM_PID=
trap '[ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null; true' EXIT
start_sim
node "$ROOT/tests/load/load.mjs"
