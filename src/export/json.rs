//! Builds the `message` record of `emlkit json` and the `part` records of
//! `emlkit tree --json`.

use crate::model::header::decode_text;
use crate::model::{self, Finding, Limits, Parsed, Part, Tree};
use crate::source::Origin;
use base64::Engine;
use mail_parser::{Address, HeaderName, HeaderValue, Host, MessagePart, PartType};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

/// Options of the export.
#[derive(Debug, Clone, Default)]
pub struct JsonOptions {
    /// Leave out the decoded text and html bodies. This is disabled by default.
    pub no_body: bool,
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
    let mut m = Map::new();
    m.insert("path".into(), json!(origin.path));
    m.insert("format".into(), json!(origin.format));
    m.insert("index".into(), json!(origin.index));
    m.insert("offset".into(), json!(origin.offset));
    m.insert("length".into(), json!(origin.length));
    if let Some(f) = &origin.from_line {
        m.insert("from_line".into(), json!(f));
    }
    if let Some(f) = &origin.folder {
        m.insert("folder".into(), json!(f));
    }
    if let Some(f) = &origin.flags {
        m.insert("flags".into(), json!(f));
    }
    Value::Object(m)
}

fn addresses(v: Option<&Address<'_>>) -> Value {
    let Some(a) = v else { return Value::Null };
    let one = |x: &mail_parser::Addr<'_>| json!({ "name": x.name.as_deref(), "address": x.address.as_deref() });
    match a {
        Address::List(l) => Value::Array(l.iter().map(one).collect()),
        Address::Group(gs) => Value::Array(
            gs.iter()
                .flat_map(|g| {
                    let group = g.name.as_deref();
                    g.addresses.iter().map(move |x| {
                        json!({ "name": x.name.as_deref(), "address": x.address.as_deref(), "group": group })
                    })
                })
                .collect(),
        ),
    }
}

