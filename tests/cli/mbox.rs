//! Reading mbox files through every command: boundaries, offsets, dialects,
//! batch order, shards.

use crate::mailbox_common::*;
use serde_json::Value;

#[test]
fn gmime_substring_offsets() {
    let (Some(input), Some(expected)) = (
        corpus("jstedfast-gmime/tests/data/mbox/input/substring.mbox"),
        corpus("jstedfast-gmime/tests/data/mbox/output/substring.mbox"),
    ) else {
        return;
    };
    let exp = std::fs::read_to_string(expected).unwrap();
    let pairs = |prefix: &str| -> Vec<(u64, u64)> {
        exp.lines()
            .filter_map(|l| l.strip_prefix(prefix))
            .map(|r| {
                let (a, b) = r.split_once(", ").unwrap();
                (a.trim().parse().unwrap(), b.trim().parse().unwrap())
            })
            .collect()
    };
    let msgs = pairs("message offsets: ");
    let hdrs = pairs("header offsets: ");
    assert_eq!(msgs.len(), 3);
    let (out, _, code) = run(&["json", input.to_str().unwrap()]);
    assert_eq!(code, 0);
    let recs = jsonl(&out);
    assert_eq!(recs.len(), msgs.len());
    let len = std::fs::metadata(&input).unwrap().len();
    for (i, r) in recs.iter().enumerate() {
        let off = r["source"]["offset"].as_u64().unwrap();
        assert_eq!(off, msgs[i].0, "message {i} start");
        let next = recs
            .get(i + 1)
            .map_or(len, |n| n["source"]["offset"].as_u64().unwrap());
        assert_eq!(next, msgs[i].1, "message {i} end");
        // The first header field starts where GMime's header offsets start.
        assert_eq!(r["headers"][0]["offset"].as_u64().unwrap(), hdrs[i].0);
    }
}

#[test]
fn cpython_mailbox_01() {
    let Some(p) = corpus("python-cpython/Lib/test/test_email/data/mailbox_01.mbox") else {
        return;
    };
    let data = std::fs::read(&p).unwrap();
    let msgs = mbox_messages(&data);
    assert_eq!(msgs.len(), 1);
    assert!(msgs[0].ends_with(b"Hello\n\nFrom time to time\n"));
    let (out, _, code) = run(&["json", p.to_str().unwrap()]);
    assert_eq!(code, 0);
    let r = &jsonl(&out)[0];
    assert_eq!(
        r["source"]["from_line"],
        "From MAILER-DAEMON Sun Aug  7 11:40:37 2022 extra info"
    );
}

#[test]
fn fixtures_split_as_expected() {
    let cases: &[(&str, &[&[u8]])] = &[
        ("gitpatch.mbox", &[
            b"From: dev@example.com\nSubject: [PATCH 1/2] one\n\n---\n a | 1 +\n",
            b"From: dev@example.com\nSubject: [PATCH 2/2] two\n\n---\n b | 1 +\n",
        ]),
        ("crlf.mbox", &[b"Subject: one\r\n\r\nbody\r\n", b"Subject: two\r\n\r\nbody 2\r\n"]),
        ("mboxcl2.mbox", &[
            b"Subject: cl\nContent-Length: 76\n\nline\nFrom alice@example.com Mon Jan  1 10:00:00 2001\nstill the same message\n",
            b"Subject: after\nContent-Length: 3\n\nok\n",
        ]),
        ("ambiguous.mbox", &[
            b"Subject: a\n\nFrom here on we talk about it\n",
            b"Subject: b\n\nx\n",
        ]),
        ("no-final-newline.mbox", &[b"Subject: a\n\nno newline at the end"]),
        ("empty.mbox", &[]),
    ];
    for (name, want) in cases {
        let data = std::fs::read(root("testdata/mbox").join(name)).unwrap();
        let got = mbox_messages(&data);
        let want: Vec<Vec<u8>> = want.iter().map(|w| w.to_vec()).collect();
        assert_eq!(got, want, "{name}");
    }
    let data = std::fs::read(root("testdata/mbox/mboxrd.mbox")).unwrap();
    let got = mbox_messages(&data);
    assert_eq!(got.len(), 3);
    assert!(got[0]
        .ends_with(b"\n\nFrom the start\n>From quoted twice\nFrom: not a separator (colon)\n"));
}

