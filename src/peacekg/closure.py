"""A fast OWL 2 RL closure: ``reasonable`` (Rust), completed to owlrl's entailments.

``reasonable`` closes LUBM(1) in seconds where owlrl takes minutes, but leaves out some
OWL 2 RL rules owlrl applies (measured, issue 17): ``cls-int1`` and ``cls-svf1`` (the 547
``rdf:type ub:Employee`` of LUBM(1)'s research assistants), ``cls-hv1``/``cls-hv2`` and the
schema rules ``scm-dom2``/``scm-rng2``. Those rules are evaluated here after it, with
set operations over SPARQL answers in an in-memory Oxigraph store (linear in the instances),
and ``reasonable`` runs again on anything they add, until nothing is new. ``reasonable``
never reports inconsistencies, so the OWL 2 RL rules with a false head are asked here too.

Everything here is in pyoxigraph terms: no rdflib term is built (issue 17: building rdflib
IRIs for reasonable's answers was most of the reasoning time on LUBM(1)). reasonable takes
strings for IRIs (:class:`IRI`); it answers with ``rdflib`` terms, built by name from the
``rdflib`` module it imports, so for the duration of :func:`_reason` that name stands for
:data:`_AS_OXIGRAPH`, which hands back pyoxigraph terms instead, each term once
(:class:`_Terms`).
"""

from __future__ import annotations

import sys
import threading
import types
from collections.abc import Callable, Iterable

import pyoxigraph
import reasonable
from rdflib import Literal as RdflibLiteral
from rdflib import URIRef

Term = pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal
Triple = tuple[Term, Term, Term]
#: Rounds of reasonable + the added rules before giving up (each round adds something new).
MAX_ROUNDS = 20

_XSD = "http://www.w3.org/2001/XMLSchema#"
_UNCHECKED_DATATYPES = {
    _XSD + "string",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
}
_RDF_TYPE = pyoxigraph.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")

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


class IRI(str):
    """An IRI as reasonable reads one: its text, with ``datatype`` and ``language`` there
    (``None``). reasonable asks every term for both, and an attribute a plain ``str`` lacks
    costs it an exception each time: half its loading time on LUBM(1), measured."""

    __slots__ = ()
    datatype = None
    language = None


class BNode(str):
    """A blank node as reasonable reads one: its type is named ``BNode``, its text the label
    (with :class:`IRI`'s two attributes)."""

    __slots__ = ()
    datatype = None
    language = None


class Literal:
    """A literal as reasonable reads one: a type named ``Literal`` with ``datatype`` and
    ``language`` (the datatype left out of a language-tagged literal, which reasonable would
    otherwise read as a plain one), its text the lexical form."""

    __slots__ = ("datatype", "language", "value")

    def __init__(self, term: pyoxigraph.Literal) -> None:
        self.value = term.value
        self.language = term.language
        self.datatype = None if term.language else term.datatype.value

    def __str__(self) -> str:
        return self.value


class _Given(dict[Term, "IRI | BNode | Literal"]):
    """pyoxigraph term -> reasonable's form of it, converted on first use."""

    def __init__(self, convert: Callable[[Term], IRI | BNode | Literal]) -> None:
        super().__init__()
        self.convert = convert

    def __missing__(self, term: Term) -> IRI | BNode | Literal:
        converted = self[term] = self.convert(term)
        return converted


