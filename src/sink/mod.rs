//! Where message bytes go: an mboxrd writer, maildir delivery (tmp/ then a
//! link into new/ or cur/), and one file per message. This module knows
//! nothing of MIME; it only looks at header lines for the mbox flag fields.
//!
//! Guarantees (see: issue 3, "lossless mailboxes"):
//! - message bytes are written unchanged, except mboxrd quoting inside an
//!   mbox (undone by the reader) and, when a maildir message's flags differ
//!   from its `Status`/`X-Status` fields, those two fields;
//! - nothing is ever overwritten: an existing mbox is appended to, maildir
//!   and file names are created with link(2), which fails on an existing name;
//! - an interrupted run leaves no half-written message visible: maildir and
//!   files are written under a temporary name first; a new mbox is written
//!   to a temporary file renamed into place at the end, an appended mbox is
//!   truncated back to its old length when a write fails.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

pub mod flags;

pub use flags::{maildir_flags_from_status, status_from_maildir_flags};

/// Writes `data` to `dir/name` without ever replacing an existing file and
/// without a half-written file being visible under `name`: the bytes go to
/// a hidden temporary file that is then hard-linked to `name`. With `sync`,
/// the bytes reach the disk before the name appears (safe against a machine
/// crash, not only against an interrupted process).
pub fn write_new(dir: &Path, name: &str, data: &[u8], sync: bool) -> io::Result<PathBuf> {
    let dest = dir.join(name);
    let mut tmp = tempfile::Builder::new()
        .prefix(".emlkit-tmp-")
        .tempfile_in(dir)?;
    tmp.write_all(data)?;
    if sync {
        tmp.as_file().sync_data()?;
    }
    tmp.persist_noclobber(&dest).map_err(|e| e.error)?;
    Ok(dest)
}

fn hostname() -> String {
    let h = fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| fs::read_to_string("/etc/hostname"))
        .unwrap_or_default();
    // `/` and `:` cannot appear in a maildir name (the spec's escapes).
    let h: String = h
        .trim()
        .chars()
        .map(|c| match c {
            '/' => '_',
            ':' => '_',
            c => c,
        })
        .collect();
    if h.is_empty() {
        "localhost".into()
    } else {
        h
    }
}

/// Delivers messages into a maildir.
pub struct Maildir {
    root: PathBuf,
    secs: u64,
    micros: u32,
    pid: u32,
    seq: u64,
    host: String,
    /// fsync each message before linking it into place (the maildir
    /// convention). This is enabled by default.
    pub sync: bool,
}

impl Maildir {
    /// Opens a maildir, creating `tmp/`, `new/` and `cur/` as needed.
    pub fn create(root: &Path) -> io::Result<Maildir> {
        for d in ["tmp", "new", "cur"] {
            fs::create_dir_all(root.join(d))?;
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        Ok(Maildir {
            root: root.to_path_buf(),
            secs: now.as_secs(),
            micros: now.subsec_micros(),
            pid: std::process::id(),
            seq: 0,
            host: hostname(),
            sync: true,
        })
    }

    /// Delivers one message. `flags` are maildir flags (`RS`…); `None` puts
    /// the message in `new/`, `Some` in `cur/` with a `:2,` suffix.
    ///
    /// Names sort in delivery order (`<secs>.M<usec>Q<seq>P<pid>.<host>`,
    /// the sequence zero-padded), so a maildir written by `convert` reads
    /// back in the order it was written.
    pub fn deliver(&mut self, msg: &[u8], flags: Option<&str>) -> io::Result<PathBuf> {
        let base = format!(
            "{}.M{:06}Q{:08}P{}.{}",
            self.secs, self.micros, self.seq, self.pid, self.host
        );
        self.seq += 1;
        let tmp_path = self.root.join("tmp").join(&base);
        {
            let mut f = OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&tmp_path)?;
            f.write_all(msg)?;
            if self.sync {
                f.sync_data()?;
            }
        }
        let dest = match flags {
            None => self.root.join("new").join(&base),
            Some(fl) => self.root.join("cur").join(format!("{base}:2,{fl}")),
        };
        // link(2) fails when the name exists: never clobber.
        let r = fs::hard_link(&tmp_path, &dest);
        let _ = fs::remove_file(&tmp_path);
        r?;
        Ok(dest)
    }
}

