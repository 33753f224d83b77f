//! The public corpora in ../shared/corpora: every message goes through
//! `json` and `tree` in LF and CRLF form, and our structure and bodies agree
//! with the peers' expected outputs (mail-parser's JSON, MIME-tools' .ref).
//! Disagreements we keep are listed in testdata/README.md and here.

use crate::common::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The message files of the suites the foundation issue names.
fn corpus_messages(c: &Path) -> Vec<PathBuf> {
    let inv = std::fs::read_to_string(c.join("INVENTORY.tsv")).expect("INVENTORY.tsv");
    let suites = [
        "stalwartlabs-mail-parser/resources/eml/",
        "python-cpython/",
        "dfskoll-MIME-tools/",
        "staktrace-mailparse/",
    ];
    let v: Vec<PathBuf> = inv
        .lines()
        .skip(1)
        .filter_map(|l| l.split('\t').next())
        .filter(|p| suites.iter().any(|s| p.starts_with(s)))
        .map(|p| c.join(p))
        .collect();
    assert!(
        v.len() > 200,
        "corpus suite is unexpectedly small: {}",
        v.len()
    );
    v
}

fn write_variant(dir: &Path, files: &[PathBuf], crlf: bool) -> Vec<String> {
    files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let raw = std::fs::read(f).expect("read corpus file");
            let b = if crlf { to_crlf(&raw) } else { strip_cr(&raw) };
            let p = dir.join(format!("{i:04}.eml"));
            std::fs::write(&p, b).expect("write variant");
            p.display().to_string()
        })
        .collect()
}

#[test]
fn every_corpus_message_exports_in_lf_and_crlf() {
    let Some(c) = corpora() else { return };
    let files = corpus_messages(&c);
    for crlf in [false, true] {
        let tmp = tempfile::tempdir().expect("tempdir");
        let paths = write_variant(tmp.path(), &files, crlf);
        let mut args = vec!["json", "--format", "eml"];
        args.extend(paths.iter().map(String::as_str));
        let (code, out, err) = run(&args);
        // A corpus message nested deeper than --max-depth is cut there: exit
        // 2 with a limit note, nothing else (issue 14).
        let only_limits = err.lines().all(|l| l.contains(": depth_limit: "));
        assert!(
            code == 0 || (code == 2 && only_limits),
            "json failed (crlf={crlf}): {err}"
        );
        assert!(!err.contains("panic"), "{err}");
        let recs = json_lines(&out);
        assert_eq!(
            recs.len(),
            files.len(),
            "one record per message (crlf={crlf})"
        );
        for (r, p) in recs.iter().zip(&paths) {
            assert_eq!(r["type"], "message");
            assert_eq!(r["source"]["path"], p.as_str());
        }
        args[0] = "tree";
        args.insert(1, "--json");
        let (code, out, err) = run(&args);
        let only_limits = err.lines().all(|l| l.contains(": depth_limit: "));
        assert!(
            code == 0 || (code == 2 && only_limits),
            "tree failed (crlf={crlf}): {err}"
        );
        assert!(!json_lines(&out).is_empty());
    }
}

/// mail-parser's expected part: content type in pre-order, descending into
/// attached messages, as our `parts` array lists them.
fn peer_types(msg: &Value, out: &mut Vec<String>) {
    let parts = msg["parts"].as_array().cloned().unwrap_or_default();
    if parts.is_empty() {
        return;
    }
    fn walk(parts: &[Value], i: usize, parent: Option<&str>, out: &mut Vec<String>, depth: usize) {
        if depth > 200 {
            return;
        }
        let Some(p) = parts.get(i) else { return };
        let ct = p["headers"]
            .as_array()
            .and_then(|hs| hs.iter().find(|h| h["name"] == "content_type"))
            .and_then(|h| h["value"].get("ContentType"))
            .map(|ct| {
                format!(
                    "{}/{}",
                    ct["c_type"].as_str().unwrap_or("").to_ascii_lowercase(),
                    ct["c_subtype"].as_str().unwrap_or("").to_ascii_lowercase()
                )
            })
            .filter(|t| !t.ends_with('/'))
            .unwrap_or_else(|| {
                if parent == Some("multipart/digest") {
                    "message/rfc822".into()
                } else {
                    "text/plain".into()
                }
            });
        out.push(ct.clone());
        let body = &p["body"];
        if let Some(children) = body.get("Multipart").and_then(Value::as_array) {
            for c in children {
                if let Some(ci) = c.as_u64() {
                    walk(parts, ci as usize, Some(&ct), out, depth + 1);
                }
            }
        } else if let Some(m) = body.get("Message") {
            let inner = m["parts"].as_array().cloned().unwrap_or_default();
            walk(&inner, 0, None, out, depth + 1);
        }
    }
    walk(&parts, 0, None, out, 0);
}

