//! The cron exports: `parseCron` and `nextRuns`.

use js_sys::Reflect;
use serde::Serialize;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use super::args::{self, Arg};
use super::error::error_to_js;
use super::results::{Explanation, now_secs, to_js};
use crate::Error;
use crate::cron::{self, CronExpr};

/// Default `count` of `nextRuns`.
const DEFAULT_COUNT: usize = 5;

fn parse(expr: &JsValue) -> Result<CronExpr, Error> {
    let text = args::string_arg(expr, "expression")?;
    cron::parse(&text).map_err(|e| {
        Error::invalid_argument("expression", &format!("is not a WeChat cron expression: {}", e.message))
    })
}

#[derive(Serialize)]
struct Parsed {
    expression: String,
    fields: Fields,
    explanation: Explanation,
}

#[derive(Serialize)]
struct Fields {
    second: String,
    minute: String,
    hour: String,
    day: String,
    month: String,
    weekday: String,
    year: String,
}

/// Parses a 7-field WeChat timer expression (`second minute hour day month weekday year`, UTC+8).
///
/// Returns `{ expression, fields, explanation: { en, zh } }`; throws a `TcbError`
/// (`invalid_argument`) naming the field, the text and the allowed range.
#[wasm_bindgen(js_name = parseCron)]
pub fn parse_cron(expression: JsValue) -> Result<JsValue, JsValue> {
    let run = || -> Result<JsValue, Error> {
        let c = parse(&expression)?;
        let [second, minute, hour, day, month, weekday, year] = c.fields().map(|(_, text)| text.to_string());
        let fields = Fields { second, minute, hour, day, month, weekday, year };
        to_js(&Parsed { expression: c.to_string(), fields, explanation: Explanation::of(&c) })
    };
    run().map_err(|e| error_to_js(&e))
}

/// An instant: a `Date` or an ISO 8601 string, as Unix seconds; `None` when absent.
fn instant(v: &JsValue) -> Result<Option<i64>, Error> {
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    const RULE: &str = "must be a valid Date or an ISO 8601 string such as \"2026-11-28T10:00:00+08:00\"";
    let refuse = || Error::invalid_argument("from", RULE);
    if let Some(d) = v.dyn_ref::<js_sys::Date>() {
        let ms = d.get_time();
        return if ms.is_finite() { Ok(Some((ms / 1000.0).floor() as i64)) } else { Err(refuse()) };
    }
    v.as_string().and_then(|s| cron::parse_iso(&s)).map(Some).ok_or_else(refuse)
}

/// The next `count` (default 5, at most 1000) fire times strictly after `from` (default now),
/// as ISO strings in UTC+8 (`2026-11-30T10:15:00+08:00`). An expression whose years are all
/// past has none: the list is empty.
#[wasm_bindgen(js_name = nextRuns)]
pub fn next_runs(expression: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    let run = || -> Result<JsValue, Error> {
        let c = parse(&expression)?;
        let (from, count) = if options.is_undefined() || options.is_null() {
            (now_secs(), DEFAULT_COUNT)
        } else {
            if !options.is_object() {
                return Err(Error::invalid_argument("options", "must be an object"));
            }
            let get = |k: &str| Reflect::get(&options, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED);
            let rule = format!("must be a whole number from 1 to {}", cron::MAX_RUNS);
            let count = Arg::of(&get("count"));
            let count = match count.number("count").map_err(|_| Error::invalid_argument("count", &rule))? {
                None => DEFAULT_COUNT,
                Some(n) if n.fract() == 0.0 && n >= 1.0 && n <= cron::MAX_RUNS as f64 => n as usize,
                Some(_) => return Err(Error::invalid_argument("count", &rule)),
            };
            (instant(&get("from"))?.unwrap_or_else(now_secs), count)
        };
        let runs: Vec<String> = c.next_runs(from, count).into_iter().map(cron::format_cst).collect();
        to_js(&runs)
    };
    run().map_err(|e| error_to_js(&e))
}
