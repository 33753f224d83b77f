//! The JSON of every command against its schema (issue 15, item 4): the
//! documents in docs/schema/ (one per record type, sharing the vocabulary
//! of common.schema.json) validate every golden JSON file and every record
//! the commands write over the test messages, mailboxes and (when present)
//! the shared corpora. A record whose shape drifts from its schema fails,
//! and so does a key the schema does not describe: every object of the
//! schemas lists its keys (`additionalProperties: false`).
//!
//! The validator is the subset of JSON Schema 2020-12 the schemas use
//! (`type`, `enum`, `const`, `properties`, `required`,
//! `additionalProperties`, `items`, `minimum`, `anyOf`, `allOf`, `$ref`
//! within and across the documents): small enough to read, and no
//! dependency.

use crate::common::*;
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;

struct Schemas {
    docs: HashMap<String, Value>,
}

impl Schemas {
    fn load() -> Schemas {
        let dir = root().join("docs/schema");
        let mut docs = HashMap::new();
        for e in std::fs::read_dir(&dir).expect("docs/schema") {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let v: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            docs.insert(name, v);
        }
        Schemas { docs }
    }

    /// Validates a record by its `type` (`message` → message.schema.json).
    fn check_record(&self, v: &Value) -> Result<(), String> {
        let t = v["type"].as_str().ok_or("no type")?;
        let doc = format!("{t}.schema.json");
        let schema = self
            .docs
            .get(&doc)
            .ok_or_else(|| format!("no schema for record type {t:?} (docs/schema/{doc})"))?;
        self.check(&doc, schema, v, "")
    }

    fn resolve(&self, doc: &str, r: &str) -> Result<(String, &Value), String> {
        let (file, pointer) = r.split_once('#').unwrap_or((r, ""));
        let file = if file.is_empty() { doc } else { file };
        let d = self
            .docs
            .get(file)
            .ok_or(format!("$ref to unknown {file}"))?;
        let v = d
            .pointer(pointer)
            .ok_or(format!("$ref {r}: nothing there"))?;
        Ok((file.to_string(), v))
    }

    fn check(&self, doc: &str, s: &Value, v: &Value, at: &str) -> Result<(), String> {
        let fail = |what: String| Err(format!("{at}: {what} (value {})", short(v)));
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            let (d, target) = self.resolve(doc, r)?;
            self.check(&d, target, v, at)?;
        }
        if let Some(t) = s.get("type") {
            let types: Vec<&str> = match t {
                Value::String(x) => vec![x.as_str()],
                Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                _ => vec![],
            };
            if !types.iter().any(|t| type_ok(t, v)) {
                return fail(format!("not of type {types:?}"));
            }
        }
        if let Some(c) = s.get("const") {
            if c != v {
                return fail(format!("not {c}"));
            }
        }
        if let Some(Value::Array(e)) = s.get("enum") {
            if !e.contains(v) {
                return fail(format!("not one of {}", Value::Array(e.clone())));
            }
        }
        if let (Some(m), Some(n)) = (s.get("minimum").and_then(Value::as_i64), v.as_i64()) {
            if n < m {
                return fail(format!("below {m}"));
            }
        }
        if let Some(Value::Array(all)) = s.get("allOf") {
            for sub in all {
                self.check(doc, sub, v, at)?;
            }
        }
        if let Some(Value::Array(any)) = s.get("anyOf") {
            let errs: Vec<String> = any
                .iter()
                .filter_map(|sub| self.check(doc, sub, v, at).err())
                .collect();
            if errs.len() == any.len() {
                return fail(format!("matches none of anyOf: {}", errs.join(" | ")));
            }
        }
        if let Value::Object(obj) = v {
            if let Some(Value::Array(req)) = s.get("required") {
                for k in req.iter().filter_map(Value::as_str) {
                    if !obj.contains_key(k) {
                        return fail(format!("no {k:?}"));
                    }
                }
            }
            let props = s.get("properties").and_then(Value::as_object);
            for (k, x) in obj {
                let here = format!("{at}.{k}");
                match props.and_then(|p| p.get(k)) {
                    Some(sub) => self.check(doc, sub, x, &here)?,
                    None => match s.get("additionalProperties") {
                        Some(Value::Bool(false)) => {
                            return fail(format!("unexpected key {k:?}"));
                        }
                        Some(sub @ Value::Object(_)) => self.check(doc, sub, x, &here)?,
                        _ => {}
                    },
                }
            }
        }
        if let (Value::Array(items), Some(sub)) = (v, s.get("items")) {
            for (i, x) in items.iter().enumerate() {
                self.check(doc, sub, x, &format!("{at}[{i}]"))?;
            }
        }
        Ok(())
    }
}

