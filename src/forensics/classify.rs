//! What kind of step each hop is, which addresses are public, and where the
//! trust boundary lies.

use super::hops::Hop;
use std::collections::HashMap;
use std::net::IpAddr;

/// What a hop is. See: issue 5 (classification).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum HopKind {
    /// An authenticated client handing the message to its server
    /// (ESMTPA/ESMTPSA, an "authenticated" note, or HTTP(S) webmail/API).
    Submission,
    /// Between two MTAs over the network.
    #[default]
    Relay,
    /// Inside one host: LMTP, `local`, a pipe, a pickup from a user id.
    Local,
    /// Between hosts on private, loopback or link-local addresses.
    Internal,
}

impl HopKind {
    /// The lower-case name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            HopKind::Submission => "submission",
            HopKind::Relay => "relay",
            HopKind::Local => "local",
            HopKind::Internal => "internal",
        }
    }
}

/// The scope of an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Scope {
    /// Routable on the internet (documentation ranges count as public so
    /// that examples behave like real mail).
    Public,
    /// RFC 1918, RFC 6598 shared (100.64/10), IPv6 unique-local (fc00::/7).
    Private,
    /// 127/8, ::1.
    Loopback,
    /// 169.254/16, fe80::/10.
    LinkLocal,
    /// Unspecified, multicast, broadcast, 0/8, 240/4.
    Reserved,
}

/// Classifies an address.
pub fn scope(ip: IpAddr) -> Scope {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            if v4.is_loopback() {
                Scope::Loopback
            } else if v4.is_private() || (o[0] == 100 && (64..128).contains(&o[1])) {
                Scope::Private
            } else if v4.is_link_local() {
                Scope::LinkLocal
            } else if o[0] == 0 || o[0] >= 224 {
                Scope::Reserved
            } else {
                Scope::Public
            }
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return scope(IpAddr::V4(v4));
            }
            let s = v6.segments();
            if v6.is_loopback() {
                Scope::Loopback
            } else if v6.is_unspecified() || v6.is_multicast() {
                Scope::Reserved
            } else if (s[0] & 0xfe00) == 0xfc00 {
                Scope::Private
            } else if (s[0] & 0xffc0) == 0xfe80 {
                Scope::LinkLocal
            } else {
                Scope::Public
            }
        }
    }
}

/// True for a public address.
pub fn is_public(ip: IpAddr) -> bool {
    scope(ip) == Scope::Public
}

fn is_localhost_name(n: &str) -> bool {
    let n = n.trim_end_matches('.').as_bytes();
    // `localhost`, or `localhost.` and more (`localhost.localdomain`).
    n.get(..9)
        .is_some_and(|p| p.eq_ignore_ascii_case(b"localhost"))
        && (n.len() == 9 || n[9] == b'.')
}

/// True when the hop names a client: a `from` name or address, a HELO
/// name or a client IP.
pub fn has_client(h: &Hop) -> bool {
    h.from.is_some() || h.ip.is_some() || h.helo.is_some()
}

