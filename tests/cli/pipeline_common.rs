//! A small archive shared by the pipeline tests (pick, scan, sort, thread,
//! dedupe): a thread, a reply to a missing message, a duplicate, an
//! attachment, Gmail labels.

use std::path::PathBuf;

/// The messages of the archive, without `From ` lines.
pub const MESSAGES: &[&str] = &[
    // 0: the start of a thread.
    "From: Ann Example <ann@example.com>\nTo: bob@example.org\nSubject: Plans\nDate: Wed, 10 Jan 2024 09:00:00 +0000\nMessage-ID: <a@x>\nX-Gmail-Labels: Inbox,Important\n\nLet us plan.\n",
    // 1: a reply with a PDF.
    "From: Bob <bob@example.org>\nTo: ann@example.com\nSubject: Re: Plans\nDate: Thu, 11 Jan 2024 09:00:00 +0000\nMessage-ID: <b@x>\nIn-Reply-To: <a@x>\nReferences: <a@x>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=zz\n\n--zz\nContent-Type: text/plain\n\nSee the report.\n--zz\nContent-Type: application/pdf\nContent-Disposition: attachment; filename=report.pdf\nContent-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n--zz--\n",
    // 2: a reply to the reply.
    "From: Carol <carol@corp.test>\nTo: ann@example.com\nSubject: Re: Plans\nDate: Fri, 12 Jan 2024 09:00:00 +0000\nMessage-ID: <c@x>\nReferences: <a@x> <b@x>\nX-Gmail-Labels: Work\n\nAgreed.\n",
    // 3: a reply to a message that is not in the archive.
    "From: Ann Example <ann@example.com>\nTo: list@example.net\nSubject: Re: Other\nDate: Sun, 31 Dec 2023 23:00:00 +0000\nMessage-ID: <d@x>\nReferences: <missing@x>\n\nOld news.\n",
    // 4: message 0 again.
    "From: Ann Example <ann@example.com>\nTo: bob@example.org\nSubject: Plans\nDate: Wed, 10 Jan 2024 09:00:00 +0000\nMessage-ID: <a@x>\nX-Gmail-Labels: Inbox,Important\n\nLet us plan.\n",
    // 5: another reply to the missing message.
    "From: Dave <dave@example.net>\nTo: list@example.net\nSubject: Re: Other\nDate: Thu, 01 Feb 2024 10:00:00 +0000\nMessage-ID: <e@x>\nIn-Reply-To: <missing@x>\n\nMe too.\n",
];

/// Writes the archive as an mbox into a new temporary directory.
pub fn archive() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("archive.mbox");
    let mut data = String::new();
    for m in MESSAGES {
        data.push_str("From someone@example.com Mon Jan  1 00:00:00 2024\n");
        data.push_str(m);
        data.push('\n');
    }
    std::fs::write(&path, data).expect("the archive is written");
    (dir, path)
}

/// Runs emlkit; returns (exit code, stdout, stderr).
pub fn run_in(args: &[&str], stdin: &[u8]) -> (i32, String, String) {
    let out = super::common::emlkit()
        .args(args)
        .write_stdin(stdin.to_vec())
        .output()
        .expect("emlkit runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
