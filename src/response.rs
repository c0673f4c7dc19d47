//! Decoding a `getfuncconfig` answer: HTTP status, the JSON envelope, `errcode`, then the
//! second parse of the `config` string into a typed configuration.

use crate::error::Error;
use crate::json::{self, Value};
use crate::model::{CloudCallConfig, Config, Decode, EnvironmentConfig, FuncConfig, TimerTriggerConfig};
use crate::request::{ConfigType, GetFuncConfig};

/// Reads `errcode`: an integer, or (tolerantly) a string holding one.
fn errcode_of(v: Option<&Value>) -> Result<i64, &'static str> {
    match v {
        Some(Value::Int(n)) => Ok(*n),
        Some(Value::Str(s)) => s.trim().parse().map_err(|_| "`errcode` is a string that is not an integer"),
        None | Some(Value::Null) => Err("the answer has no `errcode`"),
        Some(_) => Err("`errcode` is not an integer"),
    }
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
    let envelope = json::parse(body).map_err(|e| Error::decode("the answer", &format!("not JSON ({e})"), body))?;
    if !matches!(envelope, Value::Obj(_)) {
        let detail = format!("{}, not a JSON object", envelope.kind());
        return Err(Error::decode("the answer", &detail, body));
    }
    let errcode = errcode_of(envelope.get("errcode")).map_err(|detail| Error::decode("the answer", detail, body))?;
    if errcode != 0 {
        let errmsg = match envelope.get("errmsg") {
            Some(Value::Str(s)) => Some(s.clone()),
            _ => None,
        };
        return Err(Error::api(errcode, errmsg));
    }
    Ok(envelope)
}

/// Checks the HTTP status and the envelope; returns the `config` string of a successful answer.
pub fn decode_envelope(status: u16, body: &str) -> Result<String, Error> {
    let envelope = check_envelope(status, body)?;
    match envelope.get("config") {
        Some(Value::Str(s)) => Ok(s.clone()),
        None | Some(Value::Null) => Err(Error::decode("the answer", "errcode is 0 but `config` is missing", body)),
        Some(other) => {
            let detail = format!("`config` is {}, not the documented JSON string", other.kind());
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
        Value::Str(s) => match json::parse(s) {
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
    let not_json = |e: json::JsonError| Error::decode(&what, &format!("not JSON ({e})"), &raw);
    let mut value = json::parse(&raw).map_err(not_json)?;
    if let Value::Str(inner) = &value {
        value = json::parse(inner).map_err(not_json)?;
    }
    let config = config_from_value(t, &value).map_err(|detail| Error::decode(&what, &detail, &raw))?;
    Ok(FuncConfig { env: request.env.clone(), function_name: request.function_name.clone(), config, raw })
}

/// The whole answer: status, envelope, `errcode`, then the typed config.
pub fn decode_response(request: &GetFuncConfig, status: u16, body: &str) -> Result<FuncConfig, Error> {
    let raw = decode_envelope(status, body)?;
    decode_config(request, raw)
}
