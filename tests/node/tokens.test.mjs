// Token sources, refresh and retries through the packed package, against the simulator.
import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { ComponentClient, TcbClient, authorizerToken, componentToken, getFuncConfig, isTcbError, stableToken } from "tcb-funcconfig";
import { ENV, SIM, TOKEN, assertNoSecret, control, count, counters, fault, makeRejection, tokenSequence } from "./helpers.mjs";

// Every secret these tests use; none may ever show in an error.
const SECRETS = ["sim-app-secret", "sim-component-secret", "sim-verify-ticket", "sim-refresh-token-0", TOKEN, "sim-expired-token"];
const seenErrors = [];

/** The rejection of `promise`: a TcbError that shows none of SECRETS, kept in seenErrors. */
const rejection = makeRejection({ file: "tokens.test.mjs", secrets: SECRETS, seen: seenErrors });

beforeEach(() => control("/__sim/reset", {}));

test("a static token and a token source cannot both be given, and one is required", () => {
  for (const options of [{}, { accessToken: TOKEN, getAccessToken: async () => TOKEN }, { getAccessToken: "x" }]) {
    assert.throws(() => new TcbClient({ baseUrl: SIM, ...options }), (e) => isTcbError(e) && e.code === "invalid_argument");
  }
});

test("the token source is asked once and its token cached across calls", async () => {
  const src = tokenSequence({ accessToken: TOKEN, expiresIn: 7200 });
  const client = new TcbClient({ getAccessToken: src.fn, baseUrl: SIM });
  for (let i = 0; i < 3; i++) await client.getFuncConfig({ env: ENV, functionName: "openapi", type: 1 });
  assert.deepEqual(src.calls, [{ forceRefresh: false, hasSignal: true }]);
});

test("a token about to expire (under 300 s left) is not reused", async () => {
  const src = tokenSequence({ accessToken: TOKEN, expiresIn: 200 });
  const client = new TcbClient({ getAccessToken: src.fn, baseUrl: SIM });
  await client.getFuncConfig({ env: ENV, functionName: "openapi", type: 1 });
  await client.getFuncConfig({ env: ENV, functionName: "openapi", type: 1 });
  assert.equal(src.calls.length, 2);
});

test("an expired token: one refresh, one retry, success", async () => {
  const src = tokenSequence("sim-expired-token", TOKEN);
  const client = new TcbClient({ getAccessToken: src.fn, baseUrl: SIM });
  const c = await client.getFuncConfig({ env: ENV, functionName: "openapi", type: 1 });
  assert.equal(c.kind, "cloudCall");
  assert.deepEqual(src.calls.map((c) => c.forceRefresh), [false, true]);
  assert.equal(await count("/tcb/getfuncconfig"), 2);
});

test("40014 twice fails with its hint after exactly one refresh: never a loop", async () => {
  const src = tokenSequence("wrong-kind-1", "wrong-kind-2");
  const client = new TcbClient({ getAccessToken: src.fn, baseUrl: SIM });
  const e = await rejection(client.getFuncConfig({ env: ENV, functionName: "openapi", type: 1 }));
  assert.equal(e.errcode, 40014);
  assert.match(e.hint, /authorizer_access_token/);
  assert.equal(src.calls.length, 2);
  assert.equal(await count("/tcb/getfuncconfig"), 2);
  for (const t of ["wrong-kind-1", "wrong-kind-2"]) assert.ok(!JSON.stringify(e).includes(t) && !e.message.includes(t));
});

test("a static token that is rejected is not retried", async () => {
  const e = await rejection(getFuncConfig({ accessToken: "sim-expired-token", env: ENV, functionName: "openapi", type: 1, baseUrl: SIM }));
  assert.equal(e.errcode, 42001);
  assert.equal(await count("/tcb/getfuncconfig"), 1);
});

