//! The manifest of `emlkit extract --json` (schema in docs/extract.md).
//!
//! Per message, in order:
//!
//! 1. one `finding` record per finding of the message
//!    ([`Message::findings`](crate::model::Message::findings): the same list
//!    as the `findings` of `emlkit json` and the `finding` records of
//!    `tree --json`), with the message's `source`;
//! 2. one `finding` record per extraction finding that concerns no file
//!    (`message_partial`);
//! 3. one `file` record per file written:
//!
//! ```text
//! {"type": "file", "source", "part", "name_candidates": [{source, value}],
//!  "raw_name", "name", "path", "content_type", "sniffed_type", "size",
//!  "sha256", "sha1", "md5", "findings": [finding]}
//! ```
//!
//! A file's `findings` are the message's findings about its part (copied
//! from the message's list, never computed again: `conflicting_filenames`,
//! `encoding_problem`, …) followed by the findings of the extraction
//! (`unsafe_filename`, `type_mismatch`, `uu_truncated`, …).

use super::json::SourceRec;
use crate::extract::Item;
use crate::model::Finding;
use serde::Serialize;

#[derive(Serialize)]
struct CandidateRec<'a> {
    source: &'a str,
    value: &'a str,
}

/// Digests of a file's bytes, lower-case hex; a digest not computed is left
/// out of the record.
#[derive(Debug, Clone, Default)]
pub struct Digests {
    /// SHA-256.
    pub sha256: Option<String>,
    /// SHA-1.
    pub sha1: Option<String>,
    /// MD5.
    pub md5: Option<String>,
}

impl Digests {
    /// The digests asked for of `data` (each costs a pass over the bytes).
    pub fn of(data: &[u8], sha256: bool, sha1: bool, md5: bool) -> Digests {
        use sha2::Digest;
        Digests {
            sha256: sha256.then(|| super::json::hex(&sha2::Sha256::digest(data))),
            sha1: sha1.then(|| super::json::hex(&sha1::Sha1::digest(data))),
            md5: md5.then(|| super::json::hex(&md5::Md5::digest(data))),
        }
    }
}

/// One `file` record of the manifest.
#[derive(Serialize)]
#[non_exhaustive]
pub struct FileRec<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    source: &'a SourceRec<'a>,
    part: &'a str,
    name_candidates: Vec<CandidateRec<'a>>,
    raw_name: Option<&'a str>,
    name: &'a str,
    path: String,
    content_type: &'a str,
    sniffed_type: Option<&'static str>,
    size: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    sha256: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sha1: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    md5: Option<String>,
    findings: Vec<&'a Finding>,
}

impl<'a> FileRec<'a> {
    /// The record of `item`, written to `path`. `message_findings` is the
    /// message's list ([`Message::findings`](crate::model::Message::findings));
    /// those about the item's part come first in `findings`.
    pub fn new(
        source: &'a SourceRec<'a>,
        item: &'a Item<'_>,
        path: &std::path::Path,
        digests: Digests,
        message_findings: &'a [Finding],
    ) -> Self {
        let findings = message_findings
            .iter()
            .filter(|f| f.part.as_deref() == Some(item.id.as_str()))
            .chain(&item.findings)
            .collect();
        FileRec {
            kind: "file",
            source,
            part: &item.id,
            name_candidates: item
                .candidates
                .iter()
                .map(|c| CandidateRec {
                    source: c.source,
                    value: &c.value,
                })
                .collect(),
            raw_name: item.raw_name.as_deref(),
            name: &item.name,
            path: path.display().to_string(),
            content_type: &item.content_type,
            sniffed_type: item.sniffed,
            size: item.data.len(),
            sha256: digests.sha256,
            sha1: digests.sha1,
            md5: digests.md5,
            findings,
        }
    }
}
