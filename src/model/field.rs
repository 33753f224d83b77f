//! Header fields as byte ranges of the input, and the header-block scanner.
//!
//! We split a header block into fields ourselves (so that the end of the
//! block, continuation lines and stray body lines follow one rule), then
//! hand each field's value slice to mail-parser's field grammar (addresses,
//! message ids, dates) or to our Received reader ([`super::received`]) only
//! when a consumer asks for it.

use mail_parser::parsers::MessageStream;
use mail_parser::{HeaderName, HeaderValue};

/// One header field of an entity, borrowed from the input.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Field<'a> {
    /// The field name, parsed (`HeaderName::Other` for unknown names).
    pub name: HeaderName<'a>,
    /// The name as written (without white space before the colon).
    pub raw_name: &'a [u8],
    /// Everything after the colon up to and including the final line ending
    /// (folding kept): the slice mail-parser's field parsers expect.
    pub value_with_eol: &'a [u8],
    /// Offset of the field's first byte in the whole input.
    pub offset: u64,
}

impl<'a> Field<'a> {
    /// The raw value as written: leading white space and the final line
    /// ending removed, folding kept.
    pub fn raw_value(&self) -> &'a [u8] {
        let v = self.value_with_eol;
        let v = v.strip_suffix(b"\n").unwrap_or(v);
        let v = v.strip_suffix(b"\r").unwrap_or(v);
        let start = v
            .iter()
            .position(|b| *b != b' ' && *b != b'\t')
            .unwrap_or(v.len());
        &v[start..]
    }

    /// The value parsed with mail-parser's grammar for this field name
    /// (address lists, dates, message ids, …; `Received` with our own
    /// [`super::received::parse`], same result type); other fields as raw
    /// text.
    ///
    /// A structured value is read up to its first bare CR (a CR not followed
    /// by LF): RFC 5322 §2.2 and §2.3 allow CR in a field body only as part
    /// of CRLF, so no valid value goes on past one. Python's `email` ends
    /// the field there, GMime and MIME-tools read the first address before
    /// it; mail-parser's grammar would instead read the text after it
    /// (`\rTo: b@example.net\rSubject: x`) as a group. Unstructured and
    /// unknown fields keep their whole text.
    pub fn parsed(&self) -> HeaderValue<'a> {
        let whole = self.value_with_eol;
        let cut = memchr::memchr_iter(b'\r', whole)
            .find(|&i| whole.get(i + 1) != Some(&b'\n'))
            .map_or(whole, |i| &whole[..i]);
        match &self.name {
            HeaderName::Subject
            | HeaderName::Comments
            | HeaderName::ContentDescription
            | HeaderName::ContentLocation
            | HeaderName::ContentTransferEncoding => MessageStream::new(whole).parse_unstructured(),
            HeaderName::From
            | HeaderName::To
            | HeaderName::Cc
            | HeaderName::Bcc
            | HeaderName::ReplyTo
            | HeaderName::Sender
            | HeaderName::ResentTo
            | HeaderName::ResentFrom
            | HeaderName::ResentBcc
            | HeaderName::ResentCc
            | HeaderName::ResentSender
            | HeaderName::ListArchive
            | HeaderName::ListHelp
            | HeaderName::ListId
            | HeaderName::ListOwner
            | HeaderName::ListPost
            | HeaderName::ListSubscribe
            | HeaderName::ListUnsubscribe => MessageStream::new(cut).parse_address(),
            HeaderName::Date | HeaderName::ResentDate => MessageStream::new(cut).parse_date(),
            HeaderName::MessageId
            | HeaderName::References
            | HeaderName::InReplyTo
            | HeaderName::ReturnPath
            | HeaderName::ContentId
            | HeaderName::ResentMessageId => MessageStream::new(cut).parse_id(),
            HeaderName::Keywords | HeaderName::ContentLanguage => {
                MessageStream::new(cut).parse_comma_separared()
            }
            // Our own reader (speed, and the grammar `trace` depends on).
            HeaderName::Received => super::received::parse(cut),
            _ => MessageStream::new(whole).parse_raw(),
        }
    }

    /// True when this is the named field (case-insensitive).
    pub fn is(&self, name: &str) -> bool {
        self.raw_name.eq_ignore_ascii_case(name.as_bytes())
    }
}

/// Why a header block ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HeaderEnd {
    /// At an empty line (the RFC 5322 separator).
    Blank,
    /// At a first line that is not a field: there is no header section and
    /// the body starts there.
    BodyLine,
    /// At a multipart delimiter line: the entity has an empty body
    /// (RFC 2046 `body-part := MIME-part-headers [CRLF *OCTET]`).
    Delimiter,
    /// At the end of the input.
    Eof,
}

