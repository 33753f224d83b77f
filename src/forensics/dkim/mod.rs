//! DKIM signatures verified offline (RFC 6376, RFC 8301, RFC 8463).
//!
//! For each DKIM-Signature field: the body hash is recomputed with its
//! `c=` and `l=` and compared with `bh=` (no key needed); the fields named
//! by `h=` are selected bottom-up as §5.4.2 says (a name listed more often
//! than it occurs, "over-signing", selects nothing); and when a key is
//! known (a [`KeyStore`], read from `--dkim-keys`), the signature itself is
//! verified: rsa-sha256, rsa-sha1 (reported as weak, RFC 8301) and
//! ed25519-sha256 (RFC 8463). Nothing is looked up on the network.
//!
//! Work is bounded: at most [`MAX_SIGNATURES`] signatures are checked per
//! message (the rest are counted in a `trace_limit` finding), body hashes
//! are shared between signatures with the same algorithm, canonicalization
//! and `l=`, and the field index is built once per message, so the cost is
//! linear in the message size.
//!
//! ```
//! use emlkit::forensics::dkim::canon::{body_hash, Canon, HashAlg};
//! let h = body_hash(Canon::Relaxed, HashAlg::Sha256, b"Hi  there \r\n\r\n", None);
//! assert_eq!(h.canonical_len, "Hi there\r\n".len() as u64);
//! ```

pub mod canon;
pub mod dns;
pub mod keys;
pub mod tags;

use crate::model::{Finding, Message};
use base64::Engine;
use canon::{BodyHash, Canon, HashAlg, Hasher};
pub use keys::KeyStore;
use std::collections::HashMap;

/// Most signatures (DKIM-Signature fields) checked per message.
pub const MAX_SIGNATURES: usize = 32;

/// Most `h=` entries read from one signature (real ones list 5 to 30
/// names, over-signing doubles that); the rest make the signature invalid.
pub const MAX_SIGNED_NAMES: usize = 1000;

/// Header fields a signer should sign; present and not in `h=`, they are
/// `dkim_unsigned_field` observations.
pub const IMPORTANT: [&str; 8] = [
    "from",
    "to",
    "cc",
    "subject",
    "date",
    "reply-to",
    "sender",
    "message-id",
];

/// Names checked for unsigned extra copies besides [`IMPORTANT`].
pub const COPY_CHECKED: [&str; 3] = ["content-type", "content-transfer-encoding", "mime-version"];

/// Most unsigned copies listed per name and signature.
pub const MAX_UNSIGNED_COPIES: usize = 10;

/// One header field as the verifier sees it.
#[derive(Debug, Clone)]
pub struct HeaderField<'a> {
    /// The name, lower-case.
    pub name: String,
    /// The whole field as written (name, colon, value, folding, line end).
    pub raw: &'a [u8],
    /// Byte offset of the field in the input.
    pub offset: u64,
}

/// The top-level header fields of a parsed message, with their raw bytes,
/// and its body (None when the message was read without it).
pub fn message_fields<'a>(m: &Message<'a>) -> (Vec<HeaderField<'a>>, Option<&'a [u8]>) {
    let raw = m.raw;
    let base = raw.as_ptr() as usize;
    let mut out = Vec::with_capacity(m.headers().len());
    for h in m.headers() {
        let start = h.offset.saturating_sub(m.base) as usize;
        let end =
            (h.value_with_eol.as_ptr() as usize).saturating_sub(base) + h.value_with_eol.len();
        if let Some(bytes) = raw.get(start..end) {
            out.push(HeaderField {
                name: String::from_utf8_lossy(h.raw_name).to_ascii_lowercase(),
                raw: bytes,
                offset: h.offset,
            });
        }
    }
    let body = m
        .parts
        .first()
        .and_then(|p| p.offsets)
        .and_then(|o| raw.get(o.body.saturating_sub(m.base) as usize..));
    (out, body)
}

/// Field positions by lower-case name, top to bottom, built once per
/// message.
pub struct FieldIndex<'h> {
    by_name: HashMap<&'h str, Vec<usize>>,
}

