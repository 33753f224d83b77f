//! `emlkit extract`: write attachments to files, safely.

use super::{report, InputArgs, Outcome, Style};
use crate::export::extract::{Digests, FileRec};
use crate::export::json::{FindingRec, SourceRec};
use crate::export::limits::LimitLog;
use crate::extract::writer::SafeWriter;
use crate::extract::{self, name, Options};
use crate::model;
use crate::source::Origin;
use anyhow::{bail, Context, Result};
use clap::Args;
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

const LONG_ABOUT: &str = "\
Writes the attachments of each message into DIR, decoded: the bytes the
sender attached (base64, quoted-printable and uuencode undone; no charset
conversion), so their hashes match the original files.

Selected by default: parts with disposition attachment, parts with a file
name, attached messages (written as .eml), non-text leaves that are not the
body, uuencoded blocks in text bodies and the files inside winmail.dat
(TNEF). Inline images need --inline; --all writes every leaf, bodies too.
--part, --type and --name choose among every part instead.

Names come from filename*, filename, name* and name (RFC 2231 / 2047
decoded) and are made safe: only the last path component, no control, bidi
or zero-width characters, no leading dot or dash, no Windows device names,
at most 200 bytes; a nameless part is part-<id>.<ext>. Files are created new
inside DIR and never through a symbolic link; a name already taken gets a
number: `report (2).pdf`. Nothing is ever overwritten.

Layout: a single message's files go into DIR. For a mailbox (mbox, maildir,
directory of messages), each message gets a sub-folder named by its index
(0, 1, …; the same index as in `path#index` diagnostics), created only when
it has files. With several inputs, each input gets a sub-folder named after
its file name first. The parts of an attached message go into a sub-folder
named after its .eml file without the extension. --flat writes everything
into DIR itself; colliding names are numbered in input order, the same for
every -j.

Exit codes: 0 every selected part was written; 1 nothing matched the
selection; 2 a selected part could not be written, an input could not be
read (the other messages are still extracted), or a limit cut a message
(more than --max-parts parts, deeper than --max-depth, …: a `part_limit`,
`depth_limit`, … finding, on stderr and in the --json manifest).

Examples:
  emlkit extract message.eml -o out
  emlkit extract archive.mbox -o out --type 'image/*' --json > manifest.jsonl
  emlkit extract message.eml --part 2 -O - | sha256sum";

/// Arguments of `emlkit extract`.
#[derive(Debug, Args)]
#[command(about = "Write attachments to files, safely", long_about = LONG_ABOUT)]
pub struct ExtractArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Output directory (created if missing).
    #[arg(short = 'o', long = "output", value_name = "DIR", default_value = ".")]
    pub output: PathBuf,

    /// Write the one selected part to standard output (`-O -`) instead of files.
    #[arg(short = 'O', value_name = "-", conflicts_with_all = ["json", "flat"])]
    pub stdout: Option<String>,

    /// Every leaf part, bodies included (implies --recurse).
    #[arg(short = 'a', long)]
    pub all: bool,

    /// Also inline images (image/* shown inside the HTML body).
    #[arg(long)]
    pub inline: bool,

    /// Also extract the parts of attached messages, into a sub-folder each.
    #[arg(short = 'R', long)]
    pub recurse: bool,

    /// Only this part id, as `tree` shows it (repeatable); derived files are
    /// `<id>:uuN` and `<id>:tnefN`.
    #[arg(short = 'p', long = "part", value_name = "ID")]
    pub parts: Vec<String>,

    /// Only parts whose content type matches this glob (repeatable), e.g. 'image/*'.
    #[arg(short = 't', long = "type", value_name = "GLOB")]
    pub types: Vec<String>,

    /// Only parts whose file name matches this glob, case-insensitive (repeatable).
    #[arg(short = 'n', long = "name", value_name = "GLOB")]
    pub names: Vec<String>,

    /// No per-message or per-input sub-folders: every file goes into DIR.
    #[arg(long)]
    pub flat: bool,

    /// Print one JSON record per file written (the manifest) instead of paths.
    #[arg(long)]
    pub json: bool,

    /// Digests in the `--json` manifest, comma-separated: any of sha256,
    /// sha1, md5 (default: sha256). Each costs a pass of its own over the
    /// bytes; `--digest sha256,sha1,md5` gives all three, as some forensic
    /// tools expect.
    #[arg(
        long,
        value_name = "LIST",
        value_delimiter = ',',
        default_value = "sha256"
    )]
    pub digest: Vec<DigestKind>,

    /// Print nothing on stdout; the exit code tells.
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

