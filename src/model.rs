//! Typed cloud-function configurations and their tolerant decoding from WeChat's JSON.
//!
//! Reading is tolerant: unknown fields are ignored (they stay in `raw`), type 1 accepts the key
//! `openapi` in any letter case, a missing or `null` list is empty, a missing `timeout` is 3 and
//! a missing trigger `type` is `"timer"`. A value of the wrong JSON type is an error.
//! Each decoder accepts only a JSON object at its top, so the same rules hold for any
//! self-describing serde format (serde_json natively, JS values inside wasm).

use core::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};

use crate::request::ConfigType;

/// The documented default `timeout` (seconds) when the config leaves it out.
pub const DEFAULT_TIMEOUT_SECS: u32 = 3;

/// Type 1: the cloud-call (云调用) APIs the function may call, as `<category>.<method>` names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CloudCallConfig {
    /// API names such as `wxacode.getUnlimited`, in the server's order.
    pub openapi: Vec<String>,
}

/// One timer trigger (定时触发器).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trigger {
    /// The trigger's name.
    pub name: String,
    /// Always `"timer"` today; kept as sent.
    pub trigger_type: String,
    /// A 7-field cron expression in UTC+8: `second minute hour day month weekday year`.
    pub config: String,
}

/// Type 2: the function's timer triggers (at most one, per WeChat's rules).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TimerTriggerConfig {
    /// The triggers, in the server's order.
    pub triggers: Vec<Trigger>,
}

/// One environment variable. Values are often secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvVar {
    /// The variable's name.
    pub key: String,
    /// The variable's value.
    pub value: String,
}

/// Type 3: the function's timeout and environment variables (环境配置).
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// A decoded configuration of one of the three types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Config {
    /// Type 1.
    CloudCall(CloudCallConfig),
    /// Type 2.
    TimerTrigger(TimerTriggerConfig),
    /// Type 3.
    Environment(EnvironmentConfig),
}

impl Config {
    /// Which type this is.
    pub fn config_type(&self) -> ConfigType {
        match self {
            Config::CloudCall(_) => ConfigType::CloudCall,
            Config::TimerTrigger(_) => ConfigType::TimerTrigger,
            Config::Environment(_) => ConfigType::Environment,
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

/// Walks a JSON object, handing each key to `field`, which must consume the value through
/// `FieldValue::take` or leave it to be skipped.
fn visit_object<'de, A, F>(mut map: A, mut field: F) -> Result<(), A::Error>
where
    A: MapAccess<'de>,
    F: FnMut(&str, &mut FieldValue<'_, 'de, A>) -> Result<(), A::Error>,
{
    while let Some(key) = map.next_key::<String>()? {
        let mut value = FieldValue { map: &mut map, taken: false, _de: core::marker::PhantomData };
        field(&key, &mut value)?;
        if !value.taken {
            value.map.next_value::<IgnoredAny>()?;
        }
    }
    Ok(())
}

/// The value of the key being visited.
struct FieldValue<'m, 'de, A: MapAccess<'de>> {
    map: &'m mut A,
    taken: bool,
    _de: core::marker::PhantomData<&'de ()>,
}

impl<'de, A: MapAccess<'de>> FieldValue<'_, 'de, A> {
    fn take<T: Deserialize<'de>>(&mut self) -> Result<T, A::Error> {
        self.taken = true;
        self.map.next_value()
    }
}

/// Implements `Deserialize` for a type read from a JSON object by `visit_object`.
macro_rules! object_decoder {
    ($ty:ty, $expecting:literal, |$map:ident| $body:block) => {
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> Visitor<'de> for V {
                    type Value = $ty;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_map<A: MapAccess<'de>>(self, $map: A) -> Result<$ty, A::Error> $body
                }
                d.deserialize_map(V)
            }
        }
    };
}

/// `permissions` of type 1: holds `openapi` under any letter case.
struct Permissions(Vec<String>);

object_decoder!(Permissions, "a `permissions` object", |map| {
    let mut openapi: Option<Vec<String>> = None;
    visit_object(map, |key, v| {
        if openapi.is_none() && key.eq_ignore_ascii_case("openapi") {
            openapi = v.take::<Option<Vec<String>>>()?;
        }
        Ok(())
    })?;
    Ok(Permissions(openapi.unwrap_or_default()))
});

object_decoder!(CloudCallConfig, "a cloud-call config object", |map| {
    let mut openapi = Vec::new();
    visit_object(map, |key, v| {
        if key == "permissions" {
            openapi = v.take::<Option<Permissions>>()?.map(|p| p.0).unwrap_or_default();
        }
        Ok(())
    })?;
    Ok(CloudCallConfig { openapi })
});

object_decoder!(Trigger, "a trigger object with `name` and `config`", |map| {
    let (mut name, mut trigger_type, mut config) = (None, None, None);
    visit_object(map, |key, v| {
        match key {
            "name" => name = Some(v.take::<String>()?),
            "type" => trigger_type = v.take::<Option<String>>()?,
            "config" => config = Some(v.take::<String>()?),
            _ => {}
        }
        Ok(())
    })?;
    Ok(Trigger {
        name: name.ok_or_else(|| de::Error::missing_field("name"))?,
        trigger_type: trigger_type.unwrap_or_else(|| "timer".to_string()),
        config: config.ok_or_else(|| de::Error::missing_field("config"))?,
    })
});

object_decoder!(TimerTriggerConfig, "a timer-trigger config object", |map| {
    let mut triggers = Vec::new();
    visit_object(map, |key, v| {
        if key == "triggers" {
            triggers = v.take::<Option<Vec<Trigger>>>()?.unwrap_or_default();
        }
        Ok(())
    })?;
    Ok(TimerTriggerConfig { triggers })
});

object_decoder!(EnvVar, "an environment variable object with `key` and `value`", |map| {
    let (mut key_, mut value) = (None, None);
    visit_object(map, |key, v| {
        match key {
            "key" => key_ = Some(v.take::<String>()?),
            "value" => value = Some(v.take::<String>()?),
            _ => {}
        }
        Ok(())
    })?;
    Ok(EnvVar {
        key: key_.ok_or_else(|| de::Error::missing_field("key"))?,
        value: value.ok_or_else(|| de::Error::missing_field("value"))?,
    })
});

object_decoder!(EnvironmentConfig, "an environment config object", |map| {
    let mut c = EnvironmentConfig::default();
    visit_object(map, |key, v| {
        match key {
            "timeout" => c.timeout = v.take::<Option<u32>>()?.unwrap_or(DEFAULT_TIMEOUT_SECS),
            "environment" => c.environment = v.take::<Option<Vec<EnvVar>>>()?.unwrap_or_default(),
            _ => {}
        }
        Ok(())
    })?;
    Ok(c)
});

#[cfg(test)]
mod tests {
    use super::*;

    fn de<T: for<'a> Deserialize<'a>>(s: &str) -> Result<T, serde_json::Error> {
        serde_json::from_str(s)
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
    fn nulls_take_defaults() {
        let e: EnvironmentConfig = de(r#"{"timeout":null,"environment":null}"#).unwrap();
        assert_eq!(e, EnvironmentConfig::default());
        let t: TimerTriggerConfig = de(r#"{"triggers":[{"name":"n","type":null,"config":"c"}]}"#).unwrap();
        assert_eq!(t.triggers[0].trigger_type, "timer");
    }
}
