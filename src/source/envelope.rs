//! The mbox `From_` line: its grammar, read field by field as mutt's
//! `is_from` and Dovecot's `mbox_from_parse` read it, and its date.
//!
//! ```text
//! From <sender> <weekday> <month> <day> <hh:mm[:ss]> [<zone> [<zone>]] <year> [anything]
//! From <sender> <weekday>, <day> <month> <year> <hh:mm[:ss]> [<zone>]      (RFC 2822 style)
//! ```
//!
//! Weekday and month are exactly three letters (any case), so body text such
//! as `From my friend at 10:30 in 2019 we heard nothing.` is never a `From_`
//! line: words are never matched by their prefix. The sender is one word, or
//! empty (`From Mon Jan  1 …`), or a few words when they are followed by a
//! valid date (pipermail's `From me at example.org Mon …`, a quoted local
//! part with spaces). Everything after the year is allowed (`remote from
//! host`, Python's `extra info`).
//!
//! See: issue 12 (the `From_` line as mutt and git read it).

use std::ops::Range;

/// A `From_` line taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FromLine {
    /// The envelope sender, as a range of the line given to [`parse`]
    /// (empty when the line has none).
    pub sender: Range<usize>,
    /// The date as seconds since the epoch: the zone applied when the line
    /// has a numeric one (or UTC/GMT), otherwise read as UTC (the time emlkit
    /// and Dovecot write). `None` when the fields are well-formed but name no
    /// real day (`Feb 30`).
    pub time: Option<i64>,
}

/// Most words looked at; a `From_` line has about ten.
const MAX_WORDS: usize = 24;
/// Most words a sender may take (`me at example.org` is three).
const MAX_SENDER_WORDS: usize = 4;

/// Parses `line` (without its line ending; a trailing CR is ignored) as a
/// `From_` line. See the module documentation for the grammar.
pub fn parse(line: &[u8]) -> Option<FromLine> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let rest = line.strip_prefix(b"From ")?;
    // Word spans, without allocating: this runs on every body line that
    // starts with `From `.
    let mut words = [(0usize, 0usize); MAX_WORDS];
    let mut n = 0;
    let mut i = 0;
    while i < rest.len() && n < MAX_WORDS {
        while i < rest.len() && (rest[i] == b' ' || rest[i] == b'\t') {
            i += 1;
        }
        let s = i;
        while i < rest.len() && rest[i] != b' ' && rest[i] != b'\t' {
            i += 1;
        }
        if i > s {
            words[n] = (s + 5, i + 5);
            n += 1;
        }
    }
    let word = |k: usize| -> &[u8] { &line[words[k].0..words[k].1] };
    // The date starts at the first weekday that is followed by a valid date,
    // after at most MAX_SENDER_WORDS sender words.
    for first in 0..=MAX_SENDER_WORDS.min(n) {
        if first >= n {
            break;
        }
        if weekday(word(first).strip_suffix(b",").unwrap_or(word(first))).is_none() {
            continue;
        }
        let date: Vec<&[u8]> = (first..n).map(word).collect();
        if let Some(time) = asctime(&date).or_else(|| rfc2822(&date)) {
            let sender = if first == 0 {
                5..5
            } else {
                words[0].0..words[first - 1].1
            };
            return Some(FromLine { sender, time });
        }
    }
    None
}

/// True when `line` is a `From_` line ([`parse`] accepts it).
pub fn is_from_line(line: &[u8]) -> bool {
    parse(line).is_some()
}

/// `Www Mmm dd hh:mm[:ss] [zone [zone]] yyyy …`
fn asctime(w: &[&[u8]]) -> Option<Option<i64>> {
    if w.len() < 5 {
        return None;
    }
    weekday(w[0])?;
    let month = month(w[1])?;
    let day = number(w[2], 1, 2).filter(|d| (1..=31).contains(d))?;
    let (h, m, s) = clock(w[3])?;
    let mut k = 4;
    let mut offset = Some(0);
    if w[k][0].is_ascii_alphabetic() || w[k][0] == b'+' || w[k][0] == b'-' {
        offset = zone(w[k]);
        k += 1;
        // Two zone words: `MET DST`.
        if k < w.len() && w[k][0].is_ascii_alphabetic() {
            k += 1;
        }
    }
    let year = number(w.get(k)?, 4, 4)?;
    Some(epoch(year, month, day, h, m, s, offset))
}

