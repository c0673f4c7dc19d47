//! JavaScript arguments, read field by field (`object[name]`, as the caller wrote it) and
//! validated before anything is sent. Each refusal is an `invalid_argument` that names the field
//! as the caller wrote it; an unknown string is refused, never defaulted.
//!
//! Fields are read by name rather than through serde visitors: one small reader serves every
//! argument, where each derived visitor cost the module 2-3 KB.

use js_sys::Reflect;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

use crate::Error;
use crate::model::{Config, ConfigType, TYPE_RULE};
use crate::request::{self, GetFuncConfig};
use crate::retry::RetryPolicy;

/// A field as the caller gave it, kept as the JS value and checked by the methods below: the
/// type of each field is checked where its name is known, so that a refusal names it.
#[derive(Default)]
pub struct Arg(JsValue);

/// An object argument, whose fields are read by name; a missing field is `undefined`.
pub struct Fields(JsValue);

impl Fields {
    /// `value`, which must be an object (not a function); `what` names it in a refusal.
    pub fn of(value: &JsValue, what: &str) -> Result<Fields, Error> {
        if !value.is_object() || value.is_function() {
            return Err(Error::invalid_argument(what, "must be an object"));
        }
        Ok(Fields(value.clone()))
    }

    /// Like [`Fields::of`], for an optional argument: `undefined` and `null` have no fields.
    pub fn optional(value: &JsValue, what: &str) -> Result<Fields, Error> {
        if value.is_undefined() || value.is_null() { Ok(Fields(JsValue::UNDEFINED)) } else { Fields::of(value, what) }
    }

    /// The field `name` (a getter that throws reads as `undefined`).
    pub fn get(&self, name: &str) -> Arg {
        if self.0.is_undefined() {
            return Arg::default();
        }
        Arg(Reflect::get(&self.0, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED))
    }
}

const STRING: &str = "must be a string";
const REQUIRED: &str = "is required (a non-empty string)";

impl Arg {
    /// A value passed positionally.
    pub fn of(value: &JsValue) -> Arg {
        Arg(value.clone())
    }

    /// Whether it is absent (`undefined` or `null`).
    pub fn absent(&self) -> bool {
        self.0.is_undefined() || self.0.is_null()
    }

    /// The JS value itself.
    pub fn value(self) -> JsValue {
        self.0
    }

    /// An optional string.
    pub fn string(&self, field: &str) -> Result<Option<String>, Error> {
        if self.absent() {
            return Ok(None);
        }
        self.0.as_string().map(Some).ok_or_else(|| Error::invalid_argument(field, STRING))
    }

    /// A string that must be given.
    pub fn required_string(&self, field: &str) -> Result<String, Error> {
        self.string(field)?.ok_or_else(|| Error::invalid_argument(field, REQUIRED))
    }

    /// An optional flag: absent is `false`.
    pub fn flag(&self, field: &str) -> Result<bool, Error> {
        if self.absent() {
            return Ok(false);
        }
        self.0.as_bool().ok_or_else(|| Error::invalid_argument(field, "must be true or false"))
    }

    /// An optional number.
    pub fn number(&self, field: &str) -> Result<Option<f64>, Error> {
        if self.absent() {
            return Ok(None);
        }
        self.0.as_f64().map(Some).ok_or_else(|| Error::invalid_argument(field, "must be a number"))
    }

    /// `type`: 1, 2, 3 or the names `cloudCall`, `timerTrigger`, `environment`.
    pub fn config_type(&self) -> Result<ConfigType, Error> {
        let t = match self.0.as_f64() {
            Some(n) => ConfigType::from_number(n),
            None => self.0.as_string().and_then(|s| ConfigType::from_name(&s)),
        };
        t.ok_or_else(|| Error::invalid_argument("type", TYPE_RULE))
    }

    /// An optional list of strings (`names`, `unset`): `field[i]` names a bad item.
    pub fn strings(&self, field: &str) -> Result<Option<Vec<String>>, Error> {
        if self.absent() {
            return Ok(None);
        }
        let list = self
            .0
            .dyn_ref::<js_sys::Array>()
            .ok_or_else(|| Error::invalid_argument(field, "must be an array of strings"))?;
        let mut out = Vec::with_capacity(list.length() as usize);
        for (i, s) in list.iter().enumerate() {
            out.push(s.as_string().ok_or_else(|| Error::invalid_argument(&format!("{field}[{i}]"), STRING))?);
        }
        Ok(Some(out))
    }

    /// An optional object's own enumerable `[key, value]` pairs.
    pub fn entries(&self, field: &str) -> Result<Vec<(String, JsValue)>, Error> {
        if self.absent() {
            return Ok(Vec::new());
        }
        if !self.0.is_object() || self.0.is_function() || js_sys::Array::is_array(&self.0) {
            return Err(Error::invalid_argument(field, "must be an object"));
        }
        let o: &js_sys::Object = self.0.unchecked_ref();
        Ok(js_sys::Object::entries(o)
            .iter()
            .filter_map(|pair| {
                let pair: js_sys::Array = pair.dyn_into().ok()?;
                Some((pair.get(0).as_string()?, pair.get(1)))
            })
            .collect())
    }
}

