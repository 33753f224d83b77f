#!/usr/bin/env python3
"""Runs every emlkit command over every file of the hostile corpus with a time
and a memory limit, and checks: no panic, no signal, a documented exit code
(0, 1 or 2), under the time limit, under the peak-memory limit.

Usage: run.py --bin PATH [--time SECONDS] [--mem MB] [--corpus DIR]
Without --corpus, the corpus is generated into a temporary folder. Exits 1
and lists the failures when any run breaks a rule.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def commands(binary):
    """The subcommands this binary has, with the arguments each needs."""
    out = subprocess.run([binary, "--help"], capture_output=True, text=True).stdout
    have = set()
    section = False
    for line in out.splitlines():
        if line.startswith("Commands:"):
            section = True
            continue
        if section:
            if not line.startswith("  "):
                break
            have.add(line.split()[0])
    plans = {
        "tree": [["tree"], ["tree", "--json"]],
        "json": [["json"], ["json", "--iocs", "--no-body"]],
        "headers": [["headers"], ["headers", "--raw"]],
        "text": [["text"]],
        "extract": [["extract", "--all", "-o", "{out}"], ["extract", "--json", "-o", "{out}"]],
        "trace": [["trace"], ["trace", "--json"], ["trace", "--json", "--dkim-keys", "{keys}"], ["trace", "--iocs", "--defang"]],
        "info": [["info"], ["info", "--json"]],
        "split": [["split", "--no-fsync", "-o", "{out}"]],
        "pick": [["pick", "*"], ["pick", "--json", "body:x OR finding:* OR tls:no OR has:attachment"]],
        "scan": [["scan", "--width", "80"], ["scan", "--csv"]],
        "sort": [["sort", "-k", "subject"]],
        "thread": [["thread", "--json"]],
        "dedupe": [["dedupe", "--by", "content"]],
        "report": [["report", "--detail", "5"], ["report", "--overview"]],
    }
    return [p for name, ps in plans.items() if name in have for p in ps]


def run_one(binary, args, path, limit_s):
    start = time.monotonic()
    # stderr goes to a file: a pipe nobody reads while the child runs would
    # fill up and block a run that reports many bad messages.
    errf = tempfile.TemporaryFile()
    proc = subprocess.Popen([binary, "--color", "never"] + args + [path],
                            stdout=subprocess.DEVNULL, stderr=errf)
    # wait4 gives this child's own peak RSS, with a deadline enforced by polling.
    deadline = start + limit_s * 5 + 5
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid != 0:
            break
        if time.monotonic() > deadline:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.005)
    elapsed = time.monotonic() - start
    errf.seek(0)
    err = errf.read().decode("utf-8", "replace")
    errf.close()
    code = os.waitstatus_to_exitcode(status)
    return code, elapsed, usage.ru_maxrss / 1024.0, err


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--time", type=float, default=2.0)
    ap.add_argument("--mem", type=float, default=200.0)
    ap.add_argument("--corpus")
    ap.add_argument("--jobs", help="pass -j JOBS to every command (default: the default thread count)")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="emlkit-hostile-")
    try:
        corpus = a.corpus or os.path.join(tmp, "corpus")
        if not a.corpus:
            subprocess.run([sys.executable, os.path.join(HERE, "generate.py"), corpus], check=True)
        files = sorted(os.path.join(corpus, f) for f in os.listdir(corpus))
        files += sorted(os.path.join(HERE, f) for f in os.listdir(HERE) if f.endswith((".eml", ".mbox")))
        plans = commands(a.bin)
        failures = []
        runs = 0
        worst_t = (0.0, "")
        worst_m = (0.0, "")
        for f in files:
            for plan in plans:
                # Output on tmpfs when there is one: creating 10,000 files
                # costs seconds of kernel time on some disks, which is not ours.
                outdir = tempfile.mkdtemp(dir="/dev/shm" if os.path.isdir("/dev/shm") else tmp)
                keys = os.path.join(HERE, "dkim-keys.zone")
                args = [x.replace("{out}", outdir).replace("{keys}", keys) for x in plan]
                if a.jobs:
                    args += ["-j", a.jobs]
                code, t, mem, err = run_one(a.bin, args, f, a.time)
                shutil.rmtree(outdir, ignore_errors=True)
                runs += 1
                what = f"{' '.join(plan)} {os.path.basename(f)}"
                if t > worst_t[0]:
                    worst_t = (t, what)
                if mem > worst_m[0]:
                    worst_m = (mem, what)
                if code not in (0, 1, 2):
                    failures.append(f"{what}: exit {code} {err[-300:]!r}")
                elif "panic" in err:
                    failures.append(f"{what}: panic reported: {err[-300:]!r}")
                elif t > a.time:
                    failures.append(f"{what}: {t:.2f} s > {a.time} s")
                elif mem > a.mem:
                    failures.append(f"{what}: {mem:.0f} MB > {a.mem} MB")
        jobs = f" at -j{a.jobs}" if a.jobs else " at the default thread count"
        print(f"hostile corpus{jobs}: {len(files)} files x {len(plans)} commands = {runs} runs; "
              f"slowest {worst_t[0]:.2f} s ({worst_t[1]}); largest {worst_m[0]:.0f} MB ({worst_m[1]})")
        for x in failures:
            print("FAIL", x)
        print(f"{runs - len(failures)} passed, {len(failures)} failed")
        return 1 if failures else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
