// The fleet page's requests: /api/fleet/* and /api/jobs* on this origin, with the access key
// kept for this tab (storage.js), or none when Cloudflare Access signs the requests.
import { PageError } from "./source.js";
import { readSession } from "./storage.js";

const REQUEST_TIMEOUT_MS = 30000;

/** The saved session's key (`null` under Access), or `undefined` when not signed in. */
export function sessionKey() {
  const saved = readSession();
  if (saved?.mode === "worker") return saved.key;
  if (saved?.mode === "access") return null;
  return undefined;
}

async function send(path, { key, json, params = {}, text = false } = {}) {
  const url = new URL(path, location.origin);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, String(value));
  const headers = { Accept: text ? "text/csv" : "application/json" };
  if (key) headers.Authorization = `Bearer ${key}`;
  let response;
  try {
    response = await fetch(url, {
      ...(json === undefined ? { headers } : { method: "POST", headers: { ...headers, "Content-Type": "application/json" }, body: JSON.stringify(json) }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      cache: "no-store",
    });
  } catch {
    throw new PageError({ code: "network", retryable: true, hint: "The Worker could not be reached." });
  }
  if (text && response.ok) return response.blob();
  const body = await response.json().catch(() => undefined);
  if (body?.error && typeof body.error === "object") throw new PageError({ ...body.error, httpStatus: response.status });
  if (!response.ok || !body) throw new PageError({ code: "http", httpStatus: response.status, hint: "The server answered with an HTTP error and no details." });
  return body;
}

export const fleetApi = (key) => ({
  me: () => send("/api/me", { key }),
  status: () => send("/api/fleet/status", { key }),
  reindex: () => send("/api/fleet/index", { key, json: {} }),
  search: (params) => send("/api/fleet/search", { key, params }),
  startJob: (body) => send("/api/jobs", { key, json: body }),
  job: (id, limit = 100) => send(`/api/jobs/${encodeURIComponent(id)}`, { key, params: { limit } }),
  cancel: (id) => send(`/api/jobs/${encodeURIComponent(id)}/cancel`, { key, json: {} }),
  reportCsv: (id) => send(`/api/jobs/${encodeURIComponent(id)}/report`, { key, params: { format: "csv" }, text: true }),
});
