//! Typed cloud-function configurations, their WeChat JSON shapes, and their tolerant decoding.
//!
//! Reading is tolerant: unknown fields are ignored (they stay in `raw`), type 1 accepts the key
//! `openapi` in any letter case, a missing or `null` list is empty, a missing `timeout` is 3 and
//! a missing trigger `type` is `"timer"`. A value of the wrong JSON type is an error that names
//! its path. Writing uses serde: each type serializes to the shape WeChat documents.

use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

/// The documented default `timeout` (seconds) when the config leaves it out.
pub const DEFAULT_TIMEOUT_SECS: u32 = 3;

/// The three kinds of configuration a cloud function has (`type` in the WeChat docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConfigType {
    /// `1`: cloud-call permissions (云调用).
    CloudCall = 1,
    /// `2`: timer triggers (定时触发器).
    TimerTrigger = 2,
    /// `3`: timeout and environment variables (环境配置).
    Environment = 3,
}

/// The rule for `type`, shown when a value is refused.
pub const TYPE_RULE: &str = "must be one of 1, 2, 3, \"cloudCall\", \"timerTrigger\", \"environment\"";

impl ConfigType {
    /// All three, in `type` order.
    pub const ALL: [ConfigType; 3] = [ConfigType::CloudCall, ConfigType::TimerTrigger, ConfigType::Environment];

    /// The number WeChat uses.
    pub fn number(self) -> u8 {
        self as u8
    }

    /// The name used in typed results (`kind`).
    pub fn name(self) -> &'static str {
        match self {
            ConfigType::CloudCall => "cloudCall",
            ConfigType::TimerTrigger => "timerTrigger",
            ConfigType::Environment => "environment",
        }
    }

    /// From WeChat's number; only exact integers 1, 2 and 3 are types.
    pub fn from_number(n: f64) -> Option<Self> {
        ConfigType::ALL.into_iter().find(|t| f64::from(t.number()) == n)
    }

    /// From the name used in typed results.
    pub fn from_name(s: &str) -> Option<Self> {
        ConfigType::ALL.into_iter().find(|t| t.name() == s)
    }
}

impl Serialize for ConfigType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.number())
    }
}

/// Type 1: the cloud-call (云调用) APIs the function may call, as `<category>.<method>` names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CloudCallConfig {
    /// API names such as `wxacode.getUnlimited`, in the server's order.
    pub openapi: Vec<String>,
}

/// WeChat nests type 1's list: `{"permissions":{"openapi":[…]}}`.
impl Serialize for CloudCallConfig {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Permissions<'a> {
            openapi: &'a [String],
        }
        #[derive(Serialize)]
        struct Wire<'a> {
            permissions: Permissions<'a>,
        }
        Wire { permissions: Permissions { openapi: &self.openapi } }.serialize(s)
    }
}

/// One timer trigger (定时触发器).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trigger {
    /// The trigger's name.
    pub name: String,
    /// Always `"timer"` today; kept as sent.
    #[serde(rename = "type")]
    pub trigger_type: String,
    /// A 7-field cron expression in UTC+8: `second minute hour day month weekday year`.
    pub config: String,
}

/// Type 2: the function's timer triggers (at most one, per WeChat's rules).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TimerTriggerConfig {
    /// The triggers, in the server's order.
    pub triggers: Vec<Trigger>,
}

/// One environment variable. Values are often secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnvVar {
    /// The variable's name.
    pub key: String,
    /// The variable's value.
    pub value: String,
}

/// Type 3: the function's timeout and environment variables (环境配置).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnvironmentConfig {
    /// Maximum run time in whole seconds (documented range 1–300, default 3).
    pub timeout: u32,
    /// Environment variables, in the server's order.
    pub environment: Vec<EnvVar>,
}

impl Default for EnvironmentConfig {
    fn default() -> Self {
        EnvironmentConfig { timeout: DEFAULT_TIMEOUT_SECS, environment: Vec::new() }
    }
}

/// A decoded configuration of one of the three types; serializes to WeChat's `config` JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Config {
    /// Type 1.
    CloudCall(CloudCallConfig),
    /// Type 2.
    TimerTrigger(TimerTriggerConfig),
    /// Type 3.
    Environment(EnvironmentConfig),
}

/// Text of a value that serializes infallibly (strings, numbers, lists, maps with string keys).
pub(crate) fn to_text<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

impl Config {
    /// The config as WeChat's JSON text (the `config` string of getfuncconfig and
    /// uploadfuncconfig), with every field written out.
    pub fn to_json(&self) -> String {
        to_text(self)
    }

