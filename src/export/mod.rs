//! The JSON Lines export: our schema, documented in `docs/json.md`.
//!
//! Every record is one JSON object on one line with a `"type"` tag. Decoded
//! text is a JSON string; raw bytes are `{"text": …}` when they are valid
//! UTF-8 and `{"bytes": <base64>}` otherwise, so nothing is lost.

pub mod extract;
pub mod headers;
pub mod info;
pub mod iocs;
pub mod json;
pub mod limits;
pub mod listing;
pub mod trace;
pub mod tree;

/// The schema version written in every message record. Within a version
/// changes are additive (new keys); a key that changes shape bumps it
/// (CHANGELOG.md lists every change). 2: one vocabulary across record
/// types (issue 15): `trace` writes message ids and Return-Path bare as
/// `json` does, `from` as an address list, hop numbers 1-based, dates'
/// text as `raw`. The schemas are in docs/schema/.
pub const SCHEMA_VERSION: u32 = 2;

/// Writes `v` as one compact JSON value to `buf`: the one writer of every
/// JSON Lines record. sonic-rs gives the bytes serde_json gives (keys in
/// field order, the same escapes and number forms; pinned by the test
/// below) and finds the bytes to escape with SIMD instructions, which
/// matters because decoded text bodies are most of a `json` record.
pub fn write_json<T: serde::Serialize + ?Sized>(buf: &mut Vec<u8>, v: &T) -> std::io::Result<()> {
    sonic_rs::to_writer(buf, v).map_err(std::io::Error::other)
}

/// [`write_json`] to any writer (a whole-run record, not a per-message one).
pub fn write_json_to<T: serde::Serialize + ?Sized>(
    out: &mut dyn std::io::Write,
    v: &T,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    write_json(&mut buf, v)?;
    out.write_all(&buf)
}

#[cfg(test)]
mod tests {
    use super::write_json;

    #[derive(serde::Serialize)]
    struct Rec<'a> {
        text: &'a str,
        n: Option<u64>,
        i: i64,
        f: f64,
        v: Vec<serde_json::Value>,
    }

    /// Every escape and number form serde_json writes, byte for byte.
    #[test]
    fn write_json_equals_serde_json() {
        let mut all = String::new();
        for c in (0u32..0x100).chain([0x2028, 0x2029, 0xFEFF, 0x1F600, 0x10FFFF]) {
            all.extend(char::from_u32(c));
        }
        let texts = [all.as_str(), "", "plain", "a\"b\\c/d\n\r\t\u{7f}", "ü→😀"];
        let floats = [
            0.0,
            -0.0,
            0.1,
            1.5e-7,
            1e21,
            123456789.125,
            f64::MAX,
            f64::MIN_POSITIVE,
            f64::NAN,
            f64::INFINITY,
        ];
        for text in texts {
            for &f in &floats {
                for n in [None, Some(0), Some(u64::MAX)] {
                    let rec = Rec {
                        text,
                        n,
                        i: i64::MIN,
                        f,
                        v: vec![serde_json::json!({"b": 1, "a": [true, null, "x"]})],
                    };
                    let mut ours = Vec::new();
                    write_json(&mut ours, &rec).unwrap_or_default();
                    let theirs = serde_json::to_vec(&rec).unwrap_or_default();
                    assert_eq!(
                        String::from_utf8_lossy(&ours),
                        String::from_utf8_lossy(&theirs)
                    );
                }
            }
        }
    }
}
