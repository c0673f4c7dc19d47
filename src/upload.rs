//! Writing a config: the rules a config must meet before `tcb/uploadfuncconfig` is called, the
//! request itself, and the difference between two configs of the same type.
//!
//! The endpoint has no version field and may replace the whole config, so the client always
//! sends a complete config; these rules make sure nothing invalid goes on the wire.

use serde::Serialize;
use serde_json::Value;

use crate::cron;
use crate::error::Error;
use crate::model::{
    CloudCallConfig, Config, ConfigType, EnvVar, EnvironmentConfig, MASK, TimerTriggerConfig, Trigger, to_text, whole,
};
use crate::request::{GetFuncConfig, endpoint_url};
use crate::rules::{Broken, Rule};

/// Largest accepted `timeout`, in seconds.
pub const MAX_TIMEOUT_SECS: u32 = 300;
/// The environment's variables, written as JSON, must stay under this many bytes.
pub const MAX_ENVIRONMENT_BYTES: usize = 4096;

fn invalid(field: &str, rule: &str) -> Error {
    Error::invalid_argument(field, rule)
}

/// Whether `name` is `<category>.<method>`: two identifiers joined by one dot.
pub(crate) fn is_api_name(name: &str) -> bool {
    let ident = |s: &str| {
        s.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    };
    match name.split_once('.') {
        Some((category, method)) => ident(category) && ident(method),
        None => false,
    }
}

