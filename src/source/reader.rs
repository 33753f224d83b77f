//! Messages from anywhere, for a library user: [`Mailbox`] opens a path (a
//! message file, an mbox, a maildir, a directory of any of these, plain or
//! compressed), stdin, a reader or bytes, and iterates its messages as
//! [`RawMessage`]s that carry their [`Origin`].
//!
//! ```
//! use emlkit::model::{Limits, Message, Scope};
//! use emlkit::source::Mailbox;
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mbox = b"From a@example.com Mon Jan  1 00:00:00 2024\nSubject: one\n\nhi\n\nFrom b@example.com Mon Jan  1 00:00:01 2024\nSubject: two\n\nho\n";
//! let mut subjects = Vec::new();
//! for raw in Mailbox::from_bytes(mbox.to_vec(), "inline.mbox") {
//!     let raw = raw?;
//!     let bytes = raw.bytes()?;
//!     let msg = Message::parse(&bytes, raw.origin.data_offset, Scope::HeadersOnly, &Limits::default())?;
//!     subjects.push((raw.origin.index, msg.subject()));
//! }
//! assert_eq!(subjects, [(0, Some("one".into())), (1, Some("two".into()))]);
//! # Ok(())
//! # }
//! ```

mod selected;

use super::bytes::Bytes;
use super::mbox::{self, MboxFinding, SplitState, Step};
use super::stream::{self, MboxStream};
use super::{maildir, Input, Kind, Origin};
use std::borrow::Cow;
use std::io::Read;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Whether files are memory-mapped.
///
/// Reading is the default: a file that another program changes while it is
/// mapped (a mail client compacting an mbox) makes the mapped read fault
/// (SIGBUS). Mapping is zero-copy and is what the command line uses for
/// files it is given; choose it where nothing rewrites the files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum MmapChoice {
    /// Read files into memory. This is the default.
    #[default]
    Never,
    /// Map regular, uncompressed files.
    Auto,
}

/// `K/N`: the K-th (1-based) of N parts of every input, cut at message
/// boundaries, so that N workers (or machines) share one mailbox. An mbox
/// is cut by bytes (a message belongs to the part its `From_` line starts
/// in), a maildir or directory by file, a single message belongs to part 1;
/// a stream cannot be cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Shard {
    /// Which part, 1..=n.
    pub k: u64,
    /// How many parts.
    pub n: u64,
}

impl std::str::FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Shard, String> {
        let (k, n) = s
            .split_once('/')
            .ok_or_else(|| format!("`{s}` is not K/N (for example 2/8)"))?;
        let k: u64 = k
            .trim()
            .parse()
            .map_err(|_| format!("`{k}` is not a number"))?;
        let n: u64 = n
            .trim()
            .parse()
            .map_err(|_| format!("`{n}` is not a number"))?;
        if n == 0 || k == 0 || k > n {
            return Err(format!("need 1 <= K <= N, got {k}/{n}"));
        }
        Ok(Shard { k, n })
    }
}

impl Shard {
    /// The byte (or item) range `[start, end)` of this shard out of `len`.
    pub fn range(&self, len: u64) -> (u64, u64) {
        let at = |i: u64| ((len as u128 * i as u128) / self.n as u128) as u64;
        (at(self.k - 1), at(self.k))
    }
}

/// How inputs are read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReadOptions {
    /// The input kind; None detects it (a directory with `cur/` and `new/`
    /// is a maildir, a file whose first line is a `From ` line an mbox,
    /// anything else one message).
    pub format: Option<Kind>,
    /// Walk maildir folders (Maildir++) and sub-directories.
    /// This is disabled by default.
    pub recursive: bool,
    /// Largest input read whole from a pipe or a compressed file that is
    /// not an mbox (default 1 GiB).
    pub max_input: u64,
    /// Largest message of an mbox stream (default 2 GiB): a stream is split
    /// as it arrives, and only each message is held.
    pub max_message: u64,
    /// Memory maps or reads (default: reads).
    pub mmap: MmapChoice,
    /// Only this part of every input (see [`Shard`]); None reads all.
    pub shard: Option<Shard>,
    /// Counts the bytes read from streamed inputs (compressed files,
    /// pipes) before decompression; None counts nothing. See
    /// [`stream::ByteCounter`].
    pub stream_bytes: Option<stream::ByteCounter>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            format: None,
            recursive: false,
            max_input: 1 << 30,
            max_message: 1 << 31,
            mmap: MmapChoice::Never,
            shard: None,
            stream_bytes: None,
        }
    }
}

