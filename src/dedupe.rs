//! Keys that tell two copies of one message apart from two messages (see:
//! issue 13, item 5): the Message-ID, or a digest of the content that
//! leaves out what delivery adds.
//!
//! ```
//! use emlkit::dedupe::{content_key, id_key};
//! use emlkit::model::{Message, Scope, Limits};
//!
//! # fn main() -> Result<(), emlkit::model::ParseError> {
//! let a = b"Received: from x by y; Mon, 1 Jan 2024 00:00:00 +0000\nMessage-ID: <m@x>\nSubject: s\n\nbody\n";
//! let b = b"Delivered-To: me@example.com\r\nMessage-ID: <m@x>\r\nSubject: s\r\n\r\nbody\r\n";
//! let pa = Message::parse(a, 0, Scope::Full, &Limits::default())?;
//! let pb = Message::parse(b, 0, Scope::Full, &Limits::default())?;
//! assert_eq!(id_key(&pa), id_key(&pb));
//! assert_eq!(content_key(a, &pa), content_key(b, &pb));
//! # Ok(())
//! # }
//! ```

use crate::model::Message;
use sha2::{Digest, Sha256};

/// The fields that say which message it is, hashed by [`content_key`].
/// Trace and store fields (Received, Return-Path, Delivered-To, Status,
/// X-Gmail-Labels, …) are not among them.
pub const IDENTITY_FIELDS: &[&str] = &["from", "to", "cc", "subject", "date", "message-id"];

/// The Message-ID key, `<id>`; None for a message without one (which
/// should never be taken for a copy of another).
pub fn id_key(msg: &Message<'_>) -> Option<String> {
    msg.message_id().map(|id| format!("<{id}>"))
}

/// The content key of a message: SHA-256 (lower-case hex) over the
/// [`IDENTITY_FIELDS`] as written (unfolded, trimmed) and the body bytes
/// after the header section, with CRLF and LF line endings counted alike.
/// `raw` is the message `msg` was parsed from.
pub fn content_key(raw: &[u8], msg: &Message<'_>) -> String {
    let mut h = Sha256::new();
    for name in IDENTITY_FIELDS {
        for f in msg.headers().iter().filter(|f| f.is(name)) {
            h.update(name.as_bytes());
            h.update(b":");
            let v = crate::model::encoded_word::unfold(f.raw_value());
            h.update(v.trim_ascii());
            h.update(b"\n");
        }
    }
    h.update(b"\n");
    let head = crate::model::header_block(raw).len();
    let body = &raw[head.min(raw.len())..];
    for line in body.split(|&b| b == b'\n') {
        h.update(line.strip_suffix(b"\r").unwrap_or(line));
        h.update(b"\n");
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Limits, Scope};

    fn key(raw: &[u8]) -> String {
        let m = Message::parse(raw, 0, Scope::Full, &Limits::default()).unwrap();
        content_key(raw, &m)
    }

    #[test]
    fn trace_fields_do_not_count_but_identity_and_body_do() {
        let a = key(b"Received: a\nSubject: s\nFrom: x@y\n\nbody\n");
        assert_eq!(
            a,
            key(b"Received: b\nStatus: RO\nSubject: s\nFrom: x@y\n\nbody\n")
        );
        assert_ne!(a, key(b"Subject: t\nFrom: x@y\n\nbody\n"));
        assert_ne!(a, key(b"Subject: s\nFrom: x@y\n\nbody2\n"));
        let m = Message::parse(b"Subject: s\n\nx\n", 0, Scope::Full, &Limits::default()).unwrap();
        assert_eq!(id_key(&m), None);
    }
}
