//! `convert --to maildir --by-label`: one Maildir++ folder per Gmail label
//! (see: issue 13, item 6). Labels come from the message (`X-Gmail-Labels`)
//! and are untrusted: a label is never a path.

use crate::export::listing::labels;
use crate::sink::{self, Maildir};
use anyhow::{Context, Result};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The Maildir++ folder name of a label (`.Work.2024` for `Work/2024`), or
/// None for the inbox (the maildir's root). A `/` in a label is hierarchy;
/// a `.` inside a level, control, bidi and zero-width characters become
/// `_`; empty levels are dropped; each level is cut to 100 characters.
pub fn folder_name(label: &str) -> Option<String> {
    let label = label.trim();
    if label.is_empty() || label.eq_ignore_ascii_case("inbox") {
        return None;
    }
    let levels: Vec<String> = label
        .split('/')
        .map(|level| {
            level
                .trim()
                .chars()
                .map(|c| {
                    if c == '.' || c == '\\' || crate::term::is_unsafe_char(c) {
                        '_'
                    } else {
                        c
                    }
                })
                .take(100)
                .collect::<String>()
        })
        .filter(|l| !l.is_empty())
        .collect();
    if levels.is_empty() {
        return None;
    }
    Some(format!(".{}", levels.join(".")))
}

/// The folders of one output maildir, opened as messages need them.
pub struct Folders<'a> {
    root: &'a Path,
    sync: bool,
    skip_duplicates: bool,
    open: HashMap<String, Maildir>,
}

impl<'a> Folders<'a> {
    /// The folders under `root` (a maildir).
    pub fn new(root: &'a Path, sync: bool, skip_duplicates: bool) -> Self {
        Folders {
            root,
            sync,
            skip_duplicates,
            open: HashMap::new(),
        }
    }

    /// The folders a message goes to (deduplicated, in label order); None
    /// is the root: Inbox, or a message without labels.
    pub fn targets(msg: &[u8]) -> Vec<Option<String>> {
        let mut out: Vec<Option<String>> = Vec::new();
        if let Some(v) = sink::header_value(msg, b"x-gmail-labels") {
            let (text, _) = crate::model::header::decode_text(&v);
            for l in labels(&text) {
                let f = folder_name(&l);
                if !out.contains(&f) {
                    out.push(f);
                }
            }
        }
        if out.is_empty() {
            out.push(None);
        }
        out
    }

    /// The maildir of a folder, created when first used.
    pub fn get(&mut self, folder: &str) -> Result<&mut Maildir> {
        if !self.open.contains_key(folder) {
            let path: PathBuf = self.root.join(folder);
            let mut md = Maildir::create(&path)
                .with_context(|| format!("cannot create maildir {}", path.display()))?;
            md.sync = self.sync;
            if self.skip_duplicates {
                md.skip_duplicates()
                    .with_context(|| format!("cannot list {}", path.display()))?;
            }
            self.open.insert(folder.to_string(), md);
        }
        self.open
            .get_mut(folder)
            .ok_or_else(|| anyhow::anyhow!("folder {folder} vanished"))
    }

    /// Duplicates skipped in the folders.
    pub fn skipped(&self) -> usize {
        self.open.values().map(|m| m.skipped).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_become_safe_folder_names() {
        assert_eq!(folder_name("Inbox"), None);
        assert_eq!(folder_name("Work"), Some(".Work".into()));
        assert_eq!(folder_name("Work/2024"), Some(".Work.2024".into()));
        assert_eq!(folder_name("../../etc"), Some(".__.__.etc".into()));
        assert_eq!(folder_name("a.b"), Some(".a_b".into()));
        assert_eq!(folder_name("x\u{202E}y\n"), Some(".x_y".into()));
        assert_eq!(folder_name("//"), None);
    }
}
