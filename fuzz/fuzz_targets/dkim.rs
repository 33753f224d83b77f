#![no_main]
//! DKIM/ARC canonicalization, tag lists, key records and verification over
//! arbitrary bytes. The property lives in `fuzz/checks.rs`, shared with the
//! stable loop in `tests/cli/fuzz_loop.rs`.
use libfuzzer_sys::fuzz_target;

#[path = "../checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| checks::dkim(data));
