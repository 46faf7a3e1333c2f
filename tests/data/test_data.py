"""The curated data in data/: sourced, verified, valid, and linked only to checked IDs (issue 4)."""

from __future__ import annotations

import hashlib
import re

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from peacekg.load import LoadedSources, load
from peacekg.namespaces import OA, PKG, PKGR, WD
from peacekg.quotes import check_quotes, load_sources
from peacekg.validate import validate
from peacekg.wikidata import linked_ids, load_reference_ids, unlinked_entities
from tests.conftest import REFERENCE as REFERENCE_DIR
from tests.conftest import ROOT
from tests.conftest import SEEDS as SOURCES_DIR

#: Actors, places and events that the checked reference list has no ID for (described agents
#: are not listed: they have no name to look up). A change here is a curation decision.
EXPECTED_UNLINKED = [
    "african-peace-mission-2023",
    "african-peace-mission-2023-visit-kyiv",
    "african-peace-mission-2023-visit-moscow",
    "annexation-of-ukrainian-regions",
    "antalya",
    "author-of-encyclopedia-summary",
    "author-of-explainer",
    "author-of-reply",
    "belarus-ukraine-border",
    "black-sea",
    "bucha",
    "china-calls-for-peace",
    "consultations-after-first-round-2022",
    "counteroffensive-2022-eastern-ukraine",
    "discovery-of-atrocities-bucha",
    "donbas",
    "eastern-ukraine",
    "end-of-direct-talks-2022-05",
    "glenn-diesen",
    "icc-warrant-for-putin",
    "istanbul-talks-2022-03",
    "round-2022-02-28-belarus",
    "round-2022-03-03-gomel-region",
    "round-2022-03-07-gomel-region",
    "round-2022-03-10-antalya",
    "round-2022-03-14-antalya",
    "russia-renewed-calls-for-talks",
    "russia-ukraine-direct-talks-2022",
    "russia-ukraine-peace-talks",
    "russian-delegation",
    "ukrainian-delegation",
    "ukrainian-parliament",
    "ukrainian-parliament-discussion-2022-05",
    "un-calls-for-end-of-war",
    "undisclosed-location-gomel-region",
    "unnamed-source-quoted-on-concessions",
    "vatican-calls-for-peace",
    "victoria-nuland",
]


@pytest.fixture(scope="module")
def sources() -> LoadedSources:
    """Ontology, shapes and asserted data, parsed once for this module."""
    return load(ROOT / "ontology", ROOT / "data", ROOT / "ontology" / "shapes.ttl")


@pytest.fixture(scope="module")
def data(sources: LoadedSources) -> Graph:
    """What curators wrote: the asserted facts, their provenance and the Wikidata alignment."""
    return sources.curated


def test_every_quote_is_verbatim_in_its_source(data: Graph) -> None:
    assert check_quotes(data, SOURCES_DIR) == []


def test_source_hashes_are_the_stored_files(data: Graph) -> None:
    stored = load_sources(SOURCES_DIR)
    hashes = {str(sha) for sha in data.objects(None, PKG.sha256)}
    assert hashes == set(stored)
    for path in SOURCES_DIR.glob("*.txt"):
        assert hashlib.sha256(path.read_bytes()).hexdigest() in hashes


def test_every_claim_has_claimant_source_and_quote(data: Graph) -> None:
    claims = set(data.subjects(RDF.type, PKG.Claim))
    assert len(claims) == 56  # a canary: update when claims are curated
    for claim in claims:
        assert (claim, PKG.claimant, None) in data, claim
        assert (claim, PKG.statedIn, None) in data, claim
        exacts = [str(e) for q in data.objects(claim, PKG.quote) for e in data.objects(q, OA.exact)]
        assert exacts and all(exacts), claim


def test_quotes_are_short(data: Graph) -> None:
    """Quotes are a sentence or less; the project keeps short quotes only, never paragraphs."""
    for exact in data.objects(None, OA.exact):
        text = str(exact)
        assert len(text) <= 200, text
        assert "\n" not in text, text


def test_shacl_conforms_with_zero_violations(sources: LoadedSources) -> None:
    outcome = validate(sources.curated, sources.ontology, sources.shapes)
    assert outcome.violations == [], outcome.text()
    assert outcome.conforms


def test_unlinked_entities_are_exactly_the_expected_ones(sources: LoadedSources) -> None:
    unlinked = unlinked_entities(sources.ontology + sources.curated)
    assert [iri for iri, _label in unlinked] == [str(PKGR[slug]) for slug in EXPECTED_UNLINKED]
    assert all(label for _iri, label in unlinked)


def test_wikidata_ids_only_from_the_reference_list(data: Graph) -> None:
    reference = load_reference_ids(REFERENCE_DIR)
    used = {
        str(node)[len(str(WD)) :]
        for triple in data
        for node in triple
        if isinstance(node, URIRef) and str(node).startswith(str(WD))
    }
    assert used, "no Wikidata links at all"
    assert used <= set(reference), sorted(used - set(reference))
    assert set(linked_ids(data).values()) == used


def test_load_reference_ids() -> None:
    reference = load_reference_ids(REFERENCE_DIR)
    assert reference["Q212"] == "Ukraine"
    assert reference["Q39259"] == "Recep Tayyip Erdoğan"
    assert "id" not in reference


def test_no_owl_same_as_to_wikidata(data: Graph) -> None:
    assert not list(data.triples((None, URIRef("http://www.w3.org/2002/07/owl#sameAs"), None)))


def test_names_in_standard_form_with_the_sources_spelling_kept(data: Graph) -> None:
    def label(slug: str) -> str:
        return str(data.value(PKGR[slug], URIRef("http://www.w3.org/2000/01/rdf-schema#label")))

    assert label("recep-tayyip-erdogan") == "Recep Tayyip Erdoğan"
    assert label("antonio-guterres") == "António Guterres"
    assert label("volodymyr-zelenskyy") == "Volodymyr Zelenskyy"
    stated = {str(n) for n in data.objects(PKGR["volodymyr-zelenskyy"], PKG.nameAsStated)}
    assert "Zelensky" in stated


def test_no_mojibake_in_any_literal(data: Graph) -> None:
    for node in data.all_nodes():
        if isinstance(node, Literal):
            assert not re.search("[ÃÄĂ][\u0080-\u00ff\u0100-\u017f]", str(node)), str(node)


def test_no_machine_paths_in_data() -> None:
    for path in [*(ROOT / "data").rglob("*.ttl"), *(ROOT / "data").rglob("*.trig")]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"/(work|tmp|root|home)/", text), path


def test_every_quote_is_an_unambiguous_anchor(data: Graph) -> None:
    """Each quote occurs once in its text, so oa:exact alone anchors it; a quote that recurs
    needs oa:prefix / oa:suffix (peacekg.quotes.quote_context makes them)."""
    texts = {sha: source.repaired for sha, source in load_sources(SOURCES_DIR).items()}
    for node, selector in data.subject_objects(PKG.quote):
        exact = str(data.value(selector, OA.exact))
        sha = str(data.value(data.value(node, PKG.statedIn), PKG.sha256))
        context = str(data.value(selector, OA.prefix) or "") + exact
        context += str(data.value(selector, OA.suffix) or "")
        assert texts[sha].count(context) == 1, (node, exact)
