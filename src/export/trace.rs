//! The `trace` record of `emlkit trace --json` and the `trace_stats` record
//! of `trace --stats --json` (schema in docs/trace.md).
//!
//! One record per message:
//!
//! ```text
//! {"type": "trace", "source", "message_id", "from", "return_path",
//!  "hops": [hop], "events": [event], "authentication", "summary",
//!  "findings": [finding]}
//! ```
//!
//! - `hop`: `hop` (1-based), `offset`, `kind`, `trusted`, `from` {`text`, `helo`,
//!   `helo_cmd`, `rdns`, `ip`, `ident`}, `by`, `via`, `with` (the registered
//!   protocol name, `ESMTPS`, or `local`), `tls` {`used`, `version`
//!   (`TLSv1.3`), `cipher`}, `authenticated`, `id`, `for`, `date`
//!   {`raw`, `utc`, `timestamp`}, `delay`, `parsed`, `raw`.
//! - `event`: `event` (`date`, `hop`, `resent`, `return_path`), `hop` (hop
//!   events, 1-based), `raw`, `offset`, `utc`, `timestamp`, and for Resent
//!   blocks `from`, `sender`, `to`, `cc`, `bcc`, `message_id`; timed events
//!   in time order, Return-Path last.
//! - `findings`: the message's findings (the header facts of
//!   [`Message::findings`](crate::model::Message::findings), the same codes
//!   and messages as `emlkit json`), then what only a trace finds
//!   (`clock_skew`, `broken_chain`, … see [`crate::forensics::timeline`]).
//!
//! Every record here borrows from the [`Trace`]; nothing is copied to build
//! it.

use super::json::{Raw, SourceRec};
use crate::forensics::arc::Chain;
use crate::forensics::auth::{AuthResult, AuthResults, ReceivedSpf, Signature};
use crate::forensics::dkim::{Unsigned, Verdict};
use crate::forensics::hops::{utc, Hop};
use crate::forensics::{Field, Located, MethodSummary, ResentBlock, Trace};
use crate::model::Finding;
use crate::source::Origin;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

/// A message id or a path as every record writes it (schema 2): the text
/// between the angle brackets, surrounding white space removed (`json`'s
/// `.message_id` and `.return_path`). See docs/json.md, "One vocabulary".
fn bare(f: &Option<Field>) -> Option<&str> {
    f.as_ref().map(|f| {
        let t = f.text.trim();
        let t = t.strip_prefix('<').unwrap_or(t);
        t.strip_suffix('>').unwrap_or(t).trim()
    })
}

/// An address as every record writes it: `{"name", "address"}`.
#[derive(Serialize)]
struct AddressRec<'a> {
    name: Option<&'a str>,
    address: Option<&'a str>,
}

#[derive(Serialize)]
struct HopFromRec<'a> {
    text: Option<&'a str>,
    helo: Option<&'a str>,
    helo_cmd: Option<&'static str>,
    rdns: Option<&'a str>,
    ip: Option<String>,
    ident: Option<&'a str>,
}

#[derive(Serialize)]
struct TlsRec<'a> {
    used: bool,
    version: Option<&'a str>,
    cipher: Option<&'a str>,
}

#[derive(Serialize)]
struct HopDateRec<'a> {
    raw: Option<&'a str>,
    utc: Option<String>,
    timestamp: Option<i64>,
}

/// One hop of `hops`.
#[derive(Serialize)]
#[non_exhaustive]
pub struct HopRec<'a> {
    /// 1-based, as the table and the findings number hops (schema 2).
    hop: usize,
    offset: u64,
    kind: &'static str,
    trusted: Option<bool>,
    from: HopFromRec<'a>,
    by: Option<&'a str>,
    via: Option<&'a str>,
    with: Option<&'a str>,
    tls: TlsRec<'a>,
    authenticated: Option<&'a str>,
    id: Option<&'a str>,
    #[serde(rename = "for")]
    for_: Option<&'a str>,
    date: HopDateRec<'a>,
    delay: Option<i64>,
    parsed: bool,
    raw: Raw<&'a [u8]>,
}

