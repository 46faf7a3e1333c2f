"""Each pipeline stage on the mini fixture, with exact counts and triples."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import OWL, RDF, Graph, Literal, Namespace, URIRef

from peacekg.checks import CheckViolation, run_checks
from peacekg.load import LoadError, load
from peacekg.reason import InconsistencyError, reason
from peacekg.validate import SH, validate

EX = Namespace("http://example.org/mini#")
EXSH = Namespace("http://example.org/mini-shapes#")


def _load(project: Path):  # type: ignore[no-untyped-def]
    return load(project / "ontology", project / "data", project / "ontology" / "shapes.ttl")


def test_load_splits_ontology_shapes_and_data(mini: Path) -> None:
    sources = _load(mini)
    assert (len(sources.ontology), len(sources.shapes), len(sources.asserted)) == (14, 11, 12)
    assert [p.name for p in sources.files] == ["mini.ttl", "shapes.ttl", "data.ttl"]
    assert (EX.round1, EX.partOf, EX.istanbul) in sources.asserted
    assert (EX.Round, None, None) not in sources.asserted


def test_load_syntax_error_names_file_line_and_column(mini: Path) -> None:
    bad = mini / "data" / "data.ttl"
    bad.write_text(bad.read_text() + 'ex:x ex:y "unterminated .\n', encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        _load(mini)
    assert (caught.value.path, caught.value.line, caught.value.column) == (bad, 9, 11)
    assert str(caught.value).startswith(f"{bad}:9:11: ")


def test_load_trig_goes_into_the_asserted_graph(mini: Path) -> None:
    (mini / "data" / "extra.trig").write_text(
        "@prefix ex: <http://example.org/mini#> .\nex:g { ex:talks ex:partOf ex:peace . }\n",
        encoding="utf-8",
    )
    sources = _load(mini)
    assert len(sources.asserted) == 13
    assert (EX.talks, EX.partOf, EX.peace) in sources.asserted


def test_validate_lists_warnings_without_failing(mini: Path) -> None:
    sources = _load(mini)
    outcome = validate(sources.asserted, sources.ontology, sources.shapes)
    assert outcome.conforms is True
    assert outcome.violations == []
    assert [(w.focus_node, w.constraint_component, w.severity) for w in outcome.warnings] == [
        (EX.round2, SH.MinCountConstraintComponent, SH.Warning)
    ]


def test_validate_violation_names_focus_node_and_shape(mini: Path) -> None:
    sources = _load(mini)
    sources.asserted.remove((EX.round1, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), None))
    outcome = validate(sources.asserted, sources.ontology, sources.shapes)
    assert outcome.conforms is False
    assert [(v.focus_node, v.constraint_component) for v in outcome.violations] == [
        (EX.round1, SH.MinCountConstraintComponent)
    ]
    assert outcome.violations[0].message == "An event needs a label."
    shape_of = sources.shapes.value(
        predicate=SH.property, object=outcome.violations[0].source_shape
    )
    assert shape_of == EXSH.EventShape
    assert "focus node http://example.org/mini#round1" in outcome.text()


def test_reason_keeps_only_informative_entailments(mini: Path) -> None:
    sources = _load(mini)
    result = reason(sources.ontology, sources.asserted)
    assert set(result.inferred) == {
        (EX.round1, RDF.type, EX.Event),  # cax-sco
        (EX.round2, RDF.type, EX.Event),  # cax-sco
        (EX.round1, EX.partOf, EX.talks),  # prp-trp
        (EX.round2, EX.partOf, EX.talks),  # prp-trp
        (EX.istanbul, EX.hasPart, EX.round1),  # prp-inv1
        (EX.istanbul, EX.hasPart, EX.round2),  # prp-inv1
        (EX.talks, EX.hasPart, EX.istanbul),  # prp-inv1
        (EX.talks, EX.hasPart, EX.round1),  # prp-inv1 after prp-trp
        (EX.talks, EX.hasPart, EX.round2),  # prp-inv1 after prp-trp
    }
    assert result.input_triples == 14 + 12
    assert not any(isinstance(s, Literal) for s, _p, _o in result.inferred)
    assert (EX.round1, RDF.type, OWL.Thing) not in result.inferred


def test_reason_inconsistency_fails(mini: Path) -> None:
    """OWL 2 RL cax-dw: If C1 owl:disjointWith C2 and x is both, then false."""
    sources = _load(mini)
    sources.ontology.add((EX.Round, OWL.disjointWith, EX.Process))
    sources.asserted.add((EX.round1, RDF.type, EX.Process))
    with pytest.raises(InconsistencyError) as caught:
        reason(sources.ontology, sources.asserted)
    assert len(caught.value.errors) == 1
    assert "disjoint" in caught.value.errors[0].lower()


def test_checks_pass_on_good_data_and_fire_on_bad(mini: Path) -> None:
    graph = Graph()
    sources = _load(mini)
    for triple in sources.asserted:
        graph.add(triple)
    checks = mini / "queries" / "checks"
    assert run_checks(graph, checks) == []
    graph.add((EX.nameless, RDF.type, EX.Process))
    assert run_checks(graph, checks) == [
        CheckViolation("process-without-label-violation", [{"process": str(EX.nameless)}])
    ]
