//! The batch engine behind every reading command: the library's
//! [`Mailbox`] resolves the inputs (the one resolver: single files, mbox
//! files, maildirs, directories, stdin, compressed streams) and
//! [`source::for_each_ordered`] runs the command's work on all cores with
//! the results in input order. This module adds what only a terminal user
//! needs: the progress bar, `emlkit: path#index: reason` diagnostics and the
//! exit status.
//!
//! How memory stays flat (see: issue 3, "memory does not grow with the
//! mailbox"): messages are sub-slices of the memory map, handed to the
//! workers in chunks bounded in count and bytes; a chunk's outputs are
//! written and dropped before the next chunk starts, and the map pages
//! behind are released (`madvise(MADV_DONTNEED)`) as the reader moves on.

mod progress;
mod selected;

pub use progress::suspend;

use super::{report, FormatArg, InputArgs, Outcome};
use crate::source::{self, Kind, Mailbox, MmapChoice, Origin, RawMessage, ReadOptions, RunOptions};
use anyhow::Result;
use std::io::{self, IsTerminal, Write};
use std::sync::Mutex;

/// The per-message work of a command: gets the message's origin and bytes
/// (mboxrd quoting already undone) and appends its output to the buffer.
pub type Work<'w> = dyn Fn(&Origin, &[u8], &mut Vec<u8>) -> Result<()> + Sync + 'w;

/// `--shard K/N` (the library's [`source::Shard`]).
pub use crate::source::Shard;

/// Receives each message's output, in input order.
pub type Emit<'o> = dyn FnMut(&Origin, &[u8]) -> Result<()> + 'o;

/// Calls `work` for every message of every input, in input order, writing
/// what it returns to `out`. See the module documentation.
pub fn for_each_message(args: &InputArgs, out: &mut dyn Write, work: &Work<'_>) -> Result<Outcome> {
    let mut emit = |_: &Origin, buf: &[u8]| -> Result<()> { Ok(out.write_all(buf)?) };
    let outcome = for_each_message_emit(args, work, &mut emit)?;
    out.flush()?;
    Ok(outcome)
}

/// The library's read options for the command's arguments: the command
/// line maps the files it is given (zero-copy; see `MmapChoice`).
pub fn read_options(args: &InputArgs) -> ReadOptions {
    let format = args.format.map(|f| match f {
        FormatArg::Eml => Kind::Eml,
        FormatArg::Mbox => Kind::Mbox,
        FormatArg::Maildir => Kind::Maildir,
    });
    ReadOptions::default()
        .format(format)
        .recursive(args.recursive)
        .mmap(MmapChoice::Auto)
        .shard(args.shard)
        .max_sizes(args.max_input, args.max_message_bytes)
}

/// The largest unquoting buffer a worker keeps between messages.
const SCRATCH_KEEP: usize = 64 << 20;

/// Output buffers kept for reuse, and the largest one kept: enough for the
/// messages in flight between the workers and the writer, and for a
/// typical message's output, without holding on to a huge message's.
const OUT_POOL: usize = 16;
const OUT_KEEP: usize = 256 << 10;

