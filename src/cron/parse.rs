//! Parsing and validating the seven fields.

use super::{Bits, CronError, CronExpr, DAY, FIRST_YEAR, LAST_YEAR, WDAY};

const MONTH_ABBR: [&str; 12] = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const WDAY_ABBR: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

pub(super) struct Spec {
    pub(super) name: &'static str,
    pub(super) lo: u32,
    pub(super) hi: u32,
    /// Value stored at bit 0 of the field's set.
    pub(super) base: u32,
    pub(super) names: &'static [&'static str],
    /// How names are described in error messages.
    names_desc: &'static str,
}

pub(super) const SPECS: [Spec; 7] = [
    Spec { name: "second", lo: 0, hi: 59, base: 0, names: &[], names_desc: "" },
    Spec { name: "minute", lo: 0, hi: 59, base: 0, names: &[], names_desc: "" },
    Spec { name: "hour", lo: 0, hi: 23, base: 0, names: &[], names_desc: "" },
    Spec { name: "day", lo: 1, hi: 31, base: 0, names: &[], names_desc: "" },
    Spec { name: "month", lo: 1, hi: 12, base: 0, names: &MONTH_ABBR, names_desc: "a month name (JAN-DEC)" },
    Spec { name: "weekday", lo: 0, hi: 6, base: 0, names: &WDAY_ABBR, names_desc: "a weekday name (SUN-SAT)" },
    Spec { name: "year", lo: FIRST_YEAR, hi: LAST_YEAR, base: FIRST_YEAR, names: &[], names_desc: "" },
];

fn whole_err(message: String) -> CronError {
    CronError { field: None, message }
}

fn field_err(spec: &Spec, msg: String) -> CronError {
    CronError { field: Some(spec.name), message: format!("{}: {msg}", spec.name) }
}

fn not_supported(spec: &Spec, what: char) -> CronError {
    field_err(spec, format!("`{what}` is not supported in WeChat cron (only , - * / are special)"))
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
