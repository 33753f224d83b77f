//! Inputs named by message references and message lists (see: issue 13,
//! item 1, and [`crate::source::reference`]): resolving the arguments and
//! `--list`, and feeding the selected members of an mbox to the engine by
//! index (one split pass per run of references to the same file) or by
//! offset (a seek: the mbox is not split again).

use super::{Data, Engine, Job, CHUNK_BYTES};
use crate::cmd::{FormatArg, InputArgs};
use crate::source::reference::{self, Reference, Select};
use crate::source::{self, mbox, Bytes, Input, Kind, Origin};
use anyhow::{Context, Result};
use std::io::{self, IsTerminal, Read};
use std::path::Path;

/// The inputs of a run, in order: each an input and, when references
/// selected members of it, the selections. Consecutive references to the
/// same file are grouped so it is opened (and split) once.
pub(super) fn resolve(args: &InputArgs) -> Result<Vec<(Input, Option<Vec<Select>>)>> {
    let mut refs: Vec<Reference> = Vec::new();
    for p in &args.inputs {
        refs.push(reference::parse_arg(p).with_context(|| p.display().to_string())?);
    }
    if let Some(list) = &args.list {
        let text = if list.as_os_str() == "-" {
            let mut v = Vec::new();
            io::stdin()
                .lock()
                .read_to_end(&mut v)
                .context("reading the message list from standard input")?;
            v
        } else {
            std::fs::read(list)
                .with_context(|| format!("reading the message list {}", list.display()))?
        };
        refs.extend(
            reference::parse_list(&text)
                .map_err(|(n, e)| anyhow::anyhow!("{}: line {n}: {e}", list.display()))?,
        );
    } else if refs.is_empty() && !io::stdin().is_terminal() {
        refs.push(Reference::all("-"));
    }
    let mut out: Vec<(Input, Option<Vec<Select>>)> = Vec::new();
    let mut last_path: Option<std::path::PathBuf> = None;
    for r in refs {
        let input = Input::from_arg(&r.path);
        if r.select == Select::All {
            out.push((input, None));
            last_path = None;
            continue;
        }
        match out.last_mut() {
            Some((_, Some(sels))) if last_path.as_deref() == Some(r.path.as_path()) => {
                sels.push(r.select)
            }
            _ => {
                out.push((input, Some(vec![r.select])));
                last_path = Some(r.path);
            }
        }
    }
    Ok(out)
}

/// The job for one mbox entry (ranges relative to `base` in `bytes`).
fn mbox_job<'a>(
    input_no: usize,
    name: &str,
    bytes: &'a [u8],
    base: usize,
    e: &mbox::MboxEntry,
    index: usize,
) -> Job<'a> {
    let message = e.message.start + base..e.message.end + base;
    let from_line = e.from_line.start + base..e.from_line.end + base;
    Job {
        origin: Origin {
            path: name.to_string(),
            format: "mbox",
            index,
            offset: (e.offset + base) as u64,
            length: (message.end - (e.offset + base)) as u64,
            data_offset: message.start as u64,
            from_line: Some(String::from_utf8_lossy(&bytes[from_line.clone()]).into_owned()),
            envelope: Some(bytes[from_line].to_vec()),
            input: input_no,
            flags: None,
            keywords: Vec::new(),
            folder: None,
        },
        // A message whose end its Content-Length decided is not quoted (as
        // in the engine's own mbox loop).
        data: Data::Slice(&bytes[message], !e.content_length),
    }
}

/// Checks that a `From_` line starts at `offset` and returns it as an entry
/// relative to `offset`.
fn seek(data: &[u8], offset: u64) -> Result<(usize, mbox::MboxEntry), String> {
    let off = usize::try_from(offset)
        .ok()
        .filter(|&o| o < data.len())
        .ok_or_else(|| format!("offset {offset} is past the end ({} bytes)", data.len()))?;
    if off > 0 && data[off - 1] != b'\n' {
        return Err(format!("offset {offset} is not at the start of a line"));
    }
    let end = memchr::memchr(b'\n', &data[off..]).map_or(data.len(), |e| off + e);
    if !mbox::is_from_line(&data[off..end]) {
        return Err(format!("no From_ line starts at offset {offset}"));
    }
    let e = mbox::MboxSplitter::new(&data[off..])
        .next()
        .ok_or_else(|| format!("no message at offset {offset}"))?;
    Ok((off, e))
}

