#!/usr/bin/env python3
"""Real SpamAssassin fields through `emlkit trace` (issue 16).

Runs the real SpamAssassin (Debian `spamassassin`, local tests only: `-L`,
nothing asked of the network, no Bayes, no preferences file written) over
the real samples in spamscope/, then decodes its output with
`emlkit trace --json` and checks each decoded SpamAssassin field against
what SpamAssassin itself says, through extra fields it is asked to add with
its own template tags:

    X-Spam-Tests: _TESTSSCORES(,)_   (rule=score,…)
    X-Spam-Score: _SCORE_            (the total)
    X-Spam-Report: _REPORT_          (added to ham too)

Checked per message: X-Spam-Status decodes to the verdict SpamAssassin
flagged (X-Spam-Flag: YES exactly when score >= required), the score and
the threshold as numbers, one `tests` item per rule it lists (the same
rules), its version; X-Spam-Level's bar has int(score) stars; X-Spam-Flag
and X-Spam-Checker-Version decode; X-Spam-Report is kept raw with every
rule in it and decodes to one `rule` item per rule with its score (to the
report's one decimal); every item is a known key (no unknown keys) and the raw text of
each field is the value as written, unfolded.

    python3 testdata/trace/samples/spamassassin_check.py --emlkit target/debug/emlkit [--keep DIR]

Exit 0 when everything agrees, 1 with the mismatches listed, 77 when
SpamAssassin is not installed.
"""
import argparse
import email
import email.policy
import json
import mailbox
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

PREFS = """use_bayes 0
bayes_auto_learn 0
add_header all Tests _TESTSSCORES(,)_
add_header all Score _SCORE_
add_header all Report _REPORT_
"""


