use super::calendar::{DAY_SECS, civil_from_days, days_from_civil, days_in_month, is_leap};
use super::explain::values;
use super::*;

fn at(s: &str) -> i64 {
    parse_iso(s).unwrap_or_else(|| panic!("bad instant {s}"))
}

fn cron(expr: &str) -> CronExpr {
    parse(expr).unwrap_or_else(|e| panic!("{expr}: {e}"))
}

fn runs(expr: &str, from: &str, n: usize) -> Vec<String> {
    cron(expr).next_runs(at(from), n).into_iter().map(format_cst).collect()
}

fn err(expr: &str) -> CronError {
    match parse(expr) {
        Ok(_) => panic!("{expr:?} should be refused"),
        Err(e) => e,
    }
}

fn assert_err(expr: &str, field: Option<&str>, needle: &str) {
    let e = err(expr);
    assert_eq!(e.field, field, "{expr:?}: {e}");
    assert!(e.message.contains(needle), "{expr:?}: {:?} lacks {needle:?}", e.message);
    assert_eq!(e.to_string(), e.message);
}

const FROM: &str = "2026-11-27T23:59:58+08:00"; // a Friday

// ----- spec examples --------------------------------------------------

#[test]
fn every_five_seconds() {
    assert_eq!(
        runs("*/5 * * * * * *", FROM, 3),
        ["2026-11-28T00:00:00+08:00", "2026-11-28T00:00:05+08:00", "2026-11-28T00:00:10+08:00"]
    );
}

#[test]
fn first_of_month() {
    assert_eq!(
        runs("0 0 2 1 * * *", FROM, 3),
        ["2026-12-01T02:00:00+08:00", "2027-01-01T02:00:00+08:00", "2027-02-01T02:00:00+08:00"]
    );
}

#[test]
fn weekdays_at_10_15() {
    assert_eq!(
        runs("0 15 10 * * MON-FRI *", FROM, 6),
        [
            "2026-11-30T10:15:00+08:00",
            "2026-12-01T10:15:00+08:00",
            "2026-12-02T10:15:00+08:00",
            "2026-12-03T10:15:00+08:00",
            "2026-12-04T10:15:00+08:00",
            "2026-12-07T10:15:00+08:00"
        ]
    );
}

#[test]
fn hour_list() {
    assert_eq!(
        runs("0 0 10,14,16 * * * *", FROM, 4),
        [
            "2026-11-28T10:00:00+08:00",
            "2026-11-28T14:00:00+08:00",
            "2026-11-28T16:00:00+08:00",
            "2026-11-29T10:00:00+08:00"
        ]
    );
}

#[test]
fn half_hours_in_office_hours() {
    let r = runs("0 */30 9-17 * * * *", FROM, 19);
    assert_eq!(r.len(), 19);
    assert_eq!(r[0], "2026-11-28T09:00:00+08:00");
    assert_eq!(r[1], "2026-11-28T09:30:00+08:00");
    assert_eq!(r[17], "2026-11-28T17:30:00+08:00");
    assert_eq!(r[18], "2026-11-29T09:00:00+08:00");
}

#[test]
fn names_any_case_and_mixed() {
    let a = cron("0 0 0 1 jan-Mar,dec * *");
    let b = cron("0 0 0 1 1-3,12 * *");
    assert_eq!(a.sets, b.sets);
    let c = cron("0 0 0 * * sun,Wed-fri *");
    let d = cron("0 0 0 * * 0,3-5 *");
    assert_eq!(c.sets, d.sets);
    assert_eq!(cron("0 0 0 * * mon-5 *").sets, cron("0 0 0 * * 1-5 *").sets);
}

#[test]
fn step_forms() {
    let e = cron("5/20 10-40/15 */7 * * * *");
    assert_eq!(values(&e.sets[SEC], &SPECS[SEC]), [5, 25, 45]);
    assert_eq!(values(&e.sets[MIN], &SPECS[MIN]), [10, 25, 40]);
    assert_eq!(values(&e.sets[HOUR], &SPECS[HOUR]), [0, 7, 14, 21]);
    let y = cron("0 0 0 1 1 * 2090/4");
    assert_eq!(values(&y.sets[YEAR], &SPECS[YEAR]), [2090, 2094, 2098]);
    // the largest step is the number of values of the field
    assert_eq!(values(&cron("*/60 * * * * * *").sets[SEC], &SPECS[SEC]), [0]);
    assert_eq!(values(&cron("0 0 0 1 1 * */130").sets[YEAR], &SPECS[YEAR]), [1970]);
}

