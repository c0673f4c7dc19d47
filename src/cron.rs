//! Timer-trigger expressions of WeChat cloud functions.
//!
//! # Dialect
//!
//! Seven fields separated by whitespace:
//! `second minute hour day month weekday year`.
//!
//! | field   | values                                  |
//! |---------|-----------------------------------------|
//! | second  | 0-59                                    |
//! | minute  | 0-59                                    |
//! | hour    | 0-23                                    |
//! | day     | 1-31 (day of the month)                 |
//! | month   | 1-12 or `JAN`-`DEC`                     |
//! | weekday | 0-6 or `SUN`-`SAT` (0 is Sunday)        |
//! | year    | 1970-2099                               |
//!
//! * Only `,` `-` `*` `/` are special. A field is a comma-separated list of
//!   items; an item is `*`, `a`, `a-b`, `*/n`, `a-b/n` or `a/n` (the latter
//!   meaning `a` through the largest value of the field).
//! * Names are the three-letter English abbreviations in any letter case.
//!   They can be mixed with numbers and used in ranges (`MON-FRI`, `jan-3`).
//! * A step must be between 1 and the number of values of the field
//!   (60 for seconds and minutes, 24 hours, 31 days, 12 months, 7 weekdays,
//!   130 years). `*/60` in the second field is therefore accepted and means
//!   second 0 only.
//! * A range whose start is after its end (`17-9`, `FRI-MON`) is refused;
//!   ranges never wrap around.
//! * Weekday 7 is refused: Sunday is 0 only.
//! * Refused with an explanatory message: `?`, `L`, `W`, `#`, `@daily`-style
//!   macros, and any field count other than 7 (5- and 6-field cron forms).
//! * Day of month and weekday: a field is *unrestricted* only when it is
//!   written `*`; anything else (`*/1`, `1-31`, `0-6`, `SUN-SAT`, ...) restricts.
//!   When both are restricted a day matches if either of them matches (as in
//!   Vixie cron and croner); otherwise only the restricted one (if any) applies.
//! * Times are evaluated in China Standard Time (UTC+8, no daylight saving).
//!   Arguments and results are Unix seconds.
//! * Only years 1970-2099 are searched; when no matching second remains in
//!   that span, [`CronExpr::next_after`] returns `None`.
//! * [`parse_iso`] reads a timestamp without an offset as UTC+8 and truncates
//!   fractional seconds.
//! * [`CronExpr::next_runs`] returns at most [`MAX_RUNS`] times.

use std::fmt;

/// Offset of China Standard Time from UTC, in seconds.
pub const CST_OFFSET: i64 = 8 * 3600;
/// Largest number of times [`CronExpr::next_runs`] returns.
pub const MAX_RUNS: usize = 1000;

const FIRST_YEAR: u32 = 1970;
const LAST_YEAR: u32 = 2099;
/// Upper bound on the loop steps of one search. The search skips a whole
/// month (or year) whenever a month cannot match, so even the most
/// pathological expression needs fewer than 2000 steps over 130 years.
const STEP_BUDGET: u32 = 4096;
const DAY_SECS: i64 = 86_400;

const SEC: usize = 0;
const MIN: usize = 1;
const HOUR: usize = 2;
const DAY: usize = 3;
const MONTH: usize = 4;
const WDAY: usize = 5;
const YEAR: usize = 6;

const MONTH_ABBR: [&str; 12] = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const WDAY_ABBR: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
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

struct Spec {
    name: &'static str,
    lo: u32,
    hi: u32,
    /// Value stored at bit 0 of the field's set.
    base: u32,
    names: &'static [&'static str],
    /// How names are described in error messages.
    names_desc: &'static str,
}

const SPECS: [Spec; 7] = [
    Spec { name: "second", lo: 0, hi: 59, base: 0, names: &[], names_desc: "" },
    Spec { name: "minute", lo: 0, hi: 59, base: 0, names: &[], names_desc: "" },
    Spec { name: "hour", lo: 0, hi: 23, base: 0, names: &[], names_desc: "" },
    Spec { name: "day", lo: 1, hi: 31, base: 0, names: &[], names_desc: "" },
    Spec { name: "month", lo: 1, hi: 12, base: 0, names: &MONTH_ABBR, names_desc: "a month name (JAN-DEC)" },
    Spec { name: "weekday", lo: 0, hi: 6, base: 0, names: &WDAY_ABBR, names_desc: "a weekday name (SUN-SAT)" },
    Spec { name: "year", lo: FIRST_YEAR, hi: LAST_YEAR, base: FIRST_YEAR, names: &[], names_desc: "" },
];

/// A set of small integers (bit positions 0..192).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Bits([u64; 3]);

impl Bits {
    fn insert(&mut self, i: u32) {
        if let Some(w) = self.0.get_mut((i / 64) as usize) {
            *w |= 1u64 << (i % 64);
        }
    }

    fn has(&self, i: u32) -> bool {
        self.0.get((i / 64) as usize).is_some_and(|w| (w >> (i % 64)) & 1 == 1)
    }

    /// Smallest member that is `>= i`.
    fn next_from(&self, i: u32) -> Option<u32> {
        let mut idx = (i / 64) as usize;
        let mut w = self.0.get(idx)? & (u64::MAX << (i % 64));
        loop {
            if w != 0 {
                return Some(idx as u32 * 64 + w.trailing_zeros());
            }
            idx += 1;
            w = *self.0.get(idx)?;
        }
    }

    fn count(&self) -> u32 {
        self.0.iter().map(|w| w.count_ones()).sum()
    }

    fn members(&self) -> Vec<u32> {
        let mut out = Vec::new();
        let mut i = 0;
        while let Some(n) = self.next_from(i) {
            out.push(n);
            i = n + 1;
        }
        out
    }
}

/// A parse failure. `Display` shows `message`, which starts with the field
/// name when one is known (`hour: 24 is outside 0-23`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CronError {
    /// The field at fault (`second` … `year`), when one is.
    pub field: Option<&'static str>,
    /// What is wrong, naming the field, the text and the allowed range.
    pub message: String,
}

impl fmt::Display for CronError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CronError {}

fn whole_err(message: String) -> CronError {
    CronError { field: None, message }
}

fn field_err(spec: &Spec, msg: String) -> CronError {
    CronError { field: Some(spec.name), message: format!("{}: {msg}", spec.name) }
}

fn not_supported(spec: &Spec, what: char) -> CronError {
    field_err(spec, format!("`{what}` is not supported in WeChat cron (only , - * / are special)"))
}

/// A parsed WeChat timer expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CronExpr {
    text: [String; 7],
    sets: [Bits; 7],
    any_day: bool,
    any_weekday: bool,
}

