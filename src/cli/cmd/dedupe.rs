//! `emlkit dedupe`: drop repeated messages (same Message-ID or same content).

use super::InputArgs;
use crate::export::listing::{message_size, Summary};
use crate::model::{Message, Scope};
use crate::source::Origin;
use anyhow::Result;
use clap::{Args, ValueEnum};
use std::collections::HashMap;
use std::io::Write;

const LONG_ABOUT: &str = "\
Writes a message list without repeats: by default two messages are the same
when they have the same Message-ID; with --by content when they have the same
content digest (SHA-256 over the identity fields From, To, Cc, Subject, Date,
Message-ID as written, and the body bytes; trace fields such as Received,
Return-Path, Delivered-To, Status and X-Gmail-Labels are left out, so one
message delivered to two mailboxes counts once). A message without a
Message-ID is always kept with --by id.

--keep first (default) keeps the first of each set in input order, --keep
last the last. --report writes, to stderr, one line per dropped message:
`dropped REF: duplicate of REF (KEY)`.

Examples:
  emlkit dedupe old.mbox new.mbox | emlkit convert -L - --to mbox merged.mbox
  emlkit dedupe --by content --report maildir/ > /dev/null

Exit codes: 0 success, 1 no messages, 2 an input could not be read.";

/// What makes two messages the same.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum By {
    /// The Message-ID.
    Id,
    /// A digest of the identity fields and the body.
    Content,
}

/// Which one of a set of duplicates is kept.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Keep {
    /// The first in input order.
    First,
    /// The last in input order.
    Last,
}

/// Arguments of `emlkit dedupe`.
#[derive(Debug, Args)]
#[command(about = "Drop duplicate messages", long_about = LONG_ABOUT, after_help = crate::cli::AFTER_HELP)]
pub struct DedupeArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// What makes two messages the same.
    #[arg(long, value_enum, default_value_t = By::Id)]
    pub by: By,

    /// Which one to keep.
    #[arg(long, value_enum, default_value_t = Keep::First)]
    pub keep: Keep,

    /// Say on stderr what was dropped and why.
    #[arg(long)]
    pub report: bool,
}

/// Runs `emlkit dedupe`.
pub fn run(args: &DedupeArgs, out: &mut dyn Write) -> Result<super::Outcome> {
    let limits = args.input.limits();
    let mut input = args.input.clone();
    let by = args.by;
    input.headers_only = by == By::Id;
    let scope = if by == By::Id {
        Scope::HeadersOnly
    } else {
        Scope::Full
    };
    // Each message's output: `KEY\tREF` (KEY empty: always kept).
    let log = crate::export::limits::LimitLog::new();
    let work = |origin: &Origin, bytes: &[u8], buf: &mut Vec<u8>| -> Result<()> {
        let msg = Message::parse(bytes, origin.data_offset, scope, &limits)?;
        // See: issue 14 — a limit that cut the message says so.
        super::pick::note_limits(&log, origin, &msg, scope);
        let key = match by {
            By::Id => crate::dedupe::id_key(&msg).unwrap_or_default(),
            By::Content => crate::dedupe::content_key(bytes, &msg),
        };
        let s = Summary::new(origin, &msg, message_size(origin, bytes));
        buf.extend_from_slice(key.replace(['\t', '\n'], " ").as_bytes());
        buf.push(b'\t');
        buf.extend_from_slice(s.reference.as_bytes());
        Ok(())
    };
    let mut items: Vec<(String, String)> = Vec::new();
    let mut emit = |_: &Origin, buf: &[u8]| -> Result<()> {
        let text = String::from_utf8_lossy(buf);
        let (k, r) = text.split_once('\t').unwrap_or(("", &text));
        items.push((k.to_string(), r.to_string()));
        Ok(())
    };
    let mut outcome = super::batch::for_each_message_emit(&input, &work, &mut emit)?;
    log.finish();
    outcome.errored |= log.hit();
    // The index of the kept message of each key.
    let mut kept: HashMap<&str, usize> = HashMap::new();
    for (i, (k, _)) in items.iter().enumerate() {
        if k.is_empty() {
            continue;
        }
        match args.keep {
            Keep::First => {
                kept.entry(k.as_str()).or_insert(i);
            }
            Keep::Last => {
                kept.insert(k.as_str(), i);
            }
        }
    }
    let mut written = 0usize;
    for (i, (k, r)) in items.iter().enumerate() {
        let keep = k.is_empty() || kept.get(k.as_str()) == Some(&i);
        if keep {
            writeln!(out, "{}", super::sort::shown(r))?;
            written += 1;
        } else if args.report {
            let other = kept.get(k.as_str()).map_or("", |&j| items[j].1.as_str());
            let what = if by == By::Id {
                "message-id"
            } else {
                "content"
            };
            let esc = |t: &str| crate::term::escape(t, false).into_owned();
            eprintln!(
                "dropped {}: duplicate of {} ({what} {})",
                esc(r),
                esc(other),
                esc(k)
            );
        }
    }
    out.flush()?;
    outcome.nothing = written == 0;
    Ok(outcome)
}
