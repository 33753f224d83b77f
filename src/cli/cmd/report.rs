//! `emlkit report`: a self-contained HTML report of one message (for a
//! ticket) or of a mailbox (an overview with charts). The library's
//! `report` module draws; this file reads the inputs on the batch engine
//! and writes the page. See: issue 17.

use super::info::{describe_input, InfoArgs};
use super::InputArgs;
use crate::export::limits::LimitLog;
use crate::forensics;
use crate::model;
use crate::report::{Facts, MessageReport, Overview};
use crate::source::{Input, Origin};
use anyhow::{Context, Result};
use clap::Args;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

const LONG_ABOUT: &str = "\
Writes one self-contained HTML page: no script, no external resource, a
Content-Security-Policy that forbids both, readable without JavaScript and
printable. Nothing is looked up on the network.

One message (an .eml file, stdin, a message reference such as
archive.mbox#3, or a mailbox holding one message) gives the ticket view: subject, From/To/Date, Message-ID,
origin IP, transit time, authentication verdicts as the header claims them
and, in a row of their own, as verified offline (each DKIM signature: body
hash always, the signature with --dkim-keys; the ARC chain), sender
alignment as `trace` judges it (each identity strict/relaxed/no by the
Public Suffix List, whether DMARC can align, display-name and lookalike
findings), the highest findings (anomalies first);
the delivery path as a timeline (a row per hop: from, by, with, TLS, kind;
a bar proportional to the delay, negative delays marked as skew, the trust
boundary drawn when --trust is given); the MIME tree with part ids, types,
sizes, names, sniffed types, SHA-256 and what `extract` would write;
indicators of the header and the bodies (URLs, domains, IP and e-mail
addresses, as `trace --iocs` finds them) defanged, with part id and offset,
and link_text_mismatch findings; vendor spam fields decoded (what each key
and value means); every finding with its code, severity and byte offset;
the raw header section, escaped.

More messages (an mbox, a maildir, a directory, several inputs), or
--overview, give the mailbox overview:
messages per day or week, size, delay and transit distributions, top
relays, senders and origin networks, TLS share per relay, SPF/DKIM/DMARC
pass/fail per week as claimed, DKIM signatures verified offline by result,
findings by code with their severity, each chart with its numbers as a
table; the inputs as `emlkit info` describes them; the messages with
findings listed, linked to the first --detail messages shown in full. The
numbers are those of `emlkit trace --stats` and `emlkit info`. Memory stays
bounded: counters, fixed histograms and tables capped at 50,000 keys.

Everything taken from a message is escaped for its HTML context; message
HTML is shown as escaped source, never rendered; links are shown defanged,
never clickable; control, bidi and zero-width characters appear as \\u{..}
escapes. See docs/report.md.

Exit codes: 0 ok; 2 an input or message could not be read (the report
covers the others), or the output could not be written.

Examples:
  emlkit report suspicious.eml -o ticket.html
  emlkit report --trust example.net suspicious.eml -o ticket.html
  emlkit report archive.mbox -o overview.html
  emlkit report --detail 50 ~/Maildir -r -o overview.html
  emlkit report --dkim-keys keys.zone suspicious.eml -o ticket.html
  emlkit report archive.mbox#42 > message.html";

/// Arguments of `emlkit report`.
#[derive(Debug, Args)]
#[command(
    about = "Write a self-contained HTML report of a message or a mailbox",
    long_about = LONG_ABOUT
)]
pub struct ReportArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Write the page to FILE instead of standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Mailbox report: show the first N messages in full (the rest are
    /// counted).
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub detail: usize,

    /// Always write the mailbox overview, even for a single message.
    #[arg(long)]
    pub overview: bool,

    /// Trusted receiving host (a domain matches its sub-domains) or IP
    /// address: draws the trust boundary, as `trace --trust`. Repeatable.
    #[arg(long, value_name = "DOMAIN|IP")]
    pub trust: Vec<String>,

    /// DKIM/ARC public keys as DNS TXT records in a zone file (as
    /// `trace --dkim-keys`): signatures are verified with them; without,
    /// body hashes are still checked and signatures are `no_key`.
    #[arg(long, value_name = "FILE")]
    pub dkim_keys: Option<PathBuf>,

    /// Report a step back in time only when larger than this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    pub skew_tolerance: i64,

    /// Treat this Unix time as "now" (for reproducible future_date checks).
    #[arg(long, value_name = "UNIX_SECONDS", hide = true)]
    pub now: Option<i64>,
}

