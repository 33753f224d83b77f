//! Builds the `message` record of `emlkit json` and the `part` records of
//! `emlkit tree --json`.

use crate::model::header::decode_text;
use crate::model::{self, Finding, Limits, Parsed, Part, Tree};
use crate::source::Origin;
use base64::Engine;
use mail_parser::{Address, HeaderName, HeaderValue, Host, PartType};
use serde::Serialize;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

/// Raw bytes that serialize as `{"text": …}` or `{"bytes": base64}`.
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

#[derive(Serialize)]
struct HeaderRec<'a> {
    name: std::borrow::Cow<'a, str>,
    raw: Raw<&'a [u8]>,
    decoded: String,
    offset: u64,
}

#[derive(Serialize)]
struct AddrRec<'a> {
    name: Option<&'a str>,
    address: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<Option<&'a str>>,
}

#[derive(Serialize)]
struct DateRec {
    rfc3339: String,
    utc: String,
    timestamp: i64,
}

#[derive(Serialize)]
struct ReceivedFields<'a> {
    from: Option<String>,
    from_ip: Option<String>,
    from_iprev: Option<&'a str>,
    helo: Option<String>,
    by: Option<String>,
    #[serde(rename = "for")]
    for_: Option<&'a str>,
    with: Option<String>,
    tls_version: Option<String>,
    tls_cipher: Option<&'a str>,
    id: Option<&'a str>,
    ident: Option<&'a str>,
    via: Option<&'a str>,
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

#[derive(Serialize)]
struct PartRec<'a> {
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

/// The `message` record of `emlkit json`, ready to serialize. It borrows
/// from the parsed message and its tree, so nothing is copied to build it.
#[derive(Serialize)]
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
    date: Value,
    message_id: Option<&'a str>,
    in_reply_to: Option<Vec<&'a str>>,
    references: Option<Vec<&'a str>>,
    return_path: Option<&'a str>,
    keywords: Option<Vec<&'a str>>,
    comments: Option<Vec<&'a str>>,
    received: Vec<ReceivedRec<'a>>,
    resent: Vec<Map<String, Value>>,
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

/// Raw bytes as `{"text": …}` or `{"bytes": base64}`.
pub fn raw_bytes(b: &[u8]) -> Value {
    match std::str::from_utf8(b) {
        Ok(s) => json!({ "text": s }),
        Err(_) => json!({ "bytes": base64::engine::general_purpose::STANDARD.encode(b) }),
    }
}

/// The `source` object of a record.
pub fn source(origin: &Origin) -> Value {
    serde_json::to_value(SourceRec::new(origin)).unwrap_or(Value::Null)
}

fn datetime(d: &mail_parser::DateTime) -> Value {
    if !d.is_valid() {
        return Value::Null;
    }
    let utc = mail_parser::DateTime::from_timestamp(d.to_timestamp());
    json!({ "rfc3339": d.to_rfc3339(), "utc": utc.to_rfc3339(), "timestamp": d.to_timestamp() })
}

fn host(h: &Option<Host<'_>>) -> Value {
    match h {
        Some(Host::Name(n)) => json!(n),
        Some(Host::IpAddr(ip)) => json!(ip.to_string()),
        None => Value::Null,
    }
}

/// Parsed fields of a Received header, as mail-parser reads them.
pub fn received_fields(r: &mail_parser::Received<'_>) -> Value {
    json!({
        "from": host(&r.from),
        "from_ip": r.from_ip.map(|i| i.to_string()),
        "from_iprev": r.from_iprev.as_deref(),
        "helo": host(&r.helo),
        "by": host(&r.by),
        "for": r.for_.as_deref(),
        "with": r.with.map(|p| format!("{p:?}")),
        "tls_version": r.tls_version.map(|t| format!("{t:?}")),
        "tls_cipher": r.tls_cipher.as_deref(),
        "id": r.id.as_deref(),
        "ident": r.ident.as_deref(),
        "via": r.via.as_deref(),
        "date": r.date.as_ref().map(datetime),
    })
}

/// One `part` object (used by `tree --json`).
pub fn part(p: &Part<'_>, with_hash: bool) -> Value {
    let decoded = (p.kind != model::PartKind::Multipart).then(|| p.decoded());
    serde_json::to_value(part_rec(p, decoded.as_deref(), with_hash, false)).unwrap_or(Value::Null)
}

