// POST /wechat/events: WeChat's encrypted pushes to the platform's authorization event URL,
// through the real Worker in workerd against the simulator. The pushes are made here with
// node:crypto as WeChat makes them (AES-256-CBC, 32-byte PKCS#7 padding by hand, SHA-1 of the
// sorted strings), not with the package. A good ticket push is stored and used by the next
// component token fetch; every refused push stores nothing; a replay is refused, also after a
// restart; `unauthorized` cuts access off at the next request.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createCipheriv, createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SECRET_PATTERNS, SECRETS } from "../secrets.mjs";
import { KEYS, recorder, simControl, startWorker } from "./harness.mjs";

const SIM = process.env.SIM_URL;
const ENV = "test-777bb9";
const COMPONENT_APPID = "wx-sim-component";
const AUTHORIZER_APPID = "wx-sim-authorizer";
const TOKEN = "events-token-Hq27vX";
const AES_KEY = "ZXZlbnRzLWFlcy1rZXktZm9yLWVkZ2UtdGVzdHMtMzI"; // 43 characters: 32 bytes
const TICKETS = ["ticket@@@events-first-Rk5", "ticket@@@events-second-Ty8"];
const REFUSED_TICKET = "ticket@@@events-refused-Wm3";
const AUTH_CODE = "queryauthcode@@@events-Jp4";
const COMPONENT = "/cgi-bin/component/api_component_token";
const GETFUNCCONFIG = "/tcb/getfuncconfig";
const SETTINGS = {
  secrets: { WECHAT_ACCESS_TOKEN: undefined, COMPONENT_APPSECRET: "sim-component-secret", COMPONENT_TOKEN: TOKEN, COMPONENT_AES_KEY: AES_KEY },
  vars: { COMPONENT_APPID, AUTHORIZER_APPID, WECHAT_TIMEOUT_MS: "20000" },
};
// The Durable Object's storage outlives one wrangler dev: the replay is tried after a restart.
const state = mkdtempSync(join(tmpdir(), "tcb-edge-events-"));
const started = [];
const clients = [];
let worker, api;

/** A Worker and its client; `persistTo` null: storage of its own, gone when it stops. */
async function start(settings = SETTINGS, persistTo = state) {
  const w = await startWorker({ simUrl: SIM, ...settings, persistTo });
  const client = recorder(w.url);
  started.push(w);
  clients.push(client);
  return [w, client];
}

before(async () => {
  assert.ok(SIM, "SIM_URL must point at a running tcb-sim");
  await simControl(SIM, "reset", null);
  [worker, api] = await start();
});

after(async () => {
  for (const w of started) await w.stop();
  rmSync(state, { recursive: true, force: true });
  if (SIM) await simControl(SIM, "reset", null);
});

// --- pushes as WeChat makes them ------------------------------------------------------------

const nowSecs = () => Math.floor(Date.now() / 1000);
const cdata = (fields) => `<xml>${Object.entries(fields).map(([k, v]) => `<${k}><![CDATA[${v}]]></${k}>`).join("")}</xml>`;
const ticketXml = (ticket, appid = COMPONENT_APPID) =>
  `<xml><AppId><![CDATA[${appid}]]></AppId><CreateTime>${nowSecs()}</CreateTime><InfoType><![CDATA[component_verify_ticket]]></InfoType><ComponentVerifyTicket><![CDATA[${ticket}]]></ComponentVerifyTicket></xml>`;
const eventXml = (infoType, fields = {}) =>
  `<xml><AppId><![CDATA[${COMPONENT_APPID}]]></AppId><CreateTime>${nowSecs()}</CreateTime><InfoType><![CDATA[${infoType}]]></InfoType>${
    Object.entries(fields).map(([k, v]) => `<${k}><![CDATA[${v}]]></${k}>`).join("")}</xml>`;

/**
 * The ciphertext of `xml` as WeChat makes it: 16 random bytes, the length (big-endian), the XML,
 * the appid, then PKCS#7 padding to 32 bytes, AES-256-CBC with the key's first 16 bytes as IV.
 * `padByte` and `lengthDelta` spoil it on purpose.
 */
function encrypt(xml, { appid = COMPONENT_APPID, padByte, lengthDelta = 0 } = {}) {
  const key = Buffer.from(`${AES_KEY}=`, "base64");
  const message = Buffer.from(xml, "utf8");
  const length = Buffer.alloc(4);
  length.writeUInt32BE(message.length + lengthDelta);
  const plain = Buffer.concat([randomBytes(16), length, message, Buffer.from(appid, "utf8")]);
  const n = 32 - (plain.length % 32);
  const cipher = createCipheriv("aes-256-cbc", key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(n, padByte ?? n)])), cipher.final()]);
}