fn type_ok(t: &str, v: &Value) -> bool {
    match t {
        "null" => v.is_null(),
        "boolean" => v.is_boolean(),
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        _ => false,
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    s.chars().take(120).collect()
}

/// Every record of a command's JSON Lines output, validated.
fn check_output(schemas: &Schemas, args: &[&str], failures: &mut Vec<String>, count: &mut usize) {
    let out = emlkit().args(args).output().expect("emlkit runs");
    // The command without its (many) input paths, so failures stay readable.
    let args: Vec<&str> = args
        .iter()
        .copied()
        .filter(|a| !a.contains('/') || a.ends_with(".zone"))
        .collect();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let v: Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("{args:?}: not JSON: {e}"));
                continue;
            }
        };
        *count += 1;
        if let Err(e) = schemas.check_record(&v) {
            failures.push(format!("{args:?}: {} record: {e}", v["type"]));
        }
    }
}

fn files_under(dir: &Path, ext: &[&str], out: &mut Vec<String>, limit: usize) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if out.len() >= limit {
            return;
        }
        if p.is_dir() {
            files_under(&p, ext, out, limit);
        } else if p
            .extension()
            .is_some_and(|e| ext.iter().any(|x| e.eq_ignore_ascii_case(x)))
        {
            out.push(p.to_string_lossy().into_owned());
        }
    }
}

#[test]
fn golden_files_validate_against_the_message_schema() {
    let schemas = Schemas::load();
    let mut n = 0;
    for e in std::fs::read_dir(testdata("messages")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "json") {
            let v: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
            schemas
                .check_record(&v)
                .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            n += 1;
        }
    }
    assert!(n >= 9, "only {n} golden files");
}

#[test]
fn every_command_writes_json_its_schema_describes() {
    let schemas = Schemas::load();
    let mut inputs = Vec::new();
    files_under(&testdata("messages"), &["eml"], &mut inputs, 100);
    files_under(&testdata("trace"), &["eml"], &mut inputs, 200);
    files_under(&testdata("extract"), &["eml"], &mut inputs, 300);
    files_under(&testdata("dkim"), &["eml"], &mut inputs, 350);
    files_under(&testdata("sender"), &["eml"], &mut inputs, 360);
    if let Some(c) = corpora() {
        files_under(&c, &["eml", "msg", "txt"], &mut inputs, 500);
    }
    let mboxes = [
        testdata("tour/archive.mbox").to_string_lossy().into_owned(),
        testdata("mbox/gitpatch.mbox")
            .to_string_lossy()
            .into_owned(),
        testdata("mbox/mboxrd.mbox").to_string_lossy().into_owned(),
    ];
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x");
    let out = out.to_str().unwrap();
    let mut failures = Vec::new();
    let mut count = 0;
    let mut all: Vec<&str> = inputs.iter().map(String::as_str).collect();
    all.extend(mboxes.iter().map(String::as_str));
    // In batches, so a few hundred files take a few runs.
    for chunk in all.chunks(60) {
        for cmd in [
            &["json", "--no-body"][..],
            &["json"],
            &["json", "--iocs", "--no-body"],
            &["json", "--iocs", "--defang"],
            &["tree", "--json"],
            &["headers", "--json"],
            &["trace", "--json"],
            &["trace", "--json", "--iocs", "--all-findings"],
            &["trace", "--stats", "--json"],
            &["scan", "--json"],
            &["sort", "--json"],
            &["thread", "--json"],
            &["pick", "--json", "*"],
            &["extract", "--json", "-a", "-o", out],
        ] {
            let mut args: Vec<&str> = cmd.to_vec();
            args.extend_from_slice(chunk);
            check_output(&schemas, &args, &mut failures, &mut count);
        }
        let _ = std::fs::remove_dir_all(out);
    }
    // DKIM and ARC verified with the test zones: verdicts, ARC sets.
    let mut dkim = Vec::new();
    files_under(&testdata("dkim"), &["eml"], &mut dkim, 100);
    for zone in ["arc.zone", "rfc8463.zone"] {
        let zone = testdata("dkim").join(zone);
        let mut args = vec!["trace", "--json", "--dkim-keys", zone.to_str().unwrap()];
        args.extend(dkim.iter().map(String::as_str));
        check_output(&schemas, &args, &mut failures, &mut count);
    }
    for m in &mboxes {
        check_output(&schemas, &["info", "--json", m], &mut failures, &mut count);
    }
    check_output(
        &schemas,
        &["info", "--json", testdata("dovecot").to_str().unwrap()],
        &mut failures,
        &mut count,
    );
    failures.truncate(20);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(count > 1000, "only {count} records checked");
}

