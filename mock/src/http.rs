//! Just enough HTTP/1.1 for the simulator, written on plain std sockets.
//!
//! A framework would hide the socket, and the fault injector needs it: to send half a body,
//! to stall between writes, or to drop the connection without answering. The parser is
//! strict about framing (so a confused client shows up as a 400 rather than a hang) and
//! bounded in size (so no input can make the process grow without limit).

use std::io::{self, BufRead, Read, Write};
use std::net::TcpStream;

/// Upper bound for the request line plus all header lines.
pub const MAX_HEAD: usize = 64 * 1024;
/// Upper bound for a request body, whatever its framing.
pub const MAX_BODY: usize = 1024 * 1024;
/// Upper bound for one chunk-size line; real ones are a few bytes long.
const MAX_CHUNK_LINE: usize = 1024;

/// The request line and headers of one request.
#[derive(Debug)]
pub struct Head {
    pub method: String,
    /// Path as received, without the query; never percent-decoded, so routing is exact.
    pub path: String,
    /// Raw query string after `?`, if the target had one.
    pub query: Option<String>,
    /// Header names lower-cased, values trimmed; order and repeats kept.
    pub headers: Vec<(String, String)>,
    pub http11: bool,
}

/// One complete request.
#[derive(Debug)]
pub struct Request {
    pub head: Head,
    pub body: Vec<u8>,
}

/// How the body of a request is framed.
#[derive(Debug, PartialEq, Eq)]
pub enum Framing {
    None,
    Length(usize),
    Chunked,
}

