"""Oxigraph server (``oxigraph serve``, PyPI ``oxigraph``): the standard protocols, and one
bulk-load switch.

It runs one Update request in one transaction. A Graph Store request is one transaction too,
unless sent with ``no_transaction``, which loads about five times faster (LUBM(1): 5.5 s
against 27 s here); loads go to staging graphs that no reader sees, so they use it. The
switch is one Update request, so one transaction on one snapshot: readers see all the old
graphs or all the new ones. Its writes are Oxigraph's transactional ones, the slow kind: the
MOVE of LUBM(1)'s 100,573 triples took 43 s here (a DELETE/INSERT 30 s, INSERT DATA 107 s),
LUBM(10)'s 1.27 million 34 minutes (hence ``Settings.store_write_timeout``).

It takes no per-request time limit: started with ``--timeout-s N`` it stops a query after
N seconds itself; without it, a query whose client gave up runs to its end on one of the
server's threads.
"""

from __future__ import annotations

from peacekg.stores.base import StoreKind


class OxigraphServer(StoreKind):
    """``oxigraph serve``: ``/query``, ``/update``, ``/store``."""

    name = "Oxigraph server"

    def load_parameters(self) -> list[tuple[str, str]]:
        return [("no_transaction", "")]

    abandoned = (
        "Oxigraph server stops it only when started with --timeout-s; otherwise it runs on to "
        "its end on one server thread"
    )
