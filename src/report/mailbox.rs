//! The report of a whole mailbox: per-message [`Facts`] (small, computed on
//! any core) folded in input order into an [`Overview`] of bounded size
//! (counters, fixed histograms, capped key maps), drawn as charts with
//! their numbers as tables.
//!
//! The numbers are those of `emlkit trace --stats` (messages, hops, relays
//! with median/p95 delay and TLS share, trace findings by code) and of
//! `emlkit info` (per input: kind, messages, bytes, mbox findings): the same
//! analysis, counted the same way.

use super::html::{self, attr, clip, text};
use super::svg;
use crate::export::info::SummaryRec;
use crate::forensics::{hops::fmt_delay, hops::utc, Trace};
use crate::model::Message;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::net::IpAddr;

/// Most distinct keys per counted table (senders, relays, networks, days);
/// beyond, new keys are counted as "other" (exact below the cap).
pub const MAX_KEYS: usize = 50_000;
/// Most messages listed as anomalies (all are counted).
pub const MAX_ANOMALIES: usize = 500;
/// Rows of ranked tables shown (relays, senders, networks).
pub const TOP: usize = 25;

/// One hop, as the overview counts it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HopFacts {
    /// The receiving host, lower-case, without a final dot.
    pub by: Option<String>,
    /// TLS on this hop.
    pub tls: bool,
    /// Signed delay from the previous dated hop.
    pub delay: Option<i64>,
}

/// What the overview needs to know about one message.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Facts {
    /// `path`, `archive.mbox#3`.
    pub label: String,
    /// Decoded subject.
    pub subject: Option<String>,
    /// Size in bytes.
    pub size: u64,
    /// The Date header in Unix seconds.
    pub date: Option<i64>,
    /// The From address, lower-case.
    pub from: Option<String>,
    /// The originating IP.
    pub origin: Option<IpAddr>,
    /// Hops in delivery order.
    pub hops: Vec<HopFacts>,
    /// Seconds from the oldest to the newest dated hop.
    pub transit: Option<i64>,
    /// Newest claim per method: (method, result).
    pub auth: Vec<(String, String)>,
    /// Each DKIM signature as verified offline: (signature result, body
    /// hash result), as `trace`'s `authentication.dkim`.
    #[serde(default)]
    pub dkim_verified: Vec<(String, String)>,
    /// Codes of the trace's findings (as `trace --stats` counts them).
    pub trace_findings: Vec<String>,
    /// Codes of the other findings of the message (body, MIME, extraction).
    pub other_findings: Vec<String>,
    /// This message's section, when it is shown in detail.
    pub detail: Option<String>,
}

impl Facts {
    /// The facts of one parsed message and its trace.
    pub fn new(label: &str, msg: &Message<'_>, t: &Trace) -> Facts {
        // Set look-ups: thousands of findings stay linear.
        let traced: std::collections::HashSet<(&str, Option<u64>, &str)> = t
            .findings
            .iter()
            .map(|f| (f.code, f.offset, f.message.as_str()))
            .collect();
        let other: Vec<String> = msg
            .findings()
            .iter()
            .filter(|f| !traced.contains(&(f.code, f.offset, f.message.as_str())))
            .map(|f| f.code.to_string())
            .collect();
        Facts {
            label: label.to_string(),
            subject: msg.subject(),
            size: msg.raw.len() as u64,
            date: t.date_timestamp,
            from: t.from.as_ref().map(|f| f.to_ascii_lowercase()),
            origin: t.summary.origin.map(|(_, ip)| ip),
            hops: t
                .hops
                .iter()
                .map(|h| HopFacts {
                    by: h
                        .by
                        .as_ref()
                        .map(|b| b.trim_end_matches('.').to_ascii_lowercase()),
                    tls: h.tls,
                    delay: h.delay,
                })
                .collect(),
            transit: t.summary.transit,
            auth: t
                .auth_summary
                .iter()
                .map(|m| (m.method.clone(), m.result.clone()))
                .collect(),
            dkim_verified: t
                .auth
                .dkim
                .iter()
                .map(|v| {
                    (
                        v.result.as_str().to_string(),
                        v.body_hash.as_str().to_string(),
                    )
                })
                .collect(),
            trace_findings: t.findings.iter().map(|f| f.code.to_string()).collect(),
            other_findings: other,
            detail: None,
        }
    }
}

