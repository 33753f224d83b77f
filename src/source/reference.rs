//! Message references and message lists (see: issue 13, item 1).
//!
//! A **reference** names one message, or a run of messages of one mailbox:
//!
//! | form | names |
//! |---|---|
//! | `PATH` | a message file, an mbox, a maildir or a directory (every message in it) |
//! | `PATH#INDEX` | member `INDEX` (0-based, as `source.index`) of an mbox |
//! | `PATH#A-B` | members `A` to `B` inclusive |
//! | `PATH@OFFSET` | the member whose `From_` line starts at byte `OFFSET` (found by seeking: the mbox is not split again; the index is counted only when output needs it) |
//! | `PATH#INDEX@OFFSET` | what emlkit writes: member `INDEX`, found by seeking to `OFFSET` |
//!
//! A **message list** is one reference per line (LF; a CR before it is
//! dropped). In a list, a path is written with these bytes escaped as `%XX`
//! (upper-case hex): `%` itself, control bytes (newline, CR, tab, …), DEL,
//! bytes that are not UTF-8, and a `#` or `@` that would otherwise read as a
//! selector (one followed by digits only, or digits-digits, up to the end),
//! and a leading space (leading spaces on a line are thread depth, as
//! `emlkit thread` and mblaze's `mthread` write them, and are skipped).
//! Everything else is written as is, so lists of ordinary paths are readable
//! and `ls`/`find` output is a list already. Decoding turns `%XX` (two hex
//! digits) back into the byte and keeps any other `%` literally, so
//! [`escape_path`] and [`parse_line`] round-trip every path.
//!
//! On the command line a reference is taken literally first: an argument
//! that names an existing file is that file, whatever characters it holds.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

#[cfg(unix)]
use std::os::unix::ffi::{OsStrExt, OsStringExt};

/// Which messages of an input a reference names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Select {
    /// Every message of the input.
    All,
    /// Members `first..=last` of an mbox.
    Index {
        /// First index (0-based).
        first: usize,
        /// Last index, inclusive.
        last: usize,
    },
    /// The member whose `From_` line starts at this byte offset; `index`
    /// when the reference says it (`#INDEX@OFFSET`).
    Offset {
        /// Byte offset of the `From_` line.
        offset: u64,
        /// The member's index, when known.
        index: Option<usize>,
    },
}

/// One reference: a path (`-` for standard input) and a selection.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Reference {
    /// The input path; `-` means standard input.
    pub path: PathBuf,
    /// Which of its messages.
    pub select: Select,
}

impl Reference {
    /// The whole input at `path`.
    pub fn all(path: impl Into<PathBuf>) -> Reference {
        Reference {
            path: path.into(),
            select: Select::All,
        }
    }
}

/// An error in a reference or list line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReferenceError {
    /// `#A-B` with `A > B`.
    #[error("`{0}`: the range is backwards (first index after last)")]
    Backwards(String),
    /// An empty line or path.
    #[error("empty reference")]
    Empty,
}

/// Splits a selector suffix off `s`: returns the length of the path part
/// and the selection. Only `#DIGITS`, `#DIGITS-DIGITS`, `@DIGITS` and
/// `#DIGITS@DIGITS` at the very end count.
fn split_suffix(s: &[u8]) -> Option<(usize, Select)> {
    let digits_end = |end: usize| -> usize {
        let mut i = end;
        while i > 0 && s[i - 1].is_ascii_digit() {
            i -= 1;
        }
        i
    };
    let num =
        |a: usize, b: usize| -> Option<u64> { std::str::from_utf8(&s[a..b]).ok()?.parse().ok() };
    let end = s.len();
    let d = digits_end(end);
    if d == end || d == 0 {
        return None;
    }
    let last = num(d, end)?;
    match s[d - 1] {
        b'@' => {
            // `@OFFSET`, maybe preceded by `#INDEX`.
            let at = d - 1;
            let d2 = digits_end(at);
            if d2 < at && d2 > 0 && s[d2 - 1] == b'#' {
                // An index too large for a number is no index: the `#` and
                // its digits belong to the path, and `@OFFSET` still counts
                // (as `escape_path` assumes; found by the `reference` fuzz
                // target, which rejected the whole selector here).
                if let Some(index) = num(d2, at).and_then(|n| usize::try_from(n).ok()) {
                    return Some((
                        d2 - 1,
                        Select::Offset {
                            offset: last,
                            index: Some(index),
                        },
                    ));
                }
            }
            Some((
                at,
                Select::Offset {
                    offset: last,
                    index: None,
                },
            ))
        }
        b'#' => {
            let n = usize::try_from(last).ok()?;
            Some((d - 1, Select::Index { first: n, last: n }))
        }
        b'-' => {
            let dash = d - 1;
            let d2 = digits_end(dash);
            if d2 == dash || d2 == 0 || s[d2 - 1] != b'#' {
                return None;
            }
            let first = usize::try_from(num(d2, dash)?).ok()?;
            let last = usize::try_from(last).ok()?;
            Some((d2 - 1, Select::Index { first, last }))
        }
        _ => None,
    }
}