impl<'h> FieldIndex<'h> {
    /// Indexes the fields.
    pub fn new(fields: &'h [HeaderField<'_>]) -> FieldIndex<'h> {
        let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, f) in fields.iter().enumerate() {
            by_name.entry(f.name.as_str()).or_default().push(i);
        }
        FieldIndex { by_name }
    }

    /// How many fields have this name.
    pub fn count(&self, name: &str) -> usize {
        self.by_name.get(name).map_or(0, Vec::len)
    }

    /// Selects the fields for an `h=` list (RFC 6376 §5.4.2): for each
    /// name, the last not yet used instance, bottom-up; None for a name
    /// with no instance left (over-signed). Linear in `names`.
    pub fn select(&self, names: &[String]) -> Vec<Option<usize>> {
        let mut used: HashMap<&str, usize> = HashMap::new();
        names
            .iter()
            .map(|n| {
                let list = self.by_name.get(n.as_str())?;
                let u = used.entry(n.as_str()).or_insert(0);
                let pick = list.len().checked_sub(*u + 1).map(|i| list[i]);
                *u += 1;
                pick
            })
            .collect()
    }
}

/// The body-hash comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BodyResult {
    /// The recomputed hash equals `bh=`.
    Match,
    /// It does not: the body was changed after signing.
    Mismatch,
    /// Not computed (invalid signature, no body, limit).
    NotChecked,
}

impl BodyResult {
    /// `match`, `mismatch`, `not_checked`.
    pub fn as_str(self) -> &'static str {
        match self {
            BodyResult::Match => "match",
            BodyResult::Mismatch => "mismatch",
            BodyResult::NotChecked => "not_checked",
        }
    }
}

/// The signature verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SigResult {
    /// Verified with the key, and the body hash matches.
    Pass,
    /// The signature does not verify, or the body hash does not match, or
    /// the key forbids it (revoked, wrong hash, too short).
    Fail,
    /// Verified, but with a weak algorithm (rsa-sha1).
    Weak,
    /// No key for `s=`/`d=` was given.
    NoKey,
    /// The signature field is unusable (missing or invalid tags, unknown
    /// algorithm): RFC 6376 PERMERROR.
    Error,
    /// Not checked (past [`MAX_SIGNATURES`]).
    NotChecked,
}

impl SigResult {
    /// `pass`, `fail`, `weak`, `no_key`, `error`, `not_checked`.
    pub fn as_str(self) -> &'static str {
        match self {
            SigResult::Pass => "pass",
            SigResult::Fail => "fail",
            SigResult::Weak => "weak",
            SigResult::NoKey => "no_key",
            SigResult::Error => "error",
            SigResult::NotChecked => "not_checked",
        }
    }
}

/// A signed field name and the field `h=` selected for it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Signed {
    /// The name as listed in `h=`, lower-case.
    pub name: String,
    /// The offset of the selected field; None when over-signed (no
    /// instance left: the name signs its absence).
    pub offset: Option<u64>,
}

/// A header field that is not covered by a signature.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Unsigned {
    /// The name, lower-case.
    pub name: String,
    /// The field's offset.
    pub offset: u64,
}

/// The verdict on one DKIM-Signature (or ARC-Message-Signature) field.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Verdict {
    /// The field name as written.
    pub field: String,
    /// Offset of the signature field.
    pub offset: u64,
    /// `d=`.
    pub d: Option<String>,
    /// `s=`.
    pub s: Option<String>,
    /// `a=`.
    pub a: Option<String>,
    /// `c=` as `header/body`, defaults applied (`simple/simple`).
    pub c: Option<String>,
    /// `i=`.
    pub i: Option<String>,
    /// `l=`.
    pub l: Option<u64>,
    /// The body-hash comparison.
    pub body_hash: BodyResult,
    /// Length of the whole canonical body, when hashed.
    pub body_length: Option<u64>,
    /// Canonical bytes after the first `l=` (content appended beyond the
    /// signed length), when `l=` is shorter than the body.
    pub unsigned_tail: Option<u64>,
    /// The signature verdict.
    pub result: SigResult,
    /// Why, when not `pass`.
    pub reason: Option<String>,
    /// RSA key size in bits, when a key was used.
    pub key_bits: Option<usize>,
    /// The key record says `t=y` (testing).
    pub testing: bool,
    /// The fields `h=` selects, in `h=` order.
    pub signed: Vec<Signed>,
    /// Instances of signed names that the signature does not cover: a
    /// name occurring more often than listed (the extra copies are above
    /// the signed ones: added after signing).
    pub unsigned_copies: Vec<Unsigned>,
    /// Fields of [`IMPORTANT`] names present but not listed in `h=`.
    pub unsigned_fields: Vec<Unsigned>,
}

