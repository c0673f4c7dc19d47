// decryptPush through the packed package: pushes to a platform's authorization event URL, made
// here with node:crypto (a path independent of the package's Rust), opened and refused.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createCipheriv, createHash, randomBytes } from "node:crypto";
import { decryptPush } from "tcb-funcconfig";
import { makeRejection } from "./helpers.mjs";

const TOKEN = "push-token-Zq81";
const KEY = "k3Jd8sQm2Xv7Lp0Tz5Rb9Wc4Ny6Hf1Ga8Ue3Io7Ps2D";
const APPID = "wx5f1c0de0feedbeef";
const TICKET = "ticket@@@secret-9xQ_rT2vLm";
const AUTH_CODE = "queryauthcode@@@secret-Ab3";
const SECRETS = [TOKEN, KEY, TICKET, AUTH_CODE];
const rejection = makeRejection({ file: "push.test.mjs", secrets: SECRETS });

const NOW_S = 1765000000;
const NOW = NOW_S * 1000;

/** A push as WeChat makes it: the plaintext padded by hand to 32 bytes, encrypted without padding. */
function seal(xml, { appid = APPID, timestamp = String(NOW_S), nonce = "7319024", length, pad, token = TOKEN } = {}) {
  const key = Buffer.from(KEY + "=", "base64");
  const text = Buffer.from(xml, "utf8");
  const len = Buffer.alloc(4);
  len.writeUInt32BE(length ?? text.length);
  const plain = Buffer.concat([randomBytes(16), len, text, Buffer.from(appid)]);
  const n = 32 - (plain.length % 32);
  const padding = pad ? pad(n) : Buffer.alloc(n, n);
  const cipher = createCipheriv("aes-256-cbc", key, key.subarray(0, 16)).setAutoPadding(false);
  const encrypt = Buffer.concat([cipher.update(Buffer.concat([plain, padding])), cipher.final()]).toString("base64");
  const msg_signature = createHash("sha1").update([token, timestamp, nonce, encrypt].sort().join("")).digest("hex");
  return {
    query: { signature: "unchecked", timestamp, nonce, encrypt_type: "aes", msg_signature },
    body: `<xml>\n<AppId><![CDATA[${APPID}]]></AppId>\n<Encrypt><![CDATA[${encrypt}]]></Encrypt>\n</xml>`,
    encrypt,
  };
}

const options = (push, extra = {}) => ({ query: push.query, body: push.body, token: TOKEN, encodingAesKey: KEY, componentAppid: APPID, now: NOW, ...extra });
const cdata = (name, v) => `<${name}><![CDATA[${v}]]></${name}>`;
const event = (infoType, rest = "") =>
  `<xml>${cdata("AppId", APPID)}<CreateTime>${NOW_S - 2}</CreateTime>${cdata("InfoType", infoType)}${rest}</xml>`;
const AUTH = `${cdata("AuthorizerAppid", "wxa1b2c3d4e5f60718")}${cdata("AuthorizationCode", AUTH_CODE)}<AuthorizationCodeExpiredTime>${NOW_S + 3600}</AuthorizationCodeExpiredTime>${cdata("PreAuthCode", "preauthcode@@@p1")}`;

/** A refused push: code "push" with `reason`, a hint, and none of the secrets. */
async function refused(promise, reason) {
  const e = await rejection(promise);
  assert.equal(e.code, "push", e.message);
  assert.equal(e.reason, reason, e.message);
  assert.equal(typeof e.hint, "string");
  assert.equal(e.retryable, false);
  return e;
}

test("component_verify_ticket: the ticket, the platform's appid and the time", async () => {
  const got = await decryptPush(options(seal(event("component_verify_ticket", cdata("ComponentVerifyTicket", TICKET)))));
  assert.deepEqual(got, { infoType: "component_verify_ticket", appId: APPID, createTime: NOW_S - 2, componentVerifyTicket: TICKET });
});

test("authorized, updateauthorized, unauthorized and an unknown InfoType", async () => {
  const auth = {
    appId: APPID,
    createTime: NOW_S - 2,
    authorizerAppid: "wxa1b2c3d4e5f60718",
    authorizationCode: AUTH_CODE,
    authorizationCodeExpiredTime: NOW_S + 3600,
    preAuthCode: "preauthcode@@@p1",
  };
  assert.deepEqual(await decryptPush(options(seal(event("authorized", AUTH)))), { infoType: "authorized", ...auth });
  assert.deepEqual(await decryptPush(options(seal(event("updateauthorized", AUTH)))), { infoType: "updateauthorized", ...auth });
  assert.deepEqual(await decryptPush(options(seal(event("unauthorized", cdata("AuthorizerAppid", "wxa1b2c3d4e5f60718"))))), {
    infoType: "unauthorized",
    appId: APPID,
    createTime: NOW_S - 2,
    authorizerAppid: "wxa1b2c3d4e5f60718",
  });
  assert.deepEqual(await decryptPush(options(seal(event("notify_later_type", cdata("Other", "x"))))), {
    infoType: "notify_later_type",
    appId: APPID,
    createTime: NOW_S - 2,
  });
});

