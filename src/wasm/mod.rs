//! The JavaScript API: `getFuncConfig`, `TcbClient`, `isTcbError`, the token providers
//! `stableToken` and `authorizerToken`, and the cron helpers `parseCron` and `nextRuns`.
//!
//! Everything here is glue: arguments are read and validated with the core's rules, requests
//! go out through [`transport`] under one deadline, failures are retried by the core's
//! [`RetryPolicy`], answers are decoded by the core, and the result or the one error comes
//! back as a plain JS value.

mod js;
mod schedule;
mod tokens;
mod transport;
mod write;

pub use schedule::{next_runs, parse_cron};
pub use tokens::{AuthorizerTokenProvider, StableTokenProvider, authorizer_token, stable_token};
pub use write::{diff_configs, list_functions, upload_func_config};

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use futures_util::future::{join3, try_join3};
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

use crate::list::FunctionList;
use crate::request::{ConfigType, GetFuncConfig, endpoint_url};
use crate::retry::{Next, RetryPolicy, is_token_rejected};
use crate::{Error, ErrorKind, FuncConfig, decode_response};
use tokens::Tokens;
use transport::Deadline;

/// Names of the request fields, as JavaScript callers write them.
const FIELDS: (&str, &str) = ("env", "functionName");

/// A token source, limits and retry policy shared by every call of a client.
struct Client {
    tokens: Tokens,
    base_url: String,
    timeout_ms: u32,
    retry: RetryPolicy,
}

/// A decoded answer of one of the endpoints.
enum Answer {
    Config(FuncConfig),
    List(FunctionList),
    Written,
}

/// One request to an endpoint: where, what, how its answer is decoded, and whether it writes
/// (a write is never repeated unless it certainly never left).
struct Call<'a> {
    path: &'static str,
    body: String,
    decode: Decoder<'a>,
    write: bool,
}

/// Turns `(status, body)` into an answer or the error.
type Decoder<'a> = Box<dyn Fn(u16, &str) -> Result<Answer, Error> + 'a>;

impl<'a> Call<'a> {
    fn get(req: &'a GetFuncConfig) -> Self {
        Call {
            path: "/tcb/getfuncconfig",
            body: req.body(),
            decode: Box::new(move |status, body| decode_response(req, status, body).map(Answer::Config)),
            write: false,
        }
    }
}

/// How one request of a group ended.
enum Outcome {
    Config(FuncConfig),
    NotConfigured,
    TokenRejected(Error),
}

impl Client {
    fn read(obj: &JsValue) -> Result<Client, Error> {
        Ok(Client {
            tokens: Tokens::read(obj)?,
            base_url: js::base_url(obj)?,
            timeout_ms: js::timeout_ms(obj)?,
            retry: js::retry_policy(obj)?,
        })
    }

    /// One request with `token`, retrying transient failures with backoff; a rejected token is
    /// returned as an error for the caller to refresh. A write is retried only when it certainly
    /// never left; when it may have, it fails as `unknown_outcome`.
    async fn attempt(&self, call: &Call<'_>, token: &str, deadline: &Deadline) -> Result<Answer, Error> {
        let url = endpoint_url(&self.base_url, call.path, token);
        let mut retries_done = 0;
        loop {
            let sent = deadline.post_json(&url, &call.body).await;
            let e = match sent.and_then(|(status, body)| (call.decode)(status, &body)) {
                Ok(answer) => return Ok(answer),
                Err(e) => e,
            };
            let jitter = js_sys::Math::random();
            let (next, e) = if call.write {
                self.retry.next_write(e, retries_done, true, jitter)
            } else {
                (self.retry.next(&e, retries_done, true, jitter), e)
            };
            match next {
                Next::Retry { delay_ms } => {
                    deadline.sleep(delay_ms).await?;
                    retries_done += 1;
                }
                Next::RefreshToken | Next::Fail => return Err(e),
            }
        }
    }

    /// One request; a rejected token is replaced once and the request tried once more.
    async fn call(&self, call: &Call<'_>, deadline: &Deadline) -> Result<Answer, Error> {
        let token = self.tokens.current(deadline).await?;
        match self.attempt(call, &token, deadline).await {
            Err(e) if is_token_rejected(&e) && self.tokens.can_refresh() => {
                let fresh = self.tokens.refresh(&token, deadline).await?;
                self.attempt(call, &fresh, deadline).await
            }
            other => other,
        }
    }

