//! The module's exports: synchronous steps the JavaScript client (`client.js` in the package)
//! calls around each `fetch`.
//!
//! Every rule lives in the core and runs here: arguments are validated and requests built,
//! answers decoded into typed configs, failures classified and retried by the core's
//! [`RetryPolicy`], edits applied, configs compared and masked, and each failure becomes one
//! JS `TcbError`. The JavaScript side only sequences them: it owns the clock, `fetch`,
//! `AbortSignal`s and token callbacks. Keeping the awaiting out of the module keeps it small
//! (no futures or closures compiled in) and costs one crossing per step.
//!
//! The public exports are `parseCron`, `nextRuns`, `diffConfigs` and `isTcbError`; the others
//! are the client's and are not re-exported by the package.

mod js;
mod schedule;

pub use schedule::{next_runs, parse_cron};

use wasm_bindgen::prelude::*;

use crate::edit::{Edit, empty, same};
use crate::list::{ListFunctions, MAX_LIMIT, decode_list};
use crate::model::{Config, EnvVar, FuncConfig, Trigger};
use crate::request::{ConfigType, GetFuncConfig, validate_access_token};
use crate::response::check_envelope;
use crate::retry::{Next, RetryPolicy};
use crate::token::{self, CachedToken};
use crate::upload::{diff, upload_body, validate};
use crate::{Error, decode_config, decode_response};

/// Names of the request fields, as JavaScript callers write them.
const FIELDS: (&str, &str) = ("env", "functionName");

type JsResult = Result<JsValue, JsValue>;

/// Runs a step, turning its error into a `TcbError`.
fn run(step: impl FnOnce() -> Result<JsValue, Error>) -> JsResult {
    step().map_err(|e| js::error_to_js(&e))
}

/// A plain object from `(key, value)` pairs.
fn object(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = js::new_object();
    for (k, v) in pairs {
        js::set(&o, k, v);
    }
    o
}

fn signal_of(obj: &JsValue) -> Result<JsValue, Error> {
    Ok(js::signal(obj)?.map_or(JsValue::UNDEFINED, JsValue::from))
}

/// Reads `{ env, functionName, type }` from a request object.
fn read_request(obj: &JsValue) -> Result<GetFuncConfig, Error> {
    let env = js::required(js::opt_string(obj, "env")?, "env")?;
    let function_name = js::required(js::opt_string(obj, "functionName")?, "functionName")?;
    GetFuncConfig::new(&env, &function_name, js::config_type(obj)?, FIELDS)
}

fn config_type(t: u8) -> Result<ConfigType, Error> {
    ConfigType::from_number(f64::from(t)).ok_or_else(|| Error::invalid_argument("type", crate::request::TYPE_RULE))
}

fn target(env: &str, function_name: &str, t: u8) -> Result<GetFuncConfig, Error> {
    GetFuncConfig::new(env, function_name, config_type(t)?, FIELDS)
}

/// `{ env, functionName, type, body }` of a validated request, plus whatever else is given.
fn request_js(req: &GetFuncConfig, body: String, extra: &[(&str, JsValue)]) -> JsValue {
    let o = object(&[
        ("env", req.env.as_str().into()),
        ("functionName", req.function_name.as_str().into()),
        ("type", f64::from(req.config_type.number()).into()),
        ("body", body.into()),
    ]);
    for (k, v) in extra {
        js::set(&o, k, v);
    }
    o
}

