"""SPARQL 1.1 Protocol at /sparql, in-process: forms of request, formats, status codes, views."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD

from peacekg.namespaces import SD, VOID
from tests.endpoint.conftest import MINI
from tests.mini import ASSERTION_BASE

EVENTS = f"SELECT ?r WHERE {{ ?r a <{MINI}Event> }} ORDER BY ?r"
ROUNDS = [f"{MINI}round1", f"{MINI}round2"]
ASSERTED = "https://w3id.org/peacekg/graph/asserted"
INFERRED = "https://w3id.org/peacekg/graph/inferred"
ONTOLOGY = "https://w3id.org/peacekg/graph/ontology"
PROVENANCE = "https://w3id.org/peacekg/graph/provenance"


def _column(body: bytes, name: str = "r") -> list[str]:
    return [b[name]["value"] for b in json.loads(body)["results"]["bindings"]]


def test_get_query_json(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": EVENTS})
    assert response.status_code == 200
    assert response.content_type == "application/sparql-results+json; charset=utf-8"
    assert response.headers["Vary"] == "Accept, Accept-Encoding"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["X-PeaceKG-Row-Cap"] == "10000"
    assert "X-PeaceKG-Truncated" not in response.headers
    assert json.loads(response.data) == {
        "head": {"vars": ["r"]},
        "results": {"bindings": [{"r": {"type": "uri", "value": r}} for r in ROUNDS]},
    }


def test_post_form_and_post_direct(client: FlaskClient) -> None:
    form = client.post("/sparql", data={"query": EVENTS})
    direct = client.post("/sparql", data=EVENTS.encode(), content_type="application/sparql-query")
    assert form.status_code == direct.status_code == 200
    assert _column(form.data) == _column(direct.data) == ROUNDS


@pytest.mark.parametrize(
    ("accept", "content_type", "expected"),
    [
        (
            "text/csv",
            "text/csv; charset=utf-8",
            f"r\r\n{ROUNDS[0]}\r\n{ROUNDS[1]}\r\n",
        ),
        (
            "text/tab-separated-values",
            "text/tab-separated-values; charset=utf-8",
            f"?r\n<{ROUNDS[0]}>\n<{ROUNDS[1]}>\n",
        ),
    ],
)
def test_select_as_csv_and_tsv(
    client: FlaskClient, accept: str, content_type: str, expected: str
) -> None:
    response = client.get("/sparql", query_string={"query": EVENTS}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.content_type == content_type
    assert response.data.decode() == expected


def test_select_as_xml(client: FlaskClient) -> None:
    response = client.get(
        "/sparql",
        query_string={"query": EVENTS},
        headers={"Accept": "application/sparql-results+xml"},
    )
    assert response.content_type == "application/sparql-results+xml; charset=utf-8"
    body = response.data.decode()
    assert body.count("<result>") == 2
    assert f"<uri>{ROUNDS[0]}</uri>" in body and f"<uri>{ROUNDS[1]}</uri>" in body


def test_q_values_and_format_override(client: FlaskClient) -> None:
    accept = "application/sparql-results+json;q=0.5, text/csv"
    assert client.get(
        "/sparql", query_string={"query": EVENTS}, headers={"Accept": accept}
    ).content_type.startswith("text/csv")
    override = client.get(
        "/sparql", query_string={"query": EVENTS, "format": "tsv"}, headers={"Accept": accept}
    )
    assert override.content_type.startswith("text/tab-separated-values")


def test_ask(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": f"ASK {{ <{MINI}round1> ?p ?o }}"})
    assert json.loads(response.data) == {"head": {}, "boolean": True}


CONSTRUCT = f"CONSTRUCT {{ ?r a <{MINI}Event> }} WHERE {{ ?r a <{MINI}Event> }}"


@pytest.mark.parametrize(
    ("accept", "rdflib_format", "content_type"),
    [
        ("text/turtle", "turtle", "text/turtle; charset=utf-8"),
        ("application/n-triples", "nt", "application/n-triples"),
        ("application/rdf+xml", "xml", "application/rdf+xml"),
        ("application/ld+json", "json-ld", "application/ld+json; charset=utf-8"),
        ("application/trig", "trig", "application/trig"),
        ("application/n-quads", "nquads", "application/n-quads"),
    ],
)
def test_construct_in_every_rdf_format(
    client: FlaskClient, accept: str, rdflib_format: str, content_type: str
) -> None:
    response = client.get("/sparql", query_string={"query": CONSTRUCT}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.content_type == content_type
    graph = Graph().parse(data=response.data, format=rdflib_format)
    assert set(graph) == {(URIRef(r), RDF.type, URIRef(MINI + "Event")) for r in ROUNDS}


def test_describe(client: FlaskClient) -> None:
    response = client.get(
        "/sparql",
        query_string={"query": f"DESCRIBE <{MINI}round2>"},
        headers={"Accept": "application/n-triples"},
    )
    graph = Graph().parse(data=response.data, format="nt")
    assert (URIRef(MINI + "round2"), URIRef(MINI + "partOf"), URIRef(MINI + "istanbul")) in graph


def test_bad_query_is_400_with_position(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "SELECT ?x WHERE { ?x ?y }"})
    assert response.status_code == 400
    assert response.content_type == "text/plain; charset=utf-8"
    assert response.data.decode() == (
        "query syntax error: error at 1:26: expected one of LATERAL, SERVICE, [_]\n"
    )


@pytest.mark.parametrize(
    ("kwargs", "status", "message"),
    [
        (
            {"data": "ASK {}", "content_type": "text/plain"},
            415,
            "unsupported Content-Type 'text/plain': use application/sparql-query or a form\n",
        ),
        (
            {"data": "ASK {}"},
            415,
            "POST needs Content-Type application/sparql-query or a form\n",
        ),
        (
            {
                "data": "ASK {}".encode("utf-16"),
                "content_type": "application/sparql-query; charset=UTF-16",
            },
            415,
            "the request body must be UTF-8, not utf-16\n",
        ),
        (
            {"data": b"ASK { \xff }", "content_type": "application/sparql-query"},
            400,
            None,
        ),
        ({"data": {"update": "CLEAR ALL"}}, 400, None),
        ({"data": {"query": ["ASK {}", "ASK {}"]}}, 400, "more than one 'query' parameter\n"),
    ],
)
def test_bad_posts(
    client: FlaskClient, kwargs: dict[str, object], status: int, message: str | None
) -> None:
    response = client.post("/sparql", **kwargs)  # type: ignore[arg-type]
    assert response.status_code == status
    if message is not None:
        assert response.data.decode() == message


def test_wrong_method_is_405(client: FlaskClient) -> None:
    response = client.put("/sparql", query_string={"query": "ASK {}"})
    assert (response.status_code, response.data) == (
        405,
        b"method PUT not allowed here; use GET, HEAD, OPTIONS, POST\n",
    )
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS, POST"
    update = client.get("/update")
    assert (update.status_code, update.headers["Allow"]) == (405, "POST, OPTIONS")


def test_unacceptable_accept_is_406(client: FlaskClient) -> None:
    response = client.get(
        "/sparql", query_string={"query": EVENTS}, headers={"Accept": "image/png"}
    )
    assert response.status_code == 406
    construct = client.get(
        "/sparql", query_string={"query": CONSTRUCT}, headers={"Accept": "text/csv"}
    )
    assert construct.status_code == 406
    assert construct.data == b"no acceptable RDF format for a CONSTRUCT/DESCRIBE result\n"


def test_unknown_format_and_view_are_400(client: FlaskClient) -> None:
    bad_format = client.get("/sparql", query_string={"query": EVENTS, "format": "docx"})
    assert bad_format.status_code == 400
    assert bad_format.data.decode().startswith("unknown format 'docx'; known formats: json, ")
    bad_view = client.get("/sparql", query_string={"query": EVENTS, "view": "nope"})
    assert (bad_view.status_code, bad_view.data) == (
        400,
        b"unknown view 'nope'; views: union, asserted\n",
    )


def test_multiple_queries_are_400(client: FlaskClient) -> None:
    response = client.get("/sparql?query=ASK%20%7B%7D&query=ASK%20%7B%7D")
    assert (response.status_code, response.data) == (400, b"more than one 'query' parameter\n")


def test_options_preflight(client: FlaskClient) -> None:
    response = client.options(
        "/sparql",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST"},
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Access-Control-Allow-Methods"] == "GET, POST, OPTIONS"
    assert response.headers["Access-Control-Allow-Headers"] == "Accept, Content-Type"


COUNT_TYPES = f"SELECT (COUNT(*) AS ?n) WHERE {{ <{MINI}round1> a ?type }}"


def _count(client: FlaskClient, **params: str | list[str]) -> int:
    response = client.get("/sparql", query_string={"query": COUNT_TYPES, **params})
    assert response.status_code == 200, response.data
    return int(_column(response.data, "n")[0])


def test_views_and_protocol_dataset(client: FlaskClient) -> None:
    # round1 is asserted a Round; reasoning adds Event (rdfs:subClassOf).
    assert _count(client) == 2
    assert _count(client, view="asserted") == 1
    assert _count(client, **{"default-graph-uri": INFERRED}) == 1
    assert _count(client, **{"default-graph-uri": [ASSERTED, INFERRED]}) == 2
    # named-graph-uri alone: the default graph is empty (SPARQL 1.1 Protocol 2.1.4).
    assert _count(client, **{"named-graph-uri": ASSERTED}) == 0


def test_graph_keyword_and_from(client: FlaskClient) -> None:
    in_graph = f"SELECT ?g WHERE {{ GRAPH ?g {{ <{MINI}round1> a ?t }} }} ORDER BY ?g"
    response = client.get("/sparql", query_string={"query": in_graph})
    # The one assertion stating it, the asserted union of the assertions, the inference.
    assert _column(response.data, "g") == [ASSERTION_BASE + "mini-round1", ASSERTED, INFERRED]
    from_query = f"SELECT ?t FROM <{INFERRED}> WHERE {{ <{MINI}round1> a ?t }}"  # noqa: S608
    response = client.get("/sparql", query_string={"query": from_query})
    assert _column(response.data, "t") == [MINI + "Event"]


def test_row_cap_is_announced(built_mini: Path, make_app: Callable[..., Flask]) -> None:
    client = make_app(built_mini, max_rows=3).test_client()
    response = client.get(
        "/sparql",
        query_string={"query": "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s"},
        headers={"Accept": "text/csv"},
    )
    assert response.status_code == 200
    assert response.headers["X-PeaceKG-Row-Cap"] == "3"
    assert response.headers["X-PeaceKG-Truncated"] == "true"
    assert response.headers["X-PeaceKG-Message"] == (
        "result truncated to the first 3 rows (the server's max_rows cap); "
        "use LIMIT/OFFSET to page through the rest"
    )
    assert len(list(csv.reader(io.StringIO(response.data.decode())))) == 1 + 3
    small = client.get("/sparql", query_string={"query": EVENTS})
    assert "X-PeaceKG-Truncated" not in small.headers


def test_request_size_limit(built_mini: Path, make_app: Callable[..., Flask]) -> None:
    client = make_app(built_mini, max_request_bytes=200).test_client()
    query = "ASK {}" + " " * 300
    direct = client.post("/sparql", data=query, content_type="application/sparql-query")
    assert (direct.status_code, direct.data) == (
        413,
        b"request body larger than the server's limit of 200 bytes\n",
    )
    get = client.get("/sparql", query_string={"query": query})
    assert (get.status_code, get.data) == (
        413,
        b"query longer than the server's limit of 200 bytes\n",
    )


def test_service_description(client: FlaskClient) -> None:
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.content_type == "text/turtle; charset=utf-8"
    graph = Graph().parse(data=response.data, format="turtle")
    service = URIRef("http://localhost/sparql")
    assert (service, RDF.type, SD.Service) in graph
    assert (service, SD.endpoint, service) in graph
    assert set(graph.objects(service, SD.supportedLanguage)) == {SD.SPARQL11Query}
    assert len(set(graph.objects(service, SD.resultFormat))) == 10
    dataset = graph.value(service, SD.defaultDataset)
    default = graph.value(dataset, SD.defaultGraph)
    # The union graphs only (14 + 12 + 71 + 9), not the assertion graphs a second time.
    assert graph.value(default, VOID.triples) == Literal(106, datatype=XSD.integer)
    counts = {
        str(named): int(graph.value(graph.value(named, SD.graph), VOID.triples))  # type: ignore[arg-type]
        for named in graph.objects(dataset, SD.namedGraph)
    }
    assert counts == {
        ONTOLOGY: 14,
        ASSERTED: 12,
        PROVENANCE: 71,
        INFERRED: 9,
        ASSERTION_BASE + "mini-talks": 2,
        ASSERTION_BASE + "mini-istanbul": 3,
        ASSERTION_BASE + "mini-round1": 4,
        ASSERTION_BASE + "mini-round2": 3,
        ASSERTION_BASE + "mini-report-round2": 1,
    }


def test_service_description_formats_and_browser_redirect(client: FlaskClient) -> None:
    jsonld = client.get("/sparql", headers={"Accept": "application/ld+json"})
    assert jsonld.status_code == 200
    assert jsonld.content_type == "application/ld+json; charset=utf-8"
    turtle = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200
    # The same description, blank nodes included, in either format.
    assert isomorphic(
        Graph().parse(data=jsonld.data, format="json-ld"),
        Graph().parse(data=turtle.data, format="turtle"),
    )
    browser = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert (browser.status_code, browser.headers["Location"]) == (303, "/")
    curl = client.get("/sparql", headers={"Accept": "*/*"})
    assert curl.content_type == "text/turtle; charset=utf-8"
