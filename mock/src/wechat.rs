//! The WeChat side: `POST /tcb/getfuncconfig?access_token=…`, its siblings
//! `uploadfuncconfig` and `listfunctions` (see `functions`), the token endpoints (see
//! `auth`), and the answers around them.
//!
//! Checks run in the order the real endpoint appears to apply them (method, token, body,
//! parameters, lookup), so a request that is wrong in several ways gets the same errcode
//! it would get from WeChat.

use serde_json::{Map, Value};

use crate::faults::{self, Plan};
use crate::hooks::After;
use crate::http::{object, query_param, Request, Response};
use crate::store::{config_type, non_empty_str, Caller, Record, State};
use crate::{auth, envs, functions, platform};

pub const GETFUNCCONFIG: &str = "/tcb/getfuncconfig";
pub const UPLOADFUNCCONFIG: &str = "/tcb/uploadfuncconfig";
pub const LISTFUNCTIONS: &str = "/tcb/listfunctions";
pub const STABLE_TOKEN: &str = "/cgi-bin/stable_token";
pub const COMPONENT_TOKEN: &str = "/cgi-bin/component/api_component_token";
pub const AUTHORIZER_TOKEN: &str = "/cgi-bin/component/api_authorizer_token";
pub const GETENVINFO: &str = "/tcb/getenvinfo";
pub const CREATE_PREAUTHCODE: &str = "/cgi-bin/component/api_create_preauthcode";
pub const QUERY_AUTH: &str = "/cgi-bin/component/api_query_auth";
pub const GET_AUTHORIZER_INFO: &str = "/cgi-bin/component/api_get_authorizer_info";
pub const GET_AUTHORIZER_LIST: &str = "/cgi-bin/component/api_get_authorizer_list";
/// Every path the simulator answers on the WeChat side; any other gets 40066.
pub const ENDPOINTS: [&str; 11] = [
    GETFUNCCONFIG,
    UPLOADFUNCCONFIG,
    LISTFUNCTIONS,
    STABLE_TOKEN,
    COMPONENT_TOKEN,
    AUTHORIZER_TOKEN,
    GETENVINFO,
    CREATE_PREAUTHCODE,
    QUERY_AUTH,
    GET_AUTHORIZER_INFO,
    GET_AUTHORIZER_LIST,
];

/// errmsg texts as WeChat words them (the rid is appended separately).
pub fn errmsg_for(errcode: i64) -> &'static str {
    match errcode {
        0 => "ok",
        -1 => "system error",
        -1000 => "system error",
        40001 => "invalid credential, access_token is invalid or not latest",
        40002 => "invalid grant_type",
        40013 => "invalid appid",
        40014 => "invalid access_token",
        40066 => "invalid url",
        40097 => "invalid args",
        40101 => "missing parameter",
        40125 => "invalid appsecret",
        41001 => "access_token missing",
        41002 => "appid missing",
        41004 => "appsecret missing",
        42001 => "access_token expired",
        43002 => "require POST method",
        44002 => "empty post data",
        45009 => "reach max api daily quota limit",
        45011 => "api minute-quota reach limit  mustslower  retry next minute",
        47001 => "data format error",
        48001 => "api unauthorized",
        61003 => "component is not authorized by this account",
        61004 => "access clientip is not registered",
        61005 => "component verify ticket is expired",
        61006 => "component verify ticket is invalid",
        61007 => "api is unauthorized to component",
        61009 => "code is invalid",
        61010 => "code is expired",
        61023 => "refresh_token is invalid",
        85088 => "no such app, or cloud development is not enabled for it",
        85089 => "config not found",
        _ => "system error",
    }
}

/// What was decided for one WeChat-side request.
pub struct Outcome {
    pub plan: Plan,
    pub errcode: Option<i64>,
    pub fault: Option<&'static str>,
}

/// Answers (and records and counts) one WeChat-side request. Faults apply to the known
/// endpoints only, before any check, the way a broken network or gateway would: a fault
/// that replaces the answer keeps the request from the simulated WeChat (nothing is issued
/// or rotated, no read hook counts it), while `delay`, `stall` and `truncate` carry the real
/// answer and its effects.
///
/// uploadfuncconfig is stricter: only `delay` and `stall`, which model "the request reached
/// WeChat, the answer came late", apply the write before answering late. Every other kind,
/// `truncate` included, answers instead of the write: nothing is stored, no counter moves,
/// no upload hook fires (`truncate` sends half of the answer the upload would have had).
pub fn handle(state: &mut State, req: &Request) -> Outcome {
    let head = &req.head;
    state.count(&head.path);
    let token = query_param(head.query.as_deref(), "access_token").filter(|t| !t.is_empty());
    let json: Option<Value> = serde_json::from_slice(&req.body).ok();
    let function_name = json.as_ref().and_then(|v| v.get("function_name")).and_then(Value::as_str).map(str::to_string);

    let (plan, errcode, fault) = if !ENDPOINTS.contains(&head.path.as_str()) {
        let (code, resp) = error(state, 40066);
        (Plan::Send(resp), Some(code), None)
    } else {
        match faults::take(&mut state.faults, &head.path, function_name.as_deref()) {
            None => {
                let (code, normal) = route(state, req, token.as_deref(), json.as_ref(), true);
                (Plan::Send(normal), Some(code), None)
            }
            Some(f) => {
                let kind = f.kind();
                let (code, normal) = if f.uses_answer() {
                    let apply = head.path != UPLOADFUNCCONFIG || f.applies_write();
                    route(state, req, token.as_deref(), json.as_ref(), apply)
                } else {
                    (0, Response::json(200, String::new()))
                };
                let (plan, code) = f.plan(normal, code, || state.next_rid());
                (plan, code, Some(kind))
            }
        }
    };

    state.record(Record {
        seq: 0,
        method: head.method.clone(),
        path: head.path.clone(),
        query: head.query.clone().unwrap_or_default(),
        access_token: token,
        body: record_body(&head.path, &req.body, json.as_ref()),
        function_name,
        errcode,
        fault,
    });
    Outcome { plan, errcode, fault }
}