/// Counts by key, with at most [`MAX_KEYS`] keys; new keys beyond are
/// counted in `other`.
#[derive(Debug, Clone, Default)]
pub struct Counter<V> {
    /// Key → value.
    pub map: HashMap<String, V>,
    /// Additions under keys that did not fit.
    pub other: u64,
}

impl<V: Default> Counter<V> {
    /// The value of `key`, created when there is room.
    pub fn entry(&mut self, key: &str) -> Option<&mut V> {
        if !self.map.contains_key(key) {
            if self.map.len() >= MAX_KEYS {
                self.other += 1;
                return None;
            }
            self.map.insert(key.to_string(), V::default());
        }
        self.map.get_mut(key)
    }
}

/// Per relay (receiving host): as `trace --stats`.
#[derive(Debug, Clone, Default)]
pub struct Relay {
    /// Messages with a hop received by this host.
    pub messages: u64,
    /// Hops received by this host.
    pub hops: u64,
    /// Of which with TLS.
    pub tls: u64,
    /// Delays, as `trace --stats` counts them (the same histogram).
    pub delays: crate::forensics::delays::DelayHistogram,
}

impl Relay {
    /// The nearest-rank quantile `q` of the delays, to the histogram's
    /// precision: the same numbers as `trace --stats`.
    pub fn quantile(&self, q: f64) -> Option<i64> {
        self.delays.quantile(q)
    }
}

/// Histogram buckets of delays (seconds): upper bounds, exclusive.
const DELAY_BUCKETS: [(i64, &str); 9] = [
    (0, "< 0 (skew)"),
    (1, "0 s"),
    (10, "1-9 s"),
    (60, "10-59 s"),
    (300, "1-4 min"),
    (1800, "5-29 min"),
    (7200, "30 min-2 h"),
    (43200, "2-12 h"),
    (86400, "12-24 h"),
];

fn delay_bucket(d: i64) -> usize {
    DELAY_BUCKETS
        .iter()
        .position(|(b, _)| d < *b)
        .unwrap_or(DELAY_BUCKETS.len())
}

fn delay_labels() -> Vec<String> {
    let mut v: Vec<String> = DELAY_BUCKETS.iter().map(|b| b.1.to_string()).collect();
    v.push("≥ 1 day".into());
    v
}

/// Size buckets: < 1 KiB, then powers of two up to ≥ 64 MiB.
const SIZE_BUCKETS: usize = 18;

fn size_bucket(s: u64) -> usize {
    let mut b = 0;
    let mut lim = 1024u64;
    while s >= lim && b < SIZE_BUCKETS - 1 {
        b += 1;
        lim *= 2;
    }
    b
}

fn size_labels() -> Vec<String> {
    let h = |n: u64| {
        if n >= 1 << 20 {
            format!("{} MiB", n >> 20)
        } else {
            format!("{} KiB", n >> 10)
        }
    };
    (0..SIZE_BUCKETS)
        .map(|b| {
            let lo = 1024u64 << b.saturating_sub(1);
            let hi = 1024u64 << b;
            match b {
                0 => "< 1 KiB".to_string(),
                _ if b == SIZE_BUCKETS - 1 => format!("≥ {}", h(lo)),
                _ => format!("{}-{}", h(lo), h(hi)),
            }
        })
        .collect()
}

/// Methods counted over time.
const METHODS: [&str; 3] = ["spf", "dkim", "dmarc"];

fn verdict_index(r: Option<&str>) -> usize {
    match r {
        Some("pass") => 0,
        Some("fail" | "softfail" | "permerror" | "temperror" | "hardfail" | "policy") => 1,
        _ => 2,
    }
}

/// The day (days since 1970-01-01) of a Unix time.
fn day(ts: i64) -> i64 {
    ts.div_euclid(86400)
}

/// The Monday starting the ISO week of a day (1970-01-01 was a Thursday).
fn week(d: i64) -> i64 {
    d - (d + 3).rem_euclid(7)
}

