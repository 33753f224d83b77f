//! The `message` record of `emlkit json`, and the pieces other records share:
//! [`Raw`] bytes, [`SourceRec`], the part record ([`PartRec`], also the
//! `part` record of `tree --json`) and the header record ([`HeaderRec`],
//! also in `headers --json`). Schema in docs/json.md.

use crate::forensics::hops::{protocol_name, tls_version_name};
use crate::model::header::{decode_text, decode_text_cow};
use crate::model::{self, Finding, Limits, Message, Part};
use crate::source::Origin;
use base64::Engine;
use mail_parser::{HeaderName, HeaderValue, Host};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::borrow::Cow;

/// Raw bytes that serialize as `{"text": …}` or `{"bytes": base64}`.
#[non_exhaustive]
pub struct Raw<B: AsRef<[u8]>>(pub B);

impl<B: AsRef<[u8]>> Serialize for Raw<B> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(1))?;
        let b = self.0.as_ref();
        match std::str::from_utf8(b) {
            Ok(t) => m.serialize_entry("text", t)?,
            Err(_) => m.serialize_entry(
                "bytes",
                &base64::engine::general_purpose::STANDARD.encode(b),
            )?,
        }
        m.end()
    }
}

/// `source` of a record.
#[derive(Serialize)]
#[non_exhaustive]
pub struct SourceRec<'a> {
    path: &'a str,
    format: &'a str,
    index: usize,
    offset: u64,
    length: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    from_line: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    folder: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    flags: Option<&'a str>,
}

impl<'a> SourceRec<'a> {
    /// The source of `origin`.
    pub fn new(origin: &'a Origin) -> Self {
        SourceRec {
            path: &origin.path,
            format: origin.format,
            index: origin.index,
            offset: origin.offset,
            length: origin.length,
            from_line: origin.from_line.as_deref(),
            folder: origin.folder.as_deref(),
            flags: origin.flags.as_deref(),
        }
    }
}

/// One header field: `{name, raw, decoded, offset}`.
#[derive(Serialize)]
#[non_exhaustive]
pub struct HeaderRec<'a> {
    name: Cow<'a, str>,
    raw: Raw<&'a [u8]>,
    decoded: Cow<'a, str>,
    offset: u64,
}

impl<'a> HeaderRec<'a> {
    /// A field as named in the message, its raw value (cut to
    /// `max_bytes`) and the value decoded (RFC 2047, charsets).
    pub fn new(h: &crate::model::Field<'a>, max_bytes: usize) -> Self {
        let value = h.raw_value();
        let value = &value[..value.len().min(max_bytes)];
        HeaderRec {
            name: String::from_utf8_lossy(h.raw_name),
            raw: Raw(value),
            // White space before the value (after a fold right behind the
            // colon) is not part of it; trailing white space is. The same
            // rule as `Message::subject`.
            decoded: trim_start_cow(decode_text_cow(value).0),
            offset: h.offset,
        }
    }
}

/// `s` without leading white space, reusing its allocation (or borrowing)
/// when there is none to remove.
fn trim_start_cow(s: Cow<'_, str>) -> Cow<'_, str> {
    match s {
        Cow::Borrowed(b) => Cow::Borrowed(b.trim_start()),
        Cow::Owned(o) => match o.trim_start() {
            t if t.len() == o.len() => Cow::Owned(o),
            t => Cow::Owned(t.to_string()),
        },
    }
}

#[derive(Serialize)]
struct AddrRec<'a> {
    name: Option<Cow<'a, str>>,
    address: Option<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<Option<Cow<'a, str>>>,
}

#[derive(Serialize)]
struct DateRec {
    rfc3339: String,
    utc: String,
    timestamp: i64,
}

#[derive(Serialize)]
struct ReceivedFields<'a> {
    from: Option<Cow<'a, str>>,
    from_ip: Option<String>,
    from_iprev: Option<Cow<'a, str>>,
    helo: Option<Cow<'a, str>>,
    by: Option<Cow<'a, str>>,
    #[serde(rename = "for")]
    for_: Option<Cow<'a, str>>,
    with: Option<&'static str>,
    tls_version: Option<&'static str>,
    tls_cipher: Option<Cow<'a, str>>,
    id: Option<Cow<'a, str>>,
    ident: Option<Cow<'a, str>>,
    via: Option<Cow<'a, str>>,
    date: Option<DateRec>,
}

