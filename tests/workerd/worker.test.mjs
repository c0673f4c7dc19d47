// The packed package inside workerd (through `wrangler dev`) against the simulator.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

const SIM = process.env.SIM_URL;
const WRANGLER = process.env.WRANGLER;
const ENV = "test-777bb9";
let worker, base, output = "";

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

before(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  worker = spawn(WRANGLER, ["dev", "--ip", "127.0.0.1", "--port", String(port), "--var", `SIM_URL:${SIM}`], {
    cwd: fileURLToPath(new URL(".", import.meta.url)),
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  worker.stdout.on("data", (d) => (output += d));
  worker.stderr.on("data", (d) => (output += d));
  for (let i = 0; i < 300; i++) {
    try {
      const r = await fetch(`${base}/?env=${ENV}&function=openapi&type=1`);
      if (r.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`wrangler dev did not start:\n${output}`);
});

after(() => worker?.kill("SIGTERM"));

const get = async (path) => {
  const r = await fetch(base + path);
  return { status: r.status, body: await r.json() };
};

test("getFuncConfig in workerd: each type", async () => {
  const c1 = await get(`/?env=${ENV}&function=openapi&type=1`);
  assert.equal(c1.status, 200);
  assert.equal(c1.body.kind, "cloudCall");
  assert.equal(c1.body.openapi.length, 8);
  const c2 = await get(`/?env=${ENV}&function=orderSync&type=2`);
  assert.equal(c2.body.triggers[0].config, "0 0 2 * * * *");
  const c3 = await get(`/?env=${ENV}&function=orderSync&type=3`);
  assert.equal(c3.body.timeout, 20);
});

test("getAllConfigs in workerd", async () => {
  const all = await get(`/all?env=${ENV}&function=openapi`);
  assert.equal(all.body.cloudCall.kind, "cloudCall");
  assert.equal(all.body.timerTrigger, null);
  assert.equal(all.body.environment, null);
});

test("errors in workerd are TcbErrors without the token", async () => {
  const nf = await get(`/?env=${ENV}&function=hello&type=1`);
  assert.equal(nf.status, 500);
  assert.equal(nf.body.isTcbError, true);
  assert.equal(nf.body.errcode, 85089);
  const wrong = await get(`/?env=${ENV}&function=openapi&type=1&token=workerd-wrong-token`);
  assert.equal(wrong.body.errcode, 40014);
  assert.match(wrong.body.hint, /authorizer_access_token/);
  assert.ok(!JSON.stringify(wrong.body).includes("workerd-wrong-token"));
  const bad = await get(`/?env=${ENV}&function=9bad&type=1`);
  assert.equal(bad.body.code, "invalid_argument");
});

test("timeout in workerd settles in time, and the next call works", async () => {
  await fetch(`${SIM}/__sim/faults`, {
    method: "POST",
    body: JSON.stringify({ function_name: "workerdSlow", times: 1, fault: { kind: "delay", ms: 3000 } }),
  });
  const t0 = Date.now();
  const slow = await get(`/?env=${ENV}&function=workerdSlow&type=1&timeoutMs=300`);
  assert.equal(slow.body.code, "timeout");
  assert.ok(Date.now() - t0 < 1500, `took ${Date.now() - t0} ms`);
  const next = await get(`/?env=${ENV}&function=openapi&type=1`);
  assert.equal(next.status, 200);
});

test("50 concurrent requests through the Worker all succeed", async () => {
  const all = await Promise.all(Array.from({ length: 50 }, () => get(`/?env=${ENV}&function=orderSync&type=3`)));
  assert.ok(all.every((r) => r.status === 200 && r.body.timeout === 20));
  const leak = output.split("\n").find((line) => line.includes("sim-access-token"));
  assert.equal(leak, undefined, "the token never shows in the Worker's output");
});

const sim = (path, method = "GET", body) =>
  fetch(SIM + path, { method, body: body && JSON.stringify(body) }).then((r) => r.json());
const stableTokenCalls = async () => (await sim("/__sim/requests?path=/cgi-bin/stable_token")).length;

// When workerd tears a request down, the I/O it still has pending is cancelled: its promises
// never settle and its timers never fire, so a token fetch it had under way neither ends nor is
// dropped. In production a client that disconnects does this; workerd run locally does not
// notice a disconnect before it writes the answer, but it tears a request down just as well once
// its response is sent (work not given to ctx.waitUntil), which is what /shared-detached does.
// The module-scope client must not wait on that fetch forever.
test("a token fetch abandoned by a torn-down request does not block the shared client", async () => {
  const SHARED_TIMEOUT_MS = 2000; // the shared client's timeoutMs in worker.js
  const query = `?env=${ENV}&function=openapi&type=1`;
  await sim("/__sim/settings", "POST", { stableTokensOnTcb: true });
  await sim("/__sim/faults", "POST", { path: "/cgi-bin/stable_token", times: 0, fault: { kind: "stall", ms: 30000 } });
  try {
    const before = await stableTokenCalls();
    const t1 = Date.now();
    const first = await get(`/shared-detached${query}`);
    assert.equal(first.body.started, true);
    for (let i = 0; i < 200 && (await stableTokenCalls()) === before; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(await stableTokenCalls(), before + 1, "the torn-down request was fetching the token");
    await sim("/__sim/faults", "DELETE");
    // A later request on the same isolate gets a token and its config within its own deadline.
    await new Promise((r) => setTimeout(r, Math.max(0, t1 + 800 - Date.now())));
    const t2 = Date.now();
    const second = await get(`/shared${query}`);
    const took = Date.now() - t2;
    assert.equal(second.status, 200, JSON.stringify(second.body));
    assert.equal(second.body.kind, "cloudCall");
    assert.ok(took < SHARED_TIMEOUT_MS, `took ${took} ms`);
    // The abandoned fetch and one more, not a storm; the next request uses the cached token.
    assert.equal(await stableTokenCalls(), before + 2);
    const third = await get(`/shared${query}`);
    assert.equal(third.status, 200);
    assert.equal(await stableTokenCalls(), before + 2);
  } finally {
    await sim("/__sim/faults", "DELETE");
    await sim("/__sim/settings", "POST", { stableTokensOnTcb: false });
  }
});
