"""Oxigraph server (``oxigraph serve``, PyPI ``oxigraph``): the standard protocols, as is.

It reads the whole body of a Graph Store request in one transaction and runs one Update
request in one transaction. It takes no per-request time limit: started with
``--timeout-s N`` it stops a query after N seconds itself; without it, a query whose client
gave up runs to its end on one of the server's threads.
"""

from __future__ import annotations

from peacekg.stores.base import StoreKind


class OxigraphServer(StoreKind):
    """``oxigraph serve``: ``/query``, ``/update``, ``/store``."""

    name = "Oxigraph server"
    abandoned = (
        "Oxigraph server stops it only when started with --timeout-s; otherwise it runs on to "
        "its end on one server thread"
    )
