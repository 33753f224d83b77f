//! Our stable view of a parsed message, over `mail_parser::Message`.
//!
//! [`Parsed`] owns the mail-parser result for one message; [`Parsed::tree`]
//! walks it into a flat, pre-order list of [`Part`]s named by IMAP section
//! numbers (RFC 3501 §6.4.5), with names, sizes and byte ranges.
//!
//! Part ids: a message whose body is a single part has that part as `1`; a
//! message whose body is multipart has its root multipart as `0` and the
//! children as `1`, `2`, … Inside an attached message/rfc822 with id `X`, the
//! same rule applies with the prefix `X.`: its multipart root is `X.0`, its
//! parts `X.1`, `X.2`, …; a single-part body is `X.1`.

pub mod charset;
pub mod date;
pub mod encoded_word;
mod finding;
pub mod header;
pub mod params;
pub mod transfer;

pub use finding::Finding;

use mail_parser::{HeaderName, Message, MessageParser, MessagePart, PartType};
use std::borrow::Cow;
use transfer::TransferEncoding;

/// Limits that keep hostile input from exhausting memory or time. The
/// defaults are far above what real mail reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Deepest MIME nesting walked (multiparts and attached messages).
    /// Default 100.
    pub max_depth: usize,
    /// Most parts listed per message. Default 10,000.
    pub max_parts: usize,
    /// Most header fields exported per message. Default 10,000.
    pub max_headers: usize,
    /// Longest header field value exported, in bytes; longer values are cut
    /// (with a `header_too_long` finding). Default 1 MiB.
    pub max_header_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 100,
            max_parts: 10_000,
            max_headers: 10_000,
            max_header_bytes: 1 << 20,
        }
    }
}

/// Why a byte sequence could not be used as a message at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// Zero bytes.
    #[error("empty input")]
    Empty,
    /// Looks like binary data rather than mail.
    #[error("not a message: binary data (NUL byte at offset {0} before any header field)")]
    Binary(usize),
}

/// One parsed message and the bytes it borrows from.
pub struct Parsed<'a> {
    /// The mail-parser result.
    pub message: Message<'a>,
    /// The message bytes as given.
    pub raw: &'a [u8],
    /// Offset of `raw` inside the whole input (for mailbox members).
    pub base: u64,
    /// True when no header field was found: the whole input is the body
    /// (as Python's email package reads such text). A `no_headers` finding.
    pub no_headers: bool,
    /// Findings made before parsing (limits applied by [`parse_with`]).
    pub extra_findings: Vec<Finding>,
}

/// Text without a header section: one text/plain body holding everything.
fn headerless(raw: &[u8]) -> Message<'_> {
    Message {
        html_body: Vec::new(),
        text_body: vec![0],
        attachments: Vec::new(),
        parts: vec![MessagePart {
            headers: Vec::new(),
            is_encoding_problem: false,
            body: PartType::Text(String::from_utf8_lossy(raw)),
            encoding: mail_parser::Encoding::None,
            offset_header: 0,
            offset_body: 0,
            offset_end: raw.len().min(u32::MAX as usize) as u32,
        }],
        raw_message: Cow::Borrowed(raw),
    }
}

