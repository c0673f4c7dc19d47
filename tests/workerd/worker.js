// A Worker that imports the packed package by name, as a user's Worker would.
import { getFuncConfig, TcbClient, isTcbError, stableToken } from "tcb-funcconfig";

// The deadline of the shared client's calls, in milliseconds.
const SHARED_TIMEOUT_MS = 2000;
// One client at module scope serves every request of the isolate, as Workers are usually written;
// its token comes from the simulator's stable_token and is cached across requests.
let shared;
const sharedClient = (env) =>
  (shared ??= new TcbClient({
    getAccessToken: stableToken({ appid: "wx-sim-app", secret: "sim-app-secret", baseUrl: env.SIM_URL }),
    baseUrl: env.SIM_URL,
    timeoutMs: SHARED_TIMEOUT_MS,
  }));

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const functionName = url.searchParams.get("function") ?? "";
    const type = Number(url.searchParams.get("type") ?? "1");
    const accessToken = url.searchParams.get("token") ?? env.ACCESS_TOKEN;
    const timeoutMs = url.searchParams.has("timeoutMs") ? Number(url.searchParams.get("timeoutMs")) : undefined;
    try {
      if (url.pathname === "/shared") {
        const client = sharedClient(env);
        return Response.json(await client.getFuncConfig({ env: url.searchParams.get("env"), functionName, type }));
      }
      if (url.pathname === "/shared-detached") {
        // Answers at once; the call is left behind, so workerd cancels its pending I/O.
        const client = sharedClient(env);
        client.getFuncConfig({ env: url.searchParams.get("env"), functionName, type }).catch(() => {});
        return Response.json({ started: true });
      }
      if (url.pathname === "/all") {
        const client = new TcbClient({ accessToken, baseUrl: env.SIM_URL });
        return Response.json(await client.getAllConfigs(url.searchParams.get("env"), functionName));
      }
      const config = await getFuncConfig({
        accessToken, env: url.searchParams.get("env"), functionName, type, baseUrl: env.SIM_URL, timeoutMs,
      });
      return Response.json(config);
    } catch (e) {
      const fields = isTcbError(e)
        ? { isTcbError: true, name: e.name, code: e.code, errcode: e.errcode, errmsg: e.errmsg, hint: e.hint, message: e.message, retryable: e.retryable }
        : { isTcbError: false, message: String(e) };
      return Response.json(fields, { status: 500 });
    }
  },
};