/// Parses a 7-field WeChat timer expression.
pub fn parse(expr: &str) -> Result<CronExpr, CronError> {
    let expr = expr.trim();
    if expr.is_empty() {
        return Err(whole_err(
            "empty cron expression; WeChat cron has 7 fields: second minute hour day month weekday year".into(),
        ));
    }
    if expr.starts_with('@') {
        return Err(whole_err(format!(
            "`{expr}` macros are not supported in WeChat cron; write out the 7 fields: second minute hour day month weekday year"
        )));
    }
    let parts: Vec<&str> = expr.split_whitespace().collect();
    if parts.len() != 7 {
        return Err(whole_err(format!(
            "WeChat cron has 7 fields: second minute hour day month weekday year; got {}",
            parts.len()
        )));
    }
    let mut sets = [Bits::default(); 7];
    for ((spec, text), set) in SPECS.iter().zip(&parts).zip(sets.iter_mut()) {
        *set = parse_field(spec, text)?;
    }
    let text = std::array::from_fn(|i| parts.get(i).map_or(String::new(), |s| (*s).to_string()));
    // As in Vixie cron and croner: only a field written `*` leaves the day unrestricted.
    let any_day = parts.get(DAY) == Some(&"*");
    let any_weekday = parts.get(WDAY) == Some(&"*");
    Ok(CronExpr { text, sets, any_day, any_weekday })
}

fn parse_field(spec: &Spec, text: &str) -> Result<Bits, CronError> {
    // Byte searches: the characters are ASCII, and a str pattern would pull in a searcher.
    let has = |s: &str, c: u8| s.bytes().any(|b| b == c);
    for c in ['?', '#'] {
        if has(text, c as u8) {
            return Err(not_supported(spec, c));
        }
    }
    let span = spec.hi - spec.lo + 1;
    let mut bits = Bits::default();
    for item in text.split(',') {
        if item.is_empty() {
            return Err(field_err(spec, format!("empty item in list \"{text}\"")));
        }
        let (range, step) = match item.split_once('/') {
            Some((r, s)) => (r, Some(s)),
            None => (item, None),
        };
        let (lo, hi) = if range == "*" {
            (spec.lo, spec.hi)
        } else if range.is_empty() {
            return Err(field_err(spec, format!("missing value before / in \"{item}\"")));
        } else if let Some((a, b)) = range.split_once('-') {
            if has(b, b'-') {
                return Err(field_err(spec, format!("\"{item}\" has more than one -")));
            }
            let a_val = value(spec, a, item)?;
            let b_val = value(spec, b, item)?;
            if a_val > b_val {
                return Err(field_err(spec, format!("range {a}-{b} is reversed (start > end; ranges don't wrap)")));
            }
            (a_val, b_val)
        } else {
            let v = value(spec, range, item)?;
            (v, if step.is_some() { spec.hi } else { v })
        };
        let k = match step {
            None => 1,
            Some("") => {
                return Err(field_err(spec, format!("missing step after / in \"{item}\"")));
            }
            Some(s) if has(s, b'/') => {
                return Err(field_err(spec, format!("\"{item}\" has more than one /")));
            }
            Some(s) => match small_number(s) {
                Some(k) if (1..=span).contains(&k) => k,
                Some(_) => {
                    return Err(field_err(spec, format!("step {s} is outside 1-{span}")));
                }
                None => {
                    return Err(field_err(spec, format!("step \"{s}\" is not a number 1-{span}")));
                }
            },
        };
        let mut v = lo;
        while v <= hi {
            bits.insert(v - spec.base);
            v += k;
        }
    }
    Ok(bits)
}

/// Decimal digits only; values too large for the check are reported as
/// `u32::MAX` so that they fail the range test.
fn small_number(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some(s.parse::<u32>().unwrap_or(u32::MAX))
}

fn value(spec: &Spec, tok: &str, item: &str) -> Result<u32, CronError> {
    if tok.is_empty() {
        return Err(field_err(spec, format!("missing value in \"{item}\"")));
    }
    if let Some(n) = small_number(tok) {
        if n < spec.lo || n > spec.hi {
            let hint = if spec.names.len() == 7 && n == 7 { " (Sunday is 0)" } else { "" };
            return Err(field_err(spec, format!("{tok} is outside {}-{}{hint}", spec.lo, spec.hi)));
        }
        return Ok(n);
    }
    if let Some(i) = spec.names.iter().position(|n| n.eq_ignore_ascii_case(tok)) {
        return Ok(spec.lo + i as u32);
    }
    let upper = tok.to_ascii_uppercase();
    if upper.bytes().all(|c| c.is_ascii_digit() || c == b'L' || c == b'W')
        && let Some(c) = upper.chars().find(|c| *c == 'L' || *c == 'W')
    {
        return Err(not_supported(spec, c));
    }
    if tok == "*" {
        return Err(field_err(spec, format!("* must stand alone or before / in \"{item}\"")));
    }
    let what = if spec.names.is_empty() {
        format!("\"{tok}\" is not a number {}-{}", spec.lo, spec.hi)
    } else {
        format!("\"{tok}\" is not {} or number {}-{}", spec.names_desc, spec.lo, spec.hi)
    };
    Err(field_err(spec, what))
}

// ---------------------------------------------------------------------------
// Calendar arithmetic (proleptic Gregorian, days counted from 1970-01-01).

fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Day number of a date. Years are counted from March so that the leap day
/// falls at the end of a counting year; 400-year cycles have 146 097 days.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let (y, mp) = if m <= 2 { (y - 1, i64::from(m) + 9) } else { (y, i64::from(m) - 3) };
    let cycle = y.div_euclid(400);
    let yoc = y.rem_euclid(400);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doc = yoc * 365 + yoc / 4 - yoc / 100 + doy;
    cycle * 146_097 + doc - 719_468
}

/// Inverse of [`days_from_civil`].
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z.saturating_add(719_468);
    let cycle = z.div_euclid(146_097);
    let doc = z.rem_euclid(146_097);
    let yoc = (doc - doc / 1460 + doc / 36_524 - doc / 146_096) / 365;
    let doy = doc - (365 * yoc + yoc / 4 - yoc / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (cycle * 400 + yoc + i64::from(m <= 2), m, d)
}

/// Smallest set bit of `mask` that is `>= from`.
fn next_bit(mask: u64, from: u32) -> Option<u32> {
    let m = mask & u64::MAX.checked_shl(from).unwrap_or(0);
    (m != 0).then(|| m.trailing_zeros())
}

impl CronExpr {
    /// The first firing time strictly after `after` (Unix seconds), or
    /// `None` when none is left before the end of 2099.
    pub fn next_after(&self, after: i64) -> Option<i64> {
        self.search(after).0
    }

    /// Up to `n` (at most [`MAX_RUNS`]) consecutive firing times strictly
    /// after `after`.
    pub fn next_runs(&self, after: i64, n: usize) -> Vec<i64> {
        let mut out = Vec::new();
        let mut t = after;
        while out.len() < n.min(MAX_RUNS) {
            match self.next_after(t) {
                Some(x) => {
                    out.push(x);
                    t = x;
                }
                None => break,
            }
        }
        out
    }

