"""Runs the DuckDB and Polars recipes of docs/python.md (every ```python
block between the `recipes` markers, in order, setup block left out) on a
Parquet folder and a JSON Lines file, and checks that DuckDB and Polars, on
Parquet and on JSON Lines, give the same answers."""

import os
import re

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def blocks():
    text = open(os.path.join(REPO, "docs", "python.md"), encoding="utf-8").read()
    section = text.split("<!-- recipes: begin -->", 1)[1].split("<!-- recipes: end -->", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def check(parquet, jsonl, min_size=100_000):
    ns = {"PARQUET": parquet, "JSONL": jsonl, "MIN_SIZE": min_size}
    found = blocks()
    assert len(found) >= 5, "the recipes are missing from docs/python.md"
    for code in found:
        if code.startswith("# setup"):
            continue
        exec(compile(code, "docs/python.md", "exec"), ns)
    for question in ("big_by_sender", "origin_by_day"):
        answers = {k: [tuple(r) for r in v] for k, v in ns.items() if k.startswith(question + "_")}
        assert len(answers) == 4, sorted(answers)
        first = next(iter(answers.values()))
        assert first, f"{question}: no rows"
        for k, v in answers.items():
            assert v == first, f"{question}: {k} differs: {v[:3]} vs {first[:3]}"
        print(f"recipe {question}: {len(first)} rows, the same from DuckDB and Polars, Parquet and JSON Lines")
