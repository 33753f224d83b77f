//! The integration tests: one binary, one module per subcommand, all running
//! the real `emlkit` executable.

mod build;
mod common;
mod consistency;
mod convert;
mod corpus;
mod dedupe;
mod determinism;
mod differential;
mod dkim;
mod dovecot;
mod extract;
mod fuzz_loop;
mod generated;
mod hardening;
mod headers;
mod info;
mod json;
mod mailbox_common;
mod man;
mod mbox;
mod misuse;
mod pick;
mod pipeline_common;
mod pipelines;
mod postfix;
mod progress;
mod readme;
mod scan;
mod schema;
mod sort;
mod split;
mod text;
mod thread;
mod trace;
mod tree;