/// Why a request could not be read. Everything but `Closed` is answered, then the
/// connection is closed because its framing can no longer be trusted.
#[derive(Debug)]
pub enum HttpError {
    /// The peer went away, timed out, or the socket failed: nothing to answer.
    Closed,
    Bad(&'static str),
    HeadTooLarge,
    BodyTooLarge,
    Unsupported(&'static str),
}

impl HttpError {
    /// The response for an error that still deserves one.
    pub fn response(&self) -> Option<Response> {
        let (status, msg) = match self {
            HttpError::Closed => return None,
            HttpError::Bad(m) => (400, *m),
            HttpError::HeadTooLarge => (431, "request head larger than 64 KiB"),
            HttpError::BodyTooLarge => (413, "request body larger than 1 MiB"),
            HttpError::Unsupported(m) => (501, *m),
        };
        Some(Response::json(status, error_json(msg)))
    }
}

impl Head {
    /// First value of a header, by lower-case name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// Comma-separated elements of every instance of a header, trimmed and lower-cased.
    fn tokens(&self, name: &str) -> Vec<String> {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .flat_map(|(_, v)| v.split(','))
            .map(|t| t.trim().to_ascii_lowercase())
            .filter(|t| !t.is_empty())
            .collect()
    }

    /// Whether the client allows the connection to stay open after this exchange.
    pub fn keep_alive(&self) -> bool {
        let tokens = self.tokens("connection");
        if tokens.iter().any(|t| t == "close") {
            false
        } else {
            self.http11 || tokens.iter().any(|t| t == "keep-alive")
        }
    }

    /// Whether the client waits for `100 Continue` before sending its body (curl does
    /// this for bodies over 1 KiB).
    pub fn expects_continue(&self) -> bool {
        self.http11 && self.tokens("expect").iter().any(|t| t == "100-continue")
    }

    /// Body framing per RFC 9112 §6. Ambiguous framing is refused rather than guessed,
    /// since guessing is how request smuggling happens.
    pub fn framing(&self) -> Result<Framing, HttpError> {
        let te = self.tokens("transfer-encoding");
        let has_cl = self.headers.iter().any(|(n, _)| n == "content-length");
        if !te.is_empty() {
            if has_cl {
                return Err(HttpError::Bad("both Transfer-Encoding and Content-Length"));
            }
            return if te == ["chunked"] {
                Ok(Framing::Chunked)
            } else {
                Err(HttpError::Unsupported("only chunked transfer coding is supported"))
            };
        }
        if !has_cl {
            return Ok(Framing::None);
        }
        let values = self.tokens("content-length");
        let first = values.first().ok_or(HttpError::Bad("empty Content-Length"))?;
        if values.iter().any(|v| v != first) {
            return Err(HttpError::Bad("conflicting Content-Length values"));
        }
        if !first.bytes().all(|b| b.is_ascii_digit()) {
            return Err(HttpError::Bad("invalid Content-Length"));
        }
        // Too many digits to parse is certainly too large.
        let n: u64 = first.parse().map_err(|_| HttpError::BodyTooLarge)?;
        if n > MAX_BODY as u64 {
            return Err(HttpError::BodyTooLarge);
        }
        Ok(if n == 0 { Framing::None } else { Framing::Length(n as usize) })
    }
}

/// Reads one line ending in LF (an optional CR before it is dropped), charging its length
/// to `budget`. `Ok(None)` means the peer closed before sending any byte of the line.
fn read_line<R: BufRead>(
    r: &mut R,
    budget: &mut usize,
    too_long: fn() -> HttpError,
) -> Result<Option<Vec<u8>>, HttpError> {
    let mut line = Vec::new();
    loop {
        let buf = match r.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => return Err(HttpError::Closed),
        };
        if buf.is_empty() {
            return if line.is_empty() { Ok(None) } else { Err(HttpError::Closed) };
        }
        let (take, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        if take > *budget {
            return Err(too_long());
        }
        *budget -= take;
        line.extend_from_slice(&buf[..take]);
        r.consume(take);
        if done {
            line.pop();
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            return Ok(Some(line));
        }
    }
}

/// RFC 9110 `tchar`: what a method or header name may be made of.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Reads a request line and headers. `Ok(None)` is a clean close between requests.
pub fn read_head<R: BufRead>(r: &mut R) -> Result<Option<Head>, HttpError> {
    let mut budget = MAX_HEAD;
    let too_long = || HttpError::HeadTooLarge;
    // RFC 9112 §2.2: ignore empty lines before the request line.
    let line = loop {
        match read_line(r, &mut budget, too_long)? {
            None => return Ok(None),
            Some(l) if l.is_empty() => continue,
            Some(l) => break l,
        }
    };
    let line = std::str::from_utf8(&line).map_err(|_| HttpError::Bad("request line is not ASCII"))?;
    let mut parts = line.split(' ');
    let (method, target, version) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(m), Some(t), Some(v), None) => (m, t, v),
        _ => return Err(HttpError::Bad("malformed request line")),
    };
    if method.is_empty() || !method.bytes().all(is_tchar) {
        return Err(HttpError::Bad("malformed method"));
    }
    let http11 = match version {
        "HTTP/1.1" => true,
        "HTTP/1.0" => false,
        _ => return Err(HttpError::Bad("unsupported HTTP version")),
    };
    if target.is_empty() || target.bytes().any(|b| b <= b' ' || b == 0x7f) {
        return Err(HttpError::Bad("malformed request target"));
    }
    let (path, query) = split_target(method, target)?;

    let mut headers = Vec::new();
    loop {
        let line = match read_line(r, &mut budget, too_long)? {
            Some(l) => l,
            None => return Err(HttpError::Closed),
        };
        if line.is_empty() {
            break;
        }
        if line[0] == b' ' || line[0] == b'\t' {
            return Err(HttpError::Bad("obsolete header line folding"));
        }
        let colon = line.iter().position(|&b| b == b':').ok_or(HttpError::Bad("header without colon"))?;
        let (name, value) = (&line[..colon], &line[colon + 1..]);
        if name.is_empty() || !name.iter().all(|&b| is_tchar(b)) {
            return Err(HttpError::Bad("malformed header name"));
        }
        if value.iter().any(|&b| (b < b' ' && b != b'\t') || b == 0x7f) {
            return Err(HttpError::Bad("control character in header value"));
        }
        let value = String::from_utf8_lossy(value).trim_matches([' ', '\t']).to_string();
        headers.push((String::from_utf8_lossy(name).to_ascii_lowercase(), value));
    }
    Ok(Some(Head { method: method.to_string(), path, query, headers, http11 }))
}

