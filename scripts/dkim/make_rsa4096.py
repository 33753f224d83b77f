#!/usr/bin/env python3
"""Writes testdata/dkim/rsa4096.eml and rsa4096.zone: a message signed by
dkimpy with a 4096-bit RSA key (rsa-sha256, relaxed/relaxed) and the key as
a TXT record in zone-file form (several strings, as published: one string
holds at most 255 bytes). Its DNS answer is about 850 bytes, more than the
512 bytes of plain UDP DNS: tests/cli/dkim.rs serves it over TCP after a
truncated UDP answer. Run once; the output is committed (a new key each run).

    python3 scripts/dkim/make_rsa4096.py testdata/dkim
"""
import base64
import os
import sys

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

out = sys.argv[1] if len(sys.argv) > 1 else "testdata/dkim"
k = rsa.generate_private_key(public_exponent=65537, key_size=4096)
pem = k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                      serialization.NoEncryption())
pub = base64.b64encode(k.public_key().public_bytes(
    serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)).decode()
msg = (b"Received: from mail.big.example (mail.big.example [203.0.113.44])\r\n"
       b"\tby mx.example.net with ESMTPS id B4096; Fri, 1 Mar 2024 10:00:03 +0000\r\n"
       b"From: Big Key <big@big.example>\r\n"
       b"To: someone@example.net\r\n"
       b"Subject: signed with a 4096-bit RSA key\r\n"
       b"Date: Fri, 1 Mar 2024 10:00:00 +0000\r\n"
       b"Message-ID: <rsa4096-1@big.example>\r\n\r\n"
       b"A 4096-bit key record does not fit a 512-byte DNS answer.\r\n")
sig = dkim.sign(msg, b"big2024", b"big.example", pem, canonicalize=(b"relaxed", b"relaxed"),
                include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])
# The signature goes below the Received field, as the signer added it
# before the receiving host did.
i = msg.index(b"From: ")
signed = msg[:i] + sig + msg[i:]
record = "v=DKIM1; k=rsa; p=" + pub
strings = [record[j:j + 255] for j in range(0, len(record), 255)]
zone = ("; the 4096-bit key of rsa4096.eml (scripts/dkim/make_rsa4096.py)\n"
        "big2024._domainkey.big.example. 300 IN TXT (\n" +
        "".join('    "%s"\n' % s for s in strings) + ")\n")


def dnsfunc(name, timeout=5):
    return record.encode()


assert dkim.verify(signed, dnsfunc=dnsfunc)
with open(os.path.join(out, "rsa4096.zone"), "w") as f:
    f.write(zone)
with open(os.path.join(out, "rsa4096.eml"), "wb") as f:
    f.write(signed)