/// A digest of the `--json` manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DigestKind {
    /// SHA-256.
    Sha256,
    /// SHA-1.
    Sha1,
    /// MD5.
    Md5,
}

fn globs(pats: &[String], case_insensitive: bool, what: &str) -> Result<Option<GlobSet>> {
    if pats.is_empty() {
        return Ok(None);
    }
    let mut b = GlobSetBuilder::new();
    for p in pats {
        let g = GlobBuilder::new(p)
            .case_insensitive(case_insensitive)
            .literal_separator(false)
            .build()
            .with_context(|| format!("bad {what} glob {p:?}"))?;
        b.add(g);
    }
    Ok(Some(b.build()?))
}

/// Counters shared across messages.
#[derive(Default)]
struct State {
    selected: usize,
    written: usize,
    failed: usize,
    to_stdout_done: bool,
    partials: extract::partial::Partials,
}

/// Where the files of one message go, created on first use.
struct MessageDirs<'w> {
    root: &'w SafeWriter,
    sub: Option<String>,
    base: Option<SafeWriter>,
    folders: extract::Folders,
}

impl<'w> MessageDirs<'w> {
    fn base(&mut self) -> Result<&SafeWriter> {
        if self.base.is_none() {
            if let Some(s) = &self.sub {
                self.base = Some(self.root.subdir(s)?.0);
            }
        }
        Ok(self.base.as_ref().unwrap_or(self.root))
    }
}

