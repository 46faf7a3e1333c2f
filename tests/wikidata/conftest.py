"""Fixtures for the Wikidata tests: a real local stand-in endpoint and a small built project.

The stand-in is ``oxigraph serve-read-only`` on a free 127.0.0.1 port, loaded with
``fixtures/wikidata-standin.ttl`` (Wikidata's RDF model). No test touches the network.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from rdflib import Graph

from peacekg.config import Settings
from peacekg.load import LoadedSources, load
from peacekg.pipeline import build
from peacekg.store import EmbeddedStore
from tests.conftest import ROOT, SEEDS, settings_for
from tests.oxigraph_server import oxigraph_cli, oxigraph_server

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
STANDIN = FIXTURES / "wikidata-standin.ttl"
PROJECT = FIXTURES / "project"


@pytest.fixture(scope="session")
def standin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Query URL of a running Wikidata stand-in (read-only Oxigraph on 127.0.0.1)."""
    cli = oxigraph_cli()
    location = tmp_path_factory.mktemp("wikidata-standin") / "db"
    subprocess.run(
        [cli, "load", "--location", str(location), "--file", str(STANDIN)],
        check=True,
        capture_output=True,
    )
    with oxigraph_server(location, read_only=True) as url:
        yield url + "/query"


def fixture_sources() -> LoadedSources:
    """The test dataset as the build loads it (assertions, provenance, alignment), unbuilt."""
    return load(ROOT / "ontology", PROJECT / "data", ROOT / "ontology" / "shapes.ttl")


def fixture_graphs() -> tuple[Graph, Graph]:
    """(curated, ontology) of the test dataset: facts with their links, for the link checks."""
    sources = fixture_sources()
    return sources.curated, sources.ontology


def project_settings(build_dir: Path, **overrides: object) -> Settings:
    """Settings for the test dataset with the project's real ontology, shapes and checks."""
    values: dict[str, object] = {
        "ontology_dir": ROOT / "ontology",
        "data_dir": PROJECT / "data",
        "shapes_file": ROOT / "ontology" / "shapes.ttl",
        "queries_dir": ROOT / "queries",
        "build_dir": build_dir,
        "sources_dir": SEEDS,  # the fixture's quotes are verified like the real data's
    }
    values.update(overrides)
    return settings_for(PROJECT, **values)


@pytest.fixture(scope="session")
def wd_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The test dataset, built once into a temporary build directory."""
    settings = project_settings(tmp_path_factory.mktemp("wikidata-build"))
    build(settings)
    return settings


@pytest.fixture(scope="session")
def wd_store(wd_settings: Settings) -> EmbeddedStore:
    """The built store of the test dataset."""
    return EmbeddedStore.for_graphs(wd_settings.store_path, wd_settings.graphs)


@pytest.fixture(scope="module")
def client(wd_settings: Settings) -> Iterator[FlaskClient]:
    """A test client of the app over the test dataset (one app per module, shut down after)."""
    from peacekg.web import create_app
    from peacekg.web.sparql import shutdown

    app = create_app(wd_settings)
    try:
        yield app.test_client()
    finally:
        shutdown(app)
