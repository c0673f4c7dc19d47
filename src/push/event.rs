//! The events of a decrypted push, read from its flat XML by `InfoType`. Field names are those of
//! WeChat's open-platform docs (验证票据 `component_verify_ticket`; 授权变更通知推送
//! `authorized`, `updateauthorized`, `unauthorized`).

use super::PushReason;
use super::xml::{Fields, read_flat};
use crate::Error;

/// A push, decrypted and read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushEvent {
    /// `AppId`: the third-party platform's appid.
    pub app_id: String,
    /// `CreateTime`: Unix seconds.
    pub create_time: i64,
    /// What happened, by `InfoType`.
    pub info: PushInfo,
}

/// The event of a push, one variant per `InfoType`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PushInfo {
    /// `component_verify_ticket`: the ticket that buys a `component_access_token` (valid 12 h).
    ComponentVerifyTicket {
        /// `ComponentVerifyTicket`.
        ticket: String,
    },
    /// `authorized`: a mini program authorized the platform.
    Authorized(Authorization),
    /// `updateauthorized`: a mini program changed the permissions it grants.
    UpdateAuthorized(Authorization),
    /// `unauthorized`: a mini program withdrew its authorization; its tokens are void.
    Unauthorized {
        /// `AuthorizerAppid`.
        authorizer_appid: String,
    },
    /// Another `InfoType`, kept as it came; its other fields are not read.
    Other {
        /// `InfoType`.
        info_type: String,
    },
}

/// The fields of `authorized` and `updateauthorized`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    /// `AuthorizerAppid`: the mini program.
    pub authorizer_appid: String,
    /// `AuthorizationCode`: exchanged through `api_query_auth` for the authorizer's tokens.
    pub authorization_code: String,
    /// `AuthorizationCodeExpiredTime`: when the code expires, in Unix seconds.
    pub authorization_code_expired_time: i64,
    /// `PreAuthCode`: the pre-authorization code the authorization started from, when sent.
    pub pre_auth_code: Option<String>,
}

impl PushInfo {
    /// The `InfoType` as WeChat writes it.
    pub fn info_type(&self) -> &str {
        match self {
            PushInfo::ComponentVerifyTicket { .. } => "component_verify_ticket",
            PushInfo::Authorized(_) => "authorized",
            PushInfo::UpdateAuthorized(_) => "updateauthorized",
            PushInfo::Unauthorized { .. } => "unauthorized",
            PushInfo::Other { info_type } => info_type,
        }
    }
}

/// A whole number of seconds written as decimal digits only (no sign, no space).
pub fn parse_number(text: &str) -> Option<i64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn required<'a>(f: &'a Fields, name: &'static str, missing: &'static str) -> Result<&'a str, Error> {
    match f.get(name) {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(Error::push(PushReason::Malformed, missing)),
    }
}

fn number(f: &Fields, name: &'static str, missing: &'static str, bad: &'static str) -> Result<i64, Error> {
    parse_number(required(f, name, missing)?).ok_or_else(|| Error::push(PushReason::Malformed, bad))
}

fn authorization(f: &Fields) -> Result<Authorization, Error> {
    Ok(Authorization {
        authorizer_appid: required(f, "AuthorizerAppid", "the event has no AuthorizerAppid")?.to_string(),
        authorization_code: required(f, "AuthorizationCode", "the event has no AuthorizationCode")?.to_string(),
        authorization_code_expired_time: number(
            f,
            "AuthorizationCodeExpiredTime",
            "the event has no AuthorizationCodeExpiredTime",
            "AuthorizationCodeExpiredTime is not a number of seconds",
        )?,
        pre_auth_code: f.get("PreAuthCode").filter(|v| !v.is_empty()).map(str::to_string),
    })
}

impl PushEvent {
    /// Reads the decrypted XML of a push.
    pub fn from_xml(xml: &str) -> Result<PushEvent, Error> {
        PushEvent::from_fields(&read_flat(xml)?)
    }

    /// Reads the elements of a decrypted push.
    pub fn from_fields(f: &Fields) -> Result<PushEvent, Error> {
        let app_id = required(f, "AppId", "the event has no AppId")?.to_string();
        let create_time =
            number(f, "CreateTime", "the event has no CreateTime", "CreateTime is not a number of seconds")?;
        let info = match required(f, "InfoType", "the event has no InfoType")? {
            "component_verify_ticket" => PushInfo::ComponentVerifyTicket {
                ticket: required(f, "ComponentVerifyTicket", "the event has no ComponentVerifyTicket")?.to_string(),
            },
            "authorized" => PushInfo::Authorized(authorization(f)?),
            "updateauthorized" => PushInfo::UpdateAuthorized(authorization(f)?),
            "unauthorized" => PushInfo::Unauthorized {
                authorizer_appid: required(f, "AuthorizerAppid", "the event has no AuthorizerAppid")?.to_string(),
            },
            other => PushInfo::Other { info_type: other.to_string() },
        };
        Ok(PushEvent { app_id, create_time, info })
    }
}
