"""Shared helpers of the Python tests: the repository, the CLI binary, and a
runner so each test file also runs without pytest (`python3 FILE`)."""

import json
import os
import subprocess
import sys
import traceback

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.path.join(os.path.dirname(REPO), "shared")


def emlkit_bin():
    """The `emlkit` binary the records are compared with: $EMLKIT_BIN, or
    the repository's release or debug build."""
    env = os.environ.get("EMLKIT_BIN")
    if env:
        return env
    for kind in ("release", "debug"):
        p = os.path.join(REPO, "target", kind, "emlkit")
        if os.path.exists(p):
            return p
    raise RuntimeError("no emlkit binary: build it (cargo build --release) or set EMLKIT_BIN")


def cli(*args, check=True, cwd=None, input=None):
    """Runs the CLI (with `input` on stdin); returns its stdout (bytes)."""
    p = subprocess.run([emlkit_bin(), *args], capture_output=True, cwd=cwd or REPO, input=input)
    if check and p.returncode not in (0, 1):
        raise AssertionError(f"emlkit {' '.join(args)}: exit {p.returncode}: {p.stderr.decode()[:2000]}")
    return p.stdout


def cli_records(*args, **kw):
    """The CLI's JSON Lines output as a list of dicts."""
    return [json.loads(line) for line in cli(*args, **kw).splitlines() if line.strip()]


def run_all(namespace):
    """Runs every `test_*` function of a module (the no-pytest path)."""
    failed = 0
    for name, fn in sorted(namespace.items()):
        if name.startswith("test_") and callable(fn):
            try:
                fn()
                print(f"ok   {name}")
            except SkipTest as s:
                print(f"skip {name}: {s}")
            except Exception:
                failed += 1
                print(f"FAIL {name}")
                traceback.print_exc()
    sys.exit(1 if failed else 0)


try:
    import pytest

    SkipTest = pytest.skip.Exception
except ImportError:  # plain python: a skip is an exception the runner reports

    class SkipTest(Exception):
        pass


def skip(why):
    print(f"note: skipped: {why}", file=sys.stderr)
    raise SkipTest(why)
