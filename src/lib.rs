//! Typed client for the configuration of WeChat cloud functions (`POST /tcb/getfuncconfig`).
//!
//! The crate has two layers:
//! - a pure core that knows nothing of JavaScript: request validation and building
//!   ([`request`]), the errcode table ([`errcode`]), answer decoding ([`response`]), typed
//!   configs and their JSON shapes ([`model`], on serde), retry policy ([`retry`]),
//!   token caching and token endpoints ([`token`]), the rules and request for writing a config
//!   and the difference between two configs ([`upload`]), the edit helpers' changes
//!   ([`edit`]), function listings ([`list`]), WeChat's 7-field timer cron ([`cron`]) and the
//!   one error type ([`Error`]);
//! - on `wasm32`, the module's exports (`wasm`): each step of a call as one synchronous
//!   function (build a request, decode an answer, decide after a failure, plan an edit, make
//!   a JS `TcbError`), sequenced around `fetch` by the package's JavaScript client.
#![deny(missing_docs)]
// `Error` is the one error of every call and is returned by value; it is not on any hot path.
#![allow(clippy::result_large_err)]

pub mod cron;
pub mod edit;
pub mod errcode;
mod error;
pub mod list;
pub mod model;
pub mod request;
pub mod response;
pub mod retry;
pub mod token;
pub mod upload;

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
