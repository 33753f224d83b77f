//! `emlkit thread`: messages in conversation order (JWZ / RFC 5256).

use super::InputArgs;
use crate::export::listing::{PlaceholderRec, Summary, ThreadRec};
use crate::thread::{thread_with, Item, Options};
use anyhow::Result;
use clap::Args;
use std::io::Write;

const LONG_ABOUT: &str = "\
Groups messages into threads by Message-ID, In-Reply-To and References (Jamie
Zawinski's algorithm, as RFC 5256 REFERENCES) and writes them in thread order
as a message list: each line is indented by one space per level, as mblaze's
mthread writes it (emlkit reads such lists back, the indentation is ignored).
A parent that is missing is kept as a placeholder when it holds two or more
replies at the top of a thread; in a list a placeholder is not written (its
replies are indented below where it would be). Messages are not grouped by
Threads and replies are ordered by date, then input order. Messages are not
joined by subject unless --subjects is given.

Gmail Takeout: messages with the same X-GM-THRID stay together even when
their headers do not link them, and the thread id is the X-GM-THRID.

--json writes one `listing` record per message (and per placeholder, with a
null `ref`), each with `thread: {id, parent, depth}`.

Examples:
  emlkit thread list-archive.mbox | emlkit scan -L -
  emlkit thread --json archive.mbox | jq -r .thread.id | sort | uniq -c | sort -rn

Exit codes: 0 success, 1 no messages, 2 an input could not be read.";

/// Arguments of `emlkit thread`.
#[derive(Debug, Args)]
#[command(about = "Order messages by thread (JWZ)", long_about = LONG_ABOUT, after_help = crate::cli::AFTER_HELP)]
pub struct ThreadArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Write one `listing` JSON record per message, with its thread.
    #[arg(long)]
    pub json: bool,

    /// Also join threads whose first messages have the same subject (without
    /// Re:/Fwd:/[list] prefixes): the later threads hang under the earliest.
    #[arg(long)]
    pub subjects: bool,
}

/// Runs `emlkit thread`.
pub fn run(args: &ThreadArgs, out: &mut dyn Write) -> Result<super::Outcome> {
    let subjects = args.subjects;
    let trim = |s: &mut Summary| {
        let keep = std::mem::take(s);
        *s = Summary {
            reference: keep.reference,
            timestamp: keep.timestamp,
            subject: keep.subject.filter(|_| subjects),
            message_id: keep.message_id,
            in_reply_to: keep.in_reply_to,
            references: keep.references,
            gmail_thread: keep.gmail_thread,
            ..Summary::default()
        };
    };
    let (mut all, mut outcome) = if args.json {
        super::sort::collect(&args.input, true, &|_| {})?
    } else {
        super::sort::collect(&args.input, false, &trim)?
    };
    // The links move into the items unless the records still show them.
    let json = args.json;
    let items: Vec<Item> = all
        .iter_mut()
        .map(|(_, s)| {
            let refs = if json {
                s.references.clone()
            } else {
                std::mem::take(&mut s.references)
            };
            let irt = if json {
                s.in_reply_to.clone()
            } else {
                std::mem::take(&mut s.in_reply_to)
            };
            Item {
                id: s.message_id.clone(),
                references: refs,
                in_reply_to: irt,
                timestamp: s.timestamp,
                group: s.gmail_thread.clone(),
                base_subject: s
                    .subject
                    .as_deref()
                    .filter(|_| subjects)
                    .map(crate::thread::base_subject),
            }
        })
        .collect();
    let mut opts = Options::default();
    opts.subjects = args.subjects;
    for node in thread_with(&items, &opts) {
        let rec = ThreadRec {
            id: node.thread.clone(),
            parent: node.parent.clone(),
            depth: node.depth,
        };
        match node.message {
            Some(i) => {
                let (o, s) = &all[i];
                super::sort::write_item(out, o, s, args.json, Some(&rec))?;
            }
            None if args.json => {
                let v = PlaceholderRec::new(&node.id, &rec);
                crate::export::write_json_to(out, &v)?;
                out.write_all(b"\n")?;
            }
            None => {}
        }
    }
    out.flush()?;
    outcome.nothing = all.is_empty();
    Ok(outcome)
}
