//! Sender signals: organizational domains, DMARC-style alignment of the
//! From domain with the other sender identities, display names that carry
//! another address, and lookalike domains (IDNA, mixed scripts,
//! confusables).
//!
//! Organizational domains come from the Public Suffix List compiled into
//! the `psl` crate (no file, no network): `bounce.example.com` and
//! `news.example.com` share `example.com`; `a.co.uk` and `b.co.uk` share
//! nothing because `co.uk` is a public suffix.
//!
//! Alignment is RFC 7489 §3.1: *strict* when the two fully qualified
//! domains are equal (ASCII case-insensitive, IDNA to ASCII), *relaxed*
//! when their organizational domains are. The From domain (RFC5322.From,
//! the first mailbox) is compared with Sender, each Reply-To mailbox,
//! Return-Path, each DKIM-Signature `d=`, the SPF mail-from
//! (Received-SPF `envelope-from`, Authentication-Results
//! `smtp.mailfrom`), the SPF HELO (Received-SPF `helo`,
//! Authentication-Results `smtp.helo`) and the HELO name that the entry hop
//! recorded (identity `helo`: the hop where the message came in from
//! outside, [`classify::entry_hop`]). A HELO that is an address literal
//! or not a domain name has no domain and is not compared.
//!
//! Lookalikes follow Unicode TR 39 as the `unicode-security` crate
//! implements it: a label that is not single-script (after IDNA decoding)
//! is mixed-script; two domains are confusable when the skeletons of their
//! registrable labels are equal while the domains differ.
//!
//! Finding codes (stable; see docs/trace.md):
//!
//! | code | when |
//! |---|---|
//! | `display_name_address` | the From (or Sender, Reply-To) display name, after RFC 2047 decoding, holds an address other than the mailbox's addr-spec |
//! | `reply_to_unaligned` | a Reply-To domain is not aligned (relaxed) with the From domain |
//! | `dmarc_unaligned` | there are DKIM `d=` or SPF mail-from identities, and none is aligned (relaxed) with the From domain: DMARC cannot pass |
//! | `punycode_domain` | a sender domain has an IDNA (`xn--`) label; the message gives it decoded and raw |
//! | `invalid_idna` | an `xn--` label that does not decode |
//! | `mixed_script_domain` | a label mixes scripts (TR 39 §5.1), e.g. Cyrillic `а` in `pаypal` |
//! | `confusable_domain` | a non-ASCII registrable label whose TR 39 skeleton is plain ASCII: it passes for an ASCII name |
//! | `lookalike_domain` | a sender domain whose organizational domain has the same TR 39 skeleton as that of a `--trust` domain or of the From domain, but is another domain (`paypa1.com` for `paypal.com`) |

use super::{classify, Trace};
use crate::model::{address, encoded_word, Finding, Message};
use serde::Serialize;
use std::borrow::Cow;
use unicode_security::{confusable_detection::skeleton, MixedScript};

/// At most this many identities are compared (Reply-To lists and
/// DKIM-Signature fields can be long); the rest are counted in
/// [`Report::dropped`].
pub const MAX_IDENTITIES: usize = 64;

/// The organizational domain of `domain` (RFC 7489 §3.2) by the Public
/// Suffix List: the public suffix plus one label. A domain that is itself
/// a public suffix, or has no dot, is its own organizational domain.
/// `domain` is lower-cased, a trailing dot removed, and IDNA-encoded
/// first, so `Bücher.Example.DE.` gives `example.de`.
///
/// ```
/// use emlkit::forensics::sender::org_domain;
/// assert_eq!(org_domain("bounce.example.com"), "example.com");
/// assert_eq!(org_domain("a.b.co.uk"), "b.co.uk");
/// assert_eq!(org_domain("user.github.io"), "user.github.io");
/// ```
pub fn org_domain(domain: &str) -> String {
    org_of_normalized(&normalize(domain)).to_string()
}

/// [`org_domain`] of a name [`normalize`] already gave: a slice of it, no
/// copy (alignment compares two of these for every identity).
fn org_of_normalized(d: &str) -> &str {
    psl::domain_str(d).unwrap_or(d)
}

/// Lower case, no trailing dot, IDNA to ASCII where the name is valid
/// IDNA (otherwise just lower-cased).
///
/// Borrowed when the name already is in that form (most are).
pub fn normalize(domain: &str) -> Cow<'_, str> {
    let d = domain.trim().trim_end_matches('.');
    // Idempotent: `normalize(normalize(x)) == normalize(x)`, which
    // `org_of_normalized` relies on.
    if d.is_ascii() {
        if !d.bytes().any(|b| b.is_ascii_uppercase()) {
            return Cow::Borrowed(d);
        }
        return Cow::Owned(d.to_ascii_lowercase());
    }
    Cow::Owned(idna::domain_to_ascii(d).unwrap_or_else(|_| d.to_lowercase()))
}

