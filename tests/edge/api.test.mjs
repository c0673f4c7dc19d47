// The Worker's API (/api/*) in workerd through `wrangler dev`, against the simulator.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { KEYS, recorder, simControl, simFault, startWorker, waitFor } from "./harness.mjs";

const SIM = process.env.SIM_URL;
const ENV = "test-777bb9";
const MASK = "••••••";
const ORDER_SYNC_VALUES = ["10.0.0.8", "s3cr3t-pa55w0rd", "ap-shanghai"];
const DECODE_SECRET = "leaky-value-9731";
const VERSION = /^[0-9a-f]{32}$/;
let worker, api;

before(async () => {
  assert.ok(SIM, "SIM_URL must point at a running tcb-sim");
  worker = await startWorker({ simUrl: SIM, vars: { WECHAT_TIMEOUT_MS: "4000" } });
  api = recorder(worker.url);
});

after(() => worker?.stop());

const config = (query, key, options) => api.request(`/api/config?${query}`, { key, ...options });

// Faults stay for good (times 0) on a name of their own: the package retries some failures
// (5xx, network) and `wrangler dev` replays a GET when it reloads the Worker (say, because www/
// changed); every attempt must meet the same fault.
const fault = (functionName, f) => simFault(SIM, functionName, f, 0);

/** Asserts an error answer: status, `error.code`, the documented fields, nothing else. */
function assertError(r, status, code) {
  assert.equal(r.status, status, r.text);
  assert.deepEqual(Object.keys(r.json), ["error"]);
  assert.equal(r.json.error.code, code);
  assert.equal(typeof r.json.error.hint, "string");
  assert.equal(typeof r.json.error.message, "string");
  assert.equal(typeof r.json.error.retryable, "boolean");
  assert.equal(r.headers.get("content-type"), "application/json; charset=utf-8");
  assert.equal(r.headers.get("cache-control"), "no-store");
}

/** An auth refusal says nothing about functions or configs. */
function assertSaysNothing(r) {
  for (const word of ["orderSync", "openapi", ENV, "timeout", "environment\"", "DB_", ...ORDER_SYNC_VALUES]) {
    assert.ok(!r.text.includes(word), `${r.status} answer mentions ${word}: ${r.text}`);
  }
}

function assertMasked(environmentConfig) {
  assert.equal(environmentConfig.kind, "environment");
  assert.equal(environmentConfig.timeout, 20);
  assert.deepEqual(environmentConfig.environment, [
    { key: "DB_HOST", value: MASK, masked: true, length: 8 },
    { key: "DB_PASSWORD", value: MASK, masked: true, length: 15 },
    { key: "REGION", value: MASK, masked: true, length: 11 },
  ]);
  assert.equal(environmentConfig.rawMasked, true);
  assert.deepEqual(JSON.parse(environmentConfig.raw), {
    timeout: 20,
    environment: [{ key: "DB_HOST", value: MASK }, { key: "DB_PASSWORD", value: MASK }, { key: "REGION", value: MASK }],
  });
}

function assertRevealed(environmentConfig) {
  assert.deepEqual(environmentConfig.environment, [
    { key: "DB_HOST", value: "10.0.0.8", masked: false },
    { key: "DB_PASSWORD", value: "s3cr3t-pa55w0rd", masked: false },
    { key: "REGION", value: "ap-shanghai", masked: false },
  ]);
  assert.equal(environmentConfig.rawMasked, false);
  assert.equal(JSON.parse(environmentConfig.raw).environment[1].value, "s3cr3t-pa55w0rd");
}

test("GET /api/health answers without credentials and says nothing else", async () => {
  const r = await api.request("/api/health");
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, { ok: true });
});

test("GET /api/me: the role of each key; the scheme is case-insensitive", async () => {
  assert.deepEqual((await api.request("/api/me", { key: KEYS.viewer })).json, { role: "viewer", via: "key" });
  assert.deepEqual((await api.request("/api/me", { key: KEYS.admin })).json, { role: "admin", via: "key" });
  for (const scheme of ["bearer", "BEARER", "BeArEr"]) {
    const r = await api.request("/api/me", { headers: { Authorization: `${scheme} ${KEYS.admin}` } });
    assert.deepEqual(r.json, { role: "admin", via: "key" });
  }
});

