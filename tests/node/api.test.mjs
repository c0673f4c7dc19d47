// The package's JavaScript API, imported by name in Node and run against the simulator: a port
// of every test of tests/wasm.rs, so that the public API (getFuncConfig, TcbClient, isTcbError,
// the token sources, parseCron / nextRuns, the writes and the listing) is guarded at the JS level
// whatever the package is built from. Every test starts from a freshly reset simulator.
import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { TcbClient, authorizerToken, getFuncConfig, isTcbError, nextRuns, parseCron } from "tcb-funcconfig";
import { ENV, SIM, TOKEN, assertNoSecret, control, count, makeRejection, requestsOf, sent, tokenSequence } from "./helpers.mjs";

/** A fault for one function that answers once. */
const fault = (functionName, f, times = 1) => control("/__sim/faults", { function_name: functionName, times, fault: f });
/** Applied uploads of one function since the reset. */
const uploads = async (fn) => (await control(`/__sim/changes?env=${ENV}&function=${fn}`)).uploads;

/** A request without retries, so that a fault injected once is what the call sees. */
const request = (functionName, type, extra = {}) => ({
  accessToken: TOKEN, env: ENV, functionName, type, baseUrl: SIM, retries: 0, ...extra,
});

/** The rejection of `promise`: a TcbError that never shows the token. */
const rejection = makeRejection({ file: "api.test.mjs", secrets: [TOKEN] });

/** The rejection of `promise`, checked to be a complete TcbError of `code` that never shows the token. */
async function expectErr(promise, code) {
  const err = await rejection(promise);
  assert.ok(isTcbError(err), `not a TcbError: ${inspect(err)}`);
  assert.ok(err instanceof Error);
  assert.equal(err.name, "TcbError");
  assert.equal(err.code, code, `message: ${err.message}`);
  assert.equal(typeof err.hint, "string");
  assert.ok(err.hint.length > 0, "a hint");
  assert.equal(typeof err.retryable, "boolean");
  assertNoSecret(err, TOKEN);
  return err;
}

/** A plain object that survives JSON unchanged. */
function roundTrips(v) {
  const text = JSON.stringify(v);
  assert.equal(JSON.stringify(JSON.parse(text)), text);
  assert.deepEqual(JSON.parse(text), v);
  assert.equal(Object.getPrototypeOf(v), Object.prototype, "a plain object");
}

beforeEach(() => control("/__sim/reset", {}));

test("type 1 is the documented example", async () => {
  const c = await getFuncConfig(request("openapi", 1));
  assert.equal(c.kind, "cloudCall");
  assert.equal(c.type, 1);
  assert.equal(c.env, ENV);
  assert.equal(c.functionName, "openapi");
  assert.ok(c.openapi.every((n) => typeof n === "string"));
  assert.equal(c.openapi.length, 8);
  assert.equal(c.openapi[0], "wxacode.get");
  assert.equal(c.openapi[7], "templateMessage.getTemplateLibraryList");
  assert.equal(typeof c.raw, "string");
  assert.ok(c.raw.startsWith('{"permissions":{'), c.raw);
  roundTrips(c);
});

test("type 2 by name", async () => {
  const c = await getFuncConfig(request("orderSync", "timerTrigger"));
  assert.equal(c.kind, "timerTrigger");
  assert.equal(c.type, 2);
  assert.equal(c.triggers.length, 1);
  const t = c.triggers[0];
  assert.equal(t.name, "nightlySync");
  assert.equal(t.type, "timer");
  assert.equal(t.config, "0 0 2 * * * *");
  roundTrips(c);
});

test("type 3: environment", async () => {
  const c = await getFuncConfig(request("orderSync", 3));
  assert.equal(c.kind, "environment");
  assert.equal(c.timeout, 20);
  assert.equal(c.environment.length, 3);
  assert.equal(c.environment[1].key, "DB_PASSWORD");
  assert.equal(c.environment[1].value, "s3cr3t-pa55w0rd");
  roundTrips(c);
});

