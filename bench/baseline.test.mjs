// The benchmark's JavaScript baseline must do the package's job: same typed results, same
// error classification. Both clients call the simulator (TCB_SIM_URL, or one started here);
// results are compared with `schedule` removed (the package adds it to timer triggers, the
// baseline does not compute schedules). The package is called with `retries: 0`, as in the
// benchmarks, so that both send exactly one request per call.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import * as base from "./baseline.mjs";
import { ENV, ROOT, TOKEN, sim, startSim, stripSchedule } from "./lib.mjs";
import * as pkg from "../pkg/node.js";

let simulator;
let url;
before(async () => {
  simulator = await startSim();
  url = simulator.url;
});
after(async () => {
  if (process.env.TCB_SIM_URL) await fetch(`${url}/__sim/faults`, { method: "DELETE" });
  await simulator?.stop();
});

/** The outcome of a call: the config, or the error's fields (errmsg without WeChat's request id). */
async function outcome(promise) {
  try {
    return { ok: stripSchedule(await promise) };
  } catch (e) {
    assert.equal(e?.name, "TcbError", `not a TcbError: ${e}`);
    assert.equal(typeof e.hint, "string");
    assert.ok(e.hint.length > 0);
    const fields = { code: e.code, retryable: e.retryable };
    if (e.errcode !== undefined) fields.errcode = e.errcode;
    if (e.errmsg !== undefined) fields.errmsg = e.errmsg.replace(/ rid: \S+$/, "");
    if (e.httpStatus !== undefined) fields.httpStatus = e.httpStatus;
    if (e.raw !== undefined) fields.raw = e.raw;
    if (e.code === "invalid_argument") fields.field = e.message.split(" ")[0];
    return { error: fields };
  }
}

/** Calls both clients with the same request; `before` runs before each (e.g. queues a fault). */
async function both(request, { before: prepare } = {}) {
  const results = [];
  for (const impl of [pkg, base]) {
    if (prepare) await prepare();
    results.push(await outcome(impl.getFuncConfig({ accessToken: TOKEN, baseUrl: url, retries: 0, ...request })));
  }
  return results;
}

async function same(request, options) {
  const [wasm, js] = await both(request, options);
  assert.deepEqual(js, wasm);
  return wasm;
}

const fault = (fault, functionName = "benchFixture") => () => sim(url, "faults", { function_name: functionName, fault });
const answer = (config) => fault({ kind: "body", body: JSON.stringify({ errcode: 0, errmsg: "ok", config }) });

describe("seeded configs", () => {
  for (const [functionName, type] of [["openapi", 1], ["orderSync", 1], ["orderSync", 2], ["orderSync", 3], ["reportDaily", 2], ["hello", 3]]) {
    test(`${functionName} type ${type}`, async () => {
      const r = await same({ env: ENV, functionName, type });
      assert.ok(r.ok, JSON.stringify(r));
    });
  }
  test("type given by name", async () => {
    assert.ok((await same({ env: ENV, functionName: "orderSync", type: "timerTrigger" })).ok);
  });
  test("TcbClient of each", async () => {
    const a = new pkg.TcbClient({ accessToken: TOKEN, baseUrl: url, retries: 0 });
    const b = new base.TcbClient({ accessToken: TOKEN, baseUrl: url, retries: 0 });
    for (const type of [1, 2, 3]) {
      const req = { env: ENV, functionName: "orderSync", type };
      assert.deepEqual(await outcome(b.getFuncConfig(req)), await outcome(a.getFuncConfig(req)));
    }
    a.free();
  });
});

describe("tests/fixtures answers, served by the simulator, read as each type", () => {
  const dir = join(ROOT, "tests/fixtures");
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
    const body = readFileSync(join(dir, file), "utf8");
    for (const type of [1, 2, 3]) {
      test(`${file} as type ${type}`, async () => {
        await same({ env: ENV, functionName: "benchFixture", type }, { before: fault({ kind: "body", body }) });
      });
    }
  }
});

describe("tolerant reading", () => {
  const cases = [
    ["openapi in any letter case", 1, '{"permissions":{"OpenAPI":["a.b","c.d"]}}'],
    ["missing permissions", 1, "{}"],
    ["null openapi", 1, '{"permissions":{"openapi":null}}'],
    ["unknown fields", 1, '{"x":[1,{"y":2}],"permissions":{"other":true,"openapi":["a.b"]}}'],
    ["config encoded twice", 1, JSON.stringify('{"permissions":{"openapi":["a.b"]}}')],
    ["trigger type missing", 2, '{"triggers":[{"name":"n","config":"0 0 2 1 * * *"}]}'],
    ["trigger type null", 2, '{"triggers":[{"name":"n","type":null,"config":"*/5 * * * * * *"}]}'],
    ["trigger that does not parse", 2, '{"triggers":[{"name":"n","type":"timer","config":"0 0 25 * * * *"}]}'],
    ["no triggers", 2, "{}"],
    ["timeout missing", 3, '{"environment":[{"key":"K","value":"V"}]}'],
    ["timeout written 5.0", 3, '{"timeout":5.0}'],
    ["nulls", 3, '{"timeout":null,"environment":null}'],
    ["unicode and escapes", 3, '{"timeout":9,"environment":[{"key":"名","value":"\\u4e2d\\"\\\\\\n"}]}'],
  ];
  for (const [name, type, config] of cases) {
    test(name, async () => {
      const r = await same({ env: ENV, functionName: "benchFixture", type }, { before: answer(config) });
      assert.ok(r.ok, JSON.stringify(r));
    });
  }
});

describe("errcodes", () => {
  test("-1 system busy (retryable)", async () => {
    const r = await same({ env: ENV, functionName: "benchFixture", type: 1 }, { before: fault({ kind: "errcode", errcode: -1 }) });
    assert.equal(r.error.errcode, -1);
    assert.equal(r.error.retryable, true);
  });
  test("40014 wrong kind of token", async () => {
    const r = await same({ env: ENV, functionName: "openapi", type: 1, accessToken: "not-an-authorizer-token" });
    assert.equal(r.error.code, "api");
    assert.equal(r.error.errcode, 40014);
  });
  test("42001 expired token", async () => {
    const r = await same({ env: ENV, functionName: "openapi", type: 1, accessToken: "sim-expired-token" });
    assert.equal(r.error.errcode, 42001);
  });
  test("45009 daily quota", async () => {
    const r = await same({ env: ENV, functionName: "benchFixture", type: 2 }, { before: fault({ kind: "errcode", errcode: 45009 }) });
    assert.equal(r.error.errcode, 45009);
    assert.equal(r.error.retryable, false);
  });
  test("85089 not configured", async () => {
    const r = await same({ env: ENV, functionName: "hello", type: 1 });
    assert.deepEqual([r.error.code, r.error.errcode], ["api", 85089]);
  });
  test("errcode as a string, errmsg left out", async () => {
    const r = await same({ env: ENV, functionName: "benchFixture", type: 3 },
      { before: fault({ kind: "errcode", errcode: 45011, errcodeAsString: true, omitErrmsg: true }) });
    assert.equal(r.error.errcode, 45011);
  });
});

describe("other failures", () => {
  test("http 502", async () => {
    const r = await same({ env: ENV, functionName: "benchFixture", type: 1 }, { before: fault({ kind: "http", status: 502, body: "<html>bad gateway</html>" }) });
    assert.deepEqual([r.error.code, r.error.httpStatus, r.error.retryable], ["http", 502, true]);
  });
  test("http 404", async () => {
    const r = await same({ env: ENV, functionName: "benchFixture", type: 1 }, { before: fault({ kind: "http", status: 404 }) });
    assert.equal(r.error.retryable, false);
  });
  for (const [name, body] of [["not JSON", "<html>"], ["empty body", ""], ["an array", "[]"], ["no errcode", "{}"],
    ["config missing", '{"errcode":0}'], ["config not a string", '{"errcode":0,"config":{}}']]) {
    test(`decode: ${name}`, async () => {
      const r = await same({ env: ENV, functionName: "benchFixture", type: 1 }, { before: fault({ kind: "body", body }) });
      assert.equal(r.error.code, "decode");
      assert.equal(r.error.raw, body);
    });
  }
  for (const [name, type, config] of [["config not JSON", 1, "{permissions"], ["openapi not a list", 1, '{"permissions":{"openapi":"a.b"}}'],
    ["trigger without config", 2, '{"triggers":[{"name":"n"}]}'], ["timeout a string", 3, '{"timeout":"5"}'],
    ["negative timeout", 3, '{"timeout":-1}'], ["value a number", 3, '{"environment":[{"key":"K","value":5}]}']]) {
    test(`decode: ${name}`, async () => {
      const r = await same({ env: ENV, functionName: "benchFixture", type }, { before: answer(config) });
      assert.deepEqual([r.error.code, r.error.raw], ["decode", config]);
    });
  }
  test("network: nothing listening", async () => {
    const r = await same({ env: ENV, functionName: "openapi", type: 1, baseUrl: "http://127.0.0.1:9" });
    assert.deepEqual([r.error.code, r.error.retryable], ["network", true]);
  });
  test("timeout", async () => {
    const r = await same({ env: ENV, functionName: "benchFixture", type: 1, timeoutMs: 100 }, { before: fault({ kind: "stall", ms: 1000 }) });
    assert.deepEqual([r.error.code, r.error.retryable], ["timeout", true]);
  });
  test("aborted", async () => {
    const r = await same({ env: ENV, functionName: "openapi", type: 1, signal: AbortSignal.abort() });
    assert.equal(r.error.code, "aborted");
  });
});

describe("validation: the same field refused, nothing sent", () => {
  const good = { env: ENV, functionName: "openapi", type: 1 };
  const cases = [
    ["accessToken empty", { accessToken: "" }],
    ["accessToken with a newline", { accessToken: "tok\n" }],
    ["accessToken too long", { accessToken: "a".repeat(513) }],
    ["env missing", { env: undefined }],
    ["env with a space", { env: "prod env" }],
    ["env too long", { env: "e".repeat(65) }],
    ["functionName starting with a digit", { functionName: "1abc" }],
    ["functionName too long", { functionName: "f".repeat(61) }],
    ["type 4", { type: 4 }],
    ["type as the string 1", { type: "1" }],
    ["baseUrl without scheme", { baseUrl: "api.weixin.qq.com" }],
    ["baseUrl with credentials", { baseUrl: "https://u:p@x.com" }],
    ["baseUrl with a query", { baseUrl: "https://x.com?a=1" }],
    ["timeoutMs 0", { timeoutMs: 0 }],
    ["timeoutMs 1.5", { timeoutMs: 1.5 }],
    ["retries 11", { retries: 11 }],
    ["signal not a signal", { signal: {} }],
  ];
  for (const [name, change] of cases) {
    test(name, async () => {
      const r = await same({ ...good, ...change });
      assert.equal(r.error?.code, "invalid_argument", JSON.stringify(r));
    });
  }
  test("the token is percent-encoded", async () => {
    // Not a valid token: both must send it encoded and get the same 40014.
    const r = await same({ ...good, accessToken: "a+b/c=d&e%f!'()*~" });
    assert.equal(r.error.errcode, 40014);
    const records = await sim(url, "requests?function_name=openapi");
    const sent = records.slice(-2).map((x) => x.query);
    assert.equal(sent[0], sent[1]);
  });
});
