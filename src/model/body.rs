//! Text bodies: charset decoding that borrows when the bytes already are
//! the text.

use super::charset;
use std::borrow::Cow;

/// Decodes `bytes` in `label` to UTF-8, borrowing when no conversion is
/// needed (ASCII, or valid UTF-8 labelled UTF-8 or US-ASCII). The boolean
/// is false when bytes had to be replaced.
pub fn decode_cow<'a>(label: &str, bytes: Cow<'a, [u8]>) -> (Cow<'a, str>, bool) {
    let l = label.trim().trim_matches('"');
    let passthrough = bytes.is_ascii() && !is_ascii_incompatible(l)
        || l.eq_ignore_ascii_case("utf-8") && std::str::from_utf8(&bytes).is_ok();
    if passthrough {
        return match bytes {
            Cow::Borrowed(b) => match std::str::from_utf8(b) {
                Ok(s) => (Cow::Borrowed(s), true),
                Err(_) => (Cow::Owned(String::from_utf8_lossy(b).into_owned()), false),
            },
            Cow::Owned(v) => match String::from_utf8(v) {
                Ok(s) => (Cow::Owned(s), true),
                Err(e) => (
                    Cow::Owned(String::from_utf8_lossy(e.as_bytes()).into_owned()),
                    false,
                ),
            },
        };
    }
    let (t, exact) = charset::decode(l, &bytes);
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
