//! The platform's authorization endpoints, the authorization page stand-in and withdrawals.

mod common;

use common::*;
use serde_json::{json, Value};

fn body(fields: &str) -> String {
    format!(r#"{{"component_appid":"{COMPONENT_APPID}"{fields}}}"#)
}

fn preauth(sim: &Sim, ct: &str) -> String {
    let v = sim.component_call(PREAUTH, ct, &body(""));
    assert_eq!(v["expires_in"], 1800, "{v}");
    v["pre_auth_code"].as_str().expect("pre_auth_code").to_string()
}

/// Opens the authorization page and follows it to the redirect; answers the 302's Location.
fn authorize(sim: &Sim, code: &str, extra: &str) -> String {
    let target = format!(
        "/__sim/authorize?component_appid={COMPONENT_APPID}&pre_auth_code={code}&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fdone%3Fx%3D1&auth_type=2{extra}"
    );
    let resp = sim.request("GET", &target, b"");
    assert_eq!(resp.status, 302, "{}", resp.text());
    resp.header("location").expect("Location").to_string()
}

fn auth_code(location: &str) -> String {
    let q = location.split_once("?x=1&").expect("redirect keeps the given query").1;
    assert!(q.ends_with("&expires_in=600"), "{location}");
    q.strip_prefix("auth_code=").and_then(|r| r.split('&').next()).expect("auth_code").to_string()
}

#[test]
fn component_endpoints_check_the_component_token_like_api_authorizer_token() {
    let sim = Sim::start();
    let ct = sim.component_token();
    for path in [PREAUTH, QUERY_AUTH, AUTHORIZER_INFO, AUTHORIZER_LIST] {
        assert_wechat_error(&sim.wechat(path, &body("")), 41001, "access_token missing");
        assert_wechat_error(
            &sim.component_call(path, "nope", &body("")),
            40001,
            "invalid credential, access_token is invalid or not latest",
        );
        assert_wechat_error(
            &sim.component_call(path, TOKEN, &body("")),
            40001,
            "invalid credential, access_token is invalid or not latest",
        );
        let resp = sim.request("GET", &format!("{path}?component_access_token={ct}"), b"");
        assert_eq!(resp.json()["errcode"], 43002, "{path}");
        assert_eq!(sim.component_call(path, &ct, "")["errcode"], 44002, "{path}");
        assert_eq!(sim.component_call(path, &ct, "[]")["errcode"], 47001, "{path}");
        assert_eq!(sim.component_call(path, &ct, "{}")["errcode"], 41002, "{path}");
    }
    let other = r#"{"component_appid":"wx-other","authorizer_appid":"a","authorization_code":"c","count":1}"#;
    for path in [PREAUTH, QUERY_AUTH, AUTHORIZER_INFO, AUTHORIZER_LIST] {
        assert_wechat_error(&sim.component_call(path, &ct, other), 40013, "invalid appid");
    }
    sim.control("/__sim/settings", r#"{"ipWhitelisted":false}"#);
    assert_wechat_error(&sim.component_call(PREAUTH, &ct, &body("")), 61004, "access clientip is not registered");
    sim.control("/__sim/settings", r#"{"ipWhitelisted":true}"#);
    sim.control("/__sim/expire-tokens", r#"{"kinds":["component"]}"#);
    assert_wechat_error(&sim.component_call(PREAUTH, &ct, &body("")), 42001, "access_token expired");
}

#[test]
fn the_authorization_flow_ends_in_a_working_authorizer_token() {
    let sim = Sim::start();
    let ct = sim.component_token();
    let code = auth_code(&authorize(&sim, &preauth(&sim, &ct), ""));

    let v = sim.component_call(QUERY_AUTH, &ct, &body(&format!(r#","authorization_code":"{code}""#)));
    let info = &v["authorization_info"];
    let appid = info["authorizer_appid"].as_str().expect("appid").to_string();
    assert_eq!(appid, "wx-sim-new-0002", "a new account after the seeded one");
    assert_eq!(info["expires_in"], 7200);
    assert_eq!(
        info["func_info"],
        json!([{"funcscope_category":{"id":17}},{"funcscope_category":{"id":18}},{"funcscope_category":{"id":19}},{"funcscope_category":{"id":49}}])
    );
    let token = info["authorizer_access_token"].as_str().expect("token");
    // Its own, empty env; the seed's functions are not its own.
    let envs = sim.tcb(GETENVINFO, token, "{}");
    assert_eq!(envs["info_list"][0]["env"], format!("prod-{appid}"));
    assert_eq!(envs["info_list"].as_array().map(Vec::len), Some(1));
    assert_eq!(sim.tcb(PATH, token, OPENAPI_BODY)["errcode"], 85089);
    // The refresh token it was given works at api_authorizer_token.
    let refresh = info["authorizer_refresh_token"].as_str().expect("refresh");
    assert!(sim.token_for(&ct, &appid, refresh)["authorizer_access_token"].is_string());

    // The code is single-use; an unknown one is invalid too.
    let again = sim.component_call(QUERY_AUTH, &ct, &body(&format!(r#","authorization_code":"{code}""#)));
    assert_wechat_error(&again, 61009, "code is invalid");
    let unknown = sim.component_call(QUERY_AUTH, &ct, &body(r#","authorization_code":"queryauthcode@@@x""#));
    assert_wechat_error(&unknown, 61009, "code is invalid");
    assert_eq!(sim.component_call(QUERY_AUTH, &ct, &body(""))["errcode"], 40101);

    // A code older than 600 s has expired.
    let code = auth_code(&authorize(&sim, &preauth(&sim, &ct), &format!("&appid={appid}")));
    sim.advance(601);
    let ct = sim.component_token();
    let late = sim.component_call(QUERY_AUTH, &ct, &body(&format!(r#","authorization_code":"{code}""#)));
    assert_wechat_error(&late, 61010, "code is expired");
}

#[test]
fn the_authorization_page_refuses_bad_requests() {
    let sim = Sim::start();
    let ct = sim.component_token();
    let code = preauth(&sim, &ct);
    let page = |q: &str| sim.request("GET", &format!("/__sim/authorize?{q}"), b"").status;
    assert_eq!(page(&format!("component_appid={COMPONENT_APPID}&pre_auth_code={code}")), 400, "no redirect_uri");
    assert_eq!(page(&format!("component_appid={COMPONENT_APPID}&pre_auth_code=nope&redirect_uri=http://x/")), 400);
    assert_eq!(page(&format!("component_appid=wx-other&pre_auth_code={code}&redirect_uri=http://x/")), 400);
    assert_eq!(
        page(&format!("component_appid={COMPONENT_APPID}&pre_auth_code={code}&redirect_uri=http://x/%0d%0aX:1")),
        400
    );
    assert_eq!(
        page(&format!("component_appid={COMPONENT_APPID}&pre_auth_code={code}&redirect_uri=http://x/&auth_type=9")),
        400
    );
    // The pre-auth code is still good after refusals, then used up.
    let loc = authorize(&sim, &code, "");
    assert!(loc.starts_with("http://127.0.0.1:9/done?x=1&auth_code="), "{loc}");
    assert_eq!(page(&format!("component_appid={COMPONENT_APPID}&pre_auth_code={code}&redirect_uri=http://x/")), 400);
    // Pre-auth codes expire after 1800 s.
    let code = preauth(&sim, &ct);
    sim.advance(1801);
    assert_eq!(page(&format!("component_appid={COMPONENT_APPID}&pre_auth_code={code}&redirect_uri=http://x/")), 400);
}

#[test]
fn authorizer_info_and_list_describe_the_accounts() {
    let sim = Sim::start();
    let ct = sim.component_token();
    let v = sim.component_call(AUTHORIZER_INFO, &ct, &body(&format!(r#","authorizer_appid":"{AUTHORIZER_APPID}""#)));
    let a = &v["authorizer_info"];
    assert!(a["nick_name"].is_string() && a["head_img"].is_string() && a["principal_name"].is_string(), "{v}");
    assert!(a["MiniProgramInfo"].is_object());
    assert_eq!(v["authorization_info"]["authorizer_appid"], AUTHORIZER_APPID);
    assert_eq!(v["authorization_info"]["authorizer_refresh_token"], REFRESH0);
    assert_eq!(v["authorization_info"]["func_info"][3]["funcscope_category"]["id"], 49);
    let none = sim.component_call(AUTHORIZER_INFO, &ct, &body(r#","authorizer_appid":"wx-nobody""#));
    assert_wechat_error(&none, 61003, "component is not authorized by this account");
    assert_eq!(sim.component_call(AUTHORIZER_INFO, &ct, &body(""))["errcode"], 41002);

    let list = |fields: &str| sim.component_call(AUTHORIZER_LIST, &ct, &body(fields));
    let v = list(r#","offset":0,"count":500"#);
    assert_eq!(v["total_count"], 1);
    assert_eq!(
        v["list"],
        json!([{"authorizer_appid": AUTHORIZER_APPID, "refresh_token": REFRESH0, "auth_time": 1_700_000_000}])
    );
    assert_wechat_error(&list(r#","offset":0,"count":501"#), 40097, "invalid args");
    assert_eq!(list(r#","offset":0,"count":0"#)["errcode"], 40097);
    assert_eq!(list(r#","offset":-1,"count":5"#)["errcode"], 40097);
    assert_eq!(list(r#","offset":0"#)["errcode"], 40101);
    assert_eq!(list(r#","offset":1,"count":5"#)["list"], json!([]));
}

#[test]
fn a_withdrawn_authorization_stops_tokens_refresh_tokens_and_listings() {
    let sim = Sim::start();
    let ct = sim.component_token();
    let v = sim.authorizer_token(&ct, REFRESH0);
    let token = v["authorizer_access_token"].as_str().expect("token").to_string();
    let refresh = v["authorizer_refresh_token"].as_str().expect("refresh").to_string();
    assert_eq!(sim.call(&token, OPENAPI_BODY)["errcode"], 0);

    sim.control("/__sim/unauthorize", &format!(r#"{{"authorizer_appid":"{AUTHORIZER_APPID}"}}"#));
    assert_wechat_error(
        &sim.call(&token, OPENAPI_BODY),
        40001,
        "invalid credential, access_token is invalid or not latest",
    );
    assert_wechat_error(&sim.authorizer_token(&ct, &refresh), 61023, "refresh_token is invalid");
    assert_eq!(sim.component_call(AUTHORIZER_LIST, &ct, &body(r#","offset":0,"count":10"#))["total_count"], 0);
    let info = sim.component_call(AUTHORIZER_INFO, &ct, &body(&format!(r#","authorizer_appid":"{AUTHORIZER_APPID}""#)));
    assert_eq!(info["errcode"], 61003);
    let listed: Vec<Value> =
        sim.control_get("/__sim/authorizers")["authorizers"].as_array().cloned().unwrap_or_default();
    assert_eq!(listed[0]["authorized"], false);
    assert_eq!(sim.request("POST", "/__sim/unauthorize", br#"{"authorizer_appid":"wx-nobody"}"#).status, 400);

    // Authorising again brings it back with a new refresh token.
    let code = auth_code(&authorize(&sim, &preauth(&sim, &ct), &format!("&appid={AUTHORIZER_APPID}")));
    let v = sim.component_call(QUERY_AUTH, &ct, &body(&format!(r#","authorization_code":"{code}""#)));
    let token = v["authorization_info"]["authorizer_access_token"].as_str().expect("token");
    assert_eq!(sim.call(token, OPENAPI_BODY)["errcode"], 0, "the seeded account still sees the seed's data");
    assert_ne!(v["authorization_info"]["authorizer_refresh_token"], json!(refresh));

    sim.control("/__sim/reset", "");
    assert_eq!(sim.control_get("/__sim/authorizers")["authorizers"][0]["authorized"], true);
}
