//! Our own reader of `Received` field values (RFC 5321 §4.4).
//!
//! Why ours: profiling showed mail-parser 0.11's Received tokenizer at about
//! 10% of `emlkit json` and 15% of `emlkit trace`, and the Received grammar
//! is the core of `trace`, so we want to own it. This reader makes one pass
//! over the value bytes (folding is skipped on the fly), keeps one small
//! bit mask per word instead of a dozen counters and a 128-bit hash per byte,
//! classifies a word only from that mask in the common cases (plain words,
//! host names, numbers), and borrows every string it returns from the value
//! (`Cow::Borrowed`): it allocates nothing but the boxed result.
//!
//! The result is mail-parser's own [`Received`] type, so everything that
//! reads it (`trace`, `json`) is unchanged, and it reads values the way
//! mail-parser 0.11.9 does — word classes, which word fills which slot,
//! the date from the numbers after a `;` — so that the two agree field by
//! field on every Received field of the corpora, the test data and the
//! benchmark mailboxes (`tests/cli/received.rs`, which lists each place we
//! deliberately differ, with the reason: today Exim's `utf8esmtp…`
//! protocol names, read as RFC 6531's `UTF8SMTP…`, and fractional seconds
//! (`07:53:55.516`), whose whole seconds we keep). The grammar, informally:
//!
//! ```text
//! Received: from HOST (TCP-info, HELO/EHLO name, ident, envelope-from …)
//!           by HOST (MTA comment)  via LINK  with PROTOCOL (TLS comment)
//!           id QUEUE-ID  for <RCPT>  ; DATE
//! ```
//!
//! Slots are filled by keyword: `from` (the first one, even inside a
//! comment), and outside comments `by`, `with`, `id`, `for`, `via`; inside
//! comments `helo=`/`ehlo=` (after `from`), `ident`, the client address and
//! reverse-DNS name, TLS versions (`TLSv1.3`, `TLS1_2`, `version=TLS1_3`)
//! and cipher-suite names (upper case with `_` or `-`, `TLS_AES_…`,
//! `ECDHE-RSA-…`). After a `;` the integers and month names are the date
//! (day, month, year, hour, minute, second, zone) in the order written.
//!
//! Every loop advances through the input or through the tokens: linear time
//! on any input, and no recursion (comment depth is a counter).

use mail_parser::{DateTime, Greeting, HeaderValue, Host, Protocol, Received, TlsVersion};
use std::borrow::Cow;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

// Byte classes of word characters, one bit each; a word's mask is the OR of
// its bytes' classes. 0 = not a word character.
const DIGIT: u16 = 1;
/// `a`–`f`, `A`–`F` (letters that can be part of an IPv6 address).
const HEX: u16 = 2;
/// `g`–`z`, `G`–`Z`.
const ALPHA: u16 = 4;
const DOT: u16 = 8;
const AT: u16 = 16;
const PLUS: u16 = 32;
const MINUS: u16 = 64;
/// A `:` kept inside a word (IPv6 addresses); never in the table.
const COLON: u16 = 128;
const UNDER: u16 = 256;
/// Other printable ASCII punctuation and control characters.
const OTHER: u16 = 512;
/// DEL and every byte above 0x7f.
const UTF: u16 = 1024;
const UPPER: u16 = 2048;
const LOWER: u16 = 4096;

const LETTER: u16 = HEX | ALPHA;
const ALNUM: u16 = DIGIT | HEX | ALPHA | UPPER | LOWER;

const fn class_table() -> [u16; 256] {
    let mut t = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = match b {
            b'0'..=b'9' => DIGIT,
            b'a'..=b'f' => HEX | LOWER,
            b'g'..=b'z' => ALPHA | LOWER,
            b'A'..=b'F' => HEX | UPPER,
            b'G'..=b'Z' => ALPHA | UPPER,
            b'.' => DOT,
            b'@' => AT,
            b'+' => PLUS,
            b'-' => MINUS,
            b'_' => UNDER,
            0x7f..=0xff => UTF,
            // Separators and white space end a word; `:` is decided in the
            // lexer (it may belong to an IPv6 address).
            b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'=' | b';' | b'/' | b'"' | b',' | b':'
            | b' ' | b'\t' | b'\r' | b'\n' => 0,
            _ => OTHER,
        };
        i += 1;
    }
    t
}

static CLASS: [u16; 256] = class_table();