/// Parses one message and hands the result to `f`, after defusing what
/// would make the parser underneath slow (see [`defuse`]); this is the entry
/// point commands use. `headers_only` skips body decoding.
pub fn parse_with<R>(
    raw: &[u8],
    base: u64,
    headers_only: bool,
    f: impl FnOnce(Result<Parsed<'_>, ParseError>) -> R,
) -> R {
    // Header-only work never looks past the header section; cutting there
    // keeps the safeguards below from scanning (or copying) the body.
    let raw = if headers_only { header_block(raw) } else { raw };
    match defuse(raw, params::MAX_PARAMS) {
        Some((copy, finding)) => {
            let mut r = parse(&copy, base, headers_only);
            if let Ok(p) = &mut r {
                p.extra_findings.push(finding.at(Some(base)));
            }
            f(r)
        }
        None => f(parse(raw, base, headers_only)),
    }
}

/// The header section of a message: up to and including the blank line that
/// ends it (LF or CRLF), or everything when there is none.
pub fn header_block(raw: &[u8]) -> &[u8] {
    if raw.first() == Some(&b'\n') || raw.starts_with(b"\r\n") {
        return &raw[..if raw[0] == b'\n' { 1 } else { 2 }];
    }
    let lf = memchr::memmem::find(raw, b"\n\n").map(|p| p + 2);
    let crlf = memchr::memmem::find(raw, b"\n\r\n").map(|p| p + 3);
    match (lf, crlf) {
        (Some(a), Some(b)) => &raw[..a.min(b)],
        (Some(a), None) | (None, Some(a)) => &raw[..a],
        (None, None) => raw,
    }
}

/// mail-parser merges RFC 2231 continuations in time quadratic in the number
/// of parameter names, so a Content-Type with 100,000 `name*N*=` parameters
/// takes minutes. When a Content-Type or Content-Disposition field has more
/// than `max_params` parameters, returns a copy of the message where the rest
/// of that field is blanked (same length, so every offset stays valid) and a
/// `param_limit` finding. Returns None (no copy) for everything else; the
/// common case costs one count of `;` bytes.
pub fn defuse(raw: &[u8], max_params: usize) -> Option<(Vec<u8>, Finding)> {
    if memchr::memchr_iter(b';', raw).count() <= max_params {
        return None;
    }
    let mut copy: Option<Vec<u8>> = None;
    let mut in_field = false;
    let mut semis = 0usize;
    let mut pos = 0usize;
    let mut cut_fields = 0usize;
    while pos < raw.len() {
        let end = memchr::memchr(b'\n', &raw[pos..]).map_or(raw.len(), |e| pos + e + 1);
        let line = &raw[pos..end];
        let starts_field =
            |name: &[u8]| line.len() > name.len() && line[..name.len()].eq_ignore_ascii_case(name);
        if starts_field(b"content-type:") || starts_field(b"content-disposition:") {
            in_field = true;
            semis = 0;
        } else if !(line.first().is_some_and(|&c| c == b' ' || c == b'\t')) {
            in_field = false;
        }
        if in_field {
            for i in pos..end {
                if raw[i] == b';' {
                    semis += 1;
                }
                if semis > max_params && raw[i] != b'\r' && raw[i] != b'\n' {
                    let buf = copy.get_or_insert_with(|| raw.to_vec());
                    if semis == max_params + 1 && raw[i] == b';' {
                        cut_fields += 1;
                    }
                    buf[i] = b' ';
                }
            }
        }
        pos = end;
    }
    let copy = copy?;
    Some((
        copy,
        Finding::new(
            "param_limit",
            format!("{cut_fields} MIME header field(s) with more than {max_params} parameters were cut at that limit"),
        ),
    ))
}

/// Parses one message without the safeguards of [`parse_with`]. `headers_only`
/// skips body decoding (for commands that need only the top-level header
/// fields).
pub fn parse(raw: &[u8], base: u64, headers_only: bool) -> Result<Parsed<'_>, ParseError> {
    if raw.is_empty() {
        return Err(ParseError::Empty);
    }
    if let Some(nul) = looks_binary(raw) {
        return Err(ParseError::Binary(nul));
    }
    let parser = MessageParser::default();
    let message = if headers_only {
        parser.parse_headers(raw)
    } else {
        parser.parse(raw)
    }
    .filter(|m| !m.parts.is_empty())
    .unwrap_or_else(|| headerless(raw));
    let no_headers = message.parts[0].headers.is_empty();
    Ok(Parsed {
        message,
        raw,
        base,
        no_headers,
        extra_findings: Vec::new(),
    })
}

/// A NUL byte in the first line, before anything that looks like a header
/// field, marks a binary file.
fn looks_binary(raw: &[u8]) -> Option<usize> {
    let head = &raw[..raw.len().min(1024)];
    let nul = memchr::memchr(0, head)?;
    let first_line_end = memchr::memchr(b'\n', head).unwrap_or(head.len());
    if nul < first_line_end && !looks_like_header(&head[..nul]) {
        Some(nul)
    } else {
        None
    }
}

