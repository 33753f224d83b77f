#!/usr/bin/env python3
"""Checks `emlkit extract` against the benchmark corpus's ground truth.

Usage (from the project root):
  python3 ../shared/bench/gen_corpus.py --size 50M --out target/bench-data
  python3 scripts/bench_names.py [target/bench-data/50m.mbox] [path/to/emlkit]

For every message of the manifest it compares the multiset of expected file
names (attachments + nested_attachments + inline) with the names of the
files `emlkit extract --recurse --inline --json` wrote for parts that had a
name in the message (nameless parts get generated names and are not in the
manifest). It compares the name chosen for each part (what the policy made
of the message's name); files whose name on disk differs (a numbered suffix
for a second attachment of the same name) are listed. Exits 1 unless every
message matches.
"""
import collections, json, os, subprocess, sys, tempfile

mbox = sys.argv[1] if len(sys.argv) > 1 else "target/bench-data/50m.mbox"
exe = sys.argv[2] if len(sys.argv) > 2 else "target/release/emlkit"
if not os.path.exists(exe):
    exe = "target/debug/emlkit"
manifest = mbox[: -len(".mbox")] + ".manifest.jsonl"
if not os.path.exists(mbox):
    print("skipped: %s missing; generate it with gen_corpus.py (see docstring)" % mbox)
    sys.exit(0)
with tempfile.TemporaryDirectory() as out:
    p = subprocess.run([exe, "extract", mbox, "-o", out, "--recurse", "--inline", "--json"],
                       capture_output=True)
    if p.returncode not in (0, 1):
        sys.stderr.write(p.stderr.decode(errors="replace"))
    got = collections.defaultdict(list)
    files = 0
    renamed = []
    for line in p.stdout.decode().splitlines():
        r = json.loads(line)
        if r.get("type") != "file":
            continue
        files += 1
        assert os.path.realpath(r["path"]).startswith(os.path.realpath(out) + os.sep), r["path"]
        assert os.path.isfile(r["path"]), r["path"]
        if r["raw_name"] is not None and not r["part"].count(":"):
            # The name chosen for the part; a second file with the same name in
            # one message is written as "name (2).ext" (never overwritten), so
            # the disk name is checked separately below.
            got[r["source"]["index"]].append(r["name"])
            base = os.path.basename(r["path"])
            if base != r["name"]:
                renamed.append((r["source"]["index"], r["name"], base))
ok, bad, total = 0, [], 0
for line in open(manifest, encoding="utf-8"):
    m = json.loads(line)
    total += 1
    exp = sorted(m["attachments"] + m["nested_attachments"] + m["inline"])
    g = sorted(got.get(m["i"], []))
    if g == exp:
        ok += 1
    else:
        bad.append((m["i"], exp, g))
print("files written: %d; messages with exactly the right names: %d/%d" % (files, ok, total))
print("files renamed on disk for a collision: %d" % len(renamed))
for r in renamed[:10]:
    print("  #%d %r written as %r" % r)
for b in bad[:10]:
    print("  #%d expected %r got %r" % b)
sys.exit(0 if ok == total else 1)