pub(crate) fn is_trigger_name(name: &str) -> bool {
    name.len() <= 60
        && name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

pub(crate) fn is_env_key(key: &str) -> bool {
    key.bytes().next().is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn check_timer(t: &TimerTriggerConfig) -> Result<(), (String, Broken)> {
    if t.triggers.len() > 1 {
        return Err(("config.triggers".to_string(), Broken::of(Rule::TooMany)));
    }
    for (i, trigger) in t.triggers.iter().enumerate() {
        let at = |f: &str| format!("config.triggers[{i}].{f}");
        if !is_trigger_name(&trigger.name) {
            return Err((at("name"), Broken::of(Rule::TriggerName)));
        }
        if trigger.trigger_type != "timer" {
            return Err((at("type"), Broken::of(Rule::TriggerType)));
        }
        cron::parse(&trigger.config)
            .map_err(|e| (at("config"), Broken { rule: Rule::Cron, detail: Some(e.message) }))?;
    }
    Ok(())
}

fn check_environment(e: &EnvironmentConfig) -> Result<(), (String, Broken)> {
    if !(1..=MAX_TIMEOUT_SECS).contains(&e.timeout) {
        return Err(("config.timeout".to_string(), Broken::of(Rule::Timeout)));
    }
    for (i, var) in e.environment.iter().enumerate() {
        let at = || format!("config.environment[{i}].key");
        if !is_env_key(&var.key) {
            return Err((at(), Broken::of(Rule::EnvKey)));
        }
        if e.environment.iter().take(i).any(|earlier| earlier.key == var.key) {
            return Err((at(), Broken::of(Rule::Duplicate)));
        }
    }
    // As long as the config's JSON with a one-digit timeout.
    let size = to_text(&e.environment).len() + r#"{"timeout":1,"environment":}"#.len();
    if size >= MAX_ENVIRONMENT_BYTES {
        return Err(("config.environment".to_string(), Broken::of(Rule::TooLarge)));
    }
    Ok(())
}

/// The first of WeChat's rules `config` breaks, with the path of the field
/// (`config.openapi[1]`, `config.timeout`…).
pub fn check_config(config: &Config) -> Result<(), (String, Broken)> {
    match config {
        Config::CloudCall(c) => {
            for (i, name) in c.openapi.iter().enumerate() {
                let at = || format!("config.openapi[{i}]");
                if !is_api_name(name) {
                    return Err((at(), Broken::of(Rule::ApiName)));
                }
                if c.openapi.iter().take(i).any(|earlier| earlier == name) {
                    return Err((at(), Broken::of(Rule::Duplicate)));
                }
            }
            Ok(())
        }
        Config::TimerTrigger(t) => check_timer(t),
        Config::Environment(e) => check_environment(e),
    }
}

/// Checks a config against WeChat's rules for its type; the error names the field.
pub fn validate(config: &Config) -> Result<(), Error> {
    check_config(config).map_err(|(field, broken)| invalid(&field, &broken.text()))
}

/// The validated `uploadfuncconfig` request for `config`: `(url, body)`. The config goes as
/// a JSON string inside the JSON body, as WeChat expects; the request's type must match it.
pub fn upload_request(
    base_url: &str,
    access_token: &str,
    target: &GetFuncConfig,
    config: &Config,
) -> Result<(String, String), Error> {
    let body = upload_body(target, config, None)?;
    Ok((endpoint_url(base_url, UPLOAD_PATH, access_token), body))
}

/// The path of the write endpoint.
pub const UPLOAD_PATH: &str = "/tcb/uploadfuncconfig";

/// The validated body of an `uploadfuncconfig` request (see [`upload_request`]). With `over`,
/// the server's current text, the config is written over it so that members this client does
/// not model are kept ([`Config::to_json_over`]).
pub fn upload_body(target: &GetFuncConfig, config: &Config, over: Option<&str>) -> Result<String, Error> {
    upload_text_body(target, config, over.map_or_else(|| config.to_json(), |raw| config.to_json_over(raw)))
}

/// The validated body of an `uploadfuncconfig` request that writes `config` as `text`, its JSON
/// text (see [`crate::edit::Edit::text`]).
pub fn upload_text_body(target: &GetFuncConfig, config: &Config, text: String) -> Result<String, Error> {
    if config.config_type() != target.config_type {
        return Err(invalid("config", "is not of the requested type"));
    }
    validate(config)?;
    let config = text;
    let body =
        UploadBody { config_type: target.config_type, env: &target.env, function_name: &target.function_name, config };
    Ok(to_text(&body))
}

/// The body of `uploadfuncconfig`: the config travels as a JSON string inside the JSON body.
#[derive(Serialize)]
struct UploadBody<'a> {
    #[serde(rename = "type")]
    config_type: ConfigType,
    env: &'a str,
    function_name: &'a str,
    config: String,
}

/// Reads a config a caller wrote by hand (the typed shape: `{openapi}`, `{triggers}`,
/// `{timeout, environment}`; a typed result object works too). Unlike answers, nothing is
/// filled in: a missing list or `timeout` is an error, because writing it would wipe what is
/// on the server. `t` is the type asked for, or `None` to tell it from the fields; `field`
/// is the caller's name for the whole value.
pub fn config_from_input(t: Option<ConfigType>, v: &Value, field: &str) -> Result<Config, Error> {
    if !v.is_object() {
        return Err(invalid(field, "must be an object"));
    }
    let t = match t {
        Some(t) => t,
        None if v.get("openapi").is_some() => ConfigType::CloudCall,
        None if v.get("triggers").is_some() => ConfigType::TimerTrigger,
        None if v.get("environment").is_some() || v.get("timeout").is_some() => ConfigType::Environment,
        None => return Err(invalid(field, "must have `openapi`, `triggers`, or `timeout` and `environment`")),
    };
    let list = |key: &str| match v.get(key) {
        Some(Value::Array(items)) => Ok(items),
        _ => {
            Err(invalid(&format!("{field}.{key}"), "must be an array (the complete list: what is left out is removed)"))
        }
    };
    let text = |item: &Value, path: &str, key: &str| match item.get(key) {
        Some(Value::String(s)) => Ok(s.clone()),
        _ => Err(invalid(&format!("{path}.{key}"), "must be a string")),
    };
    let object = |item: &'_ Value, path: &str| match item {
        Value::Object(_) => Ok(()),
        _ => Err(invalid(path, "must be an object")),
    };
    Ok(match t {
        ConfigType::CloudCall => {
            let mut openapi = Vec::new();
            for (i, n) in list("openapi")?.iter().enumerate() {
                match n {
                    Value::String(s) => openapi.push(s.clone()),
                    _ => return Err(invalid(&format!("{field}.openapi[{i}]"), "must be a string")),
                }
            }
            Config::CloudCall(CloudCallConfig { openapi })
        }
        ConfigType::TimerTrigger => {
            let mut triggers = Vec::new();
            for (i, item) in list("triggers")?.iter().enumerate() {
                let path = format!("{field}.triggers[{i}]");
                object(item, &path)?;
                let trigger_type = match item.get("type") {
                    None | Some(Value::Null) => "timer".to_string(),
                    Some(_) => text(item, &path, "type")?,
                };
                triggers.push(Trigger {
                    name: text(item, &path, "name")?,
                    trigger_type,
                    config: text(item, &path, "config")?,
                });
            }
            Config::TimerTrigger(TimerTriggerConfig { triggers })
        }
        ConfigType::Environment => {
            let timeout = match v.get("timeout").and_then(whole) {
                Some(n) => u32::try_from(n).unwrap_or(0),
                None => {
                    return Err(invalid(
                        &format!("{field}.timeout"),
                        "must be a whole number of seconds from 1 to 300",
                    ));
                }
            };
            let mut environment = Vec::new();
            for (i, item) in list("environment")?.iter().enumerate() {
                let path = format!("{field}.environment[{i}]");
                object(item, &path)?;
                environment.push(EnvVar { key: text(item, &path, "key")?, value: text(item, &path, "value")? });
            }
            Config::Environment(EnvironmentConfig { timeout, environment })
        }
    })
}

