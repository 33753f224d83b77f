#!/usr/bin/env python3
"""The Spark jobs in local mode (local[2]) against the emlkit CLI, on the 50M
benchmark corpus generated here by ../shared/bench/gen_corpus.py (into
target/python-bench/, or $EMLKIT_SPARK_CORPUS for an existing mbox):

* parse_to_parquet.py writes one row per message, and every row equals the
  row built from the CLI's `emlkit json` record of the same message (all
  columns, every message);
* two shards of one mbox together give each message exactly once, and each
  shard holds what `--shard K/2` gives;
* trace_stats.py's record equals `emlkit trace --stats --json`;
* the DuckDB and Polars recipes of docs/python.md run on the Parquet and the
  JSON Lines and agree with each other.

Skips with a note when pyspark or Java is missing. Also prints the throughput
per executor core next to the CLI's (`-j 1`).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "python", "tests"))
from common import cli, cli_records, emlkit_bin, skip  # noqa: E402

NOW = 1717200000


def corpus():
    env = os.environ.get("EMLKIT_SPARK_CORPUS")
    if env:
        return env
    out = os.path.join(REPO, "target", "python-bench")
    path = os.path.join(out, "50m.mbox")
    if not os.path.exists(path):
        gen = os.path.join(REPO, "..", "shared", "bench", "gen_corpus.py")
        subprocess.run([sys.executable, gen, "--size", "50M", "--name", "50m", "--out", out,
                        "--no-maildir"], check=True, stdout=subprocess.DEVNULL)
    return path


_spark = None


def spark_session():
    global _spark
    if _spark is not None:
        return _spark
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        skip("pyspark is not installed (pip install pyspark)")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        skip("no Java for Spark")
    import emlkit_spark
    # The executors' Python must be this one (the one emlkit is installed in).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    _spark = (SparkSession.builder.master("local[2]").appName("emlkit-test")
              .config("spark.ui.enabled", "false")
              .config("spark.ui.showConsoleProgress", "false")
              .config("spark.sql.shuffle.partitions", "4")
              .config("spark.driver.memory", "1g")
              .getOrCreate())
    _spark.sparkContext.setLogLevel("ERROR")
    _spark.sparkContext.addPyFile(emlkit_spark.__file__)
    return _spark


def test_parquet_rows_equal_cli_records_and_shards_partition():
    import emlkit_spark
    spark = spark_session()
    mbox = corpus()
    size = os.path.getsize(mbox)
    out = tempfile.mkdtemp()
    try:
        shard_bytes = size // 2 + 1  # two shards of the one mbox
        tasks, _ = emlkit_spark.plan_tasks([mbox], shard_bytes=shard_bytes)
        assert [t[1:] for t in tasks] == [(1, 2), (2, 2)]
        t0 = time.time()
        import parse_to_parquet
        parse_to_parquet.main([mbox, "--out", out, "--shard-bytes", str(shard_bytes)], spark=spark)
        spark_s = time.time() - t0
        df = spark.read.parquet(out)
        assert df.schema == emlkit_spark.SCHEMA or \
            [f.name for f in df.schema] == [f.name for f in emlkit_spark.SCHEMA]
        rows = sorted((tuple(r) for r in df.collect()), key=lambda r: r[3])
        t0 = time.time()
        want_recs = cli_records("json", "-j", "1", mbox)
        cli_s = time.time() - t0
        assert len(rows) == len(want_recs) > 500, (len(rows), len(want_recs))
        # Each message exactly once: the offsets are the CLI's, no repeats.
        assert [r[3] for r in rows] == [w["source"]["offset"] for w in want_recs]
        want = [emlkit_spark.row_from_record(w) for w in want_recs]
        got = [_plain(r) for r in rows]
        for g, w in zip(got, want):
            assert g == _plain(w), (g[:4], w[:4])
        # Each task of the job (the executor's function) is what --shard K/2 gives,
        # and the two together are the whole mbox, each message once.
        both = []
        for k in (1, 2):
            part = [p["source"]["offset"] for p in cli_records("json", "--no-body", "--shard", f"{k}/2", mbox)]
            got_k = [r[3] for r in emlkit_spark.parse_task((mbox, k, 2))]
            assert got_k == part and part, k
            both += got_k
        assert both == [r[3] for r in rows]
        mb = size / 1e6
        print(f"spark local[2], 2 shards: {mb / spark_s:.1f} MB/s wall incl. Parquet write "
              f"({mb / spark_s / 2:.1f} MB/s per executor core); CLI json -j1: {mb / cli_s:.1f} MB/s")
        _recipes(out, mbox)
    finally:
        shutil.rmtree(out)


def _plain(v):
    """Rows and tuples to nested lists, for comparison with the CLI's rows."""
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return v


def test_trace_stats_equal_cli():
    spark = spark_session()
    import emlkit_spark
    mbox = corpus()
    size = os.path.getsize(mbox)
    got = emlkit_spark.stats(spark, [mbox], now=NOW, shard_bytes=size // 3 + 1)
    want = cli_records("trace", "--stats", "--json", "--now", str(NOW), mbox, check=False)[0]
    assert got["messages"] == want["messages"] > 500
    assert got == want, json.dumps({"got": got, "want": want})[:3000]


def test_maildir_and_compressed_inputs():
    spark = spark_session()
    import emlkit_spark
    md = os.path.join(REPO, "testdata", "examples", "maildir")
    df = emlkit_spark.messages_frame(spark, [md], files_per_task=1)
    got = sorted(_plain(tuple(r)) for r in df.collect())
    want = sorted(_plain(emlkit_spark.row_from_record(w)) for w in cli_records("json", md))
    assert got == want and got


def _recipes(parquet, mbox):
    """Runs the DuckDB and Polars recipes of docs/python.md (the test of
    the docs) on the Parquet and on the CLI's JSON Lines."""
    sys.path.insert(0, os.path.join(REPO, "python", "tests"))
    import recipes
    tmp = tempfile.mkdtemp()
    try:
        jsonl = os.path.join(tmp, "m.jsonl")
        with open(jsonl, "wb") as f:
            f.write(cli("json", "--no-body", mbox))
        recipes.check(parquet, jsonl)
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    from common import run_all
    run_all(dict(globals()))