/// `Www, dd Mmm yyyy hh:mm[:ss] [zone]`
fn rfc2822(w: &[&[u8]]) -> Option<Option<i64>> {
    if w.len() < 5 {
        return None;
    }
    weekday(w[0].strip_suffix(b",")?)?;
    let day = number(w[1], 1, 2).filter(|d| (1..=31).contains(d))?;
    let month = month(w[2])?;
    let year = number(w[3], 4, 4)?;
    let (h, m, s) = clock(w[4])?;
    let offset = w.get(5).map_or(Some(0), |z| zone(z));
    Some(epoch(year, month, day, h, m, s, offset))
}

fn epoch(year: u32, month: u32, day: u32, h: u32, m: u32, s: u32, off: Option<i64>) -> Option<i64> {
    let date = chrono::NaiveDate::from_ymd_opt(year as i32, month, day)?;
    // A leap second (`:60`) is read as the last second of its minute.
    let t = date.and_hms_opt(h, m, s.min(59))?;
    Some(t.and_utc().timestamp() - off.unwrap_or(0))
}

fn weekday(w: &[u8]) -> Option<u32> {
    const D: [&[u8]; 7] = [b"mon", b"tue", b"wed", b"thu", b"fri", b"sat", b"sun"];
    (w.len() == 3)
        .then(|| D.iter().position(|d| w.eq_ignore_ascii_case(d)))
        .flatten()
        .map(|i| i as u32)
}

fn month(w: &[u8]) -> Option<u32> {
    const M: [&[u8]; 12] = [
        b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov",
        b"dec",
    ];
    (w.len() == 3)
        .then(|| M.iter().position(|m| w.eq_ignore_ascii_case(m)))
        .flatten()
        .map(|i| i as u32 + 1)
}

/// A number of `min..=max` ASCII digits.
fn number(w: &[u8], min: usize, max: usize) -> Option<u32> {
    if w.len() < min || w.len() > max || !w.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(w).ok()?.parse().ok()
}

/// `h:mm` or `h:mm:ss`, in range.
fn clock(w: &[u8]) -> Option<(u32, u32, u32)> {
    let mut parts = w.split(|&b| b == b':');
    let h = number(parts.next()?, 1, 2).filter(|&h| h < 24)?;
    let m = number(parts.next()?, 2, 2).filter(|&m| m < 60)?;
    let s = match parts.next() {
        Some(p) => number(p, 2, 2).filter(|&s| s <= 60)?,
        None => 0,
    };
    parts.next().is_none().then_some((h, m, s))
}

/// A zone's offset east of UTC in seconds: `+hhmm`/`-hhmm`, or the names
/// RFC 5322 knows. Another name (`MET`) is accepted as a zone whose offset
/// is unknown, read as UTC.
fn zone(w: &[u8]) -> Option<i64> {
    if let Some(sign) = w.first().filter(|c| **c == b'+' || **c == b'-') {
        let v = number(&w[1..], 4, 4)? as i64;
        let secs = (v / 100) * 3600 + (v % 100) * 60;
        return Some(if *sign == b'-' { -secs } else { secs });
    }
    const NAMED: [(&[u8], i64); 10] = [
        (b"UT", 0),
        (b"UTC", 0),
        (b"GMT", 0),
        (b"Z", 0),
        (b"EST", -5),
        (b"EDT", -4),
        (b"CST", -6),
        (b"CDT", -5),
        (b"MST", -7),
        (b"PST", -8),
    ];
    let h = NAMED
        .iter()
        .find(|(n, _)| w.eq_ignore_ascii_case(n))
        .map_or(0, |(_, h)| *h);
    Some(h * 3600)
}

