// Who is calling: a bearer key (VIEWER_KEY / ADMIN_KEY) or a Cloudflare Access JWT.
import { createRemoteJWKSet, customFetch, jwksCache, jwtVerify } from "jose";

/** @typedef {{ role: "viewer" | "admin", via: "key" | "access", email?: string }} Identity */

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
    if (claims) {
      // The email names the person in the history's records.
      const email = typeof claims.email === "string" ? claims.email.toLowerCase() : "";
      return { role: accessRole(claims, env.ACCESS_ADMIN_EMAILS), via: "access", ...(email ? { email } : {}) };
    }
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
//
// jose verifies the token (signature, algorithm, claims) against the team's key set.
//
// workerd forbids a request to await a promise that another request created (it cancels or
// hangs it), and jose's remote key set keeps its pending fetch in the object. So the key set is
// built for each request, and only plain values outlive a request: jose's exported cache (the
// fetched key set as JSON and when it was fetched), the certs URL it belongs to, and when a fetch
// last failed. Two requests that find no cached keys each fetch them; the later ones use the cache.

const LEEWAY_S = 30;
const JWKS_TTL_MS = 10 * 60 * 1000;
// An unknown `kid` refetches the keys, but not more often than this (a flood of forged tokens
// must not turn into a flood of requests to the certs URL); a failed fetch is not retried
// sooner either, so a dead certs URL is not hammered.
const JWKS_COOLDOWN_MS = 30 * 1000;
const JWKS_TIMEOUT_MS = 5000;

let jwks = { url: "", cache: {}, failedAt: -Infinity };

/**
 * Verifies a Cloudflare Access JWT (RS256 only, with a `kid`) and returns its claims, or `null`.
 * @param {string} token the `Cf-Access-Jwt-Assertion` header
 * @param {string} audience the Access application's AUD tag
 * @param {string} certsUrl the team's JWKS URL (`https://<team>.cloudflareaccess.com/cdn-cgi/access/certs`)
 * @returns {Promise<Record<string, unknown> | null>}
 */
export async function verifyAccessJwt(token, audience, certsUrl) {
  let url;
  try {
    url = new URL(certsUrl);
  } catch {
    return null;
  }
  if (jwks.url !== url.href) jwks = { url: url.href, cache: {}, failedAt: -Infinity };
  const state = jwks;
  const fetchedAt = state.cache.uat;
  let fetched = false;
  const keySet = createRemoteJWKSet(url, {
    cacheMaxAge: JWKS_TTL_MS,
    cooldownDuration: JWKS_COOLDOWN_MS,
    timeoutDuration: JWKS_TIMEOUT_MS,
    [jwksCache]: state.cache,
    [customFetch]: async (input, init) => {
      if (Date.now() - state.failedAt < JWKS_COOLDOWN_MS) throw new Error("the certs URL failed moments ago");
      fetched = true;
      return fetch(input, init);
    },
  });
  // Access tokens always name their key: a token without a `kid` is refused. `iss` is not
  // checked: the keys are the team's own, so a token they verify was issued by the team.
  const key = async (header, jws) => {
    if (typeof header.kid !== "string") throw new Error("no kid");
    return keySet(header, jws);
  };
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: ["RS256"],
      audience,
      clockTolerance: LEEWAY_S,
      requiredClaims: ["exp"],
    });
    return payload;
  } catch {
    return null;
  } finally {
    // A fetch that did not refresh the cache failed (no answer in time, not 200, not a key set).
    if (fetched && state.cache.uat === fetchedAt) state.failedAt = Date.now();
  }
}

function accessRole(claims, adminEmails) {
  const admins = (adminEmails ?? "").split(",").map((e) => e.trim().toLowerCase()).filter(Boolean);
  const email = typeof claims.email === "string" ? claims.email.toLowerCase() : "";
  return email && admins.includes(email) ? "admin" : "viewer";
}
