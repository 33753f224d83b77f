//! Vendor anti-spam header fields, decoded from data tables.
//!
//! Spam filters write their verdicts in header fields of their own:
//! Microsoft 365 (`X-Forefront-Antispam-Report`, `X-Microsoft-Antispam`,
//! `X-MS-Exchange-Organization-SCL`, …), SpamAssassin (`X-Spam-Status`,
//! `X-Spam-Flag`, …), Rspamd (`X-Spamd-Result`, …), Proofpoint, Mimecast,
//! Barracuda and Cisco (IronPort). What each field and key means, and the
//! meaning of known values, is **data**: one tab-separated table per vendor
//! in `src/forensics/vendors/*.tsv` (format in its README.md), embedded at
//! build time and read once. The code here only splits values by the
//! field's format.
//!
//! Every decoded item keeps its raw text and its byte offset in the input;
//! a key the table does not know is kept and counted
//! ([`VendorField::unknown_keys`]); a field holds at most [`MAX_ITEMS`]
//! items (the rest are counted in [`VendorField::dropped`]). Every splitter
//! is one pass over the value: no shape of value makes it slow or panic.
//! See: issue 16.
//!
//! ```
//! # fn main() -> Result<(), &'static str> {
//! let v = emlkit::forensics::vendors::decode(
//!     "X-Forefront-Antispam-Report",
//!     b"CIP:203.0.113.5;CTRY:NL;SCL:5;SFV:SPM;CAT:SPM;ZZZ:1",
//!     100,
//!     70,
//! )
//! .ok_or("not a known field")?;
//! assert_eq!(v.vendor, "microsoft");
//! let scl = v.items.iter().find(|i| i.key == "SCL").ok_or("no SCL")?;
//! assert_eq!((scl.value.as_str(), scl.value_meaning), ("5", Some("spam")));
//! assert_eq!(scl.offset, 100 + 28);
//! assert_eq!(v.unknown_keys, 1);
//! # Ok(())
//! # }
//! ```

use std::collections::HashMap;
use std::sync::OnceLock;

/// The most items one field yields; more are counted, not kept (real
/// fields hold a few dozen).
pub const MAX_ITEMS: usize = 500;

/// The tables, one per vendor: (vendor name, file contents).
const TABLES: &[(&str, &str)] = &[
    ("microsoft", include_str!("vendors/microsoft.tsv")),
    ("spamassassin", include_str!("vendors/spamassassin.tsv")),
    ("rspamd", include_str!("vendors/rspamd.tsv")),
    ("proofpoint", include_str!("vendors/proofpoint.tsv")),
    ("mimecast", include_str!("vendors/mimecast.tsv")),
    ("barracuda", include_str!("vendors/barracuda.tsv")),
    ("cisco", include_str!("vendors/cisco.tsv")),
];

/// How a field's value is split (see `vendors/README.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// `KEY:VALUE;KEY:VALUE`.
    ColonList,
    /// `KEY=VALUE;KEY=VALUE` (quoted values allowed).
    EqList,
    /// `key=value key=value`.
    EqWords,
    /// `Yes, score=5.1 required=5.0 tests=A,B`.
    Status,
    /// `default: False [1.20 / 15.00]; SYMBOL(0.5)[opts]; …`.
    Rspamd,
    /// One value.
    Scalar,
    /// A bar of `*` (or `+`, `-`).
    Stars,
    /// SpamAssassin's `_REPORT_`: lines `*  2.2 RULE_NAME description`.
    Report,
    /// Kept raw.
    Opaque,
}

impl Format {
    fn parse(s: &str) -> Option<Format> {
        Some(match s {
            "colon_list" => Format::ColonList,
            "eq_list" => Format::EqList,
            "eq_words" => Format::EqWords,
            "status" => Format::Status,
            "rspamd" => Format::Rspamd,
            "scalar" => Format::Scalar,
            "stars" => Format::Stars,
            "report" => Format::Report,
            "opaque" => Format::Opaque,
            _ => return None,
        })
    }

