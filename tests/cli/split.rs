//! `emlkit split`: one file per message, byte for byte, never clobbering.

use crate::mailbox_common::*;

#[test]
fn split_writes_every_message_and_never_clobbers() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("msgs");
    let mbox = root("testdata/mbox/mboxrd.mbox");
    let (_, err, code) = run(&["split", mbox.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["000000.eml", "000001.eml", "000002.eml"]);
    let want = mbox_messages(&std::fs::read(&mbox).unwrap());
    for (i, w) in want.iter().enumerate() {
        assert_eq!(&std::fs::read(out.join(&names[i])).unwrap(), w);
    }
    // A second run refuses to replace the files.
    std::fs::write(out.join("000001.eml"), b"mine").unwrap();
    let (_, err, code) = run(&["split", mbox.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("000001.eml"), "{err}");
    assert_eq!(std::fs::read(out.join("000001.eml")).unwrap(), b"mine");
    assert!(
        std::fs::read_dir(&out).unwrap().count() == 3,
        "no temporary files left"
    );
}

#[test]
fn split_then_join_is_lossless() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("m.mbox");
    let data = make_mbox(40);
    std::fs::write(&src, &data).unwrap();
    let files = dir.path().join("files");
    let joined = dir.path().join("joined.mbox");
    assert_eq!(
        run(&[
            "split",
            src.to_str().unwrap(),
            "-o",
            files.to_str().unwrap()
        ])
        .2,
        0
    );
    assert_eq!(
        run(&[
            "convert",
            files.to_str().unwrap(),
            "--to",
            "mbox",
            joined.to_str().unwrap()
        ])
        .2,
        0
    );
    assert_eq!(
        mbox_messages(&std::fs::read(&joined).unwrap()),
        mbox_messages(&data)
    );
}

#[test]
fn split_shards_compose() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("m.mbox");
    std::fs::write(&src, make_mbox(30)).unwrap();
    let out = dir.path().join("o");
    for k in 1..=3 {
        let (_, err, code) = run(&[
            "split",
            "--shard",
            &format!("{k}/3"),
            src.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{err}");
    }
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 30);
    assert!(out.join("000029.eml").exists());
}

#[test]
fn split_numbers_by_input_position() {
    // See: issue 12 — a missing input did not take its number.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (_, err, code) = run(&[
        "split",
        "testdata/mbox/crlf.mbox",
        "testdata/mbox/missing.mbox",
        "testdata/mbox/gitpatch.mbox",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("missing.mbox"), "{err}");
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "000-000000.eml",
            "000-000001.eml",
            "002-000000.eml",
            "002-000001.eml"
        ]
    );
}
