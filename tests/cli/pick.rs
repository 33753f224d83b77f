//! `emlkit pick`, and message references and lists (`PATH#N`, `PATH@OFFSET`,
//! `-L`), which every command accepts.

use super::pipeline_common::{archive, run_in};

fn indexes(list: &str) -> Vec<String> {
    list.lines()
        .map(|l| {
            let r = l.trim_start();
            r[r.rfind('#').expect("an mbox reference") + 1..]
                .split('@')
                .next()
                .unwrap_or("")
                .to_string()
        })
        .collect()
}

#[test]
fn queries_select_the_right_messages() {
    let (_d, mbox) = archive();
    let m = mbox.to_str().unwrap();
    for (q, want) in [
        ("*", "0 1 2 3 4 5"),
        ("from:ann", "0 3 4"),
        ("from:*@example.com", "0 3 4"),
        ("from:\"Ann Example\"", "0 3 4"),
        ("to:list@example.net", "3 5"),
        ("subject:plans", "0 1 2 4"),
        ("plans -re", "0 4"),
        ("body:report", "1"),
        ("has:attachment", "1"),
        ("filename:*.pdf", "1"),
        ("type:application/pdf", "1"),
        ("id:c@x", "2"),
        ("date:2024-01", "0 1 2 4"),
        ("date:2023", "3"),
        ("date:2024-01-11..2024-02", "1 2 5"),
        ("after:2024-01-12", "2 5"),
        ("before:2024-01-11", "0 3 4"),
        ("size:>300", "1"),
        ("size:<170", "3 5"),
        ("label:important", "0 4"),
        ("label:work OR from:dave", "2 5"),
        ("(from:bob OR from:carol) subject:plans", "1 2"),
        ("header:In-Reply-To", "1 5"),
        ("header:References=*missing*", "3"),
        ("NOT subject:plans", "3 5"),
    ] {
        let (code, out, err) = run_in(&["pick", q, m], b"");
        let got = indexes(&out).join(" ");
        assert_eq!(got, want, "query {q}: {err}");
        assert_eq!(code, 0, "{q}");
    }
}

#[test]
fn nothing_selected_exits_1_and_count_counts() {
    let (_d, mbox) = archive();
    let m = mbox.to_str().unwrap();
    let (code, out, _) = run_in(&["pick", "from:nobody", m], b"");
    assert_eq!((code, out.as_str()), (1, ""));
    let (code, out, _) = run_in(&["pick", "--count", "subject:plans", m], b"");
    assert_eq!((code, out.as_str()), (0, "4\n"));
    let (code, out, _) = run_in(&["pick", "--count", "from:nobody", m], b"");
    assert_eq!((code, out.as_str()), (1, "0\n"));
}

#[test]
fn a_bad_query_points_at_the_column() {
    let (_d, mbox) = archive();
    let (code, _, err) = run_in(&["pick", "from:a (subject:b", mbox.to_str().unwrap()], b"");
    assert_eq!(code, 2);
    assert!(err.contains("column 18"), "{err}");
    assert!(err.contains("\n                   ^"), "{err}");
    let (code, _, err) = run_in(&["pick", "colour:red", mbox.to_str().unwrap()], b"");
    assert_eq!(code, 2);
    assert!(err.contains("column 1: unknown field `colour:`"), "{err}");
}

#[test]
fn json_records_say_where_and_what() {
    let (_d, mbox) = archive();
    let (_, out, _) = run_in(&["pick", "--json", "id:b@x", mbox.to_str().unwrap()], b"");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["type"], "listing");
    assert_eq!(v["source"]["index"], 1);
    assert_eq!(v["subject"], "Re: Plans");
    assert_eq!(v["from"][0]["address"], "bob@example.org");
    assert_eq!(v["attachment"], true);
    assert!(v["ref"].as_str().unwrap().ends_with("archive.mbox#1@224"));
}

