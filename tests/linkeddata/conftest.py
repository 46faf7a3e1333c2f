"""Fixtures of the linked-data tests: the fixture graph (real ontology, small data) built once,
an app over it, and helpers of the tests."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import URIRef

from peacekg.config import Settings
from peacekg.load import load
from peacekg.namespaces import PKGR
from peacekg.pipeline import build
from peacekg.web import create_app
from tests.conftest import ROOT, settings_for

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FIXTURE_DATA = FIXTURES / "data"
BASE = "https://w3id.org/peacekg/"


@pytest.fixture(scope="session")
def ld_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The project's ontology over the fixture data, built once (shapes and checks are the
    fixture's own, empty, so that work on the project's shapes cannot break these tests)."""
    project = tmp_path_factory.mktemp("ld-project")
    (project / "ontology").mkdir()
    shutil.copy(ROOT / "ontology" / "peacekg.ttl", project / "ontology" / "peacekg.ttl")
    settings = settings_for(
        project,
        data_dir=FIXTURE_DATA,
        shapes_file=FIXTURES / "shapes.ttl",
        queries_dir=FIXTURES / "queries",
    )
    build(settings)
    return settings


@pytest.fixture(scope="session")
def ld_app(ld_settings: Settings) -> Flask:
    """The web app over the fixture graph."""
    # Not TESTING: an error in a page is a 500, as a crawler on the real server would see it.
    return create_app(ld_settings)


@pytest.fixture
def client(ld_app: Flask) -> FlaskClient:
    """A test client of :func:`ld_app`."""
    return ld_app.test_client()


def entity_iris(settings: Settings) -> set[str]:
    """Every IRI under ``<base>id/`` that the asserted data mentions (subject or object)."""
    asserted = load(settings.ontology_dir, settings.data_dir, settings.shapes_path).asserted
    prefix = settings.base_iri + "id/"
    found = set()
    for s, _p, o in asserted:
        for term in (s, o):
            if isinstance(term, URIRef) and str(term).startswith(prefix):
                found.add(str(term))
    return found


def reference_headings(html: str) -> tuple[str, str]:
    """The text of the reference's <title> and of its first <h1>."""
    title = re.search(r"<title[^>]*>(.*?)</title>", html, re.DOTALL)
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.DOTALL)
    assert title and heading

    def text(inner: str) -> str:
        return " ".join(re.sub(r"<[^>]+>", " ", inner).split())

    return text(title.group(1)), text(heading.group(1))


__all__ = ["BASE", "PKGR", "entity_iris", "reference_headings"]
