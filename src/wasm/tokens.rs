//! Where a client's access token comes from, the cache in front of it, and the two built-in
//! token providers (`stableToken`, `authorizerToken`).
//!
//! The cache holds plain values only (a token and its expiry), never a promise: in workerd a
//! request must not await a promise that another request created.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

use super::js::{self, set};
use super::transport::{Deadline, Raced};
use crate::request;
use crate::retry::is_token_rejected;
use crate::token::{self, CachedToken, IssuedToken};
use crate::{Error, ErrorKind};

/// `force_refresh` of stable_token is sent at most once per this many milliseconds.
const FORCE_REFRESH_INTERVAL_MS: f64 = 30_000.0;

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Calls a user callback and awaits its result within the deadline; `name` is for messages.
async fn call_user(f: &Function, arg: &JsValue, deadline: &Deadline, name: &str) -> Result<JsValue, Error> {
    let returned = f.call1(&JsValue::NULL, arg).map_err(|reason| failed(name, &reason))?;
    match deadline.race(&Promise::resolve(&returned)).await {
        Ok(v) => Ok(v),
        Err(Raced::Stopped(e)) => Err(e),
        Err(Raced::Rejected(reason)) => Err(failed(name, &reason)),
    }
}

/// A callback's failure: a `TcbError` it threw passes through; anything else becomes a
/// `token` error (its own message is not copied: it may hold a secret).
fn failed(name: &str, reason: &JsValue) -> Error {
    js::error_from_js(reason).unwrap_or_else(|| Error::token(&format!("{name} threw or rejected")))
}

/// Where tokens come from.
enum Source {
    Static(String),
    Callback(Function),
}

/// A client's token source and its cache.
pub struct Tokens {
    source: Source,
    cache: RefCell<Option<CachedToken>>,
    /// Every token handed out, so that errors can be scrubbed of all of them.
    seen: RefCell<Vec<String>>,
}

impl Tokens {
    /// Reads exactly one of `accessToken` (a string) or `getAccessToken` (a function, such as
    /// the one `stableToken()` or `authorizerToken()` returns).
    pub fn read(obj: &JsValue) -> Result<Tokens, Error> {
        const ONE: &str =
            "give exactly one of accessToken (a string) or getAccessToken (a function, e.g. stableToken({...}))";
        let token = js::opt_string(obj, "accessToken")?;
        let callback = Reflect::get(obj, &JsValue::from_str("getAccessToken")).unwrap_or(JsValue::UNDEFINED);
        let source = match (token, callback.is_undefined() || callback.is_null()) {
            (Some(t), true) => {
                request::validate_access_token("accessToken", &t)?;
                Source::Static(t)
            }
            (None, false) => Source::Callback(
                callback.dyn_into().map_err(|_| Error::invalid_argument("getAccessToken", "must be a function"))?,
            ),
            (Some(_), false) => return Err(Error::invalid_argument("accessToken", ONE)),
            (None, true) => return Err(Error::invalid_argument("accessToken", &format!("is required: {ONE}"))),
        };
        let seen = match &source {
            Source::Static(t) => vec![t.clone()],
            Source::Callback(_) => Vec::new(),
        };
        Ok(Tokens { source, cache: RefCell::new(None), seen: RefCell::new(seen) })
    }

    /// Whether a rejected token can be replaced by a fresh one.
    pub fn can_refresh(&self) -> bool {
        matches!(self.source, Source::Callback(_))
    }

    /// Scrubs every token this source handed out from an error.
    pub fn redact(&self, e: Error) -> Error {
        self.seen.borrow().iter().fold(e, |e, t| e.redact(t))
    }

    /// The token to use now: the static one, the cached one, or a fetched one.
    pub async fn current(&self, deadline: &Deadline) -> Result<String, Error> {
        if let Source::Static(t) = &self.source {
            return Ok(t.clone());
        }
        if let Some(c) = self.cache.borrow().as_ref().filter(|c| c.usable(now_ms())) {
            return Ok(c.token.clone());
        }
        self.fetch(false, deadline).await
    }