test("not configured is 85089", async () => {
  const e = await expectErr(getFuncConfig(request("hello", 1)), "api");
  assert.equal(e.errcode, 85089);
  assert.ok(e.hint.includes("not configured"), e.hint);
  assert.equal(e.retryable, false);
});

test("a wrong kind of token is 40014 with its hint", async () => {
  const token = "mini-program-own-token-XYZ";
  const e = await expectErr(getFuncConfig(request("openapi", 1, { accessToken: token })), "api");
  assert.equal(e.errcode, 40014);
  assert.ok(e.hint.includes("authorizer_access_token"), e.hint);
  assert.equal(typeof e.errmsg, "string");
  assert.ok(e.errmsg.includes("invalid access_token"), e.errmsg);
  assertNoSecret(e, token);
});

test("an expired token is 42001", async () => {
  const e = await expectErr(getFuncConfig(request("openapi", 1, { accessToken: "sim-expired-token" })), "api");
  assert.equal(e.errcode, 42001);
  assertNoSecret(e, "sim-expired-token");
});

test("every errcode of the spec is classified", async () => {
  // [errcode, retryable] for every row of the spec's table.
  const table = [
    [-1, true], [-1000, true], [40001, false], [40014, false], [40097, false], [40101, false],
    [41001, false], [42001, false], [43002, false], [44002, false], [47001, false], [45009, false],
    [45011, false], [48001, false], [61007, false], [61004, false], [85088, false], [85089, false],
    [99999, false],
  ];
  for (const [code, retryable] of table) {
    const name = `errcode${Math.abs(code)}`;
    await fault(name, { kind: "errcode", errcode: code, errmsg: `simulated ${code}` });
    const e = await expectErr(getFuncConfig(request(name, 1)), "api");
    assert.equal(e.errcode, code);
    assert.equal(e.errmsg, `simulated ${code}`);
    assert.equal(e.retryable, retryable, `errcode ${code}`);
    assert.equal(await sent(name), 1, `errcode ${code}: one request without retries`);
  }
});

test("an errcode as a string and a missing errmsg are tolerated", async () => {
  await fault("errStr", { kind: "errcode", errcode: 45011, errcodeAsString: true, omitErrmsg: true });
  const e = await expectErr(getFuncConfig(request("errStr", 1)), "api");
  assert.equal(e.errcode, 45011);
  assert.equal(e.errmsg, undefined);
  assert.ok(e.hint.includes("next minute"), e.hint);
});

test("bad input is refused and nothing is sent", async () => {
  const cases = [
    ["accessToken", undefined], ["accessToken", ""], ["accessToken", "tok en"], ["accessToken", "token\n"],
    ["accessToken", "a".repeat(513)], ["accessToken", 5],
    ["env", ""], ["env", "bad env"], ["env", "e".repeat(65)], ["env", null],
    ["functionName", ""], ["functionName", "1abc"], ["functionName", "f".repeat(61)], ["functionName", "a.b"],
    ["type", 0], ["type", 4], ["type", 1.5], ["type", "1"], ["type", "config"], ["type", undefined],
    ["baseUrl", "api.weixin.qq.com"], ["baseUrl", "ftp://x"], ["baseUrl", "https://x.com?a=1"],
    ["timeoutMs", 0], ["timeoutMs", 1.5], ["timeoutMs", 300001], ["timeoutMs", "1000"],
    ["signal", "abort"],
  ];
  for (const [field, value] of cases) {
    const e = await expectErr(getFuncConfig(request("badInput", 1, { [field]: value })), "invalid_argument");
    assert.ok(e.message.includes(field), `${field}=${JSON.stringify(value)}: ${e.message}`);
    if (field === "type") {
      for (const name of ["cloudCall", "timerTrigger", "environment"]) assert.ok(e.message.includes(name), e.message);
    }
  }
  for (const notAnObject of [undefined, null, "x", 1]) {
    await expectErr(getFuncConfig(notAnObject), "invalid_argument");
  }
  assert.equal(await sent("badInput"), 0, "nothing reached the server");
  assert.equal(await count("/tcb/getfuncconfig"), 0, "no request at all");
});

