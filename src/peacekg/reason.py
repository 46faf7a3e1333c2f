"""Reason stage: OWL 2 RL closure kept apart from what was asserted.

The closure comes from ``reasonable`` completed to owlrl's entailments (``peacekg.closure``,
issue 17: seconds where owlrl takes minutes); ``engine="owlrl"`` runs owlrl, the reference
the tests hold the fast engine to.

owlrl writes its entailments into the graph it expands, together with many triples that
carry no information for a user (axiomatic triples, ``rdf:type owl:Thing``, reflexive
``owl:sameAs``, ``C rdfs:subClassOf C``, literal-subject triples). We expand a scratch copy
and keep only the informative difference, so the ``inferred`` named graph is exactly what
reasoning added.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

import pyoxigraph
from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from peacekg.closure import Term, Triple, closure
from peacekg.load import TermConverter, graph_quads, oxigraph_term

#: The OWL 2 RL engines: the fast default and owlrl, the reference.
ENGINES = ("reasonable", "owlrl")

# owlrl reports an inconsistency (OWL 2 RL rules with a `false` head, e.g. cax-dw, prp-irp,
# eq-diff1) as a node typed ERRNS.ErrorMessage with an ERRNS.error literal.
_ERRNS = "http://www.daml.org/2002/03/agents/agent-ont#"
_ERROR_MESSAGE = URIRef(_ERRNS + "ErrorMessage")
_ERROR = URIRef(_ERRNS + "error")

_BUILTIN_PREFIXES = (str(RDF), str(RDFS), str(OWL), str(XSD))
_TRIVIAL_TYPES = {OWL.Thing, RDFS.Resource, RDFS.Class, OWL.Class, RDF.Property}
_REFLEXIVE = {
    OWL.sameAs,
    RDFS.subClassOf,
    RDFS.subPropertyOf,
    OWL.equivalentClass,
    OWL.equivalentProperty,
}


class InconsistencyError(Exception):
    """The closure derived a contradiction; the build must not go on."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("OWL 2 RL reasoning found inconsistencies:\n" + "\n".join(errors))


@dataclass(frozen=True)
class ReasoningResult:
    """What reasoning added, and how long it took.

    ``triples`` are pyoxigraph terms (what the build stores and queries); ``inferred`` is the
    same as an rdflib Graph, made on first use for the stages and reports that read rdflib.
    """

    triples: frozenset[Triple]
    input_triples: int
    seconds: float
    dropped: int = field(default=0)
    prefixes: tuple[tuple[str, str], ...] = ()

    @cached_property
    def inferred(self) -> Graph:
        """What reasoning added, as an rdflib Graph (the ontology's prefixes bound)."""
        graph = Graph()
        for prefix, namespace in self.prefixes:
            graph.bind(prefix, namespace, override=False)
        convert = TermConverter()
        for s, p, o in self.triples:
            graph.add((convert(s), convert(p), convert(o)))
        return graph


_BUILTINS = tuple(str(ns) for ns in (RDF, RDFS, OWL, XSD))
_TRIVIAL = {pyoxigraph.NamedNode(str(n)) for n in (*_TRIVIAL_TYPES, RDFS.Datatype)}
_REFLEXIVE_OX = {pyoxigraph.NamedNode(str(n)) for n in _REFLEXIVE}
_TYPE = pyoxigraph.NamedNode(str(RDF.type))
_SUBCLASS = pyoxigraph.NamedNode(str(RDFS.subClassOf))
_TOPS = {pyoxigraph.NamedNode(str(OWL.Thing)), pyoxigraph.NamedNode(str(RDFS.Resource))}
_DOMAIN_RANGE = {pyoxigraph.NamedNode(str(RDFS.domain)), pyoxigraph.NamedNode(str(RDFS.range))}


def _informative(s: Term, p: Term, o: Term) -> bool:
    """:func:`is_informative` for pyoxigraph terms."""
    if isinstance(s, pyoxigraph.Literal):
        return False
    if isinstance(s, pyoxigraph.NamedNode) and s.value.startswith(_BUILTINS):
        return False
    if p == _TYPE and o in _TRIVIAL:
        return False
    if p in _REFLEXIVE_OX and s == o:
        return False
    if p == _SUBCLASS and o in _TOPS:
        return False
    return not (p in _DOMAIN_RANGE and o in _TOPS)


def _owlrl_closure(asserted: set[Triple]) -> tuple[set[Triple], list[str]]:
    """owlrl's closure of ``asserted`` (its error nodes left out) and its error messages."""
    import owlrl  # the reference engine only: its import is a quarter of a small build

    scratch = Graph()
    convert = TermConverter()
    for s, p, o in asserted:
        scratch.add((convert(s), convert(p), convert(o)))
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False
    ).expand(scratch)
    error_nodes = set(scratch.subjects(RDF.type, _ERROR_MESSAGE))
    errors = sorted(
        str(message) for node in error_nodes for message in scratch.objects(node, _ERROR)
    )
    closed = {
        (oxigraph_term(s), oxigraph_term(p), oxigraph_term(o))
        for s, p, o in scratch
        if not (isinstance(s, BNode) and s in error_nodes)
        and not isinstance(s, Literal)
        and isinstance(p, URIRef)
    }
    return closed, errors


def graph_triples(graph: Iterable[tuple[Node, Node, Node]]) -> set[Triple]:
    """rdflib triples as pyoxigraph triples (generalised RDF left out)."""
    return {(q.subject, q.predicate, q.object) for q in graph_quads(graph, _SCRATCH)}  # type: ignore[misc]


_SCRATCH = pyoxigraph.NamedNode("urn:peacekg:build:scratch")


def reason(
    ontology: Graph, data: Graph, known: Iterable[Graph] = (), engine: str = "reasonable"
) -> ReasoningResult:
    """Compute the OWL 2 RL closure of ontology + data and return only the new triples.

    Triples of ``known`` graphs (curated, but not reasoned over) are not new either.

    Raises:
        InconsistencyError: when owlrl derived an error (an OWL 2 RL rule with a false head).
    """
    return reason_triples(
        graph_triples(ontology) | graph_triples(data),
        {t for graph in known for t in graph_triples(graph)},
        engine=engine,
        prefixes=tuple((p, str(n)) for p, n in ontology.namespaces()),
    )


def reason_triples(
    asserted: set[Triple],
    known: set[Triple],
    *,
    engine: str = "reasonable",
    prefixes: tuple[tuple[str, str], ...] = (),
) -> ReasoningResult:
    """:func:`reason` on pyoxigraph triples: the build's path, no rdflib term built."""
    started = time.perf_counter()
    # What another curated graph (provenance, alignment) already says is not new: the union
    # default graph would return it twice (the documents' authors are typed by the range of
    # pkg:claimant). Those graphs are not reasoned over: their terms are PROV and Web Annotation's.
    if engine == "owlrl":
        closed, errors = _owlrl_closure(asserted)
    elif engine == "reasonable":
        closed, errors = closure(asserted)
    else:
        raise ValueError(f"unknown reasoning engine {engine!r}: use one of {ENGINES}")
    if errors:
        raise InconsistencyError(errors)
    new = closed - asserted - known
    inferred = frozenset(t for t in new if _informative(*t))
    return ReasoningResult(
        triples=inferred,
        input_triples=len(asserted),
        seconds=time.perf_counter() - started,
        dropped=len(new) - len(inferred),
        prefixes=prefixes,
    )
