//! Indicators of compromise: URLs, domains, IP addresses and e-mail
//! addresses from a message's header fields and text and HTML bodies, each
//! with where it was found, deduplicated and counted.
//!
//! What is read:
//!
//! - the top-level header fields, as written (RFC 2047 words are not
//!   decoded; the sender analysis in [`super::sender`] reads display
//!   names), except those whose contents are identifiers or signatures, not
//!   indicators: Message-ID, References, In-Reply-To, Content-*, Date,
//!   DKIM-Signature, ARC-Seal, ARC-Message-Signature. Location: `field`
//!   and `offset`, the absolute byte offset in the input;
//! - every text leaf (text/plain and other text/* types, attachments and
//!   parts of attached messages included), scanned as text, and every
//!   text/html leaf read with a WHATWG tokenizer (html5gum): the `href`,
//!   `src`, `action`, `formaction`, `background`, `poster`, `srcset`,
//!   `cite`, `longdesc` and `<object data>` attributes, `<meta
//!   http-equiv=refresh content="…;url=…">`, CSS `url()` in `style`
//!   attributes and `<style>` elements, URLs in `<script>`, and
//!   URLs/domains/addresses in the visible text. Location: the `part` id
//!   and `offset`, a byte offset into the part's **decoded text**
//!   (transfer encoding undone, converted to UTF-8: [`Part::text`](crate::model::Part::text)). For
//!   plain text the offset is exact; in HTML it is the start of the tag
//!   that holds the attribute, or of the text run plus the position in the
//!   text after character references are expanded (so approximate after
//!   `&amp;` and the like).
//!
//! Kinds and values: `url` (as written, up to [`MAX_VALUE`] bytes, with
//! tab and line breaks removed, as browsers do), `domain` (lower-case
//! ASCII, IDNA-encoded: every URL host and address domain is one too),
//! `ip` (v4 or v6, canonical form: also URL hosts that are addresses, and
//! `[1.2.3.4]` in Received fields) and `email` (`mailto:` links
//! included). In HTML, `javascript:`, `vbscript:` and other non-relative
//! URLs are kept as `url`; `data:` URLs are kept cut after their media
//! type (`data:text/html;base64,…`); relative URLs (`/path`, `#top`,
//! `page.html`), `cid:` (a part of this message) and `tel:` are ignored.
//!
//! Findings (stable codes):
//!
//! | code | when |
//! |---|---|
//! | `link_text_mismatch` | an HTML link whose text is a URL or domain whose organizational domain differs from the real link host's (`<a href="https://evil.example">https://bank.example.com</a>`) |
//! | `url_userinfo` | a URL with user information before the host (`http://bank.example.com@evil.example/`): the host is what follows `@` |
//! | `ioc_limit` | more than [`MAX_INDICATORS`] distinct indicators: the rest are counted in [`Iocs::dropped`], not kept (a limit finding) |
//!
//! Bounded: every byte is looked at a constant number of times; at most
//! [`MAX_INDICATORS`] distinct indicators with [`MAX_LOCATIONS`] locations
//! each, values cut at [`MAX_VALUE`] bytes, at most [`MAX_FINDINGS`]
//! link findings per message.

use super::sender;
use crate::model::{Finding, Message, PartKind};
use serde::Serialize;
use std::collections::HashMap;
use std::net::IpAddr;

/// At most this many distinct indicators per message.
pub const MAX_INDICATORS: usize = 1000;
/// At most this many locations kept per indicator (all are counted).
pub const MAX_LOCATIONS: usize = 10;
/// URL values are cut to this many bytes (at a character boundary).
pub const MAX_VALUE: usize = 2048;
/// At most this many `link_text_mismatch` and `url_userinfo` findings per
/// message.
pub const MAX_FINDINGS: usize = 50;
/// Anchor text beyond this many bytes is not compared with the link.
const MAX_ANCHOR_TEXT: usize = 1024;

/// The kind of an indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Kind {
    /// A URL.
    Url,
    /// A domain name.
    Domain,
    /// An IPv4 or IPv6 address.
    Ip,
    /// An e-mail address.
    Email,
}

impl Kind {
    /// The name used in JSON and the table.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Url => "url",
            Kind::Domain => "domain",
            Kind::Ip => "ip",
            Kind::Email => "email",
        }
    }
}

/// Where an indicator was seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Location {
    /// The part id, for a body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub part: Option<String>,
    /// The header field name, for a header.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// What held it: `header`, `text`, `html_text`, `href`, `src`,
    /// `action`, `css`, `script`, `meta_refresh`.
    pub context: &'static str,
    /// For a header, the byte offset in the input; for a body, the byte
    /// offset in the part's decoded text (see the module docs).
    pub offset: u64,
}