test("the token is percent-encoded in the query", async () => {
  const token = "a+b/c=d&e%f";
  await control("/__sim/tokens", { valid: [token] });
  await getFuncConfig(request("openapi", 1, { accessToken: token }));
  const list = await requestsOf("openapi");
  assert.equal(list.length, 1);
  const last = list[list.length - 1];
  assert.ok(last.query.includes("access_token=a%2Bb%2Fc%3Dd%26e%25f"), last.query);
  assert.equal(last.accessToken, token);
  const body = JSON.parse(last.body);
  assert.equal(body.type, 1);
  assert.equal(body.env, ENV);
  assert.equal(body.function_name, "openapi");
  assert.equal(body.access_token, undefined, "the token is never a body field");
});

test("timeoutMs bounds the call", async () => {
  await fault("slowOne", { kind: "delay", ms: 3000 });
  const start = Date.now();
  const e = await expectErr(getFuncConfig(request("slowOne", 1, { timeoutMs: 300 })), "timeout");
  const took = Date.now() - start;
  assert.ok(took >= 250 && took <= 800, `settled after ${took} ms`);
  assert.equal(e.retryable, true);
});

test("a stalled body also times out", async () => {
  await fault("stallBody", { kind: "stall", ms: 3000 });
  const start = Date.now();
  await expectErr(getFuncConfig(request("stallBody", 1, { timeoutMs: 300 })), "timeout");
  const took = Date.now() - start;
  assert.ok(took >= 250 && took <= 800, `settled after ${took} ms`);
});

test("abort rejects at once, whatever the reason", async () => {
  for (const reason of [[], ["a string reason"], [undefined]]) {
    await fault("abortMe", { kind: "delay", ms: 3000 });
    const controller = new AbortController();
    const start = Date.now();
    const pending = getFuncConfig(request("abortMe", 1, { signal: controller.signal }));
    setTimeout(() => controller.abort(...reason), 100);
    await expectErr(pending, "aborted");
    const took = Date.now() - start;
    assert.ok(took >= 90 && took < 1000, `rejected after ${took} ms (reason ${JSON.stringify(reason)})`);
  }
});

test("an aborted signal sends nothing", async () => {
  const controller = new AbortController();
  controller.abort();
  await expectErr(getFuncConfig(request("preAborted", 1, { signal: controller.signal })), "aborted");
  assert.equal(await sent("preAborted"), 0);
});

test("HTTP errors carry the status", async () => {
  await fault("html502", { kind: "http", status: 502, body: "<html><body>Bad Gateway</body></html>", contentType: "text/html" });
  const e = await expectErr(getFuncConfig(request("html502", 1)), "http");
  assert.equal(e.httpStatus, 502);
  assert.equal(e.retryable, true);
  await fault("html404", { kind: "http", status: 404, body: "nope", contentType: "text/plain" });
  const e2 = await expectErr(getFuncConfig(request("html404", 1)), "http");
  assert.equal(e2.httpStatus, 404);
  assert.equal(e2.retryable, false);
});

test("a body that is not JSON is a decode error", async () => {
  await fault("notJson", { kind: "body", body: "<html>oops</html>" });
  const e = await expectErr(getFuncConfig(request("notJson", 1)), "decode");
  assert.equal(e.raw, "<html>oops</html>");
  await fault("emptyBody", { kind: "empty" });
  await expectErr(getFuncConfig(request("emptyBody", 1)), "decode");
  await fault("noErrcode", { kind: "body", body: '{"errmsg":"ok"}' });
  await expectErr(getFuncConfig(request("noErrcode", 1)), "decode");
});

