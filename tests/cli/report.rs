//! Tests of `emlkit report` (issue 17): the page holds what `trace --json`,
//! `tree --json`, `trace --stats` and `info` say; hostile messages produce
//! inert markup; and, in headless Chromium (skipped with a note when it or
//! Node.js is missing), nothing runs, nothing loads, the layout holds, and
//! the benchmark mailbox renders in seconds. PNGs land in
//! target/report-browser/.

use crate::common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const NOW: &str = "1709290000";

/// Where the browser tests leave their pictures and pages.
fn artifacts() -> PathBuf {
    let d = root().join("target/report-browser");
    std::fs::create_dir_all(&d).expect("target/ is writable");
    d
}

fn report(args: &[&str]) -> String {
    let mut a = vec!["report", "--now", NOW];
    a.extend_from_slice(args);
    let (code, out, err) = run(&a);
    assert_eq!(code, 0, "report {args:?}: {err}");
    out
}

/// The texts between `start` and the next `end`, for every `start`.
fn all_between<'a>(s: &'a str, start: &str, end: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find(start) {
        let after = &rest[i + start.len()..];
        let j = after.find(end).unwrap_or(after.len());
        out.push(&after[..j]);
        rest = &after[j..];
    }
    out
}

fn between<'a>(s: &'a str, start: &str, end: &str) -> &'a str {
    all_between(s, start, end)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no {start:?} in the page"))
}

/// `(method, result)` of the verdict tags in the summary.
fn summary_verdicts(page: &str) -> Vec<(String, String)> {
    let dd = between(page, "<dd data-k=\"auth\">", "</dd>");
    all_between(dd, "data-method=\"", "\">")
        .into_iter()
        .map(|s| {
            let (m, r) = s.split_once("\" data-result=\"").unwrap_or((s, ""));
            (m.to_string(), r.to_string())
        })
        .collect()
}

/// Checks one message's page against `trace --json` and `tree --json`.
fn check_message_page(page: &str, path: &str) {
    let (_, trace, _) = run(&["trace", "--json", "--now", NOW, path]);
    let t: Value = serde_json::from_str(trace.trim()).expect("trace --json is one record");
    let hops = t["hops"].as_array().map_or(0, |h| h.len());
    assert_eq!(
        page.matches("<tr class=\"hop").count(),
        hops,
        "{path}: hop rows"
    );
    let mut want: Vec<(String, String)> = t["authentication"]["summary"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v["result"].as_str().unwrap_or("").to_string()))
                .collect()
        })
        .unwrap_or_default();
    let mut got = summary_verdicts(page);
    want.sort();
    got.sort();
    assert_eq!(got, want, "{path}: verdicts");
    let (_, tree, _) = run(&["tree", "--json", path]);
    let want: Vec<String> = json_lines(&tree)
        .iter()
        .filter(|r| r["type"] == "part")
        .filter_map(|r| r["id"].as_str().map(String::from))
        .collect();
    let got: Vec<String> = all_between(page, "<tr data-part=\"", "\"")
        .into_iter()
        .filter(|id| !id.contains(':'))
        .map(String::from)
        .collect();
    assert_eq!(got, want, "{path}: part ids");
    if let Some(ip) = t["summary"]["origin_ip"].as_str() {
        let shown = between(page, "<dd data-k=\"origin\">", "</dd>");
        let defanged = match ip.rfind('.') {
            Some(i) if !ip.contains(':') => format!("{}[.]{}", &ip[..i], &ip[i + 1..]),
            _ => ip.replace(':', "[:]"),
        };
        assert!(shown.contains(&defanged), "{path}: origin {shown}");
    }
    let findings = t["findings"].as_array().map_or(0, |f| f.len());
    for f in t["findings"].as_array().into_iter().flatten() {
        let code = f["code"].as_str().unwrap_or("");
        assert!(
            page.contains(&format!("<tr data-code=\"{code}\">")),
            "{path}: finding {code} missing"
        );
    }
    assert!(
        page.matches("<tr data-code=").count() >= findings,
        "{path}: fewer findings than trace"
    );
}

fn message_samples() -> Vec<PathBuf> {
    let mut v = Vec::new();
    for dir in ["trace/mta", "trace/findings", "messages"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(testdata(dir))
            .expect("testdata exists")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        files.sort();
        v.extend(files);
    }
    v
}

#[test]
fn message_page_holds_the_trace_and_the_tree() {
    let samples = message_samples();
    assert!(samples.len() > 20);
    for p in &samples {
        let path = p.to_str().unwrap_or_default();
        let page = report(&[path]);
        assert!(page.starts_with("<!DOCTYPE html>"), "{path}");
        assert!(page.contains("<h1>Message report</h1>"), "{path}");
        check_message_page(&page, path);
    }
    if let Some(c) = corpora() {
        let p = c.join("stalwartlabs-mail-parser/resources/eml/thirdparty/015.eml");
        let path = p.to_str().unwrap_or_default();
        let page = report(&[path]);
        check_message_page(&page, path);
        assert_eq!(summary_verdicts(&page), [("dkim".into(), "pass".into())]);
    }
}

