//! The client: `TcbClient` and the one-call functions, each an async Rust function exported as
//! a JavaScript `Promise` through wasm-bindgen-futures, and the third-party platform's
//! `ComponentClient` ([`component`]), which runs its calls on the same machinery.
//!
//! A client owns its validated options, its token source and cache ([`tokens`]); each call runs
//! under one [`deadline`], sends through the [`transport`], retries as the core decides
//! ([`retry`]) and edits with a read-modify-write ([`edit`]). Every failure leaves as one
//! `TcbError`, scrubbed of every token the client handed out.

mod component;
mod deadline;
mod edit;
pub mod providers;
mod retry;
mod tokens;
mod transport;

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;
use web_sys::AbortSignal;

pub use self::component::ComponentClient;
pub use self::transport::build_request;

use self::deadline::{Deadline, try_join_all};
use self::edit::{EditRequest, environment_edit, restore_edit, trigger_edit};
use self::retry::{Call, Failed, kept};
use self::tokens::Tokens;
use crate::Error;
use crate::edit::Edit;
use crate::envinfo::{ENV_INFO_PATH, EnvInfoList, GetEnvInfo, decode_env_info};
use crate::list::{FunctionList, LIST_PATH, ListFunctions, MAX_LIMIT, complete, decode_list};
use crate::model::{ConfigType, FuncConfig};
use crate::request::GetFuncConfig;
use crate::response::{check_envelope, decode_response};
use crate::upload::{UPLOAD_PATH, upload_body, validate};
use crate::wasm::args::{self, FIELDS, Fields, Settings};
use crate::wasm::error::Failure;
use crate::wasm::results::{AllConfigs, ConfigView, to_js};

const GET_PATH: &str = "/tcb/getfuncconfig";
/// Pages `listAllFunctions` reads at most, whatever `total_count` claims.
const MAX_PAGES: u32 = 1000;

/// The work of one call, under its deadline.
type Work<'a> = Pin<Box<dyn Future<Output = Result<JsValue, Failure>> + 'a>>;

/// What one client holds for all its calls.
pub struct Inner {
    settings: Settings,
    tokens: Tokens,
}

/// Whether an error is "not configured" (errcode 85089).
fn not_configured(f: &Failure) -> bool {
    matches!(f, Failure::Tcb(Error::Api { errcode: 85089, .. }))
}