impl ReadOptions {
    /// Sets the input kind (see [`ReadOptions::format`]).
    pub fn format(mut self, kind: Option<Kind>) -> Self {
        self.format = kind;
        self
    }

    /// Walks sub-folders (see [`ReadOptions::recursive`]).
    pub fn recursive(mut self, yes: bool) -> Self {
        self.recursive = yes;
        self
    }

    /// Chooses memory maps or reads (see [`MmapChoice`]).
    pub fn mmap(mut self, choice: MmapChoice) -> Self {
        self.mmap = choice;
        self
    }

    /// Counts the bytes read from streamed inputs (see
    /// [`ReadOptions::stream_bytes`]).
    pub fn count_stream_bytes(mut self, counter: Option<stream::ByteCounter>) -> Self {
        self.stream_bytes = counter;
        self
    }

    /// Reads only one part of every input (see [`Shard`]).
    pub fn shard(mut self, shard: Option<Shard>) -> Self {
        self.shard = shard;
        self
    }

    /// Sets the largest input read whole and the largest message of a
    /// stream (see the fields).
    pub fn max_sizes(mut self, max_input: u64, max_message: u64) -> Self {
        self.max_input = max_input;
        self.max_message = max_message;
        self
    }
}

/// Why an input or a message could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The input could not be opened or read.
    #[error("{path}: {source}")]
    Io {
        /// The input (or the member of a directory).
        path: String,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// The input is not something emlkit reads.
    #[error("{path}: {reason}")]
    Input {
        /// The input.
        path: String,
        /// What is wrong, and what to do.
        reason: String,
    },
}

impl ReadError {
    fn io(path: &str, source: std::io::Error) -> ReadError {
        ReadError::Io {
            path: path.to_string(),
            source,
        }
    }
}

enum Data {
    /// A range of a shared map or buffer (an mbox member or a whole file).
    Shared(Arc<Bytes>, Range<usize>),
    /// A message read from a stream.
    Owned(Vec<u8>),
    /// A file of a maildir or directory, read when asked for.
    File(PathBuf, u64, MmapChoice),
}

/// One message, not parsed yet, with where it came from.
#[non_exhaustive]
pub struct RawMessage {
    /// Where the message came from: path, index, offsets, `From_` line,
    /// maildir flags and keywords.
    pub origin: Origin,
    /// What the mbox reader noticed about this record (a `From_` line
    /// without a blank line before it, a lying Content-Length, …).
    pub mbox_findings: Vec<MboxFinding>,
    data: Data,
    /// Still mboxrd-quoted (`>From ` lines to undo).
    quoted: bool,
}

