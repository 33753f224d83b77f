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

/// The permission rule for everything emlkit writes: mail is private, so
/// new files are readable and writable by their owner only and new
/// directories are accessible by their owner only (as mutt, Dovecot and
/// procmail create mailboxes). An existing mbox keeps its mode.
///
/// See: issue 12 (one documented permission rule).
pub const FILE_MODE: u32 = 0o600;
/// See [`FILE_MODE`].
pub const DIR_MODE: u32 = 0o700;

/// Creates `dir` and its missing parents with [`DIR_MODE`].
pub fn create_dir_private(dir: &Path) -> io::Result<()> {
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(DIR_MODE);
    }
    b.create(dir)
}

fn create_new_private(path: &Path) -> io::Result<File> {
    let mut o = OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(FILE_MODE);
    }
    o.open(path)
}

/// Message files by size, each with its SHA-256 once it was needed.
type BySize = std::collections::HashMap<u64, Vec<(PathBuf, Option<[u8; 32]>)>>;

/// Delivers messages into a maildir.
#[non_exhaustive]
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
    /// Messages already in the maildir when it was opened, by size, for
    /// [`Maildir::skip_duplicates`]; hashed lazily, only on a size match.
    existing: Option<BySize>,
    /// Messages not delivered because the maildir already held the same bytes.
    pub skipped: usize,
    /// Keyword names by letter (`a` = 0), as in the maildir's
    /// `dovecot-keywords`; extended (and the file rewritten) when a message
    /// brings a new keyword.
    keywords: [Option<String>; 26],
    /// Keywords that found no free letter (Dovecot's limit is 26 per maildir).
    pub keywords_dropped: usize,
}

/// What goes with a message into a maildir besides its bytes.
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub struct Delivery<'a> {
    /// Maildir flags (`RS`…); `None` (and no keywords) puts the message in
    /// `new/`, otherwise it goes to `cur/` with a `:2,` suffix.
    pub flags: Option<&'a str>,
    /// IMAP keywords, stored as letters named in `dovecot-keywords`.
    pub keywords: &'a [String],
    /// The file's modification time, seconds since the epoch: the arrival
    /// (INTERNALDATE) Dovecot and mutt read from a maildir.
    pub mtime: Option<i64>,
}