/// Writes messages to an mbox in the mboxrd dialect.
pub struct MboxWriter {
    file: File,
    path: PathBuf,
    /// For a new mbox: the temporary file renamed into place by `finish`.
    tmp: Option<tempfile::NamedTempFile>,
    /// For an existing mbox: its length before we wrote, to undo a failure.
    start_len: u64,
    buf: io::BufWriter<File>,
    /// Messages written.
    pub written: usize,
}

impl MboxWriter {
    /// Opens `path` for appending (creating it atomically if absent).
    pub fn open(path: &Path) -> io::Result<MboxWriter> {
        if path.exists() {
            let mut file = OpenOptions::new().read(true).append(true).open(path)?;
            let start_len = file.seek(io::SeekFrom::End(0))?;
            let mut w = MboxWriter {
                buf: io::BufWriter::with_capacity(256 * 1024, file.try_clone()?),
                file,
                path: path.to_path_buf(),
                tmp: None,
                start_len,
                written: 0,
            };
            // Make sure the last message is followed by a blank line, so the
            // first appended From_ line is a clean boundary.
            if start_len > 0 {
                let tail = last_bytes(path, 2)?;
                let pad: &[u8] = if tail.ends_with(b"\n\n") {
                    b""
                } else if tail.ends_with(b"\n") {
                    b"\n"
                } else {
                    b"\n\n"
                };
                w.buf.write_all(pad)?;
            }
            Ok(w)
        } else {
            let dir = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            };
            let tmp = tempfile::Builder::new()
                .prefix(".emlkit-mbox-")
                .tempfile_in(dir)?;
            let file = tmp.reopen()?;
            Ok(MboxWriter {
                buf: io::BufWriter::with_capacity(256 * 1024, file.try_clone()?),
                file,
                path: path.to_path_buf(),
                tmp: Some(tmp),
                start_len: 0,
                written: 0,
            })
        }
    }

    /// Writes one message after its `From_` line (given without line
    /// ending). Returns false when the message did not end with a newline
    /// and one had to be added (mbox cannot keep that difference).
    pub fn write(&mut self, from_line: &[u8], msg: &[u8]) -> io::Result<bool> {
        let r = write_mboxrd(&mut self.buf, from_line, msg);
        if r.is_err() {
            self.abort();
        }
        self.written += 1;
        r
    }

    /// Undoes what this writer wrote (best effort).
    pub fn abort(&mut self) {
        if self.tmp.is_none() {
            let _ = self.file.set_len(self.start_len);
        }
        // A NamedTempFile removes itself when dropped.
    }

    /// Flushes, syncs and, for a new mbox, moves it into place (failing
    /// rather than replacing a file created meanwhile).
    pub fn finish(mut self) -> io::Result<()> {
        if let Err(e) = self.buf.flush().and_then(|_| self.file.sync_data()) {
            self.abort();
            return Err(e);
        }
        if let Some(tmp) = self.tmp.take() {
            tmp.persist_noclobber(&self.path).map_err(|e| e.error)?;
        }
        Ok(())
    }
}

fn last_bytes(path: &Path, n: u64) -> io::Result<Vec<u8>> {
    use std::io::Read;
    let mut f = File::open(path)?;
    let len = f.metadata()?.len();
    f.seek(io::SeekFrom::Start(len.saturating_sub(n)))?;
    let mut v = Vec::new();
    f.read_to_end(&mut v)?;
    Ok(v)
}

/// Writes one mboxrd record: the `From_` line, the quoted message, and the
/// blank separator line. Returns false when a final newline was added.
pub fn write_mboxrd(w: &mut dyn Write, from_line: &[u8], msg: &[u8]) -> io::Result<bool> {
    w.write_all(from_line)?;
    w.write_all(b"\n")?;
    w.write_all(&crate::source::mbox::quote(msg))?;
    let complete = msg.is_empty() || msg.ends_with(b"\n");
    if !complete {
        w.write_all(b"\n")?;
    }
    w.write_all(b"\n")?;
    Ok(complete)
}

