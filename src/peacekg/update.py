"""The write path behind ``/update`` and ``/store``: change a copy, check it, then swap.

Every change (a SPARQL 1.1 Update, a Graph Store Protocol PUT/POST/DELETE) is applied to an
in-memory copy of the served data. Nothing touches the served store until the copy has
passed; then a new store directory is written and switched in atomically
(:func:`peacekg.store.write_store`), exactly as a build does. A rejected change leaves the
store as it was. Changes are serialised with a lock.

Two modes (``Settings.update_mode``):

``curated`` (the default)
    The change sees what curators write as named graphs: the assertion graphs (each fact
    lies in one, under ``<base>assertion/``), the provenance graph (where each assertion
    comes from) and the Wikidata alignment; its default graph is empty and must stay so,
    and the union graphs (asserted, inferred, the Wikidata view) are the build's to derive.
    The result goes through the build's own stages (:func:`peacekg.pipeline.check_sources`:
    SHACL validation, the quote check when configured, OWL 2 RL reasoning, the quality
    checks), so the inferred graph is recomputed and an invalid change is refused with the
    SHACL report.
``dataset``
    A plain SPARQL dataset: any graph, the store's default graph included, no checks. Meant
    for running the W3C protocol suites against the server, not for PeaceKG's own graph.

Updates made here live in the store until the next ``peacekg build``, which rebuilds from
the source files; they are not written back to ``data/``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from typing import TypeVar

import pyoxigraph
from rdflib import Graph

from peacekg.config import Settings
from peacekg.load import LoadedSources, LoadError, load
from peacekg.pipeline import BuildFailed, check_sources
from peacekg.reason import InconsistencyError
from peacekg.store import StoreError, build_store, write_store

T = TypeVar("T")
GraphName = pyoxigraph.NamedNode | pyoxigraph.DefaultGraph


class UpdateRejected(Exception):
    """The change was refused; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        super().__init__(message)


class GraphNotFound(Exception):
    """The Graph Store Protocol request names a graph that does not exist."""


class UpdatesBusy(Exception):
    """As many changes as may wait are waiting already (answered 503 with Retry-After)."""


def _has_triples(store: pyoxigraph.Store, graph: GraphName) -> bool:
    return any(True for _ in store.quads_for_pattern(None, None, None, graph))


