//! 2,000 generated messages (issue 10, "How it will be checked", third bullet):
//! random mixed/alternative/related/digest/parallel trees, attached messages three
//! deep, 17 charsets including iso-2022-jp, file names in every RFC 2047/2231 form,
//! LF and CRLF. `scripts/generated/make.py` writes the messages and the truth it
//! put in (`expected.jsonl`); one `emlkit json --with-content` over all of them must
//! give every tree, leaf sha256, file name, Subject and text body exactly.
//!
//! Prints a table (exact / total per dimension, then per transfer encoding,
//! file-name form and charset) and fails listing the first differences. Cases in
//! [`KNOWN_FAILURES`] are counted and shown but do not fail the test; one of them
//! that passes again fails it (remove it from the list). Skips with a note when
//! python3 is missing. `EMLKIT_GENERATED_DIR=DIR` keeps the messages in DIR.

use crate::common::root;
use base64::Engine;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;

/// Messages generated (`make.py --count`, with make.py's default seed).
const COUNT: usize = 2000;

/// RFC 2047 words in iso-2022-jp, each self-contained as RFC 2047 §5 and RFC 1468
/// require (every word returns to ASCII with `ESC ( B`), are joined as bytes before
/// the charset conversion (src/model/encoded_word.rs `decode_header`), so the
/// joined bytes hold `ESC ( B ESC $ B`, which the WHATWG iso-2022-jp decoder turns
/// into U+FFFD (an escape sequence directly after another is an error).
/// `Subject: =?ISO-2022-JP?B?GyRCJDMbKEI=?= =?ISO-2022-JP?B?GyRCJHMbKEI=?=` gives
/// "こ�ん" and a `header_decoding` finding, not "こん"; file names in
/// `name="=?ISO-2022-JP?B?…?= =?ISO-2022-JP?B?…?="` alike.
const ISO2022JP_WORDS: &str = "iso-2022-jp words joined before decoding";

/// Text in a declared single-byte charset whose first bytes look like a byte
/// order mark is decoded as UTF-16 or UTF-8 instead: src/model/charset.rs
/// `decode_known` calls encoding_rs `Encoding::decode`, which sniffs a BOM and
/// overrides the label. windows-1251 "юя…" (FE FF) comes out as UTF-16BE
/// garbage, iso-8859-1 "ÿþ…" (FF FE) as UTF-16LE, windows-1251 "п»ї…"
/// (EF BB BF) as UTF-8 (the three characters dropped, every other non-ASCII byte
/// U+FFFD). Text bodies, encoded words and file names alike.
const BOM_SNIFFED: &str = "declared charset overridden by a BOM-like start";

/// emlkit bugs this test found: (message file, dimension, cause). Dimensions are
/// `tree`, `sha256 <part id>`, `filename <part id>`, `subject`, `text`. An entry
/// counts only while the truth still shows its cause (an iso-2022-jp Subject, a
/// BOM-like start); a difference that passes, or that the listed cause cannot
/// explain, fails the test.
// Both causes above were fixed (the reset before an escape is dropped when
// iso-2022 words join; the declared charset is never overridden by a BOM):
// the list is empty, and the causes stay as the classifier of new failures.
const KNOWN_FAILURES: &[(&str, &str, &str)] = &[];

/// The main rows, in table order.
const DIMENSIONS: [&str; 6] = [
    "tree (messages)",
    "sha256 (leaves)",
    "filename (parts)",
    "subject",
    "subject, split inside a character",
    "text body (messages)",
];

struct Diff {
    file: String,
    dim: String,
    expected: String,
    got: String,
    known: bool,
    cause: Option<&'static str>,
}

#[derive(Default)]
struct Tally {
    /// (main row, breakdown or "") → (exact, total, known failures)
    rows: BTreeMap<(usize, String), (usize, usize, usize)>,
    diffs: Vec<Diff>,
    /// KNOWN_FAILURES entries that did fail, with their cause
    known_hit: HashSet<(String, String)>,
}

impl Tally {
    /// Records one comparison under main row `main` and the breakdown rows `subs`.
    #[allow(clippy::too_many_arguments)]
    fn check(
        &mut self,
        file: &str,
        dim: &str,
        main: usize,
        subs: &[String],
        expected: &Value,
        got: &Value,
        cause: Option<&'static str>,
    ) {
        let ok = expected == got;
        // a known failure only with the cause it is listed for
        let known = KNOWN_FAILURES
            .iter()
            .any(|&(f, d, c)| f == file && d == dim && Some(c) == cause);
        for sub in std::iter::once("").chain(subs.iter().map(String::as_str)) {
            let r = self.rows.entry((main, sub.to_string())).or_default();
            r.1 += 1;
            if ok {
                r.0 += 1;
            } else if known {
                r.2 += 1;
            }
        }
        if known && !ok {
            self.known_hit.insert((file.to_string(), dim.to_string()));
        }
        if !ok {
            self.diffs.push(Diff {
                file: file.to_string(),
                dim: dim.to_string(),
                expected: short(expected),
                got: short(got),
                known,
                cause,
            });
        }
    }

    fn table(&self) -> String {
        let name = |(main, sub): &(usize, String)| {
            if sub.is_empty() {
                DIMENSIONS[*main].to_string()
            } else {
                format!("  {sub}")
            }
        };
        let w = self.rows.keys().map(|k| name(k).len()).max().unwrap_or(9);
        let mut s = String::new();
        let _ = writeln!(s, "| {:w$} | exact / total | known failures |", "dimension");
        let _ = writeln!(
            s,
            "|{}|--------------:|---------------:|",
            "-".repeat(w + 2)
        );
        for (k, (ok, n, known)) in &self.rows {
            let mark = if ok + known == *n { "" } else { " ✗" };
            let _ = writeln!(
                s,
                "| {:w$} | {:>13} | {known:>14} |{mark}",
                name(k),
                format!("{ok} / {n}")
            );
        }
        s
    }
}

fn short(v: &Value) -> String {
    let s = match v {
        Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    };
    if s.chars().count() > 300 {
        let cut: String = s.chars().take(300).collect();
        format!("{cut}…")
    } else {
        s
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn str_or_null(v: Option<&Value>) -> Value {
    match v {
        Some(Value::String(s)) => Value::String(s.clone()),
        _ => Value::Null,
    }
}

fn flag(v: &Value, key: &str) -> bool {
    v[key].as_bool().unwrap_or(false)
}

/// `id kind type` per part, in order.
fn tree(parts: &[Value], type_key: &str) -> Value {
    Value::from(
        parts
            .iter()
            .map(|p| {
                format!(
                    "{} {} {}",
                    p["id"].as_str().unwrap_or("?"),
                    p["kind"].as_str().unwrap_or("?"),
                    p[type_key].as_str().unwrap_or("?")
                )
            })
            .collect::<Vec<_>>(),
    )
}

#[test]
fn generated_messages_exact() {
    if Command::new("python3").arg("--version").output().is_err() {
        crate::common::skip("python3 not found (scripts/generated/make.py needs it)");
        return;
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = std::env::var_os("EMLKIT_GENERATED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| tmp.path().to_path_buf());
    let out = Command::new("python3")
        .arg(root().join("scripts/generated/make.py"))
        .args(["--count", &COUNT.to_string(), "--out"])
        .arg(&dir)
        .output()
        .expect("make.py runs");
    assert!(
        out.status.success(),
        "make.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected: Vec<Value> = std::fs::read_to_string(dir.join("expected.jsonl"))
        .expect("expected.jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).expect("expected.jsonl line"))
        .collect();
    assert_eq!(expected.len(), COUNT);

    // One process over every message.
    let run = Command::new(env!("CARGO_BIN_EXE_emlkit"))
        .args(["json", "--with-content", "--format", "eml"])
        .arg(dir.join("eml"))
        .output()
        .expect("emlkit runs");
    assert!(
        run.status.success(),
        "emlkit json failed ({:?}): {}",
        run.status.code(),
        String::from_utf8_lossy(&run.stderr)
    );
    let mut got: HashMap<String, Value> = HashMap::new();
    for line in String::from_utf8_lossy(&run.stdout).lines() {
        let v: Value = serde_json::from_str(line).expect("emlkit json line");
        let path = v["source"]["path"].as_str().unwrap_or_default();
        let file = path.rsplit('/').next().unwrap_or_default().to_string();
        got.insert(file, v);
    }

    let mut t = Tally::default();
    let b64 = base64::engine::general_purpose::STANDARD;
    let none = Vec::new();
    for e in &expected {
        let file = e["file"].as_str().expect("file");
        let Some(g) = got.get(file) else {
            t.check(
                file,
                "tree",
                0,
                &[],
                &Value::from("a record"),
                &Value::Null,
                None,
            );
            continue;
        };
        let eparts = e["parts"].as_array().unwrap_or(&none);
        let gparts = g["parts"].as_array().unwrap_or(&none);
        let by_id: HashMap<&str, &Value> = gparts
            .iter()
            .map(|p| (p["id"].as_str().unwrap_or_default(), p))
            .collect();

        let eol = format!("{} line ends", e["eol"].as_str().unwrap_or("?"));
        t.check(
            file,
            "tree",
            0,
            std::slice::from_ref(&eol),
            &tree(eparts, "type"),
            &tree(gparts, "content_type"),
            None,
        );

        for p in eparts {
            let id = p["id"].as_str().unwrap_or_default();
            let gp = by_id.get(id);
            if p["kind"] == "leaf" {
                let sha = gp
                    .and_then(|q| q["content"].as_str())
                    .and_then(|c| b64.decode(c).ok())
                    .map(|d| hex(&Sha256::digest(&d)));
                let cte = p["cte"].as_str().unwrap_or("no Content-Transfer-Encoding");
                t.check(
                    file,
                    &format!("sha256 {id}"),
                    1,
                    &[cte.to_string()],
                    &p["sha256"],
                    &sha.map_or(Value::Null, Value::from),
                    None,
                );
            }
            let mut subs = Vec::new();
            let mut cause = None;
            if let Some(f) = p["filename_form"].as_str() {
                subs.push(format!("form {f}"));
                let cs = p["filename_charset"].as_str().unwrap_or("?");
                if f.contains("2047") && cs == "iso-2022-jp" {
                    cause = Some(ISO2022JP_WORDS);
                }
                if flag(p, "filename_bom_lookalike") {
                    cause = Some(BOM_SNIFFED);
                }
            }
            let got_name = match gp {
                Some(q) => str_or_null(q.get("filename")),
                None => Value::from("(no such part)"),
            };
            t.check(
                file,
                &format!("filename {id}"),
                2,
                &subs,
                &p["filename"],
                &got_name,
                cause,
            );
        }

        let split = flag(e, "subject_split_inside");
        let mut subs = vec![format!(
            "form {}",
            e["subject_form"].as_str().unwrap_or("?")
        )];
        let mut cause = None;
        for cs in e["subject_charsets"].as_array().unwrap_or(&none) {
            let cs = cs.as_str().unwrap_or("?");
            subs.push(cs.to_string());
            if cs == "iso-2022-jp" {
                cause = Some(ISO2022JP_WORDS);
            }
        }
        if flag(e, "subject_bom_lookalike") {
            cause = Some(BOM_SNIFFED);
        }
        t.check(
            file,
            "subject",
            if split { 4 } else { 3 },
            &subs,
            &e["subject"],
            &str_or_null(g.get("subject")),
            cause,
        );

        let got_text = str_or_null(g["text"].get(0).and_then(|x| x.get("text")));
        let text_cs = match e["text_charset"].as_str() {
            Some(cs) => cs.to_string(),
            None => "(no text body)".to_string(),
        };
        t.check(
            file,
            "text",
            5,
            &[text_cs],
            &e["text"],
            &got_text,
            flag(e, "text_bom_lookalike").then_some(BOM_SNIFFED),
        );
    }

    eprintln!(
        "{COUNT} generated messages (scripts/generated/make.py), one `emlkit json --with-content`:\n{}",
        t.table()
    );
    let known: Vec<&Diff> = t.diffs.iter().filter(|d| d.known).collect();
    if !known.is_empty() {
        eprintln!(
            "{} known failures (KNOWN_FAILURES in tests/cli/generated.rs), for example:",
            known.len()
        );
        for d in known.iter().take(4) {
            eprintln!(
                "  {} {}: expected {} got {}",
                d.file, d.dim, d.expected, d.got
            );
        }
    }
    let unknown: Vec<&Diff> = t.diffs.iter().filter(|d| !d.known).collect();
    // entries that are exact now, name no comparison, or whose cause is gone
    let stale: Vec<String> = KNOWN_FAILURES
        .iter()
        .filter(|&&(f, d, _)| !t.known_hit.contains(&(f.to_string(), d.to_string())))
        .map(|(f, d, _)| format!("{f} {d}"))
        .collect();
    let mut report = String::new();
    for d in unknown.iter().take(40) {
        let _ = writeln!(
            report,
            "{} {}{}:\n    expected {}\n    got      {}",
            d.file,
            d.dim,
            d.cause.map(|c| format!(" ({c}?)")).unwrap_or_default(),
            d.expected,
            d.got
        );
    }
    if !unknown.is_empty() {
        // ready to paste into KNOWN_FAILURES once the cause is understood
        let _ = writeln!(report, "as KNOWN_FAILURES entries:");
        for d in &unknown {
            let cause = match d.cause {
                Some(ISO2022JP_WORDS) => "ISO2022JP_WORDS",
                Some(BOM_SNIFFED) => "BOM_SNIFFED",
                _ => "\"?\"",
            };
            let _ = writeln!(report, "    ({:?}, {:?}, {cause}),", d.file, d.dim);
        }
    }
    assert!(
        unknown.is_empty() && stale.is_empty(),
        "{} differences from the generated truth (EMLKIT_GENERATED_DIR=DIR keeps the \
         messages), the first:\n{report}{}",
        unknown.len(),
        if stale.is_empty() {
            String::new()
        } else {
            format!(
                "KNOWN_FAILURES entries that no longer fail with their cause (remove them): \
                 {stale:?}\n"
            )
        }
    );
}
