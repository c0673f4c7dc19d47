// The admin Worker: the API under /api/, WeChat's pushes at /wechat/events, the return from
// the authorization page at /wechat/authorized, and the static page from www/.
import { apiError, getConfig, internalError } from "./api.js";
import { authorizeLinks, importApps, listApps, listEnvs } from "./apps.js";
import { AUTHORIZED_PATH, receiveAuthorization } from "./authorized.js";
import { identify } from "./auth.js";
import { compare, listFunctions } from "./browse.js";
import { EDIT_ROUTES, edit } from "./edit.js";
import { EVENTS_PATH, receivePush } from "./events.js";
import { HISTORY_PATH, history } from "./history.js";
import { fleetRoute, handleFleet } from "./fleet-api.js";
import { withSecurityHeaders } from "./headers.js";
import { storeValue, tokenStatus } from "./wechat.js";

// The Durable Objects (bound as TOKENS and PLATFORM in wrangler.toml): one per authorizer, one
// per platform.
export { TokenStore } from "./token-store.js";
export { Platform } from "./platform-store.js";
export { HistoryStore } from "./history-store.js";
export { FleetStore } from "./fleet-store.js";

const UNAUTHORIZED_HINT = "send Authorization: Bearer <viewer or admin key>, or sign in through Cloudflare Access";

export default {
  /**
   * Routes `/api` and `/api/*` to the API, `/wechat/events` to the push receiver, everything
   * else to the static assets.
   * @param {Request} request
   * @param {Record<string, any>} env
   * @returns {Promise<Response>}
   */
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/api" || url.pathname.startsWith("/api/")) return handleApi(request, url, env);
    if (url.pathname === EVENTS_PATH) return handlePush(request, url, env);
    if (url.pathname === AUTHORIZED_PATH) return handleAuthorized(request, url, env);
    return serveStatic(request, url, env);
  },
};

const ROUTES = new Set([
  "/api/health",
  "/api/me",
  "/api/config",
  "/api/functions",
  "/api/compare",
  "/api/apps",
  "/api/envs",
  "/api/apps/authorize",
  "/api/apps/import",
  ...EDIT_ROUTES,
  "/api/wechat/ticket",
  "/api/wechat/refresh-token",
  "/api/wechat/token-status",
]);

/**
 * The routes that are not `GET`: an admin writes a config (src/edit.js), stores what the
 * authorizer token source needs (src/wechat.js), or adds mini programs (src/apps.js).
 */
const APP_WRITES = new Set(["/api/apps/authorize", "/api/apps/import"]);
const POST_ROUTES = new Set([...EDIT_ROUTES, ...APP_WRITES, "/api/wechat/ticket", "/api/wechat/refresh-token"]);

const ADMIN_ONLY_HINT = "only an admin may see or change the token source's state";
const EDIT_ADMIN_ONLY_HINT = "only an admin may change a config; a viewer may read it";
const APPS_ADMIN_ONLY_HINT = "only an admin may add mini programs; a viewer may list them";

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
  if (result.status === 405) headers.Allow = result.allow ?? (POST_ROUTES.has(url.pathname) || url.pathname.endsWith("/rollback") ? "POST" : "GET");
  // One line per request. An unknown path is not echoed: it could hold anything.
  const path = ROUTES.has(url.pathname)
    ? url.pathname
    : url.pathname.startsWith(HISTORY_PATH) ? `${HISTORY_PATH}/*` : (fleetRoute(url.pathname)?.path ?? "/api/*");
  console.log(`api ${request.method} ${path} ${result.status} role=${identity?.role ?? "-"} ${Date.now() - started}ms`);
  if (result.text !== undefined) {
    // A download (a job's CSV report).
    headers["Content-Type"] = result.contentType;
    if (result.filename) headers["Content-Disposition"] = `attachment; filename="${result.filename}"`;
    return withSecurityHeaders(new Response(result.text, { status: result.status, headers }), env);
  }
  return withSecurityHeaders(new Response(JSON.stringify(result.body), { status: result.status, headers }), env);
}

/**
 * WeChat's push: the text `success` when accepted, else a JSON error. One log line, with the
 * InfoType or the reason of the refusal; never the query, the body or anything decrypted.
 */
async function handlePush(request, url, env) {
  const started = Date.now();
  let result;
  try {
    result = await receivePush(request, url, env);
  } catch {
    result = { ...internalError(), note: "internal" };
  }
  const headers = { "Cache-Control": "no-store" };
  if (result.status === 405) headers.Allow = "POST";
  const response = result.text !== undefined
    ? new Response(result.text, { status: result.status, headers: { ...headers, "Content-Type": "text/plain; charset=utf-8" } })
    : new Response(JSON.stringify(result.body), { status: result.status, headers: { ...headers, "Content-Type": "application/json; charset=utf-8" } });
  console.log(`push ${request.method} ${EVENTS_PATH} ${result.status} ${result.note} ${Date.now() - started}ms`);
  return withSecurityHeaders(response, env);
}

