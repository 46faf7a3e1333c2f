"""Store stage: the named graphs in an on-disk Oxigraph store, switched in atomically.

A build writes a complete new store directory and then replaces the ``store`` link with one
``rename(2)``, which POSIX makes atomic: a reader sees the old store or the new one, never a
half-built one, and a failed build leaves the served store untouched.

The rest of the project sees only :class:`GraphStore`, so that a remote SPARQL 1.1 store can
later take the embedded one's place without touching the other stages.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pyoxigraph
from rdflib import Graph
from rdflib.term import Node

from peacekg.load import LoadedSources, rdflib_term
from peacekg.load import graph_quads as load_graph_quads
from peacekg.namespaces import GraphNames

QueryResult = pyoxigraph.QuerySolutions | pyoxigraph.QueryBoolean | pyoxigraph.QueryTriples
# A replaced store stays this long after its replacement was built: a server may still be
# answering a query from it (queries time out well before this).
REPLACED_STORE_GRACE_SECONDS = 15 * 60
# Where a store is written before it is complete (then renamed to `store-…`).
PARTIAL_PREFIX = ".partial-store-"
#: Where the build writes a new store's dumps before they move into its directory.
PARTIAL_DUMPS_PREFIX = ".partial-dumps-"
#: The build writes the served store's dumps inside its directory (RocksDB leaves files it
#: does not know alone), so the one link switch serves a store and its dumps together, and
#: removing a replaced store removes its dumps.
DUMPS_SUBDIR = "dumps"


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


def graph_quads(graph: Graph, graph_iri: str | None) -> Iterable[pyoxigraph.Quad]:
    """The triples of ``graph`` as quads in ``graph_iri`` (None: the default graph); literal
    subjects are dropped.

    owlrl can emit literal-subject triples (generalised RDF); RDF 1.1 stores refuse them.
    """
    return triple_quads(graph, graph_iri)


def triple_quads(
    triples: Iterable[tuple[Node, Node, Node]], graph_iri: str | None = None
) -> Iterator[pyoxigraph.Quad]:
    """Like :func:`graph_quads`, from any iterable of rdflib triples."""
    name = pyoxigraph.DefaultGraph() if graph_iri is None else pyoxigraph.NamedNode(graph_iri)
    return load_graph_quads(triples, name)


def memory_store(graphs: Mapping[str, Graph]) -> pyoxigraph.Store:
    """An in-memory Oxigraph store of ``graphs``, for checks and one-off queries."""
    store = pyoxigraph.Store()
    for iri, graph in graphs.items():
        store.extend(graph_quads(graph, iri))
    return store


@dataclass(frozen=True)
class GraphsView:
    """Some graphs of an Oxigraph store, read as one default graph: how the build queries its
    in-memory dataset without copying it into rdflib (issue 17)."""

    store: pyoxigraph.Store
    graphs: tuple[pyoxigraph.NamedNode, ...]


def select_rows(graph: Graph | GraphsView, sparql: str) -> list[tuple[Node | None, ...]]:
    """The rows of a SELECT over ``graph`` evaluated by Oxigraph, as rdflib terms.

    For the build's own SELECTs: rdflib's engine evaluates OPTIONAL per row and grows
    quadratically (the quote check: 23 s at 14k triples, issue 17). An rdflib graph is copied
    into a new store first; a :class:`GraphsView` is queried where it is.
    """
    if isinstance(graph, GraphsView):
        result = graph.store.query(sparql, default_graph=list(graph.graphs))
    else:
        store = memory_store({})
        store.extend(graph_quads(graph, None))
        result = store.query(sparql)
    assert isinstance(result, pyoxigraph.QuerySolutions)
    names = [v.value for v in result.variables]
    return [
        tuple(None if row[n] is None else to_rdflib_term(row[n]) for n in names) for row in result
    ]


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


def to_rdflib_term(term: object) -> Node:
    """Convert a pyoxigraph term to the equivalent rdflib term (blank-node labels kept,
    ``xsd:string`` literals typed)."""
    return rdflib_term(term, typed_strings=True)


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
            (to_rdflib_term(row["s"]), to_rdflib_term(row["p"]), to_rdflib_term(row["o"]))
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


def build_store(
    store_link: Path,
    graphs: Mapping[str, Graph],
    before_switch: Callable[[Path], None] | None = None,
) -> Path:
    """Write ``graphs`` into a new store directory, then switch ``store_link`` to it atomically.

    Returns the new directory. Older directories beyond the previous one are removed.
    """
    return write_store(
        store_link,
        (quad for iri, graph in graphs.items() for quad in graph_quads(graph, iri)),
        before_switch,
    )


def write_store(
    store_link: Path,
    quads: Iterable[pyoxigraph.Quad] | Path,
    before_switch: Callable[[Path], None] | None = None,
) -> Path:
    """Like :func:`build_store`, from quads (any graph, the default graph included) or from
    an N-Quads file, which Oxigraph bulk-loads with no Python object per quad (the build's
    path: it loads its own N-Quads dump).

    ``before_switch`` gets the complete, closed store directory before the link moves (the
    build writes the dumps there); if it raises, the new directory goes and nothing served
    changes. The endpoint's update path uses this to commit a changed copy of the dataset.
    """
    parent = store_link.parent
    parent.mkdir(parents=True, exist_ok=True)
    if store_link.exists() and not store_link.is_symlink():
        raise StoreError(f"{store_link} exists and is not a store link made by peacekg build")
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    unique = f"{os.getpid()}-{time.monotonic_ns() % 1_000_000}"
    new_dir = parent / f"store-{stamp}-{unique}"
    # Written under a hidden name and renamed once complete: a build killed half-way leaves
    # no `store-*` directory that cleanup would count as a replaced store.
    partial = parent / f"{PARTIAL_PREFIX}{unique}"
    try:
        store = pyoxigraph.Store(str(partial))
        if isinstance(quads, Path):
            store.bulk_load(path=str(quads), format=pyoxigraph.RdfFormat.N_QUADS)
        else:
            store.bulk_extend(quads)
        store.flush()
        store.optimize()
        del store
        os.rename(partial, new_dir)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    if before_switch is not None:
        try:
            before_switch(new_dir)
        except BaseException:
            shutil.rmtree(new_dir, ignore_errors=True)
            raise
    temporary_link = parent / f".store-link-{os.getpid()}"
    try:
        if temporary_link.is_symlink():
            temporary_link.unlink()
        os.symlink(new_dir.name, temporary_link)
        os.replace(temporary_link, store_link)
    except BaseException:
        # The link was not switched (a full or read-only disk): the new store is no one's.
        temporary_link.unlink(missing_ok=True)
        shutil.rmtree(new_dir, ignore_errors=True)
        raise
    _remove_old_stores(parent, keep={new_dir.name})
    return new_dir


def _remove_old_stores(parent: Path, keep: set[str]) -> None:
    """Remove stores replaced long enough ago that no query can still be reading them.

    The previous store is always kept; an older one goes once the store that replaced it
    (the next newer one) is older than :data:`REPLACED_STORE_GRACE_SECONDS`. Times are read
    once, before anything is removed (a removed store has no time left to read). Half-written
    stores of writers that died (killed builds) go too. The link already switched, so this
    never fails: whatever cannot be read or removed now is left for the next write.
    """
    stores: list[tuple[float, Path]] = []
    for path in parent.glob("store-*"):
        try:
            if path.is_dir() and not path.is_symlink():
                stores.append((path.stat().st_mtime, path))
        except OSError:
            continue
    stores.sort(reverse=True)
    now = time.time()
    for (replaced_at, _newer), (_, old) in itertools.pairwise(stores[1:]):
        if old.name not in keep and now - replaced_at > REPLACED_STORE_GRACE_SECONDS:
            shutil.rmtree(old, ignore_errors=True)
    for prefix in (PARTIAL_PREFIX, PARTIAL_DUMPS_PREFIX):
        for path in parent.glob(prefix + "*"):
            if not _writer_alive(path.name[len(prefix) :].split("-", 1)[0]):
                shutil.rmtree(path, ignore_errors=True)
    link = parent / f".store-link-{os.getpid()}"
    for path in parent.glob(".store-link-*"):
        if path != link and not _writer_alive(path.name.rsplit("-", 1)[1]):
            with contextlib.suppress(OSError):
                path.unlink()


def _writer_alive(pid_text: str) -> bool:
    """Whether the process that named a half-written file still runs (unknown: assume so)."""
    try:
        os.kill(int(pid_text), 0)
    except (ValueError, OverflowError):
        return True
    except ProcessLookupError:
        return False
    except OSError:
        return True  # another user's process (EPERM): alive
    return True


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

    def current(self) -> pyoxigraph.Store:
        """The store the link points to now (reopened after a switch)."""
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
            self.current(),
            sparql,
            default_graphs=self.default_graphs if default_graphs is None else default_graphs,
            named_graphs=named_graphs,
        )

    def graph_counts(self) -> dict[str, int]:
        """Triples per named graph."""
        return graph_counts(self.current())


def graph_counts(store: pyoxigraph.Store) -> dict[str, int]:
    """Triples per named graph of an open Oxigraph store."""
    result = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    assert isinstance(result, pyoxigraph.QuerySolutions)
    counts: dict[str, int] = {}
    for solution in result:
        graph, count = solution["g"], solution["n"]
        assert graph is not None and isinstance(count, pyoxigraph.Literal)
        counts[graph.value] = int(count.value)
    return counts


class OpenStore:
    """An open Oxigraph store as a :class:`GraphStore` (the build dumps its new store through
    this before the link points to it)."""

    def __init__(self, store: pyoxigraph.Store, default_graphs: Sequence[str]) -> None:
        self.store = store
        self.default_graphs = list(default_graphs)

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        """Evaluate ``sparql``; the default graph is the union graphs unless given."""
        return run_query(
            self.store,
            sparql,
            default_graphs=self.default_graphs if default_graphs is None else default_graphs,
            named_graphs=named_graphs,
        )

    def graph_counts(self) -> dict[str, int]:
        """Triples per named graph."""
        return graph_counts(self.store)


def oxigraph_store(store: GraphStore) -> pyoxigraph.Store | None:
    """The Oxigraph store behind ``store`` when it is embedded (its quads can be read without
    a query); None for a remote store."""
    if isinstance(store, OpenStore):
        return store.store
    if isinstance(store, EmbeddedStore):
        return store.current()
    return None


def served_dumps_dir(store: GraphStore) -> Path | None:
    """The dumps the build wrote beside the store now served, if any (None for a remote
    store, or a store written by ``/update``, which has no dumps of its own)."""
    try:
        directory = getattr(store, "directory", None)
    except OSError:  # no store link yet: the caller's query says so
        return None
    if not isinstance(directory, Path):
        return None
    dumps = directory / DUMPS_SUBDIR
    return dumps if (dumps / "SHA256SUMS").is_file() else None
