//! WeChat's encrypted pushes to a platform's authorization event URL: prepared under the
//! state lock, sent over HTTP/1.1 outside it (the receiver may well call the simulator back),
//! then recorded for `GET /__sim/pushes`.
//!
//! Sealing (AES-256-CBC, 32-byte PKCS#7 padding, `msg_signature`) is the client crate's own
//! `tcb_funcconfig::push::PushKeys::seal`, so the simulator and the reader share one rule.
//! Only loopback `http://` URLs are accepted: the simulator never reaches anywhere else.

use std::collections::VecDeque;
use std::io::{BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use serde_json::{json, Value};
use tcb_funcconfig::push::{msg_signature, PushKeys};

use crate::platform;
use crate::store::State;

/// Pushes remembered for `/__sim/pushes`, newest kept.
pub const MAX_PUSHES: usize = 1000;
/// The part of an answer kept in a record.
const ANSWER_CHARS: usize = 200;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const IO_TIMEOUT: Duration = Duration::from_secs(15);
/// The largest answer read from a receiver.
const MAX_ANSWER: u64 = 1024 * 1024;

/// The kinds of push the simulator sends.
pub const INFO_TYPES: [&str; 4] = ["component_verify_ticket", "authorized", "updateauthorized", "unauthorized"];

/// A loopback `http://` URL, taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub host: String,
    pub port: u16,
    /// Path plus query, as sent on the request line.
    pub path: String,
}

impl Target {
    /// Accepts `http://127.x.x.x[:port]/…`, `http://localhost…` and `http://[::1]…` only.
    pub fn parse(url: &str) -> Result<Target, String> {
        let rest = url.strip_prefix("http://").ok_or("only http:// URLs on loopback are pushed to")?;
        let (authority, path) = match rest.find(['/', '?']) {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let path = if path.starts_with('?') { format!("/{path}") } else { path.to_string() };
        if path.bytes().any(|b| b <= b' ' || b == 0x7f || b == b'#') {
            return Err("the URL's path has spaces, control characters or a fragment".into());
        }
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (h, after) = v6.split_once(']').ok_or("malformed IPv6 host")?;
            (h, after.strip_prefix(':'))
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (authority, None),
            }
        };
        let port = match port {
            None => 80,
            Some(p) => p.parse().map_err(|_| format!("bad port {p:?}"))?,
        };
        let loopback =
            host == "localhost" || host == "::1" || host.parse::<std::net::Ipv4Addr>().is_ok_and(|ip| ip.is_loopback());
        if !loopback {
            return Err("only loopback hosts (127.0.0.0/8, localhost, [::1]) are pushed to".into());
        }
        Ok(Target { host: host.to_string(), port, path })
    }
}

/// One push as `/__sim/pushes` reports it: no ticket, code or key.
#[derive(Debug, Clone)]
pub struct PushRecord {
    pub seq: u64,
    pub url: String,
    pub info_type: String,
    pub authorizer_appid: Option<String>,
    pub create_time: u64,
    /// The receiver's HTTP status, if it answered.
    pub status: Option<u16>,
    /// The start of its answer.
    pub answer: Option<String>,
    /// Why nothing was answered (connection refused, timeout…).
    pub error: Option<String>,
}

impl PushRecord {
    pub fn to_json(&self) -> Value {
        json!({
            "seq": self.seq,
            "url": self.url,
            "info_type": self.info_type,
            "authorizer_appid": self.authorizer_appid,
            "create_time": self.create_time,
            "status": self.status,
            "answer": self.answer,
            "error": self.error,
            "success": self.status == Some(200) && self.answer.as_deref() == Some("success"),
        })
    }
}

/// A push ready to send.
pub struct Prepared {
    target: Target,
    query: String,
    body: String,
    record: PushRecord,
}