#[test]
fn trust_boundary_is_drawn_and_output_file_written() {
    let p = testdata("trace/mta/gmail.eml");
    let out = std::env::temp_dir().join(format!("emlkit-report-{}.html", std::process::id()));
    let (code, stdout, err) = run(&[
        "report",
        "--now",
        NOW,
        "--trust",
        "google.com",
        p.to_str().unwrap_or_default(),
        "-o",
        out.to_str().unwrap_or_default(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.is_empty());
    let page = std::fs::read_to_string(&out).expect("the report was written");
    let _ = std::fs::remove_file(&out);
    let (_, trace, _) = run(&[
        "trace",
        "--trust",
        "google.com",
        "--now",
        NOW,
        p.to_str().unwrap_or_default(),
    ]);
    if trace.contains("claimed by whoever") {
        assert!(page.contains("<tr class=\"boundary\">"), "boundary row");
        assert!(page.contains("<tr class=\"hop claimed\">"));
    } else {
        assert!(!page.contains("<tr class=\"boundary\">"));
    }
}

/// The numbers of a mailbox page against `trace --stats --json` and
/// `info --json`.
fn check_mailbox_numbers(page: &str, path: &str) {
    let (_, stats, _) = run(&["trace", "--stats", "--json", "--now", NOW, path]);
    let s: Value = serde_json::from_str(stats.trim()).expect("one stats record");
    let num = |id: &str| -> u64 {
        between(page, &format!("id=\"{id}\">"), "<")
            .parse()
            .unwrap_or_else(|_| panic!("{id} is a number"))
    };
    assert_eq!(
        num("n-messages"),
        s["messages"].as_u64().unwrap_or(0),
        "{path}: messages"
    );
    assert_eq!(
        num("n-hops"),
        s["hops"].as_u64().unwrap_or(0),
        "{path}: hops"
    );
    assert_eq!(
        num("n-without-received"),
        s["without_received"].as_u64().unwrap_or(0),
        "{path}"
    );
    let rows = all_between(page, "<tr class=\"relay\">", "</tr>");
    let relays = s["relays"].as_array().cloned().unwrap_or_default();
    assert_eq!(rows.len(), relays.len().min(200), "{path}: relay rows");
    for (row, r) in rows.iter().zip(&relays) {
        let cell = |k: &str| between(row, &format!("data-k=\"{k}\">"), "<").to_string();
        let name = between(row, "<td class=\"mono\">", "</td>");
        if !name.contains('&') {
            assert_eq!(name, r["by"].as_str().unwrap_or(""), "{path}: relay order");
        }
        assert_eq!(
            cell("messages"),
            r["messages"].to_string(),
            "{path}: {name}"
        );
        assert_eq!(cell("hops"), r["hops"].to_string(), "{path}: {name}");
        let q = |k: &str| between(row, &format!("data-k=\"{k}\" data-s=\""), "\"").to_string();
        let as_text = |v: &Value| v.as_i64().map(|x| x.to_string()).unwrap_or_default();
        assert_eq!(
            q("median"),
            as_text(&r["median_delay"]),
            "{path}: {name} median"
        );
        assert_eq!(q("p95"), as_text(&r["p95_delay"]), "{path}: {name} p95");
        let tls: f64 = cell("tls").trim_end_matches('%').parse().unwrap_or(-1.0);
        let want = r["tls_share"].as_f64().unwrap_or(0.0) * 100.0;
        assert!(
            (tls - want).abs() < 0.11,
            "{path}: {name} tls {tls} vs {want}"
        );
    }
    let table = all_between(page, "<table class=\"trace-findings\">", "</table>")
        .into_iter()
        .next()
        .unwrap_or("");
    let got: Vec<(String, u64)> = all_between(table, "<tr data-code=\"", "</tr>")
        .into_iter()
        .map(|r| {
            let code = r.split('"').next().unwrap_or("").to_string();
            let n = between(r, "<td class=\"n\">", "<").parse().unwrap_or(0);
            (code, n)
        })
        .collect();
    let want: Vec<(String, u64)> = s["findings"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_u64().unwrap_or(0)))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(got, want, "{path}: findings by code");
    // The inputs, as `info` describes them.
    let (_, info, _) = run(&["info", "--json", path]);
    let infos = json_lines(&info);
    let rows = all_between(page, "<tr class=\"input\">", "</tr>");
    assert_eq!(rows.len(), infos.len(), "{path}: input rows");
    for (row, i) in rows.iter().zip(&infos) {
        let cell = |k: &str| between(row, &format!("data-k=\"{k}\">"), "<").to_string();
        assert_eq!(
            cell("messages"),
            i["messages"].to_string(),
            "{path}: info messages"
        );
        assert_eq!(cell("bytes"), i["bytes"].to_string(), "{path}: info bytes");
        assert_eq!(
            cell("findings"),
            i["findings_count"].to_string(),
            "{path}: info findings"
        );
    }
}

#[test]
fn mailbox_numbers_equal_trace_stats_and_info() {
    let mut boxes: Vec<PathBuf> = std::fs::read_dir(testdata("mbox"))
        .expect("testdata/mbox")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "mbox"))
        .collect();
    boxes.sort();
    let mut checked = 0;
    for b in &boxes {
        let path = b.to_str().unwrap_or_default();
        let (code, page, _) = run(&["report", "--now", NOW, "--overview", path]);
        if code != 0 {
            continue; // an mbox the engine refuses (empty) is not a report
        }
        assert!(page.contains("<h1>Mailbox report</h1>"), "{path}");
        check_mailbox_numbers(&page, path);
        checked += 1;
    }
    assert!(checked >= 5, "only {checked} mailboxes checked");
    // A directory of messages: the trace samples.
    let dir = testdata("trace/mta");
    let path = dir.to_str().unwrap_or_default();
    let page = report(&[path]);
    check_mailbox_numbers(&page, path);
    // Details are bounded and linked.
    let page = report(&["--detail", "2", path]);
    assert_eq!(between(&page, "id=\"n-detail\">", "<"), "2");
    assert_eq!(page.matches("<section class=\"message\"").count(), 2);
    assert!(page.contains("id=\"msg1\"") && !page.contains("id=\"msg2\""));
}

