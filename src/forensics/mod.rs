//! Header forensics: the path a message travelled, its timing, encryption
//! and authentication, with every claim tied to the header bytes it came
//! from.
//!
//! [`trace`] reads the top-level header of a parsed message and returns a
//! [`Trace`]: the Received chain as [`Hop`]s in delivery order (oldest
//! first) with signed delays, each hop's [`HopKind`], the originating IP,
//! an optional trust boundary, a timeline of events (Date, hops, Resent-*
//! blocks, Return-Path), the authentication header fields, a summary and
//! findings with stable codes: the message's header findings (from
//! [`Message::findings`], see [`header_findings`]) followed by the trace
//! findings (see [`timeline`] for the list and rules).
//!
//! ```
//! # fn main() -> Result<(), emlkit::model::ParseError> {
//! let raw = concat!(
//!     "Received: from mx.example.org (mx.example.org [203.0.113.5])\r\n",
//!     "  by mail.example.net with ESMTPS id 1; Fri, 1 Mar 2024 10:00:05 +0000\r\n",
//!     "Received: from laptop (unknown [192.168.1.2]) by mx.example.org with ESMTPSA id 2;\r\n",
//!     "  Fri, 1 Mar 2024 11:00:02 +0100\r\n",
//!     "From: a@example.org\r\nMessage-ID: <1@example.org>\r\n",
//!     "Date: Fri, 1 Mar 2024 10:00:00 +0000\r\n\r\n",
//! )
//! .as_bytes();
//! let parsed = emlkit::model::parse(raw, 0, emlkit::model::Scope::HeadersOnly)?;
//! let t = emlkit::forensics::trace(&parsed, &emlkit::forensics::Options::at(1709290000));
//! assert_eq!(t.hops.len(), 2);
//! assert_eq!(t.hops[0].by.as_deref(), Some("mx.example.org"));
//! assert_eq!(t.hops[1].delay, Some(3));
//! assert_eq!(t.kinds[0].as_str(), "submission");
//! assert!(t.findings.is_empty());
//! # Ok(())
//! # }
//! ```

pub mod arc;
pub mod auth;
pub mod classify;
pub mod delays;
pub mod dkim;
pub mod hops;
pub mod iocs;
pub mod sender;
pub mod timeline;
pub mod vendors;

pub use classify::HopKind;
pub use hops::Hop;

use crate::model::{self, Finding, Message};
use mail_parser::{HeaderName, HeaderValue};
use std::net::IpAddr;

/// Options of [`trace`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Options {
    /// Trusted receiving hosts (domains match sub-domains) or addresses; see
    /// [`classify::trust`]. Empty by default (no boundary).
    pub trust: Vec<String>,
    /// "Now", in Unix seconds, for `future_date`.
    pub now: i64,
    /// A hop earlier than the previous one by more than this many seconds
    /// is `clock_skew`. Default 0: any step back is reported.
    pub skew_tolerance: i64,
    /// A Date header further than this from the first hop is
    /// `date_far_from_first_hop`. Default 3600 s.
    pub date_far: i64,
    /// A date later than `now` by more than this is `future_date`.
    /// Default 900 s.
    pub future_slack: i64,
    /// Verify DKIM signatures and the ARC chain (body hashes always; the
    /// signatures with [`Options::dkim_keys`]). Default true.
    pub verify: bool,
    /// DKIM/ARC public keys (`--dkim-keys`); None: signatures are
    /// `no_key`, body hashes are still checked.
    pub dkim_keys: Option<std::sync::Arc<dkim::KeyStore>>,
}

impl Default for Options {
    /// The defaults, with "now" read from the system clock (for the
    /// future-date check).
    fn default() -> Options {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        Options::at(now)
    }
}

impl Options {
    /// Defaults, with "now" fixed (tests, reproducible runs).
    pub fn at(now: i64) -> Options {
        Options {
            trust: Vec::new(),
            now,
            skew_tolerance: 0,
            date_far: 3600,
            future_slack: 900,
            verify: true,
            dkim_keys: None,
        }
    }
}

/// A header field the timeline refers to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Field {
    /// The value, unfolded.
    pub text: String,
    /// Byte offset of the field name in the input.
    pub offset: u64,
}