/// Client options: exactly one of `accessToken` or `getAccessToken`, and `baseUrl`,
/// `timeoutMs`, `retries` validated, as `{ accessToken?, getAccessToken?, baseUrl, timeoutMs, retries }`.
#[wasm_bindgen(js_name = readClientOptions)]
pub fn read_client_options(options: JsValue) -> JsResult {
    run(|| {
        let obj = js::object(&options, "options")?;
        const ONE: &str =
            "give exactly one of accessToken (a string) or getAccessToken (a function, e.g. stableToken({...}))";
        let token = js::opt_string(obj, "accessToken")?;
        let callback = js::field(obj, "getAccessToken");
        let source = match (token, callback.is_undefined() || callback.is_null()) {
            (Some(t), true) => {
                validate_access_token("accessToken", &t)?;
                ("accessToken", JsValue::from(t))
            }
            (None, false) if callback.is_function() => ("getAccessToken", callback),
            (None, false) => return Err(Error::invalid_argument("getAccessToken", "must be a function")),
            (Some(_), false) => return Err(Error::invalid_argument("accessToken", ONE)),
            (None, true) => return Err(Error::invalid_argument("accessToken", &format!("is required: {ONE}"))),
        };
        Ok(object(&[
            source,
            ("baseUrl", js::base_url(obj)?.into()),
            ("timeoutMs", js::timeout_ms(obj)?.into()),
            ("retries", js::retry_policy(obj)?.retries.into()),
        ]))
    })
}

/// A `getFuncConfig` request: `{ env, functionName, type, body, signal }`.
#[wasm_bindgen(js_name = getRequest)]
pub fn get_request(request: JsValue) -> JsResult {
    run(|| {
        let obj = js::object(&request, "request")?;
        let req = read_request(obj)?;
        Ok(request_js(&req, req.body(), &[("signal", signal_of(obj)?)]))
    })
}

/// The three requests of `getAllConfigs` (type 1, 2, 3) and the signal: `[r1, r2, r3, signal]`.
#[wasm_bindgen(js_name = getAllRequests)]
pub fn get_all_requests(env: JsValue, function_name: JsValue, options: JsValue) -> JsResult {
    run(|| {
        let env = js::string_arg(&env, "env")?;
        let function_name = js::string_arg(&function_name, "functionName")?;
        let out = js_sys::Array::new();
        for t in ConfigType::ALL {
            let req = GetFuncConfig::new(&env, &function_name, t, FIELDS)?;
            out.push(&request_js(&req, req.body(), &[]));
        }
        out.push(&optional_signal(&options)?);
        Ok(out.into())
    })
}

/// `options.signal` of an optional `{ signal? }` argument.
#[wasm_bindgen(js_name = optionsSignal)]
pub fn options_signal(options: JsValue) -> JsResult {
    run(|| optional_signal(&options))
}

/// The URL of `path` with the token percent-encoded in the query.
#[wasm_bindgen(js_name = endpointUrl)]
pub fn endpoint_url(base_url: &str, path: &str, token: &str) -> String {
    crate::request::endpoint_url(base_url, path, token)
}

fn optional_signal(options: &JsValue) -> Result<JsValue, Error> {
    if options.is_undefined() || options.is_null() {
        Ok(JsValue::UNDEFINED)
    } else {
        signal_of(js::object(options, "options")?)
    }
}

/// Decodes a `getfuncconfig` answer into a typed config (JSON text for `JSON.parse`), or throws
/// its `TcbError`.
#[wasm_bindgen(js_name = decodeGet)]
pub fn decode_get(env: &str, function_name: &str, t: u8, status: u16, body: &str) -> Result<String, JsValue> {
    let decode = || Ok(js::config_json(&decode_response(&target(env, function_name, t)?, status, body)?));
    decode().map_err(|e: Error| js::error_to_js(&e))
}

/// An `uploadFuncConfig` request: `{ env, functionName, type, body, signal }`, the config
/// validated against every rule of its type.
#[wasm_bindgen(js_name = uploadRequest)]
pub fn upload_request(request: JsValue) -> JsResult {
    run(|| {
        let obj = js::object(&request, "request")?;
        let req = read_request(obj)?;
        let config = js::config_input(&js::field(obj, "config"), Some(req.config_type), "config")?;
        validate(&config)?;
        let body = upload_body(&req, &config, None)?;
        Ok(request_js(&req, body, &[("signal", signal_of(obj)?)]))
    })
}

/// Checks a write's answer (status and `errcode`); throws its `TcbError`.
#[wasm_bindgen(js_name = checkAnswer)]
pub fn check_answer(status: u16, body: &str) -> Result<(), JsValue> {
    check_envelope(status, body).map(|_| ()).map_err(|e| js::error_to_js(&e))
}