#[derive(Serialize)]
struct ReceivedRec<'a> {
    raw: Raw<&'a [u8]>,
    offset: u64,
    parsed: Option<ReceivedFields<'a>>,
}

/// Content-Type parameters as a JSON object (a repeated name keeps its
/// first position and its last value, as a map insert would).
struct ParamsRec<'a>(Vec<(&'a str, &'a str)>);

impl Serialize for ParamsRec<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

#[derive(Serialize)]
struct CandidateRec<'a> {
    source: &'a str,
    value: &'a str,
}

#[derive(Serialize)]
struct OffsetsRec {
    header: u64,
    body: u64,
    end: u64,
}

/// One part of the tree (in `parts`, and the `part` record of `tree --json`).
#[derive(Serialize)]
#[non_exhaustive]
pub struct PartRec<'a> {
    id: &'a str,
    depth: usize,
    kind: &'static str,
    content_type: &'a str,
    params: ParamsRec<'a>,
    disposition: Option<&'a str>,
    filename: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    filename_candidates: Vec<CandidateRec<'a>>,
    transfer_encoding: Option<&'a str>,
    charset: Option<&'a str>,
    content_id: Option<&'a str>,
    description: Option<&'a str>,
    size_encoded: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    size_decoded: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sha256: Option<String>,
    offsets: Option<OffsetsRec>,
    #[serde(skip_serializing_if = "Option::is_none")]
    content: Option<String>,
}

#[derive(Serialize)]
struct AttachmentRec<'a> {
    id: &'a str,
    filename: Option<&'a str>,
    content_type: &'a str,
    size: usize,
    sha256: String,
}

#[derive(Serialize)]
struct BodyRec<'a> {
    id: &'a str,
    content_type: &'a str,
    text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    raw: Option<Raw<std::borrow::Cow<'a, [u8]>>>,
}

/// `date` of a message record: `{rfc3339, utc, timestamp, raw}`, or
/// `{raw, rfc3339: null}` for a Date that is not a valid date.
#[derive(Serialize)]
#[serde(untagged)]
enum MessageDateRec<'a> {
    Valid {
        rfc3339: String,
        utc: String,
        timestamp: i64,
        raw: Cow<'a, str>,
    },
    Invalid {
        raw: Cow<'a, str>,
        /// Always null.
        rfc3339: Option<String>,
    },
}

/// The value of one Resent-* field in a `resent` block.
#[derive(Serialize)]
#[serde(untagged)]
enum ResentValue<'a> {
    /// Resent-From, -Sender, -To, -Cc, -Bcc.
    Addresses(Vec<AddrRec<'a>>),
    /// Resent-Date: the date shape of every record (schema 2: `rfc3339`,
    /// `utc`, `timestamp`, null when not a valid date, and `raw`, as
    /// written), as `.date` is.
    Date {
        rfc3339: Option<String>,
        utc: Option<String>,
        timestamp: Option<i64>,
        raw: Cow<'a, str>,
    },
    /// Resent-Message-ID and anything else: text.
    Text(Cow<'a, str>),
}

/// One Resent-* block: the fields present, in the order they are first
/// written (`date`, `from`, `sender`, `to`, `cc`, `bcc`, `message_id`),
/// then `offset`, of its first field.
struct ResentRec<'a> {
    fields: Vec<(&'static str, ResentValue<'a>)>,
    offset: u64,
}

impl Serialize for ResentRec<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.fields.len() + 1))?;
        for (k, v) in &self.fields {
            m.serialize_entry(k, v)?;
        }
        m.serialize_entry("offset", &self.offset)?;
        m.end()
    }
}

