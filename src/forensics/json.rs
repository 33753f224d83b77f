//! The `trace` JSON record (one per message; schema in docs/trace.md).

use super::hops::{utc, Hop};
use super::{Field, Located, Trace};
use crate::export::json::{raw_bytes, source};
use crate::source::Origin;
use serde_json::{json, Map, Value};

fn opt_field(f: &Option<Field>) -> Value {
    match f {
        Some(f) => json!({ "text": f.text, "offset": f.offset }),
        None => Value::Null,
    }
}

fn hop(h: &Hop, kind: &str, trusted: Option<bool>) -> Value {
    json!({
        "index": h.index,
        "offset": h.offset,
        "kind": kind,
        "trusted": trusted,
        "from": {
            "text": h.from,
            "helo": h.helo,
            "helo_cmd": h.helo_cmd,
            "rdns": h.rdns,
            "ip": h.ip.map(|i| i.to_string()),
            "ident": h.ident,
        },
        "by": h.by,
        "via": h.via,
        "with": h.with,
        "tls": {
            "used": h.tls,
            "version": h.tls_version,
            "cipher": h.tls_cipher,
        },
        "authenticated": h.authenticated,
        "id": h.id,
        "for": h.for_,
        "date": {
            "written": h.date_text,
            "utc": h.timestamp.map(utc),
            "timestamp": h.timestamp,
        },
        "delay": h.delay,
        "parsed": h.parsed,
        "raw": raw_bytes(&h.raw),
    })
}

fn located<T: serde::Serialize>(l: &Located<T>) -> Value {
    let mut v = serde_json::to_value(&l.value).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        m.insert("offset".into(), json!(l.offset));
        m.insert("trusted".into(), json!(l.trusted));
        m.insert("hop".into(), json!(l.hop));
        // Properties as an object keeps jq filters short (`.properties["header.d"]`);
        // repeated names keep the first value.
        for key in ["properties"] {
            if let Some(Value::Array(list)) = m.get(key) {
                let obj = pairs_to_object(list);
                m.insert(key.into(), obj);
            }
        }
        if let Some(Value::Array(results)) = m.get_mut("results") {
            for r in results {
                if let Value::Object(rm) = r {
                    if let Some(Value::Array(list)) = rm.get("properties") {
                        let obj = pairs_to_object(list);
                        rm.insert("properties".into(), obj);
                    }
                }
            }
        }
    }
    v
}

fn pairs_to_object(list: &[Value]) -> Value {
    let mut obj = Map::new();
    for p in list {
        if let Value::Array(kv) = p {
            if let (Some(Value::String(k)), Some(v)) = (kv.first(), kv.get(1)) {
                obj.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
    }
    Value::Object(obj)
}

/// Builds the `trace` record for one message.
pub fn record(origin: &Origin, t: &Trace) -> Value {
    let hops: Vec<Value> = t
        .hops
        .iter()
        .enumerate()
        .map(|(i, h)| {
            hop(
                h,
                t.kinds[i].as_str(),
                t.trusted.as_ref().and_then(|v| v.get(i).copied()),
            )
        })
        .collect();
    let mut events = Vec::new();
    if let Some(d) = &t.date {
        events.push(json!({
            "event": "date", "written": d.text, "offset": d.offset,
            "utc": t.date_timestamp.map(utc), "timestamp": t.date_timestamp,
        }));
    }
    for h in &t.hops {
        events.push(json!({
            "event": "hop", "hop": h.index, "written": h.date_text, "offset": h.offset,
            "utc": h.timestamp.map(utc), "timestamp": h.timestamp,
        }));
    }
    for b in &t.resent {
        events.push(json!({
            "event": "resent", "written": b.date.as_ref().map(|d| &d.text), "offset": b.offset,
            "utc": b.timestamp.map(utc), "timestamp": b.timestamp,
            "from": opt_field(&b.from), "sender": opt_field(&b.sender),
            "to": opt_field(&b.to), "cc": opt_field(&b.cc), "bcc": opt_field(&b.bcc),
            "message_id": opt_field(&b.message_id),
        }));
    }
    // Timed events in time order (stable: equal or missing times keep
    // header order); Return-Path, written at final delivery, comes last.
    events.sort_by_key(|e| e["timestamp"].as_i64().unwrap_or(i64::MAX));
    if let Some(rp) = &t.return_path {
        events.push(json!({
            "event": "return_path", "written": rp.text, "offset": rp.offset,
            "utc": null, "timestamp": null,
        }));
    }
    let s = &t.summary;
    let summary = json!({
        "hops": s.hops,
        "network_hops": s.network_hops,
        "tls_hops": s.tls_hops,
        "transit": s.transit,
        "since_date": s.since_date,
        "slowest_hop": s.slowest.map(|(i, d)| json!({ "hop": i, "delay": d })),
        "origin_ip": s.origin.map(|(_, ip)| ip.to_string()),
        "origin_hop": s.origin.map(|(i, _)| i),
    });
    let methods: Map<String, Value> = t
        .auth_summary
        .iter()
        .map(|m| {
            (
                m.method.clone(),
                json!({ "result": m.result, "authserv_id": m.authserv_id, "trusted": m.trusted }),
            )
        })
        .collect();
    let authentication = json!({
        "summary": methods,
        "results": t.auth.results.iter().map(located).collect::<Vec<_>>(),
        "received_spf": t.auth.received_spf.iter().map(located).collect::<Vec<_>>(),
        "signatures": t.auth.signatures.iter().map(located).collect::<Vec<_>>(),
    });
    json!({
        "type": "trace",
        "source": source(origin),
        "message_id": opt_field(&t.message_id),
        "from": t.from,
        "return_path": opt_field(&t.return_path),
        "hops": hops,
        "events": events,
        "authentication": authentication,
        "summary": summary,
        "findings": t.findings,
    })
}
