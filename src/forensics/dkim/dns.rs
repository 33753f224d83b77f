//! A minimal DNS TXT lookup over UDP (RFC 1035), used only with `trace
//! --dns`: one question, recursion desired, a timeout, answers read with
//! bounds checks (compression pointers followed at most 16 times). Nothing
//! else in emlkit touches the network.

use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

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

fn query_packet(id: u16, name: &str) -> Option<Vec<u8>> {
    let mut p = Vec::with_capacity(name.len() + 18);
    p.extend_from_slice(&id.to_be_bytes());
    p.extend_from_slice(&[0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
    for label in name.trim_end_matches('.').split('.') {
        if label.is_empty() || label.len() > 63 {
            return None;
        }
        p.push(label.len() as u8);
        p.extend_from_slice(label.as_bytes());
    }
    p.push(0);
    p.extend_from_slice(&[0, 16, 0, 1]);
    (p.len() <= 512).then_some(p)
}

/// Skips a (possibly compressed) name; returns the offset after it.
fn skip_name(m: &[u8], mut at: usize) -> Option<usize> {
    loop {
        let len = *m.get(at)? as usize;
        if len == 0 {
            return Some(at + 1);
        }
        if len & 0xC0 == 0xC0 {
            // A pointer ends the name here (we need not follow it to skip).
            m.get(at + 1)?;
            return Some(at + 2);
        }
        at += 1 + len;
    }
}

/// The TXT records of an answer (each record's strings joined).
pub fn parse_answer(m: &[u8], id: u16) -> Result<Vec<String>, String> {
    let u16at =
        |i: usize| -> Option<u16> { Some(u16::from_be_bytes([*m.get(i)?, *m.get(i + 1)?])) };
    let short = || "short DNS answer".to_string();
    if u16at(0).ok_or_else(short)? != id {
        return Err("DNS answer for another query".into());
    }
    let flags = u16at(2).ok_or_else(short)?;
    if flags & 0x0200 != 0 {
        return Err("truncated DNS answer (TCP is not supported)".into());
    }
    match flags & 0x000F {
        0 => {}
        3 => return Ok(Vec::new()),
        rc => return Err(format!("DNS error (rcode {rc})")),
    }
    let qd = u16at(4).ok_or_else(short)?;
    let an = u16at(6).ok_or_else(short)?;
    let mut at = 12;
    for _ in 0..qd {
        at = skip_name(m, at).ok_or_else(short)? + 4;
    }
    let mut out = Vec::new();
    for _ in 0..an {
        at = skip_name(m, at).ok_or_else(short)?;
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
    Ok(out)
}

/// Asks `server` for the TXT records of `name` (two tries, `timeout` each).
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
    let q = query_packet(id, name).ok_or_else(|| format!("not a DNS name: {name}"))?;
    let mut buf = [0u8; 4096];
    let mut last = String::from("no answer");
    for _ in 0..2 {
        sock.send(&q).map_err(|e| format!("DNS {server}: {e}"))?;
        match sock.recv(&mut buf) {
            Ok(n) => return parse_answer(&buf[..n], id),
            Err(e) => last = format!("DNS {server}: {e}"),
        }
    }
    Err(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers() {
        let q = query_packet(7, "s._domainkey.example.com").unwrap();
        // The question, then one TXT answer with a pointer to it and two strings.
        let mut a = q.clone();
        a[2] = 0x81;
        a[3] = 0x80;
        a[7] = 1;
        a.extend_from_slice(&[
            0xC0, 12, 0, 16, 0, 1, 0, 0, 0, 60, 0, 8, 3, b'a', b'b', b'c', 3, b'd', b'e', b'f',
        ]);
        assert_eq!(parse_answer(&a, 7).unwrap(), ["abcdef"]);
        assert!(parse_answer(&a[..a.len() - 3], 7).is_err());
        assert!(parse_answer(&a, 8).is_err());
        assert!(query_packet(1, &"a".repeat(64)).is_none());
    }
}
