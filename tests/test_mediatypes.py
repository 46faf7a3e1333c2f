"""The shared media-type table and Accept negotiation with q-values (RFC 9110 12.5.1)."""

from __future__ import annotations

import pytest

from peacekg import mediatypes
from peacekg.mediatypes import AcceptError, negotiate, parse_accept

RESULTS = mediatypes.RESULT_FORMATS
GRAPHS = mediatypes.GRAPH_FORMATS


def _name(accept: str | None, offered: tuple[mediatypes.MediaFormat, ...]) -> str | None:
    fmt = negotiate(accept, offered)
    return fmt.name if fmt else None


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "json"),
        ("", "json"),
        ("*/*", "json"),
        ("application/sparql-results+xml", "xml"),
        ("text/csv;q=0.5, text/tab-separated-values", "tsv"),
        ("text/*;q=0.9, application/sparql-results+json;q=0.1", "csv"),
        ("text/*, text/csv;q=0", "tsv"),
        ("application/json", "json"),
        ("application/xml;q=0.8, */*;q=0.1", "xml"),
        ("text/turtle", None),
        ("application/sparql-results+json;q=0", None),
    ],
)
def test_results_negotiation(accept: str | None, expected: str | None) -> None:
    assert _name(accept, RESULTS) == expected


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "turtle"),
        ("application/n-triples", "ntriples"),
        ("text/plain", "ntriples"),
        ("application/ld+json;q=1, text/turtle;q=0.5", "jsonld"),
        ("application/rdf+xml, text/turtle;q=0.9", "rdfxml"),
        ("application/trig", "trig"),
        ("application/n-quads", "nquads"),
        ("text/html", None),
    ],
)
def test_graph_negotiation(accept: str | None, expected: str | None) -> None:
    assert _name(accept, GRAPHS) == expected


def test_parse_accept_keeps_q_and_order() -> None:
    ranges = parse_accept("text/turtle;q=0.5, application/*;level=1, */*;q=0.1")
    assert [(r.type, r.subtype, r.q, r.specificity) for r in ranges] == [
        ("text", "turtle", 0.5, 2),
        ("application", "*", 1.0, 1),
        ("*", "*", 0.1, 0),
    ]


@pytest.mark.parametrize("header", ["text", "*/turtle", "text/turtle;q=x", "text/turtle;q=2"])
def test_bad_accept_headers_are_errors(header: str) -> None:
    with pytest.raises(AcceptError):
        parse_accept(header)


def test_lookups_agree() -> None:
    turtle = mediatypes.by_name("turtle")
    assert (
        turtle
        is mediatypes.by_extension(".ttl")
        is mediatypes.by_media_type("text/turtle; charset=utf-8")
    )
    assert turtle is not None and turtle.content_type == "text/turtle; charset=utf-8"
    assert mediatypes.by_name("nq") is mediatypes.by_media_type("application/n-quads")
    assert mediatypes.by_extension("docx") is None
