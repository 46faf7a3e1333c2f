"""Issue 13: what is not our bug answers 4xx/502 with what happened, never a 500."""

from __future__ import annotations

import http.server
import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, URIRef

from tests.endpoint.conftest import MINI, LiveServer

SELECT = f"SELECT ?r WHERE {{ ?r a <{MINI}Event> }} ORDER BY ?r"
CONSTRUCT = f"CONSTRUCT {{ ?r a <{MINI}Event> }} WHERE {{ ?r a <{MINI}Event> }}"


def _request(
    url: str, *, method: str = "GET", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _url(server: LiveServer, **params: str) -> str:
    return f"{server.url}/sparql?" + urllib.parse.urlencode(params)


# -- N-Quads of rdflib-built descriptions ---------------------------------------------------


@pytest.mark.parametrize("path", ["/sparql", "/void", "/ontology", "/ontology.nq"])
def test_n_quads_of_the_descriptions(client: FlaskClient, path: str) -> None:
    response = client.get(path, headers={"Accept": "application/n-quads"})
    assert response.status_code == 200
    assert response.content_type == "application/n-quads"
    lines = response.get_data(as_text=True).splitlines()
    assert lines and all(line.endswith(" .") for line in lines)
    # A graph's N-Quads are its N-Triples: every statement in the default graph.
    assert len(Graph().parse(data=response.data, format="nt")) == len(lines)


# -- SERVICE targets and remotes ------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "BASE <http://[x/> SELECT * { SERVICE <sparql> { ?s ?p ?o } }",
        "BASE <http://a/> SELECT * { SERVICE <http://[x/sparql> { ?s ?p ?o } }",
    ],
)
def test_a_service_iri_urllib_cannot_read_is_refused(client: FlaskClient, query: str) -> None:
    response = client.get("/sparql", query_string={"query": query})
    target = query.split("SERVICE ", 1)[1].split(" ", 1)[0]
    assert (response.status_code, response.data.decode()) == (
        403,
        f"SERVICE target {target!r} is not an IRI this server reads\n",
    )


