//! Content-type sniffing from the first bytes (magic numbers), and the check
//! of a declared type against the sniffed one.
//!
//! Only signatures that are unambiguous are recognised; text formats are
//! left alone (any byte string is "text"), except for a few with a fixed
//! opening (PDF, RTF, PostScript, iCalendar). `None` means "no signature
//! known", not "text".

/// The type sniffed from the first bytes, if a signature matches.
pub fn sniff(b: &[u8]) -> Option<&'static str> {
    let starts = |m: &[u8]| b.starts_with(m);
    let at = |off: usize, m: &[u8]| b.len() >= off + m.len() && &b[off..off + m.len()] == m;
    Some(if starts(b"%PDF-") {
        "application/pdf"
    } else if starts(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else if starts(b"\xff\xd8\xff") {
        "image/jpeg"
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        "image/gif"
    } else if starts(b"RIFF") && at(8, b"WEBP") {
        "image/webp"
    } else if starts(b"RIFF") && at(8, b"WAVE") {
        "audio/wav"
    } else if starts(b"II*\0") || starts(b"MM\0*") {
        "image/tiff"
    } else if starts(b"BM") && b.len() > 14 && at(6, b"\0\0\0\0") {
        "image/bmp"
    } else if starts(b"\0\0\x01\0") && b.len() > 6 {
        "image/x-icon"
    } else if starts(b"PK\x03\x04") || starts(b"PK\x05\x06") {
        "application/zip"
    } else if starts(b"\x1f\x8b") {
        "application/gzip"
    } else if starts(b"BZh") && b.len() > 3 && b[3].is_ascii_digit() {
        "application/x-bzip2"
    } else if starts(b"\xfd7zXZ\0") {
        "application/x-xz"
    } else if starts(b"7z\xbc\xaf\x27\x1c") {
        "application/x-7z-compressed"
    } else if starts(b"Rar!\x1a\x07") {
        "application/vnd.rar"
    } else if starts(b"\x28\xb5\x2f\xfd") {
        "application/zstd"
    } else if starts(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") {
        // OLE compound file: .doc, .xls, .ppt, .msg, .msi.
        "application/x-ole-storage"
    } else if starts(b"\x78\x9f\x3e\x22") {
        "application/vnd.ms-tnef"
    } else if starts(b"MZ") {
        "application/x-msdownload"
    } else if starts(b"\x7fELF") {
        "application/x-executable"
    } else if starts(b"\xca\xfe\xba\xbe")
        || starts(b"\xcf\xfa\xed\xfe")
        || starts(b"\xce\xfa\xed\xfe")
    {
        "application/x-mach-binary"
    } else if starts(b"{\\rtf") {
        "application/rtf"
    } else if starts(b"%!PS") {
        "application/postscript"
    } else if starts(b"ID3") || (b.len() > 1 && b[0] == 0xff && b[1] & 0xe0 == 0xe0 && b[1] != 0xff)
    {
        "audio/mpeg"
    } else if starts(b"OggS") {
        "audio/ogg"
    } else if at(4, b"ftyp") {
        "video/mp4"
    } else if starts(b"BEGIN:VCALENDAR") {
        "text/calendar"
    } else if starts(b"-----BEGIN PGP") {
        "application/pgp"
    } else {
        return None;
    })
}

/// Declared types that carry no information (anything may be inside).
fn is_generic(declared: &str) -> bool {
    matches!(
        declared,
        "application/octet-stream"
            | "application/x-download"
            | "application/download"
            | "application/force-download"
            | "binary/octet-stream"
            | "application/unknown"
            | "application/binary"
    ) || declared.starts_with("text/")
        || declared.starts_with("message/")
        || declared.starts_with("multipart/")
}

/// True when `declared` fits the sniffed type (families such as zip-based
/// Office documents and OLE files count as fitting).
pub fn compatible(declared: &str, sniffed: &str) -> bool {
    if declared == sniffed {
        return true;
    }
    let d = declared;
    match sniffed {
        "application/zip" => {
            d.contains("zip")
                || d.starts_with("application/vnd.openxmlformats-officedocument.")
                || d.starts_with("application/vnd.oasis.opendocument.")
                || d.starts_with("application/vnd.ms-")
                || matches!(
                    d,
                    "application/java-archive"
                        | "application/vnd.android.package-archive"
                        | "application/epub+zip"
                        | "application/x-xpinstall"
                        | "application/vnd.apple.keynote"
                        | "application/vnd.apple.pages"
                        | "application/vnd.apple.numbers"
                )
        }
        "application/x-ole-storage" => {
            d.starts_with("application/vnd.ms-")
                || matches!(
                    d,
                    "application/msword"
                        | "application/x-msi"
                        | "application/x-ole-storage"
                        | "application/vnd.visio"
                )
        }
        "image/jpeg" => matches!(d, "image/jpg" | "image/pjpeg"),
        "application/pdf" => matches!(d, "application/x-pdf" | "application/acrobat"),
        "application/gzip" => d.contains("gzip") || d == "application/x-tar",
        "application/vnd.ms-tnef" => d == "application/ms-tnef",
        "application/x-msdownload" => {
            d.contains("msdownload") || d.contains("dosexec") || d.contains("executable")
        }
        "image/x-icon" => d == "image/vnd.microsoft.icon",
        "audio/wav" => matches!(d, "audio/x-wav" | "audio/wave" | "audio/vnd.wave"),
        "audio/mpeg" => matches!(d, "audio/mp3" | "audio/mpeg3" | "audio/x-mpeg"),
        "video/mp4" => d.starts_with("video/") || d.starts_with("audio/mp4") || d == "image/heic",
        "application/rtf" => d == "text/rtf",
        "application/pgp" => d.starts_with("application/pgp"),
        "application/vnd.rar" => d.contains("rar"),
        _ => false,
    }
}