fn part_rec<'a>(
    p: &'a Part<'_>,
    decoded: Option<&[u8]>,
    with_hash: bool,
    with_content: bool,
) -> PartRec<'a> {
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
        size_decoded: decoded.map(<[u8]>::len),
        sha256: decoded
            .filter(|_| with_hash)
            .map(|d| hex(&Sha256::digest(d))),
        offsets: p.offsets.map(|o| OffsetsRec {
            header: o.header,
            body: o.body,
            end: o.end,
        }),
        content: decoded
            .filter(|_| with_content)
            .map(|d| base64::engine::general_purpose::STANDARD.encode(d)),
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

fn addr_recs<'a>(v: Option<&'a Address<'a>>) -> Option<Vec<AddrRec<'a>>> {
    Some(match v? {
        Address::List(l) => l
            .iter()
            .map(|x| AddrRec {
                name: x.name.as_deref(),
                address: x.address.as_deref(),
                group: None,
            })
            .collect(),
        Address::Group(gs) => gs
            .iter()
            .flat_map(|g| {
                g.addresses.iter().map(move |x| AddrRec {
                    name: x.name.as_deref(),
                    address: x.address.as_deref(),
                    group: Some(g.name.as_deref()),
                })
            })
            .collect(),
    })
}

fn text_list_rec<'a>(v: &'a HeaderValue<'a>) -> Option<Vec<&'a str>> {
    match v {
        HeaderValue::Text(t) => Some(vec![t.as_ref()]),
        HeaderValue::TextList(l) => Some(l.iter().map(|x| x.as_ref()).collect()),
        _ => None,
    }
}

fn date_rec(d: &mail_parser::DateTime) -> Option<DateRec> {
    if !d.is_valid() {
        return None;
    }
    let utc = mail_parser::DateTime::from_timestamp(d.to_timestamp());
    Some(DateRec {
        rfc3339: d.to_rfc3339(),
        utc: utc.to_rfc3339(),
        timestamp: d.to_timestamp(),
    })
}

fn host_string(h: &Option<Host<'_>>) -> Option<String> {
    match h {
        Some(Host::Name(n)) => Some(n.to_string()),
        Some(Host::IpAddr(ip)) => Some(ip.to_string()),
        None => None,
    }
}

fn received_rec<'a>(r: &'a mail_parser::Received<'a>) -> ReceivedFields<'a> {
    ReceivedFields {
        from: host_string(&r.from),
        from_ip: r.from_ip.map(|i| i.to_string()),
        from_iprev: r.from_iprev.as_deref(),
        helo: host_string(&r.helo),
        by: host_string(&r.by),
        for_: r.for_.as_deref(),
        with: r.with.map(|p| format!("{p:?}")),
        tls_version: r.tls_version.map(|t| format!("{t:?}")),
        tls_cipher: r.tls_cipher.as_deref(),
        id: r.id.as_deref(),
        ident: r.ident.as_deref(),
        via: r.via.as_deref(),
        date: r.date.as_ref().and_then(date_rec),
    }
}

/// The whole `message` record as a JSON value (convenience over
/// [`message_record`], which avoids building the value).
pub fn message(origin: &Origin, parsed: &Parsed<'_>, opts: &JsonOptions) -> Value {
    let tree = parsed.tree(&opts.limits);
    serde_json::to_value(message_record(origin, parsed, &tree, opts)).unwrap_or(Value::Null)
}