/// A string passed positionally.
pub fn string_arg(value: &JsValue, name: &str) -> Result<String, Error> {
    match value.as_string() {
        Some(s) => Ok(s),
        None if value.is_undefined() || value.is_null() => Err(Error::invalid_argument(name, REQUIRED)),
        None => Err(Error::invalid_argument(name, STRING)),
    }
}

/// `signal`: absent, or an `AbortSignal`.
pub fn signal(value: JsValue) -> Result<Option<AbortSignal>, Error> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value.dyn_into::<AbortSignal>().map(Some).map_err(|_| Error::invalid_argument("signal", "must be an AbortSignal"))
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
    let value = crate::value::parse(&text).map_err(|_| Error::invalid_argument(name, "must be plain JSON data"))?;
    crate::upload::config_from_input(t, &value, name)
}

/// Where a client's tokens come from.
pub enum TokenSource {
    /// A fixed token.
    Fixed(String),
    /// A `getAccessToken` callback.
    Callback(js_sys::Function),
}

/// Client options, validated (the token source apart).
pub struct Settings {
    /// WeChat's host or a relay, without a trailing `/`.
    pub base_url: String,
    /// The limit of each call.
    pub timeout_ms: u32,
    /// Retry limits and backoff.
    pub policy: RetryPolicy,
    /// The query parameter that carries the token.
    pub token_param: &'static str,
}

/// `baseUrl`, validated, or WeChat's host.
pub fn base_url(arg: Arg) -> Result<String, Error> {
    match arg.string("baseUrl")? {
        Some(url) => request::validate_base_url("baseUrl", &url).map(str::to_string),
        None => Ok(request::DEFAULT_BASE_URL.to_string()),
    }
}

/// `timeoutMs`, validated, or the default.
pub fn timeout_ms(arg: Arg) -> Result<u32, Error> {
    match arg.number("timeoutMs")? {
        Some(n) => request::validate_timeout_ms("timeoutMs", n),
        None => Ok(request::DEFAULT_TIMEOUT_MS),
    }
}

/// Client options (`{ accessToken | getAccessToken, baseUrl?, timeoutMs?, retries? }`), read and
/// validated: exactly one token source, and the limits.
pub fn client_options(options: &JsValue) -> Result<(TokenSource, Settings), Error> {
    let o = Fields::of(options, "options")?;
    const ONE: &str =
        "give exactly one of accessToken (a string) or getAccessToken (a function, e.g. stableToken({...}))";
    let callback = o.get("getAccessToken").value();
    let no_callback = callback.is_undefined() || callback.is_null();
    let source = match (o.get("accessToken").string("accessToken")?, no_callback) {
        (Some(t), true) => {
            request::validate_access_token("accessToken", &t)?;
            TokenSource::Fixed(t)
        }
        (None, false) => match callback.dyn_into::<js_sys::Function>() {
            Ok(f) => TokenSource::Callback(f),
            Err(_) => return Err(Error::invalid_argument("getAccessToken", "must be a function")),
        },
        (Some(_), false) => return Err(Error::invalid_argument("accessToken", ONE)),
        (None, true) => return Err(Error::invalid_argument("accessToken", &format!("is required: {ONE}"))),
    };
    Ok((source, settings(&o, "access_token")?))
}

/// `baseUrl`, `timeoutMs` and `retries` of a client's options, validated; `token_param` names
/// the query parameter of its token.
pub fn settings(o: &Fields, token_param: &'static str) -> Result<Settings, Error> {
    let policy = match o.get("retries").number("retries")? {
        Some(n) => RetryPolicy::with_retries("retries", n)?,
        None => RetryPolicy::default(),
    };
    Ok(Settings { base_url: base_url(o.get("baseUrl"))?, timeout_ms: timeout_ms(o.get("timeoutMs"))?, policy, token_param })
}

/// Names of the request fields, as JavaScript callers write them.
pub const FIELDS: (&str, &str) = ("env", "functionName");

/// `{ env, functionName, type, signal? }`, and `config` for a write: the validated target, the
/// signal, and the raw `config` argument.
pub fn target(request: &JsValue) -> Result<(GetFuncConfig, Option<AbortSignal>, JsValue), Error> {
    let a = Fields::of(request, "request")?;
    let env = a.get("env").required_string("env")?;
    let function_name = a.get("functionName").required_string("functionName")?;
    let t = a.get("type").config_type()?;
    let target = GetFuncConfig::new(&env, &function_name, t, FIELDS)?;
    Ok((target, signal(a.get("signal").value())?, a.get("config").value()))
}

/// The signal of an optional `{ signal? }` argument.
pub fn options_signal(options: &JsValue) -> Result<Option<AbortSignal>, Error> {
    signal(Fields::optional(options, "options")?.get("signal").value())
}

/// A list of strings passed positionally (`names`).
pub fn string_list(value: &JsValue, field: &str) -> Result<Vec<String>, Error> {
    Arg::of(value).strings(field)?.ok_or_else(|| Error::invalid_argument(field, "must be an array of strings"))
}
