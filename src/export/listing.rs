//! The one-line view of a message that `pick`, `scan`, `sort`, `thread` and
//! `dedupe` share (see: issue 13): its reference, date, sender, subject,
//! size, flags and labels, read from the header section only, and its
//! `listing` JSON record (docs/json.md).

use super::json::SourceRec;
use crate::model::{address, header::decode_text, Message};
use crate::source::{reference, Origin};
use mail_parser::{HeaderName, HeaderValue};
use serde::Serialize;

/// What a listing shows of one message; header-only.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct Summary {
    /// The message reference (as in a message list).
    pub reference: String,
    /// The Date as Unix seconds, when valid.
    pub timestamp: Option<i64>,
    /// The Date as written (RFC 3339 with its zone), when valid.
    pub date: Option<String>,
    /// The first From mailbox: display name and address.
    pub from_name: Option<String>,
    /// The first From address.
    pub from_address: Option<String>,
    /// The first To address.
    pub to: Option<String>,
    /// The decoded subject.
    pub subject: Option<String>,
    /// The Message-ID, without `<>`.
    pub message_id: Option<String>,
    /// In-Reply-To ids.
    pub in_reply_to: Vec<String>,
    /// References ids, oldest first.
    pub references: Vec<String>,
    /// The message's size in bytes (without an mbox `From ` line).
    pub size: u64,
    /// Maildir-style flag letters (from `:2,`, or mbox Status/X-Status).
    pub flags: String,
    /// The top-level type suggests attachments (multipart/mixed, or a body
    /// that is neither text nor multipart); a header-only guess.
    pub attachment: bool,
    /// Gmail labels (`X-Gmail-Labels`).
    pub labels: Vec<String>,
    /// Gmail thread id (`X-GM-THRID`).
    pub gmail_thread: Option<String>,
}

/// The size of the message behind `origin`, given the bytes the batch
/// engine handed over (which are only the header block for header-only
/// commands reading an mbox).
pub fn message_size(origin: &Origin, bytes: &[u8]) -> u64 {
    if origin.length > 0 {
        origin
            .length
            .saturating_sub(origin.data_offset.saturating_sub(origin.offset))
    } else {
        bytes.len() as u64
    }
}

fn decoded(msg: &Message<'_>, name: &str) -> Vec<String> {
    msg.headers()
        .iter()
        .filter(|h| h.is(name))
        .map(|h| decode_text(h.raw_value()).0.trim().to_string())
        .collect()
}

/// Flag letters of a message: maildir `:2,` flags when given, else mbox
/// `Status` (R → S) and `X-Status` (A → R, F → F, T → D, D → T).
pub fn flags(msg: &Message<'_>, maildir_flags: Option<&str>) -> String {
    if let Some(f) = maildir_flags {
        return f.to_string();
    }
    let mut out = String::new();
    if decoded(msg, "status").iter().any(|v| v.contains('R')) {
        out.push('S');
    }
    for v in decoded(msg, "x-status") {
        for (c, f) in [('A', 'R'), ('F', 'F'), ('T', 'D'), ('D', 'T')] {
            if v.contains(c) && !out.contains(f) {
                out.push(f);
            }
        }
    }
    let mut v: Vec<char> = out.chars().collect();
    v.sort_unstable();
    v.into_iter().collect()
}

/// The labels of an `X-Gmail-Labels` value: comma-separated, a label in
/// double quotes may hold commas.
pub fn labels(v: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in v.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                let t = cur.trim();
                if !t.is_empty() {
                    out.push(t.to_string());
                }
                cur.clear();
            }
            c => cur.push(c),
        }
    }
    let t = cur.trim();
    if !t.is_empty() {
        out.push(t.to_string());
    }
    out
}

fn ids(v: Option<HeaderValue<'_>>) -> Vec<String> {
    match v {
        Some(HeaderValue::Text(t)) => vec![t.into_owned()],
        Some(HeaderValue::TextList(l)) => l.into_iter().map(|t| t.into_owned()).collect(),
        _ => Vec::new(),
    }
}

impl Summary {
    /// Reads the summary of `msg` (parsed header-only or fully).
    pub fn new(origin: &Origin, msg: &Message<'_>, size: u64) -> Summary {
        let mut s = Summary::brief(origin, msg, size);
        s.in_reply_to = ids(msg.value(&HeaderName::InReplyTo));
        s.references = ids(msg.value(&HeaderName::References));
        s
    }

