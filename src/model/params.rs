//! MIME header parameters (RFC 2045 §5.1) with RFC 2231 extensions, parsed
//! from the raw header bytes.
//!
//! We parse parameters ourselves because the value mail-parser returns is
//! wrong in known cases: an RFC 2231 continuation split inside a multi-byte
//! UTF-8 sequence becomes U+FFFD (each segment is converted on its own), and
//! adjacent encoded words get a space inserted. Here the percent-decoded bytes
//! of all segments are joined first and converted once.

use super::{charset, encoded_word};

/// One parameter after continuations are joined and charsets decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Param {
    /// Lower-case name without the RFC 2231 `*` / `*N` suffixes.
    pub name: String,
    /// The decoded value.
    pub value: String,
    /// True when the value came from the RFC 2231 extended form (`name*`).
    pub extended: bool,
    /// True when every charset conversion was exact.
    pub exact: bool,
}

/// A parsed Content-Type or Content-Disposition value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParsedValue {
    /// The main value, lower-cased (`text/plain`, `attachment`).
    pub value: String,
    /// The parameters in order of first appearance.
    pub params: Vec<Param>,
    /// Parameter names beyond [`MAX_PARAMS`] that were not kept.
    pub dropped: usize,
    /// True when the first parameter follows the value after white space
    /// only, without the `;` RFC 2045 §5.1 requires
    /// (`multipart/mixed\n\tboundary="b"`): read as a parameter here,
    /// while a strict parser sees an invalid field and no parameter at all.
    pub missing_semicolon: bool,
}

impl ParsedValue {
    /// The value of a parameter by name; the extended form wins, as RFC 2231
    /// recommends.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .filter(|p| p.name == name)
            .max_by_key(|p| p.extended)
            .map(|p| p.value.as_str())
    }
}

/// Most distinct parameter names kept per header field.
pub const MAX_PARAMS: usize = 1_000;
/// Most RFC 2231 segments kept per parameter.
pub const MAX_SEGMENTS: usize = 10_000;

struct Segment<'a> {
    index: Option<u32>,
    encoded: bool,
    /// The value, borrowed from the field unless unquoting changed it.
    bytes: std::borrow::Cow<'a, [u8]>,
}

/// Parameter names looked up by a linear search before a map is built.
const LINEAR_NAMES: usize = 8;

/// Parses a raw header value such as `attachment; filename*0*=utf-8''a%C3;
/// filename*1*=%A9.txt`.
pub fn parse(raw: &[u8]) -> ParsedValue {
    // The main value is the first token; parameters follow after `;`, or
    // after whitespace when the sender forgot the semicolon (seen in the
    // wild: `multipart/mixed\n\tboundary="b"`).
    let mut pos = skip_ws(raw, 0);
    let main_start = pos;
    while pos < raw.len() && raw[pos] != b';' && !raw[pos].is_ascii_whitespace() && raw[pos] != b'('
    {
        pos += 1;
    }
    let value = String::from_utf8_lossy(&raw[main_start..pos]).to_ascii_lowercase();
    // name -> segments, in order of first appearance.
    let mut order: Vec<String> = Vec::new();
    let mut segs: Vec<Vec<Segment>> = Vec::new();
    // Name → slot. A linear search alone made 100,000 parameters
    // quadratic, a map alone costs an allocation and hashing for the one or
    // two parameters of almost every field: the map is built once there are
    // more than LINEAR_NAMES names.
    let mut slots: Option<std::collections::HashMap<String, usize>> = None;
    let mut dropped = 0usize;
    let mut missing_semicolon = false;
    // Whether a `;` came since the main value: every parameter after the
    // first is reached through `next_semicolon`, so only the first can lack
    // one.
    let mut semicolon = false;
    while pos < raw.len() {
        while pos < raw.len() && (raw[pos] == b';' || raw[pos].is_ascii_whitespace()) {
            semicolon |= raw[pos] == b';';
            pos += 1;
        }
        if pos >= raw.len() {
            break;
        }
        let (name, p) = read_name(raw, pos);
        pos = p;
        if name.is_empty() {
            // Garbage: skip to the next ';'.
            pos = next_semicolon(raw, pos);
            continue;
        }
        pos = skip_ws(raw, pos);
        if raw.get(pos) != Some(&b'=') {
            pos = next_semicolon(raw, pos);
            continue;
        }
        missing_semicolon |= !semicolon;
        pos = skip_ws(raw, pos + 1);
        let (bytes, p, quoted) = read_value(raw, pos);
        pos = next_semicolon(raw, p);

        let lname = name.to_ascii_lowercase();
        let (base, index, encoded) = split_name(&lname);
        let _ = quoted;
        // The base name is a prefix of the lower-cased name: cut, not copied.
        let base_len = base.len();
        let mut key = lname;
        key.truncate(base_len);
        let found = match &slots {
            Some(m) => m.get(&key).copied(),
            None => order.iter().position(|k| *k == key),
        };
        let slot = match found {
            Some(i) => i,
            None => {
                if order.len() >= MAX_PARAMS {
                    // Real headers have a handful; stop collecting names.
                    dropped += 1;
                    continue;
                }
                if slots.is_none() && order.len() >= LINEAR_NAMES {
                    slots = Some(order.iter().cloned().zip(0..).collect());
                }
                if let Some(m) = &mut slots {
                    m.insert(key.clone(), order.len());
                }
                order.push(key);
                segs.push(Vec::new());
                order.len() - 1
            }
        };
        if segs[slot].len() >= MAX_SEGMENTS {
            continue;
        }
        segs[slot].push(Segment {
            index,
            encoded,
            bytes,
        });
    }
    let mut params = Vec::new();
    for (name, mut list) in order.into_iter().zip(segs) {
        let extended = list.iter().any(|s| s.encoded);
        let continued = list.iter().any(|s| s.index.is_some());
        if !extended && !continued {
            // Plain parameters: each occurrence kept (duplicates are findings).
            let last = list.len().saturating_sub(1);
            let mut name = Some(name);
            for (i, s) in list.into_iter().enumerate() {
                let text = String::from_utf8_lossy(&s.bytes);
                let (v, exact) = if text.contains("=?") {
                    encoded_word::decode(&text)
                } else {
                    charset::utf8_or_1252(&s.bytes)
                };
                // The name moves into the last occurrence's parameter.
                let name = if i == last {
                    name.take().unwrap_or_default()
                } else {
                    name.clone().unwrap_or_default()
                };
                params.push(Param {
                    name,
                    value: v,
                    extended: false,
                    exact,
                });
            }
            continue;
        }
        // A lone `name*=` and continuations may both exist; keep them apart.
        let single: Vec<Segment<'_>> = {
            let (s, c): (Vec<_>, Vec<_>) = list.drain(..).partition(|s| s.index.is_none());
            list = c;
            s
        };
        for s in single {
            params.push(decode_extended(&name, vec![s]));
        }
        if !list.is_empty() {
            list.sort_by_key(|s| s.index);
            params.push(decode_extended(&name, list));
        }
    }
    ParsedValue {
        value,
        params,
        dropped,
        missing_semicolon,
    }
}

