//! Where a built message goes: an mbox (mboxrd) appended to, or a maildir
//! delivered into (`tmp/` then rename). Kept small and private to `build`
//! until the shared mailbox writers (`src/sink`) land; then these become thin
//! calls into them.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Converts to LF line endings (mbox and maildir files are LF on Unix).
pub fn to_lf(b: &[u8]) -> Vec<u8> {
    let mut o = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') {
            i += 1;
            continue;
        }
        o.push(b[i]);
        i += 1;
    }
    o
}

/// The mboxrd form of a message: a `From ` line, the message with every
/// line matching `>*From ` given one more `>`, and a blank line.
pub fn mboxrd(msg: &[u8], sender: &str, asctime: &str) -> Vec<u8> {
    let msg = to_lf(msg);
    let mut o = Vec::with_capacity(msg.len() + 128);
    o.extend_from_slice(format!("From {sender} {asctime}\n").as_bytes());
    for line in msg.split_inclusive(|&c| c == b'\n') {
        let stripped = line.iter().position(|&c| c != b'>').unwrap_or(line.len());
        if line[stripped..].starts_with(b"From ") {
            o.push(b'>');
        }
        o.extend_from_slice(line);
    }
    if !o.ends_with(b"\n") {
        o.push(b'\n');
    }
    o.push(b'\n');
    o
}

/// Appends a message to an mbox file (created if missing), in one write.
pub fn append_mbox(path: &Path, msg: &[u8], sender: &str, asctime: &str) -> io::Result<()> {
    let mut f = OpenOptions::new().create(true).append(true).open(path)?;
    // Keep the separator rule: a message starts after a blank line.
    let len = f.metadata()?.len();
    let mut data = Vec::new();
    if len > 0 {
        let mut tail = [0u8; 2];
        use std::io::{Read, Seek, SeekFrom};
        let mut r = fs::File::open(path)?;
        let n = len.min(2);
        r.seek(SeekFrom::End(-(n as i64)))?;
        r.read_exact(&mut tail[..n as usize])?;
        let t = &tail[..n as usize];
        if !(t.ends_with(b"\n\n") || n == 1 && t == b"\n") {
            data.extend_from_slice(if t.ends_with(b"\n") { b"\n" } else { b"\n\n" });
        }
    }
    data.extend_from_slice(&mboxrd(msg, sender, asctime));
    f.write_all(&data)?;
    f.sync_data()
}

/// Delivers a message into a maildir's `new/` (writing it in `tmp/` first
/// and renaming, so readers never see half a message). Creates `tmp`, `new`
/// and `cur` when missing. Returns the path written.
pub fn deliver_maildir(dir: &Path, msg: &[u8], now: i64) -> io::Result<PathBuf> {
    for sub in ["tmp", "new", "cur"] {
        fs::create_dir_all(dir.join(sub))?;
    }
    let msg = to_lf(msg);
    let host = hostname();
    use std::sync::atomic::{AtomicU64, Ordering};
    static SEQ: AtomicU64 = AtomicU64::new(0);
    for _ in 0..100 {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_micros())
            .unwrap_or(0);
        let name = format!(
            "{now}.M{nanos}P{}Q{}.{host}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::Relaxed)
        );
        let tmp = dir.join("tmp").join(&name);
        let mut f = match OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        };
        let r = f.write_all(&msg).and_then(|_| f.sync_all());
        if let Err(e) = r {
            let _ = fs::remove_file(&tmp);
            return Err(e);
        }
        let dest = dir.join("new").join(&name);
        if dest.exists() {
            let _ = fs::remove_file(&tmp);
            continue;
        }
        fs::rename(&tmp, &dest)?;
        return Ok(dest);
    }
    Err(io::Error::other(
        "could not find a unique maildir file name",
    ))
}

/// The host name for maildir file names, with `/` and `:` replaced as the
/// maildir convention asks.
fn hostname() -> String {
    let h = fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| fs::read_to_string("/etc/hostname"))
        .unwrap_or_else(|_| "localhost".into());
    let h = h.trim();
    let h = if h.is_empty() { "localhost" } else { h };
    h.replace('/', "\\057").replace(':', "\\072")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mboxrd_quotes() {
        let m = mboxrd(
            b"A: b\r\n\r\nFrom me\r\n>From you\r\nok",
            "a@b",
            "Thu Jan  1 00:00:00 1970",
        );
        assert_eq!(
            m,
            b"From a@b Thu Jan  1 00:00:00 1970\nA: b\n\n>From me\n>>From you\nok\n\n"
        );
    }
}
