//! Runs every recipe of docs/pipelines.md and checks the output it shows.

use super::pipeline_common::archive;

/// The console blocks of the page: (commands with their expected output).
fn blocks(doc: &str) -> Vec<Vec<(String, String)>> {
    let mut out = Vec::new();
    let mut cur: Option<Vec<(String, String)>> = None;
    for line in doc.lines() {
        if line == "```console" {
            cur = Some(Vec::new());
        } else if line == "```" {
            if let Some(b) = cur.take() {
                out.push(b);
            }
        } else if let Some(b) = cur.as_mut() {
            if let Some(cmd) = line.strip_prefix("$ ") {
                b.push((cmd.to_string(), String::new()));
            } else if let Some(last) = b.last_mut() {
                last.1.push_str(line);
                last.1.push('\n');
            }
        }
    }
    out
}

#[test]
fn every_recipe_runs_as_documented() {
    let doc = std::fs::read_to_string(super::common::root().join("docs/pipelines.md"))
        .expect("docs/pipelines.md");
    let blocks = blocks(&doc);
    assert!(blocks.len() >= 8, "the recipes were not found");
    let bin = assert_cmd::cargo::cargo_bin("emlkit");
    let bindir = bin.parent().expect("the binary's directory");
    let path = format!(
        "{}:{}",
        bindir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for block in blocks {
        let (dir, mbox) = archive();
        std::fs::copy(&mbox, dir.path().join("old.mbox")).expect("old.mbox");
        for (cmd, want) in block {
            let out = std::process::Command::new("bash")
                .arg("-c")
                .arg(format!("set -o pipefail; {cmd}"))
                .current_dir(dir.path())
                .env("PATH", &path)
                .env_remove("NO_COLOR")
                .output()
                .expect("bash runs");
            let got = String::from_utf8_lossy(&out.stdout);
            assert_eq!(
                got,
                want,
                "recipe `{cmd}`\nstderr: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}
