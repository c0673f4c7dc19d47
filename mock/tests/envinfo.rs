//! `/tcb/getenvinfo` and how tcb data is scoped by the account a token speaks for.

mod common;

use common::*;
use serde_json::json;

#[test]
fn getenvinfo_lists_the_seeded_env_for_the_seeded_tokens() {
    let sim = Sim::start();
    let v = sim.tcb(GETENVINFO, TOKEN, "{}");
    assert_eq!(
        v,
        json!({"errcode": 0, "errmsg": "ok", "info_list": [{
            "env": ENV, "alias": "test", "create_time": "2023-01-01 08:00:00", "update_time": "2023-01-01 08:00:00",
            "status": "NORMAL", "package_id": "basic", "package_name": "基础版"
        }]})
    );
    let ct = sim.component_token();
    let token = sim.authorizer_token(&ct, REFRESH0)["authorizer_access_token"].as_str().expect("token").to_string();
    assert_eq!(sim.tcb(GETENVINFO, &token, &format!(r#"{{"env":"{ENV}"}}"#))["info_list"], v["info_list"]);
    assert_eq!(sim.tcb(GETENVINFO, &token, r#"{"env":"other-env"}"#)["info_list"], json!([]));
    assert_eq!(sim.tcb(GETENVINFO, &token, r#"{"env":5}"#)["errcode"], 40097);
    // The checks getfuncconfig runs.
    assert_eq!(sim.tcb(GETENVINFO, EXPIRED, "{}")["errcode"], 42001);
    assert_eq!(sim.tcb(GETENVINFO, "nope", "{}")["errcode"], 40014);
    assert_eq!(sim.tcb(GETENVINFO, TOKEN, "")["errcode"], 44002);
    assert_eq!(sim.tcb(GETENVINFO, TOKEN, "[]")["errcode"], 47001);
    assert_eq!(sim.wechat(GETENVINFO, "{}")["errcode"], 41001);
}

#[test]
fn each_generated_account_sees_only_its_own_envs_and_functions() {
    let sim = Sim::start_with(&["--quiet", "--authorizers", "12"]);
    let ct = sim.component_token();
    let token = |i: u64| {
        let v = sim.token_for(&ct, &rule::appid(i), &rule::refresh(i));
        v["authorizer_access_token"].as_str().unwrap_or_else(|| panic!("{v}")).to_string()
    };
    let t1 = token(1);
    let envs = sim.tcb(GETENVINFO, &t1, "{}");
    let names: Vec<_> = envs["info_list"].as_array().expect("list").iter().map(|e| e["env"].clone()).collect();
    assert_eq!(names.len() as u64, rule::env_count(1));
    assert!(names.contains(&json!(rule::env(1, 1))));
    let list = sim.tcb(LISTFUNCTIONS, &t1, &format!(r#"{{"env":"{}"}}"#, rule::env(1, 1)));
    assert_eq!(list["total_count"].as_u64(), Some(rule::function_count(1, 1)));
    let read = |t: &str, env: &str, ty: u8| {
        sim.tcb(PATH, t, &format!(r#"{{"type":{ty},"env":"{env}","function_name":"login"}}"#))
    };
    let c = read(&t1, &rule::env(1, 1), 3);
    assert_eq!(c["errcode"], 0, "{c}");
    let config: serde_json::Value = serde_json::from_str(c["config"].as_str().expect("text")).expect("JSON");
    assert!(config["timeout"].is_u64() && config["environment"].is_array());
    assert_eq!(read(&t1, &rule::env(1, 1), 2)["errcode"], 85089, "function 0 has no trigger");

    // Another account's env, and the seed's, are unknown to it; and the other way round.
    let t2 = token(2);
    assert_eq!(read(&t2, &rule::env(1, 1), 3)["errcode"], 85089);
    assert_eq!(sim.tcb(LISTFUNCTIONS, &t2, &format!(r#"{{"env":"{}"}}"#, rule::env(1, 1)))["errcode"], 85089);
    assert_eq!(sim.tcb(PATH, &t1, OPENAPI_BODY)["errcode"], 85089);
    assert_eq!(
        sim.call(TOKEN, &format!(r#"{{"type":3,"env":"{}","function_name":"login"}}"#, rule::env(1, 1)))["errcode"],
        85089
    );
    let upload = format!(r#"{{"type":3,"env":"{}","function_name":"login","config":"{{}}"}}"#, rule::env(1, 1));
    assert_eq!(sim.tcb("/tcb/uploadfuncconfig", &t2, &upload)["errcode"], 85089);
    assert_eq!(sim.tcb("/tcb/uploadfuncconfig", &t1, &upload)["errcode"], 0);

    // Every tenth account granted no cloud development: its token is refused by tcb.
    let t10 = token(10);
    assert!(!rule::cloud_dev(10));
    assert_wechat_error(&sim.tcb(GETENVINFO, &t10, "{}"), 61007, "api is unauthorized to component");
    assert_eq!(read(&t10, &rule::env(10, 1), 1)["errcode"], 61007);
}

#[test]
fn control_calls_can_place_data_in_an_accounts_env() {
    let sim = Sim::start_with(&["--quiet", "--authorizers", "1"]);
    let appid = rule::appid(1);
    sim.control(
        "/__sim/configs",
        &format!(r#"{{"env":"extra-1","function_name":"f","type":3,"config":{{}},"authorizer_appid":"{appid}"}}"#),
    );
    sim.control("/__sim/functions", &format!(r#"{{"env":"extra-1","names":["g"],"authorizer_appid":"{appid}"}}"#));
    let refused = sim.request(
        "POST",
        "/__sim/configs",
        format!(r#"{{"env":"{ENV}","function_name":"f","type":3,"config":{{}},"authorizer_appid":"{appid}"}}"#)
            .as_bytes(),
    );
    assert_eq!(refused.status, 400, "the seed's env is not the account's");
    let ct = sim.component_token();
    let t = sim.token_for(&ct, &appid, &rule::refresh(1))["authorizer_access_token"].as_str().expect("t").to_string();
    assert_eq!(sim.tcb(LISTFUNCTIONS, &t, r#"{"env":"extra-1"}"#)["total_count"], 2);
    assert_eq!(sim.tcb(LISTFUNCTIONS, TOKEN, r#"{"env":"extra-1"}"#)["errcode"], 85089);
}