test("a config that is not JSON is a decode error with raw", async () => {
  await fault("badConfig", { kind: "config", config: "{permissions: nope" });
  const e = await expectErr(getFuncConfig(request("badConfig", 1)), "decode");
  assert.equal(e.raw, "{permissions: nope");
  await fault("wrongShape", { kind: "config", config: '{"timeout":"5"}' });
  const e2 = await expectErr(getFuncConfig(request("wrongShape", 3)), "decode");
  assert.equal(e2.raw, '{"timeout":"5"}');
  for (const configJson of [null, 42, { a: 1 }]) {
    await fault("oddConfig", { kind: "config", configJson });
    await expectErr(getFuncConfig(request("oddConfig", 1)), "decode");
  }
  assert.equal(await sent("oddConfig"), 3);
});

test("tolerant reading", async () => {
  await fault("tolerant", { kind: "config", config: '{"permissions":{"Openapi":["a.b"],"x":1},"y":[]}' });
  const c1 = await getFuncConfig(request("tolerant", 1));
  assert.deepEqual(c1.openapi, ["a.b"]);
  await fault("tolerant", { kind: "config", config: "{}" });
  const c3 = await getFuncConfig(request("tolerant", 3));
  assert.equal(c3.timeout, 3);
  assert.deepEqual(c3.environment, []);
  await fault("tolerant", { kind: "config", config: '{"triggers":[{"name":"t","config":"* * * * * * *"}]}' });
  const c2 = await getFuncConfig(request("tolerant", 2));
  assert.equal(c2.triggers[0].type, "timer");
  // A config encoded twice is unwrapped once; `raw` stays what was sent.
  const twice = JSON.stringify(JSON.stringify({ timeout: 9 }));
  assert.equal(twice, '"{\\"timeout\\":9}"');
  await fault("tolerant", { kind: "config", config: twice });
  const c = await getFuncConfig(request("tolerant", 3));
  assert.equal(c.timeout, 9);
  assert.equal(c.raw, twice);
});

test("connection refused is a network error and the client recovers", async () => {
  const refused = new TcbClient({ accessToken: TOKEN, baseUrl: "http://127.0.0.1:9" });
  const e = await expectErr(refused.getFuncConfig({ env: ENV, functionName: "openapi", type: 1 }), "network");
  assert.equal(e.retryable, true);
  // A dropped connection mid-call, then a normal call on the same client. Every attempt is reset.
  const client = new TcbClient({ accessToken: TOKEN, baseUrl: SIM });
  await fault("resetMe", { kind: "reset" }, 0);
  const r = await rejection(client.getFuncConfig({ env: ENV, functionName: "resetMe", type: 1 }));
  assert.ok(isTcbError(r), inspect(r));
  assert.ok(r.code === "network" || r.code === "decode", r.code);
  assertNoSecret(r, TOKEN);
  const c = await client.getFuncConfig({ env: ENV, functionName: "openapi", type: 1 });
  assert.equal(c.kind, "cloudCall");
});

test("TcbClient.getAllConfigs", async () => {
  const client = new TcbClient({ accessToken: TOKEN, baseUrl: SIM, timeoutMs: 5000 });
  const before = await sent("orderSync");
  const all = await client.getAllConfigs(ENV, "orderSync", undefined);
  assert.equal(all.cloudCall.kind, "cloudCall");
  assert.equal(all.timerTrigger.kind, "timerTrigger");
  assert.equal(all.environment.kind, "environment");
  roundTrips(all);
  const onlyOne = await client.getAllConfigs(ENV, "openapi", undefined);
  assert.equal(onlyOne.cloudCall.kind, "cloudCall");
  assert.equal(onlyOne.timerTrigger, null);
  assert.equal(onlyOne.environment, null);
  assert.equal((await sent("orderSync")) - before, 3, "one request per type");
  // Any error other than 85089 rejects the whole call.
  const bad = new TcbClient({ accessToken: "not-a-known-token", baseUrl: SIM });
  const e = await expectErr(bad.getAllConfigs(ENV, "orderSync", undefined), "api");
  assert.equal(e.errcode, 40014);
  assertNoSecret(e, "not-a-known-token");
  await expectErr(client.getAllConfigs("bad env", "orderSync", undefined), "invalid_argument");
  await expectErr(client.getAllConfigs(ENV, undefined, undefined), "invalid_argument");
});