/// `Name:` at the start, with a printable-ASCII field name.
fn looks_like_header(raw: &[u8]) -> bool {
    let colon = raw.iter().take(200).position(|&b| b == b':');
    match colon {
        Some(c) if c > 0 => raw[..c].iter().all(|&b| (33..=126).contains(&b)),
        _ => false,
    }
}

/// What a part is in the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartKind {
    /// A multipart/* container.
    Multipart,
    /// An attached message (message/rfc822, message/global, digest member).
    Message,
    /// A leaf: text or binary content.
    Leaf,
}

impl PartKind {
    /// The lower-case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            PartKind::Multipart => "multipart",
            PartKind::Message => "message",
            PartKind::Leaf => "leaf",
        }
    }
}

/// One file-name candidate and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameCandidate {
    /// `filename*`, `filename`, `name*` or `name`.
    pub source: &'static str,
    /// The decoded value.
    pub value: String,
}

/// Byte offsets of a part in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Offsets {
    /// Start of the part's header.
    pub header: u64,
    /// Start of the part's body.
    pub body: u64,
    /// End of the part's body.
    pub end: u64,
}

/// One node of the part tree.
pub struct Part<'a> {
    /// IMAP section number (see the module docs).
    pub id: String,
    /// Nesting depth: 0 for the top-level entity.
    pub depth: usize,
    /// Multipart, attached message or leaf.
    pub kind: PartKind,
    /// Lower-case `type/subtype`, with the RFC 2045 default applied.
    pub content_type: String,
    /// Whether the part had a Content-Type header field.
    pub content_type_declared: bool,
    /// Content-Type parameters (decoded).
    pub params: Vec<params::Param>,
    /// Content-Disposition value, lower-case.
    pub disposition: Option<String>,
    /// The chosen file name: `filename*`, `filename`, `name*`, `name` in that order.
    pub filename: Option<String>,
    /// Every file-name candidate in the order above.
    pub filename_candidates: Vec<NameCandidate>,
    /// Content-Transfer-Encoding as written, lower-case.
    pub transfer_encoding: Option<String>,
    /// The charset parameter.
    pub charset: Option<String>,
    /// Content-ID without angle brackets.
    pub content_id: Option<String>,
    /// Content-Description, RFC 2047 decoded.
    pub description: Option<String>,
    /// Size of the body as it is in the message.
    pub size_encoded: usize,
    /// Offsets in the input, when the part lies in the input bytes (not inside
    /// a base64-encoded attached message).
    pub offsets: Option<Offsets>,
    /// The mail-parser part.
    pub mp: &'a MessagePart<'a>,
    /// The buffer the mail-parser offsets refer to.
    pub buffer: &'a [u8],
    /// Index of the parent part in the tree, if any.
    pub parent: Option<usize>,
}