/// What happened to one entry between two configs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    /// Only in the second config.
    Added,
    /// Only in the first config.
    Removed,
    /// In both, with different values.
    Changed,
}

impl Op {
    /// `"added"`, `"removed"` or `"changed"`.
    pub fn name(self) -> &'static str {
        match self {
            Op::Added => "added",
            Op::Removed => "removed",
            Op::Changed => "changed",
        }
    }
}

/// One difference between two configs of the same type; serializes to
/// `{ op, field, key, before?, after?, masked? }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Added, removed or changed.
    pub op: Op,
    /// `openapi`, `triggers`, `timeout` or `environment`.
    pub field: &'static str,
    /// The API name, trigger name, `timeout`, or variable key.
    pub key: String,
    /// The value in the first config (none for an API name, or when added).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    /// The value in the second config (none for an API name, or when removed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// Whether `before` and `after` are environment values shown as [`MASK`].
    #[serde(skip_serializing_if = "core::ops::Not::not")]
    pub masked: bool,
}

impl Change {
    /// Whether the values are environment values (often secrets).
    pub fn is_secret(&self) -> bool {
        self.field == "environment"
    }

    /// The change as it may be shown: environment values replaced by [`MASK`] unless `reveal`.
    pub fn shown(mut self, reveal: bool) -> Change {
        if self.is_secret() && !reveal {
            for v in [&mut self.before, &mut self.after].into_iter().flatten() {
                *v = MASK.to_string();
            }
            self.masked = true;
        }
        self
    }
}

/// Entries of a config as (field, key, value), in order.
fn entries(c: &Config) -> Vec<(&'static str, String, Option<String>)> {
    match c {
        Config::CloudCall(c) => c.openapi.iter().map(|n| ("openapi", n.clone(), None)).collect(),
        Config::TimerTrigger(t) => t
            .triggers
            .iter()
            .map(|t| {
                let value = if t.trigger_type == "timer" {
                    t.config.clone()
                } else {
                    format!("{} {}", t.trigger_type, t.config)
                };
                ("triggers", t.name.clone(), Some(value))
            })
            .collect(),
        Config::Environment(e) => std::iter::once(("timeout", "timeout".to_string(), Some(e.timeout.to_string())))
            .chain(e.environment.iter().map(|v| ("environment", v.key.clone(), Some(v.value.clone()))))
            .collect(),
    }
}

