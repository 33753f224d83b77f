//! `emlkit split`: one `.eml` file per message.

use super::InputArgs;
use anyhow::{Context, Result};
use clap::Args;
use std::cell::Cell;
use std::io::Write;
use std::path::PathBuf;

const LONG_ABOUT: &str = "\
Writes every message of the inputs (mbox files, maildirs, directories) to
its own file in DIR, byte for byte (mboxrd quoting undone, the From_ line
left out).

Names: with one input, `NNNNNN.eml`, the message's 0-based index in that
input, zero-padded to 6 digits (more digits past 999999; emlkit reads such
directories in numeric order). With several inputs, `III-NNNNNN.eml`, where
III is the input's position on the command line. Works with --shard: the
pieces of one mbox get the names the whole run would give them.

Files are written under a temporary name and linked into place, so no
half-written file is ever visible, and an existing file is never replaced
(that message is reported and the exit status is 2). Files are mode 0600
and a new DIR 0700 (mail is private).

Examples:
  emlkit split archive.mbox -o messages/
  emlkit convert messages/ --to mbox rebuilt.mbox";

/// Arguments of `emlkit split`.
#[derive(Debug, Args)]
#[command(about = "Write one .eml file per message", long_about = LONG_ABOUT)]
pub struct SplitArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Directory to write the files into (created if needed).
    #[arg(short = 'o', long = "output", value_name = "DIR")]
    pub output: PathBuf,

    /// Do not fsync each file before it appears (much faster on big
    /// mailboxes; an interrupted emlkit still leaves no partial file, but a
    /// machine crash may).
    #[arg(long)]
    pub no_fsync: bool,
}

/// Runs `emlkit split`.
pub fn run(args: &SplitArgs, _out: &mut dyn Write) -> Result<super::Outcome> {
    super::need_directory("-o", &args.output)?;
    crate::sink::create_dir_private(&args.output)
        .with_context(|| format!("cannot create {}", args.output.display()))?;
    let multi = args.input.inputs.len() > 1;
    let failed = Cell::new(false);
    let work = |_: &crate::source::Origin, bytes: &[u8], buf: &mut Vec<u8>| -> Result<()> {
        buf.extend_from_slice(bytes);
        Ok(())
    };
    let mut emit = |o: &crate::source::Origin, bytes: &[u8]| -> Result<()> {
        // The input's position on the command line, so a missing or
        // unreadable input still takes its number. See: issue 12.
        let input_no = o.input;
        let name = if multi {
            format!("{input_no:03}-{:06}.eml", o.index)
        } else {
            format!("{:06}.eml", o.index)
        };
        if let Err(e) = crate::sink::write_new(&args.output, &name, bytes, !args.no_fsync) {
            failed.set(true);
            super::report(
                &o.label(),
                &format!("cannot write {}: {e}", args.output.join(&name).display()),
            );
        }
        Ok(())
    };
    let mut outcome = super::batch::for_each_message_emit(&args.input, &work, &mut emit)?;
    outcome.errored |= failed.get();
    Ok(outcome)
}