    /// The source text of each field, with its name.
    pub fn fields(&self) -> [(&'static str, &str); 7] {
        std::array::from_fn(|i| (SPECS.get(i).map_or("", |s| s.name), self.text.get(i).map_or("", |s| s.as_str())))
    }

    /// Bit mask (bits 1..=31) of the days of month `m` of year `y` that match
    /// the day and weekday fields.
    fn day_mask(&self, y: u32, m: u32) -> u64 {
        let dim = days_in_month(i64::from(y), m);
        let valid = (u64::MAX >> (63 - dim)) & !1;
        let dom = self.sets[DAY].0[0] & valid;
        if self.any_weekday {
            return dom;
        }
        let first = (days_from_civil(i64::from(y), m, 1) + 4).rem_euclid(7) as u32;
        let mut dow = 0u64;
        for d in 1..=dim {
            if self.sets[WDAY].has((first + d - 1) % 7) {
                dow |= 1 << d;
            }
        }
        if self.any_day { dow } else { dom | dow }
    }

    /// Returns the next firing time and the number of loop steps used.
    fn search(&self, after: i64) -> (Option<i64>, u32) {
        let end = days_from_civil(i64::from(LAST_YEAR) + 1, 1, 1) * DAY_SECS;
        let t = after.saturating_add(1 + CST_OFFSET).max(0);
        if t >= end {
            return (None, 0);
        }
        let (y0, mut mo, mut d) = civil_from_days(t.div_euclid(DAY_SECS));
        let sod = t.rem_euclid(DAY_SECS);
        let mut y = u32::try_from(y0).unwrap_or(LAST_YEAR + 1);
        let mut h = (sod / 3600) as u32;
        let mut mi = (sod / 60 % 60) as u32;
        let mut s = (sod % 60) as u32;
        let [secs, mins, hours, _, months, _, years] = &self.sets;
        for step in 1..=STEP_BUDGET {
            if y > LAST_YEAR {
                return (None, step);
            }
            let yi = y - FIRST_YEAR;
            if !years.has(yi) {
                match years.next_from(yi) {
                    Some(n) => y = FIRST_YEAR + n,
                    None => return (None, step),
                }
                (mo, d, h, mi, s) = (1, 1, 0, 0, 0);
                continue;
            }
            if !months.has(mo) {
                match months.next_from(mo) {
                    Some(n) => mo = n,
                    None => (y, mo) = (y + 1, 1),
                }
                (d, h, mi, s) = (1, 0, 0, 0);
                continue;
            }
            match next_bit(self.day_mask(y, mo), d) {
                Some(n) if n == d => {}
                Some(n) => {
                    (d, h, mi, s) = (n, 0, 0, 0);
                    continue;
                }
                None => {
                    (mo, d, h, mi, s) = (mo + 1, 1, 0, 0, 0);
                    continue;
                }
            }
            if !hours.has(h) {
                match hours.next_from(h) {
                    Some(n) => h = n,
                    None => (d, h) = (d + 1, 0),
                }
                (mi, s) = (0, 0);
                continue;
            }
            if !mins.has(mi) {
                match mins.next_from(mi) {
                    Some(n) => mi = n,
                    None => (h, mi) = (h + 1, 0),
                }
                s = 0;
                continue;
            }
            if !secs.has(s) {
                match secs.next_from(s) {
                    Some(n) => s = n,
                    None => (mi, s) = (mi + 1, 0),
                }
                continue;
            }
            let local = days_from_civil(i64::from(y), mo, d) * DAY_SECS + i64::from(h * 3600 + mi * 60 + s);
            return (Some(local - CST_OFFSET), step);
        }
        (None, STEP_BUDGET)
    }
}

impl fmt::Display for CronExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text.join(" "))
    }
}

// ---------------------------------------------------------------------------
// Timestamps.

/// Formats a Unix second as China Standard Time: `2026-11-28T10:15:00+08:00`.
pub fn format_cst(unix: i64) -> String {
    let local = unix.saturating_add(CST_OFFSET);
    let (y, m, d) = civil_from_days(local.div_euclid(DAY_SECS));
    let sod = local.rem_euclid(DAY_SECS);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}+08:00", sod / 3600, sod / 60 % 60, sod % 60)
}

fn digits(b: &[u8], at: usize, len: usize) -> Option<i64> {
    b.get(at..at.checked_add(len)?)?
        .iter()
        .try_fold(0i64, |acc, c| c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0')))
}

/// Parses `YYYY-MM-DD[THH:MM[:SS[.fff]]][Z|±HH:MM|±HHMM|±HH]` into Unix
/// seconds. `T` may also be `t` or a space. Without an offset the time is
/// read as UTC+8; fractional seconds are truncated.
pub fn parse_iso(s: &str) -> Option<i64> {
    let b = s.trim().as_bytes();
    let y = digits(b, 0, 4)?;
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let mo = u32::try_from(digits(b, 5, 2)?).ok()?;
    let d = u32::try_from(digits(b, 8, 2)?).ok()?;
    if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) {
        return None;
    }
    let mut pos = 10;
    let mut secs = 0;
    if b.len() > 10 {
        if !matches!(b.get(10), Some(b'T' | b't' | b' ')) || b.get(13) != Some(&b':') {
            return None;
        }
        let h = digits(b, 11, 2)?;
        let mi = digits(b, 14, 2)?;
        let mut sec = 0;
        pos = 16;
        if b.get(16) == Some(&b':') {
            sec = digits(b, 17, 2)?;
            pos = 19;
            if matches!(b.get(19), Some(b'.' | b',')) {
                pos = 20;
                while b.get(pos).is_some_and(u8::is_ascii_digit) {
                    pos += 1;
                }
                if pos == 20 {
                    return None;
                }
            }
        }
        if h > 23 || mi > 59 || sec > 59 {
            return None;
        }
        secs = h * 3600 + mi * 60 + sec;
    }
    let offset = match b.get(pos..)? {
        [] => CST_OFFSET,
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), rest @ ..] => {
            let (oh, om) = match rest {
                [_, _] => (digits(rest, 0, 2)?, 0),
                [_, _, b':', _, _] => (digits(rest, 0, 2)?, digits(rest, 3, 2)?),
                [_, _, _, _] => (digits(rest, 0, 2)?, digits(rest, 2, 2)?),
                _ => return None,
            };
            if oh > 23 || om > 59 {
                return None;
            }
            if *sign == b'-' { -(oh * 3600 + om * 60) } else { oh * 3600 + om * 60 }
        }
        _ => return None,
    };
    Some(days_from_civil(y, mo, d) * DAY_SECS + secs - offset)
}

