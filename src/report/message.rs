//! The report of one message: what it holds (sections as plain structs,
//! filled by [`MessageReport::build`]) and how it is drawn
//! ([`MessageReport::render_section`]).
//!
//! Each section is one struct filled from the library's analyses:
//! [`AuthSection`] (the parsed Authentication-Results, Received-SPF and
//! signature tags, with each DKIM signature and the ARC chain verified
//! offline), [`AlignmentSection`] (`Trace::sender`: alignment by the
//! Public Suffix List, the DMARC verdict, lookalikes), [`IndicatorSection`]
//! ([`forensics::iocs::extract`], defanged when drawn), [`SpamSection`]
//! (vendor fields, decoded by `Trace::vendors`) and
//! [`FindingRow::severity`] ([`model::Severity`]).

use super::html::{self, attr, clip, text};
use crate::extract::{self, sniff};
use crate::forensics::{self, hops::fmt_delay, hops::utc, HopKind, Trace};
use crate::model::{self, address, Finding, Message, PartKind};
use std::fmt::Write as _;

/// Longest raw header section shown, in bytes (the rest is cut, with a note).
pub const MAX_RAW_HEADER: usize = 256 << 10;
/// Longest body excerpt shown, in characters.
pub const MAX_BODY: usize = 8 << 10;
/// Longest single value shown in a table cell, in characters.
pub const MAX_CELL: usize = 2000;
/// Most parts listed in the MIME table (a message may hold 10,000).
pub const MAX_PARTS: usize = 500;
/// Most findings listed (the count is always complete).
pub const MAX_FINDINGS: usize = 1000;
/// Most hops, authentication results and signatures drawn (a hostile
/// message may carry thousands of Received fields); the rest are counted.
pub const MAX_ROWS: usize = 500;

/// The ticket summary.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Summary {
    /// Decoded Subject.
    pub subject: Option<String>,
    /// From, decoded (`Name <address>`).
    pub from: Vec<String>,
    /// To, decoded.
    pub to: Vec<String>,
    /// Cc, decoded.
    pub cc: Vec<String>,
    /// The Date field as written, and in UTC.
    pub date: Option<(String, Option<String>)>,
    /// Message-ID as written.
    pub message_id: Option<String>,
    /// The size of the message in bytes.
    pub size: usize,
}

/// One authentication claim or signature, as the header states it.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct AuthSection {
    /// Per-method verdicts (the newest claim per method; see
    /// [`forensics::MethodSummary`]).
    pub verdicts: Vec<forensics::MethodSummary>,
    /// Every Authentication-Results / ARC-Authentication-Results result:
    /// (field, authserv-id, trusted, hop, method, result, details, offset).
    pub results: Vec<AuthRow>,
    /// DKIM-Signature, ARC-Seal, ARC-Message-Signature tags.
    pub signatures: Vec<SignatureRow>,
    /// What verified the signatures here (`None`: nothing was verified,
    /// the verdicts are the header's claims).
    pub verifier: Option<String>,
    /// The ARC chain as checked offline, in words.
    pub arc: Option<String>,
}

/// One result of an Authentication-Results field.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct AuthRow {
    /// Field name as written.
    pub field: String,
    /// ARC instance.
    pub instance: Option<u32>,
    /// The host that claims it.
    pub authserv_id: String,
    /// Inside the trust boundary (None without a trust list).
    pub trusted: Option<bool>,
    /// The hop that added it (delivery index).
    pub hop: Option<usize>,
    /// Method (`spf`, `dkim`, …).
    pub method: String,
    /// Result (`pass`, `fail`, …).
    pub result: String,
    /// Reason and properties, as `key=value` text.
    pub details: String,
    /// Offset of the field.
    pub offset: u64,
}

/// The tags of one signature field, and its verification when known.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct SignatureRow {
    /// The parsed tags.
    pub tags: forensics::auth::Signature,
    /// Offset of the field.
    pub offset: u64,
    /// Verification result (body hash, signature); `None`: not verified.
    pub verified: Option<String>,
}

/// The sender identities against the From domain, as the trace's sender
/// analysis ([`forensics::sender`]) judged them: alignment by the Public
/// Suffix List (RFC 7489 §3.1), the DMARC verdict, display-name and
/// lookalike findings.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct AlignmentSection {
    /// The From domain (lower-case ASCII), the one the others are
    /// compared with.
    pub from_domain: Option<String>,
    /// Its organizational domain.
    pub from_org_domain: Option<String>,
    /// The From domain as a reader sees it (IDNA decoded), when it differs.
    pub from_unicode: Option<String>,
    /// Each identity (Sender, Reply-To, Return-Path, DKIM `d=`, SPF
    /// mail-from and HELO, the entry hop's HELO) with its strict and
    /// relaxed alignment.
    pub pairs: Vec<forensics::sender::Pair>,
    /// Whether DMARC can align (a DKIM `d=` or SPF mail-from aligned,
    /// relaxed); `None`: neither identity is there.
    pub dmarc_aligned: Option<bool>,
    /// The verdict in words (`DMARC can align`, `DMARC cannot align`).
    pub verdict: Option<String>,
    /// The sender findings (`display_name_address`, `reply_to_unaligned`,
    /// `dmarc_unaligned`, `lookalike_domain`, …).
    pub findings: Vec<Finding>,
}

/// One indicator (URL, domain, IP address, e-mail address), as
/// [`forensics::iocs::extract`] found it; defanged when drawn.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Indicator {
    /// `url`, `domain`, `ip`, `email`.
    pub kind: String,
    /// The value as found (not defanged).
    pub value: String,
    /// An IDNA domain (or address) as a reader sees it.
    pub decoded: Option<String>,
    /// How many times it was seen.
    pub count: usize,
    /// Where it was first seen (`From header`, `part 1.2 href`, …), with
    /// `origin (hop N)` for the origin IP address.
    pub source: String,
    /// The part id of the first place, for a body.
    pub part: Option<String>,
    /// The byte offset of the first place: in the input for a header, in
    /// the part's decoded text for a body.
    pub offset: Option<u64>,
}

/// The indicators of a message.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct IndicatorSection {
    /// The indicators, in order of discovery, without repeats.
    pub items: Vec<Indicator>,
    /// True when the bodies were searched (a full parse).
    pub bodies_searched: bool,
    /// Occurrences not kept beyond [`forensics::iocs::MAX_INDICATORS`].
    pub dropped: usize,
    /// The link findings (`link_text_mismatch`, `url_userinfo`,
    /// `ioc_limit`) and lookalike domains in the bodies.
    pub findings: Vec<Finding>,
}

/// Vendor spam and virus fields.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct SpamSection {
    /// (field name, value as written, offset, what the field is when the
    /// vendor table knows it: `vendor: meaning`).
    pub fields: Vec<(String, String, u64, Option<String>)>,
    /// The fields the vendor table decodes ([`forensics::vendors`], as
    /// `trace`'s `vendors`): each key and value with its meaning.
    pub vendors: Vec<forensics::vendors::VendorField>,
}

