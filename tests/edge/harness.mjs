// Starts the edge Worker (edge/wrangler.toml) in workerd through `wrangler dev` for tests.
// Secrets go through a temporary env file, so wrangler shows them as hidden, never in clear.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

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
 * Starts the Worker. `vars` are plain settings, `secrets` go through an env file.
 * Resolves once the Worker answers HTTP; returns { url, output(), stop() }.
 */
export async function startWorker({ simUrl, vars = {}, secrets = {} } = {}) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "tcb-edge-"));
  const envFile = join(dir, "test.env");
  const allSecrets = {
    WECHAT_ACCESS_TOKEN: "sim-access-token",
    VIEWER_KEY: KEYS.viewer,
    ADMIN_KEY: KEYS.admin,
    ...secrets,
  };
  writeFileSync(envFile, Object.entries(allSecrets).map(([k, v]) => `${k}=${v}`).join("\n") + "\n");
  const allVars = { ...(simUrl ? { WECHAT_BASE_URL: simUrl } : {}), ...vars };
  const args = ["dev", "-c", join(ROOT, "edge/wrangler.toml"), "--ip", "127.0.0.1", "--port", String(port),
    "--env-file", envFile, "--persist-to", join(dir, "state"), "--show-interactive-dev-session=false"];
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
  const stop = () => {
    child.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) break;
    try {
      await fetch(url + "/");
      return { url, output: () => output, stop };
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  stop();
  throw new Error(`wrangler dev did not start:\n${output}`);
}
