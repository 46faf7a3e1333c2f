"""The row cap as a LIMIT in the query text (peacekg.rowlimit) and Oxigraph-written results."""

from __future__ import annotations

import pyoxigraph
import pytest

from peacekg.rowlimit import Limited, limit_rows
from peacekg.workers import Job, _row_count, execute, serialize


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "SELECT * WHERE { ?s ?p ?o }\nLIMIT 11\n"),
        # A comment at the end must not swallow the LIMIT.
        ("SELECT * { ?s ?p ?o } # done", "SELECT * { ?s ?p ?o } # done\nLIMIT 11\n"),
        ("SELECT * { ?s ?p ?o } LIMIT 500", "SELECT * { ?s ?p ?o } LIMIT 11"),
        ("select * { ?s ?p ?o } limit 11 offset 3", "select * { ?s ?p ?o } limit 11 offset 3"),
        ("SELECT * { ?s ?p ?o } OFFSET 3", "SELECT * { ?s ?p ?o } OFFSET 3\nLIMIT 11\n"),
        # Before a trailing VALUES block, as the grammar orders them.
        (
            "SELECT * { ?s ?p ?o } ORDER BY ?s VALUES ?s { <x:a> }",
            "SELECT * { ?s ?p ?o } ORDER BY ?s \nLIMIT 11\nVALUES ?s { <x:a> }",
        ),
        # LIMIT inside a sub-query, a string, an IRI, a comment or a language tag is not
        # the query's own.
        (
            'PREFIX limit: <x:limit> SELECT ("LIMIT 1"@limit AS ?l) '
            "{ { SELECT * { ?s ?p ?o } LIMIT 1 } ?s limit:x <x:LIMIT> # LIMIT 1\n }",
            'PREFIX limit: <x:limit> SELECT ("LIMIT 1"@limit AS ?l) '
            "{ { SELECT * { ?s ?p ?o } LIMIT 1 } ?s limit:x <x:LIMIT> # LIMIT 1\n }\nLIMIT 11\n",
        ),
    ],
)
def test_the_limit_is_lowered_or_added(query: str, expected: str) -> None:
    limited = limit_rows(query, 10)
    assert limited == Limited(expected, within_cap=False)


@pytest.mark.parametrize("query", ["SELECT * { ?s ?p ?o } LIMIT 10", "SELECT * {} LIMIT 0"])
def test_a_limit_within_the_cap_is_kept(query: str) -> None:
    assert limit_rows(query, 10) == Limited(query, within_cap=True)


@pytest.mark.parametrize(
    "query",
    [
        "ASK { ?s ?p ?o }",
        "CONSTRUCT WHERE { ?s ?p ?o }",
        "DESCRIBE <x:a>",
        "SELECT * { ?s ?p ?o } \\u004CIMIT 3",  # an escaped keyword: not read for sure
        "SELECT * { ?s ?p ?o } LIMIT ?x",  # not digits after LIMIT
        "SELECT * ",  # no body
    ],
)
def test_texts_not_read_for_sure_are_left_alone(query: str) -> None:
    assert limit_rows(query, 10) is None


def _store() -> pyoxigraph.Store:
    store = pyoxigraph.Store()
    p = pyoxigraph.NamedNode("http://x/p")
    tricky = pyoxigraph.Literal('a"},{\n\t<result>\u00e9')
    quoted = pyoxigraph.Triple(pyoxigraph.NamedNode("http://x/a"), p, pyoxigraph.Literal("},{"))
    for index in range(6):
        subject = pyoxigraph.NamedNode(f"http://x/s{index}")
        store.add(pyoxigraph.Quad(subject, p, tricky if index % 2 else quoted))
    return store


ROWS = "SELECT ?s ?o ?unbound WHERE { { ?s ?p ?o } UNION {} } ORDER BY ?s"


@pytest.mark.parametrize("name", ["json", "xml", "tsv"])
def test_rows_are_counted_in_the_bytes(name: str) -> None:
    fmt = {"json": "JSON", "xml": "XML", "tsv": "TSV"}[name]
    store = _store()
    for query, rows in ((ROWS, 7), ("SELECT * { ?s ?p <http://none> }", 0)):
        body = store.query(query).serialize(format=getattr(pyoxigraph.QueryResultsFormat, fmt))
        assert body is not None
        assert _row_count(body, name) == rows


@pytest.mark.parametrize("name", ["json", "xml", "csv", "tsv"])
@pytest.mark.parametrize("max_rows", [3, 6, 7, 8, 10000])
def test_oxigraph_bodies_equal_the_row_by_row_ones(name: str, max_rows: int) -> None:
    """Uncut and cut, every format: the same bytes, headers and cut as the Python path."""
    store = _store()
    job = Job(store_dir="", query=ROWS, results_format=name, max_rows=max_rows)
    fast = execute(store, job)
    slow = serialize(store.query(ROWS), job)
    assert (fast.status, fast.content_type, fast.body, fast.headers, fast.truncated) == (
        slow.status,
        slow.content_type,
        slow.body,
        slow.headers,
        slow.truncated,
    )
    assert fast.truncated is (max_rows < 7)


@pytest.mark.parametrize("max_bytes", [200, 1000, 100_000])
def test_the_byte_cap_cuts_as_before(max_bytes: int) -> None:
    store = _store()
    job = Job(store_dir="", query=ROWS, results_format="json", max_bytes=max_bytes)
    fast = execute(store, job)
    slow = serialize(store.query(ROWS), job)
    assert (fast.body, fast.headers) == (slow.body, slow.headers)
    assert len(fast.body) <= max_bytes
    assert fast.truncated is (max_bytes < 1000)


def test_a_syntax_error_names_the_position_in_the_text_as_sent() -> None:
    query = "SELECT * { ?s ?p ?o } LIMIT 50000 }"
    with pytest.raises(SyntaxError) as error:
        _store().query(query)
    outcome = execute(_store(), Job(store_dir="", query=query))
    assert (outcome.status, outcome.body) == (400, f"query syntax error: {error.value}\n".encode())
