//! `emlkit build`: compose a message from flags or from a JSON spec.
// Argument docs are clap help text, where `[x]` means optional, not a link.
#![allow(rustdoc::broken_intra_doc_links)]

use crate::build::{self, compose, spec, WriteOptions};
use anyhow::{Context, Result};
use clap::Args;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// The long help of `emlkit build` (also set on the subcommand, where the
/// variant's doc comment would otherwise replace it).
pub const LONG_ABOUT: &str = "\
Composes an RFC 5322 message from flags or from a JSON spec and writes it to
stdout, a file, an mbox (mboxrd, appended) or a maildir (tmp/ then new/).

From flags: text and HTML become multipart/alternative, --inline images make
multipart/related with the HTML, attachments and attached messages make
multipart/mixed, --digest makes a multipart/digest. Date defaults to now and
Message-ID is generated on the From domain; MIME-Version is always written.

From a spec (--spec FILE or -): a JSON object with the field names of the
`json` export, so that `emlkit json msg.eml | emlkit build --spec -` rebuilds
the message (see docs/build.md for what is kept and what is regenerated).
Several specs (JSON Lines, one per message) need --mbox or --maildir.

Non-ASCII header text is RFC 2047-encoded, non-ASCII file names RFC 2231 (with
an RFC 2047 name= for old clients); lines fold at 78 and never exceed 998;
each part gets 7bit, quoted-printable or base64 by its content so its bytes
survive exactly; lines end in CRLF (LF with --lf). A CR, LF or NUL in any
value, an invalid field name or an address that does not parse is an error
that names the field, and nothing is written.

Examples:
  emlkit build --from 'Ann <ann@example.com>' --to bob@example.org \\
      --subject 'Résumé' --text body.txt --attach report.pdf > msg.eml
  emlkit build --from a@example.com --to b@example.com --html page.html \\
      --inline 'logo.png;cid=logo@example.com' --maildir ~/Maildir
  emlkit json msg.eml | emlkit build --spec - -o copy.eml
  emlkit json archive.mbox | emlkit build --spec - --mbox copy.mbox

Exit status: 0 written, 2 refused or failed (nothing written for that message).";

/// Arguments of `emlkit build`.
#[derive(Debug, Args)]
#[command(about = "Compose a message from flags or a JSON spec", long_about = LONG_ABOUT)]
pub struct BuildArgs {
    /// From: one or more addresses ('Name <a@example.com>, b@example.com').
    #[arg(long, value_name = "ADDRS")]
    pub from: Option<String>,
    /// To (repeatable; each may hold a comma-separated list).
    #[arg(long, value_name = "ADDRS")]
    pub to: Vec<String>,
    /// Cc (repeatable).
    #[arg(long, value_name = "ADDRS")]
    pub cc: Vec<String>,
    /// Bcc (repeatable). Written into the message: strip it before sending if
    /// recipients must not see it.
    #[arg(long, value_name = "ADDRS")]
    pub bcc: Vec<String>,
    /// Reply-To (repeatable).
    #[arg(long, value_name = "ADDRS")]
    pub reply_to: Vec<String>,
    /// Sender: exactly one address.
    #[arg(long, value_name = "ADDR")]
    pub sender: Option<String>,
    /// Subject (any Unicode; encoded as RFC 2047 when needed).
    #[arg(long, value_name = "TEXT")]
    pub subject: Option<String>,
    /// Date: RFC 5322, RFC 3339 or seconds since 1970 [default: now].
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    /// Message-ID [default: generated on the From domain].
    #[arg(long, value_name = "ID")]
    pub message_id: Option<String>,
    /// In-Reply-To: one or more message ids.
    #[arg(long, value_name = "IDS")]
    pub in_reply_to: Option<String>,
    /// References: one or more message ids.
    #[arg(long, value_name = "IDS")]
    pub references: Option<String>,
    /// An extra header field 'Name: value' (repeatable; value is text,
    /// RFC 2047-encoded when needed).
    #[arg(long = "header", short = 'H', value_name = "'NAME: VALUE'")]
    pub headers: Vec<String>,
    /// The plain-text body, UTF-8, from a file or - for stdin.
    #[arg(long, value_name = "FILE")]
    pub text: Option<PathBuf>,
    /// The HTML body, UTF-8, from a file or - for stdin.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Attach a file: FILE[;type=TYPE][;name=NAME] (repeatable; `;;` is a
    /// literal `;`).
    #[arg(long, value_name = "FILE[;type=T][;name=N]")]
    pub attach: Vec<String>,
    /// An inline part referenced from the HTML as cid:ID:
    /// FILE[;cid=ID][;type=TYPE][;name=NAME] (Content-ID defaults to the
    /// file name).
    #[arg(long, value_name = "FILE[;cid=ID]")]
    pub inline: Vec<String>,
    /// Attach a message file as message/rfc822 (repeatable).
    #[arg(long, value_name = "FILE.eml")]
    pub attach_message: Vec<PathBuf>,
    /// Build a multipart/digest of these messages.
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub digest: Vec<PathBuf>,

