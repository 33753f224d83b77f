//! Authentication header fields, parsed offline: Authentication-Results and
//! ARC-Authentication-Results (RFC 8601), Received-SPF (RFC 7208 §9.1),
//! DKIM-Signature (RFC 6376) and ARC-Seal / ARC-Message-Signature
//! (RFC 8617). Nothing is looked up on the network: these are claims made
//! by whoever wrote the field, tied to the authserv-id that made them.

use std::borrow::Cow;

/// One `method=result` of an Authentication-Results field.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuthResult {
    /// The method (`spf`, `dkim`, `dmarc`, `arc`, `auth`, `iprev`, …), lower-case.
    pub method: String,
    /// The method version, when written (`dkim/1`).
    pub version: Option<String>,
    /// The result (`pass`, `fail`, `none`, …), lower-case.
    pub result: String,
    /// `reason=` value.
    pub reason: Option<String>,
    /// The first comment after the result (`(good signature)`).
    pub comment: Option<String>,
    /// `ptype.property=value` pairs in order (`smtp.mailfrom`, `header.d`, …).
    pub properties: Vec<(String, String)>,
}

impl AuthResult {
    /// The value of a property (`header.d`), case-insensitive on the name.
    pub fn property(&self, name: &str) -> Option<&str> {
        self.properties
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One Authentication-Results (or ARC-Authentication-Results) field.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuthResults {
    /// The field name as written.
    pub field: String,
    /// The ARC instance (`i=`), for ARC-Authentication-Results.
    pub instance: Option<u32>,
    /// The host that claims these results.
    pub authserv_id: String,
    /// The version after the authserv-id, when written.
    pub authres_version: Option<String>,
    /// The results; empty for `none`. At most [`MAX_RESULTS`].
    pub results: Vec<AuthResult>,
    /// Results beyond [`MAX_RESULTS`], counted and not kept (a
    /// `trace_limit` finding).
    pub dropped: usize,
}

/// Most results kept per Authentication-Results field (real ones hold a
/// handful); the rest are counted in [`AuthResults::dropped`]. See: issue 14
/// (one field with 40,000 methods took 8.6 s and 150 MB).
pub const MAX_RESULTS: usize = 100;

/// Most properties kept per result, and per Received-SPF field.
pub const MAX_PROPERTIES: usize = 100;

/// A token of an Authentication-Results or Received-SPF value. Words and
/// comments borrow the value unless quoting or an escape makes them
/// differ from it (one field of a message carries dozens of tokens).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok<'a> {
    Word(Cow<'a, str>),
    Comment(Cow<'a, str>),
    Eq,
    Semi,
}

/// A word being read: a range of the value while it is one, a copy once
/// a quoted string or an escape joins it.
enum Acc {
    Empty,
    Range(usize, usize),
    Copy(String),
}

impl Acc {
    /// Appends `s[a..b]`.
    fn push_range(&mut self, s: &str, a: usize, b: usize) {
        if a == b {
            return;
        }
        match self {
            Acc::Empty => *self = Acc::Range(a, b),
            Acc::Range(_, y) if *y == a => *y = b,
            Acc::Range(x, y) => {
                let mut o = s[*x..*y].to_string();
                o.push_str(&s[a..b]);
                *self = Acc::Copy(o);
            }
            Acc::Copy(o) => o.push_str(&s[a..b]),
        }
    }

    /// Appends text that is not a range of `s` (an unescaped copy).
    fn push_text(&mut self, s: &str, t: &str) {
        if t.is_empty() {
            return;
        }
        match self {
            Acc::Empty => *self = Acc::Copy(t.to_string()),
            Acc::Range(x, y) => {
                let mut o = s[*x..*y].to_string();
                o.push_str(t);
                *self = Acc::Copy(o);
            }
            Acc::Copy(o) => o.push_str(t),
        }
    }

    fn is_empty(&self) -> bool {
        match self {
            Acc::Empty => true,
            Acc::Range(..) => false,
            Acc::Copy(o) => o.is_empty(),
        }
    }

    /// The word read so far (None when empty); starts the next one.
    fn take<'a>(&mut self, s: &'a str) -> Option<Cow<'a, str>> {
        match std::mem::replace(self, Acc::Empty) {
            Acc::Empty => None,
            Acc::Range(a, b) => Some(Cow::Borrowed(&s[a..b])),
            Acc::Copy(o) if o.is_empty() => None,
            Acc::Copy(o) => Some(Cow::Owned(o)),
        }
    }
}

/// Reads a comment or a quoted string from `it`, just after its opening
/// `(` or `"` at byte `start`: the text up to the closing character
/// (nested parentheses kept in a comment), with `\x` read as `x`.
/// Borrowed when there is no escape. Unterminated: to the end.
fn delimited<'a>(
    s: &'a str,
    it: &mut std::str::CharIndices<'_>,
    start: usize,
    comment: bool,
) -> Cow<'a, str> {
    let mut depth = 1u32;
    let mut end = s.len();
    let mut copy: Option<String> = None;
    while let Some((j, c)) = it.next() {
        match c {
            '\\' => {
                let o = copy.get_or_insert_with(|| s[start..j].to_string());
                if let Some((_, n)) = it.next() {
                    o.push(n);
                }
                continue;
            }
            '(' if comment => depth += 1,
            ')' if comment => {
                depth -= 1;
                if depth == 0 {
                    end = j;
                    break;
                }
            }
            '"' if !comment => {
                end = j;
                break;
            }
            _ => {}
        }
        if let Some(o) = &mut copy {
            o.push(c);
        }
    }
    match copy {
        None => Cow::Borrowed(&s[start..end]),
        Some(o) => Cow::Owned(o),
    }
}

