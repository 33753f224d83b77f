//! Tests of `emlkit headers`.

use crate::common::*;

#[test]
fn decoded_by_default_raw_on_request() {
    let p = testdata("messages/mixed.eml");
    let path = p.to_str().unwrap_or_default();
    let (code, out, _) = run(&["headers", "-H", "SUBJECT", "-H", "from", path]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "From: Jürgen Müller <jurgen@example.org>\nSubject: Mixed: text + PDF ✓\n"
    );
    let (_, out, _) = run(&["headers", "--raw", "-H", "received", path]);
    assert!(out.starts_with(
        "Received: from mail.example.org (mail.example.org [203.0.113.5])\r\n\tby mx.example.net"
    ));
}

#[test]
fn all_fields_in_order_and_json() {
    let p = testdata("messages/resent.eml");
    let (_, out, _) = run(&["headers", p.to_str().unwrap_or_default()]);
    let names: Vec<&str> = out.lines().filter_map(|l| l.split(':').next()).collect();
    assert_eq!(names[0], "Resent-Date");
    assert_eq!(names.len(), 15);
    let (_, out, _) = run(&[
        "headers",
        "--json",
        "-H",
        "subject",
        p.to_str().unwrap_or_default(),
    ]);
    let v = &json_lines(&out)[0];
    assert_eq!(v["type"], "headers");
    assert_eq!(v["headers"][0]["decoded"], "resent twice");
}

/// The `headers` record, pinned: an unplanned key fails the test.
#[allow(dead_code)]
mod schema {
    use serde::Deserialize;
    use serde_json::Value;

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Record {
        #[serde(rename = "type")]
        pub kind: String,
        pub source: Value,
        pub headers: Vec<Header>,
        pub findings: Vec<Finding>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Header {
        pub name: String,
        pub raw: Value,
        pub decoded: String,
        pub offset: u64,
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
    }
}

#[test]
fn json_record_is_pinned_and_carries_the_header_findings() {
    let p = testdata("edge/from-twice.eml");
    let (code, out, _) = run(&[
        "headers",
        "--json",
        "-H",
        "subject",
        p.to_str().unwrap_or_default(),
    ]);
    assert_eq!(code, 0);
    let r: schema::Record = serde_json::from_str(out.trim_end()).expect("schema");
    assert_eq!(r.kind, "headers");
    assert_eq!(r.headers.len(), 1);
    assert_eq!(r.headers[0].name, "Subject");
    // The findings are the message's, whatever -H selects, as `json` has them.
    let codes: Vec<&str> = r.findings.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(codes, ["duplicate_header"]);
    let (_, out, _) = run(&["json", p.to_str().unwrap_or_default()]);
    let j = &json_lines(&out)[0];
    assert_eq!(j["findings"][0]["offset"].as_u64(), r.findings[0].offset);
    assert_eq!(j["findings"][0]["message"], r.findings[0].message.as_str());
    let _ = (
        &r.source,
        &r.headers[0].raw,
        r.headers[0].offset,
        &r.findings[0].part,
    );
}
