"""The build's Oxigraph dataset (issue 17) gives exactly what the rdflib path gave.

Each stage that now reads the in-memory Oxigraph dataset instead of rdflib graphs is held to
the rdflib path on the real graph: the same graphs after loading, the same SHACL report, the
same inferred triples, the same unlinked entities and the same Wikidata view.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import rdflib
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from peacekg.load import (
    ALIGNMENT_GRAPH,
    ASSERTED_GRAPH,
    ONTOLOGY_GRAPH,
    PROVENANCE_GRAPH,
    LoadedSources,
    LoadError,
    load,
)
from peacekg.pipeline import _triples, _union_default_graph
from peacekg.reason import reason, reason_triples
from peacekg.validate import validate
from peacekg.wikidata import unlinked_entities, unlinked_in_store
from peacekg.wikidata.view import inferred_scope, view_scope, wikidata_view
from tests.pipeline.test_shacl_engines import _fields

ROOT = Path(__file__).resolve().parents[2]
BASE = "https://w3id.org/peacekg/"
PROVENANCE = BASE + "graph/provenance"


@pytest.fixture(scope="module")
def sources() -> LoadedSources:
    return load(ROOT / "ontology", ROOT / "data", ROOT / "ontology" / "shapes.ttl")


def _rdflib_parsed() -> tuple[Graph, Graph, dict[str, Graph]]:
    """(ontology, provenance, assertions) as rdflib's own parser reads the real sources."""
    ontology = Graph().parse(ROOT / "ontology" / "peacekg.ttl")
    provenance = Graph()
    assertions: dict[str, Graph] = {}
    for path in sorted((ROOT / "data").rglob("*.trig")):
        dataset = Dataset()
        dataset.parse(path, format="trig")
        for graph in dataset.graphs():
            if graph.identifier == DATASET_DEFAULT_GRAPH_ID:
                provenance += graph
            else:
                assertions.setdefault(str(graph.identifier), Graph()).__iadd__(graph)
    for path in sorted((ROOT / "data").glob("*.ttl")):
        provenance.parse(path)
    return ontology, provenance, assertions


def test_loaded_graphs_are_those_rdflib_parses(sources: LoadedSources) -> None:
    """If the real sources are parsed by Oxigraph into the dataset, then each rdflib graph
    made from it is isomorphic to what rdflib's parser reads from the same files."""
    ontology, provenance, assertions = _rdflib_parsed()
    assert isomorphic(sources.ontology, ontology)
    assert isomorphic(sources.provenance, provenance)
    assert sorted(sources.assertions) == sorted(assertions)
    assert all(isomorphic(sources.assertions[k], g) for k, g in assertions.items())
    assert len(sources.asserted) == sources.count(ASSERTED_GRAPH) == 1627


def test_shacl_on_the_dataset_reports_what_it_reports_on_rdflib(sources: LoadedSources) -> None:
    """If pyshacl-turbo validates the dataset's curated store, then every field of every
    result is what it reports for the curated rdflib graph."""
    on_graph = validate(sources.curated, sources.ontology, sources.shapes)
    on_store = validate(sources.curated_store(), sources.ontology, sources.shapes)
    assert len(on_store.results) == 3
    assert _fields(on_store.results) == _fields(on_graph.results)
    assert on_store.text() == on_graph.text()


def test_reasoning_in_pyoxigraph_terms_infers_what_the_rdflib_path_does(
    sources: LoadedSources,
) -> None:
    """If the dataset's triples are reasoned over in pyoxigraph terms, then the inferred
    graph is the one reasoning over the rdflib graphs gives, and rdflib is itself again."""
    dataset = sources.asserted_graph()
    fast = reason_triples(
        _triples(dataset, ONTOLOGY_GRAPH) | _triples(dataset, ASSERTED_GRAPH),
        _triples(dataset, PROVENANCE_GRAPH) | _triples(dataset, ALIGNMENT_GRAPH),
    )
    assert sys.modules["rdflib"] is rdflib
    known = (sources.provenance, sources.alignment)
    reference = reason(sources.ontology, sources.asserted, known=known)
    assert len(fast.triples) == 2323
    assert isomorphic(fast.inferred, reference.inferred)


def test_unlinked_and_view_from_the_dataset_equal_the_rdflib_ones(sources: LoadedSources) -> None:
    """If the unlinked list is asked in the dataset and the view is made from its scope,
    then both are exactly what the whole rdflib graphs give."""
    dataset = sources.asserted_graph()
    result = reason_triples(
        _triples(dataset, ONTOLOGY_GRAPH) | _triples(dataset, ASSERTED_GRAPH),
        _triples(dataset, PROVENANCE_GRAPH) | _triples(dataset, ALIGNMENT_GRAPH),
    )
    _union_default_graph(dataset, result, PROVENANCE)
    union = sources.ontology + sources.curated + result.inferred
    assert unlinked_in_store(dataset) == unlinked_entities(union)
    assert len(unlinked_in_store(dataset)) == 38
    whole = wikidata_view(sources, result.inferred, BASE, with_labels=False)
    scoped = wikidata_view(
        view_scope(sources), inferred_scope(result.triples), BASE, with_labels=False
    )
    assert len(scoped) == 6363
    assert set(scoped) == set(whole)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("_:g { <urn:a> <urn:b> <urn:c> }\n", "a graph name must be an IRI"),
        (
            "<urn:peacekg:build:asserted> { <urn:a> <urn:b> <urn:c> }\n",
            "graph names under urn:peacekg:build: are the build's own",
        ),
        ("<urn:a> <urn:b> .\n", "data.trig:1:"),
    ],
)
def test_bad_data_names_its_file(tmp_path: Path, text: str, message: str) -> None:
    """If a TriG file names a graph by a blank node or by a build-internal IRI, or does not
    parse, then the load fails naming the file (and, for syntax, its line)."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "data.trig").write_text(text, encoding="utf-8")
    with pytest.raises(LoadError, match=message) as caught:
        load(ROOT / "ontology", tmp_path / "data", ROOT / "ontology" / "shapes.ttl")
    assert caught.value.path == tmp_path / "data" / "data.trig"


def test_two_loads_label_blank_nodes_alike(sources: LoadedSources) -> None:
    """If the real sources are loaded twice, then every quad is the same, blank-node labels
    included: the dumps number blank nodes that hash alike (quote selectors) by label."""
    again = load(ROOT / "ontology", ROOT / "data", ROOT / "ontology" / "shapes.ttl")
    # The module's sources may have grown derived graphs (the asserted union): compare the
    # graphs the load itself wrote.
    loaded = [ONTOLOGY_GRAPH, PROVENANCE_GRAPH, ALIGNMENT_GRAPH]
    first, second = (
        sorted(
            str(q) for graph in loaded for q in s.dataset.quads_for_pattern(None, None, None, graph)
        )
        for s in (sources, again)
    )
    assert sum("_:b" in quad for quad in second) > 1000
    assert first == second
