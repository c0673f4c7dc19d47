//! The one error every failure becomes: an enum with the context of each kind.
//!
//! The decisions are made on it in Rust (retry, refresh the token once, a write's unknown
//! outcome); at the JavaScript boundary it becomes one `TcbError` object, once.

use core::fmt;

use crate::errcode;
use crate::model::FuncConfig;
use crate::push::PushReason;

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
    /// A push from WeChat was refused: its signature, time, ciphertext or content is wrong.
    Push,
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
            ErrorKind::Push => "push",
        }
    }
}

/// A failed call, with what each kind of failure knows.
///
/// Errors never carry a secret: the client removes every token and secret it holds from every
/// text it shows (see [`Error::redact`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// An argument broke a rule; nothing was sent.
    InvalidArgument {
        /// The argument as the caller wrote it (`env`, `config.environment[2].key`).
        field: String,
        /// The rule it broke.
        rule: String,
    },
    /// WeChat answered `errcode` ≠ 0.
    Api {
        /// WeChat's code.
        errcode: i64,
        /// WeChat's message, when it sent one.
        errmsg: Option<String>,
    },
    /// The server answered with a non-2xx HTTP status.
    Http {
        /// The status.
        status: u16,
    },
    /// The request did not complete.
    Network {
        /// The runtime's own reason.
        detail: String,
        /// Whether the request may have reached the server. `false` only when it certainly
        /// never left (the connection was refused), so that even a write may be sent again.
        sent: bool,
    },
    /// The call's time limit passed.
    Timeout {
        /// The limit, in milliseconds.
        ms: u32,
    },
    /// The caller aborted the call.
    Aborted,
    /// The answer could not be decoded.
    Decode {
        /// What was being decoded ("the answer", "the type 3 (environment) config").
        what: String,
        /// What was wrong with it.
        detail: String,
        /// The text that failed (empty where it may hold a secret, as token answers do).
        raw: String,
    },
    /// The caller's token source failed; never the token itself.
    Token {
        /// How it failed.
        detail: String,
        /// What to do about it.
        hint: &'static str,
    },
    /// The config changed between the caller's read and this write; nothing was written.
    Conflict(Box<Versions>),
    /// The server accepted a write but reading it back gives another config.
    Unverified(Box<Versions>),
    /// A write failed after it was sent and may have been applied.
    UnknownOutcome {
        /// What was seen (timeout, reset, 5xx…).
        cause: Box<Error>,
    },
    /// A push from WeChat was refused. Its texts are fixed by the crate, never taken from the
    /// push, so that no token, key, ticket or plaintext can reach them.
    Push {
        /// Why, as a stable name (`bad_signature`, `stale`…).
        reason: PushReason,
        /// What exactly was wrong.
        detail: &'static str,
    },
}

/// The configs behind a conflict or a failed verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Versions {
    /// What the caller expected (conflict) or what was written (unverified).
    pub expected: Option<FuncConfig>,
    /// What the server has.
    pub actual: Option<FuncConfig>,
}

/// The hint of a token source that failed.
const TOKEN_HINT: &str = "check getAccessToken: it must resolve to a token string or { accessToken, expiresIn }";

impl Error {
    /// An argument broke a rule: `field` names it as the caller wrote it.
    pub fn invalid_argument(field: &str, rule: &str) -> Self {
        Error::InvalidArgument { field: field.to_string(), rule: rule.to_string() }
    }

    /// WeChat answered `errcode` ≠ 0; the hint and retry class come from the errcode table.
    pub fn api(errcode: i64, errmsg: Option<String>) -> Self {
        Error::Api { errcode, errmsg }
    }

    /// The server answered with a non-2xx HTTP status.
    pub fn http(status: u16) -> Self {
        Error::Http { status }
    }

    /// The request failed after it may have reached the server; `detail` is the runtime's reason.
    pub fn network(detail: &str) -> Self {
        Error::Network { detail: detail.to_string(), sent: true }
    }

