//! `ComponentClient`: the third-party platform's own calls, made with its component_access_token.
//!
//! The token comes from the same cache as a `TcbClient`'s ([`super::tokens`]), fed by a
//! component token source ([`super::providers::component_token`]); the calls run through the
//! same deadline, retries and single token refresh. Every error is scrubbed of the app secret,
//! the ticket, every token handed out and the call's own authorization code.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

use super::deadline::Deadline;
use super::providers::{Component, FORCE_REFRESH_INTERVAL_MS, Ticket, callback, component_token, context, credential};
use super::retry::{Call, kept};
use super::tokens::Tokens;
use super::{Inner, invalid, promise};
use crate::Error;
use crate::list::complete;
use crate::platform::{self, AUTHORIZER_LIST_PATH, AuthorizerList, ListPage, MAX_COUNT};
use crate::wasm::args::{self, Fields, TokenSource};
use crate::wasm::results::to_js;

/// Pages `getAllAuthorizers` reads at most (100,000 accounts), whatever `total_count` claims.
const MAX_PAGES: u32 = 200;

/// A decoder whose result crosses to JavaScript.
type Decode = fn(u16, &str) -> Result<JsValue, Error>;

/// One validated call: where it goes, its body, how it decodes, and the code to scrub.
struct Request {
    path: &'static str,
    body: String,
    /// A call that consumes something (an authorization code) is never sent twice.
    write: bool,
    decode: Decode,
    signal: Option<AbortSignal>,
    code: Option<String>,
}

/// A client for a third-party platform's own calls (authorization and authorized accounts).
#[wasm_bindgen]
pub struct ComponentClient {
    inner: Rc<Inner>,
    component_appid: Rc<str>,
    /// The app secret and a ticket given as a string: scrubbed from every error.
    secrets: Rc<[String]>,
    /// When `componentAccessToken` last fetched a new token on `forceRefresh`.
    last_force: Rc<Cell<f64>>,
}

/// Every secret of one call, as the scrubber takes them.
fn hidden<'a>(secrets: &'a [String], code: Option<&'a str>) -> Vec<&'a str> {
    secrets.iter().map(String::as_str).chain(code).collect()
}

const ONE_SOURCE: &str = "give either getComponentAccessToken (the platform's shared token source) or componentAppsecret with a ticket, not both";

const ONE_TICKET: &str =
    "give exactly one of componentVerifyTicket (a string) or getComponentVerifyTicket (a function)";

#[wasm_bindgen]
impl ComponentClient {
    /// `new ComponentClient({ componentAppid, componentAppsecret, getComponentVerifyTicket |
    /// componentVerifyTicket, baseUrl?, timeoutMs?, retries? })`, or with `getComponentAccessToken`
    /// (a shared token source) in place of the secret and the ticket; throws a `TcbError` on bad
    /// options.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<ComponentClient, JsValue> {
        let read = || -> Result<_, Error> {
            let o = Fields::of(&options, "options")?;
            let appid = credential(o.get("componentAppid"), "componentAppid")?;
            platform::validate_appid("componentAppid", &appid)?;
            let settings = args::settings(&o, platform::TOKEN_PARAM)?;
            let given = o.get("getComponentAccessToken");
            if !given.absent() {
                let others = ["componentAppsecret", "getComponentVerifyTicket", "componentVerifyTicket"];
                if others.iter().any(|k| !o.get(k).absent()) {
                    return Err(Error::invalid_argument("getComponentAccessToken", ONE_SOURCE));
                }
                return Ok((appid, Vec::new(), callback(given, "getComponentAccessToken")?, settings));
            }
            let secret = credential(o.get("componentAppsecret"), "componentAppsecret")?;
            let get = o.get("getComponentVerifyTicket");
            let ticket = match (o.get("componentVerifyTicket").string("componentVerifyTicket")?, get.absent()) {
                (Some(t), true) => {
                    platform::validate_code("componentVerifyTicket", &t)?;
                    Ticket::Fixed(t)
                }
                (None, false) => Ticket::Callback(callback(get, "getComponentVerifyTicket")?),
                (Some(_), false) => return Err(Error::invalid_argument("componentVerifyTicket", ONE_TICKET)),
                (None, true) => {
                    return Err(Error::invalid_argument("componentVerifyTicket", ONE_TICKET));
                }
            };
            let mut secrets = vec![secret.clone()];
            if let Ticket::Fixed(t) = &ticket {
                secrets.push(t.clone());
            }
            let component = Component { appid: appid.clone(), secret, ticket, base_url: settings.base_url.clone() };
            Ok((appid, secrets, component_token(component, settings.timeout_ms)?, settings))
        };
        let (appid, secrets, source, settings) = read().map_err(invalid)?;
        let tokens = Tokens::new(TokenSource::Callback(source));
        Ok(ComponentClient {
            inner: Rc::new(Inner { settings, tokens }),
            component_appid: appid.into(),
            secrets: secrets.into(),
            last_force: Rc::new(Cell::new(f64::NEG_INFINITY)),
        })
    }

    /// The client's component_access_token, from its cache, for `getComponentAccessToken`
    /// of the platform's `authorizerToken` sources: `({ forceRefresh?, signal? }) =>
    /// Promise<string>`. `forceRefresh` fetches a new token at most once per 30 s; a call within
    /// that time gets the token fetched then.
    #[wasm_bindgen(js_name = componentAccessToken)]
    pub fn component_access_token(&self, ctx: JsValue) -> Promise {
        let (force, signal) = context(&ctx);
        let (inner, last_force, secrets) = (self.inner.clone(), self.last_force.clone(), self.secrets.clone());
        promise(async move {
            let tokens = &inner.tokens;
            let now = js_sys::Date::now();
            let latest = tokens.seen().pop();
            let force = force && now - last_force.get() >= FORCE_REFRESH_INTERVAL_MS;
            let got = match Deadline::new(inner.settings.timeout_ms, signal) {
                Ok(d) => match latest.filter(|_| force) {
                    Some(rejected) => {
                        last_force.set(now);
                        tokens.refresh(&rejected, &d).await
                    }
                    None => tokens.current(&d).await,
                },
                Err(e) => Err(e.into()),
            };
            let mut hide = tokens.seen();
            hide.extend(secrets.iter().cloned());
            got.map(JsValue::from).map_err(|f| f.into_js(&hide))
        })
    }

    /// Sends one validated call; a refused argument rejects at once, nothing sent.
    fn send(&self, request: Result<Request, Error>) -> Promise {
        let r = match request {
            Ok(r) => r,
            Err(e) => return Promise::reject(&invalid(e)),
        };
        let (inner, secrets) = (self.inner.clone(), self.secrets.clone());
        promise(async move {
            let (inner, r, secrets) = (&*inner, &r, &*secrets);
            inner
                .run(
                    r.signal.clone(),
                    Box::new(move |d| {
                        Box::pin(async move {
                            let out = Cell::new(None);
                            let decode = |status: u16, text: &str| (r.decode)(status, text).map(|v| out.set(Some(v)));
                            let call = Call { path: r.path, body: &r.body, write: r.write, decode: &decode };
                            let done = inner.call(&call, &d).await;
                            done.map_err(|f| f.scrubbed(&hidden(secrets, r.code.as_deref())))?;
                            Ok(kept(&out)?)
                        })
                    }),
                )
                .await
        })
    }

    /// A pre-authorization code (`api_create_preauthcode`): `{ preAuthCode, expiresIn }`.
    #[wasm_bindgen(js_name = createPreAuthCode)]
    pub fn create_pre_auth_code(&self, options: JsValue) -> Promise {
        let request = args::options_signal(&options).map(|signal| Request {
            path: platform::PRE_AUTH_CODE_PATH,
            body: platform::pre_auth_code_body(&self.component_appid),
            write: false,
            decode: |s, t| to_js(&platform::decode_pre_auth_code(s, t)?),
            signal,
            code: None,
        });
        self.send(request)
    }

    /// The PC and mobile links that start an authorization for mini programs (`auth_type=2`):
    /// `{ pc, mobile }`. WeChat redirects to `redirectUri` with `auth_code` and `expires_in`.
    #[wasm_bindgen(js_name = authorizationLinks)]
    pub fn authorization_links(&self, pre_auth_code: JsValue, redirect_uri: JsValue) -> Result<JsValue, JsValue> {
        let build = || -> Result<JsValue, Error> {
            let code = args::string_arg(&pre_auth_code, "preAuthCode")?;
            let uri = args::string_arg(&redirect_uri, "redirectUri")?;
            to_js(&platform::authorization_links(&self.component_appid, &code, &uri)?)
        };
        build().map_err(invalid)
    }

    /// Exchanges an authorization code (`api_query_auth`): `{ authorizerAppid,
    /// authorizerAccessToken, expiresIn, authorizerRefreshToken, funcInfo }`. A code works once,
    /// so the call is never sent twice: a failure after sending is `unknown_outcome`.
    #[wasm_bindgen(js_name = queryAuth)]
    pub fn query_auth(&self, authorization_code: JsValue, options: JsValue) -> Promise {
        let read = || -> Result<Request, Error> {
            let code = args::string_arg(&authorization_code, "authorizationCode")?;
            Ok(Request {
                path: platform::QUERY_AUTH_PATH,
                body: platform::query_auth_body(&self.component_appid, &code)?,
                write: true,
                decode: |s, t| to_js(&platform::decode_query_auth(s, t)?),
                signal: args::options_signal(&options)?,
                code: Some(code),
            })
        };
        self.send(read())
    }

    /// An authorized account's profile and granted permission sets (`api_get_authorizer_info`).
    #[wasm_bindgen(js_name = getAuthorizerInfo)]
    pub fn get_authorizer_info(&self, authorizer_appid: JsValue, options: JsValue) -> Promise {
        let read = || -> Result<Request, Error> {
            let appid = args::string_arg(&authorizer_appid, "authorizerAppid")?;
            Ok(Request {
                path: platform::AUTHORIZER_INFO_PATH,
                body: platform::authorizer_info_body(&self.component_appid, &appid)?,
                write: false,
                decode: |s, t| to_js(&platform::decode_authorizer_info(s, t)?),
                signal: args::options_signal(&options)?,
                code: None,
            })
        };
        self.send(read())
    }

    /// One page of the authorized accounts (`api_get_authorizer_list`): `{ offset?, count?,
    /// signal? }` with `count` 1–500 (default 500).
    #[wasm_bindgen(js_name = getAuthorizerList)]
    pub fn get_authorizer_list(&self, request: JsValue) -> Promise {
        let read = || -> Result<Request, Error> {
            let a = Fields::optional(&request, "request")?;
            let page = ListPage::new(a.get("offset").number("offset")?, a.get("count").number("count")?)?;
            Ok(Request {
                path: AUTHORIZER_LIST_PATH,
                body: page.body(&self.component_appid),
                write: false,
                decode: |s, t| to_js(&platform::decode_authorizer_list(s, t)?),
                signal: args::signal(a.get("signal").value())?,
                code: None,
            })
        };
        self.send(read())
    }

    /// Every authorized account, 500 per request, under one deadline: `{ totalCount, list }`.
    #[wasm_bindgen(js_name = getAllAuthorizers)]
    pub fn get_all_authorizers(&self, options: JsValue) -> Promise {
        let signal = match args::options_signal(&options) {
            Ok(s) => s,
            Err(e) => return Promise::reject(&invalid(e)),
        };
        let (inner, appid, secrets) = (self.inner.clone(), self.component_appid.clone(), self.secrets.clone());
        promise(async move {
            let (inner, appid, secrets) = (&*inner, &*appid, &*secrets);
            inner
                .run(
                    signal,
                    Box::new(move |d| {
                        Box::pin(async move {
                            let mut all = AuthorizerList { total_count: 0, list: Vec::new() };
                            for page in 0..MAX_PAGES {
                                let body = ListPage { offset: page * MAX_COUNT, count: MAX_COUNT }.body(appid);
                                let out = Cell::new(None);
                                let decode = |s: u16, t: &str| platform::decode_authorizer_list(s, t).map(|l| out.set(Some(l)));
                                let call = Call { path: AUTHORIZER_LIST_PATH, body: &body, write: false, decode: &decode };
                                inner.call(&call, &d).await.map_err(|f| f.scrubbed(&hidden(secrets, None)))?;
                                let got = kept(&out)?;
                                let n = got.list.len();
                                all.total_count = got.total_count;
                                all.list.extend(got.list);
                                if complete(n, MAX_COUNT, all.list.len(), all.total_count) {
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
}
