//! Conversions at the JavaScript edge: reading argument objects, building plain result
//! objects, and turning [`Error`] into a JS `Error` with `name = "TcbError"` and a `code`.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

use crate::json::quote_into;
use crate::list::{FunctionList, Time};
use crate::model::{Config, FuncConfig, MASK};
use crate::request::{self, ConfigType, TYPE_RULE};
use crate::retry::RetryPolicy;
use crate::upload::{Change, diff};
use crate::{Error, ErrorKind};

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// A property of an argument object (`undefined` when absent or unreadable).
pub fn field(obj: &JsValue, key: &str) -> JsValue {
    get(obj, key)
}

/// A fresh plain object.
pub fn new_object() -> JsValue {
    Object::new().into()
}

/// An optional boolean option: absent is `false`.
pub fn flag(obj: &JsValue, key: &str) -> Result<bool, Error> {
    let v = get(obj, key);
    if v.is_undefined() || v.is_null() {
        return Ok(false);
    }
    v.as_bool().ok_or_else(|| Error::invalid_argument(key, "must be true or false"))
}

/// An optional number: absent is `None`.
pub fn opt_number(obj: &JsValue, key: &str) -> Result<Option<f64>, Error> {
    let v = get(obj, key);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    v.as_f64().map(Some).ok_or_else(|| Error::invalid_argument(key, "must be a number"))
}

/// The own enumerable `[key, value]` pairs of an object.
pub fn entries(obj: &JsValue) -> Vec<(String, JsValue)> {
    let Some(o) = obj.dyn_ref::<Object>() else { return Vec::new() };
    Object::entries(o)
        .iter()
        .filter_map(|pair| {
            let pair: Array = pair.dyn_into().ok()?;
            Some((pair.get(0).as_string()?, pair.get(1)))
        })
        .collect()
}

/// An array of strings.
pub fn string_list(v: &JsValue, name: &str) -> Result<Vec<String>, Error> {
    let list = v.dyn_ref::<Array>().ok_or_else(|| Error::invalid_argument(name, "must be an array of strings"))?;
    list.iter()
        .enumerate()
        .map(|(i, s)| s.as_string().ok_or_else(|| Error::invalid_argument(&format!("{name}[{i}]"), "must be a string")))
        .collect()
}

/// A config written by the caller (see [`crate::upload::config_from_input`]), read through
/// `JSON.stringify` so that getters, `toJSON` and cycles behave as JSON would.
pub fn config_input(v: &JsValue, t: Option<ConfigType>, name: &str) -> Result<Config, Error> {
    if !v.is_object() {
        return Err(Error::invalid_argument(name, "must be an object"));
    }
    let text = js_sys::JSON::stringify(v)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| Error::invalid_argument(name, "must be plain JSON data (no cycles or BigInt)"))?;
    let value = crate::json::parse(&text).map_err(|_| Error::invalid_argument(name, "must be plain JSON data"))?;
    crate::upload::config_from_input(t, &value, name)
}

/// JSON written by hand: members and items get their commas from what came before.
pub struct JsonOut(pub String);

impl JsonOut {
    pub fn new() -> Self {
        JsonOut(String::new())
    }

    fn sep(&mut self) {
        if !matches!(self.0.as_bytes().last(), None | Some(b'{' | b'[' | b':')) {
            self.0.push(',');
        }
    }

    /// Opens an object or array (`{` or `[`), as a member value or an item.
    pub fn open(&mut self, c: char) -> &mut Self {
        self.sep();
        self.0.push(c);
        self
    }

    pub fn close(&mut self, c: char) -> &mut Self {
        self.0.push(c);
        self
    }

    /// A member name (one of this module's own, which need no escaping); its value follows.
    pub fn key(&mut self, k: &str) -> &mut Self {
        self.sep();
        self.0.push('"');
        self.0.push_str(k);
        self.0.push_str("\":");
        self
    }

    /// A value already written as JSON (a number, `null`, `true`, or a whole nested value).
    pub fn raw(&mut self, json: &str) -> &mut Self {
        self.sep();
        self.0.push_str(json);
        self
    }

