#!/usr/bin/env python3
"""Writes the extract fixtures (hostile.eml, tnef.eml, uu.eml, nested.mbox).

Run from this folder: python3 make_fixtures.py. The outputs are committed;
this script documents how they were made.
"""
import base64, struct

def b64(data):
    s = base64.b64encode(data).decode()
    return "\r\n".join(s[i:i + 76] for i in range(0, len(s), 76))

def part(headers, body):
    return "\r\n".join(headers) + "\r\n\r\n" + body + "\r\n"

# ---------------------------------------------------------------- hostile
names = [
    ('filename="../../x"', None),
    ('filename="/etc/passwd"', None),
    ('filename="C:\\\\x"', None),                     # C:\x after unquoting
    ('filename="..\\\\..\\\\x"', None),
    ("filename*=utf-8''nul%00byte.txt", None),
    ("filename*=utf-8''invoice%E2%80%AEfdp.exe", None),  # U+202E
    ('filename="%s.pdf"' % ("A" * 300), None),
    ('filename="dup.txt"', None),
    ('filename="dup.txt"', None),
    ('filename="CON"', None),
    ('filename="nul.txt"', None),
    ('filename="-rf"', None),
    ('filename=""', None),
    ('filename="."', None),
    ('filename=".."', None),
    ('filename="zero\u200bwidth.txt"', None),
    ("filename*=utf-8''ctrl%1B%5B31m.txt", None),
    ('filename="trailing.exe. . "', None),
    ('filename="x"', None),                             # the planted symlink's name
    ('filename="keep.txt"', None),                      # a file already in DIR
    ('filename="sub/"', None),
    ('filename="=?utf-8?q?=2E=2E=2F=2E=2E=2Fenc.txt?="', None),
]
parts = []
for i, (fn, _) in enumerate(names):
    data = ("payload %d\n" % i).encode()
    parts.append(part(["Content-Type: application/octet-stream",
                       "Content-Disposition: attachment; " + fn,
                       "Content-Transfer-Encoding: base64"], b64(data)))
msg = ("From: attacker@example.com\r\nTo: victim@example.com\r\nSubject: hostile names\r\n"
       "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"HOSTILE\"\r\n\r\n")
msg += "--HOSTILE\r\n" + part(["Content-Type: text/plain"], "Body text.")
for p in parts:
    msg += "--HOSTILE\r\n" + p
msg += "--HOSTILE--\r\n"
open("hostile.eml", "wb").write(msg.encode("utf-8"))

# ---------------------------------------------------------------- TNEF
SIG = struct.pack("<I", 0x223E9F78)
def attr(level, aid, data):
    return struct.pack("<BII", level, aid, len(data)) + data + struct.pack("<H", sum(data) & 0xFFFF)
def props_longname(name):
    u = name.encode("utf-16-le") + b"\0\0"
    pad = b"\0" * ((4 - len(u) % 4) % 4)
    return struct.pack("<I", 1) + struct.pack("<HH", 0x001F, 0x3707) + struct.pack("<II", 1, len(u)) + u + pad
tnef = SIG + struct.pack("<H", 0x1234)
tnef += attr(1, 0x00089006, b"\0\0\1\0")
files = [("REPORT~1.PDF", "Quarterly report 2024.pdf", b"%PDF-1.4\nfake pdf\n"),
         ("..\\..\\evil.bat", None, b"echo owned\r\n")]
for title, long, data in files:
    tnef += attr(2, 0x00069002, b"\1\0\0\0\xff\xff\xff\xff\0\0\0\0\0\0")
    tnef += attr(2, 0x00018010, title.encode() + b"\0")
    tnef += attr(2, 0x0006800F, data)
    if long:
        tnef += attr(2, 0x00069005, props_longname(long))
msg = ("From: outlook@example.com\r\nTo: x@example.com\r\nSubject: tnef\r\nMIME-Version: 1.0\r\n"
       "Content-Type: multipart/mixed; boundary=\"T\"\r\n\r\n--T\r\n"
       + part(["Content-Type: text/plain"], "See attached.")
       + "--T\r\n" + part(["Content-Type: application/ms-tnef; name=\"winmail.dat\"",
                           "Content-Disposition: attachment; filename=\"winmail.dat\"",
                           "Content-Transfer-Encoding: base64"], b64(tnef))
       + "--T--\r\n")
open("tnef.eml", "wb").write(msg.encode())
