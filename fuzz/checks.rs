//! The properties every fuzz target checks, one function per target, shared
//! by the libFuzzer targets (`fuzz/fuzz_targets/*.rs`, `scripts/fuzz.sh`) and
//! by the stable-toolchain loop in `tests/cli/fuzz_loop.rs`, which runs the
//! same functions over seeded random and mutated inputs with a time budget
//! and a per-input time limit. Each function runs its entry point on the raw
//! bytes and on their mail-alphabet mapping ([`mail_alphabet`]).
//!
//! See: issue 14 (fuzzing with time limits; the `filename` target's
//! `CONOUT$` finding).
#![allow(dead_code)]

/// Maps arbitrary bytes into a mail-like alphabet so that the fuzzer reaches
/// deep header and MIME states, not just the first "not a header" exit.
pub fn mail_alphabet(data: &[u8]) -> Vec<u8> {
    const TOKENS: &[&[u8]] = &[
        b"\n",
        b"\r\n",
        b": ",
        b"; ",
        b"=",
        b"\"",
        b"--",
        b"boundary=",
        b"Content-Type: ",
        b"multipart/mixed",
        b"message/rfc822",
        b"text/plain",
        b"charset=",
        b"name*0*=",
        b"filename*=",
        b"utf-8''",
        b"%C3%A9",
        b"=?utf-8?B?",
        b"=?iso-8859-1?Q?",
        b"?=",
        b"Content-Transfer-Encoding: ",
        b"base64",
        b"quoted-printable",
        b"x-uuencode",
        b"begin 644 ",
        b"From ",
        b"Received: from ",
        b" by ",
        b" with ESMTPS ",
        b" id ",
        b"; Mon, 1 Jan 2024 00:00:00 +0000",
        b"Content-Disposition: attachment; ",
        b"Subject: ",
        b"From: ",
        b"To: ",
        b"<a@b>",
        b" ",
        b"\t",
        b"(",
        b")",
        b"\\",
        b"\0",
        b"\xc3\xa9",
        b"\xff",
        b"Authentication-Results: ",
        b"dkim=pass",
        b"CONOUT$",
        b"\xc2\xa0",
        b"CON",
        b".",
        b"Received-SPF: ",
        b"ARC-Seal: i=",
        b"DKIM-Signature: v=1; a=rsa-sha256; d=football.example.com; s=test; ",
        b"c=relaxed/relaxed; ",
        b"c=simple/simple; ",
        b"h=from:to:subject:from; ",
        b"bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=; ",
        b"b=AAAA; ",
        b"l=",
        b"ARC-Message-Signature: i=",
        b"ARC-Authentication-Results: i=",
        b"; cv=none; ",
        // Vendor anti-spam fields (issue 16): the shapes their splitters see.
        b"X-Forefront-Antispam-Report: ",
        b"X-Spam-Status: ",
        b"X-Spamd-Result: default: ",
        b"SCL:",
        b" tests=",
        b"X-IronPort-AV: ",
        b"[",
        b"]",
        b"X-Proofpoint-Spam-Details: ",
        b"X-Mimecast-Impersonation-Protect: ",
        b"X-Barracuda-Spam-Status: ",
    ];
    let mut out = Vec::with_capacity(data.len() * 4);
    for &b in data {
        if (b as usize) < TOKENS.len() {
            out.extend_from_slice(TOKENS[b as usize]);
        } else {
            out.push(b);
        }
    }
    out
}

fn message_once(data: &[u8]) {
    let opts = emlkit::export::json::JsonOptions::default();
    if let Ok(parsed) = emlkit::model::parse(data, 0, emlkit::model::Scope::Full) {
        for p in &parsed.parts {
            let _ = p.decoded();
            let _ = serde_json::to_vec(&emlkit::export::json::part_record(p, true));
        }
        let origin = emlkit::source::Origin::default();
        let rec = emlkit::export::json::message_record(&origin, &parsed, &opts);
        let _ = serde_json::to_vec(&rec);
    }
    let _ = emlkit::model::parse(data, 0, emlkit::model::Scope::HeadersOnly)
        .map(|m| m.findings().len());
}