#[test]
fn empty_input_is_no_messages() {
    let (out, err, code) = run(&["json", "testdata/mbox/empty.mbox"]);
    assert_eq!((out.as_str(), err.as_str(), code), ("", "", 0));
}

#[test]
fn jobs_keep_input_order() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("m.mbox");
    std::fs::write(&p, make_mbox(600)).unwrap();
    let p = p.to_str().unwrap();
    let (one, _, c1) = run(&["json", "-j", "1", p]);
    let (two, _, c2) = run(&["json", "-j", "2", p]);
    assert_eq!((c1, c2), (0, 0));
    assert_eq!(one, two);
    let recs = jsonl(&one);
    assert_eq!(recs.len(), 600);
    for (i, r) in recs.iter().enumerate() {
        assert_eq!(r["source"]["index"], i);
        assert_eq!(r["subject"], format!("message {i}"));
    }
}

#[test]
fn shards_add_up_to_the_whole() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("m.mbox");
    std::fs::write(&p, make_mbox(97)).unwrap();
    let p = p.to_str().unwrap();
    let (whole, _, _) = run(&["headers", "--json", "-H", "subject", p]);
    assert_eq!(whole.lines().count(), 97);
    for n in [1, 2, 3, 5, 8, 200] {
        let mut joined = String::new();
        for k in 1..=n {
            let (part, _, code) = run(&[
                "headers",
                "--json",
                "-H",
                "subject",
                "--shard",
                &format!("{k}/{n}"),
                p,
            ]);
            assert_eq!(code, 0);
            joined.push_str(&part);
        }
        assert_eq!(joined, whole, "N = {n}");
    }
    let (_, err, code) = run(&["json", "--shard", "0/3", p]);
    assert_eq!(code, 2);
    assert!(err.contains("1 <= K <= N"), "{err}");
}

fn strip(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.remove("source");
            m.remove("offset");
            m.remove("offsets");
            for x in m.values_mut() {
                strip(x);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(strip),
        _ => {}
    }
}

#[test]
fn mbox_maildir_and_files_give_the_same_json() {
    let dir = tempfile::tempdir().unwrap();
    let mbox = root("testdata/mbox/mboxrd.mbox");
    let mbox = mbox.to_str().unwrap();
    let md = dir.path().join("md");
    let files = dir.path().join("files");
    assert_eq!(
        run(&["convert", mbox, "--to", "maildir", md.to_str().unwrap()]).2,
        0
    );
    assert_eq!(run(&["split", mbox, "-o", files.to_str().unwrap()]).2, 0);
    // Into a maildir, Status/X-Status/X-Keywords move into the file name
    // (issue 12): the same mbox without them is what the maildir holds.
    let data = std::fs::read(mbox).unwrap();
    let mut bare = Vec::new();
    for (m, from) in mbox_messages(&data).iter().zip(mbox_from_lines(&data)) {
        let m = emlkit::sink::set_fields(m, &emlkit::sink::MBOX_METADATA_FIELDS, &[]);
        emlkit::sink::write_mboxrd(&mut bare, &from, &m).unwrap();
    }
    let bare_path = dir.path().join("bare.mbox");
    std::fs::write(&bare_path, bare).unwrap();
    let mut outs = Vec::new();
    for input in [
        mbox,
        files.to_str().unwrap(),
        bare_path.to_str().unwrap(),
        md.to_str().unwrap(),
    ] {
        let (out, err, code) = run(&["json", input]);
        assert_eq!(code, 0, "{err}");
        let mut recs = jsonl(&out);
        recs.iter_mut().for_each(strip);
        outs.push(recs);
    }
    assert_eq!(outs[0].len(), 3);
    assert_eq!(outs[0], outs[1]);
    assert_eq!(outs[2], outs[3]);
}

#[test]
fn maildir_records_name_folder_and_flags() {
    let dir = tempfile::tempdir().unwrap();
    let md = dir.path().join("md");
    let mbox = root("testdata/mbox/mboxrd.mbox");
    run(&[
        "convert",
        mbox.to_str().unwrap(),
        "--to",
        "maildir",
        md.to_str().unwrap(),
    ]);
    let (out, _, _) = run(&["json", md.to_str().unwrap()]);
    let recs = jsonl(&out);
    let src: Vec<(String, String)> = recs
        .iter()
        .map(|r| {
            (
                r["source"]["folder"].as_str().unwrap_or("").to_string(),
                r["source"]["flags"].as_str().unwrap_or("-").to_string(),
            )
        })
        .collect();
    assert_eq!(
        src,
        [
            ("cur".into(), "RS".into()),
            ("new".into(), "-".into()),
            ("cur".into(), "F".into())
        ]
    );
}

