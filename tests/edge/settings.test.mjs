// The Worker's settings going wrong: a token WeChat refuses, a role whose key is not set,
// an invalid WECHAT_TIMEOUT_MS.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { KEYS, recorder, startWorker, waitFor } from "./harness.mjs";

const SIM = process.env.SIM_URL;
const ENV = "test-777bb9";
const WRONG_TOKEN = "wrong-token-for-edge-tests-4d2a";
let wrongToken, broken, a, b;

before(async () => {
  assert.ok(SIM, "SIM_URL must point at a running tcb-sim");
  const started = await Promise.allSettled([
    startWorker({ simUrl: SIM, secrets: { WECHAT_ACCESS_TOKEN: WRONG_TOKEN, VIEWER_KEY: "" } }),
    startWorker({ simUrl: SIM, secrets: { ADMIN_KEY: "" }, vars: { WECHAT_TIMEOUT_MS: "soon" } }),
  ]);
  [wrongToken, broken] = started.map((s) => s.value); // so that after() stops whichever started
  for (const s of started) if (s.status === "rejected") throw s.reason;
  a = recorder(wrongToken.url);
  b = recorder(broken.url);
});

after(() => {
  wrongToken?.stop();
  broken?.stop();
});

test("a token WeChat refuses (40014): 502 with the hint, never the token", async () => {
  const r = await a.request(`/api/config?env=${ENV}&function=openapi&type=1`, { key: KEYS.admin });
  assert.equal(r.status, 502);
  assert.equal(r.json.error.code, "api");
  assert.equal(r.json.error.errcode, 40014);
  assert.match(r.json.error.hint, /authorizer_access_token/);
  const all = await a.request(`/api/config?env=${ENV}&function=orderSync&type=all`, { key: KEYS.admin });
  assert.equal(all.status, 502);
  assert.equal(all.json.error.errcode, 40014);
});

test("an unset VIEWER_KEY or ADMIN_KEY: that role does not exist", async () => {
  assert.equal((await a.request("/api/me", { key: KEYS.viewer })).status, 401);
  assert.deepEqual((await a.request("/api/me", { key: KEYS.admin })).json, { role: "admin", via: "key" });
  assert.equal((await b.request("/api/me", { key: KEYS.admin })).status, 401);
  assert.deepEqual((await b.request("/api/me", { key: KEYS.viewer })).json, { role: "viewer", via: "key" });
  // An empty key never matches an empty secret.
  assert.equal((await a.raw("/api/me", ["Authorization: Bearer "])).status, 401);
});

test("an invalid WECHAT_TIMEOUT_MS: 500 misconfigured, nothing sent", async () => {
  const r = await b.request(`/api/config?env=${ENV}&function=edgeMisconfigured&type=1`, { key: KEYS.viewer });
  assert.equal(r.status, 500);
  assert.equal(r.json.error.code, "misconfigured");
  assert.match(r.json.error.hint, /WECHAT_TIMEOUT_MS/);
  const sent = await (await fetch(`${SIM}/__sim/requests?function_name=edgeMisconfigured`)).json();
  assert.equal(sent.length, 0);
});

test("neither Worker shows a token or a key in its output or answers", async () => {
  for (const [worker, client] of [[wrongToken, a], [broken, b]]) {
    const lines = () => worker.output().split("\n").filter((line) => /^api [A-Z]+ \//.test(line)).length;
    assert.ok(await waitFor(() => lines() >= client.count), "one log line per API request");
    for (const text of [worker.output(), ...client.bodies]) {
      for (const secret of [WRONG_TOKEN, "sim-access-token", KEYS.viewer, KEYS.admin]) {
        assert.ok(!text.includes(secret), "a secret leaked");
      }
    }
  }
});
