#!/usr/bin/env python3
"""emlkit against a real IMAP server (Dovecot), over Python's imaplib.

1. A source mbox with every combination of flags, keywords and envelope
   dates is converted by emlkit into a maildir, and that maildir into an
   mbox. Dovecot, serving both, must show every message with the same bytes,
   RFC822.SIZE, flags, keywords, and INTERNALDATE equal to the envelope date.
2. Messages APPENDed over IMAP with flags, keywords and dates land in a
   Dovecot maildir; `emlkit convert --to mbox` must keep all of them.

Dovecot runs on 127.0.0.1 on a free unprivileged port, from the config in
testdata/dovecot/dovecot.conf.in, as the unprivileged user `nobody`, and is
stopped by its PID. Exit status: 0 passed, 1 failed, 77 skipped (printed).

Usage: imap_check.py --emlkit PATH [--keep]
See: issue 12.
"""

import argparse
import datetime
import imaplib
import mailbox
import os
import pwd
import grp
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SKIP = 77

FLAG_OF_STATUS = {"R": "\\Seen"}
FLAG_OF_XSTATUS = {"A": "\\Answered", "F": "\\Flagged", "D": "\\Deleted", "T": "\\Draft"}
METADATA = ("status", "x-status", "x-keywords")


def skip(why):
    print("skipped: " + why)
    sys.exit(SKIP)


def fail(why):
    print("FAILED: " + why)
    sys.exit(1)


