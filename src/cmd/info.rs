//! `emlkit info`: what each input is, how many messages it holds, and the
//! mailbox-level findings (an mbox lint).

use super::{FormatArg, InputArgs};
use crate::export::info::{MboxFindingRec, SummaryRec};
use crate::source::{self, mbox, Bytes, Input, Kind};
use anyhow::Result;
use clap::Args;
use std::io::{self, IsTerminal, Write};

const LONG_ABOUT: &str = "\
Tells, for each input, its kind (eml, mbox and its dialect, maildir,
directory), how many messages it holds, its size in bytes, and the
mailbox-level findings: From_ lines without a blank line before them,
`From ` lines that are not separators (kept as body text), `From - ` style
separators, Content-Length headers that lie, a missing final newline. Every
finding has the byte offset where it is. Messages are not parsed, so this
runs at the speed of the disk.

Dialects: mboxcl2/mboxcl (every message has a Content-Length that holds),
mboxrd (`>>From ` quoting seen), mboxo-or-mboxrd (only `>From ` seen), mbox
(no quoting seen: the dialects cannot be told apart).

Exit status: 0 when every input could be read (findings do not change it),
2 otherwise.

Examples:
  emlkit info archive.mbox
  emlkit info --json ~/Maildir -r | jq .messages";

/// Arguments of `emlkit info`.
#[derive(Debug, Args)]
#[command(about = "Describe mailboxes: kind, dialect, count, findings", long_about = LONG_ABOUT)]
pub struct InfoArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// One JSON object per input: {"type":"summary",…}.
    #[arg(long)]
    pub json: bool,

    /// Most findings listed per input (the count is always complete).
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub max_findings: usize,
}

/// Describes one mbox held in `data`.
pub fn mbox_summary(path: &str, data: &Bytes, max_findings: usize) -> SummaryRec {
    let mut count = 0usize;
    let (mut cl, mut quoted, mut rd, mut crlf) = (0usize, 0usize, false, 0usize);
    let mut findings = Vec::new();
    let mut nfind = 0usize;
    let mut by_code: std::collections::BTreeMap<&str, usize> = Default::default();
    let mut released = 0usize;
    for e in mbox::MboxSplitter::new(data) {
        count += 1;
        cl += e.content_length as usize;
        crlf += e.crlf as usize;
        if e.has_quoted_from(data) {
            quoted += 1;
            let m = &data[e.message.clone()];
            rd |= m.starts_with(b">>From ") || memchr::memmem::find(m, b"\n>>From ").is_some();
        }
        for f in e.findings {
            nfind += 1;
            *by_code.entry(f.code).or_default() += 1;
            if findings.len() < max_findings {
                findings.push(MboxFindingRec::new(f.code, f.message, f.offset, e.index));
            }
        }
        if e.next - released > (8 << 20) {
            data.release(released, e.next);
            released = e.next;
        }
    }
    let dialect = if count > 0 && cl == count {
        if quoted > 0 {
            "mboxcl"
        } else {
            "mboxcl2"
        }
    } else if rd {
        "mboxrd"
    } else if quoted > 0 {
        "mboxo-or-mboxrd"
    } else {
        "mbox"
    };
    let endings = if crlf == 0 {
        "lf"
    } else if crlf == count {
        "crlf"
    } else {
        "mixed"
    };
    let mut v = SummaryRec::new(path, "mbox");
    v.dialect = Some(dialect);
    v.line_endings = Some(endings);
    v.messages = count;
    v.bytes = data.len() as u64;
    v.quoted_messages = Some(quoted);
    v.findings_count = nfind;
    v.findings_by_code = Some(by_code);
    v.findings = findings;
    v
}

