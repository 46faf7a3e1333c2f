"""What differs between SPARQL 1.1 stores, behind one small interface (:class:`StoreKind`).

:class:`peacekg.remote.RemoteStore` speaks only the standard protocols; a store kind adds
what the standards leave open: how a query's time limit is passed on and how the store says
it gave up, how big graphs are bulk-loaded, how the loaded graphs are switched in, and how a
client authenticates. Another store (Fuseki, QLever, GraphDB) is one module more here and one
entry in :data:`KINDS`.
"""

from __future__ import annotations

from peacekg.stores.base import Answer, StoreKind, StoreTimeout
from peacekg.stores.oxigraph_server import OxigraphServer
from peacekg.stores.virtuoso import Virtuoso

#: ``Settings.store_kind`` values.
KINDS: dict[str, type[StoreKind]] = {
    "sparql11": StoreKind,
    "oxigraph": OxigraphServer,
    "virtuoso": Virtuoso,
}

__all__ = ["KINDS", "Answer", "OxigraphServer", "StoreKind", "StoreTimeout", "Virtuoso"]
