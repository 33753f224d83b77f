//! What an outside program does with the library, through the public API
//! only. CI builds it with `default-features = false` (the bare library).

use emlkit::forensics::Options;
use emlkit::model::{Limits, Message, Scope};
use emlkit::source::Mailbox;

/// One line per message: subject, sender, date, attachments with sizes and
/// sha256, and the trace origin.
fn summarize(path: &str) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let mut out = Vec::new();
    for raw in Mailbox::open(path) {
        let raw = raw?;
        let bytes = raw.bytes()?;
        let msg = Message::parse(
            &bytes,
            raw.origin.data_offset,
            Scope::Full,
            &Limits::default(),
        )?;
        let atts: Vec<String> = msg
            .attachment_parts()
            .map(|p| {
                format!(
                    "{:?} {} {:02x?}",
                    p.filename,
                    p.sha256().1,
                    &p.sha256().0[..2]
                )
            })
            .collect();
        let origin = msg
            .trace(&Options::default())
            .summary
            .origin
            .map(|(_, ip)| ip);
        let date = msg.date().map(|d| d.utc_rfc3339());
        out.push(format!(
            "{:?} {:?} {date:?} {atts:?} {origin:?}",
            msg.subject(),
            msg.from_address()
        ));
    }
    Ok(out)
}

