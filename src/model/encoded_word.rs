//! RFC 2047 encoded words, decoded without the artefacts some parsers add
//! (a space between adjacent encoded words, lost bytes at chunk borders).

use super::charset;

/// Decodes the encoded words in an unstructured header value (already
/// unfolded or not). Whitespace between two adjacent encoded words is dropped
/// (RFC 2047 §6.2); adjacent words in the same charset are joined before
/// charset conversion so a multi-byte character split across words survives.
/// Returns the text and whether every conversion was exact.
pub fn decode(input: &str) -> (String, bool) {
    let mut out = String::with_capacity(input.len());
    let mut exact = true;
    // Bytes of consecutive encoded words in the same charset, not yet converted.
    let mut pending: Option<(String, Vec<u8>)> = None;
    let mut pending_ws = String::new();
    let mut rest = input;
    while !rest.is_empty() {
        if let Some((charset, bytes, len)) = parse_word(rest) {
            pending_ws.clear();
            match &mut pending {
                Some((cs, buf)) if cs.eq_ignore_ascii_case(&charset) => buf.extend(bytes),
                _ => {
                    flush(&mut pending, &mut out, &mut exact);
                    pending = Some((charset, bytes));
                }
            }
            rest = &rest[len..];
            continue;
        }
        let ch = rest.chars().next().unwrap_or(' ');
        if ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' {
            if pending.is_some() {
                // Held back: dropped if another encoded word follows.
                pending_ws.push(ch);
            } else {
                out.push(ch);
            }
        } else {
            flush(&mut pending, &mut out, &mut exact);
            out.push_str(&pending_ws);
            pending_ws.clear();
            out.push(ch);
        }
        rest = &rest[ch.len_utf8()..];
    }
    flush(&mut pending, &mut out, &mut exact);
    out.push_str(&pending_ws);
    (out, exact)
}

fn flush(pending: &mut Option<(String, Vec<u8>)>, out: &mut String, exact: &mut bool) {
    if let Some((cs, bytes)) = pending.take() {
        let (t, ok) = charset::decode(&cs, &bytes);
        *exact &= ok;
        out.push_str(&t);
    }
}

/// Parses `=?charset?Q|B?text?=` at the start of `s`; returns the charset, the
/// decoded bytes and the length consumed.
fn parse_word(s: &str) -> Option<(String, Vec<u8>, usize)> {
    let b = s.as_bytes();
    if !s.starts_with("=?") {
        return None;
    }
    let q1 = 2 + b[2..].iter().position(|&c| c == b'?')?;
    let charset = &s[2..q1];
    if charset.is_empty() || charset.len() > 64 || charset.contains(char::is_whitespace) {
        return None;
    }
    let enc = *b.get(q1 + 1)?;
    if b.get(q1 + 2) != Some(&b'?') {
        return None;
    }
    let text_start = q1 + 3;
    let end_rel = s[text_start..].find("?=")?;
    let text = &s[text_start..text_start + end_rel];
    if text.contains(' ') || text.contains('\t') || text.contains('\n') {
        return None;
    }
    let bytes = match enc {
        b'B' | b'b' => decode_b(text)?,
        b'Q' | b'q' => decode_q(text),
        _ => return None,
    };
    Some((charset.to_string(), bytes, text_start + end_rel + 2))
}

fn decode_b(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    let cleaned: String = text.chars().filter(|c| *c != '=').collect();
    base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(cleaned.as_bytes())
        .ok()
        .or_else(|| {
            // Tolerate trailing garbage bits, as mail clients do.
            let cut = cleaned.len() - cleaned.len() % 4;
            base64::engine::general_purpose::STANDARD_NO_PAD
                .decode(&cleaned.as_bytes()[..cut])
                .ok()
        })
}

fn decode_q(text: &str) -> Vec<u8> {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'_' => out.push(b' '),
            b'=' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
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
    (c as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::decode;

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
}