/// What `/__sim/requests` keeps of a body: the body as received, except for uploads. Their
/// config text holds environment values, which are often secrets, so an upload body is kept
/// re-serialised with `config` replaced by its length (`"<123 bytes>"`, the bytes of the
/// string's text), and an upload body that is not a JSON object, which could hold anything,
/// by its length alone.
fn record_body(path: &str, body: &[u8], json: Option<&Value>) -> String {
    if path != UPLOADFUNCCONFIG || body.iter().all(u8::is_ascii_whitespace) {
        return String::from_utf8_lossy(body).into_owned();
    }
    match json {
        Some(Value::Object(m)) => {
            let mut m = m.clone();
            if let Some(c) = m.get_mut("config") {
                let n = match &*c {
                    Value::String(s) => s.len(),
                    other => other.to_string().len(),
                };
                *c = Value::String(format!("<{n} bytes>"));
            }
            Value::Object(m).to_string()
        }
        _ => format!("<{} bytes>", body.len()),
    }
}

/// The normal answer of a known endpoint and its errcode (0 for a token success too, though
/// that answer carries no errcode field). `apply: false` computes an upload's answer without
/// writing anything (for a fault that answers in its place).
fn route(state: &mut State, req: &Request, token: Option<&str>, json: Option<&Value>, apply: bool) -> (i64, Response) {
    match req.head.path.as_str() {
        STABLE_TOKEN => auth::stable_token(state, req, json),
        COMPONENT_TOKEN => auth::component_token(state, req, json),
        AUTHORIZER_TOKEN => auth::authorizer_token(state, req, json),
        UPLOADFUNCCONFIG => functions::upload(state, req, token, json, apply),
        LISTFUNCTIONS => functions::list(state, req, token, json),
        GETENVINFO => envs::getenvinfo(state, req, token, json),
        CREATE_PREAUTHCODE => platform::create_preauthcode(state, req, json),
        QUERY_AUTH => platform::query_auth(state, req, json),
        GET_AUTHORIZER_INFO => platform::get_authorizer_info(state, req, json),
        GET_AUTHORIZER_LIST => platform::get_authorizer_list(state, req, json),
        _ => {
            let answered = answer(state, &req.head.method, token, &req.body, json);
            read_event(state, json);
            answered
        }
    }
}

/// A getfuncconfig answer was computed: read hooks for its (env, function, type) count it,
/// whatever its errcode, once the answer is fixed, so the reader gets the config from before.
fn read_event(state: &mut State, json: Option<&Value>) {
    let Some(obj) = json.and_then(Value::as_object) else {
        return;
    };
    if let (Some(ty), Some(env), Some(name)) =
        (obj.get("type").and_then(config_type), non_empty_str(obj.get("env")), non_empty_str(obj.get("function_name")))
    {
        state.hook_event(After::Read, env, name, ty);
    }
}

/// The checks every `/tcb/*` endpoint runs first, in WeChat's order: POST (43002), a token
/// (41001) that is current (40001), live (42001) and of the accepted kind (40014) for an
/// account that granted cloud development (61007), within the per-minute quota (45011), a body
/// (44002) that is a JSON object (47001). Returns the object and who is calling, or the errcode.
pub fn tcb_object<'a>(
    state: &mut State,
    method: &str,
    token: Option<&str>,
    body: &[u8],
    json: Option<&'a Value>,
) -> Result<(&'a Map<String, Value>, Caller), i64> {
    if method != "POST" {
        return Err(43002);
    }
    let token = token.ok_or(41001)?;
    let caller = state.tcb_caller(token)?;
    state.take_quota(&caller.quota_key)?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(44002);
    }
    let obj = json.and_then(Value::as_object).ok_or(47001)?;
    Ok((obj, caller))
}

/// The normal getfuncconfig answer and its errcode.
fn answer(state: &mut State, method: &str, token: Option<&str>, body: &[u8], json: Option<&Value>) -> (i64, Response) {
    let (obj, caller) = match tcb_object(state, method, token, body, json) {
        Ok(found) => found,
        Err(code) => return error(state, code),
    };
    let (Some(ty @ Value::Number(_)), Some(env), Some(name)) =
        (obj.get("type"), non_empty_str(obj.get("env")), non_empty_str(obj.get("function_name")))
    else {
        return error(state, 40101);
    };
    let config = match state.store.env_in_scope(env, &caller.scope) {
        true => config_type(ty).and_then(|ty| state.store.config(env, name, ty)),
        false => None,
    };
    match config {
        Some(config) => {
            let body = object(&[("errcode", 0.into()), ("errmsg", "ok".into()), ("config", config.into())]);
            (0, Response::json(200, body))
        }
        None => error(state, 85089),
    }
}

/// `{"errcode":N,"errmsg":"… rid: …"}` with HTTP 200, as WeChat answers every error.
pub fn error(state: &mut State, errcode: i64) -> (i64, Response) {
    let msg = format!("{} rid: {}", errmsg_for(errcode), state.next_rid());
    let body = object(&[("errcode", errcode.into()), ("errmsg", msg.into())]);
    (errcode, Response::json(200, body))
}
