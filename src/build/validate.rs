//! Checks that make header injection impossible: every name and value that
//! reaches a header line goes through here first.
//!
//! The rule is simple and has no exceptions for convenience: a header field
//! name is 1–76 printable ASCII characters without `:`; a value may not hold
//! CR, LF or NUL (folded raw values from the `json` export are unfolded first,
//! and only a line break followed by a space or tab counts as a fold);
//! addresses must parse as addr-specs; message ids must be `left@right`.

use super::BuildError;

/// Checks a header field name (RFC 5322 §3.6.8: printable ASCII except `:`).
/// The 76-character cap keeps `Name: ` well inside the 998-octet line limit.
pub fn field_name(field: &str, name: &str) -> Result<(), BuildError> {
    if name.is_empty() {
        return Err(BuildError::new(field, "empty header field name"));
    }
    if name.len() > 76 {
        return Err(BuildError::new(
            field,
            format!("header field name longer than 76 characters: {name:?}"),
        ));
    }
    if let Some(c) = name.chars().find(|&c| !(c.is_ascii_graphic() && c != ':')) {
        return Err(BuildError::new(
            field,
            format!("invalid character {c:?} in header field name {name:?} (allowed: printable ASCII except ':')"),
        ));
    }
    Ok(())
}

/// Refuses CR, LF and NUL in a value.
pub fn no_breaks(field: &str, value: &str) -> Result<(), BuildError> {
    no_breaks_bytes(field, value.as_bytes())
}

/// Byte version of [`no_breaks`].
pub fn no_breaks_bytes(field: &str, value: &[u8]) -> Result<(), BuildError> {
    if let Some(b) = value.iter().find(|&&b| matches!(b, b'\r' | b'\n' | 0)) {
        let what = match b {
            b'\r' => "a carriage return (CR)",
            b'\n' => "a line feed (LF)",
            _ => "a NUL byte",
        };
        return Err(BuildError::new(
            field,
            format!(
                "value contains {what}, which could inject header fields: {:?}",
                String::from_utf8_lossy(value)
            ),
        ));
    }
    Ok(())
}

/// Checks a raw (folded) header value: its folds (CRLF or LF followed by a
/// space or tab) become CRLF folds; any other CR, LF, or a NUL, is refused.
pub fn normalize_folds(field: &str, value: &[u8]) -> Result<Vec<u8>, BuildError> {
    unfold_raw(field, value)?;
    // Split at the folds; a continuation line of nothing but white space is
    // joined to the line before (some readers take such a line for the end
    // of the header), which leaves the unfolded value unchanged.
    let mut lines: Vec<Vec<u8>> = vec![Vec::new()];
    let mut i = 0;
    while i < value.len() {
        let b = value[i];
        let brk = if b == b'\r' && value.get(i + 1) == Some(&b'\n') {
            2
        } else if b == b'\n' {
            1
        } else {
            0
        };
        if brk > 0 {
            lines.push(Vec::new());
            i += brk;
            continue;
        }
        if let Some(l) = lines.last_mut() {
            l.push(b);
        }
        i += 1;
    }
    let mut out: Vec<u8> = Vec::with_capacity(value.len() + 8);
    for (n, l) in lines.iter().enumerate() {
        if n > 0 && !l.iter().all(|&c| c == b' ' || c == b'\t') {
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(l);
    }
    Ok(out)
}

/// Removes the line breaks of folds (CRLF or LF followed by a space or tab)
/// from a raw header value and refuses any other CR, LF or NUL.
pub fn unfold_raw(field: &str, value: &[u8]) -> Result<Vec<u8>, BuildError> {
    let mut out = Vec::with_capacity(value.len());
    let mut i = 0;
    while i < value.len() {
        let b = value[i];
        let brk = if b == b'\r' && value.get(i + 1) == Some(&b'\n') {
            2
        } else if b == b'\n' {
            1
        } else {
            0
        };
        if brk > 0 && matches!(value.get(i + brk), Some(b' ' | b'\t')) {
            i += brk;
            continue;
        }
        out.push(b);
        i += 1;
    }
    no_breaks_bytes(field, &out)?;
    Ok(out)
}

/// One mailbox: optional display name and an addr-spec.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Mailbox {
    /// The display name, decoded (may be non-ASCII).
    pub name: Option<String>,
    /// The addr-spec, `local@domain`.
    pub address: String,
    /// The group the mailbox belongs to, if any.
    pub group: Option<String>,
}

