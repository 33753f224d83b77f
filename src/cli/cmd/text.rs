//! `emlkit text`: the best readable body of each message.

use super::{InputArgs, Style};
use crate::export::limits::LimitLog;
use crate::model::{Message, Scope};
use crate::source::Origin;
use anyhow::Result;
use clap::Args;
use std::io::Write;

const LONG_ABOUT: &str = "\
Prints the readable body of each message as UTF-8 text: the text/plain body
(charset converted), or, when the message has only HTML, the HTML body turned
into plain text. Multiple bodies (for example inline text parts around an
attachment) are printed in order.

The text is the message's content, shown as asked: on a terminal, control,
bidi and zero-width characters are shown as \\u{...} escapes; into a file or a
pipe, only control characters are (the escape byte, C0 controls but tab and
line feed, a carriage return not before a line feed, DEL, C1), so that the
saved text cannot drive a terminal later while bidi marks and joiners of
Arabic, Hebrew or emoji text stay; --raw writes the decoded text unchanged
into a file or a pipe.

Examples:
  emlkit text message.eml
  emlkit text --html message.eml   # prefer the HTML body, as text";

/// Arguments of `emlkit text`.
#[derive(Debug, Args)]
#[command(about = "Print the readable body", long_about = LONG_ABOUT, after_help = crate::cli::AFTER_HELP)]
pub struct TextArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Prefer the HTML body (converted to text) over text/plain.
    #[arg(long)]
    pub html: bool,

    /// Write the decoded text unchanged, control characters included, into
    /// a file or a pipe (a terminal still gets escapes).
    #[arg(long)]
    pub raw: bool,
}

/// Runs `emlkit text`.
pub fn run(args: &TextArgs, style: Style, out: &mut dyn Write) -> Result<super::Outcome> {
    let multi = args.input.inputs.len() > 1;
    let prefer_html = args.html;
    let raw = args.raw;
    let limits = args.input.limits();
    let log = LimitLog::new();
    let work = |origin: &Origin, bytes: &[u8], buf: &mut Vec<u8>| -> Result<()> {
        let msg = Message::parse(bytes, origin.data_offset, Scope::Full, &limits)?;
        log.note(origin, msg.findings());
        if multi || origin.format != "eml" {
            writeln!(
                buf,
                "==> {} <==",
                crate::term::escape(&origin.label(), false)
            )?;
        }
        let texts_of = |ids: Vec<usize>| -> Vec<&str> {
            ids.into_iter()
                .filter_map(|i| msg.parts[i].text())
                .collect()
        };
        let plain = texts_of(msg.text_bodies());
        let html = texts_of(msg.html_bodies());
        let texts: Vec<String> = if (prefer_html || plain.is_empty()) && !html.is_empty() {
            html.iter()
                .map(|h| mail_parser::decoders::html::html_to_text(h))
                .collect()
        } else {
            plain.iter().map(|s| s.to_string()).collect()
        };
        for t in texts {
            buf.extend_from_slice(style_text(&style, raw, &t).as_bytes());
            if !t.ends_with('\n') {
                buf.push(b'\n');
            }
        }
        Ok(())
    };
    let mut outcome = super::for_each_message(&args.input, out, &work)?;
    log.finish();
    outcome.errored |= log.hit();
    Ok(outcome)
}

/// The body as written: escaped on a terminal, controls neutralised into a
/// file or a pipe, unchanged with `--raw` there. See: issue 14.
fn style_text<'s>(style: &Style, raw: bool, t: &'s str) -> std::borrow::Cow<'s, str> {
    if style.escape {
        crate::term::escape(t, true)
    } else if raw {
        std::borrow::Cow::Borrowed(t)
    } else {
        crate::term::escape_controls(t)
    }
}
