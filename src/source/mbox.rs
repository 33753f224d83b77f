//! Zero-copy mbox splitting over a byte slice.
//!
//! Our own splitter over the memory map, with `memchr`: mail-parser's mbox
//! iterator copies every message and records no offsets. For every message it
//! yields the index, the `From ` line, the byte offset of that line and the
//! byte range of the message, as sub-ranges of the input.
//!
//! # What is a boundary
//!
//! - A line that looks like a `From_` line ([`is_from_line`]: `From `, an
//!   envelope sender and an asctime-style date, in the variants mutt and git
//!   accept) is a boundary, whether or not a blank line precedes it. Without
//!   the blank line (concatenated `git format-patch` output) the boundary gets
//!   the finding `from_line_without_blank_line`.
//! - A `From ` line without a date is a boundary only when the next line is a
//!   header field (`Name: value`): that is how mailboxes written with
//!   `From - ` separators (Mozilla, GMime's test data) look. It gets the
//!   finding `loose_from_line`.
//! - Any other `From ` line is body text and gets the finding
//!   `unquoted_from_in_body` with its offset: it is never silently split on.
//! - mboxcl/mboxcl2: a `Content-Length` header is honoured when the body it
//!   measures ends exactly at the next `From ` line (or at the end of the
//!   file); otherwise the finding `content_length_mismatch` is reported and
//!   `From_` lines decide.
//!
//! # What belongs to a message
//!
//! The message bytes start after the `From ` line and end before the blank
//! line that precedes the next `From ` line (or the end of the file): that
//! blank line is the separator every mbox writer adds, not part of the
//! message. mboxrd/mboxo quoting (`>From `, `>>From `) is undone by
//! [`unquote`], which borrows when there is nothing to undo.
//!
//! See: issue 3 (mailboxes at full speed).

use memchr::memmem;
use std::borrow::Cow;
use std::ops::Range;

/// A mailbox-level finding: something the splitter tolerated or could not
/// decide, with the byte offset in the mbox where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MboxFinding {
    /// Stable snake_case code (listed in docs/mailbox.md).
    pub code: &'static str,
    /// Human-readable explanation, quoting the offending line where useful.
    pub message: String,
    /// Byte offset in the mbox.
    pub offset: u64,
}

/// One message found in an mbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MboxEntry {
    /// 0-based index of the message in the mbox.
    pub index: usize,
    /// Byte offset of the `From ` line.
    pub offset: usize,
    /// The `From ` line, without its line ending (empty when the data does
    /// not start with one, which only happens with `--format mbox`).
    pub from_line: Range<usize>,
    /// The message bytes: after the `From ` line, up to the line ending that
    /// precedes the next `From ` line (the blank separator line excluded).
    pub message: Range<usize>,
    /// Where the next record starts (the next `From ` line, or the end).
    pub next: usize,
    /// Whether the boundary that opened this message had no blank line before it.
    pub no_blank_before: bool,
    /// Whether a `Content-Length` header decided where the message ends.
    pub content_length: bool,
    /// Whether the message uses CRLF line endings (judged by its `From ` line).
    pub crlf: bool,
    /// Findings about this record (usually empty; no allocation then).
    pub findings: Vec<MboxFinding>,
}

impl MboxEntry {
    /// Whether the message contains `>From ` (possibly quoted lines to
    /// undo). Not computed while splitting: [`unquote`] makes the same check
    /// in the worker that needs it, off the serial path.
    pub fn has_quoted_from(&self, data: &[u8]) -> bool {
        memmem::find(&data[self.message.clone()], b">From ").is_some()
    }
}

/// True when `data` starts with a `From ` line: that makes it an mbox (a
/// message never starts with one), whatever follows `From ` (Thunderbird
/// writes bare `From ` lines, GMime's test data `From - `).
pub fn starts_with_from_line(data: &[u8]) -> bool {
    data.starts_with(b"From ")
}

