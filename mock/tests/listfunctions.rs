//! `POST /tcb/listfunctions` and `POST /__sim/functions`: the seeded functions, paging,
//! every error answer, the runtime key setting, and faults.

mod common;

use std::time::{Duration, Instant};

use common::*;
use serde_json::{json, Value};

const LIST: &str = "/tcb/listfunctions";

fn list_with(sim: &Sim, token: &str, body: &str) -> Value {
    sim.wechat(&format!("{LIST}?access_token={token}"), body)
}

fn list(sim: &Sim, body: Value) -> Value {
    list_with(sim, TOKEN, &body.to_string())
}

fn names(v: &Value) -> Vec<String> {
    v["functions"]
        .as_array()
        .unwrap_or_else(|| panic!("no functions in {v}"))
        .iter()
        .map(|f| f["name"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn seeded_functions_are_listed_by_name() {
    let sim = Sim::start();
    let resp = sim.request("POST", &format!("{LIST}?access_token={TOKEN}"), json!({"env": ENV}).to_string().as_bytes());
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("content-type"), Some("application/json"));
    assert_eq!(
        resp.text(),
        concat!(
            r#"{"errcode":0,"errmsg":"ok","total_count":4,"functions":["#,
            r#"{"name":"hello","runtime":"Nodejs12.16","status":"Active","add_time":1680307200,"mod_time":1693526400},"#,
            r#"{"name":"openapi","runtime":"Nodejs16.13","status":"Active","add_time":1672531200,"mod_time":1672617600},"#,
            r#"{"name":"orderSync","runtime":"Nodejs16.13","status":"Active","add_time":1675209600,"mod_time":1704067200},"#,
            r#"{"name":"reportDaily","runtime":"Nodejs18.15","status":"Active","add_time":1677628800,"mod_time":1698796800}"#,
            "]}"
        )
    );
}

#[test]
fn pages_through_many_functions() {
    let sim = Sim::start();
    assert_eq!(
        sim.control("/__sim/functions", r#"{"env":"paging-env","count":25,"prefix":"fn"}"#),
        json!({"created": 25})
    );
    let all: Vec<String> = (0..25).map(|i| format!("fn{i:03}")).collect();
    let first = list(&sim, json!({"env": "paging-env", "limit": 10, "offset": 0}));
    assert_eq!(first["total_count"], 25);
    assert_eq!(names(&first), all[..10]);
    assert_eq!(names(&list(&sim, json!({"env": "paging-env", "limit": 10, "offset": 10}))), all[10..20]);
    let last = list(&sim, json!({"env": "paging-env", "limit": 10, "offset": 20}));
    assert_eq!((names(&last), last["total_count"].clone()), (all[20..].to_vec(), json!(25)));
    // Past the end: an empty page, still the total.
    let past = list(&sim, json!({"env": "paging-env", "limit": 10, "offset": 25}));
    assert_eq!((past["functions"].clone(), past["total_count"].clone()), (json!([]), json!(25)));
    assert_eq!(list(&sim, json!({"env": "paging-env", "offset": 1_000_000_000_000i64}))["functions"], json!([]));
    // Defaults: limit 10, offset 0; null counts as absent.
    assert_eq!(names(&list(&sim, json!({"env": "paging-env"}))), all[..10]);
    assert_eq!(names(&list(&sim, json!({"env": "paging-env", "limit": null, "offset": null}))), all[..10]);
    assert_eq!(names(&list(&sim, json!({"env": "paging-env", "limit": 100}))), all);
    assert_eq!(names(&list(&sim, json!({"env": "paging-env", "limit": 1, "offset": 24}))), ["fn024"]);
    assert_eq!(names(&list(&sim, json!({"env": "paging-env", "limit": 5.0, "offset": 2.0}))), all[2..7]);
    // Created functions have no configs and the simulated now as their times.
    let f = &first["functions"][0];
    assert_eq!((f["runtime"].as_str(), f["status"].as_str()), (Some("Nodejs16.13"), Some("Active")));
    assert_eq!(f["add_time"], f["mod_time"]);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    assert!(f["add_time"].as_u64().is_some_and(|t| t + 60 > now && t <= now), "{f}");
    for ty in 1..=3 {
        let v = sim.call(TOKEN, &format!(r#"{{"type":{ty},"env":"paging-env","function_name":"fn007"}}"#));
        assert_eq!(v["errcode"], 85089);
    }
    // The seeded env is unaffected.
    assert_eq!(list(&sim, json!({"env": ENV}))["total_count"], 4);
}

#[test]
fn limit_and_offset_must_be_in_range() {
    let sim = Sim::start();
    for (limit, offset) in [
        ("0", "0"),
        ("101", "0"),
        ("-1", "0"),
        ("1.5", "0"),
        ("\"10\"", "0"),
        ("true", "0"),
        ("[10]", "0"),
        ("10", "-1"),
        ("10", "0.5"),
        ("10", "\"0\""),
        ("10", "{}"),
    ] {
        let b = format!(r#"{{"env":"{ENV}","limit":{limit},"offset":{offset}}}"#);
        assert_wechat_error(&list_with(&sim, TOKEN, &b), 40097, "invalid args");
    }
    // Range is checked before the env is looked up.
    assert_wechat_error(&list_with(&sim, TOKEN, r#"{"env":"nowhere","limit":0}"#), 40097, "invalid args");
}

#[test]
fn env_is_required_and_must_exist() {
    let sim = Sim::start();
    for b in [r#"{}"#, r#"{"env":""}"#, r#"{"env":7}"#, r#"{"env":null,"limit":10}"#, r#"{"limit":0}"#] {
        assert_wechat_error(&list_with(&sim, TOKEN, b), 40101, "missing parameter");
    }
    assert_wechat_error(&list_with(&sim, TOKEN, r#"{"env":"other-env"}"#), 85089, "config not found");
    assert_wechat_error(&list_with(&sim, TOKEN, r#"{"env":"TEST-777BB9"}"#), 85089, "config not found");
}

#[test]
fn body_and_token_errors_are_those_of_getfuncconfig() {
    let sim = Sim::start();
    let b = json!({"env": ENV}).to_string();
    for method in ["GET", "PUT"] {
        let resp = sim.request(method, &format!("{LIST}?access_token={TOKEN}"), b"");
        assert_wechat_error(&resp.json(), 43002, "require POST method");
    }
    assert_wechat_error(&sim.request("POST", LIST, b.as_bytes()).json(), 41001, "access_token missing");
    assert_wechat_error(&list_with(&sim, EXPIRED, &b), 42001, "access_token expired");
    assert_wechat_error(&list_with(&sim, "unknown", &b), 40014, "invalid access_token");
    let stable = sim.stable_token(false)["access_token"].as_str().expect("stable token").to_string();
    assert_wechat_error(&list_with(&sim, &stable, &b), 40014, "invalid access_token");
    let ct = sim.component_token();
    assert_wechat_error(&list_with(&sim, &ct, &b), 40014, "invalid access_token");
    let at = sim.authorizer_token(&ct, REFRESH0)["authorizer_access_token"].as_str().expect("at").to_string();
    assert_eq!(list_with(&sim, &at, &b)["total_count"], 4);
    assert_wechat_error(&list_with(&sim, TOKEN, ""), 44002, "empty post data");
    for bad in ["{", "[]", "\"env\"", "null"] {
        assert_wechat_error(&list_with(&sim, TOKEN, bad), 47001, "data format error");
    }
    let records = sim.records(&format!("path={LIST}"));
    assert_eq!(records[0]["body"], "", "listfunctions bodies are recorded as sent");
    assert_eq!(sim.control_get("/__sim/state")["counters"][LIST], records.len());
}

#[test]
fn runtime_key_follows_the_setting() {
    let sim = Sim::start();
    sim.control("/__sim/settings", r#"{"listRuntimeKey":"run_time"}"#);
    let v = list(&sim, json!({"env": ENV, "limit": 1}));
    assert_eq!(
        v["functions"][0],
        json!({"name": "hello", "run_time": "Nodejs12.16", "status": "Active", "add_time": 1_680_307_200u64, "mod_time": 1_693_526_400u64})
    );
    sim.control("/__sim/reset", "");
    assert_eq!(list(&sim, json!({"env": ENV, "limit": 1}))["functions"][0]["runtime"], "Nodejs12.16");
}

#[test]
fn functions_can_be_created_by_name() {
    let sim = Sim::start();
    // Existing names are left alone; repeats count once.
    let v = sim.control("/__sim/functions", r#"{"env":"test-777bb9","names":["b-new","openapi","a-new","b-new"]}"#);
    assert_eq!(v, json!({"created": 2}));
    assert_eq!(
        names(&list(&sim, json!({"env": ENV}))),
        ["a-new", "b-new", "hello", "openapi", "orderSync", "reportDaily"]
    );
    assert_eq!(sim.get("openapi", 1)["errcode"], 0, "openapi keeps its config");
    assert_eq!(sim.get("a-new", 1)["errcode"], 85089);
    // A new function takes uploads.
    let up = json!({"type": 1, "env": ENV, "function_name": "a-new", "config": "{}"}).to_string();
    assert_eq!(sim.wechat(&format!("/tcb/uploadfuncconfig?access_token={TOKEN}"), &up)["errcode"], 0);
    assert_eq!(sim.get("a-new", 1)["config"], "{}");
    // A count with an existing prefix makes only the missing ones; the prefix defaults to "fn".
    assert_eq!(sim.control("/__sim/functions", r#"{"env":"e2","count":3}"#), json!({"created": 3}));
    assert_eq!(sim.control("/__sim/functions", r#"{"env":"e2","count":5,"prefix":"fn"}"#), json!({"created": 2}));
    assert_eq!(sim.control("/__sim/functions", r#"{"env":"e2","count":1000,"prefix":"x-"}"#), json!({"created": 1000}));
    let page = list(&sim, json!({"env": "e2", "limit": 100, "offset": 1000}));
    assert_eq!(page["total_count"], 1005);
    assert_eq!(names(&page), ["x-995", "x-996", "x-997", "x-998", "x-999"]);
    assert_eq!(sim.control("/__sim/functions", r#"{"env":"e3","names":[]}"#), json!({"created": 0}));
    // Reset goes back to the seed.
    sim.control("/__sim/reset", "");
    assert_eq!(names(&list(&sim, json!({"env": ENV}))), ["hello", "openapi", "orderSync", "reportDaily"]);
    assert_wechat_error(&list(&sim, json!({"env": "e2"})), 85089, "config not found");
}

#[test]
fn bad_function_requests_are_400() {
    let sim = Sim::start();
    for b in [
        "",
        "{",
        "[]",
        r#"{"names":["a"]}"#,
        r#"{"env":"","names":["a"]}"#,
        r#"{"env":"e"}"#,
        r#"{"env":"e","names":"a"}"#,
        r#"{"env":"e","names":["a",1]}"#,
        r#"{"env":"e","names":["a",""]}"#,
        r#"{"env":"e","names":["a"],"count":1}"#,
        r#"{"env":"e","names":["a"],"prefix":"p"}"#,
        r#"{"env":"e","count":0}"#,
        r#"{"env":"e","count":1001}"#,
        r#"{"env":"e","count":2.5}"#,
        r#"{"env":"e","count":"3"}"#,
        r#"{"env":"e","count":3,"prefix":7}"#,
    ] {
        let resp = sim.request("POST", "/__sim/functions", b.as_bytes());
        assert_eq!(resp.status, 400, "{b}");
        assert!(resp.json()["error"].as_str().is_some_and(|e| !e.is_empty()), "{b}");
    }
    assert_wechat_error(&list(&sim, json!({"env": "e"})), 85089, "config not found");
}

#[test]
fn a_config_set_through_the_control_api_makes_its_function() {
    let sim = Sim::start();
    sim.control("/__sim/configs", r#"{"env":"made","function_name":"byConfig","type":3,"config":"{}"}"#);
    let v = list(&sim, json!({"env": "made"}));
    assert_eq!(names(&v), ["byConfig"]);
    // Removing a config of an unknown function makes nothing.
    sim.control("/__sim/configs", r#"{"env":"made","function_name":"ghost","type":3,"config":null}"#);
    assert_eq!(list(&sim, json!({"env": "made"}))["total_count"], 1);
}

#[test]
fn faults_apply_to_listfunctions() {
    let sim = Sim::start();
    sim.fault(&format!(r#"{{"path":"{LIST}","fault":{{"kind":"http","status":503}}}}"#));
    sim.fault(&format!(r#"{{"path":"{LIST}","function_name":"ignored","fault":{{"kind":"delay","ms":700}}}}"#));
    // getfuncconfig does not take them.
    assert_eq!(sim.get("hello", 3)["errcode"], 0);
    let b = json!({"env": ENV}).to_string();
    assert_eq!(sim.request("POST", &format!("{LIST}?access_token={TOKEN}"), b.as_bytes()).status, 503);
    let started = Instant::now();
    assert_eq!(list_with(&sim, TOKEN, &b)["total_count"], 4);
    assert!(started.elapsed() >= Duration::from_millis(700));
    let faults: Vec<_> = sim.records(&format!("path={LIST}")).iter().map(|r| r["fault"].clone()).collect();
    assert_eq!(faults, [json!("http"), json!("delay")]);
}
