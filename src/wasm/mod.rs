//! The JavaScript boundary: arguments read into Rust structs ([`args`]), typed results as plain
//! objects ([`results`]), the one `TcbError` conversion ([`error`]), and the exports that are not
//! the client's (`diffConfigs`, `parseCron`, `nextRuns`, `decryptPush`, `isTcbError`, and the
//! rules a Worker or page uses on its own: `checkField`, `checkConfig`, `maskConfig`,
//! `maskChanges`, `emptyConfig`, `defaults`). The client itself is [`crate::client`].

pub mod args;
pub mod error;
pub mod results;
mod push;
mod rules;
mod schedule;

pub use push::decrypt_push;
pub use rules::{check_config, check_field, defaults, empty_config, mask_changes, mask_config};
pub use schedule::{next_runs, parse_cron};

use wasm_bindgen::prelude::*;

use self::args::Fields;
use crate::Error;
use crate::upload::diff;

/// What changes from `a` to `b`, two configs of the same type (typed results or the plain
/// `{openapi}` / `{triggers}` / `{timeout, environment}` shapes). Values are masked unless
/// `options.revealValues`.
#[wasm_bindgen(js_name = diffConfigs)]
pub fn diff_configs(a: JsValue, b: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    let run = || -> Result<JsValue, Error> {
        let ca = args::config_input(&a, None, "a")?;
        let cb = args::config_input(&b, Some(ca.config_type()), "b")?;
        let reveal = Fields::optional(&options, "options")?.get("revealValues").flag("revealValues")?;
        let changes =
            diff(&ca, &cb).ok_or_else(|| Error::invalid_argument("b", "must be a config of the same type as a"))?;
        results::to_js(&results::changes(changes, reveal))
    };
    run().map_err(|e| error::error_to_js(&e))
}

/// Whether `value` is a `TcbError` thrown or rejected by this package.
#[wasm_bindgen(js_name = isTcbError)]
pub fn is_tcb_error(value: &JsValue) -> bool {
    error::is_tcb_error(value)
}

// A small free-list allocator: the module makes few, short-lived allocations per call, and
// dlmalloc alone was about a tenth of the module.
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    // SAFETY: wasm32 without the atomics feature runs this module on one thread only.
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };
