//! The rules of one field of a config, as a form checks them while the user types, and the
//! same rules named for a whole config ([`crate::upload::validate`] reports them as
//! `invalid_argument`). Each broken rule has a short code a page can branch on, the rule's text
//! and a hint that says what to do.

use crate::cron;
use crate::model::ConfigType;
use crate::request::{is_env_id, is_function_name};
use crate::upload::{MAX_ENVIRONMENT_BYTES, is_api_name, is_env_key, is_trigger_name};

/// A rule a value broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Empty where a value is needed.
    Required,
    /// Not of the JavaScript type the field takes, or a config not shaped as its type is.
    Shape,
    /// Not `<category>.<method>`.
    ApiName,
    /// Named twice in one list.
    Duplicate,
    /// More triggers than WeChat allows.
    TooMany,
    /// Not a trigger name.
    TriggerName,
    /// A trigger type other than `timer`.
    TriggerType,
    /// Not a WeChat 7-field cron expression.
    Cron,
    /// Not a whole number of seconds from 1 to 300.
    Timeout,
    /// Not an environment variable name.
    EnvKey,
    /// The environment's variables would not fit in 4 KB of JSON.
    TooLarge,
    /// Not an environment id.
    EnvId,
    /// Not a cloud function name.
    FunctionName,
}

impl Rule {
    /// The code JavaScript sees, e.g. `"api_name"`.
    pub fn code(self) -> &'static str {
        match self {
            Rule::Required => "required",
            Rule::Shape => "shape",
            Rule::ApiName => "api_name",
            Rule::Duplicate => "duplicate",
            Rule::TooMany => "too_many",
            Rule::TriggerName => "trigger_name",
            Rule::TriggerType => "trigger_type",
            Rule::Cron => "cron",
            Rule::Timeout => "timeout",
            Rule::EnvKey => "env_key",
            Rule::TooLarge => "too_large",
            Rule::EnvId => "env_id",
            Rule::FunctionName => "function_name",
        }
    }

    /// The rule, worded to follow the field's name ("timeout must be …").
    pub fn text(self) -> &'static str {
        match self {
            Rule::Required => "is required",
            Rule::Shape => "must be a string",
            Rule::ApiName => "must be an API name of the form <category>.<method>, e.g. wxacode.getUnlimited",
            Rule::Duplicate => "repeats an entry that is already in the list",
            Rule::TooMany => "may hold at most one trigger (WeChat allows one per function)",
            Rule::TriggerName => "must be 1-60 characters of letters, digits, '-' and '_', starting with a letter",
            Rule::TriggerType => "must be \"timer\"",
            Rule::Cron => "is not a WeChat cron expression",
            Rule::Timeout => "must be a whole number of seconds from 1 to 300",
            Rule::EnvKey => "must be a variable key matching [A-Za-z_][A-Za-z0-9_]*",
            Rule::TooLarge => "must stay under 4 KB in all (as JSON)",
            Rule::EnvId => "must be 1-64 characters of letters, digits, '-' and '_'",
            Rule::FunctionName => "must be 1-60 characters of letters, digits, '-' and '_', starting with a letter",
        }
    }

    /// What to do about it.
    pub fn hint(self) -> &'static str {
        match self {
            Rule::Required => "fill in this field",
            Rule::Shape => "pass the value in the documented shape",
            Rule::ApiName => "write the API as <category>.<method>, e.g. wxacode.getUnlimited",
            Rule::Duplicate => "give each name once",
            Rule::TooMany => "keep one trigger: replace the existing one",
            Rule::TriggerName => "use 1-60 letters, digits, '-' or '_', starting with a letter",
            Rule::TriggerType => "use the trigger type \"timer\"",
            Rule::Cron => "write 7 fields: second minute hour day month weekday year, e.g. 0 0 2 * * * *",
            Rule::Timeout => "give a whole number of seconds from 1 to 300",
            Rule::EnvKey => "start with a letter or '_', then letters, digits or '_'",
            Rule::TooLarge => "shorten the values: all the variables together must stay under 4 KB as JSON",
            Rule::EnvId => "give the environment id, e.g. test-777bb9",
            Rule::FunctionName => "give the cloud function's name as the console shows it",
        }
    }
}

