//! The `summary` record of `emlkit info --json`, one per input:
//!
//! ```text
//! {"type": "summary", "path", "kind", "dialect"?, "line_endings"?,
//!  "messages", "bytes", "quoted_messages"?, "folders"?, "flags"?,
//!  "findings_count", "findings_by_code"?, "findings": [finding]}
//! ```
//!
//! `dialect`, `line_endings`, `quoted_messages` and `findings_by_code` are
//! there for an mbox; `folders` and `flags` for a maildir. A finding here is
//! a mailbox finding: `{type: "finding", code, message, offset, index}`
//! (`index`: of the message it precedes or concerns).

use serde::Serialize;
use std::collections::BTreeMap;

/// One mailbox finding of an `info` summary.
#[derive(Serialize)]
#[non_exhaustive]
pub struct MboxFindingRec {
    #[serde(rename = "type")]
    kind: &'static str,
    /// The stable code.
    pub code: &'static str,
    /// `anomaly` or `observation` ([`crate::model::Severity::of`] the code).
    pub severity: &'static str,
    /// What was found.
    pub message: String,
    /// Byte offset in the input.
    pub offset: u64,
    /// Index of the message concerned.
    pub index: usize,
}

impl MboxFindingRec {
    /// A finding record.
    pub fn new(code: &'static str, message: String, offset: u64, index: usize) -> Self {
        MboxFindingRec {
            kind: "finding",
            code,
            severity: crate::model::Severity::of(code).as_str(),
            message,
            offset,
            index,
        }
    }
}

/// The `summary` record of one input.
#[derive(Serialize)]
#[non_exhaustive]
pub struct SummaryRec {
    #[serde(rename = "type")]
    kind_tag: &'static str,
    /// The input as given.
    pub path: String,
    /// `eml`, `mbox`, `maildir` or `directory`.
    pub kind: &'static str,
    /// mbox: the dialect.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dialect: Option<&'static str>,
    /// mbox: `lf`, `crlf` or `mixed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line_endings: Option<&'static str>,
    /// Messages held.
    pub messages: usize,
    /// Size in bytes.
    pub bytes: u64,
    /// mbox: messages with `>From ` quoting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quoted_messages: Option<usize>,
    /// maildir: messages per folder.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub folders: Option<BTreeMap<String, usize>>,
    /// maildir: messages per flag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flags: Option<BTreeMap<char, usize>>,
    /// All findings (the list may be cut).
    pub findings_count: usize,
    /// mbox: findings counted by code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub findings_by_code: Option<BTreeMap<&'static str, usize>>,
    /// The findings, at most `--max-findings`.
    pub findings: Vec<MboxFindingRec>,
}

impl SummaryRec {
    /// A summary of `kind` with nothing counted yet.
    pub fn new(path: &str, kind: &'static str) -> Self {
        SummaryRec {
            kind_tag: "summary",
            path: path.to_string(),
            kind,
            dialect: None,
            line_endings: None,
            messages: 0,
            bytes: 0,
            quoted_messages: None,
            folders: None,
            flags: None,
            findings_count: 0,
            findings_by_code: None,
            findings: Vec::new(),
        }
    }
}
