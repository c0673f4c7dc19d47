// A Worker that imports the packed package by name, as a user's Worker would.
import { getFuncConfig, TcbClient, isTcbError } from "tcb-funcconfig";

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const functionName = url.searchParams.get("function") ?? "";
    const type = Number(url.searchParams.get("type") ?? "1");
    const accessToken = url.searchParams.get("token") ?? env.ACCESS_TOKEN;
    const timeoutMs = url.searchParams.has("timeoutMs") ? Number(url.searchParams.get("timeoutMs")) : undefined;
    try {
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
