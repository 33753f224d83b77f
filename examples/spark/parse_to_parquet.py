#!/usr/bin/env python3
"""Spark job: every message of a list of mbox/maildir paths to Parquet.

    spark-submit examples/spark/parse_to_parquet.py --out messages.parquet \\
        /archive/2023.mbox /archive/2024.mbox.zst /archive/maildir

Each large mbox is cut into byte-range shards at message boundaries (the
`emlkit --shard K/N` rule, about --shard-bytes each), each shard is parsed on
an executor by the emlkit Python package (`pip install ./python` on every
node), and the rows are written with an explicit schema (see
emlkit_spark.SCHEMA): message fields, attachments as an array of structs,
findings. The executors must see the same paths (local mode, NFS, a FUSE
mount); hdfs:// or s3a:// URIs are read whole per file.
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pyspark.sql import SparkSession  # noqa: E402

import emlkit_spark  # noqa: E402


def main(argv=None, spark=None):
    """Runs the job; with `spark`, in that session (left running)."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="+", help="mbox files (plain or compressed), maildirs, directories")
    ap.add_argument("--out", required=True, help="Parquet output folder")
    ap.add_argument("--shard-bytes", type=int, default=emlkit_spark.SHARD_BYTES,
                    help="cut mbox files into shards of about this many bytes (default 64 MiB)")
    ap.add_argument("--master", default=None, help="Spark master (default: spark-submit's)")
    args = ap.parse_args(argv)
    own = spark is None
    if own:
        b = SparkSession.builder.appName("emlkit-parse")
        if args.master:
            b = b.master(args.master)
        spark = b.getOrCreate()
    spark.sparkContext.addPyFile(emlkit_spark.__file__)
    t0 = time.time()
    df = emlkit_spark.messages_frame(spark, args.paths, shard_bytes=args.shard_bytes)
    df.write.mode("overwrite").parquet(args.out)
    print(f"wrote {args.out} in {time.time() - t0:.1f} s", file=sys.stderr)
    if own:
        spark.stop()


if __name__ == "__main__":
    main()
