//! Resent-* blocks (RFC 5322 §3.6.6): the fields one resending added.

use super::{Field, Message};

/// One Resent-* block: its fields in header order.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ResentGroup<'f, 'a> {
    /// The Resent-* fields of the block.
    pub fields: Vec<&'f Field<'a>>,
    /// Offset of the block's first field.
    pub offset: u64,
}

/// The one rule for grouping Resent-* fields into blocks, used by `json`
/// and `trace` alike: a block is a run of Resent-* fields in which no name
/// repeats. Received fields inside a run do not end it (a relay may add its
/// trace field between a resender's fields); any other field does, and so
/// does a name already in the block, which starts the next block.
pub fn blocks<'f, 'a>(msg: &'f Message<'a>) -> Vec<ResentGroup<'f, 'a>> {
    let mut out: Vec<ResentGroup<'f, 'a>> = Vec::new();
    let mut open = false;
    for f in msg.headers() {
        let resent = f.raw_name.len() > 7 && f.raw_name[..7].eq_ignore_ascii_case(b"resent-");
        if !resent {
            if !f.is("received") {
                open = false;
            }
            continue;
        }
        let repeat = out.last().is_some_and(|b| {
            b.fields
                .iter()
                .any(|g| g.raw_name.eq_ignore_ascii_case(f.raw_name))
        });
        if !open || repeat {
            out.push(ResentGroup {
                fields: Vec::new(),
                offset: f.offset,
            });
            open = true;
        }
        if let Some(b) = out.last_mut() {
            b.fields.push(f);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn groups_runs_and_repeats() {
        let raw = b"Resent-From: a@x\nReceived: by y\nResent-Date: Mon, 1 Jan 2024 00:00:00 +0000\nResent-From: b@x\nSubject: s\nResent-To: c@x\n\nbody";
        let m = super::super::parse(raw, 0, crate::model::Scope::HeadersOnly).expect("parses");
        let b = super::blocks(&m);
        assert_eq!(b.len(), 3);
        assert_eq!(b[0].fields.len(), 2);
        assert_eq!(b[1].fields.len(), 1);
        assert_eq!(b[2].fields.len(), 1);
    }
}
