// Cloudflare Workers / workerd: compiling wasm from bytes is refused there, so the module is
// imported as a compiled WebAssembly.Module and instantiated synchronously at load.
import wasmModule from "./tcb_funcconfig_bg.wasm";
import { initSync } from "./tcb_funcconfig.js";

initSync({ module: wasmModule });

export * from "./index.js";
