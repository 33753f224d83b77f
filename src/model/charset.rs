//! Charset decoding to UTF-8: encoding_rs first, mail-parser's tables second.

use std::borrow::Cow;

/// Decodes `bytes` in the named charset. Returns the text and whether the
/// conversion was exact (`false` when bytes had to be replaced, or when the
/// charset is unknown and the bytes were not valid UTF-8).
pub fn decode(charset: &str, bytes: &[u8]) -> (String, bool) {
    let label = charset.trim().trim_matches('"');
    // RFC 2231 allows a language suffix (`utf-8*en`); it is not part of the label.
    let label = label.split('*').next().unwrap_or(label);
    if label.eq_ignore_ascii_case("utf-8") || label.eq_ignore_ascii_case("utf8") {
        return utf8(bytes);
    }
    if label.eq_ignore_ascii_case("us-ascii") || label.eq_ignore_ascii_case("ascii") {
        if bytes.is_ascii() {
            return (String::from_utf8_lossy(bytes).into_owned(), true);
        }
        // Mislabelled 8-bit text: UTF-8 when it is valid, else Windows-1252.
        return utf8_or_1252(bytes);
    }
    if let Some(enc) = encoding_rs::Encoding::for_label(label.as_bytes()) {
        let (text, _, had_errors) = enc.decode(bytes);
        return (text.into_owned(), !had_errors);
    }
    if let Some(f) = mail_parser::decoders::charsets::map::charset_decoder(label.as_bytes()) {
        let text = f(bytes);
        let exact = !text.contains('\u{FFFD}');
        return (text, exact);
    }
    let (t, ok) = utf8(bytes);
    // An unknown charset is never an exact conversion unless the bytes are ASCII.
    (t, ok && bytes.is_ascii())
}

/// UTF-8 when valid; otherwise Windows-1252, marked as not exact.
pub fn utf8_or_1252(bytes: &[u8]) -> (String, bool) {
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_string(), true),
        Err(_) => {
            let (t, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
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