fn data(p: &str) -> String {
    format!("{}/testdata/examples/{p}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn an_mbox_through_the_public_api() {
    let lines = summarize(&data("archive.mbox")).expect("reads");
    assert_eq!(lines.len(), 4);
    assert!(
        lines[0].contains("Mixed: text + PDF") && lines[0].contains("report.pdf"),
        "{}",
        lines[0]
    );
    assert!(
        lines[0].contains("54 [a8, e9]") && lines[0].contains("198.51.100.7"),
        "{}",
        lines[0]
    );
    assert!(
        lines[2].contains("alice@example.org") && lines[2].contains("198.51.100.77"),
        "{}",
        lines[2]
    );
}

#[test]
fn a_maildir_through_the_public_api() {
    let lines = summarize(&data("maildir")).expect("reads");
    assert_eq!(lines.len(), 2);
    assert!(lines[0].contains("report.pdf"), "{}", lines[0]);
    assert!(lines[1].contains("Fwd"), "{}", lines[1]);
}

#[test]
fn a_missing_input_is_a_typed_error() {
    let r: Vec<_> = Mailbox::open(data("no-such-mailbox")).collect();
    assert!(matches!(
        r.as_slice(),
        [Err(emlkit::source::ReadError::Io { .. })]
    ));
}

#[test]
fn a_mailbox_report_through_the_public_api() {
    // Fold every message into the overview, show the first in detail.
    let mut overview = emlkit::report::Overview::new(1);
    for raw in Mailbox::open(data("archive.mbox")) {
        let raw = raw.expect("reads");
        let bytes = raw.bytes().expect("reads");
        let msg = Message::parse(
            &bytes,
            raw.origin.data_offset,
            Scope::Full,
            &Limits::default(),
        )
        .expect("parses");
        let t = msg.trace(&Options::at(1_709_290_000));
        let label = raw.origin.label();
        let mut facts = emlkit::report::Facts::new(&label, &msg, &t);
        let mut section = String::new();
        emlkit::report::MessageReport::build(&label, &msg, t).render_section(
            &mut section,
            "msg0",
            3,
        );
        facts.detail = Some(section);
        overview.add(facts);
    }
    let page = overview.render();
    assert!(overview.messages >= 2);
    assert!(page.contains(&format!("<dd id=\"n-messages\">{}</dd>", overview.messages)));
    assert_eq!(page.matches("<section class=\"message\"").count(), 1);
    assert!(page.contains("default-src 'none'"));
}

/// DKIM through the public API: a key file read into a KeyStore, the RFC
/// 8463 example verified by `Message::trace`, a changed body caught.
#[test]
fn dkim_through_the_public_api() {
    use emlkit::forensics::dkim::{BodyResult, KeyStore, SigResult};
    let dir = format!("{}/testdata/dkim", env!("CARGO_MANIFEST_DIR"));
    let zone = std::fs::read_to_string(format!("{dir}/rfc8463.zone")).expect("zone file");
    let (keys, warnings) = KeyStore::parse_zone(&zone);
    assert!(warnings.is_empty(), "{warnings:?}");
    let mut opts = Options::default();
    opts.dkim_keys = Some(std::sync::Arc::new(keys));
    let raw = std::fs::read(format!("{dir}/rfc8463.eml")).expect("message");
    let msg = Message::parse(&raw, 0, Scope::HeadersOnly, &Limits::default()).expect("parses");
    let t = msg.trace(&opts);
    let got: Vec<(SigResult, BodyResult)> = t
        .auth
        .dkim
        .iter()
        .map(|v| (v.result, v.body_hash))
        .collect();
    assert_eq!(got, [(SigResult::Pass, BodyResult::Match); 2]);
    let changed = String::from_utf8_lossy(&raw).replace("Joe.", "Jim.");
    let msg =
        Message::parse(changed.as_bytes(), 0, Scope::Full, &Limits::default()).expect("parses");
    let t = msg.trace(&opts);
    assert!(t
        .auth
        .dkim
        .iter()
        .all(|v| v.body_hash == BodyResult::Mismatch));
    assert!(t
        .findings
        .iter()
        .any(|f| f.code == "dkim_body_hash_mismatch"));
}

/// Issue 16: what a report (HTML, ticket) builds on: the sender facts of a
/// trace and the indicators of a fully parsed message, through the library.
#[test]
fn sender_and_indicators_through_the_public_api() -> Result<(), Box<dyn std::error::Error>> {
    use emlkit::forensics::{iocs, sender};
    assert_eq!(sender::org_domain("bounce.example.co.uk"), "example.co.uk");
    assert_eq!(
        sender::aligned("news.example.com", "bounce.example.com"),
        (false, true)
    );
    let raw = std::fs::read(format!(
        "{}/testdata/sender/phish.eml",
        env!("CARGO_MANIFEST_DIR")
    ))?;
    let msg = Message::parse(&raw, 0, Scope::Full, &Limits::default())?;
    let t = msg.trace(&Options::at(1_733_300_000));
    assert_eq!(t.sender.from_domain.as_deref(), Some("xn--pypal-4ve.com"));
    assert_eq!(t.sender.dmarc_aligned, Some(false));
    assert!(t.findings.iter().any(|f| f.code == "mixed_script_domain"));
    let found = iocs::extract(&msg);
    let url = found
        .indicators
        .iter()
        .find(|i| i.kind == iocs::Kind::Url && i.value.contains("account-verify"))
        .ok_or("no phishing URL")?;
    assert_eq!(
        iocs::defang(url.kind, &url.value),
        "hxxps://www[.]paypal[.]com[.]account-verify[.]example/login"
    );
    assert!(found
        .findings
        .iter()
        .any(|f| f.code == "link_text_mismatch"));
    Ok(())
}

/// `Mailbox::from_bytes_with`: an mbox in memory cut by `Shard` exactly as
/// the same file is cut on disk (the Python package's file objects use it).
#[test]
fn shards_of_bytes_in_memory_are_the_shards_of_the_file() {
    use emlkit::source::{ReadOptions, Shard};
    let path = data("archive.mbox");
    let bytes = std::fs::read(&path).expect("reads");
    let offsets =
        |mb: Mailbox| -> Vec<u64> { mb.map(|r| r.expect("message").origin.offset).collect() };
    let mut all = Vec::new();
    for k in 1..=2 {
        let shard: Shard = format!("{k}/2").parse().expect("shard");
        let opts = ReadOptions::default().shard(Some(shard));
        let mem = offsets(Mailbox::from_bytes_with(
            bytes.clone(),
            "mem.mbox",
            opts.clone(),
        ));
        assert_eq!(mem, offsets(Mailbox::open_with(&path, opts)));
        all.extend(mem);
    }
    assert_eq!(all, offsets(Mailbox::from_bytes(bytes, "mem.mbox")));
    assert_eq!(all.len(), 4);
}