class Remote(http.server.BaseHTTPRequestHandler):
    """A SPARQL endpoint that fails: /<status> answers that status, /200 answers garbage."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        status = int(self.path.strip("/"))
        body = b"garbage" if status == 200 else b"remote says no"
        self.send_response(status)
        if status == 302:
            self.send_header("Location", self.path)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def remote() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Remote)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


def test_allowlisted_service_failures_are_502_naming_the_remote(
    built_mini: Path,
    make_app: Callable[..., Flask],
    serve: Callable[[Flask], LiveServer],
    remote: str,
) -> None:
    targets = {status: f"{remote}/{status}" for status in (302, 429, 500, 200)}
    dns = "http://no-such-host.invalid/sparql"
    allow = (*targets.values(), dns)
    server = serve(make_app(built_mini, service_allowlist=allow))

    def ask(target: str) -> tuple[int, str]:
        query = f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}"
        status, _headers, body = _request(_url(server, query=query))
        return status, body.decode()

    for status in (429, 500):
        assert ask(targets[status]) == (
            502,
            f"a SERVICE endpoint failed: Error {status} "
            f"{http.HTTPStatus(status).phrase} returned by {targets[status]} with payload:\n"
            "remote says no\n",
        )
    assert ask(targets[302]) == (
        502,
        "a SERVICE endpoint failed: The server requested too many redirects (1). "
        f"The latest redirection target is {targets[302]}\n",
    )
    assert ask(targets[200]) == (
        502,
        "a SERVICE endpoint failed: Parser error at line 1 column 1: Unexpected char: 'g'\n",
    )
    status, body = ask(dns)
    assert status == 502
    assert body.startswith("a SERVICE endpoint failed: failed to lookup address information: ")


def test_an_unknown_function_is_400_with_oxigraph_s_message(client: FlaskClient) -> None:
    response = client.get(
        "/sparql", query_string={"query": "SELECT (<http://example.org/f>(1) AS ?x) {}"}
    )
    assert (response.status_code, response.data.decode()) == (
        400,
        "query error: The custom function <http://example.org/f> is not supported\n",
    )


# -- HEAD --------------------------------------------------------------------------------------


def test_head_of_a_query_is_200_without_a_body(
    built_mini: Path, make_app: Callable[..., Flask], serve: Callable[[Flask], LiveServer]
) -> None:
    server = serve(make_app(built_mini))
    status, headers, body = _request(_url(server, query=SELECT), method="HEAD")
    assert (status, headers["Content-Type"], body) == (
        200,
        "application/sparql-results+json; charset=utf-8",
        b"",
    )
    got_status, got_headers, got = _request(_url(server, query=SELECT))
    assert got_status == 200 and int(got_headers["Content-Length"]) == len(got) > 0
    # HEAD announces the length GET sends (RFC 9110 9.3.2).
    assert headers["Content-Length"] == got_headers["Content-Length"]


# -- format= and Accept (SPARQLWrapper) -------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "fmt", "content_type"),
    [
        (SELECT, "turtle", "application/sparql-results+json; charset=utf-8"),
        (SELECT, "rdf+xml", "application/sparql-results+json; charset=utf-8"),
        (CONSTRUCT, "json", "application/ld+json; charset=utf-8"),
        (CONSTRUCT, "csv", "text/turtle; charset=utf-8"),
        ("ASK {}", "turtle", "application/sparql-results+json; charset=utf-8"),
    ],
)
def test_accept_anything_with_a_format_of_the_other_kind_gets_the_default(
    built_mini: Path,
    make_app: Callable[..., Flask],
    serve: Callable[[Flask], LiveServer],
    query: str,
    fmt: str,
    content_type: str,
) -> None:
    server = serve(make_app(built_mini))
    status, headers, body = _request(
        _url(server, query=query, format=fmt), headers={"Accept": "*/*"}
    )
    assert (status, headers["Content-Type"]) == (200, content_type)
    if content_type.startswith("application/sparql-results+json"):
        document = json.loads(body)
        if "boolean" in document:
            assert document["boolean"] is True
        else:
            rows = [b["r"]["value"] for b in document["results"]["bindings"]]
            assert rows == [f"{MINI}round1", f"{MINI}round2"]
    else:
        graph = Graph().parse(
            data=body, format="json-ld" if "ld+json" in content_type else "turtle"
        )
        assert set(graph.subjects()) == {URIRef(f"{MINI}round1"), URIRef(f"{MINI}round2")}


def test_a_406_names_the_format_parameter(client: FlaskClient) -> None:
    response = client.get(
        "/sparql",
        query_string={"query": SELECT, "format": "turtle"},
        headers={"Accept": "text/turtle"},
    )
    assert (response.status_code, response.data.decode()) == (
        406,
        "format=turtle cannot carry SELECT results; use format=json, xml, csv, tsv\n",
    )
    response = client.get(
        "/sparql",
        query_string={"query": CONSTRUCT, "format": "csv"},
        headers={"Accept": "text/csv"},
    )
    assert (response.status_code, response.data.decode()) == (
        406,
        "format=csv cannot carry a CONSTRUCT/DESCRIBE result; "
        "use format=turtle, ntriples, rdfxml, jsonld, trig, nquads\n",
    )


# -- the row cap at its boundary, the byte cap ------------------------------------------------


def _values(count: int) -> str:
    return "SELECT ?x WHERE { VALUES ?x { " + " ".join(str(i) for i in range(count)) + " } }"


def _triples(count: int) -> str:
    values = " ".join(str(i) for i in range(count))
    return f"CONSTRUCT {{ <{MINI}s> <{MINI}p> ?x }} WHERE {{ VALUES ?x {{ {values} }} }}"


def _row_message(count: int, unit: str) -> str:
    return (
        f"result truncated to the first {count} {unit} (the server's max_rows cap); "
        "use LIMIT/OFFSET to page through the rest"
    )


@pytest.mark.parametrize("unit", ["rows", "triples"])
def test_the_row_cap_at_exactly_max_rows_and_one_more(
    built_mini: Path, make_app: Callable[..., Flask], unit: str
) -> None:
    client = make_app(built_mini, max_rows=3).test_client()
    query = _values if unit == "rows" else _triples
    exact = client.get(
        "/sparql", query_string={"query": query(3)}, headers={"Accept": "text/csv, text/turtle"}
    )
    assert exact.status_code == 200
    assert exact.headers["X-PeaceKG-Row-Cap"] == "3"
    assert "X-PeaceKG-Truncated" not in exact.headers
    over = client.get(
        "/sparql", query_string={"query": query(4)}, headers={"Accept": "text/csv, text/turtle"}
    )
    assert over.headers["X-PeaceKG-Truncated"] == "true"
    assert over.headers["X-PeaceKG-Message"] == _row_message(3, unit)
    if unit == "rows":
        assert exact.data.decode().splitlines() == ["x", "0", "1", "2"]
        assert over.data.decode().splitlines() == ["x", "0", "1", "2"]
    else:
        assert len(Graph().parse(data=exact.data, format="turtle")) == 3
        assert len(Graph().parse(data=over.data, format="turtle")) == 3


def test_the_byte_cap_cuts_at_a_row_and_is_announced(
    built_mini: Path, make_app: Callable[..., Flask]
) -> None:
    client = make_app(built_mini, max_result_bytes=1000).test_client()
    # Ten rows of a 300-character string: 3000 bytes of values alone.
    query = (
        "SELECT ?x WHERE { VALUES ?i { 0 1 2 3 4 5 6 7 8 9 } "
        f'BIND(CONCAT(STR(?i), ":{"y" * 298}") AS ?x) }}'
    )
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert len(response.data) <= 1000
    lines = response.data.decode().splitlines()
    assert lines == ["x"] + [f"{i}:{'y' * 298}" for i in range(3)]
    assert response.headers["X-PeaceKG-Byte-Cap"] == "1000"
    assert response.headers["X-PeaceKG-Truncated"] == "true"
    assert response.headers["X-PeaceKG-Message"] == (
        "result truncated to the first 3 rows (the server's max_result_bytes cap of 1000 "
        "bytes); use LIMIT/OFFSET to page through the rest"
    )
    # Under the cap: whole, nothing announced but the caps.
    small = client.get("/sparql", query_string={"query": _values(3)})
    assert (small.headers["X-PeaceKG-Byte-Cap"], "X-PeaceKG-Truncated" in small.headers) == (
        "1000",
        False,
    )


def test_one_huge_value_is_cut_not_sent(built_mini: Path, make_app: Callable[..., Flask]) -> None:
    client = make_app(built_mini, max_result_bytes=10_000).test_client()
    # A 1.6 KB query could ask for 512 MiB this way; 1 MiB shows the same.
    query = (
        'SELECT ?x WHERE { BIND("' + "y" * 1024 + '" AS ?k) '
        "BIND(CONCAT(?k,?k,?k,?k,?k,?k,?k,?k) AS ?a) BIND(CONCAT(?a,?a,?a,?a,?a,?a,?a,?a) AS ?b) "
        "BIND(CONCAT(?b,?b,?b,?b,?b,?b,?b,?b,?b,?b,?b,?b,?b,?b,?b,?b) AS ?x) }"
    )
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 200
    assert json.loads(response.data) == {"head": {"vars": ["x"]}, "results": {"bindings": []}}
    assert response.headers["X-PeaceKG-Message"] == (
        "result truncated to the first 0 rows (the server's max_result_bytes cap of 10000 "
        "bytes); use LIMIT/OFFSET to page through the rest"
    )