/// Runs `emlkit extract`.
pub fn run(args: &ExtractArgs, style: Style, out: &mut dyn Write) -> Result<Outcome> {
    let to_stdout = match args.stdout.as_deref() {
        None => false,
        Some("-") => true,
        Some(o) => bail!("-O takes only '-' (standard output), not {o:?}; use -o DIR for files"),
    };
    // Attachment bytes are attacker-controlled: raw to a terminal they can
    // carry escape sequences. See: STYLE.md habit 6.
    if to_stdout && style.escape {
        bail!("-O -: standard output is a terminal; redirect it (> file, | less) or use -o DIR");
    }
    let mut opts = Options::default();
    opts.all = args.all;
    opts.inline = args.inline;
    opts.recurse = args.recurse;
    opts.parts = args.parts.clone();
    opts.types = globs(&args.types, true, "--type")?;
    opts.names = globs(&args.names, true, "--name")?;
    let state = Mutex::new(State::default());
    let mut total = Outcome::default();
    // Each input separately, so that each can get its own sub-folder.
    let inputs: Vec<Option<PathBuf>> = if args.input.inputs.is_empty() {
        vec![None]
    } else {
        args.input.inputs.iter().cloned().map(Some).collect()
    };
    let several = inputs.len() > 1;
    check_part_ids(&args.parts)?;
    let root = if to_stdout {
        None
    } else {
        super::need_directory("-o", &args.output)?;
        Some(SafeWriter::open(&args.output)?)
    };
    let mut input_dirs: HashMap<String, usize> = HashMap::new();
    let log = LimitLog::new();
    for input in &inputs {
        let mut one = args.input.clone();
        one.inputs = input.iter().cloned().collect();
        one.no_progress |= args.quiet;
        if root.is_none() {
            // -O -: "the first selected part" must mean the first in input
            // order, not the first a worker thread reaches.
            one.jobs = Some(1);
        }
        // The input's own folder is created when its first file is written.
        let input_name = match (&root, several && !args.flat) {
            (Some(_), true) => {
                let base = input
                    .as_deref()
                    .and_then(Path::file_name)
                    .map(|n| n.to_string_lossy().into_owned())
                    .and_then(|n| name::safe_name(&n))
                    .unwrap_or_else(|| "stdin".to_string());
                let n = input_dirs.entry(base.clone()).or_insert(0);
                *n += 1;
                Some(if *n == 1 {
                    base
                } else {
                    name::numbered(&base, *n as u32)
                })
            }
            _ => None,
        };
        let input_dir = Mutex::new(None);
        let dirs = Dirs {
            top: root.as_ref(),
            input_name: input_name.as_deref(),
            input: &input_dir,
        };
        let work = |origin: &Origin, bytes: &[u8], buf: &mut Vec<u8>| -> Result<()> {
            let parsed = model::Message::parse(
                bytes,
                origin.data_offset,
                model::Scope::Full,
                &args.input.limits(),
            )?;
            log.note(origin, parsed.findings());
            missing_parts(&args.parts, &parsed, origin);
            extract_message(args, &opts, style, dirs, &state, origin, &parsed, buf)
        };
        // Input order: files a worker left under temporary names (--flat
        // over a mailbox) get their names here, message by message.
        let mut emit = |origin: &Origin, buf: &[u8]| -> Result<()> {
            // Only --flat defers (and -O - conflicts with it): other output,
            // such as an attachment written to stdout, may hold NUL bytes.
            let split = if args.flat {
                buf.iter().position(|&b| b == 0)
            } else {
                None
            };
            match split {
                Some(nul) => {
                    out.write_all(&buf[..nul])?;
                    let files: Vec<Deferred> = serde_json::from_slice(&buf[nul + 1..])?;
                    let (written, failed) = adopt_all(args, style, dirs, origin, files, &mut *out)?;
                    let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
                    st.written += written;
                    st.failed += failed;
                }
                None => out.write_all(buf)?,
            }
            Ok(())
        };
        let o = super::batch::for_each_message_emit(&one, &work, &mut emit)?;
        out.flush()?;
        total.errored |= o.errored;
        total.messages += o.messages;
    }
    log.finish();
    total.errored |= log.hit();
    let st = state.into_inner().unwrap_or_else(|e| e.into_inner());
    if st.failed > 0 {
        total.errored = true;
    }
    if to_stdout && st.selected > 1 {
        report(
            "-O -",
            &format!(
                "{} parts matched; only the first was written (narrow with --part)",
                st.selected
            ),
        );
        total.errored = true;
    }
    if st.selected == 0 && !total.errored {
        total.nothing = true;
    }
    Ok(total)
}

/// What a part id looks like: `tree`'s ids (`1`, `2.1.3`, `0` for a
/// multipart root), or a derived file's `<id>:uuN` / `<id>:tnefN`.
fn check_part_ids(ids: &[String]) -> Result<()> {
    let numbers = |s: &str| {
        !s.is_empty()
            && s.split('.')
                .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    };
    for id in ids {
        let (base, derived) = match id.split_once(':') {
            Some((b, d)) => (b, Some(d)),
            None => (id.as_str(), None),
        };
        let derived_ok = derived.is_none_or(|d| {
            ["uu", "tnef"].iter().any(|k| {
                d.strip_prefix(k)
                    .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            })
        });
        if !numbers(base) || !derived_ok {
            bail!(
                "--part {id:?}: not a part id (a part id is what `emlkit tree` shows: 1, 2.1, \
                 0 for a multipart root; 1:uu1 or 3:tnef2 for a file inside a part)"
            );
        }
    }
    Ok(())
}

