"""emlkit's Python package against the emlkit command line: the records must
be the CLI's, key for key, on every corpus message (../shared/corpora and
testdata/), for mailboxes, shards, compressed inputs and maildirs; trace,
tree and extract equal `trace --json`, `tree --json` and `extract --json`.

Runs with pytest, or as `python3 python/tests/test_emlkit.py`."""

import gzip
import hashlib
import os
import shutil
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import REPO, SHARED, cli, cli_records, run_all, skip  # noqa: E402

os.chdir(REPO)  # the CLI and the package see the same relative paths
import emlkit  # noqa: E402

NOW = 1717200000  # 2024-06-01T00:00:00Z, for reproducible future_date checks


def corpus_files():
    """Every file of ../shared/corpora and testdata/, relative to the repo
    (as the CLI is given them, so source.path is the same)."""
    out = []
    for top in (os.path.join(SHARED, "corpora"), os.path.join(REPO, "testdata")):
        for d, _, files in os.walk(top):
            for f in files:
                out.append(os.path.relpath(os.path.join(d, f), REPO))
    return sorted(out)


def by_path(records):
    groups = {}
    for r in records:
        groups.setdefault(r["source"]["path"], []).append(r)
    return groups


def test_parse_and_messages_equal_cli_json_on_every_corpus_file():
    files = corpus_files()
    assert len(files) > 500, "the corpora are missing"
    cli_groups = {}
    # One CLI run per batch of files (the argument list stays short).
    for i in range(0, len(files), 200):
        cli_groups.update(by_path(cli_records("json", "-j", "1", *files[i:i + 200], check=False)))
    compared_parse = compared_messages = 0
    for f in files:
        want = cli_groups.get(f, [])
        got = list(emlkit.messages(f, errors="skip"))
        assert got == want, f"messages({f!r}) differs from `emlkit json {f}`"
        compared_messages += len(got)
        if len(want) == 1:
            with open(os.path.join(REPO, f), "rb") as fh:
                data = fh.read()
            assert emlkit.parse(data, path=f) == want[0], f"parse({f!r}) differs from `emlkit json`"
            compared_parse += 1
    assert compared_parse > 500 and compared_messages > compared_parse
    print(f"parse() == json on {compared_parse} files, messages() on {compared_messages} records")


def test_parse_options_match_cli_flags():
    f = "testdata/messages/mixed.eml"
    data = open(os.path.join(REPO, f), "rb").read()
    assert emlkit.parse(data, path=f, bodies=False) == cli_records("json", "--no-body", f)[0]
    assert emlkit.parse(data, path=f, content=True) == cli_records("json", "--with-content", f)[0]
    limited = emlkit.parse(data, path=f, max_parts=1)
    assert limited == cli_records("json", "--max-parts", "1", f, check=False)[0]
    assert any(x["code"] == "part_limit" for x in limited["findings"])
    # Without a path, the record of `emlkit json -` reading the message on stdin.
    assert emlkit.parse(data) == cli_records("json", "-", input=data)[0]


def test_mbox_shards_give_each_message_once_as_the_cli():
    f = "testdata/mbox/mboxrd.mbox"
    whole = list(emlkit.messages(f))
    assert whole == cli_records("json", f)
    for n in (2, 3):
        parts = []
        for k in range(1, n + 1):
            got = list(emlkit.messages(f, shard=(k, n)))
            assert got == cli_records("json", "--shard", f"{k}/{n}", f), (k, n)
            parts += got
        assert parts == whole
    # bytes and a file object cut the same way
    data = open(os.path.join(REPO, f), "rb").read()
    with open(os.path.join(REPO, f), "rb") as fh:
        assert [r["source"]["offset"] for r in emlkit.messages(fh, shard=(2, 2))] == \
            [r["source"]["offset"] for r in emlkit.messages(data, shard=(2, 2))]
    try:
        emlkit.messages(f, shard=(3, 2))
        raise AssertionError("shard (3, 2) accepted")
    except ValueError as e:
        assert "K <= N" in str(e)


def test_compressed_mbox_and_maildir():
    tmp = tempfile.mkdtemp()
    try:
        src = os.path.join(REPO, "testdata/mbox/mboxrd.mbox")
        gz = os.path.join(tmp, "a.mbox.gz")
        with open(src, "rb") as i, gzip.open(gz, "wb") as o:
            o.write(i.read())
        got = list(emlkit.messages(gz))
        assert got == cli_records("json", gz)
        assert len(got) >= 2
        with open(gz, "rb") as fh:
            assert [r["subject"] for r in emlkit.messages(fh)] == [r["subject"] for r in got]
        md = "testdata/examples/maildir"
        got = list(emlkit.messages(md))
        assert got and got == cli_records("json", md)
        assert got == list(emlkit.messages(md, format="maildir"))
        halves = list(emlkit.messages(md, shard=(1, 2))) + list(emlkit.messages(md, shard=(2, 2)))
        assert halves == got
    finally:
        shutil.rmtree(tmp)


def test_trace_and_records_trace_equal_cli():
    files = [os.path.join("testdata/trace/mta", f) for f in sorted(os.listdir(os.path.join(REPO, "testdata/trace/mta")))
             if f.endswith(".eml")]
    assert files
    for f in files:
        data = open(os.path.join(REPO, f), "rb").read()
        want = cli_records("trace", "--json", "--now", str(NOW), f, check=False)
        assert [emlkit.trace(data, path=f, now=NOW)] == want, f
        assert list(emlkit.messages(f, records="trace", now=NOW)) == want, f
    f = "testdata/mbox/mboxrd.mbox"
    assert list(emlkit.messages(f, records="trace", now=NOW)) == \
        cli_records("trace", "--json", "--now", str(NOW), f, check=False)


