//! Maildir and plain-directory walking, in a deterministic order.

use super::Kind;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// One message file found in a maildir or a directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaildirEntry {
    /// Full path of the message file.
    pub path: PathBuf,
    /// `cur` or `new` (prefixed by the Maildir++ folder for sub-folders), or
    /// empty for a plain directory.
    pub folder: String,
    /// Flags from the `:2,` info suffix, as written (for example `RS`).
    pub flags: Option<String>,
    /// Keywords from the lower-case letters of the `:2,` suffix, named by
    /// the maildir's `dovecot-keywords` file (Dovecot's convention: letter
    /// `a` is keyword 0). Letters the file does not name are skipped.
    pub keywords: Vec<String>,
    /// What the file is: a message ([`Kind::Eml`]), an mbox (a directory
    /// may hold mbox files), or a message of a maildir ([`Kind::Maildir`]).
    pub kind: Kind,
}

/// Parses the flags of a maildir file name: the letters after `:2,` (or
/// `!2,` / `;2,`, the separators used on file systems that forbid `:`),
/// keeping only upper-case ASCII letters (lower-case letters are Dovecot
/// keywords, not flags), sorted and de-duplicated.
pub fn parse_flags(file_name: &str) -> Option<String> {
    let idx = file_name
        .rfind(":2,")
        .or_else(|| file_name.rfind("!2,"))
        .or_else(|| file_name.rfind(";2,"))?;
    let mut flags: Vec<char> = file_name[idx + 3..]
        .chars()
        .filter(|c| c.is_ascii_uppercase())
        .collect();
    flags.sort_unstable();
    flags.dedup();
    Some(flags.into_iter().collect())
}

/// Lists the messages of a maildir: `new/` and `cur/` together (tmp/ is
/// ignored), sorted by file name, which starts with the delivery time, so the
/// order is the delivery order (and the order `convert --to maildir` wrote);
/// with `recursive`, Maildir++ sub-folders (`.Name`) follow in name order.
pub fn list_maildir(root: &Path, recursive: bool) -> io::Result<Vec<MaildirEntry>> {
    let mut out = Vec::new();
    list_one(root, "", &mut out)?;
    if recursive {
        let mut subs: Vec<(String, PathBuf)> = Vec::new();
        for e in std::fs::read_dir(root)? {
            let e = e?;
            let name = e.file_name().to_string_lossy().into_owned();
            let p = e.path();
            if name.starts_with('.') && name != "." && name != ".." && p.join("cur").is_dir() {
                subs.push((name, p));
            }
        }
        subs.sort();
        for (name, p) in subs {
            list_one(&p, &name, &mut out)?;
        }
    }
    Ok(out)
}

/// The keyword names of a maildir, by letter (`a` = index 0), from its
/// `dovecot-keywords` file (lines `<index> <name>`). Missing file: none.
///
/// See: issue 12 (maildir keywords were dropped silently).
pub fn read_dovecot_keywords(dir: &Path) -> [Option<String>; 26] {
    let mut names: [Option<String>; 26] = Default::default();
    let Ok(text) = std::fs::read(dir.join("dovecot-keywords")) else {
        return names;
    };
    for line in text.split(|&b| b == b'\n') {
        let line = String::from_utf8_lossy(line);
        let Some((idx, name)) = line.trim_end_matches('\r').split_once(' ') else {
            continue;
        };
        if let Ok(i) = idx.trim().parse::<usize>() {
            if i < 26 && !name.is_empty() {
                names[i] = Some(name.to_string());
            }
        }
    }
    names
}

