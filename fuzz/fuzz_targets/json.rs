//! The JSON reader: never panics, never overflows the stack; what it accepts it accepts whole.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tcb_funcconfig::json::{self, Value};

fn depth(v: &Value) -> usize {
    match v {
        Value::Arr(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        Value::Obj(members) => 1 + members.iter().map(|(_, v)| depth(v)).max().unwrap_or(0),
        _ => 0,
    }
}

fuzz_target!(|text: &str| {
    if let Ok(v) = json::parse(text) {
        assert!(depth(&v) <= json::MAX_DEPTH);
    }
});
