//! Helpers shared by the integration tests.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A file under testdata/.
pub fn testdata(rel: &str) -> PathBuf {
    root().join("testdata").join(rel)
}

/// The shared corpora folder, or None (with a note on stderr) when absent.
pub fn corpora() -> Option<PathBuf> {
    let p = root().join("../shared/corpora");
    if p.is_dir() {
        Some(p)
    } else {
        crate::common::skip("../shared/corpora is not present");
        None
    }
}

/// A command for the emlkit binary.
pub fn emlkit() -> Command {
    let mut c = Command::cargo_bin("emlkit").expect("the emlkit binary is built by cargo test");
    c.env_remove("NO_COLOR");
    c
}

/// Runs emlkit with args; returns (exit code, stdout, stderr).
pub fn run(args: &[&str]) -> (i32, String, String) {
    let out = emlkit().args(args).output().expect("emlkit runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs emlkit with the given stdin.
pub fn run_stdin(args: &[&str], stdin: &[u8]) -> (i32, Vec<u8>, String) {
    let out = emlkit()
        .args(args)
        .write_stdin(stdin.to_vec())
        .output()
        .expect("emlkit runs");
    (
        out.status.code().unwrap_or(-1),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Parses JSON Lines.
pub fn json_lines(s: &str) -> Vec<serde_json::Value> {
    s.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("invalid JSON line {l:?}: {e}")))
        .collect()
}

/// Every bare LF turned into CRLF.
pub fn to_crlf(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(b.len() + b.len() / 20);
    let mut prev = 0u8;
    for &c in b {
        if c == b'\n' && prev != b'\r' {
            out.push(b'\r');
        }
        out.push(c);
        prev = c;
    }
    out
}

/// Every CR removed.
pub fn strip_cr(b: &[u8]) -> Vec<u8> {
    b.iter().copied().filter(|&c| c != b'\r').collect()
}

/// Compares `actual` with the expected file; with EMLKIT_BLESS=1 the expected
/// file is (re)written instead. On a mismatch, writes `<expected>.failed`.
pub fn golden(expected: &Path, actual: &str) {
    if std::env::var_os("EMLKIT_BLESS").is_some() {
        std::fs::write(expected, actual).expect("write golden file");
        return;
    }
    let want = std::fs::read_to_string(expected).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with EMLKIT_BLESS=1 to create)",
            expected.display()
        )
    });
    if want != actual {
        let failed = expected.with_extension("failed");
        let _ = std::fs::write(&failed, actual);
        panic!(
            "{} differs from the output (written to {})",
            expected.display(),
            failed.display()
        );
    }
}

/// The finding codes of a JSON record.
pub fn finding_codes(v: &serde_json::Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|f| f["code"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Reports a skipped test (or part of one) where it is seen: written to the
/// process's real stderr, which the test harness does not capture, so the
/// note shows in `cargo test` output without `--nocapture`.
pub fn skip(why: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "note: skipped: {why}");
}

/// Runs one of the real-server check scripts (testdata/postfix,
/// testdata/dovecot) with `python3 SCRIPT --emlkit BIN ARGS…`. Returns its
/// exit code and its stdout and stderr together, or None after a skip
/// note: when python3 cannot run, or when the script exits 77 (its
/// "skipped: <why>": the server or root is not available).
pub fn run_check_script(
    name: &str,
    script: &Path,
    args: &[&std::ffi::OsStr],
) -> Option<(Option<i32>, String)> {
    let out = match std::process::Command::new("python3")
        .arg(script)
        .args(["--emlkit", env!("CARGO_BIN_EXE_emlkit")])
        .args(args)
        .output()
    {
        Ok(o) => o,
        Err(e) => {
            skip(&format!("python3 cannot run: {e}"));
            return None;
        }
    };
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if out.status.code() == Some(77) {
        skip(&format!("{name}: {}", text.trim()));
        return None;
    }
    Some((out.status.code(), text))
}
