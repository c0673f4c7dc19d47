// Node: the module is read from the package folder and instantiated synchronously at load.
import { readFileSync } from "node:fs";
import { initSync } from "./tcb_funcconfig.js";

initSync({ module: readFileSync(new URL("./tcb_funcconfig_bg.wasm", import.meta.url)) });

export * from "./index.js";
