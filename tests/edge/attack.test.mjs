// The attack table of the admin surface: one row per attack, each its own test, all against
// the real Worker (wrangler dev / workerd) in front of the simulator. Every credential attack
// on every API route (no Authorization header, another scheme, a wrong key, the right key with
// trailing whitespace, Access JWTs expired, for another audience, signed by an unknown key,
// with alg none, malformed), the viewer on the reveal and write routes, reveal=1 without
// admin, another origin (never Access-Control-Allow-Origin on /api/), preflights, other methods
// and a forged push on WeChat's push receiver (/wechat/events), and path traversal on the
// static assets. Each row checks the status and error code, that no CORS
// header is on /api/, that no secret is in the answer's headers or body, that a refusal names
// no function or config, and that a refused request sent nothing to the simulator (a write:
// no upload either). The table is printed at the end.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHmac, generateKeyPairSync, sign } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, request as httpRequest } from "node:http";
import { join } from "node:path";
import { record } from "../leaks.mjs";
import { SECRET_PATTERNS, SECRETS } from "../secrets.mjs";
import { KEYS, ROOT, simControl, startWorker, waitFor } from "./harness.mjs";

const SIM = process.env.SIM_URL;
const SEEDED = "test-777bb9";
// An environment of its own for the write targets, new on each run.
const ENV = `edge-attack-${process.pid}`;
const TARGET = "attackTarget";
const AUD = "edge-attack-aud-0b7e";
const KID = "edge-attack-kid-1";
const EVIL = "https://evil.example";
const TARGET_VALUE = "attack-value-8b3a";
const ATTACK_TICKET = "attack-ticket-6d1f";
const ATTACK_REFRESH = "attack-refresh-7c2e";
const REQUEST_TIMEOUT_MS = 30000;
/** A history record id no write made: the history routes refuse before they look it up. */
const NO_RECORD = "00000000-0000-4000-8000-000000000000";

const signer = generateKeyPairSync("rsa", { modulusLength: 2048 });
const stranger = generateKeyPairSync("rsa", { modulusLength: 2048 });
/** Every JWT a row sent: none may come back in an answer or a log line. */
const jwts = [];
/** What each row found, for the printed table. */
const results = [];
let worker, jwks;
/** The versions of the target's configs, so that every write body would be accepted. */
const versions = {};

// --- the Worker, a JWKS for Access, the write target ----------------------------------------

before(async () => {
  assert.ok(SIM, "SIM_URL must point at a running tcb-sim");
  const keys = [{ ...signer.publicKey.export({ format: "jwk" }), kid: KID, alg: "RS256", use: "sig" }];
  jwks = createServer((req, res) => {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ keys }));
  });
  await new Promise((resolve) => jwks.listen(0, "127.0.0.1", resolve));
  worker = await startWorker({
    simUrl: SIM,
    vars: {
      ACCESS_AUD: AUD,
      ACCESS_CERTS_URL: `http://127.0.0.1:${jwks.address().port}/cdn-cgi/access/certs`,
      ACCESS_ADMIN_EMAILS: "boss@example.com",
    },
  });
  // The write target has a config of each type: each write row's body would change it.
  await simControl(SIM, "configs", { env: ENV, function_name: TARGET, type: 1, config: JSON.stringify({ permissions: { openapi: ["subscribeMessage.send"] } }) });
  await simControl(SIM, "configs", { env: ENV, function_name: TARGET, type: 2, config: JSON.stringify({ triggers: [{ name: "nightly", type: "timer", config: "0 0 2 * * * *" }] }) });
  await simControl(SIM, "configs", { env: ENV, function_name: TARGET, type: 3, config: JSON.stringify({ timeout: 10, environment: [{ key: "TARGET_SECRET", value: TARGET_VALUE }] }) });
  for (const type of [1, 2, 3]) {
    const r = await send("GET", `/api/config?env=${ENV}&function=${TARGET}&type=${type}`, { headers: { Authorization: `Bearer ${KEYS.admin}` } });
    assert.equal(r.status, 200, r.text);
    versions[type] = JSON.parse(r.text).version;
  }
});

after(async () => {
  await worker?.stop();
  jwks?.close();
  printTable();
});

// --- requests -------------------------------------------------------------------------------

/**
 * Sends one request with node:http, so that header values and the path arrive exactly as
 * written (fetch trims values and normalises paths). Returns { status, headers, text }.
 */