/// The `message` record of `emlkit json`, ready to serialize. It borrows
/// from the parsed message and its tree, so nothing is copied to build it.
#[derive(Serialize)]
#[non_exhaustive]
pub struct MessageRec<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    version: u32,
    source: SourceRec<'a>,
    headers: Vec<HeaderRec<'a>>,
    from: Option<Vec<AddrRec<'a>>>,
    sender: Option<Vec<AddrRec<'a>>>,
    reply_to: Option<Vec<AddrRec<'a>>>,
    to: Option<Vec<AddrRec<'a>>>,
    cc: Option<Vec<AddrRec<'a>>>,
    bcc: Option<Vec<AddrRec<'a>>>,
    subject: Option<String>,
    date: Option<MessageDateRec<'a>>,
    message_id: Option<String>,
    in_reply_to: Option<Vec<Cow<'a, str>>>,
    references: Option<Vec<Cow<'a, str>>>,
    return_path: Option<Cow<'a, str>>,
    keywords: Option<Vec<Cow<'a, str>>>,
    comments: Option<Vec<Cow<'a, str>>>,
    /// Gmail labels (`X-Gmail-Labels`); absent without that field.
    #[serde(skip_serializing_if = "Option::is_none")]
    labels: Option<Vec<String>>,
    received: Vec<ReceivedRec<'a>>,
    resent: Vec<ResentRec<'a>>,
    parts: Vec<PartRec<'a>>,
    attachments: Vec<AttachmentRec<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<Vec<BodyRec<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    html: Option<Vec<BodyRec<'a>>>,
    findings: Vec<Finding>,
}

/// Options of the export.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct JsonOptions {
    /// Leave out the decoded text and html bodies. This is disabled by default.
    pub no_body: bool,
    /// Add each leaf's decoded bytes as base64 `content` in `parts` (for
    /// `build --spec`). This is disabled by default: records get as large as
    /// the messages.
    pub with_content: bool,
    /// Limits for the part walk.
    pub limits: Limits,
}

/// One `part` record of the tree: `with_hash` adds the sha256 of the
/// decoded bytes (`tree --json`) to leaves; attached messages get none,
/// since each level of nesting holds the next and hashing every level would
/// cost depth × size. The part is decoded once, streamed.
pub fn part_record<'a>(p: &'a Part<'_>, with_hash: bool) -> PartRec<'a> {
    let hash = with_hash && p.kind == model::PartKind::Leaf;
    part_rec(p, facts(p, hash, false))
}

/// What a part's decoded bytes give its record.
#[derive(Default)]
struct Facts {
    size: Option<usize>,
    sha256: Option<String>,
    content: Option<String>,
}

/// Decodes a part once for its record: streamed (size, and the hash when
/// asked) unless the content itself is wanted. Multiparts have none.
fn facts(p: &Part<'_>, with_hash: bool, with_content: bool) -> Facts {
    if p.kind == model::PartKind::Multipart {
        return Facts::default();
    }
    if with_content {
        let d = p.decoded();
        return Facts {
            size: Some(d.len()),
            sha256: with_hash.then(|| hex(&Sha256::digest(&d))),
            content: Some(base64::engine::general_purpose::STANDARD.encode(&d)),
        };
    }
    if with_hash {
        let (h, n) = p.sha256();
        return Facts {
            size: Some(n),
            sha256: Some(hex(&h)),
            content: None,
        };
    }
    Facts {
        size: Some(p.decoded_size()),
        ..Facts::default()
    }
}

fn part_rec<'a>(p: &'a Part<'_>, facts: Facts) -> PartRec<'a> {
    let mut params: Vec<(&str, &str)> = Vec::with_capacity(p.params.len());
    for x in &p.params {
        match params.iter_mut().find(|(k, _)| *k == x.name) {
            Some(slot) => slot.1 = &x.value,
            None => params.push((&x.name, &x.value)),
        }
    }
    PartRec {
        id: &p.id,
        depth: p.depth,
        kind: p.kind.as_str(),
        content_type: &p.content_type,
        params: ParamsRec(params),
        disposition: p.disposition.as_deref(),
        filename: p.filename.as_deref(),
        filename_candidates: p
            .filename_candidates
            .iter()
            .map(|c| CandidateRec {
                source: c.source,
                value: &c.value,
            })
            .collect(),
        transfer_encoding: p.transfer_encoding.as_deref(),
        charset: p.charset.as_deref(),
        content_id: p.content_id.as_deref(),
        description: p.description.as_deref(),
        size_encoded: p.size_encoded,
        size_decoded: facts.size,
        sha256: facts.sha256,
        offsets: p.offsets.map(|o| OffsetsRec {
            header: o.header,
            body: o.body,
            end: o.end,
        }),
        content: facts.content,
    }
}