test("-1 twice then ok: success after 3 attempts", async () => {
  await fault({ function_name: "busyTwice", times: 2, fault: { kind: "errcode", errcode: -1 } });
  await control("/__sim/configs", { env: ENV, function_name: "busyTwice", type: 1, config: { permissions: { openapi: ["a.b"] } } });
  const c = await getFuncConfig({ accessToken: TOKEN, env: ENV, functionName: "busyTwice", type: 1, baseUrl: SIM });
  assert.deepEqual(c.openapi, ["a.b"]);
  assert.equal((await control("/__sim/requests?function_name=busyTwice")).length, 3);
});

test("45009 and 45011 are tried once only; HTTP 503 is retried", async () => {
  for (const errcode of [45009, 45011]) {
    const fn = `quota${errcode}`;
    await fault({ function_name: fn, times: 0, fault: { kind: "errcode", errcode } });
    const e = await rejection(getFuncConfig({ accessToken: TOKEN, env: ENV, functionName: fn, type: 1, baseUrl: SIM }));
    assert.equal(e.errcode, errcode);
    assert.equal((await control(`/__sim/requests?function_name=${fn}`)).length, 1);
  }
  await fault({ function_name: "gateway", times: 0, fault: { kind: "http", status: 503 } });
  const e = await rejection(getFuncConfig({ accessToken: TOKEN, env: ENV, functionName: "gateway", type: 1, baseUrl: SIM, retries: 1 }));
  assert.equal(e.httpStatus, 503);
  assert.equal((await control("/__sim/requests?function_name=gateway")).length, 2);
});

test("abort during backoff rejects at once; timeout bounds the whole call across retries", async () => {
  await fault({ function_name: "busyForever", times: 0, fault: { kind: "errcode", errcode: -1 } });
  const base = { accessToken: TOKEN, env: ENV, functionName: "busyForever", type: 1, baseUrl: SIM, retries: 10 };
  const ac = new AbortController();
  let t0 = Date.now();
  setTimeout(() => ac.abort(), 150);
  const aborted = await rejection(getFuncConfig({ ...base, signal: ac.signal, timeoutMs: 60000 }));
  assert.equal(aborted.code, "aborted");
  assert.ok(Date.now() - t0 < 600, `aborted after ${Date.now() - t0} ms`);

  t0 = Date.now();
  const timedOut = await rejection(getFuncConfig({ ...base, timeoutMs: 400 }));
  assert.equal(timedOut.code, "timeout");
  const took = Date.now() - t0;
  assert.ok(took >= 350 && took < 400 + 200, `settled after ${took} ms`);
});

test("a token source that is slow counts against timeoutMs; one that throws is a token error", async () => {
  const slow = new TcbClient({ getAccessToken: () => new Promise(() => {}), baseUrl: SIM, timeoutMs: 300 });
  const t0 = Date.now();
  const e = await rejection(slow.getFuncConfig({ env: ENV, functionName: "openapi", type: 1 }));
  assert.equal(e.code, "timeout");
  assert.ok(Date.now() - t0 < 800);
  for (const getAccessToken of [async () => { throw new Error("kv down: secret=hunter2"); }, () => { throw "x"; }, async () => 42, async () => ({ accessToken: "has space" })]) {
    const c = new TcbClient({ getAccessToken, baseUrl: SIM });
    const err = await rejection(c.getFuncConfig({ env: ENV, functionName: "openapi", type: 1 }));
    assert.equal(err.code, "token");
    assert.ok(!JSON.stringify(err).includes("hunter2") && !err.message.includes("hunter2"));
  }
  assert.equal(await count("/tcb/getfuncconfig"), 0, "nothing was sent without a token");
});

test("getAllConfigs with a cold cache: exactly one token fetch; an expired token: exactly one refresh", async () => {
  const src = tokenSequence(TOKEN);
  const all = await new TcbClient({ getAccessToken: src.fn, baseUrl: SIM }).getAllConfigs(ENV, "orderSync");
  assert.ok(all.cloudCall && all.timerTrigger && all.environment);
  assert.equal(src.calls.length, 1);

  const expiring = tokenSequence("sim-expired-token", TOKEN);
  const again = await new TcbClient({ getAccessToken: expiring.fn, baseUrl: SIM }).getAllConfigs(ENV, "orderSync");
  assert.equal(again.environment.timeout, 20);
  assert.deepEqual(expiring.calls.map((c) => c.forceRefresh), [false, true]);
});

