//! The ordered parallel runner: work on every message on all cores, results
//! in input order, memory bounded by a chunk of messages.
//!
//! ```
//! use emlkit::model::{Limits, Message, Scope};
//! use emlkit::source::{for_each_ordered, Mailbox, RunOptions};
//! let mbox = b"From a Mon Jan  1 00:00:00 2024\nSubject: one\n\nx\n\nFrom b Mon Jan  1 00:00:00 2024\nSubject: two\n\ny\n";
//! let mut subjects = Vec::new();
//! for_each_ordered(
//!     Mailbox::from_bytes(mbox.to_vec(), "m.mbox"),
//!     &RunOptions::default(),
//!     |raw| -> Result<Option<String>, String> {
//!         let bytes = raw.bytes().map_err(|e| e.to_string())?;
//!         let msg = Message::parse(&bytes, raw.origin.data_offset, Scope::HeadersOnly, &Limits::default())
//!             .map_err(|e| e.to_string())?;
//!         Ok(msg.subject())
//!     },
//!     |item| {
//!         if let Ok((_, Ok(Ok(s)))) = item {
//!             subjects.push(s);
//!         }
//!         true
//!     },
//! );
//! assert_eq!(subjects, [Some("one".to_string()), Some("two".to_string())]);
//! ```

use super::{RawMessage, ReadError};
use rayon::prelude::*;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// How the runner works.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RunOptions {
    /// Worker threads: 0 for all cores (the default), 1 for none (the
    /// calling thread does the work).
    pub threads: usize,
    /// Most messages handed to the workers at once (default 256).
    pub chunk_messages: usize,
    /// Most message bytes handed to the workers at once (default 16 MiB).
    pub chunk_bytes: usize,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            threads: 0,
            chunk_messages: 256,
            chunk_bytes: 16 << 20,
        }
    }
}

impl RunOptions {
    /// Sets the number of worker threads (see [`RunOptions::threads`]).
    pub fn threads(mut self, n: usize) -> Self {
        self.threads = n;
        self
    }
}

/// What the runner hands to `emit` for one message: the message and the
/// work's result, or why the message could not be read.
pub type Outcome<T> = Result<(RawMessage, Result<T, RunError>), ReadError>;

/// Why the work on one message failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// The work panicked: a bug, reported with where the message is.
    #[error(
        "internal error (panic) at {label} (offset {offset}); skipped, please report this message"
    )]
    Panic {
        /// `path#index` of the message.
        label: String,
        /// Its offset in the input.
        offset: u64,
    },
}

/// Runs `work` on every message, `opts.threads` at a time, and hands each
/// result to `emit` in input order. `emit` returns false to stop. The work
/// returns its own `Result`, so a per-message failure is data: the run goes
/// on. A panic in the work is caught and reported for that message only.
pub fn for_each_ordered<T, E, W, F>(
    messages: impl IntoIterator<Item = Result<RawMessage, ReadError>>,
    opts: &RunOptions,
    work: W,
    mut emit: F,
) where
    T: Send,
    E: Send,
    W: Fn(&RawMessage) -> Result<T, E> + Sync,
    F: FnMut(Outcome<Result<T, E>>) -> bool,
{
    let pool = (opts.threads != 1)
        .then(|| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(opts.threads)
                .build()
                .ok()
        })
        .flatten();
    let chunk_messages = if pool.is_none() {
        1
    } else {
        opts.chunk_messages.max(1)
    };
    let run_one = |m: &RawMessage| -> Result<Result<T, E>, RunError> {
        catch_unwind(AssertUnwindSafe(|| work(m))).map_err(|_| RunError::Panic {
            label: m.origin.label(),
            offset: m.origin.offset,
        })
    };
    let mut chunk: Vec<Result<RawMessage, ReadError>> = Vec::new();
    let mut bytes = 0usize;
    let mut flush = |chunk: &mut Vec<Result<RawMessage, ReadError>>| -> bool {
        let results: Vec<Option<Result<Result<T, E>, RunError>>> = match &pool {
            Some(p) => p.install(|| {
                chunk
                    .par_iter()
                    .map(|m| m.as_ref().ok().map(run_one))
                    .collect()
            }),
            None => chunk.iter().map(|m| m.as_ref().ok().map(run_one)).collect(),
        };
        for (m, r) in chunk.drain(..).zip(results) {
            let go_on = match (m, r) {
                (Ok(m), Some(r)) => emit(Ok((m, r))),
                (Err(e), _) => emit(Err(e)),
                (Ok(_), None) => true,
            };
            if !go_on {
                return false;
            }
        }
        true
    };
    for m in messages {
        bytes += m.as_ref().map_or(0, |m| m.len());
        chunk.push(m);
        if chunk.len() >= chunk_messages || bytes >= opts.chunk_bytes {
            bytes = 0;
            if !flush(&mut chunk) {
                return;
            }
        }
    }
    flush(&mut chunk);
}
