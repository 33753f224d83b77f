#![no_main]
//! The mbox splitter (over a slice and over a stream buffer), the From_
//! line grammar and mboxrd unquoting.
//! The property lives in `fuzz/checks.rs`, shared with the stable loop in
//! `tests/cli/fuzz_loop.rs`.
use libfuzzer_sys::fuzz_target;

#[path = "../checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| checks::mbox(data));