/// Lower-case hex.
pub fn hex(b: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        s.push(HEX[(x >> 4) as usize] as char);
        s.push(HEX[(x & 15) as usize] as char);
    }
    s
}

const RESENT: [(&str, HeaderName<'static>); 7] = [
    ("date", HeaderName::ResentDate),
    ("from", HeaderName::ResentFrom),
    ("sender", HeaderName::ResentSender),
    ("to", HeaderName::ResentTo),
    ("cc", HeaderName::ResentCc),
    ("bcc", HeaderName::ResentBcc),
    ("message_id", HeaderName::ResentMessageId),
];

fn addr_recs<'a>(v: Vec<model::address::Mailbox<'a>>) -> Vec<AddrRec<'a>> {
    v.into_iter()
        .map(|m| AddrRec {
            name: m.name,
            address: m.address,
            group: m.group,
        })
        .collect()
}

/// The addresses of the first field with this name; for the recipient
/// fields (To, Cc, Bcc) of every such field in order, since recipients add
/// up (a repeated field is still a `duplicate_header` finding).
fn address_of<'m>(msg: &Message<'m>, name: HeaderName<'_>) -> Option<Vec<AddrRec<'m>>> {
    let additive = matches!(name, HeaderName::To | HeaderName::Cc | HeaderName::Bcc);
    let mut out: Option<Vec<AddrRec<'m>>> = None;
    for f in msg.headers().iter().filter(|f| f.name == name) {
        if let Some(m) = model::address::mailboxes_of(f) {
            out.get_or_insert_with(Vec::new).extend(addr_recs(m));
        }
        if !additive {
            break;
        }
    }
    out
}

/// The labels of the `X-Gmail-Labels` fields (Gmail Takeout), if any.
fn gmail_labels(msg: &Message<'_>) -> Option<Vec<String>> {
    let fields: Vec<_> = msg
        .headers()
        .iter()
        .filter(|h| h.is("x-gmail-labels"))
        .collect();
    if fields.is_empty() {
        return None;
    }
    Some(
        fields
            .iter()
            .flat_map(|h| crate::export::listing::labels(&decode_text(h.raw_value()).0))
            .collect(),
    )
}

