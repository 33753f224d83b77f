//! Summary and findings of a trace.
//!
//! Finding codes (stable; see docs/trace.md). These are the facts only a
//! trace finds; the header facts (`missing_date`, `missing_message_id`,
//! `invalid_date`, `duplicate_header`, …) come from
//! [`Message::findings`](crate::model::Message::findings) and are not
//! computed here (see [`super::header_findings`]).
//!
//! | code | when |
//! |---|---|
//! | `no_received` | the message has no Received field |
//! | `unparsed_received` | the Received reader found nothing in a value; it is kept raw and read by keyword |
//! | `missing_hop_date` | a hop has no date, or one that cannot be parsed |
//! | `clock_skew` | a hop is dated earlier than the previous dated hop, or the first dated hop earlier than the Date header (by more than the tolerance, 0 s by default; up to 1 h for the Date header, beyond which it is `date_far_from_first_hop`) |
//! | `future_date` | a hop date or the Date header is later than now (+15 min) |
//! | `date_far_from_first_hop` | the Date header is more than 1 h from the oldest dated hop |
//! | `broken_chain` | a hop's `from` (HELO, reverse DNS, address) does not continue the previous hop's `by` |
//! | `private_after_public` | a private or link-local client address after a public one, received by a host outside the organizational domain of the host that received the public one (an organization's own internal relays are not reported) |
//! | `malformed_message_id` | a Message-ID that the model read but that is not `<left@right>` |
//! | `return_path_mismatch` | the Return-Path domain is not aligned (relaxed, RFC 7489) with the From domain: their organizational domains by the Public Suffix List differ |
//! | `no_tls_public_hop` | a hop from a public client address without TLS |
//! | `trace_limit` | an Authentication-Results field holds more than [`MAX_RESULTS`](super::auth::MAX_RESULTS) results (100); the rest are counted, not kept (added by [`trace`](super::trace), last) |

use super::classify::{self, HopKind, Scope};
use super::hops::{fmt_delay, Hop};
use super::{Authentication, MethodSummary, Summary, Trace};
use crate::model::Finding;
use std::collections::{HashMap, HashSet};

/// Whether `by` is in organizational domain `org` (both known).
/// Whether `by` is in the organizational domain of `public_by` (the host
/// that received the last public client). Computed only when a private
/// client follows a public one, not for every public hop.
fn same_org(public_by: Option<&str>, by: Option<&str>) -> bool {
    match (public_by.map(super::sender::org_domain), by) {
        (Some(o), Some(b)) => !o.is_empty() && super::sender::org_domain(b) == o,
        _ => false,
    }
}

/// The newest claim per method (the newest trusted one when `trust`).
pub fn auth_summary(a: &Authentication, trust: bool) -> Vec<MethodSummary> {
    let mut out: Vec<MethodSummary> = Vec::new();
    // Method → its index in `out`: look-ups, not scans, so that a field of
    // thousands of methods stays linear. See: issue 14.
    let mut at: HashMap<String, usize> = HashMap::new();
    let mut pass_any = |trusted_only: bool, out: &mut Vec<MethodSummary>| {
        for l in &a.results {
            if trusted_only && l.trusted != Some(true) {
                continue;
            }
            // ARC-Authentication-Results copy older results; the plain
            // fields are what this hop's receiver claimed.
            if l.value.instance.is_some() {
                continue;
            }
            let mut seen_here: HashSet<&str> = HashSet::new();
            for r in &l.value.results {
                if let Some(&k) = at.get(&r.method) {
                    if seen_here.contains(r.method.as_str()) && r.result == "pass" {
                        out[k].result = "pass".into();
                    }
                    continue;
                }
                seen_here.insert(&r.method);
                at.insert(r.method.clone(), out.len());
                out.push(MethodSummary {
                    method: r.method.clone(),
                    result: r.result.clone(),
                    authserv_id: l.value.authserv_id.clone(),
                    trusted: l.trusted,
                });
            }
        }
    };
    if trust {
        pass_any(true, &mut out);
    }
    pass_any(false, &mut out);
    // SPF: the newest Received-SPF when no Authentication-Results has it.
    if !out.iter().any(|m| m.method == "spf") {
        let pick = a
            .received_spf
            .iter()
            .find(|l| !trust || l.trusted == Some(true))
            .or_else(|| a.received_spf.first());
        if let Some(l) = pick {
            out.push(MethodSummary {
                method: "spf".into(),
                result: l.value.result.clone(),
                authserv_id: l
                    .value
                    .properties
                    .iter()
                    .find(|(k, _)| k == "receiver")
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default(),
                trusted: l.trusted,
            });
        }
    }
    // ARC: the newest ARC-Seal's cv= when no field claimed `arc=`.
    if !out.iter().any(|m| m.method == "arc") {
        let newest = a
            .signatures
            .iter()
            .filter(|s| s.value.field.eq_ignore_ascii_case("arc-seal"))
            .max_by_key(|s| s.value.i.as_deref().and_then(|i| i.parse::<u32>().ok()));
        if let Some(s) = newest {
            if let Some(cv) = &s.value.cv {
                out.push(MethodSummary {
                    method: "arc".into(),
                    result: cv.clone(),
                    authserv_id: s.value.d.clone().unwrap_or_default(),
                    trusted: None,
                });
            }
        }
    }
    out
}