/// What the header-block scan found.
#[non_exhaustive]
pub struct HeaderScan<'a> {
    /// The fields, at most `max_headers` of them.
    pub fields: Vec<Field<'a>>,
    /// Where the body starts (after the empty line, or at the body line or
    /// delimiter that ended the block).
    pub body_start: usize,
    /// Why the block ended.
    pub end: HeaderEnd,
    /// Fields beyond `max_headers` that were not kept.
    pub dropped_fields: usize,
    /// Offset of a continuation line with no field before it, if any.
    pub orphan_continuation: Option<usize>,
    /// Offset of an mbox `From ` envelope line that opened the block, if
    /// any (a message saved from an mbox; Python's `email` and GMime skip it
    /// the same way).
    pub envelope_line: Option<usize>,
    /// Offset of the first line inside the section that is neither a field
    /// nor a continuation (skipped).
    pub dropped_line: Option<usize>,
}

/// The line starting at `pos`: its end without the line break, and the
/// position after the line break.
#[inline]
pub(crate) fn line_at(raw: &[u8], pos: usize) -> (usize, usize) {
    match memchr::memchr(b'\n', &raw[pos..]) {
        Some(i) => {
            let nl = pos + i;
            let end = if nl > pos && raw[nl - 1] == b'\r' {
                nl - 1
            } else {
                nl
            };
            (end, nl + 1)
        }
        None => (raw.len(), raw.len()),
    }
}

/// The length of `name` if `line` starts with a field name and a colon
/// (`Name:` or the obsolete `Name :`): printable ASCII except `:`.
fn field_name_len(line: &[u8]) -> Option<(usize, usize)> {
    let n = line
        .iter()
        .position(|&b| !(33..=126).contains(&b) || b == b':')?;
    if n == 0 {
        return None;
    }
    let mut c = n;
    while c < line.len() && (line[c] == b' ' || line[c] == b'\t') {
        c += 1;
    }
    (line.get(c) == Some(&b':')).then_some((n, c))
}