/// What a token is. Separators carry their byte.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Sep(u8),
    /// An address that parsed (kept as text: a 17-byte payload in every
    /// token cost more than parsing the few addresses again when used).
    Ip,
    // Kind stays two bytes, returned in a register: payloads wider than a
    // byte (an integer's value, an address) are read again from the token's
    // text when used — a copied 16-byte enum cost more (store-forwarding
    // stalls, seen with perf) than re-reading the few that are used.
    /// A decimal integer that fits an i64.
    Int,
    Month(u8),
    Proto(Protocol),
    Greet(Greeting),
    Tls(TlsVersion),
    Email,
    Domain,
    Cipher,
    Text,
    From,
    By,
    For,
    Id,
    Via,
    With,
    Ident,
}

/// A token: its kind, its bytes (`start..end` of the value) and, for words,
/// whether it started inside a comment and after a `[`: all the parser asks
/// of the depths. Twelve bytes, so that a token moves in registers (the
/// value is cut at 4 GiB for the `u32` offsets, see [`parse`]).
#[derive(Debug, Clone, Copy)]
struct Tok {
    kind: Kind,
    in_comment: bool,
    bracketed: bool,
    start: u32,
    end: u32,
}

impl Tok {
    fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// The lexer: words and separators, folding and white space skipped.
struct Lexer<'x> {
    b: &'x [u8],
    pos: usize,
    /// Nesting of `(` outside quotes.
    depth: u32,
    /// Non-zero after a `[` (mail-parser's marker: `[` sets it to the comment
    /// depth + 1, `]` to the comment depth − 1, so an address in brackets
    /// inside two comments still counts as bracketed).
    bracket: u32,
    quoted: bool,
    /// After a `;` outside comments: `:` separates (a time, not IPv6).
    in_date: bool,
    /// A line ending not followed by white space: the value ended.
    done: bool,
    /// A separator that ended the previous word.
    pending: Option<Tok>,
    /// One token of look-ahead for the parser.
    ahead: Option<Tok>,
}

impl<'x> Lexer<'x> {
    fn new(b: &'x [u8]) -> Self {
        Lexer {
            b,
            pos: 0,
            depth: 0,
            bracket: 0,
            quoted: false,
            in_date: false,
            done: false,
            pending: None,
            ahead: None,
        }
    }

