//! The file-name policy: a name from a message is never a path.
//!
//! [`safe_name`] turns an untrusted name (already RFC 2231 / RFC 2047
//! decoded by the model) into one path component that is safe to create on
//! Linux, macOS and Windows file systems:
//!
//! 1. only the last component is kept: everything up to the last `/` or `\`
//!    goes (`C:\x` gives `x`; a bare drive prefix `C:x` gives `C_x` by 3);
//! 2. control characters (C0, C1, DEL), bidi controls (U+202A–U+202E,
//!    U+2066–U+2069, U+200E/F, U+061C) and zero-width characters
//!    (U+200B–U+200D, U+2060–U+2064, U+FEFF) are removed;
//! 3. the characters Windows refuses (`< > : " | ? *`) become `_`;
//! 4. leading and trailing white space goes, as do trailing dots and
//!    spaces (Windows strips them silently, so `a.exe.` would run as
//!    `a.exe`);
//! 5. a leading `.` (hidden files, `.` and `..`) and a leading `-` (read as
//!    an option by the next command) become `_`;
//! 6. Windows reserved device names (`CON`, `PRN`, `AUX`, `NUL`, `COM0`–`COM9`,
//!    `LPT0`–`LPT9`, with or without an extension, any case) get a `_` prefix;
//! 7. the name is capped at [`MAX_NAME_BYTES`] bytes of UTF-8, keeping a
//!    short extension;
//! 8. what is left empty gives `None`, and the caller falls back to
//!    [`fallback_name`] (`part-<id>.<ext>`).
//!
//! Names are otherwise kept exactly (spaces, non-ASCII letters, emoji), so
//! the file on disk has the name the sender gave.
//!
//! See: issue 4 (Safe attachment extraction), DESIGN.md "Extraction safety".

/// Longest name we write, in bytes of UTF-8. File systems allow 255; the rest
/// leaves room for a collision suffix (` (12345)`) and `.eml`.
pub const MAX_NAME_BYTES: usize = 200;

/// Longest extension kept when a name is shortened, in bytes (with the dot).
const MAX_EXT_BYTES: usize = 16;

/// True for characters removed from names: what must never reach a
/// terminal (controls, bidi, zero-width; see [`crate::term`]), plus the
/// invisible soft hyphen and Mongolian vowel separator.
pub fn is_removed_char(c: char) -> bool {
    crate::term::is_unsafe_char(c) || matches!(c, '\u{00AD}' | '\u{180E}')
}

/// True for characters Windows does not allow in names.
fn is_windows_forbidden(c: char) -> bool {
    matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*')
}

