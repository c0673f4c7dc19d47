//! WeChat's `errcode` table for `tcb/getfuncconfig` and its siblings: what each code means,
//! what to do about it, and whether trying again can help.

/// What the client knows about one `errcode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrcodeInfo {
    /// The code's meaning, as WeChat documents it.
    pub meaning: &'static str,
    /// One line saying what to do.
    pub hint: &'static str,
    /// Whether the same call may succeed later without changing anything.
    pub retryable: bool,
    /// Whether a fresh access token may cure it (refresh once, retry once).
    pub token_rejected: bool,
}

const fn info(meaning: &'static str, hint: &'static str, retryable: bool) -> ErrcodeInfo {
    ErrcodeInfo { meaning, hint, retryable, token_rejected: false }
}

const fn token(meaning: &'static str, hint: &'static str) -> ErrcodeInfo {
    ErrcodeInfo { meaning, hint, retryable: false, token_rejected: true }
}

/// Every code the spec documents for getfuncconfig, in its order.
pub const KNOWN: &[i64] = &[
    -1, -1000, 40001, 40014, 40066, 40097, 40101, 41001, 42001, 43002, 44002, 47001, 45009, 45011, 48001, 61007, 61004,
    85088, 85089,
];

/// Codes of the token endpoints (stable_token, api_component_token, api_authorizer_token).
pub const TOKEN_ENDPOINTS: &[i64] = &[40002, 40013, 40125, 41002, 41004, 61003, 61004, 61005, 61006, 61023, 45009];

/// Codes of the third-party platform's calls (authorization, authorizers, getenvinfo).
pub const PLATFORM: &[i64] = &[61003, 61004, 61005, 61006, 61007, 61009, 61010, 61023, 85088, 40013, 45009];

