//! Tests of the push reader: WeChat's own sample vectors, vectors made with openssl and sha1sum
//! (tests/fixtures/push-vectors.sh), every refusal, and arbitrary input.

use proptest::prelude::*;
use serde_json::Value;

use super::xml::read_flat;
use super::*;
use crate::ErrorKind;

const SAMPLES: &str = include_str!("../../tests/fixtures/push-wechat-samples.json");
const VECTORS: &str = include_str!("../../tests/fixtures/push-vectors.json");

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_else(|| panic!("{key} missing"))
}

fn body(encrypt: &str) -> String {
    format!("<xml><AppId><![CDATA[wx1234567890abcdef]]></AppId><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>")
}

fn query(timestamp: &str, nonce: &str, msg_signature: &str) -> PushQuery {
    PushQuery {
        timestamp: timestamp.into(),
        nonce: nonce.into(),
        msg_signature: msg_signature.into(),
        encrypt_type: "aes".into(),
    }
}

fn reason(r: Result<impl std::fmt::Debug, Error>) -> &'static str {
    let e = r.expect_err("expected a refusal");
    assert_eq!(e.kind(), ErrorKind::Push, "{e:?}");
    assert!(!e.hint().is_empty());
    e.push_reason().unwrap().code()
}

/// Keys and a fresh query for sealed pushes in these tests.
const TOKEN: &str = "tok-3x9";
const KEY: &str = "Vq8hJm3Kx0ZbTn5Wc7Yd9Fe1Gr4Hs6Ju2Lp0Mq3Nt5R";
const APPID: &str = "wx1234567890abcdef";
const NOW: i64 = 1_765_000_000;

fn keys() -> PushKeys {
    PushKeys::new(TOKEN, KEY, APPID).unwrap()
}

fn sealed(xml: &str, timestamp: &str) -> (PushQuery, String) {
    let p = keys().seal(xml, timestamp, "n0nce", [7; 16]);
    (query(timestamp, "n0nce", &p.msg_signature), p.body)
}

fn ticket_xml(app_id: &str) -> String {
    format!(
        "<xml><AppId><![CDATA[{app_id}]]></AppId><CreateTime>{NOW}</CreateTime>\
         <InfoType><![CDATA[component_verify_ticket]]></InfoType>\
         <ComponentVerifyTicket><![CDATA[ticket@@@SECRET-T]]></ComponentVerifyTicket></xml>"
    )
}