impl Inner {
    /// Runs `work` under a fresh deadline; the error leaves as a `TcbError` scrubbed of every token.
    /// `work` is boxed, so that this runner is compiled once for every call.
    async fn run<'a>(&'a self, signal: Option<AbortSignal>, work: Box<dyn FnOnce(Rc<Deadline>) -> Work<'a> + 'a>) -> Result<JsValue, JsValue> {
        let outcome = match Deadline::new(self.settings.timeout_ms, signal) {
            Ok(d) => work(Rc::new(d)).await,
            Err(e) => Err(e.into()),
        };
        outcome.map_err(|f| f.into_js(&self.tokens.seen()))
    }

    async fn get(&self, target: &GetFuncConfig, deadline: &Deadline) -> Result<FuncConfig, Failure> {
        let out = Cell::new(None);
        let decode = |status: u16, text: &str| decode_response(target, status, text).map(|c| out.set(Some(c)));
        self.call(&Call { path: GET_PATH, body: &target.body(), write: false, decode: &decode }, deadline).await?;
        Ok(kept(&out)?)
    }

    /// One config; "not configured" is `None`.
    async fn read_optional(&self, target: &GetFuncConfig, deadline: &Deadline) -> Result<Option<FuncConfig>, Failure> {
        match self.get(target, deadline).await {
            Ok(c) => Ok(Some(c)),
            Err(f) if not_configured(&f) => Ok(None),
            Err(f) => Err(f),
        }
    }

    async fn upload(&self, body: &str, deadline: &Deadline) -> Result<(), Failure> {
        let decode = |status: u16, text: &str| check_envelope(status, text).map(|_| ());
        self.call(&Call { path: UPLOAD_PATH, body, write: true, decode: &decode }, deadline).await
    }

    async fn list(&self, request: &ListFunctions, deadline: &Deadline) -> Result<FunctionList, Failure> {
        let out = Cell::new(None);
        let decode = |status: u16, text: &str| decode_list(status, text).map(|l| out.set(Some(l)));
        self.call(&Call { path: LIST_PATH, body: &request.body(), write: false, decode: &decode }, deadline).await?;
        Ok(kept(&out)?)
    }

    async fn env_info(&self, request: &GetEnvInfo, deadline: &Deadline) -> Result<EnvInfoList, Failure> {
        let out = Cell::new(None);
        let decode = |status: u16, text: &str| decode_env_info(status, text).map(|l| out.set(Some(l)));
        self.call(&Call { path: ENV_INFO_PATH, body: &request.body(), write: false, decode: &decode }, deadline).await?;
        Ok(kept(&out)?)
    }

    /// One member of `getAllConfigs`: its config, `None` for "not configured", or the rejected
    /// token's error to try again with a fresh one.
    async fn member(&self, target: &GetFuncConfig, token: &str, refreshed: bool, deadline: &Deadline) -> Result<Result<Option<FuncConfig>, Error>, Failure> {
        let out = Cell::new(None);
        let decode = |status: u16, text: &str| decode_response(target, status, text).map(|c| out.set(Some(c)));
        let call = Call { path: GET_PATH, body: &target.body(), write: false, decode: &decode };
        match self.attempt(&call, token, refreshed, deadline).await {
            Ok(()) => Ok(Ok(Some(kept(&out)?))),
            Err(Failed::TokenRejected(e)) => Ok(Err(e)),
            Err(Failed::Other(f)) if not_configured(&f) => Ok(Ok(None)),
            Err(Failed::Other(f)) => {
                deadline.cancel();
                Err(f)
            }
        }
    }

    async fn all(&self, targets: &[GetFuncConfig], deadline: &Deadline) -> Result<Vec<Option<FuncConfig>>, Failure> {
        let token = self.tokens.current(deadline).await?;
        let round = |token: String, refreshed: bool, which: Vec<usize>| {
            let futures: Vec<Pin<Box<dyn Future<Output = _> + '_>>> = which
                .iter()
                .map(|&i| {
                    let token = token.clone();
                    Box::pin(async move { self.member(&targets[i], &token, refreshed, deadline).await })
                        as Pin<Box<dyn Future<Output = _>>>
                })
                .collect();
            try_join_all(futures)
        };
        let mut outcomes: Vec<Result<Option<FuncConfig>, Error>> = round(token.clone(), false, (0..targets.len()).collect()).await?;
        let rejected: Vec<usize> = outcomes.iter().enumerate().filter(|(_, o)| o.is_err()).map(|(i, _)| i).collect();
        if !rejected.is_empty() && self.tokens.can_refresh() {
            // One fresh token for every request whose token was rejected.
            let fresh = self.tokens.refresh(&token, deadline).await?;
            let again = round(fresh, true, rejected.clone()).await?;
            for (i, o) in rejected.into_iter().zip(again) {
                outcomes[i] = o;
            }
        }
        let mut configs = Vec::with_capacity(outcomes.len());
        for o in outcomes {
            configs.push(o?);
        }
        Ok(configs)
    }
}

/// A client holding a token source, limits and a retry policy for many calls.
#[wasm_bindgen]
pub struct TcbClient {
    inner: Rc<Inner>,
}

/// An async call as a JS `Promise`. Boxed, so that one executor glue serves every call.
pub(crate) fn promise<F: Future<Output = Result<JsValue, JsValue>> + 'static>(work: F) -> Promise {
    let work: Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>> = Box::pin(work);
    future_to_promise(work)
}

fn invalid(e: Error) -> JsValue {
    Failure::from(e).into_js(&[])
}

