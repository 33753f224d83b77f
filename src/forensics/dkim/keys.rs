//! DKIM public keys: TXT records read from a zone file (`--dkim-keys`) and
//! the key record format (RFC 6376 §3.6.1, RFC 8463).

use super::tags;
use base64::Engine;
use std::collections::HashMap;

/// Most bytes of one TXT record kept (real DKIM records are under 1 KB; a
/// 4096-bit RSA key is about 750 base64 characters).
pub const MAX_RECORD: usize = 16 * 1024;

/// TXT records by owner name (`selector._domainkey.example.com`,
/// lower-case, without the final dot); a name with several records keeps
/// them all, in file order.
#[derive(Debug, Clone, Default)]
pub struct KeyStore {
    records: HashMap<String, Vec<String>>,
    dns: Option<std::sync::Arc<Resolver>>,
}

/// Most DNS queries per run (`--dns`); later misses are `no_key`.
pub const MAX_DNS_QUERIES: usize = 10_000;

/// DNS look-ups for names not in the file, cached (answers and failures,
/// with the failure's reason).
#[derive(Debug)]
struct Resolver {
    server: std::net::SocketAddr,
    timeout: std::time::Duration,
    cache: std::sync::Mutex<HashMap<String, Result<Vec<String>, String>>>,
}

#[derive(Debug, PartialEq)]
enum Tok {
    Word(String),
    Quoted(String),
    Eol,
}

/// Splits zone-file text into words, quoted strings (escapes `\"`, `\\`,
/// `\DDD` resolved) and ends of logical lines (newlines inside parentheses
/// do not end a line; `;` starts a comment outside quotes). Linear.
fn lex(text: &str) -> Vec<(Tok, bool)> {
    // The bool: the token starts a line with white space before it (the
    // owner of the previous record continues).
    let mut out = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    let mut depth = 0usize;
    let mut at_line_start = true;
    let mut indented = false;
    while i < b.len() {
        let c = b[i];
        match c {
            b'\n' => {
                if depth == 0 && !at_line_start {
                    out.push((Tok::Eol, false));
                }
                if depth == 0 {
                    at_line_start = true;
                    indented = false;
                }
                i += 1;
            }
            b' ' | b'\t' | b'\r' => {
                if at_line_start {
                    indented = true;
                }
                i += 1;
            }
            b';' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'(' => {
                depth += 1;
                i += 1;
            }
            b')' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b'"' => {
                i += 1;
                let mut s: Vec<u8> = Vec::new();
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' && i + 1 < b.len() {
                        let d = &b[i + 1..(i + 4).min(b.len())];
                        if d.len() == 3 && d.iter().all(u8::is_ascii_digit) {
                            let n = d.iter().fold(0u32, |a, x| a * 10 + u32::from(x - b'0'));
                            s.push(n.min(255) as u8);
                            i += 4;
                        } else {
                            s.push(b[i + 1]);
                            i += 2;
                        }
                        continue;
                    }
                    s.push(b[i]);
                    i += 1;
                }
                i += 1;
                let first = at_line_start;
                at_line_start = false;
                out.push((
                    Tok::Quoted(String::from_utf8_lossy(&s).into_owned()),
                    first && indented,
                ));
            }
            _ => {
                let start = i;
                while i < b.len() && !b" \t\r\n;()\"".contains(&b[i]) {
                    i += 1;
                }
                let first = at_line_start;
                at_line_start = false;
                out.push((Tok::Word(text[start..i].to_string()), first && indented));
            }
        }
    }
    out.push((Tok::Eol, false));
    out
}

