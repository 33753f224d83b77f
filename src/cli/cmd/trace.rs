//! `emlkit trace`: the path a message travelled (Received hops), its timing,
//! TLS and authentication, and the anomalies found in them.

use super::{InputArgs, Style};
use crate::export::limits::LimitLog;
use crate::forensics::delays::DelayHistogram;
use crate::forensics::{self, hops::fmt_delay, hops::utc, HopKind, Trace};
use crate::model;
use crate::source::Origin;
use anyhow::{Context, Result};
use clap::Args;
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

const LONG_ABOUT: &str = "\
Turns the Received header fields of each message into hops in delivery order
(oldest first): the client (HELO name, reverse DNS, IP), the receiving host,
the protocol, TLS, authentication, the queue id, the time as written and in
UTC, and the signed delay from the previous hop. Each hop is classified as
submission, relay, local or internal, and the originating IP (the first
public client address on the path) is reported.

Then the summary (total transit, TLS on N of M network hops, slowest hop),
the authentication fields (Authentication-Results, ARC, DKIM-Signature,
Received-SPF; nothing is looked up on the network) and findings with stable
codes: the message's header findings, as `emlkit json` reports them
(missing_date, duplicate_header, invalid_date, …), then the trace's own
(clock_skew, broken_chain, no_tls_public_hop, … see docs/trace.md). Each
finding is an anomaly or an observation: the table lists anomalies and
counts observations (--all-findings lists them); JSON has them all.

The sender section compares the From domain with Sender, Reply-To,
Return-Path, DKIM d=, the SPF mail-from and HELO, and the HELO name the
entry hop recorded (where the message came in from outside: the first hop
received by a --trust host, else the newest hop from a public address)
(strict and relaxed alignment as DMARC defines them, organizational
domains by the Public Suffix List) and reports display names that carry another address and
lookalike domains (punycode, mixed scripts, Unicode confusables; --trust
domains are protected names).

With --iocs, the URLs, domains, IP and e-mail addresses of the header fields
and of the text and HTML bodies (href, src, action, CSS url(), …) are listed
with their part and offset, deduplicated and counted; a link whose text
names another host is a finding. --defang writes them as hxxp://, [.].


DKIM signatures are verified offline: for each DKIM-Signature the body hash
(bh=, with its c= and l=; no key needed), the fields h= signs (bottom-up, as
RFC 6376 says), fields added above the signed ones (a second From), and with
--dkim-keys the signature itself (rsa-sha256; rsa-sha1 reported as weak;
ed25519-sha256). ARC chains are checked: instances, cv=, message signatures
and seals (with keys). Nothing is looked up in DNS unless --dns is given.

Only the header is parsed, so this is fast on big mailboxes; a DKIM- or
ARC-signed message is read whole for its body hash (--no-verify: never),
and every message with --iocs.

Exit codes: 0 ok; 1 a message had no Received field; 2 an input or message
could not be read, or a limit cut a message (`header_limit`, `trace_limit`,
… findings, also printed on stderr).

Examples:
  emlkit trace message.eml
  emlkit trace --trust example.net message.eml
  emlkit trace --all-findings message.eml
  emlkit trace --json archive.mbox | jq '.summary'
  emlkit trace --stats archive.mbox
  emlkit trace --dkim-keys keys.zone suspicious.eml
  emlkit trace --dns suspicious.eml              # keys from DNS (UDP, then TCP if truncated)
  emlkit trace --dns --dns-server 127.0.0.53:53 --dkim-keys known.zone suspicious.eml
  emlkit trace --json --dkim-keys keys.zone archive.mbox | jq '.authentication.dkim[] | {d, body_hash, result}'
  emlkit trace --iocs --defang phish.eml
  emlkit trace --json --iocs message.eml | jq '.iocs.indicators[] | select(.kind == \"url\")'";

