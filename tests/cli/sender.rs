//! `emlkit trace` sender section and `--iocs`, `json --iocs` (issue 16):
//! alignment, lookalikes and indicators on crafted and corpus messages.

use assert_cmd::Command;
use emlkit::forensics::iocs::{self, Kind};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// A fixed "now" after the test messages' dates.
const NOW: &str = "1733300000";

fn emlkit() -> Command {
    let mut c = Command::cargo_bin("emlkit").expect("the binary is built by cargo test");
    c.env_remove("NO_COLOR");
    c
}

fn trace_json(args: &[&str], file: &str) -> (Value, i32) {
    let out = emlkit()
        .args(["trace", "--json", "--now", NOW])
        .args(args)
        .arg(file)
        .output()
        .expect("runs");
    let v: Value = serde_json::from_slice(&out.stdout).expect("one JSON record");
    (v, out.status.code().unwrap_or(-1))
}

fn codes(v: &Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["code"].as_str().unwrap_or("").to_string())
        .collect()
}

fn pair<'a>(v: &'a Value, identity: &str) -> &'a Value {
    v["sender"]["pairs"]
        .as_array()
        .expect("pairs")
        .iter()
        .find(|p| p["identity"] == identity)
        .unwrap_or_else(|| panic!("no {identity} pair in {}", v["sender"]))
}

#[test]
fn phish_sender_section_and_findings() {
    let (v, code) = trace_json(&[], "testdata/sender/phish.eml");
    assert_eq!(code, 0);
    let s = &v["sender"];
    assert_eq!(s["from"], "service@xn--pypal-4ve.com");
    assert_eq!(s["display_name"], "service@paypal.com");
    assert_eq!(s["dmarc_aligned"], false);
    let d = &s["domains"][0];
    assert_eq!(d["ascii"], "xn--pypal-4ve.com");
    assert_eq!(d["unicode"], "p\u{430}ypal.com");
    assert_eq!(pair(&v, "dkim")["domain"], "mailer.example.net");
    assert_eq!(pair(&v, "dkim")["relaxed"], false);
    assert_eq!(pair(&v, "reply_to")["domain"], "paypa1.com");
    let c = codes(&v);
    for want in [
        "return_path_mismatch",
        "reply_to_unaligned",
        "dmarc_unaligned",
        "display_name_address",
        "punycode_domain",
        "mixed_script_domain",
        "confusable_domain",
        "lookalike_domain",
    ] {
        assert!(c.iter().any(|x| x == want), "{want} missing from {c:?}");
    }
    // Without --iocs, no iocs section and no body finding.
    assert!(v.get("iocs").is_none());
    assert!(!c.iter().any(|x| x == "link_text_mismatch"));
}

#[test]
fn newsletter_subdomains_align() {
    // Its DKIM-Signature is made up: not verified here (see dkim tests).
    let (v, code) = trace_json(&["--iocs", "--no-verify"], "testdata/sender/newsletter.eml");
    assert_eq!(code, 0);
    for id in ["return_path", "dkim", "spf_mailfrom", "reply_to"] {
        assert_eq!(pair(&v, id)["relaxed"], true, "{id}");
        assert_eq!(pair(&v, id)["strict"], false, "{id}");
    }
    assert_eq!(v["sender"]["dmarc_aligned"], true);
    assert_eq!(codes(&v), Vec::<String>::new());
}

