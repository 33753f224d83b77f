//! Our message: the MIME structure found over the input bytes, and the one
//! analysis of a message that every command reads.
//!
//! [`Message::parse`] finds the structure (RFC 2046, see [`structure`]) and
//! returns a [`Message`]: the header fields of every entity as byte ranges,
//! a flat, pre-order list of [`Part`]s named by IMAP section numbers
//! (RFC 3501 §6.4.5), and the findings. Nothing is decoded until something
//! asks: a part's bytes are transfer-decoded by [`Part::decoded`], its text
//! charset-decoded once by [`Part::text`].
//!
//! Part ids: a message whose body is a single part has that part as `1`; a
//! message whose body is multipart has its root multipart as `0` and the
//! children as `1`, `2`, … Inside an attached message/rfc822 with id `X`, the
//! same rule applies with the prefix `X.`: its multipart root is `X.0`, its
//! parts `X.1`, `X.2`, …; a single-part body is `X.1`.

pub mod address;
pub mod body;
pub mod charset;
pub mod date;
pub mod encoded_word;
pub mod field;
mod finding;
pub mod header;
pub mod params;
pub mod received;
pub mod resent;
pub mod structure;
pub mod transfer;

pub use field::Field;
pub use finding::{Finding, Severity};

/// mail-parser's field names and parsed values, re-exported on purpose: the
/// grammar of header fields (addresses, message ids) is mail-parser's, and
/// [`Field::name`] / [`Field::parsed`] hand it out as is; Received values are
/// read by our own [`received`] module into the same `Received` type.
/// emlkit pins mail-parser 0.11, so these types change only with emlkit.
pub use mail_parser::{HeaderName, HeaderValue};
use std::borrow::Cow;
use std::cell::OnceCell;
use transfer::TransferEncoding;

/// Limits that keep hostile input from exhausting memory or time. The
/// defaults are far above what real mail reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Deepest MIME nesting walked (multiparts and attached messages).
    /// Default 100.
    pub max_depth: usize,
    /// Most parts listed per message. Default 10,000.
    pub max_parts: usize,
    /// Most header fields kept per entity. Default 10,000.
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

/// How much of a message to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Scope {
    /// The whole structure.
    #[default]
    Full,
    /// Only the top-level header block; the body is one opaque entity
    /// (for header-only work: `headers`, `trace`).
    HeadersOnly,
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

/// One message: its structure, header fields and findings, computed once.
#[non_exhaustive]
pub struct Message<'a> {
    /// The message bytes as given.
    pub raw: &'a [u8],
    /// Offset of `raw` inside the whole input (for mailbox members).
    pub base: u64,
    /// Parts in pre-order; `parts[0]` is the top-level entity.
    pub parts: Vec<Part<'a>>,
    /// The limits the message was parsed with.
    pub limits: Limits,
    structure_findings: Vec<Finding>,
    findings: OnceCell<Vec<Finding>>,
}

/// Parses one message with the default limits (see [`Message::parse`]).
pub fn parse(raw: &[u8], base: u64, scope: Scope) -> Result<Message<'_>, ParseError> {
    Message::parse(raw, base, scope, &Limits::default())
}

