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

import owlrl
from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from peacekg.closure import closure

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
    """What reasoning added, and how long it took."""

    inferred: Graph
    input_triples: int
    seconds: float
    dropped: int = field(default=0)


def _is_builtin(node: Node) -> bool:
    return isinstance(node, URIRef) and str(node).startswith(_BUILTIN_PREFIXES)


def is_informative(s: Node, p: Node, o: Node) -> bool:
    """Whether an entailed triple tells a user something about the graph's own terms.

    Drops literal subjects (owlrl emits them; RDF stores reject them), statements about
    the RDF/RDFS/OWL/XSD vocabularies themselves, trivial typings and reflexive axioms.
    """
    if isinstance(s, Literal) or _is_builtin(s):
        return False
    if p == RDF.type and (o in _TRIVIAL_TYPES or o == RDFS.Datatype):
        return False
    if p in _REFLEXIVE and s == o:
        return False
    if p == RDFS.subClassOf and o in {OWL.Thing, RDFS.Resource}:
        return False
    return not (p in {RDFS.domain, RDFS.range} and o in {OWL.Thing, RDFS.Resource})


def _owlrl_closure(
    asserted: set[tuple[Node, Node, Node]],
) -> tuple[set[tuple[Node, Node, Node]], list[str]]:
    """owlrl's closure of ``asserted`` (its error nodes left out) and its error messages."""
    scratch = Graph()
    for triple in asserted:
        scratch.add(triple)
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False
    ).expand(scratch)
    error_nodes = set(scratch.subjects(RDF.type, _ERROR_MESSAGE))
    errors = sorted(
        str(message) for node in error_nodes for message in scratch.objects(node, _ERROR)
    )
    closed = {t for t in scratch if not (isinstance(t[0], BNode) and t[0] in error_nodes)}
    return closed, errors


def reason(
    ontology: Graph, data: Graph, known: Iterable[Graph] = (), engine: str = "reasonable"
) -> ReasoningResult:
    """Compute the OWL 2 RL closure of ontology + data and return only the new triples.

    Triples of ``known`` graphs (curated, but not reasoned over) are not new either.

    Raises:
        InconsistencyError: when owlrl derived an error (an OWL 2 RL rule with a false head).
    """
    started = time.perf_counter()
    asserted: set[tuple[Node, Node, Node]] = set(ontology) | set(data)
    # What another curated graph (provenance, alignment) already says is not new: the union
    # default graph would return it twice (the documents' authors are typed by the range of
    # pkg:claimant). Those graphs are not reasoned over: their terms are PROV and Web Annotation's.
    already = {triple for graph in known for triple in graph}
    if engine == "owlrl":
        closed, errors = _owlrl_closure(asserted)
    elif engine == "reasonable":
        closed, errors = closure(asserted)
    else:
        raise ValueError(f"unknown reasoning engine {engine!r}: use one of {ENGINES}")
    if errors:
        raise InconsistencyError(errors)

    inferred = Graph()
    for prefix, namespace in ontology.namespaces():
        inferred.bind(prefix, namespace, override=False)
    dropped = 0
    for s, p, o in closed - asserted - already:
        if is_informative(s, p, o):
            inferred.add((s, p, o))
        else:
            dropped += 1
    return ReasoningResult(
        inferred=inferred,
        input_triples=len(asserted),
        seconds=time.perf_counter() - started,
        dropped=dropped,
    )