    pub fn str(&mut self, s: &str) -> &mut Self {
        self.sep();
        quote_into(&mut self.0, s);
        self
    }
}

/// Changes as JSON `[{ op, field, key, before?, after?, masked? }]`; environment values masked
/// unless `reveal`.
pub fn changes_json(changes: &[Change], reveal: bool) -> String {
    let mut out = JsonOut::new();
    out.open('[');
    for c in changes {
        out.open('{').key("op").str(c.op.name()).key("field").str(c.field).key("key").str(&c.key);
        let hide = c.is_secret() && !reveal;
        for (k, v) in [("before", &c.before), ("after", &c.after)] {
            if let Some(v) = v {
                out.key(k).str(if hide { MASK } else { v });
            }
        }
        if hide {
            out.key("masked").raw("true");
        }
        out.close('}');
    }
    out.close(']');
    out.0
}

/// A listing as JSON `{ total, functions: [{ name, runtime, status, addTime, modTime }] }`.
pub fn function_list_json(l: &FunctionList) -> String {
    let mut out = JsonOut::new();
    out.open('{').key("total").raw(&l.total.to_string()).key("functions").open('[');
    for f in &l.functions {
        out.open('{').key("name").str(&f.name);
        for (k, v) in [("runtime", &f.runtime), ("status", &f.status)] {
            match v {
                Some(v) => out.key(k).str(v),
                None => out.key(k).raw("null"),
            };
        }
        for (k, t) in [("addTime", &f.add_time), ("modTime", &f.mod_time)] {
            match t {
                Some(Time::Number(n)) => out.key(k).raw(&n.to_string()),
                Some(Time::Text(s)) => out.key(k).str(s),
                None => out.key(k).raw("null"),
            };
        }
        out.close('}');
    }
    out.close(']').close('}');
    out.0
}

pub fn set(obj: &JsValue, key: &str, value: &JsValue) {
    // Setting a property on a fresh plain object or Error cannot fail.
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

/// The argument object itself, which must be an object.
pub fn object<'a>(value: &'a JsValue, what: &str) -> Result<&'a JsValue, Error> {
    if value.is_object() && !value.is_function() {
        Ok(value)
    } else {
        Err(Error::invalid_argument(what, "must be an object"))
    }
}

/// An optional string field: `undefined` and `null` are absent.
pub fn opt_string(obj: &JsValue, key: &str) -> Result<Option<String>, Error> {
    let v = get(obj, key);
    if v.is_undefined() || v.is_null() {
        Ok(None)
    } else {
        v.as_string().map(Some).ok_or_else(|| Error::invalid_argument(key, "must be a string"))
    }
}

/// A required string value, already read.
pub fn required(value: Option<String>, key: &str) -> Result<String, Error> {
    value.ok_or_else(|| Error::invalid_argument(key, "is required (a non-empty string)"))
}

/// A string argument passed positionally.
pub fn string_arg(value: &JsValue, name: &str) -> Result<String, Error> {
    match value.as_string() {
        Some(s) => Ok(s),
        None if value.is_undefined() || value.is_null() => {
            Err(Error::invalid_argument(name, "is required (a non-empty string)"))
        }
        None => Err(Error::invalid_argument(name, "must be a string")),
    }
}

/// `type`: 1, 2, 3 or the names `cloudCall`, `timerTrigger`, `environment`.
pub fn config_type(obj: &JsValue) -> Result<ConfigType, Error> {
    let v = get(obj, "type");
    let t = if let Some(n) = v.as_f64() {
        ConfigType::from_number(n)
    } else {
        v.as_string().and_then(|s| ConfigType::from_name(&s))
    };
    t.ok_or_else(|| Error::invalid_argument("type", TYPE_RULE))
}

