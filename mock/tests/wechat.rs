//! The getfuncconfig endpoint: answers, every errcode path, and the order of checks.

mod common;

use common::*;
use serde_json::{json, Value};

fn errcode(v: &Value) -> i64 {
    v["errcode"].as_i64().unwrap_or_else(|| panic!("no errcode in {v}"))
}

/// errmsg is the expected text plus ` rid: <hex>-<hex>`, as WeChat appends a request id.
fn assert_error(v: &Value, code: i64, msg: &str) {
    assert_eq!(errcode(v), code, "{v}");
    let errmsg = v["errmsg"].as_str().expect("errmsg");
    let rid = errmsg
        .strip_prefix(msg)
        .and_then(|r| r.strip_prefix(" rid: "))
        .unwrap_or_else(|| panic!("errmsg {errmsg:?} is not {msg:?} + rid"));
    assert!(!rid.is_empty() && rid.chars().all(|c| c.is_ascii_hexdigit() || c == '-'), "rid {rid:?}");
    assert!(v.get("config").is_none(), "error carries no config: {v}");
}

#[test]
fn seeded_configs_are_answered_verbatim() {
    let sim = Sim::start();
    let cases = [
        (
            "openapi",
            1,
            r#"{"permissions":{"openapi":["wxacode.get","wxacode.getUnlimited","templateMessage.send","templateMessage.addTemplate","templateMessage.deleteTemplate","templateMessage.getTemplateList","templateMessage.getTemplateLibraryById","templateMessage.getTemplateLibraryList"]}}"#,
        ),
        (
            "orderSync",
            1,
            r#"{"permissions":{"openapi":["subscribeMessage.send","wxacode.getUnlimited","security.msgSecCheck"]}}"#,
        ),
        ("orderSync", 2, r#"{"triggers":[{"name":"nightlySync","type":"timer","config":"0 0 2 * * * *"}]}"#),
        (
            "orderSync",
            3,
            r#"{"timeout":20,"environment":[{"key":"DB_HOST","value":"10.0.0.8"},{"key":"DB_PASSWORD","value":"s3cr3t-pa55w0rd"},{"key":"REGION","value":"ap-shanghai"}]}"#,
        ),
        (
            "reportDaily",
            2,
            r#"{"triggers":[{"name":"weekdayMorning","type":"timer","config":"0 15 10 * * MON-FRI *"}]}"#,
        ),
        ("hello", 3, r#"{"timeout":3,"environment":[]}"#),
    ];
    for (name, ty, config) in cases {
        let v = sim.get(name, ty);
        assert_eq!(v, json!({"errcode": 0, "errmsg": "ok", "config": config}), "{name} type {ty}");
    }
}

#[test]
fn success_fields_come_in_wechat_order() {
    let sim = Sim::start();
    let body = r#"{"type":3,"env":"test-777bb9","function_name":"hello"}"#;
    let resp = sim.request("POST", &format!("{PATH}?access_token={TOKEN}"), body.as_bytes());
    assert_eq!(resp.text(), r#"{"errcode":0,"errmsg":"ok","config":"{\"timeout\":3,\"environment\":[]}"}"#);
}

#[test]
fn integral_float_type_is_accepted() {
    let sim = Sim::start();
    let v = sim.call(TOKEN, r#"{"type":3.0,"env":"test-777bb9","function_name":"hello"}"#);
    assert_eq!(errcode(&v), 0);
}

#[test]
fn non_post_methods_get_43002() {
    let sim = Sim::start();
    for method in ["GET", "PUT", "DELETE", "PATCH"] {
        let resp = sim.request(method, &format!("{PATH}?access_token={TOKEN}"), b"");
        assert_eq!(resp.status, 200);
        assert_error(&resp.json(), 43002, "require POST method");
    }
    // HEAD gets the headers and no body: the next answer on the connection follows at once.
    let mut conn = sim.conn();
    conn.send(format!("HEAD {PATH}?access_token={TOKEN} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes());
    let (status, headers) = conn.read_head().expect("head");
    assert_eq!(status, 200);
    assert!(headers.iter().any(|(n, _)| n == "content-length"));
    assert_eq!(conn.request("GET", "/__sim/health", &[], b"").status, 200);
}

#[test]
fn missing_token_gets_41001() {
    let sim = Sim::start();
    let body = br#"{"type":1,"env":"test-777bb9","function_name":"openapi"}"#;
    for target in
        [PATH.to_string(), format!("{PATH}?"), format!("{PATH}?access_token="), format!("{PATH}?token={TOKEN}")]
    {
        let resp = sim.request("POST", &target, body);
        assert_error(&resp.json(), 41001, "access_token missing");
    }
}

#[test]
fn expired_and_unknown_tokens() {
    let sim = Sim::start();
    let body = r#"{"type":1,"env":"test-777bb9","function_name":"openapi"}"#;
    assert_error(&sim.call(EXPIRED, body), 42001, "access_token expired");
    assert_error(&sim.call("not-a-token", body), 40014, "invalid access_token");
    // The token is percent-decoded, and it is matched exactly.
    assert_eq!(errcode(&sim.call("sim%2Daccess%2dtoken", body)), 0);
    assert_error(&sim.call("SIM-ACCESS-TOKEN", body), 40014, "invalid access_token");
    // Other parameters around it do not matter.
    let resp = sim.request("POST", &format!("{PATH}?x=1&access_token={TOKEN}&y=2"), body.as_bytes());
    assert_eq!(errcode(&resp.json()), 0);
}

#[test]
fn plus_in_token_is_not_a_space() {
    let sim = Sim::start();
    sim.control("/__sim/tokens", r#"{"valid":["a+b c"]}"#);
    let body = r#"{"type":1,"env":"test-777bb9","function_name":"openapi"}"#;
    assert_eq!(errcode(&sim.call("a+b%20c", body)), 0);
    assert_eq!(errcode(&sim.call("a%2Bb%20c", body)), 0);
    assert_eq!(errcode(&sim.call("a+b+c", body)), 40014);
}

#[test]
fn empty_body_gets_44002() {
    let sim = Sim::start();
    assert_error(&sim.call(TOKEN, ""), 44002, "empty post data");
    assert_error(&sim.call(TOKEN, " \r\n\t"), 44002, "empty post data");
}

#[test]
fn malformed_body_gets_47001() {
    let sim = Sim::start();
    for body in ["{", "type=1&env=x", "[1,2,3]", "\"text\"", "42", "null", "{\"type\":1}garbage"] {
        assert_error(&sim.call(TOKEN, body), 47001, "data format error");
    }
    let resp = sim.request("POST", &format!("{PATH}?access_token={TOKEN}"), b"\xff\xfe{}");
    assert_error(&resp.json(), 47001, "data format error");
}

#[test]
fn missing_or_mistyped_parameters_get_40101() {
    let sim = Sim::start();
    for body in [
        r#"{}"#,
        r#"{"env":"test-777bb9","function_name":"openapi"}"#,
        r#"{"type":"1","env":"test-777bb9","function_name":"openapi"}"#,
        r#"{"type":null,"env":"test-777bb9","function_name":"openapi"}"#,
        r#"{"type":1,"function_name":"openapi"}"#,
        r#"{"type":1,"env":"","function_name":"openapi"}"#,
        r#"{"type":1,"env":7,"function_name":"openapi"}"#,
        r#"{"type":1,"env":"test-777bb9"}"#,
        r#"{"type":1,"env":"test-777bb9","function_name":""}"#,
        r#"{"type":1,"env":"test-777bb9","function_name":["openapi"]}"#,
    ] {
        assert_error(&sim.call(TOKEN, body), 40101, "missing parameter");
    }
}

#[test]
fn unknown_config_gets_85089() {
    let sim = Sim::start();
    for body in [
        r#"{"type":1,"env":"other-env","function_name":"openapi"}"#,
        r#"{"type":1,"env":"test-777bb9","function_name":"nope"}"#,
        r#"{"type":1,"env":"test-777bb9","function_name":"OPENAPI"}"#,
        r#"{"type":2,"env":"test-777bb9","function_name":"openapi"}"#,
        r#"{"type":3,"env":"test-777bb9","function_name":"reportDaily"}"#,
        r#"{"type":4,"env":"test-777bb9","function_name":"orderSync"}"#,
        r#"{"type":0,"env":"test-777bb9","function_name":"orderSync"}"#,
        r#"{"type":-1,"env":"test-777bb9","function_name":"orderSync"}"#,
        r#"{"type":1.5,"env":"test-777bb9","function_name":"orderSync"}"#,
        r#"{"type":1e300,"env":"test-777bb9","function_name":"orderSync"}"#,
    ] {
        assert_error(&sim.call(TOKEN, body), 85089, "config not found");
    }
}

#[test]
fn other_wechat_paths_get_40066_and_are_recorded() {
    let sim = Sim::start();
    let body = br#"{"type":1,"env":"test-777bb9","function_name":"openapi"}"#;
    for target in ["/tcb/getFuntionConfig", "/tcb/getFuncConfig", "/tcb/getfuncconfig/", "/cgi-bin/token", "/"] {
        let resp = sim.request("POST", &format!("{target}?access_token={TOKEN}"), body);
        assert_eq!(resp.status, 200);
        assert_error(&resp.json(), 40066, "invalid url");
    }
    let records = sim.records("");
    assert_eq!(records.len(), 5);
    assert_eq!(records[0]["path"], "/tcb/getFuntionConfig");
    assert_eq!(records[0]["errcode"], 40066);
    assert!(sim.records("path=/tcb/getfuncconfig").is_empty());
}

#[test]
fn checks_run_in_wechat_order() {
    let sim = Sim::start();
    // Method before token.
    assert_error(&sim.request("GET", PATH, b"").json(), 43002, "require POST method");
    // Token before body.
    assert_error(&sim.request("POST", PATH, b"junk").json(), 41001, "access_token missing");
    assert_error(&sim.call(EXPIRED, ""), 42001, "access_token expired");
    assert_error(&sim.call("bogus", "junk"), 40014, "invalid access_token");
    // Body shape before parameters, parameters before lookup.
    assert_error(&sim.call(TOKEN, "[]"), 47001, "data format error");
    assert_error(&sim.call(TOKEN, r#"{"type":"x","env":"nowhere","function_name":"x"}"#), 40101, "missing parameter");
}

#[test]
fn request_ids_differ_between_answers() {
    let sim = Sim::start();
    let a = sim.call("bogus", "{}")["errmsg"].as_str().unwrap_or_default().to_string();
    let b = sim.call("bogus", "{}")["errmsg"].as_str().unwrap_or_default().to_string();
    assert_ne!(a, b);
}
