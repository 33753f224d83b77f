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
#[non_exhaustive]
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
#[non_exhaustive]
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
    /// Whether a line of the message starts with `>From ` (or `>>From `, …):
    /// mboxrd quoting to undo. Noticed by the boundary search itself, so
    /// that messages without such a line are not scanned again.
    pub quoted_lines: bool,
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
///
/// Blank lines before the first `From ` line are allowed (git's own test
/// mailboxes start with one); see [`leading_blank_len`].
pub fn starts_with_from_line(data: &[u8]) -> bool {
    data[leading_blank_len(data)..].starts_with(b"From ")
}

/// The length of the blank lines (LF or CRLF) before a `From ` line at the
/// start of `data`, or 0 when no `From ` line follows them.
///
/// See: issue 12 (a file starting with blank lines is still an mbox).
pub fn leading_blank_len(data: &[u8]) -> usize {
    let mut i = 0;
    loop {
        if data[i..].starts_with(b"\n") {
            i += 1;
        } else if data[i..].starts_with(b"\r\n") {
            i += 2;
        } else {
            break;
        }
    }
    if i > 0 && data[i..].starts_with(b"From ") {
        i
    } else {
        0
    }
}

pub use super::envelope::is_from_line;

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

/// How many findings a splitter formats by default; past that it counts
/// them by code only. See [`MboxSplitter::max_findings`].
pub const DEFAULT_MAX_FINDINGS: usize = 100;

/// Counts findings by code and formats only the first few, so a message
/// with three million body `From ` lines costs three million increments,
/// not three million strings. See: issue 12 (findings counted and capped).
#[derive(Debug, Default)]
struct Tally {
    max: usize,
    listed: usize,
    by_code: Vec<(&'static str, usize)>,
    reported_truncation: bool,
}

impl Tally {
    fn note(
        &mut self,
        out: &mut Vec<MboxFinding>,
        code: &'static str,
        offset: usize,
        message: impl FnOnce() -> String,
    ) {
        match self.by_code.iter_mut().find(|(c, _)| *c == code) {
            Some((_, n)) => *n += 1,
            None => self.by_code.push((code, 1)),
        }
        if self.listed < self.max {
            self.listed += 1;
            out.push(MboxFinding {
                code,
                message: message(),
                offset: offset as u64,
            });
        }
    }

    fn total(&self) -> usize {
        self.by_code.iter().map(|(_, n)| n).sum()
    }
}

/// The state of an mbox split, apart from the bytes: [`MboxSplitter`] runs
/// it over one slice (a memory map), [`super::stream`] over a buffer that
/// is refilled from a stream and compacted as messages leave it.
#[derive(Debug)]
#[non_exhaustive]
pub struct SplitState {
    /// Where the next record starts, in the current data.
    pub pos: usize,
    index: usize,
    finder: memmem::Finder<'static>,
    /// Findings about the boundary that opens the next message.
    pending: Vec<MboxFinding>,
    pending_no_blank: bool,
    tally: Tally,
    /// Bytes dropped from the front of the data since the start (streams):
    /// added to every offset reported.
    pub base: u64,
    started: bool,
    /// A quoted `>From ` line was seen since the current message started.
    quoted_seen: bool,
}

/// What [`SplitState::step`] found.
#[derive(Debug)]
#[non_exhaustive]
pub enum Step {
    /// The next message; ranges are relative to the data given.
    Entry(MboxEntry),
    /// Not enough data to decide where the next message ends: give more
    /// (or say the data is complete).
    NeedMore,
    /// No message left.
    Done,
}

impl Default for SplitState {
    fn default() -> Self {
        SplitState::new()
    }
}

impl SplitState {
    /// A split at the start of an mbox.
    pub fn new() -> Self {
        SplitState {
            pos: 0,
            index: 0,
            // `From ` rather than `\nFrom `: the same search then also
            // finds the quoted `>From ` lines (see `next_boundary`).
            finder: memmem::Finder::new(b"From ").into_owned(),
            pending: Vec::new(),
            pending_no_blank: false,
            tally: Tally {
                max: DEFAULT_MAX_FINDINGS,
                ..Tally::default()
            },
            base: 0,
            started: false,
            quoted_seen: false,
        }
    }

    /// Formats at most `n` findings (see [`MboxSplitter::max_findings`]).
    pub fn set_max_findings(&mut self, n: usize) {
        self.tally.max = n;
    }