fn norm(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

impl KeyStore {
    /// Reads TXT records from zone-file text: `name [ttl] [class] TXT
    /// "string" …` (several strings are joined, parentheses continue a
    /// record over lines, `$ORIGIN` completes relative names, an indented
    /// line keeps the previous owner). Other record types and unreadable
    /// lines are skipped; their line numbers are returned as warnings.
    pub fn parse_zone(text: &str) -> (KeyStore, Vec<String>) {
        let mut store = KeyStore::default();
        let mut warnings = Vec::new();
        let mut origin: Option<String> = None;
        let mut owner: Option<String> = None;
        let mut line: Vec<(Tok, bool)> = Vec::new();
        let mut n = 0usize;
        for (tok, indented) in lex(text) {
            if tok != Tok::Eol {
                line.push((tok, indented));
                continue;
            }
            n += 1;
            let toks = std::mem::take(&mut line);
            if toks.is_empty() {
                continue;
            }
            let words: Vec<&str> = toks
                .iter()
                .map(|(t, _)| match t {
                    Tok::Word(w) => w.as_str(),
                    _ => "",
                })
                .collect();
            if words[0].eq_ignore_ascii_case("$ORIGIN") {
                origin = words.get(1).map(|o| norm(o));
                continue;
            }
            if words[0].starts_with('$') {
                continue;
            }
            let mut i = 0;
            if !toks[0].1 {
                let name = words[0];
                let full = if name == "@" {
                    origin.clone().unwrap_or_default()
                } else if name.ends_with('.') || origin.is_none() {
                    norm(name)
                } else {
                    format!("{}.{}", norm(name), origin.clone().unwrap_or_default())
                };
                owner = Some(full);
                i = 1;
            }
            // Optional TTL and class, in either order.
            while i < words.len()
                && (words[i].bytes().all(|b| b.is_ascii_digit()) && !words[i].is_empty()
                    || ["in", "ch", "hs"].contains(&words[i].to_ascii_lowercase().as_str()))
            {
                i += 1;
            }
            if !words.get(i).is_some_and(|w| w.eq_ignore_ascii_case("TXT")) {
                if words.get(i).is_none_or(|w| w.is_empty()) {
                    warnings.push(format!("line {n}: not a TXT record"));
                }
                continue;
            }
            let Some(name) = owner.clone() else {
                warnings.push(format!("line {n}: no owner name"));
                continue;
            };
            let mut txt = String::new();
            for (t, _) in &toks[i + 1..] {
                match t {
                    Tok::Quoted(s) | Tok::Word(s) => txt.push_str(s),
                    Tok::Eol => {}
                }
                if txt.len() > MAX_RECORD {
                    break;
                }
            }
            txt.truncate(MAX_RECORD);
            store.records.entry(name).or_default().push(txt);
        }
        (store, warnings)
    }

    /// Adds one record (a DNS answer, a test).
    pub fn insert(&mut self, name: &str, txt: &str) {
        self.records
            .entry(norm(name))
            .or_default()
            .push(txt.to_string());
    }

    /// Looks names missing from the file up in DNS, at `server` (only with
    /// an explicit `--dns`).
    pub fn with_dns(mut self, server: std::net::SocketAddr, timeout: std::time::Duration) -> Self {
        self.dns = Some(std::sync::Arc::new(Resolver {
            server,
            timeout,
            cache: std::sync::Mutex::new(HashMap::new()),
        }));
        self
    }

    /// The TXT records of `selector._domainkey.domain`: from the file, else
    /// (with DNS) from the resolver; a failed look-up gives none.
    pub fn lookup(&self, selector: &str, domain: &str) -> Vec<String> {
        self.resolve(selector, domain).unwrap_or_default()
    }

    /// As [`KeyStore::lookup`], with why a DNS look-up failed (timeout,
    /// connection closed, malformed answer, …), for the `no_key` reason.
    pub fn resolve(&self, selector: &str, domain: &str) -> Result<Vec<String>, String> {
        let name = format!("{}._domainkey.{}", norm(selector), norm(domain));
        if let Some(v) = self.records.get(&name) {
            return Ok(v.clone());
        }
        let Some(r) = &self.dns else {
            return Ok(Vec::new());
        };
        if let Ok(c) = r.cache.lock() {
            if let Some(v) = c.get(&name) {
                return v.clone();
            }
            if c.len() >= MAX_DNS_QUERIES {
                return Err(format!("more than {MAX_DNS_QUERIES} DNS names asked"));
            }
        }
        let got = super::dns::txt(r.server, &name, r.timeout);
        if let Ok(mut c) = r.cache.lock() {
            c.insert(name, got.clone());
        }
        got
    }

    /// Whether DNS look-ups are on.
    pub fn uses_dns(&self) -> bool {
        self.dns.is_some()
    }

    /// Number of owner names.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// No records.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
}

/// A public key from a key record.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum PublicKey {
    /// `k=rsa`, with its size in bits.
    Rsa(Box<rsa::RsaPublicKey>, usize),
    /// `k=ed25519` (RFC 8463).
    Ed25519(ed25519_dalek::VerifyingKey),
}

