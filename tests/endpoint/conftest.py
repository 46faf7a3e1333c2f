"""Fixtures of the endpoint tests: the mini project built once, apps, a live waitress server."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from waitress import wasyncore
from waitress.server import BaseWSGIServer

from peacekg.config import Settings
from peacekg.pipeline import build
from peacekg.serve import create_server
from peacekg.web import create_app
from peacekg.web.sparql import shutdown
from tests.conftest import mini_project, settings_for

TOKEN = "s3cret-token"  # noqa: S105 - a test token, not a credential
MINI = "http://example.org/mini#"


@pytest.fixture(scope="session")
def built_mini(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini project, built once per session; tests copy it when they change the store."""
    project = mini_project(tmp_path_factory.mktemp("endpoint") / "mini")
    build(settings_for(project))
    return project


@pytest.fixture
def fresh_mini(built_mini: Path, tmp_path: Path) -> Path:
    """A private copy of the built mini project (store included), for tests that write."""
    target = tmp_path / "mini"
    shutil.copytree(built_mini, target, symlinks=True)
    return target


@pytest.fixture
def make_app() -> Iterator[Callable[..., Flask]]:
    """Build apps for a project with overrides; their query workers are stopped afterwards."""
    apps: list[Flask] = []

    def factory(project: Path, **overrides: object) -> Flask:
        overrides.setdefault("query_workers", 2)  # two cores: keep the test machine calm
        app = create_app(settings_for(project, **overrides))
        app.config["TESTING"] = True
        apps.append(app)
        return app

    yield factory
    for app in apps:
        shutdown(app)


@pytest.fixture
def app(built_mini: Path, make_app: Callable[..., Flask]) -> Flask:
    """A read-only app over the built mini project."""
    return make_app(built_mini)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Flask's test client for ``app``."""
    return app.test_client()


@dataclass
class LiveServer:
    """A waitress server in a background thread on 127.0.0.1."""

    app: Flask
    url: str
    settings: Settings


def start_server(app: Flask, threads: int = 8) -> tuple[LiveServer, Callable[[], None]]:
    """``app`` under PeaceKG's waitress server on a free port, and the function stopping it.

    Stopping first stops accepting and waits for the requests in progress (waitress's task
    threads) to finish, then closes the connections: closing them while a thread still
    writes a response made teardown error now and then (issue 13).
    """
    settings = app.extensions["peacekg"].settings
    server = create_server(app, settings, port=0, threads=threads)
    assert isinstance(server, BaseWSGIServer)  # one address: one listening server
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    port = server.effective_port  # type: ignore[attr-defined]

    def stop() -> None:
        server.accepting = False
        server.task_dispatcher.shutdown(cancel_pending=False, timeout=30)
        # Closed by the loop's own thread (a thunk run by the trigger): closing sockets
        # from here while it polls them would make it poll a closed descriptor.
        connections, trigger = vars(server)["_map"], vars(server)["trigger"]
        trigger.pull_trigger(lambda: wasyncore.close_all(connections))
        thread.join(timeout=10)
        assert not thread.is_alive()
        shutdown(app)

    return LiveServer(app=app, url=f"http://127.0.0.1:{port}", settings=settings), stop


@pytest.fixture
def serve() -> Iterator[Callable[[Flask], LiveServer]]:
    """Start ``app`` under waitress on a free port; everything is stopped afterwards."""
    stops: list[Callable[[], None]] = []

    def start(app: Flask) -> LiveServer:
        live, stop = start_server(app)
        stops.append(stop)
        return live

    yield start
    for stop in stops:
        stop()
