//! Text bodies: charset decoding that borrows when the bytes already are
//! the text.

use super::charset;
use std::borrow::Cow;

/// Decodes `bytes` in `label` to UTF-8, borrowing when no conversion is
/// needed (ASCII, or valid UTF-8 labelled UTF-8 or US-ASCII). The boolean
/// is false when bytes had to be replaced.
pub fn decode_cow<'a>(label: &str, bytes: Cow<'a, [u8]>) -> (Cow<'a, str>, bool) {
    let l = label.trim().trim_matches('"');
    let utf8_label = l.eq_ignore_ascii_case("utf-8");
    if utf8_label || !is_ascii_incompatible(l) {
        // Passed through: valid UTF-8 labelled UTF-8, or ASCII in a charset
        // where ASCII bytes mean ASCII. Validated once, then borrowed or
        // moved, never copied.
        let pass = |s: &str| utf8_label || s.is_ascii();
        match bytes {
            Cow::Borrowed(b) => match std::str::from_utf8(b) {
                Ok(s) if pass(s) => return (Cow::Borrowed(s), true),
                _ => return convert(l, b),
            },
            Cow::Owned(v) => match String::from_utf8(v) {
                Ok(s) if pass(&s) => return (Cow::Owned(s), true),
                Ok(s) => return convert(l, s.as_bytes()),
                Err(e) => return convert(l, e.as_bytes()),
            },
        }
    }
    convert(l, &bytes)
}

/// Charset conversion proper.
fn convert<'a>(label: &str, bytes: &[u8]) -> (Cow<'a, str>, bool) {
    let (t, exact) = charset::decode(label, bytes);
    (Cow::Owned(t), exact)
}

/// Charsets in which ASCII bytes do not mean ASCII text: UTF-16/32, and
/// the 7-bit stateful encodings whose escape sequences are ASCII bytes
/// (iso-2022-*, UTF-7, HZ).
fn is_ascii_incompatible(label: &str) -> bool {
    let l = label.to_ascii_lowercase();
    l.starts_with("iso-2022")
        || l.starts_with("csiso2022")
        || l.starts_with("hz")
        || l.starts_with("utf-16")
        || l.starts_with("utf-32")
        || l.starts_with("ucs-2")
        || l.starts_with("utf-7")
        || l == "unicode"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn borrows_ascii_and_utf8() {
        let (t, e) = decode_cow("us-ascii", Cow::Borrowed(b"hi"));
        assert!(matches!(t, Cow::Borrowed("hi")) && e);
        let (t, e) = decode_cow("utf-8", Cow::Borrowed("é".as_bytes()));
        assert!(matches!(t, Cow::Borrowed("é")) && e);
        let (t, _) = decode_cow("iso-8859-1", Cow::Borrowed(b"\xe9"));
        assert_eq!(t, "é");
        // 7-bit but stateful: never passed through.
        let (t, _) = decode_cow("iso-2022-jp", Cow::Borrowed(b"\x1b$BF|K\\8l\x1b(B"));
        assert_eq!(t, "日本語");
    }
}
