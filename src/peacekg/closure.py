"""A fast OWL 2 RL closure: ``reasonable`` (Rust), completed to owlrl's entailments.

``reasonable`` closes LUBM(1) in seconds where owlrl takes minutes, but leaves out some
OWL 2 RL rules owlrl applies (measured, issue 17): ``cls-int1`` and ``cls-svf1`` (the 547
``rdf:type ub:Employee`` of LUBM(1)'s research assistants), ``cls-hv1``/``cls-hv2`` and the
schema rules ``scm-dom2``/``scm-rng2``. Those rules are evaluated here after it, with
set operations over SPARQL answers in an in-memory Oxigraph store (linear in the instances),
and ``reasonable`` runs again on anything they add, until nothing is new. ``reasonable``
never reports inconsistencies, so the OWL 2 RL rules with a false head are asked here too.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph
import reasonable
from rdflib import RDF, XSD, Literal
from rdflib.term import Node

from peacekg.store import to_rdflib_term, triple_quads

Triple = tuple[Node, Node, Node]
#: Rounds of reasonable + the added rules before giving up (each round adds something new).
MAX_ROUNDS = 20

_PREFIXES = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""

#: Schema rules reasonable does not apply: scm-dom2, scm-rng2 (through subproperties),
#: scm-dom1, scm-rng1 (to superclasses) and subproperty transitivity (scm-spo).
_SCHEMA_RULES = (
    "CONSTRUCT { ?p1 rdfs:domain ?c } WHERE { ?p1 rdfs:subPropertyOf ?p2 . ?p2 rdfs:domain ?c }",
    "CONSTRUCT { ?p1 rdfs:range ?c } WHERE { ?p1 rdfs:subPropertyOf ?p2 . ?p2 rdfs:range ?c }",
    "CONSTRUCT { ?p rdfs:domain ?c2 } WHERE { ?p rdfs:domain ?c1 . ?c1 rdfs:subClassOf ?c2 }",
    "CONSTRUCT { ?p rdfs:range ?c2 } WHERE { ?p rdfs:range ?c1 . ?c1 rdfs:subClassOf ?c2 }",
    "CONSTRUCT { ?p1 rdfs:subPropertyOf ?p3 } "
    "WHERE { ?p1 rdfs:subPropertyOf ?p2 . ?p2 rdfs:subPropertyOf ?p3 }",
)

#: OWL 2 RL rules with a false head (table 4-7): each row is one contradiction.
_INCONSISTENCIES = {
    "cax-dw": "SELECT ?x ?a ?b WHERE { ?a owl:disjointWith ?b . ?x a ?a , ?b }",
    "cls-com": "SELECT ?x ?a ?b WHERE { ?a owl:complementOf ?b . ?x a ?a , ?b }",
    "cls-nothing2": "SELECT ?x ?a ?b WHERE { ?x a owl:Nothing BIND(owl:Nothing AS ?a) }",
    "prp-irp": "SELECT ?x ?a ?b WHERE { ?a a owl:IrreflexiveProperty . ?x ?a ?x }",
    "prp-asyp": "SELECT ?x ?a ?b WHERE { ?a a owl:AsymmetricProperty . ?x ?a ?b . ?b ?a ?x }",
    "prp-pdw": "SELECT ?x ?a ?b WHERE { ?a owl:propertyDisjointWith ?b . ?x ?a ?y . ?x ?b ?y }",
    "eq-diff1": "SELECT ?x ?a ?b WHERE { ?x owl:differentFrom ?a . ?x owl:sameAs ?a }",
}
_MESSAGES = {
    "cax-dw": "{x} is an instance of the disjoint classes {a} and {b} (cax-dw)",
    "cls-com": "{x} is an instance of {a} and of its complement {b} (cls-com)",
    "cls-nothing2": "{x} is an instance of owl:Nothing (cls-nothing2)",
    "prp-irp": "{x} is related to itself by the irreflexive property {a} (prp-irp)",
    "prp-asyp": "{x} and {b} are related both ways by the asymmetric property {a} (prp-asyp)",
    "prp-pdw": "{x} is related to one value by the disjoint properties {a} and {b} (prp-pdw)",
    "eq-diff1": "{x} is both owl:sameAs and owl:differentFrom {a} (eq-diff1)",
}


def _normalise(node: Node) -> Node:
    """reasonable types plain literals ``xsd:string``; RDF 1.1 says they are the same."""
    if isinstance(node, Literal) and node.datatype == XSD.string and node.language is None:
        return Literal(str(node))
    return node


def _store(triples: Iterable[Triple]) -> pyoxigraph.Store:
    """The triples in an in-memory store (literal subjects, generalised RDF, left out)."""
    store = pyoxigraph.Store()
    store.extend(triple_quads(triples))
    return store


def _select(store: pyoxigraph.Store, sparql: str) -> list[tuple[Node, ...]]:
    result = store.query(_PREFIXES + sparql)
    assert isinstance(result, pyoxigraph.QuerySolutions)
    names = [v.value for v in result.variables]
    # Terms repeat across rows (the classes, the properties): each is converted once, as
    # building an rdflib IRI validates it (the largest single cost of reasoning on LUBM(1)).
    memo: dict[object, Node] = {}

    def convert(term: object) -> Node:
        if term is None:
            return Literal("")
        found = memo.get(term)
        if found is None:
            found = memo[term] = to_rdflib_term(term)
        return found

    return [tuple(convert(row[n]) for n in names) for row in result]


def _class_rules(store: pyoxigraph.Store) -> set[Triple]:
    """cls-int1, cls-svf1, cls-svf2, cls-hv1 and cls-hv2 over the current closure.

    One query per rule, no term written into query text: the classes are often blank nodes
    (restrictions), which a query cannot name.
    """
    members: dict[Node, set[Node]] = {}
    for cls, member in _select(
        store, "SELECT ?c ?m WHERE { ?c owl:intersectionOf/rdf:rest*/rdf:first ?m }"
    ):
        members.setdefault(cls, set()).add(member)
    having: dict[tuple[Node, Node], set[Node]] = {}
    for cls, x, member in _select(
        store,
        "SELECT DISTINCT ?c ?x ?m WHERE { ?c owl:intersectionOf/rdf:rest*/rdf:first ?m . ?x a ?m }",
    ):
        having.setdefault((cls, x), set()).add(member)
    added: set[Triple] = {
        (x, RDF.type, cls) for (cls, x), got in having.items() if got >= members[cls]
    }
    # cls-svf1, then cls-svf2 (a UNION of the two is evaluated per triple: 3 s at 5k).
    for query in (
        "SELECT DISTINCT ?x ?c WHERE { ?c owl:someValuesFrom ?d ; owl:onProperty ?p . "
        "?y a ?d . ?x ?p ?y }",
        "SELECT DISTINCT ?x ?c WHERE { ?c owl:someValuesFrom owl:Thing ; owl:onProperty ?p . "
        "?x ?p ?y }",
    ):
        added |= {(x, RDF.type, cls) for x, cls in _select(store, query)}
    for x, prop, value in _select(
        store,
        "SELECT DISTINCT ?x ?p ?v WHERE { ?c owl:hasValue ?v ; owl:onProperty ?p . ?x a ?c }",
    ):
        added.add((x, prop, value))
    for x, cls in _select(
        store,
        "SELECT DISTINCT ?x ?c WHERE { ?c owl:hasValue ?v ; owl:onProperty ?p . ?x ?p ?v }",
    ):
        added.add((x, RDF.type, cls))
    return added


def _schema_rules(store: pyoxigraph.Store) -> set[Triple]:
    added: set[Triple] = set()
    for rule in _SCHEMA_RULES:
        result = store.query(_PREFIXES + rule)
        assert isinstance(result, pyoxigraph.QueryTriples)
        for t in result:
            added.add(
                (to_rdflib_term(t.subject), to_rdflib_term(t.predicate), to_rdflib_term(t.object))
            )
    return added


def inconsistencies(store: pyoxigraph.Store) -> list[str]:
    """One message per contradiction the closure in ``store`` holds (each pair once)."""
    messages: set[str] = set()
    for rule, query in _INCONSISTENCIES.items():
        for x, a, b in _select(store, query):
            first, second = (a, b) if rule != "cax-dw" else sorted((a, b), key=str)
            messages.add(_MESSAGES[rule].format(x=x, a=first, b=second))
    return sorted(messages)


def ill_typed(triples: Iterable[Triple]) -> list[str]:
    """A message per literal whose lexical form is not in its datatype (an inconsistency)."""
    return sorted(
        f"{s} {p} {o!r}: the lexical form is not a valid {o.datatype}"
        for s, p, o in triples
        if isinstance(o, Literal) and o.ill_typed
    )


def closure(triples: Iterable[Triple]) -> tuple[set[Triple], list[str]]:
    """The OWL 2 RL closure of ``triples`` and the inconsistencies it holds.

    One reasoner throughout: after the first closure, what the added rules derive joins its
    base triples and reasonable materialises only what follows from them (incrementally).
    """
    base = set(triples)
    errors = ill_typed(base)
    reasoner = reasonable.PyReasoner()
    reasoner.from_graph(list(base))
    closed = _normalised(reasoner.reason()) | base
    store = _store(closed)
    for _round in range(MAX_ROUNDS):
        new = (_class_rules(store) | _schema_rules(store)) - closed
        if not new:
            return closed, errors + inconsistencies(store)
        base |= new
        reasoner.update_graph(list(base))
        grown = _normalised(reasoner.reason()) | base
        store.extend(triple_quads(grown - closed))
        closed |= grown
    raise RuntimeError(f"the OWL 2 RL closure did not settle in {MAX_ROUNDS} rounds")


def _normalised(triples: Iterable[Triple]) -> set[Triple]:
    return {(s, p, _normalise(o)) for s, p, o in triples}
