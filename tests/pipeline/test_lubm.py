"""LUBM through the whole build and the endpoint: the 14 queries answer what OWL 2 RL entails.

A LUBM(1) sample (its first department) is built by ``peacekg build`` (as ``bench/build.py``
does: one assertion graph with its provenance, beside PeaceKG's ontology and univ-bench), then
served; each of the 14 LUBM queries sent to ``/sparql`` on a real server must return as many rows
as the same query over the sample plus owlrl's closure of it (the reference), so the fast
reasoner, the store and the endpoint's union default graph are checked together.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph
import pytest
from bench.build import LUBM, lubm_data, lubm_ontology

from peacekg.load import load
from peacekg.pipeline import build
from peacekg.reason import reason
from peacekg.store import graph_quads
from tests.conftest import settings_for
from tests.live import LiveServer, start_server

#: The sample: LUBM(1)'s first lines (one department: students, faculty, courses, papers).
SAMPLE_LINES = 3000
QUERIES = [f"q{n}" for n in range(1, 15)]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project of PeaceKG's ontology + univ-bench and the LUBM sample as data."""
    root = tmp_path_factory.mktemp("lubm")
    lubm_ontology(root / "ontology")
    lubm_data(1, root / "data", lines=SAMPLE_LINES)
    (root / "queries" / "checks").mkdir(parents=True)
    for check in (Path(__file__).resolve().parents[2] / "queries" / "checks").glob("*.rq"):
        (root / "queries" / "checks" / check.name).write_bytes(check.read_bytes())
    return root


@pytest.fixture(scope="module")
def server(project: Path) -> Iterator[LiveServer]:
    """The built sample, served on 127.0.0.1."""
    from peacekg.web import create_app

    settings = settings_for(project, query_workers=1)
    build(settings)
    live, stop = start_server(create_app(settings), threads=2)
    yield live
    stop()  # after the requests in progress: see start_server


@pytest.fixture(scope="module")
def reference(project: Path) -> pyoxigraph.Store:
    """The sample, its ontology and owlrl's closure of them in one default graph."""
    sources = load(project / "ontology", project / "data", project / "ontology" / "shapes.ttl")
    inferred = reason(sources.ontology, sources.asserted, engine="owlrl").inferred
    store = pyoxigraph.Store()
    for graph in (sources.ontology, sources.asserted, inferred):
        store.extend(graph_quads(graph, None))
    return store


def _text(name: str) -> str:
    return (LUBM / "queries" / f"{name}.rq").read_text(encoding="utf-8")


def _served_rows(server: LiveServer, query: str) -> int:
    url = server.url + "/sparql?" + urllib.parse.urlencode({"query": query})
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 200
        return len(json.loads(response.read())["results"]["bindings"])


@pytest.mark.parametrize("name", QUERIES)
def test_query_count_matches_the_owlrl_reference(
    name: str, server: LiveServer, reference: pyoxigraph.Store
) -> None:
    """If LUBM query ``name`` is sent to /sparql, then it returns as many rows as on the
    sample with owlrl's closure."""
    assert _served_rows(server, _text(name)) == _count(reference, name)


def _count(store: pyoxigraph.Store, name: str) -> int:
    result = store.query(_text(name))
    assert isinstance(result, pyoxigraph.QuerySolutions)
    return len(list(result))


def test_reasoning_queries_need_the_closure(project: Path, reference: pyoxigraph.Store) -> None:
    """If the sample is queried without any closure, then q6 (students, through subclasses)
    and q12 (chairs, through someValuesFrom) find fewer rows: the comparison above would catch
    a build that did not reason."""
    sources = load(project / "ontology", project / "data", project / "ontology" / "shapes.ttl")
    plain = pyoxigraph.Store()
    for graph in (sources.ontology, sources.asserted):
        plain.extend(graph_quads(graph, None))
    for name in ("q6", "q12"):
        assert _count(plain, name) < _count(reference, name)
