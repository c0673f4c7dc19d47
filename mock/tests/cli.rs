//! The command line: start-up output, port file, seed files, and what the log may contain.

mod common;

use std::process::{Command, Stdio};

use common::*;

const SEED: &str = r#"{
  "tokens": ["custom-token", "other-token"],
  "expiredTokens": ["old-token"],
  "functions": [
    {"env": "prod-1", "name": "odd", "configs": {
      "1": "not json at all \u0000 \"quoted\" 中文",
      "2": {"triggers": [{"name": "t", "type": "timer", "config": "*/5 * * * * * *"}]},
      "3": null
    }},
    {"env": "prod-1", "name": "bare"}
  ]
}"#;

fn run_to_exit(args: &[&str]) -> (Option<i32>, String) {
    let out =
        Command::new(env!("CARGO_BIN_EXE_tcb-sim")).args(args).stdin(Stdio::null()).output().expect("run tcb-sim");
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn prints_one_listening_line_and_writes_the_port_file() {
    let sim = Sim::start_with(&["--quiet", "--host", "127.0.0.1", "--port=0"]);
    assert!(sim.port > 0);
    let port_text = std::fs::read_to_string(sim.dir.join("port")).expect("port file");
    assert!(port_text.chars().all(|c| c.is_ascii_digit()), "{port_text:?}");
    // The line is printed just after the port file is written.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while sim.stdout().is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert_eq!(sim.stdout(), format!("tcb-sim listening on http://127.0.0.1:{}\n", sim.port));
    // No temporary file is left beside the port file.
    let names: Vec<_> =
        std::fs::read_dir(&sim.dir).expect("dir").filter_map(|e| e.ok()).map(|e| e.file_name()).collect();
    assert_eq!(names.len(), 3, "{names:?}");
    sim.assert_alive();
}

#[test]
fn seed_file_replaces_the_built_in_data() {
    let dir = temp_dir();
    let seed = dir.join("seed.json");
    std::fs::write(&seed, SEED).expect("write seed");
    let seed = seed.to_string_lossy().into_owned();
    let sim = Sim::start_in(dir, &["--quiet", "--seed", &seed]).expect("start");

    let v = sim.call("custom-token", r#"{"type":1,"env":"prod-1","function_name":"odd"}"#);
    assert_eq!(v["config"], "not json at all \u{0} \"quoted\" 中文");
    let v = sim.call("other-token", r#"{"type":2,"env":"prod-1","function_name":"odd"}"#);
    // An object config is served as JSON text with the seed's own member order.
    assert_eq!(v["config"], r#"{"triggers":[{"name":"t","type":"timer","config":"*/5 * * * * * *"}]}"#);
    // null and absent configs are "not found".
    assert_eq!(sim.call("custom-token", r#"{"type":3,"env":"prod-1","function_name":"odd"}"#)["errcode"], 85089);
    assert_eq!(sim.call("custom-token", r#"{"type":1,"env":"prod-1","function_name":"bare"}"#)["errcode"], 85089);
    assert_eq!(sim.call("old-token", r#"{"type":1,"env":"prod-1","function_name":"odd"}"#)["errcode"], 42001);
    // The built-in data is gone.
    assert_eq!(sim.call(TOKEN, r#"{"type":1,"env":"test-777bb9","function_name":"openapi"}"#)["errcode"], 40014);

    // Functions the seed names without times get fixed ones, a day apart in seed order.
    let v = sim.wechat("/tcb/listfunctions?access_token=custom-token", r#"{"env":"prod-1"}"#);
    assert_eq!(
        v["functions"],
        serde_json::json!([
            {"name": "bare", "runtime": "Nodejs16.13", "status": "Active", "add_time": 1_672_617_600u64, "mod_time": 1_672_617_600u64},
            {"name": "odd", "runtime": "Nodejs16.13", "status": "Active", "add_time": 1_672_531_200u64, "mod_time": 1_672_531_200u64}
        ])
    );

    // Reset goes back to this seed, not the built-in one.
    sim.control("/__sim/configs", r#"{"env":"prod-1","function_name":"odd","type":1,"config":null}"#);
    sim.control("/__sim/reset", "");
    assert_eq!(sim.call("custom-token", r#"{"type":1,"env":"prod-1","function_name":"odd"}"#)["errcode"], 0);
}

const TOKEN_SEED: &str = r#"{
  "apps": [{"appid": "wx-a", "secret": "a-secret"}, {"appid": "wx-b", "secret": "b-secret"}],
  "components": [{
    "component_appid": "wx-c", "component_appsecret": "c-secret", "verify_ticket": "c-ticket",
    "authorizers": [{"authorizer_appid": "wx-x", "refresh_token": "x-refresh"}, {"authorizer_appid": "wx-y", "refresh_token": "y-refresh"}]
  }],
  "settings": {"stableTokensOnTcb": true, "tokenTtl": 600},
  "functions": [{"env": "e", "name": "f", "configs": {"3": "{}"}}]
}"#;

#[test]
fn seed_file_names_apps_platforms_and_settings() {
    let dir = temp_dir();
    let seed = dir.join("seed.json");
    std::fs::write(&seed, TOKEN_SEED).expect("write seed");
    let seed = seed.to_string_lossy().into_owned();
    let sim = Sim::start_in(dir, &["--quiet", "--seed", &seed]).expect("start");
    let body = r#"{"type":3,"env":"e","function_name":"f"}"#;

    let stable = |appid: &str, secret: &str| {
        sim.wechat(
            "/cgi-bin/stable_token",
            &format!(r#"{{"grant_type":"client_credential","appid":"{appid}","secret":"{secret}"}}"#),
        )
    };
    let a = stable("wx-a", "a-secret");
    assert_eq!(a["expires_in"], 600);
    let b = stable("wx-b", "b-secret");
    assert_ne!(a["access_token"], b["access_token"], "each app has its own token");
    assert_eq!(stable("wx-b", "a-secret")["errcode"], 40125);
    assert_eq!(stable(APPID, APP_SECRET)["errcode"], 40013, "the built-in app is gone");
    // The seed's settings apply: stable tokens are accepted here.
    let token = a["access_token"].as_str().expect("token");
    assert_eq!(sim.call(token, body)["errcode"], 0);

    let ct = sim.wechat(
        COMPONENT,
        r#"{"component_appid":"wx-c","component_appsecret":"c-secret","component_verify_ticket":"c-ticket"}"#,
    );
    let ct = ct["component_access_token"].as_str().expect("component token");
    let v = sim.wechat(
        &format!("{AUTHORIZER}?component_access_token={ct}"),
        r#"{"component_appid":"wx-c","authorizer_appid":"wx-y","authorizer_refresh_token":"y-refresh"}"#,
    );
    assert_eq!(sim.call(v["authorizer_access_token"].as_str().expect("token"), body)["errcode"], 0);
    let state = sim.control_get("/__sim/state");
    let refresh: Vec<_> =
        state["authorizers"].as_array().expect("list").iter().map(|a| a["refresh_token"].clone()).collect();
    assert_eq!(refresh, [serde_json::json!("x-refresh"), v["authorizer_refresh_token"].clone()]);

    // Reset goes back to the seed's settings, not the built-in defaults.
    sim.control("/__sim/settings", r#"{"tokenTtl":5}"#);
    sim.control("/__sim/reset", "");
    assert_eq!(sim.control_get("/__sim/settings")["settings"]["tokenTtl"], 600);
}

#[test]
fn a_seed_without_apps_has_none() {
    let dir = temp_dir();
    let seed = dir.join("seed.json");
    std::fs::write(&seed, SEED).expect("write seed");
    let seed = seed.to_string_lossy().into_owned();
    let sim = Sim::start_in(dir, &["--quiet", "--seed", &seed]).expect("start");
    assert_eq!(sim.stable_token(false)["errcode"], 40013);
    assert_eq!(sim.component_token_with(TICKET)["errcode"], 40013);
    assert_eq!(sim.control_get("/__sim/state")["authorizers"], serde_json::json!([]));
}

#[test]
fn bad_seeds_and_arguments_stop_start_up() {
    let dir = temp_dir();
    let cases = [
        ("not json", "not JSON"),
        ("[]", "must be a JSON object"),
        (r#"{"tokens":"t"}"#, "tokens"),
        (r#"{"functions":[{"env":"e","name":"n","configs":{"4":"x"}}]}"#, "functions[0].configs"),
        (r#"{"functions":[{"env":"","name":"n"}]}"#, "functions[0].env"),
        (r#"{"functions":[{"env":"e","name":"n","configs":[]}]}"#, "configs must be an object"),
        (r#"{"apps":{}}"#, "apps must be an array"),
        (r#"{"apps":[{"appid":"a"}]}"#, "apps[0].secret"),
        (r#"{"apps":[{"appid":"a","secret":"s"},{"appid":"a","secret":"t"}]}"#, "appears twice"),
        (r#"{"components":[{"component_appid":"c","component_appsecret":"s"}]}"#, "components[0].verify_ticket"),
        (
            r#"{"components":[{"component_appid":"c","component_appsecret":"s","verify_ticket":"t","authorizers":[{"authorizer_appid":"a"}]}]}"#,
            "components[0].authorizers[0].refresh_token",
        ),
        (r#"{"settings":{"tokenTtl":0}}"#, "settings: tokenTtl"),
        (r#"{"settings":{"nope":1}}"#, "unknown setting"),
        (r#"{"settings":{"uploadMode":"patch"}}"#, "settings: uploadMode"),
        (r#"{"functions":[{"env":"e","name":"n","runtime":7}]}"#, "functions[0].runtime"),
        (r#"{"functions":[{"env":"e","name":"n","add_time":-1}]}"#, "functions[0].add_time"),
    ];
    for (i, (text, expected)) in cases.iter().enumerate() {
        let path = dir.join(format!("seed{i}.json"));
        std::fs::write(&path, text).expect("write seed");
        let (code, stderr) = run_to_exit(&["--seed", &path.to_string_lossy()]);
        assert_eq!(code, Some(2), "{text}");
        assert!(stderr.contains(expected), "{text}: {stderr}");
    }
    let (code, stderr) = run_to_exit(&["--seed", &dir.join("missing.json").to_string_lossy()]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("cannot read seed"));
    for args in [&["--bogus"][..], &["--port"], &["--port", "99999"], &["--port", "abc"]] {
        let (code, stderr) = run_to_exit(args);
        assert_eq!(code, Some(2), "{args:?}");
        assert!(stderr.contains("usage:"), "{args:?}: {stderr}");
    }
    let (code, _) = run_to_exit(&["--help"]);
    assert_eq!(code, Some(0));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn log_has_one_line_per_request_and_no_secrets() {
    let sim = Sim::start_with(&[]);
    sim.call(TOKEN, r#"{"type":3,"env":"test-777bb9","function_name":"orderSync"}"#);
    sim.call(EXPIRED, r#"{"type":3,"env":"test-777bb9","function_name":"orderSync"}"#);
    sim.request("GET", "/__sim/requests", b"");
    sim.fault(r#"{"fault":{"kind":"config","config":"s3cr3t-in-fault"}}"#);
    sim.call(TOKEN, r#"{"type":3,"env":"test-777bb9","function_name":"orderSync"}"#);
    sim.conn().send(b"BROKEN\r\n\r\n");
    sim.assert_alive();

    // Log lines are written after the answer, so give the last one a moment.
    let mut log = String::new();
    for _ in 0..200 {
        log = sim.stderr();
        if log.lines().count() >= 7 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 7, "{log}");
    // Lines are written once each answer is sent, so requests on different connections
    // may log in either order.
    let has = |prefix: &str| lines.iter().any(|l| l.starts_with(prefix) && l.ends_with("ms"));
    assert!(has("POST /tcb/getfuncconfig 200 errcode=0 "), "{log}");
    assert!(has("POST /tcb/getfuncconfig 200 errcode=42001 "), "{log}");
    assert!(has("POST /tcb/getfuncconfig 200 errcode=0 fault=config "), "{log}");
    assert!(has("GET /__sim/requests 200 errcode=- "), "{log}");
    assert!(has("- - 400 errcode=- "), "{log}");
    for secret in [TOKEN, EXPIRED, "access_token", "s3cr3t", "DB_PASSWORD", "orderSync"] {
        assert!(!log.contains(secret), "log leaks {secret}: {log}");
    }
}

#[test]
fn log_never_shows_secrets_tickets_or_tokens() {
    let sim = Sim::start_with(&[]);
    sim.control("/__sim/settings", r#"{"stableTokensOnTcb":true}"#);
    let stable = sim.stable_token(false)["access_token"].as_str().expect("stable").to_string();
    let forced = sim.stable_token(true)["access_token"].as_str().expect("forced").to_string();
    sim.call(&stable, r#"{"type":3,"env":"test-777bb9","function_name":"hello"}"#);
    let ct = sim.component_token();
    let v = sim.authorizer_token(&ct, REFRESH0);
    let token = v["authorizer_access_token"].as_str().expect("token").to_string();
    let refresh = v["authorizer_refresh_token"].as_str().expect("refresh").to_string();
    sim.call(&token, r#"{"type":3,"env":"test-777bb9","function_name":"hello"}"#);
    sim.authorizer_token(&ct, REFRESH0);
    sim.component_token_with("wrong-ticket-value");
    sim.request("POST", &format!("/cgi-bin/token?grant_type=client_credential&appid={APPID}&secret={APP_SECRET}"), b"");
    sim.fault(&format!(r#"{{"path":"{STABLE}","fault":{{"kind":"errcode","errcode":-1}}}}"#));
    sim.stable_token(false);
    sim.control("/__sim/ticket", r#"{"component_appid":"wx-sim-component","ticket":"pushed-ticket-value"}"#);
    sim.control_get("/__sim/state");

    let expected = 14;
    let mut log = String::new();
    for _ in 0..200 {
        log = sim.stderr();
        if log.lines().count() >= expected {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert_eq!(log.lines().count(), expected, "{log}");
    let has = |prefix: &str| log.lines().any(|l| l.starts_with(prefix) && l.ends_with("ms"));
    assert!(has("POST /cgi-bin/stable_token 200 errcode=0 "), "{log}");
    assert!(has("POST /cgi-bin/stable_token 200 errcode=-1 fault=errcode "), "{log}");
    assert!(has("POST /cgi-bin/component/api_component_token 200 errcode=61006 "), "{log}");
    assert!(has("POST /cgi-bin/component/api_authorizer_token 200 errcode=0 "), "{log}");
    assert!(has("POST /cgi-bin/component/api_authorizer_token 200 errcode=61023 "), "{log}");
    assert!(has("POST /cgi-bin/token 200 errcode=40066 "), "{log}");
    for secret in [
        APP_SECRET,
        COMPONENT_SECRET,
        TICKET,
        REFRESH0,
        "wrong-ticket-value",
        "pushed-ticket-value",
        stable.as_str(),
        forced.as_str(),
        ct.as_str(),
        token.as_str(),
        refresh.as_str(),
        "sim-",
        "secret",
        "component_access_token",
        "grant_type",
        "?",
    ] {
        assert!(!log.contains(secret), "log leaks {secret}: {log}");
    }
}

#[test]
fn quiet_logs_nothing() {
    let sim = Sim::start();
    sim.get("openapi", 1);
    sim.request("GET", "/__sim/health", b"");
    assert_eq!(sim.stderr(), "");
}
