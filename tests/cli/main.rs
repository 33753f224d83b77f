//! The one integration-test binary: one module per subcommand.

mod extract;
