"""The UI tests' own project: the mini fixture plus a few example queries written here.

The examples live in the test, not in ``queries/``, so these tests do not move when the
real catalogue changes; ``settings.queries_dir`` points at the temporary copy. A few terms
of the PeaceKG ontology (``pkg:Claim`` …) are added for the editor's completion.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from peacekg.config import Settings
from peacekg.pipeline import build
from peacekg.web import create_app
from tests.conftest import mini_project, settings_for
from tests.live import start_server

EXAMPLES = {
    "01-rounds.rq": """\
# title: Rounds and their labels
# description: Every round of the talks with its label and the label's length,
#   in label order.
# expect: tests/queries/expected/01-rounds.csv
PREFIX ex: <http://example.org/mini#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?round ?label ?length WHERE {
  ?round a ex:Round ; rdfs:label ?label .
  BIND(STRLEN(?label) AS ?length)
}
ORDER BY ?label
""",
    "02-part-of.rq": """\
# title: What is part of what
# description: The partOf links as a graph (CONSTRUCT), asserted & inferred.
PREFIX ex: <http://example.org/mini#>
CONSTRUCT { ?part ex:partOf ?whole } WHERE { ?part ex:partOf ?whole }
""",
    "03-markup.rq": """\
# title: Escaping <b>check</b>
# description: A title & description with <script>alert("x")</script> markup in them.
ASK { ?s ?p ?o }
""",
}


# What the editor shows of each example: the catalogue's ``# expect:`` line is internal.
SHOWN = {
    name.removesuffix(".rq"): re.sub(r"^# expect:.*\n", "", text, flags=re.MULTILINE)
    for name, text in EXAMPLES.items()
}

# Terms as the PeaceKG ontology states them, for completion (``pkg:Cl`` offers pkg:Claim).
PKG_TERMS = """\
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix pkg: <https://w3id.org/peacekg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .

pkg:Claim a owl:Class ; rdfs:label "claim"@en ;
    skos:definition "Something an agent asserts, as a source reports it."@en .
pkg:ClaimStance a owl:Class ; rdfs:label "claim stance"@en .
pkg:claimant a owl:ObjectProperty ; rdfs:label "claimant"@en .
pkg:statement a owl:DatatypeProperty ; rdfs:label "statement"@en .
pkg:Ceasefire a skos:Concept ; rdfs:label "ceasefire"@en .
"""


def ui_project(target: Path) -> Path:
    """The mini project with this suite's example queries in ``queries/examples``."""
    project = mini_project(target)
    examples = project / "queries" / "examples"
    examples.mkdir(parents=True, exist_ok=True)
    for name, text in EXAMPLES.items():
        (examples / name).write_text(text, encoding="utf-8")
    (project / "ontology" / "pkg-terms.ttl").write_text(PKG_TERMS, encoding="utf-8")
    return project


@contextmanager
def serving(settings: Settings) -> Iterator[str]:
    """The app under PeaceKG's waitress server on a free port; yields its base URL and stops
    it only after the requests in progress finish (tests.live.start_server)."""
    live, stop = start_server(create_app(settings), threads=2)
    try:
        yield live.url
    finally:
        stop()


@pytest.fixture
def server(ui_settings: Settings) -> Iterator[str]:
    """A real server over the built UI project; yields its base URL."""
    with serving(ui_settings) as url:
        yield url


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the page tests leave screenshots for a person to look at (never committed)."""
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="module")
def ui_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings of a built UI project; built once per module (the build is the slow part)."""
    settings = settings_for(ui_project(tmp_path_factory.mktemp("ui") / "project"))
    build(settings)
    return settings


@pytest.fixture
def ui_app(ui_settings: Settings) -> Flask:
    """A fresh app over the built UI project."""
    return create_app(ui_settings)


@pytest.fixture
def ui_client(ui_app: Flask) -> FlaskClient:
    """A test client of that app."""
    return ui_app.test_client()