fn day_label(d: i64) -> String {
    let s = utc(d.saturating_mul(86400));
    s.get(..10).unwrap_or(&s).to_string()
}

fn network(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v) => {
            let o = v.octets();
            format!("{}.{}.{}.0/24", o[0], o[1], o[2])
        }
        IpAddr::V6(v) => {
            let s = v.segments();
            format!("{:x}:{:x}:{:x}::/48", s[0], s[1], s[2])
        }
    }
}

/// A message listed as an anomaly.
#[derive(Debug, Clone)]
pub struct Anomaly {
    /// Position in the mailbox (0-based, over all inputs).
    pub seq: usize,
    /// Where it is.
    pub label: String,
    /// Subject.
    pub subject: Option<String>,
    /// Distinct finding codes.
    pub codes: Vec<String>,
}

/// The mailbox overview: bounded whatever the number of messages.
#[derive(Default)]
#[non_exhaustive]
pub struct Overview {
    /// The inputs as `emlkit info` describes them.
    pub inputs: Vec<SummaryRec>,
    /// Messages counted.
    pub messages: u64,
    /// Their bytes.
    pub bytes: u64,
    /// Hops.
    pub hops: u64,
    /// Messages without a Received field.
    pub without_received: u64,
    /// Messages per day (by Date).
    pub days: Counter<u64>,
    /// Messages without a usable Date.
    pub undated: u64,
    /// Size histogram (under 1 KiB, then powers of two up to 64 MiB and more).
    pub sizes: [u64; SIZE_BUCKETS],
    /// Hop delay histogram.
    pub delays: [u64; 10],
    /// Transit histogram.
    pub transits: [u64; 10],
    /// Relays.
    pub relays: Counter<Relay>,
    /// From addresses.
    pub senders: Counter<u64>,
    /// Origin networks (/24, /48).
    pub networks: Counter<u64>,
    /// Messages without an origin IP.
    pub no_origin: u64,
    /// Week → per method (spf, dkim, dmarc) [pass, fail, none/other].
    pub auth_weeks: BTreeMap<i64, [[u64; 3]; 3]>,
    /// Undated messages' verdicts.
    pub auth_undated: [[u64; 3]; 3],
    /// DKIM signatures verified offline, by (signature result, body hash
    /// result): a handful of keys (the results are fixed words).
    pub dkim_verified: BTreeMap<(String, String), u64>,
    /// Trace findings by code (as `trace --stats`).
    pub trace_findings: BTreeMap<String, u64>,
    /// Other findings by code.
    pub other_findings: BTreeMap<String, u64>,
    /// Messages with findings (the first [`MAX_ANOMALIES`]).
    pub anomalies: Vec<Anomaly>,
    /// All messages with findings.
    pub anomalies_total: u64,
    /// Detailed sections, in order.
    pub details: Vec<String>,
    /// Messages to show in detail.
    pub detail_limit: usize,
}

impl Overview {
    /// An empty overview that keeps the first `detail` messages in detail.
    pub fn new(detail: usize) -> Overview {
        Overview {
            detail_limit: detail,
            ..Overview::default()
        }
    }

