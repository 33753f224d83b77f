//! Our Received reader (`emlkit::model::received`) against mail-parser
//! 0.11's, which it replaced (issues 10 and 16, for speed): every Received
//! field of ../shared/corpora (every file), testdata/, the real-world shapes
//! below and up to 20,000 fields of the benchmark mbox must read the same,
//! slot by slot. The few places where we read differently on purpose are
//! listed in [`ALLOWED`] with the reason and the exact fix; anything else is
//! a failure.
//! Also: random token soups read the same, and pathological values (deep
//! comments, megabytes of tokens) run in linear time.

use crate::common::*;
use mail_parser::parsers::MessageStream;
use mail_parser::{HeaderValue, Protocol, Received};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Deliberate differences, each a rule that turns mail-parser's reading
/// into ours: (name, reason, does it apply to this value, the fix). A
/// difference is allowed only when the fixed reading equals ours exactly.
type Fix = fn(&str, &mut Received<'_>) -> bool;
const ALLOWED: &[(&str, &str, Fix)] = &[
    (
        "exim-utf8esmtp",
        "Exim writes RFC 6531's UTF8SMTP/UTF8SMTPA/UTF8SMTPS/UTF8SMTPSA as \
     `utf8esmtp`, `utf8esmtpa`, `utf8esmtps`, `utf8esmtpsa` (its default for \
     SMTPUTF8 mail); mail-parser does not know the words and reads no \
     protocol, or skips on to a later one",
        |text, r| {
            let lower = text.to_ascii_lowercase();
            let Some(at) = lower.find("utf8esmtp") else {
                return false;
            };
            let word: String = lower[at..]
                .chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect();
            r.with = Some(match word.as_str() {
                "utf8esmtp" => Protocol::UTF8SMTP,
                "utf8esmtpa" => Protocol::UTF8SMTPA,
                "utf8esmtps" => Protocol::UTF8SMTPS,
                "utf8esmtpsa" => Protocol::UTF8SMTPSA,
                _ => return false,
            });
            true
        },
    ),
    (
        "fractional-seconds",
        "a time with fractional seconds (`07:53:55.516 +0000`, SendGrid's and \
     Go's `time.String` dates): mail-parser skips `55.516` and takes the \
     zone for the seconds (07:53:00, zone lost); we read the whole seconds \
     and the zone after them (issue 16, Microsoft MHA's vectors)",
        |text, r| {
            let Some(d) = r.date.as_mut() else {
                return false;
            };
            let Some((_, date)) = text.split_once(';') else {
                return false;
            };
            let words: Vec<&str> = date
                .split(|c: char| c.is_whitespace() || ":,()".contains(c))
                .filter(|w| !w.is_empty())
                .collect();
            let fraction = |w: &str| {
                let (a, b) = w.split_once('.')?;
                let digits = |x: &str| !x.is_empty() && x.bytes().all(|c| c.is_ascii_digit());
                (a.len() <= 2 && digits(a) && digits(b)).then(|| a.parse::<u8>().ok())?
            };
            let Some((k, ss)) = words
                .iter()
                .enumerate()
                .find_map(|(k, w)| Some((k, fraction(w)?)))
            else {
                return false;
            };
            d.second = ss;
            let zone = words[k + 1..].iter().find_map(|w| w.parse::<i64>().ok());
            let z = zone.unwrap_or(0).unsigned_abs();
            d.tz_hour = (z / 100) as u8;
            d.tz_minute = (z % 100) as u8;
            d.tz_before_gmt = zone.is_none_or(|z| z < 0);
            true
        },
    ),
];

/// The name of the allowed difference that explains `ours` vs `theirs`.
fn allowed(v: &[u8], theirs: &HeaderValue<'_>, ours: &HeaderValue<'_>) -> Option<&'static str> {
    let text = String::from_utf8_lossy(v);
    let base = match theirs {
        HeaderValue::Received(r) => r.as_ref().clone(),
        _ => Received::default(),
    };
    let ours = match ours {
        HeaderValue::Received(r) => r.as_ref(),
        _ => return None,
    };
    ALLOWED.iter().find_map(|(name, _, fix)| {
        let mut r = base.clone();
        (fix(&text, &mut r) && r == *ours).then_some(*name)
    })
}

