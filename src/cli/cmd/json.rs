//! `emlkit json`: one JSON object per message per line.

use super::InputArgs;
use crate::export::iocs;
use crate::export::json::{message_record, JsonOptions};
use crate::export::limits::LimitLog;
use crate::model::{Message, Scope};
use crate::source::Origin;
use anyhow::Result;
use clap::Args;
use std::io::Write;

const LONG_ABOUT: &str = "\
Writes one JSON object per message, one per line (JSON Lines), for jq, DuckDB
or Spark: where the message came from, every header field in order (raw and
decoded, with its byte offset), the common fields decoded (addresses, subject,
date, ids), Received headers parsed, Resent-* blocks, the part tree,
attachments with SHA-256, the text and HTML bodies, and findings.

The schema is documented in docs/json.md; every record has \"type\": \"message\"
and a \"version\".

Examples:
  emlkit json message.eml | jq .subject
  emlkit json --no-body archive.mbox > archive.jsonl
  emlkit json --iocs --no-body phish.eml | jq '.iocs.indicators[].value'";

/// Arguments of `emlkit json`.
#[derive(Debug, Args)]
#[command(about = "Export messages as JSON Lines", long_about = LONG_ABOUT, after_help = crate::cli::AFTER_HELP)]
pub struct JsonArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Leave out the decoded text and HTML bodies.
    #[arg(long)]
    pub no_body: bool,

    /// Add each part's decoded bytes as base64 `content` (for
    /// `emlkit build --spec`; records get as large as the messages).
    #[arg(long)]
    pub with_content: bool,

    /// Add an `iocs` section: the URLs, domains, IP and e-mail addresses of
    /// the header fields and bodies, with part, offset and count (see
    /// docs/json.md).
    #[arg(long)]
    pub iocs: bool,

    /// With --iocs: write the indicators defanged (hxxp://, example[.]com).
    #[arg(long, requires = "iocs")]
    pub defang: bool,

    /// Pretty-print (one object over several lines; not JSON Lines).
    #[arg(long)]
    pub pretty: bool,
}

/// Runs `emlkit json`.
pub fn run(args: &JsonArgs, out: &mut dyn Write) -> Result<super::Outcome> {
    let mut opts = JsonOptions::default();
    opts.no_body = args.no_body;
    opts.with_content = args.with_content;
    opts.limits = args.input.limits();
    let pretty = args.pretty;
    let log = LimitLog::new();
    let work = |origin: &Origin, bytes: &[u8], buf: &mut Vec<u8>| -> Result<()> {
        let msg = Message::parse(bytes, origin.data_offset, Scope::Full, &opts.limits)?;
        // The record first: it decodes every part once (bodies, sizes,
        // hashes), which also tells the findings whether each transfer
        // encoding was clean, so they decode nothing again.
        let v = message_record(origin, &msg, &opts);
        log.note(origin, msg.findings());
        if args.iocs {
            let iocs = crate::forensics::iocs::extract(&msg);
            log.note(origin, &iocs.findings);
            let rec = iocs::record(&iocs, args.defang, true);
            write(buf, &iocs::WithIocs::new(v, rec), pretty)?;
        } else {
            write(buf, &v, pretty)?;
        }
        buf.push(b'\n');
        Ok(())
    };
    let mut outcome = super::for_each_message(&args.input, out, &work)?;
    log.finish();
    outcome.errored |= log.hit();
    Ok(outcome)
}

fn write(buf: &mut Vec<u8>, v: &impl serde::Serialize, pretty: bool) -> Result<()> {
    if pretty {
        serde_json::to_writer_pretty(&mut *buf, v)?;
    } else {
        crate::export::write_json(buf, v)?;
    }
    Ok(())
}