const signature = (token, timestamp, nonce, encrypted) =>
  createHash("sha1").update([token, timestamp, nonce, encrypted].sort().join("")).digest("hex");

/**
 * A push: `{ path, body }`. `encrypted` replaces the Base64 ciphertext, `body` the whole body;
 * the signature is made over whatever `Encrypt` holds, with `signToken`.
 */
function makePush(xml, { timestamp = String(nowSecs()), nonce = randomBytes(6).toString("hex"), cipher, encrypted, body, signToken = TOKEN, encryptType = "aes" } = {}) {
  const text = encrypted ?? (cipher ?? encrypt(xml)).toString("base64");
  const msgSignature = signature(signToken, timestamp, nonce, text);
  const query = new URLSearchParams({ signature: "0".repeat(40), timestamp, nonce, ...(encryptType ? { encrypt_type: encryptType } : {}), msg_signature: msgSignature });
  return { path: `/wechat/events?${query}`, body: body ?? cdata({ AppId: COMPONENT_APPID, Encrypt: text }) };
}

const send = (p, { client = api, headers = { "Content-Type": "text/xml" }, method = "POST" } = {}) =>
  client.request(p.path, { method, headers, body: method === "GET" ? undefined : p.body });

const tokenStatus = (client = api) => client.request("/api/wechat/token-status", { key: KEYS.admin });
const config = (client = api) => client.request(`/api/config?env=${ENV}&function=orderSync&type=1`, { key: KEYS.viewer });
const postRefreshToken = (refreshToken, client = api) => client.request("/api/wechat/refresh-token", {
  key: KEYS.admin, method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ refreshToken }),
});
const counters = async () => (await simControl(SIM, "state")).counters;
/** The ticket sent by the simulator's last api_component_token request. */
async function lastComponentTicket() {
  const requests = await simControl(SIM, `requests?path=${encodeURIComponent(COMPONENT)}`);
  assert.ok(requests.length > 0, "no component token was fetched");
  return JSON.parse(requests.at(-1).body).component_verify_ticket;
}

function assertSecured(r) {
  assert.equal(r.headers.get("x-content-type-options"), "nosniff");
  assert.match(r.headers.get("content-security-policy") ?? "", /^default-src 'self';/);
  assert.equal(r.headers.get("x-frame-options"), "DENY");
  assert.equal(r.headers.get("access-control-allow-origin"), null);
}

function assertRefused(r, status, reason) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.headers.get("content-type"), "application/json; charset=utf-8");
  assert.equal(r.json.error.code, "push", r.text);
  assert.equal(r.json.error.reason, reason, r.text);
  assert.ok(r.json.error.hint, "a refusal says what to do");
  assertSecured(r);
}

// --- the tests ------------------------------------------------------------------------------

test("every refused push is answered with its reason and stores nothing", async () => {
  const xml = ticketXml(REFUSED_TICKET);
  const good = encrypt(xml);
  const cases = [
    ["bad signature (signed with another token)", makePush(xml, { signToken: "not-the-platform-token" }), 401, "bad_signature"],
    ["bad signature (ciphertext changed after signing)", { ...makePush(xml), body: cdata({ AppId: COMPONENT_APPID, Encrypt: encrypt(xml).toString("base64") }) }, 401, "bad_signature"],
    ["stale timestamp (20 minutes old)", makePush(xml, { timestamp: String(nowSecs() - 1200) }), 401, "stale"],
    ["timestamp from the future (10 minutes ahead)", makePush(xml, { timestamp: String(nowSecs() + 600) }), 401, "stale"],
    ["encrypted for another platform", makePush(xml, { cipher: encrypt(xml, { appid: "wx-another-component" }) }), 400, "wrong_appid"],
    ["event naming another platform", makePush(ticketXml(REFUSED_TICKET, "wx-another-component")), 400, "wrong_appid"],
    ["truncated ciphertext", makePush(xml, { cipher: good.subarray(0, good.length - 5) }), 400, "bad_ciphertext"],
    ["bad padding (pad byte 0)", makePush(xml, { cipher: encrypt(xml, { padByte: 0 }) }), 400, "bad_padding"],
    ["wrong length inside", makePush(xml, { cipher: encrypt(xml, { lengthDelta: 4096 }) }), 400, "bad_length"],
    ["Encrypt that is not Base64", makePush(xml, { encrypted: "***not base64***" }), 400, "bad_base64"],
    ["a body that is not XML", makePush(xml, { body: "this is not XML at all {" }), 400, "malformed"],
    ["decrypted text that is not XML", makePush("not <xml> at all"), 400, "malformed"],
    ["not encrypted (no encrypt_type)", makePush(xml, { encryptType: "" }), 400, "not_encrypted"],
  ];
  const before = await counters();
  for (const [what, p, status, reason] of cases) {
    const r = await send(p);
    assertRefused(r, status, `${reason}`);
    assert.ok(!r.text.includes(REFUSED_TICKET), `${what}: the answer quotes the ticket`);
  }
  // A query that is not WeChat's: refused before the package is asked.
  const missing = makePush(xml);
  const r = await send({ ...missing, path: missing.path.replace(/&msg_signature=[0-9a-f]+/, "") });
  assertRefused(r, 400, "malformed");

  const status = await tokenStatus();
  assert.equal(status.status, 200, status.text);
  assert.equal(status.json.hasTicket, false, "a refused push stored a ticket");
  assert.equal(status.json.lastAuthorization, undefined);
  assert.deepEqual(await counters(), before, "a refused push made the Worker call WeChat");
});

