#!/usr/bin/env python3
"""Spark job: the mailbox statistics of `emlkit trace --stats --json`,
computed as a Spark aggregation over the Received hops of every message.

    spark-submit examples/spark/trace_stats.py /archive/*.mbox > stats.json

Per relay (receiving host, lower-case): the messages it handled, its hops,
the median and 95th-percentile delay (nearest rank) and the share of hops
with TLS; findings counted by code. The record equals the CLI's.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pyspark.sql import SparkSession  # noqa: E402

import emlkit_spark  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--shard-bytes", type=int, default=emlkit_spark.SHARD_BYTES)
    ap.add_argument("--now", type=int, default=None, help="Unix time taken as now (future_date)")
    ap.add_argument("--master", default=None)
    args = ap.parse_args(argv)
    b = SparkSession.builder.appName("emlkit-trace-stats")
    if args.master:
        b = b.master(args.master)
    spark = b.getOrCreate()
    spark.sparkContext.addPyFile(emlkit_spark.__file__)
    rec = emlkit_spark.stats(spark, args.paths, now=args.now, shard_bytes=args.shard_bytes)
    print(json.dumps(rec))
    spark.stop()


if __name__ == "__main__":
    main()