/// The `message` record of one parsed message and its part tree.
pub fn message_record<'a>(
    origin: &'a Origin,
    parsed: &'a Parsed<'a>,
    tree: &'a Tree<'a>,
    opts: &JsonOptions,
) -> MessageRec<'a> {
    let msg = &parsed.message;
    let raw = parsed.raw;
    let mut findings: Vec<Finding> = tree.findings.clone();
    let root = &msg.parts[0];

    let mut headers = Vec::with_capacity(root.headers.len().min(opts.limits.max_headers));
    let mut received = Vec::new();
    let mut resent: Vec<Map<String, Value>> = Vec::new();
    let mut last_was_resent = false;
    let mut seen: Vec<&HeaderName<'_>> = Vec::new();
    for (i, h) in root.headers.iter().enumerate() {
        if i >= opts.limits.max_headers {
            findings.push(Finding::new(
                "header_limit",
                format!(
                    "more than {} header fields; the rest are not listed",
                    opts.limits.max_headers
                ),
            ));
            break;
        }
        let name = model::raw_name(h, raw);
        let mut value = model::raw_value(h, raw);
        let offset = parsed.abs(h.offset_field);
        if value.len() > opts.limits.max_header_bytes {
            findings.push(
                Finding::new(
                    "header_too_long",
                    format!(
                        "the {} header field is {} bytes long; only the first {} are exported",
                        String::from_utf8_lossy(name),
                        value.len(),
                        opts.limits.max_header_bytes
                    ),
                )
                .at(Some(offset)),
            );
            value = &value[..opts.limits.max_header_bytes];
        }
        let (decoded, exact) = decode_text(value);
        if !value.is_ascii() {
            findings.push(
                Finding::new(
                    "8bit_header",
                    format!(
                        "raw 8-bit bytes in the {} header field{}",
                        String::from_utf8_lossy(name),
                        if exact {
                            " (valid UTF-8)"
                        } else {
                            " (not UTF-8)"
                        }
                    ),
                )
                .at(Some(offset)),
            );
        } else if !exact {
            findings.push(
                Finding::new(
                    "header_decoding",
                    format!(
                        "the {} header field could not be decoded exactly",
                        String::from_utf8_lossy(name)
                    ),
                )
                .at(Some(offset)),
            );
        }
        if model::is_singleton(&h.name) {
            if seen.contains(&&h.name) {
                findings.push(
                    Finding::new(
                        "duplicate_header",
                        format!(
                            "more than one {} header field",
                            String::from_utf8_lossy(name)
                        ),
                    )
                    .at(Some(offset)),
                );
            } else {
                seen.push(&h.name);
            }
        }
        if h.name == HeaderName::Received {
            received.push(ReceivedRec {
                raw: Raw(value),
                offset,
                parsed: match &h.value {
                    HeaderValue::Received(rv) => Some(received_rec(rv)),
                    _ => None,
                },
            });
        }
        if let Some((key, _)) = RESENT.iter().find(|(_, n)| *n == h.name) {
            let start_new = match resent.last() {
                None => true,
                Some(b) => b.contains_key(*key) || !last_was_resent,
            };
            if start_new {
                resent.push(Map::new());
            }
            let v = match &h.value {
                HeaderValue::Address(a) => {
                    serde_json::to_value(addr_recs(Some(a))).unwrap_or(Value::Null)
                }
                HeaderValue::DateTime(d) => {
                    json!({"raw": String::from_utf8_lossy(value), "parsed": date_rec(d)})
                }
                HeaderValue::Text(t) => json!(t),
                _ => json!(decoded),
            };
            if let Some(b) = resent.last_mut() {
                b.insert((*key).into(), v);
                b.entry("offset").or_insert(json!(offset));
            }
            last_was_resent = true;
        } else if h.name != HeaderName::Received {
            last_was_resent = false;
        }
        headers.push(HeaderRec {
            name: String::from_utf8_lossy(name),
            raw: Raw(value),
            decoded,
            offset,
        });
    }

    let date_raw = root
        .headers
        .iter()
        .find(|h| h.name == HeaderName::Date)
        .map(|h| String::from_utf8_lossy(model::raw_value(h, raw)).into_owned());
    let date = match (msg.date(), &date_raw) {
        (Some(d), Some(r)) => match date_rec(d) {
            Some(dr) => {
                json!({"rfc3339": dr.rfc3339, "utc": dr.utc, "timestamp": dr.timestamp, "raw": r})
            }
            None => json!({"raw": r, "rfc3339": null}),
        },
        (None, Some(r)) => {
            findings.push(Finding::new(
                "unparseable_date",
                format!("Date header not understood: {r:?}"),
            ));
            json!({"raw": r, "rfc3339": null})
        }
        _ => Value::Null,
    };
    if date_raw.is_none() {
        findings.push(Finding::new("missing_date", "no Date header field"));
    }
    if msg.message_id().is_none() {
        findings.push(Finding::new(
            "missing_message_id",
            "no Message-ID header field",
        ));
    }

    // Part-level duplicate MIME headers.
    for p in &tree.parts {
        if p.depth == 0 {
            continue;
        }
        let mut seen: Vec<&HeaderName<'_>> = Vec::new();
        for h in &p.mp.headers {
            if matches!(
                h.name,
                HeaderName::ContentType
                    | HeaderName::ContentTransferEncoding
                    | HeaderName::ContentDisposition
            ) {
                if seen.contains(&&h.name) {
                    findings.push(
                        Finding::new(
                            "duplicate_header",
                            format!("more than one {} header field", h.name.as_str()),
                        )
                        .part(&p.id)
                        .at(p.offsets.map(|o| o.header)),
                    );
                }
                seen.push(&h.name);
            }
        }
    }

    // Each part is transfer-decoded once, for its size and, for attachments,
    // its hash.
    let decoded: Vec<Option<std::borrow::Cow<'_, [u8]>>> = tree
        .parts
        .iter()
        .map(|p| (p.kind != model::PartKind::Multipart).then(|| p.decoded()))
        .collect();
    let parts: Vec<PartRec<'_>> = tree
        .parts
        .iter()
        .zip(&decoded)
        .map(|(p, d)| part_rec(p, d.as_deref(), false, opts.with_content))
        .collect();
    let attachments: Vec<AttachmentRec<'_>> = tree
        .parts
        .iter()
        .zip(&decoded)
        .filter(|(p, _)| is_attachment(p))
        .map(|(p, d)| {
            let d: &[u8] = d.as_deref().unwrap_or_default();
            AttachmentRec {
                id: &p.id,
                filename: p.filename.as_deref(),
                content_type: &p.content_type,
                size: d.len(),
                sha256: hex(&Sha256::digest(d)),
            }
        })
        .collect();
    let subject = root
        .headers
        .iter()
        .find(|h| h.name == HeaderName::Subject)
        .map(|h| {
            let v = model::raw_value(h, raw);
            let v = &v[..v.len().min(opts.limits.max_header_bytes)];
            decode_text(v).0.trim().to_string()
        });
    let (text, html) = if opts.no_body {
        (None, None)
    } else {
        let (t, h) = bodies(parsed, tree, &mut findings);
        (Some(t), Some(h))
    };
    MessageRec {
        kind: "message",
        version: crate::export::SCHEMA_VERSION,
        source: SourceRec::new(origin),
        headers,
        from: addr_recs(msg.from()),
        sender: addr_recs(msg.sender()),
        reply_to: addr_recs(msg.reply_to()),
        to: addr_recs(msg.to()),
        cc: addr_recs(msg.cc()),
        bcc: addr_recs(msg.bcc()),
        subject,
        date,
        message_id: msg.message_id(),
        in_reply_to: text_list_rec(msg.in_reply_to()),
        references: text_list_rec(msg.references()),
        return_path: msg.return_address(),
        keywords: text_list_rec(msg.keywords()),
        comments: text_list_rec(msg.comments()),
        received,
        resent,
        parts,
        attachments,
        text,
        html,
        findings,
    }
}

