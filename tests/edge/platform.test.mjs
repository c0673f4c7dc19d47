// One Worker for a whole third-party platform (COMPONENT_APPID + COMPONENT_APPSECRET, no
// AUTHORIZER_APPID), in workerd against the simulator: the ticket WeChat pushes, the round trip
// through the authorization page, importing every existing authorization, the registry's
// listing (filtered and paged in SQLite), the profiles read by the Platform object's alarm, and
// the cut-off of an app that withdrew (`unauthorized` push) or whose refresh token died (61023).
// The simulator sends the pushes itself (`/__sim/push`), sealed with the platform's keys.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { SECRET_PATTERNS, SECRETS } from "../secrets.mjs";
import { ISSUED_TOKEN, KEYS, recorder, simControl, startWorker, waitFor } from "./harness.mjs";

const SIM = process.env.SIM_URL;
const COMPONENT_APPID = "wx-sim-component";
// The simulator's defaults for the platform's message token and EncodingAESKey (mock/README.md).
const MESSAGE_TOKEN = "sim-component-token";
const AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
const SEEDED_APPID = "wx-sim-authorizer";
const COMPONENT = "/cgi-bin/component/api_component_token";
const LIST = "/cgi-bin/component/api_get_authorizer_list";
const QUERY_AUTH = "/cgi-bin/component/api_query_auth";
const INFO = "/cgi-bin/component/api_get_authorizer_info";
const SETTINGS = {
  secrets: { WECHAT_ACCESS_TOKEN: undefined, COMPONENT_APPSECRET: "sim-component-secret", COMPONENT_TOKEN: MESSAGE_TOKEN, COMPONENT_AES_KEY: AES_KEY },
  vars: { COMPONENT_APPID, WECHAT_TIMEOUT_MS: "20000" },
};
const ALARM_WAIT_MS = 180000;

let worker, api;
/** Every authorization code seen in a redirect: none may show in any output. */
const codes = [];

before(async () => {
  assert.ok(SIM, "SIM_URL must point at a running tcb-sim");
  await simControl(SIM, "reset", null);
  worker = await startWorker({ simUrl: SIM, ...SETTINGS });
  api = recorder(worker.url);
});

after(async () => {
  await worker?.stop();
  if (SIM) {
    await simControl(SIM, "authorizers", { count: 0 }).catch(() => {});
    await simControl(SIM, "reset", null);
  }
});

// --- helpers ---------------------------------------------------------------------------------

