//! Browsing an environment: `tcb/listfunctions`, one page at a time.

use serde::Serialize;
use serde_json::Value;

use crate::error::Error;
use crate::model::{kind_of, to_text, whole};
use crate::request::validate_env;
use crate::response::check_envelope;

/// The path of the listing endpoint.
pub const LIST_PATH: &str = "/tcb/listfunctions";
/// Largest page the client asks for.
pub const MAX_LIMIT: u32 = 100;

/// Whether a paged listing is complete after a page of `got` items, pages being `page_size`
/// long: the page came back short, or `collected` reached the `total` the server announced.
pub fn complete(got: usize, page_size: u32, collected: usize, total: u32) -> bool {
    got < page_size as usize || collected >= total as usize
}
/// Page size when the caller gives none.
pub const DEFAULT_LIMIT: u32 = 10;

/// A validated `listfunctions` request; serializes to its JSON body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListFunctions {
    /// Environment id.
    pub env: String,
    /// Functions per page, 1–100.
    pub limit: u32,
    /// How many functions to skip.
    pub offset: u32,
}

pub(crate) fn whole_arg(field: &str, n: f64, min: u32, max: u32) -> Result<u32, Error> {
    if n.is_finite() && n.fract() == 0.0 && n >= f64::from(min) && n <= f64::from(max) {
        Ok(n as u32)
    } else {
        Err(Error::invalid_argument(field, &format!("must be a whole number from {min} to {max}")))
    }
}

impl ListFunctions {
    /// Validates the arguments (`None` takes the default); field names are the caller's own.
    pub fn new(env: &str, limit: Option<f64>, offset: Option<f64>) -> Result<Self, Error> {
        validate_env("env", env)?;
        let limit = limit.map_or(Ok(DEFAULT_LIMIT), |n| whole_arg("limit", n, 1, MAX_LIMIT))?;
        let offset = offset.map_or(Ok(0), |n| whole_arg("offset", n, 0, i32::MAX as u32))?;
        Ok(ListFunctions { env: env.to_string(), limit, offset })
    }

    /// The JSON body: `{"env":"…","limit":N,"offset":N}`.
    pub fn body(&self) -> String {
        to_text(self)
    }
}

/// A time as the server gave it: WeChat documents neither seconds nor a text format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Time {
    /// A whole number (e.g. Unix seconds).
    Number(i64),
    /// A text (e.g. `2026-01-02 03:04:05`).
    Text(String),
}

/// One cloud function of a listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FunctionInfo {
    /// Its name.
    pub name: String,
    /// Its runtime (`runtime`, or `run_time` as the doc's table spells it).
    pub runtime: Option<String>,
    /// Its status, e.g. `Active`.
    pub status: Option<String>,
    /// When it was created.
    pub add_time: Option<Time>,
    /// When it was last changed.
    pub mod_time: Option<Time>,
}

/// One page of a listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FunctionList {
    /// Functions in the environment in all.
    pub total: u32,
    /// This page's functions.
    pub functions: Vec<FunctionInfo>,
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

fn time(v: &Value, key: &str) -> Option<Time> {
    match v.get(key)? {
        Value::String(s) => Some(Time::Text(s.clone())),
        n => whole(n).map(Time::Number),
    }
}