test("GET and other methods are 405, a body too large 413, another content type 415", async () => {
  const p = makePush(ticketXml(REFUSED_TICKET));
  for (const method of ["GET", "PUT", "DELETE", "OPTIONS"]) {
    const r = await send(p, { method });
    assert.equal(r.status, 405, `${method}: ${r.text}`);
    assert.equal(r.headers.get("allow"), "POST");
    assert.equal(r.json.error.code, "method_not_allowed");
    assertSecured(r);
  }
  const big = await send({ ...p, body: `<xml><AppId>${COMPONENT_APPID}</AppId><Encrypt>${"A".repeat(70 * 1024)}</Encrypt></xml>` });
  assert.equal(big.status, 413, big.text);
  assert.equal(big.json.error.code, "payload_too_large");
  const json = await send(p, { headers: { "Content-Type": "application/json" } });
  assert.equal(json.status, 415, json.text);
  // No content type at all is taken (WeChat sends text/xml, a relay may drop it): here a
  // stale push, refused as such rather than for its type.
  // (Bytes, so that fetch adds no text/plain of its own.)
  const stale = makePush(ticketXml(REFUSED_TICKET), { timestamp: "1000000000" });
  const bare = await send({ ...stale, body: Buffer.from(stale.body) }, { headers: {} });
  assertRefused(bare, 401, "stale");
  assert.equal((await tokenStatus()).json.hasTicket, false);
});

let firstPush;

test("a good ticket push is answered `success`, stored, and used by the next component token fetch", async () => {
  await simControl(SIM, "ticket", { component_appid: COMPONENT_APPID, ticket: TICKETS[0] });
  const refresh = await postRefreshToken("sim-refresh-token-0");
  assert.equal(refresh.status, 200, refresh.text);

  firstPush = makePush(ticketXml(TICKETS[0]));
  const r = await send(firstPush);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.text, "success");
  assert.equal(r.headers.get("content-type"), "text/plain; charset=utf-8");
  assertSecured(r);

  assert.equal((await tokenStatus()).json.hasTicket, true);
  const c = await config();
  assert.equal(c.status, 200, c.text);
  assert.equal(await lastComponentTicket(), TICKETS[0], "the component token was fetched with the pushed ticket");
});

let secondPush;

test("a replayed push is refused with 401 and changes nothing, also after a restart", async () => {
  await simControl(SIM, "ticket", { component_appid: COMPONENT_APPID, ticket: TICKETS[1] });
  secondPush = makePush(ticketXml(TICKETS[1]));
  const r = await send(secondPush);
  assert.equal(r.text, "success", r.text);
  // The first push again (its ticket is no longer WeChat's), and the second.
  assertRefused(await send(firstPush), 401, "replay");
  assertRefused(await send(secondPush), 401, "replay");

  // A new Worker on the same storage: the replay is still known.
  await worker.stop();
  [worker, api] = await start();
  assertRefused(await send(firstPush), 401, "replay");

  // The next component token fetch (the object restarted, the authorizer token is expired)
  // uses the second ticket: the replayed first one was not stored.
  const fetched = (await counters())[COMPONENT] ?? 0;
  await simControl(SIM, "expire-tokens", null);
  const c = await config();
  assert.equal(c.status, 200, c.text);
  assert.equal((await counters())[COMPONENT], fetched + 1, "one component token fetch");
  assert.equal(await lastComponentTicket(), TICKETS[1]);
});