impl<'a> HopRec<'a> {
    fn new(h: &'a Hop, kind: &'static str, trusted: Option<bool>) -> Self {
        HopRec {
            hop: h.index + 1,
            offset: h.offset,
            kind,
            trusted,
            from: HopFromRec {
                text: h.from.as_deref(),
                helo: h.helo.as_deref(),
                helo_cmd: h.helo_cmd,
                rdns: h.rdns.as_deref(),
                ip: h.ip.map(|i| i.to_string()),
                ident: h.ident.as_deref(),
            },
            by: h.by.as_deref(),
            via: h.via.as_deref(),
            with: h.with.as_deref(),
            tls: TlsRec {
                used: h.tls,
                version: h.tls_version.as_deref(),
                cipher: h.tls_cipher.as_deref(),
            },
            authenticated: h.authenticated.as_deref(),
            id: h.id.as_deref(),
            for_: h.for_.as_deref(),
            date: HopDateRec {
                raw: h.date_text.as_deref(),
                utc: h.timestamp.map(utc),
                timestamp: h.timestamp,
            },
            delay: h.delay,
            parsed: h.parsed,
            raw: Raw(&h.raw),
        }
    }
}

/// The fields a Resent block adds to its event.
#[derive(Serialize)]
struct ResentEventRec<'a> {
    from: Option<Vec<AddressRec<'a>>>,
    sender: Option<Vec<AddressRec<'a>>>,
    to: Option<Vec<AddressRec<'a>>>,
    cc: Option<Vec<AddressRec<'a>>>,
    bcc: Option<Vec<AddressRec<'a>>>,
    message_id: Option<&'a str>,
}

/// The address list of Resent-`key` (schema 2: the shape of every address
/// field), or null when the block has no such field.
fn mailboxes<'a>(b: &'a ResentBlock, key: &str) -> Option<Vec<AddressRec<'a>>> {
    b.mailboxes.iter().find(|(k, _)| *k == key).map(|(_, l)| {
        l.iter()
            .map(|(name, address)| AddressRec {
                name: name.as_deref(),
                address: address.as_deref(),
            })
            .collect()
    })
}

impl<'a> ResentEventRec<'a> {
    fn new(b: &'a ResentBlock) -> Self {
        ResentEventRec {
            from: mailboxes(b, "from"),
            sender: mailboxes(b, "sender"),
            to: mailboxes(b, "to"),
            cc: mailboxes(b, "cc"),
            bcc: mailboxes(b, "bcc"),
            message_id: bare(&b.message_id),
        }
    }
}

/// One event of the timeline.
#[derive(Serialize)]
#[non_exhaustive]
pub struct EventRec<'a> {
    event: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    hop: Option<usize>,
    raw: Option<&'a str>,
    offset: u64,
    utc: Option<String>,
    timestamp: Option<i64>,
    #[serde(flatten)]
    resent: Option<ResentEventRec<'a>>,
}

impl<'a> EventRec<'a> {
    fn new(event: &'static str, raw: Option<&'a str>, offset: u64, ts: Option<i64>) -> Self {
        EventRec {
            event,
            hop: None,
            raw,
            offset,
            utc: ts.map(utc),
            timestamp: ts,
            resent: None,
        }
    }
}

/// `name=value` pairs as a JSON object: a repeated name keeps its first
/// value, so jq filters stay short (`.properties["header.d"]`).
struct PropertiesRec<'a>(&'a [(String, String)]);

impl Serialize for PropertiesRec<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seen: Vec<&str> = Vec::with_capacity(self.0.len());
        let mut m = s.serialize_map(None)?;
        for (k, v) in self.0 {
            if !seen.contains(&k.as_str()) {
                seen.push(k);
                m.serialize_entry(k, v)?;
            }
        }
        m.end()
    }
}

#[derive(Serialize)]
struct AuthResultRec<'a> {
    method: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<&'a str>,
    result: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<&'a str>,
    properties: PropertiesRec<'a>,
}

impl<'a> AuthResultRec<'a> {
    fn new(r: &'a AuthResult) -> Self {
        AuthResultRec {
            method: &r.method,
            version: r.version.as_deref(),
            result: &r.result,
            reason: r.reason.as_deref(),
            comment: r.comment.as_deref(),
            properties: PropertiesRec(&r.properties),
        }
    }
}

#[derive(Serialize)]
struct AuthResultsRec<'a> {
    field: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    instance: Option<u32>,
    authserv_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    authres_version: Option<&'a str>,
    results: Vec<AuthResultRec<'a>>,
}