#[test]
fn references_name_members_by_index_range_and_offset() {
    let (_d, mbox) = archive();
    let m = mbox.to_str().unwrap();
    let subj = |r: &str| {
        let (code, out, err) = run_in(&["headers", "-H", "message-id", r], b"");
        assert_eq!(code, 0, "{r}: {err}");
        out.lines()
            .filter(|l| l.starts_with("Message-ID"))
            .map(|l| l.trim_start_matches("Message-ID: ").to_string())
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(subj(&format!("{m}#2")), "<c@x>");
    assert_eq!(subj(&format!("{m}#1-3")), "<b@x> <c@x> <d@x>");
    assert_eq!(subj(&format!("{m}@224")), "<b@x>");
    assert_eq!(subj(&format!("{m}#1@224")), "<b@x>");
    // A reference that does not point at a message is an error, not a guess.
    for bad in [format!("{m}@225"), format!("{m}#9"), format!("{m}@99999")] {
        let (code, _, err) = run_in(&["headers", &bad], b"");
        assert_eq!(code, 2, "{bad}");
        assert!(err.contains("emlkit: "), "{err}");
    }
    // The index of a bare @OFFSET reference is counted for the records.
    let (_, out, _) = run_in(&["json", &format!("{m}@687")], b"");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["source"]["index"], 2);
    assert_eq!(v["source"]["offset"], 687);
}

#[test]
fn every_command_reads_a_list_from_stdin() {
    let (_d, mbox) = archive();
    let m = mbox.to_str().unwrap();
    let (_, list, _) = run_in(&["pick", "subject:plans -from:bob", m], b"");
    assert_eq!(list.lines().count(), 3);
    let (code, out, _) = run_in(&["json", "-L", "-"], list.as_bytes());
    assert_eq!(code, 0);
    let ids: Vec<String> = out
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["message_id"].to_string())
        .collect();
    assert_eq!(ids, vec!["\"a@x\"", "\"c@x\"", "\"a@x\""]);
    // A list in a file, and a pick of a pick.
    let listfile = mbox.with_file_name("list.txt");
    std::fs::write(&listfile, &list).unwrap();
    let (_, out, _) = run_in(
        &["pick", "label:work", "--list", listfile.to_str().unwrap()],
        b"",
    );
    assert_eq!(indexes(&out), vec!["2"]);
    // Text, tree, headers, trace and extract take lists too.
    for cmd in [
        &["text", "-L", "-"][..],
        &["tree", "-L", "-"],
        &["headers", "-L", "-"],
        &["scan", "-L", "-"],
    ] {
        let (code, out, err) = run_in(cmd, list.as_bytes());
        assert_eq!(code, 0, "{cmd:?}: {err}");
        assert!(!out.is_empty(), "{cmd:?}");
    }
    // An empty list selects nothing.
    let (code, out, _) = run_in(&["pick", "*", "-L", "-"], b"");
    assert_eq!((code, out.as_str()), (1, ""));
}

#[cfg(unix)]
#[test]
fn lists_round_trip_odd_paths() {
    use std::os::unix::ffi::OsStrExt;
    let (dir, mbox) = archive();
    let names: Vec<&[u8]> = vec![
        b"new\nline.mbox",
        b"hash#1",
        b"at@2",
        b"per%41cent",
        b" space",
        b"bad\xffutf8",
    ];
    for name in names {
        let path = dir.path().join(std::ffi::OsStr::from_bytes(name));
        std::fs::copy(&mbox, &path).unwrap();
        let Some(arg) = path.to_str() else {
            continue; // non-UTF-8: checked through a list below
        };
        let (code, list, err) = run_in(&["pick", "id:c@x", arg], b"");
        assert_eq!(code, 0, "{name:?}: {err}");
        assert_eq!(list.lines().count(), 1, "{list:?}");
        let (code, out, err) = run_in(&["headers", "-H", "message-id", "-L", "-"], list.as_bytes());
        assert_eq!(code, 0, "{name:?} {list:?}: {err}");
        assert!(out.contains("<c@x>"), "{name:?}: {out}");
    }
    // A non-UTF-8 path written by emlkit (from a directory listing) and read back.
    let bad = dir.path().join(std::ffi::OsStr::from_bytes(b"bad\xffutf8"));
    let line = [
        dir.path().as_os_str().as_bytes(),
        b"/bad%FFutf8#2".as_slice(),
    ]
    .concat();
    assert!(bad.exists());
    let (code, out, err) = run_in(&["headers", "-H", "message-id", "-L", "-"], &line);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("<c@x>"), "{out}");
}

