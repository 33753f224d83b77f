//! Received header fields → hops.
//!
//! Our Received reader ([`crate::model::received`], which fills
//! mail-parser's [`mail_parser::Received`] type) does the heavy lifting;
//! this module turns its result into a [`Hop`] with the names an analyst
//! uses (HELO name, reverse-DNS name, client IP), and reads from the raw
//! value what the reader leaves out: TLS written as
//! `(version=TLS1_3 cipher=…)` (Gmail, Exchange, sendmail, Haraka), Exim's
//! `tls CIPHER`, OpenSMTPD's `(TLSv1.3:CIPHER:256:NO)`, the authenticated
//! sender, and — when the reader finds nothing in a value — a keyword-based
//! fallback for from/by/with/id/for and the date after the last `;`.

use mail_parser::{DateTime, Greeting, Host, Protocol, Received, TlsVersion};
use std::net::IpAddr;

/// One Received header field, read as a hop of the delivery path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Hop {
    /// Position in delivery order (0 = the oldest, bottom-most field).
    pub index: usize,
    /// Byte offset of the field name in the input.
    pub offset: u64,
    /// The field value as written (folding kept).
    pub raw: Vec<u8>,
    /// mail-parser understood the value (false: only the fallback read it).
    pub parsed: bool,
    /// The name or address after `from`, as written.
    pub from: Option<String>,
    /// Whether `from` was an address literal.
    pub from_is_ip: bool,
    /// The HELO/EHLO name: stated (`HELO x`, `helo=x`) or, in the
    /// Postfix/sendmail layout `from HELO (RDNS [IP])`, the `from` name.
    pub helo: Option<String>,
    /// The greeting command when stated (`HELO`, `EHLO`, `LHLO`).
    pub helo_cmd: Option<&'static str>,
    /// The reverse-DNS name of the client, when written.
    pub rdns: Option<String>,
    /// The client IP address.
    pub ip: Option<IpAddr>,
    /// The ident / user part (RFC 1413, or an AUTH identity).
    pub ident: Option<String>,
    /// The receiving host.
    pub by: Option<String>,
    /// `via` (the link type).
    pub via: Option<String>,
    /// The protocol (`ESMTPS`, `LMTP`, `local`, …), upper-case except `local`.
    pub with: Option<String>,
    /// TLS was used: stated version/cipher, an `S` protocol, or an MTA's TLS note.
    pub tls: bool,
    /// TLS version as stated (`TLSv1.3`).
    pub tls_version: Option<String>,
    /// TLS cipher as stated.
    pub tls_cipher: Option<String>,
    /// The client authenticated: the identity when written, else `"yes"`.
    pub authenticated: Option<String>,
    /// The queue id.
    pub id: Option<String>,
    /// The `for` recipient.
    pub for_: Option<String>,
    /// The date text after the last `;`, unfolded, as written.
    pub date_text: Option<String>,
    /// The parsed date (with its zone as written).
    pub date: Option<DateTime>,
    /// Seconds since the Unix epoch (UTC), when the date is valid.
    pub timestamp: Option<i64>,
    /// Seconds since the previous dated hop (negative: the clock went back).
    pub delay: Option<i64>,
    /// The local user a local pickup came from (Exim `from root by host
    /// with local`): a login name, not a HELO name.
    pub local_user: Option<String>,
    /// The port the receiving host accepted the message on, when the
    /// field says so after `by` (`port 587`, `port=465`): 587 is message
    /// submission (RFC 6409), 465 submission over implicit TLS (RFC 8314).
    pub port: Option<u16>,
    /// The client's port, when written in the `from` part (Exim
    /// `[203.0.113.5]:51234`, `(port=51234 helo=…)`): the client's side of
    /// the connection, usually an ephemeral port, so it says nothing about
    /// the service used.
    pub client_port: Option<u16>,
}

impl Hop {
    /// True when the `from` part names a local user or process rather than
    /// a client host: qmail's `(qmail N invoked from network)` / `(… by uid
    /// N)`, sendmail's `(from user@localhost)`, Postfix's `(Postfix, from
    /// userid N)`, `from user@domain` with no address and no protocol, or
    /// Exim's `from root … with local` ([`Hop::local_user`]).
    pub fn is_pickup(&self) -> bool {
        self.local_user.is_some()
            || self.ip.is_none()
                && self.with.is_none()
                && (self.raw.starts_with(b"(qmail ")
                || self.from.as_deref().is_some_and(|f| f.contains('@'))
                // Postfix pickup: `by host (Postfix, from userid N)`.
                || find_bytes(&self.raw, b"from userid").is_some())
    }
}

/// The protocol name we show for a mail-parser protocol.
pub fn protocol_name(p: Protocol) -> &'static str {
    match p {
        Protocol::SMTP => "SMTP",
        Protocol::ESMTP => "ESMTP",
        Protocol::ESMTPA => "ESMTPA",
        Protocol::ESMTPS => "ESMTPS",
        Protocol::ESMTPSA => "ESMTPSA",
        Protocol::LMTP => "LMTP",
        Protocol::LMTPA => "LMTPA",
        Protocol::LMTPS => "LMTPS",
        Protocol::LMTPSA => "LMTPSA",
        Protocol::MMS => "MMS",
        Protocol::UTF8SMTP => "UTF8SMTP",
        Protocol::UTF8SMTPA => "UTF8SMTPA",
        Protocol::UTF8SMTPS => "UTF8SMTPS",
        Protocol::UTF8SMTPSA => "UTF8SMTPSA",
        Protocol::UTF8LMTP => "UTF8LMTP",
        Protocol::UTF8LMTPA => "UTF8LMTPA",
        Protocol::UTF8LMTPS => "UTF8LMTPS",
        Protocol::UTF8LMTPSA => "UTF8LMTPSA",
        Protocol::HTTP => "HTTP",
        Protocol::HTTPS => "HTTPS",
        Protocol::IMAP => "IMAP",
        Protocol::POP3 => "POP3",
        Protocol::Local => "local",
    }
}