    /// Build from a JSON spec (the `json` export's field names), FILE or -.
    #[arg(long, value_name = "FILE", conflicts_with_all = [
        "from", "to", "cc", "bcc", "reply_to", "sender", "subject", "date",
        "message_id", "in_reply_to", "references", "headers", "text", "html",
        "attach", "inline", "attach_message", "digest"])]
    pub spec: Option<PathBuf>,
    /// Refuse to read files named inside a spec (`path` fields and the
    /// `source` message); only inline content is used.
    #[arg(long, requires = "spec")]
    pub no_files: bool,

    /// LF line endings instead of CRLF.
    #[arg(long, conflicts_with = "crlf")]
    pub lf: bool,
    /// CRLF line endings even when a spec's source message used LF (by
    /// default a spec is rebuilt with its source's line endings, when the
    /// source can be read; otherwise CRLF).
    #[arg(long)]
    pub crlf: bool,
    /// Write to FILE instead of stdout (replaced if it exists).
    #[arg(short = 'o', long, value_name = "FILE", group = "dest")]
    pub output: Option<PathBuf>,
    /// Append to an mbox file (mboxrd quoting, LF endings; created if missing).
    #[arg(long, value_name = "FILE", group = "dest")]
    pub mbox: Option<PathBuf>,
    /// Deliver into a maildir (tmp/ then new/, LF endings; created if missing).
    /// The file name written is printed on stdout.
    #[arg(long, value_name = "DIR", group = "dest")]
    pub maildir: Option<PathBuf>,
}

