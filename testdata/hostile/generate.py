#!/usr/bin/env python3
"""Writes the hostile corpus into a folder: messages and mailboxes built to
crash, hang or exhaust parsers. Deterministic; the large files are made here
rather than committed.

Usage: generate.py OUTDIR
"""
import os
import sys


def w(out, name, data):
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    n = 10_000
    # Deep nesting: multiparts and attached messages.
    s = ["From: a@b\nContent-Type: multipart/mixed; boundary=b0\n\n"]
    for i in range(1, n):
        s.append(f"--b{i-1}\nContent-Type: multipart/mixed; boundary=b{i}\n\n")
    s.append(f"--b{n-1}\nContent-Type: text/plain\n\nhi\n")
    w(out, "deep-multipart.eml", "".join(s))
    w(out, "deep-rfc822.eml", "From: a@b\nContent-Type: message/rfc822\n\n" * n + "Subject: x\n\nbody\n")
    w(out, "deep-rfc822-base64.eml",
      "From: a@b\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n"
      "RnJvbTogYUBiCkNvbnRlbnQtVHlwZTogbWVzc2FnZS9yZmM4MjIKCkZyb206IGFAYgoKeAo=\n")
    # Issue 10: a million levels of nesting (multiparts, attached messages),
    # with the default thread count; never a stack overflow.
    m = 1_000_000
    w(out, "million-deep-multipart.eml", "From: a@b\n" + "".join(
        f"Content-Type: multipart/mixed; boundary=b{i}\n\n--b{i}\n" for i in range(m)) + "\nx\n")
    w(out, "million-deep-rfc822.eml", "From: a@b\n" + "Content-Type: message/rfc822\n\n" * m + "x\n")
    # Linear encoded-word scans: 1 MB Subject of `=?a?q?x`, and a filename.
    w(out, "encoded-word-1mb.eml", "From: a@b\nSubject: " + "=?a?q?x" * 150_000 + "\n\nx\n")
    w(out, "encoded-word-filename.eml",
      "From: a@b\nContent-Type: application/x\nContent-Disposition: attachment; filename=\""
      + "=?a?q?x" * 80_000 + "\"\n\nx\n")
    # 1,000 parts with 1,000 parameters each.
    w(out, "thousand-parts-thousand-params.eml",
      "From: a@b\nContent-Type: multipart/mixed; boundary=b\n\n" + ("--b\nContent-Type: text/plain"
      + "".join(f"; p{j}=v" for j in range(1000)) + "\n\nx\n") * 1000 + "--b--\n")
    # Sheer numbers.
    w(out, "many-empty-parts.eml",
      "From: a@b\nContent-Type: multipart/mixed; boundary=b\n\n" + "--b\n\n" * 100_000 + "--b--\n")
    w(out, "huge-header-line.eml", "From: a@b\nSubject: " + "A" * 50_000_000 + "\n\nbody\n")
    w(out, "million-headers.eml", "From: a@b\n" + "X-H: v\n" * 1_000_000 + "\nbody\n")
    w(out, "many-received.eml", "From: a@b\n" + "".join(
        f"Received: from h{i}.example by h{i+1}.example with ESMTP id {i}; Mon, 1 Jan 2001 00:{i%60:02}:00 +0000\n"
        for i in range(10_000)) + "\nbody\n")
    # Issue 14: 8,000 Received + 8,000 Authentication-Results (the hop of
    # each result was found by a scan of every hop), and one
    # Authentication-Results field with 40,000 methods.
    w(out, "received-and-auth-8000.eml", "From: a@b\n" + "".join(
        f"Authentication-Results: h{i+1}.example; dkim=pass header.d=d{i}.example; spf=pass\n"
        f"Received: from h{i}.example by h{i+1}.example with ESMTP id {i}; Mon, 1 Jan 2001 00:{i%60:02}:00 +0000\n"
        for i in range(8_000)) + "\nbody\n")
    w(out, "received-and-anonymous-auth-8000.eml", "From: a@b\n" + "".join(
        f"Authentication-Results: spf=pass smtp.mailfrom=x{i}.example\n"
        f"Received-SPF: pass (h{i}) receiver=h{i}.example; client-ip=192.0.2.{i%250}\n"
        f"Received: from h{i}.example by h{i+1}.example with ESMTP id {i}; Mon, 1 Jan 2001 00:{i%60:02}:00 +0000\n"
        for i in range(8_000)) + "\nbody\n")
    w(out, "auth-40000-methods.eml", "From: a@b\nAuthentication-Results: mx.example; " + "; ".join(
        f"m{i}=pass (c) header.d=d{i}.example header.s=s{i} reason=\"r{i}\"" for i in range(40_000))
      + "\n\nbody\n")
    w(out, "dkim-signatures-20000.eml", "From: a@b\n" + "".join(
        f"DKIM-Signature: v=1; a=rsa-sha256; d=d{i}.example; s=s; h=from:to; bh=x; b=y\n"
        f"ARC-Seal: i={i}; a=rsa-sha256; cv=pass; d=d{i}.example; s=s; b=z\n"
        for i in range(20_000)) + "\nbody\n")
    # Issue 16/14: DKIM and ARC shapes. Every signature costs at most a
    # pass over its fields; body hashes are capped per message.
    bh = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
    w(out, "dkim-huge-h.eml", "From: a@b\nDKIM-Signature: v=1; a=rsa-sha256; d=x.example; s=s; bh=" + bh
      + "; b=AA==; h=" + "from:" * 500_000 + "from\n\nbody\n")
    w(out, "dkim-h-oversigned-many-fields.eml", "".join(
        f"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=x{i}.example; s=s; bh={bh}; b=AA==; h="
        + ":".join(["from", "subject", "to"] * 300) + "\n" for i in range(40))
      + "From: a@b\n" * 20_000 + "Subject: s\n" * 20_000 + "\nbody\n")
    w(out, "dkim-signatures-5000-distinct-l.eml", "From: a@b\n" + "".join(
        f"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=d.example; s=s; l={i}; h=from; bh={bh}; b=AA==\n"
        for i in range(5_000)) + "\n" + "word \t  " * 100_000 + "\n")
    w(out, "dkim-l-values.eml", "From: a@b\n" + "".join(
        f"DKIM-Signature: v=1; a=rsa-sha256; d=d.example; s=s; l={l}; h=from; bh={bh}; b=AA==\n"
        for l in ["99999999999999999999999999999999", "-5", "18446744073709551615", "18446744073709551616",
                  "0", "1e9", " 12 3", "0x10", "9" * 10_000]) + "\nbody\n")
    # 20 MB of relaxed white space runs and blank lines, four canonicalizations.
    w(out, "dkim-giant-relaxed-body.eml", "From: a@b\n" + "".join(
        f"DKIM-Signature: v=1; a={a}; c={c}; d=d.example; s=s; h=from; bh={bh}; b=AA==\n"
        for a in ["rsa-sha256", "rsa-sha1", "ed25519-sha256"] for c in ["simple/simple", "relaxed/relaxed"])
      + "\n" + (" \t" * 1_000_000 + "\n\n\n") * 5 + "\t \n" * 2_000_000 + "x" + " " * 5_000_000 + "\n")
    w(out, "dkim-bad-tags.eml", "From: a@b\n" + "".join(
        f"DKIM-Signature: {v}\n" for v in ["", ";;;;", "=", "v=1; v=1", "v=1; a=" + "x" * 100_000,
                                           "v=1;" + " x=y;" * 50_000, "\x00=\x00", "b=" + "A" * 1_000_000,
                                           "v=1; a=rsa-sha256; c=weird/relaxed; d=d; s=s; h=from; bh=!; b=!"])
      + "\nbody\n")
    w(out, "arc-50-instances-big.eml", "From: a@b\n" + "".join(
        f"ARC-Seal: i={i}; a=rsa-sha256; cv={'none' if i == 1 else 'pass'}; d=d.example; s=s; b=AA==\n"
        f"ARC-Message-Signature: i={i}; a=rsa-sha256; c=relaxed/relaxed; d=d.example; s=s; h=from; bh={bh}; b=AA==\n"
        f"ARC-Authentication-Results: i={i}; mx{i}.example; " + "dkim=pass " * 20_000 + "\n"
        for i in range(50, 0, -1)) + "\nbody\n")
    w(out, "arc-sets-5000.eml", "From: a@b\n" + "".join(
        f"ARC-Seal: i={i % 60}; a=rsa-sha256; cv=pass; d=d.example; s=s; b=AA==\n"
        f"ARC-Message-Signature: i={i % 60}; a=rsa-sha256; d=d.example; s=s; h=from; bh={bh}; b=AA==\n"
        f"ARC-Authentication-Results: i={i % 60}; mx.example; arc=pass\n"
        for i in range(5_000)) + "\nbody\n")
    # Issue 14: 50,000 attachments (more than the default --max-parts): every
    # command must say the output is cut.
    w(out, "attachments-50000.eml",
      "From: a@b\nContent-Type: multipart/mixed; boundary=b\n\n" + "".join(
          f"--b\nContent-Disposition: attachment; filename=a{i%3}.txt\n\n{i}\n" for i in range(50_000))
      + "--b--\n")
    # Issue 14: file names the policy must never let through as devices.
    w(out, "device-names.eml",
      "From: a@b\nContent-Type: multipart/mixed; boundary=b\n\n" + "".join(
          f"--b\nContent-Disposition: attachment; filename=\"{n}\"\n\nx\n"
          for n in ["CONOUT$" + "\u00a0" * 150 + "x.bin", "CON .txt", "nul\u00a0", "COM\u00b9", "conin$",
                    "LPT\u00b2 . .pdf", "aux\u00a0.\u00a0"]) + "--b--\n")
    w(out, "long-body-line.eml", "From: a@b\n\n" + "x" * 20_000_000 + "\n")
    w(out, "many-encoded-words.eml", "From: a@b\nSubject: " + "=?utf-8?q?a?= " * 200_000 + "\n\nx\n")
    w(out, "many-params.eml", "From: a@b\nContent-Type: text/plain" + "".join(
        f"; p{i}*{i}*=x" for i in range(100_000)) + "\n\nx\n")
    w(out, "rfc2231-huge-index.eml",
      "From: a@b\nContent-Type: application/x; name*4294967295=a; name*0=b; name*99999999999999=c\n\nx\n")
    # Boundaries.
    w(out, "boundary-prefix.eml",
      "From: a@b\nContent-Type: multipart/mixed; boundary=ab\n\n--ab\nContent-Type: multipart/mixed; boundary=abc\n\n"
      "--abc\n\ninner\n--abc--\n--ab\n\nouter\n--ab--\n")
    w(out, "boundary-missing.eml", "From: a@b\nContent-Type: multipart/mixed\n\n--x\n\nbody\n--x--\n")
    w(out, "boundary-empty.eml", "From: a@b\nContent-Type: multipart/mixed; boundary=\"\"\n\n--\n\nbody\n----\n")
    w(out, "boundary-space.eml", "From: a@b\nContent-Type: multipart/mixed; boundary=\" \"\n\n-- \n\nbody\n-- --\n")
    w(out, "preamble-epilogue.eml",
      "From: a@b\nContent-Type: multipart/mixed; boundary=b\n\npreamble\n--b\n\nx\n--b--\nepilogue\n" + "junk " * 1000)
    w(out, "no-closing.eml", "From: a@b\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\nx\n--b\n\ny\n")
    # Bytes.
    w(out, "nul-bytes.eml", b"From: a@b\nSubject: a\x00b\nX-\x00: y\n\nbody\x00with\x00nul\n")
    w(out, "bare-cr.eml", b"From: a@b\rSubject: cr only\r\rbody\rmore\r")
    w(out, "8bit-headers.eml", b"From: \xff\xfe <a@b>\nSubject: caf\xe9 \xe2\x82\xac\n\nx\n")
    w(out, "charsets.eml",
      "From: a@b\nSubject: =?x-unknown?q?a?= =?../../etc/passwd?b?YQ==?= =?utf-7?q?+AGE-?= =?%s?q?x?=\n"
      "Content-Type: text/plain; charset=\"\x1b[31mevil\"\n\nbody\n" % ("c" * 10000))
    w(out, "bad-base64.eml",
      "From: a@b\nContent-Type: application/octet-stream; name=a.bin\nContent-Transfer-Encoding: base64\n\n"
      "!!!!====abc*&^%$\n====\nQUJD\nQ\n")
    w(out, "bad-qp.eml",
      "From: a@b\nContent-Type: text/plain\nContent-Transfer-Encoding: quoted-printable\n\n=ZZ=4=\n=\n=FF=00\n")
    w(out, "uu-garbage.eml",
      "From: a@b\nContent-Type: text/plain\nContent-Transfer-Encoding: x-uuencode\n\nbegin 644 ../../x\n\xff\xff\nend\n")
    # Terminal escapes and bidi in what gets shown.
    w(out, "terminal-escapes.eml",
      "From: \x1b]0;pwned\x07 <a@b>\nSubject: \x1b[2J\x1b[31mred\u202etxt.exe\u200b\n"
      "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\n\x1b[5mblink\n"
      "--b\nContent-Type: application/x; name=\"\x1b[1m\u202egpj.exe\"\nContent-Disposition: attachment; "
      "filename=\"../../../etc/\u0000passwd\"\n\nx\n--b--\n")
    w(out, "path-names.eml",
      "From: a@b\nContent-Type: multipart/mixed; boundary=b\n\n" + "".join(
          f"--b\nContent-Disposition: attachment; filename=\"{n}\"\n\nx\n"
          for n in ["../../evil", "/etc/passwd", "C:\\\\Windows\\\\x.dll", "CON", "nul.txt", ".", "..", "-rf",
                    "a" * 5000 + ".txt", "", " ", "x.", "\u202eexe.txt"]) + "--b--\n")
    # Truncations of a well-formed message at every stage.
    full = ("From: a@b\nTo: c@d\nSubject: =?utf-8?q?caf=C3=A9?=\nContent-Type: multipart/mixed; boundary=\"b\"\n\n"
            "--b\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\ncaf=C3=A9\n"
            "--b\nContent-Type: application/pdf; name*0*=utf-8''a%C3%A9; name*1=.pdf\n"
            "Content-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n--b--\n").encode()
    for cut in range(1, len(full), 7):
        w(out, f"truncated-{cut:04}.eml", full[:cut])
    # Indicators (issue 16): millions of HTML tags, a giant URL, 100k addresses,
    # an unclosed anchor with a huge text, CSS url( without a closing paren.
    w(out, "iocs-million-tags.eml",
      "From: a@b.example\nContent-Type: text/html\n\n" + "<p><b>" * 1_000_000 +
      "".join(f'<a href="http://h{i}.example.com/">w{i}.example.org</a>' for i in range(20_000)) +
      "<a href=x>" * 200_000 + "<style>" + "url(" * 100_000 + "\n")
    big = "a" * 8_000_000
    w(out, "iocs-giant-url.eml",
      "From: a@b.example\nContent-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/plain\n\n"
      f"http://x.example.com/{big}\n--b\nContent-Type: text/html\n\n<a href=\"http://x.example.com/{big}\">"
      f"{big}.example.com</a>\n--b--\n")
    w(out, "iocs-100k-addresses.eml",
      "From: a@b.example\nTo: " + ", ".join(f"u{i}@d{i}.example.com" for i in range(100_000)) +
      "\nReply-To: " + ", ".join(f"r{i}@xn--pypal-4ve{i}.com" for i in range(20_000)) +
      "\n\n" + " ".join(f"v{i}@e{i}.example.net 10.{i % 256}.{i // 256 % 256}.1" for i in range(100_000)) + "\n")
    # Empty and binary.
    w(out, "empty.eml", b"")
    w(out, "binary.bin", bytes(range(256)) * 64)
    w(out, "random.bin", bytes((i * 7919 + 13) % 251 for i in range(100_000)))
    # Mailboxes.
    w(out, "mbox-garbage.mbox", "From x Mon Jan  1 00:00:00 2001\n" + "From \n" * 1000 + ">From \n" * 1000 +
      "From a Mon Jan  1 00:00:00 2001\n\n")
    w(out, "mbox-clen-lie.mbox",
      "From a Mon Jan  1 00:00:00 2001\nContent-Length: 999999999\n\nx\n\nFrom b Mon Jan  1 00:00:00 2001\n"
      "Content-Length: -5\n\ny\n")
    w(out, "mbox-many.mbox", "".join(f"From a{i} Mon Jan  1 00:00:00 2001\n\n" for i in range(50_000)))
    w(out, "mbox-crlf-noeol.mbox", "From a Mon Jan  1 00:00:00 2001\r\nSubject: x\r\n\r\nbody")


if __name__ == "__main__":
    main()
