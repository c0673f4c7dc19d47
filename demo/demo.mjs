// The main job, end to end: read the three configurations of one cloud function through the
// package, against the simulator (or any base URL given in TCB_BASE_URL), then show one error.
import { TcbClient, getFuncConfig, isTcbError } from "../pkg/node.js";

const baseUrl = process.env.TCB_BASE_URL;
const accessToken = process.env.TCB_ACCESS_TOKEN ?? "sim-access-token";
const env = process.env.TCB_ENV ?? "test-777bb9";
const functionName = process.env.TCB_FUNCTION ?? "orderSync";

const client = new TcbClient({ accessToken, baseUrl });
console.log(`getAllConfigs("${env}", "${functionName}") via ${baseUrl}\n`);
const all = await client.getAllConfigs(env, functionName);

const show = (title, value) => console.log(`${title}\n${JSON.stringify(value, null, 2)}\n`);
show("type 1, cloud-call permissions (cloudCall):", all.cloudCall);
show("type 2, timer triggers (timerTrigger):", all.timerTrigger);
if (all.environment) {
  // Environment values are often secrets: the demo shows their length, not their text.
  const masked = { ...all.environment, environment: all.environment.environment.map(({ key, value }) => ({ key, value: `•••••• (${value.length} chars)` })), raw: "(hidden: holds the values)" };
  show("type 3, timeout and environment variables (environment):", masked);
}

console.log("and one error, with the wrong kind of token:");
try {
  await getFuncConfig({ accessToken: "a-mini-program-own-token", env, functionName, type: 1, baseUrl });
} catch (e) {
  if (!isTcbError(e)) throw e;
  console.log(`  ${e.name} code=${e.code} errcode=${e.errcode} retryable=${e.retryable}`);
  console.log(`  errmsg: ${e.errmsg}`);
  console.log(`  hint:   ${e.hint}`);
}