/// True when the declared type contradicts the content: a specific declared
/// type with a signature of something else. Generic declarations
/// (`application/octet-stream`, `text/*`) never contradict, except that an
/// executable is worth flagging whatever was declared (see [`is_executable`]).
pub fn is_mismatch(declared: &str, sniffed: Option<&str>) -> bool {
    match sniffed {
        None => false,
        Some(s) if is_generic(declared) => {
            is_executable(s) && !declared.starts_with("application/")
        }
        Some(s) => !compatible(declared, s),
    }
}

/// The type a file-name extension promises, for the extensions whose
/// content has a signature [`sniff`] knows.
pub fn type_for_extension(name: &str) -> Option<&'static str> {
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" | "jpe" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "tif" | "tiff" => "image/tiff",
        "bmp" => "image/bmp",
        "zip" => "application/zip",
        "docx" | "docm" => {
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        }
        "xlsx" | "xlsm" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pptx" | "pptm" => {
            "application/vnd.openxmlformats-officedocument.presentationml.presentation"
        }
        "odt" | "ods" | "odp" => "application/vnd.oasis.opendocument.text",
        "doc" => "application/msword",
        "xls" => "application/vnd.ms-excel",
        "ppt" => "application/vnd.ms-powerpoint",
        "msg" => "application/vnd.ms-outlook",
        "gz" | "tgz" => "application/gzip",
        "7z" => "application/x-7z-compressed",
        "rar" => "application/vnd.rar",
        "exe" | "dll" | "scr" | "com" | "cpl" | "sys" => "application/x-msdownload",
        "rtf" => "application/rtf",
        "mp3" => "audio/mpeg",
        "mp4" | "m4a" | "mov" => "video/mp4",
        "wav" => "audio/wav",
        "ogg" => "audio/ogg",
        _ => return None,
    })
}

/// True when the name's extension promises a type the content contradicts
/// (`photo.jpg` that is a Windows program).
pub fn is_extension_mismatch(name: &str, sniffed: Option<&str>) -> bool {
    match (type_for_extension(name), sniffed) {
        (Some(t), Some(s)) => !compatible(t, s),
        _ => false,
    }
}

/// True for sniffed types that are programs.
pub fn is_executable(sniffed: &str) -> bool {
    matches!(
        sniffed,
        "application/x-msdownload" | "application/x-executable" | "application/x-mach-binary"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures() {
        assert_eq!(sniff(b"%PDF-1.5\n"), Some("application/pdf"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniff(b"\xff\xd8\xff\xe0\0\x10JFIF"), Some("image/jpeg"));
        assert_eq!(sniff(b"GIF89a..."), Some("image/gif"));
        assert_eq!(sniff(b"PK\x03\x04\x14\0"), Some("application/zip"));
        assert_eq!(sniff(b"MZ\x90\0"), Some("application/x-msdownload"));
        assert_eq!(
            sniff(b"\x78\x9f\x3e\x22\x01\x00"),
            Some("application/vnd.ms-tnef")
        );
        assert_eq!(sniff(b"hello world"), None);
        assert_eq!(sniff(b""), None);
        assert_eq!(sniff(b"M"), None);
    }

    #[test]
    fn mismatches() {
        assert!(!is_mismatch("application/pdf", Some("application/pdf")));
        assert!(!is_mismatch(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Some("application/zip")
        ));
        assert!(!is_mismatch(
            "application/msword",
            Some("application/x-ole-storage")
        ));
        assert!(!is_mismatch("image/jpg", Some("image/jpeg")));
        assert!(!is_mismatch("application/octet-stream", Some("image/png")));
        assert!(!is_mismatch("application/pdf", None));
        assert!(is_mismatch("image/jpeg", Some("application/x-msdownload")));
        assert!(is_mismatch("application/pdf", Some("image/png")));
        assert!(is_mismatch("text/plain", Some("application/x-msdownload")));
        assert!(!is_mismatch("text/plain", Some("application/pdf")));
    }

    #[test]
    fn extensions() {
        assert!(is_extension_mismatch(
            "photo.JPG",
            Some("application/x-msdownload")
        ));
        assert!(is_extension_mismatch(
            "invoice.pdf",
            Some("application/zip")
        ));
        assert!(!is_extension_mismatch(
            "report.docx",
            Some("application/zip")
        ));
        assert!(!is_extension_mismatch(
            "old.doc",
            Some("application/x-ole-storage")
        ));
        assert!(!is_extension_mismatch(
            "a.exe",
            Some("application/x-msdownload")
        ));
        assert!(!is_extension_mismatch("notes.txt", Some("application/pdf")));
        assert!(!is_extension_mismatch("noext", Some("image/png")));
        assert!(!is_extension_mismatch("a.png", None));
    }
}
