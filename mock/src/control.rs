//! The control API under `/__sim/`: how tests inspect and steer the simulator.
//!
//! Plain JSON in and out. Errors are `{"error": "..."}` with 400 (bad input), 404 (unknown
//! path) or 405 (known path, wrong method).

use std::time::Duration;

use serde_json::{json, Value};

use crate::faults::PendingFault;
use crate::hooks::{Hook, MAX_HOOKS};
use crate::http::{array_raw, error_json, object, object_raw, query_param, Request, Response};
use crate::store::{config_type, non_empty_str, string_list, Function, State, MAX_FUNCTIONS};
use crate::tokens::{seconds_json, KIND_NAMES, MAX_SECONDS};
use crate::{platform, push};

/// `POST /__sim/functions {"count"}`: how many functions one call may make.
const MAX_COUNT: u64 = 1000;

const ROUTES: [&str; 19] = [
    "/__sim/authorize",
    "/__sim/unauthorize",
    "/__sim/authorizers",
    "/__sim/push",
    "/__sim/pushes",
    "/__sim/health",
    "/__sim/requests",
    "/__sim/reset",
    "/__sim/configs",
    "/__sim/tokens",
    "/__sim/faults",
    "/__sim/settings",
    "/__sim/expire-tokens",
    "/__sim/ticket",
    "/__sim/clock",
    "/__sim/state",
    "/__sim/changes",
    "/__sim/hooks",
    "/__sim/functions",
];

/// Whether a path belongs to the control API rather than the WeChat side.
pub fn is_control(path: &str) -> bool {
    path == "/__sim" || path.starts_with("/__sim/")
}

pub fn handle(state: &mut State, req: &Request) -> Response {
    let head = &req.head;
    match (head.method.as_str(), head.path.as_str()) {
        ("GET" | "HEAD", "/__sim/health") => ok(),
        ("GET" | "HEAD", "/__sim/requests") => requests(state, head.query.as_deref()),
        ("POST", "/__sim/reset") => {
            state.reset();
            ok()
        }
        ("POST", "/__sim/configs") => with_json(req, |v| set_config(state, v)),
        ("POST", "/__sim/tokens") => with_json(req, |v| add_tokens(state, v)),
        ("POST", "/__sim/faults") => with_json(req, |v| {
            state.faults.push(PendingFault::parse(v)?);
            Ok(object(&[("ok", true.into()), ("pending", state.faults.len().into())]))
        }),
        ("DELETE", "/__sim/faults") => {
            state.faults.clear();
            ok()
        }
        ("GET" | "HEAD", "/__sim/settings") => settings(state),
        ("POST", "/__sim/settings") => with_json(req, |v| {
            state.store.settings.apply(v)?;
            Ok(settings_json(state))
        }),
        ("POST", "/__sim/expire-tokens") => {
            // The body is optional: none means every kind.
            if req.body.iter().all(u8::is_ascii_whitespace) {
                Response::json(200, expire_tokens(state, &[]))
            } else {
                with_json(req, |v| {
                    let obj = v.as_object().ok_or("body must be a JSON object")?;
                    let kinds = string_list(obj.get("kinds"), "kinds")?;
                    match kinds.iter().find(|k| !KIND_NAMES.contains(&k.as_str())) {
                        Some(k) => Err(format!("kinds: {k:?} is not one of {}", KIND_NAMES.join(", "))),
                        None => Ok(expire_tokens(state, &kinds)),
                    }
                })
            }
        }
        ("POST", "/__sim/ticket") => with_json(req, |v| push_ticket(state, v)),
        ("GET" | "HEAD", "/__sim/clock") => Response::json(200, clock_json(state)),
        ("POST", "/__sim/clock") => with_json(req, |v| advance_clock(state, v)),
        ("GET" | "HEAD", "/__sim/state") => sim_state(state),
        ("GET" | "HEAD", "/__sim/changes") => changes(state, head.query.as_deref()),
        ("GET" | "HEAD", "/__sim/hooks") => {
            let hooks: Vec<Value> = state.hooks.iter().map(Hook::to_json).collect();
            Response::json(200, object(&[("ok", true.into()), ("hooks", hooks.into())]))
        }
        ("POST", "/__sim/hooks") => with_json(req, |v| {
            let hook = Hook::parse(v)?;
            if state.hooks.len() >= MAX_HOOKS {
                return Err(format!("{MAX_HOOKS} hooks are pending already"));
            }
            state.hooks.push(hook);
            Ok(object(&[("ok", true.into()), ("pending", state.hooks.len().into())]))
        }),
        ("DELETE", "/__sim/hooks") => {
            state.hooks.clear();
            ok()
        }
        ("POST", "/__sim/functions") => with_json(req, |v| create_functions(state, v)),
        ("GET" | "HEAD", "/__sim/authorize") => authorize_page(state, head.query.as_deref()),
        ("POST", "/__sim/unauthorize") => with_json(req, |v| {
            let appid =
                non_empty_str(v.get("authorizer_appid")).ok_or("authorizer_appid must be a non-empty string")?;
            platform::unauthorize(state, appid)?;
            Ok(object(&[("ok", true.into())]))
        }),
        ("POST", "/__sim/authorizers") => with_json(req, |v| {
            let count = v.get("count").and_then(Value::as_u64).ok_or("count must be a whole number")?;
            let created = state.store.generate_authorizers(count)?;
            Ok(object(&[("ok", true.into()), ("created", created.into())]))
        }),
        ("GET" | "HEAD", "/__sim/authorizers") => authorizers_json(state),
        ("GET" | "HEAD", "/__sim/pushes") => Response::json(200, push::records_json(&state.pushes).to_string()),
        (_, path) if ROUTES.contains(&path) => {
            let mut r = Response::json(405, error_json("method not allowed"));
            let allow = match path {
                "/__sim/health" | "/__sim/requests" | "/__sim/state" | "/__sim/changes" | "/__sim/authorize"
                | "/__sim/pushes" => "GET, HEAD, OPTIONS",
                "/__sim/faults" => "POST, DELETE, OPTIONS",
                "/__sim/authorizers" => "GET, HEAD, POST, OPTIONS",
                "/__sim/hooks" => "GET, HEAD, POST, DELETE, OPTIONS",
                "/__sim/settings" | "/__sim/clock" => "GET, HEAD, POST, OPTIONS",
                _ => "POST, OPTIONS",
            };
            r.headers.push(("Allow".into(), allow.into()));
            r
        }
        (_, path) => Response::json(404, error_json(&format!("no control endpoint {path}"))),
    }
}

