"""The editorial review's ontology findings (issue 11, errors 1, 2, 9, 11, 12), each pinned.

Each test names the error it guards against and asserts the exact axiom, mapping or entailment
that was wrong, on the project's own ontology and, where reasoning is involved, the real graph.
"""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import RDFS, Graph, Namespace, URIRef

from peacekg.load import load
from peacekg.namespaces import PKG, PKGR, SCHEMA, WD, WDT
from peacekg.store import EmbeddedStore

ROOT = Path(__file__).resolve().parents[2]
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
CAMEO = Namespace("https://w3id.org/peacekg/ontology/cameo#")
MAPPINGS = (SKOS.exactMatch, SKOS.closeMatch)


def _ask(store: EmbeddedStore, sparql: str) -> bool:
    return bool(store.query(sparql))


def test_error_1_guarantors_of_a_proposal_are_not_participants(
    ontology: Graph, built_store: EmbeddedStore
) -> None:
    """A draft that "would have" listed guarantors makes none of them participants."""
    assert (PKG.guarantor, RDFS.subPropertyOf, PKG.participant) not in ontology
    communique = PKGR["istanbul-communique"]
    assert not _ask(built_store, f"ASK {{ <{communique}> <{PKG.participant}> ?agent }}")
    assert not _ask(built_store, f"ASK {{ <{communique}> <{WDT.P710}> ?agent }}")
    assert not _ask(
        built_store, f"ASK {{ <{PKGR['united-states']}> <{PKG.participatesIn}> <{communique}> }}"
    )
    assert _ask(built_store, f"ASK {{ <{communique}> <{PKG.guarantor}> <{PKGR['russia']}> }}")


def test_error_2_date_bounds_are_not_published_as_start_and_end(
    ontology: Graph, built_store: EmbeddedStore
) -> None:
    """The ICC warrant is undated: its bounds must not read as a warrant "running" for years."""
    assert (PKG.earliestDate, RDFS.subPropertyOf, SCHEMA.startDate) not in ontology
    assert (PKG.latestDate, RDFS.subPropertyOf, SCHEMA.endDate) not in ontology
    warrant = PKGR["icc-warrant-for-putin"]
    for prop in (SCHEMA.startDate, SCHEMA.endDate):
        assert not _ask(built_store, f"ASK {{ <{warrant}> <{prop}> ?date }}")


def test_error_9_host_implies_no_invitation(ontology: Graph) -> None:
    definition = str(ontology.value(PKG.host, SKOS.definition))
    assert definition == "The agent on whose territory or premises talks take place."


def test_error_11_mappings_point_to_what_they_mean(ontology: Graph) -> None:
    """Issues are not organisations, bounds are P1319/P1326, roles are not event codes."""

    def mapped(term: URIRef) -> set[URIRef]:
        return {o for p in MAPPINGS for o in ontology.objects(term, p)}  # type: ignore[misc]

    assert mapped(PKG["issue-nato-membership"]) == set()
    assert mapped(PKG["issue-accountability-for-war-crimes"]) == set()
    assert mapped(PKG.earliestDate) == {WD.P1319}
    assert mapped(PKG.latestDate) == {WD.P1326}
    assert WD.P664 not in mapped(PKG.host) | set(ontology.objects(PKG.host, SKOS.relatedMatch))
    assert mapped(PKG["rel-offered-to-mediate"]) == {CAMEO["039"]}
    assert mapped(PKG["rel-called-for"]) == {CAMEO["02"]}
    roles = [PKG.party, PKG.mediator, PKG.host, PKG.Mediator, PKG.Party, PKG.Host]
    assert [r for r in roles if any(str(m).startswith(str(CAMEO)) for m in mapped(r))] == []
    assert mapped(PKG.ArmedConflict) == {WD.Q350604, WD.Q198}


def test_error_12_definitions_state_no_facts_the_sources_do_not(ontology: Graph) -> None:
    texts = [str(o) for o in ontology.objects(None, SKOS.definition)]
    for phrase in ("Medinsky", "Bucha in 2022", "the Istanbul meetings produced"):
        assert [t for t in texts if phrase in t] == [], phrase


def test_error_12_ontology_readme_examples_use_iris_of_the_data() -> None:
    """Every pkgr: IRI in ontology/README.md names an entity the data really has."""
    sources = load(ROOT / "ontology", ROOT / "data", ROOT / "ontology" / "shapes.ttl")
    known = {str(n) for t in sources.curated for n in t if isinstance(n, URIRef)}
    readme = (ROOT / "ontology" / "README.md").read_text(encoding="utf-8")
    used = set(re.findall(r"\bpkgr:([a-z0-9]+(?:-[a-z0-9]+)*)", readme))
    assert used
    assert sorted(u for u in used if str(PKGR[u]) not in known) == []