def unfold(v):
    return re.sub(r"\r?\n", "", v).strip()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--emlkit", required=True)
    ap.add_argument("--samples", default=os.path.join(HERE, "spamscope"))
    ap.add_argument("--keep")
    args = ap.parse_args()

    sa = shutil.which("spamassassin")
    if not sa:
        print("skip: spamassassin not installed (Debian package spamassassin)", file=sys.stderr)
        return 77
    ver = subprocess.run([sa, "--version"], capture_output=True, text=True)
    m = re.search(r"SpamAssassin version (\S+)", ver.stdout)
    if ver.returncode != 0 or not m:
        print(f"skip: spamassassin --version failed: {ver.stderr.strip()}", file=sys.stderr)
        return 77
    version = m.group(1)

    work = args.keep or tempfile.mkdtemp(prefix="sa-check-")
    os.makedirs(work, exist_ok=True)
    names = sorted(n for n in os.listdir(args.samples) if n.endswith(".eml"))
    src = os.path.join(work, "samples.mbox")
    if os.path.exists(src):
        os.remove(src)
    box = mailbox.mbox(src, create=True)
    for n in names:
        with open(os.path.join(args.samples, n), "rb") as f:
            box.add(f.read())
    box.flush()
    box.close()
    prefs = os.path.join(work, "prefs.cf")
    with open(prefs, "w") as f:
        f.write(PREFS)
    out = os.path.join(work, "spamassassin.mbox")
    with open(src, "rb") as fin, open(out, "wb") as fout:
        p = subprocess.run([sa, "-L", "-x", "-p", prefs, "--mbox"], stdin=fin, stdout=fout,
                           stderr=subprocess.PIPE, timeout=600)
    if p.returncode != 0:
        print(p.stderr.decode(errors="replace")[-2000:], file=sys.stderr)
        print(f"spamassassin exited {p.returncode}", file=sys.stderr)
        return 1

    # SpamAssassin's own statements, read from its output with Python's
    # email package.
    truth = []
    for msg in mailbox.mbox(out, factory=lambda f: email.message_from_binary_file(f, policy=email.policy.compat32)):
        scores = {}
        for t in unfold(msg.get("X-Spam-Tests", "")).split(","):
            name, _, points = t.strip().partition("=")
            if name and name != "none":
                scores[name] = float(points)
        tests = list(scores)
        truth.append({
            "score": float(unfold(msg["X-Spam-Score"])),
            "flag": unfold(msg.get("X-Spam-Flag", "")) == "YES",
            "tests": tests,
            "scores": scores,
            "raw": {k: unfold(v) for k, v in msg.items() if k.lower().startswith("x-spam-")},
        })

    proc = subprocess.run([args.emlkit, "trace", "--json", "-j", "1", out], capture_output=True, timeout=600)
    if proc.returncode not in (0, 1) or b"panicked" in proc.stderr:
        print(proc.stderr.decode(errors="replace")[:2000], file=sys.stderr)
        print(f"emlkit exited {proc.returncode}", file=sys.stderr)
        return 1
    records = [json.loads(line) for line in proc.stdout.splitlines()]

    bad = []
    checks = 0

    def check(ok, what):
        nonlocal checks
        checks += 1
        if not ok:
            bad.append(what)

    check(len(records) == len(truth) == len(names), f"messages: {len(names)} samples, {len(truth)} from SpamAssassin, {len(records)} traced")
    spam = 0
    for i, (rec, t) in enumerate(zip(records, truth)):
        name = names[i] if i < len(names) else f"#{i}"
        fields = {v["field"]: v for v in rec.get("vendors", []) if v["vendor"] == "spamassassin"}
        for f, v in fields.items():
            check(v["unknown_keys"] == 0 and all(it["known"] for it in v["items"]), f"{name}: {f}: unknown keys")
            check(v["raw"] == t["raw"].get(f, "").strip(), f"{name}: {f}: raw {v['raw']!r}, written {t['raw'].get(f)!r}")
            check(v["dropped"] == 0, f"{name}: {f}: dropped")
        st = fields.get("X-Spam-Status")
        check(st is not None, f"{name}: no X-Spam-Status decoded")
        if st is None:
            continue
        items = st["items"]
        get = lambda k: [it for it in items if it["key"] == k]
        verdict = [it["value"] for it in get("verdict")]
        score = [it.get("number") for it in get("score")]
        required = [it.get("number") for it in get("required")]
        check(verdict == (["Yes"] if t["flag"] else ["No"]), f"{name}: verdict {verdict}, SpamAssassin flag {t['flag']}")
        check(score == [t["score"]], f"{name}: score {score}, SpamAssassin {t['score']}")
        check(len(required) == 1 and (t["score"] >= required[0]) == t["flag"], f"{name}: required {required} vs flag {t['flag']}")
        got_tests = [it["value"] for it in get("tests")]
        check(sorted(got_tests) == sorted(t["tests"]), f"{name}: tests {got_tests}, SpamAssassin {t['tests']}")
        check([it["value"] for it in get("version")] == [version], f"{name}: version")
        lvl = fields.get("X-Spam-Level")
        want_stars = min(50, max(0, int(t["score"])))  # SpamAssassin draws at most 50
        if lvl is not None:
            check(lvl["items"][0].get("number") == want_stars, f"{name}: X-Spam-Level {lvl['items'][0].get('number')}, want {want_stars}")
        else:
            check(want_stars == 0, f"{name}: no X-Spam-Level for score {t['score']}")
        flag = fields.get("X-Spam-Flag")
        check((flag is not None) == t["flag"], f"{name}: X-Spam-Flag decoded {flag is not None}, flagged {t['flag']}")
        if flag is not None:
            check(flag["items"][0]["value_meaning"] == "marked as spam", f"{name}: X-Spam-Flag meaning")
            spam += 1
        cv = fields.get("X-Spam-Checker-Version")
        check(cv is not None and cv["raw"].startswith(f"SpamAssassin {version}"), f"{name}: X-Spam-Checker-Version")
        rep = fields.get("X-Spam-Report")
        check(rep is not None and all(r in rep["raw"] for r in t["tests"]), f"{name}: X-Spam-Report lacks a rule")
        if rep is not None:
            rules = {it["value"]: it.get("number") for it in rep["items"] if it["key"] == "rule"}
            check(sorted(rules) == sorted(t["tests"]), f"{name}: X-Spam-Report rules {sorted(rules)}, SpamAssassin {t['tests']}")
            for r, points in t["scores"].items():
                # The report prints each score to one decimal.
                got = rules.get(r)
                check(got is not None and abs(got - points) <= 0.05 + 1e-9, f"{name}: X-Spam-Report {r}: {got}, SpamAssassin {points}")
        sc = fields.get("X-Spam-Score")
        check(sc is None or sc["items"][0].get("number") == t["score"], f"{name}: X-Spam-Score")

    for b in bad:
        print("mismatch:", b)
    print(f"spamassassin_check: SpamAssassin {version}, {len(records)} messages ({spam} flagged spam), "
          f"{checks} checks, {len(bad)} mismatches")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
