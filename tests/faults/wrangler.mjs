// Starts a Worker from a wrangler.toml with `wrangler dev` on free loopback ports (the HTTP
// port and the devtools inspector's), its local state in a temporary folder.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { freePort, WRANGLER } from "../edge/harness.mjs";
import { record } from "../leaks.mjs";

const START_TIMEOUT_MS = 60000;

/**
 * Starts the Worker of `config` with `vars`; resolves once it answers `readyPath`, to
 * { url, output(), stop() }. A port taken between freePort() and wrangler's bind is retried.
 */
export async function startWrangler({ config, vars = {}, readyPath = "/" }) {
  for (let attempt = 1; ; attempt++) {
    const started = await launch(config, vars, readyPath);
    if (started.worker) return started.worker;
    if (!started.portTaken || attempt === 3) throw new Error(`wrangler dev did not start:\n${started.output}`);
  }
}

async function launch(config, vars, readyPath) {
  const port = await freePort();
  const inspectorPort = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "tcb-faults-"));
  const args = ["dev", "-c", config, "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspectorPort),
    "--persist-to", join(dir, "state"), "--show-interactive-dev-session=false"];
  for (const [k, v] of Object.entries(vars)) args.push("--var", `${k}:${v}`);
  let output = "";
  const child = spawn(WRANGLER, args, {
    cwd: dirname(config),
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
    // Everything the fault matrix's Worker printed, for the secret-leak scan (tests/leaks.mjs).
    record("faults", output, `wrangler dev output (${config})`);
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline && child.exitCode === null) {
    // Only once this wrangler says it listens: before, whatever else holds the port would answer.
    if (output.includes(`Ready on ${url}`)) {
      try {
        const r = await fetch(url + readyPath, { signal: AbortSignal.timeout(5000) });
        if (r.ok) return { worker: { url, output: () => output, stop } };
      } catch {}
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  return { output, portTaken: /address already in use/i.test(output) };
}
