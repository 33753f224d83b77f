//! RFC 5322 dates (§3.3, with the obsolete forms of §4.3), parsed from the
//! raw bytes of a field value.
//!
//! The result tells apart a date that is well formed and possible
//! ([`DateResult::Valid`]), one that is well formed but impossible
//! (`31 Feb`, `24:00`, zone `+2400`: [`DateResult::Invalid`], for an
//! `invalid_date` finding with no times) and text that is not a date at all
//! ([`DateResult::Unparseable`]). Nothing is ever guessed into a different
//! date. See: issue 10.
//!
//! Accepted beyond the RFC 5322 §3.3 grammar, each documented where it is
//! handled: §4.3 obsolete forms (two- and three-digit years, zone names,
//! military zones, a day name without its comma), comments and folding
//! anywhere between tokens, full day and month names, `UTC`, a missing
//! zone, and trailing text after a complete date.

use std::fmt::Write as _;

/// The outcome of [`parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DateResult {
    /// A well-formed, possible date.
    Valid(Date),
    /// Well formed, but no such time exists (`31 Feb`, `29 Feb 2023`,
    /// hour 24, minute 60, second 61, zone `+2400`, zone minutes ≥ 60, a
    /// zone without four digits). `reason` says which part, in English.
    Invalid {
        /// What is impossible, e.g. "day 31 does not exist in February 2024".
        reason: String,
    },
    /// Not a date in any form we know.
    Unparseable,
}

impl DateResult {
    /// The date when valid.
    pub fn valid(&self) -> Option<&Date> {
        match self {
            DateResult::Valid(d) => Some(d),
            _ => None,
        }
    }
}

/// How the zone was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Zone {
    /// `+hhmm` / `-hhmm`, other than `-0000`.
    Numeric,
    /// `-0000`: the local offset is unknown, the time is UTC (RFC 5322 §3.3).
    UnknownNumeric,
    /// `UT`, `GMT`, `UTC`, `Z` or a US zone name (EST, EDT, CST, CDT, MST,
    /// MDT, PST, PDT) with its RFC 5322 §4.3 offset. `UTC` is not in the RFC;
    /// accepted as GMT. `Z` is a military zone, but the only one whose
    /// meaning the RFC 822 sign error cannot change: taken as UTC.
    Named,
    /// A single-letter military zone other than `Z`: RFC 822 defined them
    /// with the wrong sign, so RFC 5322 §4.3 says to treat them as `-0000`.
    Military,
    /// Any other alphabetic zone (`CET`, `ZZZZ`, the `EST` of `EST5EDT` is
    /// Named): unknown meaning, treated as `-0000` (RFC 5322 §4.3).
    UnknownName,
    /// No zone at all (RFC 5322 requires one): treated as `-0000`.
    Missing,
}

/// A valid date, as written (local time and offset).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Date {
    /// Full year (two- and three-digit years already expanded).
    pub year: i32,
    /// 1–12.
    pub month: u8,
    /// 1–31, valid for the month.
    pub day: u8,
    /// 0–23.
    pub hour: u8,
    /// 0–59.
    pub minute: u8,
    /// 0–60 as written: 60 is a leap second (RFC 5322 §3.3 allows it).
    /// [`Date::timestamp`] counts it as 59, since Unix time has no leap
    /// seconds.
    pub second: u8,
    /// Offset from UTC in minutes, east positive. 0 for every zone whose
    /// meaning is unknown (see [`Zone`]).
    pub offset_minutes: i32,
    /// How the zone was written.
    pub zone: Zone,
    /// The day of the week as written (0 = Monday … 6 = Sunday), if any.
    pub weekday: Option<u8>,
    /// The written day of the week is not the day of this date. Worth a
    /// finding: forged or hand-made dates often get it wrong.
    pub weekday_mismatch: bool,
    /// An RFC 5322 §4.3 obsolete form was used: a two- or three-digit
    /// year, a zone name, a military zone, a missing zone, a day name
    /// without comma, a full day or month name.
    pub obsolete: bool,
    /// Text followed the complete date and was ignored (e.g. the `5EDT` of
    /// `EST5EDT`, or a second date). Lenient: such a date is still valid.
    pub trailing: bool,
}

impl Date {
    /// Seconds since 1970-01-01T00:00:00Z. A leap second counts as second 59.
    pub fn timestamp(&self) -> i64 {
        days_from_civil(self.year as i64, self.month as i64, self.day as i64) * 86_400
            + self.hour as i64 * 3_600
            + self.minute as i64 * 60
            + self.second.min(59) as i64
            - self.offset_minutes as i64 * 60
    }

    /// Whether the zone's meaning is known ([`Zone::Numeric`] or [`Zone::Named`]).
    pub fn zone_known(&self) -> bool {
        matches!(self.zone, Zone::Numeric | Zone::Named)
    }

