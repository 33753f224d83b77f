//! The progress display (issue 15, item 1): run in a pseudo-terminal
//! (`script`), the screen a person sees at the end is exactly the command's
//! output, with no progress line left; a slow run over a file shows a bar
//! with a percentage and an ETA; pipes and `--no-progress` get none.

use crate::common::{emlkit, testdata};
use std::path::Path;
use std::process::Command;

/// Runs `emlkit ARGS` with stdout and stderr on a pseudo-terminal (through
/// `script`), returning what the terminal received, or None (with a note)
/// when `script` is absent.
fn in_terminal(args: &[&str], delay_ms: Option<u64>) -> Option<Vec<u8>> {
    let bin = assert_cmd::cargo::cargo_bin("emlkit");
    let mut line = shell_quote(&bin.to_string_lossy());
    for a in args {
        line.push(' ');
        line.push_str(&shell_quote(a));
    }
    let mut c = Command::new("script");
    c.args(["-q", "-e", "-c", &line, "/dev/null"]);
    c.env("COLUMNS", "100").env("NO_COLOR", "1");
    if let Some(ms) = delay_ms {
        c.env("EMLKIT_PROGRESS_DELAY_MS", ms.to_string());
    }
    match c.output() {
        Ok(o) => Some(o.stdout),
        Err(_) => {
            crate::common::skip("progress: `script` (util-linux) is not installed");
            None
        }
    }
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// A minimal terminal: what the screen shows after `bytes` (carriage
/// return, line feed, erase line, cursor up, colours ignored) — enough for
/// what indicatif writes.
fn screen(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let mut lines: Vec<Vec<char>> = vec![Vec::new()];
    let (mut row, mut col) = (0usize, 0usize);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => col = 0,
            '\n' => {
                row += 1;
                col = 0;
                if lines.len() <= row {
                    lines.push(Vec::new());
                }
            }
            '\x1b' => {
                if chars.peek() != Some(&'[') {
                    continue;
                }
                chars.next();
                let mut param = String::new();
                let mut fin = ' ';
                for d in chars.by_ref() {
                    if d.is_ascii_alphabetic() {
                        fin = d;
                        break;
                    }
                    param.push(d);
                }
                let n: usize = param.trim_start_matches('?').parse().unwrap_or(1);
                match fin {
                    'K' => {
                        // 0: to the end, 2: the whole line.
                        if param == "2" {
                            lines[row].clear();
                        } else {
                            lines[row].truncate(col);
                        }
                    }
                    'A' => row = row.saturating_sub(n.max(1)),
                    'J' => {
                        lines[row].truncate(col);
                        lines.truncate(row + 1);
                    }
                    _ => {}
                }
            }
            c => {
                let l = &mut lines[row];
                while l.len() < col {
                    l.push(' ');
                }
                if col < l.len() {
                    l[col] = c;
                } else {
                    l.push(c);
                }
                col += 1;
            }
        }
    }
    let mut out: Vec<String> = lines
        .into_iter()
        .map(|l| l.into_iter().collect::<String>().trim_end().to_string())
        .collect();
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out
}

/// A mailbox of `n` messages (3000: about 2 MB, a run takes a moment).
fn mailbox(dir: &Path, n: usize) -> String {
    let mut mbox = Vec::new();
    for i in 0..n {
        mbox.extend_from_slice(
            format!(
                "From a@example.com Mon Jan  1 00:00:00 2024\nFrom: a{i}@example.com\n\
                 Subject: message {i}\nMessage-ID: <{i}@example.com>\n\n{}\n\n",
                "body line\n".repeat(60)
            )
            .as_bytes(),
        );
    }
    let p = dir.join("box.mbox");
    std::fs::write(&p, mbox).expect("mailbox written");
    p.to_string_lossy().into_owned()
}

