// What the tests of this folder share: the simulator's address and seeded credentials, its
// control routes, a scripted token source, a refused port and a fetch counter, and the checks
// on errors (the rejection of a call, the texts an error exposes, no secret in any of them,
// the record for the secret-leak scan).
// Not a test file itself: `node --test node/` only runs the files named `*.test.mjs`.
import assert from "node:assert/strict";
import { appendFileSync } from "node:fs";
import { inspect } from "node:util";
import { createServer } from "node:net";
import { isTcbError } from "tcb-funcconfig";

export const SIM = process.env.SIM_URL;
/** The access token the simulator accepts. */
export const TOKEN = "sim-access-token";
/** The simulator's seeded environment. */
export const ENV = "test-777bb9";
/** The options every top-level call needs, for the seeded environment and token. */
export const base = { accessToken: TOKEN, env: ENV, baseUrl: SIM };

/** The package's exports, sorted: its whole API, the same in every runtime. */
export const EXPORTS = [
  "ComponentClient",
  "TcbClient",
  "authorizerToken",
  "checkConfig",
  "checkField",
  "componentToken",
  "decryptPush",
  "defaults",
  "diffConfigs",
  "emptyConfig",
  "getFuncConfig",
  "isTcbError",
  "listFunctions",
  "maskChanges",
  "maskConfig",
  "nextRuns",
  "parseCron",
  "stableToken",
  "uploadFuncConfig",
];

/** A control route of the simulator: GET without a body, POST with one; an answer must be 2xx. */
export async function control(path, body, method = body === undefined ? "GET" : "POST") {
  const res = await fetch(SIM + path, body === undefined ? { method } : { method, body: JSON.stringify(body) });
  assert.ok(res.ok, `${method} ${path}: ${res.status}`);
  return res.json();
}
/** Injects a fault (`{ function_name | path, times, fault }`). */
export const fault = (body) => control("/__sim/faults", body);
/** WeChat-side requests the simulator received for this function. */
export const requestsOf = (fn) => control(`/__sim/requests?function_name=${encodeURIComponent(fn)}`);
export const sent = async (fn) => (await requestsOf(fn)).length;
/** The simulator's counts of WeChat-side requests, by path, since the reset. */
export const counters = async () => (await control("/__sim/state")).counters;
/** The simulator's count of WeChat-side requests to one path since the reset. */
export const count = async (path) => (await counters())[path] ?? 0;
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A loopback port nothing listens on (a connection to it is refused). */
export async function closedPort() {
  const srv = createServer();
  await new Promise((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const { port } = srv.address();
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

/**
 * Counts the fetches to URLs starting with `target` (the package sends `Request`s) until
 * `restore()`: `{ count, restore }`.
 */
export function countFetches(target) {
  const realFetch = globalThis.fetch;
  const counter = { count: 0, restore: () => { globalThis.fetch = realFetch; } };
  globalThis.fetch = (request, init) => {
    if (String(request?.url ?? request).startsWith(target)) counter.count++;
    return realFetch(request, init);
  };
  return counter;
}

/**
 * A getAccessToken that hands out `tokens` in turn; `calls` records whether each call asked for
 * a forced refresh and whether it was given an AbortSignal, and `forces()` checks that every call
 * was given one and returns the forceRefresh of each call.
 */
export function tokenSequence(...tokens) {
  const calls = [];
  const fn = async (ctx) => {
    calls.push({ forceRefresh: ctx.forceRefresh, hasSignal: ctx.signal instanceof AbortSignal });
    return tokens[Math.min(calls.length - 1, tokens.length - 1)];
  };
  const forces = () => {
    for (const c of calls) assert.ok(c.hasSignal, "the token source is given an AbortSignal");
    assert.ok(calls.every((c) => typeof c.forceRefresh === "boolean"));
    return calls.map((c) => c.forceRefresh);
  };
  return { fn, calls, forces };
}

/**
 * Every text an error exposes: message, stack, JSON form, inspection, each own property (as
 * text or JSON) and each enumerable value as a string.
 */
export function errorTexts(err) {
  const own = Object.getOwnPropertyNames(err).map((k) => {
    const v = err[k];
    return typeof v === "string" ? v : JSON.stringify(v);
  });
  return [err.message, err.stack, JSON.stringify(err), inspect(err, { depth: 10 }), ...own, ...Object.values(err).map(String)];
}

/** Fails when any of `secrets` (one string or a list) shows in any text of `err`. */
export function assertNoSecret(err, secrets) {
  for (const t of errorTexts(err)) {
    for (const s of [secrets].flat()) assert.ok(!String(t ?? "").includes(s), `secret ${s} leaked into an error: ${t}`);
  }
}

/**
 * Appends what an error shows to the secret-leak scan's log when `make test` names one
 * (TCB_LEAK_LOG; the line format of tests/leaks.mjs, which this scratch copy cannot import).
 * `file` is the test file it came from.
 */
export function recordLeak(err, file) {
  if (!process.env.TCB_LEAK_LOG) return;
  let json = "";
  try {
    json = JSON.stringify(err);
  } catch {}
  const text = [String(err), err?.message, err?.stack, json, inspect(err, { depth: 10 })].join("\n");
  appendFileSync(process.env.TCB_LEAK_LOG, JSON.stringify({ kind: "node", where: `${file}: ${err?.code ?? ""}`, text }) + "\n");
}

/**
 * The `rejection(promise)` of one test file: it resolves to the rejection of `promise` (a call of
 * the package, so a promise: a synchronous throw or a value fails the test), recorded for the leak
 * scan under `file` and pushed to `seen` when given, and checked to be a TcbError that shows none
 * of `secrets`.
 */
export function makeRejection({ file, secrets, seen }) {
  assert.ok(typeof file === "string" && [secrets].flat().length > 0, "a file name and the secrets to look for");
  return async function rejection(promise) {
    assert.ok(promise instanceof Promise, "the call returns a promise");
    try {
      await promise;
    } catch (e) {
      recordLeak(e, file);
      seen?.push(e);
      assert.ok(isTcbError(e), `not a TcbError: ${inspect(e)}`);
      assertNoSecret(e, secrets);
      return e;
    }
    assert.fail("expected a rejection");
  };
}
