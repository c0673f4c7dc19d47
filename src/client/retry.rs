//! One request, tried again as the core's [`RetryPolicy`] decides, and the one token refresh
//! after a rejection.
//!
//! `attempt` and `call` are not generic: a decoder keeps its typed result aside (see [`kept`]),
//! so that their state machines are compiled once for every endpoint.

use std::cell::Cell;

use super::Inner;
use super::deadline::Deadline;
use super::transport::post;
use crate::Error;
use crate::request::endpoint_url_with;
use crate::retry::Next;
use crate::wasm::error::Failure;

/// A request to one endpoint: its path, body, whether it writes, and how its answer decodes.
pub struct Call<'a> {
    /// The endpoint's path (`/tcb/getfuncconfig`).
    pub path: &'static str,
    /// The JSON body.
    pub body: &'a str,
    /// A write is never sent twice unless it certainly never left.
    pub write: bool,
    /// Decodes status and text, and keeps the result where its caller reads it.
    pub decode: &'a dyn Fn(u16, &str) -> Result<(), Error>,
}

/// The result a decoder kept, once its call has succeeded.
pub fn kept<T>(out: &Cell<Option<T>>) -> Result<T, Error> {
    // A call succeeds only after its decoder kept a result: the error is never seen.
    out.take().ok_or_else(|| Error::decode("the answer", "no result was kept", ""))
}

/// How an attempt ended without a result.
pub enum Failed {
    /// The server rejected the token: a fresh one may be tried once.
    TokenRejected(Error),
    /// Anything else.
    Other(Failure),
}

impl From<Error> for Failed {
    fn from(e: Error) -> Self {
        Failed::Other(Failure::Tcb(e))
    }
}

impl From<Failure> for Failed {
    fn from(f: Failure) -> Self {
        Failed::Other(f)
    }
}

impl From<Failed> for Failure {
    fn from(f: Failed) -> Self {
        match f {
            Failed::TokenRejected(e) => Failure::Tcb(e),
            Failed::Other(f) => f,
        }
    }
}

impl Inner {
    /// One request with `token`, retried while the policy says so.
    pub async fn attempt(&self, call: &Call<'_>, token: &str, refreshed: bool, deadline: &Deadline) -> Result<(), Failed> {
        let url = endpoint_url_with(&self.settings.base_url, call.path, self.settings.token_param, token);
        let policy = &self.settings.policy;
        let mut done = 0;
        loop {
            let e = match post(deadline, &url, call.body, call.write).await {
                Ok(answer) => match (call.decode)(answer.status, &answer.text) {
                    Ok(()) => return Ok(()),
                    Err(e) => e,
                },
                Err(e) => e,
            };
            let jitter = js_sys::Math::random();
            let (next, e) = if call.write {
                policy.next_write(e, done, refreshed, jitter)
            } else {
                (policy.next(&e, done, refreshed, jitter), e)
            };
            match next {
                Next::Retry { delay_ms } => deadline.sleep(delay_ms).await?,
                Next::RefreshToken => return Err(Failed::TokenRejected(e)),
                Next::Fail => return Err(e.into()),
            }
            done += 1;
        }
    }

    /// One request; a rejected token is replaced once and the request tried once more.
    pub async fn call(&self, call: &Call<'_>, deadline: &Deadline) -> Result<(), Failure> {
        let token = self.tokens.current(deadline).await?;
        match self.attempt(call, &token, false, deadline).await {
            Err(Failed::TokenRejected(e)) if !self.tokens.can_refresh() => Err(e.into()),
            Err(Failed::TokenRejected(_)) => {
                let fresh = self.tokens.refresh(&token, deadline).await?;
                Ok(self.attempt(call, &fresh, true, deadline).await?)
            }
            other => Ok(other?),
        }
    }
}
