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
