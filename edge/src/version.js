// The `version` of a config: what a writer sends back as `expectedVersion` to say which config
// it last saw.
//
// A version is HMAC-SHA256 over the config's real `raw` (hex, the first 32 characters), keyed
// with a key derived from a Worker secret. Keyed, because a plain hash of `raw` would let anyone
// who sees a masked config (keys, value lengths, version) test guesses of the values offline; a
// secret key makes that impossible. Derived from a secret every isolate has, so every isolate
// gives the same version for the same config. The derivation has a label of its own: the key is
// never the secret itself, nor usable for anything else.

const encoder = new TextEncoder();
const HMAC = { name: "HMAC", hash: "SHA-256" };
const LABEL = "tcb-funcconfig config version";

/**
 * The secrets a version key may come from, first set wins. ADMIN_KEY when there is one (only
 * admins hold it, and they may see the values anyway); otherwise the token source's own secret
 * (a deployment that has admins through Cloudflare Access only). Never VIEWER_KEY: a viewer
 * holding the key could test guesses of masked values against their versions.
 */
const KEY_SOURCES = ["ADMIN_KEY", "WECHAT_APPSECRET", "COMPONENT_APPSECRET", "WECHAT_ACCESS_TOKEN"];

/** The derived key and the secret it came from (a CryptoKey is a plain value: safe to keep). */
let derived = null;

async function versionKey(env) {
  const name = KEY_SOURCES.find((k) => typeof env[k] === "string" && env[k] !== "");
  if (!name) return null;
  const secret = env[name];
  if (derived && derived.secret === secret) return derived.key;
  const base = await crypto.subtle.importKey("raw", encoder.encode(secret), HMAC, false, ["sign"]);
  const bytes = await crypto.subtle.sign("HMAC", base, encoder.encode(LABEL));
  const key = await crypto.subtle.importKey("raw", bytes, HMAC, false, ["sign"]);
  derived = { secret, key };
  return key;
}

/**
 * The version of a config with this real `raw`; `null` for "not configured" (`raw` null).
 * Throws when no secret is set to derive the key from (the Worker cannot read configs then
 * either: its token source is one of those secrets).
 * @param {string | null | undefined} raw
 * @param {Record<string, any>} env
 * @returns {Promise<string | null>}
 */
export async function versionOf(raw, env) {
  if (raw === null || raw === undefined) return null;
  const key = await versionKey(env);
  if (!key) throw new Error("no secret to derive the version key from");
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(raw)));
  let hex = "";
  for (const byte of mac.subarray(0, 16)) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

/** A well-formed version: 32 lowercase hex digits. */
export const VERSION_PATTERN = /^[0-9a-f]{32}$/;
