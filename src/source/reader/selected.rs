//! Messages named by references (see: issue 13, item 1, and
//! [`crate::source::reference`]): the members of an mbox by index (one split
//! pass per run of references into the same file) or by offset (a seek: the
//! mbox is not split again).

use super::{read_file, Data, RawMessage, ReadError, ReadOptions, Source};
use crate::source::reference::{self, Reference, Select};
use crate::source::{mbox, stream, Bytes, Input, Kind, Origin};
use std::collections::VecDeque;
use std::path::Path;
use std::sync::Arc;

/// The sources of a list of references: a plain path is an input as
/// always; consecutive references with selectors into the same path are
/// one source, so the file is opened (and split) once.
pub(super) fn sources(refs: Vec<Reference>) -> Vec<Source> {
    let mut out: Vec<Source> = Vec::new();
    let mut last: Option<std::path::PathBuf> = None;
    for r in refs {
        let input = Input::from_arg(&r.path);
        if r.select == Select::All {
            out.push(Source::Input(input));
            last = None;
            continue;
        }
        match out.last_mut() {
            Some(Source::Selected(_, sels)) if last.as_deref() == Some(r.path.as_path()) => {
                sels.push(r.select)
            }
            _ => {
                out.push(Source::Selected(input, vec![r.select]));
                last = Some(r.path);
            }
        }
    }
    out
}

fn label(name: &str, s: &Select) -> String {
    String::from_utf8_lossy(&reference::format(&Reference {
        path: Path::new(name).to_path_buf(),
        select: *s,
    }))
    .into_owned()
}

fn fail(path: String, reason: impl Into<String>) -> Result<RawMessage, ReadError> {
    Err(ReadError::Input {
        path,
        reason: reason.into(),
    })
}

/// The message of one mbox entry (ranges relative to `base`).
fn member(
    input: usize,
    name: &str,
    bytes: &Arc<Bytes>,
    base: usize,
    e: mbox::MboxEntry,
    index: usize,
) -> RawMessage {
    let message = e.message.start + base..e.message.end + base;
    let from_line = e.from_line.start + base..e.from_line.end + base;
    let offset = e.offset + base;
    RawMessage {
        origin: Origin {
            path: name.to_string(),
            format: "mbox",
            index,
            offset: offset as u64,
            length: (message.end - offset) as u64,
            data_offset: message.start as u64,
            from_line: Some(String::from_utf8_lossy(&bytes[from_line.clone()]).into_owned()),
            envelope: Some(bytes[from_line].to_vec()),
            input,
            ..Origin::default()
        },
        mbox_findings: e.findings,
        // A message whose end its Content-Length decided is not quoted.
        quoted: !e.content_length,
        data: Data::Shared(Arc::clone(bytes), message),
    }
}

/// Checks that a `From_` line starts at `offset` and splits the one
/// message there (entry ranges relative to the offset).
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

/// Reads the whole input: mapped (or read) and decompressed when it is
/// compressed; stdin read to its end (bounded by `max_input`).
fn load(opts: &ReadOptions, input: &Input, name: &str) -> Result<Bytes, ReadError> {
    let io = |e| ReadError::Io {
        path: name.to_string(),
        source: e,
    };
    match input {
        Input::Path(p) => read_file(p, opts.max_input, opts.mmap).map_err(io),
        Input::Stdin => {
            let opened = stream::open(Box::new(std::io::stdin())).map_err(io)?;
            opened
                .read_all(opts.max_input)
                .map(Bytes::from_vec)
                .map_err(io)
        }
    }
}

/// The messages `selects` name in `input`, in the order given, each a
/// message or the error that says why the reference names none.
pub(super) fn resolve(
    opts: &ReadOptions,
    input_no: usize,
    input: &Input,
    selects: &[Select],
) -> VecDeque<Result<RawMessage, ReadError>> {
    let name = input.display_name();
    let mut out = VecDeque::new();
    if let Input::Path(p) = input {
        if p.is_dir() {
            out.push_back(fail(
                name,
                "`#` and `@` select members of an mbox file, not of a directory",
            ));
            return out;
        }
    }
    let bytes = match load(opts, input, &name) {
        Ok(b) => Arc::new(b),
        Err(e) => {
            out.push_back(Err(e));
            return out;
        }
    };
    let kind = match opts.format {
        Some(k @ (Kind::Eml | Kind::Mbox)) => k,
        _ => crate::source::detect_bytes(&bytes),
    };
    if kind != Kind::Mbox {
        // A single message is member 0 of itself.
        for s in selects {
            if matches!(s, Select::Index { first: 0, .. }) {
                out.push_back(Ok(RawMessage {
                    origin: Origin {
                        path: name.clone(),
                        format: "eml",
                        length: bytes.len() as u64,
                        input: input_no,
                        ..Origin::default()
                    },
                    mbox_findings: Vec::new(),
                    data: Data::Shared(Arc::clone(&bytes), 0..bytes.len()),
                    quoted: false,
                }));
            } else {
                out.push_back(fail(
                    label(&name, s),
                    "not an mbox: a single message is only #0",
                ));
            }
        }
        return out;
    }
    let data: &[u8] = &bytes;
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
                        let i = e.index;
                        out.push_back(Ok(member(input_no, &name, &bytes, 0, e, i)));
                        if i >= last {
                            reached = true;
                            break;
                        }
                    }
                }
                if !reached {
                    out.push_back(fail(
                        label(&name, s),
                        format!("the mbox has {next_index} messages (indexes start at 0)"),
                    ));
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
                out.push_back(match found {
                    Ok((base, e, i)) => Ok(member(input_no, &name, &bytes, base, e, i)),
                    Err(reason) => fail(label(&name, s), reason),
                });
            }
        }
    }
    out
}