/// The index of the member starting at `offset` (one split pass up to it).
fn count_index(data: &[u8], offset: u64) -> Result<usize, String> {
    for e in mbox::MboxSplitter::new(data) {
        if e.offset as u64 == offset {
            return Ok(e.index);
        }
        if e.offset as u64 > offset {
            break;
        }
    }
    Err(format!(
        "offset {offset} is a From_ line inside a message, not a message boundary"
    ))
}

fn label(name: &str, s: &Select) -> String {
    String::from_utf8_lossy(&reference::format(&Reference {
        path: Path::new(name).to_path_buf(),
        select: *s,
    }))
    .into_owned()
}

/// Feeds the messages `selects` names in `input` to the engine, in the
/// order given.
pub(super) fn run(
    engine: &mut Engine<'_, '_>,
    args: &InputArgs,
    input_no: usize,
    input: &Input,
    selects: &[Select],
    chunk_messages: usize,
) -> Result<()> {
    let name = input.display_name();
    if let Input::Path(p) = input {
        if p.is_dir() {
            engine.say(
                &name,
                &"`#` and `@` select members of an mbox file, not of a directory",
            );
            return Ok(());
        }
    }
    // A compressed mbox is decompressed into memory (bounded by
    // --max-input): `@OFFSET` counts in the decompressed bytes.
    let bytes = match source::load(input, args.max_input).and_then(|l| match l {
        source::Loaded::Mapped(b) => Ok(b),
        source::Loaded::Stream(o) => o.read_all(args.max_input).map(Bytes::from_vec),
    }) {
        Ok(b) => b,
        Err(e) => {
            engine.say(&name, &e);
            return Ok(());
        }
    };
    let kind = match args.format {
        Some(FormatArg::Eml) => Kind::Eml,
        Some(FormatArg::Mbox) => Kind::Mbox,
        _ => source::detect_bytes(&bytes),
    };
    let mut chunk: Vec<Job<'_>> = Vec::new();
    if kind != Kind::Mbox {
        // A single message is member 0 of itself.
        for s in selects {
            if matches!(s, Select::Index { first: 0, .. }) {
                chunk.push(Job {
                    origin: Origin {
                        path: name.clone(),
                        format: "eml",
                        length: bytes.len() as u64,
                        input: input_no,
                        ..Origin::default()
                    },
                    data: Data::Slice(&bytes, false),
                });
            } else {
                engine.say(
                    &label(&name, s),
                    &"not an mbox: a single message is only #0",
                );
            }
        }
        return engine.flush(&mut chunk);
    }
    let data: &[u8] = &bytes;
    let mut chunk_bytes = 0usize;
    let mut split: Option<mbox::MboxSplitter<'_>> = None;
    let mut next_index = 0usize;
    for s in selects {
        match *s {
            Select::All => {}
            Select::Index { first, last } => {
                if split.is_none() || first < next_index {
                    split = Some(mbox::MboxSplitter::new(data));
                    next_index = 0;
                }
                let mut reached = false;
                if let Some(sp) = split.as_mut() {
                    for e in sp.by_ref() {
                        next_index = e.index + 1;
                        if e.index < first {
                            continue;
                        }
                        chunk_bytes += e.message.len();
                        chunk.push(mbox_job(input_no, &name, data, 0, &e, e.index));
                        if chunk.len() >= chunk_messages || chunk_bytes >= CHUNK_BYTES {
                            engine.flush(&mut chunk)?;
                            chunk_bytes = 0;
                        }
                        if e.index >= last {
                            reached = true;
                            break;
                        }
                    }
                }
                if !reached {
                    engine.say(
                        &label(&name, s),
                        &format!("the mbox has {next_index} messages (indexes start at 0)"),
                    );
                }
            }
            Select::Offset { offset, index } => {
                let found = seek(data, offset).and_then(|(base, e)| {
                    let i = match index {
                        Some(i) => i,
                        None => count_index(data, offset)?,
                    };
                    Ok((base, e, i))
                });
                match found {
                    Ok((base, e, i)) => {
                        chunk_bytes += e.message.len();
                        chunk.push(mbox_job(input_no, &name, data, base, &e, i));
                    }
                    Err(reason) => engine.say(&label(&name, s), &reason),
                }
            }
        }
        if chunk.len() >= chunk_messages || chunk_bytes >= CHUNK_BYTES {
            engine.flush(&mut chunk)?;
            chunk_bytes = 0;
        }
    }
    engine.flush(&mut chunk)
}
