//! Writes and browsing: `uploadFuncConfig`, the read-modify-write edit helpers of `TcbClient`,
//! `listFunctions` / `listAllFunctions`, and `diffConfigs`.
//!
//! Every edit reads the config, checks it against the caller's `expectedRaw`, applies the edit
//! with the core's rules ([`Edit`]), reads again right before writing and refuses to write when
//! anything moved (`conflict`), sends the complete config, then reads it back (`unverified` when
//! it differs). Nothing here decides what is safe to repeat: that is the core's
//! [`RetryPolicy::next_write`](crate::retry::RetryPolicy::next_write).

use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

use super::transport::Deadline;
use super::{Answer, Call, Client, FIELDS, TcbClient, js, promise, read_request};
use crate::edit::{Edit, empty, same};
use crate::list::{LIST_PATH, ListFunctions, MAX_LIMIT, decode_list};
use crate::model::{Config, EnvVar, FuncConfig, Trigger};
use crate::request::{ConfigType, GetFuncConfig};
use crate::response::check_envelope;
use crate::upload::{Change, UPLOAD_PATH, diff, upload_body};
use crate::{Error, ErrorKind, list::FunctionList};

/// Pages `listAllFunctions` reads at most (100 functions each), whatever `total_count` claims.
const MAX_PAGES: u32 = 1000;

/// What an edit did.
struct Edited {
    written: bool,
    config: Option<FuncConfig>,
    changes: Vec<Change>,
}

/// The caller's options of an edit.
struct EditOptions {
    /// `expectedRaw`: absent, "not configured" (`Some(None)`), or the config the caller saw.
    expected: Option<Option<FuncConfig>>,
    dry_run: bool,
    reveal: bool,
    signal: Option<AbortSignal>,
}

fn unexpected() -> Error {
    Error::decode("the answer", "not the answer of the endpoint that was called", "")
}

