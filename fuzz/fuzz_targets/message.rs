#![no_main]
//! Message bytes → model → part records and the JSON export (the `tree`
//! and `json` paths), on the raw input and on its mail-alphabet mapping.
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fn run(data: &[u8]) {
    let opts = emlkit::export::json::JsonOptions::default();
    if let Ok(parsed) = emlkit::model::parse(data, 0, emlkit::model::Scope::Full) {
        for p in &parsed.parts {
            let _ = p.decoded();
            let _ = serde_json::to_vec(&emlkit::export::json::part_record(p, true));
        }
        let origin = emlkit::source::Origin::default();
        let rec = emlkit::export::json::message_record(&origin, &parsed, &opts);
        let _ = serde_json::to_vec(&rec);
    }
    let _ = emlkit::model::parse(data, 0, emlkit::model::Scope::HeadersOnly).map(|m| m.findings().len());
}

fuzz_target!(|data: &[u8]| {
    run(data);
    run(&common::mail_alphabet(data));
});