/// The TLS version name we show (`TLSv1.3`).
pub fn tls_version_name(v: TlsVersion) -> &'static str {
    match v {
        TlsVersion::SSLv2 => "SSLv2",
        TlsVersion::SSLv3 => "SSLv3",
        TlsVersion::TLSv1_0 => "TLSv1.0",
        TlsVersion::TLSv1_1 => "TLSv1.1",
        TlsVersion::TLSv1_2 => "TLSv1.2",
        TlsVersion::TLSv1_3 => "TLSv1.3",
        TlsVersion::DTLSv1_0 => "DTLSv1.0",
        TlsVersion::DTLSv1_2 => "DTLSv1.2",
        TlsVersion::DTLSv1_3 => "DTLSv1.3",
    }
}

fn host_text(h: &Host<'_>) -> (String, bool) {
    match h {
        Host::Name(n) => (n.to_string(), false),
        Host::IpAddr(ip) => (ip.to_string(), true),
    }
}

/// Unfolds a raw header value (line breaks removed, the whitespace after
/// them kept) and trims it. Bytes that are not UTF-8 are replaced (the raw
/// bytes stay in [`Hop::raw`]).
pub fn unfold(raw: &[u8]) -> String {
    // RFC 5322 §2.2.3: unfolding removes the CRLF; the whitespace after it stays.
    let bytes = crate::model::encoded_word::unfold(raw);
    let s = match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    };
    let t = s.trim();
    if t.len() == s.len() {
        s
    } else {
        t.to_string()
    }
}

/// Builds a hop from a raw Received value and mail-parser's reading of it
/// (None when mail-parser could not parse it).
pub fn hop(raw: &[u8], offset: u64, parsed: Option<&Received<'_>>) -> Hop {
    let text = unfold(raw);
    let mut h = Hop {
        offset,
        raw: raw.to_vec(),
        parsed: parsed.is_some(),
        ..Hop::default()
    };
    if let Some(r) = parsed {
        if let Some(f) = &r.from {
            let (t, ip) = host_text(f);
            h.from = Some(t);
            h.from_is_ip = ip;
        }
        h.ip = r.from_ip.or(match &r.from {
            Some(Host::IpAddr(ip)) => Some(*ip),
            _ => None,
        });
        h.rdns = r.from_iprev.as_deref().map(str::to_string);
        h.helo = r.helo.as_ref().map(|x| host_text(x).0);
        h.helo_cmd = r.helo_cmd.map(|g| match g {
            Greeting::Helo => "HELO",
            Greeting::Ehlo => "EHLO",
            Greeting::Lhlo => "LHLO",
        });
        h.ident = r.ident.as_deref().map(str::to_string);
        h.by = r.by.as_ref().map(|x| host_text(x).0);
        h.via = r.via.as_deref().map(str::to_string);
        h.with = r.with.map(|p| protocol_name(p).to_string());
        h.tls_version = r.tls_version.map(|v| tls_version_name(v).to_string());
        h.tls_cipher = r.tls_cipher.as_deref().map(str::to_string);
        h.id = r.id.as_deref().map(str::to_string);
        h.for_ = r.for_.as_deref().map(str::to_string);
        h.date = r.date.filter(|d| d.is_valid());
    } else {
        fallback(&text, &mut h);
    }
    enrich(&text, &mut h);
    h
}

/// Reads from/by/with/id/for/via and the client address by keyword when
/// mail-parser produced nothing. Only text outside comments is considered
/// for keywords, as RFC 5321 §4.4 places them there.
fn fallback(text: &str, h: &mut Hop) {
    let head = match text.rfind(';') {
        Some(p) => &text[..p],
        None => text,
    };
    let words = top_level_words(head);
    let mut i = 0;
    while i < words.len() {
        let w = words[i].to_ascii_lowercase();
        let next = words.get(i + 1).map(|s| s.to_string());
        let slot = match w.as_str() {
            "from" => &mut h.from,
            "by" => &mut h.by,
            "with" => &mut h.with,
            "id" => &mut h.id,
            "for" => &mut h.for_,
            "via" => &mut h.via,
            _ => {
                i += 1;
                continue;
            }
        };
        if slot.is_none() {
            if let Some(v) = next {
                let v = v.trim_matches(|c| c == '<' || c == '>').to_string();
                *slot = Some(v);
                i += 1;
            }
        }
        i += 1;
    }
    if let Some(f) = &h.from {
        let lit = f.trim_matches(|c| c == '[' || c == ']');
        let lit = lit.strip_prefix("IPv6:").unwrap_or(lit);
        if let Ok(ip) = lit.parse::<IpAddr>() {
            h.from_is_ip = true;
            h.ip = Some(ip);
        }
    }
    if let Some(w) = &h.with {
        let up = w.to_ascii_uppercase();
        h.with = Some(if up == "LOCAL" { "local".into() } else { up });
    }
}

/// Words of `s` outside parentheses, split on whitespace.
fn top_level_words(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0u32;
    let mut start: Option<usize> = None;
    for (i, c) in s.char_indices() {
        match c {
            '(' => {
                if let Some(st) = start.take() {
                    if depth == 0 {
                        out.push(&s[st..i]);
                    }
                }
                depth = depth.saturating_add(1);
            }
            ')' => {
                depth = depth.saturating_sub(1);
                start = None;
            }
            c if c.is_whitespace() => {
                if let Some(st) = start.take() {
                    if depth == 0 {
                        out.push(&s[st..i]);
                    }
                }
            }
            _ => {
                if start.is_none() && depth == 0 {
                    start = Some(i);
                }
            }
        }
    }
    if let (Some(st), 0) = (start, depth) {
        out.push(&s[st..]);
    }
    out
}

