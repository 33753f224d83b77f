//! `emlkit trace` against Microsoft Message Header Analyzer's Received test
//! vectors (issue 16): hops, hop order, from/by/with/via/id/for, dates and
//! delays as MHA's tests expect them, or a difference listed with its reason
//! in `testdata/trace/mha/vectors.json`. A listed difference is asserted as
//! it is: emlkit changing on either side (agreeing with MHA, or giving
//! another value) fails the test, and so does the data drifting from the
//! numbers quoted in docs/trace.md.

use crate::common::{run_stdin, testdata};
use serde_json::Value;
use std::collections::BTreeSet;
use std::net::IpAddr;

/// The fields compared, in MHA's names.
const FIELDS: [&str; 8] = ["from", "by", "with", "via", "id", "for", "date", "delay"];

fn load() -> Value {
    let p = testdata("trace/mha/vectors.json");
    let s = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&s).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A message with the given Received values, top first.
fn message(fields: &[Value]) -> Vec<u8> {
    let mut m = String::new();
    for f in fields {
        m.push_str("Received: ");
        m.push_str(f.as_str().expect("field values are strings"));
        m.push('\n');
    }
    m.push_str("Subject: MHA vector\n\nbody\n");
    m.into_bytes()
}

/// `host (comment)` → (host, comment).
fn split_host(s: &str) -> (&str, &str) {
    match s.find(char::is_whitespace) {
        Some(p) => (&s[..p], s[p..].trim()),
        None => (s, ""),
    }
}

/// The address and the host name written in an MHA `(…)` comment.
fn comment_ip_and_name(c: &str) -> (Option<IpAddr>, Option<&str>) {
    let mut ip = None;
    let mut name = None;
    for w in c.split(|ch: char| ch.is_whitespace() || "()[]".contains(ch)) {
        if let Ok(a) = w.parse::<IpAddr>() {
            ip = ip.or(Some(a));
        } else if w.contains('.') && name.is_none() {
            name = Some(w);
        }
    }
    (ip, name)
}

/// Seconds in MHA's delay text (`310 minutes 13 seconds`, `1 second`,
/// `1500 minutes`, `-1 minute 31 seconds`: the sign applies to the whole).
fn mha_seconds(s: &str) -> i64 {
    let neg = s.trim_start().starts_with('-');
    let mut total = 0;
    let mut n: Option<i64> = None;
    for w in s.split_whitespace() {
        if let Ok(v) = w.trim_start_matches('-').parse::<i64>() {
            n = Some(v);
        } else if let Some(v) = n.take() {
            total += if w.starts_with("minute") { v * 60 } else { v };
        }
    }
    if neg {
        -total
    } else {
        total
    }
}

/// `TLS1_2` (Exchange) → `TLSv1.2` (emlkit).
fn tls_name(v: &str) -> String {
    v.replacen("TLS", "TLSv", 1).replace('_', ".")
}

fn str_or_null(v: Option<&Value>) -> Option<&str> {
    v.and_then(Value::as_str)
}

/// Our value for a field listed as a difference (compared with `emlkit`).
fn ours_raw(field: &str, hop: &Value) -> Value {
    match field {
        "date" => hop["date"]["timestamp"].clone(),
        "from" => hop["from"]["text"].clone(),
        f => hop[f].clone(),
    }
}