fn check(r: Reference, text: &[u8]) -> Result<Reference, ReferenceError> {
    if r.path.as_os_str().is_empty() {
        return Err(ReferenceError::Empty);
    }
    if let Select::Index { first, last } = r.select {
        if first > last {
            return Err(ReferenceError::Backwards(
                String::from_utf8_lossy(text).into_owned(),
            ));
        }
    }
    Ok(r)
}

#[cfg(unix)]
fn path_from_bytes(b: Vec<u8>) -> PathBuf {
    PathBuf::from(OsString::from_vec(b))
}

#[cfg(not(unix))]
fn path_from_bytes(b: Vec<u8>) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(&b).into_owned())
}

#[cfg(unix)]
fn path_bytes(p: &Path) -> std::borrow::Cow<'_, [u8]> {
    std::borrow::Cow::Borrowed(p.as_os_str().as_bytes())
}

#[cfg(not(unix))]
fn path_bytes(p: &Path) -> std::borrow::Cow<'_, [u8]> {
    std::borrow::Cow::Owned(p.to_string_lossy().into_owned().into_bytes())
}

/// Reads one command-line argument as a reference: an argument naming an
/// existing file or directory is that path, literally; otherwise a
/// selector suffix is split off (the path before it taken literally if it
/// exists, else percent-decoded as in a list).
pub fn parse_arg(arg: &Path) -> Result<Reference, ReferenceError> {
    if arg.as_os_str() == "-" || std::fs::symlink_metadata(arg).is_ok() {
        return check(Reference::all(arg), b"-");
    }
    let raw = path_bytes(arg);
    if let Some((n, select)) = split_suffix(&raw) {
        let literal = path_from_bytes(raw[..n].to_vec());
        if literal.as_os_str() == "-" || std::fs::symlink_metadata(&literal).is_ok() {
            return check(
                Reference {
                    path: literal,
                    select,
                },
                &raw,
            );
        }
    }
    parse_line(&raw)
}

/// Reads one line of a message list (without its line ending): the path is
/// percent-decoded (see the module documentation).
pub fn parse_line(line: &[u8]) -> Result<Reference, ReferenceError> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    // Leading spaces are thread depth (as `thread` and mblaze's mthread
    // write lists); a path's own leading space is escaped.
    let line = &line[line.iter().take_while(|&&b| b == b' ').count()..];
    let (n, select) = split_suffix(line).unwrap_or((line.len(), Select::All));
    let path = path_from_bytes(unescape(&line[..n]));
    check(Reference { path, select }, line)
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Undoes [`escape_path`]: `%XX` becomes the byte, any other `%` stays.
pub fn unescape(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'%' && i + 2 < s.len() {
            if let (Some(h), Some(l)) = (hex(s[i + 1]), hex(s[i + 2])) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        out.push(s[i]);
        i += 1;
    }
    out
}

fn push_escaped(out: &mut Vec<u8>, b: u8) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.extend_from_slice(&[b'%', HEX[(b >> 4) as usize], HEX[(b & 15) as usize]]);
}

