//! Validation and building of `tcb/getfuncconfig` requests, before anything goes on the wire.

use serde::Serialize;

use crate::error::Error;
use crate::model::{ConfigType, to_text};
use crate::rules::Rule;

/// WeChat's production host.
pub const DEFAULT_BASE_URL: &str = "https://api.weixin.qq.com";
/// Default limit for a whole call, in milliseconds.
pub const DEFAULT_TIMEOUT_MS: u32 = 10_000;
/// Largest accepted `timeoutMs`.
pub const MAX_TIMEOUT_MS: u32 = 300_000;
/// Longest accepted access token.
pub const MAX_TOKEN_CHARS: usize = 512;

fn is_blank(s: &str) -> bool {
    s.is_empty()
}

/// An access token: non-empty, at most 512 characters, no whitespace or control characters.
pub fn validate_access_token(field: &str, token: &str) -> Result<(), Error> {
    if is_blank(token) {
        return Err(Error::invalid_argument(field, "is required (a non-empty string)"));
    }
    if token.chars().count() > MAX_TOKEN_CHARS {
        return Err(Error::invalid_argument(field, "must be at most 512 characters"));
    }
    if token.chars().any(|c| c.is_whitespace() || c.is_control()) {
        // The token itself is never echoed.
        return Err(Error::invalid_argument(
            field,
            "must not contain whitespace or control characters (check for a stray newline)",
        ));
    }
    Ok(())
}

/// An environment id: 1–64 characters of letters, digits, `-` and `_`.
pub fn validate_env(field: &str, env: &str) -> Result<(), Error> {
    if is_blank(env) {
        return Err(Error::invalid_argument(field, "is required (the environment id, e.g. \"test-777bb9\")"));
    }
    if !is_env_id(env) {
        return Err(Error::invalid_argument(field, Rule::EnvId.text()));
    }
    Ok(())
}

/// Whether `env` is an environment id: 1–64 letters, digits, `-` and `_`.
pub(crate) fn is_env_id(env: &str) -> bool {
    (1..=64).contains(&env.len()) && env.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Whether `name` is a cloud function name (see [`validate_function_name`]).
pub(crate) fn is_function_name(name: &str) -> bool {
    name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && name.len() <= 60
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A cloud function name: 1–60 characters of letters, digits, `-` and `_`, starting with a letter.
pub fn validate_function_name(field: &str, name: &str) -> Result<(), Error> {
    if is_blank(name) {
        return Err(Error::invalid_argument(field, "is required (the cloud function's name)"));
    }
    if !is_function_name(name) {
        return Err(Error::invalid_argument(field, Rule::FunctionName.text()));
    }
    Ok(())
}

/// A base URL: absolute `http://` or `https://`, with a host, without query, fragment,
/// credentials, whitespace or control characters. Returns it without a trailing `/`.
pub fn validate_base_url<'a>(field: &str, url: &'a str) -> Result<&'a str, Error> {
    const RULE: &str =
        "must be an absolute http(s) URL such as \"https://api.weixin.qq.com\" (no query, fragment or credentials)";
    let at = url.as_bytes().windows(3).position(|w| w == b"://");
    let rest = match at.and_then(|i| Some((url.get(..i)?, url.get(i + 3..)?))) {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") => rest,
        _ => return Err(Error::invalid_argument(field, RULE)),
    };
    let authority = rest.split('/').next().unwrap_or("");
    let bad_char = url.chars().any(|c| c.is_whitespace() || c.is_control() || c == '?' || c == '#' || c == '\\');
    if authority.is_empty() || authority.contains('@') || authority.starts_with(':') || bad_char {
        return Err(Error::invalid_argument(field, RULE));
    }
    Ok(url.trim_end_matches('/'))
}

