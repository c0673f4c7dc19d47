// The main job, end to end: read the three configurations of one cloud function through the
// package, against the simulator (or any base URL given in TCB_BASE_URL), edit one variable
// safely, then show errors. Writes happen only with TCB_DEMO_WRITE=1 (make demo sets it for the
// simulator); otherwise the edit is a dry run.
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

if (all.environment) {
  const write = process.env.TCB_DEMO_WRITE === "1";
  const edit = { set: { FEATURE_FLAG: `on-${Date.now()}` } };
  console.log(`\nupdateEnvironment("${env}", "${functionName}", set FEATURE_FLAG)${write ? "" : " as a dry run"}:`);
  // Based on the config read above: if someone changed it since, nothing is written.
  const done = await client.updateEnvironment(env, functionName, edit, { expectedRaw: all.environment.raw, dryRun: !write });
  console.log(`  written=${done.written}; other variables kept: ${done.config.environment.map((v) => v.key).join(", ")}`);
  for (const c of done.changes) console.log(`  ${c.op} ${c.field} ${c.key}: ${c.before ?? ""} -> ${c.after ?? ""}`);
  if (write) {
    console.log("the same edit again, still based on the old config:");
    try {
      await client.updateEnvironment(env, functionName, edit, { expectedRaw: all.environment.raw });
    } catch (e) {
      if (!isTcbError(e)) throw e;
      console.log(`  ${e.name} code=${e.code}: ${e.message}`);
      console.log(`  hint: ${e.hint}`);
      for (const c of e.changes) console.log(`  since then: ${c.op} ${c.field} ${c.key}`);
    }
  }
}