def test_tree_equals_cli():
    for name in ("mixed", "nested", "digest", "malformed"):
        f = f"testdata/messages/{name}.eml"
        data = open(os.path.join(REPO, f), "rb").read()
        assert emlkit.tree(data, path=f) == cli_records("tree", "--json", f, check=False), f


def test_extract_manifest_equals_cli_and_files_match():
    for name, opts, flags in (("mixed", {}, []), ("nested", {"recurse": True}, ["--recurse"]),
                              ("related", {"inline": True, "digests": ["sha256", "md5"]},
                               ["--inline", "--digest", "sha256,md5"])):
        f = f"testdata/messages/{name}.eml"
        data = open(os.path.join(REPO, f), "rb").read()
        a, b = tempfile.mkdtemp(), tempfile.mkdtemp()
        try:
            got = emlkit.extract(data, a, path=f, **opts)
            want = cli_records("extract", "--json", "-o", b, *flags, f)
            for r in want:
                if "path" in r:
                    r["path"] = r["path"].replace(b, a, 1)
            assert got == want, name
            files = [r for r in got if r["type"] == "file"]
            assert files, name
            for r in files:
                assert r["path"].startswith(a + os.sep)
                with open(r["path"], "rb") as fh:
                    assert hashlib.sha256(fh.read()).hexdigest() == r["sha256"]
            # Nothing is overwritten: a second run numbers the names.
            again = [r for r in emlkit.extract(data, a, path=f, **opts) if r["type"] == "file"]
            assert {r["path"] for r in again}.isdisjoint({r["path"] for r in files})
        finally:
            shutil.rmtree(a)
            shutil.rmtree(b)


def test_extract_names_stay_inside_the_folder():
    msg = (b"From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nhi\r\n"
           b"--b\r\nContent-Type: application/octet-stream\r\n"
           b"Content-Disposition: attachment; filename=\"../../etc/evil.sh\"\r\n\r\nxx\r\n--b--\r\n")
    d = tempfile.mkdtemp()
    try:
        recs = [r for r in emlkit.extract(msg, d) if r["type"] == "file"]
        assert len(recs) == 1
        assert os.path.dirname(recs[0]["path"]) == d
        assert recs[0]["name"] == "evil.sh"
    finally:
        shutil.rmtree(d)


def test_errors_carry_path_index_offset():
    try:
        emlkit.parse(b"")
        raise AssertionError("empty input parsed")
    except emlkit.Error as e:
        assert e.path == "-" or e.path is None
    mbox = open(os.path.join(REPO, "testdata/mbox/mboxrd.mbox"), "rb").read()
    try:
        emlkit.parse(mbox)
        raise AssertionError("an mbox of several messages parsed as one")
    except emlkit.Error as e:
        assert "messages()" in str(e)
    # A message over max_message_bytes: the error names its index and offset.
    it = emlkit.messages("testdata/mbox/mboxrd.mbox", max_message_bytes=10)
    try:
        next(it)
        raise AssertionError("limit ignored")
    except emlkit.Error as e:
        assert e.path == "testdata/mbox/mboxrd.mbox" and e.index == 0 and e.offset == 0
        assert isinstance(e, Exception)
    assert list(emlkit.messages("testdata/mbox/mboxrd.mbox", max_message_bytes=10, errors="skip")) == []
    try:
        list(emlkit.messages("/nonexistent/x.mbox"))
        raise AssertionError("missing file read")
    except emlkit.Error as e:
        assert e.path == "/nonexistent/x.mbox"


def test_threads_parse_in_parallel_with_the_same_results():
    f = "testdata/mbox/mboxrd.mbox"
    want = list(emlkit.messages(f))
    results = [None] * 4

    def work(i):
        results[i] = list(emlkit.messages(f))

    ts = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert all(r == want for r in results)


def test_the_gil_is_released_while_rust_parses():
    # A 8 MB attachment: parsing and hashing it takes a while. With a long
    # switch interval, the counting thread runs during parse() only if
    # parse() gives the GIL away.
    import base64
    body = base64.encodebytes(os.urandom(6 << 20))
    msg = (b"From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nhi\r\n"
           b"--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
           b"Content-Disposition: attachment; filename=x.bin\r\n\r\n" + body + b"--b--\r\n")
    count = [0]
    stop = threading.Event()

    def counter():
        while not stop.is_set():
            count[0] += 1

    old = sys.getswitchinterval()
    sys.setswitchinterval(1.0)
    t = threading.Thread(target=counter)
    try:
        t.start()
        before = count[0]
        rec = emlkit.parse(msg)
        during = count[0] - before
    finally:
        stop.set()
        sys.setswitchinterval(old)
        t.join()
    assert rec["attachments"][0]["size"] == 6 << 20
    assert during > 0, "no other thread ran while parse() worked: the GIL was held"


def test_shards_helper_is_the_cli_rule():
    size = 1000003
    ranges = emlkit.shards(size, 7)
    assert ranges[0][0] == 0 and ranges[-1][1] == size
    assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:]))


if __name__ == "__main__":
    run_all(dict(globals()))
