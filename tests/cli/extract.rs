//! `emlkit extract`: safety against hostile names, decoded bytes against the
//! peers' expected files, selection, layout, manifest and exit codes.

use assert_cmd::Command;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

fn emlkit() -> Command {
    Command::cargo_bin("emlkit").expect("the emlkit binary is built by cargo test")
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn corpora() -> Option<PathBuf> {
    let p = root().join("../shared/corpora");
    if p.is_dir() {
        Some(p)
    } else {
        crate::common::skip("../shared/corpora is absent");
        None
    }
}

fn fixture(name: &str) -> PathBuf {
    root().join("testdata/extract").join(name)
}

fn records(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("every line is JSON"))
        .collect()
}

fn files(recs: &[Value]) -> Vec<&Value> {
    recs.iter().filter(|r| r["type"] == "file").collect()
}

fn sha256(b: &[u8]) -> String {
    Sha256::digest(b)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

/// Every entry under `dir`, recursively, without following links.
fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let md = fs::symlink_metadata(&p).unwrap();
        out.push(p.clone());
        if md.is_dir() {
            walk(&p, out);
        }
    }
}

#[test]
fn hostile_names_stay_inside_and_overwrite_nothing() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    let outside = t.path().join("outside");
    fs::create_dir_all(&out).unwrap();
    fs::create_dir_all(&outside).unwrap();
    // A symlink planted under a name the message uses, pointing outside, and
    // a file already there.
    std::os::unix::fs::symlink(outside.join("victim"), out.join("x")).unwrap();
    std::os::unix::fs::symlink(&outside, out.join("sub")).unwrap();
    fs::write(out.join("keep.txt"), b"original").unwrap();
    let a = emlkit()
        .args(["extract", "--json", "-o"])
        .arg(&out)
        .arg(fixture("hostile.eml"))
        .assert()
        .success();
    let recs = records(&a.get_output().stdout);
    let fs_recs = files(&recs);
    // 22 hostile attachments, every one written.
    assert_eq!(fs_recs.len(), 22);
    assert_eq!(
        fs::read_dir(&outside).unwrap().count(),
        0,
        "nothing outside"
    );
    assert_eq!(fs::read(out.join("keep.txt")).unwrap(), b"original");
    let mut all = Vec::new();
    walk(&out, &mut all);
    let canon_out = fs::canonicalize(&out).unwrap();
    for r in &fs_recs {
        let p = PathBuf::from(r["path"].as_str().unwrap());
        let md = fs::symlink_metadata(&p).unwrap();
        assert!(md.is_file(), "{p:?} is a regular file");
        assert_eq!(fs::canonicalize(p.parent().unwrap()).unwrap(), canon_out);
        let name = p.file_name().unwrap().to_str().unwrap();
        assert!(!name.starts_with('-') && !name.starts_with('.'), "{name}");
        assert!(name.len() <= 210, "{name}");
        assert!(!name
            .chars()
            .any(|c| c.is_control() || ('\u{200B}'..='\u{202E}').contains(&c)));
        let upper = name.to_ascii_uppercase();
        assert!(!["CON", "NUL", "NUL.TXT"].contains(&upper.as_str()));
        // The bytes are the part's.
        assert_eq!(
            fs::read(&p).unwrap().len() as u64,
            r["size"].as_u64().unwrap()
        );
    }
    let names: Vec<&str> = fs_recs
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    for want in [
        "passwd",
        "_CON",
        "_nul.txt",
        "_rf",
        "invoicefdp.exe",
        "trailing.exe",
        "enc.txt",
    ] {
        assert!(names.contains(&want), "{want} in {names:?}");
    }
    // Planted links are still links, and nothing was written through them.
    assert!(fs::symlink_metadata(out.join("x"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(fs::symlink_metadata(out.join("sub"))
        .unwrap()
        .file_type()
        .is_symlink());
    // Every name that was changed is reported.
    let changed = fs_recs
        .iter()
        .filter(|r| {
            r["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["code"] == "unsafe_filename" || f["code"] == "unusable_filename")
        })
        .count();
    assert!(changed >= 12, "{changed}");

    // A second run into the same folder overwrites nothing either.
    let before: BTreeMap<PathBuf, Vec<u8>> = fs_recs
        .iter()
        .map(|r| {
            let p = PathBuf::from(r["path"].as_str().unwrap());
            let b = fs::read(&p).unwrap();
            (p, b)
        })
        .collect();
    let a = emlkit()
        .args(["extract", "--json", "-o"])
        .arg(&out)
        .arg(fixture("hostile.eml"))
        .assert()
        .success();
    let second = records(&a.get_output().stdout);
    assert_eq!(files(&second).len(), 22);
    for (p, b) in &before {
        assert_eq!(&fs::read(p).unwrap(), b, "{p:?} unchanged");
    }
    for r in files(&second) {
        assert!(!before.contains_key(&PathBuf::from(r["path"].as_str().unwrap())));
    }
    assert_eq!(fs::read_dir(&outside).unwrap().count(), 0);
}

#[test]
fn staktrace_pdf_bytes_match() {
    let Some(c) = corpora() else { return };
    let dir = c.join("staktrace-mailparse/tests/files");
    let t = tempfile::tempdir().unwrap();
    emlkit()
        .args(["extract", "-q", "-o"])
        .arg(t.path())
        .arg(dir.join("test_email_01.txt"))
        .assert()
        .success();
    let got = fs::read(t.path().join("sample.pdf")).unwrap();
    assert_eq!(got, fs::read(dir.join("test_email_01_sample.pdf")).unwrap());
    // And through stdout.
    let a = emlkit()
        .args(["extract", "--name", "*.PDF", "-O", "-"])
        .arg(dir.join("test_email_01.txt"))
        .assert()
        .success();
    assert_eq!(a.get_output().stdout, got);
}

/// Parses the (name, size) pairs of a MIME-tools `.ref` file's parts.
fn ref_parts(text: &str) -> (Option<String>, Vec<(String, u64)>) {
    let mut message = None;
    let mut out = Vec::new();
    let mut name: Option<String> = None;
    let mut size: Option<u64> = None;
    let mut in_part = false;
    for line in text.lines() {
        let l = line.trim();
        if l.starts_with("\"Part_") || l.starts_with("\"Msg\"") || l.starts_with("\"Parser\"") {
            in_part = l.starts_with("\"Part_");
            name = None;
            size = None;
        }
        let val = |l: &str| {
            l.split_once("=>").map(|(_, v)| {
                let v = v.trim().trim_end_matches(',');
                // Perl quoting: "…" or qq{…}.
                let v = match v.strip_prefix("qq{") {
                    Some(q) => q.strip_suffix('}').unwrap_or(q),
                    None => v.trim_matches('"'),
                };
                v.replace("\\@", "@")
            })
        };
        if l.starts_with("\"Message\"") {
            message = val(l);
        }
        if in_part && l.starts_with("\"Filename\"") {
            name = val(l);
        }
        if in_part && l.starts_with("\"Size\"") {
            size = val(l).and_then(|v| v.parse().ok());
        }
        if l.starts_with('}') {
            if let (Some(n), Some(s)) = (name.take(), size.take()) {
                out.push((n, s));
            }
            in_part = false;
        }
    }
    (message, out)
}

#[test]
fn mime_tools_ref_names_and_sizes() {
    let Some(c) = corpora() else { return };
    let base = c.join("dfskoll-MIME-tools");
    let mut checked = 0;
    let mut refs: Vec<_> = fs::read_dir(base.join("testmsgs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ref"))
        .collect();
    refs.sort();
    let mut failures = Vec::new();
    for r in refs {
        let text = fs::read_to_string(&r).unwrap();
        let (msg, parts) = ref_parts(&text);
        let Some(msg) = msg else { continue };
        if parts.is_empty() {
            continue;
        }
        let t = tempfile::tempdir().unwrap();
        let a = emlkit()
            .args(["extract", "--all", "--json", "-o"])
            .arg(t.path())
            .arg(base.join(&msg))
            .assert();
        let recs = records(&a.get_output().stdout);
        let got: Vec<(String, u64)> = files(&recs)
            .iter()
            .map(|x| {
                (
                    x["name"].as_str().unwrap().to_string(),
                    x["size"].as_u64().unwrap(),
                )
            })
            .collect();
        for (n, s) in &parts {
            let want = emlkit::extract::name::safe_name(n).unwrap_or_default();
            checked += 1;
            if !got.iter().any(|(gn, gs)| gn == &want && gs == s) {
                failures.push(format!("{msg}: {n:?} ({s} bytes) not in {got:?}"));
            }
        }
    }
    assert!(checked >= 25, "only {checked} parts checked");
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn mime_tools_uu_in_text_matches_originals() {
    let Some(c) = corpora() else { return };
    let base = c.join("dfskoll-MIME-tools");
    let t = tempfile::tempdir().unwrap();
    let a = emlkit()
        .args(["extract", "--json", "-o"])
        .arg(t.path())
        .arg(base.join("testmsgs/uu-zeegee.msg"))
        .assert()
        .success();
    let recs = records(&a.get_output().stdout);
    let f = files(&recs);
    let by_name: BTreeMap<&str, &Value> = f
        .iter()
        .map(|r| (r["name"].as_str().unwrap(), *r))
        .collect();
    assert!(by_name["zeegee.gif"]["part"]
        .as_str()
        .unwrap()
        .contains(":uu"));
    assert_eq!(by_name["zeegee.gif"]["size"], 4834);
    assert_eq!(by_name["up.gif"]["size"], 110);
    assert_eq!(by_name["zeegee.gif"]["sniffed_type"], "image/gif");
}

/// Wraps an encoded body into a one-part message.
fn wrap(cte: &str, ct: &str, body: &[u8]) -> Vec<u8> {
    let mut m = format!(
        "From: a@example.com\r\nSubject: v\r\nMIME-Version: 1.0\r\nContent-Type: {ct}\r\nContent-Transfer-Encoding: {cte}\r\n\r\n"
    )
    .into_bytes();
    m.extend_from_slice(body);
    m
}

#[test]
fn gmime_encoding_vectors() {
    let Some(c) = corpora() else { return };
    let d = c.join("jstedfast-gmime/tests/data");
    let cases: [(&str, &str, &str, &str); 4] = [
        (
            "base64",
            "image/jpeg; name=photo.jpg",
            "encodings/photo.b64",
            "encodings/photo.jpg",
        ),
        (
            "x-uuencode",
            "image/jpeg; name=photo.jpg",
            "encodings/photo.uu",
            "encodings/photo.jpg",
        ),
        (
            "quoted-printable",
            "text/plain; name=w.txt",
            "encodings/wikipedia.qp",
            "encodings/wikipedia.txt",
        ),
        (
            "7bit",
            "text/plain",
            "encodings/photo.uu",
            "encodings/photo.jpg",
        ),
    ];
    for (cte, ct, input, expected) in cases {
        let msg = wrap(cte, ct, &fs::read(d.join(input)).unwrap());
        let t = tempfile::tempdir().unwrap();
        let a = emlkit()
            .args(["extract", "--json", "-o"])
            .arg(t.path())
            .arg("-")
            .write_stdin(msg)
            .assert()
            .success();
        let recs = records(&a.get_output().stdout);
        let want = sha256(&fs::read(d.join(expected)).unwrap());
        assert!(
            files(&recs).iter().any(|r| r["sha256"] == want.as_str()),
            "{input} as {cte}: {recs:?}"
        );
    }
    // Whole MIME parts shipped with the vectors.
    for input in ["mime-part/raptors.b64.txt", "mime-part/raptors.uu.txt"] {
        let raw = fs::read(d.join(input)).unwrap();
        let mut msg = b"From: a@example.com\r\nMIME-Version: 1.0\r\n".to_vec();
        msg.extend_from_slice(&raw);
        let a = emlkit()
            .args(["extract", "-O", "-", "-"])
            .write_stdin(msg)
            .assert()
            .success();
        assert_eq!(
            sha256(&a.get_output().stdout),
            sha256(&fs::read(d.join("mime-part/raptors.png")).unwrap()),
            "{input}"
        );
    }
}

#[test]
fn tnef_contents_are_unpacked() {
    let t = tempfile::tempdir().unwrap();
    let a = emlkit()
        .args(["extract", "--json", "-o"])
        .arg(t.path())
        .arg(fixture("tnef.eml"))
        .assert()
        .success();
    let recs = records(&a.get_output().stdout);
    let names: Vec<&str> = files(&recs)
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["winmail.dat", "Quarterly report 2024.pdf", "evil.bat"]
    );
    assert_eq!(
        fs::read(t.path().join("Quarterly report 2024.pdf")).unwrap(),
        b"%PDF-1.4\nfake pdf\n"
    );
}

const MBOX: &str = "From a@example.com Mon Jan  1 00:00:00 2024\n\
From: a@example.com\nSubject: one\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n\
--B\nContent-Type: text/plain\n\nhi\n--B\nContent-Type: image/png; name=a.png\nContent-Transfer-Encoding: base64\n\niVBORw0KGgo=\n--B\n\
Content-Type: message/rfc822\n\nFrom: b@example.com\nSubject: inner\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=C\n\n\
--C\nContent-Type: text/plain\n\ninner text\n--C\nContent-Type: application/pdf; name=inner.pdf\n\n%PDF-1.4 inner\n--C--\n\
--B--\n\n\
From a@example.com Mon Jan  1 00:00:01 2024\n\
From: a@example.com\nSubject: two\n\nplain text only\n\n\
From a@example.com Mon Jan  1 00:00:02 2024\n\
From: a@example.com\nSubject: three\nContent-Type: application/pdf; name=a.png\n\n%PDF-1.4\n";

#[test]
fn mailbox_layout_recurse_and_flat() {
    let t = tempfile::tempdir().unwrap();
    let mbox = t.path().join("in.mbox");
    fs::write(&mbox, MBOX).unwrap();
    let out = t.path().join("o");
    emlkit()
        .args(["extract", "-q", "-o"])
        .arg(&out)
        .arg(&mbox)
        .assert()
        .success();
    assert!(out.join("0/a.png").is_file());
    assert!(out.join("0/part-3.eml").is_file());
    assert!(!out.join("0/part-3").exists(), "no recursion by default");
    assert!(
        !out.join("1").exists(),
        "no folder for a message without files"
    );
    assert!(out.join("2/a.png").is_file());
    let out = t.path().join("r");
    let a = emlkit()
        .args([
            "extract",
            "--recurse",
            "--json",
            "--digest",
            "sha256,sha1,md5",
            "-o",
        ])
        .arg(&out)
        .arg(&mbox)
        .assert()
        .success();
    assert_eq!(
        fs::read(out.join("0/part-3/inner.pdf")).unwrap(),
        b"%PDF-1.4 inner"
    );
    let recs = records(&a.get_output().stdout);
    let f = files(&recs);
    let inner = f.iter().find(|r| r["name"] == "inner.pdf").unwrap();
    assert_eq!(inner["part"], "3.2");
    assert_eq!(inner["source"]["index"], 0);
    let third = f.iter().find(|r| r["source"]["index"] == 2).unwrap();
    // Declared application/pdf and PDF bytes, but named a.png.
    let codes: Vec<&str> = third["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["extension_mismatch"]);
    assert_eq!(third["sniffed_type"], "application/pdf");
    for r in &f {
        for k in [
            "sha256",
            "sha1",
            "md5",
            "content_type",
            "name_candidates",
            "path",
        ] {
            assert!(!r[k].is_null(), "{k} in {r}");
        }
        assert_eq!(r["md5"].as_str().unwrap().len(), 32);
        assert_eq!(r["sha1"].as_str().unwrap().len(), 40);
    }
    let out = t.path().join("f");
    emlkit()
        .args(["extract", "-q", "--flat", "--recurse", "-o"])
        .arg(&out)
        .arg(&mbox)
        .assert()
        .success();
    let mut names: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["a (2).png", "a.png", "inner.pdf", "part-3.eml"]);
}

#[test]
fn selection_and_exit_codes() {
    let t = tempfile::tempdir().unwrap();
    let mbox = t.path().join("in.mbox");
    fs::write(&mbox, MBOX).unwrap();
    // Nothing matched: exit 1, nothing written.
    emlkit()
        .args(["extract", "--type", "video/*", "-o"])
        .arg(t.path().join("none"))
        .arg(&mbox)
        .assert()
        .code(1);
    // --part, --type, --name.
    let a = emlkit()
        .args(["extract", "--json", "--part", "2", "-o"])
        .arg(t.path().join("p"))
        .arg(&mbox)
        .assert()
        .success();
    let recs = records(&a.get_output().stdout);
    let parts: Vec<(u64, &str)> = files(&recs)
        .iter()
        .map(|r| {
            (
                r["source"]["index"].as_u64().unwrap(),
                r["part"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(parts, [(0, "2")]);
    let a = emlkit()
        .args([
            "extract",
            "--json",
            "--type",
            "application/pdf",
            "--recurse",
            "-o",
        ])
        .arg(t.path().join("t"))
        .arg(&mbox)
        .assert()
        .success();
    assert_eq!(files(&records(&a.get_output().stdout)).len(), 2);
    let a = emlkit()
        .args(["extract", "--json", "--name", "A.PNG", "-o"])
        .arg(t.path().join("n"))
        .arg(&mbox)
        .assert()
        .success();
    let recs = records(&a.get_output().stdout);
    assert_eq!(files(&recs).len(), 2);
    let mismatch = files(&recs)
        .into_iter()
        .find(|r| r["source"]["index"] == 2)
        .unwrap();
    // Declared application/pdf named a.png: the type fits the bytes; the
    // name does not matter for the type check.
    assert_eq!(mismatch["content_type"], "application/pdf");
    // --all writes bodies too.
    let a = emlkit()
        .args(["extract", "--json", "--all", "-o"])
        .arg(t.path().join("a"))
        .arg(&mbox)
        .assert()
        .success();
    assert_eq!(files(&records(&a.get_output().stdout)).len(), 7);
    // -O - with several matches: the first is written, exit 2.
    let a = emlkit()
        .args([
            "extract",
            "-O",
            "-",
            "--type",
            "application/pdf",
            "--recurse",
        ])
        .arg(&mbox)
        .assert()
        .code(2);
    assert_eq!(a.get_output().stdout, b"%PDF-1.4 inner");
    // An output "directory" that is a file: exit 2 with a message.
    let file = t.path().join("afile");
    fs::write(&file, b"").unwrap();
    let a = emlkit()
        .args(["extract", "-o"])
        .arg(&file)
        .arg(&mbox)
        .assert()
        .code(2);
    assert!(String::from_utf8_lossy(&a.get_output().stderr).starts_with("emlkit: "));
}

#[test]
fn a_bad_message_does_not_stop_the_others() {
    let t = tempfile::tempdir().unwrap();
    let mbox = t.path().join("in.mbox");
    let mut data = MBOX.as_bytes().to_vec();
    data.extend_from_slice(b"\nFrom x Mon Jan  1 00:00:03 2024\n\0\0\0binary\n\n");
    data.extend_from_slice(MBOX.as_bytes());
    fs::write(&mbox, data).unwrap();
    let a = emlkit()
        .args(["extract", "--json", "-o"])
        .arg(t.path().join("o"))
        .arg(&mbox)
        .assert()
        .code(2);
    let recs = records(&a.get_output().stdout);
    assert_eq!(files(&recs).len(), 6);
    let err = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    assert!(err.contains("in.mbox#3"), "{err}");
}

#[test]
fn message_partial_is_a_finding() {
    let Some(c) = corpora() else { return };
    let p = c.join("jstedfast-gmime/tests/data/partial/input/photo-discuss/message-partial.0.eml");
    if !p.exists() {
        crate::common::skip(&format!("{p:?} absent"));
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let a = emlkit()
        .args(["extract", "--json", "-o"])
        .arg(t.path())
        .arg(&p)
        .assert();
    let recs = records(&a.get_output().stdout);
    assert!(
        recs.iter()
            .any(|r| r["type"] == "finding" && r["code"] == "message_partial"),
        "{recs:?}"
    );
}

#[test]
fn many_equal_names_and_deep_nesting_are_bounded() {
    // 2,000 parts all named a.txt: every one written, none overwritten.
    let mut m = String::from("From: a@example.com\nContent-Type: multipart/mixed; boundary=Z\n\n");
    for i in 0..2000 {
        m.push_str(&format!(
            "--Z\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename=a.txt\n\n{i}\n"
        ));
    }
    m.push_str("--Z--\n");
    let t = tempfile::tempdir().unwrap();
    emlkit()
        .args(["extract", "-q", "-o"])
        .arg(t.path())
        .arg("-")
        .write_stdin(m)
        .assert()
        .success();
    assert_eq!(fs::read_dir(t.path()).unwrap().count(), 2000);
    assert_eq!(fs::read(t.path().join("a (2000).txt")).unwrap(), b"1999");

    // Attached messages nested 150 deep, each with a file: extraction with
    // --recurse stays inside DIR and ends (the model stops at its depth limit).
    let mut inner = String::from(
        "From: z@example.com\nContent-Type: application/pdf; name=deep.pdf\n\n%PDF-1.4\n",
    );
    for _ in 0..150 {
        inner = format!(
            "From: y@example.com\nContent-Type: multipart/mixed; boundary=\"{b}\"\n\n--{b}\nContent-Type: text/plain; name=\"../../up.txt\"\n\nx\n--{b}\nContent-Type: message/rfc822\n\n{inner}\n--{b}--\n",
            b = format!("b{}", inner.len())
        );
    }
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("o");
    let a = emlkit()
        .args(["extract", "-q", "--recurse", "-o"])
        .arg(&out)
        .arg("-")
        .write_stdin(inner)
        .assert()
        // Nesting deeper than --max-depth is cut there, and says so (issue 14).
        .code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr);
    assert!(err.contains("depth_limit"), "{err}");
    let mut all = Vec::new();
    walk(t.path(), &mut all);
    assert!(all.iter().all(|p| p.starts_with(&out)));
    assert!(all.iter().filter(|p| p.ends_with("up.txt")).count() >= 50);
}

/// The manifest record, pinned: an unplanned field fails the test.
#[derive(serde::Deserialize, Debug)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct FileRecord {
    #[serde(rename = "type")]
    kind: String,
    source: serde_json::Map<String, Value>,
    part: String,
    name_candidates: Vec<Candidate>,
    raw_name: Option<String>,
    name: String,
    path: String,
    content_type: String,
    sniffed_type: Option<String>,
    size: u64,
    sha256: String,
    sha1: String,
    md5: String,
    findings: Vec<FindingRecord>,
}

#[derive(serde::Deserialize, Debug)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Candidate {
    source: String,
    value: String,
}

/// A `finding` record of the manifest: a finding of the message (the same
/// as in `emlkit json`) or of the extraction, with the message's source.
#[derive(serde::Deserialize, Debug)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct FindingLine {
    #[serde(rename = "type")]
    kind: String,
    code: String,
    message: String,
    part: Option<String>,
    offset: Option<u64>,
    source: serde_json::Map<String, Value>,
}

#[derive(serde::Deserialize, Debug)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct FindingRecord {
    #[serde(rename = "type")]
    kind: String,
    code: String,
    message: String,
    part: Option<String>,
    offset: Option<u64>,
}

#[test]
fn manifest_schema_is_pinned() {
    let t = tempfile::tempdir().unwrap();
    for f in ["hostile.eml", "tnef.eml"] {
        let a = emlkit()
            .args(["extract", "--json", "--digest", "sha256,sha1,md5", "-o"])
            .arg(t.path().join(f))
            .arg(fixture(f))
            .assert()
            .success();
        let mut files = 0;
        for line in String::from_utf8_lossy(&a.get_output().stdout).lines() {
            if line.starts_with(r#"{"type":"finding""#) {
                let r: FindingLine =
                    serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
                assert_eq!(r.kind, "finding");
                assert!(r.source.contains_key("path"));
                continue;
            }
            files += 1;
            let r: FileRecord =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
            assert_eq!(r.kind, "file");
            assert_eq!(r.sha256.len(), 64);
            for k in ["path", "format", "index", "offset", "length"] {
                assert!(r.source.contains_key(k), "{k}");
            }
        }
        assert!(files > 0, "{f}: no file record");
    }
}

#[test]
fn digest_chooses_the_manifest_digests() {
    let msg = root().join("testdata/messages/mixed.eml");
    let run = |digest: Option<&str>| -> Vec<Value> {
        let out = tempfile::tempdir().expect("tempdir");
        let mut c = emlkit();
        c.arg("extract").arg("--json").arg("-o").arg(out.path());
        if let Some(d) = digest {
            c.arg("--digest").arg(d);
        }
        let o = c.arg(&msg).output().expect("runs");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        records(&o.stdout)
    };
    let default = run(None);
    let d = files(&default)[0];
    assert!(d["sha256"].is_string() && d.get("md5").is_none(), "{d}");
    let all = run(Some("sha256,sha1,md5"));
    let f = files(&all)[0];
    for k in ["sha256", "sha1", "md5"] {
        assert!(f[k].is_string(), "all three: {k}");
    }
    let one = run(Some("sha256"));
    let g = files(&one)[0];
    assert_eq!(g["sha256"], f["sha256"]);
    assert!(g.get("sha1").is_none() && g.get("md5").is_none(), "{g}");
    let two = run(Some("md5,sha1"));
    let h = files(&two)[0];
    assert!(h.get("sha256").is_none());
    assert_eq!(h["md5"], f["md5"]);
    assert_eq!(h["sha1"], f["sha1"]);
}
