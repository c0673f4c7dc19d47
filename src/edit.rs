//! Edits of a config: what each edit helper changes, applied to the config last read, giving the
//! complete config to write (the write endpoint may replace the whole config, so a partial one
//! would wipe the rest).
//!
//! The read-modify-write around these is the client's: read, check the caller's `expectedRaw`,
//! apply, read again right before writing, write, read back and compare. [`same`] is the
//! comparison every step uses.

use crate::cron;
use crate::error::Error;
use crate::model::{
    CloudCallConfig, Config, ConfigType, EnvVar, EnvironmentConfig, FuncConfig, TimerTriggerConfig, Trigger,
};
use crate::response::{config_from_value, has_fields_of};
use crate::rules::{Broken, Rule};
use crate::upload::{Change, MAX_TIMEOUT_SECS, is_api_name, is_env_key, is_trigger_name, validate};
use serde_json::Value;

/// One edit, as the helpers take it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// `updateEnvironment`: set and unset variables, and maybe change the timeout.
    Environment {
        /// Variables to add or change, in order.
        set: Vec<EnvVar>,
        /// Keys to remove (absent keys are ignored).
        unset: Vec<String>,
        /// A new timeout in seconds.
        timeout: Option<u32>,
    },
    /// `grantOpenapi`: API names to add (already granted ones are kept once).
    Grant(Vec<String>),
    /// `revokeOpenapi`: API names to remove (absent ones are ignored).
    Revoke(Vec<String>),
    /// `setTimerTrigger`: the function's one trigger becomes this one.
    SetTrigger(Trigger),
    /// `removeTimerTrigger`: no trigger left.
    RemoveTrigger,
    /// `restoreConfig`: the config becomes `config`, written as `raw`, its text, unchanged.
    Restore {
        /// `raw` decoded.
        config: Config,
        /// The text to write, as given.
        raw: String,
    },
}

/// The config `raw` is the text of, as a config of type `t` (as `getFuncConfig` gives `raw`; a
/// config sent as a JSON string holding its text is read too). Not checked against the rules.
/// `field` names `raw` in the error.
pub fn raw_config(t: ConfigType, raw: &str, field: &str) -> Result<Config, Error> {
    let refuse =
        |why: &str| invalid(field, &format!("is not the `raw` of a type {} ({}) config: {why}", t.number(), t.name()));
    let value = match crate::value::parse(raw) {
        Ok(Value::String(inner)) => crate::value::parse(&inner),
        other => other,
    }
    .map_err(|e| refuse(&format!("not JSON ({e})")))?;
    if !has_fields_of(t, &value) {
        return Err(refuse("it has none of that type's fields"));
    }
    config_from_value(t, &value).map_err(|e| refuse(&e))
}

/// `restoreConfig`'s edit: the config `raw` is the text of (see [`raw_config`]), checked with the
/// rules of type `t`; it is written as it is.
pub fn restore(t: ConfigType, raw: String) -> Result<Edit, Error> {
    let config = raw_config(t, &raw, "raw")?;
    validate(&config)?;
    Ok(Edit::Restore { config, raw })
}

/// The config a function has of a type it has not configured: empty, default timeout.
pub fn empty(t: ConfigType) -> Config {
    match t {
        ConfigType::CloudCall => Config::CloudCall(CloudCallConfig::default()),
        ConfigType::TimerTrigger => Config::TimerTrigger(TimerTriggerConfig::default()),
        ConfigType::Environment => Config::Environment(EnvironmentConfig::default()),
    }
}

fn invalid(field: &str, rule: &str) -> Error {
    Error::invalid_argument(field, rule)
}

fn check_names(field: &str, names: &[String]) -> Result<(), Error> {
    if names.is_empty() {
        return Err(invalid(field, "must name at least one API"));
    }
    match names.iter().position(|n| !is_api_name(n)) {
        Some(i) => Err(invalid(&format!("{field}[{i}]"), Rule::ApiName.text())),
        None => Ok(()),
    }
}

impl Edit {
    /// The config type the edit applies to.
    pub fn config_type(&self) -> ConfigType {
        match self {
            Edit::Environment { .. } => ConfigType::Environment,
            Edit::Grant(_) | Edit::Revoke(_) => ConfigType::CloudCall,
            Edit::SetTrigger(_) | Edit::RemoveTrigger => ConfigType::TimerTrigger,
            Edit::Restore { config, .. } => config.config_type(),
        }
    }