/// Alignment of two domains: `(strict, relaxed)` as RFC 7489 §3.1 defines
/// them.
///
/// ```
/// use emlkit::forensics::sender::aligned;
/// assert_eq!(aligned("news.example.com", "bounce.example.com"), (false, true));
/// assert_eq!(aligned("a.co.uk", "b.co.uk"), (false, false));
/// assert_eq!(aligned("Example.COM", "example.com."), (true, true));
/// ```
pub fn aligned(a: &str, b: &str) -> (bool, bool) {
    let (a, b) = (normalize(a), normalize(b));
    if a.is_empty() || b.is_empty() {
        return (false, false);
    }
    let strict = a == b;
    (
        strict,
        strict || org_of_normalized(&a) == org_of_normalized(&b),
    )
}

/// The domain of an address (`local@domain`, angle brackets allowed), or
/// the value itself when it has no `@` and looks like a host name.
pub fn domain_of(value: &str) -> Option<String> {
    let a = value.trim().trim_start_matches('<').trim_end_matches('>');
    let d = match a.rsplit_once('@') {
        Some((_, d)) => d,
        None if a.contains('.') && !a.contains(char::is_whitespace) => a,
        None => return None,
    };
    let d = normalize(d);
    (!d.is_empty()).then(|| d.into_owned())
}

/// One identity compared with the From domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Pair {
    /// Where it comes from: `sender`, `reply_to`, `return_path`, `dkim`,
    /// `spf_mailfrom`, `spf_helo`, `helo`.
    pub identity: &'static str,
    /// The value as written (an address, a domain, a HELO name).
    pub value: String,
    /// Its domain, lower-case ASCII; None for a HELO that is an address
    /// literal or not a domain name (then nothing is compared).
    pub domain: Option<String>,
    /// Its organizational domain.
    pub org_domain: Option<String>,
    /// Equal to the From domain (None without a domain).
    pub strict: Option<bool>,
    /// Same organizational domain as the From domain (None without a
    /// domain).
    pub relaxed: Option<bool>,
    /// Byte offset of the header field it was read from.
    pub offset: u64,
    /// The hop (delivery index) it was read from: for `helo`, the entry
    /// hop; None for the others. In JSON 1-based, as the table numbers
    /// hops.
    #[serde(serialize_with = "hop_number")]
    pub hop: Option<usize>,
}

/// A delivery index as the 1-based hop number of the JSON output.
fn hop_number<S: serde::Serializer>(hop: &Option<usize>, s: S) -> Result<S::Ok, S::Error> {
    match hop {
        Some(h) => s.serialize_some(&(h + 1)),
        None => s.serialize_none(),
    }
}

/// The domain of a HELO name: None for an address literal (`[192.0.2.1]`,
/// `[IPv6:2001:db8::1]`, a bare address) or anything that is not a
/// dotted host name (`localhost`, `laptop`, words, an `@`).
pub fn helo_domain(value: &str) -> Option<String> {
    let v = value.trim();
    let inner = v.trim_start_matches('[').trim_end_matches(']');
    let inner = inner
        .get(..5)
        .filter(|p| p.eq_ignore_ascii_case("ipv6:"))
        .map_or(inner, |_| &inner[5..]);
    if inner.parse::<std::net::IpAddr>().is_ok() || v.starts_with('[') {
        return None;
    }
    let name = v.trim_end_matches('.');
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
    };
    if !name.contains('.') || name.len() > 253 || !name.split('.').all(label_ok) {
        return None;
    }
    // All digits and dots, yet not an address (`1.2.3`): not a name.
    if name.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let d = normalize(name);
    (!d.is_empty()).then(|| d.into_owned())
}

/// The domain of one identity's value: a HELO name by [`helo_domain`],
/// the others by [`domain_of`].
fn identity_domain(kind: &str, value: &str) -> Option<String> {
    if kind == "helo" {
        helo_domain(value)
    } else {
        domain_of(value)
    }
}

/// A domain seen among the sender identities, as IDNA and TR 39 see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct DomainInfo {
    /// The domain, lower-case ASCII (punycode kept as written).
    pub ascii: String,
    /// The domain with `xn--` labels decoded (equal to `ascii` without
    /// them).
    pub unicode: String,
    /// Labels that mix scripts (Unicode form).
    pub mixed_script: Vec<String>,
    /// The TR 39 skeleton of the registrable label(s) (the organizational
    /// domain without its public suffix, Unicode form).
    pub skeleton: String,
}

