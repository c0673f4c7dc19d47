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