/// True when `line` (without its line ending) looks like an mbox `From_` line:
/// `From <sender> <date>` where the date has a weekday or month name, a day,
/// an `hh:mm` time and a four-digit year, in the orders mbox writers use
/// (asctime `Mon Jan  1 00:00:00 2001`, with or without a zone, `remote from`
/// suffixes, RFC 2822-style dates some writers use).
pub fn is_from_line(line: &[u8]) -> bool {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let Some(rest) = line.strip_prefix(b"From ") else {
        return false;
    };
    let mut words = rest
        .split(|&b| b == b' ' || b == b'\t')
        .filter(|w| !w.is_empty());
    // The sender (may be empty, in which case the first date word is taken
    // as the sender; the remaining words still carry time and year).
    if words.next().is_none() {
        return false;
    }
    let (mut has_time, mut has_year, mut has_name, mut n) = (false, false, false, 0);
    for w in words {
        n += 1;
        has_time |= is_time(w);
        has_year |= w.len() == 4 && w.iter().all(u8::is_ascii_digit);
        has_name |= is_month(w) || is_weekday(w);
    }
    // `From sender` with nothing else is body text (or a truncated line).
    n >= 3 && has_time && has_year && has_name
}

fn is_time(w: &[u8]) -> bool {
    // hh:mm or hh:mm:ss
    let mut parts = 0;
    for p in w.split(|&b| b == b':') {
        parts += 1;
        if p.is_empty() || p.len() > 2 || !p.iter().all(u8::is_ascii_digit) {
            return false;
        }
    }
    parts == 2 || parts == 3
}

fn is_month(w: &[u8]) -> bool {
    const M: [&[u8]; 12] = [
        b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov",
        b"dec",
    ];
    w.len() >= 3 && M.iter().any(|m| w[..3].eq_ignore_ascii_case(m))
}

fn is_weekday(w: &[u8]) -> bool {
    const D: [&[u8]; 7] = [b"mon", b"tue", b"wed", b"thu", b"fri", b"sat", b"sun"];
    w.len() >= 3 && D.iter().any(|d| w[..3].eq_ignore_ascii_case(d))
}

/// True when the lines after the one ending at `line_end` look like the
/// start of a header: a header field (`Name:` with a printable, space-free
/// name), then another field, a folded continuation, the blank line that
/// ends a header, or the end of the data. Two lines, not one, so that body
/// text such as `From here` / `But: it's not really.` / `The end.` stays
/// one message (the heuristic Thunderbird's mbox reader uses as well).
fn next_line_is_header(data: &[u8], line_end: usize) -> bool {
    let start = line_end + 1;
    if start >= data.len() || !is_field_line(&data[start..]) {
        return false;
    }
    let Some(nl) = memchr::memchr(b'\n', &data[start..]) else {
        return true;
    };
    let second = &data[start + nl + 1..];
    second.is_empty()
        || second[0] == b' '
        || second[0] == b'\t'
        || second[0] == b'\n'
        || second.starts_with(b"\r\n")
        || is_field_line(second)
}

/// True when `line` starts with `Name:` (printable ASCII without space).
fn is_field_line(line: &[u8]) -> bool {
    let window = &line[..line.len().min(80)];
    match memchr::memchr2(b':', b'\n', window) {
        Some(i) if i > 0 && window[i] == b':' => {
            window[..i].iter().all(|&b| (33..=126).contains(&b))
        }
        _ => false,
    }
}

/// Returns the position before a trailing line ending at `end` (LF or CRLF).
fn strip_eol(data: &[u8], floor: usize, end: usize) -> usize {
    let mut e = end;
    if e > floor && data[e - 1] == b'\n' {
        e -= 1;
        if e > floor && data[e - 1] == b'\r' {
            e -= 1;
        }
    }
    e
}

fn quote_line(data: &[u8], start: usize) -> String {
    let end = memchr::memchr(b'\n', &data[start..]).map_or(data.len(), |e| start + e);
    let end = end.min(start + 120);
    String::from_utf8_lossy(&data[start..end])
        .trim_end_matches('\r')
        .to_string()
}

/// Largest header block searched for a `Content-Length` field.
const MAX_HEADER_SCAN: usize = 256 * 1024;

/// Iterates over the messages of an mbox held in `data`.
pub struct MboxSplitter<'a> {
    data: &'a [u8],
    pos: usize,
    index: usize,
    finder: memmem::Finder<'static>,
    /// Findings about the boundary that opens the next message.
    pending: Vec<MboxFinding>,
    pending_no_blank: bool,
}