impl Maildir {
    /// Opens a maildir, creating `tmp/`, `new/` and `cur/` as needed.
    pub fn create(root: &Path) -> io::Result<Maildir> {
        for d in ["tmp", "new", "cur"] {
            create_dir_private(&root.join(d))?;
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
            existing: None,
            skipped: 0,
            keywords: crate::source::maildir::read_dovecot_keywords(root),
            keywords_dropped: 0,
        })
    }

    /// The letters for `names`, assigning free letters to new keywords and
    /// rewriting `dovecot-keywords` (to a temporary file renamed into place,
    /// as Dovecot does) when that happened.
    fn keyword_letters(&mut self, names: &[String]) -> io::Result<Vec<u8>> {
        let mut letters = Vec::new();
        let mut changed = false;
        for name in names {
            let pos = self
                .keywords
                .iter()
                .position(|k| k.as_deref() == Some(name));
            let pos = match pos {
                Some(p) => Some(p),
                None => {
                    let free = self.keywords.iter().position(Option::is_none);
                    if let Some(f) = free {
                        self.keywords[f] = Some(name.clone());
                        changed = true;
                    } else {
                        self.keywords_dropped += 1;
                    }
                    free
                }
            };
            if let Some(p) = pos {
                letters.push(b'a' + p as u8);
            }
        }
        if changed {
            let mut text = String::new();
            for (i, k) in self.keywords.iter().enumerate() {
                if let Some(k) = k {
                    text.push_str(&format!("{i} {k}\n"));
                }
            }
            let mut tmp = tempfile::Builder::new()
                .prefix(".emlkit-keywords-")
                .tempfile_in(&self.root)?;
            tmp.write_all(text.as_bytes())?;
            tmp.persist(self.root.join("dovecot-keywords"))
                .map_err(|e| e.error)?;
        }
        letters.sort_unstable();
        letters.dedup();
        Ok(letters)
    }

    /// From now on, a message whose bytes equal a message that was in the
    /// maildir (`new/`, `cur/`) before this call is not delivered again but
    /// counted in [`Maildir::skipped`], so converting twice into one maildir
    /// does not double it. Messages delivered by this writer are not
    /// compared: a source that holds the same message twice keeps both.
    /// This is disabled by default.
    ///
    /// See: issue 12.
    pub fn skip_duplicates(&mut self) -> io::Result<()> {
        let mut by_size = BySize::default();
        for e in crate::source::maildir::list_maildir(&self.root, false)? {
            if let Ok(m) = fs::metadata(&e.path) {
                by_size.entry(m.len()).or_default().push((e.path, None));
            }
        }
        self.existing = Some(by_size);
        Ok(())
    }

    /// The message already in the maildir with the bytes of `msg`, if any.
    fn duplicate_of(&mut self, msg: &[u8]) -> Option<PathBuf> {
        use sha2::Digest;
        let same_size = self.existing.as_mut()?.get_mut(&(msg.len() as u64))?;
        let want: [u8; 32] = sha2::Sha256::digest(msg).into();
        same_size.iter_mut().find_map(|(path, hash)| {
            if hash.is_none() {
                *hash = fs::read(path.as_path())
                    .ok()
                    .map(|b| sha2::Sha256::digest(&b).into());
            }
            (*hash == Some(want)).then(|| path.clone())
        })
    }

    /// Delivers one message. `flags` are maildir flags (`RS`…); `None` puts
    /// the message in `new/`, `Some` in `cur/` with a `:2,` suffix.
    pub fn deliver(&mut self, msg: &[u8], flags: Option<&str>) -> io::Result<PathBuf> {
        self.deliver_with(
            msg,
            &Delivery {
                flags,
                ..Delivery::default()
            },
        )
    }

    /// Delivers one message with its flags, keywords and arrival time.
    ///
    /// Names sort in delivery order (`<secs>.M<usec>Q<seq>P<pid>.<host>`,
    /// the run's start time and a zero-padded sequence), so a maildir
    /// written by `convert` reads back in the order it was written; the
    /// arrival time goes to the file's modification time, where Dovecot and
    /// mutt read it. With [`Maildir::skip_duplicates`], a message already
    /// there is not written: the path of the one there is returned and
    /// [`Maildir::skipped`] counts it.
    pub fn deliver_with(&mut self, msg: &[u8], d: &Delivery<'_>) -> io::Result<PathBuf> {
        if let Some(there) = self.duplicate_of(msg) {
            self.skipped += 1;
            return Ok(there);
        }
        let letters = self.keyword_letters(d.keywords)?;
        let base = format!(
            "{}.M{:06}Q{:08}P{}.{}",
            self.secs, self.micros, self.seq, self.pid, self.host
        );
        self.seq += 1;
        let tmp_path = self.root.join("tmp").join(&base);
        {
            let mut f = create_new_private(&tmp_path)?;
            f.write_all(msg)?;
            if let Some(t) = d.mtime {
                let when = if t >= 0 {
                    UNIX_EPOCH + std::time::Duration::from_secs(t as u64)
                } else {
                    UNIX_EPOCH - std::time::Duration::from_secs(t.unsigned_abs())
                };
                f.set_times(fs::FileTimes::new().set_modified(when).set_accessed(when))?;
            }
            if self.sync {
                f.sync_data()?;
            }
        }
        let dest = if d.flags.is_none() && letters.is_empty() {
            self.root.join("new").join(&base)
        } else {
            // Flags and keyword letters in ASCII order, as Dovecot writes them.
            let mut info: Vec<u8> = d.flags.unwrap_or("").bytes().collect();
            info.extend_from_slice(&letters);
            info.sort_unstable();
            info.dedup();
            let info = String::from_utf8_lossy(&info).into_owned();
            self.root.join("cur").join(format!("{base}:2,{info}"))
        };
        // link(2) fails when the name exists: never clobber.
        let r = fs::hard_link(&tmp_path, &dest);
        let _ = fs::remove_file(&tmp_path);
        r?;
        Ok(dest)
    }
}

