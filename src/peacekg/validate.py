"""Validate stage: SHACL over the asserted data plus the ontology.

The engine is pyshacl-turbo (Rust, pySHACL's API and report): on this machine it validates the
real graph and the 10k and 100k synthetic graphs with the same results as pySHACL in a
fraction of the CPU time (README, build benchmark). ``engine="pyshacl"`` runs pySHACL, the
reference a test holds it to.

Validation runs on what curators asserted, not on the closure: a shape that only passes
because a reasoner filled a gap would hide a hole in the data. pySHACL follows
``rdfs:subClassOf`` in the mixed data+ontology graph for ``sh:targetClass`` (SHACL 2.1.3.1),
so no inference is requested (``inference="none"``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pyoxigraph
from rdflib import RDF, Graph, Literal, Namespace
from rdflib.term import Node

from peacekg.load import rdflib_graph

SH = Namespace("http://www.w3.org/ns/shacl#")
#: The SHACL engines: the fast default and pySHACL, the reference.
ENGINES = ("pyshacl-turbo", "pyshacl")


@dataclass(frozen=True)
class ShaclResult:
    """One sh:ValidationResult, flattened (SHACL 3.6)."""

    focus_node: Node
    source_shape: Node
    constraint_component: Node
    severity: Node
    path: Node | None
    value: Node | None
    message: str


@dataclass(frozen=True)
class ValidationOutcome:
    """The SHACL report, split by severity; only sh:Violation makes it non-conforming."""

    conforms: bool
    results: list[ShaclResult]
    report: Graph

    @property
    def violations(self) -> list[ShaclResult]:
        """Results of severity sh:Violation: they fail the build."""
        return [r for r in self.results if r.severity == SH.Violation]

    @property
    def warnings(self) -> list[ShaclResult]:
        """Results of severity sh:Warning or sh:Info: listed, never fatal."""
        return [r for r in self.results if r.severity != SH.Violation]

    def text(self) -> str:
        """A report grouped by shape, then focus node, for people reading a build log."""
        grouped: dict[str, dict[str, list[ShaclResult]]] = defaultdict(lambda: defaultdict(list))
        for result in self.results:
            grouped[str(result.source_shape)][str(result.focus_node)].append(result)
        lines: list[str] = []
        for shape in sorted(grouped):
            lines.append(f"shape {shape}")
            for focus in sorted(grouped[shape]):
                lines.append(f"  focus node {focus}")
                for r in grouped[shape][focus]:
                    level = str(r.severity).rsplit("#", 1)[-1]
                    component = str(r.constraint_component).rsplit("#", 1)[-1]
                    path = f" path {r.path}" if r.path is not None else ""
                    lines.append(f"    {level} {component}{path}: {r.message}")
        return "\n".join(lines)


def _results(report: Graph) -> list[ShaclResult]:
    results = []
    for node in report.subjects(RDF.type, SH.ValidationResult):
        message = report.value(node, SH.resultMessage)
        results.append(
            ShaclResult(
                focus_node=report.value(node, SH.focusNode),  # type: ignore[arg-type]
                source_shape=report.value(node, SH.sourceShape),  # type: ignore[arg-type]
                constraint_component=report.value(  # type: ignore[arg-type]
                    node, SH.sourceConstraintComponent
                ),
                severity=report.value(node, SH.resultSeverity),  # type: ignore[arg-type]
                path=report.value(node, SH.resultPath),
                value=report.value(node, SH.value),
                message=str(message) if isinstance(message, Literal) else "",
            )
        )
    return sorted(results, key=lambda r: (str(r.source_shape), str(r.focus_node), r.message))


def validate(
    data: Graph | pyoxigraph.Store,
    ontology: Graph,
    shapes: Graph,
    engine: str = "pyshacl-turbo",
) -> ValidationOutcome:
    """Validate asserted ``data`` (with ``ontology`` mixed in) against ``shapes``.

    ``data`` may be an in-memory Oxigraph store (its default graph): pyshacl-turbo reads it
    in Rust, without an rdflib term (the build's path). The store then also gets the axioms
    pySHACL's inoculation mixes in (:func:`ontology_axioms`).
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown SHACL engine {engine!r}: use one of {ENGINES}")
    # Imported here: each engine costs a good part of a second to import, and a build runs one.
    mixed_in: Graph | None = ontology
    if engine == "pyshacl-turbo":
        import pyshacl_turbo

        run = pyshacl_turbo.validate
        axioms = ontology_axioms(ontology) if isinstance(data, pyoxigraph.Store) else None
        if isinstance(data, pyoxigraph.Store) and axioms is not None:
            data.extend(axioms)
            mixed_in = None
    else:
        import pyshacl

        run = pyshacl.validate
        if isinstance(data, pyoxigraph.Store):
            data = rdflib_graph(data, pyoxigraph.DefaultGraph())
    _conforms, report, _text = run(
        data,
        shacl_graph=shapes,
        ont_graph=mixed_in,
        inference="none",
        abort_on_first=False,
        allow_warnings=True,
        advanced=True,
    )
    assert isinstance(report, Graph)
    results = _results(report)
    conforms = not any(r.severity == SH.Violation for r in results)
    return ValidationOutcome(conforms=conforms, results=results, report=report)


def ontology_axioms(ontology: Graph) -> list[pyoxigraph.Quad] | None:
    """What pySHACL's inoculation copies from ``ontology`` into the data graph (class and
    property axioms, named individuals), as default-graph quads with fresh blank nodes.

    The copy depends on the ontology alone, so it is made once from the ontology (672 of the
    real ontology's 1,545 triples) by pyshacl-turbo's own inoculation run on empty data, and
    added to the store. Given the ontology instead, pyshacl-turbo serialises the whole data
    store, inoculates the text and parses it back: 4.1 of the 7.1 s of validating LUBM(1).
    ``tests/pipeline/test_shacl_engines.py`` holds the result to pySHACL's report. The
    inoculation is pyshacl-turbo's internal API: None when a release lacks it, and the
    ontology is then mixed in by pyshacl-turbo as before.
    """
    try:
        from pyshacl_turbo import _native  # type: ignore[attr-defined]  # its inoculation
        from pyshacl_turbo.rdf import input_graph, load_from_source

        inoculate = _native.inoculate
    except (ImportError, AttributeError):
        return None
    loaded = load_from_source(ontology, do_owl_imports=False)  # type: ignore[no-untyped-call]
    source = input_graph(loaded, flatten=True).source  # type: ignore[no-untyped-call]
    copied: str = inoculate("", "nquads", source)
    return list(
        pyoxigraph.parse(
            copied.encode("utf-8"), format=pyoxigraph.RdfFormat.N_QUADS, rename_blank_nodes=True
        )
    )