/// One row of the MIME table.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct PartRow {
    /// Part id (`1.2`, or a derived `1:uu1`).
    pub id: String,
    /// Depth in the tree.
    pub depth: usize,
    /// Declared content type (or the default).
    pub content_type: String,
    /// Whether the type was declared.
    pub declared: bool,
    /// Disposition.
    pub disposition: Option<String>,
    /// File name, decoded.
    pub filename: Option<String>,
    /// Decoded size of a leaf; the entity's size otherwise.
    pub size: usize,
    /// The type sniffed from the content.
    pub sniffed: Option<&'static str>,
    /// SHA-256 of the decoded bytes (leaves).
    pub sha256: Option<String>,
    /// The file `extract` (default selection) would write.
    pub extracted_as: Option<String>,
}

/// One finding, with its severity when a ranking is known.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct FindingRow {
    /// The finding.
    pub finding: Finding,
    /// Severity: `anomaly` or `observation` ([`model::Severity::of`] the
    /// code); `None` when a caller builds a row without one.
    pub severity: Option<String>,
}

/// Everything shown about one message.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct MessageReport {
    /// Where the message is (`path`, `archive.mbox#3`).
    pub label: String,
    /// The ticket summary.
    pub summary: Summary,
    /// The trace (hops, kinds, trust, summary).
    pub trace: Trace,
    /// Authentication.
    pub auth: AuthSection,
    /// Sender domains.
    pub alignment: AlignmentSection,
    /// Indicators.
    pub indicators: IndicatorSection,
    /// Vendor spam fields.
    pub spam: SpamSection,
    /// The MIME tree.
    pub parts: Vec<PartRow>,
    /// Parts not listed (beyond [`MAX_PARTS`]).
    pub parts_cut: usize,
    /// Every finding: the message's, the trace's, extraction's.
    pub findings: Vec<FindingRow>,
    /// The readable text (or the HTML body's escaped source), cut.
    pub body: Option<(String, String)>,
    /// The raw header section, cut at [`MAX_RAW_HEADER`].
    pub raw_header: String,
    /// Bytes of header not shown.
    pub raw_header_cut: usize,
}

fn mailbox_text(m: &address::Mailbox<'_>) -> String {
    match (&m.name, &m.address) {
        (Some(n), Some(a)) if !n.is_empty() => format!("{n} <{a}>"),
        (_, Some(a)) => a.to_string(),
        (Some(n), None) => n.to_string(),
        (None, None) => String::new(),
    }
}

fn addresses(msg: &Message<'_>, name: &str) -> Vec<String> {
    msg.header(name)
        .map(|f| {
            let v: Vec<String> = address::mailboxes(f).iter().map(mailbox_text).collect();
            if v.is_empty() {
                vec![forensics::hops::unfold(f.raw_value())]
            } else {
                v
            }
        })
        .unwrap_or_default()
}

/// The domain of an address (after the last `@`), lower-case.
pub fn domain_of(addr: &str) -> Option<String> {
    let d = addr.trim().trim_matches(['<', '>']).rsplit_once('@')?.1;
    let d = d.trim().trim_end_matches('.').to_ascii_lowercase();
    (!d.is_empty()).then_some(d)
}

/// Defangs an indicator for display: `hxxp://`, `example[.]com`,
/// `203.0.113[.]5`, `a[@]example[.]com`. Never a link.
pub fn defang(kind: &str, s: &str) -> String {
    match kind {
        "ip" => match s.rfind('.') {
            Some(i) if !s.contains(':') => format!("{}[.]{}", &s[..i], &s[i + 1..]),
            _ => s.replace(':', "[:]"),
        },
        "url" => {
            // Only the scheme becomes `hxxp`; a path may say "http" too.
            let s = match s.get(..4) {
                Some(h) if h.eq_ignore_ascii_case("http") => format!("hxxp{}", &s[4..]),
                _ => s.to_string(),
            };
            s.replace("://", "[://]")
                .replace('.', "[.]")
                .replace('@', "[@]")
        }
        _ => s.replace('.', "[.]").replace('@', "[@]"),
    }
}

/// Header field names (lower-case prefixes) of vendor spam and virus
/// verdicts. See docs/report.md.
const SPAM_FIELDS: &[&str] = &[
    "x-spam",
    "x-ms-exchange-organization-scl",
    "x-ms-exchange-organization-pcl",
    "x-forefront-antispam-report",
    "x-microsoft-antispam",
    "x-mimecast-spam",
    "x-proofpoint-spam",
    "x-barracuda-spam",
    "x-ironport",
    "x-sophos",
    "x-vade",
    "x-rspamd",
    "x-virus",
    "x-gm-",
    "x-google-smtp-source",
];

impl MessageReport {
    /// Builds the report of one parsed message (a full parse: the MIME
    /// table and the indicators need the bodies) and its trace.
    pub fn build(label: &str, msg: &Message<'_>, trace: Trace) -> MessageReport {
        MessageReport::build_trusted(label, msg, trace, &[])
    }

