//! The cron parser and next-run search: no panic, no hang, and every run it finds is strictly
//! increasing after the start.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tcb_funcconfig::cron;

fuzz_target!(|input: (i64, &str)| {
    let (after, expr) = input;
    let _ = cron::parse_iso(expr);
    let _ = cron::format_cst(after);
    if let Ok(c) = cron::parse(expr) {
        let _ = (c.explain_en(), c.explain_zh(), c.fields());
        let runs = c.next_runs(after, 20);
        let mut last = after;
        for t in runs {
            assert!(t > last, "{expr}: {t} after {last}");
            last = t;
        }
    }
});