test("type 1: the cloud-call config, for viewer and admin", async () => {
  for (const key of [KEYS.viewer, KEYS.admin]) {
    const r = await config(`env=${ENV}&function=openapi&type=1`, key);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("content-type"), "application/json; charset=utf-8");
    assert.equal(r.headers.get("cache-control"), "no-store");
    assert.equal(
      r.headers.get("content-security-policy"),
      "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; img-src 'self' https://*.qlogo.cn https://mmbiz.qpic.cn; frame-ancestors 'none'; base-uri 'none'; object-src 'none'; form-action 'self'",
    );
    assert.equal(r.json.kind, "cloudCall");
    assert.equal(r.json.type, 1);
    assert.equal(r.json.env, ENV);
    assert.equal(r.json.functionName, "openapi");
    assert.equal(r.json.openapi.length, 8);
    assert.ok(r.json.openapi.includes("wxacode.getUnlimited"));
    assert.equal(typeof r.json.raw, "string");
    assert.match(r.json.version, VERSION);
  }
});

test("type 2: the timer-trigger config, for viewer and admin", async () => {
  for (const key of [KEYS.viewer, KEYS.admin]) {
    const r = await config(`env=${ENV}&function=reportDaily&type=2`, key);
    assert.equal(r.status, 200);
    assert.equal(r.json.kind, "timerTrigger");
    assert.equal(r.json.triggers.length, 1);
    assert.equal(r.json.triggers[0].name, "weekdayMorning");
    assert.equal(r.json.triggers[0].config, "0 15 10 * * MON-FRI *");
  }
});

test("type 3: values and raw are masked for the viewer and for the admin without reveal", async () => {
  for (const [key, extra] of [[KEYS.viewer, ""], [KEYS.admin, ""], [KEYS.admin, "&reveal=0"], [KEYS.admin, "&reveal=true"]]) {
    const r = await config(`env=${ENV}&function=orderSync&type=3${extra}`, key);
    assert.equal(r.status, 200);
    assertMasked(r.json);
    for (const value of ORDER_SYNC_VALUES) assert.ok(!r.text.includes(value), `${value} leaked`);
  }
});

test("type 3 with reveal=1: the admin sees values and raw", async () => {
  const r = await config(`env=${ENV}&function=orderSync&type=3&reveal=1`, KEYS.admin, { expectSecret: true });
  assert.equal(r.status, 200);
  assert.equal(r.json.timeout, 20);
  assertRevealed(r.json);
});

test("type 3 with no variables: an empty, masked list", async () => {
  const r = await config(`env=${ENV}&function=hello&type=3`, KEYS.viewer);
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.environment, []);
  assert.deepEqual(JSON.parse(r.json.raw), { timeout: 3, environment: [] });
  assert.equal(r.json.rawMasked, true);
});

test("reveal=1 from a viewer is forbidden, whatever the type", async () => {
  for (const type of ["3", "all", "1"]) {
    const r = await config(`env=${ENV}&function=orderSync&type=${type}&reveal=1`, KEYS.viewer);
    assertError(r, 403, "forbidden");
    assertSaysNothing(r);
  }
});

test("type all: three configs, environment masked unless an admin reveals", async () => {
  for (const key of [KEYS.viewer, KEYS.admin]) {
    const r = await config(`env=${ENV}&function=orderSync&type=all`, key);
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.json).sort(), ["cloudCall", "environment", "timerTrigger"]);
    assert.equal(r.json.cloudCall.kind, "cloudCall");
    assert.equal(r.json.timerTrigger.triggers[0].name, "nightlySync");
    assertMasked(r.json.environment);
    for (const member of ["cloudCall", "timerTrigger", "environment"]) assert.match(r.json[member].version, VERSION);
    for (const value of ORDER_SYNC_VALUES) assert.ok(!r.text.includes(value), `${value} leaked`);
  }
  const revealed = await config(`env=${ENV}&function=orderSync&type=all&reveal=1`, KEYS.admin, { expectSecret: true });
  assert.equal(revealed.status, 200);
  assertRevealed(revealed.json.environment);

  const partial = await config(`env=${ENV}&function=openapi&type=all`, KEYS.viewer);
  assert.equal(partial.status, 200);
  assert.equal(partial.json.cloudCall.openapi.length, 8);
  assert.equal(partial.json.timerTrigger, null);
  assert.equal(partial.json.environment, null);
  assert.match(partial.json.cloudCall.version, VERSION);
});

