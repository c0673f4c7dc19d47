//! The one conversion of an [`Error`] into the JavaScript `TcbError`: a real `Error` named
//! `TcbError` with `code`, `hint`, `retryable` and the fields of its kind, made once at the edge
//! with every secret the call held scrubbed from every text.

use js_sys::Reflect;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use super::results::{ConfigView, changes, to_js};
use crate::edit::empty;
use crate::model::FuncConfig;
use crate::upload::diff;
use crate::Error;
use crate::error::masked;

/// How a call failed: with the package's own error, or with a `TcbError` that a token source
/// (the caller's or a built-in one) threw, which is passed on as it is.
pub enum Failure {
    /// An error of this package's making.
    Tcb(Error),
    /// A `TcbError` object from a token source.
    Passed(JsValue),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Tcb(e)
    }
}

impl Failure {
    /// The same failure with every text scrubbed of `secrets` (the secrets of one call).
    pub fn scrubbed(self, secrets: &[&str]) -> Failure {
        match self {
            Failure::Tcb(e) => Failure::Tcb(secrets.iter().fold(e, |e, s| e.redact(s))),
            Failure::Passed(v) => {
                let owned: Vec<String> = secrets.iter().map(|s| s.to_string()).collect();
                scrub(&v, &owned);
                Failure::Passed(v)
            }
        }
    }

    /// The JS error, with every text scrubbed of `secrets`.
    pub fn into_js(self, secrets: &[String]) -> JsValue {
        match self {
            Failure::Tcb(e) => error_to_js(&secrets.iter().fold(e, |e, s| e.redact(s))),
            Failure::Passed(v) => {
                scrub(&v, secrets);
                v
            }
        }
    }
}

fn set(obj: &JsValue, key: &str, value: &JsValue) {
    // Setting a property on a fresh Error cannot fail.
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// Replaces every secret in the texts of a passed-on `TcbError` with `***`.
fn scrub(error: &JsValue, secrets: &[String]) {
    for key in ["message", "hint", "errmsg", "raw", "stack"] {
        let Some(text) = get(error, key).as_string() else { continue };
        let clean = secrets.iter().fold(text.clone(), |t, s| masked(&t, s).unwrap_or(t));
        if clean != text {
            set(error, key, &clean.into());
        }
    }
}

/// A JS `Error` named `TcbError` carrying the error's fields; absent fields are not set.
pub fn error_to_js(e: &Error) -> JsValue {
    let err = js_sys::Error::new(&e.message());
    err.set_name("TcbError");
    let o: &JsValue = err.as_ref();
    set(o, "code", &e.code().into());
    if let Some(c) = e.errcode() {
        set(o, "errcode", &(c as f64).into());
    }
    if let Some(m) = e.errmsg() {
        set(o, "errmsg", &m.into());
    }
    if let Some(s) = e.http_status() {
        set(o, "httpStatus", &f64::from(s).into());
    }
    set(o, "hint", &e.hint().into());
    set(o, "retryable", &e.retryable().into());
    if let Some(r) = e.raw() {
        set(o, "raw", &r.into());
    }
    if let Some(v) = e.versions() {
        // Both versions masked: an error may end up in a log.
        let (expected, actual) =
            (v.expected.as_ref().map(FuncConfig::masked), v.actual.as_ref().map(FuncConfig::masked));
        let show = |c: &Option<FuncConfig>| c.as_ref().map_or(Ok(JsValue::NULL), |c| to_js(&ConfigView(c)));
        set(o, "expected", &show(&expected).unwrap_or(JsValue::NULL));
        set(o, "actual", &show(&actual).unwrap_or(JsValue::NULL));
        if let Some(t) = v.expected.as_ref().or(v.actual.as_ref()).map(|c| c.config.config_type()) {
            let or_empty = |c: &Option<FuncConfig>| c.as_ref().map_or_else(|| empty(t), |c| c.config.clone());
            let list = changes(diff(&or_empty(&v.expected), &or_empty(&v.actual)).unwrap_or_default(), false);
            set(o, "changes", &to_js(&list).unwrap_or(JsValue::NULL));
        }
    }
    err.into()
}

/// Whether `value` is an error made by this package.
pub fn is_tcb_error(value: &JsValue) -> bool {
    value
        .dyn_ref::<js_sys::Error>()
        .is_some_and(|e| e.name() == "TcbError" && get(value, "code").is_string() && get(value, "hint").is_string())
}

/// Sets a passed-on error's `hint` (a built-in token source's advice for its own failure).
pub fn set_hint(error: &JsValue, hint: &str) {
    set(error, "hint", &hint.into());
}
