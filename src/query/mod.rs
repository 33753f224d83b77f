//! Message queries: the search syntax of Gmail, notmuch and mu, plus the
//! forensic questions only emlkit answers (see: issue 13, item 2).
//!
//! ```
//! use emlkit::query::{Query, Facts};
//! use emlkit::model::{Message, Scope, Limits};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let q = Query::parse("from:*@example.com -subject:spam", 0)?;
//! assert!(q.headers_only());
//! let raw = b"From: Ann <ann@example.com>\r\nSubject: hello\r\n\r\nbody\r\n";
//! let msg = Message::parse(raw, 0, Scope::HeadersOnly, &Limits::default())?;
//! assert!(q.matches(&msg, &Facts { size: raw.len() as u64, ..Facts::default() }));
//! # Ok(())
//! # }
//! ```
//!
//! # Terms
//!
//! | term | matches |
//! |---|---|
//! | `word`, `"a phrase"` | the subject or a From/To/Cc mailbox |
//! | `from:`, `to:`, `cc:`, `bcc:` | a mailbox of that field: its address, its name, or `Name <address>` |
//! | `subject:` | the decoded subject |
//! | `body:` | the decoded text bodies (each line, for a glob) |
//! | `filename:` | an attachment's file name |
//! | `id:` | the Message-ID (without `<>`) |
//! | `has:attachment` | at least one attachment |
//! | `type:` | a part's content type (`type:application/pdf`, `type:image/*`, `type:pdf`) |
//! | `date:2024`, `date:2024-01`, `date:2024-01-15`, `date:A..B` | the Date falls in that period (UTC; either side of `..` may be left out) |
//! | `after:`, `before:` | on or after the start / before the start of a date, or relative to now: `7d`, `2w`, `3m`, `1y`, `12h` |
//! | `size:>1mb`, `size:<10k`, `size:>=N`, `size:100k..2m` (inclusive) | the message's size in bytes (`k`, `m`, `g` are powers of 1024) |
//! | `flag:seen` (`replied`, `flagged`, `draft`, `trashed`, `passed`, `unseen`) | maildir `:2,` flags, or mbox `Status`/`X-Status` |
//! | `label:` | a Gmail label (`X-Gmail-Labels`) |
//! | `header:Name=glob`, `header:Name` | a field with that name (and a decoded value matching) |
//! | `finding:code` | the parser or forensics noticed `code` (see docs/json.md) |
//! | `origin:203.0.113.0/24`, `origin:ip` | the origin IP of the Received chain is in that network |
//! | `via:host` | a Received hop names that host (by, from, HELO or reverse DNS) |
//! | `tls:no`, `tls:yes` | some network hop was / every network hop was without TLS |
//! | `auth:dkim=fail`, `auth:fail` | an authentication result (method and result, or any method) |
//! | `*` | every message |
//!
//! A value without `*`, `?` or `[` matches as a case-insensitive
//! substring; with them it is a case-insensitive glob over the whole value.
//! `-term` and `NOT term` negate, `OR` is an alternative, terms side by side
//! must all match, and parentheses group.

mod parse;

use crate::forensics;
use crate::model::{address, header::decode_text, Message, PartKind};
use globset::{GlobBuilder, GlobMatcher};
use std::cell::OnceCell;
use std::net::IpAddr;

/// A query that could not be read: the 1-based column (in characters) of
/// the mistake and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("column {column}: {message}")]
#[non_exhaustive]
pub struct QueryError {
    /// Where the mistake is (1-based, in characters).
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

/// A parsed query.
#[derive(Debug, Clone)]
pub struct Query {
    expr: Expr,
}

/// The expression tree.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Expr {
    /// Every one must match.
    And(Vec<Expr>),
    /// One must match.
    Or(Vec<Expr>),
    /// Must not match.
    Not(Box<Expr>),
    /// One search term.
    Term(Term),
}

/// A case-insensitive text pattern: a substring, or a glob when the value
/// has glob characters.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Pattern {
    /// Lower-case substring.
    Contains(String),
    /// A glob over the whole value.
    Glob(GlobMatcher),
}

