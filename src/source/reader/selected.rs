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

/// Map pages are given back this far behind the message handed out, when
/// references go forward through the file (as those emlkit writes do).
const RELEASE_LAG: usize = super::RELEASE_LAG;
const RELEASE_EVERY: usize = super::RELEASE_EVERY;

/// The messages references name in one input, handed out one at a time
/// (the file is opened once; memory stays flat as with a whole mbox).
pub(super) struct Selection {
    name: String,
    input_no: usize,
    bytes: Option<Arc<Bytes>>,
    kind: Kind,
    selects: std::vec::IntoIter<Select>,
    /// An index range being handed out: (first, last).
    range: Option<(usize, usize)>,
    /// The split position for index references.
    state: Option<mbox::SplitState>,
    next_index: usize,
    released: usize,
    /// Errors (and single messages) to hand out before anything else.
    queue: VecDeque<Result<RawMessage, ReadError>>,
}

impl Selection {
    /// Opens `input` for the references `selects`.
    pub(super) fn open(
        opts: &ReadOptions,
        input_no: usize,
        input: &Input,
        selects: Vec<Select>,
    ) -> Selection {
        let name = input.display_name();
        let mut sel = Selection {
            name: name.clone(),
            input_no,
            bytes: None,
            kind: Kind::Mbox,
            selects: Vec::new().into_iter(),
            range: None,
            state: None,
            next_index: 0,
            released: 0,
            queue: VecDeque::new(),
        };
        if let Input::Path(p) = input {
            if p.is_dir() {
                sel.queue.push_back(fail(
                    name,
                    "`#` and `@` select members of an mbox file, not of a directory",
                ));
                return sel;
            }
        }
        let bytes = match load(opts, input, &name) {
            Ok(b) => Arc::new(b),
            Err(e) => {
                sel.queue.push_back(Err(e));
                return sel;
            }
        };
        sel.kind = match opts.format {
            Some(k @ (Kind::Eml | Kind::Mbox)) => k,
            _ => crate::source::detect_bytes(&bytes),
        };
        sel.bytes = Some(bytes);
        sel.selects = selects.into_iter();
        sel
    }

    /// Gives back the map pages well behind `offset`.
    fn release(&mut self, offset: usize) {
        if let Some(bytes) = &self.bytes {
            let done = offset.saturating_sub(RELEASE_LAG);
            if done > self.released + RELEASE_EVERY {
                bytes.release(self.released, done);
                self.released = done;
            }
        }
    }

    /// The next member of the index range in progress, if any.
    fn next_in_range(&mut self) -> Option<Result<RawMessage, ReadError>> {
        let (first, last) = self.range?;
        let bytes = Arc::clone(self.bytes.as_ref()?);
        // The split state was set (or reset) when the range began.
        let state = self.state.as_mut()?;
        loop {
            match state.step(&bytes, true) {
                mbox::Step::Entry(e) => {
                    self.next_index = e.index + 1;
                    if e.index < first {
                        continue;
                    }
                    let i = e.index;
                    let offset = e.offset;
                    if i >= last {
                        self.range = None;
                    } else {
                        self.range = Some((i + 1, last));
                    }
                    let m = member(self.input_no, &self.name, &bytes, 0, e, i);
                    self.release(offset);
                    return Some(Ok(m));
                }
                mbox::Step::NeedMore | mbox::Step::Done => {
                    self.range = None;
                    let s = Select::Index { first, last };
                    return Some(fail(
                        label(&self.name, &s),
                        format!(
                            "the mbox has {} messages (indexes start at 0)",
                            self.next_index
                        ),
                    ));
                }
            }
        }
    }
}

impl Iterator for Selection {
    type Item = Result<RawMessage, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(item) = self.queue.pop_front() {
            return Some(item);
        }
        if self.range.is_some() {
            return self.next_in_range();
        }
        let s = self.selects.next()?;
        let bytes = Arc::clone(self.bytes.as_ref()?);
        if self.kind != Kind::Mbox {
            // A single message is member 0 of itself.
            return Some(if matches!(s, Select::Index { first: 0, .. }) {
                Ok(RawMessage {
                    origin: Origin {
                        path: self.name.clone(),
                        format: "eml",
                        length: bytes.len() as u64,
                        input: self.input_no,
                        ..Origin::default()
                    },
                    mbox_findings: Vec::new(),
                    data: Data::Shared(Arc::clone(&bytes), 0..bytes.len()),
                    quoted: false,
                })
            } else {
                fail(
                    label(&self.name, &s),
                    "not an mbox: a single message is only #0",
                )
            });
        }
        match s {
            Select::Index { first, last } => {
                // Going back restarts the split; going forward goes on.
                if self.next_index > first {
                    self.state = None;
                }
                if self.state.is_none() {
                    self.state = Some(mbox::SplitState::new());
                    self.next_index = 0;
                }
                self.range = Some((first, last));
                self.next_in_range()
            }
            Select::Offset { offset, index } => {
                let data: &[u8] = &bytes;
                let found = seek(data, offset).and_then(|(base, e)| {
                    let i = match index {
                        Some(i) => i,
                        None => count_index(data, offset)?,
                    };
                    Ok((base, e, i))
                });
                Some(match found {
                    Ok((base, e, i)) => {
                        let m = member(self.input_no, &self.name, &bytes, base, e, i);
                        self.release(base);
                        Ok(m)
                    }
                    Err(reason) => fail(label(&self.name, &s), reason),
                })
            }
            Select::All => self.next(),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::source::reference::parse_line;
    use crate::source::{Mailbox, ReadOptions};

    #[test]
    fn references_resolve_in_order_with_errors_in_place() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let p = dir.path().join("m.mbox");
        let mut data = Vec::new();
        for i in 0..4 {
            data.extend_from_slice(
                format!("From a Mon Jan  1 00:00:00 2024\nSubject: {i}\n\nbody\n\n").as_bytes(),
            );
        }
        std::fs::write(&p, &data).expect("written");
        let at = |i: usize| {
            let needle = format!("Subject: {i}");
            let pos = data
                .windows(needle.len())
                .position(|w| w == needle.as_bytes())
                .expect("present");
            pos - "From a Mon Jan  1 00:00:00 2024\n".len()
        };
        let lines = [
            format!("{}#2", p.display()),
            format!("{}#0-1", p.display()),
            format!("{}@{}", p.display(), at(3)),
            format!("{}@{}", p.display(), at(3) + 1),
            format!("{}#9", p.display()),
            format!("{}#1@{}", p.display(), at(1)),
        ];
        let refs = lines
            .iter()
            .map(|l| parse_line(l.as_bytes()).expect("a reference"))
            .collect();
        let got: Vec<String> = Mailbox::references(refs, ReadOptions::default())
            .map(|r| match r {
                Ok(m) => format!("{}@{}", m.origin.index, m.origin.offset),
                Err(_) => "err".to_string(),
            })
            .collect();
        let want = vec![
            format!("2@{}", at(2)),
            "0@0".to_string(),
            format!("1@{}", at(1)),
            format!("3@{}", at(3)),
            "err".to_string(),
            "err".to_string(),
            format!("1@{}", at(1)),
        ];
        assert_eq!(got, want);
    }
}