    /// The text to write for `after`, the config [`apply`](Self::apply) gave: a restored config's
    /// own text; otherwise `after` written over `over`, the server's text, when there is one.
    pub fn text(&self, after: &Config, over: Option<&str>) -> String {
        match (self, over) {
            (Edit::Restore { raw, .. }, _) => raw.clone(),
            (_, Some(over)) => after.to_json_over(over),
            (_, None) => after.to_json(),
        }
    }

    /// Whether writing `after` changes `current` (`list`: their differences): for a restored
    /// config, whether the text differs, since members this client does not model count too.
    pub fn changes(&self, current: Option<&FuncConfig>, list: &[Change]) -> bool {
        match self {
            Edit::Restore { raw, .. } => current.is_none_or(|c| c.raw != *raw),
            _ => !list.is_empty(),
        }
    }

    /// Checks the edit's own arguments, before anything is read or sent. Field names are the
    /// JavaScript ones (`set.KEY`, `unset[0]`, `timeout`, `names[1]`, `trigger.config`).
    pub fn check(&self) -> Result<(), Error> {
        match self {
            Edit::Environment { set, unset, timeout } => {
                if set.is_empty() && unset.is_empty() && timeout.is_none() {
                    return Err(invalid("edit", "must set, unset or change the timeout"));
                }
                if let Some(t) = timeout
                    && !(1..=MAX_TIMEOUT_SECS).contains(t)
                {
                    return Err(invalid("timeout", Rule::Timeout.text()));
                }
                for var in set {
                    if !is_env_key(&var.key) {
                        return Err(invalid(&format!("set.{}", var.key), Rule::EnvKey.text()));
                    }
                    if unset.contains(&var.key) {
                        return Err(invalid(&format!("set.{}", var.key), "is also in unset"));
                    }
                }
                match unset.iter().position(|k| !is_env_key(k)) {
                    Some(i) => Err(invalid(&format!("unset[{i}]"), Rule::EnvKey.text())),
                    None => Ok(()),
                }
            }
            Edit::Grant(names) | Edit::Revoke(names) => check_names("names", names),
            Edit::SetTrigger(t) => {
                if !is_trigger_name(&t.name) {
                    return Err(invalid("trigger.name", Rule::TriggerName.text()));
                }
                cron::parse(&t.config).map(|_| ()).map_err(|e| {
                    invalid("trigger.config", &Broken { rule: Rule::Cron, detail: Some(e.message) }.text())
                })
            }
            Edit::RemoveTrigger => Ok(()),
            Edit::Restore { config, .. } => validate(config),
        }
    }

    /// The complete config after the edit, from the current one (`None`: not configured), checked
    /// against WeChat's rules for its type.
    pub fn apply(&self, current: Option<&Config>) -> Result<Config, Error> {
        self.check()?;
        let mut config = current.cloned().unwrap_or_else(|| empty(self.config_type()));
        match (self, &mut config) {
            (Edit::Environment { set, unset, timeout }, Config::Environment(e)) => {
                e.environment.retain(|v| !unset.contains(&v.key));
                for var in set {
                    match e.environment.iter_mut().find(|v| v.key == var.key) {
                        Some(v) => v.value.clone_from(&var.value),
                        None => e.environment.push(var.clone()),
                    }
                }
                if let Some(t) = timeout {
                    e.timeout = *t;
                }
            }
            (Edit::Grant(names), Config::CloudCall(c)) => {
                for n in names {
                    if !c.openapi.contains(n) {
                        c.openapi.push(n.clone());
                    }
                }
            }
            (Edit::Revoke(names), Config::CloudCall(c)) => c.openapi.retain(|n| !names.contains(n)),
            (Edit::SetTrigger(t), Config::TimerTrigger(c)) => c.triggers = vec![t.clone()],
            (Edit::RemoveTrigger, Config::TimerTrigger(c)) => c.triggers.clear(),
            (Edit::Restore { config: restored, .. }, c) if restored.config_type() == c.config_type() => {
                c.clone_from(restored);
            }
            _ => return Err(invalid("config", "is not of the edit's type")),
        }
        validate(&config)?;
        Ok(config)
    }
}