    /// The request certainly never left (the connection was refused).
    pub fn never_sent(detail: &str) -> Self {
        Error::Network { detail: detail.to_string(), sent: false }
    }

    /// The call's time limit passed.
    pub fn timeout(ms: u32) -> Self {
        Error::Timeout { ms }
    }

    /// The caller aborted the call.
    pub fn aborted() -> Self {
        Error::Aborted
    }

    /// The answer could not be decoded; `raw` is the text that failed.
    pub fn decode(what: &str, detail: &str, raw: &str) -> Self {
        Error::Decode { what: what.to_string(), detail: detail.to_string(), raw: raw.to_string() }
    }

    /// An answer over the size this client reads.
    pub fn too_large() -> Self {
        Error::decode("the answer", "its body is larger than the 4 MiB this client reads", "")
    }

    /// The caller's token source failed; `detail` says how (never the token itself).
    pub fn token(detail: &str) -> Self {
        Error::Token { detail: detail.to_string(), hint: TOKEN_HINT }
    }

    /// A token source failed in a way that has its own advice.
    pub fn token_with_hint(detail: &str, hint: &'static str) -> Self {
        Error::Token { detail: detail.to_string(), hint }
    }

    /// The config changed between the caller's read and this write; nothing was written.
    pub fn conflict(expected: Option<FuncConfig>, actual: Option<FuncConfig>) -> Self {
        Error::Conflict(Box::new(Versions { expected, actual }))
    }

    /// The server accepted a write but reading it back gives another config.
    pub fn unverified(written: Option<FuncConfig>, read_back: Option<FuncConfig>) -> Self {
        Error::Unverified(Box::new(Versions { expected: written, actual: read_back }))
    }

    /// A write failed after it was sent: `cause` is what was seen.
    pub fn unknown_outcome(cause: Error) -> Self {
        Error::UnknownOutcome { cause: Box::new(cause) }
    }

    /// A push from WeChat was refused for `reason`; `detail` is fixed text, never the push's.
    pub fn push(reason: PushReason, detail: &'static str) -> Self {
        Error::Push { reason, detail }
    }

