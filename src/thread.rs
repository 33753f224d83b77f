//! Message threading: Jamie Zawinski's algorithm as RFC 5256 (REFERENCES)
//! describes it, without subject grouping (see: issue 13, item 4).
//!
//! Messages are linked by `References` (or, when it is empty, the first
//! `In-Reply-To` id). A parent that is not among the messages is kept as a
//! placeholder when it holds two or more replies at the top of a thread;
//! other placeholders are dropped and their children move up. Siblings and
//! threads are ordered by date (a placeholder by its earliest reply), then
//! by input order. Messages with the same `group` key (Gmail's
//! `X-GM-THRID`) whose trees are not connected by headers are placed next to
//! each other and share that thread id.
//!
//! ```
//! use emlkit::thread::{thread, Item};
//! let items = vec![
//!     Item { id: Some("a@x".into()), ..Item::default() },
//!     Item { id: Some("b@x".into()), references: vec!["a@x".into()], ..Item::default() },
//! ];
//! let nodes = thread(&items);
//! assert_eq!(nodes[1].depth, 1);
//! assert_eq!(nodes[1].parent.as_deref(), Some("a@x"));
//! ```

use std::collections::HashMap;

/// One message to thread.
#[derive(Debug, Clone, Default)]
pub struct Item {
    /// Its Message-ID (without `<>`).
    pub id: Option<String>,
    /// Its References ids, oldest first.
    pub references: Vec<String>,
    /// Its In-Reply-To ids.
    pub in_reply_to: Vec<String>,
    /// Its date (Unix seconds), for ordering.
    pub timestamp: Option<i64>,
    /// A thread key given by the mail store (Gmail `X-GM-THRID`).
    pub group: Option<String>,
    /// The subject without reply prefixes, for [`Options::subjects`].
    pub base_subject: Option<String>,
}

/// Threading options.
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub struct Options {
    /// Also join threads whose top messages have the same base subject
    /// (RFC 5256 §2.2, step 5, simplified): the later ones hang under the
    /// earliest. This is disabled by default: subjects like "Hello" join
    /// unrelated mail.
    pub subjects: bool,
}

/// One line of the threaded listing, in display order (pre-order).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Node {
    /// The message (its index in the input), or None for a placeholder.
    pub message: Option<usize>,
    /// The Message-ID (for a placeholder: the id replies refer to).
    pub id: String,
    /// The parent's id.
    pub parent: Option<String>,
    /// 0 at the top of a thread.
    pub depth: usize,
    /// The thread: the id of its top message or placeholder, or the group key.
    pub thread: String,
}

struct Container {
    id: String,
    message: Option<usize>,
    parent: Option<usize>,
    children: Vec<usize>,
}

struct Forest {
    c: Vec<Container>,
    by_id: HashMap<String, usize>,
}

impl Forest {
    fn get(&mut self, id: &str) -> usize {
        if let Some(&i) = self.by_id.get(id) {
            return i;
        }
        self.c.push(Container {
            id: id.to_string(),
            message: None,
            parent: None,
            children: Vec::new(),
        });
        self.by_id.insert(id.to_string(), self.c.len() - 1);
        self.c.len() - 1
    }

    /// Whether `a` is `b` or one of its ancestors. A container without
    /// children is nobody's ancestor: the common case (replies arrive after
    /// what they answer) costs no walk up a long chain.
    fn is_ancestor_or_self(&self, a: usize, b: usize) -> bool {
        if a == b {
            return true;
        }
        if self.c[a].children.is_empty() {
            return false;
        }
        let mut cur = Some(b);
        while let Some(x) = cur {
            if x == a {
                return true;
            }
            cur = self.c[x].parent;
        }
        false
    }

    fn unlink(&mut self, child: usize) {
        if let Some(p) = self.c[child].parent.take() {
            self.c[p].children.retain(|&x| x != child);
        }
    }

    fn link(&mut self, parent: usize, child: usize) {
        self.c[child].parent = Some(parent);
        self.c[parent].children.push(child);
    }
}

/// A subject for sorting and for [`Options::subjects`]: reply and forward prefixes (`Re:`, `Fwd:`,
/// `Fw:`, `Aw:`, `Sv:`, `Wg:`, `[list]` tags) removed, lower-case.
pub fn base_subject(s: &str) -> String {
    let mut s = s.trim();
    loop {
        let lower = s.to_ascii_lowercase();
        let cut = ["re:", "fwd:", "fw:", "aw:", "sv:", "wg:"]
            .iter()
            .find(|p| lower.starts_with(*p))
            .map(|p| p.len())
            .or_else(|| {
                if s.starts_with('[') {
                    s.find(']').map(|i| i + 1)
                } else {
                    None
                }
            });
        match cut {
            Some(n) => s = s[n..].trim_start(),
            None => break,
        }
    }
    s.to_lowercase()
}

