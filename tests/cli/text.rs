//! Tests of `emlkit text`.

use crate::common::*;

#[test]
fn plain_body_decoded() {
    let (code, out, _) = run(&[
        "text",
        testdata("messages/alternative.eml")
            .to_str()
            .unwrap_or_default(),
    ]);
    assert_eq!(code, 0);
    assert_eq!(out, "Café au lait\n");
}

#[test]
fn html_only_becomes_text() {
    let msg = b"From: a@b\nContent-Type: text/html; charset=utf-8\n\n<html><body><p>Hello <b>world</b></p></body></html>\n";
    let (code, out, _) = run_stdin(&["text"], msg);
    assert_eq!(code, 0);
    let s = String::from_utf8_lossy(&out);
    assert!(s.contains("Hello world"), "{s}");
    assert!(!s.contains('<'));
}

#[test]
fn prefer_html_on_request() {
    let (_, out, _) = run(&[
        "text",
        "--html",
        testdata("messages/alternative.eml")
            .to_str()
            .unwrap_or_default(),
    ]);
    assert!(out.contains("Café au lait"));
}