    /// Findings so far by code, complete even past the formatting cap.
    pub fn finding_counts(&self) -> &[(&'static str, usize)] {
        &self.tally.by_code
    }

    /// All findings so far, formatted or not.
    pub fn findings_total(&self) -> usize {
        self.tally.total()
    }

    /// Forgets the first `n` bytes of the data (a stream buffer compacted
    /// after its messages were handed out).
    pub fn consume(&mut self, n: usize) {
        debug_assert!(n <= self.pos);
        self.pos -= n;
        self.base += n as u64;
    }

    /// Finds the next message in `data`. With `at_eof` false, `data` is a
    /// prefix of the mbox and a message is returned only when everything
    /// that decides its end is inside `data`.
    pub fn step(&mut self, data: &[u8], at_eof: bool) -> Step {
        if !self.started {
            // Blank lines before the first `From ` line: wait until the
            // first non-blank bytes are in.
            let blank = data
                .iter()
                .take_while(|&&b| b == b'\n' || b == b'\r')
                .count();
            if !at_eof && blank + 5 > data.len() {
                return Step::NeedMore;
            }
            let lead = leading_blank_len(data);
            if lead > 0 {
                self.tally
                    .note(&mut self.pending, "leading_blank_lines", 0, || {
                        format!("{lead} bytes of blank lines before the first From_ line; skipped")
                    });
            }
            self.pos = lead;
            self.started = true;
        }
        if self.pos >= data.len() {
            return if at_eof { Step::Done } else { Step::NeedMore };
        }
        // Undo what a failed attempt noted: it runs again with more data.
        let saved = (!at_eof).then(|| (self.tally.listed, self.tally.by_code.clone()));
        match self.split_one(data, at_eof) {
            Some(e) => Step::Entry(e),
            None => {
                if let Some((listed, by_code)) = saved {
                    self.tally.listed = listed;
                    self.tally.by_code = by_code;
                }
                if at_eof {
                    Step::Done
                } else {
                    Step::NeedMore
                }
            }
        }
    }

    fn note_finding(
        &mut self,
        out: &mut Vec<MboxFinding>,
        code: &'static str,
        offset: usize,
        message: impl FnOnce() -> String,
    ) {
        let off = offset + self.base as usize;
        self.tally.note(out, code, off, message);
    }

    /// Finds the start of the next boundary line at or after `from`, and
    /// records body `From ` lines that are not boundaries as findings.
    /// `Err(())` when the data ends before that can be decided.
    fn next_boundary(
        &mut self,
        data: &[u8],
        at_eof: bool,
        mut from: usize,
        findings: &mut Vec<MboxFinding>,
    ) -> Result<Option<usize>, ()> {
        loop {
            let Some(hit) = self.finder.find(&data[from..]).map(|h| h + from) else {
                // A `\nFrom ` may straddle the end of a partial buffer.
                return if at_eof { Ok(None) } else { Err(()) };
            };
            if hit == from || data[hit - 1] != b'\n' {
                // Not at a line start (a line start at `from` itself was
                // searched from before). A quoted `>From ` line is noted
                // for unquoting.
                if hit > from && data[hit - 1] == b'>' {
                    let mut ls = hit - 1;
                    while ls > 0 && data[ls - 1] == b'>' {
                        ls -= 1;
                    }
                    if ls == 0 || data[ls - 1] == b'\n' {
                        self.quoted_seen = true;
                    }
                }
                from = hit + 1;
                continue;
            }
            let end = memchr::memchr(b'\n', &data[hit..]).map(|e| hit + e);
            // Deciding needs the whole line, and for a dateless `From `
            // line the two lines after it.
            if !at_eof && (end.is_none() || lines_after(data, end.unwrap_or(hit)) < 2) {
                return Err(());
            }
            let end = end.unwrap_or(data.len());
            if is_from_line(&data[hit..end]) {
                return Ok(Some(hit));
            }
            if next_line_is_header(data, end) {
                // See: issue 3 — `From - ` separators (GMime substring.mbox).
                let mut pending = std::mem::take(&mut self.pending);
                self.note_finding(&mut pending, "loose_from_line", hit, || {
                    format!(
                        "`{}` has no date but is followed by a header; taken as a message boundary",
                        quote_line(data, hit)
                    )
                });
                self.pending = pending;
                return Ok(Some(hit));
            }
            self.note_finding(findings, "unquoted_from_in_body", hit, || {
                format!(
                    "`{}` is not a From_ line; kept as body text",
                    quote_line(data, hit)
                )
            });
            from = hit + 1;
        }
    }

    /// Looks for a `Content-Length` header in the message header starting at
    /// `start`; returns its value and where the body starts. The scan stops
    /// at the header's end, and at a `From ` line: a header-only message
    /// (no blank line before the next `From_` line) must not take the next
    /// message's `Content-Length` as its own. See: issue 12.
    fn content_length(data: &[u8], start: usize) -> Option<(usize, usize)> {
        let limit = data.len().min(start.saturating_add(MAX_HEADER_SCAN));
        let mut pos = start;
        let mut value = None;
        while pos < limit {
            let end = memchr::memchr(b'\n', &data[pos..limit]).map_or(limit, |e| pos + e);
            let line = &data[pos..end];
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.is_empty() {
                return value.map(|v| (v, end + 1));
            }
            if line.starts_with(b"From ") {
                return None;
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
    fn boundary_at(data: &[u8], pos: usize) -> Option<usize> {
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

    fn split_one(&mut self, data: &[u8], at_eof: bool) -> Option<MboxEntry> {
        let start = self.pos;
        self.quoted_seen = false;
        if !at_eof && data.len() - start < 5 {
            return None;
        }
        let mut findings = std::mem::take(&mut self.pending);
        let no_blank_before = self.pending_no_blank;
        if no_blank_before {
            self.note_finding(&mut findings, "from_line_without_blank_line", start, || {
                "no blank line before this From_ line".into()
            });
        }
        let restore = |st: &mut Self, mut f: Vec<MboxFinding>| {
            // Keep the boundary findings for the retry; drop the rest.
            f.retain(|x| x.code == "loose_from_line" || x.code == "leading_blank_lines");
            st.pending = f;
        };
        let (from_line, body_start, crlf) = if data[start..].starts_with(b"From ") {
            let line_end = match memchr::memchr(b'\n', &data[start..]) {
                Some(e) => start + e,
                None if at_eof => data.len(),
                None => {
                    restore(self, findings);
                    return None;
                }
            };
            let crlf = line_end > start && data[line_end - 1] == b'\r';
            let fl_end = if crlf { line_end - 1 } else { line_end };
            (start..fl_end, (line_end + 1).min(data.len()), crlf)
        } else {
            // Only reachable when the first record is forced to be mbox.
            self.note_finding(&mut findings, "missing_from_line", start, || {
                format!(
                    "data does not start with a From_ line: `{}`",
                    quote_line(data, start)
                )
            });
            (start..start, start, false)
        };

        // mboxcl / mboxcl2: Content-Length, honoured when it lands on a boundary.
        let mut cl_end = None;
        if !at_eof
            && memchr::memmem::find(&data[body_start..], b"\n\n").is_none()
            && memchr::memmem::find(&data[body_start..], b"\n\r\n").is_none()
            && memchr::memmem::find(&data[body_start..], b"\nFrom ").is_none()
        {
            // The header is not complete yet.
            restore(self, findings);
            return None;
        }
        if let Some((len, body)) = Self::content_length(data, body_start) {
            let target = body.checked_add(len);
            if !at_eof && target.is_none_or(|t| t.saturating_add(7) > data.len()) {
                restore(self, findings);
                return None;
            }
            let target = target.filter(|&t| t <= data.len());
            match target.and_then(|t| Self::boundary_at(data, t).map(|b| (t, b))) {
                Some((t, b)) => cl_end = Some((t, b)),
                None => self.note_finding(&mut findings, "content_length_mismatch", start, || {
                    format!(
                        "Content-Length: {len} does not end at a From_ line or the end of the file; ignored"
                    )
                }),
            }
        }

        let mut next_no_blank = false;
        let (end, next) = if let Some((t, b)) = cl_end {
            (t, b)
        } else {
            let scan_from = from_line.end.max(body_start.saturating_sub(1)).max(start);
            let next = match self.next_boundary(data, at_eof, scan_from, &mut findings) {
                Ok(n) => n,
                Err(()) => {
                    restore(self, findings);
                    return None;
                }
            };
            let stop = next.unwrap_or(data.len());
            // The separator is the blank line before the next `From ` line (or
            // the end): not part of the message. Without it (git format-patch
            // output glued together), the message keeps its last line ending.
            let e1 = strip_eol(data, body_start, stop);
            let end = if e1 < stop && (e1 == body_start || data[e1 - 1] == b'\n') {
                e1
            } else {
                next_no_blank = next.is_some();
                stop
            };
            (end, stop)
        };
        if !at_eof && next == data.len() {
            // The message may go on in bytes not read yet.
            restore(self, findings);
            return None;
        }
        if next == data.len() && !data.ends_with(b"\n") {
            self.note_finding(&mut findings, "missing_final_newline", data.len(), || {
                "the last message does not end with a line ending".into()
            });
        }
        let end = end.max(body_start);
        if next == data.len()
            && self.tally.total() > self.tally.listed
            && !self.tally.reported_truncation
        {
            self.tally.reported_truncation = true;
            let more = self.tally.total() - self.tally.listed;
            findings.push(MboxFinding {
                code: "findings_truncated",
                message: format!("{more} more findings were counted but not listed"),
                offset: data.len() as u64 + self.base,
            });
        }
        let entry = MboxEntry {
            index: self.index,
            offset: start,
            from_line,
            message: body_start..end,
            next,
            no_blank_before,
            content_length: cl_end.is_some(),
            crlf,
            quoted_lines: self.quoted_seen,
            findings,
        };
        self.pending_no_blank = next_no_blank;
        self.index += 1;
        self.pos = next.max(start + 1);
        Some(entry)
    }
}

/// How many complete lines follow the line ending at `end` (at most 2 counted).
fn lines_after(data: &[u8], end: usize) -> usize {
    let mut n = 0;
    let mut p = end + 1;
    while n < 2 && p <= data.len() {
        match memchr::memchr(b'\n', &data[p..]) {
            Some(e) => {
                n += 1;
                p += e + 1;
            }
            None => break,
        }
    }
    n
}

/// Iterates over the messages of an mbox held in `data` (a memory map or a
/// whole buffer).
#[non_exhaustive]
pub struct MboxSplitter<'a> {
    data: &'a [u8],
    state: SplitState,
}

impl<'a> MboxSplitter<'a> {
    /// Starts splitting at the beginning of `data` (after blank lines that
    /// precede the first `From ` line).
    pub fn new(data: &'a [u8]) -> Self {
        MboxSplitter {
            data,
            state: SplitState::new(),
        }
    }

    /// Formats at most `n` findings for the whole mailbox (default
    /// [`DEFAULT_MAX_FINDINGS`]); the others are only counted, and the last
    /// message gets one `findings_truncated` finding that says how many.
    pub fn max_findings(mut self, n: usize) -> Self {
        self.state.set_max_findings(n);
        self
    }

    /// The split state: finding counts.
    pub fn state(&self) -> &SplitState {
        &self.state
    }
}

impl Iterator for MboxSplitter<'_> {
    type Item = MboxEntry;

    fn next(&mut self) -> Option<MboxEntry> {
        match self.state.step(self.data, true) {
            Step::Entry(e) => Some(e),
            Step::NeedMore | Step::Done => None,
        }
    }
}

/// Undoes mboxrd/mboxo quoting: one `>` is removed from lines matching
/// `^>+From `. Borrowed when there is nothing to undo.
///
/// Finds the quoted lines with `memmem` and copies the bytes between them,
/// rather than walking every line: most lines of a quoted message are not
/// quoted.
pub fn unquote(msg: &[u8]) -> Cow<'_, [u8]> {
    let mut out = Vec::new();
    if unquote_into(msg, &mut out) {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(msg)
    }
}

/// [`unquote`] into a caller's buffer, so that a worker reuses one buffer
/// for every quoted message of a mailbox instead of allocating (and, for
/// large messages, mapping fresh pages) each time. Returns false, with
/// `out` cleared, when there is nothing to undo: then `msg` is the message.
pub fn unquote_into(msg: &[u8], out: &mut Vec<u8>) -> bool {
    out.clear();
    let mut copied = 0;
    let mut changed = false;
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
        if !changed {
            out.reserve(msg.len());
            changed = true;
        }
        out.extend_from_slice(&msg[copied..ls]);
        copied = ls + 1;
    }
    if changed {
        out.extend_from_slice(&msg[copied..]);
    }
    changed
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
        assert!(v[1].quoted_lines && !v[0].quoted_lines);
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
    fn quoted_lines_are_noticed_by_the_split() {
        // The split's flag must agree with what unquoting finds, whatever
        // the position of the quoted line (first body line, header, last
        // line, deeper quoting, not at a line start, CRLF).
        for mbox in [
            &b"From a Mon Jan  1 00:00:00 2001\n>From x\n\nbody\n"[..],
            b"From a Mon Jan  1 00:00:00 2001\nA: 1\n\n>>From x\n\nFrom b Mon Jan  1 00:00:00 2001\nB: 2\n\nz\n",
            b"From a Mon Jan  1 00:00:00 2001\nA: 1\n\nx >From y\nFrom the market\n\nFrom b Mon Jan  1 00:00:00 2001\nB: 2\n\n>From z",
            b"From a Mon Jan  1 00:00:00 2001\r\nA: 1\r\n\r\n>From y\r\n\r\nFrom b Mon Jan  1 00:00:00 2001\r\nB: 2\r\n\r\nq\r\n",
            b"From a Mon Jan  1 00:00:00 2001\nA: 1\n\nFrom x\n>From\n>From \n",
        ] {
            for e in split(mbox) {
                let body = &mbox[e.message.clone()];
                let owned = matches!(unquote(body), Cow::Owned(_));
                assert_eq!(e.quoted_lines, owned, "{:?}", String::from_utf8_lossy(body));
            }
        }
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

    #[test]
    fn body_sentence_does_not_split() {
        // See: issue 12 — words were matched by their prefix ("friend" as Fri).
        let mbox = b"From a@b Mon Jan  1 00:00:00 2024\nA: 1\n\nhi\n\nFrom my friend at 10:30 in 2019 we heard nothing.\nFrom the market on Mar 3 10:00 2019\n";
        let v = split(mbox);
        assert_eq!(v.len(), 1);
        assert_eq!(codes(&v[0]), ["unquoted_from_in_body"; 2]);
    }

    #[test]
    fn header_only_message_keeps_its_own_content_length() {
        // See: issue 12 — a header-only message took the next message's
        // Content-Length and swallowed it.
        let mbox = b"From a Mon Jan  1 00:00:00 2001\nSubject: 1\nFrom b Mon Jan  1 00:00:00 2001\nContent-Length: 2\n\nx\n\nFrom c Mon Jan  1 00:00:00 2001\nA: 3\n\nz\n";
        let v = split(mbox);
        assert_eq!(v.len(), 3, "{v:?}");
        assert_eq!(&mbox[v[0].message.clone()], b"Subject: 1\n");
        assert!(!v[0].content_length);
        assert!(v[1].content_length);
    }

    #[test]
    fn findings_are_capped_and_counted() {
        let mut mbox = b"From a Mon Jan  1 00:00:00 2001\nA: 1\n\n".to_vec();
        for _ in 0..1000 {
            mbox.extend_from_slice(b"From here\n");
        }
        let mut sp = MboxSplitter::new(&mbox).max_findings(10);
        let v: Vec<_> = sp.by_ref().collect();
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].findings.len(), 11);
        assert_eq!(v[0].findings[10].code, "findings_truncated");
        assert!(v[0].findings[10].message.starts_with("990 more"));
        assert_eq!(sp.state().findings_total(), 1000);
        assert_eq!(
            sp.state().finding_counts(),
            [("unquoted_from_in_body", 1000)]
        );
    }

