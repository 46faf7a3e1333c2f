"""Store stage: the named graphs in an on-disk Oxigraph store, switched in atomically.

A build writes a complete new store directory and then replaces the ``store`` link with one
``rename(2)``, which POSIX makes atomic: a reader sees the old store or the new one, never a
half-built one, and a failed build leaves the served store untouched.

The rest of the project sees only :class:`GraphStore`, so that a remote SPARQL 1.1 store can
later take the embedded one's place without touching the other stages.
"""

from __future__ import annotations

import itertools
import os
import shutil
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Protocol

import pyoxigraph
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from peacekg.load import LoadedSources
from peacekg.namespaces import GraphNames

QueryResult = pyoxigraph.QuerySolutions | pyoxigraph.QueryBoolean | pyoxigraph.QueryTriples
# A replaced store stays this long after its replacement was built: a server may still be
# answering a query from it (queries time out well before this).
REPLACED_STORE_GRACE_SECONDS = 15 * 60


class StoreError(Exception):
    """The store is missing or cannot be opened."""


class GraphStore(Protocol):
    """What the endpoint, export and CLI need from a store, embedded or remote."""

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        """Evaluate a SPARQL query; the default graph is the union of all graphs unless given."""
        ...

    def graph_counts(self) -> dict[str, int]:
        """Triples per named graph."""
        ...


def to_oxigraph_term(
    node: Node,
) -> pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal:
    """Convert an rdflib term to the equivalent pyoxigraph term."""
    if isinstance(node, URIRef):
        return pyoxigraph.NamedNode(str(node))
    if isinstance(node, BNode):
        return pyoxigraph.BlankNode(str(node))
    if isinstance(node, Literal):
        if node.language:
            return pyoxigraph.Literal(str(node), language=node.language)
        if node.datatype:
            return pyoxigraph.Literal(str(node), datatype=pyoxigraph.NamedNode(str(node.datatype)))
        return pyoxigraph.Literal(str(node))
    raise TypeError(f"not an RDF term: {node!r}")


def graph_quads(graph: Graph, graph_iri: str) -> Iterable[pyoxigraph.Quad]:
    """The triples of ``graph`` as quads in ``graph_iri``; literal subjects are dropped.

    owlrl can emit literal-subject triples (generalised RDF); RDF 1.1 stores refuse them.
    """
    name = pyoxigraph.NamedNode(graph_iri)
    for s, p, o in graph:
        if isinstance(s, Literal) or not isinstance(p, URIRef):
            continue
        subject = to_oxigraph_term(s)
        assert not isinstance(subject, pyoxigraph.Literal)
        yield pyoxigraph.Quad(subject, pyoxigraph.NamedNode(str(p)), to_oxigraph_term(o), name)


def memory_store(graphs: Mapping[str, Graph]) -> pyoxigraph.Store:
    """An in-memory Oxigraph store of ``graphs``, for checks and one-off queries."""
    store = pyoxigraph.Store()
    for iri, graph in graphs.items():
        store.extend(graph_quads(graph, iri))
    return store


def run_query(
    store: pyoxigraph.Store,
    sparql: str,
    *,
    default_graphs: Sequence[str] | None = None,
    named_graphs: Sequence[str] | None = None,
) -> QueryResult:
    """Run ``sparql`` with the union of named graphs as default graph unless told otherwise."""
    if default_graphs is None:
        return store.query(
            sparql,
            use_default_graph_as_union=True,
            named_graphs=[pyoxigraph.NamedNode(g) for g in named_graphs] if named_graphs else None,
        )
    return store.query(
        sparql,
        default_graph=[pyoxigraph.NamedNode(g) for g in default_graphs],
        named_graphs=[pyoxigraph.NamedNode(g) for g in named_graphs] if named_graphs else None,
    )


def stored_graph(store: GraphStore, graph_iri: str) -> Graph:
    """One named graph of ``store`` as an rdflib Graph (for owlrl, pySHACL, rdflib writers).

    The graph is selected as the query's default graph, so its IRI never enters the query text.
    """
    result = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", default_graphs=[graph_iri])
    assert isinstance(result, pyoxigraph.QueryTriples)
    data = result.serialize(format=pyoxigraph.RdfFormat.N_TRIPLES) or b""
    return Graph().parse(data=data.decode("utf-8"), format="nt")


def _rdflib_term(term: object) -> Node:
    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return BNode(term.value)
    assert isinstance(term, pyoxigraph.Literal)
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def stored_assertions(store: GraphStore, assertion_base: str) -> dict[str, Graph]:
    """Every assertion graph of ``store`` (graphs named under ``assertion_base``)."""
    result = store.query(
        "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), "
        + _string_literal(assertion_base)
        + ")) }"
    )
    assert isinstance(result, pyoxigraph.QuerySolutions)
    graphs: dict[str, Graph] = {}
    for row in result:
        name = row["g"]
        assert name is not None
        graphs.setdefault(name.value, Graph()).add(
            (_rdflib_term(row["s"]), _rdflib_term(row["p"]), _rdflib_term(row["o"]))
        )
    return dict(sorted(graphs.items()))