/// The `helo` identity: the HELO name the entry hop recorded (the newest
/// hop from a public client; with --trust, the first hop received by a
/// trusted host), beside the other identities. Each message has a sender
/// side hop below the entry (the origin IP), so the entry is not the origin.
#[test]
fn helo_of_the_entry_hop() {
    // (file, HELO as the hop has it, domain, relaxed, table text)
    for (file, value, domain, relaxed, shown) in [
        (
            "helo-unaligned",
            "vps-2231.cheap-hosting.example",
            Value::from("vps-2231.cheap-hosting.example"),
            Value::from(false),
            "helo (hop 2) vps-2231.cheap-hosting.example no",
        ),
        (
            "helo-aligned",
            "mta7.invoices.example.com",
            Value::from("mta7.invoices.example.com"),
            Value::from(true),
            "helo (hop 2) mta7.invoices.example.com relaxed",
        ),
        (
            "helo-literal",
            "198.51.100.25",
            Value::Null,
            Value::Null,
            "helo (hop 2) 198.51.100.25 not a domain",
        ),
    ] {
        let path = format!("testdata/sender/{file}.eml");
        for trust in [&[][..], &["--trust", "example.net"][..]] {
            let (v, code) = trace_json(trust, &path);
            assert_eq!(code, 0, "{file}");
            let h = pair(&v, "helo");
            assert_eq!(h["value"], value, "{file}");
            assert_eq!(h["domain"], domain, "{file}");
            assert_eq!(h["relaxed"], relaxed, "{file}");
            assert_eq!(
                h["strict"],
                if domain.is_null() {
                    Value::Null
                } else {
                    false.into()
                }
            );
            assert_eq!(h["hop"], 2, "{file} {trust:?}");
            // The field the HELO was read from: the entry hop's Received.
            let raw = std::fs::read(&path).expect("read");
            let at = h["offset"].as_u64().expect("offset") as usize;
            assert!(raw[at..].starts_with(b"Received: from "), "{file}");
            assert_eq!(v["hops"][1]["offset"], h["offset"]);
            // Without --trust, the origin is the older sender-side hop,
            // not the entry; with it, hops below the boundary are claims.
            let origin = if trust.is_empty() { 1 } else { 2 };
            assert_eq!(v["summary"]["origin_hop"], origin);
            // An unaligned or literal HELO is no finding, and DMARC still
            // aligns through the mail-from.
            assert_eq!(v["sender"]["dmarc_aligned"], true);
            assert!(
                !codes(&v).iter().any(|c| c.contains("unaligned")),
                "{:?}",
                codes(&v)
            );
            // An address literal is not a sender domain.
            let domains = v["sender"]["domains"].to_string();
            assert!(!domains.contains("198.51.100"), "{domains}");
        }
        let out = emlkit()
            .args(["trace", "--now", NOW, &path])
            .output()
            .expect("runs");
        let table = String::from_utf8_lossy(&out.stdout);
        assert!(table.contains(shown), "{table}");
    }
    // A trust list that no receiving host matches: no entry, no helo.
    let (v, _) = trace_json(
        &["--trust", "elsewhere.example"],
        "testdata/sender/helo-unaligned.eml",
    );
    let ids: Vec<&str> = v["sender"]["pairs"]
        .as_array()
        .expect("pairs")
        .iter()
        .filter_map(|p| p["identity"].as_str())
        .collect();
    assert!(!ids.contains(&"helo"), "{ids:?}");
}

#[test]
fn trust_domains_are_protected_names() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("m.eml");
    std::fs::write(
        &p,
        "From: Bank <alerts@examp1e-bank.com>\r\nDate: Tue, 3 Dec 2024 09:00:00 +0000\r\nMessage-ID: <a@b.example>\r\n\r\nhi\r\n",
    )
    .expect("write");
    let f = p.to_str().expect("utf-8 path");
    let (v, _) = trace_json(&[], f);
    assert!(!codes(&v).iter().any(|c| c == "lookalike_domain"));
    let (v, _) = trace_json(&["--trust", "example-bank.com"], f);
    assert!(
        codes(&v).iter().any(|c| c == "lookalike_domain"),
        "{:?}",
        codes(&v)
    );
}

#[test]
fn table_shows_sender_and_defanged_iocs() {
    let out = emlkit()
        .args([
            "trace",
            "--now",
            NOW,
            "--iocs",
            "--defang",
            "testdata/sender/phish.eml",
        ])
        .output()
        .expect("runs");
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.contains("sender:  From xn--pypal-4ve.com"), "{s}");
    assert!(s.contains("dkim mailer.example.net no"), "{s}");
    assert!(s.contains("DMARC cannot align"), "{s}");
    assert!(
        s.contains("hxxps://www[.]paypal[.]com[.]account-verify[.]example/login"),
        "{s}"
    );
    assert!(s.contains("198[.]51[.]100[.]99"), "{s}");
    assert!(s.contains("link_text_mismatch"), "{s}");
    // The list starts on a line of its own and the report ends with one
    // line break (reports are separated by the caller).
    assert!(
        s.lines().any(|l| l.starts_with("iocs:")),
        "iocs: not on its own line: {s}"
    );
    assert!(s.ends_with('\n') && !s.ends_with("\n\n"), "{s:?}");
    let list = s.split("iocs:").nth(1).expect("an iocs list");
    assert!(
        !list.contains("https://"),
        "defanged list has a live URL: {list}"
    );
}

