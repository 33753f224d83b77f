//! Reassembly of message/partial fragments (RFC 2046 §5.2.2).
//!
//! Fragments are collected by their `id` parameter, across the messages
//! (and inputs) of one run. When every number from 1 to `total` is there,
//! the bodies are joined in order: the first fragment's body starts with
//! the header of the enclosed message, so the result is that message.
//! Memory is bounded: at most [`MAX_BYTES`] of fragment bodies and
//! [`MAX_FRAGMENTS`] fragments per id are held; beyond that a fragment is
//! refused (and stays a finding).

use std::collections::{BTreeMap, HashMap};

/// Most bytes of fragment bodies held at once.
pub const MAX_BYTES: usize = 512 << 20;
/// Most fragments of one message.
pub const MAX_FRAGMENTS: u32 = 10_000;

#[derive(Debug, Default)]
struct Set {
    total: Option<u32>,
    frags: BTreeMap<u32, Vec<u8>>,
}

/// What happened to a fragment.
#[derive(Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Added {
    /// Kept; more fragments are needed.
    Pending,
    /// That was the last one: here is the whole message.
    Complete(Vec<u8>),
    /// Refused: a bad number, a duplicate or a limit.
    Refused(&'static str),
}

/// Fragments seen so far.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct Partials {
    sets: HashMap<String, Set>,
    bytes: usize,
}

impl Partials {
    /// Adds fragment `number` (of `total`, known at least on the last
    /// fragment) of message `id`.
    pub fn add(&mut self, id: &str, number: u32, total: Option<u32>, body: &[u8]) -> Added {
        if number == 0
            || number > MAX_FRAGMENTS
            || total.is_some_and(|t| t == 0 || t > MAX_FRAGMENTS)
        {
            return Added::Refused("fragment number or total out of range");
        }
        if self.bytes + body.len() > MAX_BYTES {
            return Added::Refused("too many fragment bytes held");
        }
        let set = self.sets.entry(id.to_string()).or_default();
        if set.frags.contains_key(&number) {
            return Added::Refused("duplicate fragment");
        }
        if total.is_some() {
            set.total = total;
        }
        set.frags.insert(number, body.to_vec());
        self.bytes += body.len();
        let done = set
            .total
            .is_some_and(|t| set.frags.len() as u32 == t && set.frags.keys().all(|&k| k <= t));
        if !done {
            return Added::Pending;
        }
        let Some(set) = self.sets.remove(id) else {
            return Added::Pending;
        };
        let mut out = Vec::new();
        for (_, b) in set.frags {
            self.bytes -= b.len();
            out.extend_from_slice(&b);
        }
        Added::Complete(out)
    }

    /// Ids still waiting for fragments, with how many they have.
    pub fn pending(&self) -> Vec<(String, usize, Option<u32>)> {
        let mut v: Vec<_> = self
            .sets
            .iter()
            .map(|(k, s)| (k.clone(), s.frags.len(), s.total))
            .collect();
        v.sort();
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_in_order_whatever_the_arrival() {
        let mut p = Partials::default();
        assert_eq!(p.add("x", 2, None, b"b"), Added::Pending);
        assert_eq!(p.add("x", 3, Some(3), b"c"), Added::Pending);
        assert_eq!(
            p.add("y", 1, Some(1), b"solo"),
            Added::Complete(b"solo".to_vec())
        );
        assert_eq!(
            p.add("x", 1, Some(3), b"a"),
            Added::Complete(b"abc".to_vec())
        );
        assert!(p.pending().is_empty());
        assert_eq!(p.bytes, 0);
    }

    #[test]
    fn refuses_nonsense() {
        let mut p = Partials::default();
        assert!(matches!(p.add("x", 0, Some(2), b""), Added::Refused(_)));
        assert!(matches!(
            p.add("x", 1, Some(u32::MAX), b""),
            Added::Refused(_)
        ));
        assert_eq!(p.add("x", 1, Some(2), b"a"), Added::Pending);
        assert!(matches!(p.add("x", 1, Some(2), b"a"), Added::Refused(_)));
        assert_eq!(p.pending(), vec![("x".to_string(), 1, Some(2))]);
    }
}
