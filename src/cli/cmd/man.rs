//! `emlkit man`: the man page, generated from the clap definitions.

use anyhow::Result;
use clap::{Args, CommandFactory};
use std::io::Write;

/// Arguments of `emlkit man`.
#[derive(Debug, Args)]
#[command(
    about = "Write the man page (roff) to stdout",
    long_about = "Writes the emlkit(1) man page, generated from the same definitions as --help.\n\n\
                  Example:\n  emlkit man > /usr/local/share/man/man1/emlkit.1"
)]
pub struct ManArgs {}

/// Runs `emlkit man`.
pub fn run(_args: &ManArgs, out: &mut dyn Write) -> Result<super::Outcome> {
    let cmd = crate::cli::Cli::command();
    clap_mangen::Man::new(cmd).render(out)?;
    Ok(super::Outcome::default())
}
