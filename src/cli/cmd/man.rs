//! `emlkit man`: the man pages, generated from the clap definitions: emlkit(1)
//! and one page per subcommand (emlkit-tree(1), …), each with every option,
//! its exit status and SEE ALSO links. See: issue 15, item 2.

use anyhow::{Context, Result};
use clap::{Args, CommandFactory};
use std::io::Write;
use std::path::PathBuf;

const LONG_ABOUT: &str = "\
Writes the man pages, generated from the same definitions as --help:
emlkit(1) and one page per subcommand, emlkit-tree(1), emlkit-extract(1), …,
each with every option of the command (its own, the input options and the
resource limits), the exit status and links to the others.

Without arguments emlkit(1) goes to stdout; with COMMAND, that command's
page; with --dir, every page is written into DIR as emlkit.1,
emlkit-tree.1, … (the directory is created if needed).

Examples:
  emlkit man --dir ~/.local/share/man/man1 && man emlkit-extract
  emlkit man trace | man -l -";

/// Arguments of `emlkit man`.
#[derive(Debug, Args)]
#[command(about = "Write the man pages (roff)", long_about = LONG_ABOUT)]
pub struct ManArgs {
    /// The page of this subcommand (emlkit-COMMAND(1)) instead of emlkit(1).
    #[arg(value_name = "COMMAND")]
    pub command: Option<String>,

    /// Write every page (emlkit.1, emlkit-tree.1, …) into DIR.
    #[arg(long, value_name = "DIR", conflicts_with = "command")]
    pub dir: Option<PathBuf>,
}

/// The exit codes, one entry per code (the man pages' EXIT STATUS).
const EXIT_STATUS: &[(&str, &str)] = &[
    ("0", "Success."),
    ("1", "Nothing selected (documented per command)."),
    (
        "2",
        "An input or message could not be processed (the others were), a resource limit \
         cut the output (a *_limit or header_too_long finding, also on stderr), or a usage error.",
    ),
];

/// Runs `emlkit man`.
pub fn run(args: &ManArgs, out: &mut dyn Write) -> Result<super::Outcome> {
    let mut root = crate::cli::Cli::command().disable_help_subcommand(true);
    root.build();
    let subs: Vec<clap::Command> = root
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .cloned()
        .collect();
    let names: Vec<String> = subs.iter().map(|s| s.get_name().to_string()).collect();
    if let Some(dir) = &args.dir {
        std::fs::create_dir_all(dir).with_context(|| dir.display().to_string())?;
        let mut pages = vec![("emlkit".to_string(), root.clone(), true)];
        pages.extend(
            subs.iter()
                .map(|s| (format!("emlkit-{}", s.get_name()), s.clone(), false)),
        );
        for (name, cmd, is_root) in pages {
            let path = dir.join(format!("{name}.1"));
            let mut buf = Vec::new();
            page(&name, cmd, is_root, &names, &mut buf)?;
            std::fs::write(&path, buf).with_context(|| path.display().to_string())?;
        }
        return Ok(super::Outcome::default());
    }
    match &args.command {
        None => page("emlkit", root, true, &names, out)?,
        Some(c) => {
            let Some(cmd) = subs.iter().find(|s| s.get_name() == c) else {
                anyhow::bail!("man: no command {c:?} (one of: {})", names.join(", "));
            };
            page(&format!("emlkit-{c}"), cmd.clone(), false, &names, out)?;
        }
    }
    Ok(super::Outcome::default())
}

/// One page: clap_mangen's title, name, synopsis, description and options
/// (and the command list of emlkit(1)), then our EXIT STATUS (one tagged
/// paragraph per code, so codes never run together) and SEE ALSO.
fn page(
    name: &str,
    cmd: clap::Command,
    is_root: bool,
    names: &[String],
    out: &mut dyn Write,
) -> Result<()> {
    // Flags hidden from `-h` (the limits) are shown in full on the page
    // (clap_mangen would print them without their help).
    let cmd = cmd
        .name(name.to_string())
        .bin_name(name.replace('-', " "))
        .mut_args(|a| a.hide_short_help(false));
    let man = clap_mangen::Man::new(cmd.clone()).title(name);
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(out)?;
    }
    if is_root {
        man.render_subcommands_section(out)?;
    }
    writeln!(out, ".SH \"EXIT STATUS\"")?;
    for (code, what) in EXIT_STATUS {
        writeln!(out, ".TP\n.B {code}\n{}", roff_text(what))?;
    }
    writeln!(
        out,
        ".PP\nA closed pipe (for example | head) ends quietly with 0."
    )?;
    writeln!(out, ".SH \"SEE ALSO\"")?;
    let mut links: Vec<String> = Vec::new();
    if !is_root {
        links.push("emlkit(1)".into());
    }
    for n in names {
        let other = format!("emlkit-{n}");
        if other != name {
            links.push(format!("{other}(1)"));
        }
    }
    let links: Vec<String> = links
        .iter()
        .map(|l| {
            let (page, sec) = l.split_once('(').unwrap_or((l, "1)"));
            format!(".BR {} ({}", roff_text(page), sec)
        })
        .collect();
    // A comma after every link but the last.
    for (i, l) in links.iter().enumerate() {
        if i + 1 < links.len() {
            writeln!(out, "{l},")?;
        } else {
            writeln!(out, "{l}")?;
        }
    }
    writeln!(
        out,
        ".PP\nThe README and docs/*.md of the emlkit source (docs/json.md: the JSON records)."
    )?;
    Ok(())
}

/// Text safe on a roff line: backslashes escaped, no leading `.` or `'`,
/// and `-` as a real hyphen-minus (option names are copied from pages).
fn roff_text(s: &str) -> String {
    let t = s.replace('\\', "\\e").replace('-', "\\-");
    if t.starts_with('.') || t.starts_with('\'') {
        format!("\\&{t}")
    } else {
        t
    }
}
