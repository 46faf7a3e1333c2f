"""The same pipeline and queries against a real ``oxigraph serve`` on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph
import pytest

from peacekg.config import Settings
from peacekg.pipeline import build, needs_build
from peacekg.remote import RemoteStore
from peacekg.store import StoreError
from tests.conftest import settings_for
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
    assert store.graph_counts() == {graphs.ontology: 14, graphs.asserted: 12, graphs.inferred: 9}
    # The union default graph comes from default-graph-uri parameters, not a server option.
    assert _rows(store) == ["http://example.org/mini#round1", "http://example.org/mini#round2"]
    # Asserted-only: no rdf:type Event was asserted.
    asserted = store.query(EVENTS, default_graphs=[graphs.ontology, graphs.asserted])
    assert isinstance(asserted, pyoxigraph.QuerySolutions)
    assert list(asserted) == []
    triples = store.query(
        "CONSTRUCT { ?r ?p ?o } WHERE { ?r a <http://example.org/mini#Process> ; ?p ?o }"
    )
    assert isinstance(triples, pyoxigraph.QueryTriples)
    assert len(list(triples)) == 10  # talks and istanbul, 5 triples each
    ask = store.query("ASK { <http://example.org/mini#talks> ?p ?o }")
    assert isinstance(ask, pyoxigraph.QueryBoolean) and bool(ask) is True


def test_rebuild_replaces_graphs_and_errors_are_clear(mini: Path, oxigraph_url: str) -> None:
    settings = _remote_settings(mini, oxigraph_url)
    build(settings)
    data = mini / "data" / "data.ttl"
    data.write_text(
        data.read_text() + 'ex:round3 a ex:Round ; rdfs:label "R3" ; rdfs:comment "c" .\n',
        encoding="utf-8",
    )
    build(settings)
    store = RemoteStore.from_settings(settings)
    assert _rows(store) == [
        "http://example.org/mini#round1",
        "http://example.org/mini#round2",
        "http://example.org/mini#round3",
    ]
    assert sorted(store.graph_counts()) == sorted(settings.graphs.all())  # no staging left
    with pytest.raises(SyntaxError):
        store.query("SELEC ?x WHERE {}")
    with pytest.raises(StoreError, match="must be http"):
        RemoteStore("file:///etc/passwd")