/// Parts that are not readable bodies: a disposition of attachment, a file
/// name, an attached message, or a non-text leaf below the top entity.
fn is_attachment(p: &Part<'_>) -> bool {
    p.kind != model::PartKind::Multipart
        && p.depth > 0
        && (p.disposition.as_deref() == Some("attachment")
            || p.filename.is_some()
            || p.kind == model::PartKind::Message
            || !(p.content_type.starts_with("text/") || p.content_type.starts_with("multipart/")))
        || (p.depth == 0 && p.kind == model::PartKind::Leaf && p.filename.is_some())
}

/// The readable bodies of the top message, as mail-parser selects them.
fn bodies<'a>(
    parsed: &'a Parsed<'a>,
    tree: &'a Tree<'a>,
    findings: &mut Vec<Finding>,
) -> (Vec<BodyRec<'a>>, Vec<BodyRec<'a>>) {
    let mut one = |idx: u32| -> Option<BodyRec<'a>> {
        let our = (*tree.top_ids.get(idx as usize)?)?;
        let p = &tree.parts[our];
        let text: &'a str = match &p.mp.body {
            PartType::Text(t) | PartType::Html(t) => t.as_ref(),
            _ => return None,
        };
        let mut raw = None;
        if text.contains('\u{FFFD}') {
            let d = p.decoded();
            let (_, exact) = model::charset::decode(p.charset.as_deref().unwrap_or("utf-8"), &d);
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
                raw = Some(Raw(d));
            }
        }
        Some(BodyRec {
            id: &p.id,
            content_type: &p.content_type,
            text,
            raw,
        })
    };
    let msg = &parsed.message;
    let text: Vec<BodyRec<'a>> = msg.text_body.iter().filter_map(|&i| one(i)).collect();
    let html: Vec<BodyRec<'a>> = msg
        .html_body
        .iter()
        .filter(|&&i| {
            matches!(
                msg.parts.get(i as usize).map(|p| &p.body),
                Some(PartType::Html(_))
            )
        })
        .filter_map(|&i| one(i))
        .collect();
    (text, html)
}

/// The part of mail-parser's message behind an id, for other commands.
pub fn find_part<'t, 'a>(tree: &'t Tree<'a>, id: &str) -> Option<&'t Part<'a>> {
    tree.parts.iter().find(|p| p.id == id)
}