fn text_list_rec(v: Option<HeaderValue<'_>>) -> Option<Vec<Cow<'_, str>>> {
    match v? {
        HeaderValue::Text(t) => Some(vec![t]),
        HeaderValue::TextList(l) => Some(l),
        _ => None,
    }
}

fn date_rec(d: &mail_parser::DateTime) -> Option<DateRec> {
    if !d.is_valid() {
        return None;
    }
    let timestamp = d.to_timestamp();
    Some(DateRec {
        rfc3339: crate::model::date::parsed_rfc3339(d),
        // A valid date's instant is within the years 1899-3001, where
        // this is mail-parser's UTC rendering.
        utc: crate::model::date::utc_string(timestamp),
        timestamp,
    })
}

/// A host as text, borrowing a name (most Received hosts) and rendering
/// only an address.
fn host_text(h: Option<Host<'_>>) -> Option<Cow<'_, str>> {
    match h {
        Some(Host::Name(n)) => Some(n),
        Some(Host::IpAddr(ip)) => Some(Cow::Owned(ip.to_string())),
        None => None,
    }
}

fn received_rec(r: mail_parser::Received<'_>) -> ReceivedFields<'_> {
    ReceivedFields {
        from: host_text(r.from),
        from_ip: r.from_ip.map(|i| i.to_string()),
        from_iprev: r.from_iprev,
        helo: host_text(r.helo),
        by: host_text(r.by),
        for_: r.for_,
        // Registered names, as `trace` shows them (`ESMTPS`, `TLSv1.3`),
        // never mail-parser's Debug output. See: issue 10.
        with: r.with.map(protocol_name),
        tls_version: r.tls_version.map(tls_version_name),
        tls_cipher: r.tls_cipher,
        id: r.id,
        ident: r.ident,
        via: r.via,
        date: r.date.as_ref().and_then(date_rec),
    }
}

/// The whole `message` record as a JSON value (convenience over
/// [`message_record`], which avoids building the value).
pub fn message(origin: &Origin, msg: &Message<'_>, opts: &JsonOptions) -> Value {
    serde_json::to_value(message_record(origin, msg, opts)).unwrap_or(Value::Null)
}

/// The `message` record of one parsed message. Every fact comes from the
/// message's one analysis; this only shapes it.
pub fn message_record<'a, 'm: 'a>(
    origin: &'a Origin,
    msg: &'a Message<'m>,
    opts: &JsonOptions,
) -> MessageRec<'a> {
    let max_bytes = msg.limits.max_header_bytes;
    let mut headers = Vec::with_capacity(msg.headers().len());
    let mut received = Vec::new();
    for h in msg.headers() {
        if h.name == HeaderName::Received {
            let value = h.raw_value();
            received.push(ReceivedRec {
                raw: Raw(&value[..value.len().min(max_bytes)]),
                offset: h.offset,
                parsed: match h.parsed() {
                    HeaderValue::Received(rv) => Some(received_rec(*rv)),
                    _ => None,
                },
            });
        }
        headers.push(HeaderRec::new(h, max_bytes));
    }
    let resent = resent_blocks(msg);
    let date = msg.field(&HeaderName::Date).map(|f| {
        let raw = String::from_utf8_lossy(f.raw_value());
        match msg.date() {
            Some(d) => MessageDateRec::Valid {
                rfc3339: d.rfc3339(),
                utc: d.utc_rfc3339(),
                timestamp: d.timestamp(),
                raw,
            },
            None => MessageDateRec::Invalid { raw, rfc3339: None },
        }
    });

    // Bodies first: their decoding also gives their parts' sizes, so text
    // parts are decoded once.
    let mut body_findings: Vec<Finding> = Vec::new();
    let (text, html) = if opts.no_body {
        (None, None)
    } else {
        let (t, h) = bodies(msg, &mut body_findings);
        (Some(t), Some(h))
    };
    // Each part is transfer-decoded once, streamed: for its size and, for
    // attachments, its hash; nothing is kept unless the content is asked for.
    let attachment_set = msg.attachments();
    let mut is_att = vec![false; msg.parts.len()];
    for &i in &attachment_set {
        is_att[i] = true;
    }
    let mut hashes: Vec<Option<String>> = vec![None; msg.parts.len()];
    let parts: Vec<PartRec<'_>> = msg
        .parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut f = facts(p, is_att[i], opts.with_content);
            hashes[i] = f.sha256.take();
            part_rec(p, f)
        })
        .collect();
    let attachments: Vec<AttachmentRec<'_>> = attachment_set
        .iter()
        .map(|&i| {
            let p = &msg.parts[i];
            AttachmentRec {
                id: &p.id,
                filename: p.filename.as_deref(),
                content_type: &p.content_type,
                size: parts[i].size_decoded.unwrap_or(0),
                sha256: hashes[i].take().unwrap_or_default(),
            }
        })
        .collect();
    let mut findings: Vec<Finding> = msg.findings().to_vec();
    findings.append(&mut body_findings);
    MessageRec {
        kind: "message",
        version: crate::export::SCHEMA_VERSION,
        source: SourceRec::new(origin),
        headers,
        from: address_of(msg, HeaderName::From),
        sender: address_of(msg, HeaderName::Sender),
        reply_to: address_of(msg, HeaderName::ReplyTo),
        to: address_of(msg, HeaderName::To),
        cc: address_of(msg, HeaderName::Cc),
        bcc: address_of(msg, HeaderName::Bcc),
        subject: msg.subject(),
        date,
        message_id: msg.message_id(),
        in_reply_to: text_list_rec(msg.value(&HeaderName::InReplyTo)),
        references: text_list_rec(msg.value(&HeaderName::References)),
        return_path: text_list_rec(msg.value(&HeaderName::ReturnPath))
            .and_then(|v| v.into_iter().next()),
        keywords: text_list_rec(msg.value(&HeaderName::Keywords)),
        comments: text_list_rec(msg.value(&HeaderName::Comments)),
        labels: gmail_labels(msg),
        received,
        resent,
        parts,
        attachments,
        text,
        html,
        findings,
    }
}

