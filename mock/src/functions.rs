//! The function endpoints beside getfuncconfig: `POST /tcb/uploadfuncconfig` writes a config,
//! `POST /tcb/listfunctions` pages through an env's functions.
//!
//! Both check method, token and body exactly as getfuncconfig does (`wechat::tcb_object`), then
//! their fields (40101 when a required one is missing or mistyped, 40097 when a value is out of
//! range), then look up the env or function (85089 when unknown, as getfuncconfig answers an
//! unknown env or function).

use serde_json::{Map, Value};

use crate::hooks::After;
use crate::http::{array_raw, object, object_raw, Request, Response};
use crate::store::{config_type, non_empty_str, State};
use crate::tokens::UploadMode;
use crate::wechat::{error, tcb_object};

/// An errcode and the answer carrying it.
type Answer = (i64, Response);

/// `listfunctions` pages: the default and largest `limit`.
pub const DEFAULT_LIMIT: i64 = 10;
pub const MAX_LIMIT: i64 = 100;
/// A type 3 `timeout` must be whole seconds in this range.
pub const TIMEOUT_RANGE: std::ops::RangeInclusive<i64> = 1..=300;

/// A whole number from JSON: an integer, or a float with no fraction (`5.0`).
fn whole(v: &Value) -> Option<i64> {
    v.as_i64().or_else(|| v.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15).map(|f| f as i64))
}

/// An optional whole-number field: `default` when absent or null, 40097 when not a whole
/// number in `lo..=hi`.
fn optional_whole(v: Option<&Value>, default: i64, lo: i64, hi: i64) -> Result<i64, i64> {
    match v {
        None | Some(Value::Null) => Ok(default),
        Some(v) => whole(v).filter(|n| (lo..=hi).contains(n)).ok_or(40097),
    }
}

fn ok_answer() -> Answer {
    (0, Response::json(200, object(&[("errcode", 0.into()), ("errmsg", "ok".into())])))
}

/// `POST /tcb/uploadfuncconfig {"type","env","function_name","config":"<JSON text>"}` →
/// `{"errcode":0,"errmsg":"ok"}`. With `apply: false` the answer is computed but nothing is
/// written (a fault answers instead).
pub fn upload(state: &mut State, req: &Request, token: Option<&str>, json: Option<&Value>, apply: bool) -> Answer {
    let result = upload_checked(state, req, token, json, apply);
    result.unwrap_or_else(|code| error(state, code))
}

fn upload_checked(
    state: &mut State,
    req: &Request,
    token: Option<&str>,
    json: Option<&Value>,
    apply: bool,
) -> Result<Answer, i64> {
    let (obj, caller) = tcb_object(state, &req.head.method, token, &req.body, json)?;
    let (Some(ty @ Value::Number(_)), Some(env), Some(name), Some(config)) = (
        obj.get("type"),
        non_empty_str(obj.get("env")),
        non_empty_str(obj.get("function_name")),
        obj.get("config").filter(|c| !c.is_null()),
    ) else {
        return Err(40101);
    };
    let ty = config_type(ty).ok_or(40097)?;
    // The config goes as JSON text holding an object, never as the object itself.
    let Value::String(text) = config else {
        return Err(40097);
    };
    let Ok(Value::Object(parsed)) = serde_json::from_str::<Value>(text) else {
        return Err(40097);
    };
    if ty == 3 {
        if let Some(t) = parsed.get("timeout") {
            whole(t).filter(|t| TIMEOUT_RANGE.contains(t)).ok_or(40097)?;
        }
    }
    if state.store.function(env, name).is_none() || !state.store.env_in_scope(env, &caller.scope) {
        return Err(85089);
    }
    if apply {
        let merged = match state.store.settings.upload_mode {
            UploadMode::Replace => None,
            UploadMode::Merge => merge(ty, state.store.config(env, name, ty), &parsed),
        };
        state.store.put_config(env, name, ty, Some(merged.unwrap_or_else(|| text.clone())));
        state.count_upload(env, name, ty);
        state.hook_event(After::Upload, env, name, ty);
    }
    Ok(ok_answer())
}

/// The text a merge-mode upload stores, or `None` to store the upload as sent: type 2 always,
/// and any type with no stored config or a stored one that is not a JSON object.
fn merge(ty: u8, stored: Option<&str>, upload: &Map<String, Value>) -> Option<String> {
    let Ok(Value::Object(stored)) = serde_json::from_str::<Value>(stored?) else {
        return None;
    };
    match ty {
        1 => Some(merge_permissions(&stored, upload)),
        3 => Some(merge_environment(&stored, upload)),
        _ => None,
    }
}

