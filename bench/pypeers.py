#!/usr/bin/env python3
"""Python peers on the benchmark mbox, for bench/compare.sh: splits the mbox
the way BASELINE.md's harness does (mmap, split on "\\nFrom ", undo mboxrd
quoting), then per message runs one peer and json.dumps its result.

  pypeers.py eml_parser|mailparser MBOX

Prints "<messages> <seconds of work>" on stdout.
"""
import json
import mmap
import re
import sys
import time

QUOTED = re.compile(rb"^>(>*From )", re.M)


def messages(path):
    with open(path, "rb") as f:
        m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        data = bytes(m)
    for chunk in data.split(b"\nFrom "):
        nl = chunk.find(b"\n")
        body = chunk[nl + 1:] if nl >= 0 else b""
        yield QUOTED.sub(rb"\1", body)


def main():
    peer, path = sys.argv[1], sys.argv[2]
    if peer == "eml_parser":
        import eml_parser
        ep = eml_parser.EmlParser(include_raw_body=False, include_attachment_data=False)

        def one(b):
            return json.dumps(ep.decode_email_bytes(b), default=str)
    elif peer == "mailparser":
        import mailparser

        def one(b):
            return mailparser.parse_from_bytes(b).mail_json
    else:
        raise SystemExit(f"unknown peer {peer}")
    start = time.monotonic()
    n = 0
    for b in messages(path):
        try:
            one(b)
        except Exception:  # a peer failing on a message still costs its time
            pass
        n += 1
    print(n, round(time.monotonic() - start, 3))


if __name__ == "__main__":
    main()