/// Splits a request target into path and raw query. Absolute-form (sent by proxies) is
/// reduced to its path; `*` is only meaningful for OPTIONS.
fn split_target(method: &str, target: &str) -> Result<(String, Option<String>), HttpError> {
    let origin = if target.starts_with('/') {
        target
    } else if target == "*" && method == "OPTIONS" {
        return Ok(("*".to_string(), None));
    } else if let Some(rest) = target.strip_prefix("http://").or_else(|| target.strip_prefix("https://")) {
        match rest.find(['/', '?']) {
            Some(i) if rest.as_bytes()[i] == b'/' => &rest[i..],
            Some(i) => return Ok(("/".to_string(), Some(rest[i + 1..].to_string()))),
            None => "/",
        }
    } else {
        return Err(HttpError::Bad("malformed request target"));
    };
    let origin = origin.split('#').next().unwrap_or_default();
    Ok(match origin.split_once('?') {
        Some((p, q)) => (p.to_string(), Some(q.to_string())),
        None => (origin.to_string(), None),
    })
}

/// Reads the body announced by `framing`, decoding chunked transfer coding.
pub fn read_body<R: BufRead>(r: &mut R, framing: &Framing) -> Result<Vec<u8>, HttpError> {
    match framing {
        Framing::None => Ok(Vec::new()),
        Framing::Length(n) => {
            let mut body = vec![0; *n];
            r.read_exact(&mut body).map_err(|_| HttpError::Closed)?;
            Ok(body)
        }
        Framing::Chunked => read_chunked(r),
    }
}

fn read_chunked<R: BufRead>(r: &mut R) -> Result<Vec<u8>, HttpError> {
    let mut body = Vec::new();
    loop {
        let mut budget = MAX_CHUNK_LINE;
        let line =
            read_line(r, &mut budget, || HttpError::Bad("chunk size line too long"))?.ok_or(HttpError::Closed)?;
        let line = String::from_utf8_lossy(&line);
        // Chunk extensions (`;name=value`) carry nothing we need.
        let size = line.split(';').next().unwrap_or_default().trim_matches([' ', '\t']);
        if size.is_empty() || !size.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(HttpError::Bad("malformed chunk size"));
        }
        let size = usize::from_str_radix(size, 16).map_err(|_| HttpError::BodyTooLarge)?;
        if size == 0 {
            break;
        }
        if size > MAX_BODY - body.len() {
            return Err(HttpError::BodyTooLarge);
        }
        let start = body.len();
        body.resize(start + size, 0);
        r.read_exact(&mut body[start..]).map_err(|_| HttpError::Closed)?;
        let mut budget = 2;
        match read_line(r, &mut budget, || HttpError::Bad("chunk data longer than its size"))? {
            Some(l) if l.is_empty() => {}
            Some(_) => return Err(HttpError::Bad("chunk data longer than its size")),
            None => return Err(HttpError::Closed),
        }
    }
    // Trailer fields are read and dropped.
    let mut budget = MAX_HEAD;
    loop {
        match read_line(r, &mut budget, || HttpError::HeadTooLarge)? {
            Some(l) if l.is_empty() => return Ok(body),
            Some(_) => {}
            None => return Err(HttpError::Closed),
        }
    }
}