/// One distinct indicator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Indicator {
    /// Its kind.
    pub kind: Kind,
    /// The value (see the module docs for the normal form per kind).
    pub value: String,
    /// For a domain (or an address) with IDNA `xn--` labels: the name
    /// decoded, as a reader sees it (`value` keeps the raw form).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decoded: Option<String>,
    /// How many times it was seen.
    pub count: usize,
    /// The first [`MAX_LOCATIONS`] places it was seen.
    pub locations: Vec<Location>,
}

/// The indicators of one message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Iocs {
    /// Distinct indicators in the order first seen.
    pub indicators: Vec<Indicator>,
    /// Occurrences of indicators not kept because of [`MAX_INDICATORS`].
    pub dropped: usize,
    /// Findings (codes in the module docs).
    #[serde(skip)]
    pub findings: Vec<Finding>,
}

/// Collects indicators, deduplicated by (kind, value).
#[derive(Default)]
struct Collector {
    out: Iocs,
    index: HashMap<(Kind, String), usize>,
    link_findings: usize,
}

impl Collector {
    fn add(&mut self, kind: Kind, value: String, at: &Location) {
        if value.is_empty() {
            return;
        }
        let key = (kind, value);
        if let Some(&i) = self.index.get(&key) {
            let ind = &mut self.out.indicators[i];
            ind.count += 1;
            if ind.locations.len() < MAX_LOCATIONS {
                ind.locations.push(at.clone());
            }
            return;
        }
        if self.out.indicators.len() >= MAX_INDICATORS {
            self.out.dropped += 1;
            return;
        }
        self.index.insert(key.clone(), self.out.indicators.len());
        let decoded = match key.0 {
            Kind::Domain | Kind::Email if key.1.contains("xn--") => {
                let (local, domain) = match key.1.rsplit_once('@') {
                    Some((l, d)) => (Some(l), d),
                    None => (None, key.1.as_str()),
                };
                let (u, ok) = sender::to_unicode(domain);
                ok.then(|| match local {
                    Some(l) => format!("{l}@{u}"),
                    None => u,
                })
            }
            _ => None,
        };
        self.out.indicators.push(Indicator {
            kind: key.0,
            value: key.1,
            decoded,
            count: 1,
            locations: vec![at.clone()],
        });
    }

    fn finding(&mut self, f: Finding) {
        if self.link_findings < MAX_FINDINGS {
            self.out.findings.push(f);
        }
        self.link_findings += 1;
    }

    /// Adds a host (domain or IP) and says whether it was one. In free
    /// text (`known_suffix`) a domain must end in a known public suffix;
    /// a URL host or address domain need only be a well-formed name.
    fn host(&mut self, host: &str, at: &Location, known_suffix: bool) -> bool {
        if let Some(ip) = parse_ip(host) {
            self.add(Kind::Ip, ip.to_string(), at);
            return true;
        }
        if is_host_name(host) && (!known_suffix || looks_like_domain(host)) {
            self.add(Kind::Domain, sender::normalize(host).into_owned(), at);
            return true;
        }
        false
    }

    fn email(&mut self, addr: &str, at: &Location) {
        let Some((local, domain)) = addr.rsplit_once('@') else {
            return;
        };
        if local.is_empty() || !is_host_name(domain) {
            return;
        }
        let domain = sender::normalize(domain);
        self.add(Kind::Email, format!("{local}@{domain}"), at);
        self.add(Kind::Domain, domain.into_owned(), at);
    }

    /// Adds a URL with a scheme (or `//`) and its host.
    fn url(&mut self, raw: &str, at: &Location) {
        let value = cut(raw, MAX_VALUE);
        let host = url_host(raw);
        self.add(Kind::Url, value.clone(), at);
        if let Some(h) = host {
            if h.userinfo {
                self.finding(
                    Finding::new(
                        "url_userinfo",
                        format!(
                            "URL {:?} has user information before its host {}",
                            cut(raw, 200),
                            h.host
                        ),
                    )
                    .part_at(at),
                );
            }
            self.host(&h.host, at, false);
        }
    }
}

trait PartAt {
    fn part_at(self, at: &Location) -> Finding;
}

impl PartAt for Finding {
    /// Body findings name the part (their offsets are in decoded text, not
    /// the input, so the finding's input offset stays unset); header
    /// findings the input offset.
    fn part_at(self, at: &Location) -> Finding {
        match &at.part {
            Some(p) => self.part(p),
            None => self.at(Some(at.offset)),
        }
    }
}

/// `s` cut to at most `max` bytes at a character boundary, with `…` when
/// cut.
fn cut(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

fn parse_ip(s: &str) -> Option<IpAddr> {
    let s = s.trim_start_matches('[').trim_end_matches(']');
    let s = s
        .strip_prefix("IPv6:")
        .or_else(|| s.strip_prefix("ipv6:"))
        .unwrap_or(s);
    // Only dotted quads and real IPv6 (two colons at least): not "1.2".
    if s.contains(':') {
        return s.parse::<std::net::Ipv6Addr>().ok().map(IpAddr::V6);
    }
    if s.bytes().filter(|b| *b == b'.').count() == 3 {
        return s.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4);
    }
    None
}

