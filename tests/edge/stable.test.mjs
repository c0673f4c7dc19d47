// The stable-token source (WECHAT_APPID + WECHAT_APPSECRET): one client per isolate, cold and
// after the tokens expire, with 50 requests at once.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { ISSUED_TOKEN, KEYS, burst, recorder, simControl, simCount, startWorker, waitFor } from "./harness.mjs";

const SIM = process.env.SIM_URL;
const ENV = "test-777bb9";
const APP_SECRET = "sim-app-secret";
const STABLE = "/cgi-bin/stable_token";
// Generous for a busy 2-core machine, yet bounded: no request may hang.
const REQUEST_BOUND_MS = 30000;
let worker, api;

before(async () => {
  assert.ok(SIM, "SIM_URL must point at a running tcb-sim");
  await simControl(SIM, "reset", null);
  // getfuncconfig refuses a mini program's own token unless the simulator is told otherwise.
  await simControl(SIM, "settings", { stableTokensOnTcb: true });
  worker = await startWorker({
    simUrl: SIM,
    secrets: { WECHAT_ACCESS_TOKEN: undefined, WECHAT_APPID: "wx-sim-app", WECHAT_APPSECRET: APP_SECRET },
    vars: { WECHAT_TIMEOUT_MS: "20000" },
  });
  api = recorder(worker.url);
});

after(async () => {
  await worker?.stop();
  if (SIM) await simControl(SIM, "reset", null);
});

const config = (functionName, type, key = KEYS.viewer) => api.request(`/api/config?env=${ENV}&function=${functionName}&type=${type}`, { key });

function assertAllServed(answers, what) {
  for (const [i, r] of answers.entries()) {
    assert.equal(r.status, 200, `${what}: request ${i}: ${r.text}`);
    assert.equal(r.json.kind, "cloudCall", `${what}: request ${i}`);
    assert.ok(r.ms < REQUEST_BOUND_MS, `${what}: request ${i} took ${r.ms} ms`);
  }
}

test("50 concurrent requests on a cold Worker all succeed, with few stable_token calls", async (t) => {
  assert.equal(await simCount(SIM, STABLE), 0);
  const answers = await burst(50, (i) => config("openapi", 1, i % 2 ? KEYS.viewer : KEYS.admin));
  assertAllServed(answers, "cold");
  const hits = await simCount(SIM, STABLE);
  t.diagnostic(`stable_token calls for 50 concurrent cold requests: ${hits}; slowest answer ${Math.max(...answers.map((r) => r.ms))} ms`);
  assert.ok(hits >= 1 && hits <= 50, `${hits} stable_token calls`);
  // The isolate lets one fetch run and the others wait for its token (see edge/src/source.js).
  assert.ok(hits <= 3, `the isolate should coalesce its token fetches, made ${hits}`);
});

test("token-status: the stable source and the time left on its token, no secret", async () => {
  const r = await api.request("/api/wechat/token-status", { key: KEYS.admin });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(Object.keys(r.json).sort(), ["accessTokenExpiresIn", "hasRefreshToken", "hasTicket", "source"]);
  assert.equal(r.json.source, "stable");
  assert.equal(r.json.hasTicket, false);
  assert.equal(r.json.hasRefreshToken, false);
  assert.ok(r.json.accessTokenExpiresIn > 300 && r.json.accessTokenExpiresIn <= 7200, r.text);
  assert.equal((await api.request("/api/wechat/token-status", { key: KEYS.viewer })).status, 403);
});

test("the tokens expire: 50 concurrent requests still all succeed, with one forced renewal", async (t) => {
  const before = await simCount(SIM, STABLE);
  await simControl(SIM, "expire-tokens", { kinds: ["stable"] });
  const answers = await burst(50, () => config("openapi", 1));
  assertAllServed(answers, "after expiry");
  const hits = (await simCount(SIM, STABLE)) - before;
  const { apps } = await simControl(SIM, "state");
  t.diagnostic(`stable_token calls for 50 concurrent requests after the expiry: ${hits} (forced: ${apps[0].forceRefreshes})`);
  assert.ok(hits >= 1 && hits <= 50, `${hits} stable_token calls`);
  assert.equal(apps[0].forceRefreshes, 1, "one force_refresh for the whole burst");
  // And the next request uses the cached token.
  assertAllServed([{ ...(await config("openapi", 1)), ms: 0 }], "afterwards");
  assert.equal((await simCount(SIM, STABLE)) - before, hits);
});

test("a ticket or refresh token is refused for the stable source (409), nothing stored", async () => {
  for (const [path, body] of [["/api/wechat/ticket", { ticket: "sim-verify-ticket" }], ["/api/wechat/refresh-token", { refreshToken: "sim-refresh-token-0" }]]) {
    const r = await api.request(path, { key: KEYS.admin, method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    assert.equal(r.status, 409, r.text);
    assert.equal(r.json.error.code, "conflict");
    assert.match(r.json.error.hint, /authorizer/);
  }
});

test("the app secret and the tokens never leave the Worker; one log line per API call", async () => {
  const apiLines = () => worker.output().split("\n").filter((line) => /^api [A-Z]+ \//.test(line));
  assert.ok(await waitFor(() => apiLines().length >= api.count), `expected ${api.count} log lines, found ${apiLines().length}`);
  assert.equal(apiLines().length, api.count);
  assert.doesNotMatch(worker.output(), /never generate a response|different request|hung|uncaught/i, "no request was cancelled or hung");
  const secrets = [APP_SECRET, KEYS.viewer, KEYS.admin];
  for (const [where, text] of [["output", worker.output()], ...api.bodies.map((b, i) => [`body ${i}`, b])]) {
    for (const secret of secrets) assert.ok(!text.includes(secret), `${where} contains a secret`);
    assert.doesNotMatch(text, ISSUED_TOKEN, `${where} contains a token`);
  }
});
