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
    for_each_mangled(&fixtures, |text| {
        for t in ConfigType::ALL {
            let _ = decode(t, 200, text);
        }
    });
}

/// Calls `f` with every prefix and a byte-flipped variant (one byte XOR 0x20) of each fixture.
fn for_each_mangled(fixtures: &[&str], mut f: impl FnMut(&str)) {
    for name in fixtures {
        let body = fixture(name);
        let bytes = body.as_bytes();
        for cut in 0..bytes.len() {
            let mut flipped = bytes.to_vec();
            flipped[cut] ^= 0x20;
            for candidate in [&bytes[..cut], &flipped[..]] {
                f(&String::from_utf8_lossy(candidate));
            }
        }
    }
}

#[test]
fn the_documented_getenvinfo_example() {
    use tcb_funcconfig::envinfo::decode_env_info;
    let l = decode_env_info(200, &fixture("getenvinfo-doc.json")).unwrap();
    assert_eq!(l.environments.len(), 1);
    let e = &l.environments[0];
    assert_eq!(
        (e.env.as_str(), e.alias.as_deref(), e.status.as_deref()),
        ("test2-4a89da", Some("test2"), Some("NORMAL"))
    );
    assert_eq!(
        (e.create_time.as_deref(), e.update_time.as_deref()),
        (Some("2019-04-04 14:10:28"), Some("2019-04-04 14:10:36"))
    );
    assert_eq!((e.package_id.as_deref(), e.package_name.as_deref()), (Some("basic"), Some("基础版 1")));
}

#[test]
fn the_documented_platform_examples() {
    use tcb_funcconfig::platform::*;
    let p = decode_pre_auth_code(200, &fixture("api_create_preauthcode-doc.json")).unwrap();
    assert!(p.pre_auth_code.starts_with("preauthcode@@@"));
    assert_eq!(p.expires_in, Some(1800));

    let a = decode_query_auth(200, &fixture("api_query_auth-doc.json")).unwrap();
    assert_eq!(a.authorizer_appid, "wxf8b4f85f3a794e77");
    assert_eq!(a.expires_in, Some(7200));
    assert_eq!(a.authorizer_refresh_token.as_deref(), Some("dTo-YCXPL4llX-u1W1pPpnp8Hgm4wpJtlR6iV0doKdY"));
    assert!(a.authorizer_access_token.is_some_and(|t| t.starts_with("QXjUqNqf")));
    assert_eq!(a.func_info, [1, 2, 3]);

    let i = decode_authorizer_info(200, &fixture("api_get_authorizer_info-doc.json")).unwrap();
    assert_eq!(i.nick_name.as_deref(), Some("微信SDK Demo Special"));
    assert_eq!(i.user_name.as_deref(), Some("gh_eb5e3a772040"));
    assert_eq!(i.principal_name.as_deref(), Some("腾讯计算机系统有限公司"));
    assert_eq!((i.service_type, i.verify_type, i.is_mini_program), (Some(2), Some(0), true));
    assert_eq!(i.authorizer_appid.as_deref(), Some("wxf8b4f85f3a794e77"));
    assert!(i.func_info.contains(&49), "cloud development management is granted");

    let l = decode_authorizer_list(200, &fixture("api_get_authorizer_list-doc.json")).unwrap();
    assert_eq!(l.total_count, 33);
    assert_eq!(l.list.len(), 2);
    assert_eq!(l.list[1].authorizer_appid, "authorizer_appid_2");
    assert_eq!((l.list[0].refresh_token.as_deref(), l.list[0].auth_time), (Some("refresh_token_1"), Some(1558000607)));
}

#[test]
fn every_platform_errcode_in_the_spec_becomes_an_api_error_with_its_hint() {
    use tcb_funcconfig::envinfo::decode_env_info;
    use tcb_funcconfig::platform::*;
    let generic = errcode::lookup(99_999_999).hint;
    for &code in errcode::PLATFORM {
        let body = format!(r#"{{"errcode":{code},"errmsg":"m{code}"}}"#);
        let errors = [
            decode_env_info(200, &body).err(),
            decode_pre_auth_code(200, &body).err(),
            decode_query_auth(200, &body).err(),
            decode_authorizer_info(200, &body).err(),
            decode_authorizer_list(200, &body).err(),
        ];
        for e in errors {
            let e = e.expect("an errcode is an error");
            assert_eq!((e.kind(), e.errcode()), (ErrorKind::Api, Some(code)));
            assert_eq!(e.errmsg(), Some(format!("m{code}").as_str()));
            assert_eq!(e.hint(), errcode::lookup(code).hint);
            assert_ne!(e.hint(), generic, "{code} has its own hint");
            assert!(!e.retryable(), "{code}");
        }
    }
}

#[test]
fn no_input_panics_the_platform_decoders() {
    use tcb_funcconfig::envinfo::decode_env_info;
    use tcb_funcconfig::platform::*;
    let fixtures = [
        "getenvinfo-doc.json",
        "api_create_preauthcode-doc.json",
        "api_query_auth-doc.json",
        "api_get_authorizer_info-doc.json",
        "api_get_authorizer_list-doc.json",
    ];
    for_each_mangled(&fixtures, |text| {
        let _ = decode_env_info(200, text);
        let _ = decode_pre_auth_code(200, text);
        let _ = decode_query_auth(200, text);
        let _ = decode_authorizer_info(200, text);
        let _ = decode_authorizer_list(200, text);
    });
}