function send(method, path, { headers = {}, body } = {}) {
  const { port } = new URL(worker.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, method, path, headers, agent: false, timeout: REQUEST_TIMEOUT_MS }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (text += d));
      res.on("end", () => {
        const answer = { status: res.statusCode, headers: res.headers, text };
        record("edge", `${res.statusCode}\n${Object.entries(res.headers).map(([k, v]) => `${k}: ${v}`).join("\n")}\n\n${text}`, `attack: ${method} ${path}`);
        resolve(answer);
      });
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`no answer to ${method} ${path}`)));
    req.on("error", reject);
    req.end(body);
  });
}

// --- JWTs -----------------------------------------------------------------------------------

const b64url = (value) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");
const now = () => Math.floor(Date.now() / 1000);

/** A JWT for `claims` over an admin's defaults, RS256 by `key` unless `header.alg` says otherwise. */
function jwt(claims = {}, { header = {}, key = signer.privateKey } = {}) {
  const h = b64url({ alg: "RS256", kid: KID, typ: "JWT", ...header });
  const p = b64url({ aud: [AUD], email: "boss@example.com", iat: now(), exp: now() + 300, ...claims });
  const signature = (header.alg ?? "RS256") === "RS256" ? sign("sha256", Buffer.from(`${h}.${p}`), key).toString("base64url") : "";
  return remember(`${h}.${p}.${signature}`);
}
const remember = (token) => (jwts.push(token), token);

// --- the routes -----------------------------------------------------------------------------

const editBody = (extra) => JSON.stringify({ env: ENV, function: TARGET, ...extra });
/**
 * Every API route but /api/health (no credential by design): what a caller who got through
 * would get. `reveal`: environment values in clear for an admin. `write`: changes something.
 */
const ROUTES = [
  { name: "GET /api/me", method: "GET", path: "/api/me" },
  { name: "GET /api/config type=3", method: "GET", path: `/api/config?env=${SEEDED}&function=orderSync&type=3` },
  { name: "GET /api/config type=all", method: "GET", path: `/api/config?env=${SEEDED}&function=orderSync&type=all` },
  { name: "GET /api/config type=3 reveal=1", method: "GET", path: `/api/config?env=${SEEDED}&function=orderSync&type=3&reveal=1`, reveal: true },
  { name: "GET /api/config type=all reveal=1", method: "GET", path: `/api/config?env=${SEEDED}&function=orderSync&type=all&reveal=1`, reveal: true },
  { name: "GET /api/functions", method: "GET", path: `/api/functions?env=${SEEDED}` },
  { name: "GET /api/compare type=3", method: "GET", path: `/api/compare?function=orderSync&envA=${SEEDED}&envB=${ENV}&type=3` },
  { name: "GET /api/compare type=3 reveal=1", method: "GET", path: `/api/compare?function=orderSync&envA=${SEEDED}&envB=${ENV}&type=3&reveal=1`, reveal: true },
  { name: "POST /api/edit/environment", method: "POST", path: "/api/edit/environment", write: true, body: () => editBody({ expectedVersion: versions[3], set: { INJECTED: "pwned" } }) },
  { name: "POST /api/edit/openapi/grant", method: "POST", path: "/api/edit/openapi/grant", write: true, body: () => editBody({ expectedVersion: versions[1], names: ["wxacode.get"] }) },
  { name: "POST /api/edit/openapi/revoke", method: "POST", path: "/api/edit/openapi/revoke", write: true, body: () => editBody({ expectedVersion: versions[1], names: ["subscribeMessage.send"] }) },
  { name: "POST /api/edit/trigger", method: "POST", path: "/api/edit/trigger", write: true, body: () => editBody({ expectedVersion: versions[2], name: "attack", config: "0 0 3 * * * *" }) },
  { name: "POST /api/edit/trigger/remove", method: "POST", path: "/api/edit/trigger/remove", write: true, body: () => editBody({ expectedVersion: versions[2] }) },
  { name: "POST /api/wechat/ticket", method: "POST", path: "/api/wechat/ticket", write: true, body: () => JSON.stringify({ ticket: ATTACK_TICKET }) },
  { name: "POST /api/wechat/refresh-token", method: "POST", path: "/api/wechat/refresh-token", write: true, body: () => JSON.stringify({ refreshToken: ATTACK_REFRESH }) },
  { name: "GET /api/wechat/token-status", method: "GET", path: "/api/wechat/token-status", adminOnly: true },
  { name: "GET /api/apps", method: "GET", path: "/api/apps" },
  { name: "GET /api/envs", method: "GET", path: "/api/envs" },
  { name: "POST /api/apps/authorize", method: "POST", path: "/api/apps/authorize", write: true, body: () => "{}" },
  { name: "POST /api/apps/import", method: "POST", path: "/api/apps/import", write: true, body: () => "{}" },
  { name: "GET /api/history", method: "GET", path: `/api/history?env=${ENV}` },
  { name: "GET /api/history/:id reveal=1", method: "GET", path: `/api/history/${NO_RECORD}?reveal=1`, reveal: true },
  { name: "POST /api/history/:id/rollback", method: "POST", path: `/api/history/${NO_RECORD}/rollback`, write: true, body: () => "{}" },
];
/** The routes only an admin may use: reveals and writes. */
const ADMIN_ROUTES = ROUTES.filter((r) => r.reveal || r.write || r.adminOnly);
const CONFIG_REVEAL = ROUTES.find((r) => r.name === "GET /api/config type=3 reveal=1");