impl Pattern {
    fn new(v: &str, quoted: bool) -> Result<Pattern, String> {
        if !quoted && v.contains(['*', '?', '[']) {
            let g = GlobBuilder::new(v)
                .case_insensitive(true)
                .literal_separator(false)
                .build()
                .map_err(|e| format!("bad glob `{v}`: {e}"))?;
            Ok(Pattern::Glob(g.compile_matcher()))
        } else {
            Ok(Pattern::Contains(v.to_lowercase()))
        }
    }

    /// Whether `s` matches.
    pub fn is_match(&self, s: &str) -> bool {
        match self {
            Pattern::Contains(p) => {
                if s.is_ascii() && p.is_ascii() {
                    s.as_bytes()
                        .windows(p.len().max(1))
                        .any(|w| w.eq_ignore_ascii_case(p.as_bytes()))
                        || p.is_empty()
                } else {
                    s.to_lowercase().contains(p.as_str())
                }
            }
            Pattern::Glob(g) => g.is_match(s),
        }
    }
}

/// Comparison for `size:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Cmp {
    /// `>`
    Gt,
    /// `>=` (also a bare number)
    Ge,
    /// `<`
    Lt,
    /// `<=`
    Le,
}

/// One search term.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Term {
    /// `*`
    All,
    /// A bare word: subject or a From/To/Cc mailbox.
    Any(Pattern),
    /// `from:` and the other address fields (field name lower-case).
    Address(&'static str, Pattern),
    /// `subject:`
    Subject(Pattern),
    /// `body:`
    Body(Pattern),
    /// `filename:`
    Filename(Pattern),
    /// `id:`
    Id(Pattern),
    /// `has:attachment`
    HasAttachment,
    /// `type:`
    Type(Pattern),
    /// A Date in `[start, end)` (Unix seconds; open ends are `i64::MIN/MAX`).
    Date(i64, i64),
    /// `size:`
    Size(Cmp, u64),
    /// `size:A..B` (inclusive; either side may be left out)
    SizeBetween(u64, u64),
    /// `flag:` (a maildir flag letter; lower-case `u` for unseen).
    Flag(char),
    /// `label:`
    Label(Pattern),
    /// `header:Name[=glob]`
    Header(String, Option<Pattern>),
    /// `finding:code`
    Finding(Pattern),
    /// `origin:CIDR`
    Origin(IpAddr, u8),
    /// `via:host`
    Via(Pattern),
    /// `tls:yes` (true) / `tls:no` (false)
    Tls(bool),
    /// `auth:method=result` (method empty for any)
    Auth(String, String),
}

/// What the query needs besides the parsed message.
#[derive(Debug, Clone, Default)]
pub struct Facts<'a> {
    /// The message's size in bytes (as stored, without an mbox `From ` line).
    pub size: u64,
    /// Maildir flags (`:2,` letters), when the message is a maildir file.
    pub maildir_flags: Option<&'a str>,
    /// Now, in Unix seconds (for the forensics timeline).
    pub now: i64,
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (also with `/`) as `[start, end)`.
fn period(s: &str) -> Result<(i64, i64), String> {
    let parts: Vec<&str> = s.split(['-', '/']).collect();
    let num = |p: &str, what: &str| -> Result<i64, String> {
        p.parse::<i64>()
            .map_err(|_| format!("`{s}`: the {what} `{p}` is not a number"))
    };
    let bad = || format!("`{s}` is not a date (YYYY, YYYY-MM or YYYY-MM-DD)");
    let y = num(parts.first().ok_or_else(bad)?, "year")?;
    if !(1..=9999).contains(&y) || parts[0].len() != 4 {
        return Err(bad());
    }
    let day = |y, m, d| days_from_civil(y, m, d) * 86_400;
    match parts.len() {
        1 => Ok((day(y, 1, 1), day(y + 1, 1, 1))),
        2 | 3 => {
            let m = num(parts[1], "month")?;
            if !(1..=12).contains(&m) {
                return Err(format!("`{s}`: month {m} is not 1-12"));
            }
            let next_month = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
            if parts.len() == 2 {
                return Ok((day(y, m, 1), day(next_month.0, next_month.1, 1)));
            }
            let d = num(parts[2], "day")?;
            let last = (day(next_month.0, next_month.1, 1) - day(y, m, 1)) / 86_400;
            if d < 1 || d > last {
                return Err(format!("`{s}`: day {d} is not in that month"));
            }
            Ok((day(y, m, d), day(y, m, d) + 86_400))
        }
        _ => Err(bad()),
    }
}