class Updater:
    """Applies changes to the store ``settings`` serve, one at a time."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.curated = settings.update_mode == "curated"
        self._lock = threading.Lock()
        # Each waiting change holds a server thread: past max_queued_updates, refuse at once
        # rather than let queued updates take every thread from the readers.
        self._admitted = 0
        self._count_lock = threading.Condition()

    # -- graph names ------------------------------------------------------------------

    def writable(self, graph: str) -> bool:
        """Whether curated mode lets a change write to ``graph``."""
        names = self.settings.graphs
        return names.is_assertion(graph) or graph in {names.provenance, names.alignment}

    def target(self, graph: str | None) -> GraphName:
        """The graph of the working copy that a GSP request for ``graph`` means.

        In curated mode only an assertion graph, the provenance graph and the alignment
        graph can be written; the default graph and the derived graphs are read-only.

        Raises:
            UpdateRejected: 403 for a graph that curated mode does not let anyone change.
        """
        if not self.curated:
            return pyoxigraph.DefaultGraph() if graph is None else pyoxigraph.NamedNode(graph)
        if graph is not None and self.writable(graph):
            return pyoxigraph.NamedNode(graph)
        shown = "the default graph" if graph is None else f"<{graph}>"
        raise UpdateRejected(403, f"{shown} cannot be changed: {self.writable_graphs()}")

    def writable_graphs(self) -> str:
        """Which graphs curated mode lets a change write, and why only those, in words."""
        names = self.settings.graphs
        return (
            f"only an assertion graph <{names.assertion_base}…>, <{names.provenance}> and "
            f"<{names.alignment}> can be written (every fact lies in an assertion graph, its "
            "source passage in the provenance graph; the other graphs are derived by the build)"
        )

    # -- operations -------------------------------------------------------------------

    def update(self, text: str, base_iri: str | None = None) -> None:
        """Run a SPARQL 1.1 Update (already checked by :mod:`peacekg.web.guard`).

        Raises:
            UpdateRejected: 400 for a syntax error, 422 when the result fails the checks.
        """

        def change(store: pyoxigraph.Store) -> None:
            try:
                store.update(text, base_iri=base_iri)
            except SyntaxError as error:
                raise UpdateRejected(400, f"update syntax error: {error}") from error
            except (OSError, RuntimeError) as error:
                # Oxigraph's errors for an unknown function and for a failed SERVICE call
                # (a memory store does no other I/O).
                message = str(error).strip()
                if message.startswith("The custom function"):
                    raise UpdateRejected(400, f"update error: {message}") from error
                raise UpdateRejected(502, f"a SERVICE endpoint failed: {message}") from error

        self._commit(change)

    def replace_graph(self, graph: str | None, triples: Iterable[pyoxigraph.Triple]) -> bool:
        """GSP PUT: make ``graph`` hold exactly ``triples``; True when it was created."""
        name = self.target(graph)

        def change(store: pyoxigraph.Store) -> bool:
            existed = _has_triples(store, name)
            if isinstance(name, pyoxigraph.NamedNode):
                store.remove_graph(name)
            else:
                store.clear_graph(name)
            store.extend(pyoxigraph.Quad(t.subject, t.predicate, t.object, name) for t in triples)
            return not existed

        return self._commit(change)

    def add_to_graph(self, graph: str | None, triples: Iterable[pyoxigraph.Triple]) -> bool:
        """GSP POST: merge ``triples`` into ``graph``; True when it was created."""
        name = self.target(graph)

        def change(store: pyoxigraph.Store) -> bool:
            existed = _has_triples(store, name)
            store.extend(pyoxigraph.Quad(t.subject, t.predicate, t.object, name) for t in triples)
            return not existed

        return self._commit(change)

    def drop_graph(self, graph: str | None) -> None:
        """GSP DELETE: remove ``graph`` (empty the default graph).

        Raises:
            GraphNotFound: a named graph with no triples.
        """
        name = self.target(graph)

        def change(store: pyoxigraph.Store) -> None:
            if isinstance(name, pyoxigraph.NamedNode) and not _has_triples(store, name):
                raise GraphNotFound(name.value)
            if isinstance(name, pyoxigraph.NamedNode):
                store.remove_graph(name)
            else:
                store.clear_graph(name)

        self._commit(change)

    # -- the commit -------------------------------------------------------------------

    def _served(self) -> pyoxigraph.Store:
        link = self.settings.store_path
        try:
            directory = link.parent / os.readlink(link)
        except OSError as error:
            raise StoreError(f"no store at {link}: run `peacekg build` first") from error
        return pyoxigraph.Store.read_only(str(directory))

    def admitted(self) -> int:
        """How many changes are running or waiting now (for tests and monitoring)."""
        with self._count_lock:
            return self._admitted

    def wait_admitted(self, count: int, timeout: float) -> bool:
        """Block until ``count`` changes are running or waiting (for tests)."""
        with self._count_lock:
            return self._count_lock.wait_for(lambda: self._admitted == count, timeout)

    def _commit(self, change: Callable[[pyoxigraph.Store], T]) -> T:
        with self._count_lock:
            if self._admitted >= self.settings.max_queued_updates:
                raise UpdatesBusy(
                    f"{self._admitted} changes are already running or waiting (the server's "
                    "max_queued_updates); try again shortly"
                )
            self._admitted += 1
            self._count_lock.notify_all()
        try:
            return self._commit_now(change)
        finally:
            with self._count_lock:
                self._admitted -= 1
                self._count_lock.notify_all()

    def _commit_now(self, change: Callable[[pyoxigraph.Store], T]) -> T:
        with self._lock:
            served = self._served()
            scratch = pyoxigraph.Store()
            if self.curated:
                scratch.extend(
                    q
                    for q in served
                    if isinstance(q.graph_name, pyoxigraph.NamedNode)
                    and self.writable(q.graph_name.value)
                )
            else:
                scratch.extend(served)
            del served
            value = change(scratch)
            if self.curated:
                self._commit_curated(scratch)
            else:
                write_store(self.settings.store_path, iter(scratch))
            return value

    def _commit_curated(self, scratch: pyoxigraph.Store) -> None:
        names = self.settings.graphs
        if _has_triples(scratch, pyoxigraph.DefaultGraph()):
            raise UpdateRejected(
                422,
                "the update wrote to the default graph; write each fact inside an assertion "
                f"graph (GRAPH <{names.assertion_base}…>) and its source passage in "
                f"GRAPH <{names.provenance}>; the store is unchanged",
            )
        graphs: dict[str, Graph] = {}
        for graph in scratch.named_graphs():
            if not isinstance(graph, pyoxigraph.NamedNode) or not _has_triples(scratch, graph):
                continue
            if not self.writable(graph.value):
                raise UpdateRejected(
                    422,
                    f"the update wrote to GRAPH <{graph.value}>; {self.writable_graphs()}; "
                    "the store is unchanged",
                )
            graphs[graph.value] = _rdflib_graph(scratch, graph)
        settings = self.settings
        if not any(len(graph) for g, graph in graphs.items() if names.is_assertion(g)):
            # The checks pass on an empty dataset, so without this one PUT or DROP ALL
            # would silently wipe the curated graph.
            raise UpdateRejected(
                422,
                "the change would leave no assertion graph with a fact, so the asserted graph "
                "would be empty: refused (delete assertions one at a time, or rebuild from "
                "data/); the store is unchanged",
            )
        try:
            loaded = load(settings.ontology_dir, None, settings.shapes_path)
        except LoadError as error:
            raise UpdateRejected(503, f"the ontology sources do not load: {error}") from error
        sources = LoadedSources(
            ontology=loaded.ontology,
            shapes=loaded.shapes,
            assertions={g: graph for g, graph in sorted(graphs.items()) if names.is_assertion(g)},
            provenance=graphs.get(names.provenance, Graph()),
            alignment=graphs.get(names.alignment, Graph()),
            files=loaded.files,
        )
        try:
            result = check_sources(settings, sources)
        except (BuildFailed, InconsistencyError) as error:
            raise UpdateRejected(
                422, f"update rejected, the store is unchanged:\n{error}"
            ) from error
        build_store(settings.store_path, result.named_graphs(settings))


def _rdflib_graph(store: pyoxigraph.Store, graph: pyoxigraph.NamedNode) -> Graph:
    data = pyoxigraph.serialize(
        (q.triple for q in store.quads_for_pattern(None, None, None, graph)),
        format=pyoxigraph.RdfFormat.N_TRIPLES,
    )
    return Graph().parse(data=(data or b"").decode("utf-8"), format="nt")


def parse_triples(body: bytes, media_type: str, base_iri: str | None) -> list[pyoxigraph.Triple]:
    """Parse a GSP request body into triples.

    Raises:
        UpdateRejected: 415 for a media type that is not an RDF graph syntax, 400 for a
            body that does not parse (with the parser's line and column).
    """
    fmt = pyoxigraph.RdfFormat.from_media_type(media_type)
    if fmt is None:
        raise UpdateRejected(415, f"unsupported Content-Type {media_type!r} for a graph")
    try:
        quads = list(pyoxigraph.parse(body, format=fmt, base_iri=base_iri))
    except SyntaxError as error:
        raise UpdateRejected(400, f"the request body does not parse: {error}") from error
    triples = []
    for quad in quads:
        if isinstance(quad, pyoxigraph.Quad):
            if not isinstance(quad.graph_name, pyoxigraph.DefaultGraph):
                raise UpdateRejected(400, "a graph body must not name graphs (use triples)")
            triples.append(quad.triple)
        else:
            triples.append(quad)
    return triples
