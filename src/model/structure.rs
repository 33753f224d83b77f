//! The MIME structure of a message, found over the input bytes.
//!
//! RFC 2046 §5.1.1, exactly: a delimiter is a line that starts with `--` and
//! the boundary, optionally followed by `--` (the close delimiter), then only
//! transport padding (spaces and tabs) before the line end or the end of
//! input. Nothing else is a delimiter: not mid-line, not after white space,
//! not `--boundaryX` for the boundary `boundary`. A delimiter of any enclosing
//! multipart ends every entity opened inside it (inner multiparts, attached
//! messages and leaves alike), so a broken inner part never swallows its
//! siblings.
//!
//! The walk is iterative, with an explicit stack: nesting depth costs heap,
//! never thread stack. Each byte of a body is looked at by one `--` search,
//! which finds the delimiter lines and, in the same pass, the boundary
//! strings that lenient parsers split at mid-line; each candidate costs at
//! most two hash lookups or one comparison. Where a
//! lenient parser would see a different structure, a finding says so (see
//! LENIENCY.md).

use super::field::{self, HeaderEnd};
use super::header;
use super::{Finding, Limits, Offsets, Part, PartKind};
use memchr::memmem;
use std::collections::HashMap;

/// Most findings of one code per message; then one summary finding.
const MAX_FINDINGS_PER_CODE: usize = 50;

/// One entity that is still open (its end not yet known).
struct Open {
    part: usize,
    /// The boundary, while the multipart takes delimiters.
    boundary: Option<Vec<u8>>,
    /// Children so far (for their ids).
    children: usize,
    /// Where the close delimiter line ended, for the epilogue checks.
    closed_at: Option<usize>,
    /// Where the first delimiter line started (end of the preamble).
    first_delimiter: Option<usize>,
    /// For a leaf in a multipart: where its parent's `--boundary` appears
    /// not at a line start (at most one more than are reported).
    midline: Vec<usize>,
}

/// A delimiter line.
struct Delimiter {
    line_start: usize,
    line_next: usize,
    /// Index into the open stack of the multipart it belongs to.
    owner: usize,
    close: bool,
}

/// Findings with a cap per code, so that a hostile message with a million
/// odd lines costs a counter, not a million strings.
pub(crate) struct Findings {
    pub list: Vec<Finding>,
    counts: HashMap<&'static str, usize>,
}

impl Findings {
    pub fn new() -> Findings {
        Findings {
            list: Vec::new(),
            counts: HashMap::new(),
        }
    }

    /// Adds a finding unless its code already reached the cap.
    pub fn push(&mut self, f: Finding) {
        let n = self.counts.entry(f.code).or_insert(0);
        *n += 1;
        if *n <= MAX_FINDINGS_PER_CODE {
            self.list.push(f);
        }
    }

    /// Appends one summary per capped code.
    pub fn finish(mut self) -> Vec<Finding> {
        let mut capped: Vec<(&'static str, usize)> = self
            .counts
            .iter()
            .filter(|(_, &n)| n > MAX_FINDINGS_PER_CODE)
            .map(|(&c, &n)| (c, n))
            .collect();
        capped.sort_unstable();
        for (code, n) in capped {
            self.list.push(Finding::new(
                "finding_limit",
                format!(
                    "{n} findings of code {code}; only the first {MAX_FINDINGS_PER_CODE} are listed"
                ),
            ));
        }
        self.list
    }
}

struct Walker<'a, 'l> {
    raw: &'a [u8],
    base: u64,
    limits: &'l Limits,
    parts: Vec<Part<'a>>,
    stack: Vec<Open>,
    /// Boundary → indices into `stack` of the multiparts using it,
    /// innermost last.
    active: HashMap<Vec<u8>, Vec<usize>>,
    findings: Findings,
    part_limit_hit: bool,
    /// The `--` searcher, built once per message.
    dashes: memmem::Finder<'static>,
}

/// Parses the structure of `raw`. With `headers_only`, only the top-level
/// header block is read (the body is one opaque entity).
pub(crate) fn parse<'a>(
    raw: &'a [u8],
    base: u64,
    limits: &Limits,
    headers_only: bool,
) -> (Vec<Part<'a>>, Vec<Finding>) {
    let mut w = Walker {
        raw,
        base,
        limits,
        parts: Vec::new(),
        stack: Vec::new(),
        active: HashMap::new(),
        findings: Findings::new(),
        part_limit_hit: false,
        dashes: memmem::Finder::new(b"--"),
    };
    // A UTF-8 byte-order mark before the first field (saved by some Windows
    // tools) is not part of the field name; GMime and MIME-tools skip it too.
    let start = if raw.starts_with(b"\xEF\xBB\xBF") {
        w.findings.push(
            Finding::new(
                "byte_order_mark",
                "a UTF-8 byte-order mark opens the message; it was skipped",
            )
            .at(Some(base)),
        );
        3
    } else {
        0
    };
    let mut pos = w.open_entity(start, None, headers_only);
    if !headers_only {
        while let Some(d) = w.next_delimiter(pos) {
            pos = w.on_delimiter(d);
        }
    }
    w.close_above(0, raw.len(), None);
    (w.parts, w.findings.finish())
}