    fn text(&self, t: &Tok) -> &'x str {
        // A word with invalid UTF-8 reads as empty, as in mail-parser.
        std::str::from_utf8(&self.b[t.range()]).unwrap_or_default()
    }

    fn next(&mut self) -> Option<Tok> {
        match self.ahead.take() {
            Some(t) => Some(t),
            None => self.lex(),
        }
    }

    fn peek(&mut self) -> Option<Tok> {
        if self.ahead.is_none() {
            self.ahead = self.lex();
        }
        self.ahead
    }

    fn sep(&self, c: u8, at: usize) -> Tok {
        Tok {
            kind: Kind::Sep(c),
            in_comment: false,
            bracketed: false,
            start: at as u32,
            end: at as u32 + 1,
        }
    }

    /// A separator's effect on the comment, bracket, quote and date state.
    fn separator(&mut self, c: u8) {
        if !self.quoted {
            match c {
                b'(' => self.depth = self.depth.saturating_add(1),
                b')' => self.depth = self.depth.saturating_sub(1),
                b'[' => self.bracket = self.depth.saturating_add(1),
                b']' => self.bracket = self.depth.saturating_sub(1),
                _ => {}
            }
        }
        match c {
            b'"' => self.quoted = !self.quoted,
            b';' if self.depth == 0 => self.in_date = true,
            _ => {}
        }
    }

    /// The next token. Each call consumes at least one byte or returns None.
    fn lex(&mut self) -> Option<Tok> {
        if let Some(t) = self.pending.take() {
            return Some(t);
        }
        if self.done {
            return None;
        }
        let b = self.b;
        let mut i = self.pos;
        // White space and folds before the token; a line end without
        // white space after it ends the value.
        loop {
            match b.get(i) {
                Some(b' ' | b'\t' | b'\r') => i += 1,
                Some(b'\n') if matches!(b.get(i + 1), Some(b' ' | b'\t')) => i += 2,
                Some(b'\n') => {
                    self.done = true;
                    self.pos = i + 1;
                    return None;
                }
                Some(_) => break,
                None => {
                    self.pos = i;
                    return None;
                }
            }
        }
        let start = i;
        let mut mask = 0u16;
        let mut colons = 0u32;
        loop {
            while let Some(&c) = b.get(i) {
                let cls = CLASS[c as usize];
                if cls == 0 {
                    break;
                }
                mask |= cls;
                i += 1;
            }
            // `:` stays inside a word of hex digits and colons (IPv6), up
            // to seven of them, except in the date (a time).
            if b.get(i) == Some(&b':')
                && !self.in_date
                && mask & (AT | DOT | ALPHA | UNDER | OTHER | PLUS | MINUS | UTF) == 0
                && colons < 7
            {
                colons += 1;
                mask |= COLON;
                i += 1;
                continue;
            }
            break;
        }
        // (An `if`, not a closure: a closure would take `mask` by reference
        // and keep it in memory through the byte loop above.)
        let word = if i > start {
            Some(Tok {
                kind: classify(&b[start..i], mask, colons),
                in_comment: self.depth > 0,
                bracketed: self.bracket > 0,
                start: start as u32,
                end: i as u32,
            })
        } else {
            None
        };
        // What ended the word (or is the token itself): consumed here.
        match b.get(i) {
            None => self.pos = i,
            Some(b' ' | b'\t' | b'\r') => self.pos = i + 1,
            Some(b'\n') if matches!(b.get(i + 1), Some(b' ' | b'\t')) => self.pos = i + 2,
            Some(b'\n') => {
                self.done = true;
                self.pos = i + 1;
            }
            Some(&c) => {
                self.pos = i + 1;
                self.separator(c);
                let s = self.sep(c, i);
                if word.is_none() {
                    return Some(s);
                }
                self.pending = Some(s);
            }
        }
        word
    }

    /// After a keyword: skips the separators in `skip` and takes the next
    /// word, if the next token is a word.
    fn value(&mut self, skip: &[u8]) -> Option<Tok> {
        while let Some(t) = self.peek() {
            match t.kind {
                Kind::Sep(c) if skip.contains(&c) => {
                    self.ahead = None;
                }
                Kind::Sep(_) => return None,
                _ => {
                    self.ahead = None;
                    return Some(t);
                }
            }
        }
        None
    }

    /// The address of a [`Kind::Ip`] token (IPv6 when it has a colon).
    fn ip(&self, t: &Tok) -> Option<IpAddr> {
        let w = &self.b[t.range()];
        if w.contains(&b':') {
            parse_ip::<Ipv6Addr>(w).map(IpAddr::V6)
        } else {
            ipv4(w).map(IpAddr::V4)
        }
    }

    fn host(&self, t: Tok) -> Host<'x> {
        match t.kind {
            Kind::Ip => match self.ip(&t) {
                Some(ip) => Host::IpAddr(ip),
                None => Host::Name(Cow::Borrowed(self.text(&t))),
            },
            _ => Host::Name(Cow::Borrowed(self.text(&t))),
        }
    }
}

fn count(w: &[u8], c: u8) -> usize {
    w.iter().filter(|&&b| b == c).count()
}

/// The word's letters and digits, lower-cased, if there are at most 16.
fn alnum_lower(w: &[u8]) -> Option<([u8; 16], usize)> {
    let mut out = [0u8; 16];
    let mut n = 0;
    for &b in w {
        if b.is_ascii_alphanumeric() {
            *out.get_mut(n)? = b.to_ascii_lowercase();
            n += 1;
        }
    }
    Some((out, n))
}

