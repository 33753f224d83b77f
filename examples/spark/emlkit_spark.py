"""emlkit on Apache Spark: the pieces both jobs share.

* plan_tasks(): the driver cuts every input into tasks. A large mbox becomes
  N byte-range shards at message boundaries, exactly as `emlkit --shard K/N`
  cuts it (a message belongs to the shard its `From_` line starts in, so the
  shards together hold each message once); a maildir or directory becomes N
  shards of its sorted file list; a compressed file is one task (a stream
  cannot be cut). Paths must be readable by every executor (a local disk in
  local mode, NFS or a FUSE mount on a cluster); other URIs (hdfs://, s3a://)
  are read whole per file through Spark's binaryFiles.
* parse_task() runs on an executor: emlkit.messages(path, shard=(k, n)) and
  one row per message, with the explicit SCHEMA below.
* trace_task() and stats(): `emlkit trace --stats` as a Spark aggregation.
"""

import math
import os
from urllib.parse import urlparse

from pyspark.sql import functions as F
from pyspark.sql import types as T

import emlkit

#: Default shard size: mbox files are cut into pieces of about this many bytes.
SHARD_BYTES = 64 << 20
#: Default number of maildir/directory files per task.
FILES_PER_TASK = 2000

COMPRESSED_MAGIC = (b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00", b"\x28\xb5\x2f\xfd")

ADDRESS = T.StructType([
    T.StructField("name", T.StringType()),
    T.StructField("address", T.StringType()),
])

#: One row per message. The columns are the `emlkit json` record's fields
#: (docs/json.md), flattened where a table wants a scalar.
SCHEMA = T.StructType([
    T.StructField("path", T.StringType(), False),
    T.StructField("format", T.StringType(), False),
    T.StructField("index", T.LongType(), False),
    T.StructField("offset", T.LongType(), False),
    T.StructField("length", T.LongType(), False),
    T.StructField("folder", T.StringType()),
    T.StructField("flags", T.StringType()),
    T.StructField("message_id", T.StringType()),
    T.StructField("in_reply_to", T.ArrayType(T.StringType())),
    T.StructField("subject", T.StringType()),
    T.StructField("date_utc", T.StringType()),
    T.StructField("date_timestamp", T.LongType()),
    T.StructField("from", T.ArrayType(ADDRESS)),
    T.StructField("to", T.ArrayType(ADDRESS)),
    T.StructField("cc", T.ArrayType(ADDRESS)),
    T.StructField("return_path", T.StringType()),
    T.StructField("received_count", T.IntegerType(), False),
    T.StructField("origin_ip", T.StringType()),
    T.StructField("part_count", T.IntegerType(), False),
    T.StructField("text", T.StringType()),
    T.StructField("html_count", T.IntegerType(), False),
    T.StructField("attachments", T.ArrayType(T.StructType([
        T.StructField("id", T.StringType(), False),
        T.StructField("filename", T.StringType()),
        T.StructField("content_type", T.StringType()),
        T.StructField("size", T.LongType()),
        T.StructField("sha256", T.StringType()),
    ])), False),
    T.StructField("findings", T.ArrayType(T.StructType([
        T.StructField("code", T.StringType(), False),
        T.StructField("message", T.StringType()),
        T.StructField("part", T.StringType()),
        T.StructField("offset", T.LongType()),
    ])), False),
])


def _addrs(v):
    if v is None:
        return None
    return [(a.get("name"), a.get("address")) for a in v]


def _ids(v):
    if v is None:
        return None
    return list(v) if isinstance(v, list) else [v]


def row_from_record(r):
    """The row of one `emlkit json` record (a tuple in SCHEMA's order). The
    CI test applies it to the CLI's own records and compares."""
    s = r["source"]
    date = r.get("date") or {}
    rp = r.get("return_path")
    # The oldest Received field's client IP: where the message entered.
    origin_ip = None
    for h in reversed(r.get("received") or []):
        p = h.get("parsed") or {}
        if p.get("from_ip"):
            origin_ip = p["from_ip"]
            break
    return (
        s["path"], s["format"], s["index"], s["offset"], s["length"],
        s.get("folder"), s.get("flags"),
        r.get("message_id"), _ids(r.get("in_reply_to")), r.get("subject"),
        date.get("utc"), date.get("timestamp"),
        _addrs(r.get("from")), _addrs(r.get("to")), _addrs(r.get("cc")),
        rp if isinstance(rp, str) or rp is None else str(rp),
        len(r.get("received") or []), origin_ip, len(r.get("parts") or []),
        "\n".join(t.get("text") or "" for t in r.get("text") or []) or None,
        len(r.get("html") or []),
        [(a["id"], a.get("filename"), a.get("content_type"), a.get("size"), a.get("sha256"))
         for a in r.get("attachments") or []],
        [(f["code"], f.get("message"), f.get("part"), f.get("offset"))
         for f in r.get("findings") or []],
    )


def _is_local(p):
    u = urlparse(p)
    return u.scheme in ("", "file")


def _local(p):
    return urlparse(p).path if p.startswith("file:") else p


def plan_tasks(paths, shard_bytes=SHARD_BYTES, files_per_task=FILES_PER_TASK):
    """(path, k, n) tasks for local paths, and the list of other URIs."""
    tasks, remote = [], []
    for p in paths:
        if not _is_local(p):
            remote.append(p)
            continue
        lp = _local(p)
        if os.path.isdir(lp):
            count = sum(len(fs) for _, _, fs in os.walk(lp))
            n = max(1, math.ceil(count / files_per_task))
        else:
            with open(lp, "rb") as f:
                head = f.read(8)
            size = os.path.getsize(lp)
            compressed = any(head.startswith(m) for m in COMPRESSED_MAGIC)
            n = 1 if compressed else max(1, math.ceil(size / shard_bytes))
        tasks += [(lp, k, n) for k in range(1, n + 1)]
    return tasks, remote


def parse_task(task):
    """Runs on an executor: the rows of one shard."""
    path, k, n = task
    for rec in emlkit.messages(path, shard=(k, n), errors="skip"):
        yield row_from_record(rec)


def parse_blob(item):
    """Runs on an executor: the rows of one whole remote file."""
    path, content = item
    for rec in emlkit.messages(bytes(content), name=path, errors="skip"):
        yield row_from_record(rec)


def messages_frame(spark, paths, shard_bytes=SHARD_BYTES, files_per_task=FILES_PER_TASK):
    """The DataFrame of every message of `paths`, with SCHEMA."""
    sc = spark.sparkContext
    tasks, remote = plan_tasks(paths, shard_bytes, files_per_task)
    rdd = sc.parallelize(tasks, max(1, len(tasks))).flatMap(parse_task)
    for uri in remote:
        rdd = rdd.union(sc.binaryFiles(uri).flatMap(parse_blob))
    return spark.createDataFrame(rdd, SCHEMA)


# ---- `trace --stats` as a Spark aggregation -------------------------------

TRACE_SCHEMA = T.StructType([
    T.StructField("path", T.StringType(), False),
    T.StructField("index", T.LongType(), False),
    T.StructField("hops", T.ArrayType(T.StructType([
        T.StructField("by", T.StringType()),
        T.StructField("tls", T.BooleanType(), False),
        T.StructField("delay", T.LongType()),
    ])), False),
    T.StructField("findings", T.ArrayType(T.StringType()), False),
])


def trace_task(task, now=None):
    """Runs on an executor: per message its hops (receiving host, TLS, delay)
    and finding codes, from the header section only (as `emlkit trace`)."""
    path, k, n = task
    for t in emlkit.messages(path, shard=(k, n), records="trace", errors="skip", now=now):
        yield (
            t["source"]["path"], t["source"]["index"],
            [(h.get("by"), bool(h["tls"]["used"]), h.get("delay")) for h in t["hops"]],
            [f["code"] for f in t["findings"]],
        )


# ASCII-only lower-casing, as Rust's to_ascii_lowercase (F.lower would
# also change non-ASCII letters).
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LOWER = _UPPER.lower()


def _round3(x):
    # Rust's f64::round (half away from zero) for the positive shares.
    return math.floor(x * 1000.0 + 0.5) / 1000.0


# `trace --stats` keeps per-relay delays in a histogram (emlkit::forensics::
# delays: exact below a minute, then to the minute, the hour and the day, at
# most 366 days) and reports a quantile as its bucket's lower bound. Mapping
# each delay to that bound first gives the same nearest-rank quantiles.
def _bucketed(d):
    a = F.abs(d)
    lower = (F.when(a < 60, a)
             .when(a < 3600, F.floor(a / 60) * 60)
             .when(a < 86400, F.floor(a / 3600) * 3600)
             .otherwise(F.least(F.floor(a / 86400), F.lit(366)) * 86400)).cast("long")
    return F.when(d.isNull(), None).when(d < 0, -lower).otherwise(lower)


# The CLI names at most this many relays (the rest share `other_relays`).
RELAY_LIMIT = 10_000


def stats(spark, paths, now=None, shard_bytes=SHARD_BYTES, files_per_task=FILES_PER_TASK):
    """The `trace --stats --json` record of `paths`, computed by Spark.

    Equal to the CLI's for mailboxes with at most 10,000 distinct relays
    (the CLI then counts later new names together in `other_relays`, by
    first appearance, which a distributed job does not have)."""
    sc = spark.sparkContext
    tasks, remote = plan_tasks(paths, shard_bytes, files_per_task)
    if remote:
        raise ValueError(f"stats: only paths the executors can open, not {remote}")
    rdd = sc.parallelize(tasks, max(1, len(tasks))).flatMap(lambda t: trace_task(t, now))
    msgs = spark.createDataFrame(rdd, TRACE_SCHEMA).cache()
    totals = msgs.agg(
        F.count("*").alias("messages"),
        F.coalesce(F.sum(F.size("hops")), F.lit(0)).alias("hops"),
        F.sum(F.when(F.size("hops") == 0, 1).otherwise(0)).alias("without_received"),
    ).collect()[0]
    hops = (msgs.select("path", "index", F.explode("hops").alias("h"))
            .where(F.col("h.by").isNotNull())
            .select("path", "index",
                    # The relay key: lower-case, trailing dots removed.
                    F.translate(F.regexp_replace("h.by", r"\.+\z", ""), _UPPER, _LOWER).alias("by"),
                    F.col("h.tls").alias("tls"), _bucketed(F.col("h.delay")).alias("delay")))
    relays = (hops.groupBy("by")
              .agg(F.countDistinct("path", "index").alias("messages"),
                   F.count("*").alias("hops"),
                   F.sum(F.col("tls").cast("long")).alias("tls"),
                   F.sort_array(F.collect_list("delay")).alias("delays"))
              # Nearest rank: the ceil(q * n)-th smallest delay.
              .select("by", "messages", "hops", "tls",
                      F.when(F.size("delays") > 0, F.element_at(
                          "delays", F.greatest(F.lit(1), F.ceil(F.lit(0.5) * F.size("delays")).cast("int"))))
                      .alias("median_delay"),
                      F.when(F.size("delays") > 0, F.element_at(
                          "delays", F.greatest(F.lit(1), F.ceil(F.lit(0.95) * F.size("delays")).cast("int"))))
                      .alias("p95_delay"))
              .orderBy(F.desc("messages"), F.asc("by"))
              .collect())
    findings = (msgs.select(F.explode("findings").alias("code")).groupBy("code").count()
                .orderBy("code").collect())
    msgs.unpersist()
    return {
        "type": "trace_stats",
        "messages": totals["messages"],
        "hops": int(totals["hops"] or 0),
        "without_received": int(totals["without_received"] or 0),
        "relays": [{
            "by": r["by"], "messages": r["messages"], "hops": r["hops"],
            "median_delay": r["median_delay"], "p95_delay": r["p95_delay"],
            "tls_share": _round3(r["tls"] / r["hops"]) if r["hops"] else 0.0,
        } for r in relays],
        "other_relays": None,
        "relay_limit": RELAY_LIMIT,
        "findings": {r["code"]: r["count"] for r in findings},
    }
