"""The explainer's errors from the content review (issue 11), each pinned by its exact triples.

Each test would have failed on the data the review read: the grain initiative dated by another
sentence's phrase (error 6), Moscow's view filed as a Russian demand (7), China made a mediator
and the explainer cited for the Antalya rounds it never mentions (9), the Holy See typed as a
state and so inferred to be a country and a place (10), and the missing links the review listed
(Ukraine's framework undated and unattached to its talks, "much of the international community"
linked to nothing, claims without content).
"""

from __future__ import annotations

import pytest
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from peacekg.load import LoadedSources, load
from peacekg.namespaces import OA, PKG, PKGA, PKGR, PROV
from tests.conftest import ROOT

EXPLAINER = PKGR["source-explainer"]
SCHEMA_COUNTRY = URIRef("https://schema.org/Country")
SCHEMA_COUNTRY_HTTP = URIRef("http://schema.org/Country")


def _date(value: str) -> Literal:
    return Literal(value, datatype=XSD.date)


@pytest.fixture(scope="module")
def sources() -> LoadedSources:
    return load(ROOT / "ontology", ROOT / "data", ROOT / "ontology" / "shapes.ttl")


@pytest.fixture(scope="module")
def asserted(sources: LoadedSources) -> Graph:
    return sources.asserted


@pytest.fixture(scope="module")
def explainer(sources: LoadedSources) -> dict[str, Graph]:
    """The explainer's assertion graphs by IRI."""
    return {
        iri: graph
        for iri, graph in sources.assertions.items()
        if (URIRef(iri), PROV.wasDerivedFrom, EXPLAINER) in sources.provenance
    }


def _passage(sources: LoadedSources, assertion: URIRef) -> str:
    """The quoted words of an assertion's passage."""
    for passage in sources.provenance.objects(assertion, PKG.passage):
        for selector in sources.provenance.objects(passage, OA.hasSelector):
            exact = sources.provenance.value(selector, OA.exact)
            if exact is not None:
                return str(exact)
    raise AssertionError(f"no passage for {assertion}")


def _holding(explainer: dict[str, Graph], triple: tuple[Node, Node, Node]) -> set[str]:
    """The explainer assertions whose graphs hold ``triple``."""
    return {iri.rsplit("/", 1)[-1] for iri, graph in explainer.items() if triple in graph}


def test_grain_initiative_has_only_the_date_its_own_sentence_supports(
    sources: LoadedSources, asserted: Graph, explainer: dict[str, Graph]
) -> None:
    """Error 6: 'Throughout 2022 and into 2023' dates the stalled direct negotiations, not the
    initiative; the initiative's sentence gives no date, so it is modelled as 'not stated'."""
    initiative = PKGR["black-sea-grain-initiative"]
    dates = {PKG.dateAsStated, PKG.datePrecision, PKG.earliestDate, PKG.latestDate}
    assert {(p, o) for p, o in asserted.predicate_objects(initiative) if p in dates} == {
        (PKG.dateAsStated, Literal("not stated")),
        (PKG.datePrecision, PKG["precision-not-stated"]),
        (PKG.earliestDate, _date("2022-02-01")),
        (PKG.latestDate, _date("2026-11-21")),
    }
    name = PKGA["explainer-black-sea-grain-initiative-date"]
    assert _holding(explainer, (initiative, PKG.datePrecision, PKG["precision-not-stated"])) == {
        "explainer-black-sea-grain-initiative-date"
    }
    assert (name, RDF.type, PKG.CuratorInference) in sources.provenance
    assert _passage(sources, name) == "notably facilitating the Black Sea Grain Initiative"
    # The phrase now dates the claim it belongs to.
    stalled = PKGR["claim-direct-negotiations-stalled"]
    assert {(p, o) for p, o in asserted.predicate_objects(stalled) if p in dates} == {
        (PKG.dateAsStated, Literal("Throughout 2022 and into 2023")),
        (PKG.datePrecision, PKG["precision-range"]),
        (PKG.earliestDate, _date("2022-01-01")),
        (PKG.latestDate, _date("2023-12-31")),
    }


def test_every_date_as_stated_is_in_the_passage_that_states_it(
    sources: LoadedSources, explainer: dict[str, Graph]
) -> None:
    """Error 9: a pkg:dateAsStated is the source's words (or 'not stated' for an undated node),
    found in the very passage of the assertion that gives it."""
    found = 0
    for iri, graph in explainer.items():
        for node, value in graph.subject_objects(PKG.dateAsStated):
            found += 1
            if str(value) == "not stated":
                assert (node, PKG.datePrecision, PKG["precision-not-stated"]) in graph, iri
            else:
                assert str(value) in _passage(sources, URIRef(iri)), (iri, str(value))
    assert found == 17