/// Scans the header block starting at `start`. `is_delimiter(line_start)`
/// says whether the line at that position is a delimiter of an enclosing
/// multipart. `base` turns positions into input offsets.
pub fn scan<'a>(
    raw: &'a [u8],
    start: usize,
    base: u64,
    max_headers: usize,
    mut is_delimiter: impl FnMut(usize) -> bool,
) -> HeaderScan<'a> {
    let mut scan = HeaderScan {
        // A message's header has dozens of fields (Received, DKIM, vendor
        // fields), a part's a few: starting near that size spares the
        // doubling copies of a Vec grown from empty.
        fields: Vec::with_capacity(if start == 0 { 32 } else { 4 }),
        body_start: raw.len(),
        end: HeaderEnd::Eof,
        dropped_fields: 0,
        orphan_continuation: None,
        envelope_line: None,
        dropped_line: None,
    };
    // The field being read: (start, colon, name end).
    let mut open: Option<(usize, usize, usize)> = None;
    let mut pos = start;
    let finish = |open: &mut Option<(usize, usize, usize)>,
                  end: usize,
                  scan: &mut HeaderScan<'a>| {
        if let Some((s, colon, name_end)) = open.take() {
            if scan.fields.len() >= max_headers {
                scan.dropped_fields += 1;
                return;
            }
            let name = MessageStream::new(&raw[s..=colon])
                .parse_header_name()
                .unwrap_or_else(|| HeaderName::Other(String::from_utf8_lossy(&raw[s..name_end])));
            scan.fields.push(Field {
                name,
                raw_name: &raw[s..name_end],
                value_with_eol: &raw[colon + 1..end],
                offset: base + s as u64,
            });
        }
    };
    while pos < raw.len() {
        let (content_end, next) = line_at(raw, pos);
        let line = &raw[pos..content_end];
        if line.is_empty() {
            finish(&mut open, pos, &mut scan);
            scan.body_start = next;
            scan.end = HeaderEnd::Blank;
            return scan;
        }
        if pos == start && line.starts_with(b"From ") {
            scan.envelope_line = Some(pos);
            pos = next;
            continue;
        }
        if line.starts_with(b"--") && is_delimiter(pos) {
            finish(&mut open, pos, &mut scan);
            scan.body_start = pos;
            scan.end = HeaderEnd::Delimiter;
            return scan;
        }
        if line[0] == b' ' || line[0] == b'\t' {
            if open.is_none() && scan.orphan_continuation.is_none() {
                scan.orphan_continuation = Some(pos);
            }
            pos = next;
            continue;
        }
        match field_name_len(line) {
            Some((name_len, colon)) => {
                finish(&mut open, pos, &mut scan);
                open = Some((pos, pos + colon, pos + name_len));
            }
            None if (scan.fields.is_empty() && open.is_none()) || line.starts_with(b"--") => {
                // No field at all: the body starts here (headerless text).
                // A `--` line (a delimiter of this very multipart, whose
                // boundary is not known until its header ends) starts the
                // body too.
                scan.body_start = pos;
                scan.end = HeaderEnd::BodyLine;
                return scan;
            }
            None => {
                // A stray line inside the header section: skipped, and the
                // section goes on to the empty line, as Python's `email`,
                // GMime and MIME-tools read it.
                finish(&mut open, pos, &mut scan);
                if scan.dropped_line.is_none() {
                    scan.dropped_line = Some(pos);
                }
            }
        }
        pos = next;
    }
    finish(&mut open, raw.len(), &mut scan);
    scan
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(raw: &[u8]) -> (Vec<(String, String)>, usize, HeaderEnd) {
        let s = scan(raw, 0, 0, 100, |_| false);
        (
            s.fields
                .iter()
                .map(|f| {
                    (
                        String::from_utf8_lossy(f.raw_name).into_owned(),
                        String::from_utf8_lossy(f.raw_value()).into_owned(),
                    )
                })
                .collect(),
            s.body_start,
            s.end,
        )
    }

    #[test]
    fn splits_fields_and_continuations() {
        let (f, b, e) = fields(b"A: 1\r\nB : two\r\n  more\r\n\r\nbody");
        assert_eq!(f[0], ("A".into(), "1".into()));
        assert_eq!(f[1], ("B".into(), "two\r\n  more".into()));
        assert_eq!(b, 25);
        assert_eq!(e, HeaderEnd::Blank);
    }

    #[test]
    fn a_stray_line_is_skipped() {
        let (f, b, e) = fields(b"A: 1\nthis is text\nB: 2\n\nx");
        assert_eq!(f.len(), 2);
        assert_eq!(b, 24);
        assert_eq!(e, HeaderEnd::Blank);
        let (f, _, e) = fields(b"text first\nA: 1\n\nx");
        assert!(f.is_empty());
        assert_eq!(e, HeaderEnd::BodyLine);
    }

    #[test]
    fn no_blank_line_runs_to_eof() {
        let (f, b, e) = fields(b"A: 1\nB: 2");
        assert_eq!(f.len(), 2);
        assert_eq!(f[1].1, "2");
        assert_eq!(b, 9);
        assert_eq!(e, HeaderEnd::Eof);
    }

    /// A bare CR cannot be inside a field body (RFC 5322 §2.2): a
    /// structured value ends there, instead of the text after it being read
    /// as a group (`Alice <a@x>\rTo: b@y\rSubject: s` was the group
    /// "s\rDate" with no address).
    #[test]
    fn a_bare_cr_ends_a_structured_value() {
        let raw = b"From: Alice Example <alice@example.org>\rTo: bob@example.net\rSubject: s\rDate: Tue, 3 Mar 2026 10:59:50 +0100\r\rbody\r";
        let s = scan(raw, 0, 0, 10, |_| false);
        assert_eq!(s.fields.len(), 1);
        match s.fields[0].parsed() {
            HeaderValue::Address(a) => {
                assert_eq!(
                    a.first().and_then(|x| x.address()),
                    Some("alice@example.org")
                );
                assert_eq!(a.first().and_then(|x| x.name()), Some("Alice Example"));
                assert!(a.as_group().is_none(), "{a:?}");
            }
            other => panic!("{other:?}"),
        }
        // CRLF folding is not a bare CR; an unstructured field keeps its text.
        let s = scan(
            b"To: a@example.org,\r\n b@example.org\r\nSubject: x\ry\r\n\r\n",
            0,
            0,
            10,
            |_| false,
        );
        match s.fields[0].parsed() {
            HeaderValue::Address(a) => assert_eq!(a.iter().count(), 2),
            other => panic!("{other:?}"),
        }
        assert_eq!(s.fields[1].parsed().as_text(), Some("x\ry"));
    }

    #[test]
    fn typed_values() {
        let s = scan(
            b"From: A <a@example.com>\nMessage-ID: <x@y>\n\n",
            0,
            0,
            10,
            |_| false,
        );
        assert_eq!(s.fields[0].name, HeaderName::From);
        match s.fields[0].parsed() {
            HeaderValue::Address(a) => {
                assert_eq!(a.first().and_then(|x| x.address()), Some("a@example.com"))
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(s.fields[1].parsed().as_text(), Some("x@y"));
    }
}
