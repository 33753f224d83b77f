#!/usr/bin/env python3
"""Complexity test: every command on every growth shape at size n and 8n.

A linear command takes about 8x the time (and at most 8x the memory) at 8n.
This fails when a ratio is far above that (more than 8 x SLACK), which is
what a quadratic loop gives (64x). Runs under a second or two per shape; the
smallest runs are padded by a time floor so that start-up noise does not
count as growth.

    python3 testdata/hostile/complexity.py --bin target/release/emlkit

See: issue 14 (linear or bounded, everywhere).
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

SLACK = 3.0  # allowed factor over linear (8x): 24x at most
FLOOR_S = 0.05  # runs faster than this at 8n are too short to judge


def shapes():
    """name -> function(n) -> (bytes, suffix)."""
    def nest(n):
        return b"From: a@b\n" + b"".join(
            b"Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n" % (i, i) for i in range(n)) + b"\nx\n", ".eml"

    def rfc822(n):
        return b"From: a@b\n" + b"Content-Type: message/rfc822\n\n" * n + b"x\n", ".eml"

    def parts(n):
        return b"From: a@b\nContent-Type: multipart/mixed; boundary=b\n\n" + (
            b"--b\nContent-Type: application/octet-stream; name=a.bin\n"
            b"Content-Transfer-Encoding: base64\n\nQUJD\n") * n + b"--b--\n", ".eml"

    def params(n):
        return b"From: a@b\nContent-Type: text/plain" + b"".join(
            b"; p%d*%d*=x" % (i, i) for i in range(n)) + b"\n\nx\n", ".eml"

    def fields(n):
        return b"From: a@b\n" + b"X-H: v\n" * n + b"\nbody\n", ".eml"

    def received_auth(n):
        return b"From: a@b\n" + b"".join(
            b"Received: from h%d.example ([192.0.2.%d]) by mx%d.example with ESMTPS id %d; "
            b"Mon, 1 Jan 2024 00:00:%02d +0000\nAuthentication-Results: mx%d.example; spf=pass; dkim=pass\n"
            % (i, i % 250 + 1, i, i, i % 60, i) for i in range(n)) + b"\nx\n", ".eml"

    def encoded_words(n):
        return b"From: a@b\nSubject: " + b"=?a?q?x" * n + b"\n\nx\n", ".eml"

    def from_lines(n):
        return b"From a@b Mon Jan  1 00:00:00 2024\nSubject: s\n\n" + b"From x\n" * n, ".mbox"

    def line_length(n):
        return b"From: a@b\n\n" + b"x" * (n * 100) + b"\n", ".eml"

    def messages(n):
        return b"".join(b"From a@b Mon Jan  1 00:00:00 2024\nSubject: %d\n\nbody\n\n" % i for i in range(n)), ".mbox"

    def reply_chain(n):
        # Each message answers the one before; newest first, so every
        # parent arrives after its replies (the worst order for threading).
        return b"".join(
            b"From a@b Mon Jan  1 00:00:00 2024\nMessage-ID: <%d@x>\nIn-Reply-To: <%d@x>\nSubject: Re: s\n\nbody\n\n"
            % (i, i - 1) for i in range(n, 0, -1)), ".mbox"

    def html_links(n):
        # Indicators (issue 16): tags, links whose text names another host,
        # CSS url(), all distinct (the cap of 1,000 is reached early).
        return b"From: a@b\nContent-Type: text/html\n\n" + b"".join(
            b'<p style="background:url(http://c%d.example.com/)"><a href="http://h%d.example.com/">w%d.example.org</a>'
            % (i, i, i) for i in range(n)) + b"\n", ".eml"

    def addresses(n):
        return b"From: a@b\n\n" + b" ".join(
            b"u%d@d%d.example.com 10.%d.%d.1 http://x%d.example.net/p" % (i, i, i % 256, i // 256 % 256, i)
            for i in range(n)) + b"\n", ".eml"

    return {
        "html-links": (html_links, 10000),
        "addresses": (addresses, 10000),
        "nesting": (nest, 5000),
        "rfc822-nesting": (rfc822, 20000),
        "parts": (parts, 500),
        "parameters": (params, 20000),
        "header-fields": (fields, 20000),
        "received+auth": (received_auth, 1000),
        "encoded-words": (encoded_words, 80000),
        "from-lines": (from_lines, 100000),
        "line-length": (line_length, 100000),
        "messages": (messages, 4000),
        "reply-chain": (reply_chain, 4000),
    }


COMMANDS = [
    ["json"],
    ["tree"],
    ["tree", "--json"],
    ["headers"],
    ["trace", "--json"],
    ["trace", "--iocs", "--json"],
    ["json", "--iocs", "--no-body"],
    ["text"],
    ["extract", "--json", "-o", "{out}"],
    ["info"],
    ["pick", "body:zzz OR finding:zzz OR tls:no OR has:attachment"],
    ["scan"],
    ["sort", "-k", "subject"],
    ["thread"],
    ["dedupe", "--by", "content"],
]


def run(binary, args, path, out):
    args = [a.replace("{out}", out) for a in args]
    best = None
    for _ in range(2):
        t = time.perf_counter()
        subprocess.run([binary, *args, "--max-headers", "1000000", "--max-parts", "1000000", path]
                       if args[0] in ("json", "tree", "headers", "trace", "text", "extract", "pick", "scan", "sort", "thread", "dedupe") else [binary, *args, path],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
        el = time.perf_counter() - t
        best = el if best is None else min(best, el)
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/release/emlkit")
    a = ap.parse_args()
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'shape':<16} {'command':<22} {'t(n) s':>8} {'t(8n) s':>8} {'ratio':>6}")
        for name, (make, n) in shapes().items():
            paths = {}
            for size in (n, 8 * n):
                data, suffix = make(size)
                p = os.path.join(tmp, f"{name}-{size}{suffix}")
                with open(p, "wb") as f:
                    f.write(data)
                paths[size] = p
            for cmd in COMMANDS:
                out = os.path.join(tmp, "out")
                t1 = run(a.bin, cmd, paths[n], out)
                subprocess.run(["rm", "-rf", out])
                t8 = run(a.bin, cmd, paths[8 * n], out)
                subprocess.run(["rm", "-rf", out])
                ratio = t8 / max(t1, FLOOR_S / 8)
                flag = ""
                if t8 > FLOOR_S and ratio > 8 * SLACK:
                    flag = "  <- superlinear"
                    failures.append(f"{name} {' '.join(cmd)}: {t1:.3f}s -> {t8:.3f}s ({ratio:.1f}x)")
                print(f"{name:<16} {' '.join(cmd[:2]):<22} {t1:>8.3f} {t8:>8.3f} {ratio:>6.1f}{flag}")
    if failures:
        print("\nFAIL: grows faster than linear:", *failures, sep="\n  ")
        sys.exit(1)
    print("\ncomplexity: every command within {:.0f}x of linear at 8n".format(SLACK))


if __name__ == "__main__":
    main()