impl Verdict {
    fn new(f: &HeaderField<'_>) -> Verdict {
        let colon = f.raw.iter().position(|&b| b == b':').unwrap_or(0);
        Verdict {
            field: String::from_utf8_lossy(&f.raw[..colon]).trim().to_string(),
            offset: f.offset,
            d: None,
            s: None,
            a: None,
            c: None,
            i: None,
            l: None,
            body_hash: BodyResult::NotChecked,
            body_length: None,
            unsigned_tail: None,
            result: SigResult::Error,
            reason: None,
            key_bits: None,
            testing: false,
            signed: Vec::new(),
            unsigned_copies: Vec::new(),
            unsigned_fields: Vec::new(),
        }
    }
}

/// The value of a raw field (after the colon), lossily as text.
pub fn field_value(raw: &[u8]) -> String {
    let colon = raw
        .iter()
        .position(|&b| b == b':')
        .map_or(raw.len(), |p| p + 1);
    String::from_utf8_lossy(&raw[colon..]).into_owned()
}

/// Most distinct body hashes (canonicalization, algorithm, `l=`) computed
/// per message: each costs a pass over the body. Real messages need one to
/// four (a DKIM signature or two, ARC message signatures); past this,
/// `body_hash` is `not_checked`.
pub const MAX_BODY_HASHES: usize = 8;

/// Body hashes computed so far for one message, shared between signatures.
#[derive(Default)]
pub struct BodyCache {
    map: HashMap<(Canon, HashAlg, Option<u64>), BodyHash>,
}

impl BodyCache {
    fn get(&mut self, c: Canon, a: HashAlg, body: &[u8], l: Option<u64>) -> Option<&BodyHash> {
        let key = (c, a, l);
        if !self.map.contains_key(&key) && self.map.len() >= MAX_BODY_HASHES {
            return None;
        }
        Some(
            self.map
                .entry(key)
                .or_insert_with(|| canon::body_hash(c, a, body, l)),
        )
    }
}

/// The parsed algorithm of `a=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Alg {
    RsaSha256,
    RsaSha1,
    Ed25519Sha256,
}

fn alg(a: &str) -> Option<Alg> {
    match a.to_ascii_lowercase().as_str() {
        "rsa-sha256" => Some(Alg::RsaSha256),
        "rsa-sha1" => Some(Alg::RsaSha1),
        "ed25519-sha256" => Some(Alg::Ed25519Sha256),
        _ => None,
    }
}

impl Alg {
    fn hash(self) -> HashAlg {
        match self {
            Alg::RsaSha1 => HashAlg::Sha1,
            _ => HashAlg::Sha256,
        }
    }
}

/// Verifies `sig` over `data` (hashed with the algorithm of `a`) with a
/// key record (the ARC-Seal check).
pub fn verify_data(a: &str, data: &[u8], sig: &[u8], rec: &keys::KeyRecord) -> Result<(), String> {
    let alg = alg(a).ok_or_else(|| format!("unknown algorithm a={}", tags::cut(a)))?;
    let mut h = Hasher::new(alg.hash());
    h.update(data);
    check_crypto(alg, &h.finish(), sig, rec).map(|_| ())
}

/// The hash algorithm of an `a=` value, if known.
pub fn hash_of(a: &str) -> Option<HashAlg> {
    alg(a).map(Alg::hash)
}

/// Verifies `sig` over an already computed hash (the ARC-Seal check, which
/// hashes the sets incrementally).
pub fn verify_digest(
    a: &str,
    digest: &[u8],
    sig: &[u8],
    rec: &keys::KeyRecord,
) -> Result<(), String> {
    let alg = alg(a).ok_or_else(|| format!("unknown algorithm a={}", tags::cut(a)))?;
    check_crypto(alg, digest, sig, rec).map(|_| ())
}

/// What kind of signature field is verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// DKIM-Signature (needs `v=1`, `h=` must contain From).
    Dkim,
    /// ARC-Message-Signature (RFC 8617 §4.1.2: no `v=`; `h=` must not
    /// contain ARC-Seal).
    ArcMessage,
}

