//! Typed client for the configuration of WeChat cloud functions (`POST /tcb/getfuncconfig`).
//!
//! The crate has two layers:
//! - a pure core that knows nothing of JavaScript: request validation and building
//!   ([`request`]), the errcode table ([`errcode`]), answer decoding ([`response`]), typed
//!   configs and their JSON shapes ([`model`], on serde; JSON text is read into serde_json's
//!   `Value` by `value`), retry policy ([`retry`]),
//!   token caching and token endpoints ([`token`]), the rules and request for writing a config
//!   and the difference between two configs ([`upload`]), the edit helpers' changes
//!   ([`edit`]), the rules of one field as a form checks it ([`rules`]), function listings
//!   ([`list`]), an app's environments ([`envinfo`]), the third-party platform's authorization
//!   calls and links ([`platform`]), WeChat's 7-field timer cron ([`cron`]), the verification and decryption of
//!   WeChat's pushes to a third-party platform ([`push`]) and the one error enum ([`Error`]);
//! - on `wasm32`, the client (`client`: `TcbClient`, the one-call functions and the token
//!   sources as async exports over gloo-net, with their deadlines, token cache, retries and
//!   edits) and its JavaScript boundary (`wasm`: arguments in, typed results and `TcbError`s
//!   out, and the cron and diff exports).
#![deny(missing_docs)]
// `Error` is the one error of every call and is returned by value; it is not on any hot path.
#![allow(clippy::result_large_err)]

pub mod cron;
pub mod edit;
pub mod envinfo;
pub mod errcode;
mod error;
pub mod list;
pub mod model;
pub mod platform;
pub mod push;
pub mod request;
pub mod response;
pub mod retry;
pub mod rules;
pub mod token;
pub mod upload;
mod value;

#[cfg(target_arch = "wasm32")]
pub mod client;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use error::{Error, ErrorKind, Versions};
pub use model::{
    CloudCallConfig, Config, ConfigType, EnvVar, EnvironmentConfig, FuncConfig, TimerTriggerConfig, Trigger,
};
pub use request::GetFuncConfig;
pub use response::{decode_config, decode_envelope, decode_response};
