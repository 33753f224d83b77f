//! RFC 2047 encoded words, decoded from the raw header bytes, without the
//! artefacts some parsers add (a space between adjacent encoded words, lost
//! bytes at chunk borders, 8-bit bytes decoded twice).

use super::charset;

/// A decoded header value.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Decoded {
    /// The text.
    pub text: String,
    /// Every conversion was exact: no replacement character, no unknown
    /// charset, no raw 8-bit bytes outside encoded words that were not UTF-8.
    pub exact: bool,
    /// How many encoded words were decoded.
    pub encoded_words: usize,
    /// Raw 8-bit bytes stood outside encoded words (RFC 5322 allows none;
    /// RFC 6532 allows UTF-8). They were decoded as UTF-8 when valid, else
    /// as Windows-1252.
    pub raw_8bit: bool,
    /// An encoded word named a charset we do not know; its bytes were
    /// decoded as UTF-8 or Windows-1252.
    pub unknown_charset: bool,
    /// An encoded word was joined to a literal neighbour without white space
    /// (`abc=?utf-8?q?x?=`), which RFC 2047 §5 does not allow; decoded
    /// anyway, as mail clients do.
    pub unseparated: bool,
}

/// Decodes the encoded words in an unstructured header value (already
/// unfolded or not). Whitespace between two adjacent encoded words is dropped
/// (RFC 2047 §6.2); adjacent words in the same charset are joined before
/// charset conversion so a multi-byte character split across words survives.
/// Returns the text and whether every conversion was exact.
///
/// Works on an already-decoded string; prefer [`decode_header`] on the raw
/// bytes, which cannot decode an 8-bit byte twice.
pub fn decode(input: &str) -> (String, bool) {
    let d = decode_header(input.as_bytes());
    (d.text, d.exact)
}

/// Decodes an unstructured header value (Subject, Comments, …) from its raw
/// bytes, as they are in the message after the field name and colon.
///
/// - Folding is removed first (RFC 5322 §2.2.3: CRLF or LF are deleted, the
///   white space after them is kept).
/// - Encoded words `=?charset?B|Q?text?=` (RFC 2047 §2) are decoded; the
///   charset may carry an RFC 2231 §5 language suffix (`=?utf-8*en?q?…?=`),
///   which is dropped. The encoded text may not hold white space (§2) but
///   may hold `?` (lenient, as Python's `email` and mail-parser). Q text is
///   taken byte for byte, so a raw 8-bit byte inside an encoded word is
///   converted once, in the word's charset
///   (`=?iso-8859-1?q?Fr\xF6sche?=` is "Frösche"). B text is decoded
///   leniently (see [`super::transfer::base64_decode`]).
/// - The 75-character limit of RFC 2047 §2 is not enforced (long words are
///   common and unambiguous).
/// - White space between two encoded words is dropped (RFC 2047 §6.2).
///   Adjacent words in the same charset (either encoding) are joined as
///   bytes before the charset conversion, so a multi-byte character or an
///   iso-2022-jp escape sequence split across words comes out whole.
/// - Something that looks like an encoded word but is not one (no `?=`,
///   white space inside, an encoding other than B or Q, an empty charset)
///   is kept literally.
/// - An encoded word touching other text without white space is decoded
///   anyway (most clients do) and flagged in [`Decoded::unseparated`].
/// - Raw bytes outside encoded words: UTF-8 when valid, else Windows-1252
///   (then not exact).
///
/// Linear in the input: each `=?` candidate is examined once; a candidate
/// whose closing `?=` is missing fails at the next white space or the end,
/// and every candidate before that point would fail the same way, so the
/// scan resumes there instead of retrying each one (a 1 MB value of
/// `=?a?q?x` repeated would otherwise take quadratic time). See: issue 10.
pub fn decode_header(raw: &[u8]) -> Decoded {
    if raw.is_ascii() && find_open(raw, 0).is_none() {
        // Plain ASCII without an encoded word (most fields): the text is the
        // unfolded value. The same result as the scan below, without it.
        let b = unfold(raw);
        return Decoded {
            text: String::from_utf8(b).unwrap_or_default(),
            exact: true,
            ..Decoded::default()
        };
    }
    let b = unfold(raw);
    let mut d = Decoded {
        text: String::with_capacity(b.len()),
        exact: true,
        ..Decoded::default()
    };
    // Decoded bytes of consecutive encoded words in one charset, not yet converted.
    let mut pending: Option<(&str, Vec<u8>)> = None;
    // Start of the literal text not yet emitted.
    let mut lit = 0;
    let mut i = 0;
    while let Some(p) = find_open(&b, i) {
        match parse_word(&b, p) {
            Ok(w) => {
                let between = &b[lit..p];
                let only_ws = between.iter().all(|&c| c == b' ' || c == b'\t');
                if !(pending.is_some() && only_ws) {
                    flush(&mut pending, &mut d);
                    if !between.is_empty() && !matches!(between.last(), Some(b' ' | b'\t' | b'\r'))
                    {
                        d.unseparated = true;
                    }
                    push_literal(between, &mut d);
                }
                d.encoded_words += 1;
                let bytes = decode_text(w.encoding, &b[w.text.0..w.text.1]);
                let cs = w.charset;
                match &mut pending {
                    Some((pcs, buf)) if charset::same_label(pcs, cs) => {
                        // An iso-2022 word ends by switching back to ASCII
                        // (ESC ( B); the next word switches away again. The
                        // reset right before an escape is redundant, and the
                        // WHATWG decoder rejects two escapes in a row.
                        if bytes.first() == Some(&0x1b)
                            && (buf.ends_with(b"\x1b(B") || buf.ends_with(b"\x1b(J"))
                        {
                            buf.truncate(buf.len() - 3);
                        }
                        buf.extend_from_slice(&bytes)
                    }
                    _ => {
                        flush(&mut pending, &mut d);
                        pending = Some((cs, bytes));
                    }
                }
                i = w.end;
                lit = w.end;
                if let Some(&c) = b.get(w.end) {
                    if !matches!(c, b' ' | b'\t' | b'\r') && !b[w.end..].starts_with(b"=?") {
                        d.unseparated = true;
                    }
                }
            }
            Err(resume) => i = resume,
        }
    }
    flush(&mut pending, &mut d);
    push_literal(&b[lit..], &mut d);
    d
}

