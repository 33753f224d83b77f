#!/usr/bin/env python3
"""Differential test: emlkit against Python's email, GMime and MIME-tools.

Every message of ../shared/corpora (listed in INVENTORY.tsv) and of testdata/edge/ is
read by emlkit and by each peer; each tool's answer is reduced to the same normalized
model (see model.py) and compared per dimension:

    structure  filenames  sha256  text  subject  from  date  message_id

Prints an agreement table per peer and dimension. With --check, exits 1 when emlkit
differs from the peer majority (two or three peers with the same value) on a message and
dimension that is not listed in LENIENCY.md's "Differential: known deviations" table.

    python3 scripts/differential/run.py --bin target/release/emlkit            # table
    python3 scripts/differential/run.py --check                                # CI gate
    python3 scripts/differential/run.py --check --strict                       # TODO rows fail too
    python3 scripts/differential/run.py --bless                                # rows to paste
    python3 scripts/differential/run.py --show testdata/edge/boundary-midline.eml
"""
import argparse
import base64
import fnmatch
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
from model import DIMENSIONS, dimension, normalize  # noqa: E402

PEERS = ["python", "gmime", "mimetools"]
LENIENCY_SECTION = "## Differential: known deviations"
SKIP_TAGS = ("mbox", "placeholder-content")  # several messages per file / not a message


# --------------------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------------------

def corpus_files(corpora):
    inv = os.path.join(corpora, "INVENTORY.tsv")
    if not os.path.isfile(inv):
        print(f"note: {os.path.relpath(corpora, ROOT)}/INVENTORY.tsv not found; corpora skipped")
        return []
    out = []
    with open(inv, encoding="utf-8") as f:
        next(f)
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 3:
                continue
            tags = cols[2].split(",")
            if any(t == s or t.startswith(s + "=") for t in tags for s in SKIP_TAGS):
                continue
            p = os.path.join(corpora, cols[0])
            if os.path.isfile(p):
                out.append(os.path.relpath(p, ROOT))
    return out


def edge_files(edge):
    if not os.path.isdir(edge):
        print(f"note: {edge} not found; edge cases skipped")
        return []
    return sorted(os.path.relpath(os.path.join(edge, n), ROOT) for n in os.listdir(edge) if n.endswith(".eml"))


# --------------------------------------------------------------------------------------
# running the tools (one process per tool, restarted after a crash)
# --------------------------------------------------------------------------------------

def run_stream_dumper(cmd, paths, timeout):
    """Feeds paths on stdin, reads JSON lines; a crash costs one message, not the batch."""
    results = {}
    todo = list(paths)
    deadline = time.time() + timeout
    while todo:
        left = deadline - time.time()
        if left <= 0:
            for p in todo:
                results[p] = {"error": "timeout"}
            break
        proc = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        try:
            out, err = proc.communicate(("\n".join(todo) + "\n").encode("utf-8", "surrogateescape"),
                                        timeout=left)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
        done = 0
        for line in out.decode("utf-8", "replace").splitlines():
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            p = rec.get("path")
            if p in results or p not in todo[done:done + 1]:
                continue
            results[p] = rec
            done += 1
        todo = todo[done:]
        if todo:
            # the process died (or hung) on todo[0]
            msg = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit {proc.returncode}"]
            results[todo[0]] = {"error": f"crashed: {msg[0][:200]}"}
            todo = todo[1:]
    return results


def emlkit_model(rec):
    """Maps one `emlkit json --with-content` record to the normalized model.

    Reads only the keys it needs and ignores the rest, so additive schema changes do
    not break it. Leaves are parts with kind "leaf" (attached messages and multiparts
    are containers); the decoded bytes are the part's `content` (or its `sha256` when a
    future record carries the digest instead)."""
    parts = rec.get("parts") or []
    leaves = []
    stack = []  # (depth, kind) of open ancestors
    first_text_id = None
    for p in parts:
        depth = p.get("depth", 0)
        while stack and stack[-1][0] >= depth:
            stack.pop()
        kind = p.get("kind")
        if kind == "leaf":
            if "content" in p and p["content"] is not None:
                sha = hashlib.sha256(base64.b64decode(p["content"])).hexdigest()
            else:
                sha = p.get("sha256")
            ctype = (p.get("content_type") or "").lower()
            leaves.append({"type": ctype, "filename": p.get("filename"), "sha256": sha})
            in_message = any(k == "message" for _, k in stack)
            if first_text_id is None and not in_message and ctype == "text/plain" \
                    and (p.get("disposition") or "").lower() != "attachment":
                first_text_id = p.get("id")
        stack.append((depth, kind))
    text = None
    if first_text_id is not None:
        for t in rec.get("text") or []:
            if t.get("id") == first_text_id:
                text = t.get("text")
                break
    frm = None
    for a in rec.get("from") or []:
        if a.get("address"):
            frm = a["address"]
            break
    date = rec.get("date")
    return {
        "leaves": leaves,
        "text": text,
        "subject": rec.get("subject"),
        "from": frm,
        "date": date.get("utc") if isinstance(date, dict) else None,
        "message_id": rec.get("message_id"),
    }