impl<'a> Walker<'a, '_> {
    fn abs(&self, pos: usize) -> u64 {
        self.base + pos as u64
    }

    /// Whether the line at `ls` is a delimiter of an open multipart.
    fn delimiter_at(&self, ls: usize) -> Option<Delimiter> {
        if self.active.is_empty() {
            return None;
        }
        let (end, next) = field::line_at(self.raw, ls);
        let line = &self.raw[ls..end];
        let rest = line.strip_prefix(b"--")?;
        let mut t = rest;
        while let [head @ .., b' ' | b'\t'] = t {
            t = head;
        }
        if let Some(&owner) = self.active.get(t).and_then(|v| v.last()) {
            return Some(Delimiter {
                line_start: ls,
                line_next: next,
                owner,
                close: false,
            });
        }
        let inner = t.strip_suffix(b"--")?;
        let &owner = self.active.get(inner).and_then(|v| v.last())?;
        Some(Delimiter {
            line_start: ls,
            line_next: next,
            owner,
            close: true,
        })
    }

    /// The innermost boundary still taking delimiters.
    fn innermost_boundary(&self) -> Option<&[u8]> {
        self.stack.iter().rev().find_map(|o| o.boundary.as_deref())
    }

    /// The next delimiter line at or after `pos` (a line start). Every `--`
    /// is a candidate: at a line start it may be a delimiter; mid-line it
    /// is noted when the open leaf's own boundary follows (see
    /// [`Walker::note_midline`]).
    fn next_delimiter(&mut self, mut pos: usize) -> Option<Delimiter> {
        if self.active.is_empty() {
            return None;
        }
        loop {
            if pos > self.raw.len() {
                return None;
            }
            let at = pos + self.dashes.find(&self.raw[pos..])?;
            if at == 0 || self.raw[at - 1] == b'\n' {
                if let Some(d) = self.delimiter_at(at) {
                    return Some(d);
                }
                self.check_prefix_line(at);
            } else {
                self.note_midline(at);
            }
            pos = at + 1;
        }
    }

    /// A `--` at `at`, not at a line start: when the parent boundary of the
    /// leaf being read follows, the position is kept for the leaf's
    /// `boundary_not_at_line_start` findings (made when it closes).
    fn note_midline(&mut self, at: usize) {
        let Some(top) = self.stack.last() else {
            return;
        };
        if top.midline.len() > MAX_FINDINGS_PER_CODE {
            return;
        }
        let leaf = &self.parts[top.part];
        if leaf.kind != PartKind::Leaf || at < leaf.body_start {
            return;
        }
        let Some(b) = leaf.parent.and_then(|p| self.parts[p].boundary.as_deref()) else {
            return;
        };
        if self.raw[at + 2..].starts_with(b) {
            if let Some(top) = self.stack.last_mut() {
                top.midline.push(at);
            }
        }
    }

    /// A line that starts with the innermost delimiter but goes on is not a
    /// delimiter; some parsers take it as one.
    fn check_prefix_line(&mut self, ls: usize) {
        let Some(b) = self.innermost_boundary() else {
            return;
        };
        if self.raw[ls + 2..].starts_with(b) {
            let b = String::from_utf8_lossy(b).into_owned();
            let f = Finding::new(
                "boundary_prefix_line",
                format!("a line starts with the delimiter \"--{b}\" but goes on: not a delimiter (RFC 2046 §5.1.1), though some parsers read one"),
            )
            .at(Some(self.abs(ls)));
            self.findings.push(f);
        }
    }

    /// The end of an entity's body before a delimiter line at `ls`: the line
    /// break before the delimiter belongs to the delimiter (RFC 2046).
    fn end_before(&self, ls: usize, body_start: usize) -> usize {
        let mut e = ls;
        if e > body_start && self.raw[e - 1] == b'\n' {
            e -= 1;
            if e > body_start && self.raw[e - 1] == b'\r' {
                e -= 1;
            }
        }
        e.max(body_start)
    }

    /// Closes every open entity above stack index `keep` at delimiter line
    /// `ls` (or at the end of input when `ls` is the input length and
    /// `by` is None).
    fn close_above(&mut self, keep: usize, ls: usize, by: Option<usize>) {
        while self.stack.len() > keep {
            let Some(o) = self.stack.pop() else { break };
            let body_start = self.parts[o.part].body_start;
            let end = if by.is_some() {
                self.end_before(ls, body_start)
            } else {
                self.raw.len()
            };
            self.finish(o, end, by);
        }
    }

    /// Stops taking delimiters of `boundary` for the multipart at stack
    /// index `at` (closed, or ended by an enclosing delimiter).
    fn deactivate(&mut self, boundary: &[u8], at: usize) {
        if let Some(v) = self.active.get_mut(boundary) {
            v.retain(|&i| i != at);
            if v.is_empty() {
                self.active.remove(boundary);
            }
        }
    }

    /// Sets an entity's end and makes the checks that need it.
    fn finish(&mut self, o: Open, end: usize, ended_by: Option<usize>) {
        if let Some(b) = &o.boundary {
            self.deactivate(b, self.stack.len());
        }
        let part = &mut self.parts[o.part];
        part.end = end.max(part.body_start);
        part.size_encoded = part.end - part.body_start;
        part.offsets = Some(Offsets {
            header: self.base + part.header_start as u64,
            body: self.base + part.body_start as u64,
            end: self.base + part.end as u64,
        });
        let kind = part.kind;
        if kind != PartKind::Multipart {
            if kind == PartKind::Leaf {
                self.midline_findings(o.part, &o.midline);
            }
            return;
        }
        // Taken out while the checks run (and put back): the findings need
        // `self` mutably, and a copy per multipart is not needed.
        let Some(boundary) = self.parts[o.part].boundary.take() else {
            return;
        };
        self.multipart_findings(&o, &boundary, end, ended_by);
        self.parts[o.part].boundary = Some(boundary);
    }

    /// The checks of a multipart that ends at `end`. The part id and the
    /// boundary's text are only copied for a finding: most multiparts have
    /// none.
    fn multipart_findings(
        &mut self,
        o: &Open,
        boundary: &[u8],
        end: usize,
        ended_by: Option<usize>,
    ) {
        let body_start = self.parts[o.part].body_start;
        let bname = || String::from_utf8_lossy(boundary);
        if o.closed_at.is_none() && o.boundary.is_some() {
            let (code, how) = match ended_by {
                Some(_) => (
                    "unclosed_multipart",
                    "ends at a delimiter of an enclosing multipart",
                ),
                None => ("missing_closing_boundary", "runs to the end of the message"),
            };
            let f = Finding::new(
                code,
                format!(
                    "multipart has no closing delimiter \"--{}--\"; it {how}",
                    bname()
                ),
            )
            .part(&self.parts[o.part].id)
            .at(Some(self.abs(end)));
            self.findings.push(f);
        }
        let pre_end = o.first_delimiter.unwrap_or(end).min(end);
        if self.raw[body_start..pre_end.max(body_start)]
            .iter()
            .any(|b| !b.is_ascii_whitespace())
        {
            let msg = if o.first_delimiter.is_none() {
                "the multipart has no delimiter at all: its whole body is preamble"
            } else {
                "text before the first delimiter (preamble)"
            };
            let f = Finding::new("preamble", msg)
                .part(&self.parts[o.part].id)
                .at(Some(self.abs(body_start)));
            self.findings.push(f);
        }
        if o.children == 0 {
            let f = Finding::new("empty_multipart", "a multipart with no parts")
                .part(&self.parts[o.part].id)
                .at(Some(self.abs(body_start)));
            self.findings.push(f);
        }
        let Some(c) = o.closed_at else {
            return;
        };
        let epilogue = &self.raw[c.min(end)..end];
        // An epilogue of white space holds neither content nor a delimiter.
        if !epilogue.iter().any(|b| !b.is_ascii_whitespace()) {
            return;
        }
        let f = Finding::new(
            "content_after_closing_boundary",
            format!("{} bytes after the closing delimiter", epilogue.len()),
        )
        .part(&self.parts[o.part].id)
        .at(Some(self.abs(c)));
        self.findings.push(f);
        let mut pat = b"--".to_vec();
        pat.extend_from_slice(boundary);
        let after = memmem::find_iter(epilogue, &pat).find(|&i| i == 0 || epilogue[i - 1] == b'\n');
        if let Some(i) = after {
            let f = Finding::new(
                "part_after_close",
                format!("a delimiter \"--{}\" after the close delimiter: the parts after it are epilogue, which some parsers read as parts", bname()),
            )
            .part(&self.parts[o.part].id)
            .at(Some(self.abs(c + i)));
            self.findings.push(f);
        }
    }

    /// A delimiter-like string inside a leaf that is not at a line start:
    /// RFC 2046 ignores it, lenient parsers split there. `hits` are the
    /// positions [`Walker::note_midline`] kept.
    fn midline_findings(&mut self, leaf: usize, hits: &[usize]) {
        let Some(b) = self.parts[leaf]
            .parent
            .and_then(|p| self.parts[p].boundary.as_deref())
        else {
            return;
        };
        if hits.is_empty() {
            return;
        }
        let id = self.parts[leaf].id.clone();
        let bname = String::from_utf8_lossy(b).into_owned();
        let s = self.parts[leaf].body_start;
        for &at in hits {
            let line_start = self.raw[s..at]
                .iter()
                .rposition(|&c| c == b'\n')
                .map_or(s, |p| s + p + 1);
            let after_space = self.raw[line_start..at]
                .iter()
                .all(|&c| c == b' ' || c == b'\t');
            let f = Finding::new(
                "boundary_not_at_line_start",
                format!(
                    "\"--{bname}\" {} is not a delimiter (RFC 2046 §5.1.1), though some parsers split there",
                    if after_space { "after white space" } else { "inside a line" }
                ),
            )
            .part(&id)
            .at(Some(self.abs(at)));
            self.findings.push(f);
        }
    }

    /// Handles a delimiter: closes what it ends and opens the next part.
    /// Returns where the search goes on.
    fn on_delimiter(&mut self, d: Delimiter) -> usize {
        self.close_above(d.owner + 1, d.line_start, Some(d.line_start));
        let o = &mut self.stack[d.owner];
        o.first_delimiter.get_or_insert(d.line_start);
        if d.close {
            o.closed_at = Some(d.line_next);
            if let Some(b) = o.boundary.take() {
                self.deactivate(&b, d.owner);
            }
            return d.line_next;
        }
        self.open_entity(d.line_next, Some(d.owner), false)
    }

    /// Reads the entity starting at `start` (child of the open multipart at
    /// stack index `parent`, or the top entity), pushes it and, for an
    /// attached message, the entities of its body, iteratively. Returns
    /// where the delimiter search goes on.
    fn open_entity(&mut self, start: usize, parent: Option<usize>, headers_only: bool) -> usize {
        let mut start = start;
        let mut parent = parent;
        loop {
            if self.parts.len() >= self.limits.max_parts {
                if !self.part_limit_hit {
                    self.part_limit_hit = true;
                    self.findings.push(
                        Finding::new(
                            "part_limit",
                            format!(
                                "more than {} parts; the rest are not listed",
                                self.limits.max_parts
                            ),
                        )
                        .at(Some(self.abs(start))),
                    );
                }
                return start;
            }
            let scan = {
                let this = &*self;
                field::scan(this.raw, start, this.base, this.limits.max_headers, |ls| {
                    this.delimiter_at(ls).is_some()
                })
            };
            let parent_part = parent.map(|i| self.stack[i].part);
            let parent_type = parent_part.map(|p| self.parts[p].content_type.as_str());
            let info = header::part_info(&scan.fields, parent_type);
            let depth = match parent_part {
                Some(p) => self.parts[p].depth + 1,
                None => 0,
            };
            let ct = info.content_type.as_str();
            let boundary = info
                .params
                .iter()
                .find(|p| p.name == "boundary")
                .map(|p| p.value.trim_end_matches([' ', '\t']).as_bytes().to_vec())
                .filter(|b| !b.is_empty());
            let mut kind = if ct.starts_with("multipart/") {
                PartKind::Multipart
            } else if is_message_type(ct) {
                PartKind::Message
            } else {
                PartKind::Leaf
            };
            let mut content_type = info.content_type.clone();
            let mut later: Vec<(&'static str, String)> = Vec::new();
            if kind == PartKind::Multipart && boundary.is_none() {
                later.push((
                    "multipart_without_boundary",
                    format!("{ct} without a usable boundary parameter: read as text/plain (RFC 2046 §5.1.1 requires one)"),
                ));
                kind = PartKind::Leaf;
                content_type = "text/plain".to_string();
            }
            let encoded_message = kind == PartKind::Message
                && !matches!(
                    info.transfer_encoding.as_deref(),
                    None | Some("7bit" | "8bit" | "binary" | "")
                );
            if encoded_message {
                later.push((
                    "encoded_message",
                    format!(
                        "{ct} with Content-Transfer-Encoding {}: RFC 2046 §5.2.1 allows only 7bit, 8bit or binary; read as an opaque attachment",
                        info.transfer_encoding.as_deref().unwrap_or("")
                    ),
                ));
                kind = PartKind::Leaf;
            }
            let id = self.child_id(parent, kind);
            let me = self.parts.len();
            let mut later: Vec<Finding> = later
                .into_iter()
                .map(|(code, msg)| Finding::new(code, msg).part(&id).at(Some(self.abs(start))))
                .collect();
            self.header_findings(&scan, &id, start, parent_part);
            for &(field, at) in &info.missing_semicolon {
                later.push(
                    Finding::new(
                        "param_without_semicolon",
                        format!(
                            "{field}: a parameter follows the value without `;` (RFC 2045 §5.1 requires one); read as a parameter, while a strict parser sees an invalid field and ignores it (for a multipart: no boundary, so no parts)"
                        ),
                    )
                    .part(&id)
                    .at(Some(at)),
                );
            }
            if info.params_dropped > 0 {
                later.push(
                    Finding::new(
                        "param_limit",
                        format!(
                            "{} MIME parameters past the limit of {} were not read",
                            info.params_dropped,
                            super::params::MAX_PARAMS
                        ),
                    )
                    .part(&id)
                    .at(Some(self.abs(start))),
                );
            }
            let names: Vec<&str> = info
                .filename_candidates
                .iter()
                .map(|c| c.value.as_str())
                .collect();
            if names.windows(2).any(|w| w[0] != w[1]) {
                later.push(
                    Finding::new(
                        "conflicting_filenames",
                        format!("file-name candidates disagree: {names:?}"),
                    )
                    .part(&id)
                    .at(Some(self.abs(start))),
                );
            }
            let too_deep = kind != PartKind::Leaf && depth >= self.limits.max_depth;
            if too_deep {
                later.push(
                    Finding::new(
                        "depth_limit",
                        format!(
                            "nesting deeper than {} levels; inner parts are not listed",
                            self.limits.max_depth
                        ),
                    )
                    .part(&id)
                    .at(Some(self.abs(scan.body_start))),
                );
            }
            for f in later {
                self.findings.push(f);
            }
            let take_boundary = kind == PartKind::Multipart && !too_deep && !headers_only;
            self.parts.push(Part {
                id,
                depth,
                kind,
                content_type,
                content_type_declared: info.content_type_declared,
                params: info.params,
                disposition: info.disposition,
                filename: info.filename,
                filename_candidates: info.filename_candidates,
                transfer_encoding: info.transfer_encoding,
                charset: info.charset,
                content_id: info.content_id,
                description: info.description,
                size_encoded: 0,
                offsets: None,
                parent: parent_part,
                headers: scan.fields,
                header_start: start,
                body_start: scan.body_start,
                end: scan.body_start,
                boundary: if kind == PartKind::Multipart {
                    boundary.clone()
                } else {
                    None
                },
                raw: self.raw,
                text: Default::default(),
                clean: Default::default(),
                len: Default::default(),
            });
            if let Some(p) = parent {
                self.stack[p].children += 1;
            }
            let stack_index = self.stack.len();
            let active_boundary = if take_boundary { boundary } else { None };
            if let Some(b) = &active_boundary {
                self.active.entry(b.clone()).or_default().push(stack_index);
            }
            self.stack.push(Open {
                part: me,
                boundary: active_boundary,
                children: 0,
                closed_at: None,
                first_delimiter: None,
                midline: Vec::new(),
            });
            if scan.end == HeaderEnd::Delimiter || headers_only {
                return scan.body_start;
            }
            if kind == PartKind::Message && !too_deep {
                // The attached message's own header block starts its body.
                start = scan.body_start;
                parent = Some(stack_index);
                continue;
            }
            return scan.body_start;
        }
    }

    /// The IMAP section number of a new entity.
    fn child_id(&mut self, parent: Option<usize>, kind: PartKind) -> String {
        let leaf_or_root = |prefix: &str| match kind {
            PartKind::Multipart => format!("{prefix}0"),
            _ => format!("{prefix}1"),
        };
        let Some(p) = parent else {
            return leaf_or_root("");
        };
        let part = &self.parts[self.stack[p].part];
        if part.kind == PartKind::Message {
            return leaf_or_root(&format!("{}.", part.id));
        }
        let n = self.stack[p].children + 1;
        match part.id.strip_suffix('0') {
            Some(pre) if pre.is_empty() || pre.ends_with('.') => format!("{pre}{n}"),
            _ => format!("{}.{n}", part.id),
        }
    }

    /// Findings about how a header block ended.
    fn header_findings(
        &mut self,
        scan: &field::HeaderScan<'_>,
        id: &str,
        start: usize,
        parent: Option<usize>,
    ) {
        let in_message = parent.is_some_and(|p| self.parts[p].kind == PartKind::Message);
        if scan.fields.is_empty() && scan.end == HeaderEnd::BodyLine {
            let (code, msg) = if parent.is_none() {
                (
                    "no_headers",
                    "no header fields found: the whole input is read as a text body",
                )
            } else if in_message {
                (
                    "message_without_header",
                    "an attached message whose body does not start with a header field",
                )
            } else {
                (
                    "part_without_header",
                    "a body part that starts without header fields or an empty line",
                )
            };
            let mut msg = msg.to_string();
            if parent.is_some() {
                // Where the lines after the first one form a header section
                // (fields, then an empty line), GMime and MIME-tools skip the
                // first line and read those fields as the entity's header: a
                // different part (type, file name, body). Say so. The look
                // ahead stays inside this entity (up to its empty line or an
                // enclosing delimiter) and runs once per such entity, so the
                // parse stays linear.
                let next = field::line_at(self.raw, start).1;
                let this = &*self;
                let look = field::scan(this.raw, next, this.base, this.limits.max_headers, |ls| {
                    this.delimiter_at(ls).is_some()
                });
                if !look.fields.is_empty() && look.end == HeaderEnd::Blank {
                    let ct = look.fields.iter().find(|f| f.is("Content-Type")).map(|f| {
                        // Quoted, not whole: a field can be 1 MiB long.
                        let v = f.raw_value();
                        String::from_utf8_lossy(&v[..v.len().min(200)]).into_owned()
                    });
                    msg = format!(
                        "{msg}; parsers that skip that line (GMime, MIME-tools) read the {} header field(s) after it as this entity's header{}",
                        look.fields.len(),
                        ct.map(|c| format!(" (Content-Type: {c})")).unwrap_or_default()
                    );
                }
            }
            self.findings
                .push(Finding::new(code, msg).part(id).at(Some(self.abs(start))));
        }
        if let Some(o) = scan.dropped_line {
            self.findings.push(
                Finding::new(
                    "body_in_header",
                    "a line that is neither a header field nor a continuation inside the header section was skipped (a parser that ends the section there sees a different body)",
                )
                .part(id)
                .at(Some(self.abs(o))),
            );
        }
        // A bare CR is not a line end (RFC 5322 §2.2, §2.3): the field goes
        // on to the next LF. Python's `email` ends lines there and reads
        // the text after it as more fields (or the body): a different
        // header. One memchr pass over the header block.
        let block = &self.raw[start..scan.body_start.max(start)];
        if let Some(i) =
            memchr::memchr_iter(b'\r', block).find(|&i| block.get(i + 1) != Some(&b'\n'))
        {
            self.findings.push(
                Finding::new(
                    "bare_cr_in_header",
                    "a bare CR (not followed by LF) in the header section: not a line end (RFC 5322 §2.2), so the field runs on to the next LF; a parser that ends lines at a bare CR reads the text after it as more fields",
                )
                .part(id)
                .at(Some(self.abs(start + i))),
            );
        }
        if let Some(o) = scan.envelope_line {
            self.findings.push(
                Finding::new(
                    "envelope_line",
                    "an mbox `From ` envelope line opens the header section; it is not a header field and was skipped",
                )
                .part(id)
                .at(Some(self.abs(o))),
            );
        }
        if let Some(o) = scan.orphan_continuation {
            self.findings.push(
                Finding::new(
                    "orphan_continuation",
                    "a folded line with no header field before it was ignored",
                )
                .part(id)
                .at(Some(self.abs(o))),
            );
        }
        if scan.dropped_fields > 0 {
            self.findings.push(
                Finding::new(
                    "header_limit",
                    format!(
                        "more than {} header fields; {} more are not listed",
                        self.limits.max_headers, scan.dropped_fields
                    ),
                )
                .part(id)
                .at(Some(self.abs(start))),
            );
        }
    }
}