    /// One config.
    async fn get_one(&self, req: &GetFuncConfig, deadline: &Deadline) -> Result<FuncConfig, Error> {
        match self.call(&Call::get(req), deadline).await? {
            Answer::Config(c) => Ok(c),
            _ => Err(Error::decode("the answer", "not a config", "")),
        }
    }

    /// One request of a group: a fatal failure cancels the rest of the group.
    async fn group_member(&self, req: &GetFuncConfig, token: &str, deadline: &Deadline) -> Result<Outcome, Error> {
        match self.attempt(&Call::get(req), token, deadline).await {
            Ok(Answer::Config(c)) => Ok(Outcome::Config(c)),
            Ok(_) => Err(Error::decode("the answer", "not a config", "")),
            Err(e) if e.kind == ErrorKind::Api && e.errcode == Some(85089) => Ok(Outcome::NotConfigured),
            Err(e) if is_token_rejected(&e) => Ok(Outcome::TokenRejected(e)),
            Err(e) => {
                deadline.cancel();
                Err(e)
            }
        }
    }

    /// The three types concurrently with one token fetch; when the token is rejected, one
    /// refresh serves every request that needs it.
    async fn get_all(&self, reqs: &[GetFuncConfig; 3], deadline: &Deadline) -> Result<[Option<FuncConfig>; 3], Error> {
        let token = self.tokens.current(deadline).await?;
        let [a, b, c] = reqs;
        let (a, b, c) = try_join3(
            self.group_member(a, &token, deadline),
            self.group_member(b, &token, deadline),
            self.group_member(c, &token, deadline),
        )
        .await?;
        let mut outcomes = [a, b, c];
        let rejected = |o: &Outcome| matches!(o, Outcome::TokenRejected(_));
        if outcomes.iter().any(rejected) && self.tokens.can_refresh() {
            let fresh = self.tokens.refresh(&token, deadline).await?;
            // Only the requests whose token was rejected go again, all with the one fresh token.
            let again = |i: usize| {
                let retry = outcomes.get(i).is_some_and(rejected);
                let req = reqs.get(i);
                let fresh = &fresh;
                async move {
                    match req {
                        Some(req) if retry => Some(self.group_member(req, fresh, deadline).await),
                        _ => None,
                    }
                }
            };
            let (a, b, c) = join3(again(0), again(1), again(2)).await;
            for (slot, outcome) in outcomes.iter_mut().zip([a, b, c]) {
                if let Some(outcome) = outcome {
                    *slot = outcome?;
                }
            }
        }
        let mut out: [Option<FuncConfig>; 3] = [None, None, None];
        for (slot, outcome) in out.iter_mut().zip(outcomes) {
            *slot = match outcome {
                Outcome::Config(c) => Some(c),
                Outcome::NotConfigured => None,
                Outcome::TokenRejected(e) => return Err(e),
            };
        }
        Ok(out)
    }

    /// One request with its own deadline, as a JS result.
    async fn get(&self, req: GetFuncConfig, signal: Option<AbortSignal>) -> Result<JsValue, JsValue> {
        let result = match Deadline::start(self.timeout_ms, signal) {
            Ok(deadline) => self.get_one(&req, &deadline).await,
            Err(e) => Err(e),
        };
        result.map(|c| js::config_to_js(&c)).map_err(|e| self.reject(e))
    }

    /// A JS error with every token scrubbed.
    fn reject(&self, e: Error) -> JsValue {
        js::error_to_js(&self.tokens.redact(e))
    }
}

/// Reads `{ env, functionName, type }` from a request object.
fn read_request(obj: &JsValue) -> Result<GetFuncConfig, Error> {
    let env = js::required(js::opt_string(obj, "env")?, "env")?;
    let function_name = js::required(js::opt_string(obj, "functionName")?, "functionName")?;
    let config_type = js::config_type(obj)?;
    GetFuncConfig::new(&env, &function_name, config_type, FIELDS)
}