/// Keys of `first` then keys of `second` not in `first`, leaving out `skip`: the fields a
/// merge carries over as they are (the upload's value winning).
fn other_fields<'a>(
    first: &'a Map<String, Value>,
    second: &'a Map<String, Value>,
    skip: &[&str],
) -> Vec<(&'a str, String)> {
    let firsts = first.iter().filter(|(k, _)| !skip.contains(&k.as_str()));
    let seconds = second.iter().filter(|(k, _)| !skip.contains(&k.as_str()) && !first.contains_key(*k));
    firsts.chain(seconds).map(|(k, v)| (k.as_str(), v.to_string())).collect()
}

/// Type 1 in merge mode: the stored `openapi` list, then every uploaded name it lacks.
/// Either spelling (`openapi`, `Openapi`) is read; `openapi` is written.
fn merge_permissions(stored: &Map<String, Value>, upload: &Map<String, Value>) -> String {
    const LIST_KEYS: [&str; 2] = ["openapi", "Openapi"];
    let perms_of = |m: &Map<String, Value>| -> Map<String, Value> {
        m.get("permissions").and_then(Value::as_object).cloned().unwrap_or_default()
    };
    let (old, new) = (perms_of(stored), perms_of(upload));
    let list = |p: &Map<String, Value>| -> Vec<Value> {
        LIST_KEYS.iter().find_map(|k| p.get(*k).and_then(Value::as_array)).cloned().unwrap_or_default()
    };
    let mut union = list(&old);
    for name in list(&new) {
        if !union.contains(&name) {
            union.push(name);
        }
    }
    let mut perm_fields = vec![("openapi", Value::Array(union).to_string())];
    perm_fields.extend(other_fields(&new, &old, &LIST_KEYS));
    let mut fields = vec![("permissions", object_raw(&perm_fields))];
    fields.extend(other_fields(upload, stored, &["permissions"]));
    object_raw(&fields)
}

/// Type 3 in merge mode: `timeout` from the upload, else the stored one; `environment` is the
/// stored list with each uploaded entry replacing the one of the same `key` in place, or
/// appended when there is none.
fn merge_environment(stored: &Map<String, Value>, upload: &Map<String, Value>) -> String {
    let timeout = upload.get("timeout").or_else(|| stored.get("timeout"));
    let environment = match (stored.get("environment"), upload.get("environment")) {
        (old, None) => old.cloned(),
        (Some(Value::Array(old)), Some(Value::Array(new))) => {
            let mut out = old.clone();
            for entry in new {
                let same_key = entry.get("key").and_then(|k| out.iter().position(|o| o.get("key") == Some(k)));
                match same_key {
                    Some(i) => out[i] = entry.clone(),
                    None => out.push(entry.clone()),
                }
            }
            Some(Value::Array(out))
        }
        (_, Some(new)) => Some(new.clone()),
    };
    let mut fields = Vec::new();
    if let Some(t) = timeout {
        fields.push(("timeout", t.to_string()));
    }
    if let Some(e) = environment {
        fields.push(("environment", e.to_string()));
    }
    fields.extend(other_fields(upload, stored, &["timeout", "environment"]));
    object_raw(&fields)
}

/// `POST /tcb/listfunctions {"env","limit"?,"offset"?}` →
/// `{"errcode":0,"errmsg":"ok","total_count":N,"functions":[{"name","runtime","status","add_time","mod_time"}]}`,
/// sorted by name; the runtime's key is the setting `listRuntimeKey`.
pub fn list(state: &mut State, req: &Request, token: Option<&str>, json: Option<&Value>) -> Answer {
    let result = list_checked(state, req, token, json);
    result.unwrap_or_else(|code| error(state, code))
}

