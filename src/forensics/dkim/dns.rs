//! A minimal DNS TXT lookup (RFC 1035), used only with `trace --dns`: one
//! question, recursion desired, over UDP with an EDNS0 OPT record
//! advertising [`UDP_PAYLOAD`] bytes (RFC 6891), and, when the answer comes
//! back truncated (TC=1), the same question again over TCP to the same
//! server (RFC 7766; RFC 1035 §4.2.2: a two-byte length before each
//! message). Real 2048- and 4096-bit RSA key records do not fit the 512
//! bytes of plain UDP DNS. Nothing else in emlkit touches the network.
//!
//! Bounds: each exchange has one deadline (the caller's timeout) that
//! covers connecting, writing and every read, so a server that trickles
//! bytes cannot hold a lookup longer; a TCP answer is at most 65,535 bytes
//! (its length prefix); names are at most 255 bytes and follow at most
//! [`MAX_POINTERS`] compression pointers, each pointing strictly backwards
//! (no loops); every read is bounds-checked.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::time::{Duration, Instant};

/// The UDP payload size advertised in the OPT record: the DNS Flag Day
/// 2020 value, which avoids IP fragmentation on common paths.
pub const UDP_PAYLOAD: u16 = 1232;

/// Most compression pointers followed in one name.
pub const MAX_POINTERS: usize = 16;

/// The first `nameserver` of /etc/resolv.conf, port 53.
pub fn system_server() -> Option<SocketAddr> {
    let text = std::fs::read_to_string("/etc/resolv.conf").ok()?;
    text.lines().find_map(|l| {
        let mut w = l.split_whitespace();
        if w.next() != Some("nameserver") {
            return None;
        }
        let ip: std::net::IpAddr = w.next()?.parse().ok()?;
        Some(SocketAddr::new(ip, 53))
    })
}

/// The question for `name`'s TXT records, with an EDNS0 OPT record in the
/// additional section when `edns` (RFC 6891 §6.1.2: root owner, type 41,
/// the payload size as class, TTL 0 for version 0 without the DO bit).
fn query_packet(id: u16, name: &str, edns: bool) -> Option<Vec<u8>> {
    let mut p = Vec::with_capacity(name.len() + 29);
    p.extend_from_slice(&id.to_be_bytes());
    p.extend_from_slice(&[0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, u8::from(edns)]);
    for label in name.trim_end_matches('.').split('.') {
        if label.is_empty() || label.len() > 63 {
            return None;
        }
        p.push(label.len() as u8);
        p.extend_from_slice(label.as_bytes());
    }
    p.push(0);
    // A name is at most 255 bytes on the wire (RFC 1035 §2.3.4).
    if p.len() - 12 > 255 {
        return None;
    }
    p.extend_from_slice(&[0, 16, 0, 1]);
    if edns {
        p.push(0);
        p.extend_from_slice(&41u16.to_be_bytes());
        p.extend_from_slice(&UDP_PAYLOAD.to_be_bytes());
        p.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
    }
    Some(p)
}

/// Reads a (possibly compressed) name at `at`: its labels lower-cased and
/// joined with dots, and the offset after the name where it starts.
/// Pointers must point before the label that holds them and at most
/// [`MAX_POINTERS`] are followed, so this ends on any input.
fn read_name(m: &[u8], mut at: usize) -> Option<(String, usize)> {
    let mut out = String::new();
    let mut end = None;
    let mut jumps = 0;
    let mut wire_len = 0usize;
    loop {
        let len = *m.get(at)? as usize;
        match len & 0xC0 {
            0x00 => {
                if len == 0 {
                    return Some((out, end.unwrap_or(at + 1)));
                }
                wire_len += 1 + len;
                if wire_len > 255 {
                    return None;
                }
                let label = m.get(at + 1..at + 1 + len)?;
                if !out.is_empty() {
                    out.push('.');
                }
                out.extend(label.iter().map(|b| b.to_ascii_lowercase() as char));
                at += 1 + len;
            }
            0xC0 => {
                let target = (len & 0x3F) << 8 | *m.get(at + 1)? as usize;
                jumps += 1;
                if jumps > MAX_POINTERS || target >= at {
                    return None;
                }
                end.get_or_insert(at + 2);
                at = target;
            }
            // 0x40 and 0x80 are reserved label types (RFC 6891 §5).
            _ => return None,
        }
    }
}