/// A parsed key record.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct KeyRecord {
    /// The key.
    pub key: PublicKey,
    /// `h=`: acceptable hash algorithms (empty: any).
    pub hashes: Vec<String>,
    /// `t=y`: the domain is testing DKIM.
    pub testing: bool,
    /// `t=s`: `i=` must be in `d=` itself, not a sub-domain.
    pub strict: bool,
}

/// Why a record gives no usable key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyError {
    /// `p=` empty: the key was revoked.
    Revoked,
    /// Anything else, with the reason.
    Invalid(String),
}

/// Parses a key record (`v=DKIM1; k=rsa; p=…`).
pub fn parse_record(txt: &str) -> Result<KeyRecord, KeyError> {
    let t = tags::parse(txt).map_err(KeyError::Invalid)?;
    if let Some(v) = t.get("v") {
        if v != "DKIM1" {
            return Err(KeyError::Invalid(format!(
                "v={} is not DKIM1",
                tags::cut(v)
            )));
        }
    }
    let p = t
        .compact("p")
        .ok_or_else(|| KeyError::Invalid("no p= tag".into()))?;
    if p.is_empty() {
        return Err(KeyError::Revoked);
    }
    let der = base64::engine::general_purpose::STANDARD
        .decode(p.as_bytes())
        .map_err(|e| KeyError::Invalid(format!("p= is not base64: {e}")))?;
    let k = t.get("k").unwrap_or("rsa").to_ascii_lowercase();
    let key = match k.as_str() {
        "rsa" => {
            use rsa::pkcs1::DecodeRsaPublicKey;
            use rsa::pkcs8::DecodePublicKey;
            use rsa::traits::PublicKeyParts;
            // SubjectPublicKeyInfo as RFC 6376 says; some publish the bare
            // PKCS#1 RSAPublicKey, which verifiers accept too.
            let key = rsa::RsaPublicKey::from_public_key_der(&der)
                .or_else(|_| rsa::RsaPublicKey::from_pkcs1_der(&der))
                .map_err(|e| KeyError::Invalid(format!("RSA key unreadable: {e}")))?;
            let bits = key.n().bits();
            PublicKey::Rsa(Box::new(key), bits)
        }
        "ed25519" => {
            let bytes: [u8; 32] = der.as_slice().try_into().map_err(|_| {
                KeyError::Invalid(format!("ed25519 key of {} bytes, not 32", der.len()))
            })?;
            PublicKey::Ed25519(
                ed25519_dalek::VerifyingKey::from_bytes(&bytes)
                    .map_err(|e| KeyError::Invalid(format!("ed25519 key unreadable: {e}")))?,
            )
        }
        other => {
            return Err(KeyError::Invalid(format!(
                "unknown key type k={}",
                tags::cut(other)
            )))
        }
    };
    let flags: Vec<String> = t
        .get("t")
        .map(|v| {
            v.split(':')
                .map(|f| f.trim().to_ascii_lowercase())
                .collect()
        })
        .unwrap_or_default();
    Ok(KeyRecord {
        key,
        hashes: t
            .get("h")
            .map(|v| {
                v.split(':')
                    .map(|f| f.trim().to_ascii_lowercase())
                    .collect()
            })
            .unwrap_or_default(),
        testing: flags.iter().any(|f| f == "y"),
        strict: flags.iter().any(|f| f == "s"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zone() {
        let z = "$ORIGIN example.com.\n\
                 sel._domainkey IN TXT \"v=DKIM1; k=rsa; \" \"p=AB\" ; comment; x\n\
                 other._domainkey.example.org. 300 IN TXT ( \"v=DKIM1;\"\n   \"p=CD\" )\n\
                 \t TXT \"second\"\n\
                 www IN A 192.0.2.1\n";
        let (s, w) = KeyStore::parse_zone(z);
        assert_eq!(s.lookup("sel", "Example.COM."), ["v=DKIM1; k=rsa; p=AB"]);
        assert_eq!(s.lookup("other", "example.org"), ["v=DKIM1;p=CD", "second"]);
        assert!(w.is_empty(), "{w:?}");
    }

    #[test]
    fn records() {
        assert_eq!(parse_record("v=DKIM1; p=").err(), Some(KeyError::Revoked));
        assert!(matches!(
            parse_record("v=DKIM2; p=AA"),
            Err(KeyError::Invalid(_))
        ));
        let r = parse_record(
            "v=DKIM1; k=ed25519; t=y:s; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
        )
        .unwrap();
        assert!(r.testing && r.strict);
        assert!(matches!(r.key, PublicKey::Ed25519(_)));
    }
}
