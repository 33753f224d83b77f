//! Building messages, on mail-builder.
//!
//! A message is first described as a [`Draft`]: header fields in order and a
//! tree of [`Node`]s with their decoded contents. A draft comes from command
//! flags ([`compose::from_flags`]) or from a JSON spec whose field names are
//! those of the `json` export ([`spec::from_json`]); [`compose::write`] turns
//! it into bytes.
//!
//! Every value is checked by [`validate`] on the way into a draft, so header
//! injection is impossible: a CR, LF or NUL in any header name or value, an
//! invalid field name or an address that does not parse is a [`BuildError`]
//! naming the field, and nothing is written.
//!
//! Encodings are chosen by content so that the decoded bytes of every part are
//! exactly the ones given: 7bit when the content is ASCII with short lines and
//! the output's line endings, quoted-printable for mostly-ASCII text, base64
//! otherwise. Non-ASCII header text is RFC 2047, non-ASCII file names are
//! RFC 2231 (with an RFC 2047 `name=` for old clients); headers fold at 78
//! columns and never exceed 998.

pub mod compose;
pub mod spec;
pub mod validate;

pub use validate::Mailbox;

/// Why a message could not be built. Names the field (a flag such as
/// `--to`, or a spec path such as `parts[2].content_type`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
#[non_exhaustive]
pub struct BuildError {
    /// The flag or spec field at fault.
    pub field: String,
    /// What is wrong with it, quoting the value.
    pub reason: String,
}

impl BuildError {
    /// An error about `field`.
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> BuildError {
        BuildError {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// The value of one header field.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FieldValue {
    /// A raw value (from the `json` export), checked, its folds as CRLF;
    /// written as is, with lines over 78 folded again at white space.
    Raw(Vec<u8>),
    /// Unstructured text, RFC 2047-encoded when not ASCII.
    Text(String),
    /// Mailboxes (and groups).
    Addresses(Vec<Mailbox>),
    /// Message ids, without angle brackets.
    Ids(Vec<String>),
    /// A date in RFC 5322 form, already checked.
    Date(String),
}

/// One header field.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Field {
    /// The field name as it will be written.
    pub name: String,
    /// Its value.
    pub value: FieldValue,
}

/// The body of a node.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Body {
    /// Decoded content bytes.
    Leaf(Vec<u8>),
    /// An attached message, its bytes as they are.
    Message(Vec<u8>),
    /// Children of a multipart.
    Multipart(Vec<Node>),
}

/// One MIME entity.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Node {
    /// Lower-case `type/subtype`.
    pub content_type: String,
    /// Content-Type parameters other than `boundary` (which is generated).
    pub params: Vec<(String, String)>,
    /// Content-Disposition value (`attachment`, `inline`).
    pub disposition: Option<String>,
    /// `filename` parameter of Content-Disposition (RFC 2231 when needed).
    pub filename: Option<String>,
    /// Content-Type `name=` (RFC 2047-encoded when not ASCII, as old
    /// clients read it); replaces any `name` in `params`.
    pub name_param: Option<String>,
    /// Content-ID without angle brackets.
    pub content_id: Option<String>,
    /// Content-Description.
    pub description: Option<String>,
    /// The transfer encoding to keep when it can carry the content exactly
    /// (from a spec's `transfer_encoding`); otherwise it is chosen by content.
    pub encoding: Option<String>,
    /// The content.
    pub body: Body,
}

impl Node {
    /// A leaf with no parameters.
    pub fn leaf(content_type: &str, content: Vec<u8>) -> Node {
        Node {
            content_type: content_type.to_string(),
            params: Vec::new(),
            disposition: None,
            filename: None,
            name_param: None,
            content_id: None,
            description: None,
            encoding: None,
            body: Body::Leaf(content),
        }
    }

    /// A multipart of the given subtype.
    pub fn multipart(subtype: &str, children: Vec<Node>) -> Node {
        Node {
            body: Body::Multipart(children),
            ..Node::leaf(&format!("multipart/{subtype}"), Vec::new())
        }
    }
}

/// A message to build: header fields in order (without the root's
/// Content-* fields and MIME-Version, which are generated) and the root entity.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Draft {
    /// Header fields, in output order.
    pub fields: Vec<Field>,
    /// The root entity.
    pub root: Node,
}

impl Draft {
    /// True when a field of this name (case-insensitive) is present.
    pub fn has(&self, name: &str) -> bool {
        self.fields
            .iter()
            .any(|f| f.name.eq_ignore_ascii_case(name))
    }
}

/// Output options.
#[derive(Debug, Clone, Copy, Default)]
pub struct WriteOptions {
    /// LF line endings instead of CRLF. This is disabled by default.
    pub lf: bool,
}
