//! The async client itself, as wasm in Node and in headless Chromium, against the simulator
//! (its URL is `TCB_SIM_URL` when the tests are built): typed results, errors, deadlines,
//! aborts, the token single flight and an edit's read-modify-write.
#![cfg(target_arch = "wasm32")]

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Array, Function, JSON, Object, Promise, Reflect};
use tcb_funcconfig::client::{ComponentClient, TcbClient};
use tcb_funcconfig::wasm::{diff_configs, is_tcb_error, next_runs, parse_cron};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

const SIM: &str = match option_env!("TCB_SIM_URL") {
    Some(url) => url,
    None => "http://127.0.0.1:8787",
};
const TOKEN: &str = "sim-access-token";
const ENV: &str = "test-777bb9";
const SECRET: &str = "s3cr3t-pa55w0rd";

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = fetch)]
    fn fetch_with_init(url: &str, init: &JsValue) -> Promise;
}

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

/// Posts to one of the simulator's control routes and returns its JSON answer.
async fn control(path: &str, body: JsValue) -> JsValue {
    let init = obj(&[("method", s("POST")), ("body", JSON::stringify(&body).unwrap().into())]);
    let res = JsFuture::from(fetch_with_init(&format!("{SIM}{path}"), &init)).await.unwrap();
    let res: web_sys::Response = res.unchecked_into();
    JsFuture::from(res.json().unwrap()).await.unwrap()
}

/// A fault for one function that answers once.
async fn fault(function_name: &str, fault: JsValue) {
    control("/__sim/faults", obj(&[("function_name", s(function_name)), ("times", 1.into()), ("fault", fault)])).await;
}

/// The WeChat-side requests the simulator received for one function.
async fn sent(function_name: &str) -> u32 {
    let url = format!("{SIM}/__sim/requests?function_name={function_name}");
    let res: web_sys::Response = JsFuture::from(fetch_with_init(&url, &obj(&[]))).await.unwrap().unchecked_into();
    Array::from(&JsFuture::from(res.json().unwrap()).await.unwrap()).length()
}

fn client(extra: &[(&str, JsValue)]) -> TcbClient {
    let mut pairs = vec![("accessToken", s(TOKEN)), ("baseUrl", s(SIM)), ("retries", 0.into())];
    pairs.extend(extra.iter().cloned());
    TcbClient::new(obj(&pairs)).unwrap()
}

fn target(function_name: &str, t: JsValue) -> JsValue {
    obj(&[("env", s(ENV)), ("functionName", s(function_name)), ("type", t)])
}

async fn ok(p: Promise) -> JsValue {
    JsFuture::from(p).await.unwrap_or_else(|e| panic!("rejected: {}", json(&e)))
}

/// The rejection of `p`: a `TcbError` of `code` with a hint, whose every text is free of `secrets`.
async fn rejected(p: Promise, code: &str, secrets: &[&str]) -> JsValue {
    let err = JsFuture::from(p).await.expect_err("should reject");
    assert!(is_tcb_error(&err), "not a TcbError: {err:?}");
    assert!(err.is_instance_of::<js_sys::Error>());
    assert_eq!(text(&err, "name"), "TcbError");
    assert_eq!(text(&err, "code"), code, "{}", text(&err, "message"));
    assert!(!text(&err, "hint").is_empty());
    let all = format!("{} {} {}", json(&err), text(&err, "message"), text(&err, "stack"));
    for secret in secrets {
        assert!(!all.contains(secret), "{secret} leaked: {all}");
    }
    err
}

#[wasm_bindgen_test]
async fn the_three_types_come_back_typed() {
    let c = client(&[]);
    let one = ok(c.get_func_config(target("openapi", 1.into()))).await;
    assert_eq!(text(&one, "kind"), "cloudCall");
    assert_eq!(prop(&one, "type").as_f64(), Some(1.0));
    assert_eq!(Array::from(&prop(&one, "openapi")).length(), 8);
    assert!(text(&one, "raw").starts_with("{\"permissions\":{"));
    let two = ok(c.get_func_config(target("orderSync", s("timerTrigger")))).await;
    let trigger = Array::from(&prop(&two, "triggers")).get(0);
    assert_eq!(text(&trigger, "config"), "0 0 2 * * * *");
    assert_eq!(Array::from(&prop(&prop(&trigger, "schedule"), "nextRuns")).length(), 5);
    let three = ok(c.get_func_config(target("orderSync", 3.into()))).await;
    assert_eq!(prop(&three, "timeout").as_f64(), Some(20.0));
    let vars = Array::from(&prop(&three, "environment"));
    assert_eq!(text(&vars.get(1), "value"), SECRET);
    // Plain objects, not Maps: JSON shows every field.
    assert!(json(&three).contains("\"DB_PASSWORD\""));
}

