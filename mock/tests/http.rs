//! The HTTP layer: keep-alive, framing, CORS, and hostile input.

mod common;

use common::*;
use serde_json::json;

const BODY: &str = r#"{"type":1,"env":"test-777bb9","function_name":"openapi"}"#;

fn getfuncconfig_raw(extra_headers: &str, body: &str) -> Vec<u8> {
    format!(
        "POST {PATH}?access_token={TOKEN} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra_headers}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

#[test]
fn keep_alive_serves_several_requests_on_one_connection() {
    let sim = Sim::start();
    let mut conn = sim.conn();
    for _ in 0..3 {
        let resp = conn.request("POST", &format!("{PATH}?access_token={TOKEN}"), &[], BODY.as_bytes());
        assert_eq!(resp.status, 200);
        assert_eq!(resp.header("connection"), Some("keep-alive"));
        assert_eq!(resp.json()["errcode"], 0);
    }
    let resp = conn.request("GET", "/__sim/health", &[], b"");
    assert_eq!(resp.json(), json!({"ok": true}));
}

#[test]
fn pipelined_requests_are_answered_in_order() {
    let sim = Sim::start();
    let mut conn = sim.conn();
    let mut raw = getfuncconfig_raw("", BODY);
    raw.extend(getfuncconfig_raw("", "{}"));
    raw.extend(b"GET /__sim/health HTTP/1.1\r\nHost: x\r\n\r\n");
    conn.send(&raw);
    assert_eq!(conn.read_response().expect("first").json()["errcode"], 0);
    assert_eq!(conn.read_response().expect("second").json()["errcode"], 40101);
    assert_eq!(conn.read_response().expect("third").json(), json!({"ok": true}));
}

#[test]
fn connection_close_is_honoured() {
    let sim = Sim::start();
    let mut conn = sim.conn();
    let resp =
        conn.request("POST", &format!("{PATH}?access_token={TOKEN}"), &[("Connection", "close")], BODY.as_bytes());
    assert_eq!(resp.header("connection"), Some("close"));
    assert_eq!(resp.json()["errcode"], 0);
    assert!(conn.closed_by_server());
}

#[test]
fn http10_closes_unless_asked_to_keep_alive() {
    let sim = Sim::start();
    let mut conn = sim.conn();
    conn.send(b"GET /__sim/health HTTP/1.0\r\n\r\n");
    let resp = conn.read_response().expect("response");
    assert_eq!(resp.header("connection"), Some("close"));
    assert!(conn.closed_by_server());

    let mut conn = sim.conn();
    conn.send(b"GET /__sim/health HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n");
    assert_eq!(conn.read_response().expect("first").header("connection"), Some("keep-alive"));
    conn.send(b"GET /__sim/health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    assert_eq!(conn.read_response().expect("second").status, 200);
}

#[test]
fn chunked_body_is_decoded() {
    let sim = Sim::start();
    let mut conn = sim.conn();
    let (a, b) = BODY.split_at(20);
    let raw = format!(
        "POST {PATH}?access_token={TOKEN} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{a}\r\n{:X};ext=1\r\n{b}\r\n0\r\nX-Trailer: yes\r\n\r\n",
        a.len(),
        b.len()
    );
    conn.send(raw.as_bytes());
    let resp = conn.read_response().expect("response");
    assert_eq!(resp.json()["errcode"], 0);
    // The connection is still usable and the recorded body is the decoded one.
    assert_eq!(conn.request("GET", "/__sim/health", &[], b"").status, 200);
    let records = sim.records("");
    assert_eq!(records[0]["body"], BODY);
    assert_eq!(records[0]["functionName"], "openapi");
}

#[test]
fn malformed_chunked_body_is_400() {
    let sim = Sim::start();
    for chunks in ["zz\r\nabc\r\n0\r\n\r\n", "3\r\nabcdef\r\n0\r\n\r\n", "+3\r\nabc\r\n0\r\n\r\n", "\r\n"] {
        let mut conn = sim.conn();
        conn.send(format!("POST {PATH} HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n{chunks}").as_bytes());
        let resp = conn.read_response().expect("response");
        assert_eq!(resp.status, 400, "{chunks:?}");
        assert!(conn.closed_by_server());
    }
    sim.assert_alive();
}

#[test]
fn expect_100_continue_is_answered() {
    let sim = Sim::start();
    let mut conn = sim.conn();
    conn.send(
        format!(
            "POST {PATH}?access_token={TOKEN} HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: {}\r\n\r\n",
            BODY.len()
        )
        .as_bytes(),
    );
    let (status, _) = conn.read_head().expect("interim");
    assert_eq!(status, 100);
    conn.send(BODY.as_bytes());
    assert_eq!(conn.read_response().expect("final").json()["errcode"], 0);
}

#[test]
fn header_names_are_case_insensitive() {
    let sim = Sim::start();
    let mut conn = sim.conn();
    let raw = format!(
        "POST {PATH}?access_token={TOKEN} HTTP/1.1\r\nhOsT: x\r\nCONTENT-LENGTH: {}\r\nconnection: CLOSE\r\n\r\n{BODY}",
        BODY.len()
    );
    conn.send(raw.as_bytes());
    assert_eq!(conn.read_response().expect("response").json()["errcode"], 0);
    assert!(conn.closed_by_server());

    let resp = sim.conn().request("OPTIONS", PATH, &[("ACCESS-CONTROL-REQUEST-HEADERS", "X-Custom")], b"");
    assert_eq!(resp.header("access-control-allow-headers"), Some("X-Custom"));
}

#[test]
fn absolute_form_target_is_accepted() {
    let sim = Sim::start();
    let mut conn = sim.conn();
    let raw = format!(
        "POST http://127.0.0.1:{}{PATH}?access_token={TOKEN} HTTP/1.1\r\nContent-Length: {}\r\n\r\n{BODY}",
        sim.port,
        BODY.len()
    );
    conn.send(raw.as_bytes());
    assert_eq!(conn.read_response().expect("response").json()["errcode"], 0);
}

#[test]
fn malformed_requests_get_400_and_close() {
    let sim = Sim::start();
    let bad: &[&[u8]] = &[
        b"GARBAGE\r\n\r\n",
        b"GET /__sim/health\r\n\r\n",
        b"GET  /__sim/health HTTP/1.1\r\n\r\n",
        b"GET /__sim/health HTTP/2.0\r\n\r\n",
        b"GET /__sim/health HTTP/1.1 extra\r\n\r\n",
        b"G(T /__sim/health HTTP/1.1\r\n\r\n",
        b"GET __sim/health HTTP/1.1\r\n\r\n",
        b"GET /a\x01b HTTP/1.1\r\n\r\n",
        b"\xff\xfe\xfd /x HTTP/1.1\r\n\r\n",
        b"GET /__sim/health HTTP/1.1\r\nNoColon\r\n\r\n",
        b"GET /__sim/health HTTP/1.1\r\nBad Name: x\r\n\r\n",
        b"GET /__sim/health HTTP/1.1\r\n: empty\r\n\r\n",
        b"GET /__sim/health HTTP/1.1\r\nA: b\r\n folded\r\n\r\n",
        b"GET /__sim/health HTTP/1.1\r\nA: b\x00c\r\n\r\n",
        b"POST /x HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
        b"POST /x HTTP/1.1\r\nContent-Length: 1x\r\n\r\n",
        b"POST /x HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
        b"POST /x HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    ];
    for raw in bad {
        let mut conn = sim.conn();
        conn.send(raw);
        let resp = conn.read_response().unwrap_or_else(|e| panic!("{:?}: {e}", String::from_utf8_lossy(raw)));
        assert_eq!(resp.status, 400, "{:?}", String::from_utf8_lossy(raw));
        assert_eq!(resp.header("connection"), Some("close"));
        assert_eq!(resp.header("access-control-allow-origin"), Some("*"));
        assert!(resp.json()["error"].is_string());
        assert!(conn.closed_by_server());
    }
    sim.assert_alive();
    // Nothing malformed was recorded.
    assert!(sim.records("").is_empty());
}

#[test]
fn unsupported_transfer_coding_is_501() {
    let sim = Sim::start();
    let mut conn = sim.conn();
    conn.send(b"POST /x HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n");
    assert_eq!(conn.read_response().expect("response").status, 501);
    sim.assert_alive();
}

#[test]
fn oversized_head_is_431() {
    let sim = Sim::start();
    let mut conn = sim.conn();
    let mut raw = b"GET /__sim/health HTTP/1.1\r\n".to_vec();
    for i in 0..2000 {
        raw.extend(format!("X-Filler-{i}: {}\r\n", "a".repeat(40)).as_bytes());
    }
    raw.extend(b"\r\n");
    // The server may stop reading before all of it arrives.
    let _ = std::io::Write::write_all(conn.reader.get_mut(), &raw);
    assert_eq!(conn.read_response().expect("response").status, 431);
    sim.assert_alive();

    // One endless line is cut off the same way.
    let mut conn = sim.conn();
    let _ = std::io::Write::write_all(conn.reader.get_mut(), &vec![b'A'; 100_000]);
    assert_eq!(conn.read_response().expect("response").status, 431);
    sim.assert_alive();
}

#[test]
fn oversized_body_is_413() {
    let sim = Sim::start();
    let mut conn = sim.conn();
    conn.send(format!("POST {PATH} HTTP/1.1\r\nContent-Length: {}\r\n\r\n", 2 * 1024 * 1024).as_bytes());
    assert_eq!(conn.read_response().expect("response").status, 413);

    let mut conn = sim.conn();
    conn.send(format!("POST {PATH} HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n").as_bytes());
    assert_eq!(conn.read_response().expect("response").status, 413);

    // Chunked bodies are bounded while they are decoded.
    let mut conn = sim.conn();
    conn.send(format!("POST {PATH} HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n").as_bytes());
    let chunk = format!("{:x}\r\n{}\r\n", 512 * 1024, "a".repeat(512 * 1024));
    let _ = std::io::Write::write_all(conn.reader.get_mut(), chunk.as_bytes());
    let _ = std::io::Write::write_all(conn.reader.get_mut(), chunk.as_bytes());
    let _ = std::io::Write::write_all(conn.reader.get_mut(), b"1\r\na\r\n0\r\n\r\n");
    assert_eq!(conn.read_response().expect("response").status, 413);

    // Exactly 1 MiB is still accepted (as malformed JSON).
    let big = vec![b'a'; 1024 * 1024];
    let resp = sim.request("POST", &format!("{PATH}?access_token={TOKEN}"), &big);
    assert_eq!(resp.json()["errcode"], 47001);
    sim.assert_alive();
}

#[test]
fn hostile_input_never_kills_the_server() {
    let sim = Sim::start();
    let inputs: Vec<Vec<u8>> = vec![
        vec![0; 1000],
        (0..=255u8).cycle().take(70_000).collect(),
        b"\r\n\r\n\r\n".to_vec(),
        b"POST /tcb/getfuncconfig HTTP/1.1\r\nContent-Length: 100\r\n\r\nshort".to_vec(),
        b"POST /tcb/getfuncconfig HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab".to_vec(),
        b"GET /__sim/health HTTP/1.1\r\nHost".to_vec(),
        "GET /\u{1F600} HTTP/1.1\r\n\r\n".as_bytes().to_vec(),
        b"GET /%zz%%%?access_token=%ff%fe%zz HTTP/1.1\r\n\r\n".to_vec(),
    ];
    for raw in inputs {
        let mut conn = sim.conn();
        let _ = std::io::Write::write_all(conn.reader.get_mut(), &raw);
        let _ = conn.reader.get_ref().shutdown(std::net::Shutdown::Write);
        let _ = conn.read_rest();
    }
    // Connections that open and vanish.
    for _ in 0..20 {
        drop(sim.conn());
    }
    sim.assert_alive();
}

#[test]
fn odd_percent_escapes_in_token_are_kept() {
    let sim = Sim::start();
    let resp = sim.request("POST", &format!("{PATH}?access_token=%zz%ff%"), BODY.as_bytes());
    assert_eq!(resp.json()["errcode"], 40014);
    assert_eq!(sim.records("")[0]["accessToken"], "%zz\u{FFFD}%");
}

#[test]
fn options_preflight_allows_everything_and_is_not_recorded() {
    let sim = Sim::start();
    let resp = sim.conn().request(
        "OPTIONS",
        &format!("{PATH}?access_token={TOKEN}"),
        &[
            ("Origin", "http://localhost:8080"),
            ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", "content-type, x-requested-with"),
        ],
        b"",
    );
    assert_eq!(resp.status, 204);
    assert_eq!(resp.header("access-control-allow-origin"), Some("*"));
    assert_eq!(resp.header("access-control-allow-methods"), Some("GET, POST, OPTIONS"));
    assert_eq!(resp.header("access-control-allow-headers"), Some("content-type, x-requested-with"));
    assert_eq!(resp.header("access-control-max-age"), Some("600"));
    assert!(resp.body.is_empty());

    // Without a header list, content-type is allowed; control paths preflight the same way.
    let resp = sim.conn().request("OPTIONS", "/__sim/faults", &[], b"");
    assert_eq!(resp.status, 204);
    assert_eq!(resp.header("access-control-allow-headers"), Some("content-type"));
    assert_eq!(resp.header("access-control-allow-private-network"), None);
    let resp = sim.conn().request("OPTIONS", "*", &[("Access-Control-Request-Private-Network", "true")], b"");
    assert_eq!(resp.status, 204);
    assert_eq!(resp.header("access-control-allow-private-network"), Some("true"));

    assert!(sim.records("").is_empty());
}

#[test]
fn every_answer_allows_any_origin() {
    let sim = Sim::start();
    let answers = [
        sim.request("POST", &format!("{PATH}?access_token={TOKEN}"), BODY.as_bytes()),
        sim.request("GET", PATH, b""),
        sim.request("POST", "/elsewhere", b""),
        sim.request("GET", "/__sim/health", b""),
        sim.request("GET", "/__sim/requests", b""),
        sim.request("GET", "/__sim/nope", b""),
        sim.request("POST", "/__sim/configs", b"not json"),
    ];
    for resp in answers {
        assert_eq!(resp.header("access-control-allow-origin"), Some("*"), "{resp:?}");
    }
}
