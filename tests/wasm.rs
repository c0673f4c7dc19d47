//! The module's exports as the JavaScript client calls them, run as wasm in Node and in headless
//! Chromium: every step between two `fetch`es (building, decoding, classifying, editing,
//! comparing, masking) gives the same answer in both. The client around them is tested in
//! `tests/node` (Node), `tests/faults` (Node, Chromium, workerd) and `tests/workerd`.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, JSON, Object, Reflect};
use tcb_funcconfig::wasm::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

const TOKEN: &str = "sim-access-token";
const SECRET: &str = "s3cr3t-pa55w0rd";
const ENV_RAW: &str = r#"{"timeout":20,"environment":[{"key":"DB_PASSWORD","value":"s3cr3t-pa55w0rd"},{"key":"REGION","value":"ap-shanghai"}]}"#;

fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &JsValue::from_str(k), v).unwrap();
    }
    o.into()
}

fn s(v: &str) -> JsValue {
    JsValue::from_str(v)
}

fn prop(v: &JsValue, k: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(k)).unwrap()
}

fn text(v: &JsValue, k: &str) -> String {
    prop(v, k).as_string().unwrap_or_else(|| panic!("{k} is not a string"))
}

fn json(v: &JsValue) -> String {
    JSON::stringify(v).unwrap().into()
}

fn strings(v: &JsValue) -> Vec<String> {
    Array::from(v).iter().map(|x| x.as_string().unwrap()).collect()
}

/// A `TcbError` of `code` with a hint, whose every text is free of `secrets`.
fn tcb_error(err: &JsValue, code: &str, secrets: &[&str]) {
    assert!(is_tcb_error(err), "not a TcbError: {err:?}");
    assert!(err.is_instance_of::<js_sys::Error>());
    assert_eq!(text(err, "name"), "TcbError");
    assert_eq!(text(err, "code"), code, "{}", text(err, "message"));
    assert!(!text(err, "hint").is_empty());
    let all = format!("{} {} {}", json(err), text(err, "message"), text(err, "stack"));
    for secret in secrets {
        assert!(!all.contains(secret), "{secret} leaked: {all}");
    }
}

/// A step's JSON answer, parsed as the client does.
fn parsed(answer: Result<String, JsValue>) -> JsValue {
    JSON::parse(&answer.unwrap()).unwrap()
}

