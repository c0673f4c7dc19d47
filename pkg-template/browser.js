// Browsers and bundlers: the module is fetched next to this file and compiled streaming.
import init from "./tcb_funcconfig.js";

await init({ module_or_path: new URL("./tcb_funcconfig_bg.wasm", import.meta.url) });

export * from "./index.js";