/// Decodes a base64 tag value (`b=`, `bh=`) as [`tags::TagList::compact`]
/// gives it: white space already removed; a missing tag is empty.
fn b64(t: &tags::TagList<'_>, name: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD
        .decode(t.compact(name).unwrap_or_default().as_bytes())
        .ok()
}

/// True when `sub` is `parent` or a sub-domain of it (case-insensitive).
fn in_domain(sub: &str, parent: &str) -> bool {
    let s = sub.trim_end_matches('.').to_ascii_lowercase();
    let p = parent.trim_end_matches('.').to_ascii_lowercase();
    s == p || s.ends_with(&format!(".{p}"))
}

/// Verifies the signature over the data hash with a key record; Ok(bits)
/// or the reason it fails.
fn check_crypto(
    alg: Alg,
    data_hash: &[u8],
    sig: &[u8],
    rec: &keys::KeyRecord,
) -> Result<Option<usize>, String> {
    let hname = match alg.hash() {
        HashAlg::Sha1 => "sha1",
        HashAlg::Sha256 => "sha256",
    };
    if !rec.hashes.is_empty() && !rec.hashes.iter().any(|h| h == hname) {
        return Err(format!(
            "the key record allows only h={}",
            rec.hashes.join(":")
        ));
    }
    match (&rec.key, alg) {
        (keys::PublicKey::Rsa(k, bits), Alg::RsaSha256 | Alg::RsaSha1) => {
            if *bits < 1024 {
                return Err(format!("RSA key of {bits} bits (RFC 8301: at least 1024)"));
            }
            let scheme = match alg {
                Alg::RsaSha1 => rsa::Pkcs1v15Sign::new::<sha1::Sha1>(),
                _ => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
            };
            k.verify(scheme, data_hash, sig)
                .map(|_| Some(*bits))
                .map_err(|_| "signature does not verify".to_string())
        }
        (keys::PublicKey::Ed25519(k), Alg::Ed25519Sha256) => {
            let s = ed25519_dalek::Signature::from_slice(sig)
                .map_err(|_| format!("ed25519 signature of {} bytes", sig.len()))?;
            // RFC 8463 §3: PureEdDSA over the SHA-256 hash.
            k.verify_strict(data_hash, &s)
                .map(|_| None)
                .map_err(|_| "signature does not verify".to_string())
        }
        _ => Err("key type does not match a=".to_string()),
    }
}

/// Everything needed to verify signatures of one message.
pub struct Context<'a, 'h> {
    /// The header fields.
    pub fields: &'h [HeaderField<'a>],
    /// Their index.
    pub index: FieldIndex<'h>,
    /// The body, when read.
    pub body: Option<&'a [u8]>,
    /// Keys, when given.
    pub keys: Option<&'h KeyStore>,
    /// Shared body hashes.
    pub cache: BodyCache,
}

