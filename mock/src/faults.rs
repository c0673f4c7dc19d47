//! Fault injection: queued misbehaviours that replace the normal answer of a WeChat-side
//! endpoint (getfuncconfig, uploadfuncconfig, listfunctions or a token endpoint).
//!
//! Tests queue a fault through `POST /__sim/faults`; the next matching request takes it.
//! Taking happens under the state lock and yields a `Plan`; carrying the plan out (sleeping,
//! writing half a body, dropping the socket) happens after the lock is released.

use std::io::{self, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::Value;

use crate::http::{object, Response};
use crate::wechat::{errmsg_for, ENDPOINTS, GETFUNCCONFIG, UPLOADFUNCCONFIG};

/// One kind of misbehaviour, parsed from the control API's `fault` object.
#[derive(Clone, Debug)]
pub enum Fault {
    /// Sleep, then answer normally.
    Delay(Duration),
    /// Any status and body, e.g. a gateway's HTML error page.
    Http { status: u16, content_type: String, body: Vec<u8> },
    /// A 200 JSON response with exactly these bytes (`body` or `bytesHex`).
    Raw { kind: &'static str, body: Vec<u8> },
    /// errcode 0 with this value as `config` (a string normally, anything for `configJson`).
    Config { kind: &'static str, config: Value },
    /// A WeChat error answer.
    Errcode { errcode: i64, errmsg: Option<String>, omit_errmsg: bool, as_string: bool },
    /// Close the connection without answering.
    Reset,
    /// Announce the full body, send half, close.
    Truncate,
    /// Send headers and half the body, wait, send the rest.
    Stall(Duration),
    /// A 200 JSON answer of this many bytes.
    Huge(u64),
    /// A 200 JSON answer with no body at all.
    Empty,
}

/// A queued fault and which requests it applies to.
#[derive(Debug)]
pub struct PendingFault {
    /// The endpoint it applies to (getfuncconfig unless named).
    pub path: String,
    /// `None` matches any request; only getfuncconfig and uploadfuncconfig requests have a
    /// function name, so elsewhere it is ignored.
    pub function_name: Option<String>,
    /// Uses left; `None` is forever.
    pub remaining: Option<u64>,
    pub fault: Fault,
}

impl PendingFault {
    /// Parses a `POST /__sim/faults` body.
    pub fn parse(v: &Value) -> Result<PendingFault, String> {
        let obj = v.as_object().ok_or("body must be a JSON object")?;
        let path = match obj.get("path") {
            None | Some(Value::Null) => GETFUNCCONFIG,
            Some(Value::String(p)) if ENDPOINTS.contains(&p.as_str()) => p.as_str(),
            Some(_) => return Err(format!("path must be one of {}", ENDPOINTS.join(", "))),
        }
        .to_string();
        let function_name = match obj.get("function_name") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err("function_name must be a string".into()),
        };
        let remaining = match obj.get("times") {
            None | Some(Value::Null) => Some(1),
            Some(t) => match t.as_u64() {
                Some(0) => None,
                Some(n) => Some(n),
                None => return Err("times must be a whole number (0 = forever)".into()),
            },
        };
        let fault = Fault::parse(obj.get("fault").ok_or("fault is required")?)?;
        Ok(PendingFault { path, function_name, remaining, fault })
    }

    /// Whether a request to `path` (with this function name, for getfuncconfig and
    /// uploadfuncconfig) takes it.
    fn matches(&self, path: &str, function_name: Option<&str>) -> bool {
        let named = path == GETFUNCCONFIG || path == UPLOADFUNCCONFIG;
        self.path == path && (!named || self.function_name.is_none() || self.function_name.as_deref() == function_name)
    }
}

/// Takes the first queued fault that matches, in the order they were added.
pub fn take(queue: &mut Vec<PendingFault>, path: &str, function_name: Option<&str>) -> Option<Fault> {
    let i = queue.iter().position(|p| p.matches(path, function_name))?;
    let fault = queue[i].fault.clone();
    match &mut queue[i].remaining {
        None => {}
        Some(n) if *n > 1 => *n -= 1,
        Some(_) => {
            queue.remove(i);
        }
    }
    Some(fault)
}

fn ms(obj: &serde_json::Map<String, Value>) -> Result<Duration, String> {
    obj.get("ms")
        .and_then(Value::as_u64)
        .map(Duration::from_millis)
        .ok_or_else(|| "ms must be a whole number of milliseconds".to_string())
}

fn opt_str<'a>(obj: &'a serde_json::Map<String, Value>, key: &str) -> Result<Option<&'a str>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(format!("{key} must be a string")),
    }
}