    /// As [`Summary::new`] without the thread links (`in_reply_to` and
    /// `references` are left empty): what a listing shows, read faster.
    pub fn brief(origin: &Origin, msg: &Message<'_>, size: u64) -> Summary {
        let from = msg
            .headers()
            .iter()
            .find(|h| h.is("from"))
            .and_then(|h| address::mailboxes(h).into_iter().next());
        let to = msg
            .headers()
            .iter()
            .find(|h| h.is("to"))
            .and_then(|h| address::mailboxes(h).into_iter().next());
        let date = msg.date();
        let ct = msg
            .parts
            .first()
            .map(|p| p.content_type.to_ascii_lowercase())
            .unwrap_or_default();
        let attachment = ct == "multipart/mixed"
            || (!ct.starts_with("text/") && !ct.starts_with("multipart/") && !ct.is_empty());
        Summary {
            reference: String::from_utf8_lossy(&reference::of_origin(origin)).into_owned(),
            timestamp: date.map(|d| d.timestamp()),
            date: date.map(|d| d.rfc3339()),
            from_name: from
                .as_ref()
                .and_then(|m| m.name.as_deref())
                .map(str::to_string),
            from_address: from
                .as_ref()
                .and_then(|m| m.address.as_deref())
                .map(str::to_string),
            to: to
                .as_ref()
                .and_then(|m| m.address.as_deref())
                .map(str::to_string),
            subject: msg.subject(),
            message_id: msg.message_id(),
            in_reply_to: Vec::new(),
            references: Vec::new(),
            size,
            flags: flags(
                msg,
                origin
                    .flags
                    .as_deref()
                    .filter(|_| origin.format == "maildir"),
            ),
            attachment,
            labels: decoded(msg, "x-gmail-labels")
                .iter()
                .flat_map(|v| labels(v))
                .collect(),
            gmail_thread: decoded(msg, "x-gm-thrid").into_iter().next(),
        }
    }

    /// The sender as a listing shows it: the display name, else the address.
    pub fn sender(&self) -> &str {
        self.from_name
            .as_deref()
            .filter(|n| !n.is_empty())
            .or(self.from_address.as_deref())
            .unwrap_or("")
    }
}

/// Thread placement of a message, for `thread --json`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ThreadRec {
    /// The thread: the Message-ID (or placeholder id) of its root.
    pub id: String,
    /// The parent's Message-ID, if any (may be a placeholder's).
    pub parent: Option<String>,
    /// 0 for a root.
    pub depth: usize,
}

/// The `listing` record: `{"type":"listing", "ref", "source", "date",
/// "from", "to", "subject", "message_id", "size", "flags", "attachment",
/// "labels"}` (plus `thread` from `thread --json`). Schema 2 (issue 15):
/// `date`, `from` and `to` have the shapes of every record (a date object,
/// address lists; a listing carries the first mailbox of each).
#[derive(Serialize)]
pub struct ListingRec<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "ref")]
    reference: &'a str,
    source: SourceRec<'a>,
    date: Option<DateRec<'a>>,
    from: Option<[FromRec<'a>; 1]>,
    to: Option<[FromRec<'a>; 1]>,
    subject: Option<&'a str>,
    message_id: Option<&'a str>,
    size: u64,
    flags: &'a str,
    attachment: bool,
    labels: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    thread: Option<&'a ThreadRec>,
}

/// The date shape of every record: `{rfc3339, utc, timestamp}`.
#[derive(Serialize)]
struct DateRec<'a> {
    rfc3339: &'a str,
    utc: Option<String>,
    timestamp: Option<i64>,
}

#[derive(Serialize)]
struct FromRec<'a> {
    name: Option<&'a str>,
    address: Option<&'a str>,
}

impl<'a> ListingRec<'a> {
    /// The record of a summary.
    pub fn new(origin: &'a Origin, s: &'a Summary, thread: Option<&'a ThreadRec>) -> Self {
        ListingRec {
            kind: "listing",
            reference: &s.reference,
            source: SourceRec::new(origin),
            date: s.date.as_deref().map(|d| DateRec {
                rfc3339: d,
                utc: s.timestamp.map(crate::forensics::hops::utc),
                timestamp: s.timestamp,
            }),
            from: (s.from_name.is_some() || s.from_address.is_some()).then_some([FromRec {
                name: s.from_name.as_deref(),
                address: s.from_address.as_deref(),
            }]),
            to: s.to.as_deref().map(|a| {
                [FromRec {
                    name: None,
                    address: Some(a),
                }]
            }),
            subject: s.subject.as_deref(),
            message_id: s.message_id.as_deref(),
            size: s.size,
            flags: &s.flags,
            attachment: s.attachment,
            labels: &s.labels,
            thread,
        }
    }
}

/// The `listing` record of a thread placeholder (`thread --json`): a parent
/// that replies refer to but that is not among the messages.
#[derive(Serialize)]
pub struct PlaceholderRec<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "ref")]
    reference: Option<&'a str>,
    placeholder: bool,
    message_id: &'a str,
    thread: &'a ThreadRec,
}

impl<'a> PlaceholderRec<'a> {
    /// The record of the placeholder for `message_id`.
    pub fn new(message_id: &'a str, thread: &'a ThreadRec) -> Self {
        PlaceholderRec {
            kind: "listing",
            reference: None,
            placeholder: true,
            message_id,
            thread,
        }
    }
}