fn hostile() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(testdata("report"))
        .expect("testdata/report")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("hostile-"))
        })
        .collect();
    v.sort();
    assert!(v.len() >= 3);
    v
}

/// An mbox of the hostile messages, under target/.
fn hostile_mbox() -> PathBuf {
    let p = artifacts().join("hostile.mbox");
    let mut data = Vec::new();
    for m in hostile() {
        data.extend_from_slice(b"From MAILER-DAEMON Fri Mar  1 10:00:00 2024\n");
        let bytes = std::fs::read(&m).expect("readable");
        for line in bytes.split_inclusive(|b| *b == b'\n') {
            if line.starts_with(b"From ") {
                data.push(b'>');
            }
            data.extend_from_slice(line);
        }
        data.extend_from_slice(b"\n");
    }
    std::fs::write(&p, data).expect("target/ is writable");
    p
}

/// Every tag name in the page, lower-case.
fn tags(page: &str) -> Vec<String> {
    all_between(page, "<", ">")
        .into_iter()
        .filter_map(|t| {
            let t = t.trim_start_matches('/');
            let name: String = t
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '!')
                .collect();
            (!name.is_empty()).then(|| name.to_ascii_lowercase())
        })
        .collect()
}

/// The static half of "safe by construction": only our own tags, no event
/// attribute, no link out, the CSP, no raw bidi or control character.
fn assert_inert(page: &str, what: &str) {
    const ALLOWED: &[&str] = &[
        "!doctype", "html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "h4", "h5",
        "nav", "a", "p", "section", "dl", "dt", "dd", "table", "colgroup", "col", "tr", "th", "td",
        "span", "code", "pre", "details", "summary", "svg", "rect", "line", "text", "br", "ul",
        "li",
    ];
    for t in tags(page) {
        assert!(
            ALLOWED.contains(&t.as_str()),
            "{what}: tag <{t}> in the page"
        );
    }
    // Inside tags (escaped text holds no `<`): nothing that loads or runs.
    for tag in all_between(page, "<", ">") {
        let l = tag.to_ascii_lowercase();
        for bad in [
            "src=",
            "url(",
            "javascript:",
            "http-equiv=\"refresh",
            "@import",
        ] {
            assert!(!l.contains(bad), "{what}: {bad:?} in <{tag}>");
        }
    }
    for href in all_between(page, "href=\"", "\"") {
        assert!(href.starts_with('#'), "{what}: a link out: {href}");
    }
    // No attribute other than ours: every `on…=` sits in escaped text.
    for tag in all_between(page, "<", ">") {
        let l = tag.to_ascii_lowercase();
        assert!(
            !l.split_whitespace().skip(1).any(|a| a.starts_with("on")),
            "{what}: event attribute in <{tag}>"
        );
    }
    assert!(page.contains(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
    ));
    for c in page.chars() {
        assert!(
            !emlkit::term::is_unsafe_char(c) || c == '\n' || c == '\t',
            "{what}: raw U+{:04X}",
            c as u32
        );
    }
}

#[test]
fn hostile_messages_give_inert_pages() {
    for m in hostile() {
        let path = m.to_str().unwrap_or_default();
        let page = report(&[path]);
        assert_inert(&page, path);
        // The values are there, as text.
        let shown = if path.contains("bidi") {
            "\\u{202E}</span>"
        } else {
            "&lt;script&gt;"
        };
        assert!(page.contains(shown), "{path}: {shown}");
    }
    let mbox = hostile_mbox();
    let page = report(&[mbox.to_str().unwrap_or_default()]);
    assert_inert(&page, "hostile mbox");
    assert_eq!(
        between(&page, "id=\"n-messages\">", "<"),
        hostile().len().to_string()
    );
    // Hostile indicators, vendor values and sender identities are still
    // trace's, defanged and escaped.
    let p = testdata("report/hostile-analyses.eml");
    let path = p.to_str().unwrap_or_default();
    let page = report(&[path]);
    check_analyses(&page, path, None);
    assert!(
        page.contains("<li data-code=\"link_text_mismatch\">"),
        "{path}"
    );
}

