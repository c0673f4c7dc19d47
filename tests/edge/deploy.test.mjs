// `wrangler deploy --dry-run` builds the Worker's upload bundle without any account.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, WRANGLER } from "./harness.mjs";

test("wrangler deploy --dry-run bundles the Worker with the package's workerd build", (t) => {
  const outdir = mkdtempSync(join(tmpdir(), "tcb-edge-dry-"));
  t.after(() => rmSync(outdir, { recursive: true, force: true }));
  const run = spawnSync(WRANGLER, ["deploy", "--dry-run", "--outdir", outdir], {
    cwd: join(ROOT, "edge"),
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
    encoding: "utf8",
    timeout: 120000,
  });
  const output = `${run.stdout}${run.stderr}`;
  assert.equal(run.status, 0, output);

  const size = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(output);
  assert.ok(size, `no upload size in:\n${output}`);
  t.diagnostic(`edge Worker upload: ${size[1]} KiB, gzip ${size[2]} KiB`);
  assert.ok(Number(size[2]) < 1024, "well within the 1 MiB (gzip) limit of a free Worker");

  // The package was resolved through its `workerd` condition: the .wasm is an uploaded module
  // imported by the bundle, not bytes compiled at run time.
  const files = readdirSync(outdir);
  const wasm = files.find((f) => f.endsWith(".wasm"));
  assert.ok(wasm, `no .wasm module in ${files.join(", ")}`);
  const bundle = readFileSync(join(outdir, "index.js"), "utf8");
  assert.ok(bundle.includes(`from "./${wasm}"`), "the bundle imports the .wasm module");
  assert.ok(!bundle.includes("node:fs"), "not the Node build");
  assert.match(output, /Read \d+ files? from the assets directory .*www/, "www/ is uploaded as the static assets");
});
