//! Helpers for the mailbox tests (mbox, info, split, convert).
#![allow(dead_code)] // each test module uses a different subset

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// The emlkit binary, run from the repository root.
pub fn emlkit() -> Command {
    let mut c = Command::cargo_bin("emlkit").expect("the binary is built by cargo test");
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

/// A path under the repository root.
pub fn root(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

/// A shared corpus file, or None (with a message) when the corpora are absent.
pub fn corpus(p: &str) -> Option<PathBuf> {
    let path = root("../shared/corpora").join(p);
    if path.exists() {
        Some(path)
    } else {
        crate::common::skip(&format!("{} is absent", path.display()));
        None
    }
}

/// Runs emlkit and returns (stdout, stderr, exit code).
pub fn run(args: &[&str]) -> (String, String, i32) {
    let o = emlkit().args(args).output().expect("emlkit runs");
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
        o.status.code().unwrap_or(-1),
    )
}

/// Parses JSON Lines.
pub fn jsonl(s: &str) -> Vec<serde_json::Value> {
    s.lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect()
}

/// The messages of an mbox as the library reads them (quoting undone,
/// except in messages a Content-Length delimits).
pub fn mbox_messages(data: &[u8]) -> Vec<Vec<u8>> {
    emlkit::source::mbox::MboxSplitter::new(data)
        .map(|e| {
            if e.content_length {
                data[e.message].to_vec()
            } else {
                emlkit::source::mbox::unquote(&data[e.message]).into_owned()
            }
        })
        .collect()
}

/// The `From_` lines of an mbox, byte for byte.
pub fn mbox_from_lines(data: &[u8]) -> Vec<Vec<u8>> {
    emlkit::source::mbox::MboxSplitter::new(data)
        .map(|e| data[e.from_line].to_vec())
        .collect()
}

/// A mailbox of `n` varied messages, some with `From ` / `>From ` body lines.
pub fn make_mbox(n: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..n {
        let mut msg = format!(
            "From: user{i}@example.com\nSubject: message {i}\nMessage-ID: <{i}@example.com>\n\n"
        );
        for j in 0..(i * 7 % 13) {
            msg.push_str(&format!("line {j} of message {i}\n"));
        }
        if i % 3 == 0 {
            msg.push_str("From the archives\n>From quoted\n");
        }
        let from = format!(
            "From user{i}@example.com Mon Jan  1 00:00:{:02} 2001",
            i % 60
        );
        emlkit::sink::write_mboxrd(&mut out, from.as_bytes(), msg.as_bytes()).unwrap();
    }
    out
}
