//! The third-party platform's own calls (服务商), made with its `component_access_token`:
//! pre-authorization codes and the authorization links built from them, exchanging an
//! authorization code, and reading the authorized accounts.
//!
//! Their answers carry tokens and refresh tokens, so a decode error never keeps their text, and
//! the types that hold a secret show none of it in their `Debug` form.

use core::fmt;

use serde::Serialize;
use serde_json::Value;

use crate::error::Error;
use crate::list::whole_arg;
use crate::model::{to_text, whole};
use crate::request::{percent_encode, validate_access_token};

/// The query parameter that carries the component token on these endpoints.
pub const TOKEN_PARAM: &str = "component_access_token";
/// `api_create_preauthcode`.
pub const PRE_AUTH_CODE_PATH: &str = "/cgi-bin/component/api_create_preauthcode";
/// `api_query_auth`.
pub const QUERY_AUTH_PATH: &str = "/cgi-bin/component/api_query_auth";
/// `api_get_authorizer_info`.
pub const AUTHORIZER_INFO_PATH: &str = "/cgi-bin/component/api_get_authorizer_info";
/// `api_get_authorizer_list`.
pub const AUTHORIZER_LIST_PATH: &str = "/cgi-bin/component/api_get_authorizer_list";
/// The largest page of `api_get_authorizer_list`.
pub const MAX_COUNT: u32 = 500;

/// The PC authorization page (the account's admin scans a QR code).
const PC_LINK: &str = "https://mp.weixin.qq.com/cgi-bin/componentloginpage?";
/// The mobile authorization page, opened inside WeChat.
const MOBILE_LINK: &str = "https://open.weixin.qq.com/wxaopen/safe/bindcomponent?action=bindcomponent&no_scan=1&";

/// An appid (`component_appid`, `authorizer_appid`): 1–64 letters, digits, `-` and `_`.
pub fn validate_appid(field: &str, appid: &str) -> Result<(), Error> {
    if appid.is_empty() {
        return Err(Error::invalid_argument(field, "is required (an appid such as \"wx0123456789abcdef\")"));
    }
    if appid.len() > 64 || !appid.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        return Err(Error::invalid_argument(field, "must be an appid: 1-64 letters, digits, - and _"));
    }
    Ok(())
}

/// A single-use code (`preAuthCode`, `authorizationCode`): the access token's rules, never echoed.
pub fn validate_code(field: &str, code: &str) -> Result<(), Error> {
    validate_access_token(field, code)
}

/// A redirect URI: an absolute `http(s)` URL with a host, without credentials, fragment,
/// whitespace or control characters, at most 1024 characters. WeChat appends
/// `auth_code=…&expires_in=600` to its query.
pub fn validate_redirect_uri(field: &str, uri: &str) -> Result<(), Error> {
    const RULE: &str =
        "must be an absolute http(s) URL on the platform's registered domain, without a fragment or credentials";
    let rest = uri
        .strip_prefix("https://")
        .or_else(|| uri.strip_prefix("http://"))
        .ok_or_else(|| Error::invalid_argument(field, RULE))?;
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    let bad_char = uri.chars().any(|c| c.is_whitespace() || c.is_control() || c == '#' || c == '\\');
    if uri.len() > 1024 || authority.is_empty() || authority.contains('@') || authority.starts_with(':') || bad_char {
        return Err(Error::invalid_argument(field, RULE));
    }
    Ok(())
}

/// The links that start an authorization for mini programs (`auth_type=2`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuthorizationLinks {
    /// The PC page: the account's admin scans its QR code.
    pub pc: String,
    /// The page to open inside WeChat on a phone.
    pub mobile: String,
}