fn decode_extended(name: &str, list: Vec<Segment<'_>>) -> Param {
    let mut cs = String::new();
    let mut bytes = Vec::new();
    let mut any_encoded = false;
    for (i, s) in list.into_iter().enumerate() {
        if s.encoded {
            any_encoded = true;
            let mut data: &[u8] = &s.bytes;
            if i == 0 {
                // charset'language'value
                let mut parts = s.bytes.splitn(3, |&b| b == b'\'');
                let a = parts.next().unwrap_or_default();
                let b = parts.next();
                let c = parts.next();
                if let (Some(_lang), Some(v)) = (b, c) {
                    cs = String::from_utf8_lossy(a).into_owned();
                    data = v;
                }
            }
            percent_decode(data, &mut bytes);
        } else {
            bytes.extend_from_slice(&s.bytes);
        }
    }
    let (value, exact) = if cs.is_empty() {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if text.contains("=?") {
            encoded_word::decode(&text)
        } else {
            charset::utf8_or_1252(&bytes)
        }
    } else {
        charset::decode(&cs, &bytes)
    };
    Param {
        name: name.to_string(),
        value,
        extended: any_encoded,
        exact,
    }
}

fn percent_decode(data: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while i < data.len() {
        if data[i] == b'%' {
            let h = data.get(i + 1).and_then(|c| (*c as char).to_digit(16));
            let l = data.get(i + 2).and_then(|c| (*c as char).to_digit(16));
            if let (Some(h), Some(l)) = (h, l) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(data[i]);
        i += 1;
    }
}

/// `filename*1*` → (`filename`, Some(1), true)
fn split_name(name: &str) -> (&str, Option<u32>, bool) {
    let (name, encoded) = match name.strip_suffix('*') {
        Some(n) => (n, true),
        None => (name, false),
    };
    if let Some(star) = name.rfind('*') {
        if let Ok(n) = name[star + 1..].parse::<u32>() {
            return (&name[..star], Some(n), encoded);
        }
    }
    (name, None, encoded)
}

fn skip_ws(raw: &[u8], mut pos: usize) -> usize {
    while pos < raw.len() && raw[pos].is_ascii_whitespace() {
        pos += 1;
    }
    pos
}

fn read_name(raw: &[u8], pos: usize) -> (std::borrow::Cow<'_, str>, usize) {
    let mut p = skip_ws(raw, pos);
    // Tolerate comments before a name.
    while raw.get(p) == Some(&b'(') {
        p = skip_comment(raw, p);
        p = skip_ws(raw, p);
    }
    // A backslash at the very end of a comment steps past the last byte.
    let p0 = p.min(raw.len());
    let mut p = p0;
    let start = p0;
    while p < raw.len() && !raw[p].is_ascii_whitespace() && !b"=;\"()".contains(&raw[p]) {
        p += 1;
    }
    (String::from_utf8_lossy(&raw[start..p]), p)
}

fn skip_comment(raw: &[u8], mut p: usize) -> usize {
    let mut depth = 0usize;
    while p < raw.len() {
        match raw[p] {
            b'\\' => p += 1,
            b'(' => depth += 1,
            b')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return p + 1;
                }
            }
            _ => {}
        }
        p += 1;
    }
    p.min(raw.len())
}

