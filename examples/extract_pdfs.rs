//! Writes every PDF attachment of a maildir (or any mailbox) into a folder,
//! with the same safe file-name policy and writer as `emlkit extract`.
//!
//!     cargo run --example extract_pdfs [MAILBOX [OUT_DIR]]
//!
//! Without arguments it reads testdata/examples/maildir and writes into a
//! new temporary folder.
use emlkit::extract::{name::safe_name, writer::SafeWriter};
use emlkit::model::{Limits, Message, Scope};
use emlkit::source::Mailbox;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap_or_else(|| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/examples/maildir").into()
    });
    let tmp;
    let out = match args.next() {
        Some(o) => std::path::PathBuf::from(o),
        None => {
            tmp = tempfile::tempdir()?;
            tmp.path().to_path_buf()
        }
    };
    let writer = SafeWriter::open(&out)?;
    let mut written = 0;
    for raw in Mailbox::open(&path) {
        let raw = raw?;
        let bytes = raw.bytes()?;
        let msg = Message::parse(
            &bytes,
            raw.origin.data_offset,
            Scope::Full,
            &Limits::default(),
        )?;
        for p in msg.attachment_parts() {
            let pdf = p.content_type == "application/pdf"
                || p.filename
                    .as_deref()
                    .is_some_and(|n| n.to_lowercase().ends_with(".pdf"));
            if !pdf {
                continue;
            }
            let name = p
                .filename
                .as_deref()
                .and_then(safe_name)
                .unwrap_or_else(|| format!("part-{}.pdf", p.id));
            let used = writer.write_file(&name, &p.decoded())?;
            println!(
                "{} part {} -> {}",
                raw.origin.label(),
                p.id,
                out.join(used).display()
            );
            written += 1;
        }
    }
    println!("{written} PDF file(s) written");
    Ok(())
}