/// A `listFunctions` request: `{ env, body, signal }`.
#[wasm_bindgen(js_name = listRequest)]
pub fn list_request(request: JsValue) -> JsResult {
    run(|| {
        let obj = js::object(&request, "request")?;
        let env = js::required(js::opt_string(obj, "env")?, "env")?;
        let req = ListFunctions::new(&env, js::opt_number(obj, "limit")?, js::opt_number(obj, "offset")?)?;
        Ok(object(&[("env", env.into()), ("body", req.body().into()), ("signal", signal_of(obj)?)]))
    })
}

/// The body of page `page` (100 functions each) of `listAllFunctions`.
#[wasm_bindgen(js_name = listPageBody)]
pub fn list_page_body(env: JsValue, page: u32) -> JsResult {
    run(|| {
        let env = js::string_arg(&env, "env")?;
        let offset = f64::from(page) * f64::from(MAX_LIMIT);
        Ok(ListFunctions::new(&env, Some(f64::from(MAX_LIMIT)), Some(offset))?.body().into())
    })
}

/// Decodes a `listfunctions` answer into `{ total, functions }` (JSON text), or throws its
/// `TcbError`.
#[wasm_bindgen(js_name = decodeList)]
pub fn decode_list_answer(status: u16, body: &str) -> Result<String, JsValue> {
    decode_list(status, body).map(|l| js::function_list_json(&l)).map_err(|e| js::error_to_js(&e))
}

/// An edit's arguments, checked before anything is read or sent:
/// `{ env, functionName, type, expectedRaw, dryRun, reveal, signal }` (`expectedRaw` is
/// `undefined` when not given, `null` for "not configured").
#[wasm_bindgen(js_name = editRequest)]
pub fn edit_request(kind: &str, env: JsValue, function_name: JsValue, spec: JsValue, options: JsValue) -> JsResult {
    run(|| {
        let edit = read_edit(kind, &spec)?;
        edit.check()?;
        let env = js::string_arg(&env, "env")?;
        let function_name = js::string_arg(&function_name, "functionName")?;
        let req = GetFuncConfig::new(&env, &function_name, edit.config_type(), FIELDS)?;
        let (mut expected, mut dry_run, mut reveal, mut signal) =
            (JsValue::UNDEFINED, false, false, JsValue::UNDEFINED);
        if !options.is_undefined() && !options.is_null() {
            let obj = js::object(&options, "options")?;
            expected = js::field(obj, "expectedRaw");
            if let Some(raw) = expected.as_string() {
                expected_config(&req, raw)?;
            } else if !expected.is_undefined() && !expected.is_null() {
                return Err(Error::invalid_argument("expectedRaw", "must be a string or null"));
            }
            dry_run = js::flag(obj, "dryRun")?;
            reveal = js::flag(obj, "revealValues")?;
            signal = signal_of(obj)?;
        }
        Ok(request_js(
            &req,
            req.body(),
            &[("expectedRaw", expected), ("dryRun", dry_run.into()), ("reveal", reveal.into()), ("signal", signal)],
        ))
    })
}

/// The caller's `expectedRaw`, which must be the `raw` of a config of the edit's type.
fn expected_config(req: &GetFuncConfig, raw: String) -> Result<FuncConfig, Error> {
    let t = req.config_type;
    let refuse = |why: &str| {
        Error::invalid_argument(
            "expectedRaw",
            &format!("is not the `raw` of a type {} ({}) config: {why}", t.number(), t.name()),
        )
    };
    let value = crate::json::parse(&raw).map_err(|e| refuse(&e.to_string()))?;
    if !crate::response::has_fields_of(t, &value) {
        return Err(refuse("it has none of that type's fields"));
    }
    decode_config(req, raw).map_err(|e| refuse(&e.message))
}