/// `baseUrl`, validated, or WeChat's host.
pub fn base_url(obj: &JsValue) -> Result<String, Error> {
    match opt_string(obj, "baseUrl")? {
        Some(url) => request::validate_base_url("baseUrl", &url).map(str::to_string),
        None => Ok(request::DEFAULT_BASE_URL.to_string()),
    }
}

/// `timeoutMs`, validated, or the default.
pub fn timeout_ms(obj: &JsValue) -> Result<u32, Error> {
    let v = get(obj, "timeoutMs");
    if v.is_undefined() || v.is_null() {
        return Ok(request::DEFAULT_TIMEOUT_MS);
    }
    let n = v.as_f64().ok_or_else(|| Error::invalid_argument("timeoutMs", "must be a number"))?;
    request::validate_timeout_ms("timeoutMs", n)
}

/// An instant: a `Date` or an ISO 8601 string, as Unix seconds; `None` when absent.
pub fn instant(obj: &JsValue, key: &str) -> Result<Option<i64>, Error> {
    let v = get(obj, key);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    const RULE: &str = "must be a valid Date or an ISO 8601 string such as \"2026-11-28T10:00:00+08:00\"";
    if let Some(d) = v.dyn_ref::<js_sys::Date>() {
        let ms = d.get_time();
        return if ms.is_finite() {
            Ok(Some((ms / 1000.0).floor() as i64))
        } else {
            Err(Error::invalid_argument(key, RULE))
        };
    }
    match v.as_string() {
        Some(s) => crate::cron::parse_iso(&s).map(Some).ok_or_else(|| Error::invalid_argument(key, RULE)),
        None => Err(Error::invalid_argument(key, RULE)),
    }
}

/// A whole number from 1 to `max`; `None` when absent.
pub fn count(obj: &JsValue, key: &str, max: usize) -> Result<Option<usize>, Error> {
    let v = get(obj, key);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    match v.as_f64() {
        Some(n) if n.fract() == 0.0 && n >= 1.0 && n <= max as f64 => Ok(Some(n as usize)),
        _ => Err(Error::invalid_argument(key, &format!("must be a whole number from 1 to {max}"))),
    }
}

/// `signal`: absent, or an `AbortSignal`.
pub fn signal(obj: &JsValue) -> Result<Option<AbortSignal>, Error> {
    let v = get(obj, "signal");
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    v.dyn_into::<AbortSignal>().map(Some).map_err(|_| Error::invalid_argument("signal", "must be an AbortSignal"))
}

/// A typed config as JSON for `JSON.parse`: `{ kind, type, env, functionName, …, raw }`, each
/// trigger with its `schedule` (or `scheduleError`). One string crosses to JavaScript instead
/// of a property at a time.
pub fn config_json(c: &FuncConfig) -> String {
    let t = c.config.config_type();
    let mut out = JsonOut::new();
    out.open('{').key("kind").str(t.name()).key("type").raw(&t.number().to_string());
    out.key("env").str(&c.env).key("functionName").str(&c.function_name);
    match &c.config {
        Config::CloudCall(cc) => {
            out.key("openapi").open('[');
            for n in &cc.openapi {
                out.str(n);
            }
            out.close(']');
        }
        Config::TimerTrigger(tt) => {
            out.key("triggers").open('[');
            for t in &tt.triggers {
                out.open('{').key("name").str(&t.name).key("type").str(&t.trigger_type).key("config").str(&t.config);
                match super::schedule::schedule_json(&t.config) {
                    Ok(s) => out.key("schedule").raw(&s),
                    Err(message) => out.key("scheduleError").str(&message),
                };
                out.close('}');
            }
            out.close(']');
        }
        Config::Environment(ec) => {
            out.key("timeout").raw(&ec.timeout.to_string()).key("environment").open('[');
            for v in &ec.environment {
                out.open('{').key("key").str(&v.key).key("value").str(&v.value).close('}');
            }
            out.close(']');
        }
    }
    out.key("raw").str(&c.raw).close('}');
    out.0
}

/// JSON text parsed into a JS value (the module only writes valid JSON).
pub fn parsed(json: &str) -> JsValue {
    js_sys::JSON::parse(json).unwrap_or(JsValue::NULL)
}