def run_emlkit(binary, paths, timeout, jobs):
    results = {}
    chunk = 64
    deadline = time.time() + timeout

    def one_batch(batch):
        left = max(1.0, deadline - time.time())
        try:
            proc = subprocess.run([binary, "json", "--with-content", "--format", "eml", "-j", str(jobs), *batch],
                                  cwd=ROOT, capture_output=True, timeout=left)
        except subprocess.TimeoutExpired:
            return None, "timeout"
        got = {}
        for line in proc.stdout.decode("utf-8", "replace").splitlines():
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if rec.get("type") != "message":
                continue
            p = (rec.get("source") or {}).get("path")
            if p in batch and p not in got:
                got[p] = rec
        crashed = proc.returncode < 0 or proc.returncode > 2
        tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
        return got, (f"exit {proc.returncode}: {tail[0][:200]}" if tail else f"exit {proc.returncode}") \
            if (crashed or len(got) < len(batch)) else None

    for i in range(0, len(paths), chunk):
        batch = paths[i:i + chunk]
        got, err = one_batch(batch)
        if got is None:
            got = {}
        if err and len(batch) > 1:
            # find the culprits one by one
            for p in batch:
                if p in got:
                    continue
                g1, e1 = one_batch([p])
                if g1 and p in g1:
                    got[p] = g1[p]
                else:
                    results[p] = {"error": e1 or "no record"}
        elif err:
            for p in batch:
                if p not in got:
                    results[p] = {"error": err}
        for p, rec in got.items():
            try:
                results[p] = {"model": emlkit_model(rec)}
            except Exception as e:  # noqa: BLE001
                results[p] = {"error": f"adapter: {type(e).__name__}: {e}"}
    return results


def python_with_gi():
    for py in [sys.executable, shutil.which("python3"), "/usr/bin/python3"]:
        if py and os.path.exists(py) and subprocess.run(
                [py, "-c", "import gi; gi.require_version('GMime', '3.0'); from gi.repository import GMime"],
                capture_output=True).returncode == 0:
            return py
    return None


def peer_commands():
    cmds, missing = {}, {}
    cmds["python"] = [sys.executable, os.path.join(HERE, "dump_python.py")]
    py = python_with_gi()
    if py:
        cmds["gmime"] = [py, os.path.join(HERE, "dump_gmime.py")]
    else:
        missing["gmime"] = "GMime 3 through gi not found (apt-get install gir1.2-gmime-3.0 python3-gi)"
    if shutil.which("perl") and subprocess.run(["perl", "-MMIME::Parser", "-MDate::Parse", "-MMail::Address",
                                                "-MJSON::PP", "-e1"], capture_output=True).returncode == 0:
        cmds["mimetools"] = ["perl", os.path.join(HERE, "dump_mimetools.pl")]
    else:
        missing["mimetools"] = "MIME-tools not found (apt-get install libmime-tools-perl)"
    return cmds, missing


def run_all(binary, paths, jobs, timeout):
    cmds, missing = peer_commands()
    results = {}
    threads = []

    def go(name, fn, *a):
        results[name] = fn(*a)

    for name, cmd in cmds.items():
        threads.append(threading.Thread(target=go, args=(name, run_stream_dumper, cmd, paths, timeout)))
    threads.append(threading.Thread(target=go, args=("emlkit", run_emlkit, binary, paths, timeout, jobs)))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for name in results:
        for p, rec in results[name].items():
            if "model" in rec:
                rec["model"] = normalize(rec["model"])
    return results, missing


# --------------------------------------------------------------------------------------
# the known-deviation table in LENIENCY.md
# --------------------------------------------------------------------------------------

def split_row(line):
    cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
    return [c.replace("\\|", "|") for c in cells]


def load_known(path):
    """Rows of the known-deviation table: [{path, dim, what, rule, line}]."""
    rows = []
    if not os.path.isfile(path):
        return rows
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    inside = False
    for i, line in enumerate(lines, 1):
        if line.startswith("## "):
            inside = line.strip() == LENIENCY_SECTION
            continue
        if not inside or not line.lstrip().startswith("|"):
            continue
        cells = split_row(line)
        if len(cells) < 4 or cells[0].lower() in ("message path", "message") or set(cells[0]) <= set("-: "):
            continue
        rows.append({"path": cells[0].strip("`"), "dim": cells[1].strip("`"), "what": cells[2],
                     "rule": cells[3], "line": i})
    return rows