fn list_checked(state: &mut State, req: &Request, token: Option<&str>, json: Option<&Value>) -> Result<Answer, i64> {
    let (obj, caller) = tcb_object(state, &req.head.method, token, &req.body, json)?;
    let env = non_empty_str(obj.get("env")).ok_or(40101)?;
    let limit = optional_whole(obj.get("limit"), DEFAULT_LIMIT, 1, MAX_LIMIT)?;
    let offset = optional_whole(obj.get("offset"), 0, 0, i64::MAX)?;
    if !state.store.has_env(env) || !state.store.env_in_scope(env, &caller.scope) {
        return Err(85089);
    }
    let runtime_key = state.store.settings.list_runtime_key;
    let total = state.store.functions_in(env).count();
    let page: Vec<String> = state
        .store
        .functions_in(env)
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(usize::try_from(limit).unwrap_or(0))
        .map(|(name, f)| {
            object(&[
                ("name", name.into()),
                (runtime_key, f.runtime.as_str().into()),
                ("status", f.status.as_str().into()),
                ("add_time", f.add_time.into()),
                ("mod_time", f.mod_time.into()),
            ])
        })
        .collect();
    let body = object_raw(&[
        ("errcode", "0".into()),
        ("errmsg", "\"ok\"".into()),
        ("total_count", total.to_string()),
        ("functions", array_raw(&page)),
    ]);
    Ok((0, Response::json(200, body)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(text: &str) -> Map<String, Value> {
        match serde_json::from_str(text) {
            Ok(Value::Object(m)) => m,
            _ => panic!("not an object: {text}"),
        }
    }

    #[test]
    fn environment_merges_by_key_in_place() {
        let stored = r#"{"timeout":20,"environment":[{"key":"A","value":"1"},{"key":"B","value":"2"}],"memory":128}"#;
        let merged =
            merge(3, Some(stored), &obj(r#"{"environment":[{"key":"B","value":"x"},{"key":"C","value":"3"}]}"#));
        assert_eq!(
            merged.as_deref(),
            Some(
                r#"{"timeout":20,"environment":[{"key":"A","value":"1"},{"key":"B","value":"x"},{"key":"C","value":"3"}],"memory":128}"#
            )
        );
        // The upload's timeout and other fields win; no environment keeps the stored one.
        let merged = merge(3, Some(stored), &obj(r#"{"timeout":5,"memory":256}"#));
        assert_eq!(
            merged.as_deref(),
            Some(r#"{"timeout":5,"environment":[{"key":"A","value":"1"},{"key":"B","value":"2"}],"memory":256}"#)
        );
        // Entries without a key, or an environment that is not a list, are taken as sent.
        let merged = merge(3, Some(stored), &obj(r#"{"environment":[{"value":"no key"}]}"#));
        assert!(merged.is_some_and(|m| m.contains(r#"{"key":"B","value":"2"},{"value":"no key"}]"#)));
        let merged = merge(3, Some(r#"{"environment":"odd"}"#), &obj(r#"{"environment":[{"key":"A","value":"1"}]}"#));
        assert_eq!(merged.as_deref(), Some(r#"{"environment":[{"key":"A","value":"1"}]}"#));
    }

    #[test]
    fn openapi_lists_are_unioned() {
        let stored = r#"{"permissions":{"Openapi":["a.b","c.d"]}}"#;
        let merged = merge(1, Some(stored), &obj(r#"{"permissions":{"openapi":["c.d","e.f"]}}"#));
        assert_eq!(merged.as_deref(), Some(r#"{"permissions":{"openapi":["a.b","c.d","e.f"]}}"#));
        let merged = merge(1, Some(stored), &obj("{}"));
        assert_eq!(merged.as_deref(), Some(r#"{"permissions":{"openapi":["a.b","c.d"]}}"#));
    }

    #[test]
    fn nothing_to_merge_into_keeps_the_upload() {
        let upload = obj(r#"{"timeout":3}"#);
        assert_eq!(merge(3, None, &upload), None);
        assert_eq!(merge(3, Some("not json"), &upload), None);
        assert_eq!(merge(3, Some("[1]"), &upload), None);
        assert_eq!(merge(2, Some(r#"{"triggers":[]}"#), &upload), None, "type 2 always replaces");
    }

    #[test]
    fn whole_numbers() {
        assert_eq!(whole(&Value::from(5)), Some(5));
        assert_eq!(whole(&Value::from(5.0)), Some(5));
        assert_eq!(whole(&Value::from(5.5)), None);
        assert_eq!(whole(&Value::from(1e300)), None);
        assert_eq!(whole(&Value::from(u64::MAX)), None);
        assert_eq!(whole(&Value::from("5")), None);
        assert_eq!(optional_whole(None, 10, 1, 100), Ok(10));
        assert_eq!(optional_whole(Some(&Value::Null), 10, 1, 100), Ok(10));
        assert_eq!(optional_whole(Some(&Value::from(0)), 10, 1, 100), Err(40097));
    }
}
