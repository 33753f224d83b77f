//! Charset decoding to UTF-8: encoding_rs first, mail-parser's tables second.
//!
//! Labels are resolved as MIME labels (RFC 2046 §4.1.2, the IANA registry)
//! through encoding_rs' WHATWG label table, with one MIME-specific exception:
//! `utf-16` without a byte-order mark is big-endian (RFC 2781 §4.3), where
//! WHATWG says little-endian.

use std::borrow::Cow;

/// The result of [`decode_checked`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CharsetDecoded {
    /// The text. Bytes that could not be converted are U+FFFD (or, for an
    /// unknown charset, Windows-1252 characters).
    pub text: String,
    /// Every byte was converted without replacement, in a known charset (or
    /// the bytes were ASCII).
    pub exact: bool,
    /// The label named a charset we know.
    pub known: bool,
}

/// Decodes `bytes` in the named charset. Returns the text and whether the
/// conversion was exact (`false` when bytes had to be replaced, or when the
/// charset is unknown and the bytes were not valid UTF-8).
///
/// An unknown charset decodes as UTF-8 with replacement characters; see
/// [`decode_checked`] for the variant that falls back to Windows-1252 and
/// says whether the label was known.
pub fn decode(charset: &str, bytes: &[u8]) -> (String, bool) {
    let label = clean_label(charset);
    if let Some(r) = decode_known(label, bytes) {
        return r;
    }
    let (t, ok) = utf8(bytes);
    // An unknown charset is never an exact conversion unless the bytes are ASCII.
    (t, ok && bytes.is_ascii())
}

/// Decodes `bytes` in the named charset, and says whether the label was known.
///
/// An unknown label (or an empty one) decodes the bytes as UTF-8 when they
/// are valid UTF-8, else as Windows-1252 (the usual mislabelling), and is
/// never `exact` unless the bytes are ASCII. The label may carry quotes,
/// surrounding white space and an RFC 2231 §5 language suffix (`utf-8*en`).
pub fn decode_checked(charset: &str, bytes: &[u8]) -> CharsetDecoded {
    let label = clean_label(charset);
    if let Some((text, exact)) = decode_known(label, bytes) {
        return CharsetDecoded {
            text,
            exact,
            known: true,
        };
    }
    let (text, ok) = utf8_or_1252(bytes);
    CharsetDecoded {
        text,
        exact: ok && bytes.is_ascii(),
        known: false,
    }
}

/// Whether two charset labels name the same charset for joining purposes:
/// equal after removing quotes, white space and an RFC 2231 language
/// suffix, ignoring ASCII case, or two labels of one encoding_rs encoding
/// (`utf-8` and `utf8`, `latin1` and `iso-8859-1`). The UTF-16 labels only
/// match themselves: `utf-16` is read differently from `utf-16le`.
pub fn same_label(a: &str, b: &str) -> bool {
    let (a, b) = (clean_label(a), clean_label(b));
    if a.eq_ignore_ascii_case(b) {
        return true;
    }
    match (
        encoding_rs::Encoding::for_label(a.as_bytes()),
        encoding_rs::Encoding::for_label(b.as_bytes()),
    ) {
        (Some(x), Some(y)) => x == y && x != encoding_rs::UTF_16LE && x != encoding_rs::UTF_16BE,
        _ => false,
    }
}

fn clean_label(charset: &str) -> &str {
    let label = charset.trim().trim_matches('"').trim();
    // RFC 2231 §5 allows a language suffix (`utf-8*en`); it is not part of the label.
    label.split('*').next().unwrap_or(label)
}

