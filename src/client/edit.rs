//! The read-modify-write behind every edit helper: read, check the caller's `expectedRaw`, apply
//! the edit with the core's rules, read again right before writing (anything changed: conflict,
//! nothing written), write the complete config over the server's text, read it back (a
//! difference: unverified).

use wasm_bindgen::prelude::*;

use super::Inner;
use super::deadline::Deadline;
use crate::Error;
use crate::edit::{Edit, empty, same};
use crate::model::{EnvVar, FuncConfig, Trigger};
use crate::request::GetFuncConfig;
use crate::upload::{diff, upload_text_body};
use crate::wasm::args::{self, FIELDS, Fields};
use crate::wasm::error::Failure;
use crate::wasm::results::{ConfigView, EditResult, changes, to_js};

/// An edit's arguments, checked before anything is read or sent.
pub struct EditRequest {
    edit: Edit,
    target: GetFuncConfig,
    /// `None`: not given; `Some(None)`: "not configured".
    expected: Option<Option<FuncConfig>>,
    dry_run: bool,
    reveal: bool,
    /// The caller's signal.
    pub signal: Option<web_sys::AbortSignal>,
}

/// `updateEnvironment`'s `{ set?, unset?, timeout? }`.
pub fn environment_edit(spec: &JsValue) -> Result<Edit, Error> {
    let e = Fields::of(spec, "edit")?;
    let mut set = Vec::new();
    for (key, value) in e.get("set").entries("set")? {
        match value.as_string() {
            Some(value) => set.push(EnvVar { key, value }),
            None => return Err(Error::invalid_argument(&format!("set.{key}"), "must be a string")),
        }
    }
    let unset = e.get("unset").strings("unset")?.unwrap_or_default();
    let timeout = match e.get("timeout").number("timeout")? {
        None => None,
        Some(n) if n.fract() == 0.0 && (1.0..=300.0).contains(&n) => Some(n as u32),
        Some(_) => return Err(Error::invalid_argument("timeout", "must be a whole number of seconds from 1 to 300")),
    };
    Ok(Edit::Environment { set, unset, timeout })
}

/// `restoreConfig`'s `type` and `raw`.
pub fn restore_edit(config_type: &JsValue, raw: &JsValue) -> Result<Edit, Error> {
    let t = args::Arg::of(config_type).config_type()?;
    crate::edit::restore(t, args::string_arg(raw, "raw")?)
}

/// `setTimerTrigger`'s `{ name, config, type? }`.
pub fn trigger_edit(spec: &JsValue) -> Result<Edit, Error> {
    let t = Fields::of(spec, "trigger")?;
    let name = t.get("name").required_string("trigger.name")?;
    let config = t.get("config").required_string("trigger.config")?;
    let trigger_type = t.get("type").string("trigger.type")?.unwrap_or_else(|| "timer".to_string());
    if trigger_type != "timer" {
        return Err(Error::invalid_argument("trigger.type", "must be \"timer\""));
    }
    Ok(Edit::SetTrigger(Trigger { name, trigger_type, config }))
}

/// The caller's `expectedRaw`, which must be the `raw` of a config of the edit's type.
fn expected_config(target: &GetFuncConfig, raw: String) -> Result<FuncConfig, Error> {
    let config = crate::edit::raw_config(target.config_type, &raw, "expectedRaw")?;
    Ok(FuncConfig { env: target.env.clone(), function_name: target.function_name.clone(), config, raw })
}

impl EditRequest {
    /// Checks the edit, the target and the options.
    pub fn new(edit: Result<Edit, Error>, env: &JsValue, function_name: &JsValue, options: &JsValue) -> Result<Self, Error> {
        let edit = edit?;
        edit.check()?;
        let env = args::string_arg(env, "env")?;
        let function_name = args::string_arg(function_name, "functionName")?;
        let target = GetFuncConfig::new(&env, &function_name, edit.config_type(), FIELDS)?;
        let o = Fields::optional(options, "options")?;
        let expected_raw = o.get("expectedRaw").value();
        let expected = if let Some(raw) = expected_raw.as_string() {
            Some(Some(expected_config(&target, raw)?))
        } else if expected_raw.is_null() {
            Some(None)
        } else if expected_raw.is_undefined() {
            None
        } else {
            return Err(Error::invalid_argument("expectedRaw", "must be a string or null"));
        };
        Ok(EditRequest {
            edit,
            target,
            expected,
            dry_run: o.get("dryRun").flag("dryRun")?,
            reveal: o.get("revealValues").flag("revealValues")?,
            signal: args::signal(o.get("signal").value())?,
        })
    }
}

fn edit_result(written: bool, config: Option<&FuncConfig>, list: Vec<crate::upload::Change>, reveal: bool) -> Result<JsValue, Failure> {
    Ok(to_js(&EditResult { written, config: config.map(ConfigView), changes: changes(list, reveal) })?)
}

impl Inner {
    /// Runs the read-modify-write of `r`.
    pub async fn edit(&self, r: &EditRequest, deadline: &Deadline) -> Result<JsValue, Failure> {
        let first = self.read_optional(&r.target, deadline).await?;
        if let Some(expected) = &r.expected
            && !same(expected.as_ref(), first.as_ref())
        {
            return Err(Error::conflict(expected.clone(), first).into());
        }
        let before = first.as_ref().map_or_else(|| empty(r.target.config_type), |c| c.config.clone());
        let after = r.edit.apply(Some(&before))?;
        let list = diff(&before, &after).unwrap_or_default();
        if !r.edit.changes(first.as_ref(), &list) {
            return edit_result(false, first.as_ref(), list, r.reveal);
        }
        // Written over the server's text (members this client does not model are kept), or, for
        // a restored config, its own text.
        let raw = r.edit.text(&after, first.as_ref().map(|c| c.raw.as_str()));
        let body = upload_text_body(&r.target, &after, raw.clone())?;
        let planned = FuncConfig {
            env: r.target.env.clone(),
            function_name: r.target.function_name.clone(),
            raw,
            config: after,
        };
        if r.dry_run {
            return edit_result(false, Some(&planned), list, r.reveal);
        }
        let second = self.read_optional(&r.target, deadline).await?;
        if !same(first.as_ref(), second.as_ref()) {
            return Err(Error::conflict(first, second).into());
        }
        self.upload(&body, deadline).await?;
        let back = self.read_optional(&r.target, deadline).await?;
        if !same(Some(&planned), back.as_ref()) {
            return Err(Error::unverified(Some(planned), back).into());
        }
        edit_result(true, back.as_ref(), list, r.reveal)
    }
}