#[test]
fn fields_and_display() {
    let e = parse("  0  15 10\t* *  MON-FRI  * ").unwrap();
    assert_eq!(
        e.fields(),
        [
            ("second", "0"),
            ("minute", "15"),
            ("hour", "10"),
            ("day", "*"),
            ("month", "*"),
            ("weekday", "MON-FRI"),
            ("year", "*")
        ]
    );
    assert_eq!(e.to_string(), "0 15 10 * * MON-FRI *");
}

// ----- errors -----------------------------------------------------------

#[test]
fn out_of_range_per_field() {
    assert_err("60 * * * * * *", Some("second"), "second: 60 is outside 0-59");
    assert_err("* 60 * * * * *", Some("minute"), "minute: 60 is outside 0-59");
    assert_err("* * 24 * * * *", Some("hour"), "hour: 24 is outside 0-23");
    assert_err("* * * 0 * * *", Some("day"), "day: 0 is outside 1-31");
    assert_err("* * * 32 * * *", Some("day"), "day: 32 is outside 1-31");
    assert_err("* * * * 0 * *", Some("month"), "month: 0 is outside 1-12");
    assert_err("* * * * 13 * *", Some("month"), "month: 13 is outside 1-12");
    assert_err("* * * * * 7 *", Some("weekday"), "weekday: 7 is outside 0-6 (Sunday is 0)");
    assert_err("* * * * * 1-7 *", Some("weekday"), "7 is outside 0-6");
    assert_err("* * * * * * 1969", Some("year"), "year: 1969 is outside 1970-2099");
    assert_err("* * * * * * 2100", Some("year"), "year: 2100 is outside 1970-2099");
    assert_err("* * 99999999999999 * * * *", Some("hour"), "outside 0-23");
    assert_err("1-60 * * * * * *", Some("second"), "60 is outside 0-59");
    assert_err("* * * * * * 2090-2100", Some("year"), "2100 is outside");
}

#[test]
fn bad_names() {
    assert_err("* * * * FOO * *", Some("month"), "month: \"FOO\" is not a month name (JAN-DEC) or number 1-12");
    assert_err("* * * * * FUN *", Some("weekday"), "weekday: \"FUN\" is not a weekday name (SUN-SAT) or number 0-6");
    assert_err("* * * * JANUARY * *", Some("month"), "\"JANUARY\" is not a month name");
    assert_err("* * * * * MONDAY *", Some("weekday"), "\"MONDAY\"");
    assert_err("* * MON * * * *", Some("hour"), "hour: \"MON\" is not a number 0-23");
    assert_err("* * * * * JAN *", Some("weekday"), "\"JAN\"");
    assert_err("* * * * * * MAR", Some("year"), "year: \"MAR\" is not a number 1970-2099");
}

#[test]
fn quartz_specials_refused() {
    let tail = "is not supported in WeChat cron (only , - * / are special)";
    assert_err("0 0 0 ? * MON *", Some("day"), &format!("day: `?` {tail}"));
    assert_err("0 0 0 * * ? *", Some("weekday"), "`?`");
    assert_err("0 0 0 L * * *", Some("day"), &format!("day: `L` {tail}"));
    assert_err("0 0 0 * * 5L *", Some("weekday"), "`L`");
    assert_err("0 0 0 * * 5l *", Some("weekday"), "`L`");
    assert_err("0 0 0 L-3 * * *", Some("day"), "`L`");
    assert_err("0 0 0 LW * * *", Some("day"), "`L`");
    assert_err("0 0 0 15W * * *", Some("day"), &format!("day: `W` {tail}"));
    assert_err("0 0 0 * * 5#3 *", Some("weekday"), &format!("weekday: `#` {tail}"));
    assert_err("0 0 0 * * FRI#3 *", Some("weekday"), "`#`");
    assert_err("L * * * * * *", Some("second"), "`L`");
    // names that merely contain L or W are fine
    assert!(parse("0 0 0 * JUL WED *").is_ok());
}