fn dir_summary(path: &str, kind: Kind, args: &InputArgs) -> io::Result<SummaryRec> {
    let entries = if kind == Kind::Maildir {
        source::maildir::list_maildir(std::path::Path::new(path), args.recursive)?
    } else {
        source::maildir::list_directory(std::path::Path::new(path), args.recursive)?
    };
    let mut bytes = 0u64;
    let mut folders: std::collections::BTreeMap<String, usize> = Default::default();
    let mut flags: std::collections::BTreeMap<char, usize> = Default::default();
    for e in &entries {
        bytes += std::fs::metadata(&e.path).map(|m| m.len()).unwrap_or(0);
        if !e.folder.is_empty() {
            *folders.entry(e.folder.clone()).or_default() += 1;
        }
        for c in e.flags.as_deref().unwrap_or("").chars() {
            *flags.entry(c).or_default() += 1;
        }
    }
    let mut v = SummaryRec::new(path, kind.as_str());
    v.messages = entries.len();
    v.bytes = bytes;
    if kind == Kind::Maildir {
        v.folders = Some(folders);
        v.flags = Some(flags);
    }
    Ok(v)
}

fn print_text(v: &SummaryRec, out: &mut dyn Write, escape: bool) -> io::Result<()> {
    let path = if escape {
        crate::term::escape(&v.path, false).into_owned()
    } else {
        v.path.clone()
    };
    let mut kind = v.kind.to_string();
    if let Some(d) = v.dialect {
        kind = format!("{kind} ({d}, {})", v.line_endings.unwrap_or(""));
    }
    writeln!(
        out,
        "{path}: {kind}, {} messages, {} bytes, {} findings",
        v.messages, v.bytes, v.findings_count
    )?;
    if let Some(m) = &v.folders {
        for (k, n) in m {
            writeln!(out, "  folder {k}: {n}")?;
        }
    }
    if let Some(m) = v.flags.as_ref().filter(|m| !m.is_empty()) {
        let list: Vec<String> = m.iter().map(|(k, n)| format!("{k} {n}")).collect();
        writeln!(out, "  flags: {}", list.join(", "))?;
    }
    for f in &v.findings {
        let msg = if escape {
            crate::term::escape(&f.message, false).into_owned()
        } else {
            f.message.clone()
        };
        writeln!(
            out,
            "  {} at offset {} (message {}): {msg}",
            f.code, f.offset, f.index
        )?;
    }
    Ok(())
}

/// Runs `emlkit info`.
pub fn run(args: &InfoArgs, out: &mut dyn Write) -> Result<super::Outcome> {
    let mut outcome = super::Outcome::default();
    let inputs: Vec<Input> = if args.input.inputs.is_empty() {
        if io::stdin().is_terminal() {
            anyhow::bail!("no input: give a path, or pipe a mailbox into stdin (see --help)");
        }
        vec![Input::Stdin]
    } else {
        args.input
            .inputs
            .iter()
            .map(|p| Input::from_arg(p))
            .collect()
    };
    let escape = io::stdout().is_terminal();
    for input in inputs {
        let name = input.display_name();
        let v = match &input {
            Input::Path(p) if p.is_dir() => {
                let kind = match args.input.format {
                    Some(FormatArg::Maildir) => Kind::Maildir,
                    _ => source::detect_dir(p),
                };
                dir_summary(&name, kind, &args.input)
            }
            _ => {
                let b = match &input {
                    Input::Stdin => Bytes::stdin(args.input.max_input),
                    Input::Path(p) => Bytes::open(p, args.input.max_input),
                };
                b.map(|b| {
                    let kind = match args.input.format {
                        Some(FormatArg::Mbox) => Kind::Mbox,
                        Some(_) => Kind::Eml,
                        None => source::detect_bytes(&b),
                    };
                    if kind == Kind::Mbox {
                        mbox_summary(&name, &b, args.max_findings)
                    } else {
                        let mut v = SummaryRec::new(&name, "eml");
                        v.messages = 1;
                        v.bytes = b.len() as u64;
                        v
                    }
                })
            }
        };
        match v {
            Ok(v) => {
                outcome.messages += v.messages;
                if args.json {
                    serde_json::to_writer(&mut *out, &v)?;
                    out.write_all(b"\n")?;
                } else {
                    print_text(&v, out, escape)?;
                }
            }
            Err(e) => {
                outcome.errored = true;
                super::report(&name, &e);
            }
        }
    }
    Ok(outcome)
}
