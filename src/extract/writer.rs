//! [`SafeWriter`]: creates files inside one output directory and nowhere
//! else, never following a link and never overwriting.
//!
//! The output directory is opened once; every file and sub-directory is then
//! created relative to that open directory (`openat`/`mkdirat`), with a
//! single path component that cannot contain `/`. Files are created with
//! `O_CREAT | O_EXCL | O_NOFOLLOW`: an existing entry of the same name (a
//! file, a directory or a planted symlink pointing anywhere) makes the
//! creation fail with `EEXIST`, and the next numbered name is tried
//! (`report (2).pdf`). Sub-directories are created with `mkdirat`; an
//! existing one is reused only when it opens with `O_DIRECTORY |
//! O_NOFOLLOW`, so a symlink planted under a sub-directory's name is never
//! entered. Files get mode 0644 and directories 0755 (before the umask):
//! nothing written is executable.
//!
//! The path of the output directory itself is the user's choice and is
//! followed like any path given on the command line.
//!
//! See: issue 4 (Safe attachment extraction), DESIGN.md "Extraction safety".

use super::name::numbered;
use rustix::fs::{mkdirat, openat, unlinkat, AtFlags, Mode, OFlags, CWD};
use rustix::io::Errno;
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Write};
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// How many numbered names are tried before giving up on a name.
const MAX_SUFFIX: u32 = 10_000;

/// Why a write was refused or failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    /// The name is not one plain path component (a bug in the caller: names
    /// go through `name::safe_name` first).
    #[error("refused to create {name:?}: not a single plain file name")]
    UnsafeName {
        /// The name refused.
        name: String,
    },
    /// Every numbered variant of the name exists already.
    #[error("{dir}: no free name for {name:?} after {MAX_SUFFIX} tries")]
    NoFreeName {
        /// The directory.
        dir: PathBuf,
        /// The name.
        name: String,
    },
    /// The file system refused.
    #[error("{path}: {source}")]
    Io {
        /// The path we tried to create.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: io::Error,
    },
}

/// Creates files inside one directory; see the module docs.
/// Cloning is cheap: clones share the open directory.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SafeWriter {
    dir: Arc<OwnedFd>,
    path: PathBuf,
    /// The next number to try for each name already taken, so that many
    /// parts with one name cost one `openat` each, not one per number
    /// already used (a hostile message may carry 10,000 `a.txt`).
    next: Arc<Mutex<HashMap<String, u32>>>,
}

/// True when `name` is one component we are willing to create.
pub fn is_plain_component(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains('/')
        && !name.contains('\0')
        && name.len() <= 255
}

fn io_err(path: PathBuf, e: impl Into<io::Error>) -> WriteError {
    WriteError::Io {
        path,
        source: e.into(),
    }
}

impl SafeWriter {
    /// Opens (creating it and its parents if missing) the output directory.
    pub fn open(path: &Path) -> Result<SafeWriter, WriteError> {
        std::fs::create_dir_all(path).map_err(|e| io_err(path.to_path_buf(), e))?;
        let dir = openat(
            CWD,
            path,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| io_err(path.to_path_buf(), e))?;
        Ok(SafeWriter {
            dir: Arc::new(dir),
            path: path.to_path_buf(),
            next: Arc::default(),
        })
    }

    fn lock_next(&self) -> std::sync::MutexGuard<'_, HashMap<String, u32>> {
        // A poisoned map is still a valid map of hints.
        self.next.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The directory's path as given (for messages and manifests).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Opens the sub-directory `name`, creating it if needed. An existing
    /// entry that is not a real directory (a file, a symlink) is left alone
    /// and a numbered name is used instead. Returns the writer and the name
    /// used.
    pub fn subdir(&self, name: &str) -> Result<(SafeWriter, String), WriteError> {
        if !is_plain_component(name) {
            return Err(WriteError::UnsafeName { name: name.into() });
        }
        for n in 1..=MAX_SUFFIX {
            let cand = if n == 1 {
                name.to_string()
            } else {
                numbered(name, n)
            };
            let path = self.path.join(&cand);
            match mkdirat(&*self.dir, cand.as_str(), Mode::from_raw_mode(0o755)) {
                Ok(()) | Err(Errno::EXIST) => {}
                Err(e) => return Err(io_err(path, e)),
            }
            match openat(
                &*self.dir,
                cand.as_str(),
                OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                Mode::empty(),
            ) {
                Ok(dir) => {
                    let dir = Arc::new(dir);
                    let next = Arc::default();
                    return Ok((SafeWriter { dir, path, next }, cand));
                }
                // A symlink (ELOOP), a file (ENOTDIR): not ours to enter.
                Err(Errno::LOOP) | Err(Errno::NOTDIR) | Err(Errno::MLINK) => continue,
                Err(e) => return Err(io_err(path, e)),
            }
        }
        Err(WriteError::NoFreeName {
            dir: self.path.clone(),
            name: name.into(),
        })
    }

