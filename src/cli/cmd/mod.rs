//! One file per subcommand, plus what they share: the input options, the
//! loop over every message of every input, and output handling.

pub mod batch;
pub mod build;
pub mod completions;
pub mod convert;
pub mod dedupe;
pub mod extract;
pub mod headers;
pub mod info;
pub mod json;
pub mod man;
pub mod pick;
pub mod report;
pub mod scan;
pub mod sort;
pub mod split;
pub mod text;
pub mod thread;
pub mod trace;
pub mod trace_sender;
pub mod tree;

use anyhow::Result;
use clap::{Args, ValueEnum};
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

/// Input options shared by every reading command. In `--help` they come
/// after the command's own options, under their own headings: "Input
/// options", and "Resource limits" for the `--max-*` flags.
#[derive(Debug, Args, Clone)]
pub struct InputArgs {
    /// Messages, mbox files, maildirs or directories, or message references
    /// (`archive.mbox#42`, `archive.mbox#5-9`, `archive.mbox@OFFSET`); `-`
    /// (or nothing, when stdin is not a terminal) reads standard input.
    /// gzip, bzip2, xz and zstd data (files and stdin) is decompressed on
    /// the fly.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// Read a message list from FILE (`-`: standard input): one reference per
    /// line (`PATH`, `PATH#INDEX`, `PATH#A-B`, `PATH@OFFSET`,
    /// `PATH#INDEX@OFFSET`), as `pick`, `sort`, `thread` and `dedupe` write
    /// them; the messages come after those named as arguments. Paths in a
    /// list are %XX-escaped (see docs/pipelines.md).
    #[arg(
        help_heading = "Input options",
        short = 'L',
        long = "list",
        value_name = "FILE"
    )]
    pub list: Option<PathBuf>,

    /// Treat every input as this kind instead of detecting it.
    #[arg(help_heading = "Input options", long, value_enum, value_name = "KIND")]
    pub format: Option<FormatArg>,

    /// Descend into sub-directories and Maildir++ sub-folders.
    #[arg(help_heading = "Input options", short = 'r', long)]
    pub recursive: bool,

    /// Largest single message read whole from a pipe, a device or a
    /// compressed file, in bytes (mapped files are not limited; an mbox
    /// stream is split as it arrives and only each message is bounded, by
    /// --max-message-bytes).
    #[arg(help_heading = "Resource limits", long, value_name = "BYTES", default_value_t = 1 << 30, hide_short_help = true)]
    pub max_input: u64,

    /// Deepest MIME nesting walked; deeper parts are a `depth_limit` finding.
    #[arg(
        help_heading = "Resource limits",
        long,
        value_name = "N",
        default_value_t = 100,
        hide_short_help = true
    )]
    pub max_depth: usize,

    /// Most parts listed per message (`part_limit` finding beyond).
    #[arg(
        help_heading = "Resource limits",
        long,
        value_name = "N",
        default_value_t = 10_000,
        hide_short_help = true
    )]
    pub max_parts: usize,

    /// Most header fields exported per message (`header_limit` finding beyond).
    #[arg(
        help_heading = "Resource limits",
        long,
        value_name = "N",
        default_value_t = 10_000,
        hide_short_help = true
    )]
    pub max_headers: usize,

    /// Longest header field value exported, in bytes (`header_too_long`).
    #[arg(help_heading = "Resource limits", long, value_name = "BYTES", default_value_t = 1 << 20, hide_short_help = true)]
    pub max_header_bytes: usize,

    /// Largest message parsed, in bytes (mapped files and mbox members too);
    /// a larger one is reported and skipped. It also bounds every line and
    /// every part's decoded size, which cannot exceed the message's size.
    #[arg(help_heading = "Resource limits", long, value_name = "BYTES", default_value_t = 1 << 31, hide_short_help = true)]
    pub max_message_bytes: u64,

    /// Set by commands that read only the top-level header section (not a
    /// flag): the batch engine then hands them just that section.
    #[arg(skip)]
    pub headers_only: bool,

    /// With `headers_only`: a test on the header section that asks for the
    /// whole message after all (`trace` needs the body of a DKIM-signed
    /// message for its body hash). Not a flag.
    #[arg(skip)]
    pub body_when: Option<fn(&[u8]) -> bool>,

    /// Never show the progress display (it is shown only when stderr is a
    /// terminal, after 400 ms, and cleared at the end).
    #[arg(help_heading = "Input options", long)]
    pub no_progress: bool,

    /// Worker threads (default: all cores); output stays in input order.
    #[arg(help_heading = "Input options", short = 'j', long, value_name = "N")]
    pub jobs: Option<usize>,

    /// Process only the K-th of N parts of each input (1-based; mbox files
    /// are cut at message boundaries), so N workers share one mailbox.
    #[arg(help_heading = "Input options", long, value_name = "K/N")]
    pub shard: Option<batch::Shard>,
}

