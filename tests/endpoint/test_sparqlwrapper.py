"""SPARQLWrapper, the client most notebooks use, against a real server: every format."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from rdflib import RDF, Graph, URIRef
from SPARQLWrapper import CSV, JSON, JSONLD, N3, POST, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from tests.endpoint.conftest import MINI, LiveServer

pytestmark = pytest.mark.slow

SELECT = (
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    f"SELECT ?r ?label WHERE {{ ?r a <{MINI}Event> ; rdfs:label ?label }} ORDER BY ?r"
)
CONSTRUCT = f"CONSTRUCT {{ ?r a <{MINI}Event> }} WHERE {{ ?r a <{MINI}Event> }}"
ROWS = [(f"{MINI}round1", "Round 1"), (f"{MINI}round2", "Round 2")]
TRIPLES = {(URIRef(f"{MINI}round{i}"), RDF.type, URIRef(f"{MINI}Event")) for i in (1, 2)}


@pytest.fixture
def server(
    built_mini: Path, make_app: Callable[..., Flask], serve: Callable[[Flask], LiveServer]
) -> LiveServer:
    return serve(make_app(built_mini))


def _wrapper(server: LiveServer, query: str, fmt: str, method: str | None = None) -> SPARQLWrapper:
    client = SPARQLWrapper(f"{server.url}/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    if method:
        client.setMethod(method)
    return client


@pytest.mark.parametrize("method", [None, POST])
def test_select_json(server: LiveServer, method: str | None) -> None:
    result = _wrapper(server, SELECT, JSON, method).queryAndConvert()
    assert isinstance(result, dict)
    rows = [(b["r"]["value"], b["label"]["value"]) for b in result["results"]["bindings"]]
    assert rows == ROWS


def test_select_xml(server: LiveServer) -> None:
    document = _wrapper(server, SELECT, XML).queryAndConvert()
    results = document.getElementsByTagName("result")  # type: ignore[union-attr]
    rows = [
        (
            r.getElementsByTagName("uri")[0].firstChild.data,
            r.getElementsByTagName("literal")[0].firstChild.data,
        )
        for r in results
    ]
    assert rows == ROWS


def test_select_csv(server: LiveServer) -> None:
    body = _wrapper(server, SELECT, CSV).queryAndConvert()
    assert isinstance(body, bytes)
    assert list(csv.reader(io.StringIO(body.decode()))) == [["r", "label"], *map(list, ROWS)]


def test_select_tsv(server: LiveServer) -> None:
    body = _wrapper(server, SELECT, TSV).queryAndConvert()
    assert isinstance(body, bytes)
    assert body.decode().splitlines() == [
        "?r\t?label",
        *(f'<{r}>\t"{label}"' for r, label in ROWS),
    ]


def test_ask_json(server: LiveServer) -> None:
    result = _wrapper(server, f"ASK {{ <{MINI}round1> a <{MINI}Event> }}", JSON).queryAndConvert()
    assert result == {"head": {}, "boolean": True}


# SPARQLWrapper converts RDF/XML and JSON-LD into an rdflib ConjunctiveGraph (deprecated).
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
@pytest.mark.parametrize("fmt", [TURTLE, N3, RDFXML, XML, JSONLD])
def test_construct_formats(server: LiveServer, fmt: str) -> None:
    result = _wrapper(server, CONSTRUCT, fmt).queryAndConvert()
    if isinstance(result, bytes):
        parse_as = {TURTLE: "turtle", N3: "turtle", JSONLD: "json-ld"}[fmt]
        result = Graph().parse(data=result, format=parse_as)
    assert isinstance(result, Graph)
    assert set(result) == TRIPLES


def test_construct_ntriples_by_accept(server: LiveServer) -> None:
    """SPARQLWrapper has no N-Triples constant; an explicit Accept header gets it."""
    client = _wrapper(server, CONSTRUCT, TURTLE)
    client.onlyConneg = True
    client.addCustomHttpHeader("Accept", "application/n-triples")
    response = client.query().response
    assert response.headers["Content-Type"] == "application/n-triples"
    assert set(Graph().parse(data=response.read(), format="nt")) == TRIPLES


def test_bad_query_raises_query_bad_formed(server: LiveServer) -> None:
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    with pytest.raises(QueryBadFormed) as caught:
        _wrapper(server, "SELECT ?x WHERE { ?x ?y }", JSON).query()
    assert "query syntax error: error at 1:26" in str(caught.value)
