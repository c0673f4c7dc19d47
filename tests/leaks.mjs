// The collector of the secret-leak scan: what the system emitted during a test run (HTTP
// answers, Worker logs, page console and text, error objects) is appended here, one JSON line
// per entry, to the file named by TCB_LEAK_LOG; `make test` sets it and ends with
// tests/leak-scan.mjs, which searches the whole log for every secret of tests/secrets.mjs.
// Without TCB_LEAK_LOG (a test file run on its own) nothing is written.
//
// tests/node/*.test.mjs run from a scratch copy where this file is not reachable: they append
// the same line format themselves (see `recordLeak` in tests/node/helpers.mjs).
import { appendFileSync } from "node:fs";

/** The source kinds the scan expects entries from: a kind without any means a broken hook. */
export const KINDS = ["edge", "page", "faults", "node"];

/**
 * Appends `text` to the leak log as one entry of `kind` (one of KINDS); `where` says what it
 * came from, for the scan's report.
 * @param {string} kind
 * @param {unknown} text
 * @param {string} [where]
 */
export function record(kind, text, where = "") {
  const file = process.env.TCB_LEAK_LOG;
  if (!file) return;
  appendFileSync(file, JSON.stringify({ kind, where, text: typeof text === "string" ? text : String(text) }) + "\n");
}
