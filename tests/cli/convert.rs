//! `emlkit convert`: lossless round trips, flags both ways, appends.

use crate::mailbox_common::*;
use sha2::{Digest, Sha256};

fn sums(msgs: &[Vec<u8>]) -> Vec<String> {
    msgs.iter()
        .map(|m| format!("{:x}", Sha256::digest(m)))
        .collect()
}

#[test]
fn mbox_to_maildir_to_mbox_keeps_bytes_and_flags() {
    let dir = tempfile::tempdir().unwrap();
    let src = root("testdata/mbox/mboxrd.mbox");
    let md = dir.path().join("md");
    let back = dir.path().join("back.mbox");
    let (_, err, code) = run(&[
        "convert",
        src.to_str().unwrap(),
        "--to",
        "maildir",
        md.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    // Status: RO + X-Status: A -> cur, RS; no Status -> new; Status: O + X-Status: F -> cur, F.
    let mut cur: Vec<String> = std::fs::read_dir(md.join("cur"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    cur.sort();
    assert!(
        cur[0].ends_with(":2,RS") && cur[1].ends_with(":2,F"),
        "{cur:?}"
    );
    assert_eq!(std::fs::read_dir(md.join("new")).unwrap().count(), 1);
    assert_eq!(std::fs::read_dir(md.join("tmp")).unwrap().count(), 0);
    let (_, err, code) = run(&[
        "convert",
        md.to_str().unwrap(),
        "--to",
        "mbox",
        back.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let a = mbox_messages(&std::fs::read(&src).unwrap());
    let b = mbox_messages(&std::fs::read(&back).unwrap());
    assert_eq!(sums(&a), sums(&b));
}

#[test]
fn maildir_flags_become_status_fields() {
    let dir = tempfile::tempdir().unwrap();
    let md = dir.path().join("md");
    for d in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(md.join(d)).unwrap();
    }
    std::fs::write(md.join("cur/1000.a.host:2,FRS"), b"Subject: a\n\nx\n").unwrap();
    std::fs::write(md.join("new/1001.b.host"), b"Subject: b\n\ny\n").unwrap();
    // The From_ date is the file's modification time (issue 12), not the
    // name's: the two differ here on purpose.
    std::fs::File::options()
        .write(true)
        .open(md.join("cur/1000.a.host:2,FRS"))
        .unwrap()
        .set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1000))
        .unwrap();
    let out = dir.path().join("o.mbox");
    assert_eq!(
        run(&[
            "convert",
            md.to_str().unwrap(),
            "--to",
            "mbox",
            out.to_str().unwrap()
        ])
        .2,
        0
    );
    let data = std::fs::read(&out).unwrap();
    let msgs = mbox_messages(&data);
    assert_eq!(msgs[0], b"Subject: a\nStatus: RO\nX-Status: AF\n\nx\n");
    assert_eq!(msgs[1], b"Subject: b\n\ny\n");
    assert!(
        String::from_utf8_lossy(&data).starts_with("From MAILER-DAEMON Thu Jan  1 00:16:40 1970\n"),
        "{}",
        String::from_utf8_lossy(&data)
    );
    // And back: the flags come home.
    let md2 = dir.path().join("md2");
    assert_eq!(
        run(&[
            "convert",
            out.to_str().unwrap(),
            "--to",
            "maildir",
            md2.to_str().unwrap()
        ])
        .2,
        0
    );
    let cur: Vec<String> = std::fs::read_dir(md2.join("cur"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(cur.len(), 1);
    assert!(cur[0].ends_with(":2,FRS"), "{cur:?}");
}

#[test]
fn appending_never_clobbers() {
    let dir = tempfile::tempdir().unwrap();
    let src = root("testdata/mbox/gitpatch.mbox");
    let out = dir.path().join("o.mbox");
    for _ in 0..2 {
        assert_eq!(
            run(&[
                "convert",
                src.to_str().unwrap(),
                "--to",
                "mbox",
                out.to_str().unwrap()
            ])
            .2,
            0
        );
    }
    let msgs = mbox_messages(&std::fs::read(&out).unwrap());
    let one = mbox_messages(&std::fs::read(&src).unwrap());
    assert_eq!(msgs.len(), 4);
    assert_eq!(&msgs[..2], &one[..]);
    assert_eq!(&msgs[2..], &one[..]);
    let md = dir.path().join("md");
    for _ in 0..2 {
        assert_eq!(
            run(&[
                "convert",
                src.to_str().unwrap(),
                "--to",
                "maildir",
                md.to_str().unwrap()
            ])
            .2,
            0
        );
    }
    // The second run finds every message already there (issue 12).
    assert_eq!(std::fs::read_dir(md.join("new")).unwrap().count(), 2);
}

#[test]
fn crlf_and_missing_newline() {
    let dir = tempfile::tempdir().unwrap();
    let src = root("testdata/mbox/crlf.mbox");
    let out = dir.path().join("o.mbox");
    let md = dir.path().join("md");
    run(&[
        "convert",
        src.to_str().unwrap(),
        "--to",
        "maildir",
        md.to_str().unwrap(),
    ]);
    run(&[
        "convert",
        md.to_str().unwrap(),
        "--to",
        "mbox",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        mbox_messages(&std::fs::read(&out).unwrap()),
        mbox_messages(&std::fs::read(&src).unwrap())
    );
    let (_, err, code) = run(&[
        "convert",
        "testdata/mbox/no-final-newline.mbox",
        "--to",
        "mbox",
        dir.path().join("n.mbox").to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    assert!(err.contains("no line ending at the end"), "{err}");
}

#[test]
fn duckdb_loads_the_json_lines() {
    let ok = std::process::Command::new("python3")
        .args(["-c", "import duckdb"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        crate::common::skip("the duckdb Python package is not importable (pip install duckdb)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("m.mbox");
    std::fs::write(&src, make_mbox(50)).unwrap();
    let (out, _, code) = run(&["json", src.to_str().unwrap()]);
    assert_eq!(code, 0);
    let jl = dir.path().join("m.jsonl");
    std::fs::write(&jl, out).unwrap();
    let script = format!(
        "import duckdb\n\
         r = duckdb.sql(\"select count(*), min(source.index), max(source.index), \
         max(subject) filter (where source.index = 7) from read_json_auto('{}')\").fetchall()[0]\n\
         print(r[0], r[1], r[2], r[3])",
        jl.display()
    );
    let o = std::process::Command::new("python3")
        .args(["-c", &script])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        "50 0 49 message 7"
    );
}

#[test]
fn from_lines_are_kept_as_bytes() {
    // See: issue 12 — `From j\xF6rg@…` came back as U+FFFD.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o.mbox");
    let src = root("testdata/mbox/latin1-envelope.mbox");
    let (_, err, code) = run(&[
        "convert",
        src.to_str().unwrap(),
        "--to",
        "mbox",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let (a, b) = (std::fs::read(&src).unwrap(), std::fs::read(&out).unwrap());
    assert_eq!(
        mbox_from_lines(&b),
        [b"From j\xF6rg@example.com Mon Jan  1 00:00:00 2001".to_vec()]
    );
    assert_eq!(mbox_messages(&a), mbox_messages(&b));
    // mboxcl2 messages come through unchanged as well (not unquoted).
    let out2 = dir.path().join("o2.mbox");
    let src = root("testdata/mbox/header-only.mbox");
    let (_, err, code) = run(&[
        "convert",
        src.to_str().unwrap(),
        "--to",
        "mbox",
        out2.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let a = std::fs::read(&src).unwrap();
    let b = std::fs::read(&out2).unwrap();
    assert_eq!(mbox_messages(&a), mbox_messages(&b));
    assert_eq!(mbox_from_lines(&a), mbox_from_lines(&b));
}

#[test]
fn refuses_to_append_to_a_file_that_is_not_an_mbox() {
    // See: issue 12 — `convert a.eml b.eml --to mbox` appended into b.eml.
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("b.eml");
    let before = b"Subject: a message, not an mbox\n\nbody\n";
    std::fs::write(&target, before).unwrap();
    let (_, err, code) = run(&[
        "convert",
        "testdata/mbox/mboxrd.mbox",
        "--to",
        "mbox",
        target.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("not an mbox"), "{err}");
    assert_eq!(std::fs::read(&target).unwrap(), before);
    assert!(!dir.path().join("b.eml.lock").exists());
    // build --mbox shares the writer and the refusal.
    let spec = dir.path().join("spec.json");
    std::fs::write(
        &spec,
        br#"{"from":"a@b.c","to":["d@e.f"],"subject":"s","text":"x"}"#,
    )
    .unwrap();
    let (_, err, code) = run(&[
        "build",
        "--spec",
        spec.to_str().unwrap(),
        "--mbox",
        target.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(std::fs::read(&target).unwrap(), before);
}

#[test]
fn appends_wait_for_the_dotlock_and_leave_none() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("box.mbox");
    std::fs::copy(root("testdata/mbox/crlf.mbox"), &target).unwrap();
    let lock = dir.path().join("box.mbox.lock");
    std::fs::write(&lock, b"1\n").unwrap();
    // Another program holds the lock for a moment, then lets go.
    let releaser = {
        let lock = lock.clone();
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(400));
            std::fs::remove_file(lock).unwrap();
        })
    };
    let (_, err, code) = run(&[
        "convert",
        "testdata/mbox/gitpatch.mbox",
        "--to",
        "mbox",
        target.to_str().unwrap(),
    ]);
    releaser.join().unwrap();
    assert_eq!(code, 0, "{err}");
    assert!(!lock.exists());
    assert_eq!(mbox_messages(&std::fs::read(&target).unwrap()).len(), 4);
}

#[test]
fn converting_twice_into_a_maildir_does_not_double_it() {
    let dir = tempfile::tempdir().unwrap();
    let md = dir.path().join("md");
    let convert = |extra: &[&str]| {
        let mut a = vec![
            "convert",
            "testdata/mbox/mboxrd.mbox",
            "--to",
            "maildir",
            md.to_str().unwrap(),
        ];
        a.extend_from_slice(extra);
        run(&a)
    };
    let count = || {
        ["cur", "new"]
            .iter()
            .map(|s| std::fs::read_dir(md.join(s)).unwrap().count())
            .sum::<usize>()
    };
    assert_eq!(convert(&[]).2, 0);
    assert_eq!(count(), 3);
    let (_, err, code) = convert(&[]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("3 messages were already there"), "{err}");
    assert_eq!(count(), 3);
    assert_eq!(convert(&["--allow-duplicates"]).2, 0);
    assert_eq!(count(), 6);
}

#[cfg(unix)]
#[test]
fn everything_written_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let md = dir.path().join("md");
    let mb = dir.path().join("o.mbox");
    let files = dir.path().join("files");
    for (to, out) in [("maildir", &md), ("mbox", &mb), ("dir", &files)] {
        let (_, err, code) = run(&[
            "convert",
            "testdata/mbox/mboxrd.mbox",
            "--to",
            to,
            out.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{err}");
    }
    assert_eq!(mode(&mb), 0o600);
    for d in [
        md.clone(),
        md.join("cur"),
        md.join("new"),
        md.join("tmp"),
        files.clone(),
    ] {
        assert_eq!(mode(&d), 0o700, "{}", d.display());
    }
    for sub in [md.join("cur"), md.join("new"), files.clone()] {
        for e in std::fs::read_dir(sub).unwrap() {
            let p = e.unwrap().path();
            assert_eq!(mode(&p), 0o600, "{}", p.display());
        }
    }
}

/// An mbox with every combination of flags and keywords, written as emlkit,
/// Dovecot and mutt write them (fields at the end of the header), and a
/// different envelope date for every message.
fn metadata_mbox() -> Vec<u8> {
    let mut out = Vec::new();
    let statuses = [None, Some("O"), Some("RO")];
    let x_statuses = [None, Some("A"), Some("F"), Some("AFDT")];
    let keywords = [None, Some("$Label1"), Some("$Label1 Junk NonJunk")];
    let mut i = 0u32;
    for s in statuses {
        for x in x_statuses {
            for k in keywords {
                // A message without Status but with X-Status or keywords
                // would come back with `Status: O` (it lives in cur/).
                if s.is_none() && (x.is_some() || k.is_some()) {
                    continue;
                }
                let mut m = format!(
                    "Return-Path: <user{i}@example.com>\nSubject: m{i}\nMessage-ID: <{i}@x>\n"
                );
                if let Some(s) = s {
                    m.push_str(&format!("Status: {s}\n"));
                }
                if let Some(x) = x {
                    m.push_str(&format!("X-Status: {x}\n"));
                }
                if let Some(k) = k {
                    m.push_str(&format!("X-Keywords: {k}\n"));
                }
                m.push_str("\nbody\nFrom the start\n");
                let secs = 1_000_000_000 + i as i64 * 86_400 * 37;
                let from = emlkit::source::envelope::format(
                    format!("user{i}@example.com").as_bytes(),
                    secs,
                );
                emlkit::sink::write_mboxrd(&mut out, &from, m.as_bytes()).unwrap();
                i += 1;
            }
        }
    }
    out
}

fn mtime(p: &std::path::Path) -> i64 {
    std::fs::metadata(p)
        .unwrap()
        .modified()
        .unwrap()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[test]
fn mbox_to_maildir_to_mbox_keeps_envelopes_flags_and_keywords() {
    // See: issue 12 — dates, keywords and From_ lines were lost.
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src.mbox");
    let data = metadata_mbox();
    std::fs::write(&src, &data).unwrap();
    let md = dir.path().join("md");
    let back = dir.path().join("back.mbox");
    let (_, err, code) = run(&[
        "convert",
        src.to_str().unwrap(),
        "--to",
        "maildir",
        md.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    // Dovecot's keyword file names the letters.
    let kw = std::fs::read_to_string(md.join("dovecot-keywords")).unwrap();
    assert_eq!(kw, "0 $Label1\n1 Junk\n2 NonJunk\n");
    // Every file: no metadata fields inside, its envelope date as mtime,
    // its flags and keyword letters in the name.
    let list = emlkit::source::maildir::list_maildir(&md, false).unwrap();
    let envelopes = mbox_from_lines(&data);
    assert_eq!(list.len(), envelopes.len());
    for (e, from) in list.iter().zip(&envelopes) {
        let bytes = std::fs::read(&e.path).unwrap();
        assert!(!String::from_utf8_lossy(&bytes).contains("Status:"));
        assert!(!String::from_utf8_lossy(&bytes).contains("X-Keywords:"));
        let t = emlkit::source::envelope::parse(from).unwrap().time.unwrap();
        assert_eq!(mtime(&e.path), t, "{}", e.path.display());
    }
    assert!(list
        .iter()
        .any(|e| e.path.to_string_lossy().ends_with(":2,ADFRSTabc")
            || e.path.to_string_lossy().ends_with(":2,DFRSTabc")));
    let (_, err, code) = run(&[
        "convert",
        md.to_str().unwrap(),
        "--to",
        "mbox",
        back.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    // Byte for byte: messages and From_ lines.
    assert_eq!(std::fs::read(&back).unwrap(), data);
}

#[test]
fn maildir_to_mbox_to_maildir_keeps_files_flags_keywords_and_times() {
    let dir = tempfile::tempdir().unwrap();
    let md = dir.path().join("md");
    for d in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(md.join(d)).unwrap();
    }
    std::fs::write(md.join("dovecot-keywords"), "0 $Forwarded\n3 work\n").unwrap();
    let files = [
        ("new/1000000001.a.host", 1_000_000_001i64),
        ("cur/1000000002.b.host:2,", 1_100_000_000),
        ("cur/1000000003.c.host:2,S", 1_200_000_000),
        ("cur/1000000004.d.host:2,FRSad", 1_300_000_000),
        ("cur/1000000005.e.host:2,DTd", 1_400_000_000),
    ];
    for (i, (name, t)) in files.iter().enumerate() {
        let p = md.join(name);
        std::fs::write(
            &p,
            format!("Return-Path: <s{i}@example.com>\nSubject: {i}\n\nx\n"),
        )
        .unwrap();
        let when = std::time::UNIX_EPOCH + std::time::Duration::from_secs(*t as u64);
        std::fs::File::options()
            .write(true)
            .open(&p)
            .unwrap()
            .set_modified(when)
            .unwrap();
    }
    let mb = dir.path().join("m.mbox");
    let md2 = dir.path().join("md2");
    let (_, err, code) = run(&[
        "convert",
        md.to_str().unwrap(),
        "--to",
        "mbox",
        mb.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let mbox = std::fs::read(&mb).unwrap();
    let froms = mbox_from_lines(&mbox);
    assert_eq!(froms[3], b"From s3@example.com Sun Mar 13 07:06:40 2011");
    assert!(String::from_utf8_lossy(&mbox).contains("X-Keywords: $Forwarded work\n"));
    let (_, err, code) = run(&[
        "convert",
        mb.to_str().unwrap(),
        "--to",
        "maildir",
        md2.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let a = emlkit::source::maildir::list_maildir(&md, false).unwrap();
    let b = emlkit::source::maildir::list_maildir(&md2, false).unwrap();
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(
            std::fs::read(&x.path).unwrap(),
            std::fs::read(&y.path).unwrap()
        );
        assert_eq!(
            (&x.flags, &x.keywords, &x.folder),
            (&y.flags, &y.keywords, &y.folder)
        );
        assert_eq!(mtime(&x.path), mtime(&y.path));
    }
}

#[cfg(unix)]
#[test]
fn appends_wait_for_an_fcntl_lock() {
    // Another program (here Python, as mutt or Dovecot would) holds an fcntl
    // write lock on the mbox; the append waits for it. See: issue 12.
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("box.mbox");
    std::fs::copy(root("testdata/mbox/crlf.mbox"), &target).unwrap();
    let holder = std::process::Command::new("python3")
        .args([
            "-c",
            "import fcntl, sys, time\n\
             f = open(sys.argv[1], 'r+')\n\
             fcntl.lockf(f, fcntl.LOCK_EX)\n\
             print('locked', flush=True)\n\
             time.sleep(0.8)\n",
            target.to_str().unwrap(),
        ])
        .stdout(std::process::Stdio::piped())
        .spawn();
    let Ok(mut holder) = holder else {
        crate::common::skip("python3 is not available");
        return;
    };
    // Wait until the lock is held.
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(holder.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    assert_eq!(line.trim(), "locked");
    let started = std::time::Instant::now();
    let (_, err, code) = run(&[
        "convert",
        "testdata/mbox/gitpatch.mbox",
        "--to",
        "mbox",
        target.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(400),
        "did not wait for the lock: {:?}",
        started.elapsed()
    );
    holder.wait().unwrap();
    assert_eq!(mbox_messages(&std::fs::read(&target).unwrap()).len(), 4);
}
