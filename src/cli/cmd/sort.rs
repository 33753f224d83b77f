//! `emlkit sort`: a message list in date, sender, subject or size order.

use super::InputArgs;
use crate::export::listing::{message_size, ListingRec, Summary, ThreadRec};
use crate::model::{Message, Scope};
use crate::source::Origin;
use anyhow::Result;
use clap::{Args, ValueEnum};
use std::io::Write;

const LONG_ABOUT: &str = "\
Reads every message's header section and writes the messages as a message
list (one reference per line) in the chosen order. The sort is stable:
messages with equal keys keep their input order, also with --reverse.
Messages without a valid Date sort after those with one (before them with
--reverse).

Keys:
  date     the Date field (as a point in time)
  from     the sender's address, case-insensitive
  subject  the subject without Re:/Fwd:/Aw:/[list] prefixes, case-insensitive
  size     the message's size in bytes
  input    input order

Examples:
  emlkit sort archive.mbox | emlkit scan -L -
  emlkit pick 'from:*@example.com' a.mbox | emlkit sort -L - -k size -r | head

Exit codes: 0 success, 1 no messages, 2 an input could not be read.";

/// Sort keys.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Key {
    /// The Date.
    Date,
    /// The sender's address.
    From,
    /// The subject without reply prefixes.
    Subject,
    /// The size in bytes.
    Size,
    /// Input order.
    Input,
}

/// Arguments of `emlkit sort`.
#[derive(Debug, Args)]
#[command(about = "Sort messages by date, sender, subject or size", long_about = LONG_ABOUT, after_help = crate::cli::AFTER_HELP)]
pub struct SortArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// The sort key.
    #[arg(short = 'k', long, value_enum, default_value_t = Key::Date)]
    pub key: Key,

    /// Largest (latest) first; equal keys keep their input order.
    #[arg(short = 'R', long)]
    pub reverse: bool,

    /// Write one `listing` JSON record per message.
    #[arg(long)]
    pub json: bool,
}

/// Reads the summary of every message (header sections only), in input
/// order. `trim` drops what the caller will not use; with `keep_origin`
/// false the origins are left empty: memory grows with the number of
/// messages, so only the keys and the reference are kept per message.
pub(crate) fn collect(
    args: &InputArgs,
    keep_origin: bool,
    trim: &(dyn Fn(&mut Summary) + Sync),
) -> Result<(Vec<(Origin, Summary)>, super::Outcome)> {
    let limits = args.limits();
    let input = args.header_only();
    let log = crate::export::limits::LimitLog::new();
    let work = |origin: &Origin, bytes: &[u8], buf: &mut Vec<u8>| -> Result<()> {
        let msg = Message::parse(bytes, origin.data_offset, Scope::HeadersOnly, &limits)?;
        // See: issue 14 — a limit that cut the message says so.
        super::pick::note_limits(&log, origin, &msg, Scope::HeadersOnly);
        let mut s = Summary::new(origin, &msg, message_size(origin, bytes));
        trim(&mut s);
        crate::export::write_json(buf, &s)?;
        Ok(())
    };
    let mut all = Vec::new();
    let mut emit = |origin: &Origin, buf: &[u8]| -> Result<()> {
        let o = if keep_origin {
            origin.clone()
        } else {
            Origin::default()
        };
        all.push((o, serde_json::from_slice::<Summary>(buf)?));
        Ok(())
    };
    let mut outcome = super::batch::for_each_message_emit(&input, &work, &mut emit)?;
    log.finish();
    outcome.errored |= log.hit();
    Ok((all, outcome))
}

/// A reference as written to stdout: as is in a pipe, escaped on a
/// terminal (see: issue 14, escapes in every human output).
pub(crate) fn shown(reference: &str) -> std::borrow::Cow<'_, str> {
    use std::io::IsTerminal;
    if std::io::stdout().is_terminal() {
        crate::term::escape(reference, false)
    } else {
        std::borrow::Cow::Borrowed(reference)
    }
}

/// Writes a message as a list line (indented by its thread depth) or a
/// `listing` record.
pub(crate) fn write_item(
    out: &mut dyn Write,
    origin: &Origin,
    s: &Summary,
    json: bool,
    thread: Option<&ThreadRec>,
) -> Result<()> {
    if json {
        crate::export::write_json_to(out, &ListingRec::new(origin, s, thread))?;
    } else {
        if let Some(t) = thread {
            out.write_all(" ".repeat(t.depth).as_bytes())?;
        }
        // A reference's controls are %-escaped already; bidi and
        // zero-width characters are escaped for a person.
        out.write_all(shown(&s.reference).as_bytes())?;
    }
    out.write_all(b"\n")?;
    Ok(())
}

/// The sort key of a message, comparable.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum SortKey {
    Num(bool, i64),
    Text(String),
}

fn key_of(s: &Summary, key: Key, i: usize) -> SortKey {
    match key {
        Key::Date => SortKey::Num(s.timestamp.is_none(), s.timestamp.unwrap_or(0)),
        Key::From => SortKey::Text(s.from_address.as_deref().unwrap_or("").to_lowercase()),
        Key::Subject => SortKey::Text(crate::thread::base_subject(
            s.subject.as_deref().unwrap_or(""),
        )),
        Key::Size => SortKey::Num(false, s.size as i64),
        Key::Input => SortKey::Num(false, i as i64),
    }
}

/// Runs `emlkit sort`.
pub fn run(args: &SortArgs, out: &mut dyn Write) -> Result<super::Outcome> {
    let key = args.key;
    let trim = move |s: &mut Summary| {
        let keep = std::mem::take(s);
        *s = Summary {
            reference: keep.reference,
            timestamp: keep.timestamp,
            from_address: keep.from_address.filter(|_| key == Key::From),
            subject: keep.subject.filter(|_| key == Key::Subject),
            size: keep.size,
            ..Summary::default()
        };
    };
    let (all, mut outcome) = if args.json {
        collect(&args.input, true, &|_| {})?
    } else {
        collect(&args.input, false, &trim)?
    };
    let mut order: Vec<(SortKey, usize)> = all
        .iter()
        .enumerate()
        .map(|(i, (_, s))| (key_of(s, args.key, i), i))
        .collect();
    if args.reverse {
        // Descending keys, ascending input order among equals: stable.
        order.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    } else {
        order.sort();
    }
    for (_, i) in &order {
        let (o, s) = &all[*i];
        write_item(out, o, s, args.json, None)?;
    }
    out.flush()?;
    outcome.nothing = all.is_empty();
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undated_messages_sort_last() {
        let dated = Summary {
            timestamp: Some(5),
            ..Summary::default()
        };
        let undated = Summary::default();
        assert!(key_of(&dated, Key::Date, 0) < key_of(&undated, Key::Date, 1));
    }
}
