#![no_main]
//! Message bytes → model → part records and the JSON export (the `tree`
//! and `json` paths), on the raw input and on its mail-alphabet mapping.
//! The property lives in `fuzz/checks.rs`, shared with the stable loop in
//! `tests/cli/fuzz_loop.rs`.
use libfuzzer_sys::fuzz_target;

#[path = "../checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| checks::message(data));
