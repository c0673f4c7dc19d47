//! An app's cloud development environments: `tcb/getenvinfo`.

use serde::Serialize;
use serde_json::Value;

use crate::error::Error;
use crate::model::to_text;
use crate::request::validate_env;
use crate::response::check_envelope;

/// The path of the environment endpoint.
pub const ENV_INFO_PATH: &str = "/tcb/getenvinfo";

/// A validated `getenvinfo` request; serializes to its JSON body (`{}` for every environment).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GetEnvInfo {
    /// Only this environment, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub env: Option<String>,
}

impl GetEnvInfo {
    /// Validates `env` when given.
    pub fn new(env: Option<String>) -> Result<Self, Error> {
        if let Some(env) = &env {
            validate_env("env", env)?;
        }
        Ok(GetEnvInfo { env })
    }

    /// The JSON body: `{}` or `{"env":"…"}`.
    pub fn body(&self) -> String {
        to_text(self)
    }
}

/// One environment, in WeChat's words (`create_time` … as `createTime` …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvInfo {
    /// Its id.
    pub env: String,
    /// Its alias.
    pub alias: Option<String>,
    /// When it was opened (`"2019-04-04 14:10:28"`, UTC+8).
    pub create_time: Option<String>,
    /// When it was last changed.
    pub update_time: Option<String>,
    /// `NORMAL`, `HALTED` (usage over its limits, or blocked) or `UNAVAILABLE` (not initialised).
    pub status: Option<String>,
    /// Its plan's id (`basic`).
    pub package_id: Option<String>,
    /// Its plan's name (`基础版`).
    pub package_name: Option<String>,
}

/// The environments of an app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnvInfoList {
    /// Every environment the answer lists (one, or none, when `env` was given).
    pub environments: Vec<EnvInfo>,
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

/// Decodes a `getenvinfo` answer. Tolerant of missing optional fields (and of `update_ime`, as
/// one doc table spells it); an item without an `env` string, or an `info_list` that is not a
/// list, is a decode error.
pub fn decode_env_info(status: u16, body: &str) -> Result<EnvInfoList, Error> {
    let envelope = check_envelope(status, body)?;
    let bad = |detail: &str| Error::decode("the environment list", detail, body);
    let items = match envelope.get("info_list") {
        None | Some(Value::Null) => &[][..],
        Some(Value::Array(items)) => &items[..],
        Some(_) => return Err(bad("`info_list` is not an array")),
    };
    let mut environments = Vec::with_capacity(items.len());
    for item in items {
        let env = text(item, "env").ok_or_else(|| bad("an item of `info_list` has no `env` string"))?;
        environments.push(EnvInfo {
            env,
            alias: text(item, "alias"),
            create_time: text(item, "create_time"),
            update_time: text(item, "update_time").or_else(|| text(item, "update_ime")),
            status: text(item, "status"),
            package_id: text(item, "package_id"),
            package_name: text(item, "package_name"),
        });
    }
    Ok(EnvInfoList { environments })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn requests_are_validated_and_built() {
        assert_eq!(GetEnvInfo::new(None).unwrap().body(), "{}");
        assert_eq!(GetEnvInfo::new(Some("test-env-0001".into())).unwrap().body(), r#"{"env":"test-env-0001"}"#);
        for bad in ["", "a b", "环境", &"e".repeat(65)] {
            let e = GetEnvInfo::new(Some(bad.to_string())).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument);
            assert!(e.message().starts_with("env"), "{}", e.message());
        }
    }

    #[test]
    fn answers_decode_tolerantly() {
        let l = decode_env_info(
            200,
            r#"{"errcode":0,"info_list":[{"env":"a","update_ime":"2020-04-04 14:10:36"},{"env":"b","x":1}]}"#,
        )
        .unwrap();
        assert_eq!(l.environments.len(), 2);
        assert_eq!(l.environments[0].update_time.as_deref(), Some("2020-04-04 14:10:36"));
        assert_eq!(
            l.environments[1],
            EnvInfo {
                env: "b".into(),
                alias: None,
                create_time: None,
                update_time: None,
                status: None,
                package_id: None,
                package_name: None
            }
        );
        assert!(decode_env_info(200, r#"{"errcode":0}"#).unwrap().environments.is_empty());
    }

    #[test]
    fn bad_answers_are_typed_errors() {
        assert_eq!(decode_env_info(200, r#"{"errcode":85088,"errmsg":"x"}"#).unwrap_err().errcode(), Some(85088));
        assert_eq!(decode_env_info(503, "").unwrap_err().kind(), ErrorKind::Http);
        for body in [r#"{"errcode":0,"info_list":{}}"#, r#"{"errcode":0,"info_list":[{"alias":"x"}]}"#, "<html>"] {
            assert_eq!(decode_env_info(200, body).unwrap_err().kind(), ErrorKind::Decode, "{body}");
        }
    }
}
