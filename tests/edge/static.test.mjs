// Static files from www/ and the security headers on every answer, static or API.
// The page itself may still change: these tests are strict on headers, not on its content.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { KEYS, ROOT, recorder, startWorker } from "./harness.mjs";

const SIM = process.env.SIM_URL;
let worker, site;

before(async () => {
  assert.ok(SIM, "SIM_URL must point at a running tcb-sim");
  // Only the bare origin may reach the CSP; the rest of this value is an injection attempt.
  worker = await startWorker({ simUrl: SIM, vars: { DEV_CONNECT_SRC: `${SIM} https://evil.example/x; script-src * javascript:alert(1)` } });
  site = recorder(worker.url);
});

after(() => worker?.stop());

const CSP = () =>
  `default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' ${SIM}; img-src 'self' https://*.qlogo.cn https://mmbiz.qpic.cn; frame-ancestors 'none'; ` +
  "base-uri 'none'; object-src 'none'; form-action 'self'";

function assertSecurityHeaders(headers, where) {
  assert.equal(headers.get("content-security-policy"), CSP(), where);
  assert.equal(headers.get("x-content-type-options"), "nosniff", where);
  assert.equal(headers.get("referrer-policy"), "no-referrer", where);
  assert.equal(headers.get("x-frame-options"), "DENY", where);
}

test("/ carries the security headers (and is the page once www/index.html exists)", async () => {
  const r = await site.request("/");
  assertSecurityHeaders(r.headers, "/");
  if (existsSync(join(ROOT, "www/index.html"))) {
    assert.equal(r.status, 200);
    assert.match(r.headers.get("content-type"), /^text\/html/);
  } else {
    assert.equal(r.status, 404);
  }
});

test("a static file: /pkg/browser.js", async () => {
  const r = await site.request("/pkg/browser.js");
  assert.equal(r.status, 200);
  assert.match(r.headers.get("content-type"), /javascript/);
  assert.equal(r.text, readFileSync(join(ROOT, "www/pkg/browser.js"), "utf8"));
  assertSecurityHeaders(r.headers, "/pkg/browser.js");
});

test(".wasm is served as application/wasm", async () => {
  const r = await fetch(`${worker.url}/pkg/tcb_funcconfig_bg.wasm`);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get("content-type"), "application/wasm");
  const bytes = new Uint8Array(await r.arrayBuffer());
  assert.deepEqual([...bytes.subarray(0, 4)], [0, 0x61, 0x73, 0x6d]);
  assert.equal(bytes.length, readFileSync(join(ROOT, "www/pkg/tcb_funcconfig_bg.wasm")).length);
  assertSecurityHeaders(r.headers, ".wasm");
});

test("a missing file is a plain 404 with the headers", async () => {
  const r = await site.request("/no-such-file.txt");
  assert.equal(r.status, 404);
  assertSecurityHeaders(r.headers, "404");
});

test("API answers carry the headers too, and never Access-Control-Allow-Origin", async () => {
  const origin = { Origin: "https://evil.example" };
  const answers = [
    ["/api/health", await site.request("/api/health", { headers: origin })],
    ["/api/me without key", await site.request("/api/me", { headers: origin })],
    ["/api/me", await site.request("/api/me", { key: KEYS.viewer, headers: origin })],
    ["/api/config", await site.request("/api/config?env=test-777bb9&function=openapi&type=1", { key: KEYS.admin, headers: origin })],
    ["/api/nope", await site.request("/api/nope", { key: KEYS.admin, headers: origin })],
    ["OPTIONS", await site.request("/api/me", { method: "OPTIONS", headers: { ...origin, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization" } })],
    ["/api/functions", await site.request("/api/functions?env=test-777bb9", { key: KEYS.viewer, headers: origin })],
    ["/api/compare", await site.request("/api/compare?function=orderSync&envA=test-777bb9&envB=test-777bb9&type=1", { key: KEYS.viewer, headers: origin })],
    ["/api/edit/* from a viewer", await site.request("/api/edit/openapi/grant", { key: KEYS.viewer, method: "POST", headers: origin })],
    ["/api/edit/* from another origin", await site.request("/api/edit/trigger/remove", {
      key: KEYS.admin,
      method: "POST",
      headers: { ...origin, "Content-Type": "application/json" },
      body: JSON.stringify({ env: "test-777bb9", function: "reportDaily", expectedVersion: null }),
    })],
    ["OPTIONS /api/edit/*", await site.request("/api/edit/environment", { method: "OPTIONS", headers: { ...origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type" } })],
  ];
  assert.deepEqual(answers.map(([, r]) => r.status), [200, 401, 200, 200, 404, 405, 200, 200, 403, 403, 405]);
  for (const [where, r] of answers) {
    assertSecurityHeaders(r.headers, where);
    assert.equal(r.headers.get("access-control-allow-origin"), null, where);
    assert.equal(r.headers.get("access-control-allow-credentials"), null, where);
    assert.equal(r.headers.get("cache-control"), "no-store", where);
  }
});

test("path traversal never serves a file from outside www/", async () => {
  const outside = [
    readFileSync(join(ROOT, "Cargo.toml"), "utf8").trim().split("\n")[0],
    "tcb-funcconfig-workspace", // root package.json
    "verifyAccessJwt", // edge/src/auth.js
    "/fuzz/target", // .gitignore
    "root:x:0:0", // /etc/passwd
  ];
  const paths = [
    "/../Cargo.toml",
    "/%2e%2e/Cargo.toml",
    "/%2E%2E/%2E%2E/Cargo.toml",
    "/pkg/..%2f..%2fCargo.toml",
    "/pkg/..%2F..%2FCargo.toml",
    "/pkg/%2e%2e%2f%2e%2e%2fCargo.toml",
    "/pkg/../../Cargo.toml",
    "/..%5cCargo.toml",
    "/pkg/..%5c..%5cCargo.toml",
    "/%252e%252e/Cargo.toml",
    "/..%2fpackage.json",
    "/../package.json",
    "/../.gitignore",
    "/pkg/%2e%2e/%2e%2e/edge/src/auth.js",
    "/../edge/src/auth.js",
    "/..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/../../../../etc/passwd",
    "/%2e%2e%00/Cargo.toml",
    "//etc/passwd",
  ];
  for (const path of paths) {
    const r = await site.raw(path);
    assert.ok(r.status >= 400 && r.status < 500, `${path}: ${r.status}`);
    for (const marker of outside) assert.ok(!r.text.includes(marker), `${path} served ${marker}`);
    assertSecurityHeaders(r.headers, path);
  }
});

test("no token or key shows in the Worker's output or an answer", () => {
  for (const text of [worker.output(), ...site.bodies]) {
    for (const secret of ["sim-access-token", KEYS.viewer, KEYS.admin]) assert.ok(!text.includes(secret), "a secret leaked");
  }
});