#[test]
fn field_counts() {
    let msg = "WeChat cron has 7 fields: second minute hour day month weekday year; got";
    assert_err("*/5 * * * *", None, &format!("{msg} 5"));
    assert_err("0 */5 * * * *", None, &format!("{msg} 6"));
    assert_err("0 0 0 * * * * *", None, &format!("{msg} 8"));
    assert_err("0", None, &format!("{msg} 1"));
    assert_err("", None, "empty cron expression");
    assert_err("  \t ", None, "empty cron expression");
    assert_err("@daily", None, "`@daily` macros are not supported");
}

#[test]
fn bad_steps() {
    assert_err("*/0 * * * * * *", Some("second"), "second: step 0 is outside 1-60");
    assert_err("*/61 * * * * * *", Some("second"), "step 61 is outside 1-60");
    assert_err("* * */25 * * * *", Some("hour"), "hour: step 25 is outside 1-24");
    assert_err("* * * * */13 * *", Some("month"), "step 13 is outside 1-12");
    assert_err("* * * * * */8 *", Some("weekday"), "step 8 is outside 1-7");
    assert_err("* * * * * * */131", Some("year"), "step 131 is outside 1-130");
    assert_err("* */x * * * * *", Some("minute"), "step \"x\" is not a number 1-60");
    assert_err("* */-1 * * * * *", Some("minute"), "step \"-1\" is not a number");
    assert_err("* 5/ * * * * *", Some("minute"), "missing step after / in \"5/\"");
    assert_err("* /5 * * * * *", Some("minute"), "missing value before / in \"/5\"");
    assert_err("* 1/2/3 * * * * *", Some("minute"), "\"1/2/3\" has more than one /");
}

#[test]
fn bad_ranges_and_items() {
    assert_err("0 0 17-9 * * * *", Some("hour"), "hour: range 17-9 is reversed");
    assert_err("0 0 0 * * FRI-MON *", Some("weekday"), "range FRI-MON is reversed");
    assert_err("0 0 0 * DEC-JAN * *", Some("month"), "reversed");
    assert_err("1,,2 * * * * * *", Some("second"), "second: empty item in list \"1,,2\"");
    assert_err("1, * * * * * *", Some("second"), "empty item");
    assert_err(",1 * * * * * *", Some("second"), "empty item");
    assert_err("* 1-2-3 * * * * *", Some("minute"), "\"1-2-3\" has more than one -");
    assert_err("* -5 * * * * *", Some("minute"), "missing value in \"-5\"");
    assert_err("* 5- * * * * *", Some("minute"), "missing value in \"5-\"");
    assert_err("* *-5 * * * * *", Some("minute"), "* must stand alone");
    assert_err("5x * * * * * *", Some("second"), "second: \"5x\" is not a number 0-59");
    assert_err("0 0 0 1 JANX * *", Some("month"), "\"JANX\"");
    assert_err("0 0 0 1 1 * 2026!", Some("year"), "\"2026!\"");
    assert_err("0 0 1.5 * * * *", Some("hour"), "\"1.5\"");
    assert_err("0 0 +1 * * * *", Some("hour"), "\"+1\"");
    assert_err("０ 0 0 * * * *", Some("second"), "is not a number");
    // a range with equal ends is one value
    assert_eq!(values(&cron("0 0 5-5 * * * *").sets[HOUR], &SPECS[HOUR]), [5]);
}

// ----- day rules ------------------------------------------------------

