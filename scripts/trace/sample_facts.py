#!/usr/bin/env python3
"""Write testdata/trace/samples/: real spam and phishing messages that other
forensic tools ship with their tests, and what those tools compute for them.

The messages are SpamScope mail-parser's test mails (tests/mails/, Apache-2.0),
taken from the PyPI sdist of mail-parser (the same files as the git
repository: their git blob ids are recorded). The facts are what two other
tools compute on them, run here as libraries (none of their code is copied):

- mail-parser (PyPI `mail-parser`, SpamScope): `MailParser.received`, one
  dict per Received field, oldest first (`hop` 1 = bottom-most), with
  `from`, `by`, `with`, `id`, `for`, `via`, `date_utc` and `delay` (seconds
  since the previous hop); and `get_server_ipaddress(trust)` with the
  newest receiving host as `trust`: the public client address the
  recipient's server saw;
- eml_parser (PyPI `eml_parser`, GOVCERT.LU): `header.received` (newest
  first; `from` names and addresses, `by`, `date`), reversed here to oldest
  first, and `header.received_ip`;
- dkimpy (PyPI `dkimpy`): whether the first DKIM-Signature's body hash
  matches. dkimpy compares the body hash only once it holds a key, so it is
  given a stand-in key (RFC 6376 Appendix C's) for every selector: a
  mismatch raises "body hash mismatch", a match goes on to a signature
  check that the stand-in key fails.

Usage (needs the two packages; nothing else is fetched):

    pip download --no-deps --no-binary :all: mail-parser==4.8.0 -d /tmp/sd
    tar xzf /tmp/sd/mail_parser-4.8.0.tar.gz -C /tmp/sd
    python3 scripts/trace/sample_facts.py /tmp/sd/mail_parser-4.8.0 testdata/trace/samples

tests/cli/trace_samples.rs reads the result; docs/trace.md summarises it.
"""

import datetime
import hashlib
import importlib.metadata
import json
import os
import sys

import dkim
import eml_parser
import mailparser

# The sdist's tests/mails/ files kept, and how: "full" (byte for byte) or
# "header" (the header section byte for byte, the body left out: megabytes
# of attachments that say nothing about the route). mail_outlook_1 is an
# Outlook .msg (binary, not RFC 5322) and is not kept.
SAMPLES = [
    ("mail_test_1", "full"),
    ("mail_test_2", "header"),
    ("mail_test_3", "full"),
    ("mail_test_4", "header"),
    ("mail_test_5", "full"),
    ("mail_test_6", "full"),
    ("mail_test_7", "full"),
    ("mail_test_8", "full"),
    ("mail_test_9", "full"),
    ("mail_test_10", "header"),
    ("mail_test_11", "full"),
    ("mail_test_12", "full"),
    ("mail_test_13", "full"),
    ("mail_test_14", "full"),
    ("mail_test_15", "header"),
    ("mail_test_16", "full"),
    ("mail_test_17", "full"),
    ("mail_test_18", "full"),
    ("mail_test_19", "full"),
    ("mail_malformed_1", "full"),
    ("mail_malformed_2", "full"),
    ("mail_malformed_3", "full"),
]

# Facts mail-parser's own tests assert (tests/test_mail_parser.py), quoted.
PUBLISHED = {
    "mail_test_1": [
        {"test": "test_receiveds", "fact": "received_count", "value": 6},
    ],
    "mail_test_2": [
        {
            "test": "test_ipaddress",
            "fact": "server_ip",
            "trust": "smtp.customers.net",
            "value": "217.76.210.112",
        },
    ],
    "mail_test_8": [
        {"test": "test_issue_received", "fact": "every_hop_dated", "value": True},
    ],
    "mail_test_12": [
        {
            "test": "test_ipaddress_unicodeerror",
            "fact": "server_ip",
            "trust": "localhost",
            "value": "96.202.181.20",
        },
    ],
}


def git_blob(data):
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def header_only(data):
    for sep in (b"\r\n\r\n", b"\n\n"):
        p = data.find(sep)
        if p >= 0:
            return data[: p + len(sep)]
    return data


def unix(s):
    if not s:
        return None
    try:
        d = datetime.datetime.fromisoformat(str(s))
    except ValueError:
        return None
    if d.tzinfo is None:
        d = d.replace(tzinfo=datetime.timezone.utc)
    return int(d.timestamp())