/// A broken rule and, for a cron expression, what in it is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    /// The rule.
    pub rule: Rule,
    /// The cron parser's reason, e.g. `hour: 25 is outside 0-23`.
    pub detail: Option<String>,
}

impl Broken {
    /// A broken rule without detail.
    pub fn of(rule: Rule) -> Broken {
        Broken { rule, detail: None }
    }

    /// The rule's text, with the detail after a colon.
    pub fn text(&self) -> String {
        let mut m = String::from(self.rule.text());
        if let Some(d) = &self.detail {
            m.push_str(": ");
            m.push_str(d);
        }
        m
    }

    /// `"<field> <rule>"`, with the detail after a colon.
    pub fn message(&self, field: &str) -> String {
        let mut m = String::from(field);
        m.push(' ');
        m.push_str(&self.text());
        m
    }
}

/// One field a form edits, by WeChat's name for it within its config type (`env` and
/// `functionName`, the config's function, belong to every type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// `env`: the environment id.
    Env,
    /// `functionName`: the cloud function's name.
    FunctionName,
    /// Type 1, `openapi`: one API name.
    Openapi,
    /// Type 2, `name`: a trigger's name.
    TriggerName,
    /// Type 2, `config`: a trigger's cron expression.
    TriggerConfig,
    /// Type 3, `timeout`.
    Timeout,
    /// Type 3, `key`: an environment variable's name.
    Key,
    /// Type 3, `value`: an environment variable's value.
    Value,
}

impl Field {
    /// The field `name` of config type `t`, or `None` when that type has no such field.
    pub fn of(t: ConfigType, name: &str) -> Option<Field> {
        Some(match (t, name) {
            (_, "env") => Field::Env,
            (_, "functionName") => Field::FunctionName,
            (ConfigType::CloudCall, "openapi") => Field::Openapi,
            (ConfigType::TimerTrigger, "name") => Field::TriggerName,
            (ConfigType::TimerTrigger, "config") => Field::TriggerConfig,
            (ConfigType::Environment, "timeout") => Field::Timeout,
            (ConfigType::Environment, "key") => Field::Key,
            (ConfigType::Environment, "value") => Field::Value,
            _ => return None,
        })
    }
}

/// A field's value as a form has it: text, or a number (`timeout`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Input<'a> {
    /// A string, as typed.
    Text(&'a str),
    /// A number.
    Number(f64),
    /// Anything else (`null`, an object…).
    Other,
}

/// The timeout a value stands for: a whole number, or decimal digits as typed (surrounding
/// spaces allowed); `None` for anything else.
fn timeout_of(v: Input<'_>) -> Option<u32> {
    let n = match v {
        Input::Number(n) if n.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&n) => n as u32,
        Input::Text(s) => {
            let s = s.trim();
            if s.is_empty() || s.len() > 9 || !s.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            // At most 9 digits: no overflow.
            s.bytes().fold(0, |n, b| n * 10 + u32::from(b - b'0'))
        }
        _ => return None,
    };
    (1..=crate::upload::MAX_TIMEOUT_SECS).contains(&n).then_some(n)
}

/// The bytes a variable with this value adds to the smallest environment config, as JSON.
fn environment_size_with(value: &str) -> usize {
    crate::model::to_text(&value).len() + r#"{"timeout":1,"environment":[{"key":"","value":}]}"#.len()
}

