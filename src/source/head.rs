//! Reading only the header section of a message file: what header-only
//! commands (`scan`, `pick` on header terms, `headers`, `sort`, `thread`)
//! need from each file of a maildir. A few kilobytes are read instead of
//! mapping the whole file (see: issue 13, the `scan` vs `mscan` target:
//! mapping and unmapping each file cost a third of the run).

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// The bytes of `path` up to and including the blank line that ends its
/// header section (a little more may follow), and the file's size. Reads
/// at most `max` bytes looking for the end.
pub fn read_head(path: &Path, max: u64) -> io::Result<(Vec<u8>, u64)> {
    let mut f = File::open(path)?;
    let size = f.metadata()?.len();
    // Most header sections fit in one page: read 4 KiB first, then more.
    let mut buf: Vec<u8> = Vec::new();
    loop {
        let at = buf.len();
        let want = if at == 0 { 4096 } else { 16384 };
        buf.resize(at + want, 0);
        let n = f.read(&mut buf[at..])?;
        buf.truncate(at + n);
        if n == 0 {
            break;
        }
        // Search the new bytes and the three before them (a boundary may
        // straddle two reads).
        let from = at.saturating_sub(3);
        let tail = &buf[from..];
        if buf.first() == Some(&b'\n')
            || buf.starts_with(b"\r\n")
            || crate::model::blank_line_end(tail).is_some()
        {
            break;
        }
        if buf.len() as u64 >= max {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("no end of the header section in the first {max} bytes"),
            ));
        }
    }
    Ok((buf, size))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_header_and_the_size() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m");
        let mut data = b"Subject: x\r\nFrom: a@b\r\n\r\n".to_vec();
        data.extend(std::iter::repeat_n(b'z', 100_000));
        std::fs::write(&p, &data).unwrap();
        let (head, size) = read_head(&p, 1 << 20).unwrap();
        assert_eq!(size, data.len() as u64);
        assert!(head.starts_with(b"Subject: x\r\nFrom: a@b\r\n\r\n"));
        assert!(head.len() <= 4096);
        // A header longer than one read.
        let mut long = b"X: ".to_vec();
        long.extend(std::iter::repeat_n(b'y', 20_000));
        long.extend_from_slice(b"\n\nbody");
        std::fs::write(&p, &long).unwrap();
        let (head, _) = read_head(&p, 1 << 20).unwrap();
        assert!(crate::model::header_block(&head).ends_with(b"\n\n"));
        assert!(read_head(&p, 4000).is_err());
    }
}
