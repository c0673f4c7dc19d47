// Choosing the token source: exactly one must be configured. Also what the static source (a
// fixed WECHAT_ACCESS_TOKEN) answers on the token routes.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { KEYS, recorder, simControl, startWorker, waitFor } from "./harness.mjs";

const SIM = process.env.SIM_URL;
const ENV = "test-777bb9";
const APP_SECRET = "sim-app-secret";
const COMPONENT_SECRET = "sim-component-secret";

// Each Worker's settings; secrets go through the env file, appids are plain vars.
const SETUPS = {
  static: {},
  none: { secrets: { WECHAT_ACCESS_TOKEN: undefined } },
  twoSources: { secrets: { WECHAT_APPID: "wx-sim-app", WECHAT_APPSECRET: APP_SECRET } },
  partialAuthorizer: {
    secrets: { WECHAT_ACCESS_TOKEN: undefined },
    vars: { COMPONENT_APPID: "wx-sim-component", AUTHORIZER_APPID: "wx-sim-authorizer" },
  },
  partialStable: { secrets: { WECHAT_ACCESS_TOKEN: undefined, WECHAT_APPSECRET: APP_SECRET } },
};
const workers = {};
const clients = {};

before(async () => {
  assert.ok(SIM, "SIM_URL must point at a running tcb-sim");
  await simControl(SIM, "reset", null);
  const names = Object.keys(SETUPS);
  const started = await Promise.allSettled(names.map((name) => startWorker({ simUrl: SIM, ...SETUPS[name] })));
  started.forEach((s, i) => {
    if (s.status === "fulfilled") workers[names[i]] = s.value; // so that after() stops whichever started
  });
  for (const s of started) if (s.status === "rejected") throw s.reason;
  for (const name of names) clients[name] = recorder(workers[name].url);
});

after(async () => {
  await Promise.all(Object.values(workers).map((w) => w.stop()));
  if (SIM) await simControl(SIM, "reset", null);
});

const MISCONFIGURED = {
  none: /no token source is set/,
  twoSources: /more than one token source is set \(static, stable\)/,
  partialAuthorizer: /the authorizer token source also needs COMPONENT_APPSECRET/,
  partialStable: /the stable token source also needs WECHAT_APPID/,
};

test("not exactly one complete token source: every /api/config answers 500 misconfigured, nothing sent", async () => {
  for (const [name, hint] of Object.entries(MISCONFIGURED)) {
    const api = clients[name];
    for (const type of ["1", "all"]) {
      const r = await api.request(`/api/config?env=${ENV}&function=edgeNoSource&type=${type}`, { key: KEYS.viewer });
      assert.equal(r.status, 500, `${name}: ${r.text}`);
      assert.equal(r.json.error.code, "misconfigured");
      assert.match(r.json.error.hint, hint, name);
      assert.match(r.json.error.hint, /edge\/README\.md/);
    }
    // The token routes say the same, and still check the role first.
    const status = await api.request("/api/wechat/token-status", { key: KEYS.admin });
    assert.equal(status.status, 500, `${name}: ${status.text}`);
    assert.equal(status.json.error.code, "misconfigured");
    const ticket = await api.request("/api/wechat/ticket", {
      key: KEYS.admin, method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ ticket: "t" }),
    });
    assert.equal(ticket.status, 500, `${name}: ${ticket.text}`);
    assert.equal((await api.request("/api/wechat/token-status", { key: KEYS.viewer })).status, 403);
    // Health and identity do not depend on the token source.
    assert.equal((await api.request("/api/health")).status, 200);
    assert.deepEqual((await api.request("/api/me", { key: KEYS.admin })).json, { role: "admin", via: "key" });
  }
  const sent = await simControl(SIM, "requests?function_name=edgeNoSource");
  assert.equal(sent.length, 0);
  const { counters } = await simControl(SIM, "state");
  assert.deepEqual(counters, {}, "no token endpoint was asked either");
});

test("the static source: token-status says so; the ticket and refresh-token routes are refused (409)", async () => {
  const api = clients.static;
  const r = await api.request("/api/wechat/token-status", { key: KEYS.admin });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { source: "static", hasTicket: false, hasRefreshToken: false });
  for (const [path, body] of [["/api/wechat/ticket", { ticket: "sim-verify-ticket" }], ["/api/wechat/refresh-token", { refreshToken: "sim-refresh-token-0" }]]) {
    const refused = await api.request(path, { key: KEYS.admin, method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    assert.equal(refused.status, 409, refused.text);
    assert.equal(refused.json.error.code, "conflict");
    assert.equal((await api.request(path, { key: KEYS.viewer, method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })).status, 403);
    assert.equal((await api.request(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })).status, 401);
  }
  // The static token still serves configs, from the one client of the isolate.
  for (let i = 0; i < 3; i++) {
    assert.equal((await api.request(`/api/config?env=${ENV}&function=openapi&type=1`, { key: KEYS.viewer })).status, 200);
  }
});

test("no secret or setting value in any output or answer of these Workers", async () => {
  for (const [name, w] of Object.entries(workers)) {
    const api = clients[name];
    const lines = () => w.output().split("\n").filter((line) => /^api [A-Z]+ \//.test(line)).length;
    assert.ok(await waitFor(() => lines() >= api.count), `${name}: one log line per API request`);
    for (const text of [w.output(), ...api.bodies]) {
      for (const secret of ["sim-access-token", APP_SECRET, COMPONENT_SECRET, KEYS.viewer, KEYS.admin]) {
        assert.ok(!text.includes(secret), `${name}: a secret leaked`);
      }
    }
  }
});
