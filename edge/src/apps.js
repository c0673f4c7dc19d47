// The platform's mini programs:
//   GET  /api/apps?q=&status=&offset=0&limit=50   the registry, filtered and paged (viewer)
//   GET  /api/envs?appid=A                         an app's environments, getenvinfo (viewer)
//   POST /api/apps/authorize  {}                   authorization links for a new app (admin)
//   POST /api/apps/import     {}                   every existing authorization registered (admin)
import { apiError, fromStoreAnswer, fromTcbError, misconfigured, readBody, refuseCrossSite } from "./api.js";
import { STATUSES } from "./registry.js";
import { AUTHORIZED_PATH } from "./authorized.js";
import { clientFor, platformStub, readSource } from "./source.js";

const MAX_Q_LENGTH = 64;
const MAX_OFFSET = 1_000_000;
const BAD_QUERY_HINT = "fix the argument";
const badQuery = (message) => apiError(400, "invalid_argument", BAD_QUERY_HINT, message);

/**
 * `GET /api/apps`: `{ mode, total, offset, limit, apps }`. The platform's registry (in SQLite,
 * src/platform-store.js); the one-app platform's own app; no apps for the other sources.
 * @param {URLSearchParams} params
 * @param {Record<string, any>} env
 * @returns {Promise<import("./api.js").ApiResult>}
 */
export async function listApps(params, env) {
  const q = params.get("q") ?? "";
  const status = params.get("status") ?? "";
  const offsetText = params.get("offset") ?? "0";
  const limitText = params.get("limit") ?? "50";
  if (q.length > MAX_Q_LENGTH || /[\x00-\x1f\x7f]/.test(q)) return badQuery(`q is at most ${MAX_Q_LENGTH} characters, without control characters`);
  if (status !== "" && !STATUSES.includes(status)) return badQuery(`status must be one of ${STATUSES.join(", ")}`);
  if (!/^[0-9]{1,7}$/.test(offsetText) || Number(offsetText) > MAX_OFFSET) return badQuery(`offset must be a whole number 0–${MAX_OFFSET}`);
  if (!/^[0-9]{1,3}$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > 100) return badQuery("limit must be a whole number 1–100");
  const offset = Number(offsetText);
  const limit = Number(limitText);

  const chosen = readSource(env);
  if (chosen.problem) return misconfigured(chosen.problem);
  if (chosen.source === "platform") {
    const query = new URLSearchParams({ q, status, offset: String(offset), limit: String(limit) });
    const response = await platformStub(env).fetch(`https://platform/apps?${query}`);
    if (!response.ok) return fromStoreAnswer(response);
    const page = await response.json();
    return { status: 200, body: { mode: "platform", total: page.total, offset, limit, apps: page.apps } };
  }
  if (chosen.source === "authorizer") {
    // The one app, as the registry would show it; what is not known here is null.
    const app = {
      appid: env.AUTHORIZER_APPID,
      nickName: null,
      headImg: null,
      principalName: null,
      funcInfo: [],
      cloudDevelopment: false,
      status: "authorized",
      addedAt: null,
      lastUsedAt: null,
      infoAt: null,
    };
    const matches = (q === "" || app.appid.toLowerCase().includes(q.toLowerCase())) && (status === "" || status === app.status);
    const apps = matches ? [app].slice(offset, offset + limit) : [];
    return { status: 200, body: { mode: "app", total: matches ? 1 : 0, offset, limit, apps } };
  }
  return { status: 200, body: { mode: "none", total: 0, offset, limit, apps: [] } };
}

/**
 * `GET /api/envs?appid=A`: `{ environments }`, the app's environments (the package's getEnvInfo).
 * @param {URLSearchParams} params
 * @param {Record<string, any>} env
 * @returns {Promise<import("./api.js").ApiResult>}
 */
export async function listEnvs(params, env) {
  const built = await clientFor(env, params.get("appid"));
  if (built.refused) return built.refused;
  if (built.problem) return misconfigured(built.problem);
  try {
    const { environments } = await built.client.getEnvInfo();
    // Field by field: what the package may add later is not passed on unseen.
    return {
      status: 200,
      body: {
        environments: environments.map(({ env: id, alias, createTime, updateTime, status, packageId, packageName }) => ({
          env: id,
          alias: alias ?? null,
          createTime: createTime ?? null,
          updateTime: updateTime ?? null,
          status: status ?? null,
          packageId: packageId ?? null,
          packageName: packageName ?? null,
        })),
      },
    };
  } catch (e) {
    return fromTcbError(e);
  }
}

/**
 * `POST /api/apps/authorize` `{}`: `{ pc, mobile, redirectUri, expiresIn }`, the links that let
 * a mini program's admin authorize the platform (auth_type=2), coming back to
 * `<origin>/wechat/authorized`. The caller is an admin already.
 * @param {Request} request
 * @param {URL} url
 * @param {Record<string, any>} env
 * @returns {Promise<import("./api.js").ApiResult>}
 */
export async function authorizeLinks(request, url, env) {
  const refused = await platformWrite(request, url, env);
  if (refused) return refused;
  const response = await platformStub(env).fetch("https://platform/links", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ redirectUri: `${url.origin}${AUTHORIZED_PATH}` }),
  });
  if (!response.ok) return fromStoreAnswer(response);
  const { pc, mobile, redirectUri, expiresIn } = await response.json();
  return { status: 200, body: { pc, mobile, redirectUri, expiresIn } };
}

/**
 * `POST /api/apps/import` `{}`: `{ total, added, updated, requests }`. Every account of the
 * platform's authorization list is registered; the profiles follow through the Platform
 * object's alarm. The caller is an admin already.
 * @param {Request} request
 * @param {URL} url
 * @param {Record<string, any>} env
 * @returns {Promise<import("./api.js").ApiResult>}
 */
export async function importApps(request, url, env) {
  const refused = await platformWrite(request, url, env);
  if (refused) return refused;
  const response = await platformStub(env).fetch("https://platform/import", { method: "POST" });
  if (!response.ok) return fromStoreAnswer(response);
  const { total, added, updated, revoked, requests } = await response.json();
  return { status: 200, body: { total, added, updated, revoked, requests } };
}

/** The refusal of a platform write (cross-site, a body that is not `{}`-like JSON, not the platform), or null. */
async function platformWrite(request, url, env) {
  const crossSite = refuseCrossSite(request, url);
  if (crossSite) return crossSite;
  const read = await readBody(request, 1024);
  let body = null;
  try {
    body = read.tooLarge || read.text === null ? null : JSON.parse(read.text === "" ? "{}" : read.text);
  } catch {
    body = null;
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) return apiError(400, "invalid_argument", "send {} as the body", "the body must be a JSON object");
  const chosen = readSource(env);
  if (chosen.problem) return misconfigured(chosen.problem);
  if (chosen.source !== "platform") {
    return apiError(409, "conflict", `mini programs are added on the platform only (COMPONENT_APPID and COMPONENT_APPSECRET without AUTHORIZER_APPID); this Worker's source is "${chosen.source}" (see edge/README.md)`);
  }
  return null;
}
