//! `emlkit scan`.

use super::pipeline_common::{archive, run_in};

#[test]
fn one_line_per_message_with_index_date_sender_subject() {
    let (_d, mbox) = archive();
    let (code, out, _) = run_in(&["scan", mbox.to_str().unwrap()], b"");
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 6);
    assert!(
        lines[1].starts_with("    1    + 2024-01-11 Bob "),
        "{}",
        lines[1]
    );
    assert!(lines[1].contains("Re: Plans"));
    assert!(lines[1].ends_with("412"), "{}", lines[1]);
}

#[test]
fn width_is_display_width_and_text_is_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("wide.eml");
    std::fs::write(
        &p,
        "From: =?utf-8?b?5pel5pys6Kqe?= <jp@example.jp>\nSubject: =?utf-8?b?5pel5pys6Kqe44OG44Kt44K544OI5pel5pys6Kqe44OG44Kt44K544OI?= =?utf-8?q?x=0Ay=1B[31m?=\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n\nbody\n",
    )
    .unwrap();
    let (_, out, _) = run_in(&["scan", "--width", "50", p.to_str().unwrap()], b"");
    let line = out.lines().next().unwrap();
    assert_eq!(out.lines().count(), 1, "{out:?}");
    assert!(unicode_width::UnicodeWidthStr::width(line) <= 50, "{line}");
    assert!(line.contains("日本語"), "{line}");
    let (_, out, _) = run_in(&["scan", "-f", "{subject}", p.to_str().unwrap()], b"");
    assert!(out.contains("x\\u{000A}y\\u{001B}[31m"), "{out:?}");
    assert_eq!(out.lines().count(), 1);
}

#[test]
fn templates_and_csv() {
    let (_d, mbox) = archive();
    let m = mbox.to_str().unwrap();
    let (_, out, _) = run_in(
        &["scan", "-f", "{index}|{address}|{bytes:>5}|{labels}", m],
        b"",
    );
    assert_eq!(
        out.lines().next(),
        Some("0|ann@example.com|  173|Inbox,Important")
    );
    let (_, out, _) = run_in(
        &["scan", "--csv", "--fields", "index,subject,labels", m],
        b"",
    );
    let lines: Vec<&str> = out.split("\r\n").collect();
    assert_eq!(lines[0], "index,subject,labels");
    assert_eq!(lines[1], "0,Plans,\"Inbox,Important\"");
    assert_eq!(lines.len(), 8, "{out:?}"); // header, six rows, and the empty tail
    let (code, _, err) = run_in(&["scan", "-f", "{nope}", m], b"");
    assert_eq!(code, 2);
    assert!(err.contains("unknown field `nope`"), "{err}");
}

#[test]
fn scan_reads_lists_and_shows_the_same_messages_as_json() {
    let (_d, mbox) = archive();
    let m = mbox.to_str().unwrap();
    let (_, list, _) = run_in(&["pick", "from:ann", m], b"");
    let (_, out, _) = run_in(&["scan", "-f", "{id}", "-L", "-"], list.as_bytes());
    assert_eq!(out, "a@x\nd@x\na@x\n");
}

#[test]
fn a_limit_that_cuts_a_message_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("long.eml");
    let long = "x".repeat(5000);
    std::fs::write(
        &p,
        format!("Subject: {long}\nFrom: a@example.com\n\nbody\n"),
    )
    .unwrap();
    for cmd in ["scan", "pick", "sort"] {
        let mut args = vec![cmd];
        if cmd == "pick" {
            args.push("*");
        }
        args.extend(["--max-header-bytes", "1000", p.to_str().unwrap()]);
        let (code, _, err) = run_in(&args, b"");
        assert_eq!(code, 2, "{cmd}: {err}");
        assert!(err.contains("header_too_long"), "{cmd}: {err}");
    }
}