/// Builds one push under the lock, carrying out what it announces: a `component_verify_ticket`
/// makes a fresh ticket the platform's current one; `authorized` and `updateauthorized`
/// authorise the account (a new one when none is named) and carry a fresh authorization code;
/// `unauthorized` withdraws the named account.
pub fn prepare(state: &mut State, url: &str, info_type: &str, authorizer: Option<&str>) -> Result<Prepared, String> {
    let target = Target::parse(url)?;
    let component = state.store.components.keys().next().cloned().ok_or("no component to push for")?;
    let unix = state.clock.unix_now();
    let now = state.clock.now();
    let head = format!(
        "<xml><AppId><![CDATA[{component}]]></AppId><CreateTime>{unix}</CreateTime><InfoType><![CDATA[{info_type}]]></InfoType>"
    );
    let (xml, appid) = match info_type {
        "component_verify_ticket" => {
            let ticket = state.tokens.fresh("ticket@@@sim-");
            if let Some(c) = state.store.components.get_mut(&component) {
                c.push_ticket(&ticket, now);
            }
            (format!("{head}<ComponentVerifyTicket><![CDATA[{ticket}]]></ComponentVerifyTicket></xml>"), None)
        }
        "authorized" | "updateauthorized" => {
            let done = platform::authorize(state, &component, authorizer)?;
            let preauth = state.tokens.fresh("preauthcode@@@sim-");
            let expires = state.clock.unix_now() + platform::AUTH_CODE_TTL.as_secs();
            let xml = format!(
                "{head}<AuthorizerAppid><![CDATA[{}]]></AuthorizerAppid><AuthorizationCode><![CDATA[{}]]></AuthorizationCode><AuthorizationCodeExpiredTime>{expires}</AuthorizationCodeExpiredTime><PreAuthCode><![CDATA[{preauth}]]></PreAuthCode></xml>",
                done.appid, done.code
            );
            (xml, Some(done.appid))
        }
        "unauthorized" => {
            let appid = authorizer.ok_or("authorizer_appid is required for unauthorized")?;
            platform::unauthorize(state, appid)?;
            (format!("{head}<AuthorizerAppid><![CDATA[{appid}]]></AuthorizerAppid></xml>"), Some(appid.to_string()))
        }
        other => return Err(format!("info_type {other:?} is not one of {}", INFO_TYPES.join(", "))),
    };
    let c = state.store.components.get(&component).ok_or("no component to push for")?;
    let keys = PushKeys::new(&c.message_token, &c.encoding_aes_key, &component)
        .map_err(|_| "the component's message token or EncodingAESKey is not usable".to_string())?;
    let token = c.message_token.clone();
    let timestamp = unix.to_string();
    let nonce = (state.tokens.random() % 10_000_000_000).to_string();
    let mut random = [0u8; 16];
    random[..8].copy_from_slice(&state.tokens.random().to_be_bytes());
    random[8..].copy_from_slice(&state.tokens.random().to_be_bytes());
    let sealed = keys.seal(&xml, &timestamp, &nonce, random);
    // `signature` is the SHA-1 of the sorted token, timestamp and nonce; an empty fourth
    // string sorts first and adds nothing to the joined text.
    let signature = msg_signature(&token, &timestamp, &nonce, "");
    let query = format!(
        "signature={signature}&timestamp={timestamp}&nonce={nonce}&encrypt_type=aes&msg_signature={}",
        sealed.msg_signature
    );
    let record = PushRecord {
        seq: 0,
        url: url.to_string(),
        info_type: info_type.to_string(),
        authorizer_appid: appid,
        create_time: unix,
        status: None,
        answer: None,
        error: None,
    };
    Ok(Prepared { target, query, body: sealed.body, record })
}

/// Sends a prepared push (no lock held) and fills in what the receiver answered.
pub fn send(p: Prepared) -> PushRecord {
    let mut record = p.record;
    match post(&p.target, &p.query, &p.body) {
        Ok((status, answer)) => {
            record.status = Some(status);
            record.answer = Some(answer.chars().take(ANSWER_CHARS).collect());
        }
        Err(e) => record.error = Some(e),
    }
    record
}