def match_known(rows, path, dim):
    for r in rows:
        dims = [d.strip().strip("`") for d in r["dim"].split(",")]
        if fnmatch.fnmatchcase(path, r["path"]) and ("*" in dims or dim in dims):
            return r
    return None


# --------------------------------------------------------------------------------------
# comparison and report
# --------------------------------------------------------------------------------------

def short(v, n=90):
    s = json.dumps(list(v) if isinstance(v, tuple) else v, ensure_ascii=False)
    return s if len(s) <= n else s[:n - 1] + "…"


def short_leaf_list(v, dim, n=90):
    if dim == "sha256" and isinstance(v, tuple):
        v = tuple((h or "null")[:10] for h in v)
    return short(v, n)


def value(results, tool, path, dim):
    rec = results.get(tool, {}).get(path)
    if rec is None or "model" not in rec:
        return None, False
    return dimension(rec["model"], dim), True


def compare(results, paths, peers):
    """Per-peer agreement counts and the list of majority disagreements."""
    table = {p: {d: [0, 0] for d in DIMENSIONS} for p in peers}
    majority = {d: [0, 0] for d in DIMENSIONS}  # [emlkit agrees, messages with a majority]
    disagreements = []
    for path in paths:
        erec = results["emlkit"].get(path, {"error": "no result"})
        for dim in DIMENSIONS:
            e, e_ok = value(results, "emlkit", path, dim)
            vals = {}
            for peer in peers:
                v, ok = value(results, peer, path, dim)
                if ok:
                    vals[peer] = v
                    if e_ok:
                        table[peer][dim][1] += 1
                        table[peer][dim][0] += (v == e)
            maj = None
            agreeing = []
            for peer, v in vals.items():
                same = [q for q, w in vals.items() if w == v]
                if len(same) >= 2:
                    maj, agreeing = v, same
                    break
            if not agreeing:
                continue
            majority[dim][1] += 1
            if e_ok and e == maj:
                majority[dim][0] += 1
                continue
            disagreements.append({
                "path": path, "dim": dim,
                "emlkit": e if e_ok else f"<error: {erec.get('error', '?')}>",
                "majority": maj, "peers": agreeing,
            })
    return table, majority, disagreements


def pct(a, n):
    return f"{a}/{n} ({100.0 * a / n:.1f}%)" if n else "-"