    /// [`MessageReport::build`] with the `--trust` names the trace was
    /// made with: body domains that look like them are findings
    /// (`lookalike_domain`), as in `trace --iocs --trust`.
    pub fn build_trusted(
        label: &str,
        msg: &Message<'_>,
        trace: Trace,
        trust: &[String],
    ) -> MessageReport {
        let mut r = MessageReport {
            label: label.to_string(),
            ..MessageReport::default()
        };
        r.summary = Summary {
            subject: msg.subject(),
            from: addresses(msg, "from"),
            to: addresses(msg, "to"),
            cc: addresses(msg, "cc"),
            date: trace.date.as_ref().map(|d| {
                (
                    d.text.clone(),
                    trace.date_timestamp.map(|t| utc(t).replace('T', " ")),
                )
            }),
            message_id: trace.message_id.as_ref().map(|m| m.text.clone()),
            size: msg.raw.len(),
        };
        r.auth = auth_section(&trace);
        r.alignment = alignment(&trace);
        r.indicators = indicators(msg, &trace, trust);
        // Vendor fields: those the table decodes (by their offset), and
        // the other spam and virus fields as written.
        let decoded: std::collections::HashMap<u64, &forensics::vendors::VendorField> =
            trace.vendors.iter().map(|v| (v.offset, v)).collect();
        for h in msg.headers() {
            let name = String::from_utf8_lossy(h.raw_name).into_owned();
            let l = name.to_ascii_lowercase();
            let vendor = decoded.get(&h.offset);
            if vendor.is_some() || SPAM_FIELDS.iter().any(|p| l.starts_with(p)) {
                let v = forensics::hops::unfold(h.raw_value());
                let what = vendor.map(|f| format!("{}: {}", f.vendor, f.meaning));
                r.spam.fields.push((name, v, h.offset, what));
            }
        }
        r.spam.vendors = trace.vendors.clone();
        // Findings: the message's, then the trace's own (the trace repeats
        // the header findings of the message), then extraction's.
        let mut findings: Vec<Finding> = msg.findings().to_vec();
        // Set look-ups: thousands of findings stay linear.
        let known: std::collections::HashSet<(&str, Option<u64>, &str)> = msg
            .findings()
            .iter()
            .map(|f| (f.code, f.offset, f.message.as_str()))
            .collect();
        for f in &trace.findings {
            if !known.contains(&(f.code, f.offset, f.message.as_str())) {
                findings.push(f.clone());
            }
        }
        // The indicator findings, as `trace --iocs` adds them.
        findings.extend(r.indicators.findings.iter().cloned());
        let plan = extract::plan(msg, &extract::Options::default());
        let mut written: std::collections::HashMap<&str, &str> = Default::default();
        for it in &plan.items {
            written.insert(it.id.as_str(), it.name.as_str());
            findings.extend(it.findings.iter().cloned());
        }
        findings.extend(plan.findings.iter().cloned());
        r.findings = findings
            .into_iter()
            .map(|finding| FindingRow {
                severity: Some(finding.severity().as_str().to_string()),
                finding,
            })
            .collect();
        for (i, p) in msg.parts.iter().enumerate() {
            if i >= MAX_PARTS {
                r.parts_cut = msg.parts.len() - MAX_PARTS;
                break;
            }
            let mut row = PartRow {
                id: p.id.clone(),
                depth: p.depth,
                content_type: p.content_type.clone(),
                declared: p.content_type_declared,
                disposition: p.disposition.clone(),
                filename: p.filename.clone(),
                size: p.size_encoded,
                extracted_as: written.get(p.id.as_str()).map(|s| s.to_string()),
                ..PartRow::default()
            };
            if p.kind == PartKind::Leaf {
                let (hash, size, head) = digest(p);
                row.size = size;
                row.sha256 = Some(crate::export::json::hex(&hash));
                row.sniffed = sniff::sniff(&head);
            }
            r.parts.push(row);
            // Files found inside this part (uuencoded, TNEF).
            for it in plan
                .items
                .iter()
                .filter(|it| it.index == i && it.id.contains(':'))
            {
                use sha2::Digest;
                r.parts.push(PartRow {
                    id: it.id.clone(),
                    depth: p.depth + 1,
                    content_type: it.content_type.clone(),
                    declared: false,
                    disposition: None,
                    filename: it.raw_name.clone(),
                    size: it.data.len(),
                    sniffed: it.sniffed,
                    sha256: Some(crate::export::json::hex(&sha2::Sha256::digest(&it.data))),
                    extracted_as: Some(it.name.clone()),
                });
            }
        }
        r.body = body_excerpt(msg);
        let head = msg
            .parts
            .first()
            .map(|p| p.raw_header())
            .unwrap_or_default();
        let shown = &head[..head.len().min(MAX_RAW_HEADER)];
        r.raw_header = String::from_utf8_lossy(shown).into_owned();
        r.raw_header_cut = head.len() - shown.len();
        r.trace = trace;
        r
    }
}

/// The sha256, size and first 8 KiB of a leaf's decoded bytes, in one pass.
fn digest(p: &model::Part<'_>) -> ([u8; 32], usize, Vec<u8>) {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    let mut n = 0usize;
    let mut head = Vec::new();
    p.decode_stream(&mut |b| {
        h.update(b);
        n += b.len();
        if head.len() < 8192 {
            head.extend_from_slice(&b[..b.len().min(8192 - head.len())]);
        }
    });
    (h.finalize().into(), n, head)
}

fn body_excerpt(msg: &Message<'_>) -> Option<(String, String)> {
    if let Some(t) = msg.text() {
        return Some(("text".into(), clip(t, MAX_BODY).into_owned()));
    }
    let i = *msg.html_bodies().first()?;
    let p = msg.parts.get(i)?;
    let t = p.text()?;
    Some((
        "HTML source (escaped, not rendered)".into(),
        clip(t, MAX_BODY).into_owned(),
    ))
}

fn auth_section(t: &Trace) -> AuthSection {
    let mut a = AuthSection {
        verdicts: t.auth_summary.clone(),
        ..AuthSection::default()
    };
    for l in &t.auth.results {
        for res in &l.value.results {
            let mut details: Vec<String> = Vec::new();
            if let Some(r) = &res.reason {
                details.push(format!("reason={r}"));
            }
            details.extend(res.properties.iter().map(|(k, v)| format!("{k}={v}")));
            a.results.push(AuthRow {
                field: l.value.field.clone(),
                instance: l.value.instance,
                authserv_id: l.value.authserv_id.clone(),
                trusted: l.trusted,
                hop: l.hop,
                method: res.method.clone(),
                result: res.result.clone(),
                details: details.join(" "),
                offset: l.offset,
            });
        }
    }
    for l in &t.auth.received_spf {
        a.results.push(AuthRow {
            field: "Received-SPF".into(),
            authserv_id: l
                .value
                .properties
                .iter()
                .find(|(k, _)| k == "receiver")
                .map(|(_, v)| v.clone())
                .unwrap_or_default(),
            trusted: l.trusted,
            hop: l.hop,
            method: "spf".into(),
            result: l.value.result.clone(),
            details: l
                .value
                .properties
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(" "),
            offset: l.offset,
            ..AuthRow::default()
        });
    }
    // The offline DKIM verification (body hash always; the signature with
    // `--dkim-keys`), matched to its field by offset.
    let by_offset: std::collections::HashMap<u64, &forensics::dkim::Verdict> =
        t.auth.dkim.iter().map(|v| (v.offset, v)).collect();
    for l in &t.auth.signatures {
        let verified = by_offset.get(&l.offset).map(|v| {
            let mut s = format!(
                "signature {}; body hash {}",
                v.result.as_str(),
                v.body_hash.as_str()
            );
            if let Some(r) = &v.reason {
                s.push_str(&format!(" ({})", clip(r, 200)));
            }
            s
        });
        a.signatures.push(SignatureRow {
            tags: l.value.clone(),
            offset: l.offset,
            verified,
        });
    }
    if !t.auth.dkim.is_empty() || t.auth.arc.is_some() {
        a.verifier = Some("emlkit (offline: body hashes; signatures with --dkim-keys)".into());
    }
    if let Some(c) = &t.auth.arc {
        a.arc = Some(format!(
            "ARC chain of {} instance{}: {}{}",
            c.instances,
            if c.instances == 1 { "" } else { "s" },
            c.result,
            c.reason
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default()
        ));
    }
    a
}