#[test]
fn day_or_weekday() {
    let from = "2026-11-27T12:00:00+08:00";
    assert_eq!(
        runs("0 0 0 1 * MON *", from, 8),
        [
            "2026-11-30T00:00:00+08:00",
            "2026-12-01T00:00:00+08:00",
            "2026-12-07T00:00:00+08:00",
            "2026-12-14T00:00:00+08:00",
            "2026-12-21T00:00:00+08:00",
            "2026-12-28T00:00:00+08:00",
            "2027-01-01T00:00:00+08:00",
            "2027-01-04T00:00:00+08:00"
        ]
    );
    assert_eq!(runs("0 0 0 1 * * *", from, 2), ["2026-12-01T00:00:00+08:00", "2027-01-01T00:00:00+08:00"]);
    let mondays = ["2026-11-30T00:00:00+08:00", "2026-12-07T00:00:00+08:00"];
    assert_eq!(runs("0 0 0 * * MON *", from, 2), mondays);
    // only `*` leaves a day field unrestricted: any other spelling of
    // "every day" restricts, and with OR the result is every day
    let every_day = ["2026-11-28T00:00:00+08:00", "2026-11-29T00:00:00+08:00"];
    assert_eq!(runs("0 0 0 1-31 * MON *", from, 2), every_day);
    assert_eq!(runs("0 0 0 */1 * 1 *", from, 2), every_day);
    assert_eq!(runs("0 0 0 1 * SUN-SAT *", from, 2), every_day);
    // OR with a month restriction: only in February
    assert_eq!(
        runs("0 0 0 13 2 FRI *", from, 4),
        [
            "2027-02-05T00:00:00+08:00",
            "2027-02-12T00:00:00+08:00",
            "2027-02-13T00:00:00+08:00",
            "2027-02-19T00:00:00+08:00"
        ]
    );
}

#[test]
fn month_ends() {
    assert_eq!(
        runs("0 0 0 31 * * *", "2026-01-01T00:00:00+08:00", 7),
        [
            "2026-01-31T00:00:00+08:00",
            "2026-03-31T00:00:00+08:00",
            "2026-05-31T00:00:00+08:00",
            "2026-07-31T00:00:00+08:00",
            "2026-08-31T00:00:00+08:00",
            "2026-10-31T00:00:00+08:00",
            "2026-12-31T00:00:00+08:00"
        ]
    );
    assert_eq!(
        runs("0 0 12 30 * * *", "2026-01-30T12:00:00+08:00", 2),
        ["2026-03-30T12:00:00+08:00", "2026-04-30T12:00:00+08:00"]
    );
    assert_eq!(
        runs("59 59 23 28-31 2 * *", "2027-02-28T00:00:00+08:00", 2),
        ["2027-02-28T23:59:59+08:00", "2028-02-28T23:59:59+08:00"]
    );
}

#[test]
fn leap_days() {
    assert_eq!(
        runs("0 0 0 29 2 * *", "2026-06-01T00:00:00+08:00", 3),
        ["2028-02-29T00:00:00+08:00", "2032-02-29T00:00:00+08:00", "2036-02-29T00:00:00+08:00"]
    );
    // 2000 is a leap year (divisible by 400)
    assert_eq!(runs("0 0 0 29 2 * *", "1999-01-01T00:00:00Z", 1), ["2000-02-29T00:00:00+08:00"]);
    // the last leap day in range is 2096-02-29
    assert_eq!(runs("0 0 0 29 2 * *", "2095-01-01T00:00:00Z", 5), ["2096-02-29T00:00:00+08:00"]);
    assert!(cron("0 0 0 29 2 * 2097-2099").next_after(0).is_none());
    assert!(cron("0 0 0 29 2 * 2026").next_after(0).is_none());
}

#[test]
fn impossible_dates_end_quickly() {
    for expr in ["0 0 0 31 2 * *", "0 0 0 30 2 * *", "0 0 0 30 2 * 2030", "0 0 0 31 4,6,9,11 * *"] {
        let e = cron(expr);
        for from in [i64::MIN, -1, 0, at("2026-01-01T00:00:00Z"), at("2099-12-31T00:00:00Z")] {
            let (r, steps) = e.search(from);
            assert_eq!(r, None, "{expr}");
            assert!(steps < 2000, "{expr} from {from}: {steps} steps");
        }
        assert!(e.next_runs(0, 10).is_empty());
    }
}

#[test]
fn year_end_and_past_years() {
    let e = cron("59 59 23 31 12 * 2099");
    let last = e.next_after(at("2026-01-01T00:00:00+08:00")).unwrap();
    assert_eq!(format_cst(last), "2099-12-31T23:59:59+08:00");
    assert_eq!(e.next_after(last), None);
    assert_eq!(e.next_after(last - 1), Some(last));
    let every = cron("* * * * * * *");
    assert_eq!(every.next_runs(last - 2, 5), [last - 1, last]);
    assert_eq!(every.next_after(i64::MAX), None);
    assert_eq!(every.next_after(i64::MAX - 5), None);
    assert_eq!(format_cst(every.next_after(i64::MIN).unwrap()), "1970-01-01T00:00:00+08:00");
    assert_eq!(cron("* * * * * * 1999").next_after(at("2026-01-01T00:00:00Z")), None);
    assert_eq!(
        runs("0 0 0 1 1 * 2098,2099", "2097-05-05T00:00:00Z", 5),
        ["2098-01-01T00:00:00+08:00", "2099-01-01T00:00:00+08:00"]
    );
    // the year changes at midnight China time, not UTC
    assert_eq!(runs("0 0 0 * * * 2027", "2026-12-31T15:59:59Z", 1), ["2027-01-01T00:00:00+08:00"]);
}