test("an unknown InfoType and an authorization are answered `success`; the code is not kept", async () => {
  const before = await counters();
  const unknown = await send(makePush(eventXml("notify_third_fasteregister", { Status: "0" })));
  assert.equal(unknown.text, "success", unknown.text);

  const expires = nowSecs() + 600;
  const authorized = await send(makePush(eventXml("authorized", {
    AuthorizerAppid: "wx-newly-authorized", AuthorizationCode: AUTH_CODE, AuthorizationCodeExpiredTime: expires, PreAuthCode: "preauthcode@@@events",
  })));
  assert.equal(authorized.text, "success", authorized.text);
  const status = await tokenStatus();
  assert.equal(status.status, 200, status.text);
  const { receivedAt, ...last } = status.json.lastAuthorization;
  assert.deepEqual(last, { infoType: "authorized", authorizerAppid: "wx-newly-authorized", codeExpiredTime: expires });
  assert.ok(Math.abs(receivedAt - nowSecs()) < 60, `receivedAt ${receivedAt}`);
  assert.ok(!status.text.includes(AUTH_CODE));
  // Still served as before, and nothing was asked of WeChat for these pushes.
  assert.equal(status.json.hasRefreshToken, true);
  assert.deepEqual(await counters(), before);
});

test("`unauthorized` for the configured authorizer cuts access off at the next request", async () => {
  // Another mini program withdrawing: nothing changes here.
  const other = await send(makePush(eventXml("unauthorized", { AuthorizerAppid: "wx-someone-else" })));
  assert.equal(other.text, "success", other.text);
  assert.equal((await config()).status, 200);

  const r = await send(makePush(eventXml("unauthorized", { AuthorizerAppid: AUTHORIZER_APPID })));
  assert.equal(r.text, "success", r.text);
  const before = await counters();
  const c = await config();
  assert.equal(c.status, 503, c.text);
  assert.equal(c.json.error.code, "token");
  assert.match(c.json.error.hint, /refresh-token/);
  assert.equal((await counters())[GETFUNCCONFIG], before[GETFUNCCONFIG], "the cut-off request reached WeChat");
  const status = await tokenStatus();
  assert.equal(status.json.hasRefreshToken, false);
  assert.equal(status.json.accessTokenExpiresIn, undefined);
  assert.equal(status.json.hasTicket, true, "the ticket belongs to the platform and stays");

  // A new authorization's refresh token restores access.
  const refreshToken = (await simControl(SIM, "state")).authorizers[0].refresh_token;
  assert.equal((await postRefreshToken(refreshToken)).status, 200);
  const again = await config();
  assert.equal(again.status, 200, again.text);
});

test("missing push settings: 503 with a hint naming them, nothing stored", async () => {
  const secrets = { ...SETTINGS.secrets, COMPONENT_TOKEN: undefined, COMPONENT_AES_KEY: undefined };
  const [bare, client] = await start({ ...SETTINGS, secrets }, null);
  try {
    const r = await send(makePush(ticketXml(REFUSED_TICKET)), { client });
    assert.equal(r.status, 503, r.text);
    assert.equal(r.json.error.code, "misconfigured");
    assert.match(r.json.error.hint, /COMPONENT_TOKEN and COMPONENT_AES_KEY/);
    assertSecured(r);
    assert.equal((await tokenStatus(client)).json.hasTicket, false);
    // A Worker with another token source does not take pushes either.
    const staticSource = { secrets: { COMPONENT_TOKEN: TOKEN, COMPONENT_AES_KEY: AES_KEY } };
    const [other, otherClient] = await start(staticSource, null);
    const s = await send(makePush(ticketXml(REFUSED_TICKET)), { client: otherClient });
    assert.equal(s.status, 503, s.text);
    assert.match(s.json.error.hint, /"static"/);
    await other.stop();
  } finally {
    await bare.stop();
  }
});

test("no secret in any answer or in the Worker's output; one log line per push", async () => {
  const secrets = [...SECRETS, TOKEN, AES_KEY, ...TICKETS, REFUSED_TICKET, AUTH_CODE];
  for (const text of [...clients.flatMap((c) => c.bodies), ...started.map((w) => w.output())]) {
    for (const secret of secrets) assert.ok(!text.includes(secret), `a secret shows (${secret.slice(0, 8)}…)`);
    for (const { name, pattern } of SECRET_PATTERNS) assert.ok(!pattern.test(text), `${name} shows`);
  }
  const lines = started.flatMap((w) => w.output().split("\n")).filter((l) => l.startsWith("push "));
  assert.ok(lines.some((l) => /^push POST \/wechat\/events 200 component_verify_ticket \d+ms$/.test(l)), lines.join("\n"));
  assert.ok(lines.some((l) => /^push POST \/wechat\/events 401 replay \d+ms$/.test(l)), lines.join("\n"));
  assert.ok(lines.some((l) => /^push POST \/wechat\/events 400 bad_padding \d+ms$/.test(l)), lines.join("\n"));
});
