//! A small, strict JSON reader (RFC 8259) for WeChat's answers.
//!
//! It keeps what decoding and rewriting need: integers exactly, other numbers as the text they
//! were written in ([`Value::Num`]), strings, arrays and objects in order. It needs no float parsing or
//! formatting and no serde, which keeps the wasm module small, and it reads the answer in one
//! pass inside wasm instead of walking a JS object tree across the boundary.
//! Nesting is limited to [`MAX_DEPTH`] so that no input can exhaust the stack.

use core::fmt;

/// Deepest nesting of arrays and objects accepted.
pub const MAX_DEPTH: usize = 64;

/// A parsed JSON value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// `null`
    Null,
    /// `true` or `false`
    Bool(bool),
    /// A number that is a whole value within `i64` (`5`, `-1`, `5.0`).
    Int(i64),
    /// Any other number (`2.5`, `1e3`, or beyond `i64`), as written: its value is not computed.
    Num(String),
    /// A string, unescaped.
    Str(String),
    /// An array.
    Arr(Vec<Value>),
    /// An object's members in document order (a repeated key keeps both; lookups take the first).
    Obj(Vec<(String, Value)>),
}

impl Value {
    /// The first member named `key`, when this is an object.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Obj(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// What kind of value this is, for messages: "a string", "an object", …
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) | Value::Num(_) => "a number",
            Value::Str(_) => "a string",
            Value::Arr(_) => "an array",
            Value::Obj(_) => "an object",
        }
    }
}

impl Value {
    /// The value as JSON text; numbers that are not integers are written as they were read.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Int(n) => out.push_str(&n.to_string()),
            Value::Num(text) => out.push_str(text),
            Value::Str(s) => out.push_str(&quote(s)),
            Value::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Value::Obj(members) => {
                out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&quote(k));
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }
}

/// Why a text is not JSON, and where (a byte offset).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    /// Byte offset of the problem.
    pub offset: usize,
    /// What was wrong there.
    pub what: &'static str,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.what, self.offset)
    }
}

/// `s` as a JSON string literal, quotes included.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    quote_into(&mut out, s);
    out
}

/// Appends `s` as a JSON string literal: runs without a character to escape are copied at once.
pub fn quote_into(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    let mut run = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..0x20 => "",
            _ => continue,
        };
        // `i` is at an ASCII byte, so both ends of the run are char boundaries.
        out.push_str(s.get(run..i).unwrap_or(""));
        if escape.is_empty() {
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        } else {
            out.push_str(escape);
        }
        run = i + 1;
    }
    out.push_str(s.get(run..).unwrap_or(""));
    out.push('"');
}

/// Parses a whole JSON text.
pub fn parse(text: &str) -> Result<Value, JsonError> {
    let mut p = Parser { b: text.as_bytes(), i: 0, text };
    p.ws();
    let v = p.value(0)?;
    p.ws();
    if p.i != p.b.len() {
        return Err(p.err("unexpected text after the JSON value"));
    }
    Ok(v)
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
    text: &'a str,
}