    /// The name used in the tables and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::ColonList => "colon_list",
            Format::EqList => "eq_list",
            Format::EqWords => "eq_words",
            Format::Status => "status",
            Format::Rspamd => "rspamd",
            Format::Scalar => "scalar",
            Format::Stars => "stars",
            Format::Report => "report",
            Format::Opaque => "opaque",
        }
    }
}

/// One field's entry in the tables.
#[derive(Debug)]
#[non_exhaustive]
pub struct FieldSpec {
    /// The field name as the vendor writes it.
    pub name: &'static str,
    /// The vendor (`microsoft`, `spamassassin`, …).
    pub vendor: &'static str,
    /// How its value is split.
    pub format: Format,
    /// What the field is.
    pub meaning: &'static str,
    /// Keys worth a place in a one-line summary, in order (`*` for a
    /// single value).
    pub summary: Vec<&'static str>,
    keys: HashMap<String, &'static str>,
    values: HashMap<(String, String), &'static str>,
}

impl FieldSpec {
    /// The meaning of a key (case-insensitive).
    pub fn key_meaning(&self, key: &str) -> Option<&'static str> {
        self.keys.get(&key.to_ascii_lowercase()).copied()
    }

    /// The meaning of a value of a key (both case-insensitive).
    pub fn value_meaning(&self, key: &str, value: &str) -> Option<&'static str> {
        self.values
            .get(&(key.to_ascii_lowercase(), value.to_ascii_lowercase()))
            .copied()
    }
}

/// Lower-case field name → its spec.
fn table() -> &'static HashMap<String, FieldSpec> {
    static T: OnceLock<HashMap<String, FieldSpec>> = OnceLock::new();
    T.get_or_init(|| {
        let mut t: HashMap<String, FieldSpec> = HashMap::new();
        for (vendor, text) in TABLES {
            load(vendor, text, &mut t);
        }
        t
    })
}

/// Reads one table; a line that does not fit is skipped (the unit tests
/// check that every line of the shipped tables fits).
fn load(vendor: &'static str, text: &'static str, t: &mut HashMap<String, FieldSpec>) {
    for line in text.lines() {
        let cols: Vec<&'static str> = line.split('\t').collect();
        match cols.as_slice() {
            ["field", name, format, meaning] => {
                if let Some(format) = Format::parse(format) {
                    t.entry(name.to_ascii_lowercase()).or_insert(FieldSpec {
                        name,
                        vendor,
                        format,
                        meaning,
                        summary: Vec::new(),
                        keys: HashMap::new(),
                        values: HashMap::new(),
                    });
                }
            }
            ["summary", name, keys] => {
                if let Some(f) = t.get_mut(&name.to_ascii_lowercase()) {
                    f.summary = keys.split(',').collect();
                }
            }
            ["key", name, key, meaning] => {
                if let Some(f) = t.get_mut(&name.to_ascii_lowercase()) {
                    f.keys.entry(key.to_ascii_lowercase()).or_insert(meaning);
                }
            }
            ["value", name, key, value, meaning] => {
                if let Some(f) = t.get_mut(&name.to_ascii_lowercase()) {
                    f.values
                        .entry((key.to_ascii_lowercase(), value.to_ascii_lowercase()))
                        .or_insert(meaning);
                }
            }
            _ => {}
        }
    }
}

/// The spec of a field name (any case), when the tables know it.
pub fn spec(name: &str) -> Option<&'static FieldSpec> {
    // Every vendor field is an `X-` field: most names are rejected here
    // without a look-up.
    if !name
        .as_bytes()
        .first()
        .is_some_and(|b| b.eq_ignore_ascii_case(&b'x'))
    {
        return None;
    }
    // Lower-cased on the stack: this runs for every X- field of every
    // message. No vendor field name is longer than 64 bytes.
    let mut buf = [0u8; 64];
    let b = name.as_bytes();
    let dst = buf.get_mut(..b.len())?;
    dst.copy_from_slice(b);
    dst.make_ascii_lowercase();
    table().get(std::str::from_utf8(dst).ok()?)
}

