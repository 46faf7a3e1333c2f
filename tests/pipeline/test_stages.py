"""Each pipeline stage on the mini fixture, with exact counts and triples."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import OWL, RDF, Graph, Literal, Namespace, URIRef

from peacekg.checks import CheckViolation, run_checks
from peacekg.load import LoadedSources, LoadError, load
from peacekg.reason import InconsistencyError, reason
from peacekg.validate import SH, validate
from tests.mini import ASSERTION_BASE, data_file

EX = Namespace("http://example.org/mini#")
EXSH = Namespace("http://example.org/mini-shapes#")
PKG = Namespace("https://w3id.org/peacekg/ontology#")


def _load(project: Path) -> LoadedSources:
    return load(project / "ontology", project / "data", project / "ontology" / "shapes.ttl")


def test_load_splits_ontology_shapes_assertions_and_provenance(mini: Path) -> None:
    sources = _load(mini)
    assert (len(sources.ontology), len(sources.shapes), len(sources.asserted)) == (14, 21, 12)
    assert [p.name for p in sources.files] == ["mini.ttl", "shapes.ttl", "data.trig"]
    assert (EX.round1, EX.partOf, EX.istanbul) in sources.asserted
    assert (EX.Round, None, None) not in sources.asserted
    # Each named graph of the TriG file is one assertion; its default graph is provenance.
    assert {iri: len(g) for iri, g in sources.assertions.items()} == {
        ASSERTION_BASE + "mini-talks": 2,
        ASSERTION_BASE + "mini-istanbul": 3,
        ASSERTION_BASE + "mini-round1": 4,
        ASSERTION_BASE + "mini-round2": 3,
        ASSERTION_BASE + "mini-report-round2": 1,
    }
    assert len(sources.provenance) == 71
    assert (EX.round1, None, None) not in sources.provenance
    assert len(sources.alignment) == 0


def test_load_syntax_error_names_file_line_and_column(mini: Path) -> None:
    bad = data_file(mini)
    text = bad.read_text()
    bad.write_text(text + 'ex:x ex:y "unterminated .\n', encoding="utf-8")
    line = text.count("\n") + 1
    with pytest.raises(LoadError) as caught:
        _load(mini)
    assert (caught.value.path, caught.value.line, caught.value.column) == (bad, line, 11)
    assert str(caught.value).startswith(f"{bad}:{line}:11: ")


def test_load_trig_graphs_are_assertions_and_turtle_is_provenance(mini: Path) -> None:
    (mini / "data" / "extra.trig").write_text(
        "@prefix ex: <http://example.org/mini#> .\nex:g { ex:talks ex:partOf ex:peace . }\n",
        encoding="utf-8",
    )
    (mini / "data" / "notes.ttl").write_text(
        "@prefix ex: <http://example.org/mini#> .\nex:talks ex:partOf ex:war .\n",
        encoding="utf-8",
    )
    sources = _load(mini)
    assert len(sources.asserted) == 13
    assert (EX.talks, EX.partOf, EX.peace) in sources.asserted
    assert set(sources.assertions[str(EX.g)]) == {(EX.talks, EX.partOf, EX.peace)}
    # A Turtle file has no graphs: its facts land in provenance, where a check refuses them.
    assert (EX.talks, EX.partOf, EX.war) in sources.provenance
    assert (EX.talks, EX.partOf, EX.war) not in sources.asserted


def test_load_refuses_one_assertion_in_two_files(mini: Path) -> None:
    extra = mini / "data" / "extra.trig"
    extra.write_text(
        f"@prefix ex: <{EX}> .\n<{ASSERTION_BASE}mini-talks> {{ ex:talks ex:partOf ex:x . }}\n",
        encoding="utf-8",
    )
    with pytest.raises(LoadError) as caught:
        _load(mini)
    assert str(caught.value) == (
        f"{extra}: assertion <{ASSERTION_BASE}mini-talks> is also in {data_file(mini)}"
    )


def test_validate_lists_warnings_without_failing(mini: Path) -> None:
    sources = _load(mini)
    outcome = validate(sources.curated, sources.ontology, sources.shapes)
    assert outcome.conforms is True
    assert outcome.violations == []
    assert [(w.focus_node, w.constraint_component, w.severity) for w in outcome.warnings] == [
        (EX.round2, SH.MinCountConstraintComponent, SH.Warning)
    ]


def test_validate_violation_names_focus_node_and_shape(mini: Path) -> None:
    sources = _load(mini)
    sources.asserted.remove((EX.round1, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), None))
    outcome = validate(sources.curated, sources.ontology, sources.shapes)
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


def test_validate_sees_provenance(mini: Path) -> None:
    sources = _load(mini)
    talks = URIRef(ASSERTION_BASE + "mini-talks")
    sources.provenance.remove((talks, PKG.passage, None))
    outcome = validate(sources.curated, sources.ontology, sources.shapes)
    assert [(v.focus_node, v.path, v.message) for v in outcome.violations] == [
        (talks, PKG.passage, "An assertion needs a passage.")
    ]


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


PROVENANCE = "https://w3id.org/peacekg/graph/provenance"


def _checks(sources: LoadedSources, checks: Path) -> list[CheckViolation]:
    """The checks as the build runs them: assertion graphs and provenance named."""
    return run_checks(
        sources.curated, checks, {PROVENANCE: sources.provenance, **sources.assertions}
    )


def test_checks_pass_on_good_data_and_fire_on_bad(mini: Path) -> None:
    checks = mini / "queries" / "checks"
    assert _checks(_load(mini), checks) == []

    nameless = _load(mini)
    nameless.assertions[ASSERTION_BASE + "mini-talks"].add((EX.nameless, RDF.type, EX.Process))
    assert _checks(nameless, checks) == [
        CheckViolation("process-without-label-violation", [{"process": str(EX.nameless)}])
    ]

    outside = _load(mini)
    outside.provenance.add((EX.round1, EX.partOf, EX.talks))
    assert _checks(outside, checks) == [
        CheckViolation(
            "fact-outside-assertion-violation",
            [{"subject": str(EX.round1), "predicate": str(EX.partOf), "object": str(EX.talks)}],
        )
    ]

    unsourced = _load(mini)
    unsourced.assertions[ASSERTION_BASE + "mini-extra"] = Graph().add(
        (EX.talks, EX.partOf, EX.peace)
    )
    emptied = ASSERTION_BASE + "mini-report-round2"
    del unsourced.assertions[emptied]
    assert _checks(unsourced, checks) == [
        CheckViolation(
            "assertion-without-provenance-violation", [{"assertion": ASSERTION_BASE + "mini-extra"}]
        ),
        CheckViolation("provenance-without-assertion-violation", [{"assertion": emptied}]),
    ]
