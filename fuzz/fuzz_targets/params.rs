#![no_main]
//! MIME parameters (RFC 2231, RFC 2047) and header text decoding.
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fn run(data: &[u8]) {
    let _ = emlkit::model::params::parse(data);
    let _ = emlkit::model::header::decode_text(data);
    let _ = emlkit::model::transfer::qp_lenient(data);
    let _ = emlkit::model::transfer::base64_lenient(data);
    let _ = emlkit::model::transfer::uudecode(data);
}

fuzz_target!(|data: &[u8]| {
    run(data);
    run(&common::mail_alphabet(data));
});