/// Threads `items`; see the module documentation.
pub fn thread(items: &[Item]) -> Vec<Node> {
    thread_with(items, &Options::default())
}

/// Threads `items` with options; see the module documentation.
pub fn thread_with(items: &[Item], opts: &Options) -> Vec<Node> {
    let mut f = Forest {
        c: Vec::new(),
        by_id: HashMap::new(),
    };
    let mut own = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        // A message without an id, or with an id already taken, gets a
        // container of its own that nothing can refer to.
        let c = match item.id.as_deref() {
            Some(id) if f.by_id.get(id).is_none_or(|&c| f.c[c].message.is_none()) => f.get(id),
            _ => {
                f.c.push(Container {
                    id: item.id.clone().unwrap_or_default(),
                    message: None,
                    parent: None,
                    children: Vec::new(),
                });
                f.c.len() - 1
            }
        };
        f.c[c].message = Some(i);
        own.push(c);
        let refs: &[String] = if item.references.is_empty() {
            item.in_reply_to.get(..1).unwrap_or(&[])
        } else {
            &item.references
        };
        // Link the references in order, never overriding a link already made
        // and never making a loop.
        let mut prev: Option<usize> = None;
        for r in refs {
            let cur = f.get(r);
            if let Some(p) = prev {
                if f.c[cur].parent.is_none() && !f.is_ancestor_or_self(cur, p) {
                    f.link(p, cur);
                }
            }
            prev = Some(cur);
        }
        // The last reference is the parent, replacing any guess.
        f.unlink(c);
        if let Some(p) = prev {
            if !f.is_ancestor_or_self(c, p) {
                f.link(p, c);
            }
        }
    }
    // Sort keys: a message's (date, input order); a placeholder's the
    // smallest among its descendants. Computed in post-order, iteratively.
    let n = f.c.len();
    let mut order = Vec::with_capacity(n);
    let mut stack: Vec<(usize, bool)> = (0..n)
        .filter(|&i| f.c[i].parent.is_none())
        .map(|i| (i, false))
        .collect();
    while let Some((x, done)) = stack.pop() {
        if done {
            order.push(x);
        } else {
            stack.push((x, true));
            stack.extend(f.c[x].children.iter().map(|&ch| (ch, false)));
        }
    }
    let mut key: Vec<(i64, usize)> = vec![(i64::MAX, usize::MAX); n];
    // Effective children after dropping placeholders.
    let mut eff: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &x in &order {
        let mut kids = Vec::new();
        for &ch in &f.c[x].children {
            if f.c[ch].message.is_some() {
                kids.push(ch);
            } else {
                kids.append(&mut eff[ch]);
            }
        }
        let mut k = match f.c[x].message {
            Some(m) => (items[m].timestamp.unwrap_or(i64::MAX), m),
            None => (i64::MAX, usize::MAX),
        };
        for &ch in &kids {
            if f.c[x].message.is_none() {
                k = k.min(key[ch]);
            }
        }
        kids.sort_by_key(|&ch| key[ch]);
        key[x] = k;
        eff[x] = kids;
    }
    // The tops: roots with a message, placeholders with two or more replies;
    // a placeholder root with one reply gives way to it.
    let mut tops: Vec<usize> = Vec::new();
    for x in (0..n).filter(|&i| f.c[i].parent.is_none()) {
        if f.c[x].message.is_some() || eff[x].len() > 1 {
            tops.push(x);
        } else {
            tops.append(&mut eff[x].clone());
        }
    }
    tops.sort_by_key(|&x| key[x]);
    if opts.subjects {
        // The earliest top of each base subject takes the later ones as
        // replies (in date order, after its own).
        let subjects: Vec<Option<String>> = tops
            .iter()
            .map(|&x| {
                let m = f.c[x]
                    .message
                    .or_else(|| eff[x].first().and_then(|&c| f.c[c].message))?;
                items[m].base_subject.clone().filter(|s| !s.is_empty())
            })
            .collect();
        let mut first: HashMap<String, usize> = HashMap::new();
        let mut kept = Vec::with_capacity(tops.len());
        for (&t, subj) in tops.iter().zip(subjects) {
            match subj {
                Some(subj) => match first.get(&subj) {
                    Some(&head) => eff[head].push(t),
                    None => {
                        first.insert(subj, t);
                        kept.push(t);
                    }
                },
                None => kept.push(t),
            }
        }
        tops = kept;
    }
    // Gmail thread groups: tops with the same key stay together.
    let group_of = |x: usize| -> Option<&str> {
        let mut stack = vec![x];
        while let Some(y) = stack.pop() {
            if let Some(g) = f.c[y].message.and_then(|m| items[m].group.as_deref()) {
                return Some(g);
            }
            stack.extend(eff[y].iter().copied());
        }
        None
    };
    let mut groups: Vec<(Option<String>, Vec<usize>)> = Vec::new();
    let mut group_index: HashMap<String, usize> = HashMap::new();
    for &t in &tops {
        match group_of(t) {
            Some(g) => match group_index.get(g) {
                Some(&gi) => groups[gi].1.push(t),
                None => {
                    group_index.insert(g.to_string(), groups.len());
                    groups.push((Some(g.to_string()), vec![t]));
                }
            },
            None => groups.push((None, vec![t])),
        }
    }
    let mut out = Vec::with_capacity(items.len());
    for (g, members) in groups {
        for t in members {
            let thread_id = g.clone().unwrap_or_else(|| f.c[t].id.clone());
            let mut stack: Vec<(usize, usize, Option<usize>)> = vec![(t, 0, None)];
            while let Some((x, depth, parent)) = stack.pop() {
                out.push(Node {
                    message: f.c[x].message,
                    id: f.c[x].id.clone(),
                    parent: parent.map(|p| f.c[p].id.clone()),
                    depth,
                    thread: thread_id.clone(),
                });
                for &ch in eff[x].iter().rev() {
                    stack.push((ch, depth + 1, Some(x)));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: &str, refs: &[&str], t: i64) -> Item {
        Item {
            id: Some(id.to_string()),
            references: refs.iter().map(|s| s.to_string()).collect(),
            timestamp: Some(t),
            ..Item::default()
        }
    }

    fn show(nodes: &[Node]) -> Vec<String> {
        nodes
            .iter()
            .map(|n| format!("{}{}", " ".repeat(n.depth), n.id))
            .collect()
    }

    #[test]
    fn replies_nest_and_order_by_date() {
        let items = vec![
            item("c", &["a", "b"], 3),
            item("a", &[], 1),
            item("b", &["a"], 2),
            item("b2", &["a"], 1),
            item("z", &[], 0),
        ];
        assert_eq!(show(&thread(&items)), vec!["z", "a", " b2", " b", "  c"]);
    }

    #[test]
    fn missing_parents_become_placeholders_only_when_needed() {
        // Two replies to a missing message: a placeholder at the top.
        let items = vec![item("x", &["gone"], 1), item("y", &["gone"], 2)];
        let nodes = thread(&items);
        assert_eq!(show(&nodes), vec!["gone", " x", " y"]);
        assert_eq!(nodes[0].message, None);
        assert_eq!(nodes[1].parent.as_deref(), Some("gone"));
        // One reply: it becomes the top.
        let nodes = thread(&[item("x", &["gone"], 1)]);
        assert_eq!(show(&nodes), vec!["x"]);
        // A missing middle: the grandchild hangs under the grandparent.
        let nodes = thread(&[item("a", &[], 1), item("c", &["a", "b"], 2)]);
        assert_eq!(show(&nodes), vec!["a", " c"]);
    }

    #[test]
    fn loops_and_duplicates_do_not_break_it() {
        let items = vec![
            item("a", &["b"], 1),
            item("b", &["a"], 2),
            item("a", &[], 3),
            Item::default(),
        ];
        let nodes = thread(&items);
        assert_eq!(nodes.len(), 4);
        let mut seen: Vec<usize> = nodes.iter().filter_map(|n| n.message).collect();
        seen.sort_unstable();
        assert_eq!(seen, vec![0, 1, 2, 3]);
    }

    #[test]
    fn in_reply_to_is_used_without_references() {
        let items = vec![
            item("a", &[], 1),
            Item {
                id: Some("b".into()),
                in_reply_to: vec!["a".into()],
                timestamp: Some(2),
                ..Item::default()
            },
        ];
        assert_eq!(show(&thread(&items)), vec!["a", " b"]);
    }

    #[test]
    fn base_subjects() {
        assert_eq!(base_subject("Re: RE: Fwd: [list] Hello"), "hello");
        assert_eq!(base_subject("AW: Sv: x"), "x");
        assert_eq!(base_subject("Regarding"), "regarding");
    }

    #[test]
    fn subjects_join_threads_only_when_asked() {
        let mut a = item("a", &[], 1);
        a.base_subject = Some("plans".into());
        let mut b = item("b", &[], 2);
        b.base_subject = Some("plans".into());
        let c = item("c", &[], 3);
        let items = [a, b, c];
        assert_eq!(show(&thread(&items)), vec!["a", "b", "c"]);
        let nodes = thread_with(&items, &Options { subjects: true });
        assert_eq!(show(&nodes), vec!["a", " b", "c"]);
        assert_eq!(nodes[1].parent.as_deref(), Some("a"));
    }

    #[test]
    fn gmail_groups_keep_unlinked_messages_together() {
        let mut a = item("a", &[], 1);
        a.group = Some("T1".into());
        let mut c = item("c", &[], 3);
        c.group = Some("T1".into());
        let b = item("b", &[], 2);
        let nodes = thread(&[a, b, c]);
        assert_eq!(show(&nodes), vec!["a", "c", "b"]);
        assert_eq!(nodes[1].thread, "T1");
    }
}
