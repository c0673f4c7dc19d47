//! When a failed call is tried again, and after how long.
//!
//! Only what may succeed is retried: network failures, HTTP 5xx and 429, and WeChat's
//! "system busy" errcodes -1 and -1000. Quotas (45009, 45011), parameter and permission errors,
//! 61xxx, 85088 and 85089 are never retried. A rejected token (40001, 40014, 42001) is not a
//! retry: the client fetches a fresh token once and tries once more, never in a loop.

use crate::error::Error;

/// Default number of retries after the first attempt (3 attempts in all).
pub const DEFAULT_RETRIES: u32 = 2;
/// Largest accepted `retries`.
pub const MAX_RETRIES: u32 = 10;

/// Retry limits and backoff (exponential with full jitter).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub retries: u32,
    /// Backoff before the first retry is drawn from `0..base_ms`.
    pub base_ms: u32,
    /// Largest backoff.
    pub cap_ms: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { retries: DEFAULT_RETRIES, base_ms: 100, cap_ms: 2000 }
    }
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Wait this long, then try again.
    Retry {
        /// Backoff in milliseconds.
        delay_ms: u32,
    },
    /// The server rejected the token: fetch a fresh one and try once more.
    RefreshToken,
    /// Give up with this error.
    Fail,
}

/// Whether the error is one that the same request may not get again.
pub fn is_transient(e: &Error) -> bool {
    match e {
        Error::Network { .. } => true,
        Error::Http { .. } => e.retryable(),
        Error::Api { errcode, .. } => matches!(errcode, -1 | -1000),
        _ => false,
    }
}

/// Whether the server rejected the access token (a fresh token may cure it).
pub fn is_token_rejected(e: &Error) -> bool {
    matches!(e, Error::Api { errcode: 40001 | 40014 | 42001, .. })
}

impl RetryPolicy {
    /// Validates `retries` (a whole number from 0 to 10).
    pub fn with_retries(field: &str, retries: f64) -> Result<RetryPolicy, Error> {
        if retries.is_finite() && retries.fract() == 0.0 && (0.0..=f64::from(MAX_RETRIES)).contains(&retries) {
            Ok(RetryPolicy { retries: retries as u32, ..RetryPolicy::default() })
        } else {
            Err(Error::invalid_argument(field, "must be a whole number from 0 to 10"))
        }
    }

    /// Backoff before retry number `retry` (0 for the first), from a uniform `jitter` in [0, 1).
    pub fn backoff_ms(&self, retry: u32, jitter: f64) -> u32 {
        let ceiling = self.base_ms.saturating_mul(1u32.checked_shl(retry).unwrap_or(u32::MAX)).min(self.cap_ms);
        let j = if jitter.is_finite() { jitter.clamp(0.0, 1.0) } else { 0.0 };
        ((f64::from(ceiling) * j) as u32).min(ceiling.saturating_sub(1))
    }

    /// Decides after a failure. `retries_done` counts retries already made; `refreshed` says
    /// whether this call already fetched a fresh token.
    pub fn next(&self, e: &Error, retries_done: u32, refreshed: bool, jitter: f64) -> Next {
        if is_token_rejected(e) {
            return if refreshed { Next::Fail } else { Next::RefreshToken };
        }
        if is_transient(e) && retries_done < self.retries {
            return Next::Retry { delay_ms: self.backoff_ms(retries_done, jitter) };
        }
        Next::Fail
    }