fn lex<'a>(s: &'a str) -> Vec<Tok<'a>> {
    let mut out = Vec::new();
    let mut word = Acc::Empty;
    let flush = |word: &mut Acc, out: &mut Vec<Tok<'a>>| {
        if let Some(w) = word.take(s) {
            out.push(Tok::Word(w));
        }
    };
    let mut it = s.char_indices();
    while let Some((i, c)) = it.next() {
        match c {
            '(' => {
                flush(&mut word, &mut out);
                let com = match delimited(s, &mut it, i + 1, true) {
                    Cow::Borrowed(b) => Cow::Borrowed(b.trim()),
                    Cow::Owned(o) if o.trim().len() == o.len() => Cow::Owned(o),
                    Cow::Owned(o) => Cow::Owned(o.trim().to_string()),
                };
                out.push(Tok::Comment(com));
            }
            '"' => {
                match delimited(s, &mut it, i + 1, false) {
                    Cow::Borrowed(b) => word.push_range(s, i + 1, i + 1 + b.len()),
                    Cow::Owned(o) => word.push_text(s, &o),
                }
                // A quoted string is a whole value even when empty.
                if word.is_empty() {
                    out.push(Tok::Word(Cow::Borrowed("")));
                }
            }
            '=' => {
                flush(&mut word, &mut out);
                out.push(Tok::Eq);
            }
            ';' => {
                flush(&mut word, &mut out);
                out.push(Tok::Semi);
            }
            c if c.is_whitespace() => flush(&mut word, &mut out),
            _ => word.push_range(s, i, i + c.len_utf8()),
        }
    }
    flush(&mut word, &mut out);
    out
}

/// Parses an Authentication-Results value (RFC 8601 §2.2). Returns None
/// when there is no authserv-id.
pub fn parse_authentication_results(field: &str, value: &str) -> Option<AuthResults> {
    let toks = lex(value);
    let mut sections = toks.split(|t| *t == Tok::Semi);
    let mut first = sections.next()?;
    let mut instance = None;
    // ARC-Authentication-Results: `i=N; authserv-id; …`.
    if let [Tok::Word(k), Tok::Eq, Tok::Word(v), ..] = first {
        if k.eq_ignore_ascii_case("i") {
            instance = v.parse().ok();
            first = sections.next()?;
        }
    }
    let mut results = Vec::new();
    // Microsoft 365 omits the authserv-id and starts with a result
    // (`spf=pass …; dkim=…`): keep the results, with an empty id.
    let (authserv_id, authres_version) = if first.contains(&Tok::Eq) {
        if let Some(r) = resinfo(first) {
            results.push(r);
        }
        (String::new(), None)
    } else {
        let mut words = first.iter().filter_map(|t| match t {
            Tok::Word(w) => Some(w.to_string()),
            _ => None,
        });
        (words.next()?, words.next())
    };
    let mut dropped = 0;
    for sec in sections {
        if results.len() >= MAX_RESULTS {
            // Counted as a result when it reads as one, without keeping it.
            if matches!(sec, [Tok::Word(_), ..]) && sec.contains(&Tok::Eq) {
                dropped += 1;
            }
            continue;
        }
        if let Some(r) = resinfo(sec) {
            results.push(r);
        }
    }
    Some(AuthResults {
        field: field.to_string(),
        instance,
        authserv_id,
        authres_version,
        results,
        dropped,
    })
}

