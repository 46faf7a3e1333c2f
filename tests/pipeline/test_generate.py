"""The benchmark's domain-shaped generator (``bench/generate.py``): whole tiles of the real data.

Each tile must be a renamed copy (own resources, assertions and blank nodes), sharing only the
source documents and their authors, so a generated graph has the real graph's shape at any size.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
from bench.generate import ASSERTION_BASE, SHARED_PREFIXES, generate

REPO = Path(__file__).resolve().parents[2]


def _quads(directory: Path) -> set[pyoxigraph.Quad]:
    paths = sorted(p for p in directory.rglob("*") if p.suffix in (".ttl", ".trig"))
    return {q for path in paths for q in pyoxigraph.parse(path=str(path))}


def _count(*paths: Path) -> int:
    return sum(1 for path in paths for _ in pyoxigraph.parse(path=str(path)))


def test_tiles_are_renamed_copies(tmp_path: Path) -> None:
    """If 3 tiles' worth is asked for, then 3 tiles are written: tile 0 is the real data, the
    others rename every assertion and resource but the shared documents and authors."""
    data = REPO / "data"
    tiled = _count(
        *sorted((data / "documents").glob("*.trig")), data / "alignment" / "wikidata.ttl"
    )
    shared = _count(data / "sources.ttl")
    count = generate(tmp_path / "data", shared + 2 * tiled + 1)
    assert count == shared + 3 * tiled
    assert sorted(p.name for p in (tmp_path / "data" / "documents").iterdir()) == [
        "tile-00000.trig",
        "tile-00001.trig",
        "tile-00002.trig",
    ]
    quads = _quads(tmp_path / "data")
    graphs = {q.graph_name.value for q in quads if isinstance(q.graph_name, pyoxigraph.NamedNode)}
    real = {g for g in graphs if not g.endswith(("-t1", "-t2"))}
    assert {g + "-t1" for g in real} | {g + "-t2" for g in real} | real == graphs
    assert all(g.startswith(ASSERTION_BASE) for g in graphs)
    tile_one = {
        term.value
        for q in quads
        if isinstance(q.graph_name, pyoxigraph.NamedNode) and q.graph_name.value.endswith("-t1")
        for term in (q.subject, q.object)
        if isinstance(term, pyoxigraph.NamedNode) and term.value.startswith(SHARED_PREFIXES)
    }
    assert tile_one, "tile 1 points into the shared documents"