/// Writes a path as it appears in a message list (see the module
/// documentation for what is escaped).
pub fn escape_path(path: &Path) -> Vec<u8> {
    let raw = path_bytes(path);
    let mut out = Vec::with_capacity(raw.len());
    let mut rest: &[u8] = &raw;
    while !rest.is_empty() {
        let (valid, bad) = match std::str::from_utf8(rest) {
            Ok(s) => (s.len(), 0),
            Err(e) => (
                e.valid_up_to(),
                e.error_len().unwrap_or(rest.len() - e.valid_up_to()),
            ),
        };
        for &b in &rest[..valid] {
            if b < 0x20 || b == 0x7f || b == b'%' {
                push_escaped(&mut out, b);
            } else {
                out.push(b);
            }
        }
        for &b in &rest[valid..valid + bad] {
            push_escaped(&mut out, b);
        }
        rest = &rest[valid + bad..];
    }
    if out.first() == Some(&b' ') {
        out.splice(0..1, *b"%20");
    }
    // A path that ends like a selector gets that `#`/`@` escaped, until it
    // no longer does: escaping the `#` of `#4@33` leaves `@33` looking like
    // one (found by the `reference` fuzz target). Each round escapes one
    // `#` or `@`, so this ends; in practice after two rounds at most.
    while let Some((n, _)) = split_suffix(&out) {
        let c = out[n];
        let tail = out.split_off(n);
        push_escaped(&mut out, c);
        out.extend_from_slice(&tail[1..]);
    }
    out
}

/// Writes a reference as a list line (without the newline).
pub fn format(r: &Reference) -> Vec<u8> {
    let mut out = escape_path(&r.path);
    match r.select {
        Select::All => {}
        Select::Index { first, last } if first == last => {
            out.extend_from_slice(format!("#{first}").as_bytes())
        }
        Select::Index { first, last } => {
            out.extend_from_slice(format!("#{first}-{last}").as_bytes())
        }
        Select::Offset {
            offset,
            index: Some(i),
        } => out.extend_from_slice(format!("#{i}@{offset}").as_bytes()),
        Select::Offset {
            offset,
            index: None,
        } => out.extend_from_slice(format!("@{offset}").as_bytes()),
    }
    out
}

/// The reference of a message read by the batch engine: the file for a
/// single message or a maildir member, `PATH#INDEX@OFFSET` for an mbox member.
pub fn of_origin(o: &super::Origin) -> Vec<u8> {
    let select = if o.format == "mbox" {
        Select::Offset {
            offset: o.offset,
            index: Some(o.index),
        }
    } else {
        Select::All
    };
    format(&Reference {
        path: PathBuf::from(&o.path),
        select,
    })
}