/// Every field the tables know, in no particular order.
pub fn specs() -> impl Iterator<Item = &'static FieldSpec> {
    table().values()
}

/// One decoded key/value of a vendor field.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct VendorItem {
    /// The key as written (`SCL`, `spamscore`; `*` for a single value;
    /// `verdict`, `score`, `required` for the parts of a status line;
    /// `tests` once per rule; `symbol` once per Rspamd symbol).
    pub key: String,
    /// The value as written (quotes removed; whitespace trimmed).
    pub value: String,
    /// Byte offset of the value (of the key when the value is empty) in
    /// the input.
    pub offset: u64,
    /// What the key means, when the table knows it.
    pub meaning: Option<&'static str>,
    /// What this value means, when the table lists it.
    pub value_meaning: Option<&'static str>,
    /// The value as a number, when it is one (scores, levels); for a bar
    /// of stars, their count.
    pub number: Option<f64>,
    /// The table knows the key.
    pub known: bool,
}

/// One vendor header field, decoded.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct VendorField {
    /// The vendor (`microsoft`, `spamassassin`, `rspamd`, `proofpoint`,
    /// `mimecast`, `barracuda`, `cisco`).
    pub vendor: &'static str,
    /// The field name as written in the message.
    pub field: String,
    /// Byte offset of the field name.
    pub offset: u64,
    /// What the field is.
    pub meaning: &'static str,
    /// How it was split.
    pub format: Format,
    /// The value as written (unfolded; bytes that are not UTF-8 replaced).
    pub raw: String,
    /// The items, in the order written; at most [`MAX_ITEMS`].
    pub items: Vec<VendorItem>,
    /// Items whose key the table does not know (kept in `items`).
    pub unknown_keys: usize,
    /// Items beyond [`MAX_ITEMS`], counted and not kept.
    pub dropped: usize,
    /// The keys worth showing in one line (from the table).
    pub summary_keys: &'static [&'static str],
}

impl VendorField {
    /// `KEY=value` pairs for a one-line summary: the table's summary keys
    /// that are present with a value (several values of one key joined with `,`), each
    /// with the value's meaning when known.
    pub fn summary(&self) -> Vec<(String, String, Option<&'static str>)> {
        let mut out = Vec::new();
        for k in self.summary_keys {
            let mut vals: Vec<&VendorItem> = self
                .items
                .iter()
                .filter(|i| i.key.eq_ignore_ascii_case(k) && !i.value.is_empty())
                .collect();
            vals.truncate(8);
            match vals.as_slice() {
                [] => {}
                [one] => out.push((k.to_string(), one.value.clone(), one.value_meaning)),
                many => out.push((
                    k.to_string(),
                    many.iter()
                        .map(|i| i.value.as_str())
                        .collect::<Vec<_>>()
                        .join(","),
                    None,
                )),
            }
        }
        out
    }
}

/// A piece of the raw value: its bytes and absolute offset.
#[derive(Clone, Copy)]
struct Piece<'a> {
    bytes: &'a [u8],
    at: u64,
}