/// Drops comments (CFWS may appear between any two tokens, RFC 8601 §2.2
/// and Appendix B.7), keeping for each remaining token the comment right
/// after it, and joins `a . b` and `m / 1` written with spaces or comments
/// around the dot or slash.
fn clean<'a>(sec: &[Tok<'a>]) -> Vec<(Tok<'a>, Option<Cow<'a, str>>)> {
    let mut out: Vec<(Tok<'a>, Option<Cow<'a, str>>)> = Vec::new();
    let mut join_next = false;
    for t in sec {
        match t {
            Tok::Comment(c) => {
                if let Some(last) = out.last_mut() {
                    if last.1.is_none() && !join_next {
                        last.1 = Some(c.clone());
                    }
                }
            }
            Tok::Word(w)
                if (w == "." || w == "/") && matches!(out.last(), Some((Tok::Word(_), _))) =>
            {
                if let Some((Tok::Word(prev), com)) = out.last_mut() {
                    prev.to_mut().push_str(w);
                    *com = None;
                }
                join_next = true;
            }
            Tok::Word(w) if join_next => {
                if let Some((Tok::Word(prev), _)) = out.last_mut() {
                    prev.to_mut().push_str(w);
                }
                join_next = false;
            }
            other => {
                join_next = false;
                out.push((other.clone(), None));
            }
        }
    }
    out
}

fn resinfo(sec: &[Tok]) -> Option<AuthResult> {
    let toks = clean(sec);
    let word = |i: usize| match toks.get(i) {
        Some((Tok::Word(w), _)) => Some(w.clone()),
        _ => None,
    };
    let method = word(0)?.to_ascii_lowercase();
    if method == "none" && toks.len() == 1 {
        return None;
    }
    // `method/version` (RFC 8601 §2.2).
    let (method, version) = match method.split_once('/') {
        Some((m, v)) => (m.trim().to_string(), Some(v.trim().to_string())),
        None => (method, None),
    };
    if toks.get(1).map(|t| &t.0) != Some(&Tok::Eq) {
        return None;
    }
    let result = word(2).unwrap_or_default().to_ascii_lowercase();
    let mut r = AuthResult {
        method,
        version,
        result,
        reason: None,
        comment: toks.get(2).and_then(|t| t.1.clone()).map(Cow::into_owned),
        properties: Vec::new(),
    };
    let mut i = 3;
    while i < toks.len() {
        match (&toks[i].0, toks.get(i + 1).map(|t| &t.0)) {
            (Tok::Word(k), Some(Tok::Eq)) => {
                let v = word(i + 2).unwrap_or_default().into_owned();
                if k.eq_ignore_ascii_case("reason") {
                    r.reason = Some(v);
                } else if r.properties.len() < MAX_PROPERTIES {
                    r.properties.push((k.to_ascii_lowercase(), v));
                }
                i += 3;
            }
            _ => i += 1,
        }
    }
    Some(r)
}

/// A Received-SPF field (RFC 7208 §9.1).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReceivedSpf {
    /// The result (`pass`, `softfail`, …), lower-case.
    pub result: String,
    /// The comment after the result.
    pub comment: Option<String>,
    /// `key=value` pairs (`client-ip`, `envelope-from`, `helo`, `receiver`, …).
    pub properties: Vec<(String, String)>,
}

