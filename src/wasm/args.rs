//! JavaScript arguments, read through serde-wasm-bindgen into Rust structs and validated before
//! anything is sent. Each refusal is an `invalid_argument` that names the field as the caller
//! wrote it; an unknown string is refused, never defaulted.

use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

use crate::model::{Config, ConfigType, TYPE_RULE};
use crate::request::{self, GetFuncConfig};
use crate::retry::RetryPolicy;
use crate::Error;

/// A field as the caller gave it, kept as the JS value and checked by the methods below: the
/// type of each field is checked where its name is known, so that a refusal names it.
#[derive(Default)]
pub struct Arg(JsValue);

impl<'de> Deserialize<'de> for Arg {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde_wasm_bindgen::preserve::deserialize(d).map(Arg)
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
        let list = self.0.dyn_ref::<js_sys::Array>().ok_or_else(|| Error::invalid_argument(field, "must be an array of strings"))?;
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

/// `value`, which must be a plain object, read into `T`.
pub fn read<T: DeserializeOwned>(value: &JsValue, what: &str) -> Result<T, Error> {
    if !value.is_object() || value.is_function() {
        return Err(Error::invalid_argument(what, "must be an object"));
    }
    serde_wasm_bindgen::from_value(value.clone()).map_err(|_| Error::invalid_argument(what, "must be an object"))
}

/// Like [`read`], for an optional argument: `undefined` and `null` give `T::default()`.
pub fn read_optional<T: DeserializeOwned + Default>(value: &JsValue, what: &str) -> Result<T, Error> {
    if value.is_undefined() || value.is_null() { Ok(T::default()) } else { read(value, what) }
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
    let value = serde_json::from_str(&text).map_err(|_| Error::invalid_argument(name, "must be plain JSON data"))?;
    crate::upload::config_from_input(t, &value, name)
}

/// Options of a client: exactly one token source, and the limits.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct ClientOptions {
    access_token: Arg,
    get_access_token: Arg,
    base_url: Arg,
    timeout_ms: Arg,
    retries: Arg,
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

impl ClientOptions {
    /// Reads and validates the options object.
    pub fn settings(options: &JsValue) -> Result<(TokenSource, Settings), Error> {
        let o: ClientOptions = read(options, "options")?;
        const ONE: &str =
            "give exactly one of accessToken (a string) or getAccessToken (a function, e.g. stableToken({...}))";
        let callback = o.get_access_token.value();
        let no_callback = callback.is_undefined() || callback.is_null();
        let source = match (o.access_token.string("accessToken")?, no_callback) {
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
        let policy = match o.retries.number("retries")? {
            Some(n) => RetryPolicy::with_retries("retries", n)?,
            None => RetryPolicy::default(),
        };
        Ok((source, Settings { base_url: base_url(o.base_url)?, timeout_ms: timeout_ms(o.timeout_ms)?, policy }))
    }
}

/// `{ env, functionName, type, signal? }`, and `config` for a write.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct TargetArgs {
    env: Arg,
    function_name: Arg,
    #[serde(rename = "type")]
    config_type: Arg,
    #[serde(with = "serde_wasm_bindgen::preserve")]
    signal: JsValue,
    #[serde(with = "serde_wasm_bindgen::preserve")]
    config: JsValue,
}

/// Names of the request fields, as JavaScript callers write them.
pub const FIELDS: (&str, &str) = ("env", "functionName");

impl TargetArgs {
    /// The validated target, the signal, and the raw `config` argument.
    pub fn read(request: &JsValue) -> Result<(GetFuncConfig, Option<AbortSignal>, JsValue), Error> {
        let a: TargetArgs = read(request, "request")?;
        let env = a.env.required_string("env")?;
        let function_name = a.function_name.required_string("functionName")?;
        let t = a.config_type.config_type()?;
        let target = GetFuncConfig::new(&env, &function_name, t, FIELDS)?;
        Ok((target, signal(a.signal)?, a.config))
    }
}

/// `{ env, limit?, offset?, signal? }`.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListArgs {
    /// Environment id.
    pub env: Arg,
    /// Page size.
    pub limit: Arg,
    /// Functions to skip.
    pub offset: Arg,
    /// The caller's signal.
    #[serde(with = "serde_wasm_bindgen::preserve")]
    pub signal: JsValue,
}

/// `{ signal? }` of the calls that take only a signal.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignalOnly {
    #[serde(with = "serde_wasm_bindgen::preserve")]
    signal: JsValue,
}

/// The signal of an optional `{ signal? }` argument.
pub fn options_signal(options: &JsValue) -> Result<Option<AbortSignal>, Error> {
    signal(read_optional::<SignalOnly>(options, "options")?.signal)
}

/// Options of the edit helpers.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct EditOptions {
    /// The `raw` the edit is based on: a string, `null` ("not configured"), or absent.
    #[serde(with = "serde_wasm_bindgen::preserve")]
    pub expected_raw: JsValue,
    /// Compute the change but write nothing.
    pub dry_run: Arg,
    /// Show environment values in `changes`.
    pub reveal_values: Arg,
    /// The caller's signal.
    #[serde(with = "serde_wasm_bindgen::preserve")]
    pub signal: JsValue,
}

/// `updateEnvironment`'s edit: `{ set?, unset?, timeout? }`.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EnvironmentEdit {
    /// Variables to set.
    pub set: Arg,
    /// Keys to remove.
    pub unset: Arg,
    /// A new timeout.
    pub timeout: Arg,
}

/// `setTimerTrigger`'s trigger: `{ name, config, type? }`.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TriggerArg {
    /// The trigger's name.
    pub name: Arg,
    /// Its cron expression.
    pub config: Arg,
    /// `"timer"` if given.
    #[serde(rename = "type")]
    pub trigger_type: Arg,
}

/// A list of strings passed positionally (`names`).
pub fn string_list(value: &JsValue, field: &str) -> Result<Vec<String>, Error> {
    Arg::of(value).strings(field)?.ok_or_else(|| Error::invalid_argument(field, "must be an array of strings"))
}