/// Whether two reads show the same config (`None`: not configured): the same text, or the same
/// typed config written differently.
pub fn same(a: Option<&FuncConfig>, b: Option<&FuncConfig>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => a.raw == b.raw || a.config == b.config,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn vars(pairs: &[(&str, &str)]) -> Vec<EnvVar> {
        pairs.iter().map(|(k, v)| EnvVar { key: k.to_string(), value: v.to_string() }).collect()
    }
    fn strings(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }
    fn environment(timeout: u32, pairs: &[(&str, &str)]) -> Config {
        Config::Environment(EnvironmentConfig { timeout, environment: vars(pairs) })
    }
    fn refused(edit: Edit, current: Option<&Config>, field: &str) {
        let e = edit.apply(current).expect_err(field);
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert!(e.message().starts_with(field), "{} should name {field}", e.message());
    }

    #[test]
    fn environment_edits_keep_everything_else() {
        let current = environment(5, &[("A", "1"), ("B", "2"), ("C", "3")]);
        let edit =
            Edit::Environment { set: vars(&[("B", "20"), ("D", "4")]), unset: strings(&["C", "ZZ"]), timeout: None };
        assert_eq!(edit.apply(Some(&current)).unwrap(), environment(5, &[("A", "1"), ("B", "20"), ("D", "4")]));
        let timeout = Edit::Environment { set: vec![], unset: vec![], timeout: Some(60) };
        assert_eq!(timeout.apply(Some(&current)).unwrap(), environment(60, &[("A", "1"), ("B", "2"), ("C", "3")]));
        // Not configured: the documented default timeout and no variables.
        assert_eq!(timeout.apply(None).unwrap(), environment(60, &[]));
        let set = Edit::Environment { set: vars(&[("K", "v")]), unset: vec![], timeout: None };
        assert_eq!(set.apply(None).unwrap(), environment(3, &[("K", "v")]));
    }

    #[test]
    fn environment_edits_are_checked() {
        let none = Edit::Environment { set: vec![], unset: vec![], timeout: None };
        refused(none, None, "edit");
        for t in [0, 301] {
            refused(Edit::Environment { set: vec![], unset: vec![], timeout: Some(t) }, None, "timeout");
        }
        refused(Edit::Environment { set: vars(&[("1K", "v")]), unset: vec![], timeout: None }, None, "set.1K");
        refused(Edit::Environment { set: vars(&[("K", "v")]), unset: strings(&["K"]), timeout: None }, None, "set.K");
        refused(Edit::Environment { set: vec![], unset: strings(&["OK", "a-b"]), timeout: None }, None, "unset[1]");
        let big = Edit::Environment { set: vars(&[("BIG", &"x".repeat(4100))]), unset: vec![], timeout: None };
        refused(big, None, "config.environment");
    }

    #[test]
    fn permission_edits() {
        let current = Config::CloudCall(CloudCallConfig { openapi: strings(&["a.b", "c.d"]) });
        let grant = Edit::Grant(strings(&["c.d", "e.f", "e.f"]));
        assert_eq!(
            grant.apply(Some(&current)).unwrap(),
            Config::CloudCall(CloudCallConfig { openapi: strings(&["a.b", "c.d", "e.f"]) })
        );
        let revoke = Edit::Revoke(strings(&["a.b", "x.y"]));
        assert_eq!(
            revoke.apply(Some(&current)).unwrap(),
            Config::CloudCall(CloudCallConfig { openapi: strings(&["c.d"]) })
        );
        assert_eq!(revoke.apply(None).unwrap(), empty(ConfigType::CloudCall));
        refused(Edit::Grant(vec![]), None, "names");
        refused(Edit::Grant(strings(&["ok.fine", "nope"])), None, "names[1]");
        refused(Edit::Revoke(strings(&["a.b.c"])), None, "names[0]");
    }

    #[test]
    fn trigger_edits() {
        let old = Trigger { name: "old".into(), trigger_type: "timer".into(), config: "0 0 2 * * * *".into() };
        let current = Config::TimerTrigger(TimerTriggerConfig { triggers: vec![old] });
        let new = Trigger { name: "nightly".into(), trigger_type: "timer".into(), config: "0 30 3 * * * *".into() };
        let set = Edit::SetTrigger(new.clone());
        assert_eq!(
            set.apply(Some(&current)).unwrap(),
            Config::TimerTrigger(TimerTriggerConfig { triggers: vec![new.clone()] })
        );
        assert_eq!(Edit::RemoveTrigger.apply(Some(&current)).unwrap(), empty(ConfigType::TimerTrigger));
        refused(Edit::SetTrigger(Trigger { name: "1x".into(), ..new.clone() }), None, "trigger.name");
        refused(Edit::SetTrigger(Trigger { config: "0 0 25 * * * *".into(), ..new }), None, "trigger.config");
    }

    #[test]
    fn an_edit_of_another_type_is_refused() {
        let env = environment(3, &[]);
        refused(Edit::Grant(strings(&["a.b"])), Some(&env), "config");
    }

    #[test]
    fn same_compares_text_then_meaning() {
        let fc = |raw: &str, config: Config| FuncConfig {
            env: "e".into(),
            function_name: "f".into(),
            config,
            raw: raw.into(),
        };
        let a = fc(r#"{"timeout":3,"environment":[]}"#, environment(3, &[]));
        let b = fc(r#"{ "timeout": 3, "environment": [] }"#, environment(3, &[]));
        let c = fc(r#"{"timeout":4,"environment":[]}"#, environment(4, &[]));
        assert!(same(Some(&a), Some(&b)));
        assert!(!same(Some(&a), Some(&c)));
        assert!(same(None, None));
        assert!(!same(Some(&a), None) && !same(None, Some(&a)));
    }

    #[test]
    fn a_restored_config_is_checked_and_written_as_its_text() {
        let raw = r#"{"timeout":7, "environment":[{"key":"A","value":"1","note":"kept"}],"extra":true}"#;
        let edit = restore(ConfigType::Environment, raw.to_string()).unwrap();
        assert_eq!(edit.config_type(), ConfigType::Environment);
        let current = environment(3, &[("B", "2")]);
        let after = edit.apply(Some(&current)).unwrap();
        assert_eq!(after, environment(7, &[("A", "1")]));
        // The text goes as given, whatever the server has now.
        assert_eq!(edit.text(&after, Some(r#"{"timeout":3,"environment":[]}"#)), raw);
        assert_eq!(edit.text(&after, None), raw);
        // Other edits write over the server's text.
        let grant = Edit::Grant(strings(&["a.b"]));
        let granted = grant.apply(None).unwrap();
        let over = r#"{"permissions":{"openapi":[]},"x":1}"#;
        assert_eq!(grant.text(&granted, Some(over)), granted.to_json_over(over));
        assert_eq!(grant.text(&granted, None), granted.to_json());
        // Only the same text is "no change": members this client does not model count.
        let fc = |raw: &str| FuncConfig {
            env: "e".into(),
            function_name: "f".into(),
            config: environment(7, &[("A", "1")]),
            raw: raw.into(),
        };
        assert!(!edit.changes(Some(&fc(raw)), &[]));
        assert!(edit.changes(Some(&fc(r#"{"timeout":7,"environment":[{"key":"A","value":"1"}]}"#)), &[]));
        assert!(edit.changes(None, &[]));
        assert!(!grant.changes(None, &[]));
        // A config of another type is not restored over this one.
        refused(edit, Some(&Config::CloudCall(CloudCallConfig::default())), "config");
    }

    #[test]
    fn a_restored_config_must_be_a_valid_config_of_its_type() {
        let bad = |t: ConfigType, raw: &str, field: &str| {
            let e = restore(t, raw.to_string()).expect_err(raw);
            assert_eq!(e.kind(), ErrorKind::InvalidArgument);
            assert!(e.message().starts_with(field), "{} should name {field}", e.message());
        };
        bad(ConfigType::Environment, "not json", "raw");
        bad(ConfigType::Environment, r#"{"permissions":{"openapi":[]}}"#, "raw");
        bad(ConfigType::CloudCall, "[1]", "raw");
        bad(ConfigType::CloudCall, r#"{"permissions":{"openapi":["nope"]}}"#, "config.openapi[0]");
        bad(ConfigType::TimerTrigger, r#"{"triggers":[{"name":"t","type":"timer","config":"0 0 25 * * * *"}]}"#, "config.triggers");
        bad(ConfigType::Environment, r#"{"timeout":301,"environment":[]}"#, "config.timeout");
        // A config sent as a JSON string holding its text is read too, and kept as sent.
        let twice = r#""{\"permissions\":{\"openapi\":[\"a.b\"]}}""#;
        let edit = restore(ConfigType::CloudCall, twice.to_string()).unwrap();
        assert_eq!(
            edit.apply(None).unwrap(),
            Config::CloudCall(CloudCallConfig { openapi: strings(&["a.b"]) })
        );
        assert_eq!(edit.text(&empty(ConfigType::CloudCall), None), twice);
    }
}
