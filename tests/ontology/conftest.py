"""Shared fixtures for the ontology tests: the ontology and shapes graphs, parsed once."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

REPO = Path(__file__).resolve().parents[2]
ONTOLOGY_DIR = REPO / "ontology"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def ontology() -> Graph:
    """``ontology/peacekg.ttl``."""
    return Graph().parse(ONTOLOGY_DIR / "peacekg.ttl")


@pytest.fixture(scope="session")
def shapes() -> Graph:
    """``ontology/shapes.ttl``."""
    return Graph().parse(ONTOLOGY_DIR / "shapes.ttl")