/// The placeholder for a detailed message's section id, replaced once the
/// message's position is known. A NUL never survives escaping (it is shown
/// as `\u{0000}`), so the placeholder cannot come from a message.
const ID: &str = "\0ID\0";

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Runs `emlkit report`.
pub fn run(args: &ReportArgs, out: &mut dyn Write) -> Result<super::Outcome> {
    let mut opts = forensics::Options::at(args.now.unwrap_or_else(now));
    opts.trust = args.trust.clone();
    opts.skew_tolerance = args.skew_tolerance.max(0);
    if let Some(p) = &args.dkim_keys {
        opts.dkim_keys = Some(std::sync::Arc::new(super::trace::dkim_key_file(p)?));
    }
    let limits = args.input.limits();
    let log = LimitLog::new();
    let emitted = AtomicUsize::new(0);
    // A single message needs its section; a mailbox the first `detail`.
    let detail = args.detail.max(1);
    let work = |origin: &Origin, bytes: &[u8], buf: &mut Vec<u8>| -> Result<()> {
        let msg = model::Message::parse(bytes, origin.data_offset, model::Scope::Full, &limits)?;
        let t = forensics::trace(&msg, &opts);
        log.note(origin, &t.findings);
        let label = origin.label();
        let mut facts = Facts::new(&label, &msg, &t);
        // The emitter keeps sections in input order; a message needs one
        // only while fewer than `detail` messages were emitted (those
        // emitted all come before it, so none that is needed is skipped).
        if emitted.load(Ordering::Relaxed) < detail {
            let mut s = String::new();
            MessageReport::build_trusted(&label, &msg, t, &opts.trust)
                .render_section(&mut s, ID, 3);
            facts.detail = Some(s);
        }
        crate::export::write_json(buf, &facts)?;
        Ok(())
    };
    let mut overview = Overview::new(args.detail);
    let mut first: Option<(String, Option<String>)> = None;
    let mut emit = |_: &Origin, buf: &[u8]| -> Result<()> {
        let mut f: Facts = serde_json::from_slice(buf)?;
        let seq = emitted.fetch_add(1, Ordering::Relaxed);
        if seq == 0 {
            first = Some((
                f.subject.clone().unwrap_or_default(),
                f.detail.as_ref().map(|d| d.replace(ID, "m")),
            ));
        }
        f.detail = f.detail.map(|d| d.replace(ID, &format!("msg{seq}")));
        overview.add(f);
        Ok(())
    };
    let mut outcome = super::batch::for_each_message_emit(&args.input, &work, &mut emit)?;
    log.finish();
    outcome.errored |= log.hit();
    // One message, wherever it was (a file, stdin, `archive.mbox#42`, an
    // mbox of one), is a ticket: the message page.
    let single = overview.messages == 1 && !args.overview;
    let page = match (single, first) {
        (true, Some((subject, Some(section)))) => {
            crate::report::message::document(Some(&subject), &section)
        }
        _ => {
            overview.inputs = inputs(&args.input);
            overview.render()
        }
    };
    match &args.output {
        Some(p) => {
            std::fs::write(p, page.as_bytes()).with_context(|| format!("{}", p.display()))?;
        }
        None => {
            out.write_all(page.as_bytes())?;
            out.flush()?;
        }
    }
    Ok(outcome)
}

/// The inputs as `emlkit info` describes them (plain paths only: stdin was
/// read already, references name messages, not mailboxes).
fn inputs(args: &InputArgs) -> Vec<crate::export::info::SummaryRec> {
    let info = InfoArgs {
        input: args.clone(),
        json: false,
        max_findings: 0,
    };
    args.inputs
        .iter()
        .filter(|p| p.as_os_str() != "-" && p.exists())
        .filter_map(|p| describe_input(&Input::from_arg(p), &info).ok())
        .map(|v| v.rec)
        .collect()
}