/// Builds both links from a pre-authorization code; every value is percent-encoded. The page
/// must be opened from the platform's registered 授权发起页域名 (WeChat checks the referer).
pub fn authorization_links(
    component_appid: &str,
    pre_auth_code: &str,
    redirect_uri: &str,
) -> Result<AuthorizationLinks, Error> {
    validate_appid("componentAppid", component_appid)?;
    validate_code("preAuthCode", pre_auth_code)?;
    validate_redirect_uri("redirectUri", redirect_uri)?;
    let mut query = String::from("component_appid=");
    query.push_str(&percent_encode(component_appid));
    query.push_str("&pre_auth_code=");
    query.push_str(&percent_encode(pre_auth_code));
    query.push_str("&redirect_uri=");
    query.push_str(&percent_encode(redirect_uri));
    query.push_str("&auth_type=2");
    let mut pc = String::from(PC_LINK);
    pc.push_str(&query);
    let mut mobile = String::from(MOBILE_LINK);
    mobile.push_str(&query);
    mobile.push_str("#wechat_redirect");
    Ok(AuthorizationLinks { pc, mobile })
}

#[derive(Serialize)]
struct ComponentBody<'a> {
    component_appid: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    authorization_code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    authorizer_appid: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    offset: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    count: Option<u32>,
}

impl<'a> ComponentBody<'a> {
    fn of(component_appid: &'a str) -> Self {
        ComponentBody { component_appid, authorization_code: None, authorizer_appid: None, offset: None, count: None }
    }
}

/// The body of `api_create_preauthcode`: `{"component_appid":"…"}`.
pub fn pre_auth_code_body(component_appid: &str) -> String {
    to_text(&ComponentBody::of(component_appid))
}

/// The body of `api_query_auth`, after the code is validated.
pub fn query_auth_body(component_appid: &str, authorization_code: &str) -> Result<String, Error> {
    validate_code("authorizationCode", authorization_code)?;
    Ok(to_text(&ComponentBody { authorization_code: Some(authorization_code), ..ComponentBody::of(component_appid) }))
}

/// The body of `api_get_authorizer_info`, after the appid is validated.
pub fn authorizer_info_body(component_appid: &str, authorizer_appid: &str) -> Result<String, Error> {
    validate_appid("authorizerAppid", authorizer_appid)?;
    Ok(to_text(&ComponentBody { authorizer_appid: Some(authorizer_appid), ..ComponentBody::of(component_appid) }))
}

/// A page of `api_get_authorizer_list`: `offset` ≥ 0 (default 0), `count` 1–500 (default 500).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListPage {
    /// How many accounts to skip.
    pub offset: u32,
    /// How many to list.
    pub count: u32,
}

impl ListPage {
    /// Validates the arguments (`None` takes the default).
    pub fn new(offset: Option<f64>, count: Option<f64>) -> Result<Self, Error> {
        let offset = offset.map_or(Ok(0), |n| whole_arg("offset", n, 0, i32::MAX as u32))?;
        let count = count.map_or(Ok(MAX_COUNT), |n| whole_arg("count", n, 1, MAX_COUNT))?;
        Ok(ListPage { offset, count })
    }

    /// The body: `{"component_appid":"…","offset":N,"count":N}`.
    pub fn body(&self, component_appid: &str) -> String {
        to_text(&ComponentBody {
            offset: Some(self.offset),
            count: Some(self.count),
            ..ComponentBody::of(component_appid)
        })
    }
}

/// Checks status and envelope of a component endpoint's answer, whose successes carry no
/// `errcode`; the text is never kept (it may hold tokens).
pub fn component_answer(status: u16, body: &str, what: &str) -> Result<Value, Error> {
    if !(200..300).contains(&status) {
        return Err(Error::http(status));
    }
    let v = crate::response::parse(body).map_err(|detail| Error::decode(what, &detail, ""))?;
    if !v.is_object() {
        return Err(Error::decode(what, "not a JSON object", ""));
    }
    match v.get("errcode") {
        None | Some(Value::Null) => Ok(v),
        Some(code) => match whole(code) {
            Some(0) => Ok(v),
            Some(code) => Err(Error::api(code, v.get("errmsg").and_then(Value::as_str).map(str::to_string))),
            None => Err(Error::decode(what, "`errcode` is not an integer", "")),
        },
    }
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string)
}

fn seconds(v: &Value, key: &str) -> Option<u32> {
    v.get(key).and_then(whole).and_then(|n| u32::try_from(n).ok())
}

/// A pre-authorization code and its lifetime in seconds (1800).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PreAuthCode {
    /// The code, for the authorization links.
    pub pre_auth_code: String,
    /// Seconds it stays valid.
    pub expires_in: Option<u32>,
}