impl RawMessage {
    /// The message bytes, with mbox quoting undone. Borrowed from the
    /// mailbox where nothing had to change; a maildir file is read here,
    /// so that parallel workers share the reading.
    pub fn bytes(&self) -> Result<Cow<'_, [u8]>, ReadError> {
        let b: Cow<'_, [u8]> = match &self.data {
            Data::Shared(bytes, r) => Cow::Borrowed(&bytes[r.clone()]),
            Data::Owned(v) => Cow::Borrowed(v.as_slice()),
            Data::File(p, max, mmap) => {
                let name = p.display().to_string();
                let bytes = read_file(p, *max, *mmap).map_err(|e| ReadError::io(&name, e))?;
                Cow::Owned(bytes.to_vec())
            }
        };
        if !self.quoted {
            return Ok(b);
        }
        Ok(match b {
            Cow::Borrowed(s) => mbox::unquote(s),
            Cow::Owned(v) => Cow::Owned(mbox::unquote(&v).into_owned()),
        })
    }

    /// The message bytes like [`bytes`](Self::bytes), with `scratch` as the
    /// buffer for what must be copied (quoting undone, a maildir file read):
    /// a worker that passes the same buffer for every message allocates
    /// once, not once per message. See: issue 10 (speed).
    pub fn bytes_in<'s>(&'s self, scratch: &'s mut Vec<u8>) -> Result<&'s [u8], ReadError> {
        let src: &[u8] = match &self.data {
            Data::Shared(bytes, r) => &bytes[r.clone()],
            Data::Owned(v) => v.as_slice(),
            Data::File(p, max, mmap) => {
                let name = p.display().to_string();
                let bytes = read_file(p, *max, *mmap).map_err(|e| ReadError::io(&name, e))?;
                if self.quoted {
                    let mut tmp = std::mem::take(scratch);
                    if !mbox::unquote_into(&bytes, &mut tmp) {
                        tmp.clear();
                        tmp.extend_from_slice(&bytes);
                    }
                    *scratch = tmp;
                } else {
                    scratch.clear();
                    scratch.extend_from_slice(&bytes);
                }
                return Ok(scratch.as_slice());
            }
        };
        if self.quoted && mbox::unquote_into(src, scratch) {
            Ok(scratch.as_slice())
        } else {
            Ok(src)
        }
    }

    /// The header section alone (up to and including the empty line that
    /// ends it), with mbox quoting undone: for header-only work, which then
    /// never scans or copies the body.
    pub fn header_bytes(&self) -> Result<Cow<'_, [u8]>, ReadError> {
        Ok(self.header_section()?.0)
    }

    /// The header section (as [`RawMessage::header_bytes`]) and the size of
    /// the whole message in bytes. A maildir file is not read whole: only
    /// its first kilobytes, up to the end of the header section (see:
    /// issue 13, `scan` against `mscan`), unless it is compressed.
    pub fn header_section(&self) -> Result<(Cow<'_, [u8]>, u64), ReadError> {
        let (b, size): (Cow<'_, [u8]>, u64) = match &self.data {
            Data::Shared(bytes, r) => (
                Cow::Borrowed(crate::model::header_block(&bytes[r.clone()])),
                r.len() as u64,
            ),
            Data::Owned(v) => (Cow::Borrowed(crate::model::header_block(v)), v.len() as u64),
            Data::File(p, max, _) => {
                let name = p.display().to_string();
                let (mut head, size) =
                    super::head::read_head(p, *max).map_err(|e| ReadError::io(&name, e))?;
                if stream::Compression::detect(&head[..head.len().min(8)]).is_some() {
                    let whole = self.bytes()?.into_owned();
                    let size = whole.len() as u64;
                    let n = crate::model::header_block(&whole).len();
                    let mut v = whole;
                    v.truncate(n);
                    return Ok((Cow::Owned(v), size));
                }
                let n = crate::model::header_block(&head).len();
                head.truncate(n);
                (Cow::Owned(head), size)
            }
        };
        if !self.quoted {
            return Ok((b, size));
        }
        Ok(match b {
            Cow::Borrowed(s) => (mbox::unquote(s), size),
            Cow::Owned(v) => (Cow::Owned(mbox::unquote(&v).into_owned()), size),
        })
    }

    /// The number of bytes of the record, before unquoting (a maildir file
    /// counts 0 until read).
    pub fn len(&self) -> usize {
        match &self.data {
            Data::Shared(_, r) => r.len(),
            Data::Owned(v) => v.len(),
            Data::File(..) => 0,
        }
    }

    /// Whether the record holds no bytes (see [`RawMessage::len`]).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Reads a file (decompressing it when compressed) as the choice says.
fn read_file(path: &Path, max: u64, mmap: MmapChoice) -> std::io::Result<Bytes> {
    let bytes = match mmap {
        MmapChoice::Auto => Bytes::open(path, max)?,
        MmapChoice::Never => Bytes::from_vec(std::fs::read(path)?),
    };
    if stream::Compression::detect(&bytes[..bytes.len().min(8)]).is_none() {
        return Ok(bytes);
    }
    let opened = stream::open(std::io::Cursor::new(bytes.to_vec()))?;
    Ok(Bytes::from_vec(opened.read_all(max)?))
}

/// Map pages are released in steps of this many bytes,
const RELEASE_EVERY: usize = 8 << 20;
/// this far behind the message being handed out.
const RELEASE_LAG: usize = 24 << 20;