    /// A fresh token after the server rejected `rejected`. When another call already replaced
    /// it, that token is used without a second fetch.
    pub async fn refresh(&self, rejected: &str, deadline: &Deadline) -> Result<String, Error> {
        let replaced = self.cache.borrow().as_ref().filter(|c| c.token != rejected && c.usable(now_ms())).cloned();
        if let Some(c) = replaced {
            return Ok(c.token);
        }
        self.cache.replace(None);
        self.fetch(true, deadline).await
    }

    async fn fetch(&self, force_refresh: bool, deadline: &Deadline) -> Result<String, Error> {
        let Source::Callback(f) = &self.source else {
            return Err(Error::token("a static accessToken cannot be refreshed"));
        };
        let ctx: JsValue = Object::new().into();
        set(&ctx, "forceRefresh", &force_refresh.into());
        set(&ctx, "signal", &deadline.signal());
        let v = call_user(f, &ctx, deadline, "getAccessToken").await?;
        let (token, expires_in) = if let Some(t) = v.as_string() {
            (t, None)
        } else if v.is_object() {
            let t = js::opt_string(&v, "accessToken").ok().flatten();
            let e = Reflect::get(&v, &JsValue::from_str("expiresIn")).ok().and_then(|e| e.as_f64());
            (t.unwrap_or_default(), e.filter(|e| e.is_finite() && *e >= 0.0).map(|e| e.min(f64::from(u32::MAX)) as u32))
        } else {
            (String::new(), None)
        };
        request::validate_access_token("accessToken", &token)
            .map_err(|e| Error::token(&format!("getAccessToken gave no usable token: the {}", e.message)))?;
        self.seen.borrow_mut().push(token.clone());
        self.cache.replace(Some(CachedToken::new(token.clone(), expires_in, now_ms())));
        Ok(token)
    }
}

/// `{ accessToken, expiresIn }` for a provider's answer.
fn issued_to_js(t: &IssuedToken) -> JsValue {
    let o: JsValue = Object::new().into();
    set(&o, "accessToken", &t.token.as_str().into());
    if let Some(e) = t.expires_in {
        set(&o, "expiresIn", &f64::from(e).into());
    }
    o
}

/// Reads `{ forceRefresh, signal }` of a provider call.
fn read_ctx(ctx: &JsValue) -> (bool, Option<AbortSignal>) {
    if !ctx.is_object() {
        return (false, None);
    }
    let force = Reflect::get(ctx, &JsValue::from_str("forceRefresh")).ok().and_then(|v| v.as_bool()).unwrap_or(false);
    (force, js::signal(ctx).ok().flatten())
}

/// Builds the bound `getAccessToken` function of a provider object.
fn bound_method(provider: JsValue) -> Result<Function, JsValue> {
    let method: Function = Reflect::get(&provider, &JsValue::from_str("getAccessToken"))?.dyn_into()?;
    Ok(method.bind0(&provider))
}

/// Common provider options: `baseUrl` (e.g. a fixed-IP relay for 61004) and `timeoutMs`.
fn provider_base(obj: &JsValue) -> Result<(String, u32), Error> {
    Ok((js::base_url(obj)?, js::timeout_ms(obj)?))
}

fn secret_string(obj: &JsValue, key: &str) -> Result<String, Error> {
    let v = js::required(js::opt_string(obj, key)?, key)?;
    if v.trim().is_empty() || v.chars().any(char::is_control) {
        return Err(Error::invalid_argument(key, "must be a non-empty string without control characters"));
    }
    Ok(v)
}

fn callback(obj: &JsValue, key: &str) -> Result<Function, Error> {
    Reflect::get(obj, &JsValue::from_str(key))
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(|| Error::invalid_argument(key, "must be a function"))
}

async fn post_token(deadline: &Deadline, (url, body): (String, String), field: &str) -> Result<IssuedToken, Error> {
    let (status, text) = deadline.post_json(&url, &body).await?;
    token::decode_token(status, &text, field)
}

