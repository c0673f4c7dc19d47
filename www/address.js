// The page's address: where the page is (state.js `place`) as a URL that can be reloaded, gone
// back to and shared:
//   /?app=<appid>&env=<env>&fn=<function>[&type=1|2|3]
// Each field needs the one before it (a function belongs to an environment, an environment to
// an app; without apps, as with a static token or in direct mode, there is no `app`). The
// return from WeChat's authorization page (`authorized=1` with `app`, or
// `authorization_error=<code>`) is read once and removed from the address.

import { TYPES } from "./source.js";

/** The longest value taken from the address (appids, env ids and names are far shorter). */
const MAX_LENGTH = 128;

/** Where nothing is chosen yet. */
export const NOWHERE = Object.freeze({ app: null, env: null, fn: null, type: "all" });

function param(params, name) {
  const value = params.get(name)?.trim() ?? "";
  return value && value.length <= MAX_LENGTH ? value : null;
}

/** The place named by a query string (`location.search`). */
export function placeFrom(search) {
  const params = new URLSearchParams(search);
  const app = param(params, "app");
  const env = param(params, "env");
  const fn = env ? param(params, "fn") : null;
  const type = params.get("type");
  return { app, env, fn, type: fn && TYPES.includes(type) ? type : "all" };
}

/** The address of `place`: the path with only the fields chosen. */
export function addressOf(place) {
  const params = new URLSearchParams();
  if (place.app) params.set("app", place.app);
  if (place.env) params.set("env", place.env);
  if (place.env && place.fn) {
    params.set("fn", place.fn);
    if (place.type && place.type !== "all") params.set("type", place.type);
  }
  const search = params.toString();
  return search ? `${location.pathname}?${search}` : location.pathname;
}

/** The place in the address bar now. */
export function currentPlace() {
  return placeFrom(location.search);
}

/** Whether two places are the same. */
export function samePlace(a, b) {
  return a.app === b.app && a.env === b.env && a.fn === b.fn && (a.fn ? a.type === b.type : true);
}

/** A step to `place`: a new history entry, unless the address already says so. */
export function pushPlace(place) {
  const url = addressOf(place);
  if (url !== location.pathname + location.search) history.pushState(null, "", url);
}

/** The address says `place` without a new history entry. */
export function replacePlace(place) {
  const url = addressOf(place);
  if (url !== location.pathname + location.search) history.replaceState(null, "", url);
}

/** Calls `handler(place)` when the user goes back or forward. */
export function onPlaceChange(handler) {
  window.addEventListener("popstate", () => handler(currentPlace()));
}

/**
 * The outcome of a return from WeChat's authorization page, taken out of the address (with
 * history.replaceState, so that a reload or a shared link does not show it again):
 * `{authorized: appid}`, `{error: code}`, or `null` when the address has neither.
 */
export function takeAuthorizationReturn() {
  const params = new URLSearchParams(location.search);
  const error = params.get("authorization_error");
  const authorized = params.get("authorized") === "1" ? param(params, "app") : null;
  if (error === null && !params.has("authorized")) return null;
  params.delete("authorization_error");
  params.delete("authorized");
  const search = params.toString();
  history.replaceState(null, "", search ? `${location.pathname}?${search}` : location.pathname);
  if (error !== null) return { error: /^[a-z_]{1,40}$/.test(error) ? error : "failed" };
  return authorized ? { authorized } : null;
}