impl<'a> MboxSplitter<'a> {
    /// Starts splitting at the beginning of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        MboxSplitter {
            data,
            pos: 0,
            index: 0,
            finder: memmem::Finder::new(b"\nFrom ").into_owned(),
            pending: Vec::new(),
            pending_no_blank: false,
        }
    }

    /// Finds the start of the next boundary line at or after `from`, and
    /// records body `From ` lines that are not boundaries as findings.
    fn next_boundary(&mut self, mut from: usize, findings: &mut Vec<MboxFinding>) -> Option<usize> {
        let data = self.data;
        loop {
            let hit = self.finder.find(&data[from..])? + from + 1;
            let end = memchr::memchr(b'\n', &data[hit..]).map_or(data.len(), |e| hit + e);
            if is_from_line(&data[hit..end]) {
                return Some(hit);
            }
            if next_line_is_header(data, end) {
                // See: issue 3 — `From - ` separators (GMime substring.mbox).
                self.pending.push(MboxFinding {
                    code: "loose_from_line",
                    message: format!(
                        "`{}` has no date but is followed by a header; taken as a message boundary",
                        quote_line(data, hit)
                    ),
                    offset: hit as u64,
                });
                return Some(hit);
            }
            findings.push(MboxFinding {
                code: "unquoted_from_in_body",
                message: format!(
                    "`{}` is not a From_ line; kept as body text",
                    quote_line(data, hit)
                ),
                offset: hit as u64,
            });
            from = hit;
        }
    }

    /// Looks for a `Content-Length` header in the message header starting at
    /// `start`; returns its value and where the body starts.
    fn content_length(&self, start: usize) -> Option<(usize, usize)> {
        let data = self.data;
        let limit = data.len().min(start + MAX_HEADER_SCAN);
        let mut pos = start;
        let mut value = None;
        while pos < limit {
            let end = memchr::memchr(b'\n', &data[pos..limit]).map_or(limit, |e| pos + e);
            let line = &data[pos..end];
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.is_empty() {
                return value.map(|v| (v, end + 1));
            }
            if line.len() > 15 && line[..15].eq_ignore_ascii_case(b"content-length:") {
                let v = std::str::from_utf8(&line[15..]).ok()?.trim();
                value = v.parse::<usize>().ok();
                value?;
            }
            pos = end + 1;
        }
        None
    }

    /// True when a record may start at `pos`: the end of the data, or a
    /// `From ` line, possibly after one blank line.
    fn boundary_at(&self, pos: usize) -> Option<usize> {
        let data = self.data;
        if pos == data.len() {
            return Some(pos);
        }
        for skip in [0usize, 1, 2] {
            let p = pos + skip;
            if p > data.len() {
                break;
            }
            if skip == 1 && data.get(pos) != Some(&b'\n') {
                continue;
            }
            if skip == 2 && data.get(pos..pos + 2) != Some(b"\r\n") {
                continue;
            }
            if p == data.len() {
                return Some(p);
            }
            if data[p..].starts_with(b"From ") {
                return Some(p);
            }
        }
        None
    }
}

