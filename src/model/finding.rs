//! Findings: what the parser tolerated or noticed, as data.

use serde::Serialize;

/// One deviation from the RFCs, or an anomaly worth an analyst's attention.
///
/// Codes are stable snake_case strings; see LENIENCY.md and docs/json.md.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Finding {
    /// Always `"finding"` in JSON.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The stable code, for example `missing_closing_boundary`.
    pub code: &'static str,
    /// A human-readable explanation quoting the offending value.
    pub message: String,
    /// The part id it concerns, when it concerns one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub part: Option<String>,
    /// The byte offset in the input, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
}

impl Finding {
    /// A finding with a code and a message.
    pub fn new(code: &'static str, message: impl Into<String>) -> Finding {
        Finding {
            kind: "finding",
            code,
            message: message.into(),
            part: None,
            offset: None,
        }
    }

    /// Sets the part id.
    pub fn part(mut self, id: &str) -> Finding {
        self.part = Some(id.to_string());
        self
    }

    /// Sets the byte offset.
    pub fn at(mut self, offset: Option<u64>) -> Finding {
        self.offset = offset;
        self
    }
}