class _Terms:
    """Each term once: what reasonable is handed, and the pyoxigraph terms its answers are
    built from, looked up by their text.

    Without it every triple reasonable answers (each round, the whole closure) is three new
    Python objects: at LUBM(10), gigabytes of equal terms. With it the input's own objects
    come back, and each set of triples holds only tuples of shared terms.
    """

    def __init__(self) -> None:
        self.given = _Given(self._convert)
        self.iris: dict[str, pyoxigraph.NamedNode] = {}
        self.blanks: dict[str, pyoxigraph.BlankNode] = {}
        self.literals: dict[tuple[str, str | None, str | None], pyoxigraph.Literal] = {}

    def reasonable_triples(self, triples: Iterable[Triple]) -> list[tuple[object, ...]]:
        """``triples`` as reasonable reads them."""
        given = self.given
        return [(given[s], given[p], given[o]) for s, p, o in triples]

    def _convert(self, term: Term) -> IRI | BNode | Literal:
        converted: IRI | BNode | Literal
        if isinstance(term, pyoxigraph.NamedNode):
            converted = IRI(term.value)
            self.iris.setdefault(term.value, term)
        elif isinstance(term, pyoxigraph.BlankNode):
            converted = BNode(term.value)
            self.blanks.setdefault(term.value, term)
        else:
            converted = Literal(term)
            self.literals.setdefault((term.value, term.language, converted.datatype), term)
        return converted

    def iri(self, value: str) -> pyoxigraph.NamedNode:
        node = self.iris.get(value)
        if node is None:
            node = self.iris[value] = pyoxigraph.NamedNode(value)
        return node

    def blank(self, value: str) -> pyoxigraph.BlankNode:
        node = self.blanks.get(value)
        if node is None:
            node = self.blanks[value] = pyoxigraph.BlankNode(value)
        return node

    def literal(
        self, value: str, language: str | None = None, datatype: str | None = None
    ) -> pyoxigraph.Literal:
        key = (value, language or None, None if language else datatype)
        node = self.literals.get(key)
        if node is None:
            node = self.literals[key] = _literal(*key)
        return node


def _literal(value: str, language: str | None, datatype: str | None) -> pyoxigraph.Literal:
    if language:
        return pyoxigraph.Literal(value, language=language)
    if datatype:
        return pyoxigraph.Literal(value, datatype=pyoxigraph.NamedNode(datatype))
    return pyoxigraph.Literal(value)


#: What reasonable's answers are built with (see the module docstring).
_AS_OXIGRAPH = types.ModuleType("rdflib")
_SWAP = threading.Lock()


def _reason(reasoner: reasonable.PyReasoner, terms: _Terms) -> list[Triple]:
    """``reasoner.reason()`` with its answers in pyoxigraph terms (``terms``' own).

    reasonable holds the GIL while it runs and imports ``rdflib`` by name, so the stand-in is
    seen by it alone; the lock keeps two reasoners from restoring each other's module.
    """
    with _SWAP:
        real = sys.modules.get("rdflib")
        _AS_OXIGRAPH.URIRef = terms.iri  # type: ignore[attr-defined]
        _AS_OXIGRAPH.BNode = terms.blank  # type: ignore[attr-defined]
        _AS_OXIGRAPH.Literal = terms.literal  # type: ignore[attr-defined]
        sys.modules["rdflib"] = _AS_OXIGRAPH
        try:
            answers: list[Triple] = reasoner.reason()
        finally:
            if real is not None:
                sys.modules["rdflib"] = real
    return answers


_OWL = "http://www.w3.org/2002/07/owl#"
_ON_PROPERTY = pyoxigraph.NamedNode(_OWL + "onProperty")
_PROPERTY_DISJOINT = pyoxigraph.NamedNode(_OWL + "propertyDisjointWith")
_CHECKED_PROPERTY_TYPES = {
    pyoxigraph.NamedNode(_OWL + "IrreflexiveProperty"),
    pyoxigraph.NamedNode(_OWL + "AsymmetricProperty"),
}
#: What the rules here read besides the schema (RDFS and OWL terms) and the properties the
#: schema names: types, lists and (in)equalities.
_RULE_PREDICATES = {
    _RDF_TYPE,
    pyoxigraph.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#first"),
    pyoxigraph.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#rest"),
    pyoxigraph.NamedNode(_OWL + "sameAs"),
    pyoxigraph.NamedNode(_OWL + "differentFrom"),
}


def _rule_predicates(triples: Iterable[Triple]) -> frozenset[Term]:
    """The predicates whose triples the added rules and the inconsistency checks read: the
    fixed ones, and the properties the schema names in restrictions (``owl:onProperty``),
    disjointness, irreflexivity or asymmetry."""
    found: set[Term] = set(_RULE_PREDICATES)
    for s, p, o in triples:
        if p == _ON_PROPERTY:
            found.add(o)
        elif p == _PROPERTY_DISJOINT:
            found.update((s, o))
        elif p == _RDF_TYPE and o in _CHECKED_PROPERTY_TYPES:
            found.add(s)
    return frozenset(found)