/// The state of a `stableToken()` provider.
#[wasm_bindgen]
pub struct StableTokenProvider {
    appid: String,
    secret: String,
    base_url: String,
    timeout_ms: u32,
    last_force_ms: Rc<Cell<f64>>,
}

#[wasm_bindgen]
impl StableTokenProvider {
    /// `getAccessToken({ forceRefresh, signal })` through `POST /cgi-bin/stable_token`.
    #[wasm_bindgen(js_name = getAccessToken)]
    pub fn get_access_token(&self, ctx: JsValue) -> Promise {
        let (force, signal) = read_ctx(&ctx);
        // force_refresh only after a rejection, and at most once per 30 s (WeChat limits it).
        let force = force && now_ms() - self.last_force_ms.get() >= FORCE_REFRESH_INTERVAL_MS;
        if force {
            self.last_force_ms.set(now_ms());
        }
        let request = token::stable_token_request(&self.base_url, &self.appid, &self.secret, force);
        let (secret, timeout_ms) = (self.secret.clone(), self.timeout_ms);
        super::promise(async move {
            let result = match Deadline::start(timeout_ms, signal) {
                Ok(deadline) => post_token(&deadline, request, "access_token").await,
                Err(e) => Err(e),
            };
            result.map(|t| issued_to_js(&t)).map_err(|e| js::error_to_js(&e.redact(&secret)))
        })
    }
}

/// A token source for a mini program's own access token (`POST /cgi-bin/stable_token`), for
/// `new TcbClient({ getAccessToken: stableToken({ appid, secret }) })`. The secret travels in
/// the body, never the URL, and stays inside the module.
#[wasm_bindgen(js_name = stableToken)]
pub fn stable_token(options: JsValue) -> Result<Function, JsValue> {
    let read = || -> Result<StableTokenProvider, Error> {
        let obj = js::object(&options, "options")?;
        let (base_url, timeout_ms) = provider_base(obj)?;
        Ok(StableTokenProvider {
            appid: secret_string(obj, "appid")?,
            secret: secret_string(obj, "secret")?,
            base_url,
            timeout_ms,
            last_force_ms: Rc::new(Cell::new(f64::NEG_INFINITY)),
        })
    };
    let provider = read().map_err(|e| js::error_to_js(&e))?;
    bound_method(provider.into())
}

/// The state of an `authorizerToken()` provider.
#[wasm_bindgen]
pub struct AuthorizerTokenProvider {
    inner: Rc<Authorizer>,
}

struct Authorizer {
    component_appid: String,
    component_secret: String,
    get_ticket: Function,
    authorizer_appid: String,
    get_refresh_token: Function,
    save_refresh_token: Function,
    base_url: String,
    timeout_ms: u32,
    component_token: RefCell<Option<CachedToken>>,
}

impl Authorizer {
    async fn component_token(&self, deadline: &Deadline, secrets: &mut Vec<String>) -> Result<String, Error> {
        if let Some(c) = self.component_token.borrow().as_ref().filter(|c| c.usable(now_ms())) {
            return Ok(c.token.clone());
        }
        let ticket = call_user(&self.get_ticket, &JsValue::UNDEFINED, deadline, "getComponentVerifyTicket").await?;
        let ticket = ticket
            .as_string()
            .filter(|t| !t.is_empty())
            .ok_or_else(|| Error::token("getComponentVerifyTicket gave no ticket string"))?;
        secrets.push(ticket.clone());
        let request =
            token::component_token_request(&self.base_url, &self.component_appid, &self.component_secret, &ticket);
        let issued = post_token(deadline, request, "component_access_token").await?;
        secrets.push(issued.token.clone());
        self.component_token.replace(Some(CachedToken::new(issued.token.clone(), issued.expires_in, now_ms())));
        Ok(issued.token)
    }

