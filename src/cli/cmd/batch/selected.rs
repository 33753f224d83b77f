//! The references a run reads (see: issue 13, item 1): the arguments, then
//! the lines of `--list` (`-L -`: standard input), or standard input itself
//! when nothing is named and it is not a terminal. The library's
//! [`crate::source::Mailbox::references`] resolves them.

use crate::cmd::InputArgs;
use crate::source::reference::{self, Reference};
use anyhow::{Context, Result};
use std::io::{self, IsTerminal, Read};

/// The references named by the arguments and the list, in order.
pub(super) fn resolve(args: &InputArgs) -> Result<Vec<Reference>> {
    let mut refs: Vec<Reference> = Vec::new();
    for p in &args.inputs {
        refs.push(reference::parse_arg(p).with_context(|| p.display().to_string())?);
    }
    if let Some(list) = &args.list {
        let text = if list.as_os_str() == "-" {
            let mut v = Vec::new();
            io::stdin()
                .lock()
                .read_to_end(&mut v)
                .context("reading the message list from standard input")?;
            v
        } else {
            std::fs::read(list).with_context(|| format!("-L {}", list.display()))?
        };
        refs.extend(
            reference::parse_list(&text)
                .map_err(|(n, e)| anyhow::anyhow!("{}: line {n}: {e}", list.display()))?,
        );
    } else if refs.is_empty() && !io::stdin().is_terminal() {
        refs.push(Reference::all("-"));
    }
    Ok(refs)
}
