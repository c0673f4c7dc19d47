// The packed package, installed into a scratch folder and imported by name in Node.
import { test } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import * as pkg from "tcb-funcconfig";
import { getFuncConfig, TcbClient, isTcbError } from "tcb-funcconfig";
import { ENV, EXPORTS, SIM, TOKEN, assertNoSecret, base, control, makeRejection, sent } from "./helpers.mjs";

/** The rejection of `promise`: a TcbError that never shows the token. */
const rejection = makeRejection({ file: "package.test.mjs", secrets: [TOKEN] });

test("the package exports exactly its API", () => {
  assert.deepEqual(Object.keys(pkg).sort(), EXPORTS);
});

test("the three typed configs", async () => {
  const c1 = await getFuncConfig({ ...base, functionName: "openapi", type: 1 });
  assert.equal(c1.kind, "cloudCall");
  assert.equal(c1.type, 1);
  assert.equal(c1.functionName, "openapi");
  assert.equal(c1.openapi.length, 8);
  assert.equal(JSON.parse(c1.raw).permissions.openapi.length, 8);

  const c2 = await getFuncConfig({ ...base, functionName: "reportDaily", type: "timerTrigger" });
  const { schedule, ...trigger } = c2.triggers[0];
  assert.deepEqual({ ...c2, triggers: [trigger] }, {
    kind: "timerTrigger", type: 2, env: ENV, functionName: "reportDaily",
    triggers: [{ name: "weekdayMorning", type: "timer", config: "0 15 10 * * MON-FRI *" }],
    raw: c2.raw,
  });
  assert.equal(schedule.nextRuns.length, 5);

  const c3 = await getFuncConfig({ ...base, functionName: "orderSync", type: 3 });
  assert.equal(c3.timeout, 20);
  assert.deepEqual(c3.environment.map((v) => v.key), ["DB_HOST", "DB_PASSWORD", "REGION"]);
  for (const c of [c1, c2, c3]) {
    assert.deepEqual(JSON.parse(JSON.stringify(c)), c, "plain objects round-trip");
    assert.equal(Object.getPrototypeOf(c), Object.prototype);
  }
});

test("TcbClient.getAllConfigs fetches the three types, 85089 as null", async () => {
  const client = new TcbClient({ accessToken: TOKEN, baseUrl: SIM });
  const all = await client.getAllConfigs(ENV, "orderSync");
  assert.deepEqual(Object.keys(all), ["cloudCall", "timerTrigger", "environment"]);
  assert.equal(all.cloudCall.kind, "cloudCall");
  assert.equal(all.timerTrigger.triggers[0].name, "nightlySync");
  assert.equal(all.environment.timeout, 20);
  const hello = await client.getAllConfigs(ENV, "hello");
  assert.equal(hello.cloudCall, null);
  assert.equal(hello.timerTrigger, null);
  assert.equal(hello.environment.timeout, 3);
  assert.equal(JSON.stringify(client).includes(TOKEN), false);
  assert.equal(inspect(client).includes(TOKEN), false);
});

test("errors are TcbError objects with code, errcode and hint, and never show the token", async () => {
  const e = await rejection(getFuncConfig({ ...base, functionName: "hello", type: 1 }));
  assert.ok(e instanceof Error);
  assert.ok(isTcbError(e));
  assert.equal(e.name, "TcbError");
  assert.equal(e.code, "api");
  assert.equal(e.errcode, 85089);
  assert.equal(e.retryable, false);
  assertNoSecret(e, TOKEN);

  const wrong = "wrong-kind-token-1234";
  const e2 = await rejection(getFuncConfig({ ...base, accessToken: wrong, functionName: "openapi", type: 1 }));
  assert.equal(e2.errcode, 40014);
  assert.match(e2.hint, /authorizer_access_token/);
  assertNoSecret(e2, wrong);
  assert.equal(isTcbError(new Error("x")), false);
  assert.equal(isTcbError({ name: "TcbError", code: "api", hint: "" }), false);
});

test("bad input is refused before anything is sent", async () => {
  const before = await sent("nodeBad");
  for (const bad of [
    { accessToken: "" }, { accessToken: "a b" }, { env: "" }, { env: "x/y" }, { functionName: "9x" },
    { type: 4 }, { type: "Environment" }, { baseUrl: "localhost:1" }, { timeoutMs: 0 }, { signal: {} },
  ]) {
    const e = await rejection(getFuncConfig({ ...base, functionName: "nodeBad", type: 1, ...bad }));
    assert.equal(e.code, "invalid_argument", JSON.stringify(bad));
    assert.match(e.message, new RegExp(Object.keys(bad)[0]));
  }
  assert.throws(() => new TcbClient({}), (e) => isTcbError(e) && e.code === "invalid_argument");
  assert.equal(await sent("nodeBad"), before);
});

test("timeoutMs bounds the call, signal aborts it at once", async () => {
  await control("/__sim/faults", { function_name: "nodeSlow", times: 2, fault: { kind: "delay", ms: 3000 } });
  let t0 = Date.now();
  const e = await rejection(getFuncConfig({ ...base, functionName: "nodeSlow", type: 1, timeoutMs: 250 }));
  assert.equal(e.code, "timeout");
  assert.ok(Date.now() - t0 < 250 + 400, `took ${Date.now() - t0} ms`);

  const ac = new AbortController();
  t0 = Date.now();
  setTimeout(() => ac.abort("user gave up"), 100);
  const e2 = await rejection(getFuncConfig({ ...base, functionName: "nodeSlow", type: 1, signal: ac.signal }));
  assert.equal(e2.code, "aborted");
  assert.ok(Date.now() - t0 < 1000);
  await control("/__sim/faults", undefined).catch(() => {});
});

test("many concurrent calls all succeed", async () => {
  const client = new TcbClient({ accessToken: TOKEN, baseUrl: SIM });
  const results = await Promise.all(
    Array.from({ length: 64 }, (_, i) => client.getFuncConfig({ env: ENV, functionName: "orderSync", type: (i % 3) + 1 })),
  );
  assert.deepEqual(results.map((r) => r.type), Array.from({ length: 64 }, (_, i) => (i % 3) + 1));
});
