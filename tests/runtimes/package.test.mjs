// The packed package imported by name, one suite for every server-side runtime: Node
// (`node --test`), Deno (`deno test`, which runs node:test suites) and Bun (`bun test`, likewise).
// Each runtime must load the package through its own export condition, and then give the same
// answers against the simulator: typed results, errors with hints that never show the token,
// nothing sent on bad input, retries, timeouts, aborts, one token fetch for concurrent cold
// calls, edits with their conflict, the listing, and a write sent once however its connection
// fails. Every test starts from a freshly reset simulator.
import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";
import * as pkg from "tcb-funcconfig";
import { TcbClient, getFuncConfig, isTcbError, uploadFuncConfig } from "tcb-funcconfig";
import { ENV, EXPORTS, SIM, TOKEN, assertNoSecret, base, closedPort, control, count, countFetches, fault, makeRejection, sent, tokenSequence } from "../node/helpers.mjs";

const SEEDED_PASSWORD = "s3cr3t-pa55w0rd";
const NEW_VALUE = "runtimes-n3w-Value-42";

/** The runtime running this file, and the entry of the package its export conditions pick. */
const RUNTIME = globalThis.Deno ? "deno" : globalThis.Bun ? "bun" : "node";
const ENTRY = { deno: "deno.js", bun: "node.js", node: "node.js" }[RUNTIME];

/** The rejection of `promise`: a TcbError that shows neither the token nor the seeded secret. */
const rejection = makeRejection({ file: `runtimes/package.test.mjs (${RUNTIME})`, secrets: [TOKEN, SEEDED_PASSWORD, NEW_VALUE] });

const client = (options = {}) => new TcbClient({ accessToken: TOKEN, baseUrl: SIM, ...options });
const changesOf = (fn) => control(`/__sim/changes?env=${ENV}&function=${fn}`);
const uploadsSent = async (fn) => (await control(`/__sim/requests?function_name=${fn}&path=/tcb/uploadfuncconfig`)).length;

beforeEach(() => control("/__sim/reset", {}));

test(`${RUNTIME}: the package is loaded through its ${ENTRY} entry`, async () => {
  const resolved = import.meta.resolve("tcb-funcconfig");
  assert.ok(resolved.endsWith(`/node_modules/tcb-funcconfig/${ENTRY}`), `resolved to ${resolved}`);
  // The module imported above is that very entry, not another one of the package.
  const entry = await import(resolved);
  assert.equal(entry.TcbClient, pkg.TcbClient);
  assert.deepEqual(Object.keys(pkg).sort(), EXPORTS);
});

test("the three config types come back typed", async () => {
  const c1 = await getFuncConfig({ ...base, functionName: "openapi", type: 1 });
  assert.equal(c1.kind, "cloudCall");
  assert.equal(c1.type, 1);
  assert.equal(c1.functionName, "openapi");
  assert.equal(c1.openapi.length, 8);
  assert.equal(c1.openapi[0], "wxacode.get");

  const c2 = await getFuncConfig({ ...base, functionName: "reportDaily", type: "timerTrigger" });
  assert.equal(c2.kind, "timerTrigger");
  assert.equal(c2.type, 2);
  assert.deepEqual(c2.triggers.map(({ name, type, config }) => ({ name, type, config })), [
    { name: "weekdayMorning", type: "timer", config: "0 15 10 * * MON-FRI *" },
  ]);
  assert.equal(c2.triggers[0].schedule.nextRuns.length, 5);

  const c3 = await getFuncConfig({ ...base, functionName: "orderSync", type: "environment" });
  assert.equal(c3.kind, "environment");
  assert.equal(c3.timeout, 20);
  assert.deepEqual(c3.environment.map((v) => v.key), ["DB_HOST", "DB_PASSWORD", "REGION"]);
  for (const c of [c1, c2, c3]) {
    assert.equal(c.env, ENV);
    assert.equal(Object.getPrototypeOf(c), Object.prototype, "a plain object");
    assert.deepEqual(JSON.parse(JSON.stringify(c)), c, "survives JSON unchanged");
  }
});

test("getAllConfigs: the three types, null for a type not configured (85089)", async () => {
  const all = await client().getAllConfigs(ENV, "orderSync");
  assert.deepEqual(Object.keys(all), ["cloudCall", "timerTrigger", "environment"]);
  assert.equal(all.cloudCall.kind, "cloudCall");
  assert.equal(all.timerTrigger.triggers[0].name, "nightlySync");
  assert.equal(all.environment.timeout, 20);
  const hello = await client().getAllConfigs(ENV, "hello");
  assert.equal(hello.cloudCall, null);
  assert.equal(hello.timerTrigger, null);
  assert.equal(hello.environment.timeout, 3);

  const e = await rejection(getFuncConfig({ ...base, functionName: "hello", type: 1 }));
  assert.equal(e.code, "api");
  assert.equal(e.errcode, 85089);
  assert.equal(e.retryable, false);
  assert.match(e.hint, /not configured/);
});