#[test]
fn body_from_lines_do_not_split() {
    // See: issue 12 — words matched by prefix ("friend" as Fri) split here.
    let (out, err, code) = run(&["json", "testdata/mbox/body-from.mbox"]);
    assert_eq!(code, 0, "{err}");
    let recs = jsonl(&out);
    assert_eq!(recs.len(), 2);
    let data = std::fs::read(root("testdata/mbox/body-from.mbox")).unwrap();
    assert!(mbox_messages(&data)[0].ends_with(b"we met at 9:00 in 2020.\n"));
}

#[test]
fn leading_blank_lines_and_git_from_lines() {
    let (out, err, code) = run(&["json", "testdata/mbox/leading-blank.mbox"]);
    assert_eq!(code, 0, "{err}");
    let recs = jsonl(&out);
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0]["source"]["format"], "mbox");
    assert_eq!(recs[0]["source"]["offset"], 1);
}

#[test]
fn content_length_messages_are_not_unquoted() {
    let data = std::fs::read(root("testdata/mbox/header-only.mbox")).unwrap();
    let msgs = mbox_messages(&data);
    assert_eq!(msgs.len(), 3);
    assert_eq!(msgs[0], b"Subject: header only\n");
    assert!(msgs[1].ends_with(b"\n>From quoted in a Content-Length body\n"));
    // What the commands see is the same.
    let (out, err, code) = run(&["text", "testdata/mbox/header-only.mbox"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(">From quoted in a Content-Length body"),
        "{out}"
    );
}

#[test]
fn a_directory_holds_messages_mboxes_and_maildirs() {
    // See: issue 12 — an mbox inside a directory was read as one message.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(root("testdata/mbox/mboxrd.mbox"), d.join("a.mbox")).unwrap();
    std::fs::copy(
        root("testdata/mbox/leading-blank.mbox"),
        d.join("b-git.txt"),
    )
    .unwrap();
    std::fs::write(d.join("c.eml"), b"Subject: single\n\nx\n").unwrap();
    let md = d.join("d-maildir");
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(md.join(sub)).unwrap();
    }
    std::fs::write(md.join("cur/1.a.host:2,S"), b"Subject: in maildir\n\ny\n").unwrap();
    // A compressed mbox among them (files come before sub-directories).
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(
        &mut gz,
        &std::fs::read(root("testdata/mbox/crlf.mbox")).unwrap(),
    )
    .unwrap();
    std::fs::write(d.join("e.mbox.gz"), gz.finish().unwrap()).unwrap();
    let (out, err, code) = run(&["json", "-r", d.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let got: Vec<(String, String)> = jsonl(&out)
        .iter()
        .map(|r| {
            (
                r["source"]["format"].as_str().unwrap().to_string(),
                r["headers"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|h| h["name"] == "Subject")
                    .map(|h| h["value"].to_string())
                    .unwrap_or_default(),
            )
        })
        .collect();
    let formats: Vec<&str> = got.iter().map(|g| g.0.as_str()).collect();
    assert_eq!(
        formats,
        [
            "mbox",
            "mbox",
            "mbox",
            "mbox",
            "mbox",
            "directory",
            "mbox",
            "mbox",
            "maildir"
        ],
        "{got:?}"
    );
    let (out, _, code) = run(&["info", "--json", "-r", d.to_str().unwrap()]);
    assert_eq!(code, 0);
    let v = &jsonl(&out)[0];
    assert_eq!(v["messages"], 9);
    assert_eq!(v["mbox_files"], 3);
}

/// The mbox compressed with every format emlkit reads, by the system tools
/// when they are installed (skipped with a note otherwise).
fn compressed_copies(
    src: &std::path::Path,
    dir: &std::path::Path,
) -> Vec<(String, std::path::PathBuf)> {
    let mut out = Vec::new();
    for (tool, ext) in [
        ("gzip", "gz"),
        ("bzip2", "bz2"),
        ("xz", "xz"),
        ("zstd", "zst"),
    ] {
        let dest = dir.join(format!("m.mbox.{ext}"));
        let ok = std::process::Command::new(tool)
            .args(["-c", src.to_str().unwrap()])
            .stderr(std::process::Stdio::null())
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| std::fs::write(&dest, o.stdout).unwrap());
        match ok {
            Some(()) => out.push((tool.to_string(), dest)),
            None => crate::common::skip(&format!("{tool} is not installed")),
        }
    }
    out
}

#[test]
fn compressed_files_and_stdin_give_the_same_json() {
    // See: issue 12 — a compressed mbox was "not a message: binary data".
    let dir = tempfile::tempdir().unwrap();
    let src = root("testdata/mbox/mboxrd.mbox");
    let (want, _, code) = run(&["json", src.to_str().unwrap()]);
    assert_eq!(code, 0);
    let strip_path = |s: &str| -> Vec<Value> {
        jsonl(s)
            .into_iter()
            .map(|mut v| {
                v["source"]["path"] = Value::Null;
                v
            })
            .collect()
    };
    let want = strip_path(&want);
    // stdin, uncompressed: split as it arrives.
    let o = emlkit()
        .args(["json", "-"])
        .write_stdin(std::fs::read(&src).unwrap())
        .output()
        .unwrap();
    assert_eq!(strip_path(&String::from_utf8_lossy(&o.stdout)), want);
    for (tool, path) in compressed_copies(&src, dir.path()) {
        let (got, err, code) = run(&["json", path.to_str().unwrap()]);
        assert_eq!(code, 0, "{tool}: {err}");
        assert_eq!(strip_path(&got), want, "{tool} file");
        let o = emlkit()
            .args(["json"])
            .write_stdin(std::fs::read(&path).unwrap())
            .output()
            .unwrap();
        assert_eq!(
            strip_path(&String::from_utf8_lossy(&o.stdout)),
            want,
            "{tool} stdin"
        );
        let (info, _, _) = run(&["info", "--json", path.to_str().unwrap()]);
        let v = &jsonl(&info)[0];
        assert_eq!(v["compression"], tool.as_str());
        assert_eq!(v["messages"], 3);
    }
}

#[test]
fn a_compressed_message_and_maildir_file() {
    let dir = tempfile::tempdir().unwrap();
    let msg = b"Subject: packed\n\nhello\n";
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, msg).unwrap();
    let gz = gz.finish().unwrap();
    let one = dir.path().join("one.eml.gz");
    std::fs::write(&one, &gz).unwrap();
    let md = dir.path().join("md");
    for s in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(md.join(s)).unwrap();
    }
    std::fs::write(md.join("new/1.a.host"), &gz).unwrap();
    for input in [&one, &md] {
        let (out, err, code) = run(&["text", input.to_str().unwrap()]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("hello"), "{out}");
    }
}

