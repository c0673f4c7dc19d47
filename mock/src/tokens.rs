//! Issued tokens, the simulated clock, and the settings that steer the token endpoints.
//!
//! Every token the simulator hands out is kept with what it is (a mini program's stable
//! token, a component token or an authorizer token), when it expires and whether a newer
//! one replaced it, so getfuncconfig and the token endpoints can judge it as WeChat would.

use std::collections::hash_map::RandomState;
use std::collections::{HashMap, VecDeque};
use std::hash::BuildHasher;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

/// Issued tokens kept at most; past this the oldest are forgotten (and then unknown), so a
/// long load test cannot exhaust memory.
pub const MAX_ISSUED: usize = 50_000;
/// The longest time a setting or a clock step may name (ten years), so that adding it to the
/// clock stays far from overflow.
pub const MAX_SECONDS: u64 = 10 * 365 * 86_400;
/// A stable token's `force_refresh` may be used this often per app in any 24 hours…
pub const FORCES_PER_DAY: usize = 20;
/// …and no sooner than this after the previous one.
pub const FORCE_GAP: Duration = Duration::from_secs(30);
const DAY: Duration = Duration::from_secs(86_400);

/// The simulator's clock: monotonic time since start plus however far tests moved it on.
/// It never goes backwards, not even on reset, so nothing can look younger than it is.
#[derive(Debug)]
pub struct Clock {
    start: Instant,
    offset: Duration,
    /// Wall-clock time at start, since the Unix epoch: the base of `unix_now`.
    epoch: Duration,
}

impl Default for Clock {
    fn default() -> Clock {
        let epoch = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
        Clock { start: Instant::now(), offset: Duration::ZERO, epoch }
    }
}

impl Clock {
    pub fn now(&self) -> Duration {
        self.start.elapsed().saturating_add(self.offset)
    }

    /// The simulated time as whole Unix seconds (for `mod_time` and `add_time`): the wall
    /// clock at start plus the simulated time since, so it moves with `/__sim/clock` too.
    pub fn unix_now(&self) -> u64 {
        self.epoch.saturating_add(self.now()).as_secs()
    }

    pub fn advance(&mut self, by: Duration) {
        self.offset = self.offset.saturating_add(by);
    }

    /// How far tests have moved the clock on in total.
    pub fn offset(&self) -> Duration {
        self.offset
    }
}

/// A duration in seconds as JSON: a whole number when it is one, else a fraction.
pub fn seconds_json(d: Duration) -> Value {
    if d.subsec_nanos() == 0 {
        d.as_secs().into()
    } else {
        d.as_secs_f64().into()
    }
}

/// Knobs for the token endpoints and the function endpoints, set through `POST /__sim/settings`
/// or a seed's `settings`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// Lifetime in seconds of every token issued from now on.
    pub token_ttl: u64,
    /// Whether getfuncconfig accepts a mini program's stable token (WeChat refuses it: 40014).
    pub stable_tokens_on_tcb: bool,
    /// Whether the caller's IP is on the third-party platform's whitelist (else 61004).
    pub ip_whitelisted: bool,
    /// Whether each authorizer token fetch replaces the refresh token.
    pub rotate_refresh_tokens: bool,
    /// How long a component verify ticket stays usable after it was pushed, in seconds.
    pub ticket_ttl: u64,
    /// A stable token with no more than this many seconds left is renewed by the next fetch.
    pub renew_window: u64,
    /// How uploadfuncconfig writes a config: replace it whole, or merge into the stored one.
    pub upload_mode: UploadMode,
    /// The key listfunctions answers the runtime under: `runtime` (the doc's example) or
    /// `run_time` (the doc's field table).
    pub list_runtime_key: &'static str,
    /// tcb requests each authorizer may make per minute of the simulated clock; past it they
    /// answer 45011. 0 means no limit.
    pub per_minute_quota: u64,
    /// Where the background `component_verify_ticket` pushes go (a loopback `http://` URL).
    pub push_url: Option<String>,
    /// How often the background push is sent, in simulated seconds; 0 sends none.
    pub ticket_push_seconds: u64,
}

/// How `uploadfuncconfig` treats the config already stored (setting `uploadMode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UploadMode {
    /// The stored text becomes exactly the uploaded text.
    Replace,
    /// Type 3 merges `environment` by key and keeps a stored `timeout` the upload leaves out;
    /// type 1 unions the `openapi` lists; type 2 still replaces.
    Merge,
}

impl UploadMode {
    pub fn name(self) -> &'static str {
        match self {
            UploadMode::Replace => "replace",
            UploadMode::Merge => "merge",
        }
    }
}

/// The values `listRuntimeKey` may take.
pub const RUNTIME_KEYS: [&str; 2] = ["runtime", "run_time"];

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            token_ttl: 7200,
            stable_tokens_on_tcb: false,
            ip_whitelisted: true,
            rotate_refresh_tokens: true,
            ticket_ttl: 12 * 3600,
            renew_window: 300,
            upload_mode: UploadMode::Replace,
            list_runtime_key: RUNTIME_KEYS[0],
            per_minute_quota: 0,
            push_url: None,
            ticket_push_seconds: 600,
        }
    }
}

fn whole_seconds(v: &Value, key: &str, min: u64) -> Result<u64, String> {
    v.as_u64()
        .filter(|n| (min..=MAX_SECONDS).contains(n))
        .ok_or_else(|| format!("{key} must be a whole number of seconds from {min} to {MAX_SECONDS}"))
}

fn boolean(v: &Value, key: &str) -> Result<bool, String> {
    v.as_bool().ok_or_else(|| format!("{key} must be true or false"))
}

impl Settings {
    /// Applies any subset of the settings from a JSON object: all of them or, on any error,
    /// none. Unknown names are errors, so a misspelt setting never passes silently.
    pub fn apply(&mut self, v: &Value) -> Result<(), String> {
        let obj = v.as_object().ok_or("settings must be a JSON object")?;
        let mut next = self.clone();
        for (key, value) in obj {
            match key.as_str() {
                "tokenTtl" => next.token_ttl = whole_seconds(value, key, 1)?,
                "ticketTtl" => next.ticket_ttl = whole_seconds(value, key, 1)?,
                "renewWindow" => next.renew_window = whole_seconds(value, key, 0)?,
                "stableTokensOnTcb" => next.stable_tokens_on_tcb = boolean(value, key)?,
                "ipWhitelisted" => next.ip_whitelisted = boolean(value, key)?,
                "rotateRefreshTokens" => next.rotate_refresh_tokens = boolean(value, key)?,
                "uploadMode" => {
                    next.upload_mode = match value.as_str() {
                        Some("replace") => UploadMode::Replace,
                        Some("merge") => UploadMode::Merge,
                        _ => return Err(format!("{key} must be \"replace\" or \"merge\"")),
                    }
                }
                "listRuntimeKey" => {
                    next.list_runtime_key = RUNTIME_KEYS
                        .into_iter()
                        .find(|k| value.as_str() == Some(k))
                        .ok_or_else(|| format!("{key} must be \"runtime\" or \"run_time\""))?
                }
                "perMinuteQuota" => {
                    next.per_minute_quota =
                        value.as_u64().ok_or_else(|| format!("{key} must be a whole number (0 = no limit)"))?
                }
                "pushUrl" => {
                    next.push_url = match value {
                        Value::Null => None,
                        Value::String(u) => {
                            crate::push::Target::parse(u).map_err(|e| format!("{key}: {e}"))?;
                            Some(u.clone())
                        }
                        _ => return Err(format!("{key} must be a loopback http:// URL or null")),
                    }
                }
                "ticketPushSeconds" => next.ticket_push_seconds = whole_seconds(value, key, 0)?,
                other => return Err(format!("unknown setting {other:?}")),
            }
        }
        *self = next;
        Ok(())
    }

    pub fn to_json(&self) -> Value {
        json!({
            "tokenTtl": self.token_ttl,
            "stableTokensOnTcb": self.stable_tokens_on_tcb,
            "ipWhitelisted": self.ip_whitelisted,
            "rotateRefreshTokens": self.rotate_refresh_tokens,
            "ticketTtl": self.ticket_ttl,
            "renewWindow": self.renew_window,
            "uploadMode": self.upload_mode.name(),
            "listRuntimeKey": self.list_runtime_key,
            "perMinuteQuota": self.per_minute_quota,
            "pushUrl": self.push_url,
            "ticketPushSeconds": self.ticket_push_seconds,
        })
    }

    pub fn token_ttl(&self) -> Duration {
        Duration::from_secs(self.token_ttl)
    }
}

/// The names of the kinds, as the control API spells them.
pub const KIND_NAMES: [&str; 3] = ["stable", "component", "authorizer"];

/// What an issued token is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A mini program's own token from `/cgi-bin/stable_token`.
    Stable { appid: String },
    /// A third-party platform's `component_access_token`.
    Component { component_appid: String },
    /// An `authorizer_access_token`, the kind getfuncconfig is documented to take, issued for
    /// this authorized account.
    Authorizer { appid: String },
}

impl Kind {
    pub fn name(&self) -> &'static str {
        match self {
            Kind::Stable { .. } => "stable",
            Kind::Component { .. } => "component",
            Kind::Authorizer { .. } => "authorizer",
        }
    }
}

#[derive(Debug)]
struct Issued {
    kind: Kind,
    expires_at: Duration,
    /// Made invalid before its time by a forced refresh.
    replaced: bool,
}

/// How an issued token is judged at a given moment.
#[derive(Debug, PartialEq, Eq)]
pub enum Judged<'a> {
    Unknown,
    /// A newer token took its place (WeChat's 40001 "not latest").
    Replaced,
    Expired,
    Live(&'a Kind, Duration),
}

/// Every token issued since the last reset.
#[derive(Debug, Default)]
pub struct Tokens {
    issued: HashMap<String, Issued>,
    /// Issue order, for forgetting the oldest past `MAX_ISSUED`.
    order: VecDeque<String>,
    /// appid → the stable token handed to callers in normal mode.
    stable: HashMap<String, String>,
    /// appid → when each forced refresh of the last 24 hours happened.
    forced: HashMap<String, VecDeque<Duration>>,
    /// Counts every token and refresh token ever made; never reset, so no token repeats.
    made: u64,
    random: RandomState,
}

impl Tokens {
    /// Forgets every issued token (back to a fresh start, as on reset).
    pub fn clear(&mut self) {
        self.issued.clear();
        self.order.clear();
        self.stable.clear();
        self.forced.clear();
    }

    /// A fresh, unguessable token text: a prefix naming its kind, a serial number that makes
    /// it unique, and 128 bits from the process's random hasher keys.
    pub fn fresh(&mut self, prefix: &str) -> String {
        self.made += 1;
        let n = self.made;
        let (a, b) = (self.random.hash_one((n, 0u8)), self.random.hash_one((n, 1u8)));
        format!("{prefix}{n}-{a:016x}{b:016x}")
    }

    /// 64 unpredictable bits (for push nonces and the random bytes in front of a sealed push).
    pub fn random(&mut self) -> u64 {
        self.made += 1;
        self.random.hash_one((self.made, 2u8))
    }

    /// Issues a token of this kind that expires at `expires_at`.
    pub fn issue(&mut self, prefix: &str, kind: Kind, expires_at: Duration) -> String {
        let token = self.fresh(prefix);
        if self.issued.len() >= MAX_ISSUED {
            if let Some(oldest) = self.order.pop_front() {
                self.issued.remove(&oldest);
            }
        }
        self.order.push_back(token.clone());
        self.issued.insert(token.clone(), Issued { kind, expires_at, replaced: false });
        token
    }

    pub fn judge(&self, token: &str, now: Duration) -> Judged<'_> {
        match self.issued.get(token) {
            None => Judged::Unknown,
            Some(t) if t.replaced => Judged::Replaced,
            Some(t) if now >= t.expires_at => Judged::Expired,
            Some(t) => Judged::Live(&t.kind, t.expires_at - now),
        }
    }

    /// The stable token normal mode hands out for this app, with its time left, if live.
    pub fn current_stable(&self, appid: &str, now: Duration) -> Option<(&str, Duration)> {
        let token = self.stable.get(appid)?;
        match self.judge(token, now) {
            Judged::Live(_, left) => Some((token.as_str(), left)),
            _ => None,
        }
    }

    pub fn set_current_stable(&mut self, appid: &str, token: &str) {
        self.stable.insert(appid.to_string(), token.to_string());
    }

    /// Marks every stable token of this app as replaced, as a forced refresh does.
    pub fn replace_stable(&mut self, appid: &str) {
        for t in self.issued.values_mut() {
            if matches!(&t.kind, Kind::Stable { appid: a } if a == appid) {
                t.replaced = true;
            }
        }
    }

    /// Marks every token issued for this authorizer as replaced (40001), as a withdrawn
    /// authorization leaves them.
    pub fn replace_authorizer(&mut self, appid: &str) {
        for t in self.issued.values_mut() {
            if matches!(&t.kind, Kind::Authorizer { appid: a } if a == appid) {
                t.replaced = true;
            }
        }
    }

    /// Checks the forced-refresh limits for an app: `Err(45009)` after `FORCES_PER_DAY` in
    /// 24 hours, `Err(45011)` within `FORCE_GAP` of the previous one. A refused attempt does
    /// not count; an allowed one is remembered.
    pub fn force(&mut self, appid: &str, now: Duration) -> Result<(), i64> {
        let times = self.forced.entry(appid.to_string()).or_default();
        while times.front().is_some_and(|&t| now.saturating_sub(t) >= DAY) {
            times.pop_front();
        }
        if times.len() >= FORCES_PER_DAY {
            return Err(45009);
        }
        if times.back().is_some_and(|&t| now.saturating_sub(t) < FORCE_GAP) {
            return Err(45011);
        }
        times.push_back(now);
        Ok(())
    }

    /// Forced refreshes this app made in the last 24 hours.
    pub fn forces_today(&self, appid: &str, now: Duration) -> usize {
        self.forced.get(appid).map_or(0, |t| t.iter().filter(|&&t| now.saturating_sub(t) < DAY).count())
    }

    /// Makes every issued token of the chosen kinds expire now; returns how many were live.
    pub fn expire(&mut self, now: Duration, chosen: impl Fn(&Kind) -> bool) -> usize {
        let mut n = 0;
        for t in self.issued.values_mut() {
            if t.expires_at > now && chosen(&t.kind) {
                t.expires_at = now;
                if !t.replaced {
                    n += 1;
                }
            }
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_and_judged_by_time_and_replacement() {
        let mut tokens = Tokens::default();
        let s = Duration::from_secs;
        let a = tokens.issue("x-", Kind::Stable { appid: "app".into() }, s(100));
        let b = tokens.issue("x-", Kind::Authorizer { appid: "wx".into() }, s(100));
        assert_ne!(a, b);
        assert!(a.starts_with("x-1-") && a.len() == 4 + 32, "{a}");
        assert_eq!(tokens.judge(&a, s(99)), Judged::Live(&Kind::Stable { appid: "app".into() }, s(1)));
        assert_eq!(tokens.judge(&a, s(100)), Judged::Expired);
        assert_eq!(tokens.judge("nope", s(0)), Judged::Unknown);
        tokens.replace_stable("app");
        assert_eq!(tokens.judge(&a, s(0)), Judged::Replaced);
        assert!(matches!(tokens.judge(&b, s(0)), Judged::Live(Kind::Authorizer { .. }, _)));
        assert_eq!(tokens.expire(s(5), |k| k.name() == "stable"), 0, "the stable one was replaced already");
        assert_eq!(tokens.expire(s(5), |_| true), 1);
        assert_eq!(tokens.judge(&b, s(5)), Judged::Expired);
        tokens.clear();
        assert_eq!(tokens.judge(&b, s(0)), Judged::Unknown);
        assert!(tokens.fresh("x-").starts_with("x-3-"), "serial numbers survive a clear");
    }

    #[test]
    fn force_limits() {
        let mut tokens = Tokens::default();
        let s = Duration::from_secs;
        assert_eq!(tokens.force("a", s(0)), Ok(()));
        assert_eq!(tokens.force("a", s(29)), Err(45011));
        assert_eq!(tokens.force("b", s(29)), Ok(()), "per app");
        for i in 1..20 {
            assert_eq!(tokens.force("a", s(30 * i)), Ok(()), "force {i}");
        }
        assert_eq!(tokens.forces_today("a", s(600)), 20);
        assert_eq!(tokens.force("a", s(10_000)), Err(45009));
        // A day after the first, one slot is free again; the next frees when the second ages.
        assert_eq!(tokens.force("a", s(86_400)), Ok(()));
        assert_eq!(tokens.force("a", s(86_400 + 29)), Err(45009), "the daily limit is checked first");
        assert_eq!(tokens.force("a", s(86_400 + 30)), Ok(()));
    }

    #[test]
    fn settings_apply_all_or_nothing() {
        let mut s = Settings::default();
        s.apply(&json!({"tokenTtl": 2, "stableTokensOnTcb": true})).expect("valid");
        assert_eq!((s.token_ttl, s.stable_tokens_on_tcb), (2, true));
        for bad in [
            json!({"tokenTtl": 0}),
            json!({"tokenTtl": 3, "ipWhitelisted": "no"}),
            json!({"ticketTtl": 1.5}),
            json!({"tokenTTL": 5}),
            json!([]),
        ] {
            assert!(s.apply(&bad).is_err(), "{bad}");
        }
        assert_eq!(s.token_ttl, 2, "a failed apply changes nothing");
        s.apply(&json!({"renewWindow": 0})).expect("zero window");
        assert_eq!(s.renew_window, 0);
        s.apply(&json!({"uploadMode": "merge", "listRuntimeKey": "run_time"})).expect("valid");
        assert_eq!((s.upload_mode, s.list_runtime_key), (UploadMode::Merge, "run_time"));
        for bad in [
            json!({"uploadMode": "Merge"}),
            json!({"uploadMode": null}),
            json!({"listRuntimeKey": "runTime"}),
            json!({"listRuntimeKey": 1}),
        ] {
            assert!(s.apply(&bad).is_err(), "{bad}");
        }
        assert_eq!(s.to_json()["uploadMode"], "merge");
        assert_eq!(s.to_json()["listRuntimeKey"], "run_time");
    }
}
