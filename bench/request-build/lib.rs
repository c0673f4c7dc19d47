//! Two ways to build the same POST of a JSON body under an `AbortSignal`, each run `n` times so
//! that JavaScript can time them: gloo-net's `RequestBuilder`, and the package's own way (a
//! `web_sys::Request` with its init, turned into gloo-net's `Request`). Each request gets a
//! signal of its own, as each call's deadline does (a request follows its signal, so one
//! shared signal would pile up listeners).
use gloo_net::http::{Method, Request, RequestBuilder};
use wasm_bindgen::prelude::*;
use web_sys::{AbortController, AbortSignal};

fn fresh_signal() -> Option<AbortSignal> {
    AbortController::new().ok().map(|c| c.signal())
}

/// gloo-net's builder; returns how many requests were built.
#[wasm_bindgen(js_name = glooBuilder)]
pub fn gloo_builder(url: &str, body: &str, n: u32) -> u32 {
    let mut built = 0;
    for _ in 0..n {
        let Some(signal) = fresh_signal() else { continue };
        let request: Result<Request, _> = RequestBuilder::new(url)
            .method(Method::POST)
            .header("Content-Type", "application/json")
            .abort_signal(Some(&signal))
            .body(body);
        if let Ok(request) = request {
            let _: web_sys::Request = request.into();
            built += 1;
        }
    }
    built
}

/// The package's transport's builder; returns how many requests were built.
#[wasm_bindgen(js_name = packageBuilder)]
pub fn package_builder(url: &str, body: &str, n: u32) -> u32 {
    let mut built = 0;
    for _ in 0..n {
        let Some(signal) = fresh_signal() else { continue };
        if let Ok(request) = tcb_funcconfig::client::build_request(url, body, &signal, None) {
            let _: web_sys::Request = request.into();
            built += 1;
        }
    }
    built
}