impl<'a> Message<'a> {
    /// Finds the structure of `raw`. `base` is the offset of `raw` in the
    /// whole input, so that every offset reported is an input offset.
    pub fn parse(
        raw: &'a [u8],
        base: u64,
        scope: Scope,
        limits: &Limits,
    ) -> Result<Message<'a>, ParseError> {
        if raw.is_empty() {
            return Err(ParseError::Empty);
        }
        if let Some(nul) = looks_binary(raw) {
            return Err(ParseError::Binary(nul));
        }
        let (parts, structure_findings) =
            structure::parse(raw, base, limits, scope == Scope::HeadersOnly);
        Ok(Message {
            raw,
            base,
            parts,
            limits: *limits,
            structure_findings,
            findings: OnceCell::new(),
        })
    }

    /// The top-level header fields, in order.
    pub fn headers(&self) -> &[Field<'a>] {
        self.parts.first().map_or(&[], |p| p.headers.as_slice())
    }

    /// The first top-level field with this name (case-insensitive). A
    /// repeated singleton field is read from its first occurrence, everywhere
    /// (see LENIENCY.md); [`Message::findings`] names every repetition.
    pub fn header(&self, name: &str) -> Option<&Field<'a>> {
        self.headers().iter().find(|f| f.is(name))
    }

    /// The first top-level field with this parsed name.
    pub fn field(&self, name: &HeaderName<'_>) -> Option<&Field<'a>> {
        self.headers().iter().find(|f| &f.name == name)
    }

    /// The parsed value of the first field with this name.
    pub fn value(&self, name: &HeaderName<'_>) -> Option<HeaderValue<'a>> {
        self.field(name).map(|f| f.parsed())
    }

    /// The decoded Subject (RFC 2047); leading white space removed, trailing
    /// kept, as in `headers[].decoded`.
    pub fn subject(&self) -> Option<String> {
        let f = self.field(&HeaderName::Subject)?;
        let v = f.raw_value();
        let v = &v[..v.len().min(self.limits.max_header_bytes)];
        // The same text as `headers[].decoded` (trailing white space kept: it
        // is part of the value); see: issue 14.
        Some(header::decode_text(v).0.trim_start().to_string())
    }

    /// The Message-ID without angle brackets.
    pub fn message_id(&self) -> Option<String> {
        match self.value(&HeaderName::MessageId)? {
            HeaderValue::Text(t) => Some(t.into_owned()),
            HeaderValue::TextList(l) => l.into_iter().next().map(|t| t.into_owned()),
            _ => None,
        }
    }

    /// The Date field read by [`date::parse`] (RFC 5322 with the §4.3
    /// obsolete forms); None without a Date field.
    pub fn date_result(&self) -> Option<date::DateResult> {
        Some(date::parse(self.field(&HeaderName::Date)?.raw_value()))
    }

    /// The Date, when it is a valid date.
    pub fn date(&self) -> Option<date::Date> {
        match self.date_result()? {
            date::DateResult::Valid(d) => Some(d),
            _ => None,
        }
    }

    /// The input offset of a position in the message.
    pub fn abs(&self, pos: usize) -> u64 {
        self.base + pos as u64
    }

    /// A part by its id.
    pub fn part(&self, id: &str) -> Option<&Part<'a>> {
        self.parts.iter().find(|p| p.id == id)
    }

    /// Everything the parse noticed: structure findings first, then header
    /// findings (duplicate singleton fields, 8-bit bytes, undecodable
    /// encoded words, over-long fields), computed once.
    pub fn findings(&self) -> &[Finding] {
        self.findings.get_or_init(|| {
            let mut all = self.structure_findings.clone();
            header::findings(self, &mut all);
            for p in &self.parts {
                if p.kind == PartKind::Leaf
                    && p.encoding() != TransferEncoding::Identity
                    && !p.is_cleanly_encoded()
                {
                    all.push(
                        Finding::new(
                            "encoding_problem",
                            "the transfer encoding is damaged; the bytes were decoded leniently",
                        )
                        .part(&p.id)
                        .at(p.offsets.map(|o| o.body)),
                    );
                }
            }
            all
        })
    }

    /// The content type of a part's parent.
    pub fn parent_type(&self, p: &Part<'_>) -> Option<&str> {
        p.parent
            .and_then(|i| self.parts.get(i))
            .map(|q| q.content_type.as_str())
    }

    /// Whether part `i` lies inside an attached message.
    pub fn in_attached_message(&self, i: usize) -> bool {
        let mut cur = self.parts.get(i).and_then(|p| p.parent);
        while let Some(j) = cur {
            if self.parts[j].kind == PartKind::Message {
                return true;
            }
            cur = self.parts[j].parent;
        }
        false
    }

    /// True for inline images: image/* not marked as attachment that sit in
    /// a multipart/related (shown by the HTML body), or that are marked
    /// inline and have no file name. An inline image with a file name
    /// elsewhere (Apple Mail puts photos in multipart/mixed that way) is an
    /// attachment.
    pub fn is_inline_image(&self, p: &Part<'_>) -> bool {
        p.content_type.starts_with("image/")
            && p.disposition.as_deref() != Some("attachment")
            && (self.parent_type(p) == Some("multipart/related")
                || (p.disposition.as_deref() == Some("inline") && p.filename.is_none()))
    }

    /// The one definition of an attachment, used by `json.attachments` and
    /// the default `extract` selection alike: outside attached messages, an
    /// attached message as a whole, or a leaf marked as attachment, with a
    /// file name, or of a type that is not a readable body. Inline images
    /// count only with `inline`.
    pub fn is_attachment(&self, i: usize, inline: bool) -> bool {
        self.parts
            .get(i)
            .is_some_and(|p| !self.in_attached_message(i) && self.is_saved(p, inline))
    }

    /// The per-part half of [`Message::is_attachment`], for parts at any
    /// depth (`extract --recurse` applies it inside attached messages).
    pub fn is_saved(&self, p: &Part<'_>, inline: bool) -> bool {
        match p.kind {
            PartKind::Multipart => false,
            PartKind::Message => p.depth > 0,
            PartKind::Leaf => {
                if self.is_inline_image(p) {
                    return inline;
                }
                p.disposition.as_deref() == Some("attachment")
                    || p.filename.is_some()
                    || !is_body_type(&p.content_type)
            }
        }
    }

    /// The mailboxes of the first From field (obsolete routes dropped,
    /// encoded words never decoded inside an addr-spec).
    pub fn from_addresses(&self) -> Vec<address::Mailbox<'a>> {
        self.field(&HeaderName::From)
            .map(address::mailboxes)
            .unwrap_or_default()
    }

    /// The addr-spec of the first mailbox in From, if any.
    pub fn from_address(&self) -> Option<String> {
        self.from_addresses()
            .into_iter()
            .find_map(|m| m.address.map(|a| a.into_owned()))
    }

    /// The attachments as parts (see [`Message::is_attachment`]).
    pub fn attachment_parts(&self) -> impl Iterator<Item = &Part<'a>> + '_ {
        self.attachments().into_iter().map(move |i| &self.parts[i])
    }

    /// The first readable text body (see [`Message::text_bodies`]), decoded.
    pub fn text(&self) -> Option<&str> {
        self.text_bodies()
            .into_iter()
            .find_map(|i| self.parts[i].text())
    }

    /// The path the message took: Received hops, authentication results,
    /// origin and findings (see [`crate::forensics`]). Only the top-level
    /// header is read.
    pub fn trace(&self, opts: &crate::forensics::Options) -> crate::forensics::Trace {
        crate::forensics::trace(self, opts)
    }

    /// Indices of the attachments (see [`Message::is_attachment`]).
    pub fn attachments(&self) -> Vec<usize> {
        (0..self.parts.len())
            .filter(|&i| self.is_attachment(i, false))
            .collect()
    }

    /// Indices of the readable text bodies of the top message, in order:
    /// text leaves outside attached messages, not marked as attachment
    /// (Content-Disposition), and not HTML. Inside a multipart/alternative only one alternative counts:
    /// the first that holds text/plain (else the first with any non-HTML
    /// text), as a plain-text reader would show it.
    pub fn text_bodies(&self) -> Vec<usize> {
        self.bodies(false)
    }

    /// Indices of the HTML bodies of the top message: as
    /// [`Message::text_bodies`], for text/html, choosing the last
    /// alternative that holds HTML (RFC 2046 §5.1.4: the richest comes last).
    pub fn html_bodies(&self) -> Vec<usize> {
        self.bodies(true)
    }

    fn bodies(&self, html: bool) -> Vec<usize> {
        let mut chosen: std::collections::HashMap<usize, Option<usize>> =
            std::collections::HashMap::new();
        (0..self.parts.len())
            .filter(|&i| {
                let p = &self.parts[i];
                let is_html = p.content_type == "text/html";
                // Marked as attachment, it is a file; a file name alone does
                // not stop an inline text from being read (clients show it).
                if p.kind != PartKind::Leaf
                    || !p.content_type.starts_with("text/")
                    || is_html != html
                    || self.in_attached_message(i)
                    || p.disposition.as_deref() == Some("attachment")
                {
                    return false;
                }
                // Walk up: at every multipart/alternative, the path must go
                // through its chosen alternative.
                let mut child = i;
                let mut cur = p.parent;
                while let Some(a) = cur {
                    if self.parts[a].content_type == "multipart/alternative" {
                        let pick = *chosen
                            .entry(a)
                            .or_insert_with(|| self.pick_alternative(a, html));
                        if pick != Some(child) {
                            return false;
                        }
                    }
                    child = a;
                    cur = self.parts[a].parent;
                }
                true
            })
            .collect()
    }

    /// The child of alternative `a` a reader of plain text (or HTML) shows.
    fn pick_alternative(&self, a: usize, html: bool) -> Option<usize> {
        let children: Vec<usize> = (a + 1..self.parts.len())
            .take_while(|&j| self.parts[j].depth > self.parts[a].depth)
            .filter(|&j| self.parts[j].parent == Some(a))
            .collect();
        let holds = |c: usize, pred: &dyn Fn(&str) -> bool| {
            (c..self.parts.len())
                .take_while(|&j| j == c || self.parts[j].depth > self.parts[c].depth)
                .any(|j| self.parts[j].kind == PartKind::Leaf && pred(&self.parts[j].content_type))
        };
        if html {
            return children
                .iter()
                .rev()
                .copied()
                .find(|&c| holds(c, &|t| t == "text/html"));
        }
        children
            .iter()
            .copied()
            .find(|&c| holds(c, &|t| t == "text/plain"))
            .or_else(|| {
                children
                    .iter()
                    .copied()
                    .find(|&c| holds(c, &|t| t.starts_with("text/") && t != "text/html"))
            })
    }
}