test("stableToken: one token endpoint call for many calls; a forced refresh after expiry", async () => {
  await control("/__sim/settings", { stableTokensOnTcb: true });
  const client = new TcbClient({ getAccessToken: stableToken({ appid: "wx-sim-app", secret: "sim-app-secret", baseUrl: SIM }), baseUrl: SIM });
  for (let i = 0; i < 3; i++) await client.getFuncConfig({ env: ENV, functionName: "openapi", type: 1 });
  assert.equal(await count("/cgi-bin/stable_token"), 1);
  const sent = await control("/__sim/requests?path=/cgi-bin/stable_token");
  assert.ok(!sent[0].query.includes("secret"), "the secret is never in the URL");
  assert.equal(JSON.parse(sent[0].body).force_refresh, false);

  await control("/__sim/expire-tokens", {});
  await client.getFuncConfig({ env: ENV, functionName: "openapi", type: 1 });
  const all = await control("/__sim/requests?path=/cgi-bin/stable_token");
  assert.equal(all.length, 2, "one refresh after the rejection");
  assert.equal(JSON.parse(all[1].body).force_refresh, true);
  assert.ok(!JSON.stringify(client).includes("sim-app-secret") && !inspect(client).includes("sim-app-secret"));
});

test("stableToken errors carry WeChat's errcode and hint, never the secret", async () => {
  const bad = new TcbClient({ getAccessToken: stableToken({ appid: "wx-sim-app", secret: "wrong-secret-xyz", baseUrl: SIM }), baseUrl: SIM });
  const e = await rejection(bad.getFuncConfig({ env: ENV, functionName: "openapi", type: 1 }));
  assert.equal(e.errcode, 40125);
  assert.match(e.hint, /secret/);
  assert.ok(!JSON.stringify(e).includes("wrong-secret-xyz") && !inspect(e).includes("wrong-secret-xyz"));
  assert.throws(() => stableToken({ appid: "wx", secret: "" }), (e) => e.code === "invalid_argument");
});

function chain(overrides = {}) {
  const saved = [];
  let refresh = "sim-refresh-token-0";
  const log = [];
  const getAccessToken = authorizerToken({
    componentAppid: "wx-sim-component",
    componentAppsecret: "sim-component-secret",
    getComponentVerifyTicket: async () => (log.push("ticket"), "sim-verify-ticket"),
    authorizerAppid: "wx-sim-authorizer",
    getAuthorizerRefreshToken: async () => (log.push("refresh"), refresh),
    saveAuthorizerRefreshToken: async (t) => {
      log.push("save");
      saved.push(t);
      refresh = t;
    },
    baseUrl: SIM,
    ...overrides,
  });
  return { getAccessToken, saved, log, current: () => refresh };
}

test("authorizerToken: the chain works and a rotated refresh token is saved before use", async () => {
  const c = chain();
  const client = new TcbClient({ getAccessToken: c.getAccessToken, baseUrl: SIM });
  const config = await client.getFuncConfig({ env: ENV, functionName: "orderSync", type: 3 });
  assert.equal(config.timeout, 20);
  assert.deepEqual(c.log, ["refresh", "ticket", "save"]);
  const state = await control("/__sim/state");
  assert.equal(state.authorizers[0].refresh_token, c.current(), "the saved token is the one WeChat now expects");
  assert.notEqual(c.current(), "sim-refresh-token-0");
  // The token fetch happened before the getfuncconfig request that used its result.
  const order = (await control("/__sim/requests")).map((r) => r.path);
  assert.deepEqual(order, ["/cgi-bin/component/api_component_token", "/cgi-bin/component/api_authorizer_token", "/tcb/getfuncconfig"]);

  // Forced expiry of the access tokens: exactly one more authorizer refresh for the three
  // requests of getAllConfigs, and the cached component token is reused.
  await control("/__sim/expire-tokens", { kinds: ["stable", "authorizer"] });
  await client.getAllConfigs(ENV, "orderSync");
  const counts = await counters();
  assert.equal(counts["/cgi-bin/component/api_authorizer_token"], 2);
  assert.equal(counts["/cgi-bin/component/api_component_token"], 1);
});