impl<'a> From<&'a AuthResults> for AuthResultsRec<'a> {
    fn from(a: &'a AuthResults) -> Self {
        AuthResultsRec {
            field: &a.field,
            instance: a.instance,
            authserv_id: &a.authserv_id,
            authres_version: a.authres_version.as_deref(),
            results: a.results.iter().map(AuthResultRec::new).collect(),
        }
    }
}

#[derive(Serialize)]
struct ReceivedSpfRec<'a> {
    result: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<&'a str>,
    properties: PropertiesRec<'a>,
}

impl<'a> From<&'a ReceivedSpf> for ReceivedSpfRec<'a> {
    fn from(r: &'a ReceivedSpf) -> Self {
        ReceivedSpfRec {
            result: &r.result,
            comment: r.comment.as_deref(),
            properties: PropertiesRec(&r.properties),
        }
    }
}

#[derive(Serialize)]
struct SignatureRec<'a> {
    field: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    i: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    d: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    s: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    a: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    c: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    h: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    t: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    x: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cv: Option<&'a str>,
}

impl<'a> From<&'a Signature> for SignatureRec<'a> {
    fn from(s: &'a Signature) -> Self {
        SignatureRec {
            field: &s.field,
            i: s.i.as_deref(),
            d: s.d.as_deref(),
            s: s.s.as_deref(),
            a: s.a.as_deref(),
            c: s.c.as_deref(),
            h: &s.h,
            t: s.t,
            x: s.x,
            cv: s.cv.as_deref(),
        }
    }
}

/// An authentication field with where it is, whether it is trusted and
/// which hop added it.
#[derive(Serialize)]
struct LocatedRec<R> {
    #[serde(flatten)]
    value: R,
    offset: u64,
    trusted: Option<bool>,
    hop: Option<usize>,
}

fn located<'a, T, R: From<&'a T>>(l: &'a Located<T>) -> LocatedRec<R> {
    LocatedRec {
        value: R::from(&l.value),
        offset: l.offset,
        trusted: l.trusted,
        hop: l.hop.map(|h| h + 1),
    }
}

#[derive(Serialize)]
struct MethodRec<'a> {
    result: &'a str,
    authserv_id: &'a str,
    trusted: Option<bool>,
}

/// The per-method summary as an object keyed by method (each method once).
struct MethodsRec<'a>(&'a [MethodSummary]);

impl Serialize for MethodsRec<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for x in self.0 {
            m.serialize_entry(
                &x.method,
                &MethodRec {
                    result: &x.result,
                    authserv_id: &x.authserv_id,
                    trusted: x.trusted,
                },
            )?;
        }
        m.end()
    }
}

#[derive(Serialize)]
struct AuthenticationRec<'a> {
    summary: MethodsRec<'a>,
    results: Vec<LocatedRec<AuthResultsRec<'a>>>,
    received_spf: Vec<LocatedRec<ReceivedSpfRec<'a>>>,
    signatures: Vec<LocatedRec<SignatureRec<'a>>>,
    dkim: Vec<VerdictRec<'a>>,
    arc: Option<ArcRec<'a>>,
}

#[derive(Serialize)]
struct UnsignedRec<'a> {
    name: &'a str,
    offset: u64,
}

#[derive(Serialize)]
struct SignedRec<'a> {
    name: &'a str,
    offset: Option<u64>,
}

/// One verified DKIM-Signature (or ARC-Message-Signature).
#[derive(Serialize)]
struct VerdictRec<'a> {
    field: &'a str,
    offset: u64,
    d: Option<&'a str>,
    s: Option<&'a str>,
    a: Option<&'a str>,
    c: Option<&'a str>,
    i: Option<&'a str>,
    l: Option<u64>,
    body_hash: &'static str,
    body_length: Option<u64>,
    unsigned_tail: Option<u64>,
    result: &'static str,
    reason: Option<&'a str>,
    key_bits: Option<usize>,
    testing: bool,
    signed: Vec<SignedRec<'a>>,
    unsigned_copies: Vec<UnsignedRec<'a>>,
    unsigned_fields: Vec<UnsignedRec<'a>>,
}