impl Client {
    /// One config; "not configured" (errcode 85089) is `None`.
    async fn read_opt(&self, req: &GetFuncConfig, deadline: &Deadline) -> Result<Option<FuncConfig>, Error> {
        match self.get_one(req, deadline).await {
            Ok(c) => Ok(Some(c)),
            Err(e) if e.kind == ErrorKind::Api && e.errcode == Some(85089) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Sends the complete `config` for `req`'s function and type.
    async fn upload(&self, req: &GetFuncConfig, config: &Config, deadline: &Deadline) -> Result<(), Error> {
        let call = Call {
            path: UPLOAD_PATH,
            body: upload_body(req, config)?,
            decode: Box::new(|status, body| check_envelope(status, body).map(|_| Answer::Written)),
            write: true,
        };
        self.call(&call, deadline).await.map(|_| ())
    }

    /// One page of functions.
    async fn list(&self, req: &ListFunctions, deadline: &Deadline) -> Result<FunctionList, Error> {
        let call = Call {
            path: LIST_PATH,
            body: req.body(),
            decode: Box::new(|status, body| decode_list(status, body).map(Answer::List)),
            write: false,
        };
        match self.call(&call, deadline).await? {
            Answer::List(l) => Ok(l),
            _ => Err(unexpected()),
        }
    }

    /// Every function of `env`, page after page under one deadline.
    async fn list_all(&self, env: &str, deadline: &Deadline) -> Result<FunctionList, Error> {
        let mut all = FunctionList { total: 0, functions: Vec::new() };
        for page in 0..MAX_PAGES {
            let req = ListFunctions::new(env, Some(f64::from(MAX_LIMIT)), Some(f64::from(page * MAX_LIMIT)))?;
            let got = self.list(&req, deadline).await?;
            let last = (got.functions.len() as u32) < MAX_LIMIT;
            all.total = got.total;
            all.functions.extend(got.functions);
            if last || all.functions.len() as u32 >= all.total {
                break;
            }
        }
        Ok(all)
    }

    /// The read-modify-write behind every edit helper.
    async fn edit(
        &self,
        req: &GetFuncConfig,
        edit: &Edit,
        opts: &EditOptions,
        deadline: &Deadline,
    ) -> Result<Edited, Error> {
        let first = self.read_opt(req, deadline).await?;
        if let Some(expected) = &opts.expected
            && !same(expected.as_ref(), first.as_ref())
        {
            return Err(Error::conflict(expected.clone(), first));
        }
        let before = first.as_ref().map_or_else(|| empty(req.config_type), |c| c.config.clone());
        let after = edit.apply(Some(&before))?;
        let changes = diff(&before, &after).unwrap_or_default();
        if changes.is_empty() {
            return Ok(Edited { written: false, config: first, changes });
        }
        let planned = FuncConfig {
            env: req.env.clone(),
            function_name: req.function_name.clone(),
            raw: after.to_json(),
            config: after,
        };
        if opts.dry_run {
            return Ok(Edited { written: false, config: Some(planned), changes });
        }
        // Right before writing: anything written since the first read is a conflict.
        let second = self.read_opt(req, deadline).await?;
        if !same(first.as_ref(), second.as_ref()) {
            return Err(Error::conflict(first, second));
        }
        self.upload(req, &planned.config, deadline).await?;
        let back = self.read_opt(req, deadline).await?;
        if back.as_ref().map(|b| &b.config) != Some(&planned.config) {
            return Err(Error::unverified(Some(planned), back));
        }
        Ok(Edited { written: true, config: back, changes })
    }

    /// Runs an edit under its own deadline, as a JS result.
    async fn run_edit(&self, req: GetFuncConfig, edit: Edit, opts: EditOptions) -> Result<JsValue, JsValue> {
        let result = match Deadline::start(self.timeout_ms, opts.signal.clone()) {
            Ok(deadline) => self.edit(&req, &edit, &opts, &deadline).await,
            Err(e) => Err(e),
        };
        match result {
            Ok(done) => {
                let out = js::new_object();
                js::set(&out, "written", &done.written.into());
                js::set(&out, "config", &done.config.as_ref().map_or(JsValue::NULL, js::config_to_js));
                js::set(&out, "changes", &js::changes_to_js(&done.changes, opts.reveal));
                Ok(out)
            }
            Err(e) => Err(self.reject(e)),
        }
    }
}

/// `{ expectedRaw?, dryRun?, revealValues?, signal? }` of an edit, read against the request's type.
fn edit_options(options: &JsValue, req: &GetFuncConfig) -> Result<EditOptions, Error> {
    if options.is_undefined() || options.is_null() {
        return Ok(EditOptions { expected: None, dry_run: false, reveal: false, signal: None });
    }
    let obj = js::object(options, "options")?;
    let expected = match js::field(obj, "expectedRaw") {
        v if v.is_undefined() => None,
        v if v.is_null() => Some(None),
        v => {
            let raw =
                v.as_string().ok_or_else(|| Error::invalid_argument("expectedRaw", "must be a string or null"))?;
            let seen = crate::decode_config(req, raw).map_err(|e| {
                Error::invalid_argument(
                    "expectedRaw",
                    &format!("is not the `raw` of a config of this type ({})", e.message),
                )
            })?;
            Some(Some(seen))
        }
    };
    Ok(EditOptions {
        expected,
        dry_run: js::flag(obj, "dryRun")?,
        reveal: js::flag(obj, "revealValues")?,
        signal: js::signal(obj)?,
    })
}

/// `(env, functionName)` of a helper, for the helper's config type.
fn target(env: &JsValue, function_name: &JsValue, t: ConfigType) -> Result<GetFuncConfig, Error> {
    let env = js::string_arg(env, "env")?;
    let function_name = js::string_arg(function_name, "functionName")?;
    GetFuncConfig::new(&env, &function_name, t, FIELDS)
}

/// `{ set?, unset?, timeout? }` of `updateEnvironment`.
fn environment_edit(edit: &JsValue) -> Result<Edit, Error> {
    let obj = js::object(edit, "edit")?;
    let set = match js::field(obj, "set") {
        v if v.is_undefined() || v.is_null() => Vec::new(),
        v => {
            let pairs = js::object(&v, "set")?;
            let mut set = Vec::new();
            for (key, value) in js::entries(pairs) {
                let value = value
                    .as_string()
                    .ok_or_else(|| Error::invalid_argument(&format!("set.{key}"), "must be a string"))?;
                set.push(EnvVar { key, value });
            }
            set
        }
    };
    let unset = match js::field(obj, "unset") {
        v if v.is_undefined() || v.is_null() => Vec::new(),
        v => js::string_list(&v, "unset")?,
    };
    let timeout = match js::field(obj, "timeout") {
        v if v.is_undefined() || v.is_null() => None,
        v => match v.as_f64() {
            Some(n) if n.fract() == 0.0 && (1.0..=300.0).contains(&n) => Some(n as u32),
            _ => return Err(Error::invalid_argument("timeout", "must be a whole number of seconds from 1 to 300")),
        },
    };
    Ok(Edit::Environment { set, unset, timeout })
}

/// `{ name, config, type? }` of `setTimerTrigger`.
fn trigger_edit(trigger: &JsValue) -> Result<Edit, Error> {
    let obj = js::object(trigger, "trigger")?;
    let name = js::required(js::opt_string(obj, "name")?, "trigger.name")?;
    let config = js::required(js::opt_string(obj, "config")?, "trigger.config")?;
    let trigger_type = js::opt_string(obj, "type")?.unwrap_or_else(|| "timer".to_string());
    if trigger_type != "timer" {
        return Err(Error::invalid_argument("trigger.type", "must be \"timer\""));
    }
    Ok(Edit::SetTrigger(Trigger { name, trigger_type, config }))
}

/// Reads an upload request `{ env, functionName, type, config }`.
fn upload_request(obj: &JsValue) -> Result<(GetFuncConfig, Config), Error> {
    let req = read_request(obj)?;
    let config = js::config_input(&js::field(obj, "config"), Some(req.config_type), "config")?;
    crate::upload::validate(&config)?;
    Ok((req, config))
}

impl Client {
    async fn upload_js(
        &self,
        req: GetFuncConfig,
        config: Config,
        signal: Option<AbortSignal>,
    ) -> Result<JsValue, JsValue> {
        let result = match Deadline::start(self.timeout_ms, signal) {
            Ok(deadline) => self.upload(&req, &config, &deadline).await,
            Err(e) => Err(e),
        };
        result.map(|()| JsValue::UNDEFINED).map_err(|e| self.reject(e))
    }

    async fn list_js(
        &self,
        env: Result<String, ListFunctions>,
        signal: Option<AbortSignal>,
    ) -> Result<JsValue, JsValue> {
        let result = match Deadline::start(self.timeout_ms, signal) {
            Ok(deadline) => match &env {
                Ok(env) => self.list_all(env, &deadline).await,
                Err(page) => self.list(page, &deadline).await,
            },
            Err(e) => Err(e),
        };
        result.map(|l| js::function_list_to_js(&l)).map_err(|e| self.reject(e))
    }
}

/// `{ env, limit?, offset? }` of `listFunctions`.
fn list_request(obj: &JsValue) -> Result<ListFunctions, Error> {
    let env = js::required(js::opt_string(obj, "env")?, "env")?;
    let limit = js::opt_number(obj, "limit")?;
    let offset = js::opt_number(obj, "offset")?;
    ListFunctions::new(&env, limit, offset)
}

/// Writes one complete configuration (`tcb/uploadfuncconfig`), validated first.
///
/// `{ accessToken, env, functionName, type, config, baseUrl?, timeoutMs?, retries?, signal? }`.
#[wasm_bindgen(js_name = uploadFuncConfig)]
pub fn upload_func_config(request: JsValue) -> js_sys::Promise {
    let read = move || -> Result<_, Error> {
        let obj = js::object(&request, "request")?;
        let client = Client::read(obj)?;
        let (req, config) = upload_request(obj)?;
        Ok((client, req, config, js::signal(obj)?))
    };
    promise(async move {
        match read() {
            Ok((client, req, config, signal)) => client.upload_js(req, config, signal).await,
            Err(e) => Err(js::error_to_js(&e)),
        }
    })
}

/// One page of an environment's functions (`tcb/listfunctions`).
///
/// `{ accessToken, env, limit?, offset?, baseUrl?, timeoutMs?, retries?, signal? }`.
#[wasm_bindgen(js_name = listFunctions)]
pub fn list_functions(request: JsValue) -> js_sys::Promise {
    let read = move || -> Result<_, Error> {
        let obj = js::object(&request, "request")?;
        Ok((Client::read(obj)?, list_request(obj)?, js::signal(obj)?))
    };
    promise(async move {
        match read() {
            Ok((client, req, signal)) => client.list_js(Err(req), signal).await,
            Err(e) => Err(js::error_to_js(&e)),
        }
    })
}

/// What changes from `a` to `b`, two configs of the same type (typed results or the plain
/// `{openapi}` / `{triggers}` / `{timeout, environment}` shapes). Values are masked unless
/// `options.revealValues`.
#[wasm_bindgen(js_name = diffConfigs)]
pub fn diff_configs(a: JsValue, b: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    let run = || -> Result<JsValue, Error> {
        let ca = js::config_input(&a, None, "a")?;
        let cb = js::config_input(&b, Some(ca.config_type()), "b")?;
        let reveal = if options.is_undefined() || options.is_null() {
            false
        } else {
            js::flag(js::object(&options, "options")?, "revealValues")?
        };
        let changes =
            diff(&ca, &cb).ok_or_else(|| Error::invalid_argument("b", "must be a config of the same type as a"))?;
        Ok(js::changes_to_js(&changes, reveal))
    };
    run().map_err(|e| js::error_to_js(&e))
}

#[wasm_bindgen]
impl TcbClient {
    /// Writes one complete configuration: `{ env, functionName, type, config, signal? }`.
    #[wasm_bindgen(js_name = uploadFuncConfig)]
    pub fn upload_func_config(&self, request: JsValue) -> js_sys::Promise {
        let client = self.client.clone();
        promise(async move {
            let read = || -> Result<_, Error> {
                let obj = js::object(&request, "request")?;
                let (req, config) = upload_request(obj)?;
                Ok((req, config, js::signal(obj)?))
            };
            match read() {
                Ok((req, config, signal)) => client.upload_js(req, config, signal).await,
                Err(e) => Err(js::error_to_js(&e)),
            }
        })
    }

    /// One page of functions: `{ env, limit?, offset?, signal? }`.
    #[wasm_bindgen(js_name = listFunctions)]
    pub fn list_functions(&self, request: JsValue) -> js_sys::Promise {
        let client = self.client.clone();
        promise(async move {
            let read = || -> Result<_, Error> {
                let obj = js::object(&request, "request")?;
                Ok((list_request(obj)?, js::signal(obj)?))
            };
            match read() {
                Ok((req, signal)) => client.list_js(Err(req), signal).await,
                Err(e) => Err(js::error_to_js(&e)),
            }
        })
    }

    /// Every function of an environment, page after page under one deadline.
    #[wasm_bindgen(js_name = listAllFunctions)]
    pub fn list_all_functions(&self, env: JsValue, options: JsValue) -> js_sys::Promise {
        let client = self.client.clone();
        promise(async move {
            let read = || -> Result<_, Error> {
                let env = js::string_arg(&env, "env")?;
                ListFunctions::new(&env, None, None)?;
                let signal = if options.is_undefined() || options.is_null() {
                    None
                } else {
                    js::signal(js::object(&options, "options")?)?
                };
                Ok((env, signal))
            };
            match read() {
                Ok((env, signal)) => client.list_js(Ok(env), signal).await,
                Err(e) => Err(js::error_to_js(&e)),
            }
        })
    }

    /// Sets and unsets environment variables and changes the timeout, keeping everything else.
    #[wasm_bindgen(js_name = updateEnvironment)]
    pub fn update_environment(
        &self,
        env: JsValue,
        function_name: JsValue,
        edit: JsValue,
        options: JsValue,
    ) -> js_sys::Promise {
        self.edit(env, function_name, ConfigType::Environment, options, move || environment_edit(&edit))
    }

    /// Grants cloud-call APIs (`<category>.<method>` names).
    #[wasm_bindgen(js_name = grantOpenapi)]
    pub fn grant_openapi(
        &self,
        env: JsValue,
        function_name: JsValue,
        names: JsValue,
        options: JsValue,
    ) -> js_sys::Promise {
        self.edit(env, function_name, ConfigType::CloudCall, options, move || {
            Ok(Edit::Grant(js::string_list(&names, "names")?))
        })
    }

    /// Revokes cloud-call APIs.
    #[wasm_bindgen(js_name = revokeOpenapi)]
    pub fn revoke_openapi(
        &self,
        env: JsValue,
        function_name: JsValue,
        names: JsValue,
        options: JsValue,
    ) -> js_sys::Promise {
        self.edit(env, function_name, ConfigType::CloudCall, options, move || {
            Ok(Edit::Revoke(js::string_list(&names, "names")?))
        })
    }

    /// Makes `{ name, config }` the function's one timer trigger.
    #[wasm_bindgen(js_name = setTimerTrigger)]
    pub fn set_timer_trigger(
        &self,
        env: JsValue,
        function_name: JsValue,
        trigger: JsValue,
        options: JsValue,
    ) -> js_sys::Promise {
        self.edit(env, function_name, ConfigType::TimerTrigger, options, move || trigger_edit(&trigger))
    }

    /// Removes the function's timer trigger.
    #[wasm_bindgen(js_name = removeTimerTrigger)]
    pub fn remove_timer_trigger(&self, env: JsValue, function_name: JsValue, options: JsValue) -> js_sys::Promise {
        self.edit(env, function_name, ConfigType::TimerTrigger, options, || Ok(Edit::RemoveTrigger))
    }
}

impl TcbClient {
    /// Reads an edit's arguments (all checked before anything is sent) and runs it.
    fn edit(
        &self,
        env: JsValue,
        function_name: JsValue,
        t: ConfigType,
        options: JsValue,
        read_edit: impl FnOnce() -> Result<Edit, Error>,
    ) -> js_sys::Promise {
        let client = self.client.clone();
        let read = || -> Result<_, Error> {
            let req = target(&env, &function_name, t)?;
            let edit = read_edit()?;
            edit.check()?;
            let opts = edit_options(&options, &req)?;
            Ok((req, edit, opts))
        };
        let read = read();
        promise(async move {
            match read {
                Ok((req, edit, opts)) => client.run_edit(req, edit, opts).await,
                Err(e) => Err(js::error_to_js(&e)),
            }
        })
    }
}