fn text_list(v: &HeaderValue<'_>) -> Value {
    match v {
        HeaderValue::Text(t) => json!([t]),
        HeaderValue::TextList(l) => json!(l),
        _ => Value::Null,
    }
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

/// One `part` object (used in the message record and by `tree --json`).
pub fn part(p: &Part<'_>, with_hash: bool) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(p.id));
    m.insert("depth".into(), json!(p.depth));
    m.insert("kind".into(), json!(p.kind.as_str()));
    m.insert("content_type".into(), json!(p.content_type));
    let params: Map<String, Value> = p
        .params
        .iter()
        .map(|x| (x.name.clone(), json!(x.value)))
        .collect();
    m.insert("params".into(), Value::Object(params));
    m.insert("disposition".into(), json!(p.disposition));
    m.insert("filename".into(), json!(p.filename));
    if !p.filename_candidates.is_empty() {
        m.insert(
            "filename_candidates".into(),
            Value::Array(
                p.filename_candidates
                    .iter()
                    .map(|c| json!({"source": c.source, "value": c.value}))
                    .collect(),
            ),
        );
    }
    m.insert("transfer_encoding".into(), json!(p.transfer_encoding));
    m.insert("charset".into(), json!(p.charset));
    m.insert("content_id".into(), json!(p.content_id));
    m.insert("description".into(), json!(p.description));
    m.insert("size_encoded".into(), json!(p.size_encoded));
    if p.kind != model::PartKind::Multipart {
        let d = p.decoded();
        m.insert("size_decoded".into(), json!(d.len()));
        if with_hash {
            m.insert("sha256".into(), json!(hex(&Sha256::digest(&d))));
        }
    }
    m.insert(
        "offsets".into(),
        match p.offsets {
            Some(o) => json!({"header": o.header, "body": o.body, "end": o.end}),
            None => Value::Null,
        },
    );
    Value::Object(m)
}

/// Lower-case hex.
pub fn hex(b: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        let _ = write!(s, "{x:02x}");
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

/// The whole `message` record.
pub fn message(origin: &Origin, parsed: &Parsed<'_>, opts: &JsonOptions) -> Value {
    let msg = &parsed.message;
    let raw = parsed.raw;
    let tree = parsed.tree(&opts.limits);
    let mut findings: Vec<Finding> = tree.findings.clone();
    let root = &msg.parts[0];

    let mut headers = Vec::new();
    let mut received = Vec::new();
    let mut resent: Vec<Map<String, Value>> = Vec::new();
    let mut last_was_resent = false;
    let mut seen: Vec<HeaderName<'_>> = Vec::new();
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
        let value = model::raw_value(h, raw);
        let offset = parsed.abs(h.offset_field);
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
            if seen.contains(&h.name) {
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
                seen.push(h.name.clone());
            }
        }
        headers.push(json!({
            "name": String::from_utf8_lossy(name),
            "raw": raw_bytes(value),
            "decoded": decoded,
            "offset": offset,
        }));
        if h.name == HeaderName::Received {
            let mut r = Map::new();
            r.insert("raw".into(), raw_bytes(value));
            r.insert("offset".into(), json!(offset));
            match &h.value {
                HeaderValue::Received(rv) => {
                    r.insert("parsed".into(), received_fields(rv));
                }
                _ => {
                    r.insert("parsed".into(), Value::Null);
                }
            }
            received.push(Value::Object(r));
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
                HeaderValue::Address(a) => addresses(Some(a)),
                HeaderValue::DateTime(d) => {
                    json!({"raw": String::from_utf8_lossy(value), "parsed": datetime(d)})
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
    }

    let date_raw = root
        .headers
        .iter()
        .find(|h| h.name == HeaderName::Date)
        .map(|h| String::from_utf8_lossy(model::raw_value(h, raw)).into_owned());
    let date = match (msg.date(), &date_raw) {
        (Some(d), Some(r)) => {
            let mut v = datetime(d);
            if let Value::Object(m) = &mut v {
                m.insert("raw".into(), json!(r));
            } else {
                v = json!({"raw": r, "rfc3339": null});
            }
            v
        }
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
        let mut seen: Vec<&HeaderName<'_>> = Vec::new();
        for h in &p.mp.headers {
            if matches!(
                h.name,
                HeaderName::ContentType
                    | HeaderName::ContentTransferEncoding
                    | HeaderName::ContentDisposition
            ) && p.depth > 0
            {
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

    let parts: Vec<Value> = tree.parts.iter().map(|p| part(p, false)).collect();
    let attachments: Vec<Value> = tree
        .parts
        .iter()
        .filter(|p| is_attachment(p, &tree))
        .map(|p| {
            let d = p.decoded();
            json!({
                "id": p.id,
                "filename": p.filename,
                "content_type": p.content_type,
                "size": d.len(),
                "sha256": hex(&Sha256::digest(&d)),
            })
        })
        .collect();

    let mut rec = Map::new();
    rec.insert("type".into(), json!("message"));
    rec.insert("version".into(), json!(crate::export::SCHEMA_VERSION));
    rec.insert("source".into(), source(origin));
    rec.insert("headers".into(), Value::Array(headers));
    rec.insert("from".into(), addresses(msg.from()));
    rec.insert("sender".into(), addresses(msg.sender()));
    rec.insert("reply_to".into(), addresses(msg.reply_to()));
    rec.insert("to".into(), addresses(msg.to()));
    rec.insert("cc".into(), addresses(msg.cc()));
    rec.insert("bcc".into(), addresses(msg.bcc()));
    let subject = root
        .headers
        .iter()
        .find(|h| h.name == HeaderName::Subject)
        .map(|h| decode_text(model::raw_value(h, raw)).0.trim().to_string());
    rec.insert("subject".into(), json!(subject));
    rec.insert("date".into(), date);
    rec.insert("message_id".into(), json!(msg.message_id()));
    rec.insert("in_reply_to".into(), text_list(msg.in_reply_to()));
    rec.insert("references".into(), text_list(msg.references()));
    rec.insert("return_path".into(), json!(msg.return_address()));
    rec.insert("keywords".into(), text_list(msg.keywords()));
    rec.insert("comments".into(), text_list(msg.comments()));
    rec.insert("received".into(), Value::Array(received));
    rec.insert(
        "resent".into(),
        Value::Array(resent.into_iter().map(Value::Object).collect()),
    );
    rec.insert("parts".into(), Value::Array(parts));
    rec.insert("attachments".into(), Value::Array(attachments));
    if !opts.no_body {
        let (text, html) = bodies(parsed, &tree, &mut findings);
        rec.insert("text".into(), Value::Array(text));
        rec.insert("html".into(), Value::Array(html));
    }
    rec.insert(
        "findings".into(),
        serde_json::to_value(&findings).unwrap_or(Value::Array(vec![])),
    );
    Value::Object(rec)
}

/// Adds `"content"` (base64 of the decoded bytes) to every leaf and attached
/// message in the record's `parts`, so that `emlkit build --spec` can rebuild
/// the message without its source file (`emlkit json --with-content`). This
/// is disabled by default: it makes records as large as the messages.
pub fn add_content(rec: &mut Value, parsed: &Parsed<'_>, limits: &Limits) {
    let tree = parsed.tree(limits);
    let Some(Value::Array(parts)) = rec.get_mut("parts") else {
        return;
    };
    for (v, p) in parts.iter_mut().zip(tree.parts.iter()) {
        if p.kind == model::PartKind::Multipart {
            continue;
        }
        if let Value::Object(m) = v {
            let b64 = base64::engine::general_purpose::STANDARD.encode(p.decoded());
            m.insert("content".into(), json!(b64));
        }
    }
}

/// Attachments as mail-parser classifies them for the top message (parts
/// that are not the readable bodies), plus everything inside attached
/// messages that has a name.
fn is_attachment(p: &Part<'_>, tree: &Tree<'_>) -> bool {
    let _ = tree;
    p.kind != model::PartKind::Multipart
        && p.depth > 0
        && (p.disposition.as_deref() == Some("attachment")
            || p.filename.is_some()
            || p.kind == model::PartKind::Message
            || !(p.content_type.starts_with("text/") || p.content_type.starts_with("multipart/")))
        || (p.depth == 0 && p.kind == model::PartKind::Leaf && p.filename.is_some())
}

/// The readable bodies of the top message, as mail-parser selects them.
fn bodies(
    parsed: &Parsed<'_>,
    tree: &Tree<'_>,
    findings: &mut Vec<Finding>,
) -> (Vec<Value>, Vec<Value>) {
    let mut one = |idx: u32| -> Option<Value> {
        let our = (*tree.top_ids.get(idx as usize)?)?;
        let p = &tree.parts[our];
        let text = match &p.mp.body {
            PartType::Text(t) | PartType::Html(t) => t.as_ref(),
            _ => return None,
        };
        let mut v = json!({ "id": p.id, "content_type": p.content_type, "text": text });
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
                v["raw"] = raw_bytes(&d);
            }
        }
        Some(v)
    };
    let msg = &parsed.message;
    let text: Vec<Value> = msg.text_body.iter().filter_map(|&i| one(i)).collect();
    let html: Vec<Value> = msg
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

#[allow(dead_code)]
fn _assert_types(_: &MessagePart<'_>) {}
