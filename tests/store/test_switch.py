"""A push switches all its graphs at once: a reader sees the old graphs or the new ones.

Each store is a real server (``oxigraph serve``, Virtuoso 7). The graphs are under a base IRI
of their own, so the session's Virtuoso keeps the real graph the other tests query.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph
import pytest

from peacekg.namespaces import GraphNames
from peacekg.remote import RemoteStore
from peacekg.stores import KINDS
from tests.oxigraph_server import oxigraph_server
from tests.store.conftest import STORES
from tests.virtuoso_server import PASSWORD, USER

pytestmark = pytest.mark.slow

Counts = dict[str, int]
Graphs = dict[str, list[pyoxigraph.Triple]]


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RemoteStore]:
    """An empty set of our graphs in a real store of each kind."""
    names = GraphNames(f"http://example.org/switch-{request.param}/")
    if request.param == "oxigraph":
        with oxigraph_server(tmp_path / "oxi") as url:
            yield RemoteStore(
                url + "/query",
                update_url=url + "/update",
                gsp_url=url + "/store",
                graphs=names,
                timeout=60.0,
                kind=KINDS["oxigraph"](),
            )
        return
    query, update, gsp = request.getfixturevalue("virtuoso_urls")
    remote = RemoteStore(
        query,
        update_url=update,
        gsp_url=gsp,
        graphs=names,
        timeout=60.0,
        kind=KINDS["virtuoso"](user=USER, password=PASSWORD),
    )
    yield remote
    remote.replace({})  # the session's Virtuoso is shared: leave none of these graphs


def _graphs(names: GraphNames, sizes: dict[str, int], tag: str) -> Graphs:
    """Graphs of ``sizes`` triples each (``asserted``, ``inferred`` or an assertion's slug),
    no triple in two graphs, so the union's count is the sum."""
    graphs = {}
    for key, size in sizes.items():
        iri = getattr(names, key) if key in {"asserted", "inferred"} else names.assertion_base + key
        graphs[iri] = [
            pyoxigraph.Triple(
                pyoxigraph.NamedNode(f"http://example.org/{tag}/{key}/{i}"),
                pyoxigraph.NamedNode("http://example.org/p"),
                pyoxigraph.Literal(str(i)),
            )
            for i in range(size)
        ]
    return graphs


def _counts(graphs: Graphs) -> Counts:
    return {iri: len(triples) for iri, triples in graphs.items()}


def _union(store: RemoteStore) -> int:
    result = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert isinstance(result, pyoxigraph.QuerySolutions)
    return int(next(iter(result))["n"].value)  # type: ignore[union-attr]


#: Before: the old push; after: a bigger asserted graph, assertion ``a`` gone, ``c`` new.
OLD = {"asserted": 2_000, "inferred": 300, "a": 10, "b": 20}
NEW = {"asserted": 2_500, "inferred": 200, "b": 5, "c": 7}


def test_a_reader_during_a_push_sees_the_old_graphs_or_the_new_ones(store: RemoteStore) -> None:
    names = store.graphs
    old, new = _graphs(names, OLD, "old"), _graphs(names, NEW, "new")
    old_counts, new_counts = _counts(old), _counts(new)
    union = {OLD["asserted"] + OLD["inferred"], NEW["asserted"] + NEW["inferred"]}
    store.replace(old)
    assert store.graph_counts() == old_counts
    assert _union(store) == OLD["asserted"] + OLD["inferred"]

    seen: list[Counts] = []
    unions: list[int] = []
    while_loading: list[Counts] = []
    done = threading.Event()

    def read() -> None:
        # Reads all through the push, the switch included, until the push has returned
        # (paced: back-to-back reads slowed a Virtuoso push from about 3 s to 160 s).
        while not done.wait(0.2):
            seen.append(store.graph_counts())
            unions.append(_union(store))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        # While the new graphs are loaded (into staging graphs), readers see the old ones only.
        store.replace(new, lambda *_: while_loading.append(store.graph_counts()))
    finally:
        done.set()
        reader.join()
    assert while_loading == [old_counts] * len(new)
    assert store.graph_counts() == new_counts
    assert _union(store) == NEW["asserted"] + NEW["inferred"]
    assert seen, "the reader never read"
    mixed = [counts for counts in seen if counts not in (old_counts, new_counts)]
    assert mixed == []
    assert set(unions) <= union


class _SwitchedWhileListing(RemoteStore):
    """A store client whose first listing of the graphs is followed by another push's switch,
    so the query after it meets graphs the list does not name."""

    def __init__(self, store: RemoteStore, then: Graphs) -> None:
        super().__init__(
            store.query_url,
            update_url=store.update_url,
            gsp_url=store.gsp_url,
            graphs=store.graphs,
            timeout=store.timeout,
            write_timeout=store.write_timeout,
            kind=store.kind,
        )
        self.pusher, self.then, self.listings = store, then, 0

    def graph_names(self) -> list[str]:
        names = super().graph_names()
        self.listings += 1
        if self.listings == 1:
            self.pusher.replace(self.then)
        return names


def test_a_graph_query_that_met_a_switch_is_asked_again(store: RemoteStore) -> None:
    names = store.graphs
    old, new = _graphs(names, OLD, "old"), _graphs(names, NEW, "new")
    store.replace(old)
    reader = _SwitchedWhileListing(store, new)
    # Listed before the switch (a, b), queried after it: without a second listing, the
    # answer would hold the new asserted graph beside b, and no c.
    assert reader.graph_counts() == _counts(new)
    assert reader.listings == 3  # old list, new list (differs: asked again), new list
