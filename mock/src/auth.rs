//! The token endpoints: a mini program's own stable token, a third-party platform's
//! component token, and the authorizer tokens the platform fetches for the accounts that
//! authorised it.
//!
//! Errors are WeChat's `{"errcode","errmsg"}` with HTTP 200; successes carry only the
//! documented fields, with no errcode, as WeChat answers them.

use std::time::Duration;

use serde_json::{Map, Value};

use crate::http::{object, query_param, Request, Response};
use crate::store::State;
use crate::tokens::{Judged, Kind};
use crate::wechat::error;

/// An errcode and the answer carrying it (0 for a success).
pub type Answer = (i64, Response);

/// Turns a check's early exit into WeChat's error answer.
pub fn settle(state: &mut State, result: Result<Answer, i64>) -> Answer {
    result.unwrap_or_else(|code| error(state, code))
}

/// The JSON object a token request must carry: 43002 unless POST, 44002 for an empty body,
/// 47001 for anything but a JSON object.
pub fn post_object<'a>(req: &Request, json: Option<&'a Value>) -> Result<&'a Map<String, Value>, i64> {
    if req.head.method != "POST" {
        return Err(43002);
    }
    if req.body.iter().all(u8::is_ascii_whitespace) {
        return Err(44002);
    }
    json.and_then(Value::as_object).ok_or(47001)
}

/// A required string field: `missing` when absent, null or empty, 47001 when not a string.
pub fn field<'a>(obj: &'a Map<String, Value>, key: &str, missing: i64) -> Result<&'a str, i64> {
    match obj.get(key) {
        None | Some(Value::Null) => Err(missing),
        Some(Value::String(s)) if s.is_empty() => Err(missing),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(47001),
    }
}

pub fn ok(fields: &[(&str, Value)]) -> Result<Answer, i64> {
    Ok((0, Response::json(200, object(fields))))
}

/// `POST /cgi-bin/stable_token {"grant_type":"client_credential","appid","secret","force_refresh"?}`.
pub fn stable_token(state: &mut State, req: &Request, json: Option<&Value>) -> Answer {
    let result = stable(state, req, json);
    settle(state, result)
}

fn stable(state: &mut State, req: &Request, json: Option<&Value>) -> Result<Answer, i64> {
    let obj = post_object(req, json)?;
    if obj.get("grant_type").and_then(Value::as_str) != Some("client_credential") {
        return Err(40002);
    }
    let appid = field(obj, "appid", 41002)?;
    if !state.store.apps.contains_key(appid) {
        return Err(40013);
    }
    let secret = field(obj, "secret", 41004)?;
    if state.store.apps.get(appid).is_some_and(|s| s != secret) {
        return Err(40125);
    }
    let force = match obj.get("force_refresh") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(47001),
    };

    let now = state.clock.now();
    let window = Duration::from_secs(state.store.settings.renew_window);
    if force {
        state.tokens.force(appid, now)?;
        state.tokens.replace_stable(appid);
    } else if let Some((token, left)) = state.tokens.current_stable(appid, now).filter(|(_, left)| *left > window) {
        // Normal mode: every caller shares the current token until it nears its end.
        return ok(&[("access_token", token.into()), ("expires_in", left.as_secs().into())]);
    }
    // A new token; in normal mode the one it succeeds stays valid until its own expiry.
    let ttl = state.store.settings.token_ttl();
    let token = state.tokens.issue("sim-stable-", Kind::Stable { appid: appid.to_string() }, now.saturating_add(ttl));
    state.tokens.set_current_stable(appid, &token);
    ok(&[("access_token", token.into()), ("expires_in", ttl.as_secs().into())])
}

/// `POST /cgi-bin/component/api_component_token
/// {"component_appid","component_appsecret","component_verify_ticket"}`.
pub fn component_token(state: &mut State, req: &Request, json: Option<&Value>) -> Answer {
    let result = component(state, req, json);
    settle(state, result)
}