#[test]
fn wechat_sample_pushes_verify_and_decrypt() {
    let samples = json(SAMPLES);
    let list = samples["decrypt"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    for v in list {
        let (token, ts, nonce, sig, enc) =
            (s(v, "token"), s(v, "timestamp"), s(v, "nonce"), s(v, "msg_signature"), s(v, "encrypt"));
        assert_eq!(msg_signature(token, ts, nonce, enc), sig, "{}", s(v, "name"));
        let keys = PushKeys::new(token, s(v, "encoding_aes_key"), s(v, "appid")).unwrap();
        let now = event::parse_number(ts).unwrap();
        let body = format!("<xml><ToUserName><![CDATA[x]]></ToUserName><Encrypt><![CDATA[{enc}]]></Encrypt></xml>");
        let xml = keys.open_xml(&query(ts, nonce, sig), &body, now).unwrap();
        assert_eq!(xml.len() as u64, v["xml_length"].as_u64().unwrap());
        let fields = read_flat(&xml).unwrap();
        let expected = v["fields"].as_object().unwrap();
        assert_eq!(fields.iter().count(), expected.len());
        for (name, value) in fields.iter() {
            assert_eq!(Some(value), expected[name].as_str(), "{name}");
        }
        // A message, not a platform event: it has no InfoType.
        assert_eq!(reason(PushEvent::from_xml(&xml)), "malformed");
        // The same push for another appid, or under another token, is refused.
        let other = PushKeys::new(token, s(v, "encoding_aes_key"), "wx0000000000000000").unwrap();
        assert_eq!(reason(other.open_xml(&query(ts, nonce, sig), &body, now)), "wrong_appid");
        let forged = PushKeys::new("another-token", s(v, "encoding_aes_key"), s(v, "appid")).unwrap();
        assert_eq!(reason(forged.open_xml(&query(ts, nonce, sig), &body, now)), "bad_signature");
    }
}

#[test]
fn encryption_matches_wechat_java_sample() {
    let samples = json(SAMPLES);
    let list = samples["encrypt"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    for v in list {
        let keys = PushKeys::new("unused", s(v, "encoding_aes_key"), s(v, "appid")).unwrap();
        let random: [u8; 16] = s(v, "random").as_bytes().try_into().unwrap();
        assert_eq!(keys.encrypt(s(v, "text"), random), s(v, "encrypt"), "{}", s(v, "name"));
        assert_eq!(keys.decrypt(s(v, "encrypt")).unwrap(), s(v, "text"));
    }
}

#[test]
fn openssl_vectors_open_or_are_refused_as_expected() {
    let f = json(VECTORS);
    let keys = PushKeys::new(s(&f, "token"), s(&f, "encoding_aes_key"), s(&f, "component_appid")).unwrap();
    let (ts, nonce) = (s(&f, "timestamp"), s(&f, "nonce"));
    let now = event::parse_number(ts).unwrap();
    let vectors = f["vectors"].as_array().unwrap();
    assert!(vectors.len() >= 19);
    let mut seen_reasons = Vec::new();
    for v in vectors {
        let name = s(v, "name");
        let got = keys.open(&query(ts, nonce, s(v, "msg_signature")), &body(s(v, "encrypt")), now);
        let expect = &v["expect"];
        if let Some(r) = expect.get("reason") {
            assert_eq!(reason(got), r.as_str().unwrap(), "{name}");
            seen_reasons.push(r.as_str().unwrap().to_string());
            continue;
        }
        let e = got.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(e.app_id, s(&f, "component_appid"), "{name}");
        assert_eq!(e.create_time, now, "{name}");
        assert_eq!(e.info.info_type(), s(expect, "info_type"), "{name}");
        match &e.info {
            PushInfo::ComponentVerifyTicket { ticket } => assert_eq!(ticket, s(expect, "component_verify_ticket")),
            PushInfo::Authorized(a) | PushInfo::UpdateAuthorized(a) => {
                assert_eq!(a.authorizer_appid, s(expect, "authorizer_appid"));
                assert_eq!(a.authorization_code, s(expect, "authorization_code"));
                assert_eq!(
                    a.authorization_code_expired_time,
                    expect["authorization_code_expired_time"].as_i64().unwrap()
                );
                assert_eq!(a.pre_auth_code.as_deref(), Some(s(expect, "pre_auth_code")));
            }
            PushInfo::Unauthorized { authorizer_appid } => {
                assert_eq!(authorizer_appid, s(expect, "authorizer_appid"))
            }
            PushInfo::Other { info_type } => assert_eq!(info_type, "some_later_info_type"),
        }
    }
    for r in ["bad_padding", "bad_length", "wrong_appid", "malformed", "bad_ciphertext", "bad_base64", "bad_signature"]
    {
        assert!(seen_reasons.iter().any(|x| x == r), "no vector refused with {r}");
    }
}

#[test]
fn sealing_is_what_the_openssl_vectors_decrypt_to() {
    // The crate's encryptor, checked against the independent vectors: same keys and random
    // bytes give the same ciphertext.
    let f = json(VECTORS);
    let keys = PushKeys::new(s(&f, "token"), s(&f, "encoding_aes_key"), s(&f, "component_appid")).unwrap();
    let random: [u8; 16] = (0..16)
        .map(|i| u8::from_str_radix(&s(&f, "random_hex")[2 * i..2 * i + 2], 16).unwrap())
        .collect::<Vec<_>>()
        .try_into()
        .unwrap();
    let ticket = &f["vectors"][0];
    assert_eq!(s(ticket, "name"), "ticket");
    let xml = keys.decrypt(s(ticket, "encrypt")).unwrap();
    let p = keys.seal(&xml, s(&f, "timestamp"), s(&f, "nonce"), random);
    assert_eq!(p.encrypt, s(ticket, "encrypt"));
    assert_eq!(p.msg_signature, s(ticket, "msg_signature"));
}

#[test]
fn a_push_is_fresh_for_300_seconds_either_way() {
    let xml = ticket_xml(APPID);
    for (ts, ok) in [(NOW, true), (NOW - 300, true), (NOW + 300, true), (NOW - 301, false), (NOW + 301, false)] {
        let (q, b) = sealed(&xml, &ts.to_string());
        let got = keys().open(&q, &b, NOW);
        if ok {
            assert!(got.is_ok(), "{ts}: {got:?}");
        } else {
            assert_eq!(reason(got), "stale", "{ts}");
        }
    }
    for ts in ["", "-1765000000", "+1765000000", "1765000000.5", " 1765000000", "99999999999999999999"] {
        let (q, b) = sealed(&xml, ts);
        assert_eq!(reason(keys().open(&q, &b, NOW)), "malformed", "{ts:?}");
    }
}

#[test]
fn the_envelope_and_the_query_are_checked() {
    let (q, b) = sealed(&ticket_xml(APPID), &NOW.to_string());
    assert!(keys().open(&q, &b, NOW).is_ok());
    let mut raw = q.clone();
    raw.encrypt_type = "raw".into();
    assert_eq!(reason(keys().open(&raw, &b, NOW)), "not_encrypted");
    assert_eq!(reason(keys().open(&q, "<xml><AppId>wx1234567890abcdef</AppId></xml>", NOW)), "malformed");
    assert_eq!(reason(keys().open(&q, "{\"Encrypt\": \"x\"}", NOW)), "malformed");
    assert_eq!(reason(keys().open(&q, "", NOW)), "malformed");
    // Upper-case hex is the same signature; a signature of another length is not.
    let mut upper = q.clone();
    upper.msg_signature = q.msg_signature.to_ascii_uppercase();
    assert!(keys().open(&upper, &b, NOW).is_ok());
    for bad in ["", "12345", &q.msg_signature[..39], &format!("{}0", q.msg_signature)] {
        let mut forged = q.clone();
        forged.msg_signature = bad.into();
        assert_eq!(reason(keys().open(&forged, &b, NOW)), "bad_signature", "{bad:?}");
    }
    // Another nonce or timestamp than the signed ones.
    let mut moved = q.clone();
    moved.nonce = "other".into();
    assert_eq!(reason(keys().open(&moved, &b, NOW)), "bad_signature");
}

#[test]
fn the_event_must_be_the_platforms_own() {
    let (q, b) = sealed(&ticket_xml("wx_someone_else"), &NOW.to_string());
    assert_eq!(reason(keys().open(&q, &b, NOW)), "wrong_appid");
}

#[test]
fn a_push_of_another_info_type_with_nested_elements_opens_as_that_info_type() {
    let xml = format!(
        "<xml><AppId>{APPID}</AppId><CreateTime>{NOW}</CreateTime><InfoType>notify_third_fasteregister</InfoType>\
         <appid>wxn</appid><status>0</status><auth_code>c</auth_code><msg>OK</msg>\
         <info><name><![CDATA[n]]></name><code><![CDATA[c]]></code><legal_persona_wechat>w</legal_persona_wechat></info></xml>"
    );
    let (q, body) = sealed(&xml, &NOW.to_string());
    let event = keys().open(&q, &body, NOW).unwrap();
    assert_eq!(event.info, PushInfo::Other { info_type: "notify_third_fasteregister".to_string() });
}

#[test]
fn events_need_their_documented_fields() {
    let head = |t: &str| format!("<xml><AppId>{APPID}</AppId><CreateTime>{NOW}</CreateTime><InfoType>{t}</InfoType>");
    let cases = [
        (head("component_verify_ticket") + "</xml>", "ComponentVerifyTicket"),
        (
            head("component_verify_ticket") + "<ComponentVerifyTicket></ComponentVerifyTicket></xml>",
            "ComponentVerifyTicket",
        ),
        (
            head("authorized") + "<AuthorizerAppid>wxa</AuthorizerAppid><AuthorizationCode>c</AuthorizationCode></xml>",
            "AuthorizationCodeExpiredTime",
        ),
        (
            head("authorized")
                + "<AuthorizerAppid>wxa</AuthorizerAppid><AuthorizationCode>c</AuthorizationCode><AuthorizationCodeExpiredTime>soon</AuthorizationCodeExpiredTime></xml>",
            "AuthorizationCodeExpiredTime",
        ),
        (
            head("updateauthorized")
                + "<AuthorizationCode>c</AuthorizationCode><AuthorizationCodeExpiredTime>1</AuthorizationCodeExpiredTime></xml>",
            "AuthorizerAppid",
        ),
        (head("unauthorized") + "</xml>", "AuthorizerAppid"),
        (format!("<xml><AppId>{APPID}</AppId><CreateTime>{NOW}</CreateTime></xml>"), "InfoType"),
        (format!("<xml><AppId>{APPID}</AppId><InfoType>unauthorized</InfoType></xml>"), "CreateTime"),
        (format!("<xml><CreateTime>{NOW}</CreateTime><InfoType>unauthorized</InfoType></xml>"), "AppId"),
    ];
    for (xml, field) in cases {
        let e = PushEvent::from_xml(&xml).unwrap_err();
        assert_eq!(e.push_reason(), Some(PushReason::Malformed), "{xml}");
        assert!(e.message().contains(field), "{xml}: {}", e.message());
    }
    // PreAuthCode is optional; an unknown InfoType is kept as data.
    let e = PushEvent::from_xml(&(head("authorized") + "<AuthorizerAppid>wxa</AuthorizerAppid><AuthorizationCode>c</AuthorizationCode><AuthorizationCodeExpiredTime>7</AuthorizationCodeExpiredTime></xml>")).unwrap();
    assert_eq!(
        e.info,
        PushInfo::Authorized(Authorization {
            authorizer_appid: "wxa".into(),
            authorization_code: "c".into(),
            authorization_code_expired_time: 7,
            pre_auth_code: None
        })
    );
    let e = PushEvent::from_xml(&(head("notify_third_fasteregister") + "</xml>")).unwrap();
    assert_eq!(e.info, PushInfo::Other { info_type: "notify_third_fasteregister".into() });
}

#[test]
fn the_xml_reader_takes_flat_text_elements_only() {
    let f = read_flat(" \n<xml>\n <A><![CDATA[a <b> & ]]]]></A>\t<B>1 &lt;2&gt; &amp;&quot;&apos;</B><C></C><D_2><![CDATA[]]></D_2></xml>\n")
        .unwrap();
    let all: Vec<_> = f.iter().collect();
    assert_eq!(all, [("A", "a <b> & ]]"), ("B", "1 <2> &\"'"), ("C", ""), ("D_2", "")]);
    assert_eq!(read_flat("<xml></xml>").unwrap().iter().count(), 0);
    // An element holding elements is checked and left out; the flat ones around it are read.
    let f =
        read_flat("<xml><A>1</A><info>\n <name><![CDATA[n]]></name><code>2</code><x><y>3</y></x></info><B>2</B></xml>")
            .unwrap();
    assert_eq!(f.iter().collect::<Vec<_>>(), [("A", "1"), ("B", "2")]);
    assert_eq!(
        read_flat("<xml><A><B><C><D>1</D></C></B></A></xml>").unwrap().iter().count(),
        0,
        "four levels are read"
    );
    let refused = [
        "<xml><A><B><C><D><E>1</E></D></C></B></A></xml>",
        "<xml><A><B>1</B></xml>",
        "<xml><A><B>1</B>text</A></xml>",
        "<xml><A><B>1</C></A></xml>",
        "",
        "xml",
        "<?xml version=\"1.0\"?><xml></xml>",
        "<XML></XML>",
        "<xml a=\"1\"></xml>",
        "<xml><A>1</A>",
        "<xml><A>1</A></xml>trailing",
        "<xml><A>1</A></xml><xml></xml>",
        "<xml><A>1</A><A>2</A></xml>",
        "<xml><A>1</B></xml>",
        "<xml><A>1</A ></xml>",
        "<xml><A x=\"1\">1</A></xml>",
        "<xml><A/></xml>",
        "<xml><A>1",
        "<xml><A><![CDATA[1</A></xml>",
        "<xml><A><![CDATA[1]]>2</A></xml>",
        "<xml><A> <![CDATA[1]]></A></xml>",
        "<xml>text<A>1</A></xml>",
        "<xml><!-- c --><A>1</A></xml>",
        "<xml><A>&nbsp;</A></xml>",
        "<xml><A>&amp</A></xml>",
        "<xml><1A>1</1A></xml>",
        "<xml><A>1</A>",
        "<xml><A",
        "<xml></A></xml>",
    ];
    for text in refused {
        let e = read_flat(text).unwrap_err();
        assert_eq!(e.push_reason(), Some(PushReason::Malformed), "{text:?}");
    }
}

#[test]
fn keys_are_validated_without_showing_them() {
    for bad in ["", "abc", &KEY[..42], &format!("{KEY}A"), &format!("{}+", &KEY[..42]), &format!("{}=", &KEY[..42])] {
        let e = PushKeys::new(TOKEN, bad, APPID).err().unwrap();
        assert_eq!(e.code(), "invalid_argument");
        assert!(e.message().starts_with("encodingAesKey "), "{}", e.message());
        assert!(bad.is_empty() || !e.to_string().contains(bad));
    }
    assert_eq!(PushKeys::new("", KEY, APPID).err().unwrap().message(), "token is required (a non-empty string)");
    assert!(PushKeys::new(TOKEN, KEY, "").err().unwrap().message().starts_with("componentAppid "));
    // The last character's two low bits are not part of the key.
    let a = PushKeys::new(TOKEN, "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", APPID).unwrap();
    let b = PushKeys::new(TOKEN, "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFE", APPID).unwrap();
    assert_eq!(a.key, b.key);
}

#[test]
fn no_refusal_shows_a_secret() {
    let secrets = [TOKEN, KEY, "SECRET-T", "ticket@@@"];
    let xml = ticket_xml(APPID);
    let (q, b) = sealed(&xml, &NOW.to_string());
    let mut errors = vec![
        keys().open(&q, &b, NOW + 1000).unwrap_err(),
        PushKeys::new("x", KEY, APPID).unwrap().open(&q, &b, NOW).unwrap_err(),
        PushKeys::new(TOKEN, KEY, "wx_other").unwrap().open(&q, &b, NOW).unwrap_err(),
        PushEvent::from_xml("<xml><ComponentVerifyTicket>ticket@@@SECRET-T</ComponentVerifyTicket><X><Y>").unwrap_err(),
        PushEvent::from_xml("<xml><InfoType>component_verify_ticket</InfoType><ComponentVerifyTicket>ticket@@@SECRET-T</ComponentVerifyTicket></xml>").unwrap_err(),
    ];
    let f = json(VECTORS);
    let vkeys = PushKeys::new(s(&f, "token"), s(&f, "encoding_aes_key"), s(&f, "component_appid")).unwrap();
    for v in f["vectors"].as_array().unwrap() {
        let got = vkeys.open(
            &query(s(&f, "timestamp"), s(&f, "nonce"), s(v, "msg_signature")),
            &body(s(v, "encrypt")),
            event::parse_number(s(&f, "timestamp")).unwrap(),
        );
        if let Err(e) = got {
            errors.push(e);
        }
    }
    assert!(errors.len() > 15);
    for e in errors {
        let text = format!("{e} {e:?}");
        for secret in secrets.iter().chain([&s(&f, "token"), &s(&f, "encoding_aes_key")]) {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert!(!text.contains("this is not xml"), "plaintext in {text}");
    }
}

proptest! {
    #[test]
    fn arbitrary_input_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..400), text in "(?s).{0,200}") {
        let k = keys();
        let lossy = String::from_utf8_lossy(&bytes).into_owned();
        for t in [&lossy, &text] {
            let _ = read_flat(t);
            let _ = PushEvent::from_xml(t);
            let _ = k.decrypt(t);
            let _ = check_fresh(t, NOW);
            let _ = decode_key(t);
            let _ = k.open(&query(t, t, t), t, NOW);
        }
        // Arbitrary ciphertext bytes, Base64-encoded, properly signed: every stage after the
        // signature sees them.
        use base64::Engine;
        let enc = base64::engine::general_purpose::STANDARD.encode(&bytes);
        let ts = NOW.to_string();
        let q = query(&ts, "n", &msg_signature(TOKEN, &ts, "n", &enc));
        let _ = k.open(&q, &body(&enc), NOW);
        // Arbitrary plaintexts, sealed properly: the reader sees them.
        let p = k.seal(&lossy, &ts, "n", [1; 16]);
        let q = query(&ts, "n", &p.msg_signature);
        prop_assert_eq!(k.open_xml(&q, &p.body, NOW).ok(), Some(lossy.clone()));
        let _ = k.open(&q, &p.body, NOW);
    }

    #[test]
    fn sealed_tickets_open_to_themselves(ticket in "[!-~&&[^<&\\]]]{1,80}", create in 0i64..4_000_000_000) {
        let xml = format!("<xml><AppId><![CDATA[{APPID}]]></AppId><CreateTime>{create}</CreateTime><InfoType><![CDATA[component_verify_ticket]]></InfoType><ComponentVerifyTicket><![CDATA[{ticket}]]></ComponentVerifyTicket></xml>");
        let (q, b) = sealed(&xml, &NOW.to_string());
        let e = keys().open(&q, &b, NOW).unwrap();
        prop_assert_eq!(e.create_time, create);
        prop_assert_eq!(e.info, PushInfo::ComponentVerifyTicket { ticket });
    }
}
