"""The fast OWL 2 RL engine (reasonable completed, ``peacekg.closure``) against owlrl.

owlrl is the reference: on the real graph the inferred graphs must be identical, and on a
LUBM(1) sample (univ-bench's someValuesFrom/intersectionOf definitions, the rules reasonable
alone leaves out) every data-level entailment must be the same. Ontology-level triples about
univ-bench's anonymous restrictions are left out of the LUBM comparison: they say nothing
about the data.
"""

from __future__ import annotations

import gzip
import itertools
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import RDF, Graph, URIRef

from peacekg import closure
from peacekg.load import load
from peacekg.reason import reason
from tests.conftest import SHARED

REPO = Path(__file__).resolve().parents[2]
LUBM = SHARED / "benchmarks" / "lubm"
UB = "http://www.lehigh.edu/~zhp2/2004/0401/univ-bench.owl#"
#: Lines of LUBM(1) in the sample: its first department, research assistants included.
SAMPLE_LINES = 3000


def test_same_inferred_graph_as_owlrl_on_the_real_graph() -> None:
    """If the real graph is reasoned by both engines, then both infer exactly the same."""
    sources = load(REPO / "ontology", REPO / "data", REPO / "ontology" / "shapes.ttl")
    known = (sources.provenance, sources.alignment)
    fast = reason(sources.ontology, sources.asserted, known=known)
    reference = reason(sources.ontology, sources.asserted, known=known, engine="owlrl")
    assert len(reference.inferred) > 2000
    assert set(fast.inferred) ^ set(reference.inferred) == set()


def test_same_data_entailments_as_owlrl_on_a_lubm_sample() -> None:
    """If a LUBM(1) sample is reasoned by both, then the data-level entailments are equal,
    the Employee typings through someValuesFrom and intersectionOf included."""
    ontology = Graph().parse(LUBM / "univ-bench.ttl")
    with gzip.open(LUBM / "lubm1.nt.gz", "rt", encoding="utf-8") as lines:
        data = Graph().parse(data="".join(itertools.islice(lines, SAMPLE_LINES)), format="nt")
    fast = reason(ontology, data).inferred
    reference = reason(ontology, data, engine="owlrl").inferred
    schema = set(ontology.subjects())
    employees = set(reference.subjects(RDF.type, URIRef(UB + "Employee")))
    assert len(employees) == 41
    assert set(fast.subjects(RDF.type, URIRef(UB + "Employee"))) == employees
    assert {t for t in fast if t[0] not in schema} == {t for t in reference if t[0] not in schema}


def test_unknown_engine_is_refused() -> None:
    """If an engine is not one of ENGINES, then reason says so instead of guessing."""
    with pytest.raises(ValueError, match="unknown reasoning engine 'hermit'"):
        reason(Graph(), Graph(), engine="hermit")


def test_the_rule_store_takes_the_triples_of_a_property_a_later_round_makes_irreflexive() -> None:
    """The added rules' store keeps only the predicates they read: when a round's new triples
    make a property irreflexive (here as cls-int1 after reasonable could), prp-irp must read
    that property's earlier triples too."""
    knows = pyoxigraph.NamedNode("http://example.org/late#knows")
    ann = pyoxigraph.NamedNode("http://example.org/late#ann")
    irreflexive = pyoxigraph.NamedNode("http://www.w3.org/2002/07/owl#IrreflexiveProperty")
    rdf_type = pyoxigraph.NamedNode(str(RDF.type))
    first = {(ann, knows, ann)}
    rules = closure._RuleStore(first)
    assert len(rules.store) == 0
    made = {(knows, rdf_type, irreflexive)}
    rules.add(made, first | made)
    assert closure.inconsistencies(rules.store) == [
        "http://example.org/late#ann is related to itself by the irreflexive property "
        "http://example.org/late#knows (prp-irp)"
    ]