test("version: the same config has the same version, a changed one another, whoever asks", async () => {
  const set = (config) => simControl(SIM, "configs", { env: ENV, function_name: "edgeVersioned", type: 3, config });
  const version = async (type = "3", key = KEYS.viewer, extra = "") => {
    const r = await config(`env=${ENV}&function=edgeVersioned&type=${type}${extra}`, key, { expectSecret: extra !== "" });
    return type === "all" ? r.json.environment?.version ?? null : r.json.version;
  };
  const first = JSON.stringify({ timeout: 5, environment: [{ key: "K", value: "one-value" }] });
  await set(first);
  const v1 = await version();
  assert.match(v1, VERSION);
  assert.equal(await version(), v1, "asked again");
  assert.equal(await version("3", KEYS.admin), v1, "for an admin");
  assert.equal(await version("3", KEYS.admin, "&reveal=1"), v1, "revealed");
  assert.equal(await version("all"), v1, "in type=all");

  // Another value of the same length: the masked answers are alike, the versions are not.
  await set(JSON.stringify({ timeout: 5, environment: [{ key: "K", value: "two-value" }] }));
  const v2 = await version();
  assert.match(v2, VERSION);
  assert.notEqual(v2, v1);
  await set(first);
  assert.equal(await version(), v1, "back to the first config, back to its version");

  // Not configured: 404 for one type, a null member (no version) in type=all.
  await set(null);
  assert.equal((await config(`env=${ENV}&function=edgeVersioned&type=3`, KEYS.viewer)).status, 404);
  assert.equal(await version("all"), null);
});

test("400: bad or missing env, function and type, checked by the package before any call", async () => {
  const cases = [
    "env=bad%20env&function=orderSync&type=1",
    "function=orderSync&type=1",
    `env=${ENV}&function=9bad&type=1`,
    `env=${ENV}&type=3`,
    `env=${ENV}&function=${"f".repeat(61)}&type=2`,
    `env=${ENV}&function=orderSync&type=4`,
    `env=${ENV}&function=orderSync&type=cloudCall`,
    `env=${ENV}&function=orderSync&type=`,
    `env=${ENV}&function=orderSync`,
    `env=${ENV}&function=bad!name&type=all`,
    "function=orderSync&type=all",
  ];
  for (const query of cases) {
    const r = await config(query, KEYS.admin);
    assertError(r, 400, "invalid_argument");
    assert.equal(r.json.error.retryable, false);
  }
  const requests = await (await fetch(`${SIM}/__sim/requests?function_name=bad!name`)).json();
  assert.equal(requests.length, 0, "nothing was sent for an invalid argument");
});

test("401: no credential, another scheme, a wrong, padded or empty key", async () => {
  const refusals = [
    await api.request("/api/me"),
    await api.request("/api/config?env=test-777bb9&function=orderSync&type=3"),
    await api.request("/api/me", { headers: { Authorization: `Basic ${KEYS.admin}` } }),
    await api.request("/api/me", { headers: { Authorization: KEYS.admin } }),
    await api.request("/api/me", { key: "not-a-key" }),
    await api.request("/api/me", { key: KEYS.admin.slice(0, -1) }),
    await api.request("/api/me", { key: `${KEYS.admin}x` }),
    await api.request("/api/me", { headers: { Authorization: "Bearer" } }),
    // Without ACCESS_AUD and ACCESS_CERTS_URL, an Access header counts for nothing.
    await api.request("/api/me", { headers: { "Cf-Access-Jwt-Assertion": "eyJhbGciOiJub25lIn0.eyJlbWFpbCI6ImEifQ." } }),
    // fetch trims header values: these go over a raw socket to arrive as written.
    await api.raw("/api/me", [`Authorization: Bearer ${KEYS.admin} `]),
    await api.raw("/api/me", [`Authorization: Bearer ${KEYS.viewer}\t`]),
    await api.raw("/api/me", [`Authorization: Bearer  ${KEYS.admin}`]),
    await api.raw("/api/me", ["Authorization: Bearer "]),
  ];
  for (const r of refusals) {
    r.json ??= JSON.parse(r.text);
    assertError(r, 401, "unauthorized");
    assert.equal(r.headers.get("www-authenticate"), "Bearer");
    assertSaysNothing(r);
  }
});

test("404: a function without that config type (85089), and unknown routes", async () => {
  const r = await config(`env=${ENV}&function=hello&type=1`, KEYS.viewer);
  assertError(r, 404, "api");
  assert.equal(r.json.error.errcode, 85089);
  assert.equal(r.json.error.retryable, false);
  assert.match(r.json.error.errmsg, /config not found/);

  for (const path of ["/api/nope", "/api", "/api/config/extra", "/api/me/"]) {
    assertError(await api.request(path, { key: KEYS.viewer }), 404, "not_found");
    // Without a credential, an unknown route is just unauthorised.
    assertError(await api.request(path), 401, "unauthorized");
  }
});

