//! Requests over the runtime's own `fetch` and waits, all bounded by one deadline and the
//! caller's signal.
//!
//! `fetch` is called directly rather than through a wrapper crate: its rejection carries a
//! `cause` (Node's `ECONNREFUSED`) that is the only proof a write never left, and the bindings
//! are a few lines.
//!
//! The caller's `AbortSignal` is never handed to `fetch` itself: a signal aborted with a
//! non-Error reason would make `fetch` reject with that value, which gloo-net cannot convert.
//! Instead an internal controller is aborted, always with an `Error` reason, when the caller
//! aborts or the time runs out.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Array, Object, Promise, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal, AddEventListenerOptions};

use crate::Error;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &js_sys::Function, ms: i32) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);

    #[wasm_bindgen(catch, js_name = fetch)]
    fn fetch(url: &str, init: &Object) -> Result<Promise, JsValue>;

    /// The `Response` of `fetch`.
    type FetchResponse;
    #[wasm_bindgen(method, getter)]
    fn status(this: &FetchResponse) -> u16;
    #[wasm_bindgen(method, getter)]
    fn headers(this: &FetchResponse) -> FetchHeaders;
    #[wasm_bindgen(method, catch)]
    fn text(this: &FetchResponse) -> Result<Promise, JsValue>;

    type FetchHeaders;
    #[wasm_bindgen(method)]
    fn get(this: &FetchHeaders, name: &str) -> Option<String>;
}

/// The runtime's reason for a failed `fetch`, and whether it proves the request never left:
/// the connection was refused (Node and undici put the system error code in `cause`).
fn fetch_failure(e: &JsValue) -> (String, bool) {
    let text = |v: &JsValue, key: &str| Reflect::get(v, &JsValue::from_str(key)).ok().and_then(|v| v.as_string());
    let cause = Reflect::get(e, &JsValue::from_str("cause")).unwrap_or(JsValue::UNDEFINED);
    let code = if cause.is_object() { text(&cause, "code") } else { None };
    let message = text(e, "message").unwrap_or_else(|| "fetch failed".to_string());
    match code {
        Some(code) => (format!("{message} ({code})"), code == "ECONNREFUSED"),
        None => (message, false),
    }
}

/// Largest answer body read, in bytes (WeChat's answers are a few kilobytes).
pub const MAX_BODY_BYTES: u64 = 4 * 1024 * 1024;

fn abort(controller: &AbortController, why: &str) {
    controller.abort_with_reason(&js_sys::Error::new(why));
}

/// How a raced promise ended.
pub enum Raced {
    /// The deadline passed or the caller aborted first.
    Stopped(Error),
    /// The promise rejected with this value.
    Rejected(JsValue),
}

/// A time limit and the caller's signal, joined into one internal `AbortSignal`.
/// Dropping it clears the timer and the listener.
pub struct Deadline {
    controller: AbortController,
    timeout_ms: u32,
    timer: JsValue,
    timed_out: Rc<Cell<bool>>,
    _on_timeout: Closure<dyn FnMut()>,
    user: Option<(AbortSignal, Closure<dyn FnMut()>)>,
}

impl Deadline {
    /// Starts the clock; an already-aborted signal fails at once.
    pub fn start(timeout_ms: u32, user: Option<AbortSignal>) -> Result<Deadline, Error> {
        if user.as_ref().is_some_and(|s| s.aborted()) {
            return Err(Error::aborted());
        }
        let controller =
            AbortController::new().map_err(|_| Error::network("AbortController is not available in this runtime"))?;
        let timed_out = Rc::new(Cell::new(false));
        let on_timeout: Closure<dyn FnMut()> = {
            let (c, t) = (controller.clone(), timed_out.clone());
            Closure::new(move || {
                t.set(true);
                abort(&c, "timeout");
            })
        };
        let timer = set_timeout(on_timeout.as_ref().unchecked_ref(), timeout_ms as i32);
        let user = user.map(|signal| {
            let c = controller.clone();
            let on_abort: Closure<dyn FnMut()> = Closure::new(move || abort(&c, "aborted"));
            // An EventTarget always accepts a listener; nothing to do if it refuses.
            let _ = signal.add_event_listener_with_callback("abort", on_abort.as_ref().unchecked_ref());
            (signal, on_abort)
        });
        Ok(Deadline { controller, timeout_ms, timer, timed_out, _on_timeout: on_timeout, user })
    }