/// One Resent-* block (RFC 5322 §3.6.6): the fields one resending added.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResentBlock {
    /// Resent-Date as written.
    pub date: Option<Field>,
    /// Resent-Date in Unix seconds.
    pub timestamp: Option<i64>,
    /// Resent-From.
    pub from: Option<Field>,
    /// Resent-Sender.
    pub sender: Option<Field>,
    /// Resent-To.
    pub to: Option<Field>,
    /// Resent-Cc.
    pub cc: Option<Field>,
    /// Resent-Bcc.
    pub bcc: Option<Field>,
    /// Resent-Message-ID.
    pub message_id: Option<Field>,
    /// Offset of the block's first field.
    pub offset: u64,
    /// The mailboxes of Resent-From, -Sender, -To, -Cc and -Bcc, by field
    /// (`from`, `sender`, `to`, `cc`, `bcc`), in that order: (display
    /// name, address), as `json`'s address lists have them.
    pub mailboxes: Vec<(&'static str, Vec<Mailbox>)>,
}

/// One mailbox of an address field: display name and address.
pub type Mailbox = (Option<String>, Option<String>);

/// An authentication field with where it is and whether it is trusted.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Located<T> {
    /// The parsed field.
    pub value: T,
    /// Byte offset of the field name.
    pub offset: u64,
    /// Inside the trust boundary (None without `--trust`).
    pub trusted: Option<bool>,
    /// The hop (delivery index) whose receiving host added the field: the
    /// hop received by the claimed authserv-id (nearest to the field when
    /// several are), else the Received field just below the field. None
    /// when neither applies.
    pub hop: Option<usize>,
}

/// The authentication header fields of a message, newest first (header order).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Authentication {
    /// Authentication-Results and ARC-Authentication-Results.
    pub results: Vec<Located<auth::AuthResults>>,
    /// Received-SPF.
    pub received_spf: Vec<Located<auth::ReceivedSpf>>,
    /// DKIM-Signature, ARC-Seal, ARC-Message-Signature.
    pub signatures: Vec<Located<auth::Signature>>,
    /// Each DKIM-Signature verified (header order, see [`dkim`]); empty
    /// when [`Options::verify`] is off.
    pub dkim: Vec<dkim::Verdict>,
    /// The ARC chain checked (see [`arc`]); None without ARC fields.
    pub arc: Option<arc::Chain>,
}

/// Per-method summary entry: the newest claim for that method.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MethodSummary {
    /// `spf`, `dkim`, `dmarc`, `arc`, …
    pub method: String,
    /// The result of the newest (trusted, when `--trust` is given) claim;
    /// for several DKIM results in one field, `pass` if any passed.
    pub result: String,
    /// The authserv-id that claimed it.
    pub authserv_id: String,
    /// Whether that authserv-id is inside the trust boundary.
    pub trusted: Option<bool>,
}

/// The summary of a trace.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Summary {
    /// Number of hops.
    pub hops: usize,
    /// Hops that crossed a network (not `local`, not from loopback).
    pub network_hops: usize,
    /// Network hops with TLS.
    pub tls_hops: usize,
    /// Seconds from the oldest to the newest dated hop.
    pub transit: Option<i64>,
    /// Seconds from the Date header to the newest dated hop.
    pub since_date: Option<i64>,
    /// The hop with the largest positive delay, and that delay.
    pub slowest: Option<(usize, i64)>,
    /// The originating IP (see [`classify::originating_ip`]) and its hop.
    pub origin: Option<(usize, IpAddr)>,
}

/// Everything `trace` found about one message.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Trace {
    /// Hops in delivery order (oldest first).
    pub hops: Vec<Hop>,
    /// One kind per hop.
    pub kinds: Vec<HopKind>,
    /// One trust flag per hop, when a trust list was given.
    pub trusted: Option<Vec<bool>>,
    /// The Date header.
    pub date: Option<Field>,
    /// The Date header in Unix seconds.
    pub date_timestamp: Option<i64>,
    /// Return-Path.
    pub return_path: Option<Field>,
    /// Message-ID.
    pub message_id: Option<Field>,
    /// The From address.
    pub from: Option<String>,
    /// The display name of that From mailbox, when it has one.
    pub from_name: Option<String>,
    /// Resent-* blocks, newest first (header order).
    pub resent: Vec<ResentBlock>,
    /// Authentication fields.
    pub auth: Authentication,
    /// Per-method summary.
    pub auth_summary: Vec<MethodSummary>,
    /// Totals.
    pub summary: Summary,
    /// Anomalies.
    pub findings: Vec<Finding>,
    /// Sender alignment and lookalike domains (see [`sender`]); its
    /// findings are also in `findings`.
    pub sender: sender::Report,
    /// Vendor anti-spam header fields (Microsoft, SpamAssassin, Rspamd,
    /// Proofpoint, Mimecast, Barracuda, Cisco), decoded from the tables
    /// of [`vendors`], in header order.
    pub vendors: Vec<vendors::VendorField>,
}

