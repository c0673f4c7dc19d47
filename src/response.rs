//! Decoding a `getfuncconfig` answer: HTTP status, the JSON envelope, `errcode`, then the
//! second parse of the `config` string into a typed configuration.

use serde_json::Value;

use crate::error::Error;
use crate::model::{
    CloudCallConfig, Config, ConfigType, Decode, EnvironmentConfig, FuncConfig, TimerTriggerConfig, kind_of, whole,
};
use crate::request::GetFuncConfig;

/// Reads `errcode`: an integer, or (tolerantly) a string holding one.
fn errcode_of(v: Option<&Value>) -> Result<i64, &'static str> {
    match v {
        Some(Value::String(s)) => s.trim().parse().map_err(|_| "`errcode` is a string that is not an integer"),
        None | Some(Value::Null) => Err("the answer has no `errcode`"),
        Some(n) => whole(n).ok_or("`errcode` is not an integer"),
    }
}

/// Parses JSON text, or says why it is not JSON.
pub(crate) fn parse(text: &str) -> Result<Value, String> {
    crate::value::parse(text).map_err(|e| format!("not JSON ({e})"))
}

/// Checks the HTTP status and the envelope of any endpoint's answer; returns the envelope, a
/// JSON object whose `errcode` is 0.
pub fn check_envelope(status: u16, body: &str) -> Result<Value, Error> {
    if !(200..300).contains(&status) {
        return Err(Error::http(status));
    }
    if body.trim().is_empty() {
        return Err(Error::decode("the answer", "the body is empty", body));
    }
    let envelope = parse(body).map_err(|detail| Error::decode("the answer", &detail, body))?;
    if !envelope.is_object() {
        let detail = format!("{}, not a JSON object", kind_of(&envelope));
        return Err(Error::decode("the answer", &detail, body));
    }
    let errcode = errcode_of(envelope.get("errcode")).map_err(|detail| Error::decode("the answer", detail, body))?;
    if errcode != 0 {
        let errmsg = envelope.get("errmsg").and_then(Value::as_str).map(str::to_string);
        return Err(Error::api(errcode, errmsg));
    }
    Ok(envelope)
}

/// Checks the HTTP status and the envelope; returns the `config` string of a successful answer.
pub fn decode_envelope(status: u16, body: &str) -> Result<String, Error> {
    let mut envelope = check_envelope(status, body)?;
    match envelope.get_mut("config").map(Value::take) {
        Some(Value::String(s)) => Ok(s),
        None | Some(Value::Null) => Err(Error::decode("the answer", "errcode is 0 but `config` is missing", body)),
        Some(other) => {
            let detail = format!("`config` is {}, not the documented JSON string", kind_of(&other));
            Err(Error::decode("the answer", &detail, body))
        }
    }
}

/// Whether parsed config JSON has at least one field of type `t` (`permissions`, `triggers`,
/// `timeout` or `environment`): reading is tolerant of missing fields, so this is what tells a
/// type 1 text from a type 3 one when a caller hands one back.
pub fn has_fields_of(t: ConfigType, v: &Value) -> bool {
    let inner;
    let v = match v {
        Value::String(s) => match crate::value::parse(s) {
            Ok(parsed) => {
                inner = parsed;
                &inner
            }
            Err(_) => return false,
        },
        other => other,
    };
    match t {
        ConfigType::CloudCall => v.get("permissions").is_some(),
        ConfigType::TimerTrigger => v.get("triggers").is_some(),
        ConfigType::Environment => v.get("timeout").is_some() || v.get("environment").is_some(),
    }
}

/// Decodes parsed config JSON as the given type.
pub fn config_from_value(t: ConfigType, v: &Value) -> Result<Config, String> {
    match t {
        ConfigType::CloudCall => CloudCallConfig::decode(v).map(Config::CloudCall),
        ConfigType::TimerTrigger => TimerTriggerConfig::decode(v).map(Config::TimerTrigger),
        ConfigType::Environment => EnvironmentConfig::decode(v).map(Config::Environment),
    }
}

/// Parses the `config` string (the second parse) into the typed configuration of `request`'s type.
///
/// A `config` that was JSON-encoded twice (a JSON string holding the JSON text) is unwrapped once.
pub fn decode_config(request: &GetFuncConfig, raw: String) -> Result<FuncConfig, Error> {
    let t = request.config_type;
    let what = format!("the type {} ({}) config", t.number(), t.name());
    let not_json = |detail: String| Error::decode(&what, &detail, &raw);
    let mut value = parse(&raw).map_err(not_json)?;
    if let Value::String(inner) = &value {
        value = parse(inner).map_err(not_json)?;
    }
    let config = config_from_value(t, &value).map_err(|detail| Error::decode(&what, &detail, &raw))?;
    Ok(FuncConfig { env: request.env.clone(), function_name: request.function_name.clone(), config, raw })
}

/// The whole answer: status, envelope, `errcode`, then the typed config.
pub fn decode_response(request: &GetFuncConfig, status: u16, body: &str) -> Result<FuncConfig, Error> {
    let raw = decode_envelope(status, body)?;
    decode_config(request, raw)
}
