// The fleet index build over the simulator's 250 generated apps × 3 config types, through the
// edge Worker under wrangler dev (workerd): wall time from POST /api/fleet/index to `done`, alarm
// invocations, subrequests per invocation (as the FleetStore budgets them, and as counted by the
// simulator), and WeChat calls per target; then a refresh with nothing changed.
import { startWorker } from "../tests/edge/harness.mjs";
import { fix, note, save, sim, startSim, table } from "./lib.mjs";

const APPS = Number(process.env.FLEET_APPS ?? 250);
const ADMIN = "admin-key-for-tests-9876543210";
const SETTINGS = {
  secrets: { WECHAT_ACCESS_TOKEN: undefined, COMPONENT_APPSECRET: "sim-component-secret", COMPONENT_TOKEN: "sim-component-token", COMPONENT_AES_KEY: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", ADMIN_KEY: ADMIN },
  vars: { COMPONENT_APPID: "wx-sim-component", WECHAT_TIMEOUT_MS: "20000" },
};
const TCB = ["/tcb/getenvinfo", "/tcb/listfunctions", "/tcb/getfuncconfig"];
const TOKENS = ["/cgi-bin/component/api_component_token", "/cgi-bin/component/api_authorizer_token"];

const s = await startSim();
let worker;
try {
  await sim(s.url, "reset", {});
  await sim(s.url, "authorizers", { count: APPS });
  worker = await startWorker({ simUrl: s.url, ...SETTINGS });
  const call = async (path, body) => {
    const r = await fetch(worker.url + path, {
      method: body === undefined ? "GET" : "POST",
      headers: { Authorization: `Bearer ${ADMIN}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
    return r.json();
  };
  await sim(s.url, "push", { url: `${worker.url}/wechat/events`, info_type: "component_verify_ticket" });
  await call("/api/apps/import", {});

  const run = async (label) => {
    const before = (await sim(s.url, "state")).counters;
    const t0 = Date.now();
    const { id } = await call("/api/fleet/index", { types: [1, 2, 3] });
    let job;
    for (;;) {
      job = await call(`/api/jobs/${id}?limit=1`);
      if (["done", "stopped", "cancelled"].includes(job.state)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const wallMs = Date.now() - t0;
    const after = (await sim(s.url, "state")).counters;
    const delta = (p) => (after[p] ?? 0) - (before[p] ?? 0);
    const tcb = TCB.reduce((n, p) => n + delta(p), 0);
    const tokens = TOKENS.reduce((n, p) => n + delta(p), 0);
    const stats = await call("/api/fleet/status");
    note(`${label}: ${job.state} in ${wallMs} ms, ${job.invocations} invocations`);
    return {
      label, state: job.state, wallMs, invocations: job.invocations, targets: job.total,
      budgetedMax: job.maxSubrequests, budgetedPerInvocation: job.subrequests / job.invocations,
      wechatCalls: tcb, tokenCalls: tokens, wechatPerInvocation: tcb / job.invocations,
      functions: stats.functions, getfuncconfig: delta("/tcb/getfuncconfig"),
      callsPerFunction: tcb / Math.max(1, stats.functions),
    };
  };
  const build = await run("build");
  const refresh = await run("refresh, nothing changed");
  const rows = [["run", "wall (s)", "invocations", "targets", "subrequests/invocation (budget max / mean)", "WeChat calls", "per invocation", "getfuncconfig", "calls per function"]];
  for (const r of [build, refresh]) {
    rows.push([r.label, fix(r.wallMs / 1000, 1), String(r.invocations), String(r.targets), `${r.budgetedMax} / ${fix(r.budgetedPerInvocation, 1)}`,
      String(r.wechatCalls), fix(r.wechatPerInvocation, 1), String(r.getfuncconfig), fix(r.callsPerFunction, 2)]);
  }
  const text = `fleet index over ${APPS} apps × 3 types (${build.functions} functions)\n${table(rows)}`;
  console.log(text);
  save("fleet", { apps: APPS, build, refresh, text });
} finally {
  await worker?.stop();
  await sim(s.url, "authorizers", { count: 0 }).catch(() => {});
  await sim(s.url, "reset", {}).catch(() => {});
  await s.stop();
}
