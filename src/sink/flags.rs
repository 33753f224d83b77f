//! Message flags between mbox (`Status`, `X-Status`) and maildir (`:2,`).
//!
//! The mapping is the one mutt and Python's `mailbox` use:
//!
//! | maildir | mbox |
//! |---|---|
//! | `S` seen | `Status: R` |
//! | (in `cur/`) | `Status: O` (old: the client has seen the mailbox) |
//! | `R` replied | `X-Status: A` |
//! | `F` flagged | `X-Status: F` |
//! | `T` trashed | `X-Status: D` |
//! | `D` draft | `X-Status: T` |
//! | `P` passed | (none: lost in mbox) |

/// Maildir flags for an mbox message: `None` when it has neither field (a
/// new message, for `new/`), otherwise the sorted letters (for `cur/`).
pub fn maildir_flags_from_status(status: Option<&str>, x_status: Option<&str>) -> Option<String> {
    if status.is_none() && x_status.is_none() {
        return None;
    }
    let mut f: Vec<char> = Vec::new();
    let all = format!("{}{}", status.unwrap_or(""), x_status.unwrap_or(""));
    for c in status.unwrap_or("").chars() {
        if c == 'R' {
            f.push('S');
        }
    }
    for c in all.chars() {
        match c {
            'A' => f.push('R'),
            'F' => f.push('F'),
            'D' => f.push('T'),
            'T' => f.push('D'),
            _ => {}
        }
    }
    f.sort_unstable();
    f.dedup();
    Some(f.into_iter().collect())
}

/// `Status` and `X-Status` values for maildir flags. `flags` is `None` for a
/// message in `new/` (no fields at all).
pub fn status_from_maildir_flags(flags: Option<&str>) -> (Option<String>, Option<String>) {
    let Some(flags) = flags else {
        return (None, None);
    };
    let status = if flags.contains('S') { "RO" } else { "O" };
    let mut x = String::new();
    for (m, s) in [('R', 'A'), ('F', 'F'), ('T', 'D'), ('D', 'T')] {
        if flags.contains(m) {
            x.push(s);
        }
    }
    (Some(status.to_string()), (!x.is_empty()).then_some(x))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_ways() {
        for f in ["", "S", "RS", "FS", "DFRST", "T"] {
            let (s, x) = status_from_maildir_flags(Some(f));
            assert_eq!(
                maildir_flags_from_status(s.as_deref(), x.as_deref()).as_deref(),
                Some(f)
            );
        }
        assert_eq!(status_from_maildir_flags(None), (None, None));
        assert_eq!(maildir_flags_from_status(None, None), None);
        assert_eq!(
            maildir_flags_from_status(Some("OR"), None).as_deref(),
            Some("S")
        );
    }
}