#[wasm_bindgen]
impl TcbClient {
    /// `new TcbClient({ accessToken | getAccessToken, baseUrl?, timeoutMs?, retries? })`; throws
    /// a `TcbError` on bad options.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<TcbClient, JsValue> {
        let (source, settings) = args::client_options(&options).map_err(invalid)?;
        let tokens = Tokens::new(source);
        Ok(TcbClient { inner: Rc::new(Inner { settings, tokens }) })
    }

    /// Fetches one configuration: `{ env, functionName, type, signal? }`.
    #[wasm_bindgen(js_name = getFuncConfig)]
    pub fn get_func_config(&self, request: JsValue) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let inner = &*inner;
            let (target, signal, _) = args::target(&request).map_err(invalid)?;
            inner.run(signal, Box::new(|d| Box::pin(async move { Ok(to_js(&ConfigView(&inner.get(&target, &d).await?))?) }))).await
        })
    }

    /// The three configurations concurrently under one deadline and one token fetch. A type
    /// the function does not have is `null`; any other failure rejects the whole call and
    /// cancels the requests still in flight.
    #[wasm_bindgen(js_name = getAllConfigs)]
    pub fn get_all_configs(&self, env: JsValue, function_name: JsValue, options: JsValue) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let inner = &*inner;
            let read = || -> Result<_, Error> {
                let env = args::string_arg(&env, "env")?;
                let function_name = args::string_arg(&function_name, "functionName")?;
                let mut targets = Vec::new();
                for t in ConfigType::ALL {
                    targets.push(GetFuncConfig::new(&env, &function_name, t, FIELDS)?);
                }
                Ok((targets, args::options_signal(&options)?))
            };
            let (targets, signal) = read().map_err(invalid)?;
            inner
                .run(
                    signal,
                    Box::new(|d| {
                        Box::pin(async move {
                            let all = inner.all(&targets, &d).await?;
                            let view = |i: usize| all.get(i).and_then(Option::as_ref).map(ConfigView);
                            Ok(to_js(&AllConfigs { cloud_call: view(0), timer_trigger: view(1), environment: view(2) })?)
                        })
                    }),
                )
                .await
        })
    }

    /// Writes one complete configuration: `{ env, functionName, type, config, signal? }`.
    #[wasm_bindgen(js_name = uploadFuncConfig)]
    pub fn upload_func_config(&self, request: JsValue) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let inner = &*inner;
            let (body, signal) = upload_request(&request).map_err(invalid)?;
            inner.run(signal, Box::new(|d| Box::pin(async move { inner.upload(&body, &d).await.map(|()| JsValue::UNDEFINED) }))).await
        })
    }

    /// One page of functions: `{ env, limit?, offset?, signal? }`.
    #[wasm_bindgen(js_name = listFunctions)]
    pub fn list_functions(&self, request: JsValue) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let inner = &*inner;
            let (req, signal) = list_request(&request).map_err(invalid)?;
            inner.run(signal, Box::new(|d| Box::pin(async move { Ok(to_js(&inner.list(&req, &d).await?)?) }))).await
        })
    }

    /// The app's cloud development environments (`tcb/getenvinfo`): `{ env?, signal? }`, only
    /// that environment when `env` is given.
    #[wasm_bindgen(js_name = getEnvInfo)]
    pub fn get_env_info(&self, request: JsValue) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let inner = &*inner;
            let read = || -> Result<_, Error> {
                let a = Fields::optional(&request, "request")?;
                Ok((GetEnvInfo::new(a.get("env").string("env")?)?, args::signal(a.get("signal").value())?))
            };
            let (req, signal) = read().map_err(invalid)?;
            inner.run(signal, Box::new(|d| Box::pin(async move { Ok(to_js(&inner.env_info(&req, &d).await?)?) }))).await
        })
    }

    /// Every function of an environment, 100 per request, under one deadline.
    #[wasm_bindgen(js_name = listAllFunctions)]
    pub fn list_all_functions(&self, env: JsValue, options: JsValue) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let inner = &*inner;
            let read = || -> Result<_, Error> {
                let env = args::string_arg(&env, "env")?;
                ListFunctions::new(&env, Some(f64::from(MAX_LIMIT)), None)?;
                Ok((env, args::options_signal(&options)?))
            };
            let (env, signal) = read().map_err(invalid)?;
            inner
                .run(
                    signal,
                    Box::new(|d| {
                        Box::pin(async move {
                            let mut all = FunctionList { total: 0, functions: Vec::new() };
                            for page in 0..MAX_PAGES {
                                let offset = f64::from(page) * f64::from(MAX_LIMIT);
                                let req = ListFunctions::new(&env, Some(f64::from(MAX_LIMIT)), Some(offset))?;
                                let got = inner.list(&req, &d).await?;
                                let n = got.functions.len();
                                all.total = got.total;
                                all.functions.extend(got.functions);
                                if complete(n, MAX_LIMIT, all.functions.len(), all.total) {
                                    break;
                                }
                            }
                            Ok(to_js(&all)?)
                        })
                    }),
                )
                .await
        })
    }

    fn edit(&self, edit: Result<Edit, Error>, env: JsValue, function_name: JsValue, options: JsValue) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let inner = &*inner;
            let r = EditRequest::new(edit, &env, &function_name, &options).map_err(invalid)?;
            let signal = r.signal.clone();
            inner.run(signal, Box::new(|d| Box::pin(async move { inner.edit(&r, &d).await }))).await
        })
    }

    /// Sets and unsets environment variables and changes the timeout, keeping everything else.
    #[wasm_bindgen(js_name = updateEnvironment)]
    pub fn update_environment(&self, env: JsValue, function_name: JsValue, edit: JsValue, options: JsValue) -> Promise {
        self.edit(environment_edit(&edit), env, function_name, options)
    }

    /// Grants cloud-call APIs (`<category>.<method>` names).
    #[wasm_bindgen(js_name = grantOpenapi)]
    pub fn grant_openapi(&self, env: JsValue, function_name: JsValue, names: JsValue, options: JsValue) -> Promise {
        self.edit(args::string_list(&names, "names").map(Edit::Grant), env, function_name, options)
    }

    /// Revokes cloud-call APIs.
    #[wasm_bindgen(js_name = revokeOpenapi)]
    pub fn revoke_openapi(&self, env: JsValue, function_name: JsValue, names: JsValue, options: JsValue) -> Promise {
        self.edit(args::string_list(&names, "names").map(Edit::Revoke), env, function_name, options)
    }

    /// Makes `{ name, config }` the function's one timer trigger.
    #[wasm_bindgen(js_name = setTimerTrigger)]
    pub fn set_timer_trigger(&self, env: JsValue, function_name: JsValue, trigger: JsValue, options: JsValue) -> Promise {
        self.edit(trigger_edit(&trigger), env, function_name, options)
    }

    /// Removes the function's timer trigger.
    #[wasm_bindgen(js_name = removeTimerTrigger)]
    pub fn remove_timer_trigger(&self, env: JsValue, function_name: JsValue, options: JsValue) -> Promise {
        self.edit(Ok(Edit::RemoveTrigger), env, function_name, options)
    }

    /// Makes a config of type `type` what `raw` (a `raw` that `getFuncConfig` gave) says, writing
    /// that text as it is.
    #[wasm_bindgen(js_name = restoreConfig)]
    pub fn restore_config(
        &self,
        env: JsValue,
        function_name: JsValue,
        config_type: JsValue,
        raw: JsValue,
        options: JsValue,
    ) -> Promise {
        self.edit(restore_edit(&config_type, &raw), env, function_name, options)
    }
}