test("bad input is refused, naming the field, and nothing is sent", async () => {
  for (const bad of [
    { accessToken: "" }, { accessToken: "a b" }, { env: "" }, { env: "x/y" }, { functionName: "9x" },
    { type: 4 }, { type: "Environment" }, { baseUrl: "localhost:1" }, { timeoutMs: 0 }, { signal: {} },
  ]) {
    const e = await rejection(getFuncConfig({ ...base, functionName: "runtimeBad", type: 1, ...bad }));
    assert.equal(e.code, "invalid_argument", JSON.stringify(bad));
    assert.ok(e.message.includes(Object.keys(bad)[0]), e.message);
    assert.ok(e.hint.length > 0);
  }
  const upload = await rejection(uploadFuncConfig({ ...base, functionName: "runtimeBad", type: 3, config: { timeout: 301 } }));
  assert.equal(upload.code, "invalid_argument");
  assert.throws(() => new TcbClient({}), (e) => isTcbError(e) && e.code === "invalid_argument");
  assert.equal(await sent("runtimeBad"), 0);
  assert.deepEqual(await control("/__sim/state").then((s) => s.counters), {}, "no request at all reached the simulator");
});

test("40014 (the wrong kind of token) has its hint and never shows the token", async () => {
  const wrong = "runtime-wrong-kind-token-1234";
  const e = await rejection(getFuncConfig({ ...base, accessToken: wrong, functionName: "openapi", type: 1 }));
  assert.ok(e instanceof Error);
  assert.equal(e.name, "TcbError");
  assert.equal(e.code, "api");
  assert.equal(e.errcode, 40014);
  assert.match(e.hint, /authorizer_access_token/);
  assert.ok(!e.message.includes(wrong), e.message);
  assertNoSecret(e, wrong);
});

test("a busy answer (-1) is retried, then answered", async () => {
  await control("/__sim/configs", { env: ENV, function_name: "runtimeBusy", type: 1, config: { permissions: { openapi: ["a.b"] } } });
  await fault({ function_name: "runtimeBusy", times: 1, fault: { kind: "errcode", errcode: -1 } });
  const c = await getFuncConfig({ ...base, functionName: "runtimeBusy", type: 1 });
  assert.deepEqual(c.openapi, ["a.b"]);
  assert.equal(await sent("runtimeBusy"), 2);
});

test("timeoutMs bounds the call", async () => {
  await fault({ function_name: "runtimeSlow", times: 1, fault: { kind: "delay", ms: 3000 } });
  const started = Date.now();
  const e = await rejection(getFuncConfig({ ...base, functionName: "runtimeSlow", type: 1, timeoutMs: 300 }));
  const took = Date.now() - started;
  assert.equal(e.code, "timeout");
  assert.equal(e.retryable, true);
  assert.ok(took >= 250 && took <= 800, `settled after ${took} ms`);
});

test("an abort rejects at once; an aborted signal sends nothing", async () => {
  await fault({ function_name: "runtimeAbort", times: 1, fault: { kind: "delay", ms: 3000 } });
  const controller = new AbortController();
  const started = Date.now();
  const pending = getFuncConfig({ ...base, functionName: "runtimeAbort", type: 1, signal: controller.signal });
  setTimeout(() => controller.abort(), 100);
  const e = await rejection(pending);
  const took = Date.now() - started;
  assert.equal(e.code, "aborted");
  assert.ok(took >= 90 && took < 1000, `rejected after ${took} ms`);

  const before = await sent("runtimeAbort");
  const e2 = await rejection(getFuncConfig({ ...base, functionName: "runtimeAbort", type: 1, signal: AbortSignal.abort() }));
  assert.equal(e2.code, "aborted");
  assert.equal(await sent("runtimeAbort"), before);
});

test("concurrent calls on a cold client: exactly one token fetch", async () => {
  const src = tokenSequence({ accessToken: TOKEN, expiresIn: 7200 });
  const c = new TcbClient({ getAccessToken: src.fn, baseUrl: SIM });
  const results = await Promise.all(
    Array.from({ length: 24 }, (_, i) => c.getFuncConfig({ env: ENV, functionName: "orderSync", type: (i % 3) + 1 })),
  );
  assert.deepEqual(results.map((r) => r.type), Array.from({ length: 24 }, (_, i) => (i % 3) + 1));
  assert.deepEqual(src.forces(), [false], "one token fetch, not forced");
  assert.equal(await count("/tcb/getfuncconfig"), 24);
});