    /// RFC 3339 with the original local time and offset,
    /// `2024-01-02T03:04:05+01:00`. An unknown offset (`-0000`, military,
    /// unknown or missing zone) is written `-00:00`, as RFC 3339 §4.3 says.
    /// A leap second is kept as `:60` (RFC 3339 §5.6 allows it).
    pub fn rfc3339(&self) -> String {
        let zone = if self.zone_known() {
            Rfc3339Zone::Offset(self.offset_minutes)
        } else {
            Rfc3339Zone::Unknown
        };
        let mut s = String::with_capacity(25);
        write_rfc3339(
            &mut s,
            i64::from(self.year),
            i64::from(self.month),
            i64::from(self.day),
            i64::from(self.hour),
            i64::from(self.minute),
            i64::from(self.second),
            zone,
        );
        s
    }

    /// RFC 3339 in UTC, `2024-01-02T02:04:05Z` (from [`Date::timestamp`], so a
    /// leap second shows as `:59`).
    pub fn utc_rfc3339(&self) -> String {
        utc_string(self.timestamp())
    }
}

/// The zone part of an RFC 3339 date-time written by [`write_rfc3339`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rfc3339Zone {
    /// `Z`.
    Utc,
    /// `+hh:mm` / `-hh:mm`, from minutes east of UTC (`+00:00` for 0).
    Offset(i32),
    /// `-00:00`: the local time is known, its offset is not (RFC 3339 §4.3).
    Unknown,
}

/// Appends `v` with at least `width` digits (zero-padded, as `{:0width$}`).
fn push_padded(out: &mut String, v: i64, width: u32) {
    if (0..10i64.pow(width)).contains(&v) {
        let mut div = 10i64.pow(width - 1);
        while div > 0 {
            out.push(char::from(b'0' + (v / div % 10) as u8));
            div /= 10;
        }
    } else {
        let _ = write!(out, "{v:0w$}", w = width as usize);
    }
}

/// Appends an RFC 3339 date-time, `2024-01-02T03:04:05+01:00`: the one
/// formatter of dates in records and reports. Written digit by digit: it
/// runs for every date of every header and hop of a mailbox, where
/// `format!` cost several percent of `json` and `trace`.
#[allow(clippy::too_many_arguments)]
pub fn write_rfc3339(
    out: &mut String,
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    zone: Rfc3339Zone,
) {
    push_padded(out, year, 4);
    out.push('-');
    push_padded(out, month, 2);
    out.push('-');
    push_padded(out, day, 2);
    out.push('T');
    push_padded(out, hour, 2);
    out.push(':');
    push_padded(out, minute, 2);
    out.push(':');
    push_padded(out, second, 2);
    match zone {
        Rfc3339Zone::Utc => out.push('Z'),
        Rfc3339Zone::Unknown => out.push_str("-00:00"),
        Rfc3339Zone::Offset(m) => {
            out.push(if m < 0 { '-' } else { '+' });
            let m = i64::from(m.unsigned_abs());
            push_padded(out, m / 60, 2);
            out.push(':');
            push_padded(out, m % 60, 2);
        }
    }
}

/// mail-parser's date (a Received field's) as RFC 3339, with mail-parser's
/// own conventions: `Z` for a zero offset, the local time as written.
/// The same text as `DateTime::to_rfc3339`, without `format!`.
pub fn parsed_rfc3339(d: &mail_parser::DateTime) -> String {
    let off = i32::from(d.tz_hour) * 60 + i32::from(d.tz_minute);
    let zone = match (off, d.tz_before_gmt) {
        (0, _) => Rfc3339Zone::Utc,
        (m, true) => Rfc3339Zone::Offset(-m),
        (m, false) => Rfc3339Zone::Offset(m),
    };
    if d.tz_minute >= 60 {
        // Not a valid offset: mail-parser prints the fields as they are.
        return d.to_rfc3339();
    }
    let mut s = String::with_capacity(25);
    write_rfc3339(
        &mut s,
        i64::from(d.year),
        i64::from(d.month),
        i64::from(d.day),
        i64::from(d.hour),
        i64::from(d.minute),
        i64::from(d.second),
        zone,
    );
    s
}

