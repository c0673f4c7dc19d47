//! The English and Chinese explanations of an expression.

use super::parse::{SPECS, Spec};
use super::{Bits, CronExpr, DAY, HOUR, MIN, MONTH, SEC, WDAY, YEAR};

const MONTH_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WDAY_EN: [&str; 7] = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const WDAY_ZH: [&str; 7] = ["周日", "周一", "周二", "周三", "周四", "周五", "周六"];

/// The shape of a field's set of values, for describing it.
enum Shape {
    All,
    One(u32),
    /// `a, a+k, ..., b`; `open` when the progression runs to the field's end.
    Step {
        k: u32,
        a: u32,
        b: u32,
        open: bool,
    },
    List(Vec<u32>),
}

pub(super) fn values(bits: &Bits, spec: &Spec) -> Vec<u32> {
    bits.members().into_iter().map(|v| v + spec.base).collect()
}

fn shape(bits: &Bits, spec: &Spec) -> Shape {
    let v = values(bits, spec);
    if v.len() as u32 == spec.hi - spec.lo + 1 {
        return Shape::All;
    }
    match v.as_slice() {
        [x] => Shape::One(*x),
        [a, second, rest @ ..] => {
            let a = *a;
            let b = rest.last().copied().unwrap_or(*second);
            let k = second.wrapping_sub(a);
            let even = v.windows(2).all(|w| matches!(w, [p, q] if q.wrapping_sub(*p) == k));
            let open = b + k > spec.hi;
            if even && (v.len() >= 3 || k == 1 || (a == spec.lo && open)) {
                Shape::Step { k, a, b, open }
            } else {
                Shape::List(v)
            }
        }
        _ => Shape::List(v),
    }
}

/// Renders sorted values, turning runs of three or more into ranges.
fn items(v: &[u32], name: &dyn Fn(u32) -> String, to: &str) -> Vec<String> {
    let mut runs: Vec<(u32, u32)> = Vec::new();
    for &x in v {
        match runs.last_mut() {
            Some((_, b)) if *b + 1 == x => *b = x,
            _ => runs.push((x, x)),
        }
    }
    let mut out = Vec::new();
    for (a, b) in runs {
        if a == b {
            out.push(name(a));
        } else if b == a + 1 {
            out.push(name(a));
            out.push(name(b));
        } else {
            out.push(format!("{}{to}{}", name(a), name(b)));
        }
    }
    out
}

const LIST_MAX: usize = 12;
const LIST_HEAD: usize = 10;

