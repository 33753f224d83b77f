//! Converts an mbox into a maildir, keeping each message's bytes and its
//! envelope date as the file's modification time (what Dovecot and mutt
//! read as the arrival date).
//!
//!     cargo run --example mbox_to_maildir [MBOX [MAILDIR]]
//!
//! Without arguments it reads testdata/examples/archive.mbox into a new
//! temporary folder.
use emlkit::sink::{Delivery, Maildir};
use emlkit::source::{envelope, Mailbox};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/examples/archive.mbox"
        )
        .into()
    });
    let tmp;
    let out = match args.next() {
        Some(o) => std::path::PathBuf::from(o),
        None => {
            tmp = tempfile::tempdir()?;
            tmp.path().join("maildir")
        }
    };
    let mut maildir = Maildir::create(&out)?;
    let mut n = 0;
    for raw in Mailbox::open(&path) {
        let raw = raw?;
        let mtime = raw
            .origin
            .envelope
            .as_deref()
            .and_then(envelope::parse)
            .and_then(|f| f.time);
        let delivery = Delivery {
            mtime,
            ..Delivery::default()
        };
        let file = maildir.deliver_with(&raw.bytes()?, &delivery)?;
        println!("{} -> {}", raw.origin.label(), file.display());
        n += 1;
    }
    println!("{n} message(s) delivered into {}", out.display());
    Ok(())
}