impl<'a, 'h> Context<'a, 'h> {
    /// A context over a message's fields and body.
    pub fn new(
        fields: &'h [HeaderField<'a>],
        body: Option<&'a [u8]>,
        keys: Option<&'h KeyStore>,
    ) -> Self {
        Context {
            fields,
            index: FieldIndex::new(fields),
            body,
            keys,
            cache: BodyCache::default(),
        }
    }

    /// Verifies the signature field at position `at` of the fields.
    pub fn verify(&mut self, at: usize, kind: Kind) -> Verdict {
        let f = &self.fields[at];
        let mut v = Verdict::new(f);
        match self.verify_inner(at, kind, &mut v) {
            Ok(()) => {}
            Err((r, why)) => {
                v.result = r;
                v.reason = Some(why);
            }
        }
        v
    }

    fn verify_inner(
        &mut self,
        at: usize,
        kind: Kind,
        v: &mut Verdict,
    ) -> Result<(), (SigResult, String)> {
        let f = &self.fields[at];
        let err = |s: String| (SigResult::Error, s);
        let value = field_value(f.raw);
        let t = tags::parse(&value).map_err(err)?;
        v.d = t.compact_owned("d");
        v.s = t.compact_owned("s");
        v.a = t.compact_owned("a");
        v.i = t.compact_owned("i");
        if kind == Kind::Dkim && t.get("v") != Some("1") {
            return Err(err("v= is not 1".into()));
        }
        for req in ["a", "b", "bh", "d", "h", "s"] {
            if t.get(req).is_none() {
                return Err(err(format!("no {req}= tag")));
            }
        }
        let (hc, bc) = canon::parse_c(t.compact("c").as_deref())
            .ok_or_else(|| err("unknown c= canonicalization".into()))?;
        v.c = Some(format!("{}/{}", hc.as_str(), bc.as_str()));
        if let Some(l) = t.compact("l") {
            // At most 76 digits by the grammar; anything not a u64 is invalid.
            let n = l
                .parse::<u64>()
                .ok()
                .filter(|_| l.bytes().all(|b| b.is_ascii_digit()))
                .ok_or_else(|| err(format!("invalid l={}", tags::cut(&l))))?;
            v.l = Some(n);
        }
        let h = t.compact("h").unwrap_or_default();
        let names: Vec<String> = h
            .split(':')
            .filter(|n| !n.is_empty())
            .take(MAX_SIGNED_NAMES + 1)
            .map(|n| n.to_ascii_lowercase())
            .collect();
        if names.len() > MAX_SIGNED_NAMES {
            return Err(err(format!("h= lists more than {MAX_SIGNED_NAMES} names")));
        }
        let selected = self.index.select(&names);
        v.signed = names
            .iter()
            .zip(&selected)
            .map(|(n, s)| Signed {
                name: n.clone(),
                offset: s.map(|i| self.fields[i].offset),
            })
            .collect();
        // Extra copies of signed names, and important names not signed.
        let mut listed: HashMap<&str, usize> = HashMap::new();
        for n in &names {
            *listed.entry(n.as_str()).or_insert(0) += 1;
        }
        for (n, times) in &listed {
            // Only fields a reader sees (IMPORTANT, and the body's type):
            // relays add Received and trace fields above any signature.
            if !IMPORTANT.contains(n) && !COPY_CHECKED.contains(n) {
                continue;
            }
            let present = self.index.by_name.get(n).map_or(&[][..], |v| v.as_slice());
            if present.len() > *times {
                for &i in present[..present.len() - times]
                    .iter()
                    .take(MAX_UNSIGNED_COPIES)
                {
                    v.unsigned_copies.push(Unsigned {
                        name: n.to_string(),
                        offset: self.fields[i].offset,
                    });
                }
            }
        }
        v.unsigned_copies.sort_by_key(|u| u.offset);
        for n in IMPORTANT {
            if !listed.contains_key(n) {
                if let Some(&i) = self.index.by_name.get(n).and_then(|l| l.first()) {
                    v.unsigned_fields.push(Unsigned {
                        name: n.to_string(),
                        offset: self.fields[i].offset,
                    });
                }
            }
        }
        let a = t.compact("a").unwrap_or_default();
        let alg = alg(&a).ok_or_else(|| err(format!("unknown algorithm a={}", tags::cut(&a))))?;
        let d = v.d.clone().unwrap_or_default();
        if kind == Kind::Dkim {
            if !listed.contains_key("from") {
                return Err(err("h= does not list From".into()));
            }
            if let Some(i) = &v.i {
                let idom = i.rsplit_once('@').map_or(i.as_str(), |(_, dom)| dom);
                if !in_domain(idom, &d) {
                    return Err(err(format!("i={} is not in d={d}", tags::cut(i))));
                }
            }
        } else if listed.contains_key("arc-seal") {
            return Err(err("h= lists ARC-Seal".into()));
        }
        let bh = b64(&t, "bh").ok_or_else(|| err("bh= is not base64".into()))?;
        let sig = b64(&t, "b").ok_or_else(|| err("b= is not base64".into()))?;
        // The body hash: needs no key.
        let limited = self.body.is_some()
            && self
                .body
                .and_then(|b| self.cache.get(bc, alg.hash(), b, v.l))
                .is_none();
        if limited {
            return Err((
                SigResult::NotChecked,
                format!("more than {MAX_BODY_HASHES} different body hashes in one message"),
            ));
        }
        if let Some(got) = self
            .body
            .and_then(|b| self.cache.get(bc, alg.hash(), b, v.l))
        {
            v.body_length = Some(got.canonical_len);
            if let Some(l) = v.l {
                if l < got.canonical_len {
                    v.unsigned_tail = Some(got.canonical_len - l);
                }
            }
            let too_long = v.l.is_some_and(|l| l > got.canonical_len);
            v.body_hash = if got.digest == bh && !too_long {
                BodyResult::Match
            } else {
                BodyResult::Mismatch
            };
            if too_long {
                return Err((
                    SigResult::Fail,
                    format!(
                        "l={} is longer than the body ({} canonical bytes)",
                        v.l.unwrap_or(0),
                        got.canonical_len
                    ),
                ));
            }
        }
        let Some(store) = self.keys else {
            return Err((SigResult::NoKey, "no key given (--dkim-keys)".into()));
        };
        let sel = v.s.clone().unwrap_or_default();
        let records = store.resolve(&sel, &d).map_err(|why| {
            (
                SigResult::NoKey,
                format!("no key for {sel}._domainkey.{d}: {why}"),
            )
        })?;
        if records.is_empty() {
            return Err((SigResult::NoKey, format!("no key for {sel}._domainkey.{d}")));
        }
        // The first record that parses as a key (RFC 6376 §3.6.2.2: a
        // verifier may try each).
        let mut rec = Err(keys::KeyError::Invalid("no record".into()));
        for r in &records {
            rec = keys::parse_record(r);
            if rec.is_ok() {
                break;
            }
        }
        let rec = rec.map_err(|e| match e {
            keys::KeyError::Revoked => {
                (SigResult::Fail, "the key is revoked (empty p=)".to_string())
            }
            keys::KeyError::Invalid(why) => (SigResult::Error, format!("key record: {why}")),
        })?;
        v.testing = rec.testing;
        if rec.strict && kind == Kind::Dkim {
            if let Some(i) = &v.i {
                let idom = i.rsplit_once('@').map_or(i.as_str(), |(_, dom)| dom);
                if !idom
                    .trim_end_matches('.')
                    .eq_ignore_ascii_case(d.trim_end_matches('.'))
                {
                    return Err((
                        SigResult::Fail,
                        "the key says t=s and i= is a sub-domain of d=".into(),
                    ));
                }
            }
        }
        // The header hash: the selected fields, then the signature field
        // with an empty b= and without its final line ending.
        let mut data = Vec::new();
        for i in selected.into_iter().flatten() {
            canon::header(hc, self.fields[i].raw, &mut data);
        }
        let own = tags::strip_b(f.raw);
        let mut sigfield = Vec::new();
        canon::header(hc, &own, &mut sigfield);
        // The final CRLF that canonicalization kept or added is not hashed;
        // a folded value's inner line ends are.
        sigfield.truncate(sigfield.len().saturating_sub(2));
        data.extend_from_slice(&sigfield);
        let mut hasher = Hasher::new(alg.hash());
        hasher.update(&data);
        let digest = hasher.finish();
        let bits = check_crypto(alg, &digest, &sig, &rec).map_err(|why| (SigResult::Fail, why))?;
        v.key_bits = bits;
        if v.body_hash == BodyResult::Mismatch {
            return Err((SigResult::Fail, "body hash mismatch".into()));
        }
        // A From field the signature does not cover (one added above the
        // signed one) is what a reader sees first: the signature does not
        // vouch for the message any more (RFC 6376 §8.15; dkimpy's
        // verifier does the same).
        let froms = self.index.count("from");
        let signed_froms = listed.get("from").copied().unwrap_or(0);
        if kind == Kind::Dkim && froms > signed_froms {
            return Err((
                SigResult::Fail,
                format!("the signature verifies, but {froms} From fields and h= signs {signed_froms}: an unsigned From was added"),
            ));
        }
        if self.body.is_none() {
            return Err((
                SigResult::Error,
                "header verified; the body was not read".into(),
            ));
        }
        if alg == Alg::RsaSha1 {
            return Err((
                SigResult::Weak,
                "rsa-sha1 (RFC 8301: SHA-1 must not be trusted)".into(),
            ));
        }
        v.result = SigResult::Pass;
        Ok(())
    }
}

