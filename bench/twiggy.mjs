// Where the .wasm's bytes go: twiggy on the module as make build optimizes it, but with its
// function names kept (wasm-opt -g), so each item is named. Gives the top 20 items and the
// split by crate (each item counted once, under the first crate its name mentions). The names
// section itself is left out of the totals: pkg/ ships without it.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

import { ROOT, bytes, fix, save, table } from "./lib.mjs";

const input = join(ROOT, "build/bindgen/tcb_funcconfig_bg.wasm");
if (!existsSync(input)) {
  console.log("no build/bindgen/tcb_funcconfig_bg.wasm (run without BENCH_SKIP_BUILD): no twiggy profile");
  process.exit(0);
}
const named = join(process.env.BENCH_OUT, "named.wasm");
execFileSync(join(ROOT, "node_modules/.bin/wasm-opt"), ["-Oz", "--converge", "--low-memory-unused", "-g", input, "-o", named]);
const items = JSON.parse(execFileSync("twiggy", ["top", "-n", "1000000", "--format", "json", named], { encoding: "utf8", maxBuffer: 1 << 28 }))
  .filter((i) => !/^custom section|names" subsection$/.test(i.name));
const total = items.reduce((a, i) => a + i.shallow_size, 0);

/** The crate an item belongs to: the first `crate::` its name mentions, else its kind. */
function crateOf(name) {
  if (/^data(\[| segment)/.test(name)) return "(data segments)";
  if (/^import /.test(name)) return "(imports)";
  // Paths may carry the crate's disambiguator: `core[c5930c85a12de822]::fmt::...`.
  const m = /([A-Za-z_][A-Za-z0-9_]*)(?:\[[0-9a-f]+\])?::/.exec(name);
  if (m) return m[1] === "tcb_funcconfig" ? "tcb_funcconfig (this crate)" : m[1];
  if (/ shim\b|^__wbg|^__wbindgen|^__externref/.test(name)) return "(wasm-bindgen shims and glue)";
  return "(other: tables, types, unnamed)";
}
const byCrate = new Map();
for (const i of items) byCrate.set(crateOf(i.name), (byCrate.get(crateOf(i.name)) ?? 0) + i.shallow_size);
const crates = [...byCrate].sort((a, b) => b[1] - a[1]).map(([crate, size]) => ({ crate, size, percent: (100 * size) / total }));
const top = items.slice(0, 20).map((i) => ({ name: i.name, size: i.shallow_size, percent: (100 * i.shallow_size) / total }));

console.log(`twiggy: ${bytes(total)} bytes of code and data (names section excluded)`);
console.log(table([["crate", "bytes", "%"], ...crates.map((c) => [c.crate, bytes(c.size), fix(c.percent, 1)])]));
save("twiggy", { total, top, crates });