    /// Creates a new file named `name`, or `name (2)`, `name (3)`… when the
    /// name is taken. Returns the open file and the name used.
    pub fn create(&self, name: &str) -> Result<(File, String), WriteError> {
        if !is_plain_component(name) {
            return Err(WriteError::UnsafeName { name: name.into() });
        }
        let start = self.lock_next().get(name).copied().unwrap_or(1);
        for n in start..=MAX_SUFFIX {
            let cand = if n == 1 {
                name.to_string()
            } else {
                numbered(name, n)
            };
            match openat(
                &*self.dir,
                cand.as_str(),
                OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                Mode::from_raw_mode(0o644),
            ) {
                Ok(fd) => {
                    self.lock_next().insert(name.to_string(), n + 1);
                    return Ok((File::from(fd), cand));
                }
                Err(Errno::EXIST) | Err(Errno::LOOP) | Err(Errno::ISDIR) => continue,
                Err(e) => return Err(io_err(self.path.join(&cand), e)),
            }
        }
        Err(WriteError::NoFreeName {
            dir: self.path.clone(),
            name: name.into(),
        })
    }

    /// Creates a new file (as [`SafeWriter::create`]) holding `data`. A
    /// failed write removes the partial file. Returns the name used.
    pub fn write_file(&self, name: &str, data: &[u8]) -> Result<String, WriteError> {
        let (mut f, used) = self.create(name)?;
        if let Err(e) = f.write_all(data) {
            drop(f);
            // The file is ours (we just created it): removing it is safe.
            let _ = unlinkat(&*self.dir, used.as_str(), AtFlags::empty());
            return Err(io_err(self.path.join(&used), e));
        }
        Ok(used)
    }
}

/// Numbers the temporary files of this process.
static TEMP_SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

impl SafeWriter {
    /// Writes `data` into a new hidden temporary file
    /// (`.emlkit-<pid>-<n>.tmp`), to be given its name later, in input
    /// order, by [`SafeWriter::adopt`]: workers write in parallel, and the
    /// names do not depend on which finished first. Returns the temporary
    /// name. See: issue 14 (`extract --flat` was not deterministic).
    pub fn write_temp(&self, data: &[u8]) -> Result<String, WriteError> {
        loop {
            let n = TEMP_SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let temp = format!(".emlkit-{}-{n}.tmp", std::process::id());
            match openat(
                &*self.dir,
                temp.as_str(),
                OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                Mode::from_raw_mode(0o644),
            ) {
                Ok(fd) => {
                    let mut f = File::from(fd);
                    if let Err(e) = f.write_all(data) {
                        drop(f);
                        self.remove(&temp);
                        return Err(io_err(self.path.join(&temp), e));
                    }
                    return Ok(temp);
                }
                Err(Errno::EXIST) => continue,
                Err(e) => return Err(io_err(self.path.join(&temp), e)),
            }
        }
    }

    /// Gives the temporary file `temp` (from [`SafeWriter::write_temp`])
    /// the name `name`, or `name (2)`, `name (3)`… when it is taken, never
    /// replacing anything (`renameat2(RENAME_NOREPLACE)`, or a hard link
    /// where the system lacks it). Returns the name used; on failure the
    /// temporary file is removed.
    pub fn adopt(&self, temp: &str, name: &str) -> Result<String, WriteError> {
        if !is_plain_component(name) {
            self.remove(temp);
            return Err(WriteError::UnsafeName { name: name.into() });
        }
        let start = self.lock_next().get(name).copied().unwrap_or(1);
        for n in start..=MAX_SUFFIX {
            let cand = if n == 1 {
                name.to_string()
            } else {
                numbered(name, n)
            };
            match self.rename_noreplace(temp, &cand) {
                Ok(()) => {
                    self.lock_next().insert(name.to_string(), n + 1);
                    return Ok(cand);
                }
                Err(Errno::EXIST) => continue,
                Err(e) => {
                    self.remove(temp);
                    return Err(io_err(self.path.join(&cand), e));
                }
            }
        }
        self.remove(temp);
        Err(WriteError::NoFreeName {
            dir: self.path.clone(),
            name: name.into(),
        })
    }