    /// The broad class of the failure.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidArgument { .. } => ErrorKind::InvalidArgument,
            Error::Api { .. } => ErrorKind::Api,
            Error::Http { .. } => ErrorKind::Http,
            Error::Network { .. } => ErrorKind::Network,
            Error::Timeout { .. } => ErrorKind::Timeout,
            Error::Aborted => ErrorKind::Aborted,
            Error::Decode { .. } => ErrorKind::Decode,
            Error::Token { .. } => ErrorKind::Token,
            Error::Conflict(_) => ErrorKind::Conflict,
            Error::Unverified(_) => ErrorKind::Unverified,
            Error::UnknownOutcome { .. } => ErrorKind::UnknownOutcome,
            Error::Push { .. } => ErrorKind::Push,
        }
    }

    /// The stable code of this error's kind (`"api"`, `"timeout"`, …).
    pub fn code(&self) -> &'static str {
        self.kind().code()
    }

    /// A one-sentence description of what happened.
    pub fn message(&self) -> String {
        match self {
            Error::InvalidArgument { field, rule } => format!("{field} {rule}"),
            Error::Api { errcode, errmsg } => {
                format!("WeChat answered errcode {errcode}: {}", errmsg.as_deref().unwrap_or("(no errmsg)"))
            }
            Error::Http { status } => format!("HTTP status {status} instead of 200"),
            Error::Network { detail, .. } => format!("the request failed before an answer arrived: {detail}"),
            Error::Timeout { ms } => format!("no complete answer within {ms} ms"),
            Error::Aborted => "the call was aborted by its signal".to_string(),
            Error::Decode { what, detail, .. } => format!("could not decode {what}: {detail}"),
            Error::Token { detail, .. } => format!("the token source failed: {detail}"),
            Error::Conflict(_) => {
                "the config on the server is not the one this edit was based on; nothing was written".to_string()
            }
            Error::Unverified(_) => "the write was accepted but reading it back shows a different config".to_string(),
            Error::UnknownOutcome { cause } => format!("the write may or may not have been applied: {}", cause.message()),
            Error::Push { detail, .. } => format!("the push was refused: {detail}"),
        }
    }

    /// What to do about it, in one line.
    pub fn hint(&self) -> &'static str {
        match self {
            Error::InvalidArgument { .. } => "fix the argument; nothing was sent",
            Error::Api { errcode, .. } => errcode::lookup(*errcode).hint,
            Error::Http { .. } if self.retryable() => {
                "the server or a proxy in between failed; try again with backoff"
            }
            Error::Http { status: 404 } => "check baseUrl: the path was not found there",
            Error::Http { .. } => "check baseUrl and any proxy in between; this status is not WeChat's own answer",
            Error::Network { .. } => {
                "check connectivity and baseUrl (a browser also needs CORS on that server); try again"
            }
            Error::Timeout { .. } => "try again later, or raise timeoutMs if the network is slow",
            Error::Aborted => "the caller cancelled this call; nothing more will happen",
            Error::Decode { .. } => {
                "the answer was not in the documented shape; the text is in `raw`, report it if it persists"
            }
            Error::Token { hint, .. } => hint,
            Error::Conflict(_) => "someone changed it meanwhile: read it again, re-apply your edit, then save",
            Error::Unverified(_) => {
                "the server may merge instead of replace, or someone wrote at the same time: read the config and check"
            }
            Error::UnknownOutcome { .. } => "read the config before trying again; the write was not repeated",
            Error::Push { reason, .. } => reason.hint(),
        }
    }

    /// Whether the same call may succeed if tried again later.
    pub fn retryable(&self) -> bool {
        match self {
            Error::Api { errcode, .. } => errcode::lookup(*errcode).retryable,
            Error::Http { status } => *status >= 500 || *status == 429,
            Error::Network { .. } | Error::Timeout { .. } => true,
            _ => false,
        }
    }

    /// WeChat's `errcode`, for an [`Error::Api`].
    pub fn errcode(&self) -> Option<i64> {
        match self {
            Error::Api { errcode, .. } => Some(*errcode),
            _ => None,
        }
    }

    /// WeChat's `errmsg`, for an [`Error::Api`] that has one.
    pub fn errmsg(&self) -> Option<&str> {
        match self {
            Error::Api { errmsg, .. } => errmsg.as_deref(),
            _ => None,
        }
    }

    /// The HTTP status, for an [`Error::Http`].
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Error::Http { status } => Some(*status),
            _ => None,
        }
    }

    /// The text that could not be decoded, for an [`Error::Decode`].
    pub fn raw(&self) -> Option<&str> {
        match self {
            Error::Decode { raw, .. } => Some(raw),
            _ => None,
        }
    }

    /// Why a push was refused, for an [`Error::Push`].
    pub fn push_reason(&self) -> Option<PushReason> {
        match self {
            Error::Push { reason, .. } => Some(*reason),
            _ => None,
        }
    }

    /// The two configs of a conflict or a failed verification.
    pub fn versions(&self) -> Option<&Versions> {
        match self {
            Error::Conflict(v) | Error::Unverified(v) => Some(v),
            _ => None,
        }
    }

    /// Replaces every occurrence of `secret` in every text of the error with `***`.
    ///
    /// Servers and runtimes may echo a URL or a parameter back in a message; this is the last
    /// line of defence that keeps tokens and secrets out of logs.
    pub fn redact(mut self, secret: &str) -> Self {
        if secret.is_empty() {
            return self;
        }
        let scrub = |s: &mut String| {
            if let Some(clean) = masked(s, secret) {
                *s = clean;
            }
        };
        match &mut self {
            Error::InvalidArgument { field, rule } => {
                scrub(field);
                scrub(rule);
            }
            Error::Api { errmsg: Some(m), .. } => scrub(m),
            Error::Network { detail, .. } | Error::Token { detail, .. } => scrub(detail),
            Error::Decode { what, detail, raw } => {
                scrub(what);
                scrub(detail);
                scrub(raw);
            }
            Error::UnknownOutcome { cause } => **cause = cause.as_ref().clone().redact(secret),
            _ => {}
        }
        self
    }
}