/// What an answer says: TXT records, or that it was truncated.
#[derive(Debug, PartialEq, Eq)]
enum Answer {
    /// The TXT records (each record's strings joined); empty for NXDOMAIN
    /// or no TXT record.
    Records(Vec<String>),
    /// TC=1: the answer did not fit; ask again over TCP.
    Truncated,
    /// FORMERR: the server may not understand EDNS0 (RFC 6891 §7).
    FormErr,
}

/// Reads an answer to the question `id`/`name` (TXT, IN). Strict: the
/// answer must be a response (QR=1) to a standard query with our id and
/// exactly our question.
fn parse_answer(m: &[u8], id: u16, name: &str) -> Result<Answer, String> {
    let u16at =
        |i: usize| -> Option<u16> { Some(u16::from_be_bytes([*m.get(i)?, *m.get(i + 1)?])) };
    let short = || "short or malformed DNS answer".to_string();
    if u16at(0).ok_or_else(short)? != id {
        return Err("DNS answer for another query".into());
    }
    let flags = u16at(2).ok_or_else(short)?;
    if flags & 0x8000 == 0 || flags & 0x7800 != 0 {
        return Err("not a DNS response to a standard query".into());
    }
    // RFC 2181 §9: a truncated answer is not used, whatever it holds.
    if flags & 0x0200 != 0 {
        return Ok(Answer::Truncated);
    }
    match flags & 0x000F {
        0 => {}
        1 => return Ok(Answer::FormErr),
        3 => return Ok(Answer::Records(Vec::new())),
        rc => return Err(format!("DNS error (rcode {rc})")),
    }
    let qd = u16at(4).ok_or_else(short)?;
    let an = u16at(6).ok_or_else(short)?;
    if qd != 1 {
        return Err(format!("DNS answer with {qd} questions"));
    }
    let (qname, mut at) = read_name(m, 12).ok_or_else(short)?;
    let want = name.trim_end_matches('.').to_ascii_lowercase();
    if qname != want || u16at(at) != Some(16) || u16at(at + 2) != Some(1) {
        return Err("DNS answer to another question".into());
    }
    at += 4;
    let mut out = Vec::new();
    for _ in 0..an {
        // The owner is this name or a CNAME target: only its extent matters.
        at = read_name(m, at).ok_or_else(short)?.1;
        let ty = u16at(at).ok_or_else(short)?;
        let len = u16at(at + 8).ok_or_else(short)? as usize;
        let data = m.get(at + 10..at + 10 + len).ok_or_else(short)?;
        at += 10 + len;
        if ty != 16 {
            continue;
        }
        let mut txt = Vec::new();
        let mut i = 0;
        while i < data.len() {
            let n = data[i] as usize;
            txt.extend_from_slice(data.get(i + 1..i + 1 + n).ok_or_else(short)?);
            i += 1 + n;
        }
        out.push(String::from_utf8_lossy(&txt).into_owned());
    }
    Ok(Answer::Records(out))
}

/// The time left before `deadline`, or an error naming `what`.
fn left(deadline: Instant, server: SocketAddr, what: &str) -> Result<Duration, String> {
    deadline
        .checked_duration_since(Instant::now())
        .filter(|d| !d.is_zero())
        .ok_or_else(|| format!("DNS {server} over TCP: timed out {what}"))
}

/// Fills `buf` from `s` before `deadline` (each read's timeout is the time
/// left, so a trickling server cannot stretch it). `what` names the part
/// read, for the error.
fn read_full(
    s: &mut TcpStream,
    buf: &mut [u8],
    deadline: Instant,
    server: SocketAddr,
    what: &str,
) -> Result<(), String> {
    let mut got = 0;
    while got < buf.len() {
        let t = left(deadline, server, &format!("reading the {what}"))?;
        s.set_read_timeout(Some(t))
            .map_err(|e| format!("DNS {server} over TCP: {e}"))?;
        match s.read(&mut buf[got..]) {
            Ok(0) => {
                return Err(format!(
                "DNS {server} over TCP: connection closed after {got} of {} bytes of the {what}",
                buf.len()
            ))
            }
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            // A read timeout (WouldBlock on Unix, TimedOut on Windows).
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Err(format!(
                    "DNS {server} over TCP: timed out reading the {what} ({got} of {} bytes)",
                    buf.len()
                ))
            }
            Err(e) => return Err(format!("DNS {server} over TCP: reading the {what}: {e}")),
        }
    }
    Ok(())
}

