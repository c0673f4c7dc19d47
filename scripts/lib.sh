# Shared by the scripts: paths, logging, and idempotent installs.
# shellcheck shell=bash
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD="$ROOT/build"
WASM_BINDGEN_VERSION=0.2.130
export PATH="$HOME/.cargo/bin:$ROOT/node_modules/.bin:$PATH"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

ensure_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "installing the Rust target wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
  fi
}

ensure_wasm_bindgen() {
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
    # No --locked: the reachable index lacks one locked dependency of the CLI.
    say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 2 minutes, once)"
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
  fi
}

ensure_npm_tools() {
  local stamp="$ROOT/node_modules/.package-lock.json"
  if [ ! -f "$stamp" ] || [ "$ROOT/package-lock.json" -nt "$stamp" ]; then
    say "installing the npm tools from package-lock.json"
    (cd "$ROOT" && npm ci --no-audit --no-fund)
  fi
}

# The edge Worker's own lock file links the built package (pkg/) by name.
ensure_edge_deps() {
  local stamp="$ROOT/edge/node_modules/.package-lock.json"
  if [ ! -f "$stamp" ] || [ "$ROOT/edge/package-lock.json" -nt "$stamp" ] || [ ! -e "$ROOT/edge/node_modules/tcb-funcconfig" ]; then
    say "installing the edge Worker's dependencies"
    (cd "$ROOT/edge" && npm ci --no-audit --no-fund)
  fi
}

ensure_chromium() {
  # A CJK font too, so that the admin page's Chinese screenshots are readable.
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] || ! dpkg -s fonts-wqy-microhei >/dev/null 2>&1; then
    say "installing Debian's chromium, chromium-driver and a CJK font"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-wqy-microhei >/dev/null
  fi
}

# Starts the simulator in the background; sets SIM_URL and SIM_PID.
# wrk, the load generator of make bench and make load (Debian's package).
ensure_wrk() {
  if ! command -v wrk >/dev/null 2>&1; then
    say "installing wrk"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
  fi
}

# twiggy, the wasm size profiler of make bench (crates.io).
ensure_twiggy() {
  if ! command -v twiggy >/dev/null 2>&1; then
    say "installing twiggy (about 2 minutes, once)"
    cargo install twiggy
  fi
}

start_sim() {
  local portfile
  portfile=$(mktemp)
  rm -f "$portfile"
  "$ROOT/target/release/tcb-sim" --port 0 --port-file "$portfile" ${SIM_ARGS:-} >"$BUILD/sim.log" 2>&1 &
  SIM_PID=$!
  for _ in $(seq 1 100); do
    [ -s "$portfile" ] && break
    sleep 0.05
  done
  [ -s "$portfile" ] || { cat "$BUILD/sim.log" >&2; echo "the simulator did not start" >&2; exit 1; }
  SIM_URL="http://127.0.0.1:$(cat "$portfile")"
  rm -f "$portfile"
  export SIM_URL
}

build_sim() {
  say "building the WeChat API simulator"
  cargo build --release -q -p tcb-sim
}
