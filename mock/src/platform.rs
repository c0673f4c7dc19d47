//! The third-party platform's side of authorization: `api_create_preauthcode`,
//! `api_query_auth`, `api_get_authorizer_info` and `api_get_authorizer_list`, all
//! `POST …?component_access_token=CT`, and what the authorization page and a withdrawal do.
//!
//! Each endpoint first runs `auth::component_caller` (43002, 41001, 42001, 40001, 61004,
//! 44002, 47001, 41002), then its own fields, then `auth::same_platform` (40013).

use std::time::Duration;

use serde_json::{json, Value};

use crate::auth::{component_caller, field, ok, same_platform, settle, Answer};
use crate::authorizers::{Authorizer, EnvInfo, DEFAULT_FUNC_INFO};
use crate::http::Request;
use crate::store::{AuthCode, State, MAX_CODES};
use crate::tokens::Kind;

/// A pre-auth code lives this long (WeChat's `expires_in: 1800`).
pub const PREAUTH_TTL: Duration = Duration::from_secs(1800);
/// An authorization code lives this long (`expires_in=600` on the redirect).
pub const AUTH_CODE_TTL: Duration = Duration::from_secs(600);
/// `api_get_authorizer_list`: the largest `count`.
pub const MAX_LIST_COUNT: u64 = 500;

/// `func_info` as WeChat lists granted permission sets.
pub fn func_info_json(ids: &[u64]) -> Value {
    Value::Array(ids.iter().map(|id| json!({"funcscope_category": {"id": id}})).collect())
}

/// Keeps a code map under `MAX_CODES`: expired ones go first, then the soonest to expire.
fn make_room<V>(codes: &mut std::collections::HashMap<String, V>, now: Duration, expiry: impl Fn(&V) -> Duration) {
    if codes.len() < MAX_CODES {
        return;
    }
    codes.retain(|_, v| expiry(v) > now);
    while codes.len() >= MAX_CODES {
        let Some(first) = codes.iter().min_by_key(|(_, v)| expiry(v)).map(|(k, _)| k.clone()) else {
            return;
        };
        codes.remove(&first);
    }
}

/// `{"component_appid"}` → `{"pre_auth_code","expires_in":1800}`.
pub fn create_preauthcode(state: &mut State, req: &Request, json: Option<&Value>) -> Answer {
    let result = (|| {
        let (obj, owner) = component_caller(state, req, json)?;
        same_platform(obj, &owner)?;
        let now = state.clock.now();
        let code = state.tokens.fresh("preauthcode@@@sim-");
        make_room(&mut state.preauth_codes, now, |(_, at)| *at);
        state.preauth_codes.insert(code.clone(), (owner, now.saturating_add(PREAUTH_TTL)));
        ok(&[("pre_auth_code", code.into()), ("expires_in", PREAUTH_TTL.as_secs().into())])
    })();
    settle(state, result)
}

/// `{"component_appid","authorization_code"}` → `{"authorization_info":{…}}`. The code is
/// single-use: unknown, used or another platform's → 61009, expired → 61010.
pub fn query_auth(state: &mut State, req: &Request, json: Option<&Value>) -> Answer {
    let result = (|| {
        let (obj, owner) = component_caller(state, req, json)?;
        let code = field(obj, "authorization_code", 40101)?;
        same_platform(obj, &owner)?;
        let now = state.clock.now();
        let found = state.auth_codes.get(code).filter(|c| c.component_appid == owner).cloned().ok_or(61009)?;
        state.auth_codes.remove(code);
        if now >= found.expires_at {
            return Err(61010);
        }
        let a = state
            .store
            .components
            .get(&owner)
            .and_then(|c| c.authorizers.get(&found.authorizer_appid))
            .filter(|a| a.authorized)
            .ok_or(61009)?;
        let (refresh, func_info) = (a.refresh_token.clone(), func_info_json(&a.func_info));
        let ttl = state.store.settings.token_ttl();
        let kind = Kind::Authorizer { appid: found.authorizer_appid.clone() };
        let token = state.tokens.issue("sim-authorizer-", kind, now.saturating_add(ttl));
        let info = json!({
            "authorizer_appid": found.authorizer_appid,
            "authorizer_access_token": token,
            "expires_in": ttl.as_secs(),
            "authorizer_refresh_token": refresh,
            "func_info": func_info,
        });
        ok(&[("authorization_info", info)])
    })();
    settle(state, result)
}

/// `{"component_appid","authorizer_appid"}` → `{"authorizer_info":{…},"authorization_info":{…}}`;
/// an account that never authorised the platform, or withdrew, → 61003.
pub fn get_authorizer_info(state: &mut State, req: &Request, json: Option<&Value>) -> Answer {
    let result = (|| {
        let (obj, owner) = component_caller(state, req, json)?;
        let appid = field(obj, "authorizer_appid", 41002)?;
        same_platform(obj, &owner)?;
        let a = state
            .store
            .components
            .get(&owner)
            .and_then(|c| c.authorizers.get(appid))
            .filter(|a| a.authorized)
            .ok_or(61003)?;
        let user_name = format!(
            "gh_{:012x}",
            appid.bytes().fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(b.into())) & 0xffff_ffff_ffff
        );
        let authorizer_info = json!({
            "nick_name": a.nick_name,
            "head_img": a.head_img,
            "service_type_info": {"id": 0},
            "verify_type_info": {"id": -1},
            "user_name": user_name,
            "principal_name": a.principal_name,
            "alias": "",
            "business_info": {"open_store": 0, "open_scan": 0, "open_pay": 0, "open_card": 0, "open_shake": 0},
            "qrcode_url": format!("http://mmbiz.qpic.cn/sim/{appid}/0"),
            "signature": "",
            "MiniProgramInfo": {
                "network": {"RequestDomain": [], "WsRequestDomain": [], "UploadDomain": [], "DownloadDomain": [], "BizDomain": [], "UDPDomain": []},
                "categories": [],
                "visit_status": 0,
            },
        });
        let authorization_info = json!({
            "authorizer_appid": appid,
            "authorizer_refresh_token": a.refresh_token,
            "func_info": func_info_json(&a.func_info),
        });
        ok(&[("authorizer_info", authorizer_info), ("authorization_info", authorization_info)])
    })();
    settle(state, result)
}

