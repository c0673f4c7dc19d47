// The schedule of a timer trigger: what its expression means, a strip of its next 7 days with a
// mark per fire time (or a band where the fires are too many to draw), and its next runs as
// text. The fire times come from the package's own cron code (`nextRuns`), loaded the first
// time a trigger is shown. Times are UTC+8, WeChat's zone (no daylight saving), whatever zone
// the browser is in.

import { h, replaceChildren, svg, uid } from "./dom.js";
import { language, t } from "./i18n.js";
import { loadPackage, packageModule } from "./package.js";

const DAY = 86_400_000;
const WINDOW = 7 * DAY;
const ZONE = 8 * 3_600_000;
/** The most fire times one `nextRuns` call gives. */
const MAX_RUNS = 1000;
/** More fires than this in the window are drawn as a band instead of marks. */
const MAX_MARKS = 200;
/** A band's resolution: each quarter of an hour with at least one fire is covered. */
const BUCKET = 15 * 60_000;
/** How many next runs are listed as text. */
const LISTED = 5;

// The strip's geometry in px: its viewBox is redrawn to the width it is shown at, so one unit is
// one pixel and the labels keep their size from a phone to a wide screen.
const HEIGHT = 78;
const STRIP_TOP = 2;
const STRIP_HEIGHT = 34;
const TICK_BOTTOM = 44;
const WEEKDAY_Y = 59;
const DATE_Y = 74;
const PAD = 2;
const MIN_WIDTH = 160;

// --- the fire times ------------------------------------------------------------------------

/**
 * The fires of `expression` in the 7 days after `from` (ms): `{from, to, next (up to 1000
 * ISO times after from), times (ms, those before to), count, more (over 1000 in the window),
 * spans ([start, end] covered, for a band, else null), estimate (when more)}`.
 */
function fireWindow(expression, from) {
  const to = from + WINDOW;
  const next = packageModule().nextRuns(expression, { from: new Date(from), count: MAX_RUNS });
  const all = next.map((iso) => Date.parse(iso));
  const times = all.filter((time) => time < to);
  let more = false;
  if (times.length === MAX_RUNS) {
    const [after] = packageModule().nextRuns(expression, { from: new Date(times[MAX_RUNS - 1]), count: 1 });
    more = after !== undefined && Date.parse(after) < to;
  }
  let spans = null;
  let estimate = null;
  if (more || times.length > MAX_MARKS) {
    const buckets = more ? probeBuckets(expression, from, to) : times.map((time) => Math.floor(time / BUCKET));
    spans = mergeBuckets(buckets, from, to);
  }
  if (more) {
    // The rate of the 1000 runs known, over the part of the week the schedule covers.
    const rate = (MAX_RUNS - 1) / Math.max(1000, times[MAX_RUNS - 1] - times[0]);
    const covered = spans.reduce((sum, [start, end]) => sum + (end - start), 0);
    estimate = Math.max(Math.round(rate * covered), MAX_RUNS + 1);
  }
  return { from, to, next, times, count: times.length, more, spans, estimate };
}

/** The quarter-hours of [from, to) with a fire: one call per such quarter-hour, at most. */
function probeBuckets(expression, from, to) {
  const buckets = [];
  let after = from;
  while (buckets.length <= WINDOW / BUCKET + 1) {
    const [iso] = packageModule().nextRuns(expression, { from: new Date(after), count: 1 });
    const time = iso === undefined ? Infinity : Date.parse(iso);
    if (!(time < to)) break;
    const bucket = Math.floor(time / BUCKET);
    buckets.push(bucket);
    // Runs fall on whole seconds and come strictly after `from`: one second before the next
    // quarter-hour finds a fire at its very start.
    after = (bucket + 1) * BUCKET - 1000;
  }
  return buckets;
}

/** Sorted bucket numbers → [start, end] spans of adjacent ones, clipped to [from, to]. */
function mergeBuckets(buckets, from, to) {
  const spans = [];
  for (const bucket of [...new Set(buckets)].sort((a, b) => a - b)) {
    const start = Math.max(bucket * BUCKET, from);
    const end = Math.min((bucket + 1) * BUCKET, to);
    const last = spans[spans.length - 1];
    if (last && last[1] >= start) last[1] = end;
    else spans.push([start, end]);
  }
  return spans;
}

// --- formatting ----------------------------------------------------------------------------

const formats = new Map();

function formatsFor(lang) {
  if (!formats.has(lang)) {
    const zh = lang === "zh-CN";
    const locale = zh ? "zh-CN" : "en";
    // Wall-clock UTC+8 times are formatted as UTC after adding the offset.
    formats.set(lang, {
      weekday: new Intl.DateTimeFormat(locale, { weekday: "short", timeZone: "UTC" }),
      date: new Intl.DateTimeFormat(locale, zh
        ? { month: "numeric", day: "numeric", timeZone: "UTC" }
        : { month: "short", day: "numeric", timeZone: "UTC" }),
      number: new Intl.NumberFormat(locale),
    });
  }
  return formats.get(lang);
}