/// Where the iteration stands inside one input.
enum Cursor {
    /// An mbox in memory, split in place.
    Mapped {
        bytes: Arc<Bytes>,
        state: Box<SplitState>,
        name: String,
        input: usize,
        /// Messages whose `From_` line starts in `[lo, hi)` (a shard).
        lo: u64,
        hi: u64,
        /// Map pages before this offset were given back to the kernel.
        released: usize,
    },
    /// An mbox read as it arrives.
    Stream {
        stream: Box<MboxStream>,
        name: String,
        input: usize,
    },
    /// The files of a maildir or directory.
    Files {
        entries: std::vec::IntoIter<maildir::MaildirEntry>,
        kind: Kind,
        index: usize,
        input: usize,
        /// Entries in `[lo, hi)` (a shard).
        lo: u64,
        hi: u64,
    },
    /// One message, not handed out yet.
    One(Option<Box<RawMessage>>),
    /// Members of one input named by references.
    Selected(Box<selected::Selection>),
}

/// The messages of one or more inputs, in input order. See the module
/// documentation for an example.
///
/// An input that cannot be read yields one `Err` and the iteration goes on
/// with the next input; a damaged compressed stream yields the messages
/// before the damage, then the error.
#[non_exhaustive]
pub struct Mailbox {
    pending: std::collections::VecDeque<(usize, Source)>,
    stack: Vec<Cursor>,
    opts: ReadOptions,
}

enum Source {
    Input(Input),
    /// Members of one mbox named by references (`PATH#N`, `PATH@OFFSET`).
    Selected(Input, Vec<super::reference::Select>),
    Bytes(Vec<u8>, String),
    Reader(Box<dyn Read + Send>, String),
}

impl Mailbox {
    /// Opens one path (`-` is stdin) with the default [`ReadOptions`].
    pub fn open(path: impl AsRef<Path>) -> Mailbox {
        Mailbox::open_with(path, ReadOptions::default())
    }

    /// Opens one path with options.
    pub fn open_with(path: impl AsRef<Path>, opts: ReadOptions) -> Mailbox {
        Mailbox::inputs(vec![Input::from_arg(path.as_ref())], opts)
    }

    /// Reads several inputs in order (the command line's positional
    /// arguments).
    pub fn inputs(inputs: Vec<Input>, opts: ReadOptions) -> Mailbox {
        Mailbox {
            pending: inputs.into_iter().map(Source::Input).enumerate().collect(),
            stack: Vec::new(),
            opts,
        }
    }

    /// Reads the messages that references name, in order (see
    /// [`super::reference`]): a whole input for a plain path, the members
    /// of an mbox for `PATH#N`, `PATH#A-B` and `PATH@OFFSET`. Consecutive
    /// references into the same file open (and split) it once.
    pub fn references(refs: Vec<super::reference::Reference>, opts: ReadOptions) -> Mailbox {
        Mailbox {
            pending: selected::sources(refs).into_iter().enumerate().collect(),
            stack: Vec::new(),
            opts,
        }
    }

    /// Reads bytes already in memory (a message or an mbox), named `name`.
    pub fn from_bytes(data: Vec<u8>, name: &str) -> Mailbox {
        Mailbox {
            pending: [(0, Source::Bytes(data, name.to_string()))].into(),
            stack: Vec::new(),
            opts: ReadOptions::default(),
        }
    }

    /// Reads bytes already in memory with options: a shard of an mbox in
    /// memory, or a forced format (the Python package's `messages()` over a
    /// file object uses it).
    pub fn from_bytes_with(data: Vec<u8>, name: &str, opts: ReadOptions) -> Mailbox {
        Mailbox {
            pending: [(0, Source::Bytes(data, name.to_string()))].into(),
            stack: Vec::new(),
            opts,
        }
    }

    /// Reads a stream (a message or an mbox, plain or compressed), named
    /// `name`; an mbox is split as it arrives.
    pub fn from_reader(reader: impl Read + Send + 'static, name: &str) -> Mailbox {
        Mailbox {
            pending: [(0, Source::Reader(Box::new(reader), name.to_string()))].into(),
            stack: Vec::new(),
            opts: ReadOptions::default(),
        }
    }