    /// Counts one message (call in input order: details and the anomaly
    /// list keep the first ones).
    pub fn add(&mut self, f: Facts) {
        let seq = self.messages as usize;
        self.messages += 1;
        self.bytes += f.size;
        self.hops += f.hops.len() as u64;
        if f.hops.is_empty() {
            self.without_received += 1;
        }
        match f.date {
            Some(ts) => match self.days.entry(&day(ts).to_string()) {
                Some(n) => *n += 1,
                None => self.undated += 1,
            },
            None => self.undated += 1,
        }
        self.sizes[size_bucket(f.size)] += 1;
        if let Some(t) = f.transit {
            self.transits[delay_bucket(t)] += 1;
        }
        // Relays: as `trace --stats` (a message counts once per relay).
        let mut seen: std::collections::HashSet<&str> = Default::default();
        for h in &f.hops {
            if let Some(d) = h.delay {
                self.delays[delay_bucket(d)] += 1;
            }
            let Some(by) = h.by.as_deref() else { continue };
            if let Some(r) = self.relays.entry(by) {
                r.hops += 1;
                r.tls += u64::from(h.tls);
                if let Some(d) = h.delay {
                    r.delays.add(d);
                }
                if seen.insert(by) {
                    r.messages += 1;
                }
            }
        }
        if let Some(s) = &f.from {
            if let Some(n) = self.senders.entry(s) {
                *n += 1;
            }
        }
        match f.origin {
            Some(ip) => {
                if let Some(n) = self.networks.entry(&network(ip)) {
                    *n += 1;
                }
            }
            None => self.no_origin += 1,
        }
        for key in &f.dkim_verified {
            // Fixed words from our verifier; a bound all the same.
            if self.dkim_verified.len() < MAX_KEYS || self.dkim_verified.contains_key(key) {
                *self.dkim_verified.entry(key.clone()).or_default() += 1;
            }
        }
        let mut v = [[0u64; 3]; 3];
        for (k, m) in METHODS.iter().enumerate() {
            let r = f.auth.iter().find(|(x, _)| x == m).map(|(_, r)| r.as_str());
            v[k][verdict_index(r)] = 1;
        }
        let slot = match f.date {
            Some(ts)
                if self.auth_weeks.len() < MAX_KEYS
                    || self.auth_weeks.contains_key(&week(day(ts))) =>
            {
                self.auth_weeks.entry(week(day(ts))).or_default()
            }
            _ => &mut self.auth_undated,
        };
        for k in 0..3 {
            for j in 0..3 {
                slot[k][j] += v[k][j];
            }
        }
        for c in &f.trace_findings {
            *self.trace_findings.entry(c.clone()).or_default() += 1;
        }
        for c in &f.other_findings {
            *self.other_findings.entry(c.clone()).or_default() += 1;
        }
        if !f.trace_findings.is_empty() || !f.other_findings.is_empty() {
            self.anomalies_total += 1;
            if self.anomalies.len() < MAX_ANOMALIES {
                let mut codes: Vec<String> = f
                    .trace_findings
                    .iter()
                    .chain(&f.other_findings)
                    .cloned()
                    .collect();
                codes.sort();
                codes.dedup();
                self.anomalies.push(Anomaly {
                    seq,
                    label: f.label.clone(),
                    subject: f.subject.clone(),
                    codes,
                });
            }
        }
        if seq < self.detail_limit {
            if let Some(d) = f.detail {
                self.details.push(d);
            }
        }
    }

    /// The relays as `trace --stats` orders them: by messages, then name.
    pub fn relay_rows(&self) -> Vec<(&str, &Relay)> {
        let mut rows: Vec<(&str, &Relay)> = self
            .relays
            .map
            .iter()
            .map(|(k, r)| (k.as_str(), r))
            .collect();
        rows.sort_by(|a, b| b.1.messages.cmp(&a.1.messages).then_with(|| a.0.cmp(b.0)));
        rows
    }

    /// The whole page.
    pub fn render(&self) -> String {
        let mut out = String::new();
        html::open(&mut out, "emlkit mailbox report");
        out.push_str("<h1>Mailbox report</h1>\n<nav><a href=\"#inputs\">Inputs</a><a href=\"#time\">Over time</a><a href=\"#sizes\">Sizes and delays</a><a href=\"#relays\">Relays</a><a href=\"#senders\">Senders</a><a href=\"#auth\">Authentication</a><a href=\"#findings\">Findings</a><a href=\"#anomalies\">Anomalies</a><a href=\"#messages\">Messages</a></nav>\n");
        self.inputs_html(&mut out);
        self.time_html(&mut out);
        self.sizes_html(&mut out);
        self.relays_html(&mut out);
        self.senders_html(&mut out);
        self.auth_html(&mut out);
        self.findings_html(&mut out);
        self.anomalies_html(&mut out);
        let _ = writeln!(
            out,
            "<section id=\"messages\"><h2>Messages in detail</h2><p class=\"muted\">The first <span id=\"n-detail\">{}</span> of {} messages (<code>--detail N</code> shows more); the rest are counted above.</p>",
            self.details.len(),
            self.messages
        );
        for d in &self.details {
            out.push_str(d);
        }
        out.push_str("</section>\n");
        let _ = write!(
            out,
            "<p class=\"muted\">Made by emlkit {} offline: nothing was looked up, nothing from the messages is active on this page.</p>",
            env!("CARGO_PKG_VERSION")
        );
        html::close(&mut out);
        out
    }