/// Types that are read, not saved: text, and the machine-readable reports
/// of message/* types that are not attached messages.
pub fn is_body_type(ct: &str) -> bool {
    ct.starts_with("text/")
        || matches!(
            ct,
            // Fragments are written reassembled, see `extract::partial`.
            "message/partial"
                | "message/delivery-status"
                | "message/disposition-notification"
                | "message/feedback-report"
                | "message/global-delivery-status"
                | "message/global-disposition-notification"
        )
}

/// The header section of a message: up to and including the blank line that
/// ends it (LF or CRLF), or everything when there is none.
pub fn header_block(raw: &[u8]) -> &[u8] {
    if raw.first() == Some(&b'\n') || raw.starts_with(b"\r\n") {
        return &raw[..if raw[0] == b'\n' { 1 } else { 2 }];
    }
    blank_line_end(raw).map_or(raw, |e| &raw[..e])
}

/// Just past the first blank line that follows a line feed in `raw`
/// (`\n\n` or `\n\r\n`, whichever comes first). One pass over the line
/// ends that stops there: two searches (`\n\n`, then `\n\r\n`) read the
/// whole body of every LF message looking for a CRLF blank line that is
/// not there.
pub fn blank_line_end(raw: &[u8]) -> Option<usize> {
    memchr::memchr_iter(b'\n', raw).find_map(|p| match raw.get(p + 1) {
        Some(b'\n') => Some(p + 2),
        Some(b'\r') if raw.get(p + 2) == Some(&b'\n') => Some(p + 3),
        _ => None,
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
#[non_exhaustive]
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
#[non_exhaustive]
pub struct NameCandidate {
    /// `filename*`, `filename`, `name*` or `name`.
    pub source: &'static str,
    /// The decoded value.
    pub value: String,
}

/// Byte offsets of a part in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Offsets {
    /// Start of the part's header.
    pub header: u64,
    /// Start of the part's body.
    pub body: u64,
    /// End of the part's body.
    pub end: u64,
}

/// One node of the part tree: an entity of the message, as byte ranges of
/// the input with its MIME fields read.
#[non_exhaustive]
pub struct Part<'a> {
    /// IMAP section number (see the module docs).
    pub id: String,
    /// Nesting depth: 0 for the top-level entity.
    pub depth: usize,
    /// Multipart, attached message or leaf.
    pub kind: PartKind,
    /// Lower-case `type/subtype`, with the RFC 2045 default applied.
    pub content_type: String,
    /// Whether the part had a valid Content-Type header field.
    pub content_type_declared: bool,
    /// Content-Type parameters (decoded).
    pub params: Vec<params::Param>,
    /// Content-Disposition value, lower-case.
    pub disposition: Option<String>,
    /// The chosen file name: `filename*`, `filename`, `name*`, `name` in that order.
    pub filename: Option<String>,
    /// Every file-name candidate in the order above.
    pub filename_candidates: Vec<NameCandidate>,
    /// Content-Transfer-Encoding as written, lower-case, comments removed.
    pub transfer_encoding: Option<String>,
    /// The charset parameter.
    pub charset: Option<String>,
    /// Content-ID without angle brackets.
    pub content_id: Option<String>,
    /// Content-Description, RFC 2047 decoded.
    pub description: Option<String>,
    /// Size of the body as it is in the message.
    pub size_encoded: usize,
    /// Offsets in the input (always set once the parse is done).
    pub offsets: Option<Offsets>,
    /// Index of the parent part in the tree, if any.
    pub parent: Option<usize>,
    /// The entity's header fields.
    pub headers: Vec<Field<'a>>,
    /// The boundary of a multipart.
    pub boundary: Option<Vec<u8>>,
    pub(crate) header_start: usize,
    pub(crate) body_start: usize,
    pub(crate) end: usize,
    pub(crate) raw: &'a [u8],
    pub(crate) text: OnceCell<Option<(Cow<'a, str>, bool)>>,
    /// Whether the transfer decoding went without damage, once known (a
    /// by-product of decoding, so findings never decode twice).
    pub(crate) clean: OnceCell<bool>,
    /// The decoded size, once known.
    pub(crate) len: OnceCell<usize>,
}

impl<'a> Part<'a> {
    /// The header block as it is in the message (up to the body).
    pub fn raw_header(&self) -> &'a [u8] {
        &self.raw[self.header_start..self.body_start.max(self.header_start)]
    }

    /// The body bytes as they are in the message (still transfer-encoded).
    pub fn raw_body(&self) -> &'a [u8] {
        &self.raw[self.body_start..self.end.max(self.body_start)]
    }

    /// The whole entity: header block and body.
    pub fn raw_entity(&self) -> &'a [u8] {
        &self.raw[self.header_start..self.end.max(self.header_start)]
    }

    /// The transfer encoding to undo.
    pub fn encoding(&self) -> TransferEncoding {
        TransferEncoding::from_header(self.transfer_encoding.as_deref())
    }

    /// The body with the transfer encoding undone, no charset conversion: the
    /// bytes the sender attached. Multiparts give an empty slice; an attached
    /// message gives its bytes as they are.
    pub fn decoded(&self) -> Cow<'a, [u8]> {
        self.decode_checked().0
    }

    /// [`Part::decoded`] and whether the transfer decoding went without
    /// damage (false when base64 junk was skipped or a quoted-printable
    /// escape was malformed).
    pub fn decode_checked(&self) -> (Cow<'a, [u8]>, bool) {
        match self.kind {
            PartKind::Multipart => (Cow::Borrowed(&[]), true),
            PartKind::Message => (Cow::Borrowed(self.raw_body()), true),
            PartKind::Leaf => {
                let (bytes, clean) = transfer::decode(self.raw_body(), self.encoding());
                let _ = self.clean.set(clean);
                let _ = self.len.set(bytes.len());
                (bytes, clean)
            }
        }
    }

    /// Streams the decoded bytes of a leaf into `sink` without keeping them
    /// (for hashing and sizes); returns whether the decoding was clean. An
    /// attached message streams its raw body; a multipart nothing.
    pub fn decode_stream(&self, sink: &mut dyn FnMut(&[u8])) -> bool {
        match self.kind {
            PartKind::Multipart => true,
            PartKind::Message => {
                sink(self.raw_body());
                true
            }
            PartKind::Leaf => {
                let mut n = 0usize;
                let clean = transfer::decode_into(self.raw_body(), self.encoding(), &mut |b| {
                    n += b.len();
                    sink(b)
                })
                .is_clean();
                let _ = self.clean.set(clean);
                let _ = self.len.set(n);
                clean
            }
        }
    }

    /// The size of the decoded bytes, counted without keeping them: clean
    /// base64 and quoted-printable are measured by a counting pass that
    /// writes nothing (see [`transfer::decoded_len`]).
    pub fn decoded_size(&self) -> usize {
        match self.kind {
            PartKind::Multipart => 0,
            PartKind::Message => self.raw_body().len(),
            PartKind::Leaf => {
                if let Some(&n) = self.len.get() {
                    return n;
                }
                let (n, clean) = transfer::decoded_len(self.raw_body(), self.encoding());
                let _ = self.len.set(n);
                let _ = self.clean.set(clean);
                n
            }
        }
    }

    /// The sha256 and size of the decoded bytes, hashed as they stream.
    pub fn sha256(&self) -> ([u8; 32], usize) {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        let mut n = 0usize;
        self.decode_stream(&mut |b| {
            h.update(b);
            n += b.len();
        });
        (h.finalize().into(), n)
    }

    /// Whether the transfer decoding goes without damage; measured with
    /// [`Part::decoded_size`] (nothing is kept) when the part was not
    /// decoded yet.
    pub fn is_cleanly_encoded(&self) -> bool {
        match self.clean.get() {
            Some(&c) => c,
            None => {
                self.decoded_size();
                self.clean.get().copied().unwrap_or(true)
            }
        }
    }

    /// The decoded text of a text leaf (transfer and charset decoded, UTF-8),
    /// computed once. None for other parts.
    pub fn text(&self) -> Option<&str> {
        self.decoded_text().map(|(t, _)| t)
    }

    /// The text and whether the charset conversion was exact.
    pub fn decoded_text(&self) -> Option<(&str, bool)> {
        self.text
            .get_or_init(|| {
                if self.kind != PartKind::Leaf || !self.content_type.starts_with("text/") {
                    return None;
                }
                // An invalid Content-Type means `text/plain; charset=us-ascii`
                // as a whole (RFC 2045 §5.2): its charset is not believed.
                let label = match (&self.charset, self.content_type_declared) {
                    (Some(c), true) => c.as_str(),
                    _ => "us-ascii",
                };
                Some(body::decode_cow(label, self.decoded()))
            })
            .as_ref()
            .map(|(t, e)| (t.as_ref(), *e))
    }
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

#[cfg(test)]
mod tests {
    use super::header_block;

    /// The header section ends at the first blank line, LF or CRLF,
    /// whichever comes first; without one it is everything.
    #[test]
    fn header_block_ends_at_the_first_blank_line() {
        let cases: [(&[u8], &[u8]); 8] = [
            (b"A: 1\nB: 2\n\nbody\r\n\r\n", b"A: 1\nB: 2\n\n"),
            (b"A: 1\r\nB: 2\r\n\r\nbody\n\n", b"A: 1\r\nB: 2\r\n\r\n"),
            (b"A: 1\r\n\nbody", b"A: 1\r\n\n"),
            (b"A: 1\n\r\nbody\n\n", b"A: 1\n\r\n"),
            (b"A: 1\nB: 2\n", b"A: 1\nB: 2\n"),
            (b"\nbody", b"\n"),
            (b"\r\nbody", b"\r\n"),
            (b"A: 1\n\r", b"A: 1\n\r"),
        ];
        for (raw, want) in cases {
            assert_eq!(
                header_block(raw),
                want,
                "{:?}",
                String::from_utf8_lossy(raw)
            );
        }
    }
}