/// Runs a future as a JS promise. Every export goes through this one instance of the
/// promise glue instead of one per future type, which keeps the module small.
pub(crate) fn promise(f: impl Future<Output = Result<JsValue, JsValue>> + 'static) -> js_sys::Promise {
    let boxed: Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>> = Box::pin(f);
    wasm_bindgen_futures::future_to_promise(boxed)
}

/// Fetches one configuration of one cloud function.
///
/// Resolves to a typed config (`kind` is `"cloudCall"`, `"timerTrigger"` or `"environment"`);
/// rejects with a `TcbError`.
#[wasm_bindgen(js_name = getFuncConfig)]
pub fn get_func_config(request: JsValue) -> js_sys::Promise {
    let read = move || -> Result<_, Error> {
        let obj = js::object(&request, "request")?;
        let client = Client::read(obj)?;
        Ok((client, read_request(obj)?, js::signal(obj)?))
    };
    promise(async move {
        match read() {
            Ok((client, req, signal)) => client.get(req, signal).await,
            Err(e) => Err(js::error_to_js(&e)),
        }
    })
}

/// Whether `value` is a `TcbError` thrown or rejected by this package.
#[wasm_bindgen(js_name = isTcbError)]
pub fn is_tcb_error(value: &JsValue) -> bool {
    js::is_tcb_error(value)
}

/// A client holding a token source, limits and retry policy for many calls.
#[wasm_bindgen]
pub struct TcbClient {
    client: Rc<Client>,
}

#[wasm_bindgen]
impl TcbClient {
    /// `new TcbClient({ accessToken | getAccessToken, baseUrl?, timeoutMs?, retries? })`;
    /// throws a `TcbError` on bad options.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<TcbClient, JsValue> {
        let read = || Client::read(js::object(&options, "options")?);
        read().map(|c| TcbClient { client: Rc::new(c) }).map_err(|e| js::error_to_js(&e))
    }

    /// Fetches one configuration: `{ env, functionName, type, signal? }`.
    #[wasm_bindgen(js_name = getFuncConfig)]
    pub fn get_func_config(&self, request: JsValue) -> js_sys::Promise {
        let client = self.client.clone();
        promise(async move {
            let read = || -> Result<_, Error> {
                let obj = js::object(&request, "request")?;
                Ok((read_request(obj)?, js::signal(obj)?))
            };
            match read() {
                Ok((req, signal)) => client.get(req, signal).await,
                Err(e) => Err(js::error_to_js(&e)),
            }
        })
    }

    /// Fetches the three configurations concurrently under one deadline and one token fetch.
    /// A type the function does not have (errcode 85089) is `null`; any other failure rejects
    /// the whole call and cancels the requests still in flight.
    #[wasm_bindgen(js_name = getAllConfigs)]
    pub fn get_all_configs(&self, env: JsValue, function_name: JsValue, options: JsValue) -> js_sys::Promise {
        let client = self.client.clone();
        promise(async move {
            let read = || -> Result<_, Error> {
                let env = js::string_arg(&env, "env")?;
                let function_name = js::string_arg(&function_name, "functionName")?;
                let [a, b, c] = ConfigType::ALL.map(|t| GetFuncConfig::new(&env, &function_name, t, FIELDS));
                let signal = if options.is_undefined() || options.is_null() {
                    None
                } else {
                    js::signal(js::object(&options, "options")?)?
                };
                Ok(([a?, b?, c?], signal))
            };
            let (reqs, signal) = read().map_err(|e| js::error_to_js(&e))?;
            let deadline = Deadline::start(client.timeout_ms, signal).map_err(|e| client.reject(e))?;
            let [cloud_call, timer_trigger, environment] =
                client.get_all(&reqs, &deadline).await.map_err(|e| client.reject(e))?;
            let out = js_sys::Object::new();
            for (k, v) in [("cloudCall", cloud_call), ("timerTrigger", timer_trigger), ("environment", environment)] {
                let v = v.as_ref().map_or(JsValue::NULL, js::config_to_js);
                let _ = js_sys::Reflect::set(&out, &JsValue::from_str(k), &v);
            }
            Ok(out.into())
        })
    }
}

// A small free-list allocator: the module makes few, short-lived allocations per call, and
// dlmalloc alone was about a tenth of the module.
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    // SAFETY: wasm32 without the atomics feature runs this module on one thread only.
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };
