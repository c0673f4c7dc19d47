// The admin Worker: the read-only API under /api/ and the static page from www/.
import { apiError, getConfig, internalError } from "./api.js";
import { identify } from "./auth.js";
import { withSecurityHeaders } from "./headers.js";

const UNAUTHORIZED_HINT = "send Authorization: Bearer <viewer or admin key>, or sign in through Cloudflare Access";

export default {
  /**
   * Routes `/api` and `/api/*` to the API, everything else to the static assets.
   * @param {Request} request
   * @param {Record<string, any>} env
   * @returns {Promise<Response>}
   */
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/api" || url.pathname.startsWith("/api/")) return handleApi(request, url, env);
    return serveStatic(request, url, env);
  },
};

const ROUTES = new Set(["/api/health", "/api/me", "/api/config"]);

async function handleApi(request, url, env) {
  const started = Date.now();
  let identity = null;
  let result;
  try {
    ({ identity, result } = await route(request, url, env));
  } catch {
    result = internalError();
  }
  const headers = { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" };
  if (result.status === 401) headers["WWW-Authenticate"] = "Bearer";
  if (result.status === 405) headers.Allow = "GET";
  // One line per request. An unknown path is not echoed: it could hold anything.
  const path = ROUTES.has(url.pathname) ? url.pathname : "/api/*";
  console.log(`api ${request.method} ${path} ${result.status} role=${identity?.role ?? "-"} ${Date.now() - started}ms`);
  return withSecurityHeaders(new Response(JSON.stringify(result.body), { status: result.status, headers }), env);
}

async function route(request, url, env) {
  // Read-only API; a CORS preflight (OPTIONS) lands here too and gets no CORS headers.
  if (request.method !== "GET") {
    return { result: apiError(405, "method_not_allowed", "the API is read-only: use GET") };
  }
  if (url.pathname === "/api/health") return { result: { status: 200, body: { ok: true } } };

  const identity = await identify(request, env);
  if (!identity) return { result: apiError(401, "unauthorized", UNAUTHORIZED_HINT) };

  switch (url.pathname) {
    case "/api/me":
      return { identity, result: { status: 200, body: { role: identity.role, via: identity.via } } };
    case "/api/config":
      return { identity, result: await getConfig(url.searchParams, identity.role, env) };
    default:
      return { identity, result: apiError(404, "not_found", "no such API route; see edge/README.md") };
  }
}

async function serveStatic(request, url, env) {
  if (!isPlainPath(url.pathname)) {
    return withSecurityHeaders(new Response("Not Found", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } }), env);
  }
  const response = withSecurityHeaders(await env.ASSETS.fetch(request), env);
  if (response.ok && url.pathname.endsWith(".wasm")) response.headers.set("Content-Type", "application/wasm");
  return response;
}

// The assets only hold www/, but refuse anything that looks like an escape all the same:
// encoded slashes or backslashes, NUL, and `.`/`..` segments (also when percent-encoded).
function isPlainPath(pathname) {
  if (/%(2f|5c|00)|\\/i.test(pathname)) return false;
  try {
    return pathname.split("/").every((segment) => {
      const decoded = decodeURIComponent(segment);
      return decoded !== "." && decoded !== "..";
    });
  } catch {
    return false; // malformed percent-encoding
  }
}
