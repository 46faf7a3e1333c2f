"""A remote SPARQL 1.1 store (Oxigraph server, Fuseki, QLever, GraphDB...) behind GraphStore.

Only the standard protocols are used: SPARQL 1.1 Protocol for queries and updates, the Graph
Store HTTP Protocol to upload graphs. The union default graph is asked for explicitly with
``default-graph-uri`` parameters, so no server-specific union setting is needed. Those
parameters also fix the named graphs (SPARQL 1.1 Protocol 2.1.4: none unless listed), so a
query that uses ``GRAPH`` is sent our graphs, the one per assertion included, as
``named-graph-uri`` parameters; the store's graphs are listed first for that.
What differs between stores (time limit, bulk load, graph switch, authentication) is the
store kind's (:mod:`peacekg.stores`).
"""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

import pyoxigraph
from rdflib import Graph

from peacekg.config import Settings
from peacekg.namespaces import GraphNames
from peacekg.store import QueryResult, StoreError, graph_quads
from peacekg.stores import KINDS, Answer, StoreKind, StoreTimeout
from peacekg.workers import Job

_TRIPLES = "application/n-triples"
#: A query without this keyword cannot see a named graph, so it needs no named-graph-uri list.
_GRAPH_KEYWORD = re.compile(r"\bGRAPH\b", re.IGNORECASE)
#: Times a GRAPH query is asked again when a push switched the graphs while it ran.
_CONSISTENT_ATTEMPTS = 3
#: Told how far a push has got: (graphs loaded, graphs in all, triples loaded).
Progress = Callable[[int, int, int], None]