fn alignment(t: &Trace) -> AlignmentSection {
    let r = &t.sender;
    let from_unicode = r.from_domain.as_ref().and_then(|fd| {
        r.domains
            .iter()
            .find(|d| &d.ascii == fd && d.unicode != d.ascii)
            .map(|d| d.unicode.clone())
    });
    AlignmentSection {
        from_domain: r.from_domain.clone(),
        from_org_domain: r.from_org_domain.clone(),
        from_unicode,
        pairs: r.pairs.clone(),
        dmarc_aligned: r.dmarc_aligned,
        verdict: r.dmarc_aligned.map(|a| {
            if a {
                "DMARC can align".to_string()
            } else {
                "DMARC cannot align".to_string()
            }
        }),
        findings: r.findings.clone(),
    }
}

fn indicators(msg: &Message<'_>, t: &Trace, trust: &[String]) -> IndicatorSection {
    use forensics::iocs;
    let found = iocs::extract(msg);
    let origin = t.summary.origin.map(|(i, ip)| (i, ip.to_string()));
    let mut s = IndicatorSection {
        // `build` is given a full parse (its documented contract).
        bodies_searched: true,
        dropped: found.dropped,
        findings: found.findings.clone(),
        ..IndicatorSection::default()
    };
    s.findings.extend(iocs::body_lookalikes(&found, t, trust));
    for ind in &found.indicators {
        let first = ind.locations.first();
        let mut source = match first {
            Some(l) => match (&l.part, &l.field) {
                (Some(p), _) => format!("part {p} {}", l.context),
                (None, Some(f)) => format!("{f} header"),
                (None, None) => l.context.to_string(),
            },
            None => String::new(),
        };
        if ind.kind == iocs::Kind::Ip {
            if let Some((i, _)) = origin.as_ref().filter(|(_, o)| *o == ind.value) {
                source = format!("origin (hop {}); {source}", i + 1);
            }
        }
        s.items.push(Indicator {
            kind: ind.kind.as_str().to_string(),
            value: ind.value.clone(),
            decoded: ind.decoded.clone(),
            count: ind.count,
            source,
            part: first.and_then(|l| l.part.clone()),
            offset: first.map(|l| l.offset),
        });
    }
    s
}

fn opt(s: Option<&str>) -> String {
    s.map(|v| text(&clip(v, MAX_CELL))).unwrap_or_default()
}

fn verdict_class(result: &str) -> &'static str {
    match result {
        "pass" => "tag pass",
        "fail" | "softfail" | "permerror" | "temperror" | "hardfail" | "policy" => "tag fail",
        _ => "tag",
    }
}

/// The verdicts as tags (`spf=pass (mx.example.net)`).
pub fn verdict_tags(out: &mut String, verdicts: &[forensics::MethodSummary]) {
    if verdicts.is_empty() {
        out.push_str("<span class=\"muted\">no Authentication-Results</span>");
    }
    for m in verdicts {
        let claimed = if m.trusted == Some(false) {
            ", claimed"
        } else {
            ""
        };
        let _ = write!(
            out,
            "<span class=\"{}\" data-method=\"{}\" data-result=\"{}\">{}={}</span> <span class=\"muted\">{}{claimed}</span> ",
            verdict_class(&m.result),
            attr(&m.method),
            attr(&m.result),
            text(&m.method),
            text(&m.result),
            text(&clip(&m.authserv_id, 80)),
        );
    }
}

/// The offline verification as tags: each DKIM (and ARC-Message)
/// signature's result and body hash, then the ARC chain's result.
pub fn verified_tags(out: &mut String, auth: &forensics::Authentication) {
    if auth.dkim.is_empty() && auth.arc.is_none() {
        out.push_str("<span class=\"muted\">no DKIM signature or ARC set to verify</span>");
        return;
    }
    for v in auth.dkim.iter().take(MAX_ROWS) {
        let (result, body) = (v.result.as_str(), v.body_hash.as_str());
        let class = if body == "mismatch" {
            "tag fail"
        } else {
            verdict_class(result)
        };
        let field = if v.field.eq_ignore_ascii_case("dkim-signature") {
            String::new()
        } else {
            format!("{} ", text(&v.field))
        };
        let _ = write!(
            out,
            "<span class=\"{class}\" data-method=\"dkim\" data-result=\"{}\" data-body-hash=\"{}\">{field}d={}: signature {}; body hash {}</span> ",
            attr(result),
            attr(body),
            text(&clip(v.d.as_deref().unwrap_or("?"), 200)),
            text(result),
            text(body),
        );
    }
    if let Some(c) = &auth.arc {
        let _ = write!(
            out,
            "<span class=\"{}\" data-method=\"arc\" data-result=\"{}\">arc={}</span> <span class=\"muted\">({} instance{})</span>",
            verdict_class(&c.result),
            attr(&c.result),
            text(&c.result),
            c.instances,
            if c.instances == 1 { "" } else { "s" },
        );
    }
}

impl MessageReport {
    /// A complete page for this message alone.
    pub fn render_document(&self) -> String {
        let mut section = String::new();
        self.render_section(&mut section, "m", 3);
        document(self.summary.subject.as_deref(), &section)
    }

    /// This message as a `<section id="{id}">`; `level` is the heading
    /// level of the message title (1 alone, 3 inside a mailbox report).
    pub fn render_section(&self, out: &mut String, id: &str, level: u8) {
        let h = level.clamp(1, 4);
        let h2 = (h + 1).min(6);
        let _ = writeln!(out, "<section class=\"message\" id=\"{id}\">");
        let subject = self.summary.subject.as_deref().unwrap_or("(no subject)");
        let _ = write!(
            out,
            "<h{h} class=\"subject\">{}</h{h}>\n<p class=\"muted mono\">{}</p>\n",
            text(&clip(subject, MAX_CELL)),
            text(&self.label)
        );
        self.summary_html(out, id, h2);
        self.path_html(out, id, h2);
        self.auth_html(out, id, h2);
        self.mime_html(out, id, h2);
        self.indicators_html(out, id, h2);
        self.findings_html(out, id, h2);
        if let Some((kind, body)) = &self.body {
            let _ = write!(
                out,
                "<h{h2} id=\"{id}-body\">Body ({})</h{h2}>\n<details><summary>first {} characters, as text</summary><pre class=\"body\">{}</pre></details>\n",
                text(kind),
                MAX_BODY,
                text(body)
            );
        }
        let _ = write!(
            out,
            "<h{h2} id=\"{id}-header\">Raw header section</h{h2}>\n<pre class=\"raw-header\">{}</pre>\n",
            text(&self.raw_header)
        );
        if self.raw_header_cut > 0 {
            let _ = write!(
                out,
                "<p class=\"muted\">{} more bytes of header not shown.</p>",
                self.raw_header_cut
            );
        }
        out.push_str("</section>\n");
    }