fn answer(config: &str) -> String {
    format!(r#"{{"errcode":0,"errmsg":"ok","config":{}}}"#, json(&s(config)))
}

#[wasm_bindgen_test]
fn requests_are_validated_and_built() {
    let r =
        get_request(obj(&[("env", s("test-777bb9")), ("functionName", s("orderSync")), ("type", s("environment"))]))
            .unwrap();
    assert_eq!(text(&r, "body"), r#"{"type":3,"env":"test-777bb9","function_name":"orderSync"}"#);
    assert_eq!(prop(&r, "type").as_f64(), Some(3.0));
    for (bad, field) in [
        (obj(&[("env", s("test-777bb9")), ("functionName", s("1bad")), ("type", 1.into())]), "functionName"),
        (obj(&[("env", s("bad env")), ("functionName", s("f")), ("type", 1.into())]), "env"),
        (obj(&[("env", s("e")), ("functionName", s("f")), ("type", 4.into())]), "type"),
        (obj(&[("env", s("e")), ("functionName", s("f")), ("type", 1.into()), ("signal", s("x"))]), "signal"),
        (s("not an object"), "request"),
    ] {
        let err = get_request(bad).unwrap_err();
        tcb_error(&err, "invalid_argument", &[]);
        assert!(text(&err, "message").starts_with(field), "{}", text(&err, "message"));
    }
    assert_eq!(
        endpoint_url("https://api.weixin.qq.com", "/tcb/getfuncconfig", "a+b/c="),
        "https://api.weixin.qq.com/tcb/getfuncconfig?access_token=a%2Bb%2Fc%3D"
    );
}

#[wasm_bindgen_test]
fn client_options_are_validated() {
    let o = read_client_options(obj(&[("accessToken", s(TOKEN))])).unwrap();
    assert_eq!(
        (text(&o, "baseUrl"), prop(&o, "timeoutMs").as_f64(), prop(&o, "retries").as_f64()),
        ("https://api.weixin.qq.com".into(), Some(10000.0), Some(2.0))
    );
    for (bad, field) in [
        (obj(&[]), "accessToken"),
        (obj(&[("accessToken", s("has space"))]), "accessToken"),
        (
            obj(&[("accessToken", s(TOKEN)), ("getAccessToken", js_sys::Function::new_no_args("").into())]),
            "accessToken",
        ),
        (obj(&[("getAccessToken", s("nope"))]), "getAccessToken"),
        (obj(&[("accessToken", s(TOKEN)), ("timeoutMs", 0.into())]), "timeoutMs"),
        (obj(&[("accessToken", s(TOKEN)), ("retries", 11.into())]), "retries"),
        (obj(&[("accessToken", s(TOKEN)), ("baseUrl", s("ftp://x"))]), "baseUrl"),
    ] {
        let err = read_client_options(bad).unwrap_err();
        tcb_error(&err, "invalid_argument", &["has space"]);
        assert!(text(&err, "message").starts_with(field), "{}", text(&err, "message"));
    }
}

#[wasm_bindgen_test]
fn answers_decode_into_typed_configs() {
    let c = parsed(decode_get("test-777bb9", "orderSync", 3, 200, &answer(ENV_RAW)));
    assert_eq!((text(&c, "kind"), prop(&c, "timeout").as_f64()), ("environment".into(), Some(20.0)));
    assert_eq!(text(&c, "raw"), ENV_RAW);
    let timer = answer(r#"{"triggers":[{"name":"n","type":"timer","config":"0 0 2 1 * * *"}]}"#);
    let t = parsed(decode_get("e", "f", 2, 200, &timer));
    let trigger = Array::from(&prop(&t, "triggers")).get(0);
    assert!(text(&prop(&prop(&trigger, "schedule"), "explanation"), "en").contains("02:00:00"));
    // Errors: WeChat's errcode with its hint, a gateway's status, an undecodable body with raw.
    let api = decode_get("e", "f", 1, 200, r#"{"errcode":40014,"errmsg":"invalid access_token"}"#).unwrap_err();
    tcb_error(&api, "api", &[]);
    assert!(text(&api, "hint").contains("authorizer_access_token"));
    let http = decode_get("e", "f", 1, 502, "<html>502</html>").unwrap_err();
    tcb_error(&http, "http", &[]);
    assert_eq!(prop(&http, "httpStatus").as_f64(), Some(502.0));
    let bad = decode_get("e", "f", 1, 200, &answer("not json")).unwrap_err();
    tcb_error(&bad, "decode", &[]);
    assert_eq!(text(&bad, "raw"), "not json");
}

#[wasm_bindgen_test]
fn failures_are_classified_by_the_core() {
    let busy = decode_get("e", "f", 1, 200, r#"{"errcode":-1,"errmsg":"system busy"}"#).unwrap_err();
    assert!(after_failure(busy.clone(), 2, 0, false, false, 0.5).as_f64().is_some_and(|d| d >= 0.0), "busy is retried");
    assert!(after_failure(busy.clone(), 2, 2, false, false, 0.5).is_object(), "retries are bounded");
    let expired = decode_get("e", "f", 1, 200, r#"{"errcode":42001,"errmsg":"expired"}"#).unwrap_err();
    assert_eq!(after_failure(expired, 2, 0, false, false, 0.5).as_f64(), Some(-1.0), "refresh the token");
    let quota = decode_get("e", "f", 1, 200, r#"{"errcode":45009}"#).unwrap_err();
    assert!(after_failure(quota.clone(), 2, 0, false, false, 0.5) == quota, "a daily quota fails as it is");
    // A write that may have reached the server is never retried.
    let timeout = client_error("timeout", "", 1000);
    tcb_error(&timeout, "timeout", &[]);
    let unknown = after_failure(timeout, 2, 0, true, false, 0.5);
    tcb_error(&unknown, "unknown_outcome", &[]);
    assert!(text(&unknown, "hint").contains("read the config"));
    let refused = client_error("network", "connect ECONNREFUSED", 0);
    assert!(after_failure(refused.clone(), 2, 0, true, true, 0.5).as_f64().is_some(), "a refused write never left");
    tcb_error(&after_failure(refused, 2, 0, true, false, 0.5), "unknown_outcome", &[]);
    tcb_error(&client_error("aborted", "", 0), "aborted", &[]);
    tcb_error(&client_error("too_large", "", 0), "decode", &[]);
}

#[wasm_bindgen_test]
fn edits_are_planned_on_the_config_read() {
    let set = obj(&[("set", obj(&[("NEW", s("new-value"))])), ("timeout", 60.into())]);
    let r = edit_request(
        "environment",
        s("test-777bb9"),
        s("orderSync"),
        set.clone(),
        obj(&[("expectedRaw", s(ENV_RAW)), ("dryRun", true.into())]),
    )
    .unwrap();
    assert_eq!((prop(&r, "type").as_f64(), prop(&r, "dryRun").as_bool()), (Some(3.0), Some(true)));
    let plan = parsed(
        plan_edit("environment", set, "test-777bb9", "orderSync", 3, Some(ENV_RAW.into()), false)
            .map(|v| v.as_string().unwrap()),
    );
    let keys: Vec<String> =
        Array::from(&prop(&prop(&plan, "config"), "environment")).iter().map(|v| text(&v, "key")).collect();
    assert_eq!(keys, ["DB_PASSWORD", "REGION", "NEW"], "nothing else is lost");
    let changes = json(&prop(&plan, "changes"));
    assert!(
        changes.contains(r#""op":"changed","field":"timeout","key":"timeout","before":"20","after":"60""#),
        "{changes}"
    );
    assert!(changes.contains("••••••") && !changes.contains("new-value"), "{changes}");
    let body = text(&plan, "body");
    assert!(
        body.starts_with(r#"{"type":3,"env":"test-777bb9","function_name":"orderSync","config":"#)
            && body.contains(SECRET),
        "{body}"
    );
    // Bad edits are refused before anything is read; an expectedRaw of another type too.
    for (kind, spec, field) in [
        ("environment", obj(&[("set", obj(&[("1K", s("v"))]))]), "set.1K"),
        ("grant", Array::of1(&s("nope")).into(), "names[0]"),
        ("setTrigger", obj(&[("name", s("t")), ("config", s("0 0 25 * * * *"))]), "trigger.config"),
    ] {
        let err = edit_request(kind, s("e"), s("f"), spec, JsValue::UNDEFINED).unwrap_err();
        tcb_error(&err, "invalid_argument", &[]);
        assert!(text(&err, "message").starts_with(field), "{}", text(&err, "message"));
    }
    let other =
        edit_request("grant", s("e"), s("f"), Array::of1(&s("a.b")).into(), obj(&[("expectedRaw", s(ENV_RAW))]));
    tcb_error(&other.unwrap_err(), "invalid_argument", &[SECRET]);
}

#[wasm_bindgen_test]
fn conflicts_carry_both_versions_masked() {
    let spaced = r#"{ "timeout": 20, "environment": [{"key":"DB_PASSWORD","value":"s3cr3t-pa55w0rd"},{"key":"REGION","value":"ap-shanghai"}] }"#;
    assert!(same_config("e", "f", 3, Some(ENV_RAW.into()), Some(spaced.into())).unwrap());
    assert!(!same_config("e", "f", 3, Some(ENV_RAW.into()), None).unwrap());
    assert!(same_config("e", "f", 3, None, None).unwrap());
    let changed = ENV_RAW.replace("ap-shanghai", "ap-guangzhou");
    assert!(!same_config("e", "f", 3, Some(ENV_RAW.into()), Some(changed.clone())).unwrap());
    let err = versions_error(false, "e", "f", 3, Some(ENV_RAW.into()), Some(changed));
    tcb_error(&err, "conflict", &[SECRET, "ap-shanghai", "ap-guangzhou"]);
    assert_eq!(text(&prop(&err, "actual"), "kind"), "environment");
    assert!(json(&prop(&err, "changes")).contains(r#""op":"changed","field":"environment","key":"REGION""#));
    tcb_error(&versions_error(true, "e", "f", 3, None, Some(ENV_RAW.into())), "unverified", &[SECRET]);
}

#[wasm_bindgen_test]
fn uploads_and_listings() {
    let config = obj(&[("timeout", 5.into())]);
    let req = obj(&[("env", s("e")), ("functionName", s("f")), ("type", 3.into()), ("config", config)]);
    let err = upload_request(req).unwrap_err();
    tcb_error(&err, "invalid_argument", &[]);
    assert!(text(&err, "message").starts_with("config.environment"), "the {{timeout:5}} trap is refused");
    assert!(check_answer(200, r#"{"errcode":0,"errmsg":"ok"}"#).is_ok());
    tcb_error(&check_answer(200, r#"{"errcode":40097,"errmsg":"invalid args"}"#).unwrap_err(), "api", &[]);
    let listing = r#"{"errcode":0,"total_count":2,"functions":[{"name":"a","run_time":"Nodejs16.13","add_time":1}]}"#;
    let list = parsed(decode_list_answer(200, listing));
    let first = Array::from(&prop(&list, "functions")).get(0);
    assert_eq!((prop(&list, "total").as_f64(), text(&first, "runtime")), (Some(2.0), "Nodejs16.13".into()));
    tcb_error(&list_request(obj(&[("env", s("e")), ("limit", 101.into())])).unwrap_err(), "invalid_argument", &[]);
    assert_eq!(list_page_body(s("e"), 2).unwrap().as_string().unwrap(), r#"{"env":"e","limit":100,"offset":200}"#);
    let a = obj(&[("openapi", Array::of1(&s("a.b")).into())]);
    let changes = parsed(
        diff_configs(a, obj(&[("openapi", Array::new().into())]), JsValue::UNDEFINED).map(|v| v.as_string().unwrap()),
    );
    assert_eq!(json(&changes), r#"[{"op":"removed","field":"openapi","key":"a.b"}]"#);
}

#[wasm_bindgen_test]
fn tokens_and_token_endpoints() {
    let t = read_token(obj(&[("accessToken", s(TOKEN)), ("expiresIn", 7200.into())]), 1_000_000.0).unwrap();
    assert_eq!(prop(&t, "renewAt").as_f64(), Some(1_000_000.0 + 6_900_000.0), "renewed 300 s early");
    assert_eq!(prop(&read_token(s(TOKEN), 0.0).unwrap(), "renewAt").as_f64(), Some(f64::INFINITY));
    tcb_error(&read_token(obj(&[]), 0.0).unwrap_err(), "token", &[]);
    let [url, body] = [0, 1].map(|i| {
        token_request("stable", "https://api.weixin.qq.com", "wx-app", "the-secret", "", "", true)
            .get(i)
            .as_string()
            .unwrap()
    });
    assert_eq!(url, "https://api.weixin.qq.com/cgi-bin/stable_token");
    assert!(body.contains(r#""force_refresh":true"#) && body.contains("the-secret"));
    let issued = decode_token(
        200,
        r#"{"authorizer_access_token":"T","expires_in":7200,"authorizer_refresh_token":"R2"}"#,
        "authorizer_access_token",
    )
    .unwrap();
    assert_eq!((text(&issued, "accessToken"), text(&issued, "refreshToken")), ("T".into(), "R2".into()));
    tcb_error(
        &decode_token(200, r#"{"errcode":61023,"errmsg":"invalid refresh token"}"#, "x").unwrap_err(),
        "api",
        &[],
    );
    let err = read_provider_options("stable", obj(&[("appid", s("wx")), ("secret", s(""))])).unwrap_err();
    tcb_error(&err, "invalid_argument", &[]);
}

#[wasm_bindgen_test]
fn cron_parses_explains_and_schedules() {
    let c = parse_cron(s("0 15 10 * * MON-FRI *")).unwrap();
    assert_eq!(text(&prop(&c, "explanation"), "zh"), "周一至周五 10:15:00");
    let runs =
        next_runs(s("0 0 2 1 * * *"), obj(&[("from", s("2026-11-28T10:00:00+08:00")), ("count", 2.into())])).unwrap();
    assert_eq!(strings(&runs.into()), ["2026-12-01T02:00:00+08:00", "2027-01-01T02:00:00+08:00"]);
    tcb_error(&parse_cron(s("0 0 24 * * * *")).unwrap_err(), "invalid_argument", &[]);
}
