// The third-party platform's calls through the packed package, against the simulator: the
// component client (pre-auth codes, links, query_auth, authorizer info and list) and getEnvInfo.
import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { ComponentClient, TcbClient, isTcbError } from "tcb-funcconfig";
import { ENV, SIM, TOKEN, assertNoSecret, control, count, counters, fault, makeRejection } from "./helpers.mjs";

const COMPONENT = "wx-sim-component";
const SECRET = "sim-component-secret";
const TICKET = "sim-verify-ticket";
const AUTHORIZER = "wx-sim-authorizer";
const SECRETS = [SECRET, TICKET, "sim-refresh-token-0", TOKEN];
const rejection = makeRejection({ file: "platform.test.mjs", secrets: SECRETS });

const QUERY_AUTH = "/cgi-bin/component/api_query_auth";
const LIST = "/cgi-bin/component/api_get_authorizer_list";
const COMPONENT_TOKEN = "/cgi-bin/component/api_component_token";

/** A client for the seeded platform; `options` override the defaults. */
const component = (options = {}) =>
  new ComponentClient({ componentAppid: COMPONENT, componentAppsecret: SECRET, componentVerifyTicket: TICKET, baseUrl: SIM, ...options });

/** Every component token the simulator issued (read from the queries it received). */
async function issuedComponentTokens() {
  const records = await control("/__sim/requests");
  return records.map((r) => new URLSearchParams(r.query).get("component_access_token")).filter(Boolean);
}

/** Authorizes a new mini program on the simulator's authorization page; the redirect's code. */
async function authorize(client) {
  const { preAuthCode } = await client.createPreAuthCode();
  const q = new URLSearchParams({ component_appid: COMPONENT, pre_auth_code: preAuthCode, redirect_uri: "http://127.0.0.1/cb", auth_type: "2" });
  const res = await fetch(`${SIM}/__sim/authorize?${q}`, { redirect: "manual" });
  assert.equal(res.status, 302);
  const location = new URL(res.headers.get("location"));
  assert.equal(location.searchParams.get("expires_in"), "600");
  return location.searchParams.get("auth_code");
}

beforeEach(() => control("/__sim/reset", {}));

test("bad options and arguments are refused before anything is sent", async () => {
  const base = { componentAppid: COMPONENT, componentAppsecret: SECRET, baseUrl: SIM };
  for (const [options, field] of [
    [{ ...base, componentVerifyTicket: TICKET, getComponentVerifyTicket: () => TICKET }, "componentVerifyTicket"],
    [base, "componentVerifyTicket"],
    [{ ...base, getComponentVerifyTicket: "x" }, "getComponentVerifyTicket"],
    [{ ...base, componentAppid: "wx bad", componentVerifyTicket: TICKET }, "componentAppid"],
    [{ ...base, componentAppsecret: "", componentVerifyTicket: TICKET }, "componentAppsecret"],
    [{ ...base, componentVerifyTicket: "tick et" }, "componentVerifyTicket"],
    [{ ...base, componentVerifyTicket: TICKET, baseUrl: "ftp://x" }, "baseUrl"],
    [{ ...base, componentVerifyTicket: TICKET, timeoutMs: 0 }, "timeoutMs"],
  ]) {
    assert.throws(() => new ComponentClient(options), (e) => {
      assert.ok(isTcbError(e) && e.code === "invalid_argument", inspect(e));
      assert.ok(e.message.startsWith(field), `${e.message} names ${field}`);
      assertNoSecret(e, SECRETS);
      return true;
    });
  }
  const client = component();
  for (const [call, field] of [
    [() => client.queryAuth(""), "authorizationCode"],
    [() => client.queryAuth("code with space"), "authorizationCode"],
    [() => client.queryAuth(42), "authorizationCode"],
    [() => client.getAuthorizerInfo("wx\"x"), "authorizerAppid"],
    [() => client.getAuthorizerList({ count: 501 }), "count"],
    [() => client.getAuthorizerList({ count: 0 }), "count"],
    [() => client.getAuthorizerList({ offset: -1 }), "offset"],
    [() => client.getAuthorizerList({ count: "5" }), "count"],
    [() => client.createPreAuthCode({ signal: "x" }), "signal"],
    [() => client.getAllAuthorizers({ signal: 1 }), "signal"],
    [() => new TcbClient({ accessToken: TOKEN, baseUrl: SIM }).getEnvInfo({ env: "bad env" }), "env"],
  ]) {
    const e = await rejection(call());
    assert.equal(e.code, "invalid_argument");
    assert.ok(e.message.startsWith(field), `${e.message} names ${field}`);
  }
  for (const [args, field] of [
    [["", "https://p.example.com/cb"], "preAuthCode"],
    [["preauthcode@@@x", "https://p.example.com/cb#x"], "redirectUri"],
    [["preauthcode@@@x", "javascript:alert(1)"], "redirectUri"],
    [["preauthcode@@@x"], "redirectUri"],
  ]) {
    assert.throws(() => client.authorizationLinks(...args), (e) => isTcbError(e) && e.code === "invalid_argument" && e.message.startsWith(field));
  }
  assert.deepEqual((await counters()), {}, "nothing reached the simulator");
});

