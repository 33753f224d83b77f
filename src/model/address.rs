//! Address lists: mail-parser's grammar, with the repairs RFC 5322 asks for.

use super::Field;
use mail_parser::{Address, HeaderValue};
use std::borrow::Cow;

/// One mailbox of an address field.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Mailbox<'a> {
    /// The display name, decoded.
    pub name: Option<Cow<'a, str>>,
    /// The addr-spec.
    pub address: Option<Cow<'a, str>>,
    /// The group it belongs to, if any (`Some(None)` for a nameless group).
    pub group: Option<Option<Cow<'a, str>>>,
}

/// The mailboxes of an address field, in order. Two repairs over
/// mail-parser's reading:
/// - an obsolete route (`<@relay:a@b>`, RFC 5322 §4.4) is dropped from the
///   address;
/// - an encoded word is never decoded inside an addr-spec (RFC 2047 §5):
///   `=?utf-8?q?x?=@example.com` stays that address, with no name (the
///   field gets an `encoded_word_in_address` finding, see
///   [`has_encoded_word_in_address`]).
pub fn mailboxes<'a>(field: &Field<'a>) -> Vec<Mailbox<'a>> {
    mailboxes_of(field).unwrap_or_default()
}

/// [`mailboxes`], or None when the field does not parse as an address list
/// at all (parsed once).
pub fn mailboxes_of<'a>(field: &Field<'a>) -> Option<Vec<Mailbox<'a>>> {
    let HeaderValue::Address(a) = field.parsed() else {
        return None;
    };
    let mut out: Vec<Mailbox<'a>> = match a {
        Address::List(l) => l
            .into_iter()
            .map(|x| Mailbox {
                name: x.name,
                address: x.address,
                group: None,
            })
            .collect(),
        Address::Group(gs) => gs
            .into_iter()
            .flat_map(|g| {
                let gname = g.name;
                g.addresses.into_iter().map(move |x| Mailbox {
                    name: x.name,
                    address: x.address,
                    group: Some(gname.clone()),
                })
            })
            .collect(),
    };
    let raw = field.raw_value();
    let mut words = encoded_addr_specs(raw).into_iter();
    for m in &mut out {
        if let Some(a) = m.address.as_deref() {
            if a.starts_with('@') {
                if let Some((_, rest)) = a.rsplit_once(':') {
                    if rest.contains('@') {
                        m.address = Some(Cow::Owned(rest.to_string()));
                        continue;
                    }
                }
                // mail-parser decoded an encoded word in the local part into
                // the name: put the addr-spec back as written.
                if let Some(spec) = words.next() {
                    m.address = Some(Cow::Owned(spec));
                    m.name = None;
                    continue;
                }
                // A quoted local part (`"alice smith"@example.org`) became
                // the name: the addr-spec is the quoted string and domain.
                if let Some(spec) = quoted_local(raw, a) {
                    m.address = Some(Cow::Owned(spec));
                    m.name = None;
                }
            } else if a.contains([' ', '\t']) && !a.contains('"') {
                // An obsolete local part with CFWS around its dots
                // (`alice . smith @ example.org`, RFC 5322 §4.4): the
                // white space is not part of the address.
                m.address = Some(Cow::Owned(a.split_whitespace().collect()));
            }
        }
    }
    Some(out)
}

/// `"quoted"@domain` as written, for an address mail-parser read as `@domain`.
fn quoted_local(raw: &[u8], at_domain: &str) -> Option<String> {
    let mut pat = b"\"".to_vec();
    pat.extend_from_slice(at_domain.as_bytes());
    let end = memchr::memmem::find(raw, &pat)?;
    let start = raw[..end].iter().rposition(|&c| c == b'"')?;
    Some(String::from_utf8_lossy(&raw[start..end + pat.len()]).into_owned())
}

/// Whether the raw value holds an encoded word right before an `@`.
pub fn has_encoded_word_in_address(raw: &[u8]) -> bool {
    !encoded_addr_specs(raw).is_empty()
}

/// `=?…?=@domain` tokens as written, in order.
fn encoded_addr_specs(raw: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(k) = memchr::memmem::find(&raw[from..], b"?=@").map(|k| from + k) {
        let start = raw[..k]
            .iter()
            .rposition(|&c| matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b',' | b'<' | b':'))
            .map_or(0, |p| p + 1);
        let end = raw[k + 3..]
            .iter()
            .position(|&c| matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b',' | b'>' | b';'))
            .map_or(raw.len(), |p| k + 3 + p);
        if raw[start..].starts_with(b"=?") {
            out.push(String::from_utf8_lossy(&raw[start..end]).into_owned());
        }
        from = k + 3;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boxes(v: &[u8]) -> Vec<(Option<String>, Option<String>)> {
        let mut raw = b"To: ".to_vec();
        raw.extend_from_slice(v);
        raw.extend_from_slice(b"\n\nx\n");
        let m = crate::model::parse(&raw, 0, crate::model::Scope::HeadersOnly).expect("parses");
        mailboxes(&m.headers()[0])
            .into_iter()
            .map(|b| {
                (
                    b.name.map(|n| n.into_owned()),
                    b.address.map(|a| a.into_owned()),
                )
            })
            .collect()
    }

    #[test]
    fn routes_dropped_and_encoded_words_kept_literal() {
        assert_eq!(
            boxes(b"<@relay.example:a@b.example>"),
            [(None, Some("a@b.example".into()))]
        );
        assert_eq!(
            boxes(b"=?utf-8?q?x?=@example.com, \"J D\" <j.d@example.com>"),
            [
                (None, Some("=?utf-8?q?x?=@example.com".into())),
                (Some("J D".into()), Some("j.d@example.com".into()))
            ]
        );
        assert_eq!(
            boxes(b"\"alice smith\"@example.org"),
            [(None, Some("\"alice smith\"@example.org".into()))]
        );
        assert_eq!(
            boxes(b"alice . smith @ example.org"),
            [(None, Some("alice.smith@example.org".into()))]
        );
        assert!(has_encoded_word_in_address(b"=?utf-8?q?x?=@example.com"));
        assert!(!has_encoded_word_in_address(
            b"=?utf-8?q?x?= <a@example.com>"
        ));
    }
}
