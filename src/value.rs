//! JSON text to a [`serde_json::Value`], as `serde_json::from_str` reads it, through a visitor
//! of our own.
//!
//! serde_json's own `Value` visitor reads a number kept as text (`arbitrary_precision`) through
//! `deserialize_str`, whose type-error path formats an `Unexpected` value and so brings in all of
//! float formatting (about 15 KB of the wasm module). This visitor reads the same text into the
//! same `Value` with `deserialize_any` only, and raises no error of its own (a custom error would
//! bring in serde_json's message parsing and, through it, `Debug` formatting): the parser, its
//! errors and the numbers' text are serde_json's.

use core::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// The member name under which serde_json hands over a number's text (`arbitrary_precision`).
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// Parses JSON text, with the errors of `serde_json::from_str`.
pub fn parse(text: &str) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = Any.deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// Any JSON value.
struct Any;

impl<'de> DeserializeSeed<'de> for Any {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Any {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::Number(n.into()))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(Value::Number(n.into()))
    }

    fn visit_f64<E>(self, n: f64) -> Result<Value, E> {
        Ok(Number::from_f64(n).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_string()))
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Value, E> {
        Ok(Value::String(s.to_string()))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(Any)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut members = Map::new();
        let mut first = true;
        while let Some(key) = map.next_key_seed(Key)? {
            let value = map.next_value_seed(Any)?;
            // A number kept as text arrives as a one-member map under serde_json's token. (An
            // object that merely starts with that member, and is no number, stays an object.)
            if first
                && key == NUMBER_TOKEN
                && let Value::String(text) = &value
                && let Ok(n) = text.parse()
            {
                return Ok(Value::Number(n));
            }
            first = false;
            members.insert(key, value);
        }
        Ok(Value::Object(members))
    }
}

/// A member name.
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = String;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_str<E>(self, s: &str) -> Result<String, E> {
        Ok(s.to_string())
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<String, E> {
        Ok(s.to_string())
    }

    fn visit_string<E>(self, s: String) -> Result<String, E> {
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_serde_json_reads() {
        for text in [
            "null",
            "true",
            " false ",
            "0",
            "-1",
            "1.50",
            "1e400",
            "-0.0",
            "18446744073709551616",
            r#""text \"quoted\" \u00e9 \ud83d\ude00""#,
            "[]",
            "[1, [2, {}], \"x\"]",
            "{}",
            r#"{"b":1,"a":[{"k":"v","n":2.50}],"b":3}"#,
            r#"{"timeout":3,"memorySize":256,"environment":[{"key":"A","value":"1"}]}"#,
            r#""{\"permissions\":{\"openapi\":[\"a.b\"]}}""#,
        ] {
            let ours = parse(text).unwrap();
            let theirs: Value = serde_json::from_str(text).unwrap();
            assert_eq!(ours, theirs, "{text}");
            assert_eq!(ours.to_string(), theirs.to_string(), "{text}");
        }
    }

    #[test]
    fn keeps_number_text_and_member_order() {
        let v = parse(r#"{"z":1.50,"a":-0,"m":10.0}"#).unwrap();
        assert_eq!(v.to_string(), r#"{"z":1.50,"a":-0,"m":10.0}"#);
    }

    #[test]
    fn an_object_is_a_number_only_when_serde_json_hands_over_one() {
        let number = parse(r#"{"$serde_json::private::Number":"2.50"}"#).unwrap();
        assert_eq!(number.to_string(), "2.50");
        let object = parse(r#"{"$serde_json::private::Number":"x","a":1}"#).unwrap();
        assert_eq!(object.to_string(), r#"{"$serde_json::private::Number":"x","a":1}"#);
    }

    #[test]
    fn refuses_what_serde_json_refuses_with_its_message() {
        for text in ["", " ", "{", "[1,]", "{\"a\" 1}", "nul", "01", "1 2", "\"\\x\"", "{\"a\":1,}", "\u{0}"] {
            let ours = parse(text).unwrap_err();
            let theirs = serde_json::from_str::<Value>(text).unwrap_err();
            assert_eq!(ours.to_string(), theirs.to_string(), "{text:?}");
        }
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert_eq!(
            parse(&deep).unwrap_err().to_string(),
            serde_json::from_str::<Value>(&deep).unwrap_err().to_string()
        );
    }
}
