#![no_main]
//! The attachment file-name policy: whatever the name, the result is one
//! safe path component.
//! The property lives in `fuzz/checks.rs`, shared with the stable loop in
//! `tests/cli/fuzz_loop.rs`.
use libfuzzer_sys::fuzz_target;

#[path = "../checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| checks::filename(data));
