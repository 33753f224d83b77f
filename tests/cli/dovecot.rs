//! emlkit against a real IMAP server: Dovecot serves a maildir and an mbox
//! written by `convert`, and a maildir filled by IMAP APPEND is converted
//! back (testdata/dovecot/imap_check.py does the IMAP side with Python's
//! imaplib). Skipped, with a note, where Dovecot or root is not available.
//! See: issue 12.

use crate::mailbox_common::*;

#[test]
fn dovecot_sees_what_convert_writes() {
    let script = root("testdata/dovecot/imap_check.py");
    let out = match std::process::Command::new("python3")
        .arg(&script)
        .args(["--emlkit", env!("CARGO_BIN_EXE_emlkit")])
        .output()
    {
        Ok(o) => o,
        Err(e) => {
            crate::common::skip(&format!("python3 cannot run: {e}"));
            return;
        }
    };
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    match out.status.code() {
        Some(0) => eprintln!("{text}"),
        // The script's "skipped: <why>" (no Dovecot, not root).
        Some(77) => crate::common::skip(&format!("dovecot: {}", text.trim())),
        _ => panic!("the Dovecot check failed:\n{text}"),
    }
}