/// The Resent-* blocks (grouped by [`model::resent::blocks`], the one
/// grouping `trace` uses too).
fn resent_blocks<'m>(msg: &Message<'m>) -> Vec<ResentRec<'m>> {
    let mut out = Vec::new();
    for block in model::resent::blocks(msg) {
        let mut fields: Vec<(&'static str, ResentValue<'m>)> = Vec::new();
        for f in &block.fields {
            let Some((key, _)) = RESENT.iter().find(|(_, n)| *n == f.name) else {
                continue;
            };
            let v = match f.parsed() {
                HeaderValue::Address(_) => {
                    ResentValue::Addresses(addr_recs(model::address::mailboxes(f)))
                }
                HeaderValue::DateTime(d) => {
                    let parsed = date_rec(&d);
                    ResentValue::Date {
                        rfc3339: parsed.as_ref().map(|p| p.rfc3339.clone()),
                        utc: parsed.as_ref().map(|p| p.utc.clone()),
                        timestamp: parsed.as_ref().map(|p| p.timestamp),
                        raw: String::from_utf8_lossy(f.raw_value()),
                    }
                }
                HeaderValue::Text(t) => ResentValue::Text(t),
                _ => ResentValue::Text(Cow::Owned(decode_text(f.raw_value()).0)),
            };
            // A repeated field keeps its first position and its last value.
            match fields.iter_mut().find(|(k, _)| k == key) {
                Some(slot) => slot.1 = v,
                None => fields.push((key, v)),
            }
        }
        out.push(ResentRec {
            fields,
            offset: block.offset,
        });
    }
    out
}

/// The readable bodies of the top message (see [`Message::bodies`]): HTML
/// ones in `html`, the others in `text`.
fn bodies<'a, 'm: 'a>(
    msg: &'a Message<'m>,
    findings: &mut Vec<Finding>,
) -> (Vec<BodyRec<'a>>, Vec<BodyRec<'a>>) {
    let mut rec = |i: usize| -> Option<BodyRec<'a>> {
        let p = &msg.parts[i];
        let (t, exact) = p.decoded_text()?;
        let mut raw = None;
        if !exact {
            findings.push(
                Finding::new(
                    "lossy_text",
                    format!(
                        "bytes not valid in charset {:?} were replaced; the original bytes are in \"raw\"",
                        p.charset.as_deref().unwrap_or("us-ascii")
                    ),
                )
                .part(&p.id)
                .at(p.offsets.map(|o| o.body)),
            );
            raw = Some(Raw(p.decoded()));
        }
        Some(BodyRec {
            id: &p.id,
            content_type: &p.content_type,
            text: t,
            raw,
        })
    };
    let text: Vec<BodyRec<'a>> = msg.text_bodies().into_iter().filter_map(&mut rec).collect();
    let html: Vec<BodyRec<'a>> = msg.html_bodies().into_iter().filter_map(&mut rec).collect();
    (text, html)
}

/// A `finding` record on its own line (`tree --json`, `extract --json`):
/// the finding's keys, then the `source` of its message.
#[derive(Serialize)]
#[non_exhaustive]
pub struct FindingRec<'a> {
    #[serde(flatten)]
    finding: &'a Finding,
    source: &'a SourceRec<'a>,
}

impl<'a> FindingRec<'a> {
    /// The record of `finding`, from the message at `source`.
    pub fn new(finding: &'a Finding, source: &'a SourceRec<'a>) -> Self {
        FindingRec { finding, source }
    }
}