/// Checks one field's value. Text is checked as given (a form trims it first if it wants to).
pub fn check_field(field: Field, value: Input<'_>) -> Result<(), Broken> {
    if field == Field::Timeout {
        return match (timeout_of(value), value) {
            (Some(_), _) => Ok(()),
            (None, Input::Text(s)) if s.trim().is_empty() => Err(Broken::of(Rule::Required)),
            _ => Err(Broken::of(Rule::Timeout)),
        };
    }
    let Input::Text(s) = value else { return Err(Broken::of(Rule::Shape)) };
    if s.is_empty() && field != Field::Value {
        return Err(Broken::of(Rule::Required));
    }
    let (fits, rule) = match field {
        Field::Env => (is_env_id(s), Rule::EnvId),
        Field::FunctionName => (is_function_name(s), Rule::FunctionName),
        Field::Openapi => (is_api_name(s), Rule::ApiName),
        Field::TriggerName => (is_trigger_name(s), Rule::TriggerName),
        Field::TriggerConfig => {
            return cron::parse(s).map(|_| ()).map_err(|e| Broken { rule: Rule::Cron, detail: Some(e.message) });
        }
        Field::Key => (is_env_key(s), Rule::EnvKey),
        Field::Value => (environment_size_with(s) < MAX_ENVIRONMENT_BYTES, Rule::TooLarge),
        Field::Timeout => (true, Rule::Timeout),
    };
    if fits { Ok(()) } else { Err(Broken::of(rule)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(field: Field, value: Input<'_>) -> Option<&'static str> {
        check_field(field, value).err().map(|b| b.rule.code())
    }

    #[test]
    fn fields_are_named_as_wechat_names_them() {
        assert_eq!(Field::of(ConfigType::CloudCall, "openapi"), Some(Field::Openapi));
        assert_eq!(Field::of(ConfigType::TimerTrigger, "name"), Some(Field::TriggerName));
        assert_eq!(Field::of(ConfigType::TimerTrigger, "config"), Some(Field::TriggerConfig));
        assert_eq!(Field::of(ConfigType::Environment, "timeout"), Some(Field::Timeout));
        assert_eq!(Field::of(ConfigType::Environment, "key"), Some(Field::Key));
        assert_eq!(Field::of(ConfigType::Environment, "value"), Some(Field::Value));
        assert_eq!(Field::of(ConfigType::CloudCall, "timeout"), None);
        assert_eq!(Field::of(ConfigType::Environment, "openapi"), None);
        for t in ConfigType::ALL {
            assert_eq!(Field::of(t, "env"), Some(Field::Env));
            assert_eq!(Field::of(t, "functionName"), Some(Field::FunctionName));
        }
    }

    #[test]
    fn the_function_a_config_belongs_to() {
        assert_eq!(code(Field::Env, Input::Text("test-777bb9")), None);
        assert_eq!(code(Field::Env, Input::Text(&"e".repeat(64))), None);
        assert_eq!(code(Field::Env, Input::Text(&"e".repeat(65))), Some("env_id"));
        assert_eq!(code(Field::Env, Input::Text("a/b")), Some("env_id"));
        assert_eq!(code(Field::Env, Input::Text("")), Some("required"));
        assert_eq!(code(Field::FunctionName, Input::Text("orderSync")), None);
        assert_eq!(code(Field::FunctionName, Input::Text("1x")), Some("function_name"));
        assert_eq!(code(Field::FunctionName, Input::Text(&"f".repeat(61))), Some("function_name"));
        assert_eq!(code(Field::FunctionName, Input::Text("")), Some("required"));
        assert_eq!(code(Field::FunctionName, Input::Number(1.0)), Some("shape"));
    }

    #[test]
    fn api_names() {
        for good in ["wxacode.getUnlimited", "a_1.b_2", "A.b"] {
            assert_eq!(code(Field::Openapi, Input::Text(good)), None, "{good}");
        }
        assert_eq!(code(Field::Openapi, Input::Text("")), Some("required"));
        for bad in ["wxacode", ".get", "a.b.c", "1a.b", "a-b.c", " a.b", "云.调用"] {
            assert_eq!(code(Field::Openapi, Input::Text(bad)), Some("api_name"), "{bad}");
        }
        assert_eq!(code(Field::Openapi, Input::Number(1.0)), Some("shape"));
    }

    #[test]
    fn trigger_names_and_expressions() {
        assert_eq!(code(Field::TriggerName, Input::Text("nightly-sync_2")), None);
        assert_eq!(code(Field::TriggerName, Input::Text(&"n".repeat(60))), None);
        assert_eq!(code(Field::TriggerName, Input::Text(&"n".repeat(61))), Some("trigger_name"));
        assert_eq!(code(Field::TriggerName, Input::Text("1st")), Some("trigger_name"));
        assert_eq!(code(Field::TriggerName, Input::Text("")), Some("required"));
        assert_eq!(code(Field::TriggerConfig, Input::Text("0 0 2 * * * *")), None);
        assert_eq!(code(Field::TriggerConfig, Input::Text("")), Some("required"));
        let broken = check_field(Field::TriggerConfig, Input::Text("0 0 25 * * * *")).unwrap_err();
        assert_eq!(broken.rule, Rule::Cron);
        assert_eq!(broken.message("config"), "config is not a WeChat cron expression: hour: 25 is outside 0-23");
    }

    #[test]
    fn timeouts() {
        for good in [Input::Number(1.0), Input::Number(300.0), Input::Text("20"), Input::Text(" 7 ")] {
            assert_eq!(code(Field::Timeout, good), None, "{good:?}");
        }
        for bad in [
            Input::Number(0.0),
            Input::Number(301.0),
            Input::Number(2.5),
            Input::Number(-3.0),
            Input::Number(f64::NAN),
            Input::Text("0"),
            Input::Text("1e2"),
            Input::Text("5.0"),
            Input::Text("-1"),
            Input::Text("99999999999999999999"),
            Input::Other,
        ] {
            assert_eq!(code(Field::Timeout, bad), Some("timeout"), "{bad:?}");
        }
        assert_eq!(code(Field::Timeout, Input::Text("  ")), Some("required"));
    }

    #[test]
    fn environment_keys_and_values() {
        for good in ["K", "_x1", "DB_PASSWORD"] {
            assert_eq!(code(Field::Key, Input::Text(good)), None, "{good}");
        }
        for bad in ["1K", "K-1", "K.V", "键", "K V"] {
            assert_eq!(code(Field::Key, Input::Text(bad)), Some("env_key"), "{bad}");
        }
        assert_eq!(code(Field::Key, Input::Text("")), Some("required"));
        assert_eq!(code(Field::Value, Input::Text("")), None, "an empty value is a value");
        assert_eq!(code(Field::Value, Input::Text(&"x".repeat(3000))), None);
        assert_eq!(code(Field::Value, Input::Text(&"x".repeat(4100))), Some("too_large"));
        // Escaped characters count as JSON has them.
        assert_eq!(code(Field::Value, Input::Text(&"\"".repeat(2100))), Some("too_large"));
        assert_eq!(code(Field::Value, Input::Other), Some("shape"));
    }

    #[test]
    fn every_rule_has_a_code_a_text_and_a_hint() {
        let all = [
            Rule::Required,
            Rule::Shape,
            Rule::ApiName,
            Rule::Duplicate,
            Rule::TooMany,
            Rule::TriggerName,
            Rule::TriggerType,
            Rule::Cron,
            Rule::Timeout,
            Rule::EnvKey,
            Rule::TooLarge,
            Rule::EnvId,
            Rule::FunctionName,
        ];
        for (i, r) in all.iter().enumerate() {
            assert!(!r.text().is_empty() && !r.hint().is_empty());
            assert!(all.iter().skip(i + 1).all(|o| o.code() != r.code()), "{r:?}");
        }
    }
}
