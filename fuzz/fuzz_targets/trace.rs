#![no_main]
//! Received/trace analysis over arbitrary header sections.
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fn run(data: &[u8]) {
    let opts = emlkit::forensics::Options::at(1_800_000_000);
    if let Ok(parsed) = emlkit::model::parse(data, 0, emlkit::model::Scope::HeadersOnly) {
        let t = emlkit::forensics::trace(&parsed, &opts);
        let origin = emlkit::source::Origin::default();
        let _ = serde_json::to_vec(&emlkit::export::trace::record(&origin, &t));
    }
}

fuzz_target!(|data: &[u8]| {
    run(data);
    run(&common::mail_alphabet(data));
});
