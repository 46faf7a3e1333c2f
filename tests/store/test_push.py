"""``peacekg push``: progress, the store's refusal named, and nothing half-loaded on failure."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner

from peacekg.cli import main
from peacekg.config import Settings
from peacekg.pipeline import build, needs_build
from peacekg.push import push
from peacekg.remote import RemoteStore
from peacekg.store import StoreError
from tests.conftest import settings_for
from tests.mini import graph_counts
from tests.oxigraph_server import oxigraph_server

pytestmark = pytest.mark.slow


@pytest.fixture
def oxigraph(tmp_path: Path) -> Iterator[str]:
    with oxigraph_server(tmp_path / "oxi") as url:
        yield url


def _to(settings: Settings, url: str) -> Settings:
    return dataclasses.replace(
        settings,
        store_url=url + "/query",
        store_update_url=url + "/update",
        store_gsp_url=url + "/store",
        store_kind="oxigraph",
    )


def test_push_command_loads_the_built_graph_with_progress(mini: Path, oxigraph: str) -> None:
    build(settings_for(mini))
    result = CliRunner().invoke(
        main,
        [
            "push",
            "--build-dir",
            str(mini / "build"),
            "--store-url",
            oxigraph + "/query",
            "--store-update-url",
            oxigraph + "/update",
            "--store-gsp-url",
            oxigraph + "/store",
            "--store-kind",
            "oxigraph",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    remote = _to(settings_for(mini), oxigraph)
    counts = graph_counts(remote.graphs)
    assert f"[push] graph {len(counts)}/{len(counts)} loaded" in result.stderr
    assert f"pushed {sum(counts.values())} triples in {len(counts)} graphs" in result.stdout
    assert RemoteStore.from_settings(remote).graph_counts() == counts
    # The manifest names the remote store now: serving from it needs no new build.
    assert needs_build(remote) is False


def test_a_failed_push_leaves_the_served_graphs_as_they_were(mini: Path, oxigraph: str) -> None:
    settings = _to(settings_for(mini), oxigraph)
    build(settings_for(mini))
    push(settings)
    store = RemoteStore.from_settings(settings)
    before = store.graph_counts()

    def failing() -> Iterator[pyoxigraph.Triple]:
        yield pyoxigraph.Triple(
            pyoxigraph.NamedNode("http://example.org/s"),
            pyoxigraph.NamedNode("http://example.org/p"),
            pyoxigraph.Literal("o"),
        )
        raise OSError("the source went away half-way")

    graphs = {settings.graphs.ontology: iter([]), settings.graphs.asserted: failing()}
    with pytest.raises(OSError, match="half-way"):
        store.replace(graphs)
    assert store.graph_counts() == before
    # The next push clears what the failed one left in its staging graphs.
    push(settings)
    assert store.graph_counts() == before


def test_the_stores_refusal_is_named(
    mini: Path, oxigraph: str, request: pytest.FixtureRequest
) -> None:
    build(settings_for(mini))
    wrong = dataclasses.replace(
        _to(settings_for(mini), oxigraph), store_update_url=oxigraph + "/query"
    )
    with pytest.raises(
        StoreError, match=r"^Oxigraph server at http://127\.0\.0\.1:\d+/query refused: HTTP 4\d\d"
    ):
        push(wrong)
    query, update, gsp = request.getfixturevalue("virtuoso_urls")
    virtuoso = dataclasses.replace(
        settings_for(mini),
        store_url=query,
        store_update_url=update,
        store_gsp_url=gsp,
        store_kind="virtuoso",
        store_user="dba",
        store_password="not-the-password",  # noqa: S106
    )
    with pytest.raises(
        StoreError, match=r"^Virtuoso at http://127\.0\.0\.1:\d+/sparql-auth refused: HTTP 401"
    ):
        push(virtuoso)