#[test]
fn gmail_labels_reach_json_pick_and_scan() {
    let (_d, mbox) = archive();
    let m = mbox.to_str().unwrap();
    let (_, out, _) = run_in(&["json", &format!("{m}#2")], b"");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["labels"], serde_json::json!(["Work"]));
    let (_, out, _) = run_in(&["json", &format!("{m}#3")], b"");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert!(v.get("labels").is_none(), "absent without X-Gmail-Labels");
    let (_, out, _) = run_in(&["scan", "-f", "{labels}", &format!("{m}#0-2")], b"");
    assert_eq!(out, "Inbox,Important\n\nWork\n");
}

#[test]
fn references_into_compressed_and_streamed_mboxes() {
    use std::io::Write;
    let (dir, mbox) = archive();
    let gz = dir.path().join("archive.mbox.gz");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::default(),
    );
    enc.write_all(&std::fs::read(&mbox).unwrap()).unwrap();
    enc.finish().unwrap();
    let g = gz.to_str().unwrap();
    let (code, list, err) = run_in(&["pick", "id:c@x", g], b"");
    assert_eq!(code, 0, "{err}");
    assert!(list.trim_end().ends_with("archive.mbox.gz#2@687"), "{list}");
    let (code, out, err) = run_in(&["text", "-L", "-"], list.as_bytes());
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Agreed."), "{out}");
    let (_, out, _) = run_in(&["scan", "-f", "{id}", &format!("{g}#4-5")], b"");
    assert_eq!(out, "a@x\ne@x\n");
    // An mbox on stdin: a member by index (after `--`, as `-#1` looks like
    // an option).
    let (code, out, err) = run_in(
        &["scan", "-f", "{id}", "--", "-#1"],
        &std::fs::read(&mbox).unwrap(),
    );
    assert_eq!((code, out.as_str()), (0, "b@x\n"), "{err}");
}

#[test]
fn info_refuses_a_message_list() {
    let (code, _, err) = run_in(&["info", "-L", "-"], b"x.mbox#1\n");
    assert_eq!(code, 2);
    assert!(err.contains("not a message list"), "{err}");
}

#[test]
fn picked_messages_go_straight_into_an_mbox_or_a_maildir() {
    let (dir, mbox) = archive();
    let m = mbox.to_str().unwrap();
    let out = dir.path().join("out.mbox");
    let (code, stdout, err) = run_in(
        &["pick", "--mbox", out.to_str().unwrap(), "subject:plans", m],
        b"",
    );
    assert_eq!((code, stdout.as_str()), (0, ""), "{err}");
    let (_, ids, _) = run_in(&["scan", "-f", "{id}", out.to_str().unwrap()], b"");
    assert_eq!(ids, "a@x\nb@x\nc@x\na@x\n");
    // The bytes are the originals.
    let (_, a, _) = run_in(&["json", &format!("{m}#1")], b"");
    let (_, b, _) = run_in(&["json", &format!("{}#1", out.display())], b"");
    let body = |s: &str| {
        serde_json::from_str::<serde_json::Value>(s.trim()).unwrap()["attachments"].clone()
    };
    assert_eq!(body(&a), body(&b));
    let md = dir.path().join("md");
    let (code, _, err) = run_in(
        &["pick", "--maildir", md.to_str().unwrap(), "from:dave", m],
        b"",
    );
    assert_eq!(code, 0, "{err}");
    let (_, ids, _) = run_in(&["scan", "-f", "{id}", md.to_str().unwrap()], b"");
    assert_eq!(ids, "e@x\n");
}

#[test]
fn takeout_labels_become_maildir_folders() {
    let (dir, mbox) = archive();
    let md = dir.path().join("md");
    let (code, _, err) = run_in(
        &[
            "convert",
            mbox.to_str().unwrap(),
            "--to",
            "maildir",
            "--by-label",
            "-o",
            md.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(code, 0, "{err}");
    let ids = |p: &std::path::Path| run_in(&["scan", "-f", "{id}", p.to_str().unwrap()], b"").1;
    // Inbox and unlabelled messages in the root; a message in every label's folder.
    assert_eq!(ids(&md), "a@x\nb@x\nd@x\na@x\ne@x\n");
    assert_eq!(ids(&md.join(".Important")), "a@x\na@x\n");
    assert_eq!(ids(&md.join(".Work")), "c@x\n");
    let (code, _, err) = run_in(
        &[
            "convert",
            mbox.to_str().unwrap(),
            "--to",
            "mbox",
            "--by-label",
            "-o",
            dir.path().join("x.mbox").to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(code, 2);
    assert!(err.contains("--to maildir"), "{err}");
}
