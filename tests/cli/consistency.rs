//! One analysis per message (issue 10, item 4): the same message through
//! `json`, `tree --json`, `headers --json`, `trace --json` and
//! `extract --json` reports the same findings for the facts they share, and
//! `json.attachments` names exactly the parts `extract` writes by default.

use crate::common::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Two From fields, no Message-ID, an impossible date, and a multipart
/// whose closing delimiter is missing (a broken boundary).
const MESSY: &str = "Received: from mx.example.org (mx.example.org [203.0.113.5])\n\
\tby mail.example.net with ESMTPS (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384)\n\
\tid 1; Fri, 1 Mar 2024 10:00:05 +0000\n\
From: Alice <alice@example.org>\n\
From: Mallory <mallory@example.net>\n\
To: bob@example.net\n\
Subject: messy\n\
Date: Fri, 31 Feb 2024 10:00:00 +0000\n\
MIME-Version: 1.0\n\
Content-Type: multipart/mixed; boundary=\"b1\"\n\
\n\
--b1\n\
Content-Type: text/plain\n\
\n\
hello\n\
--b1\n\
Content-Type: application/pdf; name=\"a.pdf\"\n\
Content-Disposition: attachment; filename=\"b.pdf\"\n\
Content-Transfer-Encoding: base64\n\
\n\
JVBERi0xLjQK\n";

fn lines_of(args: &[&str], input: &Path) -> Vec<Value> {
    let out = emlkit()
        .args(args)
        .arg(input)
        .output()
        .expect("emlkit runs");
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    json_lines(&String::from_utf8_lossy(&out.stdout))
}

/// A finding record without its `source`: the finding itself.
fn bare(mut v: Value) -> Value {
    if let Some(m) = v.as_object_mut() {
        m.remove("source");
    }
    v
}

fn codes(list: &[Value]) -> Vec<&str> {
    list.iter()
        .map(|f| f["code"].as_str().unwrap_or(""))
        .collect()
}

