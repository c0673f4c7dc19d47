// The same Worker around the JavaScript baseline (bench/baseline.mjs): GET /?function=F&type=T
// [&env=E] answers the typed config as JSON (errors as their TcbError fields, status 502).
// SIM_URL is the WeChat base URL.
import { getFuncConfig, isTcbError } from "../../baseline.mjs";

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    try {
      const config = await getFuncConfig({
        accessToken: env.ACCESS_TOKEN,
        env: url.searchParams.get("env") ?? "test-777bb9",
        functionName: url.searchParams.get("function") ?? "",
        type: Number(url.searchParams.get("type") ?? "1"),
        baseUrl: env.SIM_URL,
        retries: 0,
      });
      return Response.json(config);
    } catch (e) {
      if (!isTcbError(e)) throw e;
      return Response.json({ code: e.code, errcode: e.errcode, message: e.message, hint: e.hint }, { status: 502 });
    }
  },
};