/// Finds `needle` (ASCII, lower-case) in `lower`, the ASCII-lower-cased
/// text (same byte positions as the original); returns the byte position.
fn find_ci(lower: &str, needle: &str) -> Option<usize> {
    use memchr::memmem::Finder;
    use std::sync::LazyLock;
    // One searcher per needle, built once: a dozen searches run per hop.
    static FINDERS: LazyLock<Vec<(&'static str, Finder<'static>)>> = LazyLock::new(|| {
        NEEDLES
            .iter()
            .map(|n| (*n, Finder::new(n.as_bytes())))
            .collect()
    });
    match FINDERS.iter().find(|(n, _)| *n == needle) {
        Some((_, f)) => f.find(lower.as_bytes()),
        None => memchr::memmem::find(lower.as_bytes(), needle.as_bytes()),
    }
}

/// The needles [`enrich`] searches for, with prebuilt searchers.
const NEEDLES: &[&str] = &[
    "version=",
    "cipher=",
    "tls ",
    "(tls1.",
    "(tlsv1.",
    "google transport security",
    "authenticated sender:",
    "authenticated as ",
    "authenticated user ",
    "auth: ",
    "authenticated-user=",
    "(authenticated",
    "esmtpsa",
    "tls",
    "auth",
    "port",
    "]:",
];

/// The first position of `needle` in `hay`: candidates by memchr on the
/// first byte, then a compare. No searcher is built per call (this runs a
/// dozen times per hop); at most `needle.len()` compares per byte, and the
/// needles here are short constants.
pub fn find_bytes(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    memchr::memchr_iter(first, hay).find(|&p| hay[p + 1..].starts_with(rest))
}

/// Whether `hay` contains `needle` (ASCII, lower-case) in any case, without
/// allocating a lower-cased copy.
pub fn contains_ci(hay: &[u8], needle: &[u8]) -> bool {
    let Some((&first, rest)) = needle.split_first() else {
        return true;
    };
    memchr::memchr2_iter(first, first.to_ascii_uppercase(), hay).any(|p| {
        hay.get(p + 1..p + 1 + rest.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(rest))
    })
}

/// The token after position `p` in `s`, up to whitespace or one of `stops`.
fn token_at(s: &str, p: usize, stops: &[char]) -> Option<String> {
    let rest = s.get(p..)?.trim_start();
    let end = rest
        .find(|c: char| c.is_whitespace() || stops.contains(&c))
        .unwrap_or(rest.len());
    let t = &rest[..end];
    (!t.is_empty()).then(|| t.to_string())
}

/// `localhost` when the first comment of the `from` clause (before ` by `)
/// is `(localhost [IP])`: the reverse-DNS name of a loopback client in the
/// Postfix/sendmail layout, which mail-parser (dotted names only) drops.
/// Other single words there (`unknown`, `unverified`, `softdnserr`) are
/// placeholders, not names. One pass over the text.
fn localhost_rdns(lower: &str) -> Option<String> {
    if !lower.trim_start().starts_with("from ") {
        return None;
    }
    let end = find_ci(lower, " by ").unwrap_or(lower.len());
    let open = lower.get(..end)?.find('(')?;
    lower
        .get(open + 1..end)?
        .starts_with("localhost [")
        .then(|| "localhost".to_string())
}

/// Normalises a TLS version as MTAs write it (`TLS1_3`, `TLSv1.3`, `TLS1.3`).
fn norm_tls(v: &str) -> Option<String> {
    let up = v.to_ascii_uppercase().replace('_', ".");
    let num = up
        .strip_prefix("TLSV")
        .or_else(|| up.strip_prefix("TLS"))?
        .trim_end_matches([',', ')', ';', ':']);
    if num.is_empty() || !num.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    Some(format!("TLSv{num}"))
}

/// The registered protocol name (RFC 6531 §4.3, RFC 3848) for a `with`
/// word mail-parser does not know: Exim writes `utf8esmtp`, `utf8esmtps`,
/// `utf8esmtpa` and `utf8esmtpsa` (and `utf8smtp…` without the `e`).
pub fn utf8_protocol(word: &str) -> Option<&'static str> {
    let w = word.to_ascii_lowercase();
    let rest = w.strip_prefix("utf8")?;
    let rest = rest.strip_prefix('e').unwrap_or(rest);
    Some(match rest {
        "smtp" => "UTF8SMTP",
        "smtpa" => "UTF8SMTPA",
        "smtps" => "UTF8SMTPS",
        "smtpsa" => "UTF8SMTPSA",
        "lmtp" => "UTF8LMTP",
        "lmtpa" => "UTF8LMTPA",
        "lmtps" => "UTF8LMTPS",
        "lmtpsa" => "UTF8LMTPSA",
        _ => return None,
    })
}

/// Byte position of the first top-level (outside comments) word `kw`
/// (ASCII, lower-case) in `lower`, the lower-cased value.
fn keyword_at(lower: &str, kw: &str) -> Option<usize> {
    let b = lower.as_bytes();
    let first = *kw.as_bytes().first()?;
    let mut depth = 0u32;
    // Only parentheses and the keyword's first letter matter: jump to them.
    for i in memchr::memchr3_iter(b'(', b')', first, b) {
        match b[i] {
            b'(' => depth = depth.saturating_add(1),
            b')' => depth = depth.saturating_sub(1),
            _ if depth == 0
                && b[i..].starts_with(kw.as_bytes())
                && (i == 0 || b[i - 1].is_ascii_whitespace())
                && b.get(i + kw.len()).is_none_or(|c| c.is_ascii_whitespace()) =>
            {
                return Some(i);
            }
            _ => {}
        }
    }
    None
}

/// A port number written after `port` (`port 587`, `port=587`, `port: 587`)
/// in `lower`, from byte `from`.
fn port_after(lower: &str, from: usize, to: usize) -> Option<u16> {
    let s = lower.get(from..to)?;
    let mut start = 0;
    while let Some(p) = s.get(start..).and_then(|t| find_ci(t, "port")) {
        let at = start + p;
        start = at + 4;
        if at > 0 && s.as_bytes()[at - 1].is_ascii_alphanumeric() {
            continue;
        }
        let rest = s[at + 4..].trim_start_matches([' ', '=', ':']);
        let digits: &str = &rest[..rest.bytes().take_while(u8::is_ascii_digit).count()];
        if let Ok(n) = digits.parse::<u16>() {
            return Some(n);
        }
    }
    None
}