/// Verifies every DKIM-Signature of a message (at most
/// [`MAX_SIGNATURES`]; later ones are `not_checked`), and returns the
/// verdicts in header order with their findings.
pub fn verify_message(ctx: &mut Context<'_, '_>) -> (Vec<Verdict>, Vec<Finding>) {
    let fields = ctx.fields;
    let mut out = Vec::new();
    let mut findings = Vec::new();
    let mut skipped = 0usize;
    for (i, f) in fields.iter().enumerate() {
        if f.name != "dkim-signature" {
            continue;
        }
        if out.len() >= MAX_SIGNATURES {
            skipped += 1;
            continue;
        }
        let v = ctx.verify(i, Kind::Dkim);
        findings.extend(verdict_findings(&v));
        out.push(v);
    }
    if skipped > 0 {
        findings.push(Finding::new(
            "trace_limit",
            format!(
                "{} DKIM-Signature fields; only the first {MAX_SIGNATURES} are verified",
                skipped + MAX_SIGNATURES
            ),
        ));
    }
    (out, findings)
}

/// The findings about one verdict (codes in docs/trace.md).
pub fn verdict_findings(v: &Verdict) -> Vec<Finding> {
    let who = format!(
        "{} d={} s={}",
        v.field,
        v.d.as_deref().unwrap_or("?"),
        v.s.as_deref().unwrap_or("?")
    );
    let at = Some(v.offset);
    let mut out = Vec::new();
    if v.body_hash == BodyResult::Mismatch {
        out.push(
            Finding::new(
                "dkim_body_hash_mismatch",
                format!("{who}: the body does not match bh= (changed after signing)"),
            )
            .at(at),
        );
    }
    match v.result {
        SigResult::Fail if v.body_hash != BodyResult::Mismatch => out.push(
            Finding::new(
                "dkim_signature_fail",
                format!("{who}: {}", v.reason.as_deref().unwrap_or("fails")),
            )
            .at(at),
        ),
        SigResult::Error => out.push(
            Finding::new(
                "dkim_invalid",
                format!("{who}: {}", v.reason.as_deref().unwrap_or("invalid")),
            )
            .at(at),
        ),
        SigResult::Weak => out.push(
            Finding::new(
                "dkim_weak",
                format!("{who}: {}", v.reason.as_deref().unwrap_or("weak")),
            )
            .at(at),
        ),
        _ => {}
    }
    for u in &v.unsigned_copies {
        out.push(
            Finding::new(
                "dkim_unsigned_copy",
                format!(
                    "{who} signs {} {} field(s); this one is above them and not signed (added after signing)",
                    v.signed.iter().filter(|s| s.name == u.name).count(),
                    u.name
                ),
            )
            .at(Some(u.offset)),
        );
    }
    for u in &v.unsigned_fields {
        out.push(
            Finding::new(
                "dkim_unsigned_field",
                format!("{who} does not sign the {} field", u.name),
            )
            .at(Some(u.offset)),
        );
    }
    if let (Some(tail), Some(l)) = (v.unsigned_tail, v.l) {
        out.push(
            Finding::new(
                "dkim_body_length_tail",
                format!("{who}: l={l} signs only part of the body; {tail} canonical bytes after it are not signed"),
            )
            .at(at),
        );
    }
    out
}

