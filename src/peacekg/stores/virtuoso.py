"""OpenLink Virtuoso 7: what it does differently from the SPARQL 1.1 standards, handled.

- Time limit: the ``timeout`` parameter (milliseconds) of ``/sparql`` is an "anytime query"
  limit: when it is reached, Virtuoso answers 200 with the rows found so far and says so only
  in the ``X-SQL-State: S1TAT`` header. Such an answer is a timeout here, never rows. The
  server's own ``MaxQueryExecutionTime`` (virtuoso.ini ``[SPARQL]``) caps updates too: a
  push's switch (one update) that runs past it is rolled back with ``SR171: Transaction
  timed out`` (LUBM(10) at 60 s), so it must be 0 (no cap) or above the switch's time; the
  queries keep their own limit, the ``timeout`` parameter.
- Row cap: ``ResultSetMaxRows`` (virtuoso.ini ``[SPARQL]``) silently cuts every result: it
  must be above PeaceKG's ``max_rows`` so that PeaceKG's own cap (which is announced) acts.
- Authentication: updates and Graph Store writes go to ``/sparql-auth`` and
  ``/sparql-graph-crud-auth``, which ask for HTTP Digest (a user with the SPARQL_UPDATE role,
  e.g. ``dba``); the anonymous ``/sparql`` may only read.
- ``GRAPH ?g { }`` (an empty pattern) gives one row with ``?g`` unbound instead of one row
  per graph, and ``SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }`` scans for minutes
  (300 million rows read for 100 000 triples), so the graphs are listed with ``GROUP BY ?g``
  (milliseconds).
- Every graph of the request's dataset is echoed as one ``X-SPARQL-named-graph`` (or
  ``-default-graph``) header, and a query naming our few hundred graphs gets more headers
  than Python's http.client accepts (100): the limit is raised for this process.
- Without ``named-graph-uri``, ``GRAPH ?g`` sees every graph, Virtuoso's own system graphs
  too (the standard says none), so PeaceKG always sends the list of its graphs.
- Digest authentication: urllib sends a request's body before it learns of the challenge,
  and Virtuoso closes the connection after its 401 without reading a big body (a broken
  pipe), so once challenged the client answers every later request's challenge up front.
- Blank nodes in results JSON are ``nodeID://b10185``, not a valid blank-node label; the
  ``nodeID://`` prefix is dropped (N-Triples results already say ``_:b10185``).
- A CONSTRUCT or DESCRIBE asked with results JSON first in Accept comes back as a results
  table (?s ?p ?o), so the Accept header follows the query form (:meth:`accept`).
- A transitive path (``p+``) whose start is bound only by ``VALUES`` is refused ("transitive
  start not given"); PeaceKG's own queries write ``p+`` as ``p / p*`` there.
- Graph Store loads: a 200 000-triple request failed with ``SR172: Transaction deadlocked``
  (error 40001, rolled back) while loading LUBM(10); loads go in 50 000-triple requests and a
  deadlocked one is sent again.
- Results JSON: literals with a datatype come as ``"type": "typed-literal"`` (SPARQL 1.0's
  JSON draft), which pyoxigraph's parser reads as ``literal``.
"""

from __future__ import annotations

import http.client
import json
import re
import urllib.request
from typing import Any

from peacekg.stores.base import Answer, StoreKind, StoreTimeout

_NODE_ID = "nodeID://"
#: The query form after the prologue (comments, BASE and PREFIX declarations).
_FORM = re.compile(
    r"(?:\s+|#[^\n]*\n|BASE\s*<[^>]*>|PREFIX\s+[^:\s]*:\s*<[^>]*>)*"
    r"(SELECT|CONSTRUCT|DESCRIBE|ASK)\b",
    re.IGNORECASE,
)
#: Headers accepted in one answer: one per graph of the dataset, plus a few.
_MAX_HEADERS = 100_000


class Virtuoso(StoreKind):
    """Virtuoso 7: ``/sparql`` (read), ``/sparql-auth`` (update), ``/sparql-graph-crud-auth``."""

    name = "Virtuoso"
    chunk_triples = 50_000
    retry_marker = "SR172"
    # Its anytime answer comes up to a second or two after the limit (measured: 2.0 s for 1 s).
    answer_grace = 5.0
    list_graphs = "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    abandoned = "Virtuoso is passed the limit as its timeout parameter and stops the query itself"

    def __init__(self, *, user: str | None = None, password: str | None = None) -> None:
        super().__init__(user=user, password=password)
        # http.client offers no per-connection knob for its header limit; see the docstring.
        limit = max(getattr(http.client, "_MAXHEADERS", 100), _MAX_HEADERS)
        setattr(http.client, "_MAXHEADERS", limit)  # noqa: B010

    def opener(self, urls: list[str]) -> urllib.request.OpenerDirector:
        """Virtuoso's ``-auth`` endpoints ask for HTTP Digest, not Basic."""
        handlers: list[urllib.request.BaseHandler] = []
        if self.user is not None:
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            for url in urls:
                passwords.add_password(None, url, self.user, self.password or "")
            handlers.append(_PreemptiveDigest(passwords))
        return urllib.request.build_opener(*handlers)

    def query_parameters(self, timeout: float) -> list[tuple[str, str]]:
        return [("timeout", str(max(1, round(timeout * 1000))))]

    def accept(self, sparql: str) -> str:
        form = _FORM.match(sparql)
        if form is not None and form.group(1).upper() in {"CONSTRUCT", "DESCRIBE"}:
            return "application/n-triples"
        return "application/sparql-results+json"

    def results_body(self, answer: Answer) -> bytes:
        if b'"nodeID://' not in answer.body:
            return answer.body
        document: dict[str, Any] = json.loads(answer.body)
        for binding in document.get("results", {}).get("bindings", []):
            for value in binding.values():
                if value.get("type") == "bnode" and value["value"].startswith(_NODE_ID):
                    value["value"] = value["value"][len(_NODE_ID) :]
        return json.dumps(document).encode("utf-8")

    def check_answer(self, answer: Answer, timeout: float) -> None:
        state = answer.headers.get("X-SQL-State")
        if state == "S1TAT":
            raise StoreTimeout(
                f"Virtuoso stopped the query at its {timeout:g} s limit and sent partial "
                f"results ({answer.headers.get('X-SQL-Message', 'no message')})"
            )


class _PreemptiveDigest(urllib.request.HTTPDigestAuthHandler):
    """Digest authentication that reuses the last challenge for the next requests."""

    def __init__(self, passwords: urllib.request.HTTPPasswordMgr) -> None:
        super().__init__(passwords)
        self._challenge: dict[str, str] | None = None

    def retry_http_digest_auth(self, req: urllib.request.Request, auth: str) -> Any:
        _token, challenge = auth.split(" ", 1)
        self._challenge = urllib.request.parse_keqv_list(
            [part for part in urllib.request.parse_http_list(challenge) if part]
        )
        return super().retry_http_digest_auth(req, auth)

    def http_request(self, req: urllib.request.Request) -> urllib.request.Request:
        if self._challenge is not None and not req.has_header("Authorization"):
            authorization = self.get_authorization(req, self._challenge)
            if authorization:
                req.add_unredirected_header("Authorization", f"Digest {authorization}")
        return req