def asctime(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%a %b %e %H:%M:%S %Y")


def source_messages():
    """(envelope sender, time, message bytes, flags, keywords) in every combination."""
    out = []
    i = 0
    for status in (None, "O", "RO"):
        for xstatus in (None, "A", "F", "AFDT"):
            for kw in (None, "$Label1", "$Label1 Junk work"):
                if status is None and (xstatus or kw):
                    continue
                ts = 1_000_000_000 + i * 86_400 * 41 + i * 3_607
                lines = [
                    "Return-Path: <user%d@example.com>" % i,
                    "From: User %d <user%d@example.com>" % (i, i),
                    "Subject: message %d" % i,
                    "Message-ID: <%d@emlkit.test>" % i,
                ]
                if status:
                    lines.append("Status: " + status)
                if xstatus:
                    lines.append("X-Status: " + xstatus)
                if kw:
                    lines.append("X-Keywords: " + kw)
                body = "\nline one\nFrom the archives\n>From quoted\n"
                msg = ("\n".join(lines) + "\n" + body).encode()
                flags = set()
                for c in status or "":
                    if c in FLAG_OF_STATUS:
                        flags.add(FLAG_OF_STATUS[c])
                for c in xstatus or "":
                    flags.add(FLAG_OF_XSTATUS[c])
                out.append(("user%d@example.com" % i, ts, msg, flags, set((kw or "").split())))
                i += 1
    return out


def quote_mboxrd(msg):
    return re.sub(rb"(?m)^(>*From )", rb">\1", msg)


def unquote_mboxrd(msg):
    return re.sub(rb"(?m)^>(>*From )", rb"\1", msg)


def strip_metadata(msg):
    """The message without Status/X-Status/X-Keywords: what Dovecot shows."""
    head, sep, body = msg.partition(b"\n\n")
    keep = []
    skipping = False
    for line in head.split(b"\n"):
        if line[:1] in (b" ", b"\t"):
            if not skipping:
                keep.append(line)
            continue
        name = line.split(b":", 1)[0].strip().lower().decode("latin-1")
        skipping = name in METADATA
        if not skipping:
            keep.append(line)
    return b"\n".join(keep) + sep + body


def crlf(b):
    return b.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run(cmd):
    r = subprocess.run(cmd, capture_output=True)
    if r.returncode != 0:
        fail("%s: exit %d: %s" % (" ".join(cmd), r.returncode, r.stderr.decode(errors="replace")))
    return r


def chown_tree(path, uid, gid):
    for root, dirs, files in os.walk(path):
        os.chown(root, uid, gid)
        for n in files:
            os.chown(os.path.join(root, n), uid, gid)


class Dovecot:
    def __init__(self, base, port, user):
        self.base, self.port = base, port
        pw = pwd.getpwnam(user)
        self.uid, self.gid = pw.pw_uid, pw.pw_gid
        group = grp.getgrgid(self.gid).gr_name
        with open(os.path.join(HERE, "dovecot.conf.in")) as f:
            conf = f.read()
        for k, v in {"@BASE@": base, "@PORT@": str(port), "@UID@": str(self.uid),
                     "@GID@": str(self.gid), "@USER@": user, "@GROUP@": group}.items():
            conf = conf.replace(k, v)
        self.conf = os.path.join(base, "dovecot.conf")
        with open(self.conf, "w") as f:
            f.write(conf)
        self.pid = None

    def add_users(self, users):
        with open(os.path.join(self.base, "passwd"), "w") as f:
            for name, mail in users:
                home = os.path.join(self.base, "home-" + name)
                os.makedirs(home, exist_ok=True)
                f.write("%s:{PLAIN}secret:%d:%d::%s::userdb_mail=%s\n" % (name, self.uid, self.gid, home, mail))

    def start(self):
        dovecot = shutil.which("dovecot") or "/usr/sbin/dovecot"
        env = dict(os.environ, TZ="UTC")
        # Not pipes: the daemon's children would keep them open forever.
        out_path = os.path.join(self.base, "dovecot.start.log")
        with open(out_path, "wb") as out:
            r = subprocess.run([dovecot, "-c", self.conf], stdin=subprocess.DEVNULL,
                               stdout=out, stderr=out, env=env)
        if r.returncode != 0:
            skip("Dovecot did not start: " + open(out_path, errors="replace").read().strip())
        pidfile = os.path.join(self.base, "run", "master.pid")
        for _ in range(100):
            try:
                self.pid = int(open(pidfile).read().strip())
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except (OSError, ValueError):
                time.sleep(0.1)
        self.stop()
        fail("Dovecot did not listen on port %d; log:\n%s" % (self.port, self.log()))

    def log(self):
        try:
            return open(os.path.join(self.base, "dovecot.log"), errors="replace").read()[-4000:]
        except OSError:
            return ""

    def stop(self):
        """Stops Dovecot by the PID it wrote, and waits for it to go."""
        if self.pid is None:
            return
        try:
            os.kill(self.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        for _ in range(100):
            try:
                os.kill(self.pid, 0)
                time.sleep(0.1)
            except ProcessLookupError:
                break
        self.pid = None

    def login(self, user):
        m = imaplib.IMAP4("127.0.0.1", self.port)
        m.login(user, "secret")
        return m


FETCH_RE = re.compile(rb"FLAGS \(([^)]*)\)|INTERNALDATE \"([^\"]+)\"|RFC822\.SIZE (\d+)")


def fetch_all(m):
    typ, _ = m.select("INBOX", readonly=True)
    if typ != "OK":
        fail("SELECT INBOX failed")
    typ, data = m.fetch("1:*", "(FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])")
    if typ != "OK":
        fail("FETCH failed")
    out = []
    for item in data:
        if not isinstance(item, tuple):
            continue
        flags, date, size = None, None, None
        for f, d, s in FETCH_RE.findall(item[0]):
            flags = f if f or flags is None else flags
            date = d or date
            size = s or size
        # FLAGS may follow the literal in the response: look there as well.
        out.append({"prefix": item[0], "body": item[1], "flags": flags, "date": date, "size": size})
    # Items after the literal (`... BODY[] {n}` literal ` FLAGS (...))`).
    tails = [x for x in data if isinstance(x, bytes)]
    for rec, tail in zip(out, tails):
        for f, d, s in FETCH_RE.findall(tail):
            if rec["flags"] is None and f is not None:
                rec["flags"] = f
            rec["date"] = rec["date"] or d
            rec["size"] = rec["size"] or s
    return out


def check_mailbox(dc, user, want, label, mboxrd_quoted=False, keywords=True):
    """Dovecot must show `want`. Its mbox driver does not undo mboxrd
    quoting (it relies on Content-Length and writes none of its own), so in
    an mbox a body line `From x` is shown as written there, `>From x`:
    `mboxrd_quoted` expects that (documented in docs/mailbox.md). Nor does
    it show X-Keywords that its own X-IMAPbase header (Dovecot's private UID
    state, which emlkit does not write) does not list: `keywords=False`."""
    m = dc.login(user)
    got = fetch_all(m)
    m.logout()
    if len(got) != len(want):
        fail("%s: Dovecot shows %d messages, the source has %d" % (label, len(got), len(want)))
    for i, (g, (sender, ts, msg, flags, kws)) in enumerate(zip(got, want)):
        body = strip_metadata(msg)
        if mboxrd_quoted:
            body = quote_mboxrd(body)
        body = crlf(body)
        if g["body"] != body:
            fail("%s #%d: bytes differ:\n%r\n---\n%r" % (label, i, g["body"], body))
        if int(g["size"] or -1) != len(body):
            fail("%s #%d: RFC822.SIZE %s, want %d" % (label, i, g["size"], len(body)))
        seen = set((g["flags"] or b"").decode().split()) - {"\\Recent"}
        if not keywords:
            kws = set()
        if seen != flags | kws:
            fail("%s #%d: flags %s, want %s" % (label, i, sorted(seen), sorted(flags | kws)))
        when = datetime.datetime.strptime(g["date"].decode(), "%d-%b-%Y %H:%M:%S %z").timestamp()
        if int(when) != ts:
            fail("%s #%d: INTERNALDATE %s, want %s" % (label, i, g["date"].decode(), asctime(ts)))
    print("ok: %s: %d messages, bytes, sizes, flags, keywords and dates as in the source" % (label, len(want)))


def appended(dc, base, emlkit):
    """APPEND over IMAP, then convert Dovecot's maildir to an mbox with emlkit."""
    cases = [
        ((), set(), 1_111_111_111),
        (("\\Seen",), set(), 1_222_222_222),
        (("\\Seen", "\\Answered", "\\Flagged"), {"$Label1"}, 1_333_333_333),
        (("\\Draft", "\\Deleted"), {"work", "$Label2"}, 1_444_444_444),
        (("\\Seen",), {"Junk"}, 1_555_555_555),
    ]
    m = dc.login("app")
    msgs = []
    for i, (flags, kws, ts) in enumerate(cases):
        msg = ("Return-Path: <app%d@example.com>\nSubject: appended %d\n\nbody %d\nFrom here\n" % (i, i, i)).encode()
        flag_list = "(" + " ".join(list(flags) + sorted(kws)) + ")"
        date = imaplib.Time2Internaldate(ts)
        typ, resp = m.append("INBOX", flag_list, date, crlf(msg))
        if typ != "OK":
            fail("APPEND %d: %r" % (i, resp))
        msgs.append((msg, set(flags), kws, ts))
    m.logout()
    out = os.path.join(base, "appended.mbox")
    run([emlkit, "convert", os.path.join(base, "app"), "--to", "mbox", out])
    box = mailbox.mbox(out, create=False)
    got = list(box)
    if len(got) != len(msgs):
        fail("appended: %d messages in the mbox, %d appended" % (len(got), len(msgs)))
    for i, (g, (msg, flags, kws, ts)) in enumerate(zip(got, msgs)):
        from_line = g.get_from()
        want_from = "app%d@example.com %s" % (i, asctime(ts))
        if from_line != want_from:
            fail("appended #%d: From_ line %r, want %r" % (i, from_line, want_from))
        status = g.get("Status", "")
        xstatus = g.get("X-Status", "")
        have = set()
        for c in status:
            if c in FLAG_OF_STATUS:
                have.add(FLAG_OF_STATUS[c])
        for c in xstatus:
            have.add(FLAG_OF_XSTATUS[c])
        if have != flags:
            fail("appended #%d: Status %r X-Status %r, want %s" % (i, status, xstatus, sorted(flags)))
        got_kws = set(g.get("X-Keywords", "").split())
        if got_kws != kws:
            fail("appended #%d: X-Keywords %s, want %s" % (i, sorted(got_kws), sorted(kws)))
        # Python's mailbox reads mboxo: undo the mboxrd quoting here.
        raw = unquote_mboxrd(strip_metadata(g.as_bytes(unixfrom=False).replace(b"\r\n", b"\n")))
        if raw != msg:
            fail("appended #%d: bytes differ:\n%r\n---\n%r" % (i, raw, msg))
    print("ok: %d messages APPENDed over IMAP keep flags, keywords and dates through convert --to mbox" % len(msgs))


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    ap = argparse.ArgumentParser()
    ap.add_argument("--emlkit", required=True)
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    a = ap.parse_args()
    if os.environ.get("EMLKIT_DOVECOT_DEBUG"):
        import faulthandler
        faulthandler.dump_traceback_later(30, exit=True)
    if not (shutil.which("dovecot") or os.path.exists("/usr/sbin/dovecot")):
        skip("Dovecot is not installed (apt-get install dovecot-imapd)")
    if os.geteuid() != 0:
        skip("starting Dovecot with its own mail user needs root")
    try:
        pwd.getpwnam("nobody")
    except KeyError:
        skip("no `nobody` user to run the mail processes as")
    base = tempfile.mkdtemp(prefix="emlkit-dovecot-")
    os.chmod(base, 0o755)
    dc = None
    try:
        src = source_messages()
        src_mbox = os.path.join(base, "source.mbox")
        with open(src_mbox, "wb") as f:
            for sender, ts, msg, _, _ in src:
                f.write(("From %s %s\n" % (sender, asctime(ts))).encode())
                f.write(quote_mboxrd(msg))
                f.write(b"\n")
        md = os.path.join(base, "md")
        mb = os.path.join(base, "mb.mbox")
        run([a.emlkit, "convert", src_mbox, "--to", "maildir", md])
        run([a.emlkit, "convert", md, "--to", "mbox", mb])
        dc = Dovecot(base, free_port(), "nobody")
        dc.add_users([
            ("md", "maildir:" + md),
            ("mb", "mbox:%s/home-mb/mail:INBOX=%s" % (base, mb)),
            ("app", "maildir:" + os.path.join(base, "app")),
        ])
        os.makedirs(os.path.join(base, "home-mb", "mail"), exist_ok=True)
        chown_tree(base, dc.uid, dc.gid)
        dc.start()
        check_mailbox(dc, "md", src, "maildir written by convert")
        check_mailbox(dc, "mb", src, "mbox written by convert (from that maildir)", mboxrd_quoted=True, keywords=False)
        appended(dc, base, a.emlkit)
    finally:
        if dc is not None:
            dc.stop()
        if a.keep:
            print("kept " + base)
        else:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