// ---------------------------------------------------------------------------
// Explanations.

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

fn values(bits: &Bits, spec: &Spec) -> Vec<u32> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> i64 {
        parse_iso(s).unwrap_or_else(|| panic!("bad instant {s}"))
    }

    fn cron(expr: &str) -> CronExpr {
        parse(expr).unwrap_or_else(|e| panic!("{expr}: {e}"))
    }

    fn runs(expr: &str, from: &str, n: usize) -> Vec<String> {
        cron(expr).next_runs(at(from), n).into_iter().map(format_cst).collect()
    }

    fn err(expr: &str) -> CronError {
        match parse(expr) {
            Ok(_) => panic!("{expr:?} should be refused"),
            Err(e) => e,
        }
    }

    fn assert_err(expr: &str, field: Option<&str>, needle: &str) {
        let e = err(expr);
        assert_eq!(e.field, field, "{expr:?}: {e}");
        assert!(e.message.contains(needle), "{expr:?}: {:?} lacks {needle:?}", e.message);
        assert_eq!(e.to_string(), e.message);
    }

    const FROM: &str = "2026-11-27T23:59:58+08:00"; // a Friday

    // ----- spec examples --------------------------------------------------

    #[test]
    fn every_five_seconds() {
        assert_eq!(
            runs("*/5 * * * * * *", FROM, 3),
            ["2026-11-28T00:00:00+08:00", "2026-11-28T00:00:05+08:00", "2026-11-28T00:00:10+08:00"]
        );
    }

    #[test]
    fn first_of_month() {
        assert_eq!(
            runs("0 0 2 1 * * *", FROM, 3),
            ["2026-12-01T02:00:00+08:00", "2027-01-01T02:00:00+08:00", "2027-02-01T02:00:00+08:00"]
        );
    }

    #[test]
    fn weekdays_at_10_15() {
        assert_eq!(
            runs("0 15 10 * * MON-FRI *", FROM, 6),
            [
                "2026-11-30T10:15:00+08:00",
                "2026-12-01T10:15:00+08:00",
                "2026-12-02T10:15:00+08:00",
                "2026-12-03T10:15:00+08:00",
                "2026-12-04T10:15:00+08:00",
                "2026-12-07T10:15:00+08:00"
            ]
        );
    }

    #[test]
    fn hour_list() {
        assert_eq!(
            runs("0 0 10,14,16 * * * *", FROM, 4),
            [
                "2026-11-28T10:00:00+08:00",
                "2026-11-28T14:00:00+08:00",
                "2026-11-28T16:00:00+08:00",
                "2026-11-29T10:00:00+08:00"
            ]
        );
    }

    #[test]
    fn half_hours_in_office_hours() {
        let r = runs("0 */30 9-17 * * * *", FROM, 19);
        assert_eq!(r.len(), 19);
        assert_eq!(r[0], "2026-11-28T09:00:00+08:00");
        assert_eq!(r[1], "2026-11-28T09:30:00+08:00");
        assert_eq!(r[17], "2026-11-28T17:30:00+08:00");
        assert_eq!(r[18], "2026-11-29T09:00:00+08:00");
    }

    #[test]
    fn names_any_case_and_mixed() {
        let a = cron("0 0 0 1 jan-Mar,dec * *");
        let b = cron("0 0 0 1 1-3,12 * *");
        assert_eq!(a.sets, b.sets);
        let c = cron("0 0 0 * * sun,Wed-fri *");
        let d = cron("0 0 0 * * 0,3-5 *");
        assert_eq!(c.sets, d.sets);
        assert_eq!(cron("0 0 0 * * mon-5 *").sets, cron("0 0 0 * * 1-5 *").sets);
    }

    #[test]
    fn step_forms() {
        let e = cron("5/20 10-40/15 */7 * * * *");
        assert_eq!(values(&e.sets[SEC], &SPECS[SEC]), [5, 25, 45]);
        assert_eq!(values(&e.sets[MIN], &SPECS[MIN]), [10, 25, 40]);
        assert_eq!(values(&e.sets[HOUR], &SPECS[HOUR]), [0, 7, 14, 21]);
        let y = cron("0 0 0 1 1 * 2090/4");
        assert_eq!(values(&y.sets[YEAR], &SPECS[YEAR]), [2090, 2094, 2098]);
        // the largest step is the number of values of the field
        assert_eq!(values(&cron("*/60 * * * * * *").sets[SEC], &SPECS[SEC]), [0]);
        assert_eq!(values(&cron("0 0 0 1 1 * */130").sets[YEAR], &SPECS[YEAR]), [1970]);
    }

    #[test]
    fn fields_and_display() {
        let e = parse("  0  15 10\t* *  MON-FRI  * ").unwrap();
        assert_eq!(
            e.fields(),
            [
                ("second", "0"),
                ("minute", "15"),
                ("hour", "10"),
                ("day", "*"),
                ("month", "*"),
                ("weekday", "MON-FRI"),
                ("year", "*")
            ]
        );
        assert_eq!(e.to_string(), "0 15 10 * * MON-FRI *");
    }

    // ----- errors -----------------------------------------------------------

    #[test]
    fn out_of_range_per_field() {
        assert_err("60 * * * * * *", Some("second"), "second: 60 is outside 0-59");
        assert_err("* 60 * * * * *", Some("minute"), "minute: 60 is outside 0-59");
        assert_err("* * 24 * * * *", Some("hour"), "hour: 24 is outside 0-23");
        assert_err("* * * 0 * * *", Some("day"), "day: 0 is outside 1-31");
        assert_err("* * * 32 * * *", Some("day"), "day: 32 is outside 1-31");
        assert_err("* * * * 0 * *", Some("month"), "month: 0 is outside 1-12");
        assert_err("* * * * 13 * *", Some("month"), "month: 13 is outside 1-12");
        assert_err("* * * * * 7 *", Some("weekday"), "weekday: 7 is outside 0-6 (Sunday is 0)");
        assert_err("* * * * * 1-7 *", Some("weekday"), "7 is outside 0-6");
        assert_err("* * * * * * 1969", Some("year"), "year: 1969 is outside 1970-2099");
        assert_err("* * * * * * 2100", Some("year"), "year: 2100 is outside 1970-2099");
        assert_err("* * 99999999999999 * * * *", Some("hour"), "outside 0-23");
        assert_err("1-60 * * * * * *", Some("second"), "60 is outside 0-59");
        assert_err("* * * * * * 2090-2100", Some("year"), "2100 is outside");
    }

    #[test]
    fn bad_names() {
        assert_err("* * * * FOO * *", Some("month"), "month: \"FOO\" is not a month name (JAN-DEC) or number 1-12");
        assert_err(
            "* * * * * FUN *",
            Some("weekday"),
            "weekday: \"FUN\" is not a weekday name (SUN-SAT) or number 0-6",
        );
        assert_err("* * * * JANUARY * *", Some("month"), "\"JANUARY\" is not a month name");
        assert_err("* * * * * MONDAY *", Some("weekday"), "\"MONDAY\"");
        assert_err("* * MON * * * *", Some("hour"), "hour: \"MON\" is not a number 0-23");
        assert_err("* * * * * JAN *", Some("weekday"), "\"JAN\"");
        assert_err("* * * * * * MAR", Some("year"), "year: \"MAR\" is not a number 1970-2099");
    }

    #[test]
    fn quartz_specials_refused() {
        let tail = "is not supported in WeChat cron (only , - * / are special)";
        assert_err("0 0 0 ? * MON *", Some("day"), &format!("day: `?` {tail}"));
        assert_err("0 0 0 * * ? *", Some("weekday"), "`?`");
        assert_err("0 0 0 L * * *", Some("day"), &format!("day: `L` {tail}"));
        assert_err("0 0 0 * * 5L *", Some("weekday"), "`L`");
        assert_err("0 0 0 * * 5l *", Some("weekday"), "`L`");
        assert_err("0 0 0 L-3 * * *", Some("day"), "`L`");
        assert_err("0 0 0 LW * * *", Some("day"), "`L`");
        assert_err("0 0 0 15W * * *", Some("day"), &format!("day: `W` {tail}"));
        assert_err("0 0 0 * * 5#3 *", Some("weekday"), &format!("weekday: `#` {tail}"));
        assert_err("0 0 0 * * FRI#3 *", Some("weekday"), "`#`");
        assert_err("L * * * * * *", Some("second"), "`L`");
        // names that merely contain L or W are fine
        assert!(parse("0 0 0 * JUL WED *").is_ok());
    }

    #[test]
    fn field_counts() {
        let msg = "WeChat cron has 7 fields: second minute hour day month weekday year; got";
        assert_err("*/5 * * * *", None, &format!("{msg} 5"));
        assert_err("0 */5 * * * *", None, &format!("{msg} 6"));
        assert_err("0 0 0 * * * * *", None, &format!("{msg} 8"));
        assert_err("0", None, &format!("{msg} 1"));
        assert_err("", None, "empty cron expression");
        assert_err("  \t ", None, "empty cron expression");
        assert_err("@daily", None, "`@daily` macros are not supported");
    }

    #[test]
    fn bad_steps() {
        assert_err("*/0 * * * * * *", Some("second"), "second: step 0 is outside 1-60");
        assert_err("*/61 * * * * * *", Some("second"), "step 61 is outside 1-60");
        assert_err("* * */25 * * * *", Some("hour"), "hour: step 25 is outside 1-24");
        assert_err("* * * * */13 * *", Some("month"), "step 13 is outside 1-12");
        assert_err("* * * * * */8 *", Some("weekday"), "step 8 is outside 1-7");
        assert_err("* * * * * * */131", Some("year"), "step 131 is outside 1-130");
        assert_err("* */x * * * * *", Some("minute"), "step \"x\" is not a number 1-60");
        assert_err("* */-1 * * * * *", Some("minute"), "step \"-1\" is not a number");
        assert_err("* 5/ * * * * *", Some("minute"), "missing step after / in \"5/\"");
        assert_err("* /5 * * * * *", Some("minute"), "missing value before / in \"/5\"");
        assert_err("* 1/2/3 * * * * *", Some("minute"), "\"1/2/3\" has more than one /");
    }

    #[test]
    fn bad_ranges_and_items() {
        assert_err("0 0 17-9 * * * *", Some("hour"), "hour: range 17-9 is reversed");
        assert_err("0 0 0 * * FRI-MON *", Some("weekday"), "range FRI-MON is reversed");
        assert_err("0 0 0 * DEC-JAN * *", Some("month"), "reversed");
        assert_err("1,,2 * * * * * *", Some("second"), "second: empty item in list \"1,,2\"");
        assert_err("1, * * * * * *", Some("second"), "empty item");
        assert_err(",1 * * * * * *", Some("second"), "empty item");
        assert_err("* 1-2-3 * * * * *", Some("minute"), "\"1-2-3\" has more than one -");
        assert_err("* -5 * * * * *", Some("minute"), "missing value in \"-5\"");
        assert_err("* 5- * * * * *", Some("minute"), "missing value in \"5-\"");
        assert_err("* *-5 * * * * *", Some("minute"), "* must stand alone");
        assert_err("5x * * * * * *", Some("second"), "second: \"5x\" is not a number 0-59");
        assert_err("0 0 0 1 JANX * *", Some("month"), "\"JANX\"");
        assert_err("0 0 0 1 1 * 2026!", Some("year"), "\"2026!\"");
        assert_err("0 0 1.5 * * * *", Some("hour"), "\"1.5\"");
        assert_err("0 0 +1 * * * *", Some("hour"), "\"+1\"");
        assert_err("０ 0 0 * * * *", Some("second"), "is not a number");
        // a range with equal ends is one value
        assert_eq!(values(&cron("0 0 5-5 * * * *").sets[HOUR], &SPECS[HOUR]), [5]);
    }

    // ----- day rules ------------------------------------------------------

    #[test]
    fn day_or_weekday() {
        let from = "2026-11-27T12:00:00+08:00";
        assert_eq!(
            runs("0 0 0 1 * MON *", from, 8),
            [
                "2026-11-30T00:00:00+08:00",
                "2026-12-01T00:00:00+08:00",
                "2026-12-07T00:00:00+08:00",
                "2026-12-14T00:00:00+08:00",
                "2026-12-21T00:00:00+08:00",
                "2026-12-28T00:00:00+08:00",
                "2027-01-01T00:00:00+08:00",
                "2027-01-04T00:00:00+08:00"
            ]
        );
        assert_eq!(runs("0 0 0 1 * * *", from, 2), ["2026-12-01T00:00:00+08:00", "2027-01-01T00:00:00+08:00"]);
        let mondays = ["2026-11-30T00:00:00+08:00", "2026-12-07T00:00:00+08:00"];
        assert_eq!(runs("0 0 0 * * MON *", from, 2), mondays);
        // only `*` leaves a day field unrestricted: any other spelling of
        // "every day" restricts, and with OR the result is every day
        let every_day = ["2026-11-28T00:00:00+08:00", "2026-11-29T00:00:00+08:00"];
        assert_eq!(runs("0 0 0 1-31 * MON *", from, 2), every_day);
        assert_eq!(runs("0 0 0 */1 * 1 *", from, 2), every_day);
        assert_eq!(runs("0 0 0 1 * SUN-SAT *", from, 2), every_day);
        // OR with a month restriction: only in February
        assert_eq!(
            runs("0 0 0 13 2 FRI *", from, 4),
            [
                "2027-02-05T00:00:00+08:00",
                "2027-02-12T00:00:00+08:00",
                "2027-02-13T00:00:00+08:00",
                "2027-02-19T00:00:00+08:00"
            ]
        );
    }

    #[test]
    fn month_ends() {
        assert_eq!(
            runs("0 0 0 31 * * *", "2026-01-01T00:00:00+08:00", 7),
            [
                "2026-01-31T00:00:00+08:00",
                "2026-03-31T00:00:00+08:00",
                "2026-05-31T00:00:00+08:00",
                "2026-07-31T00:00:00+08:00",
                "2026-08-31T00:00:00+08:00",
                "2026-10-31T00:00:00+08:00",
                "2026-12-31T00:00:00+08:00"
            ]
        );
        assert_eq!(
            runs("0 0 12 30 * * *", "2026-01-30T12:00:00+08:00", 2),
            ["2026-03-30T12:00:00+08:00", "2026-04-30T12:00:00+08:00"]
        );
        assert_eq!(
            runs("59 59 23 28-31 2 * *", "2027-02-28T00:00:00+08:00", 2),
            ["2027-02-28T23:59:59+08:00", "2028-02-28T23:59:59+08:00"]
        );
    }

    #[test]
    fn leap_days() {
        assert_eq!(
            runs("0 0 0 29 2 * *", "2026-06-01T00:00:00+08:00", 3),
            ["2028-02-29T00:00:00+08:00", "2032-02-29T00:00:00+08:00", "2036-02-29T00:00:00+08:00"]
        );
        // 2000 is a leap year (divisible by 400)
        assert_eq!(runs("0 0 0 29 2 * *", "1999-01-01T00:00:00Z", 1), ["2000-02-29T00:00:00+08:00"]);
        // the last leap day in range is 2096-02-29
        assert_eq!(runs("0 0 0 29 2 * *", "2095-01-01T00:00:00Z", 5), ["2096-02-29T00:00:00+08:00"]);
        assert!(cron("0 0 0 29 2 * 2097-2099").next_after(0).is_none());
        assert!(cron("0 0 0 29 2 * 2026").next_after(0).is_none());
    }

    #[test]
    fn impossible_dates_end_quickly() {
        for expr in ["0 0 0 31 2 * *", "0 0 0 30 2 * *", "0 0 0 30 2 * 2030", "0 0 0 31 4,6,9,11 * *"] {
            let e = cron(expr);
            for from in [i64::MIN, -1, 0, at("2026-01-01T00:00:00Z"), at("2099-12-31T00:00:00Z")] {
                let (r, steps) = e.search(from);
                assert_eq!(r, None, "{expr}");
                assert!(steps < 2000, "{expr} from {from}: {steps} steps");
            }
            assert!(e.next_runs(0, 10).is_empty());
        }
    }

    #[test]
    fn year_end_and_past_years() {
        let e = cron("59 59 23 31 12 * 2099");
        let last = e.next_after(at("2026-01-01T00:00:00+08:00")).unwrap();
        assert_eq!(format_cst(last), "2099-12-31T23:59:59+08:00");
        assert_eq!(e.next_after(last), None);
        assert_eq!(e.next_after(last - 1), Some(last));
        let every = cron("* * * * * * *");
        assert_eq!(every.next_runs(last - 2, 5), [last - 1, last]);
        assert_eq!(every.next_after(i64::MAX), None);
        assert_eq!(every.next_after(i64::MAX - 5), None);
        assert_eq!(format_cst(every.next_after(i64::MIN).unwrap()), "1970-01-01T00:00:00+08:00");
        assert_eq!(cron("* * * * * * 1999").next_after(at("2026-01-01T00:00:00Z")), None);
        assert_eq!(
            runs("0 0 0 1 1 * 2098,2099", "2097-05-05T00:00:00Z", 5),
            ["2098-01-01T00:00:00+08:00", "2099-01-01T00:00:00+08:00"]
        );
        // the year changes at midnight China time, not UTC
        assert_eq!(runs("0 0 0 * * * 2027", "2026-12-31T15:59:59Z", 1), ["2027-01-01T00:00:00+08:00"]);
    }

    #[test]
    fn next_runs_are_strictly_increasing_and_capped() {
        let e = cron("* * * * * * *");
        let r = e.next_runs(0, usize::MAX);
        assert_eq!(r.len(), MAX_RUNS);
        assert!(r.windows(2).all(|w| w[1] == w[0] + 1));
        assert!(e.next_runs(0, 0).is_empty());
    }

    // ----- timestamps -----------------------------------------------------

    #[test]
    fn timestamps() {
        assert_eq!(format_cst(0), "1970-01-01T08:00:00+08:00");
        assert_eq!(format_cst(-28_800), "1970-01-01T00:00:00+08:00");
        assert_eq!(format_cst(-28_801), "1969-12-31T23:59:59+08:00");
        let t = at("2026-11-28T10:15:00+08:00");
        assert_eq!(format_cst(t), "2026-11-28T10:15:00+08:00");
        assert_eq!(t, 1_795_832_100);
        for same in [
            "2026-11-28T02:15:00Z",
            "2026-11-28t02:15:00z",
            "2026-11-28 02:15:00Z",
            "2026-11-28T02:15:00.999Z",
            "2026-11-28T02:15:00,5Z",
            "2026-11-28T02:15Z",
            "2026-11-28T10:15:00",
            "2026-11-28T07:45:00+05:30",
            "2026-11-27T19:15:00-0700",
            "2026-11-28T10:15:00+08",
            " 2026-11-28T10:15:00+08:00\n",
        ] {
            assert_eq!(parse_iso(same), Some(t), "{same}");
        }
        assert_eq!(parse_iso("2026-11-28"), Some(at("2026-11-28T00:00:00+08:00")));
        assert_eq!(parse_iso("2000-02-29T00:00:00Z"), Some(951_782_400));
        for bad in [
            "",
            "garbage",
            "2026-1-01T00:00:00Z",
            "2026-02-29T00:00:00Z",
            "2100-02-29T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-00-10T00:00:00Z",
            "2026-04-31T00:00:00Z",
            "2026-11-28T24:00:00Z",
            "2026-11-28T10:60:00Z",
            "2026-11-28T10:15:60Z",
            "2026-11-28T10:15:00.Z",
            "2026-11-28T10:15:00+08:00x",
            "2026-11-28T10:15:00+24:00",
            "2026-11-28T10:15:00+8",
            "2026-11-28X10:15:00Z",
            "2026-11-28T10:15:0Z",
            "2026-11-28Z",
            "２026-11-28",
        ] {
            assert_eq!(parse_iso(bad), None, "{bad}");
        }
        // extremes must not panic
        let _ = format_cst(i64::MAX);
        let _ = format_cst(i64::MIN);
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for _ in 0..5000 {
            let t = (rng.next() % 8_000_000_000) as i64 - 2_000_000_000;
            assert_eq!(parse_iso(&format_cst(t)), Some(t));
        }
    }

    #[test]
    fn civil_conversion_matches_day_by_day_walk() {
        let (mut y, mut m, mut d) = (1900i64, 1u32, 1u32);
        let mut n = days_from_civil(1900, 1, 1);
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        while y < 2101 {
            assert_eq!(days_from_civil(y, m, d), n);
            assert_eq!(civil_from_days(n), (y, m, d));
            n += 1;
            d += 1;
            if d > days_in_month(y, m) {
                d = 1;
                m += 1;
                if m > 12 {
                    m = 1;
                    y += 1;
                }
            }
        }
        assert!(!is_leap(1900) && is_leap(2000) && !is_leap(2100) && is_leap(2096));
    }

    // ----- explanations ---------------------------------------------------

    fn explain(expr: &str) -> (String, String) {
        let e = cron(expr);
        (e.explain_en(), e.explain_zh())
    }

    #[test]
    fn explanations_of_examples() {
        let cases = [
            ("*/5 * * * * * *", "every 5 seconds", "每 5 秒"),
            ("0 0 2 1 * * *", "at 02:00:00 on day 1 of every month", "每月 1 日 02:00:00"),
            ("0 15 10 * * MON-FRI *", "at 10:15:00 on Monday to Friday", "周一至周五 10:15:00"),
            (
                "0 0 10,14,16 * * * *",
                "at 10:00:00, 14:00:00 and 16:00:00 every day",
                "每天 10:00:00、14:00:00、16:00:00",
            ),
            ("0 */30 9-17 * * * *", "every 30 minutes, between 09:00 and 17:59", "9 点至 17 点 每 30 分钟"),
            ("* * * * * * *", "every second", "每秒"),
            ("0 * * * * * *", "every minute", "每分钟"),
            ("0 0 * * * * *", "every hour", "每小时"),
            ("0 0 */2 * * * *", "every 2 hours", "每 2 小时"),
            ("0 15 * * * * *", "at minute 15 of every hour", "每小时 第 15 分"),
            ("30 * * * * * *", "at second 30 of every minute", "每分钟 第 30 秒"),
            ("0 0 0 * * * *", "at 00:00:00 every day", "每天 00:00:00"),
            ("0 0 0 1 * MON *", "at 00:00:00 on day 1 of the month or on Monday", "每月 1 日或周一 00:00:00"),
            (
                "0 30 8 * 3-6 SAT,SUN *",
                "at 08:30:00 on Sunday and Saturday, in March to June",
                "3 月至 6 月的 周日、周六 08:30:00",
            ),
            (
                "0 0 9 1,15 1,7 * *",
                "at 09:00:00 on days 1 and 15 of January and July",
                "1 月、7 月的 1 日、15 日 09:00:00",
            ),
            ("0 0 12 25 12 * 2026", "at 12:00:00 on day 25 of December, in 2026", "2026 年 12 月 25 日 12:00:00"),
            ("0 0 8 * * * 2026-2030", "at 08:00:00 every day, from 2026 to 2030", "2026 年至 2030 年 每天 08:00:00"),
            ("*/10 5 * * * * *", "every 10 seconds, during minute 5", "每小时 第 5 分钟内 每 10 秒"),
            ("0 0 0 * 2 * *", "at 00:00:00 every day in February", "2 月 每天 00:00:00"),
            ("0 5/15 * * * * *", "every 15 minutes from minute 5", "从第 5 分起每 15 分钟"),
        ];
        for (expr, en, zh) in cases {
            assert_eq!(explain(expr), (en.to_string(), zh.to_string()), "{expr}");
        }
    }

    // ----- exhaustive comparison against a naive search -------------------

    /// xorshift64*
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            let mut x = self.0;
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            self.0 = x;
            x.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: u32) -> u32 {
            ((self.next() >> 32) % u64::from(n)) as u32
        }
        fn between(&mut self, lo: u32, hi: u32) -> u32 {
            lo + self.below(hi - lo + 1)
        }
        fn chance(&mut self, pct: u32) -> bool {
            self.below(100) < pct
        }
    }

    fn render(rng: &mut Rng, f: usize, v: u32) -> String {
        let spec = &SPECS[f];
        if !spec.names.is_empty() && rng.chance(30) {
            let name = spec.names[(v - spec.lo) as usize];
            name.chars().map(|c| if rng.chance(50) { c.to_ascii_lowercase() } else { c }).collect()
        } else {
            v.to_string()
        }
    }

    /// One list item and the values it stands for.
    fn random_item(rng: &mut Rng, f: usize, lo: u32, hi: u32) -> (String, Vec<u32>) {
        let spec = &SPECS[f];
        let span = spec.hi - spec.lo + 1;
        let k = rng.between(1, span.min(20));
        match rng.below(5) {
            0 => {
                let v = rng.between(lo, hi);
                (render(rng, f, v), vec![v])
            }
            1 => {
                let a = rng.between(lo, hi);
                let b = rng.between(a, hi);
                let text = format!("{}-{}", render(rng, f, a), render(rng, f, b));
                (text, (a..=b).collect())
            }
            2 => (format!("*/{k}"), (spec.lo..=spec.hi).step_by(k as usize).collect()),
            3 => {
                let a = rng.between(lo, hi);
                let text = format!("{}/{k}", render(rng, f, a));
                (text, (a..=spec.hi).step_by(k as usize).collect())
            }
            _ => {
                let a = rng.between(lo, hi);
                let b = rng.between(a, hi);
                let text = format!("{}-{}/{k}", render(rng, f, a), render(rng, f, b));
                (text, (a..=b).step_by(k as usize).collect())
            }
        }
    }

    fn random_field(rng: &mut Rng, f: usize) -> (String, Vec<u32>) {
        let spec = &SPECS[f];
        let (lo, hi) = if f == YEAR { (2024, 2034) } else { (spec.lo, spec.hi) };
        let star = [30, 40, 40, 55, 60, 60, 75][f];
        if rng.chance(star) {
            return ("*".into(), (spec.lo..=spec.hi).collect());
        }
        let n = if rng.chance(25) { rng.between(2, 3) } else { 1 };
        let mut texts = Vec::new();
        let mut vals = Vec::new();
        for _ in 0..n {
            let (t, v) = random_item(rng, f, lo, hi);
            texts.push(t);
            vals.extend(v);
        }
        vals.sort_unstable();
        vals.dedup();
        (texts.join(","), vals)
    }

    /// Day of week by Sakamoto's method, 0 = Sunday.
    fn weekday_of(y: i64, m: u32, d: u32) -> u32 {
        const T: [i64; 12] = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
        let y = if m < 3 { y - 1 } else { y };
        ((y + y / 4 - y / 100 + y / 400 + T[(m - 1) as usize] + i64::from(d)) % 7) as u32
    }

    fn has(e: &CronExpr, f: usize, v: i64) -> bool {
        let base = i64::from(SPECS[f].base);
        v >= base && e.sets[f].has((v - base) as u32)
    }

    fn day_matches(e: &CronExpr, y: i64, m: u32, d: u32) -> bool {
        if !has(e, YEAR, y) || !has(e, MONTH, i64::from(m)) {
            return false;
        }
        let star = |f: usize| e.text[f] == "*";
        let dom = has(e, DAY, i64::from(d));
        let dow = has(e, WDAY, i64::from(weekday_of(y, m, d)));
        match (star(DAY), star(WDAY)) {
            (true, true) => true,
            (true, false) => dow,
            (false, true) => dom,
            (false, false) => dom || dow,
        }
    }

    /// Walks forward one day, hour, minute or second at a time.
    fn naive_next(e: &CronExpr, after: i64, limit: i64) -> Option<i64> {
        let mut t = after + 1;
        while t <= limit {
            let local = t + CST_OFFSET;
            let days = local.div_euclid(DAY_SECS);
            let sod = local.rem_euclid(DAY_SECS);
            let (y, m, d) = civil_from_days(days);
            let base = days * DAY_SECS - CST_OFFSET;
            let (h, mi, s) = (sod / 3600, sod / 60 % 60, sod % 60);
            if !day_matches(e, y, m, d) {
                t = base + DAY_SECS;
            } else if !has(e, HOUR, h) {
                t = base + (h + 1) * 3600;
            } else if !has(e, MIN, mi) {
                t = base + h * 3600 + (mi + 1) * 60;
            } else if has(e, SEC, s) {
                return Some(t);
            } else {
                t += 1;
            }
        }
        None
    }

    #[test]
    fn agrees_with_naive_search_on_random_expressions() {
        let mut rng = Rng(0x0123_4567_89AB_CDEF);
        let lo = at("2025-01-01T00:00:00+08:00");
        let hi = at("2031-01-01T00:00:00+08:00");
        let edges = [
            at("2028-02-28T23:59:59+08:00"),
            at("2026-12-31T23:59:59+08:00"),
            at("2027-01-31T23:59:58+08:00"),
            at("2027-06-30T15:59:59Z"),
        ];
        let window = 6 * 366 * DAY_SECS;
        let mut max_steps = 0;
        let mut found = 0;
        for case in 0..400 {
            let fields: Vec<(String, Vec<u32>)> = (0..7).map(|f| random_field(&mut rng, f)).collect();
            let text: Vec<&str> = fields.iter().map(|(t, _)| t.as_str()).collect();
            let expr = text.join(" ");
            let e = cron(&expr);
            for (f, (_, want)) in fields.iter().enumerate() {
                assert_eq!(&values(&e.sets[f], &SPECS[f]), want, "{expr}: field {f}");
            }
            let mut starts = vec![lo + (rng.next() % (hi - lo) as u64) as i64];
            starts.push(edges[case % edges.len()]);
            starts.push(lo + (rng.next() % (hi - lo) as u64) as i64);
            for start in starts {
                let limit = start + window;
                let mut t = start;
                for _ in 0..3 {
                    let (fast, steps) = e.search(t);
                    max_steps = max_steps.max(steps);
                    let slow = naive_next(&e, t, limit);
                    match slow {
                        Some(x) => assert_eq!(fast, Some(x), "{expr} after {}", format_cst(t)),
                        None => assert!(
                            fast.is_none_or(|x| x > limit),
                            "{expr} after {}: got {}",
                            format_cst(t),
                            format_cst(fast.unwrap_or(0))
                        ),
                    }
                    match fast {
                        Some(x) if x <= limit => {
                            found += 1;
                            t = x;
                        }
                        _ => break,
                    }
                }
            }
            // explanations never fail and stay short
            let (en, zh) = (e.explain_en(), e.explain_zh());
            assert!(!en.is_empty() && en.len() < 600, "{expr}: {en}");
            assert!(!zh.is_empty() && zh.len() < 600, "{expr}: {zh}");
        }
        assert!(found > 1500, "too few matches compared: {found}");
        assert!(max_steps < 2000, "max steps {max_steps}");
    }

    #[test]
    fn second_by_second_scan_near_boundaries() {
        let exprs = [
            "*/7 * * * * * *",
            "59 59 23 * * * *",
            "0,30 */20 * * * SAT *",
            "10-12 0 0 1 * * *",
            "* * * 31 12 * *",
            "0 0 0 * * * *",
        ];
        let starts =
            [at("2026-12-31T23:00:00+08:00"), at("2028-02-28T23:30:00+08:00"), at("2027-11-30T23:59:00+08:00")];
        for expr in exprs {
            let e = cron(expr);
            for start in starts {
                let mut expect = None;
                for t in start + 1..=start + 2 * DAY_SECS {
                    let local = t + CST_OFFSET;
                    let (y, m, d) = civil_from_days(local.div_euclid(DAY_SECS));
                    let sod = local.rem_euclid(DAY_SECS);
                    if day_matches(&e, y, m, d)
                        && has(&e, HOUR, sod / 3600)
                        && has(&e, MIN, sod / 60 % 60)
                        && has(&e, SEC, sod % 60)
                    {
                        expect = Some(t);
                        break;
                    }
                }
                if let Some(x) = expect {
                    assert_eq!(e.next_after(start), Some(x), "{expr}");
                } else {
                    assert!(e.next_after(start).is_none_or(|x| x > start + 2 * DAY_SECS));
                }
            }
        }
    }

    #[test]
    fn search_stays_within_budget() {
        let nasty = [
            "0 0 0 31 2 * *",
            "59 59 23 31 2,4,6,9,11 * *",
            "0 0 0 31 2,4,6,9,11 * *",
            "0 0 0 30,31 2 * *",
            "* * * 31 4 * *",
            "0 0 0 29 2 * */3",
            "0 0 0 29 2 * 2097-2099",
            "* * * * * * 2099",
            "59 59 23 31 12 * 2099",
            "0 0 0 31 2 SUN 2099",
            "0 0 0 30 2 * 1970,2099",
            "*/13 */7 */5 */3 */2 */2 */2",
        ];
        let started = std::time::Instant::now();
        for expr in nasty {
            let e = cron(expr);
            let mut year = 1960;
            while year <= 2100 {
                let from = days_from_civil(year, 1, 1) * DAY_SECS - CST_OFFSET - 1;
                let (_, steps) = e.search(from);
                assert!(steps < 2000, "{expr} from {year}: {steps} steps");
                let r = e.next_runs(from, 20);
                assert!(r.windows(2).all(|w| w[0] < w[1]));
                year += 7;
            }
        }
        assert!(started.elapsed().as_secs() < 5, "searching took too long");
    }
}
