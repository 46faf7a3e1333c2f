"""The ontology parses, documents every term, cites only known Wikidata IDs and stays in OWL 2 RL.

"Stays in OWL 2 RL" means: nothing that owlrl would silently ignore. The OWL 2 RL profile
(https://www.w3.org/TR/owl2-profiles/#OWL_2_RL) forbids existentials, unions and the like as
superclasses, universals as subclasses, min/exact cardinalities and disjoint unions.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, SKOS

from peacekg.reason import reason
from tests.conftest import REFERENCE

REPO = Path(__file__).resolve().parents[2]
PKG = Namespace("https://w3id.org/peacekg/ontology#")
WD = "http://www.wikidata.org/entity/"
ONTOLOGY_IRI = URIRef("https://w3id.org/peacekg/ontology")
DECLARATION_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)

#: The OWL 2 RL datatype map plus xsd:date, which the OWL 2 datatype map lacks but owlrl
#: implements (it checks lexical forms, see test_reasoning.test_ill_typed_date_is_inconsistent);
#: the date bounds need it (issue 3, "Time with precision").
ALLOWED_DATATYPES = {
    RDF.PlainLiteral,
    RDF.XMLLiteral,
    RDFS.Literal,
    RDF.langString,
    XSD.decimal,
    XSD.integer,
    XSD.nonNegativeInteger,
    XSD.nonPositiveInteger,
    XSD.positiveInteger,
    XSD.negativeInteger,
    XSD.long,
    XSD.int,
    XSD.short,
    XSD.byte,
    XSD.unsignedLong,
    XSD.unsignedInt,
    XSD.unsignedShort,
    XSD.unsignedByte,
    XSD.double,
    XSD.float,
    XSD.string,
    XSD.normalizedString,
    XSD.token,
    XSD.language,
    XSD.Name,
    XSD.NCName,
    XSD.NMTOKEN,
    XSD.boolean,
    XSD.hexBinary,
    XSD.base64Binary,
    XSD.anyURI,
    XSD.dateTime,
    XSD.dateTimeStamp,
    XSD.date,
}


def _reference_ids() -> set[str]:
    path = REFERENCE / "wikidata-ids.tsv"
    if not path.exists():
        pytest.fail(
            f"reference list not found: {path.name} "
            "(set PEACEKG_SHARED_DIR or PEACEKG_REFERENCE_DIR)"
        )
    lines = [
        line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")
    ]
    return {row["id"] for row in csv.DictReader(lines, delimiter="\t")}


def _owned_text_files() -> list[Path]:
    files = [
        REPO / "ontology" / "peacekg.ttl",
        REPO / "ontology" / "shapes.ttl",
        REPO / "ontology" / "README.md",
    ]
    files += sorted((REPO / "queries" / "checks").glob("*.rq"))
    files += sorted(Path(__file__).parent.rglob("*.ttl"))
    return files


def _declared(ontology: Graph) -> set[URIRef]:
    terms = set()
    for kind in DECLARATION_TYPES:
        terms |= {
            s
            for s in ontology.subjects(RDF.type, kind)
            if isinstance(s, URIRef) and s.startswith(PKG)
        }
    return terms


def test_header(ontology: Graph) -> None:
    """If the ontology is loaded, then its header has version IRI/info, licence, creator, date."""
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    version = str(ontology.value(ONTOLOGY_IRI, OWL.versionInfo))
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    assert ontology.value(ONTOLOGY_IRI, OWL.versionIRI) == URIRef(
        f"https://w3id.org/peacekg/ontology/{version}"
    )
    assert ontology.value(ONTOLOGY_IRI, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    assert ontology.value(ONTOLOGY_IRI, DCTERMS.creator) is not None
    modified = ontology.value(ONTOLOGY_IRI, DCTERMS.modified)
    assert isinstance(modified, Literal) and modified.datatype == XSD.date


def test_every_term_has_label_and_definition(ontology: Graph) -> None:
    """If a class, property or concept is declared, then it has rdfs:label and a definition."""
    concepts = {s for s in ontology.subjects(SKOS.inScheme, None) if isinstance(s, URIRef)}
    terms = _declared(ontology) | concepts
    assert len(terms) > 100
    for term in terms:
        assert ontology.value(term, RDFS.label) is not None, term
        assert (
            ontology.value(term, SKOS.definition) or ontology.value(term, RDFS.comment)
        ) is not None, term


def test_every_concept_in_a_declared_scheme(ontology: Graph) -> None:
    """If a term is in a concept scheme, then it is a skos:Concept and the scheme is declared."""
    for concept, scheme in ontology.subject_objects(SKOS.inScheme):
        assert (scheme, RDF.type, SKOS.ConceptScheme) in ontology, scheme
        assert (concept, RDF.type, SKOS.Concept) in ontology, concept


def test_every_property_and_class_is_aligned_or_mapped(ontology: Graph) -> None:
    """If a class or property is declared, then it has a super-term, inverse or SKOS mapping."""
    local_roots = (
        set()
    )  # every term currently has an alignment; record exceptions here with a reason
    for term in _declared(ontology) - local_roots:
        supers = set(ontology.objects(term, RDFS.subClassOf)) | set(
            ontology.objects(term, RDFS.subPropertyOf)
        )
        mappings = {
            o
            for p in (SKOS.exactMatch, SKOS.closeMatch, SKOS.relatedMatch, OWL.inverseOf)
            for o in ontology.objects(term, p)
        }
        inverse_of = set(ontology.subjects(OWL.inverseOf, term))
        domain_or_range = set(ontology.objects(term, RDFS.domain)) | set(
            ontology.objects(term, RDFS.range)
        )
        assert supers or mappings or inverse_of or domain_or_range, term


def test_wikidata_ids_in_reference(ontology: Graph) -> None:
    """If a Wikidata entity IRI occurs in the ontology, then its ID is in the reference list."""
    known = _reference_ids()
    used = {
        str(o).removeprefix(WD)
        for o in ontology.objects()
        if isinstance(o, URIRef) and str(o).startswith(WD)
    }
    assert used, "expected Wikidata mappings"
    assert used <= known, sorted(used - known)


def test_no_unlisted_wikidata_id_anywhere() -> None:
    """If a P/Q identifier appears in any file of the ontology work, then it is in the list."""
    known = _reference_ids()
    pattern = re.compile(r"(?<![\w/.-])(?:wd:)?([PQ][0-9]+)\b")
    for path in _owned_text_files():
        found = set(pattern.findall(path.read_text(encoding="utf-8")))
        assert found <= known, (path.name, sorted(found - known))


def test_pkg_terms_used_are_declared(ontology: Graph, shapes: Graph) -> None:
    """If shapes, checks or the README mention a pkg: term, then the ontology declares it."""
    declared = _declared(ontology) | set(ontology.subjects(SKOS.inScheme, None))
    declared |= set(ontology.subjects(RDF.type, SKOS.ConceptScheme))
    used = {t for triple in shapes for t in triple if isinstance(t, URIRef) and t.startswith(PKG)}
    term = re.compile(r"pkg:([A-Za-z][A-Za-z0-9-]*)")
    texts = [(REPO / "ontology" / "README.md").read_text(encoding="utf-8")]
    # Query headers may name misspelt terms as examples of what a check catches; bodies may not.
    texts += [
        "\n".join(
            line
            for line in path.read_text(encoding="utf-8").splitlines()
            if not line.startswith("#")
        )
        for path in sorted((REPO / "queries" / "checks").glob("*.rq"))
    ]
    for text in texts:
        used |= {PKG[name] for name in term.findall(text) if not name.endswith("-")}
    assert used - declared == set()


# --- OWL 2 RL profile ---------------------------------------------------------------------

SUPERCLASS_FORBIDDEN = (
    OWL.someValuesFrom,
    OWL.unionOf,
    OWL.oneOf,
    OWL.minCardinality,
    OWL.minQualifiedCardinality,
    OWL.cardinality,
    OWL.qualifiedCardinality,
    OWL.hasSelf,
)
SUBCLASS_FORBIDDEN = (
    OWL.allValuesFrom,
    OWL.complementOf,
    OWL.maxCardinality,
    OWL.maxQualifiedCardinality,
    OWL.cardinality,
    OWL.qualifiedCardinality,
    OWL.hasSelf,
)


def test_no_forbidden_superclass_expression(ontology: Graph) -> None:
    """If C rdfs:subClassOf X with X anonymous, then X uses none of the constructs RL forbids
    there.
    """
    for _c, sup in ontology.subject_objects(RDFS.subClassOf):
        if isinstance(sup, BNode):
            for pred in SUPERCLASS_FORBIDDEN:
                assert (sup, pred, None) not in ontology, pred
            if (sup, OWL.maxCardinality, None) in ontology:
                assert int(ontology.value(sup, OWL.maxCardinality)) in {0, 1}  # type: ignore[arg-type]


def test_no_forbidden_subclass_expression(ontology: Graph) -> None:
    """If X rdfs:subClassOf C with X anonymous, then X uses none of the constructs RL forbids
    there.
    """
    for sub, _c in ontology.subject_objects(RDFS.subClassOf):
        if isinstance(sub, BNode):
            for pred in SUBCLASS_FORBIDDEN:
                assert (sub, pred, None) not in ontology, pred


def test_no_construct_outside_rl(ontology: Graph) -> None:
    """If the ontology is loaded, then it has no equivalent-class expressions, disjoint unions,
    reflexive properties or min cardinalities.
    """
    for pred in (OWL.disjointUnionOf, OWL.minCardinality, OWL.minQualifiedCardinality, OWL.hasSelf):
        assert (None, pred, None) not in ontology, pred
    assert (None, RDF.type, OWL.ReflexiveProperty) not in ontology
    assert all(isinstance(o, URIRef) for o in ontology.objects(None, OWL.equivalentClass))
    assert all(isinstance(o, URIRef) for o in ontology.objects(None, RDFS.subClassOf))


def test_datatypes_supported(ontology: Graph) -> None:
    """If a datatype property has a range, then it is in the OWL 2 RL datatype map (or xsd:date)."""
    for prop in ontology.subjects(RDF.type, OWL.DatatypeProperty):
        for rng in ontology.objects(prop, RDFS.range):
            assert rng in ALLOWED_DATATYPES, (prop, rng)


def test_ontology_alone_is_consistent(ontology: Graph) -> None:
    """If owlrl closes the ontology with no data, then it reports no inconsistency."""
    reason(ontology, Graph())