/// True when `name` would open a Windows device: its stem (the part before
/// the first dot) is `CON`, `PRN`, `AUX`, `NUL`, `CONIN$`, `CONOUT$`,
/// `COM0`–`COM9`, `COM¹`–`COM³`, `LPT0`–`LPT9` or `LPT¹`–`LPT³`, in any case.
///
/// The check is deliberately wider than Windows itself: white space of any
/// kind (NBSP included), dots and the characters [`safe_name`] removes are
/// ignored around the stem, so `CON .txt`, `nul\u{a0}` and `CONOUT$\u{0}`
/// count as reserved too. Windows versions disagree on which of these it
/// strips before the device lookup; refusing them all costs a `_`.
///
/// See: issue 14 (the `filename` fuzz target found `CONOUT$` among NBSPs).
pub fn is_reserved(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or("");
    let upper: String = stem
        .chars()
        .filter(|&c| !is_removed_char(c) && !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    match upper.as_str() {
        "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$" => true,
        _ => {
            // Char-wise: the stem may be any UTF-8, and byte slicing could
            // split a character.
            let mut cs = upper.chars();
            let head: String = cs.by_ref().take(3).collect();
            let tail: Vec<char> = cs.collect();
            (head == "COM" || head == "LPT")
                && tail.len() == 1
                && (tail[0].is_ascii_digit() || matches!(tail[0], '¹' | '²' | '³'))
        }
    }
}

/// Makes an untrusted name safe (see the module docs). `None` when nothing
/// usable is left.
pub fn safe_name(raw: &str) -> Option<String> {
    // 2 first, so that a control character cannot hide a separator from 1.
    let cleaned: String = raw.chars().filter(|&c| !is_removed_char(c)).collect();
    // 1: last component. Separators at the end (`dir/`) are ignored so that
    // the name is not lost entirely.
    let trimmed = cleaned.trim_end_matches(['/', '\\', ' ']);
    let last = trimmed.rsplit(['/', '\\']).next().unwrap_or("");
    // 3.
    let mut name: String = last
        .chars()
        .map(|c| if is_windows_forbidden(c) { '_' } else { c })
        .collect();
    // 4.
    let keep = name
        .trim_end_matches(|c: char| c == '.' || c.is_whitespace())
        .len();
    name.truncate(keep);
    let name = name.trim_start();
    if name.is_empty() {
        return None;
    }
    // 5.
    let mut name = match name.as_bytes()[0] {
        b'.' | b'-' => format!("_{}", &name[1..]),
        _ => name.to_string(),
    };
    // 7 before 6: shortening trims the cut stem's trailing dots and white
    // space, which can leave a device name (`CONOUT$\u{a0}…x.bin` cut to
    // `CONOUT$.bin`). See: issue 14.
    if name.len() > MAX_NAME_BYTES {
        name = shorten(&name, MAX_NAME_BYTES);
    }
    // 6.
    if is_reserved(&name) {
        name.insert(0, '_');
        if name.len() > MAX_NAME_BYTES {
            // Keeps the `_` in front: shortening cuts the stem's end.
            name = shorten(&name, MAX_NAME_BYTES);
        }
    }
    Some(name)
}

/// Cuts `name` to at most `max` bytes on a character boundary, keeping a
/// short extension.
pub fn shorten(name: &str, max: usize) -> String {
    let (stem, ext) = split_ext(name);
    let ext = if ext.len() <= MAX_EXT_BYTES && ext.len() < max / 2 {
        ext
    } else {
        ""
    };
    let room = max - ext.len();
    let mut cut = stem.len().min(room);
    while !stem.is_char_boundary(cut) {
        cut -= 1;
    }
    let stem = stem[..cut].trim_end_matches(|c: char| c == '.' || c.is_whitespace());
    format!("{stem}{ext}")
}

/// Splits `name` into stem and extension (with its dot). A leading dot is
/// part of the stem; no dot gives an empty extension.
pub fn split_ext(name: &str) -> (&str, &str) {
    match name.rfind('.') {
        Some(i) if i > 0 => name.split_at(i),
        _ => (name, ""),
    }
}

/// `name` with a collision suffix: `report.pdf` → `report (2).pdf`.
pub fn numbered(name: &str, n: u32) -> String {
    let (stem, ext) = split_ext(name);
    format!("{stem} ({n}){ext}")
}

/// The extension (without dot) for a content type, for nameless parts.
pub fn ext_for_type(content_type: &str) -> &'static str {
    match content_type {
        "text/plain" => "txt",
        "text/html" => "html",
        "text/calendar" => "ics",
        "text/csv" => "csv",
        "text/xml" | "application/xml" => "xml",
        "text/enriched" | "text/richtext" => "txt",
        "text/rfc822-headers" => "txt",
        "text/vcard" | "text/x-vcard" => "vcf",
        "application/pdf" => "pdf",
        "application/zip" | "application/x-zip-compressed" => "zip",
        "application/gzip" | "application/x-gzip" => "gz",
        "application/json" => "json",
        "application/rtf" | "text/rtf" => "rtf",
        "application/msword" => "doc",
        "application/vnd.ms-excel" => "xls",
        "application/vnd.ms-powerpoint" => "ppt",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => "docx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => "xlsx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation" => "pptx",
        "application/ms-tnef" | "application/vnd.ms-tnef" => "dat",
        "application/pgp-signature" | "application/pgp-encrypted" | "application/pgp-keys" => "asc",
        "application/pkcs7-signature" | "application/x-pkcs7-signature" => "p7s",
        "application/pkcs7-mime" | "application/x-pkcs7-mime" => "p7m",
        "application/ics" => "ics",
        "image/png" => "png",
        "image/jpeg" | "image/jpg" | "image/pjpeg" => "jpg",
        "image/gif" => "gif",
        "image/bmp" => "bmp",
        "image/tiff" => "tif",
        "image/webp" => "webp",
        "image/svg+xml" => "svg",
        "audio/mpeg" => "mp3",
        "audio/wav" | "audio/x-wav" => "wav",
        "video/mp4" => "mp4",
        "message/rfc822" | "message/global" => "eml",
        "message/delivery-status" | "message/disposition-notification" => "txt",
        t if t.starts_with("text/") => "txt",
        _ => "bin",
    }
}

