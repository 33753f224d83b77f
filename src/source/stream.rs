//! Inputs that cannot be mapped: standard input, pipes, devices and
//! compressed files. They are decompressed on the fly (the format told by
//! its magic bytes) and an mbox among them is split as it arrives, message
//! by message, so memory is bounded by the largest message, not by the
//! stream.
//!
//! See: issue 12 (streams of any size; compressed inputs).

use super::mbox::{MboxFinding, SplitState, Step};
use std::io::{self, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// A compression format, told by the first bytes of the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Compression {
    /// gzip (RFC 1952), every member of a concatenated file.
    Gzip,
    /// bzip2, every stream of a concatenated file (pbzip2 writes several).
    Bzip2,
    /// xz, every stream of a concatenated file.
    Xz,
    /// Zstandard, every frame.
    Zstd,
}

impl Compression {
    /// Tells the format from the first bytes (at least 6 are needed for xz).
    pub fn detect(head: &[u8]) -> Option<Compression> {
        if head.starts_with(&[0x1f, 0x8b]) {
            Some(Compression::Gzip)
        } else if head.starts_with(b"BZh") && head.get(3).is_some_and(|c| (b'1'..=b'9').contains(c))
        {
            Some(Compression::Bzip2)
        } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0x00]) {
            Some(Compression::Xz)
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Some(Compression::Zstd)
        } else {
            None
        }
    }

    /// The lower-case name used in `info` and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Compression::Gzip => "gzip",
            Compression::Bzip2 => "bzip2",
            Compression::Xz => "xz",
            Compression::Zstd => "zstd",
        }
    }
}

/// A readable input, decompressed when it was compressed.
pub type Reader = Box<dyn Read + Send>;

/// Most bytes looked at to tell an mbox from a message.
const HEAD: usize = 64 * 1024;

/// An opened stream: its compression, the first decompressed bytes (up to
/// 64 KiB, to tell an mbox from a message) and the rest.
#[non_exhaustive]
pub struct Opened {
    /// The compression found, if any.
    pub compression: Option<Compression>,
    /// The first decompressed bytes.
    pub head: Vec<u8>,
    /// The rest of the decompressed data.
    pub rest: Reader,
}

impl Opened {
    /// Reads the whole (decompressed) input, failing past `max` bytes.
    pub fn read_all(mut self, max: u64) -> io::Result<Vec<u8>> {
        let mut buf = std::mem::take(&mut self.head);
        (&mut self.rest)
            .take(max.saturating_add(1).saturating_sub(buf.len() as u64))
            .read_to_end(&mut buf)?;
        if buf.len() as u64 > max {
            return Err(io::Error::other(format!(
                "input larger than the limit of {max} bytes (raise it with --max-input)"
            )));
        }
        Ok(buf)
    }
}

/// A shared count of the bytes read from streamed inputs (compressed files,
/// pipes) before decompression: where a progress display is in a `.gz`
/// whose decompressed size nobody knows. Cloning shares the count. See:
/// issue 15 (progress on compressed inputs).
#[derive(Debug, Clone, Default)]
pub struct ByteCounter(Arc<AtomicU64>);

impl ByteCounter {
    /// A new count at zero.
    pub fn new() -> ByteCounter {
        ByteCounter::default()
    }

    /// The bytes counted so far.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }

    /// Wraps `inner` so that every byte read from it is counted.
    pub fn wrap(&self, inner: Box<dyn Read + Send>) -> Box<dyn Read + Send> {
        Box::new(Counting {
            inner,
            count: self.clone(),
        })
    }
}