const weekdayOf = (time) => formatsFor(language()).weekday.format(new Date(time + ZONE));
const dateOf = (time) => formatsFor(language()).date.format(new Date(time + ZONE));
const number = (n) => formatsFor(language()).number.format(n);

/** "2026-11-30T10:15:00+08:00" → "Mon 2026-11-30 10:15:00" (the zone is said around it). */
export function formatRun(iso) {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/.exec(String(iso));
  if (!match) return String(iso);
  const time = Date.parse(iso);
  return Number.isNaN(time) ? `${match[1]} ${match[2]}` : `${weekdayOf(time)} ${match[1]} ${match[2]}`;
}

/** 120960 → 121000: a large estimate shows three significant digits. */
function roughly(n) {
  if (n < 10000) return n;
  const step = 10 ** (Math.floor(Math.log10(n)) - 2);
  return Math.round(n / step) * step;
}

function runsText(n) {
  return t(n === 1 ? "timeline.count.one" : "timeline.count.other", { n: number(n) });
}

/** The one line that sums the week up (also the strip's accessible name). */
function summary(model) {
  if (model.next.length === 0) return t("timeline.noneLeft");
  const next = formatRun(model.next[0]);
  if (model.count === 0) return t("timeline.noneInWindow", { time: next });
  const count = model.more
    ? t("timeline.more", { max: number(MAX_RUNS), n: number(roughly(model.estimate)) })
    : runsText(model.count);
  return t("timeline.summary", { count, time: next });
}

/** The count written over a band. */
function bandLabel(model) {
  return model.more
    ? t("timeline.moreShort", { max: number(MAX_RUNS), n: number(roughly(model.estimate)) })
    : t(model.count === 1 ? "timeline.runs.one" : "timeline.runs.other", { n: number(model.count) });
}

// --- the strip -----------------------------------------------------------------------------

/** Each strip's model and the width it was last drawn at. */
const strips = new WeakMap();

const resizes = typeof ResizeObserver === "function"
  ? new ResizeObserver((entries) => {
    for (const { target, contentRect } of entries) {
      if (!target.isConnected) {
        resizes.unobserve(target);
        continue;
      }
      const view = strips.get(target);
      const width = Math.round(contentRect.width);
      if (view && width > 0 && width !== view.width) draw(target, view, width);
    }
  })
  : null;

/** The UTC+8 days the window touches: `{start (midnight), from, to (the visible part)}`. */
function days(from, to) {
  const list = [];
  for (let start = Math.floor((from + ZONE) / DAY) * DAY - ZONE; start < to; start += DAY) {
    list.push({ start, from: Math.max(start, from), to: Math.min(start + DAY, to) });
  }
  return list;
}

/** About how wide `text` is at `size` px (CJK characters are square, others narrower). */
function textWidth(text, size) {
  let width = 0;
  for (const char of text) width += char.codePointAt(0) >= 0x2e80 ? size : size * 0.62;
  return width;
}

function draw(strip, view, width) {
  view.width = width;
  const { model } = view;
  const w = Math.max(width, MIN_WIDTH);
  const x = (time) => PAD + ((time - model.from) / WINDOW) * (w - 2 * PAD);
  strip.setAttribute("viewBox", `0 0 ${w} ${HEIGHT}`);
  strip.dataset.width = String(w);

  const labels = [];
  const parts = [
    svg("title", {}, view.label),
    svg("rect", { class: "strip", x: 0.5, y: STRIP_TOP + 0.5, width: w - 1, height: STRIP_HEIGHT - 1, rx: 4 }),
  ];
  for (const day of days(model.from, model.to)) {
    if (day.start > model.from) {
      const at = Math.round(x(day.start)) + 0.5;
      parts.push(svg("line", { class: "tick", x1: at, x2: at, y1: STRIP_TOP, y2: TICK_BOTTOM }));
    }
    const room = x(day.to) - x(day.from) - 2;
    const middle = (x(day.from) + x(day.to)) / 2;
    for (const [text, y, className, size] of [
      [weekdayOf(day.start), WEEKDAY_Y, "day-label", 12],
      [dateOf(day.start), DATE_Y, "date-label", 11],
    ]) {
      const el = svg("text", { class: className, x: middle.toFixed(1), y, "text-anchor": "middle" }, text);
      labels.push({ el, room, middle, guess: textWidth(text, size) });
      parts.push(el);
    }
  }
  if (model.spans) {
    for (const [start, end] of model.spans) {
      const left = x(start);
      parts.push(svg("rect", {
        class: "band", x: left.toFixed(1), y: STRIP_TOP + 4,
        width: Math.max(x(end) - left, 2).toFixed(1), height: STRIP_HEIGHT - 8,
      }));
    }
    parts.push(svg("text", {
      class: "band-label", x: (w / 2).toFixed(1), y: STRIP_TOP + STRIP_HEIGHT / 2 + 4.5, "text-anchor": "middle",
    }, bandLabel(model)));
  } else {
    model.times.forEach((time, index) => {
      parts.push(svg("rect", {
        class: index === 0 ? "mark mark-next" : "mark", x: (x(time) - 1).toFixed(1), y: STRIP_TOP + 5,
        width: 2, height: STRIP_HEIGHT - 10, "data-time": model.next[index],
      }, svg("title", {}, formatRun(model.next[index]))));
    });
  }
  strip.replaceChildren(...parts);
  // Each label is centred on its day, kept inside the strip, or left out when the visible part
  // of its day is too narrow for it (measured once shown, else guessed).
  for (const { el, room, middle, guess } of labels) {
    const needed = el.getComputedTextLength() || guess;
    if (needed > room) el.remove();
    else el.setAttribute("x", Math.min(Math.max(middle, needed / 2 + 1), w - needed / 2 - 1).toFixed(1));
  }
}