/// The sender analysis of one message (see the module docs).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Report {
    /// The From addr-spec.
    pub from: Option<String>,
    /// The From display name, decoded.
    pub display_name: Option<String>,
    /// The From domain, lower-case ASCII.
    pub from_domain: Option<String>,
    /// Its organizational domain.
    pub from_org_domain: Option<String>,
    /// Each identity against the From domain, in header order per kind.
    pub pairs: Vec<Pair>,
    /// Whether any DKIM `d=` or SPF mail-from aligns (relaxed) with From;
    /// None when there is neither (nothing for DMARC to align).
    pub dmarc_aligned: Option<bool>,
    /// The distinct domains seen (From, the identities, addresses in
    /// display names), with their IDNA and script facts.
    pub domains: Vec<DomainInfo>,
    /// Identities beyond [`MAX_IDENTITIES`], not compared.
    pub dropped: usize,
    /// Findings (codes in the module docs).
    #[serde(skip)]
    pub findings: Vec<Finding>,
}

/// Analyses the sender identities of `parsed` (top-level header) with the
/// authentication fields already read into `t`. `trust` holds the
/// protected names for `lookalike_domain` (the `--trust` list; IP
/// addresses in it are ignored).
pub fn analyze(parsed: &Message<'_>, t: &Trace, trust: &[String]) -> Report {
    let mut r = Report::default();
    let mut ids: Vec<Id> = Vec::new();
    let push = |ids: &mut Vec<Id>, k, v: String, o| {
        if ids.len() < MAX_IDENTITIES {
            ids.push((k, v, o, None));
            0
        } else {
            1
        }
    };
    let mut dropped = 0;
    let mut named: Vec<(String, String, u64)> = Vec::new();
    for h in parsed.headers() {
        let kind = match h.name {
            mail_parser::HeaderName::From => "from",
            mail_parser::HeaderName::Sender => "sender",
            mail_parser::HeaderName::ReplyTo => "reply_to",
            _ => continue,
        };
        if kind == "from" && r.from.is_some() {
            continue;
        }
        if kind == "sender" && ids.iter().any(|(k, ..)| *k == "sender") {
            continue;
        }
        for (i, m) in address::mailboxes(h).into_iter().enumerate() {
            let Some(a) = m.address.as_deref() else {
                continue;
            };
            if let Some(n) = m.name.as_deref() {
                named.push((decode_name(n), a.to_string(), h.offset));
            }
            if kind == "from" {
                if i == 0 {
                    r.from = Some(a.to_string());
                    r.display_name = m.name.as_deref().map(decode_name);
                }
                continue;
            }
            dropped += push(&mut ids, kind, a.to_string(), h.offset);
            if kind == "sender" {
                break;
            }
        }
    }
    if let Some(rp) = &t.return_path {
        let v = rp.text.trim().trim_start_matches('<').trim_end_matches('>');
        if !v.is_empty() {
            dropped += push(&mut ids, "return_path", v.to_string(), rp.offset);
        }
    }
    for s in &t.auth.signatures {
        if s.value.field.eq_ignore_ascii_case("dkim-signature") {
            if let Some(d) = &s.value.d {
                dropped += push(&mut ids, "dkim", d.clone(), s.offset);
            }
        }
    }
    for l in &t.auth.received_spf {
        for (k, v) in &l.value.properties {
            match k.as_str() {
                "envelope-from" => dropped += push(&mut ids, "spf_mailfrom", v.clone(), l.offset),
                "helo" => dropped += push(&mut ids, "spf_helo", v.clone(), l.offset),
                _ => {}
            }
        }
    }
    for l in &t.auth.results {
        for res in l.value.results.iter().filter(|x| x.method == "spf") {
            if let Some(v) = res.property("smtp.mailfrom") {
                dropped += push(&mut ids, "spf_mailfrom", v.to_string(), l.offset);
            }
            if let Some(v) = res.property("smtp.helo") {
                dropped += push(&mut ids, "spf_helo", v.to_string(), l.offset);
            }
        }
    }
    // The HELO name the entry hop recorded: the receiving boundary's own
    // record of the client, read from the hops already parsed.
    if let Some(i) = classify::entry_hop(&t.hops, &t.kinds, t.trusted.as_deref(), trust) {
        if let Some(h) = t.hops.get(i) {
            if let Some(helo) = h.helo.as_deref().filter(|x| !x.is_empty()) {
                dropped += push(&mut ids, "helo", helo.to_string(), h.offset);
                if let Some(last) = ids.last_mut().filter(|x| x.0 == "helo") {
                    last.3 = Some(i);
                }
            }
        }
    }
    r.dropped = dropped;
    // The same identity claimed by several fields is compared once.
    let mut seen = std::collections::HashSet::new();
    ids.retain(|(k, v, ..)| seen.insert((*k, v.to_ascii_lowercase())));
    // Each identity's domain, once (the pairs and the lookalike checks).
    let mut doms: Vec<Option<String>> =
        ids.iter().map(|(k, v, ..)| identity_domain(k, v)).collect();

    r.from_domain = r.from.as_deref().and_then(domain_of);
    r.from_org_domain = r.from_domain.as_deref().map(org_domain);
    let from_offset = parsed
        .field(&mail_parser::HeaderName::From)
        .map(|f| f.offset);
    if let Some(fd) = r.from_domain.clone() {
        for ((kind, value, offset, hop), domain) in ids.iter().zip(&doms) {
            let domain = domain.clone();
            // Only a HELO is listed without a domain (an address literal).
            if domain.is_none() && *kind != "helo" {
                continue;
            }
            let al = domain.as_deref().map(|d| aligned(&fd, d));
            r.pairs.push(Pair {
                identity: kind,
                org_domain: domain.as_deref().map(org_domain),
                value: value.clone(),
                domain,
                strict: al.map(|a| a.0),
                relaxed: al.map(|a| a.1),
                offset: *offset,
                hop: *hop,
            });
        }
        for p in r
            .pairs
            .iter()
            .filter(|p| p.identity == "reply_to" && p.relaxed == Some(false))
        {
            r.findings.push(
                Finding::new(
                    "reply_to_unaligned",
                    format!(
                        "Reply-To domain {} is not aligned with From domain {fd}",
                        p.domain.as_deref().unwrap_or("")
                    ),
                )
                .at(Some(p.offset)),
            );
        }
        let dmarc: Vec<&Pair> = r
            .pairs
            .iter()
            .filter(|p| matches!(p.identity, "dkim" | "spf_mailfrom"))
            .collect();
        if !dmarc.is_empty() {
            let ok = dmarc.iter().any(|p| p.relaxed == Some(true));
            r.dmarc_aligned = Some(ok);
            if !ok {
                let list: Vec<String> = dmarc
                    .iter()
                    .map(|p| format!("{} {}", p.identity, p.domain.as_deref().unwrap_or("")))
                    .collect();
                r.findings.push(
                    Finding::new(
                        "dmarc_unaligned",
                        format!(
                            "no DKIM d= or SPF mail-from is aligned with From domain {fd} ({})",
                            list.join(", ")
                        ),
                    )
                    .at(from_offset),
                );
            }
        }
    }
    // Display names that carry another address.
    for (name, addr, offset) in &named {
        if let Some(other) = address_in_text(name) {
            if !other.eq_ignore_ascii_case(addr) {
                r.findings.push(
                    Finding::new(
                        "display_name_address",
                        format!("display name {name:?} shows {other} but the address is {addr}"),
                    )
                    .at(Some(*offset)),
                );
                doms.push(domain_of(&other));
                ids.push(("display_name", other, *offset, None));
            }
        }
    }
    lookalikes(&mut r, &ids, &doms, trust, from_offset);
    r
}