    /// Opens the next input onto the stack; an error for one that fails.
    fn open_next(&mut self) -> Option<Result<(), ReadError>> {
        let (input, source) = self.pending.pop_front()?;
        Some(match source {
            Source::Input(Input::Path(p)) if p.is_dir() => self.open_dir(input, &p),
            Source::Input(Input::Path(p)) => {
                let name = p.display().to_string();
                self.open_file(input, &p, &name, false)
            }
            Source::Input(Input::Stdin) => {
                self.open_stream(input, Box::new(std::io::stdin()), "-".to_string())
            }
            Source::Bytes(v, name) => {
                if stream::Compression::detect(&v[..v.len().min(8)]).is_some() {
                    self.open_stream(input, Box::new(std::io::Cursor::new(v)), name)
                } else {
                    self.open_bytes(input, Bytes::from_vec(v), name, false)
                }
            }
            Source::Reader(r, name) => self.open_stream(input, r, name),
            Source::Selected(i, selects) => {
                let sel = selected::Selection::open(&self.opts, input, &i, selects);
                self.stack.push(Cursor::Selected(Box::new(sel)));
                Ok(())
            }
        })
    }

    fn open_dir(&mut self, input: usize, p: &Path) -> Result<(), ReadError> {
        let name = p.display().to_string();
        let kind = match self.opts.format {
            Some(Kind::Maildir) => Kind::Maildir,
            _ => super::detect_dir(p),
        };
        let entries = match kind {
            Kind::Maildir => maildir::list_maildir(p, self.opts.recursive),
            _ => maildir::list_directory(p, self.opts.recursive),
        }
        .map_err(|e| ReadError::io(&name, e))?;
        if entries.is_empty() {
            return Err(ReadError::Input {
                path: name,
                reason: "directory holds no message files".into(),
            });
        }
        let total = entries.len() as u64;
        let (lo, hi) = match self.opts.shard {
            Some(s) => s.range(total),
            None => (0, total),
        };
        self.stack.push(Cursor::Files {
            entries: entries.into_iter(),
            kind,
            index: 0,
            input,
            lo,
            hi,
        });
        Ok(())
    }

    fn open_file(
        &mut self,
        input: usize,
        p: &Path,
        name: &str,
        whole: bool,
    ) -> Result<(), ReadError> {
        let meta = std::fs::metadata(p).map_err(|e| ReadError::io(name, e))?;
        if !meta.is_file() {
            // A FIFO or a device: a stream.
            let f = std::fs::File::open(p).map_err(|e| ReadError::io(name, e))?;
            return self.open_stream(input, Box::new(f), name.to_string());
        }
        let bytes = match self.opts.mmap {
            MmapChoice::Auto => Bytes::open(p, self.opts.max_input),
            MmapChoice::Never => std::fs::read(p).map(Bytes::from_vec),
        }
        .map_err(|e| ReadError::io(name, e))?;
        if stream::Compression::detect(&bytes[..bytes.len().min(8)]).is_some() {
            let f = std::fs::File::open(p).map_err(|e| ReadError::io(name, e))?;
            return self.open_stream(input, Box::new(f), name.to_string());
        }
        if let Some(what) = super::unsupported_format(&bytes[..bytes.len().min(512)]) {
            return Err(ReadError::Input {
                path: name.to_string(),
                reason: format!("{what}, not a message or a mailbox"),
            });
        }
        self.open_bytes(input, bytes, name.to_string(), whole)
    }

    /// `whole`: a member of a directory, which the shard already chose as a
    /// whole, is not cut again.
    fn open_bytes(
        &mut self,
        input: usize,
        bytes: Bytes,
        name: String,
        whole: bool,
    ) -> Result<(), ReadError> {
        let kind = match self.opts.format {
            Some(k @ (Kind::Eml | Kind::Mbox)) => k,
            // An empty file is an empty mailbox only when it says it is one.
            _ if bytes.is_empty() && !name.ends_with(".mbox") => Kind::Eml,
            _ => super::detect_bytes(&bytes),
        };
        let bytes = Arc::new(bytes);
        if kind == Kind::Mbox {
            let (lo, hi) = match self.opts.shard.filter(|_| !whole) {
                Some(s) => s.range(bytes.len() as u64),
                None => (0, u64::MAX),
            };
            self.stack.push(Cursor::Mapped {
                bytes,
                state: Box::new(SplitState::new()),
                name,
                input,
                lo,
                hi,
                released: 0,
            });
            return Ok(());
        }
        if bytes.is_empty() {
            // The one rule for every command: an empty file is an empty
            // mailbox only when it says it is one. See: issue 11.
            return Err(ReadError::Input {
                path: name,
                reason: "empty file: not a message (an empty mailbox is named *.mbox, or read with --format mbox)".into(),
            });
        }
        if !whole && self.opts.shard.is_some_and(|s| s.k != 1) {
            // A single message belongs to the first shard.
            return Ok(());
        }
        let len = bytes.len();
        let origin = Origin {
            path: name,
            format: "eml",
            input,
            length: len as u64,
            ..Origin::default()
        };
        self.stack.push(Cursor::One(Some(Box::new(RawMessage {
            origin,
            mbox_findings: Vec::new(),
            data: Data::Shared(bytes, 0..len),
            quoted: false,
        }))));
        Ok(())
    }

