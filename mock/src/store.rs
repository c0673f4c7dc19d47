//! What the simulator knows: configs, tokens, recorded requests and pending faults.
//!
//! All of it sits in one `State` behind one mutex. Every handler takes the lock only to
//! decide what to answer and releases it before touching a socket, so a stalled or slow
//! client never blocks anyone else.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};

use serde_json::Value;

use crate::faults::PendingFault;
use crate::http::object;

/// Oldest records are dropped past this many, so a long load test cannot exhaust memory.
pub const MAX_RECORDS: usize = 20_000;

/// (env, function_name, type) → raw config text.
type ConfigKey = (String, String, u8);

/// Configs and tokens: the part of the state that a seed describes and a reset restores.
#[derive(Clone, Debug, Default)]
pub struct Store {
    tokens: HashSet<String>,
    expired: HashSet<String>,
    configs: HashMap<ConfigKey, String>,
}

/// How a presented access token is judged.
#[derive(Debug, PartialEq, Eq)]
pub enum TokenStatus {
    Valid,
    Expired,
    Invalid,
}

impl Store {
    /// Builds a store from seed JSON (see `seed.json` for the format). Errors name the
    /// offending field so a broken seed file is quick to fix.
    pub fn from_seed(text: &str) -> Result<Store, String> {
        let root: Value = serde_json::from_str(text).map_err(|e| format!("seed is not JSON: {e}"))?;
        let root = root.as_object().ok_or("seed must be a JSON object")?;
        let mut store = Store::default();
        let valid = string_list(root.get("tokens"), "tokens")?;
        let expired = string_list(root.get("expiredTokens"), "expiredTokens")?;
        store.add_tokens(&valid, &expired);

        let functions = match root.get("functions") {
            None | Some(Value::Null) => &[][..],
            Some(Value::Array(a)) => a.as_slice(),
            Some(_) => return Err("seed: functions must be an array".into()),
        };
        for (i, f) in functions.iter().enumerate() {
            let at = format!("seed: functions[{i}]");
            let env = non_empty_str(f.get("env")).ok_or(format!("{at}.env must be a non-empty string"))?;
            let name = non_empty_str(f.get("name")).ok_or(format!("{at}.name must be a non-empty string"))?;
            let configs = match f.get("configs") {
                None | Some(Value::Null) => continue,
                Some(Value::Object(m)) => m,
                Some(_) => return Err(format!("{at}.configs must be an object")),
            };
            for (key, value) in configs {
                let ty = key
                    .parse::<u8>()
                    .ok()
                    .filter(|t| (1..=3).contains(t))
                    .ok_or(format!("{at}.configs: key {key:?} is not a config type (1, 2 or 3)"))?;
                store.set_config(env, name, ty, value);
            }
        }
        Ok(store)
    }

    /// Sets one config from a JSON value: a string is kept verbatim, `null` removes the
    /// config, anything else is stored as its compact serialisation (keys sorted).
    pub fn set_config(&mut self, env: &str, name: &str, ty: u8, value: &Value) {
        let key = (env.to_string(), name.to_string(), ty);
        match value {
            Value::Null => {
                self.configs.remove(&key);
            }
            Value::String(s) => {
                self.configs.insert(key, s.clone());
            }
            other => {
                self.configs.insert(key, other.to_string());
            }
        }
    }

    pub fn config(&self, env: &str, name: &str, ty: u8) -> Option<&str> {
        self.configs.get(&(env.to_string(), name.to_string(), ty)).map(String::as_str)
    }

    /// Adds tokens. A token moves between the two sets rather than sitting in both, so a
    /// test can "renew" an expired token by adding it as valid.
    pub fn add_tokens(&mut self, valid: &[String], expired: &[String]) {
        for t in valid {
            self.expired.remove(t);
            self.tokens.insert(t.clone());
        }
        for t in expired {
            self.tokens.remove(t);
            self.expired.insert(t.clone());
        }
    }