#[test]
fn the_validator_rejects_drift() {
    // The shapes schema 1 had must fail now: the test is not vacuous.
    let schemas = Schemas::load();
    let (_, out, _) = run(&["trace", "--json", "testdata/trace/mta/postfix.eml"]);
    let good: Value = serde_json::from_str(out.trim()).unwrap();
    schemas.check_record(&good).unwrap();
    for (pointer, old) in [
        (
            "/message_id",
            serde_json::json!({"text": "<a@b>", "offset": 3}),
        ),
        ("/from", serde_json::json!("alice@example.org")),
        ("/hops/0/hop", serde_json::json!(0)),
        ("/summary/origin_hop", serde_json::json!(0)),
        (
            "/hops/0/date",
            serde_json::json!({"written": "x", "utc": null, "timestamp": null}),
        ),
    ] {
        let mut bad = good.clone();
        *bad.pointer_mut(pointer).unwrap() = old.clone();
        assert!(
            schemas.check_record(&bad).is_err(),
            "{pointer} = {old} passed the schema"
        );
    }
    let (_, out, _) = run(&["trace", "--json", "testdata/messages/resent.eml"]);
    let mut t: Value = serde_json::from_str(out.trim()).unwrap();
    schemas.check_record(&t).unwrap();
    let resent = t["events"]
        .as_array()
        .unwrap()
        .iter()
        .position(|e| e["event"] == "resent")
        .unwrap();
    t["events"][resent]["from"] = serde_json::json!({"text": "a@b", "offset": 1});
    assert!(schemas.check_record(&t).is_err());
    let (_, out, _) = run(&["json", "testdata/messages/resent.eml"]);
    let mut m: Value = serde_json::from_str(out.trim()).unwrap();
    schemas.check_record(&m).unwrap();
    m["resent"][0]["date"] = serde_json::json!({"raw": "x", "parsed": null});
    assert!(schemas.check_record(&m).is_err());
}

#[test]
fn the_validator_rejects_an_unknown_key() {
    // The validator itself: `additionalProperties: false` rejects a key
    // the schema does not list, an `additionalProperties` schema checks
    // the values of the keys it does not list.
    let schema = serde_json::json!({
        "type": "object",
        "properties": {"a": {"type": "integer"},
                       "m": {"type": "object", "additionalProperties": {"type": "string"}}},
        "additionalProperties": false
    });
    let mut docs = HashMap::new();
    docs.insert("t.schema.json".to_string(), schema.clone());
    let s = Schemas { docs };
    let ok = serde_json::json!({"a": 1, "m": {"x": "y"}});
    s.check("t.schema.json", &schema, &ok, "").unwrap();
    let extra = serde_json::json!({"a": 1, "b": 2});
    let e = s.check("t.schema.json", &schema, &extra, "").unwrap_err();
    assert!(e.contains("unexpected key \"b\""), "{e}");
    let bad_value = serde_json::json!({"m": {"x": 1}});
    assert!(s.check("t.schema.json", &schema, &bad_value, "").is_err());
}

