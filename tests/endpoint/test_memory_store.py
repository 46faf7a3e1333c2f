"""Workers answer from an in-memory copy of a small store (issue 18): the same rows, faster."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyoxigraph
import pytest
from flask import Flask

from peacekg.namespaces import GraphNames
from peacekg.store import EmbeddedStore
from peacekg.workers import Job, _StoreCache, execute
from tests.endpoint.conftest import MINI

QUERIES = [
    f"SELECT ?r WHERE {{ ?r a <{MINI}Event> }} ORDER BY ?r",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
    "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "ASK { ?s ?p ?o }",
]


@pytest.mark.parametrize("view", ["union", "asserted"])
def test_memory_and_disk_give_the_same_bytes(
    built_mini: Path, make_app: Callable[..., Flask], view: str
) -> None:
    on_disk = make_app(built_mini, memory_store_quads=0, result_cache_bytes=0).test_client()
    in_memory = make_app(built_mini, result_cache_bytes=0).test_client()
    accept = {"Accept": "text/csv, application/n-triples"}
    for query in QUERIES:
        params = {"query": query, "view": view}
        disk = on_disk.get("/sparql", query_string=params, headers=accept)
        memory = in_memory.get("/sparql", query_string=params, headers=accept)
        assert disk.status_code == memory.status_code == 200, query
        if query.startswith("CONSTRUCT"):  # a graph: its triples in any order
            assert sorted(memory.data.splitlines()) == sorted(disk.data.splitlines())
            assert len(memory.data.splitlines()) > 10
        else:
            assert memory.data == disk.data, query


def test_a_small_store_is_copied_into_memory_a_large_one_stays_on_disk(
    built_mini: Path,
) -> None:
    directory = str(EmbeddedStore(built_mini / "build" / "store").directory)
    quads = len(pyoxigraph.Store.read_only(directory))
    probe = pyoxigraph.Quad(
        pyoxigraph.NamedNode("http://example.org/x"),
        pyoxigraph.NamedNode("http://example.org/p"),
        pyoxigraph.Literal("probe"),
    )
    cache = _StoreCache()
    cache.get(directory, quads)
    assert cache.copied.wait(120)  # made in a thread; the disk answers meanwhile
    memory = cache.get(directory, quads)
    assert len(memory) == quads
    memory.add(probe)  # a private copy: writable, the served store untouched
    assert len(pyoxigraph.Store.read_only(directory)) == quads
    small = _StoreCache()
    disk = small.get(directory, quads - 1)
    assert small.copied.is_set()  # nothing to copy
    with pytest.raises(RuntimeError, match="read-write"):
        disk.add(probe)  # the read-only store on disk


def test_the_copy_answers_like_the_disk(built_mini: Path) -> None:
    directory = str(EmbeddedStore(built_mini / "build" / "store").directory)
    copying, on_disk = _StoreCache(), _StoreCache()
    copying.get(directory, 10**9)
    assert copying.copied.wait(120)
    for query in QUERIES:
        job = Job(
            store_dir=directory,
            query=query,
            default_graphs=GraphNames().union(),
            results_format="csv",
            graph_format="ntriples",
        )
        memory = execute(copying.get(directory, 10**9), job)
        disk = execute(on_disk.get(directory, 0), job)
        assert memory.status == disk.status == 200, query
        if query.startswith("CONSTRUCT"):
            assert sorted(memory.body.splitlines()) == sorted(disk.body.splitlines())
        else:
            assert memory.body == disk.body, query
