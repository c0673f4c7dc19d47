//! `msg_signature`: the hex SHA-1 of the token, timestamp, nonce and `Encrypt`, sorted as byte
//! strings and joined without a separator.

use sha1::{Digest, Sha1};
use subtle::ConstantTimeEq;

/// The lowercase hex `msg_signature` WeChat computes for these four values.
pub fn msg_signature(token: &str, timestamp: &str, nonce: &str, encrypt: &str) -> String {
    let mut parts = [token, timestamp, nonce, encrypt];
    // Four items: an insertion sort is all it takes, without the general sort's code in the module.
    for i in 1..parts.len() {
        let mut j = i;
        while j > 0 && parts[j - 1] > parts[j] {
            parts.swap(j - 1, j);
            j -= 1;
        }
    }
    let mut sha = Sha1::new();
    for p in parts {
        sha.update(p.as_bytes());
    }
    hex(&sha.finalize())
}

/// Whether `given` is the signature of the four values. The comparison takes the same time
/// wherever the first difference is, so a forger learns nothing from timing; upper-case hex is
/// accepted as the same signature.
pub fn verify(token: &str, timestamp: &str, nonce: &str, encrypt: &str, given: &str) -> bool {
    let expected = msg_signature(token, timestamp, nonce, encrypt);
    let given = given.to_ascii_lowercase();
    bool::from(expected.as_bytes().ct_eq(given.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}