impl<'a> VerdictRec<'a> {
    fn new(v: &'a Verdict) -> Self {
        let un = |u: &'a [Unsigned]| {
            u.iter()
                .map(|u| UnsignedRec {
                    name: &u.name,
                    offset: u.offset,
                })
                .collect()
        };
        VerdictRec {
            field: &v.field,
            offset: v.offset,
            d: v.d.as_deref(),
            s: v.s.as_deref(),
            a: v.a.as_deref(),
            c: v.c.as_deref(),
            i: v.i.as_deref(),
            l: v.l,
            body_hash: v.body_hash.as_str(),
            body_length: v.body_length,
            unsigned_tail: v.unsigned_tail,
            result: v.result.as_str(),
            reason: v.reason.as_deref(),
            key_bits: v.key_bits,
            testing: v.testing,
            signed: v
                .signed
                .iter()
                .map(|s| SignedRec {
                    name: &s.name,
                    offset: s.offset,
                })
                .collect(),
            unsigned_copies: un(&v.unsigned_copies),
            unsigned_fields: un(&v.unsigned_fields),
        }
    }
}

#[derive(Serialize)]
struct SealRec<'a> {
    offset: u64,
    d: Option<&'a str>,
    s: Option<&'a str>,
    a: Option<&'a str>,
    cv: Option<&'a str>,
    result: &'static str,
    reason: Option<&'a str>,
}

#[derive(Serialize)]
struct ArcSetRec<'a> {
    instance: u32,
    authserv_id: Option<&'a str>,
    claimed_arc: Option<&'a str>,
    aar_offset: Option<u64>,
    ams: Option<VerdictRec<'a>>,
    seal: Option<SealRec<'a>>,
}

/// The ARC chain.
#[derive(Serialize)]
struct ArcRec<'a> {
    instances: u32,
    result: &'a str,
    reason: Option<&'a str>,
    sealer_hop: Option<usize>,
    sets: Vec<ArcSetRec<'a>>,
}

impl<'a> ArcRec<'a> {
    fn new(c: &'a Chain) -> Self {
        ArcRec {
            instances: c.instances,
            result: &c.result,
            reason: c.reason.as_deref(),
            sealer_hop: c.sealer_hop.map(|h| h + 1),
            sets: c
                .sets
                .iter()
                .map(|s| ArcSetRec {
                    instance: s.instance,
                    authserv_id: s.authserv_id.as_deref(),
                    claimed_arc: s.claimed_arc.as_deref(),
                    aar_offset: s.aar_offset,
                    ams: s.ams.as_ref().map(VerdictRec::new),
                    seal: s.seal.as_ref().map(|x| SealRec {
                        offset: x.offset,
                        d: x.d.as_deref(),
                        s: x.s.as_deref(),
                        a: x.a.as_deref(),
                        cv: x.cv.as_deref(),
                        result: x.result.as_str(),
                        reason: x.reason.as_deref(),
                    }),
                })
                .collect(),
        }
    }
}

#[derive(Serialize)]
struct SlowestRec {
    hop: usize,
    delay: i64,
}

#[derive(Serialize)]
struct SummaryRec {
    hops: usize,
    network_hops: usize,
    tls_hops: usize,
    transit: Option<i64>,
    since_date: Option<i64>,
    slowest_hop: Option<SlowestRec>,
    origin_ip: Option<String>,
    origin_hop: Option<usize>,
}

/// The `trace` record of one message.
#[derive(Serialize)]
#[non_exhaustive]
pub struct TraceRec<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    source: SourceRec<'a>,
    message_id: Option<&'a str>,
    from: Option<Vec<AddressRec<'a>>>,
    return_path: Option<&'a str>,
    hops: Vec<HopRec<'a>>,
    events: Vec<EventRec<'a>>,
    authentication: AuthenticationRec<'a>,
    summary: SummaryRec,
    findings: &'a [Finding],
    /// Sender alignment and lookalike facts (issue 16).
    sender: &'a crate::forensics::sender::Report,
    /// Indicators, with `--iocs` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    iocs: Option<super::iocs::IocsRec<'a>>,
}

impl<'a> TraceRec<'a> {
    /// The record with an `iocs` section (`trace --iocs`).
    pub fn with_iocs(mut self, iocs: super::iocs::IocsRec<'a>) -> Self {
        self.iocs = Some(iocs);
        self
    }
}

