"""The federated example queries (SERVICE to Wikidata) against the local stand-in.

pyoxigraph evaluates SERVICE itself over HTTP, so the test points the SERVICE IRI at the
stand-in (an ``oxigraph serve-read-only`` on 127.0.0.1) and runs the query unchanged
otherwise. Goldens are CSV as in tests/queries (IRIs in full, literals as their lexical form).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from pathlib import Path

import pyoxigraph
import pytest

from peacekg.config import Settings
from peacekg.queries import CatalogueQuery, load_catalogue
from peacekg.store import EmbeddedStore
from tests.conftest import ROOT
from tests.wikidata.conftest import HERE

WIKIDATA = "https://query.wikidata.org/sparql"
FEDERATED = [
    q
    for q in load_catalogue(ROOT / "queries" / "examples")
    if re.search(rf"SERVICE\s+<{re.escape(WIKIDATA)}>", q.text)
]


def local(query: CatalogueQuery, standin: str) -> str:
    """The query with its Wikidata SERVICE IRI pointed at the stand-in."""
    return query.text.replace(f"<{WIKIDATA}>", f"<{standin}>")


def rows_of(store: EmbeddedStore, text: str) -> tuple[list[str], list[list[str]]]:
    result = store.query(text)
    assert isinstance(result, pyoxigraph.QuerySolutions)
    header = [v.value for v in result.variables]
    rows = [["" if s[n] is None else str(s[n].value) for n in header] for s in result]
    return header, rows


def golden(path: Path) -> tuple[list[str], list[list[str]]]:
    table = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    return table[0], table[1:]


def test_there_are_federated_examples_in_our_number_range() -> None:
    slugs = [q.slug for q in FEDERATED]
    assert len(slugs) >= 2
    assert all(re.fullmatch(r"9\d-[a-z0-9-]+", slug) for slug in slugs), slugs


@pytest.mark.slow
@pytest.mark.parametrize("query", FEDERATED, ids=[q.slug for q in FEDERATED])
def test_federated_example_on_the_test_dataset(
    query: CatalogueQuery, standin: str, wd_store: EmbeddedStore
) -> None:
    header, rows = rows_of(wd_store, local(query, standin))
    expected_header, expected_rows = golden(HERE / "expected" / f"{query.slug}.csv")
    assert header == expected_header
    assert rows == expected_rows  # every federated example has an ORDER BY


@pytest.mark.slow
def test_federated_example_through_the_endpoint_with_the_standin_allowlisted(
    standin: str, wd_settings: Settings
) -> None:
    """The endpoint evaluates SERVICE only to allowlisted endpoints: allow the stand-in."""
    from peacekg.web import create_app
    from peacekg.web.sparql import shutdown

    query = next(q for q in FEDERATED if q.slug.startswith("90-"))
    app = create_app(replace(wd_settings, service_allowlist=(standin,)))
    try:
        response = app.test_client().post(
            "/sparql",
            data={"query": local(query, standin)},
            headers={"Accept": "text/csv"},
        )
    finally:
        shutdown(app)
    assert response.status_code == 200, response.get_data(as_text=True)
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    header, rows = golden(HERE / "expected" / f"{query.slug}.csv")
    assert table == [header, *rows]


def test_our_query_headers_have_no_accidental_keys() -> None:
    """A wrapped header line starting with ``word:`` would be read as a new key (queries.py)."""
    for path in sorted((ROOT / "queries" / "examples").glob("9[0-9]-*.rq")):
        header = path.read_text(encoding="utf-8").splitlines()
        header = header[: next(i for i, line in enumerate(header) if not line.startswith("#"))]
        keys = [m[1] for line in header if (m := re.match(r"^#\s*([a-z]+)\s*:", line))]
        assert keys in (
            ["title", "description", "expect"],
            ["title", "description", "expect", "service"],
        ), (path.name, keys)