class RemoteStore:
    """Query, update and replace our named graphs in a SPARQL 1.1 store over HTTP."""

    def __init__(
        self,
        query_url: str,
        *,
        update_url: str | None = None,
        gsp_url: str | None = None,
        graphs: GraphNames | None = None,
        timeout: float = 30.0,
        write_timeout: float = 3600.0,
        kind: StoreKind | None = None,
    ) -> None:
        for url in (query_url, update_url, gsp_url):
            if url is not None and urllib.parse.urlsplit(url).scheme not in {"http", "https"}:
                raise StoreError(f"remote store URL must be http(s): {url!r}")
        self.query_url = query_url
        self.update_url = update_url
        self.gsp_url = gsp_url
        self.graphs = graphs or GraphNames()
        self.timeout = timeout
        self.write_timeout = write_timeout
        self.kind = kind or StoreKind()
        self._opener = self.kind.opener([u for u in (query_url, update_url, gsp_url) if u])

    @classmethod
    def from_settings(cls, settings: Settings) -> RemoteStore:
        """The remote store the settings name (``store_url`` must be set)."""
        if not settings.store_url:
            raise StoreError("no store_url configured")
        return cls(
            settings.store_url,
            update_url=settings.store_update_url,
            gsp_url=settings.store_gsp_url,
            graphs=settings.graphs,
            timeout=settings.query_timeout,
            write_timeout=settings.store_write_timeout,
            kind=KINDS[settings.store_kind](
                user=settings.store_user, password=settings.store_password
            ),
        )

    def _send(self, request: urllib.request.Request, timeout: float | None = None) -> Answer:
        """Send ``request`` (a query unless a ``timeout`` is given: a load or an update); the
        store's refusal comes back named, with its own words."""
        limit = self.timeout + self.kind.answer_grace if timeout is None else timeout
        try:
            with self._opener.open(request, timeout=limit) as response:
                return Answer(
                    response.headers.get_content_type(), response.headers, response.read()
                )
        except urllib.error.HTTPError as error:
            message = error.read().decode("utf-8", "replace").strip()
            if error.code == 400 and timeout is None:  # a query (writes name their refusal)
                raise SyntaxError(message or "the remote store rejected the request") from error
            raise StoreError(
                f"{self.kind.name} at {request.full_url} refused: HTTP {error.code}: {message}"
            ) from error
        except OSError as error:
            reason = error.reason if isinstance(error, urllib.error.URLError) else error
            if isinstance(reason, TimeoutError):
                if timeout is None:
                    message = (
                        f"query stopped after {self.timeout:g} s (the server's query_timeout): "
                        f"PeaceKG abandoned it; {self.kind.abandoned}"
                    )
                else:
                    message = (
                        f"{self.kind.name} at {request.full_url}: no answer in {limit:g} s "
                        "(store_write_timeout)"
                    )
                raise StoreTimeout(message) from error
            raise StoreError(f"{self.kind.name} at {request.full_url}: {error}") from error

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        """Evaluate ``sparql`` remotely; results come back as pyoxigraph objects.

        Without ``named_graphs``, ``GRAPH`` sees our graphs: the union graphs and every
        assertion graph the store holds (not a staging graph, nor another project's).
        """
        default = default_graphs or self.graphs.union()
        if named_graphs is not None or not _GRAPH_KEYWORD.search(sparql):
            return self._query(sparql, default, named_graphs or [])
        return self._query_our_graphs(sparql, default)

    def _query_our_graphs(self, sparql: str, default_graphs: Sequence[str]) -> QueryResult:
        """Evaluate ``sparql`` with our graphs as its named graphs, listed before and after.

        The list and the query are two requests: a push switching in between would leave a
        query of the new graphs under the old list (a new assertion graph missing, say). The
        store runs each request on one state, so when the list after the query is the list
        before it, the query saw exactly the graphs it was sent; otherwise it is asked again.
        """
        names = self.graph_names()
        for _attempt in range(_CONSISTENT_ATTEMPTS):
            result = self._query(sparql, default_graphs, names)
            again = self.graph_names()
            if again == names:
                return result
            names = again
        raise StoreError(
            f"the graphs of {self.kind.name} kept changing during {_CONSISTENT_ATTEMPTS} "
            "attempts of one query (pushes one after another?)"
        )

    def run(self, job: Job) -> QueryResult:
        """Evaluate an endpoint job with the same dataset the embedded store's workers use.

        ``default_graphs=None`` without ``union`` keeps the query's own FROM clauses, so no
        ``default-graph-uri`` is sent (it would replace them, Protocol 2.1.4).
        """
        if job.default_graphs is None and not job.union:
            return self._query(job.query, None, job.named_graphs or [])
        return self.query(
            job.query, default_graphs=job.default_graphs, named_graphs=job.named_graphs
        )

    def _query(
        self, sparql: str, default_graphs: Sequence[str] | None, named_graphs: Sequence[str]
    ) -> QueryResult:
        """POST a query; ``default_graphs=None`` leaves the dataset to the store."""
        params: list[tuple[str, str]] = [("query", sparql)]
        params += self.kind.query_parameters(self.timeout)
        params += [("default-graph-uri", g) for g in default_graphs or []]
        params += [("named-graph-uri", g) for g in named_graphs]
        request = urllib.request.Request(
            self.query_url,
            data=urllib.parse.urlencode(params).encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": self.kind.accept(sparql),
            },
        )
        answer = self._send(request)
        self.kind.check_answer(answer, self.timeout)
        content_type, body = answer.content_type, self.kind.results_body(answer)
        if content_type == _TRIPLES:
            # Re-run a trivial CONSTRUCT locally so callers get the same QueryTriples type.
            scratch = pyoxigraph.Store()
            scratch.load(body, format=pyoxigraph.RdfFormat.N_TRIPLES)
            return scratch.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
        return pyoxigraph.parse_query_results(body, format=pyoxigraph.QueryResultsFormat.JSON)

    def _stored_graphs(self) -> list[str]:
        """Every named graph in the store's own dataset (no dataset parameters sent)."""
        result = self._query(self.kind.list_graphs, None, [])
        assert isinstance(result, pyoxigraph.QuerySolutions)
        return sorted(row["g"].value for row in result if row["g"] is not None)

    def graph_names(self) -> list[str]:
        """Our graphs in the store: the union graphs, then each assertion graph."""
        names = self.graphs
        assertions = [g for g in self._stored_graphs() if names.is_assertion(g)]
        return [*names.union(), *assertions]

    def update(self, sparql: str) -> None:
        """Run a SPARQL 1.1 Update on the remote store."""
        if not self.update_url:
            raise StoreError("no update URL configured for the remote store")
        request = urllib.request.Request(
            self.update_url,
            data=sparql.encode("utf-8"),
            headers={"Content-Type": "application/sparql-update"},
        )
        # A switch moves whole graphs in one transaction: minutes for a big graph.
        self._send(request, timeout=self.write_timeout)

    def graph_counts(self) -> dict[str, int]:
        """Triples per named graph."""
        result = self.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        )
        assert isinstance(result, pyoxigraph.QuerySolutions)
        counts = {}
        for row in result:
            graph, count = row["g"], row["n"]
            assert graph is not None and count is not None
            counts[graph.value] = int(count.value)
        return counts

    def replace_graphs(self, graphs: Mapping[str, Graph], progress: Progress | None = None) -> None:
        """Replace our graphs by ``graphs`` (rdflib, from a build): see :meth:`replace`."""
        self.replace(
            {iri: (q.triple for q in graph_quads(g, None)) for iri, g in graphs.items()}, progress
        )

    def replace(
        self, graphs: Mapping[str, Iterable[pyoxigraph.Triple]], progress: Progress | None = None
    ) -> None:
        """Load each graph into a staging graph, then switch all of them in with one update.

        Readers see the old graphs or the new ones, never a mix (the store kind's switch is
        one transaction); a failed load touches nothing but staging graphs. The same update
        drops our graphs that the new build no longer has (an assertion removed from the
        data, a graph left empty), so none lingers.
        """
        if not self.gsp_url:
            raise StoreError("no Graph Store Protocol URL configured for the remote store")
        staging_base = self.graphs.base_iri + "graph/staging/"
        ours = set(self.graphs.union())
        stale = [
            g
            for g in self._stored_graphs()
            if g not in graphs
            and (g in ours or self.graphs.is_assertion(g) or g.startswith(staging_base))
        ]
        # A small authenticated request first: leftovers of a failed push go, and a store
        # asking for authentication has challenged us before the first big upload.
        # (They are reused as staging graphs, so the switch must not drop them again.)
        leftovers = [g for g in stale if g.startswith(staging_base)] or [staging_base + "0"]
        self.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in leftovers))
        stale = [g for g in stale if not g.startswith(staging_base)]
        moves: dict[str, str] = {}
        loaded = 0
        for index, (iri, triples) in enumerate(graphs.items()):
            # Staging graphs are outside the assertion base: a reader listing assertion
            # graphs during the upload must not see them.
            staging = f"{staging_base}{index}"
            loaded += self.load_graph(staging, triples)
            moves[staging] = iri
            if progress is not None:
                progress(index + 1, len(graphs), loaded)
        switch = self.kind.switch_statements(moves, stale)
        if switch:
            self.update(switch)

    def _send_load(self, request: urllib.request.Request, attempts: int = 3) -> None:
        """Send one load request, again when the store rolled it back (its retry marker)."""
        marker = self.kind.retry_marker
        for attempt in range(attempts):
            try:
                self._send(request, timeout=self.write_timeout)
                return
            except StoreError as error:
                if marker is None or marker not in str(error) or attempt == attempts - 1:
                    raise

    def load_graph(self, iri: str, triples: Iterable[pyoxigraph.Triple]) -> int:
        """Replace graph ``iri`` by ``triples`` (Graph Store Protocol: PUT, then POSTs that add).

        A big graph goes in chunks of the store kind's size, so no request is huge; a graph
        with blank nodes is never split, since each request is its own blank-node scope.
        Returns the number of triples sent.
        """
        assert self.gsp_url is not None
        url = (
            self.gsp_url
            + "?"
            + urllib.parse.urlencode([("graph", iri), *self.kind.load_parameters()])
        )
        method, sent = "PUT", 0
        for chunk in _chunks(triples, self.kind.chunk_triples):
            body = pyoxigraph.serialize(chunk, format=pyoxigraph.RdfFormat.N_TRIPLES)
            request = urllib.request.Request(
                url, data=body or b"", method=method, headers={"Content-Type": _TRIPLES}
            )
            self._send_load(request)
            method, sent = "POST", sent + len(chunk)
        return sent


def _chunks(triples: Iterable[pyoxigraph.Triple], size: int) -> Iterator[list[pyoxigraph.Triple]]:
    """``triples`` in lists of ``size`` (one, maybe empty, list once a blank node is seen)."""
    chunk: list[pyoxigraph.Triple] = []
    blank = yielded = False
    for triple in triples:
        chunk.append(triple)
        blank = blank or isinstance(triple.subject, pyoxigraph.BlankNode)
        blank = blank or isinstance(triple.object, pyoxigraph.BlankNode)
        if len(chunk) >= size and not blank:
            yield chunk
            chunk, yielded = [], True
    if chunk or not yielded:
        yield chunk