/// Real-world shapes (RFC 5321 §4.4 and what MTAs write), compared too.
const SHAPES: &[&str] = &[
    // Postfix
    "from mail.example.com (mail.example.com [192.0.2.1])\r\n\tby mx.example.org (Postfix) with ESMTPS id 4ABC123\r\n\tfor <user@example.org>; Tue, 1 Jul 2003 10:52:37 +0200\r\n",
    "from localhost (localhost [127.0.0.1])\n\tby mx.example.org (Postfix) with ESMTP id 9F1E2C0123\n\tfor <a@example.org>; Mon, 12 Feb 2024 08:01:02 -0500 (EST)\n",
    "from client.example.net (unknown [IPv6:2001:db8::25])\n\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\n\t key-exchange X25519 server-signature RSA-PSS (2048 bits))\n\t(No client certificate requested)\n\tby mx.example.org (Postfix) with ESMTPS id 4XyZ1\n\tfor <b@example.org>; Sat, 3 Aug 2024 12:00:00 +0000 (UTC)\n",
    "from [192.0.2.7] (helo=laptop.local)\n\t(Authenticated sender: alice@example.com)\n\tby smtp.example.com (Postfix) with ESMTPSA id 1A2B3C\n\tfor <bob@example.org>; Wed, 5 Jun 2024 09:10:11 +0200 (CEST)\n",
    // SendGrid: fractional seconds (an allowed difference), and a date
    // without a `;` (not read by either reader; trace reads it).
    "from smtp.example.com (out-3.smtp.example.com [192.0.2.194])\n\tby ismtpd0021p1iad2.sendgrid.net (SG) with ESMTP id 1dCtTVbKTgGmrXSNolRfbg\n\tfor <a@example.org>; Sun, 22 Apr 2018 02:54:16.987 +0000 (UTC)\n",
    "from MjA3NDc4Mg (unknown) by ismtpd0001p1lon1.sendgrid.net (SG) with HTTP id aqHK; Thu, 02 Apr 2020 07:53:55.516 -0700 (PDT)\n",
    "by filter0652p1las1.sendgrid.net with SMTP id filter0652p1las1-5089-5ADBF958-25\n        2018-04-22 02:54:17.028704749 +0000 UTC\n",
    // Exim
    "from [198.51.100.4] (helo=mail.example.net)\n\tby mx.example.org with esmtps  (TLS1.3) tls TLS_AES_256_GCM_SHA384\n\t(Exim 4.96)\n\t(envelope-from <sender@example.net>)\n\tid 1rAbCd-000123-Ef\n\tfor user@example.org; Thu, 01 Feb 2024 10:00:00 +0000\n",
    "from [203.0.113.9] (helo=h.example)\n\tby mx.example.org with utf8esmtps  (TLS1.3) tls TLS_AES_128_GCM_SHA256\n\t(Exim 4.97)\n\t(envelope-from <s@example.net>)\n\tid 1r-0001\n\tfor d@example.org; Thu, 01 Feb 2024 10:00:00 +0000\n",
    "from root by host.example.org with local (Exim 4.96)\n\t(envelope-from <root@host.example.org>)\n\tid 1rXyZ-0000Ab-Cd\n\tfor root@host.example.org; Fri, 02 Feb 2024 03:04:05 +0100\n",
    "from user by host.example.org with local-esmtp (Exim 4.80) id 1Abc; Fri, 02 Feb 2024 03:04:05 +0100\n",
    // Sendmail
    "from mail.example.net (mail.example.net [192.0.2.9] (may be forged))\n\tby relay.example.org (8.15.2/8.15.2) with ESMTPS id x1ABCDEF012345\n\t(version=TLSv1.2 cipher=ECDHE-RSA-AES256-GCM-SHA384 bits=256 verify=NOT)\n\tfor <u@example.org>; Tue, 5 Mar 2019 11:12:13 -0800 (PST)\n",
    "(from user@localhost)\n\tby host.example.org (8.14.4/8.14.4/Submit) id r1ABC; Tue, 5 Mar 2019 11:12:13 -0800\n",
    // Microsoft 365
    "from AM6PR01MB1234.eurprd01.prod.outlook.com (2603:10a6:20b:1::12) by\r\n AM6PR01MB5678.eurprd01.prod.outlook.com (2603:10a6:20b:2::34) with\r\n Microsoft SMTP Server (version=TLS1_2,\r\n cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.7202.29; Mon, 5 Feb\r\n 2024 10:11:12 +0000\r\n",
    "from DB5PR01CA0001.eurprd01.prod.outlook.com (::1) by AM0PR01MB1.eurprd01.prod.outlook.com\r\n (::1) with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384)\r\n id 15.20.1; Mon, 5 Feb 2024 10:11:12 +0000\r\n",
    "from mail-ed1-f49.google.com (209.85.208.49) by\r\n DB5EUR01FT001.mail.protection.outlook.com (10.152.4.1) with Microsoft SMTP\r\n Server (version=TLS1_3, cipher=TLS_AES_256_GCM_SHA384) id 15.20.7 via Frontend\r\n Transport; Mon, 5 Feb 2024 10:11:12 +0000\r\n",
    // Gmail
    "from mail-sor-f41.google.com (mail-sor-f41.google.com. [209.85.220.41])\r\n        by mx.google.com with SMTPS id a1sor123456wrx.12.2024.02.05.02.03.04\r\n        for <x@gmail.com>\r\n        (Google Transport Security);\r\n        Mon, 05 Feb 2024 02:03:04 -0800 (PST)\r\n",
    "by 2002:a05:6000:1:b0:33b:1::1 with SMTP id a1csp123456wrc;\r\n        Mon, 5 Feb 2024 02:03:05 -0800 (PST)\r\n",
    "from [10.0.0.2] ([2a00:1450:4864:20::42d])\r\n        by smtp.gmail.com with ESMTPSA id x2-20020a05\r\n        for <y@example.org>\r\n        (version=TLS1_3 cipher=TLS_AES_128_GCM_SHA256 bits=128/128);\r\n        Mon, 05 Feb 2024 02:03:06 -0800 (PST)\r\n",
    // qmail
    "(qmail 12345 invoked by uid 0); 5 Feb 2024 10:11:12 -0000\n",
    "(qmail 6789 invoked from network); 5 Feb 2024 10:11:12 -0000\n",
    "from unknown (HELO mail.example.net) (198.51.100.23)\n  by mx.example.org with SMTP; 5 Feb 2024 10:11:12 -0000\n",
    // Others: ident, via, nested comments, quoted text, IPv6 literals.
    "from host.example.net (ident=joe [192.0.2.5]) by mx.example.org (Smail3.1.29.1 #3)\n\tid m0eL8Gv-0006G9C; Wed, 9 Oct 96 10:00:00 -0700\n",
    "from x.example ([IPv6:2001:db8:1::1]) (authenticated bits=0)\n\tby y.example (8.16.1/8.16.1) with ESMTPSA id 0123 (version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256 verify=NO)\n\tfor <z@example.org>; Sun, 4 Feb 2024 23:59:59 +0100\n",
    "from a.example (a.example [192.0.2.1] (comment (nested (deeper) [198.51.100.2])))\n by b.example via UUCP with LMTP id abc \"quoted ; text\" for <c@example>; 1 Jan 2000 00:00:00 +0000\n",
    "from d.example by e.example with HTTP; Tue, 6 Feb 2024 01:02:03 +0900\n",
    "from dovecot by mail.example with LMTPS id Xyz (envelope-from <f@example>) for <g@example>; Tue, 6 Feb 2024 01:02:03 +0900\n",
    "from smtp.example (EHLO smtp.example) (192.0.2.77) by mta.example with SMTPS; 6 Feb 2024 01:02:03 +0000\n",
    "from h.example (HELO h.example) (192.0.2.8) by i.example with ESMTPA (LOGIN); Tue, 6 Feb 2024 1:2:3 +0000\n",
    "from j.example ([192.0.2.9]:54321 helo=j.example) by k.example with esmtp (Exim 4.92) id 1; Tue, 06 Feb 2024 01:02:03 +0000\n",
    "from l.example (l.example [192.0.2.10]) by m.example (OpenSMTPD) with ESMTPS id 5a6b7c8d (TLSv1.3:TLS_AES_256_GCM_SHA384:256:NO) for <n@example>; Tue, 6 Feb 2024 01:02:03 +0000 (UTC)\n",
    "from o.example by p.example (Haraka/3.0.2) with ESMTPS id 1-2-3 envelope-from <q@example> (version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384); Tue, 06 Feb 2024 01:02:03 +0000\n",
    "from r.example (unknown [192.0.2.11]) by s.example (Postfix) with ESMTP id AB; Tue,  6 Feb 24 01:02:03 GMT\n",
    "by t.example (Postfix, from userid 1000) id CD; Tue, 6 Feb 2024 01:02:03 +0000 (UTC)\n",
    "",
    "\r\n",
    ";\n",
    "from\n",
    "from [\n",
    "from ( by x; 1 2 3 4 5 6 7 8 9\n",
    // A `]` two comments deep leaves mail-parser's bracket marker set: the
    // later address in the comment replaces the first.
    "from a ((x [192.0.2.1]) 192.0.2.2) by b; 1 Jan 2000 00:00:00 +0000\n",
    "from a (\"[\" 192.0.2.3 (b [192.0.2.4])) by c; 1 Jan 2000 00:00:00 +0000\n",
];