fn ok() -> Response {
    Response::json(200, object(&[("ok", true.into())]))
}

/// Parses the body as JSON and runs `f`, turning either failure into a 400.
fn with_json(req: &Request, f: impl FnOnce(&Value) -> Result<String, String>) -> Response {
    let result =
        serde_json::from_slice::<Value>(&req.body).map_err(|e| format!("body is not JSON: {e}")).and_then(|v| f(&v));
    match result {
        Ok(body) => Response::json(200, body),
        Err(msg) => Response::json(400, error_json(&msg)),
    }
}

/// `GET /__sim/requests[?function_name=F][&path=P]`: recorded requests, oldest first.
fn requests(state: &State, query: Option<&str>) -> Response {
    let function_name = query_param(query, "function_name");
    let path = query_param(query, "path");
    let items: Vec<String> = state
        .records()
        .filter(|r| function_name.is_none() || r.function_name == function_name)
        .filter(|r| match &path {
            Some(p) => &r.path == p,
            None => true,
        })
        .map(|r| r.to_json())
        .collect();
    Response::json(200, format!("[{}]", items.join(",")))
}

/// `POST /__sim/configs {"env","function_name","type","config"}`; `config: null` removes.
fn set_config(state: &mut State, v: &Value) -> Result<String, String> {
    let obj = v.as_object().ok_or("body must be a JSON object")?;
    let env = non_empty_str(obj.get("env")).ok_or("env must be a non-empty string")?;
    let name = non_empty_str(obj.get("function_name")).ok_or("function_name must be a non-empty string")?;
    let ty = obj.get("type").and_then(config_type).ok_or("type must be 1, 2 or 3")?;
    let config = obj.get("config").ok_or("config is required (null removes)")?;
    claim_for(state, obj, env)?;
    state.set_config(env, name, ty, config)?;
    Ok(object(&[("ok", true.into())]))
}

/// One function's applied uploads, as `/__sim/changes` shows them.
fn change_json(env: &str, function: &str, by_type: [u64; 3]) -> String {
    let [a, b, c] = by_type;
    object(&[
        ("env", env.into()),
        ("function", function.into()),
        ("uploads", (a + b + c).into()),
        ("byType", json!({"1": a, "2": b, "3": c})),
    ])
}

/// `GET /__sim/changes?env=E&function=F`: applied uploads of one function since the last
/// reset (zeros for a function never uploaded to, or unknown); without parameters, every
/// function with at least one, as `{"functions":[...]}`.
fn changes(state: &State, query: Option<&str>) -> Response {
    match (query_param(query, "env"), query_param(query, "function")) {
        (None, None) => {
            let all: Vec<String> = state.uploaded().map(|(e, f, n)| change_json(e, f, n)).collect();
            Response::json(200, object_raw(&[("functions", array_raw(&all))]))
        }
        (Some(env), Some(function)) if !env.is_empty() && !function.is_empty() => {
            Response::json(200, change_json(&env, &function, state.upload_counts(&env, &function)))
        }
        _ => Response::json(400, error_json("give both env and function (non-empty), or neither")),
    }
}