impl<'a> Part<'a> {
    /// The body bytes as they are in the message (still transfer-encoded).
    pub fn raw_body(&self) -> &'a [u8] {
        let s = (self.mp.offset_body as usize).min(self.buffer.len());
        let e = (self.mp.offset_end as usize).clamp(s, self.buffer.len());
        &self.buffer[s..e]
    }

    /// The body with the transfer encoding undone, no charset conversion: the
    /// bytes the sender attached. Multiparts give an empty slice.
    pub fn decoded(&self) -> Cow<'a, [u8]> {
        match &self.mp.body {
            PartType::Multipart(_) => Cow::Borrowed(&[]),
            PartType::Binary(b) | PartType::InlineBinary(b)
                if TransferEncoding::from_header(self.transfer_encoding.as_deref())
                    != TransferEncoding::Uuencode =>
            {
                // Borrow mail-parser's decoded bytes for as long as the tree
                // lives: no copy of attachment data.
                Cow::Borrowed(b.as_ref())
            }
            // mail-parser already undid the transfer encoding of text parts;
            // where its charset step provably kept the bytes (UTF-8 or ASCII
            // text in an ASCII-compatible charset), its text is the decoded
            // bytes and re-decoding the raw body would only cost time.
            PartType::Text(t) | PartType::Html(t)
                if !self.mp.is_encoding_problem && self.text_is_bytes(t) =>
            {
                Cow::Borrowed(t.as_bytes())
            }
            _ => {
                let enc = TransferEncoding::from_header(self.transfer_encoding.as_deref());
                transfer::decode(self.raw_body(), enc).0
            }
        }
    }

    /// True when `text` is byte for byte what the transfer decoding gave:
    /// UTF-8 (or no charset) without replacement characters, or pure ASCII
    /// in a charset whose ASCII range is ASCII.
    fn text_is_bytes(&self, text: &str) -> bool {
        if TransferEncoding::from_header(self.transfer_encoding.as_deref())
            == TransferEncoding::Uuencode
        {
            return false;
        }
        match self.charset.as_deref() {
            None | Some("utf-8") | Some("utf8") => !text.contains('\u{FFFD}'),
            Some(cs) => {
                let ascii_compatible = cs.starts_with("iso-8859-")
                    || cs.starts_with("windows-125")
                    || cs.starts_with("koi8-")
                    || cs == "latin1"
                    || cs == "us-ascii";
                ascii_compatible && text.is_ascii()
            }
        }
    }

    /// The decoded text of a text part (UTF-8, charset converted), if any.
    pub fn text(&self) -> Option<&str> {
        match &self.mp.body {
            PartType::Text(t) | PartType::Html(t) => Some(t),
            _ => None,
        }
    }

    /// True for parts a user would call attachments: a disposition of
    /// attachment, a file name, or a non-text leaf.
    pub fn is_attachment_like(&self) -> bool {
        self.kind != PartKind::Multipart
            && (self.disposition.as_deref() == Some("attachment")
                || self.filename.is_some()
                || self.kind == PartKind::Message
                || !self.content_type.starts_with("text/"))
    }
}

/// The part tree of a message, with findings from the walk.
pub struct Tree<'a> {
    /// Parts in pre-order.
    pub parts: Vec<Part<'a>>,
    /// What the walk noticed.
    pub findings: Vec<Finding>,
    /// Our id for each (message, mail-parser part index) pair of the top
    /// message, used to map mail-parser's body lists.
    pub top_ids: Vec<Option<usize>>,
}

impl<'a> Parsed<'a> {
    /// Walks the part tree.
    pub fn tree(&'a self, limits: &Limits) -> Tree<'a> {
        let mut tree = Tree {
            parts: Vec::new(),
            findings: Vec::new(),
            top_ids: vec![None; self.message.parts.len()],
        };
        tree.findings.extend(self.extra_findings.iter().cloned());
        if self.no_headers {
            tree.findings.push(
                Finding::new(
                    "no_headers",
                    "no header fields found: the whole input is read as a text body",
                )
                .at(Some(self.base)),
            );
        }
        let mut w = Walker {
            input: self.raw,
            base: self.base,
            limits,
            tree: &mut tree,
            truncated: false,
        };
        w.message(&self.message, "", 0, None, true);
        tree
    }

    /// The input offset of a position in the top-level message.
    pub fn abs(&self, pos: u32) -> u64 {
        self.base + pos as u64
    }
}

struct Walker<'a, 'w> {
    input: &'a [u8],
    base: u64,
    limits: &'w Limits,
    tree: &'w mut Tree<'a>,
    truncated: bool,
}

impl<'a> Walker<'a, '_> {
    fn message(
        &mut self,
        msg: &'a Message<'a>,
        prefix: &str,
        depth: usize,
        parent: Option<usize>,
        top: bool,
    ) {
        let Some(root) = msg.parts.first() else {
            return;
        };
        let buffer: &'a [u8] = &msg.raw_message;
        let id = match root.body {
            PartType::Multipart(_) => format!("{prefix}0"),
            _ => format!("{prefix}1"),
        };
        self.part(msg, 0, root, id, depth, parent, buffer, top, None);
    }