#[test]
fn next_runs_are_strictly_increasing_and_capped() {
    let e = cron("* * * * * * *");
    let r = e.next_runs(0, usize::MAX);
    assert_eq!(r.len(), MAX_RUNS);
    assert!(r.windows(2).all(|w| w[1] == w[0] + 1));
    assert!(e.next_runs(0, 0).is_empty());
}

// ----- timestamps -----------------------------------------------------

#[test]
fn timestamps() {
    assert_eq!(format_cst(0), "1970-01-01T08:00:00+08:00");
    assert_eq!(format_cst(-28_800), "1970-01-01T00:00:00+08:00");
    assert_eq!(format_cst(-28_801), "1969-12-31T23:59:59+08:00");
    let t = at("2026-11-28T10:15:00+08:00");
    assert_eq!(format_cst(t), "2026-11-28T10:15:00+08:00");
    assert_eq!(t, 1_795_832_100);
    for same in [
        "2026-11-28T02:15:00Z",
        "2026-11-28t02:15:00z",
        "2026-11-28 02:15:00Z",
        "2026-11-28T02:15:00.999Z",
        "2026-11-28T02:15:00,5Z",
        "2026-11-28T02:15Z",
        "2026-11-28T10:15:00",
        "2026-11-28T07:45:00+05:30",
        "2026-11-27T19:15:00-0700",
        "2026-11-28T10:15:00+08",
        " 2026-11-28T10:15:00+08:00\n",
    ] {
        assert_eq!(parse_iso(same), Some(t), "{same}");
    }
    assert_eq!(parse_iso("2026-11-28"), Some(at("2026-11-28T00:00:00+08:00")));
    assert_eq!(parse_iso("2000-02-29T00:00:00Z"), Some(951_782_400));
    for bad in [
        "",
        "garbage",
        "2026-1-01T00:00:00Z",
        "2026-02-29T00:00:00Z",
        "2100-02-29T00:00:00Z",
        "2026-13-01T00:00:00Z",
        "2026-00-10T00:00:00Z",
        "2026-04-31T00:00:00Z",
        "2026-11-28T24:00:00Z",
        "2026-11-28T10:60:00Z",
        "2026-11-28T10:15:60Z",
        "2026-11-28T10:15:00.Z",
        "2026-11-28T10:15:00+08:00x",
        "2026-11-28T10:15:00+24:00",
        "2026-11-28T10:15:00+8",
        "2026-11-28X10:15:00Z",
        "2026-11-28T10:15:0Z",
        "2026-11-28Z",
        "２026-11-28",
    ] {
        assert_eq!(parse_iso(bad), None, "{bad}");
    }
    // extremes must not panic
    let _ = format_cst(i64::MAX);
    let _ = format_cst(i64::MIN);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..5000 {
        let t = (rng.next() % 8_000_000_000) as i64 - 2_000_000_000;
        assert_eq!(parse_iso(&format_cst(t)), Some(t));
    }
}

#[test]
fn civil_conversion_matches_day_by_day_walk() {
    let (mut y, mut m, mut d) = (1900i64, 1u32, 1u32);
    let mut n = days_from_civil(1900, 1, 1);
    assert_eq!(days_from_civil(1970, 1, 1), 0);
    while y < 2101 {
        assert_eq!(days_from_civil(y, m, d), n);
        assert_eq!(civil_from_days(n), (y, m, d));
        n += 1;
        d += 1;
        if d > days_in_month(y, m) {
            d = 1;
            m += 1;
            if m > 12 {
                m = 1;
                y += 1;
            }
        }
    }
    assert!(!is_leap(1900) && is_leap(2000) && !is_leap(2100) && is_leap(2096));
}