test("the authorization links carry auth_type=2 and the encoded values", () => {
  const links = component().authorizationLinks("preauthcode@@@abc", "https://p.example.com/cb?x=1");
  const pc = new URL(links.pc);
  assert.equal(pc.origin + pc.pathname, "https://mp.weixin.qq.com/cgi-bin/componentloginpage");
  assert.deepEqual(Object.fromEntries(pc.searchParams), {
    component_appid: COMPONENT,
    pre_auth_code: "preauthcode@@@abc",
    redirect_uri: "https://p.example.com/cb?x=1",
    auth_type: "2",
  });
  const mobile = new URL(links.mobile);
  assert.equal(mobile.origin + mobile.pathname, "https://open.weixin.qq.com/wxaopen/safe/bindcomponent");
  assert.equal(mobile.hash, "#wechat_redirect");
  assert.equal(mobile.searchParams.get("action"), "bindcomponent");
  assert.equal(mobile.searchParams.get("no_scan"), "1");
  assert.equal(mobile.searchParams.get("auth_type"), "2");
  assert.equal(mobile.searchParams.get("redirect_uri"), "https://p.example.com/cb?x=1");
});

test("authorize a mini program, exchange its code once, read its environments with its token", async () => {
  let asked = 0;
  const client = component({ componentVerifyTicket: undefined, getComponentVerifyTicket: async () => (asked++, TICKET) });
  const pre = await client.createPreAuthCode();
  assert.match(pre.preAuthCode, /^preauthcode@@@/);
  assert.equal(pre.expiresIn, 1800);
  const code = await authorize(client);
  const auth = await client.queryAuth(code);
  assert.match(auth.authorizerAppid, /^wx-sim-new-/);
  assert.ok(auth.authorizerAccessToken && auth.authorizerRefreshToken);
  assert.equal(auth.expiresIn, 7200);
  assert.deepEqual(auth.funcInfo, [17, 18, 19, 49]);

  const used = await rejection(client.queryAuth(code));
  assert.equal(used.errcode, 61009);
  assert.match(used.hint, /once/);
  assert.equal(await count(QUERY_AUTH), 2, "each exchange sent once");
  assertNoSecret(used, [code, auth.authorizerAccessToken, auth.authorizerRefreshToken, ...(await issuedComponentTokens())]);

  const info = await client.getAuthorizerInfo(auth.authorizerAppid);
  assert.equal(info.authorizerAppid, auth.authorizerAppid);
  assert.equal(info.isMiniProgram, true);
  assert.deepEqual(info.funcInfo, [17, 18, 19, 49]);

  const tcb = new TcbClient({ accessToken: auth.authorizerAccessToken, baseUrl: SIM });
  const { environments } = await tcb.getEnvInfo();
  assert.deepEqual(environments.map((e) => e.env), [`prod-${auth.authorizerAppid}`]);
  assert.equal(environments[0].status, "NORMAL");
  assert.equal(asked, 1, "one ticket read for one component token");
  assert.equal(await count(COMPONENT_TOKEN), 1, "the component token is cached across calls");
});