    /// The config as JSON text written over `raw`, the server's text it replaces: members this
    /// client does not model — in the object, in `permissions`, in each trigger and variable
    /// (matched by `name` and `key`) — are kept with their order and number text, so that an
    /// edit never drops what the server sends beyond the documented fields. Without a usable
    /// `raw` it is [`to_json`](Self::to_json).
    pub fn to_json_over(&self, raw: &str) -> String {
        let old = match crate::value::parse(raw) {
            Ok(Value::String(inner)) => crate::value::parse(&inner),
            other => other,
        };
        // The new text read back rather than `serde_json::to_value`: one JSON path fewer in the
        // wasm module, and the same value.
        match (old, crate::value::parse(&self.to_json())) {
            (Ok(old @ Value::Object(_)), Ok(new)) => to_text(&merge(old, new)),
            _ => self.to_json(),
        }
    }

    /// Which type this is.
    pub fn config_type(&self) -> ConfigType {
        match self {
            Config::CloudCall(_) => ConfigType::CloudCall,
            Config::TimerTrigger(_) => ConfigType::TimerTrigger,
            Config::Environment(_) => ConfigType::Environment,
        }
    }
}

/// Whether two member names are the same field (`openapi` is read in any letter case).
fn same_key(a: &str, b: &str) -> bool {
    a == b || (a.eq_ignore_ascii_case("openapi") && b.eq_ignore_ascii_case("openapi"))
}

/// `new` over `old`: objects keep the old members `new` does not have; lists of objects keep
/// the old members of the items they match by `name` or `key`; anything else is `new`.
fn merge(old: Value, new: Value) -> Value {
    match (old, new) {
        (Value::Object(old_members), Value::Object(new_members)) => {
            let mut new_members: Vec<(String, Value)> = new_members.into_iter().collect();
            let mut out = Map::new();
            for (k, old_v) in old_members {
                match new_members.iter().position(|(new_k, _)| same_key(&k, new_k)) {
                    Some(i) => {
                        let (new_k, new_v) = new_members.remove(i);
                        out.insert(new_k, merge(old_v, new_v));
                    }
                    None => {
                        out.insert(k, old_v);
                    }
                }
            }
            out.extend(new_members);
            Value::Object(out)
        }
        (Value::Array(old_items), Value::Array(new_items)) => {
            fn id(item: &Value) -> Option<&Value> {
                ["name", "key"].iter().find_map(|k| item.get(k))
            }
            let mut old_items: Vec<Option<Value>> = old_items.into_iter().map(Some).collect();
            let items = new_items
                .into_iter()
                .map(|item| {
                    let matched = id(&item).and_then(|want| {
                        old_items.iter_mut().find(|o| o.as_ref().is_some_and(|o| id(o) == Some(want)))
                    });
                    match matched.and_then(Option::take) {
                        Some(old_item) => merge(old_item, item),
                        None => item,
                    }
                })
                .collect();
            Value::Array(items)
        }
        (_, new) => new,
    }
}

/// What an environment value shows where it must stay hidden.
pub const MASK: &str = "••••••";

impl Config {
    /// The same config with every environment value replaced by [`MASK`].
    pub fn masked(&self) -> Config {
        match self {
            Config::Environment(e) => Config::Environment(EnvironmentConfig {
                timeout: e.timeout,
                environment: e
                    .environment
                    .iter()
                    .map(|v| EnvVar { key: v.key.clone(), value: MASK.to_string() })
                    .collect(),
            }),
            other => other.clone(),
        }
    }
}

impl FuncConfig {
    /// The same config safe to show anyone: environment values masked, in `raw` too (which is
    /// then written anew, since the server's text holds the values).
    pub fn masked(&self) -> FuncConfig {
        match &self.config {
            Config::Environment(_) => {
                let config = self.config.masked();
                FuncConfig {
                    env: self.env.clone(),
                    function_name: self.function_name.clone(),
                    raw: config.to_json(),
                    config,
                }
            }
            _ => self.clone(),
        }
    }
}

/// One function's configuration of one type, with the exact text the server sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FuncConfig {
    /// Environment id.
    pub env: String,
    /// Cloud function name.
    pub function_name: String,
    /// The decoded configuration.
    pub config: Config,
    /// The `config` string exactly as the server sent it.
    pub raw: String,
}

