//! What the simulator knows: functions and their configs, tokens, apps and platforms,
//! recorded requests, upload counts, pending faults and hooks.
//!
//! All of it sits in one `State` behind one mutex. Every handler takes the lock only to
//! decide what to answer and releases it before touching a socket, so a stalled or slow
//! client never blocks anyone else.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use serde_json::Value;

use crate::authorizers::{self, Authorizer, EnvInfo};
use crate::faults::PendingFault;
use crate::hooks::{self, After, Hook};
use crate::http::object;
use crate::tokens::{Clock, Judged, Kind, Settings, Tokens};

/// Oldest records are dropped past this many, so a long load test cannot exhaust memory.
pub const MAX_RECORDS: usize = 20_000;

/// Distinct paths counted per reset at most; requests to further new paths are not counted.
pub const MAX_COUNTED_PATHS: usize = 1000;
/// Replaced verify tickets remembered per platform, to tell "expired" from "not current".
const OLD_TICKETS: usize = 16;
/// Functions kept at most (seeded, created through the control API, or given a config), so
/// no sequence of control calls can exhaust memory.
pub const MAX_FUNCTIONS: usize = 100_000;

/// The runtime and status a function gets when its seed entry names none, and every function
/// made through the control API.
pub const DEFAULT_RUNTIME: &str = "Nodejs16.13";
pub const DEFAULT_STATUS: &str = "Active";
/// `add_time` of a seed entry that names none: 2023-01-01T00:00:00Z plus a day per entry, so
/// every seeded function has its own fixed time.
const SEED_ADD_TIME: u64 = 1_672_531_200;

/// (env, function_name, type) → raw config text.
type ConfigKey = (String, String, u8);

/// One cloud function, as listfunctions describes it. Its configs are kept apart, by type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Function {
    pub runtime: String,
    pub status: String,
    /// Unix seconds.
    pub add_time: u64,
    /// Unix seconds; every applied upload sets it to the simulated now.
    pub mod_time: u64,
}

impl Function {
    /// A function made just now, with the default runtime and status.
    pub fn new_at(unix_now: u64) -> Function {
        Function {
            runtime: DEFAULT_RUNTIME.to_string(),
            status: DEFAULT_STATUS.to_string(),
            add_time: unix_now,
            mod_time: unix_now,
        }
    }
}

/// A third-party platform ("component") and the accounts that authorised it.
#[derive(Clone, Debug)]
pub struct Component {
    pub secret: String,
    /// The current `component_verify_ticket` and when it was pushed.
    pub ticket: String,
    pub ticket_at: Duration,
    /// Tickets it replaced, oldest first, with when each was pushed.
    pub old_tickets: VecDeque<(String, Duration)>,
    /// The accounts that authorised it (withdrawn ones kept, marked), by appid.
    pub authorizers: BTreeMap<String, Authorizer>,
    /// The message token and EncodingAESKey pushes are signed and encrypted with.
    pub message_token: String,
    pub encoding_aes_key: String,
}

/// The message token of a seeded platform that names none.
pub const DEFAULT_MESSAGE_TOKEN: &str = "sim-component-token";
/// The EncodingAESKey of a seeded platform that names none (43 characters).
pub const DEFAULT_AES_KEY: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

impl Component {
    /// Judges a presented ticket: 61005 when it is a known ticket older than `ttl`, 61006
    /// when it is otherwise not the current one.
    pub fn check_ticket(&self, ticket: &str, now: Duration, ttl: Duration) -> Result<(), i64> {
        let pushed = if ticket == self.ticket {
            Some(self.ticket_at)
        } else {
            self.old_tickets.iter().find(|(t, _)| t == ticket).map(|(_, at)| *at)
        };
        match pushed {
            Some(at) if now.saturating_sub(at) > ttl => Err(61005),
            Some(_) if ticket == self.ticket => Ok(()),
            _ => Err(61006),
        }
    }

    /// A new ticket arrives, as WeChat pushes one every ten minutes.
    pub fn push_ticket(&mut self, ticket: &str, now: Duration) {
        let old = std::mem::replace(&mut self.ticket, ticket.to_string());
        if old != ticket {
            if self.old_tickets.len() >= OLD_TICKETS {
                self.old_tickets.pop_front();
            }
            self.old_tickets.push_back((old, self.ticket_at));
        }
        self.ticket_at = now;
    }
}