def stored_sources(store: GraphStore, names: GraphNames) -> LoadedSources:
    """What a build loaded, read back from a built store (for exports and reports)."""
    return LoadedSources(
        ontology=stored_graph(store, names.ontology),
        shapes=Graph(),
        assertions=stored_assertions(store, names.assertion_base),
        provenance=stored_graph(store, names.provenance),
        alignment=stored_graph(store, names.alignment),
    )


def _string_literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def build_store(store_link: Path, graphs: Mapping[str, Graph]) -> Path:
    """Write ``graphs`` into a new store directory, then switch ``store_link`` to it atomically.

    Returns the new directory. Older directories beyond the previous one are removed.
    """
    return write_store(
        store_link, (quad for iri, graph in graphs.items() for quad in graph_quads(graph, iri))
    )


def write_store(store_link: Path, quads: Iterable[pyoxigraph.Quad]) -> Path:
    """Like :func:`build_store`, from quads (any graph, the default graph included).

    The endpoint's update path uses it to commit a changed copy of the served dataset.
    """
    parent = store_link.parent
    parent.mkdir(parents=True, exist_ok=True)
    if store_link.exists() and not store_link.is_symlink():
        raise StoreError(f"{store_link} exists and is not a store link made by peacekg build")
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    new_dir = parent / f"store-{stamp}-{os.getpid()}-{time.monotonic_ns() % 1_000_000}"
    try:
        store = pyoxigraph.Store(str(new_dir))
        store.bulk_extend(quads)
        store.flush()
        store.optimize()
        del store
    except BaseException:
        shutil.rmtree(new_dir, ignore_errors=True)
        raise
    temporary_link = parent / f".store-link-{os.getpid()}"
    if temporary_link.is_symlink():
        temporary_link.unlink()
    os.symlink(new_dir.name, temporary_link)
    os.replace(temporary_link, store_link)
    _remove_old_stores(parent, keep={new_dir.name})
    return new_dir


def _remove_old_stores(parent: Path, keep: set[str]) -> None:
    """Remove stores replaced long enough ago that no query can still be reading them.

    The previous store is always kept; an older one goes once the store that replaced it
    (the next newer one) is older than :data:`REPLACED_STORE_GRACE_SECONDS`.
    """
    stores = sorted(
        (p for p in parent.glob("store-*") if p.is_dir()),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    now = time.time()
    for newer, old in itertools.pairwise(stores[1:]):
        replaced_for = now - newer.stat().st_mtime
        if old.name not in keep and replaced_for > REPLACED_STORE_GRACE_SECONDS:
            shutil.rmtree(old, ignore_errors=True)


class EmbeddedStore:
    """The served store: a read-only Oxigraph store that follows the ``store`` link.

    Open it with :meth:`for_graphs` so that queries see the union graphs as default graph.

    Each query checks where the link points (one ``readlink``) and reopens the store after
    a build switched it, so ``peacekg build`` can run while ``peacekg serve`` answers.
    """

    def __init__(self, store_link: Path, default_graphs: Sequence[str] | None = None) -> None:
        self.store_link = store_link
        #: The default graph of a query that names none (the union graphs); None: every graph.
        self.default_graphs = list(default_graphs) if default_graphs is not None else None
        self._lock = threading.Lock()
        self._target: str | None = None
        self._store: pyoxigraph.Store | None = None

    @classmethod
    def for_graphs(cls, store_link: Path, names: GraphNames) -> EmbeddedStore:
        """The store at ``store_link`` with the union of ``names.union()`` as default graph."""
        return cls(store_link, names.union())

    def _current(self) -> pyoxigraph.Store:
        try:
            target = os.readlink(self.store_link)
        except OSError as error:
            raise StoreError(f"no store at {self.store_link}: run `peacekg build` first") from error
        with self._lock:
            if target != self._target or self._store is None:
                self._store = pyoxigraph.Store.read_only(str(self.store_link.parent / target))
                self._target = target
            return self._store

    @property
    def directory(self) -> Path:
        """The directory the link points to now."""
        return self.store_link.parent / os.readlink(self.store_link)

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        """Evaluate ``sparql`` on the store the link points to now.

        Without ``default_graphs`` the default graph is the store's union graphs: not the
        union of every named graph, which would repeat each fact once per assertion.
        """
        return run_query(
            self._current(),
            sparql,
            default_graphs=self.default_graphs if default_graphs is None else default_graphs,
            named_graphs=named_graphs,
        )

    def graph_counts(self) -> dict[str, int]:
        """Triples per named graph."""
        result = self._current().query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        )
        assert isinstance(result, pyoxigraph.QuerySolutions)
        counts: dict[str, int] = {}
        for solution in result:
            graph, count = solution["g"], solution["n"]
            assert graph is not None and isinstance(count, pyoxigraph.Literal)
            counts[graph.value] = int(count.value)
        return counts