test("getEnvInfo lists the environments in WeChat's words, one when asked", async () => {
  const tcb = new TcbClient({ accessToken: TOKEN, baseUrl: SIM });
  const all = await tcb.getEnvInfo();
  const seeded = all.environments.find((e) => e.env === ENV);
  assert.deepEqual(Object.keys(seeded).sort(), ["alias", "createTime", "env", "packageId", "packageName", "status", "updateTime"]);
  assert.equal(seeded.alias, "test");
  assert.equal(seeded.packageId, "basic");
  assert.equal(seeded.packageName, "基础版");
  assert.match(seeded.createTime, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  assert.deepEqual((await tcb.getEnvInfo({ env: ENV })).environments, [seeded]);
  assert.deepEqual((await tcb.getEnvInfo({ env: "no-such-env" })).environments, []);
  const requests = await control("/__sim/requests?path=/tcb/getenvinfo");
  assert.deepEqual(requests.map((r) => JSON.parse(r.body)), [{}, { env: ENV }, { env: "no-such-env" }]);

  await fault({ path: "/tcb/getenvinfo", fault: { kind: "errcode", errcode: 85088 } });
  const e = await rejection(tcb.getEnvInfo());
  assert.equal(e.errcode, 85088);
  assert.match(e.hint, /enable cloud development/);
  assert.equal(e.retryable, false);
});

test("an account's profile; one that did not authorize the platform is 61003", async () => {
  const client = component();
  const info = await client.getAuthorizerInfo(AUTHORIZER);
  assert.equal(info.nickName, `Sim ${AUTHORIZER}`);
  assert.equal(info.principalName, "Sim Principal");
  assert.match(info.userName, /^gh_/);
  assert.equal(info.isMiniProgram, true);
  assert.deepEqual(info.funcInfo, [17, 18, 19, 49]);
  assert.ok(!JSON.stringify(info).includes("sim-refresh-token-0"), "the refresh token is left out");
  const e = await rejection(client.getAuthorizerInfo("wx-not-authorized"));
  assert.equal(e.errcode, 61003);
  assert.match(e.hint, /authorize/);
});

test("the authorizer list: one page, and every account 500 at a time", async () => {
  await control("/__sim/authorizers", { count: 1203 });
  const client = component();
  const page = await client.getAuthorizerList({ offset: 1, count: 2 });
  assert.equal(page.totalCount, 1204);
  assert.deepEqual(page.list.map((a) => a.authorizerAppid), ["wx-sim-app-0002", "wx-sim-app-0003"]);
  assert.deepEqual(page.list[0], { authorizerAppid: "wx-sim-app-0002", refreshToken: "sim-refresh-app-0002", authTime: 1700000000 + 3600 * 2 });
  assert.deepEqual(JSON.parse((await control(`/__sim/requests?path=${LIST}`))[0].body), { component_appid: COMPONENT, offset: 1, count: 2 });

  const all = await client.getAllAuthorizers();
  assert.equal(all.totalCount, 1204);
  assert.equal(all.list.length, 1204);
  assert.equal(new Set(all.list.map((a) => a.authorizerAppid)).size, 1204);
  assert.ok(all.list.some((a) => a.authorizerAppid === AUTHORIZER));
  const pages = (await control(`/__sim/requests?path=${LIST}`)).slice(1).map((r) => JSON.parse(r.body));
  assert.deepEqual(pages.map((b) => [b.offset, b.count]), [[0, 500], [500, 500], [1000, 500]]);
});

test("queryAuth is never sent twice: a reset or a 502 after sending is unknown_outcome", async () => {
  const client = component();
  for (const f of [{ kind: "reset" }, { kind: "http", status: 502 }]) {
    await control("/__sim/reset", {});
    const code = await authorize(client);
    await fault({ path: QUERY_AUTH, fault: f });
    const e = await rejection(client.queryAuth(code));
    assert.equal(e.code, "unknown_outcome", f.kind);
    assert.match(e.hint, /not repeated/);
    assertNoSecret(e, code);
    assert.equal(await count(QUERY_AUTH), 1, `${f.kind}: sent once`);
  }
  // A read is retried as usual.
  await fault({ path: "/cgi-bin/component/api_get_authorizer_info", fault: { kind: "http", status: 502 } });
  assert.equal((await client.getAuthorizerInfo(AUTHORIZER)).nickName, `Sim ${AUTHORIZER}`);
  assert.equal(await count("/cgi-bin/component/api_get_authorizer_info"), 2);
});

test("a component token the server rejects is replaced once; a 61010 code is expired", async () => {
  const client = component();
  await client.createPreAuthCode();
  await control("/__sim/expire-tokens", { kinds: ["component"] });
  await client.createPreAuthCode();
  assert.equal(await count(COMPONENT_TOKEN), 2, "one fresh token after the 42001");
  assert.equal(await count("/cgi-bin/component/api_create_preauthcode"), 3);

  const code = await authorize(client);
  // WeChat's answer for a code older than 600 s. The simulator's clock is left alone: it never
  // goes back, and the layers run after this one push with its time.
  await fault({ path: "/cgi-bin/component/api_query_auth", fault: { kind: "errcode", errcode: 61010, errmsg: "authorization code expired" } });
  const e = await rejection(client.queryAuth(code));
  assert.equal(e.errcode, 61010);
  assert.match(e.hint, /600 s/);
});

test("ticket and whitelist errors carry their hints and no secret", async () => {
  const stale = component({ componentVerifyTicket: "ticket@@@stale" });
  const e = await rejection(stale.createPreAuthCode());
  assert.equal(e.errcode, 61006);
  assert.match(e.hint, /latest component_verify_ticket/);
  assertNoSecret(e, "ticket@@@stale");

  const throwing = component({ componentVerifyTicket: undefined, getComponentVerifyTicket: async () => { throw new Error(`kv down ${TICKET}`); } });
  const t = await rejection(throwing.getAuthorizerList());
  assert.equal(t.code, "token");

  await control("/__sim/settings", { ipWhitelisted: false });
  const w = await rejection(component().getAllAuthorizers());
  assert.equal(w.errcode, 61004);
  assert.match(w.hint, /relay/);
  assert.equal(await count(LIST), 0, "nothing listed without a token");
});

test("a client shows none of its secrets", async () => {
  const client = component();
  await client.createPreAuthCode();
  const shown = [JSON.stringify(client), inspect(client, { depth: 10, showHidden: true }), String(client)];
  for (const text of shown) {
    for (const s of [SECRET, TICKET, ...(await issuedComponentTokens())]) assert.ok(!text.includes(s), `${s} in ${text}`);
  }
});
