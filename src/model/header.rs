//! Header fields of one part: MIME fields resolved from raw bytes, and the
//! decoded text of any field.

use super::field::Field;
use super::params::{self, Param};
use super::Finding;
use super::{encoded_word, NameCandidate};
use mail_parser::HeaderName;
use std::borrow::Cow;

/// MIME facts about one part.
#[non_exhaustive]
pub struct PartInfo {
    /// Lower-case `type/subtype`, with the RFC 2045 defaults applied.
    pub content_type: String,
    /// Whether a valid Content-Type was there.
    pub content_type_declared: bool,
    /// The Content-Type parameters, decoded (RFC 2231, RFC 2047).
    pub params: Vec<Param>,
    /// The Content-Disposition value, lower-case.
    pub disposition: Option<String>,
    /// The chosen file name (see [`super::Part::filename`]).
    pub filename: Option<String>,
    /// Every file-name candidate, in order of preference.
    pub filename_candidates: Vec<NameCandidate>,
    /// Content-Transfer-Encoding, lower-case, comments removed.
    pub transfer_encoding: Option<String>,
    /// The charset parameter, lower-case.
    pub charset: Option<String>,
    /// Content-ID without angle brackets.
    pub content_id: Option<String>,
    /// Content-Description, decoded.
    pub description: Option<String>,
    /// Parameters dropped past [`params::MAX_PARAMS`] (Content-Type and
    /// Content-Disposition together).
    pub params_dropped: usize,
    /// The fields (`Content-Type`, `Content-Disposition`) whose first
    /// parameter follows the value without `;` (see
    /// [`params::ParsedValue::missing_semicolon`]), with the input offset of
    /// each field.
    pub missing_semicolon: Vec<(&'static str, u64)>,
}

/// Reads the MIME fields of one entity from their raw bytes. Each field is
/// read from its first occurrence (the one rule for repeated fields, see
/// LENIENCY.md). `parent_type` is the content type of the enclosing
/// multipart, for the multipart/digest default (RFC 2046 §5.1.5).
pub fn part_info(fields: &[Field<'_>], parent_type: Option<&str>) -> PartInfo {
    let mut ct: Option<params::ParsedValue> = None;
    let mut cd: Option<params::ParsedValue> = None;
    let (mut ct_at, mut cd_at) = (0, 0);
    let mut cte = None;
    let mut cid = None;
    let mut desc = None;
    for h in fields {
        match h.name {
            HeaderName::ContentType if ct.is_none() => {
                ct = Some(params::parse(h.raw_value()));
                ct_at = h.offset;
            }
            HeaderName::ContentDisposition if cd.is_none() => {
                cd = Some(params::parse(h.raw_value()));
                cd_at = h.offset;
            }
            HeaderName::ContentTransferEncoding if cte.is_none() => {
                // Comments and quotes removed (`base64 (comment)`), RFC 2045 §6.1.
                cte = Some(match super::transfer::Mechanism::parse(h.raw_value()) {
                    super::transfer::Mechanism::Unknown(v) => v,
                    m => m.name().to_string(),
                })
            }
            HeaderName::ContentId if cid.is_none() => {
                let v = String::from_utf8_lossy(h.raw_value()).trim().to_string();
                cid = Some(v.trim_start_matches('<').trim_end_matches('>').to_string())
            }
            HeaderName::ContentDescription if desc.is_none() => {
                desc = Some(decode_text(h.raw_value()).0)
            }
            _ => {}
        }
    }
    let declared = ct.as_ref().is_some_and(|c| is_valid_type(&c.value));
    let content_type = match &ct {
        Some(c) if declared => c.value.clone(),
        _ if parent_type == Some("multipart/digest") => "message/rfc822".to_string(),
        _ => "text/plain".to_string(),
    };
    let params_dropped =
        ct.as_ref().map_or(0, |c| c.dropped) + cd.as_ref().map_or(0, |c| c.dropped);
    let mut missing_semicolon = Vec::new();
    if ct.as_ref().is_some_and(|c| c.missing_semicolon) {
        missing_semicolon.push(("Content-Type", ct_at));
    }
    if cd.as_ref().is_some_and(|c| c.missing_semicolon) {
        missing_semicolon.push(("Content-Disposition", cd_at));
    }
    let ct_params = ct.map(|c| c.params).unwrap_or_default();
    let mut candidates = Vec::new();
    if let Some(cd) = &cd {
        push_candidates(&cd.params, "filename", &mut candidates);
    }
    push_candidates(&ct_params, "name", &mut candidates);
    let filename = candidates
        .iter()
        .find(|c| !c.value.trim().is_empty())
        .map(|c| c.value.clone());
    let charset = ct_params
        .iter()
        .find(|p| p.name == "charset")
        .map(|p| p.value.trim().to_ascii_lowercase());
    PartInfo {
        content_type,
        content_type_declared: declared,
        params: ct_params,
        disposition: cd.map(|c| c.value).filter(|v| !v.is_empty()),
        filename,
        filename_candidates: candidates,
        transfer_encoding: cte,
        charset,
        content_id: cid,
        description: desc,
        params_dropped,
        missing_semicolon,
    }
}

/// `type/subtype` with both halves non-empty RFC 2045 tokens; anything
/// else (`text`, `/plain`, `text/`) is invalid and means text/plain
/// (RFC 2045 §5.2).
fn is_valid_type(v: &str) -> bool {
    let token = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?=".contains(&b))
    };
    match v.split_once('/') {
        Some((t, s)) => token(t) && token(s),
        None => false,
    }
}

fn push_candidates(ps: &[Param], name: &str, out: &mut Vec<NameCandidate>) {
    let (ext, plain): (&'static str, &'static str) = if name == "filename" {
        ("filename*", "filename")
    } else {
        ("name*", "name")
    };
    for p in ps.iter().filter(|p| p.name == name && p.extended) {
        out.push(NameCandidate {
            source: ext,
            value: p.value.clone(),
        });
    }
    for p in ps.iter().filter(|p| p.name == name && !p.extended) {
        out.push(NameCandidate {
            source: plain,
            value: p.value.clone(),
        });
    }
}

/// Unfolds a raw header value and decodes RFC 2047 words and raw 8-bit
/// UTF-8. Returns the text and whether the decoding was exact (false for
/// 8-bit bytes that were not UTF-8, or lossy charset conversion).
pub fn decode_text(raw: &[u8]) -> (String, bool) {
    // From the raw bytes, never from already-decoded text: a raw 8-bit byte
    // inside an encoded word is decoded once (See: issue 10).
    let d = encoded_word::decode_header(raw);
    (d.text, d.exact)
}

/// [`decode_text`] borrowing the value when decoding would not change it:
/// ASCII on one line without an encoded word, which most fields are. Then
/// exporting a field's decoded text copies and allocates nothing.
pub fn decode_text_cow(raw: &[u8]) -> (Cow<'_, str>, bool) {
    if raw.is_ascii()
        && memchr::memchr2(b'\n', b'\r', raw).is_none()
        && encoded_word::find_open(raw, 0).is_none()
    {
        if let Ok(s) = std::str::from_utf8(raw) {
            return (Cow::Borrowed(s), true);
        }
    }
    let (s, exact) = decode_text(raw);
    (Cow::Owned(s), exact)
}

/// The header findings of a message, in field order: over-long fields, raw
/// 8-bit bytes, encoded words that could not be decoded exactly, repeated
/// singleton fields (every repetition, with its offset, naming the first),
/// then a missing or invalid Date and a missing Message-ID.
pub fn findings(msg: &super::Message<'_>, out: &mut Vec<Finding>) {
    let max = msg.limits.max_header_bytes;
    // One list for every part, emptied per part (no allocation per part).
    let mut first_seen: Vec<(&HeaderName<'_>, u64)> = Vec::new();
    for (pi, part) in msg.parts.iter().enumerate() {
        let top = pi == 0;
        first_seen.clear();
        // Computed at the first 8-bit field only: whether a Received field
        // records an SMTPUTF8 transfer (`with UTF8SMTPS`, Exim's
        // `utf8esmtps`), under which UTF-8 header fields are legal
        // (RFC 6531, RFC 6532). See: issue 16.
        let mut smtputf8: Option<bool> = None;
        for h in &part.headers {
            // Only a finding's message needs the name as text.
            let name = || String::from_utf8_lossy(h.raw_name);
            if top {
                let mut value = h.raw_value();
                if value.len() > max {
                    out.push(
                        Finding::new(
                            "header_too_long",
                            format!(
                                "the {} header field is {} bytes long; only the first {max} are exported",
                                name(),
                                value.len()
                            ),
                        )
                        .at(Some(h.offset)),
                    );
                    value = &value[..max];
                }
                let legal_utf8 = |smtputf8: &mut Option<bool>| {
                    *smtputf8.get_or_insert_with(|| {
                        part.headers.iter().any(|r| {
                            r.name == HeaderName::Received && {
                                let v = r.raw_value().to_ascii_lowercase();
                                memchr::memmem::find(&v, b"with utf8").is_some()
                            }
                        })
                    })
                };
                let legal = value.is_ascii()
                    || std::str::from_utf8(value).is_ok() && legal_utf8(&mut smtputf8);
                if !legal {
                    let utf8 = std::str::from_utf8(value).is_ok();
                    out.push(
                        Finding::new(
                            "8bit_header",
                            format!(
                                "raw 8-bit bytes in the {} header field{}",
                                name(),
                                if utf8 {
                                    " (valid UTF-8)"
                                } else {
                                    " (not UTF-8)"
                                }
                            ),
                        )
                        .at(Some(h.offset)),
                    );
                } else if super::encoded_word::find_open(value, 0).is_some()
                    && !decode_text(value).1
                {
                    out.push(
                        Finding::new(
                            "header_decoding",
                            format!("the {} header field could not be decoded exactly", name()),
                        )
                        .at(Some(h.offset)),
                    );
                }
            }
            if top
                && matches!(
                    h.name,
                    HeaderName::From
                        | HeaderName::Sender
                        | HeaderName::ReplyTo
                        | HeaderName::To
                        | HeaderName::Cc
                        | HeaderName::Bcc
                )
                && super::address::has_encoded_word_in_address(h.raw_value())
            {
                out.push(
                    Finding::new(
                        "encoded_word_in_address",
                        format!("an encoded word inside an addr-spec in the {} header field: not decoded (RFC 2047 §5)", name()),
                    )
                    .at(Some(h.offset)),
                );
            }
            let counts = if top {
                super::is_singleton(&h.name)
            } else {
                matches!(
                    h.name,
                    HeaderName::ContentType
                        | HeaderName::ContentTransferEncoding
                        | HeaderName::ContentDisposition
                )
            };
            if !counts {
                continue;
            }
            match first_seen.iter().find(|(n, _)| **n == h.name) {
                Some((_, first)) => {
                    let f = Finding::new(
                        "duplicate_header",
                        format!(
                            "more than one {} header field; the first (at offset {first}) is used",
                            name()
                        ),
                    )
                    .at(Some(h.offset));
                    out.push(if top { f } else { f.part(&part.id) });
                }
                None => first_seen.push((&h.name, h.offset)),
            }
        }
    }
    match (msg.field(&HeaderName::Date), msg.date_result()) {
        (Some(f), Some(super::date::DateResult::Invalid { reason })) => out.push(
            Finding::new(
                "invalid_date",
                format!(
                    "Date {:?} is not a possible date: {reason}",
                    String::from_utf8_lossy(f.raw_value())
                ),
            )
            .at(Some(f.offset)),
        ),
        (Some(f), Some(super::date::DateResult::Unparseable)) => out.push(
            Finding::new(
                "unparseable_date",
                format!(
                    "Date header not understood: {:?}",
                    String::from_utf8_lossy(f.raw_value())
                ),
            )
            .at(Some(f.offset)),
        ),
        (None, _) => out.push(Finding::new("missing_date", "no Date header field")),
        _ => {}
    }
    if msg.message_id().is_none() {
        out.push(Finding::new(
            "missing_message_id",
            "no Message-ID header field",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The borrowed fast path gives exactly what the full decoding gives,
    // and borrows only where nothing changes.
    #[test]
    fn decode_text_cow_equals_decode_text() {
        let cases: [(&[u8], bool); 9] = [
            (b" plain ascii subject", true),
            (b"", true),
            (b"folded\r\n continued", false),
            (b"folded\n continued", false),
            (b"ends in cr\r", false),
            (b"=?utf-8?q?caf=C3=A9?=", false),
            (b"a =? b", false),
            (b"caf\xc3\xa9", false),
            (b"latin \xe9", false),
        ];
        for (raw, borrowed) in cases {
            let (cow, exact) = decode_text_cow(raw);
            let (want, want_exact) = decode_text(raw);
            assert_eq!(cow, want, "{raw:?}");
            assert_eq!(exact, want_exact, "{raw:?}");
            assert_eq!(matches!(cow, Cow::Borrowed(_)), borrowed, "{raw:?}");
        }
    }
}