/// `text` with every occurrence of `secret` replaced by `***`, left to right as `str::replace`
/// does; `None` when there is none. A plain byte comparison: the wasm module then carries no
/// substring searcher.
pub(crate) fn masked(text: &str, secret: &str) -> Option<String> {
    let (bytes, needle) = (text.as_bytes(), secret.as_bytes());
    if needle.is_empty() {
        return None;
    }
    let mut out = String::new();
    let (mut at, mut kept) = (0, 0);
    while at < bytes.len() {
        if bytes.get(at..).is_some_and(|rest| rest.starts_with(needle)) {
            // A match of valid UTF-8 in valid UTF-8 starts and ends on character boundaries.
            out.push_str(text.get(kept..at).unwrap_or_default());
            out.push_str("***");
            at += needle.len();
            kept = at;
        } else {
            at += 1;
        }
    }
    if kept == 0 {
        return None;
    }
    out.push_str(text.get(kept..).unwrap_or_default());
    Some(out)
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message(), self.hint())
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_retry_class_follows_status() {
        assert!(Error::http(500).retryable());
        assert!(Error::http(503).retryable());
        assert!(Error::http(429).retryable());
        assert!(!Error::http(404).retryable());
        assert!(!Error::http(403).retryable());
        assert_eq!(Error::http(502).http_status(), Some(502));
        assert_eq!(Error::http(502).code(), "http");
        assert!(Error::http(404).hint().contains("baseUrl"));
    }

    #[test]
    fn masked_replaces_like_str_replace() {
        for (text, secret) in [
            ("abc", "b"),
            ("aaaa", "aa"),
            ("aaa", "aa"),
            ("token=T0K; again T0K", "T0K"),
            ("T0K", "T0K"),
            ("no match here", "zzz"),
            ("", "x"),
            ("x", "longer"),
            ("é密钥é密钥", "密钥"),
            ("ab", "b"),
        ] {
            let want = text.contains(secret).then(|| text.replace(secret, "***"));
            assert_eq!(masked(text, secret), want, "{text:?} {secret:?}");
        }
        assert_eq!(masked("abc", ""), None);
    }

    #[test]
    fn redact_scrubs_every_text() {
        let e = Error::api(40014, Some("invalid access_token TOKEN123 rid: 1".into())).redact("TOKEN123");
        assert!(!e.message().contains("TOKEN123"));
        assert!(e.errmsg().unwrap().contains("***"));
        let e = Error::decode("x TOKEN123", "y TOKEN123", "z TOKEN123").redact("TOKEN123");
        for text in [e.message(), e.hint().to_string(), e.raw().unwrap().to_string()] {
            assert!(!text.contains("TOKEN123"), "{text}");
        }
        let e = Error::unknown_outcome(Error::network("reset at ?access_token=TOKEN123")).redact("TOKEN123");
        assert!(!e.message().contains("TOKEN123"), "{}", e.message());
    }

    #[test]
    fn a_network_error_says_whether_it_may_have_arrived() {
        assert!(matches!(Error::network("reset"), Error::Network { sent: true, .. }));
        assert!(matches!(Error::never_sent("ECONNREFUSED"), Error::Network { sent: false, .. }));
        assert!(Error::never_sent("x").retryable());
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
            (ErrorKind::Push, "push"),
        ];
        for (k, c) in all {
            assert_eq!(k.code(), c);
        }
    }
}