#[test]
fn trace_iocs_json_locations_point_at_the_values() {
    let file = "testdata/sender/phish.eml";
    let (v, code) = trace_json(&["--iocs"], file);
    assert_eq!(code, 0);
    let raw = std::fs::read(file).expect("read");
    let parsed = emlkit::model::parse(&raw, 0, emlkit::model::Scope::Full).expect("parses");
    let inds = v["iocs"]["indicators"].as_array().expect("indicators");
    let find = |kind: &str, value: &str| {
        inds.iter()
            .find(|i| i["kind"] == kind && i["value"] == value)
            .unwrap_or_else(|| panic!("{kind} {value} missing"))
    };
    // Header: an input offset.
    let ip = find("ip", "198.51.100.20");
    let o = ip["locations"][0]["offset"].as_u64().expect("offset") as usize;
    assert!(raw[o..].starts_with(b"198.51.100.20"));
    assert_eq!(ip["locations"][0]["field"], "Received");
    // Body: an offset into the decoded text of the part.
    let u = find("url", "https://www.paypal.com.account-verify.example/login");
    assert_eq!(u["count"], 2);
    let l = &u["locations"][0];
    let text = parsed
        .part(l["part"].as_str().expect("part"))
        .and_then(|p| p.text())
        .expect("text part");
    assert!(text[l["offset"].as_u64().expect("offset") as usize..]
        .starts_with("https://www.paypal.com.account-verify.example/login"));
    // Punycode shown decoded next to the raw form.
    assert_eq!(
        find("domain", "xn--pypal-4ve.com")["decoded"],
        "p\u{430}ypal.com"
    );
    assert!(find("domain", "paypa1.com").get("decoded").is_none());
    // Entity-encoded href, the form action, the CSS url().
    assert_eq!(
        find("url", "https://login.example.org/?u=1")["locations"][0]["context"],
        "href"
    );
    assert_eq!(
        find("url", "http://198.51.100.99/collect")["locations"][0]["context"],
        "action"
    );
    assert_eq!(
        find("url", "https://cdn.example.org/bg.png")["locations"][0]["context"],
        "css"
    );
    let c = codes(&v);
    assert!(c.iter().any(|x| x == "link_text_mismatch"), "{c:?}");
    // The mail-from property is an address, not "smtp.mailfrom=…".
    assert!(inds
        .iter()
        .all(|i| !i["value"].as_str().unwrap_or("").contains('=') || i["kind"] == "url"));
}

#[test]
fn json_iocs_section_behind_the_flag() {
    let run = |args: &[&str]| -> Value {
        let out = emlkit()
            .arg("json")
            .args(args)
            .arg("testdata/sender/phish.eml")
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(0));
        serde_json::from_slice(&out.stdout).expect("json")
    };
    let plain = run(&[]);
    assert!(plain.get("iocs").is_none());
    let with = run(&["--iocs", "--defang"]);
    let i = &with["iocs"];
    assert_eq!(i["dropped"], 0);
    let vals: Vec<&str> = i["indicators"]
        .as_array()
        .expect("indicators")
        .iter()
        .filter_map(|x| x["value"].as_str())
        .collect();
    assert!(vals.contains(&"help[@]paypa1[.]com"), "{vals:?}");
    assert!(
        vals.contains(&"hxxp://track[.]example[.]org/p.gif?id=3D9")
            || vals.contains(&"hxxp://track[.]example[.]org/p.gif?id=9"),
        "{vals:?}"
    );
    let f: Vec<&str> = i["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|x| x["code"].as_str())
        .collect();
    assert_eq!(f, ["link_text_mismatch"]);
    // The rest of the record is unchanged.
    assert_eq!(with["subject"], plain["subject"]);
}