/// A response ready to write. Every response gets `Access-Control-Allow-Origin: *`
/// because the browser tests call the simulator cross-origin.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub content_type: Option<String>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn json(status: u16, body: String) -> Response {
        Response {
            status,
            content_type: Some("application/json".to_string()),
            headers: Vec::new(),
            body: body.into_bytes(),
        }
    }

    /// Status codes whose responses never carry a body (RFC 9110 §6.4.1).
    pub fn bodiless(&self) -> bool {
        self.status < 200 || self.status == 204 || self.status == 304
    }

    /// Status line and headers, announcing `content_length` body bytes.
    pub fn head_bytes(&self, content_length: u64, keep_alive: bool) -> Vec<u8> {
        let mut h = format!("HTTP/1.1 {} {}\r\nServer: tcb-sim\r\n", self.status, reason(self.status));
        if let Some(ct) = &self.content_type {
            h.push_str(&format!("Content-Type: {ct}\r\n"));
        }
        if !self.bodiless() {
            h.push_str(&format!("Content-Length: {content_length}\r\n"));
        }
        h.push_str("Access-Control-Allow-Origin: *\r\n");
        for (n, v) in &self.headers {
            h.push_str(&format!("{n}: {v}\r\n"));
        }
        h.push_str(if keep_alive { "Connection: keep-alive\r\n\r\n" } else { "Connection: close\r\n\r\n" });
        h.into_bytes()
    }

    /// Writes the whole response in one go; `head_only` answers a HEAD request.
    pub fn write_to(&self, mut stream: &TcpStream, keep_alive: bool, head_only: bool) -> io::Result<()> {
        let mut out = self.head_bytes(self.body.len() as u64, keep_alive);
        if !head_only && !self.bodiless() {
            out.extend_from_slice(&self.body);
        }
        stream.write_all(&out)?;
        stream.flush()
    }
}

/// Reason phrases for the codes the simulator is likely to send; clients ignore them.
fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        204 => "No Content",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Content Too Large",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

/// `{"error": msg}`, the shape of every non-WeChat error.
pub fn error_json(msg: &str) -> String {
    object(&[("error", serde_json::Value::from(msg))])
}

/// A compact JSON object with fields in the given order. serde_json's own map sorts keys,
/// and WeChat puts `errcode` first, so answers are assembled field by field.
pub fn object(fields: &[(&str, serde_json::Value)]) -> String {
    let raw: Vec<(&str, String)> = fields.iter().map(|(k, v)| (*k, v.to_string())).collect();
    object_raw(&raw)
}

/// Like `object`, with each value given as JSON text already (such as another ordered
/// object from `object`, or an array of them). The caller vouches that each is valid JSON.
pub fn object_raw(fields: &[(&str, String)]) -> String {
    let mut out = String::from("{");
    for (i, (k, v)) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&serde_json::Value::from(*k).to_string());
        out.push(':');
        out.push_str(v);
    }
    out.push('}');
    out
}

/// A JSON array of values given as JSON text already.
pub fn array_raw(items: &[String]) -> String {
    format!("[{}]", items.join(","))
}

