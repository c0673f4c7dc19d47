// The platform, end to end, through the admin Worker against the simulator: WeChat pushes the
// component_verify_ticket to the Worker's /wechat/events, the platform's existing
// authorizations are imported, and one more mini program is added through the authorization
// round trip (the simulator stands in for WeChat's authorization page).

/** The simulator's third-party platform (mock/README.md). */
export const PLATFORM = {
  COMPONENT_APPID: "wx-sim-component",
  COMPONENT_APPSECRET: "sim-component-secret",
  COMPONENT_TOKEN: "sim-component-token",
  COMPONENT_AES_KEY: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
};

/**
 * Walks through the platform with the admin key and prints each step.
 * @param {{ worker: string, sim: string, adminKey: string }} urls
 */
export async function showPlatform({ worker, sim, adminKey }) {
  const api = async (path, init = {}) => {
    const r = await fetch(worker + path, {
      ...init,
      headers: { Authorization: `Bearer ${adminKey}`, ...(init.body ? { "Content-Type": "application/json" } : {}) },
      signal: AbortSignal.timeout(30000),
    });
    const body = await r.json();
    if (!r.ok) throw new Error(`${init.method ?? "GET"} ${path}: HTTP ${r.status} ${body?.error?.code}: ${body?.error?.hint}`);
    return body;
  };

  console.log("\n1. WeChat pushes the component_verify_ticket to /wechat/events (encrypted, signed)");
  await control(sim, "/__sim/settings", { pushUrl: `${worker}/wechat/events`, ticketPushSeconds: 600 });
  const push = await waitFor(async () => {
    const { pushes } = await (await fetch(`${sim}/__sim/pushes`)).json();
    return pushes.find((p) => p.info_type === "component_verify_ticket" && p.success);
  });
  console.log(`   push #${push.seq} answered "${push.answer}" (the ticket is stored; never printed)`);

  console.log("\n2. Import authorizations (api_get_authorizer_list, 500 a page)");
  const imported = await api("/api/apps/import", { method: "POST", body: "{}" });
  console.log(`   ${imported.total} authorized mini programs, ${imported.added} new, in ${imported.requests} list request(s)`);
  // Nicknames and avatars of imported apps are filled in the background, in batches.
  const listed = await waitFor(async () => {
    const page = await api("/api/apps?limit=20");
    return page.apps.every((a) => a.nickName) ? page : null;
  });
  for (const app of listed.apps) {
    console.log(`   ${app.appid.padEnd(18)} ${app.nickName.padEnd(14)} ${app.status}${app.cloudDevelopment ? "" : "  (cloud development not granted)"}`);
  }
  console.log(`   … ${listed.total} in all`);

  console.log("\n3. Add a mini program: pre-auth code, the admin scans, WeChat redirects back");
  const links = await api("/api/apps/authorize", { method: "POST", body: "{}" });
  console.log(`   PC link:     ${new URL(links.pc).origin}${new URL(links.pc).pathname}?…`);
  console.log(`   mobile link: ${new URL(links.mobile).origin}${new URL(links.mobile).pathname}?…`);
  // The simulator's authorization page takes the PC link's query and redirects to redirect_uri.
  const scanned = await fetch(`${sim}/__sim/authorize${new URL(links.pc).search}`, { redirect: "manual" });
  const back = await fetch(scanned.headers.get("Location"), { redirect: "manual" });
  const landing = new URL(back.headers.get("Location"), worker);
  const appid = landing.searchParams.get("app");
  console.log(`   /wechat/authorized answered ${back.status} → ${landing.pathname}${landing.search}`);
  const { apps: [added] } = await api(`/api/apps?q=${encodeURIComponent(appid)}`);
  console.log(`   added: ${added.appid} "${added.nickName}", permission sets [${added.funcInfo.join(", ")}]`);
  const { environments } = await api(`/api/envs?appid=${encodeURIComponent(appid)}`);
  console.log(`   its environments: ${environments.map((e) => `${e.env} (${e.alias}, ${e.status})`).join(", ") || "none"}`);
}

async function control(sim, path, body) {
  const r = await fetch(sim + path, { method: "POST", body: JSON.stringify(body) });
  if (!r.ok) throw new Error(`simulator ${path}: HTTP ${r.status}`);
}

/** Polls `probe` until it gives a value (at most 30 s). */
async function waitFor(probe) {
  for (let i = 0; i < 300; i++) {
    const value = await probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("timed out waiting for the Worker");
}