/// The edit of helper `kind` from its JS arguments.
fn read_edit(kind: &str, spec: &JsValue) -> Result<Edit, Error> {
    match kind {
        "environment" => {
            let obj = js::object(spec, "edit")?;
            let mut set = Vec::new();
            let pairs = js::field(obj, "set");
            if !pairs.is_undefined() && !pairs.is_null() {
                for (key, value) in js::entries(js::object(&pairs, "set")?) {
                    let value = value
                        .as_string()
                        .ok_or_else(|| Error::invalid_argument(&format!("set.{key}"), "must be a string"))?;
                    set.push(EnvVar { key, value });
                }
            }
            let unset = match js::field(obj, "unset") {
                v if v.is_undefined() || v.is_null() => Vec::new(),
                v => js::string_list(&v, "unset")?,
            };
            let timeout = match js::opt_number(obj, "timeout")? {
                None => None,
                Some(n) if n.fract() == 0.0 && (1.0..=300.0).contains(&n) => Some(n as u32),
                Some(_) => {
                    return Err(Error::invalid_argument("timeout", "must be a whole number of seconds from 1 to 300"));
                }
            };
            Ok(Edit::Environment { set, unset, timeout })
        }
        "grant" => Ok(Edit::Grant(js::string_list(spec, "names")?)),
        "revoke" => Ok(Edit::Revoke(js::string_list(spec, "names")?)),
        "setTrigger" => {
            let obj = js::object(spec, "trigger")?;
            let name = js::required(js::opt_string(obj, "name")?, "trigger.name")?;
            let config = js::required(js::opt_string(obj, "config")?, "trigger.config")?;
            let trigger_type = js::opt_string(obj, "type")?.unwrap_or_else(|| "timer".to_string());
            if trigger_type != "timer" {
                return Err(Error::invalid_argument("trigger.type", "must be \"timer\""));
            }
            Ok(Edit::SetTrigger(Trigger { name, trigger_type, config }))
        }
        _ => Ok(Edit::RemoveTrigger),
    }
}

/// A config the server sent earlier (its `raw`), decoded again; `None`: not configured.
fn server_config(req: &GetFuncConfig, raw: Option<String>) -> Result<Option<FuncConfig>, Error> {
    raw.map(|raw| decode_config(req, raw)).transpose()
}

/// Applies an edit to the config read (`currentRaw`, `null`: not configured), as JSON text:
/// `{ config, changes, body }` — the complete config to write (over the server's text, whose
/// unknown members are kept), what changes (environment values masked unless `reveal`), and the
/// upload body. `changes` is empty when nothing would change.
#[wasm_bindgen(js_name = planEdit)]
pub fn plan_edit(
    kind: &str,
    spec: JsValue,
    env: &str,
    function_name: &str,
    t: u8,
    current_raw: Option<String>,
    reveal: bool,
) -> JsResult {
    run(|| {
        let req = target(env, function_name, t)?;
        let edit = read_edit(kind, &spec)?;
        let current = server_config(&req, current_raw)?;
        let before = current.as_ref().map_or_else(|| empty(req.config_type), |c| c.config.clone());
        let after = edit.apply(Some(&before))?;
        let changes = diff(&before, &after).unwrap_or_default();
        // Written over the server's text: members this client does not model are kept.
        let over = current.as_ref().map(|c| c.raw.as_str());
        let body = upload_body(&req, &after, over)?;
        let raw = over.map_or_else(|| after.to_json(), |raw| after.to_json_over(raw));
        let planned = FuncConfig { env: req.env.clone(), function_name: req.function_name.clone(), raw, config: after };
        let mut out = js::JsonOut::new();
        out.open('{').key("config").raw(&js::config_json(&planned)).key("changes");
        out.raw(&js::changes_json(&changes, reveal)).key("body").str(&body).close('}');
        Ok(out.0.into())
    })
}

/// Whether two `raw` texts (`null`: not configured) hold the same config of type `t`.
#[wasm_bindgen(js_name = sameConfig)]
pub fn same_config(
    env: &str,
    function_name: &str,
    t: u8,
    a: Option<String>,
    b: Option<String>,
) -> Result<bool, JsValue> {
    let compare = || -> Result<bool, Error> {
        let req = target(env, function_name, t)?;
        if let (Some(a), Some(b)) = (&a, &b)
            && a == b
        {
            return Ok(true);
        }
        Ok(same(server_config(&req, a)?.as_ref(), server_config(&req, b)?.as_ref()))
    };
    compare().map_err(|e| js::error_to_js(&e))
}

