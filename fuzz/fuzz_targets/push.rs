//! WeChat's pushes: any body and query, any ciphertext behind a valid signature, and any
//! plaintext sealed properly. No panic; every refusal is a push or argument error with a hint;
//! a sealed plaintext opens to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tcb_funcconfig::ErrorKind;
use tcb_funcconfig::push::{PushEvent, PushKeys, PushQuery, msg_signature, xml};

const TOKEN: &str = "fuzz-token";
const KEY: &str = "Vq8hJm3Kx0ZbTn5Wc7Yd9Fe1Gr4Hs6Ju2Lp0Mq3Nt5R";
const APPID: &str = "wx1234567890abcdef";
const NOW: i64 = 1_765_000_000;
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn query(timestamp: &str, nonce: &str, msg_signature: &str) -> PushQuery {
    PushQuery {
        timestamp: timestamp.into(),
        nonce: nonce.into(),
        msg_signature: msg_signature.into(),
        encrypt_type: "aes".into(),
    }
}

fn check<T>(r: Result<T, tcb_funcconfig::Error>) -> Option<T> {
    match r {
        Ok(v) => Some(v),
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::Push, "{e:?}");
            assert!(!e.hint().is_empty() && e.push_reason().is_some());
            None
        }
    }
}

fuzz_target!(|input: (&str, &str, &[u8], u8)| {
    let (text, timestamp, bytes, offset) = input;
    let Ok(keys) = PushKeys::new(TOKEN, KEY, APPID) else { return };

    // Any body and query.
    check(keys.open(&query(timestamp, text, text), text, NOW));
    check(xml::read_flat(text));
    check(PushEvent::from_xml(text));

    // Any ciphertext (Base64 of the fuzzer's choosing, within the alphabet), properly signed, so
    // that decryption, padding, length, appid and XML all see it.
    let encrypt: String = bytes.iter().map(|b| char::from(ALPHABET[usize::from(b % 64)])).collect();
    let ts = (NOW + i64::from(offset) - 128).to_string();
    let sig = msg_signature(TOKEN, &ts, "n", &encrypt);
    let body = format!("<xml><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>");
    check(keys.open(&query(&ts, "n", &sig), &body, NOW));

    // Any plaintext, sealed: it decrypts to itself, then is read or refused.
    let mut random = [0u8; 16];
    for (r, b) in random.iter_mut().zip(bytes) {
        *r = *b;
    }
    let sealed = keys.seal(text, &ts, "n", random);
    let q = query(&ts, "n", &sealed.msg_signature);
    assert_eq!(keys.open_xml(&q, &sealed.body, NOW).ok().as_deref(), Some(text));
    check(keys.open(&q, &sealed.body, NOW));
});
