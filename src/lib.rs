//! # emlkit
//!
//! E-mail messages as files: RFC 5322 / MIME messages, mbox files and maildir
//! trees, read without copying, explained and exported.
//!
//! ## One message
//!
//! [`Message::parse`](model::Message::parse) finds the MIME structure of a
//! message (RFC 2046, our own iterative parser over the input bytes) and
//! returns the one analysis every consumer reads: header fields as byte
//! ranges, the part tree, the attachments, the bodies and the findings.
//! Nothing is decoded until asked for.
//!
//! ```
//! use emlkit::model::{Limits, Message, Scope};
//! # fn main() -> Result<(), emlkit::model::ParseError> {
//! let raw = b"From: Ann <a@example.com>\r\nSubject: =?utf-8?q?caf=C3=A9?=\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nhello\r\n--b\r\nContent-Type: image/png; name=x.png\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--b--\r\n";
//! let msg = Message::parse(raw, 0, Scope::Full, &Limits::default())?;
//! assert_eq!(msg.subject().as_deref(), Some("café"));
//! assert_eq!(msg.from_address().as_deref(), Some("a@example.com"));
//! assert_eq!(msg.text(), Some("hello"));
//! for p in msg.attachment_parts() {
//!     let (sha256, size) = p.sha256();
//!     println!("{} {:?} {size} bytes {:02x?}", p.id, p.filename, &sha256[..4]);
//! }
//! let ids: Vec<&str> = msg.parts.iter().map(|p| p.id.as_str()).collect();
//! assert_eq!(ids, ["0", "1", "2"]);
//! assert_eq!(&msg.part("2").map(|p| p.decoded()).unwrap_or_default()[..4], b"\x89PNG");
//! # Ok(())
//! # }
//! ```
//!
//! ## The data model
//!
//! - **Parts** are named by IMAP section numbers (RFC 3501 §6.4.5), as mail
//!   clients and IMAP servers number them: a single-part body is `1`; the
//!   children of a multipart message are `1`, `2`, …, their children `1.1`,
//!   …; the root multipart, which IMAP does not number, is `0`. Inside an
//!   attached message `X` the same rules apply with the prefix `X.`.
//! - **Findings** ([`model::Finding`]) are what the parser tolerated or
//!   noticed: a stable code, a message, the part and the input offset.
//!   Malformed mail is data: it yields findings, never a panic and never a
//!   silent fix. The codes are listed in `docs/json.md`, the deliberate
//!   deviations from the RFCs in `LENIENCY.md`.
//! - **Limits** ([`model::Limits`]) bound depth, parts, header fields and
//!   field sizes; reaching one is a finding, and what was read is still
//!   reported.
//! - **Offsets** are byte offsets in the whole input (a mailbox member's
//!   offsets count from the start of the mailbox).
//!
//! ## Layers
//!
//! - [`source`] — where bytes come from (files, stdin, memory maps, mbox
//!   splitting, maildir walking, message references such as
//!   `archive.mbox#42` and message lists). It knows nothing of MIME.
//! - [`model`] — our message: the structure parser, header fields, decoding,
//!   charsets, dates, addresses, and the one analysis per message.
//! - [`forensics`] — the path a message took: Received hops, authentication,
//!   findings.
//! - [`export`] — every wire format as a typed record (the JSON Lines schema
//!   is documented in `docs/json.md`).
//! - [`extract`] — attachment selection, the file-name policy and a writer
//!   that never leaves its folder or overwrites (see `docs/extract.md`).
//! - [`query`] — the search syntax of `pick` (Gmail/notmuch terms and
//!   forensic ones); [`thread`] — JWZ threading; [`dedupe`] — duplicate keys.
//! - [`sink`] — mbox and maildir writers; [`build`] — messages from flags or
//!   a spec; [`term`] — escaping of untrusted text for terminals.
//! - [`report`] — self-contained HTML reports of a message or a mailbox,
//!   safe to open on hostile mail (see `docs/report.md`).
//!
//! ## Library and command line
//!
//! The `emlkit` binary holds the command line: argument parsing, terminal
//! handling, progress, colours and exit codes, behind the default-on `cli`
//! feature. With `emlkit = { version = "…", default-features = false }` you
//! get the bare library, without clap, anyhow or indicatif. The
//! library never prints, never exits, never reads the environment or looks at
//! the terminal: it returns data and writes to the `io::Write` it is given.
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
#![deny(missing_docs)]
// No unwrap/expect outside tests: input-derived values must fail as data.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod build;
pub mod dedupe;
pub mod export;
pub mod extract;
pub mod forensics;
pub mod model;
pub mod query;
pub mod report;
pub mod sink;
pub mod source;
pub mod term;
pub mod thread;
