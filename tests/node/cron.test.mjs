// WeChat timer cron through the packed package: parseCron, nextRuns, trigger schedules, and a
// differential test against croner (an established cron library from npm).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Cron } from "croner";
import { getFuncConfig, nextRuns, parseCron, isTcbError } from "tcb-funcconfig";
import { SIM } from "./helpers.mjs";

function throwsInvalid(fn, pattern) {
  assert.throws(fn, (e) => {
    assert.ok(isTcbError(e), String(e));
    assert.equal(e.code, "invalid_argument");
    assert.match(e.message, pattern);
    return true;
  });
}

test("the spec's examples parse and explain themselves in both languages", () => {
  const cases = [
    ["*/5 * * * * * *", /every 5 seconds/, /每 5 秒/],
    ["0 0 2 1 * * *", /02:00:00/, /1 日/],
    ["0 15 10 * * MON-FRI *", /10:15:00.*Monday to Friday|Monday to Friday.*10:15:00/, /周一至周五/],
    ["0 0 10,14,16 * * * *", /10:00:00.*14:00:00.*16:00:00/, /10:00:00/],
    ["0 */30 9-17 * * * *", /30 minutes/, /30 分钟/],
  ];
  for (const [expr, en, zh] of cases) {
    const p = parseCron(expr);
    assert.equal(p.expression, expr);
    assert.deepEqual(Object.keys(p.fields), ["second", "minute", "hour", "day", "month", "weekday", "year"]);
    assert.match(p.explanation.en, en, expr);
    assert.match(p.explanation.zh, zh, expr);
  }
});

test("errors name the field, the text and the allowed range", () => {
  throwsInvalid(() => parseCron("0 0 24 * * * *"), /hour: 24 is outside 0-23/);
  throwsInvalid(() => parseCron("0 0 0 * FOO * *"), /month/);
  throwsInvalid(() => parseCron("0 0 0 ? * * *"), /`\?` is not supported/);
  throwsInvalid(() => parseCron("0 0 0 L * * *"), /not supported/);
  throwsInvalid(() => parseCron("0 0 0 * * 5#2 *"), /not supported/);
  throwsInvalid(() => parseCron("0 0 * * *"), /7 fields.*got 5/);
  throwsInvalid(() => parseCron("0 0 0 * * *"), /got 6/);
  throwsInvalid(() => parseCron("0 0 0 * * * 2100"), /year: 2100 is outside 1970-2099/);
  throwsInvalid(() => parseCron(42), /expression must be a string/);
  throwsInvalid(() => nextRuns("* * * * * * *", { count: 0 }), /count/);
  throwsInvalid(() => nextRuns("* * * * * * *", { from: "yesterday" }), /from/);
});

test("nextRuns: from and count, month ends, leap days, the year field's end", () => {
  assert.deepEqual(nextRuns("0 15 10 * * MON-FRI *", { from: "2026-11-27T12:00:00+08:00", count: 3 }), [
    "2026-11-30T10:15:00+08:00", "2026-12-01T10:15:00+08:00", "2026-12-02T10:15:00+08:00",
  ]);
  assert.deepEqual(nextRuns("0 0 0 31 * * *", { from: new Date("2027-01-31T12:00:00+08:00"), count: 3 }), [
    "2027-03-31T00:00:00+08:00", "2027-05-31T00:00:00+08:00", "2027-07-31T00:00:00+08:00",
  ]);
  assert.deepEqual(nextRuns("0 0 0 29 2 * *", { from: "2026-01-01T00:00:00+08:00", count: 2 }), [
    "2028-02-29T00:00:00+08:00", "2032-02-29T00:00:00+08:00",
  ]);
  assert.deepEqual(nextRuns("0 0 0 1 1 * 2020", { from: "2026-01-01T00:00:00Z" }), [], "all years past: none");
  assert.deepEqual(nextRuns("0 0 0 30 2 * *", { count: 5 }), [], "never: none, and no hang");
  assert.equal(nextRuns("*/5 * * * * * *", { count: 1000 }).length, 1000);
  assert.equal(nextRuns("*/5 * * * * * *").length, 5);
});

