//! The token endpoints: stable_token, api_component_token and api_authorizer_token, every
//! errcode they answer, and which of their tokens getfuncconfig takes.

mod common;

use std::collections::HashSet;

use common::*;
use serde_json::{json, Value};

fn text(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or_else(|| panic!("no {key} in {v}")).to_string()
}

fn secs(v: &Value) -> u64 {
    v["expires_in"].as_u64().unwrap_or_else(|| panic!("no expires_in in {v}"))
}

/// getfuncconfig's errcode for this token.
fn tcb(sim: &Sim, token: &str) -> Value {
    sim.call(token, OPENAPI_BODY)
}

fn stable_body(fields: &str) -> String {
    format!("{{{fields}}}")
}

fn component_body(appid: &str, secret: &str, ticket: &str) -> String {
    format!(r#"{{"component_appid":"{appid}","component_appsecret":"{secret}","component_verify_ticket":"{ticket}"}}"#)
}

fn authorizer_body(component: &str, authorizer: &str, refresh: &str) -> String {
    format!(
        r#"{{"component_appid":"{component}","authorizer_appid":"{authorizer}","authorizer_refresh_token":"{refresh}"}}"#
    )
}

fn refresh_in_state(sim: &Sim) -> String {
    let state = sim.control_get("/__sim/state");
    let a = &state["authorizers"][0];
    assert_eq!(
        (a["component_appid"].as_str(), a["authorizer_appid"].as_str()),
        (Some(COMPONENT_APPID), Some(AUTHORIZER_APPID))
    );
    text(a, "refresh_token")
}

// ---- stable_token ----

#[test]
fn stable_token_answers_the_documented_fields_only() {
    let sim = Sim::start();
    let resp = sim.request(
        "POST",
        STABLE,
        format!(r#"{{"grant_type":"client_credential","appid":"{APPID}","secret":"{APP_SECRET}"}}"#).as_bytes(),
    );
    assert_eq!((resp.status, resp.header("content-type")), (200, Some("application/json")));
    let v = resp.json();
    let token = text(&v, "access_token");
    assert!(token.len() > 32 && token.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'), "{token}");
    assert_eq!(v, json!({"access_token": token, "expires_in": 7200}), "no errcode on success");
    assert!(resp.text().starts_with(r#"{"access_token":"#), "fields in WeChat's order: {}", resp.text());
}

#[test]
fn stable_token_errors() {
    let sim = Sim::start();
    let cc = r#""grant_type":"client_credential""#;
    let cases: Vec<(String, i64, &str)> = vec![
        (stable_body(&format!(r#""appid":"{APPID}","secret":"{APP_SECRET}""#)), 40002, "invalid grant_type"),
        (
            stable_body(&format!(r#""grant_type":"authorization_code","appid":"{APPID}","secret":"{APP_SECRET}""#)),
            40002,
            "invalid grant_type",
        ),
        (stable_body(&format!(r#"{cc},"secret":"{APP_SECRET}""#)), 41002, "appid missing"),
        (stable_body(&format!(r#"{cc},"appid":"","secret":"{APP_SECRET}""#)), 41002, "appid missing"),
        (stable_body(&format!(r#"{cc},"appid":null,"secret":"{APP_SECRET}""#)), 41002, "appid missing"),
        (stable_body(&format!(r#"{cc},"appid":"wx-nobody","secret":"{APP_SECRET}""#)), 40013, "invalid appid"),
        (stable_body(&format!(r#"{cc},"appid":"{APPID}""#)), 41004, "appsecret missing"),
        (stable_body(&format!(r#"{cc},"appid":"{APPID}","secret":"""#)), 41004, "appsecret missing"),
        (stable_body(&format!(r#"{cc},"appid":"{APPID}","secret":"wrong""#)), 40125, "invalid appsecret"),
        (stable_body(&format!(r#"{cc},"appid":7,"secret":"{APP_SECRET}""#)), 47001, "data format error"),
        (
            stable_body(&format!(r#"{cc},"appid":"{APPID}","secret":"{APP_SECRET}","force_refresh":"true""#)),
            47001,
            "data format error",
        ),
        ("".to_string(), 44002, "empty post data"),
        ("[1]".to_string(), 47001, "data format error"),
        ("grant_type=client_credential".to_string(), 47001, "data format error"),
    ];
    for (body, code, msg) in &cases {
        assert_wechat_error(&sim.wechat(STABLE, body), *code, msg);
    }
    // The secret is read from the body only, never from the query.
    let v = sim.wechat(&format!("{STABLE}?secret={APP_SECRET}"), &stable_body(&format!(r#"{cc},"appid":"{APPID}""#)));
    assert_wechat_error(&v, 41004, "appsecret missing");
    let resp = sim.request("GET", &format!("{STABLE}?grant_type=client_credential&appid={APPID}"), b"");
    assert_wechat_error(&resp.json(), 43002, "require POST method");
    // Every one was recorded with its errcode.
    let records = sim.records(&format!("path={STABLE}"));
    assert_eq!(records.len(), cases.len() + 2);
    assert!(records.iter().zip(&cases).all(|(r, (_, code, _))| r["errcode"] == *code));
}

#[test]
fn stable_token_is_shared_until_five_minutes_before_its_end() {
    let sim = Sim::start();
    sim.control("/__sim/settings", r#"{"stableTokensOnTcb":true}"#);
    let first = sim.stable_token(false);
    let t1 = text(&first, "access_token");
    assert_eq!(secs(&first), 7200);
    // Every caller gets the same token, with the time it has left.
    sim.advance(6000);
    let v = sim.stable_token(false);
    assert_eq!(text(&v, "access_token"), t1);
    assert!((1199..=1200).contains(&secs(&v)), "{v}");
    // With 300 s or less left, the next fetch gets a new token...
    sim.advance(901);
    let v = sim.stable_token(false);
    let t2 = text(&v, "access_token");
    assert_ne!(t2, t1);
    assert_eq!(secs(&v), 7200);
    assert_eq!(text(&sim.stable_token(false), "access_token"), t2, "and shares that one from then on");
    // ...while the old one stays valid until its own expiry.
    assert_eq!(tcb(&sim, &t1)["errcode"], 0);
    sim.advance(300);
    assert_wechat_error(&tcb(&sim, &t1), 42001, "access_token expired");
    assert_eq!(tcb(&sim, &t2)["errcode"], 0);
    // Once the current one has expired too, a fetch issues a fresh one.
    sim.advance(7200);
    let t3 = text(&sim.stable_token(false), "access_token");
    assert!(t3 != t1 && t3 != t2);
}

#[test]
fn renew_window_and_ttl_settings_shape_the_stable_token() {
    let sim = Sim::start();
    sim.control("/__sim/settings", r#"{"tokenTtl":10,"renewWindow":0}"#);
    let v = sim.stable_token(false);
    let t1 = text(&v, "access_token");
    assert_eq!(secs(&v), 10);
    sim.advance(9);
    assert_eq!(text(&sim.stable_token(false), "access_token"), t1, "shared to the last second");
    sim.advance(1);
    assert_ne!(text(&sim.stable_token(false), "access_token"), t1);
}

#[test]
fn concurrent_callers_share_one_stable_token() {
    let sim = Sim::start();
    let tokens: HashSet<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..16).map(|_| s.spawn(|| text(&sim.stable_token(false), "access_token"))).collect();
        handles.into_iter().map(|h| h.join().expect("thread")).collect()
    });
    assert_eq!(tokens.len(), 1, "{tokens:?}");
    assert_eq!(sim.control_get("/__sim/state")["counters"][STABLE], 16);
}

#[test]
fn force_refresh_replaces_the_token_and_is_limited() {
    let sim = Sim::start();
    sim.control("/__sim/settings", r#"{"stableTokensOnTcb":true}"#);
    let t1 = text(&sim.stable_token(false), "access_token");
    let forced = sim.stable_token(true);
    let t2 = text(&forced, "access_token");
    assert_ne!(t1, t2);
    assert_eq!(secs(&forced), 7200);
    // The previous token is no longer the latest.
    assert_wechat_error(&tcb(&sim, &t1), 40001, "invalid credential, access_token is invalid or not latest");
    assert_eq!(tcb(&sim, &t2)["errcode"], 0);
    assert_eq!(text(&sim.stable_token(false), "access_token"), t2, "normal mode hands out the new one");
    // A second force within 30 s is refused, and changes nothing.
    sim.advance(29);
    assert_wechat_error(&sim.stable_token(true), 45011, "api minute-quota reach limit  mustslower  retry next minute");
    assert_eq!(tcb(&sim, &t2)["errcode"], 0);
    sim.advance(1);
    let t3 = text(&sim.stable_token(true), "access_token");
    assert_wechat_error(&tcb(&sim, &t2), 40001, "invalid credential, access_token is invalid or not latest");
    assert_eq!(tcb(&sim, &t3)["errcode"], 0);
    // 20 forces a day: two so far, 18 more, then the daily quota.
    for _ in 0..18 {
        sim.advance(30);
        assert!(sim.stable_token(true)["access_token"].is_string());
    }
    assert_eq!(sim.control_get("/__sim/state")["apps"][0]["forceRefreshes"], 20);
    sim.advance(30);
    assert_wechat_error(&sim.stable_token(true), 45009, "reach max api daily quota limit");
    // Normal mode still works, and a day later forcing does again.
    assert!(sim.stable_token(false)["access_token"].is_string());
    sim.advance(86_400);
    assert!(sim.stable_token(true)["access_token"].is_string());
}

#[test]
fn stable_tokens_are_refused_by_getfuncconfig_unless_allowed() {
    let sim = Sim::start();
    let token = text(&sim.stable_token(false), "access_token");
    assert_wechat_error(&tcb(&sim, &token), 40014, "invalid access_token");
    let v = sim.control("/__sim/settings", r#"{"stableTokensOnTcb":true}"#);
    assert_eq!(v["settings"]["stableTokensOnTcb"], true);
    assert_eq!(tcb(&sim, &token)["errcode"], 0);
    sim.control("/__sim/settings", r#"{"stableTokensOnTcb":false}"#);
    assert_wechat_error(&tcb(&sim, &token), 40014, "invalid access_token");
}

// ---- api_component_token ----

#[test]
fn component_token_answers_the_documented_fields_only() {
    let sim = Sim::start();
    let body = component_body(COMPONENT_APPID, COMPONENT_SECRET, TICKET);
    let resp = sim.request("POST", COMPONENT, body.as_bytes());
    let v = resp.json();
    let token = text(&v, "component_access_token");
    assert_eq!(v, json!({"component_access_token": token, "expires_in": 7200}));
    assert!(resp.text().starts_with(r#"{"component_access_token":"#));
    // Each fetch is a new token; the earlier ones stay valid.
    let again = sim.component_token();
    assert_ne!(again, token);
    assert!(sim.authorizer_token(&token, REFRESH0)["authorizer_access_token"].is_string());
    // A component token is not for getfuncconfig.
    assert_wechat_error(&tcb(&sim, &token), 40014, "invalid access_token");
}

#[test]
fn component_token_errors() {
    let sim = Sim::start();
    let cases = [
        (component_body("wx-nobody", COMPONENT_SECRET, TICKET), 40013, "invalid appid"),
        (component_body(COMPONENT_APPID, "wrong", TICKET), 40125, "invalid appsecret"),
        (component_body(COMPONENT_APPID, COMPONENT_SECRET, "stale"), 61006, "component verify ticket is invalid"),
        (component_body("", COMPONENT_SECRET, TICKET), 41002, "appid missing"),
        (component_body(COMPONENT_APPID, "", TICKET), 41004, "appsecret missing"),
        (component_body(COMPONENT_APPID, COMPONENT_SECRET, ""), 40101, "missing parameter"),
        (format!(r#"{{"component_appid":"{COMPONENT_APPID}"}}"#), 41004, "appsecret missing"),
        (r#"{"component_appid":1}"#.to_string(), 47001, "data format error"),
        (" ".to_string(), 44002, "empty post data"),
        ("nope".to_string(), 47001, "data format error"),
    ];
    for (body, code, msg) in &cases {
        assert_wechat_error(&sim.wechat(COMPONENT, body), *code, msg);
    }
    let resp = sim.request("GET", COMPONENT, b"");
    assert_wechat_error(&resp.json(), 43002, "require POST method");
}

#[test]
fn unlisted_caller_ip_gets_61004() {
    let sim = Sim::start();
    let ct = sim.component_token();
    let v = sim.control("/__sim/settings", r#"{"ipWhitelisted":false}"#);
    assert_eq!(v["settings"]["ipWhitelisted"], false);
    assert_wechat_error(&sim.component_token_with(TICKET), 61004, "access clientip is not registered");
    assert_wechat_error(&sim.authorizer_token(&ct, REFRESH0), 61004, "access clientip is not registered");
    // The refresh token was not used up by the refused call.
    sim.control("/__sim/settings", r#"{"ipWhitelisted":true}"#);
    assert!(sim.authorizer_token(&ct, REFRESH0)["authorizer_access_token"].is_string());
}

#[test]
fn verify_tickets_are_replaced_and_expire() {
    let sim = Sim::start();
    sim.control("/__sim/ticket", &format!(r#"{{"component_appid":"{COMPONENT_APPID}","ticket":"ticket-2"}}"#));
    // Only the current ticket is accepted.
    assert_wechat_error(&sim.component_token_with(TICKET), 61006, "component verify ticket is invalid");
    assert!(sim.component_token_with("ticket-2")["component_access_token"].is_string());
    // A ticket is good for 12 hours after it was pushed.
    sim.advance(12 * 3600 - 1);
    assert!(sim.component_token_with("ticket-2")["component_access_token"].is_string());
    sim.advance(2);
    assert_wechat_error(&sim.component_token_with("ticket-2"), 61005, "component verify ticket is expired");
    assert_wechat_error(&sim.component_token_with(TICKET), 61005, "component verify ticket is expired");
    assert_wechat_error(&sim.component_token_with("never-pushed"), 61006, "component verify ticket is invalid");
    // A fresh push makes it work again; a replaced ticket that is still young is just "invalid".
    sim.control("/__sim/ticket", &format!(r#"{{"component_appid":"{COMPONENT_APPID}","ticket":"ticket-3"}}"#));
    assert!(sim.component_token_with("ticket-3")["component_access_token"].is_string());
    sim.control("/__sim/ticket", &format!(r#"{{"component_appid":"{COMPONENT_APPID}","ticket":"ticket-4"}}"#));
    assert_wechat_error(&sim.component_token_with("ticket-3"), 61006, "component verify ticket is invalid");
    // ticketTtl shortens the validity.
    sim.control("/__sim/settings", r#"{"ticketTtl":60}"#);
    sim.advance(61);
    assert_wechat_error(&sim.component_token_with("ticket-4"), 61005, "component verify ticket is expired");
}

// ---- api_authorizer_token ----

#[test]
fn authorizer_token_rotates_the_refresh_token() {
    let sim = Sim::start();
    let ct = sim.component_token();
    assert_eq!(refresh_in_state(&sim), REFRESH0);
    let body = authorizer_body(COMPONENT_APPID, AUTHORIZER_APPID, REFRESH0);
    let resp = sim.request("POST", &format!("{AUTHORIZER}?component_access_token={ct}"), body.as_bytes());
    assert!(resp.text().starts_with(r#"{"authorizer_access_token":"#), "{}", resp.text());
    let v = resp.json();
    let (token, r1) = (text(&v, "authorizer_access_token"), text(&v, "authorizer_refresh_token"));
    assert_eq!(v, json!({"authorizer_access_token": token, "expires_in": 7200, "authorizer_refresh_token": r1}));
    assert_ne!(r1, REFRESH0);
    assert_eq!(refresh_in_state(&sim), r1);
    // The old refresh token is gone; the new one works, once.
    assert_wechat_error(&sim.authorizer_token(&ct, REFRESH0), 61023, "refresh_token is invalid");
    let v = sim.authorizer_token(&ct, &r1);
    let (token2, r2) = (text(&v, "authorizer_access_token"), text(&v, "authorizer_refresh_token"));
    assert!(r2 != r1 && token2 != token);
    assert_wechat_error(&sim.authorizer_token(&ct, &r1), 61023, "refresh_token is invalid");
    // Both authorizer tokens are good for getfuncconfig until they expire.
    for t in [&token, &token2] {
        let v = tcb(&sim, t);
        assert_eq!(v["errcode"], 0, "{v}");
        assert!(v["config"].as_str().is_some_and(|c| c.contains("wxacode.get")));
    }
}

#[test]
fn refresh_tokens_stay_when_rotation_is_off() {
    let sim = Sim::start();
    let v = sim.control("/__sim/settings", r#"{"rotateRefreshTokens":false}"#);
    assert_eq!(v["settings"]["rotateRefreshTokens"], false);
    let ct = sim.component_token();
    for _ in 0..3 {
        let v = sim.authorizer_token(&ct, REFRESH0);
        assert_eq!(v["authorizer_refresh_token"], REFRESH0, "{v}");
    }
    assert_eq!(refresh_in_state(&sim), REFRESH0);
}

#[test]
fn authorizer_token_errors() {
    let sim = Sim::start();
    let ct = sim.component_token();
    let good = authorizer_body(COMPONENT_APPID, AUTHORIZER_APPID, REFRESH0);
    let with_ct = format!("{AUTHORIZER}?component_access_token={ct}");
    // The component token.
    for target in [AUTHORIZER.to_string(), format!("{AUTHORIZER}?component_access_token=")] {
        assert_wechat_error(&sim.wechat(&target, &good), 41001, "access_token missing");
    }
    let stable = text(&sim.stable_token(false), "access_token");
    for wrong in ["bogus", TOKEN, stable.as_str()] {
        let v = sim.wechat(&format!("{AUTHORIZER}?component_access_token={wrong}"), &good);
        assert_wechat_error(&v, 40001, "invalid credential, access_token is invalid or not latest");
    }
    // The body.
    let cases = [
        ("".to_string(), 44002, "empty post data"),
        ("[]".to_string(), 47001, "data format error"),
        (authorizer_body("", AUTHORIZER_APPID, REFRESH0), 41002, "appid missing"),
        (authorizer_body(COMPONENT_APPID, "", REFRESH0), 41002, "appid missing"),
        (authorizer_body(COMPONENT_APPID, AUTHORIZER_APPID, ""), 40101, "missing parameter"),
        (authorizer_body("wx-other-component", AUTHORIZER_APPID, REFRESH0), 40013, "invalid appid"),
        (
            authorizer_body(COMPONENT_APPID, "wx-stranger", REFRESH0),
            61003,
            "component is not authorized by this account",
        ),
        (authorizer_body(COMPONENT_APPID, AUTHORIZER_APPID, "sim-refresh-token-9"), 61023, "refresh_token is invalid"),
    ];
    for (body, code, msg) in &cases {
        assert_wechat_error(&sim.wechat(&with_ct, body), *code, msg);
    }
    assert_wechat_error(&sim.request("GET", &with_ct, b"").json(), 43002, "require POST method");
    // None of that used up the refresh token.
    assert_eq!(refresh_in_state(&sim), REFRESH0);
    // An expired component token.
    sim.advance(7200);
    assert_wechat_error(&sim.wechat(&with_ct, &good), 42001, "access_token expired");
}

// ---- expiry ----

#[test]
fn issued_tokens_expire_after_token_ttl() {
    let sim = Sim::start();
    sim.control("/__sim/settings", r#"{"tokenTtl":60}"#);
    let ct = sim.component_token();
    let v = sim.authorizer_token(&ct, REFRESH0);
    assert_eq!(secs(&v), 60);
    let token = text(&v, "authorizer_access_token");
    sim.advance(59);
    assert_eq!(tcb(&sim, &token)["errcode"], 0);
    sim.advance(1);
    assert_wechat_error(&tcb(&sim, &token), 42001, "access_token expired");
    // The component token expired with it.
    let refresh = text(&v, "authorizer_refresh_token");
    assert_wechat_error(&sim.authorizer_token(&ct, &refresh), 42001, "access_token expired");
}

#[test]
fn expire_tokens_expires_every_issued_token_at_once() {
    let sim = Sim::start();
    sim.control("/__sim/settings", r#"{"stableTokensOnTcb":true}"#);
    let ct = sim.component_token();
    let v = sim.authorizer_token(&ct, REFRESH0);
    let (token, refresh) = (text(&v, "authorizer_access_token"), text(&v, "authorizer_refresh_token"));
    let stable = text(&sim.stable_token(false), "access_token");
    assert_eq!(sim.control("/__sim/expire-tokens", ""), json!({"ok": true, "expired": 3}));
    assert_wechat_error(&tcb(&sim, &token), 42001, "access_token expired");
    assert_wechat_error(&tcb(&sim, &stable), 42001, "access_token expired");
    assert_wechat_error(&sim.authorizer_token(&ct, &refresh), 42001, "access_token expired");
    // Seeded tokens are not issued ones and stay valid.
    assert_eq!(tcb(&sim, TOKEN)["errcode"], 0);
    // Fetching again gives new tokens, and the refresh token still works.
    let fresh = text(&sim.stable_token(false), "access_token");
    assert_ne!(fresh, stable);
    assert_eq!(tcb(&sim, &fresh)["errcode"], 0);
    let ct = sim.component_token();
    assert!(sim.authorizer_token(&ct, &refresh)["authorizer_access_token"].is_string());
    assert_eq!(sim.control("/__sim/expire-tokens", "")["expired"], 3);
}

#[test]
fn expire_tokens_can_pick_kinds() {
    let sim = Sim::start();
    let ct = sim.component_token();
    let v = sim.authorizer_token(&ct, REFRESH0);
    let (token, refresh) = (text(&v, "authorizer_access_token"), text(&v, "authorizer_refresh_token"));
    sim.stable_token(false);
    // Access tokens only: the platform's component token lives on.
    let v = sim.control("/__sim/expire-tokens", r#"{"kinds":["stable","authorizer"]}"#);
    assert_eq!(v, json!({"ok": true, "expired": 2}));
    assert_wechat_error(&tcb(&sim, &token), 42001, "access_token expired");
    assert!(sim.authorizer_token(&ct, &refresh)["authorizer_access_token"].is_string());
    assert_eq!(sim.control("/__sim/expire-tokens", r#"{"kinds":["component"]}"#)["expired"], 1);
    assert_eq!(sim.authorizer_token(&ct, &refresh)["errcode"], 42001);
    // No body, `{}` and an empty list all mean every kind.
    sim.component_token();
    assert_eq!(sim.control("/__sim/expire-tokens", "{}")["expired"], 2);
    for body in [r#"{"kinds":["access"]}"#, r#"{"kinds":"stable"}"#, "[]", "nope"] {
        let resp = sim.request("POST", "/__sim/expire-tokens", body.as_bytes());
        assert_eq!(resp.status, 400, "{body}");
        assert!(resp.json()["error"].is_string());
    }
}

// ---- records, counters, reset ----

#[test]
fn token_requests_are_recorded_and_counted() {
    let sim = Sim::start();
    sim.stable_token(false);
    sim.stable_token(false);
    let ct = sim.component_token();
    sim.authorizer_token(&ct, REFRESH0);
    sim.get("openapi", 1);
    sim.request("GET", "/cgi-bin/token?grant_type=client_credential", b"");
    sim.request("GET", "/__sim/health", b"");

    let stable = sim.records(&format!("path={STABLE}"));
    assert_eq!(stable.len(), 2);
    assert_eq!(stable[0]["errcode"], 0, "a success records errcode 0");
    assert_eq!(stable[0]["functionName"], Value::Null);
    assert!(stable[0]["body"].as_str().is_some_and(|b| b.contains("client_credential")));
    let auth = sim.records("path=%2Fcgi-bin%2Fcomponent%2Fapi_authorizer_token");
    assert_eq!(auth.len(), 1);
    assert_eq!(auth[0]["query"], format!("component_access_token={ct}"));

    let counters = &sim.control_get("/__sim/state")["counters"];
    assert_eq!(
        *counters,
        json!({STABLE: 2, COMPONENT: 1, AUTHORIZER: 1, PATH: 1, "/cgi-bin/token": 1}),
        "control requests are not counted"
    );
}

#[test]
fn state_lists_refresh_tokens_and_current_stable_tokens() {
    let sim = Sim::start();
    let state = sim.control_get("/__sim/state");
    assert_eq!(
        state,
        json!({
            "authorizers": [{"component_appid": COMPONENT_APPID, "authorizer_appid": AUTHORIZER_APPID, "refresh_token": REFRESH0}],
            "apps": [{"appid": APPID, "access_token": null, "expires_in": null, "forceRefreshes": 0}],
            "counters": {}
        })
    );
    let token = text(&sim.stable_token(false), "access_token");
    sim.advance(100);
    let app = &sim.control_get("/__sim/state")["apps"][0];
    assert_eq!((app["access_token"].as_str(), app["expires_in"].as_u64()), (Some(token.as_str()), Some(7099)));
}

#[test]
fn reset_restores_tokens_tickets_settings_and_counters() {
    let sim = Sim::start();
    sim.control(
        "/__sim/settings",
        r#"{"tokenTtl":99,"stableTokensOnTcb":true,"ipWhitelisted":false,"rotateRefreshTokens":false,"ticketTtl":50,"renewWindow":1,"uploadMode":"merge","listRuntimeKey":"run_time"}"#,
    );
    sim.control("/__sim/settings", r#"{"ipWhitelisted":true}"#);
    let ct = sim.component_token();
    sim.control("/__sim/settings", r#"{"rotateRefreshTokens":true}"#);
    let v = sim.authorizer_token(&ct, REFRESH0);
    let token = text(&v, "authorizer_access_token");
    sim.control("/__sim/ticket", &format!(r#"{{"component_appid":"{COMPONENT_APPID}","ticket":"other"}}"#));
    sim.advance(10);

    sim.control("/__sim/reset", "");
    let settings = sim.control_get("/__sim/settings");
    assert_eq!(
        settings,
        json!({"ok": true, "settings": {
            "tokenTtl": 7200, "stableTokensOnTcb": false, "ipWhitelisted": true,
            "rotateRefreshTokens": true, "ticketTtl": 43200, "renewWindow": 300,
            "uploadMode": "replace", "listRuntimeKey": "runtime",
            "perMinuteQuota": 0, "pushUrl": null, "ticketPushSeconds": 600
        }})
    );
    assert_eq!(refresh_in_state(&sim), REFRESH0);
    assert_eq!(sim.control_get("/__sim/state")["counters"], json!({}));
    assert_wechat_error(&tcb(&sim, &token), 40014, "invalid access_token");
    assert_wechat_error(
        &sim.authorizer_token(&ct, REFRESH0),
        40001,
        "invalid credential, access_token is invalid or not latest",
    );
    // The seeded ticket is pushed afresh on reset, and the seeded refresh token works again.
    let ct = sim.component_token();
    assert!(sim.authorizer_token(&ct, REFRESH0)["authorizer_access_token"].is_string());
    // The clock is not wound back.
    assert_eq!(sim.control_get("/__sim/clock"), json!({"ok": true, "offset": 10}));
}
