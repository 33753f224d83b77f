//! `emlkit info`: what each input is, how many messages it holds, and the
//! mailbox-level findings (an mbox lint).

use super::{FormatArg, InputArgs};
use crate::export::info::{MboxFindingRec, SummaryRec};
use crate::source::{self, mbox, stream, Bytes, Input, Kind};
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
2 otherwise, or when --max-findings cut a finding list (the
`finding_limit` note on stderr says how many were listed).

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
    #[arg(
        long,
        value_name = "N",
        default_value_t = 100,
        help_heading = "Resource limits"
    )]
    pub max_findings: usize,
}

/// A summary record with what issue 12 adds to it: `compression` (`gzip`,
/// `bzip2`, `xz`, `zstd`) for a compressed file or stdin, and `mbox_files`
/// for a directory holding mbox files; both after the summary's own keys,
/// and only when they apply.
#[derive(serde::Serialize)]
pub struct InfoRec {
    /// The summary.
    #[serde(flatten)]
    pub rec: SummaryRec,
    #[serde(skip_serializing_if = "Option::is_none")]
    compression: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mbox_files: Option<usize>,
}

impl From<SummaryRec> for InfoRec {
    fn from(rec: SummaryRec) -> Self {
        InfoRec {
            rec,
            compression: None,
            mbox_files: None,
        }
    }
}

/// What `info` gathers about an mbox, message by message, whether the
/// messages come from a map or a stream.
#[derive(Default)]
struct MboxStats {
    count: usize,
    cl: usize,
    cl_quoted: usize,
    quoted: usize,
    rd: bool,
    crlf: usize,
    findings: Vec<MboxFindingRec>,
}

impl MboxStats {
    fn add(
        &mut self,
        index: usize,
        content_length: bool,
        crlf: bool,
        msg: &[u8],
        found: Vec<mbox::MboxFinding>,
    ) {
        self.count += 1;
        self.crlf += crlf as usize;
        let has_quoted = memchr::memmem::find(msg, b">From ").is_some();
        if content_length {
            // Content-Length messages are not unquoted (their `>From ` lines
            // are their own); quoting there is what makes mboxcl.
            self.cl += 1;
            self.cl_quoted += has_quoted as usize;
        } else if has_quoted {
            self.quoted += 1;
            self.rd |=
                msg.starts_with(b">>From ") || memchr::memmem::find(msg, b"\n>>From ").is_some();
        }
        for f in found {
            self.findings
                .push(MboxFindingRec::new(f.code, f.message, f.offset, index));
        }
    }

    fn summary(self, path: &str, bytes: u64, state: &mbox::SplitState) -> SummaryRec {
        let dialect = if self.count > 0 && self.cl == self.count {
            if self.cl_quoted > 0 {
                "mboxcl"
            } else {
                "mboxcl2"
            }
        } else if self.rd {
            "mboxrd"
        } else if self.quoted > 0 {
            "mboxo-or-mboxrd"
        } else {
            "mbox"
        };
        let endings = if self.crlf == 0 {
            "lf"
        } else if self.crlf == self.count {
            "crlf"
        } else {
            "mixed"
        };
        let mut v = SummaryRec::new(path, "mbox");
        v.dialect = Some(dialect);
        v.line_endings = Some(endings);
        v.messages = self.count;
        v.bytes = bytes;
        v.quoted_messages = Some(self.quoted);
        v.findings_count = state.findings_total();
        v.findings_by_code = Some(state.finding_counts().iter().copied().collect());
        v.findings = self.findings;
        v
    }
}

/// Describes one mbox held in `data`.
pub fn mbox_summary(path: &str, data: &Bytes, max_findings: usize) -> SummaryRec {
    let mut stats = MboxStats::default();
    let mut released = 0usize;
    // The splitter formats at most `max_findings` findings and counts the
    // rest by code. See: issue 12 (no unbounded findings).
    let mut splitter = mbox::MboxSplitter::new(data).max_findings(max_findings);
    for e in splitter.by_ref() {
        stats.add(
            e.index,
            e.content_length,
            e.crlf,
            &data[e.message.clone()],
            e.findings,
        );
        if e.next - released > (8 << 20) {
            data.release(released, e.next);
            released = e.next;
        }
    }
    stats.summary(path, data.len() as u64, splitter.state())
}