    #[allow(clippy::too_many_arguments)]
    fn part(
        &mut self,
        msg: &'a Message<'a>,
        index: usize,
        mp: &'a MessagePart<'a>,
        id: String,
        depth: usize,
        parent: Option<usize>,
        buffer: &'a [u8],
        top: bool,
        parent_type: Option<&str>,
    ) {
        if self.tree.parts.len() >= self.limits.max_parts {
            if !self.truncated {
                self.truncated = true;
                self.tree.findings.push(
                    Finding::new(
                        "part_limit",
                        format!(
                            "more than {} parts; the rest are not listed",
                            self.limits.max_parts
                        ),
                    )
                    .part(&id),
                );
            }
            return;
        }
        let in_input = std::ptr::eq(buffer.as_ptr(), self.input.as_ptr());
        let offsets = in_input.then(|| Offsets {
            header: self.base + mp.offset_header as u64,
            body: self.base + mp.offset_body as u64,
            end: self.base + mp.offset_end as u64,
        });
        let info = header::part_info(mp, buffer, parent_type);
        let kind = match &mp.body {
            PartType::Multipart(_) => PartKind::Multipart,
            PartType::Message(_) => PartKind::Message,
            _ => PartKind::Leaf,
        };
        let names: Vec<&str> = info
            .filename_candidates
            .iter()
            .map(|c| c.value.as_str())
            .collect();
        if names.windows(2).any(|w| w[0] != w[1]) {
            self.tree.findings.push(
                Finding::new(
                    "conflicting_filenames",
                    format!("file-name candidates disagree: {names:?}"),
                )
                .part(&id)
                .at(offsets.map(|o| o.header)),
            );
        }
        if mp.is_encoding_problem {
            self.tree.findings.push(
                Finding::new(
                    "encoding_problem",
                    "the part could not be decoded as declared; its raw content is kept",
                )
                .part(&id)
                .at(offsets.map(|o| o.body)),
            );
        }
        let size_encoded = (mp.offset_end as usize).saturating_sub(mp.offset_body as usize);
        let me = self.tree.parts.len();
        if top {
            if let Some(slot) = self.tree.top_ids.get_mut(index) {
                *slot = Some(me);
            }
        }
        let content_type = info.content_type.clone();
        self.tree.parts.push(Part {
            id: id.clone(),
            depth,
            kind,
            content_type: info.content_type,
            content_type_declared: info.content_type_declared,
            params: info.params,
            disposition: info.disposition,
            filename: info.filename,
            filename_candidates: info.filename_candidates,
            transfer_encoding: info.transfer_encoding,
            charset: info.charset,
            content_id: info.content_id,
            description: info.description,
            size_encoded,
            offsets,
            mp,
            buffer,
            parent,
        });
        let too_deep = depth >= self.limits.max_depth;
        match &mp.body {
            PartType::Multipart(children) => {
                if let Some(o) = offsets {
                    self.check_boundaries(me, buffer, mp, o);
                }
                if children.is_empty() {
                    self.tree.findings.push(
                        Finding::new("empty_multipart", "a multipart with no parts")
                            .part(&id)
                            .at(offsets.map(|o| o.body)),
                    );
                }
                if too_deep && !children.is_empty() {
                    self.depth_finding(&id, offsets);
                    return;
                }
                let child_prefix = match id.strip_suffix('0') {
                    Some(p) if p.is_empty() || p.ends_with('.') => p.to_string(),
                    _ => format!("{id}."),
                };
                for (n, &ci) in children.iter().enumerate() {
                    let Some(child) = msg.parts.get(ci as usize) else {
                        continue;
                    };
                    if ci as usize == index {
                        continue; // a self-reference would loop forever
                    }
                    let cid = format!("{child_prefix}{}", n + 1);
                    self.part(
                        msg,
                        ci as usize,
                        child,
                        cid,
                        depth + 1,
                        Some(me),
                        buffer,
                        top,
                        Some(&content_type),
                    );
                }
            }
            PartType::Message(inner) => {
                if too_deep {
                    self.depth_finding(&id, offsets);
                    return;
                }
                self.message(inner, &format!("{id}."), depth + 1, Some(me), false);
            }
            _ => {}
        }
    }