/// How long a dotlock may be held before it is taken as left behind by a
/// crashed program and removed: procmail's default `LOCKTIMEOUT` (1024 s).
const DOTLOCK_STALE_SECS: u64 = 1024;
/// How long to wait for another program's dotlock.
const DOTLOCK_WAIT_SECS: u64 = 30;

/// A `<mbox>.lock` file, created with O_EXCL and removed when dropped: the
/// lock mutt, procmail, Dovecot and mail(1) agree on for mbox files.
struct DotLock {
    path: PathBuf,
}

impl DotLock {
    /// Takes the dotlock of `mbox`, waiting for another holder. `Ok(None)`
    /// when the directory does not let us create files (a system spool
    /// such as /var/mail without a setgid helper): then the fcntl lock is
    /// the only one, as with Dovecot's `dotlock_use_excl` fallback.
    fn acquire(mbox: &Path) -> io::Result<Option<DotLock>> {
        let mut name = mbox.as_os_str().to_owned();
        name.push(".lock");
        let path = PathBuf::from(name);
        let started = std::time::Instant::now();
        loop {
            match create_new_private(&path) {
                Ok(mut f) => {
                    let _ = writeln!(f, "{}", std::process::id());
                    return Ok(Some(DotLock { path }));
                }
                Err(e) if e.kind() == io::ErrorKind::PermissionDenied => return Ok(None),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    let age = fs::metadata(&path)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| t.elapsed().ok())
                        .map_or(0, |d| d.as_secs());
                    if age > DOTLOCK_STALE_SECS {
                        let _ = fs::remove_file(&path);
                        continue;
                    }
                    if started.elapsed().as_secs() >= DOTLOCK_WAIT_SECS {
                        return Err(io::Error::new(
                            io::ErrorKind::WouldBlock,
                            format!(
                                "{} is locked by another program ({} exists)",
                                mbox.display(),
                                path.display()
                            ),
                        ));
                    }
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                Err(e) => return Err(e),
            }
        }
    }
}

impl Drop for DotLock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// Most bytes kept before they are written to the mbox.
const MBOX_BUFFER: usize = 256 * 1024;

/// Writes messages to an mbox in the mboxrd dialect.
///
/// Appending to an existing mbox takes its dotlock and an fcntl write lock
/// (as mutt and Dovecot do), and either completes or leaves the file as it
/// was: on a failed write, on [`MboxWriter::abort`] or when dropped without
/// [`MboxWriter::finish`], the file is cut back to its old length and the
/// bytes still buffered are discarded, never written after the cut.
#[non_exhaustive]
pub struct MboxWriter {
    file: File,
    path: PathBuf,
    /// For a new mbox: the temporary file renamed into place by `finish`.
    tmp: Option<tempfile::NamedTempFile>,
    /// For an existing mbox: its length before we wrote, to undo a failure.
    start_len: u64,
    /// Bytes not yet written: our own buffer rather than a `BufWriter`, whose
    /// drop would flush a tail after the file was cut back.
    pending: Vec<u8>,
    /// Held until the writer is finished or dropped.
    _dotlock: Option<DotLock>,
    done: bool,
    /// Messages written.
    pub written: usize,
}

/// The error for an existing file that is not an mbox: appending to it
/// would bury a message or a document under mbox records.
fn not_an_mbox(path: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "{} exists and is not an mbox (it does not start with a From_ line); refusing to append to it",
            path.display()
        ),
    )
}