impl Iterator for MboxSplitter<'_> {
    type Item = MboxEntry;

    fn next(&mut self) -> Option<MboxEntry> {
        let data = self.data;
        if self.pos >= data.len() {
            return None;
        }
        let start = self.pos;
        let mut findings = std::mem::take(&mut self.pending);
        let no_blank_before = std::mem::take(&mut self.pending_no_blank);
        if no_blank_before {
            findings.push(MboxFinding {
                code: "from_line_without_blank_line",
                message: "no blank line before this From_ line".into(),
                offset: start as u64,
            });
        }
        let (from_line, body_start, crlf) = if data[start..].starts_with(b"From ") {
            let line_end = memchr::memchr(b'\n', &data[start..]).map_or(data.len(), |e| start + e);
            let crlf = line_end > start && data[line_end - 1] == b'\r';
            let fl_end = if crlf { line_end - 1 } else { line_end };
            (start..fl_end, (line_end + 1).min(data.len()), crlf)
        } else {
            // Only reachable when the first record is forced to be mbox.
            findings.push(MboxFinding {
                code: "missing_from_line",
                message: format!(
                    "data does not start with a From_ line: `{}`",
                    quote_line(data, start)
                ),
                offset: start as u64,
            });
            (start..start, start, false)
        };

        // mboxcl / mboxcl2: Content-Length, honoured when it lands on a boundary.
        let mut cl_end = None;
        if let Some((len, body)) = self.content_length(body_start) {
            let target = body.checked_add(len).filter(|&t| t <= data.len());
            match target.and_then(|t| self.boundary_at(t).map(|b| (t, b))) {
                Some((t, b)) => cl_end = Some((t, b)),
                None => findings.push(MboxFinding {
                    code: "content_length_mismatch",
                    message: format!(
                        "Content-Length: {len} does not end at a From_ line or the end of the file; ignored"
                    ),
                    offset: start as u64,
                }),
            }
        }

        let (end, next) = if let Some((t, b)) = cl_end {
            (t, b)
        } else {
            let scan_from = from_line.end.max(body_start.saturating_sub(1)).max(start);
            let next = self.next_boundary(scan_from, &mut findings);
            let stop = next.unwrap_or(data.len());
            // The separator is the blank line before the next `From ` line (or
            // the end): not part of the message. Without it (git format-patch
            // output glued together), the message keeps its last line ending.
            let e1 = strip_eol(data, body_start, stop);
            let end = if e1 < stop && (e1 == body_start || data[e1 - 1] == b'\n') {
                e1
            } else {
                if next.is_some() {
                    self.pending_no_blank = true;
                }
                stop
            };
            (end, stop)
        };
        if next == data.len() && !data.ends_with(b"\n") {
            findings.push(MboxFinding {
                code: "missing_final_newline",
                message: "the last message does not end with a line ending".into(),
                offset: data.len() as u64,
            });
        }
        let end = end.max(body_start);
        let entry = MboxEntry {
            index: self.index,
            offset: start,
            from_line,
            message: body_start..end,
            next,
            no_blank_before,
            content_length: cl_end.is_some(),
            crlf,
            findings,
        };
        self.index += 1;
        self.pos = next.max(start + 1);
        Some(entry)
    }
}

/// Undoes mboxrd/mboxo quoting: one `>` is removed from lines matching
/// `^>+From `. Borrowed when there is nothing to undo.
///
/// Finds the quoted lines with `memmem` and copies the bytes between them,
/// rather than walking every line: most lines of a quoted message are not
/// quoted.
pub fn unquote(msg: &[u8]) -> Cow<'_, [u8]> {
    let mut out: Option<Vec<u8>> = None;
    let mut copied = 0;
    for p in memmem::find_iter(msg, b">From ") {
        // `p` is the last `>` only if the next byte starts `From `; walk back
        // over the run of `>` to the line start.
        let mut ls = p;
        while ls > 0 && msg[ls - 1] == b'>' {
            ls -= 1;
        }
        if ls > 0 && msg[ls - 1] != b'\n' {
            continue;
        }
        if ls < copied {
            continue;
        }
        let o = out.get_or_insert_with(|| Vec::with_capacity(msg.len()));
        o.extend_from_slice(&msg[copied..ls]);
        copied = ls + 1;
    }
    match out {
        None => Cow::Borrowed(msg),
        Some(mut o) => {
            o.extend_from_slice(&msg[copied..]);
            Cow::Owned(o)
        }
    }
}

