//! Issue 14: every command gives byte-identical output (and files) at `-j1`
//! and on several threads, on a mailbox with colliding attachment names.

use crate::common::*;
use std::collections::BTreeMap;
use std::path::Path;

/// 120 messages: attachments all named `a.bin` or `report.pdf`, with
/// different bytes, some nested in attached messages, some broken.
fn mailbox(dir: &Path) -> std::path::PathBuf {
    let mut m = Vec::new();
    for i in 0..120u32 {
        let name = if i % 2 == 0 { "a.bin" } else { "report.pdf" };
        m.extend_from_slice(
            format!(
                "From s{i}@example.com Mon Jan  1 00:00:{:02} 2024\nFrom: s{i}@example.com\nSubject: m{i}\n\
                 Received: from h{i}.example ([192.0.2.{}]) by mx.example; Mon, 1 Jan 2024 00:00:{:02} +0000\n\
                 Content-Type: multipart/mixed; boundary=b{i}\n\n--b{i}\n\ntext {i}\n--b{i}\n\
                 Content-Type: application/octet-stream; name={name}\nContent-Transfer-Encoding: base64\n\n{}\n\
                 --b{i}\nContent-Type: message/rfc822\n\nSubject: inner\nContent-Type: text/plain; name={name}\n\n\
                 inner {i}\n--b{i}{}\n\n",
                i % 60,
                i % 250 + 1,
                i % 60,
                ["QUJD", "REVG", "R0hJ", "!!bad"][i as usize % 4],
                if i % 7 == 0 { "" } else { "--" },
            )
            .as_bytes(),
        );
    }
    let p = dir.join("collide.mbox");
    std::fs::write(&p, m).expect("write mbox");
    p
}

/// Every file under `dir`, by relative path, with its bytes.
fn tree_of(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read_dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).expect("inside").display().to_string();
                out.insert(rel, std::fs::read(&p).expect("read"));
            }
        }
    }
    out
}

#[test]
fn output_is_the_same_at_any_thread_count() {
    let t = tempfile::tempdir().expect("tempdir");
    let mbox = mailbox(t.path());
    let m = mbox.to_str().expect("utf-8 path");
    for cmd in [
        &["json"][..],
        &["tree"],
        &["tree", "--json"],
        &["headers"],
        &["text"],
        &["trace", "--json"],
        &["info", "--json"],
        &["pick", "body:a OR has:attachment"],
        &["scan", "--csv"],
        &["sort", "-k", "subject"],
        &["thread", "--json"],
        &["dedupe", "--by", "content"],
    ] {
        let one = run(&[cmd, &["-j1", m]].concat());
        let four = run(&[cmd, &["-j4", m]].concat());
        assert_eq!(one.0, four.0, "{cmd:?} exit");
        assert!(
            one.1 == four.1,
            "{cmd:?}: stdout differs between -j1 and -j4"
        );
        assert!(
            one.2 == four.2,
            "{cmd:?}: stderr differs between -j1 and -j4"
        );
    }
    for flat in [false, true] {
        let mut trees = Vec::new();
        for j in ["-j1", "-j4"] {
            let out = t.path().join(format!("out{j}{flat}"));
            let o = out.to_str().expect("utf-8");
            let mut args = vec!["extract", "--all", "--recurse", "--json", j, "-o", o, m];
            if flat {
                args.insert(1, "--flat");
            }
            let (code, stdout, _) = run(&args);
            assert!(code == 0 || code == 2, "extract {j}: {code}");
            trees.push((stdout.replace(o, "OUT"), tree_of(&out)));
        }
        assert!(
            trees[0].0 == trees[1].0,
            "extract --json manifest differs (flat {flat})"
        );
        assert!(
            trees[0].1 == trees[1].1,
            "extracted files differ (flat {flat})"
        );
        assert!(trees[0].1.len() > 100, "{} files", trees[0].1.len());
    }
}
