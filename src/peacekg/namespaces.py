"""Every namespace the project uses, in one place."""

from __future__ import annotations

from rdflib import Namespace

DEFAULT_BASE = "https://w3id.org/peacekg/"

PKG = Namespace(DEFAULT_BASE + "ontology#")
PKGR = Namespace(DEFAULT_BASE + "id/")
PKGSH = Namespace(DEFAULT_BASE + "shapes#")
SCHEMA = Namespace("http://schema.org/")
PROV = Namespace("http://www.w3.org/ns/prov#")
OA = Namespace("http://www.w3.org/ns/oa#")
VOID = Namespace("http://rdfs.org/ns/void#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
WD = Namespace("http://www.wikidata.org/entity/")
WDT = Namespace("http://www.wikidata.org/prop/direct/")
OWLRL_ERROR = Namespace("http://www.daml.org/2002/03/agents/agent-ontology#")


class GraphNames:
    """IRIs of the named graphs, derived from the configured base IRI.

    The endpoint's default graph is the union of these three; keeping them apart is
    what lets a user ask for asserted facts only.
    """

    def __init__(self, base_iri: str = DEFAULT_BASE) -> None:
        self.base_iri = base_iri
        self.ontology = base_iri + "graph/ontology"
        self.asserted = base_iri + "graph/asserted"
        self.inferred = base_iri + "graph/inferred"

    def all(self) -> list[str]:
        """The graph IRIs in build order."""
        return [self.ontology, self.asserted, self.inferred]