impl Parser<'_> {
    fn err(&self, what: &'static str) -> JsonError {
        JsonError { offset: self.i, what }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8, what: &'static str) -> Result<(), JsonError> {
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            Err(self.err(what))
        }
    }

    fn literal(&mut self, word: &'static str, v: Value) -> Result<Value, JsonError> {
        if self.b.get(self.i..self.i + word.len()) == Some(word.as_bytes()) {
            self.i += word.len();
            Ok(v)
        } else {
            Err(self.err("invalid literal"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, JsonError> {
        match self.peek() {
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => self.string().map(Value::Str),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.err("expected a JSON value")),
            None => Err(self.err("unexpected end of text")),
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.err("nested too deeply"));
        }
        self.i += 1;
        let mut members = Vec::new();
        self.ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Ok(Value::Obj(members));
        }
        loop {
            self.ws();
            if self.peek() != Some(b'"') {
                return Err(self.err("expected a string key"));
            }
            let key = self.string()?;
            self.ws();
            self.eat(b':', "expected ':'")?;
            self.ws();
            let v = self.value(depth)?;
            members.push((key, v));
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(Value::Obj(members));
                }
                _ => return Err(self.err("expected ',' or '}'")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.err("nested too deeply"));
        }
        self.i += 1;
        let mut items = Vec::new();
        self.ws();
        if self.peek() == Some(b']') {
            self.i += 1;
            return Ok(Value::Arr(items));
        }
        loop {
            self.ws();
            items.push(self.value(depth)?);
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(Value::Arr(items));
                }
                _ => return Err(self.err("expected ',' or ']'")),
            }
        }
    }

    fn number(&mut self) -> Result<Value, JsonError> {
        let start_of_number = self.i;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.i += 1;
        }
        // Integer part: `0` or a non-zero digit followed by digits; accumulated as a negative
        // i64 so that i64::MIN fits.
        let mut acc: Option<i64> = Some(0);
        match self.peek() {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                while let Some(d @ b'0'..=b'9') = self.peek() {
                    acc = acc.and_then(|a| a.checked_mul(10)).and_then(|a| a.checked_sub(i64::from(d - b'0')));
                    self.i += 1;
                }
            }
            _ => return Err(self.err("expected a digit")),
        }
        let mut whole = true;
        if self.peek() == Some(b'.') {
            self.i += 1;
            let start = self.i;
            while let Some(d @ b'0'..=b'9') = self.peek() {
                whole &= d == b'0';
                self.i += 1;
            }
            if self.i == start {
                return Err(self.err("expected a digit after '.'"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            let start = self.i;
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.i += 1;
            }
            if self.i == start {
                return Err(self.err("expected a digit in the exponent"));
            }
            whole = false;
        }
        let int = if negative { acc } else { acc.and_then(i64::checked_neg) };
        Ok(match int {
            Some(n) if whole => Value::Int(n),
            _ => Value::Num(self.text.get(start_of_number..self.i).unwrap_or("0").to_string()),
        })
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut n = 0u32;
        for _ in 0..4 {
            let d = match self.peek() {
                Some(c @ b'0'..=b'9') => c - b'0',
                Some(c @ b'a'..=b'f') => c - b'a' + 10,
                Some(c @ b'A'..=b'F') => c - b'A' + 10,
                _ => return Err(self.err("expected four hex digits after \\u")),
            };
            n = n * 16 + u32::from(d);
            self.i += 1;
        }
        Ok(n)
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.i += 1;
        let mut out = String::new();
        loop {
            // Copy the run up to the next quote, backslash or control character at once.
            let start = self.i;
            while let Some(c) = self.peek() {
                if c == b'"' || c == b'\\' || c < 0x20 {
                    break;
                }
                self.i += 1;
            }
            // The run ends at an ASCII byte or the end, so both ends are char boundaries.
            out.push_str(self.text.get(start..self.i).unwrap_or(""));
            match self.peek() {
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.i += 1;
                    let c = match self.peek() {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.i += 1;
                            out.push(self.unicode_escape()?);
                            continue;
                        }
                        _ => return Err(self.err("invalid escape")),
                    };
                    self.i += 1;
                    out.push(c);
                }
                Some(_) => return Err(self.err("control character in a string")),
                None => return Err(self.err("unterminated string")),
            }
        }
    }

    /// The character of a `\uXXXX` escape (the `\u` already read), joining surrogate pairs.
    /// A lone surrogate, which JSON allows but a Rust string cannot hold, becomes U+FFFD.
    fn unicode_escape(&mut self) -> Result<char, JsonError> {
        let hi = self.hex4()?;
        if (0xD800..0xDC00).contains(&hi) && self.b.get(self.i..self.i + 2) == Some(b"\\u".as_slice()) {
            let save = self.i;
            self.i += 2;
            let lo = self.hex4()?;
            if (0xDC00..0xE000).contains(&lo) {
                let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                return Ok(char::from_u32(c).unwrap_or('\u{FFFD}'));
            }
            self.i = save;
        }
        Ok(char::from_u32(hi).unwrap_or('\u{FFFD}'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> Value {
        parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn values_write_back_as_json() {
        for text in [
            r#"{"a":[1,-2.50,3e-7,true,false,null],"b":{"c":"q\"uote\u0001é"},"d":123456789012345678901234567890}"#,
            "[]",
            "{}",
            r#""just a string""#,
        ] {
            let v = ok(text);
            assert_eq!(ok(&v.to_json()), v, "{text}");
        }
        assert_eq!(ok("[1.50, 2]").to_json(), "[1.50,2]", "numbers keep their text");
    }

    #[test]
    fn scalars() {
        assert_eq!(ok("null"), Value::Null);
        assert_eq!(ok(" true "), Value::Bool(true));
        assert_eq!(ok("false"), Value::Bool(false));
        assert_eq!(ok("0"), Value::Int(0));
        assert_eq!(ok("-1"), Value::Int(-1));
        assert_eq!(ok("85089"), Value::Int(85089));
        assert_eq!(ok("5.000"), Value::Int(5));
        assert_eq!(ok("-0"), Value::Int(0));
        assert_eq!(ok("2.5"), Value::Num("2.5".into()));
        assert_eq!(ok("1e3"), Value::Num("1e3".into()));
        assert_eq!(ok("9223372036854775807"), Value::Int(i64::MAX));
        assert_eq!(ok("-9223372036854775808"), Value::Int(i64::MIN));
        assert_eq!(ok("9223372036854775808"), Value::Num("9223372036854775808".into()));
        assert_eq!(ok("123456789012345678901234567890"), Value::Num("123456789012345678901234567890".into()));
    }

    #[test]
    fn strings_and_escapes() {
        assert_eq!(ok(r#""a\"b\\c\/d\b\f\n\r\t""#), Value::Str("a\"b\\c/d\u{8}\u{c}\n\r\t".into()));
        assert_eq!(ok(r#""\u0041\u4e91\ud83d\ude00""#), Value::Str("A云😀".into()));
        assert_eq!(ok(r#""\ud83d""#), Value::Str("\u{FFFD}".into()));
        assert_eq!(ok(r#""\ude00x""#), Value::Str("\u{FFFD}x".into()));
        assert_eq!(ok(r#""\ud83d\u0041""#), Value::Str("\u{FFFD}A".into()));
        assert_eq!(ok("\"云函数 config\""), Value::Str("云函数 config".into()));
    }

    #[test]
    fn containers_keep_order() {
        let v = ok(r#"{"b":1,"a":[true,null,{"x":"y"}],"b":2}"#);
        let Value::Obj(m) = &v else { panic!() };
        assert_eq!(m.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(), ["b", "a", "b"]);
        assert_eq!(v.get("b"), Some(&Value::Int(1)));
        assert_eq!(v.get("zz"), None);
        assert_eq!(ok("[]"), Value::Arr(vec![]));
        assert_eq!(ok(" { } "), Value::Obj(vec![]));
    }

    #[test]
    fn invalid_texts_are_refused() {
        for bad in [
            "",
            " ",
            "{",
            "}",
            "[1,]",
            "[,1]",
            "{\"a\":1,}",
            "{a:1}",
            "{\"a\" 1}",
            "'x'",
            "\"abc",
            "\"a\nb\"",
            "\"\\x\"",
            "\"\\u12\"",
            "01",
            "1.",
            ".5",
            "-",
            "+1",
            "1e",
            "1e+",
            "tru",
            "nul",
            "NaN",
            "Infinity",
            "[1] x",
            "{\"a\":1}}",
            "\u{feff}{}",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn quote_round_trips() {
        for s in ["", "plain", "q\"b\\s/", "\n\r\t\u{1}\u{1f}", "云 😀", "</script>"] {
            assert_eq!(ok(&quote(s)), Value::Str(s.to_string()), "{s:?}");
            assert_eq!(serde_json::from_str::<String>(&quote(s)).unwrap(), s);
        }
    }

    #[test]
    fn depth_is_bounded() {
        let ok_depth = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(parse(&ok_depth).is_ok());
        let deep = "[".repeat(100_000);
        assert_eq!(parse(&deep).unwrap_err().what, "nested too deeply");
        let deep_obj = "{\"a\":".repeat(MAX_DEPTH + 1) + "1" + &"}".repeat(MAX_DEPTH + 1);
        assert!(parse(&deep_obj).is_err());
    }

    #[test]
    fn agrees_with_serde_json_on_acceptance() {
        // Every prefix and byte-mangled variant of realistic answers: accepted exactly when
        // serde_json accepts it (ignoring the depth limit, which these never reach).
        let samples = [
            r#"{"errcode":0,"errmsg":"ok","config":"{\"permissions\":{\"openapi\":[\"wxacode.get\"]}}"}"#,
            r#"{"timeout":5,"environment":[{"key":"K","value":"V\u00e9\n"}],"x":[1.5e-3,-0,true,null]}"#,
            r#"[{"name":"t","type":"timer","config":"0 0 2 1 * * *"}]"#,
        ];
        let mut checked = 0;
        for s in samples {
            let bytes = s.as_bytes();
            for i in 0..=bytes.len() {
                for flip in [None, Some(0x01u8), Some(0x20), Some(0x7f)] {
                    let mut v = bytes[..i].to_vec();
                    if let (Some(f), Some(last)) = (flip, v.last_mut()) {
                        *last ^= f;
                    }
                    let Ok(text) = std::str::from_utf8(&v) else { continue };
                    let theirs = serde_json::from_str::<serde_json::Value>(text).is_ok();
                    assert_eq!(parse(text).is_ok(), theirs, "{text:?}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 500);
    }
}