fn flag(obj: &serde_json::Map<String, Value>, key: &str) -> bool {
    obj.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// Hex digits in pairs; whitespace between bytes is allowed for readability.
fn parse_hex(s: &str) -> Result<Vec<u8>, String> {
    let digits: Vec<u32> = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_digit(16).ok_or(format!("hex: {c:?} is not a hex digit")))
        .collect::<Result<_, _>>()?;
    if digits.len() & 1 == 1 {
        return Err("hex: odd number of digits".into());
    }
    Ok(digits.chunks(2).map(|p| (p[0] * 16 + p[1]) as u8).collect())
}

impl Fault {
    pub fn parse(v: &Value) -> Result<Fault, String> {
        let obj = v.as_object().ok_or("fault must be a JSON object")?;
        let kind = obj.get("kind").and_then(Value::as_str).ok_or("fault.kind must be a string")?;
        Ok(match kind {
            "delay" => Fault::Delay(ms(obj)?),
            "stall" => Fault::Stall(ms(obj)?),
            "http" => {
                let status = match obj.get("status") {
                    None => 502,
                    Some(s) => s
                        .as_u64()
                        .filter(|s| (200..=599).contains(s))
                        .ok_or("status must be a number from 200 to 599")? as u16,
                };
                let content_type = opt_str(obj, "contentType")?.unwrap_or("text/html").to_string();
                let body = match opt_str(obj, "body")? {
                    Some(b) => b.as_bytes().to_vec(),
                    None => format!("<html><body><h1>{status}</h1></body></html>").into_bytes(),
                };
                Fault::Http { status, content_type, body }
            }
            "body" => {
                Fault::Raw { kind: "body", body: opt_str(obj, "body")?.ok_or("body is required")?.as_bytes().to_vec() }
            }
            "bytesHex" => {
                Fault::Raw { kind: "bytesHex", body: parse_hex(opt_str(obj, "hex")?.ok_or("hex is required")?)? }
            }
            "config" => match obj.get("configJson") {
                Some(v) => Fault::Config { kind: "config", config: v.clone() },
                None => {
                    let c = opt_str(obj, "config")?.ok_or("config (a string) or configJson is required")?;
                    Fault::Config { kind: "config", config: Value::from(c) }
                }
            },
            "errcode" => Fault::Errcode {
                errcode: obj.get("errcode").and_then(Value::as_i64).ok_or("errcode must be an integer")?,
                errmsg: opt_str(obj, "errmsg")?.map(str::to_string),
                omit_errmsg: flag(obj, "omitErrmsg"),
                as_string: flag(obj, "errcodeAsString"),
            },
            "reset" => Fault::Reset,
            "truncate" => Fault::Truncate,
            "huge" => Fault::Huge(obj.get("bytes").and_then(Value::as_u64).ok_or("bytes must be a whole number")?),
            "empty" => Fault::Empty,
            other => return Err(format!("unknown fault kind {other:?}")),
        })
    }

