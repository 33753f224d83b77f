//! DKIM canonicalization (RFC 6376 §3.4) and the body hash (§3.7).
//!
//! Both run in one pass over the bytes: lines are split at LF (a CR before
//! it is part of the line ending, so messages stored with bare LF line
//! endings hash as their CRLF form on the wire), and trailing empty lines
//! are counted, never buffered, so any input costs linear time and memory
//! bounded by the longest line.

use sha1::Sha1;
use sha2::{Digest, Sha256};

/// A canonicalization algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Canon {
    /// `simple`: the bytes as they are.
    Simple,
    /// `relaxed`: white space runs reduced, header names lower-cased.
    Relaxed,
}

impl Canon {
    /// `simple` or `relaxed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Canon::Simple => "simple",
            Canon::Relaxed => "relaxed",
        }
    }

    fn parse(s: &str) -> Option<Canon> {
        match s.trim().to_ascii_lowercase().as_str() {
            "simple" => Some(Canon::Simple),
            "relaxed" => Some(Canon::Relaxed),
            _ => None,
        }
    }
}

/// Parses a `c=` value (`header/body`, a lone header algorithm means a
/// `simple` body; absent means `simple/simple`).
pub fn parse_c(v: Option<&str>) -> Option<(Canon, Canon)> {
    let Some(v) = v else {
        return Some((Canon::Simple, Canon::Simple));
    };
    match v.split_once('/') {
        Some((h, b)) => Some((Canon::parse(h)?, Canon::parse(b)?)),
        None => Some((Canon::parse(v)?, Canon::Simple)),
    }
}

/// A hash algorithm of a signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HashAlg {
    /// SHA-1 (weak, RFC 8301).
    Sha1,
    /// SHA-256.
    Sha256,
}

/// A running hash of either algorithm.
#[derive(Clone)]
pub enum Hasher {
    /// SHA-1.
    Sha1(Sha1),
    /// SHA-256.
    Sha256(Sha256),
}

impl Hasher {
    /// A fresh hasher.
    pub fn new(a: HashAlg) -> Hasher {
        match a {
            HashAlg::Sha1 => Hasher::Sha1(Sha1::new()),
            HashAlg::Sha256 => Hasher::Sha256(Sha256::new()),
        }
    }

    /// Adds bytes.
    pub fn update(&mut self, b: &[u8]) {
        match self {
            Hasher::Sha1(h) => h.update(b),
            Hasher::Sha256(h) => h.update(b),
        }
    }

    /// The digest.
    pub fn finish(self) -> Vec<u8> {
        match self {
            Hasher::Sha1(h) => h.finalize().to_vec(),
            Hasher::Sha256(h) => h.finalize().to_vec(),
        }
    }
}

fn is_wsp(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Appends the canonical form of one header field. `raw` is the whole
/// field as written (name, colon, value, folding and the final line
/// ending, if any). The result ends with CRLF.
pub fn header(c: Canon, raw: &[u8], out: &mut Vec<u8>) {
    match c {
        Canon::Simple => {
            // Bare LF line endings as CRLF; a missing final one added.
            let mut prev = 0u8;
            for &b in raw {
                if b == b'\n' && prev != b'\r' {
                    out.push(b'\r');
                }
                out.push(b);
                prev = b;
            }
            if !out.ends_with(b"\r\n") {
                out.extend_from_slice(b"\r\n");
            }
        }
        Canon::Relaxed => {
            let colon = raw.iter().position(|&b| b == b':').unwrap_or(raw.len());
            let name = &raw[..colon];
            let end = name.iter().rposition(|b| !is_wsp(*b)).map_or(0, |p| p + 1);
            out.extend(name[..end].iter().map(u8::to_ascii_lowercase));
            out.push(b':');
            let value = raw.get(colon + 1..).unwrap_or(&[]);
            // Unfold (drop CR and LF), reduce white space runs to one
            // space, and drop white space at both ends.
            let mut space = false;
            let mut started = false;
            for &b in value {
                if b == b'\r' || b == b'\n' {
                    continue;
                }
                if is_wsp(b) {
                    space = started;
                    continue;
                }
                if space {
                    out.push(b' ');
                    space = false;
                }
                started = true;
                out.push(b);
            }
            out.extend_from_slice(b"\r\n");
        }
    }
}

/// What the body hash saw.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BodyHash {
    /// The digest of the canonical body (its first `l=` bytes).
    pub digest: Vec<u8>,
    /// The length of the whole canonical body.
    pub canonical_len: u64,
}

/// Feeds canonical bytes to the hash, up to the limit, and counts them all.
/// The bytes are gathered in a buffer and hashed in large blocks: a body is
/// mostly short lines, and one hash update per line (and per line ending)
/// cost more than the hashing itself.
struct Sink {
    hash: Hasher,
    limit: u64,
    total: u64,
    buf: Vec<u8>,
}

