//! Tests of `emlkit man` and `emlkit completions`, and of `--help`.

use crate::common::*;

#[test]
fn man_page_is_roff_and_lists_commands() {
    let (code, out, _) = run(&["man"]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with(".ie") || out.contains(".TH emlkit"),
        "{}",
        &out[..out.len().min(200)]
    );
    for c in ["tree", "json", "headers", "text"] {
        assert!(out.contains(c), "man page lacks {c}");
    }
}

#[test]
fn completions_for_each_shell() {
    for (shell, marker) in [
        ("bash", "complete"),
        ("zsh", "#compdef"),
        ("fish", "complete -c emlkit"),
    ] {
        let (code, out, _) = run(&["completions", shell]);
        assert_eq!(code, 0, "{shell}");
        assert!(out.contains(marker), "{shell}");
    }
}

#[test]
fn every_command_has_help_with_an_example_and_exit_codes() {
    for c in ["tree", "json", "headers", "text"] {
        let (code, out, _) = run(&[c, "--help"]);
        assert_eq!(code, 0);
        assert!(out.contains("Example"), "{c} --help lacks an example");
        assert!(out.contains("Exit codes"), "{c} --help lacks exit codes");
    }
}

#[test]
fn color_always_paints_and_never_does_not() {
    let p = testdata("messages/mixed.eml");
    let path = p.to_str().unwrap_or_default();
    let (_, painted, _) = run(&["--color", "always", "tree", path]);
    assert!(painted.contains("\x1b["));
    let (_, plain, _) = run(&["--color", "never", "tree", path]);
    assert!(!plain.contains("\x1b["));
    // auto into a pipe: no colour, even without NO_COLOR.
    let (_, auto, _) = run(&["tree", path]);
    assert_eq!(auto, plain);
}

/// Every subcommand, from `emlkit --help`'s command list.
fn subcommands() -> Vec<String> {
    let (_, out, _) = run(&["--help"]);
    let list = out
        .split("Commands:")
        .nth(1)
        .and_then(|s| s.split("\n\n").next())
        .unwrap_or_default();
    list.lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|w| *w != "help")
        .map(str::to_string)
        .collect()
}

#[test]
fn man_dir_writes_a_page_per_subcommand_that_man_renders() {
    let subs = subcommands();
    assert!(subs.len() >= 15, "{subs:?}");
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run(&["man", "--dir", dir.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let root = std::fs::read_to_string(dir.path().join("emlkit.1")).unwrap();
    for s in &subs {
        let page = dir.path().join(format!("emlkit-{s}.1"));
        let roff = std::fs::read_to_string(&page).unwrap_or_else(|_| panic!("no page for {s}"));
        assert!(
            roff.contains(&format!(".TH emlkit-{s} 1")),
            "{s}: {}",
            &roff[..200]
        );
        // emlkit(1) links every page, every page links back.
        assert!(
            root.contains(&format!("emlkit\\-{s}")),
            "emlkit(1) does not name {s}"
        );
        assert!(roff.contains(".BR emlkit (1)"), "{s}: no link to emlkit(1)");
        // Every option of the command is on its page.
        let (_, help, _) = run(&[s.as_str(), "--help"]);
        for word in help.split_whitespace() {
            let opt = word.trim_end_matches(',');
            if opt.starts_with("--") && opt.len() > 2 && !opt.contains('`') && !opt.contains('=') {
                let opt = opt.trim_end_matches(|c: char| !c.is_ascii_alphanumeric());
                let roffed = opt.replace('-', "\\-");
                assert!(roff.contains(&roffed), "{s}: {opt} is not on the page");
            }
        }
        // Exit codes, one tagged paragraph each (they used to run together).
        for code in ["0", "1", "2"] {
            assert!(
                roff.contains(&format!(".TP\n.B {code}\n")),
                "{s}: exit code {code}"
            );
        }
        render_with_man(&page, s);
    }
    render_with_man(&dir.path().join("emlkit.1"), "emlkit");
    // `man COMMAND` prints the same page as --dir wrote.
    let (_, one, _) = run(&["man", "extract"]);
    assert_eq!(
        one,
        std::fs::read_to_string(dir.path().join("emlkit-extract.1")).unwrap()
    );
    let (code, _, err) = run(&["man", "nosuch"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("no command \"nosuch\" (one of: tree, json"),
        "{err}"
    );
}

/// Renders a page with `man -l` (skipped with a note when man is absent)
/// and checks there are no roff warnings and the sections are there.
fn render_with_man(page: &std::path::Path, name: &str) {
    let out = std::process::Command::new("man")
        .args(["--warnings", "-l"])
        .arg(page)
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "80")
        .output();
    let Ok(out) = out else {
        crate::common::skip("man pages: `man` is not installed");
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{name}: {err}");
    assert!(err.trim().is_empty(), "{name}: man warns: {err}");
    for section in ["NAME", "SYNOPSIS", "DESCRIPTION", "EXIT STATUS", "SEE ALSO"] {
        assert!(text.contains(section), "{name}: no {section}");
    }
}

#[test]
fn help_lists_the_commands_own_options_first() {
    for s in subcommands() {
        let (code, help, _) = run(&[s.as_str(), "--help"]);
        assert_eq!(code, 0);
        let pos = |h: &str| help.find(&format!("\n{h}:\n"));
        let Some(own) = pos("Options") else {
            panic!("{s}: no Options heading");
        };
        if let Some(input) = pos("Input options") {
            assert!(own < input, "{s}: input options before the command's own");
            let section = &help[input..];
            assert!(
                section.contains("--jobs"),
                "{s}: --jobs not under Input options"
            );
        }
        if let Some(limits) = pos("Resource limits") {
            assert!(own < limits, "{s}: limits before the command's own options");
            let options = &help[own..limits];
            assert!(
                !options.contains("--max-"),
                "{s}: a limit outside its heading"
            );
            assert!(help[limits..].contains("--max-parts"), "{s}");
        }
        // The command's own options: nothing from the shared sets under Options.
        let end = [
            pos("Input options"),
            pos("Resource limits"),
            pos("Exit codes"),
        ]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(help.len());
        let options = &help[own..end];
        for shared in ["--jobs", "--shard", "--recursive", "--max-depth"] {
            assert!(
                !options.contains(shared),
                "{s}: {shared} among the command's own options"
            );
        }
        assert!(help.contains("Example"), "{s} --help has no example");
        assert!(
            help.contains(&format!("emlkit {s}")),
            "{s}: the example does not run {s}"
        );
    }
}