test("client options are validated when constructed", () => {
  for (const options of [undefined, {}, { accessToken: "" }, { accessToken: "t", baseUrl: "nope" }, { accessToken: "t", timeoutMs: -1 }]) {
    assert.throws(() => new TcbClient(options), (e) => {
      assert.ok(isTcbError(e), `${JSON.stringify(options)}: ${inspect(e)}`);
      assert.equal(e.code, "invalid_argument");
      return true;
    }, JSON.stringify(options));
  }
  const client = new TcbClient({ accessToken: "secret-token-in-client" });
  const shown = JSON.stringify(client);
  assert.ok(!String(shown).includes("secret-token-in-client"), shown);
  assert.ok(!inspect(client, { depth: 10, showHidden: true }).includes("secret-token-in-client"));
});

test("isTcbError recognises only its own", () => {
  assert.equal(isTcbError(new Error("x")), false);
  assert.equal(isTcbError(null), false);
  assert.equal(isTcbError({ name: "TcbError", code: "api", hint: "h" }), false);
});

test("cron parses, explains and schedules", () => {
  const p = parseCron("0 15 10 * * MON-FRI *");
  assert.equal(p.fields.weekday, "MON-FRI");
  assert.ok(p.explanation.zh.includes("周一至周五"), p.explanation.zh);
  assert.throws(() => parseCron("0 0 24 * * * *"), (e) => {
    assert.ok(isTcbError(e), inspect(e));
    assert.ok(e.message.includes("hour: 24 is outside 0-23"), e.message);
    return true;
  });
  const from = new Date("2026-11-27T12:00:00+08:00");
  const runs = nextRuns("0 15 10 * * MON-FRI *", { from, count: 2 });
  assert.deepEqual(runs, ["2026-11-30T10:15:00+08:00", "2026-12-01T10:15:00+08:00"]);
  const none = nextRuns("0 0 0 1 1 * 1999", undefined);
  assert.ok(Array.isArray(none));
  assert.equal(none.length, 0);
  assert.throws(() => nextRuns("* * * * * * *", { count: 1001 }), (e) => {
    assert.ok(isTcbError(e), inspect(e));
    assert.equal(e.code, "invalid_argument");
    return true;
  });
});

test("timer triggers carry their schedule", async () => {
  const c = await getFuncConfig(request("reportDaily", 2));
  const t = c.triggers[0];
  assert.ok(t.schedule.explanation.en.includes("Monday to Friday"), t.schedule.explanation.en);
  const runs = t.schedule.nextRuns;
  assert.equal(runs.length, 5);
  assert.ok(runs.every((r) => typeof r === "string" && r.endsWith("T10:15:00+08:00")), runs.join(" "));
  assert.equal(t.scheduleError, undefined);
});

test("an expired token is refreshed once and the request retried", async () => {
  const src = tokenSequence("sim-expired-token", "sim-access-token");
  const client = new TcbClient({ getAccessToken: src.fn, baseUrl: SIM });
  const c = await client.getFuncConfig({ env: ENV, functionName: "openapi", type: 1 });
  assert.equal(c.kind, "cloudCall");
  assert.deepEqual(src.forces(), [false, true]);
  assert.equal(await count("/tcb/getfuncconfig"), 2);
  // A second rejection fails: one refresh per call, never a loop.
  const wrong = tokenSequence("wrong-kind-a", "wrong-kind-b");
  const client2 = new TcbClient({ getAccessToken: wrong.fn, baseUrl: SIM });
  const e = await expectErr(client2.getFuncConfig({ env: ENV, functionName: "openapi", type: 1 }), "api");
  assert.equal(e.errcode, 40014);
  assert.deepEqual(wrong.forces(), [false, true]);
  assert.equal(await count("/tcb/getfuncconfig"), 4, "two more requests, no third");
  assertNoSecret(e, "wrong-kind-a");
  assertNoSecret(e, "wrong-kind-b");
});

