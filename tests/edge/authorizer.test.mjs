// The authorizer token source: COMPONENT_APPID / COMPONENT_APPSECRET / AUTHORIZER_APPID and
// the TokenStore Durable Object, seeded through the admin routes, under 50 requests at once,
// across a forced expiry, a rotating refresh token and a restart.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ISSUED_TOKEN, KEYS, burst, recorder, simControl, simCount, startWorker, waitFor } from "./harness.mjs";

const SIM = process.env.SIM_URL;
const ENV = "test-777bb9";
const COMPONENT_SECRET = "sim-component-secret";
const TICKET = "sim-verify-ticket";
const FIRST_REFRESH_TOKEN = "sim-refresh-token-0";
const COMPONENT = "/cgi-bin/component/api_component_token";
const AUTHORIZER = "/cgi-bin/component/api_authorizer_token";
const REQUEST_BOUND_MS = 30000;
const SETTINGS = {
  secrets: { WECHAT_ACCESS_TOKEN: undefined, COMPONENT_APPSECRET: COMPONENT_SECRET },
  vars: { COMPONENT_APPID: "wx-sim-component", AUTHORIZER_APPID: "wx-sim-authorizer", WECHAT_TIMEOUT_MS: "20000" },
};
// The Durable Object's storage outlives one wrangler dev: the restart test starts a second.
const state = mkdtempSync(join(tmpdir(), "tcb-edge-do-"));
/** Every Worker started here and its client, for the leak check at the end. */
const started = [];
let worker, api;

async function start() {
  worker = await startWorker({ simUrl: SIM, ...SETTINGS, persistTo: state });
  api = recorder(worker.url);
  started.push([worker, api]);
}

before(async () => {
  assert.ok(SIM, "SIM_URL must point at a running tcb-sim");
  await simControl(SIM, "reset", null);
  await start();
});

after(async () => {
  await worker?.stop();
  rmSync(state, { recursive: true, force: true });
  if (SIM) await simControl(SIM, "reset", null);
});

const config = (functionName, type, key = KEYS.viewer) => api.request(`/api/config?env=${ENV}&function=${functionName}&type=${type}`, { key });
const post = (path, body, { key = KEYS.admin, headers = {} } = {}) =>
  api.request(path, { key, method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) });
const tokenStatus = () => api.request("/api/wechat/token-status", { key: KEYS.admin });
const counts = async () => {
  const { counters } = await simControl(SIM, "state");
  return { component: counters[COMPONENT] ?? 0, authorizer: counters[AUTHORIZER] ?? 0 };
};
const simRefreshToken = async () => (await simControl(SIM, "state")).authorizers[0].refresh_token;

function assertAllServed(answers, what) {
  for (const [i, r] of answers.entries()) {
    assert.equal(r.status, 200, `${what}: request ${i}: ${r.text}`);
    assert.equal(r.json.kind, "environment", `${what}: request ${i}`);
    assert.ok(r.ms < REQUEST_BOUND_MS, `${what}: request ${i} took ${r.ms} ms`);
  }
}

test("before anything is stored: /api/config answers 503 with what to do, nothing is sent", async () => {
  const status = await tokenStatus();
  assert.equal(status.status, 200, status.text);
  assert.deepEqual(status.json, { source: "authorizer", hasTicket: false, hasRefreshToken: false });
  const r = await config("edgeAuthNotReady", 1);
  assert.equal(r.status, 503, r.text);
  assert.equal(r.json.error.code, "token");
  assert.match(r.json.error.hint, /\/api\/wechat\/ticket/);
  assert.deepEqual(await counts(), { component: 0, authorizer: 0 });
});

test("the ticket and refresh-token routes: admin only, POST with JSON from the same origin, validated", async () => {
  for (const path of ["/api/wechat/ticket", "/api/wechat/refresh-token"]) {
    const field = path.endsWith("ticket") ? "ticket" : "refreshToken";
    const refusals = [
      [await post(path, { [field]: "x" }, { key: KEYS.viewer }), 403, "forbidden"],
      [await api.request(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ [field]: "x" }) }), 401, "unauthorized"],
      [await post(path, { [field]: "x" }, { headers: { "Content-Type": "text/plain" } }), 415, "unsupported_media_type"],
      [await post(path, { [field]: "x" }, { headers: { Origin: "https://evil.example" } }), 403, "forbidden"],
      [await post(path, {}), 400, "invalid_argument"],
      [await post(path, { [field]: 12 }), 400, "invalid_argument"],
      [await post(path, { [field]: "" }), 400, "invalid_argument"],
      [await post(path, { [field]: "has space" }), 400, "invalid_argument"],
      [await post(path, { [field]: "x".repeat(1025) }), 400, "invalid_argument"],
      [await post(path, "{not json"), 400, "invalid_argument"],
    ];
    for (const [r, status, code] of refusals) {
      assert.equal(r.status, status, `${path}: ${r.text}`);
      assert.equal(r.json.error.code, code);
    }
    // Any other method: 405 naming POST; a CORS preflight gets no CORS headers.
    for (const method of ["GET", "PUT", "DELETE"]) {
      const r = await api.request(path, { key: KEYS.admin, method });
      assert.equal(r.status, 405, `${method} ${path}`);
      assert.equal(r.headers.get("allow"), "POST");
    }
    const preflight = await api.request(path, {
      method: "OPTIONS",
      headers: { Origin: "https://evil.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type" },
    });
    assert.equal(preflight.status, 405);
    assert.equal(preflight.headers.get("access-control-allow-origin"), null);
    assert.equal(preflight.headers.get("access-control-allow-methods"), null);
  }
  // The same origin is welcome.
  assert.equal((await post("/api/wechat/ticket", { ticket: "placeholder-ticket" }, { headers: { Origin: worker.url } })).status, 200);
  // token-status: admin only, GET only.
  assert.equal((await api.request("/api/wechat/token-status", { key: KEYS.viewer })).status, 403);
  assert.equal((await api.request("/api/wechat/token-status")).status, 401);
  assert.equal((await api.request("/api/wechat/token-status", { key: KEYS.admin, method: "POST" })).status, 405);
  assert.deepEqual((await tokenStatus()).json, { source: "authorizer", hasTicket: true, hasRefreshToken: false });
});