fn join_en(items: Vec<String>) -> String {
    if items.len() > LIST_MAX {
        let head: Vec<String> = items.iter().take(LIST_HEAD).cloned().collect();
        return format!("{} and {} more", head.join(", "), items.len() - LIST_HEAD);
    }
    match items.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

fn join_zh(items: Vec<String>) -> String {
    if items.len() > LIST_MAX {
        let head: Vec<String> = items.iter().take(LIST_HEAD).cloned().collect();
        return format!("{} 等 {} 项", head.join("、"), items.len());
    }
    items.join("、")
}

fn num(v: u32) -> String {
    v.to_string()
}

fn month_en(m: u32) -> String {
    MONTH_EN.get(m.wrapping_sub(1) as usize).copied().unwrap_or("?").to_string()
}

fn wday_en(d: u32) -> String {
    WDAY_EN.get(d as usize).copied().unwrap_or("?").to_string()
}

fn wday_zh(d: u32) -> String {
    WDAY_ZH.get(d as usize).copied().unwrap_or("?").to_string()
}

/// English for a second or minute step: "every 5 seconds from second 3".
fn step_en(k: u32, a: u32, b: u32, open: bool, unit: &str) -> String {
    let base = if k == 1 { format!("every {unit}") } else { format!("every {k} {unit}s") };
    if a == 0 && open {
        base
    } else if open {
        format!("{base} from {unit} {a}")
    } else {
        format!("{base} from {unit} {a} to {b}")
    }
}

/// Chinese for a second or minute step: "每 5 秒", "第 0 至 30 分每 10 分钟".
fn step_zh(k: u32, a: u32, b: u32, open: bool, every: &str, at: &str) -> String {
    let base = if k == 1 { format!("每{every}") } else { format!("每 {k} {every}") };
    if a == 0 && open {
        base
    } else if open {
        format!("从第 {a} {at}起{base}")
    } else {
        format!("第 {a} 至 {b} {at}{base}")
    }
}

impl CronExpr {
    fn shape_of(&self, f: usize) -> Shape {
        match (self.sets.get(f), SPECS.get(f)) {
            (Some(b), Some(s)) => shape(b, s),
            _ => Shape::All,
        }
    }

    fn values_of(&self, f: usize) -> Vec<u32> {
        match (self.sets.get(f), SPECS.get(f)) {
            (Some(b), Some(s)) => values(b, s),
            _ => Vec::new(),
        }
    }

    /// Whether the time of day is best told as a short list of clock times.
    fn time_as_list(&self) -> bool {
        let product = self.sets[SEC].count() * self.sets[MIN].count() * self.sets[HOUR].count();
        product <= 6 && [SEC, MIN, HOUR].iter().all(|f| !matches!(self.shape_of(*f), Shape::Step { k: 2.., .. }))
    }

    fn clock_times(&self) -> Vec<String> {
        let mut out = Vec::new();
        for h in self.values_of(HOUR) {
            for m in self.values_of(MIN) {
                for s in self.values_of(SEC) {
                    out.push(format!("{h:02}:{m:02}:{s:02}"));
                }
            }
        }
        out
    }

    /// English description, e.g. "at 10:15:00 on Monday to Friday".
    pub fn explain_en(&self) -> String {
        let as_list = self.time_as_list();
        let mut out = if as_list { format!("at {}", join_en(self.clock_times())) } else { self.time_en() };
        let day = self.day_en(as_list);
        if !day.is_empty() {
            out.push(' ');
            out.push_str(&day);
        }
        let year = match self.shape_of(YEAR) {
            Shape::All => String::new(),
            Shape::One(y) => format!("in {y}"),
            Shape::Step { k: 1, a, b, .. } => format!("from {a} to {b}"),
            Shape::Step { k, a, open: true, .. } => format!("every {k} years from {a}"),
            Shape::Step { k, a, b, .. } => format!("every {k} years from {a} to {b}"),
            Shape::List(v) => format!("in {}", join_en(items(&v, &num, "-"))),
        };
        if !year.is_empty() {
            out.push_str(", ");
            out.push_str(&year);
        }
        out
    }

    fn time_en(&self) -> String {
        let (s, m, h) = (self.shape_of(SEC), self.shape_of(MIN), self.shape_of(HOUR));
        let mut parts: Vec<String> = Vec::new();
        let minute_frame = if matches!(m, Shape::All) { " of every minute" } else { "" };
        match &s {
            Shape::All => parts.push("every second".into()),
            Shape::One(0) => {}
            Shape::One(v) => parts.push(format!("at second {v}{minute_frame}")),
            Shape::Step { k, a, b, open } => parts.push(step_en(*k, *a, *b, *open, "second")),
            Shape::List(v) => parts.push(format!("at seconds {}{minute_frame}", join_en(items(v, &num, "-")))),
        }
        let quiet = parts.is_empty();
        let hour_frame = if matches!(h, Shape::All) { " of every hour" } else { "" };
        match &m {
            Shape::All => {
                if quiet {
                    parts.push("every minute".into());
                }
            }
            Shape::One(v) if !quiet => parts.push(format!("during minute {v}")),
            Shape::One(0) => {}
            Shape::One(v) => parts.push(format!("at minute {v}{hour_frame}")),
            Shape::Step { k, a, b, open } => parts.push(step_en(*k, *a, *b, *open, "minute")),
            Shape::List(v) => {
                let list = join_en(items(v, &num, "-"));
                parts.push(if quiet {
                    format!("at minutes {list}{hour_frame}")
                } else {
                    format!("during minutes {list}")
                });
            }
        }
        let on_the_hour = parts.is_empty();
        match &h {
            Shape::All => {
                if on_the_hour {
                    parts.push("every hour".into());
                }
            }
            Shape::One(v) if on_the_hour => parts.push(format!("at {v:02}:00:00")),
            Shape::Step { k: 1, a, b, .. } if on_the_hour => {
                parts.push(format!("every hour from {a:02}:00 to {b:02}:00"));
            }
            Shape::List(v) if on_the_hour => {
                parts.push(format!("on the hour, during hours {}", join_en(items(v, &num, "-"))))
            }
            Shape::One(v) => parts.push(format!("between {v:02}:00 and {v:02}:59")),
            Shape::Step { k: 1, a, b, .. } => {
                parts.push(format!("between {a:02}:00 and {b:02}:59"));
            }
            Shape::Step { k, a, b, open } => parts.push(if *a == 0 && *open {
                format!("every {k} hours")
            } else if *open {
                format!("every {k} hours from {a:02}:00")
            } else {
                format!("every {k} hours from {a:02}:00 to {b:02}:00")
            }),
            Shape::List(v) => {
                parts.push(format!("during hours {}", join_en(items(v, &num, "-"))));
            }
        }
        parts.join(", ")
    }

    fn day_en(&self, as_list: bool) -> String {
        let months = match self.shape_of(MONTH) {
            Shape::All => None,
            _ => Some(join_en(items(&self.values_of(MONTH), &month_en, " to "))),
        };
        let dom = (!self.any_day).then(|| match self.shape_of(DAY) {
            Shape::One(d) => format!("on day {d}"),
            Shape::Step { k: 1, a, b, .. } => format!("on days {a} to {b}"),
            Shape::Step { k, a, open: true, .. } => format!("every {k} days from day {a}"),
            Shape::Step { k, a, b, .. } => format!("every {k} days from day {a} to {b}"),
            Shape::List(v) => format!("on days {}", join_en(items(&v, &num, "-"))),
            Shape::All => String::new(),
        });
        let dow = (!self.any_weekday).then(|| join_en(items(&self.values_of(WDAY), &wday_en, " to ")));
        let (mut out, month_said) = match (dom, dow) {
            (Some(d), None) => {
                let of = months.as_deref().unwrap_or("every month");
                (format!("{d} of {of}"), true)
            }
            (None, Some(w)) => (format!("on {w}"), false),
            (Some(d), Some(w)) => (format!("{d} of the month or on {w}"), false),
            (None, None) if as_list => ("every day".to_string(), false),
            (None, None) => (String::new(), false),
        };
        if let (Some(m), false) = (months, month_said) {
            if out.is_empty() {
                out = format!("in {m}");
            } else if out == "every day" {
                out = format!("every day in {m}");
            } else {
                out = format!("{out}, in {m}");
            }
        }
        out
    }

    /// Chinese description, e.g. "周一至周五 10:15:00".
    pub fn explain_zh(&self) -> String {
        let as_list = self.time_as_list();
        let mut parts = Vec::new();
        let year_name = |y: u32| format!("{y} 年");
        match self.shape_of(YEAR) {
            Shape::All => {}
            Shape::One(y) => parts.push(year_name(y)),
            Shape::Step { k: 1, a, b, .. } => parts.push(format!("{a} 年至 {b} 年")),
            Shape::Step { k, a, open: true, .. } => parts.push(format!("从 {a} 年起每 {k} 年")),
            Shape::Step { k, a, b, .. } => parts.push(format!("{a} 年至 {b} 年每 {k} 年")),
            Shape::List(v) => parts.push(join_zh(items(&v, &year_name, "至 "))),
        }
        let day = self.day_zh(as_list);
        if !day.is_empty() {
            parts.push(day);
        }
        parts.push(if as_list { join_zh(self.clock_times()) } else { self.time_zh() });
        parts.join(" ")
    }

    fn time_zh(&self) -> String {
        let (s, m, h) = (self.shape_of(SEC), self.shape_of(MIN), self.shape_of(HOUR));
        let list = |v: &[u32]| join_zh(items(v, &num, "-"));
        let sec = match &s {
            Shape::All => Some("每秒".to_string()),
            Shape::One(0) => None,
            Shape::One(v) => Some(format!("第 {v} 秒")),
            Shape::Step { k, a, b, open } => Some(step_zh(*k, *a, *b, *open, "秒", "秒")),
            Shape::List(v) => Some(format!("第 {} 秒", list(v))),
        };
        let sec_point = matches!(s, Shape::One(1..) | Shape::List(_));
        let min = match &m {
            Shape::All => (sec.is_none() || sec_point).then(|| "每分钟".to_string()),
            Shape::One(v) if sec.is_some() => Some(format!("第 {v} 分钟内")),
            Shape::One(0) => None,
            Shape::One(v) => Some(format!("第 {v} 分")),
            Shape::Step { k, a, b, open } => Some(step_zh(*k, *a, *b, *open, "分钟", "分")),
            Shape::List(v) if sec.is_some() => Some(format!("第 {} 分钟内", list(v))),
            Shape::List(v) => Some(format!("第 {} 分", list(v))),
        };
        let min_point = min.is_some() && matches!(m, Shape::One(_) | Shape::List(_));
        let on_the_hour = sec.is_none() && min.is_none();
        let hour = match &h {
            Shape::All => (on_the_hour || min_point).then(|| "每小时".to_string()),
            Shape::One(v) if on_the_hour => Some(format!("{v} 点整")),
            Shape::Step { k: 1, a, b, .. } if on_the_hour => Some(format!("{a} 点至 {b} 点每小时整点")),
            Shape::List(v) if on_the_hour => Some(format!("{} 点整", list(v))),
            Shape::One(v) => Some(format!("{v} 点")),
            Shape::Step { k: 1, a, b, .. } => Some(format!("{a} 点至 {b} 点")),
            Shape::Step { k, a, b, open } => Some(if *a == 0 && *open {
                format!("每 {k} 小时")
            } else if *open {
                format!("从 {a} 点起每 {k} 小时")
            } else {
                format!("{a} 点至 {b} 点每 {k} 小时")
            }),
            Shape::List(v) => Some(format!("{} 点", list(v))),
        };
        [hour, min, sec].into_iter().flatten().collect::<Vec<_>>().join(" ")
    }

    fn day_zh(&self, as_list: bool) -> String {
        let month_name = |m: u32| format!("{m} 月");
        let months = match self.shape_of(MONTH) {
            Shape::All => None,
            Shape::One(m) => Some(format!("{m} 月 ")),
            _ => Some(join_zh(items(&self.values_of(MONTH), &month_name, "至 ")) + "的 "),
        };
        let day_name = |d: u32| format!("{d} 日");
        let dom = (!self.any_day).then(|| match self.shape_of(DAY) {
            Shape::One(d) => day_name(d),
            Shape::Step { k: 1, a, b, .. } => format!("{a} 日至 {b} 日"),
            Shape::Step { k, a, open: true, .. } => format!("从 {a} 日起每 {k} 天"),
            Shape::Step { k, a, b, .. } => format!("{a} 日至 {b} 日每 {k} 天"),
            Shape::List(v) => join_zh(items(&v, &day_name, "至 ")),
            Shape::All => String::new(),
        });
        let dow = (!self.any_weekday).then(|| join_zh(items(&self.values_of(WDAY), &wday_zh, "至")));
        let prefix = months.unwrap_or_default();
        match (dom, dow) {
            (Some(d), None) if prefix.is_empty() => format!("每月 {d}"),
            (Some(d), None) => format!("{prefix}{d}"),
            (None, Some(w)) => format!("{prefix}{w}"),
            (Some(d), Some(w)) if prefix.is_empty() => format!("每月 {d}或{w}"),
            (Some(d), Some(w)) => format!("{prefix}{d}或{w}"),
            (None, None) => {
                let m = prefix.trim_end().trim_end_matches('的');
                match (m.is_empty(), as_list) {
                    (true, true) => "每天".to_string(),
                    (false, true) => format!("{m} 每天"),
                    _ => m.to_string(),
                }
            }
        }
    }
}
