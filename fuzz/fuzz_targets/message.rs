#![no_main]
//! Message bytes → model → part tree and JSON export (the `tree` and `json`
//! paths), on the raw input and on its mail-alphabet mapping.
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fn run(data: &[u8]) {
    let opts = emlkit::export::json::JsonOptions::default();
    emlkit::model::parse_with(data, 0, false, |parsed| {
        if let Ok(parsed) = parsed {
            let tree = parsed.tree(&opts.limits);
            for p in &tree.parts {
                let _ = p.decoded();
                let _ = emlkit::export::json::part(p, true);
            }
            let origin = emlkit::source::Origin::default();
            let rec = emlkit::export::json::message_record(&origin, &parsed, &tree, &opts);
            let _ = serde_json::to_vec(&rec);
        }
    });
    emlkit::model::parse_with(data, 0, true, |_| ());
}

fuzz_target!(|data: &[u8]| {
    run(data);
    run(&common::mail_alphabet(data));
});
