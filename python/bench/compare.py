#!/usr/bin/env python3
"""emlkit.messages() against Python's e-mail parsers, in one run, one thread.

    python3 python/bench/compare.py [MBOX] [--sample N] [--repeat R]

MBOX defaults to target/python-bench/50m.mbox (../shared/bench/gen_corpus.py
--size 50M). Each tool does its nearest job to emlkit's `json` record, over
every message of the mbox:

* emlkit:      emlkit.messages(MBOX) -> one dict per message (headers, addresses,
               dates, Received parsed, part tree, attachments with SHA-256, text
               and HTML bodies, findings); splitting the mbox is inside the time.
* eml_parser:  EmlParser(include_raw_body=True).decode_email_bytes(msg): headers,
               bodies, attachments with hashes (md5/sha1/sha256/sha512).
* mail-parser: mailparser.parse_from_bytes(msg).mail: headers, bodies,
               attachments (base64 payloads), defects.
* email:       email.message_from_bytes(msg, policy=default), every header
               decoded, text/html bodies decoded, SHA-256 of each attachment.

The Python tools get the messages already split and unquoted (that work is
not timed for them, which favours them). MB/s = mbox bytes / CPU seconds of
the process (time.process_time), the median of --repeat runs.
"""
import argparse
import email
import email.policy
import hashlib
import os
import re
import statistics
import sys
import time
import warnings

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def split_mbox(data):
    """The messages of an mboxrd mbox, `From_` lines dropped, `>From ` unquoted."""
    starts = [m.start() for m in re.finditer(rb"(?m)^From ", data)]
    out = []
    for a, b in zip(starts, starts[1:] + [len(data)]):
        chunk = data[a:b]
        nl = chunk.find(b"\n")
        body = chunk[nl + 1:]
        out.append(re.sub(rb"(?m)^>(>*From )", rb"\1", body))
    return out


def run_emlkit(path, msgs):
    import emlkit
    n = 0
    for rec in emlkit.messages(path):
        n += 1
    return n


def run_eml_parser(path, msgs):
    import eml_parser
    ep = eml_parser.EmlParser(include_raw_body=True)
    for m in msgs:
        ep.decode_email_bytes(m)
    return len(msgs)


def run_mail_parser(path, msgs):
    import mailparser
    for m in msgs:
        mailparser.parse_from_bytes(m).mail
    return len(msgs)


def run_email(path, msgs):
    for m in msgs:
        msg = email.message_from_bytes(m, policy=email.policy.default)
        for k, v in msg.items():
            str(v)
        for part in msg.walk():
            if part.is_multipart():
                continue
            if part.get_content_disposition() == "attachment" or part.get_filename():
                hashlib.sha256(part.get_payload(decode=True) or b"").hexdigest()
            elif part.get_content_type() in ("text/plain", "text/html"):
                try:
                    part.get_content()
                except Exception:
                    pass
    return len(msgs)


TOOLS = [("emlkit.messages()", run_emlkit), ("eml_parser", run_eml_parser),
         ("mail-parser (SpamScope)", run_mail_parser), ("email (stdlib)", run_email)]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mbox", nargs="?", default=os.path.join(REPO, "target", "python-bench", "50m.mbox"))
    ap.add_argument("--sample", type=int, default=0, help="only the first N messages (a quick check)")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--check", action="store_true", help="exit 1 if a target ratio is missed")
    args = ap.parse_args()
    data = open(args.mbox, "rb").read()
    msgs = split_mbox(data)
    path = args.mbox
    if args.sample:
        msgs = msgs[:args.sample]
        cut = [m.start() for m in re.finditer(rb"(?m)^From ", data)]
        end = cut[args.sample] if args.sample < len(cut) else len(data)
        path = os.path.join(os.path.dirname(os.path.abspath(args.mbox)), f".sample-{args.sample}.mbox")
        with open(path, "wb") as f:
            f.write(data[:end])
        data = data[:end]
    size = len(data)
    warnings.simplefilter("ignore")
    import logging
    logging.disable(logging.CRITICAL)
    rates = {}
    print(f"{args.mbox}: {len(msgs)} messages, {size / 1e6:.1f} MB, {args.repeat} run(s) each")
    print(f"| tool | CPU s | MB/s | messages/s | emlkit is × faster |")
    print(f"|---|---|---|---|---|")
    rows = []
    for name, fn in TOOLS:
        try:
            times = []
            for _ in range(args.repeat):
                t0 = time.process_time()
                n = fn(path, msgs)
                times.append(time.process_time() - t0)
            t = statistics.median(times)
        except ImportError as e:
            print(f"note: {name} skipped: {e}", file=sys.stderr)
            continue
        assert n == len(msgs), (name, n, len(msgs))
        rates[name] = size / t / 1e6
        rows.append((name, t, n))
    base = rates.get("emlkit.messages()")
    for name, t, n in rows:
        ratio = f"{base / rates[name]:.1f}×" if base and name != "emlkit.messages()" else ""
        print(f"| {name} | {t:.2f} | {rates[name]:.1f} | {n / t:.0f} | {ratio} |")
    if args.sample:
        os.unlink(path)
    if args.check and base:
        ok = base >= 20 * rates.get("eml_parser", 0) and base >= 8 * rates.get("mail-parser (SpamScope)", 0)
        if not ok:
            print("a target ratio (20× eml_parser, 8× mail-parser) is missed", file=sys.stderr)
            sys.exit(1)


if __name__ == "__main__":
    main()