/// Stores a sent push's record and answers it as JSON.
pub fn finish(state: &mut State, mut record: PushRecord) -> Value {
    record.seq = state.pushes.back().map_or(1, |r| r.seq + 1);
    let v = record.to_json();
    if state.pushes.len() >= MAX_PUSHES {
        state.pushes.pop_front();
    }
    state.pushes.push_back(record);
    v
}

/// Every recorded push, oldest first.
pub fn records_json(pushes: &VecDeque<PushRecord>) -> Value {
    json!({"pushes": pushes.iter().map(PushRecord::to_json).collect::<Vec<_>>()})
}

/// One `POST` with `Connection: close`; answers the status and the body as text.
fn post(target: &Target, query: &str, body: &str) -> Result<(u16, String), String> {
    let addrs: Vec<_> = (target.host.as_str(), target.port)
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve: {e}"))?
        .filter(|a| a.ip().is_loopback())
        .collect();
    let mut last = String::from("no loopback address");
    let mut stream = None;
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT) {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => last = format!("connect: {e}"),
        }
    }
    let mut stream = stream.ok_or(last)?;
    let _ = stream.set_read_timeout(Some(IO_TIMEOUT));
    let _ = stream.set_write_timeout(Some(IO_TIMEOUT));
    let sep = if target.path.contains('?') { '&' } else { '?' };
    let host = if target.host.contains(':') {
        format!("[{}]:{}", target.host, target.port)
    } else {
        format!("{}:{}", target.host, target.port)
    };
    let request = format!(
        "POST {}{sep}{query} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: Mozilla/4.0\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        target.path,
        body.len()
    );
    stream.write_all(request.as_bytes()).map_err(|e| format!("send: {e}"))?;
    let mut raw = Vec::new();
    stream.take(MAX_ANSWER).read_to_end(&mut raw).map_err(|e| format!("read: {e}"))?;
    parse_answer(&raw)
}

/// The status and body of an HTTP/1.x answer read to its end.
fn parse_answer(raw: &[u8]) -> Result<(u16, String), String> {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").ok_or("no complete answer")?;
    let head = String::from_utf8_lossy(&raw[..split]);
    let rest = &raw[split + 4..];
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.strip_prefix("HTTP/1."))
        .and_then(|l| l.get(2..5))
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or("malformed status line")?;
    let header = |name: &str| {
        head.split("\r\n").skip(1).find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then(|| v.trim().to_ascii_lowercase())
        })
    };
    let body = if header("transfer-encoding").is_some_and(|t| t.contains("chunked")) {
        crate::http::read_body(&mut BufReader::new(rest), &crate::http::Framing::Chunked)
            .map_err(|_| "malformed chunked answer".to_string())?
    } else if let Some(n) = header("content-length").and_then(|n| n.parse::<usize>().ok()) {
        rest.get(..n).ok_or("the answer ended early")?.to_vec()
    } else {
        rest.to_vec()
    };
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_http_urls() {
        let t = Target::parse("http://127.0.0.1:8787/wechat/events?x=1").expect("loopback");
        assert_eq!((t.host.as_str(), t.port, t.path.as_str()), ("127.0.0.1", 8787, "/wechat/events?x=1"));
        assert_eq!(Target::parse("http://localhost").map(|t| (t.port, t.path)), Ok((80, "/".to_string())));
        assert_eq!(Target::parse("http://[::1]:9/p").map(|t| t.host), Ok("::1".to_string()));
        for bad in ["https://127.0.0.1/", "http://example.com/", "http://10.0.0.1/", "http://127.0.0.1:x/", "ftp://x"] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn answers_are_read_whatever_their_framing() {
        assert_eq!(parse_answer(b"HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nsuccess"), Ok((200, "success".into())));
        assert_eq!(
            parse_answer(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nsuc\r\n4\r\ncess\r\n0\r\n\r\n"),
            Ok((200, "success".into()))
        );
        assert_eq!(parse_answer(b"HTTP/1.0 500 X\r\n\r\noops"), Ok((500, "oops".into())));
        assert!(parse_answer(b"garbage").is_err());
    }
}