/// Reports the `--part` ids this message does not have, with those it has.
fn missing_parts(ids: &[String], tree: &model::Message<'_>, origin: &Origin) {
    for id in ids {
        let base = id.split(':').next().unwrap_or(id);
        if tree.parts.iter().any(|p| p.id == base) {
            continue;
        }
        const SHOWN: usize = 40;
        let mut have: Vec<&str> = tree
            .parts
            .iter()
            .take(SHOWN)
            .map(|p| p.id.as_str())
            .collect();
        if tree.parts.len() > SHOWN {
            have.push("…");
        }
        report(
            &origin.label(),
            &format!(
                "--part {id}: no such part (this message has parts {}; `emlkit tree` shows them)",
                have.join(", ")
            ),
        );
    }
}

/// A file a worker wrote under a temporary name in the shared folder of
/// `--flat`, named in input order by [`adopt_all`].
#[derive(serde::Serialize, serde::Deserialize)]
struct Deferred {
    /// Its temporary name in the input's folder.
    temp: String,
    /// The name it should get.
    name: String,
    /// The part id, for messages.
    part: String,
    /// The manifest record (path still empty) with --json.
    record: Option<String>,
}

/// Names the files of one message that a worker left under temporary names
/// (`--flat` over a mailbox), in the order the message planned them, and
/// writes their paths or manifest records. Runs in input order, on the
/// thread that writes the output: the names do not depend on `-j`, and no
/// lock is held while a worker writes a file. See: issue 14.
fn adopt_all(
    args: &ExtractArgs,
    style: Style,
    dirs: Dirs<'_>,
    origin: &Origin,
    files: Vec<Deferred>,
    out: &mut dyn Write,
) -> Result<(usize, usize)> {
    let (mut written, mut failed) = (0, 0);
    let Some(root) = dirs.input()? else {
        return Ok((0, 0));
    };
    for f in files {
        match root.adopt(&f.temp, &f.name) {
            Ok(used) => {
                written += 1;
                let path = root.path().join(used);
                if let Some(rec) = f.record {
                    let mut v: serde_json::Value = serde_json::from_str(&rec)?;
                    v["path"] = serde_json::Value::String(path.display().to_string());
                    crate::export::write_json_to(out, &v)?;
                    out.write_all(b"\n")?;
                } else if !args.quiet {
                    writeln!(out, "{}", style.safe(&path.display().to_string()))?;
                }
            }
            Err(e) => {
                failed += 1;
                report(
                    &origin.label(),
                    &format!("part {}: not written: {}", f.part, super::chain_of(&e)),
                );
            }
        }
    }
    Ok((written, failed))
}

/// The output folders of one input: DIR itself, and the folder of this
/// input (DIR, or DIR/<input name> with several inputs). None for `-O -`.
#[derive(Clone, Copy)]
struct Dirs<'w> {
    top: Option<&'w SafeWriter>,
    input_name: Option<&'w str>,
    input: &'w Mutex<Option<SafeWriter>>,
}

impl Dirs<'_> {
    /// The input's folder, created on first use; None for `-O -`.
    fn input(&self) -> Result<Option<SafeWriter>> {
        let Some(top) = self.top else {
            return Ok(None);
        };
        let mut g = self.input.lock().unwrap_or_else(|e| e.into_inner());
        if g.is_none() {
            *g = Some(match self.input_name {
                Some(n) => top.subdir(n)?.0,
                None => top.clone(),
            });
        }
        Ok(g.clone())
    }
}