/// A Unix timestamp as RFC 3339 UTC, `2024-03-01T10:00:05Z`.
pub fn utc_string(ts: i64) -> String {
    let (y, m, d) = civil_from_days(ts.div_euclid(86_400));
    let secs = ts.rem_euclid(86_400);
    let mut s = String::with_capacity(20);
    write_rfc3339(
        &mut s,
        y,
        m,
        d,
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
        Rfc3339Zone::Utc,
    );
    s
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
/// algorithm; exact for every year here).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u8) -> u8 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// English day names, Monday first (also `trace`'s loose hop dates).
pub(crate) const DAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Matches a three-letter abbreviation or the full English name,
/// case-insensitively; the bool is true for the full name (obsolete-ish).
fn name_index(word: &[u8], names: &[&str]) -> Option<(usize, bool)> {
    names
        .iter()
        .position(|n| word.eq_ignore_ascii_case(&n.as_bytes()[..3]))
        .map(|i| (i, false))
        .or_else(|| {
            names
                .iter()
                .position(|n| word.eq_ignore_ascii_case(n.as_bytes()))
                .map(|i| (i, true))
        })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok<'a> {
    /// A run of digits: its value (saturating) and length.
    Num(u32, usize),
    /// A run of ASCII letters.
    Word(&'a [u8]),
    /// Any other single byte (`,`, `:`, `+`, `-`, …).
    Punct(u8),
    /// A comment that never closes.
    BadComment,
}

/// Tokens of a field value; white space, folding and comments are skipped
/// (RFC 5322 §3.2.2 CFWS). A line break that is not followed by white space
/// ends the value: it would be the start of the next field, which a date
/// never swallows.
struct Lexer<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Lexer<'a> {
    fn new(raw: &'a [u8]) -> Lexer<'a> {
        // Cut at the first line break not followed by WSP.
        let mut end = raw.len();
        let mut i = 0;
        while let Some(k) = memchr::memchr2(b'\r', b'\n', &raw[i..]) {
            let p = i + k;
            let after = if raw[p] == b'\r' && raw.get(p + 1) == Some(&b'\n') {
                p + 2
            } else {
                p + 1
            };
            if !matches!(raw.get(after), Some(b' ' | b'\t')) {
                end = p;
                break;
            }
            i = after;
        }
        Lexer {
            b: &raw[..end],
            i: 0,
        }
    }

    fn next(&mut self) -> Option<Tok<'a>> {
        let b = self.b;
        loop {
            let c = *b.get(self.i)?;
            match c {
                b' ' | b'\t' | b'\r' | b'\n' => self.i += 1,
                b'(' => {
                    let mut depth = 0usize;
                    while self.i < b.len() {
                        match b[self.i] {
                            b'\\' => self.i += 1,
                            b'(' => depth += 1,
                            b')' => {
                                depth -= 1;
                                if depth == 0 {
                                    break;
                                }
                            }
                            _ => {}
                        }
                        self.i += 1;
                    }
                    if self.i >= b.len() {
                        return Some(Tok::BadComment);
                    }
                    self.i += 1;
                }
                b'0'..=b'9' => {
                    let s = self.i;
                    let mut v: u32 = 0;
                    while let Some(&d) = b.get(self.i).filter(|d| d.is_ascii_digit()) {
                        v = v.saturating_mul(10).saturating_add((d - b'0') as u32);
                        self.i += 1;
                    }
                    return Some(Tok::Num(v, self.i - s));
                }
                c if c.is_ascii_alphabetic() => {
                    let s = self.i;
                    while b.get(self.i).is_some_and(|d| d.is_ascii_alphabetic()) {
                        self.i += 1;
                    }
                    return Some(Tok::Word(&b[s..self.i]));
                }
                _ => {
                    self.i += 1;
                    return Some(Tok::Punct(c));
                }
            }
        }
    }

    fn peek(&self) -> Option<Tok<'a>> {
        Lexer {
            b: self.b,
            i: self.i,
        }
        .next()
    }
}

fn invalid(reason: String) -> DateResult {
    DateResult::Invalid { reason }
}