/// Decodes `api_create_preauthcode`.
pub fn decode_pre_auth_code(status: u16, body: &str) -> Result<PreAuthCode, Error> {
    const WHAT: &str = "the pre-authorization code";
    let v = component_answer(status, body, WHAT)?;
    let pre_auth_code = text(&v, "pre_auth_code").ok_or_else(|| Error::decode(WHAT, "no `pre_auth_code`", ""))?;
    Ok(PreAuthCode { pre_auth_code, expires_in: seconds(&v, "expires_in") })
}

/// The permission set ids of `func_info` (`[{funcscope_category:{id}}]`); items without an
/// integer id are skipped. Cloud development management is 49.
fn func_info(v: &Value, what: &str) -> Result<Vec<i64>, Error> {
    match v.get("func_info") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => {
            Ok(items.iter().filter_map(|i| i.get("funcscope_category")?.get("id").and_then(whole)).collect())
        }
        Some(_) => Err(Error::decode(what, "`func_info` is not an array", "")),
    }
}

/// An object member, or a decode error saying it is missing (`missing` names it).
fn object<'v>(v: &'v Value, key: &str, what: &str, missing: &str) -> Result<&'v Value, Error> {
    match v.get(key) {
        Some(o @ Value::Object(_)) => Ok(o),
        _ => Err(Error::decode(what, missing, "")),
    }
}

/// What an authorization code is exchanged for: the account and its tokens.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Authorization {
    /// The authorized account.
    pub authorizer_appid: String,
    /// A token to act for it (present when the account has API permissions).
    pub authorizer_access_token: Option<String>,
    /// Seconds the token lives.
    pub expires_in: Option<u32>,
    /// The refresh token: persist it, it is the authorization.
    pub authorizer_refresh_token: Option<String>,
    /// The permission set ids it granted.
    pub func_info: Vec<i64>,
}

impl fmt::Debug for Authorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authorization")
            .field("authorizer_appid", &self.authorizer_appid)
            .field("expires_in", &self.expires_in)
            .field("func_info", &self.func_info)
            .finish_non_exhaustive()
    }
}

/// Decodes `api_query_auth`.
pub fn decode_query_auth(status: u16, body: &str) -> Result<Authorization, Error> {
    const WHAT: &str = "the authorization";
    let v = component_answer(status, body, WHAT)?;
    let info = object(&v, "authorization_info", WHAT, "no `authorization_info` object")?;
    let authorizer_appid =
        text(info, "authorizer_appid").ok_or_else(|| Error::decode(WHAT, "no `authorizer_appid`", ""))?;
    Ok(Authorization {
        authorizer_appid,
        authorizer_access_token: text(info, "authorizer_access_token"),
        expires_in: seconds(info, "expires_in"),
        authorizer_refresh_token: text(info, "authorizer_refresh_token"),
        func_info: func_info(info, WHAT)?,
    })
}

/// An authorized account's profile and the permission sets it granted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizerInfo {
    /// The account's appid.
    pub authorizer_appid: Option<String>,
    /// Its name.
    pub nick_name: Option<String>,
    /// Its avatar's URL.
    pub head_img: Option<String>,
    /// Its original id (`gh_…`).
    pub user_name: Option<String>,
    /// The company or person behind it.
    pub principal_name: Option<String>,
    /// Its WeChat id, often empty.
    pub alias: Option<String>,
    /// Its QR code's URL.
    pub qrcode_url: Option<String>,
    /// Its description.
    pub signature: Option<String>,
    /// `service_type_info.id`.
    pub service_type: Option<i64>,
    /// `verify_type_info.id` (-1: not verified).
    pub verify_type: Option<i64>,
    /// Whether it is a mini program (the answer has `MiniProgramInfo`).
    pub is_mini_program: bool,
    /// The permission set ids it granted (49: cloud development management).
    pub func_info: Vec<i64>,
}