/// Classifies a word from its byte-class mask; counts bytes only for the
/// rarer shapes that need a count (addresses, `@`, TLS versions, ciphers).
fn classify(w: &[u8], mask: u16, colons: u32) -> Kind {
    // Letters and digits only: a keyword, a number or plain text.
    if mask & !ALNUM == 0 {
        if mask & LETTER == 0 {
            return int(w).map_or(Kind::Text, |_| Kind::Int);
        }
        return keyword(w).unwrap_or(Kind::Text);
    }
    // Digits and dots: an IPv4 address or text.
    if mask & !(DIGIT | DOT) == 0 {
        let dots = count(w, b'.');
        let digits = w.len() - dots;
        if dots == 3 && (4..=12).contains(&digits) {
            return match ipv4(w) {
                Some(_) => Kind::Ip,
                None => Kind::Text,
            };
        }
        return Kind::Text;
    }
    // Digits and one sign: an integer (zones, `+0200`).
    if mask & !(DIGIT | PLUS | MINUS) == 0 {
        return int(w).map_or(Kind::Text, |_| Kind::Int);
    }
    // IPv6: hex digits and colons (and the mapped IPv4 form).
    if mask & COLON != 0 && mask & !(DIGIT | HEX | UPPER | LOWER | COLON | DOT) == 0 {
        let letters = w.iter().filter(|b| b.is_ascii_alphabetic()).count();
        let digits = w.iter().filter(|b| b.is_ascii_digit()).count();
        let v6 = if mask & DOT == 0 {
            colons >= 2 && ((1..=32).contains(&letters) || (1..=32).contains(&digits))
        } else {
            colons == 3 && letters == 4 && count(w, b'.') == 3 && (4..=12).contains(&digits)
        };
        if v6 {
            return match parse_ip::<Ipv6Addr>(w) {
                Some(_) => Kind::Ip,
                None => Kind::Text,
            };
        }
    }
    if mask & AT != 0 {
        // One `@` and a letter: an address; anything else with `@` is text.
        return if mask & LETTER != 0 && count(w, b'@') == 1 {
            Kind::Email
        } else {
            Kind::Text
        };
    }
    if mask & (COLON | PLUS | UTF) == 0 {
        // Keywords written with punctuation: `local-esmtp`, `TLS1_2`, `TLSv1.3`.
        if let Some(k) = punctuated_keyword(w, mask) {
            return k;
        }
    }
    if mask & LETTER != 0 && mask & DOT != 0 && mask & (UNDER | OTHER | COLON | PLUS) == 0 {
        return Kind::Domain;
    }
    if is_cipher(w, mask) {
        return Kind::Cipher;
    }
    Kind::Text
}

/// A decimal integer with an optional sign, as `i64::from_str` reads it
/// (None on overflow), without the UTF-8 check and the generic radix code.
fn int(w: &[u8]) -> Option<i64> {
    let (neg, digits) = match w.first()? {
        b'-' => (true, &w[1..]),
        b'+' => (false, &w[1..]),
        _ => (false, w),
    };
    if digits.is_empty() {
        return None;
    }
    let mut n: i64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        let d = i64::from(d - b'0');
        // Accumulate with the sign so that i64::MIN is reachable.
        n = n.checked_mul(10)?;
        n = if neg {
            n.checked_sub(d)?
        } else {
            n.checked_add(d)?
        };
    }
    Some(n)
}

/// A dotted-quad IPv4 address exactly as `Ipv4Addr::from_str` reads it
/// (four decimal parts of one to three digits, each at most 255, no
/// leading zero), without its UTF-8 check and generic number reader.
fn ipv4(w: &[u8]) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut parts = w.split(|&b| b == b'.');
    for slot in &mut octets {
        let p = parts.next()?;
        if p.is_empty() || p.len() > 3 || (p.len() > 1 && p[0] == b'0') {
            return None;
        }
        let mut v = 0u16;
        for &d in p {
            if !d.is_ascii_digit() {
                return None;
            }
            v = v * 10 + u16::from(d - b'0');
        }
        *slot = u8::try_from(v).ok()?;
    }
    match parts.next() {
        Some(_) => None,
        None => Some(Ipv4Addr::from(octets)),
    }
}

fn parse_ip<T: std::str::FromStr>(w: &[u8]) -> Option<T> {
    std::str::from_utf8(w).ok()?.parse().ok()
}

/// A cipher-suite name: upper case, a digit, `_` or `-` joining the parts,
/// longer than six bytes, starting with one of the usual algorithm names.
fn is_cipher(w: &[u8], mask: u16) -> bool {
    if mask & LOWER != 0
        || w.len() <= 6
        || mask & (UNDER | MINUS) == 0
        || mask & DIGIT == 0
        || mask & (DOT | AT | PLUS | COLON | UTF | OTHER) != 0
    {
        return false;
    }
    let mut head = [0u8; 3];
    let mut n = 0;
    for &b in w {
        if b.is_ascii_alphanumeric() {
            head[n] = b.to_ascii_lowercase();
            n += 1;
            if n == 3 {
                break;
            }
        }
    }
    n == 3
        && matches!(
            &head,
            b"rsa" | b"ecd" | b"dhe" | b"psk" | b"srp" | b"aes" | b"des" | b"tls"
        )
}