/// A write's validated body and signal.
fn upload_request(request: &JsValue) -> Result<(String, Option<AbortSignal>), Error> {
    let (target, signal, config) = args::target(request)?;
    let config = args::config_input(&config, Some(target.config_type), "config")?;
    validate(&config)?;
    Ok((upload_body(&target, &config, None)?, signal))
}

fn list_request(request: &JsValue) -> Result<(ListFunctions, Option<AbortSignal>), Error> {
    let a = Fields::of(request, "request")?;
    let env = a.get("env").required_string("env")?;
    let req = ListFunctions::new(&env, a.get("limit").number("limit")?, a.get("offset").number("offset")?)?;
    Ok((req, args::signal(a.get("signal").value())?))
}

/// A one-call client for a request that carries its own options; the request is checked
/// first, so that its own fields are named before the options'.
fn one_call(
    request: JsValue,
    check: impl FnOnce(&JsValue) -> Result<(), Error>,
    call: impl FnOnce(&TcbClient, JsValue) -> Promise,
) -> Promise {
    let client = check(&request).map_err(invalid).and_then(|()| TcbClient::new(request.clone()));
    match client {
        Ok(client) => call(&client, request),
        Err(e) => Promise::reject(&e),
    }
}

/// Fetches one configuration of one cloud function (a one-call client).
#[wasm_bindgen(js_name = getFuncConfig)]
pub fn get_func_config(request: JsValue) -> Promise {
    one_call(request, |r| args::target(r).map(|_| ()), TcbClient::get_func_config)
}

/// Writes one complete configuration (a one-call client).
#[wasm_bindgen(js_name = uploadFuncConfig)]
pub fn upload_func_config(request: JsValue) -> Promise {
    one_call(request, |r| upload_request(r).map(|_| ()), TcbClient::upload_func_config)
}

/// One page of an environment's functions (a one-call client).
#[wasm_bindgen(js_name = listFunctions)]
pub fn list_functions(request: JsValue) -> Promise {
    one_call(request, |r| list_request(r).map(|_| ()), TcbClient::list_functions)
}