/// Arguments of `emlkit trace`.
#[derive(Debug, Args)]
#[command(
    about = "Show the path a message travelled: hops, delays, TLS, authentication",
    long_about = LONG_ABOUT
)]
pub struct TraceArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// One JSON object per message: {"type":"trace",…} (see docs/trace.md).
    #[arg(long)]
    pub json: bool,

    /// Trusted receiving host (a domain matches its sub-domains) or IP
    /// address; hops below the last trusted one are labelled as claimed.
    /// Repeatable.
    #[arg(long, value_name = "DOMAIN|IP")]
    pub trust: Vec<String>,

    /// Aggregate over all messages instead: per relay (receiving host) the
    /// messages, median and 95th-percentile delay, TLS share; findings by code.
    #[arg(long)]
    pub stats: bool,

    /// List every finding in the table, observations too (by default the
    /// table lists anomalies and counts observations such as
    /// no_tls_public_hop; JSON always has them all, each with `severity`).
    #[arg(long)]
    pub all_findings: bool,

    /// Report a step back in time only when larger than this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    pub skew_tolerance: i64,

    /// DKIM and ARC public keys: a zone file of TXT records
    /// (`sel._domainkey.example.com. IN TXT "v=DKIM1; k=rsa; p=…"`; strings
    /// of one record are joined). Without it, body hashes are still checked
    /// and signatures are `no_key`. Nothing is looked up in DNS.
    #[arg(long, value_name = "FILE")]
    pub dkim_keys: Option<std::path::PathBuf>,

    /// Look DKIM/ARC keys missing from --dkim-keys up in DNS: a TXT
    /// question to the first nameserver of /etc/resolv.conf over UDP with
    /// EDNS0 (1232 bytes), asked again over TCP when the answer is
    /// truncated (large RSA keys); 2 s timeout. A failed look-up is
    /// no_key with the reason. Off by default: nothing else is looked up
    /// on the network.
    #[arg(long)]
    pub dns: bool,

    /// The DNS server for --dns (ADDRESS:PORT), instead of resolv.conf's.
    #[arg(
        long,
        value_name = "ADDR:PORT",
        requires = "dns",
        hide_short_help = true
    )]
    pub dns_server: Option<std::net::SocketAddr>,

    /// Do not verify DKIM signatures and the ARC chain (header only; the
    /// body of a signed message is then not read).
    #[arg(long)]
    pub no_verify: bool,

    /// Also list the indicators (URLs, domains, IP and e-mail addresses)
    /// of the header fields and the text and HTML bodies, with where each
    /// was found and how often (reads the whole message; see docs/trace.md).
    #[arg(long)]
    pub iocs: bool,

    /// Write indicators defanged for tickets: hxxp://, example[.]com,
    /// user[@]example[.]com.
    #[arg(long, requires = "iocs")]
    pub defang: bool,

    /// Treat this Unix time as "now" (for reproducible future_date checks).
    #[arg(long, value_name = "UNIX_SECONDS", hide = true)]
    pub now: Option<i64>,
}

/// Distinct relays counted by name in `--stats`; later new names share one
/// "other relays" row, so memory stays bounded on any mailbox. See: issue 16.
const MAX_RELAYS: usize = 10_000;

#[derive(Default)]
struct RelayStats {
    messages: usize,
    hops: usize,
    tls: usize,
    delays: DelayHistogram,
}

#[derive(Default)]
struct Stats {
    messages: usize,
    hops: usize,
    without_received: usize,
    relays: HashMap<String, RelayStats>,
    /// Relays first seen after [`MAX_RELAYS`] others, together.
    other: RelayStats,
    findings: BTreeMap<&'static str, usize>,
}

