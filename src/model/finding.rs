//! Findings: what the parser tolerated or noticed, as data.

use serde::ser::{SerializeStruct, Serializer};
use serde::Serialize;

/// How much a finding says about the message.
///
/// See [`Severity::of`] for the one table of codes. See: issue 16.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Severity {
    /// A deviation from the standards, a contradiction in the message or a
    /// cut output: worth an analyst's look (`clock_skew`, `broken_chain`,
    /// `duplicate_header`, limits, …).
    Anomaly,
    /// A fact that is common in legitimate mail and suspicious only with
    /// other signs (`no_tls_public_hop`, `preamble`, `missing_message_id`, …).
    Observation,
}

impl Severity {
    /// `"anomaly"` or `"observation"`, as written in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Anomaly => "anomaly",
            Severity::Observation => "observation",
        }
    }

    /// The severity of a finding code: the one table, used by every
    /// command's JSON and by the `trace` table's default filter.
    ///
    /// To add a code: if it is common in legitimate mail, list it under
    /// `Observation`; otherwise list it under `Anomaly` (documentation
    /// only: a code listed nowhere is an anomaly, so that a new code is
    /// shown rather than hidden).
    pub fn of(code: &str) -> Severity {
        match code {
            // Legal or common in clean mail.
            "no_tls_public_hop"
            | "missing_message_id"
            | "no_received"
            | "unparsed_received"
            | "preamble"
            | "content_after_closing_boundary"
            | "envelope_line"
            | "lossy_text"
            | "byte_order_mark"
            | "unusable_filename"
            | "message_partial"
            | "message_partial_reassembled"
            // Mailbox findings (docs/mailbox.md).
            | "from_line_without_blank_line"
            | "loose_from_line"
            | "unquoted_from_in_body"
            | "missing_final_newline"
            | "leading_blank_lines"
            // Sender and DKIM facts that clean mail shows too: mailing lists
            // re-sign and rewrite the envelope; IDNs are legitimate;
            // rsa-sha1 and unsigned Subject/To are weak, not forged.
            | "return_path_mismatch"
            | "reply_to_unaligned"
            | "dmarc_unaligned"
            | "punycode_domain"
            | "dkim_invalid"
            | "dkim_weak"
            | "dkim_unsigned_field" => Severity::Observation,
            // Deviations, contradictions, cut output (listed for the
            // reader; the default below gives the same answer).
            "clock_skew"
            | "broken_chain"
            | "duplicate_header"
            | "future_date"
            | "date_far_from_first_hop"
            | "private_after_public"
            | "malformed_message_id"
            | "dkim_body_hash_mismatch"
            | "dkim_signature_fail"
            | "dkim_unsigned_copy"
            | "dkim_body_length_tail"
            | "arc_structure"
            | "arc_ams_fail"
            | "arc_seal_fail"
            | "display_name_address"
            | "invalid_idna"
            | "mixed_script_domain"
            | "confusable_domain"
            | "lookalike_domain"
            | "link_text_mismatch"
            | "url_userinfo"
            | "ioc_limit"
            | "missing_hop_date"
            | "missing_date"
            | "invalid_date"
            | "unparseable_date"
            | "8bit_header"
            | "header_decoding"
            | "body_in_header"
            | "bare_cr_in_header"
            | "param_without_semicolon"
            | "orphan_continuation"
            | "no_headers"
            | "encoded_word_in_address"
            | "missing_closing_boundary"
            | "unclosed_multipart"
            | "boundary_not_at_line_start"
            | "boundary_prefix_line"
            | "part_after_close"
            | "multipart_without_boundary"
            | "encoded_message"
            | "message_without_header"
            | "part_without_header"
            | "empty_multipart"
            | "encoding_problem"
            | "conflicting_filenames"
            | "extension_mismatch"
            | "type_mismatch"
            | "unsafe_filename"
            | "tnef_damaged"
            | "uu_truncated"
            | "trace_limit"
            | "header_limit"
            | "header_too_long"
            | "depth_limit"
            | "part_limit"
            | "param_limit"
            | "finding_limit"
            | "content_length_mismatch"
            | "missing_from_line"
            | "findings_truncated" => Severity::Anomaly,
            // Unknown (a code added elsewhere and not listed yet): shown.
            _ => Severity::Anomaly,
        }
    }
}

/// One deviation from the RFCs, or an anomaly worth an analyst's attention.
///
/// Codes are stable snake_case strings; see LENIENCY.md and docs/json.md.
/// In JSON a finding also carries `severity` ([`Severity::of`] its code).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Finding {
    /// Always `"finding"` in JSON.
    pub kind: &'static str,
    /// The stable code, for example `missing_closing_boundary`.
    pub code: &'static str,
    /// A human-readable explanation quoting the offending value.
    pub message: String,
    /// The part id it concerns, when it concerns one.
    pub part: Option<String>,
    /// The byte offset in the input, when known.
    pub offset: Option<u64>,
}

/// `{"type", "code", "severity", "message", "part"?, "offset"?}`.
impl Serialize for Finding {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let n = 4 + usize::from(self.part.is_some()) + usize::from(self.offset.is_some());
        let mut st = s.serialize_struct("Finding", n)?;
        st.serialize_field("type", self.kind)?;
        st.serialize_field("code", self.code)?;
        st.serialize_field("severity", self.severity().as_str())?;
        st.serialize_field("message", &self.message)?;
        if let Some(p) = &self.part {
            st.serialize_field("part", p)?;
        } else {
            st.skip_field("part")?;
        }
        if let Some(o) = self.offset {
            st.serialize_field("offset", &o)?;
        } else {
            st.skip_field("offset")?;
        }
        st.end()
    }
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

    /// The severity of this finding's code ([`Severity::of`]).
    pub fn severity(&self) -> Severity {
        Severity::of(self.code)
    }

    /// Sets the byte offset.
    pub fn at(mut self, offset: Option<u64>) -> Finding {
        self.offset = offset;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities() {
        assert_eq!(Severity::of("no_tls_public_hop"), Severity::Observation);
        assert_eq!(Severity::of("clock_skew"), Severity::Anomaly);
        assert_eq!(Severity::of("duplicate_header"), Severity::Anomaly);
        // A code added later and not listed is shown, not hidden.
        assert_eq!(Severity::of("some_new_code"), Severity::Anomaly);
        let j = serde_json::to_value(Finding::new("preamble", "x").at(Some(3))).unwrap();
        assert_eq!(j["severity"], "observation");
        assert_eq!(j["offset"], 3);
        assert!(j.get("part").is_none());
    }
}