/// `7d`, `2w`, `3m`, `1y`, `12h` back from `now`.
fn relative(s: &str, now: i64) -> Option<i64> {
    let unit = s.chars().last()?;
    let n: i64 = s[..s.len() - unit.len_utf8()].parse().ok()?;
    let secs = match unit {
        'h' => 3_600,
        'd' => 86_400,
        'w' => 7 * 86_400,
        'm' => 30 * 86_400,
        'y' => 365 * 86_400,
        _ => return None,
    };
    Some(now - n.checked_mul(secs)?)
}

fn size_value(s: &str) -> Result<u64, String> {
    let l = s.to_ascii_lowercase();
    let digits = l.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit = &l[digits.len()..];
    let mult: u64 = match unit {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        _ => return Err(format!("`{s}`: unknown size unit `{unit}` (b, k, m, g)")),
    };
    let n: f64 = digits
        .parse()
        .map_err(|_| format!("`{s}` is not a size (for example >1mb)"))?;
    Ok((n * mult as f64) as u64)
}

fn cidr(s: &str) -> Result<(IpAddr, u8), String> {
    let (ip, bits) = s.split_once('/').unwrap_or((s, ""));
    let ip: IpAddr = ip
        .parse()
        .map_err(|_| format!("`{s}` is not an IP address or network (203.0.113.0/24)"))?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let bits = if bits.is_empty() {
        max
    } else {
        bits.parse::<u8>()
            .ok()
            .filter(|b| *b <= max)
            .ok_or_else(|| format!("`{s}`: the prefix length must be 0-{max}"))?
    };
    Ok((ip, bits))
}

fn in_network(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(b)) => {
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits)
            };
            u32::from(a) & mask == u32::from(b) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(b)) => {
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - bits)
            };
            u128::from(a) & mask == u128::from(b) & mask
        }
        (IpAddr::V6(a), IpAddr::V4(_)) => a
            .to_ipv4_mapped()
            .is_some_and(|a| in_network(IpAddr::V4(a), net, bits)),
        _ => false,
    }
}