/// The display name as a reader sees it: RFC 2047 words decoded (a second
/// pass for names that mail-parser left encoded, e.g. inside quotes).
fn decode_name(n: &str) -> String {
    if n.contains("=?") {
        encoded_word::decode(n).0
    } else {
        n.to_string()
    }
}

/// The first `local@domain` in free text (a display name), if any.
pub fn address_in_text(s: &str) -> Option<String> {
    let is_atom = |c: char| c.is_alphanumeric() || "._%+-!#$&'*/=?^`{|}~".contains(c);
    let at = s.find('@')?;
    let start = s[..at]
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_atom(*c))
        .last()
        .map(|(i, _)| i)?;
    let rest = &s[at + 1..];
    let end = rest
        .char_indices()
        .find(|(_, c)| !(c.is_alphanumeric() || *c == '.' || *c == '-'))
        .map_or(rest.len(), |(i, _)| i);
    let domain = rest[..end].trim_end_matches('.');
    (domain.contains('.') && start < at).then(|| format!("{}@{domain}", &s[start..at]))
}

/// Decodes `xn--` labels: the Unicode form and whether every such label
/// decoded.
pub fn to_unicode(ascii: &str) -> (String, bool) {
    // Most names have no IDNA label: no UTS 46 pass for them.
    let has_xn = ascii
        .split('.')
        .any(|l| l.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("xn--")));
    if ascii.is_ascii() && !has_xn {
        return (ascii.to_ascii_lowercase(), true);
    }
    let (u, res) = idna::domain_to_unicode(ascii);
    (u, res.is_ok())
}

