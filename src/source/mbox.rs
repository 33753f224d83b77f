//! Zero-copy mbox splitting over a byte slice.
//!
//! A boundary is a line that looks like a `From_` line: `From `, an envelope
//! sender, and an asctime-style date. Messages are sub-slices of the input;
//! mboxrd/mboxo `>From ` quoting is undone only for messages that contain it.

use memchr::memmem;
use std::borrow::Cow;
use std::ops::Range;

/// One message found in an mbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MboxEntry {
    /// 0-based index of the message in the mbox.
    pub index: usize,
    /// Byte offset of the `From ` line.
    pub offset: usize,
    /// The `From ` line, without its line ending.
    pub from_line: Range<usize>,
    /// The message bytes: after the `From ` line, up to the line ending that
    /// precedes the next `From ` line (the blank separator line excluded).
    pub message: Range<usize>,
    /// Whether the message contains quoted `>From ` lines to undo.
    pub has_quoted_from: bool,
    /// Whether the boundary that opened this message had no blank line before it.
    pub no_blank_before: bool,
}

/// True when `data` starts with a `From_` line.
pub fn starts_with_from_line(data: &[u8]) -> bool {
    let end = memchr::memchr(b'\n', data).unwrap_or(data.len());
    is_from_line(&data[..end])
}

/// True when `line` (without its line ending) looks like an mbox `From_` line:
/// `From <sender> <date>` where the date has a weekday or month name, a day,
/// an `hh:mm` time and a four-digit year, in the orders mbox writers use.
pub fn is_from_line(line: &[u8]) -> bool {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let Some(rest) = line.strip_prefix(b"From ") else {
        return false;
    };
    let words: Vec<&[u8]> = rest
        .split(|&b| b == b' ' || b == b'\t')
        .filter(|w| !w.is_empty())
        .collect();
    if words.len() < 4 {
        // `From sender` with nothing else is body text (or a truncated line).
        return false;
    }
    let date = &words[1..];
    let has_time = date.iter().any(|w| is_time(w));
    let has_year = date
        .iter()
        .any(|w| w.len() == 4 && w.iter().all(u8::is_ascii_digit));
    let has_name = date.iter().any(|w| is_month(w) || is_weekday(w));
    has_time && has_year && has_name
}

fn is_time(w: &[u8]) -> bool {
    // hh:mm or hh:mm:ss
    let parts: Vec<&[u8]> = w.split(|&b| b == b':').collect();
    (parts.len() == 2 || parts.len() == 3)
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 2 && p.iter().all(u8::is_ascii_digit))
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

/// Iterates over the messages of an mbox held in `data`.
pub struct MboxSplitter<'a> {
    data: &'a [u8],
    pos: usize,
    index: usize,
    finder: memmem::Finder<'static>,
}

impl<'a> MboxSplitter<'a> {
    /// Starts splitting at the beginning of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        MboxSplitter {
            data,
            pos: 0,
            index: 0,
            finder: memmem::Finder::new(b"\nFrom ").into_owned(),
        }
    }

    /// Finds the start of the next `From_` line at or after `from`.
    fn next_boundary(&self, mut from: usize) -> Option<usize> {
        loop {
            let hit = self.finder.find(&self.data[from..])? + from + 1;
            let end = memchr::memchr(b'\n', &self.data[hit..]).map_or(self.data.len(), |e| hit + e);
            if is_from_line(&self.data[hit..end]) {
                return Some(hit);
            }
            from = hit;
        }
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
        let line_end = memchr::memchr(b'\n', &data[start..]).map_or(data.len(), |e| start + e);
        let from_line_end = if line_end > start && data[line_end - 1] == b'\r' {
            line_end - 1
        } else {
            line_end
        };
        let body_start = (line_end + 1).min(data.len());
        let next = self.next_boundary(line_end.min(data.len().saturating_sub(1)).max(start));
        let stop = next.unwrap_or(data.len());
        // The separator is the blank line before the next `From ` line: it is
        // not part of the message. Without it (git format-patch output glued
        // together), the message keeps its last line ending.
        let mut end = stop;
        let mut no_blank = false;
        if next.is_some() {
            let e1 = strip_eol(data, body_start, stop);
            if e1 > body_start && data[e1 - 1] == b'\n' {
                end = e1;
            } else if e1 == body_start {
                end = body_start;
            } else {
                no_blank = true;
            }
        }
        let end = end.max(body_start);
        let msg = &data[body_start..end];
        let has_quoted_from = memmem::find(msg, b">From ").is_some();
        let entry = MboxEntry {
            index: self.index,
            offset: start,
            from_line: start..from_line_end,
            message: body_start..end,
            has_quoted_from,
            no_blank_before: no_blank,
        };
        self.index += 1;
        self.pos = stop;
        Some(entry)
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

/// Undoes mboxrd/mboxo quoting: one `>` is removed from lines matching
/// `^>+From `. Borrowed when there is nothing to undo.
pub fn unquote(msg: &[u8]) -> Cow<'_, [u8]> {
    if memmem::find(msg, b">From ").is_none() {
        return Cow::Borrowed(msg);
    }
    let mut out = Vec::with_capacity(msg.len());
    for line in msg.split_inclusive(|&b| b == b'\n') {
        let gts = line.iter().take_while(|&&b| b == b'>').count();
        if gts > 0 && line[gts..].starts_with(b"From ") {
            out.extend_from_slice(&line[1..]);
        } else {
            out.extend_from_slice(line);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_from_lines() {
        assert!(is_from_line(b"From MAILER-DAEMON Fri Jul  8 12:08:34 2011"));
        assert!(is_from_line(
            b"From 1234567890abcdef Mon Sep 17 00:00:00 2001"
        ));
        assert!(is_from_line(b"From a@b.c Sat, 1 Jan 2000 10:00:00 +0000"));
        assert!(!is_from_line(b"From here on we talk"));
        assert!(!is_from_line(b"From: someone"));
    }

    #[test]
    fn splits_with_offsets() {
        let mbox = b"From a@b Mon Jan  1 00:00:00 2001\nSubject: 1\n\nbody\n\nFrom c@d Mon Jan  1 00:00:00 2001\nSubject: 2\n\n>From x\n";
        let v: Vec<_> = MboxSplitter::new(mbox).collect();
        assert_eq!(v.len(), 2);
        assert_eq!(&mbox[v[0].message.clone()], b"Subject: 1\n\nbody\n");
        assert_eq!(v[1].offset, 52);
        assert_eq!(&mbox[v[1].message.clone()], b"Subject: 2\n\n>From x\n");
        assert!(v[1].has_quoted_from);
        assert_eq!(
            &*unquote(&mbox[v[1].message.clone()]),
            b"Subject: 2\n\nFrom x\n"
        );
    }
}
