//! The `emlkit` binary: parse arguments, dispatch, map errors to exit codes.
#![deny(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

// The command line: `cli/args.rs` (the clap definition) and `cli/cmd/`
// (one file per subcommand, the batch engine). `#[path]` keeps the module
// names `cli` and `cmd` that every command file already uses.
#[path = "cli/args.rs"]
mod cli;
#[path = "cli/cmd/mod.rs"]
mod cmd;

// The command line lives in this binary; everything a library user would
// want lives in the `emlkit` library. The command modules name library
// modules as `crate::model` etc. through these imports.
use emlkit::{
    build, dedupe, export, extract, forensics, model, query, report, sink, source, term, thread,
};

use clap::Parser;
use cli::{Cli, Command};
use cmd::Style;
use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    // Per-message errors are data, reported and skipped by the thousand in a
    // bad mailbox; anyhow would capture a backtrace for each one when
    // RUST_BACKTRACE is set, which made such runs 10x slower. Panics still
    // honour RUST_BACKTRACE. Set before any thread starts.
    if std::env::var_os("RUST_LIB_BACKTRACE").is_none() {
        std::env::set_var("RUST_LIB_BACKTRACE", "0");
    }
    // Deeply nested hostile messages make deep (but bounded) recursion in the
    // parser's drop code; a large stack keeps that from overflowing.
    let child = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(run_and_map);
    match child.map(|h| h.join()) {
        Ok(Ok(code)) => code,
        _ => {
            eprintln!("emlkit: internal error");
            ExitCode::from(2)
        }
    }
}

/// Maps the result of `run` to an exit code, in exactly one place.
fn run_and_map() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("emlkit: {}", cmd::explain(e.as_ref()));
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// When stdout is a pipe, asks for a 1 MiB pipe buffer instead of the
/// default 64 KiB: JSON Lines output runs to hundreds of megabytes, and with
/// a small buffer the writer and the reader (`jq`, `duckdb`, `cat`) take
/// turns every 64 KiB. Best effort: a refusal (a lower system limit) keeps
/// the default.
fn grow_pipe(stdout: &io::Stdout) {
    let Ok(meta) = rustix::fs::fstat(stdout) else {
        return;
    };
    if rustix::fs::FileType::from_raw_mode(meta.st_mode) == rustix::fs::FileType::Fifo {
        let _ = rustix::pipe::fcntl_setpipe_size(stdout, 1 << 20);
    }
}

fn run() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    let style = Style::new(cli.color);
    let stdout = io::stdout();
    grow_pipe(&stdout);
    let lock = stdout.lock();
    // Block-buffered unless a person is watching.
    let mut out: Box<dyn Write> = if io::stdout().is_terminal() {
        Box::new(io::LineWriter::new(lock))
    } else {
        Box::new(io::BufWriter::with_capacity(256 * 1024, lock))
    };
    let outcome = match &cli.command {
        Command::Tree(a) => cmd::tree::run(a, style, &mut out)?,
        Command::Json(a) => cmd::json::run(a, &mut out)?,
        Command::Headers(a) => cmd::headers::run(a, style, &mut out)?,
        Command::Text(a) => cmd::text::run(a, style, &mut out)?,
        Command::Trace(a) => return cmd::trace::run(a, style, &mut out),
        Command::Build(a) => cmd::build::run(a, &mut out)?,
        Command::Extract(a) => cmd::extract::run(a, style, &mut out)?,
        Command::Info(a) => cmd::info::run(a, &mut out)?,
        Command::Report(a) => cmd::report::run(a, &mut out)?,
        Command::Split(a) => cmd::split::run(a, &mut out)?,
        Command::Convert(a) => cmd::convert::run(a, &mut out)?,
        Command::Pick(a) => cmd::pick::run(a, style, &mut out)?,
        Command::Scan(a) => cmd::scan::run(a, style, &mut out)?,
        Command::Sort(a) => cmd::sort::run(a, &mut out)?,
        Command::Thread(a) => cmd::thread::run(a, &mut out)?,
        Command::Dedupe(a) => cmd::dedupe::run(a, &mut out)?,
        Command::Man(a) => cmd::man::run(a, &mut out)?,
        Command::Completions(a) => cmd::completions::run(a, &mut out)?,
    };
    out.flush()?;
    Ok(if outcome.errored {
        ExitCode::from(2)
    } else if outcome.nothing {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