test("busy twice then ok; a daily quota is tried once", async () => {
  await fault("openapi", { kind: "errcode", errcode: -1 });
  await fault("openapi", { kind: "errcode", errcode: -1000 });
  const c = await getFuncConfig(request("openapi", 1, { retries: 2 }));
  assert.equal(c.kind, "cloudCall");
  assert.equal(await sent("openapi"), 3, "two busy answers, then the config");
  await fault("quotaOnce", { kind: "errcode", errcode: 45009 }, 0);
  const e = await expectErr(getFuncConfig(request("quotaOnce", 1, { retries: 5 })), "api");
  assert.equal(e.errcode, 45009);
  assert.equal(await sent("quotaOnce"), 1, "a daily quota is never retried");
});

test("abort during backoff, and timeout across retries", async () => {
  await fault("busyAlways", { kind: "errcode", errcode: -1 }, 0);
  const controller = new AbortController();
  let start = Date.now();
  const pending = getFuncConfig(request("busyAlways", 1, { retries: 10, timeoutMs: 60000, signal: controller.signal }));
  setTimeout(() => controller.abort(), 150);
  await expectErr(pending, "aborted");
  let took = Date.now() - start;
  assert.ok(took < 700, `aborted during a backoff after ${took} ms`);
  start = Date.now();
  await expectErr(getFuncConfig(request("busyAlways", 1, { retries: 10, timeoutMs: 400 })), "timeout");
  took = Date.now() - start;
  assert.ok(took >= 350 && took < 600, `settled after ${took} ms`);
});

test("getAllConfigs shares one token fetch", async () => {
  const src = tokenSequence("sim-access-token");
  const client = new TcbClient({ getAccessToken: src.fn, baseUrl: SIM });
  const all = await client.getAllConfigs(ENV, "orderSync", undefined);
  assert.deepEqual([all.cloudCall.kind, all.timerTrigger.kind, all.environment.kind], ["cloudCall", "timerTrigger", "environment"]);
  assert.deepEqual(src.forces(), [false]);
  const expiring = tokenSequence("sim-expired-token", "sim-access-token");
  const client2 = new TcbClient({ getAccessToken: expiring.fn, baseUrl: SIM });
  const again = await client2.getAllConfigs(ENV, "orderSync", undefined);
  assert.equal(again.environment.timeout, 20);
  assert.deepEqual(expiring.forces(), [false, true], "three rejections, one refresh");
});

test("the authorizer chain saves a rotated refresh token before use", async () => {
  const saved = [];
  let requestsAtSave = -1;
  const save = (t) => {
    saved.push(t);
    return (async () => {
      requestsAtSave = await count("/tcb/getfuncconfig");
    })();
  };
  // Plain (not async) functions for the ticket and the refresh token, as the Rust test had.
  const provider = authorizerToken({
    componentAppid: "wx-sim-component",
    componentAppsecret: "sim-component-secret",
    getComponentVerifyTicket: () => "sim-verify-ticket",
    authorizerAppid: "wx-sim-authorizer",
    getAuthorizerRefreshToken: () => "sim-refresh-token-0",
    saveAuthorizerRefreshToken: save,
    baseUrl: SIM,
  });
  assert.equal(typeof provider, "function");
  const client = new TcbClient({ getAccessToken: provider, baseUrl: SIM });
  const c = await client.getFuncConfig({ env: ENV, functionName: "orderSync", type: 3 });
  assert.equal(c.kind, "environment");
  assert.equal(saved.length, 1);
  assert.equal(typeof saved[0], "string");
  assert.notEqual(saved[0], "sim-refresh-token-0");
  assert.equal(requestsAtSave, 0, "saved before any getfuncconfig request");
  const state = await control("/__sim/state");
  assert.equal(state.authorizers[0].refresh_token, saved[0]);
  assert.ok(!JSON.stringify(client).includes("sim-component-secret") && !inspect(client).includes("sim-component-secret"));
});