    /// The name recorded in `/__sim/requests` and the log.
    pub fn kind(&self) -> &'static str {
        match self {
            Fault::Delay(_) => "delay",
            Fault::Http { .. } => "http",
            Fault::Raw { kind, .. } | Fault::Config { kind, .. } => kind,
            Fault::Errcode { .. } => "errcode",
            Fault::Reset => "reset",
            Fault::Truncate => "truncate",
            Fault::Stall(_) => "stall",
            Fault::Huge(_) => "huge",
            Fault::Empty => "empty",
        }
    }

    /// Whether the fault carries the normal answer (so the request is really handled, with
    /// its effects, such as a token issued or a refresh token rotated) rather than replacing it.
    pub fn uses_answer(&self) -> bool {
        matches!(self, Fault::Delay(_) | Fault::Stall(_) | Fault::Truncate)
    }

    /// Whether an uploadfuncconfig that takes this fault is still written. Only `delay` and
    /// `stall` model a request that reached WeChat and an answer that came late; `truncate`
    /// carries the answer the upload would have had but stores nothing, like every other kind.
    pub fn applies_write(&self) -> bool {
        matches!(self, Fault::Delay(_) | Fault::Stall(_))
    }

    /// Turns the fault into what to send, given the normal answer it replaces. Returns the
    /// errcode the client will see, if the answer carries one. `rid` is only called when a
    /// default errmsg is needed.
    pub fn plan(self, normal: Response, normal_errcode: i64, rid: impl FnOnce() -> String) -> (Plan, Option<i64>) {
        match self {
            Fault::Delay(d) => (Plan::Delay(d, normal), Some(normal_errcode)),
            Fault::Stall(d) => (Plan::Stall(d, normal), Some(normal_errcode)),
            Fault::Http { status, content_type, body } => {
                (Plan::Send(Response { status, content_type: Some(content_type), headers: Vec::new(), body }), None)
            }
            Fault::Raw { body, .. } => (Plan::Send(Response { body, ..Response::json(200, String::new()) }), None),
            Fault::Config { config, .. } => (
                Plan::Send(Response::json(
                    200,
                    object(&[("errcode", 0.into()), ("errmsg", "ok".into()), ("config", config)]),
                )),
                Some(0),
            ),
            Fault::Errcode { errcode, errmsg, omit_errmsg, as_string } => {
                let code = if as_string { Value::from(errcode.to_string()) } else { Value::from(errcode) };
                let mut fields = vec![("errcode", code)];
                if !omit_errmsg {
                    let msg = errmsg.unwrap_or_else(|| format!("{} rid: {}", errmsg_for(errcode), rid()));
                    fields.push(("errmsg", msg.into()));
                }
                (Plan::Send(Response::json(200, object(&fields))), Some(errcode))
            }
            Fault::Reset => (Plan::Reset, None),
            Fault::Truncate => (Plan::Truncate(normal), None),
            Fault::Huge(n) => (Plan::Huge(n), Some(0)),
            Fault::Empty => (Plan::Send(Response::json(200, String::new())), None),
        }
    }
}

/// What to do with the connection once a request is decided.
#[derive(Debug)]
pub enum Plan {
    Send(Response),
    Delay(Duration, Response),
    Stall(Duration, Response),
    Truncate(Response),
    Reset,
    Huge(u64),
}

/// How the connection continues after a plan is carried out.
#[derive(Debug, PartialEq, Eq)]
pub enum Next {
    KeepOpen,
    /// Close politely (FIN after draining input).
    Close,
    /// Close abortively (RST), without answering.
    Abort,
}

impl Plan {
    /// Carries the plan out on the socket. Write errors just mean the client left.
    pub fn execute(self, mut stream: &TcpStream, keep_alive: bool, head_only: bool) -> Next {
        let done = |r: io::Result<()>| match r {
            Ok(()) if keep_alive => Next::KeepOpen,
            _ => Next::Close,
        };
        match self {
            Plan::Send(resp) => done(resp.write_to(stream, keep_alive, head_only)),
            Plan::Delay(d, resp) => {
                std::thread::sleep(d);
                done(resp.write_to(stream, keep_alive, head_only))
            }
            Plan::Stall(d, resp) => done((|| {
                let half = resp.body.len() / 2;
                let mut first = resp.head_bytes(resp.body.len() as u64, keep_alive);
                first.extend_from_slice(&resp.body[..half]);
                stream.write_all(&first)?;
                stream.flush()?;
                std::thread::sleep(d);
                stream.write_all(&resp.body[half..])?;
                stream.flush()
            })()),
            Plan::Truncate(resp) => {
                let half = resp.body.len() / 2;
                let mut out = resp.head_bytes(resp.body.len() as u64, false);
                out.extend_from_slice(&resp.body[..half]);
                let _ = stream.write_all(&out).and_then(|()| stream.flush());
                Next::Close
            }
            Plan::Reset => Next::Abort,
            Plan::Huge(n) => done(write_huge(stream, n, keep_alive)),
        }
    }
}

