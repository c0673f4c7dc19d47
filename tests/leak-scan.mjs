// The secret-leak scan, the last step of `make test`: searches everything the system emitted
// during the run (the log tests/leaks.mjs collected: HTTP answers and Worker logs of the edge
// tests, the page's console and text, the fault matrix's error objects, the Node tests' errors)
// for every secret of tests/secrets.mjs. Fails on any hit, and on a log that is missing,
// empty, unreadable or lacks one of the source kinds (a hook that stopped recording).
//
//     node tests/leak-scan.mjs [LOG]     (LOG: $TCB_LEAK_LOG, else build/leaks.log)
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { KINDS } from "./leaks.mjs";
import { SECRET_PATTERNS, SECRETS } from "./secrets.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const file = process.argv[2] ?? process.env.TCB_LEAK_LOG ?? join(ROOT, "build/leaks.log");

/** The secrets found in `text`: `[name, index]` pairs (a secret is named by its first characters only). */
function findSecrets(text) {
  const hits = [];
  for (const secret of SECRETS) {
    const at = text.indexOf(secret);
    if (at >= 0) hits.push([`${secret.slice(0, 6)}… (${secret.length} chars)`, at]);
  }
  for (const { name, pattern } of SECRET_PATTERNS) {
    const match = pattern.exec(text);
    if (match) hits.push([name, match.index]);
  }
  return hits;
}

/** `text` with every secret replaced, for the report. */
function redact(text) {
  let out = text;
  for (const secret of SECRETS) out = out.split(secret).join("<secret>");
  for (const { pattern } of SECRET_PATTERNS) out = out.replace(new RegExp(pattern.source, "g"), "<secret>");
  return out;
}

function fail(message) {
  console.error(`secret-leak scan: ${message}`);
  process.exit(1);
}

// The matcher itself must find what it looks for, or a scan of 0 hits proves nothing.
const probe = `x ${SECRETS.join(" y ")} sim-authorizer-3-${"0a".repeat(16)} eyJ${"a".repeat(12)}.eyJ${"b".repeat(12)}.${"c".repeat(43)} z`;
if (findSecrets(probe).length !== SECRETS.length + SECRET_PATTERNS.length) fail("the matcher misses a secret of its own probe");
if (findSecrets("sim-access-tokem viewer-key s3cr3t sim-refresh-12-abc").length !== 0) fail("the matcher sees secrets where there are none");

if (!existsSync(file)) fail(`no log at ${file}: was TCB_LEAK_LOG set for the test run?`);
const lines = readFileSync(file, "utf8").split("\n").filter((line) => line !== "");
if (lines.length === 0) fail(`${file} is empty: nothing was recorded`);

const counts = Object.fromEntries(KINDS.map((k) => [k, 0]));
const hits = [];
let chars = 0;
for (const [i, line] of lines.entries()) {
  let entry;
  try {
    entry = JSON.parse(line);
  } catch {
    fail(`line ${i + 1} of ${file} is not JSON`);
  }
  if (!KINDS.includes(entry?.kind) || typeof entry.text !== "string") fail(`line ${i + 1} of ${file} is not an entry`);
  counts[entry.kind]++;
  chars += entry.text.length;
  for (const [name, at] of findSecrets(entry.text)) {
    hits.push({ kind: entry.kind, where: entry.where, name, context: redact(entry.text.slice(Math.max(0, at - 80), at)) });
  }
}

console.log(`entries: ${lines.length}`);
console.log(`by source: ${KINDS.map((k) => `${k} ${counts[k]}`).join(", ")}; ${chars} characters`);
console.log(`searched for ${SECRETS.length} secrets and ${SECRET_PATTERNS.length} patterns`);
const missing = KINDS.filter((k) => counts[k] === 0);
for (const h of hits) console.error(`HIT ${h.name} in ${h.kind} ${h.where}, after: ${JSON.stringify(h.context)}`);
const problems = [
  ...(hits.length ? [`${hits.length} hits`] : []),
  ...(missing.length ? [`no entry from ${missing.join(", ")}: that collector is broken`] : []),
];
if (problems.length) fail(problems.join("; "));
console.log("hits: 0");