/// Totals: hop counts, TLS share, transit, slowest hop, originating IP.
pub fn summary(t: &Trace) -> Summary {
    // Hops that crossed a network: not local deliveries, and not the
    // loopback re-injections of content filters (amavis, spamd).
    let network: Vec<usize> = (0..t.hops.len())
        .filter(|&i| {
            t.kinds[i] != HopKind::Local
                && !is_loopbackish(&t.hops[i])
                // Without a client nothing is known to have crossed a
                // network (Gmail's internal `by 2002:… with SMTP` hops).
                && classify::has_client(&t.hops[i])
        })
        .collect();
    let dated: Vec<i64> = t.hops.iter().filter_map(|h| h.timestamp).collect();
    Summary {
        hops: t.hops.len(),
        network_hops: network.len(),
        tls_hops: network.iter().filter(|&&i| t.hops[i].tls).count(),
        transit: match (dated.first(), dated.last()) {
            (Some(a), Some(b)) if dated.len() > 1 => Some(b - a),
            _ => None,
        },
        since_date: match (t.date_timestamp, dated.last()) {
            (Some(d), Some(l)) => Some(l - d),
            _ => None,
        },
        slowest: t
            .hops
            .iter()
            .filter_map(|h| h.delay.filter(|d| *d > 0).map(|d| (h.index, d)))
            .max_by_key(|&(i, d)| (d, std::cmp::Reverse(i))),
        origin: classify::originating_ip(&t.hops, t.trusted.as_deref()),
    }
}

fn hop_name(h: &Hop) -> String {
    match &h.by {
        Some(b) => format!("hop {} (by {b})", h.index + 1),
        None => format!("hop {}", h.index + 1),
    }
}

fn domain_of(addr: &str) -> Option<String> {
    let a = addr.trim().trim_start_matches('<').trim_end_matches('>');
    let (_, d) = a.rsplit_once('@')?;
    let d = d.trim().trim_end_matches('.').to_ascii_lowercase();
    (!d.is_empty()).then_some(d)
}

/// Relaxed alignment (same organizational domain by the Public Suffix
/// List), not a label count: `bounce.example.com` and `news.example.com`
/// are related, `a.co.uk` and `b.co.uk` are not. See: issue 16.
fn related_domains(a: &str, b: &str) -> bool {
    super::sender::aligned(a, b).1
}

/// True when `s` is `<left@right>` with no spaces and non-empty sides.
pub fn is_valid_message_id(s: &str) -> bool {
    let Some(inner) = s.trim().strip_prefix('<').and_then(|x| x.strip_suffix('>')) else {
        return false;
    };
    let Some((l, r)) = inner.rsplit_once('@') else {
        return false;
    };
    !l.is_empty()
        && !r.is_empty()
        && !inner.contains(['<', '>', ' ', '\t'])
        && !r.contains('@')
        && inner.is_ascii()
}