/// Parses a Received-SPF value.
pub fn parse_received_spf(value: &str) -> Option<ReceivedSpf> {
    let toks = lex(value);
    let mut it = toks.iter().peekable();
    let result = match it.next()? {
        Tok::Word(w) => w.to_ascii_lowercase(),
        _ => return None,
    };
    let mut out = ReceivedSpf {
        result,
        comment: None,
        properties: Vec::new(),
    };
    let rest: Vec<&Tok> = it.collect();
    let mut i = 0;
    while i < rest.len() {
        match rest[i] {
            Tok::Comment(c) if out.comment.is_none() && out.properties.is_empty() => {
                out.comment = Some(c.to_string());
                i += 1;
            }
            Tok::Word(k) if rest.get(i + 1) == Some(&&Tok::Eq) => {
                let v = match rest.get(i + 2) {
                    Some(Tok::Word(v)) => v.to_string(),
                    _ => String::new(),
                };
                if out.properties.len() < MAX_PROPERTIES {
                    out.properties.push((k.to_ascii_lowercase(), v));
                }
                i += 3;
            }
            _ => i += 1,
        }
    }
    Some(out)
}

/// Tags of a DKIM-Signature, ARC-Seal or ARC-Message-Signature field.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Signature {
    /// The field name as written.
    pub field: String,
    /// `i=` for ARC fields (the instance); for DKIM the agent identifier.
    pub i: Option<String>,
    /// `d=`: the signing domain.
    pub d: Option<String>,
    /// `s=`: the selector.
    pub s: Option<String>,
    /// `a=`: the algorithm.
    pub a: Option<String>,
    /// `c=`: canonicalization.
    pub c: Option<String>,
    /// `h=`: signed header fields, lower-case.
    pub h: Vec<String>,
    /// `t=`: signature time (Unix seconds).
    pub t: Option<i64>,
    /// `x=`: expiry (Unix seconds).
    pub x: Option<i64>,
    /// `cv=`: the ARC chain validation status (ARC-Seal).
    pub cv: Option<String>,
}