/// Every Received field value (continuation lines and the final line end
/// included) found anywhere in `raw`, cut at the first bare CR as
/// `Field::parsed` does.
fn received_values(raw: &[u8], out: &mut Vec<Vec<u8>>, limit: usize) {
    let mut pos = 0;
    while pos < raw.len() && out.len() < limit {
        let line_end = memchr::memchr(b'\n', &raw[pos..]).map_or(raw.len(), |i| pos + i + 1);
        let line = &raw[pos..line_end];
        let head = line.get(..8).map(|h| h.eq_ignore_ascii_case(b"received"));
        let colon = line
            .iter()
            .skip(8)
            .position(|b| *b != b' ' && *b != b'\t')
            .map(|i| i + 8);
        if head == Some(true) && colon.is_some_and(|c| line[c] == b':') {
            let start = pos + colon.unwrap_or(0) + 1;
            let mut end = line_end;
            while matches!(raw.get(end), Some(b' ' | b'\t')) {
                end = memchr::memchr(b'\n', &raw[end..]).map_or(raw.len(), |i| end + i + 1);
            }
            let v = &raw[start..end];
            let cut = memchr::memchr_iter(b'\r', v)
                .find(|&i| v.get(i + 1) != Some(&b'\n'))
                .map_or(v, |i| &v[..i]);
            out.push(cut.to_vec());
            pos = end;
        } else {
            pos = line_end;
        }
    }
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, files);
        } else {
            files.push(p);
        }
    }
}