/// A well-formed host name of two labels or more (letters, digits,
/// hyphens, underscores; the last label not all digits).
fn is_host_name(s: &str) -> bool {
    let s = s.trim_end_matches('.');
    if s.len() > 253 || !s.contains('.') {
        return false;
    }
    let last_numeric = s
        .rsplit('.')
        .next()
        .is_some_and(|t| t.bytes().all(|b| b.is_ascii_digit()));
    !last_numeric
        && s.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars()
                    .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
        })
}

/// A host name whose last label is a known public suffix (so `file.txt`,
/// `e.g` and `window.location` are not domains).
pub fn looks_like_domain(s: &str) -> bool {
    if !is_host_name(s) {
        return false;
    }
    let ascii = sender::normalize(s);
    match psl::suffix(ascii.as_bytes()) {
        Some(sfx) => sfx.is_known() && sfx.as_bytes().len() < ascii.len(),
        None => false,
    }
}

struct Host {
    host: String,
    userinfo: bool,
}

/// The host of `scheme://authority…` or `//authority…`.
fn url_host(url: &str) -> Option<Host> {
    let rest = match url.find("://") {
        Some(i) => &url[i + 3..],
        None => url.strip_prefix("//")?,
    };
    let end = rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len());
    let auth = &rest[..end];
    let (userinfo, hostport) = match auth.rfind('@') {
        Some(i) => (true, &auth[i + 1..]),
        None => (false, auth),
    };
    let host = if let Some(v6) = hostport.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        hostport.split(':').next().unwrap_or("")
    };
    let host = host.trim_end_matches('.').to_lowercase();
    (!host.is_empty()).then_some(Host { host, userinfo })
}

const SCHEMES: &[&str] = &["http", "https", "ftp", "ftps", "sftp", "ws", "wss"];

/// Characters that end a token in free text.
fn is_delim(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '<' | '>' | '"' | '\'' | '`' | '(' | ')' | '[' | ']' | '{' | '}' | '|' | '\\' | '^'
        )
}

/// Trailing punctuation that ends a sentence, not a URL.
fn trim_tail(s: &str) -> &str {
    s.trim_end_matches(['.', ',', ';', ':', '!', '?', '*', '='])
}

