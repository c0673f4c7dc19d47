// One component_access_token for the whole platform: the Platform object fetches it, keeps it in
// its storage with its expiry and serves it to every TokenStore (GET /component-token), so 30
// authorized apps, each with its own authorizer token, cost one api_component_token request, a
// restart costs none while the stored token is valid, and a token WeChat rejects is renewed once
// for every TokenStore that saw it rejected.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SECRET_PATTERNS, SECRETS } from "../secrets.mjs";
import { ISSUED_TOKEN, KEYS, burst, recorder, simControl, startWorker } from "./harness.mjs";

const SIM = process.env.SIM_URL;
const COMPONENT = "/cgi-bin/component/api_component_token";
const AUTHORIZER = "/cgi-bin/component/api_authorizer_token";
const APPS = 30;
// The simulator's defaults for the platform's message token and EncodingAESKey (mock/README.md).
const MESSAGE_TOKEN = "sim-component-token";
const AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
const SETTINGS = {
  secrets: { WECHAT_ACCESS_TOKEN: undefined, COMPONENT_APPSECRET: "sim-component-secret", COMPONENT_TOKEN: MESSAGE_TOKEN, COMPONENT_AES_KEY: AES_KEY },
  vars: { COMPONENT_APPID: "wx-sim-component", WECHAT_TIMEOUT_MS: "20000" },
};
// The Durable Objects' storage outlives one wrangler dev: the restart test starts a second.
const state = mkdtempSync(join(tmpdir(), "tcb-edge-ct-"));
const started = [];
let worker, api;

async function start() {
  worker = await startWorker({ simUrl: SIM, ...SETTINGS, persistTo: state });
  api = recorder(worker.url);
  started.push([worker, api]);
}

before(async () => {
  assert.ok(SIM, "SIM_URL must point at a running tcb-sim");
  await simControl(SIM, "reset", null);
  await simControl(SIM, "authorizers", { count: APPS });
  await start();
});

after(async () => {
  await worker?.stop();
  rmSync(state, { recursive: true, force: true });
  if (SIM) {
    await simControl(SIM, "authorizers", { count: 0 }).catch(() => {});
    await simControl(SIM, "reset", null);
  }
});

const post = (path) => api.request(path, { key: KEYS.admin, method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
const counts = async () => {
  const { counters } = await simControl(SIM, "state");
  return { component: counters[COMPONENT] ?? 0, authorizer: counters[AUTHORIZER] ?? 0 };
};
const appid = (i) => `wx-sim-app-${String(i).padStart(4, "0")}`;
/** One call for generated app `i` (mock/README.md "Many authorizers"): its environments. */
const envsOf = (i) => api.request(`/api/envs?appid=${appid(i)}`, { key: KEYS.viewer });

/** Every tenth generated app lacks cloud development: WeChat answers 61007, after the token. */
function assertServed(answers, first, what) {
  for (const [k, r] of answers.entries()) {
    const i = first + k;
    if (i % 10 === 0) {
      assert.equal(r.status, 502, `${what}: app ${i}: ${r.text}`);
      assert.equal(r.json.error.errcode, 61007, `${what}: app ${i}`);
    } else {
      assert.equal(r.status, 200, `${what}: app ${i}: ${r.text}`);
      assert.ok(r.json.environments.length >= 1, `${what}: app ${i}`);
    }
  }
}

test(`${APPS} imported apps, one call each: exactly one api_component_token request in all`, async (t) => {
  const pushed = await simControl(SIM, "push", { url: `${worker.url}/wechat/events`, info_type: "component_verify_ticket" });
  assert.equal(pushed.success, true, JSON.stringify(pushed));
  const imported = await post("/api/apps/import");
  assert.equal(imported.status, 200, imported.text);
  assert.equal(imported.json.total, APPS + 1, "the generated apps and the seeded one");

  const answers = await burst(APPS, (k) => envsOf(k + 1));
  assertServed(answers, 1, "first calls");
  const after = await counts();
  t.diagnostic(`${APPS} apps: ${after.component} api_component_token, ${after.authorizer} api_authorizer_token`);
  assert.deepEqual(after, { component: 1, authorizer: APPS });
});

test("a restart (same storage) fetches no component token while the stored one is valid", async () => {
  await worker.stop();
  await start();
  await simControl(SIM, "expire-tokens", { kinds: ["authorizer"] });
  const before = await counts();
  const answers = await burst(10, (k) => envsOf(k + 1));
  assertServed(answers, 1, "after the restart");
  // The Platform's own calls use the stored token too.
  const links = await post("/api/apps/authorize");
  assert.equal(links.status, 200, links.text);
  const after = await counts();
  assert.equal(after.authorizer - before.authorizer, 10, "each TokenStore refreshed its own token");
  assert.equal(after.component - before.component, 0, "the stored component token served them all");
});

test("a component token WeChat rejects is renewed once for every TokenStore that saw it rejected", async () => {
  await simControl(SIM, "expire-tokens", { kinds: ["component", "authorizer"] });
  const before = await counts();
  const answers = await burst(12, (k) => envsOf(k + 11));
  assertServed(answers, 11, "after the rejection");
  const links = await post("/api/apps/authorize");
  assert.equal(links.status, 200, links.text);
  const after = await counts();
  assert.equal(after.component - before.component, 1, "one renewal for the whole platform");
  // Each refresh: at most one rejected attempt, then one with the renewed token.
  assert.ok(after.authorizer - before.authorizer >= 12 && after.authorizer - before.authorizer <= 24, JSON.stringify({ before, after }));
});

test("no secret, ticket or token in any answer or in the Worker's output", () => {
  for (const [w, a] of started) {
    const output = w.output();
    assert.doesNotMatch(output, /never generate a response|different request|hung|uncaught/i);
    for (const text of [...a.bodies, output]) {
      for (const secret of [...SECRETS, MESSAGE_TOKEN, AES_KEY]) assert.ok(!text.includes(secret), `a secret shows (${secret.slice(0, 8)}…)`);
      for (const { name, pattern } of SECRET_PATTERNS) assert.doesNotMatch(text, pattern, name);
      assert.doesNotMatch(text, ISSUED_TOKEN);
      assert.doesNotMatch(text, /ticket@@@sim-\d/);
    }
  }
});
