// Next 1000 fire times of two expressions, the package's wasm against croner, in one Node
// process. Prints min/median/max per run and the ratio of medians (wasm / croner).
import { Cron } from "croner";
import { nextRuns } from "../pkg/node.js";

const ROUNDS = Number(process.env.ROUNDS ?? 30);
const FROM = new Date("2026-11-28T00:00:00+08:00");
const CASES = [
  ["every 5 s", "*/5 * * * * * *", "*/5 * * * * *"],
  ["leap days", "0 0 0 29 2 * *", "0 0 0 29 2 *"],
];

function measure(fn) {
  for (let i = 0; i < 3; i++) fn(); // warm up
  const times = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { min: times[0], median: times[times.length >> 1], max: times[times.length - 1] };
}

const fmt = (x) => x.toFixed(3).padStart(9);
const rows = [];
for (const [name, ours, theirs] of CASES) {
  // WeChat's years end in 2099, so the leap-day case has only the runs up to 2096; croner is
  // asked for the same number, and both must produce the same instants.
  const a = nextRuns(ours, { from: FROM, count: 1000 }).map(Date.parse);
  const n = a.length;
  const b = new Cron(theirs, { timezone: "Asia/Shanghai" }).nextRuns(n, FROM).map((d) => d.getTime());
  if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`${name}: results differ`);
  const w = measure(() => nextRuns(ours, { from: FROM, count: 1000 }));
  const c = measure(() => new Cron(theirs, { timezone: "Asia/Shanghai" }).nextRuns(n, FROM));
  rows.push({ name: `${name} (${n})`, w, c });
}

console.log(`next 1000 runs, ${ROUNDS} rounds, ms per 1000 runs (min / median / max)`);
console.log(`${"case (runs)".padEnd(16)} ${"wasm".padEnd(31)} ${"croner".padEnd(31)} ratio (wasm/croner median)`);
for (const { name, w, c } of rows) {
  console.log(`${name.padEnd(16)} ${fmt(w.min)} ${fmt(w.median)} ${fmt(w.max)}  ${fmt(c.min)} ${fmt(c.median)} ${fmt(c.max)}  ${(w.median / c.median).toFixed(3)}`);
}