/**
 * The return from WeChat's authorization page: a 303 to the page. The log line has the outcome,
 * never the query (it holds the authorization code).
 */
async function handleAuthorized(request, url, env) {
  const started = Date.now();
  let result;
  try {
    result = await receiveAuthorization(request, url, env);
  } catch {
    result = { status: 303, location: "/?authorization_error=failed", note: "internal" };
  }
  const headers = { "Cache-Control": "no-store" };
  if (result.location) headers.Location = result.location;
  if (result.status === 405) headers.Allow = "GET";
  const response = new Response(result.text ?? null, { status: result.status, headers: result.text ? { ...headers, "Content-Type": "text/plain; charset=utf-8" } : headers });
  console.log(`authorized ${request.method} ${AUTHORIZED_PATH} ${result.status} ${result.note} ${Date.now() - started}ms`);
  return withSecurityHeaders(response, env);
}

async function route(request, url, env) {
  // The history's routes (src/history.js) check their own methods and roles.
  if (url.pathname === HISTORY_PATH || url.pathname.startsWith(`${HISTORY_PATH}/`)) {
    // The method first, as for every route: a preflight never gets further.
    const rollback = url.pathname.endsWith("/rollback");
    if (request.method !== (rollback ? "POST" : "GET")) {
      return { result: apiError(405, "method_not_allowed", rollback ? "a rollback writes a config: use POST with a JSON body" : "the history is read-only: use GET") };
    }
    const identity = await identify(request, env);
    if (!identity) return { result: apiError(401, "unauthorized", UNAUTHORIZED_HINT) };
    return { identity, result: await history(request, url, env, identity) };
  }
  // The fleet's routes (src/fleet-api.js) check their own methods and roles.
  if (fleetRoute(url.pathname)) return handleFleet(request, url, env, identify);
  // GET but for the POST routes; a CORS preflight (OPTIONS) lands here too and gets no CORS
  // headers.
  const method = POST_ROUTES.has(url.pathname) ? "POST" : "GET";
  if (request.method !== method) {
    const hint = EDIT_ROUTES.has(url.pathname)
      ? "this route writes a config: use POST with a JSON body"
      : method === "POST" ? "this route stores a value: use POST with a JSON body" : "this route is read-only: use GET";
    return { result: apiError(405, "method_not_allowed", hint) };
  }
  if (url.pathname === "/api/health") return { result: { status: 200, body: { ok: true } } };

  const identity = await identify(request, env);
  if (!identity) return { result: apiError(401, "unauthorized", UNAUTHORIZED_HINT) };

  if (EDIT_ROUTES.has(url.pathname)) {
    // The role first: a viewer's write is refused before its body is read.
    if (identity.role !== "admin") return { identity, result: apiError(403, "forbidden", EDIT_ADMIN_ONLY_HINT) };
    return { identity, result: await edit(request, url, env, identity) };
  }
  if (APP_WRITES.has(url.pathname)) {
    if (identity.role !== "admin") return { identity, result: apiError(403, "forbidden", APPS_ADMIN_ONLY_HINT) };
    const write = url.pathname === "/api/apps/authorize" ? authorizeLinks : importApps;
    return { identity, result: await write(request, url, env) };
  }
  switch (url.pathname) {
    case "/api/me":
      return { identity, result: { status: 200, body: { role: identity.role, via: identity.via } } };
    case "/api/config":
      return { identity, result: await getConfig(url.searchParams, identity.role, env) };
    case "/api/functions":
      return { identity, result: await listFunctions(url.searchParams, env) };
    case "/api/compare":
      return { identity, result: await compare(url.searchParams, identity.role, env) };
    case "/api/apps":
      return { identity, result: await listApps(url.searchParams, env) };
    case "/api/envs":
      return { identity, result: await listEnvs(url.searchParams, env) };
    case "/api/wechat/ticket":
    case "/api/wechat/refresh-token":
    case "/api/wechat/token-status": {
      if (identity.role !== "admin") return { identity, result: apiError(403, "forbidden", ADMIN_ONLY_HINT) };
      if (url.pathname === "/api/wechat/token-status") return { identity, result: await tokenStatus(url.searchParams, env) };
      const field = url.pathname === "/api/wechat/ticket" ? "ticket" : "refreshToken";
      return { identity, result: await storeValue(request, url, env, field) };
    }
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