// ----- explanations ---------------------------------------------------

fn explain(expr: &str) -> (String, String) {
    let e = cron(expr);
    (e.explain_en(), e.explain_zh())
}

#[test]
fn explanations_of_examples() {
    let cases = [
        ("*/5 * * * * * *", "every 5 seconds", "每 5 秒"),
        ("0 0 2 1 * * *", "at 02:00:00 on day 1 of every month", "每月 1 日 02:00:00"),
        ("0 15 10 * * MON-FRI *", "at 10:15:00 on Monday to Friday", "周一至周五 10:15:00"),
        ("0 0 10,14,16 * * * *", "at 10:00:00, 14:00:00 and 16:00:00 every day", "每天 10:00:00、14:00:00、16:00:00"),
        ("0 */30 9-17 * * * *", "every 30 minutes, between 09:00 and 17:59", "9 点至 17 点 每 30 分钟"),
        ("* * * * * * *", "every second", "每秒"),
        ("0 * * * * * *", "every minute", "每分钟"),
        ("0 0 * * * * *", "every hour", "每小时"),
        ("0 0 */2 * * * *", "every 2 hours", "每 2 小时"),
        ("0 15 * * * * *", "at minute 15 of every hour", "每小时 第 15 分"),
        ("30 * * * * * *", "at second 30 of every minute", "每分钟 第 30 秒"),
        ("0 0 0 * * * *", "at 00:00:00 every day", "每天 00:00:00"),
        ("0 0 0 1 * MON *", "at 00:00:00 on day 1 of the month or on Monday", "每月 1 日或周一 00:00:00"),
        (
            "0 30 8 * 3-6 SAT,SUN *",
            "at 08:30:00 on Sunday and Saturday, in March to June",
            "3 月至 6 月的 周日、周六 08:30:00",
        ),
        ("0 0 9 1,15 1,7 * *", "at 09:00:00 on days 1 and 15 of January and July", "1 月、7 月的 1 日、15 日 09:00:00"),
        ("0 0 12 25 12 * 2026", "at 12:00:00 on day 25 of December, in 2026", "2026 年 12 月 25 日 12:00:00"),
        ("0 0 8 * * * 2026-2030", "at 08:00:00 every day, from 2026 to 2030", "2026 年至 2030 年 每天 08:00:00"),
        ("*/10 5 * * * * *", "every 10 seconds, during minute 5", "每小时 第 5 分钟内 每 10 秒"),
        ("0 0 0 * 2 * *", "at 00:00:00 every day in February", "2 月 每天 00:00:00"),
        ("0 5/15 * * * * *", "every 15 minutes from minute 5", "从第 5 分起每 15 分钟"),
    ];
    for (expr, en, zh) in cases {
        assert_eq!(explain(expr), (en.to_string(), zh.to_string()), "{expr}");
    }
}

// ----- exhaustive comparison against a naive search -------------------

/// xorshift64*
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u32) -> u32 {
        ((self.next() >> 32) % u64::from(n)) as u32
    }
    fn between(&mut self, lo: u32, hi: u32) -> u32 {
        lo + self.below(hi - lo + 1)
    }
    fn chance(&mut self, pct: u32) -> bool {
        self.below(100) < pct
    }
}

fn render(rng: &mut Rng, f: usize, v: u32) -> String {
    let spec = &SPECS[f];
    if !spec.names.is_empty() && rng.chance(30) {
        let name = spec.names[(v - spec.lo) as usize];
        name.chars().map(|c| if rng.chance(50) { c.to_ascii_lowercase() } else { c }).collect()
    } else {
        v.to_string()
    }
}