/// Whether hop `cur` continues `prev`: one of cur's client names equals
/// prev's `by` (or its first label), or cur's client address is prev's `by`.
fn continues(prev: &Hop, cur: &Hop) -> bool {
    let Some(by) = prev.by.as_deref() else {
        return true;
    };
    let norm = |s: &str| {
        s.trim_matches(|c| c == '[' || c == ']')
            .trim_end_matches('.')
            .to_ascii_lowercase()
    };
    let by = norm(by);
    let by_label = by.split('.').next().unwrap_or("").to_string();
    let names = [&cur.from, &cur.helo, &cur.rdns];
    let parent = |s: &str| -> Option<String> {
        let (_, rest) = s.split_once('.')?;
        // A parent with at least three labels (`bullet.mail.example.com`),
        // so that siblings under a bare registrable domain do not match.
        (rest.matches('.').count() >= 2).then(|| rest.to_string())
    };
    let by_parent = parent(&by);
    let mut named = false;
    for n in names.into_iter().flatten() {
        if n.parse::<std::net::IpAddr>().is_err() {
            named = true;
        }
        let n = norm(n);
        if n == by
            // The same host under two names: a short name, or a long
            // host label (`MW4PR03CA0123.namprd03.prod.outlook.com` vs
            // `MW4PR03CA0123.outlook.office365.com`).
            || (!n.contains('.') || !by.contains('.') || by_label.len() >= 8)
                && !by_label.is_empty()
                && n.split('.').next() == Some(by_label.as_str())
            || n.starts_with(&format!("{by}."))
            // Hosts of one cluster: `nm2-vm1.bullet.mail.example.com` after
            // `nm2.bullet.mail.example.com`.
            || by_parent.is_some() && parent(&n) == by_parent
        {
            return true;
        }
    }
    match (cur.ip, by.parse::<std::net::IpAddr>()) {
        (Some(ip), Ok(b)) => ip == b,
        // Only an address on one side and only a name on the other: the
        // header cannot show a break, so none is claimed.
        (_, Err(_)) if !named => true,
        (_, Ok(_)) if named => true,
        _ => false,
    }
}

fn is_loopbackish(h: &Hop) -> bool {
    h.ip.is_some_and(|ip| classify::scope(ip) == Scope::Loopback)
        || [&h.from, &h.helo, &h.rdns].into_iter().flatten().any(|n| {
            n.get(..9)
                .is_some_and(|p| p.eq_ignore_ascii_case("localhost"))
        })
}