/// Keywords written with punctuation between their letters: Exim's
/// `local-esmtp` family with `-`, TLS versions with `.`, `_`, `-` or other
/// punctuation (`TLS1.2`, `TLS_1_3`, `TLSv1.3`, `DTLSv1.2`).
fn punctuated_keyword(w: &[u8], mask: u16) -> Option<Kind> {
    // Every such keyword starts with `t`, `d`, `l` or `e`: host names and
    // ids are turned away before their letters are copied.
    let first = w.iter().find(|b| b.is_ascii_alphanumeric())? | 0x20;
    if !matches!(first, b't' | b'd' | b'l' | b'e') {
        return None;
    }
    let (buf, n) = alnum_lower(w)?;
    let s = &buf[..n];
    if mask & (DIGIT | DOT | UNDER | OTHER) == 0 {
        // Letters and `-` only.
        let p = match s {
            b"localesmtp" => Protocol::ESMTP,
            b"localesmtps" | b"esmtptls" => Protocol::ESMTPS,
            b"localbsmtp" => Protocol::SMTP,
            _ => return None,
        };
        return Some(Kind::Proto(p));
    }
    let tls = match s {
        b"tls10" => TlsVersion::TLSv1_0,
        b"tls11" => TlsVersion::TLSv1_1,
        b"tls12" => TlsVersion::TLSv1_2,
        b"tls13" => TlsVersion::TLSv1_3,
        // The `v` and DTLS forms are not recognised with a `-`.
        _ if mask & MINUS != 0 => return None,
        b"tlsv10" => TlsVersion::TLSv1_0,
        b"tlsv11" => TlsVersion::TLSv1_1,
        b"tlsv12" => TlsVersion::TLSv1_2,
        b"tlsv13" => TlsVersion::TLSv1_3,
        b"dtls10" | b"dtlsv10" => TlsVersion::DTLSv1_0,
        b"dtls12" | b"dtlsv12" => TlsVersion::DTLSv1_2,
        b"dtls13" | b"dtlsv13" => TlsVersion::DTLSv1_3,
        _ => return None,
    };
    Some(Kind::Tls(tls))
}

/// A word of letters and digits: keyword, protocol, greeting, month or TLS
/// version, compared without case.
fn keyword(w: &[u8]) -> Option<Kind> {
    if w.len() > 11 {
        return None;
    }
    let mut buf = [0u8; 11];
    for (d, s) in buf.iter_mut().zip(w) {
        *d = s.to_ascii_lowercase();
    }
    use Kind::*;
    use Protocol as P;
    let k = match &buf[..w.len()] {
        b"from" => From,
        b"by" => By,
        b"for" => For,
        b"id" => Id,
        b"via" => Via,
        b"with" => With,
        b"ident" => Ident,
        b"helo" => Greet(Greeting::Helo),
        b"ehlo" => Greet(Greeting::Ehlo),
        b"lhlo" => Greet(Greeting::Lhlo),
        b"jan" => Month(1),
        b"feb" => Month(2),
        b"mar" => Month(3),
        b"apr" => Month(4),
        b"may" => Month(5),
        b"jun" => Month(6),
        b"jul" => Month(7),
        b"aug" => Month(8),
        b"sep" => Month(9),
        b"oct" => Month(10),
        b"nov" => Month(11),
        b"dec" => Month(12),
        // Registered names (RFC 3848, RFC 6531) and the common variants:
        // `bsmtp`, `smtpd`, `smtpsvc` (IIS), `asmtp`, `lsmtp`, HTTP forms.
        b"smtp" | b"bsmtp" | b"smtpd" | b"smtpsvc" | b"localbsmtp" => Proto(P::SMTP),
        b"esmtp" | b"localesmtp" => Proto(P::ESMTP),
        b"esmtpa" | b"asmtp" => Proto(P::ESMTPA),
        b"esmtps" | b"esmtptls" => Proto(P::ESMTPS),
        b"esmtpsa" => Proto(P::ESMTPSA),
        b"lmtp" | b"lsmtp" => Proto(P::LMTP),
        b"lmtpa" => Proto(P::LMTPA),
        b"lmtps" => Proto(P::LMTPS),
        b"lmtpsa" => Proto(P::LMTPSA),
        b"mms" => Proto(P::MMS),
        // RFC 6531 §4.3, and Exim's spelling of them (`with utf8esmtps`, its
        // default for SMTPUTF8 mail), which mail-parser does not know: the
        // one place where we read differently from it on purpose.
        b"utf8smtp" | b"utf8esmtp" => Proto(P::UTF8SMTP),
        b"utf8smtpa" | b"utf8esmtpa" => Proto(P::UTF8SMTPA),
        b"utf8smtps" | b"utf8esmtps" => Proto(P::UTF8SMTPS),
        b"utf8smtpsa" | b"utf8esmtpsa" => Proto(P::UTF8SMTPSA),
        b"utf8lmtp" => Proto(P::UTF8LMTP),
        b"utf8lmtpa" => Proto(P::UTF8LMTPA),
        b"utf8lmtps" => Proto(P::UTF8LMTPS),
        b"utf8lmtpsa" => Proto(P::UTF8LMTPSA),
        b"http" | b"httprest" | b"httpu" => Proto(P::HTTP),
        b"https" => Proto(P::HTTPS),
        b"imap" => Proto(P::IMAP),
        b"pop3" => Proto(P::POP3),
        b"local" | b"socket" | b"stdin" => Proto(P::Local),
        b"ssl2" | b"sslv2" => Tls(TlsVersion::SSLv2),
        b"ssl3" | b"sslv3" => Tls(TlsVersion::SSLv3),
        b"tls1" | b"tlsv1" | b"tls10" | b"tlsv10" => Tls(TlsVersion::TLSv1_0),
        b"tls11" | b"tlsv11" => Tls(TlsVersion::TLSv1_1),
        b"tls12" | b"tlsv12" => Tls(TlsVersion::TLSv1_2),
        b"tls13" | b"tlsv13" => Tls(TlsVersion::TLSv1_3),
        b"dtls10" | b"dtlsv10" => Tls(TlsVersion::DTLSv1_0),
        b"dtls12" | b"dtlsv12" => Tls(TlsVersion::DTLSv1_2),
        b"dtls13" | b"dtlsv13" => Tls(TlsVersion::DTLSv1_3),
        _ => return None,
    };
    Some(k)
}