/// Decodes a phrase (a display name, RFC 5322 §3.2.5) from its raw bytes:
/// quoted strings are unquoted (quoted pairs undone), comments are kept as
/// written, and encoded words are decoded as in [`decode_header`].
///
/// RFC 2047 §5 (3) forbids encoded words inside quoted strings; many
/// mailers write them anyway (`"=?utf-8?q?J=C3=B6rg?=" <j@example.org>`)
/// and every common client decodes them, so this does too. A quote that is
/// never closed runs to the end. Linear.
pub fn decode_phrase(raw: &[u8]) -> Decoded {
    let b = unfold(raw);
    // Unquote first, keeping the bytes: the encoded words are then decoded
    // once over the whole phrase, so words on both sides of a quote join.
    let mut unq = Vec::with_capacity(b.len());
    let mut in_quote = false;
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b'\\' if in_quote || depth > 0 => {
                if depth > 0 {
                    unq.push(c);
                }
                if let Some(&n) = b.get(i + 1) {
                    unq.push(n);
                }
                i += 2;
                continue;
            }
            b'"' if depth == 0 => in_quote = !in_quote,
            b'(' if !in_quote => {
                depth += 1;
                unq.push(c);
            }
            b')' if !in_quote && depth > 0 => {
                depth -= 1;
                unq.push(c);
            }
            _ => unq.push(c),
        }
        i += 1;
    }
    let mut d = decode_header(&unq);
    let trimmed = d.text.trim_matches([' ', '\t']);
    if trimmed.len() != d.text.len() {
        d.text = trimmed.to_string();
    }
    d
}

fn flush(pending: &mut Option<(&str, Vec<u8>)>, d: &mut Decoded) {
    if let Some((cs, bytes)) = pending.take() {
        let r = charset::decode_checked(cs, &bytes);
        d.exact &= r.exact;
        d.unknown_charset |= !r.known;
        d.text.push_str(&r.text);
    }
}