/// Classifies one hop. Order of the rules: local, then submission (an
/// authenticated client, webmail on the oldest hop, port 587 or 465), then
/// internal (no client, or a private/loopback client), then relay.
///
/// HTTP(S) counts as a submission only on the oldest hop (webmail, the
/// Exchange/M365 client path); later HTTP(S) hops are the provider's own
/// transport (Microsoft 365 delivers to the mailbox server `with HTTPS`).
pub fn classify(h: &Hop) -> HopKind {
    // The protocol compared without case and without a copy (this runs for
    // every hop).
    let with = h.with.as_deref().unwrap_or("").as_bytes();
    let starts = |p: &str| {
        with.get(..p.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(p.as_bytes()))
    };
    let is = |p: &str| with.eq_ignore_ascii_case(p.as_bytes());
    let has = |needle: &str| super::hops::contains_ci(&h.raw, needle.as_bytes());
    // The three `invoked …` notes share a word: one scan rules all out.
    let invoked = || {
        has("invoked ")
            && (has("invoked by uid") || has("invoked by alias") || has("invoked from network"))
    };
    let local = starts("LMTP")
        || starts("UTF8LMTP")
        || is("LOCAL")
        || starts("LOCAL-") && h.ip.is_none()
        || has("from userid")
        || super::hops::contains_ci(with, b"pipe")
        || invoked()
        // No client and no protocol: a pickup of a local submission
        // (sendmail `(from user@localhost) by host … id`).
        || (h.from.is_none() && h.ip.is_none() && h.with.is_none())
        || h.is_pickup();
    if local {
        return HopKind::Local;
    }
    let web = is("HTTP") || is("HTTPS") || is("MAPI");
    // Ports 587 and 465 are the submission services (RFC 6409, RFC 8314):
    // only the receiving host's port counts (the client's is ephemeral).
    let submission_port = matches!(h.port, Some(587 | 465));
    if h.authenticated.is_some() || web && h.index == 0 || submission_port {
        return HopKind::Submission;
    }
    // No client at all, but a protocol: a hand-over inside the receiving
    // provider, written by address (Gmail's `by 2002:a05:… with SMTP id
    // …` between its own servers). Nothing crossed the internet here.
    if !has_client(h) {
        return HopKind::Internal;
    }
    let from_local = h.from.as_deref().is_some_and(is_localhost_name)
        && h.ip.is_none_or(|ip| scope(ip) == Scope::Loopback);
    if from_local || h.ip.is_some_and(|ip| scope(ip) != Scope::Public) {
        return HopKind::Internal;
    }
    HopKind::Relay
}

/// True when `host` is `pattern` or a sub-domain of it (names compared
/// without case and trailing dot), or the same address.
pub fn host_matches(host: &str, pattern: &str) -> bool {
    // Compared without case and without a copy: this runs for every pair
    // of hop and claimed host.
    let h = host.trim_end_matches('.');
    let p = pattern.trim_end_matches('.').trim_start_matches('.');
    if p.is_empty() || h.is_empty() {
        return false;
    }
    if let (Ok(a), Ok(b)) = (
        h.trim_matches(|c| c == '[' || c == ']').parse::<IpAddr>(),
        p.parse::<IpAddr>(),
    ) {
        return a == b;
    }
    let (h, p) = (h.as_bytes(), p.as_bytes());
    h.eq_ignore_ascii_case(p)
        || h.len() > p.len()
            && h[h.len() - p.len() - 1] == b'.'
            && h[h.len() - p.len()..].eq_ignore_ascii_case(p)
}

/// Longest host name indexed by its domain suffixes (DNS allows 253 bytes);
/// a longer "name" is only ever matched whole.
const MAX_INDEXED_NAME: usize = 255;

/// The receiving hosts of a trace, indexed for [`host_matches`] in both
/// directions: [`HostIndex::nearest`] finds the hops whose host matches a
/// name (the name is the host, one of its sub-domains or a parent domain,
/// or the same IP address) in time logarithmic in the number of hops.
///
/// See: issue 14 (the hop of every Authentication-Results field was found
/// by a scan of every hop: quadratic).
#[derive(Debug)]
pub struct HostIndex<'h>(Hosts<'h>);

#[derive(Debug)]
enum Hosts<'h> {
    /// Up to [`SMALL_INDEX`] hops (nearly every message): the hosts as
    /// given, compared one by one with [`host_matches`] at each look-up,
    /// which costs less than building the maps.
    Few(Vec<Option<&'h str>>),
    /// More hops: maps from names to the hops they match.
    Many {
        /// Normalised host (or canonical IP) → hops it names exactly, ascending.
        exact: HashMap<String, Vec<usize>>,
        /// Proper parent domain → hops whose host is under it, ascending.
        under: HashMap<String, Vec<usize>>,
    },
}

impl Default for HostIndex<'_> {
    /// No hops: every look-up finds nothing.
    fn default() -> Self {
        HostIndex(Hosts::Few(Vec::new()))
    }
}

