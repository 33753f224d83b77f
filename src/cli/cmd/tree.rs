//! `emlkit tree`: the MIME structure, one line per part.

use super::{InputArgs, Style};
use crate::export::json::SourceRec;
use crate::export::limits::LimitLog;
use crate::model::{Message, PartKind, Scope};
use crate::source::Origin;
use anyhow::Result;
use clap::Args;
use std::io::Write;

const LONG_ABOUT: &str = "\
Shows the MIME structure of each message: one line per part with its id,
content type, size and file name, indented by depth. The ids are IMAP section
numbers (1, 1.2, 2.1.3); a multipart root is 0 (and X.0 inside an attached
message X). Other commands accept the same ids (extract --part).

Sizes are the decoded sizes of leaves and the encoded sizes of containers.

Examples:
  emlkit tree message.eml
  emlkit tree --json archive.mbox | jq -c 'select(.content_type==\"application/pdf\")'";

/// Arguments of `emlkit tree`.
#[derive(Debug, Args)]
#[command(about = "Show the MIME part tree", long_about = LONG_ABOUT, after_help = crate::cli::AFTER_HELP)]
pub struct TreeArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// One JSON object per part (type "part"), with the message source.
    #[arg(long)]
    pub json: bool,
}

/// Human-readable byte size, written to `out`: `812 B`, `4.2 KiB`,
/// `1.3 MiB`.
pub fn write_human_size(out: &mut impl Write, n: usize) -> std::io::Result<()> {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return write!(out, "{n} B");
    }
    let mut v = n as f64 / 1024.0;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    write!(out, "{v:.1} {}", UNITS[u])
}

/// Runs `emlkit tree`.
pub fn run(args: &TreeArgs, style: Style, out: &mut dyn Write) -> Result<super::Outcome> {
    let as_json = args.json;
    let limits = args.input.limits();
    let multi = args.input.inputs.len() > 1;
    // Untrusted text (names, types, finding messages quoting the message)
    // is escaped whatever stdout is: a tree saved to a file and later shown
    // with `cat` would run the escapes it carries. See: issue 14.
    let style = Style {
        escape: true,
        ..style
    };
    let log = LimitLog::new();
    let work = |origin: &Origin, bytes: &[u8], buf: &mut Vec<u8>| -> Result<()> {
        let tree = Message::parse(bytes, origin.data_offset, Scope::Full, &limits)?;
        // The findings are read after the parts: sizing a part decodes it
        // (streamed), which also tells whether its transfer encoding was
        // clean, so the findings decode nothing again.
        if as_json {
            crate::export::tree::write_records(buf, &tree, &SourceRec::new(origin))?;
            log.note(origin, tree.findings());
            return Ok(());
        }
        if multi || origin.format != "eml" {
            // One separator for every command: `==> path#i <==` (as `head`).
            let sep = format!("==> {} <==", style.safe(&origin.label()));
            writeln!(buf, "{}", style.paint("1", &sep))?;
        }
        for p in &tree.parts {
            for _ in 0..p.depth {
                buf.extend_from_slice(b"  ");
            }
            let size = match p.kind {
                PartKind::Multipart => p.size_encoded,
                _ => p.decoded_size(),
            };
            write!(
                buf,
                "{} {} ",
                style.paint("33", &p.id),
                style.paint("36", &style.safe(&p.content_type)),
            )?;
            write_human_size(buf, size)?;
            if let Some(n) = &p.filename {
                write!(buf, " {}", style.safe(n))?;
            }
            if p.disposition.as_deref() == Some("attachment") && p.filename.is_none() {
                write!(buf, " (attachment)")?;
            }
            buf.push(b'\n');
        }
        log.note(origin, tree.findings());
        for f in tree.findings() {
            writeln!(
                buf,
                "{} {}: {}",
                style.paint("31", "!"),
                f.code,
                style.safe(&f.message)
            )?;
        }
        Ok(())
    };
    let mut outcome = super::for_each_message(&args.input, out, &work)?;
    log.finish();
    outcome.errored |= log.hit();
    Ok(outcome)
}