/// Message bytes → model → part records and the JSON export (the `tree`
/// and `json` paths).
pub fn message(data: &[u8]) {
    message_once(data);
    message_once(&mail_alphabet(data));
}

fn mbox_once(data: &[u8]) {
    let mut last_end = 0;
    for e in emlkit::source::mbox::MboxSplitter::new(data) {
        assert!(e.message.start <= e.message.end && e.message.end <= data.len());
        assert!(e.offset >= last_end || last_end == 0);
        last_end = e.message.end;
        // The split's own notice of quoted lines is what unquoting finds
        // (the reader skips unquoting when the split saw none).
        let u = emlkit::source::mbox::unquote(&data[e.message.clone()]);
        if !e.content_length {
            assert_eq!(e.quoted_lines, matches!(u, std::borrow::Cow::Owned(_)));
        }
    }
}

/// The stream splitter (a buffer refilled a few bytes at a time) finds
/// the messages the slice splitter finds, and every From_ line parses.
fn streamed(data: &[u8]) {
    use emlkit::source::mbox::{MboxSplitter, SplitState, Step};
    let whole: Vec<(u64, &[u8])> = MboxSplitter::new(data)
        .map(|e| (e.offset as u64, &data[e.message]))
        .collect();
    let chunk = 1 + data.first().map_or(0, |&b| b as usize % 64);
    let (mut st, mut buf, mut fed, mut got) = (SplitState::new(), Vec::new(), 0, 0);
    loop {
        match st.step(&buf, fed == data.len()) {
            Step::Entry(e) => {
                assert_eq!(whole[got].0, st.base + e.offset as u64);
                assert_eq!(whole[got].1, &buf[e.message]);
                let _ = emlkit::source::envelope::parse(&buf[e.from_line]);
                got += 1;
                let done = st.pos;
                buf.drain(..done);
                st.consume(done);
            }
            Step::NeedMore => {
                // Grow as the real reader does (it at least doubles the
                // buffer): a fixed tiny chunk would make the rescans of a
                // long pending message quadratic in the check itself.
                let n = chunk.max(buf.len()).min(data.len() - fed);
                buf.extend_from_slice(&data[fed..fed + n]);
                fed += n;
            }
            // `Step` is non_exhaustive: anything new ends the walk too.
            _ => break,
        }
    }
    assert_eq!(got, whole.len());
}

/// The mbox splitter (over a slice and over a stream buffer), the From_
/// line grammar and mboxrd unquoting.
pub fn mbox(data: &[u8]) {
    mbox_once(data);
    mbox_once(&mail_alphabet(data));
    streamed(data);
    streamed(&mail_alphabet(data));
}

/// Maildir file-name flag and keyword-letter parsing.
pub fn maildir_flags(data: &[u8]) {
    let name = String::from_utf8_lossy(data);
    if let Some(f) = emlkit::source::maildir::parse_flags(&name) {
        assert!(f.chars().all(|c| c.is_ascii_uppercase()));
    }
    let k = emlkit::source::maildir::parse_keyword_letters(&name);
    assert!(k.iter().all(u8::is_ascii_lowercase));
}

fn params_once(data: &[u8]) {
    let _ = emlkit::model::params::parse(data);
    let _ = emlkit::model::header::decode_text(data);
    let _ = emlkit::model::transfer::qp_lenient(data);
    let _ = emlkit::model::transfer::base64_lenient(data);
    let _ = emlkit::model::transfer::uudecode(data);
}

/// MIME parameters (RFC 2231, RFC 2047) and header text decoding.
pub fn params(data: &[u8]) {
    params_once(data);
    params_once(&mail_alphabet(data));
}

fn filename_once(data: &[u8]) {
    use emlkit::extract::name::{is_removed_char, is_reserved, safe_name, MAX_NAME_BYTES};
    let raw = String::from_utf8_lossy(data);
    if let Some(n) = safe_name(&raw) {
        assert!(!n.is_empty() && n.len() <= MAX_NAME_BYTES, "{raw:?}");
        assert!(!n.contains(['/', '\\', '\0']), "{raw:?} -> {n:?}");
        assert!(n != "." && n != "..");
        assert!(!n.starts_with(['-', '.']), "{raw:?} -> {n:?}");
        assert!(!n.ends_with(['.', ' ']), "{raw:?} -> {n:?}");
        assert!(!n.chars().any(is_removed_char), "{raw:?} -> {n:?}");
        assert!(!is_reserved(&n), "{raw:?} -> {n:?}");
        assert_eq!(safe_name(&n).as_deref(), Some(n.as_str()), "not idempotent");
    }
}

