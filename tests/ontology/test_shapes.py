"""Every SHACL shape in ``ontology/shapes.ttl`` has a valid and an invalid fixture.

Valid fixtures (``fixtures/shapes/valid/<Shape>.ttl``) must produce no result at all, not even
a warning. Invalid fixtures (``fixtures/shapes/invalid/<Shape>.ttl``) must produce exactly the
(focus node, source shape, constraint component, severity) results listed below, pySHACL/DASH
style: a shape that fires too often is as wrong as one that does not fire.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, Graph, Namespace
from rdflib.collection import Collection

from peacekg.validate import validate

FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
PKGR = Namespace("https://w3id.org/peacekg/id/")
PKGSH = Namespace("https://w3id.org/peacekg/shapes#")
SH = Namespace("http://www.w3.org/ns/shacl#")

V, W = "Violation", "Warning"

#: shape -> {(focus local name, source shape local name, constraint component, severity)}
EXPECTED: dict[str, set[tuple[str, str, str, str]]] = {
    "Agent": {
        ("iri-labelled-organisation", "Agent-label", "NodeKind", V),
        ("nameless-person", "Agent-label", "MinCount", V),
        ("nameless-state", "Agent-label", "MinCount", V),
        ("nameless-state", "Place-label", "MinCount", V),
    },
    "Assertion": {
        ("two-sourced-assertion", "Assertion-passage", "MaxCount", V),
        ("two-sourced-assertion", "Assertion-wasDerivedFrom", "MaxCount", V),
        ("untyped-assertion", "Assertion-wasDerivedFrom", "MinCount", V),
        ("untyped-assertion", "AssertionShape", "Class", V),
    },
    "AssertionType": {
        ("passageless-assertion", "AssertionType-passage", "MinCount", V),
    },
    "CuratorInference": {
        ("unexplained-inference", "CuratorInference-inferenceReason", "MinCount", V),
        ("untagged-inference", "CuratorInference-inferenceReason", "Datatype", V),
    },
    "Claim": {
        ("mistyped-claim", "Claim-claimNegated", "Datatype", V),
        ("mistyped-claim", "Claim-claimPredicate", "Or", V),
        ("empty-claim", "Claim-claimant", "MinCount", V),
        ("mistyped-claim", "Claim-claimant", "Class", V),
        ("mistyped-claim", "Claim-hedging", "In", V),
        ("empty-claim", "Claim-label", "MinCount", V),
        ("empty-claim", "Claim-quote", "MinCount", V),
        ("mistyped-claim", "Claim-relayedBy", "Class", V),
        ("mistyped-claim", "Claim-stance", "Class", V),
        ("empty-claim", "Claim-statedIn", "MinCount", V),
        ("empty-claim", "Claim-statement", "MinCount", V),
    },
    "Dated": {
        ("string-date", "Dated-dateAsStated", "MinCount", V),
        ("string-date", "Dated-datePrecision", "MinCount", V),
        ("unknown-precision", "Dated-datePrecision", "In", V),
        ("inverted-bounds", "Dated-earliestDate", "LessThanOrEquals", V),
        ("string-date", "Dated-earliestDate", "Datatype", V),
        ("string-date", "Dated-latestDate", "MinCount", V),
    },
    "Delegation": {
        ("state-led-delegation", "Delegation-ledBy", "Class", V),
        ("empty-delegation", "Delegation-ledBy-missing", "MinCount", W),
        ("empty-delegation", "Delegation-represents", "MinCount", V),
    },
    "DescribedAgent": {
        ("unaffiliated-source", "DescribedAgent-affiliatedWith", "Class", V),
        ("tagged-description-agent", "DescribedAgent-describedAs", "Datatype", V),
        ("undescribed-agent", "DescribedAgent-describedAs", "MinCount", V),
    },
    "Event": {
        ("bare-meeting", "Event-earliestDate", "MinCount", V),
        ("bare-meeting", "Event-label", "MinCount", V),
        ("mistyped-meeting", "Event-location", "Class", V),
        ("mistyped-meeting", "Event-outcome", "In", V),
        ("mistyped-meeting", "Event-participant", "Class", V),
        ("bare-meeting", "EventPlaceShape", "Or", V),
    },
    "EventPlace": {
        ("placeless-statement", "EventPlaceShape", "Or", V),
    },
    "Mandate": {
        ("empty-mandate", "Mandate-holder", "MinCount", V),
        ("mistyped-mandate", "Mandate-holder", "Class", V),
        ("empty-mandate", "Mandate-label", "MinCount", V),
        ("empty-mandate", "Mandate-mandateKind", "MinCount", V),
        ("mistyped-mandate", "Mandate-mandateKind", "In", V),
        ("empty-mandate", "Mandate-mandateOf", "MinCount", V),
    },
    "NegotiationRound": {
        ("round-decimal", "NegotiationRound-partOf", "Class", W),
        ("round-zero", "NegotiationRound-partOf", "MinCount", W),
        ("round-decimal", "NegotiationRound-roundNumber", "Datatype", V),
        ("round-zero", "NegotiationRound-roundNumber", "MinInclusive", V),
    },
    "Passage": {
        ("bad-passage", "Passage-hasSource", "Class", V),
        ("bad-passage", "Passage-positionSelector", "QualifiedMinCount", V),
        ("bad-passage", "Passage-quoteSelector", "QualifiedMinCount", V),
        ("bare-passage", "Passage-hasSource", "MinCount", V),
        ("bare-passage", "Passage-positionSelector", "QualifiedMinCount", V),
        ("bare-passage", "Passage-quoteSelector", "QualifiedMinCount", V),
    },
    "Place": {
        ("nameless-place", "Place-containedInPlace", "Class", V),
        ("nameless-place", "Place-label", "MinCount", V),
    },
    "Proposal": {
        ("mistyped-plan", "Proposal-guarantor", "Class", V),
        ("mistyped-plan", "Proposal-hasProvision", "Class", V),
        ("bare-plan", "Proposal-hasProvision-missing", "MinCount", W),
        ("bare-plan", "Proposal-label", "MinCount", V),
        ("mistyped-plan", "Proposal-pointCount", "MinInclusive", V),
        ("mistyped-plan", "Proposal-proposalStatus", "In", V),
        ("bare-plan", "Proposal-agent", "MinCount", V),
        ("mistyped-plan", "Proposal-proposedBy", "Class", V),
    },
    "Provision": {
        ("empty-provision", "Provision-addressesIssue", "MinCount", V),
        ("mistyped-provision", "Provision-addressesIssue", "In", V),
        ("empty-provision", "Provision-label", "MinCount", V),
        ("empty-provision", "Provision-provisionText", "MinCount", V),
        ("mistyped-provision", "Provision-provisionText", "Datatype", V),
    },
    "Quote": {
        ("quote-empty", "Quote-exact", "MinLength", V),
        ("quote-without-exact", "Quote-exact", "MinCount", V),
        ("quote-two-prefixes", "Quote-prefix", "MaxCount", V),
        ("quote-numeric-suffix", "Quote-suffix", "Datatype", V),
    },
    "Quoted": {
        ("unanchored-provision", "Quoted-statedIn", "MinCount", V),
    },
    "Response": {
        ("empty-response", "Response-label", "MinCount", V),
        ("empty-response", "Response-responder", "MinCount", V),
        ("mistyped-response", "Response-responder", "Class", V),
        ("empty-response", "Response-respondsTo", "MinCount", V),
        ("mistyped-response", "Response-respondsTo", "Or", V),
        ("empty-response", "Response-stance", "MinCount", V),
        ("mistyped-response", "Response-stance", "MaxCount", V),
    },
    "SourceDocument": {
        ("mistyped-document", "SourceDocument-author", "Class", V),
        ("bare-document", "SourceDocument-documentKind", "MinCount", V),
        ("mistyped-document", "SourceDocument-documentKind", "In", V),
        ("bare-document", "SourceDocument-label", "MinCount", V),
        ("mistyped-document", "SourceDocument-language", "Datatype", V),
        ("mistyped-document", "SourceDocument-publicationDate", "Datatype", V),
        ("mistyped-document", "SourceDocument-sha256", "Pattern", V),
        ("bare-document", "SourceDocument-sha256-missing", "MinCount", W),
        ("mistyped-document", "SourceDocument-url", "Datatype", V),
    },
}


def _node_shapes(shapes: Graph) -> set[str]:
    return {
        str(s).removeprefix(str(PKGSH)).removesuffix("Shape")
        for s in shapes.subjects(RDF.type, SH.NodeShape)
    }


def _tuples(outcome_results: list) -> set[tuple[str, str, str, str]]:  # type: ignore[type-arg]
    return {
        (
            str(r.focus_node).removeprefix(str(PKGR)),
            str(r.source_shape).removeprefix(str(PKGSH)),
            str(r.constraint_component).removeprefix(str(SH)).removesuffix("ConstraintComponent"),
            str(r.severity).removeprefix(str(SH)),
        )
        for r in outcome_results
    }


def test_every_node_shape_has_both_fixtures(shapes: Graph) -> None:
    """If a node shape exists, then it has a valid and an invalid fixture and expected results."""
    names = _node_shapes(shapes)
    assert names == set(EXPECTED)
    assert names == {p.stem for p in (FIXTURES / "valid").glob("*.ttl")}
    assert names == {p.stem for p in (FIXTURES / "invalid").glob("*.ttl")}


def test_every_shape_has_comment_and_every_constraint_a_message(shapes: Graph) -> None:
    """If a shape exists, then it has rdfs:comment, and severity and message if it constrains."""
    rdfs_comment = Namespace("http://www.w3.org/2000/01/rdf-schema#").comment
    all_shapes = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(
        shapes.subjects(RDF.type, SH.PropertyShape)
    )
    for shape in all_shapes:
        assert shapes.value(shape, rdfs_comment) is not None, shape
        if (shape, RDF.type, SH.PropertyShape) in shapes or (shape, SH["or"], None) in shapes:
            assert shapes.value(shape, SH.message) is not None, shape
            assert shapes.value(shape, SH.severity) in {SH.Violation, SH.Warning}, shape


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_valid_fixture_conforms(name: str, ontology: Graph, shapes: Graph) -> None:
    """If the data is a shape's valid fixture, then validation gives no result at all."""
    data = Graph().parse(FIXTURES / "valid" / f"{name}.ttl")
    outcome = validate(data, ontology, shapes)
    assert outcome.conforms
    assert _tuples(outcome.results) == set()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_invalid_fixture_gives_exact_results(name: str, ontology: Graph, shapes: Graph) -> None:
    """If the data is a shape's invalid fixture, then exactly the expected results are reported."""
    data = Graph().parse(FIXTURES / "invalid" / f"{name}.ttl")
    outcome = validate(data, ontology, shapes)
    assert _tuples(outcome.results) == EXPECTED[name]
    assert outcome.conforms is not any(sev == V for *_, sev in EXPECTED[name])


def test_sh_in_lists_match_concept_schemes(ontology: Graph, shapes: Graph) -> None:
    """If a shape restricts a property with sh:in, then the list is one scheme's concepts."""
    skos = Namespace("http://www.w3.org/2004/02/skos/core#")
    schemes: dict[frozenset[object], object] = {}
    for scheme in set(ontology.objects(None, skos.inScheme)):
        schemes[frozenset(ontology.subjects(skos.inScheme, scheme))] = scheme
    lists = list(shapes.objects(None, SH["in"]))
    assert lists
    for head in lists:
        members = frozenset(Collection(shapes, head))
        assert members in schemes, sorted(map(str, members))
