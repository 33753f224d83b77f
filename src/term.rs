//! Escaping of untrusted text (subjects, names, file names) for terminals.

use std::borrow::Cow;

/// True for characters that must never reach a terminal raw: C0/C1 controls
/// (escape sequences start with them), bidi overrides and isolates (they
/// reorder what is shown), and zero-width characters (they hide text).
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{FEFF}'
                | '\u{061C}'
        )
}

/// Replaces unsafe characters with `\u{XXXX}` escapes (`\t` stays a tab when
/// `keep_tab`). Borrowed when there is nothing to escape.
pub fn escape(s: &str, keep_newlines: bool) -> Cow<'_, str> {
    let keep = |c: char| keep_newlines && (c == '\n' || c == '\t');
    if !s.chars().any(|c| is_unsafe_char(c) && !keep(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe_char(c) && !keep(c) {
            out.push_str(&format!("\\u{{{:04X}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_terminal_sequences_and_bidi() {
        assert_eq!(escape("a\x1b[31mb", false), "a\\u{001B}[31mb");
        assert_eq!(escape("x\u{202E}gpj.exe", false), "x\\u{202E}gpj.exe");
        assert_eq!(escape("plain", false), "plain");
        assert_eq!(escape("a\nb", true), "a\nb");
    }
}
