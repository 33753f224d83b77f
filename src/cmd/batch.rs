//! The batch engine behind every reading command: walks every message of
//! every input (single files, mbox files, maildirs, directories), runs the
//! command's work on all cores, and writes the results in input order.
//!
//! How memory stays flat (see: issue 3, "memory does not grow with the
//! mailbox"): messages are sub-slices of the memory map; they are handed to
//! the workers in chunks bounded in count and bytes; a chunk's outputs are
//! written and dropped before the next chunk starts, and the map pages the
//! chunk covered are released with `madvise(MADV_DONTNEED)`. Nothing is kept
//! per message.

use super::{report, FormatArg, InputArgs, Outcome};
use crate::source::{self, mbox, Bytes, Input, Kind, Origin};
use anyhow::Result;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use std::io::{self, IsTerminal, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::str::FromStr;

/// The per-message work of a command: gets the message's origin and bytes
/// (mboxrd quoting already undone) and appends its output to the buffer.
pub type Work<'w> = dyn Fn(&Origin, &[u8], &mut Vec<u8>) -> Result<()> + Sync + 'w;

/// `--shard K/N`: the K-th (1-based) of N parts of every input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// Which part, 1..=n.
    pub k: u64,
    /// How many parts.
    pub n: u64,
}

impl FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Shard, String> {
        let (k, n) = s
            .split_once('/')
            .ok_or_else(|| format!("`{s}` is not K/N (for example 2/8)"))?;
        let k: u64 = k
            .trim()
            .parse()
            .map_err(|_| format!("`{k}` is not a number"))?;
        let n: u64 = n
            .trim()
            .parse()
            .map_err(|_| format!("`{n}` is not a number"))?;
        if n == 0 || k == 0 || k > n {
            return Err(format!("need 1 <= K <= N, got {k}/{n}"));
        }
        Ok(Shard { k, n })
    }
}

impl Shard {
    /// The byte (or item) range `[start, end)` of this shard out of `len`.
    pub fn range(&self, len: u64) -> (u64, u64) {
        let at = |i: u64| ((len as u128 * i as u128) / self.n as u128) as u64;
        (at(self.k - 1), at(self.k))
    }
}

/// Most messages handed to the workers at once.
const CHUNK_MESSAGES: usize = 256;
/// Most message bytes handed to the workers at once.
const CHUNK_BYTES: usize = 16 << 20;

enum Data<'a> {
    /// A slice of an mbox (still quoted when the flag is set) or of a
    /// single input.
    Slice(&'a [u8], bool),
    /// A message read from a stream (still quoted when the flag is set).
    Owned(Vec<u8>, bool),
    /// A file of a maildir or directory, opened by the worker.
    File(PathBuf),
}

/// What a worker needs to know besides the job itself.
#[derive(Clone, Copy)]
struct JobLimits {
    max_input: u64,
    max_message: u64,
    headers_only: bool,
}

struct Job<'a> {
    origin: Origin,
    data: Data<'a>,
}

/// Runs jobs and writes outputs in order.
/// Receives each message's output, in input order.
pub type Emit<'o> = dyn FnMut(&Origin, &[u8]) -> Result<()> + 'o;

struct Engine<'w, 'o> {
    work: &'w Work<'w>,
    emit: &'o mut Emit<'o>,
    pool: Option<rayon::ThreadPool>,
    limits: JobLimits,
    outcome: Outcome,
    bar: Option<ProgressBar>,
}

impl Engine<'_, '_> {
    fn say(&mut self, label: &str, reason: &dyn std::fmt::Display) {
        self.outcome.errored = true;
        match &self.bar {
            Some(b) => b.suspend(|| report(label, reason)),
            None => report(label, reason),
        }
    }