/// Checks an addr-spec: dot-atom or quoted local part, `@`, a domain of
/// letters, digits, hyphens and dots (or an address literal). Non-ASCII
/// addresses (RFC 6532) are refused: the builder does not write SMTPUTF8
/// messages.
pub fn addr_spec(field: &str, addr: &str) -> Result<(), BuildError> {
    no_breaks(field, addr)?;
    let bad = |why: &str| {
        Err(BuildError::new(
            field,
            format!("invalid address {addr:?}: {why}"),
        ))
    };
    if !addr.is_ascii() {
        return bad("non-ASCII addresses are not supported");
    }
    let Some(at) = addr.rfind('@') else {
        return bad("no '@'");
    };
    let (local, domain) = (&addr[..at], &addr[at + 1..]);
    if local.is_empty() || domain.is_empty() {
        return bad("empty local part or domain");
    }
    let atext = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c);
    let local_ok = if local.starts_with('"') && local.ends_with('"') && local.len() >= 2 {
        let inner = &local[1..local.len() - 1];
        let mut esc = false;
        inner.chars().all(|c| {
            if esc {
                esc = false;
                return c.is_ascii_graphic() || c == ' ';
            }
            if c == '\\' {
                esc = true;
                return true;
            }
            (c.is_ascii_graphic() || c == ' ') && c != '"'
        }) && !esc
    } else {
        local
            .split('.')
            .all(|w| !w.is_empty() && w.chars().all(atext))
    };
    if !local_ok {
        return bad("the local part is not a dot-atom or quoted string");
    }
    let domain_ok = if domain.starts_with('[') && domain.ends_with(']') {
        domain[1..domain.len() - 1]
            .chars()
            .all(|c| c.is_ascii_graphic() && !"[]\\".contains(c))
    } else {
        domain.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
    };
    if !domain_ok {
        return bad("the domain is not a valid host name or address literal");
    }
    Ok(())
}

/// Checks a display name: any Unicode text without CR, LF or NUL (it is
/// quoted or RFC 2047-encoded by the writer).
pub fn display_name(field: &str, name: &str) -> Result<(), BuildError> {
    no_breaks(field, name)?;
    if name.chars().any(|c| c.is_control() && c != '\t') {
        return Err(BuildError::new(
            field,
            format!("control character in display name {name:?}"),
        ));
    }
    Ok(())
}

/// Parses an address list as a user types it (`Name <a@b>, c@d`, groups
/// `team: a@b, c@d;`) and checks every mailbox.
pub fn address_list(field: &str, value: &str) -> Result<Vec<Mailbox>, BuildError> {
    no_breaks(field, value)?;
    if value.trim().is_empty() {
        return Err(BuildError::new(field, "empty address list"));
    }
    // mail-parser's address parser is the one every reader of our output
    // uses; parsing through it means what we accept is what they will read.
    let hdr = format!("To: {value}\r\n\r\n");
    let parsed = mail_parser::MessageParser::default().parse_headers(hdr.as_bytes());
    let addr = parsed.as_ref().and_then(|m| m.to());
    let Some(addr) = addr else {
        return Err(BuildError::new(
            field,
            format!("no address found in {value:?}"),
        ));
    };
    let mut out = Vec::new();
    let mut empty_groups: Vec<String> = Vec::new();
    let mut push = |a: &mail_parser::Addr<'_>, group: Option<&str>| -> Result<(), BuildError> {
        let Some(address) = a.address.as_deref() else {
            return Err(BuildError::new(
                field,
                format!(
                    "{:?} is not an address (expected local@domain or Name <local@domain>)",
                    a.name.as_deref().unwrap_or(value)
                ),
            ));
        };
        addr_spec(field, address)?;
        let name = a.name.as_deref().map(str::trim).filter(|n| !n.is_empty());
        if let Some(n) = name {
            display_name(field, n)?;
        }
        out.push(Mailbox {
            name: name.map(str::to_string),
            address: address.to_string(),
            group: group.map(str::to_string),
        });
        Ok(())
    };
    match addr {
        mail_parser::Address::List(l) => {
            for a in l {
                push(a, None)?;
            }
        }
        mail_parser::Address::Group(gs) => {
            for g in gs {
                let gname = g.name.as_deref().unwrap_or("");
                if g.addresses.is_empty() && g.name.is_some() {
                    empty_groups.push(gname.to_string());
                }
                for a in &g.addresses {
                    push(a, g.name.as_deref())?;
                }
            }
        }
    }
    for g in &empty_groups {
        out_group_only(&mut out, g);
    }
    // An address the parser silently dropped (for example `a@b, <<junk`)
    // must not vanish: count '@' as a cheap cross-check.
    let ats = value.matches('@').count();
    let got: usize = out.iter().map(|m| m.address.matches('@').count()).sum();
    if ats != got {
        return Err(BuildError::new(
            field,
            format!("could not parse every address in {value:?}"),
        ));
    }
    if out.is_empty() {
        return Err(BuildError::new(
            field,
            format!("no address found in {value:?}"),
        ));
    }
    Ok(out)
}

