"""OWL 2 RL entailments the PeaceKG data relies on, one test per rule (named after it).

The data (``fixtures/reasoning/data.ttl``) is reasoned once with ``peacekg.reason.reason``;
each test asserts exact triples in the *inferred* graph, i.e. triples that were not asserted.
Rule names are those of the OWL 2 RL profile, tables 4-9
(https://www.w3.org/TR/owl2-profiles/#Reasoning_in_OWL_2_RL_and_RDF_Graphs_using_Rules).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV

from peacekg.reason import InconsistencyError, ReasoningResult, reason

FIXTURES = Path(__file__).parent / "fixtures"
PKG = Namespace("https://w3id.org/peacekg/ontology#")
R = Namespace("https://w3id.org/peacekg/id/")
SCHEMA = Namespace("http://schema.org/")
OA = Namespace("http://www.w3.org/ns/oa#")


#: The PROV-O axioms that could clash with PeaceKG's alignments (copied from PROV-O).
PROV_O_SUBSET = """
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
prov:Activity owl:disjointWith prov:Entity .
prov:wasAssociatedWith rdfs:domain prov:Activity ; rdfs:range prov:Agent .
prov:wasDerivedFrom rdfs:domain prov:Entity ; rdfs:range prov:Entity .
prov:wasAttributedTo rdfs:domain prov:Entity ; rdfs:range prov:Agent .
prov:generated rdfs:domain prov:Activity ; rdfs:range prov:Entity .
"""


@pytest.fixture(scope="module")
def data() -> Graph:
    """The asserted data."""
    return Graph().parse(FIXTURES / "reasoning" / "data.ttl")


@pytest.fixture(scope="module")
def result(ontology: Graph, data: Graph) -> ReasoningResult:
    """The OWL 2 RL closure of ontology + data (only the new triples)."""
    return reason(ontology, data)


@pytest.fixture(scope="module")
def inferred(result: ReasoningResult) -> Graph:
    """Only what reasoning added."""
    return result.inferred


def _has(graph: Graph, s: URIRef, p: URIRef, o: URIRef | Literal) -> bool:
    return (s, p, o) in graph


def test_expected_entailments_hold(inferred: Graph, data: Graph) -> None:
    """If the data is data.ttl, then every triple of expected.ttl is asserted or inferred."""
    expected = Graph().parse(FIXTURES / "reasoning" / "expected.ttl")
    closure = data + inferred
    missing = [t for t in expected if t not in closure]
    assert missing == []


def test_inferred_are_new(inferred: Graph, data: Graph) -> None:
    """If a triple was asserted, then it is not repeated among the inferred ones (canary)."""
    assert len(inferred) > len(data)
    assert not any(t in data for t in inferred)


# --- prp-inv1 / prp-inv2: owl:inverseOf ---------------------------------------------------


def test_prp_inv1_partOf_hasPart(inferred: Graph) -> None:
    """If round pkg:partOf process, then process pkg:hasPart round."""
    assert _has(inferred, R["talks-2022"], PKG.hasPart, R["round-2022-03-10"])


def test_prp_inv2_followedBy_follows(inferred: Graph) -> None:
    """If third round pkg:followedBy fourth round, then fourth round pkg:follows third round."""
    assert _has(inferred, R["round-2022-03-10"], PKG.follows, R["round-2022-03-07"])


def test_prp_inv1_follows_followedBy(inferred: Graph) -> None:
    """If fifth round pkg:follows fourth round, then fourth round pkg:followedBy fifth round."""
    assert _has(inferred, R["round-2022-03-10"], PKG.followedBy, R["round-2022-03-14"])


def test_prp_inv1_participant_participatesIn(inferred: Graph) -> None:
    """If Turkey is (by sub-property) a pkg:participant of a round, then Turkey pkg:participatesIn
    it.
    """
    assert _has(inferred, R.turkey, PKG.participatesIn, R["round-2022-03-10"])


def test_prp_inv1_containedInPlace_containsPlace(inferred: Graph) -> None:
    """If Antalya Province pkg:containedInPlace Turkey, then Turkey pkg:containsPlace it."""
    assert _has(inferred, R.turkey, PKG.containsPlace, R["antalya-province"])


# --- prp-trp: owl:TransitiveProperty ------------------------------------------------------


def test_prp_trp_partOf(inferred: Graph) -> None:
    """If round partOf talks and talks partOf peace efforts, then round partOf peace efforts."""
    assert _has(inferred, R["round-2022-03-10"], PKG.partOf, R["peace-efforts"])


def test_prp_trp_containedInPlace(inferred: Graph) -> None:
    """If Antalya in Antalya Province and the province in Turkey, then Antalya in Turkey."""
    assert _has(inferred, R.antalya, PKG.containedInPlace, R.turkey)
    assert _has(inferred, R.turkey, PKG.containsPlace, R.antalya)


# --- prp-symp: owl:SymmetricProperty ------------------------------------------------------


def test_prp_symp_disputes(inferred: Graph) -> None:
    """If claim A pkg:disputes claim B, then claim B pkg:disputes claim A."""
    assert _has(
        inferred, R["claim-us-uk-advised"], PKG.disputes, R["claim-framework-not-agreement"]
    )


# --- prp-spo1: rdfs:subPropertyOf ---------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "obj"),
    [
        ("round-2022-03-10", "turkey"),
        ("round-2022-03-10", "ukraine"),
    ],
)
def test_prp_spo1_mediator_is_participant(inferred: Graph, subject: str, obj: str) -> None:
    """If X pkg:mediator / pkg:host / pkg:party Y, then X pkg:participant Y."""
    assert _has(inferred, R[subject], PKG.participant, R[obj])


def test_prp_spo1_guarantor_is_no_participant(inferred: Graph) -> None:
    """If a proposal names Y as pkg:guarantor, then Y is no participant of it (a prospective
    role, issue 11 error 1), though Y is a pkg:Guarantor (prp-rng)."""
    assert not _has(inferred, R["istanbul-communique"], PKG.participant, R["united-kingdom"])
    assert not _has(inferred, R["united-kingdom"], PKG.participatesIn, R["istanbul-communique"])


def test_prp_spo1_claimant_wasAttributedTo(inferred: Graph) -> None:
    """If claim pkg:claimant Nuland, then claim prov:wasAttributedTo Nuland."""
    assert _has(inferred, R["claim-us-uk-advised"], PROV.wasAttributedTo, R["victoria-nuland"])


def test_prp_spo1_relayedBy_not_claimant(inferred: Graph) -> None:
    """If claim pkg:relayedBy Diesen, then claim prov:wasInfluencedBy Diesen, but Diesen is no
    claimant.
    """
    assert _has(inferred, R["claim-us-uk-advised"], PROV.wasInfluencedBy, R["glenn-diesen"])
    assert not _has(inferred, R["claim-us-uk-advised"], PROV.wasAttributedTo, R["glenn-diesen"])


def test_prp_spo1_statedIn_is_source(inferred: Graph) -> None:
    """If claim pkg:statedIn a post, then claim pkg:source and dcterms:source the post."""
    for prop in (PKG.source, DCTERMS.source):
        assert _has(inferred, R["claim-us-uk-advised"], prop, R["diesen-post"])


def test_prp_spo1_quote_hasSelector(inferred: Graph) -> None:
    """If claim pkg:quote Q, then claim oa:hasSelector Q and Q an oa:TextQuoteSelector (cax-sco)."""
    assert _has(inferred, R["claim-us-uk-advised"], OA.hasSelector, R["claim-us-uk-advised-quote"])
    assert _has(inferred, R["claim-us-uk-advised-quote"], RDF.type, OA.TextQuoteSelector)


def test_prp_spo1_location_is_schema_location_but_bounds_are_no_dates(inferred: Graph) -> None:
    """If a round has pkg:location, then it has schema:location; its pkg:earliestDate and
    pkg:latestDate are bounds and give no schema:startDate / schema:endDate (issue 11 error 2).
    """
    assert _has(inferred, R["round-2022-03-10"], SCHEMA.location, R["antalya-province"])
    for prop in (SCHEMA.startDate, SCHEMA.endDate):
        assert not _has(inferred, R["round-2022-03-10"], prop, None)


def test_prp_spo1_addressesIssue_about(inferred: Graph) -> None:
    """If a provision pkg:addressesIssue neutrality, then it is pkg:about and dcterms:subject
    neutrality.
    """
    assert _has(inferred, R["istanbul-communique-neutrality"], PKG.about, PKG["issue-neutrality"])
    assert _has(
        inferred, R["istanbul-communique-neutrality"], DCTERMS.subject, PKG["issue-neutrality"]
    )


# --- prp-rng / prp-dom: inferred role classes and types -----------------------------------


@pytest.mark.parametrize(
    ("agent", "role"),
    [
        ("turkey", "Mediator"),
        ("turkey", "Host"),
        ("ukraine", "Party"),
        ("united-kingdom", "Guarantor"),
    ],
)
def test_prp_rng_role_class_Mediator(inferred: Graph, agent: str, role: str) -> None:
    """If X pkg:mediator (host, party, guarantor) Y, then Y a pkg:Mediator (Host, Party,
    Guarantor).
    """
    assert _has(inferred, R[agent], RDF.type, PKG[role])


def test_prp_rng_location_Place(inferred: Graph) -> None:
    """If round pkg:location G and G is untyped, then G a pkg:Place, schema:Place and
    prov:Location.
    """
    for cls in (PKG.Place, SCHEMA.Place, PROV.Location):
        assert _has(inferred, R["gomel-region"], RDF.type, cls)


def test_prp_dom_follows_Event(inferred: Graph) -> None:
    """If X pkg:follows Y and X is untyped, then X a pkg:Event and schema:Event (rdfs:domain)."""
    for cls in (PKG.Event, SCHEMA.Event):
        assert _has(inferred, R["later-talks"], RDF.type, cls)


# --- cax-sco: rdfs:subClassOf alignments --------------------------------------------------


def test_cax_sco_NegotiationRound_schema_Event(inferred: Graph) -> None:
    """If X a pkg:NegotiationRound, then X a pkg:Event, schema:Event and prov:Activity."""
    for cls in (PKG.Event, SCHEMA.Event, PROV.Activity):
        assert _has(inferred, R["round-2022-03-10"], RDF.type, cls)


def test_cax_sco_Person_schema_Person_prov_Agent(inferred: Graph) -> None:
    """If X a pkg:Person, then X a schema:Person, prov:Person and prov:Agent."""
    for cls in (SCHEMA.Person, PROV.Person, PROV.Agent):
        assert _has(inferred, R["victoria-nuland"], RDF.type, cls)


def test_cax_sco_State_Organization_and_Place(inferred: Graph) -> None:
    """If X a pkg:State, then X a schema:Organization, prov:Organization, schema:Country and
    pkg:Place.
    """
    for cls in (SCHEMA.Organization, PROV.Organization, SCHEMA.Country, PKG.Place):
        assert _has(inferred, R.turkey, RDF.type, cls)


def test_cax_sco_Claim_schema_Claim(inferred: Graph) -> None:
    """If X a pkg:Claim, then X a schema:Claim and prov:Entity."""
    for cls in (SCHEMA.Claim, PROV.Entity):
        assert _has(inferred, R["claim-us-uk-advised"], RDF.type, cls)


def test_cax_sco_Framework_Proposal(inferred: Graph) -> None:
    """If X a pkg:Framework, then X a pkg:Proposal, schema:CreativeWork and prov:Entity."""
    for cls in (PKG.Proposal, SCHEMA.CreativeWork, PROV.Entity):
        assert _has(inferred, R["istanbul-communique"], RDF.type, cls)


# --- consistency --------------------------------------------------------------------------


def test_valid_fixtures_are_consistent(ontology: Graph) -> None:
    """If the data is the union of the valid SHACL fixtures, then reasoning reports no
    inconsistency.
    """
    data = Graph()
    for path in sorted((FIXTURES / "shapes" / "valid").glob("*.ttl")):
        data.parse(path)
    reason(ontology, data)


def test_cax_dw_consistent_with_prov_o_disjointness(ontology: Graph, data: Graph) -> None:
    """If PROV-O's disjointness and domains/ranges are loaded too, then the data stays consistent:
    no PeaceKG axiom makes an event (activity) an entity or a proposal an activity.
    """
    with_prov = ontology + Graph().parse(data=PROV_O_SUBSET, format="turtle")
    inferred = reason(with_prov, data).inferred
    events = set(inferred.subjects(RDF.type, PROV.Activity))
    assert R["round-2022-03-10"] in events
    assert not events & set(inferred.subjects(RDF.type, PROV.Entity))


def test_ill_typed_date_is_inconsistent(ontology: Graph) -> None:
    """If an xsd:date literal is not a valid date, then owlrl reports an inconsistency."""
    data = Graph().parse(
        data="<https://w3id.org/peacekg/id/x> <https://w3id.org/peacekg/ontology#earliestDate> "
        '"late March 2022"^^<http://www.w3.org/2001/XMLSchema#date> .',
        format="turtle",
    )
    with pytest.raises(InconsistencyError):
        reason(ontology, data)
