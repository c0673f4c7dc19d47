//! Typed results as JavaScript sees them: serde views of the core's types, crossing through
//! serde-wasm-bindgen as plain objects (`null` for absent values, never `Map`s).

use serde::ser::{SerializeStruct, Serializer};
use serde::Serialize;
use wasm_bindgen::JsValue;

use crate::cron;
use crate::model::{Config, FuncConfig, Trigger};
use crate::upload::Change;
use crate::Error;

/// How many runs a trigger's `schedule` lists.
pub const SCHEDULE_RUNS: usize = 5;

/// `value` as a plain JS value.
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, Error> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| Error::decode("the result", &e.to_string(), ""))
}

/// A cron expression's explanation in both languages.
#[derive(Serialize)]
pub struct Explanation {
    /// English.
    pub en: String,
    /// Chinese.
    pub zh: String,
}

impl Explanation {
    /// Of a parsed expression.
    pub fn of(c: &cron::CronExpr) -> Explanation {
        Explanation { en: c.explain_en(), zh: c.explain_zh() }
    }
}

/// What a trigger's expression means and when it fires next.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Schedule {
    explanation: Explanation,
    next_runs: Vec<String>,
}

/// The current time in Unix seconds.
pub fn now_secs() -> i64 {
    (js_sys::Date::now() / 1000.0).floor() as i64
}

/// A trigger with its `schedule`, or the reason it has none (`scheduleError`).
struct TriggerView<'a>(&'a Trigger);

impl Serialize for TriggerView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let t = self.0;
        let mut o = s.serialize_struct("Trigger", 4)?;
        o.serialize_field("name", &t.name)?;
        o.serialize_field("type", &t.trigger_type)?;
        o.serialize_field("config", &t.config)?;
        match cron::parse(&t.config) {
            Ok(c) => {
                let next_runs = c.next_runs(now_secs(), SCHEDULE_RUNS).into_iter().map(cron::format_cst).collect();
                o.serialize_field("schedule", &Schedule { explanation: Explanation::of(&c), next_runs })?;
            }
            Err(e) => o.serialize_field("scheduleError", &e.message)?,
        }
        o.end()
    }
}

/// A typed config: `{ kind, type, env, functionName, …its fields, raw }`.
pub struct ConfigView<'a>(pub &'a FuncConfig);

impl Serialize for ConfigView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let c = self.0;
        let t = c.config.config_type();
        let mut o = s.serialize_struct("FuncConfig", 7)?;
        o.serialize_field("kind", t.name())?;
        o.serialize_field("type", &t.number())?;
        o.serialize_field("env", &c.env)?;
        o.serialize_field("functionName", &c.function_name)?;
        match &c.config {
            Config::CloudCall(cc) => o.serialize_field("openapi", &cc.openapi)?,
            Config::TimerTrigger(tt) => {
                let triggers: Vec<TriggerView<'_>> = tt.triggers.iter().map(TriggerView).collect();
                o.serialize_field("triggers", &triggers)?;
            }
            Config::Environment(e) => {
                o.serialize_field("timeout", &e.timeout)?;
                o.serialize_field("environment", &e.environment)?;
            }
        }
        o.serialize_field("raw", &c.raw)?;
        o.end()
    }
}

/// Changes as shown: environment values masked unless `reveal`.
pub fn changes(list: Vec<Change>, reveal: bool) -> Vec<Change> {
    list.into_iter().map(|c| c.shown(reveal)).collect()
}

/// What an edit did: `{ written, config, changes }`.
#[derive(Serialize)]
pub struct EditResult<'a> {
    /// Whether a write was made.
    pub written: bool,
    /// The config read back (the planned one for a dry run; `null`: not configured).
    pub config: Option<ConfigView<'a>>,
    /// What changed, shown.
    pub changes: Vec<Change>,
}

/// The three configs of a function: `{ cloudCall, timerTrigger, environment }`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AllConfigs<'a> {
    /// Type 1, or `null`.
    pub cloud_call: Option<ConfigView<'a>>,
    /// Type 2, or `null`.
    pub timer_trigger: Option<ConfigView<'a>>,
    /// Type 3, or `null`.
    pub environment: Option<ConfigView<'a>>,
}