/// A whole number from JSON (`5` or `5.0`).
fn whole(v: &Value) -> Option<u64> {
    v.as_u64().or_else(|| v.as_f64().filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f < 9.0e15).map(|f| f as u64))
}

/// `{"component_appid","offset","count"}` → `{"total_count","list":[{"authorizer_appid","refresh_token","auth_time"}]}`:
/// the accounts whose authorization stands, by appid. `count` missing → 40101; `count` not a
/// whole number 1–500 or `offset` not a whole number ≥ 0 → 40097.
pub fn get_authorizer_list(state: &mut State, req: &Request, json: Option<&Value>) -> Answer {
    let result = (|| {
        let (obj, owner) = component_caller(state, req, json)?;
        let count = match obj.get("count") {
            None | Some(Value::Null) => return Err(40101),
            Some(v) => whole(v).filter(|n| (1..=MAX_LIST_COUNT).contains(n)).ok_or(40097)?,
        };
        let offset = match obj.get("offset") {
            None | Some(Value::Null) => 0,
            Some(v) => whole(v).ok_or(40097)?,
        };
        same_platform(obj, &owner)?;
        let c = state.store.components.get(&owner).ok_or(40013)?;
        let live = || c.authorizers.iter().filter(|(_, a)| a.authorized);
        let list: Vec<Value> = live()
            .skip(usize::try_from(offset).unwrap_or(usize::MAX))
            .take(count as usize)
            .map(|(appid, a)| json!({"authorizer_appid": appid, "refresh_token": a.refresh_token, "auth_time": a.auth_time}))
            .collect();
        ok(&[("total_count", live().count().into()), ("list", list.into())])
    })();
    settle(state, result)
}

/// What an authorization did: the account and the authorization code to hand the platform.
pub struct Authorized {
    pub appid: String,
    pub code: String,
}

/// An account authorises `component` (the authorization page, or an `authorized` push): an
/// existing one is (re)authorised with a new refresh token; a new one (`appid` given or
/// not) gets a generated nickname, the default grants and one empty env of its own.
pub fn authorize(state: &mut State, component: &str, appid: Option<&str>) -> Result<Authorized, String> {
    let now = state.clock.now();
    let unix = state.clock.unix_now();
    let refresh = state.tokens.fresh("sim-refresh-");
    let c = state.store.components.get_mut(component).ok_or(format!("no component {component:?}"))?;
    let appid = match appid {
        Some(a) => a.to_string(),
        None => (c.authorizers.len() + 1..)
            .map(|n| format!("wx-sim-new-{n:04}"))
            .find(|a| !c.authorizers.contains_key(a))
            .unwrap_or_default(),
    };
    match c.authorizers.get_mut(&appid) {
        Some(a) => {
            a.authorized = true;
            a.refresh_token = refresh;
            a.auth_time = unix;
        }
        None => {
            if c.authorizers.len() >= crate::authorizers::MAX_GENERATED as usize * 2 {
                return Err("too many authorizers".into());
            }
            let n = c.authorizers.len() + 1;
            let mut a = Authorizer::seeded(&appid, &refresh);
            a.nick_name = format!("Sim New App {n:04}");
            a.func_info = DEFAULT_FUNC_INFO.to_vec();
            a.auth_time = unix;
            a.scope = appid.clone();
            c.authorizers.insert(appid.clone(), a);
            let env = format!("prod-{appid}");
            let mut info = EnvInfo::new(&env, &appid, unix);
            info.alias = "prod".into();
            state.store.put_env(&env, info);
        }
    }
    let code = state.tokens.fresh("queryauthcode@@@sim-");
    let expires_at = now.saturating_add(AUTH_CODE_TTL);
    make_room(&mut state.auth_codes, now, |c| c.expires_at);
    let entry = AuthCode { component_appid: component.to_string(), authorizer_appid: appid.clone(), expires_at };
    state.auth_codes.insert(code.clone(), entry);
    Ok(Authorized { appid, code })
}

/// An account withdraws its authorization: its tokens answer 40001 from now on, its refresh
/// token 61023, its unused authorization codes 61009.
pub fn unauthorize(state: &mut State, appid: &str) -> Result<String, String> {
    let (component, a) = state
        .store
        .components
        .iter_mut()
        .find_map(|(id, c)| c.authorizers.get_mut(appid).map(|a| (id.clone(), a)))
        .ok_or(format!("no authorizer {appid:?}"))?;
    a.authorized = false;
    state.tokens.replace_authorizer(appid);
    state.auth_codes.retain(|_, c| c.authorizer_appid != appid);
    Ok(component)
}
