//! Tag=value lists (RFC 6376 §3.2): DKIM-Signature, ARC fields and DKIM
//! key records.

use std::borrow::Cow;

/// Most tags read from one list; real lists have about a dozen. The rest
/// makes the list invalid (bounded work on hostile input).
pub const MAX_TAGS: usize = 64;

/// A parsed tag list: names lower-case, values with surrounding white space
/// removed (folding inside a value is kept; see [`TagList::compact`]).
/// Names and values are borrowed from the parsed text (a name is copied
/// only when it must be lower-cased): a message's signatures are parsed
/// on every `trace`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TagList<'a> {
    /// `(name, value)` in order.
    pub tags: Vec<(Cow<'a, str>, &'a str)>,
}

impl<'a> TagList<'a> {
    /// The value of a tag.
    pub fn get(&self, name: &str) -> Option<&'a str> {
        self.tags.iter().find(|(k, _)| k == name).map(|(_, v)| *v)
    }

    /// [`TagList::compact`] as an owned string, for a record that keeps it.
    pub fn compact_owned(&self, name: &str) -> Option<String> {
        self.compact(name).map(Cow::into_owned)
    }

    /// The value with all white space removed (for `b=`, `bh=`, `h=`, `p=`);
    /// borrowed when it has none.
    pub fn compact(&self, name: &str) -> Option<Cow<'a, str>> {
        self.get(name).map(|v| {
            if v.bytes().any(|b| b.is_ascii_whitespace()) {
                Cow::Owned(v.chars().filter(|c| !c.is_ascii_whitespace()).collect())
            } else {
                Cow::Borrowed(v)
            }
        })
    }
}

fn is_fws(c: char) -> bool {
    c == ' ' || c == '\t' || c == '\r' || c == '\n'
}

/// Parses a tag list. A tag without `=`, an invalid tag name, a duplicate
/// tag, or more than [`MAX_TAGS`] tags make it invalid (RFC 6376 §3.2:
/// duplicates are an error).
pub fn parse(v: &str) -> Result<TagList<'_>, String> {
    let mut out = TagList::default();
    for spec in v.split(';') {
        if spec.chars().all(is_fws) {
            // A trailing `;` or an empty spec.
            continue;
        }
        let Some((k, val)) = spec.split_once('=') else {
            return Err(format!("tag without '=': {:?}", cut(spec)));
        };
        let k = k.trim_matches(is_fws);
        let valid = k.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            return Err(format!("invalid tag name {:?}", cut(k)));
        }
        let k: Cow<'_, str> = if k.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(k.to_ascii_lowercase())
        } else {
            Cow::Borrowed(k)
        };
        if out.tags.iter().any(|(n, _)| *n == k) {
            return Err(format!("duplicate tag {k}="));
        }
        if out.tags.len() >= MAX_TAGS {
            return Err(format!("more than {MAX_TAGS} tags"));
        }
        out.tags.push((k, val.trim_matches(is_fws)));
    }
    Ok(out)
}

/// The first 40 characters, for messages.
pub(crate) fn cut(s: &str) -> String {
    let mut t: String = s.chars().take(40).collect();
    if t.len() < s.len() {
        t.push('…');
    }
    t
}

/// The raw field with the value of its `b=` tag removed (RFC 6376 §3.7:
/// the signature is hashed with an empty `b=`). Surrounding white space
/// and everything else stay byte for byte (simple canonicalization).
pub fn strip_b(raw: &[u8]) -> Vec<u8> {
    let colon = raw.iter().position(|&b| b == b':').map_or(0, |p| p + 1);
    let mut out = raw[..colon].to_vec();
    let value = &raw[colon..];
    let mut first = true;
    for spec in value.split(|&b| b == b';') {
        if !first {
            out.push(b';');
        }
        first = false;
        let eq = spec.iter().position(|&b| b == b'=');
        let is_b = eq.is_some_and(|e| {
            let name = &spec[..e];
            let name: Vec<u8> = name
                .iter()
                .copied()
                .filter(|b| !b" \t\r\n".contains(b))
                .collect();
            name.eq_ignore_ascii_case(b"b")
        });
        match eq {
            Some(e) if is_b => {
                let val = &spec[e + 1..];
                let ws = |b: &u8| b" \t\r\n".contains(b);
                let start = val.iter().position(|b| !ws(b)).unwrap_or(val.len());
                let end = val.iter().rposition(|b| !ws(b)).map_or(start, |p| p + 1);
                out.extend_from_slice(&spec[..=e]);
                out.extend_from_slice(&val[..start]);
                out.extend_from_slice(&val[end.max(start)..]);
            }
            _ => out.extend_from_slice(spec),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists() {
        let t = parse("v=1; a=rsa-sha256;\r\n\th=from :\r\n to; b= ab\r\n cd ;").unwrap();
        assert_eq!(t.get("a"), Some("rsa-sha256"));
        assert_eq!(t.compact("h").as_deref(), Some("from:to"));
        assert_eq!(t.compact("b").as_deref(), Some("abcd"));
        assert!(parse("a=1; a=2").is_err());
        assert!(parse("a=1; junk").is_err());
        assert!(parse("1a=1").is_err());
        assert_eq!(parse("").unwrap().tags.len(), 0);
    }

    #[test]
    fn b_removed() {
        let f = b"DKIM-Signature: a=x; bh=QQ==; b=ab\r\n cd; s=y\r\n";
        assert_eq!(
            strip_b(f),
            b"DKIM-Signature: a=x; bh=QQ==; b=; s=y\r\n".to_vec()
        );
        let f = b"DKIM-Signature: a=x; b= ab\r\n cd \r\n";
        assert_eq!(strip_b(f), b"DKIM-Signature: a=x; b=  \r\n".to_vec());
    }
}
