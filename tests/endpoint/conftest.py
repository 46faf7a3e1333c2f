"""Fixtures of the endpoint tests: the mini project built once, apps, a live waitress server."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import waitress
from flask import Flask
from flask.testing import FlaskClient

from peacekg.config import Settings
from peacekg.pipeline import build
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


@pytest.fixture
def serve() -> Iterator[Callable[[Flask], LiveServer]]:
    """Start ``app`` under waitress on a free port; everything is stopped afterwards."""
    servers: list[tuple[object, threading.Thread, Flask]] = []

    def start(app: Flask) -> LiveServer:
        settings = app.extensions["peacekg"].settings
        server = waitress.create_server(
            app,
            host="127.0.0.1",
            port=0,
            threads=8,
            max_request_body_size=settings.max_request_bytes,
            ident="peacekg",
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        servers.append((server, thread, app))
        port = server.effective_port  # type: ignore[union-attr]
        return LiveServer(app=app, url=f"http://127.0.0.1:{port}", settings=settings)

    yield start
    for server, thread, app in servers:
        server.close()  # type: ignore[attr-defined]
        thread.join(timeout=10)
        shutdown(app)
