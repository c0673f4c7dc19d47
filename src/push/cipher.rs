//! The message cipher of WeChat's pushes.
//!
//! - key: Base64-decode(EncodingAESKey + "="): 43 characters give 32 bytes (the last
//!   character's two low bits are dropped, as WeChat's own sample code does);
//! - AES-256-CBC, IV = the key's first 16 bytes;
//! - PKCS#7 padding to a multiple of **32** bytes (pad values 1 to 32);
//! - plaintext = 16 random bytes ‖ 4-byte big-endian length L ‖ L bytes of XML ‖ appid.

use aes::Aes256;
use aes::cipher::array::Array;
use aes::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
use base64::Engine;
use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};

use super::PushReason;
use crate::Error;

/// The length of an EncodingAESKey.
pub const KEY_CHARS: usize = 43;
/// The block WeChat pads to.
const PAD_BLOCK: usize = 32;
/// AES's block.
const AES_BLOCK: usize = 16;
/// Random bytes and the length field before the XML.
const HEADER: usize = 20;

/// Base64 that keeps the bits past the 32nd byte of a key instead of refusing them.
const KEY_BASE64: GeneralPurpose =
    GeneralPurpose::new(&alphabet::STANDARD, GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true));

const KEY_RULE: &str = "must be the 43-character EncodingAESKey from the platform's console (letters and digits)";

/// The AES key of an EncodingAESKey; the refusal never shows the text.
pub fn decode_key(encoding_aes_key: &str) -> Result<[u8; 32], Error> {
    let refuse = || Error::invalid_argument("encodingAesKey", KEY_RULE);
    if encoding_aes_key.len() != KEY_CHARS || !encoding_aes_key.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(refuse());
    }
    let mut padded = String::with_capacity(KEY_CHARS + 1);
    padded.push_str(encoding_aes_key);
    padded.push('=');
    let bytes = KEY_BASE64.decode(padded).map_err(|_| refuse())?;
    <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| refuse())
}

fn iv(key: &[u8; 32]) -> [u8; 16] {
    let mut iv = [0u8; 16];
    iv.copy_from_slice(&key[..16]);
    iv
}

/// Decrypts an `Encrypt` value: the XML (as text) and the appid bytes after it.
pub fn decrypt(key: &[u8; 32], encrypt: &str) -> Result<(String, Vec<u8>), Error> {
    let mut buf = STANDARD.decode(encrypt).map_err(|_| Error::push(PushReason::BadBase64, "Encrypt is not Base64"))?;
    if buf.is_empty() || buf.len() % AES_BLOCK != 0 {
        return Err(Error::push(PushReason::BadCiphertext, "the ciphertext is not a whole number of AES blocks"));
    }
    let (blocks, _) = Array::slice_as_chunks_mut(&mut buf);
    cbc::Decryptor::<Aes256>::new(key.into(), &iv(key).into()).decrypt_blocks(blocks);
    let text = unpad(&buf)?;
    let (length, rest) = text
        .get(16..)
        .and_then(|t| t.split_first_chunk::<4>())
        .ok_or_else(|| Error::push(PushReason::BadLength, "the plaintext is shorter than its header"))?;
    let length = usize::try_from(u32::from_be_bytes(*length)).unwrap_or(usize::MAX);
    if length > rest.len() {
        return Err(Error::push(PushReason::BadLength, "the XML's length runs past the end of the plaintext"));
    }
    let (xml, appid) = rest.split_at(length);
    let xml = String::from_utf8(xml.to_vec())
        .map_err(|_| Error::push(PushReason::Malformed, "the decrypted XML is not UTF-8"))?;
    Ok((xml, appid.to_vec()))
}

/// The plaintext without its padding, which must be 1 to 32 bytes all equal to their count.
fn unpad(buf: &[u8]) -> Result<&[u8], Error> {
    let refuse = || Error::push(PushReason::BadPadding, "the plaintext does not end in 32-byte PKCS#7 padding");
    let pad = usize::from(*buf.last().ok_or_else(refuse)?);
    if pad == 0 || pad > PAD_BLOCK || pad > buf.len() {
        return Err(refuse());
    }
    let (text, padding) = buf.split_at(buf.len() - pad);
    if padding.iter().any(|&b| usize::from(b) != pad) {
        return Err(refuse());
    }
    Ok(text)
}

/// Encrypts `xml` for `appid` with `random` in front, as Base64: what WeChat puts in `Encrypt`.
pub fn encrypt(key: &[u8; 32], random: [u8; 16], xml: &[u8], appid: &[u8]) -> String {
    let body = HEADER + xml.len() + appid.len();
    let pad = PAD_BLOCK - body % PAD_BLOCK;
    let mut buf = Vec::with_capacity(body + pad);
    buf.extend_from_slice(&random);
    // A push is far below 4 GiB; a longer XML would not fit WeChat's length field at all.
    buf.extend_from_slice(&u32::try_from(xml.len()).unwrap_or(u32::MAX).to_be_bytes());
    buf.extend_from_slice(xml);
    buf.extend_from_slice(appid);
    // `pad` is 1..=32, so the byte holds it.
    buf.resize(body + pad, pad as u8);
    let (blocks, _) = Array::slice_as_chunks_mut(&mut buf);
    cbc::Encryptor::<Aes256>::new(key.into(), &iv(key).into()).encrypt_blocks(blocks);
    STANDARD.encode(&buf)
}