    /// Decides after a failed write, which must never be applied twice.
    ///
    /// A rejected token and every other `errcode` are answers: WeChat refused the write, so a
    /// fresh token may be tried once and the rest fail as they are. A request that certainly
    /// never left (connection refused) is retried like a read. Anything else that failed after
    /// sending — a timeout, a reset, a gateway's 5xx, an undecodable answer — may have been
    /// applied: it becomes [`ErrorKind::UnknownOutcome`] and is never retried.
    pub fn next_write(&self, e: Error, retries_done: u32, refreshed: bool, jitter: f64) -> (Next, Error) {
        let ambiguous = match &e {
            Error::Http { status } => *status >= 500,
            Error::Network { sent, .. } => *sent,
            Error::Timeout { .. } | Error::Aborted | Error::Decode { .. } => true,
            _ => false,
        };
        if ambiguous {
            return (Next::Fail, Error::unknown_outcome(e));
        }
        (self.next(&e, retries_done, refreshed, jitter), e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use crate::errcode;

    #[test]
    fn writes_are_retried_only_when_they_never_left() {
        let p = RetryPolicy::default();
        let refused = Error::never_sent("connect ECONNREFUSED");
        assert!(matches!(p.next_write(refused.clone(), 0, false, 0.5).0, Next::Retry { .. }));
        assert_eq!(p.next_write(refused, 2, false, 0.5).0, Next::Fail, "retries are still bounded");
        for sent in [
            Error::network("socket hang up"),
            Error::timeout(10),
            Error::aborted(),
            Error::http(502),
            Error::decode("the answer", "not JSON", "<html>"),
        ] {
            let (next, e) = p.next_write(sent, 0, false, 0.5);
            assert_eq!(next, Next::Fail);
            assert_eq!(e.kind(), ErrorKind::UnknownOutcome);
            assert!(e.hint().contains("read the config"), "{}", e.hint());
        }
        let (next, e) = p.next_write(Error::api(40001, None), 0, false, 0.5);
        assert_eq!((next, e.kind()), (Next::RefreshToken, ErrorKind::Api));
        let (next, e) = p.next_write(Error::api(-1, None), 0, false, 0.5);
        assert_eq!(
            (next, e.kind()),
            (Next::Retry { delay_ms: 50 }, ErrorKind::Api),
            "errcode -1 is an answer: not applied"
        );
        let (next, e) = p.next_write(Error::http(429), 0, false, 0.5);
        assert_eq!((matches!(next, Next::Retry { .. }), e.kind()), (true, ErrorKind::Http));
        assert_eq!(p.next_write(Error::http(404), 0, false, 0.5).0, Next::Fail);
    }

    #[test]
    fn backoff_is_exponential_with_full_jitter_and_capped() {
        let p = RetryPolicy::default();
        assert_eq!(p.backoff_ms(0, 0.0), 0);
        assert_eq!(p.backoff_ms(0, 0.5), 50);
        assert_eq!(p.backoff_ms(1, 0.5), 100);
        assert_eq!(p.backoff_ms(2, 0.5), 200);
        assert_eq!(p.backoff_ms(3, 0.999), 799);
        assert_eq!(p.backoff_ms(4, 0.999), 1598);
        assert_eq!(p.backoff_ms(5, 0.999), 1998, "capped at 2 s");
        assert_eq!(p.backoff_ms(31, 0.999), 1998);
        assert_eq!(p.backoff_ms(200, 0.999), 1998, "no overflow");
        for j in [0.0, 0.1, 0.5, 0.9, 0.999_999, 1.0, -3.0, f64::NAN] {
            for r in 0..12 {
                let d = p.backoff_ms(r, j);
                assert!(d < p.cap_ms, "{r} {j} -> {d}");
            }
        }
    }

    #[test]
    fn only_transient_failures_are_retried() {
        let p = RetryPolicy::default();
        let retried = |e: &Error| matches!(p.next(e, 0, false, 0.5), Next::Retry { .. });
        assert!(retried(&Error::network("reset")));
        assert!(retried(&Error::http(500)));
        assert!(retried(&Error::http(503)));
        assert!(retried(&Error::http(429)));
        assert!(!retried(&Error::http(404)));
        assert!(!retried(&Error::timeout(100)));
        assert!(!retried(&Error::aborted()));
        assert!(!retried(&Error::decode("x", "y", "z")));
        assert!(!retried(&Error::invalid_argument("env", "bad")));
        for &code in errcode::KNOWN {
            let e = Error::api(code, None);
            let expected = match code {
                -1 | -1000 => "retry",
                40001 | 40014 | 42001 => "refresh",
                _ => "fail",
            };
            let got = match p.next(&e, 0, false, 0.5) {
                Next::Retry { .. } => "retry",
                Next::RefreshToken => "refresh",
                Next::Fail => "fail",
            };
            assert_eq!(got, expected, "errcode {code}");
        }
    }

    #[test]
    fn retries_stop_at_the_limit() {
        let p = RetryPolicy::default();
        let busy = Error::api(-1, None);
        assert!(matches!(p.next(&busy, 0, false, 0.0), Next::Retry { .. }));
        assert!(matches!(p.next(&busy, 1, false, 0.0), Next::Retry { .. }));
        assert_eq!(p.next(&busy, 2, false, 0.0), Next::Fail);
        let none = RetryPolicy { retries: 0, ..p };
        assert_eq!(none.next(&busy, 0, false, 0.0), Next::Fail);
    }

    #[test]
    fn a_rejected_token_is_refreshed_once_never_in_a_loop() {
        let p = RetryPolicy::default();
        for code in [40001, 40014, 42001] {
            let e = Error::api(code, None);
            assert_eq!(p.next(&e, 0, false, 0.0), Next::RefreshToken);
            assert_eq!(p.next(&e, 0, true, 0.0), Next::Fail, "a second rejection fails");
            assert_eq!(p.next(&e, 5, true, 0.0), Next::Fail);
        }
    }

    #[test]
    fn retries_option_is_validated() {
        assert_eq!(RetryPolicy::with_retries("retries", 0.0).unwrap().retries, 0);
        assert_eq!(RetryPolicy::with_retries("retries", 10.0).unwrap().retries, 10);
        for bad in [-1.0, 11.0, 1.5, f64::NAN, f64::INFINITY] {
            assert!(RetryPolicy::with_retries("retries", bad).is_err(), "{bad}");
        }
    }
}