/// A `From_` line for a message that has none: the `Return-Path` address (or
/// `MAILER-DAEMON`) and the given time in asctime form, UTC.
pub fn synth_from_line(msg: &[u8], secs: i64) -> Vec<u8> {
    let sender = header_value(msg, b"return-path")
        .map(|v| {
            String::from_utf8_lossy(&v)
                .trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_string()
        })
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "MAILER-DAEMON".into());
    let date = chrono::DateTime::from_timestamp(secs, 0)
        .unwrap_or_default()
        .format("%a %b %e %H:%M:%S %Y");
    format!("From {sender} {date}").into_bytes()
}

/// The value of the first header field `name` (lower-case), unfolded
/// lightly (line endings removed), from the header block of `msg`.
pub fn header_value(msg: &[u8], name: &[u8]) -> Option<Vec<u8>> {
    let mut lines = msg.split_inclusive(|&b| b == b'\n');
    let mut found: Option<Vec<u8>> = None;
    for line in lines.by_ref() {
        let bare = trim_eol(line);
        if bare.is_empty() {
            break;
        }
        if let Some(v) = found.as_mut() {
            if bare[0] == b' ' || bare[0] == b'\t' {
                v.extend_from_slice(bare);
                continue;
            }
            return found;
        }
        if bare.len() > name.len()
            && bare[name.len()] == b':'
            && bare[..name.len()].eq_ignore_ascii_case(name)
        {
            found = Some(bare[name.len() + 1..].to_vec());
        }
    }
    found
}

fn trim_eol(line: &[u8]) -> &[u8] {
    let l = line.strip_suffix(b"\n").unwrap_or(line);
    l.strip_suffix(b"\r").unwrap_or(l)
}