impl MboxWriter {
    /// Opens `path` for appending (creating it atomically if absent). An
    /// existing file must be empty or an mbox; anything else is refused
    /// before a byte is written. See: issue 12.
    pub fn open(path: &Path) -> io::Result<MboxWriter> {
        match fs::metadata(path) {
            Ok(m) if m.is_dir() => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{} is a directory, not an mbox", path.display()),
            )),
            Ok(_) => Self::append(path),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Self::create(path),
            Err(e) => Err(e),
        }
    }

    fn append(path: &Path) -> io::Result<MboxWriter> {
        // Refuse a non-mbox before taking any lock or creating a lock file.
        check_is_mbox(path)?;
        let dotlock = DotLock::acquire(path)?;
        let file = OpenOptions::new().read(true).append(true).open(path)?;
        #[cfg(unix)]
        rustix::fs::fcntl_lock(&file, rustix::fs::FlockOperation::LockExclusive)
            .map_err(io::Error::from)?;
        // Check again under the lock: the file may have changed meanwhile.
        check_is_mbox(path)?;
        let start_len = file.metadata()?.len();
        let mut w = MboxWriter {
            file,
            path: path.to_path_buf(),
            tmp: None,
            start_len,
            pending: Vec::with_capacity(MBOX_BUFFER),
            _dotlock: dotlock,
            done: false,
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
            w.pending.extend_from_slice(pad);
        }
        Ok(w)
    }

    fn create(path: &Path) -> io::Result<MboxWriter> {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        // tempfile creates the file with mode 0600 (FILE_MODE).
        let tmp = tempfile::Builder::new()
            .prefix(".emlkit-mbox-")
            .tempfile_in(dir)?;
        let file = tmp.reopen()?;
        Ok(MboxWriter {
            file,
            path: path.to_path_buf(),
            tmp: Some(tmp),
            start_len: 0,
            pending: Vec::with_capacity(MBOX_BUFFER),
            _dotlock: None,
            done: false,
            written: 0,
        })
    }

    /// Writes one message after its `From_` line (given without line
    /// ending). Returns false when the message did not end with a newline
    /// and one had to be added (mbox cannot keep that difference). On an
    /// error the mbox is already back as it was.
    pub fn write(&mut self, from_line: &[u8], msg: &[u8]) -> io::Result<bool> {
        let complete = write_mboxrd(&mut self.pending, from_line, msg)?;
        if self.pending.len() >= MBOX_BUFFER {
            if let Err(e) = self.file.write_all(&self.pending) {
                self.abort();
                return Err(e);
            }
            self.pending.clear();
        }
        self.written += 1;
        Ok(complete)
    }

    /// Undoes what this writer wrote: the buffered bytes are dropped and an
    /// appended mbox is cut back to its old length (a new one is removed).
    pub fn abort(&mut self) {
        self.pending.clear();
        if self.tmp.is_none() && !self.done {
            let _ = self.file.set_len(self.start_len);
        }
        self.done = true;
        // A NamedTempFile removes itself when dropped.
    }

    /// Flushes, syncs and, for a new mbox, moves it into place (failing
    /// rather than replacing a file created meanwhile).
    pub fn finish(mut self) -> io::Result<()> {
        let pending = std::mem::take(&mut self.pending);
        if let Err(e) = self
            .file
            .write_all(&pending)
            .and_then(|_| self.file.sync_data())
        {
            self.abort();
            return Err(e);
        }
        if let Some(tmp) = self.tmp.take() {
            tmp.persist_noclobber(&self.path).map_err(|e| e.error)?;
        }
        self.done = true;
        Ok(())
    }
}

impl Drop for MboxWriter {
    /// A writer dropped before `finish` (an error or a panic upstream)
    /// leaves the mbox as it found it.
    fn drop(&mut self) {
        if !self.done {
            self.abort();
        }
    }
}

