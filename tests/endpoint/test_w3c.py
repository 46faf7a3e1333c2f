"""The W3C SPARQL 1.1 Protocol, Graph Store Protocol and Service Description suites.

Each manifest entry runs against a real server (waitress on 127.0.0.1) whose store holds
exactly the graphs the entry names (``ut:graphData``; none for the graph store tests).

The protocol manifest sends every request to ``/sparql/`` and says a runner must map that to
the endpoint's own paths, which "may require different endpoints to be used for Query and
Update requests": update requests (the ``update_*``/``bad_update_*`` entries, except their
follow-up ``application/sparql-query`` checks) go to ``/update``; ``/gsp`` maps to
``/store``. Updates carry the bearer token, and the server runs with
``update_mode = "dataset"`` (any graph, no revalidation), since the suites write to
arbitrary graphs; PeaceKG's own graph is served in ``curated`` mode (see the README).
"""

from __future__ import annotations

import http.client
import json
import os
import urllib.parse
import xml.dom.minidom
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from peacekg.namespaces import SD
from peacekg.store import write_store
from tests.conftest import SHARED, settings_for
from tests.endpoint.conftest import TOKEN, LiveServer, start_server

pytestmark = pytest.mark.slow

SUITE = Path(os.environ.get("PEACEKG_SHARED_DIR", SHARED)) / "conformance" / "w3c-sparql11"
PROTOCOL = SUITE / "protocol" / "manifest.ttl"
GSP = [
    SUITE / "graph-store-protocol" / "manifest-direct.ttl",
    SUITE / "graph-store-protocol" / "manifest-indirect.ttl",
]
SERVICE_DESCRIPTION = SUITE / "service-description" / "manifest.ttl"

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")

# Entry name -> why it fails. Every entry not listed here must pass.
KNOWN_FAILURES: dict[str, str] = {}
GSP_KNOWN_FAILURES: dict[str, str] = {}

_STATUS = {
    HTS.OK: {200},
    HTS.Created: {201},
    HTS.NoContent: {204},
    HTS.NotFound: {404},
    HTS.StatusCode2xx: set(range(200, 300)),
    HTS.StatusCode3xx: set(range(300, 400)),
    HTS.StatusCode4xx: set(range(400, 500)),
}
_FORMATS = {
    "boolean": {"application/sparql-results+json", "application/sparql-results+xml"},
    "tabular": {
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    },
    "RDF": {"application/rdf+xml", "text/turtle", "application/n-triples"},
}