fn peer_bodies(msg: &Value) -> Vec<String> {
    let parts = msg["parts"].as_array().cloned().unwrap_or_default();
    msg["text_body"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|i| parts.get(i.as_u64()? as usize))
        .filter_map(|p| {
            p["body"]
                .get("Text")
                .or_else(|| p["body"].get("Html"))
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .collect()
}

#[test]
fn part_trees_and_bodies_agree_with_mail_parser() {
    let Some(c) = corpora() else { return };
    let base = c.join("stalwartlabs-mail-parser/resources/eml");
    let mut emls: Vec<PathBuf> = Vec::new();
    for suite in ["rfc", "legacy", "thirdparty", "malformed"] {
        let mut v: Vec<PathBuf> = std::fs::read_dir(base.join(suite))
            .expect("suite dir")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        v.sort();
        emls.extend(v);
    }
    assert!(emls.len() >= 100, "mail-parser suite is empty");
    let tmp = tempfile::tempdir().expect("tempdir");
    let paths = write_variant(tmp.path(), &emls, false);
    let mut args = vec!["json", "--format", "eml"];
    args.extend(paths.iter().map(String::as_str));
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    let recs = json_lines(&out);
    let mut tree_ok = 0;
    let mut body_ok = 0;
    let mut tree_bad = Vec::new();
    let mut body_bad = Vec::new();
    for (eml, rec) in emls.iter().zip(&recs) {
        let expected: Value = serde_json::from_slice(
            &std::fs::read(eml.with_extension("json")).expect("expected json"),
        )
        .expect("valid expected json");
        let mut want = Vec::new();
        peer_types(&expected, &mut want);
        let got: Vec<String> = rec["parts"]
            .as_array()
            .expect("parts")
            .iter()
            .map(|p| p["content_type"].as_str().unwrap_or("").to_string())
            .collect();
        let name = eml.strip_prefix(&base).unwrap_or(eml).display().to_string();
        if want == got {
            tree_ok += 1;
        } else {
            tree_bad.push(format!("{name}: want {want:?} got {got:?}"));
        }
        let want_b = peer_bodies(&expected);
        let got_b: Vec<String> = rec["text"]
            .as_array()
            .expect("text")
            .iter()
            .map(|t| t["text"].as_str().unwrap_or("").to_string())
            .collect();
        if want_b == got_b {
            body_ok += 1;
        } else {
            body_bad.push(name);
        }
    }
    let n = emls.len();
    eprintln!("mail-parser agreement: trees {tree_ok}/{n}, text bodies {body_ok}/{n}");
    for b in &tree_bad {
        eprintln!("  tree: {b}");
    }
    for b in &body_bad {
        eprintln!("  body: {b}");
    }
    // Our structure parser follows RFC 2046 where mail-parser does not
    // (boundaries only at line starts and exact, inner entities ended by an
    // enclosing delimiter, no encoded message/rfc822 decoding); each listed
    // file differs for one of those reasons (LENIENCY.md). Body selection
    // differs by design (text/enriched counts as text; HTML-only messages
    // have their HTML in `html`, not in `text`), so bodies are reported, not
    // asserted; the peer differential (scripts/differential) is the gate.
    const KNOWN_TREES: &[&str] = &[
        "rfc/008.eml",        // base64 message/rfc822: opaque (RFC 2046 §5.2.1)
        "thirdparty/015.eml", // attached messages cut short by the outer delimiter
        "malformed/000.eml",
        "malformed/001.eml",
        "malformed/004.eml", // `--ab` is not a delimiter of boundary `a`
        "malformed/009.eml",
        "malformed/011.eml",
        "malformed/012.eml",
        "malformed/013.eml",
        "malformed/014.eml",
        "malformed/016.eml",
        "malformed/019.eml",
        "malformed/020.eml",
        "malformed/021.eml",
        "malformed/022.eml",
    ];
    let unexpected: Vec<&String> = tree_bad
        .iter()
        .filter(|b| !KNOWN_TREES.iter().any(|k| b.starts_with(&format!("{k}:"))))
        .collect();
    assert!(
        unexpected.is_empty(),
        "new part-tree disagreements: {unexpected:#?}"
    );
    assert!(
        tree_ok + KNOWN_TREES.len() >= n,
        "listed disagreements went away: update KNOWN_TREES"
    );
}

/// Converts a MIME-tools `.ref` (a Perl hash literal) into JSON.
fn perl_ref_to_json(s: &str) -> Value {
    let mut t = s.replace("=>", ":").replace("\\@", "@");
    // Perl's \x{NNN} escapes become the characters.
    while let Some(a) = t.find("\\x{") {
        let Some(b) = t[a..].find('}') else { break };
        let ch = u32::from_str_radix(&t[a + 3..a + b], 16)
            .ok()
            .and_then(char::from_u32)
            .unwrap_or('\u{FFFD}');
        t = format!("{}{}{}", &t[..a], ch, &t[a + b + 1..]);
    }
    // Perl's qq{...} quoting.
    while let Some(a) = t.find("qq{") {
        let Some(b) = t[a..].find('}') else { break };
        let inner = t[a + 3..a + b].replace('"', "\\\"");
        t = format!("{}\"{}\"{}", &t[..a], inner, &t[a + b + 1..]);
    }
    // Drop trailing commas before a closing brace.
    loop {
        let before = t.len();
        t = t.replace(",\n}", "\n}").replace(",\n  }", "\n  }");
        let re: String = t.clone();
        t = re;
        if t.len() == before {
            break;
        }
    }
    // Generic pass: a comma followed only by whitespace and `}`.
    let mut out = String::with_capacity(t.len());
    let chars: Vec<char> = t.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == ',' {
            let mut j = i + 1;
            while j < chars.len() && chars[j].is_whitespace() {
                j += 1;
            }
            if j < chars.len() && chars[j] == '}' {
                i += 1;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    // Quote Perl barewords used as keys (`Fail => 1`).
    let out: String = out
        .lines()
        .map(|l| {
            let t = l.trim_start();
            let key_len = t
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .count();
            if key_len > 0 && t[key_len..].trim_start().starts_with(':') && !t.starts_with('"') {
                format!(
                    "{}\"{}\"{}",
                    &l[..l.len() - t.len()],
                    &t[..key_len],
                    &t[key_len..]
                )
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("cannot convert .ref: {e}\n{out}"))
}

fn ref_type(r: &BTreeMap<Vec<u32>, Value>, path: &[u32]) -> String {
    r.get(path)
        .and_then(|v| v["Type"].as_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// Our part id for a MIME-tools part path (see the module docs of
/// `emlkit::model` for our numbering).
fn our_id(r: &BTreeMap<Vec<u32>, Value>, path: &[u32]) -> String {
    if path.is_empty() {
        // A .ref without "Msg" still describes a multipart when it lists parts.
        let multipart = ref_type(r, path).starts_with("multipart/")
            || !r.contains_key(path) && r.keys().any(|k| !k.is_empty());
        return if multipart { "0".into() } else { "1".into() };
    }
    let parent = &path[..path.len() - 1];
    let last = path[path.len() - 1];
    let pid = our_id(r, parent);
    if ref_type(r, parent) == "message/rfc822" {
        // MIME-tools gives the attached message one child: the inner entity.
        return if ref_type(r, path).starts_with("multipart/") {
            format!("{pid}.0")
        } else {
            format!("{pid}.1")
        };
    }
    match pid.strip_suffix('0') {
        Some(p) if p.is_empty() || p.ends_with('.') => format!("{p}{last}"),
        _ => format!("{pid}.{last}"),
    }
}

#[test]
fn parts_agree_with_mime_tools_refs() {
    let Some(c) = corpora() else { return };
    let dir = c.join("dfskoll-MIME-tools/testmsgs");
    let mut refs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("testmsgs")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ref"))
        .collect();
    refs.sort();
    let mut checked = 0;
    let mut bad = Vec::new();
    for rf in &refs {
        let stem = rf.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        let v = perl_ref_to_json(&std::fs::read_to_string(rf).expect("read .ref"));
        // Refs made with options we do not model (uuencode extraction,
        // nested messages left unparsed) describe a different tree.
        let parser = &v["Parser"];
        let nested = &parser["ExtractNested"];
        if parser["ExtractUuencode"].as_i64() == Some(1)
            || !(nested.is_null() || nested.as_i64() == Some(1))
        {
            continue;
        }
        let msg_file = parser["Message"].as_str().unwrap_or("");
        let msg = c.join("dfskoll-MIME-tools").join(msg_file);
        if !msg.is_file() {
            continue;
        }
        let mut map: BTreeMap<Vec<u32>, Value> = BTreeMap::new();
        for (k, val) in v.as_object().expect("ref object") {
            if k == "Msg" {
                map.insert(vec![], val.clone());
            } else if let Some(rest) = k.strip_prefix("Part_") {
                let path: Vec<u32> = rest.split('_').filter_map(|x| x.parse().ok()).collect();
                map.insert(path, val.clone());
            }
        }
        let (code, out, err) = run(&["json", msg.to_str().unwrap_or_default()]);
        assert_eq!(code, 0, "{stem}: {err}");
        let rec = &json_lines(&out)[0];
        let parts = rec["parts"].as_array().expect("parts");
        for (path, want) in &map {
            let id = our_id(&map, path);
            let Some(got) = parts.iter().find(|p| p["id"] == id.as_str()) else {
                bad.push(format!("{stem} {path:?}: no part {id}"));
                continue;
            };
            checked += 1;
            let mut diffs = Vec::new();
            let wt = want["Type"].as_str().unwrap_or("").to_ascii_lowercase();
            if !wt.is_empty() && got["content_type"] != wt.as_str() {
                diffs.push(format!("type {wt} vs {}", got["content_type"]));
            }
            if let Some(we) = want["Encoding"].as_str() {
                let ge = got["transfer_encoding"].as_str().unwrap_or("7bit");
                if !we.eq_ignore_ascii_case(ge) {
                    diffs.push(format!("encoding {we} vs {ge}"));
                }
            }
            if let Some(wf) = want["Filename"].as_str() {
                if got["filename"].as_str() != Some(wf) {
                    diffs.push(format!("filename {wf:?} vs {}", got["filename"]));
                }
            }
            if let Some(ws) = want["Size"].as_u64() {
                if got["size_decoded"].as_u64() != Some(ws) {
                    diffs.push(format!("size {ws} vs {}", got["size_decoded"]));
                }
            }
            if !diffs.is_empty() {
                bad.push(format!("{stem} {id}: {}", diffs.join(", ")));
            }
        }
    }
    eprintln!(
        "MIME-tools: {checked} parts checked, {} disagreements",
        bad.len()
    );
    for b in &bad {
        eprintln!("  {b}");
    }
    assert!(checked > 50, "too few MIME-tools parts checked: {checked}");
    assert!(
        bad.len() <= KNOWN_MIME_TOOLS_DIFFS,
        "new disagreements: {bad:#?}"
    );
}

/// multi-nested2 5.1: MIME-tools counts one byte more than the part holds
/// (Python's email package agrees with our 57);
/// multi-weirdspace 1: MIME-tools drops the last line break of the part
/// (Python's email package agrees with our 421 bytes); multi-digest 2.1:
/// MIME-tools reports the invalid `Content-Type: text` as "text" where
/// RFC 2045 §5.2 makes it text/plain.
const KNOWN_MIME_TOOLS_DIFFS: usize = 3;
