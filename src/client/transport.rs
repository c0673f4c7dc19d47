//! One JSON POST under a deadline, over gloo-net's `Request` and `Response`, with the answer's
//! body read to at most 4 MiB.

use js_sys::{Promise, Reflect, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{AbortSignal, ReadableStreamDefaultReader, RequestInit};

use super::deadline::Deadline;
use crate::Error;

/// Largest answer body read, in bytes (WeChat's answers are a few kilobytes).
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

#[wasm_bindgen]
extern "C" {
    // gloo-net's own `send` keeps only an error's name and message, so the rejection's `cause`
    // (Node's ECONNREFUSED: the proof that a write never left) would be lost, and it traps on
    // a rejection that is not an `Error`. Requests built with gloo-net go through this binding.
    #[wasm_bindgen(js_name = fetch)]
    fn fetch_request(request: &web_sys::Request) -> Promise;

    /// Deno's `HttpClient`, which a request's init can name as its `client`.
    type HttpClient;
    #[wasm_bindgen(catch, js_namespace = Deno, js_name = createHttpClient)]
    fn create_http_client(options: &JsValue) -> Result<HttpClient, JsValue>;
    #[wasm_bindgen(method)]
    fn close(this: &HttpClient);
}

thread_local! {
    // Deno's HTTP client sends a request again by itself when the reused keep-alive connection
    // it went out on is reset before any answer (measured in Deno 2.9: a write reached the
    // server twice). There a request that must not be resent goes out on a connection of its
    // own, from a client that keeps no connection idle. Looked up once, on the first such request.
    static IN_DENO: bool = property(&js_sys::global(), "Deno").is_object();
}

/// The Deno `HttpClient` of one request, closed when the request is done with.
struct OwnConnection(HttpClient);

impl Drop for OwnConnection {
    fn drop(&mut self) {
        self.0.close();
    }
}

/// A client that keeps no connection idle, in Deno; `None` elsewhere.
fn own_connection() -> Result<Option<OwnConnection>, Error> {
    if !IN_DENO.with(|d| *d) {
        return Ok(None);
    }
    let options = js_sys::Object::new();
    let _ = Reflect::set(&options, &"poolMaxIdlePerHost".into(), &0.into());
    match create_http_client(&options) {
        Ok(client) => Ok(Some(OwnConnection(client))),
        Err(_) => Err(Error::never_sent("Deno.createHttpClient failed")),
    }
}

/// An answer: its HTTP status and body text.
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The body, decoded as UTF-8.
    pub text: String,
}

fn property(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// The runtime's reason for a failed fetch or body read, as a `network` error; a refused
/// connection (the request never left) is told apart.
fn network_failure(deadline: &Deadline, reason: &JsValue) -> Error {
    deadline.failure(|| {
        let message = property(reason, "message").as_string().unwrap_or_else(|| "fetch failed".to_string());
        // Node puts the system error's code on the rejection's `cause`, Bun on the rejection.
        let code_of = |v: &JsValue| if v.is_object() { property(v, "code").as_string() } else { None };
        let code = code_of(&property(reason, "cause")).or_else(|| code_of(reason));
        let Some(code) = code else { return Error::network(&message) };
        let detail = format!("{message} ({code})");
        if code == "ECONNREFUSED" { Error::never_sent(&detail) } else { Error::network(&detail) }
    })
}

/// Lets go of a body not read to its end, without leaving a rejection unhandled.
fn discard(p: Promise) {
    wasm_bindgen_futures::spawn_local(async move {
        let _ = wasm_bindgen_futures::JsFuture::from(p).await;
    });
}

/// A JSON POST of `body` to `url` under `signal`, as gloo-net's `Request`; `client` is Deno's
/// `HttpClient` for a request that goes out on a connection of its own.
///
/// A `web_sys::Request` with its init is the cheap way to build it: gloo-net's builder makes a
/// `URL`, `URLSearchParams`, `Headers` and a throwaway `Request` each time (`make bench`
/// measures both ways).
pub fn build_request(
    url: &str,
    body: &str,
    signal: &AbortSignal,
    client: Option<&JsValue>,
) -> Result<gloo_net::http::Request, JsValue> {
    let init = RequestInit::new();
    if let Some(client) = client {
        let _ = Reflect::set(&init, &"client".into(), client);
    }
    init.set_method("POST");
    init.set_body(&JsValue::from_str(body));
    init.set_signal(Some(signal));
    let headers = js_sys::Object::new();
    let _ = Reflect::set(&headers, &"Content-Type".into(), &"application/json".into());
    init.set_headers(&headers);
    web_sys::Request::new_with_str_and_init(url, &init).map(gloo_net::http::Request::from)
}

/// POSTs `body` as JSON to `url` under the deadline. A request that writes (`once`) is never
/// sent again by the runtime itself.
pub async fn post(deadline: &Deadline, url: &str, body: &str, once: bool) -> Result<Answer, Error> {
    let own = if once { own_connection()? } else { None };
    let client = own.as_ref().map(|own| -> &JsValue { &own.0 });
    let request = build_request(url, body, &deadline.signal(), client).map_err(|e| network_failure(deadline, &e))?;
    let sent = deadline.promise(fetch_request(&request.into())).await?;
    let raw: web_sys::Response = match sent {
        Ok(r) => r.unchecked_into(),
        Err(reason) => return Err(network_failure(deadline, &reason)),
    };
    // `Clone::clone`: the handle, not the JS `Response.clone()`.
    let response = gloo_net::http::Response::from(Clone::clone(&raw));
    let status = response.status();
    let announced = response.headers().get("content-length").and_then(|n| n.trim().parse::<u64>().ok());
    let text = match announced {
        // Announced and small enough: read at once.
        Some(n) if n <= MAX_BODY_BYTES as u64 => match raw.text() {
            Ok(p) => match deadline.promise(p).await? {
                Ok(text) => text.as_string().unwrap_or_default(),
                Err(reason) => return Err(network_failure(deadline, &reason)),
            },
            Err(reason) => return Err(network_failure(deadline, &reason)),
        },
        _ => read_capped(deadline, &response, announced).await?,
    };
    Ok(Answer { status, text })
}

/// The body as text, refused as soon as it passes [`MAX_BODY_BYTES`], announced or not.
async fn read_capped(
    deadline: &Deadline,
    response: &gloo_net::http::Response,
    announced: Option<u64>,
) -> Result<String, Error> {
    let Some(stream) = response.body() else { return Ok(String::new()) };
    if announced.is_some() {
        discard(stream.cancel());
        return Err(Error::too_large());
    }
    let reader: ReadableStreamDefaultReader =
        stream.get_reader().dyn_into().map_err(|_| Error::network("the answer's body cannot be read"))?;
    let mut bytes = Vec::new();
    loop {
        let chunk = match deadline.promise(reader.read()).await? {
            Ok(chunk) => chunk,
            Err(reason) => return Err(network_failure(deadline, &reason)),
        };
        if property(&chunk, "done").as_bool().unwrap_or(true) {
            break;
        }
        let Ok(value) = property(&chunk, "value").dyn_into::<Uint8Array>() else {
            return Err(Error::network("the answer's body is not bytes"));
        };
        if bytes.len() + value.length() as usize > MAX_BODY_BYTES {
            discard(reader.cancel());
            return Err(Error::too_large());
        }
        let at = bytes.len();
        bytes.resize(at + value.length() as usize, 0);
        value.copy_to(&mut bytes[at..]);
    }
    Ok(match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}