/// One exchange over TCP: the query with its length prefix, then one
/// answer of at most 65,535 bytes (the prefix caps it), all before
/// `timeout` has passed.
fn tcp_exchange(server: SocketAddr, q: &[u8], timeout: Duration) -> Result<Vec<u8>, String> {
    let deadline = Instant::now() + timeout;
    let mut s = TcpStream::connect_timeout(&server, timeout)
        .map_err(|e| format!("DNS {server} over TCP: {e}"))?;
    let t = left(deadline, server, "connecting")?;
    s.set_write_timeout(Some(t))
        .map_err(|e| format!("DNS {server} over TCP: {e}"))?;
    let len = u16::try_from(q.len()).map_err(|_| "DNS query too long".to_string())?;
    let mut msg = Vec::with_capacity(q.len() + 2);
    msg.extend_from_slice(&len.to_be_bytes());
    msg.extend_from_slice(q);
    s.write_all(&msg)
        .map_err(|e| format!("DNS {server} over TCP: sending: {e}"))?;
    let mut prefix = [0u8; 2];
    read_full(&mut s, &mut prefix, deadline, server, "length prefix")?;
    let n = u16::from_be_bytes(prefix) as usize;
    if n < 12 {
        return Err(format!(
            "DNS {server} over TCP: answer of {n} bytes is shorter than a header"
        ));
    }
    let mut answer = vec![0u8; n];
    read_full(&mut s, &mut answer, deadline, server, "answer")?;
    Ok(answer)
}

/// One question over UDP (two tries, `timeout` each): the answer's bytes.
fn udp_exchange(
    sock: &UdpSocket,
    server: SocketAddr,
    q: &[u8],
    buf: &mut [u8],
) -> Result<usize, String> {
    let mut last = String::from("no answer");
    for _ in 0..2 {
        sock.send(q).map_err(|e| format!("DNS {server}: {e}"))?;
        match sock.recv(buf) {
            Ok(n) => return Ok(n),
            Err(e) => last = format!("DNS {server}: {e}"),
        }
    }
    Err(last)
}

