//! The cron exports (`parseCron`, `nextRuns`) and the `schedule` added to timer triggers.

use js_sys::{Array, Object};
use wasm_bindgen::prelude::*;

use super::js::{self, set};
use crate::Error;
use crate::cron::{self, CronError, CronExpr};

/// How many runs a trigger's `schedule` lists.
const SCHEDULE_RUNS: usize = 5;
/// Default and largest `count` of `nextRuns`.
const DEFAULT_COUNT: usize = 5;

fn invalid(e: &CronError) -> Error {
    Error::invalid_argument("expression", &format!("is not a WeChat cron expression: {}", e.message))
}

fn parse(expr: &JsValue) -> Result<CronExpr, Error> {
    let text = js::string_arg(expr, "expression")?;
    cron::parse(&text).map_err(|e| invalid(&e))
}

fn now_secs() -> i64 {
    (js_sys::Date::now() / 1000.0).floor() as i64
}

fn runs_to_js(runs: &[i64]) -> Array {
    runs.iter().map(|&t| JsValue::from_str(&cron::format_cst(t))).collect()
}

fn explanation(c: &CronExpr) -> JsValue {
    let o: JsValue = Object::new().into();
    set(&o, "en", &c.explain_en().into());
    set(&o, "zh", &c.explain_zh().into());
    o
}

/// `{ explanation, nextRuns }` for a trigger's expression as JSON, or the parse error's message.
pub fn schedule_json(expr: &str) -> Result<String, String> {
    let c = cron::parse(expr).map_err(|e| e.message)?;
    let mut out = js::JsonOut::new();
    out.open('{').key("explanation").open('{').key("en").str(&c.explain_en()).key("zh").str(&c.explain_zh());
    out.close('}').key("nextRuns").open('[');
    for t in c.next_runs(now_secs(), SCHEDULE_RUNS) {
        out.str(&cron::format_cst(t));
    }
    out.close(']').close('}');
    Ok(out.0)
}

/// Parses a 7-field WeChat timer expression (`second minute hour day month weekday year`, UTC+8).
///
/// Returns `{ expression, fields, explanation: { en, zh } }`; throws a `TcbError`
/// (`invalid_argument`) naming the field, the text and the allowed range.
#[wasm_bindgen(js_name = parseCron)]
pub fn parse_cron(expression: JsValue) -> Result<JsValue, JsValue> {
    let c = parse(&expression).map_err(|e| js::error_to_js(&e))?;
    let fields: JsValue = Object::new().into();
    for (name, text) in c.fields() {
        set(&fields, name, &text.into());
    }
    let o: JsValue = Object::new().into();
    set(&o, "expression", &c.to_string().into());
    set(&o, "fields", &fields);
    set(&o, "explanation", &explanation(&c));
    Ok(o)
}

/// The next `count` (default 5, at most 1000) fire times strictly after `from` (default now),
/// as ISO strings in UTC+8 (`2026-11-30T10:15:00+08:00`). An expression whose years are all
/// past has none: the list is empty.
#[wasm_bindgen(js_name = nextRuns)]
pub fn next_runs(expression: JsValue, options: JsValue) -> Result<Array, JsValue> {
    let read = || -> Result<Array, Error> {
        let c = parse(&expression)?;
        let (from, count) = if options.is_undefined() || options.is_null() {
            (now_secs(), DEFAULT_COUNT)
        } else {
            let obj = js::object(&options, "options")?;
            (
                js::instant(obj, "from")?.unwrap_or_else(now_secs),
                js::count(obj, "count", cron::MAX_RUNS)?.unwrap_or(DEFAULT_COUNT),
            )
        };
        Ok(runs_to_js(&c.next_runs(from, count)))
    };
    read().map_err(|e| js::error_to_js(&e))
}