// --- the table ------------------------------------------------------------------------------

const bearer = (value) => ({ Authorization: value });
const access = (token) => ({ "Cf-Access-Jwt-Assertion": token });
const refused401 = { status: 401, code: "unauthorized" };
const refused403 = { status: 403, code: "forbidden" };

/** Credential attacks, each on every route: none may get through. Headers are built when the row runs. */
const CREDENTIAL_ATTACKS = [
  ["no Authorization header", () => ({})],
  ["wrong scheme (Basic + admin key)", () => bearer(`Basic ${KEYS.admin}`)],
  ["wrong key (admin key, last char changed)", () => bearer(`Bearer ${KEYS.admin.slice(0, -1)}X`)],
  ["admin key + trailing space", () => bearer(`Bearer ${KEYS.admin} `)],
  ["Access JWT expired", () => access(jwt({ exp: now() - 600 }))],
  ["Access JWT for another audience", () => access(jwt({ aud: ["another-app-aud"] }))],
  ["Access JWT signed by an unknown key", () => access(jwt({}, { header: { kid: "unknown-kid" }, key: stranger.privateKey }))],
  ["Access JWT alg none", () => access(jwt({}, { header: { alg: "none" } }))],
  ["Access JWT malformed", () => access(remember(`${b64url({ alg: "RS256", kid: KID })}.not-base64!.sig`))],
];

/** More ways in, each tried on the most sensitive read (an admin's reveal=1). */
const MORE_CREDENTIAL_ATTACKS = [
  ["scheme Token + admin key", () => bearer(`Token ${KEYS.admin}`)],
  ["admin key without a scheme", () => bearer(KEYS.admin)],
  ["Bearer + two spaces + admin key", () => bearer(`Bearer  ${KEYS.admin}`)],
  ["admin key + trailing tab", () => bearer(`Bearer ${KEYS.admin}\t`)],
  ["admin key + two trailing spaces", () => bearer(`Bearer ${KEYS.admin}  `)],
  ["viewer key + trailing space", () => bearer(`Bearer ${KEYS.viewer} `)],
  ["admin key prefix", () => bearer(`Bearer ${KEYS.admin.slice(0, 8)}`)],
  ["admin key twice", () => bearer(`Bearer ${KEYS.admin}${KEYS.admin}`)],
  ["empty Bearer", () => bearer("Bearer ")],
  ["admin key in the Access header", () => access(KEYS.admin)],
  ["Access JWT with a bad signature (known kid, other key)", () => access(jwt({}, { key: stranger.privateKey }))],
  ["Access JWT with claims changed after signing", () => {
    const [h, , s] = jwt({ email: "viewer@example.com" }).split(".");
    return access(remember(`${h}.${b64url({ aud: [AUD], email: "boss@example.com", exp: now() + 300 })}.${s}`));
  }],
  ["Access JWT HS256 keyed with the public key", () => {
    const h = b64url({ alg: "HS256", kid: KID });
    const p = b64url({ aud: [AUD], email: "boss@example.com", exp: now() + 300 });
    const pem = signer.publicKey.export({ format: "pem", type: "spki" });
    return access(remember(`${h}.${p}.${createHmac("sha256", pem).update(`${h}.${p}`).digest("base64url")}`));
  }],
  ["Access JWT not yet valid", () => access(jwt({ nbf: now() + 600 }))],
  ["Access JWT without exp", () => access(jwt({ exp: undefined }))],
  ["Access JWT alg none with a signature", () => access(remember(`${b64url({ alg: "none", kid: KID })}.${b64url({ aud: [AUD], email: "boss@example.com", exp: now() + 300 })}.AAAA`))],
  ["Access JWT of two parts", () => access(remember(`${b64url({ alg: "RS256", kid: KID })}.${b64url({ aud: [AUD], email: "boss@example.com", exp: now() + 300 })}`))],
];