/// Chromium, or None with a note.
fn chromium() -> Option<PathBuf> {
    for c in ["/usr/bin/chromium", "/usr/bin/chromium-browser"] {
        if Path::new(c).exists() {
            return Some(PathBuf::from(c));
        }
    }
    eprintln!("skipping: chromium not installed (.ci/run installs Debian's chromium when it can)");
    None
}

/// Runs the DevTools driver on a page; None (with a note) without Node.js
/// or when the driver cannot start the browser twice in a row.
fn drive(chromium: &Path, page: &Path, png: &Path) -> Option<Value> {
    let script = root().join("tests/report/cdp.mjs");
    let mut last = String::new();
    for _ in 0..2 {
        let out = match Command::new("node")
            .arg("--experimental-websocket")
            .arg("--no-warnings")
            .arg(&script)
            .arg(chromium)
            .arg(page)
            .arg(png)
            .output()
        {
            Ok(o) => o,
            Err(e) => {
                eprintln!("skipping: node not runnable ({e})");
                return None;
            }
        };
        if out.status.success() {
            return Some(serde_json::from_slice(&out.stdout).expect("the driver writes JSON"));
        }
        last = format!(
            "{}; stderr: {}; stdout: {} bytes",
            out.status,
            String::from_utf8_lossy(&out.stderr),
            out.stdout.len()
        );
    }
    panic!("the DevTools driver failed twice: {last}");
}

fn assert_quiet(v: &Value, what: &str) {
    for k in [
        "requests",
        "console",
        "exceptions",
        "dialogs",
        "navigations",
        "log",
    ] {
        assert_eq!(
            v[k].as_array().map_or(0, |a| a.len()),
            0,
            "{what}: {k}: {}",
            v[k]
        );
    }
    let f = &v["facts"];
    assert_eq!(f["scripts"], 0, "{what}: scripts");
    assert_eq!(f["handlers"], 0, "{what}: event handlers");
    assert_eq!(f["embedded"], 0, "{what}: embedded elements");
    assert_eq!(
        f["links"].as_array().map_or(1, |a| a.len()),
        0,
        "{what}: links"
    );
    let (sw, cw) = (
        f["scrollWidth"].as_u64().unwrap_or(0),
        f["clientWidth"].as_u64().unwrap_or(0),
    );
    assert!(
        sw <= cw + 1,
        "{what}: the page is {sw} px wide in a {cw} px window"
    );
}

#[test]
fn browser_hostile_reports_run_nothing_and_load_nothing() {
    let Some(chromium) = chromium() else { return };
    let dir = artifacts();
    // The detector works: a page that does run a script and load an image
    // (no CSP) is caught.
    let canary = dir.join("canary.html");
    std::fs::write(
        &canary,
        "<!DOCTYPE html><title>canary</title><script>console.log('ran')</script><img src=\"http://127.0.0.1:9/x.png\">",
    )
    .expect("writable");
    let Some(v) = drive(&chromium, &canary, &dir.join("canary.png")) else {
        return;
    };
    assert!(
        v["console"].as_array().is_some_and(|a| !a.is_empty()),
        "canary: {v}"
    );
    assert!(
        v["requests"].as_array().is_some_and(|a| !a.is_empty()),
        "canary: {v}"
    );
    let mut pages: Vec<(String, PathBuf)> = Vec::new();
    for m in hostile() {
        let name = m
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let html = dir.join(format!("{name}.html"));
        std::fs::write(&html, report(&[m.to_str().unwrap_or_default()])).expect("writable");
        pages.push((name, html));
    }
    let mbox = hostile_mbox();
    let html = dir.join("hostile-mailbox.html");
    std::fs::write(&html, report(&[mbox.to_str().unwrap_or_default()])).expect("writable");
    pages.push(("hostile-mailbox".into(), html));
    for (name, html) in &pages {
        let Some(v) = drive(&chromium, html, &dir.join(format!("{name}.png"))) else {
            return;
        };
        assert_quiet(&v, name);
        let title = v["facts"]["title"].as_str().unwrap_or("");
        assert!(
            !title.contains('\u{202E}') && !title.contains("<span"),
            "{name}: title {title:?}"
        );
    }
}