/// The registrable label(s): the organizational domain without its public
/// suffix (`paypal` for `www.paypal.co.uk`), in Unicode form.
fn registrable(ascii: &str) -> String {
    let org = org_domain(ascii);
    let label = match psl::suffix_str(&org) {
        Some(sfx) if org.len() > sfx.len() => org[..org.len() - sfx.len()].trim_end_matches('.'),
        _ => org.as_str(),
    };
    to_unicode(label).0
}

/// `unicode (ascii)` when they differ, else the name.
fn shown(ascii: &str, unicode: &str) -> String {
    if ascii == unicode {
        ascii.to_string()
    } else {
        format!("{unicode} ({ascii})")
    }
}

/// The TR 39 skeleton of `s`. Most names are ASCII: their skeleton is the
/// concatenation of each character's, taken from a table built once from
/// the crate's own mapping (so it cannot drift from it), which saves the
/// normalization passes on every sender and link domain. A character whose
/// skeleton is not ASCII sends the string the general way.
fn skeleton_of(s: &str) -> String {
    static ASCII: std::sync::OnceLock<Vec<Option<String>>> = std::sync::OnceLock::new();
    let table = ASCII.get_or_init(|| {
        (0u8..128)
            .map(|b| {
                let sk: String = skeleton(&(b as char).to_string()).collect();
                sk.is_ascii().then_some(sk)
            })
            .collect()
    });
    let mut out = String::with_capacity(s.len() + 4);
    for b in s.bytes() {
        match table.get(b as usize) {
            Some(Some(sk)) => out.push_str(sk),
            _ => return skeleton(s).collect(),
        }
    }
    out
}

/// One identity: kind, value as written, field offset, hop (for `helo`).
type Id = (&'static str, String, u64, Option<usize>);

/// `doms`: the domain of each of `ids`, in order.
fn lookalikes(
    r: &mut Report,
    ids: &[Id],
    doms: &[Option<String>],
    trust: &[String],
    from_offset: Option<u64>,
) {
    let mut all: Vec<(String, Option<u64>)> = Vec::new();
    if let Some(fd) = &r.from_domain {
        all.push((fd.clone(), from_offset));
    }
    for ((_, _, o, _), d) in ids.iter().zip(doms) {
        if let Some(d) = d {
            all.push((d.clone(), Some(*o)));
        }
    }
    let mut seen = std::collections::HashSet::new();
    all.retain(|(d, _)| seen.insert(d.clone()));
    // Protected names: the trusted domains, then the From domain.
    let protected = Protected::new(
        trust
            .iter()
            .map(String::as_str)
            .chain(r.from_domain.as_deref()),
    );
    for (d, offset) in all {
        let (info, findings) = check_domain(&d, &protected);
        r.findings
            .extend(findings.into_iter().map(|f| f.at(offset)));
        r.domains.push(info);
    }
}

/// The protected names of lookalike checks: organizational domains and
/// their TR 39 skeletons.
#[derive(Debug, Clone, Default)]
pub struct Protected(Vec<(String, String)>);

impl Protected {
    /// From domain names (IP addresses among them are ignored).
    pub fn new<'s>(names: impl IntoIterator<Item = &'s str>) -> Protected {
        Protected(
            names
                .into_iter()
                .filter(|t| t.parse::<std::net::IpAddr>().is_err())
                .map(org_domain)
                .map(|o| {
                    let sk = skeleton_of(&to_unicode(&o).0);
                    (o, sk)
                })
                .collect(),
        )
    }
}

