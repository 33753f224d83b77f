//! emlkit against a real IMAP server: Dovecot serves a maildir and an mbox
//! written by `convert`, and a maildir filled by IMAP APPEND is converted
//! back (testdata/dovecot/imap_check.py does the IMAP side with Python's
//! imaplib). Skipped, with a note, where Dovecot or root is not available.
//! See: issue 12.

use crate::mailbox_common::*;

#[test]
fn dovecot_sees_what_convert_writes() {
    let script = root("testdata/dovecot/imap_check.py");
    let Some((code, text)) = crate::common::run_check_script("dovecot", &script, &[]) else {
        return;
    };
    match code {
        Some(0) => eprintln!("{text}"),
        _ => panic!("the Dovecot check failed:\n{text}"),
    }
}