/// Types whose body is a message (RFC 2046 §5.2.1, RFC 6532 §3.7).
fn is_message_type(ct: &str) -> bool {
    matches!(ct, "message/rfc822" | "message/global" | "message/news")
}

#[cfg(test)]
mod tests {
    use crate::model::{parse, PartKind};
    use proptest::prelude::*;

    /// Mail-like pieces, so that random messages hit delimiters, nested
    /// multiparts, attached messages and broken header blocks often.
    const PIECES: &[&[u8]] = &[
        b"Content-Type: multipart/mixed; boundary=a\n",
        b"Content-Type: multipart/alternative; boundary=\"b\"\r\n",
        b"Content-Type: message/rfc822\n",
        b"Content-Type: multipart/digest; boundary=a\n",
        b"Content-Transfer-Encoding: base64\n",
        b"Content-Transfer-Encoding: quoted-printable\n",
        b"Subject: =?utf-8?q?x=C3?= =?iso-2022-jp?b?GyRC?=\n",
        b"From: <@r:a@b>\n",
        b"\n",
        b"\r\n",
        b"--a\n",
        b"--a--\n",
        b"--b\r\n",
        b"--b--  \r\n",
        b" --a\n",
        b"x --a y\n",
        b"--ab\n",
        b"QUJD=\n",
        b"=4\n",
        b"text\n",
        b"\xEF\xBB\xBF",
        b"From x\n",
        b"-",
        b"\r",
    ];

