//! Errors that say what to do (issue 15, item 3): thirty ways to misuse the
//! command line, each answered in one format, `emlkit: <where>: <what>
//! (<hint>)` for ours and clap's `error: … tip: …` for argument syntax (its
//! typo suggestions kept), naming the problem and a fix, with the exit code.

use crate::common::*;

/// One case: arguments, exit code, and text the message must contain (the
/// problem, then the fix).
struct Case {
    args: Vec<String>,
    code: i32,
    problem: &'static str,
    fix: &'static str,
}

fn case(args: &[&str], code: i32, problem: &'static str, fix: &'static str) -> Case {
    Case {
        args: args.iter().map(|s| s.to_string()).collect(),
        code,
        problem,
        fix,
    }
}

#[test]
fn every_misuse_names_the_problem_and_a_fix() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let file = d.join("afile");
    std::fs::write(&file, b"x").unwrap();
    let file = file.to_str().unwrap().to_string();
    let out = d.join("out").to_str().unwrap().to_string();
    let msg = testdata("messages/mixed.eml").to_str().unwrap().to_string();
    let mbox = testdata("mbox/gitpatch.mbox").to_str().unwrap().to_string();
    let m = msg.as_str();
    let cases = vec![
        case(
            &["tree", "/nonexistent.eml"],
            2,
            "/nonexistent.eml: No such file or directory",
            "(check the path",
        ),
        case(
            &["tree", &format!("{mbox}#99")],
            2,
            "the mbox has 2 messages",
            "indexes start at 0",
        ),
        case(
            &["tree", &format!("{m}#1")],
            2,
            "not an mbox",
            "a single message is only #0",
        ),
        case(
            &["tree", "-L", "/nonexistent.list"],
            2,
            "-L /nonexistent.list: No such file",
            "(check the path",
        ),
        case(
            &["tree", "--format", "maildir", m],
            2,
            "--format maildir needs a directory",
            "needs a directory",
        ),
        case(
            &["tree", "--shard", "0/2", m],
            2,
            "invalid value '0/2' for '--shard",
            "need 1 <= K <= N",
        ),
        case(
            &["tree", "--jobs", "abc", m],
            2,
            "invalid value 'abc' for '--jobs <N>'",
            "--help",
        ),
        case(
            &["json", "--max-parts", "x", m],
            2,
            "invalid value 'x' for '--max-parts <N>'",
            "--help",
        ),
        case(
            &["extract", "--part", "9", "-o", &out, m],
            1,
            "--part 9: no such part",
            "this message has parts 0, 1, 2; `emlkit tree` shows them",
        ),
        case(
            &["extract", "--part", "abc", "-o", &out, m],
            2,
            "--part \"abc\": not a part id",
            "a part id is what `emlkit tree` shows",
        ),
        case(
            &["extract", "--part", "1:zz1", "-o", &out, m],
            2,
            "not a part id",
            "1:uu1 or 3:tnef2",
        ),
        case(
            &["extract", "-o", &file, m],
            2,
            "afile: not a directory",
            "give a directory",
        ),
        case(
            &["extract", "-O", "x", m],
            2,
            "-O takes only '-'",
            "use -o DIR for files",
        ),
        case(
            &["extract", "--type", "[", "-o", &out, m],
            2,
            "bad --type glob \"[\"",
            "unclosed character class",
        ),
        case(
            &["extract", "--digest", "sha3", m],
            2,
            "invalid value 'sha3' for '--digest",
            "a similar value exists: 'sha1'",
        ),
        case(
            &["pick", "frm:x", m],
            2,
            "unknown field `frm:`",
            "(from, to, cc",
        ),
        case(
            &["pick", "date:2024-13-45", m],
            2,
            "month 13",
            "is not 1-12",
        ),
        case(
            &["pick", "(from:a", m],
            2,
            "`)` expected",
            "for the `(` at column 1",
        ),
        case(
            &["convert", "--to", "mbox", m],
            2,
            "give the inputs and then the OUTPUT",
            "(or -o OUTPUT)",
        ),
        case(
            &["convert", "--to", "maildir", "-o", &file, m],
            2,
            "afile: not a directory",
            "give a directory",
        ),
        case(
            &["split", "-o", &file, m],
            2,
            "-o ",
            "not a directory (give a directory",
        ),
        case(
            &["split", m],
            2,
            "required arguments were not provided",
            "--output <DIR>",
        ),
        case(
            &["build", "--spec", "/nonexistent.json"],
            2,
            "/nonexistent.json: No such file",
            "--spec",
        ),
        case(
            &["build", "--to"],
            2,
            "a value is required for '--to <ADDRS>'",
            "--help",
        ),
        case(
            &["info", "-L", "x"],
            2,
            "info describes whole mailboxes",
            "give their paths, not a message list",
        ),
        case(
            &["man", "nosuch"],
            2,
            "no command \"nosuch\"",
            "one of: tree, json",
        ),
        case(
            &["completions", "nosh"],
            2,
            "invalid value 'nosh'",
            "a similar value exists: 'zsh'",
        ),
        case(
            &["tre", m],
            2,
            "unrecognized subcommand 'tre'",
            "similar subcommands exist: 'text', 'thread', 'tree'",
        ),
        case(
            &["tree", "--jsn", m],
            2,
            "unexpected argument '--jsn'",
            "a similar argument exists: '--json'",
        ),
        case(
            &["text", "--raw-nonsense", m],
            2,
            "unexpected argument '--raw-nonsense'",
            "a similar argument exists: '--raw'",
        ),
        case(
            &["dedupe", "--by", "nosuch", m],
            2,
            "invalid value 'nosuch' for '--by",
            "possible values: id, content",
        ),
        case(&["headers", &format!("{mbox}#5-2")], 2, "#5-2", "first"),
    ];
    assert!(cases.len() >= 30);
    let mut failures = Vec::new();
    for c in &cases {
        let args: Vec<&str> = c.args.iter().map(String::as_str).collect();
        let out = emlkit()
            .args(&args)
            .write_stdin(Vec::new())
            .output()
            .unwrap();
        let code = out.status.code().unwrap_or(-1);
        let err = String::from_utf8_lossy(&out.stderr);
        let ours = err.starts_with("emlkit: ");
        let clap = err.starts_with("error: ");
        let ok = code == c.code
            && (ours || clap)
            && err.contains(c.problem)
            && err.contains(c.fix)
            // Each OS error once.
            && err.matches("(os error").count() <= 1
            && !err.contains("\nCaused by");
        if !ok {
            failures.push(format!("{args:?}: exit {code} (want {}):\n{err}", c.code));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