/// Two counters are equal when they share one count.
impl PartialEq for ByteCounter {
    fn eq(&self, other: &ByteCounter) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for ByteCounter {}

struct Counting {
    inner: Box<dyn Read + Send>,
    count: ByteCounter,
}

impl Read for Counting {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.0.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Opens `reader`: peeks at its first bytes, puts a decoder in front when
/// they are a compression format's magic, and reads the first decompressed
/// bytes.
pub fn open(mut reader: impl Read + Send + 'static) -> io::Result<Opened> {
    let mut magic = Vec::with_capacity(8);
    read_up_to(&mut reader, &mut magic, 6)?;
    let compression = Compression::detect(&magic);
    let raw: Reader = Box::new(io::Cursor::new(magic).chain(reader));
    let mut rest: Reader = match compression {
        // A pipe is read on its own thread too: with a 64 KiB pipe buffer,
        // reading 1 MiB would otherwise wait for the writer between parses.
        None => threaded(raw, None),
        Some(c @ Compression::Gzip) => threaded(flate2::read::MultiGzDecoder::new(raw), Some(c)),
        Some(c @ Compression::Bzip2) => threaded(bzip2::read::MultiBzDecoder::new(raw), Some(c)),
        Some(c @ Compression::Xz) => {
            threaded(liblzma::read::XzDecoder::new_multi_decoder(raw), Some(c))
        }
        Some(c @ Compression::Zstd) => threaded(zstd::stream::read::Decoder::new(raw)?, Some(c)),
    };
    let mut head = Vec::with_capacity(HEAD);
    read_up_to(&mut rest, &mut head, HEAD)?;
    Ok(Opened {
        compression,
        head,
        rest,
    })
}

/// Bytes decoded per block handed over by the decoding thread.
const BLOCK: usize = 1 << 20;
/// Blocks decoded ahead of the reader: memory stays bounded (4 MiB).
const AHEAD: usize = 4;

/// Runs `decoder` (a decompressor, or a plain pipe) on its own thread, so
/// reading and decompression overlap splitting and parsing as they do in
/// `gzip -dc | emlkit` (a shell pipeline), but in one process: with `-j1`
/// the decoder gets its own core.
fn threaded(mut decoder: impl Read + Send + 'static, c: Option<Compression>) -> Reader {
    let (tx, rx) = std::sync::mpsc::sync_channel::<io::Result<Vec<u8>>>(AHEAD);
    std::thread::spawn(move || loop {
        let mut block = Vec::with_capacity(BLOCK);
        match (&mut decoder).take(BLOCK as u64).read_to_end(&mut block) {
            Ok(0) => break,
            Ok(_) => {
                // The reader went away (an error downstream): stop decoding.
                if tx.send(Ok(block)).is_err() {
                    break;
                }
            }
            Err(e) => {
                // What was decoded before the damage is still delivered, so
                // a truncated archive gives every message before the cut.
                if !block.is_empty() {
                    let _ = tx.send(Ok(block));
                }
                // Name the format: "gzip data: incomplete deflate stream".
                let e = match c {
                    Some(c) => io::Error::new(e.kind(), format!("{} data: {e}", c.as_str())),
                    None => e,
                };
                let _ = tx.send(Err(e));
                break;
            }
        }
    });
    Box::new(Blocks {
        rx,
        block: Vec::new(),
        at: 0,
    })
}

/// The reading end of [`threaded`].
struct Blocks {
    rx: std::sync::mpsc::Receiver<io::Result<Vec<u8>>>,
    block: Vec<u8>,
    at: usize,
}

impl Read for Blocks {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.at == self.block.len() {
            match self.rx.recv() {
                Ok(Ok(b)) => {
                    self.block = b;
                    self.at = 0;
                }
                Ok(Err(e)) => return Err(e),
                // The decoder finished: end of data.
                Err(_) => return Ok(0),
            }
        }
        let n = out.len().min(self.block.len() - self.at);
        out[..n].copy_from_slice(&self.block[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// Appends to `buf` until it holds `want` bytes or the reader ends.
fn read_up_to(r: &mut impl Read, buf: &mut Vec<u8>, want: usize) -> io::Result<()> {
    let start = buf.len();
    while buf.len() < want {
        let n = r
            .by_ref()
            .take((want - buf.len()) as u64)
            .read_to_end(buf)?;
        if n == 0 || buf.len() == start {
            break;
        }
    }
    Ok(())
}

/// One message of an mbox stream, owned.
#[derive(Debug)]
#[non_exhaustive]
pub struct StreamMessage {
    /// 0-based index in the mbox.
    pub index: usize,
    /// Byte offset of the `From ` line in the (decompressed) stream.
    pub offset: u64,
    /// Offset of the message bytes in the stream.
    pub data_offset: u64,
    /// The `From ` line, without its line ending.
    pub from_line: Vec<u8>,
    /// The message bytes, still mboxrd-quoted unless `content_length`.
    pub message: Vec<u8>,
    /// Whether a `Content-Length` header decided the end (then not quoted).
    pub content_length: bool,
    /// Whether the message uses CRLF line endings.
    pub crlf: bool,
    /// Mailbox findings about this record.
    pub findings: Vec<MboxFinding>,
}

/// Least bytes read at a time.
const READ_MIN: usize = 1 << 20;

/// Splits an mbox stream as it arrives.
///
/// The buffer holds the message being split and what was read past it; it
/// is compacted only when more must be read, and each read is at least as
/// large as what is pending, so a large message is rescanned O(log n) times
/// and the work stays linear.
#[non_exhaustive]
pub struct MboxStream {
    reader: Reader,
    buf: Vec<u8>,
    state: SplitState,
    eof: bool,
    max_message: u64,
    failed: bool,
    deferred: Option<io::Error>,
}

impl MboxStream {
    /// Splits `opened`. A message larger than `max_message` bytes stops
    /// the stream with an error (its end cannot be found without holding it).
    pub fn new(opened: Opened, max_message: u64) -> MboxStream {
        MboxStream {
            reader: opened.rest,
            buf: opened.head,
            state: SplitState::new(),
            eof: false,
            max_message,
            failed: false,
            deferred: None,
        }
    }

    /// Formats at most `n` findings (see `MboxSplitter::max_findings`).
    pub fn max_findings(mut self, n: usize) -> Self {
        self.state.set_max_findings(n);
        self
    }

    /// The split state: finding counts.
    pub fn state(&self) -> &SplitState {
        &self.state
    }

    /// Bytes of the stream consumed so far.
    pub fn position(&self) -> u64 {
        self.state.base + self.state.pos as u64
    }

    fn fill(&mut self) -> io::Result<()> {
        // A read error after some bytes: those were split first.
        if let Some(e) = self.deferred.take() {
            return Err(e);
        }
        // Drop what was handed out; keep the pending message.
        let done = self.state.pos;
        self.buf.drain(..done);
        self.state.consume(done);
        // Room for the message, its From_ line and the lines that decide
        // where it ends.
        let slack = 1 << 20;
        if self.buf.len() as u64 > self.max_message.saturating_add(slack) {
            return Err(io::Error::other(format!(
                "a message at offset {} is larger than --max-message-bytes ({}); the rest of the stream is not read",
                self.state.base, self.max_message
            )));
        }
        let want = self.buf.len().max(READ_MIN);
        let before = self.buf.len();
        if let Err(e) = read_up_to(&mut self.reader, &mut self.buf, before + want) {
            if self.buf.len() == before {
                return Err(e);
            }
            // Split the complete messages read before the error (a damaged
            // archive still gives what precedes the damage), then report it.
            self.deferred = Some(e);
            return Ok(());
        }
        if self.buf.len() == before {
            self.eof = true;
        }
        Ok(())
    }
}

impl Iterator for MboxStream {
    type Item = io::Result<StreamMessage>;

    fn next(&mut self) -> Option<io::Result<StreamMessage>> {
        if self.failed {
            return None;
        }
        loop {
            match self.state.step(&self.buf, self.eof) {
                Step::Entry(e) => {
                    let base = self.state.base;
                    return Some(Ok(StreamMessage {
                        index: e.index,
                        offset: base + e.offset as u64,
                        data_offset: base + e.message.start as u64,
                        from_line: self.buf[e.from_line.clone()].to_vec(),
                        message: self.buf[e.message.clone()].to_vec(),
                        content_length: e.content_length,
                        crlf: e.crlf,
                        findings: e.findings,
                    }));
                }
                Step::NeedMore => {
                    if let Err(e) = self.fill() {
                        self.failed = true;
                        return Some(Err(e));
                    }
                }
                Step::Done => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn mbox(n: usize) -> Vec<u8> {
        let mut out = Vec::new();
        for i in 0..n {
            let body = "x".repeat(i * 37 % 5000);
            out.extend_from_slice(
                format!(
                    "From a{i}@b Mon Jan  1 00:00:00 2001\nSubject: {i}\n\n{body}\n>From q\n\n"
                )
                .as_bytes(),
            );
        }
        out
    }

    fn messages(opened: Opened) -> Vec<(u64, Vec<u8>)> {
        MboxStream::new(opened, 1 << 30)
            .map(|m| {
                let m = m.unwrap();
                (m.offset, m.message)
            })
            .collect()
    }

    /// A reader that hands out a few bytes at a time, like a pipe.
    struct Trickle(Vec<u8>, usize);
    impl Read for Trickle {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let n = out.len().min(7).min(self.0.len() - self.1);
            out[..n].copy_from_slice(&self.0[self.1..self.1 + n]);
            self.1 += n;
            Ok(n)
        }
    }

    #[test]
    fn stream_split_equals_mapped_split() {
        let data = mbox(300);
        let want: Vec<(u64, Vec<u8>)> = super::super::mbox::MboxSplitter::new(&data)
            .map(|e| (e.offset as u64, data[e.message].to_vec()))
            .collect();
        assert_eq!(want.len(), 300);
        let got = messages(open(Trickle(data.clone(), 0)).unwrap());
        assert_eq!(got, want);
    }

    #[test]
    fn every_compression_and_concatenated_members() {
        let data = mbox(50);
        let (a, b) = data.split_at(data.len() / 2);
        let want = messages(open(io::Cursor::new(data.clone())).unwrap());
        let mut gz = Vec::new();
        for part in [a, b] {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(part).unwrap();
            gz.extend(e.finish().unwrap());
        }
        let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
        bz.write_all(&data).unwrap();
        let bz = bz.finish().unwrap();
        let mut xz = liblzma::write::XzEncoder::new(Vec::new(), 1);
        xz.write_all(&data).unwrap();
        let xz = xz.finish().unwrap();
        let zst = zstd::stream::encode_all(io::Cursor::new(&data), 1).unwrap();
        for (c, bytes) in [
            (Compression::Gzip, gz),
            (Compression::Bzip2, bz),
            (Compression::Xz, xz),
            (Compression::Zstd, zst),
        ] {
            let o = open(io::Cursor::new(bytes)).unwrap();
            assert_eq!(o.compression, Some(c));
            assert_eq!(messages(o), want, "{c:?}");
        }
    }

    #[test]
    fn an_oversized_message_stops_the_stream() {
        let mut data = b"From a Mon Jan  1 00:00:00 2001\nA: 1\n\n".to_vec();
        data.extend(std::iter::repeat_n(b'x', 3 << 20));
        let mut s = MboxStream::new(open(io::Cursor::new(data)).unwrap(), 1000);
        assert!(s.next().unwrap().is_err());
        assert!(s.next().is_none());
    }
}
