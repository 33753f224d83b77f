//! `emlkit completions`: shell completion scripts.

use anyhow::Result;
use clap::{Args, CommandFactory};
use clap_complete::Shell;
use std::io::Write;

/// Arguments of `emlkit completions`.
#[derive(Debug, Args)]
#[command(
    about = "Write shell completions to stdout",
    long_about = "Writes a completion script for the given shell.\n\n\
                  Example:\n  emlkit completions bash > ~/.local/share/bash-completion/completions/emlkit"
)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, elvish or powershell.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Runs `emlkit completions`.
pub fn run(args: &CompletionsArgs, out: &mut dyn Write) -> Result<super::Outcome> {
    let mut cmd = crate::cli::Cli::command();
    clap_complete::generate(args.shell, &mut cmd, "emlkit", out);
    Ok(super::Outcome::default())
}