/// `POST /__sim/functions {"env","names":[...]}` or `{"env","count":N,"prefix"?:"fn"}`: makes
/// functions with no configs (names `prefix` + 000, 001, …); existing ones are left alone.
/// All or nothing. Answers `{"created":K}`.
fn create_functions(state: &mut State, v: &Value) -> Result<String, String> {
    let obj = v.as_object().ok_or("body must be a JSON object")?;
    let env = non_empty_str(obj.get("env")).ok_or("env must be a non-empty string")?;
    let given = |key: &str| obj.get(key).filter(|v| !v.is_null());
    let names: Vec<String> = match (given("names"), given("count")) {
        (Some(names), None) => {
            if given("prefix").is_some() {
                return Err("prefix goes with count, not with names".into());
            }
            let names = string_list(Some(names), "names")?;
            if names.iter().any(String::is_empty) {
                return Err("names must be non-empty strings".into());
            }
            names
        }
        (None, Some(count)) => {
            let count = count
                .as_u64()
                .filter(|n| (1..=MAX_COUNT).contains(n))
                .ok_or(format!("count must be a whole number from 1 to {MAX_COUNT}"))?;
            let prefix = match given("prefix") {
                None => "fn",
                Some(Value::String(p)) => p.as_str(),
                Some(_) => return Err("prefix must be a string".into()),
            };
            (0..count).map(|i| format!("{prefix}{i:03}")).collect()
        }
        _ => return Err("give either names or count".into()),
    };
    claim_for(state, obj, env)?;
    let mut fresh: Vec<&String> = names.iter().filter(|n| state.store.function(env, n).is_none()).collect();
    fresh.sort();
    fresh.dedup();
    if state.store.function_count() + fresh.len() > MAX_FUNCTIONS {
        return Err(format!("the simulator holds {MAX_FUNCTIONS} functions at most"));
    }
    let now = state.clock.unix_now();
    for name in &fresh {
        state.store.add_function(env, name, Function::new_at(now))?;
    }
    Ok(object(&[("created", fresh.len().into())]))
}

/// `POST /__sim/tokens {"valid":[...],"expired":[...]}`.
fn add_tokens(state: &mut State, v: &Value) -> Result<String, String> {
    let obj = v.as_object().ok_or("body must be a JSON object")?;
    let valid = string_list(obj.get("valid"), "valid")?;
    let expired = string_list(obj.get("expired"), "expired")?;
    state.store.add_tokens(&valid, &expired);
    Ok(object(&[("ok", true.into())]))
}

/// `POST /__sim/expire-tokens [{"kinds":[...]}]`: issued tokens of these kinds (all when
/// none are named) expire now.
fn expire_tokens(state: &mut State, kinds: &[String]) -> String {
    let now = state.clock.now();
    let expired = state.tokens.expire(now, |k| kinds.is_empty() || kinds.iter().any(|n| n == k.name()));
    object(&[("ok", true.into()), ("expired", expired.into())])
}

fn settings_json(state: &State) -> String {
    object(&[("ok", true.into()), ("settings", state.store.settings.to_json())])
}

/// `GET /__sim/settings`: `{"ok":true,"settings":{...}}`.
fn settings(state: &State) -> Response {
    Response::json(200, settings_json(state))
}

/// `POST /__sim/ticket {"component_appid","ticket"}`: a new verify ticket, pushed now.
fn push_ticket(state: &mut State, v: &Value) -> Result<String, String> {
    let obj = v.as_object().ok_or("body must be a JSON object")?;
    let appid = non_empty_str(obj.get("component_appid")).ok_or("component_appid must be a non-empty string")?;
    let ticket = non_empty_str(obj.get("ticket")).ok_or("ticket must be a non-empty string")?;
    let now = state.clock.now();
    let c = state.store.components.get_mut(appid).ok_or(format!("no component {appid:?}"))?;
    c.push_ticket(ticket, now);
    Ok(object(&[("ok", true.into())]))
}

fn clock_json(state: &State) -> String {
    object(&[("ok", true.into()), ("offset", seconds_json(state.clock.offset()))])
}

/// `POST /__sim/clock {"advance": seconds}`: moves the simulated clock forward.
fn advance_clock(state: &mut State, v: &Value) -> Result<String, String> {
    let by = v
        .get("advance")
        .and_then(Value::as_f64)
        .filter(|s| (0.0..=MAX_SECONDS as f64).contains(s))
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .ok_or(format!("advance must be a number of seconds from 0 to {MAX_SECONDS}"))?;
    state.clock.advance(by);
    Ok(clock_json(state))
}