    pub fn token_status(&self, token: &str) -> TokenStatus {
        if self.expired.contains(token) {
            TokenStatus::Expired
        } else if self.tokens.contains(token) {
            TokenStatus::Valid
        } else {
            TokenStatus::Invalid
        }
    }
}

/// An optional JSON array of strings (absent or null is empty).
pub fn string_list(v: Option<&Value>, field: &str) -> Result<Vec<String>, String> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(a)) => {
            a.iter().map(|t| t.as_str().map(str::to_string).ok_or(format!("{field} must hold strings only"))).collect()
        }
        Some(_) => Err(format!("{field} must be an array of strings")),
    }
}

pub fn non_empty_str(v: Option<&Value>) -> Option<&str> {
    v.and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// A config type from a JSON number. Only 1, 2 and 3 exist; `2.0` counts as 2.
pub fn config_type(v: &Value) -> Option<u8> {
    let n =
        v.as_u64().or_else(|| v.as_f64().filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f <= 3.0).map(|f| f as u64))?;
    u8::try_from(n).ok().filter(|t| (1..=3).contains(t))
}

/// One request seen on the WeChat side, as `/__sim/requests` reports it.
#[derive(Clone, Debug)]
pub struct Record {
    pub seq: u64,
    pub method: String,
    pub path: String,
    pub query: String,
    pub access_token: Option<String>,
    pub body: String,
    pub function_name: Option<String>,
    /// The errcode answered; `None` when the answer (a fault) carried none.
    pub errcode: Option<i64>,
    pub fault: Option<&'static str>,
}

impl Record {
    pub fn to_json(&self) -> String {
        object(&[
            ("seq", self.seq.into()),
            ("method", self.method.as_str().into()),
            ("path", self.path.as_str().into()),
            ("query", self.query.as_str().into()),
            ("accessToken", self.access_token.clone().into()),
            ("body", self.body.as_str().into()),
            ("functionName", self.function_name.clone().into()),
            ("errcode", self.errcode.into()),
            ("fault", self.fault.into()),
        ])
    }
}

/// Everything the server knows, guarded by one mutex in `Shared`.
pub struct State {
    seed: Store,
    pub store: Store,
    records: VecDeque<Record>,
    next_seq: u64,
    pub faults: Vec<PendingFault>,
    rid_prefix: u32,
    rid_counter: u32,
}

impl State {
    pub fn new(seed: Store) -> State {
        // The start time makes request ids differ between runs, like WeChat's do.
        let rid_prefix =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as u32).unwrap_or(0);
        State {
            store: seed.clone(),
            seed,
            records: VecDeque::new(),
            next_seq: 1,
            faults: Vec::new(),
            rid_prefix,
            rid_counter: 0,
        }
    }

    /// Back to the state the server started with: the seed, no records, no faults.
    /// Sequence numbers keep counting so records from before a reset are never confused
    /// with new ones.
    pub fn reset(&mut self) {
        self.store = self.seed.clone();
        self.records.clear();
        self.faults.clear();
    }

    /// Stores a record, giving it the next sequence number.
    pub fn record(&mut self, mut r: Record) {
        r.seq = self.next_seq;
        self.next_seq += 1;
        if self.records.len() >= MAX_RECORDS {
            self.records.pop_front();
        }
        self.records.push_back(r);
    }

    pub fn records(&self) -> impl Iterator<Item = &Record> {
        self.records.iter()
    }

    /// A WeChat-style request id, appended to every errmsg but "ok".
    pub fn next_rid(&mut self) -> String {
        self.rid_counter = self.rid_counter.wrapping_add(1);
        format!("{:08x}-{:08x}", self.rid_prefix, self.rid_counter)
    }
}

/// Takes the lock even if a thread panicked while holding it: the state is plain data
/// that stays consistent between statements, so serving on is better than failing every
/// later request.
pub fn lock(m: &Mutex<State>) -> MutexGuard<'_, State> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}