/// Parses a tag=value list (RFC 6376 §3.2). Whitespace inside values
/// (folding) is removed; `b=` and `bh=` are left out.
pub fn parse_signature(field: &str, value: &str) -> Signature {
    let mut s = Signature {
        field: field.to_string(),
        ..Signature::default()
    };
    for pair in value.split(';') {
        let Some((k, v)) = pair.split_once('=') else {
            continue;
        };
        // The key is compared in place and only a kept tag's value is
        // copied: `b=`, the longest (the signature, folded), is skipped.
        let k = k.trim();
        let is = |name: &str| k.eq_ignore_ascii_case(name);
        let compact = || v.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        if is("i") {
            s.i = Some(compact());
        } else if is("d") {
            s.d = Some(compact());
        } else if is("s") {
            s.s = Some(compact());
        } else if is("a") {
            s.a = Some(compact());
        } else if is("c") {
            s.c = Some(compact());
        } else if is("h") {
            s.h = compact()
                .split(':')
                .filter(|x| !x.is_empty())
                .map(|x| x.to_ascii_lowercase())
                .collect();
        } else if is("t") {
            s.t = compact().parse().ok();
        } else if is("x") {
            s.x = compact().parse().ok();
        } else if is("cv") {
            s.cv = Some(compact().to_ascii_lowercase());
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The tokenizer as it was before tokens borrowed (every word and
    /// comment a new string): the reference for [`lex`].
    fn lex_copying(s: &str) -> Vec<(u8, String)> {
        let mut out = Vec::new();
        let mut chars = s.chars().peekable();
        let mut word = String::new();
        let flush = |word: &mut String, out: &mut Vec<(u8, String)>| {
            if !word.is_empty() {
                out.push((b'w', std::mem::take(word)));
            }
        };
        while let Some(c) = chars.next() {
            match c {
                '(' => {
                    flush(&mut word, &mut out);
                    let mut depth = 1u32;
                    let mut com = String::new();
                    while let Some(c) = chars.next() {
                        match c {
                            '\\' => {
                                if let Some(n) = chars.next() {
                                    com.push(n);
                                }
                            }
                            '(' => {
                                depth += 1;
                                com.push(c);
                            }
                            ')' => {
                                depth -= 1;
                                if depth == 0 {
                                    break;
                                }
                                com.push(c);
                            }
                            _ => com.push(c),
                        }
                    }
                    out.push((b'c', com.trim().to_string()));
                }
                '"' => {
                    let mut q = String::new();
                    while let Some(c) = chars.next() {
                        match c {
                            '\\' => {
                                if let Some(n) = chars.next() {
                                    q.push(n);
                                }
                            }
                            '"' => break,
                            _ => q.push(c),
                        }
                    }
                    word.push_str(&q);
                    if word.is_empty() {
                        out.push((b'w', String::new()));
                    }
                }
                '=' => {
                    flush(&mut word, &mut out);
                    out.push((b'=', String::new()));
                }
                ';' => {
                    flush(&mut word, &mut out);
                    out.push((b';', String::new()));
                }
                c if c.is_whitespace() => flush(&mut word, &mut out),
                _ => word.push(c),
            }
        }
        flush(&mut word, &mut out);
        out
    }

    fn lex_flat(s: &str) -> Vec<(u8, String)> {
        lex(s)
            .into_iter()
            .map(|t| match t {
                Tok::Word(w) => (b'w', w.into_owned()),
                Tok::Comment(c) => (b'c', c.into_owned()),
                Tok::Eq => (b'=', String::new()),
                Tok::Semi => (b';', String::new()),
            })
            .collect()
    }

    #[test]
    fn lex_agrees_with_the_copying_tokenizer_on_real_shapes() {
        for v in [
            "mx.google.com; dkim=pass header.i=@example.com header.s=s1 header.b=abc; spf=pass (google.com: domain of a@b.example designates 192.0.2.1 as permitted sender) smtp.mailfrom=a@b.example",
            "i=1; mx.example.net; arc=none; dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=example.com",
            "x; dkim=fail reason=\"signature \\\"verification\\\" failed\" header.d=\"example.com\"",
            "a (unterminated; b=c",
            "a \"unterminated; b=c",
            "((nested (deep)) comment) w \"\" \"\"x a\"b\"c \"q\"r s\"t\"",
            "pass (\\) x=\\y\u{a0}z\u{2003}w",
            "  \t(  spaced  )  ",
            "",
        ] {
            assert_eq!(lex_flat(v), lex_copying(v), "{v:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(5000))]
        /// Any mix of the characters the tokenizer treats specially.
        #[test]
        fn lex_agrees_with_the_copying_tokenizer(
            v in "[ab=;()\"\\\\ \t.\u{a0}\u{2003}éx/]{0,40}"
        ) {
            prop_assert_eq!(lex_flat(&v), lex_copying(&v));
        }
    }

    fn ar(v: &str) -> AuthResults {
        parse_authentication_results("Authentication-Results", v).unwrap()
    }

    /// Issue 14: one field with 40,000 methods kept them all (8.6 s and
    /// 150 MB in `trace`); now the first MAX_RESULTS are kept, the rest
    /// counted, and each result keeps at most MAX_PROPERTIES properties.
    #[test]
    fn results_and_properties_are_capped() {
        let v: Vec<String> = (0..40_000)
            .map(|i| format!("m{i}=pass header.d=d{i}.example"))
            .collect();
        let a = ar(&format!("mx.example; {}", v.join("; ")));
        assert_eq!(a.results.len(), MAX_RESULTS);
        assert_eq!(a.dropped, 40_000 - MAX_RESULTS);
        assert_eq!(a.results[0].method, "m0");
        let props: Vec<String> = (0..5_000).map(|i| format!("p.k{i}=v")).collect();
        let a = ar(&format!("mx.example; dkim=pass {}", props.join(" ")));
        assert_eq!(a.results[0].properties.len(), MAX_PROPERTIES);
        assert_eq!(a.dropped, 0);
        let spf = parse_received_spf(&format!("pass {}", props.join("; "))).unwrap();
        assert_eq!(spf.properties.len(), MAX_PROPERTIES);
    }

    // RFC 8601 Appendix B.2: nothing done.
    #[test]
    fn rfc8601_b2_none() {
        let a = ar("example.org 1; none");
        assert_eq!(a.authserv_id, "example.org");
        assert_eq!(a.authres_version.as_deref(), Some("1"));
        assert!(a.results.is_empty());
    }

    // B.3: SPF.
    #[test]
    fn rfc8601_b3_spf() {
        let a = ar("example.com;\n          spf=pass smtp.mailfrom=example.net");
        assert_eq!(a.authserv_id, "example.com");
        assert_eq!(a.results.len(), 1);
        assert_eq!(a.results[0].method, "spf");
        assert_eq!(a.results[0].result, "pass");
        assert_eq!(a.results[0].property("smtp.mailfrom"), Some("example.net"));
    }

    // B.4: SMTP AUTH and iprev, two fields.
    #[test]
    fn rfc8601_b4_auth_iprev() {
        let a = ar("example.com;\n          auth=pass (cram-md5) smtp.auth=sender@example.net;\n          spf=pass smtp.mailfrom=example.net");
        assert_eq!(a.results.len(), 2);
        assert_eq!(a.results[0].method, "auth");
        assert_eq!(a.results[0].comment.as_deref(), Some("cram-md5"));
        assert_eq!(
            a.results[0].property("smtp.auth"),
            Some("sender@example.net")
        );
        assert_eq!(a.results[1].method, "spf");
        let b = ar("example.com; iprev=pass\n          policy.iprev=192.0.2.200");
        assert_eq!(b.results[0].method, "iprev");
        assert_eq!(b.results[0].property("policy.iprev"), Some("192.0.2.200"));
    }

    // B.5: several MTAs, each adding a field.
    #[test]
    fn rfc8601_b5_different_mtas() {
        let a = ar("example.com;\n          dkim=pass (good signature) header.d=example.com");
        assert_eq!(a.results[0].method, "dkim");
        assert_eq!(a.results[0].comment.as_deref(), Some("good signature"));
        assert_eq!(a.results[0].property("header.d"), Some("example.com"));
        let b = ar("example.com;\n          auth=pass (cram-md5) smtp.auth=sender@example.com;\n          spf=fail smtp.mailfrom=example.com");
        assert_eq!(b.results[1].method, "spf");
        assert_eq!(b.results[1].result, "fail");
        assert_eq!(b.results[1].property("smtp.mailfrom"), Some("example.com"));
        // The RFC 7601 form of the same example still had Sender ID.
        let c = ar("example.com;\n          sender-id=fail header.from=example.com;\n          dkim=pass (good signature) header.d=example.com");
        assert_eq!(c.results[0].method, "sender-id");
        assert_eq!(c.results[0].property("header.from"), Some("example.com"));
    }

    // B.6: multi-tiered; the border MTA and the mail router.
    #[test]
    fn rfc8601_b6_multi_tiered() {
        let a = ar("mail-router.example.net;\n          dkim=pass (good signature) header.d=newyork.example.com\n                header.b=oINEO8hg;\n          dkim=fail (bad signature) header.d=newyork.example.com\n                header.b=EToRSuvU");
        assert_eq!(a.authserv_id, "mail-router.example.net");
        let r: Vec<(&str, &str)> = a
            .results
            .iter()
            .map(|r| (r.result.as_str(), r.property("header.b").unwrap_or("")))
            .collect();
        assert_eq!(r, [("pass", "oINEO8hg"), ("fail", "EToRSuvU")]);
        let b = ar("example.com;\n          dkim=pass reason=\"good signature\"\n            header.i=@mail-router.example.net;\n          dkim=fail reason=\"bad signature\"\n            header.i=@newyork.example.com");
        assert_eq!(b.results[0].reason.as_deref(), Some("good signature"));
        assert_eq!(
            b.results[0].property("header.i"),
            Some("@mail-router.example.net")
        );
        assert_eq!(b.results[1].result, "fail");
        assert_eq!(b.results[1].reason.as_deref(), Some("bad signature"));
    }

    // B.7: comments everywhere CFWS is allowed.
    #[test]
    fn rfc8601_b7_comment_heavy() {
        let a = ar("foo.example.net (foobar) 1 (baz);\n    dkim (Because I like it) / 1 (One yay) = (wait for it) fail\n      policy (A dot can go here) . (like that) expired\n      (this surprised me) = (as I wasn't expecting it) 1362471462");
        assert_eq!(a.authserv_id, "foo.example.net");
        assert_eq!(a.authres_version.as_deref(), Some("1"));
        assert_eq!(a.results.len(), 1);
        let r = &a.results[0];
        assert_eq!(r.method, "dkim");
        assert_eq!(r.version.as_deref(), Some("1"));
        assert_eq!(r.result, "fail");
        assert_eq!(r.property("policy.expired"), Some("1362471462"));
    }

    #[test]
    fn without_authserv_id() {
        let a = ar("spf=pass (sender IP is 203.0.113.90)\n smtp.mailfrom=example.org; dkim=pass (signature was verified)\n header.d=example.org;dmarc=pass action=none header.from=example.org");
        assert_eq!(a.authserv_id, "");
        let m: Vec<&str> = a.results.iter().map(|r| r.method.as_str()).collect();
        assert_eq!(m, ["spf", "dkim", "dmarc"]);
        assert_eq!(a.results[2].property("action"), Some("none"));
    }

    #[test]
    fn arc_instance() {
        let a = parse_authentication_results(
            "ARC-Authentication-Results",
            "i=2; mx.example.net; dmarc=pass header.from=example.org; arc=pass",
        )
        .unwrap();
        assert_eq!(a.instance, Some(2));
        assert_eq!(a.authserv_id, "mx.example.net");
        assert_eq!(a.results.len(), 2);
    }

    #[test]
    fn received_spf() {
        let s = parse_received_spf("pass (mybox.example.org: domain of\n myname@example.com designates 192.0.2.1 as permitted sender)\n receiver=mybox.example.org; client-ip=192.0.2.1;\n envelope-from=\"myname@example.com\"; helo=foo.example.com;").unwrap();
        assert_eq!(s.result, "pass");
        assert!(s
            .comment
            .as_deref()
            .unwrap_or("")
            .starts_with("mybox.example.org"));
        assert!(s
            .properties
            .contains(&("client-ip".into(), "192.0.2.1".into())));
        assert!(s
            .properties
            .contains(&("envelope-from".into(), "myname@example.com".into())));
    }

    #[test]
    fn dkim_signature() {
        let s = parse_signature("DKIM-Signature", "v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org;\n\ts=sel1; t=1709287200; x=1709892000;\n\th=From:To:Subject:\n\t Date; bh=abc=; b=def\n\t ghi=");
        assert_eq!(s.d.as_deref(), Some("example.org"));
        assert_eq!(s.s.as_deref(), Some("sel1"));
        assert_eq!(s.a.as_deref(), Some("rsa-sha256"));
        assert_eq!(s.h, ["from", "to", "subject", "date"]);
        assert_eq!(s.t, Some(1709287200));
        assert_eq!(s.x, Some(1709892000));
        let seal = parse_signature(
            "ARC-Seal",
            "i=1; a=rsa-sha256; t=1; cv=none; d=example.org; s=arc; b=x",
        );
        assert_eq!(seal.cv.as_deref(), Some("none"));
        assert_eq!(seal.i.as_deref(), Some("1"));
        // Keys in any case and with white space around them; the last of
        // a repeated tag wins; `b=`, `bh=` and unknown tags are not kept.
        let odd = parse_signature(
            "DKIM-Signature",
            " D = exa mple.org ; S=one; s=two;\r\n\tCV=Pass; H = From : TO ;T= 1 2; B=zz; bh=yy; q=dns/txt",
        );
        assert_eq!(odd.d.as_deref(), Some("example.org"));
        assert_eq!(odd.s.as_deref(), Some("two"));
        assert_eq!(odd.cv.as_deref(), Some("pass"));
        assert_eq!(odd.h, ["from", "to"]);
        assert_eq!(odd.t, Some(12));
        assert_eq!(
            odd,
            Signature {
                field: "DKIM-Signature".into(),
                d: odd.d.clone(),
                s: odd.s.clone(),
                cv: odd.cv.clone(),
                h: odd.h.clone(),
                t: odd.t,
                ..Signature::default()
            }
        );
    }
}
