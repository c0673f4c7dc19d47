#!/usr/bin/env bash
# Builds the package, starts the simulator, reads the three configs of a seeded function
# through the package, then serves the admin page from the Worker until Ctrl-C.
source "$(dirname "$0")/lib.sh"
"$ROOT/scripts/build.sh"
mkdir -p "$BUILD"
build_sim
SIM_ARGS="--quiet --authorizers 12" start_sim
trap 'kill "$SIM_PID" 2>/dev/null || true' EXIT
say "simulator at $SIM_URL"
TCB_BASE_URL="$SIM_URL" TCB_DEMO_WRITE=1 node "$ROOT/demo/demo.mjs"
ensure_edge_deps
say "starting the admin Worker (wrangler dev)"
node "$ROOT/demo/serve.mjs"
