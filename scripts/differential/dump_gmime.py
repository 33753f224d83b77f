#!/usr/bin/env python3
"""Peer dumper: GMime 3 through PyGObject (Debian: gir1.2-gmime-3.0, python3-gi).

Reads file paths from stdin (one per line), writes one JSON line per path:
{"path": ..., "model": {...}} or {"path": ..., "error": "..."}. See model.py.
Run it with a Python that has `gi` (Debian's /usr/bin/python3).
"""
import hashlib
import json
import os
import sys

import gi

gi.require_version("GMime", "3.0")
from gi.repository import GMime  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import norm_msgid  # noqa: E402

GMime.init()


def mime_type(obj):
    ct = obj.get_content_type()
    if ct is None:
        return "text/plain"
    return ct.get_mime_type().lower()


def decoded_bytes(part):
    wrapper = part.get_content()
    if wrapper is None:
        return b""
    mem = GMime.StreamMem.new()
    wrapper.write_to_stream(mem)  # undoes the Content-Transfer-Encoding
    arr = mem.get_byte_array()
    return bytes(arr) if arr is not None else b""


def walk(obj, out, top, state):
    if obj is None:
        return
    if isinstance(obj, GMime.Multipart):
        for i in range(obj.get_count()):
            walk(obj.get_part(i), out, top, state)
        return
    if isinstance(obj, GMime.MessagePart):
        inner = obj.get_message()
        if inner is not None:
            walk(inner.get_mime_part(), out, False, state)
        return
    if isinstance(obj, GMime.Part):
        data = decoded_bytes(obj)
        ctype = mime_type(obj)
        out.append({"type": ctype, "filename": safe(obj.get_filename),
                    "sha256": hashlib.sha256(data).hexdigest()})
        disp = obj.get_disposition()
        if top and "text" not in state and ctype == "text/plain" \
                and (disp or "").lower() != "attachment":
            if isinstance(obj, GMime.TextPart):
                state["text"] = safe(obj.get_text)
            else:
                state["text"] = data.decode("utf-8", "replace")
        return
    # other GMime.Object kinds (should not happen): count as an unknown leaf
    out.append({"type": mime_type(obj), "filename": None, "sha256": None})


def first_addr(lst):
    if lst is None:
        return None
    for i in range(lst.length()):
        a = lst.get_address(i)
        if isinstance(a, GMime.InternetAddressMailbox):
            return a.get_addr()
        if isinstance(a, GMime.InternetAddressGroup):
            r = first_addr(a.get_members())
            if r:
                return r
    return None


def safe(fn, *a):
    """A string from GMime, or a marker when gi cannot turn GMime's bytes into str."""
    try:
        return fn(*a)
    except UnicodeDecodeError:
        return "<gmime: invalid UTF-8>"


def dump(path):
    stream = GMime.StreamFile.open(path, "rb")
    parser = GMime.Parser.new_with_stream(stream)
    msg = parser.construct_message(None)
    if msg is None:
        raise ValueError("GMime could not construct a message")
    out, state = [], {}
    walk(msg.get_mime_part(), out, True, state)
    date = msg.get_date()
    return {
        "leaves": out,
        "text": state.get("text"),
        "subject": safe(msg.get_subject),
        "from": safe(lambda: first_addr(msg.get_from())),
        "date": date.to_utc().format("%Y-%m-%dT%H:%M:%SZ") if date is not None else None,
        "message_id": norm_msgid(safe(msg.get_message_id)),
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
