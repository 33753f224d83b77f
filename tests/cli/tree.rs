//! Tests of `emlkit tree`.

use crate::common::*;

fn messages() -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(testdata("messages"))
        .expect("testdata/messages")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    v.sort();
    assert!(v.len() >= 9, "testdata/messages is incomplete");
    v
}

#[test]
fn tree_golden_files() {
    for m in messages() {
        let (code, out, err) = run(&["tree", m.to_str().unwrap_or_default()]);
        assert_eq!(code, 0, "{}: {err}", m.display());
        golden(&m.with_extension("tree"), &out);
    }
}

#[test]
fn nested_ids_follow_imap_numbering() {
    let (code, out, _) = run(&[
        "tree",
        "--json",
        testdata("messages/nested.eml").to_str().unwrap_or_default(),
    ]);
    assert_eq!(code, 0);
    let ids: Vec<String> = json_lines(&out)
        .iter()
        .filter(|r| r["type"] == "part")
        .map(|r| r["id"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(ids, ["0", "1", "2", "2.0", "2.1", "2.2", "2.2.1"]);
}

#[test]
fn digest_members_default_to_message_rfc822() {
    let (_, out, _) = run(&[
        "tree",
        "--json",
        testdata("messages/digest.eml").to_str().unwrap_or_default(),
    ]);
    let recs = json_lines(&out);
    let types: Vec<&str> = recs
        .iter()
        .filter_map(|r| r["content_type"].as_str())
        .collect();
    assert_eq!(
        types,
        [
            "multipart/digest",
            "message/rfc822",
            "text/plain",
            "message/rfc822",
            "text/plain"
        ]
    );
}

#[test]
fn tree_json_parts_carry_hash_and_source() {
    let p = testdata("messages/mixed.eml");
    let (_, out, _) = run(&["tree", "--json", p.to_str().unwrap_or_default()]);
    let recs = json_lines(&out);
    let pdf = recs.iter().find(|r| r["id"] == "2").expect("part 2");
    assert_eq!(pdf["filename"], "report.pdf");
    assert_eq!(pdf["source"]["path"], p.to_str().unwrap_or_default());
    assert_eq!(pdf["sha256"].as_str().map(str::len), Some(64));
}

#[test]
fn terminal_escapes_in_names_are_neutralised_on_a_tty_only() {
    // Not a tty here: bytes pass through unchanged (documented), but the
    // escaping function itself is unit-tested in src/term.rs. What must hold
    // in pipes: the output is exactly the name, no crash.
    let msg = b"From: a@b\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain; name=\"\x1b[31mred\xe2\x80\xaetxt.exe\"\n\nx\n--b--\n";
    let (code, out, _) = run_stdin(&["tree"], msg);
    assert_eq!(code, 0);
    assert!(String::from_utf8_lossy(&out).contains("red"));
}

#[test]
fn bad_inputs_are_reported_and_the_rest_processed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let empty = dir.path().join("empty.eml");
    std::fs::write(&empty, b"").expect("write");
    let bin = dir.path().join("bin.eml");
    std::fs::write(&bin, b"\x00\x01\x02\x7fELF").expect("write");
    let missing = dir.path().join("missing.eml");
    let good = testdata("messages/mixed.eml");
    let (code, out, err) = run(&[
        "tree",
        empty.to_str().unwrap_or_default(),
        bin.to_str().unwrap_or_default(),
        missing.to_str().unwrap_or_default(),
        good.to_str().unwrap_or_default(),
    ]);
    assert_eq!(code, 2);
    assert!(
        out.contains("application/pdf"),
        "the good input is still processed"
    );
    assert!(
        err.contains("empty.eml: empty file: not a message"),
        "{err}"
    );
    assert!(err.contains("bin.eml: not a message: binary data"), "{err}");
    assert!(err.contains("missing.eml: No such file"), "{err}");
}

#[test]
fn an_empty_directory_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (code, _, err) = run(&["tree", dir.path().to_str().unwrap_or_default()]);
    assert_eq!(code, 2);
    assert!(err.contains("no message files"), "{err}");
}

#[test]
fn limits_are_findings_and_configurable() {
    let p = testdata("messages/nested.eml");
    let path = p.to_str().unwrap_or_default();
    // A limit that cuts output says so: finding, stderr, exit 2 (issue 14).
    let (code, out, err) = run(&["tree", "--max-depth", "2", path]);
    assert_eq!(code, 2);
    assert!(out.contains("depth_limit"), "{out}");
    assert!(
        err.contains("depth_limit") && err.contains("--max-depth"),
        "{err}"
    );
    assert!(
        !out.contains("2.2.1"),
        "parts below the limit are not listed"
    );
    let (code, out, _) = run(&["tree", "--max-parts", "3", path]);
    assert_eq!(code, 2);
    assert!(out.contains("part_limit"), "{out}");
    let (_, out, _) = run(&[
        "json",
        "--max-headers",
        "2",
        "--max-header-bytes",
        "5",
        path,
    ]);
    let v = &json_lines(&out)[0];
    assert_eq!(v["headers"].as_array().map(Vec::len), Some(2));
    let codes = finding_codes(v);
    assert!(
        codes.iter().any(|c| c == "header_limit") && codes.iter().any(|c| c == "header_too_long"),
        "{codes:?}"
    );
    // Defaults are far above real mail: the full tree is listed.
    let (_, out, _) = run(&["tree", path]);
    assert!(out.contains("2.2.1") && !out.contains("limit"));
}

