// Forwards /token, /status and /refresh-token to the one TokenStore, unchanged, and /ticket to
// the platform's Platform object, where the ticket lives and the TokenStore asks for it.
export { TokenStore } from "../../../edge/src/token-store.js";
export { Platform } from "../../../edge/src/platform-store.js";

export default {
  fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/ticket") {
      const platform = env.PLATFORM.get(env.PLATFORM.idFromName(`platform:${env.COMPONENT_APPID}`));
      return platform.fetch(new Request(`https://platform${url.pathname}${url.search}`, request));
    }
    const stub = env.TOKENS.get(env.TOKENS.idFromName("authorizer:test"));
    return stub.fetch(new Request(`https://token-store${url.pathname}${url.search}`, request));
  },
};