/// The findings of a trace. See the module docs for the codes.
/// `has_message_id` is whether the model read a Message-ID: without one,
/// the model's `missing_message_id` says it all and no
/// `malformed_message_id` is added.
pub fn findings(t: &Trace, o: &super::Options, has_message_id: bool) -> Vec<Finding> {
    let mut f = Vec::new();
    if t.hops.is_empty() {
        f.push(Finding::new(
            "no_received",
            "the message has no Received field: it was never handed between servers, or they were removed",
        ));
    }
    let mut prev_dated: Option<&Hop> = None;
    let mut seen_public = false;
    let mut private_reported = false;
    // The organizational domain of the host that received the newest
    // public client: a private client after it is that organization's own
    // relay (an edge server handing over to internal ones, as Microsoft
    // 365 and most companies do), not an anomaly.
    let mut public_receiver: Option<&str> = None;
    for (i, h) in t.hops.iter().enumerate() {
        let at = Some(h.offset);
        if !h.parsed {
            f.push(
                Finding::new(
                    "unparsed_received",
                    format!(
                        "{}: mail-parser could not read this Received field; it is kept raw and read by keyword",
                        hop_name(h)
                    ),
                )
                .at(at),
            );
        }
        match (&h.timestamp, &h.date_text) {
            (None, Some(d)) => f.push(
                Finding::new(
                    "missing_hop_date",
                    format!("{}: date {d:?} cannot be parsed", hop_name(h)),
                )
                .at(at),
            ),
            (None, None) => {
                f.push(Finding::new("missing_hop_date", format!("{}: no date", hop_name(h))).at(at))
            }
            _ => {}
        }
        if let (Some(d), Some(p)) = (h.delay, prev_dated) {
            if d < -o.skew_tolerance {
                f.push(
                    Finding::new(
                        "clock_skew",
                        format!(
                            "{} is dated {} before {} ({})",
                            hop_name(h),
                            fmt_delay(-d).trim_start_matches('+'),
                            hop_name(p),
                            fmt_delay(d)
                        ),
                    )
                    .at(at),
                );
            }
        }
        if let Some(ts) = h.timestamp {
            if ts > o.now + o.future_slack {
                f.push(
                    Finding::new(
                        "future_date",
                        format!(
                            "{} is dated {}, in the future",
                            hop_name(h),
                            super::hops::utc(ts)
                        ),
                    )
                    .at(at),
                );
            }
            prev_dated = Some(h);
        }
        if i > 0 {
            let p = &t.hops[i - 1];
            let has_client = (h.from.is_some() || h.ip.is_some()) && !h.is_pickup();
            if has_client && t.kinds[i] != HopKind::Local && !is_loopbackish(h) && !continues(p, h)
            {
                f.push(
                    Finding::new(
                        "broken_chain",
                        format!(
                            "{}: from {:?} does not continue the previous hop's by {:?}",
                            hop_name(h),
                            h.from.as_deref().unwrap_or(""),
                            p.by.as_deref().unwrap_or("")
                        ),
                    )
                    .at(at),
                );
            }
        }
        if let Some(ip) = h.ip {
            match classify::scope(ip) {
                Scope::Public => {
                    if !h.tls && t.kinds[i] != HopKind::Local {
                        f.push(
                            Finding::new(
                                "no_tls_public_hop",
                                format!("{}: from public address {ip} without TLS", hop_name(h)),
                            )
                            .at(at),
                        );
                    }
                    seen_public = true;
                    public_receiver = h.by.as_deref();
                }
                Scope::Private | Scope::LinkLocal
                    if seen_public
                        && !private_reported
                        && !same_org(public_receiver, h.by.as_deref()) =>
                {
                    private_reported = true;
                    f.push(
                        Finding::new(
                            "private_after_public",
                            format!("{}: private address {ip} after a public one", hop_name(h)),
                        )
                        .at(at),
                    );
                }
                _ => {}
            }
        }
    }
    // No Date header is the model's `missing_date`; an unreadable one its
    // `invalid_date` or `unparseable_date`.
    if let (Some(d), Some(ts)) = (&t.date, t.date_timestamp) {
        if ts > o.now + o.future_slack {
            f.push(
                Finding::new(
                    "future_date",
                    format!("the Date header {:?} is in the future", d.text),
                )
                .at(Some(d.offset)),
            );
        }
        if let Some(first) = t.hops.iter().find(|h| h.timestamp.is_some()) {
            let first_ts = first.timestamp.unwrap_or(ts);
            // The Date header is the first event of the timeline: a first
            // hop dated before it means one of the two clocks is wrong.
            // See: issue 5 (clock skew).
            if first_ts < ts - o.skew_tolerance && ts - first_ts <= o.date_far {
                f.push(
                    Finding::new(
                        "clock_skew",
                        format!(
                            "{} is dated {} before the Date header {:?} ({})",
                            hop_name(first),
                            fmt_delay(ts - first_ts).trim_start_matches('+'),
                            d.text,
                            fmt_delay(first_ts - ts)
                        ),
                    )
                    .at(Some(first.offset)),
                );
            }
            let first = first_ts;
            let diff = first - ts;
            if diff.abs() > o.date_far {
                f.push(
                    Finding::new(
                        "date_far_from_first_hop",
                        format!(
                            "the Date header {:?} is {} from the first hop ({})",
                            d.text,
                            fmt_delay(diff),
                            super::hops::utc(first)
                        ),
                    )
                    .at(Some(d.offset)),
                );
            }
        }
    }
    // No (usable) Message-ID is the model's `missing_message_id`.
    match &t.message_id {
        Some(m) if has_message_id && !is_valid_message_id(&m.text) => f.push(
            Finding::new(
                "malformed_message_id",
                format!("Message-ID {:?} is not <left@right>", m.text),
            )
            .at(Some(m.offset)),
        ),
        _ => {}
    }
    if let (Some(rp), Some(from)) = (&t.return_path, &t.from) {
        if let (Some(a), Some(b)) = (domain_of(&rp.text), domain_of(from)) {
            if !related_domains(&a, &b) {
                f.push(
                    Finding::new(
                        "return_path_mismatch",
                        format!("Return-Path domain {a} differs from From domain {b}"),
                    )
                    .at(Some(rp.offset)),
                );
            }
        }
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids() {
        assert!(is_valid_message_id("<a.b@c.d>"));
        assert!(is_valid_message_id(" <x@[1.2.3.4]> "));
        assert!(!is_valid_message_id("a@b"));
        assert!(!is_valid_message_id("<ab>"));
        assert!(!is_valid_message_id("<a b@c>"));
        assert!(!is_valid_message_id("<@c>"));
    }

    #[test]
    fn domains() {
        assert_eq!(
            domain_of("<Bounce@Mail.Example.ORG>").as_deref(),
            Some("mail.example.org")
        );
        assert!(related_domains("mail.example.org", "example.org"));
        assert!(!related_domains("example.net", "example.org"));
        assert!(related_domains("bounce.example.com", "news.example.com"));
        assert!(!related_domains("a.co.uk", "b.co.uk"));
        assert_eq!(domain_of("<>"), None);
    }
}