/// Asks `server` for the TXT records of `name`: over UDP with EDNS0 (two
/// tries, `timeout` each; without the OPT record once more if the server
/// answers FORMERR), then, if the answer is truncated, over TCP (one
/// connection, `timeout` in all).
pub fn txt(server: SocketAddr, name: &str, timeout: Duration) -> Result<Vec<String>, String> {
    let bind: SocketAddr = if server.is_ipv4() {
        "0.0.0.0:0".parse().map_err(|_| "bind address")?
    } else {
        "[::]:0".parse().map_err(|_| "bind address")?
    };
    let sock = UdpSocket::bind(bind).map_err(|e| format!("DNS socket: {e}"))?;
    sock.set_read_timeout(Some(timeout))
        .map_err(|e| format!("DNS socket: {e}"))?;
    sock.connect(server)
        .map_err(|e| format!("DNS {server}: {e}"))?;
    // A query id from the clock: enough to tell answers apart on one socket.
    let id = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0x1234, |d| (d.subsec_nanos() & 0xFFFF) as u16);
    let not_a_name = || format!("not a DNS name: {name}");
    let q = query_packet(id, name, true).ok_or_else(not_a_name)?;
    // Larger than the payload we advertise: a bigger datagram is cut here
    // and then fails to parse rather than being misread.
    let mut buf = [0u8; 4096];
    let n = udp_exchange(&sock, server, &q, &mut buf)?;
    let (q, answer) = match parse_answer(&buf[..n], id, name)? {
        Answer::Records(r) => return Ok(r),
        Answer::FormErr => {
            let plain = query_packet(id, name, false).ok_or_else(not_a_name)?;
            let n = udp_exchange(&sock, server, &plain, &mut buf)?;
            (plain, parse_answer(&buf[..n], id, name)?)
        }
        Answer::Truncated => (q, Answer::Truncated),
    };
    match answer {
        Answer::Records(r) => Ok(r),
        Answer::FormErr => Err("DNS error (rcode 1, FORMERR)".into()),
        Answer::Truncated => {
            let bytes = tcp_exchange(server, &q, timeout)?;
            match parse_answer(&bytes, id, name)? {
                Answer::Records(r) => Ok(r),
                Answer::Truncated => Err(format!("DNS {server}: truncated answer over TCP")),
                Answer::FormErr => Err("DNS error (rcode 1, FORMERR)".into()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAME: &str = "s._domainkey.example.com";

    /// The answer to `q` (without its OPT record), with `rr` as the answer
    /// section.
    fn answer_to(q: &[u8], an: u8, rr: &[u8]) -> Vec<u8> {
        let qend = 12 + NAME.len() + 2 + 4;
        let mut a = q[..qend].to_vec();
        a[2] = 0x81;
        a[3] = 0x80;
        a[7] = an;
        a[11] = 0;
        a.extend_from_slice(rr);
        a
    }

    #[test]
    fn answers() {
        let q = query_packet(7, NAME, true).unwrap();
        // The OPT record: root, type 41, payload 1232, TTL 0, no data.
        assert_eq!(&q[q.len() - 11..], &[0, 0, 41, 4, 208, 0, 0, 0, 0, 0, 0]);
        assert_eq!(q[11], 1);
        // One TXT answer with a pointer to the question and two strings.
        let a = answer_to(
            &q,
            1,
            &[
                0xC0, 12, 0, 16, 0, 1, 0, 0, 0, 60, 0, 8, 3, b'a', b'b', b'c', 3, b'd', b'e', b'f',
            ],
        );
        assert_eq!(
            parse_answer(&a, 7, NAME).unwrap(),
            Answer::Records(vec!["abcdef".into()])
        );
        // The question compared without case (0x20 randomization).
        assert!(parse_answer(&a, 7, &NAME.to_uppercase()).is_ok());
        assert!(parse_answer(&a[..a.len() - 3], 7, NAME).is_err());
        assert!(parse_answer(&a, 8, NAME).is_err());
        assert!(parse_answer(&a, 7, "other._domainkey.example.com").is_err());
        assert!(query_packet(1, &"a".repeat(64), true).is_none());
        assert!(query_packet(1, &["a"; 200].join("."), true).is_none());
        // Not a response (QR=0).
        let mut b = a.clone();
        b[2] = 0x01;
        assert!(parse_answer(&b, 7, NAME).is_err());
        // TC=1: truncated, whatever the answer section holds.
        let mut t = a.clone();
        t[2] |= 0x02;
        assert_eq!(parse_answer(&t, 7, NAME).unwrap(), Answer::Truncated);
        // FORMERR.
        let mut f = a.clone();
        f[3] = 0x81;
        assert_eq!(parse_answer(&f, 7, NAME).unwrap(), Answer::FormErr);
    }

    #[test]
    fn pointers_are_bounded() {
        // An answer owner that points at itself, one that points forwards,
        // and a reserved label type: errors, not loops.
        let q = query_packet(7, NAME, false).unwrap();
        let owner_at = answer_to(&q, 1, &[]).len();
        for owner in [
            [0xC0, owner_at as u8],
            [0xC0, owner_at as u8 + 5],
            [0x40, 0],
        ] {
            let mut a = answer_to(&q, 1, &owner);
            a.extend_from_slice(&[0, 16, 0, 1, 0, 0, 0, 60, 0, 0]);
            assert!(parse_answer(&a, 7, NAME).is_err(), "{owner:?}");
        }
        // A chain of backward pointers longer than the limit.
        let mut m = vec![0u8; 12];
        m.push(0);
        for i in 0..=MAX_POINTERS {
            let target = if i == 0 { 12 } else { 13 + 2 * (i - 1) };
            m.extend_from_slice(&[0xC0, target as u8]);
        }
        assert!(read_name(&m, m.len() - 2).is_none());
        assert!(read_name(&m, 13 + 2 * (MAX_POINTERS - 1)).is_some());
    }

    /// Mutated and random answers: an error or records, never a panic or
    /// a loop.
    #[test]
    fn mutations_do_not_panic() {
        let q = query_packet(7, NAME, true).unwrap();
        let good = answer_to(
            &q,
            2,
            &[
                0xC0, 12, 0, 16, 0, 1, 0, 0, 0, 60, 0, 4, 3, b'a', b'b', b'c', 0xC0, 12, 0, 16, 0,
                1, 0, 0, 0, 60, 0, 2, 1, b'x',
            ],
        );
        assert_eq!(
            parse_answer(&good, 7, NAME).unwrap(),
            Answer::Records(vec!["abc".into(), "x".into()])
        );
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..20_000 {
            let mut m = good.clone();
            for _ in 0..1 + next() % 4 {
                let at = (next() % m.len() as u64) as usize;
                m[at] = next() as u8;
            }
            let cut = (next() % (m.len() as u64 + 1)) as usize;
            let _ = parse_answer(&m[..cut], 7, NAME);
            let _ = parse_answer(&m, 7, NAME);
            let random: Vec<u8> = (0..next() % 64).map(|_| next() as u8).collect();
            // Its own id, so that the parse goes past the first check.
            let id = u16::from_be_bytes([
                random.first().copied().unwrap_or(0),
                random.get(1).copied().unwrap_or(0),
            ]);
            let _ = parse_answer(&random, id, NAME);
        }
    }
}
