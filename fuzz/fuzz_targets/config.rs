//! The second parse: any `config` text decodes to its type or fails with `raw` kept exactly.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tcb_funcconfig::{ConfigType, GetFuncConfig, decode_config};

fuzz_target!(|raw: &str| {
    for t in ConfigType::ALL {
        let Ok(req) = GetFuncConfig::new("e", "f", t, ("env", "functionName")) else { return };
        match decode_config(&req, raw.to_string()) {
            Ok(c) => assert_eq!(c.raw, raw),
            Err(e) => assert_eq!(e.raw(), Some(raw)),
        }
    }
});
