//! A strict reader of the XML WeChat's pushes use: `<xml>` holding elements that each hold
//! text, either `<Name><![CDATA[text]]></Name>` or `<Name>text</Name>`, with whitespace between
//! elements. An element that holds elements (some InfoTypes, such as
//! `notify_third_fasteregister`, carry an `<info>` block) is read, to check it, and left out of
//! the fields: the events this package reads are flat.
//!
//! Anything else is refused, never guessed at: nesting deeper than [`MAX_DEPTH`], attributes, a
//! declaration, comments, self-closing or unterminated elements, a name twice, text outside the
//! elements, entity references other than XML's five. Refusals name no text of the input.

use super::PushReason;
use crate::Error;

/// The elements of a flat document, in order; each name once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields(Vec<(String, String)>);

impl Fields {
    /// The text of element `name`, if present.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// Every element, as `(name, text)` in document order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }
}

/// How deep elements may nest below `<xml>`.
pub const MAX_DEPTH: usize = 4;

fn malformed(detail: &'static str) -> Error {
    Error::push(PushReason::Malformed, detail)
}

/// Reads `<xml>…</xml>` of flat text elements.
pub fn read_flat(text: &str) -> Result<Fields, Error> {
    let rest = text.trim_start().strip_prefix("<xml>").ok_or_else(|| malformed("the XML does not start with <xml>"))?;
    let mut rest = rest.trim_start();
    let mut fields: Vec<(String, String)> = Vec::new();
    loop {
        if let Some(after) = rest.strip_prefix("</xml>") {
            if !after.trim().is_empty() {
                return Err(malformed("the XML has content after </xml>"));
            }
            return Ok(Fields(fields));
        }
        let (name, value, after) = element(rest, 1)?;
        if let Some(value) = value {
            if fields.iter().any(|(n, _)| n == name) {
                return Err(malformed("an element appears twice in the XML"));
            }
            fields.push((name.to_string(), value));
        }
        rest = after.trim_start();
    }
}

/// One element at the start of `s`, `depth` levels below `<xml>`: its name, its text (`None`
/// for an element that holds elements), and what follows it.
fn element(s: &str, depth: usize) -> Result<(&str, Option<String>, &str), Error> {
    let s = s.strip_prefix('<').ok_or_else(|| {
        if s.is_empty() {
            malformed("the XML ends before </xml>")
        } else {
            malformed("the XML has text between its elements")
        }
    })?;
    let (name, s) = s.split_once('>').ok_or_else(|| malformed("the XML ends inside a tag"))?;
    if !is_name(name) {
        return Err(malformed("the XML has a tag that is not a plain element name"));
    }
    let inner = s.trim_start();
    if inner.starts_with('<') && !inner.starts_with("<![CDATA[") && !inner.starts_with("</") {
        if depth >= MAX_DEPTH {
            return Err(malformed("the XML nests elements too deep"));
        }
        let mut rest = inner;
        loop {
            if let Some(after) = closing(rest, name) {
                return Ok((name, None, after));
            }
            rest = element(rest, depth + 1)?.2.trim_start();
        }
    }
    let (value, s) = match s.strip_prefix("<![CDATA[") {
        Some(cdata) => {
            let (value, after) =
                split_at_text(cdata, "]]>").ok_or_else(|| malformed("the XML ends inside a CDATA section"))?;
            (value.to_string(), after)
        }
        None => {
            let end = s.find('<').ok_or_else(|| malformed("the XML ends inside an element"))?;
            let (raw, after) = s.split_at_checked(end).ok_or_else(|| malformed("the XML ends inside an element"))?;
            (unescape(raw)?, after)
        }
    };
    let s = closing(s, name)
        .ok_or_else(|| malformed("an element holds something other than text, or is not closed by its own name"))?;
    Ok((name, Some(value), s))
}

/// `s` around the first `pat`, found byte by byte: `split_once` with a `&str` pattern would bring
/// the substring searcher into the module, and `split_at` its slicing panic.
fn split_at_text<'a>(s: &'a str, pat: &str) -> Option<(&'a str, &'a str)> {
    let bytes = s.as_bytes();
    let at = (0..bytes.len()).find(|&i| bytes.get(i..).is_some_and(|t| t.starts_with(pat.as_bytes())))?;
    Some((s.get(..at)?, s.get(at + pat.len()..)?))
}

/// What follows `</name>` at the start of `s`.
fn closing<'a>(s: &'a str, name: &str) -> Option<&'a str> {
    s.strip_prefix("</").and_then(|s| s.strip_prefix(name)).and_then(|s| s.strip_prefix('>'))
}

/// An element name as WeChat writes them: ASCII letters, digits and `_`, starting with a letter.
fn is_name(name: &str) -> bool {
    name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Text with XML's five predefined entities replaced; any other `&` is refused.
fn unescape(raw: &str) -> Result<String, Error> {
    if !raw.contains('&') {
        return Ok(raw.to_string());
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some((before, after)) = rest.split_once('&') {
        out.push_str(before);
        let (entity, after) = after.split_once(';').ok_or_else(|| malformed("the XML has an unterminated entity"))?;
        out.push(match entity {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            "apos" => '\'',
            _ => return Err(malformed("the XML has an entity other than &lt; &gt; &amp; &quot; &apos;")),
        });
        rest = after;
    }
    out.push_str(rest);
    Ok(out)
}
