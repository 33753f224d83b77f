//! `emlkit dedupe`.

use super::pipeline_common::{archive, run_in};

#[test]
fn by_id_keeps_first_or_last_and_reports() {
    let (_d, mbox) = archive();
    let m = mbox.to_str().unwrap();
    let (code, out, err) = run_in(&["dedupe", "--report", m], b"");
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), 5);
    assert!(!out.contains("#4@"));
    assert!(
        err.contains("dropped ")
            && err.contains("#4@1135: duplicate of ")
            && err.contains("(message-id <a@x>)"),
        "{err}"
    );
    let (_, out, _) = run_in(&["dedupe", "--keep", "last", m], b"");
    assert!(!out.contains("#0@"), "{out}");
    assert!(out.contains("#4@"));
}

#[test]
fn by_content_ignores_trace_fields_and_line_endings() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.eml");
    let b = dir.path().join("b.eml");
    let c = dir.path().join("c.eml");
    std::fs::write(&a, "Received: from x by y; Mon, 1 Jan 2024 00:00:00 +0000\nFrom: a@example.com\nSubject: s\nMessage-ID: <m@x>\n\nbody\n").unwrap();
    std::fs::write(&b, "Received: from z by w; Mon, 1 Jan 2024 00:00:09 +0000\r\nDelivered-To: me@example.com\r\nFrom: a@example.com\r\nSubject: s\r\nMessage-ID: <m@x>\r\n\r\nbody\r\n").unwrap();
    std::fs::write(
        &c,
        "From: a@example.com\nSubject: s\nMessage-ID: <m@x>\n\nother body\n",
    )
    .unwrap();
    let (_, out, _) = run_in(
        &[
            "dedupe",
            "--by",
            "content",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            c.to_str().unwrap(),
        ],
        b"",
    );
    let kept: Vec<&str> = out.lines().map(|l| l.rsplit('/').next().unwrap()).collect();
    assert_eq!(kept, vec!["a.eml", "c.eml"]);
    // By id all three are one message.
    let (_, out, _) = run_in(
        &[
            "dedupe",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            c.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(out.lines().count(), 1);
}