    /// The summary's alignment cell: the DMARC verdict, each identity
    /// with `strict`, `relaxed` or `no`, and the sender findings' codes.
    fn alignment_html(&self) -> String {
        let al = &self.alignment;
        let mut a = String::new();
        let Some(fd) = &al.from_domain else {
            return "<span class=\"muted\">no From domain</span>".into();
        };
        match al.dmarc_aligned {
            Some(true) => a.push_str("<span class=\"ok\" data-dmarc=\"aligned\">DMARC can align</span>"),
            Some(false) => a.push_str("<span class=\"bad\" data-dmarc=\"unaligned\">DMARC cannot align</span> <span class=\"muted\">(no DKIM d= or SPF mail-from shares the From organizational domain)</span>"),
            None => a.push_str("<span class=\"muted\" data-dmarc=\"none\">nothing for DMARC to align (no DKIM d=, no SPF mail-from)</span>"),
        }
        let _ = write!(a, "<br>From <code>{}</code>", text(&defang("domain", fd)));
        if let Some(u) = &al.from_unicode {
            let _ = write!(
                a,
                " <span class=\"warn\">(reads as <code>{}</code>)</span>",
                text(&defang("domain", u))
            );
        }
        if let Some(o) = al.from_org_domain.as_ref().filter(|o| *o != fd) {
            let _ = write!(
                a,
                " <span class=\"muted\">(organizational domain <code>{}</code>)</span>",
                text(&defang("domain", o))
            );
        }
        if !al.pairs.is_empty() {
            a.push_str("<table class=\"alignment\">");
            html::header_row(
                &mut a,
                &[
                    "identity",
                    "domain (defanged)",
                    "organizational domain",
                    "aligned",
                    "offset (n)",
                ],
            );
            for p in al.pairs.iter().take(MAX_ROWS) {
                let (word, class) = match (p.strict, p.relaxed) {
                    (Some(true), _) => ("strict", "ok"),
                    (_, Some(true)) => ("relaxed", "ok"),
                    (Some(false), _) | (_, Some(false)) => ("no", "warn"),
                    // A HELO that is an address literal: nothing compared.
                    (None, None) => ("not a domain", "muted"),
                };
                let domain = p.domain.as_deref().unwrap_or(&p.value);
                let _ = write!(
                    a,
                    "<tr data-identity=\"{}\"><td>{}</td><td><code>{}</code></td><td><code>{}</code></td><td class=\"{class}\" data-aligned=\"{word}\">{word}</td><td class=\"n\">{}</td></tr>",
                    attr(p.identity),
                    text(p.identity),
                    text(&clip(&defang("domain", domain), MAX_CELL)),
                    text(&clip(&defang("domain", p.org_domain.as_deref().unwrap_or("")), MAX_CELL)),
                    p.offset
                );
            }
            a.push_str("</table>");
        }
        if !al.findings.is_empty() {
            a.push_str("<ul class=\"sender-findings\">");
            for f in al.findings.iter().take(MAX_ROWS) {
                let _ = write!(
                    a,
                    "<li data-code=\"{}\"><code class=\"sev-{}\">{}</code> {}</li>",
                    attr(f.code),
                    f.severity().as_str(),
                    text(f.code),
                    text(&clip(&f.message, MAX_CELL))
                );
            }
            a.push_str("</ul>");
        }
        a
    }

    fn summary_html(&self, out: &mut String, id: &str, h: u8) {
        let s = &self.summary;
        let t = &self.trace;
        let _ = write!(
            out,
            "<h{h} id=\"{id}-summary\">Summary</h{h}>\n<dl class=\"kv summary\">"
        );
        let mut row = |k: &str, key: &str, v: String| {
            let _ = write!(out, "<dt>{}</dt><dd data-k=\"{key}\">{v}</dd>", text(k));
        };
        row("Subject", "subject", opt(s.subject.as_deref()));
        row("From", "from", text(&clip(&s.from.join(", "), MAX_CELL)));
        row("To", "to", text(&clip(&s.to.join(", "), MAX_CELL)));
        if !s.cc.is_empty() {
            row("Cc", "cc", text(&clip(&s.cc.join(", "), MAX_CELL)));
        }
        row(
            "Date",
            "date",
            match &s.date {
                Some((raw, Some(u))) => format!(
                    "{} <span class=\"muted\">({} UTC)</span>",
                    text(&clip(raw, 200)),
                    text(u)
                ),
                Some((raw, None)) => format!(
                    "{} <span class=\"bad\">(not a valid date)</span>",
                    text(&clip(raw, 200))
                ),
                None => "<span class=\"muted\">none</span>".into(),
            },
        );
        row("Message-ID", "message-id", opt(s.message_id.as_deref()));
        row(
            "Origin IP",
            "origin",
            t.summary
                .origin
                .map(|(i, ip)| {
                    format!(
                        "<code>{}</code> <span class=\"muted\">(hop {})</span>",
                        text(&defang("ip", &ip.to_string())),
                        i + 1
                    )
                })
                .unwrap_or_else(|| "<span class=\"muted\">unknown</span>".into()),
        );
        row(
            "Transit",
            "transit",
            t.summary
                .transit
                .map(|d| text(&fmt_delay(d)))
                .unwrap_or_else(|| "<span class=\"muted\">unknown</span>".into()),
        );
        row(
            "Hops",
            "hops",
            format!(
                "{} <span class=\"muted\">(TLS on {} of {} network hops)</span>",
                t.hops.len(),
                t.summary.tls_hops,
                t.summary.network_hops
            ),
        );
        let mut v = String::new();
        verdict_tags(&mut v, &self.auth.verdicts);
        row(
            "Authentication (claimed by the receiving servers)",
            "auth",
            v,
        );
        let mut w = String::new();
        verified_tags(&mut w, &t.auth);
        row("Authentication (verified offline by emlkit)", "verified", w);
        let a = self.alignment_html();
        row("Sender alignment", "alignment", a);
        row("Size", "size", format!("{} bytes", s.size));
        // The highest findings: anomalies first, then by frequency.
        let mut codes: Vec<(&str, usize, Option<&str>)> = Vec::new();
        for f in &self.findings {
            match codes.iter_mut().find(|c| c.0 == f.finding.code) {
                Some(c) => c.1 += 1,
                None => codes.push((f.finding.code, 1, f.severity.as_deref())),
            }
        }
        codes.sort_by_key(|c| (severity_rank(c.2), std::cmp::Reverse(c.1)));
        let top: Vec<String> = codes
            .iter()
            .take(6)
            .map(|(c, n, sev)| {
                format!(
                    "<code class=\"sev-{}\">{}</code>{}",
                    attr(sev.unwrap_or("none")),
                    text(c),
                    if *n > 1 {
                        format!(" ×{n}")
                    } else {
                        String::new()
                    }
                )
            })
            .collect();
        row(
            "Findings",
            "findings",
            if top.is_empty() {
                "<span class=\"ok\">none</span>".into()
            } else {
                format!("{} in all: {}", self.findings.len(), top.join(", "))
            },
        );
        out.push_str("</dl>\n");
    }