/// Bytes gathered before they are hashed.
const SINK_BLOCK: usize = 64 * 1024;

impl Sink {
    fn put(&mut self, b: &[u8]) {
        let room = self.limit.saturating_sub(self.total);
        let take = (b.len() as u64).min(room) as usize;
        if take > 0 {
            self.buf.extend_from_slice(&b[..take]);
            if self.buf.len() >= SINK_BLOCK {
                self.hash.update(&self.buf);
                self.buf.clear();
            }
        }
        self.total = self.total.saturating_add(b.len() as u64);
    }

    /// `line` and CRLF: [`Sink::put`] twice, in one step while the limit
    /// is not reached (every line of a body without `l=`).
    fn put_line(&mut self, line: &[u8]) {
        let n = line.len() as u64 + 2;
        if self.total.saturating_add(n) > self.limit {
            self.put(line);
            self.put(b"\r\n");
            return;
        }
        self.buf.extend_from_slice(line);
        self.buf.extend_from_slice(b"\r\n");
        self.total += n;
        if self.buf.len() >= SINK_BLOCK {
            self.hash.update(&self.buf);
            self.buf.clear();
        }
    }

    fn finish(mut self) -> Vec<u8> {
        self.hash.update(&self.buf);
        self.hash.finish()
    }
}

/// Whether relaxed body canonicalization changes this line (RFC 6376
/// §3.4.4): a tab, two white space characters in a row, or white space at
/// the end. Most lines have none and are hashed as they are. The loop
/// does not stop early, so that it compiles to vector instructions.
fn relax_changes(line: &[u8]) -> bool {
    let tabs = line.iter().fold(false, |a, &b| a | (b == b'\t'));
    let pairs = line
        .windows(2)
        .fold(false, |a, w| a | ((w[0] == b' ') & (w[1] == b' ')));
    tabs || pairs || line.last() == Some(&b' ')
}