fn theirs(v: &[u8]) -> HeaderValue<'_> {
    MessageStream::new(v).parse_received()
}

fn ours(v: &[u8]) -> HeaderValue<'_> {
    emlkit::model::received::parse(v)
}

/// Compares both readers on every value: (compared, allowed, failures).
fn compare(values: &[Vec<u8>]) -> (usize, usize, Vec<String>) {
    let (mut allowed_n, mut bad) = (0, Vec::new());
    for v in values {
        let (a, b) = (theirs(v), ours(v));
        if a == b {
            continue;
        }
        if allowed(v, &a, &b).is_some() {
            allowed_n += 1;
            continue;
        }
        let text = String::from_utf8_lossy(v);
        bad.push(format!(
            "value {text:?}\n  mail-parser: {a:?}\n  ours:        {b:?}"
        ));
    }
    (values.len(), allowed_n, bad)
}

fn check(what: &str, values: &[Vec<u8>]) -> usize {
    let (n, allowed, bad) = compare(values);
    eprintln!("received: {what}: {n} fields compared, {allowed} allowed differences");
    if allowed > 0 {
        for (name, why, _) in ALLOWED {
            eprintln!("received:   allowed {name}: {why}");
        }
    }
    assert!(
        bad.is_empty(),
        "{what}: {} of {n} Received fields read differently:\n{}",
        bad.len(),
        bad.iter().take(20).cloned().collect::<Vec<_>>().join("\n")
    );
    n
}

#[test]
fn same_as_mail_parser_on_shapes_and_testdata() {
    let mut values: Vec<Vec<u8>> = SHAPES.iter().map(|s| s.as_bytes().to_vec()).collect();
    // LF-only forms of the CRLF shapes too.
    values.extend(
        SHAPES
            .iter()
            .map(|s| s.replace("\r\n", "\n").into_bytes())
            .collect::<Vec<_>>(),
    );
    let mut files = Vec::new();
    walk(&root().join("testdata"), &mut files);
    for f in &files {
        if let Ok(raw) = std::fs::read(f) {
            received_values(&raw, &mut values, usize::MAX);
        }
    }
    let n = check("shapes and testdata", &values);
    assert!(n > 100, "too few Received fields found: {n}");
}