impl<'a> Piece<'a> {
    fn trim(self) -> Piece<'a> {
        let b = self.bytes;
        let start = b
            .iter()
            .position(|c| !c.is_ascii_whitespace())
            .unwrap_or(b.len());
        let end = b
            .iter()
            .rposition(|c| !c.is_ascii_whitespace())
            .map_or(start, |e| e + 1)
            .max(start);
        Piece {
            bytes: &b[start..end],
            at: self.at + start as u64,
        }
    }

    fn unquote(self) -> Piece<'a> {
        let t = self.trim();
        match t.bytes {
            [b'"', inner @ .., b'"'] => Piece {
                bytes: inner,
                at: t.at + 1,
            },
            _ => t,
        }
    }

    fn split_at_byte(self, c: u8) -> Option<(Piece<'a>, Piece<'a>)> {
        let p = memchr::memchr(c, self.bytes)?;
        Some((
            Piece {
                bytes: &self.bytes[..p],
                at: self.at,
            },
            Piece {
                bytes: &self.bytes[p + 1..],
                at: self.at + p as u64 + 1,
            },
        ))
    }

    fn text(self) -> String {
        unfold_text(self.bytes)
    }
}

/// The text of raw bytes: line breaks of folding removed, invalid UTF-8
/// replaced.
fn unfold_text(b: &[u8]) -> String {
    let s = String::from_utf8_lossy(b);
    if s.contains(['\r', '\n']) {
        s.replace(['\r', '\n'], "")
    } else {
        s.into_owned()
    }
}

/// Splits `p` at every `sep` outside double quotes and the brackets
/// `open`/`close` (nesting counted, unbalanced closers ignored). One pass.
fn split_outside<'a>(p: Piece<'a>, sep: u8, open: u8, close: u8) -> Vec<Piece<'a>> {
    let mut out = Vec::new();
    let (mut depth, mut quoted, mut start) = (0u32, false, 0usize);
    for (i, &c) in p.bytes.iter().enumerate() {
        if c == b'"' {
            quoted = !quoted;
        } else if quoted {
        } else if c == open {
            depth = depth.saturating_add(1);
        } else if c == close {
            depth = depth.saturating_sub(1);
        } else if c == sep && depth == 0 {
            out.push(Piece {
                bytes: &p.bytes[start..i],
                at: p.at + start as u64,
            });
            start = i + 1;
        }
    }
    out.push(Piece {
        bytes: &p.bytes[start..],
        at: p.at + start as u64,
    });
    out
}

/// Splits on ASCII white space (folding included).
fn words(p: Piece<'_>) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in p.bytes.iter().enumerate() {
        if c.is_ascii_whitespace() {
            if let Some(s) = start.take() {
                out.push(Piece {
                    bytes: &p.bytes[s..i],
                    at: p.at + s as u64,
                });
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.push(Piece {
            bytes: &p.bytes[s..],
            at: p.at + s as u64,
        });
    }
    out
}

fn number(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok().filter(|n| n.is_finite())
}

/// Collects items into a field, applying the table and the cap.
struct Builder<'s> {
    spec: &'s FieldSpec,
    items: Vec<VendorItem>,
    unknown: usize,
    dropped: usize,
}

impl Builder<'_> {
    fn push(&mut self, key: &str, key_at: u64, value: Piece<'_>) {
        if self.items.len() >= MAX_ITEMS {
            self.dropped += 1;
            return;
        }
        let v = value.trim();
        let value = v.text();
        // A single value (`*`) is the field itself.
        let meaning = if key == "*" {
            Some(self.spec.meaning)
        } else {
            self.spec.key_meaning(key)
        };
        let known = meaning.is_some();
        if !known {
            self.unknown += 1;
        }
        self.items.push(VendorItem {
            key: key.to_string(),
            value_meaning: self.spec.value_meaning(key, &value),
            number: number(&value),
            offset: if v.bytes.is_empty() { key_at } else { v.at },
            value,
            meaning,
            known,
        });
    }
}

