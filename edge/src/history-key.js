// The history's keys: configs kept by the HistoryStore are sealed with AES-GCM (WebCrypto) under
// the secret HISTORY_KEY.
//
// HISTORY_KEY is `kid:base64key[,kid:base64key…]`: the first key seals, every key opens (a sealed
// config names its kid), so a new key goes first and the old one stays second until no record
// sealed under it is kept any more. A key is 16, 24 or 32 bytes (AES-128/192/256). Each sealing
// has a fresh 12-byte IV and the record's own id as associated data: a sealed config copied into
// another record does not open there.

const encoder = new TextEncoder();
const KID = /^[A-Za-z0-9_-]{1,32}$/;

/** What to do when HISTORY_KEY is missing or malformed (never quotes the setting). */
export const HISTORY_KEY_HINT =
  "set the secret HISTORY_KEY to kid:base64key (a 16, 24 or 32-byte key, e.g. `k1:$(openssl rand -base64 32)`); " +
  "add a new key in front of the old one to rotate: k2:new,k1:old (see edge/README.md)";

/** The keys read from a HISTORY_KEY text, and the text they came from. */
let parsed = null;

/**
 * The keys of `text`: `{ keys: [{kid, key}] }` (first seals) or `{ problem }` (what is wrong,
 * never a key).
 * @param {string | undefined} text
 */
export async function readKeys(text) {
  if (parsed && parsed.text === text) return parsed.result;
  const result = await parseKeys(text);
  parsed = { text, result };
  return result;
}

async function parseKeys(text) {
  if (typeof text !== "string" || text.trim() === "") return { problem: "HISTORY_KEY is not set" };
  const keys = [];
  for (const [i, part] of text.split(",").entries()) {
    const at = part.indexOf(":");
    const kid = part.slice(0, at).trim();
    if (at < 0 || !KID.test(kid)) return { problem: `HISTORY_KEY's key ${i + 1} has no kid (letters, digits, _ or -, before a colon)` };
    let bytes;
    try {
      bytes = Uint8Array.from(atob(part.slice(at + 1).trim()), (c) => c.charCodeAt(0));
    } catch {
      return { problem: `HISTORY_KEY's key ${kid} is not base64` };
    }
    if (![16, 24, 32].includes(bytes.length)) return { problem: `HISTORY_KEY's key ${kid} is not 16, 24 or 32 bytes` };
    if (keys.some((k) => k.kid === kid)) return { problem: `HISTORY_KEY names the kid ${kid} twice` };
    keys.push({ kid, key: await crypto.subtle.importKey("raw", bytes, "AES-GCM", false, ["encrypt", "decrypt"]) });
  }
  return { keys };
}

const toBase64 = (bytes) => btoa(String.fromCharCode(...bytes));
const fromBase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/**
 * Seals `value` (any JSON) for the record `id` under the first key: `{ kid, sealed }` (sealed:
 * base64 of IV then ciphertext).
 */
export async function seal(keys, id, value) {
  const { kid, key } = keys[0];
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = encoder.encode(JSON.stringify(value));
  const ct = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: encoder.encode(id) }, key, data));
  const out = new Uint8Array(12 + ct.length);
  out.set(iv);
  out.set(ct, 12);
  return { kid, sealed: toBase64(out) };
}

/**
 * Opens what `seal` gave for the record `id`: `{ value }`, or `{ problem }` when no key has that
 * kid or the key does not open it (another key under the same kid, or a sealed value moved).
 */
export async function open(keys, id, kid, sealed) {
  const entry = keys.find((k) => k.kid === kid);
  if (!entry) return { problem: `this record was sealed under the key ${kid}, which HISTORY_KEY does not hold` };
  try {
    const bytes = fromBase64(sealed);
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: bytes.subarray(0, 12), additionalData: encoder.encode(id) },
      entry.key,
      bytes.subarray(12),
    );
    return { value: JSON.parse(new TextDecoder().decode(plain)) };
  } catch {
    return { problem: `HISTORY_KEY's key ${kid} does not open this record (not the key it was sealed under)` };
  }
}