test("authorizerToken: a lost refresh token (61023) and a failed save are explained, never leaked", async () => {
  const stale = chain({ getAuthorizerRefreshToken: async () => "stale-refresh-token" });
  const e = await rejection(new TcbClient({ getAccessToken: stale.getAccessToken, baseUrl: SIM }).getFuncConfig({ env: ENV, functionName: "openapi", type: 1 }));
  assert.equal(e.errcode, 61023);
  assert.match(e.hint, /re-authorize/);
  assert.ok(!JSON.stringify(e).includes("stale-refresh-token"));

  const failing = chain({ saveAuthorizerRefreshToken: async () => { throw new Error("disk full"); } });
  const e2 = await rejection(new TcbClient({ getAccessToken: failing.getAccessToken, baseUrl: SIM }).getFuncConfig({ env: ENV, functionName: "openapi", type: 1 }));
  assert.equal(e2.code, "token");
  assert.match(e2.hint, /refresh_token/);
  assert.equal(await count("/tcb/getfuncconfig"), 0, "the new access token was not used");

  await control("/__sim/settings", { ipWhitelisted: false });
  const e3 = await rejection(new TcbClient({ getAccessToken: chain().getAccessToken, baseUrl: SIM }).getFuncConfig({ env: ENV, functionName: "openapi", type: 1 }));
  assert.equal(e3.errcode, 61004);
  assert.match(e3.hint, /relay/);
});

const COMPONENT_TOKEN_PATH = "/cgi-bin/component/api_component_token";
const AUTHORIZER_TOKEN_PATH = "/cgi-bin/component/api_authorizer_token";

/** An authorizer source of generated account `i` (mock/README.md "Many authorizers") taking the platform's component token. */
function sharedChain(i, getComponentAccessToken) {
  let refresh = `sim-refresh-app-${String(i).padStart(4, "0")}`;
  return authorizerToken({
    componentAppid: "wx-sim-component",
    getComponentAccessToken,
    authorizerAppid: `wx-sim-app-${String(i).padStart(4, "0")}`,
    getAuthorizerRefreshToken: () => refresh,
    saveAuthorizerRefreshToken: (t) => { refresh = t; },
    baseUrl: SIM,
  });
}

test("one component token for the platform: 12 authorizer sources and the platform's own calls fetch it once", async () => {
  await control("/__sim/authorizers", { count: 12 });
  let ticketAsked = 0;
  const platform = new ComponentClient({
    componentAppid: "wx-sim-component",
    componentAppsecret: "sim-component-secret",
    getComponentVerifyTicket: () => (ticketAsked++, "sim-verify-ticket"),
    baseUrl: SIM,
  });
  const asked = [];
  const shared = (ctx) => (asked.push(ctx.forceRefresh), platform.componentAccessToken(ctx));
  const sources = Array.from({ length: 12 }, (_, i) => sharedChain(i + 1, shared));
  const issued = await Promise.all(sources.map((get) => get({})));
  assert.equal(new Set(issued.map((t) => t.accessToken)).size, 12, "one authorizer token each");
  assert.ok(issued.every((t) => /^sim-authorizer-/.test(t.accessToken) && t.expiresIn > 7000));
  const listed = await platform.getAuthorizerList({ count: 20 });
  assert.ok(listed.totalCount >= 12);
  // Every source asked the shared one, none forced; WeChat saw one component token request.
  assert.deepEqual(asked, Array(12).fill(false));
  assert.equal(await count(COMPONENT_TOKEN_PATH), 1);
  assert.equal(await count(AUTHORIZER_TOKEN_PATH), 12);
  assert.equal(ticketAsked, 1);

  // The shared token expires: the first authorizer refresh sees it rejected and asks again with
  // forceRefresh; the platform's cache serves everyone else the new one.
  await control("/__sim/expire-tokens", { kinds: ["component"] });
  asked.length = 0;
  const again = await sources[0]({});
  assert.match(again.accessToken, /^sim-authorizer-/);
  assert.deepEqual(asked, [false, true]);
  assert.equal(await count(COMPONENT_TOKEN_PATH), 2);
  await Promise.all(sources.slice(1, 6).map((get) => get({})));
  assert.equal(await count(COMPONENT_TOKEN_PATH), 2, "the renewed token served the others");
  assert.equal(await count(AUTHORIZER_TOKEN_PATH), 12 + 1 + 1 + 5, "the rejected authorizer request, then one per source");
});

