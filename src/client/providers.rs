//! The built-in token sources, each a JS function `getAccessToken(ctx)` for
//! `new TcbClient({ getAccessToken })`. Their secrets stay in Rust; every error they raise is
//! scrubbed of every secret and token they hold.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

use super::deadline::Deadline;
use super::tokens::{call_user, read_token, renew_at};
use super::transport::post;
use crate::Error;
use crate::token::{self, IssuedToken};
use crate::wasm::args::{self, Arg, Fields};
use crate::wasm::error::{Failure, is_tcb_error, set_hint};

/// `force_refresh` of stable_token is sent at most once per this many milliseconds.
pub(super) const FORCE_REFRESH_INTERVAL_MS: f64 = 30_000.0;

const ROTATED_HINT: &str =
    "persist the rotated authorizer_refresh_token: WeChat has already invalidated the previous one";

/// An id or secret: a non-empty string without control characters.
pub(super) fn credential(arg: Arg, key: &str) -> Result<String, Error> {
    let v = arg.required_string(key)?;
    if v.trim().is_empty() || v.chars().any(char::is_control) {
        return Err(Error::invalid_argument(key, "must be a non-empty string without control characters"));
    }
    Ok(v)
}

/// A function argument.
pub(super) fn callback(v: Arg, key: &str) -> Result<Function, Error> {
    v.value().dyn_into().map_err(|_| Error::invalid_argument(key, "must be a function"))
}

/// `{ forceRefresh, signal }` of a provider call; anything else is ignored.
pub(super) fn context(ctx: &JsValue) -> (bool, Option<AbortSignal>) {
    let get = |k: &str| Reflect::get(ctx, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED);
    if !ctx.is_object() {
        return (false, None);
    }
    (get("forceRefresh").as_bool() == Some(true), get("signal").dyn_into().ok())
}

/// `{ accessToken, expiresIn? }`.
fn issued(t: &IssuedToken) -> JsValue {
    let o = Object::new();
    let _ = Reflect::set(&o, &"accessToken".into(), &t.token.as_str().into());
    if let Some(e) = t.expires_in {
        let _ = Reflect::set(&o, &"expiresIn".into(), &f64::from(e).into());
    }
    o.into()
}

/// A token endpoint call: `(url, body)` posted once, the answer decoded.
async fn post_token(deadline: &Deadline, (url, body): (String, String), field: &str) -> Result<IssuedToken, Error> {
    let answer = post(deadline, &url, &body, true).await?;
    token::decode_token(answer.status, &answer.text, field)
}

/// A provider function around `work`, which gets the call's deadline and the secrets to scrub.
fn provider<F, Fut>(timeout_ms: u32, work: F) -> JsValue
where
    F: Fn(Rc<Deadline>, bool, Rc<RefCell<Vec<String>>>) -> Fut + 'static,
    Fut: std::future::Future<Output = Result<JsValue, Failure>> + 'static,
{
    let work = Rc::new(work);
    let f = move |ctx: JsValue| -> Promise {
        let work = work.clone();
        super::promise(async move {
            let (force, signal) = context(&ctx);
            let secrets = Rc::new(RefCell::new(Vec::new()));
            let outcome = match Deadline::new(timeout_ms, signal) {
                Ok(d) => work(Rc::new(d), force, secrets.clone()).await,
                Err(e) => Err(e.into()),
            };
            outcome.map_err(|f| f.into_js(&secrets.borrow()))
        })
    };
    Closure::<dyn Fn(JsValue) -> Promise>::new(f).into_js_value()
}

/// A token source for a mini program's own access token (`POST /cgi-bin/stable_token`), for
/// `new TcbClient({ getAccessToken: stableToken({ appid, secret }) })`. The secret travels in
/// the body, never the URL.
#[wasm_bindgen(js_name = stableToken)]
pub fn stable_token(options: JsValue) -> Result<JsValue, JsValue> {
    let read = || -> Result<_, Error> {
        let o = Fields::of(&options, "options")?;
        Ok((
            credential(o.get("appid"), "appid")?,
            credential(o.get("secret"), "secret")?,
            args::base_url(o.get("baseUrl"))?,
            args::timeout_ms(o.get("timeoutMs"))?,
        ))
    };
    let (appid, secret, base_url, timeout_ms) = read().map_err(|e| Failure::from(e).into_js(&[]))?;
    let last_force = Rc::new(Cell::new(f64::NEG_INFINITY));
    Ok(provider(timeout_ms, move |deadline, force_refresh, secrets| {
        let (appid, secret, base_url, last_force) = (appid.clone(), secret.clone(), base_url.clone(), last_force.clone());
        async move {
            secrets.borrow_mut().push(secret.clone());
            // force_refresh only after a rejection, and at most once per 30 s (WeChat limits it).
            let now = js_sys::Date::now();
            let force = force_refresh && now - last_force.get() >= FORCE_REFRESH_INTERVAL_MS;
            if force {
                last_force.set(now);
            }
            let request = token::stable_token_request(&base_url, &appid, &secret, force);
            let got = post_token(&deadline, request, "access_token").await?;
            secrets.borrow_mut().push(got.token.clone());
            Ok(issued(&got))
        }
    }))
}

