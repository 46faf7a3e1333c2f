"""LUBM's 14 queries and their answer counts (``../shared/benchmarks/lubm/``), as the
benchmarks read them."""

from __future__ import annotations

import csv
from pathlib import Path


def queries(lubm: Path) -> list[tuple[str, str]]:
    """(name, text) of each query, q1 to q14 in order."""
    files = sorted((lubm / "queries").glob("q*.rq"), key=lambda p: int(p.stem[1:]))
    return [(p.stem, p.read_text(encoding="utf-8")) for p in files]


def expected_counts(lubm: Path, scale: int) -> dict[str, int]:
    """Each query's answer count in ``expected-counts.tsv``: the official one at LUBM(1), the
    OWL RL reference at LUBM(10)."""
    column = {1: "lubm1_expected", 10: "lubm10_reference"}[scale]
    with (lubm / "expected-counts.tsv").open(encoding="utf-8") as table:
        return {row["query"]: int(row[column]) for row in csv.DictReader(table, delimiter="\t")}
