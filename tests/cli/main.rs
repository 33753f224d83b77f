//! The one integration-test binary: one module per subcommand.

mod common;
mod convert;
mod info;
mod mbox;
mod split;
