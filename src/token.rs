//! Access tokens: the cache rule, and the three WeChat token endpoints' requests and answers.
//!
//! Tokens are cached with their expiry and renewed [`RENEW_BEFORE_SECS`] before it. The token
//! endpoints take secrets in the JSON body, never in the URL (except the component token, which
//! WeChat defines as a query parameter of `api_authorizer_token`).

use serde::Serialize;
use serde_json::Value;

use crate::error::Error;
use crate::model::{kind_of, to_text, whole};
use crate::request::percent_encode;

/// A cached token is renewed this many seconds before it expires.
pub const RENEW_BEFORE_SECS: u32 = 300;

/// A token and when it expires (milliseconds since the epoch; `None`: no known expiry).
#[derive(Debug, Clone, PartialEq)]
pub struct CachedToken {
    /// The token.
    pub token: String,
    /// When it expires.
    pub expires_at_ms: Option<f64>,
}

impl CachedToken {
    /// Caches `token` issued at `now_ms`, valid for `expires_in` seconds if given.
    pub fn new(token: String, expires_in: Option<u32>, now_ms: f64) -> Self {
        CachedToken { token, expires_at_ms: expires_in.map(|s| now_ms + f64::from(s) * 1000.0) }
    }

    /// Whether it can still be used at `now_ms` (more than 300 s before its expiry).
    pub fn usable(&self, now_ms: f64) -> bool {
        self.expires_at_ms.is_none_or(|at| now_ms < at - f64::from(RENEW_BEFORE_SECS) * 1000.0)
    }
}

/// A token as a token endpoint issued it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedToken {
    /// The new token.
    pub token: String,
    /// Its lifetime in seconds, when the answer says.
    pub expires_in: Option<u32>,
    /// A rotated `authorizer_refresh_token`, when the answer carries one.
    pub refresh_token: Option<String>,
}

/// The body of `stable_token`.
#[derive(Serialize)]
struct StableTokenBody<'a> {
    grant_type: &'a str,
    appid: &'a str,
    secret: &'a str,
    force_refresh: bool,
}

/// The body of `api_component_token`.
#[derive(Serialize)]
struct ComponentTokenBody<'a> {
    component_appid: &'a str,
    component_appsecret: &'a str,
    component_verify_ticket: &'a str,
}

/// The body of `api_authorizer_token`.
#[derive(Serialize)]
struct AuthorizerTokenBody<'a> {
    component_appid: &'a str,
    authorizer_appid: &'a str,
    authorizer_refresh_token: &'a str,
}

/// `POST /cgi-bin/stable_token`: the mini program's own token.
pub fn stable_token_request(base_url: &str, appid: &str, secret: &str, force_refresh: bool) -> (String, String) {
    let body = StableTokenBody { grant_type: "client_credential", appid, secret, force_refresh };
    (format!("{base_url}/cgi-bin/stable_token"), to_text(&body))
}

/// `POST /cgi-bin/component/api_component_token`: the third-party platform's token.
pub fn component_token_request(base_url: &str, appid: &str, secret: &str, ticket: &str) -> (String, String) {
    let body =
        ComponentTokenBody { component_appid: appid, component_appsecret: secret, component_verify_ticket: ticket };
    (format!("{base_url}/cgi-bin/component/api_component_token"), to_text(&body))
}

/// `POST /cgi-bin/component/api_authorizer_token`: a token to act for one authorized mini program.
pub fn authorizer_token_request(
    base_url: &str,
    component_token: &str,
    component_appid: &str,
    authorizer_appid: &str,
    refresh_token: &str,
) -> (String, String) {
    let body =
        AuthorizerTokenBody { component_appid, authorizer_appid, authorizer_refresh_token: refresh_token };
    let url = format!(
        "{base_url}/cgi-bin/component/api_authorizer_token?component_access_token={}",
        percent_encode(component_token)
    );
    (url, to_text(&body))
}

