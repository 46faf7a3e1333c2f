"""OpenLink Virtuoso 7: what it does differently from the SPARQL 1.1 standards, handled.

- Time limit: the ``timeout`` parameter (milliseconds) of ``/sparql`` is an "anytime query"
  limit: when it is reached, Virtuoso answers 200 with the rows found so far and says so only
  in the ``X-SQL-State: S1TAT`` header. Such an answer is a timeout here, never rows. The
  server's own ``MaxQueryExecutionTime`` (virtuoso.ini ``[SPARQL]``) ends any query, so an
  abandoned one stops there too.
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
- Results JSON: literals with a datatype come as ``"type": "typed-literal"`` (SPARQL 1.0's
  JSON draft), which pyoxigraph's parser reads as ``literal``.
"""

from __future__ import annotations

import http.client
import urllib.request

from peacekg.stores.base import Answer, StoreKind, StoreTimeout

#: Headers accepted in one answer: one per graph of the dataset, plus a few.
_MAX_HEADERS = 100_000


class Virtuoso(StoreKind):
    """Virtuoso 7: ``/sparql`` (read), ``/sparql-auth`` (update), ``/sparql-graph-crud-auth``."""

    name = "Virtuoso"
    list_graphs = "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    abandoned = (
        "Virtuoso is passed the limit as its timeout parameter and stops the query itself "
        "(and ends any query at its MaxQueryExecutionTime)"
    )

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
            handlers.append(urllib.request.HTTPDigestAuthHandler(passwords))
        return urllib.request.build_opener(*handlers)

    def query_parameters(self, timeout: float) -> list[tuple[str, str]]:
        return [("timeout", str(max(1, round(timeout * 1000))))]

    def check_answer(self, answer: Answer, timeout: float) -> None:
        state = answer.headers.get("X-SQL-State")
        if state == "S1TAT":
            raise StoreTimeout(
                f"Virtuoso stopped the query at its {timeout:g} s limit and sent partial "
                f"results ({answer.headers.get('X-SQL-Message', 'no message')})"
            )