test("getComponentAccessToken: a token WeChat keeps rejecting is asked again once with forceRefresh, never in a loop", async () => {
  const asked = [];
  const get = sharedChain(1, (ctx) => (asked.push(ctx.forceRefresh), { accessToken: "sim-expired-token", expiresIn: 7200 }));
  await control("/__sim/authorizers", { count: 1 });
  const e = await rejection(get({}));
  assert.equal(e.errcode, 40001);
  assert.deepEqual(asked, [false, true]);
  assert.equal(await count(AUTHORIZER_TOKEN_PATH), 2);
  assert.equal(await count(COMPONENT_TOKEN_PATH), 0);

  // A source that throws, or gives no token, is a token error.
  const thrown = await rejection(sharedChain(1, () => { throw new Error("sim-component-secret leaked?"); })({}));
  assert.equal(thrown.code, "token");
  assert.match(thrown.message, /getComponentAccessToken/);
  const empty = await rejection(sharedChain(1, () => ({ accessToken: "" }))({}));
  assert.equal(empty.code, "token");
});

test("componentToken: a fetching source a ComponentClient caches; exactly one way to give a component token", async () => {
  const source = componentToken({
    componentAppid: "wx-sim-component",
    componentAppsecret: "sim-component-secret",
    getComponentVerifyTicket: async () => "sim-verify-ticket",
    baseUrl: SIM,
  });
  const first = await source({});
  assert.match(first.accessToken, /^sim-component-/);
  assert.ok(first.expiresIn > 7000);
  const platform = new ComponentClient({ componentAppid: "wx-sim-component", getComponentAccessToken: source, baseUrl: SIM });
  await platform.getAuthorizerList();
  await platform.getAuthorizerList();
  assert.equal(await count(COMPONENT_TOKEN_PATH), 2, "one by the call above, one cached by the client");

  const wrong = componentToken({ componentAppid: "wx-sim-component", componentAppsecret: "sim-component-secret", getComponentVerifyTicket: () => "sim-verify-ticket-wrong", baseUrl: SIM });
  const refused = await rejection(wrong({}));
  assert.ok(refused.errcode > 0);

  const both = (extra) => () => authorizerToken({
    componentAppid: "wx-sim-component",
    getComponentAccessToken: () => "x",
    authorizerAppid: "wx-sim-authorizer",
    getAuthorizerRefreshToken: () => "r",
    saveAuthorizerRefreshToken: () => {},
    ...extra,
  });
  for (const extra of [{ componentAppsecret: "sim-component-secret" }, { getComponentVerifyTicket: () => "t" }]) {
    assert.throws(both(extra), (e) => {
      seenErrors.push(e);
      return isTcbError(e) && e.code === "invalid_argument" && /getComponentAccessToken/.test(e.message) && /either/.test(e.message) && !JSON.stringify(e).includes("sim-component-secret");
    });
  }
  assert.throws(both({ getComponentAccessToken: "not a function" }), (e) => e.code === "invalid_argument" && /getComponentAccessToken/.test(e.message));
  assert.throws(() => new ComponentClient({ componentAppid: "wx-sim-component", componentAppsecret: "sim-component-secret", getComponentAccessToken: source }), (e) => {
    seenErrors.push(e);
    return e.code === "invalid_argument" && /getComponentAccessToken/.test(e.message);
  });
  assert.throws(() => componentToken({ componentAppid: "wx-sim-component", componentAppsecret: "sim-component-secret" }), (e) => e.code === "invalid_argument" && /getComponentVerifyTicket/.test(e.message));
});

test("no secret in any error of this file", () => {
  assert.ok(seenErrors.length >= 10);
  for (const e of seenErrors) assertNoSecret(e, SECRETS);
});
