//! Decoding a `getfuncconfig` answer: HTTP status, the JSON envelope, `errcode`, then the
//! second parse of the `config` string into a typed configuration.
//!
//! The JSON parser is supplied by the caller ([`JsonParser`]): natively any serde format,
//! inside wasm the runtime's own `JSON.parse`, so the shipped module carries no JSON parser.

use core::fmt;

use serde::de::{Deserialize, DeserializeOwned, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::error::Error;
use crate::model::{Config, FuncConfig};
use crate::request::{ConfigType, GetFuncConfig};

/// Parses JSON text into any serde type.
pub trait JsonParser {
    /// Parses `text`; the error is a short description without the text itself.
    fn parse<T: DeserializeOwned>(&self, text: &str) -> Result<T, String>;
}

/// A JSON value where the envelope allows several types; only what decoding needs is kept.
#[derive(Debug, Clone, PartialEq)]
enum Loose {
    Null,
    Str(String),
    Int(i64),
    /// A number that is not a safe integer, a boolean, an array or an object.
    Other(&'static str),
}

impl Loose {
    fn what(&self) -> &'static str {
        match self {
            Loose::Null => "null",
            Loose::Str(_) => "a string",
            Loose::Int(_) => "a number",
            Loose::Other(what) => what,
        }
    }
}

impl<'de> Deserialize<'de> for Loose {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Loose;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_unit<E>(self) -> Result<Loose, E> {
                Ok(Loose::Null)
            }
            fn visit_none<E>(self) -> Result<Loose, E> {
                Ok(Loose::Null)
            }
            fn visit_bool<E>(self, _: bool) -> Result<Loose, E> {
                Ok(Loose::Other("a boolean"))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Loose, E> {
                Ok(Loose::Int(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Loose, E> {
                Ok(i64::try_from(v).map_or(Loose::Other("a number"), Loose::Int))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Loose, E> {
                // An integral float within the safe-integer range is an integer (JS numbers).
                const SAFE: f64 = 9_007_199_254_740_991.0;
                if v.fract() == 0.0 && v.abs() <= SAFE {
                    Ok(Loose::Int(v as i64))
                } else {
                    Ok(Loose::Other("a number"))
                }
            }
            fn visit_str<E>(self, v: &str) -> Result<Loose, E> {
                Ok(Loose::Str(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<Loose, E> {
                Ok(Loose::Str(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Loose, A::Error> {
                while s.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Loose::Other("an array"))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Loose, A::Error> {
                while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Loose::Other("an object"))
            }
        }
        d.deserialize_any(V)
    }
}

/// The outer JSON object: `{"errcode":0,"errmsg":"ok","config":"…"}`.
#[derive(Debug, Default)]
struct Envelope {
    errcode: Option<Loose>,
    errmsg: Option<Loose>,
    config: Option<Loose>,
}

impl<'de> Deserialize<'de> for Envelope {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Envelope;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object with `errcode`")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Envelope, A::Error> {
                let mut e = Envelope::default();
                while let Some(key) = m.next_key::<String>()? {
                    let slot = match key.as_str() {
                        "errcode" => &mut e.errcode,
                        "errmsg" => &mut e.errmsg,
                        "config" => &mut e.config,
                        _ => {
                            m.next_value::<IgnoredAny>()?;
                            continue;
                        }
                    };
                    *slot = Some(m.next_value()?);
                }
                Ok(e)
            }
        }
        d.deserialize_map(V)
    }
}

/// Reads `errcode`: an integer, or (tolerantly) a string holding one.
fn errcode_of(v: Option<Loose>) -> Result<i64, &'static str> {
    match v {
        Some(Loose::Int(n)) => Ok(n),
        Some(Loose::Str(s)) => s.trim().parse().map_err(|_| "`errcode` is a string that is not an integer"),
        None | Some(Loose::Null) => Err("the answer has no `errcode`"),
        Some(Loose::Other(_)) => Err("`errcode` is not an integer"),
    }
}

/// Checks the HTTP status and the envelope; returns the `config` string of a successful answer.
pub fn decode_envelope<P: JsonParser>(parser: &P, status: u16, body: &str) -> Result<String, Error> {
    if !(200..300).contains(&status) {
        return Err(Error::http(status));
    }
    if body.trim().is_empty() {
        return Err(Error::decode("the answer", "the body is empty", body));
    }
    let envelope: Envelope = parser
        .parse(body)
        .map_err(|detail| Error::decode("the answer", &format!("not a JSON object ({detail})"), body))?;
    let errcode = errcode_of(envelope.errcode).map_err(|detail| Error::decode("the answer", detail, body))?;
    if errcode != 0 {
        let errmsg = match envelope.errmsg {
            Some(Loose::Str(s)) => Some(s),
            _ => None,
        };
        return Err(Error::api(errcode, errmsg));
    }
    match envelope.config {
        Some(Loose::Str(s)) => Ok(s),
        None | Some(Loose::Null) => Err(Error::decode("the answer", "errcode is 0 but `config` is missing", body)),
        Some(other) => Err(Error::decode(
            "the answer",
            &format!("`config` is {}, not the documented JSON string", other.what()),
            body,
        )),
    }
}

fn parse_config<P: JsonParser>(parser: &P, t: ConfigType, text: &str) -> Result<Config, String> {
    match t {
        ConfigType::CloudCall => parser.parse(text).map(Config::CloudCall),
        ConfigType::TimerTrigger => parser.parse(text).map(Config::TimerTrigger),
        ConfigType::Environment => parser.parse(text).map(Config::Environment),
    }
}

/// Parses the `config` string (the second parse) into the typed configuration of `request`'s type.
///
/// A `config` that was JSON-encoded twice (a JSON string holding the JSON text) is unwrapped once.
pub fn decode_config<P: JsonParser>(parser: &P, request: &GetFuncConfig, raw: String) -> Result<FuncConfig, Error> {
    let t = request.config_type;
    let what = format!("the type {} ({}) config", t.number(), t.name());
    let unwrapped;
    let text = if raw.trim_start().starts_with('"') {
        unwrapped = parser
            .parse::<String>(&raw)
            .map_err(|detail| Error::decode(&what, &format!("not JSON ({detail})"), &raw))?;
        unwrapped.as_str()
    } else {
        raw.as_str()
    };
    let config = parse_config(parser, t, text).map_err(|detail| Error::decode(&what, &detail, &raw))?;
    Ok(FuncConfig { env: request.env.clone(), function_name: request.function_name.clone(), config, raw })
}

/// The whole answer: status, envelope, `errcode`, then the typed config.
pub fn decode_response<P: JsonParser>(
    parser: &P,
    request: &GetFuncConfig,
    status: u16,
    body: &str,
) -> Result<FuncConfig, Error> {
    let raw = decode_envelope(parser, status, body)?;
    decode_config(parser, request, raw)
}