test("timer-trigger configs carry a schedule, or scheduleError when the expression does not parse", async () => {
  const base = { accessToken: "sim-access-token", env: "test-777bb9", baseUrl: SIM, type: 2 };
  const c = await getFuncConfig({ ...base, functionName: "reportDaily" });
  const { schedule } = c.triggers[0];
  assert.match(schedule.explanation.en, /Monday to Friday/);
  assert.equal(schedule.nextRuns.length, 5);
  for (const t of schedule.nextRuns) {
    assert.match(t, /^\d{4}-\d\d-\d\dT10:15:00\+08:00$/);
    assert.ok(Date.parse(t) > Date.now());
  }
  await fetch(`${SIM}/__sim/configs`, {
    method: "POST",
    body: JSON.stringify({ env: "test-777bb9", function_name: "badCron", type: 2,
      config: JSON.stringify({ triggers: [{ name: "t", type: "timer", config: "0 0 25 * * * *" }] }) }),
  });
  const bad = await getFuncConfig({ ...base, functionName: "badCron" });
  assert.equal(bad.triggers[0].config, "0 0 25 * * * *");
  assert.equal(bad.triggers[0].schedule, undefined);
  assert.match(bad.triggers[0].scheduleError, /hour: 25 is outside 0-23/);
});

// A small deterministic PRNG so a failure can be replayed.
function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32);
}

const FIELDS = [
  { lo: 0, hi: 59 }, { lo: 0, hi: 59 }, { lo: 0, hi: 23 }, { lo: 1, hi: 31 },
  { lo: 1, hi: 12, names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"] },
  { lo: 0, hi: 6, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] },
];

function genField(r, f, i) {
  const int = (lo, hi) => lo + Math.floor(r() * (hi - lo + 1));
  const val = () => {
    const v = int(f.lo, f.hi);
    return f.names && r() < 0.3 ? f.names[v - f.lo] : String(v);
  };
  // Coarse fields are mostly `*` so that schedules fire often enough to compare 20 runs.
  if (r() < (i >= 3 ? 0.55 : 0.3)) return ["*", "*"];
  const items = [];
  for (let n = int(1, 3); n > 0; n--) {
    const kind = int(0, 4);
    const a = int(f.lo, f.hi), b = int(a, f.hi), step = int(1, Math.max(1, Math.floor((f.hi - f.lo) / 2)));
    const name = (v) => (f.names && r() < 0.3 ? f.names[v - f.lo] : String(v));
    // Deliberate difference: croner reads SUN at the end of a range as 7 (`SUN-SUN` is 0-7,
    // every day); in WeChat's dialect SUN is only 0. Such ranges are left out of the comparison.
    const end = (v) => (i === 5 && v === 0 ? "0" : name(v));
    const item = [val(), `${name(a)}-${end(b)}`, `*/${step}`, `${name(a)}-${end(b)}/${step}`, `${a}/${step}`][kind];
    // croner refuses `a/n`; in both dialects it means `a-max/n`.
    items.push([item, kind === 4 ? `${a}-${f.hi}/${step}` : item]);
  }
  return [items.map((x) => x[0]).join(","), items.map((x) => x[1]).join(",")];
}

test("differential: the next 20 fire times agree with croner over thousands of expressions", (t) => {
  const r = rng(20261128);
  const COUNT = 3000;
  let compared = 0, empty = 0;
  for (let n = 0; n < COUNT; n++) {
    const fields = FIELDS.map((f, i) => genField(r, f, i));
    const six = fields.map((f) => f[0]).join(" ");
    const croner = fields.map((f) => f[1]).join(" ");
    const from = new Date(Date.UTC(2026, 0, 1) + Math.floor(r() * 4 * 365 * 86400) * 1000);
    const ours = nextRuns(`${six} *`, { from, count: 20 }).map((s) => Date.parse(s));
    const theirs = new Cron(croner, { timezone: "Asia/Shanghai", legacyMode: true })
      .nextRuns(20, from)
      .map((d) => d.getTime());
    assert.deepEqual(ours, theirs, `"${six} *" (croner: "${croner}") after ${from.toISOString()}`);
    compared += ours.length;
    if (ours.length === 0) empty++;
  }
  t.diagnostic(`${COUNT} expressions, ${compared} fire times compared, ${empty} with no run in range`);
  assert.ok(compared > COUNT * 15, "most expressions fire often enough to compare");
});