    fn path_html(&self, out: &mut String, id: &str, h: u8) {
        let t = &self.trace;
        let _ = writeln!(out, "<h{h} id=\"{id}-path\">Delivery path</h{h}>");
        if t.hops.is_empty() {
            out.push_str("<p class=\"muted\">No Received fields.</p>\n");
            return;
        }
        let max = t
            .hops
            .iter()
            .filter_map(|h| h.delay)
            .map(|d| d.unsigned_abs())
            .max()
            .unwrap_or(0)
            .max(1);
        out.push_str("<table class=\"hops\"><colgroup><col style=\"width:3%\"><col style=\"width:12%\"><col style=\"width:7%\"><col style=\"width:12%\"><col style=\"width:20%\"><col style=\"width:17%\"><col style=\"width:7%\"><col style=\"width:9%\"><col style=\"width:13%\"></colgroup>\n");
        html::header_row(
            out,
            &[
                "#",
                "time (UTC)",
                "delay",
                "",
                "from",
                "by",
                "with",
                "TLS",
                "kind",
            ],
        );
        let boundary = t.trusted.as_ref().and_then(|v| v.iter().position(|&x| x));
        for (i, hop) in t.hops.iter().enumerate().take(MAX_ROWS) {
            if boundary == Some(i) && i > 0 {
                out.push_str("<tr class=\"boundary\"><td colspan=\"9\">trust boundary: the hops above are claimed by whoever handed the message over; those below were added by trusted hosts</td></tr>\n");
            }
            let claimed = t
                .trusted
                .as_ref()
                .is_some_and(|v| !v.get(i).copied().unwrap_or(false));
            let _ = write!(
                out,
                "<tr class=\"hop{}\">",
                if claimed { " claimed" } else { "" }
            );
            let time = hop
                .timestamp
                .map(|ts| utc(ts).replace('T', " ").trim_end_matches('Z').to_string())
                .unwrap_or_else(|| "?".into());
            let delay = hop.delay.map(fmt_delay).unwrap_or_default();
            let (bar, delay_class) = match hop.delay {
                Some(d) if d < 0 => (
                    format!("<span class=\"bar neg\" style=\"width:{:.1}%\"></span> <span class=\"bad\">skew</span>", pct(d.unsigned_abs(), max)),
                    " bad",
                ),
                Some(d) => (format!("<span class=\"bar\" style=\"width:{:.1}%\"></span>", pct(d as u64, max)), ""),
                None => (String::new(), ""),
            };
            let mut from = String::new();
            if !hop.is_pickup() {
                from = hop
                    .from
                    .clone()
                    .or_else(|| hop.helo.clone())
                    .unwrap_or_default();
            }
            if let Some(r) = &hop.rdns {
                if *r != from {
                    from = format!("{from} ({r})");
                }
            }
            let ip = hop
                .ip
                .map(|ip| format!(" <code>[{}]</code>", text(&ip.to_string())))
                .unwrap_or_default();
            let tls = if hop.tls {
                format!(
                    "<span class=\"ok\">{}</span>",
                    text(hop.tls_version.as_deref().unwrap_or("yes"))
                )
            } else if t.kinds.get(i) == Some(&HopKind::Local) {
                "<span class=\"muted\">no</span>".into()
            } else {
                "<span class=\"warn\">no</span>".into()
            };
            let kind = t.kinds.get(i).map(|k| k.as_str()).unwrap_or("");
            let _ = writeln!(
                out,
                "<td class=\"n\">{}</td><td title=\"{}\">{}</td><td class=\"n{delay_class}\">{}</td><td>{bar}</td><td>{}{ip}</td><td>{}</td><td>{}</td><td>{tls}</td><td>{}{}</td></tr>",
                i + 1,
                attr(&clip(hop.date_text.as_deref().unwrap_or(""), 200)),
                text(&time),
                text(&delay),
                text(&clip(from.trim(), 300)),
                opt(hop.by.as_deref()),
                opt(hop.with.as_deref()),
                kind,
                if claimed { " <span class=\"muted\">(claimed)</span>" } else { "" },
            );
        }
        out.push_str("</table>\n");
        if t.hops.len() > MAX_ROWS {
            let _ = writeln!(
                out,
                "<p class=\"muted\">{} more hops not drawn.</p>",
                t.hops.len() - MAX_ROWS
            );
        }
        match (&t.trusted, boundary) {
            (None, _) => out.push_str("<p class=\"muted\">No trust boundary: give <code>--trust DOMAIN</code> to mark which hops your own servers added.</p>\n"),
            (Some(_), None) => out.push_str("<p class=\"bad\">No hop was received by a trusted host: every hop is claimed.</p>\n"),
            (Some(_), Some(0)) => out.push_str("<p class=\"ok\">Every hop is inside the trust boundary.</p>\n"),
            _ => {}
        }
    }