/// The name of a nameless part: `part-<id>.<ext>`. Ids are digits and dots
/// (and our `:uuN` / `:tnefN` suffixes), so the result needs no cleaning;
/// it still goes through [`safe_name`] for safety's sake.
pub fn fallback_name(id: &str, content_type: &str) -> String {
    let raw = format!(
        "part-{}.{}",
        id.replace(':', "-"),
        ext_for_type(content_type)
    );
    safe_name(&raw).unwrap_or_else(|| "part.bin".to_string())
}

/// Ensures `name` ends in `.eml` (attached messages are written as .eml).
pub fn with_eml(name: &str) -> String {
    if name.to_ascii_lowercase().ends_with(".eml") {
        name.to_string()
    } else {
        let mut n = format!("{name}.eml");
        if n.len() > MAX_NAME_BYTES {
            n = format!("{}.eml", shorten(name, MAX_NAME_BYTES - 4));
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Option<String> {
        safe_name(x)
    }

    #[test]
    fn ordinary_names_are_kept_exactly() {
        for n in [
            "report.pdf",
            "Отчёт за квартал.docx",
            "photo 📷.png",
            "Q3 report ✅.xlsx",
            "会議資料.pdf",
            "Rechnung Größe 12.pdf",
            "a very long file name that goes on and on for the quarterly business review 3.pdf",
            "a.tar.gz",
            "noext",
            "UPPER.PDF",
        ] {
            assert_eq!(s(n).as_deref(), Some(n), "{n}");
        }
    }

    #[test]
    fn traversal_keeps_last_component() {
        assert_eq!(s("../../x").as_deref(), Some("x"));
        assert_eq!(s("..\\..\\x").as_deref(), Some("x"));
        assert_eq!(s("/etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(s("C:\\x").as_deref(), Some("x"));
        assert_eq!(s("C:x").as_deref(), Some("C_x"));
        assert_eq!(
            s("C:\\Windows\\System32\\evil.dll").as_deref(),
            Some("evil.dll")
        );
        assert_eq!(s("dir/sub/").as_deref(), Some("sub"));
        assert_eq!(s("\\\\server\\share\\f.txt").as_deref(), Some("f.txt"));
        assert_eq!(s("a/../b").as_deref(), Some("b"));
        assert_eq!(s("..").as_deref(), None);
        assert_eq!(s(".").as_deref(), None);
        assert_eq!(s("../").as_deref(), None);
        assert_eq!(s("/").as_deref(), None);
        assert_eq!(s("....").as_deref(), None);
        assert_eq!(s("x/..").as_deref(), None);
    }

    #[test]
    fn control_characters_cannot_hide_separators() {
        assert_eq!(s("..\u{0}/..\u{0}/x").as_deref(), Some("x"));
        assert_eq!(s("a\u{0}b.txt").as_deref(), Some("ab.txt"));
        assert_eq!(s(".\u{200B}.").as_deref(), None);
    }

    #[test]
    fn control_bidi_zero_width_removed() {
        assert_eq!(
            s("invoice\u{202E}fdp.exe").as_deref(),
            Some("invoicefdp.exe")
        );
        assert_eq!(s("a\u{200B}b\u{FEFF}c.txt").as_deref(), Some("abc.txt"));
        assert_eq!(s("a\x1b[31mred.txt").as_deref(), Some("a[31mred.txt"));
        assert_eq!(s("line\r\nbreak.txt").as_deref(), Some("linebreak.txt"));
        assert_eq!(s("tab\there.txt").as_deref(), Some("tabhere.txt"));
        assert_eq!(s("\u{2066}x\u{2069}.pdf").as_deref(), Some("x.pdf"));
        assert_eq!(s("del\u{7f}.txt").as_deref(), Some("del.txt"));
        assert_eq!(s("c1\u{85}.txt").as_deref(), Some("c1.txt"));
        assert_eq!(s("\u{202E}\u{200B}").as_deref(), None);
        assert_eq!(s("").as_deref(), None);
        assert_eq!(s("   ").as_deref(), None);
    }

    #[test]
    fn windows_reserved_names() {
        for n in [
            "CON",
            "con",
            "NUL.txt",
            "com1",
            "COM1.tar.gz",
            "LPT9.pdf",
            "aux",
            "PRN.x",
        ] {
            let out = s(n).unwrap();
            assert!(out.starts_with('_'), "{n} -> {out}");
            assert!(!is_reserved(&out));
        }
        for n in ["CONSOLE.txt", "COM10", "nullable.txt", "com.txt", "lpt"] {
            assert_eq!(s(n).as_deref(), Some(n));
        }
        assert_eq!(
            s("a:b?c*d|e\"f<g>h.txt").as_deref(),
            Some("a_b_c_d_e_f_g_h.txt")
        );
    }

    /// Every reserved shape Windows (or some version of it) could treat as
    /// a device: suffixes, white space of any kind, dots, superscripts.
    #[test]
    fn windows_reserved_names_with_any_decoration() {
        for n in [
            "CON .txt",
            "CON. txt",
            "nul\u{a0}",
            "nul\u{a0}.txt",
            "NUL\u{2003}\u{a0} .x",
            "COM¹",
            "com².txt",
            "LPT³ .pdf",
            "conout$",
            "CONOUT$",
            "CONIN$",
            "conin$.log",
            "CONOUT$\u{a0}\u{0}\u{a0}.bin",
            "\u{a0}aux\u{a0}.\u{a0}",
            "PRN\u{0}.x",
            "Con\u{200B}.txt",
            "lpt0",
            "COM9 . . .tar.gz",
        ] {
            assert!(is_reserved(n), "{n:?} must count as reserved");
            let out = s(n).unwrap();
            assert!(out.starts_with('_'), "{n:?} -> {out:?}");
            assert!(!is_reserved(&out), "{n:?} -> {out:?}");
            assert_eq!(s(&out).as_deref(), Some(out.as_str()), "{n:?}");
        }
        for n in ["CONOUT", "CONOUT$$", "COM⁴", "COM12", "LPT", "NULL", "xCON"] {
            assert!(!is_reserved(n), "{n:?}");
        }
    }

    /// The `filename` fuzz target's finding (issue 14): a device name
    /// followed by enough NBSPs that shortening cut them off again, after
    /// the reserved-name check had passed.
    #[test]
    fn shortening_cannot_uncover_a_device_name() {
        for dev in ["CONOUT$", "con", "NUL", "com1", "LPT¹", "conin$"] {
            for pad in ["\u{a0}", " ", "\u{a0}\u{0}", "\u{2003}", " ."] {
                for n in [1, 50, 100, 150, 200, 400] {
                    let raw = format!("{dev}{}\u{FFFD}x.bin", pad.repeat(n));
                    let out = s(&raw).unwrap();
                    assert!(!is_reserved(&out), "{raw:?} -> {out:?}");
                    assert!(out.len() <= MAX_NAME_BYTES, "{raw:?}");
                    assert_eq!(s(&out).as_deref(), Some(out.as_str()), "{raw:?}");
                }
            }
        }
    }

    #[test]
    fn trailing_dots_spaces_leading_dash_dot() {
        assert_eq!(s("evil.exe. . ").as_deref(), Some("evil.exe"));
        assert_eq!(s("  padded.txt  ").as_deref(), Some("padded.txt"));
        assert_eq!(s("-rf").as_deref(), Some("_rf"));
        assert_eq!(s("--help.txt").as_deref(), Some("_-help.txt"));
        assert_eq!(s(".bashrc").as_deref(), Some("_bashrc"));
        assert_eq!(s("..hidden").as_deref(), Some("_.hidden"));
        assert_eq!(s("x/.ssh").as_deref(), Some("_ssh"));
    }

    #[test]
    fn overlong_names_keep_extension() {
        let long = format!("{}.pdf", "a".repeat(300));
        let out = s(&long).unwrap();
        assert!(out.len() <= MAX_NAME_BYTES);
        assert!(out.ends_with(".pdf"));
        let cyr = format!("{}.docx", "ж".repeat(300));
        let out = s(&cyr).unwrap();
        assert!(out.len() <= MAX_NAME_BYTES);
        assert!(out.ends_with(".docx"));
        let noext = "b".repeat(1000);
        assert_eq!(s(&noext).unwrap().len(), MAX_NAME_BYTES);
        let longext = format!("x.{}", "e".repeat(400));
        assert!(s(&longext).unwrap().len() <= MAX_NAME_BYTES);
        let emoji = "📷".repeat(100);
        let out = s(&emoji).unwrap();
        assert!(out.len() <= MAX_NAME_BYTES && out.chars().all(|c| c == '📷'));
    }

    #[test]
    fn numbered_and_fallback() {
        assert_eq!(numbered("report.pdf", 2), "report (2).pdf");
        assert_eq!(numbered("noext", 3), "noext (3)");
        assert_eq!(numbered("_bashrc", 1), "_bashrc (1)");
        assert_eq!(fallback_name("2.1", "image/png"), "part-2.1.png");
        assert_eq!(fallback_name("1", "text/plain"), "part-1.txt");
        assert_eq!(fallback_name("3", "application/x-whatever"), "part-3.bin");
        assert_eq!(
            fallback_name("1:uu2", "application/octet-stream"),
            "part-1-uu2.bin"
        );
        assert_eq!(with_eml("Fwd meeting"), "Fwd meeting.eml");
        assert_eq!(with_eml("x.EML"), "x.EML");
        assert!(with_eml(&"y".repeat(MAX_NAME_BYTES)).len() <= MAX_NAME_BYTES);
    }

    #[test]
    fn every_output_is_one_safe_component() {
        let nasty = [
            "../../x",
            "/etc/passwd",
            "C:\\x",
            "..\\..\\x",
            "\u{0}",
            "\u{202E}",
            ".",
            "..",
            "...",
            "CON",
            "-",
            "- ",
            " -x",
            "a/",
            "\\",
            "x\u{0}/../y",
            "\u{FEFF}..",
            "🙂/../..",
            "Z:",
            "Z:..",
            "\u{85}..",
        ];
        for n in nasty {
            if let Some(out) = s(n) {
                assert!(!out.is_empty());
                assert!(!out.contains('/') && !out.contains('\\') && !out.contains('\0'));
                assert!(out != "." && out != "..");
                assert!(!out.starts_with('-') && !out.starts_with('.'));
                assert!(!out.ends_with('.') && !out.ends_with(' '));
                assert!(!is_reserved(&out));
                assert!(!out.chars().any(is_removed_char));
            }
        }
    }

    #[test]
    fn random_hostile_names_keep_the_invariants() {
        // A small xorshift over an alphabet of everything that matters, so
        // the test needs no extra crate and is reproducible.
        // Single characters and whole tokens: device names must come up
        // often, next to the white space and padding that can hide them.
        const ALPHA: &[&str] = &[
            ".",
            ".",
            "/",
            "\\",
            ":",
            "-",
            " ",
            "\0",
            "\n",
            "\r",
            "\t",
            "\u{1b}",
            "\u{7f}",
            "\u{85}",
            "\u{202E}",
            "\u{200B}",
            "\u{FEFF}",
            "\u{2066}",
            "a",
            "C",
            "O",
            "N",
            "x",
            "1",
            "é",
            "📷",
            "ж",
            "*",
            "?",
            "\"",
            "<",
            "|",
            "\u{a0}",
            "\u{a0}",
            "\u{2003}",
            "\u{FFFD}",
            "$",
            "¹",
            "CON",
            "con",
            "CONOUT$",
            "conin$",
            "NUL",
            "nul",
            "AUX",
            "PRN",
            "COM",
            "LPT",
            "COM1",
            "lpt²",
            "\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}",
            "          ",
            "..........",
            "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
        ];
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..40_000 {
            // Short names often (a device name needs few tokens), long ones
            // too (shortening must not uncover one).
            let len = match next() % 4 {
                0 => (next() % 4) as usize,
                1 => (next() % 12) as usize,
                _ => (next() % 160) as usize,
            };
            let raw: String = (0..len)
                .map(|_| ALPHA[(next() % ALPHA.len() as u64) as usize])
                .collect();
            if let Some(out) = safe_name(&raw) {
                assert!(!out.is_empty() && out.len() <= MAX_NAME_BYTES, "{raw:?}");
                assert!(!out.contains(['/', '\\', '\0']), "{raw:?}");
                assert!(!out.starts_with(['.', '-']), "{raw:?} -> {out:?}");
                assert!(!out.ends_with(['.', ' ']), "{raw:?} -> {out:?}");
                assert!(!is_reserved(&out), "{raw:?} -> {out:?}");
                assert!(!out.chars().any(is_removed_char), "{raw:?}");
                assert!(!out.chars().any(is_windows_forbidden), "{raw:?}");
                // Idempotent: a safe name stays as it is.
                assert_eq!(safe_name(&out).as_deref(), Some(out.as_str()));
            }
        }
    }
}