test("WeChat's own sample push passes the signature and decryption (then is refused: it is a message, not a platform event)", async () => {
  // WXBizMsgCrypt's Python sample (Sample.py), see tests/fixtures/push-wechat-samples.json.
  const encrypt =
    "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE=";
  const sample = {
    query: { timestamp: "1409735669", nonce: "1320562132", encrypt_type: "aes", msg_signature: "5d197aaffba7e9b25a30732f161a50dee96bd5fa" },
    body: `<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`,
    token: "spamtest",
    encodingAesKey: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
    componentAppid: "wx2c2769f8efd9abc2",
    now: new Date(1409735669 * 1000),
  };
  const e = await rejection(decryptPush(sample));
  assert.equal(e.reason, "malformed");
  assert.match(e.message, /the event has no AppId/);
  // The same push under another appid or token fails earlier.
  assert.equal((await rejection(decryptPush({ ...sample, componentAppid: "wx0000000000000000" }))).reason, "wrong_appid");
  assert.equal((await rejection(decryptPush({ ...sample, token: "nottoken" }))).reason, "bad_signature");
});

test("a push is refused when forged, stale, for another platform or broken", async () => {
  const ticket = event("component_verify_ticket", cdata("ComponentVerifyTicket", TICKET));
  const good = seal(ticket);
  await refused(decryptPush(options(seal(ticket, { token: "another-token" }))), "bad_signature");
  await refused(decryptPush(options({ ...good, query: { ...good.query, nonce: "1" } })), "bad_signature");
  await refused(decryptPush(options(good, { token: "wrong-token" })), "bad_signature");
  await refused(decryptPush(options(good, { now: NOW + 301_000 })), "stale");
  await refused(decryptPush(options(good, { now: new Date(NOW - 301_000) })), "stale");
  assert.equal((await decryptPush(options(good, { now: NOW + 300_000 }))).componentVerifyTicket, TICKET);
  await refused(decryptPush(options(good, { now: undefined })), "stale"); // Date.now() is years after NOW
  await refused(decryptPush(options(seal(ticket, { appid: "wx_other_platform" }))), "wrong_appid");
  await refused(decryptPush(options(seal(event("component_verify_ticket", cdata("ComponentVerifyTicket", TICKET)).replace(APPID, "wx_other")))), "wrong_appid");
  await refused(decryptPush(options(seal(ticket, { pad: (n) => Buffer.alloc(n, 0) }))), "bad_padding");
  await refused(decryptPush(options(seal(ticket, { pad: (n) => Buffer.alloc(n, 33) }))), "bad_padding");
  await refused(decryptPush(options(seal(ticket, { length: 100000 }))), "bad_length");
  await refused(decryptPush(options(seal("not xml at all"))), "malformed");
  await refused(decryptPush(options(seal(event("component_verify_ticket")))), "malformed");
  await refused(decryptPush(options({ ...good, query: { ...good.query, encrypt_type: "raw" } })), "not_encrypted");
  await refused(decryptPush(options({ ...good, body: `<xml><AppId>${APPID}</AppId></xml>` })), "malformed");
  await refused(decryptPush(options({ ...good, body: "{}" })), "malformed");
  // Signed, but the ciphertext is not Base64 or not whole blocks.
  for (const [encrypt, reason] of [["not*base64", "bad_base64"], [good.encrypt.slice(0, 20), "bad_ciphertext"], ["", "bad_ciphertext"]]) {
    const msg_signature = createHash("sha1").update([TOKEN, String(NOW_S), "5", encrypt].sort().join("")).digest("hex");
    const push = { query: { timestamp: String(NOW_S), nonce: "5", encrypt_type: "aes", msg_signature }, body: `<xml><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>` };
    await refused(decryptPush(options(push)), reason);
  }
});

test("options are checked first, and the key is never shown", async () => {
  const good = seal(event("component_verify_ticket", cdata("ComponentVerifyTicket", TICKET)));
  const invalid = async (opts, field) => {
    const e = await rejection(decryptPush(opts));
    assert.equal(e.code, "invalid_argument", e.message);
    assert.match(e.message, field);
  };
  await invalid(undefined, /options must be an object/);
  await invalid(options(good, { token: undefined }), /^token is required/);
  await invalid(options(good, { token: "" }), /^token is required/);
  await invalid(options(good, { componentAppid: 7 }), /^componentAppid must be a string/);
  await invalid(options(good, { encodingAesKey: KEY.slice(1) }), /^encodingAesKey must be the 43-character/);
  await invalid(options(good, { encodingAesKey: KEY.slice(0, 42) + "!" }), /^encodingAesKey/);
  await invalid(options(good, { query: "timestamp=1" }), /^query must be an object/);
  await invalid(options({ ...good, query: { ...good.query, msg_signature: undefined } }), /^query\.msg_signature is required/);
  await invalid(options({ ...good, query: { ...good.query, timestamp: 1765000000 } }), /^query\.timestamp must be a string/);
  await invalid(options(good, { body: undefined }), /^body is required/);
  await invalid(options(good, { now: "now" }), /^now must be a Date/);
  await invalid(options(good, { now: new Date("x") }), /^now must be a Date/);
  for (const e of [await rejection(decryptPush(options(good, { encodingAesKey: KEY.slice(1) })))]) {
    assert.ok(!JSON.stringify(e).includes(KEY.slice(1)) && !e.message.includes(KEY.slice(1)));
  }
});

test("a fresh push opens with the clock's own time", async () => {
  const ts = String(Math.floor(Date.now() / 1000));
  const got = await decryptPush(options(seal(event("unauthorized", cdata("AuthorizerAppid", "wxa")), { timestamp: ts }), { now: undefined }));
  assert.equal(got.infoType, "unauthorized");
});
