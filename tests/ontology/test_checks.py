"""QC checks in ``queries/checks/*-violation.rq``: silent on good data, firing on bad data.

Checks run, as in the build, over ONE default graph holding the ontology, the asserted data, its
provenance and the OWL 2 RL entailments, with the assertion graphs and the provenance graph also
named. The good data is the union of the valid SHACL fixtures; each check also has its own bad
fixture ``fixtures/checks/<name>-bad.ttl`` (``.trig`` when it is about assertion graphs: its
default graph is provenance, as in ``data/``) on which it must return exactly the rows below (a
guard against vacuous checks).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset, Graph
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from peacekg.checks import run_checks
from peacekg.reason import reason

REPO = Path(__file__).resolve().parents[2]
CHECKS_DIR = REPO / "queries" / "checks"
FIXTURES = Path(__file__).parent / "fixtures"
ID = "https://w3id.org/peacekg/id/"
PKG = "https://w3id.org/peacekg/ontology#"
PKGA = "https://w3id.org/peacekg/assertion/"
PROVENANCE = "https://w3id.org/peacekg/graph/provenance"

#: Valid shape fixtures that describe assertions and documents: provenance, not facts.
PROVENANCE_FIXTURES = {
    "Assertion",
    "AssertionType",
    "CuratorInference",
    "Passage",
    "SourceDocument",
}
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"

EXPECTED: dict[str, list[dict[str, str]]] = {
    "assertion-without-provenance": [
        {"assertion": PKGA + "unsourced"},
    ],
    "fact-outside-assertion": [
        {"subject": ID + "turkey", "predicate": RDF_TYPE, "object": PKG + "State"},
        {"subject": ID + "turkey", "predicate": RDFS_LABEL, "object": "Turkey"},
    ],
    "provenance-without-assertion": [
        {"assertion": PKGA + "rounds"},
    ],
    "stated-in-other-document": [
        {
            "node": ID + "claim-elsewhere",
            "assertion": PKGA + "claim-elsewhere",
            "statedIn": ID + "post",
            "derivedFrom": ID + "doc",
        },
    ],
    "claim-without-claimant-or-source": [
        {"claim": ID + "claim-no-claimant", "missing": "claimant"},
        {"claim": ID + "claim-no-document", "missing": "statedIn"},
    ],
    "claim-without-quote": [
        {"claim": ID + "claim-empty-quote"},
        {"claim": ID + "claim-no-quote"},
    ],
    "contradictory-stance": [
        {"claim": ID + "claim-a", "other": ID + "claim-b"},
    ],
    "date-bounds-inverted": [
        {"node": ID + "inverted", "earliest": "2022-03-31", "latest": "2022-03-21"},
    ],
    "deprecated-term": [
        {"node": ID + "event", "term": PKG + "OldEvent"},
        {"node": ID + "event", "term": PKG + "oldRole"},
    ],
    "follows-before-predecessor": [
        {"event": ID + "round-4", "predecessor": ID + "round-5"},
    ],
    "label-missing": [
        {"node": ID + "unlabelled-person"},
        {"node": ID + "unlabelled-place"},
    ],
    "part-of-cycle": [
        {"node": ID + "place-a", "property": PKG + "containedInPlace"},
        {"node": ID + "place-b", "property": PKG + "containedInPlace"},
        {"node": ID + "process", "property": PKG + "partOf"},
        {"node": ID + "round", "property": PKG + "partOf"},
    ],
    "part-outside-parent-dates": [
        {"part": ID + "meeting-february", "whole": ID + "process"},
        {"part": ID + "round-february", "whole": ID + "process"},
    ],
    "quote-unverifiable": [
        {"node": ID + "provision-no-document", "document": "", "problem": "no pkg:statedIn"},
        {
            "node": ID + "provision-unhashed",
            "document": ID + "unhashed-doc",
            "problem": "document has no pkg:sha256",
        },
    ],
    "relay-is-claimant": [
        {"claim": ID + "claim-self-relayed", "agent": ID + "glenn-diesen"},
    ],
    "self-stance": [
        {"claim": ID + "claim-a", "stance": PKG + "disputes"},
        {"claim": ID + "claim-b", "stance": PKG + "qualifies"},
    ],
    "undeclared-term": [
        {"term": PKG + "Meetng"},
        {"term": PKG + "mediater"},
        {"term": PKG + "precision-season"},
    ],
    "unknown-concept": [
        {"node": ID + "event", "property": PKG + "datePrecision", "value": PKG + "stance-welcomed"},
        {
            "node": ID + "provision",
            "property": PKG + "addressesIssue",
            "value": PKG + "outcome-stalled",
        },
    ],
}


def _closure(ontology: Graph, data: Graph) -> Graph:
    """Ontology + asserted + inferred, as one graph (what the build's checks see)."""
    return ontology + data + reason(ontology, data).inferred


def _check_names() -> list[str]:
    return sorted(p.name.removesuffix("-violation.rq") for p in CHECKS_DIR.glob("*-violation.rq"))


def test_every_check_has_bad_fixture_and_expectation() -> None:
    """If a check exists, then it has a bad fixture and expected rows, and vice versa."""
    names = set(_check_names())
    assert names == set(EXPECTED)
    assert names == {p.name.split("-bad.")[0] for p in (FIXTURES / "checks").glob("*-bad.*")}


def test_every_check_has_header() -> None:
    """If a check file exists, then it starts with ``# title:`` and ``# description:`` lines."""
    for path in CHECKS_DIR.glob("*-violation.rq"):
        lines = path.read_text(encoding="utf-8").splitlines()
        assert lines[0].startswith("# title: "), path.name
        assert lines[1].startswith("# description: "), path.name


def test_no_check_fires_on_good_data(ontology: Graph) -> None:
    """If the data is the union of all valid SHACL fixtures, then no check returns a row."""
    data, named = _bad_fixture("good", FIXTURES / "checks" / "good.trig")
    for path in sorted((FIXTURES / "shapes" / "valid").glob("*.ttl")):
        fixture = Graph().parse(path)
        data += fixture
        if path.stem in PROVENANCE_FIXTURES:
            named[PROVENANCE] += fixture
    assert run_checks(_closure(ontology, data), CHECKS_DIR, named) == []


def test_no_check_fires_on_ontology_alone(ontology: Graph) -> None:
    """If the graph is the ontology with no data, then no check returns a row."""
    assert run_checks(_closure(ontology, Graph()), CHECKS_DIR) == []


def _bad_fixture(name: str, trig: Path | None = None) -> tuple[Graph, dict[str, Graph]]:
    """The fixture's whole data, and its named graphs (assertions, provenance) for ``GRAPH``."""
    path = FIXTURES / "checks" / f"{name}-bad.ttl"
    if path.is_file():
        return Graph().parse(path), {}
    dataset = Dataset()
    dataset.parse(trig or FIXTURES / "checks" / f"{name}-bad.trig", format="trig")
    data, named = Graph(), {}
    for graph in dataset.graphs():
        copy = Graph()
        for triple in graph:
            copy.add(triple)
            data.add(triple)
        key = PROVENANCE if graph.identifier == DATASET_DEFAULT_GRAPH_ID else str(graph.identifier)
        named[key] = copy
    return data, named


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_check_fires_on_bad_fixture(name: str, ontology: Graph) -> None:
    """If the data is a check's bad fixture, then that check returns exactly the expected rows."""
    data, named = _bad_fixture(name)
    failures = {v.check: v.rows for v in run_checks(_closure(ontology, data), CHECKS_DIR, named)}
    assert failures.get(f"{name}-violation") == EXPECTED[name]