/// Looks up a code; codes outside the table keep WeChat's own `errmsg` and are not retried.
pub fn lookup(errcode: i64) -> ErrcodeInfo {
    match errcode {
        0 => info("ok", "no error", false),
        -1 => info("system busy", "WeChat is busy; try again with backoff", true),
        -1000 => info("system error", "WeChat had an internal error; try again with backoff", true),
        40001 => token(
            "invalid credential, or not the latest access_token",
            "the token was replaced or revoked; fetch a fresh access_token and retry once",
        ),
        40014 => token(
            "invalid access_token",
            "this endpoint needs a third-party platform's authorizer_access_token; a mini program's own access_token (stable_token) is refused here",
        ),
        40066 => info("invalid url", "the endpoint path is wrong; check baseUrl (no extra path)", false),
        40097 => info("invalid request parameter", "check env, functionName and type", false),
        40101 => info(
            "missing required parameter",
            "a required body field was missing; check env, functionName and type",
            false,
        ),
        41001 => info("access_token missing", "pass a non-empty accessToken", false),
        42001 => token(
            "access_token expired",
            "the token expired (they last 7200 s); fetch a fresh access_token and retry once",
        ),
        43002 => info("HTTP method must be POST", "a proxy changed the method; send POST", false),
        44002 => info("empty POST body", "a proxy dropped the body; send the JSON body", false),
        47001 => info("malformed POST body", "a proxy altered the JSON body; send it unchanged", false),
        45009 => info(
            "daily API quota reached",
            "the daily quota is used up: do not retry today; it resets daily (clear_quota can reset it)",
            false,
        ),
        45011 => info("API call frequency limit", "too many calls this minute; retry in the next minute", false),
        48001 => info(
            "API not authorised for this account",
            "grant the cloud development permission set (49 or 64) to this app",
            false,
        ),
        61007 => info(
            "API not authorised for this third-party platform",
            "the mini program has not authorised the permission set (49 or 64) to your platform",
            false,
        ),
        61004 => info(
            "caller IP not on the third-party platform's whitelist",
            "edge egress IPs change: call through a fixed-IP relay (baseUrl) whose IP is whitelisted",
            false,
        ),
        40002 => info("invalid grant_type", "send grant_type client_credential (the provider does)", false),
        40013 => info(
            "invalid appid",
            "check the appid (component_appid / authorizer_appid): it is not known to WeChat",
            false,
        ),
        40125 => info("invalid appsecret", "check the app secret; it may have been reset in the WeChat console", false),
        41002 => info("appid missing", "pass the appid", false),
        41004 => info("appsecret missing", "pass the app secret", false),
        61003 => info(
            "the mini program has not authorized this third-party platform",
            "ask the mini program's admin to authorize your platform again",
            false,
        ),
        61005 => info(
            "component verify ticket expired",
            "WeChat pushes a fresh component_verify_ticket every 10 minutes: store the latest one and serve it",
            false,
        ),
        61006 => info(
            "component verify ticket invalid",
            "serve the latest component_verify_ticket exactly as WeChat pushed it",
            false,
        ),
        61009 => info(
            "authorization code invalid",
            "the authorization code is unknown or was already used: start a new authorization (a code works once)",
            false,
        ),
        61010 => info(
            "authorization code expired",
            "authorization codes last 600 s: exchange it with queryAuth as soon as the redirect arrives, or authorize again",
            false,
        ),
        61023 => info(
            "authorizer refresh token invalid",
            "the authorization is lost: the mini program must re-authorize, and every rotated refresh token must be saved",
            false,
        ),
        85088 => info("cloud development not enabled", "enable cloud development for this mini program first", false),
        85089 => info(
            "config not found",
            "this function has no config of this type (not configured); check env and functionName",
            false,
        ),
        _ => info("cloud development error", "see errmsg and WeChat's cloud development error codes", false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retryable_codes_are_exactly_the_busy_ones() {
        for &code in KNOWN {
            let i = lookup(code);
            assert_eq!(i.retryable, code == -1 || code == -1000, "errcode {code}");
        }
    }

    #[test]
    fn token_codes_ask_for_a_refresh() {
        for &code in KNOWN {
            let i = lookup(code);
            assert_eq!(i.token_rejected, matches!(code, 40001 | 40014 | 42001), "errcode {code}");
        }
    }

    #[test]
    fn every_known_code_has_its_own_hint() {
        let generic = lookup(99_999_999).hint;
        for &code in KNOWN {
            let i = lookup(code);
            assert!(!i.hint.is_empty() && !i.meaning.is_empty());
            assert_ne!(i.hint, generic, "errcode {code} falls through to the generic hint");
            assert!(!i.hint.contains('\n'), "hints are one line");
        }
    }

    #[test]
    fn hints_that_matter_say_what_to_do() {
        assert!(lookup(40014).hint.contains("authorizer_access_token"));
        assert!(lookup(45009).hint.contains("daily"));
        assert!(lookup(45011).hint.contains("next minute"));
        assert!(lookup(61004).hint.contains("relay"));
        assert!(lookup(85089).hint.contains("not configured"));
    }

    #[test]
    fn token_endpoint_codes_have_their_own_hints() {
        let generic = lookup(99_999_999).hint;
        for &code in TOKEN_ENDPOINTS {
            assert_ne!(lookup(code).hint, generic, "errcode {code}");
            assert!(!lookup(code).retryable);
        }
        assert!(lookup(61023).hint.contains("re-authorize"));
        assert!(lookup(61005).hint.contains("10 minutes"));
    }

    #[test]
    fn platform_codes_have_their_own_hints() {
        let generic = lookup(99_999_999).hint;
        for &code in PLATFORM {
            let i = lookup(code);
            assert_ne!(i.hint, generic, "errcode {code}");
            assert!(!i.retryable && !i.token_rejected, "errcode {code}");
        }
        assert!(lookup(61009).hint.contains("once"));
        assert!(lookup(61010).hint.contains("600 s"));
        assert!(lookup(61004).hint.contains("whitelist") || lookup(61004).hint.contains("relay"));
        assert!(lookup(85088).hint.contains("enable"));
    }

    #[test]
    fn unknown_codes_are_kept_not_retried() {
        let i = lookup(-123456);
        assert!(!i.retryable);
        assert_eq!(i.meaning, "cloud development error");
    }
}
