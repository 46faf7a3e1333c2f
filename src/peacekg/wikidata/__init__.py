"""Wikidata stage: the checked reference IDs and what is still unlinked.

Sub-modules: ``view`` (pure: our graph in Wikidata's RDF model, QuickStatements) and
``client`` (the only network code: check and enrich against a Wikidata SPARQL endpoint).

Links live in ``data/alignment/wikidata.ttl`` as ``skos:exactMatch`` to
``wd:Q…`` IRIs (issue 4). ``owl:sameAs`` is deliberately not used: OWL RL's
``eq-rep-*`` rules would copy every triple of an entity to its Wikidata IRI.
Only IDs listed in ``wikidata-ids.tsv`` may be used; everything else stays
unlinked and the build lists it (:func:`unlinked_entities`), so a later
online check can fill the gaps instead of anyone guessing.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pyoxigraph
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from peacekg.namespaces import PKG, WD

__all__ = [
    "LINKABLE_CLASSES",
    "REFERENCE_FILE",
    "linked_ids",
    "load_reference_ids",
    "unlinked_entities",
    "unlinked_in_store",
]

REFERENCE_FILE = "wikidata-ids.tsv"

#: The classes whose members should have a Wikidata link: actors, places and
#: events (issue 4). Subclass members count, through rdfs:subClassOf in the graph.
LINKABLE_CLASSES: tuple[URIRef, ...] = (PKG.Agent, PKG.Place, PKG.Event)


def load_reference_ids(reference_dir: Path) -> dict[str, str]:
    """Read ``wikidata-ids.tsv`` in ``reference_dir`` into ``{id: label}``.

    Lines starting with ``#`` are comments; the first other line is the
    header (``id``, ``label``, ``kind``, ``note``).
    """
    path = reference_dir / REFERENCE_FILE
    with path.open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if line.strip() and not line.startswith("#")]
    reader = csv.DictReader(lines, delimiter="\t")
    return {row["id"].strip(): row["label"].strip() for row in reader if row.get("id")}


def linked_ids(graph: Graph) -> dict[str, str]:
    """``{entity IRI: Wikidata ID}`` for every ``skos:exactMatch`` to a ``wd:`` IRI."""
    links: dict[str, str] = {}
    for subject, target in graph.subject_objects(SKOS.exactMatch):
        if isinstance(target, URIRef) and str(target).startswith(str(WD)):
            links[str(subject)] = str(target)[len(str(WD)) :]
    return links


def _is_linkable(graph: Graph, cls: URIRef) -> bool:
    """True if ``cls`` is one of :data:`LINKABLE_CLASSES` or a subclass of one."""
    return any(top in LINKABLE_CLASSES for top in graph.transitive_objects(cls, RDFS.subClassOf))


def unlinked_entities(graph: Graph) -> list[tuple[str, str]]:
    """(IRI, label) of actors, places and events that have no Wikidata link.

    Described agents (pkg:DescribedAgent) are left out: the sources do not name
    them, so there is nothing to match.

    Works on asserted data plus the ontology (subclass axioms are followed
    here) as well as on the reasoned union. Only IRIs are listed: blank
    nodes cannot be linked. Sorted by IRI for a stable build report.
    """
    linked = linked_ids(graph)
    # Described agents have no name to look up (ontology: never merged with a named agent
    # unless a source says who it is), so listing them would only add noise.
    described = set(graph.subjects(RDF.type, PKG.DescribedAgent))
    found: dict[str, str] = {}
    classes = {cls for cls in graph.objects(None, RDF.type) if isinstance(cls, URIRef)}
    linkable = {cls for cls in classes if _is_linkable(graph, cls)}
    for cls in linkable:
        for entity in graph.subjects(RDF.type, cls):
            iri = str(entity)
            if not isinstance(entity, URIRef) or iri in linked or iri in found:
                continue
            if entity in described:
                continue
            if iri.startswith(str(WD)):
                continue
            label = graph.value(entity, RDFS.label) or graph.value(entity, SKOS.prefLabel)
            found[iri] = "" if label is None else str(label)
    return sorted(found.items())


_UNLINKED = """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX pkg: <https://w3id.org/peacekg/ontology#>
SELECT ?entity (SAMPLE(?label) AS ?l) (SAMPLE(?pref) AS ?p) WHERE {
    { SELECT DISTINCT ?class WHERE {
        VALUES ?top { %(tops)s }
        ?class rdfs:subClassOf* ?top .
        FILTER(isIRI(?class))
    } }
    ?entity rdf:type ?class .
    FILTER(isIRI(?entity) && !STRSTARTS(STR(?entity), "%(wd)s"))
    MINUS { ?entity rdf:type pkg:DescribedAgent }
    MINUS { ?entity skos:exactMatch ?item FILTER(isIRI(?item) && STRSTARTS(STR(?item), "%(wd)s")) }
    OPTIONAL { ?entity rdfs:label ?label }
    OPTIONAL { ?entity skos:prefLabel ?pref }
}
GROUP BY ?entity
"""


def unlinked_in_store(store: pyoxigraph.Store) -> list[tuple[str, str]]:
    """:func:`unlinked_entities` of the default graph of an Oxigraph store, as SPARQL there
    (the build's path: no rdflib graph of the whole union is made, issue 17).

    An entity with several labels is listed with one of them, as rdflib's ``value`` does.
    """
    query = _UNLINKED % {"tops": " ".join(f"<{c}>" for c in LINKABLE_CLASSES), "wd": str(WD)}
    result = store.query(query)
    assert isinstance(result, pyoxigraph.QuerySolutions)
    found: dict[str, str] = {}
    for entity, label, pref in result:
        assert entity is not None
        # rdflib's `value(label) or value(prefLabel)`: an empty label falls through too.
        text = label.value if label is not None else ""
        found[entity.value] = text or (pref.value if pref is not None else "")
    return sorted(found.items())
