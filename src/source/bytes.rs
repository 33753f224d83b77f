//! The bytes of one input: a memory map or an owned buffer.

use std::fs::File;
use std::io::{self, Read};
use std::ops::Deref;
use std::path::Path;

/// The content of one input, borrowed by everything downstream.
///
/// Regular, non-empty files are memory-mapped; everything else (pipes,
/// character devices, empty files) is read into memory, up to a limit.
#[non_exhaustive]
pub enum Bytes {
    /// A read-only memory map of a regular file.
    Mapped(memmap2::Mmap),
    /// Bytes read into memory.
    Owned(Vec<u8>),
}

impl Bytes {
    /// Opens a file: maps it when possible, reads it otherwise.
    ///
    /// `max_read` bounds what is read from something that cannot be mapped
    /// (a FIFO, a device): past it, an error is returned instead of growing.
    pub fn open(path: &Path, max_read: u64) -> io::Result<Bytes> {
        let file = File::open(path)?;
        let meta = file.metadata()?;
        if meta.is_dir() {
            return Err(io::Error::other("is a directory"));
        }
        if meta.is_file() && meta.len() > 0 {
            // SAFETY: the map is read-only and private to this process. The one
            // hazard is another process truncating or rewriting the file while
            // we read it, which can raise SIGBUS or show changing bytes; this is
            // the accepted trade-off of every mmap-based reader (ripgrep makes
            // the same choice) for zero-copy input. Nothing here writes to the
            // mapped memory.
            #[allow(unsafe_code)]
            let map = unsafe { memmap2::Mmap::map(&file)? };
            #[cfg(unix)]
            {
                // Messages are read front to back; tell the kernel so it reads ahead.
                let _ = map.advise(memmap2::Advice::Sequential);
            }
            return Ok(Bytes::Mapped(map));
        }
        read_bounded(file, max_read)
    }

    /// Reads all of standard input, up to `max_read` bytes.
    pub fn stdin(max_read: u64) -> io::Result<Bytes> {
        read_bounded(io::stdin().lock(), max_read)
    }

    /// Wraps bytes already in memory.
    pub fn from_vec(v: Vec<u8>) -> Bytes {
        Bytes::Owned(v)
    }

    /// Tells the kernel that the given range has been processed and its pages
    /// may be dropped, so the resident set does not grow with the file.
    /// Only whole pages before `end` are released.
    pub fn release(&self, start: usize, end: usize) {
        #[cfg(unix)]
        if let Bytes::Mapped(map) = self {
            let page = 4096usize;
            // Round the start down: callers release consecutive ranges
            // whose edges fall inside pages, and rounding both edges
            // inwards would keep one page per boundary resident forever
            // (80 MB over 20,000 messages). Dropping a page that is still
            // partly needed is harmless: the next access re-reads it.
            let start = start / page * page;
            let end = end / page * page;
            if end > start && end <= map.len() {
                // SAFETY: MADV_DONTNEED on a private read-only file mapping only
                // drops cached pages; a later access re-reads them from the file.
                #[allow(unsafe_code)]
                unsafe {
                    let _ = map.unchecked_advise_range(
                        memmap2::UncheckedAdvice::DontNeed,
                        start,
                        end - start,
                    );
                }
            }
        }
        #[cfg(not(unix))]
        let _ = (start, end);
    }
}

fn read_bounded(reader: impl Read, max_read: u64) -> io::Result<Bytes> {
    let mut buf = Vec::new();
    let n = reader
        .take(max_read.saturating_add(1))
        .read_to_end(&mut buf)?;
    if n as u64 > max_read {
        return Err(io::Error::other(format!(
            "input larger than the limit of {max_read} bytes (raise it with --max-input)"
        )));
    }
    Ok(Bytes::Owned(buf))
}

impl Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Mapped(m) => m,
            Bytes::Owned(v) => v,
        }
    }
}