    #[test]
    fn leading_blank_lines_are_skipped() {
        let mbox = b"\n\r\nFrom a Mon Jan  1 00:00:00 2001\nA: 1\n\nx\n";
        assert!(starts_with_from_line(mbox));
        let v = split(mbox);
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].offset, 3);
        assert_eq!(codes(&v[0]), ["leading_blank_lines"]);
        assert!(!starts_with_from_line(b"\n\nSubject: x\n"));
    }

    #[test]
    fn from_line_bytes_are_kept() {
        let mbox = b"From j\xF6rg@x Mon Jan  1 00:00:00 2001\nA: 1\n\nx\n";
        let v = split(mbox);
        assert_eq!(
            &mbox[v[0].from_line.clone()],
            b"From j\xF6rg@x Mon Jan  1 00:00:00 2001"
        );
    }

    /// Offset, From_ line, message, finding codes.
    type Seen = (u64, Vec<u8>, Vec<u8>, Vec<&'static str>);

    /// Splits `data` as a stream arriving `chunk` bytes at a time, compacting
    /// the buffer as messages leave it, and returns what [`split`] returns.
    fn split_streamed(data: &[u8], chunk: usize) -> Vec<Seen> {
        let mut st = SplitState::new();
        let mut buf = Vec::new();
        let mut fed = 0;
        let mut out = Vec::new();
        loop {
            let eof = fed == data.len();
            match st.step(&buf, eof) {
                Step::Entry(e) => {
                    let base = st.base;
                    out.push((
                        base + e.offset as u64,
                        buf[e.from_line.clone()].to_vec(),
                        buf[e.message.clone()].to_vec(),
                        e.findings.iter().map(|f| f.code).collect(),
                    ));
                    let done = st.pos;
                    buf.drain(..done);
                    st.consume(done);
                }
                Step::NeedMore => {
                    let n = chunk.min(data.len() - fed);
                    buf.extend_from_slice(&data[fed..fed + n]);
                    fed += n;
                }
                Step::Done => return out,
            }
        }
    }

    fn split_whole(data: &[u8]) -> Vec<Seen> {
        split(data)
            .into_iter()
            .map(|e| {
                (
                    e.offset as u64,
                    data[e.from_line.clone()].to_vec(),
                    data[e.message.clone()].to_vec(),
                    e.findings.iter().map(|f| f.code).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn streamed_split_equals_whole_split() {
        let body = "x\nFrom a Mon Jan  1 00:00:00 2001\ny\n";
        let cases: Vec<Vec<u8>> = vec![
            b"From a@b Mon Jan  1 00:00:00 2001\nSubject: 1\n\nbody\n\nFrom c@d Mon Jan  1 00:00:00 2001\nSubject: 2\n\n>From x\n".to_vec(),
            b"\nFrom 1 Mon Sep 17 00:00:00 2001\nA: 1\n\nx\nFrom 2 Mon Sep 17 00:00:00 2001\nA: 2\n\ny".to_vec(),
            b"From - \nA: 1\n\nx\nFrom - \nA: 2\n\ny\nFrom here\nBut: no.\nThe end.\n".to_vec(),
            format!("From a Mon Jan  1 00:00:00 2001\nContent-Length: {}\n\n{body}\nFrom b Mon Jan  1 00:00:00 2001\nA: 2\n\nz\n", body.len()).into_bytes(),
            b"From a Mon Jan  1 00:00:00 2001\r\nA: 1\r\n\r\nx\r\n\r\nFrom b Mon Jan  1 00:00:00 2001\r\nA: 2\r\n\r\ny\r\n".to_vec(),
            b"From a Mon Jan  1 00:00:00 2001\nSubject: 1\nFrom b Mon Jan  1 00:00:00 2001\nContent-Length: 2\n\nx\n\nFrom c Mon Jan  1 00:00:00 2001\nA: 3\n\nz\n".to_vec(),
        ];
        for data in cases {
            let whole = split_whole(&data);
            for chunk in [1, 2, 3, 7, 64, 4096] {
                assert_eq!(
                    split_streamed(&data, chunk),
                    whole,
                    "chunk {chunk}: {}",
                    String::from_utf8_lossy(&data)
                );
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        /// Mailboxes made of the lines that make splitting hard: the stream
        /// splitter, fed in chunks, finds what the slice splitter finds.
        #[test]
        fn streamed_split_equals_whole_split_on_random_mailboxes(
            lines in proptest::collection::vec(0usize..12, 0..40),
            chunk in 1usize..50,
        ) {
            const L: [&str; 12] = [
                "From a@b Mon Jan  1 00:00:00 2001\n",
                "From - \n",
                "From here on\n",
                "Subject: x\n",
                "Content-Length: 3\n",
                "Content-Length: 0\n",
                "\n",
                "\r\n",
                ">From q\n",
                "body text\n",
                " folded\n",
                "From a Mon Jan  1 00:00:00 2001\r\n",
            ];
            let data: Vec<u8> = lines.iter().flat_map(|&i| L[i].bytes()).collect();
            proptest::prop_assert_eq!(split_streamed(&data, chunk), split_whole(&data));
        }
    }
}
