//! Fault injection: each kind, how faults are matched and counted, and how they are recorded.

mod common;

use std::io::ErrorKind;
use std::time::{Duration, Instant};

use common::*;
use serde_json::json;

const OPENAPI: &str = r#"{"type":1,"env":"test-777bb9","function_name":"openapi"}"#;
const HELLO: &str = r#"{"type":3,"env":"test-777bb9","function_name":"hello"}"#;
const HELLO_ANSWER: &str = r#"{"errcode":0,"errmsg":"ok","config":"{\"timeout\":3,\"environment\":[]}"}"#;

fn raw_request(body: &str) -> Vec<u8> {
    format!("POST {PATH}?access_token={TOKEN} HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n{body}", body.len())
        .into_bytes()
}

#[test]
fn delay_answers_normally_after_waiting() {
    let sim = Sim::start();
    sim.fault(r#"{"fault":{"kind":"delay","ms":1000}}"#);
    let started = Instant::now();
    assert_eq!(sim.call(TOKEN, OPENAPI)["errcode"], 0);
    assert!(started.elapsed() >= Duration::from_millis(1000));
    let started = Instant::now();
    sim.call(TOKEN, OPENAPI);
    assert!(started.elapsed() < Duration::from_millis(1000), "used once only");
    let records = sim.records("");
    assert_eq!((records[0]["fault"].as_str(), records[0]["errcode"].as_i64()), (Some("delay"), Some(0)));
    assert_eq!(records[1]["fault"], serde_json::Value::Null);
}

#[test]
fn delay_keeps_the_normal_error_answer() {
    let sim = Sim::start();
    sim.fault(r#"{"fault":{"kind":"delay","ms":10}}"#);
    assert_eq!(sim.call(EXPIRED, OPENAPI)["errcode"], 42001);
    assert_eq!(sim.records("")[0]["errcode"], 42001);
}

#[test]
fn http_fault_sends_any_status_and_body() {
    let sim = Sim::start();
    sim.fault(r#"{"fault":{"kind":"http","status":502,"body":"<html><body>Bad Gateway</body></html>","contentType":"text/html"}}"#);
    let resp = sim.request("POST", &format!("{PATH}?access_token={TOKEN}"), OPENAPI.as_bytes());
    assert_eq!(resp.status, 502);
    assert_eq!(resp.header("content-type"), Some("text/html"));
    assert_eq!(resp.header("access-control-allow-origin"), Some("*"));
    assert_eq!(resp.text(), "<html><body>Bad Gateway</body></html>");

    // Defaults: 502 with an HTML page.
    sim.fault(r#"{"fault":{"kind":"http"}}"#);
    let resp = sim.request("POST", &format!("{PATH}?access_token={TOKEN}"), OPENAPI.as_bytes());
    assert_eq!(resp.status, 502);
    assert!(resp.text().contains("502"));

    sim.fault(r#"{"fault":{"kind":"http","status":429,"body":"{\"message\":\"slow down\"}","contentType":"application/json"}}"#);
    let resp = sim.request("POST", &format!("{PATH}?access_token={TOKEN}"), OPENAPI.as_bytes());
    assert_eq!((resp.status, resp.text().as_str()), (429, r#"{"message":"slow down"}"#));

    let records = sim.records("");
    assert_eq!(records[0]["fault"], "http");
    assert_eq!(records[0]["errcode"], serde_json::Value::Null);
}

#[test]
fn body_and_bytes_hex_send_exact_bytes() {
    let sim = Sim::start();
    sim.fault(r#"{"fault":{"kind":"body","body":"{\"errcode\":0,\"errmsg\":\"ok\",\"config\":\"{broken"}}"#);
    sim.fault(r#"{"fault":{"kind":"bytesHex","hex":"ff fe 41\n00 7B"}}"#);
    let resp = sim.request("POST", &format!("{PATH}?access_token={TOKEN}"), OPENAPI.as_bytes());
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("content-type"), Some("application/json"));
    assert_eq!(resp.text(), r#"{"errcode":0,"errmsg":"ok","config":"{broken"#);
    let resp = sim.request("POST", &format!("{PATH}?access_token={TOKEN}"), OPENAPI.as_bytes());
    assert_eq!(resp.body, [0xff, 0xfe, 0x41, 0x00, 0x7b]);
    let faults: Vec<_> = sim.records("").iter().map(|r| r["fault"].clone()).collect();
    assert_eq!(faults, [json!("body"), json!("bytesHex")]);
}

#[test]
fn config_fault_replaces_the_config() {
    let sim = Sim::start();
    sim.fault(r#"{"fault":{"kind":"config","config":"{\"permissions\":{\"Openapi\":[\"a.b\"]}}"}}"#);
    sim.fault(r#"{"fault":{"kind":"config","configJson":null}}"#);
    sim.fault(r#"{"fault":{"kind":"config","configJson":{"already":"parsed"}}}"#);
    sim.fault(r#"{"fault":{"kind":"config","configJson":12}}"#);
    // Even a request that would fail gets the fault.
    assert_eq!(
        sim.call(TOKEN, OPENAPI),
        json!({"errcode":0,"errmsg":"ok","config":"{\"permissions\":{\"Openapi\":[\"a.b\"]}}"})
    );
    assert_eq!(sim.call(TOKEN, OPENAPI), json!({"errcode":0,"errmsg":"ok","config":null}));
    assert_eq!(sim.call(TOKEN, OPENAPI), json!({"errcode":0,"errmsg":"ok","config":{"already":"parsed"}}));
    assert_eq!(sim.call(EXPIRED, OPENAPI), json!({"errcode":0,"errmsg":"ok","config":12}));
    let records = sim.records("");
    assert!(records.iter().all(|r| r["fault"] == "config" && r["errcode"] == 0));
}

#[test]
fn errcode_fault_variants() {
    let sim = Sim::start();
    sim.fault(r#"{"fault":{"kind":"errcode","errcode":45011,"errmsg":"api minute-quota reach limit"}}"#);
    sim.fault(r#"{"fault":{"kind":"errcode","errcode":-1}}"#);
    sim.fault(r#"{"fault":{"kind":"errcode","errcode":40001,"omitErrmsg":true}}"#);
    sim.fault(r#"{"fault":{"kind":"errcode","errcode":42001,"errmsg":"x","errcodeAsString":true}}"#);

    let resp = sim.request("POST", &format!("{PATH}?access_token={TOKEN}"), OPENAPI.as_bytes());
    assert_eq!(resp.status, 200);
    assert_eq!(resp.text(), r#"{"errcode":45011,"errmsg":"api minute-quota reach limit"}"#);
    let v = sim.call(TOKEN, OPENAPI);
    assert_eq!(v["errcode"], -1);
    assert!(v["errmsg"].as_str().is_some_and(|m| m.starts_with("system error rid: ")), "{v}");
    assert_eq!(sim.call(TOKEN, OPENAPI), json!({"errcode": 40001}));
    assert_eq!(sim.call(TOKEN, OPENAPI), json!({"errcode": "42001", "errmsg": "x"}));

    let codes: Vec<_> = sim.records("").iter().map(|r| r["errcode"].clone()).collect();
    assert_eq!(codes, [json!(45011), json!(-1), json!(40001), json!(42001)]);
}

#[test]
fn reset_drops_the_connection_without_answering() {
    let sim = Sim::start();
    sim.fault(r#"{"fault":{"kind":"reset"}}"#);
    let mut conn = sim.conn();
    conn.send(&raw_request(OPENAPI));
    let (bytes, err) = conn.read_rest();
    assert!(bytes.is_empty(), "no answer at all");
    if cfg!(target_os = "linux") {
        assert_eq!(err, Some(ErrorKind::ConnectionReset), "abortive close");
    }
    let records = sim.records("");
    assert_eq!((records[0]["fault"].as_str(), records[0]["errcode"].is_null()), (Some("reset"), true));
    sim.assert_alive();
}

#[test]
fn truncate_sends_half_the_body_then_closes() {
    let sim = Sim::start();
    sim.fault(r#"{"fault":{"kind":"truncate"}}"#);
    let mut conn = sim.conn();
    conn.send(&raw_request(HELLO));
    let (status, headers) = conn.read_head().expect("head");
    assert_eq!(status, 200);
    let announced: usize =
        headers.iter().find(|(n, _)| n == "content-length").and_then(|(_, v)| v.parse().ok()).expect("length");
    assert_eq!(announced, HELLO_ANSWER.len());
    let (body, _) = conn.read_rest();
    assert_eq!(body, HELLO_ANSWER.as_bytes()[..announced / 2]);
    assert!(sim.records("")[0]["errcode"].is_null());
}

#[test]
fn stall_pauses_mid_body_then_finishes() {
    let sim = Sim::start();
    sim.fault(r#"{"fault":{"kind":"stall","ms":1000}}"#);
    let mut conn = sim.conn();
    let started = Instant::now();
    conn.send(&raw_request(HELLO));
    let (status, _) = conn.read_head().expect("head");
    assert_eq!(status, 200);
    let head_at = started.elapsed();
    let mut body = vec![0; HELLO_ANSWER.len()];
    std::io::Read::read_exact(&mut conn.reader, &mut body).expect("body");
    let body_at = started.elapsed();
    assert!(body_at >= Duration::from_millis(1000));
    assert!(
        body_at - head_at >= Duration::from_millis(500),
        "headers come before the stall ({head_at:?}, {body_at:?})"
    );
    assert_eq!(body, HELLO_ANSWER.as_bytes());
    // The connection carries on.
    assert_eq!(conn.request("GET", "/__sim/health", &[], b"").status, 200);
    assert_eq!(sim.records("")[0]["errcode"], 0);
}

#[test]
fn huge_streams_the_announced_length() {
    let sim = Sim::start();
    let n = 5 * 1024 * 1024 + 7;
    sim.fault(&format!(r#"{{"fault":{{"kind":"huge","bytes":{n}}}}}"#));
    let mut conn = sim.conn();
    let resp = conn.request("POST", &format!("{PATH}?access_token={TOKEN}"), &[], OPENAPI.as_bytes());
    assert_eq!(resp.header("content-length"), Some(n.to_string().as_str()));
    assert_eq!(resp.body.len(), n);
    assert!(resp.body.starts_with(br#"{"errcode":0,"errmsg":"ok","config":""#));
    let v: serde_json::Value = serde_json::from_slice(&resp.body).expect("valid JSON");
    assert_eq!(v["config"].as_str().map(str::len), Some(n - 39));
    assert_eq!(conn.request("GET", "/__sim/health", &[], b"").status, 200);

    // Tiny sizes are cut from the same text.
    sim.fault(r#"{"fault":{"kind":"huge","bytes":10}}"#);
    assert_eq!(
        sim.request("POST", &format!("{PATH}?access_token={TOKEN}"), OPENAPI.as_bytes()).text(),
        r#"{"errcode""#
    );
}

#[test]
fn huge_stops_quietly_when_the_client_leaves() {
    let sim = Sim::start();
    sim.fault(r#"{"fault":{"kind":"huge","bytes":1000000000},"times":3}"#);
    for _ in 0..3 {
        let mut conn = sim.conn();
        conn.send(&raw_request(OPENAPI));
        let (status, _) = conn.read_head().expect("head");
        assert_eq!(status, 200);
        let mut some = vec![0; 100_000];
        std::io::Read::read_exact(&mut conn.reader, &mut some).expect("some body");
    }
    sim.assert_alive();
}

#[test]
fn empty_fault_sends_no_body() {
    let sim = Sim::start();
    sim.fault(r#"{"fault":{"kind":"empty"}}"#);
    let resp = sim.request("POST", &format!("{PATH}?access_token={TOKEN}"), OPENAPI.as_bytes());
    assert_eq!((resp.status, resp.header("content-length"), resp.body.len()), (200, Some("0"), 0));
    assert_eq!(resp.header("content-type"), Some("application/json"));
}

#[test]
fn times_counts_uses_and_zero_means_forever() {
    let sim = Sim::start();
    sim.fault(r#"{"fault":{"kind":"errcode","errcode":-1},"times":2}"#);
    let codes: Vec<_> = (0..3).map(|_| sim.call(TOKEN, OPENAPI)["errcode"].clone()).collect();
    assert_eq!(codes, [json!(-1), json!(-1), json!(0)]);

    sim.fault(r#"{"fault":{"kind":"errcode","errcode":45009},"times":0}"#);
    for _ in 0..5 {
        assert_eq!(sim.call(TOKEN, OPENAPI)["errcode"], 45009);
    }
    let resp = sim.request("DELETE", "/__sim/faults", b"");
    assert_eq!(resp.json(), json!({"ok": true}));
    assert_eq!(sim.call(TOKEN, OPENAPI)["errcode"], 0);
}

#[test]
fn faults_match_by_function_name_in_order_added() {
    let sim = Sim::start();
    sim.fault(r#"{"function_name":"hello","fault":{"kind":"errcode","errcode":1}}"#);
    sim.fault(r#"{"fault":{"kind":"errcode","errcode":2}}"#);
    sim.fault(r#"{"function_name":"hello","fault":{"kind":"errcode","errcode":3}}"#);
    // openapi skips the hello-only fault and takes the catch-all.
    assert_eq!(sim.call(TOKEN, OPENAPI)["errcode"], 2);
    assert_eq!(sim.call(TOKEN, OPENAPI)["errcode"], 0);
    assert_eq!(sim.call(TOKEN, HELLO)["errcode"], 1);
    assert_eq!(sim.call(TOKEN, HELLO)["errcode"], 3);
    assert_eq!(sim.call(TOKEN, HELLO)["errcode"], 0);
    // A catch-all fault also takes requests without a function name.
    sim.fault(r#"{"fault":{"kind":"errcode","errcode":4}}"#);
    assert_eq!(sim.call(TOKEN, "not json")["errcode"], 4);
    let faulted = sim.records("function_name=hello");
    assert_eq!(faulted.iter().filter(|r| r["fault"] == "errcode").count(), 2);
}

#[test]
fn faults_only_touch_getfuncconfig() {
    let sim = Sim::start();
    sim.fault(r#"{"fault":{"kind":"reset"}}"#);
    let resp = sim.request("POST", &format!("/tcb/invokecloudfunction?access_token={TOKEN}"), OPENAPI.as_bytes());
    assert_eq!(resp.json()["errcode"], 40066);
    assert_eq!(sim.request("GET", "/__sim/health", b"").status, 200);
    // Still pending for the next getfuncconfig.
    let mut conn = sim.conn();
    conn.send(&raw_request(OPENAPI));
    assert!(conn.read_rest().0.is_empty());
}

#[test]
fn adding_a_fault_reports_the_queue_length() {
    let sim = Sim::start();
    assert_eq!(sim.control("/__sim/faults", r#"{"fault":{"kind":"empty"}}"#), json!({"ok": true, "pending": 1}));
    assert_eq!(
        sim.control("/__sim/faults", r#"{"fault":{"kind":"empty"},"function_name":null,"times":4}"#)["pending"],
        2
    );
}

#[test]
fn invalid_faults_are_400() {
    let sim = Sim::start();
    for body in [
        "",
        "{",
        "[]",
        r#"{}"#,
        r#"{"fault":"reset"}"#,
        r#"{"fault":{}}"#,
        r#"{"fault":{"kind":"explode"}}"#,
        r#"{"fault":{"kind":"delay"}}"#,
        r#"{"fault":{"kind":"delay","ms":-5}}"#,
        r#"{"fault":{"kind":"stall","ms":"100"}}"#,
        r#"{"fault":{"kind":"http","status":99}}"#,
        r#"{"fault":{"kind":"http","status":700}}"#,
        r#"{"fault":{"kind":"http","body":5}}"#,
        r#"{"fault":{"kind":"body"}}"#,
        r#"{"fault":{"kind":"bytesHex","hex":"abc"}}"#,
        r#"{"fault":{"kind":"bytesHex","hex":"zz"}}"#,
        r#"{"fault":{"kind":"config"}}"#,
        r#"{"fault":{"kind":"config","config":5}}"#,
        r#"{"fault":{"kind":"errcode"}}"#,
        r#"{"fault":{"kind":"errcode","errcode":"40001"}}"#,
        r#"{"fault":{"kind":"huge"}}"#,
        r#"{"fault":{"kind":"empty"},"times":-1}"#,
        r#"{"fault":{"kind":"empty"},"times":1.5}"#,
        r#"{"fault":{"kind":"empty"},"function_name":7}"#,
    ] {
        let resp = sim.request("POST", "/__sim/faults", body.as_bytes());
        assert_eq!(resp.status, 400, "{body}");
        assert!(resp.json()["error"].is_string(), "{body}");
    }
    // Nothing was queued.
    assert_eq!(sim.call(TOKEN, OPENAPI)["errcode"], 0);
}

fn current_refresh(sim: &Sim) -> serde_json::Value {
    sim.control_get("/__sim/state")["authorizers"][0]["refresh_token"].clone()
}

#[test]
fn faults_can_target_a_token_endpoint() {
    let sim = Sim::start();
    sim.fault(&format!(r#"{{"path":"{STABLE}","fault":{{"kind":"errcode","errcode":45009}}}}"#));
    // getfuncconfig does not take a fault meant for stable_token.
    assert_eq!(sim.call(TOKEN, OPENAPI)["errcode"], 0);
    let v = sim.stable_token(false);
    assert_eq!(v["errcode"], 45009);
    assert!(v["errmsg"].as_str().is_some_and(|m| m.starts_with("reach max api daily quota limit rid: ")), "{v}");
    assert!(sim.stable_token(false)["access_token"].is_string(), "used once");

    // function_name only narrows getfuncconfig faults; elsewhere it is ignored.
    sim.fault(&format!(r#"{{"path":"{STABLE}","function_name":"openapi","fault":{{"kind":"errcode","errcode":-1}}}}"#));
    assert_eq!(sim.stable_token(false)["errcode"], -1);
    // A fault without a path stays with getfuncconfig.
    sim.fault(r#"{"fault":{"kind":"errcode","errcode":-1000}}"#);
    assert!(sim.stable_token(false)["access_token"].is_string());
    assert_eq!(sim.call(TOKEN, OPENAPI)["errcode"], -1000);

    sim.fault(&format!(r#"{{"path":"{COMPONENT}","fault":{{"kind":"http","status":503}}}}"#));
    let body = format!(
        r#"{{"component_appid":"{COMPONENT_APPID}","component_appsecret":"{COMPONENT_SECRET}","component_verify_ticket":"{TICKET}"}}"#
    );
    assert_eq!(sim.request("POST", COMPONENT, body.as_bytes()).status, 503);

    let records = sim.records(&format!("path={STABLE}"));
    let seen: Vec<_> = records.iter().map(|r| (r["fault"].clone(), r["errcode"].clone())).collect();
    assert_eq!(
        seen,
        [
            (json!("errcode"), json!(45009)),
            (json!(null), json!(0)),
            (json!("errcode"), json!(-1)),
            (json!(null), json!(0))
        ]
    );
    assert_eq!(sim.control_get("/__sim/state")["counters"][STABLE], 4, "faulted requests are counted too");
}

#[test]
fn delay_on_a_token_endpoint_answers_normally() {
    let sim = Sim::start();
    let ct = sim.component_token();
    sim.fault(&format!(r#"{{"path":"{AUTHORIZER}","fault":{{"kind":"delay","ms":600}}}}"#));
    let started = Instant::now();
    let v = sim.authorizer_token(&ct, REFRESH0);
    assert!(started.elapsed() >= Duration::from_millis(600));
    assert!(v["authorizer_access_token"].is_string(), "{v}");
}

#[test]
fn a_replacing_fault_keeps_the_request_from_wechat_but_truncate_does_not() {
    let sim = Sim::start();
    let ct = sim.component_token();
    // An error in front of WeChat: nothing was rotated, the refresh token still works.
    sim.fault(&format!(r#"{{"path":"{AUTHORIZER}","fault":{{"kind":"errcode","errcode":-1}}}}"#));
    sim.fault(&format!(r#"{{"path":"{AUTHORIZER}","fault":{{"kind":"reset"}}}}"#));
    assert_eq!(sim.authorizer_token(&ct, REFRESH0)["errcode"], -1);
    let body = format!(
        r#"{{"component_appid":"{COMPONENT_APPID}","authorizer_appid":"{AUTHORIZER_APPID}","authorizer_refresh_token":"{REFRESH0}"}}"#
    );
    let raw = format!(
        "POST {AUTHORIZER}?component_access_token={ct} HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut conn = sim.conn();
    conn.send(raw.as_bytes());
    assert!(conn.read_rest().0.is_empty());
    assert_eq!(current_refresh(&sim), REFRESH0);

    // An answer lost on the way back: WeChat rotated, the caller never saw the new token.
    sim.fault(&format!(r#"{{"path":"{AUTHORIZER}","fault":{{"kind":"truncate"}}}}"#));
    let mut conn = sim.conn();
    conn.send(raw.as_bytes());
    let (status, _) = conn.read_head().expect("head");
    assert_eq!(status, 200);
    let (half, _) = conn.read_rest();
    assert!(serde_json::from_slice::<serde_json::Value>(&half).is_err(), "half an answer");
    assert_ne!(current_refresh(&sim), REFRESH0);
    assert_eq!(sim.authorizer_token(&ct, REFRESH0)["errcode"], 61023);
}

#[test]
fn fault_paths_must_be_simulated_endpoints() {
    let sim = Sim::start();
    for path in [r#""/cgi-bin/token""#, r#""/tcb/getFuncConfig""#, "5", r#""""#] {
        let resp =
            sim.request("POST", "/__sim/faults", format!(r#"{{"path":{path},"fault":{{"kind":"empty"}}}}"#).as_bytes());
        assert_eq!(resp.status, 400, "{path}");
        assert!(resp.json()["error"].as_str().is_some_and(|e| e.contains("/cgi-bin/stable_token")), "{path}");
    }
    for path in [PATH, "/tcb/uploadfuncconfig", "/tcb/listfunctions", STABLE, COMPONENT, AUTHORIZER] {
        sim.fault(&format!(r#"{{"path":"{path}","fault":{{"kind":"empty"}}}}"#));
    }
    assert_eq!(sim.control("/__sim/faults", r#"{"path":null,"fault":{"kind":"empty"}}"#)["pending"], 7);
}
