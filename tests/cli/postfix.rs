//! `trace` against a real MTA: two private Postfix instances (a relay with
//! STARTTLS and SASL submission through a private Dovecot, and an mx that
//! delivers into a Maildir) on loopback, messages sent with Python's smtplib,
//! and every hop `trace --json` reports compared with what the Postfix logs
//! show. testdata/postfix/postfix_check.py does the mail side; this test runs
//! it and, whatever happens to it, stops the daemons it started by their PIDs
//! (a Drop guard). Skipped, with a note, where Postfix, Dovecot, openssl or
//! root is missing. See: issue 16, item 7; docs/trace.md.

use crate::mailbox_common::*;
use std::path::PathBuf;

/// Stops, on drop, every daemon whose PID the script wrote to `path` and
/// that is still running, then removes the script's temporary directory:
/// normally the script did both already; this covers a script that was
/// killed half-way.
struct StopDaemons {
    path: PathBuf,
}

impl Drop for StopDaemons {
    fn drop(&mut self) {
        let Ok(text) = std::fs::read_to_string(&self.path) else {
            return;
        };
        for pid in text.lines().filter_map(|l| l.trim().parse::<u32>().ok()) {
            // Only our daemons (Postfix's and Dovecot's master processes):
            // a PID that was reused by another program is left alone.
            let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            if matches!(comm.trim(), "master" | "dovecot") {
                let _ = std::process::Command::new("kill")
                    .arg(pid.to_string())
                    .status();
                for _ in 0..100 {
                    if !std::path::Path::new(&format!("/proc/{pid}")).exists() {
                        break;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
            }
        }
        // The script's temporary directory, when it could not remove it.
        for dir in text.lines().filter_map(|l| l.strip_prefix("dir ")) {
            if dir.contains("emlkit-postfix-") {
                let _ = std::fs::remove_dir_all(dir);
            }
        }
        let _ = std::fs::remove_file(&self.path);
    }
}

#[test]
fn trace_agrees_with_the_postfix_log() {
    let script = root("testdata/postfix/postfix_check.py");
    let pids = std::env::temp_dir().join(format!("emlkit-postfix-{}.pids", std::process::id()));
    let _guard = StopDaemons { path: pids.clone() };
    let Some((code, text)) =
        crate::common::run_check_script("postfix", &script, &["--pids".as_ref(), pids.as_ref()])
    else {
        return;
    };
    match code {
        Some(0) => {
            eprintln!("{text}");
            assert!(
                text.contains("ok: "),
                "the script passed without saying what:\n{text}"
            );
        }
        _ => panic!("trace and the Postfix log disagree ({code:?}):\n{text}"),
    }
}
