// The fault matrix: every cell the Node, Chromium, workerd, Deno and Bun runs go through, and the
// code that runs one cell and checks its outcome. Plain JavaScript without imports, so the same
// file is loaded by Node, by the test page in Chromium, by the test Worker in workerd and by the
// test server in Deno and Bun.
//
// A cell is run on a function name private to it and to the runtime (the driver registers the
// normal configuration below for that name, then injects the cell's faults on it):
//   id        short name, part of the function name (letters and digits)
//   title     what the row of the matrix says
//   faults    [{ fault, times }] posted to /__sim/faults in order; `times` 0 (forever) unless set
//   oneShot   options of a getFuncConfig one-shot call (timeoutMs, retries); without it the
//             runtime's shared TcbClient (CLIENT_OPTIONS) makes the call
//   call      "upload": the call is the shared client's uploadFuncConfig of the normal config
//             (a write: retried only when it certainly never left), instead of a read
//   path      the endpoint the faults and the counted requests are on (default getfuncconfig)
//   expect    { kind, ... }: a typed result with these fields; or { code, errcode?, errmsg?,
//             httpStatus? }: one TcbError with these fields (`code` may be a list of acceptable
//             codes; `errmsg: null` means the error has no errmsg)
//   requests  how many requests the simulator must have seen: a number, [min, max], or an
//             object keyed by the observed error code; `requestsIn` overrides it per runtime
//   maxMs     a tighter bound than timeoutMs + SLACK_MS, when the cell must be quick
//   observed  for a cell with several acceptable codes: the one each runtime gave so far
//   console   Chromium's own console lines that the cell provokes (fetch logs each failed or
//             non-2xx request); any other console error fails the cell

export const ENV = "test-777bb9";
export const ACCESS_TOKEN = "sim-access-token";

/** Every call must settle within its timeoutMs plus this. */
export const SLACK_MS = 200;

/** The one TcbClient each runtime uses for the whole matrix (plus accessToken and baseUrl). */
export const CLIENT_OPTIONS = { timeoutMs: 1000, retries: 2 };

/** The configuration (type 3) registered for every cell's function name. */
export const NORMAL_CONFIG = JSON.stringify({
  timeout: 20,
  environment: [
    { key: "REGION", value: "ap-shanghai" },
    { key: "MODE", value: "faults" },
  ],
});
export const NORMAL_RESULT = { kind: "environment", type: 3, timeout: 20, environmentKeys: ["REGION", "MODE"], raw: NORMAL_CONFIG };

/** A different configuration, sent double-encoded by one cell. */
const DOUBLE_CONFIG = JSON.stringify({ timeout: 7, environment: [{ key: "DOUBLE", value: "unwrapped-once" }] });

// What Chromium logs for one injected failure of the getfuncconfig request.
const status502 = "Failed to load resource: the server responded with a status of 502 (Bad Gateway)";
const connectionReset = "Failed to load resource: net::ERR_CONNECTION_RESET";
const lengthMismatch = "Failed to load resource: net::ERR_CONTENT_LENGTH_MISMATCH";

const UPLOAD = "/tcb/uploadfuncconfig";

