//! The `headers` record of `emlkit headers --json`:
//!
//! ```text
//! {"type": "headers", "source", "headers": [{name, raw, decoded, offset}],
//!  "findings": [finding]}
//! ```
//!
//! `headers` holds the fields selected with `-H` (all by default), in
//! order; `findings` the message's header findings, as every command reports
//! them ([`crate::forensics::header_findings`]: a header-only parse, so no
//! findings about bodies or parts below the top entity).

use super::json::{HeaderRec, SourceRec};
use crate::model::{Field, Finding};
use serde::Serialize;

/// The `headers` record of one message.
#[derive(Serialize)]
#[non_exhaustive]
pub struct HeadersRec<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    source: SourceRec<'a>,
    headers: Vec<HeaderRec<'a>>,
    findings: Vec<Finding>,
}

impl<'a> HeadersRec<'a> {
    /// The record of the selected `fields`, each value cut to `max_bytes`
    /// as in `emlkit json` (the `header_too_long` finding says so), and the
    /// message's `findings`.
    pub fn new<'f>(
        source: SourceRec<'a>,
        fields: impl IntoIterator<Item = &'f Field<'a>>,
        max_bytes: usize,
        findings: Vec<Finding>,
    ) -> Self
    where
        'a: 'f,
    {
        HeadersRec {
            kind: "headers",
            source,
            headers: fields
                .into_iter()
                .map(|f| HeaderRec::new(f, max_bytes))
                .collect(),
            findings,
        }
    }
}
