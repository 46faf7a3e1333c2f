"""App-wide error handling and per-app state: a generic text/plain 500, no module globals."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from peacekg.web import sparql as sparql_module
from peacekg.web.sparql import Endpoint, endpoint

_LOCK_TYPES = (type(threading.Lock()), type(threading.RLock()))


def _boom() -> str:
    raise RuntimeError("a bug in a handler")


def test_an_unexpected_exception_is_a_logged_text_500(
    built_mini: Path, make_app: Callable[..., Flask], caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app(built_mini)
    app.add_url_rule("/boom", view_func=_boom)
    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert response.content_type == "text/plain; charset=utf-8"
    assert response.data == b"internal error (logged)\n"
    (record,) = [r for r in caplog.records if r.exc_info is not None]
    assert record.name == app.logger.name
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], RuntimeError)
    assert str(record.exc_info[1]) == "a bug in a handler"


def test_a_broken_store_is_a_text_500(
    built_mini: Path, make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(built_mini)
    store = app.extensions["peacekg"].store

    def broken() -> dict[str, int]:
        raise KeyError("broken")

    monkeypatch.setattr(store, "graph_counts", broken)
    response = app.test_client().get("/sparql", headers={"Accept": "text/turtle"})
    assert (response.status_code, response.content_type, response.data) == (
        500,
        "text/plain; charset=utf-8",
        b"internal error (logged)\n",
    )


def test_http_errors_keep_their_own_responses(
    built_mini: Path, make_app: Callable[..., Flask]
) -> None:
    client = make_app(built_mini).test_client()
    missing = client.get("/no/such/page")
    assert missing.status_code == 404
    assert b"internal error" not in missing.data
    # The endpoint's own plain-text errors are untouched.
    wrong = client.put("/sparql")
    assert (wrong.status_code, wrong.data) == (
        405,
        b"method PUT not allowed here; use GET, HEAD, OPTIONS, POST\n",
    )
    bad = client.get("/sparql", query_string={"query": "SELEC nothing"})
    assert bad.status_code == 400
    assert bad.data.startswith(b"query syntax error: ")


def test_the_endpoint_module_keeps_no_lock(built_mini: Path) -> None:
    """The creation lock lives on each app, not in the module (no module-level state)."""
    assert not [n for n, v in vars(sparql_module).items() if isinstance(v, _LOCK_TYPES)]


def test_the_endpoint_state_is_created_once_per_app(
    built_mini: Path, make_app: Callable[..., Flask]
) -> None:
    first, second = make_app(built_mini), make_app(built_mini)
    assert isinstance(first.extensions["peacekg"].lock, _LOCK_TYPES)
    assert first.extensions["peacekg"].lock is not second.extensions["peacekg"].lock
    found: list[Endpoint] = []
    barrier = threading.Barrier(6)

    def get() -> None:
        barrier.wait()
        found.append(endpoint(first))

    threads = [threading.Thread(target=get) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(found) == 6
    assert all(ep is found[0] for ep in found)
    assert endpoint(second) is not found[0]
