// Who is calling: a bearer key (VIEWER_KEY / ADMIN_KEY) or a Cloudflare Access JWT.

/** @typedef {{ role: "viewer" | "admin", via: "key" | "access" }} Identity */

const encoder = new TextEncoder();

/**
 * Identifies the caller of an API request; `null` when no credential is valid.
 *
 * A valid bearer key wins; otherwise, when `ACCESS_AUD` and `ACCESS_CERTS_URL` are both set,
 * a valid `Cf-Access-Jwt-Assertion` is accepted.
 * @param {Request} request
 * @param {Record<string, string | undefined>} env
 * @returns {Promise<Identity | null>}
 */
export async function identify(request, env) {
  const key = bearerKey(request.headers.get("Authorization"));
  if (key) {
    const role = await roleForKey(key, env);
    if (role) return { role, via: "key" };
  }
  const jwt = request.headers.get("Cf-Access-Jwt-Assertion");
  if (jwt && env.ACCESS_AUD && env.ACCESS_CERTS_URL) {
    const claims = await verifyAccessJwt(jwt, env.ACCESS_AUD, env.ACCESS_CERTS_URL);
    if (claims) return { role: accessRole(claims, env.ACCESS_ADMIN_EMAILS), via: "access" };
  }
  return null;
}

// `Bearer <key>`: the scheme in any case, exactly one space, then the key as sent.
function bearerKey(header) {
  const match = /^bearer (.+)$/is.exec(header ?? "");
  return match ? match[1] : null;
}

// --- keys ------------------------------------------------------------------------------------

// Keys are compared as HMACs under a random per-isolate key, with a constant-time loop: the
// time taken says nothing about how much of a key was right, nor about its length.
let macKey = null;

async function roleForKey(presented, env) {
  if (!macKey) {
    macKey = await crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  }
  const key = macKey;
  const mac = (text) => crypto.subtle.sign("HMAC", key, encoder.encode(text));
  const [given, admin, viewer] = await Promise.all([mac(presented), mac(env.ADMIN_KEY ?? ""), mac(env.VIEWER_KEY ?? "")]);
  // A missing or empty secret means the role does not exist.
  const isAdmin = sameBytes(given, admin) && Boolean(env.ADMIN_KEY);
  const isViewer = sameBytes(given, viewer) && Boolean(env.VIEWER_KEY);
  return isAdmin ? "admin" : isViewer ? "viewer" : null;
}

function sameBytes(a, b) {
  const x = new Uint8Array(a);
  const y = new Uint8Array(b);
  if (x.length !== y.length) return false;
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i] ^ y[i];
  return diff === 0;
}

// --- Cloudflare Access -----------------------------------------------------------------------

const LEEWAY_S = 30;
const JWKS_TTL_MS = 10 * 60 * 1000;
// An unknown `kid` refetches the keys, but not more often than this (a flood of forged
// tokens must not turn into a flood of requests to the certs URL).
const JWKS_MIN_REFETCH_MS = 30 * 1000;
const RS256 = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };

// Plain values only (never a pending promise): workerd forbids sharing I/O across requests.
let jwks = { url: "", keys: new Map(), fetchedAt: 0, expires: 0 };

/**
 * Verifies a Cloudflare Access JWT (RS256 only) and returns its claims, or `null`.
 * @param {string} token the `Cf-Access-Jwt-Assertion` header
 * @param {string} audience the Access application's AUD tag
 * @param {string} certsUrl the team's JWKS URL (`https://<team>.cloudflareaccess.com/cdn-cgi/access/certs`)
 * @returns {Promise<Record<string, unknown> | null>}
 */
export async function verifyAccessJwt(token, audience, certsUrl) {
  const parts = token.split(".");
  if (parts.length !== 3 || !parts.every((p) => /^[A-Za-z0-9_-]+$/.test(p))) return null;
  const header = decodeJson(parts[0]);
  const claims = decodeJson(parts[1]);
  const signature = decodeBase64Url(parts[2]);
  if (!header || !claims || !signature) return null;
  if (header.alg !== "RS256" || typeof header.kid !== "string") return null;

  const key = await accessKey(certsUrl, header.kid);
  if (!key) return null;
  const signed = encoder.encode(`${parts[0]}.${parts[1]}`);
  if (!(await crypto.subtle.verify(RS256, key, signature, signed))) return null;

  const now = Date.now() / 1000;
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!aud.includes(audience)) return null;
  if (typeof claims.exp !== "number" || now > claims.exp + LEEWAY_S) return null;
  if (claims.nbf !== undefined && (typeof claims.nbf !== "number" || now < claims.nbf - LEEWAY_S)) return null;
  return claims;
}

function accessRole(claims, adminEmails) {
  const admins = (adminEmails ?? "").split(",").map((e) => e.trim().toLowerCase()).filter(Boolean);
  const email = typeof claims.email === "string" ? claims.email.toLowerCase() : "";
  return email && admins.includes(email) ? "admin" : "viewer";
}

async function accessKey(url, kid) {
  const now = Date.now();
  const fresh = jwks.url === url && now < jwks.expires;
  if (fresh && (jwks.keys.has(kid) || now - jwks.fetchedAt < JWKS_MIN_REFETCH_MS)) {
    return jwks.keys.get(kid) ?? null;
  }
  const keys = await fetchKeys(url);
  // A failed fetch is remembered briefly too, so a dead certs URL is not hammered.
  jwks = { url, keys: keys ?? new Map(), fetchedAt: now, expires: now + (keys ? JWKS_TTL_MS : JWKS_MIN_REFETCH_MS) };
  return jwks.keys.get(kid) ?? null;
}

async function fetchKeys(url) {
  try {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (!response.ok) return null;
    const body = await response.json();
    const keys = new Map();
    for (const jwk of Array.isArray(body?.keys) ? body.keys : []) {
      if (jwk?.kty !== "RSA" || typeof jwk.kid !== "string") continue;
      if ((jwk.alg !== undefined && jwk.alg !== "RS256") || (jwk.use !== undefined && jwk.use !== "sig")) continue;
      try {
        const key = await crypto.subtle.importKey("jwk", { kty: "RSA", n: jwk.n, e: jwk.e, alg: "RS256", ext: true }, RS256, false, ["verify"]);
        keys.set(jwk.kid, key);
      } catch {
        // a key that does not import is skipped
      }
    }
    return keys;
  } catch {
    return null;
  }
}

function decodeBase64Url(text) {
  try {
    const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

function decodeJson(text) {
  const bytes = decodeBase64Url(text);
  if (!bytes) return null;
  try {
    const value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
    return value && typeof value === "object" && !Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}