/// Applies mboxrd quoting: one `>` is added to lines matching `^>*From `.
/// Borrowed when there is nothing to quote.
pub fn quote(msg: &[u8]) -> Cow<'_, [u8]> {
    let needs = msg.starts_with(b"From ")
        || msg.starts_with(b">")
        || memmem::find(msg, b"From ").is_some_and(|_| {
            msg.split_inclusive(|&b| b == b'\n').any(|l| {
                let g = l.iter().take_while(|&&b| b == b'>').count();
                l[g..].starts_with(b"From ")
            })
        });
    if !needs {
        return Cow::Borrowed(msg);
    }
    let mut out = Vec::with_capacity(msg.len() + 64);
    for line in msg.split_inclusive(|&b| b == b'\n') {
        let g = line.iter().take_while(|&&b| b == b'>').count();
        if line[g..].starts_with(b"From ") {
            out.push(b'>');
        }
        out.extend_from_slice(line);
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(m: &[u8]) -> Vec<MboxEntry> {
        MboxSplitter::new(m).collect()
    }

    fn codes(e: &MboxEntry) -> Vec<&'static str> {
        e.findings.iter().map(|f| f.code).collect()
    }

    #[test]
    fn recognises_from_lines() {
        assert!(is_from_line(b"From MAILER-DAEMON Fri Jul  8 12:08:34 2011"));
        assert!(is_from_line(
            b"From 1234567890abcdef Mon Sep 17 00:00:00 2001"
        ));
        assert!(is_from_line(b"From a@b.c Sat, 1 Jan 2000 10:00:00 +0000"));
        assert!(is_from_line(b"From a@b.c Sat Jan  1 10:00 2000"));
        assert!(is_from_line(b"From a@b.c Sat Jan  1 10:00:00 +0100 2000"));
        assert!(is_from_line(
            b"From uucp Tue Jan 1 10:00:00 2000 remote from host"
        ));
        assert!(is_from_line(b"From a@b Mon Jan  1 00:00:00 2001\r"));
        assert!(!is_from_line(b"From here on we talk"));
        assert!(!is_from_line(b"From - "));
        assert!(!is_from_line(b"From: someone"));
        assert!(!is_from_line(b"From 10:00 to 12:00 in 2001 we met"));
    }

    #[test]
    fn splits_with_offsets() {
        let mbox = b"From a@b Mon Jan  1 00:00:00 2001\nSubject: 1\n\nbody\n\nFrom c@d Mon Jan  1 00:00:00 2001\nSubject: 2\n\n>From x\n";
        let v = split(mbox);
        assert_eq!(v.len(), 2);
        assert_eq!(&mbox[v[0].message.clone()], b"Subject: 1\n\nbody\n");
        assert_eq!(v[1].offset, 52);
        assert_eq!(v[0].next, 52);
        // At the end of the file there is no blank separator: the last line
        // ending belongs to the message.
        assert_eq!(&mbox[v[1].message.clone()], b"Subject: 2\n\n>From x\n");
        assert!(v[1].has_quoted_from(mbox));
        assert!(!v[0].has_quoted_from(mbox));
        assert_eq!(
            &*unquote(&mbox[v[1].message.clone()]),
            b"Subject: 2\n\nFrom x\n"
        );
        assert!(v.iter().all(|e| e.findings.is_empty()));
    }

    #[test]
    fn trailing_separator_at_eof_is_dropped() {
        let mbox = b"From a@b Mon Jan  1 00:00:00 2001\nA: 1\n\nbody\n\n";
        let v = split(mbox);
        assert_eq!(&mbox[v[0].message.clone()], b"A: 1\n\nbody\n");
    }

    #[test]
    fn no_blank_line_is_a_boundary_and_a_finding() {
        let mbox = b"From 1 Mon Sep 17 00:00:00 2001\nA: 1\n\nx\nFrom 2 Mon Sep 17 00:00:00 2001\nA: 2\n\ny\n";
        let v = split(mbox);
        assert_eq!(v.len(), 2);
        assert_eq!(&mbox[v[0].message.clone()], b"A: 1\n\nx\n");
        assert!(v[1].no_blank_before);
        assert_eq!(codes(&v[1]), ["from_line_without_blank_line"]);
        assert_eq!(v[1].findings[0].offset, 40);
    }

    #[test]
    fn body_from_is_text_and_a_finding() {
        let mbox = b"From a Mon Jan  1 00:00:00 2001\nA: 1\n\nhi\n\nFrom here on, we talk\nbye\n";
        let v = split(mbox);
        assert_eq!(v.len(), 1);
        assert_eq!(codes(&v[0]), ["unquoted_from_in_body"]);
        assert_eq!(v[0].findings[0].offset, 42);
    }

    #[test]
    fn loose_from_followed_by_header() {
        let mbox = b"From - \nA: 1\n\nx\nFrom - \nA: 2\n\ny\n";
        let v = split(mbox);
        assert_eq!(v.len(), 2);
        assert_eq!(v[1].offset, 16);
        assert!(codes(&v[1]).contains(&"loose_from_line"));
    }

    #[test]
    fn header_sniffing_needs_two_lines() {
        // A bare `From ` separator followed by a header (and a folded line).
        let m = b"From \r\nA: 1\r\n\r\nx\r\nFrom \r\nX-A: b\r\n  c\r\nB: 2\r\n\r\ny\r\n";
        let v = split(m);
        assert_eq!(v.len(), 2);
        assert_eq!(&m[v[0].message.clone()], b"A: 1\r\n\r\nx\r\n");
        // Body text where one line merely looks like a field.
        let m = b"From \nA: 1\n\nhello\nFrom here\nBut: not really.\nThe end.\n\n";
        let v = split(m);
        assert_eq!(v.len(), 1);
        assert_eq!(codes(&v[0]), ["unquoted_from_in_body"]);
        // A message cut short after one header line still counts.
        let m = b"From \nA: 1\n\nx\n\nFrom \nB: 2";
        assert_eq!(split(m).len(), 2);
        // A bare `From ` with nothing after it is one empty message.
        let v = split(b"From ");
        assert_eq!(v.len(), 1);
        assert!(v[0].message.is_empty());
        assert!(starts_with_from_line(b"From "));
    }

    #[test]
    fn crlf_mbox() {
        let mbox = b"From a Mon Jan  1 00:00:00 2001\r\nA: 1\r\n\r\nx\r\n\r\nFrom b Mon Jan  1 00:00:00 2001\r\nA: 2\r\n\r\ny\r\n";
        let v = split(mbox);
        assert_eq!(v.len(), 2);
        assert!(v[0].crlf);
        assert_eq!(
            &mbox[v[0].from_line.clone()],
            b"From a Mon Jan  1 00:00:00 2001"
        );
        assert_eq!(&mbox[v[0].message.clone()], b"A: 1\r\n\r\nx\r\n");
        assert_eq!(&mbox[v[1].message.clone()], b"A: 2\r\n\r\ny\r\n");
    }

    #[test]
    fn missing_final_newline_and_empty() {
        assert!(split(b"").is_empty());
        let mbox = b"From a Mon Jan  1 00:00:00 2001\nA: 1\n\nx";
        let v = split(mbox);
        assert_eq!(&mbox[v[0].message.clone()], b"A: 1\n\nx");
        assert_eq!(codes(&v[0]), ["missing_final_newline"]);
        let v = split(b"From a Mon Jan  1 00:00:00 2001");
        assert_eq!(v.len(), 1);
        assert!(v[0].message.is_empty());
    }

    #[test]
    fn content_length_honoured_and_lying() {
        let body = "x\nFrom a Mon Jan  1 00:00:00 2001\ny\n";
        let mbox = format!(
            "From a Mon Jan  1 00:00:00 2001\nContent-Length: {}\n\n{body}\nFrom b Mon Jan  1 00:00:00 2001\nA: 2\n\nz\n",
            body.len()
        );
        let v = split(mbox.as_bytes());
        assert_eq!(v.len(), 2, "{v:?}");
        assert!(v[0].content_length);
        assert!(mbox.as_bytes()[v[0].message.clone()].ends_with(body.as_bytes()));
        let lying = "From a Mon Jan  1 00:00:00 2001\nContent-Length: 3\n\nhello world\n\nFrom b Mon Jan  1 00:00:00 2001\nA: 2\n\nz\n";
        let v = split(lying.as_bytes());
        assert_eq!(v.len(), 2);
        assert_eq!(codes(&v[0]), ["content_length_mismatch"]);
        assert_eq!(
            &lying.as_bytes()[v[0].message.clone()],
            b"Content-Length: 3\n\nhello world\n"
        );
    }

    #[test]
    fn unquote_only_at_line_starts() {
        assert_eq!(
            &*unquote(b">From a\nx >From b\n>>>From c\n"),
            b"From a\nx >From b\n>>From c\n"
        );
        assert!(matches!(unquote(b"x >From b\n"), Cow::Borrowed(_)));
    }

    #[test]
    fn quote_unquote_round_trip() {
        let m = b"From x\n>From y\nFrom: z\n>>From q\nno\n";
        let q = quote(m);
        assert_eq!(&*q, b">From x\n>>From y\nFrom: z\n>>>From q\nno\n");
        assert_eq!(&*unquote(&q), m);
        assert!(matches!(quote(b"A: b\n\nhi\n"), Cow::Borrowed(_)));
    }
}
