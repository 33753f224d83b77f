//! One file per subcommand, plus what they share: the input options, the
//! loop over every message of every input, and output handling.

pub mod build;
pub mod completions;
pub mod extract;
pub mod headers;
pub mod json;
pub mod man;
pub mod text;
pub mod trace;
pub mod tree;

use crate::source::{self, Bytes, Input, Kind, Origin};
use anyhow::Result;
use clap::{Args, ValueEnum};
use std::io::{self, IsTerminal, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

/// Input options shared by every reading command.
#[derive(Debug, Args, Clone)]
pub struct InputArgs {
    /// Messages, mbox files, maildirs or directories; `-` (or nothing, when
    /// stdin is not a terminal) reads standard input.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// Treat every input as this kind instead of detecting it.
    #[arg(long, value_enum, value_name = "KIND")]
    pub format: Option<FormatArg>,

    /// Descend into sub-directories and Maildir++ sub-folders.
    #[arg(short = 'r', long)]
    pub recursive: bool,

    /// Largest input read from a pipe or device, in bytes (mapped files are
    /// not limited).
    #[arg(long, value_name = "BYTES", default_value_t = 1 << 30, hide_short_help = true)]
    pub max_input: u64,
}

/// `--format` values.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum FormatArg {
    /// One RFC 5322 message.
    Eml,
    /// An mbox file.
    Mbox,
    /// A maildir.
    Maildir,
}

/// `--color` values.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq, Default)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and NO_COLOR is not set.
    #[default]
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// How output is shown: colour, and whether untrusted text is escaped.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Use ANSI colours.
    pub color: bool,
    /// Escape control, bidi and zero-width characters (stdout is a terminal).
    pub escape: bool,
}

impl Style {
    /// Resolves `--color` against the terminal and NO_COLOR.
    pub fn new(choice: ColorChoice) -> Style {
        let tty = io::stdout().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => tty && !no_color,
        };
        Style { color, escape: tty }
    }

    /// Escapes untrusted text when writing to a terminal.
    pub fn safe<'s>(&self, s: &'s str) -> std::borrow::Cow<'s, str> {
        if self.escape {
            crate::term::escape(s, false)
        } else {
            std::borrow::Cow::Borrowed(s)
        }
    }

    /// Wraps `s` in an ANSI colour when colour is on.
    pub fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

/// The outcome of a run: whether any input or message failed.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Something could not be processed.
    pub errored: bool,
    /// Messages processed.
    pub messages: usize,
    /// The run was fine but selected nothing (exit code 1).
    pub nothing: bool,
}

/// Reports a failure the way every command does.
pub fn report(label: &str, reason: &dyn std::fmt::Display) {
    eprintln!("emlkit: {label}: {reason}");
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

/// Calls `work` for every message of every input, in input order, writing
/// what it returns to `out`. A failing message or input is reported on
/// stderr and skipped; a panic inside `work` is caught and reported the same
/// way.
pub fn for_each_message(args: &InputArgs, out: &mut dyn Write, work: &Work<'_>) -> Result<Outcome> {
    let inputs = resolve_inputs(args);
    if inputs.is_empty() {
        anyhow::bail!("no input: give a path, or pipe a message into stdin (see --help)");
    }
    let mut outcome = Outcome::default();
    let mut buf = Vec::with_capacity(64 * 1024);
    let mut run_one = |outcome: &mut Outcome,
                       origin: &Origin,
                       bytes: &[u8],
                       out: &mut dyn Write|
     -> io::Result<()> {
        buf.clear();
        let r = catch_unwind(AssertUnwindSafe(|| work(origin, bytes, &mut buf)));
        match r {
            Ok(Ok(())) => {
                out.write_all(&buf)?;
                outcome.messages += 1;
            }
            Ok(Err(e)) => {
                outcome.errored = true;
                report(&origin.label(), &format!("{e:#}"));
            }
            Err(_) => {
                outcome.errored = true;
                report(
                    &origin.label(),
                    &format!(
                        "internal error (panic) at offset {}; please report this message",
                        origin.offset
                    ),
                );
            }
        }
        Ok(())
    };
    for input in &inputs {
        let name = input.display_name();
        let forced = args.format;
        match input {
            Input::Path(p) if p.is_dir() => {
                let kind = match forced {
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
                        outcome.errored = true;
                        report(&name, &e);
                        continue;
                    }
                };
                if entries.is_empty() {
                    outcome.errored = true;
                    report(&name, &"directory holds no message files");
                    continue;
                }
                for (index, e) in entries.iter().enumerate() {
                    let path = e.path.display().to_string();
                    let bytes = match Bytes::open(&e.path, args.max_input) {
                        Ok(b) => b,
                        Err(err) => {
                            outcome.errored = true;
                            report(&path, &err);
                            continue;
                        }
                    };
                    let origin = Origin {
                        path,
                        format: kind.as_str(),
                        index,
                        offset: 0,
                        length: bytes.len() as u64,
                        data_offset: 0,
                        from_line: None,
                        flags: e.flags.clone(),
                        folder: (!e.folder.is_empty()).then(|| e.folder.clone()),
                    };
                    run_one(&mut outcome, &origin, &bytes, out)?;
                }
            }
            _ => {
                let bytes = match input {
                    Input::Stdin => Bytes::stdin(args.max_input),
                    Input::Path(p) => Bytes::open(p, args.max_input),
                };
                let bytes = match bytes {
                    Ok(b) => b,
                    Err(e) => {
                        outcome.errored = true;
                        report(&name, &e);
                        continue;
                    }
                };
                let kind = match forced {
                    Some(FormatArg::Eml) => Kind::Eml,
                    Some(FormatArg::Mbox) => Kind::Mbox,
                    Some(FormatArg::Maildir) => {
                        outcome.errored = true;
                        report(&name, &"--format maildir needs a directory");
                        continue;
                    }
                    None => source::detect_bytes(&bytes),
                };
                if kind == Kind::Mbox {
                    for entry in source::mbox::MboxSplitter::new(&bytes) {
                        let msg = &bytes[entry.message.clone()];
                        let unq = source::mbox::unquote(msg);
                        let origin = Origin {
                            path: name.clone(),
                            format: "mbox",
                            index: entry.index,
                            offset: entry.offset as u64,
                            length: (entry.message.end - entry.offset) as u64,
                            data_offset: entry.message.start as u64,
                            from_line: Some(
                                String::from_utf8_lossy(&bytes[entry.from_line.clone()])
                                    .into_owned(),
                            ),
                            flags: None,
                            folder: None,
                        };
                        run_one(&mut outcome, &origin, &unq, out)?;
                        bytes.release(0, entry.message.end);
                    }
                } else {
                    let origin = Origin {
                        path: name.clone(),
                        format: "eml",
                        index: 0,
                        offset: 0,
                        length: bytes.len() as u64,
                        ..Origin::default()
                    };
                    run_one(&mut outcome, &origin, &bytes, out)?;
                }
            }
        }
    }
    out.flush()?;
    Ok(outcome)
}

/// The per-message work of a command: writes its output for one message into
/// the buffer it is given.
pub type Work<'w> = dyn Fn(&Origin, &[u8], &mut Vec<u8>) -> Result<()> + Sync + 'w;