fn push_literal(bytes: &[u8], d: &mut Decoded) {
    if bytes.is_empty() {
        return;
    }
    if bytes.is_ascii() {
        // ASCII is valid UTF-8.
        d.text.push_str(&String::from_utf8_lossy(bytes));
        return;
    }
    d.raw_8bit = true;
    let (t, ok) = charset::utf8_or_1252(bytes);
    d.exact &= ok;
    d.text.push_str(&t);
}

/// The position of the next `=?` (an encoded word may start there) at or
/// after `from`. A byte search, not a substring searcher: header values are
/// short, and building a searcher per value cost more than the search.
pub(crate) fn find_open(b: &[u8], mut from: usize) -> Option<usize> {
    while let Some(k) = memchr::memchr(b'=', b.get(from..)?) {
        let p = from + k;
        if b.get(p + 1) == Some(&b'?') {
            return Some(p);
        }
        from = p + 1;
    }
    None
}

/// Removes folding line breaks: CRLF and LF are deleted, the white space
/// after them kept (RFC 5322 §2.2.3). A bare CR is kept, except at the very
/// end, where it is what is left of a line end.
pub fn unfold(raw: &[u8]) -> Vec<u8> {
    let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    // Runs without a line feed are copied whole; a CR is dropped only right
    // before a LF.
    while let Some(k) = memchr::memchr(b'\n', &raw[i..]) {
        let nl = i + k;
        let end = if nl > i && raw[nl - 1] == b'\r' {
            nl - 1
        } else {
            nl
        };
        out.extend_from_slice(&raw[i..end]);
        i = nl + 1;
    }
    out.extend_from_slice(&raw[i..]);
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Enc {
    B,
    Q,
}

/// A syntactically valid encoded word.
struct Word<'a> {
    /// The charset label, language suffix included (dropped at conversion).
    charset: &'a str,
    encoding: Enc,
    /// The encoded text, as a range of the input.
    text: (usize, usize),
    /// Just past the closing `?=`.
    end: usize,
}

/// The longest charset (with language suffix) we look for: labels are short
/// (the longest IANA name is 45 characters); bounding it keeps each
/// candidate's examination constant-time.
const MAX_CHARSET: usize = 80;

/// Parses the encoded word starting at `p` (which holds `=?`). On failure
/// returns where the scan for the next candidate may resume (always past
/// `p`; see [`decode_header`] for why skipping is safe).
fn parse_word(b: &[u8], p: usize) -> Result<Word<'_>, usize> {
    let cs_start = p + 2;
    let mut q1 = cs_start;
    // charset = token (RFC 2047 §2): printable ASCII, no "?", no white space.
    while q1 < b.len() && q1 - cs_start <= MAX_CHARSET {
        let c = b[q1];
        if c == b'?' {
            break;
        }
        if !(0x21..0x7f).contains(&c) {
            return Err(p + 1);
        }
        q1 += 1;
    }
    if q1 >= b.len() || b[q1] != b'?' || q1 == cs_start {
        return Err(p + 1);
    }
    let encoding = match b.get(q1 + 1) {
        Some(b'B' | b'b') => Enc::B,
        Some(b'Q' | b'q') => Enc::Q,
        _ => return Err(p + 1),
    };
    if b.get(q1 + 2) != Some(&b'?') {
        return Err(p + 1);
    }
    let t = q1 + 3;
    // The encoded text runs to the first `?=`; white space ends the search.
    let mut j = t;
    while j < b.len() {
        match b[j] {
            b' ' | b'\t' | b'\r' | b'\n' => return Err(j),
            b'?' if b.get(j + 1) == Some(&b'=') => {
                // The charset bytes are printable ASCII, hence UTF-8.
                let charset = std::str::from_utf8(&b[cs_start..q1]).map_err(|_| p + 1)?;
                let charset = charset.split('*').next().unwrap_or(charset);
                if charset.is_empty() {
                    return Err(p + 1);
                }
                return Ok(Word {
                    charset,
                    encoding,
                    text: (t, j),
                    end: j + 2,
                });
            }
            _ => j += 1,
        }
    }
    Err(b.len())
}