#[test]
fn a_message_over_the_size_limit_is_reported_and_skipped() {
    let small = testdata("messages/parallel.eml");
    let big = testdata("messages/mixed.eml");
    let (code, out, err) = run(&[
        "tree",
        "--max-message-bytes",
        "1000",
        small.to_str().unwrap_or_default(),
        big.to_str().unwrap_or_default(),
    ]);
    assert_eq!(code, 2);
    assert!(
        out.contains("audio/basic"),
        "the small message is still processed"
    );
    assert!(
        err.contains("larger than --max-message-bytes (1000)"),
        "{err}"
    );
}

/// The records of `tree --json`, pinned: an unplanned key fails the test.
#[allow(dead_code)]
mod schema {
    use serde::Deserialize;
    use serde_json::Value;

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Part {
        pub id: String,
        pub depth: usize,
        pub kind: String,
        pub content_type: String,
        pub params: serde_json::Map<String, Value>,
        pub disposition: Option<String>,
        pub filename: Option<String>,
        pub filename_candidates: Option<Vec<Candidate>>,
        pub transfer_encoding: Option<String>,
        pub charset: Option<String>,
        pub content_id: Option<String>,
        pub description: Option<String>,
        pub size_encoded: u64,
        pub size_decoded: Option<u64>,
        pub sha256: Option<String>,
        pub offsets: Option<Offsets>,
        #[serde(rename = "type")]
        pub record: String,
        pub source: Value,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Candidate {
        pub source: String,
        pub value: String,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Offsets {
        pub header: u64,
        pub body: u64,
        pub end: u64,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Finding {
        #[serde(rename = "type")]
        pub kind: String,
        pub code: String,
        pub severity: String,
        pub message: String,
        pub part: Option<String>,
        pub offset: Option<u64>,
        pub source: Value,
    }
}

#[test]
fn tree_json_records_are_pinned() {
    for m in messages() {
        let (code, out, _) = run(&["tree", "--json", m.to_str().unwrap_or_default()]);
        assert_eq!(code, 0);
        let mut parts = 0;
        for line in out.lines() {
            if line.starts_with(r#"{"type":"finding""#) {
                let f: schema::Finding =
                    serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
                assert_eq!(f.kind, "finding");
                assert!(f.source["path"].is_string());
                continue;
            }
            let p: schema::Part =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
            assert_eq!(p.record, "part");
            assert!(p.source["path"].is_string());
            // Leaves are hashed; containers (multiparts, attached messages,
            // whose bytes hold every level below) are not.
            if p.kind == "leaf" {
                assert_eq!(p.sha256.as_deref().map(str::len), Some(64), "{line}");
            } else {
                assert!(p.sha256.is_none(), "{line}");
            }
            parts += 1;
        }
        assert!(parts > 0, "{}", m.display());
    }
}

/// RFC 2046 §5.1.1: `---b1` is not a delimiter of boundary `b1` (a third
/// dash is not the line start of `--b1`). Python's `email`, GMime and
/// MIME-tools agree; the string is reported as a mid-line boundary.
#[test]
fn a_third_dash_before_the_boundary_is_not_a_delimiter() {
    let path = testdata("edge/boundary-extra-leading-dash.eml");
    let (code, out, err) = run(&["tree", "--json", path.to_str().unwrap_or_default()]);
    assert_eq!(code, 0, "{err}");
    let recs = json_lines(&out);
    let leaves: Vec<(String, String)> = recs
        .iter()
        .filter(|r| r["type"] == "part" && r["kind"] == "leaf")
        .map(|r| {
            (
                r["id"].as_str().unwrap_or("").to_string(),
                r["content_type"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        leaves,
        [
            ("1".to_string(), "text/plain".to_string()),
            ("2".to_string(), "application/octet-stream".to_string())
        ]
    );
    let midline: Vec<&serde_json::Value> = recs
        .iter()
        .filter(|r| r["type"] == "finding" && r["code"] == "boundary_not_at_line_start")
        .collect();
    assert_eq!(midline.len(), 1, "{out}");
    assert_eq!(midline[0]["part"], "1");
}