/// Streams a `n`-byte answer that looks like a success with an enormous config, in 64 KiB
/// pieces so the simulator itself never holds it in memory.
fn write_huge(mut stream: &TcpStream, n: u64, keep_alive: bool) -> io::Result<()> {
    const PREFIX: &[u8] = br#"{"errcode":0,"errmsg":"ok","config":""#;
    const SUFFIX: &[u8] = br#""}"#;
    const PIECE: u64 = 64 * 1024;
    let (p, s) = (PREFIX.len() as u64, SUFFIX.len() as u64);
    let byte_at = |pos: u64| -> u8 {
        if pos < p {
            PREFIX[pos as usize]
        } else if n >= p + s && pos >= n - s {
            SUFFIX[(pos - (n - s)) as usize]
        } else {
            b'x'
        }
    };
    stream.write_all(&Response::json(200, String::new()).head_bytes(n, keep_alive))?;
    let mut piece = Vec::with_capacity(PIECE as usize);
    let mut sent = 0u64;
    while sent < n {
        let len = PIECE.min(n - sent);
        piece.clear();
        piece.extend((sent..sent + len).map(byte_at));
        stream.write_all(&piece)?;
        sent += len;
    }
    stream.flush()
}

/// Makes the next close of this socket send RST instead of FIN, the way a crashed proxy or
/// a dropped NAT entry looks to a client (ECONNRESET rather than a clean end of stream).
/// std has no stable API for SO_LINGER, so it is set through the C library std links anyway.
#[cfg(any(
    all(
        target_os = "linux",
        any(
            target_arch = "x86_64",
            target_arch = "aarch64",
            target_arch = "x86",
            target_arch = "arm",
            target_arch = "riscv64"
        )
    ),
    target_os = "macos"
))]
pub fn abort_on_close(stream: &TcpStream) {
    use std::os::fd::AsRawFd;

    #[repr(C)]
    struct Linger {
        l_onoff: i32,
        l_linger: i32,
    }
    extern "C" {
        fn setsockopt(fd: i32, level: i32, name: i32, value: *const std::ffi::c_void, len: u32) -> i32;
    }
    #[cfg(target_os = "linux")]
    const SOL_SOCKET_SO_LINGER: (i32, i32) = (1, 13);
    #[cfg(target_os = "macos")]
    const SOL_SOCKET_SO_LINGER: (i32, i32) = (0xffff, 0x80);

    let linger = Linger { l_onoff: 1, l_linger: 0 };
    // SAFETY: the fd is a live socket owned by `stream`, and `linger` is a properly laid
    // out `struct linger` that outlives the call; setsockopt only reads it.
    unsafe {
        setsockopt(
            stream.as_raw_fd(),
            SOL_SOCKET_SO_LINGER.0,
            SOL_SOCKET_SO_LINGER.1,
            &linger as *const Linger as *const std::ffi::c_void,
            std::mem::size_of::<Linger>() as u32,
        );
    }
}

/// Elsewhere the socket is only shut down, which the client sees as a clean close.
#[cfg(not(any(
    all(
        target_os = "linux",
        any(
            target_arch = "x86_64",
            target_arch = "aarch64",
            target_arch = "x86",
            target_arch = "arm",
            target_arch = "riscv64"
        )
    ),
    target_os = "macos"
)))]
pub fn abort_on_close(stream: &TcpStream) {
    let _ = stream.shutdown(std::net::Shutdown::Both);
}
