// Cloudflare Access: the Worker accepts a `Cf-Access-Jwt-Assertion` signed by a key of the
// JWKS at ACCESS_CERTS_URL (here a loopback server) and for ACCESS_AUD; nothing else.
//
// Two more Workers fetch their keys from a certs server under the test's control: one for
// concurrent first requests and a key rotation (the keys are kept across requests as plain
// values, never as a promise another request awaits), one whose certs URL does not answer.
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

// The controlled certs server: `/rotating/certs` and `/dead/certs`, each with its keys, a delay,
// whether it answers at all, and how often and when it was asked.
const ROT_A = "edge-rotating-kid-a";
const ROT_B = "edge-rotating-kid-b";
const rotA = generateKeyPairSync("rsa", { modulusLength: 2048 });
const rotB = generateKeyPairSync("rsa", { modulusLength: 2048 });
const rsaJwk = (pair, kid) => ({ ...pair.publicKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" });
const certs = {
  rotating: { keys: [rsaJwk(rotA, ROT_A)], delayMs: 0, answer: true, hits: 0, lastAt: 0 },
  dead: { keys: [rsaJwk(rotA, ROT_A)], delayMs: 0, answer: false, hits: 0, lastAt: 0 },
};
const hung = [];
let controlled, rotating, dead, apiRotating, apiDead;
// When the dead certs URL's fetch was given up (the Worker's JWKS timeout is 5 s).
let deadFailedAt = 0;
const COOLDOWN_MS = 30 * 1000;
const JWKS_TIMEOUT_MS = 5000;

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
  controlled = createServer((req, res) => {
    const at = certs[req.url.split("/")[1]];
    if (!at || !req.url.endsWith("/certs")) return res.writeHead(404).end();
    at.hits++;
    if (!at.answer) return void hung.push(res);
    setTimeout(() => {
      at.lastAt = Date.now();
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ keys: at.keys }));
    }, at.delayMs);
  });
  await new Promise((resolve) => controlled.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${controlled.address().port}`;
  const accessVars = (url) => ({ ACCESS_AUD: AUD, ACCESS_CERTS_URL: url, ACCESS_ADMIN_EMAILS: "boss@example.com" });
  [worker, rotating, dead] = await Promise.all([
    startWorker({
      simUrl: SIM,
      vars: { ACCESS_AUD: AUD, ACCESS_CERTS_URL: certsUrl, ACCESS_ADMIN_EMAILS: " boss@example.com , Admin@Example.com" },
    }),
    startWorker({ simUrl: SIM, vars: accessVars(`${base}/rotating/certs`) }),
    startWorker({ simUrl: SIM, vars: accessVars(`${base}/dead/certs`) }),
  ]);
  api = recorder(worker.url);
  apiRotating = recorder(rotating.url);
  apiDead = recorder(dead.url);
});

after(async () => {
  await Promise.all([worker?.stop(), rotating?.stop(), dead?.stop()]);
  jwks?.close();
  for (const res of hung) res.destroy();
  controlled?.close();
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
const meAt = (client, token) => client.request("/api/me", { headers: { "Cf-Access-Jwt-Assertion": token } });
/** A token of the rotating key set: signed by `pair` under `kid`. */
const rotToken = (pair, kid, claims = {}) => jwt(claims, { header: { kid }, key: pair.privateKey });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

function assertRefused(r, why) {
  assert.equal(r.status, 401, `${why}: ${r.text}`);
  assert.equal(r.json.error.code, "unauthorized", why);
  assert.equal(r.headers.get("www-authenticate"), "Bearer");
}

test("two concurrent first requests each fetch the keys and verify; later ones use the cached keys", async () => {
  // The certs answer slowly, so that both first requests are waiting for keys at once.
  certs.rotating.delayMs = 400;
  const first = await Promise.all([meAt(apiRotating, rotToken(rotA, ROT_A)), meAt(apiRotating, rotToken(rotA, ROT_A, { email: "boss@example.com" }))]);
  assert.deepEqual(first.map((r) => r.json), [{ role: "viewer", via: "access" }, { role: "admin", via: "access" }]);
  const hits = certs.rotating.hits;
  assert.ok(hits >= 1 && hits <= 2, `the certs URL was fetched ${hits} times for two first requests`);
  certs.rotating.delayMs = 0;
  assert.deepEqual((await meAt(apiRotating, rotToken(rotA, ROT_A))).json, { role: "viewer", via: "access" });
  const later = await Promise.all(Array.from({ length: 4 }, () => meAt(apiRotating, rotToken(rotA, ROT_A))));
  for (const r of later) assert.equal(r.status, 200, r.text);
  assert.equal(certs.rotating.hits, hits, "later requests use the cached keys");
  // workerd says so when a request touches what another request created: it must not have.
  assert.doesNotMatch(rotating.output(), /different request|cross-request/i);
});

test("a rotated key: within 30 s of the last fetch an unknown kid is refused without a refetch", async () => {
  // The team's key set now holds only key B.
  certs.rotating.keys = [rsaJwk(rotB, ROT_B)];
  const hits = certs.rotating.hits;
  assertRefused(await meAt(apiRotating, rotToken(rotB, ROT_B)), "kid B, within the cooldown");
  assertRefused(await meAt(apiRotating, rotToken(rotB, `${ROT_B}-other`)), "another unknown kid, within the cooldown");
  // Key A is still in the cached set.
  assert.equal((await meAt(apiRotating, rotToken(rotA, ROT_A))).status, 200);
  assert.equal(certs.rotating.hits, hits, "no refetch within the cooldown");
  assert.ok(Date.now() - certs.rotating.lastAt < COOLDOWN_MS, "the checks ran within the cooldown");
});

test("a certs URL that does not answer: 401 within the JWKS timeout, and not asked again at once", async () => {
  const started = Date.now();
  assertRefused(await meAt(apiDead, rotToken(rotA, ROT_A)), "certs URL does not answer");
  deadFailedAt = Date.now();
  const took = deadFailedAt - started;
  assert.ok(took >= JWKS_TIMEOUT_MS - 500 && took < JWKS_TIMEOUT_MS + 10000, `answered after ${took} ms`);
  assert.equal(certs.dead.hits, 1);
  // A failed fetch is not retried within the cooldown: refused at once, the URL not asked.
  const again = Date.now();
  assertRefused(await meAt(apiDead, rotToken(rotA, ROT_A)), "right after a failed fetch");
  assert.ok(Date.now() - again < JWKS_TIMEOUT_MS - 1000, "refused without waiting for the certs URL");
  assert.equal(certs.dead.hits, 1, "the dead certs URL was not asked again");
});

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

test("an Access admin's write is recorded in the history under the token's email", async () => {
  const env = `edge-access-${process.pid}`;
  const made = await fetch(`${SIM}/__sim/functions`, { method: "POST", body: JSON.stringify({ env, names: ["accessWho"] }) });
  assert.ok(made.ok);
  const admin = { "Cf-Access-Jwt-Assertion": jwt({ email: "Admin@Example.com" }) };
  const w = await api.request("/api/edit/openapi/grant", {
    method: "POST",
    headers: { ...admin, "Content-Type": "application/json" },
    body: JSON.stringify({ env, function: "accessWho", expectedVersion: null, names: ["wxacode.get"] }),
  });
  assert.equal(w.status, 200, w.text);
  const h = await api.request(`/api/history?env=${env}&function=accessWho`, { headers: { "Cf-Access-Jwt-Assertion": jwt() } });
  assert.equal(h.status, 200, h.text);
  assert.deepEqual(h.json.records.map((r) => [r.who, r.kind, r.outcome]), [["admin@example.com", "edit", "written"]]);
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

test("after the cooldown: the rotated key is fetched once and verifies, the dropped key is refused", async () => {
  // jose stamps the keys when their answer is read, a moment after the server sent it.
  await sleep(certs.rotating.lastAt + COOLDOWN_MS + 1500 - Date.now());
  const hits = certs.rotating.hits;
  assert.deepEqual((await meAt(apiRotating, rotToken(rotB, ROT_B))).json, { role: "viewer", via: "access" });
  assert.equal(certs.rotating.hits, hits + 1, "one refetch for the new kid");
  assert.equal((await meAt(apiRotating, rotToken(rotB, ROT_B, { email: "boss@example.com" }))).json.role, "admin");
  assertRefused(await meAt(apiRotating, rotToken(rotA, ROT_A)), "key A left the set");
  assert.equal(certs.rotating.hits, hits + 1, "the dropped kid, within the new cooldown, is not refetched");
});

test("after the cooldown, a certs URL that answers again is used", async () => {
  certs.dead.answer = true;
  await sleep(deadFailedAt + COOLDOWN_MS + 1500 - Date.now());
  assert.deepEqual((await meAt(apiDead, rotToken(rotA, ROT_A))).json, { role: "viewer", via: "access" });
  assert.equal(certs.dead.hits, 2);
  assert.equal((await meAt(apiDead, rotToken(rotA, ROT_A))).status, 200);
  assert.equal(certs.dead.hits, 2, "then cached");
});

test("no JWT, key or token ever shows in the Worker's output or an answer", async () => {
  const apiLines = () => worker.output().split("\n").filter((line) => /^api [A-Z]+ \//.test(line));
  assert.ok(await waitFor(() => apiLines().length >= api.count), `expected ${api.count} log lines`);
  const secrets = ["sim-access-token", KEYS.viewer, KEYS.admin, "s3cr3t-pa55w0rd", ...issued, ...issued.map((t) => t.split(".")[2]).filter((s) => s.length > 8)];
  for (const [where, text] of [["output", worker.output()], ...api.bodies.map((b, i) => [`body ${i}`, b])]) {
    for (const secret of secrets) assert.ok(!text.includes(secret), `${where} contains a secret`);
  }
  // The same for the Workers of the controlled certs server.
  for (const [name, w, client] of [["rotating", rotating, apiRotating], ["dead", dead, apiDead]]) {
    const lines = () => w.output().split("\n").filter((line) => /^api [A-Z]+ \//.test(line));
    assert.ok(await waitFor(() => lines().length >= client.count), `expected ${client.count} log lines from the ${name} Worker`);
    for (const [where, text] of [[`${name} output`, w.output()], ...client.bodies.map((b, i) => [`${name} body ${i}`, b])]) {
      for (const secret of secrets) assert.ok(!text.includes(secret), `${where} contains a secret`);
    }
  }
});