    async fn authorizer_token(&self, deadline: &Deadline, secrets: &mut Vec<String>) -> Result<IssuedToken, Error> {
        let refresh =
            call_user(&self.get_refresh_token, &JsValue::UNDEFINED, deadline, "getAuthorizerRefreshToken").await?;
        let refresh = refresh
            .as_string()
            .filter(|t| !t.is_empty())
            .ok_or_else(|| Error::token("getAuthorizerRefreshToken gave no refresh token string"))?;
        secrets.push(refresh.clone());
        let mut retried = false;
        let issued = loop {
            let ct = self.component_token(deadline, secrets).await?;
            let request = token::authorizer_token_request(
                &self.base_url,
                &ct,
                &self.component_appid,
                &self.authorizer_appid,
                &refresh,
            );
            match post_token(deadline, request, "authorizer_access_token").await {
                // The component token was rejected: renew it once.
                Err(e) if is_token_rejected(&e) && !retried => {
                    retried = true;
                    self.component_token.replace(None);
                }
                other => break other?,
            }
        };
        secrets.push(issued.token.clone());
        if let Some(rotated) = issued.refresh_token.as_ref().filter(|r| **r != refresh) {
            secrets.push(rotated.clone());
            // Saved before the new access token is used: a rotated refresh token is never lost.
            let saved = call_user(
                &self.save_refresh_token,
                &JsValue::from_str(rotated),
                deadline,
                "saveAuthorizerRefreshToken",
            )
            .await;
            if let Err(e) = saved {
                let mut e = if e.kind == ErrorKind::Token {
                    Error::token("saveAuthorizerRefreshToken failed; the new access token is not used")
                } else {
                    e
                };
                e.hint =
                    "persist the rotated authorizer_refresh_token: WeChat has already invalidated the previous one"
                        .into();
                return Err(e);
            }
        }
        Ok(issued)
    }
}

#[wasm_bindgen]
impl AuthorizerTokenProvider {
    /// `getAccessToken({ forceRefresh, signal })` through the third-party token chain.
    #[wasm_bindgen(js_name = getAccessToken)]
    pub fn get_access_token(&self, ctx: JsValue) -> Promise {
        let (_, signal) = read_ctx(&ctx);
        let inner = self.inner.clone();
        super::promise(async move {
            let mut secrets = vec![inner.component_secret.clone()];
            let result = match Deadline::start(inner.timeout_ms, signal) {
                Ok(deadline) => inner.authorizer_token(&deadline, &mut secrets).await,
                Err(e) => Err(e),
            };
            result.map(|t| issued_to_js(&t)).map_err(|e| {
                let e = secrets.iter().fold(e, |e, s| e.redact(s));
                js::error_to_js(&e)
            })
        })
    }
}

/// A token source for a third-party platform acting for one authorized mini program:
/// component_access_token (`api_component_token`, cached) then authorizer_access_token
/// (`api_authorizer_token`). A rotated refresh token is saved with `saveAuthorizerRefreshToken`
/// before the new access token is used.
#[wasm_bindgen(js_name = authorizerToken)]
pub fn authorizer_token(options: JsValue) -> Result<Function, JsValue> {
    let read = || -> Result<Authorizer, Error> {
        let obj = js::object(&options, "options")?;
        let (base_url, timeout_ms) = provider_base(obj)?;
        Ok(Authorizer {
            component_appid: secret_string(obj, "componentAppid")?,
            component_secret: secret_string(obj, "componentAppsecret")?,
            get_ticket: callback(obj, "getComponentVerifyTicket")?,
            authorizer_appid: secret_string(obj, "authorizerAppid")?,
            get_refresh_token: callback(obj, "getAuthorizerRefreshToken")?,
            save_refresh_token: callback(obj, "saveAuthorizerRefreshToken")?,
            base_url,
            timeout_ms,
            component_token: RefCell::new(None),
        })
    };
    let inner = read().map_err(|e| js::error_to_js(&e))?;
    bound_method(AuthorizerTokenProvider { inner: Rc::new(inner) }.into())
}
