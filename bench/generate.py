"""A domain-shaped synthetic PeaceKG data directory of about N triples (issue 17).

It tiles the real curated data: every tile is a copy of ``data/documents/*.trig`` and
``data/alignment/``, each resource and assertion IRI (``…/id/…``, ``…/assertion/…``) given a
``-t<k>`` suffix and each blank node a fresh label, so each tile has PeaceKG's own shape:
events, actors, positions, claims with quotes, every fact in an assertion graph with its
provenance (a passage into a source document). The source documents and their authors are
shared by all tiles (``data/sources.ttl`` is copied once), so the quote check still reads the
real texts and finds every passage where the real data says it is.

Run: ``python -m bench.generate OUT_DIR --triples 100000``.
"""

from __future__ import annotations

import argparse
import math
import shutil
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
ID_BASE = "https://w3id.org/peacekg/id/"
ASSERTION_BASE = "https://w3id.org/peacekg/assertion/"
#: Shared by every tile: the documents the passages point into, and who wrote them.
SHARED_PREFIXES = (ID_BASE + "source-", ID_BASE + "author-of-")
TILE_FILE = "tile-{:05d}.trig"
ALIGNMENT_FILE = "tile-{:05d}.ttl"

Term = pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal | pyoxigraph.Triple


def _quads(paths: Iterable[Path]) -> list[pyoxigraph.Quad]:
    return [quad for path in paths for quad in pyoxigraph.parse(path=str(path))]


def _rename(term: Term, tile: int) -> Term:
    """``term`` as it is in tile ``tile``: own IRIs suffixed, blank nodes relabelled."""
    if isinstance(term, pyoxigraph.NamedNode):
        value = term.value
        if value.startswith((ID_BASE, ASSERTION_BASE)) and not value.startswith(SHARED_PREFIXES):
            return pyoxigraph.NamedNode(f"{value}-t{tile}")
        return term
    if isinstance(term, pyoxigraph.BlankNode):
        return pyoxigraph.BlankNode(f"{term.value}t{tile}")
    return term


def tile_quads(quads: Iterable[pyoxigraph.Quad], tile: int) -> Iterator[pyoxigraph.Quad]:
    """The quads of one tile (tile 0 is the real data unchanged)."""
    for quad in quads:
        if tile == 0:
            yield quad
            continue
        graph = quad.graph_name
        if isinstance(graph, pyoxigraph.NamedNode):
            graph = _rename(graph, tile)  # type: ignore[assignment]
        subject = _rename(quad.subject, tile)
        predicate = quad.predicate
        obj = _rename(quad.object, tile)
        yield pyoxigraph.Quad(subject, predicate, obj, graph)  # type: ignore[arg-type]


def generate(out: Path, triples: int) -> int:
    """Write a data directory of about ``triples`` triples into ``out``; return the count."""
    documents = _quads(sorted((DATA / "documents").glob("*.trig")))
    alignment = _quads(sorted((DATA / "alignment").glob("*.ttl")))
    shared = _quads([DATA / "sources.ttl"])
    per_tile = len(documents) + len(alignment)
    tiles = max(1, math.ceil((triples - len(shared)) / per_tile))
    if out.exists():
        shutil.rmtree(out)
    (out / "documents").mkdir(parents=True)
    (out / "alignment").mkdir()
    shutil.copyfile(DATA / "sources.ttl", out / "sources.ttl")
    for tile in range(tiles):
        pyoxigraph.serialize(
            tile_quads(documents, tile),
            str(out / "documents" / TILE_FILE.format(tile)),
            pyoxigraph.RdfFormat.TRIG,
        )
        pyoxigraph.serialize(
            (q.triple for q in tile_quads(alignment, tile)),
            str(out / "alignment" / ALIGNMENT_FILE.format(tile)),
            pyoxigraph.RdfFormat.TURTLE,
        )
    return len(shared) + tiles * per_tile


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="data directory to (re)create")
    parser.add_argument("--triples", type=int, default=100_000, help="about this many triples")
    args = parser.parse_args(argv)
    count = generate(args.out, args.triples)
    print(f"{args.out}: {count} triples")
    return 0


if __name__ == "__main__":
    sys.exit(main())