/// Parses the raw bytes of a Date-like field value (Date, Resent-Date, the
/// date after the `;` of a Received field):
///
/// ```text
/// [day-of-week ","] day month year hour ":" minute [":" second] zone
/// ```
///
/// - CFWS (white space, folding, nested comments) may stand between any two
///   tokens (RFC 5322 §3.3 and §4.3). A line break not followed by white
///   space ends the value.
/// - Day and month names are case-insensitive, abbreviated or in full; a
///   missing comma after the day name is tolerated.
/// - Years: four digits as written (up to 9999); two digits 00–49 are
///   20xx and 50–99 are 19xx; three digits are added to 1900 (RFC 5322 §4.3).
/// - Hours, minutes and seconds take one or two digits; seconds are
///   optional; second 60 (a leap second) is valid anywhere.
/// - Zones: see [`Zone`]. A signed zone must have exactly four digits, hour
///   part 00–23 and minute part 00–59; anything else is `Invalid`.
/// - After a complete date, anything else is ignored and flagged in
///   [`Date::trailing`] (lenient: `EST5EDT` and double dates are common).
///
/// Never panics; linear in the input.
pub fn parse(raw: &[u8]) -> DateResult {
    let mut lx = Lexer::new(raw);
    let mut obsolete = false;
    let mut weekday = None;
    let mut tok = lx.next();
    if let Some(Tok::Word(w)) = tok {
        let Some((i, full)) = name_index(w, &DAYS) else {
            return DateResult::Unparseable;
        };
        weekday = Some(i as u8);
        obsolete |= full;
        tok = lx.next();
        if tok == Some(Tok::Punct(b',')) {
            tok = lx.next();
        } else {
            obsolete = true;
        }
    }
    // day
    let day = match tok {
        Some(Tok::Num(v, 1..=2)) => v,
        _ => return DateResult::Unparseable,
    };
    // month
    let month = match lx.next() {
        Some(Tok::Word(w)) => match name_index(w, &MONTHS) {
            Some((i, full)) => {
                obsolete |= full;
                i as u8 + 1
            }
            None => return DateResult::Unparseable,
        },
        _ => return DateResult::Unparseable,
    };
    // year
    let year: i32 = match lx.next() {
        Some(Tok::Num(v, 4)) => v as i32,
        Some(Tok::Num(_, 5..)) => return invalid("year has more than four digits".into()),
        Some(Tok::Num(v, 2)) => {
            obsolete = true;
            if v < 50 {
                2000 + v as i32
            } else {
                1900 + v as i32
            }
        }
        Some(Tok::Num(v, 3)) => {
            obsolete = true;
            1900 + v as i32
        }
        _ => return DateResult::Unparseable,
    };
    // time
    let hour = match lx.next() {
        Some(Tok::Num(v, 1..=2)) => v,
        _ => return DateResult::Unparseable,
    };
    if lx.next() != Some(Tok::Punct(b':')) {
        return DateResult::Unparseable;
    }
    let minute = match lx.next() {
        Some(Tok::Num(v, 1..=2)) => v,
        _ => return DateResult::Unparseable,
    };
    let mut second = 0;
    if lx.peek() == Some(Tok::Punct(b':')) {
        lx.next();
        second = match lx.next() {
            Some(Tok::Num(v, 1..=2)) => v,
            _ => return DateResult::Unparseable,
        };
    }
    // zone
    let mut trailing = false;
    let (offset, zone) = match lx.next() {
        Some(Tok::Punct(sign @ (b'+' | b'-'))) => match lx.next() {
            Some(Tok::Num(v, 4)) => {
                let (h, m) = (v / 100, v % 100);
                if h > 23 {
                    return invalid(format!("zone {}{v:04}: hours must be 00-23", sign as char));
                }
                if m > 59 {
                    return invalid(format!(
                        "zone {}{v:04}: minutes must be 00-59",
                        sign as char
                    ));
                }
                let off = (h * 60 + m) as i32;
                if sign == b'-' && off == 0 {
                    (0, Zone::UnknownNumeric)
                } else if sign == b'-' {
                    (-off, Zone::Numeric)
                } else {
                    (off, Zone::Numeric)
                }
            }
            Some(Tok::Num(v, n)) => {
                return invalid(format!(
                    "zone {}{v:0n$} must have four digits (hhmm)",
                    sign as char
                ))
            }
            _ => return invalid("zone sign without digits".into()),
        },
        Some(Tok::Word(w)) => {
            obsolete = true;
            let upper = w.to_ascii_uppercase();
            let named = match upper.as_slice() {
                b"UT" | b"GMT" | b"UTC" | b"Z" => Some(0),
                b"EST" => Some(-5 * 60),
                b"EDT" => Some(-4 * 60),
                b"CST" => Some(-6 * 60),
                b"CDT" => Some(-5 * 60),
                b"MST" => Some(-7 * 60),
                b"MDT" => Some(-6 * 60),
                b"PST" => Some(-8 * 60),
                b"PDT" => Some(-7 * 60),
                _ => None,
            };
            match named {
                Some(o) => (o, Zone::Named),
                None if w.len() == 1 && upper[0] != b'J' => (0, Zone::Military),
                None => (0, Zone::UnknownName),
            }
        }
        None => {
            obsolete = true;
            (0, Zone::Missing)
        }
        Some(_) => {
            obsolete = true;
            trailing = true;
            (0, Zone::Missing)
        }
    };
    if lx.next().is_some() {
        trailing = true;
    }
    // Possible?
    if day == 0 || day > days_in_month(year, month) as u32 {
        return invalid(format!(
            "day {day} does not exist in {} {year}",
            capitalized(MONTHS[month as usize - 1])
        ));
    }
    if hour > 23 {
        return invalid(format!("hour {hour} is out of range (00-23)"));
    }
    if minute > 59 {
        return invalid(format!("minute {minute} is out of range (00-59)"));
    }
    if second > 60 {
        return invalid(format!("second {second} is out of range (00-60)"));
    }
    let days = days_from_civil(year as i64, month as i64, day as i64);
    // 1970-01-01 was a Thursday (3 with Monday = 0).
    let actual = (days + 3).rem_euclid(7) as u8;
    Date {
        year,
        month,
        day: day as u8,
        hour: hour as u8,
        minute: minute as u8,
        second: second as u8,
        offset_minutes: offset,
        zone,
        weekday,
        weekday_mismatch: weekday.is_some_and(|w| w != actual),
        obsolete,
        trailing,
    }
    .into()
}

