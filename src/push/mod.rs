//! WeChat's encrypted pushes to a third-party platform's 授权事件接收URL (authorization event
//! URL): `component_verify_ticket` every 10 minutes, and `authorized`, `updateauthorized`,
//! `unauthorized` when a mini program grants, changes or withdraws its authorization.
//!
//! A push is a `POST` with the query `timestamp`, `nonce`, `encrypt_type=aes` and
//! `msg_signature`, and the body `<xml><AppId>…</AppId><Encrypt>…</Encrypt></xml>`. Opening it
//! ([`PushKeys::open`]) takes these steps, each refused with its own [`PushReason`]:
//! 1. read the envelope's `Encrypt` ([`xml`]);
//! 2. check `msg_signature`, the SHA-1 of the sorted token, timestamp, nonce and `Encrypt`, in
//!    constant time ([`signature`]);
//! 3. check that the timestamp is within [`FRESH_SECS`] of now;
//! 4. decrypt with AES-256-CBC under the EncodingAESKey, check the 32-byte PKCS#7 padding, the
//!    length of the XML and the platform's appid after it ([`cipher`]);
//! 5. read the event from the decrypted XML ([`event`]).
//!
//! Replay detection needs storage and is left to the caller (the Worker): the same push may
//! arrive again within the window.

pub mod cipher;
pub mod event;
pub mod signature;
#[cfg(test)]
mod tests;
pub mod xml;

pub use cipher::{KEY_CHARS, decode_key};
pub use event::{Authorization, PushEvent, PushInfo};
pub use signature::msg_signature;

use crate::Error;

/// How far (in seconds) a push's `timestamp` may be from now, either way.
pub const FRESH_SECS: i64 = 300;

/// Why a push was refused: the `reason` of an [`Error::Push`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PushReason {
    /// `encrypt_type` is not `aes`: a plaintext push, which this reader does not accept.
    NotEncrypted,
    /// `msg_signature` does not match the token, timestamp, nonce and `Encrypt`.
    BadSignature,
    /// `timestamp` is more than [`FRESH_SECS`] from now.
    Stale,
    /// `Encrypt` is not Base64.
    BadBase64,
    /// The ciphertext is empty or not whole AES blocks.
    BadCiphertext,
    /// The decrypted text does not end in 32-byte PKCS#7 padding.
    BadPadding,
    /// The length inside the decrypted text runs past its end.
    BadLength,
    /// The push is for another platform's appid.
    WrongAppid,
    /// The body or the decrypted XML is not the documented shape.
    Malformed,
}

impl PushReason {
    /// The stable name (`"bad_signature"`, `"stale"`…), the `reason` JavaScript callers see.
    pub fn code(self) -> &'static str {
        match self {
            PushReason::NotEncrypted => "not_encrypted",
            PushReason::BadSignature => "bad_signature",
            PushReason::Stale => "stale",
            PushReason::BadBase64 => "bad_base64",
            PushReason::BadCiphertext => "bad_ciphertext",
            PushReason::BadPadding => "bad_padding",
            PushReason::BadLength => "bad_length",
            PushReason::WrongAppid => "wrong_appid",
            PushReason::Malformed => "malformed",
        }
    }

    /// What to do about it, in one line.
    pub fn hint(self) -> &'static str {
        match self {
            PushReason::NotEncrypted => "set the platform's message encryption to secure mode (encrypt_type=aes)",
            PushReason::BadSignature => {
                "check the token against the platform's console; otherwise the request did not come from WeChat"
            }
            PushReason::Stale => "check the server clock; otherwise this is an old push sent again",
            PushReason::BadBase64 | PushReason::BadCiphertext | PushReason::Malformed => {
                "the request is not a push in WeChat's documented shape; it was not processed"
            }
            PushReason::BadPadding | PushReason::BadLength => {
                "check the EncodingAESKey against the platform's console: the push did not decrypt"
            }
            PushReason::WrongAppid => "check componentAppid: the push was encrypted for another platform",
        }
    }
}

/// The query WeChat puts on a push's URL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PushQuery {
    /// Unix seconds, as WeChat sent them.
    pub timestamp: String,
    /// A random string.
    pub nonce: String,
    /// The hex SHA-1 over token, timestamp, nonce and `Encrypt`.
    pub msg_signature: String,
    /// `aes` for an encrypted push.
    pub encrypt_type: String,
}