/// An empty group (`undisclosed-recipients:;`) is kept as a marker mailbox
/// with an empty address.
fn out_group_only(out: &mut Vec<Mailbox>, name: &str) {
    out.push(Mailbox {
        name: None,
        address: String::new(),
        group: Some(name.to_string()),
    });
}

/// Checks a message id and returns it without angle brackets.
pub fn message_id(field: &str, value: &str) -> Result<String, BuildError> {
    no_breaks(field, value)?;
    let v = value.trim();
    let v = v
        .strip_prefix('<')
        .and_then(|v| v.strip_suffix('>'))
        .unwrap_or(v);
    let ok = !v.is_empty()
        && v.chars()
            .all(|c| c.is_ascii_graphic() && !"<>\"\\".contains(c))
        && v.split_once('@')
            .is_some_and(|(l, r)| !l.is_empty() && !r.is_empty() && !r.contains('@'));
    if !ok {
        return Err(BuildError::new(
            field,
            format!("invalid message id {value:?} (expected <left@right> without spaces)"),
        ));
    }
    Ok(v.to_string())
}

/// Splits a list of message ids (`<a@b> <c@d>`, or comma/space separated).
pub fn message_ids(field: &str, value: &str) -> Result<Vec<String>, BuildError> {
    no_breaks(field, value)?;
    let ids: Vec<String> = value
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|s| !s.is_empty())
        .map(|s| message_id(field, s))
        .collect::<Result<_, _>>()?;
    if ids.is_empty() {
        return Err(BuildError::new(field, "no message id given"));
    }
    Ok(ids)
}

/// Checks a MIME type `type/subtype` (RFC 2045 tokens).
pub fn mime_type(field: &str, value: &str) -> Result<String, BuildError> {
    no_breaks(field, value)?;
    let token = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_graphic() && !"()<>@,;:\\\"/[]?=".contains(c))
    };
    match value.trim().split_once('/') {
        Some((t, s)) if token(t) && token(s) => Ok(value.trim().to_ascii_lowercase()),
        _ => Err(BuildError::new(
            field,
            format!("invalid MIME type {value:?} (expected type/subtype)"),
        )),
    }
}

/// Checks a MIME parameter name or disposition (an RFC 2045 token).
pub fn token(field: &str, value: &str) -> Result<(), BuildError> {
    no_breaks(field, value)?;
    let ok = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_graphic() && !"()<>@,;:\\\"/[]?=*'%".contains(c));
    if ok {
        Ok(())
    } else {
        Err(BuildError::new(field, format!("invalid token {value:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(field_name("h", "X-Test").is_ok());
        for bad in ["", "X Test", "X:T", "X\r\nBcc", "Ä", "X\0"] {
            assert!(field_name("h", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn folds() {
        assert_eq!(normalize_folds("f", b"a\n b").unwrap(), b"a\r\n b");
        // A white-space-only continuation line is joined, not kept.
        assert_eq!(normalize_folds("f", b"a\r\n \r\n b").unwrap(), b"a \r\n b");
        assert!(normalize_folds("f", b"a\r\nb").is_err());
    }

    #[test]
    fn unfold() {
        assert_eq!(unfold_raw("f", b"a\r\n b\n\tc").unwrap(), b"a b\tc");
        for bad in [&b"a\r\nBcc: x"[..], b"a\nb", b"a\rb", b"a\0", b"a\r\n"] {
            assert!(unfold_raw("f", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn addresses() {
        let l = address_list("to", "Jöhn Doe <j@example.com>, b@example.org").unwrap();
        assert_eq!(l.len(), 2);
        assert_eq!(l[0].name.as_deref(), Some("Jöhn Doe"));
        assert_eq!(l[1].address, "b@example.org");
        for bad in [
            "nobody",
            "a@",
            "@b",
            "a b@c",
            "a@b\r\nBcc: x@y",
            "a@exa mple.com",
            "",
            "x@y\0",
        ] {
            assert!(address_list("to", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn ids() {
        assert_eq!(message_id("m", "<a@b>").unwrap(), "a@b");
        assert_eq!(message_ids("m", "<a@b> <c@d>").unwrap(), ["a@b", "c@d"]);
        for bad in ["a", "<a b@c>", "<a@b>\r\nX: y", "<>", "a@b@c"] {
            assert!(message_id("m", bad).is_err(), "{bad:?}");
        }
    }
}
