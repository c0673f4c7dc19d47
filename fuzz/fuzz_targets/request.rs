//! Request validation and building: whatever is accepted yields a URL and a JSON body that say
//! exactly what was asked, and the token only ever appears percent-encoded in the query.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use tcb_funcconfig::request::{self, GetFuncConfig};
use tcb_funcconfig::ConfigType;

fuzz_target!(|input: (&str, &str, &str, &str, f64)| {
    let (token, env, name, base, ms) = input;
    let _ = request::validate_timeout_ms("timeoutMs", ms);
    let _ = ConfigType::from_name(name);
    let _ = ConfigType::from_number(ms);
    let Ok(base) = request::validate_base_url("baseUrl", base) else { return };
    if request::validate_access_token("accessToken", token).is_err() {
        return;
    }
    for t in ConfigType::ALL {
        let Ok(req) = GetFuncConfig::new(env, name, t, ("env", "functionName")) else { return };
        let body: Value = serde_json::from_str(&req.body()).expect("the body is JSON");
        assert_eq!(body["type"], i64::from(t.number()));
        assert_eq!(body["env"], env);
        assert_eq!(body["function_name"], name);
        let url = req.url(base, token);
        let query = url.split_once("?access_token=").map(|(_, q)| q).expect("the token is in the query");
        assert!(query.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b)));
    }
});
