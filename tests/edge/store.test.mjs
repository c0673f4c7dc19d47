// The TokenStore Durable Object's own contract, spoken directly (tests/edge/store/ hands each
// request to the store as it is), as many isolates of the Worker would speak it: one refresh
// at a time, and one refresh however many isolates report the same rejected token.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ISSUED_TOKEN, ROOT, burst, simControl, startWorker, waitFor } from "./harness.mjs";

const SIM = process.env.SIM_URL;
const COMPONENT_SECRET = "sim-component-secret";
const AUTHORIZER = "/cgi-bin/component/api_authorizer_token";
const REQUEST_BOUND_MS = 30000;
let store;

before(async () => {
  assert.ok(SIM, "SIM_URL must point at a running tcb-sim");
  await simControl(SIM, "reset", null);
  store = await startWorker({
    simUrl: SIM,
    config: join(ROOT, "tests/edge/store/wrangler.toml"),
    secrets: { WECHAT_ACCESS_TOKEN: undefined, VIEWER_KEY: undefined, ADMIN_KEY: undefined, COMPONENT_APPSECRET: COMPONENT_SECRET },
    vars: { COMPONENT_APPID: "wx-sim-component", AUTHORIZER_APPID: "wx-sim-authorizer", WECHAT_TIMEOUT_MS: "20000" },
  });
});

after(async () => {
  await store?.stop();
  if (SIM) await simControl(SIM, "reset", null);
});

/** Asks the store for the token: `rejected` goes with force=1. Returns { status, json, ms }. */
async function token({ force = false, rejected } = {}) {
  const headers = rejected === undefined ? {} : { "X-Rejected-Token": rejected };
  const r = await fetch(`${store.url}/token?force=${force ? 1 : 0}`, { headers, signal: AbortSignal.timeout(REQUEST_BOUND_MS) });
  return { status: r.status, json: await r.json() };
}

async function put(path, body) {
  const r = await fetch(`${store.url}${path}`, { method: "PUT", body: JSON.stringify(body), signal: AbortSignal.timeout(REQUEST_BOUND_MS) });
  return { status: r.status, json: await r.json() };
}

const refreshes = async () => (await simControl(SIM, "state")).counters[AUTHORIZER] ?? 0;

/** All answers are 200 and carry one and the same token, which it returns. */
function oneToken(answers) {
  for (const r of answers) {
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.ok(r.ms < REQUEST_BOUND_MS, `took ${r.ms} ms`);
  }
  const tokens = new Set(answers.map((r) => r.json.accessToken));
  assert.equal(tokens.size, 1, "every caller got the same token");
  return [...tokens][0];
}

let current;

test("status and seeding: nothing stored, then the ticket and refresh token; never a value back", async () => {
  const empty = await fetch(`${store.url}/status`).then((r) => r.json());
  assert.deepEqual(empty, { hasTicket: false, hasRefreshToken: false });
  assert.equal((await token()).status, 503);
  assert.equal((await put("/ticket", { ticket: "" })).status, 400);
  assert.equal((await put("/refresh-token", { ticket: "sim-verify-ticket" })).status, 400);
  assert.equal((await fetch(`${store.url}/nothing`)).status, 404);
  assert.deepEqual(await put("/ticket", { ticket: "sim-verify-ticket" }), { status: 200, json: { ok: true } });
  assert.deepEqual(await put("/refresh-token", { refreshToken: "sim-refresh-token-0" }), { status: 200, json: { ok: true } });
  const seeded = await fetch(`${store.url}/status`).then((r) => r.json());
  assert.deepEqual(seeded, { hasTicket: true, hasRefreshToken: true });
});

test("30 isolates asking a cold store at once: one refresh, one token", async () => {
  current = oneToken(await burst(30, () => token()));
  assert.equal(await refreshes(), 1);
  const again = await token();
  assert.equal(again.json.accessToken, current, "cached");
  assert.ok(again.json.expiresIn > 7000 && again.json.expiresIn <= 7200);
  assert.equal(await refreshes(), 1);
});

test("30 isolates reporting the same rejected token at once, then 5 late ones: one refresh", async () => {
  await simControl(SIM, "expire-tokens", { kinds: ["authorizer"] });
  const rejected = current;
  current = oneToken(await burst(30, () => token({ force: true, rejected })));
  assert.notEqual(current, rejected);
  assert.equal(await refreshes(), 2);
  // Isolates that saw the old token rejected a little later get the new one, no refresh.
  for (let i = 0; i < 5; i++) assert.equal((await token({ force: true, rejected })).json.accessToken, current);
  // An older token reported, or force without a token: the cached one.
  assert.equal((await token({ force: true, rejected: "a-token-of-long-ago" })).json.accessToken, current);
  assert.equal((await token({ force: true })).json.accessToken, current);
  // Without force the header is not looked at.
  assert.equal((await token({ rejected: current })).json.accessToken, current);
  assert.equal(await refreshes(), 2);
});

test("the current token reported rejected: one refresh, whoever reports it", async () => {
  const rejected = current;
  current = oneToken(await burst(10, () => token({ force: true, rejected })));
  assert.notEqual(current, rejected);
  assert.equal(await refreshes(), 3);
});

test("a failed refresh is shared: one call to WeChat, every waiter gets its error; the chain survives", async () => {
  await simControl(SIM, "faults", { path: AUTHORIZER, times: 0, fault: { kind: "errcode", errcode: 61004, errmsg: "access clientip is not registered" } });
  const rejected = current;
  const answers = await burst(10, () => token({ force: true, rejected }));
  for (const r of answers) {
    assert.equal(r.status, 502, JSON.stringify(r.json));
    assert.equal(r.json.error.code, "api");
    assert.equal(r.json.error.errcode, 61004);
    assert.equal(r.json.error.raw, undefined);
  }
  assert.equal(await refreshes(), 4, "one call for the ten");
  await fetch(`${SIM}/__sim/faults`, { method: "DELETE" });
  // The failure is answered again for a moment (2 s), then the store asks WeChat again. The
  // faulted call never reached the simulated WeChat: the stored refresh token still works.
  const fresh = await waitFor(async () => {
    const r = await token({ force: true, rejected });
    return r.status === 200 && r;
  }, 20000);
  assert.ok(fresh, "the store recovers once the failure is no longer held");
  assert.notEqual(fresh.json.accessToken, rejected);
  assert.equal(await refreshes(), 5);
});

test("the store's output shows no secret, ticket or token", () => {
  const output = store.output();
  assert.doesNotMatch(output, /never generate a response|different request|hung|uncaught/i);
  for (const secret of [COMPONENT_SECRET, "sim-verify-ticket"]) assert.ok(!output.includes(secret), "a secret leaked");
  assert.doesNotMatch(output, ISSUED_TOKEN);
});
