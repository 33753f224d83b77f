#![no_main]
//! The mbox splitter (over a slice and over a stream buffer), the From_
//! line grammar and mboxrd unquoting.
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

/// The stream splitter (a buffer refilled a few bytes at a time) finds
/// the messages the slice splitter finds, and every From_ line parses.
fn streamed(data: &[u8]) {
    use emlkit::source::mbox::{MboxSplitter, SplitState, Step};
    let whole: Vec<(u64, &[u8])> = MboxSplitter::new(data)
        .map(|e| (e.offset as u64, &data[e.message]))
        .collect();
    let chunk = 1 + data.first().map_or(0, |&b| b as usize % 64);
    let (mut st, mut buf, mut fed, mut got) = (SplitState::new(), Vec::new(), 0, 0);
    loop {
        match st.step(&buf, fed == data.len()) {
            Step::Entry(e) => {
                assert_eq!(whole[got].0, st.base + e.offset as u64);
                assert_eq!(whole[got].1, &buf[e.message]);
                let _ = emlkit::source::envelope::parse(&buf[e.from_line]);
                got += 1;
                let done = st.pos;
                buf.drain(..done);
                st.consume(done);
            }
            Step::NeedMore => {
                let n = chunk.min(data.len() - fed);
                buf.extend_from_slice(&data[fed..fed + n]);
                fed += n;
            }
            Step::Done => break,
        }
    }
    assert_eq!(got, whole.len());
}

fuzz_target!(|data: &[u8]| {
    run(data);
    run(&common::mail_alphabet(data));
    streamed(data);
    streamed(&common::mail_alphabet(data));
});