/// Scans free text: each token (split at white space and brackets) is a
/// URL, an address, an IP address or a domain. `base` is added to the
/// offsets; `urls_only` for script text.
fn scan_text(c: &mut Collector, text: &str, base: u64, mut loc: Location, urls_only: bool) {
    let mut start = None;
    for (i, ch) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        if is_delim(ch) {
            if let Some(s) = start.take() {
                loc.offset = base + s as u64;
                token(c, &text[s..i], &loc, urls_only);
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
}

fn token(c: &mut Collector, tok: &str, at: &Location, urls_only: bool) {
    if let Some(i) = tok.find("://") {
        // The scheme: the letters just before "://".
        let s = tok[..i]
            .char_indices()
            .rev()
            .take_while(|(_, ch)| {
                ch.is_ascii_alphanumeric() || *ch == '+' || *ch == '.' || *ch == '-'
            })
            .last()
            .map_or(i, |(j, _)| j);
        let scheme = tok[s..i].to_ascii_lowercase();
        if SCHEMES.contains(&scheme.as_str()) {
            let url = trim_tail(&tok[s..]);
            if url.len() > i - s + 3 {
                c.url(url, &shifted(at, s));
            }
        }
        return;
    }
    if urls_only {
        return;
    }
    // Lists written without spaces: a@b.example,c@d.example.
    // `key=value` (smtp.mailfrom=…, envelope-from=…): the value.
    let mut rel = 0;
    for piece in tok.split([',', ';', '=']) {
        let piece_start = rel;
        // Every separator is one byte.
        rel += piece.len() + 1;
        let p = trim_tail(piece);
        let (p, skip) = match p.strip_prefix("mailto:") {
            Some(x) => (x, 7),
            None => (p, 0),
        };
        if p.is_empty() {
            continue;
        }
        let at = &shifted(at, piece_start + skip);
        if p.len() > 4 && p.get(..4).is_some_and(|w| w.eq_ignore_ascii_case("www.")) {
            let host_end = p.find(['/', '?', '#']).unwrap_or(p.len());
            if looks_like_domain(&p[..host_end]) {
                c.add(Kind::Url, cut(p, MAX_VALUE), at);
                c.host(&p[..host_end], at, true);
            }
            continue;
        }
        if p.contains('@') {
            c.email(p, at);
            continue;
        }
        if p.len() <= 253 {
            c.host(p, at, true);
        }
    }
}

/// `at` moved `by` bytes further into the text.
fn shifted(at: &Location, by: usize) -> Location {
    let mut l = at.clone();
    l.offset += by as u64;
    l
}

/// Header fields whose contents are identifiers or signatures.
fn skipped_field(lname: &str) -> bool {
    matches!(
        lname,
        "message-id"
            | "references"
            | "in-reply-to"
            | "date"
            | "dkim-signature"
            | "arc-seal"
            | "arc-message-signature"
    ) || lname.starts_with("content-")
}

/// Extracts the indicators of a fully parsed message
/// (`model::parse(bytes, base, Scope::Full)`; a header-only parse gives
/// the header indicators only).
///
/// ```
/// # fn main() -> Result<(), emlkit::model::ParseError> {
/// let raw = concat!(
///     "From: a@example.org\r\nContent-Type: text/html\r\n\r\n",
///     "<a href=\"https://evil.example/x\">https://bank.example.com</a>\r\n",
/// );
/// let m = emlkit::model::parse(raw.as_bytes(), 0, emlkit::model::Scope::Full)?;
/// let iocs = emlkit::forensics::iocs::extract(&m);
/// let urls: Vec<&str> = iocs.indicators.iter()
///     .filter(|i| i.kind == emlkit::forensics::iocs::Kind::Url)
///     .map(|i| i.value.as_str())
///     .collect();
/// assert_eq!(urls, ["https://evil.example/x", "https://bank.example.com"]);
/// assert_eq!(iocs.findings[0].code, "link_text_mismatch");
/// # Ok(())
/// # }
/// ```
pub fn extract(msg: &Message<'_>) -> Iocs {
    let mut c = Collector::default();
    for h in msg.headers() {
        let lname = String::from_utf8_lossy(h.raw_name).to_ascii_lowercase();
        if skipped_field(&lname) {
            continue;
        }
        let v = h.value_with_eol;
        // The value's place in the input: both slices borrow the input.
        let delta = (v.as_ptr() as usize).wrapping_sub(h.raw_name.as_ptr() as usize) as u64;
        let text = String::from_utf8_lossy(v);
        let loc = Location {
            part: None,
            field: Some(String::from_utf8_lossy(h.raw_name).into_owned()),
            context: "header",
            offset: 0,
        };
        scan_text(&mut c, &text, h.offset + delta, loc, false);
    }
    for p in &msg.parts {
        if p.kind != PartKind::Leaf || !p.content_type.starts_with("text/") {
            continue;
        }
        let Some(text) = p.text() else { continue };
        if p.content_type == "text/html" {
            html::scan(&mut c, text, &p.id);
        } else {
            let loc = Location {
                part: Some(p.id.clone()),
                field: None,
                context: "text",
                offset: 0,
            };
            scan_text(&mut c, text, 0, loc, false);
        }
    }
    if c.link_findings > MAX_FINDINGS {
        c.out.findings.push(Finding::new(
            "ioc_limit",
            format!(
                "{} link findings; only the first {MAX_FINDINGS} are kept",
                c.link_findings
            ),
        ));
    }
    if c.out.dropped > 0 {
        c.out.findings.push(Finding::new(
            "ioc_limit",
            format!(
                "more than {MAX_INDICATORS} distinct indicators; {} more occurrences not kept",
                c.out.dropped
            ),
        ));
    }
    c.out
}

/// The lookalike checks of [`sender::check_domain`] on the domains found
/// in the bodies (link hosts, addresses in the text) that are not in
/// `skip` (the sender domains, already checked by the trace): findings
/// with the part of the domain's first location. At most
/// [`MAX_FINDINGS`] findings.
pub fn lookalikes(iocs: &Iocs, protected: &sender::Protected, skip: &[&str]) -> Vec<Finding> {
    let mut out = Vec::new();
    for ind in iocs.indicators.iter().filter(|i| i.kind == Kind::Domain) {
        let Some(part) = ind.locations.first().and_then(|l| l.part.as_deref()) else {
            continue;
        };
        if skip.contains(&ind.value.as_str()) {
            continue;
        }
        let (_, findings) = sender::check_domain(&ind.value, protected);
        for f in findings {
            if out.len() >= MAX_FINDINGS {
                return out;
            }
            out.push(f.part(part));
        }
    }
    out
}

/// [`lookalikes`] as `trace --iocs` and `report` run it: the body domains
/// against the `trust` names and the From domain of `t`, skipping the
/// sender domains the trace checked already.
pub fn body_lookalikes(iocs: &Iocs, t: &super::Trace, trust: &[String]) -> Vec<Finding> {
    let protected = sender::Protected::new(
        trust
            .iter()
            .map(String::as_str)
            .chain(t.sender.from_domain.as_deref()),
    );
    let skip: Vec<&str> = t.sender.domains.iter().map(|d| d.ascii.as_str()).collect();
    lookalikes(iocs, &protected, &skip)
}

/// A value made safe to paste into a ticket: `hxxp://`, `hxxps://`,
/// `fxp://`, and `[.]` for every dot of a host, domain, IPv4 address or
/// address domain, `[@]` in addresses.
///
/// ```
/// use emlkit::forensics::iocs::{defang, Kind};
/// assert_eq!(defang(Kind::Url, "https://evil.example/a.php"), "hxxps://evil[.]example/a.php");
/// assert_eq!(defang(Kind::Email, "x@evil.example"), "x[@]evil[.]example");
/// assert_eq!(defang(Kind::Ip, "192.0.2.1"), "192[.]0[.]2[.]1");
/// ```
pub fn defang(kind: Kind, value: &str) -> String {
    let dots = |s: &str| s.replace('.', "[.]");
    match kind {
        Kind::Domain | Kind::Ip => dots(value),
        Kind::Email => match value.rsplit_once('@') {
            Some((l, d)) => format!("{l}[@]{}", dots(d)),
            None => dots(value),
        },
        Kind::Url => {
            let (scheme, rest) = match value.split_once("://") {
                Some((s, r)) => (Some(s), r),
                None => (None, value),
            };
            let scheme = scheme.map(|s| match s.to_ascii_lowercase().as_str() {
                "http" => "hxxp".to_string(),
                "https" => "hxxps".to_string(),
                "ftp" => "fxp".to_string(),
                _ => s.to_string(),
            });
            let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            let out = format!("{}{}", dots(&rest[..end]), &rest[end..]);
            match scheme {
                Some(s) => format!("{s}://{out}"),
                None => out,
            }
        }
    }
}

mod html {
    //! HTML bodies through html5gum's tokenizer, with a reader that tells
    //! where in the text each token ended.
    use super::{cut, scan_text, url_host, Collector, Kind, Location, PartAt, MAX_ANCHOR_TEXT};
    use crate::forensics::sender;
    use crate::model::Finding;
    use html5gum::{DefaultEmitter, Reader, Token, Tokenizer};
    use std::cell::Cell;
    use std::convert::Infallible;
    use std::rc::Rc;

    /// A reader over the text that shares its position with the scanner.
    struct PosReader<'a> {
        data: &'a [u8],
        pos: Rc<Cell<usize>>,
    }

    impl Reader for PosReader<'_> {
        type Error = Infallible;

        fn read_byte(&mut self) -> Result<Option<u8>, Infallible> {
            let p = self.pos.get();
            Ok(self.data.get(p).map(|b| {
                self.pos.set(p + 1);
                *b
            }))
        }

        fn try_read_string(&mut self, s: &[u8], case_sensitive: bool) -> Result<bool, Infallible> {
            let p = self.pos.get();
            let Some(next) = self.data.get(p..p + s.len()) else {
                return Ok(false);
            };
            let eq = if case_sensitive {
                next == s
            } else {
                next.eq_ignore_ascii_case(s)
            };
            if eq {
                self.pos.set(p + s.len());
            }
            Ok(eq)
        }

        fn read_until<'b>(
            &'b mut self,
            needle: &[u8],
            _char_buf: &'b mut [u8; 4],
        ) -> Result<Option<&'b [u8]>, Infallible> {
            let p = self.pos.get();
            let Some(rest) = self.data.get(p..).filter(|r| !r.is_empty()) else {
                return Ok(None);
            };
            let found = match needle {
                [a] => memchr::memchr(*a, rest),
                [a, b] => memchr::memchr2(*a, *b, rest),
                [a, b, c] => memchr::memchr3(*a, *b, *c, rest),
                _ => rest.iter().position(|x| needle.contains(x)),
            };
            let n = match found {
                Some(0) => 1,
                Some(i) => i,
                None => rest.len(),
            };
            self.pos.set(p + n);
            Ok(Some(&rest[..n]))
        }
    }

    /// The text of a token: borrowed when valid UTF-8 (it always is here:
    /// the input is a `&str`), so a 20 MB text run is not copied again.
    fn lossy(b: &[u8]) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(b)
    }

    /// An attribute value as a browser reads a URL: surrounding white
    /// space removed, tabs and line breaks inside dropped.
    fn clean_url(v: &[u8]) -> String {
        lossy(v)
            .trim()
            .chars()
            .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
            .collect()
    }

    /// One URL-valued attribute (or CSS url(), meta refresh target).
    fn link(c: &mut Collector, v: &str, at: &Location) {
        let lower = v.chars().take(16).collect::<String>().to_ascii_lowercase();
        if let Some(rest) = lower.strip_prefix("mailto:").map(|_| &v[7..]) {
            let addrs = rest.split('?').next().unwrap_or("");
            for a in addrs.split(',') {
                c.email(a.trim(), at);
            }
            return;
        }
        if lower.starts_with("data:") {
            let head = v.split(',').next().unwrap_or(v);
            c.add(Kind::Url, format!("{},…", cut(head, 200)), at);
            return;
        }
        if v.starts_with("//") {
            c.url(v, at);
            return;
        }
        // A scheme: letters, digits, + - . before the first ':' (RFC 3986).
        let scheme = v.split(':').next().unwrap_or("");
        let has_scheme = v.contains(':')
            && !scheme.is_empty()
            && scheme.starts_with(|ch: char| ch.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '+' | '-' | '.'));
        if !has_scheme {
            return; // relative: nothing to report
        }
        match scheme.to_ascii_lowercase().as_str() {
            "cid" | "mid" | "tel" | "sms" | "about" => {}
            _ if v.contains("://") => c.url(v, at),
            // javascript:, vbscript:, file: without //, …
            _ => c.add(Kind::Url, cut(v, super::MAX_VALUE), at),
        }
    }

    /// CSS `url(…)` values in `css`.
    fn css(c: &mut Collector, css: &str, at: &Location) {
        let lower = css.to_ascii_lowercase();
        let mut from = 0;
        while let Some(i) = lower[from..].find("url(") {
            let s = from + i + 4;
            let e = lower[s..].find(')').map_or(lower.len(), |j| s + j);
            let v = css[s..e].trim().trim_matches(['"', '\'']).trim();
            link(c, v, at);
            from = e;
        }
    }

    /// The host a piece of anchor text names, if it looks like a URL or a
    /// bare domain.
    fn text_host(text: &str) -> Option<String> {
        let t = text.trim();
        if t.is_empty() || t.contains(char::is_whitespace) {
            return None;
        }
        let t = t.trim_end_matches(['.', ',', ';', ':', '!', '?']);
        if t.contains("://") {
            return url_host(t).map(|h| h.host);
        }
        let host = t.split(['/', '?', '#']).next().unwrap_or("");
        super::looks_like_domain(host).then(|| host.to_lowercase())
    }

    enum TokKind {
        Text,
        Other,
    }

    struct Anchor {
        href_host: String,
        href: String,
        text: String,
        offset: u64,
    }

    fn finish_anchor(c: &mut Collector, a: Anchor, part: &str) {
        let Some(shown) = text_host(&a.text) else {
            return;
        };
        if sender::aligned(&shown, &a.href_host).1 {
            return;
        }
        let at = Location {
            part: Some(part.to_string()),
            field: None,
            context: "href",
            offset: a.offset,
        };
        c.finding(
            Finding::new(
                "link_text_mismatch",
                format!(
                    "link text {:?} shows {shown} but the link goes to {} ({:?}, decoded offset {})",
                    cut(a.text.trim(), 200),
                    a.href_host,
                    cut(&a.href, 200),
                    a.offset
                ),
            )
            .part_at(&at),
        );
    }

    /// Scans one text/html part.
    pub(super) fn scan(c: &mut Collector, text: &str, part: &str) {
        let data = text.as_bytes();
        let pos = Rc::new(Cell::new(0usize));
        let reader = PosReader {
            data,
            pos: pos.clone(),
        };
        let mut emitter = DefaultEmitter::default();
        // <style>, <script>, <textarea>, <title> contents as text.
        emitter.naively_switch_states(true);
        let tokens = Tokenizer::new_with_emitter(reader, emitter);
        let mut prev_end = 0usize;
        let mut in_style = false;
        let mut in_script = false;
        let mut anchor: Option<Anchor> = None;
        let loc = |context: &'static str, offset: usize| Location {
            part: Some(part.to_string()),
            field: None,
            context,
            offset: offset as u64,
        };
        for tok in tokens {
            let tok = match tok {
                Ok(t) => t,
                Err(e) => match e {},
            };
            let end = pos.get().min(data.len());
            let start = prev_end.min(end);
            let kind = if matches!(tok, Token::String(_)) {
                TokKind::Text
            } else {
                TokKind::Other
            };
            match tok {
                Token::StartTag(tag) => {
                    // The tag's '<': the last one in what was read since the
                    // previous token (an attribute may hold '<': then this
                    // is approximate).
                    let at = memchr::memrchr(b'<', &data[start..end]).map_or(start, |i| start + i);
                    let name = tag.name.to_ascii_lowercase();
                    for (k, v) in &tag.attributes {
                        let k = k.to_ascii_lowercase();
                        let ctx = match k.as_slice() {
                            b"href" => "href",
                            b"src" | b"background" | b"poster" | b"lowsrc" | b"dynsrc"
                            | b"longdesc" | b"cite" => "src",
                            b"data" if name == b"object" => "src",
                            b"action" | b"formaction" => "action",
                            b"srcset" => {
                                for cand in lossy(v).split(',') {
                                    let u = cand.split_whitespace().next().unwrap_or("");
                                    link(c, u, &loc("src", at));
                                }
                                continue;
                            }
                            b"style" => {
                                css(c, &lossy(v), &loc("css", at));
                                continue;
                            }
                            b"content" if name == b"meta" => {
                                let s = lossy(v);
                                if let Some(i) = s.to_ascii_lowercase().find("url=") {
                                    let u = s[i + 4..].trim().trim_matches(['"', '\'']);
                                    link(c, u, &loc("meta_refresh", at));
                                }
                                continue;
                            }
                            _ => continue,
                        };
                        link(c, &clean_url(v), &loc(ctx, at));
                    }
                    match name.as_slice() {
                        b"a" | b"area" => {
                            if let Some(a) = anchor.take() {
                                finish_anchor(c, a, part);
                            }
                            let href = tag
                                .attributes
                                .get(b"href".as_slice())
                                .map(|v| clean_url(v))
                                .unwrap_or_default();
                            if let Some(h) = url_host(&href) {
                                anchor = Some(Anchor {
                                    href_host: h.host,
                                    href,
                                    text: String::new(),
                                    offset: at as u64,
                                });
                            }
                        }
                        b"style" => in_style = !tag.self_closing,
                        b"script" => in_script = !tag.self_closing,
                        _ => {}
                    }
                }
                Token::EndTag(tag) => match tag.name.to_ascii_lowercase().as_slice() {
                    b"a" | b"area" => {
                        if let Some(a) = anchor.take() {
                            finish_anchor(c, a, part);
                        }
                    }
                    b"style" => in_style = false,
                    b"script" => in_script = false,
                    _ => {}
                },
                Token::String(s) => {
                    let s = lossy(&s);
                    if in_style {
                        css(c, &s, &loc("css", start));
                    } else {
                        let ctx = if in_script { "script" } else { "html_text" };
                        scan_text(c, &s, start as u64, loc(ctx, start), in_script);
                        if let Some(a) = anchor.as_mut() {
                            if a.text.len() < MAX_ANCHOR_TEXT {
                                let room = MAX_ANCHOR_TEXT - a.text.len();
                                a.text.push_str(&cut(&s, room));
                            }
                        }
                    }
                }
                Token::Comment(_) | Token::Doctype(_) => {}
                // Text is queued until the next tag ends: its start stays
                // the start of the tag's region; parse errors are no text.
                Token::Error(_) => continue,
            }
            if !matches!(kind, TokKind::Text) {
                prev_end = end;
            }
        }
        if let Some(a) = anchor.take() {
            finish_anchor(c, a, part);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(raw: &str) -> Iocs {
        let m = crate::model::parse(raw.as_bytes(), 0, crate::model::Scope::Full).unwrap();
        extract(&m)
    }

    fn html(body: &str) -> Iocs {
        run(&format!(
            "From: a@x.invalid\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{body}"
        ))
    }

    fn values(i: &Iocs, k: Kind) -> Vec<&str> {
        i.indicators
            .iter()
            .filter(|x| x.kind == k)
            .map(|x| x.value.as_str())
            .collect()
    }

    #[test]
    fn plain_text_kinds_offsets_and_counts() {
        let body = "Visit https://www.example.com/a?b=1, then mail help@Example.COM.\r\n\
                    Server 192.0.2.10 and [2001:db8::1]; see example.org or file.txt e.g.\r\n\
                    again https://www.example.com/a?b=1\r\n";
        let raw = format!("From: a@x.invalid\r\nContent-Type: text/plain\r\n\r\n{body}");
        let i = run(&raw);
        assert_eq!(values(&i, Kind::Url), ["https://www.example.com/a?b=1"]);
        assert_eq!(values(&i, Kind::Email), ["a@x.invalid", "help@example.com"]);
        assert_eq!(values(&i, Kind::Ip), ["192.0.2.10", "2001:db8::1"]);
        assert_eq!(
            values(&i, Kind::Domain),
            ["x.invalid", "www.example.com", "example.com", "example.org"]
        );
        let url = i.indicators.iter().find(|x| x.kind == Kind::Url).unwrap();
        assert_eq!(url.count, 2);
        assert_eq!(url.locations[0].part.as_deref(), Some("1"));
        // The offset is into the decoded text of the part.
        let off = url.locations[0].offset as usize;
        assert!(body[off..].starts_with("https://www.example.com"));
        let off = url.locations[1].offset as usize;
        assert!(body[off..].starts_with("https://www.example.com"));
    }

    #[test]
    fn header_offsets_are_input_offsets() {
        let raw = "Received: from x (x [198.51.100.7]) by mx.example.net; Fri, 1 Mar 2024 10:00:00 +0000\r\n\
                   Message-ID: <abc@ids.example.com>\r\n\
                   List-Unsubscribe: <https://unsub.example.com/u?x=1>, <mailto:u@example.com>\r\n\r\n";
        let i = run(raw);
        let ip = i.indicators.iter().find(|x| x.kind == Kind::Ip).unwrap();
        assert_eq!(ip.value, "198.51.100.7");
        let o = ip.locations[0].offset as usize;
        assert!(raw[o..].starts_with("198.51.100.7"));
        assert_eq!(ip.locations[0].field.as_deref(), Some("Received"));
        assert!(values(&i, Kind::Url).contains(&"https://unsub.example.com/u?x=1"));
        assert!(values(&i, Kind::Email).contains(&"u@example.com"));
        // Message-ID is an identifier, not an address.
        assert!(!values(&i, Kind::Email)
            .iter()
            .any(|v| v.contains("ids.example")));
    }

    #[test]
    fn html_attributes_entities_schemes_and_css() {
        let i = html(concat!(
            "<html><head><style>body{background:url('https://css.example.com/bg.png')}</style>",
            "<meta http-equiv=refresh content=\"0;URL='https://refresh.example.net/'\"></head>",
            "<body><a href=\"&#104;ttps://ent.example.org/&#x61;\">click</a>",
            "<a href=\"javascript:alert(1)\">js</a>",
            "<img src=\"data:image/png;base64,iVBORw0KGgo=\">",
            "<img src=\"/relative.png\"><a href=\"#top\">top</a><img src=\"cid:logo@x\">",
            "<form action=\"http://post.example.com/login\"></form>",
            "<div style=\"background-image: URL(//proto.example.com/p.gif)\"></div>",
            "<a href=\"mailto:sales@shop.example.com?subject=hi\">mail</a>",
            "<a href=\"ht\ttps://tab.example.com/\">t</a>",
            "</body></html>"
        ));
        let urls = values(&i, Kind::Url);
        for want in [
            "https://css.example.com/bg.png",
            "https://refresh.example.net/",
            "https://ent.example.org/a",
            "javascript:alert(1)",
            "data:image/png;base64,…",
            "http://post.example.com/login",
            "//proto.example.com/p.gif",
            "https://tab.example.com/",
        ] {
            assert!(urls.contains(&want), "{want} not in {urls:?}");
        }
        assert!(!urls
            .iter()
            .any(|u| u.contains("relative") || u.contains("cid:") || *u == "#top"));
        assert_eq!(
            values(&i, Kind::Email),
            ["a@x.invalid", "sales@shop.example.com"]
        );
        let ctx: Vec<&str> = i
            .indicators
            .iter()
            .filter(|x| x.kind == Kind::Url)
            .map(|x| x.locations[0].context)
            .collect();
        assert!(ctx.contains(&"css") && ctx.contains(&"action") && ctx.contains(&"meta_refresh"));
        assert!(i.findings.is_empty(), "{:?}", i.findings);
    }

    #[test]
    fn html_tag_offsets_point_at_the_tag() {
        let body = "<p>Hello &amp; welcome</p>\n<a href=\"https://a.example.com/\">x</a>";
        let i = html(body);
        let u = i.indicators.iter().find(|x| x.kind == Kind::Url).unwrap();
        let o = u.locations[0].offset as usize;
        assert!(body[o..].starts_with("<a href"), "{o}");
    }

    #[test]
    fn link_text_versus_link_host() {
        let i = html(concat!(
            "<a href=\"https://evil.example/login\">https://www.bank.example.com/login</a>",
            "<a href=\"https://evil.example/\"><b>bank.example.com</b></a>",
            "<a href=\"https://news.bank.example.com/\">www.bank.example.com</a>",
            "<a href=\"https://evil.example/\">Click here</a>",
            "<a href=\"http://bank.example.com@evil.example/\">x</a>",
        ));
        let codes: Vec<&str> = i.findings.iter().map(|f| f.code).collect();
        assert_eq!(
            codes,
            ["link_text_mismatch", "link_text_mismatch", "url_userinfo"]
        );
        assert!(i.findings[0].message.contains("www.bank.example.com"));
        assert_eq!(i.findings[0].part.as_deref(), Some("1"));
        assert!(values(&i, Kind::Domain).contains(&"evil.example"));
    }

    #[test]
    fn caps_hold() {
        let mut body = String::new();
        for n in 0..3000 {
            body.push_str(&format!("u{n}@d{n}.example.com\n"));
        }
        let raw = format!("From: a@x.invalid\r\n\r\n{body}");
        let i = run(&raw);
        assert_eq!(i.indicators.len(), MAX_INDICATORS);
        assert!(i.dropped > 0);
        assert_eq!(i.findings.last().map(|f| f.code), Some("ioc_limit"));
        let giant = format!("http://x.example.com/{}", "a".repeat(1_000_000));
        let i = run(&format!("From: a@x.invalid\r\n\r\n{giant}\r\n"));
        let u = &values(&i, Kind::Url)[0];
        assert!(u.len() <= MAX_VALUE + 3);
    }

    #[test]
    fn defanged() {
        assert_eq!(
            defang(Kind::Url, "http://a.example/x.y"),
            "hxxp://a[.]example/x.y"
        );
        assert_eq!(defang(Kind::Domain, "a.example"), "a[.]example");
    }
}