/// Where the component verify ticket comes from.
pub enum Ticket {
    /// A ticket given once (it stays valid 12 h).
    Fixed(String),
    /// `getComponentVerifyTicket()`, asked at each component token fetch.
    Callback(Function),
}

/// What a component token fetch needs: the platform's id and secret, its ticket and the host.
pub struct Component {
    /// `component_appid`.
    pub appid: String,
    /// `component_appsecret`.
    pub secret: String,
    /// The verify ticket's source.
    pub ticket: Ticket,
    /// WeChat's host or a relay.
    pub base_url: String,
}

impl Component {
    /// A fresh component_access_token (`api_component_token`); the secret, the ticket and the
    /// token go to `secrets`.
    async fn fetch(&self, deadline: &Deadline, secrets: &RefCell<Vec<String>>) -> Result<IssuedToken, Failure> {
        secrets.borrow_mut().push(self.secret.clone());
        let ticket = match &self.ticket {
            Ticket::Fixed(t) => t.clone(),
            Ticket::Callback(f) => {
                let given = call_user(deadline, f, &JsValue::UNDEFINED, "getComponentVerifyTicket").await?;
                given_string(given, "getComponentVerifyTicket gave no ticket string")?
            }
        };
        secrets.borrow_mut().push(ticket.clone());
        let request = token::component_token_request(&self.base_url, &self.appid, &self.secret, &ticket);
        let got = post_token(deadline, request, "component_access_token").await?;
        secrets.borrow_mut().push(got.token.clone());
        Ok(got)
    }
}

/// The token source of a client whose calls take the platform's component_access_token: a
/// `getAccessToken` that fetches one, for the client's token cache to keep.
pub fn component_token(component: Component, timeout_ms: u32) -> Result<Function, Error> {
    let component = Rc::new(component);
    let f = provider(timeout_ms, move |deadline, _force, secrets| {
        let component = component.clone();
        async move { Ok(issued(&component.fetch(&deadline, &secrets).await?)) }
    });
    f.dyn_into().map_err(|_| Error::token("the component token source is not a function"))
}

/// A token source for a third-party platform's component_access_token
/// (`POST /cgi-bin/component/api_component_token`): each call fetches a new token, so one
/// source (or a cache in front of it) serves the whole platform, e.g. as the
/// `getComponentAccessToken` of every `authorizerToken` and of the `ComponentClient`.
#[wasm_bindgen(js_name = componentToken)]
pub fn component_token_source(options: JsValue) -> Result<JsValue, JsValue> {
    let read = || -> Result<_, Error> {
        let o = Fields::of(&options, "options")?;
        let component = Component {
            base_url: args::base_url(o.get("baseUrl"))?,
            appid: credential(o.get("componentAppid"), "componentAppid")?,
            secret: credential(o.get("componentAppsecret"), "componentAppsecret")?,
            ticket: Ticket::Callback(callback(o.get("getComponentVerifyTicket"), "getComponentVerifyTicket")?),
        };
        component_token(component, args::timeout_ms(o.get("timeoutMs"))?)
    };
    read().map(Into::into).map_err(|e| Failure::from(e).into_js(&[]))
}

/// Where an authorizer provider's component token comes from.
enum ComponentSource {
    /// Fetched by the provider itself and kept with when it must be fetched anew.
    Own(Component, RefCell<Option<(String, f64)>>),
    /// `getComponentAccessToken(ctx)`, asked at each authorizer token fetch (it keeps its own cache).
    Given(Function),
}

/// What an authorizer provider holds between its calls: plain values only.
struct Authorizer {
    component_appid: String,
    base_url: String,
    source: ComponentSource,
    authorizer_appid: String,
    get_refresh_token: Function,
    save_refresh_token: Function,
}

/// The two ways to give an authorizer provider its component token.
pub(super) const ONE_COMPONENT_SOURCE: &str = "give either getComponentAccessToken (a function shared by the platform) or componentAppsecret with getComponentVerifyTicket, not both";

/// A string from a callback, or a `token` error.
fn given_string(v: JsValue, what: &str) -> Result<String, Error> {
    v.as_string().filter(|s| !s.is_empty()).ok_or_else(|| Error::token(what))
}

impl Authorizer {
    /// The component token; `force` after WeChat rejected the previous one.
    async fn component(&self, deadline: &Deadline, secrets: &RefCell<Vec<String>>, force: bool) -> Result<String, Failure> {
        let got = match &self.source {
            ComponentSource::Own(component, cache) => {
                if let Some((t, at)) = cache.borrow().as_ref()
                    && !force
                    && js_sys::Date::now() < *at
                {
                    return Ok(t.clone());
                }
                let got = component.fetch(deadline, secrets).await?;
                let cached = read_token(&issued(&got), js_sys::Date::now(), "api_component_token")?;
                *cache.borrow_mut() = Some((got.token.clone(), renew_at(&cached)));
                return Ok(got.token);
            }
            ComponentSource::Given(f) => {
                let ctx = Object::new();
                let _ = Reflect::set(&ctx, &"forceRefresh".into(), &force.into());
                let _ = Reflect::set(&ctx, &"signal".into(), &deadline.signal());
                let given = call_user(deadline, f, &ctx, "getComponentAccessToken").await?;
                read_token(&given, js_sys::Date::now(), "getComponentAccessToken")?.token
            }
        };
        secrets.borrow_mut().push(got.clone());
        Ok(got)
    }