    /// The internal signal: aborted when the deadline passes, the caller aborts, or [`cancel`](Self::cancel).
    pub fn signal(&self) -> AbortSignal {
        self.controller.signal()
    }

    /// Aborts whatever is still in flight under this deadline.
    pub fn cancel(&self) {
        abort(&self.controller, "cancelled");
    }

    /// The error for a failed step: the caller's abort or the deadline take precedence over
    /// the runtime's own reason.
    pub fn failure(&self, detail: &str) -> Error {
        if self.user.as_ref().is_some_and(|(s, _)| s.aborted()) {
            Error::aborted()
        } else if self.timed_out.get() {
            Error::timeout(self.timeout_ms)
        } else {
            Error::network(detail)
        }
    }

    /// Awaits a JS promise, giving up as soon as the deadline passes or the caller aborts.
    pub async fn race(&self, promise: &Promise) -> Result<JsValue, Raced> {
        let signal = self.controller.signal();
        if signal.aborted() {
            return Err(Raced::Stopped(self.failure("cancelled")));
        }
        let stop = Promise::new(&mut |resolve, _| {
            let once = AddEventListenerOptions::new();
            once.set_once(true);
            let _ = signal.add_event_listener_with_callback_and_add_event_listener_options("abort", &resolve, &once);
        });
        let result = JsFuture::from(Promise::race(&Array::of2(promise, &stop))).await;
        if signal.aborted() {
            return Err(Raced::Stopped(self.failure("cancelled")));
        }
        result.map_err(Raced::Rejected)
    }

    /// Waits `ms` milliseconds, or less when the deadline passes or the caller aborts (an error).
    pub async fn sleep(&self, ms: u32) -> Result<(), Error> {
        let mut timer = JsValue::UNDEFINED;
        let wait = Promise::new(&mut |resolve, _| timer = set_timeout(&resolve, ms.min(i32::MAX as u32) as i32));
        let result = self.race(&wait).await;
        clear_timeout(&timer);
        match result {
            Ok(_) => Ok(()),
            Err(Raced::Stopped(e)) => Err(e),
            Err(Raced::Rejected(_)) => Err(self.failure("the timer failed")),
        }
    }

    /// POSTs a JSON body and reads the whole answer as text: `(status, body)`.
    ///
    /// An answer that announces more than [`MAX_BODY_BYTES`] is refused before its body is read.
    pub async fn post_json(&self, url: &str, body: &str) -> Result<(u16, String), Error> {
        let init = Object::new();
        let headers = Object::new();
        let field = |o: &Object, k: &str, v: &JsValue| {
            // Setting a property on a fresh plain object cannot fail.
            let _ = Reflect::set(o, &JsValue::from_str(k), v);
        };
        field(&headers, "Content-Type", &"application/json".into());
        field(&init, "method", &"POST".into());
        field(&init, "headers", &headers);
        field(&init, "body", &body.into());
        field(&init, "signal", &self.controller.signal());
        // The internal signal goes to `fetch`, so a deadline or an abort rejects both the
        // request and the body read: no race is needed around them.
        let failed = |e: JsValue| {
            let (detail, refused) = fetch_failure(&e);
            let mut err = self.failure(&detail);
            err.not_sent = refused && err.kind == crate::ErrorKind::Network;
            err
        };
        let sent = fetch(url, &init).map_err(failed)?;
        let response: FetchResponse = JsFuture::from(sent).await.map_err(failed)?.unchecked_into();
        let status = response.status();
        let length = response.headers().get("content-length").and_then(|v| v.trim().parse::<u64>().ok());
        if length.is_some_and(|n| n > MAX_BODY_BYTES) {
            self.cancel();
            return Err(Error::decode("the answer", "its body is larger than the 4 MiB this client reads", ""));
        }
        let reading = response.text().map_err(|e| self.failure(&fetch_failure(&e).0))?;
        let text = JsFuture::from(reading).await.map_err(|e| self.failure(&fetch_failure(&e).0))?;
        Ok((status, text.as_string().unwrap_or_default()))
    }
}

impl Drop for Deadline {
    fn drop(&mut self) {
        clear_timeout(&self.timer);
        if let Some((signal, on_abort)) = &self.user {
            let _ = signal.remove_event_listener_with_callback("abort", on_abort.as_ref().unchecked_ref());
        }
    }
}