/// One list item and the values it stands for.
fn random_item(rng: &mut Rng, f: usize, lo: u32, hi: u32) -> (String, Vec<u32>) {
    let spec = &SPECS[f];
    let span = spec.hi - spec.lo + 1;
    let k = rng.between(1, span.min(20));
    match rng.below(5) {
        0 => {
            let v = rng.between(lo, hi);
            (render(rng, f, v), vec![v])
        }
        1 => {
            let a = rng.between(lo, hi);
            let b = rng.between(a, hi);
            let text = format!("{}-{}", render(rng, f, a), render(rng, f, b));
            (text, (a..=b).collect())
        }
        2 => (format!("*/{k}"), (spec.lo..=spec.hi).step_by(k as usize).collect()),
        3 => {
            let a = rng.between(lo, hi);
            let text = format!("{}/{k}", render(rng, f, a));
            (text, (a..=spec.hi).step_by(k as usize).collect())
        }
        _ => {
            let a = rng.between(lo, hi);
            let b = rng.between(a, hi);
            let text = format!("{}-{}/{k}", render(rng, f, a), render(rng, f, b));
            (text, (a..=b).step_by(k as usize).collect())
        }
    }
}

fn random_field(rng: &mut Rng, f: usize) -> (String, Vec<u32>) {
    let spec = &SPECS[f];
    let (lo, hi) = if f == YEAR { (2024, 2034) } else { (spec.lo, spec.hi) };
    let star = [30, 40, 40, 55, 60, 60, 75][f];
    if rng.chance(star) {
        return ("*".into(), (spec.lo..=spec.hi).collect());
    }
    let n = if rng.chance(25) { rng.between(2, 3) } else { 1 };
    let mut texts = Vec::new();
    let mut vals = Vec::new();
    for _ in 0..n {
        let (t, v) = random_item(rng, f, lo, hi);
        texts.push(t);
        vals.extend(v);
    }
    vals.sort_unstable();
    vals.dedup();
    (texts.join(","), vals)
}

/// Day of week by Sakamoto's method, 0 = Sunday.
fn weekday_of(y: i64, m: u32, d: u32) -> u32 {
    const T: [i64; 12] = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
    let y = if m < 3 { y - 1 } else { y };
    ((y + y / 4 - y / 100 + y / 400 + T[(m - 1) as usize] + i64::from(d)) % 7) as u32
}

fn has(e: &CronExpr, f: usize, v: i64) -> bool {
    let base = i64::from(SPECS[f].base);
    v >= base && e.sets[f].has((v - base) as u32)
}

fn day_matches(e: &CronExpr, y: i64, m: u32, d: u32) -> bool {
    if !has(e, YEAR, y) || !has(e, MONTH, i64::from(m)) {
        return false;
    }
    let star = |f: usize| e.text[f] == "*";
    let dom = has(e, DAY, i64::from(d));
    let dow = has(e, WDAY, i64::from(weekday_of(y, m, d)));
    match (star(DAY), star(WDAY)) {
        (true, true) => true,
        (true, false) => dow,
        (false, true) => dom,
        (false, false) => dom || dow,
    }
}

/// Walks forward one day, hour, minute or second at a time.
fn naive_next(e: &CronExpr, after: i64, limit: i64) -> Option<i64> {
    let mut t = after + 1;
    while t <= limit {
        let local = t + CST_OFFSET;
        let days = local.div_euclid(DAY_SECS);
        let sod = local.rem_euclid(DAY_SECS);
        let (y, m, d) = civil_from_days(days);
        let base = days * DAY_SECS - CST_OFFSET;
        let (h, mi, s) = (sod / 3600, sod / 60 % 60, sod % 60);
        if !day_matches(e, y, m, d) {
            t = base + DAY_SECS;
        } else if !has(e, HOUR, h) {
            t = base + (h + 1) * 3600;
        } else if !has(e, MIN, mi) {
            t = base + h * 3600 + (mi + 1) * 60;
        } else if has(e, SEC, s) {
            return Some(t);
        } else {
            t += 1;
        }
    }
    None
}

