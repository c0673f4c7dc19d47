//! Writing a config: the rules a config must meet before `tcb/uploadfuncconfig` is called, the
//! request itself, and the difference between two configs of the same type.
//!
//! The endpoint has no version field and may replace the whole config, so the client always
//! sends a complete config; these rules make sure nothing invalid goes on the wire.

use crate::cron;
use crate::error::Error;
use crate::json::quote;
use crate::model::{Config, EnvironmentConfig, TimerTriggerConfig};
use crate::request::{GetFuncConfig, percent_encode};

/// Largest accepted `timeout`, in seconds.
pub const MAX_TIMEOUT_SECS: u32 = 300;
/// The environment's variables, written as JSON, must stay under this many bytes.
pub const MAX_ENVIRONMENT_BYTES: usize = 4096;

fn invalid(field: &str, rule: &str) -> Error {
    Error::invalid_argument(field, rule)
}

/// Whether `name` is `<category>.<method>`: two identifiers joined by one dot.
fn is_api_name(name: &str) -> bool {
    let ident = |s: &str| {
        s.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    };
    match name.split_once('.') {
        Some((category, method)) => ident(category) && ident(method),
        None => false,
    }
}

fn is_trigger_name(name: &str) -> bool {
    name.len() <= 60
        && name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn is_env_key(key: &str) -> bool {
    key.bytes().next().is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn check_timer(t: &TimerTriggerConfig) -> Result<(), Error> {
    if t.triggers.len() > 1 {
        return Err(invalid("config.triggers", "may hold at most one trigger (WeChat allows one per function)"));
    }
    for (i, trigger) in t.triggers.iter().enumerate() {
        let at = |f: &str| format!("config.triggers[{i}].{f}");
        if !is_trigger_name(&trigger.name) {
            return Err(invalid(
                &at("name"),
                "must be 1-60 characters of letters, digits, '-' and '_', starting with a letter",
            ));
        }
        if trigger.trigger_type != "timer" {
            return Err(invalid(&at("type"), "must be \"timer\""));
        }
        cron::parse(&trigger.config)
            .map_err(|e| invalid(&at("config"), &format!("is not a WeChat cron expression: {}", e.message)))?;
    }
    Ok(())
}

fn check_environment(e: &EnvironmentConfig) -> Result<(), Error> {
    if !(1..=MAX_TIMEOUT_SECS).contains(&e.timeout) {
        return Err(invalid("config.timeout", "must be a whole number of seconds from 1 to 300"));
    }
    for (i, var) in e.environment.iter().enumerate() {
        if !is_env_key(&var.key) {
            return Err(invalid(&format!("config.environment[{i}].key"), "must match [A-Za-z_][A-Za-z0-9_]*"));
        }
        if e.environment.iter().take(i).any(|earlier| earlier.key == var.key) {
            return Err(invalid(&format!("config.environment[{i}].key"), "repeats a key that is already set"));
        }
    }
    let size =
        Config::Environment(EnvironmentConfig { timeout: 1, environment: e.environment.clone() }).to_json().len();
    if size >= MAX_ENVIRONMENT_BYTES {
        return Err(invalid("config.environment", "must stay under 4 KB in all (as JSON)"));
    }
    Ok(())
}

/// Checks a config against WeChat's rules for its type; the error names the field.
pub fn validate(config: &Config) -> Result<(), Error> {
    match config {
        Config::CloudCall(c) => {
            for (i, name) in c.openapi.iter().enumerate() {
                if !is_api_name(name) {
                    return Err(invalid(
                        &format!("config.openapi[{i}]"),
                        "must be an API name of the form <category>.<method>, e.g. wxacode.getUnlimited",
                    ));
                }
                if c.openapi.iter().take(i).any(|earlier| earlier == name) {
                    return Err(invalid(&format!("config.openapi[{i}]"), "repeats a name that is already granted"));
                }
            }
            Ok(())
        }
        Config::TimerTrigger(t) => check_timer(t),
        Config::Environment(e) => check_environment(e),
    }
}

/// The validated `uploadfuncconfig` request for `config`: `(url, body)`. The config goes as
/// a JSON string inside the JSON body, as WeChat expects; the request's type must match it.
pub fn upload_request(
    base_url: &str,
    access_token: &str,
    target: &GetFuncConfig,
    config: &Config,
) -> Result<(String, String), Error> {
    if config.config_type() != target.config_type {
        return Err(invalid("config", "is not of the requested type"));
    }
    validate(config)?;
    let url = format!("{base_url}/tcb/uploadfuncconfig?access_token={}", percent_encode(access_token));
    let body = format!(
        "{{\"type\":{},\"env\":{},\"function_name\":{},\"config\":{}}}",
        target.config_type.number(),
        quote(&target.env),
        quote(&target.function_name),
        quote(&config.to_json())
    );
    Ok((url, body))
}

/// One difference between two configs of the same type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// An entry only in the second config.
    Added {
        /// The API name, trigger name, variable key, or `timeout`.
        key: String,
        /// Its value in the second config.
        value: String,
    },
    /// An entry only in the first config.
    Removed {
        /// The API name, trigger name, variable key, or `timeout`.
        key: String,
        /// Its value in the first config.
        value: String,
    },
    /// An entry in both, with different values.
    Changed {
        /// The trigger name, variable key, or `timeout`.
        key: String,
        /// Its value in the first config.
        from: String,
        /// Its value in the second config.
        to: String,
    },
}

/// Entries of a config as (key, value) pairs, in order.
fn entries(c: &Config) -> Vec<(String, String)> {
    match c {
        Config::CloudCall(c) => c.openapi.iter().map(|n| (n.clone(), String::new())).collect(),
        Config::TimerTrigger(t) => t
            .triggers
            .iter()
            .map(|t| {
                (
                    t.name.clone(),
                    if t.trigger_type == "timer" {
                        t.config.clone()
                    } else {
                        format!("{} {}", t.trigger_type, t.config)
                    },
                )
            })
            .collect(),
        Config::Environment(e) => std::iter::once(("timeout".to_string(), e.timeout.to_string()))
            .chain(e.environment.iter().map(|v| (v.key.clone(), v.value.clone())))
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
    let find = |list: &[(String, String)], key: &str| list.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    let mut out = Vec::new();
    for (key, value) in &ea {
        match find(&eb, key) {
            None => out.push(Change::Removed { key: key.clone(), value: value.clone() }),
            Some(to) if to != *value => out.push(Change::Changed { key: key.clone(), from: value.clone(), to }),
            Some(_) => {}
        }
    }
    for (key, value) in &eb {
        if find(&ea, key).is_none() {
            out.push(Change::Added { key: key.clone(), value: value.clone() });
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use crate::json::{self, Value};
    use crate::model::{CloudCallConfig, EnvVar, Trigger};
    use crate::request::ConfigType;

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
        assert_eq!(e.kind, ErrorKind::InvalidArgument);
        assert!(e.message.starts_with(field), "{} should name {field}", e.message);
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
        assert!(e.message.contains("7 fields"), "{}", e.message);
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
    fn the_upload_body_carries_the_config_as_a_json_string() {
        let target =
            GetFuncConfig::new("test-777bb9", "orderSync", ConfigType::Environment, ("env", "functionName")).unwrap();
        let c = env(20, &[("K", "V\"1")]);
        let (url, body) = upload_request("https://api.weixin.qq.com", "t+k", &target, &c).unwrap();
        assert_eq!(url, "https://api.weixin.qq.com/tcb/uploadfuncconfig?access_token=t%2Bk");
        let v = json::parse(&body).unwrap();
        assert_eq!(v.get("type"), Some(&Value::Int(3)));
        assert_eq!(v.get("function_name"), Some(&Value::Str("orderSync".into())));
        let Some(Value::Str(config)) = v.get("config") else { panic!("{body}") };
        assert_eq!(config, &c.to_json());
        // Nothing invalid and nothing of another type is ever built.
        assert!(upload_request("http://x", "t", &target, &env(0, &[])).is_err());
        assert!(upload_request("http://x", "t", &target, &cloud(&["a.b"])).is_err());
    }

    #[test]
    fn diff_lists_added_removed_and_changed() {
        let a = env(3, &[("A", "1"), ("B", "2"), ("C", "3")]);
        let b = env(5, &[("A", "1"), ("C", "30"), ("D", "4")]);
        assert_eq!(
            diff(&a, &b).unwrap(),
            [
                Change::Changed { key: "timeout".into(), from: "3".into(), to: "5".into() },
                Change::Removed { key: "B".into(), value: "2".into() },
                Change::Changed { key: "C".into(), from: "3".into(), to: "30".into() },
                Change::Added { key: "D".into(), value: "4".into() },
            ]
        );
        assert_eq!(diff(&a, &a).unwrap(), []);
        let granted = diff(&cloud(&["a.b"]), &cloud(&["a.b", "c.d"])).unwrap();
        assert_eq!(granted, [Change::Added { key: "c.d".into(), value: String::new() }]);
        let moved =
            diff(&timer(&[("t", "timer", "0 0 2 * * * *")]), &timer(&[("t", "timer", "0 0 3 * * * *")])).unwrap();
        assert_eq!(
            moved,
            [Change::Changed { key: "t".into(), from: "0 0 2 * * * *".into(), to: "0 0 3 * * * *".into() }]
        );
        assert_eq!(diff(&cloud(&[]), &env(3, &[])), None);
    }
}
