//! The control API under `/__sim/`: how tests inspect and steer the simulator.
//!
//! Plain JSON in and out. Errors are `{"error": "..."}` with 400 (bad input), 404 (unknown
//! path) or 405 (known path, wrong method).

use serde_json::Value;

use crate::faults::PendingFault;
use crate::http::{error_json, object, query_param, Request, Response};
use crate::store::{config_type, non_empty_str, string_list, State};

const ROUTES: [&str; 6] =
    ["/__sim/health", "/__sim/requests", "/__sim/reset", "/__sim/configs", "/__sim/tokens", "/__sim/faults"];

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
        (_, path) if ROUTES.contains(&path) => {
            let mut r = Response::json(405, error_json("method not allowed"));
            let allow = match path {
                "/__sim/health" | "/__sim/requests" => "GET, HEAD, OPTIONS",
                "/__sim/faults" => "POST, DELETE, OPTIONS",
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
    state.store.set_config(env, name, ty, config);
    Ok(object(&[("ok", true.into())]))
}

/// `POST /__sim/tokens {"valid":[...],"expired":[...]}`.
fn add_tokens(state: &mut State, v: &Value) -> Result<String, String> {
    let obj = v.as_object().ok_or("body must be a JSON object")?;
    let valid = string_list(obj.get("valid"), "valid")?;
    let expired = string_list(obj.get("expired"), "expired")?;
    state.store.add_tokens(&valid, &expired);
    Ok(object(&[("ok", true.into())]))
}