/// Returns `msg` with its `Status` and `X-Status` fields set to the given
/// values (removed when `None`), inserted at the end of the header block.
/// Borrowed when the message already says exactly that.
pub fn with_status<'m>(
    msg: &'m [u8],
    status: Option<&str>,
    x_status: Option<&str>,
) -> std::borrow::Cow<'m, [u8]> {
    let cur_s =
        header_value(msg, b"status").map(|v| String::from_utf8_lossy(&v).trim().to_string());
    let cur_x =
        header_value(msg, b"x-status").map(|v| String::from_utf8_lossy(&v).trim().to_string());
    if cur_s.as_deref() == status && cur_x.as_deref() == x_status {
        return std::borrow::Cow::Borrowed(msg);
    }
    let crlf = msg
        .iter()
        .position(|&b| b == b'\n')
        .is_some_and(|i| i > 0 && msg[i - 1] == b'\r');
    let eol: &[u8] = if crlf { b"\r\n" } else { b"\n" };
    let mut out = Vec::with_capacity(msg.len() + 40);
    let mut pos = 0;
    let mut skipping = false;
    let mut body_at = msg.len();
    for line in msg.split_inclusive(|&b| b == b'\n') {
        let bare = trim_eol(line);
        if bare.is_empty() {
            body_at = pos;
            break;
        }
        let cont = bare[0] == b' ' || bare[0] == b'\t';
        if !cont {
            let lower = bare.to_ascii_lowercase();
            skipping = lower.starts_with(b"status:") || lower.starts_with(b"x-status:");
        }
        if !skipping {
            out.extend_from_slice(line);
        }
        pos += line.len();
    }
    if !out.is_empty() && !out.ends_with(b"\n") {
        out.extend_from_slice(eol);
    }
    if let Some(s) = status {
        out.extend_from_slice(b"Status: ");
        out.extend_from_slice(s.as_bytes());
        out.extend_from_slice(eol);
    }
    if let Some(x) = x_status {
        out.extend_from_slice(b"X-Status: ");
        out.extend_from_slice(x.as_bytes());
        out.extend_from_slice(eol);
    }
    out.extend_from_slice(&msg[body_at..]);
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::mbox::{unquote, MboxSplitter};
    use proptest::prelude::*;

    fn read_back(mbox: &[u8]) -> Vec<Vec<u8>> {
        MboxSplitter::new(mbox)
            .map(|e| unquote(&mbox[e.message]).into_owned())
            .collect()
    }

    /// Messages with a header, and bodies full of `From ` and `>From ` lines.
    fn message() -> impl Strategy<Value = Vec<u8>> {
        let line = prop_oneof![
            "[a-z ]{0,20}".prop_map(|s| s),
            "(>{0,3})From [a-z]{0,8}".prop_map(|s| s),
            Just("From x@y Mon Jan  1 00:00:00 2001".to_string()),
            Just(String::new()),
        ];
        (
            prop::collection::vec(line, 0..12),
            any::<bool>(),
            "[a-z]{1,10}",
        )
            .prop_map(|(lines, crlf, subj)| {
                let eol = if crlf { "\r\n" } else { "\n" };
                let mut m = format!("Subject: {subj}{eol}{eol}");
                for l in lines {
                    m.push_str(&l);
                    m.push_str(eol);
                }
                m.into_bytes()
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn mboxrd_write_read_round_trip(msgs in prop::collection::vec(message(), 1..6)) {
            let mut out = Vec::new();
            for m in &msgs {
                write_mboxrd(&mut out, b"From a@b Mon Jan  1 00:00:00 2001", m).unwrap();
            }
            prop_assert_eq!(read_back(&out), msgs);
        }
    }

    #[test]
    fn status_fields_are_set_and_kept() {
        let m = b"Subject: x\nStatus: O\n\nbody\n";
        assert!(matches!(
            with_status(m, Some("O"), None),
            std::borrow::Cow::Borrowed(_)
        ));
        let s = with_status(m, Some("RO"), Some("A"));
        assert_eq!(&*s, b"Subject: x\nStatus: RO\nX-Status: A\n\nbody\n");
        let c = with_status(b"A: b\r\n\r\nx\r\n", Some("RO"), None);
        assert_eq!(&*c, b"A: b\r\nStatus: RO\r\n\r\nx\r\n");
    }

    #[test]
    fn synthesised_from_line_is_a_from_line() {
        let l = synth_from_line(b"Return-Path: <a@b.c>\n\nx\n", 0);
        assert_eq!(l, b"From a@b.c Thu Jan  1 00:00:00 1970");
        assert!(crate::source::mbox::is_from_line(&l));
    }

    #[test]
    fn maildir_never_clobbers_and_sorts_in_order() {
        let d = tempfile::tempdir().unwrap();
        let mut md = Maildir::create(d.path()).unwrap();
        let a = md.deliver(b"A: 1\n\n", None).unwrap();
        let b = md.deliver(b"A: 2\n\n", Some("S")).unwrap();
        assert!(a.starts_with(d.path().join("new")));
        assert!(b.to_string_lossy().ends_with(":2,S"));
        assert_eq!(fs::read_dir(d.path().join("tmp")).unwrap().count(), 0);
        let list = crate::source::maildir::list_maildir(d.path(), false).unwrap();
        assert_eq!(list[0].path, a);
        assert_eq!(list[1].path, b);
        let e = write_new(d.path(), "x.eml", b"1", true).unwrap();
        assert!(write_new(d.path(), "x.eml", b"2", false).is_err());
        assert_eq!(fs::read(e).unwrap(), b"1");
    }

    #[test]
    fn mbox_append_keeps_old_messages() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("box");
        for round in 0..2 {
            let mut w = MboxWriter::open(&p).unwrap();
            w.write(
                b"From a Mon Jan  1 00:00:00 2001",
                format!("A: {round}\n\nx\n").as_bytes(),
            )
            .unwrap();
            w.finish().unwrap();
        }
        let data = fs::read(&p).unwrap();
        assert_eq!(
            read_back(&data),
            [b"A: 0\n\nx\n".to_vec(), b"A: 1\n\nx\n".to_vec()]
        );
    }
}
