"""Shared fixtures: a tiny project copied per test, and the real graph built once."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from peacekg.config import Settings, load_settings
from peacekg.pipeline import build
from peacekg.store import EmbeddedStore

pytest_plugins = ["tests.browser"]

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = Path(os.environ.get("PEACEKG_SHARED_DIR", ROOT.parent / "shared"))
SEEDS = Path(os.environ.get("PEACEKG_SOURCES_DIR", SHARED / "seeds"))
REFERENCE = Path(os.environ.get("PEACEKG_REFERENCE_DIR", SHARED / "reference"))


def pytest_sessionstart(session: pytest.Session) -> None:
    """Stop at once, saying what is missing, when the shared folder is not where it is looked
    for: most tests read the source texts and the checked Wikidata IDs kept outside the repo."""
    missing = ", ".join(str(p) for p in (SEEDS, REFERENCE) if not p.is_dir())
    if missing:
        pytest.exit(
            f"the project's shared folder is missing ({missing} not found): it holds the source "
            "texts (seeds/), the checked Wikidata IDs (reference/) and the W3C test data "
            "(conformance/), kept beside the checkout as ../shared; point PEACEKG_SHARED_DIR at "
            "it (PEACEKG_SOURCES_DIR / PEACEKG_REFERENCE_DIR for single folders)",
            returncode=2,
        )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def mini_project(target: Path) -> Path:
    """Copy the mini fixture project (ontology, shapes, data, checks) into ``target``."""
    shutil.copytree(FIXTURES / "mini", target, dirs_exist_ok=True)
    return target


def settings_for(project: Path, **overrides: object) -> Settings:
    """Settings for a project directory, built through the same loader the CLI uses."""
    values: dict[str, object] = {
        "ontology_dir": project / "ontology",
        "data_dir": project / "data",
        "shapes_file": project / "ontology" / "shapes.ttl",
        "queries_dir": project / "queries",
        "build_dir": project / "build",
    }
    values.update(overrides)
    return load_settings(environ={}, overrides=values, read_config_file=False)


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A fresh copy of the mini project."""
    return mini_project(tmp_path / "mini")


@pytest.fixture
def mini_settings(mini: Path) -> Settings:
    """Settings pointing at the mini project."""
    return settings_for(mini)


def repo_settings(build_dir: Path) -> Settings:
    """Settings for the project's own ontology and data, with the quote check on."""
    return settings_for(
        ROOT,
        build_dir=build_dir,
        sources_dir=SEEDS,
        reference_dir=REFERENCE,
    )


@pytest.fixture(scope="session")
def built_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The real graph, built once per test session into a temporary build directory."""
    settings = repo_settings(tmp_path_factory.mktemp("build"))
    build(settings)
    return settings


@pytest.fixture(scope="session")
def built_store(built_settings: Settings) -> Iterator[EmbeddedStore]:
    """The served store of the real graph: ``.query()`` over the union default graph."""
    yield EmbeddedStore.for_graphs(built_settings.store_path, built_settings.graphs)
