//! The `decryptPush` export: a push to a third-party platform's authorization event URL,
//! verified, decrypted and read by [`crate::push`], as a plain object.

use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use super::args::Arg;
use super::error::error_to_js;
use crate::Error;
use crate::push::{PushInfo, PushKeys, PushQuery};

// Options are read and the result built property by property through `Reflect`: serde derives
// for these two flat shapes cost more module size than the whole of the decryption.

/// `value`, which must be a plain object (`what` names it in a refusal).
fn object(value: &JsValue, what: &str) -> Result<JsValue, Error> {
    if !value.is_object() || value.is_function() {
        return Err(Error::invalid_argument(what, "must be an object"));
    }
    Ok(value.clone())
}

fn get(o: &JsValue, key: &str) -> Arg {
    Arg::of(&Reflect::get(o, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED))
}

fn set(o: &Object, key: &str, value: JsValue) {
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(o, &JsValue::from_str(key), &value);
}

/// `now`: absent (the clock), a `Date` or milliseconds since the epoch; as Unix seconds.
fn now_secs(now: Arg) -> Result<i64, Error> {
    let v = now.value();
    let ms = if v.is_undefined() || v.is_null() {
        js_sys::Date::now()
    } else if let Some(d) = v.dyn_ref::<js_sys::Date>() {
        d.get_time()
    } else {
        v.as_f64().unwrap_or(f64::NAN)
    };
    if !ms.is_finite() {
        return Err(Error::invalid_argument("now", "must be a Date or a number of milliseconds since 1970"));
    }
    Ok((ms / 1000.0).floor() as i64)
}

fn open(options: &JsValue) -> Result<JsValue, Error> {
    let o = object(options, "options")?;
    let q = object(&get(&o, "query").value(), "query")?;
    let query = PushQuery {
        timestamp: get(&q, "timestamp").required_string("query.timestamp")?,
        nonce: get(&q, "nonce").required_string("query.nonce")?,
        msg_signature: get(&q, "msg_signature").required_string("query.msg_signature")?,
        encrypt_type: get(&q, "encrypt_type").string("query.encrypt_type")?.unwrap_or_default(),
    };
    let body = get(&o, "body").required_string("body")?;
    let keys = PushKeys::new(
        &get(&o, "token").required_string("token")?,
        &get(&o, "encodingAesKey").required_string("encodingAesKey")?,
        &get(&o, "componentAppid").required_string("componentAppid")?,
    )?;
    let event = keys.open(&query, &body, now_secs(get(&o, "now"))?)?;

    // `{ infoType, appId, createTime, …the fields of its InfoType }`; absent fields are not set.
    let out = Object::new();
    set(&out, "infoType", event.info.info_type().into());
    set(&out, "appId", event.app_id.as_str().into());
    set(&out, "createTime", (event.create_time as f64).into());
    match &event.info {
        PushInfo::ComponentVerifyTicket { ticket } => set(&out, "componentVerifyTicket", ticket.as_str().into()),
        PushInfo::Authorized(a) | PushInfo::UpdateAuthorized(a) => {
            set(&out, "authorizerAppid", a.authorizer_appid.as_str().into());
            set(&out, "authorizationCode", a.authorization_code.as_str().into());
            set(&out, "authorizationCodeExpiredTime", (a.authorization_code_expired_time as f64).into());
            if let Some(p) = &a.pre_auth_code {
                set(&out, "preAuthCode", p.as_str().into());
            }
        }
        PushInfo::Unauthorized { authorizer_appid } => set(&out, "authorizerAppid", authorizer_appid.as_str().into()),
        _ => {}
    }
    Ok(out.into())
}

/// Verifies, decrypts and reads a push to a third-party platform's authorization event URL
/// (`component_verify_ticket`, `authorized`, `updateauthorized`, `unauthorized`; any other
/// `InfoType` gives only `infoType`, `appId` and `createTime`).
///
/// Resolves to `{ infoType, appId, createTime, componentVerifyTicket?, authorizerAppid?,
/// authorizationCode?, authorizationCodeExpiredTime?, preAuthCode? }`. Rejects with a
/// `TcbError`: `invalid_argument` for a missing or mistyped option, `push` with a `reason`
/// (`bad_signature`, `stale`, `bad_padding`…) for a refused push. A push more than 300 s from
/// `now` is `stale`; the same push arriving twice within that window is for the caller to catch.
#[wasm_bindgen(js_name = decryptPush)]
pub fn decrypt_push(options: JsValue) -> Promise {
    match open(&options) {
        Ok(v) => Promise::resolve(&v),
        Err(e) => {
            let err = error_to_js(&e);
            if let Some(r) = e.push_reason() {
                // Setting a property on a fresh Error cannot fail.
                let _ = Reflect::set(&err, &JsValue::from_str("reason"), &JsValue::from_str(r.code()));
            }
            Promise::reject(&err)
        }
    }
}
