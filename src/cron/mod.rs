//! Timer-trigger expressions of WeChat cloud functions.
//!
//! # Dialect
//!
//! Seven fields separated by whitespace:
//! `second minute hour day month weekday year`.
//!
//! | field   | values                                  |
//! |---------|-----------------------------------------|
//! | second  | 0-59                                    |
//! | minute  | 0-59                                    |
//! | hour    | 0-23                                    |
//! | day     | 1-31 (day of the month)                 |
//! | month   | 1-12 or `JAN`-`DEC`                     |
//! | weekday | 0-6 or `SUN`-`SAT` (0 is Sunday)        |
//! | year    | 1970-2099                               |
//!
//! * Only `,` `-` `*` `/` are special. A field is a comma-separated list of
//!   items; an item is `*`, `a`, `a-b`, `*/n`, `a-b/n` or `a/n` (the latter
//!   meaning `a` through the largest value of the field).
//! * Names are the three-letter English abbreviations in any letter case.
//!   They can be mixed with numbers and used in ranges (`MON-FRI`, `jan-3`).
//! * A step must be between 1 and the number of values of the field
//!   (60 for seconds and minutes, 24 hours, 31 days, 12 months, 7 weekdays,
//!   130 years). `*/60` in the second field is therefore accepted and means
//!   second 0 only.
//! * A range whose start is after its end (`17-9`, `FRI-MON`) is refused;
//!   ranges never wrap around.
//! * Weekday 7 is refused: Sunday is 0 only.
//! * Refused with an explanatory message: `?`, `L`, `W`, `#`, `@daily`-style
//!   macros, and any field count other than 7 (5- and 6-field cron forms).
//! * Day of month and weekday: a field is *unrestricted* only when it is
//!   written `*`; anything else (`*/1`, `1-31`, `0-6`, `SUN-SAT`, ...) restricts.
//!   When both are restricted a day matches if either of them matches (as in
//!   Vixie cron and croner); otherwise only the restricted one (if any) applies.
//! * Times are evaluated in China Standard Time (UTC+8, no daylight saving).
//!   Arguments and results are Unix seconds.
//! * Only years 1970-2099 are searched; when no matching second remains in
//!   that span, [`CronExpr::next_after`] returns `None`.
//! * [`parse_iso`] reads a timestamp without an offset as UTC+8 and truncates
//!   fractional seconds.
//! * [`CronExpr::next_runs`] returns at most [`MAX_RUNS`] times.

use std::fmt;

mod calendar;
mod explain;
mod next;
mod parse;
#[cfg(test)]
mod tests;

pub use calendar::{CST_OFFSET, format_cst, parse_iso};
pub use next::MAX_RUNS;
pub use parse::parse;

use parse::SPECS;

/// The years a year field can name, and the span that is searched.
const FIRST_YEAR: u32 = 1970;
const LAST_YEAR: u32 = 2099;

// Positions of the fields in `CronExpr`'s arrays (and in `parse::SPECS`).
const SEC: usize = 0;
const MIN: usize = 1;
const HOUR: usize = 2;
const DAY: usize = 3;
const MONTH: usize = 4;
const WDAY: usize = 5;
const YEAR: usize = 6;

/// A set of small integers (bit positions 0..192).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Bits([u64; 3]);

impl Bits {
    fn insert(&mut self, i: u32) {
        if let Some(w) = self.0.get_mut((i / 64) as usize) {
            *w |= 1u64 << (i % 64);
        }
    }

    fn has(&self, i: u32) -> bool {
        self.0.get((i / 64) as usize).is_some_and(|w| (w >> (i % 64)) & 1 == 1)
    }

    /// Smallest member that is `>= i`.
    fn next_from(&self, i: u32) -> Option<u32> {
        let mut idx = (i / 64) as usize;
        let mut w = self.0.get(idx)? & (u64::MAX << (i % 64));
        loop {
            if w != 0 {
                return Some(idx as u32 * 64 + w.trailing_zeros());
            }
            idx += 1;
            w = *self.0.get(idx)?;
        }
    }

    fn count(&self) -> u32 {
        self.0.iter().map(|w| w.count_ones()).sum()
    }

    fn members(&self) -> Vec<u32> {
        let mut out = Vec::new();
        let mut i = 0;
        while let Some(n) = self.next_from(i) {
            out.push(n);
            i = n + 1;
        }
        out
    }
}

/// A parse failure. `Display` shows `message`, which starts with the field
/// name when one is known (`hour: 24 is outside 0-23`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CronError {
    /// The field at fault (`second` … `year`), when one is.
    pub field: Option<&'static str>,
    /// What is wrong, naming the field, the text and the allowed range.
    pub message: String,
}

impl fmt::Display for CronError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CronError {}

/// A parsed WeChat timer expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CronExpr {
    text: [String; 7],
    sets: [Bits; 7],
    any_day: bool,
    any_weekday: bool,
}

impl CronExpr {
    /// The source text of each field, with its name.
    pub fn fields(&self) -> [(&'static str, &str); 7] {
        std::array::from_fn(|i| (SPECS.get(i).map_or("", |s| s.name), self.text.get(i).map_or("", |s| s.as_str())))
    }
}

impl fmt::Display for CronExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text.join(" "))
    }
}