    fn inputs_html(&self, out: &mut String) {
        out.push_str("<section id=\"inputs\"><h2>Inputs</h2>\n<dl class=\"kv totals\">");
        let _ = writeln!(
            out,
            "<dt>messages</dt><dd id=\"n-messages\">{}</dd><dt>bytes</dt><dd id=\"n-bytes\">{}</dd><dt>hops</dt><dd id=\"n-hops\">{}</dd><dt>without Received</dt><dd id=\"n-without-received\">{}</dd><dt>with findings</dt><dd id=\"n-anomalies\">{}</dd></dl>",
            self.messages, self.bytes, self.hops, self.without_received, self.anomalies_total
        );
        if !self.inputs.is_empty() {
            out.push_str("<table class=\"inputs\">");
            html::header_row(
                out,
                &[
                    "input",
                    "kind",
                    "messages (n)",
                    "bytes (n)",
                    "mailbox findings (n)",
                    "by code",
                ],
            );
            for i in &self.inputs {
                let kind = match i.dialect {
                    Some(d) => format!("{} ({d}, {})", i.kind, i.line_endings.unwrap_or("")),
                    None => i.kind.to_string(),
                };
                let codes = i
                    .findings_by_code
                    .as_ref()
                    .map(|m| {
                        m.iter()
                            .map(|(k, n)| format!("{k} {n}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "<tr class=\"input\"><td class=\"mono\">{}</td><td>{}</td><td class=\"n\" data-k=\"messages\">{}</td><td class=\"n\" data-k=\"bytes\">{}</td><td class=\"n\" data-k=\"findings\">{}</td><td>{}</td></tr>",
                    text(&i.path),
                    text(&kind),
                    i.messages,
                    i.bytes,
                    i.findings_count,
                    text(&codes)
                );
            }
            out.push_str("</table>\n");
        }
        out.push_str("</section>\n");
    }

    fn time_html(&self, out: &mut String) {
        out.push_str("<section id=\"time\"><h2>Messages over time</h2>\n");
        let mut days: Vec<(i64, u64)> = self
            .days
            .map
            .iter()
            .filter_map(|(k, v)| Some((k.parse::<i64>().ok()?, *v)))
            .collect();
        days.sort_unstable();
        let by_week = days.len() > 60;
        let rows: Vec<(String, Vec<u64>)> = if by_week {
            let mut w: BTreeMap<i64, u64> = BTreeMap::new();
            for (d, n) in &days {
                *w.entry(week(*d)).or_default() += n;
            }
            w.into_iter()
                .map(|(k, n)| (day_label(k), vec![n]))
                .collect()
        } else {
            days.iter()
                .map(|(d, n)| (day_label(*d), vec![*n]))
                .collect()
        };
        let unit = if by_week {
            "week (starting Monday)"
        } else {
            "day"
        };
        let _ = write!(out, "<h3>Messages per {unit}, by Date (UTC)</h3>");
        out.push_str(&svg::columns(
            &format!("messages per {unit}"),
            &rows,
            &["messages"],
        ));
        table_of_columns(out, unit, &rows, &["messages"]);
        let _ = writeln!(
            out,
            "<p class=\"muted\">{} messages without a usable Date{}.</p></section>",
            self.undated,
            if self.days.other > 0 {
                format!(" or beyond {MAX_KEYS} distinct days")
            } else {
                String::new()
            }
        );
    }

    fn sizes_html(&self, out: &mut String) {
        out.push_str("<section id=\"sizes\"><h2>Sizes and delays</h2>\n<h3>Message size</h3>");
        let rows: Vec<(String, Vec<u64>)> = size_labels()
            .into_iter()
            .zip(self.sizes.iter())
            .map(|(l, n)| (l, vec![*n]))
            .collect();
        out.push_str(&svg::columns("message sizes", &rows, &["messages"]));
        table_of_columns(out, "size", &rows, &["messages"]);
        out.push_str("<h3>Delay per hop (from the previous dated hop)</h3>");
        let rows: Vec<(String, Vec<u64>)> = delay_labels()
            .into_iter()
            .zip(self.delays.iter())
            .map(|(l, n)| (l, vec![*n]))
            .collect();
        out.push_str(&svg::columns("hop delays", &rows, &["hops"]));
        table_of_columns(out, "delay", &rows, &["hops"]);
        out.push_str("<h3>Transit (oldest to newest dated hop)</h3>");
        let rows: Vec<(String, Vec<u64>)> = delay_labels()
            .into_iter()
            .zip(self.transits.iter())
            .map(|(l, n)| (l, vec![*n]))
            .collect();
        out.push_str(&svg::columns("transit times", &rows, &["messages"]));
        table_of_columns(out, "transit", &rows, &["messages"]);
        out.push_str("</section>\n");
    }

    fn relays_html(&self, out: &mut String) {
        out.push_str("<section id=\"relays\"><h2>Relays (receiving hosts)</h2>\n");
        let rows = self.relay_rows();
        let chart: Vec<(String, u64)> = rows
            .iter()
            .take(TOP)
            .map(|(k, r)| (k.to_string(), r.messages))
            .collect();
        out.push_str("<h3>Top relays by messages</h3>");
        out.push_str(&svg::bars("top relays", &chart));
        out.push_str("<h3>TLS share per relay</h3>");
        let tls: Vec<(String, u64)> = rows
            .iter()
            .take(TOP)
            .map(|(k, r)| (k.to_string(), share(r.tls, r.hops)))
            .collect();
        out.push_str(&svg::bars("TLS share per relay (percent of hops)", &tls));
        out.push_str("<table class=\"relays\"><colgroup><col style=\"width:40%\"><col><col><col><col><col></colgroup>");
        html::header_row(
            out,
            &[
                "relay (by)",
                "messages (n)",
                "hops (n)",
                "median delay (n)",
                "p95 delay (n)",
                "TLS (n)",
            ],
        );
        for (k, r) in rows.iter().take(200) {
            let q = |v: Option<i64>| v.map(fmt_delay).unwrap_or_default();
            let _ = writeln!(
                out,
                "<tr class=\"relay\"><td class=\"mono\">{}</td><td class=\"n\" data-k=\"messages\">{}</td><td class=\"n\" data-k=\"hops\">{}</td><td class=\"n\" data-k=\"median\" data-s=\"{}\">{}</td><td class=\"n\" data-k=\"p95\" data-s=\"{}\">{}</td><td class=\"n\" data-k=\"tls\">{:.1}%</td></tr>",
                text(&clip(k, 300)),
                r.messages,
                r.hops,
                r.quantile(0.5).map(|v| v.to_string()).unwrap_or_default(),
                text(&q(r.quantile(0.5))),
                r.quantile(0.95).map(|v| v.to_string()).unwrap_or_default(),
                text(&q(r.quantile(0.95))),
                if r.hops == 0 { 0.0 } else { r.tls as f64 * 100.0 / r.hops as f64 },
            );
        }
        out.push_str("</table>\n");
        if rows.len() > 200 || self.relays.other > 0 {
            let _ = write!(out, "<p class=\"muted\">{} relays in all ({} not listed); {} hops under relays beyond {MAX_KEYS} distinct names.</p>", rows.len(), rows.len().saturating_sub(200), self.relays.other);
        }
        out.push_str("</section>\n");
    }

    fn senders_html(&self, out: &mut String) {
        out.push_str("<section id=\"senders\"><h2>Senders and origin networks</h2>\n");
        for (title, c, what, extra) in [
            ("Top senders (From address)", &self.senders, "sender", None),
            (
                "Top origin networks (originating IP, /24 or /48)",
                &self.networks,
                "network",
                Some(self.no_origin),
            ),
        ] {
            let mut rows: Vec<(String, u64)> = c.map.iter().map(|(k, v)| (k.clone(), *v)).collect();
            rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            rows.truncate(TOP);
            let _ = write!(out, "<h3>{}</h3>", text(title));
            out.push_str(&svg::bars(title, &rows));
            out.push_str("<table>");
            html::header_row(out, &[what, "messages (n)"]);
            for (k, v) in &rows {
                let _ = write!(
                    out,
                    "<tr><td class=\"mono\">{}</td><td class=\"n\">{v}</td></tr>",
                    text(&clip(k, 300))
                );
            }
            out.push_str("</table>\n");
            let _ = write!(
                out,
                "<p class=\"muted\">{} distinct{}.</p>",
                c.map.len(),
                extra
                    .map(|n| format!("; {n} messages without an originating IP"))
                    .unwrap_or_default()
            );
        }
        out.push_str("</section>\n");
    }

    fn auth_html(&self, out: &mut String) {
        out.push_str("<section id=\"auth\"><h2>Authentication over time</h2>\n<p class=\"muted\">The newest claim per method in each message, as the header states it (claims, not verified: the verified DKIM results are in the last table).</p>\n");
        for (k, m) in METHODS.iter().enumerate() {
            let rows: Vec<(String, Vec<u64>)> = self
                .auth_weeks
                .iter()
                .map(|(w, v)| (day_label(*w), v[k].to_vec()))
                .chain(
                    (self.auth_undated[k].iter().sum::<u64>() > 0)
                        .then(|| ("undated".to_string(), self.auth_undated[k].to_vec())),
                )
                .collect();
            let _ = write!(out, "<h3>{} per week</h3>", text(&m.to_uppercase()));
            out.push_str(&svg::columns(
                &format!("{m} per week"),
                &rows,
                &["pass", "fail", "none/other"],
            ));
            table_of_columns(out, "week", &rows, &["pass", "fail", "none/other"]);
        }
        out.push_str("<h3>DKIM signatures verified offline by emlkit</h3>");
        if self.dkim_verified.is_empty() {
            out.push_str("<p class=\"muted\">no DKIM signature</p>");
        } else {
            out.push_str("<table class=\"dkim-verified\">");
            html::header_row(out, &["signature", "body hash", "signatures (n)"]);
            for ((r, b), n) in &self.dkim_verified {
                let _ = write!(
                    out,
                    "<tr data-result=\"{}\" data-body-hash=\"{}\"><td>{}</td><td>{}</td><td class=\"n\">{n}</td></tr>",
                    attr(r),
                    attr(b),
                    text(r),
                    text(b)
                );
            }
            out.push_str("</table>\n<p class=\"muted\">Body hashes are always checked; signatures need <code>--dkim-keys</code> (otherwise <code>no_key</code>).</p>\n");
        }
        out.push_str("</section>\n");
    }

    fn findings_html(&self, out: &mut String) {
        out.push_str("<section id=\"findings\"><h2>Findings by code</h2>\n");
        for (title, map, class) in [
            (
                "Header and trace findings (as trace --stats counts them)",
                &self.trace_findings,
                "trace-findings",
            ),
            (
                "Other findings (MIME structure, bodies, extraction)",
                &self.other_findings,
                "other-findings",
            ),
        ] {
            let rows: Vec<(String, u64)> = map.iter().map(|(k, v)| (k.clone(), *v)).collect();
            let _ = write!(out, "<h3>{}</h3>", text(title));
            if rows.is_empty() {
                out.push_str("<p class=\"ok\">none</p>");
                continue;
            }
            out.push_str(&svg::bars(title, &rows));
            let _ = write!(out, "<table class=\"{class}\">");
            html::header_row(out, &["code", "severity", "findings (n)"]);
            for (k, v) in &rows {
                let sev = crate::model::Severity::of(k).as_str();
                let _ = write!(
                    out,
                    "<tr data-code=\"{}\"><td><code>{}</code></td><td class=\"sev-{sev}\">{sev}</td><td class=\"n\">{v}</td></tr>",
                    attr(k),
                    text(k)
                );
            }
            out.push_str("</table>\n");
        }
        out.push_str("</section>\n");
    }

    fn anomalies_html(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "<section id=\"anomalies\"><h2>Messages with findings ({})</h2>",
            self.anomalies_total
        );
        if self.anomalies.is_empty() {
            out.push_str("<p class=\"ok\">none</p></section>\n");
            return;
        }
        out.push_str("<table class=\"anomalies\"><colgroup><col style=\"width:6%\"><col style=\"width:24%\"><col style=\"width:35%\"><col style=\"width:35%\"></colgroup>");
        html::header_row(out, &["#", "message", "subject", "findings"]);
        for a in &self.anomalies {
            let n = if a.seq < self.details.len() {
                format!("<a href=\"#msg{}\">{}</a>", a.seq, a.seq + 1)
            } else {
                (a.seq + 1).to_string()
            };
            let codes: Vec<String> = a
                .codes
                .iter()
                .map(|c| format!("<code>{}</code>", text(c)))
                .collect();
            let _ = writeln!(
                out,
                "<tr><td class=\"n\">{n}</td><td class=\"mono\">{}</td><td>{}</td><td>{}</td></tr>",
                text(&a.label),
                text(&clip(a.subject.as_deref().unwrap_or(""), 300)),
                codes.join(" ")
            );
        }
        out.push_str("</table>\n");
        if self.anomalies_total as usize > self.anomalies.len() {
            let _ = write!(
                out,
                "<p class=\"muted\">{} more not listed.</p>",
                self.anomalies_total as usize - self.anomalies.len()
            );
        }
        out.push_str("</section>\n");
    }
}

fn share(part: u64, all: u64) -> u64 {
    if all == 0 {
        0
    } else {
        (part as f64 * 100.0 / all as f64).round() as u64
    }
}

fn table_of_columns(out: &mut String, what: &str, rows: &[(String, Vec<u64>)], series: &[&str]) {
    if rows.is_empty() {
        out.push_str("<p class=\"muted\">no data</p>");
        return;
    }
    // Short tables are shown; long ones (a year of weeks) fold away on
    // screen, still in the page.
    let open = if rows.len() <= 12 { " open" } else { "" };
    let _ = write!(
        out,
        "<details class=\"numbers\"{open}><summary>numbers ({} rows)</summary><table class=\"numbers\">",
        rows.len()
    );
    let mut head: Vec<String> = vec![what.to_string()];
    head.extend(series.iter().map(|s| format!("{s} (n)")));
    let head: Vec<&str> = head.iter().map(|s| s.as_str()).collect();
    html::header_row(out, &head);
    for (label, values) in rows {
        let _ = write!(out, "<tr><td>{}</td>", text(label));
        for v in values {
            let _ = write!(out, "<td class=\"n\">{v}</td>");
        }
        out.push_str("</tr>");
    }
    out.push_str("</table></details>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_and_weeks() {
        assert_eq!(delay_bucket(-5), 0);
        assert_eq!(delay_bucket(0), 1);
        assert_eq!(delay_bucket(9), 2);
        assert_eq!(delay_bucket(90_000), 9);
        assert_eq!(size_bucket(0), 0);
        assert_eq!(size_bucket(1024), 1);
        assert_eq!(size_bucket(u64::MAX), SIZE_BUCKETS - 1);
        assert_eq!(size_labels().len(), SIZE_BUCKETS);
        // 2024-03-01 was a Friday; its week starts on Monday 2024-02-26.
        assert_eq!(day_label(week(day(1709290000))), "2024-02-26");
    }

    #[test]
    fn quantiles_match_nearest_rank() {
        let mut r = Relay::default();
        for d in 1..=10 {
            r.delays.add(d);
        }
        assert_eq!(r.quantile(0.5), Some(5));
        assert_eq!(r.quantile(0.95), Some(10));
        assert_eq!(Relay::default().quantile(0.5), None);
    }

    #[test]
    fn counters_are_capped() {
        let mut c: Counter<u64> = Counter::default();
        for i in 0..MAX_KEYS + 10 {
            if let Some(n) = c.entry(&i.to_string()) {
                *n += 1;
            }
        }
        assert_eq!(c.map.len(), MAX_KEYS);
        assert_eq!(c.other, 10);
    }
}
