"""The real graph pushed into each remote store, served through PeaceKG with the same answers.

Each store is a real server on 127.0.0.1 (``oxigraph serve``; Virtuoso 7 from Debian),
started once per session by tests/store/conftest.py.
"""

from __future__ import annotations

import csv
import io

import pytest

from peacekg.config import Settings
from peacekg.queries import CatalogueQuery
from peacekg.remote import RemoteStore
from tests.conftest import ROOT
from tests.queries.test_examples import LOCAL, run

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("query", LOCAL, ids=[q.slug for q in LOCAL])
def test_catalogue_goldens_on_the_remote_store(pushed: Settings, query: CatalogueQuery) -> None:
    assert query.expect is not None
    header, rows = run(RemoteStore.from_settings(pushed), query)
    expected = list(csv.reader(io.StringIO((ROOT / query.expect).read_text(encoding="utf-8"))))
    assert header == expected[0]
    if query.uses(r"ORDER\s+BY"):
        assert rows == expected[1:]
    else:
        assert sorted(rows) == sorted(expected[1:])


def test_the_remote_store_holds_the_built_graphs(
    pushed: Settings, built_settings: Settings
) -> None:
    from peacekg.store import EmbeddedStore

    embedded = EmbeddedStore.for_graphs(built_settings.store_path, built_settings.graphs)
    assert RemoteStore.from_settings(pushed).graph_counts() == embedded.graph_counts()
