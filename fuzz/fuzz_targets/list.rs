//! Listings: any status and body gives a function list or one typed error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tcb_funcconfig::list::{ListFunctions, decode_list};

fuzz_target!(|input: (u16, &str, f64, f64)| {
    let (status, body, limit, offset) = input;
    if let Ok(list) = decode_list(status, body) {
        assert!(list.functions.iter().all(|f| body.contains(&f.name) || f.name.is_empty() || body.contains('\\')));
    }
    if let Ok(req) = ListFunctions::new("e", Some(limit), Some(offset)) {
        assert!((1..=100).contains(&req.limit));
        assert!(json_ok(&req.body()));
    }
});

fn json_ok(text: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(text).is_ok()
}
