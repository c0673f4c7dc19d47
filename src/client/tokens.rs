//! A client's token source and its cache.
//!
//! The cache holds plain values only, never a future or a promise: in workerd a request must
//! not await a promise that another request created. One fetch runs at a time; concurrent calls
//! on a cold client wait for it by polling those plain values.
//!
//! A fetch can be abandoned without ending: when workerd tears a request down (its client went
//! away, or it answered and left the call behind), that request's promises never settle and its
//! timers never fire, so its call is never completed nor dropped. A fetch is therefore trusted only until its call's deadline; after
//! that a waiting call fetches itself.

use std::cell::RefCell;

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;

use super::deadline::Deadline;
use crate::Error;
use crate::request::validate_access_token;
use crate::token::{CachedToken, RENEW_BEFORE_SECS};
use crate::wasm::args::TokenSource;
use crate::wasm::error::{Failure, is_tcb_error};

/// How often a call waiting for another call's token fetch looks again, in milliseconds.
const POLL_MS: u32 = 2;

/// A token in the cache, when it must be fetched anew (ms since the epoch) and the number of
/// the fetch that gave it.
#[derive(Clone)]
struct Cached {
    token: String,
    renew_at: f64,
    by: u64,
}

/// The fetch under way: its number, and when its call's deadline passes (ms since the epoch).
#[derive(Clone, Copy)]
struct Fetch {
    id: u64,
    until: f64,
}

#[derive(Default)]
struct State {
    cache: Option<Cached>,
    /// The fetch under way (in this or another call), if any.
    fetching: Option<Fetch>,
    /// How many fetches have started; each takes the next number.
    started: u64,
    /// Every token handed out, so that errors can be scrubbed of all of them.
    seen: Vec<String>,
}

/// The token source of one client.
pub struct Tokens {
    source: TokenSource,
    state: RefCell<State>,
}

/// Clears `fetching` however the fetch ends, even when its call is dropped, unless a later
/// fetch has taken over.
struct Fetching<'a>(&'a RefCell<State>, u64);

impl Drop for Fetching<'_> {
    fn drop(&mut self) {
        let mut s = self.0.borrow_mut();
        if s.fetching.is_some_and(|f| f.id == self.1) {
            s.fetching = None;
        }
    }
}

fn now() -> f64 {
    js_sys::Date::now()
}

/// A token from a callback (a string or `{ accessToken, expiresIn? }`), checked.
pub fn read_token(value: &JsValue, now_ms: f64, name: &str) -> Result<CachedToken, Error> {
    let get = |k: &str| Reflect::get(value, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED);
    let (token, expires_in) = if let Some(t) = value.as_string() {
        (t, None)
    } else if value.is_object() {
        let e = get("expiresIn").as_f64().filter(|e| e.is_finite() && *e >= 0.0);
        (get("accessToken").as_string().unwrap_or_default(), e.map(|e| e.min(f64::from(u32::MAX)) as u32))
    } else {
        (String::new(), None)
    };
    validate_access_token("accessToken", &token)
        .map_err(|e| Error::token(&format!("{name} gave no usable token: the {}", e.message())))?;
    Ok(CachedToken::new(token, expires_in, now_ms))
}

/// When a cached token must be fetched anew.
pub fn renew_at(t: &CachedToken) -> f64 {
    t.expires_at_ms.map_or(f64::INFINITY, |at| at - f64::from(RENEW_BEFORE_SECS) * 1000.0)
}

/// Calls a user callback with `arg` and awaits it within the deadline. A `TcbError` it throws
/// passes through; anything else becomes a `token` error without its message (which may hold
/// a secret).
pub async fn call_user(deadline: &Deadline, f: &Function, arg: &JsValue, name: &str) -> Result<JsValue, Failure> {
    let refused = |reason: JsValue| -> Failure {
        if is_tcb_error(&reason) {
            Failure::Passed(reason)
        } else {
            Error::token(&format!("{name} threw or rejected")).into()
        }
    };
    let returned = f.call1(&JsValue::UNDEFINED, arg).map_err(refused)?;
    deadline.promise(js_sys::Promise::resolve(&returned)).await?.map_err(refused)
}

impl Tokens {
    /// Tokens from `source`.
    pub fn new(source: TokenSource) -> Tokens {
        let seen = match &source {
            TokenSource::Fixed(t) => vec![t.clone()],
            TokenSource::Callback(_) => Vec::new(),
        };
        Tokens { source, state: RefCell::new(State { seen, ..State::default() }) }
    }

    /// Whether a rejected token can be replaced.
    pub fn can_refresh(&self) -> bool {
        matches!(self.source, TokenSource::Callback(_))
    }

    /// Every token handed out so far.
    pub fn seen(&self) -> Vec<String> {
        self.state.borrow().seen.clone()
    }

    fn usable(&self, unlike: Option<&str>) -> Option<String> {
        let s = self.state.borrow();
        s.cache.as_ref().filter(|c| now() < c.renew_at && Some(c.token.as_str()) != unlike).map(|c| c.token.clone())
    }

    /// The token to use now.
    pub async fn current(&self, deadline: &Deadline) -> Result<String, Failure> {
        if let TokenSource::Fixed(t) = &self.source {
            return Ok(t.clone());
        }
        self.obtain(false, None, deadline).await
    }

    /// A fresh token after the server rejected `rejected`; one another call already fetched
    /// is used instead.
    pub async fn refresh(&self, rejected: &str, deadline: &Deadline) -> Result<String, Failure> {
        if !self.can_refresh() {
            return Err(Error::token("a static accessToken cannot be refreshed").into());
        }
        self.obtain(true, Some(rejected), deadline).await
    }

    async fn obtain(&self, force: bool, unlike: Option<&str>, deadline: &Deadline) -> Result<String, Failure> {
        loop {
            if let Some(t) = self.usable(unlike) {
                return Ok(t);
            }
            // None under way, or one whose call's deadline has passed: abandoned, never to end.
            let live = self.state.borrow().fetching.is_some_and(|f| now() < f.until);
            if !live {
                return self.fetch(force, deadline).await;
            }
            deadline.sleep(POLL_MS).await?;
        }
    }

    async fn fetch(&self, force: bool, deadline: &Deadline) -> Result<String, Failure> {
        let TokenSource::Callback(callback) = &self.source else {
            return Err(Error::token("a static accessToken cannot be refreshed").into());
        };
        let id = {
            let mut s = self.state.borrow_mut();
            s.started += 1;
            s.fetching = Some(Fetch { id: s.started, until: deadline.ends_at() });
            s.started
        };
        let _fetching = Fetching(&self.state, id);
        let ctx = Object::new();
        let _ = Reflect::set(&ctx, &"forceRefresh".into(), &force.into());
        let _ = Reflect::set(&ctx, &"signal".into(), &deadline.signal());
        let value = call_user(deadline, callback, &ctx, "getAccessToken").await?;
        let token = read_token(&value, now(), "getAccessToken")?;
        let mut s = self.state.borrow_mut();
        if !s.seen.contains(&token.token) {
            s.seen.push(token.token.clone());
        }
        // A late result of an abandoned fetch must not replace the token of a fetch that started
        // after it: that one asked later, so its token is at least as new. (Should the late one
        // have been a forced refresh that reached WeChat last, the cached token is rejected and
        // refreshed as any other.)
        if s.cache.as_ref().is_none_or(|c| c.by < id) {
            s.cache = Some(Cached { renew_at: renew_at(&token), token: token.token.clone(), by: id });
        }
        Ok(token.token)
    }
}
