//! The README runs as written (issue 15, item 5): every ```console block of
//! README.md is run, command by command, in one bash session per block
//! (so a `cd` carries to the next command, as in a terminal), in a scratch
//! copy of the tour's files with the built `emlkit` first on PATH, and each
//! command's output (stdout and stderr, as a terminal shows them) must be
//! the lines the README shows after it.
//!
//! The convention: a line `$ command` (continued on the next lines while
//! its quotes are open or it ends with `\`), then its expected output up to
//! the next `$ ` line or the end of the block. The scratch directory holds
//! a copy of `testdata/` (with `testdata/tour/archive.mbox`, the sample
//! mailbox) and `../shared` pointing at the real one (blocks that use it are skipped,
//! with a note, when it is absent). The test also checks that the tour
//! leaves nothing behind: after every block the scratch copy holds exactly
//! what it held before.

use std::collections::BTreeSet;
use std::path::Path;

/// One command and the output the README shows for it.
struct Step {
    cmd: String,
    want: String,
}

fn blocks(doc: &str) -> Vec<Vec<Step>> {
    let mut out = Vec::new();
    let mut cur: Option<Vec<Step>> = None;
    let mut open_cmd: Option<String> = None;
    for line in doc.lines() {
        if line == "```console" {
            cur = Some(Vec::new());
            continue;
        }
        let Some(b) = cur.as_mut() else {
            continue;
        };
        if let Some(mut c) = open_cmd.take() {
            c.push('\n');
            c.push_str(line);
            if incomplete(&c) {
                open_cmd = Some(c);
            } else {
                b.push(Step {
                    cmd: c,
                    want: String::new(),
                });
            }
            continue;
        }
        if line == "```" {
            out.push(cur.take().unwrap_or_default());
        } else if let Some(cmd) = line.strip_prefix("$ ") {
            if incomplete(cmd) {
                open_cmd = Some(cmd.to_string());
            } else {
                b.push(Step {
                    cmd: cmd.to_string(),
                    want: String::new(),
                });
            }
        } else if let Some(last) = b.last_mut() {
            last.want.push_str(line);
            last.want.push('\n');
        }
    }
    out
}

/// True while a command goes on to the next line: an open quote, or a
/// trailing backslash.
fn incomplete(cmd: &str) -> bool {
    let (mut single, mut double) = (false, false);
    let mut chars = cmd.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' if !single => {
                chars.next();
            }
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            _ => {}
        }
    }
    single || double || cmd.ends_with('\\')
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let ft = e.file_type().unwrap();
        let dest = to.join(e.file_name());
        if ft.is_dir() {
            copy_dir(&e.path(), &dest);
        } else if ft.is_file() {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}

/// Every path under `root`, for the "nothing left behind" check.
fn listing(root: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            out.insert(p.strip_prefix(root).unwrap().display().to_string());
            if e.file_type().unwrap().is_dir() {
                stack.push(p);
            }
        }
    }
    out
}

#[test]
fn every_console_block_of_the_readme_runs_as_written() {
    let root = super::common::root();
    let doc = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    let blocks = blocks(&doc);
    assert!(
        blocks.len() >= 8,
        "the README's console blocks were not found"
    );
    let bin = assert_cmd::cargo::cargo_bin("emlkit");
    let path = format!(
        "{}:{}",
        bin.parent().expect("the binary's directory").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let shared = root.join("../shared");
    // scratch/repo is the checkout, scratch/shared the shared folder.
    let scratch = tempfile::tempdir().unwrap();
    let repo = scratch.path().join("repo");
    copy_dir(&root.join("testdata"), &repo.join("testdata"));
    let have_shared = shared.join("corpora").is_dir();
    if have_shared {
        std::os::unix::fs::symlink(
            shared.canonicalize().unwrap(),
            scratch.path().join("shared"),
        )
        .unwrap();
    }
    // The tour's sample is the pipeline tests' archive, byte for byte.
    let (d, sample) = super::pipeline_common::archive();
    assert_eq!(
        std::fs::read(&sample).unwrap(),
        std::fs::read(root.join("testdata/tour/archive.mbox")).unwrap(),
        "testdata/tour/archive.mbox differs from tests/cli/pipeline_common.rs"
    );
    drop(d);
    let before = listing(&repo);
    let mut failures = Vec::new();
    let mut ran = 0;
    for block in &blocks {
        if !have_shared && block.iter().any(|s| s.cmd.contains("../shared")) {
            crate::common::skip("a README block that needs ../shared/corpora");
            continue;
        }
        // One bash session per block: each command's output into a file.
        let outs = tempfile::tempdir().unwrap();
        let mut script = String::from("set -o pipefail\n");
        for (i, s) in block.iter().enumerate() {
            script.push_str(&format!(
                "{{ {}\n}} > '{}' 2>&1\n",
                s.cmd,
                outs.path().join(i.to_string()).display()
            ));
        }
        let status = std::process::Command::new("bash")
            .arg("-c")
            .arg(&script)
            .current_dir(&repo)
            .env("PATH", &path)
            .env("COLUMNS", "100")
            .env_remove("NO_COLOR")
            .status()
            .expect("bash runs");
        let _ = status;
        for (i, s) in block.iter().enumerate() {
            ran += 1;
            let got = std::fs::read_to_string(outs.path().join(i.to_string())).unwrap_or_default();
            if got != s.want {
                failures.push(format!(
                    "$ {}\n--- README shows:\n{}--- it prints:\n{}",
                    s.cmd, s.want, got
                ));
            }
        }
        let after = listing(&repo);
        if after != before {
            let left: Vec<_> = after.symmetric_difference(&before).collect();
            failures.push(format!(
                "the block starting `$ {}` leaves the checkout changed: {left:?}",
                block.first().map(|s| s.cmd.as_str()).unwrap_or("")
            ));
            // Back to the clean copy for the next block.
            let _ = std::fs::remove_dir_all(&repo);
            copy_dir(&root.join("testdata"), &repo.join("testdata"));
        }
    }
    assert!(ran >= 20, "only {ran} README commands ran");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
