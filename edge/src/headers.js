// Security headers for every answer of the Worker, static or API.

/**
 * Builds the Content-Security-Policy of the admin page.
 *
 * `devConnectSrc` (the `DEV_CONNECT_SRC` var) lists extra origins the page may call, e.g. the
 * simulator in development. Only bare http(s) origins are taken: anything else is dropped, so
 * a bad value can never inject another directive.
 * @param {string | undefined} devConnectSrc space- or comma-separated origins
 * @returns {string}
 */
export function contentSecurityPolicy(devConnectSrc) {
  const connect = ["'self'", ...parseOrigins(devConnectSrc)];
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    `connect-src ${connect.join(" ")}`,
    // The mini programs' avatars (headImg) are on WeChat's image hosts.
    "img-src 'self' https://*.qlogo.cn https://mmbiz.qpic.cn",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
    "form-action 'self'",
  ].join("; ");
}

function parseOrigins(value) {
  const origins = [];
  for (const item of (value ?? "").split(/[\s,]+/)) {
    if (!item) continue;
    try {
      const url = new URL(item);
      const bare = item.replace(/\/$/, "");
      if ((url.protocol === "http:" || url.protocol === "https:") && url.origin === bare) origins.push(url.origin);
    } catch {
      // not a URL: ignored
    }
  }
  return origins;
}

/**
 * Returns a copy of `response` carrying the security headers (fetched responses have immutable
 * headers, hence the copy).
 * @param {Response} response
 * @param {{ DEV_CONNECT_SRC?: string }} env
 * @returns {Response}
 */
export function withSecurityHeaders(response, env) {
  const secured = new Response(response.body, response);
  const h = secured.headers;
  h.set("Content-Security-Policy", contentSecurityPolicy(env.DEV_CONNECT_SRC));
  h.set("X-Content-Type-Options", "nosniff");
  h.set("Referrer-Policy", "no-referrer");
  h.set("X-Frame-Options", "DENY");
  return secured;
}