/// Decodes a vendor field: `name` as written, its raw value (folding
/// kept), the value's byte offset and the field's. None when the tables do
/// not know the field.
pub fn decode(
    name: &str,
    raw_value: &[u8],
    value_offset: u64,
    field_offset: u64,
) -> Option<VendorField> {
    let spec = spec(name)?;
    let whole = Piece {
        bytes: raw_value,
        at: value_offset,
    };
    let mut b = Builder {
        spec,
        items: Vec::new(),
        unknown: 0,
        dropped: 0,
    };
    match spec.format {
        Format::ColonList | Format::EqList => {
            let sep = if spec.format == Format::ColonList {
                b':'
            } else {
                b'='
            };
            for seg in split_outside(whole, b';', 0, 0) {
                let seg = seg.trim();
                if seg.bytes.is_empty() {
                    continue;
                }
                match seg.split_at_byte(sep) {
                    Some((k, v)) => {
                        let k = k.trim();
                        b.push(&k.text(), k.at, v.unquote());
                    }
                    None => b.push(
                        &seg.text(),
                        seg.at,
                        Piece {
                            bytes: b"",
                            at: seg.at,
                        },
                    ),
                }
            }
        }
        Format::EqWords => {
            for w in words(whole) {
                match w.split_at_byte(b'=') {
                    Some((k, v)) => b.push(&k.text(), k.at, v.unquote()),
                    None => b.push(
                        &w.text(),
                        w.at,
                        Piece {
                            bytes: b"",
                            at: w.at,
                        },
                    ),
                }
            }
        }
        Format::Status => status(whole, &mut b),
        Format::Rspamd => rspamd(whole, &mut b),
        Format::Report => report(whole, &mut b),
        Format::Scalar | Format::Opaque => b.push("*", whole.at, whole),
        Format::Stars => {
            let t = whole.trim();
            b.push("*", t.at, t);
            if let Some(i) = b.items.last_mut() {
                let plus = t.bytes.iter().filter(|&&c| c == b'*' || c == b'+').count();
                let minus = t.bytes.iter().filter(|&&c| c == b'-').count();
                i.number = Some(plus as f64 - minus as f64);
            }
        }
    }
    Some(VendorField {
        vendor: spec.vendor,
        field: name.to_string(),
        offset: field_offset,
        meaning: spec.meaning,
        format: spec.format,
        raw: unfold_text(raw_value).trim().to_string(),
        items: b.items,
        unknown_keys: b.unknown,
        dropped: b.dropped,
        summary_keys: &spec.summary,
    })
}

/// `Yes, score=5.1 required=5.0 tests=A,B,C autolearn=no version=4.0.0`
/// (SpamAssassin), `No, SCORE=0.00 using per-user scores of TAG_LEVEL=3.5
/// … tests=A, B` (Barracuda): the verdict, then `key=value` words; the
/// value of `tests` runs on over words without `=` and is split into one
/// item per rule. Other words are prose and skipped.
fn status(whole: Piece<'_>, b: &mut Builder<'_>) {
    let t = whole.trim();
    let (verdict, rest) = match t
        .bytes
        .iter()
        .position(|&c| c == b',' || c.is_ascii_whitespace())
    {
        Some(p) => (
            Piece {
                bytes: &t.bytes[..p],
                at: t.at,
            },
            Piece {
                bytes: &t.bytes[p + 1..],
                at: t.at + p as u64 + 1,
            },
        ),
        None => (
            t,
            Piece {
                bytes: b"",
                at: t.at,
            },
        ),
    };
    if !verdict.bytes.is_empty() && !verdict.bytes.contains(&b'=') {
        b.push("verdict", verdict.at, verdict);
    }
    let rest = if verdict.bytes.contains(&b'=') {
        t
    } else {
        rest
    };
    let mut in_tests = false;
    for w in words(rest) {
        if let Some((k, v)) = w.split_at_byte(b'=') {
            let key = k.text();
            in_tests = key.eq_ignore_ascii_case("tests");
            if in_tests {
                tests(v, b);
            } else {
                b.push(&key, k.at, v);
            }
        } else if in_tests {
            tests(w, b);
        }
    }
}

fn tests(list: Piece<'_>, b: &mut Builder<'_>) {
    for t in split_outside(list, b',', 0, 0) {
        let t = t.trim();
        if !t.bytes.is_empty() && t.bytes != b"none" {
            b.push("tests", t.at, t);
        }
    }
}