/// Exim's `[ip]:port` in the `from` part.
fn bracket_port(lower: &str, to: usize) -> Option<u16> {
    let s = lower.get(..to)?;
    let p = find_ci(s, "]:")?;
    let rest = &s[p + 2..];
    rest[..rest.bytes().take_while(u8::is_ascii_digit).count()]
        .parse()
        .ok()
}

/// Adds what mail-parser does not read: TLS notes in the styles of Gmail,
/// Exchange, sendmail, Exim, OpenSMTPD and Haraka; the authenticated
/// identity; the HELO name implied by the Postfix/sendmail layout; the
/// date when mail-parser did not find it. See: issue 5 (hops).
fn enrich(text: &str, h: &mut Hop) {
    // The lower-cased copy every search below reads, in one buffer per
    // thread instead of a new string per hop.
    thread_local! {
        static LOWER: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    }
    LOWER.with_borrow_mut(|lower| {
        lower.clear();
        lower.push_str(text);
        lower.make_ascii_lowercase();
        enrich_lower(text, lower, h);
        // A huge field's copy is not kept for the rest of the run.
        if lower.capacity() > 1 << 16 {
            *lower = String::new();
        }
    })
}

/// [`enrich`] with `lower`, `text` lower-cased (ASCII only: the byte
/// offsets of both are the same).
fn enrich_lower(text: &str, lower: &str, h: &mut Hop) {
    // Gates, one search each, for the groups of searches below: most hops
    // carry no `tls` word, no `auth` note and no `key=value`, and then a
    // dozen searches of the whole text are skipped.
    let has_tls = find_ci(lower, "tls").is_some();
    let has_auth = find_ci(lower, "auth").is_some();
    let has_eq = memchr::memchr(b'=', lower.as_bytes()).is_some();
    // Postfix pickup `by host (Postfix, from userid N)` has no client:
    // mail-parser reads the comment's `userid` as the `from` host.
    if h.from.as_deref() == Some("userid") && h.is_pickup() {
        h.from = None;
    }
    // qmail's `(qmail N invoked from network)` is a comment, not a `from`
    // clause: the reader (like mail-parser) takes `network` for the client
    // host. Microsoft MHA's qmail test vector has no `from` either.
    if h.from.as_deref() == Some("network")
        && find_ci(lower, "invoked from network").is_some()
        && h.is_pickup()
    {
        h.from = None;
    }
    // `with utf8esmtps` (Exim's default for SMTPUTF8 mail): the reader
    // knows it; this covers values where it found no `with` (the keyword
    // fallback; Exim's `utf8elmtp…`). See: issue 16.
    if h.with.is_none() {
        if let Some(p) = keyword_at(lower, "with") {
            if let Some(w) = text[p + 4..].split_whitespace().next() {
                h.with = utf8_protocol(w).map(str::to_string);
            }
        }
    }
    // Ports: after `by` the receiving host's, before it the client's.
    let by_at = keyword_at(lower, "by").unwrap_or(lower.len());
    h.port = port_after(
        lower,
        by_at,
        lower.rfind(';').unwrap_or(lower.len()).max(by_at),
    );
    h.client_port = bracket_port(lower, by_at).or_else(|| port_after(lower, 0, by_at));
    // TLS version/cipher written as key=value (Gmail, Exchange, sendmail, Haraka).
    if h.tls_version.is_none() && has_eq {
        if let Some(p) = find_ci(lower, "version=") {
            if let Some(v) = token_at(text, p + 8, &[',', ')', ';']) {
                h.tls_version = norm_tls(&v);
            }
        }
    }
    if h.tls_cipher.is_none() && has_eq {
        if let Some(p) = find_ci(lower, "cipher=") {
            h.tls_cipher = token_at(text, p + 7, &[',', ')', ';']);
        }
    }
    // Exim `(TLS1.3) tls TLS_AES_256_GCM_SHA384`, Haraka `tls TLS_…`: the
    // word `tls` followed by a cipher name.
    if h.tls_cipher.is_none() && has_tls {
        let mut from = 0;
        while let Some(p) = lower.get(from..).and_then(|t| find_ci(t, "tls ")) {
            let at = from + p;
            from = at + 4;
            let before = text[..at].chars().last();
            if before.is_some_and(|c| !c.is_whitespace() && c != ')') {
                continue;
            }
            if let Some(c) = token_at(text, at + 4, &[')', ';']) {
                if c.contains('_')
                    && c.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
                {
                    h.tls_cipher = Some(c);
                    break;
                }
            }
        }
    }
    if h.tls_version.is_none() && has_tls {
        if let Some(p) = find_ci(lower, "(tls1.") {
            h.tls_version = token_at(text, p + 1, &[')']).and_then(|v| norm_tls(&v));
        }
    }
    // OpenSMTPD: `(TLSv1.3:TLS_AES_256_GCM_SHA384:256:NO)`.
    if h.tls_version.is_none() && has_tls {
        if let Some(p) = find_ci(lower, "(tlsv1.") {
            if let Some(t) = token_at(text, p + 1, &[')']) {
                let mut it = t.split(':');
                h.tls_version = it.next().and_then(norm_tls);
                if h.tls_cipher.is_none() {
                    h.tls_cipher = it.next().filter(|c| !c.is_empty()).map(str::to_string);
                }
            }
        }
    }
    // Protocol names compared without case, without a copy.
    let ends_ci = |w: &str, suffix: &str| {
        w.len() >= suffix.len()
            && w.as_bytes()[w.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
    };
    let has_mtp = |w: &str| {
        w.as_bytes()
            .windows(3)
            .any(|x| x.eq_ignore_ascii_case(b"MTP"))
    };
    let s_proto = h.with.as_deref().is_some_and(|w| {
        w.eq_ignore_ascii_case("HTTPS") || ends_ci(w, "S") && has_mtp(w) || ends_ci(w, "SA")
    });
    h.tls = h.tls_version.is_some()
        || h.tls_cipher.is_some()
        || s_proto
        // Port 465 is submission over implicit TLS (RFC 8314 §3.3).
        || h.port == Some(465)
        || find_ci(lower, "google transport security").is_some();
    // Authentication: an `A` protocol, or the MTA's note.
    let a_proto = h
        .with
        .as_deref()
        .is_some_and(|w| ends_ci(w, "A") && w.contains("MTP"));
    for (pat, len) in [
        ("authenticated sender:", 21),
        ("authenticated as ", 17),
        ("authenticated user ", 19),
        ("auth: ", 6),
        ("authenticated-user=", 19),
    ] {
        if h.authenticated.is_some() || !has_auth {
            break;
        }
        if let Some(p) = find_ci(lower, pat) {
            let who = token_at(text, p + len, &[')', ';', ','])
                .map(|w| w.trim_matches(|c| c == '<' || c == '>').to_string());
            h.authenticated = Some(who.unwrap_or_else(|| "yes".into()));
        }
    }
    if h.authenticated.is_none()
        && (a_proto
            || has_auth && find_ci(lower, "(authenticated").is_some()
            || find_ci(lower, "esmtpsa").is_some())
    {
        h.authenticated = Some("yes".into());
    }
    // Postfix/sendmail `from HELO (RDNS [IP])`: mail-parser keeps RDNS only
    // when it is a dotted name, but a loopback client is `localhost` (as the
    // Postfix log writes it: `client=localhost[127.0.0.1]`).
    if h.rdns.is_none() && h.ip.is_some() {
        h.rdns = localhost_rdns(lower);
    }
    // HELO: Postfix/sendmail write `from HELO (RDNS [IP])`; when no HELO is
    // stated, the name after `from` is the HELO name. Exim and qmail write
    // `from RDNS (… helo=X)`/`from RDNS (HELO X)`: then the name after
    // `from` is the reverse-DNS name (unless it is `unknown`).
    // Exim's local pickup `from root by host with local (Exim 4.97)`: the
    // name after `from` is the sender's login, not a HELO name.
    let local_proto = h.with.as_deref().is_some_and(|w| {
        w.eq_ignore_ascii_case("local")
            || w.get(..6).is_some_and(|p| p.eq_ignore_ascii_case("local-"))
    });
    if local_proto && h.ip.is_none() && !h.from_is_ip && h.rdns.is_none() {
        if let Some(f) = h.from.clone().filter(|f| !f.contains(['.', '[', ':'])) {
            if h.helo.as_deref().is_none_or(|x| x == f) {
                h.helo = None;
                h.helo_cmd = None;
                h.local_user = Some(f);
            }
        }
    }
    if let Some(f) = h
        .from
        .clone()
        .filter(|_| !h.is_pickup() && h.local_user.is_none())
    {
        if h.helo.is_none() {
            h.helo = Some(f);
        } else if h.rdns.is_none() && !h.from_is_ip && !f.eq_ignore_ascii_case("unknown") {
            h.rdns = Some(f);
        }
    }
    // Date: the text after the last `;`, as written.
    if let Some(p) = text.rfind(';') {
        let d = text[p + 1..].trim();
        if !d.is_empty() {
            h.date_text = Some(d.to_string());
            // Fractional seconds (`13:35:10.102`, SendGrid, Go's
            // `time.String`): mail-parser's reading (which callers may pass
            // in) skips `10.102` and takes the zone for the seconds
            // (`+0000` → :00, zone lost); our reader gets it right, and the
            // loose reading, the same, wins there either way.
            if h.date.is_none() || has_fraction(d) {
                h.date = parse_loose_date(d).or(h.date.take());
            }
        }
    } else if let Some((start, d)) = trailing_date(text) {
        // No `;` at all (SendGrid's `by filter… with SMTP id X
        // 2018-03-26 13:35:36.27 +0000 UTC`, seen in Microsoft MHA's test
        // vectors): a date that ends the value is still the hop's date.
        h.date_text = Some(text[start..].trim().to_string());
        h.date = Some(d);
    }
    h.timestamp = h.date.as_ref().map(|d| d.to_timestamp());
}

/// True when `s` holds a time with fractional seconds (`10:00:05.123`).
fn has_fraction(s: &str) -> bool {
    s.as_bytes().windows(5).any(|w| {
        w[0] == b':'
            && w[1].is_ascii_digit()
            && w[2].is_ascii_digit()
            && w[3] == b'.'
            && w[4].is_ascii_digit()
    })
}

/// Words tried as the start of a date that ends a Received value without a
/// `;` (a date is at most `Saturday, 21 Apr 2018 03:01:02.123 +0000 (UTC)`,
/// 7 words plus comments); bounds the work to this many parses of the tail.
const TRAILING_DATE_WORDS: usize = 12;

/// A date that ends `text` (which has no `;`): the latest word start from
/// which the rest reads as a full date (day, month, year and time), moved
/// back over a day name before it. Returns the start and the date.
fn trailing_date(text: &str) -> Option<(usize, DateTime)> {
    // Word starts, the last TRAILING_DATE_WORDS of them, latest first.
    let b = text.as_bytes();
    let mut starts = Vec::with_capacity(TRAILING_DATE_WORDS);
    let mut i = b.len();
    while i > 0 && starts.len() < TRAILING_DATE_WORDS {
        if !b[i - 1].is_ascii_whitespace() && (i == 1 || b[i - 2].is_ascii_whitespace()) {
            starts.push(i - 1);
        }
        i -= 1;
    }
    for (n, &s) in starts.iter().enumerate() {
        if let Some(d) = text.get(s..).and_then(parse_loose_date) {
            // `Mon, 26 Mar 2018 …`: keep the day name in the date text.
            let start = starts
                .get(n + 1)
                .copied()
                .filter(|&p| {
                    let w = text[p..s].trim().trim_end_matches(',').to_ascii_lowercase();
                    crate::model::date::DAYS
                        .iter()
                        .any(|d| w.len() >= 3 && d.starts_with(w.as_str()))
                })
                .unwrap_or(s);
            return Some((start, d));
        }
    }
    None
}

/// Reads a date whose fields are in any usual order: RFC 5322
/// (`Fri, 1 Mar 2024 10:00:00 +0100`), asctime (`Fri Feb  7 10:18:12 2003`,
/// with or without a zone) and the like. Used only when mail-parser found no
/// valid date. A missing zone is taken as UTC. See: issue 5 (hop dates).
pub fn parse_loose_date(text: &str) -> Option<DateTime> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    // Drop comments: `(CET)`.
    let mut clean = String::with_capacity(text.len());
    let mut depth = 0u32;
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => clean.push(c),
            _ => {}
        }
    }
    let (mut year, mut month, mut day) = (None::<i64>, None::<u8>, None::<i64>);
    let mut time: Option<(i64, i64, i64)> = None;
    let mut zone: Option<i64> = None; // minutes east of UTC
    let mut small: Vec<i64> = Vec::new();
    let mut pm: Option<bool> = None;
    for tok in clean.split(|c: char| c.is_whitespace() || c == ',') {
        if tok.is_empty() {
            continue;
        }
        let lower = tok.to_ascii_lowercase();
        if tok.contains(':') && time.is_none() {
            let mut it = tok.split(':').map(|x| x.parse::<i64>().ok());
            let hh = it.next().flatten()?;
            let mm = it.next().flatten()?;
            // Fractional seconds (`05.123`, Go's nanoseconds) are cut: the
            // date keeps whole seconds, as RFC 5322 writes them.
            let ss = match tok.split(':').nth(2) {
                Some(x) => x.split('.').next()?.parse::<i64>().ok()?,
                None => 0,
            };
            time = Some((hh, mm, ss));
        } else if lower == "am" || lower == "pm" {
            // A 12-hour clock (`11:01:08 PM`).
            pm = Some(lower == "pm");
        } else if let Some((y, m, d)) = iso_date(tok) {
            // `2018-03-26` (ISO 8601, Go's `time.String`): unambiguous,
            // unlike `4/20/2018` or `4-20-2018`, which we do not guess at.
            year = Some(y);
            month = Some(m);
            day = Some(d);
        } else if (tok.starts_with('+') || tok.starts_with('-'))
            && tok.len() == 5
            && tok[1..].bytes().all(|b| b.is_ascii_digit())
        {
            let n: i64 = tok[1..].parse().ok()?;
            let m = (n / 100) * 60 + n % 100;
            zone = Some(if tok.starts_with('-') { -m } else { m });
        } else if let Some(m) = MONTHS.iter().position(|m| lower.starts_with(m)) {
            if month.is_none() && lower.len() <= 9 {
                month = Some(m as u8 + 1);
            }
        } else if tok.bytes().all(|b| b.is_ascii_digit()) && tok.len() <= 4 {
            let n: i64 = tok.parse().ok()?;
            if tok.len() == 4 {
                year = Some(n);
            } else {
                small.push(n);
            }
        } else if zone.is_none() {
            zone = match lower.as_str() {
                "ut" | "utc" | "gmt" | "z" => Some(0),
                "edt" => Some(-240),
                "est" | "cdt" => Some(-300),
                "cst" | "mdt" => Some(-360),
                "mst" | "pdt" => Some(-420),
                "pst" => Some(-480),
                _ => None,
            };
        }
    }
    let mut small = small.into_iter();
    day = day.or_else(|| small.next());
    if year.is_none() {
        year = small
            .next()
            .map(|y| if y < 50 { 2000 + y } else { 1900 + y });
    }
    let (mut hh, mm, ss) = time?;
    match pm {
        Some(_) if !(1..=12).contains(&hh) => return None,
        Some(true) if hh < 12 => hh += 12,
        Some(false) if hh == 12 => hh = 0,
        _ => {}
    }
    let zone = zone.unwrap_or(0);
    let d = DateTime {
        year: u16::try_from(year?).ok()?,
        month: month?,
        day: u8::try_from(day?).ok()?,
        hour: u8::try_from(hh).ok()?,
        minute: u8::try_from(mm).ok()?,
        second: u8::try_from(ss).ok()?,
        tz_before_gmt: zone < 0,
        tz_hour: u8::try_from(zone.abs() / 60).ok()?,
        tz_minute: u8::try_from(zone.abs() % 60).ok()?,
    };
    d.is_valid().then_some(d)
}