/// What changes from `a` to `b` (same type): removed and changed entries in `a`'s order, then
/// added ones in `b`'s order. `None` when the types differ.
pub fn diff(a: &Config, b: &Config) -> Option<Vec<Change>> {
    if a.config_type() != b.config_type() {
        return None;
    }
    let (ea, eb) = (entries(a), entries(b));
    let find = |list: &[(&str, String, Option<String>)], field: &str, key: &str| {
        list.iter().find(|(f, k, _)| *f == field && k == key).map(|(_, _, v)| v.clone())
    };
    let mut out = Vec::new();
    for (field, key, value) in &ea {
        let change = |op, after| Change { op, field, key: key.clone(), before: value.clone(), after, masked: false };
        match find(&eb, field, key) {
            None => out.push(change(Op::Removed, None)),
            Some(to) if to != *value => out.push(change(Op::Changed, to)),
            Some(_) => {}
        }
    }
    for (field, key, value) in eb {
        if find(&ea, field, &key).is_none() {
            out.push(Change { op: Op::Added, field, key, before: None, after: value, masked: false });
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::empty;
    use crate::error::ErrorKind;

    fn input(t: Option<ConfigType>, text: &str) -> Result<Config, Error> {
        config_from_input(t, &serde_json::from_str(text).unwrap(), "config")
    }

    #[test]
    fn hand_written_configs_must_be_complete() {
        assert_eq!(input(None, r#"{"openapi":["a.b"]}"#).unwrap(), cloud(&["a.b"]));
        assert_eq!(
            input(Some(ConfigType::TimerTrigger), r#"{"triggers":[{"name":"n","config":"* * * * * * *"}]}"#).unwrap(),
            timer(&[("n", "timer", "* * * * * * *")])
        );
        let typed = r#"{"kind":"environment","type":3,"timeout":9,"environment":[{"key":"K","value":"V"}],"raw":"…"}"#;
        assert_eq!(input(None, typed).unwrap(), env(9, &[("K", "V")]));
        for (t, text, field) in [
            (Some(ConfigType::Environment), r#"{"timeout":5}"#, "config.environment"),
            (Some(ConfigType::Environment), r#"{"environment":[]}"#, "config.timeout"),
            (Some(ConfigType::Environment), r#"{"timeout":5.5,"environment":[]}"#, "config.timeout"),
            (
                Some(ConfigType::Environment),
                r#"{"timeout":5,"environment":[{"key":"K","value":1}]}"#,
                "config.environment[0].value",
            ),
            (Some(ConfigType::Environment), r#"{"timeout":5,"environment":["K=V"]}"#, "config.environment[0]"),
            (Some(ConfigType::CloudCall), r#"{"permissions":{"openapi":[]}}"#, "config.openapi"),
            (Some(ConfigType::CloudCall), r#"{"openapi":[1]}"#, "config.openapi[0]"),
            (Some(ConfigType::TimerTrigger), r#"{"triggers":[{"name":"n"}]}"#, "config.triggers[0].config"),
            (
                Some(ConfigType::TimerTrigger),
                r#"{"triggers":[{"name":"n","config":"x","type":2}]}"#,
                "config.triggers[0].type",
            ),
            (None, r#"{"other":1}"#, "config"),
            (None, r#"[1]"#, "config"),
        ] {
            let e = input(t, text).expect_err(text);
            assert_eq!(e.kind(), ErrorKind::InvalidArgument);
            assert!(e.message().starts_with(field), "{text}: {} should name {field}", e.message());
        }
        // A timeout out of range reads, then fails the rules with the same field name.
        refused(&input(None, r#"{"timeout":-4,"environment":[]}"#).unwrap(), "config.timeout");
    }

    fn cloud(names: &[&str]) -> Config {
        Config::CloudCall(CloudCallConfig { openapi: names.iter().map(|s| s.to_string()).collect() })
    }
    fn timer(triggers: &[(&str, &str, &str)]) -> Config {
        Config::TimerTrigger(TimerTriggerConfig {
            triggers: triggers
                .iter()
                .map(|(n, t, c)| Trigger { name: n.to_string(), trigger_type: t.to_string(), config: c.to_string() })
                .collect(),
        })
    }
    fn env(timeout: u32, vars: &[(&str, &str)]) -> Config {
        Config::Environment(EnvironmentConfig {
            timeout,
            environment: vars.iter().map(|(k, v)| EnvVar { key: k.to_string(), value: v.to_string() }).collect(),
        })
    }
    fn refused(c: &Config, field: &str) {
        let e = validate(c).expect_err(field);
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert!(e.message().starts_with(field), "{} should name {field}", e.message());
    }

    #[test]
    fn cloud_call_rules() {
        validate(&cloud(&["wxacode.getUnlimited", "subscribeMessage.send", "a_1.b_2"])).unwrap();
        validate(&cloud(&[])).unwrap();
        for bad in ["wxacode", ".get", "wxacode.", "a.b.c", "1a.b", "a.b c", "a-b.c", "云.调用"] {
            refused(&cloud(&["ok.fine", bad]), "config.openapi[1]");
        }
        refused(&cloud(&["a.b", "c.d", "a.b"]), "config.openapi[2]");
    }

    #[test]
    fn timer_rules() {
        validate(&timer(&[("nightly", "timer", "0 0 2 * * * *")])).unwrap();
        validate(&timer(&[])).unwrap();
        refused(&timer(&[("a", "timer", "0 0 2 * * * *"), ("b", "timer", "0 0 3 * * * *")]), "config.triggers");
        refused(&timer(&[("1bad", "timer", "* * * * * * *")]), "config.triggers[0].name");
        refused(&timer(&[(&"n".repeat(61), "timer", "* * * * * * *")]), "config.triggers[0].name");
        refused(&timer(&[("ok", "http", "* * * * * * *")]), "config.triggers[0].type");
        refused(&timer(&[("ok", "timer", "0 0 24 * * * *")]), "config.triggers[0].config");
        let e = validate(&timer(&[("ok", "timer", "0 0 * * *")])).unwrap_err();
        assert!(e.message().contains("7 fields"), "{}", e.message());
    }

    #[test]
    fn environment_rules() {
        validate(&env(5, &[("K", "V"), ("_x1", ""), ("DB_PASSWORD", "p@ss \"w\"")])).unwrap();
        validate(&env(1, &[])).unwrap();
        validate(&env(300, &[])).unwrap();
        refused(&env(0, &[]), "config.timeout");
        refused(&env(301, &[]), "config.timeout");
        for bad in ["", "1K", "K-1", "K.V", "键", "K V"] {
            refused(&env(3, &[("OK", "1"), (bad, "v")]), "config.environment[1].key");
        }
        refused(&env(3, &[("A", "1"), ("B", "2"), ("A", "3")]), "config.environment[2].key");
        refused(&env(3, &[("BIG", &"x".repeat(4100))]), "config.environment");
        validate(&env(3, &[("BIG", &"x".repeat(3000))])).unwrap();
    }

    #[test]
    fn check_config_names_the_rule_and_the_path() {
        let broken = |c: &Config| check_config(c).map_err(|(path, b)| (path, b.rule.code()));
        assert_eq!(broken(&cloud(&["a.b", "c"])), Err(("config.openapi[1]".into(), "api_name")));
        assert_eq!(broken(&cloud(&["a.b", "a.b"])), Err(("config.openapi[1]".into(), "duplicate")));
        assert_eq!(
            broken(&timer(&[("a", "timer", "* * * * * * *"), ("b", "timer", "* * * * * * *")])),
            Err(("config.triggers".into(), "too_many"))
        );
        assert_eq!(
            broken(&timer(&[("a", "http", "* * * * * * *")])),
            Err(("config.triggers[0].type".into(), "trigger_type"))
        );
        assert_eq!(
            broken(&timer(&[("a", "timer", "0 0 25 * * * *")])),
            Err(("config.triggers[0].config".into(), "cron"))
        );
        assert_eq!(broken(&env(0, &[])), Err(("config.timeout".into(), "timeout")));
        assert_eq!(broken(&env(3, &[("A", "1"), ("A", "2")])), Err(("config.environment[1].key".into(), "duplicate")));
        assert_eq!(broken(&env(3, &[("A", &"x".repeat(4100))])), Err(("config.environment".into(), "too_large")));
        assert_eq!(broken(&empty(ConfigType::Environment)), Ok(()));
        // The error of a write says the same.
        let e = validate(&timer(&[("a", "timer", "0 0 25 * * * *")])).unwrap_err();
        assert_eq!(e.message(), "config.triggers[0].config is not a WeChat cron expression: hour: 25 is outside 0-23");
    }

    #[test]
    fn the_upload_body_carries_the_config_as_a_json_string() {
        let target =
            GetFuncConfig::new("test-777bb9", "orderSync", ConfigType::Environment, ("env", "functionName")).unwrap();
        let c = env(20, &[("K", "V\"1")]);
        let (url, body) = upload_request("https://api.weixin.qq.com", "t+k", &target, &c).unwrap();
        assert_eq!(url, "https://api.weixin.qq.com/tcb/uploadfuncconfig?access_token=t%2Bk");
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["type"], 3);
        assert_eq!(v["function_name"], "orderSync");
        let Some(Value::String(config)) = v.get("config") else { panic!("{body}") };
        assert_eq!(config, &c.to_json());
        // Nothing invalid and nothing of another type is ever built.
        assert!(upload_request("http://x", "t", &target, &env(0, &[])).is_err());
        assert!(upload_request("http://x", "t", &target, &cloud(&["a.b"])).is_err());
    }

    fn change(op: Op, field: &'static str, key: &str, before: Option<&str>, after: Option<&str>) -> Change {
        Change {
            op,
            field,
            key: key.into(),
            before: before.map(Into::into),
            after: after.map(Into::into),
            masked: false,
        }
    }

    #[test]
    fn diff_lists_added_removed_and_changed() {
        let a = env(3, &[("A", "1"), ("B", "2"), ("C", "3")]);
        let b = env(5, &[("A", "1"), ("C", "30"), ("D", "4")]);
        assert_eq!(
            diff(&a, &b).unwrap(),
            [
                change(Op::Changed, "timeout", "timeout", Some("3"), Some("5")),
                change(Op::Removed, "environment", "B", Some("2"), None),
                change(Op::Changed, "environment", "C", Some("3"), Some("30")),
                change(Op::Added, "environment", "D", None, Some("4")),
            ]
        );
        assert_eq!(diff(&a, &a).unwrap(), []);
        // A variable named `timeout` is not the timeout.
        let named = diff(&env(3, &[]), &env(3, &[("timeout", "3")])).unwrap();
        assert_eq!(named, [change(Op::Added, "environment", "timeout", None, Some("3"))]);
        let granted = diff(&cloud(&["a.b"]), &cloud(&["a.b", "c.d"])).unwrap();
        assert_eq!(granted, [change(Op::Added, "openapi", "c.d", None, None)]);
        let moved =
            diff(&timer(&[("t", "timer", "0 0 2 * * * *")]), &timer(&[("t", "timer", "0 0 3 * * * *")])).unwrap();
        assert_eq!(moved, [change(Op::Changed, "triggers", "t", Some("0 0 2 * * * *"), Some("0 0 3 * * * *"))]);
        assert!(moved[0].op.name() == "changed" && !moved[0].is_secret());
        assert_eq!(diff(&cloud(&[]), &env(3, &[])), None);
    }
}