/// Describes an mbox read from a stream (stdin, a compressed file); `bytes`
/// is the decompressed size.
fn mbox_stream_summary(
    path: &str,
    opened: stream::Opened,
    args: &InfoArgs,
) -> io::Result<SummaryRec> {
    let mut stats = MboxStats::default();
    let mut s = stream::MboxStream::new(opened, args.input.max_message_bytes)
        .max_findings(args.max_findings);
    for m in s.by_ref() {
        let m = m?;
        stats.add(m.index, m.content_length, m.crlf, &m.message, m.findings);
    }
    let bytes = s.position();
    Ok(stats.summary(path, bytes, s.state()))
}

fn dir_summary(path: &str, kind: Kind, args: &InputArgs) -> io::Result<InfoRec> {
    let entries = if kind == Kind::Maildir {
        source::maildir::list_maildir(std::path::Path::new(path), args.recursive)?
    } else {
        source::maildir::list_directory(std::path::Path::new(path), args.recursive)?
    };
    if entries.is_empty() {
        // As every other command reads it (the library's Mailbox).
        return Err(io::Error::other("directory holds no message files"));
    }
    let mut bytes = 0u64;
    let mut messages = 0usize;
    let mut mboxes = 0usize;
    let mut folders: std::collections::BTreeMap<String, usize> = Default::default();
    let mut flags: std::collections::BTreeMap<char, usize> = Default::default();
    for e in &entries {
        bytes += std::fs::metadata(&e.path).map(|m| m.len()).unwrap_or(0);
        if e.kind == Kind::Mbox {
            // An mbox member counts its messages. See: issue 12.
            mboxes += 1;
            messages += match source::load(&Input::Path(e.path.clone()), args.max_input)? {
                source::Loaded::Mapped(data) => {
                    mbox::MboxSplitter::new(&data).max_findings(0).count()
                }
                // A compressed member (archive.mbox.gz) is counted as it streams.
                source::Loaded::Stream(o) => {
                    let mut n = 0;
                    for m in stream::MboxStream::new(o, args.max_message_bytes).max_findings(0) {
                        m?;
                        n += 1;
                    }
                    n
                }
            };
            continue;
        }
        messages += 1;
        if !e.folder.is_empty() {
            *folders.entry(e.folder.clone()).or_default() += 1;
        }
        for c in e.flags.as_deref().unwrap_or("").chars() {
            *flags.entry(c).or_default() += 1;
        }
    }
    let mut v = SummaryRec::new(path, kind.as_str());
    v.messages = messages;
    v.bytes = bytes;
    if kind == Kind::Maildir {
        v.folders = Some(folders);
        v.flags = Some(flags);
    }
    let mut v = InfoRec::from(v);
    v.mbox_files = (mboxes > 0).then_some(mboxes);
    Ok(v)
}

