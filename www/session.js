// Signing in and out. A sign-in connects a source (the Worker with an access key or behind
// Cloudflare Access, or direct mode with a base URL and token) and keeps its secret in
// sessionStorage only once it works; a sign-out cancels every request and forgets it.

import { els } from "./elements.js";
import { directSource } from "./direct-source.js";
import { PageError, asPageError } from "./source.js";
import { workerSource } from "./worker-source.js";
import { signedIn, signedOut, signinFailed, signinStarted, state } from "./state.js";
import { forgetSession, readRecent, readSession, saveSession } from "./storage.js";
import { fillQuery, renderAll, renderSignin } from "./view.js";

/** Signs in to the Worker with `key`, or with no key (`null`) behind Cloudflare Access. */
export async function signInWithKey(key) {
  await startSession(() => {
    const source = workerSource(key);
    return source.me().then((me) => {
      if (me?.role !== "viewer" && me?.role !== "admin") {
        throw new PageError({ code: "decode", hint: "The server answered /api/me without a known role." });
      }
      return { source, session: { role: me.role, via: me.via === "access" ? "access" : "key" } };
    });
  }, "signin.checking", key ? { mode: "worker", key } : { mode: "access" });
}

export async function signInDirect(baseUrl, token) {
  await startSession(async () => {
    const source = await directSource(baseUrl, token);
    return { source, session: { role: "direct" } };
  }, "direct.loading", { mode: "direct", baseUrl, token });
}

/** What runs once signed in (the controller's: going where the address says). */
let afterSignIn = () => {};

export function whenSignedIn(handler) {
  afterSignIn = handler;
}

/** Runs a sign-in attempt with the sign-in panel busy; keeps the secret only when it works. */
async function startSession(connect, busyKey, saved) {
  signinStarted(busyKey);
  renderSignin();
  try {
    const { source, session } = await connect();
    saveSession(saved);
    signedIn(source, session);
    els.accessKey.value = "";
    els.directToken.value = "";
    renderAll();
    // A recent query of a mini program waits until that app is chosen.
    const first = readRecent().find((query) => !query.appid);
    if (first && !els.env.value) fillQuery(first);
    (els.env.value ? els.functionName : els.env).focus();
  } catch (error) {
    failed(error, saved);
    return;
  }
  await afterSignIn();
}

/** A sign-in that did not work: nothing is kept, the panel says why. */
function failed(error, saved) {
  forgetSession();
  signinFailed(asPageError(error));
  renderSignin();
  (saved.mode === "direct" ? els.directBaseUrl : els.accessKey).focus();
}

export function signOut(messageKey = null) {
  forgetSession();
  signedOut(messageKey);
  renderAll();
  els.accessKey.focus();
}

/**
 * Whether `error` says the Worker no longer takes the key: then the user is signed out, told
 * why, and the caller drops what it was doing.
 */
export function signedOutBy(error) {
  if (error?.code !== "unauthorized" || state.source?.mode !== "worker") return false;
  signOut("signin.expired");
  return true;
}

/** Signs in again with the session saved in this tab, if any. */
export function resumeSession() {
  const saved = readSession();
  if (saved?.mode === "worker") signInWithKey(saved.key);
  else if (saved?.mode === "access") signInWithKey(null);
  else if (saved?.mode === "direct") {
    els.direct.open = true;
    els.directBaseUrl.value = saved.baseUrl;
    signInDirect(saved.baseUrl, saved.token);
  }
}