/// Builds the `trace` record of one message.
pub fn record<'a>(origin: &'a Origin, t: &'a Trace) -> TraceRec<'a> {
    let hops = t
        .hops
        .iter()
        .enumerate()
        .map(|(i, h)| {
            HopRec::new(
                h,
                t.kinds[i].as_str(),
                t.trusted.as_ref().and_then(|v| v.get(i).copied()),
            )
        })
        .collect();
    let mut events = Vec::with_capacity(t.hops.len() + t.resent.len() + 2);
    if let Some(d) = &t.date {
        events.push(EventRec::new(
            "date",
            Some(&d.text),
            d.offset,
            t.date_timestamp,
        ));
    }
    for h in &t.hops {
        let mut e = EventRec::new("hop", h.date_text.as_deref(), h.offset, h.timestamp);
        e.hop = Some(h.index + 1);
        events.push(e);
    }
    for b in &t.resent {
        let mut e = EventRec::new(
            "resent",
            b.date.as_ref().map(|d| d.text.as_str()),
            b.offset,
            b.timestamp,
        );
        e.resent = Some(ResentEventRec::new(b));
        events.push(e);
    }
    // Timed events in time order (stable: equal or missing times keep
    // header order); Return-Path, written at final delivery, comes last.
    events.sort_by_key(|e| e.timestamp.unwrap_or(i64::MAX));
    if let Some(rp) = &t.return_path {
        events.push(EventRec::new(
            "return_path",
            Some(&rp.text),
            rp.offset,
            None,
        ));
    }
    let s = &t.summary;
    TraceRec {
        kind: "trace",
        source: SourceRec::new(origin),
        message_id: bare(&t.message_id),
        from: t.from.as_deref().map(|a| {
            vec![AddressRec {
                name: t.from_name.as_deref(),
                address: Some(a),
            }]
        }),
        return_path: bare(&t.return_path),
        hops,
        events,
        authentication: AuthenticationRec {
            summary: MethodsRec(&t.auth_summary),
            results: t.auth.results.iter().map(located).collect(),
            received_spf: t.auth.received_spf.iter().map(located).collect(),
            signatures: t.auth.signatures.iter().map(located).collect(),
            dkim: t.auth.dkim.iter().map(VerdictRec::new).collect(),
            arc: t.auth.arc.as_ref().map(ArcRec::new),
        },
        summary: SummaryRec {
            hops: s.hops,
            network_hops: s.network_hops,
            tls_hops: s.tls_hops,
            transit: s.transit,
            since_date: s.since_date,
            slowest_hop: s.slowest.map(|(hop, delay)| SlowestRec {
                hop: hop + 1,
                delay,
            }),
            origin_ip: s.origin.map(|(_, ip)| ip.to_string()),
            origin_hop: s.origin.map(|(i, _)| i + 1),
        },
        findings: &t.findings,
        sender: &t.sender,
        iocs: None,
    }
}

/// One relay of `trace --stats --json`.
#[derive(Serialize)]
pub struct RelayRec<'a> {
    /// The receiving host, lower-case.
    pub by: &'a str,
    /// Messages it handled.
    pub messages: usize,
    /// Hops it received.
    pub hops: usize,
    /// Median delay of its hops (nearest rank).
    pub median_delay: Option<i64>,
    /// 95th-percentile delay of its hops (nearest rank).
    pub p95_delay: Option<i64>,
    /// Share of its hops with TLS, rounded to three decimals.
    pub tls_share: f64,
}

/// The `trace_stats` record of `trace --stats --json`.
#[derive(Serialize)]
#[non_exhaustive]
pub struct StatsRec<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    messages: usize,
    hops: usize,
    without_received: usize,
    relays: Vec<RelayRec<'a>>,
    findings: &'a std::collections::BTreeMap<&'static str, usize>,
}

impl<'a> StatsRec<'a> {
    /// The record: totals, every relay, and the findings counted by code.
    pub fn new(
        messages: usize,
        hops: usize,
        without_received: usize,
        relays: Vec<RelayRec<'a>>,
        findings: &'a std::collections::BTreeMap<&'static str, usize>,
    ) -> Self {
        StatsRec {
            kind: "trace_stats",
            messages,
            hops,
            without_received,
            relays,
            findings,
        }
    }
}