impl From<Date> for DateResult {
    fn from(d: Date) -> DateResult {
        DateResult::Valid(d)
    }
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The digit-by-digit formatters write what `format!` and
        /// mail-parser wrote before them, for any field values.
        #[test]
        fn rfc3339_writers_match_format(
            y in -20_000i64..40_000, mo in 0i64..150, d in 0i64..150,
            h in 0i64..150, mi in 0i64..150, se in 0i64..150,
            off in -100_000i32..100_000,
            py in 0u16..=u16::MAX, pmo in 0u8..=255, pd in 0u8..=255,
            ph in 0u8..=255, pmi in 0u8..=255, ps in 0u8..=255,
            tzh in 0u8..=255, tzm in 0u8..=255, before in proptest::bool::ANY,
            ts in -100_000_000_000i64..300_000_000_000,
        ) {
            let mut s = String::new();
            write_rfc3339(&mut s, y, mo, d, h, mi, se, Rfc3339Zone::Offset(off));
            let m = off.unsigned_abs();
            let want = format!(
                "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{se:02}{}{:02}:{:02}",
                if off < 0 { '-' } else { '+' }, m / 60, m % 60
            );
            proptest::prop_assert_eq!(s, want);
            let p = mail_parser::DateTime {
                year: py, month: pmo, day: pd, hour: ph, minute: pmi, second: ps,
                tz_before_gmt: before, tz_hour: tzh, tz_minute: tzm,
            };
            proptest::prop_assert_eq!(parsed_rfc3339(&p), p.to_rfc3339());
            let (cy, cm, cd) = civil_from_days(ts.div_euclid(86_400));
            let r = ts.rem_euclid(86_400);
            proptest::prop_assert_eq!(
                utc_string(ts),
                format!("{cy:04}-{cm:02}-{cd:02}T{:02}:{:02}:{:02}Z", r / 3600, r / 60 % 60, r % 60)
            );
        }
    }

    fn ok(s: &str) -> Date {
        match parse(s.as_bytes()) {
            DateResult::Valid(d) => d,
            other => panic!("{s:?}: {other:?}"),
        }
    }

    fn bad(s: &str) -> String {
        match parse(s.as_bytes()) {
            DateResult::Invalid { reason } => reason,
            other => panic!("{s:?}: {other:?}"),
        }
    }

    #[test]
    fn valid_table() {
        // (value, RFC 3339 local, RFC 3339 UTC)
        let rows: &[(&str, &str, &str)] = &[
            (
                "Tue, 2 Jan 2024 03:04:05 +0100",
                "2024-01-02T03:04:05+01:00",
                "2024-01-02T02:04:05Z",
            ),
            (
                "2 Jan 2024 03:04:05 +0100",
                "2024-01-02T03:04:05+01:00",
                "2024-01-02T02:04:05Z",
            ),
            (
                "Tue, 02 Jan 2024 03:04 -0330",
                "2024-01-02T03:04:00-03:30",
                "2024-01-02T06:34:00Z",
            ),
            (
                "Mon, 1 Jan 2024 00:00:00 +0000",
                "2024-01-01T00:00:00+00:00",
                "2024-01-01T00:00:00Z",
            ),
            (
                "Mon, 1 Jan 2024 00:00:00 -0000",
                "2024-01-01T00:00:00-00:00",
                "2024-01-01T00:00:00Z",
            ),
            (
                "1 Jan 2024 00:00:00 UT",
                "2024-01-01T00:00:00+00:00",
                "2024-01-01T00:00:00Z",
            ),
            (
                "1 Jan 2024 00:00:00 GMT",
                "2024-01-01T00:00:00+00:00",
                "2024-01-01T00:00:00Z",
            ),
            (
                "1 Jan 2024 00:00:00 utc",
                "2024-01-01T00:00:00+00:00",
                "2024-01-01T00:00:00Z",
            ),
            (
                "1 Jan 2024 00:00:00 Z",
                "2024-01-01T00:00:00+00:00",
                "2024-01-01T00:00:00Z",
            ),
            (
                "1 Jan 2024 00:00:00 EST",
                "2024-01-01T00:00:00-05:00",
                "2024-01-01T05:00:00Z",
            ),
            (
                "1 Jan 2024 00:00:00 EDT",
                "2024-01-01T00:00:00-04:00",
                "2024-01-01T04:00:00Z",
            ),
            (
                "1 Jan 2024 00:00:00 CST",
                "2024-01-01T00:00:00-06:00",
                "2024-01-01T06:00:00Z",
            ),
            (
                "1 Jan 2024 00:00:00 CDT",
                "2024-01-01T00:00:00-05:00",
                "2024-01-01T05:00:00Z",
            ),
            (
                "1 Jan 2024 00:00:00 MST",
                "2024-01-01T00:00:00-07:00",
                "2024-01-01T07:00:00Z",
            ),
            (
                "1 Jan 2024 00:00:00 MDT",
                "2024-01-01T00:00:00-06:00",
                "2024-01-01T06:00:00Z",
            ),
            (
                "1 Jan 2024 00:00:00 PST",
                "2024-01-01T00:00:00-08:00",
                "2024-01-01T08:00:00Z",
            ),
            (
                "1 Jan 2024 00:00:00 pdt",
                "2024-01-01T00:00:00-07:00",
                "2024-01-01T07:00:00Z",
            ),
            // Military zones and unknown names: -0000.
            (
                "1 Jan 2024 00:00:00 A",
                "2024-01-01T00:00:00-00:00",
                "2024-01-01T00:00:00Z",
            ),
            (
                "1 Jan 2024 00:00:00 y",
                "2024-01-01T00:00:00-00:00",
                "2024-01-01T00:00:00Z",
            ),
            (
                "1 Jan 2024 00:00:00 CET",
                "2024-01-01T00:00:00-00:00",
                "2024-01-01T00:00:00Z",
            ),
            (
                "1 Jan 2024 00:00:00",
                "2024-01-01T00:00:00-00:00",
                "2024-01-01T00:00:00Z",
            ),
            // Two- and three-digit years.
            (
                "1 Jan 00 00:00:00 +0000",
                "2000-01-01T00:00:00+00:00",
                "2000-01-01T00:00:00Z",
            ),
            (
                "1 Jan 49 00:00:00 +0000",
                "2049-01-01T00:00:00+00:00",
                "2049-01-01T00:00:00Z",
            ),
            (
                "1 Jan 50 00:00:00 +0000",
                "1950-01-01T00:00:00+00:00",
                "1950-01-01T00:00:00Z",
            ),
            (
                "21 Nov 97 09:55:06 GMT",
                "1997-11-21T09:55:06+00:00",
                "1997-11-21T09:55:06Z",
            ),
            (
                "1 Jan 103 00:00:00 +0000",
                "2003-01-01T00:00:00+00:00",
                "2003-01-01T00:00:00Z",
            ),
            // Leap second: kept locally, clamped in UTC.
            (
                "31 Dec 2016 23:59:60 +0000",
                "2016-12-31T23:59:60+00:00",
                "2016-12-31T23:59:59Z",
            ),
            // Case, full names, comments, folding, missing comma, one-digit times.
            (
                "tue, 2 JAN 2024 03:04:05 +0100",
                "2024-01-02T03:04:05+01:00",
                "2024-01-02T02:04:05Z",
            ),
            (
                "Tuesday, 2 January 2024 03:04:05 +0100",
                "2024-01-02T03:04:05+01:00",
                "2024-01-02T02:04:05Z",
            ),
            (
                "Tue 2 Jan 2024 3:4:5 +0100",
                "2024-01-02T03:04:05+01:00",
                "2024-01-02T02:04:05Z",
            ),
            (
                "(c) Tue, (c) 2 (c) Jan (c) 2024 (c) 03 (c) : (c) 04 : 05 (c) +0100 (c)",
                "2024-01-02T03:04:05+01:00",
                "2024-01-02T02:04:05Z",
            ),
            (
                "Tue,\r\n 2 Jan\r\n\t2024 03:04:05\r\n +0100\r\n",
                "2024-01-02T03:04:05+01:00",
                "2024-01-02T02:04:05Z",
            ),
            (
                "Tue, 1 Jul 2003 ((tricky)\n comment) 10:52:37 +0200",
                "2003-07-01T10:52:37+02:00",
                "2003-07-01T08:52:37Z",
            ),
            // Extreme offsets and dates.
            (
                "17 May 2026 22:15:15 +1400",
                "2026-05-17T22:15:15+14:00",
                "2026-05-17T08:15:15Z",
            ),
            (
                "1 Jan 2024 00:00:00 -2359",
                "2024-01-01T00:00:00-23:59",
                "2024-01-01T23:59:00Z",
            ),
            (
                "29 Feb 2024 12:00:00 +0000",
                "2024-02-29T12:00:00+00:00",
                "2024-02-29T12:00:00Z",
            ),
            (
                "29 Feb 2000 12:00:00 +0000",
                "2000-02-29T12:00:00+00:00",
                "2000-02-29T12:00:00Z",
            ),
            (
                "1 Jan 1970 00:00:00 +0100",
                "1970-01-01T00:00:00+01:00",
                "1969-12-31T23:00:00Z",
            ),
            (
                "31 Dec 9999 23:59:59 -2300",
                "9999-12-31T23:59:59-23:00",
                "10000-01-01T22:59:59Z",
            ),
            (
                "1 Jan 0000 00:00:00 +0000",
                "0000-01-01T00:00:00+00:00",
                "0000-01-01T00:00:00Z",
            ),
        ];
        for (v, local, utc) in rows {
            let d = ok(v);
            assert_eq!(d.rfc3339(), *local, "{v}");
            assert_eq!(d.utc_rfc3339(), *utc, "{v}");
        }
    }

    #[test]
    fn timestamps() {
        assert_eq!(ok("1 Jan 1970 00:00:00 +0000").timestamp(), 0);
        assert_eq!(ok("Thu, 1 Jan 1970 01:00:00 +0100").timestamp(), 0);
        assert_eq!(
            ok("Sat, 13 Feb 2009 23:31:30 +0000").timestamp(),
            1_234_567_890
        );
        assert_eq!(ok("31 Dec 1969 23:59:59 +0000").timestamp(), -1);
        assert_eq!(ok("31 Dec 2016 23:59:60 +0000").timestamp(), 1_483_228_799);
    }

    #[test]
    fn flags() {
        let d = ok("Tue, 2 Jan 2024 03:04:05 +0100");
        assert_eq!(
            (d.weekday, d.weekday_mismatch, d.obsolete, d.trailing),
            (Some(1), false, false, false)
        );
        assert_eq!(d.zone, Zone::Numeric);
        assert!(ok("Wed, 2 Jan 2024 03:04:05 +0100").weekday_mismatch);
        assert!(!ok("2 Jan 2024 03:04:05 +0100").weekday_mismatch);
        assert!(ok("2 Jan 24 03:04:05 +0100").obsolete);
        assert!(ok("2 Jan 2024 03:04:05 GMT").obsolete);
        assert!(ok("Tue 2 Jan 2024 03:04:05 +0100").obsolete);
        let d = ok("Thu, 10 Jul 1997 14:53:31 EST5EDT");
        assert!(d.trailing);
        assert_eq!((d.zone, d.offset_minutes), (Zone::Named, -300));
        assert!(ok("2 Jan 2024 03:04:05 +0100 (CET) extra words").trailing);
        assert!(ok("2 Jan 2024 03:04:05 +0100 (unclosed").trailing);
        assert!(!ok("2 Jan 2024 03:04:05 +0100 (CET)").trailing);
        assert_eq!(ok("2 Jan 2024 03:04:05 -0000").zone, Zone::UnknownNumeric);
        assert_eq!(ok("2 Jan 2024 03:04:05 K").zone, Zone::Military);
        assert_eq!(ok("2 Jan 2024 03:04:05 J").zone, Zone::UnknownName);
        assert_eq!(ok("2 Jan 2024 03:04:05 ZZZZ").zone, Zone::UnknownName);
        assert_eq!(ok("2 Jan 2024 03:04:05").zone, Zone::Missing);
        let d = ok("2 Jan 2024 03:04:05 1999");
        assert!(d.trailing && d.zone == Zone::Missing);
        assert!(!ok("2 Jan 2024 03:04:05 K").zone_known());
    }

    #[test]
    fn ut_never_reads_the_next_field() {
        // The value ends at a line break not followed by white space.
        let d = ok("1 Jan 2024 00:00:00 UT\r\nX-Next: +0500\r\n");
        assert_eq!(
            (d.zone, d.offset_minutes, d.trailing),
            (Zone::Named, 0, false)
        );
        let d = ok("1 Jan 2024 00:00:00 UT\nT: x");
        assert_eq!((d.offset_minutes, d.trailing), (0, false));
        assert!(ok("1 Jan 2024 00:00:00 UT").zone_known());
    }

    #[test]
    fn invalid_table() {
        let rows: &[(&str, &str)] = &[
            (
                "31 Feb 2024 00:00:00 +0000",
                "day 31 does not exist in February 2024",
            ),
            (
                "30 Feb 2024 00:00:00 +0000",
                "day 30 does not exist in February 2024",
            ),
            (
                "29 Feb 2023 00:00:00 +0000",
                "day 29 does not exist in February 2023",
            ),
            (
                "29 Feb 1900 00:00:00 +0000",
                "day 29 does not exist in February 1900",
            ),
            (
                "31 Apr 2024 00:00:00 +0000",
                "day 31 does not exist in April 2024",
            ),
            (
                "0 Jan 2024 00:00:00 +0000",
                "day 0 does not exist in January 2024",
            ),
            (
                "32 Jan 2024 00:00:00 +0000",
                "day 32 does not exist in January 2024",
            ),
            (
                "1 Jan 2024 24:00:00 +0000",
                "hour 24 is out of range (00-23)",
            ),
            (
                "1 Jan 2024 23:60:00 +0000",
                "minute 60 is out of range (00-59)",
            ),
            (
                "1 Jan 2024 23:59:61 +0000",
                "second 61 is out of range (00-60)",
            ),
            (
                "1 Jan 2024 24:00:60 +0000",
                "hour 24 is out of range (00-23)",
            ),
            (
                "1 Jan 2024 00:00:00 +2400",
                "zone +2400: hours must be 00-23",
            ),
            (
                "1 Jan 2024 00:00:00 +0060",
                "zone +0060: minutes must be 00-59",
            ),
            (
                "1 Jan 2024 00:00:00 -0099",
                "zone -0099: minutes must be 00-59",
            ),
            (
                "1 Jan 2024 00:00:00 -600",
                "zone -600 must have four digits (hhmm)",
            ),
            (
                "1 Jan 2024 00:00:00 +01000",
                "zone +01000 must have four digits (hhmm)",
            ),
            ("1 Jan 2024 00:00:00 +", "zone sign without digits"),
            (
                "1 Jan 20245 00:00:00 +0000",
                "year has more than four digits",
            ),
        ];
        for (v, reason) in rows {
            assert_eq!(bad(v), *reason, "{v}");
        }
    }

    #[test]
    fn unparseable_table() {
        for v in [
            "",
            "   ",
            "yesterday",
            "13 zzz 2021 09:55:06 +0200",
            "Tue, 7 00 2026 19:14:51 +0000",
            "Tue, 7 All 2026 19:14:51 +0000",
            "Foo, 1 Jan 2024 00:00:00 +0000",
            "1 Jan 2024",
            "1 Jan 2024 00",
            "1 Jan 2024 00:",
            "1 Jan 2024 00:00:",
            "1 Jan 2024 000:00:00 +0000",
            "1 Jan 2024 00:000 +0000",
            "1 Jan 2 00:00:00 +0000",
            "100 Jan 2024 00:00:00 +0000",
            "2024-01-01T00:00:00Z",
            "Tue, 1 Jul 2003 ((invalid)\ncomment) 10:52:37 +0200",
            "Tue, (unclosed 1 Jul 2003 10:52:37 +0200",
            "\r\n1 Jan 2024 00:00:00 +0000",
        ] {
            assert_eq!(parse(v.as_bytes()), DateResult::Unparseable, "{v:?}");
        }
    }

    #[test]
    fn never_panics_on_random_bytes() {
        let alphabet = b"0123456789 :+-,()\\\r\nJanFebMonUTGMTZ";
        let mut x: u32 = 11;
        for round in 0..20_000 {
            let len = (round * 7) % 60;
            let mut v = Vec::with_capacity(len);
            for _ in 0..len {
                x = x.wrapping_mul(1664525).wrapping_add(1013904223);
                let r = (x >> 24) as u8;
                v.push(if round % 3 == 0 {
                    r
                } else {
                    alphabet[r as usize % alphabet.len()]
                });
            }
            if let DateResult::Valid(d) = parse(&v) {
                let _ = (d.timestamp(), d.rfc3339(), d.utc_rfc3339());
            }
        }
        // Round trip through the calendar for every day in 1600-2400.
        for days in days_from_civil(1600, 1, 1)..days_from_civil(2400, 1, 1) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    /// mail-parser's date vectors, where present. Expected dates are compared
    /// by timestamp. Documented differences (we are stricter; these are not
    /// RFC 5322 date values):
    /// - numeric months (`20 11 … 79`, `4 8 15 16 23 42`): Unparseable;
    /// - a Received value with text before the date (`by … ; Mon, 10 Oct
    ///   2022 …`): Unparseable (the caller passes the part after `;`).
    #[test]
    fn mail_parser_corpus() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/corpora/stalwartlabs-mail-parser/resources/date.json"
        );
        let Ok(text) = std::fs::read_to_string(path) else {
            eprintln!("skipped: {path} not found");
            return;
        };
        let cases: Vec<serde_json::Value> = serde_json::from_str(&text).expect("date.json is JSON");
        let known_differences = [
            "20 11 (some \n 44 comments(more comments\n )) 79 05:34:27 -0300",
            " 4 8 15 16 23 42, 4 8 15 16 23 42, 4 8 15 16 23 42, ",
            "by 2002:aa7:cd10:0:b0:45c:2c83:1208 with SMTP id",
        ];
        let mut compared = 0;
        for case in &cases {
            let header = case["header"].as_str().unwrap_or_default();
            let ours = parse(header.as_bytes());
            let e = &case["expected"];
            if known_differences.iter().any(|k| header.starts_with(k)) {
                assert_eq!(ours, DateResult::Unparseable, "{header:?}");
                continue;
            }
            if e.is_null() {
                assert!(ours.valid().is_none(), "{header:?}: {ours:?}");
                continue;
            }
            let n = |k: &str| e[k].as_i64().unwrap_or(-1);
            let sign = if e["tz_before_gmt"].as_bool() == Some(true) {
                -1
            } else {
                1
            };
            let offset = sign * (n("tz_hour") * 60 + n("tz_minute"));
            let expected = days_from_civil(n("year"), n("month"), n("day")) * 86_400
                + n("hour") * 3600
                + n("minute") * 60
                + n("second")
                - offset * 60;
            let d = ours
                .valid()
                .unwrap_or_else(|| panic!("{header:?}: {ours:?}"));
            assert_eq!(d.timestamp(), expected, "{header:?}");
            compared += 1;
        }
        assert!(compared >= 30, "only {compared} vectors compared");
    }

    proptest::proptest! {
        /// Well-formed RFC 5322 dates agree with chrono's RFC 2822 parser,
        /// and the written weekday is never a mismatch when computed right.
        #[test]
        fn agrees_with_chrono(
            y in 1900i32..2200, m in 1u8..=12, d in 1u8..=31, h in 0u8..24, mi in 0u8..60,
            sec in 0u8..60, oh in 0i32..24, om in 0i32..60, neg in proptest::bool::ANY,
        ) {
            let d = d.min(days_in_month(y, m));
            let days = days_from_civil(y as i64, m as i64, d as i64);
            let dow = &DAYS[(days + 3).rem_euclid(7) as usize][..3];
            let mon = &MONTHS[m as usize - 1][..3];
            let sign = if neg { '-' } else { '+' };
            let v = format!("{dow}, {d} {mon} {y} {h:02}:{mi:02}:{sec:02} {sign}{oh:02}{om:02}");
            let ours = parse(v.as_bytes());
            let ours = ours.valid().ok_or_else(|| proptest::test_runner::TestCaseError::fail(format!("{v}: {ours:?}")))?;
            proptest::prop_assert!(!ours.weekday_mismatch);
            if let Ok(c) = chrono::DateTime::parse_from_rfc2822(&v) {
                proptest::prop_assert_eq!(ours.timestamp(), c.timestamp(), "{}", v);
                // `-0000` is "unknown offset": `-00:00` here (RFC 3339 §4.3),
                // `+00:00` in chrono.
                if ours.zone_known() {
                    proptest::prop_assert_eq!(ours.rfc3339(), c.to_rfc3339(), "{}", v);
                }
            }
        }
    }
}
