"""The generic SPARQL 1.1 store: what every store kind inherits and may override."""

from __future__ import annotations

import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import Message

from peacekg.store import StoreError


class StoreTimeout(StoreError):
    """The store's answer did not come (or came incomplete) within the query timeout."""


@dataclass(frozen=True)
class Answer:
    """A store's HTTP answer: its media type, headers and body."""

    content_type: str
    headers: Message
    body: bytes


class StoreKind:
    """A SPARQL 1.1 store reached through the Protocol and the Graph Store HTTP Protocol only.

    The Protocol has no way to pass a time limit, so the client gives up after
    ``query_timeout`` and closes the connection; what the store does with the query then is
    its own business (:attr:`abandoned`).
    """

    name = "SPARQL 1.1 store"
    #: What the store does with a query whose client gave up (said in the 503 and README).
    abandoned = "the store may go on evaluating it: set the store's own query time limit"
    #: Triples per Graph Store Protocol request when loading (one PUT, then POSTs that add).
    chunk_triples = 200_000
    #: Words of a refused load that mean "rolled back, send it again" (a deadlock).
    retry_marker: str | None = None
    #: Seconds the client waits past the time limit for the store's own "stopped" answer.
    answer_grace = 0.0
    #: Every named graph of the store; ``GRAPH ?g { }`` is the standard's cheapest way.
    list_graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"

    def __init__(self, *, user: str | None = None, password: str | None = None) -> None:
        self.user = user
        self.password = password

    def opener(self, urls: list[str]) -> urllib.request.OpenerDirector:
        """A URL opener that authenticates to ``urls`` when a user is set (HTTP Basic here)."""
        handlers: list[urllib.request.BaseHandler] = []
        if self.user is not None:
            passwords = urllib.request.HTTPPasswordMgrWithPriorAuth()
            for url in urls:
                passwords.add_password(
                    None, url, self.user, self.password or "", is_authenticated=True
                )
            handlers.append(urllib.request.HTTPBasicAuthHandler(passwords))
        return urllib.request.build_opener(*handlers)

    def load_parameters(self) -> list[tuple[str, str]]:
        """Extra parameters of a Graph Store load into a staging graph (none in the standard)."""
        return []

    def query_parameters(self, timeout: float) -> list[tuple[str, str]]:
        """Extra query-string parameters that pass the time limit on (none in the standard)."""
        return []

    def check_answer(self, answer: Answer, timeout: float) -> None:
        """Raise :class:`StoreTimeout` when a 200 answer is really a cut-off one."""

    def accept(self, sparql: str) -> str:
        """The Accept header for ``sparql``: results JSON, else N-Triples for a graph."""
        return "application/sparql-results+json, application/n-triples;q=0.9"

    def results_body(self, answer: Answer) -> bytes:
        """The answer's body as the standard results format has it (the store's own as is)."""
        return answer.body

    def switch_statements(self, moves: Mapping[str, str], stale: list[str]) -> str:
        """One SPARQL Update that drops ``stale`` graphs and moves each staging graph in.

        One Update request is one transaction in the stores we target (Oxigraph, Virtuoso,
        Fuseki with TDB2), so readers see the old graphs or the new ones, never a mix.
        """
        statements = [f"DROP SILENT GRAPH <{g}>" for g in stale]
        statements += [f"MOVE SILENT GRAPH <{s}> TO GRAPH <{t}>" for s, t in moves.items()]
        return " ;\n".join(statements)
