//! `emlkit info`: kinds, dialects, counts, mailbox findings with offsets.

use crate::mailbox_common::*;

fn info(path: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["info", "--json"];
    args.extend_from_slice(extra);
    args.push(path);
    let (out, err, code) = run(&args);
    assert_eq!(code, 0, "{err}");
    jsonl(&out).remove(0)
}

fn codes(v: &serde_json::Value) -> Vec<(String, u64)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["offset"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn dialects_and_findings() {
    let v = info("testdata/mbox/mboxrd.mbox", &[]);
    assert_eq!(
        (
            v["kind"].as_str(),
            v["dialect"].as_str(),
            v["messages"].as_u64()
        ),
        (Some("mbox"), Some("mboxrd"), Some(3))
    );
    assert_eq!(v["bytes"], 390);
    let v = info("testdata/mbox/mboxcl2.mbox", &[]);
    assert_eq!(v["dialect"], "mboxcl2");
    assert_eq!(v["messages"], 2);
    let v = info("testdata/mbox/crlf.mbox", &[]);
    assert_eq!(v["line_endings"], "crlf");
    let v = info("testdata/mbox/gitpatch.mbox", &[]);
    assert_eq!(
        codes(&v),
        [("from_line_without_blank_line".to_string(), 132)]
    );
    let v = info("testdata/mbox/ambiguous.mbox", &[]);
    assert_eq!(codes(&v), [("unquoted_from_in_body".to_string(), 60)]);
    assert_eq!(v["messages"], 2);
    let v = info("testdata/mbox/lying-cl.mbox", &[]);
    assert_eq!(codes(&v), [("content_length_mismatch".to_string(), 0)]);
    let v = info("testdata/mbox/no-final-newline.mbox", &[]);
    assert_eq!(codes(&v), [("missing_final_newline".to_string(), 81)]);
    let v = info("testdata/mbox/empty.mbox", &[]);
    assert_eq!(v["messages"], 0);
}

#[test]
fn gmime_loose_separators_are_findings() {
    let Some(p) = corpus("jstedfast-gmime/tests/data/mbox/input/substring.mbox") else {
        return;
    };
    let v = info(p.to_str().unwrap(), &[]);
    assert_eq!(v["messages"], 3);
    let c = codes(&v);
    assert!(c.contains(&("loose_from_line".into(), 526)));
    assert!(c.contains(&("from_line_without_blank_line".into(), 1029)));
}

#[test]
fn maildir_plus_plus_recursive() {
    let Some(p) = corpus("stalwartlabs-mail-parser/resources/maildir") else {
        return;
    };
    let p = p.to_str().unwrap();
    let v = info(p, &[]);
    assert_eq!(
        (v["kind"].as_str(), v["messages"].as_u64()),
        (Some("maildir"), Some(2))
    );
    let v = info(p, &["-r"]);
    assert_eq!(v["messages"], 6);
    assert_eq!(v["folders"][".My Folder.Nested Folder/cur"], 1);
    // Flags from `:2,` and `;2,` names; lower-case keywords are not flags.
    assert_eq!(v["flags"]["S"], 2);
    assert_eq!(v["flags"]["F"], 2);
    // The corpus files are 2-byte placeholders: copy the tree with real
    // messages to see the flags on every record.
    let dir = tempfile::tempdir().unwrap();
    let src = std::path::Path::new(p);
    let mut stack = vec![src.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap().path();
            let to = dir.path().join(e.strip_prefix(src).unwrap());
            if e.is_dir() {
                std::fs::create_dir_all(&to).unwrap();
                stack.push(e);
            } else {
                std::fs::write(&to, b"Subject: x\n\ny\n").unwrap();
            }
        }
    }
    let (out, err, code) = run(&["headers", "--json", "-r", dir.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let recs = jsonl(&out);
    assert_eq!(recs.len(), 6);
    let flags: Vec<&str> = recs
        .iter()
        .map(|r| r["source"]["flags"].as_str().unwrap_or("-"))
        .collect();
    assert_eq!(flags, ["S", "ST", "DRT", "", "DFR", "FP"]);
}

#[test]
fn text_output() {
    let (out, _, code) = run(&["info", "testdata/mbox/gitpatch.mbox"]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with(
            "testdata/mbox/gitpatch.mbox: mbox (mbox, lf), 2 messages, 264 bytes, 1 finding\n"
        ),
        "{out}"
    );
    assert!(out.contains("from_line_without_blank_line at offset 132 (message 1)"));
}

#[test]
fn findings_are_capped_with_a_count() {
    // See: issue 12 — one formatted finding per body `From ` line grew
    // without bound.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("many.mbox");
    let mut data = b"From a Mon Jan  1 00:00:00 2001\nA: 1\n\n".to_vec();
    for _ in 0..5000 {
        data.extend_from_slice(b"From here on\n");
    }
    std::fs::write(&p, &data).unwrap();
    // A cut list is a limit, as in every command (issue 14): noted on
    // stderr, exit code 2.
    let (out, err, code) = run(&["info", "--json", "--max-findings", "7", p.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("many.mbox: finding_limit: 7 of 5000 findings listed (raise --max-findings)"),
        "{err}"
    );
    let v = jsonl(&out).remove(0);
    assert_eq!(v["findings_count"], 5000);
    assert_eq!(v["findings_by_code"]["unquoted_from_in_body"], 5000);
    let f = v["findings"].as_array().unwrap();
    assert_eq!(f.len(), 8);
    assert_eq!(f[7]["code"], "findings_truncated");
    let (out, _, code) = run(&["info", "--json", p.to_str().unwrap()]);
    assert_eq!(code, 2);
    let v = jsonl(&out).remove(0);
    assert_eq!(v["findings"].as_array().unwrap().len(), 101);
    // Under the cap: no note, exit 0.
    let small = dir.path().join("small.mbox");
    std::fs::write(
        &small,
        b"From a Mon Jan  1 00:00:00 2001\nA: 1\n\nFrom here on\n",
    )
    .unwrap();
    let (out, err, code) = run(&["info", small.to_str().unwrap()]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert!(out.contains(": mbox (mbox, lf), 1 message, "), "{out}");
    assert!(out.contains(" bytes, 1 finding\n"), "{out}");
}

#[test]
fn content_length_bodies_do_not_make_a_dialect() {
    let v = info("testdata/mbox/header-only.mbox", &[]);
    assert_eq!(v["messages"], 3);
    assert_eq!(v["dialect"], "mbox");
    assert_eq!(v["quoted_messages"], 0);
}

/// The `summary` record, pinned: an unplanned key fails the test.
#[allow(dead_code)]
mod schema {
    use serde::Deserialize;
    use std::collections::BTreeMap;

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Summary {
        #[serde(rename = "type")]
        pub kind_tag: String,
        pub path: String,
        pub kind: String,
        pub dialect: Option<String>,
        pub line_endings: Option<String>,
        pub messages: usize,
        pub bytes: u64,
        pub compression: Option<String>,
        pub mbox_files: Option<usize>,
        pub quoted_messages: Option<usize>,
        pub folders: Option<BTreeMap<String, usize>>,
        pub flags: Option<BTreeMap<String, usize>>,
        pub findings_count: usize,
        pub findings_by_code: Option<BTreeMap<String, usize>>,
        pub findings: Vec<Finding>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Finding {
        #[serde(rename = "type")]
        pub kind: String,
        pub code: String,
        pub message: String,
        pub offset: u64,
        pub index: usize,
    }
}

#[test]
fn summary_record_is_pinned() {
    for (path, kind) in [
        ("testdata/mbox/ambiguous.mbox", "mbox"),
        ("testdata/messages/mixed.eml", "eml"),
    ] {
        let v = info(path, &[]);
        let s: schema::Summary = serde_json::from_value(v.clone()).expect("schema");
        assert_eq!((s.kind_tag.as_str(), s.kind.as_str()), ("summary", kind));
        assert_eq!(s.dialect.is_some(), kind == "mbox");
        assert_eq!(s.findings_by_code.is_some(), kind == "mbox");
        assert!(s.findings.len() <= s.findings_count);
        // Key order is part of the contract (jq -c output stays stable).
        let keys: Vec<&str> = v
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        if kind == "eml" {
            assert_eq!(
                keys,
                [
                    "type",
                    "path",
                    "kind",
                    "messages",
                    "bytes",
                    "findings_count",
                    "findings"
                ]
            );
        } else {
            assert_eq!(
                keys,
                [
                    "type",
                    "path",
                    "kind",
                    "dialect",
                    "line_endings",
                    "messages",
                    "bytes",
                    "quoted_messages",
                    "findings_count",
                    "findings_by_code",
                    "findings"
                ]
            );
        }
    }
}

/// Issue 11: an empty file and an empty directory mean the same thing in
/// `info` as in every other command (one input resolver).
#[test]
fn empty_inputs_mean_the_same_everywhere() {
    let t = tempfile::tempdir().expect("tempdir");
    let empty = t.path().join("empty.eml");
    std::fs::write(&empty, b"").expect("write");
    let dir = t.path().join("nothing");
    std::fs::create_dir(&dir).expect("mkdir");
    let mbox = t.path().join("empty.mbox");
    std::fs::write(&mbox, b"").expect("write");
    for cmd in ["info", "json", "tree", "headers"] {
        for (p, want) in [(&empty, 2), (&dir, 2), (&mbox, 0)] {
            let o = assert_cmd::Command::cargo_bin("emlkit")
                .expect("binary")
                .arg(cmd)
                .arg(p)
                .output()
                .expect("runs");
            assert_eq!(o.status.code(), Some(want), "{cmd} {}", p.display());
        }
    }
}
