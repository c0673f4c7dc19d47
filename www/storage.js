// What the page keeps between loads. The signed-in session (the access key, or in direct mode
// the base URL and token) lives in sessionStorage only; localStorage holds recent queries
// (the mini program, env, function, type), never a secret. The language choice is kept by i18n.js.

import { TYPES } from "./source.js";

const SESSION_KEY = "tcbfc.session";
const RECENT_KEY = "tcbfc.recent";
const RECENT_MAX = 8;

/**
 * The saved session, or `null`: `{mode: "worker", key}`, `{mode: "access"}` (Cloudflare Access
 * signs the requests) or `{mode: "direct", baseUrl, token}`.
 */
export function readSession() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(SESSION_KEY));
    if (saved?.mode === "worker" && typeof saved.key === "string") return saved;
    if (saved?.mode === "access") return saved;
    if (saved?.mode === "direct" && typeof saved.baseUrl === "string" && typeof saved.token === "string") return saved;
  } catch {
    // Nothing usable saved.
  }
  return null;
}

export function saveSession(saved) {
  try {
    sessionStorage.setItem(SESSION_KEY, JSON.stringify(saved));
  } catch {
    // Storage disabled: the session works until the page is reloaded.
  }
}

export function forgetSession() {
  sessionStorage.removeItem(SESSION_KEY);
}

/** `{env, functionName, type}` of `query`, with its `appid` when it names a mini program. */
function recentEntry({ appid, env, functionName, type }) {
  return typeof appid === "string" && appid ? { appid, env, functionName, type } : { env, functionName, type };
}

/** The recent queries, newest first: `[{appid?, env, functionName, type}]`. */
export function readRecent() {
  try {
    const list = JSON.parse(localStorage.getItem(RECENT_KEY));
    if (!Array.isArray(list)) return [];
    return list
      .filter((q) => q && typeof q.env === "string" && typeof q.functionName === "string" && TYPES.includes(q.type))
      .map(recentEntry)
      .slice(0, RECENT_MAX);
  } catch {
    return [];
  }
}

/** Puts `query` first in the recent queries (once). */
export function rememberQuery(query) {
  const same = (q) => (q.appid ?? null) === (query.appid ?? null) && q.env === query.env && q.functionName === query.functionName
    && q.type === query.type;
  const list = [recentEntry(query), ...readRecent().filter((q) => !same(q))];
  try {
    localStorage.setItem(RECENT_KEY, JSON.stringify(list.slice(0, RECENT_MAX)));
  } catch {
    // Recent queries are a convenience; the query itself still runs.
  }
}

export function forgetRecent() {
  try {
    localStorage.removeItem(RECENT_KEY);
  } catch {
    // Nothing to clear.
  }
}
