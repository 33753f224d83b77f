//! HTML escaping, one function per context, and the page frame.
//!
//! Every string that comes from a message reaches the page through exactly
//! one of these functions:
//!
//! - [`text`] for element content (`<td>…</td>`, `<pre>…</pre>`, SVG
//!   `<text>`): `&`, `<`, `>`, quotes escaped; control, bidi and zero-width
//!   characters shown as visible `\u{XXXX}` escapes, so a right-to-left
//!   override cannot reorder what the analyst reads;
//! - [`attr`] for a double-quoted attribute value (`title="…"`): the same,
//!   without markup in the result.
//!
//! Nothing else from a message is ever written: no tag, attribute name,
//! URL, style or id is built from message bytes (anchors are our own
//! numbers). The page carries a Content-Security-Policy that forbids
//! scripts and every remote load ([`CSP`]), as a second wall.

use crate::term::is_unsafe_char;
use std::fmt::Write as _;

/// The Content-Security-Policy of every report: no scripts, no remote
/// loads, inline styles and `data:` images only.
pub const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/// Escapes `s` for HTML element content. Unsafe characters (C0/C1 controls
/// but tab and line feed, bidi overrides and isolates, zero-width
/// characters; see [`crate::term::is_unsafe_char`]) become a visible
/// `\u{XXXX}` inside `<span class="esc">`.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            // A CRLF line ending is a line break, not a control to show.
            '\r' if it.peek() == Some(&'\n') => {}
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(c),
            c if is_unsafe_char(c) || is_other_invisible(c) => {
                let _ = write!(out, "<span class=\"esc\">\\u{{{:04X}}}</span>", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// Escapes `s` for the page `<title>` (raw text: markup is not parsed
/// there, so unsafe characters are plain `\u{XXXX}` text, as in [`attr`]).
pub fn title(s: &str) -> String {
    attr(s)
}

/// Escapes `s` for a double-quoted attribute value: as [`text`], with the
/// unsafe characters as plain `\u{XXXX}` text and line breaks as spaces.
pub fn attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(' '),
            c if is_unsafe_char(c) || is_other_invisible(c) => {
                let _ = write!(out, "\\u{{{:04X}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// Characters the terminal escaper lets through but a page must not show
/// raw: line and paragraph separators (they break lines invisibly), the
/// interlinear annotation marks, and Unicode non-characters.
fn is_other_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{2028}' | '\u{2029}' | '\u{FFF9}'..='\u{FFFB}' | '\u{FFFE}' | '\u{FFFF}' | '\u{00AD}'
    )
}

/// Cuts `s` to at most `max` characters, with `…` when cut (before
/// escaping: the cut never splits an escape).
pub fn clip(s: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match s.char_indices().nth(max) {
        None => std::borrow::Cow::Borrowed(s),
        Some((i, _)) => std::borrow::Cow::Owned(format!("{}…", &s[..i])),
    }
}

/// The style sheet: readable on screen, printable (colour kept for bars,
/// navigation hidden, sections not split across pages where avoidable),
/// long strings wrapped anywhere so no value can widen the page.
pub const STYLE: &str = r#"
:root{--fg:#1d2430;--muted:#5b6575;--line:#d7dce3;--bg:#fff;--soft:#f4f6f9;--bad:#b3261e;--warn:#9a6700;--ok:#1a7f37;--bar:#3b6fb6}
*{box-sizing:border-box}
body{overflow-wrap:anywhere;word-break:break-word;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg);margin:0 auto;padding:16px 24px;max-width:1200px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:17px;margin:24px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}h3{font-size:15px;margin:16px 0 6px}
table{border-collapse:collapse;width:100%;table-layout:fixed;margin:4px 0 12px}
th,td{border:1px solid var(--line);padding:3px 6px;text-align:left;vertical-align:top;overflow-wrap:anywhere;word-break:break-word}
th{background:var(--soft);font-weight:600}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
code,pre,.mono{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace;font-size:12.5px}
pre{white-space:pre-wrap;overflow-wrap:anywhere;word-break:break-word;background:var(--soft);border:1px solid var(--line);padding:8px;margin:4px 0 12px}
.esc{color:var(--bad);background:#fde7e4;border-radius:2px;font-family:ui-monospace,monospace;font-size:90%}
.muted{color:var(--muted)}.sev-observation{color:var(--muted)}.bad{color:var(--bad);font-weight:600}.warn{color:var(--warn);font-weight:600}.ok{color:var(--ok);font-weight:600}
dl.kv{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:2px 12px;margin:4px 0 12px}dl.kv dt{font-weight:600;color:var(--muted)}dl.kv dd{margin:0;overflow-wrap:anywhere;word-break:break-word}
.bar{display:inline-block;height:10px;background:var(--bar);vertical-align:middle;-webkit-print-color-adjust:exact;print-color-adjust:exact}
.bar.neg{background:var(--bad)}
tr.boundary td{border-top:3px double var(--bad);color:var(--bad);font-weight:600;text-align:center;background:#fff6f5}
tr.claimed td{background:#fffaf0}
.tag{display:inline-block;border:1px solid var(--line);border-radius:3px;padding:0 5px;margin:0 4px 2px 0;background:var(--soft)}
.tag.pass{border-color:var(--ok);color:var(--ok)}.tag.fail{border-color:var(--bad);color:var(--bad)}
nav{margin:8px 0 16px}nav a{margin-right:12px}
svg{max-width:100%;height:auto;display:block;margin:4px 0}
svg text{font:11px system-ui,sans-serif;fill:var(--fg)}
.chart{break-inside:avoid}
details>summary{cursor:pointer;color:var(--muted)}
.todo{color:var(--muted);font-style:italic}
@media print{body{max-width:none;padding:0;font-size:11px}nav{display:none}section{break-inside:avoid-page}h2{break-after:avoid}details{display:block}pre{max-height:none}}
"#;

/// Writes the start of a page: doctype, CSP, title (escaped), style.
pub fn open(out: &mut String, title: &str) {
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"emlkit {}\">\n\
         <title>{}</title>\n<style>{STYLE}</style></head>\n<body>\n",
        env!("CARGO_PKG_VERSION"),
        self::title(title)
    );
}

/// Writes the end of a page.
pub fn close(out: &mut String) {
    out.push_str("</body></html>\n");
}

/// A `<tr>` of header cells (our own labels; escaped anyway).
pub fn header_row(out: &mut String, cells: &[&str]) {
    out.push_str("<tr>");
    for c in cells {
        let class = if c.starts_with('#') || c.ends_with(" (n)") {
            " class=\"n\""
        } else {
            ""
        };
        let _ = write!(out, "<th{class}>{}</th>", text(c.trim_end_matches(" (n)")));
    }
    out.push_str("</tr>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escapes_markup_and_shows_invisibles() {
        assert_eq!(
            text("<script>alert('x')&\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;)&amp;&quot;&lt;/script&gt;"
        );
        let t = text("a\u{202E}b\u{0}c\u{200B}\u{2028}");
        assert!(!t.contains('\u{202E}') && !t.contains('\u{0}') && !t.contains('\u{200B}'));
        assert!(t.contains("\\u{202E}") && t.contains("\\u{0000}") && t.contains("\\u{2028}"));
        assert_eq!(text("line\nnext\ttab"), "line\nnext\ttab");
        assert_eq!(
            text("a\r\nb\rc"),
            "a\nb<span class=\"esc\">\\u{000D}</span>c"
        );
    }

    #[test]
    fn attr_has_no_markup_and_no_quotes() {
        let a = attr("x\" onmouseover=\"alert(1)\u{202E}<b>");
        assert!(!a.contains('"') && !a.contains('<') && !a.contains('\u{202E}'));
        assert!(a.contains("\\u{202E}"));
        assert_eq!(attr("a\nb"), "a b");
    }

    #[test]
    fn clip_counts_characters() {
        assert_eq!(clip("héllo", 3), "hél…");
        assert_eq!(clip("hé", 3), "hé");
    }
}