fn decode_text(enc: Enc, text: &[u8]) -> Vec<u8> {
    match enc {
        Enc::B => super::transfer::base64_decode(text).0,
        Enc::Q => decode_q(text),
    }
}

/// The Q encoding (RFC 2047 §4.2): `_` is a space, `=XY` a byte, anything
/// else (8-bit bytes included) itself; a malformed `=` is kept.
fn decode_q(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'_' => out.push(b' '),
            b'=' => match (
                text.get(i + 1).and_then(|&c| hex(c)),
                text.get(i + 2).and_then(|&c| hex(c)),
            ) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'='),
            },
            c => out.push(c),
        }
        i += 1;
    }
    out
}

fn hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'A'..=b'F' => Some(c - b'A' + 10),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(raw: &[u8]) -> String {
        decode_header(raw).text
    }

    #[test]
    fn iso_2022_jp_words_each_reset_to_ascii() {
        // Each word is complete (ends with ESC ( B); joined they decode whole.
        let d = decode_header(b"=?ISO-2022-JP?B?GyRCJDMbKEI=?= =?ISO-2022-JP?B?GyRCJHMbKEI=?=");
        assert_eq!(d.text, "こん");
        assert!(d.exact);
    }

    #[test]
    fn adjacent_words_join_without_space() {
        assert_eq!(decode("=?UTF-8?Q?a?= =?UTF-8?Q?b?=").0, "ab");
        assert_eq!(decode("x =?UTF-8?Q?a?= y").0, "x a y");
    }

    #[test]
    fn split_multibyte_character() {
        // "é" = C3 A9 split over two words.
        assert_eq!(decode("=?UTF-8?Q?=C3?= =?UTF-8?Q?=A9?=").0, "é");
    }

    #[test]
    fn charsets() {
        assert_eq!(decode("=?ISO-8859-1?Q?Andr=E9?=").0, "André");
        assert_eq!(decode("=?KOI8-R?B?8NLJ18XU?=").0, "Привет");
        assert_eq!(decode("=?windows-1251?B?z/Do4uXy?=").0, "Привет");
    }

    #[test]
    fn table() {
        // (raw value, text, exact)
        let rows: &[(&[u8], &str, bool)] = &[
            (b"", "", true),
            (b"plain subject", "plain subject", true),
            // A raw 8-bit byte inside a Q word is converted once, in the word's charset.
            (b"=?iso-8859-1?q?Fr\xF6sche?=", "Frösche", true),
            // Raw UTF-8 outside words (RFC 6532) and raw Latin-1 (not exact).
            (
                "Grüße =?utf-8?q?aus?= Köln".as_bytes(),
                "Grüße aus Köln",
                true,
            ),
            (b"Gr\xfc\xdfe", "Grüße", false),
            // Folding removed, the white space after it kept.
            (b"a\r\n b", "a b", true),
            (b" =?utf-8?q?a?=\r", " a", true),
            (b"a\rb\r\n", "a\rb", true),
            (b"=?utf-8?q?a?=\r\n =?utf-8?q?b?=", "ab", true),
            (b"=?utf-8?q?a?=\n\t=?utf-8?q?b?=", "ab", true),
            // White space between a word and text is kept (RFC 2047 §6.2).
            (b"=?utf-8?q?a?=  b", "a  b", true),
            (b"a  =?utf-8?q?b?=", "a  b", true),
            // Words in different charsets are converted separately, then joined.
            (b"=?iso-8859-1?q?=E9?= =?koi8-r?q?=F0?=", "éП", true),
            // Same charset, different encodings: joined as bytes.
            (
                b"=?utf-8?b?w6k=?= =?utf-8?q?=C3?= =?UTF-8?B?qQ==?=",
                "éé",
                true,
            ),
            // Two labels of one charset join too.
            (b"=?utf-8?q?=C3?= =?UTF8?q?=A9?=", "é", true),
            // Language suffix (RFC 2231 §5), and joining across it.
            (
                b"=?utf-8*en?q?hello?= =?UTF-8*de?q?_world?=",
                "hello world",
                true,
            ),
            // iso-2022-jp split across words in the middle of an escape run.
            (b"=?iso-2022-jp?b?GyRCJDMkcyRLGyhC?=", "こんに", true),
            (
                b"=?ISO-2022-JP?B?GyRCJDMkcw==?= =?ISO-2022-JP?B?JEsbKEI=?=",
                "こんに",
                true,
            ),
            // B words: missing padding and junk are tolerated.
            (b"=?utf-8?b?w6k?=", "é", true),
            (b"=?utf-8?b?w6!k=?=", "é", true),
            // Q: underscore is a space, a malformed escape is kept.
            (b"=?utf-8?q?a_b=3Dc=ZZ?=", "a b=c=ZZ", true),
            (b"=?utf-8?q?=?=", "=", true),
            (b"=?utf-8?q??=", "", true),
            // `?` inside the encoded text (lenient).
            (b"=?utf-8?q?what?_now?=", "what? now", true),
            // Not encoded words: kept literally.
            (b"=?utf-8?x?abc?=", "=?utf-8?x?abc?=", true),
            (b"=??q?abc?=", "=??q?abc?=", true),
            (b"=?utf-8?q?a b?=", "=?utf-8?q?a b?=", true),
            (b"=?utf-8?q?abc", "=?utf-8?q?abc", true),
            (b"=?utf-8?qabc?=", "=?utf-8?qabc?=", true),
            (b"=?utf 8?q?abc?=", "=?utf 8?q?abc?=", true),
            (b"=?", "=?", true),
            (b"a =? b ?= c", "a =? b ?= c", true),
            (b"=?=?utf-8?q?x?=", "=?x", true),
            // Text touching a word without white space: decoded anyway.
            (b"abc=?utf-8?q?d?=efg", "abcdefg", true),
            (b"=?utf-8?q?a?==?utf-8?q?b?=", "ab", true),
            // Unknown charset: UTF-8 or Windows-1252, never exact.
            (b"=?x-unknown?q?caf=E9?=", "café", false),
            (b"=?x-unknown?q?caf=C3=A9?=", "café", false),
            (b"=?x-unknown?q?cafe?=", "cafe", true),
            // Invalid UTF-8 in a UTF-8 word: replacement, not exact.
            (b"=?utf-8?q?=FF?=", "\u{FFFD}", false),
            // UTF-16 words (big-endian without BOM).
            (b"=?utf-16?b?AGgAaQ==?=", "hi", true),
        ];
        for (raw, text, exact) in rows {
            let d = decode_header(raw);
            let name = String::from_utf8_lossy(raw);
            assert_eq!(d.text, *text, "{name}");
            assert_eq!(d.exact, *exact, "{name} exact");
        }
    }

    #[test]
    fn flags() {
        let d = decode_header(b"abc=?utf-8?q?d?=");
        assert!(d.unseparated);
        assert_eq!(d.encoded_words, 1);
        let d = decode_header(b"abc =?utf-8?q?d?= =?utf-8?q?e?= f");
        assert!(!d.unseparated);
        assert_eq!(d.encoded_words, 2);
        assert!(decode_header(b"=?x-nope?q?a?=").unknown_charset);
        assert!(decode_header("ü".as_bytes()).raw_8bit);
        assert!(!decode_header(b"=?iso-8859-1?q?\xfc?=").raw_8bit);
    }

    #[test]
    fn phrases() {
        let rows: &[(&[u8], &str)] = &[
            (b"John Doe", "John Doe"),
            (b"\"Doe, John\"", "Doe, John"),
            (b"\"a \\\"quoted\\\" b\"", "a \"quoted\" b"),
            (b"\"=?utf-8?q?J=C3=B6rg?=\"", "Jörg"),
            (b"=?utf-8?q?J=C3=B6rg?= \"Smith\"", "Jörg Smith"),
            (b"=?utf-8?q?=C3?= \"=?utf-8?q?=B6?=\"", "ö"),
            (b"John (the man) Doe", "John (the man) Doe"),
            (b" \"unclosed", "unclosed"),
            (b"\"x\\", "x"),
        ];
        for (raw, text) in rows {
            assert_eq!(
                decode_phrase(raw).text,
                *text,
                "{}",
                String::from_utf8_lossy(raw)
            );
        }
    }

    /// Linear by construction (see `decode_header`): these used to rescan to
    /// the end of the value for every `=?`. No timing assert; a quadratic
    /// scan would take minutes here in a debug build.
    #[test]
    fn pathological_values_are_linear() {
        let v = b"=?a?q?x".repeat(200_000 / 7);
        assert_eq!(t(&v).len(), v.len());
        let v = b"=?".repeat(100_000);
        assert_eq!(t(&v).len(), v.len());
        let v = b"=?a?".repeat(50_000);
        assert_eq!(t(&v).len(), v.len());
        let mut v = b"=?utf-8?q?".to_vec();
        v.extend(b"=?utf-8?q?x".repeat(20_000));
        assert_eq!(t(&v).len(), v.len());
        // Many valid words: output is joined.
        let v = b"=?utf-8?q?ab?= ".repeat(20_000);
        assert_eq!(t(&v), "ab".repeat(20_000) + " ");
        // A long charset run is cut off after MAX_CHARSET bytes.
        let v = [b"=?".as_slice(), &b"a".repeat(100_000)].concat();
        assert_eq!(t(&v).len(), v.len());
    }

    #[test]
    fn never_panics_on_random_bytes() {
        let alphabet = b"=?qQbB_ a\t\r\n\xc3\xa9utf-8*AZ";
        let mut x: u32 = 3;
        for round in 0..5000 {
            let len = (round * 7) % 120;
            let mut v = Vec::with_capacity(len);
            for _ in 0..len {
                x = x.wrapping_mul(1664525).wrapping_add(1013904223);
                let r = (x >> 24) as u8;
                v.push(if round % 3 == 0 {
                    r
                } else {
                    alphabet[r as usize % alphabet.len()]
                });
            }
            let _ = decode_header(&v);
            let _ = decode_phrase(&v);
        }
    }

    proptest::proptest! {
        /// Never panics; text without `=?` passes through (unfolded).
        #[test]
        fn arbitrary_values(v in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
            let d = decode_header(&v);
            if !v.windows(2).any(|w| w == b"=?") && v.is_ascii() {
                let u = unfold(&v);
                proptest::prop_assert_eq!(d.text.as_bytes(), u.as_slice());
                proptest::prop_assert!(d.exact);
            }
            let _ = decode_phrase(&v);
        }

        /// Any text encoded as words (split anywhere, even inside a
        /// character) decodes back to itself.
        #[test]
        fn round_trip(text in "\\PC{0,40}", cut in 0usize..200, b in proptest::bool::ANY) {
            use base64::Engine;
            let bytes = text.as_bytes();
            let cut = cut.min(bytes.len());
            let word = |part: &[u8]| -> String {
                if b {
                    format!("=?UTF-8?B?{}?=", base64::engine::general_purpose::STANDARD.encode(part))
                } else {
                    let q: String = part.iter().map(|c| format!("={c:02X}")).collect();
                    format!("=?utf-8?q?{q}?=")
                }
            };
            let raw = format!("{}\r\n {}", word(&bytes[..cut]), word(&bytes[cut..]));
            let d = decode_header(raw.as_bytes());
            proptest::prop_assert_eq!(d.text, text);
            proptest::prop_assert!(d.exact);
        }
    }

    /// `cargo test --release --lib encoded_word::tests::measure -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn measure() {
        for (name, v) in [
            ("1 MB of =?a?q?x", b"=?a?q?x".repeat(1_000_000 / 7)),
            ("1 MB of =?", b"=?".repeat(500_000)),
            (
                "1 MB of valid words",
                b"=?utf-8?q?=C3=A9?= ".repeat(1_000_000 / 20),
            ),
        ] {
            let t = std::time::Instant::now();
            let d = decode_header(&v);
            println!(
                "{name}: {:.2} ms ({} chars out)",
                t.elapsed().as_secs_f64() * 1e3,
                d.text.chars().count()
            );
        }
    }
}
