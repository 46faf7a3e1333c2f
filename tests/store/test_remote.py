"""The same pipeline and queries against a real ``oxigraph serve`` on 127.0.0.1."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph
import pytest

from peacekg.config import Settings
from peacekg.pipeline import build, needs_build
from peacekg.remote import RemoteStore
from peacekg.store import StoreError
from tests.conftest import settings_for
from tests.mini import ASSERTION_BASE, add_assertion, data_file, graph_counts
from tests.oxigraph_server import oxigraph_server

pytestmark = pytest.mark.slow

EVENTS = "SELECT ?r WHERE { ?r a <http://example.org/mini#Event> } ORDER BY ?r"


@pytest.fixture
def oxigraph_url(tmp_path: Path) -> Iterator[str]:
    with oxigraph_server(tmp_path / "oxi") as url:
        yield url


def _remote_settings(mini: Path, url: str) -> Settings:
    return settings_for(
        mini,
        store_url=url + "/query",
        store_update_url=url + "/update",
        store_gsp_url=url + "/store",
    )


def _server_graphs(url: str) -> list[str]:
    """Every named graph the server holds, asked without any dataset parameter."""
    query = urllib.parse.urlencode({"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"})
    request = urllib.request.Request(
        f"{url}/query?{query}", headers={"Accept": "application/sparql-results+json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        bindings = json.load(response)["results"]["bindings"]
    return sorted(b["g"]["value"] for b in bindings)


def _rows(store: RemoteStore, query: str = EVENTS) -> list[str]:
    result = store.query(query)
    assert isinstance(result, pyoxigraph.QuerySolutions)
    return [row["r"].value for row in result]  # type: ignore[union-attr]


def test_build_into_a_remote_store_and_query_it(mini: Path, oxigraph_url: str) -> None:
    settings = _remote_settings(mini, oxigraph_url)
    assert needs_build(settings) is True
    build(settings)
    assert needs_build(settings) is False
    store = RemoteStore.from_settings(settings)
    graphs = settings.graphs
    assert store.graph_counts() == graph_counts(graphs)
    # The union default graph comes from default-graph-uri parameters, not a server option.
    assert _rows(store) == ["http://example.org/mini#round1", "http://example.org/mini#round2"]
    # Asserted-only: no rdf:type Event was asserted.
    asserted = store.query(EVENTS, default_graphs=graphs.curated())
    assert isinstance(asserted, pyoxigraph.QuerySolutions)
    assert list(asserted) == []
    triples = store.query(
        "CONSTRUCT { ?r ?p ?o } WHERE { ?r a <http://example.org/mini#Process> ; ?p ?o }"
    )
    assert isinstance(triples, pyoxigraph.QueryTriples)
    assert len(list(triples)) == 10  # talks and istanbul, 5 triples each
    ask = store.query("ASK { <http://example.org/mini#talks> ?p ?o }")
    assert isinstance(ask, pyoxigraph.QueryBoolean) and bool(ask) is True
    # GRAPH sees each assertion graph (sent as named-graph-uri, which the default-graph-uri
    # parameters would otherwise leave out), and the default graph holds each fact once.
    which = (
        "SELECT ?a WHERE { GRAPH ?a { <http://example.org/mini#round2> "
        "<http://example.org/mini#partOf> <http://example.org/mini#istanbul> } "
        f'FILTER STRSTARTS(STR(?a), "{ASSERTION_BASE}") }} ORDER BY ?a'
    )
    assert [row["a"].value for row in store.query(which)] == [  # type: ignore[union-attr]
        ASSERTION_BASE + "mini-report-round2",
        ASSERTION_BASE + "mini-round2",
    ]
    once = store.query("SELECT (COUNT(*) AS ?n) WHERE { <http://example.org/mini#round2> ?p ?o }")
    assert [row["n"].value for row in once] == ["5"]  # type: ignore[union-attr]
    # An explicit named-graph-uri list is sent as given: here no named graph at all.
    assert list(store.query(which, named_graphs=[])) == []  # type: ignore[arg-type]


def test_rebuild_replaces_graphs_and_errors_are_clear(mini: Path, oxigraph_url: str) -> None:
    settings = _remote_settings(mini, oxigraph_url)
    build(settings)
    add_assertion(
        mini, "mini-round3", 'ex:round3 a ex:Round ; rdfs:label "R3" ; rdfs:comment "c" .', "R3"
    )
    build(settings)
    store = RemoteStore.from_settings(settings)
    assert _rows(store) == [
        "http://example.org/mini#round1",
        "http://example.org/mini#round2",
        "http://example.org/mini#round3",
    ]
    assertions = sorted(
        ASSERTION_BASE + name
        for name in (
            "mini-talks",
            "mini-istanbul",
            "mini-round1",
            "mini-round2",
            "mini-report-round2",
            "mini-round3",
        )
    )
    # No staging graph is left on the server, only the union graphs and the assertions.
    graphs = settings.graphs
    ours = [graphs.ontology, graphs.asserted, graphs.provenance, graphs.inferred]
    assert _server_graphs(oxigraph_url) == sorted([*ours, *assertions])

    # An assertion removed from the data is dropped from the store by the next build.
    data = data_file(mini)
    text = data.read_text()
    data.write_text(text[: text.index("\npkga:mini-round3 {")] + "\n", encoding="utf-8")
    build(settings)
    assert ASSERTION_BASE + "mini-round3" not in _server_graphs(oxigraph_url)
    assert len(_server_graphs(oxigraph_url)) == 9
    assert _rows(store) == ["http://example.org/mini#round1", "http://example.org/mini#round2"]
    with pytest.raises(SyntaxError):
        store.query("SELEC ?x WHERE {}")
    with pytest.raises(StoreError, match="must be http"):
        RemoteStore("file:///etc/passwd")