/// Compares one field of one hop with MHA's row, after the normalisations
/// listed in vectors.json. `prev` is MHA's previous row (for delays).
fn check(field: &str, row: &Value, prev: Option<&Value>, hop: &Value) -> Result<(), String> {
    let mha = row.get(field);
    let eq = |ours: Option<&str>, want: Option<&str>| {
        if ours == want {
            Ok(())
        } else {
            Err(format!("emlkit {ours:?}, MHA {want:?}"))
        }
    };
    match field {
        "from" => {
            let Some(m) = str_or_null(mha) else {
                return eq(str_or_null(hop["from"].get("text")), None);
            };
            let (host, comment) = split_host(m);
            eq(str_or_null(hop["from"].get("text")), Some(host))?;
            let (ip, name) = comment_ip_and_name(comment);
            if let Some(ip) = ip {
                let ours =
                    str_or_null(hop["from"].get("ip")).and_then(|s| s.parse::<IpAddr>().ok());
                if ours != Some(ip) {
                    return Err(format!("from.ip: emlkit {ours:?}, MHA {ip}"));
                }
            }
            if let Some(n) = name {
                eq(str_or_null(hop["from"].get("rdns")), Some(n))?;
            }
            Ok(())
        }
        "by" => eq(
            str_or_null(hop.get("by")),
            str_or_null(mha).map(|m| split_host(m).0),
        ),
        "via" | "id" => eq(str_or_null(hop.get(field)), str_or_null(mha)),
        "for" => eq(
            str_or_null(hop.get("for")),
            str_or_null(mha).map(|m| m.trim_matches(|c| c == '<' || c == '>')),
        ),
        "with" => {
            let ours = str_or_null(hop.get("with"));
            let Some(m) = str_or_null(mha) else {
                return eq(ours, None);
            };
            let words: Vec<&str> = m
                .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                .collect();
            if !ours.is_some_and(|o| words.iter().any(|w| w.eq_ignore_ascii_case(o))) {
                return Err(format!(
                    "with: emlkit {ours:?} is not a word of MHA's {m:?}"
                ));
            }
            for (key, slot, norm) in [("version=", "version", true), ("cipher=", "cipher", false)] {
                if let Some(p) = m.find(key) {
                    let v = m[p + key.len()..]
                        .split(|c: char| c == ',' || c == ')' || c.is_whitespace())
                        .next()
                        .unwrap_or("");
                    let want = if norm { tls_name(v) } else { v.to_string() };
                    eq(str_or_null(hop["tls"].get(slot)), Some(&want))?;
                }
            }
            Ok(())
        }
        "date" => {
            let ours = hop["date"]["timestamp"].as_i64();
            let want = row
                .get("dateNum")
                .and_then(Value::as_i64)
                .map(|ms| ms.div_euclid(1000));
            if ours == want {
                Ok(())
            } else {
                Err(format!(
                    "date.timestamp: emlkit {ours:?}, MHA {want:?} (dateNum / 1000)"
                ))
            }
        }
        "delay" => {
            let ours = hop["delay"].as_i64();
            let sort = row
                .get("delaySort")
                .and_then(Value::as_i64)
                .filter(|&d| d != -1);
            let text = str_or_null(row.get("delay"));
            if sort.is_none() && text.is_none() {
                return match ours {
                    None => Ok(()),
                    Some(d) => Err(format!("delay: emlkit {d}, MHA none")),
                };
            }
            let Some(d) = ours else {
                return Err("delay: emlkit none".into());
            };
            if let Some(ms) = sort {
                // Whole-second times: the difference of the cut dates, and
                // within a second of MHA's milliseconds.
                let secs = |r: &Value| {
                    r.get("dateNum")
                        .and_then(Value::as_i64)
                        .map(|m| m.div_euclid(1000))
                };
                let want = secs(row).zip(prev.and_then(secs)).map(|(a, b)| a - b);
                if want != Some(d) || (d * 1000 - ms).abs() >= 1000 {
                    return Err(format!("delay: emlkit {d} s, MHA {ms} ms"));
                }
            } else if let Some(t) = text {
                if mha_seconds(t) != d {
                    return Err(format!("delay: emlkit {d} s, MHA {t:?}"));
                }
            }
            Ok(())
        }
        other => Err(format!("unknown field {other}")),
    }
}