/// Decodes in a known charset; `None` when the label is unknown.
fn decode_known(label: &str, bytes: &[u8]) -> Option<(String, bool)> {
    if label.eq_ignore_ascii_case("utf-8") || label.eq_ignore_ascii_case("utf8") {
        return Some(utf8(bytes));
    }
    if label.eq_ignore_ascii_case("us-ascii") || label.eq_ignore_ascii_case("ascii") {
        if bytes.is_ascii() {
            return Some((String::from_utf8_lossy(bytes).into_owned(), true));
        }
        // Mislabelled 8-bit text: UTF-8 when it is valid, else Windows-1252.
        return Some(utf8_or_1252(bytes));
    }
    if label.eq_ignore_ascii_case("utf-16") || label.eq_ignore_ascii_case("utf16") {
        // RFC 2781 §4.3: without a BOM, "UTF-16" is big-endian. WHATWG (and so
        // encoding_rs' label table) says little-endian. With a BOM, follow it.
        // See: issue 10.
        let (enc, body) = match bytes {
            [0xFE, 0xFF, rest @ ..] => (encoding_rs::UTF_16BE, rest),
            [0xFF, 0xFE, rest @ ..] => (encoding_rs::UTF_16LE, rest),
            _ => (encoding_rs::UTF_16BE, bytes),
        };
        let (text, had_errors) = enc.decode_without_bom_handling(body);
        return Some((text.into_owned(), !had_errors));
    }
    if let Some(enc) = encoding_rs::Encoding::for_label(label.as_bytes()) {
        if enc == encoding_rs::UTF_16BE || enc == encoding_rs::UTF_16LE {
            // An explicit byte order: a matching BOM is dropped, anything else
            // is content (RFC 2781 §3.3).
            let (text, had_errors) = enc.decode_with_bom_removal(bytes);
            return Some((text.into_owned(), !had_errors));
        }
        // The declared charset decides: no BOM sniffing (encoding_rs'
        // `decode` would read windows-1251 "юя", bytes FE FF, as UTF-16).
        let (text, had_errors) = if enc == encoding_rs::UTF_8 {
            enc.decode_with_bom_removal(bytes)
        } else {
            enc.decode_without_bom_handling(bytes)
        };
        return Some((text.into_owned(), !had_errors));
    }
    if let Some(f) = mail_parser::decoders::charsets::map::charset_decoder(label.as_bytes()) {
        let text = f(bytes);
        let exact = !text.contains('\u{FFFD}');
        return Some((text, exact));
    }
    None
}

/// UTF-8 when valid; otherwise Windows-1252, marked as not exact.
pub fn utf8_or_1252(bytes: &[u8]) -> (String, bool) {
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_string(), true),
        Err(_) => {
            let (t, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            (t.into_owned(), false)
        }
    }
}

