#!/usr/bin/env python3
"""Writes the ARC fixtures of testdata/dkim/ with dkimpy's ARC signer
(RFC 8617): a message relayed through two sealers (each adding
Authentication-Results, then an ARC set), its keys as a zone file, and
broken copies. Run once; the output is committed (new keys each run).

    python3 scripts/dkim/make_arc.py testdata/dkim
"""
import base64
import os
import sys

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

out = sys.argv[1] if len(sys.argv) > 1 else "testdata/dkim"


def key():
    k = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    pem = k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                          serialization.NoEncryption())
    pub = k.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return pem, base64.b64encode(pub).decode()


origin_pem, origin_pub = key()
list_pem, list_pub = key()
fwd_pem, fwd_pub = key()
msg = (b"From: Alice <alice@origin.example>\r\n"
       b"To: list@lists.example\r\n"
       b"Subject: ARC test\r\n"
       b"Date: Fri, 1 Mar 2024 10:00:00 +0000\r\n"
       b"Message-ID: <arc-1@origin.example>\r\n\r\n"
       b"Hello, list.\r\n")
msg = dkim.sign(msg, b"s1", b"origin.example", origin_pem, include_headers=[b"from", b"to", b"subject", b"date"]) + msg
# Hop 1: the list server receives, authenticates, changes the subject, seals.
msg = (b"Received: from mail.origin.example (mail.origin.example [192.0.2.10])\r\n"
       b"\tby mx.lists.example with ESMTPS id L1; Fri, 1 Mar 2024 10:00:02 +0000\r\n" + msg)
msg = b"Authentication-Results: mx.lists.example; dkim=pass header.d=origin.example\r\n" + msg
msg = msg.replace(b"Subject: ARC test", b"Subject: [list] ARC test")
msg = msg.replace(b"Hello, list.\r\n", b"Hello, list.\r\n-- \r\nlist footer\r\n")
sig = dkim.arc_sign(msg, b"arc", b"lists.example", list_pem, b"mx.lists.example",
                    include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])
msg = b"".join(sig) + msg
# Hop 2: a forwarder receives from the list and seals again.
msg = (b"Received: from mx.lists.example (mx.lists.example [198.51.100.7])\r\n"
       b"\tby mx.fwd.example with ESMTPS id F2; Fri, 1 Mar 2024 10:00:05 +0000\r\n" + msg)
msg = b"Authentication-Results: mx.fwd.example; arc=pass; dkim=fail header.d=origin.example\r\n" + msg
sig = dkim.arc_sign(msg, b"arc2", b"fwd.example", fwd_pem, b"mx.fwd.example",
                    include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])
msg = b"".join(sig) + msg
zone = (f"; keys of the ARC fixtures (scripts/dkim/make_arc.py)\n"
        f's1._domainkey.origin.example. IN TXT "v=DKIM1; k=rsa; p={origin_pub}"\n'
        f's._domainkey.unused.example. IN TXT "v=DKIM1; p="\n'
        f'arc._domainkey.lists.example. IN TXT "v=DKIM1; k=rsa; p={list_pub}"\n'
        f'arc2._domainkey.fwd.example. IN TXT "v=DKIM1; k=rsa; p={fwd_pub}"\n')


def dnsfunc(name, timeout=5):
    for line in zone.splitlines():
        if line.startswith(name.decode().rstrip(".") + "."):
            return line.split('"')[1].encode()


res = dkim.arc_verify(msg, dnsfunc=dnsfunc)
assert res[0] == b"pass", res
with open(os.path.join(out, "arc.zone"), "w") as f:
    f.write(zone)
with open(os.path.join(out, "arc-pass.eml"), "wb") as f:
    f.write(msg)
# The body changed after the last seal: the newest AMS fails.
bad_body = msg.replace(b"list footer", b"list f00ter")
assert dkim.arc_verify(bad_body, dnsfunc=dnsfunc)[0] == b"fail"
with open(os.path.join(out, "arc-body-changed.eml"), "wb") as f:
    f.write(bad_body)
# The first seal's cv= rewritten: the chain structure is broken.
i = msg.find(b"ARC-Seal: i=1")
j = msg.find(b"cv=none", i)
bad_cv = msg[:j] + b"cv=pass" + msg[j + 7:]
assert dkim.arc_verify(bad_cv, dnsfunc=dnsfunc)[0] == b"fail"
with open(os.path.join(out, "arc-bad-cv.eml"), "wb") as f:
    f.write(bad_cv)
# DKIM fixtures with the origin key: From signed once (a From added above
# it leaves the signature valid but unsigned From present), and l= with a
# footer appended after signing.
plain = (b"From: Alice <alice@origin.example>\r\n"
         b"To: Bob <bob@dest.example>\r\n"
         b"Subject: quarterly numbers\r\n"
         b"Date: Fri, 1 Mar 2024 10:00:00 +0000\r\n"
         b"Message-ID: <dkim-1@origin.example>\r\n\r\n"
         b"The numbers are attached.\r\n")
once = dkim.sign(plain, b"s1", b"origin.example", origin_pem, include_headers=[b"from", b"subject", b"date"]) + plain
assert dkim.verify(once, dnsfunc=dnsfunc)
with open(os.path.join(out, "dkim-from-once.eml"), "wb") as f:
    f.write(once)
with open(os.path.join(out, "dkim-from-added.eml"), "wb") as f:
    f.write(b"From: CEO <ceo@dest.example>\r\n" + once)
with_l = dkim.sign(plain, b"s1", b"origin.example", origin_pem, include_headers=[b"from", b"to", b"subject"],
                   length=True, canonicalize=(b"relaxed", b"relaxed")) + plain
appended = with_l + b"\r\nPS: wire the money to the new account.\r\n"
assert dkim.verify(appended, dnsfunc=dnsfunc)
with open(os.path.join(out, "dkim-l-appended.eml"), "wb") as f:
    f.write(appended)
print("ok")