/// Reads a message list: one reference per line; blank lines are skipped.
/// Returns the references, or the 1-based line number and error of the
/// first bad line.
pub fn parse_list(text: &[u8]) -> Result<Vec<Reference>, (usize, ReferenceError)> {
    let mut out = Vec::new();
    for (i, line) in text.split(|&b| b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        out.push(parse_line(line).map_err(|e| (i + 1, e))?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by `scripts/fuzz.sh` (target `reference`,
    /// crash-c8e48ff6f025b2df3618b4758871107e806d69e8): a path whose
    /// unescaped form ends in `#4@33` did not survive format and parse.
    #[test]
    fn a_path_ending_like_index_and_offset_round_trips() {
        for line in [
            &b"\x01#4@%333"[..],
            b"a#4@33",
            b"a%231@2",
            b"x#1-2@5",
            b"y@7#8",
        ] {
            if let Ok(r) = parse_line(line) {
                let again = format(&r);
                assert_eq!(parse_line(&again).ok(), Some(r), "{again:?}");
            }
        }
        let r = Reference {
            path: PathBuf::from("dir/a#4@33"),
            select: Select::All,
        };
        assert_eq!(parse_line(&format(&r)).ok(), Some(r));
    }

    /// Found by `scripts/fuzz.sh 300` (target `reference`,
    /// crash-4aca7531fd913b7b023d3861a8277c35e7665b90): a path ending in
    /// `#` and more digits than a number holds, with an `@OFFSET`, came
    /// back without its selector (the overlong index rejected it whole).
    #[test]
    fn an_overlong_index_before_an_offset_belongs_to_the_path() {
        let line = b"\x01#$8888#8883888844444838888888888%3888@97";
        let r = parse_line(line).expect("parses");
        assert_eq!(
            r.select,
            Select::Offset {
                offset: 97,
                index: None
            }
        );
        assert_eq!(parse_line(&format(&r)).ok(), Some(r));
        let long = "9".repeat(40);
        for (path, select) in [
            (
                format!("a#{long}"),
                Select::Offset {
                    offset: 5,
                    index: None,
                },
            ),
            (format!("a#{long}"), Select::Index { first: 2, last: 3 }),
            (format!("a@{long}"), Select::All),
            (format!("a#{long}@1"), Select::All),
        ] {
            let r = Reference {
                path: PathBuf::from(path),
                select,
            };
            assert_eq!(parse_line(&format(&r)).ok(), Some(r));
        }
        let r = parse_line(format!("a#{long}@7").as_bytes()).expect("parses");
        assert_eq!(r.path, PathBuf::from(format!("a#{long}")));
    }

    fn r(path: &str, select: Select) -> Reference {
        Reference {
            path: PathBuf::from(path),
            select,
        }
    }

    #[test]
    fn list_lines_parse() {
        assert_eq!(parse_line(b"a.eml"), Ok(r("a.eml", Select::All)));
        assert_eq!(
            parse_line(b"x.mbox#42"),
            Ok(r(
                "x.mbox",
                Select::Index {
                    first: 42,
                    last: 42
                }
            ))
        );
        assert_eq!(
            parse_line(b"x.mbox#5-9"),
            Ok(r("x.mbox", Select::Index { first: 5, last: 9 }))
        );
        assert_eq!(
            parse_line(b"x.mbox@1234"),
            Ok(r(
                "x.mbox",
                Select::Offset {
                    offset: 1234,
                    index: None
                }
            ))
        );
        assert_eq!(
            parse_line(b"x.mbox#3@1234\r"),
            Ok(r(
                "x.mbox",
                Select::Offset {
                    offset: 1234,
                    index: Some(3)
                }
            ))
        );
        assert_eq!(parse_line(b"a#b@c"), Ok(r("a#b@c", Select::All)));
        assert_eq!(parse_line(b"100%.eml"), Ok(r("100%.eml", Select::All)));
        assert!(matches!(
            parse_line(b"x#9-5"),
            Err(ReferenceError::Backwards(_))
        ));
        assert_eq!(parse_line(b"#3"), Err(ReferenceError::Empty));
    }

    #[test]
    fn every_path_round_trips() {
        let paths: Vec<Vec<u8>> = vec![
            b"plain/file.eml".to_vec(),
            b"new\nline".to_vec(),
            b"ends#12".to_vec(),
            b"ends#1-2".to_vec(),
            b"ends@77".to_vec(),
            b"mail@example.com/cur/x".to_vec(),
            b"100%41".to_vec(),
            b"bad\xff\xfe utf8".to_vec(),
            "caf\u{e9} \u{1F600}".as_bytes().to_vec(),
            b"tab\there\r".to_vec(),
            b" leading space".to_vec(),
        ];
        for p in paths {
            let path = path_from_bytes(p.clone());
            for select in [
                Select::All,
                Select::Index { first: 1, last: 1 },
                Select::Index { first: 1, last: 4 },
                Select::Offset {
                    offset: 9,
                    index: None,
                },
                Select::Offset {
                    offset: 9,
                    index: Some(2),
                },
            ] {
                let reference = Reference {
                    path: path.clone(),
                    select,
                };
                let line = format(&reference);
                assert!(!line.contains(&b'\n'), "{line:?}");
                assert_eq!(
                    parse_line(&line),
                    Ok(reference),
                    "{:?}",
                    String::from_utf8_lossy(&line)
                );
            }
        }
        assert_eq!(escape_path(Path::new("a@b/c")), b"a@b/c");
        assert_eq!(escape_path(Path::new("ends#12")), b"ends%2312");
    }

    #[test]
    fn lists_skip_blank_lines_and_report_the_line() {
        let l = parse_list(b"a\n\nb#1\r\n").unwrap();
        assert_eq!(l.len(), 2);
        assert_eq!(parse_list(b"a\nb#3-1\n").unwrap_err().0, 2);
    }

    proptest::proptest! {
        #[test]
        fn any_path_round_trips_through_a_list_line(
            path in proptest::collection::vec(1u8..=255, 1..40),
            index in 0usize..1000,
            offset in 0u64..1_000_000,
        ) {
            let path = path_from_bytes(path);
            for select in [
                Select::All,
                Select::Index { first: index, last: index },
                Select::Offset { offset, index: Some(index) },
                Select::Offset { offset, index: None },
            ] {
                let r = Reference { path: path.clone(), select };
                let line = format(&r);
                proptest::prop_assert!(!line.contains(&b'\n'));
                proptest::prop_assert_eq!(parse_line(&line), Ok(r));
            }
        }
    }
}
