"""Every namespace the project uses, in one place."""

from __future__ import annotations

from rdflib import Namespace

DEFAULT_BASE = "https://w3id.org/peacekg/"

PKG = Namespace(DEFAULT_BASE + "ontology#")
PKGR = Namespace(DEFAULT_BASE + "id/")
PKGSH = Namespace(DEFAULT_BASE + "shapes#")
PKGA = Namespace(DEFAULT_BASE + "assertion/")
SCHEMA = Namespace("http://schema.org/")
PROV = Namespace("http://www.w3.org/ns/prov#")
OA = Namespace("http://www.w3.org/ns/oa#")
VOID = Namespace("http://rdfs.org/ns/void#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
WD = Namespace("http://www.wikidata.org/entity/")
WDT = Namespace("http://www.wikidata.org/prop/direct/")
# Wikidata's full statement model (https://www.mediawiki.org/wiki/Wikibase/Indexing/RDF_Dump_Format)
WDP = Namespace("http://www.wikidata.org/prop/")
PS = Namespace("http://www.wikidata.org/prop/statement/")
PSV = Namespace("http://www.wikidata.org/prop/statement/value/")
PQ = Namespace("http://www.wikidata.org/prop/qualifier/")
PQV = Namespace("http://www.wikidata.org/prop/qualifier/value/")
PR = Namespace("http://www.wikidata.org/prop/reference/")
PRV = Namespace("http://www.wikidata.org/prop/reference/value/")
WIKIBASE = Namespace("http://wikiba.se/ontology#")
OWLRL_ERROR = Namespace("http://www.daml.org/2002/03/agents/agent-ontology#")


class GraphNames:
    """IRIs of the named graphs, derived from the configured base IRI.

    The endpoint's default graph is the union of these; keeping them apart is what lets a
    user ask for asserted facts only, or for the assertion (and so the source) of one fact.
    """

    def __init__(self, base_iri: str = DEFAULT_BASE) -> None:
        self.base_iri = base_iri
        self.ontology = base_iri + "graph/ontology"
        self.asserted = base_iri + "graph/asserted"
        self.inferred = base_iri + "graph/inferred"
        # Provenance per statement (issue 10): each assertion is a named graph under
        # ``assertion_base``; ``asserted`` is their union, materialised so that a query can
        # ask for every asserted fact without naming hundreds of graphs. Where each came
        # from is in ``provenance``; the Wikidata links a curator matched are ``alignment``.
        self.provenance = base_iri + "graph/provenance"
        self.alignment = base_iri + "graph/alignment"
        self.assertion_base = base_iri + "assertion/"
        # Derived graphs (issue 7), kept out of all(): the view is computed from asserted +
        # inferred in Wikidata's RDF model; the enrichment holds what Wikidata says.
        self.wikidata_view = base_iri + "graph/wikidata-view"
        self.wikidata = base_iri + "graph/wikidata"

    def curated(self) -> list[str]:
        """What curators wrote: the ontology, the asserted facts, their provenance and the
        Wikidata alignment (the default graph of ``view=asserted``)."""
        return [self.ontology, self.asserted, self.provenance, self.alignment]

    def all(self) -> list[str]:
        """The graph IRIs in build order (without the per-assertion graphs)."""
        return [*self.curated(), self.inferred]

    def is_assertion(self, iri: str) -> bool:
        """Whether ``iri`` names one assertion graph."""
        return iri.startswith(self.assertion_base)

    def union(self) -> list[str]:
        """The graphs whose union is the endpoint's default graph: :meth:`all` plus the
        Wikidata-shaped view and the Wikidata enrichment (issue 7), so a query written for
        Wikidata (``?e wdt:P710 wd:Q212``) runs unchanged. Graphs the build left empty are
        simply absent from the store, which SPARQL treats as empty graphs.
        """
        return [*self.all(), self.wikidata_view, self.wikidata]