/// The attachment file-name policy: whatever the name, the result is one
/// safe path component, and safe names stay as they are.
pub fn filename(data: &[u8]) {
    filename_once(data);
    filename_once(&mail_alphabet(data));
}

fn trace_once(data: &[u8]) {
    let opts = emlkit::forensics::Options::at(1_800_000_000);
    if let Ok(parsed) = emlkit::model::parse(data, 0, emlkit::model::Scope::HeadersOnly) {
        let t = emlkit::forensics::trace(&parsed, &opts);
        let origin = emlkit::source::Origin::default();
        let _ = serde_json::to_vec(&emlkit::export::trace::record(&origin, &t));
    }
}

/// Received/trace analysis over arbitrary header sections.
pub fn trace(data: &[u8]) {
    trace_once(data);
    trace_once(&mail_alphabet(data));
}

/// `build --spec`: arbitrary JSON specs either fail cleanly or give a
/// message that parses.
pub fn build_spec(data: &[u8]) {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let ctx = emlkit::build::spec::SpecContext {
        base_dir: std::path::PathBuf::from("/nonexistent"),
        allow_files: false,
        now: 1_800_000_000,
        lf: false,
    };
    if let Ok(draft) = emlkit::build::spec::from_json(&v, &ctx) {
        if let Ok(bytes) =
            emlkit::build::compose::write(&draft, emlkit::build::WriteOptions { lf: false })
        {
            assert!(emlkit::model::parse(&bytes, 0, emlkit::model::Scope::Full).is_ok());
        }
    }
}

/// A target's property.
pub type Check = fn(&[u8]);

/// Every target by name, in `cargo fuzz list` order.
/// Encoded words, dates and Received values from raw header bytes: linear,
/// never a panic, a valid date always gives a timestamp and RFC 3339 text,
/// and every string our Received reader returns is a slice of its input.
pub fn header_values(data: &[u8]) {
    for d in [data.to_vec(), mail_alphabet(data)] {
        if let emlkit::model::HeaderValue::Received(r) = emlkit::model::received::parse(&d) {
            let within = |s: &str| {
                let (p, r) = (s.as_ptr() as usize, d.as_ptr() as usize);
                s.is_empty() || (p >= r && p + s.len() <= r + d.len())
            };
            for s in [
                &r.from_iprev,
                &r.for_,
                &r.tls_cipher,
                &r.id,
                &r.ident,
                &r.via,
            ]
            .into_iter()
            .flatten()
            {
                assert!(within(s), "not borrowed from the value: {s:?}");
            }
        }
        let _ = emlkit::model::encoded_word::decode_header(&d);
        let _ = emlkit::model::encoded_word::decode_phrase(&d);
        if let emlkit::model::date::DateResult::Valid(x) = emlkit::model::date::parse(&d) {
            let _ = (x.timestamp(), x.rfc3339(), x.utc_rfc3339());
        }
    }
}

/// TNEF, uuencode and the extraction plan of a message.
pub fn extraction(data: &[u8]) {
    let (files, _) = emlkit::extract::tnef::read(data);
    for f in &files {
        let _ = f.name();
    }
    let _ = emlkit::extract::uu::find_blocks(data).len();
    for d in [data.to_vec(), mail_alphabet(data)] {
        if let Ok(m) = emlkit::model::parse(&d, 0, emlkit::model::Scope::Full) {
            let plan = emlkit::extract::plan(&m, &emlkit::extract::Options::default());
            for item in &plan.items {
                assert!(!item.name.is_empty() && !item.name.contains('/'));
            }
        }
    }
}

