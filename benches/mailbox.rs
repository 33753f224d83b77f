//! Criterion benchmarks: mbox splitting, parse + JSON export (the record
//! `emlkit json` writes), and parse + part sizes (what `emlkit tree`
//! computes: decoded sizes and the encoding findings, without decoding).
//!
//! Uses the benchmark corpus when it has been generated
//! (`target/bench-data/50m.mbox`, see bench/compare.sh), and a synthetic
//! in-memory mbox otherwise.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use emlkit::export::json::{message_record, JsonOptions};
use emlkit::source::mbox::{unquote, MboxSplitter};
use emlkit::source::Origin;

fn corpus() -> Vec<u8> {
    let p = concat!(env!("CARGO_MANIFEST_DIR"), "/target/bench-data/50m.mbox");
    if let Ok(d) = std::fs::read(p) {
        return d;
    }
    let mut out = Vec::new();
    for i in 0..2000 {
        let mut m = format!(
            "From: a{i}@example.com\nTo: b@example.com\nSubject: =?utf-8?q?caf=C3=A9_{i}?=\n\
             Date: Mon, 1 Jan 2001 00:00:00 +0000\nMessage-ID: <{i}@x>\n\n"
        );
        for j in 0..(i % 50) {
            m.push_str(&format!("body line {j} with some words in it\n"));
        }
        m.push_str("From the archives\n");
        emlkit::sink::write_mboxrd(&mut out, b"From a@b Mon Jan  1 00:00:00 2001", m.as_bytes())
            .unwrap();
    }
    out
}

fn bench(c: &mut Criterion) {
    let data = corpus();
    let mut g = c.benchmark_group("mbox");
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.sample_size(10);
    g.bench_function("split", |b| b.iter(|| MboxSplitter::new(&data).count()));
    g.bench_function("split+unquote", |b| {
        b.iter(|| {
            MboxSplitter::new(&data)
                .map(|e| unquote(&data[e.message]).len())
                .sum::<usize>()
        })
    });
    g.bench_function("parse_headers", |b| {
        b.iter(|| {
            MboxSplitter::new(&data)
                .filter_map(|e| {
                    let m = unquote(&data[e.message.clone()]);
                    emlkit::model::parse(
                        &m,
                        e.message.start as u64,
                        emlkit::model::Scope::HeadersOnly,
                    )
                    .ok()
                    .map(|p| p.headers().len())
                })
                .sum::<usize>()
        })
    });
    let opts = JsonOptions::default();
    g.bench_function("parse+json", |b| {
        b.iter(|| {
            let mut total = 0usize;
            let mut buf = Vec::new();
            for e in MboxSplitter::new(&data) {
                let m = unquote(&data[e.message.clone()]);
                let mut origin = Origin::default();
                origin.path = "bench".into();
                origin.format = "mbox";
                origin.index = e.index;
                origin.offset = e.offset as u64;
                origin.data_offset = e.message.start as u64;
                if let Ok(p) =
                    emlkit::model::parse(&m, origin.data_offset, emlkit::model::Scope::Full)
                {
                    buf.clear();
                    serde_json::to_writer(&mut buf, &message_record(&origin, &p, &opts)).unwrap();
                    total += buf.len() + p.findings().len();
                }
            }
            total
        })
    });
    g.bench_function("parse+sizes", |b| {
        b.iter(|| {
            let mut total = 0usize;
            for e in MboxSplitter::new(&data) {
                let m = unquote(&data[e.message.clone()]);
                if let Ok(p) =
                    emlkit::model::parse(&m, e.message.start as u64, emlkit::model::Scope::Full)
                {
                    total += p.parts.iter().map(|x| x.decoded_size()).sum::<usize>();
                    total += p.findings().len();
                }
            }
            total
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
