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