    fn codes(m: &crate::model::Message<'_>) -> Vec<(&'static str, Option<u64>)> {
        m.findings().iter().map(|f| (f.code, f.offset)).collect()
    }

    /// `Content-Type: multipart/mixed` + folded `boundary=` without `;`:
    /// the parts are read (nothing hidden) and the missing `;` is a finding
    /// at the field, since a strict parser sees no boundary and no parts.
    #[test]
    fn a_parameter_without_semicolon_is_read_with_a_finding() {
        let raw = b"Subject: s\nContent-Type: multipart/mixed\n\tboundary=\"b\"\n\n--b\nContent-Type: image/png\nContent-Disposition: ;\n filename=\"i.png\"\nContent-Transfer-Encoding: base64\n\naGk=\n--b--\n";
        let m = parse(raw, 0, crate::model::Scope::Full).expect("parses");
        assert_eq!(m.parts.len(), 2);
        assert_eq!(m.parts[1].filename.as_deref(), Some("i.png"));
        assert!(
            codes(&m).contains(&("param_without_semicolon", Some(11))),
            "{:?}",
            codes(&m)
        );
        let ok =
            b"Subject: s\nContent-Type: multipart/mixed;\n\tboundary=\"b\"\n\n--b\n\nx\n--b--\n";
        let m = parse(ok, 0, crate::model::Scope::Full).expect("parses");
        assert!(!codes(&m).iter().any(|c| c.0 == "param_without_semicolon"));
    }

