//! The JavaScript API, run as wasm in Node and in headless Chromium against the simulator.
//!
//! Built with `TCB_SIM_URL` pointing at a running `tcb-sim`; `make test` does both.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, JSON, Object, Reflect};
use tcb_funcconfig::wasm::{TcbClient, is_tcb_error};
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

fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &JsValue::from_str(k), v).unwrap();
    }
    o.into()
}

/// `getFuncConfig(request)` as JavaScript calls it.
async fn get_config(request: JsValue) -> Result<JsValue, JsValue> {
    JsFuture::from(tcb_funcconfig::wasm::get_func_config(request)).await
}

fn s(v: &str) -> JsValue {
    JsValue::from_str(v)
}

fn prop(v: &JsValue, k: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(k)).unwrap()
}

fn prop_str(v: &JsValue, k: &str) -> String {
    prop(v, k).as_string().unwrap_or_else(|| panic!("{k} is not a string"))
}

/// A request without retries, so that a fault injected once is what the call sees.
fn request(function_name: &str, t: JsValue) -> JsValue {
    obj(&[
        ("accessToken", s(TOKEN)),
        ("env", s(ENV)),
        ("functionName", s(function_name)),
        ("type", t),
        ("baseUrl", s(SIM)),
        ("retries", 0.into()),
    ])
}

async fn http(method: &str, path: &str, body: Option<&str>) -> JsValue {
    let url = format!("{SIM}{path}");
    let req = match method {
        "POST" => gloo_net::http::Request::post(&url).body(body.unwrap_or("{}")).unwrap(),
        _ => gloo_net::http::Request::get(&url).build().unwrap(),
    };
    let text = req.send().await.unwrap().text().await.unwrap();
    JSON::parse(&text).unwrap()
}