    fn run_job(work: &Work<'_>, limits: JobLimits, job: &Job<'_>) -> Result<Vec<u8>, String> {
        let JobLimits {
            max_input,
            max_message,
            headers_only,
        } = limits;
        // A message larger than the limit is refused before parsing: every
        // part's decoded size and every line is at most the message's size,
        // so this one check bounds the memory and time of all of them.
        let check = |len: usize| -> Result<()> {
            if !headers_only && len as u64 > max_message {
                anyhow::bail!(
                    "message of {len} bytes is larger than --max-message-bytes ({max_message})"
                );
            }
            Ok(())
        };
        let mut buf = Vec::new();
        // A message in memory: a slice of the map or one read from a stream.
        let in_memory = |s: &[u8], quoted: bool, buf: &mut Vec<u8>| -> Result<()> {
            check(s.len())?;
            // Header-only commands get the header section alone, so the
            // body is neither scanned for `>From ` nor copied.
            let s: &[u8] = if headers_only {
                crate::model::header_block(s)
            } else {
                s
            };
            let bytes = if quoted {
                mbox::unquote(s)
            } else {
                std::borrow::Cow::Borrowed(s)
            };
            work(&job.origin, &bytes, buf)
        };
        let r = catch_unwind(AssertUnwindSafe(|| -> Result<()> {
            match &job.data {
                Data::Slice(s, quoted) => in_memory(s, *quoted, &mut buf),
                Data::Owned(v, quoted) => in_memory(v, *quoted, &mut buf),
                Data::File(p) => {
                    // A member of a maildir or directory may be compressed.
                    let bytes = match source::load(&Input::Path(p.clone()), max_input)? {
                        source::Loaded::Mapped(b) => b,
                        source::Loaded::Stream(o) => Bytes::from_vec(o.read_all(max_input)?),
                    };
                    check(bytes.len())?;
                    work(&job.origin, &bytes, &mut buf)
                }
            }
        }));
        match r {
            Ok(Ok(())) => Ok(buf),
            Ok(Err(e)) => Err(format!("{e:#}")),
            Err(_) => Err(format!(
                "internal error (panic) at offset {}; skipped, please report this message",
                job.origin.offset
            )),
        }
    }

    /// Processes a chunk (in parallel when a pool is set) and writes it.
    fn flush(&mut self, jobs: &mut Vec<Job<'_>>) -> Result<()> {
        if jobs.is_empty() {
            return Ok(());
        }
        let (work, limits) = (self.work, self.limits);
        let results: Vec<Result<Vec<u8>, String>> = match &self.pool {
            Some(pool) => pool.install(|| {
                jobs.par_iter()
                    .map(|j| Self::run_job(work, limits, j))
                    .collect()
            }),
            None => jobs
                .iter()
                .map(|j| Self::run_job(work, limits, j))
                .collect(),
        };
        for (job, r) in jobs.iter().zip(results) {
            match r {
                Ok(buf) => {
                    (self.emit)(&job.origin, &buf)?;
                    self.outcome.messages += 1;
                }
                Err(e) => {
                    let label = if job.origin.format == "mbox" {
                        format!("{} (offset {})", job.origin.label(), job.origin.offset)
                    } else {
                        job.origin.label()
                    };
                    self.say(&label, &e);
                }
            }
        }
        if let Some(b) = &self.bar {
            b.inc(jobs.len() as u64);
        }
        jobs.clear();
        Ok(())
    }
}

fn resolve_inputs(args: &InputArgs) -> Vec<Input> {
    if args.inputs.is_empty() {
        if io::stdin().is_terminal() {
            return Vec::new();
        }
        return vec![Input::Stdin];
    }
    args.inputs.iter().map(|p| Input::from_arg(p)).collect()
}

fn progress_bar() -> Option<ProgressBar> {
    // Never in pipes or logs: only when a person watches stderr.
    if !io::stderr().is_terminal() {
        return None;
    }
    let b = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} {human_pos} messages, {elapsed} {wide_msg}")
    {
        b.set_style(style);
    }
    Some(b)
}

/// Calls `work` for every message of every input, in input order, writing
/// what it returns to `out`. See the module documentation.
pub fn for_each_message(args: &InputArgs, out: &mut dyn Write, work: &Work<'_>) -> Result<Outcome> {
    let mut emit = |_: &Origin, buf: &[u8]| -> Result<()> { Ok(out.write_all(buf)?) };
    let outcome = for_each_message_emit(args, work, &mut emit)?;
    out.flush()?;
    Ok(outcome)
}