export const CELLS = [
  {
    id: "normal",
    title: "normal call (no fault)",
    faults: [],
    expect: NORMAL_RESULT,
    requests: 1,
  },
  {
    id: "normalOneShot",
    title: "normal call, getFuncConfig one-shot (timeoutMs 500)",
    faults: [],
    oneShot: { timeoutMs: 500 },
    expect: NORMAL_RESULT,
    requests: 1,
  },
  {
    id: "delay",
    title: "delay 1500 ms, one-shot timeoutMs 500",
    faults: [{ fault: { kind: "delay", ms: 1500 } }],
    oneShot: { timeoutMs: 500 },
    expect: { code: "timeout" },
    requests: 1,
  },
  {
    id: "delayClient",
    title: "delay 1500 ms, client timeoutMs 1000",
    faults: [{ fault: { kind: "delay", ms: 1500 } }],
    expect: { code: "timeout" },
    requests: 1,
  },
  {
    id: "reset",
    title: "connection reset before the answer (RST), every try",
    faults: [{ fault: { kind: "reset" } }],
    expect: { code: "network" },
    // Chromium and Deno send a request again by themselves when a reused keep-alive connection
    // is reset before any byte of the answer: up to twice per try there.
    requests: 3,
    requestsIn: { chromium: [3, 6], deno: [3, 6] },
    console: [connectionReset],
  },
  {
    id: "resetOnce",
    title: "connection reset once, then the normal answer",
    faults: [{ fault: { kind: "reset" }, times: 1 }],
    expect: NORMAL_RESULT,
    requests: 2,
    console: [connectionReset],
  },
  {
    id: "truncate",
    title: "answer cut in the middle of the body, every try",
    faults: [{ fault: { kind: "truncate" } }],
    expect: { code: ["network", "decode"] },
    requests: { network: 3, decode: 1 },
    observed: { node: "network", chromium: "network", workerd: "network", deno: "network", bun: "network" },
    console: [lengthMismatch],
  },
  {
    id: "empty",
    title: "200 with an empty body",
    faults: [{ fault: { kind: "empty" } }],
    expect: { code: "decode" },
    requests: 1,
  },
  {
    id: "html502",
    title: "HTML 502 page from a gateway, every try",
    faults: [{ fault: { kind: "http", status: 502 } }],
    expect: { code: "http", httpStatus: 502 },
    requests: 3,
    console: [status502],
  },
  {
    id: "notJson",
    title: "200 with a body that is not JSON",
    faults: [{ fault: { kind: "body", body: "<html><body>upstream maintenance</body></html>" } }],
    expect: { code: "decode" },
    requests: 1,
  },
  {
    id: "notUtf8",
    title: "200 with bytes that are not UTF-8 (ff fe 7b 7d)",
    faults: [{ fault: { kind: "bytesHex", hex: "ff fe 7b 7d" } }],
    expect: { code: "decode" },
    requests: 1,
  },
  {
    id: "huge",
    title: "200 announcing a 50 MB body (refused, not read)",
    faults: [{ fault: { kind: "huge", bytes: 52428800 } }],
    expect: { code: "decode" },
    requests: 1,
    maxMs: 500,
  },
  {
    id: "double",
    title: "config encoded twice (a JSON string holding the JSON text)",
    faults: [{ fault: { kind: "config", config: JSON.stringify(DOUBLE_CONFIG) } }],
    expect: { kind: "environment", type: 3, timeout: 7, environmentKeys: ["DOUBLE"], raw: JSON.stringify(DOUBLE_CONFIG) },
    requests: 1,
  },
  {
    id: "configNull",
    title: "config null",
    faults: [{ fault: { kind: "config", configJson: null } }],
    expect: { code: "decode" },
    requests: 1,
  },
  {
    id: "configNumber",
    title: "config a number (42)",
    faults: [{ fault: { kind: "config", configJson: 42 } }],
    expect: { code: "decode" },
    requests: 1,
  },
  {
    id: "errcodeString",
    title: 'errcode as a string ("85089")',
    faults: [{ fault: { kind: "errcode", errcode: 85089, errcodeAsString: true } }],
    expect: { code: "api", errcode: 85089 },
    requests: 1,
  },
  {
    id: "noErrmsg",
    title: "errcode 85088 without errmsg",
    faults: [{ fault: { kind: "errcode", errcode: 85088, omitErrmsg: true } }],
    expect: { code: "api", errcode: 85088, errmsg: null },
    requests: 1,
  },
  {
    id: "busy",
    title: "errcode -1 on every try",
    faults: [{ fault: { kind: "errcode", errcode: -1 } }],
    expect: { code: "api", errcode: -1 },
    requests: 3,
  },
  {
    id: "busyOnce",
    title: "errcode -1 once, then the normal answer",
    faults: [{ fault: { kind: "errcode", errcode: -1 }, times: 1 }],
    expect: NORMAL_RESULT,
    requests: 2,
  },
  {
    id: "busyNoRetry",
    title: "errcode -1, one-shot retries 0",
    faults: [{ fault: { kind: "errcode", errcode: -1 } }],
    oneShot: { timeoutMs: 500, retries: 0 },
    expect: { code: "api", errcode: -1 },
    requests: 1,
  },
  {
    id: "stall",
    title: "stall 2000 ms in the middle of the body, client timeoutMs 1000",
    faults: [{ fault: { kind: "stall", ms: 2000 } }],
    expect: { code: "timeout" },
    requests: 1,
  },
  {
    id: "writeLate",
    title: "write: the answer 3000 ms late (the write was applied), timeoutMs 1000",
    call: "upload",
    path: UPLOAD,
    faults: [{ fault: { kind: "delay", ms: 3000 } }],
    expect: { code: "unknown_outcome" },
    // Never sent twice: the client cannot know whether it was applied.
    requests: 1,
  },
  {
    id: "write502",
    title: "write: HTML 502 page from a gateway, every try",
    call: "upload",
    path: UPLOAD,
    faults: [{ fault: { kind: "http", status: 502 } }],
    expect: { code: "unknown_outcome" },
    requests: 1,
    console: [status502],
  },
  {
    id: "writeReset",
    title: "write: connection reset before the answer (RST), every try",
    call: "upload",
    path: UPLOAD,
    faults: [{ fault: { kind: "reset" } }],
    expect: { code: "unknown_outcome" },
    // Chromium itself sends the request again when a reused connection is reset before the
    // answer (see "reset" above), a write too: the client's own count stays one. Deno would as
    // well; there the package sends a write on a connection of its own, so it goes out once.
    requests: 1,
    requestsIn: { chromium: [1, 3] },
    console: [connectionReset],
  },
  {
    id: "writeBusy",
    title: "write: errcode -1 once (an answer: not applied), then written",
    call: "upload",
    path: UPLOAD,
    faults: [{ fault: { kind: "errcode", errcode: -1, errmsg: "system busy" }, times: 1 }],
    expect: { kind: "written" },
    requests: 2,
  },
];