impl Term {
    fn new(field: Option<&str>, v: &str, quoted: bool, now: i64) -> Result<Term, String> {
        let pat = || Pattern::new(v, quoted);
        let need = |what: &str| -> Result<(), String> {
            if v.is_empty() {
                Err(format!("`{}:` needs {what}", field.unwrap_or("")))
            } else {
                Ok(())
            }
        };
        let Some(field) = field else {
            if v == "*" && !quoted {
                return Ok(Term::All);
            }
            return Ok(Term::Any(pat()?));
        };
        Ok(match field {
            "from" => Term::Address("from", pat()?),
            "to" => Term::Address("to", pat()?),
            "cc" => Term::Address("cc", pat()?),
            "bcc" => Term::Address("bcc", pat()?),
            "subject" => Term::Subject(pat()?),
            "body" => Term::Body(pat()?),
            "filename" => Term::Filename(pat()?),
            "id" => Term::Id(Pattern::new(v.trim_start_matches('<').trim_end_matches('>'), quoted)?),
            "has" => match v.to_ascii_lowercase().as_str() {
                "attachment" | "attachments" => Term::HasAttachment,
                _ => return Err(format!("`has:{v}`: only has:attachment is known")),
            },
            "type" | "mimetype" => {
                need("a content type")?;
                Term::Type(pat()?)
            }
            "date" => {
                need("a date")?;
                match v.split_once("..") {
                    Some((a, b)) => {
                        let lo = if a.is_empty() { i64::MIN } else { period(a)?.0 };
                        let hi = if b.is_empty() { i64::MAX } else { period(b)?.1 };
                        Term::Date(lo, hi)
                    }
                    None => {
                        let (a, b) = period(v)?;
                        Term::Date(a, b)
                    }
                }
            }
            "after" | "since" => {
                need("a date or an age like 7d")?;
                let t = match relative(v, now) {
                    Some(t) => t,
                    None => period(v)?.0,
                };
                Term::Date(t, i64::MAX)
            }
            "before" | "until" => {
                need("a date or an age like 7d")?;
                let t = match relative(v, now) {
                    Some(t) => t,
                    None => period(v)?.0,
                };
                Term::Date(i64::MIN, t)
            }
            "size" | "larger" | "smaller" => {
                need("a size like >1mb")?;
                if let Some((a, b)) = v.split_once("..") {
                    let lo = if a.is_empty() { 0 } else { size_value(a)? };
                    let hi = if b.is_empty() { u64::MAX } else { size_value(b)? };
                    return Ok(Term::SizeBetween(lo, hi));
                }
                let (cmp, rest) = if let Some(r) = v.strip_prefix(">=") {
                    (Cmp::Ge, r)
                } else if let Some(r) = v.strip_prefix("<=") {
                    (Cmp::Le, r)
                } else if let Some(r) = v.strip_prefix('>') {
                    (Cmp::Gt, r)
                } else if let Some(r) = v.strip_prefix('<') {
                    (Cmp::Lt, r)
                } else if field == "smaller" {
                    (Cmp::Lt, v)
                } else {
                    (Cmp::Ge, v)
                };
                Term::Size(cmp, size_value(rest)?)
            }
            "flag" | "is" => Term::Flag(match v.to_ascii_lowercase().as_str() {
                "seen" | "read" => 'S',
                "unseen" | "unread" => 'u',
                "replied" | "answered" => 'R',
                "flagged" | "starred" => 'F',
                "draft" => 'D',
                "trashed" | "deleted" => 'T',
                "passed" | "forwarded" => 'P',
                _ => {
                    return Err(format!(
                        "`{field}:{v}`: flags are seen, unseen, replied, flagged, draft, trashed, passed"
                    ))
                }
            }),
            "label" | "tag" => Term::Label(pat()?),
            "header" => {
                let (name, value) = match v.split_once('=') {
                    Some((n, val)) => (n, Some(Pattern::new(val, quoted)?)),
                    None => (v, None),
                };
                if name.is_empty() {
                    return Err("`header:` needs a field name: header:X-Mailer=*Outlook*".into());
                }
                Term::Header(name.to_string(), value)
            }
            "finding" => Term::Finding(pat()?),
            "origin" => {
                let (ip, bits) = cidr(v)?;
                Term::Origin(ip, bits)
            }
            "via" => Term::Via(pat()?),
            "tls" => match v.to_ascii_lowercase().as_str() {
                "yes" | "true" | "1" => Term::Tls(true),
                "no" | "false" | "0" => Term::Tls(false),
                _ => return Err(format!("`tls:{v}`: use tls:yes or tls:no")),
            },
            "auth" => {
                let (m, r) = v.split_once('=').unwrap_or(("", v));
                if r.is_empty() {
                    return Err("`auth:` needs a result: auth:dkim=fail or auth:fail".into());
                }
                Term::Auth(m.to_ascii_lowercase(), r.to_ascii_lowercase())
            }
            other => {
                return Err(format!(
                    "unknown field `{other}:` (from, to, cc, bcc, subject, body, filename, id, has, type, date, after, before, size, flag, label, header, finding, origin, via, tls, auth)"
                ))
            }
        })
    }

    /// Whether the term needs the body (a full parse) rather than the header.
    fn needs_body(&self) -> bool {
        matches!(
            self,
            Term::Body(_)
                | Term::Filename(_)
                | Term::HasAttachment
                | Term::Type(_)
                | Term::Finding(_)
        )
    }
}

impl Expr {
    fn any_term(&self, f: &dyn Fn(&Term) -> bool) -> bool {
        match self {
            Expr::And(v) | Expr::Or(v) => v.iter().any(|e| e.any_term(f)),
            Expr::Not(e) => e.any_term(f),
            Expr::Term(t) => f(t),
        }
    }
}

