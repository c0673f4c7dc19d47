#!/usr/bin/env bash
# Builds pkg/: the npm package, from one wasm-bindgen `web` build optimized with wasm-opt.
source "$(dirname "$0")/lib.sh"
ensure_wasm_target
ensure_wasm_bindgen
ensure_npm_tools

say "compiling the crate to wasm32"
cargo build --release -q --target wasm32-unknown-unknown -p tcb-funcconfig

say "generating the JS glue (wasm-bindgen --target web)"
rm -rf "$BUILD/bindgen"
wasm-bindgen --target web --no-typescript --out-dir "$BUILD/bindgen" \
  "$ROOT/target/wasm32-unknown-unknown/release/tcb_funcconfig.wasm"

# --low-memory-unused lets load and store offsets absorb small constants (about 1.5 KB gzipped):
# the first KB of memory is the far end of Rust's 1 MiB stack (placed first, growing down), which
# a call reaches only on the verge of a stack overflow.
# A function with one caller is inlined only when small (20 bytes, instead of any size): the
# module is about 2% larger raw but 5% smaller gzipped, as the functions' shared shapes stay
# apart and repeat. The producers and target_features sections only describe the build; no
# runtime reads them.
say "optimizing with wasm-opt -Oz --converge --low-memory-unused (binaryen 132)"
wasm-opt -Oz --converge --low-memory-unused --one-caller-inline-max-function-size 20 \
  --strip-producers --strip-target-features \
  "$BUILD/bindgen/tcb_funcconfig_bg.wasm" -o "$BUILD/bindgen/opt.wasm"

say "assembling pkg/"
rm -rf "$ROOT/pkg"
mkdir -p "$ROOT/pkg"
cp -R "$ROOT/pkg-template/." "$ROOT/pkg/"
cp "$BUILD/bindgen/tcb_funcconfig.js" "$ROOT/pkg/"
cp "$BUILD/bindgen/opt.wasm" "$ROOT/pkg/tcb_funcconfig_bg.wasm"
version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$ROOT/Cargo.toml" | head -1)
node -e '
  const fs = require("fs"); const p = process.argv[1];
  const pkg = JSON.parse(fs.readFileSync(p, "utf8")); pkg.version = process.argv[2];
  fs.writeFileSync(p, JSON.stringify(pkg, null, 2) + "\n");' "$ROOT/pkg/package.json" "$version"

raw=$(stat -c %s "$ROOT/pkg/tcb_funcconfig_bg.wasm")
gz=$(gzip -9 -c "$ROOT/pkg/tcb_funcconfig_bg.wasm" | wc -c)
say "pkg/ ready: tcb_funcconfig_bg.wasm $raw bytes raw, $gz gzipped"

# The admin page (www/, no build step) loads the package's browser build from www/pkg/.
rm -rf "$ROOT/www/pkg"
mkdir -p "$ROOT/www/pkg"
cp "$ROOT/pkg/browser.js" "$ROOT/pkg/index.js" "$ROOT/pkg/tcb_funcconfig.js" "$ROOT/pkg/tcb_funcconfig_bg.wasm" "$ROOT/www/pkg/"
