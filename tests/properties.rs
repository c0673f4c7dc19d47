//! Properties of the core over generated input (proptest).
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use tcb_funcconfig::cron;
use tcb_funcconfig::{
    CloudCallConfig, Config, ConfigType, EnvVar, EnvironmentConfig, GetFuncConfig, TimerTriggerConfig, Trigger,
    decode_config, decode_response,
};

fn request(t: ConfigType) -> GetFuncConfig {
    GetFuncConfig::new("test-777bb9", "f", t, ("env", "functionName")).unwrap()
}

/// Any text: ASCII, CJK, emoji, quotes, backslashes and control characters.
fn text() -> impl Strategy<Value = String> {
    "(?s)[\\PC\\x00-\\x1f\"\\\\云函数😀]{0,24}"
}

fn config() -> impl Strategy<Value = Config> {
    prop_oneof![
        prop::collection::vec(text(), 0..12).prop_map(|openapi| Config::CloudCall(CloudCallConfig { openapi })),
        prop::collection::vec((text(), text(), text()), 0..3).prop_map(|ts| {
            Config::TimerTrigger(TimerTriggerConfig {
                triggers: ts
                    .into_iter()
                    .map(|(name, trigger_type, config)| Trigger { name, trigger_type, config })
                    .collect(),
            })
        }),
        (any::<u32>(), prop::collection::vec((text(), text()), 0..12)).prop_map(|(timeout, vars)| {
            Config::Environment(EnvironmentConfig {
                timeout,
                environment: vars.into_iter().map(|(key, value)| EnvVar { key, value }).collect(),
            })
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// typed config -> WeChat JSON -> decode is the identity, and `raw` is that JSON.
    #[test]
    fn config_to_json_and_back_is_the_identity(c in config()) {
        let json = c.to_json();
        let back = decode_config(&request(c.config_type()), json.clone()).unwrap();
        prop_assert_eq!(&back.config, &c);
        prop_assert_eq!(back.raw, json.clone());
        // serde_json reads the same text as a valid JSON object.
        prop_assert!(serde_json::from_str::<serde_json::Value>(&json).unwrap().is_object());
    }

    /// The same config wrapped in a getfuncconfig answer decodes the same way.
    #[test]
    fn a_whole_answer_round_trips(c in config()) {
        let body = serde_json::json!({"errcode": 0, "errmsg": "ok", "config": c.to_json()}).to_string();
        let back = decode_response(&request(c.config_type()), 200, &body).unwrap();
        prop_assert_eq!(back.config, c);
    }

    /// Arbitrary bytes never panic the decoders, for any status and type.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512), status in any::<u16>()) {
        let text = String::from_utf8_lossy(&bytes);
        for t in ConfigType::ALL {
            let _ = decode_response(&request(t), status, &text);
            let _ = decode_config(&request(t), text.to_string());
        }
    }

    /// Arbitrary text never panics the cron parser, and parsed expressions yield strictly
    /// increasing runs within the budget.
    #[test]
    fn cron_never_panics(expr in "[0-9A-Za-z*/,\\- ?#]{0,40}", after in 0i64..4_102_444_800) {
        if let Ok(c) = cron::parse(&expr) {
            let runs = c.next_runs(after, 5);
            prop_assert!(runs.windows(2).all(|w| w[0] < w[1]));
            prop_assert!(runs.first().is_none_or(|&t| t > after));
            let _ = (c.explain_en(), c.explain_zh());
        }
    }
}