/// `GET /__sim/state`: current refresh tokens, stable tokens and per-path request counts.
fn sim_state(state: &State) -> Response {
    let now = state.clock.now();
    let authorizers: Vec<Value> = state
        .store
        .components
        .iter()
        .flat_map(|(component, c)| {
            // Seeded accounts first, then generated ones, each by appid.
            let (seeded, generated): (Vec<_>, Vec<_>) = c.authorizers.iter().partition(|(_, a)| !a.generated);
            seeded.into_iter().chain(generated).map(move |(appid, a)| {
                json!({
                    "component_appid": component,
                    "authorizer_appid": appid,
                    "refresh_token": a.refresh_token,
                })
            })
        })
        .collect();
    let apps: Vec<Value> = state
        .store
        .apps
        .keys()
        .map(|appid| {
            let current = state.tokens.current_stable(appid, now);
            json!({
                "appid": appid,
                "access_token": current.map(|(t, _)| t),
                "expires_in": current.map(|(_, left)| left.as_secs()),
                "forceRefreshes": state.tokens.forces_today(appid, now),
            })
        })
        .collect();
    let body =
        object(&[("authorizers", authorizers.into()), ("apps", apps.into()), ("counters", json!(state.counters()))]);
    Response::json(200, body)
}

/// `GET /__sim/authorize?component_appid&pre_auth_code&redirect_uri&auth_type[&appid]`: the
/// authorization page's stand-in. The account (`appid`, else a new one) authorises the
/// platform, and the answer is WeChat's redirect: `302` to
/// `redirect_uri?auth_code=…&expires_in=600`. The pre-auth code is used up.
fn authorize_page(state: &mut State, query: Option<&str>) -> Response {
    let bad = |msg: &str| Response::json(400, error_json(msg));
    let param = |key: &str| query_param(query, key).filter(|v| !v.is_empty());
    let (Some(component), Some(code), Some(redirect)) =
        (param("component_appid"), param("pre_auth_code"), param("redirect_uri"))
    else {
        return bad("component_appid, pre_auth_code and redirect_uri are required");
    };
    if param("auth_type").is_some_and(|t| !matches!(t.as_str(), "1" | "2" | "3" | "4" | "5" | "6")) {
        return bad("auth_type must be 1 to 6 (2: mini programs)");
    }
    if redirect.bytes().any(|b| b < b' ' || b == 0x7f) {
        return bad("redirect_uri has control characters");
    }
    let now = state.clock.now();
    match state.preauth_codes.get(&code) {
        Some((c, _)) if *c != component => return bad("pre_auth_code belongs to another component"),
        Some((_, at)) if now >= *at => return bad("pre_auth_code has expired"),
        Some(_) => {}
        None => return bad("pre_auth_code is unknown or used"),
    }
    state.preauth_codes.remove(&code);
    match platform::authorize(state, &component, param("appid").as_deref()) {
        Ok(done) => {
            let sep = if redirect.contains('?') { '&' } else { '?' };
            let location =
                format!("{redirect}{sep}auth_code={}&expires_in={}", done.code, platform::AUTH_CODE_TTL.as_secs());
            let mut r = Response::json(302, object(&[("ok", true.into()), ("authorizer_appid", done.appid.into())]));
            r.headers.push(("Location".into(), location));
            r
        }
        Err(e) => bad(&e),
    }
}

/// With `authorizer_appid` in a control body, the env is that account's (made for it when
/// new; another account's env is refused). Without it, the seed's scope applies as before.
fn claim_for(state: &mut State, obj: &serde_json::Map<String, Value>, env: &str) -> Result<(), String> {
    let Some(appid) = obj.get("authorizer_appid").filter(|v| !v.is_null()) else {
        return Ok(());
    };
    let appid = appid.as_str().ok_or("authorizer_appid must be a string")?;
    let scope = state.store.authorizer(appid).map(|a| a.scope.clone()).ok_or(format!("no authorizer {appid:?}"))?;
    let now = state.clock.unix_now();
    state.store.claim_env(env, &scope, now)
}

/// `GET /__sim/authorizers`: every account of every platform, withdrawn ones included, with
/// its grants and envs.
fn authorizers_json(state: &State) -> Response {
    let list: Vec<Value> = state
        .store
        .components
        .iter()
        .flat_map(|(component, c)| {
            c.authorizers.iter().map(move |(appid, a)| {
                let envs: Vec<&str> = if a.scope.is_empty() {
                    state.store.envs_of("").map(|(e, _)| e).collect()
                } else {
                    state.store.envs_of(&a.scope).map(|(e, _)| e).collect()
                };
                json!({
                    "component_appid": component,
                    "authorizer_appid": appid,
                    "nick_name": a.nick_name,
                    "authorized": a.authorized,
                    "func_info": a.func_info,
                    "auth_time": a.auth_time,
                    "generated": a.generated,
                    "envs": envs,
                })
            })
        })
        .collect();
    Response::json(200, object(&[("authorizers", list.into())]))
}