def print_table(table, majority, peers, n_msgs, errors):
    print(f"\nAgreement of emlkit with each peer ({n_msgs} messages; a cell counts the messages both tools read)")
    cols = peers + ["majority"]
    w = 22
    print("| dimension | " + " | ".join(c for c in cols) + " |")
    print("|---|" + "---|" * len(cols))
    for d in DIMENSIONS:
        cells = [pct(*table[p][d]) for p in peers] + [pct(*majority[d])]
        print(f"| {d} | " + " | ".join(c.ljust(w) if False else c for c in cells) + " |")
    print("\n`majority`: messages where at least two peers agree, and how often emlkit has that value.")
    for tool, n in errors.items():
        if n:
            print(f"note: {tool} failed to read {n} message(s) (see --show PATH)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "emlkit"))
    ap.add_argument("--corpora", default=os.path.join(ROOT, "..", "shared", "corpora"))
    ap.add_argument("--edge", default=os.path.join(ROOT, "testdata", "edge"))
    ap.add_argument("--leniency", default=os.path.join(ROOT, "LENIENCY.md"))
    ap.add_argument("--check", action="store_true", help="exit 1 on an unlisted disagreement with the peer majority")
    ap.add_argument("--strict", action="store_true",
                    help="with --check: rows whose RFC column starts with TODO, and stale rows, fail too")
    ap.add_argument("--bless", action="store_true",
                    help="print LENIENCY.md rows for the current unlisted disagreements (edits nothing)")
    ap.add_argument("--list", action="store_true", help="print every majority disagreement (listed or not)")
    ap.add_argument("--show", metavar="PATH", action="append", default=[],
                    help="print every tool's model for PATH (repeatable; implies a run on those files only)")
    ap.add_argument("--only", metavar="GLOB", help="run only on paths matching GLOB")
    ap.add_argument("--dump", metavar="FILE", help="write all models as JSON to FILE")
    ap.add_argument("-j", "--jobs", type=int, default=2, help="emlkit worker threads")
    ap.add_argument("--timeout", type=float, default=240, help="seconds per tool for the whole run")
    args = ap.parse_args()

    binary = os.path.abspath(args.bin)
    if not os.path.isfile(binary):
        print(f"error: emlkit binary {args.bin} not found (cargo build --release)", file=sys.stderr)
        return 2

    if args.show:
        paths = [os.path.relpath(os.path.abspath(p), ROOT) for p in args.show]
    else:
        paths = corpus_files(os.path.abspath(args.corpora)) + edge_files(os.path.abspath(args.edge))
        if args.only:
            paths = [p for p in paths if fnmatch.fnmatchcase(p, args.only)]
    if not paths:
        print("no messages to compare")
        return 0

    t0 = time.time()
    results, missing = run_all(binary, paths, args.jobs, args.timeout)
    for name, why in missing.items():
        print(f"note: peer {name} skipped: {why}")
    peers = [p for p in PEERS if p in results]
    if args.show:
        for p in paths:
            print(f"== {p}")
            for tool in ["emlkit"] + peers:
                print(f"-- {tool}: " + json.dumps(results[tool].get(p), ensure_ascii=False, indent=1))
        return 0
    if args.dump:
        with open(args.dump, "w", encoding="utf-8") as f:
            json.dump(results, f, ensure_ascii=False, indent=1)

    table, majority, dis = compare(results, paths, peers)
    errors = {t: sum(1 for r in results[t].values() if "model" not in r) for t in ["emlkit"] + peers}
    print(f"differential: {len(paths)} messages, emlkit + {len(peers)} peers ({', '.join(peers)}), "
          f"{time.time() - t0:.1f} s")
    print_table(table, majority, peers, len(paths), errors)

    known = load_known(args.leniency)
    unlisted, todo, used = [], [], set()
    for d in dis:
        row = match_known(known, d["path"], d["dim"])
        d["row"] = row
        if row is None:
            unlisted.append(d)
        else:
            used.add(row["line"])
            if row["rule"].upper().startswith("TODO"):
                todo.append(d)
    stale = [r for r in known if r["line"] not in used]
    print(f"\nemlkit differs from the peer majority on {len(dis)} message/dimension pairs: "
          f"{len(dis) - len(unlisted)} listed in LENIENCY.md ({len(todo)} still TODO), {len(unlisted)} unlisted")

    if args.list:
        print("\nall majority disagreements:")
        for d in dis:
            tag = "unlisted" if d["row"] is None else ("TODO" if d in todo else "listed")
            print(f"  [{tag}] {d['path']} {d['dim']}\n      emlkit:   {short_leaf_list(d['emlkit'], d['dim'])}"
                  f"\n      majority: {short_leaf_list(d['majority'], d['dim'])} ({'+'.join(d['peers'])})")

    if args.bless:
        print(f"\nrows for LENIENCY.md ({LENIENCY_SECTION}); fill in the last two columns:")
        by_path = {}
        for d in unlisted:
            by_path.setdefault(d["path"], []).append(d)
        for path, ds in by_path.items():
            what = "; ".join(f"{d['dim']}: emlkit {short_leaf_list(d['emlkit'], d['dim'], 50)}, "
                             f"peers {short_leaf_list(d['majority'], d['dim'], 50)}" for d in ds)
            print(f"| `{path}` | {', '.join(d['dim'] for d in ds)} | {what.replace('|', chr(92) + '|')} "
                  f"| TODO: unjustified |")
        return 0

    if not args.check:
        return 0
    failed = False
    if unlisted:
        failed = True
        print(f"\nFAIL: {len(unlisted)} disagreement(s) with the peer majority not listed in "
              f"{os.path.relpath(args.leniency, ROOT)} ({LENIENCY_SECTION}):")
        for d in unlisted:
            print(f"  {d['path']}  [{d['dim']}]\n      emlkit:   {short_leaf_list(d['emlkit'], d['dim'])}"
                  f"\n      majority: {short_leaf_list(d['majority'], d['dim'])} ({'+'.join(d['peers'])})")
        print("  (run with --bless to print table rows; justify each with the RFC rule that decides)")
    if args.strict:
        if todo:
            failed = True
            print(f"\nFAIL (--strict): {len(todo)} disagreement(s) listed with a TODO justification:")
            for d in todo:
                print(f"  {d['path']} [{d['dim']}] (LENIENCY.md line {d['row']['line']})")
        if stale:
            failed = True
            print(f"\nFAIL (--strict): {len(stale)} LENIENCY.md row(s) match no current disagreement:")
            for r in stale:
                print(f"  line {r['line']}: {r['path']} [{r['dim']}]")
    elif stale:
        print(f"note: {len(stale)} LENIENCY.md row(s) match no current disagreement (remove them; --strict fails)")
    if missing and args.strict:
        failed = True
        print("FAIL (--strict): a peer is missing")
    print("\ndifferential check: " + ("FAILED" if failed else "passed"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
