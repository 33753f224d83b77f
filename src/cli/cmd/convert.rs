//! `emlkit convert`: between mbox, maildir and directories of files.

mod labels;

use super::InputArgs;
use crate::sink::{self, Maildir, MboxWriter};
use crate::source::Origin;
use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use std::io::Write;
use std::path::PathBuf;

const LONG_ABOUT: &str = "\
Copies every message of the inputs (mbox files, maildirs, directories of
.eml files, single messages) into OUTPUT, as an mbox, a maildir or a
directory of files. Message bytes are kept exactly: mbox -> maildir -> mbox
and mbox -> files -> mbox give back every message byte for byte (mboxrd
quoting is undone on reading and redone on writing).

Metadata moves as Dovecot and mutt keep it (docs/mailbox.md has the
details): flags, mbox `Status: R` <-> maildir S, `X-Status: A/F/D/T` <->
R/F/T/D, `Status: O` <-> cur/ (no Status: new/); keywords, `X-Keywords` <->
the maildir letters a..z named in `dovecot-keywords`; the From_ line's
date <-> the maildir file's modification time; the From_ sender <-
Return-Path. Into a maildir, the Status, X-Status and X-Keywords fields
leave the message (they live in the file name); out of it, they are
written at the end of the header. So mbox -> maildir -> mbox and maildir
-> mbox -> maildir give back the same bytes. The maildir flag P has no
mbox equivalent and is lost.

Writing never clobbers: an existing mbox is appended to (under its
dotlock, OUTPUT.lock, and an fcntl lock, as mutt and Dovecot lock it), an
existing maildir receives new files. An existing OUTPUT that is not an mbox
is refused (exit 2, nothing written). A maildir that already holds a
message with the same bytes does not get it again: it is skipped and
counted (--allow-duplicates writes it). Nothing half-written is visible
after an interruption: maildir files go through tmp/; a new mbox is
written to a temporary file renamed into place at the end; an appended
mbox is cut back to its old length when a write fails. New files are
mode 0600 and new directories 0700 (mail is private).

The mbox written is mboxrd. A message whose last line has no line ending
gets one (mbox cannot record its absence); this is reported.

Examples:
  emlkit convert archive.mbox --to maildir ~/Maildir/.Archive
  emlkit convert ~/Maildir --to mbox backup.mbox
  emlkit convert messages/ --to mbox joined.mbox";

/// Output kinds.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ToKind {
    /// An mboxrd file (appended to when it exists).
    Mbox,
    /// A maildir (created when absent).
    Maildir,
    /// A directory of NNNNNN.eml files, as `split` writes.
    Dir,
}

/// Arguments of `emlkit convert`.
#[derive(Debug, Args)]
#[command(about = "Convert between mbox, maildir and directories", long_about = LONG_ABOUT)]
pub struct ConvertArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// What to write.
    #[arg(long, value_enum, value_name = "KIND")]
    pub to: ToKind,

    /// The mbox file, maildir or directory to write.
    #[arg(long = "output", short = 'o', value_name = "OUTPUT")]
    pub output: Option<PathBuf>,

    /// Write messages into a maildir even when it already holds a message
    /// with the same bytes (by default those are skipped and counted, so
    /// converting twice does not double a maildir).
    #[arg(long)]
    pub allow_duplicates: bool,

    /// Do not fsync each file before it appears (much faster on big
    /// mailboxes; an interrupted emlkit still leaves no partial file, but a
    /// machine crash may).
    #[arg(long)]
    pub no_fsync: bool,

    /// With --to maildir: one Maildir++ folder per Gmail label
    /// (`X-Gmail-Labels`, as in a Google Takeout mbox): `Work/2024` goes to
    /// `.Work.2024`, Inbox and unlabelled messages to the root; a message
    /// with several labels is written into each folder.
    #[arg(long)]
    pub by_label: bool,
}

fn header_str(msg: &[u8], name: &[u8]) -> Option<String> {
    sink::header_value(msg, name).map(|v| String::from_utf8_lossy(&v).trim().to_string())
}

