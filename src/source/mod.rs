//! Where message bytes come from. This module knows nothing of MIME.
//!
//! An [`Input`] is a path or standard input. [`Bytes`] holds the content of one
//! input, memory-mapped when the input is a regular non-empty file and read into
//! memory otherwise (pipes, special files, empty files). [`detect_bytes`] and
//! [`detect_dir`] tell what kind of input it is (one message, an mbox, a
//! maildir, a directory of files). The [`mbox`] splitter and the [`maildir`]
//! walker list the messages inside.

mod bytes;
pub mod envelope;
pub mod maildir;
pub mod mbox;
pub mod reader;
pub mod run;
pub mod stream;

pub use bytes::Bytes;
pub use reader::{Mailbox, MmapChoice, RawMessage, ReadError, ReadOptions};
pub use run::{for_each_ordered, RunError, RunOptions};

use std::fmt;
use std::path::{Path, PathBuf};

/// One input named on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Standard input (`-`, or no path while stdin is not a terminal).
    Stdin,
    /// A path on disk: a message file, an mbox, a maildir or a directory.
    Path(PathBuf),
}

impl Input {
    /// Builds an input from a command-line argument; `-` means stdin.
    pub fn from_arg(arg: &Path) -> Input {
        if arg.as_os_str() == "-" {
            Input::Stdin
        } else {
            Input::Path(arg.to_path_buf())
        }
    }

    /// The name used in output records and diagnostics (`-` for stdin).
    pub fn display_name(&self) -> String {
        match self {
            Input::Stdin => "-".to_string(),
            Input::Path(p) => p.display().to_string(),
        }
    }
}

impl fmt::Display for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display_name())
    }
}

/// The kind of an input, detected from its content or forced with `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A single RFC 5322 message.
    Eml,
    /// An mbox file (any dialect).
    Mbox,
    /// A maildir (a directory with `cur/` and `new/`).
    Maildir,
    /// A plain directory whose files are messages.
    Directory,
}

impl Kind {
    /// The lower-case name used in JSON and in `--format`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Eml => "eml",
            Kind::Mbox => "mbox",
            Kind::Maildir => "maildir",
            Kind::Directory => "directory",
        }
    }
}

/// An input made ready to read: a memory map (regular uncompressed files,
/// zero-copy) or a stream (stdin, pipes, devices, compressed files).
pub enum Loaded {
    /// A regular file, mapped (or, when empty, read).
    Mapped(Bytes),
    /// A stream, decompressed when it was compressed.
    Stream(stream::Opened),
}

/// Names the container formats people hand to a mail tool that emlkit does
/// not read, told by their magic bytes, so the error says what the file is
/// instead of "not a message: binary data".
///
/// See: issue 12 (a clear message for anything unreadable).
pub fn unsupported_format(head: &[u8]) -> Option<&'static str> {
    const MAGIC: [(&[u8], &str); 8] = [
        (b"PK\x03\x04", "a zip archive"),
        (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
        (b"Rar!\x1a\x07", "a RAR archive"),
        (b"\x04\x22\x4d\x18", "lz4 data"),
        (b"LZIP", "lzip data"),
        (b"%PDF-", "a PDF document"),
        (b"!BDN", "an Outlook PST file"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
            "an OLE2 file (an Outlook .msg?)",
        ),
    ];
    if let Some((_, what)) = MAGIC.iter().find(|(m, _)| head.starts_with(m)) {
        return Some(what);
    }
    // tar: "ustar" at offset 257.
    head.get(257..263)
        .filter(|m| *m == b"ustar\0" || *m == b"ustar ")
        .map(|_| "a tar archive")
}

fn refuse_unsupported(head: &[u8]) -> std::io::Result<()> {
    match unsupported_format(head) {
        Some(what) => Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "{what}, not a message or a mailbox (emlkit reads messages, mbox files, maildirs and directories, plain or gzip/bzip2/xz/zstd-compressed)"
            ),
        )),
        None => Ok(()),
    }
}

/// Opens an input that is not a directory. `max_read` bounds what is read
/// into memory from an unmappable source that is not streamed.
///
/// See: issue 12 (streams of any size; compressed inputs).
pub fn load(input: &Input, max_read: u64) -> std::io::Result<Loaded> {
    let path = match input {
        Input::Stdin => return streamed(std::io::stdin()),
        Input::Path(p) => p,
    };
    let meta = std::fs::metadata(path)?;
    if meta.is_file() {
        let bytes = Bytes::open(path, max_read)?;
        if stream::Compression::detect(&bytes[..bytes.len().min(8)]).is_none() {
            refuse_unsupported(&bytes[..bytes.len().min(512)])?;
            return Ok(Loaded::Mapped(bytes));
        }
    } else if meta.is_dir() {
        return Err(std::io::Error::other("is a directory"));
    }
    // A compressed file, a FIFO or a device: read as a stream.
    streamed(std::fs::File::open(path)?)
}

fn streamed(r: impl std::io::Read + Send + 'static) -> std::io::Result<Loaded> {
    let opened = stream::open(r)?;
    refuse_unsupported(&opened.head)?;
    Ok(Loaded::Stream(opened))
}

/// Detects the kind of a directory: a maildir when it has `cur/` and `new/`,
/// a plain directory of message files otherwise.
pub fn detect_dir(path: &Path) -> Kind {
    if path.join("cur").is_dir() && path.join("new").is_dir() {
        Kind::Maildir
    } else {
        Kind::Directory
    }
}

/// Detects the kind of a file from its first bytes: an mbox starts with a
/// `From ` line, anything else is one message. An empty input is an empty
/// mbox (no messages, nothing to report), so `cat /dev/null | emlkit json`
/// writes nothing and succeeds.
pub fn detect_bytes(data: &[u8]) -> Kind {
    if data.is_empty() || mbox::starts_with_from_line(data) {
        Kind::Mbox
    } else {
        Kind::Eml
    }
}

/// Where one message came from, carried into every output record.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Origin {
    /// The input path as given (`-` for stdin), or the file inside a maildir.
    pub path: String,
    /// The input kind the message was read from.
    pub format: &'static str,
    /// Index of the message inside its mailbox (0-based); 0 for a single file.
    pub index: usize,
    /// Byte offset of the message inside the input (mbox: of its `From ` line).
    pub offset: u64,
    /// Length of the record in the input: from `offset` to the end of the
    /// message bytes.
    pub length: u64,
    /// Offset of the message bytes themselves (after an mbox `From ` line);
    /// part and header offsets are counted from the input start through it.
    pub data_offset: u64,
    /// The mbox `From ` line, without its line ending, for display (bytes
    /// that are not UTF-8 replaced). [`Origin::envelope`] has the bytes.
    pub from_line: Option<String>,
    /// The mbox `From ` line, without its line ending, byte for byte:
    /// what `convert` writes back. See: issue 12.
    pub envelope: Option<Vec<u8>>,
    /// Position of the input on the command line (0-based), so a missing
    /// input still takes its number (`split`'s `III-` prefix).
    pub input: usize,
    /// Maildir flags from the `:2,` suffix (sorted letters).
    pub flags: Option<String>,
    /// Maildir keywords (named by `dovecot-keywords`), in letter order.
    pub keywords: Vec<String>,
    /// Maildir sub-folder (`cur` or `new`, with the Maildir++ folder name).
    pub folder: Option<String>,
}

impl Origin {
    /// The `path#index` form used in diagnostics for mailbox members.
    pub fn label(&self) -> String {
        if self.format == "mbox" {
            format!("{}#{}", self.path, self.index)
        } else {
            self.path.clone()
        }
    }
}
