"""``peacekg push``: the built graph's named graphs into a remote SPARQL 1.1 store.

The graphs are read from the embedded store the last ``peacekg build`` switched in, so the
remote store gets exactly what passed validation and the checks, and is loaded the way
:meth:`RemoteStore.replace` loads (staging graphs, then one switching update): readers of
the remote store never see a half-loaded graph. The build manifest then names the remote
store, so ``peacekg serve`` over it does not build and push again.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pyoxigraph

from peacekg.config import Settings
from peacekg.pipeline import MANIFEST
from peacekg.remote import RemoteStore
from peacekg.store import EmbeddedStore, StoreError


@dataclass(frozen=True)
class PushResult:
    """What was pushed: graphs and triples, and where to."""

    graphs: int
    triples: int
    store_url: str


def _triples(store: EmbeddedStore, iri: str) -> Iterator[pyoxigraph.Triple]:
    result = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", default_graphs=[iri])
    assert isinstance(result, pyoxigraph.QueryTriples)
    yield from result


def push(settings: Settings, progress: Callable[[int, int, int], None] | None = None) -> PushResult:
    """Replace our graphs in the remote store of ``settings`` by the built store's graphs."""
    if not settings.store_url:
        raise StoreError("no remote store to push to: set store_url (and store_gsp_url)")
    local = EmbeddedStore.for_graphs(settings.store_path, settings.graphs)
    counts = local.graph_counts()  # StoreError naming the path when nothing was built
    remote = RemoteStore.from_settings(settings)
    remote.replace({iri: _triples(local, iri) for iri in sorted(counts)}, progress)
    _record(settings)
    return PushResult(len(counts), sum(counts.values()), settings.store_url)


def _record(settings: Settings) -> None:
    """Name the remote store in the build manifest (one rename: never half-written)."""
    path = settings.build_dir / MANIFEST
    if not path.is_file():
        return
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["store"] = settings.store_url
    temporary = path.with_name(f".{MANIFEST}.{os.getpid()}.push.tmp")
    try:
        temporary.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