/// Like [`for_each_message`], but hands each output, with the message's
/// origin, to `emit` (in input order) instead of writing it: `convert` and
/// `split` use it to deliver messages.
pub fn for_each_message_emit<'o>(
    args: &InputArgs,
    work: &Work<'_>,
    emit: &'o mut Emit<'o>,
) -> Result<Outcome> {
    let inputs = resolve_inputs(args);
    if inputs.is_empty() {
        anyhow::bail!("no input: give a path, or pipe a message into stdin (see --help)");
    }
    let jobs = args.jobs.unwrap_or(0);
    let pool = if jobs == 1 {
        None
    } else {
        Some(
            rayon::ThreadPoolBuilder::new()
                .num_threads(jobs)
                .build()
                .map_err(|e| anyhow::anyhow!("cannot start worker threads: {e}"))?,
        )
    };
    let chunk_messages = if jobs == 1 { 1 } else { CHUNK_MESSAGES };
    let mut engine = Engine {
        work,
        emit,
        pool,
        limits: JobLimits {
            max_input: args.max_input,
            max_message: args.max_message_bytes,
            headers_only: args.headers_only,
        },
        outcome: Outcome::default(),
        bar: progress_bar(),
    };
    for (input_no, input) in inputs.iter().enumerate() {
        let name = input.display_name();
        if let Some(b) = &engine.bar {
            b.set_message(name.clone());
        }
        match input {
            Input::Path(p) if p.is_dir() => {
                let kind = match args.format {
                    Some(FormatArg::Maildir) => Kind::Maildir,
                    _ => source::detect_dir(p),
                };
                let entries = match kind {
                    Kind::Maildir => source::maildir::list_maildir(p, args.recursive),
                    _ => source::maildir::list_directory(p, args.recursive),
                };
                let entries = match entries {
                    Ok(e) => e,
                    Err(e) => {
                        engine.say(&name, &e);
                        continue;
                    }
                };
                if entries.is_empty() {
                    engine.say(&name, &"directory holds no message files");
                    continue;
                }
                let (lo, hi) = match args.shard {
                    Some(s) => s.range(entries.len() as u64),
                    None => (0, entries.len() as u64),
                };
                let mut chunk = Vec::new();
                for (index, e) in entries.into_iter().enumerate() {
                    if (index as u64) < lo || (index as u64) >= hi {
                        continue;
                    }
                    if e.kind == Kind::Mbox {
                        // An mbox inside a directory is read as an mbox, in
                        // its place in the order. See: issue 12.
                        engine.flush(&mut chunk)?;
                        let member = e.path.display().to_string();
                        match source::load(&Input::Path(e.path.clone()), args.max_input) {
                            Ok(source::Loaded::Mapped(bytes)) => run_mbox(
                                &mut engine,
                                input_no,
                                &member,
                                &bytes,
                                0,
                                u64::MAX,
                                chunk_messages,
                            )?,
                            Ok(source::Loaded::Stream(opened)) => run_mbox_stream(
                                &mut engine,
                                input_no,
                                &member,
                                opened,
                                args,
                                chunk_messages,
                            )?,
                            Err(err) => engine.say(&member, &err),
                        }
                        continue;
                    }
                    let format = if e.kind == Kind::Maildir {
                        Kind::Maildir.as_str()
                    } else {
                        kind.as_str()
                    };
                    let origin = Origin {
                        path: e.path.display().to_string(),
                        format,
                        index,
                        input: input_no,
                        flags: e.flags,
                        keywords: e.keywords,
                        folder: (!e.folder.is_empty()).then_some(e.folder),
                        ..Origin::default()
                    };
                    chunk.push(Job {
                        origin,
                        data: Data::File(e.path),
                    });
                    if chunk.len() >= chunk_messages {
                        engine.flush(&mut chunk)?;
                    }
                }
                engine.flush(&mut chunk)?;
            }
            _ => {
                let bytes = match source::load(input, args.max_input) {
                    Ok(source::Loaded::Mapped(b)) => Ok(b),
                    Ok(source::Loaded::Stream(opened)) => {
                        let is_mbox = match args.format {
                            Some(FormatArg::Mbox) => true,
                            Some(_) => false,
                            None => mbox::starts_with_from_line(&opened.head),
                        };
                        if is_mbox {
                            // Split as it arrives. See: issue 12.
                            run_mbox_stream(
                                &mut engine,
                                input_no,
                                &name,
                                opened,
                                args,
                                chunk_messages,
                            )?;
                            continue;
                        }
                        opened.read_all(args.max_input).map(Bytes::from_vec)
                    }
                    Err(e) => Err(e),
                };
                let bytes = match bytes {
                    Ok(b) => b,
                    Err(e) => {
                        engine.say(&name, &e);
                        continue;
                    }
                };
                let kind = match args.format {
                    Some(FormatArg::Eml) => Kind::Eml,
                    Some(FormatArg::Mbox) => Kind::Mbox,
                    Some(FormatArg::Maildir) => {
                        engine.say(&name, &"--format maildir needs a directory");
                        continue;
                    }
                    // An empty file is an empty mailbox only when it says it is
                    // one (`--format mbox`, or a name ending in .mbox); otherwise
                    // it is a message that is missing, which is an error.
                    // See: issue 2 (bad input: an empty file is an error).
                    None if bytes.is_empty() && !name.ends_with(".mbox") => Kind::Eml,
                    None => source::detect_bytes(&bytes),
                };
                let (lo, hi) = match args.shard {
                    Some(s) => s.range(bytes.len() as u64),
                    None => (0, u64::MAX),
                };
                if kind == Kind::Mbox {
                    run_mbox(&mut engine, input_no, &name, &bytes, lo, hi, chunk_messages)?;
                } else if args.shard.is_none_or(|s| s.k == 1) {
                    // A single message belongs to the first shard.
                    let origin = Origin {
                        path: name.clone(),
                        format: "eml",
                        input: input_no,
                        length: bytes.len() as u64,
                        ..Origin::default()
                    };
                    let mut chunk = vec![Job {
                        origin,
                        data: Data::Slice(&bytes, false),
                    }];
                    engine.flush(&mut chunk)?;
                }
            }
        }
    }
    if let Some(b) = &engine.bar {
        b.finish_and_clear();
    }
    Ok(engine.outcome)
}

