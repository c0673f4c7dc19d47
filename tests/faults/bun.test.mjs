// The fault matrix in Bun: server/server.mjs under `bun` with the package's node entry (the
// one Bun's export conditions pick).
import { join } from "node:path";
import { ROOT, defineMatrix } from "./driver.mjs";
import { processRuntime } from "./process.mjs";

defineMatrix(processRuntime({ name: "bun", label: "Bun", command: join(ROOT, "node_modules/.bin/bun") }));
