"""The UI tests' own project: the mini fixture plus a few example queries written here.

The examples live in the test, not in ``queries/``, so these tests do not move when the
real catalogue changes; ``settings.queries_dir`` points at the temporary copy.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from peacekg.config import Settings
from peacekg.pipeline import build
from peacekg.web import create_app
from tests.conftest import mini_project, settings_for

EXAMPLES = {
    "01-rounds.rq": """\
# title: Rounds and their labels
# description: Every round of the talks with its label and the label's length,
#   in label order.
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


def ui_project(target: Path) -> Path:
    """The mini project with this suite's example queries in ``queries/examples``."""
    project = mini_project(target)
    examples = project / "queries" / "examples"
    examples.mkdir(parents=True, exist_ok=True)
    for name, text in EXAMPLES.items():
        (examples / name).write_text(text, encoding="utf-8")
    return project


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
