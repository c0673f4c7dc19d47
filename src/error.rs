//! The one error type every failure becomes.

use core::fmt;

use crate::errcode;
use crate::model::FuncConfig;

/// What went wrong, in the broad classes a caller branches on.
///
/// The string form ([`ErrorKind::code`]) is the `code` that JavaScript callers see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// An argument failed validation; nothing was sent.
    InvalidArgument,
    /// WeChat answered with a non-zero `errcode`.
    Api,
    /// The server answered with an HTTP status outside 2xx.
    Http,
    /// The request did not complete (connection refused, reset, DNS, CORS).
    Network,
    /// The whole call took longer than its time limit.
    Timeout,
    /// The caller's abort signal fired.
    Aborted,
    /// The answer could not be decoded (not JSON, or not the documented shape).
    Decode,
    /// The caller's own token source (`getAccessToken`) failed or gave no usable token.
    Token,
    /// A write found the config changed since the caller (or the client's own first read) saw
    /// it; nothing was written.
    Conflict,
    /// A write was accepted but reading it back shows a different config.
    Unverified,
    /// A write may or may not have reached the server (it failed after being sent).
    UnknownOutcome,
}

impl ErrorKind {
    /// The stable, machine-readable name of this kind (`"invalid_argument"`, `"api"`, …).
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::InvalidArgument => "invalid_argument",
            ErrorKind::Api => "api",
            ErrorKind::Http => "http",
            ErrorKind::Network => "network",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Aborted => "aborted",
            ErrorKind::Decode => "decode",
            ErrorKind::Token => "token",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Unverified => "unverified",
            ErrorKind::UnknownOutcome => "unknown_outcome",
        }
    }
}

/// A failed call: its kind, WeChat's own code and message when there is one, a one-line hint
/// that says what to do, and whether trying again may succeed.
///
/// Errors never carry a secret: the client removes the access token from every text it puts in
/// one (see [`Error::redact`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// The broad class of the failure.
    pub kind: ErrorKind,
    /// A one-sentence description of what happened.
    pub message: String,
    /// What to do about it, in one line.
    pub hint: String,
    /// Whether the same call may succeed if tried again later.
    pub retryable: bool,
    /// WeChat's `errcode`, when `kind` is [`ErrorKind::Api`].
    pub errcode: Option<i64>,
    /// WeChat's `errmsg`, when `kind` is [`ErrorKind::Api`].
    pub errmsg: Option<String>,
    /// The HTTP status, when `kind` is [`ErrorKind::Http`].
    pub http_status: Option<u16>,
    /// The text that could not be decoded, when `kind` is [`ErrorKind::Decode`].
    pub raw: Option<String>,
    /// The request certainly never reached the server (the connection was refused), so even a
    /// write may be sent again.
    pub not_sent: bool,
    /// The two configs a [`Conflict`](ErrorKind::Conflict) or [`Unverified`](ErrorKind::Unverified)
    /// error is about (`None` inside: "not configured").
    pub versions: Option<Box<Versions>>,
}

/// The configs behind a conflict or a failed verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Versions {
    /// What the caller expected (conflict) or what was written (unverified).
    pub expected: Option<FuncConfig>,
    /// What the server has.
    pub actual: Option<FuncConfig>,
}

impl Error {
    fn new(kind: ErrorKind, message: String, hint: &str, retryable: bool) -> Self {
        Error {
            kind,
            message,
            hint: hint.to_string(),
            retryable,
            errcode: None,
            errmsg: None,
            http_status: None,
            raw: None,
            not_sent: false,
            versions: None,
        }
    }

    /// An argument broke a rule: `field` names it as the caller wrote it.
    pub fn invalid_argument(field: &str, rule: &str) -> Self {
        Error::new(ErrorKind::InvalidArgument, format!("{field} {rule}"), "fix the argument; nothing was sent", false)
    }

    /// WeChat answered `errcode` ≠ 0; the hint and retry class come from the errcode table.
    pub fn api(errcode: i64, errmsg: Option<String>) -> Self {
        let info = errcode::lookup(errcode);
        let shown = errmsg.as_deref().unwrap_or("(no errmsg)");
        let mut e = Error::new(
            ErrorKind::Api,
            format!("WeChat answered errcode {errcode}: {shown}"),
            info.hint,
            info.retryable,
        );
        e.errcode = Some(errcode);
        e.errmsg = errmsg;
        e
    }

    /// The server answered with a non-2xx HTTP status.
    pub fn http(status: u16) -> Self {
        let retryable = status >= 500 || status == 429;
        let hint = if retryable {
            "the server or a proxy in between failed; try again with backoff"
        } else if status == 404 {
            "check baseUrl: the path was not found there"
        } else {
            "check baseUrl and any proxy in between; this status is not WeChat's own answer"
        };
        let mut e = Error::new(ErrorKind::Http, format!("HTTP status {status} instead of 200"), hint, retryable);
        e.http_status = Some(status);
        e
    }

    /// The request did not complete; `detail` is the runtime's own reason.
    pub fn network(detail: &str) -> Self {
        Error::new(
            ErrorKind::Network,
            format!("the request failed before an answer arrived: {detail}"),
            "check connectivity and baseUrl (a browser also needs CORS on that server); try again",
            true,
        )
    }

