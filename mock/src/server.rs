//! Accepting connections and serving requests on them, one thread per connection.
//!
//! Threads rather than an event loop keep fault injection trivial: a fault that sleeps
//! simply sleeps, and only its own connection waits.

use std::io::{BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::faults::{abort_on_close, Next, Plan};
use crate::http::{self, Request, Response};
use crate::store::{lock, State};
use crate::wechat;
use crate::{control, push};

/// An idle keep-alive connection is closed after this long; clients (undici keeps 4 s)
/// give up on idle connections well before, so the server is never the one to race them.
const IDLE_TIMEOUT: Duration = Duration::from_secs(120);
/// A client that stops reading a response is given up on after this long.
const WRITE_TIMEOUT: Duration = Duration::from_secs(60);

/// What every connection thread shares.
pub struct Shared {
    pub state: Mutex<State>,
    pub quiet: bool,
}

/// Accepts forever. Accept errors (such as running out of file descriptors) are waited
/// out rather than ending the server.
pub fn run(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                let shared = Arc::clone(&shared);
                let spawned = std::thread::Builder::new()
                    .name("conn".into())
                    .stack_size(256 * 1024)
                    .spawn(move || serve_connection(stream, &shared));
                if spawned.is_err() {
                    std::thread::sleep(Duration::from_millis(10));
                }
            }
            Err(_) => std::thread::sleep(Duration::from_millis(10)),
        }
    }
}

/// Serves requests on one connection until either side ends it.
fn serve_connection(stream: TcpStream, shared: &Shared) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(IDLE_TIMEOUT));
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    let mut reader = BufReader::new(stream);
    loop {
        let head = match http::read_head(&mut reader) {
            Ok(Some(head)) => head,
            Ok(None) => return,
            Err(e) => return refuse(&mut reader, e, shared, "-", "-"),
        };
        let started = Instant::now();
        let framing = match head.framing() {
            Ok(f) => f,
            Err(e) => return refuse(&mut reader, e, shared, &head.method, &head.path),
        };
        if head.expects_continue() && framing != http::Framing::None {
            let sent = reader.get_ref().write_all(b"HTTP/1.1 100 Continue\r\n\r\n");
            if sent.is_err() {
                return;
            }
        }
        let body = match http::read_body(&mut reader, &framing) {
            Ok(b) => b,
            Err(e) => return refuse(&mut reader, e, shared, &head.method, &head.path),
        };
        let req = Request { head, body };
        let keep_alive = req.head.keep_alive();
        let head_only = req.head.method == "HEAD";

        let (plan, errcode, fault) = decide(shared, &req);
        let status = match &plan {
            Plan::Send(r) | Plan::Delay(_, r) | Plan::Stall(_, r) | Plan::Truncate(r) => Some(r.status),
            Plan::Huge(_) => Some(200),
            Plan::Reset => None,
        };
        let next = plan.execute(reader.get_ref(), keep_alive, head_only);
        log(shared, &req.head.method, &req.head.path, status, errcode, fault, started);
        match next {
            Next::KeepOpen => {}
            Next::Close => return http::linger_close(&mut reader),
            Next::Abort => return abort_on_close(reader.get_ref()),
        }
    }
}

/// Routes a request and decides the answer under the lock; nothing here touches a socket.
fn decide(shared: &Shared, req: &Request) -> (Plan, Option<i64>, Option<&'static str>) {
    if req.head.method == "OPTIONS" {
        return (Plan::Send(preflight(&req.head)), None, None);
    }
    if req.head.method == "POST" && req.head.path == "/__sim/push" {
        return (Plan::Send(push_now(shared, req)), None, None);
    }
    let mut state = lock(&shared.state);
    if control::is_control(&req.head.path) {
        (Plan::Send(control::handle(&mut state, req)), None, None)
    } else {
        let o = wechat::handle(&mut state, req);
        (o.plan, o.errcode, o.fault)
    }
}