/// The IDNA and TR 39 facts of one domain and its findings
/// (`punycode_domain`, `invalid_idna`, `mixed_script_domain`,
/// `confusable_domain`, `lookalike_domain` against `protected`), without
/// offsets.
pub fn check_domain(d: &str, protected: &Protected) -> (DomainInfo, Vec<Finding>) {
    let mut out = Vec::new();
    let (unicode, ok) = to_unicode(d);
    let mixed: Vec<String> = unicode
        .split('.')
        .filter(|l| !l.is_ascii() && !l.is_single_script())
        .map(|l| l.to_string())
        .collect();
    let reg = registrable(d);
    let sk = skeleton_of(&reg);
    if d.split('.').any(|l| l.starts_with("xn--")) {
        out.push(if ok {
            Finding::new("punycode_domain", format!("domain {d} is {unicode} (IDNA)"))
        } else {
            Finding::new(
                "invalid_idna",
                format!("domain {d} has an xn-- label that does not decode"),
            )
        });
    }
    for l in &mixed {
        out.push(Finding::new(
            "mixed_script_domain",
            format!("label {l:?} of {unicode} ({d}) mixes scripts"),
        ));
    }
    if !reg.is_ascii() && sk.is_ascii() {
        out.push(Finding::new(
            "confusable_domain",
            format!("{} can pass for the ASCII name {sk:?}", shown(d, &unicode)),
        ));
    }
    let org = org_domain(d);
    let org_sk = skeleton_of(&to_unicode(&org).0);
    if let Some((p, _)) = protected
        .0
        .iter()
        .find(|(p, psk)| !psk.is_empty() && *psk == org_sk && *p != org)
    {
        out.push(Finding::new(
            "lookalike_domain",
            format!(
                "{} and {} look alike (same TR 39 skeleton {org_sk:?})",
                shown(d, &unicode),
                shown(p, &to_unicode(p).0)
            ),
        ));
    }
    let info = DomainInfo {
        ascii: d.to_string(),
        unicode,
        mixed_script: mixed,
        skeleton: sk,
    };
    (info, out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forensics::{trace, Options};

    fn run(head: &str, trust: &[&str]) -> Report {
        let raw = format!("{head}Message-ID: <1@x.example>\r\n\r\nbody\r\n");
        let parsed =
            crate::model::parse(raw.as_bytes(), 0, crate::model::Scope::HeadersOnly).unwrap();
        let mut o = Options::at(0);
        o.trust = trust.iter().map(|s| s.to_string()).collect();
        trace(&parsed, &o).sender
    }

    fn codes(r: &Report) -> Vec<&'static str> {
        r.findings.iter().map(|f| f.code).collect()
    }

    #[test]
    fn org_domains_by_the_public_suffix_list() {
        for (d, org) in [
            ("bounce.example.com", "example.com"),
            ("news.example.com", "example.com"),
            ("a.co.uk", "a.co.uk"),
            ("x.b.co.uk", "b.co.uk"),
            ("user.github.io", "user.github.io"),
            ("github.io", "github.io"),
            ("MAIL.Example.ORG.", "example.org"),
            ("localhost", "localhost"),
            ("xn--pypal-4ve.com", "xn--pypal-4ve.com"),
            ("www.bücher.de", "xn--bcher-kva.de"),
        ] {
            assert_eq!(org_domain(d), org, "{d}");
        }
    }

    #[test]
    fn alignment_table() {
        for (a, b, strict, relaxed) in [
            ("example.com", "example.com", true, true),
            ("news.example.com", "bounce.example.com", false, true),
            ("example.com", "mail.example.com", false, true),
            ("a.co.uk", "b.co.uk", false, false),
            ("alice.github.io", "bob.github.io", false, false),
            ("example.com", "example.net", false, false),
            ("example.com", "", false, false),
        ] {
            assert_eq!(aligned(a, b), (strict, relaxed), "{a} vs {b}");
        }
    }

    #[test]
    fn pairs_from_every_identity() {
        let r = run(
            concat!(
                "Authentication-Results: mx.example.net; spf=pass smtp.mailfrom=b@bounce.example.com smtp.helo=out.mailer.example\r\n",
                "Received-SPF: pass (mx) envelope-from=\"b@bounce.example.com\"; helo=out.example.com;\r\n",
                "DKIM-Signature: v=1; a=rsa-sha256; d=esp.example; s=s1; h=from; bh=x; b=y\r\n",
                "DKIM-Signature: v=1; a=rsa-sha256; d=news.example.com; s=s1; h=from; bh=x; b=y\r\n",
                "Return-Path: <b@bounce.example.com>\r\n",
                "From: News <n@news.example.com>\r\n",
                "Sender: s@sender.example.org\r\n",
                "Reply-To: r@help.example.com, other@elsewhere.example\r\n",
            ),
            &[],
        );
        let get = |id: &str, d: &str| {
            r.pairs
                .iter()
                .find(|p| p.identity == id && p.domain.as_deref() == Some(d))
                .and_then(|p| Some((p.strict?, p.relaxed?)))
        };
        assert_eq!(
            get("return_path", "bounce.example.com"),
            Some((false, true))
        );
        assert_eq!(get("dkim", "esp.example"), Some((false, false)));
        assert_eq!(get("dkim", "news.example.com"), Some((true, true)));
        assert_eq!(
            get("spf_mailfrom", "bounce.example.com"),
            Some((false, true))
        );
        assert_eq!(get("spf_helo", "out.mailer.example"), Some((false, false)));
        assert_eq!(get("spf_helo", "out.example.com"), Some((false, true)));
        assert_eq!(get("sender", "sender.example.org"), Some((false, false)));
        assert_eq!(get("reply_to", "help.example.com"), Some((false, true)));
        assert_eq!(get("reply_to", "elsewhere.example"), Some((false, false)));
        // The same mail-from from two fields is one pair.
        assert_eq!(
            r.pairs
                .iter()
                .filter(|p| p.identity == "spf_mailfrom")
                .count(),
            1
        );
        assert_eq!(r.dmarc_aligned, Some(true));
        assert_eq!(codes(&r), vec!["reply_to_unaligned"]);
    }

    #[test]
    fn crafted_cases() {
        // (header, trust, expected codes in order)
        let cases: &[(&str, &[&str], &[&str])] = &[
            // Subdomains of one organization: nothing.
            (
                "From: a@news.example.com\r\nReturn-Path: <b@bounce.example.com>\r\n",
                &[],
                &[],
            ),
            // Two registrants under one public suffix.
            (
                "From: a@a.co.uk\r\nReturn-Path: <b@b.co.uk>\r\n",
                &[],
                &["return_path_mismatch"],
            ),
            (
                "From: a@alice.github.io\r\nDKIM-Signature: v=1; d=mallory.github.io; s=x; bh=x; b=y\r\n",
                &[],
                &["dmarc_unaligned"],
            ),
            // Display-name spoofing, plain and encoded.
            (
                "From: \"paypal@paypal.com\" <x@evil.example>\r\n",
                &[],
                &["display_name_address"],
            ),
            (
                "From: =?utf-8?q?service=40paypal=2Ecom?= <x@evil.example>\r\n",
                &[],
                &["display_name_address"],
            ),
            // The address itself in the name is not spoofing.
            ("From: \"a@example.com\" <A@Example.com>\r\n", &[], &[]),
            // Punycode homograph: Cyrillic a in paypal.
            (
                "From: a@xn--pypal-4ve.com\r\n",
                &["paypal.com"],
                &["punycode_domain", "mixed_script_domain", "confusable_domain", "lookalike_domain"],
            ),
            // The same written in Unicode (SMTPUTF8).
            (
                "From: a@p\u{430}ypal.com\r\n",
                &[],
                &["punycode_domain", "mixed_script_domain", "confusable_domain"],
            ),
            // Digit one for l, against the From domain.
            (
                "From: a@paypal.com\r\nReply-To: b@paypa1.com\r\n",
                &[],
                &["reply_to_unaligned", "lookalike_domain"],
            ),
            // A legitimate IDN: punycode shown, not a lookalike.
            ("From: a@xn--bcher-kva.de\r\n", &[], &["punycode_domain"]),
            // A trusted domain's own subdomain is not a lookalike of it.
            ("From: a@mail.example.net\r\n", &["example.net"], &[]),
        ];
        for (head, trust, want) in cases {
            let raw = format!(
                "{head}Message-ID: <1@x.example>\r\nDate: Thu, 1 Jan 1970 00:00:00 +0000\r\n\r\n"
            );
            let parsed =
                crate::model::parse(raw.as_bytes(), 0, crate::model::Scope::HeadersOnly).unwrap();
            let mut o = Options::at(0);
            o.trust = trust.iter().map(|s| s.to_string()).collect();
            let t = trace(&parsed, &o);
            let got: Vec<&str> = t
                .findings
                .iter()
                .map(|f| f.code)
                .filter(|c| !matches!(*c, "no_received" | "8bit_header") && !c.starts_with("dkim_"))
                .collect();
            assert_eq!(&got, want, "{head}");
        }
    }

    #[test]
    fn punycode_shown_decoded_and_raw() {
        let r = run("From: a@xn--pypal-4ve.com\r\n", &[]);
        let d = &r.domains[0];
        assert_eq!(d.ascii, "xn--pypal-4ve.com");
        assert_eq!(d.unicode, "p\u{430}ypal.com");
        assert_eq!(d.skeleton, "paypal");
        assert_eq!(d.mixed_script, vec!["p\u{430}ypal".to_string()]);
    }

    #[test]
    fn addresses_in_names() {
        assert_eq!(
            address_in_text("paypal@paypal.com").as_deref(),
            Some("paypal@paypal.com")
        );
        assert_eq!(
            address_in_text("Support (help@bank.example.com) team").as_deref(),
            Some("help@bank.example.com")
        );
        assert_eq!(address_in_text("Bob @ home"), None);
        assert_eq!(address_in_text("@@@"), None);
    }

    /// The ASCII table gives the crate's own skeleton.
    #[test]
    fn ascii_skeletons_agree() {
        let all: String = (0u8..128).map(|b| b as char).collect();
        for s in [
            "paypal",
            "paypa1",
            "rnicrosoft",
            "example",
            "xn--pypal-4ve",
            "0O1lI|",
            all.as_str(),
            "",
        ] {
            assert_eq!(skeleton_of(s), skeleton(s).collect::<String>(), "{s:?}");
        }
        assert_eq!(skeleton_of("p\u{430}ypal"), "paypal");
    }

    #[test]
    fn helo_names() {
        for (helo, want) in [
            ("mail.example.com", Some("mail.example.com")),
            ("MX1.Example.COM.", Some("mx1.example.com")),
            ("out_1.mailer.example", Some("out_1.mailer.example")),
            ("[192.0.2.1]", None),
            ("192.0.2.1", None),
            ("[IPv6:2001:db8::1]", None),
            ("2001:db8::1", None),
            ("[mail.example.com]", None),
            ("laptop", None),
            ("localhost", None),
            ("1.2.3", None),
            ("a..b", None),
            ("user@example.com", None),
            ("two words.example", None),
            ("", None),
        ] {
            assert_eq!(helo_domain(helo).as_deref(), want, "{helo:?}");
        }
    }

    /// The `helo` identity: the HELO of the entry hop (the newest public
    /// client; with --trust, the first hop received by a trusted host).
    #[test]
    fn helo_of_the_entry_hop() {
        let hops = concat!(
            // An internal hop above the entry (private client).
            "Received: from mx.example.net (mx.example.net [10.0.0.5]) by store.example.net with ESMTP id 3; Fri, 1 Mar 2024 10:00:09 +0000\r\n",
            // The entry: the recipient's MX took it from the internet.
            "Received: from HELO (rdns.example.org [203.0.113.25]) by mx.example.net with ESMTPS id 2; Fri, 1 Mar 2024 10:00:05 +0000\r\n",
            // The sender's submission, from a public address too.
            "Received: from laptop.home.example (unknown [198.51.100.77]) by smtp.example.org with ESMTPSA id 1; Fri, 1 Mar 2024 10:00:01 +0000\r\n",
            "From: a@example.org\r\n",
        );
        let helo = |name: &str, trust: &[&str]| {
            let r = run(&hops.replace("HELO", name), trust);
            r.pairs.iter().find(|p| p.identity == "helo").map(|p| {
                (
                    p.value.clone(),
                    p.domain.clone(),
                    p.relaxed,
                    p.strict,
                    p.hop,
                )
            })
        };
        // Aligned (relaxed): the sender's MTA in the From organization.
        assert_eq!(
            helo("smtp.example.org", &[]),
            Some((
                "smtp.example.org".into(),
                Some("smtp.example.org".into()),
                Some(true),
                Some(false),
                Some(1)
            ))
        );
        // Another organization.
        let got = helo("bulk.mailer.example", &[]).unwrap();
        assert_eq!(
            (got.1.as_deref(), got.2, got.4),
            (Some("bulk.mailer.example"), Some(false), Some(1))
        );
        // An address literal: listed, no domain, not compared.
        let got = helo("[203.0.113.25]", &[]).unwrap();
        assert_eq!((got.1, got.2, got.3), (None, None, None));
        let r = run(&hops.replace("HELO", "[203.0.113.25]"), &[]);
        assert!(!r.domains.iter().any(|d| d.ascii.contains("203.0.113")));
        // --trust: the first hop received by a trusted host.
        assert_eq!(
            helo("smtp.example.org", &["example.net"]).unwrap().4,
            Some(1)
        );
        // Trusting the sender's side too moves the entry to the submission.
        let got = helo("smtp.example.org", &["example.net", "example.org"]).unwrap();
        assert_eq!((got.0.as_str(), got.4), ("laptop.home.example", Some(0)));
        // No hop received by a trusted host: no entry, no helo identity.
        assert_eq!(helo("smtp.example.org", &["elsewhere.example"]), None);
        // A client address in the trust list: the message started inside.
        assert_eq!(
            helo(
                "smtp.example.org",
                &["example.net", "example.org", "198.51.100.77"]
            ),
            None
        );
        // spf_helo stays as it was, beside helo.
        let r = run(
            &format!(
                "Received-SPF: pass (mx) helo=other.example;\r\n{}",
                hops.replace("HELO", "smtp.example.org")
            ),
            &[],
        );
        let ids: Vec<&str> = r.pairs.iter().map(|p| p.identity).collect();
        assert_eq!(ids, ["spf_helo", "helo"]);
        assert!(codes(&r).is_empty(), "{:?}", codes(&r));
    }

    #[test]
    fn identities_are_capped() {
        let list: Vec<String> = (0..5000).map(|i| format!("u{i}@d{i}.example")).collect();
        let r = run(
            &format!("From: a@example.com\r\nReply-To: {}\r\n", list.join(", ")),
            &[],
        );
        assert_eq!(r.pairs.len(), MAX_IDENTITIES);
        assert_eq!(r.dropped, 5000 - MAX_IDENTITIES);
    }
}