fn print_text(info: &InfoRec, out: &mut dyn Write, escape: bool) -> io::Result<()> {
    let v = &info.rec;
    let path = if escape {
        crate::term::escape(&v.path, false).into_owned()
    } else {
        v.path.clone()
    };
    let mut kind = v.kind.to_string();
    if let Some(d) = v.dialect {
        kind = format!("{kind} ({d}, {})", v.line_endings.unwrap_or(""));
    }
    if let Some(c) = info.compression {
        kind = format!("{c}-compressed {kind}");
    }
    writeln!(
        out,
        "{path}: {kind}, {}, {}, {}",
        plural(v.messages as u64, "message", "messages"),
        plural(v.bytes, "byte", "bytes"),
        plural(v.findings_count as u64, "finding", "findings")
    )?;
    if let Some(n) = info.mbox_files {
        writeln!(out, "  mbox files: {n}")?;
    }
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

/// `1 message`, `2 messages`.
fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Describes a file or stdin: an mbox (mapped or streamed) or a message,
/// with its compression.
fn describe(input: &Input, name: &str, args: &InfoArgs) -> io::Result<InfoRec> {
    let forced = args.input.format;
    let one = |bytes: usize| {
        let mut v = SummaryRec::new(name, "eml");
        v.messages = 1;
        v.bytes = bytes as u64;
        v
    };
    Ok(match source::load(input, args.input.max_input)? {
        source::Loaded::Mapped(b) => {
            // The same rule as every other command (the library's Mailbox):
            // an empty file is an empty mailbox only when it says so.
            if b.is_empty() && forced != Some(FormatArg::Mbox) && !name.ends_with(".mbox") {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "empty file: not a message (an empty mailbox is named *.mbox, or read with --format mbox)",
                ));
            }
            let kind = match forced {
                Some(FormatArg::Mbox) => Kind::Mbox,
                Some(_) => Kind::Eml,
                None => source::detect_bytes(&b),
            };
            InfoRec::from(if kind == Kind::Mbox {
                mbox_summary(name, &b, args.max_findings)
            } else {
                one(b.len())
            })
        }
        source::Loaded::Stream(opened) => {
            let compression = opened.compression;
            let is_mbox = match forced {
                Some(FormatArg::Mbox) => true,
                Some(_) => false,
                None => mbox::starts_with_from_line(&opened.head) || opened.head.is_empty(),
            };
            let mut v = InfoRec::from(if is_mbox {
                mbox_stream_summary(name, opened, args)?
            } else {
                one(opened.read_all(args.input.max_input)?.len())
            });
            // See: issue 12 (`info` reports the compression).
            v.compression = compression.map(|c| c.as_str());
            v
        }
    })
}

/// Describes one input (a file, a directory or stdin) as `info` prints it;
/// `report` uses it so that its numbers are `info`'s.
pub fn describe_input(input: &Input, args: &InfoArgs) -> io::Result<InfoRec> {
    let name = input.display_name();
    match input {
        Input::Path(p) if p.is_dir() => {
            let kind = match args.input.format {
                Some(FormatArg::Maildir) => Kind::Maildir,
                _ => source::detect_dir(p),
            };
            dir_summary(&name, kind, &args.input)
        }
        _ => describe(input, &name, args),
    }
}

/// Runs `emlkit info`.
pub fn run(args: &InfoArgs, out: &mut dyn Write) -> Result<super::Outcome> {
    let mut outcome = super::Outcome::default();
    // See: issue 13 — a list names messages; info describes mailboxes.
    if args.input.list.is_some() {
        anyhow::bail!("info describes whole mailboxes: give their paths, not a message list (-L)");
    }
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
    // A finding list cut by --max-findings is a limit, noted on stderr at
    // the end and exit code 2, as in every command (issue 14).
    let log = crate::export::limits::LimitLog::new();
    for input in inputs {
        let name = input.display_name();
        let v = describe_input(&input, args);
        match v {
            Ok(v) => {
                outcome.messages += v.rec.messages;
                let listed = v
                    .rec
                    .findings
                    .iter()
                    .filter(|f| f.code != "findings_truncated")
                    .count();
                if v.rec.findings_count > listed {
                    let mut origin = crate::source::Origin::default();
                    origin.path = name.clone();
                    let f = crate::model::Finding::new(
                        "finding_limit",
                        format!(
                            "{listed} of {} findings listed (raise --max-findings)",
                            v.rec.findings_count
                        ),
                    );
                    log.note(&origin, [&f]);
                }
                if args.json {
                    crate::export::write_json_to(out, &v)?;
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
    log.finish();
    outcome.errored |= log.hit();
    Ok(outcome)
}