#[test]
fn browser_dump_dom_holds_the_trace() {
    let Some(chromium) = chromium() else { return };
    let dir = artifacts();
    for name in ["gmail", "exchange", "postfix"] {
        let p = testdata(&format!("trace/mta/{name}.eml"));
        let path = p.to_str().unwrap_or_default();
        let html = dir.join(format!("message-{name}.html"));
        std::fs::write(&html, report(&[path])).expect("writable");
        let profile = tempfile::tempdir().expect("a temporary profile");
        let out = Command::new(&chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("--dump-dom")
            .arg(format!("file://{}", html.display()))
            .output()
            .expect("chromium runs");
        let dom = String::from_utf8_lossy(&out.stdout);
        assert!(
            dom.contains("Message report"),
            "{name}: no DOM: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // The browser's DOM, not just our bytes, holds the trace's values.
        check_message_page(&dom, path);
        let _ = drive(&chromium, &html, &dir.join(format!("message-{name}.png")));
    }
}

/// The benchmark mailbox: target/bench-data/50m.mbox, generated by
/// ../shared/bench/gen_corpus.py when missing (as the benches do).
fn bench_mailbox() -> Option<PathBuf> {
    let p = root().join("target/bench-data/50m.mbox");
    if p.exists() {
        return Some(p);
    }
    let gen = root().join("../shared/bench/gen_corpus.py");
    if !gen.exists() {
        eprintln!("skipping: no target/bench-data/50m.mbox and no ../shared/bench/gen_corpus.py");
        return None;
    }
    let ok = Command::new("python3")
        .arg(&gen)
        .args(["--size", "50M", "--name", "50m", "--no-maildir", "--out"])
        .arg(root().join("target/bench-data"))
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("skipping: gen_corpus.py could not generate the benchmark mailbox");
        return None;
    }
    Some(p)
}

/// Documented in docs/report.md: the report of the 50 MB benchmark mailbox
/// (default --detail 20) stays under 2 MB and renders in seconds.
const BENCH_MAX_BYTES: usize = 2 << 20;

#[test]
fn bench_mailbox_report_is_bounded_and_renders_in_seconds() {
    let Some(mbox) = bench_mailbox() else { return };
    let path = mbox.to_str().unwrap_or_default();
    let page = report(&[path]);
    assert!(page.len() < BENCH_MAX_BYTES, "{} bytes", page.len());
    check_mailbox_numbers(&page, path);
    assert_inert(&page, "bench mailbox");
    let Some(chromium) = chromium() else { return };
    let dir = artifacts();
    let html = dir.join("bench-50m.html");
    std::fs::write(&html, &page).expect("writable");
    let Some(v) = drive(&chromium, &html, &dir.join("bench-50m.png")) else {
        return;
    };
    assert_quiet(&v, "bench mailbox");
    let ms = v["loadMs"].as_u64().unwrap_or(u64::MAX);
    eprintln!(
        "bench mailbox report: {} bytes, loaded in {ms} ms",
        page.len()
    );
    assert!(ms < 10_000, "load took {ms} ms");
}

#[test]
fn help_has_examples_and_exit_codes() {
    let (code, out, _) = run(&["report", "--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("Examples:") && out.contains("Exit codes"));
    assert!(out.contains("emlkit report suspicious.eml -o ticket.html"));
    let (_, man, _) = run(&["man"]);
    assert!(man.contains("report"));
}

#[test]
fn stdin_message_is_a_message_report() {
    let raw = std::fs::read(testdata("trace/mta/exim.eml")).expect("readable");
    let (code, out, err) = run_stdin(&["report", "--now", NOW, "-"], &raw);
    assert_eq!(code, 0, "{err}");
    let page = String::from_utf8_lossy(&out);
    assert!(page.contains("<h1>Message report</h1>"));
    assert_eq!(page.matches("<tr class=\"hop").count(), 3);
}

#[test]
fn thousands_of_fields_stay_fast_and_bounded() {
    // 8,000 Received and 8,000 Authentication-Results fields (issue 14's
    // worst case for trace): the page stays linear to build and capped.
    let mut m = String::new();
    for i in 0..8000 {
        m.push_str(&format!(
            "Received: from h{i}.example.org (h{i}.example.org [192.0.2.{}]) by h{}.example.org with ESMTP; Fri, 1 Mar 2024 10:00:00 +0000\r\n",
            i % 250,
            i + 1
        ));
        m.push_str(&format!(
            "Authentication-Results: h{i}.example.org; spf=pass smtp.mailfrom=a{i}@example.org\r\n"
        ));
    }
    m.push_str("From: a@example.org\r\nSubject: many\r\n\r\nbody\r\n");
    let t = tempfile::tempdir().expect("a temporary directory");
    let p = t.path().join("many.eml");
    std::fs::write(&p, m).expect("writable");
    let start = std::time::Instant::now();
    let page = report(&["--max-headers", "20000", p.to_str().unwrap_or_default()]);
    let took = start.elapsed();
    assert!(took.as_secs() < 30, "took {took:?}");
    assert_eq!(page.matches("<tr class=\"hop").count(), 500);
    assert!(page.contains("7500 more hops not drawn."));
    assert!(page.len() < 4 << 20, "{} bytes", page.len());
}

#[test]
fn a_message_reference_is_a_message_page() {
    let p = testdata("mbox/mboxrd.mbox");
    let r = format!("{}#1", p.display());
    let page = report(&[&r]);
    assert!(page.contains("<h1>Message report</h1>"));
    assert!(page.contains("mboxrd.mbox#1"));
}

#[test]
fn mailbox_page_is_the_same_on_one_core_and_on_many() {
    let p = testdata("trace/mta");
    let path = p.to_str().unwrap_or_default();
    let one = report(&["-j", "1", path]);
    let two = report(&["-j", "4", path]);
    assert_eq!(one, two);
    let none = report(&["--detail", "0", path]);
    assert_eq!(between(&none, "id=\"n-detail\">", "<"), "0");
    assert!(!none.contains("<section class=\"message\""));
}

#[test]
fn dkim_and_arc_verdicts_are_trace_s() {
    for (msg, zone) in [
        ("rfc8463.eml", "rfc8463.zone"),
        ("arc-pass.eml", "arc.zone"),
        ("arc-bad-cv.eml", "arc.zone"),
        ("arc-body-changed.eml", "arc.zone"),
        ("dkim-from-added.eml", "arc.zone"),
        ("dkim-l-appended.eml", "arc.zone"),
    ] {
        let m = testdata(&format!("dkim/{msg}"));
        let z = testdata(&format!("dkim/{zone}"));
        let (m, z) = (
            m.to_str().unwrap_or_default(),
            z.to_str().unwrap_or_default(),
        );
        let page = report(&["--dkim-keys", z, m]);
        let (_, trace, _) = run(&["trace", "--json", "--now", NOW, "--dkim-keys", z, m]);
        let t: Value = serde_json::from_str(trace.trim()).expect("one record");
        let want: Vec<String> = t["authentication"]["dkim"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|v| {
                format!(
                    "signature {}; body hash {}",
                    v["result"].as_str().unwrap_or(""),
                    v["body_hash"].as_str().unwrap_or("")
                )
            })
            .collect();
        let got: Vec<String> = all_between(&page, "<table class=\"signatures\">", "</table>")
            .into_iter()
            .flat_map(|tb| {
                all_between(tb, "<td>signature ", ";")
                    .into_iter()
                    .zip(all_between(tb, "; body hash ", "<"))
            })
            .map(|(r, b)| {
                format!(
                    "signature {r}; body hash {}",
                    b.split(' ').next().unwrap_or("")
                )
            })
            .collect();
        assert_eq!(got, want, "{msg}");
        match t["authentication"]["arc"]["result"].as_str() {
            Some(r) => assert!(
                between(&page, "<p class=\"arc\">", "</p>").contains(&format!(": {r}")),
                "{msg}: arc {r}"
            ),
            None => assert!(!page.contains("<p class=\"arc\">"), "{msg}"),
        }
    }
}

/// The report's defanging, written out again: only a URL's `http` scheme
/// becomes `hxxp`; `://`, dots and `@` are bracketed; an IPv4 address has
/// its last dot bracketed, an IPv6 address its colons.
fn defanged(kind: &str, v: &str) -> String {
    match kind {
        "ip" if !v.contains(':') => match v.rfind('.') {
            Some(i) => format!("{}[.]{}", &v[..i], &v[i + 1..]),
            None => v.to_string(),
        },
        "ip" => v.replace(':', "[:]"),
        "url" => {
            let v = if v.len() >= 4 && v[..4].eq_ignore_ascii_case("http") {
                format!("hxxp{}", &v[4..])
            } else {
                v.to_string()
            };
            v.replace("://", "[://]")
                .replace('.', "[.]")
                .replace('@', "[@]")
        }
        _ => v.replace('.', "[.]").replace('@', "[@]"),
    }
}

/// Element text as written by us or serialized by a browser, unescaped:
/// also the `\u{XXXX}` marks of bidi and control characters.
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("<span class=\"esc\">\\u{") {
        out.push_str(&rest[..i]);
        let after = &rest[i + "<span class=\"esc\">\\u{".len()..];
        let j = after.find("}</span>").unwrap_or(0);
        match u32::from_str_radix(&after[..j], 16)
            .ok()
            .and_then(char::from_u32)
        {
            Some(c) => out.push(c),
            None => out.push_str(&after[..j]),
        }
        rest = after.get(j + "}</span>".len()..).unwrap_or("");
    }
    out.push_str(rest);
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The samples with sender, indicator, vendor and signature analyses.
fn analysis_samples() -> Vec<(PathBuf, Option<PathBuf>)> {
    let mut v: Vec<(PathBuf, Option<PathBuf>)> = vec![
        (testdata("sender/phish.eml"), None),
        (testdata("sender/newsletter.eml"), None),
    ];
    for dir in ["trace/vendors", "dkim"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(testdata(dir))
            .expect("testdata")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        files.sort();
        for f in files {
            let zone = (dir == "dkim").then(|| {
                let name = f.file_name().and_then(|n| n.to_str()).unwrap_or("");
                testdata(if name.starts_with("rfc8463") {
                    "dkim/rfc8463.zone"
                } else {
                    "dkim/arc.zone"
                })
            });
            v.push((f, zone));
        }
    }
    v
}

/// Checks the sender alignment, the indicators, the decoded vendor fields,
/// the findings' severities and the offline DKIM/ARC results of one
/// message's page (our bytes or a browser's DOM) against
/// `trace --json --iocs`.
fn check_analyses(page: &str, path: &str, zone: Option<&str>) {
    let mut args = vec!["trace", "--json", "--iocs", "--now", NOW];
    if let Some(z) = zone {
        args.extend(["--dkim-keys", z]);
    }
    args.push(path);
    let (_, out, err) = run(&args);
    let t: Value = serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{path}: {e} {err}"));
    // Alignment: the DMARC verdict and each identity's alignment.
    let s = &t["sender"];
    let dd = between(page, "<dd data-k=\"alignment\">", "</dd>");
    if s["from_domain"].is_string() {
        let want = match s["dmarc_aligned"].as_bool() {
            Some(true) => "aligned",
            Some(false) => "unaligned",
            None => "none",
        };
        assert_eq!(between(dd, "data-dmarc=\"", "\""), want, "{path}: dmarc");
    }
    let want: Vec<(String, String)> = s["pairs"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            let a = if p["strict"] == true {
                "strict"
            } else if p["relaxed"] == true {
                "relaxed"
            } else if p["domain"].is_null() {
                // A HELO that is an address literal: shown as written.
                "not a domain"
            } else {
                "no"
            };
            let shown = p["domain"].as_str().or(p["value"].as_str()).unwrap_or("");
            (
                format!(
                    "{}|{}",
                    p["identity"].as_str().unwrap_or(""),
                    defanged("domain", shown)
                ),
                a.to_string(),
            )
        })
        .collect();
    let got: Vec<(String, String)> = all_between(dd, "<tr data-identity=\"", "</tr>")
        .into_iter()
        .map(|r| {
            let id = r.split('"').next().unwrap_or("");
            let dom = unescape(between(r, "<code>", "</code>"));
            (
                format!("{id}|{dom}"),
                between(r, "data-aligned=\"", "\"").to_string(),
            )
        })
        .collect();
    assert_eq!(got, want, "{path}: alignment");
    // Indicators, in order, defanged.
    let want: Vec<String> = t["iocs"]["indicators"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| {
            let k = i["kind"].as_str().unwrap_or("");
            format!("{k} {}", defanged(k, i["value"].as_str().unwrap_or("")))
        })
        .collect();
    let table = all_between(page, "<table class=\"indicators\">", "</table>")
        .into_iter()
        .next()
        .unwrap_or("");
    let got: Vec<String> = all_between(table, "<tr data-kind=\"", "</tr>")
        .into_iter()
        .map(|r| {
            let k = r.split('"').next().unwrap_or("");
            format!(
                "{k} {}",
                unescape(between(r, "<code class=\"ioc\">", "</code>"))
            )
        })
        .collect();
    assert_eq!(got, want, "{path}: indicators");
    for g in &got {
        assert!(
            !g.contains("http://") && !g.contains("https://"),
            "{path}: live {g}"
        );
    }
    // Decoded vendor values and their meanings, in order.
    let items: Vec<&Value> = t["vendors"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|v| v["items"].as_array().into_iter().flatten())
        .collect();
    let want: Vec<String> = items
        .iter()
        .map(|i| i["value"].as_str().unwrap_or("").to_string())
        .collect();
    let got: Vec<String> = all_between(page, "<code class=\"vendor-value\">", "</code>")
        .into_iter()
        .map(unescape)
        .collect();
    assert_eq!(got, want, "{path}: vendor values");
    let want: Vec<&str> = items
        .iter()
        .filter_map(|i| i["value_meaning"].as_str())
        .collect();
    let got: Vec<String> = all_between(page, "<span class=\"value-meaning\">", "</span>")
        .into_iter()
        .map(unescape)
        .collect();
    assert_eq!(got, want, "{path}: vendor value meanings");
    // Every finding's severity is the one trace --json gives its code.
    let sev: std::collections::HashMap<&str, &str> = t["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| Some((f["code"].as_str()?, f["severity"].as_str()?)))
        .collect();
    let tables = all_between(page, "<table class=\"findings\">", "</table>");
    // The report lists the trace's findings and the MIME and extraction
    // ones besides.
    assert!(
        sev.is_empty() || !tables.is_empty(),
        "{path}: findings table"
    );
    for r in tables
        .iter()
        .flat_map(|tb| all_between(tb, "<tr data-code=\"", "</tr>"))
    {
        let code = r.split('"').next().unwrap_or("");
        let shown = between(r, "<td class=\"sev\">", "</td>");
        assert!(
            shown == "anomaly" || shown == "observation",
            "{path}: {code} {shown}"
        );
        if let Some(s) = sev.get(code) {
            assert_eq!(shown, *s, "{path}: severity of {code}");
        }
    }
    // The summary's offline verification equals trace's.
    let dd = between(page, "<dd data-k=\"verified\">", "</dd>");
    let want: Vec<String> = t["authentication"]["dkim"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| {
            format!(
                "{} {}",
                v["result"].as_str().unwrap_or(""),
                v["body_hash"].as_str().unwrap_or("")
            )
        })
        .collect();
    let got: Vec<String> = all_between(dd, "data-method=\"dkim\" data-result=\"", "\">")
        .into_iter()
        .map(|s| s.replace("\" data-body-hash=\"", " "))
        .collect();
    assert_eq!(got, want, "{path}: verified dkim");
    match t["authentication"]["arc"]["result"].as_str() {
        Some(r) => assert_eq!(
            between(dd, "data-method=\"arc\" data-result=\"", "\""),
            r,
            "{path}: arc"
        ),
        None => assert!(!dd.contains("data-method=\"arc\""), "{path}: arc"),
    }
}

#[test]
fn alignment_indicators_vendors_severity_are_trace_s() {
    let mut seen = [false; 3];
    for (m, zone) in analysis_samples() {
        let path = m.to_str().unwrap_or_default();
        let z = zone.as_ref().and_then(|z| z.to_str());
        let mut args = vec![];
        if let Some(z) = z {
            args.extend(["--dkim-keys", z]);
        }
        args.push(path);
        let page = report(&args);
        check_analyses(&page, path, z);
        seen[0] |= page.contains("data-dmarc=\"unaligned\"");
        seen[1] |= page.contains("<code class=\"ioc\">hxxps[://]");
        seen[2] |= page.contains("<span class=\"value-meaning\">");
    }
    // The samples exercise each analysis (the checks above are not empty).
    assert_eq!(
        seen, [true; 3],
        "unaligned, a defanged URL, a decoded value"
    );
    let page = report(&[testdata("sender/phish.eml").to_str().unwrap_or_default()]);
    assert!(
        page.contains("<li data-code=\"link_text_mismatch\">"),
        "link_text_mismatch shown"
    );
}

#[test]
fn browser_dump_dom_holds_the_analyses() {
    let Some(chromium) = chromium() else { return };
    let dir = artifacts();
    for (m, zone) in analysis_samples().into_iter().filter(|(m, _)| {
        ["phish.eml", "microsoft.eml", "arc-body-changed.eml"]
            .iter()
            .any(|n| m.ends_with(n))
    }) {
        let path = m.to_str().unwrap_or_default();
        let z = zone.as_ref().and_then(|z| z.to_str());
        let mut args = vec![];
        if let Some(z) = z {
            args.extend(["--dkim-keys", z]);
        }
        args.push(path);
        let name = m.file_stem().and_then(|n| n.to_str()).unwrap_or("x");
        let html = dir.join(format!("analyses-{name}.html"));
        std::fs::write(&html, report(&args)).expect("writable");
        let profile = tempfile::tempdir().expect("a temporary profile");
        let out = Command::new(&chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("--dump-dom")
            .arg(format!("file://{}", html.display()))
            .output()
            .expect("chromium runs");
        let dom = String::from_utf8_lossy(&out.stdout);
        assert!(
            dom.contains("Message report"),
            "{name}: no DOM: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // The browser's DOM holds the verdict, the defanged indicators and
        // the decoded vendor values trace gives.
        check_analyses(&dom, path, z);
    }
}

#[test]
fn mailbox_dkim_verified_counts_are_trace_s() {
    let files: Vec<String> = analysis_samples()
        .into_iter()
        .filter(|(_, z)| z.as_ref().is_some_and(|z| z.ends_with("arc.zone")))
        .map(|(m, _)| m.to_string_lossy().into_owned())
        .collect();
    assert!(files.len() >= 3, "dkim samples");
    let zone = testdata("dkim/arc.zone").to_string_lossy().into_owned();
    let mut args: Vec<&str> = vec!["--dkim-keys", &zone];
    args.extend(files.iter().map(String::as_str));
    let page = report(&args);
    let mut want: std::collections::BTreeMap<(String, String), u64> = Default::default();
    for f in &files {
        let (_, out, _) = run(&["trace", "--json", "--now", NOW, "--dkim-keys", &zone, f]);
        let t: Value = serde_json::from_str(out.trim()).expect("one record");
        for v in t["authentication"]["dkim"].as_array().into_iter().flatten() {
            let k = (
                v["result"].as_str().unwrap_or("").to_string(),
                v["body_hash"].as_str().unwrap_or("").to_string(),
            );
            *want.entry(k).or_default() += 1;
        }
    }
    let table = between(&page, "<table class=\"dkim-verified\">", "</table>");
    let got: std::collections::BTreeMap<(String, String), u64> =
        all_between(table, "<tr data-result=\"", "</tr>")
            .into_iter()
            .map(|r| {
                let res = r.split('"').next().unwrap_or("").to_string();
                let bh = between(r, "data-body-hash=\"", "\"").to_string();
                let n = between(r, "<td class=\"n\">", "<").parse().unwrap_or(0);
                ((res, bh), n)
            })
            .collect();
    assert!(
        !want.is_empty() && want.len() > 1,
        "varied verdicts: {want:?}"
    );
    assert_eq!(got, want, "DKIM verified counts");
}

/// Other projects' messages (thirdparty, malformed, RFC samples): every
/// analysis on the page equals `trace --json --iocs`.
#[test]
fn corpora_analyses_are_trace_s() {
    let Some(c) = corpora() else { return };
    let mut files: Vec<PathBuf> = ["thirdparty", "malformed", "rfc"]
        .iter()
        .filter_map(|d| {
            std::fs::read_dir(c.join("stalwartlabs-mail-parser/resources/eml").join(d)).ok()
        })
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "corpus messages");
    let mut urls = 0;
    for f in &files {
        let path = f.to_str().unwrap_or_default();
        let page = report(&[path]);
        check_analyses(&page, path, None);
        urls += page.matches("<tr data-kind=\"url\">").count();
    }
    assert!(urls > 0, "the corpus has body URLs");
}
