//! Self-contained HTML reports: one message for a ticket, a mailbox at a
//! glance. See docs/report.md. See: issue 17.
//!
//! - [`MessageReport`]: the summary an analyst writes into a ticket, the
//!   delivery path as a timeline, authentication, the MIME tree with what
//!   `extract` would write, indicators, findings and the raw header. Each
//!   section is a plain struct filled from the library's analyses
//!   (signature verification, sender alignment, indicators of the header
//!   and bodies, decoded vendor verdicts, finding severities).
//! - [`Overview`]: a mailbox folded message by message ([`Facts`]) into
//!   bounded counters, histograms and capped tables, drawn as inline SVG
//!   charts with their numbers as tables.
//!
//! Safe by construction ([`html`]): every string from a message goes
//! through one escaping function per HTML context; no message HTML is
//! rendered (bodies are shown as escaped text); nothing is loaded from
//! anywhere (no external resource, a Content-Security-Policy of
//! `default-src 'none'`); links from messages are shown defanged, never as
//! links; control, bidi and zero-width characters are shown as escapes.
//!
//! ```
//! # fn main() -> Result<(), emlkit::model::ParseError> {
//! use emlkit::model::{Limits, Message, Scope};
//! let raw = b"From: a@example.org\r\nSubject: <b>hi</b>\r\n\r\nbody\r\n";
//! let msg = Message::parse(raw, 0, Scope::Full, &Limits::default())?;
//! let trace = msg.trace(&emlkit::forensics::Options::at(0));
//! let page = emlkit::report::MessageReport::build("a.eml", &msg, trace).render_document();
//! assert!(page.contains("&lt;b&gt;hi&lt;/b&gt;"));
//! assert!(page.contains("default-src 'none'"));
//! # Ok(())
//! # }
//! ```

pub mod html;
pub mod mailbox;
pub mod message;
pub mod svg;

pub use mailbox::{Facts, Overview};
pub use message::MessageReport;