fn field(h: &model::Field<'_>) -> Field {
    Field {
        text: hops::unfold(h.raw_value()),
        offset: h.offset,
    }
}

/// Traces one parsed message (only its top-level header is read, so
/// `model::parse(bytes, base, Scope::HeadersOnly)` is enough).
pub fn trace(parsed: &Message<'_>, opts: &Options) -> Trace {
    let mut t = Trace::default();
    let mut newest_first: Vec<Hop> = Vec::new();
    let mut limit_findings: Vec<Finding> = Vec::new();
    for h in parsed.headers() {
        let raw = h.raw_value();
        // The field's role, compared without allocating (this loop runs
        // for every field of every message).
        let n = h.raw_name;
        let is = |x: &str| n.eq_ignore_ascii_case(x.as_bytes());
        let role = if is("received") {
            "received"
        } else if is("date") {
            "date"
        } else if is("return-path") {
            "return-path"
        } else if is("message-id") {
            "message-id"
        } else if is("authentication-results") || is("arc-authentication-results") {
            "authentication-results"
        } else if is("received-spf") {
            "received-spf"
        } else if is("dkim-signature") || is("arc-seal") || is("arc-message-signature") {
            "dkim-signature"
        } else {
            ""
        };
        match role {
            "received" => {
                let r = match h.parsed() {
                    HeaderValue::Received(r) => Some(r),
                    _ => None,
                };
                newest_first.push(hops::hop(raw, h.offset, r.as_deref()));
            }
            "date" if t.date.is_none() => {
                t.date = Some(field(h));
                t.date_timestamp = match model::date::parse(raw) {
                    model::date::DateResult::Valid(d) => Some(d.timestamp()),
                    // An impossible date stays unknown, never a guess.
                    model::date::DateResult::Invalid { .. } => None,
                    // The same fallback as for hop dates (asctime and others).
                    model::date::DateResult::Unparseable => {
                        hops::parse_loose_date(&hops::unfold(raw)).map(|d| d.to_timestamp())
                    }
                };
            }
            "return-path" if t.return_path.is_none() => t.return_path = Some(field(h)),
            "message-id" if t.message_id.is_none() => t.message_id = Some(field(h)),
            "authentication-results" => {
                let name = String::from_utf8_lossy(h.raw_name).into_owned();
                if let Some(v) = auth::parse_authentication_results(&name, &hops::unfold(raw)) {
                    if v.dropped > 0 {
                        limit_findings.push(
                            Finding::new(
                                "trace_limit",
                                format!(
                                    "{name} field with {} results; only the first {} are kept",
                                    v.results.len() + v.dropped,
                                    auth::MAX_RESULTS
                                ),
                            )
                            .at(Some(h.offset)),
                        );
                    }
                    let trusted = (!opts.trust.is_empty()).then(|| {
                        opts.trust
                            .iter()
                            .any(|p| classify::host_matches(&v.authserv_id, p))
                    });
                    t.auth.results.push(Located {
                        value: v,
                        offset: h.offset,
                        trusted,
                        hop: Some(newest_first.len()),
                    });
                }
            }
            "received-spf" => {
                if let Some(v) = auth::parse_received_spf(&hops::unfold(raw)) {
                    let trusted = (!opts.trust.is_empty()).then(|| {
                        v.properties.iter().any(|(k, r)| {
                            k == "receiver"
                                && opts.trust.iter().any(|p| classify::host_matches(r, p))
                        })
                    });
                    t.auth.received_spf.push(Located {
                        value: v,
                        offset: h.offset,
                        trusted,
                        hop: Some(newest_first.len()),
                    });
                }
            }
            "dkim-signature" => {
                let name = String::from_utf8_lossy(h.raw_name).into_owned();
                t.auth.signatures.push(Located {
                    value: auth::parse_signature(&name, &hops::unfold(raw)),
                    offset: h.offset,
                    trusted: None,
                    hop: Some(newest_first.len()),
                });
            }
            _ => {
                if let Some(v) = vendor_field(h) {
                    if v.dropped > 0 {
                        limit_findings.push(
                            Finding::new(
                                "trace_limit",
                                format!(
                                    "{} field with {} items; only the first {} are kept",
                                    v.field,
                                    v.items.len() + v.dropped,
                                    vendors::MAX_ITEMS
                                ),
                            )
                            .at(Some(h.offset)),
                        );
                    }
                    t.vendors.push(v);
                }
            }
        }
        if h.name == HeaderName::From && t.from.is_none() {
            if let Some((name, address)) = first_mailbox(h) {
                t.from = Some(address);
                t.from_name = name;
            }
        }
    }
    for group in model::resent::blocks(parsed) {
        let mut b = ResentBlock {
            offset: group.offset,
            ..ResentBlock::default()
        };
        for f in &group.fields {
            let n = String::from_utf8_lossy(f.raw_name).to_ascii_lowercase();
            set_resent(&mut b, &n, field(f));
            let key = match n.as_str() {
                "resent-from" => "from",
                "resent-sender" => "sender",
                "resent-to" => "to",
                "resent-cc" => "cc",
                "resent-bcc" => "bcc",
                _ => continue,
            };
            let list: Vec<Mailbox> = model::address::mailboxes(f)
                .into_iter()
                .map(|m| {
                    (
                        m.name.map(|x| x.into_owned()),
                        m.address.map(|x| x.into_owned()),
                    )
                })
                .collect();
            // A repeated field: the last value, as set_resent keeps it.
            match b.mailboxes.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = list,
                None => b.mailboxes.push((key, list)),
            }
        }
        let order = ["from", "sender", "to", "cc", "bcc"];
        b.mailboxes
            .sort_by_key(|(k, _)| order.iter().position(|o| o == k).unwrap_or(order.len()));
        b.timestamp = b
            .date
            .as_ref()
            .and_then(|d| mail_parser::DateTime::parse_rfc822(&d.text))
            .filter(|d| d.is_valid())
            .map(|d| d.to_timestamp());
        t.resent.push(b);
    }
    newest_first.reverse();
    t.hops = newest_first;
    let mut prev_ts: Option<i64> = None;
    for (i, h) in t.hops.iter_mut().enumerate() {
        h.index = i;
        if let Some(ts) = h.timestamp {
            h.delay = prev_ts.map(|p| ts - p);
            prev_ts = Some(ts);
        }
    }
    t.kinds = t.hops.iter().map(classify::classify).collect();
    t.trusted = classify::trust(&t.hops, &opts.trust);
    // `hop` held the number of Received fields above the field. Which hop
    // added it: the hop whose receiving host is the claimed authserv-id
    // (nearest to the field's position when several match; Gmail writes
    // its Authentication-Results just below its own Received field), or,
    // for a field without an id (Microsoft 365), the Received field just
    // below it. A field without an id is trusted when that hop is.
    let n = t.hops.len();
    let trusted_hops = t.trusted.clone();
    // An index of the receiving hosts, so that placing each of thousands of
    // fields costs a few look-ups, not a scan of every hop (8,000 Received
    // and 8,000 Authentication-Results took 37 s). See: issue 14.
    // Built only when a field needs placing (most messages have none).
    let index = if t.auth.results.is_empty() && t.auth.received_spf.is_empty() {
        classify::HostIndex::default()
    } else {
        classify::HostIndex::new(t.hops.iter().map(|h| h.by.as_deref()))
    };
    let fix = |hop: &mut Option<usize>, trusted: &mut Option<bool>, id: &str| {
        let above = hop.unwrap_or(n);
        // i is a delivery index; n - 1 - i its position from the top.
        let target = n as i64 - 1 - above as i64;
        // A named field belongs to the hop of that host, or to none.
        *hop = if id.is_empty() {
            (above < n).then(|| n - 1 - above)
        } else {
            index.nearest(id, target)
        };
        if let (Some(tr), Some(h), true) = (&trusted_hops, *hop, id.is_empty()) {
            *trusted = tr.get(h).copied();
        }
    };
    for l in &mut t.auth.results {
        let id = l.value.authserv_id.clone();
        fix(&mut l.hop, &mut l.trusted, &id);
    }
    for l in &mut t.auth.received_spf {
        let id = l
            .value
            .properties
            .iter()
            .find(|(k, _)| k == "receiver")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        fix(&mut l.hop, &mut l.trusted, &id);
    }
    // Signatures are made by the sender's side; their position only.
    for l in &mut t.auth.signatures {
        let above = l.hop.unwrap_or(n);
        l.hop = (above < n).then(|| n - 1 - above);
    }
    let mut dkim_findings = Vec::new();
    // Only messages that carry a signature pay for the field index.
    let signed = parsed
        .headers()
        .iter()
        .any(|h| h.is("dkim-signature") || h.is("arc-seal") || h.is("arc-message-signature"));
    if opts.verify && signed {
        let (fields, body) = dkim::message_fields(parsed);
        let mut ctx = dkim::Context::new(&fields, body, opts.dkim_keys.as_deref());
        if ctx.index.count("dkim-signature") > 0 {
            let (v, f) = dkim::verify_message(&mut ctx);
            t.auth.dkim = v;
            dkim_findings = f;
        }
        if let Some((mut chain, f)) = arc::check(&mut ctx) {
            arc::fill_aar(&mut chain, &t.auth.results);
            chain.sealer_hop = sealer_hop(&chain, &fields, &index, n);
            t.auth.arc = Some(chain);
            dkim_findings.extend(f);
        }
    }
    t.auth_summary = timeline::auth_summary(&t.auth, !opts.trust.is_empty());
    t.summary = timeline::summary(&t);
    // One vocabulary: the header facts (missing_date, missing_message_id,
    // duplicate_header, invalid_date, …) come from the message's one
    // analysis, with the same codes and messages as `emlkit json`; the
    // timeline adds only what a trace finds. See: issue 10.
    let mut findings = header_findings(parsed);
    findings.extend(timeline::findings(&t, opts, parsed.message_id().is_some()));
    findings.extend(limit_findings);
    findings.extend(dkim_findings);
    t.sender = sender::analyze(parsed, &t, &opts.trust);
    findings.extend(t.sender.findings.iter().cloned());
    t.findings = findings;
    t
}

