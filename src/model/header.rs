//! Header fields of one part: MIME fields resolved from raw bytes, and the
//! decoded text of any field.

use super::params::{self, Param};
use super::{encoded_word, raw_value, NameCandidate};
use mail_parser::{HeaderName, MessagePart};

/// MIME facts about one part.
pub struct PartInfo {
    pub content_type: String,
    pub content_type_declared: bool,
    pub params: Vec<Param>,
    pub disposition: Option<String>,
    pub filename: Option<String>,
    pub filename_candidates: Vec<NameCandidate>,
    pub transfer_encoding: Option<String>,
    pub charset: Option<String>,
    pub content_id: Option<String>,
    pub description: Option<String>,
}

/// Reads the MIME fields of `mp` from the raw bytes in `buffer`.
/// `parent_type` is the content type of the enclosing multipart, for the
/// multipart/digest default (RFC 2046 §5.1.5).
pub fn part_info(mp: &MessagePart<'_>, buffer: &[u8], parent_type: Option<&str>) -> PartInfo {
    let mut ct: Option<params::ParsedValue> = None;
    let mut cd: Option<params::ParsedValue> = None;
    let mut cte = None;
    let mut cid = None;
    let mut desc = None;
    for h in &mp.headers {
        match h.name {
            HeaderName::ContentType if ct.is_none() => {
                ct = Some(params::parse(raw_value(h, buffer)))
            }
            HeaderName::ContentDisposition if cd.is_none() => {
                cd = Some(params::parse(raw_value(h, buffer)))
            }
            HeaderName::ContentTransferEncoding if cte.is_none() => {
                cte = Some(
                    String::from_utf8_lossy(raw_value(h, buffer))
                        .split(|c: char| c == '(' || c.is_whitespace())
                        .find(|s| !s.is_empty())
                        .unwrap_or("")
                        .to_ascii_lowercase(),
                )
            }
            HeaderName::ContentId if cid.is_none() => {
                let v = String::from_utf8_lossy(raw_value(h, buffer))
                    .trim()
                    .to_string();
                cid = Some(v.trim_start_matches('<').trim_end_matches('>').to_string())
            }
            HeaderName::ContentDescription if desc.is_none() => {
                desc = Some(decode_text(raw_value(h, buffer)).0)
            }
            _ => {}
        }
    }
    let declared = ct.as_ref().is_some_and(|c| c.value.contains('/'));
    let content_type = match &ct {
        Some(c) if c.value.contains('/') => c.value.clone(),
        _ if parent_type == Some("multipart/digest") => "message/rfc822".to_string(),
        _ => "text/plain".to_string(),
    };
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
    let unfolded = unfold(raw);
    let (text, exact8) = match std::str::from_utf8(&unfolded) {
        Ok(s) => (s.to_string(), true),
        Err(_) => super::charset::utf8_or_1252(&unfolded),
    };
    if text.contains("=?") {
        let (t, ok) = encoded_word::decode(&text);
        (t, ok && exact8)
    } else {
        (text, exact8)
    }
}

/// Removes folding line breaks (CRLF or LF followed by whitespace).
pub fn unfold(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'\r' if raw.get(i + 1) == Some(&b'\n') => i += 1,
            b'\n' => {}
            c => out.push(c),
        }
        i += 1;
    }
    out
}