const counters = async () => (await simControl(SIM, "state")).counters;
const count = async (path) => (await counters())[path] ?? 0;
const get = (path, key = KEYS.viewer) => api.request(path, { key });
const post = (path, body = {}, key = KEYS.admin) =>
  api.request(path, { key, method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
const push = (infoType, authorizerAppid) =>
  simControl(SIM, "push", { url: `${worker.url}/wechat/events`, info_type: infoType, ...(authorizerAppid ? { authorizer_appid: authorizerAppid } : {}) });
const apps = (query = "") => get(`/api/apps${query ? `?${query}` : ""}`);

/** GET /wechat/authorized as the browser would follow WeChat's redirect (no key). */
async function followRedirect(location) {
  const r = await fetch(location, { redirect: "manual", signal: AbortSignal.timeout(60000) });
  const text = await r.text();
  api.bodies.push(text);
  return { status: r.status, location: r.headers.get("location"), headers: r.headers, text };
}

/**
 * The way back of a link the Worker made (its signed `state`), with `code` as the auth_code
 * WeChat would add: for codes the simulator never issued or answers with a fault.
 */
async function wayBack(code) {
  const links = await post("/api/apps/authorize");
  assert.equal(links.status, 200, links.text);
  const url = new URL(links.json.redirectUri);
  url.searchParams.set("auth_code", code);
  url.searchParams.set("expires_in", "600");
  return url.href;
}

/** The ticket sent by the simulator's last api_component_token request. */
async function lastComponentTicket() {
  const requests = await simControl(SIM, `requests?path=${encodeURIComponent(COMPONENT)}`);
  assert.ok(requests.length > 0, "no component token was fetched");
  return JSON.parse(requests.at(-1).body).component_verify_ticket;
}

/** A generated account as mock/README.md's rules make it ("Many authorizers"). */
function generated(i) {
  const n = String(i).padStart(4, "0");
  const funcInfo = i % 10 === 0 ? [17, 18, 19] : [17, 18, 19, 49];
  return {
    appid: `wx-sim-app-${n}`,
    nickName: `Sim App ${n}`,
    headImg: `http://wx.qlogo.cn/mmopen/sim-app-${n}/0`,
    principalName: `Sim Company ${((i - 1) % 10) + 1}`,
    funcInfo,
    cloudDevelopment: funcInfo.includes(49),
  };
}

const byNameThenAppid = (a, b) => (a.nickName < b.nickName ? -1 : a.nickName > b.nickName ? 1 : a.appid < b.appid ? -1 : a.appid > b.appid ? 1 : 0);
const matchesQ = (app, q) => app.appid.toLowerCase().includes(q.toLowerCase()) || (app.nickName ?? "").toLowerCase().includes(q.toLowerCase());
const comparable = ({ appid, nickName, headImg, principalName, funcInfo, cloudDevelopment }) => ({ appid, nickName, headImg, principalName, funcInfo, cloudDevelopment });

/** Waits until the alarm has read every profile (the last row in the order has a nickname). */
async function profilesFilled() {
  const filled = await waitFor(async () => {
    const first = await apps("limit=1");
    const last = await apps(`offset=${first.json.total - 1}&limit=1`);
    return last.json.apps[0]?.nickName ? first.json.total : 0;
  }, ALARM_WAIT_MS);
  assert.ok(filled, "the alarm did not read every profile");
  return filled;
}

// --- the tests ------------------------------------------------------------------------------

let newApp;

test("before a ticket: the platform says what to do, and asks WeChat nothing", async () => {
  const listed = await apps();
  assert.equal(listed.status, 200, listed.text);
  assert.deepEqual(listed.json, { mode: "platform", total: 0, offset: 0, limit: 50, apps: [] });
  const links = await post("/api/apps/authorize");
  assert.equal(links.status, 503, links.text);
  assert.equal(links.json.error.code, "no_ticket");
  assert.match(links.json.error.hint, /\/wechat\/events/);
  // No link could be made, so no way back is signed: a code arriving anyway is not exchanged.
  const redirect = await followRedirect(`${worker.url}/wechat/authorized?auth_code=queryauthcode@@@not-exchanged&expires_in=600`);
  assert.equal(redirect.status, 303);
  assert.equal(redirect.location, "/?authorization_error=invalid_link");
  const status = await get("/api/wechat/token-status", KEYS.admin);
  assert.deepEqual(status.json, { source: "platform", hasTicket: false });
  // An app route without appid, or with one that is not registered.
  const missing = await get("/api/functions?env=test-777bb9");
  assert.equal(missing.status, 400, missing.text);
  assert.equal(missing.json.error.code, "invalid_argument");
  assert.equal(missing.json.error.hint, "choose a mini program: pass appid");
  const unknown = await get(`/api/functions?appid=${SEEDED_APPID}&env=test-777bb9`);
  assert.equal(unknown.status, 404, unknown.text);
  assert.equal(unknown.json.error.code, "unknown_app");
  assert.deepEqual(await counters(), {}, "nothing was asked of WeChat");
});

test("a pushed ticket is stored, and the next component token fetch uses it", async () => {
  const sent = await push("component_verify_ticket");
  assert.equal(sent.status, 200, JSON.stringify(sent));
  assert.equal(sent.success, true, JSON.stringify(sent));
  assert.equal((await get("/api/wechat/token-status", KEYS.admin)).json.hasTicket, true);
  const links = await post("/api/apps/authorize");
  assert.equal(links.status, 200, links.text);
  assert.equal(await count(COMPONENT), 1);
  const ticket = await lastComponentTicket();
  assert.match(ticket, /^ticket@@@sim-\d+-[0-9a-f]{32}$/, "the ticket the simulator pushed, not its seeded one");
});

test("authorization round trip: links → the authorization page → /wechat/authorized → 303 → registered with its profile", async () => {
  const links = await post("/api/apps/authorize");
  assert.equal(links.status, 200, links.text);
  const { pc, mobile, redirectUri, expiresIn } = links.json;
  const way = new URL(redirectUri);
  assert.equal(way.origin + way.pathname, `${worker.url}/wechat/authorized`);
  assert.match(way.searchParams.get("state"), /^[0-9]+\.[A-Za-z0-9_-]{43}$/);
  assert.deepEqual([...way.searchParams.keys()], ["state"]);
  assert.equal(expiresIn, 1800);
  const pcUrl = new URL(pc);
  assert.equal(pcUrl.origin + pcUrl.pathname, "https://mp.weixin.qq.com/cgi-bin/componentloginpage");
  assert.equal(pcUrl.searchParams.get("auth_type"), "2");
  assert.equal(pcUrl.searchParams.get("redirect_uri"), redirectUri);
  assert.equal(pcUrl.searchParams.get("component_appid"), COMPONENT_APPID);
  assert.match(mobile, /^https:\/\/open\.weixin\.qq\.com\/wxaopen\/safe\/bindcomponent\?.*auth_type=2.*#wechat_redirect$/);

  // The simulator's authorization page, with the PC link's parameters.
  const page = new URL(`${SIM}/__sim/authorize`);
  for (const k of ["component_appid", "pre_auth_code", "redirect_uri", "auth_type"]) page.searchParams.set(k, pcUrl.searchParams.get(k));
  const authorized = await fetch(page, { redirect: "manual" });
  assert.equal(authorized.status, 302, await authorized.clone().text());
  newApp = (await authorized.json()).authorizer_appid;
  const location = new URL(authorized.headers.get("location"));
  codes.push(location.searchParams.get("auth_code"));
  assert.equal(location.origin + location.pathname, way.origin + way.pathname);
  assert.equal(location.searchParams.get("state"), way.searchParams.get("state"));

  const before = await count(QUERY_AUTH);
  const back = await followRedirect(location.href);
  assert.equal(back.status, 303, back.text);
  assert.equal(back.location, `/?app=${encodeURIComponent(newApp)}&authorized=1`);
  assert.equal(back.headers.get("cache-control"), "no-store");
  assert.equal(back.headers.get("referrer-policy"), "no-referrer");
  assert.equal(await count(QUERY_AUTH), before + 1);

  const listed = await apps(`q=${newApp}`);
  assert.equal(listed.status, 200, listed.text);
  assert.equal(listed.json.total, 1);
  const [row] = listed.json.apps;
  const number = newApp.replace("wx-sim-new-", "");
  assert.equal(row.appid, newApp);
  assert.equal(row.nickName, `Sim New App ${number}`);
  assert.equal(row.status, "authorized");
  assert.deepEqual(row.funcInfo, [17, 18, 19, 49]);
  assert.equal(row.cloudDevelopment, true);
  assert.ok(Math.abs(row.addedAt - Date.now() / 1000) < 120 && row.infoAt >= row.addedAt, listed.text);

  // The app's own token works: its one environment, empty.
  const envs = await get(`/api/envs?appid=${newApp}`);
  assert.equal(envs.status, 200, envs.text);
  assert.deepEqual(envs.json.environments.map((e) => e.env), [`prod-${newApp}`]);
  assert.equal(envs.json.environments[0].status, "NORMAL");
  const functions = await get(`/api/functions?appid=${newApp}&env=prod-${newApp}`);
  assert.equal(functions.status, 200, functions.text);
  assert.equal(functions.json.total, 0);
  const used = (await apps(`q=${newApp}`)).json.apps[0];
  assert.ok(used.lastUsedAt >= row.addedAt, "lastUsedAt is noted");

  // The same redirect again: the code was exchanged once; nothing more is asked of WeChat.
  const again = await followRedirect(location.href);
  assert.equal(again.location, `/?app=${encodeURIComponent(newApp)}&authorized=1`);
  assert.equal(await count(QUERY_AUTH), before + 1);
});

test("/wechat/authorized refuses a missing, odd or unknown code with the error redirect", async () => {
  const signed = new URL(await wayBack("queryauthcode@@@placeholder")).searchParams.get("state");
  const before = await count(QUERY_AUTH);
  for (const query of ["", "&expires_in=600", "&auth_code=&expires_in=600", "&auth_code=has%20space", `&auth_code=${"x".repeat(600)}`, "&auth_code=%00"]) {
    const r = await followRedirect(`${worker.url}/wechat/authorized?state=${signed}${query}`);
    assert.equal(r.status, 303, query);
    assert.equal(r.location, "/?authorization_error=invalid_code", query);
  }
  assert.equal(await count(QUERY_AUTH), before, "nothing odd was sent");
  const unknown = await followRedirect(await wayBack("queryauthcode@@@never-issued"));
  assert.equal(unknown.location, "/?authorization_error=invalid_code");
  assert.equal(await count(QUERY_AUTH), before + 1, "61009 from WeChat");
  const post = await fetch(`${worker.url}/wechat/authorized?state=${signed}&auth_code=x`, { method: "POST", redirect: "manual" });
  assert.equal(post.status, 405);
  await post.text();
});


test("/wechat/authorized exchanges a code only on the way back of a link the Worker made", async () => {
  const signed = new URL(await wayBack("queryauthcode@@@placeholder")).searchParams.get("state");
  const [expires, mac] = signed.split(".");
  const flipped = (mac[0] === "A" ? "B" : "A") + mac.slice(1);
  const before = await count(QUERY_AUTH);
  for (const state of [null, "", "123", `${expires}.${flipped}`, `${Number(expires) + 1}.${mac}`, `${Math.floor(Date.now() / 1000) - 1}.${mac}`, `${signed}x`]) {
    const url = new URL(`${worker.url}/wechat/authorized?auth_code=queryauthcode@@@forged-way-back&expires_in=600`);
    if (state !== null) url.searchParams.set("state", state);
    const r = await followRedirect(url.href);
    assert.equal(r.status, 303, String(state));
    assert.equal(r.location, "/?authorization_error=invalid_link", String(state));
  }
  assert.equal(await count(QUERY_AUTH), before, "WeChat was asked nothing");
});
test("viewers cannot add mini programs: 403 on authorize and import, nothing asked of WeChat", async () => {
  const before = await counters();
  for (const path of ["/api/apps/authorize", "/api/apps/import"]) {
    const r = await post(path, {}, KEYS.viewer);
    assert.equal(r.status, 403, r.text);
    assert.equal(r.json.error.code, "forbidden");
    const get = await api.request(path, { key: KEYS.admin });
    assert.equal(get.status, 405, get.text);
    // A cross-site POST from an admin's browser is refused too.
    const crossSite = await api.request(path, {
      key: KEYS.admin, method: "POST", headers: { "Content-Type": "application/json", Origin: "https://evil.example" }, body: "{}",
    });
    assert.equal(crossSite.status, 403, crossSite.text);
  }
  assert.deepEqual(await counters(), before);
});

let expected;

test("importing 250 authorizers: one list request, every one registered, paging and q right", async () => {
  await simControl(SIM, "authorizers", { count: 250 });
  const lists = await count(LIST);
  const infos = await count(INFO);
  const r = await post("/api/apps/import");
  assert.equal(r.status, 200, r.text);
  assert.equal(await count(LIST), lists + 1, "exactly one api_get_authorizer_list request");
  // The seeded authorizer and the 250 are new; the app authorized above is listed too.
  assert.deepEqual(r.json, { total: 252, added: 251, updated: 1, revoked: 0, requests: 1 });

  const listed = await apps("limit=100");
  assert.equal(listed.json.total, 252);
  assert.equal(listed.json.apps.length, 100);

  // The alarm reads the profiles, in batches; the imported ones had none.
  await profilesFilled();
  assert.ok((await count(INFO)) - infos >= 251, "one api_get_authorizer_info per imported app");

  expected = [
    ...Array.from({ length: 250 }, (_, k) => generated(k + 1)),
    { appid: SEEDED_APPID, nickName: `Sim ${SEEDED_APPID}`, headImg: null, principalName: "Sim Principal", funcInfo: [17, 18, 19, 49], cloudDevelopment: true },
    { appid: newApp, nickName: `Sim New App ${newApp.replace("wx-sim-new-", "")}`, headImg: null, principalName: null, funcInfo: [17, 18, 19, 49], cloudDevelopment: true },
  ].sort(byNameThenAppid);

  // Every page, in order.
  const seen = [];
  for (let offset = 0; offset < 252; offset += 100) {
    const page = await apps(`offset=${offset}&limit=100`);
    assert.equal(page.status, 200, page.text);
    assert.equal(page.json.total, 252);
    assert.equal(page.json.offset, offset);
    assert.equal(page.json.limit, 100);
    seen.push(...page.json.apps);
  }
  assert.deepEqual(seen.map((a) => a.appid), expected.map((a) => a.appid));
  for (const [i, app] of seen.entries()) {
    const want = expected[i];
    assert.equal(app.nickName, want.nickName);
    assert.equal(app.status, "authorized");
    if (want.appid.startsWith("wx-sim-app-")) assert.deepEqual(comparable(app), want);
  }

  // q: a substring of the appid or the nickname, any case; with status.
  for (const q of ["app-001", "APP 02", "sim app 0100", "new", "Company", "%", "_", "wx-sim-app-0250"]) {
    const want = expected.filter((a) => matchesQ(a, q));
    const page = await apps(`q=${encodeURIComponent(q)}&limit=20&offset=3`);
    assert.equal(page.status, 200, page.text);
    assert.equal(page.json.total, want.length, `q=${q}`);
    assert.deepEqual(page.json.apps.map((a) => a.appid), want.slice(3, 23).map((a) => a.appid), `q=${q}`);
  }
  const revoked = await apps("status=revoked");
  assert.equal(revoked.json.total, 0);

  // Bad arguments.
  for (const query of ["limit=0", "limit=101", "offset=-1", "limit=ten", "status=gone", `q=${"x".repeat(65)}`]) {
    const bad = await apps(query);
    assert.equal(bad.status, 400, query);
    assert.equal(bad.json.error.code, "invalid_argument", query);
  }
});

test("an imported app's refresh token is handed to its TokenStore on first use", async () => {
  const app = generated(1);
  const envs = await get(`/api/envs?appid=${app.appid}`);
  assert.equal(envs.status, 200, envs.text);
  assert.deepEqual(envs.json.environments.map((e) => e.env), ["prod-app0001", "test-app0001"]);
  const functions = await get(`/api/functions?appid=${app.appid}&env=prod-app0001`);
  assert.equal(functions.status, 200, functions.text);
  // 2 + (i + k) % 3 functions for i = 1, k = 1.
  assert.deepEqual(functions.json.functions.map((f) => f.name), ["login", "orderSync", "reportDaily", "notify"].slice(0, 2 + ((1 + 1) % 3)).sort());
  const status = await get(`/api/wechat/token-status?appid=${app.appid}`, KEYS.admin);
  assert.equal(status.json.hasRefreshToken, true, status.text);
  // Another app's env is not this app's.
  const other = await get(`/api/functions?appid=${generated(2).appid}&env=prod-app0001`);
  assert.equal(other.status, 404, other.text);
  // An app without the cloud development permission set: WeChat's 61007 with its hint.
  const noCloud = await get(`/api/envs?appid=${generated(10).appid}`);
  assert.equal(noCloud.status, 502, noCloud.text);
  assert.equal(noCloud.json.error.errcode, 61007);
  assert.ok(noCloud.json.error.hint);
});

test("an `unauthorized` push: the very next request for that app is 403 revoked", async () => {
  const app = generated(1).appid;
  assert.equal((await get(`/api/functions?appid=${app}&env=prod-app0001`)).status, 200);
  const sent = await push("unauthorized", app);
  assert.equal(sent.success, true, JSON.stringify(sent));
  const before = await count("/tcb/listfunctions");
  const r = await get(`/api/functions?appid=${app}&env=prod-app0001`);
  assert.equal(r.status, 403, r.text);
  assert.equal(r.json.error.code, "revoked");
  assert.match(r.json.error.hint, /Add mini program/);
  assert.equal(await count("/tcb/listfunctions"), before, "the cut-off request reached WeChat");
  assert.equal((await apps(`q=${app}`)).json.apps[0].status, "revoked");
  assert.equal((await get(`/api/wechat/token-status?appid=${app}`, KEYS.admin)).json.hasRefreshToken, false, "its tokens are dropped");
  // Others go on.
  assert.equal((await get(`/api/envs?appid=${generated(3).appid}`)).status, 200);
});

let pushedApp;

test("`authorized` and `updateauthorized` pushes: the code is exchanged once and the app registered", async () => {
  const exchanges = await count(QUERY_AUTH);
  const sent = await push("authorized");
  assert.equal(sent.success, true, JSON.stringify(sent));
  pushedApp = sent.authorizer_appid;
  assert.match(pushedApp, /^wx-sim-new-\d{4}$/);
  assert.equal(await count(QUERY_AUTH), exchanges + 1);
  const [row] = (await apps(`q=${pushedApp}`)).json.apps;
  assert.equal(row.nickName, `Sim New App ${pushedApp.slice(-4)}`);
  assert.equal(row.status, "authorized");
  assert.equal((await get(`/api/envs?appid=${pushedApp}`)).status, 200);

  // The app withdrawn by the push above authorizes again: served again.
  const revoked = generated(1).appid;
  const again = await push("updateauthorized", revoked);
  assert.equal(again.success, true, JSON.stringify(again));
  assert.equal((await apps(`q=${revoked}`)).json.apps[0].status, "authorized");
  const served = await get(`/api/functions?appid=${revoked}&env=prod-app0001`);
  assert.equal(served.status, 200, served.text);
  const lines = worker.output().split("\n");
  assert.ok(lines.some((l) => /^push POST \/wechat\/events 200 authorized registered \d+ms$/.test(l)), lines.join("\n"));
  assert.ok(lines.some((l) => /^push POST \/wechat\/events 200 updateauthorized registered \d+ms$/.test(l)), lines.join("\n"));
});

test("WeChat's platform errors reach the answers with their codes and hints", async () => {
  const fault = (path, errcode) => simControl(SIM, "faults", { path, fault: { kind: "errcode", errcode } });
  const cases = [
    ["/cgi-bin/component/api_create_preauthcode", 61004, () => post("/api/apps/authorize"), /relay/],
    ["/cgi-bin/component/api_create_preauthcode", 61005, () => post("/api/apps/authorize"), /ticket/],
    ["/cgi-bin/component/api_create_preauthcode", 61006, () => post("/api/apps/authorize"), /ticket/],
    ["/cgi-bin/component/api_get_authorizer_list", 61004, () => post("/api/apps/import"), /relay/],
    // An imported app's first refresh (a failed refresh is held for 2 s: the next case asks for another app).
    ["/cgi-bin/component/api_authorizer_token", 61003, () => get(`/api/envs?appid=${generated(5).appid}`), /authorize/],
    ["/tcb/getenvinfo", 85088, () => get(`/api/envs?appid=${generated(6).appid}`), /enable cloud development/],
  ];
  for (const [path, errcode, send, hint] of cases) {
    await fault(path, errcode);
    const r = await send();
    assert.equal(r.status, 502, `${errcode}: ${r.text}`);
    assert.equal(r.json.error.code, "api", `${errcode}`);
    assert.equal(r.json.error.errcode, errcode);
    assert.match(r.json.error.hint, hint, `${errcode}`);
  }
  // On the way back from the authorization page, each becomes the page's word.
  for (const [errcode, word] of [[61005, "no_ticket"], [61006, "no_ticket"], [61004, "failed"]]) {
    await fault(QUERY_AUTH, errcode);
    const r = await followRedirect(await wayBack(`queryauthcode@@@faulted-${errcode}`));
    assert.equal(r.location, `/?authorization_error=${word}`, `${errcode}`);
  }
  await fetch(`${SIM}/__sim/faults`, { method: "DELETE" });
  const served = await waitFor(async () => (await get(`/api/envs?appid=${generated(5).appid}`)).status === 200, 20000);
  assert.ok(served, "served once the faults are gone");
});

test("a refresh token WeChat no longer takes (61023) marks the app `reauthorize`", async () => {
  const app = generated(2).appid;
  assert.equal((await get(`/api/envs?appid=${app}`)).status, 200);
  // Withdrawn without a push: its token answers 40001, its refresh token 61023.
  await simControl(SIM, "unauthorize", { authorizer_appid: app });
  const failed = await get(`/api/envs?appid=${app}`);
  assert.equal(failed.status, 502, failed.text);
  assert.equal(failed.json.error.errcode, 61023);
  assert.match(failed.json.error.hint, /re-authorize/);
  const next = await get(`/api/envs?appid=${app}`);
  assert.equal(next.status, 403, next.text);
  assert.equal(next.json.error.code, "reauthorize");
  assert.match(next.json.error.hint, /Add mini program/);
  const listed = await apps("status=reauthorize");
  assert.deepEqual(listed.json.apps.map((a) => a.appid), [app]);
});

test("1,000 apps: a filtered page answers the right rows", async () => {
  await simControl(SIM, "authorizers", { count: 1000 });
  const { authorizers } = await simControl(SIM, "authorizers");
  const standing = authorizers.filter((a) => a.component_appid === COMPONENT_APPID && a.authorized).length;
  const lists = await count(LIST);
  const r = await post("/api/apps/import");
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.total, standing);
  assert.equal(r.json.added, 750);
  // 0002 withdrew without a push (the simulator's /__sim/unauthorize): it left WeChat's list.
  assert.equal(r.json.revoked, 1);
  assert.equal(r.json.requests, Math.ceil(standing / 500));
  assert.equal(await count(LIST), lists + r.json.requests);
  assert.equal(await profilesFilled(), 1003);

  const all = [
    ...expected.filter((a) => !a.appid.startsWith("wx-sim-app-")),
    { appid: pushedApp, nickName: `Sim New App ${pushedApp.slice(-4)}` },
    ...Array.from({ length: 1000 }, (_, k) => generated(k + 1)),
  ].sort(byNameThenAppid);
  for (const [q, status, offset, limit] of [["app 09", "", 0, 100], ["app 09", "", 100, 100], ["-app-07", "authorized", 5, 7], ["0002", "revoked", 0, 10], ["0002", "", 0, 100], ["new app", "", 1, 2], ["", "authorized", 990, 100]]) {
    const want = all.filter((a) => matchesQ(a, q)).filter((a) => status === "" || statusOf(a.appid) === status);
    const page = await apps(`q=${encodeURIComponent(q)}&status=${status}&offset=${offset}&limit=${limit}`);
    assert.equal(page.status, 200, page.text);
    assert.equal(page.json.total, want.length, `${q} ${status}`);
    assert.deepEqual(page.json.apps.map((a) => a.appid), want.slice(offset, offset + limit).map((a) => a.appid), `${q} ${status} ${offset}`);
    for (const app of page.json.apps) if (app.appid.startsWith("wx-sim-app-")) assert.equal(app.nickName, generated(Number(app.appid.slice(-4))).nickName);
  }
});

/**
 * Each app's status after the tests above: 0001 withdrew and came back; 0002 withdrew without a
 * push, lost its token (reauthorize), and the next import found it gone from WeChat's list.
 */
function statusOf(appid) {
  return appid === "wx-sim-app-0002" ? "revoked" : "authorized";
}

test("an authorization code WeChat calls expired (61010): 303 expired_code", async () => {
  const links = await post("/api/apps/authorize");
  const pc = new URL(links.json.pc);
  const page = new URL(`${SIM}/__sim/authorize`);
  for (const k of ["component_appid", "pre_auth_code", "redirect_uri", "auth_type"]) page.searchParams.set(k, pc.searchParams.get(k));
  const authorized = await fetch(page, { redirect: "manual" });
  assert.equal(authorized.status, 302);
  await authorized.text();
  const location = authorized.headers.get("location");
  codes.push(new URL(location).searchParams.get("auth_code"));
  // WeChat's answer for a code older than 600 s (the simulated clock is left alone: pushes
  // carry its time, and a moved clock would make every later push stale).
  await simControl(SIM, "faults", { path: QUERY_AUTH, fault: { kind: "errcode", errcode: 61010, errmsg: "authorization code expired" } });
  const r = await followRedirect(location);
  assert.equal(r.status, 303);
  assert.equal(r.location, "/?authorization_error=expired_code");
});

test("a profile WeChat does not give at the authorization is read by the alarm; 61003 there marks the app revoked", async () => {
  const authorize = async () => {
    const pc = new URL((await post("/api/apps/authorize")).json.pc);
    const page = new URL(`${SIM}/__sim/authorize`);
    for (const k of ["component_appid", "pre_auth_code", "redirect_uri", "auth_type"]) page.searchParams.set(k, pc.searchParams.get(k));
    const authorized = await fetch(page, { redirect: "manual" });
    const appid = (await authorized.json()).authorizer_appid;
    const location = authorized.headers.get("location");
    codes.push(new URL(location).searchParams.get("auth_code"));
    const back = await followRedirect(location);
    assert.equal(back.location, `/?app=${encodeURIComponent(appid)}&authorized=1`, "registered without its profile");
    return appid;
  };
  // The profile fails once (at the exchange: 45011, not retried); the alarm reads it.
  const infos = await count(INFO);
  await simControl(SIM, "faults", { path: INFO, fault: { kind: "errcode", errcode: 45011 } });
  const later = await authorize();
  const filled = await waitFor(async () => (await apps(`q=${later}`)).json.apps[0]?.nickName, 30000);
  assert.equal(filled, `Sim New App ${later.slice(-4)}`);
  assert.equal(await count(INFO), infos + 2, "the exchange's read (refused) and the alarm's");
  // It fails at the exchange, then the alarm hears 61003: the account no longer authorizes.
  await simControl(SIM, "faults", { path: INFO, fault: { kind: "errcode", errcode: 45011 } });
  await simControl(SIM, "faults", { path: INFO, fault: { kind: "errcode", errcode: 61003 } });
  const gone = await authorize();
  const revoked = await waitFor(async () => (await apps(`q=${gone}`)).json.apps[0]?.status === "revoked", 30000);
  assert.ok(revoked, "61003 from api_get_authorizer_info marks the app revoked");
  const r = await get(`/api/envs?appid=${gone}`);
  assert.equal(r.status, 403, r.text);
  assert.equal(r.json.error.code, "revoked");
});

test("the one-app platform and the static source: /api/apps and appid as edge/README.md says", async () => {
  const oneApp = await startWorker({
    simUrl: SIM,
    secrets: { WECHAT_ACCESS_TOKEN: undefined, COMPONENT_APPSECRET: "sim-component-secret" },
    vars: { COMPONENT_APPID, AUTHORIZER_APPID: SEEDED_APPID },
  });
  const staticSource = await startWorker({ simUrl: SIM });
  try {
    const one = recorder(oneApp.url);
    const listed = await one.request("/api/apps", { key: KEYS.viewer });
    assert.equal(listed.status, 200, listed.text);
    assert.equal(listed.json.mode, "app");
    assert.equal(listed.json.total, 1);
    assert.equal(listed.json.apps[0].appid, SEEDED_APPID);
    assert.equal(listed.json.apps[0].status, "authorized");
    const other = await one.request("/api/functions?appid=wx-another-app&env=test-777bb9", { key: KEYS.viewer });
    assert.equal(other.status, 404, other.text);
    assert.equal(other.json.error.code, "unknown_app");
    // Its own appid, or none: as today (nothing stored yet: 503 with what to do).
    for (const query of [`appid=${SEEDED_APPID}&`, ""]) {
      const own = await one.request(`/api/functions?${query}env=test-777bb9`, { key: KEYS.viewer });
      assert.equal(own.status, 503, own.text);
      assert.equal(own.json.error.code, "token");
    }
    const links = await one.request("/api/apps/authorize", { key: KEYS.admin, method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
    assert.equal(links.status, 409, links.text);

    const fixed = recorder(staticSource.url);
    const none = await fixed.request("/api/apps", { key: KEYS.viewer });
    assert.deepEqual(none.json, { mode: "none", total: 0, offset: 0, limit: 50, apps: [] });
    const envs = await fixed.request("/api/envs", { key: KEYS.viewer });
    assert.equal(envs.status, 200, envs.text);
    assert.deepEqual(envs.json.environments.map((e) => [e.env, e.alias, e.status]), [["test-777bb9", "test", "NORMAL"]]);
    api.bodies.push(...one.bodies, ...fixed.bodies, oneApp.output(), staticSource.output());
  } finally {
    await oneApp.stop();
    await staticSource.stop();
  }
});

test("no secret, code, ticket or token in any answer or in the Worker's output", () => {
  const output = worker.output();
  assert.doesNotMatch(output, /never generate a response|different request|hung|uncaught/i);
  const secrets = [...SECRETS, MESSAGE_TOKEN, AES_KEY, ...codes.filter(Boolean)];
  for (const text of [...api.bodies, output]) {
    for (const secret of secrets) assert.ok(!text.includes(secret), `a secret shows (${secret.slice(0, 8)}…)`);
    for (const { name, pattern } of SECRET_PATTERNS) assert.doesNotMatch(text, pattern, name);
    assert.doesNotMatch(text, ISSUED_TOKEN);
    // (A pre-auth code is no secret: it is in the links the admin is given.)
    assert.doesNotMatch(text, /(ticket|queryauthcode)@@@sim-\d/);
  }
  const lines = output.split("\n");
  assert.ok(lines.some((l) => /^authorized GET \/wechat\/authorized 303 registered \d+ms$/.test(l)), output);
  assert.ok(lines.some((l) => /^push POST \/wechat\/events 200 unauthorized \d+ms$/.test(l)), output);
});