/// Decodes a `listfunctions` answer. Tolerant of missing optional fields; a function without a
/// name, or a list that is not a list, is a decode error.
pub fn decode_list(status: u16, body: &str) -> Result<FunctionList, Error> {
    let envelope = check_envelope(status, body)?;
    let bad = |detail: &str| Error::decode("the function list", detail, body);
    let items = match envelope.get("functions") {
        None | Some(Value::Null) => &[][..],
        Some(Value::Array(items)) => &items[..],
        Some(other) => return Err(bad(&format!("`functions` is {}, not an array", kind_of(other)))),
    };
    let mut functions = Vec::with_capacity(items.len());
    for (i, f) in items.iter().enumerate() {
        let name = text(f, "name").ok_or_else(|| bad(&format!("`functions[{i}].name` is not a string")))?;
        functions.push(FunctionInfo {
            name,
            runtime: text(f, "runtime").or_else(|| text(f, "run_time")),
            status: text(f, "status"),
            add_time: time(f, "add_time"),
            mod_time: time(f, "mod_time"),
        });
    }
    let total = match envelope.get("total_count") {
        None | Some(Value::Null) => functions.len() as u32,
        Some(n) => match whole(n) {
            Some(n) => u32::try_from(n).map_err(|_| bad("`total_count` is negative or too large"))?,
            None => return Err(bad(&format!("`total_count` is {}, not an integer", kind_of(n)))),
        },
    };
    Ok(FunctionList { total, functions })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn requests_are_validated_and_built() {
        let r = ListFunctions::new("test-777bb9", None, None).unwrap();
        assert_eq!(r.body(), r#"{"env":"test-777bb9","limit":10,"offset":0}"#);
        let r = ListFunctions::new("e", Some(100.0), Some(200.0)).unwrap();
        assert_eq!((r.limit, r.offset), (100, 200));
        for (limit, offset, field) in [
            (Some(0.0), None, "limit"),
            (Some(101.0), None, "limit"),
            (Some(1.5), None, "limit"),
            (Some(f64::NAN), None, "limit"),
            (None, Some(-1.0), "offset"),
            (None, Some(0.5), "offset"),
            (None, Some(f64::INFINITY), "offset"),
        ] {
            let e = ListFunctions::new("e", limit, offset).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument);
            assert!(e.message().starts_with(field), "{}", e.message());
        }
        assert!(ListFunctions::new("bad env", None, None).is_err());
    }

    #[test]
    fn answers_decode_tolerantly() {
        let body = r#"{"errcode":0,"errmsg":"ok","total_count":3,"functions":[
            {"name":"a","runtime":"Nodejs16.13","status":"Active","add_time":1700000000,"mod_time":"2026-01-02 03:04:05"},
            {"name":"b","run_time":"Nodejs12.16"},
            {"name":"c","extra":true}]}"#;
        let l = decode_list(200, body).unwrap();
        assert_eq!(l.total, 3);
        assert_eq!(l.functions[0].runtime.as_deref(), Some("Nodejs16.13"));
        assert_eq!(l.functions[0].add_time, Some(Time::Number(1_700_000_000)));
        assert_eq!(l.functions[0].mod_time, Some(Time::Text("2026-01-02 03:04:05".into())));
        assert_eq!(l.functions[1].runtime.as_deref(), Some("Nodejs12.16"));
        assert_eq!(
            l.functions[2],
            FunctionInfo { name: "c".into(), runtime: None, status: None, add_time: None, mod_time: None }
        );
        let empty = decode_list(200, r#"{"errcode":0}"#).unwrap();
        assert_eq!((empty.total, empty.functions.len()), (0, 0));
    }

    #[test]
    fn bad_answers_are_typed_errors() {
        assert_eq!(decode_list(200, r#"{"errcode":40014,"errmsg":"x"}"#).unwrap_err().errcode(), Some(40014));
        assert_eq!(decode_list(502, "<html>").unwrap_err().kind(), ErrorKind::Http);
        for body in [
            r#"{"errcode":0,"functions":{}}"#,
            r#"{"errcode":0,"functions":[{"runtime":"x"}]}"#,
            r#"{"errcode":0,"functions":[],"total_count":-1}"#,
            r#"{"errcode":0,"functions":[],"total_count":"3"}"#,
        ] {
            assert_eq!(decode_list(200, body).unwrap_err().kind(), ErrorKind::Decode, "{body}");
        }
    }

    #[test]
    fn paging_stops_at_a_short_page_or_at_the_announced_total() {
        assert!(!complete(100, 100, 100, 250));
        assert!(complete(50, 100, 250, 250), "a short page is the last");
        assert!(complete(100, 100, 300, 300), "everything announced is collected");
        assert!(complete(100, 100, 200, 150), "more than announced");
        assert!(complete(0, 500, 0, 0), "an empty first page");
    }
}