/// What opening a push needs: the platform's message token, its EncodingAESKey and its appid,
/// all from the platform's console. Deliberately not `Debug`: it holds the token and the key.
#[derive(Clone)]
pub struct PushKeys {
    token: String,
    key: [u8; 32],
    component_appid: String,
}

/// A push made by [`PushKeys::seal`]: its body and the query values that go with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedPush {
    /// `<xml><AppId>…</AppId><Encrypt>…</Encrypt></xml>`.
    pub body: String,
    /// The Base64 ciphertext in the body.
    pub encrypt: String,
    /// The signature for the query.
    pub msg_signature: String,
}

impl PushKeys {
    /// The keys of a platform; refuses an empty token or appid and a key that is not 43
    /// characters of Base64 (the text never names the key itself).
    pub fn new(token: &str, encoding_aes_key: &str, component_appid: &str) -> Result<PushKeys, Error> {
        if token.is_empty() {
            return Err(Error::invalid_argument("token", "is required (a non-empty string)"));
        }
        if component_appid.is_empty() {
            return Err(Error::invalid_argument("componentAppid", "is required (a non-empty string)"));
        }
        let key = decode_key(encoding_aes_key)?;
        Ok(PushKeys { token: token.to_string(), key, component_appid: component_appid.to_string() })
    }

    /// The platform's appid.
    pub fn component_appid(&self) -> &str {
        &self.component_appid
    }

    /// Verifies, decrypts and reads a push (`body` as received, `now` in Unix seconds).
    pub fn open(&self, query: &PushQuery, body: &str, now: i64) -> Result<PushEvent, Error> {
        let xml = self.open_xml(query, body, now)?;
        let event = PushEvent::from_xml(&xml)?;
        if event.app_id != self.component_appid {
            return Err(Error::push(PushReason::WrongAppid, "the event's AppId is not the platform's appid"));
        }
        Ok(event)
    }

    /// Verifies and decrypts a push, giving the decrypted XML without reading it.
    pub fn open_xml(&self, query: &PushQuery, body: &str, now: i64) -> Result<String, Error> {
        if query.encrypt_type != "aes" {
            return Err(Error::push(PushReason::NotEncrypted, "encrypt_type is not \"aes\""));
        }
        let envelope = xml::read_flat(body)?;
        let encrypt = envelope
            .get("Encrypt")
            .ok_or_else(|| Error::push(PushReason::Malformed, "the body has no Encrypt element"))?;
        if !signature::verify(&self.token, &query.timestamp, &query.nonce, encrypt, &query.msg_signature) {
            return Err(Error::push(PushReason::BadSignature, "msg_signature does not match"));
        }
        check_fresh(&query.timestamp, now)?;
        self.decrypt(encrypt)
    }

    /// Decrypts an `Encrypt` value and checks the platform's appid after the XML.
    pub fn decrypt(&self, encrypt: &str) -> Result<String, Error> {
        let (xml, appid) = cipher::decrypt(&self.key, encrypt)?;
        if appid != self.component_appid.as_bytes() {
            return Err(Error::push(PushReason::WrongAppid, "the ciphertext is for another appid"));
        }
        Ok(xml)
    }

    /// Encrypts `xml` as WeChat does, with the 16 bytes `random` in front (pass fresh random
    /// bytes; tests pass fixed ones).
    pub fn encrypt(&self, xml: &str, random: [u8; 16]) -> String {
        cipher::encrypt(&self.key, random, xml.as_bytes(), self.component_appid.as_bytes())
    }

    /// A whole push of `xml`, as WeChat would send it with this `timestamp` and `nonce`.
    pub fn seal(&self, xml: &str, timestamp: &str, nonce: &str, random: [u8; 16]) -> SealedPush {
        let encrypt = self.encrypt(xml, random);
        let msg_signature = msg_signature(&self.token, timestamp, nonce, &encrypt);
        let body = format!(
            "<xml><AppId><![CDATA[{}]]></AppId><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>",
            self.component_appid
        );
        SealedPush { body, encrypt, msg_signature }
    }
}

/// Refuses a `timestamp` that is not Unix seconds within [`FRESH_SECS`] of `now`.
pub fn check_fresh(timestamp: &str, now: i64) -> Result<(), Error> {
    let t = event::parse_number(timestamp)
        .ok_or_else(|| Error::push(PushReason::Malformed, "timestamp is not a number of seconds"))?;
    if t.abs_diff(now) > FRESH_SECS as u64 {
        return Err(Error::push(PushReason::Stale, "timestamp is more than 300 seconds from now"));
    }
    Ok(())
}