/// Maildir flags of a message read from anywhere: from the file name for a
/// maildir (`None` in new/), from Status/X-Status otherwise.
fn flags_of(o: &Origin, msg: &[u8]) -> Option<String> {
    if o.format == "maildir" {
        let in_cur = o.folder.as_deref().is_some_and(|f| f.ends_with("cur"));
        return match (&o.flags, in_cur) {
            (Some(f), _) => Some(f.clone()),
            (None, true) => Some(String::new()),
            (None, false) => None,
        };
    }
    sink::maildir_flags_from_status(
        header_str(msg, b"status").as_deref(),
        header_str(msg, b"x-status").as_deref(),
    )
}

/// The arrival time of a message read from a file (maildir or directory):
/// the file's modification time, where Dovecot and mutt keep it; else, for
/// a maildir, the delivery time its name starts with. `None` for stdin.
///
/// See: issue 12 (the name's time was preferred to the mtime).
fn file_time(o: &Origin) -> Option<i64> {
    let mtime = std::fs::metadata(&o.path)
        .and_then(|m| m.modified())
        .ok()
        .map(|t| match t.duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => d.as_secs() as i64,
            Err(e) => -(e.duration().as_secs() as i64),
        });
    if mtime.is_some() || o.format != "maildir" {
        return mtime;
    }
    let name = std::path::Path::new(&o.path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let digits: String = name.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// Keywords of an mbox message: its `X-Keywords` field (Dovecot and mutt
/// separate them with spaces; commas are taken as separators too).
fn keywords_of(msg: &[u8]) -> Vec<String> {
    header_str(msg, b"x-keywords")
        .map(|v| {
            v.split(|c: char| c.is_whitespace() || c == ',')
                .filter(|k| !k.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// The time of an mbox message: its `From_` line's date.
fn envelope_time(o: &Origin) -> Option<i64> {
    let line = o.envelope.as_deref()?;
    crate::source::envelope::parse(line)?.time
}

/// The mbox record for a message from a maildir (or any file): its
/// `From_` line (sender from Return-Path, date from the arrival time) and
/// its bytes with `Status`/`X-Status`/`X-Keywords` set from the file name.
fn maildir_to_mbox<'m>(o: &Origin, msg: &'m [u8]) -> (Vec<u8>, std::borrow::Cow<'m, [u8]>) {
    let flags = flags_of(o, msg);
    let (status, x_status) = sink::status_from_maildir_flags(flags.as_deref());
    let keywords = o.keywords.join(" ");
    let mut add: Vec<(&str, &[u8])> = Vec::new();
    if let Some(s) = &status {
        add.push(("Status", s.as_bytes()));
    }
    if let Some(x) = &x_status {
        add.push(("X-Status", x.as_bytes()));
    }
    if !keywords.is_empty() {
        add.push(("X-Keywords", keywords.as_bytes()));
    }
    let msg = sink::set_fields(msg, &sink::MBOX_METADATA_FIELDS, &add);
    let secs = file_time(o).unwrap_or_else(now);
    let from = sink::synth_from_line(&msg, secs);
    (from, msg)
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Runs `emlkit convert`.
pub fn run(args: &ConvertArgs, _out: &mut dyn Write) -> Result<super::Outcome> {
    // `convert IN... --to K OUT`: the last positional is the output unless -o is given.
    let mut input = args.input.clone();
    let output = match &args.output {
        Some(o) => o.clone(),
        None => {
            if input.inputs.len() < 2 {
                anyhow::bail!("give the inputs and then the OUTPUT (or -o OUTPUT); see --help");
            }
            input.inputs.pop().unwrap_or_default()
        }
    };
    if args.by_label && args.to != ToKind::Maildir {
        anyhow::bail!("--by-label writes maildir folders: use it with --to maildir");
    }
    if input.inputs.iter().any(|i| i == &output) {
        anyhow::bail!("{} is both an input and the output", output.display());
    }
    let work = |_: &Origin, bytes: &[u8], buf: &mut Vec<u8>| -> Result<()> {
        buf.extend_from_slice(bytes);
        Ok(())
    };
    match args.to {
        ToKind::Mbox => {
            let mut w = MboxWriter::open(&output)
                .with_context(|| format!("cannot open {}", output.display()))?;
            let mut emit = |o: &Origin, msg: &[u8]| -> Result<()> {
                let (from, msg) = match &o.envelope {
                    // From an mbox: the record as it was.
                    Some(l) if l.starts_with(b"From ") => {
                        (l.clone(), std::borrow::Cow::Borrowed(msg))
                    }
                    _ if o.format == "maildir" => maildir_to_mbox(o, msg),
                    // A message file: its bytes, a From_ line from its
                    // Return-Path and modification time.
                    _ => (
                        sink::synth_from_line(msg, file_time(o).unwrap_or_else(now)),
                        std::borrow::Cow::Borrowed(msg),
                    ),
                };
                let complete = w
                    .write(&from, &msg)
                    .with_context(|| format!("cannot write {}", output.display()))?;
                if !complete {
                    super::report(&o.label(), &"no line ending at the end; one was added");
                }
                Ok(())
            };
            let outcome = super::batch::for_each_message_emit(&input, &work, &mut emit);
            match outcome {
                Ok(o) => {
                    w.finish()
                        .with_context(|| format!("cannot finish {}", output.display()))?;
                    Ok(o)
                }
                Err(e) => {
                    w.abort();
                    Err(e)
                }
            }
        }
        ToKind::Maildir => {
            super::need_directory("output", &output)?;
            let mut md = Maildir::create(&output)
                .with_context(|| format!("cannot create maildir {}", output.display()))?;
            md.sync = !args.no_fsync;
            if !args.allow_duplicates {
                md.skip_duplicates()
                    .with_context(|| format!("cannot list {}", output.display()))?;
            }
            let mut folders = labels::Folders::new(&output, !args.no_fsync, !args.allow_duplicates);
            let mut emit = |o: &Origin, msg: &[u8]| -> Result<()> {
                let flags = flags_of(o, msg);
                let (keywords, mtime, bytes) = match o.format {
                    "maildir" => (
                        o.keywords.clone(),
                        file_time(o),
                        std::borrow::Cow::Borrowed(msg),
                    ),
                    // From an mbox, the metadata fields move into the file
                    // name and the envelope date into the file's time, as
                    // Dovecot and mutt keep them. See: issue 12.
                    "mbox" => (
                        keywords_of(msg),
                        envelope_time(o),
                        sink::set_fields(msg, &sink::MBOX_METADATA_FIELDS, &[]),
                    ),
                    _ => (
                        keywords_of(msg),
                        file_time(o),
                        std::borrow::Cow::Borrowed(msg),
                    ),
                };
                let mut delivery = sink::Delivery::default();
                delivery.flags = flags.as_deref();
                delivery.keywords = &keywords;
                delivery.mtime = mtime;
                // See: issue 13 — Gmail labels as folders.
                let targets = if args.by_label {
                    labels::Folders::targets(msg)
                } else {
                    vec![None]
                };
                for t in &targets {
                    let (md, name) = match t {
                        None => (&mut md, output.display().to_string()),
                        Some(f) => (folders.get(f)?, format!("{}/{f}", output.display())),
                    };
                    md.deliver_with(&bytes, &delivery)
                        .with_context(|| format!("cannot deliver into {name}"))?;
                }
                Ok(())
            };
            let outcome = super::batch::for_each_message_emit(&input, &work, &mut emit)?;
            if md.keywords_dropped > 0 {
                super::report(
                    &output.display().to_string(),
                    &format!(
                        "{} keywords were not kept: a maildir holds at most 26 (dovecot-keywords)",
                        md.keywords_dropped
                    ),
                );
            }
            md.skipped += folders.skipped();
            if md.skipped > 0 {
                super::report(
                    &output.display().to_string(),
                    &format!(
                        "{} messages were already there (same bytes) and were skipped; --allow-duplicates writes them",
                        md.skipped
                    ),
                );
            }
            Ok(outcome)
        }
        ToKind::Dir => {
            super::need_directory("output", &output)?;
            sink::create_dir_private(&output)
                .with_context(|| format!("cannot create {}", output.display()))?;
            let mut n = 0usize;
            let mut failed = false;
            let mut emit = |o: &Origin, msg: &[u8]| -> Result<()> {
                let name = format!("{n:06}.eml");
                n += 1;
                if let Err(e) = sink::write_new(&output, &name, msg, !args.no_fsync) {
                    failed = true;
                    super::report(&o.label(), &format!("cannot write {name}: {e}"));
                }
                Ok(())
            };
            let mut o = super::batch::for_each_message_emit(&input, &work, &mut emit)?;
            o.errored |= failed;
            Ok(o)
        }
    }
}
