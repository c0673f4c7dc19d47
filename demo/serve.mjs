// Starts the admin Worker (edge/) in workerd against the simulator as a third-party platform,
// walks through the platform (demo/platform.mjs), prints the page's URL and the demo keys,
// makes one /api/config call for one mini program, and keeps serving until Ctrl-C (or exits at
// once with DEMO_EXIT=1).
import { startWorker } from "../tests/edge/harness.mjs";
import { PLATFORM, showPlatform } from "./platform.mjs";

const SIM = process.env.SIM_URL;
const KEYS = { viewer: "demo-viewer-key", admin: "demo-admin-key" };

const worker = await startWorker({
  simUrl: SIM,
  vars: { DEV_CONNECT_SRC: new URL(SIM).origin, COMPONENT_APPID: PLATFORM.COMPONENT_APPID },
  secrets: {
    VIEWER_KEY: KEYS.viewer,
    ADMIN_KEY: KEYS.admin,
    WECHAT_ACCESS_TOKEN: undefined,
    COMPONENT_APPSECRET: PLATFORM.COMPONENT_APPSECRET,
    COMPONENT_TOKEN: PLATFORM.COMPONENT_TOKEN,
    COMPONENT_AES_KEY: PLATFORM.COMPONENT_AES_KEY,
  },
});
const stop = () => {
  worker.stop();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);

await showPlatform({ worker: worker.url, sim: SIM, adminKey: KEYS.admin });

const path = "/api/config?appid=wx-sim-authorizer&env=test-777bb9&function=orderSync&type=3";
const res = await fetch(worker.url + path, { headers: { Authorization: `Bearer ${KEYS.viewer}` } });
console.log(`\nThe admin Worker is serving the page at ${worker.url}/`);
console.log(`  viewer key: ${KEYS.viewer}   (masked values)`);
console.log(`  admin key:  ${KEYS.admin}    (reveal values, edit configs)`);
console.log(`  direct mode: base URL ${SIM}, token sim-access-token`);
console.log(`\nGET ${path} with the viewer key -> HTTP ${res.status}`);
console.log(JSON.stringify(await res.json(), null, 2));

if (process.env.DEMO_EXIT === "1") stop();
else console.log("\nServing until Ctrl-C.");