test("a 50 MB answer is refused without reading it", async () => {
  await fault("hugeAnswer", { kind: "huge", bytes: 52428800 });
  const start = Date.now();
  const e = await expectErr(getFuncConfig(request("hugeAnswer", 1)), "decode");
  assert.ok(e.message.includes("4 MiB"), e.message);
  const took = Date.now() - start;
  assert.ok(took < 2000, `refused at the headers, not after reading 50 MB (${took} ms)`);
  const c = await getFuncConfig(request("openapi", 1));
  assert.equal(c.kind, "cloudCall");
});

/** A client without retries for the writes below. */
const client = () => new TcbClient({ accessToken: TOKEN, baseUrl: SIM, retries: 0, timeoutMs: 1000 });

test("an edit sends the complete config and reads it back", async () => {
  const c = client();
  const seen = await c.getFuncConfig({ env: ENV, functionName: "orderSync", type: 3 });
  const done = await c.updateEnvironment(ENV, "orderSync", { set: { NEW_KEY: "new-value" } }, { expectedRaw: seen.raw });
  assert.equal(done.written, true);
  assert.deepEqual(done.config.environment.map((v) => v.key), ["DB_HOST", "DB_PASSWORD", "REGION", "NEW_KEY"], "the other variables are kept");
  const change = done.changes[0];
  assert.deepEqual([change.op, change.after], ["added", "••••••"]);
  assert.equal(await uploads("orderSync"), 1);
  // The same expectedRaw is now stale: nothing is written.
  const err = await expectErr(c.updateEnvironment(ENV, "orderSync", { set: { OTHER: "x" } }, { expectedRaw: seen.raw }), "conflict");
  assertNoSecret(err, "s3cr3t-pa55w0rd");
  assertNoSecret(err, "new-value");
  assert.ok(typeof err.actual === "object" && err.actual !== null, "actual is the server's config");
  assert.ok(Array.isArray(err.changes));
  assert.equal(err.changes.length, 1);
  assert.equal(await uploads("orderSync"), 1);
});

test("a change between read and write is a conflict", async () => {
  await control("/__sim/hooks", {
    env: ENV, function: "hello", type: 1, after: "read", nth: 1,
    config: JSON.stringify({ permissions: { openapi: ["x.y"] } }),
  });
  const err = await expectErr(client().grantOpenapi(ENV, "hello", ["wxacode.get"], undefined), "conflict");
  assert.deepEqual(err.actual.openapi, ["x.y"]);
  assert.equal(await uploads("hello"), 0);
});

test("a write whose answer is late is an unknown outcome and not repeated", async () => {
  await control("/__sim/faults", { path: "/tcb/uploadfuncconfig", times: 1, fault: { kind: "delay", ms: 3000 } });
  const c = new TcbClient({ accessToken: TOKEN, baseUrl: SIM, timeoutMs: 1000 });
  const t0 = Date.now();
  const err = await expectErr(c.uploadFuncConfig({ env: ENV, functionName: "hello", type: 1, config: { openapi: [] } }), "unknown_outcome");
  const took = Date.now() - t0;
  assert.ok(took < 1200, `settled in ${took} ms`);
  assert.ok(err.hint.includes("read the config"), err.hint);
  // The simulator applies a delayed write before answering late.
  assert.equal(await uploads("hello"), 1, "exactly one write reached the server");
  assert.equal((await control("/__sim/requests?path=/tcb/uploadfuncconfig")).length, 1, "the write was sent once");
});

test("functions are listed page by page", async () => {
  const page = await client().listFunctions({ env: ENV, limit: 2, offset: 1 });
  assert.equal(page.total, 4);
  assert.deepEqual(page.functions.map((f) => f.name), ["openapi", "orderSync"]);
  const all = await client().listAllFunctions(ENV, undefined);
  assert.equal(all.functions.length, 4);
  await expectErr(client().listFunctions({ env: ENV, limit: 101 }), "invalid_argument");
  assert.equal(await count("/tcb/listfunctions"), 2, "the bad limit was never sent");
});