#[test]
fn a_truncated_archive_gives_the_messages_before_the_cut() {
    let dir = tempfile::tempdir().unwrap();
    let data = make_mbox(3000);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &data).unwrap();
    let gz = gz.finish().unwrap();
    let cut = dir.path().join("cut.mbox.gz");
    std::fs::write(&cut, &gz[..gz.len() * 3 / 4]).unwrap();
    let (out, err, code) = run(&["json", "-j1", cut.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("gzip data:"), "{err}");
    let n = jsonl(&out).len();
    assert!(n > 1000 && n < 3000, "{n}");
}

#[test]
fn unreadable_formats_are_named() {
    // See: issue 12 — a clear message for anything unreadable.
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("mail.zip");
    std::fs::write(&zip, b"PK\x03\x04\x14\x00rest of a zip").unwrap();
    let mut tar = vec![0u8; 512];
    tar[..8].copy_from_slice(b"crlf.mbx");
    tar[257..263].copy_from_slice(b"ustar\0");
    let tar_path = dir.path().join("mail.tar");
    std::fs::write(&tar_path, &tar).unwrap();
    for (p, what) in [(&zip, "a zip archive"), (&tar_path, "a tar archive")] {
        for cmd in ["json", "info"] {
            let (out, err, code) = run(&[cmd, p.to_str().unwrap()]);
            assert_eq!((out.as_str(), code), ("", 2), "{cmd}");
            assert!(
                err.contains(&format!("{what}, not a message or a mailbox")),
                "{err}"
            );
        }
    }
    // Compressed, on stdin, the same.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &tar).unwrap();
    let o = emlkit()
        .args(["json"])
        .write_stdin(gz.finish().unwrap())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("a tar archive"));
}