def mail_parser_facts(path):
    m = mailparser.parse_from_file(path)
    hops = []
    for r in m.received:
        hops.append(
            {
                "hop": r.get("hop"),
                "from": r.get("from"),
                "by": r.get("by"),
                "with": r.get("with"),
                "id": r.get("id"),
                "for": r.get("for"),
                "via": r.get("via"),
                "date_utc": r.get("date_utc"),
                "timestamp": unix(r.get("date_utc")),
                "delay": r.get("delay"),
            }
        )
    # get_server_ipaddress with the recipient's own server as the trust
    # string: the receiving host of the newest hop that names one (what
    # mail-parser's own tests do: smtp.customers.net, localhost).
    server_ip = None
    for h in reversed(hops):
        by = (h.get("by") or "").split()
        if by:
            server_ip = {"trust": by[0], "ip": m.get_server_ipaddress(by[0])}
            break
    return {"hops": hops, "server_ip": server_ip}


def eml_parser_facts(data):
    parsed = eml_parser.EmlParser().decode_email_bytes(data)
    header = parsed.get("header", {})
    hops = []
    for r in reversed(header.get("received", []) or []):
        hops.append(
            {
                "from": r.get("from", []),
                "by": r.get("by", []),
                "with": r.get("with"),
                "date": str(r["date"]) if r.get("date") is not None else None,
                "timestamp": unix(r.get("date")),
                "warning": r.get("warning", []),
            }
        )
    return {"hops": hops, "received_ip": header.get("received_ip", []) or []}


# RFC 6376 Appendix C's public key: a stand-in that lets dkimpy reach its
# body hash comparison (the signature check after it fails, as intended).
STAND_IN_KEY = (
    b"v=DKIM1; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDwIRP/UC3SBsEmGqZ9ZJW3/DkMoGeLnQg1fWn7/zYt"
    b"IxN2SnFCjxOCKG9v3b4jYfcTNh5ijSsq631uBItLa7od+v/RtdC2UzJ1lWT947qR+Rcac2gbto/NMqJ0fzfVjH4OuKhi"
    b"tdY9tf6mcwGjaNBcWToIMmPSPDdQPNUYckcQ2QIDAQAB"
)


def dkimpy_facts(data):
    if b"\ndkim-signature:" not in b"\n" + data.lower():
        return {"body_hash": None}
    try:
        dkim.DKIM(data).verify(dnsfunc=lambda name, timeout=5: STAND_IN_KEY)
    except dkim.ValidationError as e:
        if "body hash mismatch" in str(e):
            return {"body_hash": "mismatch"}
        raise
    return {"body_hash": "match"}


def main():
    sdist, out = sys.argv[1], sys.argv[2]
    os.makedirs(os.path.join(out, "spamscope"), exist_ok=True)
    samples = []
    for name, keep in SAMPLES:
        src = os.path.join(sdist, "tests", "mails", name)
        data = open(src, "rb").read()
        kept = data if keep == "full" else header_only(data)
        rel = "spamscope/%s.eml" % name
        dst = os.path.join(out, rel)
        with open(dst, "wb") as f:
            f.write(kept)
        samples.append(
            {
                "file": rel,
                "source": {
                    "repo": "SpamScope/mail-parser",
                    "path": "tests/mails/" + name,
                    "git_blob": git_blob(data),
                    "bytes": len(data),
                    "kept": keep,
                },
                "published": PUBLISHED.get(name, []),
                "mail_parser": mail_parser_facts(dst),
                "eml_parser": eml_parser_facts(kept),
                "dkimpy": dkimpy_facts(kept),
            }
        )
    doc = {
        "_comment": "Facts other tools compute for the real spam and phishing messages in this folder; written by scripts/trace/sample_facts.py, checked by tests/cli/trace_samples.rs (the differences are listed there, each with its reason).",
        "tools": {
            "mail-parser": importlib.metadata.version("mail-parser"),
            "eml_parser": importlib.metadata.version("eml_parser"),
            "dkimpy": importlib.metadata.version("dkimpy"),
        },
        "source_package": "mail-parser %s sdist from PyPI (tests/mails/)"
        % importlib.metadata.version("mail-parser"),
        "samples": samples,
    }
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False, default=str)
        f.write("\n")


if __name__ == "__main__":
    main()