/// A record of `args` (one message), validated, and the schema checked to
/// reject it with an undocumented key added at each of `objects` and with
/// each `(pointer, value)` of `bad` in place.
fn rejects_drift(
    schemas: &Schemas,
    args: &[&str],
    objects: &[&str],
    bad: &[(&str, Value)],
) -> Value {
    let (code, out, err) = run(args);
    assert_eq!(code, 0, "{args:?}: {err}");
    let good: Value = serde_json::from_str(out.trim()).unwrap();
    schemas
        .check_record(&good)
        .unwrap_or_else(|e| panic!("{args:?}: {e}"));
    for pointer in objects {
        let mut v = good.clone();
        let o = v
            .pointer_mut(pointer)
            .and_then(Value::as_object_mut)
            .unwrap_or_else(|| panic!("{args:?}: no object at {pointer}"));
        o.insert("undocumented".into(), Value::Bool(true));
        assert!(
            schemas.check_record(&v).is_err(),
            "{args:?}: an unknown key at {pointer} passed the schema"
        );
    }
    for (pointer, value) in bad {
        let mut v = good.clone();
        *v.pointer_mut(pointer)
            .unwrap_or_else(|| panic!("{args:?}: nothing at {pointer}")) = value.clone();
        assert!(
            schemas.check_record(&v).is_err(),
            "{args:?}: {pointer} = {value} passed the schema"
        );
    }
    good
}

#[test]
fn the_new_sections_are_described_exactly() {
    // DKIM verdicts, the ARC chain, sender identities, vendor fields,
    // indicators and severities: each object closed, each enum checked.
    let schemas = Schemas::load();
    let zone = testdata("dkim/arc.zone");
    let msg = testdata("dkim/arc-pass.eml");
    let t = rejects_drift(
        &schemas,
        &[
            "trace",
            "--json",
            "--iocs",
            "--dkim-keys",
            zone.to_str().unwrap(),
            msg.to_str().unwrap(),
        ],
        &[
            "",
            "/authentication",
            "/authentication/dkim/0",
            "/authentication/dkim/0/signed/0",
            "/authentication/arc",
            "/authentication/arc/sets/0",
            "/authentication/arc/sets/0/ams",
            "/authentication/arc/sets/0/seal",
            "/authentication/results/0",
            "/authentication/results/0/results/0",
            "/authentication/signatures/0",
            "/hops/0",
            "/hops/0/from",
            "/iocs",
            "/iocs/indicators/0",
            "/iocs/indicators/0/locations/0",
            "/findings/0",
            "/sender",
        ],
        &[
            ("/authentication/dkim/0/result", serde_json::json!("passed")),
            ("/authentication/dkim/0/body_hash", serde_json::json!("ok")),
            ("/authentication/arc/result", serde_json::json!("none")),
            (
                "/authentication/arc/sets/0/seal/result",
                serde_json::json!(1),
            ),
            ("/authentication/arc/sealer_hop", serde_json::json!(0)),
            ("/findings/0/severity", serde_json::json!("warning")),
            ("/iocs/indicators/0/kind", serde_json::json!("hash")),
            ("/hops/0/kind", serde_json::json!("smtp")),
        ],
    );
    assert_eq!(t["authentication"]["arc"]["result"], "pass");
    let mut no_severity = t.clone();
    no_severity["findings"][0]
        .as_object_mut()
        .unwrap()
        .remove("severity");
    assert!(schemas.check_record(&no_severity).is_err());

    let phish = testdata("sender/phish.eml");
    let phish = phish.to_str().unwrap();
    rejects_drift(
        &schemas,
        &["trace", "--json", phish],
        &["/sender", "/sender/pairs/0", "/sender/domains/0"],
        &[("/sender/pairs/0/identity", serde_json::json!("from"))],
    );
    let m = rejects_drift(
        &schemas,
        &["json", "--iocs", "--no-body", phish],
        &[
            "",
            "/iocs",
            "/iocs/indicators/0/locations/0",
            "/iocs/findings/0",
            "/parts/0",
        ],
        &[("/iocs/dropped", serde_json::json!(-1))],
    );
    assert!(!m["iocs"]["indicators"].as_array().unwrap().is_empty());

    let ms = testdata("trace/vendors/microsoft.eml");
    rejects_drift(
        &schemas,
        &["trace", "--json", ms.to_str().unwrap()],
        &["/vendors/0", "/vendors/0/items/0"],
        &[("/vendors/0/format", serde_json::json!("json"))],
    );
    let stats = rejects_drift(
        &schemas,
        &["trace", "--stats", "--json", ms.to_str().unwrap()],
        &["", "/relays/0"],
        &[("/findings", serde_json::json!({"x": "1"}))],
    );
    assert!(stats["relay_limit"].as_u64().is_some());
}