    /// The call's time limit passed.
    pub fn timeout(ms: u32) -> Self {
        Error::new(
            ErrorKind::Timeout,
            format!("no complete answer within {ms} ms"),
            "try again later, or raise timeoutMs if the network is slow",
            true,
        )
    }

    /// The caller aborted the call.
    pub fn aborted() -> Self {
        Error::new(
            ErrorKind::Aborted,
            "the call was aborted by its signal".to_string(),
            "the caller cancelled this call; nothing more will happen",
            false,
        )
    }

    /// The answer could not be decoded; `raw` is the text that failed.
    pub fn decode(what: &str, detail: &str, raw: &str) -> Self {
        let mut e = Error::new(
            ErrorKind::Decode,
            format!("could not decode {what}: {detail}"),
            "the answer was not in the documented shape; the text is in `raw`, report it if it persists",
            false,
        );
        e.raw = Some(raw.to_string());
        e
    }

    /// The caller's token source failed; `detail` says how (never the token itself).
    pub fn token(detail: &str) -> Self {
        Error::new(
            ErrorKind::Token,
            format!("the token source failed: {detail}"),
            "check getAccessToken: it must resolve to a token string or { accessToken, expiresIn }",
            false,
        )
    }

    /// The config changed between the caller's read and this write; nothing was written.
    pub fn conflict(expected: Option<FuncConfig>, actual: Option<FuncConfig>) -> Self {
        let mut e = Error::new(
            ErrorKind::Conflict,
            "the config on the server is not the one this edit was based on; nothing was written".to_string(),
            "someone changed it meanwhile: read it again, re-apply your edit, then save",
            false,
        );
        e.versions = Some(Box::new(Versions { expected, actual }));
        e
    }

    /// The server accepted a write but reading it back gives another config.
    pub fn unverified(written: Option<FuncConfig>, read_back: Option<FuncConfig>) -> Self {
        let mut e = Error::new(
            ErrorKind::Unverified,
            "the write was accepted but reading it back shows a different config".to_string(),
            "the server may merge instead of replace, or someone wrote at the same time: read the config and check",
            false,
        );
        e.versions = Some(Box::new(Versions { expected: written, actual: read_back }));
        e
    }

    /// A write failed after it was sent: `cause` is what was seen (timeout, reset, 5xx…).
    pub fn unknown_outcome(cause: &Error) -> Self {
        Error::new(
            ErrorKind::UnknownOutcome,
            format!("the write may or may not have been applied: {}", cause.message),
            "read the config before trying again; the write was not repeated",
            false,
        )
    }

    /// Replaces every occurrence of `secret` in every text of the error with `***`.
    ///
    /// Servers and runtimes may echo a URL or a parameter back in a message; this is the last
    /// line of defence that keeps the access token out of logs.
    pub fn redact(mut self, secret: &str) -> Self {
        if secret.is_empty() {
            return self;
        }
        let scrub = |s: &mut String| {
            if s.contains(secret) {
                *s = s.replace(secret, "***");
            }
        };
        scrub(&mut self.message);
        scrub(&mut self.hint);
        if let Some(m) = self.errmsg.as_mut() {
            scrub(m);
        }
        if let Some(r) = self.raw.as_mut() {
            scrub(r);
        }
        self
    }

    /// The stable code of this error's kind (`"api"`, `"timeout"`, …).
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.hint)
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_retry_class_follows_status() {
        assert!(Error::http(500).retryable);
        assert!(Error::http(503).retryable);
        assert!(Error::http(429).retryable);
        assert!(!Error::http(404).retryable);
        assert!(!Error::http(403).retryable);
        assert_eq!(Error::http(502).http_status, Some(502));
        assert_eq!(Error::http(502).code(), "http");
    }

    #[test]
    fn redact_scrubs_every_text() {
        let mut e = Error::api(40014, Some("invalid access_token TOKEN123 rid: 1".into()));
        e.raw = Some("x TOKEN123 y".into());
        e.message.push_str(" TOKEN123");
        let e = e.redact("TOKEN123");
        for text in [&e.message, &e.hint, e.errmsg.as_ref().unwrap(), e.raw.as_ref().unwrap()] {
            assert!(!text.contains("TOKEN123"), "{text}");
        }
        assert!(e.errmsg.unwrap().contains("***"));
    }

    #[test]
    fn codes_are_stable() {
        let all = [
            (ErrorKind::InvalidArgument, "invalid_argument"),
            (ErrorKind::Api, "api"),
            (ErrorKind::Http, "http"),
            (ErrorKind::Network, "network"),
            (ErrorKind::Timeout, "timeout"),
            (ErrorKind::Aborted, "aborted"),
            (ErrorKind::Decode, "decode"),
            (ErrorKind::Token, "token"),
            (ErrorKind::Conflict, "conflict"),
            (ErrorKind::Unverified, "unverified"),
            (ErrorKind::UnknownOutcome, "unknown_outcome"),
        ];
        for (k, c) in all {
            assert_eq!(k.code(), c);
        }
    }
}