    fn open_stream(
        &mut self,
        input: usize,
        r: Box<dyn Read + Send>,
        name: String,
    ) -> Result<(), ReadError> {
        let r = match &self.opts.stream_bytes {
            Some(c) => c.wrap(r),
            None => r,
        };
        let opened = stream::open(r).map_err(|e| ReadError::io(&name, e))?;
        if let Some(what) = super::unsupported_format(&opened.head) {
            return Err(ReadError::Input {
                path: name,
                reason: format!("{what}, not a message or a mailbox"),
            });
        }
        let is_mbox = match self.opts.format {
            Some(k) => k == Kind::Mbox,
            None => mbox::starts_with_from_line(&opened.head),
        };
        if is_mbox && self.opts.shard.is_some_and(|s| s.n > 1) {
            return Err(ReadError::Input {
                path: name,
                reason:
                    "--shard needs a file that can be mapped, not a stream or a compressed file"
                        .into(),
            });
        }
        if is_mbox {
            self.stack.push(Cursor::Stream {
                stream: Box::new(MboxStream::new(opened, self.opts.max_message)),
                name,
                input,
            });
            return Ok(());
        }
        let v = opened
            .read_all(self.opts.max_input)
            .map_err(|e| ReadError::io(&name, e))?;
        self.open_bytes(input, Bytes::from_vec(v), name, false)
    }
}