#[test]
fn same_as_mail_parser_on_every_corpus_field() {
    let Some(c) = corpora() else { return };
    let mut files = Vec::new();
    walk(&c, &mut files);
    let mut values = Vec::new();
    for f in &files {
        if let Ok(raw) = std::fs::read(f) {
            received_values(&raw, &mut values, usize::MAX);
        }
    }
    let n = check("../shared/corpora", &values);
    assert!(n >= 100, "too few Received fields in the corpora: {n}");
}

#[test]
fn same_as_mail_parser_on_the_benchmark_mbox() {
    let p = Path::new("/work/bench-data/50m.mbox");
    let Ok(raw) = std::fs::read(p) else {
        skip(
            "/work/bench-data/50m.mbox is absent (generate it with ../shared/bench/gen_corpus.py)",
        );
        return;
    };
    let mut values = Vec::new();
    received_values(&raw, &mut values, 20_000);
    let n = check("50m.mbox", &values);
    assert!(n > 1000, "too few Received fields in 50m.mbox: {n}");
}

/// Deep comments, long runs of tokens and separators: linear time, no
/// panic. 1 MB values each take well under a second even in a debug build.
#[test]
fn pathological_values_run_in_linear_time() {
    let cases: Vec<Vec<u8>> = vec![
        b"(".repeat(100_000),
        b")".repeat(100_000),
        b"[".repeat(200_000),
        b"from ".repeat(200_000),
        b"with ".repeat(200_000),
        b"for <".repeat(200_000),
        b"id =".repeat(200_000),
        b"; 1".repeat(300_000),
        b"from x (helo=".repeat(80_000),
        b"(ident ".repeat(150_000),
        b"1:2:".repeat(250_000),
        b"TLS_AES_256_GCM_SHA384 ".repeat(45_000),
        b"a@b.c ".repeat(170_000),
        b"x\n ".repeat(330_000),
        b"\"".repeat(1_000_000),
        [
            b"from a ".as_slice(),
            &b"(".repeat(100_000),
            b" by b with esmtp; 1 Jan 2000 1:2:3 +0000\n",
        ]
        .concat(),
    ];
    for v in &cases {
        let t = Instant::now();
        let _ = ours(v);
        let dt = t.elapsed();
        assert!(
            dt < Duration::from_secs(2),
            "{} bytes starting {:?} took {dt:?}",
            v.len(),
            String::from_utf8_lossy(&v[..v.len().min(20)])
        );
    }
    // Doubling the input roughly doubles the time (not quadruples).
    let unit = b"from a.example (b.example [192.0.2.1] (helo=c)) by d with esmtps (TLSv1.3) id 1 for <e@f>; ";
    let time = |n: usize| {
        let v = unit.repeat(n);
        let t = Instant::now();
        for _ in 0..3 {
            let _ = ours(&v);
        }
        t.elapsed()
    };
    let (small, big) = (time(5_000), time(20_000));
    assert!(
        big < small * 12 + Duration::from_millis(50),
        "4x the input took {big:?} vs {small:?}"
    );
}

mod props {
    use super::*;
    use proptest::prelude::*;

    fn cases() -> u32 {
        std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(256)
    }