/// Decodes `%XX` escapes, leaving malformed ones as they are. `+` stays `+`: the client
/// encodes spaces as `%20`, and a token may legitimately contain `+`.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' {
            if let (Some(h), Some(l)) = (bytes.get(i + 1).and_then(|&b| hex(b)), bytes.get(i + 2).and_then(|&b| hex(b)))
            {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The first value of `key` in a raw query string, percent-decoded.
pub fn query_param(query: Option<&str>, key: &str) -> Option<String> {
    query?
        .split('&')
        .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
        .find(|(k, _)| percent_decode(k) == key)
        .map(|(_, v)| percent_decode(v))
}

/// Discards whatever the peer still sends, for a moment, after our last response on a
/// connection we are closing. Closing a socket with unread input makes the kernel send
/// RST, which can destroy the response before the client reads it.
pub fn linger_close(reader: &mut io::BufReader<TcpStream>) {
    let stream = reader.get_ref();
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let _ = stream.set_read_timeout(Some(std::time::Duration::from_millis(200)));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(1);
    let mut sink = [0u8; 8192];
    let mut drained = 0usize;
    while std::time::Instant::now() < deadline && drained < 4 * MAX_BODY {
        match reader.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(n) => drained += n,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(raw: &[u8]) -> Result<Option<Head>, HttpError> {
        read_head(&mut io::BufReader::new(raw))
    }

    #[test]
    fn percent_decoding_keeps_plus_and_bad_escapes() {
        assert_eq!(percent_decode("a+b%20c%2B"), "a+b c+");
        assert_eq!(percent_decode("%"), "%");
        assert_eq!(percent_decode("%4"), "%4");
        assert_eq!(percent_decode("%zz%41"), "%zzA");
        assert_eq!(percent_decode("%e4%b8%ad"), "中");
    }

    #[test]
    fn query_param_takes_the_first_match() {
        let q = Some("a=1&access_token=x%2Dy&access_token=z&flag");
        assert_eq!(query_param(q, "access_token").as_deref(), Some("x-y"));
        assert_eq!(query_param(q, "flag").as_deref(), Some(""));
        assert_eq!(query_param(q, "missing"), None);
        assert_eq!(query_param(None, "a"), None);
    }

    #[test]
    fn head_parsing() {
        let h =
            head(b"\r\nPOST /p?q=1 HTTP/1.1\r\nX-A:  v \r\nconnection: close\r\n\r\n").ok().flatten().expect("head");
        assert_eq!((h.method.as_str(), h.path.as_str(), h.query.as_deref()), ("POST", "/p", Some("q=1")));
        assert_eq!(h.header("x-a"), Some("v"));
        assert!(!h.keep_alive());
        assert!(matches!(head(b""), Ok(None)));
        assert!(matches!(head(b"GET / HTTP/1.1\r\nHost: x"), Err(HttpError::Closed)));
        let h = head(b"GET https://example.com?x=1 HTTP/1.0\n\n").ok().flatten().expect("bare LF");
        assert_eq!((h.path.as_str(), h.query.as_deref(), h.http11), ("/", Some("x=1"), false));
    }

    #[test]
    fn framing_rules() {
        let framing = |hdrs: &str| {
            head(format!("POST / HTTP/1.1\r\n{hdrs}\r\n").as_bytes()).ok().flatten().expect("head").framing()
        };
        assert_eq!(framing("").ok(), Some(Framing::None));
        assert_eq!(framing("Content-Length: 0\r\n").ok(), Some(Framing::None));
        assert_eq!(framing("Content-Length: 5, 5\r\n").ok(), Some(Framing::Length(5)));
        assert_eq!(framing("Transfer-Encoding: Chunked\r\n").ok(), Some(Framing::Chunked));
        assert!(matches!(framing("Content-Length: 5, 6\r\n"), Err(HttpError::Bad(_))));
        assert!(matches!(framing("Content-Length: +5\r\n"), Err(HttpError::Bad(_))));
        assert!(matches!(framing("Content-Length: 1048577\r\n"), Err(HttpError::BodyTooLarge)));
        assert!(matches!(framing("Transfer-Encoding: identity\r\n"), Err(HttpError::Unsupported(_))));
    }

    #[test]
    fn chunked_decoding() {
        let mut r = io::BufReader::new(&b"4\r\nWiki\r\n5;x=y\r\npedia\r\n0\r\nT: 1\r\n\r\nNEXT"[..]);
        assert_eq!(read_body(&mut r, &Framing::Chunked).ok().as_deref(), Some(&b"Wikipedia"[..]));
        let mut rest = String::new();
        r.read_to_string(&mut rest).ok();
        assert_eq!(rest, "NEXT", "reading stops at the end of the body");
    }

    #[test]
    fn ordered_objects() {
        let s = object(&[("z", 1.into()), ("a", "\"q\"".into()), ("n", serde_json::Value::Null)]);
        assert_eq!(s, r#"{"z":1,"a":"\"q\"","n":null}"#);
    }
}
