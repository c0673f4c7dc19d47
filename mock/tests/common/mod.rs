//! Shared test support: starts the real `tcb-sim` binary on a free port and talks to it
//! over TCP with a deliberately tiny client, so every byte on the wire is under the test's
//! control.
#![allow(dead_code)]

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

pub const TOKEN: &str = "sim-access-token";
pub const EXPIRED: &str = "sim-expired-token";
pub const ENV: &str = "test-777bb9";
pub const PATH: &str = "/tcb/getfuncconfig";

pub const STABLE: &str = "/cgi-bin/stable_token";
pub const COMPONENT: &str = "/cgi-bin/component/api_component_token";
pub const AUTHORIZER: &str = "/cgi-bin/component/api_authorizer_token";
pub const APPID: &str = "wx-sim-app";
pub const APP_SECRET: &str = "sim-app-secret";
pub const COMPONENT_APPID: &str = "wx-sim-component";
pub const COMPONENT_SECRET: &str = "sim-component-secret";
pub const TICKET: &str = "sim-verify-ticket";
pub const AUTHORIZER_APPID: &str = "wx-sim-authorizer";
pub const REFRESH0: &str = "sim-refresh-token-0";
/// A getfuncconfig body the built-in seed answers.
pub const OPENAPI_BODY: &str = r#"{"type":1,"env":"test-777bb9","function_name":"openapi"}"#;

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A running simulator; killed and cleaned up on drop.
pub struct Sim {
    child: Child,
    pub port: u16,
    pub dir: PathBuf,
}