/// The body hash of `body` with canonicalization `c` and algorithm `a`,
/// covering the first `limit` canonical bytes (`l=`; None: all).
pub fn body_hash(c: Canon, a: HashAlg, body: &[u8], limit: Option<u64>) -> BodyHash {
    let mut sink = Sink {
        hash: Hasher::new(a),
        limit: limit.unwrap_or(u64::MAX),
        total: 0,
        buf: Vec::with_capacity(SINK_BLOCK + 1024),
    };
    let mut blank: u64 = 0;
    let mut line_buf: Vec<u8> = Vec::new();
    // One iterator over the line feeds (its vector search is set up once,
    // not once per line), then the last line when it has none.
    let mut ends = memchr::memchr_iter(b'\n', body);
    let mut start = 0;
    while start < body.len() {
        let end = ends.next().unwrap_or(body.len());
        let line = &body[start..end];
        start = end + 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let line: &[u8] = match c {
            Canon::Simple => line,
            Canon::Relaxed if !relax_changes(line) => line,
            Canon::Relaxed => {
                line_buf.clear();
                let mut space = false;
                for &b in line {
                    if is_wsp(b) {
                        space = true;
                        continue;
                    }
                    if space {
                        line_buf.push(b' ');
                        space = false;
                    }
                    line_buf.push(b);
                }
                &line_buf
            }
        };
        if line.is_empty() {
            blank += 1;
            continue;
        }
        // Empty lines are emitted only once a non-empty line follows them
        // (trailing ones are ignored); the count is linear in the input.
        for _ in 0..blank {
            sink.put(b"\r\n");
        }
        blank = 0;
        sink.put_line(line);
    }
    if sink.total == 0 && c == Canon::Simple {
        sink.put(b"\r\n");
    }
    BodyHash {
        canonical_len: sink.total,
        digest: sink.finish(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon_body(c: Canon, b: &[u8]) -> u64 {
        body_hash(c, HashAlg::Sha256, b, None).canonical_len
    }

    // RFC 6376 §3.4.5 examples.
    #[test]
    fn rfc6376_3_4_5() {
        let raw_headers: [&[u8]; 2] = [b"A: X\r\n", b"B : Y\t\r\n\tZ  \r\n"];
        let mut r = Vec::new();
        for h in raw_headers {
            header(Canon::Relaxed, h, &mut r);
        }
        assert_eq!(r, b"a:X\r\nb:Y Z\r\n");
        let mut s = Vec::new();
        for h in raw_headers {
            header(Canon::Simple, h, &mut s);
        }
        assert_eq!(s, b"A: X\r\nB : Y\t\r\n\tZ  \r\n");
        let body = b" C \r\nD \t E\r\n\r\n\r\n";
        // Relaxed: " C\r\nD E\r\n"; simple: " C \r\nD \t E\r\n".
        assert_eq!(canon_body(Canon::Relaxed, body), 9);
        assert_eq!(canon_body(Canon::Simple, body), 12);
        let want = body_hash(Canon::Relaxed, HashAlg::Sha256, b" C\r\nD E\r\n", None);
        assert_eq!(
            body_hash(Canon::Relaxed, HashAlg::Sha256, body, None).digest,
            want.digest
        );
    }

    // §3.4.3/§3.4.4 and errata 3136: an empty body is CRLF for simple,
    // nothing for relaxed; a missing final CRLF is added.
    #[test]
    fn empty_and_unterminated() {
        assert_eq!(canon_body(Canon::Simple, b""), 2);
        assert_eq!(canon_body(Canon::Relaxed, b""), 0);
        assert_eq!(canon_body(Canon::Relaxed, b"\r\n \r\n"), 0);
        assert_eq!(canon_body(Canon::Simple, b"x"), 3);
        assert_eq!(canon_body(Canon::Simple, b"x\n\n"), 3);
    }

    #[test]
    fn relaxed_fast_path_agrees_with_the_rule() {
        // Lines the fast path hashes as they are, and lines it must change.
        for line in [
            &b"plain text line"[..],
            b"a  b",
            b"a\tb",
            b"trailing ",
            b" leading",
            b"\t",
            b"x \t y",
            b"",
        ] {
            let mut want = Vec::new();
            let mut space = false;
            for &b in line {
                if b == b' ' || b == b'\t' {
                    space = true;
                } else {
                    if space {
                        want.push(b' ');
                    }
                    space = false;
                    want.push(b);
                }
            }
            assert_eq!(relax_changes(line), want != line, "{line:?}");
        }
        // A body larger than the gathering buffer hashes as its parts do.
        let body: Vec<u8> = b"a  line\r\n".repeat(20_000);
        let one = body_hash(Canon::Relaxed, HashAlg::Sha256, &body, None);
        let want = body_hash(
            Canon::Simple,
            HashAlg::Sha256,
            &b"a line\r\n".repeat(20_000),
            None,
        );
        assert_eq!(one, want);
    }

    /// RFC 6376 §3.4.4 written out plainly: every line (LF or CRLF ended)
    /// with white space runs made one space and trailing white space
    /// dropped, empty lines at the end dropped, each line ended by CRLF.
    fn relaxed_by_the_rule(body: &[u8]) -> Vec<u8> {
        let mut lines: Vec<Vec<u8>> = Vec::new();
        let mut rest = body;
        while !rest.is_empty() {
            let (line, next) = match rest.iter().position(|&b| b == b'\n') {
                Some(p) => (&rest[..p], &rest[p + 1..]),
                None => (rest, &rest[rest.len()..]),
            };
            rest = next;
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let mut out = Vec::new();
            for &b in line {
                if is_wsp(b) {
                    if out.last() != Some(&b' ') {
                        out.push(b' ');
                    }
                } else {
                    out.push(b);
                }
            }
            while out.last() == Some(&b' ') {
                out.pop();
            }
            lines.push(out);
        }
        while lines.last().is_some_and(|l| l.is_empty()) {
            lines.pop();
        }
        lines
            .iter()
            .flat_map(|l| [&l[..], b"\r\n"].concat())
            .collect()
    }

    proptest::proptest! {
        // Bodies of a few letters, spaces, tabs and line ends: the search
        // for lines relaxed canonicalization changes never skips one.
        #[test]
        fn relaxed_body_hash_follows_the_rule(
            body in proptest::collection::vec(
                proptest::sample::select(vec![b'a', b'b', b' ', b' ', b'\t', b'\r', b'\n', b'\n']),
                0..300,
            )
        ) {
            use sha2::Digest;
            let want = relaxed_by_the_rule(&body);
            let got = body_hash(Canon::Relaxed, HashAlg::Sha256, &body, None);
            proptest::prop_assert_eq!(got.canonical_len, want.len() as u64);
            proptest::prop_assert_eq!(got.digest, sha2::Sha256::digest(&want).to_vec());
        }
    }

    #[test]
    fn length_limit() {
        let full = body_hash(Canon::Simple, HashAlg::Sha256, b"ab\r\n", None);
        let cut = body_hash(Canon::Simple, HashAlg::Sha256, b"ab\r\ncd\r\n", Some(4));
        assert_eq!(full.digest, cut.digest);
        assert_eq!(cut.canonical_len, 8);
    }

    #[test]
    fn c_values() {
        assert_eq!(parse_c(None), Some((Canon::Simple, Canon::Simple)));
        assert_eq!(
            parse_c(Some("relaxed")),
            Some((Canon::Relaxed, Canon::Simple))
        );
        assert_eq!(
            parse_c(Some("Relaxed/relaxed")),
            Some((Canon::Relaxed, Canon::Relaxed))
        );
        assert_eq!(parse_c(Some("x/y")), None);
    }
}