/// Queries (`pick`): any text parses or names a column inside it, and a
/// parsed query evaluates on any message without a panic.
pub fn query(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (q, msg) = match text.split_once('\n') {
        Some((q, m)) => (q.to_string(), m.as_bytes().to_vec()),
        None => (text.to_string(), b"From: a@b\nSubject: s\n\nx\n".to_vec()),
    };
    match emlkit::query::Query::parse(&q, 0) {
        Ok(query) => {
            for d in [msg.clone(), mail_alphabet(&msg)] {
                if let Ok(m) = emlkit::model::parse(&d, 0, emlkit::model::Scope::Full) {
                    let _ = query.matches(&m, &emlkit::query::Facts::default());
                }
            }
        }
        Err(e) => assert!(e.column >= 1 && e.column <= q.chars().count() + 1),
    }
}

/// Message references and list lines: every line parses or says why, and
/// a parsed reference written back reads the same.
pub fn reference(data: &[u8]) {
    for line in data.split(|&b| b == b'\n') {
        if let Ok(r) = emlkit::source::reference::parse_line(line) {
            let again = emlkit::source::reference::format(&r);
            assert_eq!(emlkit::source::reference::parse_line(&again).ok(), Some(r));
        }
    }
}

/// The RFC 8463 example keys, so that seeds signed with them
/// (testdata/dkim/rfc8463.eml) reach the signature check.
const DKIM_ZONE: &str = "brisbane._domainkey.football.example.com. IN TXT \"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\"\n\
test._domainkey.football.example.com. IN TXT \"v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB\"\n";

fn dkim_once(data: &[u8]) {
    use emlkit::forensics::dkim::{canon, keys, tags};
    // Canonicalization: relaxed is never longer than simple (both end lines
    // the same way; relaxed only removes white space and more trailing
    // lines); hashing exactly the whole canonical body equals no l=.
    for a in [canon::HashAlg::Sha1, canon::HashAlg::Sha256] {
        let s = canon::body_hash(canon::Canon::Simple, a, data, None);
        let r = canon::body_hash(canon::Canon::Relaxed, a, data, None);
        assert!(
            r.canonical_len <= s.canonical_len,
            "relaxed longer than simple"
        );
        let l = canon::body_hash(canon::Canon::Simple, a, data, Some(s.canonical_len));
        assert_eq!(l.digest, s.digest, "l= of the whole body changes the hash");
    }
    let mut h = Vec::new();
    canon::header(canon::Canon::Relaxed, data, &mut h);
    canon::header(canon::Canon::Simple, data, &mut h);
    // Tag lists, b= removal (idempotent), key records, zone files.
    let text = String::from_utf8_lossy(data);
    let _ = tags::parse(&text);
    let once = tags::strip_b(data);
    assert_eq!(tags::strip_b(&once), once, "strip_b is not idempotent");
    let _ = keys::parse_record(&text);
    let _ = keys::KeyStore::parse_zone(&text);
    // Whole messages, with the example keys: every verdict is data.
    let (store, _) = keys::KeyStore::parse_zone(DKIM_ZONE);
    let mut opts = emlkit::forensics::Options::at(1_800_000_000);
    opts.dkim_keys = Some(std::sync::Arc::new(store));
    if let Ok(parsed) = emlkit::model::parse(data, 0, emlkit::model::Scope::HeadersOnly) {
        let t = emlkit::forensics::trace(&parsed, &opts);
        assert!(t.auth.dkim.len() <= emlkit::forensics::dkim::MAX_SIGNATURES);
        let origin = emlkit::source::Origin::default();
        let _ = serde_json::to_vec(&emlkit::export::trace::record(&origin, &t));
    }
}

/// DKIM and ARC: canonicalization, tag lists, key records and zone files,
/// and whole-message verification over arbitrary bytes (issue 14, issue 16).
pub fn dkim(data: &[u8]) {
    dkim_once(data);
    dkim_once(&mail_alphabet(data));
}

pub const TARGETS: &[(&str, Check)] = &[
    ("dkim", dkim),
    ("build_spec", build_spec),
    ("extraction", extraction),
    ("header_values", header_values),
    ("filename", filename),
    ("maildir_flags", maildir_flags),
    ("mbox", mbox),
    ("message", message),
    ("params", params),
    ("query", query),
    ("reference", reference),
    ("trace", trace),
];