    /// Bare CRs are not line ends (RFC 5322 §2.2): one From field, whose
    /// address is read up to the first bare CR, and a finding at that CR.
    #[test]
    fn bare_cr_in_a_header_is_a_finding_and_ends_the_address() {
        let raw =
            b"From: Alice Example <alice@example.org>\rTo: bob@example.net\rSubject: x\r\rbody\r";
        let m = parse(raw, 0, crate::model::Scope::Full).expect("parses");
        assert_eq!(m.from_address().as_deref(), Some("alice@example.org"));
        assert_eq!(m.subject(), None);
        assert!(
            codes(&m).contains(&("bare_cr_in_header", Some(39))),
            "{:?}",
            codes(&m)
        );
        let crlf = b"From: a@example.org\r\nSubject: x\r\n\r\nbody\rmore\r\n";
        let m = parse(crlf, 0, crate::model::Scope::Full).expect("parses");
        assert!(!codes(&m).iter().any(|c| c.0 == "bare_cr_in_header"));
    }

    /// A body part whose first line is not a field has no header (the line
    /// starts its body, as Python's `email` reads it); when header fields
    /// and an empty line follow, the finding says that GMime and MIME-tools
    /// read those as the part's header instead.
    #[test]
    fn a_part_opening_with_a_non_field_line_names_the_other_reading() {
        let raw = b"Content-Type: multipart/mixed; boundary=b\n\n--b\nnot a header\nContent-Type: application/octet-stream; name=y.bin\n\nsecret\n--b\nplain text\nsecond\n--b--\n";
        let m = parse(raw, 0, crate::model::Scope::Full).expect("parses");
        let kinds: Vec<&str> = m.parts.iter().map(|p| p.content_type.as_str()).collect();
        assert_eq!(kinds, ["multipart/mixed", "text/plain", "text/plain"]);
        let msgs: Vec<&str> = m
            .findings()
            .iter()
            .filter(|f| f.code == "part_without_header")
            .map(|f| f.message.as_str())
            .collect();
        assert_eq!(msgs.len(), 2, "{msgs:?}");
        assert!(
            msgs[0].contains("read the 1 header field(s) after it")
                && msgs[0].contains("application/octet-stream; name=y.bin"),
            "{}",
            msgs[0]
        );
        assert!(!msgs[1].contains("GMime"), "{}", msgs[1]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        /// Any sequence of pieces parses without a panic, every offset lies
        /// in the input, parents come first, and every accessor works.
        #[test]
        fn random_messages_hold_the_invariants(idx in proptest::collection::vec(0usize..24, 0..60)) {
            let raw: Vec<u8> = idx.iter().flat_map(|&i| PIECES[i].iter().copied()).collect();
            let Ok(m) = parse(&raw, 7, crate::model::Scope::Full) else { return Ok(()) };
            for (i, p) in m.parts.iter().enumerate() {
                let o = p.offsets.expect("every part has offsets after the parse");
                prop_assert!(7 <= o.header && o.header <= o.body && o.body <= o.end);
                prop_assert!(o.end <= 7 + raw.len() as u64);
                if let Some(q) = p.parent {
                    prop_assert!(q < i);
                    prop_assert!(m.parts[q].kind != PartKind::Leaf);
                }
                let _ = (p.decoded(), p.text(), p.decoded_size(), p.sha256());
            }
            let _ = (m.findings(), m.subject(), m.date(), m.text(), m.attachments());
            let _ = (m.from_addresses(), m.text_bodies(), m.html_bodies());
        }
    }
}