/// Which keyword's clause the reader is in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Clause {
    None,
    From,
    By,
    For,
    Id,
    With,
    Via,
    Date,
}

/// Reads a Received value (the bytes after the colon, folding and final
/// line ending included): [`HeaderValue::Received`], or
/// [`HeaderValue::Empty`] when nothing was recognised.
///
/// A value longer than 4 GiB is read up to there (token offsets are `u32`;
/// no header field comes near it).
pub fn parse(value: &[u8]) -> HeaderValue<'_> {
    let value = &value[..value.len().min(u32::MAX as usize - 1)];
    let mut lx = Lexer::new(value);
    let mut r = Received::default();
    let mut clause = Clause::None;
    let mut date = [i64::MAX; 7];
    let mut date_n = 0;
    while let Some(t) = lx.next() {
        let (top, in_comment) = (!t.in_comment, t.in_comment);
        match t.kind {
            Kind::From if r.from.is_none() => {
                if let Some(v) = lx.value(b"[") {
                    r.from = Some(lx.host(v));
                }
                clause = Clause::From;
            }
            Kind::By if top => {
                if let Some(v) = lx.value(b"[<") {
                    r.by = Some(lx.host(v));
                }
                clause = Clause::By;
            }
            Kind::For if top => {
                while let Some(n) = lx.peek() {
                    match n.kind {
                        Kind::Sep(b'=' | b'<') => lx.ahead = None,
                        Kind::Email => {
                            lx.ahead = None;
                            r.for_ = Some(Cow::Borrowed(lx.text(&n)));
                            break;
                        }
                        _ => break,
                    }
                }
                clause = Clause::For;
            }
            // Every `;` starts the date, even one inside a comment (where it
            // does not make `:` a separator), as in mail-parser.
            Kind::Sep(b';') => clause = Clause::Date,
            Kind::Id if top => {
                if let Some(v) = lx.value(b"=<[:") {
                    r.id = Some(Cow::Borrowed(lx.text(&v)));
                }
                clause = Clause::Id;
            }
            Kind::With if top => {
                // The protocol is the first protocol name before the next
                // keyword, `;` or TLS version (`with Microsoft SMTP Server`).
                while let Some(n) = lx.peek() {
                    match n.kind {
                        Kind::Proto(p) => {
                            lx.ahead = None;
                            r.with = Some(p);
                            break;
                        }
                        Kind::Sep(b';')
                        | Kind::Tls(_)
                        | Kind::By
                        | Kind::For
                        | Kind::From
                        | Kind::Id
                        | Kind::Via
                        | Kind::With => break,
                        _ => lx.ahead = None,
                    }
                }
                clause = Clause::With;
            }
            Kind::Via if top => {
                if let Some(v) = lx.value(b"=") {
                    r.via = Some(Cow::Borrowed(lx.text(&v)));
                }
                clause = Clause::Via;
            }
            Kind::Ident if in_comment => {
                if let Some(v) = lx.value(b"=<[:") {
                    r.ident = Some(Cow::Borrowed(lx.text(&v)));
                }
            }
            Kind::Greet(g) if clause == Clause::From && in_comment => {
                r.helo_cmd = Some(g);
                if let Some(v) = lx.value(b"=[:") {
                    r.helo = Some(lx.host(v));
                }
            }
            Kind::Ip
                if clause == Clause::From
                    && (t.bracketed || (in_comment && r.from_ip.is_none())) =>
            {
                r.from_ip = lx.ip(&t).or(r.from_ip);
            }
            Kind::Domain if clause == Clause::From && in_comment => {
                r.from_iprev = Some(Cow::Borrowed(lx.text(&t)));
            }
            Kind::Email if clause == Clause::From => {
                let s = lx.text(&t);
                r.ident = Some(Cow::Borrowed(s.strip_suffix('@').unwrap_or(s)));
            }
            Kind::Int | Kind::Month(_) if clause == Clause::Date => {
                let n = match t.kind {
                    Kind::Month(m) => Some(i64::from(m)),
                    _ => int(&value[t.range()]),
                };
                if let (Some(slot), Some(n)) = (date.get_mut(date_n), n) {
                    *slot = n;
                    date_n += 1;
                }
            }
            // Fractional seconds (`07:53:55.516`, SendGrid, Go's
            // `time.String`): the whole seconds. mail-parser skips the word
            // and then takes the zone for the seconds (`+0000` → :00, zone
            // lost); tests/cli/received.rs lists this difference.
            Kind::Text if clause == Clause::Date && date_n == 5 => {
                if let Some(ss) = whole_seconds(lx.text(&t).as_bytes()) {
                    date[5] = ss;
                    date_n = 6;
                }
            }
            Kind::Cipher if in_comment || r.tls_cipher.is_none() => {
                r.tls_cipher = Some(Cow::Borrowed(lx.text(&t)));
            }
            Kind::Tls(v) if in_comment && r.tls_version.is_none() => {
                r.tls_version = Some(v);
            }
            _ => {}
        }
    }
    // Seconds read: a date (a number equal to the sentinel counts as
    // unread, as in mail-parser).
    if date[5] != i64::MAX {
        r.date = Some(make_date(&date));
    }
    if r == Received::default() {
        HeaderValue::Empty
    } else {
        HeaderValue::Received(Box::new(r))
    }
}