#[wasm_bindgen_test]
async fn get_all_configs_gives_null_for_a_type_not_configured() {
    let all = ok(client(&[]).get_all_configs(s(ENV), s("hello"), JsValue::UNDEFINED)).await;
    for k in ["cloudCall", "timerTrigger", "environment"] {
        let v = prop(&all, k);
        assert!(v.is_null() || v.is_object(), "{k}");
    }
    assert!(prop(&all, "cloudCall").is_null(), "hello has no type 1 config: {}", json(&all));
}

#[wasm_bindgen_test]
async fn bad_input_is_refused_before_anything_is_sent() {
    let c = client(&[]);
    for (request, field) in [
        (target("1bad", 1.into()), "functionName"),
        (obj(&[("env", s("bad env")), ("functionName", s("refusedHere")), ("type", 1.into())]), "env"),
        (target("refusedHere", 4.into()), "type"),
        (target("refusedHere", s("Environment")), "type"),
        (s("not an object"), "request"),
    ] {
        let e = rejected(c.get_func_config(request), "invalid_argument", &[TOKEN]).await;
        assert!(text(&e, "message").starts_with(field), "{}", text(&e, "message"));
    }
    assert_eq!(sent("refusedHere").await, 0);
    let bad = TcbClient::new(obj(&[("accessToken", s(TOKEN)), ("timeoutMs", 0.into())]));
    assert!(bad.is_err_and(|e| is_tcb_error(&e)));
}

#[wasm_bindgen_test]
async fn api_errors_carry_errcode_and_hint_without_the_token() {
    let token = "mini-program-own-token-XYZ";
    let c = client(&[("accessToken", s(token))]);
    let e = rejected(c.get_func_config(target("openapi", 1.into())), "api", &[token]).await;
    assert_eq!(prop(&e, "errcode").as_f64(), Some(40014.0));
    assert!(text(&e, "hint").contains("authorizer_access_token"));
}

#[wasm_bindgen_test]
async fn busy_is_retried_and_a_late_answer_times_out() {
    fault("busyOnce", obj(&[("kind", s("errcode")), ("errcode", (-1).into())])).await;
    let c = client(&[("retries", 2.into())]);
    let err = JsFuture::from(c.get_func_config(target("busyOnce", 1.into()))).await;
    // After the retry the function answers as it is (not configured, or a config).
    if let Err(e) = &err {
        assert_eq!(prop(e, "errcode").as_f64(), Some(85089.0), "{}", json(e));
    }
    assert_eq!(sent("busyOnce").await, 2, "one busy answer, one retry");
    fault("slowWasm", obj(&[("kind", s("delay")), ("ms", 3000.into())])).await;
    let quick = client(&[("timeoutMs", 300.into())]);
    let e = rejected(quick.get_func_config(target("slowWasm", 1.into())), "timeout", &[TOKEN]).await;
    assert!(text(&e, "message").contains("300 ms"));
}

#[wasm_bindgen_test]
async fn an_abort_rejects_at_once() {
    let controller = web_sys::AbortController::new().unwrap();
    controller.abort();
    let request = obj(&[
        ("env", s(ENV)),
        ("functionName", s("abortedWasm")),
        ("type", 1.into()),
        ("signal", controller.signal().into()),
    ]);
    rejected(client(&[]).get_func_config(request), "aborted", &[]).await;
    assert_eq!(sent("abortedWasm").await, 0);
}

#[wasm_bindgen_test]
async fn twenty_concurrent_cold_calls_fetch_one_token() {
    let calls = Rc::new(Cell::new(0));
    let counted = calls.clone();
    let source = Closure::<dyn FnMut(JsValue) -> Promise>::new(move |_ctx: JsValue| {
        counted.set(counted.get() + 1);
        // Resolved a little later, so that every call finds the fetch under way.
        Promise::new(&mut |resolve, _| {
            let token = obj(&[("accessToken", s(TOKEN)), ("expiresIn", 7200.into())]);
            let done = Closure::once_into_js(move || resolve.call1(&JsValue::NULL, &token).unwrap());
            let set_timeout = Reflect::get(&js_sys::global(), &s("setTimeout")).unwrap();
            set_timeout.unchecked_ref::<Function>().call2(&JsValue::NULL, &done, &20.into()).unwrap();
        })
    });
    let c = TcbClient::new(obj(&[("getAccessToken", source.as_ref().clone()), ("baseUrl", s(SIM))])).unwrap();
    let all: Array = (0..20).map(|_| JsValue::from(c.get_func_config(target("openapi", 1.into())))).collect();
    let results = JsFuture::from(Promise::all(&all)).await.unwrap();
    assert_eq!(Array::from(&results).length(), 20);
    assert_eq!(calls.get(), 1, "one token fetch for 20 cold calls");
}

