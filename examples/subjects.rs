//! Lists the subject, sender and attachments of every message of a mailbox.
//!
//!     cargo run --example subjects [MAILBOX]
//!
//! Without an argument it reads the bundled testdata/examples/archive.mbox.
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
    for raw in Mailbox::open(&path) {
        let raw = raw?;
        let bytes = raw.bytes()?;
        let msg = Message::parse(
            &bytes,
            raw.origin.data_offset,
            Scope::Full,
            &Limits::default(),
        )?;
        println!(
            "{} {:?} from {:?}",
            raw.origin.label(),
            msg.subject().unwrap_or_default(),
            msg.from_address().unwrap_or_default()
        );
        for p in msg.attachment_parts() {
            let (sha256, size) = p.sha256();
            let hex: String = sha256.iter().map(|b| format!("{b:02x}")).collect();
            println!(
                "  {} {} {:?} {size} bytes sha256 {hex}",
                p.id, p.content_type, p.filename
            );
        }
    }
    Ok(())
}