/// `55.516` → 55: digits, a dot, digits (a fraction of a second).
fn whole_seconds(w: &[u8]) -> Option<i64> {
    let p = w.iter().position(|&b| b == b'.')?;
    let (int_part, frac) = (&w[..p], &w[p + 1..]);
    let digits = |x: &[u8]| !x.is_empty() && x.iter().all(u8::is_ascii_digit);
    if int_part.len() <= 2 && digits(int_part) && digits(frac) {
        int(int_part)
    } else {
        None
    }
}

/// Day, month, year, hour, minute, second and zone (`+0200` read as the
/// integer 200) as read; out-of-range numbers are kept (truncated to the
/// field width), for the caller to judge. A two-digit year is 19xx.
fn make_date(d: &[i64; 7]) -> DateTime {
    let (zone, east) = match d[6] {
        i64::MAX => (0, false),
        z => (z.wrapping_abs(), z >= 0),
    };
    let year = if (1..=99).contains(&d[2]) {
        d[2] + 1900
    } else {
        d[2]
    };
    DateTime {
        year: year as u16,
        month: d[1] as u8,
        day: d[0] as u8,
        hour: d[3] as u8,
        minute: d[4] as u8,
        second: d[5] as u8,
        tz_hour: (zone / 100) as u8,
        tz_minute: (zone % 100) as u8,
        tz_before_gmt: !east,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(v: &str) -> Received<'_> {
        match parse(v.as_bytes()) {
            HeaderValue::Received(r) => *r,
            other => panic!("not a Received: {other:?}"),
        }
    }

    #[test]
    fn postfix_hop() {
        let r = rec(" from mail.example.com (mail.example.com [192.0.2.1])\n\tby mx.example.org (Postfix) with ESMTPS id 4ABC123\n\tfor <user@example.org>; Tue, 1 Jul 2003 10:52:37 +0200\n");
        assert_eq!(r.from, Some(Host::Name("mail.example.com".into())));
        assert_eq!(r.from_ip, Some("192.0.2.1".parse().unwrap()));
        assert_eq!(r.from_iprev.as_deref(), Some("mail.example.com"));
        assert_eq!(r.by, Some(Host::Name("mx.example.org".into())));
        assert_eq!(r.with, Some(Protocol::ESMTPS));
        assert_eq!(r.id.as_deref(), Some("4ABC123"));
        assert_eq!(r.for_.as_deref(), Some("user@example.org"));
        let d = r.date.unwrap();
        assert_eq!(
            (d.year, d.month, d.day, d.hour, d.minute, d.second),
            (2003, 7, 1, 10, 52, 37)
        );
        assert_eq!((d.tz_hour, d.tz_minute, d.tz_before_gmt), (2, 0, false));
        // Borrowed, not copied.
        assert!(matches!(r.id, Some(Cow::Borrowed(_))));
    }

    #[test]
    fn microsoft_tls_and_ipv6() {
        let r = rec(" from AM0PR01MB1234.eurprd01.prod.exchangelabs.com (2603:10a6:208:1::12) by AM0PR01MB5678.eurprd01.prod.exchangelabs.com with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.1234.5; Mon, 2 Mar 2020 10:00:00 +0000\r\n");
        assert_eq!(r.from_ip, Some("2603:10a6:208:1::12".parse().unwrap()));
        assert_eq!(r.with, Some(Protocol::SMTP));
        assert_eq!(r.tls_version, Some(TlsVersion::TLSv1_2));
        assert_eq!(
            r.tls_cipher.as_deref(),
            Some("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384")
        );
        assert_eq!(r.id.as_deref(), Some("15.20.1234.5"));
    }

    #[test]
    fn exim_utf8_protocols() {
        let r = rec(" from [203.0.113.9] (helo=h.example)\n\tby mx.example.org with utf8esmtpsa  (TLS1.3) tls TLS_AES_128_GCM_SHA256\n\tid 1r-0001; Thu, 01 Feb 2024 10:00:00 +0000\n");
        assert_eq!(r.with, Some(Protocol::UTF8SMTPSA));
        assert_eq!(r.tls_version, Some(TlsVersion::TLSv1_3));
        assert_eq!(r.tls_cipher.as_deref(), Some("TLS_AES_128_GCM_SHA256"));
        assert_eq!(r.helo, Some(Host::Name("h.example".into())));
        // A bracketed literal right after `from` is the host itself.
        assert_eq!(r.from, Some(Host::IpAddr("203.0.113.9".parse().unwrap())));
    }

    /// Our dotted-quad reader and the standard library's agree on every
    /// short string of digits and dots (exhaustive up to 7 bytes over a
    /// small alphabet, plus edge cases).
    #[test]
    fn ipv4_reads_like_std() {
        let alphabet = b"0129.5";
        let mut w = Vec::new();
        fn rec(w: &mut Vec<u8>, alphabet: &[u8], left: usize) {
            let ours = ipv4(w);
            let std = std::str::from_utf8(w)
                .ok()
                .and_then(|s| s.parse::<Ipv4Addr>().ok());
            assert_eq!(ours, std, "{:?}", String::from_utf8_lossy(w));
            if left == 0 {
                return;
            }
            for &c in alphabet {
                w.push(c);
                rec(w, alphabet, left - 1);
                w.pop();
            }
        }
        rec(&mut w, alphabet, 7);
        for s in [
            "255.255.255.255",
            "256.1.1.1",
            "1.2.3.4",
            "01.2.3.4",
            "0.0.0.0",
            "1.2.3",
            "1.2.3.4.5",
            "1..2.3",
            "192.168.001.1",
            "999.1.1.1",
            "1.2.3.4.",
            ".1.2.3.4",
            "1000.1.1.1",
            "10.20.30.40",
        ] {
            assert_eq!(ipv4(s.as_bytes()), s.parse().ok(), "{s}");
        }
    }

    #[test]
    fn fractional_seconds() {
        let r = rec(" from a (a [192.0.2.1]) by b (SG) with ESMTP id X; Thu, 02 Apr 2020 07:53:55.516 -0100 (UTC)");
        let d = r.date.unwrap();
        assert_eq!(
            (d.year, d.month, d.day, d.hour, d.minute, d.second),
            (2020, 4, 2, 7, 53, 55)
        );
        assert_eq!((d.tz_hour, d.tz_minute, d.tz_before_gmt), (1, 0, true));
    }

    #[test]
    fn nothing_is_empty() {
        assert_eq!(parse(b" \r\n"), HeaderValue::Empty);
        assert_eq!(parse(b""), HeaderValue::Empty);
        assert_eq!(parse(b"(((((\n"), HeaderValue::Empty);
    }
}
