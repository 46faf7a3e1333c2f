"""Dumps sorted and written in bounded memory (issue 17): the external sort, the hashed gzip
writer, and the export that uses them, whose bytes equal the in-memory canonical form."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import pyoxigraph
import pytest

from peacekg import __version__, linesort
from peacekg import export as export_module
from peacekg.config import Settings
from peacekg.export import DatasetGraphs, canonical_dumps, export
from peacekg.linesort import DumpWriter, sorted_chunks
from peacekg.store import OpenStore

LINES = [
    f'<http://example.org/s{i % 7}> <http://example.org/p> "{i % 5}" .\n'.encode()
    for i in range(40)
]


def _chunks(lines: list[bytes], size: int) -> list[list[bytes]]:
    return [lines[i : i + size] for i in range(0, len(lines), size)]


@pytest.mark.parametrize("chunk", [1000, 7, 1])
def test_sorted_chunks_sorts_across_runs_and_removes_them(tmp_path: Path, chunk: int) -> None:
    out = [
        line for part in sorted_chunks(_chunks(LINES, 3), tmp_path, chunk=chunk) for line in part
    ]
    assert out == sorted(LINES)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("chunk", [1000, 7, 1])
def test_sorted_chunks_unique_drops_repeats_within_and_across_runs(
    tmp_path: Path, chunk: int
) -> None:
    parts = sorted_chunks(_chunks(LINES, 3), tmp_path, unique=True, chunk=chunk)
    out = [line for part in parts for line in part]
    assert out == sorted(set(LINES))
    assert len(out) == 35  # 7 subjects x 5 objects


def test_sorted_chunks_closed_early_leaves_no_run_files(tmp_path: Path) -> None:
    parts = sorted_chunks(_chunks(LINES, 3), tmp_path, chunk=5)
    next(parts)
    assert len(list(tmp_path.iterdir())) == 7  # 40 lines: six runs of 6 (parts of 3), one of 4
    parts.close()
    assert list(tmp_path.iterdir()) == []


def test_dump_writer_writes_both_files_with_their_sums(tmp_path: Path) -> None:
    path = tmp_path / "d.nq"
    with DumpWriter(path) as writer:
        for line in LINES:
            writer.write(line)
    data = b"".join(LINES)
    assert path.read_bytes() == data
    packed = (tmp_path / "d.nq.gz").read_bytes()
    assert gzip.decompress(packed) == data
    assert writer.sums == [
        (path, hashlib.sha256(data).hexdigest()),
        (tmp_path / "d.nq.gz", hashlib.sha256(packed).hexdigest()),
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.nq", "d.nq.gz"]


def test_dump_writer_leaves_nothing_when_its_block_fails(tmp_path: Path) -> None:
    (tmp_path / "d.nq").write_bytes(b"the previous dump\n")
    with pytest.raises(OSError, match="disk full"), DumpWriter(tmp_path / "d.nq") as writer:
        writer.write(LINES[0])
        raise OSError("disk full")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.nq"]
    assert (tmp_path / "d.nq").read_bytes() == b"the previous dump\n"


EX = "http://example.org/"


def _tricky_store(settings: Settings) -> pyoxigraph.Store:
    """Terms whose N-Triples forms are prefixes of one another, blank nodes, and a triple in
    two union graphs, so line order and tuple order could differ if the argument were wrong."""
    n, b, lit = pyoxigraph.NamedNode, pyoxigraph.BlankNode, pyoxigraph.Literal
    asserted, inferred = n(settings.graphs.asserted), n(settings.graphs.inferred)
    assertion = n(settings.graphs.assertion_base + "a-1")
    p = n(EX + "p")
    quads = [
        pyoxigraph.Quad(n(EX + "a"), p, lit("a"), asserted),
        pyoxigraph.Quad(n(EX + "a-b"), p, lit("a", language="en"), asserted),
        pyoxigraph.Quad(n(EX + "a"), p, lit("a", datatype=n(EX + "t")), asserted),
        pyoxigraph.Quad(n(EX + "a"), p, lit("a b"), asserted),
        pyoxigraph.Quad(n(EX + "a"), p, lit("x _:b1 y"), asserted),
        pyoxigraph.Quad(b("b2"), p, lit("x _:b1"), asserted),  # blank-node text ending a
        pyoxigraph.Quad(b("b2"), p, lit("_:b12", language="en"), asserted),  # literal
        pyoxigraph.Quad(n(EX + "a"), n(EX + "p-q"), n(EX + "a"), asserted),
        pyoxigraph.Quad(n(EX + "a"), p, lit("a"), inferred),  # also asserted: once in Turtle
        pyoxigraph.Quad(n(EX + "a"), p, b("b1"), assertion),
        pyoxigraph.Quad(b("b1"), p, b("b12"), assertion),
        pyoxigraph.Quad(b("b12"), p, lit("quote"), assertion),
        pyoxigraph.Quad(n(EX + "c"), p, b("b2"), asserted),
    ]
    store = pyoxigraph.Store()
    store.extend(quads)
    return store


@pytest.mark.parametrize(("chunk", "in_memory"), [(1_000_000, 50_000), (2, 0)])
def test_export_equals_the_in_memory_canonical_dumps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int, in_memory: int
) -> None:
    # Sorted in one run or merged from runs of 2; graphs read at once or through files.
    monkeypatch.setattr(linesort, "SORT_CHUNK", chunk)
    monkeypatch.setattr(export_module, "_IN_MEMORY", in_memory)
    settings = Settings()
    store = _tricky_store(settings)
    union = settings.graphs.union()
    export(OpenStore(store, union), settings, tmp_path)
    stored = [q for q in store]
    triples = {q.triple for q in store if q.graph_name.value in union}
    union_quads = [pyoxigraph.Quad(t.subject, t.predicate, t.object) for t in triples]
    dataset, graph = canonical_dumps(stored, union_quads)
    nq = pyoxigraph.serialize(dataset, format=pyoxigraph.RdfFormat.N_QUADS)
    ttl = pyoxigraph.serialize(
        [pyoxigraph.Triple(q.subject, q.predicate, q.object) for q in graph],
        format=pyoxigraph.RdfFormat.TURTLE,
    )
    assert (tmp_path / f"peacekg-{__version__}.nq").read_bytes() == nq
    assert (tmp_path / f"peacekg-{__version__}.ttl").read_bytes() == ttl
    # The union's 9 triples, the one in both union graphs once; the assertion graph is not
    # in the union.
    assert len(list(pyoxigraph.parse(ttl, format=pyoxigraph.RdfFormat.TURTLE))) == 9
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


@pytest.mark.parametrize("source", ["store", "dataset"])
def test_export_of_a_blank_node_cycle_falls_back_to_oxigraph_canonical_form(
    tmp_path: Path, source: str
) -> None:
    settings = Settings()
    g = pyoxigraph.NamedNode(settings.graphs.asserted)
    p = pyoxigraph.NamedNode(EX + "p")
    x, y = pyoxigraph.BlankNode("x"), pyoxigraph.BlankNode("y")
    store = pyoxigraph.Store()
    store.extend([pyoxigraph.Quad(x, p, y, g), pyoxigraph.Quad(y, p, x, g)])
    if source == "store":
        export(OpenStore(store, settings.graphs.union()), settings, tmp_path)
    else:  # the build's path: the graph read where the dataset holds it
        internal = pyoxigraph.NamedNode("urn:peacekg:build:asserted")
        dataset = pyoxigraph.Store()
        dataset.extend(pyoxigraph.Quad(q.subject, q.predicate, q.object, internal) for q in store)
        export(DatasetGraphs(dataset, {settings.graphs.asserted: internal}), settings, tmp_path)
    assert (tmp_path / f"peacekg-{__version__}.ttl").read_bytes().count(b" .\n") == 2
    nq = (tmp_path / f"peacekg-{__version__}.nq").read_bytes()
    dumped = pyoxigraph.Dataset(pyoxigraph.parse(nq, format=pyoxigraph.RdfFormat.N_QUADS))
    original = pyoxigraph.Dataset(store)
    for dataset in (dumped, original):
        dataset.canonicalize(pyoxigraph.CanonicalizationAlgorithm.UNSTABLE)
    assert sorted(map(str, dumped)) == sorted(map(str, original))
    assert len(nq.splitlines()) == 2


def test_dataset_graphs_dump_as_the_same_graphs_copied_under_their_served_names(
    tmp_path: Path,
) -> None:
    """The build dumps its dataset's graphs where they are (DatasetGraphs): the bytes equal
    those of a store holding them under their served names. A graph left out of the mapping
    (here a copy of one, as the checks make) changes nothing, not even blank-node labels."""
    settings = Settings()
    served = _tricky_store(settings)
    internal = {
        settings.graphs.asserted: pyoxigraph.NamedNode("urn:peacekg:build:asserted"),
        settings.graphs.inferred: pyoxigraph.NamedNode("urn:peacekg:build:inferred"),
    }
    dataset = pyoxigraph.Store()
    for quad in served:
        graph = quad.graph_name.value
        name = internal.get(graph, pyoxigraph.NamedNode(graph))
        dataset.add(pyoxigraph.Quad(quad.subject, quad.predicate, quad.object, name))
        if graph == settings.graphs.assertion_base + "a-1":  # an unmapped copy
            copy = pyoxigraph.NamedNode("urn:peacekg:build:copy")
            dataset.add(pyoxigraph.Quad(quad.subject, quad.predicate, quad.object, copy))
    names = {g.graph_name.value: internal.get(g.graph_name.value, g.graph_name) for g in served}
    union = settings.graphs.union()
    export(OpenStore(served, union), settings, tmp_path / "store")
    export(DatasetGraphs(dataset, names), settings, tmp_path / "dataset")
    files = sorted(p.name for p in (tmp_path / "store").iterdir())
    assert files == sorted(p.name for p in (tmp_path / "dataset").iterdir())
    assert len(files) == 10
    for name in files:
        assert (tmp_path / "dataset" / name).read_bytes() == (
            tmp_path / "store" / name
        ).read_bytes()
