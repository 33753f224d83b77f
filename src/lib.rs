//! # emlkit
//!
//! E-mail messages as files: RFC 5322 / MIME messages, mbox files and maildir
//! trees, read without copying, explained and exported.
//!
//! The library is layered:
//!
//! - [`source`] — where bytes come from (files, stdin, memory maps, mbox
//!   splitting, maildir walking). It knows nothing of MIME.
//! - [`model`] — our stable view of a parsed message over `mail_parser`: a part
//!   tree named by IMAP section numbers, file names resolved from raw
//!   parameters (RFC 2231, RFC 2047), sizes, byte ranges and findings.
//! - [`export`] — the JSON Lines schema (documented in `docs/json.md`).
//! - [`extract`] — attachment selection, the file-name policy and a writer
//!   that never leaves its folder or overwrites (see `docs/extract.md`).
//! - [`term`] — escaping of untrusted text for terminals.
//!
//! The library never prints, never exits and never looks at the terminal: it
//! returns data and writes to the `io::Write` it is given.
//!
//! ## Example
//!
//! ```
//! # fn main() -> Result<(), emlkit::model::ParseError> {
//! let raw = b"From: a@example.com\r\nSubject: hi\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nhello\r\n--b\r\nContent-Type: image/png; name=x.png\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--b--\r\n";
//! let tree = emlkit::model::parse(raw, 0, false)?;
//! let ids: Vec<&str> = tree.parts.iter().map(|p| p.id.as_str()).collect();
//! assert_eq!(ids, ["0", "1", "2"]);
//! assert_eq!(tree.parts[2].filename.as_deref(), Some("x.png"));
//! assert_eq!(&tree.parts[2].decoded()[..4], b"\x89PNG");
//! # Ok(())
//! # }
//! ```
//!
//! ## Bytes and text
//!
//! Messages are bytes. Decoded text (subjects, bodies) is UTF-8; where bytes
//! could not be converted exactly, a finding says so and the JSON export
//! carries the original bytes as base64 next to the text.
//!
//! ## Safety
//!
//! The crate denies `unsafe` code with one documented exception, the memory
//! map in `source/bytes.rs`: mapping a file (`memmap2::Mmap::map`) and
//! telling the kernel that processed pages may be dropped (`madvise`), each
//! with a `SAFETY:` comment. Extraction opens files relative to its output
//! directory without following links (rustix, no `unsafe`).
#![deny(unsafe_code)]
// No unwrap/expect outside tests: input-derived values must fail as data.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod build;
pub mod export;
pub mod extract;
pub mod forensics;
pub mod model;
pub mod sink;
pub mod source;
pub mod term;