/** The cell called `id` (throws on an unknown id). */
export function cellById(id) {
  const cell = CELLS.find((c) => c.id === id);
  if (!cell) throw new Error(`no cell ${JSON.stringify(id)}`);
  return cell;
}

/** The timeoutMs the cell's call runs under. */
export function timeoutOf(cell) {
  return cell.oneShot?.timeoutMs ?? CLIENT_OPTIONS.timeoutMs;
}

/** The function name private to one cell in one runtime (`nonce`: unique per run). */
export function functionNameFor(runtime, cellId, nonce) {
  const name = `${runtime}_${cellId}_${nonce}`;
  if (!/^[A-Za-z][A-Za-z0-9_-]{0,59}$/.test(name)) throw new Error(`bad function name ${name}`);
  return name;
}

/** The shared client of a runtime. */
export function makeClient(lib, baseUrl) {
  return new lib.TcbClient({ accessToken: ACCESS_TOKEN, baseUrl, ...CLIENT_OPTIONS });
}

/**
 * Runs one cell's call: through `client`, or as a getFuncConfig one-shot call when the cell has
 * `oneShot`. Resolves (never rejects) to { outcome, ms }: a plain, JSON-safe description of the
 * result or the rejection, and the wall time of the call in milliseconds (Date.now(), which
 * also advances across I/O inside workerd).
 */
export async function runCell(lib, client, baseUrl, cell, functionName) {
  const request = { env: ENV, functionName, type: 3 };
  const started = Date.now();
  let outcome;
  try {
    if (cell.call === "upload") {
      await client.uploadFuncConfig({ ...request, config: JSON.parse(NORMAL_CONFIG) });
      outcome = { ok: true, kind: "written" };
    } else {
      const result = cell.oneShot
        ? await lib.getFuncConfig({ ...request, accessToken: ACCESS_TOKEN, baseUrl, ...cell.oneShot })
        : await client.getFuncConfig(request);
      outcome = describeResult(result);
    }
  } catch (error) {
    outcome = describeError(lib, error);
  }
  return { outcome, ms: Date.now() - started };
}

function describeResult(result) {
  return {
    ok: true,
    kind: result?.kind,
    type: result?.type,
    timeout: result?.timeout,
    environmentKeys: Array.isArray(result?.environment) ? result.environment.map((e) => e.key) : null,
    raw: result?.raw,
    env: result?.env,
    functionName: result?.functionName,
  };
}

