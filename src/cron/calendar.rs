//! Calendar arithmetic (proleptic Gregorian, days counted from 1970-01-01), China Standard
//! Time, and ISO 8601 timestamps.

/// Offset of China Standard Time from UTC, in seconds.
pub const CST_OFFSET: i64 = 8 * 3600;
pub(super) const DAY_SECS: i64 = 86_400;

pub(super) fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

pub(super) fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Day number of a date. Years are counted from March so that the leap day
/// falls at the end of a counting year; 400-year cycles have 146 097 days.
pub(super) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let (y, mp) = if m <= 2 { (y - 1, i64::from(m) + 9) } else { (y, i64::from(m) - 3) };
    let cycle = y.div_euclid(400);
    let yoc = y.rem_euclid(400);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doc = yoc * 365 + yoc / 4 - yoc / 100 + doy;
    cycle * 146_097 + doc - 719_468
}

/// Inverse of [`days_from_civil`].
pub(super) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z.saturating_add(719_468);
    let cycle = z.div_euclid(146_097);
    let doc = z.rem_euclid(146_097);
    let yoc = (doc - doc / 1460 + doc / 36_524 - doc / 146_096) / 365;
    let doy = doc - (365 * yoc + yoc / 4 - yoc / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (cycle * 400 + yoc + i64::from(m <= 2), m, d)
}

/// Formats a Unix second as China Standard Time: `2026-11-28T10:15:00+08:00`.
pub fn format_cst(unix: i64) -> String {
    let local = unix.saturating_add(CST_OFFSET);
    let (y, m, d) = civil_from_days(local.div_euclid(DAY_SECS));
    let sod = local.rem_euclid(DAY_SECS);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}+08:00", sod / 3600, sod / 60 % 60, sod % 60)
}

fn digits(b: &[u8], at: usize, len: usize) -> Option<i64> {
    b.get(at..at.checked_add(len)?)?
        .iter()
        .try_fold(0i64, |acc, c| c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0')))
}

/// Parses `YYYY-MM-DD[THH:MM[:SS[.fff]]][Z|±HH:MM|±HHMM|±HH]` into Unix
/// seconds. `T` may also be `t` or a space. Without an offset the time is
/// read as UTC+8; fractional seconds are truncated.
pub fn parse_iso(s: &str) -> Option<i64> {
    let b = s.trim().as_bytes();
    let y = digits(b, 0, 4)?;
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let mo = u32::try_from(digits(b, 5, 2)?).ok()?;
    let d = u32::try_from(digits(b, 8, 2)?).ok()?;
    if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) {
        return None;
    }
    let mut pos = 10;
    let mut secs = 0;
    if b.len() > 10 {
        if !matches!(b.get(10), Some(b'T' | b't' | b' ')) || b.get(13) != Some(&b':') {
            return None;
        }
        let h = digits(b, 11, 2)?;
        let mi = digits(b, 14, 2)?;
        let mut sec = 0;
        pos = 16;
        if b.get(16) == Some(&b':') {
            sec = digits(b, 17, 2)?;
            pos = 19;
            if matches!(b.get(19), Some(b'.' | b',')) {
                pos = 20;
                while b.get(pos).is_some_and(u8::is_ascii_digit) {
                    pos += 1;
                }
                if pos == 20 {
                    return None;
                }
            }
        }
        if h > 23 || mi > 59 || sec > 59 {
            return None;
        }
        secs = h * 3600 + mi * 60 + sec;
    }
    let offset = match b.get(pos..)? {
        [] => CST_OFFSET,
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), rest @ ..] => {
            let (oh, om) = match rest {
                [_, _] => (digits(rest, 0, 2)?, 0),
                [_, _, b':', _, _] => (digits(rest, 0, 2)?, digits(rest, 3, 2)?),
                [_, _, _, _] => (digits(rest, 0, 2)?, digits(rest, 2, 2)?),
                _ => return None,
            };
            if oh > 23 || om > 59 {
                return None;
            }
            if *sign == b'-' { -(oh * 3600 + om * 60) } else { oh * 3600 + om * 60 }
        }
        _ => return None,
    };
    Some(days_from_civil(y, mo, d) * DAY_SECS + secs - offset)
}
