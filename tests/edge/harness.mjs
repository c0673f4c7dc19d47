// Starts the edge Worker (edge/wrangler.toml) in workerd through `wrangler dev` for tests.
// Secrets go through a temporary env file, so wrangler shows them as hidden, never in clear.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { record } from "../leaks.mjs";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const WRANGLER = join(ROOT, "node_modules/.bin/wrangler");

/** Demo/test credentials used by every Worker test. */
export const KEYS = {
  viewer: "viewer-key-for-tests-0123456789",
  admin: "admin-key-for-tests-9876543210",
};

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

/**
 * Starts the Worker. `vars` are plain settings, `secrets` go through an env file (a secret
 * given as `undefined` is left out, e.g. `WECHAT_ACCESS_TOKEN: undefined` for another token
 * source). `persistTo` keeps the Worker's local state (Durable Objects) in that folder across
 * starts; by default it lives in a temporary folder removed by `stop()`. `config` is another
 * wrangler.toml to run instead of edge/wrangler.toml (a test Worker).
 * Resolves once the Worker answers HTTP; returns { url, output(), stop() } (`stop()` resolves
 * once wrangler has exited).
 */
export async function startWorker(options = {}) {
  // A port handed out by freePort() may be taken by another process (another wrangler's
  // internal ports, say) before wrangler binds it: then wrangler exits, and it is tried again on
  // other ports.
  for (let attempt = 1; ; attempt++) {
    const started = await launch(options);
    if (started.worker) return started.worker;
    if (!started.portTaken || attempt === 3) throw new Error(`wrangler dev did not start:\n${started.output}`);
  }
}

async function launch({ simUrl, vars = {}, secrets = {}, persistTo, config = join(ROOT, "edge/wrangler.toml") }) {
  const port = await freePort();
  // wrangler dev also opens a devtools inspector, on 9229 unless told: two Workers at once
  // (two test files, or this and another suite) would collide there.
  const inspectorPort = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "tcb-edge-"));
  const envFile = join(dir, "test.env");
  const allSecrets = {
    WECHAT_ACCESS_TOKEN: "sim-access-token",
    VIEWER_KEY: KEYS.viewer,
    ADMIN_KEY: KEYS.admin,
    ...secrets,
  };
  const lines = Object.entries(allSecrets).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`);
  writeFileSync(envFile, lines.join("\n") + "\n");
  const allVars = { ...(simUrl ? { WECHAT_BASE_URL: simUrl } : {}), ...vars };
  const args = ["dev", "-c", config, "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspectorPort),
    "--env-file", envFile, "--persist-to", persistTo ?? join(dir, "state"), "--show-interactive-dev-session=false"];
  for (const [k, v] of Object.entries(allVars)) args.push("--var", `${k}:${v}`);
  let output = "";
  const child = spawn(WRANGLER, args, {
    cwd: join(ROOT, "edge"),
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  let recorded = false;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      // Bounded: a wrangler that ignores SIGTERM is killed.
      const timer = setTimeout(() => child.kill("SIGKILL"), 10000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
    // Everything wrangler and the Worker printed, for the secret-leak scan (tests/leaks.mjs).
    if (!recorded) record("edge", output, `wrangler dev output (${config.slice(ROOT.length)})`);
    recorded = true;
  };
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) break;
    // Only once this wrangler says it listens: before, whatever else holds the port would answer.
    if (output.includes(`Ready on ${url}`)) {
      try {
        await fetch(url + "/", { signal: AbortSignal.timeout(5000) });
        return { worker: { url, output: () => output, stop } };
      } catch {}
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  return { output, portTaken: /address already in use/i.test(output) };
}

export { ROOT, WRANGLER };

// No test request may hang a run: a Worker that stops answering fails the test instead.
const REQUEST_TIMEOUT_MS = 60000;

/**
 * A client for one Worker that records every answer's body, so a test file can check at the
 * end that no secret ever left the Worker. `count` is the number of /api/ requests sent.
 */
export function recorder(baseUrl) {
  const bodies = [];
  let count = 0;
  const note = (path) => {
    if (path === "/api" || path.startsWith("/api/") || path.startsWith("/api?")) count++;
  };
  return {
    bodies,
    get count() {
      return count;
    },
    /** fetch with `key` as a Bearer key (and `body`, if any); returns { status, headers, text, json }. */
    async request(path, { key, headers = {}, method = "GET", body, expectSecret = false } = {}) {
      note(path);
      const r = await fetch(baseUrl + path, {
        method,
        body,
        headers: { ...(key ? { Authorization: `Bearer ${key}` } : {}), ...headers },
        redirect: "manual",
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await r.text();
      // An answer expected to hold a secret (an admin's reveal=1) is kept out of both checks.
      if (!expectSecret) {
        bodies.push(text);
        record("edge", `${r.status}\n${[...r.headers].map(([k, v]) => `${k}: ${v}`).join("\n")}\n\n${text}`, `${method} ${path}`);
      }
      let json;
      try {
        json = JSON.parse(text);
      } catch {}
      return { status: r.status, headers: r.headers, text, json };
    },
    /** Sends `GET path` with `headerLines` verbatim over a socket (fetch would normalise both). */
    async raw(path, headerLines = []) {
      note(path);
      const { port } = new URL(baseUrl);
      const text = await new Promise((resolve, reject) => {
        const socket = connect(Number(port), "127.0.0.1", () =>
          socket.end([`GET ${path} HTTP/1.1`, "Host: 127.0.0.1", ...headerLines, "Connection: close", "", ""].join("\r\n")));
        let data = "";
        socket.setEncoding("utf8");
        socket.on("data", (d) => (data += d));
        socket.on("end", () => resolve(data));
        socket.on("error", reject);
        socket.setTimeout(REQUEST_TIMEOUT_MS, () => socket.destroy(new Error(`no answer to GET ${path}`)));
      });
      bodies.push(text);
      record("edge", text, `raw GET ${path}`);
      const [head, ...rest] = text.split("\r\n\r\n");
      const status = Number(head.split(" ")[1]);
      const headers = new Headers();
      for (const line of head.split("\r\n").slice(1)) {
        const i = line.indexOf(":");
        if (i > 0) headers.append(line.slice(0, i).trim(), line.slice(i + 1).trim());
      }
      return { status, headers, text: rest.join("\r\n\r\n") };
    },
  };
}

/** Queues a simulator fault for `functionName` (once by default). */
export async function simFault(simUrl, functionName, fault, times = 1) {
  const r = await fetch(`${simUrl}/__sim/faults`, {
    method: "POST",
    body: JSON.stringify({ function_name: functionName, times, fault }),
  });
  if (!r.ok) throw new Error(`sim fault refused: ${r.status} ${await r.text()}`);
}

/** Polls `check` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor(check, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Calls the simulator's control API (`path` under /__sim/): a GET without `body`, else a POST of
 * it as JSON (`null`: an empty POST). Returns the answer's JSON.
 */
export async function simControl(simUrl, path, body) {
  const init = body === undefined ? {} : { method: "POST", ...(body === null ? {} : { body: JSON.stringify(body) }) };
  const r = await fetch(`${simUrl}/__sim/${path}`, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  if (!r.ok) throw new Error(`sim ${path} refused: ${r.status} ${await r.text()}`);
  return r.json();
}

/** How often the simulator was asked on `path` since its last reset. */
export async function simCount(simUrl, path) {
  return (await simControl(simUrl, "state")).counters[path] ?? 0;
}

/** Sends `n` requests at once with `send(i)`; resolves to their answers, each with `ms` taken. */
export function burst(n, send) {
  return Promise.all(Array.from({ length: n }, async (_, i) => {
    const started = Date.now();
    const r = await send(i);
    return { ...r, ms: Date.now() - started };
  }));
}

/** Every token the simulator issued, in any form, and its refresh tokens. */
export const ISSUED_TOKEN = /sim-(stable|component|authorizer|refresh)-\d+-[0-9a-f]+|sim-refresh-token-\d+/;
