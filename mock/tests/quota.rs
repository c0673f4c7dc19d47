//! The per-minute quota (setting `perMinuteQuota`, per account) and the daily one by fault.

mod common;

use common::*;

#[test]
fn past_the_per_minute_quota_tcb_answers_45011_until_the_window_ends() {
    let sim = Sim::start_with(&["--quiet", "--authorizers", "2"]);
    sim.control("/__sim/settings", r#"{"perMinuteQuota":3}"#);
    let ct = sim.component_token();
    let token = |i: u64| {
        let v = sim.token_for(&ct, &rule::appid(i), &rule::refresh(i));
        v["authorizer_access_token"].as_str().unwrap_or_else(|| panic!("{v}")).to_string()
    };
    let (t1, t2) = (token(1), token(2));
    for n in 0..3 {
        assert_eq!(sim.tcb(GETENVINFO, &t1, "{}")["errcode"], 0, "call {n}");
    }
    let limited = "api minute-quota reach limit  mustslower  retry next minute";
    assert_wechat_error(&sim.tcb(GETENVINFO, &t1, "{}"), 45011, limited);
    assert_wechat_error(&sim.tcb(PATH, &t1, r#"{"type":1,"env":"x","function_name":"f"}"#), 45011, limited);
    assert_eq!(sim.tcb(GETENVINFO, &t2, "{}")["errcode"], 0, "each account has its own quota");
    // Token endpoints are not tcb calls and are not limited.
    let list = format!(r#"{{"component_appid":"{COMPONENT_APPID}","offset":0,"count":10}}"#);
    assert_eq!(sim.component_call(AUTHORIZER_LIST, &ct, &list)["total_count"], 3);
    sim.advance(59);
    assert_eq!(sim.tcb(GETENVINFO, &t1, "{}")["errcode"], 45011);
    sim.advance(1);
    assert_eq!(sim.tcb(GETENVINFO, &t1, "{}")["errcode"], 0, "a new window");
    sim.control("/__sim/settings", r#"{"perMinuteQuota":0}"#);
    for _ in 0..5 {
        assert_eq!(sim.tcb(GETENVINFO, &t1, "{}")["errcode"], 0, "0 means no limit");
    }
    assert_eq!(sim.request("POST", "/__sim/settings", br#"{"perMinuteQuota":-1}"#).status, 400);
}

#[test]
fn the_daily_quota_comes_from_a_fault_on_any_endpoint() {
    let sim = Sim::start();
    sim.fault(r#"{"path":"/tcb/getenvinfo","fault":{"kind":"errcode","errcode":45009}}"#);
    assert_wechat_error(&sim.tcb(GETENVINFO, TOKEN, "{}"), 45009, "reach max api daily quota limit");
    assert_eq!(sim.tcb(GETENVINFO, TOKEN, "{}")["errcode"], 0);
    sim.fault(r#"{"path":"/cgi-bin/component/api_get_authorizer_list","fault":{"kind":"errcode","errcode":45009}}"#);
    let ct = sim.component_token();
    let body = format!(r#"{{"component_appid":"{COMPONENT_APPID}","offset":0,"count":1}}"#);
    assert_eq!(sim.component_call(AUTHORIZER_LIST, &ct, &body)["errcode"], 45009);
}