const ROWS = [];
// Controls: the right credentials get through, so every refusal below is the credential's doing
// (the Worker reaches the JWKS, and a valid Access token of the admin's email is an admin).
const ME = ROUTES[0];
for (const [who, headers, body] of [
  ["admin key", () => bearer(`Bearer ${KEYS.admin}`), { role: "admin", via: "key" }],
  ["viewer key, scheme in capitals", () => bearer(`BEARER ${KEYS.viewer}`), { role: "viewer", via: "key" }],
  ["valid Access JWT of the admin", () => access(jwt()), { role: "admin", via: "access" }],
  ["valid Access JWT of a viewer", () => access(jwt({ email: "viewer@example.com" })), { role: "viewer", via: "access" }],
]) {
  ROWS.push({ name: `control, ${who}: ${ME.name}`, route: ME, headers, expect: { status: 200, body } });
}
for (const [attack, headers] of CREDENTIAL_ATTACKS) {
  for (const route of ROUTES) ROWS.push({ name: `${attack}: ${route.name}`, route, headers, expect: refused401 });
}
for (const [attack, headers] of MORE_CREDENTIAL_ATTACKS) {
  ROWS.push({ name: `${attack}: ${CONFIG_REVEAL.name}`, route: CONFIG_REVEAL, headers, expect: refused401 });
}
// A key in the query string is no credential.
ROWS.push({
  name: "admin key in the query string: GET /api/config type=3 reveal=1",
  route: { ...CONFIG_REVEAL, path: `${CONFIG_REVEAL.path}&key=${KEYS.admin}&access_token=${KEYS.admin}` },
  headers: () => ({}),
  expect: refused401,
});
// The viewer, by key and through Access, on every route that reveals or writes.
for (const [who, headers] of [
  ["viewer key", () => bearer(`Bearer ${KEYS.viewer}`)],
  ["viewer through Access", () => access(jwt({ email: "viewer@example.com" }))],
]) {
  for (const route of ADMIN_ROUTES) ROWS.push({ name: `${who}: ${route.name}`, route, headers, expect: refused403 });
}
// reveal=1 without admin, spelt other ways; and what is not reveal=1 stays masked.
const viewer = () => bearer(`Bearer ${KEYS.viewer}`);
const configPath = `/api/config?env=${SEEDED}&function=orderSync&type=3`;
for (const [how, query, expect] of [
  ["reveal=%31 (encoded 1)", "&reveal=%31", refused403],
  ["reveal=1&reveal=0", "&reveal=1&reveal=0", refused403],
  ["reveal=0&reveal=1 (masked)", "&reveal=0&reveal=1", { status: 200 }],
  ["Reveal=1 (another name: masked)", "&Reveal=1", { status: 200 }],
  ["reveal=true (masked)", "&reveal=true", { status: 200 }],
]) {
  ROWS.push({ name: `viewer key, ${how}: GET /api/config type=3`, route: { name: "GET /api/config", method: "GET", path: configPath + query }, headers: viewer, expect });
}
ROWS.push({
  name: "viewer key, reveal=%31: GET /api/compare type=3",
  route: { name: "GET /api/compare", method: "GET", path: `/api/compare?function=orderSync&envA=${SEEDED}&envB=${ENV}&type=3&reveal=%31` },
  headers: viewer,
  expect: refused403,
});
// Another origin with the admin key: a read is answered without CORS headers (a browser does
// not hand it to the other site), a write is refused.
for (const route of ROUTES.filter((r) => !r.reveal)) {
  ROWS.push({
    name: `admin key from ${EVIL}: ${route.name}`,
    route,
    headers: () => ({ ...bearer(`Bearer ${KEYS.admin}`), Origin: EVIL }),
    expect: route.write ? refused403 : { status: 200 },
  });
}
ROWS.push({
  name: "admin key from Origin null: POST /api/edit/environment",
  route: ROUTES.find((r) => r.name === "POST /api/edit/environment"),
  headers: () => ({ ...bearer(`Bearer ${KEYS.admin}`), Origin: "null" }),
  expect: refused403,
});
// The CORS preflight of every route fails.
for (const route of ROUTES) {
  ROWS.push({
    name: `CORS preflight from ${EVIL}: ${route.name.replace(/^[A-Z]+ /, "OPTIONS ")}`,
    route: { ...route, method: "OPTIONS", body: undefined },
    headers: () => ({ Origin: EVIL, "Access-Control-Request-Method": route.method, "Access-Control-Request-Headers": "authorization,content-type" }),
    expect: { status: 405, code: "method_not_allowed" },
  });
}
// WeChat's push receiver takes no credential (the push's signature is its proof), so it has
// no credential rows: only POST reaches it, a preflight fails, and this Worker (the static
// token source, no push settings) stores no push, forged or not.
const PUSH = { name: "POST /wechat/events", method: "POST", path: "/wechat/events", push: true };
const forgedQuery = `?timestamp=${Math.floor(Date.now() / 1000)}&nonce=n0nce&encrypt_type=aes&msg_signature=${"0".repeat(40)}`;
for (const method of ["GET", "PUT", "DELETE"]) {
  ROWS.push({ name: `${method} /wechat/events`, route: { ...PUSH, method }, headers: () => ({}), expect: { status: 405, code: "method_not_allowed" } });
}
ROWS.push({
  name: `CORS preflight from ${EVIL}: OPTIONS /wechat/events`,
  route: { ...PUSH, method: "OPTIONS" },
  headers: () => ({ Origin: EVIL, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type" }),
  expect: { status: 405, code: "method_not_allowed" },
});
ROWS.push({
  name: `forged push from ${EVIL}, no push settings: POST /wechat/events`,
  route: { ...PUSH, path: `/wechat/events${forgedQuery}`, body: () => `<xml><AppId>wx-sim-component</AppId><Encrypt>${Buffer.from(ATTACK_TICKET).toString("base64")}</Encrypt></xml>` },
  headers: () => ({ Origin: EVIL }),
  expect: { status: 503, code: "misconfigured" },
});
// Path traversal on the static assets: refused before the assets are asked.
for (const path of [
  "/../wrangler.toml",
  "/../edge/wrangler.toml",
  "/%2e%2e/wrangler.toml",
  "/%2E%2E/edge/wrangler.toml",
  "/..%2fwrangler.toml",
  "/..%2f..%2fedge%2fwrangler.toml",
  "/pkg/..%2F..%2F..%2FCargo.toml",
  "/.%2e/Cargo.toml",
  "/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
  "//etc/passwd",
  "/..%5cwrangler.toml",
  "/%5c..%5c..%5cetc%5cpasswd",
  "/pkg/..%5C..%5Cedge%5Cwrangler.toml",
  "/..\\..\\edge\\wrangler.toml",
  "/%252e%252e/Cargo.toml",
  "/%c0%ae%c0%ae/Cargo.toml",
  "/%2e%2e%00/Cargo.toml",
  "/./.dev.vars",
  "/../edge/.dev.vars",
]) {
  ROWS.push({ name: `path traversal: GET ${path}`, route: { name: path, method: "GET", path, static: true }, headers: () => ({}), expect: { status: 404 } });
}

// --- the checks -----------------------------------------------------------------------------

/** What files outside www/ say: none may be served. */
const OUTSIDE = [
  readFileSync(join(ROOT, "Cargo.toml"), "utf8").trim().split("\n")[0],
  'name = "tcb-funcconfig-admin"', // edge/wrangler.toml
  "run_worker_first", // edge/wrangler.toml
  "verifyAccessJwt", // edge/src/auth.js
  "root:x:0:0", // /etc/passwd
];
/** A refusal names no function, environment or config. */
const SAYS_NOTHING = ["orderSync", TARGET, SEEDED, ENV, "DB_PASSWORD", "TARGET_SECRET", "environment\"", "openapi", "nightly"];

async function simState() {
  const [state, changes] = await Promise.all([simControl(SIM, "state"), simControl(SIM, `changes?env=${ENV}&function=${TARGET}`)]);
  return { counters: state.counters, uploads: changes.uploads };
}

for (const row of ROWS) {
  test(row.name, async () => {
    const result = { name: row.name, status: "-", outcome: "FAILED" };
    results.push(result);
    const { route } = row;
    const headers = { ...row.headers(), ...(route.body ? { "Content-Type": route.push ? "text/xml" : "application/json" } : {}) };
    const sentBefore = await simState();
    const r = await send(route.method, route.path, { headers, body: route.body?.() });
    result.status = r.status;
    const sentAfter = await simState();

    assert.equal(r.status, row.expect.status, r.text);
    let json;
    if (!route.static) {
      json = JSON.parse(r.text);
      if (row.expect.code) assert.equal(json.error?.code, row.expect.code, r.text);
      if (row.expect.body) assert.deepEqual(json, row.expect.body);
      assert.equal(r.headers["content-type"], "application/json; charset=utf-8");
      assert.equal(r.headers["cache-control"], "no-store");
      if (r.status === 401) assert.equal(r.headers["www-authenticate"], "Bearer");
    } else {
      for (const marker of OUTSIDE) assert.ok(!r.text.includes(marker), `served a file from outside www/ (${marker})`);
    }
    // Never a CORS grant, on any answer.
    for (const name of ["access-control-allow-origin", "access-control-allow-credentials", "access-control-allow-headers", "access-control-allow-methods"]) {
      assert.equal(r.headers[name], undefined, `${name}: ${r.headers[name]}`);
    }
    assert.equal(r.headers["x-content-type-options"], "nosniff");
    assert.match(r.headers["content-security-policy"] ?? "", /^default-src 'self';/);

    // No secret in the answer: headers and body.
    const answer = `${Object.entries(r.headers).map(([k, v]) => `${k}: ${v}`).join("\n")}\n\n${r.text}`;
    for (const secret of [...SECRETS, ...jwts]) assert.ok(!answer.includes(secret), `the answer holds a secret (${secret.slice(0, 8)}…)`);
    for (const { name, pattern } of SECRET_PATTERNS) assert.ok(!pattern.test(answer), `the answer holds ${name}`);

    if (r.status >= 400) {
      if (!route.static) for (const word of SAYS_NOTHING) assert.ok(!r.text.includes(word), `the refusal mentions ${word}: ${r.text}`);
      // Refused: nothing reached the simulator (no read, no token request, no upload).
      assert.deepEqual(sentAfter.counters, sentBefore.counters, "requests reached the simulator");
      assert.equal(sentAfter.uploads, sentBefore.uploads, "an upload was applied");
      result.outcome = route.static ? "refused, nothing served" : `refused (${json.error.code}), nothing sent`;
    } else {
      // Answered (a control, another origin's read, or a masked config): values masked, no
      // CORS grant.
      if (json?.environment) assert.ok(JSON.stringify(json).includes("••••••"), "values masked");
      result.outcome = row.expect.body ? `answered ${JSON.stringify(json)}` : "answered without CORS headers, values masked";
    }
    if (route.write) assert.equal(sentAfter.uploads, sentBefore.uploads);
  });
}

test("after the table: the target is unchanged and the Worker's log holds no secret", async () => {
  const changes = await simControl(SIM, `changes?env=${ENV}&function=${TARGET}`);
  assert.equal(changes.uploads, 0, "no write of any row was applied");
  for (const type of [1, 2, 3]) {
    const r = await send("GET", `/api/config?env=${ENV}&function=${TARGET}&type=${type}`, { headers: { Authorization: `Bearer ${KEYS.admin}` } });
    assert.equal(JSON.parse(r.text).version, versions[type], `type ${type} has the version it had before the table`);
  }
  const apiLines = () => worker.output().split("\n").filter((line) => /^api [A-Z]+ \//.test(line));
  assert.ok(await waitFor(() => apiLines().length >= ROWS.filter((r) => !r.route.static && !r.route.push).length), "one log line per API request");
  const output = worker.output();
  for (const secret of [...SECRETS, ...jwts]) assert.ok(!output.includes(secret), `the Worker's output holds a secret (${secret.slice(0, 8)}…)`);
  for (const { name, pattern } of SECRET_PATTERNS) assert.ok(!pattern.test(output), `the Worker's output holds ${name}`);
});

function printTable() {
  const width = Math.max(...results.map((r) => r.name.length), 3);
  const lines = [
    `Attack table: ${results.length} rows, ${results.filter((r) => r.outcome !== "FAILED").length} as expected`,
    `${"no.".padStart(3)}  ${"row".padEnd(width)}  status  result`,
    ...results.map((r, i) => `${String(i + 1).padStart(3)}  ${r.name.padEnd(width)}  ${String(r.status).padEnd(6)}  ${r.outcome}`),
  ];
  console.log(`\n${lines.join("\n")}\n`);
}
