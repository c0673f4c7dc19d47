//! Computing the next firing times.

use super::calendar::{CST_OFFSET, DAY_SECS, civil_from_days, days_from_civil, days_in_month};
use super::{CronExpr, DAY, FIRST_YEAR, LAST_YEAR, WDAY};

/// Largest number of times [`CronExpr::next_runs`] returns.
pub const MAX_RUNS: usize = 1000;

/// Upper bound on the loop steps of one search. The search skips a whole
/// month (or year) whenever a month cannot match, so even the most
/// pathological expression needs fewer than 2000 steps over 130 years.
const STEP_BUDGET: u32 = 4096;

/// Smallest set bit of `mask` that is `>= from`.
fn next_bit(mask: u64, from: u32) -> Option<u32> {
    let m = mask & u64::MAX.checked_shl(from).unwrap_or(0);
    (m != 0).then(|| m.trailing_zeros())
}

impl CronExpr {
    /// The first firing time strictly after `after` (Unix seconds), or
    /// `None` when none is left before the end of 2099.
    pub fn next_after(&self, after: i64) -> Option<i64> {
        self.search(after).0
    }

    /// Up to `n` (at most [`MAX_RUNS`]) consecutive firing times strictly
    /// after `after`.
    pub fn next_runs(&self, after: i64, n: usize) -> Vec<i64> {
        let mut out = Vec::new();
        let mut t = after;
        while out.len() < n.min(MAX_RUNS) {
            match self.next_after(t) {
                Some(x) => {
                    out.push(x);
                    t = x;
                }
                None => break,
            }
        }
        out
    }

    /// Bit mask (bits 1..=31) of the days of month `m` of year `y` that match
    /// the day and weekday fields.
    fn day_mask(&self, y: u32, m: u32) -> u64 {
        let dim = days_in_month(i64::from(y), m);
        let valid = (u64::MAX >> (63 - dim)) & !1;
        let dom = self.sets[DAY].0[0] & valid;
        if self.any_weekday {
            return dom;
        }
        let first = (days_from_civil(i64::from(y), m, 1) + 4).rem_euclid(7) as u32;
        let mut dow = 0u64;
        for d in 1..=dim {
            if self.sets[WDAY].has((first + d - 1) % 7) {
                dow |= 1 << d;
            }
        }
        if self.any_day { dow } else { dom | dow }
    }

    /// Returns the next firing time and the number of loop steps used.
    pub(super) fn search(&self, after: i64) -> (Option<i64>, u32) {
        let end = days_from_civil(i64::from(LAST_YEAR) + 1, 1, 1) * DAY_SECS;
        let t = after.saturating_add(1 + CST_OFFSET).max(0);
        if t >= end {
            return (None, 0);
        }
        let (y0, mut mo, mut d) = civil_from_days(t.div_euclid(DAY_SECS));
        let sod = t.rem_euclid(DAY_SECS);
        let mut y = u32::try_from(y0).unwrap_or(LAST_YEAR + 1);
        let mut h = (sod / 3600) as u32;
        let mut mi = (sod / 60 % 60) as u32;
        let mut s = (sod % 60) as u32;
        let [secs, mins, hours, _, months, _, years] = &self.sets;
        for step in 1..=STEP_BUDGET {
            if y > LAST_YEAR {
                return (None, step);
            }
            let yi = y - FIRST_YEAR;
            if !years.has(yi) {
                match years.next_from(yi) {
                    Some(n) => y = FIRST_YEAR + n,
                    None => return (None, step),
                }
                (mo, d, h, mi, s) = (1, 1, 0, 0, 0);
                continue;
            }
            if !months.has(mo) {
                match months.next_from(mo) {
                    Some(n) => mo = n,
                    None => (y, mo) = (y + 1, 1),
                }
                (d, h, mi, s) = (1, 0, 0, 0);
                continue;
            }
            match next_bit(self.day_mask(y, mo), d) {
                Some(n) if n == d => {}
                Some(n) => {
                    (d, h, mi, s) = (n, 0, 0, 0);
                    continue;
                }
                None => {
                    (mo, d, h, mi, s) = (mo + 1, 1, 0, 0, 0);
                    continue;
                }
            }
            if !hours.has(h) {
                match hours.next_from(h) {
                    Some(n) => h = n,
                    None => (d, h) = (d + 1, 0),
                }
                (mi, s) = (0, 0);
                continue;
            }
            if !mins.has(mi) {
                match mins.next_from(mi) {
                    Some(n) => mi = n,
                    None => (h, mi) = (h + 1, 0),
                }
                s = 0;
                continue;
            }
            if !secs.has(s) {
                match secs.next_from(s) {
                    Some(n) => s = n,
                    None => (mi, s) = (mi + 1, 0),
                }
                continue;
            }
            let local = days_from_civil(i64::from(y), mo, d) * DAY_SECS + i64::from(h * 3600 + mi * 60 + s);
            return (Some(local - CST_OFFSET), step);
        }
        (None, STEP_BUDGET)
    }
}
