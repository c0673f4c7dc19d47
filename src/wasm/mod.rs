//! The JavaScript API: `getFuncConfig`, `TcbClient`, `isTcbError`, `parseCron` and `nextRuns`.
//!
//! Everything here is glue: arguments are read and validated with the core's rules, the
//! request goes out through [`transport`], the answer is decoded by the core, and the result
//! or the one error comes back as a plain JS value.

mod js;
mod schedule;
mod transport;

pub use schedule::{next_runs, parse_cron};

use futures_util::future::try_join3;
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

use crate::request::{self, ConfigType, GetFuncConfig};
use crate::{Error, ErrorKind, FuncConfig, decode_response};
use transport::Deadline;

/// Names of the request fields, as JavaScript callers write them.
const FIELDS: (&str, &str) = ("env", "functionName");

/// Credentials and limits shared by every call of a client.
#[derive(Clone)]
struct Settings {
    access_token: String,
    base_url: String,
    timeout_ms: u32,
}

impl Settings {
    fn read(obj: &JsValue) -> Result<Settings, Error> {
        let access_token = js::required(js::opt_string(obj, "accessToken")?, "accessToken")?;
        request::validate_access_token("accessToken", &access_token)?;
        Ok(Settings { access_token, base_url: js::base_url(obj)?, timeout_ms: js::timeout_ms(obj)? })
    }

    /// One request under an existing deadline.
    async fn fetch(&self, req: &GetFuncConfig, deadline: &Deadline) -> Result<FuncConfig, Error> {
        let (status, body) = deadline.post_json(&req.url(&self.base_url, &self.access_token), &req.body()).await?;
        decode_response(req, status, &body)
    }

    /// One request with its own deadline; the token is scrubbed from any error.
    async fn get(&self, req: GetFuncConfig, signal: Option<AbortSignal>) -> Result<JsValue, JsValue> {
        let result = match Deadline::start(self.timeout_ms, signal) {
            Ok(deadline) => self.fetch(&req, &deadline).await,
            Err(e) => Err(e),
        };
        result.map(|c| js::config_to_js(&c)).map_err(|e| self.reject(e))
    }

    fn reject(&self, e: Error) -> JsValue {
        js::error_to_js(&e.redact(&self.access_token))
    }
}

/// Reads `{ env, functionName, type }` from a request object.
fn read_request(obj: &JsValue) -> Result<GetFuncConfig, Error> {
    let env = js::required(js::opt_string(obj, "env")?, "env")?;
    let function_name = js::required(js::opt_string(obj, "functionName")?, "functionName")?;
    let config_type = js::config_type(obj)?;
    GetFuncConfig::new(&env, &function_name, config_type, FIELDS)
}

/// Fetches one configuration of one cloud function.
///
/// Resolves to a typed config (`kind` is `"cloudCall"`, `"timerTrigger"` or `"environment"`);
/// rejects with a `TcbError`.
#[wasm_bindgen(js_name = getFuncConfig)]
pub async fn get_func_config(request: JsValue) -> Result<JsValue, JsValue> {
    let read = || -> Result<_, Error> {
        let obj = js::object(&request, "request")?;
        let settings = Settings::read(obj)?;
        Ok((settings, read_request(obj)?, js::signal(obj)?))
    };
    match read() {
        Ok((settings, req, signal)) => settings.get(req, signal).await,
        Err(e) => Err(js::error_to_js(&e)),
    }
}

/// Whether `value` is a `TcbError` thrown or rejected by this package.
#[wasm_bindgen(js_name = isTcbError)]
pub fn is_tcb_error(value: &JsValue) -> bool {
    js::is_tcb_error(value)
}

/// A client holding the access token and limits for many calls.
#[wasm_bindgen]
pub struct TcbClient {
    settings: Settings,
}

#[wasm_bindgen]
impl TcbClient {
    /// `new TcbClient({ accessToken, baseUrl?, timeoutMs? })`; throws a `TcbError` on bad options.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<TcbClient, JsValue> {
        let read = || Settings::read(js::object(&options, "options")?);
        read().map(|settings| TcbClient { settings }).map_err(|e| js::error_to_js(&e))
    }

    /// Fetches one configuration: `{ env, functionName, type, signal? }`.
    #[wasm_bindgen(js_name = getFuncConfig)]
    pub fn get_func_config(&self, request: JsValue) -> js_sys::Promise {
        let settings = self.settings.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let read = || -> Result<_, Error> {
                let obj = js::object(&request, "request")?;
                Ok((read_request(obj)?, js::signal(obj)?))
            };
            match read() {
                Ok((req, signal)) => settings.get(req, signal).await,
                Err(e) => Err(js::error_to_js(&e)),
            }
        })
    }

    /// Fetches the three configurations concurrently under one deadline. A type the function
    /// does not have (errcode 85089) is `null`; any other failure rejects the whole call and
    /// cancels the requests still in flight.
    #[wasm_bindgen(js_name = getAllConfigs)]
    pub fn get_all_configs(&self, env: JsValue, function_name: JsValue, options: JsValue) -> js_sys::Promise {
        let settings = self.settings.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let read = || -> Result<_, Error> {
                let env = js::string_arg(&env, "env")?;
                let function_name = js::string_arg(&function_name, "functionName")?;
                let reqs = ConfigType::ALL.map(|t| GetFuncConfig::new(&env, &function_name, t, FIELDS));
                let [a, b, c] = reqs;
                let signal = if options.is_undefined() || options.is_null() {
                    None
                } else {
                    js::signal(js::object(&options, "options")?)?
                };
                Ok(([a?, b?, c?], signal))
            };
            let (reqs, signal) = read().map_err(|e| js::error_to_js(&e))?;
            let deadline = Deadline::start(settings.timeout_ms, signal).map_err(|e| settings.reject(e))?;
            let one = |req: &GetFuncConfig| {
                let (settings, deadline) = (&settings, &deadline);
                let req = req.clone();
                async move {
                    match settings.fetch(&req, deadline).await {
                        Ok(c) => Ok(js::config_to_js(&c)),
                        Err(e) if e.kind == ErrorKind::Api && e.errcode == Some(85089) => Ok(JsValue::NULL),
                        Err(e) => {
                            deadline.cancel();
                            Err(e)
                        }
                    }
                }
            };
            let [a, b, c] = &reqs;
            let (cloud_call, timer_trigger, environment) =
                try_join3(one(a), one(b), one(c)).await.map_err(|e| settings.reject(e))?;
            let out = js_sys::Object::new();
            for (k, v) in [("cloudCall", cloud_call), ("timerTrigger", timer_trigger), ("environment", environment)] {
                let _ = js_sys::Reflect::set(&out, &JsValue::from_str(k), &v);
            }
            Ok(out.into())
        })
    }
}
