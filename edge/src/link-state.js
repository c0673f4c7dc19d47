// The state on the way back from WeChat's authorization page. The authorization links send the
// mini program's admin back to `/wechat/authorized?state=S`, and WeChat adds `auth_code`. S is
// `<expiry in Unix seconds>.<HMAC-SHA-256 of it>` under a key the Platform object makes once and
// keeps in its storage: only a link this Worker made, while its pre-auth code lives, gets an
// auth_code exchanged. Without it, anyone could have the Worker call api_query_auth (a quota)
// with made-up codes.

const KEY_NAME = "linkStateKey";
const encoder = new TextEncoder();

export class LinkState {
  /** @param {DurableObjectStorage} storage */
  constructor(storage) {
    this.storage = storage;
    /** @type {CryptoKey | null} */
    this.key = null;
  }

  /** A state valid for `lifetimeSecs`. */
  async issue(lifetimeSecs) {
    const expires = String(Math.floor(Date.now() / 1000) + lifetimeSecs);
    const mac = new Uint8Array(await crypto.subtle.sign("HMAC", await this.hmacKey(), encoder.encode(expires)));
    return `${expires}.${base64url(mac)}`;
  }

  /** Whether `state` was issued here and has not expired (the MAC checked in constant time). */
  async verify(state) {
    const match = typeof state === "string" ? /^([0-9]{1,12})\.([A-Za-z0-9_-]{43})$/.exec(state) : null;
    if (!match || Number(match[1]) < Date.now() / 1000) return false;
    const mac = fromBase64url(match[2]);
    return crypto.subtle.verify("HMAC", await this.hmacKey(), mac, encoder.encode(match[1]));
  }

  async hmacKey() {
    if (this.key) return this.key;
    let raw = await this.storage.get(KEY_NAME);
    if (!(raw instanceof Uint8Array)) {
      raw = crypto.getRandomValues(new Uint8Array(32));
      await this.storage.put(KEY_NAME, raw);
    }
    this.key = await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    return this.key;
  }
}

function base64url(bytes) {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(text) {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
