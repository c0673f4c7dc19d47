//! The decoding pipeline natively, on fixtures shaped like the WeChat docs' own examples.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::result_large_err)]

use tcb_funcconfig::errcode;
use tcb_funcconfig::{
    Config, ConfigType, EnvVar, Error, ErrorKind, GetFuncConfig, decode_config, decode_envelope, decode_response,
};

fn req(t: ConfigType) -> GetFuncConfig {
    GetFuncConfig::new("test-777bb9", "openapi", t, ("env", "functionName")).unwrap()
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn decode(t: ConfigType, status: u16, body: &str) -> Result<Config, Error> {
    decode_response(&req(t), status, body).map(|c| c.config)
}

fn err(t: ConfigType, status: u16, body: &str) -> Error {
    decode(t, status, body).expect_err("should fail")
}

#[test]
fn the_documented_type_1_example() {
    let body = fixture("getfuncconfig-type1-doc.json");
    let c = decode_response(&req(ConfigType::CloudCall), 200, &body).unwrap();
    let Config::CloudCall(cc) = &c.config else { panic!("{c:?}") };
    assert_eq!(cc.openapi.len(), 8);
    assert_eq!(cc.openapi[1], "wxacode.getUnlimited");
    assert_eq!((c.env.as_str(), c.function_name.as_str()), ("test-777bb9", "openapi"));
    // raw is the exact `config` string: the envelope's value, parsed once.
    let envelope: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(c.raw, envelope["config"].as_str().unwrap());
}

#[test]
fn the_type_2_and_3_shapes() {
    let Config::TimerTrigger(t) = decode(ConfigType::TimerTrigger, 200, &fixture("getfuncconfig-type2.json")).unwrap()
    else {
        panic!()
    };
    assert_eq!(t.triggers.len(), 1);
    assert_eq!((t.triggers[0].name.as_str(), t.triggers[0].config.as_str()), ("myTrigger", "0 0 2 1 * * *"));
    let Config::Environment(e) = decode(ConfigType::Environment, 200, &fixture("getfuncconfig-type3.json")).unwrap()
    else {
        panic!()
    };
    assert_eq!(e.timeout, 5);
    assert_eq!(e.environment[1], EnvVar { key: "API_KEY".into(), value: "sk-live-123".into() });
}

#[test]
fn not_configured_is_an_api_error() {
    let e = err(ConfigType::CloudCall, 200, &fixture("getfuncconfig-85089.json"));
    assert_eq!(e.kind(), ErrorKind::Api);
    assert_eq!(e.errcode(), Some(85089));
    assert!(e.errmsg().unwrap().starts_with("config not found"));
    assert!(!e.retryable());
}

#[test]
fn every_errcode_in_the_spec_becomes_an_api_error_with_its_hint() {
    for &code in errcode::KNOWN {
        let body = format!(r#"{{"errcode":{code},"errmsg":"m{code}"}}"#);
        let e = err(ConfigType::Environment, 200, &body);
        let info = errcode::lookup(code);
        assert_eq!(e.kind(), ErrorKind::Api, "{code}");
        assert_eq!(e.errcode(), Some(code));
        assert_eq!(e.errmsg(), Some(format!("m{code}").as_str()));
        assert_eq!(e.hint(), info.hint);
        assert_eq!(e.retryable(), info.retryable);
        assert!(e.message().contains(&code.to_string()));
    }
}

#[test]
fn errcode_is_read_tolerantly() {
    assert_eq!(err(ConfigType::CloudCall, 200, r#"{"errcode":"40014"}"#).errcode(), Some(40014));
    assert_eq!(err(ConfigType::CloudCall, 200, r#"{"errcode":-1.0,"errmsg":"busy"}"#).errcode(), Some(-1));
    let e = err(ConfigType::CloudCall, 200, r#"{"errcode":45009,"errmsg":7}"#);
    assert_eq!((e.errcode(), e.errmsg()), (Some(45009), None));
    for bad in
        [r#"{"errcode":"x"}"#, r#"{"errcode":1.5}"#, r#"{"errcode":true}"#, r#"{"errmsg":"ok"}"#, r#"{"errcode":null}"#]
    {
        assert_eq!(err(ConfigType::CloudCall, 200, bad).kind(), ErrorKind::Decode, "{bad}");
    }
}

#[test]
fn http_status_comes_before_the_body() {
    let e = err(ConfigType::CloudCall, 502, "<html>Bad Gateway</html>");
    assert_eq!((e.kind(), e.http_status(), e.retryable()), (ErrorKind::Http, Some(502), true));
    let e = err(ConfigType::CloudCall, 429, "{}");
    assert!(e.retryable());
    let e = err(ConfigType::CloudCall, 403, &fixture("getfuncconfig-type1-doc.json"));
    assert_eq!((e.kind(), e.retryable()), (ErrorKind::Http, false));
}

#[test]
fn bodies_that_are_not_the_envelope_are_decode_errors_with_raw() {
    for body in ["", "   ", "<html>oops</html>", "[1,2]", "\"ok\"", "{\"errcode\":0", "null"] {
        let e = err(ConfigType::CloudCall, 200, body);
        assert_eq!(e.kind(), ErrorKind::Decode, "{body:?}");
        assert_eq!(e.raw(), Some(body));
        assert!(!e.retryable());
    }
}

#[test]
fn config_missing_or_of_the_wrong_type() {
    for body in [
        r#"{"errcode":0,"errmsg":"ok"}"#,
        r#"{"errcode":0,"config":null}"#,
        r#"{"errcode":0,"config":42}"#,
        r#"{"errcode":0,"config":{"timeout":3}}"#,
        r#"{"errcode":0,"config":["x"]}"#,
    ] {
        let e = err(ConfigType::Environment, 200, body);
        assert_eq!(e.kind(), ErrorKind::Decode, "{body}");
        assert_eq!(e.raw(), Some(body), "the body is kept when the envelope is wrong");
    }
}

#[test]
fn a_config_that_does_not_decode_keeps_the_config_text() {
    for (t, config) in [
        (ConfigType::CloudCall, "{permissions"),
        (ConfigType::CloudCall, r#"{"permissions":{"openapi":"wxacode.get"}}"#),
        (ConfigType::TimerTrigger, r#"{"triggers":[{"name":"t"}]}"#),
        (ConfigType::Environment, r#"{"timeout":"5"}"#),
        (ConfigType::Environment, "[]"),
        (ConfigType::Environment, ""),
    ] {
        let e = decode_config(&req(t), config.to_string()).expect_err(config);
        assert_eq!(e.kind(), ErrorKind::Decode, "{config}");
        assert_eq!(e.raw(), Some(config));
        assert!(e.message().contains(t.name()), "{}", e.message());
    }
}

#[test]
fn a_config_encoded_twice_is_unwrapped_once() {
    let raw = r#""{\"timeout\":9}""#.to_string();
    let c = decode_config(&req(ConfigType::Environment), raw.clone()).unwrap();
    assert_eq!(c.raw, raw);
    assert!(matches!(c.config, Config::Environment(ref e) if e.timeout == 9));
    // Three levels deep is not the documented shape.
    let thrice = serde_json::to_string(&raw).unwrap();
    assert!(decode_config(&req(ConfigType::Environment), thrice).is_err());
}

#[test]
fn envelope_ignores_unknown_fields() {
    let raw = decode_envelope(200, r#"{"extra":{"a":[1]},"errcode":0,"errmsg":"ok","config":"{}","x":null}"#).unwrap();
    assert_eq!(raw, "{}");
}

#[test]
fn type_and_kind_match_for_every_type() {
    let bodies = [r#"{}"#, r#"{}"#, r#"{}"#];
    for (t, config) in ConfigType::ALL.into_iter().zip(bodies) {
        let c = decode_config(&req(t), config.to_string()).unwrap();
        assert_eq!(c.config.config_type(), t);
    }
}

#[test]
fn no_input_panics_the_decoders() {
    // A small deterministic sweep of mangled bodies: every prefix and a byte-flipped variant of
    // each fixture, for every type. Decoding returns Ok or Err; it never panics.
    let fixtures = [
        "getfuncconfig-type1-doc.json",
        "getfuncconfig-type2.json",
        "getfuncconfig-type3.json",
        "getfuncconfig-85089.json",
    ];
    for name in fixtures {
        let body = fixture(name);
        let bytes = body.as_bytes();
        for cut in 0..bytes.len() {
            let mut flipped = bytes.to_vec();
            flipped[cut] ^= 0x20;
            for candidate in [&bytes[..cut], &flipped[..]] {
                let text = String::from_utf8_lossy(candidate);
                for t in ConfigType::ALL {
                    let _ = decode(t, 200, &text);
                }
            }
        }
    }
}