/// Feeds the messages of an mbox stream, each read, copied out and handed
/// to the workers in turn: memory holds a chunk of messages and the read
/// buffer, never the stream.
fn run_mbox_stream(
    engine: &mut Engine<'_, '_>,
    input_no: usize,
    name: &str,
    opened: source::stream::Opened,
    args: &InputArgs,
    chunk_messages: usize,
) -> Result<()> {
    if args.shard.is_some_and(|s| s.n > 1) {
        engine.say(
            name,
            &"--shard needs a file that can be mapped, not a stream or a compressed file",
        );
        return Ok(());
    }
    let mut chunk: Vec<Job<'_>> = Vec::new();
    let mut chunk_bytes = 0usize;
    for m in source::stream::MboxStream::new(opened, args.max_message_bytes) {
        let m = match m {
            Ok(m) => m,
            Err(e) => {
                engine.flush(&mut chunk)?;
                engine.say(name, &e);
                return Ok(());
            }
        };
        let origin = Origin {
            path: name.to_string(),
            format: "mbox",
            index: m.index,
            offset: m.offset,
            length: m.data_offset - m.offset + m.message.len() as u64,
            data_offset: m.data_offset,
            from_line: Some(String::from_utf8_lossy(&m.from_line).into_owned()),
            envelope: Some(m.from_line),
            input: input_no,
            ..Origin::default()
        };
        chunk_bytes += m.message.len();
        chunk.push(Job {
            origin,
            data: Data::Owned(m.message, !m.content_length),
        });
        if chunk.len() >= chunk_messages || chunk_bytes >= CHUNK_BYTES {
            engine.flush(&mut chunk)?;
            chunk_bytes = 0;
        }
    }
    engine.flush(&mut chunk)
}

/// Feeds the messages of one mbox whose `From ` line starts in `[lo, hi)`.
fn run_mbox(
    engine: &mut Engine<'_, '_>,
    input_no: usize,
    name: &str,
    bytes: &Bytes,
    lo: u64,
    hi: u64,
    chunk_messages: usize,
) -> Result<()> {
    let mut chunk: Vec<Job<'_>> = Vec::new();
    let mut chunk_bytes = 0usize;
    let mut released = 0usize;
    for entry in mbox::MboxSplitter::new(bytes) {
        let off = entry.offset as u64;
        if off >= hi {
            break;
        }
        if off < lo {
            // A message of an earlier shard: counted (for its index) only.
            if entry.next - released > CHUNK_BYTES {
                bytes.release(released, entry.next);
                released = entry.next;
            }
            continue;
        }
        let msg = &bytes[entry.message.clone()];
        let origin = Origin {
            path: name.to_string(),
            format: "mbox",
            index: entry.index,
            offset: off,
            length: (entry.message.end - entry.offset) as u64,
            data_offset: entry.message.start as u64,
            from_line: Some(String::from_utf8_lossy(&bytes[entry.from_line.clone()]).into_owned()),
            envelope: Some(bytes[entry.from_line.clone()].to_vec()),
            input: input_no,
            flags: None,
            keywords: Vec::new(),
            folder: None,
        };
        chunk_bytes += msg.len();
        // A message whose end its Content-Length decided (mboxcl2) is not
        // quoted: its `>From ` lines are its own. See: issue 12.
        let quoted = !entry.content_length;
        chunk.push(Job {
            origin,
            data: Data::Slice(msg, quoted),
        });
        if chunk.len() >= chunk_messages || chunk_bytes >= CHUNK_BYTES {
            engine.flush(&mut chunk)?;
            chunk_bytes = 0;
            bytes.release(released, entry.next);
            released = entry.next;
        }
    }
    engine.flush(&mut chunk)?;
    bytes.release(released, bytes.len());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
            jobs,
            shard: None,
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

    #[test]
    fn shard_parse_and_ranges() {
        assert_eq!("2/4".parse::<Shard>(), Ok(Shard { k: 2, n: 4 }));
        assert!("0/4".parse::<Shard>().is_err());
        assert!("5/4".parse::<Shard>().is_err());
        assert!("x".parse::<Shard>().is_err());
        // The ranges tile [0, len) without gap or overlap.
        for n in 1..7u64 {
            let mut at = 0;
            for k in 1..=n {
                let (a, b) = Shard { k, n }.range(1001);
                assert_eq!(a, at);
                at = b;
            }
            assert_eq!(at, 1001);
        }
    }
}
