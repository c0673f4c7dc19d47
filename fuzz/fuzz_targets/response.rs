//! A whole getfuncconfig answer (status and body) for each type: a typed config or one error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tcb_funcconfig::{ConfigType, ErrorKind, GetFuncConfig, decode_response};

fuzz_target!(|input: (u16, &str)| {
    let (status, body) = input;
    for t in ConfigType::ALL {
        let Ok(req) = GetFuncConfig::new("test-777bb9", "fuzz", t, ("env", "functionName")) else { return };
        match decode_response(&req, status, body) {
            Ok(c) => assert_eq!(c.config.config_type(), t),
            Err(e) => {
                assert!(!e.hint().is_empty());
                if e.kind() == ErrorKind::Decode {
                    assert!(e.raw().is_some());
                }
            }
        }
    }
});
