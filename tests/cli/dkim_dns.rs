//! `emlkit trace --dns` (issue 16): DKIM keys from a DNS server that these
//! tests run on loopback (UDP and TCP on one port; never the network). The
//! responder answers TXT questions from a table, honours the EDNS0 payload
//! size the query advertises up to a cap (plain DNS: 512 bytes) or answers
//! FORMERR to it (a server from before EDNS0), sets TC=1
//! when an answer does not fit, and serves the full answer over TCP — or
//! misbehaves there on purpose (closes, sends a short answer, stalls).

use crate::common::root;
use assert_cmd::Command;
use serde_json::Value;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn data(name: &str) -> PathBuf {
    root().join("testdata/dkim").join(name)
}

/// The TXT record of `owner` in one of the test zone files, its strings
/// joined (the zone files write a record on one line or in parentheses).
fn zone_record(zone: &str, owner: &str) -> String {
    let z = std::fs::read_to_string(data(zone)).expect("zone file");
    let at = z.find(owner).unwrap_or_else(|| panic!("{owner} in {zone}"));
    let rest = &z[at..];
    let end = if rest.contains('(') {
        rest.find(')').expect("closing parenthesis")
    } else {
        rest.find('\n').unwrap_or(rest.len())
    };
    rest[..end].split('"').skip(1).step_by(2).collect()
}

/// What the responder's TCP side does with a question.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Tcp {
    /// The whole answer, length-prefixed.
    Serve,
    /// Reads the question and closes without a byte.
    CloseEarly,
    /// Announces the whole answer's length, sends half of it, closes.
    ShortAnswer,
    /// Announces the length and then sends nothing, holding the connection.
    Stall,
}

/// What the responder's UDP side does.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Udp {
    /// Answers up to the advertised payload size (512 without OPT), at
    /// most this many bytes; larger answers are truncated (TC=1).
    Cap(usize),
    /// A server from before EDNS0: FORMERR for a query with an OPT record
    /// (RFC 6891 §7), 512-byte answers otherwise.
    FormErrOnEdns,
}

