//! `emlkit headers`: header fields, decoded or raw.

use super::{InputArgs, Style};
use crate::export::limits::LimitLog;
use crate::model::{self, header::decode_text_cow};
use crate::source::Origin;
use anyhow::Result;
use clap::Args;
use std::io::Write;

const LONG_ABOUT: &str = "\
Prints the header fields of each message, one per line as `Name: value`.
Values are unfolded and decoded (RFC 2047 encoded words, charsets) unless
--raw is given, which prints the bytes as written (folding kept).

Only the header is parsed: bodies are not decoded, so this is fast on big
mailboxes.

Decoded values come from the message and are untrusted: control, bidi and
zero-width characters in them are shown as \\u{...} escapes, whatever stdout
is (a saved listing reaches a terminal later). --raw writes the bytes as
written into a file or a pipe, and escapes them only on a terminal.

Examples:
  emlkit headers message.eml
  emlkit headers -H subject -H from archive.mbox";

/// Arguments of `emlkit headers`.
#[derive(Debug, Args)]
#[command(about = "Print header fields", long_about = LONG_ABOUT, after_help = crate::cli::AFTER_HELP)]
pub struct HeadersArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Only this field (case-insensitive; repeatable).
    #[arg(short = 'H', long = "header", value_name = "NAME")]
    pub names: Vec<String>,

    /// Print values as written, without decoding or unfolding.
    #[arg(long)]
    pub raw: bool,

    /// One JSON object per message: {"type":"headers","source":…,"headers":[…]}.
    #[arg(long)]
    pub json: bool,
}

/// Runs `emlkit headers`.
pub fn run(args: &HeadersArgs, style: Style, out: &mut dyn Write) -> Result<super::Outcome> {
    let names: Vec<String> = args.names.iter().map(|n| n.to_ascii_lowercase()).collect();
    let multi = args.input.inputs.len() > 1;
    let limits = args.input.limits();
    let header_input = args.input.header_only();
    let log = LimitLog::new();
    let work = |origin: &Origin, bytes: &[u8], buf: &mut Vec<u8>| -> Result<()> {
        let parsed = model::Message::parse(
            bytes,
            origin.data_offset,
            model::Scope::HeadersOnly,
            &limits,
        )?;
        log.note(origin, parsed.findings());
        let list: Vec<&model::Field<'_>> = parsed
            .headers()
            .iter()
            .filter(|h| {
                names.is_empty()
                    || names.contains(&String::from_utf8_lossy(h.raw_name).to_ascii_lowercase())
            })
            .collect();
        if args.json {
            let rec = crate::export::headers::HeadersRec::new(
                crate::export::json::SourceRec::new(origin),
                list.iter().copied(),
                limits.max_header_bytes,
                crate::forensics::header_findings(&parsed),
            );
            crate::export::write_json(buf, &rec)?;
            buf.push(b'\n');
            return Ok(());
        }
        // Decoded output is a report: escaped whatever stdout is; --raw
        // output is the bytes asked for (escaped only on a terminal).
        // See: issue 14.
        let shown = Style {
            escape: true,
            ..style
        };
        if multi || origin.format != "eml" {
            writeln!(buf, "==> {} <==", shown.safe(&origin.label()))?;
        }
        for h in list {
            let name = String::from_utf8_lossy(h.raw_name);
            let value = h.raw_value();
            if args.raw {
                buf.extend_from_slice(shown.safe(&name).as_bytes());
                buf.extend_from_slice(b": ");
                if style.escape {
                    let s = String::from_utf8_lossy(value);
                    buf.extend_from_slice(crate::term::escape(&s, true).as_bytes());
                } else {
                    buf.extend_from_slice(value);
                }
                buf.push(b'\n');
            } else {
                // Borrowed when decoding changes nothing: a 50 MB field is
                // not copied before it is written.
                let (text, _) = decode_text_cow(value);
                writeln!(
                    buf,
                    "{}: {}",
                    style.paint("1", &shown.safe(&name)),
                    shown.safe(text.trim())
                )?;
            }
        }
        Ok(())
    };
    let mut outcome = super::for_each_message(&header_input, out, &work)?;
    log.finish();
    outcome.errored |= log.hit();
    Ok(outcome)
}