@dataclass
class Step:
    """One ht:Request of an entry and what its response must be."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: set[int]
    boolean: bool | None = None
    format: str | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: str | None = None
    location_variable: str | None = None


@dataclass
class Entry:
    """One manifest entry: its name, its data (graph IRI -> file) and its requests."""

    name: str
    data: dict[str, Path]
    steps: list[Step]


def _list(graph: Graph, head: Node | None) -> list[Node]:
    return list(Collection(graph, head)) if head is not None else []


def _body(graph: Graph, node: Node | None) -> tuple[str | None, bytes | None]:
    if node is None:
        return None, None
    chars = str(graph.value(node, CNT.chars))
    encoding = str(graph.value(node, CNT.characterEncoding) or "UTF-8")
    return chars, chars.encode(encoding.lower())


def _headers(graph: Graph, node: Node) -> dict[str, str]:
    return {
        str(graph.value(h, HT.fieldName)).lower(): str(graph.value(h, HT.fieldValue))
        for h in _list(graph, graph.value(node, HT.headers))
    }


def load_manifest(path: Path) -> list[Entry]:
    """The entries of a manifest, in order, with their requests decoded."""
    graph = Graph().parse(path, format="turtle")
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    entries = []
    for test in _list(graph, graph.value(manifest, MF.entries)):
        data = {
            str(graph.value(d, RDFS.label)): Path(
                str(graph.value(d, UT.graph)).removeprefix("file://")
            )
            for d in graph.objects(test, UT.graphData)
        }
        action = graph.value(test, MF.action)
        steps = []
        for request in _list(graph, graph.value(action, HT.requests)):
            response = graph.value(request, HT.resp)
            _chars, body = _body(graph, graph.value(request, HT.body))
            boolean = graph.value(response, MF.expectedBoolean)
            fmt = graph.value(response, MF.expectedFormat)
            location = graph.value(response, MF.expectedLocation)
            expected_chars, _ = _body(graph, graph.value(response, HT.body))
            steps.append(
                Step(
                    method=str(graph.value(request, HT.methodName)),
                    path=str(graph.value(request, HT.absolutePath)),
                    headers=_headers(graph, request),
                    body=body,
                    statuses=set().union(
                        *(_STATUS[s] for s in graph.objects(response, MF.expectedStatus))
                    ),
                    boolean=boolean.toPython() if isinstance(boolean, Literal) else None,
                    format=str(fmt) if fmt is not None else None,
                    response_headers=_headers(graph, response),
                    response_body=expected_chars,
                    location_variable=str(location) if location is not None else None,
                )
            )
        name = str(test).rsplit("#", 1)[-1]
        entries.append(Entry(name=name, data=data, steps=steps))
    return entries


def _params(entries: list[Entry], known: dict[str, str]) -> list[object]:
    return [
        pytest.param(
            e,
            id=e.name,
            marks=[pytest.mark.xfail(reason=known[e.name], strict=True)] if e.name in known else [],
        )
        for e in entries
    ]


@pytest.fixture(scope="module")
def conformance_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[LiveServer, Path]]:
    """A dataset-mode server with the token, its store link, stopped after the module."""
    from peacekg.web import create_app

    project = tmp_path_factory.mktemp("conformance")
    settings = settings_for(project, update_token=TOKEN, update_mode="dataset", query_workers=2)
    write_store(settings.store_path, [])
    live, stop = start_server(create_app(settings), threads=4)
    yield live, project
    stop()  # after the requests in progress: see start_server


def _load(store_link: Path, data: dict[str, Path], base: Path) -> None:
    quads = []
    for graph_iri, file in data.items():
        path = file if file.is_absolute() else base / file
        for quad in pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.N_TRIPLES):
            quads.append(
                pyoxigraph.Quad(
                    quad.subject, quad.predicate, quad.object, pyoxigraph.NamedNode(graph_iri)
                )
            )
    write_store(store_link, quads)


def _send(server: LiveServer, step: Step, path: str) -> tuple[int, dict[str, str], bytes]:
    host, port = server.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.request(step.method, path, body=step.body, headers=step.headers)
        response = connection.getresponse()
        body = response.read()
        headers = {k.lower(): v for k, v in response.getheaders()}
        return response.status, headers, body
    finally:
        connection.close()


def _boolean(content_type: str, body: bytes) -> bool:
    if content_type.startswith("application/sparql-results+json"):
        value = json.loads(body)["boolean"]
        assert isinstance(value, bool)
        return value
    document = xml.dom.minidom.parseString(body)  # noqa: S318 - our own server's answer
    return document.getElementsByTagName("boolean")[0].firstChild.data == "true"  # type: ignore[union-attr]


def _protocol_path(entry: Entry, step: Step) -> str:
    is_update = "update" in entry.name and step.headers.get("content-type") != (
        "application/sparql-query"
    )
    path = step.path.removeprefix("/sparql/")
    return ("/update" if is_update else "/sparql") + (
        path if path.startswith("?") or not path else "?" + path
    )


def _with_token(headers: dict[str, str]) -> dict[str, str]:
    return {**headers, "authorization": f"Bearer {TOKEN}"}


@pytest.mark.parametrize("entry", _params(load_manifest(PROTOCOL), KNOWN_FAILURES))
def test_protocol(entry: Entry, conformance_server: tuple[LiveServer, Path]) -> None:
    server, _project = conformance_server
    _load(server.settings.store_path, entry.data, PROTOCOL.parent)
    for step in entry.steps:
        path = _protocol_path(entry, step)
        headers = _with_token(step.headers) if path.startswith("/update") else step.headers
        status, response_headers, body = _send(
            server, Step(**{**step.__dict__, "headers": headers}), path
        )
        assert status in step.statuses, (path, status, body[:300])
        content_type = response_headers.get("content-type", "").split(";")[0]
        if step.format is not None:
            assert content_type in _FORMATS[step.format], content_type
        if step.boolean is not None:
            assert _boolean(content_type, body) is step.boolean


def test_protocol_manifest_has_34_entries() -> None:
    assert len(load_manifest(PROTOCOL)) == 34


def _gsp_path(path: str, variables: dict[str, str]) -> str:
    for name, value in variables.items():
        path = path.replace(name, value)
    return "/store" + path.removeprefix("/gsp")


GSP_ENTRIES = [entry for manifest in GSP for entry in load_manifest(manifest)]


@pytest.mark.parametrize("entry", _params(GSP_ENTRIES, GSP_KNOWN_FAILURES))
def test_graph_store_protocol(entry: Entry, conformance_server: tuple[LiveServer, Path]) -> None:
    server, _project = conformance_server
    write_store(server.settings.store_path, [])
    variables: dict[str, str] = {}
    for step in entry.steps:
        path = _gsp_path(step.path, variables)
        status, headers, body = _send(
            server, Step(**{**step.__dict__, "headers": _with_token(step.headers)}), path
        )
        assert status in step.statuses, (step.method, path, status, body[:300])
        for name, value in step.response_headers.items():
            assert headers.get(name) == value, (name, headers)
        if step.response_body is not None:
            expected = Graph().parse(data=step.response_body, format="turtle")
            actual = Graph().parse(data=body, format="turtle")
            assert actual.isomorphic(expected), actual.serialize(format="nt")
        if step.location_variable is not None:
            variables[step.location_variable] = headers["location"]


def test_graph_store_manifests_have_13_entries() -> None:
    assert len(GSP_ENTRIES) == 13


# -- service description: the manifest's three entries carry no requests; these are its checks


def _description(server: LiveServer) -> tuple[str, Graph]:
    status, headers, body = _send(
        server, Step("GET", "/sparql", {"accept": "text/turtle"}, None, {200}), "/sparql"
    )
    assert status == 200
    assert headers["content-type"] == "text/turtle; charset=utf-8"
    return f"{server.url}/sparql", Graph().parse(data=body, format="turtle")


def test_service_description_manifest_entries() -> None:
    graph = Graph().parse(SERVICE_DESCRIPTION, format="turtle")
    names = {str(t).rsplit("#", 1)[-1] for t in graph.subjects(RDF.type, MF.ServiceDescriptionTest)}
    assert names == {"has-endpoint-triple", "returns-rdf", "conforms-to-schema"}


def test_sd_returns_rdf_with_endpoint_triple(conformance_server: tuple[LiveServer, Path]) -> None:
    url, graph = _description(conformance_server[0])
    assert (URIRef(url), SD.endpoint, URIRef(url)) in graph


def test_sd_conforms_to_schema(conformance_server: tuple[LiveServer, Path]) -> None:
    url, graph = _description(conformance_server[0])
    service = URIRef(url)
    assert (service, RDF.type, SD.Service) in graph
    assert set(graph.objects(service, SD.supportedLanguage)) <= {
        SD.SPARQL10Query,
        SD.SPARQL11Query,
        SD.SPARQL11Update,
    }
    assert set(graph.objects(service, SD.supportedLanguage)) == {
        SD.SPARQL11Query,
        SD.SPARQL11Update,
    }
    dataset = graph.value(service, SD.defaultDataset)
    assert (dataset, RDF.type, SD.Dataset) in graph
    assert (graph.value(dataset, SD.defaultGraph), RDF.type, SD.Graph) in graph
    for named in graph.objects(dataset, SD.namedGraph):
        assert isinstance(graph.value(named, SD.name), URIRef)
        assert (graph.value(named, SD.graph), RDF.type, SD.Graph) in graph
    for fmt in graph.objects(service, SD.resultFormat):
        assert str(fmt).startswith("http://www.w3.org/ns/formats/")


def test_manifest_paths_are_url_encoded() -> None:
    """Guard for the runner itself: request paths are sent as written in the manifest."""
    step = load_manifest(PROTOCOL)[1].steps[0]
    assert urllib.parse.urlsplit(step.path).query.startswith("query=ASK%20%7B")
