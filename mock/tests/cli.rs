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
    assert_eq!(v["config"], r#"{"triggers":[{"config":"*/5 * * * * * *","name":"t","type":"timer"}]}"#);
    // null and absent configs are "not found".
    assert_eq!(sim.call("custom-token", r#"{"type":3,"env":"prod-1","function_name":"odd"}"#)["errcode"], 85089);
    assert_eq!(sim.call("custom-token", r#"{"type":1,"env":"prod-1","function_name":"bare"}"#)["errcode"], 85089);
    assert_eq!(sim.call("old-token", r#"{"type":1,"env":"prod-1","function_name":"odd"}"#)["errcode"], 42001);
    // The built-in data is gone.
    assert_eq!(sim.call(TOKEN, r#"{"type":1,"env":"test-777bb9","function_name":"openapi"}"#)["errcode"], 40014);

    // Reset goes back to this seed, not the built-in one.
    sim.control("/__sim/configs", r#"{"env":"prod-1","function_name":"odd","type":1,"config":null}"#);
    sim.control("/__sim/reset", "");
    assert_eq!(sim.call("custom-token", r#"{"type":1,"env":"prod-1","function_name":"odd"}"#)["errcode"], 0);
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
fn quiet_logs_nothing() {
    let sim = Sim::start();
    sim.get("openapi", 1);
    sim.request("GET", "/__sim/health", b"");
    assert_eq!(sim.stderr(), "");
}
