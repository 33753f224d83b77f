#![no_main]
//! The mbox splitter and mboxrd unquoting.
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fn run(data: &[u8]) {
    let mut last_end = 0;
    for e in emlkit::source::mbox::MboxSplitter::new(data) {
        assert!(e.message.start <= e.message.end && e.message.end <= data.len());
        assert!(e.offset >= last_end || last_end == 0);
        last_end = e.message.end;
        let _ = emlkit::source::mbox::unquote(&data[e.message.clone()]);
    }
}

fuzz_target!(|data: &[u8]| {
    run(data);
    run(&common::mail_alphabet(data));
});
