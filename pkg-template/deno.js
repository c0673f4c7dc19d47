// Deno: the module is read from the package folder and instantiated synchronously at load.
import { initSync } from "./tcb_funcconfig.js";

initSync({ module: Deno.readFileSync(new URL("./tcb_funcconfig_bg.wasm", import.meta.url)) });

export * from "./index.js";