/// Per-message state shared by the terms: the trace is computed once, when
/// a forensic term first needs it.
struct Eval<'m, 'a> {
    msg: &'m Message<'a>,
    facts: &'m Facts<'m>,
    trace: OnceCell<forensics::Trace>,
}

impl Eval<'_, '_> {
    fn trace(&self) -> &forensics::Trace {
        self.trace
            .get_or_init(|| forensics::trace(self.msg, &forensics::Options::at(self.facts.now)))
    }

    fn addresses(&self, field: &str, p: &Pattern) -> bool {
        self.msg.headers().iter().filter(|h| h.is(field)).any(|h| {
            address::mailboxes(h).iter().any(|m| {
                let a = m.address.as_deref().unwrap_or("");
                let n = m.name.as_deref().unwrap_or("");
                p.is_match(a)
                    || (!n.is_empty() && p.is_match(n))
                    || (!n.is_empty() && p.is_match(&format!("{n} <{a}>")))
            })
        })
    }

    fn decoded(&self, name: &str) -> Vec<String> {
        self.msg
            .headers()
            .iter()
            .filter(|h| h.is(name))
            .map(|h| decode_text(h.raw_value()).0.trim().to_string())
            .collect()
    }

    fn flags(&self) -> String {
        crate::export::listing::flags(self.msg, self.facts.maildir_flags)
    }

    fn term(&self, t: &Term) -> bool {
        let msg = self.msg;
        match t {
            Term::All => true,
            Term::Any(p) => {
                msg.subject().is_some_and(|s| p.is_match(&s))
                    || ["from", "to", "cc"].iter().any(|f| self.addresses(f, p))
            }
            Term::Address(f, p) => self.addresses(f, p),
            Term::Subject(p) => msg.subject().is_some_and(|s| p.is_match(&s)),
            Term::Body(p) => msg.text_bodies().into_iter().any(|i| {
                msg.parts[i]
                    .decoded_text()
                    .is_some_and(|(text, _)| match p {
                        Pattern::Contains(_) => p.is_match(text),
                        Pattern::Glob(_) => text.lines().any(|l| p.is_match(l)),
                    })
            }),
            Term::Filename(p) => msg
                .parts
                .iter()
                .filter_map(|x| x.filename.as_deref())
                .any(|n| p.is_match(n)),
            Term::Id(p) => msg.message_id().is_some_and(|id| p.is_match(&id)),
            Term::HasAttachment => !msg.attachments().is_empty(),
            Term::Type(p) => msg
                .parts
                .iter()
                .filter(|x| x.kind != PartKind::Multipart || !matches!(p, Pattern::Contains(_)))
                .any(|x| p.is_match(&x.content_type)),
            Term::Date(lo, hi) => msg
                .date()
                .is_some_and(|d| (*lo..*hi).contains(&d.timestamp())),
            Term::Size(cmp, n) => {
                let s = self.facts.size;
                match cmp {
                    Cmp::Gt => s > *n,
                    Cmp::Ge => s >= *n,
                    Cmp::Lt => s < *n,
                    Cmp::Le => s <= *n,
                }
            }
            Term::SizeBetween(lo, hi) => (*lo..=*hi).contains(&self.facts.size),
            Term::Flag('u') => !self.flags().contains('S'),
            Term::Flag(c) => self.flags().contains(*c),
            Term::Label(p) => self
                .decoded("x-gmail-labels")
                .iter()
                .flat_map(|v| crate::export::listing::labels(v))
                .any(|l| p.is_match(&l)),
            Term::Header(name, p) => {
                let vals = self.decoded(name);
                match p {
                    None => !vals.is_empty(),
                    Some(p) => vals.iter().any(|v| p.is_match(v)),
                }
            }
            Term::Finding(p) => {
                msg.findings().iter().any(|f| p.is_match(f.code))
                    || self.trace().findings.iter().any(|f| p.is_match(f.code))
            }
            Term::Origin(net, bits) => self
                .trace()
                .summary
                .origin
                .is_some_and(|(_, ip)| in_network(ip, *net, *bits)),
            Term::Via(p) => self.trace().hops.iter().any(|h| {
                [&h.by, &h.from, &h.helo, &h.rdns]
                    .into_iter()
                    .flatten()
                    .any(|s| p.is_match(s))
                    || h.ip.is_some_and(|ip| p.is_match(&ip.to_string()))
            }),
            Term::Tls(yes) => {
                let s = &self.trace().summary;
                if *yes {
                    s.network_hops > 0 && s.tls_hops >= s.network_hops
                } else {
                    s.tls_hops < s.network_hops
                }
            }
            Term::Auth(method, result) => self.trace().auth_summary.iter().any(|m| {
                (method.is_empty() || m.method.eq_ignore_ascii_case(method))
                    && m.result.eq_ignore_ascii_case(result)
            }),
        }
    }