impl Stats {
    fn add(&mut self, t: &Trace) {
        self.messages += 1;
        self.hops += t.hops.len();
        if t.hops.is_empty() {
            self.without_received += 1;
        }
        let mut seen: Vec<String> = Vec::new();
        let mut other_seen = false;
        for h in &t.hops {
            let Some(by) = &h.by else { continue };
            let key = by.trim_end_matches('.').to_ascii_lowercase();
            let named = self.relays.contains_key(&key) || self.relays.len() < MAX_RELAYS;
            let r = if named {
                self.relays.entry(key.clone()).or_default()
            } else {
                &mut self.other
            };
            r.hops += 1;
            r.tls += usize::from(h.tls);
            if let Some(d) = h.delay {
                r.delays.add(d);
            }
            if named {
                if !seen.contains(&key) {
                    r.messages += 1;
                    seen.push(key);
                }
            } else if !other_seen {
                self.other.messages += 1;
                other_seen = true;
            }
        }
        for f in &t.findings {
            *self.findings.entry(f.code).or_default() += 1;
        }
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Runs `emlkit trace`; returns the exit code itself because "a message had
/// no Received field" is exit 1, which the shared outcome does not carry.
pub fn run(args: &TraceArgs, style: Style, out: &mut dyn Write) -> Result<ExitCode> {
    let mut opts = forensics::Options::at(args.now.unwrap_or_else(now));
    opts.trust = args.trust.clone();
    opts.skew_tolerance = args.skew_tolerance.max(0);
    opts.verify = !args.no_verify;
    if let Some(p) = &args.dkim_keys {
        opts.dkim_keys = Some(std::sync::Arc::new(dkim_key_file(p)?));
    }
    if args.dns {
        let server = match args.dns_server {
            Some(s) => s,
            None => forensics::dkim::dns::system_server()
                .context("--dns: no nameserver in /etc/resolv.conf (give --dns-server)")?,
        };
        let store = opts
            .dkim_keys
            .take()
            .map(|k| (*k).clone())
            .unwrap_or_default()
            .with_dns(server, std::time::Duration::from_secs(2));
        opts.dkim_keys = Some(std::sync::Arc::new(store));
    }
    let none_found = AtomicBool::new(false);
    let stats = Mutex::new(Stats::default());
    let multi = args.input.inputs.len() > 1;
    let limits = args.input.limits();
    let mut header_input = args.input.header_only();
    if opts.verify {
        // A signed message is read whole: its body hash needs the body.
        header_input.body_when = Some(forensics::dkim::is_signed);
    }
    let log = LimitLog::new();
    let work = |origin: &Origin, bytes: &[u8], buf: &mut Vec<u8>| -> Result<()> {
        // Indicators need the bodies; the trace alone the header.
        let scope = if args.iocs {
            model::Scope::Full
        } else {
            model::Scope::HeadersOnly
        };
        let parsed = model::Message::parse(bytes, origin.data_offset, scope, &limits)?;
        let mut t = forensics::trace(&parsed, &opts);
        let iocs = args.iocs.then(|| forensics::iocs::extract(&parsed));
        if let Some(i) = &iocs {
            t.findings.extend(i.findings.iter().cloned());
            t.findings
                .extend(super::trace_sender::body_lookalikes(i, &t, &opts.trust));
        }
        log.note(origin, &t.findings);
        if t.hops.is_empty() {
            none_found.store(true, Ordering::Relaxed);
        }
        if args.stats {
            if let Ok(mut s) = stats.lock() {
                s.add(&t);
            }
            return Ok(());
        }
        if args.json {
            let mut rec = crate::export::trace::record(origin, &t);
            if let Some(i) = &iocs {
                rec = rec.with_iocs(crate::export::iocs::record(i, args.defang, false));
            }
            crate::export::write_json(buf, &rec)?;
            buf.push(b'\n');
        } else {
            let label = if multi || origin.format != "eml" {
                Some(origin.label())
            } else {
                None
            };
            human(buf, &t, style, label.as_deref(), args.all_findings)?;
            if let Some(i) = &iocs {
                // After the report's last line (reports are separated by the
                // caller; a block ends with exactly one line break).
                if !buf.ends_with(b"\n") && !buf.is_empty() {
                    buf.push(b'\n');
                }
                super::trace_sender::iocs_table(buf, i, args.defang, style)?;
            }
        }
        Ok(())
    };
    let input = if args.iocs {
        &args.input
    } else {
        &header_input
    };
    // Reports are separated by a blank line, none after the last (so that
    // `trace … | tail -1` is the last line of the report).
    let mut first = true;
    let mut emit = |_: &Origin, b: &[u8]| -> Result<()> {
        if b.is_empty() {
            return Ok(());
        }
        if !first && !args.json {
            out.write_all(b"\n")?;
        }
        first = false;
        Ok(out.write_all(b)?)
    };
    let mut outcome = super::batch::for_each_message_emit(input, &work, &mut emit)?;
    log.finish();
    outcome.errored |= log.hit();
    if args.stats {
        let s = stats.into_inner().unwrap_or_default();
        if args.json {
            stats_json(out, &s)?;
        } else {
            stats_human(out, &s, style)?;
        }
    }
    out.flush()?;
    Ok(if outcome.errored {
        ExitCode::from(2)
    } else if none_found.load(Ordering::Relaxed) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Cuts `s` to at most `w` characters (with `…`), without padding.
fn cut(s: &str, w: usize) -> String {
    if s.chars().count() > w {
        let mut t: String = s.chars().take(w.saturating_sub(1)).collect();
        t.push('…');
        t
    } else {
        s.to_string()
    }
}

/// Reads a `--dkim-keys` file (TXT records in zone-file form): its first
/// warnings on stderr, an error when it holds no key. `trace` and
/// `report` take the same file.
pub fn dkim_key_file(p: &std::path::Path) -> Result<forensics::dkim::KeyStore> {
    let text = std::fs::read_to_string(p)
        .with_context(|| format!("{}: cannot read the DKIM key file", p.display()))?;
    let (store, warnings) = forensics::dkim::KeyStore::parse_zone(&text);
    for w in warnings.iter().take(5) {
        eprintln!("emlkit: {}: {w}", p.display());
    }
    if store.is_empty() {
        anyhow::bail!("{}: no TXT record found", p.display());
    }
    Ok(store)
}

/// Cuts `s` to `w` characters (with `…`) and pads it to `w`.
fn cell(s: &str, w: usize) -> String {
    let n = s.chars().count();
    if n > w {
        let mut t: String = s.chars().take(w.saturating_sub(1)).collect();
        t.push('…');
        t
    } else {
        format!("{s}{}", " ".repeat(w - n))
    }
}

fn bar(share: f64, width: usize) -> String {
    let filled = ((share * width as f64).round() as usize).min(width);
    format!("{}{}", "█".repeat(filled), "·".repeat(width - filled))
}

fn human(
    buf: &mut Vec<u8>,
    t: &Trace,
    style: Style,
    label: Option<&str>,
    all_findings: bool,
) -> Result<()> {
    // Untrusted text is escaped whatever stdout is: a report saved to a file
    // and later shown with `cat` would run the escapes it carries.
    // See: issue 14.
    let style = Style {
        escape: true,
        ..style
    };
    if let Some(l) = label {
        // One separator for every command: `==> path#i <==` (as `head`).
        let sep = format!("==> {} <==", style.safe(l));
        writeln!(buf, "{}", style.paint("1", &sep))?;
    }
    if t.hops.is_empty() {
        writeln!(buf, "no Received fields")?;
    } else {
        let total: i64 = t
            .hops
            .iter()
            .filter_map(|h| h.delay)
            .filter(|d| *d > 0)
            .sum();
        // The `with` column fits the longest protocol name of the message
        // (`UTF8SMTPSA` is 10), at least 8 and at most 16 wide.
        let with_w = t
            .hops
            .iter()
            .filter_map(|h| h.with.as_deref())
            .map(|w| w.chars().count())
            .max()
            .unwrap_or(0)
            .clamp(8, 16);
        writeln!(
            buf,
            "{}",
            style.paint(
                "2",
                &format!(
                    "{:>2}  {:<19}  {:>7}  {:<8}  {:<36}  {:<30}  {:<with_w$}  {:<8}  kind",
                    "#", "time (UTC)", "delay", "share", "from", "by", "with", "tls"
                )
            )
        )?;
        for (i, h) in t.hops.iter().enumerate() {
            let time = h
                .timestamp
                .map(|ts| utc(ts).replace('T', " ").trim_end_matches('Z').to_string())
                .unwrap_or_else(|| "?".into());
            let delay = h.delay.map(fmt_delay).unwrap_or_default();
            let delay_cell = format!("{delay:>7}");
            let delay_cell = match h.delay {
                Some(d) if d < 0 => style.paint("31", &delay_cell).into_owned(),
                _ => delay_cell,
            };
            let share = match h.delay {
                Some(d) if d > 0 && total > 0 => d as f64 / total as f64,
                _ => 0.0,
            };
            let mut from = if let Some(u) = &h.local_user {
                format!("user {u}")
            } else if h.is_pickup() {
                String::new()
            } else {
                h.from
                    .clone()
                    .or_else(|| h.helo.clone())
                    .unwrap_or_default()
            };
            if let Some(ip) = h.ip {
                let ips = ip.to_string();
                if from != ips {
                    from = if from.is_empty() {
                        ips
                    } else {
                        format!("{from} [{ips}]")
                    };
                }
            }
            let tls = if h.tls {
                h.tls_version.clone().unwrap_or_else(|| "yes".into())
            } else {
                "no".into()
            };
            let tls_cell = cell(&style.safe(&tls), 8);
            let tls_cell = if !h.tls && t.kinds[i] != HopKind::Local {
                style.paint("33", &tls_cell).into_owned()
            } else {
                tls_cell
            };
            let mut kind = t.kinds[i].as_str().to_string();
            if t.trusted.as_ref().is_some_and(|v| !v[i]) {
                kind.push_str(" (claimed)");
            }
            writeln!(
                buf,
                "{:>2}  {:<19}  {}  {}  {}  {}  {}  {}  {}",
                i + 1,
                time,
                delay_cell,
                style.paint("36", &bar(share, 8)),
                cell(&style.safe(&from), 36),
                cell(&style.safe(h.by.as_deref().unwrap_or("")), 30),
                cell(&style.safe(h.with.as_deref().unwrap_or("")), with_w),
                tls_cell,
                kind
            )?;
        }
    }
    let s = &t.summary;
    let mut parts = vec![format!(
        "{} hop{}",
        s.hops,
        if s.hops == 1 { "" } else { "s" }
    )];
    if let Some(tr) = s.transit {
        parts.push(format!("transit {}", fmt_delay(tr)));
    }
    parts.push(format!(
        "TLS on {} of {} network hops",
        s.tls_hops, s.network_hops
    ));
    if let Some((i, d)) = s.slowest {
        parts.push(format!("slowest hop {} ({})", i + 1, fmt_delay(d)));
    }
    if let Some((i, ip)) = s.origin {
        parts.push(format!("origin {ip} (hop {})", i + 1));
    }
    writeln!(buf, "summary: {}", parts.join(", "))?;
    if let Some(tr) = &t.trusted {
        match tr.iter().position(|&x| x) {
            Some(0) => writeln!(buf, "trust:   every hop is inside the trust boundary")?,
            Some(b) => {
                let below = if b == 1 {
                    "hop 1 is".to_string()
                } else {
                    format!("hops 1-{b} are")
                };
                writeln!(
                    buf,
                    "trust:   hops {}-{} trusted; {below} claimed by whoever handed the message over",
                    b + 1,
                    tr.len()
                )?
            }
            None if !tr.is_empty() => writeln!(
                buf,
                "trust:   no hop was received by a trusted host; every hop is claimed"
            )?,
            None => {}
        }
    }
    if !t.auth_summary.is_empty() {
        let items: Vec<String> = t
            .auth_summary
            .iter()
            .map(|m| {
                let claim = match m.trusted {
                    Some(false) => ", claimed",
                    _ => "",
                };
                let r = format!("{}={}", style.safe(&m.method), style.safe(&m.result));
                let r = match m.result.as_str() {
                    "pass" => style.paint("32", &r).into_owned(),
                    "fail" | "softfail" | "permerror" | "temperror" => {
                        style.paint("31", &r).into_owned()
                    }
                    _ => r,
                };
                if m.authserv_id.is_empty() {
                    format!("{r}{}", if claim.is_empty() { "" } else { " (claimed)" })
                } else {
                    format!("{r} ({}{claim})", style.safe(&m.authserv_id))
                }
            })
            .collect();
        writeln!(buf, "auth:    {}", items.join(" "))?;
    }
    // Vendor verdicts: one line per field whose table names summary keys
    // (the verdict-bearing ones); the others are counted (JSON has all).
    let mut more = 0usize;
    for v in &t.vendors {
        let items: Vec<String> = v
            .summary()
            .into_iter()
            .map(|(k, val, m)| {
                let kv = if k == "*" { val } else { format!("{k}={val}") };
                match m {
                    Some(m) => format!("{kv} ({m})"),
                    None => kv,
                }
            })
            .collect();
        if items.is_empty() {
            more += 1;
            continue;
        }
        let unknown = match v.unknown_keys {
            0 => String::new(),
            1 => " [1 unknown key]".to_string(),
            n => format!(" [{n} unknown keys]"),
        };
        writeln!(
            buf,
            "vendor:  {:<12}  {}: {}{unknown}",
            v.vendor,
            style.safe(&v.field),
            style.safe(&cut(&items.join("  "), 160))
        )?;
    }
    if more > 0 {
        writeln!(
            buf,
            "vendor:  {more} more field{} (--json decodes them)",
            if more == 1 { "" } else { "s" }
        )?;
    }
    for v in &t.auth.dkim {
        writeln!(buf, "dkim:    {}", verdict_line(v, style))?;
    }
    if let Some(c) = &t.auth.arc {
        let r = match c.result.as_str() {
            "pass" => style.paint("32", "pass"),
            "fail" => style.paint("31", "fail"),
            other => style.safe(other),
        };
        let mut line = format!(
            "{} instance{}, {r}",
            c.instances,
            if c.instances == 1 { "" } else { "s" }
        );
        if let Some(last) = c.sets.last() {
            if let Some(id) = &last.authserv_id {
                line.push_str(&format!(", sealed by {}", style.safe(id)));
            }
            if let Some(h) = c.sealer_hop {
                line.push_str(&format!(" (hop {})", h + 1));
            }
        }
        if let Some(why) = &c.reason {
            line.push_str(&format!(": {}", style.safe(why)));
        }
        writeln!(buf, "arc:     {line}")?;
    }
    super::trace_sender::sender_lines(buf, &t.sender, style)?;
    // Anomalies are listed; observations (no_tls_public_hop, …) only
    // counted unless --all-findings. See: issue 16.
    let (shown, hidden): (Vec<&model::Finding>, Vec<&model::Finding>) = t
        .findings
        .iter()
        .partition(|f| all_findings || f.severity() == model::Severity::Anomaly);
    if !shown.is_empty() {
        writeln!(buf, "findings:")?;
        for f in &shown {
            writeln!(
                buf,
                "  {}  {}",
                style.paint("33", &format!("{:<24}", f.code)),
                style.safe(&f.message)
            )?;
        }
    }
    if !hidden.is_empty() {
        let mut codes: Vec<&str> = Vec::new();
        for f in &hidden {
            if !codes.contains(&f.code) {
                codes.push(f.code);
            }
        }
        writeln!(
            buf,
            "{} observation{} ({}; --all-findings lists them)",
            hidden.len(),
            if hidden.len() == 1 { "" } else { "s" },
            codes.join(", ")
        )?;
    }
    Ok(())
}

/// `d=example.com s=sel rsa-sha256 relaxed/relaxed l=120: body match, signature pass`.
fn verdict_line(v: &forensics::dkim::Verdict, style: Style) -> String {
    let opt = |o: &Option<String>| style.safe(o.as_deref().unwrap_or("?")).into_owned();
    let mut s = format!("d={} s={} {}", opt(&v.d), opt(&v.s), opt(&v.a));
    if let Some(c) = &v.c {
        s.push_str(&format!(" {c}"));
    }
    if let Some(l) = v.l {
        s.push_str(&format!(" l={l}"));
    }
    let body = v.body_hash.as_str();
    let body = match body {
        "match" => style.paint("32", body),
        "mismatch" => style.paint("31", body),
        _ => body.into(),
    };
    let res = v.result.as_str();
    let res = match res {
        "pass" => style.paint("32", res),
        "fail" | "error" => style.paint("31", res),
        "weak" => style.paint("33", res),
        _ => res.into(),
    };
    s.push_str(&format!(": body {body}, signature {res}"));
    if let Some(tail) = v.unsigned_tail {
        s.push_str(&format!(", {tail} unsigned bytes after l="));
    }
    if !v.unsigned_copies.is_empty() {
        let names: Vec<&str> = v.unsigned_copies.iter().map(|u| u.name.as_str()).collect();
        s.push_str(&format!(
            ", unsigned extra {}",
            style.safe(&names.join(","))
        ));
    }
    if v.result != forensics::dkim::SigResult::Pass {
        if let Some(r) = &v.reason {
            s.push_str(&format!(" ({})", style.safe(r)));
        }
    }
    s
}

/// One relay row: by-host, messages, hops, median and p95 delay, TLS share.
type RelayRow = (String, usize, usize, Option<i64>, Option<i64>, f64);

fn relay_row(k: &str, r: &RelayStats) -> RelayRow {
    (
        k.to_string(),
        r.messages,
        r.hops,
        r.delays.quantile(0.5),
        r.delays.quantile(0.95),
        if r.hops == 0 {
            0.0
        } else {
            r.tls as f64 / r.hops as f64
        },
    )
}

fn relay_rows(s: &Stats) -> Vec<RelayRow> {
    let mut rows: Vec<_> = s.relays.iter().map(|(k, r)| relay_row(k, r)).collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    rows
}

fn stats_json(out: &mut dyn Write, s: &Stats) -> Result<()> {
    use crate::export::trace::{RelayRec, StatsRec};
    let rows = relay_rows(s);
    let relays: Vec<RelayRec<'_>> = rows
        .iter()
        .map(|(k, m, h, p50, p95, tls)| RelayRec {
            by: k,
            messages: *m,
            hops: *h,
            median_delay: *p50,
            p95_delay: *p95,
            tls_share: (tls * 1000.0).round() / 1000.0,
        })
        .collect();
    let other_row = (s.other.hops > 0).then(|| relay_row("(other relays)", &s.other));
    let other = other_row.as_ref().map(|(k, m, h, p50, p95, tls)| RelayRec {
        by: k,
        messages: *m,
        hops: *h,
        median_delay: *p50,
        p95_delay: *p95,
        tls_share: (tls * 1000.0).round() / 1000.0,
    });
    let rec = StatsRec::new(s.messages, s.hops, s.without_received, relays, &s.findings)
        .with_other(other, MAX_RELAYS);
    crate::export::write_json_to(out, &rec)?;
    writeln!(out)?;
    Ok(())
}

fn stats_human(out: &mut dyn Write, s: &Stats, style: Style) -> Result<()> {
    // Relay names come from messages: escaped whatever stdout is.
    let style = Style {
        escape: true,
        ..style
    };
    writeln!(
        out,
        "{} messages, {} hops, {} without Received",
        s.messages, s.hops, s.without_received
    )?;
    let rows = relay_rows(s);
    writeln!(
        out,
        "{}",
        style.paint(
            "2",
            &format!(
                "{:<40}  {:>8}  {:>8}  {:>8}  {:>5}",
                "relay (by)", "messages", "median", "p95", "tls"
            )
        )
    )?;
    const SHOWN: usize = 25;
    for (k, m, _, p50, p95, tls) in rows.iter().take(SHOWN) {
        writeln!(
            out,
            "{}  {:>8}  {:>8}  {:>8}  {:>4.0}%",
            cell(&style.safe(k), 40),
            m,
            p50.map(fmt_delay).unwrap_or_default(),
            p95.map(fmt_delay).unwrap_or_default(),
            tls * 100.0
        )?;
    }
    if rows.len() > SHOWN {
        writeln!(
            out,
            "… {} more relays (--json lists all)",
            rows.len() - SHOWN
        )?;
    }
    if s.other.hops > 0 {
        writeln!(
            out,
            "… and {} hops of relays beyond the first {MAX_RELAYS} names, counted together (--json: other_relays)",
            s.other.hops
        )?;
    }
    if !s.findings.is_empty() {
        writeln!(out, "findings:")?;
        for (code, n) in &s.findings {
            writeln!(out, "  {:<24}  {n}", code)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Memory stays bounded: past MAX_RELAYS names, new relays share one row.
    #[test]
    fn relay_cap() {
        let mut s = Stats::default();
        for i in 0..MAX_RELAYS + 50 {
            let raw = format!(
                "Received: from a.example ([192.0.2.1]) by r{i}.example with ESMTP id 1; Mon, 1 Jan 2024 00:00:00 +0000\nFrom: a@b\n\n"
            );
            let p = model::parse(raw.as_bytes(), 0, model::Scope::HeadersOnly).unwrap();
            s.add(&forensics::trace(&p, &forensics::Options::at(0)));
        }
        assert_eq!(s.relays.len(), MAX_RELAYS);
        assert_eq!(s.other.hops, 50);
        assert_eq!(s.other.messages, 50);
        assert_eq!(
            s.relays.values().map(|r| r.messages).sum::<usize>(),
            MAX_RELAYS
        );
    }

    #[test]
    fn bars() {
        assert_eq!(bar(0.5, 8), "████····");
        assert_eq!(bar(0.0, 4), "····");
    }
}