fn read_input(flag: &str, p: &Path, stdin_used: &mut bool) -> Result<Vec<u8>> {
    if p == Path::new("-") {
        if *stdin_used {
            anyhow::bail!("{flag}: standard input is already used by another option");
        }
        *stdin_used = true;
        let mut b = Vec::new();
        std::io::stdin()
            .lock()
            .take(1 << 30)
            .read_to_end(&mut b)
            .with_context(|| format!("{flag}: reading standard input"))?;
        return Ok(b);
    }
    std::fs::read(p).with_context(|| format!("{flag}: {}", p.display()))
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Runs `emlkit build`.
pub fn run(args: &BuildArgs, out: &mut dyn Write) -> Result<super::Outcome> {
    let now = now();
    let mut stdin_used = false;
    if let Some(sp) = &args.spec {
        return run_specs(args, sp, now, out);
    }
    let lf = args.lf;
    let draft = {
        let mut fi = compose::FlagInput {
            from: args.from.clone(),
            sender: args.sender.clone(),
            reply_to: args.reply_to.clone(),
            to: args.to.clone(),
            cc: args.cc.clone(),
            bcc: args.bcc.clone(),
            subject: args.subject.clone(),
            date: args.date.clone(),
            message_id: args.message_id.clone(),
            in_reply_to: args.in_reply_to.clone(),
            references: args.references.clone(),
            headers: args.headers.clone(),
            now,
            lf,
            ..Default::default()
        };
        if let Some(p) = &args.text {
            fi.text = Some(read_input("--text", p, &mut stdin_used)?);
        }
        if let Some(p) = &args.html {
            fi.html = Some(read_input("--html", p, &mut stdin_used)?);
        }
        for a in &args.attach {
            let fa = compose::parse_file_arg("--attach", a)?;
            let b = read_input("--attach", Path::new(&fa.path), &mut stdin_used)?;
            fi.attach.push((fa, b));
        }
        for a in &args.inline {
            let fa = compose::parse_file_arg("--inline", a)?;
            let b = read_input("--inline", Path::new(&fa.path), &mut stdin_used)?;
            fi.inline.push((fa, b));
        }
        for p in &args.attach_message {
            let b = read_input("--attach-message", p, &mut stdin_used)?;
            fi.attach_message.push((p.display().to_string(), b));
        }
        for p in &args.digest {
            let b = read_input("--digest", p, &mut stdin_used)?;
            fi.digest.push((p.display().to_string(), b));
        }
        compose::from_flags(fi)?
    };
    let msg = compose::write(&draft, WriteOptions { lf })?;
    deliver(args, &draft, &msg, now, out)?;
    Ok(super::Outcome {
        messages: 1,
        ..super::Outcome::default()
    })
}

/// `--spec`: one JSON object, or several (JSON Lines, as `emlkit json`
/// writes for a mailbox), each built into a message. Several need `--mbox`
/// or `--maildir`; a spec that fails is reported and skipped.
fn run_specs(args: &BuildArgs, sp: &Path, now: i64, out: &mut dyn Write) -> Result<super::Outcome> {
    let mut stdin_used = false;
    let bytes = read_input("--spec", sp, &mut stdin_used)?;
    let values: Vec<serde_json::Value> = serde_json::Deserializer::from_slice(&bytes)
        .into_iter()
        .collect::<Result<_, _>>()
        .with_context(|| format!("--spec {}: not valid JSON", sp.display()))?;
    if values.is_empty() {
        anyhow::bail!("--spec {}: no JSON object", sp.display());
    }
    if values.len() > 1 && args.mbox.is_none() && args.maildir.is_none() {
        anyhow::bail!(
            "--spec {}: {} specs; write several messages with --mbox or --maildir",
            sp.display(),
            values.len()
        );
    }
    let base_dir = if sp == Path::new("-") {
        PathBuf::from(".")
    } else {
        sp.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."))
    };
    let mut outcome = super::Outcome::default();
    for (i, v) in values.iter().enumerate() {
        let mut ctx = spec::SpecContext {
            base_dir: base_dir.clone(),
            allow_files: !args.no_files,
            now,
            lf: args.lf,
        };
        if !args.lf && !args.crlf {
            ctx.lf = spec::line_ending(v, &ctx).unwrap_or(false);
        }
        let built = spec::from_json(v, &ctx)
            .and_then(|d| compose::write(&d, WriteOptions { lf: ctx.lf }).map(|m| (d, m)));
        match built {
            Ok((draft, msg)) => {
                deliver(args, &draft, &msg, now, out)?;
                outcome.messages += 1;
            }
            Err(e) if values.len() == 1 => return Err(e.into()),
            Err(e) => {
                outcome.errored = true;
                super::report(&format!("--spec {}#{i}", sp.display()), &e);
            }
        }
    }
    Ok(outcome)
}

/// Writes one built message where the options say.
fn deliver(
    args: &BuildArgs,
    draft: &build::Draft,
    msg: &[u8],
    now: i64,
    out: &mut dyn Write,
) -> Result<()> {
    if let Some(p) = &args.output {
        std::fs::write(p, msg).with_context(|| format!("-o {}", p.display()))?;
    } else if let Some(p) = &args.mbox {
        let sender = envelope_sender(draft);
        let asctime = chrono::DateTime::from_timestamp(now, 0)
            .map(|d| d.format("%a %b %e %H:%M:%S %Y").to_string())
            .unwrap_or_else(|| "Thu Jan  1 00:00:00 1970".into());
        // mbox and maildir files are LF on Unix; the shared writers add the
        // mboxrd quoting and never clobber.
        let lf = compose::crlf_to_lf(msg);
        let from_line = format!("From {sender} {asctime}");
        crate::sink::MboxWriter::open(p)
            .and_then(|mut w| {
                w.write(from_line.as_bytes(), &lf)?;
                w.finish()
            })
            .with_context(|| format!("--mbox {}", p.display()))?;
    } else if let Some(d) = &args.maildir {
        let lf = compose::crlf_to_lf(msg);
        let written = crate::sink::Maildir::create(d)
            .and_then(|mut m| m.deliver(&lf, None))
            .with_context(|| format!("--maildir {}", d.display()))?;
        writeln!(out, "{}", written.display())?;
    } else {
        out.write_all(msg)?;
    }
    Ok(())
}

/// The envelope sender for an mbox `From ` line: the first From address.
fn envelope_sender(d: &build::Draft) -> String {
    d.fields
        .iter()
        .find(|f| f.name.eq_ignore_ascii_case("from"))
        .and_then(|f| match &f.value {
            build::FieldValue::Addresses(l) => l.iter().find(|m| !m.address.is_empty()),
            _ => None,
        })
        .map(|m| m.address.clone())
        .unwrap_or_else(|| "MAILER-DAEMON".into())
}
