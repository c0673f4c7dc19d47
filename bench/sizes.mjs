// Sizes: the package's files (raw, gzip -9, brotli at quality 11), the packed tarball, and the
// bundles wrangler builds for the two benchmark Workers (`wrangler deploy --dry-run --outdir`).
// The bundles are kept in BENCH_OUT/bundles for bench/workerd.mjs.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliCompressSync, constants } from "node:zlib";

import { ROOT, bundleWorker, bytes, fix, save, table } from "./lib.mjs";

const gzip = (file) => execFileSync("gzip", ["-9", "-c", file], { maxBuffer: 1 << 30 }).length;
const brotli = (file) => brotliCompressSync(readFileSync(file), {
  params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY, [constants.BROTLI_PARAM_LGWIN]: constants.BROTLI_MAX_WINDOW_BITS },
}).length;
const measure = (file) => ({ raw: readFileSync(file).length, gzip: gzip(file), brotli: brotli(file) });

const files = {
  wasm: measure(join(ROOT, "pkg/tcb_funcconfig_bg.wasm")),
  glue: measure(join(ROOT, "pkg/tcb_funcconfig.js")),
  baseline: measure(join(ROOT, "bench/baseline.mjs")),
};

// The tarball npm would publish: `npm pack --dry-run --json` gives its size without writing it.
const [pack] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--silent"], { cwd: join(ROOT, "pkg"), encoding: "utf8" }));
const tarball = { size: pack.size, unpackedSize: pack.unpackedSize, entryCount: pack.entryCount };

const out = process.env.BENCH_OUT;
const scratch = out ? null : mkdtempSync(join(tmpdir(), "tcb-bench-sizes-"));
const bundles = {};
for (const name of ["wasm", "js"]) {
  const b = bundleWorker(name, join(out ?? scratch, "bundles", name));
  const modules = b.modules.map((m) => ({ ...m, gzip: gzip(join(b.outdir, m.name)) }));
  bundles[name] = {
    modules, reported: b.reported,
    raw: modules.reduce((a, m) => a + m.bytes, 0), gzip: modules.reduce((a, m) => a + m.gzip, 0),
  };
  if (out) save(`bundles/${name}`, { modules: b.modules });
}
if (scratch) rmSync(scratch, { recursive: true, force: true });

console.log("sizes in bytes");
console.log(table([
  ["file", "raw", "gzip -9", "brotli 11"],
  ["pkg/tcb_funcconfig_bg.wasm", bytes(files.wasm.raw), bytes(files.wasm.gzip), bytes(files.wasm.brotli)],
  ["pkg/tcb_funcconfig.js (glue)", bytes(files.glue.raw), bytes(files.glue.gzip), bytes(files.glue.brotli)],
  ["bench/baseline.mjs (JS baseline)", bytes(files.baseline.raw), bytes(files.baseline.gzip), bytes(files.baseline.brotli)],
  [`npm tarball (${tarball.entryCount} files, ${bytes(tarball.unpackedSize)} unpacked)`, bytes(tarball.size), "", ""],
]));
console.log(table([
  ["Worker bundle (wrangler --dry-run)", "wasm Worker", "JS Worker", "wasm/JS"],
  ["modules", bundles.wasm.modules.map((m) => m.type).join(" + "), bundles.js.modules.map((m) => m.type).join(" + "), ""],
  ["raw", bytes(bundles.wasm.raw), bytes(bundles.js.raw), fix(bundles.wasm.raw / bundles.js.raw, 1)],
  ["gzip -9 (per file, summed)", bytes(bundles.wasm.gzip), bytes(bundles.js.gzip), fix(bundles.wasm.gzip / bundles.js.gzip, 1)],
  ["wrangler's own figure", bundles.wasm.reported.replace("Total Upload: ", ""), bundles.js.reported.replace("Total Upload: ", ""), ""],
]));
save("sizes", { files, tarball, bundles });