/// A time limit: a whole number of milliseconds from 1 to 300000.
pub fn validate_timeout_ms(field: &str, ms: f64) -> Result<u32, Error> {
    if ms.is_finite() && ms.fract() == 0.0 && ms >= 1.0 && ms <= f64::from(MAX_TIMEOUT_MS) {
        Ok(ms as u32)
    } else {
        Err(Error::invalid_argument(field, "must be a whole number of milliseconds from 1 to 300000"))
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub fn percent_encode(s: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
    out
}

/// `base_url` + `path` with the token percent-encoded in the query, as every endpoint takes it.
pub fn endpoint_url(base_url: &str, path: &str, access_token: &str) -> String {
    endpoint_url_with(base_url, path, "access_token", access_token)
}

/// `base_url` + `path` with the token percent-encoded in the query parameter `param`
/// (`access_token`, or `component_access_token` on the third-party platform's endpoints).
pub fn endpoint_url_with(base_url: &str, path: &str, param: &str, token: &str) -> String {
    let mut url = String::with_capacity(base_url.len() + path.len() + param.len() + token.len() + 2);
    for part in [base_url, path, "?", param, "="] {
        url.push_str(part);
    }
    url.push_str(&percent_encode(token));
    url
}

/// A validated `getfuncconfig` request (without the token, which belongs to the transport).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetFuncConfig {
    /// Environment id.
    pub env: String,
    /// Cloud function name.
    pub function_name: String,
    /// Which configuration.
    pub config_type: ConfigType,
}

impl GetFuncConfig {
    /// Validates `env` and `function_name`; the field names are the caller's own spelling.
    pub fn new(
        env: &str,
        function_name: &str,
        config_type: ConfigType,
        (env_field, name_field): (&str, &str),
    ) -> Result<Self, Error> {
        validate_env(env_field, env)?;
        validate_function_name(name_field, function_name)?;
        Ok(GetFuncConfig { env: env.to_string(), function_name: function_name.to_string(), config_type })
    }

    /// The endpoint URL with the token percent-encoded in the query.
    pub fn url(&self, base_url: &str, access_token: &str) -> String {
        endpoint_url(base_url, "/tcb/getfuncconfig", access_token)
    }

    /// The JSON body: `{"type":N,"env":"…","function_name":"…"}`.
    pub fn body(&self) -> String {
        to_text(&Body { config_type: self.config_type, env: &self.env, function_name: &self.function_name })
    }
}

/// The body of `getfuncconfig`, as WeChat names its fields.
#[derive(Serialize)]
struct Body<'a> {
    #[serde(rename = "type")]
    config_type: ConfigType,
    env: &'a str,
    function_name: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn rejects<T: core::fmt::Debug>(r: Result<T, Error>, field: &str) -> Error {
        let e = r.expect_err("should be rejected");
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert!(e.message().starts_with(field), "{} should name {field}", e.message());
        e
    }

    #[test]
    fn access_token_rules() {
        validate_access_token("accessToken", "ACCESS_TOKEN-123.abc").unwrap();
        validate_access_token("accessToken", &"a".repeat(512)).unwrap();
        rejects(validate_access_token("accessToken", ""), "accessToken");
        rejects(validate_access_token("accessToken", &"a".repeat(513)), "accessToken");
        for bad in ["tok en", "token\n", "\ttoken", "tok\u{0}en", "tok\u{7f}", "tok\u{3000}en"] {
            let e = rejects(validate_access_token("accessToken", bad), "accessToken");
            assert!(!e.message().contains("tok"), "the token is never echoed");
        }
    }

    #[test]
    fn env_rules() {
        validate_env("env", "test-777bb9").unwrap();
        validate_env("env", "a").unwrap();
        validate_env("env", &"e".repeat(64)).unwrap();
        rejects(validate_env("env", ""), "env");
        rejects(validate_env("env", &"e".repeat(65)), "env");
        for bad in ["prod env", "prod/1", "环境", "a.b", "x\"y"] {
            rejects(validate_env("env", bad), "env");
        }
    }

    #[test]
    fn function_name_rules() {
        validate_function_name("functionName", "openapi").unwrap();
        validate_function_name("functionName", "order-Sync_2").unwrap();
        validate_function_name("functionName", &"f".repeat(60)).unwrap();
        rejects(validate_function_name("functionName", ""), "functionName");
        rejects(validate_function_name("functionName", &"f".repeat(61)), "functionName");
        for bad in ["1abc", "_abc", "-abc", "a b", "a.b", "函数", "a\"b"] {
            rejects(validate_function_name("functionName", bad), "functionName");
        }
    }

    #[test]
    fn base_url_rules() {
        assert_eq!(validate_base_url("baseUrl", "https://api.weixin.qq.com/").unwrap(), "https://api.weixin.qq.com");
        assert_eq!(validate_base_url("baseUrl", "http://127.0.0.1:8080").unwrap(), "http://127.0.0.1:8080");
        assert_eq!(
            validate_base_url("baseUrl", "HTTPS://relay.example.com/wx").unwrap(),
            "HTTPS://relay.example.com/wx"
        );
        for bad in [
            "",
            "api.weixin.qq.com",
            "ftp://x",
            "https://",
            "https:///path",
            "//x.com",
            "https://u:p@x.com",
            "https://x.com?a=1",
            "https://x.com#f",
            "https://x .com",
            "https://x.com\n",
            "javascript:alert(1)",
            "https://:80",
        ] {
            rejects(validate_base_url("baseUrl", bad), "baseUrl");
        }
    }

    #[test]
    fn timeout_rules() {
        assert_eq!(validate_timeout_ms("timeoutMs", 1.0).unwrap(), 1);
        assert_eq!(validate_timeout_ms("timeoutMs", 300000.0).unwrap(), 300000);
        for bad in [0.0, -5.0, 1.5, 300001.0, f64::NAN, f64::INFINITY] {
            rejects(validate_timeout_ms("timeoutMs", bad), "timeoutMs");
        }
    }

    #[test]
    fn url_percent_encodes_the_token() {
        let r = GetFuncConfig::new("test-777bb9", "openapi", ConfigType::CloudCall, ("env", "functionName")).unwrap();
        assert_eq!(
            r.url("https://api.weixin.qq.com", "a+b/c=d&e%f"),
            "https://api.weixin.qq.com/tcb/getfuncconfig?access_token=a%2Bb%2Fc%3Dd%26e%25f"
        );
        assert_eq!(percent_encode("AZaz09-._~"), "AZaz09-._~");
        assert_eq!(percent_encode("é"), "%C3%A9");
    }

    #[test]
    fn body_matches_the_documented_example() {
        let r = GetFuncConfig::new("test-777bb9", "openapi", ConfigType::CloudCall, ("env", "functionName")).unwrap();
        let body: serde_json::Value = serde_json::from_str(&r.body()).unwrap();
        assert_eq!(body, serde_json::json!({"type": 1, "env": "test-777bb9", "function_name": "openapi"}));
    }

    #[test]
    fn request_validation_names_the_callers_field() {
        rejects(GetFuncConfig::new("", "f", ConfigType::CloudCall, ("env", "functionName")), "env");
        rejects(GetFuncConfig::new("e", "", ConfigType::CloudCall, ("env", "functionName")), "functionName");
        rejects(GetFuncConfig::new("e", "", ConfigType::CloudCall, ("env", "function_name")), "function_name");
    }
}