fn utf8(bytes: &[u8]) -> (String, bool) {
    match String::from_utf8_lossy(bytes) {
        Cow::Borrowed(s) => (s.to_string(), true),
        Cow::Owned(s) => (s, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_without_bom_is_big_endian() {
        // "Hé" in UTF-16BE.
        assert_eq!(decode("utf-16", &[0, b'H', 0, 0xE9]), ("Hé".into(), true));
        assert_eq!(decode("UTF-16", &[0xFE, 0xFF, 0, b'H']), ("H".into(), true));
        assert_eq!(decode("utf-16", &[0xFF, 0xFE, b'H', 0]), ("H".into(), true));
        assert_eq!(decode("utf-16le", &[b'H', 0, 0xE9, 0]), ("Hé".into(), true));
        assert_eq!(decode("utf-16be", &[0, b'H']), ("H".into(), true));
        assert_eq!(
            decode("utf-16le", &[0xFF, 0xFE, b'H', 0]),
            ("H".into(), true)
        );
        // Odd length: a replacement character, not exact.
        assert!(!decode("utf-16", &[0, b'H', 0]).1);
    }

    #[test]
    fn charset_table() {
        // (label, bytes, text): each decodes exactly through encoding_rs.
        let table: &[(&str, &[u8], &str)] = &[
            ("iso-2022-jp", b"\x1b$B$3$s$K$A$O\x1b(B", "こんにちは"),
            ("ISO-2022-JP", b"a\x1b$B4A;z\x1b(Bb", "a漢字b"),
            ("gb2312", b"\xc4\xe3\xba\xc3", "你好"),
            ("gbk", b"\xc4\xe3\xba\xc3", "你好"),
            ("gb18030", b"\xc4\xe3\xba\xc3\x81\x30\x81\x30", "你好\u{80}"),
            ("big5", b"\xa7\x41\xa6\x6e", "你好"),
            ("euc-kr", b"\xbe\xc8\xb3\xe7", "안녕"),
            ("ks_c_5601-1987", b"\xbe\xc8\xb3\xe7", "안녕"),
            ("shift_jis", b"\x82\xb1\x82\xf1", "こん"),
            ("euc-jp", b"\xa4\xb3\xa4\xf3", "こん"),
            ("koi8-r", b"\xf0\xd2\xc9\xd7\xc5\xd4", "Привет"),
            ("koi8-u", b"\xa4", "є"),
            ("windows-1250", b"\x8a", "Š"),
            ("windows-1251", b"\xcf\xf0\xe8\xe2\xe5\xf2", "Привет"),
            ("windows-1252", b"\x80", "€"),
            ("windows-1253", b"\xe1", "α"),
            ("windows-1254", b"\xfe", "ş"),
            ("windows-1255", b"\xf9", "ש"),
            ("windows-1256", b"\xc7", "ا"),
            ("windows-1257", b"\xe0", "ą"),
            ("windows-1258", b"\xf5", "ơ"),
            ("cp1252", b"\x80", "€"),
            ("iso-8859-1", b"Andr\xe9", "André"),
            ("latin1", b"\xe9", "é"),
            ("iso-8859-2", b"\xb9", "š"),
            ("iso-8859-3", b"\xbb", "ğ"),
            ("iso-8859-4", b"\xe0", "ā"),
            ("iso-8859-5", b"\xbf", "П"),
            ("iso-8859-6", b"\xc7", "ا"),
            ("iso-8859-7", b"\xe1", "α"),
            ("iso-8859-8", b"\xf9", "ש"),
            ("iso-8859-9", b"\xfe", "ş"),
            ("iso-8859-10", b"\xbd", "\u{2015}"),
            ("iso-8859-13", b"\xe0", "ą"),
            ("iso-8859-14", b"\xa1", "Ḃ"),
            ("iso-8859-15", b"\xa4", "€"),
            ("iso-8859-16", b"\xa4", "€"),
            ("\"utf-8\"", "é".as_bytes(), "é"),
            (" UTF-8*en ", "é".as_bytes(), "é"),
        ];
        for (label, bytes, text) in table {
            let got = decode_checked(label, bytes);
            assert_eq!(got.text, *text, "{label}");
            assert!(got.exact, "{label}");
            assert!(got.known, "{label}");
            assert_eq!(decode(label, bytes), (text.to_string(), true), "{label}");
        }
    }

    #[test]
    fn unknown_charset_falls_back() {
        let d = decode_checked("x-no-such", b"Fr\xf6sche");
        assert_eq!(d.text, "Frösche");
        assert!(!d.exact && !d.known);
        let d = decode_checked("x-no-such", "Frösche".as_bytes());
        assert_eq!(d.text, "Frösche");
        assert!(!d.exact);
        assert!(decode_checked("x-no-such", b"abc").exact);
        assert!(!decode_checked("", b"abc").known);
    }

    #[test]
    fn labels_compare() {
        assert!(same_label("UTF-8", "utf-8*en"));
        assert!(same_label("\"iso-8859-1\"", "ISO-8859-1"));
        assert!(same_label("utf-8", "utf8"));
        assert!(same_label("latin1", "ISO-8859-1"));
        assert!(!same_label("utf-16", "utf-16le"));
        assert!(!same_label("utf-8", "iso-8859-1"));
        assert!(!same_label("x-a", "x-b"));
    }

    #[test]
    fn never_panics_on_random_bytes() {
        let mut x: u32 = 1;
        for _ in 0..2000 {
            let mut v = Vec::new();
            for _ in 0..(x % 40) {
                x = x.wrapping_mul(1664525).wrapping_add(1013904223);
                v.push((x >> 24) as u8);
            }
            for l in [
                "utf-16",
                "utf-16le",
                "iso-2022-jp",
                "gb18030",
                "x-unknown",
                "utf-8",
            ] {
                let _ = decode_checked(l, &v);
            }
        }
    }
}
