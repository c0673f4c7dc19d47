// Forwards /token, /status, /ticket and /refresh-token to the one TokenStore, unchanged.
export { TokenStore } from "../../../edge/src/token-store.js";

export default {
  fetch(request, env) {
    const url = new URL(request.url);
    const stub = env.TOKENS.get(env.TOKENS.idFromName("authorizer:test"));
    return stub.fetch(new Request(`https://token-store${url.pathname}${url.search}`, request));
  },
};
