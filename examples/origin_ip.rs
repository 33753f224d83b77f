//! Prints where each message entered the mail system: the client address of
//! the oldest Received hop with a public address, and the hop count.
//!
//!     cargo run --example origin_ip [MAILBOX]
//!
//! Without an argument it reads testdata/examples/archive.mbox.
use emlkit::forensics::Options;
use emlkit::model::{Limits, Message, Scope};
use emlkit::source::Mailbox;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/examples/archive.mbox"
        )
        .into()
    });
    let opts = Options::default();
    for raw in Mailbox::open(&path) {
        let raw = raw?;
        let bytes = raw.bytes()?;
        // The path is in the header: no need to read the body.
        let msg = Message::parse(
            &bytes,
            raw.origin.data_offset,
            Scope::HeadersOnly,
            &Limits::default(),
        )?;
        let t = msg.trace(&opts);
        let origin = t
            .summary
            .origin
            .map(|(_, ip)| ip.to_string())
            .unwrap_or_else(|| "unknown".into());
        println!(
            "{} {} hops, origin {origin}",
            raw.origin.label(),
            t.hops.len()
        );
    }
    Ok(())
}
