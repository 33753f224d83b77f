//! Content-Transfer-Encoding: undone on raw body bytes, leniently.

use base64::Engine;
use std::borrow::Cow;

/// The transfer encodings we undo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferEncoding {
    /// 7bit, 8bit, binary or absent: the bytes are the content.
    Identity,
    /// base64 (RFC 2045 §6.8).
    Base64,
    /// quoted-printable (RFC 2045 §6.7).
    QuotedPrintable,
    /// x-uuencode / x-uue (legacy).
    Uuencode,
}

impl TransferEncoding {
    /// From the Content-Transfer-Encoding value (case-insensitive).
    pub fn from_header(v: Option<&str>) -> TransferEncoding {
        match v.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
            Some("base64") => TransferEncoding::Base64,
            Some("quoted-printable") => TransferEncoding::QuotedPrintable,
            Some("x-uuencode") | Some("x-uue") | Some("uuencode") => TransferEncoding::Uuencode,
            _ => TransferEncoding::Identity,
        }
    }
}

/// Undoes `enc` on `raw`. Invalid input is decoded as far as it goes:
/// base64 ignores characters outside the alphabet, quoted-printable keeps
/// malformed escapes as written. The boolean is false when something had to
/// be tolerated.
pub fn decode(raw: &[u8], enc: TransferEncoding) -> (Cow<'_, [u8]>, bool) {
    match enc {
        TransferEncoding::Identity => (Cow::Borrowed(raw), true),
        TransferEncoding::Base64 => {
            let (v, ok) = base64_lenient(raw);
            (Cow::Owned(v), ok)
        }
        TransferEncoding::QuotedPrintable => {
            // Our own decoder: the quoted_printable crate rewrites hard line
            // breaks to CRLF, which changes the bytes (and hashes) of every
            // LF-only text part. See: issue 4 (hashes match the sender's).
            let (v, ok) = qp_lenient(raw);
            (Cow::Owned(v), ok)
        }
        TransferEncoding::Uuencode => match uudecode(raw) {
            Some((_, v)) => (Cow::Owned(v), true),
            None => (Cow::Borrowed(raw), false),
        },
    }
}

/// Decodes quoted-printable, keeping hard line breaks as written (CRLF or
/// LF), removing soft breaks (`=` at the end of a line) and the trailing
/// white space of lines (RFC 2045 §6.7 rule 3). A malformed `=` escape is
/// kept as written; the boolean is then false.
pub fn qp_lenient(raw: &[u8]) -> (Vec<u8>, bool) {
    fn hex(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'A'..=b'F' => Some(c - b'A' + 10),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        }
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut ok = true;
    let mut i = 0;
    while i < raw.len() {
        let c = raw[i];
        match c {
            b'=' => {
                if let (Some(h), Some(l)) = (
                    raw.get(i + 1).copied().and_then(hex),
                    raw.get(i + 2).copied().and_then(hex),
                ) {
                    out.push(h << 4 | l);
                    i += 3;
                    continue;
                }
                // Soft line break: `=`, optional white space, line end.
                let mut j = i + 1;
                while j < raw.len() && (raw[j] == b' ' || raw[j] == b'\t') {
                    j += 1;
                }
                if j == raw.len() {
                    i = j;
                    continue;
                }
                if raw[j] == b'\n' {
                    i = j + 1;
                    continue;
                }
                if raw[j] == b'\r' && raw.get(j + 1) == Some(&b'\n') {
                    i = j + 2;
                    continue;
                }
                ok = false;
                out.push(b'=');
                i += 1;
            }
            b' ' | b'\t' => {
                // Trailing white space before a line end is transport padding.
                let mut j = i;
                while j < raw.len() && (raw[j] == b' ' || raw[j] == b'\t') {
                    j += 1;
                }
                let at_eol = j == raw.len()
                    || raw[j] == b'\n'
                    || (raw[j] == b'\r' && raw.get(j + 1) == Some(&b'\n'));
                if !at_eol {
                    out.extend_from_slice(&raw[i..j]);
                }
                i = j;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    (out, ok)
}

/// Decodes base64, skipping whitespace and stray characters, stopping at
/// padding. Returns the bytes and whether the input was clean.
pub fn base64_lenient(raw: &[u8]) -> (Vec<u8>, bool) {
    let mut clean = Vec::with_capacity(raw.len());
    let mut ok = true;
    let mut pad = false;
    for &c in raw {
        match c {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'+' | b'/' => {
                if pad {
                    ok = false;
                    continue;
                }
                clean.push(c)
            }
            b'=' => pad = true,
            b' ' | b'\t' | b'\r' | b'\n' => {}
            _ => ok = false,
        }
    }
    let cut = clean.len() - clean.len() % 4;
    let rem = clean.len() % 4;
    if rem == 1 {
        ok = false;
    }
    let engine = base64::engine::general_purpose::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::RequireNone),
    );
    let take = if rem == 1 { cut } else { clean.len() };
    match engine.decode(&clean[..take]) {
        Ok(v) => (v, ok),
        Err(_) => (engine.decode(&clean[..cut]).unwrap_or_default(), false),
    }
}

/// Decodes the first uuencoded block (`begin MODE NAME` … `end`) in `raw`;
/// returns the name and the bytes.
pub fn uudecode(raw: &[u8]) -> Option<(String, Vec<u8>)> {
    let mut lines = raw.split(|&b| b == b'\n');
    let name = loop {
        let line = lines.next()?;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if let Some(rest) = line.strip_prefix(b"begin ") {
            let mut it = rest.splitn(2, |&b| b == b' ');
            let mode = it.next()?;
            if !mode.iter().all(|c| (b'0'..=b'7').contains(c)) || mode.is_empty() {
                continue;
            }
            break String::from_utf8_lossy(it.next().unwrap_or_default()).into_owned();
        }
    };
    let mut out = Vec::new();
    for line in lines {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line == b"end" {
            return Some((name, out));
        }
        if line.is_empty() {
            continue;
        }
        let n = ((line[0].wrapping_sub(b' ')) & 0x3f) as usize;
        if n == 0 {
            continue;
        }
        let mut bytes = Vec::with_capacity(n + 3);
        for chunk in line[1..].chunks(4) {
            let mut v = [0u8; 4];
            for (i, c) in chunk.iter().enumerate() {
                v[i] = c.wrapping_sub(b' ') & 0x3f;
            }
            bytes.push(v[0] << 2 | v[1] >> 4);
            bytes.push(v[1] << 4 | v[2] >> 2);
            bytes.push(v[2] << 6 | v[3]);
        }
        bytes.truncate(n);
        out.extend_from_slice(&bytes);
    }
    // No `end` line: return what was decoded (truncated input).
    Some((name, out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_with_garbage() {
        assert_eq!(base64_lenient(b"aGVs\r\nbG8=\r\n").0, b"hello");
        assert!(!base64_lenient(b"aGVs*bG8=").1);
    }

    #[test]
    fn qp_keeps_line_endings() {
        assert_eq!(qp_lenient(b"a=3Db \nc=\nd\r\ne").0, b"a=b\ncd\r\ne");
        assert_eq!(qp_lenient(b"x = y=\r\nz").0, b"x = yz");
        let (v, ok) = qp_lenient(b"bad=zz=");
        assert_eq!(v, b"bad=zz");
        assert!(!ok);
    }

    #[test]
    fn uu() {
        let (n, b) = uudecode(b"begin 644 a.txt\n#86)C\n`\nend\n").unwrap();
        assert_eq!(n, "a.txt");
        assert_eq!(b, b"abc");
    }
}