/// Decodes `api_get_authorizer_info`; the refresh token it also carries is left out.
pub fn decode_authorizer_info(status: u16, body: &str) -> Result<AuthorizerInfo, Error> {
    const WHAT: &str = "the authorizer's information";
    let v = component_answer(status, body, WHAT)?;
    let info = object(&v, "authorizer_info", WHAT, "no `authorizer_info` object")?;
    let auth = v.get("authorization_info").unwrap_or(&Value::Null);
    let id = |key: &str| info.get(key).and_then(|t| t.get("id")).and_then(whole);
    Ok(AuthorizerInfo {
        authorizer_appid: text(auth, "authorizer_appid").or_else(|| text(auth, "appid")),
        nick_name: text(info, "nick_name"),
        head_img: text(info, "head_img"),
        user_name: text(info, "user_name"),
        principal_name: text(info, "principal_name"),
        alias: text(info, "alias"),
        qrcode_url: text(info, "qrcode_url"),
        signature: text(info, "signature"),
        service_type: id("service_type_info"),
        verify_type: id("verify_type_info"),
        is_mini_program: info.get("MiniProgramInfo").is_some_and(Value::is_object),
        func_info: func_info(auth, WHAT)?,
    })
}

/// One authorized account of the platform.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizedAccount {
    /// Its appid.
    pub authorizer_appid: String,
    /// Its current `authorizer_refresh_token`, when WeChat sends it.
    pub refresh_token: Option<String>,
    /// When it authorized (Unix seconds).
    pub auth_time: Option<i64>,
}

/// A page (or all) of the authorized accounts.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizerList {
    /// Authorized accounts in all.
    pub total_count: u32,
    /// This page's accounts.
    pub list: Vec<AuthorizedAccount>,
}

impl fmt::Debug for AuthorizerList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let appids: Vec<&str> = self.list.iter().map(|a| a.authorizer_appid.as_str()).collect();
        f.debug_struct("AuthorizerList").field("total_count", &self.total_count).field("list", &appids).finish()
    }
}

