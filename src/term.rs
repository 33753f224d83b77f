//! Escaping of untrusted text (subjects, names, file names) for terminals.
//!
//! Human-readable reports (`tree`, `trace`, `headers`) escape untrusted text
//! with [`escape`] whatever stdout is: a report saved to a file or piped
//! into a pager reaches a terminal later. `text` writes the body the user
//! asked for: with [`escape`] to a terminal, with [`escape_controls`] to a
//! file or a pipe, unchanged with `--raw`. See: issue 14.

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

/// Replaces control characters (C0 but tab and line feed, a carriage return
/// not followed by a line feed, DEL, C1; the escape byte among them) with
/// `\u{XXXX}` escapes, and keeps everything else, bidi and zero-width
/// characters included.
///
/// This is for text the user asked for, written to a file or a pipe
/// (`emlkit text`): bidi marks and joiners belong to Arabic, Hebrew, Persian
/// or emoji text and are kept, while what a terminal would execute when the
/// file is later shown (escape sequences, cursor movement, a bare CR that
/// overwrites the line) is neutralised. See: issue 14.
pub fn escape_controls(s: &str) -> Cow<'_, str> {
    let bad = |c: char, next: Option<char>| {
        c.is_control() && c != '\n' && c != '\t' && !(c == '\r' && next == Some('\n'))
    };
    let mut it = s.chars().peekable();
    let mut any = false;
    while let Some(c) = it.next() {
        if bad(c, it.peek().copied()) {
            any = true;
            break;
        }
    }
    if !any {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if bad(c, it.peek().copied()) {
            out.push_str(&format!("\\u{{{:04X}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// True when `s` holds a character that starts or forms a terminal control
/// sequence (ESC, CSI U+009B, other C0/C1 controls but tab and line feed),
/// or a bidi override or isolate: what human output must never carry raw.
pub fn has_raw_escape(s: &str) -> bool {
    s.chars().any(|c| {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    })
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

    #[test]
    fn controls_only_keeps_text_and_line_breaks() {
        assert_eq!(escape_controls("a\x1b[2Jb"), "a\\u{001B}[2Jb");
        assert_eq!(escape_controls("x\u{9b}31m"), "x\\u{009B}31m");
        assert_eq!(escape_controls("l1\r\nl2\tz\n"), "l1\r\nl2\tz\n");
        assert_eq!(escape_controls("hidden\rshown"), "hidden\\u{000D}shown");
        assert_eq!(escape_controls("bell\u{7}"), "bell\\u{0007}");
        // Bidi marks and joiners are text here.
        assert_eq!(
            escape_controls("\u{200F}שלום\u{200D}"),
            "\u{200F}שלום\u{200D}"
        );
        assert!(!has_raw_escape(&escape_controls("a\x1b]0;t\x07")));
    }
}