/// The `conflict` (`unverified: false`) or `unverified` error between two configs (`raw` texts,
/// `null`: not configured), both masked in the error.
#[wasm_bindgen(js_name = versionsError)]
pub fn versions_error(
    unverified: bool,
    env: &str,
    function_name: &str,
    t: u8,
    expected: Option<String>,
    actual: Option<String>,
) -> JsValue {
    let make = || -> Result<Error, Error> {
        let req = target(env, function_name, t)?;
        let (expected, actual) = (server_config(&req, expected)?, server_config(&req, actual)?);
        Ok(if unverified { Error::unverified(expected, actual) } else { Error::conflict(expected, actual) })
    };
    js::error_to_js(&make().unwrap_or_else(|e| e))
}

/// A failure the client observed itself: `kind` is `network` (`detail`: the runtime's reason),
/// `timeout` (`ms`), `aborted`, `token` (`detail`), or `too_large` (an answer over 4 MiB).
#[wasm_bindgen(js_name = clientError)]
pub fn client_error(kind: &str, detail: &str, ms: u32) -> JsValue {
    let e = match kind {
        "timeout" => Error::timeout(ms),
        "aborted" => Error::aborted(),
        "token" => Error::token(detail),
        "too_large" => Error::decode("the answer", "its body is larger than the 4 MiB this client reads", ""),
        _ => Error::network(detail),
    };
    js::error_to_js(&e)
}

/// What to do after a failed attempt: a number of milliseconds to wait before retrying, `-1`
/// to refresh the token and try once more, or the `TcbError` to reject with (a write that may
/// have been applied becomes `unknown_outcome`). `notSent`: the connection was refused.
#[wasm_bindgen(js_name = afterFailure)]
pub fn after_failure(
    error: JsValue,
    retries: u32,
    retries_done: u32,
    write: bool,
    not_sent: bool,
    jitter: f64,
) -> JsValue {
    let Some(mut e) = js::error_from_js(&error) else { return error };
    let policy = RetryPolicy { retries, ..RetryPolicy::default() };
    e.not_sent = not_sent;
    let (next, e) = if write {
        policy.next_write(e, retries_done, false, jitter)
    } else {
        let next = policy.next(&e, retries_done, false, jitter);
        (next, e)
    };
    match next {
        Next::Retry { delay_ms } => f64::from(delay_ms).into(),
        Next::RefreshToken => (-1.0).into(),
        // The caller's own error object, unless the write rule replaced it.
        Next::Fail if e.kind == crate::ErrorKind::UnknownOutcome => js::error_to_js(&e),
        Next::Fail => error,
    }
}

/// A token from a `getAccessToken` callback (a string or `{ accessToken, expiresIn? }`) as
/// `{ accessToken, renewAt }`: the time (ms) from which it must be fetched anew, `Infinity`
/// when it has no expiry. A missing or malformed token is a `token` error.
#[wasm_bindgen(js_name = readToken)]
pub fn read_token(value: JsValue, now_ms: f64) -> JsResult {
    run(|| {
        let (token, expires_in) = if let Some(t) = value.as_string() {
            (t, None)
        } else if value.is_object() {
            let t = js::opt_string(&value, "accessToken").ok().flatten();
            let e = js::opt_number(&value, "expiresIn").ok().flatten();
            (t.unwrap_or_default(), e.filter(|e| e.is_finite() && *e >= 0.0).map(|e| e.min(f64::from(u32::MAX)) as u32))
        } else {
            (String::new(), None)
        };
        validate_access_token("accessToken", &token)
            .map_err(|e| Error::token(&format!("getAccessToken gave no usable token: the {}", e.message)))?;
        let cached = CachedToken::new(token, expires_in, now_ms);
        let renew_at =
            cached.expires_at_ms.map_or(f64::INFINITY, |at| at - f64::from(token::RENEW_BEFORE_SECS) * 1000.0);
        Ok(object(&[("accessToken", cached.token.into()), ("renewAt", renew_at.into())]))
    })
}

