//! `emlkit trace`: hops, classification, findings, authentication, output.

use assert_cmd::Command;
use emlkit::forensics::{self, Hop, Options};
use serde_json::Value;
use std::path::Path;

/// A fixed "now" (2024-06-01T00:00:00Z) so future_date checks are reproducible.
const NOW: i64 = 1_717_200_000;

fn emlkit() -> Command {
    let mut c = Command::cargo_bin("emlkit").expect("the binary is built by cargo test");
    c.env_remove("NO_COLOR");
    c
}

fn trace_bytes(raw: &[u8]) -> forensics::Trace {
    let parsed = emlkit::model::parse(raw, 0, true).expect("test message parses");
    forensics::trace(&parsed, &Options::at(NOW))
}

fn trace_file(name: &str) -> forensics::Trace {
    let p = Path::new("testdata/trace").join(name);
    let raw = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    trace_bytes(&raw)
}

fn codes(t: &forensics::Trace) -> Vec<&'static str> {
    let mut c: Vec<&str> = t.findings.iter().map(|f| f.code).collect();
    c.sort_unstable();
    c.dedup();
    c
}

fn host(v: &Value) -> (String, bool) {
    if let Some(n) = v.get("Name").and_then(Value::as_str) {
        (n.to_string(), false)
    } else {
        (
            v.get("IpAddr").and_then(Value::as_str).unwrap_or("").to_string(),
            true,
        )
    }
}

/// Compares one hop against mail-parser's expected reading. Fields we add
/// on top (the HELO name implied by the layout, TLS read from MTA notes,
/// the client address when it is the `from` literal) are allowed where the
/// expectation has none; everything the expectation states must match.
fn check_hop(h: &Hop, e: &Value) -> Result<(), String> {
    let s = |k: &str| e.get(k).and_then(Value::as_str).map(str::to_string);
    let mut errs = Vec::new();
    let mut eq = |what: &str, got: Option<String>, want: Option<String>, extra_ok: bool| {
        if got != want && !(want.is_none() && extra_ok) {
            errs.push(format!("{what}: got {got:?}, want {want:?}"));
        }
    };
    let from = e.get("from").map(host);
    eq("from", h.from.clone(), from.as_ref().map(|f| f.0.clone()), false);
    if let Some((_, is_ip)) = &from {
        eq(
            "from_is_ip",
            Some(h.from_is_ip.to_string()),
            Some(is_ip.to_string()),
            false,
        );
    }
    eq(
        "from_ip",
        h.ip.map(|i| i.to_string()),
        s("from_ip"),
        from.as_ref().is_some_and(|f| f.1) || h.ip.is_none(),
    );
    eq("rdns", h.rdns.clone(), s("from_iprev"), h.rdns == h.from);
    eq(
        "helo",
        h.helo.clone(),
        e.get("helo").map(|v| host(v).0),
        h.helo == h.from,
    );
    eq(
        "helo_cmd",
        h.helo_cmd.map(|c| c.to_ascii_lowercase()),
        s("helo_cmd").map(|c| c.to_ascii_lowercase()),
        false,
    );
    eq("by", h.by.clone(), e.get("by").map(|v| host(v).0), false);
    eq("for", h.for_.clone(), s("for_"), false);
    eq(
        "with",
        h.with.clone(),
        s("with").map(|w| if w == "Local" { "local".into() } else { w }),
        false,
    );
    eq(
        "tls_version",
        h.tls_version.clone(),
        s("tls_version").map(|v| v.replace('_', ".")),
        true,
    );
    eq("tls_cipher", h.tls_cipher.clone(), s("tls_cipher"), true);
    eq("id", h.id.clone(), s("id"), false);
    eq("ident", h.ident.clone(), s("ident"), false);
    eq("via", h.via.clone(), s("via"), false);
    let want_date = e.get("date").map(|d| {
        let n = |k: &str| d.get(k).and_then(Value::as_i64).unwrap_or(-1);
        let sign = if d.get("tz_before_gmt").and_then(Value::as_bool) == Some(true) {
            -1
        } else {
            1
        };
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02} {}",
            n("year"),
            n("month"),
            n("day"),
            n("hour"),
            n("minute"),
            n("second"),
            sign * (n("tz_hour") * 60 + n("tz_minute"))
        )
    });
    let got_date = h.date.as_ref().map(|d| {
        let sign = if d.tz_before_gmt { -1 } else { 1 };
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02} {}",
            d.year,
            d.month,
            d.day,
            d.hour,
            d.minute,
            d.second,
            sign * (d.tz_hour as i64 * 60 + d.tz_minute as i64)
        )
    });
    // mail-parser returns whatever numbers it found, even an impossible
    // date; we keep only valid dates and otherwise read the date ourselves
    // (asctime and other layouts), so an invalid expectation accepts None
    // or a valid date of ours.
    let want_valid = e.get("date").is_some_and(|d| {
        let n = |k: &str| d.get(k).and_then(Value::as_i64).unwrap_or(-1);
        (1900..=3000).contains(&n("year"))
            && (1..=12).contains(&n("month"))
            && (1..=31).contains(&n("day"))
            && (0..=23).contains(&n("hour"))
            && (0..=59).contains(&n("minute"))
            && (0..=59).contains(&n("second"))
            && (0..=23).contains(&n("tz_hour"))
            && (0..=59).contains(&n("tz_minute"))
    });
    if want_valid {
        eq("date", got_date, want_date, false);
    } else if let Some(d) = &h.date {
        assert!(d.is_valid(), "we never keep an invalid date");
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(errs.join("; "))
    }
}

#[test]
fn mail_parser_received_corpus() {
    let p = Path::new("../shared/corpora/stalwartlabs-mail-parser/resources/received.json");
    let Ok(text) = std::fs::read_to_string(p) else {
        println!("skipped: {} is absent", p.display());
        return;
    };
    let cases: Vec<Value> = serde_json::from_str(&text).expect("received.json is JSON");
    assert_eq!(cases.len(), 181);
    let mut failures = Vec::new();
    for c in &cases {
        let header = c["header"].as_str().unwrap_or("");
        let msg = format!("Received: {header}\n");
        let t = trace_bytes(msg.as_bytes());
        assert_eq!(t.hops.len(), 1, "{header:?}");
        let h = &t.hops[0];
        assert!(h.parsed, "{header:?}");
        if let Err(e) = check_hop(h, &c["expected"]) {
            failures.push(format!("{header:?}\n    {e}"));
        }
    }
    assert!(failures.is_empty(), "{} of 181 differ:\n{}", failures.len(), failures.join("\n"));
}
