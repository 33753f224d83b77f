//! The records of `emlkit tree --json`: one `part` record per part, in
//! pre-order, then one `finding` record per finding of the message
//! ([`Message::findings`], the same list as the `findings` of `emlkit
//! json`), each with the message's `source`.
//!
//! A `part` record is the part object of docs/json.md with `sha256` (of
//! the decoded bytes) and then `"type": "part"` and `source`.

use super::json::{part_record, FindingRec, PartRec, SourceRec};
use crate::model::Message;
use serde::Serialize;

/// One `part` record of `tree --json`.
#[derive(Serialize)]
#[non_exhaustive]
pub struct TreePartRec<'a> {
    #[serde(flatten)]
    part: PartRec<'a>,
    #[serde(rename = "type")]
    kind: &'static str,
    source: &'a SourceRec<'a>,
}

/// Writes the records of one message, one per line, to `out`.
pub fn write_records(
    out: &mut Vec<u8>,
    msg: &Message<'_>,
    source: &SourceRec<'_>,
) -> std::io::Result<()> {
    for p in &msg.parts {
        let rec = TreePartRec {
            part: part_record(p, true),
            kind: "part",
            source,
        };
        crate::export::write_json(out, &rec)?;
        out.push(b'\n');
    }
    for f in msg.findings() {
        crate::export::write_json(out, &FindingRec::new(f, source))?;
        out.push(b'\n');
    }
    Ok(())
}