    fn depth_finding(&mut self, id: &str, offsets: Option<Offsets>) {
        self.tree.findings.push(
            Finding::new(
                "depth_limit",
                format!(
                    "nesting deeper than {} levels; inner parts are not listed",
                    self.limits.max_depth
                ),
            )
            .part(id)
            .at(offsets.map(|o| o.body)),
        );
    }

    /// A multipart should end with `--boundary--`; text after it (the
    /// epilogue) is legal but unusual and worth noting when not blank.
    fn check_boundaries(&mut self, me: usize, buffer: &[u8], mp: &MessagePart<'_>, o: Offsets) {
        let Some(boundary) = self.tree.parts[me]
            .params
            .iter()
            .find(|p| p.name == "boundary")
            .map(|p| p.value.clone())
        else {
            return;
        };
        let id = self.tree.parts[me].id.clone();
        let s = (mp.offset_body as usize).min(buffer.len());
        let e = (mp.offset_end as usize).clamp(s, buffer.len());
        let body = &buffer[s..e];
        let close = format!("--{boundary}--");
        match memchr::memmem::rfind(body, close.as_bytes()) {
            None => self.tree.findings.push(
                Finding::new(
                    "missing_closing_boundary",
                    format!("multipart has no closing boundary \"{close}\""),
                )
                .part(&id)
                .at(Some(o.end)),
            ),
            Some(p) => {
                let after = &body[p + close.len()..];
                if after.iter().any(|b| !b.is_ascii_whitespace()) {
                    self.tree.findings.push(
                        Finding::new(
                            "content_after_closing_boundary",
                            format!("{} bytes after the closing boundary", after.len()),
                        )
                        .part(&id)
                        .at(Some(o.body + (p + close.len()) as u64)),
                    );
                }
            }
        }
        let open = format!("--{boundary}");
        if let Some(first) = memchr::memmem::find(body, open.as_bytes()) {
            if body[..first].iter().any(|b| !b.is_ascii_whitespace()) {
                self.tree.findings.push(
                    Finding::new("preamble", "text before the first boundary (preamble)")
                        .part(&id)
                        .at(Some(o.body)),
                );
            }
        }
    }
}

/// The raw name of a header field as written.
pub fn raw_name<'b>(h: &mail_parser::Header<'_>, buffer: &'b [u8]) -> &'b [u8] {
    let s = (h.offset_field as usize).min(buffer.len());
    let e = (h.offset_start as usize).clamp(s, buffer.len());
    let n = &buffer[s..e];
    let n = n.strip_suffix(b":").unwrap_or(n);
    trim_ascii_end(n)
}

/// The raw value of a header field as written (folding kept, final line
/// ending removed).
pub fn raw_value<'b>(h: &mail_parser::Header<'_>, buffer: &'b [u8]) -> &'b [u8] {
    let s = (h.offset_start as usize).min(buffer.len());
    let e = (h.offset_end as usize).clamp(s, buffer.len());
    let v = &buffer[s..e];
    let v = v.strip_suffix(b"\n").unwrap_or(v);
    let v = v.strip_suffix(b"\r").unwrap_or(v);
    let start = v
        .iter()
        .position(|b| *b != b' ' && *b != b'\t')
        .unwrap_or(v.len());
    &v[start..]
}

fn trim_ascii_end(mut s: &[u8]) -> &[u8] {
    while let [rest @ .., last] = s {
        if last.is_ascii_whitespace() {
            s = rest;
        } else {
            break;
        }
    }
    s
}

/// True for header fields that RFC 5322 allows at most once.
pub fn is_singleton(name: &HeaderName<'_>) -> bool {
    matches!(
        name,
        HeaderName::From
            | HeaderName::Sender
            | HeaderName::ReplyTo
            | HeaderName::To
            | HeaderName::Cc
            | HeaderName::Bcc
            | HeaderName::MessageId
            | HeaderName::InReplyTo
            | HeaderName::References
            | HeaderName::Subject
            | HeaderName::Date
            | HeaderName::ContentType
            | HeaderName::ContentTransferEncoding
            | HeaderName::ContentDisposition
            | HeaderName::MimeVersion
    )
}
