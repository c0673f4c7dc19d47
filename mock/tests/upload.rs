//! `POST /tcb/uploadfuncconfig`: writes read back verbatim, every error answer, merge mode,
//! the counters in `/__sim/changes`, what the request records keep, and faults.

mod common;

use std::time::{Duration, Instant};

use common::*;
use serde_json::{json, Value};

const UPLOAD: &str = "/tcb/uploadfuncconfig";

/// An upload body for the seeded env; `config` is the JSON text to send.
fn body(ty: u8, name: &str, config: &str) -> String {
    json!({"type": ty, "env": ENV, "function_name": name, "config": config}).to_string()
}

fn upload_with(sim: &Sim, token: &str, body: &str) -> Value {
    sim.wechat(&format!("{UPLOAD}?access_token={token}"), body)
}

fn upload(sim: &Sim, ty: u8, name: &str, config: &str) -> Value {
    upload_with(sim, TOKEN, &body(ty, name, config))
}

fn assert_ok(v: &Value) {
    assert_eq!(*v, json!({"errcode": 0, "errmsg": "ok"}));
}

fn changes(sim: &Sim, name: &str) -> Value {
    sim.control_get(&format!("/__sim/changes?env={ENV}&function={name}"))
}

#[test]
fn each_type_is_stored_and_read_back_verbatim() {
    let sim = Sim::start();
    let cases = [
        (1, "openapi", r#"{"permissions":{"openapi":["wxacode.get"]}}"#),
        // Spacing, key order and unknown keys are kept as sent.
        (2, "orderSync", r#"{ "triggers" : [ {"type":"timer","name":"t1","config":"0 0 3 * * * *"} ], "x": 1 }"#),
        (3, "orderSync", r#"{"environment":[{"key":"K","value":"v"}],"timeout":300}"#),
        // A type the function had no config of yet.
        (3, "openapi", r#"{"timeout":1}"#),
        (1, "hello", r#"{}"#),
    ];
    for (ty, name, config) in cases {
        let resp = sim.request("POST", &format!("{UPLOAD}?access_token={TOKEN}"), body(ty, name, config).as_bytes());
        assert_eq!(resp.status, 200);
        assert_eq!(resp.header("content-type"), Some("application/json"));
        assert_eq!(resp.text(), r#"{"errcode":0,"errmsg":"ok"}"#, "{name} type {ty}");
        assert_eq!(sim.get(name, ty), json!({"errcode": 0, "errmsg": "ok", "config": config}), "{name} type {ty}");
    }
    // The other types of a function are untouched.
    assert_eq!(
        sim.get("orderSync", 1)["config"],
        r#"{"permissions":{"openapi":["subscribeMessage.send","wxacode.getUnlimited","security.msgSecCheck"]}}"#
    );
    // Type 3 without a timeout is fine, and the whole config is replaced: nothing merged.
    assert_ok(&upload(&sim, 3, "orderSync", r#"{"environment":[]}"#));
    assert_eq!(sim.get("orderSync", 3)["config"], r#"{"environment":[]}"#);
    // An integral float type counts, as for getfuncconfig.
    let v =
        upload_with(&sim, TOKEN, &format!(r#"{{"type":2.0,"env":"{ENV}","function_name":"hello","config":"{{}}"}}"#));
    assert_ok(&v);
    assert_eq!(sim.get("hello", 2)["config"], "{}");
}

#[test]
fn uploads_move_mod_time_on_the_simulated_clock() {
    let sim = Sim::start();
    let list =
        |sim: &Sim| sim.wechat(&format!("/tcb/listfunctions?access_token={TOKEN}"), &json!({"env": ENV}).to_string());
    let before = list(&sim);
    let hello = |v: &Value| v["functions"].as_array().and_then(|a| a.iter().find(|f| f["name"] == "hello")).cloned();
    assert_eq!(hello(&before).map(|f| f["mod_time"].clone()), Some(json!(1_693_526_400)));
    sim.advance(1000);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    assert_ok(&upload(&sim, 3, "hello", r#"{"timeout":4}"#));
    let after = hello(&list(&sim)).expect("hello listed");
    let mod_time = after["mod_time"].as_u64().expect("mod_time");
    assert!((now + 999..now + 1010).contains(&mod_time), "{mod_time} vs now {now} + 1000");
    assert_eq!(after["add_time"], 1_680_307_200, "add_time stays");
    // A refused upload changes nothing.
    sim.advance(1000);
    upload(&sim, 3, "hello", r#"{"timeout":0}"#);
    assert_eq!(hello(&list(&sim)).map(|f| f["mod_time"].clone()), Some(json!(mod_time)));
}

#[test]
fn config_must_be_json_text_of_an_object() {
    let sim = Sim::start();
    for config in [json!({"timeout": 3}), json!(["a"]), json!(5), json!(true)] {
        let b = json!({"type": 3, "env": ENV, "function_name": "hello", "config": config}).to_string();
        assert_wechat_error(&upload_with(&sim, TOKEN, &b), 40097, "invalid args");
    }
    for text in ["", "not json", "[1,2]", "\"{}\"", "null", "3", "{\"a\":1} x", "{"] {
        assert_wechat_error(&upload(&sim, 1, "openapi", text), 40097, "invalid args");
    }
    // Nothing was stored.
    assert_eq!(sim.get("hello", 3)["config"], r#"{"timeout":3,"environment":[]}"#);
    assert_eq!(changes(&sim, "hello")["uploads"], 0);
}

#[test]
fn type_3_timeout_must_be_whole_seconds_from_1_to_300() {
    let sim = Sim::start();
    for timeout in ["0", "301", "-1", "2.5", "\"5\"", "null", "true", "1e3", "[5]"] {
        let config = format!(r#"{{"timeout":{timeout},"environment":[]}}"#);
        assert_wechat_error(&upload(&sim, 3, "hello", &config), 40097, "invalid args");
    }
    for timeout in ["1", "300", "5.0"] {
        assert_ok(&upload(&sim, 3, "hello", &format!(r#"{{"timeout":{timeout}}}"#)));
    }
    // Other types may carry anything called timeout.
    assert_ok(&upload(&sim, 1, "hello", r#"{"timeout":0}"#));
    assert_ok(&upload(&sim, 2, "hello", r#"{"timeout":"x"}"#));
}

#[test]
fn type_outside_1_to_3_is_invalid() {
    let sim = Sim::start();
    for ty in ["0", "4", "-1", "1.5", "1e300"] {
        let b = format!(r#"{{"type":{ty},"env":"{ENV}","function_name":"hello","config":"{{}}"}}"#);
        assert_wechat_error(&upload_with(&sim, TOKEN, &b), 40097, "invalid args");
    }
}

#[test]
fn missing_or_mistyped_fields_get_40101() {
    let sim = Sim::start();
    for b in [
        r#"{}"#,
        r#"{"env":"test-777bb9","function_name":"hello","config":"{}"}"#,
        r#"{"type":"3","env":"test-777bb9","function_name":"hello","config":"{}"}"#,
        r#"{"type":null,"env":"test-777bb9","function_name":"hello","config":"{}"}"#,
        r#"{"type":3,"function_name":"hello","config":"{}"}"#,
        r#"{"type":3,"env":"","function_name":"hello","config":"{}"}"#,
        r#"{"type":3,"env":7,"function_name":"hello","config":"{}"}"#,
        r#"{"type":3,"env":"test-777bb9","config":"{}"}"#,
        r#"{"type":3,"env":"test-777bb9","function_name":"","config":"{}"}"#,
        r#"{"type":3,"env":"test-777bb9","function_name":["hello"],"config":"{}"}"#,
        r#"{"type":3,"env":"test-777bb9","function_name":"hello"}"#,
        r#"{"type":3,"env":"test-777bb9","function_name":"hello","config":null}"#,
    ] {
        assert_wechat_error(&upload_with(&sim, TOKEN, b), 40101, "missing parameter");
    }
}

#[test]
fn body_errors_are_those_of_getfuncconfig() {
    let sim = Sim::start();
    assert_wechat_error(&upload_with(&sim, TOKEN, ""), 44002, "empty post data");
    assert_wechat_error(&upload_with(&sim, TOKEN, " \r\n"), 44002, "empty post data");
    for b in ["{", "[]", "\"text\"", "42", "null", "{\"type\":1}garbage"] {
        assert_wechat_error(&upload_with(&sim, TOKEN, b), 47001, "data format error");
    }
    for method in ["GET", "PUT", "DELETE"] {
        let resp = sim.request(method, &format!("{UPLOAD}?access_token={TOKEN}"), b"");
        assert_wechat_error(&resp.json(), 43002, "require POST method");
    }
}

#[test]
fn token_errors_are_those_of_getfuncconfig() {
    let sim = Sim::start();
    let b = body(3, "hello", r#"{"timeout":9}"#);
    let resp = sim.request("POST", UPLOAD, b.as_bytes());
    assert_wechat_error(&resp.json(), 41001, "access_token missing");
    assert_wechat_error(&sim.wechat(&format!("{UPLOAD}?access_token="), &b), 41001, "access_token missing");
    assert_wechat_error(&upload_with(&sim, EXPIRED, &b), 42001, "access_token expired");
    assert_wechat_error(&upload_with(&sim, "not-a-token", &b), 40014, "invalid access_token");
    // A mini program's own stable token is the wrong kind: 40014, unless allowed.
    let stable = sim.stable_token(false)["access_token"].as_str().expect("stable token").to_string();
    assert_wechat_error(&upload_with(&sim, &stable, &b), 40014, "invalid access_token");
    // A component token is never accepted.
    let ct = sim.component_token();
    assert_wechat_error(&upload_with(&sim, &ct, &b), 40014, "invalid access_token");
    // A stable token replaced by a forced refresh is "not latest".
    sim.control("/__sim/settings", r#"{"stableTokensOnTcb":true}"#);
    assert_ok(&upload_with(&sim, &stable, &b));
    sim.stable_token(true);
    assert_wechat_error(
        &upload_with(&sim, &stable, &b),
        40001,
        "invalid credential, access_token is invalid or not latest",
    );
    // An authorizer token is the documented kind.
    let at = sim.authorizer_token(&ct, REFRESH0)["authorizer_access_token"].as_str().expect("at").to_string();
    assert_ok(&upload_with(&sim, &at, &b));
    // Token before body.
    assert_wechat_error(&upload_with(&sim, "bogus", "junk"), 40014, "invalid access_token");
    assert_eq!(changes(&sim, "hello")["uploads"], 2, "only the two accepted uploads count");
}

#[test]
fn unknown_env_or_function_gets_85089() {
    let sim = Sim::start();
    for (env, name) in [("other-env", "hello"), (ENV, "nope"), (ENV, "HELLO")] {
        let b = json!({"type": 3, "env": env, "function_name": name, "config": "{}"}).to_string();
        assert_wechat_error(&upload_with(&sim, TOKEN, &b), 85089, "config not found");
    }
    // The function was not made by it.
    assert_eq!(sim.call(TOKEN, r#"{"type":3,"env":"test-777bb9","function_name":"nope"}"#)["errcode"], 85089);
    assert_eq!(sim.control_get("/__sim/changes"), json!({"functions": []}));
    // Parameters are checked before the lookup.
    let b = json!({"type": 3, "env": "other-env", "function_name": "x", "config": "nope"}).to_string();
    assert_wechat_error(&upload_with(&sim, TOKEN, &b), 40097, "invalid args");
}

#[test]
fn changes_count_applied_uploads_by_type() {
    let sim = Sim::start();
    assert_eq!(
        changes(&sim, "orderSync"),
        json!({"env": ENV, "function": "orderSync", "uploads": 0, "byType": {"1": 0, "2": 0, "3": 0}})
    );
    upload(&sim, 1, "orderSync", "{}");
    upload(&sim, 3, "orderSync", "{}");
    upload(&sim, 3, "orderSync", r#"{"timeout":5}"#);
    upload(&sim, 3, "orderSync", r#"{"timeout":500}"#); // refused
    upload(&sim, 2, "hello", "{}");
    assert_eq!(
        changes(&sim, "orderSync"),
        json!({"env": ENV, "function": "orderSync", "uploads": 3, "byType": {"1": 1, "2": 0, "3": 2}})
    );
    // Unknown functions have zeros; the query is percent-decoded.
    assert_eq!(sim.control_get("/__sim/changes?env=nowhere&function=x%20y")["function"], "x y");
    assert_eq!(sim.control_get("/__sim/changes?env=nowhere&function=x")["uploads"], 0);
    assert_eq!(
        sim.control_get("/__sim/changes"),
        json!({"functions": [
            {"env": ENV, "function": "hello", "uploads": 1, "byType": {"1": 0, "2": 1, "3": 0}},
            {"env": ENV, "function": "orderSync", "uploads": 3, "byType": {"1": 1, "2": 0, "3": 2}}
        ]})
    );
    // Field order as documented.
    let resp = sim.request("GET", &format!("/__sim/changes?env={ENV}&function=hello"), b"");
    assert_eq!(resp.text(), r#"{"env":"test-777bb9","function":"hello","uploads":1,"byType":{"1":0,"2":1,"3":0}}"#);
    // One parameter without the other is a mistake.
    for q in ["env=x", "function=x", "env=&function=x", "env=x&function="] {
        let resp = sim.request("GET", &format!("/__sim/changes?{q}"), b"");
        assert_eq!(resp.status, 400, "{q}");
        assert!(resp.json()["error"].is_string());
    }
    // Setting a config through the control API is no upload.
    sim.control("/__sim/configs", r#"{"env":"test-777bb9","function_name":"reportDaily","type":2,"config":"{}"}"#);
    assert_eq!(changes(&sim, "reportDaily")["uploads"], 0);
    // Reset clears the counts.
    sim.control("/__sim/reset", "");
    assert_eq!(sim.control_get("/__sim/changes"), json!({"functions": []}));
    assert_eq!(changes(&sim, "orderSync")["uploads"], 0);
}

#[test]
fn merge_mode_merges_environment_and_openapi_lists() {
    let sim = Sim::start();
    sim.control("/__sim/settings", r#"{"uploadMode":"merge"}"#);
    // Type 3: entries by key, replaced in place or appended; the stored timeout kept.
    assert_ok(&upload(
        &sim,
        3,
        "orderSync",
        r#"{"environment":[{"key":"REGION","value":"ap-guangzhou"},{"key":"NEW","value":"n"}]}"#,
    ));
    assert_eq!(
        sim.get("orderSync", 3)["config"],
        r#"{"timeout":20,"environment":[{"key":"DB_HOST","value":"10.0.0.8"},{"key":"DB_PASSWORD","value":"s3cr3t-pa55w0rd"},{"key":"REGION","value":"ap-guangzhou"},{"key":"NEW","value":"n"}]}"#
    );
    // A timeout alone keeps the environment.
    assert_ok(&upload(&sim, 3, "orderSync", r#"{"timeout":7}"#));
    let v: Value = serde_json::from_str(sim.get("orderSync", 3)["config"].as_str().expect("config")).expect("JSON");
    assert_eq!(v["timeout"], 7);
    assert_eq!(v["environment"].as_array().map(Vec::len), Some(4));
    // Type 1: the union, stored names first.
    assert_ok(&upload(&sim, 1, "orderSync", r#"{"permissions":{"openapi":["wxacode.get","security.msgSecCheck"]}}"#));
    assert_eq!(
        sim.get("orderSync", 1)["config"],
        r#"{"permissions":{"openapi":["subscribeMessage.send","wxacode.getUnlimited","security.msgSecCheck","wxacode.get"]}}"#
    );
    // Type 2 always replaces.
    let trigger = r#"{"triggers":[{"name":"other","type":"timer","config":"0 0 4 * * * *"}]}"#;
    assert_ok(&upload(&sim, 2, "orderSync", trigger));
    assert_eq!(sim.get("orderSync", 2)["config"], trigger);
    // With nothing stored there is nothing to merge into: kept as sent.
    assert_ok(&upload(&sim, 3, "openapi", r#"{ "environment": [] }"#));
    assert_eq!(sim.get("openapi", 3)["config"], r#"{ "environment": [] }"#);
    assert_eq!(changes(&sim, "orderSync")["byType"], json!({"1": 1, "2": 1, "3": 2}));

    // Back to replace: the whole config is what was sent.
    sim.control("/__sim/settings", r#"{"uploadMode":"replace"}"#);
    assert_ok(&upload(&sim, 3, "orderSync", r#"{"environment":[{"key":"ONLY","value":"1"}]}"#));
    assert_eq!(sim.get("orderSync", 3)["config"], r#"{"environment":[{"key":"ONLY","value":"1"}]}"#);
}

#[test]
fn records_keep_the_config_length_not_its_text() {
    let sim = Sim::start();
    let config = r#"{"timeout":9,"environment":[{"key":"DB_PASSWORD","value":"hunter2-secret"}]}"#;
    upload(&sim, 3, "orderSync", config);
    upload_with(&sim, TOKEN, "{\"config\":\"hunter2-secret\"");
    upload_with(
        &sim,
        TOKEN,
        r#"{"type":3,"env":"test-777bb9","function_name":"orderSync","config":{"k":"hunter2-secret"}}"#,
    );
    sim.get("orderSync", 3);
    let records = sim.records(&format!("path={UPLOAD}"));
    assert_eq!(records.len(), 3);
    let first: Value = serde_json::from_str(records[0]["body"].as_str().expect("body")).expect("JSON body");
    assert_eq!(
        first,
        json!({"type": 3, "env": ENV, "function_name": "orderSync", "config": format!("<{} bytes>", config.len())})
    );
    assert_eq!((records[0]["functionName"].as_str(), records[0]["errcode"].as_i64()), (Some("orderSync"), Some(0)));
    assert_eq!(records[1]["body"], format!("<{} bytes>", "{\"config\":\"hunter2-secret\"".len()));
    assert_eq!(records[1]["errcode"], 47001);
    assert!(records[2]["body"].as_str().is_some_and(|b| b.contains(r#""config":"<22 bytes>""#)), "{}", records[2]);
    let all = serde_json::to_string(&sim.records("")).expect("records");
    assert!(!all.contains("hunter2"), "{all}");
    // getfuncconfig records stay as they were.
    assert_eq!(
        sim.records(&format!("path={PATH}"))[0]["body"],
        r#"{"type":3,"env":"test-777bb9","function_name":"orderSync"}"#
    );
    // And the request counters count the new path.
    assert_eq!(sim.control_get("/__sim/state")["counters"][UPLOAD], 3);
}

#[test]
fn delay_and_stall_apply_the_write_then_answer_late() {
    let sim = Sim::start();
    sim.fault(&format!(r#"{{"path":"{UPLOAD}","fault":{{"kind":"delay","ms":1500}}}}"#));
    let sent = Instant::now();
    let handle = {
        let port = sim.port;
        let b = body(3, "hello", r#"{"timeout":42}"#);
        std::thread::spawn(move || {
            Conn::open(port).request("POST", &format!("{UPLOAD}?access_token={TOKEN}"), &[], b.as_bytes())
        })
    };
    // The write is visible while the answer is still on its way.
    let deadline = Instant::now() + Duration::from_millis(1200);
    while sim.get("hello", 3)["config"] != r#"{"timeout":42}"# {
        assert!(Instant::now() < deadline, "the write was not applied before the late answer");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(sent.elapsed() < Duration::from_millis(1500));
    let resp = handle.join().expect("client thread");
    assert!(sent.elapsed() >= Duration::from_millis(1500));
    assert_eq!(resp.json(), json!({"errcode": 0, "errmsg": "ok"}));
    assert_eq!(changes(&sim, "hello")["byType"]["3"], 1);

    sim.fault(&format!(r#"{{"path":"{UPLOAD}","fault":{{"kind":"stall","ms":300}}}}"#));
    assert_ok(&upload(&sim, 3, "hello", r#"{"timeout":43}"#));
    assert_eq!(sim.get("hello", 3)["config"], r#"{"timeout":43}"#);
    assert_eq!(changes(&sim, "hello")["byType"]["3"], 2);
    let faults: Vec<_> =
        sim.records(&format!("path={UPLOAD}")).iter().map(|r| (r["fault"].clone(), r["errcode"].clone())).collect();
    assert_eq!(faults, [(json!("delay"), json!(0)), (json!("stall"), json!(0))]);
}

#[test]
fn other_faults_answer_instead_of_the_write() {
    let sim = Sim::start();
    let original = sim.get("hello", 3)["config"].clone();
    for fault in [
        r#"{"kind":"http","status":502}"#,
        r#"{"kind":"errcode","errcode":-1}"#,
        r#"{"kind":"empty"}"#,
        r#"{"kind":"body","body":"{\"errcode\":0,\"errmsg\":\"ok\"}"}"#,
    ] {
        sim.fault(&format!(r#"{{"path":"{UPLOAD}","fault":{fault}}}"#));
        sim.request(
            "POST",
            &format!("{UPLOAD}?access_token={TOKEN}"),
            body(3, "hello", r#"{"timeout":99}"#).as_bytes(),
        );
        assert_eq!(sim.get("hello", 3)["config"], original, "{fault}");
    }
    let resp = {
        sim.fault(&format!(r#"{{"path":"{UPLOAD}","fault":{{"kind":"http","status":504}}}}"#));
        sim.request("POST", &format!("{UPLOAD}?access_token={TOKEN}"), body(3, "hello", "{}").as_bytes())
    };
    assert_eq!(resp.status, 504);
    // truncate sends half of the answer the upload would have had, and stores nothing.
    sim.fault(&format!(r#"{{"path":"{UPLOAD}","fault":{{"kind":"truncate"}}}}"#));
    let mut conn = sim.conn();
    let b = body(3, "hello", r#"{"timeout":98}"#);
    conn.send(
        format!("POST {UPLOAD}?access_token={TOKEN} HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n{b}", b.len())
            .as_bytes(),
    );
    let (status, _) = conn.read_head().expect("head");
    assert_eq!(status, 200);
    let (half, _) = conn.read_rest();
    assert_eq!(half, &br#"{"errcode":0,"errmsg":"ok"}"#[..13]);
    assert_eq!(sim.get("hello", 3)["config"], original);
    // reset: no answer, no write.
    sim.fault(&format!(r#"{{"path":"{UPLOAD}","fault":{{"kind":"reset"}}}}"#));
    let mut conn = sim.conn();
    conn.send(
        format!("POST {UPLOAD}?access_token={TOKEN} HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n{b}", b.len())
            .as_bytes(),
    );
    assert!(conn.read_rest().0.is_empty());
    assert_eq!(sim.get("hello", 3)["config"], original);

    assert_eq!(changes(&sim, "hello")["uploads"], 0, "no counter moved");
    // The fault is used up: the next upload is applied.
    assert_ok(&upload(&sim, 3, "hello", r#"{"timeout":97}"#));
    assert_eq!(changes(&sim, "hello")["uploads"], 1);
}

#[test]
fn upload_faults_match_their_path_and_function_name() {
    let sim = Sim::start();
    sim.fault(&format!(r#"{{"path":"{UPLOAD}","function_name":"hello","fault":{{"kind":"errcode","errcode":-1}}}}"#));
    // getfuncconfig and other functions do not take it.
    assert_eq!(sim.get("hello", 3)["errcode"], 0);
    assert_ok(&upload(&sim, 3, "orderSync", "{}"));
    assert_eq!(upload(&sim, 3, "hello", "{}")["errcode"], -1);
    assert_ok(&upload(&sim, 3, "hello", "{}"));
    // A getfuncconfig fault (no path) is not taken by an upload.
    sim.fault(r#"{"fault":{"kind":"errcode","errcode":-1000}}"#);
    assert_ok(&upload(&sim, 3, "hello", "{}"));
    assert_eq!(sim.get("hello", 3)["errcode"], -1000);
}