/// Most hops a [`HostIndex`] scans instead of indexing: a look-up is then
/// at most this many comparisons, so thousands of fields still cost linear
/// time in all.
const SMALL_INDEX: usize = 32;

/// The form [`host_matches`] compares: lower case, no trailing dot, an IP
/// address (brackets allowed) in its canonical form.
///
/// Leading dots go on both sides: [`host_matches`] drops them from the
/// pattern, and a host `.example.org` matches what `example.org` matches
/// (it ends with `.example.org`).
fn host_key(s: &str) -> Option<String> {
    let s = s.trim_end_matches('.').trim_start_matches('.');
    if s.is_empty() {
        return None;
    }
    if let Ok(ip) = s.trim_matches(|c| c == '[' || c == ']').parse::<IpAddr>() {
        return Some(ip.to_string());
    }
    Some(s.to_ascii_lowercase())
}

/// The proper parent domains of `key` (`a.b.c` gives `b.c`, `c`).
fn parents(key: &str) -> impl Iterator<Item = &str> {
    key.match_indices('.').map(move |(i, _)| &key[i + 1..])
}

impl<'h> HostIndex<'h> {
    /// Indexes the receiving host of each hop (in delivery order; `None`
    /// for a hop without one).
    pub fn new(hosts: impl IntoIterator<Item = Option<&'h str>>) -> HostIndex<'h> {
        let hosts: Vec<Option<&'h str>> = hosts.into_iter().collect();
        if hosts.len() <= SMALL_INDEX {
            return HostIndex(Hosts::Few(hosts));
        }
        HostIndex::build(hosts)
    }

    /// The maps, whatever the number of hops.
    fn build(hosts: Vec<Option<&'h str>>) -> HostIndex<'h> {
        let mut exact: HashMap<String, Vec<usize>> = HashMap::new();
        let mut under: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, h) in hosts.into_iter().enumerate() {
            let Some(key) = h.and_then(host_key) else {
                continue;
            };
            if key.len() <= MAX_INDEXED_NAME && key.parse::<IpAddr>().is_err() {
                for p in parents(&key) {
                    if !p.is_empty() {
                        under.entry(p.to_string()).or_default().push(i);
                    }
                }
            }
            exact.entry(key).or_default().push(i);
        }
        HostIndex(Hosts::Many { exact, under })
    }

    /// The hop whose host matches `name` (either way, as
    /// `host_matches(host, name) || host_matches(name, host)`) nearest to
    /// delivery index `target`; the lower index on a tie.
    pub fn nearest(&self, name: &str, target: i64) -> Option<usize> {
        let (exact, under) = match &self.0 {
            Hosts::Few(hosts) => {
                return hosts
                    .iter()
                    .enumerate()
                    .filter(|(_, h)| {
                        h.is_some_and(|b| host_matches(b, name) || host_matches(name, b))
                    })
                    .min_by_key(|&(i, _)| ((i as i64) - target).abs())
                    .map(|(i, _)| i);
            }
            Hosts::Many { exact, under } => (exact, under),
        };
        let key = host_key(name)?;
        let mut lists: Vec<&Vec<usize>> = Vec::new();
        // The host is the name itself, or a parent domain of it.
        lists.extend(exact.get(&key));
        if key.len() <= MAX_INDEXED_NAME && key.parse::<IpAddr>().is_err() {
            lists.extend(parents(&key).filter_map(|p| exact.get(p)));
        }
        // The host is a sub-domain of the name.
        lists.extend(under.get(&key));
        let mut best: Option<(i64, usize)> = None;
        for l in lists {
            let at = l.partition_point(|&i| (i as i64) < target);
            for &i in l
                .get(at.saturating_sub(1)..(at + 1).min(l.len()))
                .unwrap_or(&[])
            {
                let d = ((i as i64) - target).abs();
                if best.is_none_or(|(bd, bi)| (d, i) < (bd, bi)) {
                    best = Some((d, i));
                }
            }
        }
        best.map(|(_, i)| i)
    }
}

/// Marks trusted hops for `--trust`: starting at the newest hop, hops whose
/// receiving host (`by`) matches a trusted name or address are trusted; the
/// first hop that does not match, and every older one, is only claimed by
/// whoever handed the message over. A hop that names no receiving host at
/// all (qmail's `(qmail 123 invoked from network)`, written on top of the
/// SMTP hop by the same machine) neither continues nor ends the run: it
/// takes the trust of the next older hop that names one, the hop of the
/// machine that wrote it. Returns one flag per hop (delivery order), or
/// `None` when no trust list was given.
pub fn trust(hops: &[Hop], trusted: &[String]) -> Option<Vec<bool>> {
    if trusted.is_empty() {
        return None;
    }
    let mut out = vec![false; hops.len()];
    // Hops without a `by` seen since the last trusted hop that has one
    // (newest first); they are trusted when the next hop with a `by` is.
    let mut pending = Vec::new();
    // The client address of the newest trusted hop with a `by`.
    let mut prev_ip: Option<IpAddr> = None;
    for (i, h) in hops.iter().enumerate().rev() {
        let Some(by) = h.by.as_deref() else {
            pending.push(i);
            continue;
        };
        let ok = trusted.iter().any(|t| host_matches(by, t))
            // The previous trusted hop's client was a trusted relay by
            // address: it wrote this header.
            || prev_ip.is_some_and(|ip| trusted.iter().any(|t| t.parse::<IpAddr>() == Ok(ip)));
        if !ok {
            break;
        }
        out[i] = true;
        for p in pending.drain(..) {
            out[p] = true;
        }
        prev_ip = h.ip;
    }
    Some(out)
}

/// The originating IP: the client address of the oldest hop whose client
/// address is public. With a trust boundary, only the boundary hop and the
/// trusted hops above it are considered, since older client addresses are
/// only claimed by the sender. Returns the hop index and address.
pub fn originating_ip(hops: &[Hop], trusted: Option<&[bool]>) -> Option<(usize, IpAddr)> {
    let start = match trusted {
        Some(t) => t.iter().position(|&x| x).unwrap_or(hops.len()),
        None => 0,
    };
    hops.iter()
        .enumerate()
        .skip(start)
        .find_map(|(i, h)| h.ip.filter(|ip| is_public(*ip)).map(|ip| (i, ip)))
}

/// The entry hop: where the message came in from outside, so that its
/// client (HELO name, address) is the sending side as the receiving
/// boundary recorded it. With a trust boundary (`trusted`, from [`trust`]
/// with the `trust` list), the oldest trusted hop — the first hop received
/// by a trusted host — unless its client address is itself in the list
/// (the message then started inside; client names are not used, since
/// the client chooses its HELO name). Without one, the newest hop whose
/// client address is public and that is not `local` (`kinds`, one per
/// hop, from [`classify`]): the hops above it are the receiver's own
/// (private, loopback, no client). Unlike [`originating_ip`] (the oldest
/// public client, often the sender's own submission), this is the hop
/// where SPF checks the HELO and mail-from. Returns the hop index.
pub fn entry_hop(
    hops: &[Hop],
    kinds: &[HopKind],
    trusted: Option<&[bool]>,
    trust: &[String],
) -> Option<usize> {
    let Some(t) = trusted else {
        return hops
            .iter()
            .zip(kinds)
            .rposition(|(h, k)| h.ip.is_some_and(is_public) && *k != HopKind::Local);
    };
    let i = t.iter().position(|&x| x)?;
    let ip = hops.get(i)?.ip;
    let client_trusted = ip.is_some_and(|ip| trust.iter().any(|p| p.parse::<IpAddr>() == Ok(ip)));
    (!client_trusted).then_some(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes() {
        let s = |x: &str| scope(x.parse().unwrap());
        assert_eq!(s("10.1.2.3"), Scope::Private);
        assert_eq!(s("100.64.0.1"), Scope::Private);
        assert_eq!(s("127.0.0.1"), Scope::Loopback);
        assert_eq!(s("::1"), Scope::Loopback);
        assert_eq!(s("169.254.1.1"), Scope::LinkLocal);
        assert_eq!(s("fe80::1"), Scope::LinkLocal);
        assert_eq!(s("fd00::1"), Scope::Private);
        assert_eq!(s("::ffff:192.168.1.1"), Scope::Private);
        assert_eq!(s("203.0.113.9"), Scope::Public);
        assert_eq!(s("2001:db8::1"), Scope::Public);
    }

    #[test]
    fn matching() {
        assert!(host_matches("mx1.Example.COM.", "example.com"));
        assert!(!host_matches("badexample.com", "example.com"));
        assert!(host_matches("[192.0.2.1]", "192.0.2.1"));
    }

    /// The comparison without copies gives what the lower-casing one
    /// gave, on every ordered pair of names built to collide (case,
    /// trailing and leading dots, brackets, IPv6 in upper case, non-ASCII).
    #[test]
    fn matching_agrees_with_lower_cased_copies() {
        fn reference(host: &str, pattern: &str) -> bool {
            let h = host.trim_end_matches('.').to_ascii_lowercase();
            let p = pattern.trim_end_matches('.').to_ascii_lowercase();
            let p = p.trim_start_matches('.');
            if p.is_empty() || h.is_empty() {
                return false;
            }
            if let (Ok(a), Ok(b)) = (
                h.trim_matches(|c| c == '[' || c == ']').parse::<IpAddr>(),
                p.parse::<IpAddr>(),
            ) {
                return a == b;
            }
            h == p || h.ends_with(&format!(".{p}"))
        }
        const NAMES: &[&str] = &[
            "mx.example.org",
            "MX.EXAMPLE.ORG.",
            "example.org",
            ".example.org",
            "..example.org..",
            "a.mx.example.org",
            "org",
            "badexample.org",
            "[192.0.2.1]",
            "192.0.2.1",
            "2001:DB8::1",
            "[2001:db8::1]",
            "mx.bücher.example",
            "BÜCHER.example",
            "bücher.example",
            ".",
            "",
            "x",
        ];
        for h in NAMES {
            for p in NAMES {
                assert_eq!(host_matches(h, p), reference(h, p), "{h:?} {p:?}");
            }
        }
    }

    /// The index finds what a scan of every hop with [`host_matches`]
    /// found (the code before issue 14), on names built to collide.
    #[test]
    fn host_index_agrees_with_a_scan() {
        const NAMES: &[&str] = &[
            "mx.example.org",
            "example.org",
            "a.mx.example.org",
            "MX.Example.ORG.",
            "org",
            "other.net",
            "[192.0.2.1]",
            "192.0.2.1",
            "2001:db8::1",
            "[2001:DB8::1]",
            "badexample.org",
            ".example.org",
            "",
            "x",
        ];
        let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..300 {
            let n = (next() % 20) as usize;
            let hosts: Vec<Option<&str>> = (0..n)
                .map(|_| match next() % 8 {
                    0 => None,
                    _ => Some(NAMES[(next() % NAMES.len() as u64) as usize]),
                })
                .collect();
            // Both forms: the scan of a few hops and the maps.
            let small = HostIndex::new(hosts.iter().copied());
            let maps = HostIndex::build(hosts.clone());
            for id in NAMES.iter().filter(|s| !s.is_empty()) {
                for above in 0..=n {
                    let target = n as i64 - 1 - above as i64;
                    let scan = (0..n)
                        .filter(|&i| {
                            hosts[i].is_some_and(|b| host_matches(b, id) || host_matches(id, b))
                        })
                        .min_by_key(|&i| ((n - 1 - i) as i64 - above as i64).abs());
                    assert_eq!(maps.nearest(id, target), scan, "{hosts:?} {id:?} {above}");
                    assert_eq!(small.nearest(id, target), scan, "{hosts:?} {id:?} {above}");
                }
            }
        }
    }
}
