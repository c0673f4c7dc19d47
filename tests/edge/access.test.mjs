// Cloudflare Access: the Worker accepts a `Cf-Access-Jwt-Assertion` signed by a key of the
// JWKS at ACCESS_CERTS_URL (here a loopback server) and for ACCESS_AUD; nothing else.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHmac, generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { createServer } from "node:http";
import { KEYS, recorder, startWorker, waitFor } from "./harness.mjs";

const SIM = process.env.SIM_URL;
const ENV = "test-777bb9";
const AUD = "edge-test-aud-5f1c0e";
const KID = "edge-test-kid-1";
const HMAC_KID = "edge-test-hmac";
const signer = generateKeyPairSync("rsa", { modulusLength: 2048 });
const stranger = generateKeyPairSync("rsa", { modulusLength: 2048 });
const hmacSecret = randomBytes(32);
const issued = [];
let worker, api, jwks, certsUrl;
let certsHits = 0;

before(async () => {
  assert.ok(SIM, "SIM_URL must point at a running tcb-sim");
  const keys = [
    { ...signer.publicKey.export({ format: "jwk" }), kid: KID, alg: "RS256", use: "sig" },
    // A symmetric key in the set must never make HS256 acceptable.
    { kty: "oct", kid: HMAC_KID, alg: "HS256", k: hmacSecret.toString("base64url") },
  ];
  jwks = createServer((req, res) => {
    certsHits++;
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ keys }));
  });
  await new Promise((resolve) => jwks.listen(0, "127.0.0.1", resolve));
  certsUrl = `http://127.0.0.1:${jwks.address().port}/cdn-cgi/access/certs`;
  worker = await startWorker({
    simUrl: SIM,
    vars: { ACCESS_AUD: AUD, ACCESS_CERTS_URL: certsUrl, ACCESS_ADMIN_EMAILS: " boss@example.com , Admin@Example.com" },
  });
  api = recorder(worker.url);
});

after(() => {
  worker?.stop();
  jwks?.close();
});

const b64url = (value) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");
const now = () => Math.floor(Date.now() / 1000);

/** A JWT with `claims` over the defaults, signed RS256 by `key` unless `header.alg` says otherwise. */
function jwt(claims = {}, { header = {}, key = signer.privateKey } = {}) {
  const h = b64url({ alg: "RS256", kid: KID, typ: "JWT", ...header });
  const p = b64url({ aud: [AUD], email: "viewer@example.com", iat: now(), exp: now() + 300, iss: "https://team.cloudflareaccess.com", ...claims });
  const alg = header.alg ?? "RS256";
  const data = Buffer.from(`${h}.${p}`);
  const signature = alg === "RS256" ? sign("sha256", data, key) : alg === "HS256" ? createHmac("sha256", key).update(data).digest() : Buffer.alloc(0);
  const token = `${h}.${p}.${signature.toString("base64url")}`;
  issued.push(token);
  return token;
}

const me = (token, extra = {}) => api.request("/api/me", { headers: { "Cf-Access-Jwt-Assertion": token, ...extra } });

function assertRefused(r, why) {
  assert.equal(r.status, 401, `${why}: ${r.text}`);
  assert.equal(r.json.error.code, "unauthorized", why);
  assert.equal(r.headers.get("www-authenticate"), "Bearer");
}

test("a valid Access JWT is a viewer, or an admin when its email is listed (any case)", async () => {
  assert.deepEqual((await me(jwt())).json, { role: "viewer", via: "access" });
  assert.deepEqual((await me(jwt({ email: "admin@example.com" }))).json, { role: "admin", via: "access" });
  assert.deepEqual((await me(jwt({ email: "BOSS@example.com", aud: AUD }))).json, { role: "admin", via: "access" });
  // A service token carries no email: a viewer.
  assert.deepEqual((await me(jwt({ email: undefined, common_name: "svc.access" }))).json, { role: "viewer", via: "access" });
  // A small clock skew is tolerated.
  assert.equal((await me(jwt({ exp: now() - 5, nbf: now() + 5 }))).status, 200);
});

test("Access roles apply to /api/config: reveal for the admin, 403 for a viewer", async () => {
  const query = `/api/config?env=${ENV}&function=orderSync&type=3&reveal=1`;
  const admin = await api.request(query, { headers: { "Cf-Access-Jwt-Assertion": jwt({ email: "admin@example.com" }) }, expectSecret: true });
  assert.equal(admin.status, 200);
  assert.equal(admin.json.environment[1].value, "s3cr3t-pa55w0rd");
  const viewer = await api.request(query, { headers: { "Cf-Access-Jwt-Assertion": jwt() } });
  assert.equal(viewer.status, 403);
  assert.equal(viewer.json.error.code, "forbidden");
  const masked = await api.request(query.replace("&reveal=1", ""), { headers: { "Cf-Access-Jwt-Assertion": jwt() } });
  assert.equal(masked.status, 200);
  assert.equal(masked.json.rawMasked, true);
});