/// A DNS responder on 127.0.0.1 (one port, UDP and TCP), stopped on drop.
struct Responder {
    addr: SocketAddr,
    udp_asked: Arc<AtomicUsize>,
    tcp_asked: Arc<AtomicUsize>,
    /// The EDNS0 payload size of each UDP question (None: no OPT record).
    advertised: Arc<Mutex<Vec<Option<u16>>>>,
    stop: Arc<AtomicBool>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

/// The name asked in a query, and where its question ends.
fn question(q: &[u8]) -> Option<(String, usize)> {
    let mut i = 12;
    let mut labels = Vec::new();
    while *q.get(i)? != 0 {
        let l = q[i] as usize;
        labels.push(String::from_utf8_lossy(q.get(i + 1..i + 1 + l)?).into_owned());
        i += 1 + l;
    }
    Some((labels.join("."), i + 5))
}

/// The full answer to `q` from `records` (NXDOMAIN when absent), and the
/// payload size of the query's OPT record, if it has one.
fn answer(q: &[u8], records: &[(String, String)]) -> Option<(Vec<u8>, Option<u16>)> {
    let (name, qend) = question(q)?;
    // The OPT record right after the question: root, type 41, size.
    let opt = (q.get(11) == Some(&1) && q.get(qend..qend + 3) == Some(&[0, 0, 41][..]))
        .then(|| u16::from_be_bytes([q[qend + 3], q[qend + 4]]));
    let mut a = q.get(..qend)?.to_vec();
    a[2] = 0x81;
    a[3] = 0x80;
    a[11] = 0;
    match records.iter().find(|(k, _)| *k == name) {
        Some((_, txt)) => {
            a[7] = 1;
            let strings: Vec<&[u8]> = txt.as_bytes().chunks(255).collect();
            let rdlen: usize = strings.iter().map(|s| s.len() + 1).sum();
            a.extend_from_slice(&[0xC0, 12, 0, 16, 0, 1, 0, 0, 0, 60]);
            a.extend_from_slice(&(rdlen as u16).to_be_bytes());
            for s in strings {
                a.push(s.len() as u8);
                a.extend_from_slice(s);
            }
        }
        None => a[3] = 0x83,
    }
    Some((a, opt))
}

impl Responder {
    /// Serves `records`; UDP as `udp` says (a truncated answer has TC=1
    /// and no answer record); TCP as `tcp` says.
    fn start(records: Vec<(String, String)>, udp: Udp, tcp: Tcp) -> Responder {
        // TCP and UDP on the same port, as a DNS server listens.
        let (listener, sock) = (0..50)
            .find_map(|_| {
                let l = TcpListener::bind("127.0.0.1:0").ok()?;
                let port = l.local_addr().ok()?.port();
                let u = UdpSocket::bind(("127.0.0.1", port)).ok()?;
                Some((l, u))
            })
            .expect("a loopback port free for UDP and TCP");
        let addr = listener.local_addr().unwrap();
        sock.set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        listener.set_nonblocking(true).unwrap();
        let records = Arc::new(records);
        let mut r = Responder {
            addr,
            udp_asked: Arc::default(),
            tcp_asked: Arc::default(),
            advertised: Arc::default(),
            stop: Arc::default(),
            threads: Vec::new(),
        };
        let (asked, adv, stop, recs) = (
            r.udp_asked.clone(),
            r.advertised.clone(),
            r.stop.clone(),
            records.clone(),
        );
        let udp_thread = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while !stop.load(Ordering::Relaxed) {
                let Ok((n, from)) = sock.recv_from(&mut buf) else {
                    continue;
                };
                asked.fetch_add(1, Ordering::Relaxed);
                let Some((mut a, opt)) = answer(&buf[..n], &recs) else {
                    continue;
                };
                adv.lock().unwrap().push(opt);
                let udp_cap = match udp {
                    Udp::Cap(n) => n,
                    Udp::FormErrOnEdns if opt.is_some() => {
                        // FORMERR, the question echoed, nothing else.
                        let (_, qend) = question(&a).unwrap();
                        a.truncate(qend);
                        a[3] = 0x81;
                        a[7] = 0;
                        let _ = sock.send_to(&a, from);
                        continue;
                    }
                    Udp::FormErrOnEdns => 512,
                };
                let limit = usize::from(opt.unwrap_or(512)).max(512).min(udp_cap);
                if a.len() > limit {
                    // Truncated: the header and the question, TC set.
                    let (_, qend) = question(&a).unwrap();
                    a.truncate(qend);
                    a[2] |= 0x02;
                    a[7] = 0;
                }
                let _ = sock.send_to(&a, from);
            }
        });
        let (asked, stop) = (r.tcp_asked.clone(), r.stop.clone());
        let tcp_thread = std::thread::spawn(move || {
            // Stalled connections are held open until the responder stops.
            let mut held: Vec<TcpStream> = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let Ok((mut s, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                };
                asked.fetch_add(1, Ordering::Relaxed);
                let _ = s.set_nonblocking(false);
                let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
                let mut len = [0u8; 2];
                if s.read_exact(&mut len).is_err() {
                    continue;
                }
                let mut q = vec![0u8; u16::from_be_bytes(len) as usize];
                if s.read_exact(&mut q).is_err() {
                    continue;
                }
                let Some((a, _)) = answer(&q, &records) else {
                    continue;
                };
                let prefix = (a.len() as u16).to_be_bytes();
                match tcp {
                    Tcp::Serve => {
                        let _ = s.write_all(&prefix);
                        let _ = s.write_all(&a);
                    }
                    Tcp::CloseEarly => {}
                    Tcp::ShortAnswer => {
                        let _ = s.write_all(&prefix);
                        let _ = s.write_all(&a[..a.len() / 2]);
                    }
                    Tcp::Stall => {
                        let _ = s.write_all(&prefix);
                        held.push(s);
                    }
                }
            }
        });
        r.threads = vec![udp_thread, tcp_thread];
        r
    }
}

