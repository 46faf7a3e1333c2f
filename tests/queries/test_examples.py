"""Every example query in queries/examples/ returns exactly its expected rows.

The golden files are CSV (header = the query's variables; IRIs in full, literals as their
lexical form, unbound as empty). Rows are compared as an ordered list when the query has an
ORDER BY, else as a sorted list (a multiset). Set PEACEKG_UPDATE_GOLDENS=1 to rewrite the golden
files from the current graph, then review the diff.
"""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest
from rdflib.plugins.sparql import prepareQuery

from peacekg.queries import CatalogueQuery, load_catalogue

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = load_catalogue(ROOT / "queries" / "examples")
UPDATE = os.environ.get("PEACEKG_UPDATE_GOLDENS") == "1"


def _term(term: Any) -> str:
    """A result term as the golden CSV writes it."""
    if term is None:
        return ""
    if isinstance(term, pyoxigraph.BlankNode):
        raise AssertionError("example queries must not return blank nodes (unstable labels)")
    return str(term.value)


def run(store: Any, query: CatalogueQuery) -> tuple[list[str], list[list[str]]]:
    """Header and rows of ``query`` on the built store."""
    result = store.query(query.text)
    assert isinstance(result, pyoxigraph.QuerySolutions), f"{query.slug} is not a SELECT"
    header = [variable.value for variable in result.variables]
    rows = [[_term(solution[name]) for name in header] for solution in result]
    return header, rows


def to_csv(header: list[str], rows: list[list[str]]) -> str:
    """The golden-file text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def test_catalogue_has_at_least_15_documented_queries() -> None:
    assert len(CATALOGUE) >= 15
    for query in CATALOGUE:
        assert re.fullmatch(r"\d\d-[a-z0-9-]+", query.slug), query.slug
        assert query.title and query.title != query.slug, query.slug
        assert query.description, query.slug
        assert query.expect == f"tests/queries/expected/{query.slug}.csv", query.slug


@pytest.mark.parametrize("query", CATALOGUE, ids=[q.slug for q in CATALOGUE])
def test_query_parses(query: CatalogueQuery) -> None:
    prepareQuery(query.text)


# Federated examples (SERVICE, issue 7) would call Wikidata: tests/wikidata/test_federated.py
# runs them against a local stand-in instead, so tests never touch the network.
LOCAL = [q for q in CATALOGUE if not q.uses("SERVICE")]


@pytest.mark.parametrize("query", LOCAL, ids=[q.slug for q in LOCAL])
def test_query_returns_expected_rows(built_store: Any, query: CatalogueQuery) -> None:
    assert query.expect is not None
    golden = ROOT / query.expect
    header, rows = run(built_store, query)
    if UPDATE:
        golden.write_text(to_csv(header, rows), encoding="utf-8")
    expected = list(csv.reader(io.StringIO(golden.read_text(encoding="utf-8"))))
    assert header == expected[0]
    assert rows, f"{query.slug} returns no rows: a vacuous example"
    if query.uses(r"ORDER\s+BY"):
        assert rows == expected[1:]
    else:
        assert sorted(rows) == sorted(expected[1:])
