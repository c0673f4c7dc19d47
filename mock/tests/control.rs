//! The `/__sim/` control API: records, reset, configs, tokens, and its error answers.

mod common;

use common::*;
use serde_json::json;

const OPENAPI: &str = r#"{"type":1,"env":"test-777bb9","function_name":"openapi"}"#;

#[test]
fn health() {
    let sim = Sim::start();
    let resp = sim.request("GET", "/__sim/health", b"");
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("content-type"), Some("application/json"));
    assert_eq!(resp.json(), json!({"ok": true}));
}

#[test]
fn records_describe_each_wechat_request() {
    let sim = Sim::start();
    sim.request("POST", &format!("{PATH}?access_token=sim%2Daccess-token&x=1"), OPENAPI.as_bytes());
    sim.request("GET", PATH, b"");
    sim.request("POST", &format!("{PATH}?access_token={TOKEN}"), b"not json");
    sim.request("GET", "/__sim/health", b"");

    let records = sim.records("");
    assert_eq!(records.len(), 3, "control requests are not recorded");
    assert_eq!(
        records[0],
        json!({
            "seq": 1, "method": "POST", "path": PATH, "query": "access_token=sim%2Daccess-token&x=1",
            "accessToken": "sim-access-token", "body": OPENAPI, "functionName": "openapi",
            "errcode": 0, "fault": null
        })
    );
    assert_eq!(
        records[1],
        json!({
            "seq": 2, "method": "GET", "path": PATH, "query": "", "accessToken": null, "body": "",
            "functionName": null, "errcode": 43002, "fault": null
        })
    );
    assert_eq!(records[2]["body"], "not json");
    assert_eq!(records[2]["functionName"], serde_json::Value::Null);
    assert_eq!(records[2]["errcode"], 47001);
}

#[test]
fn records_can_be_filtered() {
    let sim = Sim::start();
    sim.get("openapi", 1);
    sim.get("hello", 3);
    sim.get("openapi", 2);
    sim.request("POST", "/tcb/other", OPENAPI.as_bytes());

    let openapi = sim.records("function_name=openapi");
    assert_eq!(openapi.iter().map(|r| r["seq"].as_u64()).collect::<Vec<_>>(), [Some(1), Some(3), Some(4)]);
    assert_eq!(sim.records("function_name=hello").len(), 1);
    assert_eq!(sim.records("path=/tcb/getfuncconfig").len(), 3);
    assert_eq!(sim.records("path=%2Ftcb%2Fother").len(), 1);
    assert_eq!(sim.records("function_name=openapi&path=/tcb/getfuncconfig").len(), 2);
    assert!(sim.records("function_name=nobody").is_empty());
}