/// Formats a `From_` line as emlkit, Dovecot and mutt write it:
/// `From <sender> Www Mmm dd hh:mm:ss yyyy` in UTC, the day space-padded.
pub fn format(sender: &[u8], secs: i64) -> Vec<u8> {
    let date = chrono::DateTime::from_timestamp(secs, 0)
        .unwrap_or_default()
        .format("%a %b %e %H:%M:%S %Y");
    let mut out = Vec::with_capacity(sender.len() + 32);
    out.extend_from_slice(b"From ");
    out.extend_from_slice(if sender.is_empty() {
        b"MAILER-DAEMON"
    } else {
        sender
    });
    out.extend_from_slice(format!(" {date}").as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn time(l: &[u8]) -> Option<i64> {
        parse(l).and_then(|f| f.time)
    }

    fn sender(l: &[u8]) -> &[u8] {
        let f = parse(l).expect("a From_ line");
        &l[f.sender]
    }

    #[test]
    fn forms_real_files_have() {
        // mutt, Dovecot, procmail
        assert_eq!(time(b"From a@b Mon Jan  1 00:00:00 2024"), Some(1704067200));
        assert_eq!(sender(b"From a@b Mon Jan  1 00:00:00 2024"), b"a@b");
        // git format-patch
        assert_eq!(
            time(b"From 1234567890abcdef Mon Sep 17 00:00:00 2001"),
            Some(1000684800)
        );
        // Gmail Takeout: zone before the year
        assert_eq!(
            time(b"From 1@xxx Mon Jan 01 01:00:00 +0100 2024"),
            Some(1704067200)
        );
        // Two zone words, a UUCP suffix, CR, hh:mm, upper case
        assert!(is_from_line(
            b"From x@y.fr Wed Aug  2 00:39:12 MET DST 1995"
        ));
        assert!(is_from_line(
            b"From uucp Tue Jan 1 10:00:00 2000 remote from host"
        ));
        assert!(is_from_line(b"From a@b Mon Jan  1 00:00:00 2001\r"));
        assert!(is_from_line(b"From a@b.c SAT JAN  1 10:00 2000"));
        assert!(is_from_line(
            b"From MAILER-DAEMON Sun Aug  7 11:40:37 2022 extra info"
        ));
        // RFC 2822 style
        assert_eq!(
            time(b"From a@b.c Sat, 1 Jan 2000 10:00:00 +0000"),
            Some(946720800)
        );
        // No sender, a sender named like a weekday, pipermail's ` at `
        assert_eq!(sender(b"From Mon Jan  1 00:00:00 2001"), b"");
        assert_eq!(sender(b"From Mon Mon Jan  1 00:00:00 2001"), b"Mon");
        assert_eq!(
            sender(b"From me at example.org  Mon Jan  1 00:00:00 2001"),
            b"me at example.org"
        );
        assert_eq!(sender(b"From - Mon Jan  1 00:00:00 2001"), b"-");
        // Bytes that are not UTF-8 are a sender like any other.
        assert_eq!(
            sender(b"From j\xF6rg@x Mon Jan  1 00:00:00 2001"),
            b"j\xF6rg@x"
        );
        // Well-formed but no such day: a From_ line without a time.
        let f = parse(b"From a Mon Feb 30 00:00:00 2001").expect("fields are right");
        assert_eq!(f.time, None);
    }

    #[test]
    fn body_text_is_not_a_from_line() {
        for l in [
            &b"From my friend at 10:30 in 2019 we heard nothing."[..],
            b"From the market on Monday 10:00 2019",
            b"From Friday Jan 1 10:00 2001 on",
            b"From a Mon January 1 10:00:00 2001",
            b"From a Mon Jan 1 10:00:00",
            b"From a Mon Jan 1 10:00:00 19",
            b"From a Mon Jan 41 10:00:00 2001",
            b"From a Mon Jan 1 25:00:00 2001",
            b"From here on we talk",
            b"From - ",
            b"From: someone",
            b"From 10:00 to 12:00 in 2001 we met",
            b"From ",
        ] {
            assert!(parse(l).is_none(), "{}", String::from_utf8_lossy(l));
        }
    }

    #[test]
    fn format_parses_back() {
        let l = format(b"a@b.c", 0);
        assert_eq!(l, b"From a@b.c Thu Jan  1 00:00:00 1970");
        assert_eq!(time(&l), Some(0));
        assert_eq!(time(&format(b"", 1704067200)), Some(1704067200));
    }
}
