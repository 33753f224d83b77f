//! Limit findings: a resource limit that cuts a command's output always
//! says so.
//!
//! The parser and the forensics stop at documented limits (`--max-parts`,
//! `--max-depth`, `--max-headers`, `--max-header-bytes`, the cap on findings
//! per code, the caps of `trace`) and record a finding with one of
//! [`LIMIT_CODES`]. Every command then
//!
//! - keeps the finding in its JSON output where it has findings (`json`,
//!   `tree --json`, `extract --json`, `headers --json`, `trace --json`);
//! - prints it on stderr as `emlkit: <path>[#index]: <code>: <message>`,
//!   whatever the output format, at the end of the run, sorted by path and
//!   message index so that `-j` does not change it ([`LimitLog`]);
//! - ends with exit code 2, the code of "an input or message could not be
//!   processed completely" ([`LimitLog::hit`]).
//!
//! See: issue 14 (`extract` wrote 4,999 of 50,000 attachments and exited 0).

use crate::model::Finding;
use crate::source::Origin;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// The finding codes that mean "the output is incomplete": something was
/// dropped because a limit was reached.
pub const LIMIT_CODES: &[&str] = &[
    "part_limit",
    "depth_limit",
    "header_limit",
    "header_too_long",
    "param_limit",
    "finding_limit",
    "trace_limit",
    "ioc_limit",
];

/// True when `code` is one of [`LIMIT_CODES`].
pub fn is_limit(code: &str) -> bool {
    LIMIT_CODES.contains(&code)
}

/// The option that raises the limit behind `code`, for the stderr note.
fn hint(code: &str) -> &'static str {
    match code {
        "part_limit" => " (raise --max-parts)",
        "depth_limit" => " (raise --max-depth)",
        "header_limit" => " (raise --max-headers)",
        "header_too_long" => " (raise --max-header-bytes)",
        _ => "",
    }
}

type Key = (String, usize, u64);

/// Collects the limit findings of messages processed on worker threads and
/// prints them on stderr at the end of the run ([`LimitLog::finish`]),
/// sorted by path, message index and offset: the same order whatever `-j`
/// says.
#[derive(Default)]
pub struct LimitLog {
    pending: Mutex<BTreeMap<Key, Vec<String>>>,
    hit: AtomicBool,
}

impl LimitLog {
    /// A log with nothing recorded.
    pub fn new() -> LimitLog {
        LimitLog::default()
    }

    /// Records the limit findings among `findings` of the message at
    /// `origin` (call it from the worker).
    pub fn note<'f>(&self, origin: &Origin, findings: impl IntoIterator<Item = &'f Finding>) {
        let lines: Vec<String> = findings
            .into_iter()
            .filter(|f| is_limit(f.code))
            .map(|f| format!("{}: {}{}", f.code, f.message, hint(f.code)))
            .collect();
        if lines.is_empty() {
            return;
        }
        self.hit.store(true, Ordering::Relaxed);
        let key = (origin.label(), origin.index, origin.offset);
        self.pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(key)
            .or_default()
            .extend(lines);
    }

    /// Prints (and forgets) everything recorded, as
    /// `emlkit: <path>[#index]: <code>: <message>`, escaped.
    pub fn finish(&self) {
        let all = std::mem::take(&mut *self.pending.lock().unwrap_or_else(|e| e.into_inner()));
        for ((label, _, _), lines) in all {
            let label = crate::term::escape(&label, false);
            for l in lines {
                eprintln!("emlkit: {label}: {}", crate::term::escape(&l, false));
            }
        }
    }

    /// True when any message hit a limit.
    pub fn hit(&self) -> bool {
        self.hit.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_limit_codes_are_noted() {
        let log = LimitLog::new();
        let o = Origin::default();
        log.note(&o, &[Finding::new("preamble", "x")]);
        assert!(!log.hit());
        log.note(&o, &[Finding::new("part_limit", "more than 3 parts")]);
        assert!(log.hit());
        log.finish();
        assert!(log.pending.lock().unwrap().is_empty());
    }
}
