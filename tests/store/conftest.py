"""Real remote stores for the tests: one Oxigraph server and one Virtuoso per test session,
each holding the real graph, pushed into it by ``peacekg push``'s code."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from peacekg.config import Settings
from peacekg.push import push
from tests.oxigraph_server import oxigraph_server
from tests.virtuoso_server import PASSWORD, USER, virtuoso_server

STORES = ["oxigraph", "virtuoso"]


@pytest.fixture(scope="session")
def oxigraph_base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of an ``oxigraph serve`` (``/query``, ``/update``, ``/store``)."""
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph-remote") / "db") as url:
        yield url


@pytest.fixture(scope="session")
def virtuoso_urls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, str]]:
    """(query, update, Graph Store) URLs of a Virtuoso 7 run from a temporary directory."""
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as server:
        yield server.query_url, server.update_url, server.gsp_url


def remote_settings(settings: Settings, kind: str, request: pytest.FixtureRequest) -> Settings:
    """``settings`` pointed at the session's remote store of ``kind``."""
    if kind == "oxigraph":
        base = request.getfixturevalue("oxigraph_base")
        return dataclasses.replace(
            settings,
            store_url=base + "/query",
            store_update_url=base + "/update",
            store_gsp_url=base + "/store",
            store_kind="oxigraph",
        )
    query, update, gsp = request.getfixturevalue("virtuoso_urls")
    return dataclasses.replace(
        settings,
        store_url=query,
        store_update_url=update,
        store_gsp_url=gsp,
        store_kind="virtuoso",
        store_user=USER,
        store_password=PASSWORD,
    )


@pytest.fixture(scope="session", params=STORES)
def pushed(request: pytest.FixtureRequest, built_settings: Settings) -> Settings:
    """Settings serving the real graph from a remote store it was pushed into."""
    settings = remote_settings(built_settings, request.param, request)
    push(settings)
    return settings
