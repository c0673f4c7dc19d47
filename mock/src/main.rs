//! `tcb-sim`: a local stand-in for WeChat's `tcb/getfuncconfig` API, its siblings
//! `tcb/uploadfuncconfig` and `tcb/listfunctions`, and the token endpoints that feed them,
//! with a control API under `/__sim/` for tests to seed data, steer the clock, inspect
//! requests and uploads, install hooks and inject faults.
//!
//! Usage: `tcb-sim [--host 127.0.0.1] [--port N] [--seed FILE] [--port-file PATH] [--authorizers N] [--quiet]`

mod auth;
mod authorizers;
mod control;
mod envs;
mod faults;
mod functions;
mod hooks;
mod http;
mod platform;
mod push;
mod server;
mod store;
mod tokens;
mod wechat;

use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use store::{State, Store};

/// The data served when no `--seed` is given.
const DEFAULT_SEED: &str = include_str!("../seed.json");

const USAGE: &str =
    "usage: tcb-sim [--host 127.0.0.1] [--port N] [--seed FILE] [--port-file PATH] [--authorizers N] [--quiet]";

struct Options {
    host: String,
    port: u16,
    seed: Option<PathBuf>,
    port_file: Option<PathBuf>,
    authorizers: Option<u64>,
    quiet: bool,
}

fn parse_args(args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut o =
        Options { host: "127.0.0.1".into(), port: 0, seed: None, port_file: None, authorizers: None, quiet: false };
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        // Both `--flag value` and `--flag=value` are accepted.
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = || inline.clone().or_else(|| args.next()).ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--host" => o.host = value()?,
            "--port" => {
                let v = value()?;
                o.port = v.parse().map_err(|_| format!("--port: {v:?} is not a port number"))?;
            }
            "--seed" => o.seed = Some(value()?.into()),
            "--port-file" => o.port_file = Some(value()?.into()),
            "--authorizers" => {
                let v = value()?;
                o.authorizers = Some(v.parse().map_err(|_| format!("--authorizers: {v:?} is not a whole number"))?);
            }
            "--quiet" => o.quiet = true,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(o)
}

/// Writes the port where scripts wait for it. Written to a temporary name and renamed, so
/// a reader never sees a half-written file.
fn write_port_file(path: &Path, port: u16) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".{}.tmp", std::process::id()));
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, port.to_string())?;
    std::fs::rename(&tmp, path)
}

fn main() -> ExitCode {
    let opts = match parse_args(std::env::args().skip(1)) {
        Ok(o) => o,
        Err(msg) if msg.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(msg) => {
            eprintln!("tcb-sim: {msg}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let seed_text = match &opts.seed {
        None => DEFAULT_SEED.to_string(),
        Some(p) => match std::fs::read_to_string(p) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("tcb-sim: cannot read seed {}: {e}", p.display());
                return ExitCode::from(2);
            }
        },
    };
    let seed = match Store::from_seed(&seed_text).and_then(|mut s| {
        if let Some(n) = opts.authorizers {
            s.generate_authorizers(n).map_err(|e| format!("--authorizers: {e}"))?;
        }
        Ok(s)
    }) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("tcb-sim: {e}");
            return ExitCode::from(2);
        }
    };
    let listener = match TcpListener::bind((opts.host.as_str(), opts.port)) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("tcb-sim: cannot listen on {}:{}: {e}", opts.host, opts.port);
            return ExitCode::from(1);
        }
    };
    let addr = match listener.local_addr() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("tcb-sim: {e}");
            return ExitCode::from(1);
        }
    };
    if let Some(p) = &opts.port_file {
        if let Err(e) = write_port_file(p, addr.port()) {
            eprintln!("tcb-sim: cannot write port file {}: {e}", p.display());
            return ExitCode::from(1);
        }
    }
    let mut out = std::io::stdout();
    let _ = writeln!(out, "tcb-sim listening on http://{addr}");
    let _ = out.flush();

    let shared = Arc::new(server::Shared { state: Mutex::new(State::new(seed)), quiet: opts.quiet });
    let pusher = Arc::clone(&shared);
    let spawned = std::thread::Builder::new().name("ticket-push".into()).spawn(move || server::ticket_pusher(pusher));
    if let Err(e) = spawned {
        eprintln!("tcb-sim: cannot start the ticket pusher: {e}");
        return ExitCode::from(1);
    }
    server::run(listener, shared);
    ExitCode::SUCCESS
}