/// `YYYY-M-D` with one- or two-digit month and day: (year, month, day).
fn iso_date(tok: &str) -> Option<(i64, u8, i64)> {
    let mut it = tok.split('-');
    let (y, m, d) = (it.next()?, it.next()?, it.next()?);
    let digits = |x: &str, n: std::ops::RangeInclusive<usize>| {
        n.contains(&x.len()) && x.bytes().all(|b| b.is_ascii_digit())
    };
    if it.next().is_some() || !digits(y, 4..=4) || !digits(m, 1..=2) || !digits(d, 1..=2) {
        return None;
    }
    Some((y.parse().ok()?, m.parse().ok()?, d.parse().ok()?))
}

/// Writes `ts` as RFC 3339 UTC (`2024-03-01T10:00:05Z`) into `buf` without
/// allocating; None outside the years 0000-9999 (use [`utc`]).
pub fn utc_into(ts: i64, buf: &mut [u8; 20]) -> Option<&str> {
    let days = ts.div_euclid(86_400);
    let secs = ts.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (the proleptic Gregorian
    // calendar; H. Hinnant's days_from_civil inverse).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    if !(0..=9999).contains(&year) {
        return None;
    }
    let put = |b: &mut [u8; 20], at: usize, v: i64, n: usize| {
        let mut v = v;
        for i in (0..n).rev() {
            b[at + i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    put(buf, 0, year, 4);
    buf[4] = b'-';
    put(buf, 5, month, 2);
    buf[7] = b'-';
    put(buf, 8, day, 2);
    buf[10] = b'T';
    put(buf, 11, secs / 3600, 2);
    buf[13] = b':';
    put(buf, 14, secs % 3600 / 60, 2);
    buf[16] = b':';
    put(buf, 17, secs % 60, 2);
    buf[19] = b'Z';
    std::str::from_utf8(&buf[..]).ok()
}

/// An RFC 3339 UTC rendering of a Unix timestamp.
pub fn utc(ts: i64) -> String {
    let mut buf = [0u8; 20];
    match utc_into(ts, &mut buf) {
        Some(s) => s.to_string(),
        // Outside the years 0000-9999: mail-parser's rendering, as before.
        None => DateTime::from_timestamp(ts).to_rfc3339(),
    }
}

/// Human form of a signed number of seconds: `+3s`, `-2m05s`, `+1h02m`, `+2d03h`.
pub fn fmt_delay(d: i64) -> String {
    let sign = if d < 0 { '-' } else { '+' };
    let a = d.unsigned_abs();
    if a < 60 {
        format!("{sign}{a}s")
    } else if a < 3600 {
        format!("{sign}{}m{:02}s", a / 60, a % 60)
    } else if a < 86400 {
        format!("{sign}{}h{:02}m", a / 3600, (a % 3600) / 60)
    } else {
        format!("{sign}{}d{:02}h", a / 86400, (a % 86400) / 3600)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mail_parser::{HeaderValue, MessageParser};

    fn one(v: &str) -> Hop {
        let msg = format!("Received: {v}\n\n");
        let m = MessageParser::default().parse_headers(msg.as_bytes());
        let m = m.as_ref();
        let r = m
            .and_then(|m| m.parts[0].headers.first())
            .and_then(|h| match &h.value {
                HeaderValue::Received(r) => Some(r.as_ref().clone()),
                _ => None,
            });
        hop(v.as_bytes(), 0, r.as_ref())
    }

    #[test]
    fn postfix_pickup_has_no_client() {
        let h = one("by relay.example.org (Postfix, from userid 0)\n\tid CD35F9B8516; Fri,  4 Dec 2026 19:39:06 +0000 (UTC)");
        assert_eq!(h.from, None);
        assert_eq!(h.helo, None);
        assert!(h.is_pickup());
        assert_eq!(h.id.as_deref(), Some("CD35F9B8516"));
    }

    #[test]
    fn localhost_rdns_postfix_layout() {
        // Postfix logs a loopback client as `localhost[127.0.0.1]`.
        let h = one("from client.example.org (localhost [127.0.0.1])\n\tby mx.example.net (Postfix) with ESMTP id ABC; Fri,  1 Mar 2024 11:00:08 +0100");
        assert_eq!(h.rdns.as_deref(), Some("localhost"));
        assert_eq!(h.helo.as_deref(), Some("client.example.org"));
        for placeholder in ["unknown", "unverified", "softdnserr"] {
            let h = one(&format!("from client.example.org ({placeholder} [192.0.2.1])\n\tby mx.example.net (Postfix) with ESMTP id ABC; Fri,  1 Mar 2024 11:00:08 +0100"));
            assert_eq!(h.rdns, None);
        }
        // Not the Postfix layout: no name before the bracket.
        let h = one("from mail.example.org ([192.0.2.1] helo=x) by mx.example.net with esmtp id 1; Fri,  1 Mar 2024 11:00:08 +0100");
        assert_ne!(h.rdns.as_deref(), Some("helo=x)"));
    }

    #[test]
    fn gmail_tls_and_date() {
        let h = one("from mail-sor-f41.google.com (mail-sor-f41.google.com. [209.85.220.41])\n        by mx.google.com with SMTPS id a1sor123.2024.03.01.10.00.05\n        for <bob@example.net>\n        (Google Transport Security);\n        Fri, 01 Mar 2024 02:00:05 -0800 (PST)");
        assert!(h.tls);
        assert_eq!(h.by.as_deref(), Some("mx.google.com"));
        assert_eq!(h.ip, Some("209.85.220.41".parse().unwrap()));
        assert_eq!(
            h.timestamp.map(utc).as_deref(),
            Some("2024-03-01T10:00:05Z")
        );
        assert_eq!(
            h.date_text.as_deref(),
            Some("Fri, 01 Mar 2024 02:00:05 -0800 (PST)")
        );
    }

    #[test]
    fn exchange_version_cipher() {
        let h = one("from AM6PR04MB1234.eurprd04.prod.outlook.com (2603:10a6:20b:1::5) by AM6PR04MB5678.eurprd04.prod.outlook.com (2603:10a6:20b:2::9) with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.7362.14; Fri, 1 Mar 2024 10:00:02 +0000");
        assert!(h.tls);
        assert_eq!(h.tls_version.as_deref(), Some("TLSv1.2"));
        assert_eq!(
            h.tls_cipher.as_deref(),
            Some("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384")
        );
    }

    #[test]
    fn exim_tls_and_auth() {
        let h = one("from [198.51.100.7] (port=51234 helo=laptop)\n\tby smtp.example.org with esmtpsa  (TLS1.3) tls TLS_AES_256_GCM_SHA384\n\t(Exim 4.96)\n\t(envelope-from <alice@example.org>)\n\tid 1rA2b3-000Cd4-5E\n\tfor bob@example.net;\n\tFri, 01 Mar 2024 11:00:00 +0100");
        assert!(h.tls);
        assert_eq!(h.tls_version.as_deref(), Some("TLSv1.3"));
        assert_eq!(h.tls_cipher.as_deref(), Some("TLS_AES_256_GCM_SHA384"));
        assert_eq!(h.authenticated.as_deref(), Some("yes"));
        assert_eq!(
            h.timestamp.map(utc).as_deref(),
            Some("2024-03-01T10:00:00Z")
        );
    }

    #[test]
    fn fallback_reads_keywords() {
        let mut h = Hop::default();
        fallback(
            "from a.example (b) by c.example with ESMTP id X1 for <u@d>",
            &mut h,
        );
        assert_eq!(h.from.as_deref(), Some("a.example"));
        assert_eq!(h.by.as_deref(), Some("c.example"));
        assert_eq!(h.with.as_deref(), Some("ESMTP"));
        assert_eq!(h.id.as_deref(), Some("X1"));
        assert_eq!(h.for_.as_deref(), Some("u@d"));
    }

    #[test]
    fn loose_dates() {
        let ts = |s: &str| parse_loose_date(s).map(|d| utc(d.to_timestamp()));
        assert_eq!(
            ts("Fri Feb 07 10:18:12 2003 -0800").as_deref(),
            Some("2003-02-07T18:18:12Z")
        );
        assert_eq!(
            ts("Sun Nov 13 14:50:12 2005").as_deref(),
            Some("2005-11-13T14:50:12Z")
        );
        assert_eq!(
            ts("Fri Sep 14 14:36:56 EDT 2018").as_deref(),
            Some("2018-09-14T18:36:56Z")
        );
        assert_eq!(
            ts("Fri,  1 Mar 2024 11:00:09 +0100 (CET)").as_deref(),
            Some("2024-03-01T10:00:09Z")
        );
        // Fractional seconds cut, a 12-hour clock, ISO dates (issue 16,
        // Microsoft MHA's vectors); numeric day/month orders not guessed.
        assert_eq!(
            ts("Mon, 26 Mar 2018 13:35:10.102 +0000 (UTC)").as_deref(),
            Some("2018-03-26T13:35:10Z")
        );
        assert_eq!(
            ts("2018-03-26 13:35:36.270951634 +0000 UTC").as_deref(),
            Some("2018-03-26T13:35:36Z")
        );
        assert_eq!(
            ts("2018-4-20 11:01:08 PM").as_deref(),
            Some("2018-04-20T23:01:08Z")
        );
        assert_eq!(
            ts("2018-4-20 12:01:08 AM -0100").as_deref(),
            Some("2018-04-20T01:01:08Z")
        );
        assert_eq!(ts("2018-4-20 13:01:08 PM"), None);
        assert_eq!(ts("4/20/2018 23:01:06 -0400"), None);
        assert_eq!(ts("4-20-2018 11:01:07 PM"), None);
        assert_eq!(ts("14:47:44 +0000"), None);
        assert_eq!(ts("garbage"), None);
    }

    #[test]
    fn dates_without_semicolon_and_fractions() {
        // SendGrid writes no `;` before the date.
        let h = one("by filter0383p1iad2.sendgrid.net with SMTP id filter0383p1iad2-15318-5AB8F728-C\n 2018-03-26 13:35:36.270951634 +0000 UTC");
        assert_eq!(h.id.as_deref(), Some("filter0383p1iad2-15318-5AB8F728-C"));
        assert_eq!(
            h.timestamp.map(utc).as_deref(),
            Some("2018-03-26T13:35:36Z")
        );
        assert_eq!(
            h.date_text.as_deref(),
            Some("2018-03-26 13:35:36.270951634 +0000 UTC")
        );
        let h = one("from a.example (a.example [192.0.2.1])\n by b.example (SG) with ESMTP id gDQ\n Mon, 26 Mar 2018 13:35:36.102 -0100 (UTC)");
        assert_eq!(h.id.as_deref(), Some("gDQ"));
        assert_eq!(
            h.timestamp.map(utc).as_deref(),
            Some("2018-03-26T14:35:36Z")
        );
        assert_eq!(
            h.date_text.as_deref(),
            Some("Mon, 26 Mar 2018 13:35:36.102 -0100 (UTC)")
        );
        // No time of day: no date (nothing to invent).
        assert_eq!(one("by b.example id 22 Apr 2018").timestamp, None);
        // With a `;`, fractional seconds no longer turn the zone into the
        // seconds.
        let h = one("from a by b; Sun, 22 Apr 2018 02:54:16.987 +0000 (UTC)");
        assert_eq!(
            h.timestamp.map(utc).as_deref(),
            Some("2018-04-22T02:54:16Z")
        );
    }

    #[test]
    fn qmail_invoked_from_network_has_no_client() {
        let h = one("(qmail 10876 invoked from network); 24 Aug 2014 16:13:38 -0000");
        assert_eq!(h.from, None);
        assert_eq!(h.helo, None);
        assert!(h.is_pickup());
    }

    /// The stack formatter agrees with mail-parser's over the range.
    #[test]
    fn utc_into_agrees() {
        let mut buf = [0u8; 20];
        let mut ts: i64 = -62_167_219_200; // 0000-01-01
        while ts < 253_402_300_799 {
            assert_eq!(
                utc_into(ts, &mut buf).map(str::to_string),
                Some(DateTime::from_timestamp(ts).to_rfc3339()),
                "{ts}"
            );
            ts += 7_654_321;
        }
        for ts in [
            0,
            951_782_400,
            1_709_287_804,
            4_107_542_400,
            253_402_300_799,
        ] {
            assert_eq!(
                utc_into(ts, &mut buf).map(str::to_string),
                Some(DateTime::from_timestamp(ts).to_rfc3339())
            );
            assert_eq!(utc(ts), DateTime::from_timestamp(ts).to_rfc3339());
        }
        assert_eq!(utc_into(253_402_300_800, &mut buf), None);
    }

    #[test]
    fn delays_format() {
        assert_eq!(fmt_delay(0), "+0s");
        assert_eq!(fmt_delay(-125), "-2m05s");
        assert_eq!(fmt_delay(3720), "+1h02m");
        assert_eq!(fmt_delay(90000), "+1d01h");
    }
}