    /// Tokens real Received values are made of, plus separators and folds.
    fn token() -> impl Strategy<Value = Vec<u8>> {
        let words: &[&str] = &[
            "from",
            "by",
            "with",
            "id",
            "for",
            "via",
            "ident",
            "helo",
            "EHLO",
            "(",
            ")",
            "[",
            "]",
            "<",
            ">",
            ";",
            ":",
            "=",
            "\"",
            "/",
            ",",
            "esmtps",
            "ESMTPSA",
            "local",
            "LMTP",
            "TLSv1.3",
            "TLS1_2",
            "tls-1.2",
            "DTLSv1.2",
            "SSLv3",
            "192.0.2.1",
            "2001:db8::1",
            "::1",
            "IPv6",
            "a@b.example",
            "x@",
            "@",
            "example.com",
            "mail-1.example.",
            "TLS_AES_256_GCM_SHA384",
            "ECDHE-RSA-AES128-GCM-SHA256",
            "1",
            "31",
            "Jul",
            "may",
            "2003",
            "96",
            "10:52:37",
            "+0200",
            "-0700",
            "99999999999999999999",
            "local-esmtp",
            "localbsmtp",
            "esmtp-tls",
            "bsmtp",
            "smtpd",
            "smtpsvc",
            "asmtp",
            "lsmtp",
            "lmtpa",
            "lmtps",
            "lmtpsa",
            "mms",
            "utf8smtp",
            "UTF8SMTPA",
            "utf8smtps",
            "utf8smtpsa",
            "utf8lmtp",
            "utf8lmtpa",
            "utf8lmtps",
            "utf8lmtpsa",
            "http",
            "httprest",
            "httpu",
            "https",
            "imap",
            "pop3",
            "socket",
            "stdin",
            "lhlo",
            "helo",
            "ssl2",
            "sslv2",
            "tls1",
            "tlsv1",
            "TLS1.0",
            "tls_1_1",
            "TLSv1.1",
            "dtls10",
            "dtls-1.2",
            "DTLS1.3",
            "Jan",
            "FEB",
            "mar",
            "Apr",
            "Jun",
            "Aug",
            "Sep",
            "Oct",
            "Nov",
            "Dec",
            "smtp",
            "esmtpa",
            "esmtpsa",
            "\n ",
            "\r\n\t",
            " ",
            "\t",
            "\r",
            "\n",
            "é",
            "\u{1F600}",
            "a_b",
            "x!",
        ];
        prop_oneof![
            4 => proptest::sample::select(words.to_vec()).prop_map(|s| s.as_bytes().to_vec()),
            1 => proptest::collection::vec(any::<u8>(), 0..4),
        ]
    }

    fn value() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec((token(), proptest::bool::ANY), 0..60).prop_map(|v| {
            let mut out = Vec::new();
            for (t, space) in v {
                out.extend_from_slice(&t);
                if space {
                    out.push(b' ');
                }
            }
            out
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(cases()))]

        /// Token soups read the same as mail-parser's reader (the random
        /// bytes avoid only the one value mail-parser itself panics on in a
        /// debug build: a zone of i64::MIN).
        #[test]
        fn token_soup_reads_like_mail_parser(v in value()) {
            prop_assume!(!String::from_utf8_lossy(&v).contains("9223372036854775808"));
            let (a, b) = (theirs(&v), ours(&v));
            // Exim's `utf8esmtp…` is not in the soup (random bytes do not
            // spell it): after it mail-parser skips on looking for a
            // protocol and swallows what follows (a cipher, an address), so
            // the one allowed difference spreads; the shapes and testdata
            // cover it with the exact fix.
            let exim = String::from_utf8_lossy(&v).to_ascii_lowercase().contains("utf8esmtp");
            if allowed(&v, &a, &b).is_none() && !exim {
                prop_assert_eq!(a, b, "value {:?}", String::from_utf8_lossy(&v));
            }
        }

        /// Random bytes: never a panic.
        #[test]
        fn random_bytes_never_panic(v in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = ours(&v);
        }
    }
}

/// The one allowed difference, end to end: `emlkit json` on Exim's
/// SMTPUTF8 hops reports the registered protocol names (mail-parser's
/// reading gave `with: null`), and `trace --json` agrees.
#[test]
fn json_reports_exim_smtputf8_protocols() {
    let (code, out, err) = run(&["json", "testdata/trace/mta/exim-utf8.eml"]);
    assert_eq!(code, 0, "{err}");
    let rec: serde_json::Value =
        serde_json::from_str(out.lines().next().unwrap_or_default()).expect("one JSON record");
    let with: Vec<&str> = rec["received"]
        .as_array()
        .expect("received array")
        .iter()
        .map(|r| r["parsed"]["with"].as_str().unwrap_or("null"))
        .collect();
    assert_eq!(with, ["UTF8SMTPS", "UTF8SMTPSA", "local"]);
    let (code, out, err) = run(&["trace", "--json", "testdata/trace/mta/exim-utf8.eml"]);
    assert_eq!(code, 0, "{err}");
    for p in ["\"UTF8SMTPS\"", "\"UTF8SMTPSA\""] {
        assert!(out.contains(p), "trace --json lacks {p}: {out}");
    }
}