impl InputArgs {
    /// The same inputs, read header-only: the engine hands each command just
    /// the header section, so bodies are neither scanned nor copied.
    pub fn header_only(&self) -> InputArgs {
        let mut a = self.clone();
        a.headers_only = true;
        a
    }

    /// The resource limits chosen on the command line.
    pub fn limits(&self) -> crate::model::Limits {
        let mut l = crate::model::Limits::default();
        l.max_depth = self.max_depth;
        l.max_parts = self.max_parts;
        l.max_headers = self.max_headers;
        l.max_header_bytes = self.max_header_bytes;
        l
    }
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
    pub fn paint<'s>(&self, code: &str, s: &'s str) -> std::borrow::Cow<'s, str> {
        if self.color {
            std::borrow::Cow::Owned(format!("\x1b[{code}m{s}\x1b[0m"))
        } else {
            // No copy: most output is not to a terminal.
            std::borrow::Cow::Borrowed(s)
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
    // The progress display (if any) is cleared while the line is written.
    batch::suspend(|| eprintln!("emlkit: {label}: {reason}"));
}

/// Calls `work` for every message of every input, in input order, writing
/// what it returns to `out`. A failing message or input is reported on
/// stderr and skipped; a panic inside `work` is caught and reported the same
/// way. Runs on all cores (`-j`); see [`batch`].
pub fn for_each_message(
    args: &InputArgs,
    out: &mut dyn Write,
    work: &batch::Work<'_>,
) -> Result<Outcome> {
    batch::for_each_message(args, out, work)
}

/// An error's chain as one line, `outer: inner: …`, each cause once: a
/// cause whose text its wrapper already shows (thiserror's `{path}:
/// {source}`) is not repeated (it used to read `File exists (os error 17):
/// File exists (os error 17)`). See: issue 15, item 3.
pub fn chain(e: &anyhow::Error) -> String {
    chain_of(e.as_ref())
}

/// [`chain`] for any error.
pub fn chain_of(e: &(dyn std::error::Error + 'static)) -> String {
    let mut line = String::new();
    let mut next = Some(e);
    while let Some(cause) = next {
        next = cause.source();
        let text = cause.to_string();
        if line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line
}

/// Refuses an output that must be a directory but is something else, with
/// the fix: `-o PATH: not a directory (…)`.
pub fn need_directory(flag: &str, path: &std::path::Path) -> Result<()> {
    match std::fs::metadata(path) {
        Ok(m) if !m.is_dir() => anyhow::bail!(
            "{flag} {}: not a directory (give a directory, or a path that does not exist yet to create one)",
            path.display()
        ),
        _ => Ok(()),
    }
}

/// An input-level failure with what to do about the common ones.
pub fn explain(e: &(dyn std::error::Error + 'static)) -> String {
    let text = chain_of(e);
    let mut cause = Some(e);
    while let Some(c) = cause {
        if let Some(io) = c.downcast_ref::<io::Error>() {
            let hint = match io.kind() {
                io::ErrorKind::NotFound => {
                    " (check the path; a message reference is PATH#INDEX, PATH#A-B or PATH@OFFSET)"
                }
                io::ErrorKind::PermissionDenied => " (check the file's permissions)",
                _ => "",
            };
            // One parenthesis: the hint replaces the `(os error N)` code.
            let text = match text.rfind(" (os error ") {
                Some(i) if !hint.is_empty() && text.ends_with(')') => &text[..i],
                _ => text.as_str(),
            };
            return format!("{text}{hint}");
        }
        cause = c.source();
    }
    text
}