test("405: the API answers GET only, with no CORS headers", async () => {
  for (const method of ["POST", "PUT", "DELETE", "PATCH"]) {
    const r = await api.request("/api/config", { key: KEYS.admin, method });
    assertError(r, 405, "method_not_allowed");
    assert.equal(r.headers.get("allow"), "GET");
  }
  const preflight = await api.request("/api/config", {
    method: "OPTIONS",
    headers: { Origin: "https://evil.example", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization" },
  });
  assert.ok([204, 405].includes(preflight.status));
  assert.equal(preflight.headers.get("access-control-allow-origin"), null);
  assert.equal(preflight.headers.get("access-control-allow-headers"), null);
});

test("502: WeChat refuses the token (40014), a gateway error, an undecodable config", async () => {
  await fault("edgeBadToken", { kind: "errcode", errcode: 40014 });
  const refused = await config(`env=${ENV}&function=edgeBadToken&type=1`, KEYS.viewer);
  assertError(refused, 502, "api");
  assert.equal(refused.json.error.errcode, 40014);
  assert.match(refused.json.error.hint, /authorizer_access_token/);
  assert.deepEqual(Object.keys(refused.json.error), ["code", "errcode", "errmsg", "hint", "retryable", "message"]);

  await fault("edgeGateway", { kind: "http", status: 503, body: "<html>busy</html>" });
  const gateway = await config(`env=${ENV}&function=edgeGateway&type=2`, KEYS.viewer);
  assertError(gateway, 502, "http");
  assert.equal(gateway.json.error.retryable, true);

  // A config the package cannot read: its text (with a value) must not reach a viewer.
  const broken = JSON.stringify({ timeout: 5, environment: [{ key: "K", value: 12345 }, { key: "S", value: DECODE_SECRET }], x: DECODE_SECRET });
  await fault("edgeBroken", { kind: "config", config: broken.replace("}]", "}") });
  const undecodable = await config(`env=${ENV}&function=edgeBroken&type=3`, KEYS.viewer);
  assertError(undecodable, 502, "decode");
  assert.ok(!undecodable.text.includes(DECODE_SECRET));
  assert.equal(undecodable.json.error.raw, undefined);

  await fault("edgeWrongShape", { kind: "config", config: broken });
  const wrongShape = await config(`env=${ENV}&function=edgeWrongShape&type=3`, KEYS.viewer);
  assertError(wrongShape, 502, "decode");
  assert.ok(!wrongShape.text.includes(DECODE_SECRET) && !wrongShape.text.includes("12345"));
});

test("504: WeChat does not answer within WECHAT_TIMEOUT_MS", async () => {
  await fault("edgeSlow", { kind: "delay", ms: 15000 });
  const started = Date.now();
  const r = await config(`env=${ENV}&function=edgeSlow&type=1`, KEYS.viewer);
  assertError(r, 504, "timeout");
  assert.equal(r.json.error.retryable, true);
  assert.ok(Date.now() - started < 12000, `took ${Date.now() - started} ms`);
  assert.equal((await config(`env=${ENV}&function=openapi&type=1`, KEYS.viewer)).status, 200, "the next call works");
});

test("the token, the keys and environment values never leave the Worker; one log line per API call", async () => {
  const apiLines = () => worker.output().split("\n").filter((line) => /^api [A-Z]+ \//.test(line));
  const complete = await waitFor(() => apiLines().length >= api.count);
  assert.ok(complete, `expected ${api.count} log lines, found ${apiLines().length}`);
  assert.equal(apiLines().length, api.count, "exactly one line per API request");
  for (const line of apiLines()) {
    assert.match(line, /^api [A-Z]+ \/api(\/[a-z]+|\/\*) \d{3} role=(viewer|admin|-) \d+ms$/);
  }
  const secrets = ["sim-access-token", KEYS.viewer, KEYS.admin, DECODE_SECRET, ...ORDER_SYNC_VALUES];
  for (const [where, text] of [["output", worker.output()], ...api.bodies.map((b, i) => [`body ${i}`, b])]) {
    for (const secret of secrets) assert.ok(!text.includes(secret), `${where} contains ${secret}`);
  }
});