/** One computed window: the strip and its summary (no strip when no run is left). */
function timeline(model, observe) {
  const label = summary(model);
  if (model.next.length === 0) return h("p", { class: "timeline-summary", dataset: { state: "no-run-left" } }, label);
  const strip = svg("svg", {
    class: "timeline-strip", role: "img", "aria-label": label, height: HEIGHT,
    preserveAspectRatio: "xMinYMin meet",
    "data-from": new Date(model.from).toISOString(), "data-to": new Date(model.to).toISOString(),
    "data-mode": model.spans ? "band" : "marks",
  });
  const view = { model, label, width: 0 };
  strips.set(strip, view);
  if (!resizes) draw(strip, view, 640);
  else if (observe) resizes.observe(strip);
  // The line under the strip says what its accessible name says: screen readers get it once.
  return h("div", { class: "timeline" }, strip, h("p", { class: "timeline-summary", "aria-hidden": "true" }, label));
}

function nextRunsText(runs) {
  if (runs.length === 0) return null;
  const id = uid("next-runs");
  return h("div", { class: "next-runs muted small-text" },
    h("span", { id }, t("timeline.nextRuns")),
    h("ol", { "aria-labelledby": id },
      runs.map((iso) => h("li", {}, h("time", { datetime: iso, class: "nowrap" }, formatRun(iso))))));
}

// --- one trigger ---------------------------------------------------------------------------

/**
 * The schedule section of one trigger. Drawn at once when the package is loaded, else first
 * with what the config says (explanation, next runs) and then again once it is.
 */
export function triggerSchedule(trigger) {
  const id = uid("schedule");
  const section = h("section", { class: "trigger-schedule", "aria-labelledby": id, dataset: { trigger: trigger.name } });
  const heading = h("h4", { id }, h("span", { class: "wrap" }, t("timeline.heading", { name: trigger.name })));
  const show = (state) => replaceChildren(section, heading, content(trigger, state));
  if (trigger.scheduleError || packageModule()) {
    show({ observe: true });
  } else {
    show({ loading: true });
    loadPackage().then(
      () => section.isConnected && show({ observe: true }),
      () => section.isConnected && show({ failed: true }));
  }
  return section;
}

function content(trigger, { loading = false, failed = false, observe = false }) {
  if (trigger.scheduleError) return errorText(trigger.scheduleError);
  let explanation = trigger.schedule?.explanation;
  if (!explanation && packageModule()) {
    try {
      explanation = packageModule().parseCron(trigger.config).explanation;
    } catch (error) {
      return errorText(error?.message ?? String(error));
    }
  }
  const text = language() === "zh-CN" ? explanation?.zh : explanation?.en;
  const parts = [text ? h("p", { class: "explanation wrap" }, text) : null];

  if (loading || failed) {
    parts.push(h("p", { class: "muted small-text timeline-status", role: failed ? null : "status" },
      t(failed ? "timeline.failed" : "timeline.loading")));
    const runs = Array.isArray(trigger.schedule?.nextRuns) ? trigger.schedule.nextRuns.slice(0, LISTED) : null;
    if (runs) parts.push(runs.length ? nextRunsText(runs) : h("p", { class: "muted small-text" }, t("timer.noNextRun")));
    return parts;
  }

  let model;
  try {
    model = fireWindow(trigger.config, Date.now());
  } catch (error) {
    return [...parts, errorText(error?.message ?? String(error))];
  }
  parts.push(timeline(model, observe), nextRunsText(model.next.slice(0, LISTED)));
  return parts;
}

function errorText(reason) {
  return h("p", { class: "schedule-error wrap" }, t("timer.scheduleError", { reason }));
}