fn read_value(raw: &[u8], pos: usize) -> (std::borrow::Cow<'_, [u8]>, usize, bool) {
    use std::borrow::Cow;
    // Most values need no unquoting or unfolding: borrowed as they are.
    let plain = |v: &[u8]| !v.iter().any(|&c| matches!(c, b'\\' | b'\r' | b'\n'));
    if raw.get(pos) == Some(&b'"') {
        if let Some(close) = memchr::memchr(b'"', &raw[pos + 1..]).map(|k| pos + 1 + k) {
            if plain(&raw[pos + 1..close]) {
                return (Cow::Borrowed(&raw[pos + 1..close]), close + 1, true);
            }
        }
    } else {
        let end = memchr::memchr(b';', &raw[pos..]).map_or(raw.len(), |k| pos + k);
        let v = &raw[pos.min(end)..end];
        if plain(v) {
            return (Cow::Borrowed(v.trim_ascii_end()), end, false);
        }
    }
    let (v, p, quoted) = read_value_owned(raw, pos);
    (Cow::Owned(v), p, quoted)
}

/// [`read_value`] for values with quoted pairs or line breaks.
fn read_value_owned(raw: &[u8], pos: usize) -> (Vec<u8>, usize, bool) {
    let mut p = pos;
    let mut out = Vec::new();
    if raw.get(p) == Some(&b'"') {
        p += 1;
        while p < raw.len() {
            match raw[p] {
                b'\\' if p + 1 < raw.len() => {
                    out.push(raw[p + 1]);
                    p += 2;
                    continue;
                }
                b'"' => {
                    p += 1;
                    break;
                }
                b'\r' | b'\n' => {} // folding inside a quoted string
                c => out.push(c),
            }
            p += 1;
        }
        return (out, p, true);
    }
    while p < raw.len() && raw[p] != b';' {
        if raw[p] == b'\r' || raw[p] == b'\n' {
            p += 1;
            continue;
        }
        out.push(raw[p]);
        p += 1;
    }
    while out.last().is_some_and(|c| c.is_ascii_whitespace()) {
        out.pop();
    }
    (out, p, false)
}

fn next_semicolon(raw: &[u8], pos: usize) -> usize {
    let mut p = pos;
    let mut in_quote = false;
    while p < raw.len() {
        match raw[p] {
            b'"' => in_quote = !in_quote,
            b'\\' if in_quote => p += 1,
            b';' if !in_quote => return p,
            _ => {}
        }
        p += 1;
    }
    raw.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression (fuzz target `params`, crash-ec5e31fc): a comment ending in a
    /// backslash at the end of the value stepped past the last byte.
    #[test]
    fn regression_comment_with_trailing_backslash() {
        for raw in [&b"&(\\"[..], b"text/plain; (\\", b"a;(\\", b"(", b"\\"] {
            let _ = parse(raw);
        }
    }

    #[test]
    fn plain_and_quoted() {
        let p = parse(b"text/plain; charset=\"us-ascii\"; format=flowed");
        assert_eq!(p.value, "text/plain");
        assert_eq!(p.get("charset"), Some("us-ascii"));
        assert_eq!(p.get("format"), Some("flowed"));
    }

    #[test]
    fn a_parameter_without_semicolon_is_read_and_flagged() {
        let p = parse(b"multipart/mixed\r\n\tboundary=\"b1\"");
        assert_eq!(p.value, "multipart/mixed");
        assert_eq!(p.get("boundary"), Some("b1"));
        assert!(p.missing_semicolon);
        for ok in [
            &b"multipart/mixed; boundary=\"b1\""[..],
            b"multipart/mixed;\r\n\tboundary=b1; x=y",
            b"text/plain (comment) ; charset=us-ascii",
            b";\n filename=\"image001.png\"",
            b"text/plain",
            b"text/plain (just a comment)",
        ] {
            assert!(
                !parse(ok).missing_semicolon,
                "{}",
                String::from_utf8_lossy(ok)
            );
        }
        assert!(parse(b"text/plain (c) charset=us-ascii").missing_semicolon);
    }

    #[test]
    fn rfc2231_continuation_split_in_utf8() {
        let p = parse(b"attachment;\r\n filename*0*=utf-8''caf%C3;\r\n filename*1*=%A9.txt");
        assert_eq!(p.get("filename"), Some("café.txt"));
    }

    #[test]
    fn rfc2231_mixed_segments() {
        let p = parse(b"message/external-body; access-type=URL;\n URL*0=\"ftp://\";\n URL*1=\"cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar\"");
        assert_eq!(
            p.get("url"),
            Some("ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar")
        );
    }

    #[test]
    fn encoded_word_in_quotes() {
        let p = parse(b"attachment; filename=\"=?UTF-8?B?0KLQtdGB0YI=?= =?UTF-8?B?LnR4dA==?=\"");
        assert_eq!(p.get("filename"), Some("Тест.txt"));
    }
}