test("seeded through the admin routes, 50 concurrent requests: all succeed, one refresh", async (t) => {
  assert.deepEqual((await post("/api/wechat/ticket", { ticket: TICKET })).json, { ok: true });
  assert.deepEqual((await post("/api/wechat/refresh-token", { refreshToken: FIRST_REFRESH_TOKEN })).json, { ok: true });
  assert.deepEqual((await tokenStatus()).json, { source: "authorizer", hasTicket: true, hasRefreshToken: true });

  const answers = await burst(50, (i) => config("orderSync", 3, i % 2 ? KEYS.viewer : KEYS.admin));
  assertAllServed(answers, "cold");
  const after = await counts();
  t.diagnostic(`50 cold requests: ${after.component} api_component_token, ${after.authorizer} api_authorizer_token; slowest ${Math.max(...answers.map((r) => r.ms))} ms`);
  assert.deepEqual(after, { component: 1, authorizer: 1 });
  assert.notEqual(await simRefreshToken(), FIRST_REFRESH_TOKEN, "the refresh token rotated");

  const status = (await tokenStatus()).json;
  assert.ok(status.accessTokenExpiresIn > 7000 && status.accessTokenExpiresIn <= 7200, JSON.stringify(status));
});

test("after the authorizer tokens expire, 50 concurrent requests: all succeed, exactly one more refresh", async (t) => {
  const before = await counts();
  const rotatedBefore = await simRefreshToken();
  await simControl(SIM, "expire-tokens", { kinds: ["authorizer"] });
  const answers = await burst(50, () => config("orderSync", 3));
  assertAllServed(answers, "after expiry");
  const after = await counts();
  t.diagnostic(`50 requests after the expiry: +${after.authorizer - before.authorizer} api_authorizer_token, +${after.component - before.component} api_component_token`);
  assert.equal(after.authorizer - before.authorizer, 1, "exactly one refresh for every isolate and request");
  assert.equal(after.component - before.component, 0, "the component token is still cached");
  assert.notEqual(await simRefreshToken(), rotatedBefore, "rotated again");
});

test("the refresh token and access token are durable: after a restart no token call, then a refresh works", async (t) => {
  const before = await counts();
  await worker.stop();
  await start();
  const status = (await tokenStatus()).json;
  assert.equal(status.hasTicket, true);
  assert.equal(status.hasRefreshToken, true);
  assert.ok(status.accessTokenExpiresIn > 300, JSON.stringify(status));

  assertAllServed([{ ...(await config("orderSync", 3)), ms: 0 }], "after the restart");
  assert.deepEqual(await counts(), before, "the stored access token served it");

  // A refresh now succeeds only if the stored refresh token is the simulator's current one (a
  // lost rotation would answer 61023).
  await simControl(SIM, "expire-tokens", { kinds: ["authorizer"] });
  const rotatedBefore = await simRefreshToken();
  assertAllServed([{ ...(await config("orderSync", 3)), ms: 0 }], "refreshed after the restart");
  const after = await counts();
  t.diagnostic(`after the restart: +${after.authorizer - before.authorizer} api_authorizer_token, +${after.component - before.component} api_component_token`);
  assert.equal(after.authorizer - before.authorizer, 1);
  // The Platform object keeps the component token in its storage: the restart fetched none.
  assert.equal(after.component - before.component, 0);
  assert.notEqual(await simRefreshToken(), rotatedBefore);
});

test("a refresh token WeChat no longer accepts: 502 with errcode 61023; storing the current one repairs it", async () => {
  await post("/api/wechat/refresh-token", { refreshToken: FIRST_REFRESH_TOKEN }); // long since rotated away
  await simControl(SIM, "expire-tokens", { kinds: ["authorizer"] });
  const refused = await config("orderSync", 3);
  assert.equal(refused.status, 502, refused.text);
  assert.equal(refused.json.error.code, "api");
  assert.equal(refused.json.error.errcode, 61023);

  assert.equal((await post("/api/wechat/refresh-token", { refreshToken: await simRefreshToken() })).status, 200);
  assertAllServed([{ ...(await config("orderSync", 3)), ms: 0 }], "repaired");
});

test("no secret, ticket, refresh token or access token in any output or answer; nothing hung", async () => {
  for (const [w, client] of started) {
    const apiLines = () => w.output().split("\n").filter((line) => /^api [A-Z]+ \//.test(line));
    assert.ok(await waitFor(() => apiLines().length >= client.count), `expected ${client.count} log lines, found ${apiLines().length}`);
    assert.equal(apiLines().length, client.count, "one log line per API request");
    assert.doesNotMatch(w.output(), /never generate a response|different request|hung|uncaught/i);
    for (const [where, text] of [["output", w.output()], ...client.bodies.map((b, i) => [`body ${i}`, b])]) {
      for (const secret of [COMPONENT_SECRET, TICKET, KEYS.viewer, KEYS.admin]) assert.ok(!text.includes(secret), `${where} contains a secret`);
      assert.doesNotMatch(text, ISSUED_TOKEN, `${where} contains a token`);
    }
  }
});