/// A fresh, empty temporary directory for one test.
pub fn temp_dir() -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("tcb-sim-test-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

impl Sim {
    /// Starts with the built-in seed and no logging.
    pub fn start() -> Sim {
        Sim::start_with(&["--quiet"])
    }

    /// Starts with extra arguments; stdout and stderr go to files in `dir`.
    pub fn start_with(args: &[&str]) -> Sim {
        let dir = temp_dir();
        Sim::start_in(dir, args).unwrap_or_else(|e| panic!("simulator did not start: {e}"))
    }

    /// Starts in `dir`, or reports why the process exited instead of listening.
    pub fn start_in(dir: PathBuf, args: &[&str]) -> Result<Sim, String> {
        let port_file = dir.join("port");
        let child = Command::new(env!("CARGO_BIN_EXE_tcb-sim"))
            .args(args)
            .arg("--port-file")
            .arg(&port_file)
            .stdin(Stdio::null())
            .stdout(File::create(dir.join("stdout")).expect("stdout file"))
            .stderr(File::create(dir.join("stderr")).expect("stderr file"))
            .spawn()
            .expect("spawn tcb-sim");
        let mut sim = Sim { child, port: 0, dir };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(text) = std::fs::read_to_string(&port_file) {
                sim.port = text.parse().map_err(|_| format!("bad port file {text:?}"))?;
                return Ok(sim);
            }
            if let Ok(Some(status)) = sim.child.try_wait() {
                return Err(format!("exited with {status}: {}", sim.stderr()));
            }
            if Instant::now() > deadline {
                return Err("no port file after 20 s".into());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn stdout(&self) -> String {
        std::fs::read_to_string(self.dir.join("stdout")).unwrap_or_default()
    }

    pub fn stderr(&self) -> String {
        std::fs::read_to_string(self.dir.join("stderr")).unwrap_or_default()
    }

    pub fn conn(&self) -> Conn {
        Conn::open(self.port)
    }

    /// One request on a new connection.
    pub fn request(&self, method: &str, target: &str, body: &[u8]) -> Resp {
        self.conn().request(method, target, &[], body)
    }

    /// getfuncconfig with this token and body; returns the parsed answer.
    pub fn call(&self, token: &str, body: &str) -> Value {
        let resp = self.request("POST", &format!("{PATH}?access_token={token}"), body.as_bytes());
        assert_eq!(resp.status, 200);
        assert_eq!(resp.header("content-type"), Some("application/json"));
        resp.json()
    }

    /// getfuncconfig for (env, name, type) with the valid token.
    pub fn get(&self, name: &str, ty: u8) -> Value {
        self.call(TOKEN, &format!(r#"{{"type":{ty},"env":"{ENV}","function_name":"{name}"}}"#))
    }

    /// POSTs JSON to a control endpoint, asserting 200.
    pub fn control(&self, path: &str, body: &str) -> Value {
        let resp = self.request("POST", path, body.as_bytes());
        assert_eq!(resp.status, 200, "{path} answered {}: {}", resp.status, resp.text());
        resp.json()
    }

    /// POSTs a body to a WeChat-side target; asserts HTTP 200 JSON and returns the answer.
    pub fn wechat(&self, target: &str, body: &str) -> Value {
        let resp = self.request("POST", target, body.as_bytes());
        assert_eq!(resp.status, 200, "{target}: {}", resp.text());
        assert_eq!(resp.header("content-type"), Some("application/json"));
        resp.json()
    }

    /// `/cgi-bin/stable_token` for the seeded app.
    pub fn stable_token(&self, force: bool) -> Value {
        let body = format!(
            r#"{{"grant_type":"client_credential","appid":"{APPID}","secret":"{APP_SECRET}","force_refresh":{force}}}"#
        );
        self.wechat(STABLE, &body)
    }

    /// A component_access_token for the seeded platform with the given ticket.
    pub fn component_token_with(&self, ticket: &str) -> Value {
        let body = format!(
            r#"{{"component_appid":"{COMPONENT_APPID}","component_appsecret":"{COMPONENT_SECRET}","component_verify_ticket":"{ticket}"}}"#
        );
        self.wechat(COMPONENT, &body)
    }

    /// A fresh component_access_token for the seeded platform.
    pub fn component_token(&self) -> String {
        let v = self.component_token_with(TICKET);
        v["component_access_token"].as_str().unwrap_or_else(|| panic!("no component token: {v}")).to_string()
    }

    /// `api_authorizer_token` for the seeded authorizer with this refresh token.
    pub fn authorizer_token(&self, component_token: &str, refresh: &str) -> Value {
        let body = format!(
            r#"{{"component_appid":"{COMPONENT_APPID}","authorizer_appid":"{AUTHORIZER_APPID}","authorizer_refresh_token":"{refresh}"}}"#
        );
        self.wechat(&format!("{AUTHORIZER}?component_access_token={component_token}"), &body)
    }

    /// GET on a control endpoint, asserting 200.
    pub fn control_get(&self, path: &str) -> Value {
        let resp = self.request("GET", path, b"");
        assert_eq!(resp.status, 200, "{path} answered {}: {}", resp.status, resp.text());
        resp.json()
    }

    /// Moves the simulator's clock forward.
    pub fn advance(&self, seconds: u64) {
        self.control("/__sim/clock", &format!(r#"{{"advance":{seconds}}}"#));
    }

    pub fn fault(&self, body: &str) {
        self.control("/__sim/faults", body);
    }

    pub fn records(&self, query: &str) -> Vec<Value> {
        let target = if query.is_empty() { "/__sim/requests".to_string() } else { format!("/__sim/requests?{query}") };
        let resp = self.request("GET", &target, b"");
        assert_eq!(resp.status, 200);
        match resp.json() {
            Value::Array(a) => a,
            other => panic!("records not an array: {other}"),
        }
    }

    /// Whether the server still answers; used after hostile input.
    pub fn assert_alive(&self) {
        let resp = self.request("GET", "/__sim/health", b"");
        assert_eq!(resp.status, 200);
        assert_eq!(resp.json(), serde_json::json!({"ok": true}));
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Asserts a WeChat error answer: this errcode, and errmsg as the text plus ` rid: <hex>-<hex>`.
pub fn assert_wechat_error(v: &Value, code: i64, msg: &str) {
    assert_eq!(v["errcode"].as_i64(), Some(code), "{v}");
    let errmsg = v["errmsg"].as_str().unwrap_or_else(|| panic!("no errmsg in {v}"));
    let rid = errmsg
        .strip_prefix(msg)
        .and_then(|r| r.strip_prefix(" rid: "))
        .unwrap_or_else(|| panic!("errmsg {errmsg:?} is not {msg:?} + rid"));
    assert!(!rid.is_empty() && rid.chars().all(|c| c.is_ascii_hexdigit() || c == '-'), "rid {rid:?}");
    assert_eq!(v.as_object().map(|o| o.len()), Some(2), "an error carries errcode and errmsg only: {v}");
}

/// A parsed response.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.text()))
    }
}

/// One client connection.
pub struct Conn {
    pub reader: BufReader<TcpStream>,
}

impl Conn {
    pub fn open(port: u16) -> Conn {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream.set_read_timeout(Some(Duration::from_secs(20))).expect("timeout");
        Conn { reader: BufReader::new(stream) }
    }

    pub fn send(&mut self, raw: &[u8]) {
        self.reader.get_mut().write_all(raw).expect("send");
    }

    /// Sends a request with Host and Content-Length set.
    pub fn request(&mut self, method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) -> Resp {
        let mut raw = format!("{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (n, v) in headers {
            raw.push_str(&format!("{n}: {v}\r\n"));
        }
        if !body.is_empty() || method == "POST" {
            raw.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        raw.push_str("\r\n");
        let mut raw = raw.into_bytes();
        raw.extend_from_slice(body);
        self.send(&raw);
        self.read_response().expect("response")
    }

    /// Reads status line and headers.
    pub fn read_head(&mut self) -> std::io::Result<(u16, Vec<(String, String)>)> {
        let mut line = String::new();
        if self.reader.read_line(&mut line)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let status = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            self.reader.read_line(&mut h)?;
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            let (n, v) = h.split_once(':').ok_or_else(|| std::io::Error::other("bad header"))?;
            headers.push((n.to_ascii_lowercase(), v.trim().to_string()));
        }
        Ok((status, headers))
    }

    /// Reads one response, skipping interim 1xx ones.
    pub fn read_response(&mut self) -> std::io::Result<Resp> {
        loop {
            let (status, headers) = self.read_head()?;
            if status < 200 {
                continue;
            }
            let len = headers.iter().find(|(n, _)| n == "content-length").map(|(_, v)| v.parse::<usize>());
            let body = match len {
                Some(Ok(n)) => {
                    let mut b = vec![0; n];
                    self.reader.read_exact(&mut b)?;
                    b
                }
                Some(Err(_)) => return Err(std::io::Error::other("bad content-length")),
                None if status == 204 || status == 304 => Vec::new(),
                None => {
                    let mut b = Vec::new();
                    self.reader.read_to_end(&mut b)?;
                    b
                }
            };
            return Ok(Resp { status, headers, body });
        }
    }

    /// Everything until the server closes (or an error, such as a reset, ends the read).
    pub fn read_rest(&mut self) -> (Vec<u8>, Option<std::io::ErrorKind>) {
        let mut out = Vec::new();
        let mut buf = [0u8; 65536];
        loop {
            match self.reader.read(&mut buf) {
                Ok(0) => return (out, None),
                Ok(n) => out.extend_from_slice(&buf[..n]),
                Err(e) => return (out, Some(e.kind())),
            }
        }
    }

    /// Whether the server closes the connection (within 5 s) without sending anything more.
    pub fn closed_by_server(&mut self) -> bool {
        let _ = self.reader.get_ref().set_read_timeout(Some(Duration::from_secs(5)));
        let (rest, err) = self.read_rest();
        rest.is_empty() && matches!(err, None | Some(std::io::ErrorKind::ConnectionReset))
    }
}

pub const GETENVINFO: &str = "/tcb/getenvinfo";
pub const LISTFUNCTIONS: &str = "/tcb/listfunctions";
pub const PREAUTH: &str = "/cgi-bin/component/api_create_preauthcode";
pub const QUERY_AUTH: &str = "/cgi-bin/component/api_query_auth";
pub const AUTHORIZER_INFO: &str = "/cgi-bin/component/api_get_authorizer_info";
pub const AUTHORIZER_LIST: &str = "/cgi-bin/component/api_get_authorizer_list";
/// The seeded platform's message token and EncodingAESKey (mock/README.md).
pub const MESSAGE_TOKEN: &str = "sim-component-token";
pub const AES_KEY: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

impl Sim {
    /// POSTs `body` to a `?component_access_token=CT` endpoint.
    pub fn component_call(&self, path: &str, ct: &str, body: &str) -> Value {
        self.wechat(&format!("{path}?component_access_token={ct}"), body)
    }

    /// An authorizer token for any authorizer of the seeded platform, by its refresh token.
    pub fn token_for(&self, ct: &str, appid: &str, refresh: &str) -> Value {
        let body = format!(
            r#"{{"component_appid":"{COMPONENT_APPID}","authorizer_appid":"{appid}","authorizer_refresh_token":"{refresh}"}}"#
        );
        self.component_call(AUTHORIZER, ct, &body)
    }

    /// A tcb call (`/tcb/...`) with this token.
    pub fn tcb(&self, path: &str, token: &str, body: &str) -> Value {
        self.wechat(&format!("{path}?access_token={token}"), body)
    }
}

/// The generation rule of `--authorizers N` (mock/README.md), restated so tests can compute
/// what to expect: account `i` has `1 + i % 3` envs, env `k` has `2 + (i + k) % 3` functions,
/// and every tenth account grants no cloud development.
pub mod rule {
    pub fn appid(i: u64) -> String {
        format!("wx-sim-app-{i:04}")
    }
    pub fn refresh(i: u64) -> String {
        format!("sim-refresh-app-{i:04}")
    }
    pub fn env_count(i: u64) -> u64 {
        1 + i % 3
    }
    pub fn env(i: u64, k: u64) -> String {
        format!("{}-app{i:04}", ["prod", "test", "dev"][(k - 1) as usize])
    }
    pub fn function_count(i: u64, k: u64) -> u64 {
        2 + (i + k) % 3
    }
    pub fn cloud_dev(i: u64) -> bool {
        !i.is_multiple_of(10)
    }
}

/// A stand-in for a platform's event URL: answers every request with `answer` and hands what
/// it received to the test.
pub struct Receiver {
    pub port: u16,
    pub got: std::sync::mpsc::Receiver<Received>,
}

/// One request a `Receiver` got.
#[derive(Debug)]
pub struct Received {
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Received {
    /// A query parameter of the request target.
    pub fn query(&self, key: &str) -> Option<String> {
        let q = self.target.split_once('?')?.1;
        q.split('&').filter_map(|p| p.split_once('=')).find(|(k, _)| *k == key).map(|(_, v)| v.to_string())
    }
}

impl Receiver {
    pub fn start(answer: &'static str) -> Receiver {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let (tx, got) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let mut reader = BufReader::new(stream);
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    continue;
                }
                let target = line.split(' ').nth(1).unwrap_or_default().to_string();
                let mut headers = Vec::new();
                let mut len = 0;
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).is_err() || h.trim_end().is_empty() {
                        break;
                    }
                    if let Some((n, v)) = h.trim_end().split_once(':') {
                        let (n, v) = (n.to_ascii_lowercase(), v.trim().to_string());
                        if n == "content-length" {
                            len = v.parse().unwrap_or(0);
                        }
                        headers.push((n, v));
                    }
                }
                let mut body = vec![0; len];
                let _ = reader.read_exact(&mut body);
                let reply =
                    format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}", answer.len());
                let _ = reader.get_mut().write_all(reply.as_bytes());
                let _ = tx.send(Received { target, headers, body: String::from_utf8_lossy(&body).into_owned() });
            }
        });
        Receiver { port, got }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/wechat/events", self.port)
    }

    /// The next request, waiting up to `secs`.
    pub fn next(&self, secs: u64) -> Option<Received> {
        self.got.recv_timeout(Duration::from_secs(secs)).ok()
    }
}