#[wasm_bindgen_test]
async fn a_dry_run_edit_masks_values_and_writes_nothing() {
    let c = client(&[]);
    let edit = obj(&[("set", obj(&[("NEW_KEY", s("new-value-123"))]))]);
    let r = ok(c.update_environment(s(ENV), s("orderSync"), edit, obj(&[("dryRun", true.into())]))).await;
    assert_eq!(prop(&r, "written").as_bool(), Some(false));
    let changes = Array::from(&prop(&r, "changes"));
    assert_eq!(changes.length(), 1);
    assert_eq!(text(&changes.get(0), "key"), "NEW_KEY");
    assert_eq!(prop(&changes.get(0), "masked").as_bool(), Some(true));
    assert!(!json(&prop(&r, "changes")).contains("new-value-123"));
    let stale = obj(&[("expectedRaw", s(r#"{"timeout":1,"environment":[]}"#))]);
    let edit = obj(&[("timeout", 9.into())]);
    let e = rejected(c.update_environment(s(ENV), s("orderSync"), edit, stale), "conflict", &[SECRET]).await;
    assert!(prop(&e, "expected").is_object() && prop(&e, "actual").is_object());
}

#[wasm_bindgen_test]
fn the_sync_exports() {
    let parsed = parse_cron(s("0 15 10 * * MON-FRI *")).unwrap();
    assert!(text(&prop(&parsed, "explanation"), "en").contains("10:15:00"));
    let runs = next_runs(s("0 0 2 * * * *"), obj(&[("from", s("2026-01-01T00:00:00+08:00")), ("count", 2.into())]));
    assert_eq!(json(&runs.unwrap()), r#"["2026-01-01T02:00:00+08:00","2026-01-02T02:00:00+08:00"]"#);
    let a = obj(&[("timeout", 3.into()), ("environment", Array::new().into())]);
    let var = obj(&[("key", s("K")), ("value", s(SECRET))]);
    let b = obj(&[("timeout", 3.into()), ("environment", Array::of1(&var).into())]);
    let changes = diff_configs(a, b, JsValue::UNDEFINED).unwrap();
    assert!(!json(&changes).contains(SECRET));
    assert!(is_tcb_error(&parse_cron(s("0 0 24 * * * *")).unwrap_err()));
}

#[wasm_bindgen_test]
async fn an_apps_environments_and_the_platforms_own_calls() {
    control("/__sim/reset", obj(&[])).await;
    let envs = ok(client(&[]).get_env_info(obj(&[("env", s(ENV))]))).await;
    let list = Array::from(&prop(&envs, "environments"));
    assert_eq!(list.length(), 1);
    assert_eq!((text(&list.get(0), "env"), text(&list.get(0), "status")), (ENV.to_string(), "NORMAL".to_string()));
    rejected(client(&[]).get_env_info(obj(&[("env", s("bad env"))])), "invalid_argument", &[]).await;

    let secrets = ["sim-component-secret", "sim-verify-ticket", "no-such-code"];
    let c = ComponentClient::new(obj(&[
        ("componentAppid", s("wx-sim-component")),
        ("componentAppsecret", s(secrets[0])),
        ("componentVerifyTicket", s(secrets[1])),
        ("baseUrl", s(SIM)),
    ]))
    .unwrap();
    let pre = ok(c.create_pre_auth_code(JsValue::UNDEFINED)).await;
    assert!(text(&pre, "preAuthCode").starts_with("preauthcode@@@"));
    let info = ok(c.get_authorizer_info(s("wx-sim-authorizer"), JsValue::UNDEFINED)).await;
    assert_eq!(text(&info, "principalName"), "Sim Principal");
    let e = rejected(c.query_auth(s(secrets[2]), JsValue::UNDEFINED), "api", &secrets).await;
    assert_eq!(prop(&e, "errcode").as_f64(), Some(61009.0));
    rejected(c.get_authorizer_list(obj(&[("count", 501.into())])), "invalid_argument", &secrets).await;
    let page = ok(c.get_authorizer_list(obj(&[("count", 1.into())]))).await;
    assert_eq!(prop(&page, "totalCount").as_f64(), Some(1.0));
}