/// Plans and writes the files of one parsed message.
#[allow(clippy::too_many_arguments)]
fn extract_message(
    args: &ExtractArgs,
    opts: &Options,
    style: Style,
    out_dirs: Dirs<'_>,
    state: &Mutex<State>,
    origin: &Origin,
    tree: &model::Message<'_>,
    buf: &mut Vec<u8>,
) -> Result<()> {
    let plan = extract::plan(tree, opts);
    let src = args.json.then(|| SourceRec::new(origin));
    // The manifest carries the message's findings (the one list every
    // command reports), then those of the extraction that concern no file.
    let message_findings: &[model::Finding] = if args.json { tree.findings() } else { &[] };
    if let Some(src) = &src {
        for f in message_findings.iter().chain(&plan.findings) {
            crate::export::write_json(buf, &FindingRec::new(f, src))?;
            buf.push(b'\n');
        }
    }
    let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
    st.selected += plan.items.len();
    // message/partial: collect, and write the message once it is whole.
    // See: issue 4 (legacy content, reassembly bonus).
    let mut complete: Vec<(String, Vec<u8>)> = Vec::new();
    let reassemble = out_dirs.top.is_some()
        && (opts.parts.is_empty() && opts.types.is_none() && opts.names.is_none());
    if reassemble {
        for p in tree
            .parts
            .iter()
            .filter(|p| p.depth == 0 && p.content_type == "message/partial")
        {
            let get = |k: &str| {
                p.params
                    .iter()
                    .find(|x| x.name == k)
                    .map(|x| x.value.trim().to_string())
            };
            let (Some(id), Some(number)) =
                (get("id"), get("number").and_then(|n| n.parse::<u32>().ok()))
            else {
                continue;
            };
            let total = get("total").and_then(|n| n.parse::<u32>().ok());
            match st.partials.add(&id, number, total, p.raw_body()) {
                extract::partial::Added::Complete(whole) => {
                    st.selected += 1;
                    complete.push((id.clone(), whole));
                }
                extract::partial::Added::Refused(why) => {
                    report(
                        &origin.label(),
                        &format!("message/partial {id:?} fragment {number} not kept: {why}"),
                    );
                }
                extract::partial::Added::Pending => {}
                // A future kind of result: nothing to write for it.
                _ => {}
            }
        }
    }
    if out_dirs.top.is_none() {
        // -O -: the first selected part only.
        if let Some(item) = plan.items.first() {
            if !st.to_stdout_done {
                st.to_stdout_done = true;
                buf.extend_from_slice(&item.data);
            }
        }
        return Ok(());
    }
    drop(st);
    // Written after the shared state is unlocked: no lock during I/O.
    // See: issue 14.
    for (id, whole) in complete {
        let name = name::with_eml(
            &name::safe_name(&format!("partial-{id}")).unwrap_or_else(|| "partial".into()),
        );
        let Some(top) = out_dirs.top else { continue };
        match top.write_file(&name, &whole) {
            Ok(used) => {
                state.lock().unwrap_or_else(|e| e.into_inner()).written += 1;
                let path = top.path().join(used);
                if args.quiet {
                } else if let Some(src) = &src {
                    let item = extract::Item {
                            id: "partial".into(),
                            index: 0,
                            messages: Vec::new(),
                            content_type: "message/rfc822".into(),
                            sniffed: None,
                            candidates: Vec::new(),
                            raw_name: None,
                            name,
                            data: std::borrow::Cow::Borrowed(&whole),
                            findings: vec![model::Finding::new(
                                "message_partial_reassembled",
                                format!("message/partial id {id:?} reassembled from its fragments; this record's source is the last fragment"),
                            )],
                        };
                    crate::export::write_json(
                        buf,
                        &manifest(src, &item, &path, &args.digest, &[]),
                    )?;
                    buf.push(b'\n');
                } else {
                    writeln!(buf, "{}", style.safe(&path.display().to_string()))?;
                }
            }
            Err(e) => {
                state.lock().unwrap_or_else(|e| e.into_inner()).failed += 1;
                report(
                    &origin.label(),
                    &format!(
                        "reassembled message/partial {id:?}: not written: {}",
                        super::chain_of(&e)
                    ),
                );
            }
        }
    }
    if plan.items.is_empty() {
        return Ok(());
    }
    let Some(root) = out_dirs.input()? else {
        return Ok(());
    };
    let mailbox = origin.format != "eml";
    let mut dirs = MessageDirs {
        root: &root,
        sub: (mailbox && !args.flat).then(|| origin.index.to_string()),
        base: None,
        folders: extract::Folders::default(),
    };
    let label = origin.label();
    // An attached message is written whole, and with --recurse each level
    // of nesting holds the next: output could grow as depth × size. Each
    // message may write at most 8× its own size (at least 256 MiB); past
    // that the rest is reported and the run ends with exit 2.
    let budget = (tree.raw.len() as u64).saturating_mul(8).max(256 << 20);
    let mut spent = 0u64;
    // --flat over a mailbox: every message writes into one folder, so a
    // name depends on the messages before it. Workers write under
    // temporary names; the files are named in input order when the output
    // is written (see `adopt_all`). See: issue 14.
    let deferred = args.flat && mailbox;
    let mut later: Vec<Deferred> = Vec::new();
    for (n, item) in plan.items.iter().enumerate() {
        spent = spent.saturating_add(item.data.len() as u64);
        if spent > budget {
            let left = plan.items.len() - n;
            state.lock().unwrap_or_else(|e| e.into_inner()).failed += left;
            report(
                &label,
                &format!(
                    "output limit: {left} more part(s) not written (this message may write at most {budget} bytes, 8 times its size; extract fewer parts with --part or without --recurse)"
                ),
            );
            break;
        }
        if deferred {
            match root.write_temp(&item.data) {
                Ok(temp) => {
                    let record = match &src {
                        Some(src) if !args.quiet => Some(serde_json::to_string(&manifest(
                            src,
                            item,
                            Path::new(""),
                            &args.digest,
                            message_findings,
                        ))?),
                        _ => None,
                    };
                    later.push(Deferred {
                        temp,
                        name: item.name.clone(),
                        part: item.id.clone(),
                        record,
                    });
                }
                Err(e) => {
                    state.lock().unwrap_or_else(|e| e.into_inner()).failed += 1;
                    report(
                        &label,
                        &format!("part {}: not written: {}", item.id, super::chain_of(&e)),
                    );
                }
            }
            continue;
        }
        let written = write_item(args, tree, &mut dirs, item);
        let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
        match written {
            Ok(path) => {
                st.written += 1;
                drop(st);
                if args.quiet {
                    continue;
                }
                if let Some(src) = &src {
                    let rec = manifest(src, item, &path, &args.digest, message_findings);
                    crate::export::write_json(buf, &rec)?;
                    buf.push(b'\n');
                } else {
                    writeln!(buf, "{}", style.safe(&path.display().to_string()))?;
                }
            }
            Err(e) => {
                st.failed += 1;
                drop(st);
                report(
                    &label,
                    &format!("part {}: not written: {}", item.id, super::chain(&e)),
                );
            }
        }
    }
    if !later.is_empty() {
        // Output text and JSON never hold a NUL byte: it separates them
        // from the files still to be named (see the emit in `run`).
        buf.push(0);
        crate::export::write_json(buf, &later)?;
    }
    Ok(())
}

fn write_item(
    args: &ExtractArgs,
    tree: &model::Message<'_>,
    dirs: &mut MessageDirs<'_>,
    item: &extract::Item<'_>,
) -> Result<PathBuf> {
    let base: SafeWriter = dirs.base()?.clone();
    Ok(extract::write_item(
        &base,
        tree,
        &mut dirs.folders,
        item,
        args.flat,
    )?)
}

fn manifest<'a>(
    src: &'a SourceRec<'a>,
    item: &'a extract::Item<'_>,
    path: &Path,
    digests: &[DigestKind],
    message_findings: &'a [model::Finding],
) -> FileRec<'a> {
    // Digests not asked for are left out of the record, not null.
    let digests = Digests::of(
        &item.data,
        digests.contains(&DigestKind::Sha256),
        digests.contains(&DigestKind::Sha1),
        digests.contains(&DigestKind::Md5),
    );
    FileRec::new(src, item, path, digests, message_findings)
}