impl Drop for Responder {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

/// `trace --json --dns --dns-server ADDR FILE`: the record and how long
/// the run took.
fn trace_dns(server: SocketAddr, file: &str) -> (Value, Duration) {
    let started = Instant::now();
    let out = Command::cargo_bin("emlkit")
        .expect("the binary is built by cargo test")
        .args(["trace", "--json", "--dns", "--dns-server"])
        .arg(server.to_string())
        .arg(data(file))
        .output()
        .expect("emlkit runs");
    let rec = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (rec, started.elapsed())
}

fn results(rec: &Value) -> Vec<(String, String)> {
    rec["authentication"]["dkim"]
        .as_array()
        .expect("dkim verdicts")
        .iter()
        .map(|v| {
            (
                v["result"].as_str().unwrap_or("").to_string(),
                v["reason"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn rsa4096() -> Vec<(String, String)> {
    let owner = "big2024._domainkey.big.example";
    vec![(owner.to_string(), zone_record("rsa4096.zone", owner))]
}

/// Keys fetched over UDP (the RFC 8463 example's ed25519 and RSA keys);
/// the query carries an EDNS0 OPT record advertising 1232 bytes. Without
/// `--dns`, nothing is asked.
#[test]
fn dns_lookup_from_a_loopback_responder() {
    let records = vec![
        (
            "brisbane._domainkey.football.example.com".to_string(),
            zone_record("rfc8463.zone", "brisbane._domainkey"),
        ),
        (
            "test._domainkey.football.example.com".to_string(),
            zone_record("rfc8463.zone", "test._domainkey"),
        ),
    ];
    let r = Responder::start(records, Udp::Cap(4096), Tcp::Serve);
    let (rec, _) = trace_dns(r.addr, "rfc8463.eml");
    let got: Vec<String> = results(&rec).into_iter().map(|(r, _)| r).collect();
    assert_eq!(got, ["pass", "pass"], "{rec}");
    assert_eq!(r.udp_asked.load(Ordering::Relaxed), 2);
    assert_eq!(r.tcp_asked.load(Ordering::Relaxed), 0);
    assert_eq!(*r.advertised.lock().unwrap(), [Some(1232), Some(1232)]);
    // Without --dns the responder is never asked.
    let out = Command::cargo_bin("emlkit")
        .unwrap()
        .args(["trace", "--json"])
        .arg(data("rfc8463.eml"))
        .output()
        .unwrap();
    let rec: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(results(&rec)[0].0, "no_key");
    assert_eq!(r.udp_asked.load(Ordering::Relaxed), 2);
}

/// A 4096-bit RSA key record (about 850 bytes of answer) fits the 1232
/// bytes the query advertises: one UDP exchange, no TCP. A plain-DNS
/// server (512 bytes) would have truncated it.
#[test]
fn dns_edns_payload_fits_a_4096_bit_key() {
    let r = Responder::start(rsa4096(), Udp::Cap(4096), Tcp::Serve);
    let (rec, _) = trace_dns(r.addr, "rsa4096.eml");
    assert_eq!(results(&rec)[0].0, "pass", "{rec}");
    assert_eq!(rec["authentication"]["dkim"][0]["key_bits"], 4096);
    assert_eq!(r.udp_asked.load(Ordering::Relaxed), 1);
    assert_eq!(r.tcp_asked.load(Ordering::Relaxed), 0);
}

/// A server that answers UDP with TC=1 and an empty answer (it keeps to
/// 512 bytes) and serves the full 4096-bit key over TCP: the question is
/// asked again over TCP and the signature verifies.
#[test]
fn dns_truncated_answer_is_retried_over_tcp() {
    let r = Responder::start(rsa4096(), Udp::Cap(512), Tcp::Serve);
    let (rec, _) = trace_dns(r.addr, "rsa4096.eml");
    assert_eq!(results(&rec), [("pass".into(), String::new())], "{rec}");
    assert_eq!(rec["authentication"]["dkim"][0]["key_bits"], 4096);
    assert_eq!(r.udp_asked.load(Ordering::Relaxed), 1);
    assert_eq!(r.tcp_asked.load(Ordering::Relaxed), 1);
}

/// A TCP side that closes early, sends a short answer or stalls gives
/// `no_key` with the reason, in bounded time (the 2 s deadline of the
/// exchange; a stalled server is not waited for longer).
#[test]
fn dns_tcp_failures_give_no_key_with_a_reason() {
    for (mode, want) in [
        (
            Tcp::CloseEarly,
            "connection closed after 0 of 2 bytes of the length prefix",
        ),
        (Tcp::ShortAnswer, "bytes of the answer"),
        (Tcp::Stall, "timed out reading the answer"),
    ] {
        let r = Responder::start(rsa4096(), Udp::Cap(512), mode);
        let (rec, took) = trace_dns(r.addr, "rsa4096.eml");
        let got = results(&rec);
        assert_eq!(got.len(), 1, "{rec}");
        assert_eq!(got[0].0, "no_key", "{mode:?}: {rec}");
        assert!(
            got[0]
                .1
                .starts_with("no key for big2024._domainkey.big.example: DNS ")
                && got[0].1.contains(want),
            "{mode:?}: {}",
            got[0].1
        );
        assert!(took < Duration::from_secs(10), "{mode:?} took {took:?}");
        assert_eq!(r.tcp_asked.load(Ordering::Relaxed), 1, "{mode:?}");
    }
}

/// A server that answers FORMERR to a query with an OPT record (from
/// before EDNS0): asked once more without it (RFC 6891 §7), its 512-byte
/// answer truncated, then the key over TCP; the signature verifies.
#[test]
fn dns_formerr_is_retried_without_edns() {
    let r = Responder::start(rsa4096(), Udp::FormErrOnEdns, Tcp::Serve);
    let (rec, _) = trace_dns(r.addr, "rsa4096.eml");
    assert_eq!(results(&rec), [("pass".into(), String::new())], "{rec}");
    assert_eq!(*r.advertised.lock().unwrap(), [Some(1232), None]);
    assert_eq!(r.tcp_asked.load(Ordering::Relaxed), 1);
}