/// A JS `Error` named `TcbError` carrying the error's fields; absent fields are not set.
pub fn error_to_js(e: &Error) -> JsValue {
    let err = js_sys::Error::new(&e.message);
    err.set_name("TcbError");
    let o: &JsValue = err.as_ref();
    set(o, "code", &e.code().into());
    if let Some(c) = e.errcode {
        set(o, "errcode", &(c as f64).into());
    }
    if let Some(m) = &e.errmsg {
        set(o, "errmsg", &m.as_str().into());
    }
    if let Some(s) = e.http_status {
        set(o, "httpStatus", &f64::from(s).into());
    }
    set(o, "hint", &e.hint.as_str().into());
    set(o, "retryable", &e.retryable.into());
    if let Some(r) = &e.raw {
        set(o, "raw", &r.as_str().into());
    }
    if let Some(v) = &e.versions {
        // Both versions, masked: an error may end up in a log.
        let (expected, actual) =
            (v.expected.as_ref().map(FuncConfig::masked), v.actual.as_ref().map(FuncConfig::masked));
        let show = |c: &Option<FuncConfig>| c.as_ref().map_or(JsValue::NULL, |c| parsed(&config_json(c)));
        set(o, "expected", &show(&expected));
        set(o, "actual", &show(&actual));
        let t = v.expected.as_ref().or(v.actual.as_ref()).map(|c| c.config.config_type());
        if let Some(t) = t {
            let or_empty =
                |c: &Option<FuncConfig>| c.as_ref().map_or_else(|| crate::edit::empty(t), |c| c.config.clone());
            let changes = diff(&or_empty(&v.expected), &or_empty(&v.actual)).unwrap_or_default();
            set(o, "changes", &parsed(&changes_json(&changes, false)));
        }
    }
    err.into()
}

/// Reads back an error made by [`error_to_js`] (a token provider's), so it passes through
/// unchanged; `None` for anything else.
pub fn error_from_js(value: &JsValue) -> Option<Error> {
    if !is_tcb_error(value) {
        return None;
    }
    let text = |k: &str| get(value, k).as_string();
    let number = |k: &str| get(value, k).as_f64();
    let kind = match text("code")?.as_str() {
        "invalid_argument" => ErrorKind::InvalidArgument,
        "api" => ErrorKind::Api,
        "http" => ErrorKind::Http,
        "network" => ErrorKind::Network,
        "timeout" => ErrorKind::Timeout,
        "aborted" => ErrorKind::Aborted,
        "decode" => ErrorKind::Decode,
        "conflict" => ErrorKind::Conflict,
        "unverified" => ErrorKind::Unverified,
        "unknown_outcome" => ErrorKind::UnknownOutcome,
        _ => ErrorKind::Token,
    };
    Some(Error {
        kind,
        message: text("message").unwrap_or_default(),
        hint: text("hint").unwrap_or_default(),
        retryable: get(value, "retryable").as_bool().unwrap_or(false),
        errcode: number("errcode").map(|n| n as i64),
        errmsg: text("errmsg"),
        http_status: number("httpStatus").map(|n| n as u16),
        raw: text("raw"),
        not_sent: false,
        versions: None,
    })
}

/// `retries`, validated, or the default policy.
pub fn retry_policy(obj: &JsValue) -> Result<RetryPolicy, Error> {
    let v = get(obj, "retries");
    if v.is_undefined() || v.is_null() {
        return Ok(RetryPolicy::default());
    }
    let n = v.as_f64().ok_or_else(|| Error::invalid_argument("retries", "must be a number"))?;
    RetryPolicy::with_retries("retries", n)
}

/// Whether `value` is an error made by [`error_to_js`].
pub fn is_tcb_error(value: &JsValue) -> bool {
    value
        .dyn_ref::<js_sys::Error>()
        .is_some_and(|e| e.name() == "TcbError" && get(value, "code").is_string() && get(value, "hint").is_string())
}