    async fn authorizer(&self, deadline: &Deadline, secrets: &RefCell<Vec<String>>) -> Result<JsValue, Failure> {
        let refresh =
            call_user(deadline, &self.get_refresh_token, &JsValue::UNDEFINED, "getAuthorizerRefreshToken").await?;
        let refresh = given_string(refresh, "getAuthorizerRefreshToken gave no refresh token string")?;
        secrets.borrow_mut().push(refresh.clone());
        let mut renewed = false;
        let got = loop {
            let ct = self.component(deadline, secrets, renewed).await?;
            let request = token::authorizer_token_request(
                &self.base_url,
                &ct,
                &self.component_appid,
                &self.authorizer_appid,
                &refresh,
            );
            match post_token(deadline, request, "authorizer_access_token").await {
                Ok(got) => break got,
                // The component token was rejected: renew it once.
                Err(e) if !renewed && crate::retry::is_token_rejected(&e) => renewed = true,
                Err(e) => return Err(e.into()),
            }
        };
        secrets.borrow_mut().push(got.token.clone());
        if let Some(rotated) = got.refresh_token.as_ref().filter(|r| **r != refresh) {
            secrets.borrow_mut().push(rotated.clone());
            // Saved before the new access token is used: a rotated refresh token is never lost.
            let saved =
                call_user(deadline, &self.save_refresh_token, &rotated.as_str().into(), "saveAuthorizerRefreshToken").await;
            match saved {
                Ok(_) => {}
                Err(Failure::Passed(e)) if is_tcb_error(&e) => {
                    set_hint(&e, ROTATED_HINT);
                    return Err(Failure::Passed(e));
                }
                Err(Failure::Tcb(Error::Token { .. })) => {
                    let detail = "saveAuthorizerRefreshToken failed; the new access token is not used";
                    return Err(Error::token_with_hint(detail, ROTATED_HINT).into());
                }
                Err(other) => return Err(other),
            }
        }
        Ok(issued(&got))
    }
}

/// A token source for a third-party platform acting for one authorized mini program:
/// component_access_token (its own, cached, or the platform's from `getComponentAccessToken`)
/// then authorizer_access_token. A rotated refresh token is saved with
/// `saveAuthorizerRefreshToken` before the new access token is used.
#[wasm_bindgen(js_name = authorizerToken)]
pub fn authorizer_token(options: JsValue) -> Result<JsValue, JsValue> {
    let read = || -> Result<_, Error> {
        let o = Fields::of(&options, "options")?;
        let timeout_ms = args::timeout_ms(o.get("timeoutMs"))?;
        let base_url = args::base_url(o.get("baseUrl"))?;
        let appid = credential(o.get("componentAppid"), "componentAppid")?;
        let given = o.get("getComponentAccessToken");
        let source = if given.absent() {
            ComponentSource::Own(
                Component {
                    base_url: base_url.clone(),
                    appid: appid.clone(),
                    secret: credential(o.get("componentAppsecret"), "componentAppsecret")?,
                    ticket: Ticket::Callback(callback(o.get("getComponentVerifyTicket"), "getComponentVerifyTicket")?),
                },
                RefCell::new(None),
            )
        } else if o.get("componentAppsecret").absent() && o.get("getComponentVerifyTicket").absent() {
            ComponentSource::Given(callback(given, "getComponentAccessToken")?)
        } else {
            return Err(Error::invalid_argument("getComponentAccessToken", ONE_COMPONENT_SOURCE));
        };
        Ok((
            Authorizer {
                component_appid: appid,
                base_url,
                source,
                authorizer_appid: credential(o.get("authorizerAppid"), "authorizerAppid")?,
                get_refresh_token: callback(o.get("getAuthorizerRefreshToken"), "getAuthorizerRefreshToken")?,
                save_refresh_token: callback(o.get("saveAuthorizerRefreshToken"), "saveAuthorizerRefreshToken")?,
            },
            timeout_ms,
        ))
    };
    let (state, timeout_ms) = read().map_err(|e| Failure::from(e).into_js(&[]))?;
    let state = Rc::new(state);
    Ok(provider(timeout_ms, move |deadline, _force, secrets| {
        let state = state.clone();
        async move {
            if let ComponentSource::Own(c, _) = &state.source {
                secrets.borrow_mut().push(c.secret.clone());
            }
            state.authorizer(&deadline, &secrets).await
        }
    }))
}