    fn expr(&self, e: &Expr) -> bool {
        match e {
            Expr::And(v) => v.iter().all(|e| self.expr(e)),
            Expr::Or(v) => v.iter().any(|e| self.expr(e)),
            Expr::Not(e) => !self.expr(e),
            Expr::Term(t) => self.term(t),
        }
    }
}

impl Query {
    /// Parses a query. Relative dates (`after:7d`) count back from `now`
    /// (Unix seconds).
    pub fn parse(q: &str, now: i64) -> Result<Query, QueryError> {
        Ok(Query {
            expr: parse::parse(q, now)?,
        })
    }

    /// The expression tree.
    pub fn expr(&self) -> &Expr {
        &self.expr
    }

    /// True when every term can be answered from the top-level header
    /// section (so callers can parse with `Scope::HeadersOnly`).
    pub fn headers_only(&self) -> bool {
        !self.expr.any_term(&Term::needs_body)
    }

    /// Whether `msg` matches. A message parsed header-only answers body
    /// terms as if it had no body.
    pub fn matches(&self, msg: &Message<'_>, facts: &Facts<'_>) -> bool {
        Eval {
            msg,
            facts,
            trace: OnceCell::new(),
        }
        .expr(&self.expr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Limits, Scope};

    const MSG: &[u8] = b"From: Ann Example <ann@example.com>\r\n\
To: bob@example.org, Carol <carol@corp.test>\r\n\
Subject: Quarterly report\r\n\
Date: Tue, 16 Jan 2024 10:00:00 +0000\r\n\
Message-ID: <abc@example.com>\r\n\
X-Mailer: Microsoft Outlook 16\r\n\
X-Gmail-Labels: Inbox,\"Work, 2024\",Important\r\n\
Received: from mail.example.com (mail.example.com [203.0.113.5]) by mx.example.net with ESMTP; Tue, 16 Jan 2024 10:00:01 +0000\r\n\
Authentication-Results: mx.example.net; dkim=fail header.d=example.com; spf=pass\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=b\r\n\
\r\n\
--b\r\n\
Content-Type: text/plain\r\n\
\r\n\
Please find the numbers attached.\r\n\
--b\r\n\
Content-Type: application/pdf; name=q1.pdf\r\n\
Content-Disposition: attachment; filename=q1.pdf\r\n\
\r\n\
JVBERi0=\r\n\
--b--\r\n";

    fn m(q: &str) -> bool {
        let query = Query::parse(q, 1_705_400_000 + 86_400).unwrap_or_else(|e| panic!("{q}: {e}"));
        let scope = if query.headers_only() {
            Scope::HeadersOnly
        } else {
            Scope::Full
        };
        let msg = Message::parse(MSG, 0, scope, &Limits::default()).unwrap();
        query.matches(
            &msg,
            &Facts {
                size: MSG.len() as u64,
                maildir_flags: Some("RS"),
                now: 1_705_400_000,
            },
        )
    }

    #[test]
    fn terms() {
        for q in [
            "*",
            "from:ann",
            "from:*@example.com",
            "from:\"Ann Example\"",
            "to:carol",
            "report",
            "subject:quarterly",
            "subject:Quarterly*",
            "body:numbers",
            "body:*find*attached*",
            "filename:*.pdf",
            "id:abc@example.com",
            "id:<abc@example.com>",
            "has:attachment",
            "type:application/pdf",
            "type:pdf",
            "date:2024",
            "date:2024-01",
            "date:2024-01-16",
            "date:2024-01..2024-02",
            "date:..2024-01-16",
            "after:2024-01-16",
            "before:2024-01-17",
            "after:7d",
            "size:>100",
            "size:<1k",
            "size:100..1k",
            "size:1..",
            "flag:seen",
            "flag:replied",
            "label:inbox",
            "label:\"Work, 2024\"",
            "header:X-Mailer=*Outlook*",
            "header:x-mailer",
            "origin:203.0.113.0/24",
            "origin:203.0.113.5",
            "via:mx.example.net",
            "tls:no",
            "auth:dkim=fail",
            "auth:fail",
            "auth:spf=pass",
            "from:ann subject:report",
            "from:nobody OR subject:report",
            "-from:nobody",
            "NOT from:nobody",
            "(from:nobody OR from:ann) AND has:attachment",
            "-(from:nobody)",
        ] {
            assert!(m(q), "{q} should match");
        }
        for q in [
            "from:bob",
            "subject:invoice",
            "body:nothere",
            "filename:*.doc",
            "date:2023",
            "date:2024-02",
            "after:2024-01-17",
            "before:2024-01-16",
            "after:12h",
            "size:>1mb",
            "size:1mb..",
            "size:..100",
            "flag:flagged",
            "flag:unseen",
            "label:spam",
            "header:X-Spam",
            "origin:198.51.100.0/24",
            "tls:yes",
            "auth:dkim=pass",
            "-from:ann",
            "from:ann -has:attachment",
        ] {
            assert!(!m(q), "{q} should not match");
        }
    }

    #[test]
    fn header_only_is_detected() {
        let h = |q: &str| Query::parse(q, 0).unwrap().headers_only();
        assert!(h(
            "from:a subject:b date:2024 size:>1k origin:1.2.3.4 auth:fail label:x"
        ));
        assert!(!h("from:a body:x"));
        assert!(!h("from:a OR -has:attachment"));
        assert!(!h("type:pdf"));
    }

    #[test]
    fn errors_point_at_the_column() {
        let e = |q: &str| Query::parse(q, 0).unwrap_err();
        assert_eq!(e("from:a (subject:b").column, 18);
        assert_eq!(e("from:a )").column, 8);
        assert_eq!(e("from:a OR").column, 10);
        assert_eq!(e("subject:\"open").column, 9);
        assert_eq!(e("from:a colour:red").column, 8);
        assert_eq!(e("date:2024-13").column, 1);
        assert_eq!(e("x size:>1zb").column, 3);
        assert_eq!(e("").column, 1);
        assert!(e("frm:x").message.contains("unknown field"));
    }

    #[test]
    fn helpers() {
        assert_eq!(
            crate::export::listing::labels("a,\"b, c\", d"),
            vec!["a", "b, c", "d"]
        );
        assert_eq!(size_value("1mb"), Ok(1 << 20));
        assert_eq!(size_value("1.5k"), Ok(1536));
        assert!(in_network(
            "10.1.2.3".parse().unwrap(),
            "10.0.0.0".parse().unwrap(),
            8
        ));
        assert!(!in_network(
            "11.1.2.3".parse().unwrap(),
            "10.0.0.0".parse().unwrap(),
            8
        ));
        assert_eq!(
            period("2024-02").unwrap().1 - period("2024-02").unwrap().0,
            29 * 86_400
        );
    }

    proptest::proptest! {
        #[test]
        fn any_query_parses_or_says_where(q in "\\PC{0,40}") {
            match Query::parse(&q, 0) {
                Ok(_) => {}
                Err(e) => proptest::prop_assert!(e.column >= 1 && e.column <= q.chars().count() + 1),
            }
        }

        #[test]
        fn query_like_strings_never_panic(q in "[a-z:()\" *.-]{0,30}( OR [a-z:()\"-]{0,10})?") {
            let _ = Query::parse(&q, 0);
        }
    }
}
