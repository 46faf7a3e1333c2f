"""Fixtures of the endpoint tests: the mini project built once, apps, a live waitress server."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from peacekg.pipeline import build
from peacekg.web import create_app
from peacekg.web.sparql import shutdown
from tests.conftest import mini_project, settings_for
from tests.live import LiveServer, start_server

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