class _RuleStore:
    """The part of the closure the added rules and the checks read, in an in-memory store.

    Only that part: the rest (LUBM(1): about half the closure) would cost its loading and
    nothing else. If a round's new triples name another property there, the store is made
    again from the whole closure.
    """

    def __init__(self, closed: set[Triple]) -> None:
        self.predicates = _rule_predicates(closed)
        self.store = pyoxigraph.Store()
        self.store.extend(self._quads(closed))

    def add(self, new: set[Triple], closed: set[Triple]) -> None:
        """Take a round's ``new`` triples, ``closed`` being the closure with them."""
        if _rule_predicates(new) <= self.predicates:
            self.store.extend(self._quads(new))
        else:
            fresh = _RuleStore(closed)
            self.predicates, self.store = fresh.predicates, fresh.store

    def _quads(self, triples: Iterable[Triple]) -> Iterable[pyoxigraph.Quad]:
        """Literal subjects and generalised RDF left out."""
        Quad, literal, named = pyoxigraph.Quad, pyoxigraph.Literal, pyoxigraph.NamedNode
        predicates = self.predicates
        for s, p, o in triples:
            if (
                not isinstance(s, literal)
                and isinstance(p, named)
                and (p in predicates or p.value.startswith(_SCHEMA_NAMESPACES))
            ):
                yield Quad(s, p, o)


def _select(store: pyoxigraph.Store, sparql: str) -> list[tuple[Term, ...]]:
    result = store.query(_PREFIXES + sparql)
    assert isinstance(result, pyoxigraph.QuerySolutions)
    return [tuple(row) for row in result]


def _class_rules(store: pyoxigraph.Store) -> set[Triple]:
    """cls-int1, cls-svf1, cls-svf2, cls-hv1 and cls-hv2 over the current closure.

    One query per rule, no term written into query text: the classes are often blank nodes
    (restrictions), which a query cannot name.
    """
    members: dict[Term, set[Term]] = {}
    for cls, member in _select(
        store, "SELECT ?c ?m WHERE { ?c owl:intersectionOf/rdf:rest*/rdf:first ?m }"
    ):
        members.setdefault(cls, set()).add(member)
    having: dict[tuple[Term, Term], set[Term]] = {}
    for cls, x, member in _select(
        store,
        "SELECT DISTINCT ?c ?x ?m WHERE { ?c owl:intersectionOf/rdf:rest*/rdf:first ?m . ?x a ?m }",
    ):
        having.setdefault((cls, x), set()).add(member)
    added: set[Triple] = {
        (x, _RDF_TYPE, cls) for (cls, x), got in having.items() if got >= members[cls]
    }
    # cls-svf1, then cls-svf2 (a UNION of the two is evaluated per triple: 3 s at 5k).
    for query in (
        "SELECT DISTINCT ?x ?c WHERE { ?c owl:someValuesFrom ?d ; owl:onProperty ?p . "
        "?y a ?d . ?x ?p ?y }",
        "SELECT DISTINCT ?x ?c WHERE { ?c owl:someValuesFrom owl:Thing ; owl:onProperty ?p . "
        "?x ?p ?y }",
    ):
        added |= {(x, _RDF_TYPE, cls) for x, cls in _select(store, query)}
    for x, prop, value in _select(
        store,
        "SELECT DISTINCT ?x ?p ?v WHERE { ?c owl:hasValue ?v ; owl:onProperty ?p . ?x a ?c }",
    ):
        added.add((x, prop, value))
    for x, cls in _select(
        store,
        "SELECT DISTINCT ?x ?c WHERE { ?c owl:hasValue ?v ; owl:onProperty ?p . ?x ?p ?v }",
    ):
        added.add((x, _RDF_TYPE, cls))
    return added


def _schema_rules(store: pyoxigraph.Store) -> set[Triple]:
    added: set[Triple] = set()
    for rule in _SCHEMA_RULES:
        result = store.query(_PREFIXES + rule)
        assert isinstance(result, pyoxigraph.QueryTriples)
        added.update((t.subject, t.predicate, t.object) for t in result)
    return added


