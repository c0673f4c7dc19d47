// The fault matrix in Deno: server/server.mjs under `deno run` with the package's deno entry.
// Permissions: loopback only for the network, reads for the package's .wasm, env for SIM_URL.
import { join } from "node:path";
import { ROOT, defineMatrix } from "./driver.mjs";
import { processRuntime } from "./process.mjs";

defineMatrix(processRuntime({
  name: "deno",
  label: "Deno",
  command: join(ROOT, "node_modules/.bin/deno"),
  args: ["run", "--no-lock", "--no-check", "--no-prompt", "--allow-net=127.0.0.1", `--allow-read=${join(ROOT, "pkg")}`, "--allow-env"],
}));
