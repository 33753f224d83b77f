//! The command-line definition (clap derive), shared by `main` and by the
//! man-page and completion generators.

use crate::cmd;
use clap::{Parser, Subcommand};

pub const AFTER_HELP: &str = "\
Exit codes:
  0  success
  1  nothing selected (documented per command)
  2  an input or message could not be processed (the others were), a resource
     limit cut the output (`*_limit` or `header_too_long` finding, also on
     stderr), or a usage error
A closed pipe (for example `| head`) ends quietly with 0.";

/// emlkit: e-mail messages as files.
#[derive(Debug, Parser)]
#[command(
    name = "emlkit",
    version,
    about = "E-mail messages as files: structure, JSON Lines, headers, text",
    long_about = "emlkit reads RFC 5322 / MIME messages (.eml files, stdin, mbox files, maildirs)\n\
                  without copying them, and shows their structure, exports them as JSON Lines,\n\
                  decodes their headers and prints their text.\n\n\
                  Example:\n  emlkit tree message.eml\n  emlkit json archive.mbox | jq .subject",
    after_help = AFTER_HELP
)]
pub struct Cli {
    /// When to use colours: auto (terminal and NO_COLOR unset), always, never.
    #[arg(
        long,
        value_enum,
        default_value_t = cmd::ColorChoice::Auto,
        global = true,
        display_order = 900
    )]
    pub color: cmd::ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands. Their help text lives with their arguments in
/// `src/cli/cmd/<name>.rs` (a doc comment here would override it).
#[derive(Debug, Subcommand)]
pub enum Command {
    // Show the MIME part tree.
    Tree(cmd::tree::TreeArgs),
    // Export messages as JSON Lines.
    Json(cmd::json::JsonArgs),
    // Print header fields.
    Headers(cmd::headers::HeadersArgs),
    // Print the readable body.
    Text(cmd::text::TextArgs),
    // Show the path a message travelled: hops, delays, TLS, authentication.
    Trace(cmd::trace::TraceArgs),
    // Compose a message from flags or a JSON spec.
    #[command(long_about = cmd::build::LONG_ABOUT)]
    Build(Box<cmd::build::BuildArgs>),
    // Write attachments to files, safely.
    Extract(cmd::extract::ExtractArgs),
    // Write a self-contained HTML report of a message or a mailbox.
    Report(cmd::report::ReportArgs),
    // Describe mailboxes: kind, dialect, count, findings.
    Info(cmd::info::InfoArgs),
    // Write one .eml file per message.
    Split(cmd::split::SplitArgs),
    // Convert between mbox, maildir and directories of files.
    Convert(cmd::convert::ConvertArgs),
    // Select messages with a search query.
    Pick(cmd::pick::PickArgs),
    // List messages one per line.
    Scan(cmd::scan::ScanArgs),
    // Sort messages by date, sender, subject or size.
    Sort(cmd::sort::SortArgs),
    // Order messages by thread (JWZ).
    Thread(cmd::thread::ThreadArgs),
    // Drop duplicate messages.
    Dedupe(cmd::dedupe::DedupeArgs),
    // Write the man page (roff) to stdout.
    Man(cmd::man::ManArgs),
    // Write shell completions to stdout.
    Completions(cmd::completions::CompletionsArgs),
}