/// Decodes a token endpoint's answer; `field` names the token (`access_token`,
/// `component_access_token`, `authorizer_access_token`). A non-zero `errcode` is an `api` error.
/// The answer may hold a token, so a decode error never keeps its text.
pub fn decode_token(status: u16, body: &str, field: &str) -> Result<IssuedToken, Error> {
    if !(200..300).contains(&status) {
        return Err(Error::http(status));
    }
    let what = "the token endpoint's answer";
    let v: Value = crate::response::parse(body).map_err(|detail| Error::decode(what, &detail, ""))?;
    match v.get("errcode") {
        None | Some(Value::Null) => {}
        Some(code) => match whole(code) {
            Some(0) => {}
            Some(code) => {
                let errmsg = v.get("errmsg").and_then(Value::as_str).map(str::to_string);
                return Err(Error::api(code, errmsg));
            }
            None => return Err(Error::decode(what, &format!("`errcode` is {}", kind_of(code)), "")),
        },
    }
    let token = match v.get(field) {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        _ => return Err(Error::decode(what, &format!("no `{field}` in the answer"), "")),
    };
    let expires_in = v.get("expires_in").and_then(whole).and_then(|n| u32::try_from(n).ok());
    let refresh_token = match v.get("authorizer_refresh_token") {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        _ => None,
    };
    Ok(IssuedToken { token, expires_in, refresh_token })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn the_cache_renews_300_seconds_early() {
        let t = CachedToken::new("t".into(), Some(7200), 1_000_000.0);
        assert!(t.usable(1_000_000.0));
        assert!(t.usable(1_000_000.0 + 6_899_999.0));
        assert!(!t.usable(1_000_000.0 + 6_900_000.0), "300 s before expiry it is renewed");
        assert!(!t.usable(1_000_000.0 + 7_300_000.0));
        let short = CachedToken::new("t".into(), Some(200), 0.0);
        assert!(!short.usable(0.0), "a token with under 300 s left is never used from the cache");
        assert!(CachedToken::new("t".into(), None, 0.0).usable(1e15), "no known expiry: kept");
    }

    #[test]
    fn requests_carry_secrets_in_the_body_and_escape_them() {
        let (url, body) = stable_token_request("https://api.weixin.qq.com", "wx1", "se\"cr\\et", true);
        assert_eq!(url, "https://api.weixin.qq.com/cgi-bin/stable_token");
        assert!(!url.contains("se"), "no secret in the URL");
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["secret"], "se\"cr\\et");
        assert_eq!(v["grant_type"], "client_credential");
        assert_eq!(v["force_refresh"], true);
        let (url, body) = component_token_request("http://x", "wxc", "s", "ticket\n1");
        assert_eq!(url, "http://x/cgi-bin/component/api_component_token");
        assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["component_verify_ticket"], "ticket\n1");
        let (url, body) = authorizer_token_request("http://x", "ct+/=", "wxc", "wxa", "rt");
        assert_eq!(url, "http://x/cgi-bin/component/api_authorizer_token?component_access_token=ct%2B%2F%3D");
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["authorizer_refresh_token"], "rt");
        assert_eq!(v["authorizer_appid"], "wxa");
    }

    #[test]
    fn answers_decode_with_rotation() {
        let t = decode_token(200, r#"{"access_token":"AT","expires_in":7200}"#, "access_token").unwrap();
        assert_eq!((t.token.as_str(), t.expires_in, t.refresh_token), ("AT", Some(7200), None));
        let t = decode_token(
            200,
            r#"{"authorizer_access_token":"A","expires_in":7200,"authorizer_refresh_token":"R2"}"#,
            "authorizer_access_token",
        )
        .unwrap();
        assert_eq!(t.refresh_token.as_deref(), Some("R2"));
        let t = decode_token(200, r#"{"errcode":0,"component_access_token":"C"}"#, "component_access_token").unwrap();
        assert_eq!(t.expires_in, None);
    }

    #[test]
    fn token_endpoint_errors_keep_their_errcode_and_hint() {
        for code in [40013, 40125, 61004, 61005, 61006, 61023, 45009, -1] {
            let e = decode_token(200, &format!(r#"{{"errcode":{code},"errmsg":"m"}}"#), "access_token").unwrap_err();
            assert_eq!((e.kind(), e.errcode()), (ErrorKind::Api, Some(code)));
            assert_ne!(e.hint(), crate::errcode::lookup(99_999_999).hint, "{code} has its own hint");
        }
        for bad in ["", "{}", r#"{"access_token":""}"#, r#"{"access_token":5}"#, r#"{"errcode":"x"}"#] {
            let e = decode_token(200, bad, "access_token").unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Decode, "{bad}");
            assert_eq!(e.raw(), Some(""), "an answer that may hold a token is never kept");
        }
        assert_eq!(decode_token(502, "", "access_token").unwrap_err().kind(), ErrorKind::Http);
    }
}