/// What kind of JSON value this is, for messages: "a string", "an object", …
pub(crate) fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A number that is a whole value within `i64` (`5`, `-1`, `5.0`); `None` for anything else.
///
/// Numbers keep their text (`arbitrary_precision`), so a whole number written with a zero
/// fraction is read from that text without parsing it as a float.
pub(crate) fn whole(v: &Value) -> Option<i64> {
    let Value::Number(n) = v else { return None };
    n.as_i64().or_else(|| {
        let text = n.to_string();
        let (int, fraction) = text.split_once('.')?;
        if fraction.bytes().all(|b| b == b'0') { int.parse().ok() } else { None }
    })
}

/// Reads a typed config from parsed JSON; errors name the path and the wrong type.
pub(crate) trait Decode: Sized {
    fn decode(v: &Value) -> Result<Self, String>;
}

fn wrong(path: &str, expected: &str, v: &Value) -> String {
    format!("`{path}` is {}, expected {expected}", kind_of(v))
}

/// A member that may be absent or `null`.
fn member<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.get(key).filter(|m| !m.is_null())
}

/// Reads a list item by item. An item's path (`triggers[3]`) is written only for an error:
/// answers hold thousands of items.
fn list<T>(
    v: Option<&Value>,
    path: &str,
    item: impl Fn(&Value) -> Result<T, (&'static str, &'static str)>,
) -> Result<Vec<T>, String> {
    let items = match v {
        None => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(other) => return Err(wrong(path, "an array", other)),
    };
    // A plain loop: collecting into a `Result` is a heavier iterator in each of the three lists.
    let mut out = Vec::with_capacity(items.len());
    for (i, x) in items.iter().enumerate() {
        match item(x) {
            Ok(t) => out.push(t),
            Err((field, what)) => return Err(item_error(path, i, field, what)),
        }
    }
    Ok(out)
}

fn item_error(path: &str, i: usize, field: &str, what: &str) -> String {
    format!("`{path}[{i}]{field}` {what}")
}

fn object<'a>(v: &'a Value, path: &str) -> Result<&'a Map<String, Value>, String> {
    match v {
        Value::Object(m) => Ok(m),
        other => Err(wrong(path, "an object", other)),
    }
}

/// An item's string field: `Err((".key", what))` names the field within the item.
fn item_string(
    v: Option<&Value>,
    field: &'static str,
    required: bool,
) -> Result<Option<String>, (&'static str, &'static str)> {
    match v.filter(|x| !x.is_null()) {
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err((field, kind_error(other))),
        None if required => Err((field, "is missing")),
        None => Ok(None),
    }
}

/// "is a number, expected a string", for the kinds a string field can wrongly be.
fn kind_error(v: &Value) -> &'static str {
    match v {
        Value::Bool(_) => "is a boolean, expected a string",
        Value::Number(_) => "is a number, expected a string",
        Value::Array(_) => "is an array, expected a string",
        Value::Object(_) => "is an object, expected a string",
        _ => "is null, expected a string",
    }
}

impl Decode for CloudCallConfig {
    fn decode(v: &Value) -> Result<Self, String> {
        let Some(permissions) = object(v, "config")?.get("permissions").filter(|p| !p.is_null()) else {
            return Ok(CloudCallConfig::default());
        };
        let members = object(permissions, "permissions")?;
        // The English doc prints `Openapi`, the Chinese original `openapi`: any letter case.
        let openapi = members.iter().find(|(k, _)| k.eq_ignore_ascii_case("openapi")).map(|(_, v)| v);
        let openapi = list(openapi.filter(|v| !v.is_null()), "permissions.openapi", |x| match x {
            Value::String(s) => Ok(s.clone()),
            other => Err(("", kind_error(other))),
        })?;
        Ok(CloudCallConfig { openapi })
    }
}

fn item_object(t: &Value) -> Result<&Value, (&'static str, &'static str)> {
    match t {
        Value::Object(_) => Ok(t),
        Value::Array(_) => Err(("", "is an array, expected an object")),
        Value::String(_) => Err(("", "is a string, expected an object")),
        _ => Err(("", "is not an object")),
    }
}

impl Decode for TimerTriggerConfig {
    fn decode(v: &Value) -> Result<Self, String> {
        object(v, "config")?;
        let triggers = list(member(v, "triggers"), "triggers", |t| {
            let t = item_object(t)?;
            Ok(Trigger {
                name: item_string(t.get("name"), ".name", true)?.unwrap_or_default(),
                trigger_type: item_string(t.get("type"), ".type", false)?.unwrap_or_else(|| "timer".to_string()),
                config: item_string(t.get("config"), ".config", true)?.unwrap_or_default(),
            })
        })?;
        Ok(TimerTriggerConfig { triggers })
    }
}

