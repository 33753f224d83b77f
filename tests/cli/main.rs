//! The integration tests: one binary, one module per subcommand, all running
//! the real `emlkit` executable.

mod build;
mod common;
mod corpus;
mod extract;
mod headers;
mod json;
mod man;
mod text;
mod trace;
mod tree;