#[test]
fn no_progress_line_is_left_on_the_screen() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mbox = mailbox(dir.path(), 400);
    // A deliberately bad input as well: a diagnostic on stderr mid-run.
    let missing = dir.path().join("missing.eml");
    let missing = missing.to_string_lossy().into_owned();
    let out = dir.path().join("out");
    let out = out.to_string_lossy().into_owned();
    let split = dir.path().join("split");
    let split = split.to_string_lossy().into_owned();
    for args in [
        vec!["scan", &mbox],
        vec!["tree", &mbox],
        vec!["headers", "-H", "subject", &mbox, &missing],
        vec!["info", &mbox],
        vec!["trace", &mbox],
        vec!["text", &mbox],
        vec!["json", "--no-body", &mbox],
        vec!["pick", "subject:message", &mbox],
        vec!["sort", &mbox],
        vec!["thread", &mbox],
        vec!["dedupe", &mbox, &mbox],
        vec!["extract", "-a", "-o", &out, &mbox],
        vec!["split", "--no-fsync", "-o", &split, &mbox],
    ] {
        let _ = std::fs::remove_dir_all(&out);
        let _ = std::fs::remove_dir_all(&split);
        // Drawn at once (delay 0), so it has to be cleared and suspended.
        let Some(with) = in_terminal(&args, Some(0)) else {
            return;
        };
        let mut quiet_args = args.clone();
        quiet_args.insert(1, "--no-progress");
        let _ = std::fs::remove_dir_all(&out);
        let _ = std::fs::remove_dir_all(&split);
        let Some(without) = in_terminal(&quiet_args, None) else {
            return;
        };
        // The progress was drawn (so it had to be cleared and suspended);
        // `info` reads at disk speed without parsing and draws none.
        assert!(
            args[0] == "info" || String::from_utf8_lossy(&with).contains("/s)"),
            "{args:?}: no progress was drawn"
        );
        let (a, b) = (screen(&with), screen(&without));
        // `split` writes files only: its screen stays empty.
        assert_eq!(a.is_empty(), args[0] == "split", "{args:?}: {a:?}");
        for l in &a {
            assert!(
                !l.contains("ETA") && !l.contains("/s)"),
                "{args:?}: a progress line was left: {l:?}"
            );
        }
        assert_eq!(
            a, b,
            "{args:?}: the screen differs from a run without progress"
        );
    }
}

#[test]
fn a_slow_run_over_a_file_shows_a_bar_with_percentage_and_eta() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mbox = mailbox(dir.path(), 3000);
    let Some(raw) = in_terminal(&["json", "-j1", &mbox], Some(0)) else {
        return;
    };
    let raw = String::from_utf8_lossy(&raw);
    assert!(raw.contains("ETA"), "no ETA in the progress");
    assert!(raw.contains('%'), "no percentage in the progress");
    assert!(
        raw.contains("messages ("),
        "no message rate in the progress"
    );
}

/// A compressed mailbox: the bar follows the compressed bytes read, so it
/// has a percentage and an ETA too (issue 15).
#[test]
fn a_compressed_mailbox_shows_a_bar_over_its_compressed_size() {
    use std::io::Write;
    let dir = tempfile::tempdir().expect("temp dir");
    let mbox = mailbox(dir.path(), 3000);
    let gz = dir.path().join("box.mbox.gz");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).expect("gz created"),
        flate2::Compression::fast(),
    );
    enc.write_all(&std::fs::read(&mbox).expect("mailbox read"))
        .expect("gz written");
    enc.finish().expect("gz finished");
    let Some(raw) = in_terminal(&["json", "-j1", &gz.to_string_lossy()], Some(0)) else {
        return;
    };
    let raw = String::from_utf8_lossy(&raw);
    assert!(raw.contains("ETA"), "no ETA in the progress of a .gz");
    assert!(raw.contains('%'), "no percentage in the progress of a .gz");
    // The position never passes the total (it is in compressed bytes).
    assert!(!raw.contains("101%"), "progress past the compressed size");
}

#[test]
fn quick_runs_and_pipes_get_no_progress() {
    // A quick run in a terminal: nothing drawn before the delay.
    let msg = testdata("messages/alternative.eml");
    let msg = msg.to_string_lossy();
    if let Some(raw) = in_terminal(&["tree", &msg], None) {
        let raw = String::from_utf8_lossy(&raw);
        assert!(
            !raw.contains("\x1b[2K"),
            "a quick run drew progress: {raw:?}"
        );
    }
    // stderr a pipe: never, even at once.
    let dir = tempfile::tempdir().expect("temp dir");
    let mbox = mailbox(dir.path(), 3000);
    let out = emlkit()
        .args(["scan", &mbox])
        .env("EMLKIT_PROGRESS_DELAY_MS", "0")
        .output()
        .expect("runs");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // --no-progress in a terminal, drawn at once otherwise.
    if let Some(raw) = in_terminal(&["scan", "--no-progress", &mbox], Some(0)) {
        assert!(!String::from_utf8_lossy(&raw).contains("ETA"));
    }
}