/// `POST /__sim/push {"url","info_type","authorizer_appid"?}`: prepared under the lock, sent
/// without it (the receiver may call the simulator back), recorded under it again.
fn push_now(shared: &Shared, req: &Request) -> Response {
    let prepared = serde_json::from_slice::<serde_json::Value>(&req.body)
        .map_err(|e| format!("body is not JSON: {e}"))
        .and_then(|v| {
            let url = v.get("url").and_then(|u| u.as_str()).ok_or("url must be a string")?.to_string();
            let info_type =
                v.get("info_type").and_then(|t| t.as_str()).ok_or("info_type must be a string")?.to_string();
            let appid = match v.get("authorizer_appid") {
                None | Some(serde_json::Value::Null) => None,
                Some(serde_json::Value::String(a)) if !a.is_empty() => Some(a.clone()),
                Some(_) => return Err("authorizer_appid must be a non-empty string".to_string()),
            };
            push::prepare(&mut lock(&shared.state), &url, &info_type, appid.as_deref())
        });
    match prepared {
        Err(msg) => Response::json(400, http::error_json(&msg)),
        Ok(p) => {
            let record = push::send(p);
            let v = push::finish(&mut lock(&shared.state), record);
            Response::json(200, v.to_string())
        }
    }
}

/// Sends a `component_verify_ticket` to the setting `pushUrl` every `ticketPushSeconds` of the
/// simulated clock (the first as soon as a URL is set), forever.
pub fn ticket_pusher(shared: Arc<Shared>) {
    loop {
        std::thread::sleep(Duration::from_millis(200));
        let prepared = {
            let mut state = lock(&shared.state);
            let settings = &state.store.settings;
            let (url, every) = (settings.push_url.clone(), settings.ticket_push_seconds);
            let now = state.clock.now();
            let due = state.last_ticket_push.is_none_or(|at| now.saturating_sub(at).as_secs() >= every);
            match url {
                Some(url) if every > 0 && due => {
                    state.last_ticket_push = Some(now);
                    push::prepare(&mut state, &url, "component_verify_ticket", None).ok()
                }
                _ => None,
            }
        };
        if let Some(p) = prepared {
            let record = push::send(p);
            push::finish(&mut lock(&shared.state), record);
        }
    }
}

/// The CORS preflight answer: allow anything the browser asks for.
fn preflight(head: &http::Head) -> Response {
    let asked = head.header("access-control-request-headers").filter(|h| !h.is_empty()).unwrap_or("content-type");
    let mut headers = vec![
        ("Access-Control-Allow-Methods".to_string(), "GET, POST, OPTIONS".to_string()),
        ("Access-Control-Allow-Headers".to_string(), asked.to_string()),
        ("Access-Control-Max-Age".to_string(), "600".to_string()),
    ];
    // Chromium asks before a page on a less private address may reach loopback.
    if head.header("access-control-request-private-network") == Some("true") {
        headers.push(("Access-Control-Allow-Private-Network".to_string(), "true".to_string()));
    }
    Response { status: 204, content_type: None, headers, body: Vec::new() }
}

/// Answers a request that could not be read, then closes: its framing is unknown, so
/// nothing after it on the connection can be trusted.
fn refuse(reader: &mut BufReader<TcpStream>, e: http::HttpError, shared: &Shared, method: &str, path: &str) {
    if let Some(resp) = e.response() {
        let _ = resp.write_to(reader.get_ref(), false, false);
        log(shared, method, path, Some(resp.status), None, None, Instant::now());
        http::linger_close(reader);
    }
}

/// One line per request on stderr. Only method, path (never the query, which holds the
/// token), status, errcode, fault kind and time: no tokens, bodies or config values.
fn log(
    shared: &Shared,
    method: &str,
    path: &str,
    status: Option<u16>,
    errcode: Option<i64>,
    fault: Option<&str>,
    started: Instant,
) {
    if shared.quiet {
        return;
    }
    let path: String = path.chars().take(200).collect();
    let status = status.map_or("-".to_string(), |s| s.to_string());
    let errcode = errcode.map_or("-".to_string(), |c| c.to_string());
    let fault = fault.map(|f| format!(" fault={f}")).unwrap_or_default();
    let ms = started.elapsed().as_millis();
    eprintln!("{method} {path} {status} errcode={errcode}{fault} {ms}ms");
}