/// SpamAssassin's `_REPORT_` (the `X-Spam-Report` field):
/// `*  2.2 EMPTY_MESSAGE Message appears to have no textual parts` per rule,
/// a rule's detail lines `*      [URIs: example.com]` below it. Each line
/// starting with a score and a rule name gives one `rule` item, the score
/// as its number; other lines (details, a preamble) are only in `raw`. A
/// line starts at a `*` that opens the value or follows white space. One
/// pass over the value.
fn report(whole: Piece<'_>, b: &mut Builder<'_>) {
    let bytes = whole.bytes;
    // The starts of the lines: each `*` at the start or after white space.
    let mut starts = Vec::new();
    for (i, &c) in bytes.iter().enumerate() {
        if c == b'*' && (i == 0 || bytes[i - 1].is_ascii_whitespace()) {
            starts.push(i);
        }
    }
    for (n, &s) in starts.iter().enumerate() {
        let end = starts.get(n + 1).copied().unwrap_or(bytes.len());
        let line = Piece {
            bytes: &bytes[s + 1..end],
            at: whole.at + s as u64 + 1,
        };
        let ws = words(line);
        let (Some(score), Some(rule)) = (ws.first(), ws.get(1)) else {
            continue;
        };
        let Some(points) = number(&score.text()) else {
            continue;
        };
        let is_rule = rule.bytes.iter().any(u8::is_ascii_uppercase)
            && rule
                .bytes
                .iter()
                .all(|&c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_');
        if !is_rule {
            continue;
        }
        b.push("rule", rule.at, *rule);
        if let Some(i) = b.items.last_mut() {
            i.number = Some(points);
        }
    }
}

/// `default: False [1.20 / 15.00]; SYMBOL(0.5)[opts]; …`: the verdict,
/// score and required score from the first section, then one `symbol`
/// item per section with its score as the number.
fn rspamd(whole: Piece<'_>, b: &mut Builder<'_>) {
    let mut first = true;
    for seg in split_outside(whole, b';', b'[', b']') {
        let seg = seg.trim();
        if seg.bytes.is_empty() {
            continue;
        }
        if first {
            first = false;
            if let Some((_, v)) = seg.split_at_byte(b':') {
                let ws = words(v);
                if let Some(verdict) = ws.first() {
                    b.push("verdict", verdict.at, *verdict);
                }
                if let Some((_, inner)) = v.split_at_byte(b'[') {
                    let inner = inner.split_at_byte(b']').map_or(inner, |(x, _)| x);
                    match inner.split_at_byte(b'/') {
                        Some((s, r)) => {
                            b.push("score", s.at, s);
                            b.push("required", r.at, r);
                        }
                        None => b.push("score", inner.at, inner),
                    }
                }
                continue;
            }
        }
        b.push("symbol", seg.at, seg);
        if let Some(i) = b.items.last_mut() {
            // The score in parentheses after the name.
            i.number = seg
                .split_at_byte(b'(')
                .and_then(|(_, r)| r.split_at_byte(b')'))
                .and_then(|(n, _)| number(&n.text()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(name: &str, v: &str) -> VendorField {
        decode(name, v.as_bytes(), 0, 0).expect("known field")
    }

    fn get<'a>(f: &'a VendorField, k: &str) -> Vec<&'a str> {
        f.items
            .iter()
            .filter(|i| i.key == k)
            .map(|i| i.value.as_str())
            .collect()
    }

    /// Every line of the shipped tables is read: a typo in a data file is
    /// a test failure, not a silently missing meaning.
    #[test]
    fn tables_are_well_formed() {
        for (vendor, text) in TABLES {
            for (n, line) in text.lines().enumerate() {
                if line.starts_with('#') || line.trim().is_empty() {
                    continue;
                }
                let cols: Vec<&str> = line.split('\t').collect();
                let ok = match cols.as_slice() {
                    ["field", _, f, m] => Format::parse(f).is_some() && !m.is_empty(),
                    ["summary", name, _] | ["key", name, _, _] | ["value", name, _, _, _] => {
                        spec(name).is_some_and(|s| s.vendor == *vendor)
                    }
                    _ => false,
                };
                assert!(ok, "{vendor}.tsv line {}: {line:?}", n + 1);
            }
        }
        for v in [
            "microsoft",
            "spamassassin",
            "rspamd",
            "proofpoint",
            "mimecast",
            "barracuda",
            "cisco",
        ] {
            assert!(specs().any(|s| s.vendor == v), "{v}");
        }
    }

    #[test]
    fn forefront() {
        let v = "CIP:2a01:111:f400::1;CTRY:US;LANG:en;SCL:1;SRV:;IPV:NLI;SFV:NSPM;H:mail.example.org;PTR:mail.example.org;CAT:NONE;SFS:(13230031)(4636009);DIR:INB;";
        let f = d("x-forefront-antispam-report", v);
        assert_eq!(get(&f, "CIP"), ["2a01:111:f400::1"]);
        assert_eq!(get(&f, "SRV"), [""]);
        let sfv = f.items.iter().find(|i| i.key == "SFV").unwrap();
        assert_eq!(sfv.value_meaning, Some("not spam"));
        assert_eq!(&v[sfv.offset as usize..][..4], "NSPM");
        assert_eq!(f.unknown_keys, 0);
        let s = f.summary();
        assert_eq!(s[0], ("SCL".into(), "1".into(), Some("not spam")));
    }

    #[test]
    fn spamassassin_status() {
        let v = "Yes, score=7.3 required=5.0 tests=BAYES_99,\n\tHTML_MESSAGE,URIBL_BLOCKED autolearn=no\n\tautolearn_force=no version=4.0.0";
        let f = d("X-Spam-Status", v);
        assert_eq!(get(&f, "verdict"), ["Yes"]);
        assert_eq!(get(&f, "score"), ["7.3"]);
        assert_eq!(get(&f, "required"), ["5.0"]);
        assert_eq!(
            get(&f, "tests"),
            ["BAYES_99", "HTML_MESSAGE", "URIBL_BLOCKED"]
        );
        assert_eq!(get(&f, "version"), ["4.0.0"]);
        let t = f.items.iter().find(|i| i.value == "HTML_MESSAGE").unwrap();
        assert_eq!(&v[t.offset as usize..][..12], "HTML_MESSAGE");
        let b = d(
            "X-Barracuda-Spam-Status",
            "No, SCORE=0.50 using per-user scores of TAG_LEVEL=3.5 QUARANTINE_LEVEL=1000.0 KILL_LEVEL=5.0 tests=BSF_SC0_MISMATCH_TO, HTML_MESSAGE",
        );
        assert_eq!(get(&b, "SCORE"), ["0.50"]);
        assert_eq!(get(&b, "KILL_LEVEL"), ["5.0"]);
        assert_eq!(get(&b, "tests"), ["BSF_SC0_MISMATCH_TO", "HTML_MESSAGE"]);
    }

    #[test]
    fn rspamd_result() {
        let f = d(
            "X-Spamd-Result",
            "default: False [-0.10 / 15.00];\n\tR_SPF_ALLOW(-0.20)[+ip4:203.0.113.0/24];\n\tMIME_GOOD(-0.10)[text/plain];\n\tARC_NA(0.00)[]",
        );
        assert_eq!(get(&f, "verdict"), ["False"]);
        assert_eq!(get(&f, "score"), ["-0.10"]);
        assert_eq!(get(&f, "required"), ["15.00"]);
        let s: Vec<Option<f64>> = f
            .items
            .iter()
            .filter(|i| i.key == "symbol")
            .map(|i| i.number)
            .collect();
        assert_eq!(s, [Some(-0.2), Some(-0.1), Some(0.0)]);
    }

    /// SpamAssassin's `_REPORT_`, as SpamAssassin 4.0.1 writes it: rule
    /// lines with their scores, a detail line and a negative score; prose
    /// and `*` inside a description are not rules.
    #[test]
    fn spamassassin_report() {
        let f = d(
            "X-Spam-Report",
            " \r\n\t*  2.2 EMPTY_MESSAGE Message appears to have no textual parts\r\n\t*  1.0 KHOP_HELO_FCRDNS Relay HELO differs from its IP's reverse DNS\r\n\t*      [URIs: example.com]\r\n\t* -0.0 NO_RELAYS Informational: message was not relayed via SMTP\r\n\t*  0.1 X_RULE has * in it 3 NOT_A_RULE",
        );
        let rules: Vec<(&str, Option<f64>)> = f
            .items
            .iter()
            .map(|i| (i.value.as_str(), i.number))
            .collect();
        assert_eq!(
            rules,
            [
                ("EMPTY_MESSAGE", Some(2.2)),
                ("KHOP_HELO_FCRDNS", Some(1.0)),
                ("NO_RELAYS", Some(-0.0)),
                ("X_RULE", Some(0.1))
            ]
        );
        assert!(f.items.iter().all(|i| i.key == "rule" && i.known));
        assert_eq!(f.unknown_keys, 0);
        assert_eq!(f.format, Format::Report);
        assert!(d("X-Spam-Report", "no rules here").items.is_empty());
    }

    #[test]
    fn proofpoint_mimecast_ironport() {
        let f = d(
            "X-Proofpoint-Spam-Details",
            "rule=notspam policy=default score=0 spamscore=0 phishscore=0 newkey=3 engine=8.19.0-2402020000 definitions=main-2403010001",
        );
        assert_eq!(get(&f, "rule"), ["notspam"]);
        assert_eq!(f.unknown_keys, 1);
        assert_eq!(get(&f, "newkey"), ["3"]);
        let m = d(
            "X-Mimecast-Impersonation-Protect",
            "Policy=CLT - Impersonation Protection Definition;Similar Internal Domain=false;Newly Observed Domain=true",
        );
        assert_eq!(get(&m, "Newly Observed Domain"), ["true"]);
        assert_eq!(m.unknown_keys, 0);
        let a = d(
            "X-IronPort-AV",
            "E=Sophos;i=\"6.06,1,1709280000\"; d=\"scan'208\";a=\"12345\"",
        );
        assert_eq!(get(&a, "i"), ["6.06,1,1709280000"]);
        assert_eq!(get(&a, "d"), ["scan'208"]);
        let l = d("X-Spam-Level", "*******");
        assert_eq!(l.items[0].number, Some(7.0));
    }

    /// Hostile shapes: data, never a panic, bounded.
    #[test]
    fn hostile_values() {
        let many = "A:1;".repeat(MAX_ITEMS + 10);
        let f = d("X-Forefront-Antispam-Report", &many);
        assert_eq!(f.items.len(), MAX_ITEMS);
        assert_eq!(f.dropped, 10);
        for v in [
            "",
            ";;;",
            ":",
            "=",
            "\"",
            "[",
            "]]]]",
            "((((",
            "tests=",
            "default:",
            "default: [",
            "default: True [",
            "Yes,",
            ",",
            "\u{fffd}\u{0}",
            "a\r\n\tb",
            "k=\"v;w\";x=1",
        ] {
            for s in specs() {
                let _ = decode(s.name, v.as_bytes(), 0, 0);
            }
        }
        let bytes: Vec<u8> = (0u8..=255).collect();
        for s in specs() {
            let _ = decode(s.name, &bytes, 0, 0);
        }
        assert!(decode("Subject", b"x", 0, 0).is_none());
    }
}
