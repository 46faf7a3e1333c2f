"""Why links are skos:exactMatch, not owl:sameAs: what OWL RL does with each (issue 7).

With owl:sameAs, the eq-rep-s/eq-rep-o rules copy every triple of our entity onto the
Wikidata IRI (and eq-trans would merge two entities wrongly linked to one item); with
skos:exactMatch nothing reaches the Wikidata IRI but the link itself. The measured numbers
on the real data are in the README's "Wikidata" section.
"""

from __future__ import annotations

from rdflib import OWL, RDF, RDFS, Graph, Literal
from rdflib.namespace import SKOS

from peacekg.namespaces import PKG, PKGR, WD
from peacekg.reason import reason
from tests.wikidata.conftest import fixture_graphs


def _with_same_as(data: Graph) -> Graph:
    swapped = Graph()
    for s, p, o in data:
        is_link = p == SKOS.exactMatch and str(o).startswith(str(WD))
        swapped.add((s, OWL.sameAs, o) if is_link else (s, p, o))
    return swapped


def test_eq_rep_copies_our_triples_to_the_wikidata_iri_only_with_same_as() -> None:
    """If pkgr:ukraine owl:sameAs wd:Q212 then (eq-rep-s) wd:Q212 gets its types and labels."""
    data, ontology = fixture_graphs()
    linked = reason(ontology, data).inferred
    merged = reason(ontology, _with_same_as(data)).inferred
    ukraine = Literal("Ukraine", lang="en")
    assert (WD.Q212, RDF.type, PKG.State) not in linked
    assert (WD.Q212, RDFS.label, ukraine) not in linked
    assert (WD.Q212, RDF.type, PKG.State) in merged
    assert (WD.Q212, RDFS.label, ukraine) in merged
    assert (PKGR["round-2022-03-10-antalya"], PKG.party, WD.Q212) in merged
    on_items = [t for t in merged if str(t[0]).startswith(str(WD))]
    assert len(on_items) > 10 * len([t for t in linked if str(t[0]).startswith(str(WD))])
    assert len(merged) > len(linked)
