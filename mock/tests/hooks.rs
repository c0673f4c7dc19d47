//! `/__sim/hooks`: one-shot config changes after the nth read or upload, and everything a
//! reset clears.

mod common;

use common::*;
use serde_json::{json, Value};

const UPLOAD: &str = "/tcb/uploadfuncconfig";
const HELLO_3: &str = r#"{"timeout":3,"environment":[]}"#;

fn hook(sim: &Sim, body: Value) -> Value {
    sim.control("/__sim/hooks", &body.to_string())
}

fn upload(sim: &Sim, ty: u8, name: &str, config: &str) -> Value {
    let b = json!({"type": ty, "env": ENV, "function_name": name, "config": config}).to_string();
    sim.wechat(&format!("{UPLOAD}?access_token={TOKEN}"), &b)
}

fn changes(sim: &Sim, name: &str) -> Value {
    sim.control_get(&format!("/__sim/changes?env={ENV}&function={name}"))
}

#[test]
fn read_hook_changes_the_config_after_the_nth_read() {
    let sim = Sim::start();
    let v = hook(
        &sim,
        json!({"env": ENV, "function": "hello", "type": 3, "after": "read", "nth": 2, "config": r#"{"timeout":9}"#}),
    );
    assert_eq!(v, json!({"ok": true, "pending": 1}));
    // Other types, functions and endpoints do not count.
    sim.get("hello", 1);
    sim.get("orderSync", 3);
    upload(&sim, 2, "hello", "{}");
    assert_eq!(sim.get("hello", 3)["config"], HELLO_3, "first read");
    assert_eq!(sim.control_get("/__sim/hooks")["hooks"][0]["seen"], 1);
    // The second reader still gets the answer from before; the third sees the change.
    assert_eq!(sim.get("hello", 3)["config"], HELLO_3, "second read");
    assert_eq!(sim.get("hello", 3)["config"], r#"{"timeout":9}"#);
    // One-shot: gone, and nothing further changes.
    assert_eq!(sim.control_get("/__sim/hooks"), json!({"ok": true, "hooks": []}));
    assert_eq!(sim.get("hello", 3)["config"], r#"{"timeout":9}"#);
    // A hook's write is no upload.
    assert_eq!(changes(&sim, "hello")["byType"]["3"], 0);
}

#[test]
fn read_hook_counts_answers_of_any_errcode() {
    let sim = Sim::start();
    // A read of a missing config (85089) counts, and the hook may create it.
    hook(
        &sim,
        json!({"env": ENV, "function": "hello", "type": 1, "after": "read", "config": r#"{"permissions":{"openapi":[]}}"#}),
    );
    assert_eq!(sim.get("hello", 1)["errcode"], 85089);
    assert_eq!(sim.get("hello", 1)["config"], r#"{"permissions":{"openapi":[]}}"#);
    // A token error for that config counts too.
    hook(&sim, json!({"env": ENV, "function": "hello", "type": 1, "after": "read", "config": "{}"}));
    assert_eq!(sim.call(EXPIRED, r#"{"type":1,"env":"test-777bb9","function_name":"hello"}"#)["errcode"], 42001);
    assert_eq!(sim.get("hello", 1)["config"], "{}");
    // A fault that answers in WeChat's place is no read.
    hook(&sim, json!({"env": ENV, "function": "hello", "type": 1, "after": "read", "config": "{\"x\":1}"}));
    sim.fault(r#"{"fault":{"kind":"errcode","errcode":-1}}"#);
    assert_eq!(sim.get("hello", 1)["errcode"], -1);
    assert_eq!(sim.get("hello", 1)["config"], "{}", "the faulted request was not counted");
    assert_eq!(sim.get("hello", 1)["config"], "{\"x\":1}");
}

#[test]
fn null_hook_removes_the_config() {
    let sim = Sim::start();
    hook(&sim, json!({"env": ENV, "function": "hello", "type": 3, "after": "read", "config": null}));
    assert_eq!(sim.get("hello", 3)["config"], HELLO_3);
    let v = sim.get("hello", 3);
    assert_wechat_error(&v, 85089, "config not found");
    // The function itself is still there.
    let list = sim.wechat(&format!("/tcb/listfunctions?access_token={TOKEN}"), &json!({"env": ENV}).to_string());
    assert_eq!(list["total_count"], 4);
}

#[test]
fn upload_hook_overwrites_what_the_nth_upload_stored() {
    let sim = Sim::start();
    hook(
        &sim,
        json!({"env": ENV, "function": "orderSync", "type": 3, "after": "upload", "nth": 2, "config": r#"{"timeout":60}"#}),
    );
    // Refused uploads and other types do not count.
    upload(&sim, 3, "orderSync", r#"{"timeout":0}"#);
    upload(&sim, 1, "orderSync", "{}");
    assert_eq!(upload(&sim, 3, "orderSync", r#"{"timeout":5}"#)["errcode"], 0);
    assert_eq!(sim.get("orderSync", 3)["config"], r#"{"timeout":5}"#);
    // The second applied upload answers ok, and the hook's config replaces what it wrote.
    assert_eq!(upload(&sim, 3, "orderSync", r#"{"timeout":6}"#), json!({"errcode": 0, "errmsg": "ok"}));
    assert_eq!(sim.get("orderSync", 3)["config"], r#"{"timeout":60}"#);
    // One-shot.
    upload(&sim, 3, "orderSync", r#"{"timeout":7}"#);
    assert_eq!(sim.get("orderSync", 3)["config"], r#"{"timeout":7}"#);
    assert_eq!(changes(&sim, "orderSync")["byType"], json!({"1": 1, "2": 0, "3": 3}), "only real uploads count");

    // null: the upload's config is gone again.
    hook(&sim, json!({"env": ENV, "function": "orderSync", "type": 2, "after": "upload", "config": null}));
    upload(&sim, 2, "orderSync", r#"{"triggers":[]}"#);
    assert_eq!(sim.get("orderSync", 2)["errcode"], 85089);
}

#[test]
fn upload_hook_ignores_uploads_that_a_fault_kept_from_wechat() {
    let sim = Sim::start();
    hook(&sim, json!({"env": ENV, "function": "hello", "type": 3, "after": "upload", "config": r#"{"timeout":11}"#}));
    sim.fault(&format!(r#"{{"path":"{UPLOAD}","fault":{{"kind":"http","status":502}}}}"#));
    let b = json!({"type": 3, "env": ENV, "function_name": "hello", "config": r#"{"timeout":2}"#}).to_string();
    assert_eq!(sim.request("POST", &format!("{UPLOAD}?access_token={TOKEN}"), b.as_bytes()).status, 502);
    assert_eq!(sim.get("hello", 3)["config"], HELLO_3);
    assert_eq!(sim.control_get("/__sim/hooks")["hooks"][0]["seen"], 0);
    // A delayed upload is applied, so the hook fires.
    sim.fault(&format!(r#"{{"path":"{UPLOAD}","fault":{{"kind":"delay","ms":10}}}}"#));
    upload(&sim, 3, "hello", r#"{"timeout":2}"#);
    assert_eq!(sim.get("hello", 3)["config"], r#"{"timeout":11}"#);
}

#[test]
fn hooks_fire_in_the_order_installed() {
    let sim = Sim::start();
    hook(&sim, json!({"env": ENV, "function": "hello", "type": 3, "after": "read", "config": "{\"a\":1}"}));
    hook(&sim, json!({"env": ENV, "function": "hello", "type": 3, "after": "read", "config": "{\"b\":2}"}));
    hook(&sim, json!({"env": ENV, "function": "hello", "type": 3, "after": "read", "nth": 3, "config": "{\"c\":3}"}));
    sim.get("hello", 3);
    assert_eq!(sim.get("hello", 3)["config"], "{\"b\":2}", "both fired; the later one wins");
    assert_eq!(sim.get("hello", 3)["config"], "{\"b\":2}");
    assert_eq!(sim.get("hello", 3)["config"], "{\"c\":3}");
}

#[test]
fn hooks_are_listed_and_cleared() {
    let sim = Sim::start();
    hook(&sim, json!({"env": ENV, "function": "hello", "type": 2.0, "after": "upload", "config": "{}"}));
    let v = hook(&sim, json!({"env": "e", "function": "f", "type": 1, "after": "read", "nth": 4, "config": null}));
    assert_eq!(v["pending"], 2);
    assert_eq!(
        sim.control_get("/__sim/hooks"),
        json!({"ok": true, "hooks": [
            {"env": ENV, "function": "hello", "type": 2, "after": "upload", "nth": 1, "seen": 0, "config": "{}"},
            {"env": "e", "function": "f", "type": 1, "after": "read", "nth": 4, "seen": 0, "config": null}
        ]})
    );
    assert_eq!(sim.request("DELETE", "/__sim/hooks", b"").json(), json!({"ok": true}));
    assert_eq!(sim.control_get("/__sim/hooks")["hooks"], json!([]));
    upload(&sim, 2, "hello", r#"{"triggers":[]}"#);
    assert_eq!(sim.get("hello", 2)["config"], r#"{"triggers":[]}"#, "a cleared hook does nothing");
}

#[test]
fn bad_hooks_are_400() {
    let sim = Sim::start();
    for b in [
        "",
        "{",
        "[]",
        r#"{"function":"f","type":1,"after":"read","config":null}"#,
        r#"{"env":"e","type":1,"after":"read","config":null}"#,
        r#"{"env":"e","function_name":"f","type":1,"after":"read","config":null}"#,
        r#"{"env":"e","function":"f","type":0,"after":"read","config":null}"#,
        r#"{"env":"e","function":"f","type":"1","after":"read","config":null}"#,
        r#"{"env":"e","function":"f","type":1,"after":"write","config":null}"#,
        r#"{"env":"e","function":"f","type":1,"config":null}"#,
        r#"{"env":"e","function":"f","type":1,"after":"read","nth":0,"config":null}"#,
        r#"{"env":"e","function":"f","type":1,"after":"read","nth":-1,"config":null}"#,
        r#"{"env":"e","function":"f","type":1,"after":"read","nth":"2","config":null}"#,
        r#"{"env":"e","function":"f","type":1,"after":"read"}"#,
        r#"{"env":"e","function":"f","type":1,"after":"read","config":{"timeout":3}}"#,
    ] {
        let resp = sim.request("POST", "/__sim/hooks", b.as_bytes());
        assert_eq!(resp.status, 400, "{b}");
        assert!(resp.json()["error"].as_str().is_some_and(|e| !e.is_empty()), "{b}");
    }
    assert_eq!(sim.control_get("/__sim/hooks")["hooks"], json!([]));
}

#[test]
fn new_control_routes_refuse_other_methods() {
    let sim = Sim::start();
    for (method, path, allow) in [
        ("POST", "/__sim/changes", "GET, HEAD, OPTIONS"),
        ("PUT", "/__sim/hooks", "GET, HEAD, POST, DELETE, OPTIONS"),
        ("GET", "/__sim/functions", "POST, OPTIONS"),
        ("DELETE", "/__sim/functions", "POST, OPTIONS"),
    ] {
        let resp = sim.request(method, path, b"");
        assert_eq!(resp.status, 405, "{method} {path}");
        assert_eq!(resp.header("allow"), Some(allow), "{method} {path}");
        assert!(resp.json()["error"].is_string());
    }
}

#[test]
fn reset_clears_uploads_hooks_functions_and_settings() {
    let sim = Sim::start();
    sim.control("/__sim/settings", r#"{"uploadMode":"merge","listRuntimeKey":"run_time"}"#);
    sim.control("/__sim/functions", r#"{"env":"test-777bb9","count":3,"prefix":"tmp"}"#);
    upload(&sim, 3, "hello", r#"{"timeout":30}"#);
    upload(&sim, 1, "tmp001", "{}");
    hook(&sim, json!({"env": ENV, "function": "hello", "type": 3, "after": "read", "config": null}));
    hook(&sim, json!({"env": ENV, "function": "hello", "type": 3, "after": "upload", "config": null}));
    sim.fault(r#"{"path":"/tcb/uploadfuncconfig","fault":{"kind":"errcode","errcode":-1},"times":0}"#);

    assert_eq!(sim.control("/__sim/reset", ""), json!({"ok": true}));
    assert_eq!(sim.control_get("/__sim/hooks")["hooks"], json!([]));
    assert_eq!(sim.control_get("/__sim/changes"), json!({"functions": []}));
    let settings = &sim.control_get("/__sim/settings")["settings"];
    assert_eq!(
        (settings["uploadMode"].as_str(), settings["listRuntimeKey"].as_str()),
        (Some("replace"), Some("runtime"))
    );
    let list = sim.wechat(&format!("/tcb/listfunctions?access_token={TOKEN}"), &json!({"env": ENV}).to_string());
    assert_eq!(list["total_count"], 4);
    assert_eq!(
        list["functions"][0],
        json!({"name": "hello", "runtime": "Nodejs12.16", "status": "Active", "add_time": 1_680_307_200u64, "mod_time": 1_693_526_400u64})
    );
    // The seeded config is back, read hooks are gone, and uploads are applied again.
    assert_eq!(sim.get("hello", 3)["config"], HELLO_3);
    assert_eq!(sim.get("hello", 3)["config"], HELLO_3);
    assert_eq!(upload(&sim, 3, "hello", r#"{"timeout":31}"#)["errcode"], 0);
    assert_eq!(sim.get("hello", 3)["config"], r#"{"timeout":31}"#, "replace mode, no upload hook");
    assert_eq!(changes(&sim, "hello")["uploads"], 1);
}