/// Like [`for_each_message`], but hands each output, with the message's
/// origin, to `emit` (in input order) instead of writing it: `convert` and
/// `split` use it to deliver messages.
///
/// Inputs are resolved by the library's [`Mailbox`], the one resolver every
/// command uses, and run by [`source::for_each_ordered`].
pub fn for_each_message_emit<'o>(
    args: &InputArgs,
    work: &Work<'_>,
    emit: &'o mut Emit<'o>,
) -> Result<Outcome> {
    // See: issue 13 — message references (`PATH#N`, `PATH@OFFSET`) and
    // lists (`-L`).
    let refs = selected::resolve(args)?;
    if refs.is_empty() && args.list.is_none() {
        anyhow::bail!("no input: give a path, or pipe a message into stdin (see --help)");
    }
    if args.format == Some(FormatArg::Maildir) {
        if let Some(r) = refs.iter().find(|r| !r.path.is_dir()) {
            anyhow::bail!("{}: --format maildir needs a directory", r.path.display());
        }
    }
    let (headers_only, max_message) = (args.headers_only, args.max_message_bytes);
    let body_when = args.body_when;
    let whole: Vec<(std::path::PathBuf, bool)> = refs
        .iter()
        .map(|r| {
            let all = r.select == source::reference::Select::All && args.shard.is_none();
            (r.path.clone(), all)
        })
        .collect();
    let mut bar = progress::Progress::new(whole, args.recursive, args.no_progress);
    // Compressed inputs: the bar follows the compressed bytes read.
    let counter = bar.as_ref().map(|b| b.stream_counter());
    let mailbox = Mailbox::references(refs, read_options(args).count_stream_bytes(counter));
    let run = RunOptions::default().threads(args.jobs.unwrap_or(0));
    let mut outcome = Outcome::default();
    let mut failure: Option<anyhow::Error> = None;
    // Output to the terminal the progress is drawn on: the progress is
    // cleared while each message's output is written (stdout is then
    // line-buffered, so whole lines are out before it is redrawn).
    let tty = io::stdout().is_terminal() && bar.is_some();
    // `report` clears the progress while it writes.
    let say = |outcome: &mut Outcome, label: &str, reason: &dyn std::fmt::Display| {
        outcome.errored = true;
        report(label, reason);
    };
    // Output buffers written out come back here for the next messages: a
    // message's JSON is tens of KiB, and a buffer grown from small for
    // each one cost a handful of reallocations and copies per message.
    // Bounded: at most OUT_POOL buffers of at most OUT_KEEP bytes.
    let pool: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());
    let take = || {
        let mut b = pool
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop()
            .unwrap_or_else(|| Vec::with_capacity(1024));
        b.clear();
        b
    };
    let give_back = |b: Vec<u8>| {
        if b.capacity() <= OUT_KEEP {
            let mut p = pool.lock().unwrap_or_else(|e| e.into_inner());
            if p.len() < OUT_POOL {
                p.push(b);
            }
        }
    };
    source::for_each_ordered(
        mailbox,
        &run,
        |raw: &RawMessage| -> Result<Vec<u8>, String> {
            // Header-only commands get the header section alone, so the body
            // is neither scanned for `>From ` nor copied.
            let mut buf = take();
            if headers_only {
                // A maildir file's size is known once it is opened.
                let (bytes, size) = raw.header_section().map_err(|e| e.to_string())?;
                if body_when.is_some_and(|f| f(&bytes)) {
                    let whole = raw.bytes().map_err(|e| e.to_string())?;
                    if whole.len() as u64 > max_message {
                        return Err(format!(
                            "message of {} bytes is larger than --max-message-bytes ({max_message})",
                            whole.len()
                        ));
                    }
                    let mut origin = raw.origin.clone();
                    if origin.length == 0 {
                        origin.length = whole.len() as u64;
                    }
                    work(&origin, &whole, &mut buf).map_err(|e| format!("{e:#}"))?;
                    return Ok(buf);
                }
                if raw.origin.length == 0 {
                    let mut origin = raw.origin.clone();
                    origin.length = size;
                    work(&origin, &bytes, &mut buf).map_err(|e| super::chain(&e))?;
                } else {
                    work(&raw.origin, &bytes, &mut buf).map_err(|e| super::chain(&e))?;
                }
                return Ok(buf);
            }
            // One unquoting buffer per worker thread, reused for every
            // message (see RawMessage::bytes_in); `work` never reenters here.
            thread_local! {
                static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
            }
            SCRATCH.with_borrow_mut(|scratch| -> Result<Vec<u8>, String> {
                let bytes = raw.bytes_in(scratch).map_err(|e| e.to_string())?;
                // A message larger than the limit is refused before parsing:
                // every part's decoded size and every line is at most the
                // message's size, so this one check bounds all of them.
                if !headers_only && bytes.len() as u64 > max_message {
                    return Err(format!(
                        "message of {} bytes is larger than --max-message-bytes ({max_message})",
                        bytes.len()
                    ));
                }
                work(&raw.origin, bytes, &mut buf).map_err(|e| super::chain(&e))?;
                // A very large message's buffer is not kept for the rest of the run.
                if scratch.capacity() > SCRATCH_KEEP {
                    *scratch = Vec::new();
                }
                Ok(buf)
            })
        },
        |item| {
            if let (Some(b), Ok((raw, _))) = (&mut bar, &item) {
                b.inc(raw.origin.input, raw.origin.length);
            }
            match item {
                Ok((raw, Ok(Ok(buf)))) => {
                    let r = if tty {
                        progress::suspend(|| emit(&raw.origin, &buf))
                    } else {
                        emit(&raw.origin, &buf)
                    };
                    give_back(buf);
                    if let Err(e) = r {
                        failure = Some(e);
                        return false;
                    }
                    outcome.messages += 1;
                }
                Ok((raw, Ok(Err(e)))) => say(&mut outcome, &label(&raw.origin), &e),
                Ok((raw, Err(panic))) => say(&mut outcome, &label(&raw.origin), &panic),
                Err(e) => {
                    outcome.errored = true;
                    report_plain(&super::explain(&e));
                }
            }
            true
        },
    );
    drop(bar);
    match failure {
        Some(e) => Err(e),
        None => Ok(outcome),
    }
}

/// An input-level failure, reported with the progress cleared.
fn report_plain(msg: &str) {
    progress::suspend(|| eprintln!("emlkit: {msg}"));
}

/// `path#index (offset N)` for mbox members, the path otherwise.
fn label(o: &Origin) -> String {
    if o.format == "mbox" {
        format!("{} (offset {})", o.label(), o.offset)
    } else {
        o.label()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn args(path: &str, jobs: Option<usize>) -> InputArgs {
        InputArgs {
            inputs: vec![
                PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/mbox/")).join(path),
            ],
            format: None,
            recursive: false,
            max_input: 1 << 20,
            max_depth: 100,
            max_parts: 10_000,
            max_headers: 10_000,
            max_header_bytes: 1 << 20,
            max_message_bytes: 1 << 31,
            headers_only: false,
            body_when: None,
            no_progress: true,
            jobs,
            shard: None,
            list: None,
        }
    }

    #[test]
    fn a_panic_is_reported_and_the_batch_goes_on() {
        for jobs in [Some(1), Some(2)] {
            let mut out = Vec::new();
            let work = |o: &Origin, _: &[u8], buf: &mut Vec<u8>| -> Result<()> {
                if o.index == 1 {
                    panic!("boom");
                }
                if o.index == 2 {
                    anyhow::bail!("bad message");
                }
                buf.extend_from_slice(format!("{}@{}\n", o.index, o.offset).as_bytes());
                Ok(())
            };
            let r = for_each_message(&args("mboxrd.mbox", jobs), &mut out, &work).unwrap();
            assert!(r.errored);
            assert_eq!(r.messages, 1);
            assert_eq!(out, b"0@0\n");
        }
    }
}