#[test]
fn reset_restores_the_seed_and_clears_records_and_faults() {
    let sim = Sim::start();
    sim.control("/__sim/configs", r#"{"env":"test-777bb9","function_name":"openapi","type":1,"config":null}"#);
    sim.control("/__sim/tokens", r#"{"expired":["sim-access-token"]}"#);
    sim.fault(r#"{"fault":{"kind":"empty"},"times":0}"#);
    assert_eq!(sim.records("").len(), 0);
    sim.request("POST", "/x", b"");

    assert_eq!(sim.control("/__sim/reset", ""), json!({"ok": true}));
    assert!(sim.records("").is_empty());
    let v = sim.get("openapi", 1);
    assert_eq!(v["errcode"], 0, "seed restored, token valid again, fault gone: {v}");
    // Sequence numbers keep counting across a reset.
    assert_eq!(sim.records("")[0]["seq"], 2);
}

#[test]
fn configs_can_be_set_replaced_and_removed() {
    let sim = Sim::start();
    // A string is answered verbatim, even when it is not JSON.
    sim.control("/__sim/configs", r#"{"env":"test-777bb9","function_name":"openapi","type":1,"config":"not { json"}"#);
    assert_eq!(sim.get("openapi", 1)["config"], "not { json");
    // Any other value is stored as compact JSON.
    sim.control(
        "/__sim/configs",
        r#"{"env":"e2","function_name":"fresh","type":3,"config":{"timeout": 9, "environment": [ ]}}"#,
    );
    let v = sim.call(TOKEN, r#"{"type":3,"env":"e2","function_name":"fresh"}"#);
    assert_eq!(v["config"], r#"{"timeout":9,"environment":[]}"#, "compact, in the order given");
    sim.control("/__sim/configs", r#"{"env":"e2","function_name":"fresh","type":2,"config":[1, 2]}"#);
    assert_eq!(sim.call(TOKEN, r#"{"type":2,"env":"e2","function_name":"fresh"}"#)["config"], "[1,2]");
    // Empty string is a config too.
    sim.control("/__sim/configs", r#"{"env":"e2","function_name":"fresh","type":1,"config":""}"#);
    assert_eq!(sim.call(TOKEN, r#"{"type":1,"env":"e2","function_name":"fresh"}"#)["config"], "");
    // null removes.
    sim.control("/__sim/configs", r#"{"env":"e2","function_name":"fresh","type":3,"config":null}"#);
    assert_eq!(sim.call(TOKEN, r#"{"type":3,"env":"e2","function_name":"fresh"}"#)["errcode"], 85089);
}

#[test]
fn bad_config_requests_are_400() {
    let sim = Sim::start();
    for body in [
        "",
        "{",
        "[]",
        r#"{"function_name":"f","type":1,"config":"x"}"#,
        r#"{"env":"","function_name":"f","type":1,"config":"x"}"#,
        r#"{"env":"e","type":1,"config":"x"}"#,
        r#"{"env":"e","function_name":"f","type":4,"config":"x"}"#,
        r#"{"env":"e","function_name":"f","type":"1","config":"x"}"#,
        r#"{"env":"e","function_name":"f","type":1}"#,
    ] {
        let resp = sim.request("POST", "/__sim/configs", body.as_bytes());
        assert_eq!(resp.status, 400, "{body}");
        assert!(resp.json()["error"].as_str().is_some_and(|e| !e.is_empty()));
    }
}

#[test]
fn tokens_can_be_added_and_moved() {
    let sim = Sim::start();
    sim.control("/__sim/tokens", r#"{"valid":["t-new"],"expired":["t-old"]}"#);
    assert_eq!(sim.call("t-new", OPENAPI)["errcode"], 0);
    assert_eq!(sim.call("t-old", OPENAPI)["errcode"], 42001);
    // Expiring a valid token, and renewing an expired one.
    sim.control("/__sim/tokens", r#"{"expired":["t-new"]}"#);
    sim.control("/__sim/tokens", r#"{"valid":["sim-expired-token"]}"#);
    assert_eq!(sim.call("t-new", OPENAPI)["errcode"], 42001);
    assert_eq!(sim.call(EXPIRED, OPENAPI)["errcode"], 0);
    // The built-in token is still valid.
    assert_eq!(sim.call(TOKEN, OPENAPI)["errcode"], 0);

    for body in [r#"{"valid":"t"}"#, r#"{"valid":[1]}"#, "[]", "nope"] {
        assert_eq!(sim.request("POST", "/__sim/tokens", body.as_bytes()).status, 400, "{body}");
    }
}

#[test]
fn unknown_paths_are_404_and_wrong_methods_405() {
    let sim = Sim::start();
    for (method, path) in [("GET", "/__sim/nope"), ("POST", "/__sim"), ("GET", "/__sim/"), ("GET", "/__sim/health/x")] {
        let resp = sim.request(method, path, b"");
        assert_eq!(resp.status, 404, "{method} {path}");
        assert!(resp.json()["error"].is_string());
    }
    for (method, path) in [
        ("POST", "/__sim/health"),
        ("GET", "/__sim/reset"),
        ("GET", "/__sim/configs"),
        ("PUT", "/__sim/faults"),
        ("DELETE", "/__sim/settings"),
        ("GET", "/__sim/expire-tokens"),
        ("GET", "/__sim/ticket"),
        ("PUT", "/__sim/clock"),
        ("POST", "/__sim/state"),
    ] {
        let resp = sim.request(method, path, b"");
        assert_eq!(resp.status, 405, "{method} {path}");
        assert!(resp.header("allow").is_some());
        assert!(resp.json()["error"].is_string());
    }
    // None of it reaches the WeChat side.
    assert!(sim.records("").is_empty());
}

#[test]
fn settings_can_be_read_and_changed_in_part() {
    let sim = Sim::start();
    let defaults = json!({
        "tokenTtl": 7200, "stableTokensOnTcb": false, "ipWhitelisted": true,
        "rotateRefreshTokens": true, "ticketTtl": 43200, "renewWindow": 300,
        "uploadMode": "replace", "listRuntimeKey": "runtime",
        "perMinuteQuota": 0, "pushUrl": null, "ticketPushSeconds": 600
    });
    assert_eq!(sim.control_get("/__sim/settings"), json!({"ok": true, "settings": defaults}));
    let v = sim.control("/__sim/settings", r#"{"tokenTtl":2,"ipWhitelisted":false}"#);
    assert_eq!(v["settings"]["tokenTtl"], 2);
    assert_eq!(v["settings"]["ipWhitelisted"], false);
    assert_eq!(v["settings"]["ticketTtl"], 43200, "the rest is unchanged");
    assert_eq!(sim.control("/__sim/settings", "{}"), v);
    for body in [
        "",
        "[]",
        r#"{"tokenTtl":0}"#,
        r#"{"tokenTtl":-5}"#,
        r#"{"tokenTtl":"60"}"#,
        r#"{"ticketTtl":2.5}"#,
        r#"{"renewWindow":null}"#,
        r#"{"stableTokensOnTcb":1}"#,
        r#"{"tokenTTL":60}"#,
        r#"{"rotateRefreshTokens":false,"bogus":true}"#,
        r#"{"uploadMode":"patch"}"#,
        r#"{"uploadMode":true}"#,
        r#"{"listRuntimeKey":"runTime"}"#,
        r#"{"listRuntimeKey":null}"#,
    ] {
        let resp = sim.request("POST", "/__sim/settings", body.as_bytes());
        assert_eq!(resp.status, 400, "{body}");
        assert!(resp.json()["error"].as_str().is_some_and(|e| !e.is_empty()), "{body}");
    }
    assert_eq!(sim.control_get("/__sim/settings"), v, "a refused change changes nothing");
}

#[test]
fn the_clock_only_moves_forward() {
    let sim = Sim::start();
    assert_eq!(sim.control_get("/__sim/clock"), json!({"ok": true, "offset": 0}));
    assert_eq!(sim.control("/__sim/clock", r#"{"advance":1.5}"#), json!({"ok": true, "offset": 1.5}));
    assert_eq!(sim.control("/__sim/clock", r#"{"advance":3}"#), json!({"ok": true, "offset": 4.5}));
    assert_eq!(sim.control("/__sim/clock", r#"{"advance":0}"#)["offset"], 4.5);
    for body in ["", "{}", r#"{"advance":-1}"#, r#"{"advance":"5"}"#, r#"{"advance":1e12}"#, "[]"] {
        let resp = sim.request("POST", "/__sim/clock", body.as_bytes());
        assert_eq!(resp.status, 400, "{body}");
        assert!(resp.json()["error"].is_string());
    }
    assert_eq!(sim.control_get("/__sim/clock")["offset"], 4.5);
}

#[test]
fn tickets_are_pushed_per_platform() {
    let sim = Sim::start();
    assert_eq!(
        sim.control("/__sim/ticket", r#"{"component_appid":"wx-sim-component","ticket":"fresh"}"#),
        json!({"ok": true})
    );
    assert!(sim.component_token_with("fresh")["component_access_token"].is_string());
    for body in [
        r#"{"component_appid":"wx-nobody","ticket":"t"}"#,
        r#"{"component_appid":"wx-sim-component","ticket":""}"#,
        r#"{"component_appid":"wx-sim-component"}"#,
        r#"{"ticket":"t"}"#,
        "nope",
    ] {
        let resp = sim.request("POST", "/__sim/ticket", body.as_bytes());
        assert_eq!(resp.status, 400, "{body}");
        assert!(resp.json()["error"].is_string());
    }
    assert!(sim.component_token_with("fresh")["component_access_token"].is_string(), "unchanged");
}

#[test]
fn expire_tokens_with_nothing_issued() {
    let sim = Sim::start();
    assert_eq!(sim.control("/__sim/expire-tokens", ""), json!({"ok": true, "expired": 0}));
    // Seeded tokens are not touched.
    assert_eq!(sim.call(TOKEN, OPENAPI)["errcode"], 0);
}
