//! `POST /tcb/getenvinfo?access_token=…` `{"env"?}`: the cloud environments of the account
//! the token speaks for.
//!
//! Token and body checks are getfuncconfig's (`wechat::tcb_object`); `env`, when given and not
//! null, must be a string (else 40097) and narrows the list to that env (empty when the account
//! has no such env).

use serde_json::Value;

use crate::http::{array_raw, object, object_raw, Request, Response};
use crate::store::State;
use crate::wechat::{error, tcb_object};

type Answer = (i64, Response);

pub fn getenvinfo(state: &mut State, req: &Request, token: Option<&str>, json: Option<&Value>) -> Answer {
    let result = getenvinfo_checked(state, req, token, json);
    result.unwrap_or_else(|code| error(state, code))
}

fn getenvinfo_checked(
    state: &mut State,
    req: &Request,
    token: Option<&str>,
    json: Option<&Value>,
) -> Result<Answer, i64> {
    let (obj, caller) = tcb_object(state, &req.head.method, token, &req.body, json)?;
    let only = match obj.get("env") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(Value::String(s)) => Some(s.as_str()),
        Some(_) => return Err(40097),
    };
    let items: Vec<String> = state
        .store
        .envs_of(&caller.scope)
        .filter(|(env, _)| only.is_none_or(|o| o == *env))
        .map(|(env, e)| {
            object(&[
                ("env", env.into()),
                ("alias", e.alias.as_str().into()),
                ("create_time", china_time(e.create_time).into()),
                ("update_time", china_time(e.update_time).into()),
                ("status", e.status.as_str().into()),
                ("package_id", e.package_id.as_str().into()),
                ("package_name", e.package_name.as_str().into()),
            ])
        })
        .collect();
    let body = object_raw(&[("errcode", "0".into()), ("errmsg", "\"ok\"".into()), ("info_list", array_raw(&items))]);
    Ok((0, Response::json(200, body)))
}

/// Unix seconds as WeChat prints times: `YYYY-MM-DD HH:MM:SS` in China Standard Time (UTC+8),
/// with no zone.
pub fn china_time(unix: u64) -> String {
    let t = unix + 8 * 3600;
    let (days, secs) = (t / 86_400, t % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
}

#[cfg(test)]
mod tests {
    use super::china_time;

    #[test]
    fn times_print_in_china_standard_time() {
        assert_eq!(china_time(0), "1970-01-01 08:00:00");
        assert_eq!(china_time(1_672_531_200), "2023-01-01 08:00:00");
        assert_eq!(china_time(1_709_193_599), "2024-02-29 15:59:59");
        assert_eq!(china_time(1_700_003_600), "2023-11-15 07:13:20");
    }
}
