//! The rules as JavaScript uses them without a client: `checkField` and `checkConfig` for a form,
//! `maskConfig` and `maskChanges` for what a Worker or page shows, `emptyConfig` and `defaults`.
//! The rules themselves are the core's ([`crate::rules`], [`crate::upload::check_config`],
//! [`crate::model`]); this file only reads and builds JS values, with a few `Reflect` calls.

use js_sys::{Array, JsString, Object, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use super::args::{self, Arg};
use super::error::error_to_js;
use crate::Error;
use crate::edit::empty;
use crate::model::{Config, DEFAULT_TIMEOUT_SECS, MASK};
use crate::request::{DEFAULT_BASE_URL, DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS};
use crate::rules::{Broken, Field, Input, Rule, check_field as check};
use crate::token::RENEW_BEFORE_SECS;
use crate::upload::{MAX_ENVIRONMENT_BYTES, MAX_TIMEOUT_SECS, check_config as check_whole};

fn get(o: &JsValue, key: &str) -> JsValue {
    Reflect::get(o, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn set(o: &Object, key: &str, value: &JsValue) {
    // Defining a property on a fresh plain object cannot fail.
    let _ = Reflect::set(o, &JsValue::from_str(key), value);
}

/// `{ code, field, message, hint }` of a broken rule.
fn broken_to_js(field: &str, code: &str, message: &str, hint: &str) -> JsValue {
    let o = Object::new();
    set(&o, "code", &code.into());
    set(&o, "field", &field.into());
    set(&o, "message", &message.into());
    set(&o, "hint", &hint.into());
    o.into()
}

fn broken(field: &str, b: &Broken) -> JsValue {
    broken_to_js(field, b.rule.code(), &b.message(field), b.rule.hint())
}

/// Checks one field of a config of `type` as a form has it: `env` and `functionName` (any type),
/// `openapi` (type 1), `name` and `config` (type 2), `timeout`, `key` and `value` (type 3). `null` when it is fine, else
/// `{ code, field, message, hint }`. An unknown type or field throws an `invalid_argument`.
#[wasm_bindgen(js_name = checkField)]
pub fn check_field(config_type: JsValue, field: JsValue, value: JsValue) -> Result<JsValue, JsValue> {
    let run = || -> Result<JsValue, Error> {
        let t = Arg::of(&config_type).config_type()?;
        let name = args::string_arg(&field, "field")?;
        let f = Field::of(t, &name).ok_or_else(|| {
            Error::invalid_argument("field", "must be env, functionName or a field of the type: openapi (1); name, config (2); timeout, key, value (3)")
        })?;
        let input = match (value.as_string(), value.as_f64()) {
            (Some(s), _) => check(f, Input::Text(&s)),
            (None, Some(n)) => check(f, Input::Number(n)),
            _ => check(f, Input::Other),
        };
        Ok(input.err().map_or(JsValue::NULL, |b| broken(&name, &b)))
    };
    run().map_err(|e| error_to_js(&e))
}

/// Checks a whole config of `type` (the plain `{openapi}` / `{triggers}` /
/// `{timeout, environment}` shape, or a typed result) against WeChat's rules: `null` when it may
/// be written, else the first broken rule as `{ code, field, message, hint }`, `field` being a
/// path such as `config.environment[1].key`. An unknown type throws an `invalid_argument`.
#[wasm_bindgen(js_name = checkConfig)]
pub fn check_config(config_type: JsValue, config: JsValue) -> Result<JsValue, JsValue> {
    let t = Arg::of(&config_type).config_type().map_err(|e| error_to_js(&e))?;
    Ok(match args::config_input(&config, Some(t), "config") {
        Err(Error::InvalidArgument { field, rule }) => {
            let message = Error::InvalidArgument { field: field.clone(), rule }.message();
            broken_to_js(&field, Rule::Shape.code(), &message, Rule::Shape.hint())
        }
        Err(e) => return Err(error_to_js(&e)),
        Ok(c) => check_whole(&c).err().map_or(JsValue::NULL, |(field, b)| broken(&field, &b)),
    })
}

/// An environment item `{ key, value: MASK, masked: true, length? }`: the length of the real
/// value, none when it is the mask already (masked before: its length is not known).
fn masked_item(item: &JsValue) -> (JsValue, Object) {
    let key = get(item, "key");
    let value = get(item, "value");
    let o = Object::new();
    set(&o, "key", &key);
    set(&o, "value", &MASK.into());
    set(&o, "masked", &JsValue::TRUE);
    if let Some(s) = value.dyn_ref::<JsString>()
        && value.as_string().as_deref() != Some(MASK)
    {
        set(&o, "length", &s.length().into());
    }
    (key, o)
}

/// A config as it may be shown to anyone: an environment config (type 3) comes back as
/// `{ env, functionName, kind, type, timeout, environment, raw, rawMasked: true }`, each value
/// replaced by the mask with its `length` (none for a value that is the mask already, e.g. in a
/// config the package masked itself), `raw` rebuilt from the keys. Nothing else of the input is
/// copied, so nothing can carry a value through. Other types come back as they are; `null` and
/// `undefined` as `null`.
#[wasm_bindgen(js_name = maskConfig)]
pub fn mask_config(config: JsValue) -> Result<JsValue, JsValue> {
    if config.is_null() || config.is_undefined() {
        return Ok(JsValue::NULL);
    }
    if !config.is_object() {
        return Err(error_to_js(&Error::invalid_argument("config", "must be a config object or null")));
    }
    if get(&config, "kind").as_string().as_deref() != Some("environment") {
        return Ok(config);
    }
    let items = Array::new();
    let raw_items = Array::new();
    if let Some(list) = get(&config, "environment").dyn_ref::<Array>() {
        for item in list.iter() {
            let (key, shown) = masked_item(&item);
            items.push(&shown);
            let r = Object::new();
            set(&r, "key", &key);
            set(&r, "value", &MASK.into());
            raw_items.push(&r);
        }
    }
    let timeout = get(&config, "timeout");
    let raw = Object::new();
    set(&raw, "timeout", &timeout);
    set(&raw, "environment", &raw_items);
    let raw_text = js_sys::JSON::stringify(&raw)
        .map_err(|_| error_to_js(&Error::invalid_argument("config.timeout", "must be a number")))?;
    let o = Object::new();
    for key in ["env", "functionName", "kind", "type"] {
        set(&o, key, &get(&config, key));
    }
    set(&o, "timeout", &timeout);
    set(&o, "environment", &items);
    set(&o, "raw", &raw_text);
    set(&o, "rawMasked", &JsValue::TRUE);
    Ok(o.into())
}

/// Config changes (from `diffConfigs`, an edit or an error) as they may be shown to anyone:
/// `{ op, field, key, before?, after?, masked? }` with every environment value replaced by the
/// mask, whatever came in. Anything but an array gives `[]`; an entry that is not an object is
/// left out.
#[wasm_bindgen(js_name = maskChanges)]
pub fn mask_changes(changes: JsValue) -> Array {
    let out = Array::new();
    let Some(list) = changes.dyn_ref::<Array>() else { return out };
    for c in list.iter().filter(JsValue::is_object) {
        let o = Object::new();
        for key in ["op", "field", "key"] {
            set(&o, key, &get(&c, key));
        }
        let secret = get(&c, "field").as_string().as_deref() == Some("environment");
        let mut any = false;
        for key in ["before", "after"] {
            let v = get(&c, key);
            if !v.is_undefined() {
                any = true;
                set(&o, key, &if secret { MASK.into() } else { v });
            }
        }
        if (secret && any) || (!secret && get(&c, "masked") == JsValue::TRUE) {
            set(&o, "masked", &JsValue::TRUE);
        }
        out.push(&o);
    }
    out
}

/// The empty config of `type` in the plain shape: `{ openapi: [] }`, `{ triggers: [] }` or
/// `{ timeout: 3, environment: [] }` (WeChat's default timeout).
#[wasm_bindgen(js_name = emptyConfig)]
pub fn empty_config(config_type: JsValue) -> Result<JsValue, JsValue> {
    let t = Arg::of(&config_type).config_type().map_err(|e| error_to_js(&e))?;
    let o = Object::new();
    // Built by hand rather than serialized: three fields are not worth serde's code.
    match empty(t) {
        Config::CloudCall(_) => set(&o, "openapi", &Array::new()),
        Config::TimerTrigger(_) => set(&o, "triggers", &Array::new()),
        Config::Environment(e) => {
            set(&o, "timeout", &e.timeout.into());
            set(&o, "environment", &Array::new());
        }
    }
    Ok(o.into())
}

/// The package's defaults and limits: `{ baseUrl, timeoutMs, maxTimeoutMs, renewBeforeSecs,
/// mask, timeout, maxTimeout, maxEnvironmentBytes }`.
#[wasm_bindgen]
pub fn defaults() -> JsValue {
    let o = Object::new();
    set(&o, "baseUrl", &DEFAULT_BASE_URL.into());
    set(&o, "timeoutMs", &DEFAULT_TIMEOUT_MS.into());
    set(&o, "maxTimeoutMs", &MAX_TIMEOUT_MS.into());
    set(&o, "renewBeforeSecs", &RENEW_BEFORE_SECS.into());
    set(&o, "mask", &MASK.into());
    set(&o, "timeout", &DEFAULT_TIMEOUT_SECS.into());
    set(&o, "maxTimeout", &MAX_TIMEOUT_SECS.into());
    set(&o, "maxEnvironmentBytes", &(MAX_ENVIRONMENT_BYTES as u32).into());
    Object::freeze(&o).into()
}