/// The hop of the newest ARC sealer: the hop received by the authserv-id
/// of its ARC-Authentication-Results (nearest to that field), else the
/// newest hop received by a host in its seal's `d=` domain.
fn sealer_hop(
    chain: &arc::Chain,
    fields: &[dkim::HeaderField<'_>],
    index: &classify::HostIndex,
    n: usize,
) -> Option<usize> {
    let set = chain.sets.last()?;
    if let (Some(id), Some(off)) = (set.authserv_id.as_deref(), set.aar_offset) {
        let above = fields
            .iter()
            .take_while(|f| f.offset < off)
            .filter(|f| f.name == "received")
            .count();
        let target = n as i64 - 1 - above as i64;
        if let Some(h) = index.nearest(id, target).filter(|_| !id.is_empty()) {
            return Some(h);
        }
    }
    let d = set.seal.as_ref()?.d.as_deref()?;
    index.nearest(d, n as i64 - 1)
}

/// The message's findings as a header-only reader (`trace`, `headers`)
/// reports them: those of [`Message::findings`] that concern the top-level
/// header block: not located (`missing_date`, `missing_message_id`), or
/// located before the top-level body (duplicate fields, 8-bit bytes, dates,
/// stray lines; `no_headers` at the start of a message without a header).
///
/// A header-only parse ([`model::Scope::HeadersOnly`]) does not read the
/// body: what the model would say about it there (`empty_multipart`,
/// `encoding_problem`, …) is not a fact, and a mailbox member's body is not
/// even handed over. Findings about the body and the parts exist only for
/// full parses (`json`, `tree`, `extract`). See: issue 10.
pub fn header_findings(parsed: &Message<'_>) -> Vec<Finding> {
    let (start, body) = match parsed.parts.first().and_then(|p| p.offsets) {
        Some(o) => (o.header, o.body),
        None => return parsed.findings().to_vec(),
    };
    parsed
        .findings()
        .iter()
        .filter(|f| f.offset.is_none_or(|o| o < body || o == start))
        .cloned()
        .collect()
}

/// Decodes a vendor anti-spam field, when the tables know its name.
fn vendor_field(h: &model::Field<'_>) -> Option<vendors::VendorField> {
    let name = std::str::from_utf8(h.raw_name).ok()?;
    vendors::spec(name)?;
    let raw = h.raw_value();
    // The value's offset: both slices borrow the same input.
    let gap = (raw.as_ptr() as usize).saturating_sub(h.raw_name.as_ptr() as usize);
    vendors::decode(name, raw, h.offset + gap as u64, h.offset)
}

fn set_resent(b: &mut ResentBlock, name: &str, f: Field) {
    match name {
        "resent-date" => b.date = Some(f),
        "resent-from" => b.from = Some(f),
        "resent-sender" => b.sender = Some(f),
        "resent-to" => b.to = Some(f),
        "resent-cc" => b.cc = Some(f),
        "resent-bcc" => b.bcc = Some(f),
        "resent-message-id" => b.message_id = Some(f),
        _ => {}
    }
}

/// The first mailbox with an address: (display name, address).
fn first_mailbox(f: &model::Field<'_>) -> Option<(Option<String>, String)> {
    model::address::mailboxes(f).into_iter().find_map(|m| {
        let name = m.name.map(|n| n.into_owned());
        m.address.map(|a| (name, a.into_owned()))
    })
}