async fn fault(function_name: &str, fault: &str) {
    http("POST", "/__sim/faults", Some(&format!(r#"{{"function_name":"{function_name}","times":1,"fault":{fault}}}"#)))
        .await;
}

/// How many WeChat-side requests the simulator saw for this function.
async fn sent(function_name: &str) -> u32 {
    let list = http("GET", &format!("/__sim/requests?function_name={function_name}"), None).await;
    list.dyn_into::<Array>().unwrap().length()
}

async fn expect_err(result: Result<JsValue, JsValue>, code: &str) -> JsValue {
    let err = match result {
        Ok(v) => panic!("expected a {code} error, got {}", String::from(JSON::stringify(&v).unwrap())),
        Err(e) => e,
    };
    assert!(is_tcb_error(&err), "not a TcbError");
    assert!(err.is_instance_of::<js_sys::Error>());
    assert_eq!(prop_str(&err, "name"), "TcbError");
    assert_eq!(prop_str(&err, "code"), code, "message: {}", prop_str(&err, "message"));
    assert!(!prop_str(&err, "hint").is_empty());
    assert!(prop(&err, "retryable").as_bool().is_some());
    assert_no_secret(&err, TOKEN);
    err
}

/// Every own property of the error, its message and stack, and its JSON form are free of `secret`.
fn assert_no_secret(err: &JsValue, secret: &str) {
    let names = Object::get_own_property_names(err.unchecked_ref::<Object>());
    let mut texts: Vec<String> = names
        .iter()
        .map(|k| {
            let v = Reflect::get(err, &k).unwrap();
            v.as_string().unwrap_or_else(|| JSON::stringify(&v).map(String::from).unwrap_or_default())
        })
        .collect();
    texts.push(prop(err, "message").as_string().unwrap_or_default());
    texts.push(prop(err, "stack").as_string().unwrap_or_default());
    texts.push(JSON::stringify(err).map(String::from).unwrap_or_default());
    for t in texts {
        assert!(!t.contains(secret), "the secret leaked into an error: {t}");
    }
}

async fn ok(result: Result<JsValue, JsValue>) -> JsValue {
    match result {
        Ok(v) => v,
        Err(e) => panic!("call failed: {} ({})", prop_str(&e, "message"), prop_str(&e, "hint")),
    }
}

fn strings(v: &JsValue) -> Vec<String> {
    v.clone().dyn_into::<Array>().unwrap().iter().map(|x| x.as_string().unwrap()).collect()
}

fn now() -> f64 {
    js_sys::Date::now()
}

async fn sleep(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        let g = js_sys::global();
        let set_timeout: js_sys::Function = Reflect::get(&g, &s("setTimeout")).unwrap().unchecked_into();
        set_timeout.call2(&g, &resolve, &JsValue::from(ms)).unwrap();
    });
    JsFuture::from(p).await.unwrap();
}

fn round_trips(v: &JsValue) {
    let text = JSON::stringify(v).unwrap();
    let again = JSON::stringify(&JSON::parse(&String::from(text.clone())).unwrap()).unwrap();
    assert_eq!(String::from(text), String::from(again));
    assert_eq!(Object::get_prototype_of(v), Object::get_prototype_of(&Object::new()), "a plain object");
}

#[wasm_bindgen_test]
async fn type_1_is_the_documented_example() {
    let c = ok(get_config(request("openapi", 1.into())).await).await;
    assert_eq!(prop_str(&c, "kind"), "cloudCall");
    assert_eq!(prop(&c, "type").as_f64(), Some(1.0));
    assert_eq!(prop_str(&c, "env"), ENV);
    assert_eq!(prop_str(&c, "functionName"), "openapi");
    let names = strings(&prop(&c, "openapi"));
    assert_eq!(names.len(), 8);
    assert_eq!(names[0], "wxacode.get");
    assert_eq!(names[7], "templateMessage.getTemplateLibraryList");
    let raw = prop_str(&c, "raw");
    assert!(raw.starts_with(r#"{"permissions":{"#), "{raw}");
    round_trips(&c);
}

#[wasm_bindgen_test]
async fn type_2_by_name() {
    let c = ok(get_config(request("orderSync", s("timerTrigger"))).await).await;
    assert_eq!(prop_str(&c, "kind"), "timerTrigger");
    assert_eq!(prop(&c, "type").as_f64(), Some(2.0));
    let triggers: Array = prop(&c, "triggers").dyn_into().unwrap();
    assert_eq!(triggers.length(), 1);
    let t = triggers.get(0);
    assert_eq!(prop_str(&t, "name"), "nightlySync");
    assert_eq!(prop_str(&t, "type"), "timer");
    assert_eq!(prop_str(&t, "config"), "0 0 2 * * * *");
    round_trips(&c);
}

#[wasm_bindgen_test]
async fn type_3_environment() {
    let c = ok(get_config(request("orderSync", 3.into())).await).await;
    assert_eq!(prop_str(&c, "kind"), "environment");
    assert_eq!(prop(&c, "timeout").as_f64(), Some(20.0));
    let vars: Array = prop(&c, "environment").dyn_into().unwrap();
    assert_eq!(vars.length(), 3);
    assert_eq!(prop_str(&vars.get(1), "key"), "DB_PASSWORD");
    assert_eq!(prop_str(&vars.get(1), "value"), "s3cr3t-pa55w0rd");
    round_trips(&c);
}

#[wasm_bindgen_test]
async fn not_configured_is_85089() {
    let e = expect_err(get_config(request("hello", 1.into())).await, "api").await;
    assert_eq!(prop(&e, "errcode").as_f64(), Some(85089.0));
    assert!(prop_str(&e, "hint").contains("not configured"));
    assert_eq!(prop(&e, "retryable").as_bool(), Some(false));
}

#[wasm_bindgen_test]
async fn wrong_kind_of_token_is_40014_with_its_hint() {
    let token = "mini-program-own-token-XYZ";
    let req = request("openapi", 1.into());
    Reflect::set(&req, &s("accessToken"), &s(token)).unwrap();
    let e = expect_err(get_config(req).await, "api").await;
    assert_eq!(prop(&e, "errcode").as_f64(), Some(40014.0));
    assert!(prop_str(&e, "hint").contains("authorizer_access_token"));
    assert!(prop_str(&e, "errmsg").contains("invalid access_token"));
    assert_no_secret(&e, token);
}

#[wasm_bindgen_test]
async fn expired_token_is_42001() {
    let req = request("openapi", 1.into());
    Reflect::set(&req, &s("accessToken"), &s("sim-expired-token")).unwrap();
    let e = expect_err(get_config(req).await, "api").await;
    assert_eq!(prop(&e, "errcode").as_f64(), Some(42001.0));
    assert_no_secret(&e, "sim-expired-token");
}

#[wasm_bindgen_test]
async fn every_spec_errcode_is_classified() {
    // (errcode, retryable) for every row of the spec's table.
    let table: &[(i64, bool)] = &[
        (-1, true),
        (-1000, true),
        (40001, false),
        (40014, false),
        (40097, false),
        (40101, false),
        (41001, false),
        (42001, false),
        (43002, false),
        (44002, false),
        (47001, false),
        (45009, false),
        (45011, false),
        (48001, false),
        (61007, false),
        (61004, false),
        (85088, false),
        (85089, false),
        (99999, false),
    ];
    for &(code, retryable) in table {
        let name = format!("errcode{}", code.unsigned_abs());
        fault(&name, &format!(r#"{{"kind":"errcode","errcode":{code},"errmsg":"simulated {code}"}}"#)).await;
        let e = expect_err(get_config(request(&name, 1.into())).await, "api").await;
        assert_eq!(prop(&e, "errcode").as_f64(), Some(code as f64));
        assert_eq!(prop_str(&e, "errmsg"), format!("simulated {code}"));
        assert_eq!(prop(&e, "retryable").as_bool(), Some(retryable), "errcode {code}");
    }
}

#[wasm_bindgen_test]
async fn errcode_as_a_string_and_missing_errmsg_are_tolerated() {
    fault("errStr", r#"{"kind":"errcode","errcode":45011,"errcodeAsString":true,"omitErrmsg":true}"#).await;
    let e = expect_err(get_config(request("errStr", 1.into())).await, "api").await;
    assert_eq!(prop(&e, "errcode").as_f64(), Some(45011.0));
    assert!(prop(&e, "errmsg").is_undefined());
    assert!(prop_str(&e, "hint").contains("next minute"));
}

#[wasm_bindgen_test]
async fn bad_input_is_refused_and_nothing_is_sent() {
    let base = || request("badInput", 1.into());
    let cases: Vec<(&str, &str, JsValue)> = vec![
        ("accessToken", "accessToken", JsValue::UNDEFINED),
        ("accessToken", "accessToken", s("")),
        ("accessToken", "accessToken", s("tok en")),
        ("accessToken", "accessToken", s("token\n")),
        ("accessToken", "accessToken", s(&"a".repeat(513))),
        ("accessToken", "accessToken", 5.into()),
        ("env", "env", s("")),
        ("env", "env", s("bad env")),
        ("env", "env", s(&"e".repeat(65))),
        ("env", "env", JsValue::NULL),
        ("functionName", "functionName", s("")),
        ("functionName", "functionName", s("1abc")),
        ("functionName", "functionName", s(&"f".repeat(61))),
        ("functionName", "functionName", s("a.b")),
        ("type", "type", 0.into()),
        ("type", "type", 4.into()),
        ("type", "type", 1.5.into()),
        ("type", "type", s("1")),
        ("type", "type", s("config")),
        ("type", "type", JsValue::UNDEFINED),
        ("baseUrl", "baseUrl", s("api.weixin.qq.com")),
        ("baseUrl", "baseUrl", s("ftp://x")),
        ("baseUrl", "baseUrl", s("https://x.com?a=1")),
        ("timeoutMs", "timeoutMs", 0.into()),
        ("timeoutMs", "timeoutMs", 1.5.into()),
        ("timeoutMs", "timeoutMs", 300001.into()),
        ("timeoutMs", "timeoutMs", s("1000")),
        ("signal", "signal", s("abort")),
    ];
    for (field, named, value) in cases {
        let req = base();
        Reflect::set(&req, &s(field), &value).unwrap();
        let e = expect_err(get_config(req).await, "invalid_argument").await;
        let msg = prop_str(&e, "message");
        assert!(msg.contains(named), "{field}: {msg}");
        if field == "type" {
            assert!(msg.contains("cloudCall") && msg.contains("timerTrigger") && msg.contains("environment"), "{msg}");
        }
    }
    for not_an_object in [JsValue::UNDEFINED, JsValue::NULL, s("x"), 1.into()] {
        expect_err(get_config(not_an_object).await, "invalid_argument").await;
    }
    assert_eq!(sent("badInput").await, 0, "nothing reached the server");
}

#[wasm_bindgen_test]
async fn the_token_is_percent_encoded_in_the_query() {
    let token = "a+b/c=d&e%f";
    http("POST", "/__sim/tokens", Some(&format!(r#"{{"valid":["{token}"]}}"#))).await;
    let req = request("openapi", 1.into());
    Reflect::set(&req, &s("accessToken"), &s(token)).unwrap();
    ok(get_config(req).await).await;
    let list: Array = http("GET", "/__sim/requests?function_name=openapi", None).await.dyn_into().unwrap();
    let last = list.get(list.length() - 1);
    assert!(prop_str(&last, "query").contains("access_token=a%2Bb%2Fc%3Dd%26e%25f"));
    assert_eq!(prop_str(&last, "accessToken"), token);
    let body = JSON::parse(&prop_str(&last, "body")).unwrap();
    assert_eq!(prop(&body, "type").as_f64(), Some(1.0));
    assert_eq!(prop_str(&body, "env"), ENV);
    assert_eq!(prop_str(&body, "function_name"), "openapi");
    assert!(prop(&body, "access_token").is_undefined(), "the token is never a body field");
}

#[wasm_bindgen_test]
async fn timeout_bounds_the_call() {
    fault("slowOne", r#"{"kind":"delay","ms":3000}"#).await;
    let req = request("slowOne", 1.into());
    Reflect::set(&req, &s("timeoutMs"), &300.into()).unwrap();
    let start = now();
    let e = expect_err(get_config(req).await, "timeout").await;
    let took = now() - start;
    assert!((250.0..=800.0).contains(&took), "settled after {took} ms");
    assert_eq!(prop(&e, "retryable").as_bool(), Some(true));
}

#[wasm_bindgen_test]
async fn a_stalled_body_also_times_out() {
    fault("stallBody", r#"{"kind":"stall","ms":3000}"#).await;
    let req = request("stallBody", 1.into());
    Reflect::set(&req, &s("timeoutMs"), &300.into()).unwrap();
    let start = now();
    expect_err(get_config(req).await, "timeout").await;
    assert!(now() - start <= 800.0);
}

#[wasm_bindgen_test]
async fn abort_rejects_at_once() {
    for reason in [None, Some(s("a string reason")), Some(JsValue::UNDEFINED)] {
        fault("abortMe", r#"{"kind":"delay","ms":3000}"#).await;
        let controller = web_sys::AbortController::new().unwrap();
        let req = request("abortMe", 1.into());
        Reflect::set(&req, &s("signal"), &controller.signal()).unwrap();
        let start = now();
        let pending = get_config(req);
        let abort_later = async {
            sleep(100).await;
            match &reason {
                Some(r) => controller.abort_with_reason(r),
                None => controller.abort(),
            }
        };
        let (result, ()) = futures_util::future::join(pending, abort_later).await;
        expect_err(result, "aborted").await;
        assert!(now() - start < 1000.0, "rejected at once");
    }
}

#[wasm_bindgen_test]
async fn an_aborted_signal_sends_nothing() {
    let controller = web_sys::AbortController::new().unwrap();
    controller.abort();
    let req = request("preAborted", 1.into());
    Reflect::set(&req, &s("signal"), &controller.signal()).unwrap();
    expect_err(get_config(req).await, "aborted").await;
    assert_eq!(sent("preAborted").await, 0);
}

#[wasm_bindgen_test]
async fn http_errors_carry_the_status() {
    fault(
        "html502",
        r#"{"kind":"http","status":502,"body":"<html><body>Bad Gateway</body></html>","contentType":"text/html"}"#,
    )
    .await;
    let e = expect_err(get_config(request("html502", 1.into())).await, "http").await;
    assert_eq!(prop(&e, "httpStatus").as_f64(), Some(502.0));
    assert_eq!(prop(&e, "retryable").as_bool(), Some(true));
    fault("html404", r#"{"kind":"http","status":404,"body":"nope","contentType":"text/plain"}"#).await;
    let e = expect_err(get_config(request("html404", 1.into())).await, "http").await;
    assert_eq!(prop(&e, "retryable").as_bool(), Some(false));
}

#[wasm_bindgen_test]
async fn a_body_that_is_not_json_is_a_decode_error() {
    fault("notJson", r#"{"kind":"body","body":"<html>oops</html>"}"#).await;
    let e = expect_err(get_config(request("notJson", 1.into())).await, "decode").await;
    assert_eq!(prop_str(&e, "raw"), "<html>oops</html>");
    fault("emptyBody", r#"{"kind":"empty"}"#).await;
    expect_err(get_config(request("emptyBody", 1.into())).await, "decode").await;
    fault("noErrcode", r#"{"kind":"body","body":"{\"errmsg\":\"ok\"}"}"#).await;
    expect_err(get_config(request("noErrcode", 1.into())).await, "decode").await;
}

#[wasm_bindgen_test]
async fn a_config_that_is_not_json_is_a_decode_error_with_raw() {
    fault("badConfig", r#"{"kind":"config","config":"{permissions: nope"}"#).await;
    let e = expect_err(get_config(request("badConfig", 1.into())).await, "decode").await;
    assert_eq!(prop_str(&e, "raw"), "{permissions: nope");
    fault("wrongShape", r#"{"kind":"config","config":"{\"timeout\":\"5\"}"}"#).await;
    let e = expect_err(get_config(request("wrongShape", 3.into())).await, "decode").await;
    assert_eq!(prop_str(&e, "raw"), r#"{"timeout":"5"}"#);
    for config_json in ["null", "42", "{\"a\":1}"] {
        fault("oddConfig", &format!(r#"{{"kind":"config","configJson":{config_json}}}"#)).await;
        expect_err(get_config(request("oddConfig", 1.into())).await, "decode").await;
    }
}

#[wasm_bindgen_test]
async fn tolerant_reading() {
    fault("tolerant", r#"{"kind":"config","config":"{\"permissions\":{\"Openapi\":[\"a.b\"],\"x\":1},\"y\":[]}"}"#)
        .await;
    let c = ok(get_config(request("tolerant", 1.into())).await).await;
    assert_eq!(strings(&prop(&c, "openapi")), ["a.b"]);
    fault("tolerant", r#"{"kind":"config","config":"{}"}"#).await;
    let c = ok(get_config(request("tolerant", 3.into())).await).await;
    assert_eq!(prop(&c, "timeout").as_f64(), Some(3.0));
    assert_eq!(prop(&c, "environment").dyn_into::<Array>().unwrap().length(), 0);
    fault("tolerant", r#"{"kind":"config","config":"{\"triggers\":[{\"name\":\"t\",\"config\":\"* * * * * * *\"}]}"}"#)
        .await;
    let c = ok(get_config(request("tolerant", 2.into())).await).await;
    assert_eq!(prop_str(&prop(&c, "triggers").dyn_into::<Array>().unwrap().get(0), "type"), "timer");
    // A config encoded twice is unwrapped once; `raw` stays what was sent.
    fault("tolerant", r#"{"kind":"config","config":"\"{\\\"timeout\\\":9}\""}"#).await;
    let c = ok(get_config(request("tolerant", 3.into())).await).await;
    assert_eq!(prop(&c, "timeout").as_f64(), Some(9.0));
    assert_eq!(prop_str(&c, "raw"), r#""{\"timeout\":9}""#);
}

#[wasm_bindgen_test]
async fn connection_refused_is_a_network_error_and_the_client_recovers() {
    let client = TcbClient::new(obj(&[("accessToken", s(TOKEN)), ("baseUrl", s("http://127.0.0.1:9"))])).unwrap();
    let r = JsFuture::from(client.get_func_config(obj(&[
        ("env", s(ENV)),
        ("functionName", s("openapi")),
        ("type", 1.into()),
    ])))
    .await;
    let e = expect_err(r, "network").await;
    assert_eq!(prop(&e, "retryable").as_bool(), Some(true));
    // A dropped connection mid-call, then a normal call on the same client.
    let client = TcbClient::new(obj(&[("accessToken", s(TOKEN)), ("baseUrl", s(SIM))])).unwrap();
    // Every attempt is reset: a browser silently retries a request whose reused connection dropped.
    http("POST", "/__sim/faults", Some(r#"{"function_name":"resetMe","times":0,"fault":{"kind":"reset"}}"#)).await;
    let r = JsFuture::from(client.get_func_config(obj(&[
        ("env", s(ENV)),
        ("functionName", s("resetMe")),
        ("type", 1.into()),
    ])))
    .await;
    let code = prop_str(&r.expect_err("a reset fails"), "code");
    assert!(code == "network" || code == "decode", "{code}");
    let r = JsFuture::from(client.get_func_config(obj(&[
        ("env", s(ENV)),
        ("functionName", s("openapi")),
        ("type", 1.into()),
    ])))
    .await;
    ok(r).await;
}

#[wasm_bindgen_test]
async fn client_get_all_configs() {
    let client =
        TcbClient::new(obj(&[("accessToken", s(TOKEN)), ("baseUrl", s(SIM)), ("timeoutMs", 5000.into())])).unwrap();
    let before = sent("orderSync").await;
    let all = ok(JsFuture::from(client.get_all_configs(s(ENV), s("orderSync"), JsValue::UNDEFINED)).await).await;
    assert_eq!(prop_str(&prop(&all, "cloudCall"), "kind"), "cloudCall");
    assert_eq!(prop_str(&prop(&all, "timerTrigger"), "kind"), "timerTrigger");
    assert_eq!(prop_str(&prop(&all, "environment"), "kind"), "environment");
    round_trips(&all);
    let only_one = ok(JsFuture::from(client.get_all_configs(s(ENV), s("openapi"), JsValue::UNDEFINED)).await).await;
    assert_eq!(prop_str(&prop(&only_one, "cloudCall"), "kind"), "cloudCall");
    assert!(prop(&only_one, "timerTrigger").is_null());
    assert!(prop(&only_one, "environment").is_null());
    assert_eq!(sent("orderSync").await - before, 3, "one request per type");
    // Any error other than 85089 rejects the whole call.
    let bad = TcbClient::new(obj(&[("accessToken", s("not-a-known-token")), ("baseUrl", s(SIM))])).unwrap();
    let e =
        expect_err(JsFuture::from(bad.get_all_configs(s(ENV), s("orderSync"), JsValue::UNDEFINED)).await, "api").await;
    assert_eq!(prop(&e, "errcode").as_f64(), Some(40014.0));
    assert_no_secret(&e, "not-a-known-token");
    expect_err(
        JsFuture::from(client.get_all_configs(s("bad env"), s("orderSync"), JsValue::UNDEFINED)).await,
        "invalid_argument",
    )
    .await;
    expect_err(
        JsFuture::from(client.get_all_configs(s(ENV), JsValue::UNDEFINED, JsValue::UNDEFINED)).await,
        "invalid_argument",
    )
    .await;
}

#[wasm_bindgen_test]
fn client_options_are_validated_when_constructed() {
    for options in [
        JsValue::UNDEFINED,
        obj(&[]),
        obj(&[("accessToken", s(""))]),
        obj(&[("accessToken", s("t")), ("baseUrl", s("nope"))]),
        obj(&[("accessToken", s("t")), ("timeoutMs", (-1).into())]),
    ] {
        let e = TcbClient::new(options).err().expect("refused");
        assert!(is_tcb_error(&e));
        assert_eq!(prop_str(&e, "code"), "invalid_argument");
    }
    let client = TcbClient::new(obj(&[("accessToken", s("secret-token-in-client"))])).unwrap();
    let shown = String::from(JSON::stringify(&JsValue::from(client)).unwrap());
    assert!(!shown.contains("secret-token-in-client"), "{shown}");
}

#[wasm_bindgen_test]
fn is_tcb_error_recognises_only_its_own() {
    assert!(!is_tcb_error(&js_sys::Error::new("x").into()));
    assert!(!is_tcb_error(&JsValue::NULL));
    assert!(!is_tcb_error(&obj(&[("name", s("TcbError")), ("code", s("api")), ("hint", s("h"))])));
}

#[wasm_bindgen_test]
fn cron_parses_explains_and_schedules() {
    use tcb_funcconfig::wasm::{next_runs, parse_cron};
    let p = parse_cron(s("0 15 10 * * MON-FRI *")).unwrap();
    assert_eq!(prop_str(&prop(&p, "fields"), "weekday"), "MON-FRI");
    assert!(prop_str(&prop(&p, "explanation"), "zh").contains("周一至周五"));
    let e = parse_cron(s("0 0 24 * * * *")).unwrap_err();
    assert!(is_tcb_error(&e));
    assert!(prop_str(&e, "message").contains("hour: 24 is outside 0-23"));
    let from = js_sys::Date::new(&s("2026-11-27T12:00:00+08:00"));
    let runs = next_runs(s("0 15 10 * * MON-FRI *"), obj(&[("from", from.into()), ("count", 2.into())])).unwrap();
    assert_eq!(strings(&runs.into()), ["2026-11-30T10:15:00+08:00", "2026-12-01T10:15:00+08:00"]);
    let none = next_runs(s("0 0 0 1 1 * 1999"), JsValue::UNDEFINED).unwrap();
    assert_eq!(none.length(), 0);
    let e = next_runs(s("* * * * * * *"), obj(&[("count", 1001.into())])).unwrap_err();
    assert_eq!(prop_str(&e, "code"), "invalid_argument");
}

#[wasm_bindgen_test]
async fn timer_triggers_carry_their_schedule() {
    let c = ok(get_config(request("reportDaily", 2.into())).await).await;
    let t = prop(&c, "triggers").dyn_into::<Array>().unwrap().get(0);
    let schedule = prop(&t, "schedule");
    assert!(prop_str(&prop(&schedule, "explanation"), "en").contains("Monday to Friday"));
    let runs = strings(&prop(&schedule, "nextRuns"));
    assert_eq!(runs.len(), 5);
    assert!(runs.iter().all(|r| r.ends_with("T10:15:00+08:00")));
    assert!(prop(&t, "scheduleError").is_undefined());
}

/// A `getAccessToken` that hands out `tokens` in turn; the returned cell counts its calls and
/// records whether each asked for a forced refresh.
fn token_source(tokens: &'static [&'static str]) -> (JsValue, std::rc::Rc<std::cell::RefCell<Vec<bool>>>) {
    let calls = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let seen = calls.clone();
    let f = Closure::<dyn FnMut(JsValue) -> js_sys::Promise>::new(move |ctx: JsValue| {
        let force = prop(&ctx, "forceRefresh").as_bool().unwrap_or(false);
        assert!(prop(&ctx, "signal").is_instance_of::<web_sys::AbortSignal>());
        seen.borrow_mut().push(force);
        let i = (seen.borrow().len() - 1).min(tokens.len() - 1);
        js_sys::Promise::resolve(&s(tokens[i]))
    });
    (f.into_js_value(), calls)
}

async fn sim_counter(path: &str) -> f64 {
    let state = http("GET", "/__sim/state", None).await;
    prop(&prop(&state, "counters"), path).as_f64().unwrap_or(0.0)
}

#[wasm_bindgen_test]
async fn an_expired_token_is_refreshed_once_and_the_request_retried() {
    http("POST", "/__sim/reset", Some("{}")).await;
    let (source, calls) = token_source(&["sim-expired-token", "sim-access-token"]);
    let client = TcbClient::new(obj(&[("getAccessToken", source), ("baseUrl", s(SIM))])).unwrap();
    let req = obj(&[("env", s(ENV)), ("functionName", s("openapi")), ("type", 1.into())]);
    ok(JsFuture::from(client.get_func_config(req)).await).await;
    assert_eq!(*calls.borrow(), [false, true]);
    assert_eq!(sim_counter("/tcb/getfuncconfig").await, 2.0);
    // A second rejection fails: one refresh per call, never a loop.
    let (wrong, calls) = token_source(&["wrong-kind-a", "wrong-kind-b"]);
    let client = TcbClient::new(obj(&[("getAccessToken", wrong), ("baseUrl", s(SIM))])).unwrap();
    let req = obj(&[("env", s(ENV)), ("functionName", s("openapi")), ("type", 1.into())]);
    let e = expect_err(JsFuture::from(client.get_func_config(req)).await, "api").await;
    assert_eq!(prop(&e, "errcode").as_f64(), Some(40014.0));
    assert_eq!(calls.borrow().len(), 2);
    assert_no_secret(&e, "wrong-kind-a");
    assert_no_secret(&e, "wrong-kind-b");
}

#[wasm_bindgen_test]
async fn busy_twice_then_ok_and_quota_once() {
    http("POST", "/__sim/reset", Some("{}")).await;
    fault("openapi", r#"{"kind":"errcode","errcode":-1}"#).await;
    fault("openapi", r#"{"kind":"errcode","errcode":-1000}"#).await;
    let req = request("openapi", 1.into());
    Reflect::set(&req, &s("retries"), &2.into()).unwrap();
    ok(get_config(req).await).await;
    assert_eq!(sent("openapi").await, 3, "two busy answers, then the config");
    http(
        "POST",
        "/__sim/faults",
        Some(r#"{"function_name":"quotaOnce","times":0,"fault":{"kind":"errcode","errcode":45009}}"#),
    )
    .await;
    let req = request("quotaOnce", 1.into());
    Reflect::set(&req, &s("retries"), &5.into()).unwrap();
    expect_err(get_config(req).await, "api").await;
    assert_eq!(sent("quotaOnce").await, 1, "a daily quota is never retried");
}

#[wasm_bindgen_test]
async fn abort_during_backoff_and_timeout_across_retries() {
    http(
        "POST",
        "/__sim/faults",
        Some(r#"{"function_name":"busyAlways","times":0,"fault":{"kind":"errcode","errcode":-1}}"#),
    )
    .await;
    let controller = web_sys::AbortController::new().unwrap();
    let req = request("busyAlways", 1.into());
    Reflect::set(&req, &s("retries"), &10.into()).unwrap();
    Reflect::set(&req, &s("timeoutMs"), &60000.into()).unwrap();
    Reflect::set(&req, &s("signal"), &controller.signal()).unwrap();
    let start = now();
    let abort_later = async {
        sleep(150).await;
        controller.abort();
    };
    let (result, ()) = futures_util::future::join(get_config(req), abort_later).await;
    expect_err(result, "aborted").await;
    assert!(now() - start < 700.0, "aborted during a backoff at once");
    let req = request("busyAlways", 1.into());
    Reflect::set(&req, &s("retries"), &10.into()).unwrap();
    Reflect::set(&req, &s("timeoutMs"), &400.into()).unwrap();
    let start = now();
    expect_err(get_config(req).await, "timeout").await;
    let took = now() - start;
    assert!((350.0..600.0).contains(&took), "settled after {took} ms");
}

#[wasm_bindgen_test]
async fn get_all_configs_shares_one_token_fetch() {
    let (source, calls) = token_source(&["sim-access-token"]);
    let client = TcbClient::new(obj(&[("getAccessToken", source), ("baseUrl", s(SIM))])).unwrap();
    ok(JsFuture::from(client.get_all_configs(s(ENV), s("orderSync"), JsValue::UNDEFINED)).await).await;
    assert_eq!(calls.borrow().len(), 1);
    let (source, calls) = token_source(&["sim-expired-token", "sim-access-token"]);
    let client = TcbClient::new(obj(&[("getAccessToken", source), ("baseUrl", s(SIM))])).unwrap();
    ok(JsFuture::from(client.get_all_configs(s(ENV), s("orderSync"), JsValue::UNDEFINED)).await).await;
    assert_eq!(*calls.borrow(), [false, true], "three rejections, one refresh");
}

#[wasm_bindgen_test]
async fn the_authorizer_chain_saves_a_rotated_refresh_token_before_use() {
    use tcb_funcconfig::wasm::authorizer_token;
    http("POST", "/__sim/reset", Some("{}")).await;
    let saved = std::rc::Rc::new(std::cell::RefCell::new(Vec::<String>::new()));
    let requests_at_save = std::rc::Rc::new(std::cell::Cell::new(-1.0));
    let (s1, r1) = (saved.clone(), requests_at_save.clone());
    let save = Closure::<dyn FnMut(JsValue) -> js_sys::Promise>::new(move |t: JsValue| {
        s1.borrow_mut().push(t.as_string().unwrap());
        let r1 = r1.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            r1.set(sim_counter("/tcb/getfuncconfig").await);
            Ok(JsValue::UNDEFINED)
        })
    });
    let constant = |v: &str| js_sys::Function::new_no_args(&format!("return {v:?}"));
    let provider = authorizer_token(obj(&[
        ("componentAppid", s("wx-sim-component")),
        ("componentAppsecret", s("sim-component-secret")),
        ("getComponentVerifyTicket", constant("sim-verify-ticket").into()),
        ("authorizerAppid", s("wx-sim-authorizer")),
        ("getAuthorizerRefreshToken", constant("sim-refresh-token-0").into()),
        ("saveAuthorizerRefreshToken", save.into_js_value()),
        ("baseUrl", s(SIM)),
    ]))
    .unwrap();
    let client = TcbClient::new(obj(&[("getAccessToken", provider.into()), ("baseUrl", s(SIM))])).unwrap();
    let req = obj(&[("env", s(ENV)), ("functionName", s("orderSync")), ("type", 3.into())]);
    ok(JsFuture::from(client.get_func_config(req)).await).await;
    assert_eq!(saved.borrow().len(), 1);
    assert_ne!(saved.borrow()[0], "sim-refresh-token-0");
    assert_eq!(requests_at_save.get(), 0.0, "saved before any getfuncconfig request");
    let state = http("GET", "/__sim/state", None).await;
    let current = prop(&prop(&state, "authorizers").dyn_into::<Array>().unwrap().get(0), "refresh_token");
    assert_eq!(current.as_string().unwrap(), saved.borrow()[0]);
}

#[wasm_bindgen_test]
async fn a_50_mb_answer_is_refused_without_reading_it() {
    fault("hugeAnswer", r#"{"kind":"huge","bytes":52428800}"#).await;
    let start = now();
    let e = expect_err(get_config(request("hugeAnswer", 1.into())).await, "decode").await;
    assert!(prop_str(&e, "message").contains("4 MiB"));
    assert!(now() - start < 2000.0, "refused at the headers, not after reading 50 MB");
    ok(get_config(request("openapi", 1.into())).await).await;
}

/// A client without retries for the writes below.
fn client() -> TcbClient {
    TcbClient::new(obj(&[
        ("accessToken", s(TOKEN)),
        ("baseUrl", s(SIM)),
        ("retries", 0.into()),
        ("timeoutMs", 1000.into()),
    ]))
    .unwrap()
}

async fn uploads(function_name: &str) -> f64 {
    prop(&http("GET", &format!("/__sim/changes?env={ENV}&function={function_name}"), None).await, "uploads")
        .as_f64()
        .unwrap()
}

#[wasm_bindgen_test]
async fn an_edit_sends_the_complete_config_and_reads_it_back() {
    http("POST", "/__sim/reset", None).await;
    let c = client();
    let seen = ok(JsFuture::from(c.get_func_config(obj(&[
        ("env", s(ENV)),
        ("functionName", s("orderSync")),
        ("type", 3.into()),
    ])))
    .await)
    .await;
    let edit = obj(&[("set", obj(&[("NEW_KEY", s("new-value"))]))]);
    let options = obj(&[("expectedRaw", prop(&seen, "raw"))]);
    let done = ok(JsFuture::from(c.update_environment(s(ENV), s("orderSync"), edit, options)).await).await;
    assert_eq!(prop(&done, "written"), JsValue::TRUE);
    let keys: Vec<String> =
        Array::from(&prop(&prop(&done, "config"), "environment")).iter().map(|v| prop_str(&v, "key")).collect();
    assert_eq!(keys, ["DB_HOST", "DB_PASSWORD", "REGION", "NEW_KEY"], "the other variables are kept");
    let change = Array::from(&prop(&done, "changes")).get(0);
    assert_eq!((prop_str(&change, "op"), prop_str(&change, "after")), ("added".to_string(), "••••••".to_string()));
    assert_eq!(uploads("orderSync").await, 1.0);
    // The same expectedRaw is now stale: nothing is written.
    let again = obj(&[("set", obj(&[("OTHER", s("x"))]))]);
    let err = expect_err(
        JsFuture::from(c.update_environment(
            s(ENV),
            s("orderSync"),
            again,
            obj(&[("expectedRaw", prop(&seen, "raw"))]),
        ))
        .await,
        "conflict",
    )
    .await;
    assert_no_secret(&err, "s3cr3t-pa55w0rd");
    assert_no_secret(&err, "new-value");
    assert!(prop(&err, "actual").is_object() && Array::from(&prop(&err, "changes")).length() == 1);
    assert_eq!(uploads("orderSync").await, 1.0);
}

#[wasm_bindgen_test]
async fn a_change_between_read_and_write_is_a_conflict() {
    http("POST", "/__sim/reset", None).await;
    let hook = format!(
        r#"{{"env":"{ENV}","function":"hello","type":1,"after":"read","nth":1,"config":"{{\"permissions\":{{\"openapi\":[\"x.y\"]}}}}"}}"#
    );
    http("POST", "/__sim/hooks", Some(&hook)).await;
    let names: Array = [s("wxacode.get")].into_iter().collect();
    let err = expect_err(
        JsFuture::from(client().grant_openapi(s(ENV), s("hello"), names.into(), JsValue::UNDEFINED)).await,
        "conflict",
    )
    .await;
    assert_eq!(strings(&prop(&prop(&err, "actual"), "openapi")), ["x.y"]);
    assert_eq!(uploads("hello").await, 0.0);
}

#[wasm_bindgen_test]
async fn a_write_whose_answer_is_late_is_an_unknown_outcome_and_not_repeated() {
    http("POST", "/__sim/reset", None).await;
    http(
        "POST",
        "/__sim/faults",
        Some(r#"{"path":"/tcb/uploadfuncconfig","times":1,"fault":{"kind":"delay","ms":3000}}"#),
    )
    .await;
    let c = TcbClient::new(obj(&[("accessToken", s(TOKEN)), ("baseUrl", s(SIM)), ("timeoutMs", 1000.into())])).unwrap();
    let config = obj(&[("openapi", Array::new().into())]);
    let req = obj(&[("env", s(ENV)), ("functionName", s("hello")), ("type", 1.into()), ("config", config)]);
    let t0 = now();
    let err = expect_err(JsFuture::from(c.upload_func_config(req)).await, "unknown_outcome").await;
    assert!(now() - t0 < 1200.0, "settled in {} ms", now() - t0);
    assert!(prop_str(&err, "hint").contains("read the config"));
    // The simulator applies a delayed write before answering late.
    assert_eq!(uploads("hello").await, 1.0, "exactly one write reached the server");
}

#[wasm_bindgen_test]
async fn functions_are_listed_page_by_page() {
    http("POST", "/__sim/reset", None).await;
    let page =
        ok(JsFuture::from(client().list_functions(obj(&[("env", s(ENV)), ("limit", 2.into()), ("offset", 1.into())])))
            .await)
        .await;
    assert_eq!(prop(&page, "total").as_f64(), Some(4.0));
    let names: Vec<String> = Array::from(&prop(&page, "functions")).iter().map(|f| prop_str(&f, "name")).collect();
    assert_eq!(names, ["openapi", "orderSync"]);
    let all = ok(JsFuture::from(client().list_all_functions(s(ENV), JsValue::UNDEFINED)).await).await;
    assert_eq!(Array::from(&prop(&all, "functions")).length(), 4);
    let bad = client().list_functions(obj(&[("env", s(ENV)), ("limit", 101.into())]));
    expect_err(JsFuture::from(bad).await, "invalid_argument").await;
}