/// The keyword letters (`a`..`z`) of a maildir file name's `:2,` suffix.
pub fn parse_keyword_letters(file_name: &str) -> Vec<u8> {
    let Some(idx) = file_name
        .rfind(":2,")
        .or_else(|| file_name.rfind("!2,"))
        .or_else(|| file_name.rfind(";2,"))
    else {
        return Vec::new();
    };
    let mut v: Vec<u8> = file_name[idx + 3..]
        .bytes()
        .filter(u8::is_ascii_lowercase)
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

fn list_one(dir: &Path, prefix: &str, out: &mut Vec<MaildirEntry>) -> io::Result<()> {
    let keyword_names = read_dovecot_keywords(dir);
    let mut names: Vec<(String, &'static str, PathBuf)> = Vec::new();
    for sub in ["new", "cur"] {
        let d = dir.join(sub);
        if !d.is_dir() {
            continue;
        }
        for e in std::fs::read_dir(&d)? {
            let e = e?;
            if e.file_type()?.is_file() {
                let name = e.file_name().to_string_lossy().into_owned();
                if !name.starts_with('.') {
                    names.push((name, sub, e.path()));
                }
            }
        }
    }
    // See: issue 3 — a deterministic order; the unique part of the name
    // (before the info suffix) decides, then the folder. Numbers compare as
    // numbers: Dovecot writes microseconds unpadded (`M98765P…` was written
    // before `M123456P…` in the same second). See: issue 12.
    names.sort_by(|a, b| natural_cmp(base_name(&a.0), base_name(&b.0)).then(a.0.cmp(&b.0)));
    for (name, sub, path) in names {
        let keywords = parse_keyword_letters(&name)
            .into_iter()
            .filter_map(|l| keyword_names[(l - b'a') as usize].clone())
            .collect();
        out.push(MaildirEntry {
            flags: parse_flags(&name),
            keywords,
            kind: Kind::Maildir,
            path,
            folder: if prefix.is_empty() {
                sub.to_string()
            } else {
                format!("{prefix}/{sub}")
            },
        });
    }
    Ok(())
}

/// The name without its `:2,…` info suffix.
pub fn base_name(name: &str) -> &str {
    for sep in [":2,", "!2,", ";2,"] {
        if let Some(i) = name.rfind(sep) {
            return &name[..i];
        }
    }
    name
}

/// Lists the members of a plain directory (recursively when asked), in
/// name order, skipping hidden files. Each member is read as what it is: a
/// file starting with a `From ` line is an mbox, other files are messages,
/// and with `recursive` a sub-directory with `cur/` and `new/` is a maildir
/// (its messages listed as [`list_maildir`] lists them, Maildir++ folders
/// included), other sub-directories are walked.
///
/// See: issue 12 (a directory can hold messages, mboxes and maildirs).
pub fn list_directory(root: &Path, recursive: bool) -> io::Result<Vec<MaildirEntry>> {
    let mut out = Vec::new();
    // (path, is a maildir)
    let mut stack = vec![(root.to_path_buf(), false)];
    while let Some((dir, is_maildir)) = stack.pop() {
        if is_maildir {
            out.extend(list_maildir(&dir, true)?);
            continue;
        }
        let mut names: Vec<(String, PathBuf, bool)> = Vec::new();
        for e in std::fs::read_dir(&dir)? {
            let e = e?;
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let ft = e.file_type()?;
            names.push((name, e.path(), ft.is_dir()));
        }
        // Numeric runs compare as numbers, so `split` output past 999999
        // (`1000000.eml`) still reads back in message order.
        names.sort_by(|a, b| natural_cmp(&a.0, &b.0));
        let mut subdirs = Vec::new();
        for (_, path, is_dir) in names {
            if is_dir {
                if recursive {
                    let md = path.join("cur").is_dir() && path.join("new").is_dir();
                    subdirs.push((path, md));
                }
            } else {
                out.push(MaildirEntry {
                    kind: sniff_file(&path),
                    path,
                    folder: String::new(),
                    flags: None,
                    keywords: Vec::new(),
                });
            }
        }
        // Depth-first in name order: push in reverse so the first pops first.
        stack.extend(subdirs.into_iter().rev());
    }
    Ok(out)
}

/// The kind of one directory member, from its first bytes: an mbox when it
/// starts with a `From ` line (after blank lines), a message otherwise (also
/// when it cannot be read: the worker that opens it reports why).
pub fn sniff_file(path: &Path) -> Kind {
    let mut head = [0u8; 512];
    let n = std::fs::File::open(path)
        .and_then(|mut f| read_up_to(&mut f, &mut head))
        .unwrap_or(0);
    if super::stream::Compression::detect(&head[..n]).is_some() {
        // A compressed member: look at what it holds (a mailbox archive is
        // usually an .mbox.gz).
        return match std::fs::File::open(path).and_then(super::stream::open) {
            Ok(o) if super::mbox::starts_with_from_line(&o.head) => Kind::Mbox,
            _ => Kind::Eml,
        };
    }
    if super::mbox::starts_with_from_line(&head[..n]) {
        Kind::Mbox
    } else {
        Kind::Eml
    }
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Compares names with runs of ASCII digits taken as numbers.
pub fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i].is_ascii_digit() && b[j].is_ascii_digit() {
            let si = i;
            while i < a.len() && a[i].is_ascii_digit() {
                i += 1;
            }
            let sj = j;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            let (x, y) = (&a[si..i], &b[sj..j]);
            let x = &x[x.iter().take_while(|&&c| c == b'0').count()..];
            let y = &y[y.iter().take_while(|&&c| c == b'0').count()..];
            let o = x.len().cmp(&y.len()).then(x.cmp(y));
            if o != Ordering::Equal {
                return o;
            }
        } else {
            if a[i] != b[j] {
                return a[i].cmp(&b[j]);
            }
            i += 1;
            j += 1;
        }
    }
    (a.len() - i).cmp(&(b.len() - j)).then(a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags() {
        assert_eq!(parse_flags("123.abc:2,SR").as_deref(), Some("RS"));
        assert_eq!(parse_flags("123.abc:2,").as_deref(), Some(""));
        assert_eq!(parse_flags("123.abc"), None);
        assert_eq!(
            natural_cmp("1000000.eml", "999999.eml"),
            std::cmp::Ordering::Greater
        );
        assert_eq!(
            natural_cmp("000002.eml", "000010.eml"),
            std::cmp::Ordering::Less
        );
        assert_eq!(parse_flags("1.M2P3.host,S=4542;2,Sb").as_deref(), Some("S"));
        assert_eq!(base_name("1.M2P3.host:2,S"), "1.M2P3.host");
        assert_eq!(
            natural_cmp("1733.M98765P7.h", "1733.M123456P7.h"),
            std::cmp::Ordering::Less
        );
    }
}