fn corpus_files() -> Vec<PathBuf> {
    let root = Path::new("../shared/corpora");
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if matches!(
                p.extension().and_then(|x| x.to_str()),
                Some("eml" | "msg" | "txt")
            ) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// On every corpus message: the extraction finishes, every body URL's
/// offset points at that URL in the part's decoded text (plain text
/// exactly), every header URL's offset at it in the input; and the
/// HTML message of MIME-tools gives its file: link.
#[test]
fn corpus_offsets_hold() {
    let files = corpus_files();
    if files.is_empty() {
        eprintln!("note: ../shared/corpora not found; corpus IOC test skipped");
        return;
    }
    let mut checked = 0;
    for p in &files {
        let raw = std::fs::read(p).expect("read");
        let Ok(m) = emlkit::model::parse(&raw, 0, emlkit::model::Scope::Full) else {
            continue;
        };
        let out = iocs::extract(&m);
        assert!(out.indicators.len() <= iocs::MAX_INDICATORS);
        for ind in out.indicators.iter().filter(|i| i.kind == Kind::Url) {
            if ind.value.ends_with('…') {
                continue;
            }
            for l in &ind.locations {
                let o = l.offset as usize;
                match (&l.part, l.context) {
                    (Some(part), "text") => {
                        let t = m.part(part).and_then(|x| x.text()).expect("text part");
                        assert!(
                            t.get(o..).is_some_and(|s| s.starts_with(&ind.value)),
                            "{}: {} not at {o} of part {part}",
                            p.display(),
                            ind.value
                        );
                        checked += 1;
                    }
                    (None, "header") => {
                        assert!(
                            raw.get(o..)
                                .is_some_and(|s| s.starts_with(ind.value.as_bytes())),
                            "{}: {} not at input offset {o}",
                            p.display(),
                            ind.value
                        );
                        checked += 1;
                    }
                    _ => {}
                }
            }
        }
    }
    assert!(checked > 10, "only {checked} URL locations checked");
    let out = emlkit()
        .args([
            "json",
            "--iocs",
            "--no-body",
            "../shared/corpora/dfskoll-MIME-tools/testin/lennie.msg",
        ])
        .output()
        .expect("runs");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let vals: Vec<&str> = v["iocs"]["indicators"]
        .as_array()
        .expect("indicators")
        .iter()
        .filter_map(|x| x["value"].as_str())
        .collect();
    assert!(
        vals.contains(&"file:///E|/ChckFree/Html/Pull3.html"),
        "{vals:?}"
    );
    assert!(vals.contains(&"168.121.35.26"), "{vals:?}");
}

/// Link hosts in the body are checked as the sender domains are: against
/// `--trust` and the From domain (trace --iocs).
#[test]
fn body_link_hosts_are_checked_for_lookalikes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("m.eml");
    std::fs::write(
        &p,
        concat!(
            "From: Bank <alerts@example-bank.com>\r\nDate: Tue, 3 Dec 2024 09:00:00 +0000\r\n",
            "Message-ID: <a@b.example>\r\nContent-Type: text/html\r\n\r\n",
            "<a href=\"https://secure.examp1e-bank.com/login\">log in</a>\r\n",
            "<a href=\"https://www.xn--exmple-bank-zij.com/\">here</a>\r\n",
            "<a href=\"https://www.example-bank.com/help\">help</a>\r\n",
        ),
    )
    .expect("write");
    let f = p.to_str().expect("utf-8 path");
    let (v, _) = trace_json(&["--iocs"], f);
    let msgs: Vec<(String, String)> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|x| {
            (
                x["code"].as_str().unwrap_or("").to_string(),
                x["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let has = |code: &str, needle: &str| msgs.iter().any(|(c, m)| c == code && m.contains(needle));
    assert!(
        has("lookalike_domain", "secure.examp1e-bank.com"),
        "{msgs:?}"
    );
    assert!(
        has("mixed_script_domain", "xn--exmple-bank-zij.com"),
        "{msgs:?}"
    );
    assert!(
        has("lookalike_domain", "www.xn--exmple-bank-zij.com"),
        "{msgs:?}"
    );
    assert!(
        !msgs.iter().any(|(_, m)| m.contains("www.example-bank.com")),
        "{msgs:?}"
    );
    let lookalike = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|x| x["code"] == "lookalike_domain")
        .expect("a lookalike");
    assert_eq!(lookalike["part"], "1");
}