def test_moscows_view_is_a_russian_claim_not_a_demand(
    asserted: Graph, explainer: dict[str, Graph]
) -> None:
    """Error 7: 'Moscow views this support as prolonging the conflict' is Russia's claim,
    reported by the explainer; Russia's demands are only what it demands."""
    assert set(asserted.objects(PKGR["russia-demands"], PKG.hasProvision)) == {
        PKGR["russia-demands-annexed-regions-non-negotiable"],
        PKGR["russia-demands-demilitarization-denazification"],
        PKGR["russia-demands-drop-nato-ambitions"],
        PKGR["russia-demands-neutrality-no-nato"],
        PKGR["russia-demands-new-realities"],
        PKGR["russia-demands-no-international-tribunals"],
        PKGR["russia-demands-recognition-of-annexed-territories"],
    }
    assert (None, None, PKGR["russia-demands-western-support-prolongs"]) not in asserted
    assert (PKGR["russia-demands-western-support-prolongs"], None, None) not in asserted
    for slug, predicate in [
        ("claim-moscow-support-prolongs-conflict", PKG["rel-prolongs"]),
        ("claim-moscow-support-hardens-position", PKG["rel-hardened"]),
    ]:
        claim = PKGR[slug]
        assert set(asserted.objects(claim, RDF.type)) == {PKG.Claim}
        assert set(asserted.objects(claim, PKG.claimant)) == {PKGR.russia}
        assert set(asserted.objects(claim, PKG.relayedBy)) == {PKGR["author-of-explainer"]}
        assert set(asserted.objects(claim, PKG.statedIn)) == {EXPLAINER}
        assert set(asserted.objects(claim, PKG.claimPredicate)) == {predicate}
    assert set(
        asserted.objects(PKGR["claim-moscow-support-prolongs-conflict"], PKG.claimObject)
    ) == {PKGR["russian-invasion-of-ukraine"]}
    assert set(asserted.objects(PKGR["claim-moscow-support-hardens-position"], PKG.claimValue)) == {
        Literal("Ukraine's negotiating position")
    }


def test_china_is_not_made_a_mediator_of_talks_it_does_not_mediate(
    asserted: Graph, explainer: dict[str, Graph]
) -> None:
    """Error 9: the explainer says China is 'not directly mediating face-to-face talks'; its
    role is its plan and its calls for peace, and that it does not mediate is a negated claim."""
    mediators = {
        (str(s).rsplit("/", 1)[-1], str(o).rsplit("/", 1)[-1])
        for graph in explainer.values()
        for s, o in graph.subject_objects(PKG.mediator)
    }
    assert mediators == {
        ("african-peace-mission-2023", "african-leaders"),
        ("african-peace-mission-2023", "egypt"),
        ("african-peace-mission-2023", "senegal"),
        ("african-peace-mission-2023", "south-africa"),
        ("russia-ukraine-direct-talks-2022", "recep-tayyip-erdogan"),
        ("russia-ukraine-direct-talks-2022", "turkey"),
        ("russia-ukraine-peace-talks", "turkey"),
    }
    assert (None, PKG.mediator, PKGR.china) not in asserted
    claim = PKGR["claim-china-not-mediating-talks"]
    content = {PKG.claimSubject, PKG.claimPredicate, PKG.claimObject, PKG.claimNegated}
    assert {(p, o) for p, o in asserted.predicate_objects(claim) if p in content} == {
        (PKG.claimSubject, PKGR["russia-ukraine-peace-talks"]),
        (PKG.claimPredicate, PKG.mediator),
        (PKG.claimObject, PKGR.china),
        (PKG.claimNegated, Literal(True)),
    }
    assert set(asserted.objects(claim, PKG.claimant)) == {PKGR["author-of-explainer"]}
    assert set(asserted.objects(PKGR["china-12-point-plan"], PKG.proposedBy)) == {PKGR.china}
    calls = PKGR["china-calls-for-peace"]
    assert set(asserted.objects(calls, RDF.type)) == {PKG.PublicStatement}
    assert set(asserted.objects(calls, PKG.party)) == {PKGR.china}


def test_explainer_cites_only_meetings_it_mentions(
    asserted: Graph, explainer: dict[str, Graph]
) -> None:
    """Error 9: the explainer never mentions the Antalya rounds of 10 and 14 March 2022; its
    'initial direct meetings in March 2022' in Turkey are read as the Istanbul meeting it names."""
    rounds = {
        str(s).rsplit("/", 1)[-1]
        for graph in explainer.values()
        for s in graph.subjects()
        if (s, RDF.type, PKG.NegotiationRound) in asserted
    }
    assert rounds == {"istanbul-talks-2022-03", "round-2022-02-28-belarus"}
    assert _holding(explainer, (PKGR["istanbul-talks-2022-03"], PKG.host, PKGR.turkey)) == {
        "explainer-event-istanbul-talks-host",
        "explainer-event-march-meetings-in-turkey",
    }