fn component(state: &mut State, req: &Request, json: Option<&Value>) -> Result<Answer, i64> {
    let obj = post_object(req, json)?;
    let appid = field(obj, "component_appid", 41002)?;
    let secret = field(obj, "component_appsecret", 41004)?;
    let ticket = field(obj, "component_verify_ticket", 40101)?;
    let now = state.clock.now();
    let settings = &state.store.settings;
    let (ttl, ticket_ttl) = (settings.token_ttl(), Duration::from_secs(settings.ticket_ttl));
    let c = state.store.components.get(appid).ok_or(40013)?;
    if !settings.ip_whitelisted {
        return Err(61004);
    }
    if c.secret != secret {
        return Err(40125);
    }
    c.check_ticket(ticket, now, ticket_ttl)?;
    let kind = Kind::Component { component_appid: appid.to_string() };
    let token = state.tokens.issue("sim-component-", kind, now.saturating_add(ttl));
    ok(&[("component_access_token", token.into()), ("expires_in", ttl.as_secs().into())])
}

/// `POST /cgi-bin/component/api_authorizer_token?component_access_token=CT
/// {"component_appid","authorizer_appid","authorizer_refresh_token"}`.
pub fn authorizer_token(state: &mut State, req: &Request, json: Option<&Value>) -> Answer {
    let result = authorizer(state, req, json);
    settle(state, result)
}

/// The checks every `?component_access_token=CT` endpoint runs first: POST (43002), CT
/// present (41001), a live (42001) component token (40001), the caller's IP whitelisted
/// (61004), a body (44002) that is a JSON object (47001) whose `component_appid` is given
/// (41002). Returns the body and CT's platform; the endpoint checks its own fields, then
/// `same_platform` (40013).
pub fn component_caller<'a>(
    state: &State,
    req: &Request,
    json: Option<&'a Value>,
) -> Result<(&'a Map<String, Value>, String), i64> {
    if req.head.method != "POST" {
        return Err(43002);
    }
    let ct = query_param(req.head.query.as_deref(), "component_access_token").filter(|t| !t.is_empty());
    let ct = ct.ok_or(41001)?;
    let now = state.clock.now();
    // Only a live component token will do; any other token is "invalid credential".
    let owner = match state.tokens.judge(&ct, now) {
        Judged::Live(Kind::Component { component_appid }, _) => component_appid.clone(),
        Judged::Expired => return Err(42001),
        _ => return Err(40001),
    };
    if !state.store.settings.ip_whitelisted {
        return Err(61004);
    }
    let obj = post_object(req, json)?;
    field(obj, "component_appid", 41002)?;
    Ok((obj, owner))
}

/// 40013 unless the body's `component_appid` is CT's platform.
pub fn same_platform(obj: &Map<String, Value>, owner: &str) -> Result<(), i64> {
    match field(obj, "component_appid", 41002)? == owner {
        true => Ok(()),
        false => Err(40013),
    }
}

fn authorizer(state: &mut State, req: &Request, json: Option<&Value>) -> Result<Answer, i64> {
    let (obj, owner) = component_caller(state, req, json)?;
    let authorizer_appid = field(obj, "authorizer_appid", 41002)?;
    let refresh = field(obj, "authorizer_refresh_token", 40101)?;
    same_platform(obj, &owner)?;
    let now = state.clock.now();
    let current = state.store.components.get(&owner).and_then(|c| c.authorizers.get(authorizer_appid)).ok_or(61003)?;
    if !current.authorized || current.refresh_token != refresh {
        return Err(61023);
    }
    let current = current.refresh_token.clone();

    let ttl = state.store.settings.token_ttl();
    let next = if state.store.settings.rotate_refresh_tokens { state.tokens.fresh("sim-refresh-") } else { current };
    if let Some(a) = state.store.components.get_mut(&owner).and_then(|c| c.authorizers.get_mut(authorizer_appid)) {
        a.refresh_token.clone_from(&next);
    }
    let kind = Kind::Authorizer { appid: authorizer_appid.to_string() };
    let token = state.tokens.issue("sim-authorizer-", kind, now.saturating_add(ttl));
    ok(&[
        ("authorizer_access_token", token.into()),
        ("expires_in", ttl.as_secs().into()),
        ("authorizer_refresh_token", next.into()),
    ])
}