/// True when a header section has a DKIM-Signature, ARC-Seal or
/// ARC-Message-Signature field (a line starting with that name): such a
/// message must be read whole, its body hash needs the body. `trace` (and
/// the Python package) read only the header section otherwise. Linear.
pub fn is_signed(header: &[u8]) -> bool {
    let names: [&[u8]; 3] = [b"dkim-signature", b"arc-seal", b"arc-message-signature"];
    header.split(|&b| b == b'\n').any(|line| {
        names.iter().any(|n| {
            line.len() > n.len()
                && line[..n.len()].eq_ignore_ascii_case(n)
                && matches!(line[n.len()], b':' | b' ' | b'\t')
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(names: &[&str]) -> Vec<HeaderField<'static>> {
        names
            .iter()
            .enumerate()
            .map(|(i, n)| HeaderField {
                name: n.to_string(),
                raw: b"X: y\r\n",
                offset: i as u64 * 10,
            })
            .collect()
    }

    /// RFC 6376 §5.4.2: the n-th occurrence of a name in h= takes the n-th
    /// field of that name from the bottom; over-signed names take nothing.
    #[test]
    fn selection_is_bottom_up() {
        let f = fields(&["from", "received", "from", "subject"]);
        let ix = FieldIndex::new(&f);
        let names: Vec<String> = ["from", "subject", "from", "from", "to"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(ix.select(&names), [Some(2), Some(3), Some(0), None, None]);
    }

    #[test]
    fn domains() {
        assert!(in_domain("mail.example.com", "example.com"));
        assert!(in_domain("Example.COM.", "example.com"));
        assert!(!in_domain("badexample.com", "example.com"));
    }
}
