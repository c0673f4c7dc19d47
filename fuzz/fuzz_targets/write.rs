//! Writing: any hand-written config is refused or valid, and a valid one written over any server
//! text (whose unknown members are kept) still decodes to exactly that config; any edit applied
//! to any decoded config gives a config that passes the rules or a refusal.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tcb_funcconfig::edit::Edit;
use tcb_funcconfig::upload::{config_from_input, validate};
use tcb_funcconfig::{ConfigType, EnvVar, GetFuncConfig, Trigger, decode_config};

fuzz_target!(|input: (&str, &str, &str)| {
    let (written, server, word) = input;
    let Ok(value) = serde_json::from_str(written) else { return };
    let Ok(config) = config_from_input(None, &value, "config") else { return };
    let t = config.config_type();
    let Ok(req) = GetFuncConfig::new("e", "f", t, ("env", "functionName")) else { return };
    if validate(&config).is_ok() {
        let text = config.to_json_over(server);
        let back = decode_config(&req, text.clone()).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(back.config, config, "{text}");
    }
    // Edits on whatever the server text decodes to.
    let current = decode_config(&req, server.to_string()).ok().map(|c| c.config);
    let edits = match t {
        ConfigType::Environment => vec![Edit::Environment {
            set: vec![EnvVar { key: word.to_string(), value: server.to_string() }],
            unset: vec![word.to_string()],
            timeout: Some(word.len() as u32),
        }],
        ConfigType::CloudCall => vec![Edit::Grant(vec![word.to_string()]), Edit::Revoke(vec![word.to_string()])],
        ConfigType::TimerTrigger => vec![
            Edit::SetTrigger(Trigger { name: word.to_string(), trigger_type: "timer".into(), config: server.to_string() }),
            Edit::RemoveTrigger,
        ],
    };
    for edit in edits {
        if let Ok(after) = edit.apply(current.as_ref()) {
            assert!(validate(&after).is_ok());
        }
    }
});