    fn auth_html(&self, out: &mut String, id: &str, h: u8) {
        let a = &self.auth;
        let _ = write!(out, "<h{h} id=\"{id}-auth\">Authentication</h{h}>\n<p>");
        verdict_tags(out, &a.verdicts);
        out.push_str("</p>\n");
        match &a.verifier {
            None => out.push_str("<p class=\"muted\">As the header claims them; emlkit did not verify any signature (nothing is looked up).</p>\n"),
            Some(v) => {
                let _ = writeln!(out, "<p class=\"muted\">The verdicts above are the header's claims; the verified column is {}. Nothing is looked up.</p>", text(v));
            }
        }
        if let Some(c) = &a.arc {
            let _ = writeln!(out, "<p class=\"arc\">{}</p>", text(c));
        }
        if !a.results.is_empty() {
            out.push_str("<table class=\"auth\">");
            html::header_row(
                out,
                &[
                    "field",
                    "claimed by",
                    "hop",
                    "method",
                    "result",
                    "details",
                    "offset (n)",
                ],
            );
            for r in a.results.iter().take(MAX_ROWS) {
                let by = match r.trusted {
                    Some(false) => format!(
                        "{} <span class=\"muted\">(outside trust)</span>",
                        text(&r.authserv_id)
                    ),
                    _ => text(&r.authserv_id),
                };
                let _ = writeln!(
                    out,
                    "<tr><td>{}{}</td><td>{by}</td><td>{}</td><td>{}</td><td><span class=\"{}\">{}</span></td><td class=\"mono\">{}</td><td class=\"n\">{}</td></tr>",
                    text(&r.field),
                    r.instance.map(|i| format!(" i={i}")).unwrap_or_default(),
                    r.hop.map(|h| (h + 1).to_string()).unwrap_or_default(),
                    text(&r.method),
                    verdict_class(&r.result),
                    text(&r.result),
                    text(&clip(&r.details, MAX_CELL)),
                    r.offset
                );
            }
            out.push_str("</table>\n");
        }
        if !a.signatures.is_empty() {
            out.push_str("<table class=\"signatures\">");
            html::header_row(
                out,
                &[
                    "field",
                    "d= (domain)",
                    "s= (selector)",
                    "a=",
                    "i= / cv=",
                    "signed fields",
                    "t= / x=",
                    "verified",
                    "offset (n)",
                ],
            );
            for s in a.signatures.iter().take(MAX_ROWS) {
                let g = &s.tags;
                let tx = [g.t, g.x]
                    .iter()
                    .map(|v| v.map(utc).unwrap_or_else(|| "-".into()))
                    .collect::<Vec<_>>()
                    .join(" / ");
                let _ = writeln!(
                    out,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}{}</td><td class=\"mono\">{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td></tr>",
                    text(&g.field),
                    opt(g.d.as_deref()),
                    opt(g.s.as_deref()),
                    opt(g.a.as_deref()),
                    opt(g.i.as_deref()),
                    g.cv.as_deref().map(|c| format!(" cv={}", text(c))).unwrap_or_default(),
                    text(&clip(&g.h.join(":"), MAX_CELL)),
                    text(&tx),
                    s.verified.as_deref().map(text).unwrap_or_else(|| "<span class=\"muted\">not verified</span>".into()),
                    s.offset
                );
            }
            out.push_str("</table>\n");
        }
        if !self.spam.fields.is_empty() {
            let _ = write!(
                out,
                "<h{} id=\"{id}-spam\">Vendor spam verdicts</h{0}>\n<table class=\"spam\">",
                (h + 1).min(6)
            );
            html::header_row(out, &["field", "value as written", "decoded", "offset (n)"]);
            let by_offset: std::collections::HashMap<u64, &forensics::vendors::VendorField> =
                self.spam.vendors.iter().map(|v| (v.offset, v)).collect();
            for (name, value, offset, what) in self.spam.fields.iter().take(MAX_ROWS) {
                let mut dec = String::new();
                match (what, by_offset.get(offset)) {
                    (Some(w), Some(v)) => {
                        let _ = write!(dec, "<span class=\"vendor\">{}</span>", text(w));
                        vendor_items(&mut dec, v);
                    }
                    (Some(w), None) => dec.push_str(&text(w)),
                    (None, _) => dec.push_str("<span class=\"muted\">not decoded</span>"),
                }
                let _ = writeln!(
                    out,
                    "<tr><td>{}</td><td class=\"mono\">{}</td><td>{dec}</td><td class=\"n\">{offset}</td></tr>",
                    text(name),
                    text(&clip(value, MAX_CELL)),
                );
            }
            out.push_str("</table>\n");
        }
    }

    fn mime_html(&self, out: &mut String, id: &str, h: u8) {
        let _ = write!(out, "<h{h} id=\"{id}-mime\">MIME tree</h{h}>\n<table class=\"mime\"><colgroup><col style=\"width:9%\"><col style=\"width:19%\"><col style=\"width:9%\"><col style=\"width:17%\"><col style=\"width:12%\"><col style=\"width:20%\"><col style=\"width:14%\"></colgroup>");
        html::header_row(
            out,
            &[
                "part",
                "type",
                "size (n)",
                "name",
                "sniffed",
                "sha256",
                "extract writes",
            ],
        );
        for p in &self.parts {
            let indent = "\u{00A0}\u{00A0}".repeat(p.depth.min(20));
            let mut ty = text(&p.content_type);
            if !p.declared {
                ty.push_str(" <span class=\"muted\">(default)</span>");
            }
            if let Some(d) = &p.disposition {
                let _ = write!(ty, " <span class=\"muted\">{}</span>", text(d));
            }
            let sniffed = match p.sniffed {
                Some(s) if sniff::is_mismatch(&p.content_type, Some(s)) => {
                    format!("<span class=\"bad\">{}</span>", text(s))
                }
                Some(s) => text(s),
                None => String::new(),
            };
            let _ = writeln!(
                out,
                "<tr data-part=\"{}\"><td class=\"mono\">{indent}{}</td><td>{ty}</td><td class=\"n\">{}</td><td>{}</td><td>{sniffed}</td><td class=\"mono\">{}</td><td>{}</td></tr>",
                attr(&p.id),
                text(&p.id),
                p.size,
                opt(p.filename.as_deref()),
                p.sha256.as_deref().map(text).unwrap_or_default(),
                p.extracted_as.as_deref().map(|n| format!("<span class=\"ok\">yes</span> <code>{}</code>", text(n))).unwrap_or_default(),
            );
        }
        out.push_str("</table>\n");
        if self.parts_cut > 0 {
            let _ = writeln!(
                out,
                "<p class=\"muted\">{} more parts not listed.</p>",
                self.parts_cut
            );
        }
    }

    fn indicators_html(&self, out: &mut String, id: &str, h: u8) {
        let ind = &self.indicators;
        let _ = writeln!(
            out,
            "<h{h} id=\"{id}-indicators\">Indicators ({})</h{h}>",
            ind.items.len()
        );
        if ind.items.is_empty() {
            out.push_str("<p class=\"muted\">none</p>\n");
        } else {
            out.push_str("<table class=\"indicators\">");
            html::header_row(
                out,
                &[
                    "kind",
                    "value (defanged)",
                    "seen (n)",
                    "first found in",
                    "part",
                    "offset (n)",
                ],
            );
            for i in ind.items.iter().take(MAX_ROWS) {
                let decoded = i
                    .decoded
                    .as_deref()
                    .map(|d| {
                        format!(
                            " <span class=\"warn\">(reads as <code>{}</code>)</span>",
                            text(&clip(&defang(&i.kind, d), MAX_CELL))
                        )
                    })
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "<tr data-kind=\"{}\"><td>{}</td><td><code class=\"ioc\">{}</code>{decoded}</td><td class=\"n\">{}</td><td>{}</td><td class=\"mono\">{}</td><td class=\"n\">{}</td></tr>",
                    attr(&i.kind),
                    text(&i.kind),
                    text(&clip(&defang(&i.kind, &i.value), MAX_CELL)),
                    i.count,
                    text(&clip(&i.source, MAX_CELL)),
                    opt(i.part.as_deref()),
                    i.offset.map(|o| o.to_string()).unwrap_or_default()
                );
            }
            out.push_str("</table>\n");
            if ind.items.len() > MAX_ROWS {
                let _ = writeln!(
                    out,
                    "<p class=\"muted\">{} more indicators not listed.</p>",
                    ind.items.len() - MAX_ROWS
                );
            }
        }
        if ind.dropped > 0 {
            let _ = writeln!(
                out,
                "<p class=\"warn\">{} more occurrences beyond {} distinct indicators not kept.</p>",
                ind.dropped,
                forensics::iocs::MAX_INDICATORS
            );
        }
        if !ind.findings.is_empty() {
            out.push_str("<ul class=\"ioc-findings\">");
            for f in ind.findings.iter().take(MAX_ROWS) {
                let _ = write!(
                    out,
                    "<li data-code=\"{}\"><code class=\"sev-{}\">{}</code> {}{}</li>",
                    attr(f.code),
                    f.severity().as_str(),
                    text(f.code),
                    f.part
                        .as_deref()
                        .map(|p| format!("<span class=\"muted\">part {}</span> ", text(p)))
                        .unwrap_or_default(),
                    text(&clip(&f.message, MAX_CELL))
                );
            }
            out.push_str("</ul>\n");
        }
        if !ind.bodies_searched {
            out.push_str(
                "<p class=\"muted\">From the header only: the bodies were not parsed.</p>\n",
            );
        }
    }

    fn findings_html(&self, out: &mut String, id: &str, h: u8) {
        let _ = writeln!(
            out,
            "<h{h} id=\"{id}-findings\">Findings ({})</h{h}>",
            self.findings.len()
        );
        if self.findings.is_empty() {
            out.push_str("<p class=\"ok\">none</p>\n");
            return;
        }
        out.push_str("<table class=\"findings\"><colgroup><col style=\"width:18%\"><col style=\"width:8%\"><col style=\"width:7%\"><col style=\"width:10%\"><col style=\"width:57%\"></colgroup>");
        html::header_row(out, &["code", "severity", "part", "offset (n)", "message"]);
        for f in self.findings.iter().take(MAX_FINDINGS) {
            let g = &f.finding;
            let _ = writeln!(
                out,
                "<tr data-code=\"{}\"><td><code>{}</code></td><td class=\"sev\">{}</td><td class=\"mono\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
                attr(g.code),
                text(g.code),
                f.severity.as_deref().map(text).unwrap_or_else(|| "<span class=\"muted\">-</span>".into()),
                opt(g.part.as_deref()),
                g.offset.map(|o| o.to_string()).unwrap_or_default(),
                text(&clip(&g.message, MAX_CELL))
            );
        }
        out.push_str("</table>\n");
        if self.findings.len() > MAX_FINDINGS {
            let _ = writeln!(
                out,
                "<p class=\"muted\">{} more findings not listed.</p>",
                self.findings.len() - MAX_FINDINGS
            );
        }
    }
}