#[test]
fn agrees_with_naive_search_on_random_expressions() {
    let mut rng = Rng(0x0123_4567_89AB_CDEF);
    let lo = at("2025-01-01T00:00:00+08:00");
    let hi = at("2031-01-01T00:00:00+08:00");
    let edges = [
        at("2028-02-28T23:59:59+08:00"),
        at("2026-12-31T23:59:59+08:00"),
        at("2027-01-31T23:59:58+08:00"),
        at("2027-06-30T15:59:59Z"),
    ];
    let window = 6 * 366 * DAY_SECS;
    let mut max_steps = 0;
    let mut found = 0;
    for case in 0..400 {
        let fields: Vec<(String, Vec<u32>)> = (0..7).map(|f| random_field(&mut rng, f)).collect();
        let text: Vec<&str> = fields.iter().map(|(t, _)| t.as_str()).collect();
        let expr = text.join(" ");
        let e = cron(&expr);
        for (f, (_, want)) in fields.iter().enumerate() {
            assert_eq!(&values(&e.sets[f], &SPECS[f]), want, "{expr}: field {f}");
        }
        let mut starts = vec![lo + (rng.next() % (hi - lo) as u64) as i64];
        starts.push(edges[case % edges.len()]);
        starts.push(lo + (rng.next() % (hi - lo) as u64) as i64);
        for start in starts {
            let limit = start + window;
            let mut t = start;
            for _ in 0..3 {
                let (fast, steps) = e.search(t);
                max_steps = max_steps.max(steps);
                let slow = naive_next(&e, t, limit);
                match slow {
                    Some(x) => assert_eq!(fast, Some(x), "{expr} after {}", format_cst(t)),
                    None => assert!(
                        fast.is_none_or(|x| x > limit),
                        "{expr} after {}: got {}",
                        format_cst(t),
                        format_cst(fast.unwrap_or(0))
                    ),
                }
                match fast {
                    Some(x) if x <= limit => {
                        found += 1;
                        t = x;
                    }
                    _ => break,
                }
            }
        }
        // explanations never fail and stay short
        let (en, zh) = (e.explain_en(), e.explain_zh());
        assert!(!en.is_empty() && en.len() < 600, "{expr}: {en}");
        assert!(!zh.is_empty() && zh.len() < 600, "{expr}: {zh}");
    }
    assert!(found > 1500, "too few matches compared: {found}");
    assert!(max_steps < 2000, "max steps {max_steps}");
}

#[test]
fn second_by_second_scan_near_boundaries() {
    let exprs = [
        "*/7 * * * * * *",
        "59 59 23 * * * *",
        "0,30 */20 * * * SAT *",
        "10-12 0 0 1 * * *",
        "* * * 31 12 * *",
        "0 0 0 * * * *",
    ];
    let starts = [at("2026-12-31T23:00:00+08:00"), at("2028-02-28T23:30:00+08:00"), at("2027-11-30T23:59:00+08:00")];
    for expr in exprs {
        let e = cron(expr);
        for start in starts {
            let mut expect = None;
            for t in start + 1..=start + 2 * DAY_SECS {
                let local = t + CST_OFFSET;
                let (y, m, d) = civil_from_days(local.div_euclid(DAY_SECS));
                let sod = local.rem_euclid(DAY_SECS);
                if day_matches(&e, y, m, d)
                    && has(&e, HOUR, sod / 3600)
                    && has(&e, MIN, sod / 60 % 60)
                    && has(&e, SEC, sod % 60)
                {
                    expect = Some(t);
                    break;
                }
            }
            if let Some(x) = expect {
                assert_eq!(e.next_after(start), Some(x), "{expr}");
            } else {
                assert!(e.next_after(start).is_none_or(|x| x > start + 2 * DAY_SECS));
            }
        }
    }
}

#[test]
fn search_stays_within_budget() {
    let nasty = [
        "0 0 0 31 2 * *",
        "59 59 23 31 2,4,6,9,11 * *",
        "0 0 0 31 2,4,6,9,11 * *",
        "0 0 0 30,31 2 * *",
        "* * * 31 4 * *",
        "0 0 0 29 2 * */3",
        "0 0 0 29 2 * 2097-2099",
        "* * * * * * 2099",
        "59 59 23 31 12 * 2099",
        "0 0 0 31 2 SUN 2099",
        "0 0 0 30 2 * 1970,2099",
        "*/13 */7 */5 */3 */2 */2 */2",
    ];
    let started = std::time::Instant::now();
    for expr in nasty {
        let e = cron(expr);
        let mut year = 1960;
        while year <= 2100 {
            let from = days_from_civil(year, 1, 1) * DAY_SECS - CST_OFFSET - 1;
            let (_, steps) = e.search(from);
            assert!(steps < 2000, "{expr} from {year}: {steps} steps");
            let r = e.next_runs(from, 20);
            assert!(r.windows(2).all(|w| w[0] < w[1]));
            year += 7;
        }
    }
    assert!(started.elapsed().as_secs() < 5, "searching took too long");
}