    /// Renames `from` to `to` inside the directory unless `to` exists.
    fn rename_noreplace(&self, from: &str, to: &str) -> Result<(), Errno> {
        #[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
        {
            use rustix::fs::{renameat_with, RenameFlags};
            match renameat_with(&*self.dir, from, &*self.dir, to, RenameFlags::NOREPLACE) {
                Err(Errno::INVAL) | Err(Errno::NOSYS) => {}
                r => return r,
            }
        }
        // No exclusive rename here: a hard link never replaces either.
        rustix::fs::linkat(&*self.dir, from, &*self.dir, to, AtFlags::empty())?;
        self.remove(from);
        Ok(())
    }

    /// Removes a temporary file of ours (best effort).
    pub fn remove(&self, temp: &str) {
        let _ = unlinkat(&*self.dir, temp, AtFlags::empty());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_overwrites_and_numbers() {
        let t = tempfile::tempdir().unwrap();
        let w = SafeWriter::open(t.path()).unwrap();
        assert_eq!(w.write_file("a.txt", b"1").unwrap(), "a.txt");
        assert_eq!(w.write_file("a.txt", b"2").unwrap(), "a (2).txt");
        assert_eq!(w.write_file("a.txt", b"3").unwrap(), "a (3).txt");
        assert_eq!(std::fs::read(t.path().join("a.txt")).unwrap(), b"1");
        assert_eq!(std::fs::read(t.path().join("a (2).txt")).unwrap(), b"2");
    }

    #[test]
    fn planted_symlinks_are_not_followed() {
        let t = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let target = outside.path().join("victim");
        std::fs::write(&target, b"keep").unwrap();
        let out = t.path().join("out");
        std::fs::create_dir(&out).unwrap();
        std::os::unix::fs::symlink(&target, out.join("x.txt")).unwrap();
        std::os::unix::fs::symlink(outside.path(), out.join("sub")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("nothere"), out.join("dangling")).unwrap();
        let w = SafeWriter::open(&out).unwrap();
        assert_eq!(w.write_file("x.txt", b"evil").unwrap(), "x (2).txt");
        assert_eq!(w.write_file("dangling", b"evil").unwrap(), "dangling (2)");
        let (sub, used) = w.subdir("sub").unwrap();
        assert_eq!(used, "sub (2)");
        sub.write_file("y", b"ok").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"keep");
        assert!(!outside.path().join("nothere").exists());
        assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 1);
        assert!(out.join("sub (2)").join("y").is_file());
    }

    #[test]
    fn many_equal_names_stay_fast() {
        let t = tempfile::tempdir().unwrap();
        let w = SafeWriter::open(t.path()).unwrap();
        for _ in 0..3000 {
            w.write_file("a.txt", b"").unwrap();
        }
        assert!(t.path().join("a (3000).txt").is_file());
        // A fresh writer on the same folder still never overwrites.
        let w2 = SafeWriter::open(t.path()).unwrap();
        assert_eq!(w2.write_file("a.txt", b"x").unwrap(), "a (3001).txt");
    }

    #[test]
    fn temp_files_are_named_in_the_order_adopted() {
        let t = tempfile::tempdir().unwrap();
        let w = SafeWriter::open(t.path()).unwrap();
        std::fs::write(t.path().join("a.bin"), b"old").unwrap();
        let second = w.write_temp(b"2").unwrap();
        let first = w.write_temp(b"1").unwrap();
        assert_eq!(w.adopt(&first, "a.bin").unwrap(), "a (2).bin");
        assert_eq!(w.adopt(&second, "a.bin").unwrap(), "a (3).bin");
        assert_eq!(std::fs::read(t.path().join("a.bin")).unwrap(), b"old");
        assert_eq!(std::fs::read(t.path().join("a (2).bin")).unwrap(), b"1");
        assert_eq!(std::fs::read(t.path().join("a (3).bin")).unwrap(), b"2");
        assert_eq!(std::fs::read_dir(t.path()).unwrap().count(), 3);
        let bad = w.write_temp(b"x").unwrap();
        assert!(w.adopt(&bad, "../x").is_err());
        assert_eq!(std::fs::read_dir(t.path()).unwrap().count(), 3);
    }

    #[test]
    fn refuses_paths() {
        let t = tempfile::tempdir().unwrap();
        let w = SafeWriter::open(t.path()).unwrap();
        for bad in ["../x", "..", ".", "", "a/b", "/etc/passwd", "a\0b"] {
            assert!(matches!(
                w.write_file(bad, b"x"),
                Err(WriteError::UnsafeName { .. })
            ));
        }
        // An existing real directory is reused; a file of that name is not.
        std::fs::create_dir(t.path().join("d")).unwrap();
        std::fs::write(t.path().join("f"), b"").unwrap();
        assert_eq!(w.subdir("d").unwrap().1, "d");
        assert_eq!(w.subdir("f").unwrap().1, "f (2)");
        // A directory in the way of a file.
        assert_eq!(w.write_file("d", b"x").unwrap(), "d (2)");
    }
}