/// Functions, configs, tokens, apps, platforms and settings: the part of the state that a
/// seed describes and a reset restores.
#[derive(Clone, Debug, Default)]
pub struct Store {
    tokens: HashSet<String>,
    expired: HashSet<String>,
    /// (env, name) → the function. Ordered, so an env's functions come sorted by name.
    functions: BTreeMap<(String, String), Function>,
    configs: HashMap<ConfigKey, String>,
    /// env → whose it is and how getenvinfo describes it.
    envs: BTreeMap<String, EnvInfo>,
    /// Mini programs: appid → secret.
    pub apps: BTreeMap<String, String>,
    /// Third-party platforms by component_appid.
    pub components: BTreeMap<String, Component>,
    pub settings: Settings,
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

        for (i, f) in array(root.get("functions"), "functions")?.iter().enumerate() {
            let at = format!("seed: functions[{i}]");
            let env = non_empty_str(f.get("env")).ok_or(format!("{at}.env must be a non-empty string"))?;
            let name = non_empty_str(f.get("name")).ok_or(format!("{at}.name must be a non-empty string"))?;
            let text = |key: &str, default: &str| match f.get(key) {
                None | Some(Value::Null) => Ok(default.to_string()),
                v => non_empty_str(v).map(str::to_string).ok_or(format!("{at}.{key} must be a non-empty string")),
            };
            let time = |key: &str, default: u64| match f.get(key) {
                None | Some(Value::Null) => Ok(default),
                Some(v) => v.as_u64().ok_or(format!("{at}.{key} must be a whole number of Unix seconds")),
            };
            let add_time = time("add_time", SEED_ADD_TIME + 86_400 * i as u64)?;
            let function = Function {
                runtime: text("runtime", DEFAULT_RUNTIME)?,
                status: text("status", DEFAULT_STATUS)?,
                add_time,
                mod_time: time("mod_time", add_time)?,
            };
            // A second entry for the same function only adds configs.
            store.envs.entry(env.to_string()).or_insert_with(|| EnvInfo::new(env, "", add_time));
            store.functions.entry((env.to_string(), name.to_string())).or_insert(function);
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

        for (i, app) in array(root.get("apps"), "apps")?.iter().enumerate() {
            let at = format!("seed: apps[{i}]");
            let appid = non_empty_str(app.get("appid")).ok_or(format!("{at}.appid must be a non-empty string"))?;
            let secret = non_empty_str(app.get("secret")).ok_or(format!("{at}.secret must be a non-empty string"))?;
            if store.apps.insert(appid.to_string(), secret.to_string()).is_some() {
                return Err(format!("{at}: appid {appid:?} appears twice"));
            }
        }
        for (i, c) in array(root.get("components"), "components")?.iter().enumerate() {
            let at = format!("seed: components[{i}]");
            let text = |key: &str| non_empty_str(c.get(key)).ok_or(format!("{at}.{key} must be a non-empty string"));
            let appid = text("component_appid")?;
            let optional = |key: &str, default: &str| match c.get(key) {
                None | Some(Value::Null) => Ok(default.to_string()),
                v => non_empty_str(v).map(str::to_string).ok_or(format!("{at}.{key} must be a non-empty string")),
            };
            let encoding_aes_key = optional("encoding_aes_key", DEFAULT_AES_KEY)?;
            if encoding_aes_key.len() != 43 {
                return Err(format!("{at}.encoding_aes_key must be 43 characters"));
            }
            let mut component = Component {
                secret: text("component_appsecret")?.to_string(),
                ticket: text("verify_ticket")?.to_string(),
                ticket_at: Duration::ZERO,
                old_tickets: VecDeque::new(),
                authorizers: BTreeMap::new(),
                message_token: optional("message_token", DEFAULT_MESSAGE_TOKEN)?,
                encoding_aes_key,
            };
            for (j, a) in array(c.get("authorizers"), &format!("{at}.authorizers"))?.iter().enumerate() {
                let at = format!("{at}.authorizers[{j}]");
                let text =
                    |key: &str| non_empty_str(a.get(key)).ok_or(format!("{at}.{key} must be a non-empty string"));
                let authorizer = text("authorizer_appid")?;
                let refresh = text("refresh_token")?;
                let mut entry = Authorizer::seeded(authorizer, refresh);
                for (key, slot) in [
                    ("nick_name", &mut entry.nick_name),
                    ("head_img", &mut entry.head_img),
                    ("principal_name", &mut entry.principal_name),
                ] {
                    if let Some(v) = a.get(key).filter(|v| !v.is_null()) {
                        *slot =
                            non_empty_str(Some(v)).ok_or(format!("{at}.{key} must be a non-empty string"))?.to_string();
                    }
                }
                if let Some(ids) = a.get("func_info").filter(|v| !v.is_null()) {
                    entry.func_info = ids
                        .as_array()
                        .and_then(|ids| ids.iter().map(Value::as_u64).collect::<Option<Vec<u64>>>())
                        .ok_or(format!("{at}.func_info must be an array of permission set ids"))?;
                }
                if component.authorizers.insert(authorizer.to_string(), entry).is_some() {
                    return Err(format!("{at}: authorizer_appid {authorizer:?} appears twice"));
                }
            }
            if store.components.insert(appid.to_string(), component).is_some() {
                return Err(format!("{at}: component_appid {appid:?} appears twice"));
            }
        }
        match root.get("settings") {
            None | Some(Value::Null) => {}
            Some(v) => store.settings.apply(v).map_err(|e| format!("seed: settings: {e}"))?,
        }
        match root.get("generatedAuthorizers") {
            None | Some(Value::Null) => {}
            Some(v) => {
                let n = v.as_u64().ok_or("seed: generatedAuthorizers must be a whole number")?;
                store.generate_authorizers(n)?;
            }
        }
        Ok(store)
    }

