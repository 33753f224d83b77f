#!/usr/bin/env python3
"""Peer dumper: Python's `email` package with policy.default.

Reads file paths from stdin (one per line), writes one JSON line per path:
{"path": ..., "model": {...}} or {"path": ..., "error": "..."}. See model.py.
"""
import email
import hashlib
import json
import os
import sys
from email import policy

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import norm_date, norm_msgid  # noqa: E402

CONTAINERS = ("message/rfc822", "message/global")


def leaves(msg, out, top, state):
    """Pre-order walk; collects leaves; remembers the first top-level text/plain body."""
    ctype = msg.get_content_type()
    if msg.is_multipart():
        payload = msg.get_payload()
        if ctype in CONTAINERS or not ctype.startswith("multipart/"):
            # an attached message: its payload is [Message]
            for sub in payload:
                leaves(sub, out, False, state)
        else:
            for sub in payload:
                leaves(sub, out, top, state)
        return
    data = msg.get_payload(decode=True)
    if data is None:
        data = b""
    try:
        fn = msg.get_filename()
    except Exception:  # noqa: BLE001 - a peer failing on a value is recorded as null
        fn = None
    out.append({"type": ctype, "filename": fn, "sha256": hashlib.sha256(data).hexdigest()})
    if top and state.get("text") is None and ctype == "text/plain" \
            and msg.get_content_disposition() != "attachment":
        try:
            state["text"] = msg.get_content()
        except Exception:  # noqa: BLE001
            state["text"] = data.decode("utf-8", "replace")


def header(msg, name):
    try:
        v = msg[name]
    except Exception:  # noqa: BLE001
        return None
    return v


def dump(path):
    with open(path, "rb") as f:
        msg = email.message_from_binary_file(f, policy=policy.default)
    out, state = [], {}
    leaves(msg, out, True, state)
    subject = header(msg, "subject")
    frm = None
    h = header(msg, "from")
    if h is not None:
        try:
            addrs = h.addresses
            if addrs:
                frm = addrs[0].addr_spec
        except Exception:  # noqa: BLE001
            frm = None
    date = None
    h = header(msg, "date")
    if h is not None:
        try:
            date = norm_date(h.datetime)
        except Exception:  # noqa: BLE001
            date = None
    mid = header(msg, "message-id")
    return {
        "leaves": out,
        "text": state.get("text"),
        "subject": str(subject) if subject is not None else None,
        "from": frm,
        "date": date,
        "message_id": norm_msgid(str(mid)) if mid is not None else None,
    }


def main():
    for line in sys.stdin:
        path = line.rstrip("\n")
        if not path:
            continue
        try:
            rec = {"path": path, "model": dump(path)}
        except Exception as e:  # noqa: BLE001
            rec = {"path": path, "error": f"{type(e).__name__}: {e}"[:300]}
        sys.stdout.write(json.dumps(rec, ensure_ascii=False) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