test("a bearer key still works next to Access, and a wrong key does not spoil a valid JWT", async () => {
  assert.deepEqual((await api.request("/api/me", { key: KEYS.viewer })).json, { role: "viewer", via: "key" });
  assert.deepEqual((await me(jwt(), { Authorization: "Bearer wrong-key" })).json, { role: "viewer", via: "access" });
  assertRefused(await me(jwt({ exp: now() - 600 }), { Authorization: "Bearer wrong-key" }), "wrong key, expired JWT");
});

test("expired, not yet valid, or without exp: 401", async () => {
  assertRefused(await me(jwt({ exp: now() - 120 })), "expired");
  assertRefused(await me(jwt({ nbf: now() + 600 })), "not yet valid");
  assertRefused(await me(jwt({ exp: undefined })), "no exp");
  assertRefused(await me(jwt({ exp: String(now() + 300) })), "exp as a string");
});

test("another audience: 401", async () => {
  assertRefused(await me(jwt({ aud: ["some-other-app"] })), "wrong aud");
  assertRefused(await me(jwt({ aud: "some-other-app" })), "wrong aud string");
  assertRefused(await me(jwt({ aud: undefined })), "no aud");
  assertRefused(await me(jwt({ aud: [`${AUD}x`] })), "aud prefix");
});

test("a key that is not in the JWKS, or a bad signature: 401", async () => {
  assertRefused(await me(jwt({}, { header: { kid: "unknown-kid" }, key: stranger.privateKey })), "unknown kid");
  assertRefused(await me(jwt({}, { key: stranger.privateKey })), "known kid, other key");
  assertRefused(await me(jwt({}, { header: { kid: undefined } })), "no kid");
  const [h, , s] = jwt().split(".");
  const forged = `${h}.${b64url({ aud: [AUD], email: "admin@example.com", exp: now() + 300 })}.${s}`;
  issued.push(forged);
  assertRefused(await me(forged), "claims changed after signing");
});

test("alg none, HS256 (also with the public key or a JWKS secret) and other algs: 401", async () => {
  const publicPem = signer.publicKey.export({ format: "pem", type: "spki" });
  assertRefused(await me(jwt({ email: "admin@example.com" }, { header: { alg: "none" } })), "alg none, empty signature");
  const noneWithSig = `${b64url({ alg: "none", kid: KID })}.${b64url({ aud: [AUD], exp: now() + 300 })}.AAAA`;
  issued.push(noneWithSig);
  assertRefused(await me(noneWithSig), "alg none with a signature");
  assertRefused(await me(jwt({}, { header: { alg: "HS256" }, key: publicPem })), "HS256 keyed with the public key");
  assertRefused(await me(jwt({}, { header: { alg: "HS256", kid: HMAC_KID }, key: hmacSecret })), "HS256 with the JWKS secret");
  // Correctly signed with the JWKS key, but the header names another algorithm.
  for (const alg of ["RS512", "PS256", "rs256", undefined]) {
    const h = b64url({ alg, kid: KID });
    const p = b64url({ aud: [AUD], email: "viewer@example.com", exp: now() + 300 });
    const token = `${h}.${p}.${sign("sha256", Buffer.from(`${h}.${p}`), signer.privateKey).toString("base64url")}`;
    issued.push(token);
    assertRefused(await me(token), `alg ${alg} over an RS256 signature`);
  }
});

test("malformed tokens: 401", async () => {
  const payload = b64url({ aud: [AUD], exp: now() + 300 });
  const good = jwt();
  for (const token of [
    "abc",
    "a.b",
    `${good}.extra`,
    "###.###.###",
    `${b64url("not json")}.${payload}.AAAA`,
    `${b64url([1, 2])}.${payload}.AAAA`,
    `${good.split(".")[0]}.${b64url("[]")}.${good.split(".")[2]}`,
    `${good}=`,
    "..",
  ]) {
    assertRefused(await me(token), `malformed ${JSON.stringify(token.slice(0, 20))}`);
  }
});

test("the JWKS is fetched once and cached (unknown kids do not cause a refetch storm)", async () => {
  for (let i = 0; i < 5; i++) assert.equal((await me(jwt())).status, 200);
  for (let i = 0; i < 5; i++) assertRefused(await me(jwt({}, { header: { kid: `unknown-${i}` } })), "unknown kid");
  assert.ok(certsHits >= 1 && certsHits <= 2, `the certs URL was fetched ${certsHits} times`);
});

test("no JWT, key or token ever shows in the Worker's output or an answer", async () => {
  const apiLines = () => worker.output().split("\n").filter((line) => /^api [A-Z]+ \//.test(line));
  assert.ok(await waitFor(() => apiLines().length >= api.count), `expected ${api.count} log lines`);
  const secrets = ["sim-access-token", KEYS.viewer, KEYS.admin, "s3cr3t-pa55w0rd", ...issued, ...issued.map((t) => t.split(".")[2]).filter((s) => s.length > 8)];
  for (const [where, text] of [["output", worker.output()], ...api.bodies.map((b, i) => [`body ${i}`, b])]) {
    for (const secret of secrets) assert.ok(!text.includes(secret), `${where} contains a secret`);
  }
});