#[test]
fn mha_received_vectors() {
    let data = load();
    let vectors = data["vectors"].as_array().expect("vectors");
    let (mut agree, mut differ, mut rows_n, mut checks) = (0, 0, 0, 0);
    let mut failures = Vec::new();
    for v in vectors {
        let name = v["name"].as_str().unwrap_or("?");
        let fields = v["fields"].as_array().expect("fields");
        let rows = v["rows"].as_array().expect("rows");
        let diffs = v["differences"].as_array().cloned().unwrap_or_default();
        let checked: Vec<&str> = match v.get("checked").and_then(Value::as_array) {
            Some(c) => c.iter().filter_map(Value::as_str).collect(),
            None => FIELDS.to_vec(),
        };
        let (code, out, err) = run_stdin(&["trace", "--json"], &message(fields));
        assert_eq!(code, 0, "{name}: {err}");
        let t: Value = serde_json::from_slice(&out).unwrap_or_else(|e| panic!("{name}: {e}"));
        let hops = t["hops"].as_array().expect("hops");
        // Hop count and order: MHA's rows are oldest first, hop 1 first.
        assert_eq!(hops.len(), rows.len(), "{name}: hop count");
        rows_n += rows.len();
        let mut used = BTreeSet::new();
        for (i, (row, hop)) in rows.iter().zip(hops).enumerate() {
            assert_eq!(
                row["hop"].as_u64(),
                Some(i as u64 + 1),
                "{name}: data order"
            );
            assert_eq!(
                hop["hop"].as_u64(),
                Some(i as u64 + 1),
                "{name}: hop number"
            );
            let prev = i.checked_sub(1).and_then(|p| rows.get(p));
            for &f in &checked {
                checks += 1;
                let result = check(f, row, prev, hop);
                let listed = diffs
                    .iter()
                    .position(|d| d["hop"].as_u64() == Some(i as u64 + 1) && d["field"] == f);
                match (listed, result) {
                    (None, Ok(())) => {}
                    (None, Err(e)) => failures.push(format!("{name} hop {}: {f}: {e}", i + 1)),
                    (Some(_), Ok(())) => failures.push(format!(
                        "{name} hop {}: {f}: listed as a difference, but emlkit now agrees with MHA (update vectors.json and docs/trace.md)",
                        i + 1
                    )),
                    (Some(k), Err(_)) => {
                        used.insert(k);
                        let d = &diffs[k];
                        let mha_key = if f == "date" { "dateNum" } else { f };
                        if row.get(mha_key) != Some(&d["mha"]) {
                            failures.push(format!("{name} hop {}: {f}: the difference's `mha` is not MHA's row value", i + 1));
                        }
                        let ours = ours_raw(f, hop);
                        if ours != d["emlkit"] {
                            failures.push(format!(
                                "{name} hop {}: {f}: documented emlkit value {}, now {ours}",
                                i + 1,
                                d["emlkit"]
                            ));
                        }
                        assert!(
                            d["reason"].as_str().is_some_and(|r| r.len() > 40),
                            "{name}: a difference needs its reason"
                        );
                    }
                }
            }
        }
        if used.len() != diffs.len() {
            failures.push(format!(
                "{name}: {} listed differences not met",
                diffs.len() - used.len()
            ));
        }
        // MHA's total (computeDeltas): first to last dated hop.
        if let Some(total) = v.get("transit").and_then(Value::as_str) {
            let secs = |r: &Value| {
                r.get("dateNum")
                    .and_then(Value::as_i64)
                    .map(|m| m.div_euclid(1000))
            };
            let want = rows
                .last()
                .and_then(secs)
                .zip(rows.first().and_then(secs))
                .map(|(a, b)| a - b);
            let ours = t["summary"]["transit"].as_i64();
            if ours != want || ours.is_none_or(|o| (o - mha_seconds(total)).abs() > 1) {
                failures.push(format!("{name}: transit emlkit {ours:?}, MHA {total:?}"));
            }
        }
        if diffs.is_empty() {
            agree += 1;
        } else {
            differ += 1;
        }
    }
    assert!(failures.is_empty(), "MHA vectors:\n{}", failures.join("\n"));
    let n = vectors.len();
    eprintln!(
        "trace_mha: {n} vectors ({rows_n} hops, {checks} field checks): {agree} agree, {differ} with documented differences"
    );
    // The numbers docs/trace.md quotes are these.
    let doc = std::fs::read_to_string(crate::common::root().join("docs/trace.md"))
        .expect("docs/trace.md");
    let line = format!("{n} vectors, {agree} agree, {differ} documented differences");
    assert!(doc.contains(&line), "docs/trace.md should say {line:?}");
    assert!(n >= 30 && rows_n >= 40, "the vectors are all there");
}

/// The helpers read MHA's formats as intended.
#[test]
fn mha_formats() {
    assert_eq!(mha_seconds("310 minutes 13 seconds"), 18613);
    assert_eq!(mha_seconds("1 second"), 1);
    assert_eq!(mha_seconds("1500 minutes"), 90000);
    assert_eq!(mha_seconds("-1 minute 31 seconds"), -91);
    assert_eq!(tls_name("TLS1_2"), "TLSv1.2");
    assert_eq!(
        split_host("smtp.github.com (out-3.smtp.github.com [192.30.252.194])"),
        (
            "smtp.github.com",
            "(out-3.smtp.github.com [192.30.252.194])"
        )
    );
    assert_eq!(
        comment_ip_and_name("(out-3.smtp.github.com [192.30.252.194])"),
        (
            Some("192.30.252.194".parse().unwrap()),
            Some("out-3.smtp.github.com")
        )
    );
}