/// Decodes `api_get_authorizer_list`.
pub fn decode_authorizer_list(status: u16, body: &str) -> Result<AuthorizerList, Error> {
    const WHAT: &str = "the authorizer list";
    let v = component_answer(status, body, WHAT)?;
    let items = match v.get("list") {
        None | Some(Value::Null) => &[][..],
        Some(Value::Array(items)) => &items[..],
        Some(_) => return Err(Error::decode(WHAT, "`list` is not an array", "")),
    };
    let mut list = Vec::with_capacity(items.len());
    for a in items {
        let authorizer_appid = text(a, "authorizer_appid")
            .ok_or_else(|| Error::decode(WHAT, "an account of `list` has no `authorizer_appid`", ""))?;
        list.push(AuthorizedAccount {
            authorizer_appid,
            refresh_token: text(a, "refresh_token"),
            auth_time: a.get("auth_time").and_then(whole),
        });
    }
    let total_count = match v.get("total_count") {
        None | Some(Value::Null) => list.len() as u32,
        Some(n) => whole(n)
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| Error::decode(WHAT, "`total_count` is not a whole number", ""))?,
    };
    Ok(AuthorizerList { total_count, list })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn rejects(r: Result<impl Sized, Error>, field: &str) {
        let Err(e) = r else { panic!("{field} should be rejected") };
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert!(e.message().starts_with(field), "{}", e.message());
    }

    #[test]
    fn links_carry_auth_type_2_and_encode_every_value() {
        let l = authorization_links("wxc0mp", "preauthcode@@@abc", "https://p.example.com/cb?x=1&y=2").unwrap();
        assert_eq!(
            l.pc,
            "https://mp.weixin.qq.com/cgi-bin/componentloginpage?component_appid=wxc0mp&pre_auth_code=preauthcode%40%40%40abc&redirect_uri=https%3A%2F%2Fp.example.com%2Fcb%3Fx%3D1%26y%3D2&auth_type=2"
        );
        assert_eq!(
            l.mobile,
            "https://open.weixin.qq.com/wxaopen/safe/bindcomponent?action=bindcomponent&no_scan=1&component_appid=wxc0mp&pre_auth_code=preauthcode%40%40%40abc&redirect_uri=https%3A%2F%2Fp.example.com%2Fcb%3Fx%3D1%26y%3D2&auth_type=2#wechat_redirect"
        );
        rejects(authorization_links("wx c", "p", "https://x"), "componentAppid");
        rejects(authorization_links("wxc", "", "https://x"), "preAuthCode");
        rejects(authorization_links("wxc", "p q", "https://x"), "preAuthCode");
        for bad in [
            "",
            "x.com/cb",
            "ftp://x.com",
            "https://",
            "https:///cb",
            "https://u:p@x.com/cb",
            "https://x.com/cb#frag",
            "https://x.com/c b",
            "https://x.com/\n",
            "javascript:alert(1)",
            &["https://x.com/", &"a".repeat(1024)].concat(),
        ] {
            rejects(authorization_links("wxc", "p", bad), "redirectUri");
        }
        authorization_links("wxc", "p", "http://127.0.0.1:8080/cb").unwrap();
    }

    #[test]
    fn bodies_are_built_after_validation() {
        let json = |s: String| serde_json::from_str::<Value>(&s).unwrap();
        assert_eq!(json(pre_auth_code_body("wxc")), serde_json::json!({"component_appid": "wxc"}));
        assert_eq!(json(query_auth_body("wxc", "c\"1").unwrap())["authorization_code"], "c\"1", "escaped as JSON");
        assert_eq!(
            json(query_auth_body("wxc", "queryauthcode@@@x").unwrap()),
            serde_json::json!({"component_appid": "wxc", "authorization_code": "queryauthcode@@@x"})
        );
        rejects(query_auth_body("wxc", ""), "authorizationCode");
        assert_eq!(
            json(authorizer_info_body("wxc", "wx-sim-app-0001").unwrap()),
            serde_json::json!({"component_appid": "wxc", "authorizer_appid": "wx-sim-app-0001"})
        );
        for bad in ["", "wx a", "wx\"a", &"w".repeat(65)] {
            rejects(authorizer_info_body("wxc", bad), "authorizerAppid");
        }
        let page = ListPage::new(None, None).unwrap();
        assert_eq!(json(page.body("wxc")), serde_json::json!({"component_appid": "wxc", "offset": 0, "count": 500}));
        assert_eq!(ListPage::new(Some(1000.0), Some(1.0)).unwrap(), ListPage { offset: 1000, count: 1 });
        for (offset, count, field) in [
            (None, Some(0.0), "count"),
            (None, Some(501.0), "count"),
            (None, Some(2.5), "count"),
            (Some(-1.0), None, "offset"),
            (Some(f64::NAN), None, "offset"),
        ] {
            rejects(ListPage::new(offset, count), field);
        }
    }

    #[test]
    fn answers_never_keep_their_text() {
        for body in
            ["", "<html>", "[1]", r#"{"errcode":"x","authorization_info":{"authorizer_access_token":"SECRET"}}"#]
        {
            let e = decode_query_auth(200, body).err().unwrap();
            assert_eq!((e.kind(), e.raw()), (ErrorKind::Decode, Some("")), "{body}");
        }
        let e = decode_query_auth(200, r#"{"authorization_info":{"authorizer_access_token":"SECRET"}}"#).err().unwrap();
        assert!(!e.message().contains("SECRET") && e.raw() == Some(""));
        assert_eq!(decode_authorizer_list(502, "").err().unwrap().kind(), ErrorKind::Http);
        let e = decode_pre_auth_code(200, r#"{"errcode":61004,"errmsg":"access clientip is not registered"}"#);
        assert_eq!(e.err().unwrap().errcode(), Some(61004));
    }

    #[test]
    fn debug_forms_show_no_secret() {
        let a = decode_query_auth(
            200,
            r#"{"authorization_info":{"authorizer_appid":"wxa","authorizer_access_token":"AT-SECRET","authorizer_refresh_token":"RT-SECRET"}}"#,
        )
        .unwrap();
        let l = decode_authorizer_list(
            200,
            r#"{"total_count":1,"list":[{"authorizer_appid":"wxa","refresh_token":"RT-SECRET"}]}"#,
        )
        .unwrap();
        for shown in [format!("{a:?}"), format!("{l:?}")] {
            assert!(shown.contains("wxa") && !shown.contains("SECRET"), "{shown}");
        }
    }
}