    /// Adds generated accounts 1 to `count` (see `authorizers::generate`) to the first
    /// platform, with their environments, functions and configs; those present are left
    /// alone. Returns how many were added.
    pub fn generate_authorizers(&mut self, count: u64) -> Result<u64, String> {
        if count > authorizers::MAX_GENERATED {
            return Err(format!("at most {} generated authorizers", authorizers::MAX_GENERATED));
        }
        let component = self.components.keys().next().cloned().ok_or("no component to authorise")?;
        let mut added = 0;
        for i in 1..=count {
            let (appid, authorizer, envs) = authorizers::generate(i);
            if self.components.get(&component).is_some_and(|c| c.authorizers.contains_key(&appid)) {
                continue;
            }
            let new_functions: usize = envs.iter().map(|(_, _, f)| f.len()).sum();
            if self.functions.len() + new_functions > MAX_FUNCTIONS {
                return Err(format!("the simulator holds {MAX_FUNCTIONS} functions at most"));
            }
            for (env, info, functions) in envs {
                for (name, function, configs) in functions {
                    for (ty, config) in (1u8..).zip(configs) {
                        self.put_config(&env, &name, ty, config);
                    }
                    self.functions.insert((env.clone(), name), function);
                }
                self.envs.insert(env, info);
            }
            if let Some(c) = self.components.get_mut(&component) {
                c.authorizers.insert(appid, authorizer);
            }
            added += 1;
        }
        Ok(added)
    }

    /// An authorizer by appid, on whichever platform it authorised.
    pub fn authorizer(&self, appid: &str) -> Option<&Authorizer> {
        self.components.values().find_map(|c| c.authorizers.get(appid))
    }

    /// Whether `env` belongs to `scope`. An env the simulator never heard of belongs to the
    /// seed's scope, so it answers as unknown there and nowhere else.
    pub fn env_in_scope(&self, env: &str, scope: &str) -> bool {
        self.envs.get(env).map_or(scope.is_empty(), |e| e.scope == scope)
    }

    /// The envs of a scope, by id.
    pub fn envs_of<'a>(&'a self, scope: &'a str) -> impl Iterator<Item = (&'a str, &'a EnvInfo)> + 'a {
        self.envs.iter().filter(move |(_, e)| e.scope == scope).map(|(k, e)| (k.as_str(), e))
    }

    /// Sets an env's description (and owner).
    pub fn put_env(&mut self, env: &str, info: EnvInfo) {
        self.envs.insert(env.to_string(), info);
    }

    /// Makes an env in `scope` unless it exists; an existing env of another scope is an error.
    pub fn claim_env(&mut self, env: &str, scope: &str, unix: u64) -> Result<(), String> {
        match self.envs.get(env) {
            Some(e) if e.scope != scope => Err(format!("env {env:?} belongs to another authorizer")),
            Some(_) => Ok(()),
            None => {
                self.envs.insert(env.to_string(), EnvInfo::new(env, scope, unix));
                Ok(())
            }
        }
    }

    /// Dates every platform's current ticket from `now`, as if WeChat had just pushed it.
    fn stamp_tickets(&mut self, now: Duration) {
        for c in self.components.values_mut() {
            c.ticket_at = now;
        }
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

    /// Sets one config to this text, or removes it (`None`).
    pub fn put_config(&mut self, env: &str, name: &str, ty: u8, text: Option<String>) {
        let key = (env.to_string(), name.to_string(), ty);
        match text {
            Some(t) => self.configs.insert(key, t),
            None => self.configs.remove(&key),
        };
    }

    pub fn function(&self, env: &str, name: &str) -> Option<&Function> {
        self.functions.get(&(env.to_string(), name.to_string()))
    }

    pub fn function_mut(&mut self, env: &str, name: &str) -> Option<&mut Function> {
        self.functions.get_mut(&(env.to_string(), name.to_string()))
    }

    /// An env's functions, sorted by name.
    pub fn functions_in<'a>(&'a self, env: &'a str) -> impl Iterator<Item = (&'a str, &'a Function)> + 'a {
        self.functions
            .range((env.to_string(), String::new())..)
            .take_while(move |((e, _), _)| e == env)
            .map(|((_, name), f)| (name.as_str(), f))
    }

    /// Whether an env exists, that is, has at least one function.
    pub fn has_env(&self, env: &str) -> bool {
        self.envs.contains_key(env) || self.functions_in(env).next().is_some()
    }

    /// Adds a function unless one of that name exists. `Ok(true)` when it was added;
    /// an error past `MAX_FUNCTIONS`.
    pub fn add_function(&mut self, env: &str, name: &str, f: Function) -> Result<bool, String> {
        let key = (env.to_string(), name.to_string());
        if self.functions.contains_key(&key) {
            return Ok(false);
        }
        if self.functions.len() >= MAX_FUNCTIONS {
            return Err(format!("the simulator holds {MAX_FUNCTIONS} functions at most"));
        }
        self.envs.entry(env.to_string()).or_insert_with(|| EnvInfo::new(env, "", f.add_time));
        self.functions.insert(key, f);
        Ok(true)
    }

    pub fn function_count(&self) -> usize {
        self.functions.len()
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

/// An optional JSON array (absent or null is empty).
fn array<'a>(v: Option<&'a Value>, field: &str) -> Result<&'a [Value], String> {
    match v {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(a)) => Ok(a),
        Some(_) => Err(format!("seed: {field} must be an array")),
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
    /// One-shot hooks, in the order they were installed.
    pub hooks: Vec<Hook>,
    /// (env, name) → applied uploads by type (index 0 is type 1) since the last reset.
    uploads: BTreeMap<(String, String), [u64; 3]>,
    rid_prefix: u32,
    rid_counter: u32,
    pub tokens: Tokens,
    pub clock: Clock,
    /// Requests received per WeChat-side path since the last reset.
    counters: BTreeMap<String, u64>,
    /// Quota key → (when its window opened, tcb requests in it).
    quota: HashMap<String, (Duration, u64)>,
    /// Live pre-auth codes → (component_appid, expiry).
    pub preauth_codes: HashMap<String, (String, Duration)>,
    /// Unused authorization codes → who they authorise and when they expire.
    pub auth_codes: HashMap<String, AuthCode>,
    /// Pushes sent to a platform's event URL, oldest first.
    pub pushes: VecDeque<crate::push::PushRecord>,
    /// When the background ticket push last went out, on the simulated clock.
    pub last_ticket_push: Option<Duration>,
}

/// How long a per-minute quota window lasts.
const QUOTA_WINDOW: Duration = Duration::from_secs(60);
/// Tracked quota keys at most before stale minutes are dropped.
const MAX_QUOTA_KEYS: usize = 100_000;
/// Codes (pre-auth and authorization) kept at most; the oldest expiry goes first past it.
pub const MAX_CODES: usize = 10_000;

/// Who a tcb token speaks for: the key its per-minute quota counts under and the data it sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub quota_key: String,
    pub scope: String,
}

/// An authorization code handed out by `/__sim/authorize` or an `authorized` push.
#[derive(Debug, Clone)]
pub struct AuthCode {
    pub component_appid: String,
    pub authorizer_appid: String,
    pub expires_at: Duration,
}

impl State {
    pub fn new(seed: Store) -> State {
        // The start time makes request ids differ between runs, like WeChat's do.
        let rid_prefix =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as u32).unwrap_or(0);
        let clock = Clock::default();
        let mut store = seed.clone();
        store.stamp_tickets(clock.now());
        State {
            store,
            seed,
            records: VecDeque::new(),
            next_seq: 1,
            faults: Vec::new(),
            hooks: Vec::new(),
            uploads: BTreeMap::new(),
            rid_prefix,
            rid_counter: 0,
            tokens: Tokens::default(),
            clock,
            counters: BTreeMap::new(),
            quota: HashMap::new(),
            preauth_codes: HashMap::new(),
            auth_codes: HashMap::new(),
            pushes: VecDeque::new(),
            last_ticket_push: None,
        }
    }

    /// Back to the state the server started with: the seed (its functions, configs, and
    /// tickets pushed just now), no records, faults, hooks, issued tokens or counts. Sequence
    /// numbers keep counting and the clock keeps running, so nothing from before a reset is
    /// confused with what follows.
    pub fn reset(&mut self) {
        self.store = self.seed.clone();
        self.store.stamp_tickets(self.clock.now());
        self.records.clear();
        self.faults.clear();
        self.hooks.clear();
        self.uploads.clear();
        self.tokens.clear();
        self.counters.clear();
        self.quota.clear();
        self.preauth_codes.clear();
        self.auth_codes.clear();
        self.pushes.clear();
        self.last_ticket_push = None;
    }

    /// Counts a request to a WeChat-side path.
    pub fn count(&mut self, path: &str) {
        let path: String = path.chars().take(200).collect();
        if let Some(n) = self.counters.get_mut(&path) {
            *n += 1;
        } else if self.counters.len() < MAX_COUNTED_PATHS {
            self.counters.insert(path, 1);
        }
    }

    pub fn counters(&self) -> &BTreeMap<String, u64> {
        &self.counters
    }

    /// Who a tcb request's token speaks for, judged as WeChat would: the seeded and added
    /// tokens first (the seed's data), then issued ones. Only authorizer tokens are accepted,
    /// and stable tokens when the setting says so. An authorizer's token is refused once its
    /// authorization is withdrawn (40001) and when it granted no cloud development (61007).
    /// Answers the caller's quota key and data scope.
    pub fn tcb_caller(&self, token: &str) -> Result<Caller, i64> {
        let seed_caller = || Caller { quota_key: String::new(), scope: String::new() };
        match self.store.token_status(token) {
            TokenStatus::Valid => return Ok(seed_caller()),
            TokenStatus::Expired => return Err(42001),
            TokenStatus::Invalid => {}
        }
        match self.tokens.judge(token, self.clock.now()) {
            Judged::Unknown => Err(40014),
            Judged::Replaced => Err(40001),
            Judged::Expired => Err(42001),
            Judged::Live(Kind::Authorizer { appid }, _) => match self.store.authorizer(appid) {
                Some(a) if !a.authorized => Err(40001),
                Some(a) if !a.has_cloud_dev() => Err(61007),
                Some(a) => Ok(Caller { quota_key: appid.clone(), scope: a.scope.clone() }),
                None => Ok(seed_caller()),
            },
            Judged::Live(Kind::Stable { .. }, _) if self.store.settings.stable_tokens_on_tcb => Ok(seed_caller()),
            Judged::Live(..) => Err(40014),
        }
    }

    /// Counts one tcb request against the caller's per-minute quota (setting
    /// `perMinuteQuota`, per authorizer): a window opens at the first request and lasts 60
    /// simulated seconds; past the quota within it → 45011. A refused request is not counted.
    pub fn take_quota(&mut self, key: &str) -> Result<(), i64> {
        let limit = self.store.settings.per_minute_quota;
        if limit == 0 {
            return Ok(());
        }
        let now = self.clock.now();
        let fresh = |start: Duration| now.saturating_sub(start) >= QUOTA_WINDOW;
        if self.quota.len() >= MAX_QUOTA_KEYS && !self.quota.contains_key(key) {
            self.quota.retain(|_, (start, _)| !fresh(*start));
        }
        let slot = self.quota.entry(key.to_string()).or_insert((now, 0));
        if fresh(slot.0) {
            *slot = (now, 0);
        }
        if slot.1 >= limit {
            return Err(45011);
        }
        slot.1 += 1;
        Ok(())
    }

    /// Sets a config from the control API or a hook: a string verbatim, `null` removes, any
    /// other value as its compact JSON. A config for a function the simulator does not know
    /// makes the function, made now; one past `MAX_FUNCTIONS` is refused.
    pub fn set_config(&mut self, env: &str, name: &str, ty: u8, value: &Value) -> Result<(), String> {
        if !value.is_null() {
            let now = self.clock.unix_now();
            self.store.add_function(env, name, Function::new_at(now))?;
        }
        self.store.set_config(env, name, ty, value);
        Ok(())
    }

    /// Counts an applied upload and stamps the function's `mod_time` with the simulated now.
    pub fn count_upload(&mut self, env: &str, name: &str, ty: u8) {
        let now = self.clock.unix_now();
        if let Some(f) = self.store.function_mut(env, name) {
            f.mod_time = now;
        }
        if let Some(slot) = self.upload_slot(env, name, ty) {
            *slot += 1;
        }
    }

    fn upload_slot(&mut self, env: &str, name: &str, ty: u8) -> Option<&mut u64> {
        let i = usize::from(ty).checked_sub(1).filter(|i| *i < 3)?;
        self.uploads.entry((env.to_string(), name.to_string())).or_default().get_mut(i)
    }

    /// Applied uploads of one function by type since the last reset (zeros when none).
    pub fn upload_counts(&self, env: &str, name: &str) -> [u64; 3] {
        self.uploads.get(&(env.to_string(), name.to_string())).copied().unwrap_or_default()
    }

    /// Every function with at least one applied upload, ordered by env then name.
    pub fn uploaded(&self) -> impl Iterator<Item = (&str, &str, [u64; 3])> {
        self.uploads.iter().filter(|(_, n)| n.iter().sum::<u64>() > 0).map(|((e, f), n)| (e.as_str(), f.as_str(), *n))
    }

    /// Tells the hooks an event happened to (env, name, type) and carries out those that
    /// fire, in the order they were installed. A hook's write is not an upload: it is not
    /// counted and leaves `mod_time` alone.
    pub fn hook_event(&mut self, after: After, env: &str, name: &str, ty: u8) {
        for config in hooks::fire(&mut self.hooks, after, env, name, ty) {
            let value = config.map_or(Value::Null, Value::String);
            // Only past MAX_FUNCTIONS can this fail; the hook is spent either way.
            let _ = self.set_config(env, name, ty, &value);
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_functions_get_fixed_times_and_defaults() {
        let store = Store::from_seed(
            r#"{"functions":[
                {"env":"e","name":"b","runtime":"Nodejs18.15","add_time":5,"mod_time":6},
                {"env":"e","name":"a"},
                {"env":"f","name":"c","configs":{"1":"{}"}},
                {"env":"e","name":"b","configs":{"2":"{}"}}
            ]}"#,
        )
        .expect("seed");
        let names: Vec<_> = store.functions_in("e").map(|(n, f)| (n, f.add_time, f.mod_time)).collect();
        assert_eq!(names, [("a", SEED_ADD_TIME + 86_400, SEED_ADD_TIME + 86_400), ("b", 5, 6)]);
        assert_eq!(
            store.function("e", "a").map(|f| (f.runtime.as_str(), f.status.as_str())),
            Some(("Nodejs16.13", "Active"))
        );
        assert_eq!(store.function("e", "b").map(|f| f.runtime.as_str()), Some("Nodejs18.15"));
        assert_eq!(store.config("e", "b", 2), Some("{}"), "a repeated entry adds configs");
        assert!(store.has_env("f") && !store.has_env("g") && !store.has_env(""));
        for bad in [
            r#"{"functions":[{"env":"e","name":"n","runtime":""}]}"#,
            r#"{"functions":[{"env":"e","name":"n","status":1}]}"#,
            r#"{"functions":[{"env":"e","name":"n","add_time":-1}]}"#,
            r#"{"functions":[{"env":"e","name":"n","mod_time":"now"}]}"#,
        ] {
            assert!(Store::from_seed(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn functions_are_capped() {
        let mut store = Store::default();
        assert_eq!(store.add_function("e", "a", Function::new_at(1)), Ok(true));
        assert_eq!(store.add_function("e", "a", Function::new_at(2)), Ok(false));
        assert_eq!(store.function("e", "a").map(|f| f.add_time), Some(1), "left alone");
        for i in 1..MAX_FUNCTIONS {
            store.functions.insert(("x".into(), i.to_string()), Function::new_at(0));
        }
        assert!(store.add_function("e", "b", Function::new_at(1)).is_err());
    }
}
