//! `emlkit pick`: select messages with a search query; writes a message list.

use super::InputArgs;
use crate::export::listing::{message_size, ListingRec, Summary};
use crate::model::{Message, Scope};
use crate::query::{Facts, Query};
use crate::source::{reference, Origin};
use anyhow::Result;
use clap::Args;
use std::io::{IsTerminal, Write};

const LONG_ABOUT: &str = "\
Selects the messages that match QUERY and writes them as a message list: one
reference per line (a file, or `PATH#INDEX@OFFSET` for an mbox member), which
every emlkit command reads back with `-L -`. On a terminal it shows them as
`scan` does instead. --json writes a `listing` record per message, --count
only the number, --mbox/--maildir writes the messages into a mailbox.

The query uses the search syntax of Gmail, notmuch and mu:
  word  \"a phrase\"        subject or a From/To/Cc mailbox
  from: to: cc: bcc:      a mailbox (address, name or `Name <address>`)
  subject: body: filename: id:
  has:attachment  type:application/pdf  type:image/*
  date:2024  date:2024-01  date:2024-01-01..2024-06-30  date:2024-03..
  after:2024-01-15  before:2024  after:7d  (h, d, w, m, y)
  size:>1mb  size:<10k  size:100k..   (k, m, g: powers of 1024)
  flag:seen|unseen|replied|flagged|draft|trashed|passed   label:Inbox
  header:X-Mailer=*Outlook*  header:List-Id
  finding:clock_skew  origin:203.0.113.0/24  via:mx.example.net
  tls:no  tls:yes  auth:dkim=fail  auth:fail
  -term  NOT term   a OR b   ( … )   terms side by side must all match
  *                       every message
A value without * ? [ is a case-insensitive substring; with them a
case-insensitive glob over the whole value. Dates are compared in UTC.
A query without body terms (body, filename, has, type, finding) reads only
header sections, which is much faster.

Examples:
  emlkit pick 'from:*@example.com has:attachment' archive.mbox
  emlkit pick 'date:2024-01.. -label:Spam' takeout.mbox | emlkit scan -L -
  emlkit pick --count 'auth:dkim=fail OR tls:no' maildir/
  emlkit pick 'type:application/pdf' archive.mbox | emlkit extract -L - -o pdfs
  emlkit pick --maildir ~/Maildir/.Invoices 'subject:invoice has:attachment' a.mbox

Exit codes: 0 something matched, 1 nothing matched, 2 a bad query or an
input that could not be read.";

/// Arguments of `emlkit pick`.
#[derive(Debug, Args)]
#[command(about = "Select messages with a search query", long_about = LONG_ABOUT, after_help = crate::cli::AFTER_HELP)]
pub struct PickArgs {
    /// The search query (see above; quote it for the shell).
    #[arg(value_name = "QUERY")]
    pub query: String,

    #[command(flatten)]
    pub input: InputArgs,

    /// Write one `listing` JSON record per matching message.
    #[arg(long, conflicts_with = "count")]
    pub json: bool,

    /// Print only the number of matching messages.
    #[arg(short = 'c', long)]
    pub count: bool,

    /// Append the matching messages to this mbox (as `convert --to mbox`
    /// does: locked, mboxrd, flags and envelope kept) instead of listing them.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["json", "count", "maildir"])]
    pub mbox: Option<std::path::PathBuf>,

    /// Deliver the matching messages into this maildir (as `convert --to
    /// maildir`) instead of listing them.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["json", "count"])]
    pub maildir: Option<std::path::PathBuf>,
}

/// Records the limit findings of a message (see: issue 14) without
/// computing every finding of every message: a header-only parse can only
/// be cut by the header limits, so the findings are computed only when the
/// header is long or a field is over-long (or the body was parsed).
pub(crate) fn note_limits(
    log: &crate::export::limits::LimitLog,
    origin: &Origin,
    msg: &Message<'_>,
    scope: Scope,
) {
    let suspicious = scope == Scope::Full
        || msg.headers().len() > 100
        || msg
            .headers()
            .iter()
            .any(|h| h.raw_value().len() > msg.limits.max_header_bytes);
    if suspicious {
        log.note(origin, msg.findings());
    }
}

/// Seconds since the epoch, now.
pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Renders a query error with a caret under the column.
pub(crate) fn query_error(q: &str, e: &crate::query::QueryError) -> anyhow::Error {
    let pad: String = q
        .chars()
        .take(e.column.saturating_sub(1))
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    anyhow::anyhow!(
        "bad query: {e}\n  {}\n  {pad}^",
        crate::term::escape(q, false)
    )
}

/// The facts a query needs besides the message.
pub(crate) fn facts<'a>(origin: &'a Origin, bytes: &[u8], now: i64) -> Facts<'a> {
    Facts {
        size: message_size(origin, bytes),
        maildir_flags: origin
            .flags
            .as_deref()
            .filter(|_| origin.format == "maildir"),
        now,
    }
}

/// Runs `emlkit pick`.
pub fn run(args: &PickArgs, style: super::Style, out: &mut dyn Write) -> Result<super::Outcome> {
    let now = now();
    let query = Query::parse(&args.query, now).map_err(|e| query_error(&args.query, &e))?;
    let limits = args.input.limits();
    let mut input = args.input.clone();
    // See: issue 13 — header-only queries never read bodies.
    let scope = if query.headers_only() {
        input.headers_only = true;
        Scope::HeadersOnly
    } else {
        Scope::Full
    };
    let json = args.json;
    // See: issue 13 — a list in a pipe, a listing for a person.
    let deliver = args.mbox.is_some() || args.maildir.is_some();
    let show = (std::io::stdout().is_terminal() && !deliver && !args.count && !json)
        .then(|| super::scan::Layout::terminal(style));
    let log = crate::export::limits::LimitLog::new();
    let work = |origin: &Origin, bytes: &[u8], buf: &mut Vec<u8>| -> Result<()> {
        let msg = Message::parse(bytes, origin.data_offset, scope, &limits)?;
        // See: issue 14 — a limit that cut the message says so.
        note_limits(&log, origin, &msg, scope);
        let facts = facts(origin, bytes, now);
        if !query.matches(&msg, &facts) {
            return Ok(());
        }
        if let Some(layout) = &show {
            let s = Summary::brief(origin, &msg, facts.size);
            buf.extend_from_slice(layout.full_line(&s, origin).as_bytes());
            return Ok(());
        }
        if json {
            let s = Summary::new(origin, &msg, facts.size);
            crate::export::write_json(buf, &ListingRec::new(origin, &s, None))?;
        } else {
            buf.extend_from_slice(&reference::of_origin(origin));
        }
        buf.push(b'\n');
        Ok(())
    };
    let mut matched = 0usize;
    // Into a mailbox: the list goes to `convert`, which seeks each message.
    let mut list: Vec<u8> = Vec::new();
    let out: &mut dyn Write = if deliver { &mut list } else { out };
    let count = args.count;
    let mut emit = |_: &Origin, buf: &[u8]| -> Result<()> {
        if !buf.is_empty() {
            matched += 1;
            if !count {
                out.write_all(buf)?;
            }
        }
        Ok(())
    };
    let mut outcome = super::batch::for_each_message_emit(&input, &work, &mut emit)?;
    log.finish();
    outcome.errored |= log.hit();
    if count {
        writeln!(out, "{matched}")?;
    }
    out.flush()?;
    outcome.nothing = matched == 0;
    if deliver && matched > 0 {
        let mut file = tempfile::NamedTempFile::new()?;
        file.write_all(&list)?;
        file.flush()?;
        let (to, output) = match (&args.mbox, &args.maildir) {
            (Some(m), _) => (super::convert::ToKind::Mbox, m.clone()),
            (None, Some(d)) => (super::convert::ToKind::Maildir, d.clone()),
            (None, None) => return Ok(outcome),
        };
        let convert = super::convert::ConvertArgs {
            input: InputArgs {
                inputs: Vec::new(),
                list: Some(file.path().to_path_buf()),
                ..args.input.clone()
            },
            to,
            output: Some(output),
            allow_duplicates: false,
            no_fsync: false,
            by_label: false,
        };
        let written = super::convert::run(&convert, &mut std::io::sink())?;
        outcome.errored |= written.errored;
    }
    Ok(outcome)
}
