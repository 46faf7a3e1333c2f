"""The Python API as a notebook user meets it (issue 14): one line to open, rows, entities."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import URIRef

import peacekg
from peacekg.pipeline import build
from peacekg.store import StoreError
from tests.conftest import mini_project, settings_for

EX = "http://example.org/mini#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
ROUNDS = f"""PREFIX ex: <{EX}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?round ?label WHERE {{ ?round a ex:Round ; rdfs:label ?label }} ORDER BY ?label"""


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini project, built once for this module."""
    project = mini_project(tmp_path_factory.mktemp("api") / "mini")
    build(settings_for(project))
    return project / "build"


@pytest.fixture(scope="module")
def graph(build_dir: Path) -> peacekg.Graph:
    return peacekg.open(build_dir)


def test_query_gives_rows_of_plain_values(graph: peacekg.Graph) -> None:
    assert graph.query(ROUNDS) == [
        {"round": EX + "round1", "label": "Round 1"},
        {"round": EX + "round2", "label": "Round 2"},
    ]
    count = graph.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?r a <{EX}Event> }}")
    assert count == [{"n": 2}]  # the rounds are events by reasoning; an int, not a string
    assert graph.query(f"ASK {{ <{EX}round2> <{EX}partOf> <{EX}talks> }}") == [{"ask": True}]
    # The endpoint's prefixes need no PREFIX line, as at /sparql.
    assert graph.query(f"SELECT ?l {{ <{EX}round1> rdfs:label ?l }}") == [{"l": "Round 1"}]


def test_entity_statements_carry_their_sources(graph: peacekg.Graph) -> None:
    round2 = graph.entity(EX + "round2")
    assert round2.label == "Round 2"
    part_of = [s for s in round2.statements if s.predicate == EX + "partOf"]
    by_value = {s.value: s for s in part_of}
    assert set(by_value) == {EX + "istanbul", EX + "talks"}
    # Two passages, in two documents, state that round 2 is part of the Istanbul meetings.
    stated = by_value[EX + "istanbul"]
    assert not stated.inferred
    assert [
        (s.assertion.rsplit("/", 1)[1], s.document, s.quote, s.kind) for s in stated.sources
    ] == [
        (
            "mini-report-round2",
            EX + "report",
            "Round 2 was held within the Istanbul meetings",
            "stated",
        ),
        ("mini-round2", EX + "minutes", "Round 2 of the Istanbul meetings came next", "stated"),
    ]
    # Part of the talks only by transitivity: inferred, no source.
    assert by_value[EX + "talks"].inferred
    assert by_value[EX + "talks"].sources == ()
    assert set(round2.values(RDF_TYPE)) >= {EX + "Round", EX + "Event"}


def test_entity_by_unknown_name_is_a_key_error(graph: peacekg.Graph) -> None:
    with pytest.raises(
        KeyError, match=re.escape("no statements about https://w3id.org/peacekg/id/nobody")
    ):
        graph.entity("nobody")


def test_named_graph_is_an_rdflib_graph(graph: peacekg.Graph) -> None:
    ontology = graph.named_graph("ontology")
    assert (
        URIRef(EX + "Round"),
        URIRef(RDF_TYPE),
        URIRef("http://www.w3.org/2002/07/owl#Class"),
    ) in ontology
    asserted = graph.named_graph(graph.graphs.asserted)
    assert (URIRef(EX + "round2"), URIRef(EX + "partOf"), URIRef(EX + "istanbul")) in asserted
    assert (
        len(graph.construct(f"CONSTRUCT {{ ?r a <{EX}Round> }} WHERE {{ ?r a <{EX}Round> }}")) == 2
    )


def test_dataframe(graph: peacekg.Graph) -> None:
    pytest.importorskip("pandas")
    frame = graph.dataframe(ROUNDS)
    assert list(frame.columns) == ["round", "label"]
    assert frame["label"].tolist() == ["Round 1", "Round 2"]


def test_open_without_a_store_says_how_to_build(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="run `peacekg build`"):
        peacekg.open(tmp_path / "build")