/// Most decoded items drawn per vendor field (the field keeps
/// [`forensics::vendors::MAX_ITEMS`]).
const MAX_VENDOR_ITEMS: usize = 200;

/// The decoded items of a vendor field: key (its meaning) = value (its
/// meaning), as `trace` decodes them.
fn vendor_items(out: &mut String, v: &forensics::vendors::VendorField) {
    if v.items.is_empty() {
        return;
    }
    out.push_str("<ul class=\"vendor-items\">");
    for i in v.items.iter().take(MAX_VENDOR_ITEMS) {
        let key = if i.key == "*" {
            String::new()
        } else {
            format!("<code>{}</code> = ", text(&clip(&i.key, 200)))
        };
        let key_meaning = match i.meaning {
            Some(m) if i.key != "*" => format!(" <span class=\"muted\">({})</span>", text(m)),
            _ => String::new(),
        };
        let value_meaning = i
            .value_meaning
            .map(|m| format!(" → <span class=\"value-meaning\">{}</span>", text(m)))
            .unwrap_or_default();
        let _ = write!(
            out,
            "<li>{key}<code class=\"vendor-value\">{}</code>{value_meaning}{key_meaning}</li>",
            text(&clip(&i.value, MAX_CELL)),
        );
    }
    out.push_str("</ul>");
    let more = v.items.len().saturating_sub(MAX_VENDOR_ITEMS) + v.dropped;
    if more > 0 {
        let _ = write!(
            out,
            "<span class=\"muted\">{more} more items not shown</span>"
        );
    }
}

/// A complete page around one message's section (rendered with id `m`).
pub fn document(subject: Option<&str>, section: &str) -> String {
    let mut out = String::new();
    let title = format!(
        "emlkit report: {}",
        clip(subject.unwrap_or("(no subject)"), 120)
    );
    html::open(&mut out, &title);
    out.push_str("<h1>Message report</h1>\n<nav><a href=\"#m-summary\">Summary</a><a href=\"#m-path\">Delivery path</a><a href=\"#m-auth\">Authentication</a><a href=\"#m-mime\">MIME tree</a><a href=\"#m-indicators\">Indicators</a><a href=\"#m-findings\">Findings</a><a href=\"#m-header\">Raw header</a></nav>\n");
    out.push_str(section);
    let _ = write!(
        out,
        "<p class=\"muted\">Made by emlkit {} offline: nothing was looked up, nothing from the message is active on this page.</p>",
        env!("CARGO_PKG_VERSION")
    );
    html::close(&mut out);
    out
}

/// Anomalies before observations, then rows without a severity.
fn severity_rank(s: Option<&str>) -> u8 {
    match s {
        Some("anomaly") => 0,
        Some("observation") => 1,
        Some(_) => 2,
        None => 3,
    }
}

fn pct(v: u64, max: u64) -> f64 {
    (v as f64 / max.max(1) as f64 * 100.0).clamp(0.0, 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defang_never_leaves_a_usable_link() {
        assert_eq!(
            defang("url", "http://evil.example/x"),
            "hxxp[://]evil[.]example/x"
        );
        assert_eq!(
            defang("url", "HTTPS://a.example/http"),
            "hxxpS[://]a[.]example/http"
        );
        assert_eq!(defang("domain", "httpbin.example"), "httpbin[.]example");
        assert_eq!(defang("ip", "203.0.113.5"), "203.0.113[.]5");
        assert_eq!(defang("email", "a@b.example"), "a[@]b[.]example");
        assert_eq!(defang("ip", "2001:db8::1"), "2001[:]db8[:][:]1");
    }

    #[test]
    fn domain_of_an_address() {
        assert_eq!(
            domain_of("<A@Example.ORG.>").as_deref(),
            Some("example.org")
        );
        assert_eq!(domain_of("nobody"), None);
    }

    #[test]
    fn hostile_values_stay_text() {
        let raw = b"From: \"<img src=x onerror=alert(1)>\" <a@example.org>\r\nSubject: <script>alert(1)</script>\xe2\x80\xae\r\nContent-Type: text/plain; name=\"<svg onload=alert(1)>.txt\"\r\n\r\n<script>x</script>\r\n";
        let msg = Message::parse(raw, 0, model::Scope::Full, &model::Limits::default())
            .unwrap_or_else(|e| panic!("{e}"));
        let t = msg.trace(&forensics::Options::at(0));
        let page = MessageReport::build("x<y>.eml", &msg, t).render_document();
        assert!(
            !page.contains("<script>") && !page.contains("<img") && !page.contains("<svg onload")
        );
        assert!(!page.contains('\u{202E}'));
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(page.contains("default-src &#39;none&#39;") || page.contains("default-src 'none'"));
    }
}
