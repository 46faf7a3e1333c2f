"""pyshacl-turbo, the build's SHACL engine, reports exactly what pySHACL (the reference) does.

Every field of every result is compared (focus node, shape, constraint component, severity,
path, value, message) on the real graph and on each shape's valid and invalid fixture, so a
difference in either engine fails here before it changes what a build accepts or says.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Graph

from peacekg.load import load
from peacekg.validate import ShaclResult, ontology_axioms, validate

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "ontology" / "fixtures" / "shapes"
SHAPES = ROOT / "ontology" / "shapes.ttl"


def _fields(results: list[ShaclResult]) -> list[tuple[str, ...]]:
    return sorted(
        (
            str(r.focus_node),
            str(r.source_shape),
            str(r.constraint_component),
            str(r.severity),
            str(r.path),
            str(r.value),
            r.message,
        )
        for r in results
    )


@pytest.fixture(scope="module")
def ontology_and_shapes() -> tuple[Graph, Graph]:
    sources = load(ROOT / "ontology", None, SHAPES)
    return sources.ontology, sources.shapes


def test_the_real_graph_gets_the_same_report() -> None:
    sources = load(ROOT / "ontology", ROOT / "data", SHAPES)
    turbo = validate(sources.curated, sources.ontology, sources.shapes)
    # The build's path: an Oxigraph store, with the ontology's axioms added to it.
    built = validate(sources.curated_store(), sources.ontology, sources.shapes)
    reference = validate(sources.curated, sources.ontology, sources.shapes, engine="pyshacl")
    assert _fields(turbo.results) == _fields(built.results) == _fields(reference.results)
    assert turbo.conforms is built.conforms is reference.conforms is True
    assert len(reference.warnings) == 3  # the real data's three known warnings


@pytest.mark.parametrize(
    "fixture", sorted(FIXTURES.glob("*/*.ttl")), ids=lambda p: f"{p.parent.name}/{p.stem}"
)
def test_each_fixture_gets_the_same_report(
    fixture: Path, ontology_and_shapes: tuple[Graph, Graph]
) -> None:
    ontology, shapes = ontology_and_shapes
    data = Graph().parse(fixture)
    turbo = validate(data, ontology, shapes)
    store = pyoxigraph.Store()
    store.load(path=str(fixture), format=pyoxigraph.RdfFormat.TURTLE)
    built = validate(store, ontology, shapes)  # the build's path, axioms added to the store
    reference = validate(data, ontology, shapes, engine="pyshacl")
    assert _fields(turbo.results) == _fields(built.results) == _fields(reference.results)
    assert turbo.conforms is built.conforms is reference.conforms
    if fixture.parent.name == "invalid":
        assert reference.results  # the comparison is not between two empty reports


def test_an_unknown_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown SHACL engine 'jena'"):
        validate(Graph(), Graph(), Graph(), engine="jena")


def test_without_pyshacl_turbos_inoculation_the_ontology_is_mixed_in_by_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A pyshacl-turbo release without the internal inoculation: ``ontology_axioms`` says so,
    and the build's store is validated with the ontology mixed in by pyshacl-turbo, as
    before, to the same report."""
    import pyshacl_turbo._native as native

    from peacekg import validate as validate_module

    sources = load(ROOT / "ontology", None, SHAPES)
    fixture = FIXTURES / "valid" / "SourceDocument.ttl"  # valid only with the ontology's axioms

    def store() -> pyoxigraph.Store:
        data = pyoxigraph.Store()
        data.load(path=str(fixture), format=pyoxigraph.RdfFormat.TURTLE)
        return data

    with monkeypatch.context() as patched:
        patched.delattr(native, "inoculate")
        assert ontology_axioms(sources.ontology) is None
    monkeypatch.setattr(validate_module, "ontology_axioms", lambda ontology: None)
    without = validate(store(), sources.ontology, sources.shapes)
    reference = validate(Graph().parse(fixture), sources.ontology, sources.shapes, "pyshacl")
    assert _fields(without.results) == _fields(reference.results)
    assert without.conforms is reference.conforms is True