function describeError(lib, error) {
  const e = error ?? {};
  const text = (v) => (typeof v === "string" ? v : v === undefined ? null : String(v));
  return {
    ok: false,
    isTcbError: lib.isTcbError(error),
    isError: error instanceof Error,
    constructorName: e?.constructor?.name ?? null,
    name: text(e.name),
    code: text(e.code),
    errcode: e.errcode ?? null,
    errcodeType: typeof e.errcode,
    hasErrmsg: e.errmsg !== undefined,
    errmsg: text(e.errmsg),
    httpStatus: e.httpStatus ?? null,
    retryable: e.retryable ?? null,
    hint: text(e.hint),
    message: text(e.message),
    rawLength: typeof e.raw === "string" ? e.raw.length : null,
    // Everything an error shows, to check that the access token is in none of it.
    shown: [e.message, e.hint, e.errmsg, e.raw, e.stack, String(error)].filter((v) => typeof v === "string").join("\n").slice(0, 20000),
  };
}

/**
 * What is wrong with `outcome` for `cell` (an empty list when it is as expected): the kind or
 * the error fields, and the invariants of every rejection (a TcbError, never a trap, no token).
 */
export function problemsOf(cell, outcome) {
  const problems = [];
  const expect = cell.expect;
  if (expect.kind) {
    if (!outcome.ok) return [`expected a ${expect.kind} result, got ${outcome.name} ${outcome.code}: ${outcome.message}`];
    for (const [key, want] of Object.entries(expect)) {
      if (JSON.stringify(outcome[key]) !== JSON.stringify(want)) {
        problems.push(`${key}: expected ${JSON.stringify(want)}, got ${JSON.stringify(outcome[key])}`);
      }
    }
    return problems;
  }
  if (outcome.ok) return [`expected a TcbError (${expect.code}), got a ${outcome.kind} result`];
  if (!outcome.isTcbError || outcome.name !== "TcbError" || !outcome.isError) {
    problems.push(`not a TcbError: ${outcome.constructorName} ${outcome.name}: ${outcome.message}`);
  }
  if (/unreachable|RuntimeError|panicked/i.test(`${outcome.name} ${outcome.message}`)) problems.push(`a trap: ${outcome.message}`);
  const codes = [].concat(expect.code);
  if (!codes.includes(outcome.code)) problems.push(`code: expected ${codes.join(" or ")}, got ${outcome.code} (${outcome.message})`);
  if ("errcode" in expect) {
    if (outcome.errcode !== expect.errcode || outcome.errcodeType !== "number") {
      problems.push(`errcode: expected the number ${expect.errcode}, got ${outcome.errcodeType} ${JSON.stringify(outcome.errcode)}`);
    }
  }
  if (expect.errmsg === null && outcome.hasErrmsg) problems.push(`errmsg: expected none, got ${JSON.stringify(outcome.errmsg)}`);
  if ("httpStatus" in expect && outcome.httpStatus !== expect.httpStatus) {
    problems.push(`httpStatus: expected ${expect.httpStatus}, got ${outcome.httpStatus}`);
  }
  if (typeof outcome.hint !== "string" || outcome.hint === "") problems.push("no hint");
  if (typeof outcome.retryable !== "boolean") problems.push("retryable is not a boolean");
  if (outcome.shown.includes(ACCESS_TOKEN)) problems.push("the access token appears in the error");
  return problems;
}

/** How many requests the simulator must have seen for `cell` given its outcome: [min, max]. */
export function requestsExpected(cell, outcome, runtime) {
  let want = cell.requestsIn?.[runtime] ?? cell.requests;
  if (want && typeof want === "object" && !Array.isArray(want)) want = want[outcome.code];
  if (typeof want === "number") return [want, want];
  return want ?? [0, Infinity];
}

/** A short label of an outcome for the matrix: the kind, or the code with errcode / status. */
export function labelOf(outcome) {
  if (outcome.ok) return outcome.kind;
  if (outcome.code === "api") return `api ${outcome.errcode}${outcome.hasErrmsg ? "" : " (no errmsg)"}`;
  if (outcome.code === "http") return `http ${outcome.httpStatus}`;
  return String(outcome.code);
}

/** The expected outcome of a cell as a label. */
export function expectedLabel(cell) {
  const e = cell.expect;
  if (e.kind) return e.kind;
  const codes = [].concat(e.code).join(" or ");
  if (e.code === "api") return `api ${e.errcode}${e.errmsg === null ? " (no errmsg)" : ""}`;
  if (e.code === "http") return `http ${e.httpStatus}`;
  return codes;
}