/// Options of a token provider (`stableToken` or `authorizerToken`), validated:
/// `{ baseUrl, timeoutMs, ...strings }` (the secrets stay in the returned object only).
#[wasm_bindgen(js_name = readProviderOptions)]
pub fn read_provider_options(kind: &str, options: JsValue) -> JsResult {
    run(|| {
        let obj = js::object(&options, "options")?;
        let out = object(&[("baseUrl", js::base_url(obj)?.into()), ("timeoutMs", js::timeout_ms(obj)?.into())]);
        let (strings, callbacks): (&[&str], &[&str]) = if kind == "stable" {
            (&["appid", "secret"], &[])
        } else {
            (
                &["componentAppid", "componentAppsecret", "authorizerAppid"],
                &["getComponentVerifyTicket", "getAuthorizerRefreshToken", "saveAuthorizerRefreshToken"],
            )
        };
        for key in strings {
            let v = js::required(js::opt_string(obj, key)?, key)?;
            if v.trim().is_empty() || v.chars().any(char::is_control) {
                return Err(Error::invalid_argument(key, "must be a non-empty string without control characters"));
            }
            js::set(&out, key, &v.into());
        }
        for key in callbacks {
            let f = js::field(obj, key);
            if !f.is_function() {
                return Err(Error::invalid_argument(key, "must be a function"));
            }
            js::set(&out, key, &f);
        }
        Ok(out)
    })
}

/// A token endpoint request `[url, body]`: `kind` `stable` (`a` appid, `b` secret, `force`),
/// `component` (`a` appid, `b` secret, `c` ticket) or `authorizer` (`a` component appid,
/// `b` authorizer appid, `c` refresh token, `d` component token).
#[wasm_bindgen(js_name = tokenRequest)]
pub fn token_request(kind: &str, base_url: &str, a: &str, b: &str, c: &str, d: &str, force: bool) -> js_sys::Array {
    let (url, body) = match kind {
        "stable" => token::stable_token_request(base_url, a, b, force),
        "component" => token::component_token_request(base_url, a, b, c),
        _ => token::authorizer_token_request(base_url, d, a, b, c),
    };
    js_sys::Array::of2(&url.into(), &body.into())
}

/// Decodes a token endpoint's answer into `{ accessToken, expiresIn?, refreshToken? }`.
#[wasm_bindgen(js_name = decodeToken)]
pub fn decode_token(status: u16, body: &str, field: &str) -> JsResult {
    run(|| {
        let t = token::decode_token(status, body, field)?;
        let o = object(&[("accessToken", t.token.into())]);
        if let Some(e) = t.expires_in {
            js::set(&o, "expiresIn", &f64::from(e).into());
        }
        if let Some(r) = t.refresh_token {
            js::set(&o, "refreshToken", &r.into());
        }
        Ok(o)
    })
}

/// What changes from `a` to `b`, two configs of the same type (typed results or the plain
/// `{openapi}` / `{triggers}` / `{timeout, environment}` shapes), as JSON text. Values are
/// masked unless `options.revealValues`.
#[wasm_bindgen(js_name = diffConfigs)]
pub fn diff_configs(a: JsValue, b: JsValue, options: JsValue) -> JsResult {
    run(|| {
        let ca: Config = js::config_input(&a, None, "a")?;
        let cb = js::config_input(&b, Some(ca.config_type()), "b")?;
        let reveal = if options.is_undefined() || options.is_null() {
            false
        } else {
            js::flag(js::object(&options, "options")?, "revealValues")?
        };
        let changes =
            diff(&ca, &cb).ok_or_else(|| Error::invalid_argument("b", "must be a config of the same type as a"))?;
        Ok(js::changes_json(&changes, reveal).into())
    })
}

/// Whether `value` is a `TcbError` thrown or rejected by this package.
#[wasm_bindgen(js_name = isTcbError)]
pub fn is_tcb_error(value: &JsValue) -> bool {
    js::is_tcb_error(value)
}

// A small free-list allocator: the module makes few, short-lived allocations per call, and
// dlmalloc alone was about a tenth of the module.
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    // SAFETY: wasm32 without the atomics feature runs this module on one thread only.
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };
