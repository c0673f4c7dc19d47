//! One-shot hooks: "after the nth read (or upload) of this config, someone else changes it".
//!
//! A test installs a hook through `POST /__sim/hooks` to model a second writer racing the
//! client: the hook waits for the nth matching event counted from when it was installed,
//! then replaces the stored config of its (env, function, type) with its own text, or
//! removes it (`config: null`, so that type then answers 85089), and is gone.
//!
//! - `read`: a getfuncconfig answer for (env, function, type) whatever its errcode (85089 and
//!   token errors included), as long as the simulated WeChat saw the request: a fault that
//!   answers in its place is no read. The reader still gets the answer computed before the
//!   hook fires; the next reader sees the hook's config.
//! - `upload`: an applied uploadfuncconfig for (env, function, type); the hook's config
//!   replaces what the upload stored.
//!
//! A hook's write is not an upload: it is not counted in `/__sim/changes` and leaves the
//! function's `mod_time` alone.

use serde_json::{json, Value};

use crate::store::{config_type, non_empty_str};

/// Hooks pending at most, so no sequence of control calls can exhaust memory.
pub const MAX_HOOKS: usize = 10_000;

/// What a hook waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum After {
    Read,
    Upload,
}

impl After {
    pub fn name(self) -> &'static str {
        match self {
            After::Read => "read",
            After::Upload => "upload",
        }
    }
}

/// A pending hook.
#[derive(Clone, Debug)]
pub struct Hook {
    pub env: String,
    pub function: String,
    pub ty: u8,
    pub after: After,
    /// Fires on this matching event (1 = the first after installing).
    pub nth: u64,
    /// Matching events seen so far.
    pub seen: u64,
    /// The config text it stores; `None` removes the config.
    pub config: Option<String>,
}

impl Hook {
    /// Parses a `POST /__sim/hooks` body:
    /// `{"env","function","type":1-3,"after":"read"|"upload","nth"?:N (1),"config":string|null}`.
    pub fn parse(v: &Value) -> Result<Hook, String> {
        let obj = v.as_object().ok_or("body must be a JSON object")?;
        let env = non_empty_str(obj.get("env")).ok_or("env must be a non-empty string")?;
        let function = non_empty_str(obj.get("function")).ok_or("function must be a non-empty string")?;
        let ty = obj.get("type").and_then(config_type).ok_or("type must be 1, 2 or 3")?;
        let after = match obj.get("after").and_then(Value::as_str) {
            Some("read") => After::Read,
            Some("upload") => After::Upload,
            _ => return Err("after must be \"read\" or \"upload\"".into()),
        };
        let nth = match obj.get("nth") {
            None | Some(Value::Null) => 1,
            Some(n) => n.as_u64().filter(|n| *n >= 1).ok_or("nth must be a whole number from 1")?,
        };
        let config = match obj.get("config") {
            None => return Err("config is required: a string, or null to remove the config".into()),
            Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err("config must be a string (JSON text) or null".into()),
        };
        Ok(Hook { env: env.to_string(), function: function.to_string(), ty, after, nth, seen: 0, config })
    }

    /// How `GET /__sim/hooks` shows it.
    pub fn to_json(&self) -> Value {
        json!({
            "env": self.env,
            "function": self.function,
            "type": self.ty,
            "after": self.after.name(),
            "nth": self.nth,
            "seen": self.seen,
            "config": self.config,
        })
    }
}

/// Counts an event against every matching hook and takes out those it fires, returning
/// their configs in the order the hooks were installed (so the last one wins).
pub fn fire(hooks: &mut Vec<Hook>, after: After, env: &str, function: &str, ty: u8) -> Vec<Option<String>> {
    let mut fired = Vec::new();
    hooks.retain_mut(|h| {
        if h.after != after || h.ty != ty || h.env != env || h.function != function {
            return true;
        }
        h.seen += 1;
        if h.seen >= h.nth {
            fired.push(h.config.take());
            false
        } else {
            true
        }
    });
    fired
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hook(v: Value) -> Hook {
        Hook::parse(&v).unwrap_or_else(|e| panic!("{v}: {e}"))
    }

    #[test]
    fn hooks_fire_once_on_the_nth_match() {
        let mut hooks = vec![
            hook(json!({"env": "e", "function": "f", "type": 3, "after": "read", "nth": 2, "config": "{}"})),
            hook(json!({"env": "e", "function": "f", "type": 3, "after": "upload", "config": null})),
        ];
        assert!(fire(&mut hooks, After::Read, "e", "f", 1).is_empty(), "other type");
        assert!(fire(&mut hooks, After::Read, "e", "g", 3).is_empty(), "other function");
        assert!(fire(&mut hooks, After::Read, "e", "f", 3).is_empty(), "first of two");
        assert_eq!(hooks[0].seen, 1);
        assert_eq!(fire(&mut hooks, After::Read, "e", "f", 3), [Some("{}".to_string())]);
        assert!(fire(&mut hooks, After::Read, "e", "f", 3).is_empty(), "one-shot");
        assert_eq!(fire(&mut hooks, After::Upload, "e", "f", 3), [None]);
        assert!(hooks.is_empty());
    }

    #[test]
    fn bad_hooks_are_refused() {
        for bad in [
            json!([]),
            json!({"function": "f", "type": 1, "after": "read", "config": null}),
            json!({"env": "", "function": "f", "type": 1, "after": "read", "config": null}),
            json!({"env": "e", "type": 1, "after": "read", "config": null}),
            json!({"env": "e", "function": "f", "type": 4, "after": "read", "config": null}),
            json!({"env": "e", "function": "f", "type": "1", "after": "read", "config": null}),
            json!({"env": "e", "function": "f", "type": 1, "after": "write", "config": null}),
            json!({"env": "e", "function": "f", "type": 1, "config": null}),
            json!({"env": "e", "function": "f", "type": 1, "after": "read", "nth": 0, "config": null}),
            json!({"env": "e", "function": "f", "type": 1, "after": "read", "nth": 1.5, "config": null}),
            json!({"env": "e", "function": "f", "type": 1, "after": "read"}),
            json!({"env": "e", "function": "f", "type": 1, "after": "read", "config": {"a": 1}}),
        ] {
            assert!(Hook::parse(&bad).is_err(), "{bad}");
        }
    }
}
