//! The `iocs` section of `trace --json --iocs` and `json --iocs` (schema in
//! docs/trace.md and docs/json.md):
//!
//! ```text
//! "iocs": {"indicators": [{"kind", "value", "decoded"?, "count",
//!            "locations": [{"part"|"field", "context", "offset"}]}],
//!          "dropped", "findings"?}
//! ```
//!
//! With `defang`, every `value` is written defanged
//! ([`defang`]: `hxxp://`, `[.]`, `[@]`).

use crate::forensics::iocs::{defang, Indicator, Iocs, Kind, Location};
use crate::model::Finding;
use serde::Serialize;
use std::borrow::Cow;

/// One indicator.
#[derive(Serialize)]
#[non_exhaustive]
pub struct IndicatorRec<'a> {
    kind: Kind,
    value: Cow<'a, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    decoded: Option<&'a str>,
    count: usize,
    locations: &'a [Location],
}

/// The `iocs` section.
#[derive(Serialize)]
#[non_exhaustive]
pub struct IocsRec<'a> {
    indicators: Vec<IndicatorRec<'a>>,
    dropped: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    findings: Option<&'a [Finding]>,
}

/// The value as written out: defanged when asked.
pub fn value(i: &Indicator, defanged: bool) -> Cow<'_, str> {
    if defanged {
        Cow::Owned(defang(i.kind, &i.value))
    } else {
        Cow::Borrowed(&i.value)
    }
}

/// Builds the section; `with_findings` puts the extraction's findings in
/// it (`json`, whose message findings are the model's; `trace` adds them
/// to its own list instead).
pub fn record(iocs: &Iocs, defanged: bool, with_findings: bool) -> IocsRec<'_> {
    IocsRec {
        indicators: iocs
            .indicators
            .iter()
            .map(|i| IndicatorRec {
                kind: i.kind,
                value: value(i, defanged),
                decoded: i.decoded.as_deref(),
                count: i.count,
                locations: &i.locations,
            })
            .collect(),
        dropped: iocs.dropped,
        findings: with_findings.then_some(iocs.findings.as_slice()),
    }
}

/// A record with an `iocs` section added after its own fields (`json
/// --iocs`).
#[derive(Serialize)]
#[non_exhaustive]
pub struct WithIocs<'a, R: Serialize> {
    #[serde(flatten)]
    rec: R,
    iocs: IocsRec<'a>,
}

impl<'a, R: Serialize> WithIocs<'a, R> {
    /// `rec` followed by `"iocs": …`.
    pub fn new(rec: R, iocs: IocsRec<'a>) -> Self {
        WithIocs { rec, iocs }
    }
}