impl Iterator for Mailbox {
    type Item = Result<RawMessage, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let Some(top) = self.stack.last_mut() else {
                match self.open_next()? {
                    Ok(()) => continue,
                    Err(e) => return Some(Err(e)),
                }
            };
            match top {
                Cursor::Selected(sel) => match sel.next() {
                    Some(item) => return Some(item),
                    None => {
                        self.stack.pop();
                    }
                },
                Cursor::One(m) => {
                    let m = m.take();
                    self.stack.pop();
                    if let Some(m) = m {
                        return Some(Ok(*m));
                    }
                }
                Cursor::Mapped {
                    bytes,
                    state,
                    name,
                    input,
                    lo,
                    hi,
                    released,
                } => match state.step(bytes, true) {
                    Step::Entry(e) => {
                        // Give processed map pages back: memory stays flat
                        // whatever the size of the mailbox. See: issue 3.
                        // Messages handed out are processed a chunk at a
                        // time (at most 16 MiB, see `RunOptions`), so pages
                        // more than RELEASE_LAG behind are done with.
                        let done = e.offset.saturating_sub(RELEASE_LAG);
                        if done > *released + RELEASE_EVERY {
                            bytes.release(*released, done);
                            *released = done;
                        }
                        if (e.offset as u64) < *lo {
                            continue;
                        }
                        if (e.offset as u64) >= *hi {
                            self.stack.pop();
                            continue;
                        }
                        let origin = Origin {
                            path: name.clone(),
                            format: "mbox",
                            index: e.index,
                            offset: e.offset as u64,
                            length: (e.message.end - e.offset) as u64,
                            data_offset: e.message.start as u64,
                            from_line: Some(
                                String::from_utf8_lossy(&bytes[e.from_line.clone()]).into_owned(),
                            ),
                            envelope: Some(bytes[e.from_line.clone()].to_vec()),
                            input: *input,
                            ..Origin::default()
                        };
                        return Some(Ok(RawMessage {
                            origin,
                            mbox_findings: e.findings,
                            data: Data::Shared(Arc::clone(bytes), e.message),
                            // A message whose end its Content-Length decided
                            // is not quoted (see: issue 12); the split saw
                            // whether any line is.
                            quoted: !e.content_length && e.quoted_lines,
                        }));
                    }
                    Step::NeedMore | Step::Done => {
                        bytes.release(*released, bytes.len());
                        self.stack.pop();
                    }
                },
                Cursor::Stream {
                    stream,
                    name,
                    input,
                } => match stream.next() {
                    Some(Ok(m)) => {
                        let origin = Origin {
                            path: name.clone(),
                            format: "mbox",
                            index: m.index,
                            offset: m.offset,
                            length: m.data_offset - m.offset + m.message.len() as u64,
                            data_offset: m.data_offset,
                            from_line: Some(String::from_utf8_lossy(&m.from_line).into_owned()),
                            envelope: Some(m.from_line),
                            input: *input,
                            ..Origin::default()
                        };
                        return Some(Ok(RawMessage {
                            origin,
                            mbox_findings: m.findings,
                            data: Data::Owned(m.message),
                            quoted: !m.content_length,
                        }));
                    }
                    Some(Err(e)) => {
                        let name = name.clone();
                        self.stack.pop();
                        return Some(Err(ReadError::io(&name, e)));
                    }
                    None => {
                        self.stack.pop();
                    }
                },
                Cursor::Files {
                    entries,
                    kind,
                    index,
                    input,
                    lo,
                    hi,
                } => {
                    let Some(e) = entries.next() else {
                        self.stack.pop();
                        continue;
                    };
                    let (kind, input, i) = (*kind, *input, *index);
                    *index += 1;
                    if (i as u64) < *lo || (i as u64) >= *hi {
                        continue;
                    }
                    let name = e.path.display().to_string();
                    if e.kind == Kind::Mbox {
                        // An mbox inside a directory is read as an mbox, in
                        // its place in the order. See: issue 12.
                        if let Err(err) = self.open_file(input, &e.path, &name, true) {
                            return Some(Err(err));
                        }
                        continue;
                    }
                    let format = if e.kind == Kind::Maildir {
                        Kind::Maildir.as_str()
                    } else {
                        kind.as_str()
                    };
                    // The file's size: `source.length` of a maildir or
                    // directory member (read later, by a worker). See: issue 14.
                    let length = std::fs::metadata(&e.path).map_or(0, |m| m.len());
                    let origin = Origin {
                        path: name,
                        format,
                        index: i,
                        input,
                        length,
                        flags: e.flags,
                        keywords: e.keywords,
                        folder: (!e.folder.is_empty()).then_some(e.folder),
                        ..Origin::default()
                    };
                    return Some(Ok(RawMessage {
                        origin,
                        mbox_findings: Vec::new(),
                        data: Data::File(e.path, self.opts.max_input, self.opts.mmap),
                        quoted: false,
                    }));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mbox_bytes_split_and_unquote() {
        let mbox = b"From a Mon Jan  1 00:00:00 2024\nSubject: 1\n\n>From x\n\nFrom b Mon Jan  1 00:00:00 2024\nSubject: 2\n\ny\n";
        let v: Vec<RawMessage> = Mailbox::from_bytes(mbox.to_vec(), "m.mbox")
            .collect::<Result<_, _>>()
            .expect("reads");
        assert_eq!(v.len(), 2);
        assert_eq!(&*v[0].bytes().expect("bytes"), b"Subject: 1\n\nFrom x\n");
        assert_eq!(v[1].origin.index, 1);
        assert_eq!(
            v[1].origin.envelope.as_deref(),
            Some(&b"From b Mon Jan  1 00:00:00 2024"[..])
        );
    }

    #[test]
    fn a_single_message_and_a_missing_path() {
        let v: Vec<_> = Mailbox::from_bytes(b"Subject: x\n\nbody\n".to_vec(), "x.eml").collect();
        assert_eq!(v.len(), 1);
        let errs: Vec<_> = Mailbox::open("/nonexistent/emlkit-test").collect();
        assert_eq!(errs.len(), 1);
        assert!(matches!(errs[0], Err(ReadError::Io { .. })));
    }

    #[test]
    fn shard_parse_and_ranges() {
        assert_eq!("2/4".parse::<Shard>(), Ok(Shard { k: 2, n: 4 }));
        assert!("0/4".parse::<Shard>().is_err());
        assert!("5/4".parse::<Shard>().is_err());
        assert!("x".parse::<Shard>().is_err());
        // The ranges tile [0, len) without gap or overlap.
        for n in 1..7u64 {
            let mut at = 0;
            for k in 1..=n {
                let (a, b) = Shard { k, n }.range(1001);
                assert_eq!(a, at);
                at = b;
            }
            assert_eq!(at, 1001);
        }
    }
}