def _text(term: Term) -> str:
    """A term as rdflib's ``str()`` writes it (the IRI, the label, the lexical form)."""
    return term.value


def inconsistencies(store: pyoxigraph.Store) -> list[str]:
    """One message per contradiction the closure in ``store`` holds (each pair once)."""
    messages: set[str] = set()
    for rule, query in _INCONSISTENCIES.items():
        for x, a, b in _select(store, query):
            first, second = (a, b) if rule != "cax-dw" else sorted((a, b), key=_text)
            messages.add(
                _MESSAGES[rule].format(
                    x=_text(x),
                    a=_text(first) if first is not None else "",
                    b=_text(second) if second is not None else "",
                )
            )
    return sorted(messages)


def ill_typed(triples: Iterable[Triple]) -> list[str]:
    """A message per literal whose lexical form is not in its datatype (an inconsistency).

    rdflib knows the lexical spaces; only the distinct literals of other datatypes than
    strings are converted to ask it.
    """
    literals: dict[pyoxigraph.Literal, list[tuple[Term, Term]]] = {}
    for s, p, o in triples:
        if isinstance(o, pyoxigraph.Literal) and o.datatype.value not in _UNCHECKED_DATATYPES:
            literals.setdefault(o, []).append((s, p))
    messages = []
    for literal, uses in literals.items():
        checked = RdflibLiteral(literal.value, datatype=URIRef(literal.datatype.value))
        if checked.ill_typed:
            messages += [
                f"{_text(s)} {_text(p)} {checked!r}: the lexical form is not a valid "
                f"{literal.datatype.value}"
                for s, p in uses
            ]
    return sorted(messages)


_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_SCHEMA_NAMESPACES = ("http://www.w3.org/2000/01/rdf-schema#", "http://www.w3.org/2002/07/owl#")
_LISTS = {pyoxigraph.NamedNode(_RDF + "first"), pyoxigraph.NamedNode(_RDF + "rest")}


def _is_schema(s: Term, p: Term, o: Term) -> bool:
    """Whether a triple is about classes and properties (the ontology), not instances."""
    if p in _LISTS:
        return True
    if p == _RDF_TYPE:
        return isinstance(o, pyoxigraph.NamedNode) and o.value.startswith(_SCHEMA_NAMESPACES)
    return isinstance(p, pyoxigraph.NamedNode) and p.value.startswith(_SCHEMA_NAMESPACES)


def closure(triples: Iterable[Triple]) -> tuple[set[Triple], list[str]]:
    """The OWL 2 RL closure of ``triples`` and the inconsistencies it holds.

    The schema triples are closed first, on their own (small, fast): otherwise a schema
    triple reasonable derives late (a domain through a subproperty) costs one more round of
    reasoning over all the data (measured on LUBM(1): a third round for one such triple).
    Adding entailed triples early changes nothing in the closure, which the rounds still
    settle. Then one reasoner throughout: what the added rules derive joins its base triples
    and reasonable materialises only what follows from them (incrementally).
    """
    base = set(triples)
    errors = ill_typed(base)
    schema = {t for t in base if _is_schema(*t)}
    if schema and len(schema) < len(base):
        base |= _rounds(schema)[0]
    closed, store = _rounds(base)
    return closed, errors + inconsistencies(store)


def _rounds(base: set[Triple]) -> tuple[set[Triple], pyoxigraph.Store]:
    """reasonable and the rules it leaves out, alternately, until nothing is new: the
    closure, and a store holding it."""
    reasoner = reasonable.PyReasoner()
    terms = _Terms()
    given = terms.reasonable_triples(base)
    reasoner.from_graph(given)
    closed = set(_reason(reasoner, terms)) | base
    rules = _RuleStore(closed)
    for _round in range(MAX_ROUNDS):
        new = (_class_rules(rules.store) | _schema_rules(rules.store)) - closed
        if not new:
            return closed, rules.store
        base |= new
        given += terms.reasonable_triples(new)
        reasoner.update_graph(given)
        grown = set(_reason(reasoner, terms)) | base
        added = grown - closed
        closed |= grown
        rules.add(added, closed)
    raise RuntimeError(f"the OWL 2 RL closure did not settle in {MAX_ROUNDS} rounds")
