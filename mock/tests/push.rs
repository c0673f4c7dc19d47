//! Encrypted pushes to a platform's event URL: on demand (`POST /__sim/push`), in the
//! background (settings `pushUrl`, `ticketPushSeconds`), recorded in `GET /__sim/pushes`.

mod common;

use common::*;
use serde_json::{json, Value};
use sha1::{Digest, Sha1};
use tcb_funcconfig::push::{PushInfo, PushKeys, PushQuery};

fn keys() -> PushKeys {
    PushKeys::new(MESSAGE_TOKEN, AES_KEY, COMPONENT_APPID).unwrap_or_else(|_| panic!("keys"))
}

fn sha1_hex(parts: &mut [String]) -> String {
    parts.sort();
    let digest = Sha1::digest(parts.concat().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks the push is WeChat's shape, signed with an independent SHA-1, and opens it.
fn open(r: &Received) -> PushInfo {
    let q = |k: &str| r.query(k).unwrap_or_else(|| panic!("no {k} in {}", r.target));
    assert_eq!(q("encrypt_type"), "aes");
    assert!(r.target.starts_with("/wechat/events?"), "{}", r.target);
    assert_eq!(r.headers.iter().find(|(n, _)| n == "content-type").map(|(_, v)| v.as_str()), Some("text/xml"));
    let prefix = format!("<xml><AppId><![CDATA[{COMPONENT_APPID}]]></AppId><Encrypt><![CDATA[");
    let encrypt = r
        .body
        .strip_prefix(&prefix)
        .and_then(|rest| rest.strip_suffix("]]></Encrypt></xml>"))
        .unwrap_or_else(|| panic!("envelope {}", r.body));
    let (timestamp, nonce) = (q("timestamp"), q("nonce"));
    let signature = sha1_hex(&mut [MESSAGE_TOKEN.to_string(), timestamp.clone(), nonce.clone()]);
    assert_eq!(q("signature"), signature);
    let msg_signature =
        sha1_hex(&mut [MESSAGE_TOKEN.to_string(), timestamp.clone(), nonce.clone(), encrypt.to_string()]);
    assert_eq!(q("msg_signature"), msg_signature);
    // AES-256-CBC over 32-byte padded text: whole 32-byte blocks.
    let padding = encrypt.bytes().rev().take_while(|b| *b == b'=').count();
    assert_eq!((encrypt.len() / 4 * 3 - padding) % 32, 0, "ciphertext length");
    let now: i64 = timestamp.parse().expect("timestamp");
    let query = PushQuery { timestamp, nonce, msg_signature, encrypt_type: "aes".into() };
    keys().open(&query, &r.body, now).unwrap_or_else(|e| panic!("open: {e:?}")).info
}

fn push(sim: &Sim, body: &str) -> Value {
    sim.control("/__sim/push", body)
}

#[test]
fn a_ticket_push_makes_its_ticket_the_current_one() {
    let sim = Sim::start_with(&[]);
    let rx = Receiver::start("success");
    let v = push(&sim, &format!(r#"{{"url":"{}","info_type":"component_verify_ticket"}}"#, rx.url()));
    assert_eq!(
        (v["status"].as_u64(), v["answer"].as_str(), v["success"].as_bool()),
        (Some(200), Some("success"), Some(true)),
        "{v}"
    );
    let got = rx.next(5).expect("a push");
    let PushInfo::ComponentVerifyTicket { ticket } = open(&got) else { panic!("not a ticket push") };
    assert!(sim.component_token_with(&ticket)["component_access_token"].is_string());
    assert_eq!(sim.component_token_with(TICKET)["errcode"], 61006, "the seeded ticket is replaced");

    let records = sim.control_get("/__sim/pushes");
    let list = records["pushes"].as_array().expect("list");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["info_type"], "component_verify_ticket");
    assert_eq!(list[0]["url"], rx.url());
    assert!(!records.to_string().contains(&ticket), "no ticket in the records");
    assert!(!sim.stderr().contains(&ticket), "no ticket in the log");
}

#[test]
fn authorization_pushes_carry_codes_and_withdrawals_take_effect() {
    let sim = Sim::start();
    let rx = Receiver::start("success");
    let url = rx.url();
    let v = push(&sim, &format!(r#"{{"url":"{url}","info_type":"authorized"}}"#));
    assert_eq!(v["authorizer_appid"], "wx-sim-new-0002");
    let PushInfo::Authorized(auth) = open(&rx.next(5).expect("push")) else { panic!("not authorized") };
    assert_eq!(auth.authorizer_appid, "wx-sim-new-0002");
    assert!(auth.pre_auth_code.is_some());
    let ct = sim.component_token();
    let body =
        format!(r#"{{"component_appid":"{COMPONENT_APPID}","authorization_code":"{}"}}"#, auth.authorization_code);
    let q = sim.component_call(QUERY_AUTH, &ct, &body);
    assert_eq!(q["authorization_info"]["authorizer_appid"], "wx-sim-new-0002", "{q}");

    push(&sim, &format!(r#"{{"url":"{url}","info_type":"updateauthorized","authorizer_appid":"{AUTHORIZER_APPID}"}}"#));
    let PushInfo::UpdateAuthorized(update) = open(&rx.next(5).expect("push")) else { panic!("not updateauthorized") };
    assert_eq!(update.authorizer_appid, AUTHORIZER_APPID);
    // Re-authorising hands out a new refresh token.
    assert_eq!(sim.authorizer_token(&ct, REFRESH0)["errcode"], 61023);

    push(&sim, &format!(r#"{{"url":"{url}","info_type":"unauthorized","authorizer_appid":"wx-sim-new-0002"}}"#));
    let PushInfo::Unauthorized { authorizer_appid } = open(&rx.next(5).expect("push")) else {
        panic!("not unauthorized")
    };
    assert_eq!(authorizer_appid, "wx-sim-new-0002");
    let token = q["authorization_info"]["authorizer_access_token"].as_str().expect("token");
    assert_eq!(sim.tcb(GETENVINFO, token, "{}")["errcode"], 40001);
    assert_eq!(sim.control_get("/__sim/pushes")["pushes"].as_array().map(Vec::len), Some(3));
}

#[test]
fn pushes_go_to_loopback_only_and_record_what_the_url_answered() {
    let sim = Sim::start();
    for body in [
        r#"{"url":"http://example.com/events","info_type":"component_verify_ticket"}"#,
        r#"{"url":"https://127.0.0.1/events","info_type":"component_verify_ticket"}"#,
        r#"{"url":"http://10.1.2.3/events","info_type":"component_verify_ticket"}"#,
        r#"{"url":"http://127.0.0.1:9/events","info_type":"news"}"#,
        r#"{"url":"http://127.0.0.1:9/events","info_type":"unauthorized"}"#,
        r#"{"info_type":"component_verify_ticket"}"#,
        "not json",
    ] {
        assert_eq!(sim.request("POST", "/__sim/push", body.as_bytes()).status, 400, "{body}");
    }
    let rx = Receiver::start("fail");
    let v = push(&sim, &format!(r#"{{"url":"{}","info_type":"component_verify_ticket"}}"#, rx.url()));
    assert_eq!((v["answer"].as_str(), v["success"].as_bool()), (Some("fail"), Some(false)));
    // Nobody listening: recorded with the error.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    let v = push(&sim, &format!(r#"{{"url":"http://127.0.0.1:{port}/x","info_type":"component_verify_ticket"}}"#));
    assert!(v["error"].is_string() && v["status"].is_null(), "{v}");
    assert_eq!(sim.control_get("/__sim/pushes")["pushes"][1]["seq"], 2);
    sim.control("/__sim/reset", "");
    assert_eq!(sim.control_get("/__sim/pushes"), json!({"pushes": []}));
}

#[test]
fn the_background_ticket_push_follows_the_settings() {
    let sim = Sim::start();
    let rx = Receiver::start("success");
    assert_eq!(sim.request("POST", "/__sim/settings", br#"{"pushUrl":"http://example.com/"}"#).status, 400);
    sim.control("/__sim/settings", &format!(r#"{{"pushUrl":"{}","ticketPushSeconds":600}}"#, rx.url()));
    let first = rx.next(5).expect("a push as soon as the URL is set");
    assert!(matches!(open(&first), PushInfo::ComponentVerifyTicket { .. }));
    assert!(rx.next(1).is_none(), "the next one waits 600 s");
    sim.advance(600);
    let PushInfo::ComponentVerifyTicket { ticket } = open(&rx.next(5).expect("a push after 600 s")) else {
        panic!("not a ticket")
    };
    assert!(sim.component_token_with(&ticket)["component_access_token"].is_string());
    sim.control("/__sim/settings", r#"{"pushUrl":null}"#);
    sim.advance(600);
    assert!(rx.next(1).is_none(), "no URL, no push");
    assert!(sim.control_get("/__sim/pushes")["pushes"].as_array().is_some_and(|p| p.len() == 2));
}