/// Fails unless `path` is empty or starts (after blank lines) with a
/// `From ` line.
fn check_is_mbox(path: &Path) -> io::Result<()> {
    use std::io::Read;
    let mut head = [0u8; 512];
    let mut f = File::open(path)?;
    let mut n = 0;
    while n < head.len() {
        match f.read(&mut head[n..])? {
            0 => break,
            k => n += k,
        }
    }
    if n == 0 || crate::source::mbox::starts_with_from_line(&head[..n]) {
        Ok(())
    } else {
        Err(not_an_mbox(path))
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

/// A `From_` line for a message that has none: the `Return-Path` address
/// (or `MAILER-DAEMON` when there is none or it is `<>`) and the given time
/// in asctime form, UTC, as Dovecot and mutt write it.
pub fn synth_from_line(msg: &[u8], secs: i64) -> Vec<u8> {
    let sender: Vec<u8> = header_value(msg, b"return-path")
        .map(|v| {
            let v = v.trim_ascii();
            let v = v.strip_prefix(b"<").unwrap_or(v);
            let v = v.strip_suffix(b">").unwrap_or(v);
            v.split(|b| b.is_ascii_whitespace())
                .next()
                .unwrap_or_default()
                .to_vec()
        })
        .unwrap_or_default();
    crate::source::envelope::format(&sender, secs)
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

/// The header fields that hold mailbox metadata in an mbox (flags and
/// keywords, as mutt and Dovecot write them) and in a maildir's file name
/// instead: moved out of the message on the way into a maildir, and back in
/// on the way out. See: issue 12.
pub const MBOX_METADATA_FIELDS: [&[u8]; 3] = [b"status", b"x-status", b"x-keywords"];

/// Returns `msg` with every field named in `remove` (lower-case) taken out
/// of its header and the `add` fields appended at the end of the header, in
/// order, with the message's own line ending. Borrowed when that changes
/// nothing.
pub fn set_fields<'m>(
    msg: &'m [u8],
    remove: &[&[u8]],
    add: &[(&str, &[u8])],
) -> std::borrow::Cow<'m, [u8]> {
    let crlf = msg
        .iter()
        .position(|&b| b == b'\n')
        .is_some_and(|i| i > 0 && msg[i - 1] == b'\r');
    let eol: &[u8] = if crlf { b"\r\n" } else { b"\n" };
    let mut out = Vec::with_capacity(msg.len() + 64);
    let mut pos = 0;
    let mut skipping = false;
    let mut removed = false;
    let mut body_at = msg.len();
    for line in msg.split_inclusive(|&b| b == b'\n') {
        let bare = trim_eol(line);
        if bare.is_empty() {
            body_at = pos;
            break;
        }
        let cont = bare[0] == b' ' || bare[0] == b'\t';
        if !cont {
            skipping = remove.iter().any(|name| {
                bare.len() > name.len()
                    && bare[name.len()] == b':'
                    && bare[..name.len()].eq_ignore_ascii_case(name)
            });
        }
        if skipping {
            removed = true;
        } else {
            out.extend_from_slice(line);
        }
        pos += line.len();
    }
    if !removed && add.is_empty() {
        return std::borrow::Cow::Borrowed(msg);
    }
    if !out.is_empty() && !out.ends_with(b"\n") {
        out.extend_from_slice(eol);
    }
    for (name, value) in add {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.extend_from_slice(eol);
    }
    out.extend_from_slice(&msg[body_at..]);
    if out == msg {
        std::borrow::Cow::Borrowed(msg)
    } else {
        std::borrow::Cow::Owned(out)
    }
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
    let mut add: Vec<(&str, &[u8])> = Vec::new();
    if let Some(v) = status {
        add.push(("Status", v.as_bytes()));
    }
    if let Some(v) = x_status {
        add.push(("X-Status", v.as_bytes()));
    }
    set_fields(msg, &[b"status", b"x-status"], &add)
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

    #[test]
    fn aborted_or_dropped_appends_leave_the_mbox_as_it_was() {
        // See: issue 12 — an aborted append could flush a buffered tail
        // after cutting the file back.
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("box");
        let before = b"From a Mon Jan  1 00:00:00 2001\nA: 0\n\nx".to_vec();
        fs::write(&p, &before).unwrap();
        let big = vec![b'y'; 100_000];
        for how in ["abort", "drop"] {
            let mut w = MboxWriter::open(&p).unwrap();
            assert!(d.path().join("box.lock").exists());
            for _ in 0..5 {
                // Past the buffer: some of it reaches the file.
                w.write(b"From b Mon Jan  1 00:00:00 2001", &big).unwrap();
            }
            if how == "abort" {
                w.abort();
            }
            drop(w);
            assert_eq!(fs::read(&p).unwrap(), before, "{how}");
            assert!(!d.path().join("box.lock").exists());
        }
        // A new mbox that is never finished does not appear.
        let q = d.path().join("new");
        let mut w = MboxWriter::open(&q).unwrap();
        w.write(b"From b Mon Jan  1 00:00:00 2001", b"A: 1\n")
            .unwrap();
        drop(w);
        assert!(!q.exists());
    }
}