impl Decode for EnvironmentConfig {
    fn decode(v: &Value) -> Result<Self, String> {
        object(v, "config")?;
        let timeout = match member(v, "timeout") {
            None => DEFAULT_TIMEOUT_SECS,
            Some(t @ Value::Number(_)) => match whole(t) {
                Some(n) => u32::try_from(n).map_err(|_| format!("`timeout` is {n}, expected whole seconds"))?,
                None => return Err(wrong("timeout", "a whole number of seconds", t)),
            },
            Some(other) => return Err(wrong("timeout", "a whole number of seconds", other)),
        };
        let environment = list(member(v, "environment"), "environment", |e| {
            let e = item_object(e)?;
            Ok(EnvVar {
                key: item_string(e.get("key"), ".key", true)?.unwrap_or_default(),
                value: item_string(e.get("value"), ".value", true)?.unwrap_or_default(),
            })
        })?;
        Ok(EnvironmentConfig { timeout, environment })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_type_from_numbers_and_names() {
        assert_eq!(ConfigType::from_number(1.0), Some(ConfigType::CloudCall));
        assert_eq!(ConfigType::from_number(3.0), Some(ConfigType::Environment));
        for bad in [0.0, 4.0, 1.5, -1.0, f64::NAN, f64::INFINITY] {
            assert_eq!(ConfigType::from_number(bad), None, "{bad}");
        }
        assert_eq!(ConfigType::from_name("timerTrigger"), Some(ConfigType::TimerTrigger));
        for bad in ["", "CloudCall", "env", "1", "environment "] {
            assert_eq!(ConfigType::from_name(bad), None, "{bad:?}");
        }
        for t in ConfigType::ALL {
            assert!(TYPE_RULE.contains(t.name()));
        }
    }

    fn de<T: Decode>(s: &str) -> Result<T, String> {
        T::decode(&serde_json::from_str(s).map_err(|e| e.to_string())?)
    }

    #[test]
    fn writing_over_the_server_text_keeps_unknown_members() {
        let raw = r#"{"timeout":3,"memorySize":256,"environment":[{"key":"A","value":"1","encrypted":false},{"key":"B","value":"2"}]}"#;
        let config = Config::Environment(EnvironmentConfig {
            timeout: 9,
            environment: vec![
                EnvVar { key: "A".into(), value: "10".into() },
                EnvVar { key: "C".into(), value: "3".into() },
            ],
        });
        assert_eq!(
            config.to_json_over(raw),
            r#"{"timeout":9,"memorySize":256,"environment":[{"key":"A","value":"10","encrypted":false},{"key":"C","value":"3"}]}"#
        );
        let cloud = Config::CloudCall(CloudCallConfig { openapi: vec!["a.b".into()] });
        let raw1 = r#"{"permissions":{"Openapi":["x.y"],"scope":"all"},"v":1.50}"#;
        assert_eq!(cloud.to_json_over(raw1), r#"{"permissions":{"openapi":["a.b"],"scope":"all"},"v":1.50}"#);
        let twice = serde_json::to_string(raw1).unwrap();
        assert_eq!(cloud.to_json_over(&twice), cloud.to_json_over(raw1), "a config encoded twice is unwrapped");
        for unusable in ["", "not json", "[1]", "\"text\""] {
            assert_eq!(cloud.to_json_over(unusable), cloud.to_json());
        }
    }

    #[test]
    fn masking_hides_every_environment_value() {
        let raw = r#"{"timeout":7,"environment":[{"key":"DB_PASSWORD","value":"s3cr3t"}],"note":"s3cr3t"}"#;
        let config = Config::Environment(EnvironmentConfig {
            timeout: 7,
            environment: vec![EnvVar { key: "DB_PASSWORD".into(), value: "s3cr3t".into() }],
        });
        let fc = FuncConfig { env: "e".into(), function_name: "f".into(), config, raw: raw.into() };
        let m = fc.masked();
        assert!(!format!("{m:?}").contains("s3cr3t"), "{m:?}");
        assert!(m.raw.contains("DB_PASSWORD") && m.raw.contains(MASK) && m.raw.contains("7"));
        let other = FuncConfig { config: Config::CloudCall(CloudCallConfig { openapi: vec!["a.b".into()] }), ..fc };
        assert_eq!(other.masked(), other);
    }

    #[test]
    fn cloud_call_reads_openapi_in_any_case() {
        for key in ["openapi", "Openapi", "OPENAPI", "openAPI"] {
            let c: CloudCallConfig = de(&format!(r#"{{"permissions":{{"{key}":["a.b","c.d"]}}}}"#)).unwrap();
            assert_eq!(c.openapi, ["a.b", "c.d"], "{key}");
        }
    }

    #[test]
    fn cloud_call_missing_parts_are_empty() {
        for s in [r#"{}"#, r#"{"permissions":null}"#, r#"{"permissions":{}}"#, r#"{"permissions":{"openapi":null}}"#] {
            let c: CloudCallConfig = de(s).unwrap();
            assert!(c.openapi.is_empty(), "{s}");
        }
    }

    #[test]
    fn unknown_fields_are_ignored() {
        let c: CloudCallConfig =
            de(r#"{"x":[1,{"y":2}],"permissions":{"other":true,"openapi":["a.b"]},"z":null}"#).unwrap();
        assert_eq!(c.openapi, ["a.b"]);
        let t: TimerTriggerConfig =
            de(r#"{"triggers":[{"name":"n","config":"* * * * * * *","extra":{"a":1}}],"v":2}"#).unwrap();
        assert_eq!(t.triggers[0].trigger_type, "timer");
        let e: EnvironmentConfig = de(r#"{"memory":256,"environment":[{"key":"K","value":"V","x":1}]}"#).unwrap();
        assert_eq!(e.timeout, 3);
        assert_eq!(e.environment, [EnvVar { key: "K".into(), value: "V".into() }]);
    }

    #[test]
    fn wrong_json_types_are_errors() {
        assert!(de::<CloudCallConfig>(r#"{"permissions":{"openapi":"a.b"}}"#).is_err());
        assert!(de::<CloudCallConfig>(r#"{"permissions":{"openapi":[1]}}"#).is_err());
        assert!(de::<CloudCallConfig>(r#"{"permissions":[]}"#).is_err());
        assert!(de::<CloudCallConfig>(r#"[]"#).is_err());
        assert!(de::<CloudCallConfig>(r#""x""#).is_err());
        assert!(de::<TimerTriggerConfig>(r#"{"triggers":{}}"#).is_err());
        assert!(de::<TimerTriggerConfig>(r#"{"triggers":[{"config":"x"}]}"#).is_err());
        assert!(de::<TimerTriggerConfig>(r#"{"triggers":[{"name":"n"}]}"#).is_err());
        assert!(de::<TimerTriggerConfig>(r#"{"triggers":[{"name":1,"config":"x"}]}"#).is_err());
        assert!(de::<EnvironmentConfig>(r#"{"timeout":"5"}"#).is_err());
        assert!(de::<EnvironmentConfig>(r#"{"timeout":-1}"#).is_err());
        assert!(de::<EnvironmentConfig>(r#"{"timeout":2.5}"#).is_err());
        assert!(de::<EnvironmentConfig>(r#"{"environment":[{"key":"K","value":5}]}"#).is_err());
        assert!(de::<EnvironmentConfig>(r#"{"environment":[{"key":"K"}]}"#).is_err());
        assert!(de::<EnvironmentConfig>(r#"{"environment":"K=V"}"#).is_err());
    }

    #[test]
    fn to_json_writes_the_documented_shapes() {
        let env = Config::Environment(EnvironmentConfig {
            timeout: 5,
            environment: vec![EnvVar { key: "K".into(), value: "V\"1".into() }],
        });
        assert_eq!(env.to_json(), r#"{"timeout":5,"environment":[{"key":"K","value":"V\"1"}]}"#);
        let cc = Config::CloudCall(CloudCallConfig { openapi: vec!["wxacode.get".into(), "a.b".into()] });
        assert_eq!(cc.to_json(), r#"{"permissions":{"openapi":["wxacode.get","a.b"]}}"#);
        let tt = Config::TimerTrigger(TimerTriggerConfig {
            triggers: vec![Trigger { name: "t".into(), trigger_type: "timer".into(), config: "0 0 2 1 * * *".into() }],
        });
        assert_eq!(tt.to_json(), r#"{"triggers":[{"name":"t","type":"timer","config":"0 0 2 1 * * *"}]}"#);
        assert_eq!(Config::CloudCall(CloudCallConfig::default()).to_json(), r#"{"permissions":{"openapi":[]}}"#);
    }

    #[test]
    fn nulls_take_defaults() {
        let e: EnvironmentConfig = de(r#"{"timeout":null,"environment":null}"#).unwrap();
        assert_eq!(e, EnvironmentConfig::default());
        let t: TimerTriggerConfig = de(r#"{"triggers":[{"name":"n","type":null,"config":"c"}]}"#).unwrap();
        assert_eq!(t.triggers[0].trigger_type, "timer");
    }
}