test("an edit: a dry run writes nothing; a real one writes once; a stale base is a conflict", async () => {
  const c = client();
  const dry = await c.updateEnvironment(ENV, "orderSync", { set: { REGION: NEW_VALUE } }, { dryRun: true });
  assert.equal(dry.written, false);
  assert.deepEqual(dry.changes.map(({ op, key, masked }) => ({ op, key, masked })), [{ op: "changed", key: "REGION", masked: true }]);
  assert.deepEqual(dry.config.environment.at(-1), { key: "REGION", value: NEW_VALUE });
  assert.equal((await changesOf("orderSync")).uploads, 0, "the dry run wrote nothing");

  const before = await getFuncConfig({ ...base, functionName: "orderSync", type: 3 });
  const done = await c.updateEnvironment(ENV, "orderSync", { set: { REGION: "eu-frankfurt" } }, { expectedRaw: before.raw });
  assert.equal(done.written, true);
  assert.equal((await changesOf("orderSync")).uploads, 1);
  const after = await getFuncConfig({ ...base, functionName: "orderSync", type: 3 });
  assert.deepEqual(after.environment.map((v) => [v.key, v.key === "REGION" ? v.value : "kept"]), [
    ["DB_HOST", "kept"], ["DB_PASSWORD", "kept"], ["REGION", "eu-frankfurt"],
  ]);
  assert.equal(after.environment[1].value, SEEDED_PASSWORD, "the other variables are kept");

  // Based on the config read before the write: it changed since, so nothing is written.
  const e = await rejection(c.updateEnvironment(ENV, "orderSync", { set: { REGION: NEW_VALUE } }, { expectedRaw: before.raw }));
  assert.equal(e.code, "conflict");
  assert.equal(e.retryable, false);
  assert.deepEqual(e.changes.map(({ op, key }) => [op, key]), [["changed", "REGION"]]);
  assert.equal((await changesOf("orderSync")).uploads, 1, "nothing more was written");
});

test("listAllFunctions pages through every function in order", async () => {
  await control("/__sim/functions", { env: ENV, count: 120, prefix: "fn" });
  const all = await client().listAllFunctions(ENV);
  assert.equal(all.total, 124);
  assert.equal(all.functions.length, 124);
  assert.deepEqual(all.functions.slice(0, 2).map((f) => f.name), ["fn000", "fn001"]);
  assert.deepEqual(all.functions.slice(120).map((f) => f.name), ["hello", "openapi", "orderSync", "reportDaily"]);
  assert.deepEqual(all.functions[120], { name: "hello", runtime: "Nodejs12.16", status: "Active", addTime: 1680307200, modTime: 1693526400 });
  assert.equal(await count("/tcb/listfunctions"), 2);
});

test("a write whose reused connection is reset before the answer is sent once: unknown_outcome", async () => {
  await control("/__sim/configs", { env: ENV, function_name: "runtimeReset", type: 3, config: { timeout: 5 } });
  const c = client({ retries: 2 });
  // Keep-alive connections to the simulator, open and idle, for the write to go out on.
  for (let i = 0; i < 3; i++) await c.getFuncConfig({ env: ENV, functionName: "runtimeReset", type: 3 });
  await fault({ path: "/tcb/uploadfuncconfig", function_name: "runtimeReset", times: 0, fault: { kind: "reset" } });
  const e = await rejection(c.uploadFuncConfig({ env: ENV, functionName: "runtimeReset", type: 3, config: { timeout: 9, environment: [{ key: "MODE", value: "reset" }] } }));
  assert.equal(e.code, "unknown_outcome");
  assert.equal(await uploadsSent("runtimeReset"), 1, "the write reached the server once");
  // The same client serves the next call.
  assert.equal((await c.getFuncConfig({ env: ENV, functionName: "runtimeReset", type: 3 })).timeout, 5);
});

test("a write whose connection was refused: retried where the runtime says nothing left (Node, Bun), else unknown_outcome", async () => {
  const target = `http://127.0.0.1:${await closedPort()}`;
  const fetches = countFetches(target);
  try {
    const c = new TcbClient({ accessToken: TOKEN, baseUrl: target, retries: 2 });
    const e = await rejection(c.uploadFuncConfig({ env: ENV, functionName: "hello", type: 1, config: { openapi: ["a.b"] } }));
    if (RUNTIME === "deno") {
      // Deno's rejection names no code: the package cannot tell that nothing left.
      assert.equal(e.code, "unknown_outcome");
      assert.equal(fetches.count, 1);
    } else {
      assert.equal(e.code, "network");
      assert.equal(fetches.count, 3, "the first attempt and 2 retries");
    }
  } finally {
    fetches.restore();
  }
});