def test_holy_see_is_not_a_country_or_a_place(sources: LoadedSources, asserted: Graph) -> None:
    """Error 10: the Holy See is typed pkg:Organisation; as a pkg:State it was inferred to be a
    pkg:Place and a schema:Country."""
    types = set(asserted.objects(PKGR["holy-see"], RDF.type))
    assert types == {PKG.Organisation}
    closure: set[object] = set(types)
    frontier = list(types)
    while frontier:
        for parent in sources.ontology.objects(frontier.pop(), RDFS.subClassOf):
            if parent not in closure:
                closure.add(parent)
                frontier.append(parent)
    assert PKG.Place not in closure
    assert SCHEMA_COUNTRY not in closure and SCHEMA_COUNTRY_HTTP not in closure
    assert PKG.Agent in closure


def test_ukraines_framework_is_dated_and_placed_in_the_talks_it_was_proposed_in(
    sources: LoadedSources, asserted: Graph, explainer: dict[str, Graph]
) -> None:
    """Missing: 'During these discussions' puts the framework in the 2022 direct talks, between
    their start in late February and the Istanbul meeting in late March 2022."""
    framework = PKGR["ukrainian-framework-proposal-2022"]
    talks = PKGR["russia-ukraine-direct-talks-2022"]
    assert set(asserted.subjects(PKG.produced, framework)) == {talks}
    dates = {PKG.dateAsStated, PKG.datePrecision, PKG.earliestDate, PKG.latestDate}
    assert {(p, o) for p, o in asserted.predicate_objects(framework) if p in dates} == {
        (PKG.dateAsStated, Literal("During these discussions")),
        (PKG.datePrecision, PKG["precision-relative"]),
        (PKG.earliestDate, _date("2022-02-21")),
        (PKG.latestDate, _date("2022-03-31")),
    }
    inference = PKGA["explainer-framework-in-the-direct-talks"]
    assert _holding(explainer, (talks, PKG.produced, framework)) == {
        "explainer-framework-in-the-direct-talks"
    }
    assert (inference, RDF.type, PKG.CuratorInference) in sources.provenance
    assert _passage(sources, inference).startswith("During these discussions")


def test_much_of_the_international_community_demands_justice(asserted: Graph) -> None:
    """Missing: the described agent was linked to nothing; the sentence gives it a demand."""
    agent = PKGR["much-of-the-international-community"]
    assert set(asserted.subjects(PKG.proposedBy, agent)) == {
        PKGR["demand-justice-and-accountability"]
    }
    demand = PKGR["demand-justice-and-accountability"]
    assert set(asserted.objects(demand, RDF.type)) == {PKG.Demand}
    assert set(asserted.objects(demand, PKG.proposedBy)) == {agent, PKGR.ukraine}
    assert set(asserted.objects(demand, PKG.hasProvision)) == {
        PKGR["ukraine-position-accountability"]
    }


#: Claims given content as a statement (subject, predicate, object or value) where the text
#: allows: claim -> the exact content triples.
CLAIM_CONTENT: dict[str, set[tuple[URIRef, object]]] = {
    "claim-ukraine-terms-undermine-sovereignty": {
        (PKG.claimSubject, PKGR.russia),
        (PKG.claimPredicate, PKG["rel-sought-to-weaken"]),
        (PKG.claimObject, PKGR.ukraine),
    },
    "claim-sanctions-pressure-moscow": {
        (PKG.claimPredicate, PKG["rel-pressured"]),
        (PKG.claimObject, PKGR.russia),
    },
    "claim-some-countries-swift-ceasefire": {
        (PKG.claimSubject, PKGR["some-countries"]),
        (PKG.claimPredicate, PKG["rel-called-for"]),
        (PKG.claimValue, Literal("a swift ceasefire at almost any cost")),
    },
    "claim-other-countries-justice-first": {
        (PKG.claimSubject, PKGR["other-countries"]),
        (PKG.claimPredicate, PKG["rel-aims-at"]),
        (PKG.claimValue, Literal("justice and a full Russian withdrawal")),
    },
    "claim-direct-negotiations-stalled": {
        (PKG.claimSubject, PKGR["russia-ukraine-peace-talks"]),
        (PKG.claimPredicate, PKG.outcome),
        (PKG.claimObject, PKG["outcome-stalled"]),
    },
    "claim-turkey-motives": {
        (PKG.claimSubject, PKGR.turkey),
        (PKG.claimPredicate, PKG["rel-aims-at"]),
        (
            PKG.claimValue,
            Literal("regional stability and its own economic interests in both countries"),
        ),
    },
    "claim-aid-strengthens-bargaining-position": {
        (PKG.claimPredicate, PKG["rel-strengthened"]),
        (PKG.claimValue, Literal("Ukraine's defensive capabilities and bargaining position")),
    },
}


@pytest.mark.parametrize("slug", sorted(CLAIM_CONTENT))
def test_claims_have_their_content_as_a_statement(asserted: Graph, slug: str) -> None:
    content = {PKG.claimSubject, PKG.claimPredicate, PKG.claimObject, PKG.claimValue}
    claim = PKGR[slug]
    assert {(p, o) for p, o in asserted.predicate_objects(claim) if p in content} == (
        CLAIM_CONTENT[slug]
    )