/// The findings a header-only reader reports: not located, or located in
/// the top-level header block (before the body; at its start for
/// `no_headers`).
fn header_block_findings(msg: &Value) -> Vec<Value> {
    let start = msg["parts"][0]["offsets"]["header"].as_u64().unwrap_or(0);
    let body = msg["parts"][0]["offsets"]["body"]
        .as_u64()
        .unwrap_or(u64::MAX);
    msg["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["offset"].as_u64().is_none_or(|o| o < body || o == start))
        .cloned()
        .collect()
}

#[test]
fn one_message_the_same_findings_in_every_command() {
    let t = tempfile::tempdir().expect("tempdir");
    let eml = t.path().join("messy.eml");
    std::fs::write(&eml, MESSY).expect("write");

    let json = lines_of(&["json"], &eml);
    assert_eq!(json.len(), 1);
    let msg = &json[0];
    // What `json` reports, without what only it computes (`lossy_text`,
    // from the text bodies it decodes).
    let all: Vec<Value> = msg["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] != "lossy_text")
        .cloned()
        .collect();
    let want = codes(&all);
    for code in [
        "duplicate_header",
        "missing_message_id",
        "invalid_date",
        "missing_closing_boundary",
        "conflicting_filenames",
    ] {
        assert!(want.contains(&code), "json lacks {code}: {want:?}");
    }
    let dup = all
        .iter()
        .find(|f| f["code"] == "duplicate_header")
        .expect("duplicate_header");
    assert_eq!(
        dup["offset"].as_u64(),
        MESSY.find("From: Mallory").map(|o| o as u64)
    );

    // tree --json: one finding record per finding, the same list.
    let tree: Vec<Value> = lines_of(&["tree", "--json"], &eml)
        .into_iter()
        .filter(|r| r["type"] == "finding")
        .map(bare)
        .collect();
    assert_eq!(tree, all, "tree --json");

    // extract --json: the message's finding records come first, the same
    // list; the file of part 2 carries the findings about part 2.
    let out = t.path().join("out");
    let manifest = emlkit()
        .args(["extract", "--json", "-o"])
        .arg(&out)
        .arg(&eml)
        .output()
        .expect("runs");
    assert_eq!(manifest.status.code(), Some(0));
    let recs = json_lines(&String::from_utf8_lossy(&manifest.stdout));
    let extract: Vec<Value> = recs
        .iter()
        .filter(|r| r["type"] == "finding")
        .cloned()
        .map(bare)
        .collect();
    assert_eq!(extract, all, "extract --json");
    let file = recs
        .iter()
        .find(|r| r["type"] == "file" && r["part"] == "2")
        .expect("part 2 written");
    let about_2: Vec<&Value> = all.iter().filter(|f| f["part"] == "2").collect();
    assert!(!about_2.is_empty());
    let file_findings = file["findings"].as_array().expect("findings");
    assert_eq!(
        file_findings.iter().take(about_2.len()).collect::<Vec<_>>(),
        about_2,
        "the file record starts with the message's findings about its part"
    );

    // trace --json and headers --json: the header findings, the same
    // records; trace then adds its own.
    let header = header_block_findings(msg);
    let hcodes = codes(&header);
    for code in ["duplicate_header", "missing_message_id", "invalid_date"] {
        assert!(hcodes.contains(&code), "{code}: {hcodes:?}");
    }
    assert!(!hcodes.contains(&"missing_closing_boundary"));
    let trace = lines_of(&["trace", "--json", "--now", "1709300000"], &eml);
    let tf = trace[0]["findings"].as_array().expect("findings");
    assert_eq!(&tf[..header.len()], &header[..], "trace --json");
    for f in &tf[header.len()..] {
        assert!(
            !want.contains(&f["code"].as_str().unwrap_or("")),
            "trace computes {} itself",
            f["code"]
        );
    }
    let headers = lines_of(&["headers", "--json"], &eml);
    assert_eq!(
        headers[0]["findings"].as_array().expect("findings"),
        &header,
        "headers --json"
    );
    // -H selects fields, not findings.
    let headers = lines_of(&["headers", "--json", "-H", "Subject"], &eml);
    assert_eq!(headers[0]["headers"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        headers[0]["findings"].as_array().expect("findings"),
        &header
    );

    // The same words for TLS and protocols in json and trace.
    let parsed = &msg["received"][0]["parsed"];
    assert_eq!(parsed["with"], "ESMTPS");
    assert_eq!(parsed["tls_version"], "TLSv1.3");
    let hop = &trace[0]["hops"][0];
    assert_eq!(hop["with"], parsed["with"]);
    assert_eq!(hop["tls"]["version"], parsed["tls_version"]);
}

#[test]
fn trace_takes_message_id_and_date_facts_from_the_message() {
    // An empty Message-ID is the model's missing_message_id (no usable
    // id), never also malformed_message_id; an impossible date is
    // invalid_date in trace as in json.
    for (name, codes_json) in [
        ("msgid-empty.eml", vec!["missing_message_id"]),
        ("msgid-missing.eml", vec!["missing_message_id"]),
        ("date-missing.eml", vec!["missing_date"]),
        ("date-feb-31.eml", vec!["invalid_date"]),
        ("from-twice.eml", vec!["duplicate_header"]),
    ] {
        let p = testdata(&format!("edge/{name}"));
        let json = lines_of(&["json"], &p);
        let header = header_block_findings(&json[0]);
        assert_eq!(codes(&header), codes_json, "{name}: json");
        let trace = lines_of(&["trace", "--json", "--now", "1800000000"], &p);
        let tf = trace[0]["findings"].as_array().expect("findings");
        assert_eq!(&tf[..header.len()], &header[..], "{name}: trace");
        let rest = codes(&tf[header.len()..]);
        assert!(
            !rest.iter().any(|c| c.starts_with("missing_")
                || *c == "malformed_message_id"
                || *c == "invalid_date"),
            "{name}: {rest:?}"
        );
    }
}

/// Every message file of testdata/ and of ../shared/corpora (when present).
fn all_inputs() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p
                .extension()
                .is_some_and(|x| x == "eml" || x == "mbox" || x == "msg")
            {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(&testdata(""), &mut files);
    if let Some(c) = corpora() {
        // The inventory names the messages among the peers' other files.
        let inv = std::fs::read_to_string(c.join("INVENTORY.tsv")).unwrap_or_default();
        for line in inv.lines().skip(1) {
            if let Some(rel) = line.split('\t').next() {
                let p = c.join(rel);
                if p.is_file() {
                    files.push(p);
                }
            }
        }
    }
    files.sort();
    files.dedup();
    files
}

type Key = (String, u64);

fn key(r: &Value) -> Key {
    (
        r["source"]["path"].as_str().unwrap_or("").to_string(),
        r["source"]["index"].as_u64().unwrap_or(0),
    )
}

#[test]
fn json_attachments_are_exactly_what_extract_writes() {
    let inputs = all_inputs();
    assert!(inputs.len() > 300, "{} inputs", inputs.len());
    let t = tempfile::tempdir().expect("tempdir");
    let mut checked = 0usize;
    let mut with_attachments = 0usize;
    // In chunks, each input into its own folder (several inputs each get
    // one), with the manifest naming every file written.
    for (n, chunk) in inputs.chunks(100).enumerate() {
        let json = emlkit()
            .arg("json")
            .arg("--no-body")
            .args(chunk)
            .output()
            .expect("runs");
        let mut want: BTreeMap<Key, Vec<String>> = BTreeMap::new();
        for r in json_lines(&String::from_utf8_lossy(&json.stdout)) {
            let ids = r["attachments"]
                .as_array()
                .expect("attachments")
                .iter()
                .map(|a| a["id"].as_str().unwrap_or("").to_string())
                .collect();
            want.insert(key(&r), ids);
        }
        let out = t.path().join(n.to_string());
        let manifest = emlkit()
            .args(["extract", "--json", "-o"])
            .arg(&out)
            .args(chunk)
            .output()
            .expect("runs");
        // Every selected part was written (2 would mean one was not).
        assert!(
            manifest.status.code().is_some_and(|c| c <= 1)
                || String::from_utf8_lossy(&manifest.stderr)
                    .lines()
                    .all(|l| !l.contains("not written")),
            "{}",
            String::from_utf8_lossy(&manifest.stderr)
        );
        let mut got: BTreeMap<Key, Vec<String>> = BTreeMap::new();
        for r in json_lines(&String::from_utf8_lossy(&manifest.stdout)) {
            if r["type"] != "file" {
                continue;
            }
            let part = r["part"].as_str().unwrap_or("");
            // Files found inside a part (uuencoded blocks `1:uu1`, TNEF
            // `2:tnef1`) and messages rebuilt from fragments are extra files
            // of the extraction, not parts.
            if part.contains(':') || part == "partial" {
                continue;
            }
            got.entry(key(&r)).or_default().push(part.to_string());
        }
        for (k, ids) in &want {
            let written = got.remove(k).unwrap_or_default();
            assert_eq!(&written, ids, "{k:?}: extract wrote {written:?}");
            checked += 1;
            with_attachments += usize::from(!ids.is_empty());
        }
        assert!(got.is_empty(), "extracted from no json message: {got:?}");
    }
    assert!(checked > 300, "{checked} messages");
    assert!(with_attachments > 50, "{with_attachments} with attachments");
}
