"""Provenance per statement (issue 10): every asserted fact lies in an assertion whose passage is
verified verbatim, in place, in its own document part."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import RDF, Dataset, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from peacekg.config import Settings
from peacekg.load import LoadedSources, load
from peacekg.namespaces import PKG, PKGA, PKGR, PROV
from peacekg.passages import document_texts, find_passages, verify_quotes
from peacekg.pipeline import QuotesFailed, build_dataset
from peacekg.queries import load_catalogue
from peacekg.store import EmbeddedStore
from tests.conftest import ROOT, SEEDS, repo_settings

DOCUMENTS = ROOT / "data" / "documents"
POST = str(PKGR["source-diesen-post"])
SUMMARY = str(PKGR["source-encyclopedia-summary"])


@pytest.fixture(scope="module")
def sources() -> LoadedSources:
    return load(ROOT / "ontology", ROOT / "data", ROOT / "ontology" / "shapes.ttl")


def test_every_assertion_passage_and_quote_is_verified(sources: LoadedSources) -> None:
    assert len(sources.assertions) > 150  # a canary: the graph is made of assertions
    assert verify_quotes(sources, SEEDS) == []


def test_every_assertion_graph_has_provenance_and_vice_versa(sources: LoadedSources) -> None:
    with_passage = {str(a) for a in sources.provenance.subjects(PKG.passage, None)}
    assert with_passage == set(sources.assertions)
    assert all(len(graph) for graph in sources.assertions.values())


def test_every_stored_asserted_triple_lies_in_an_assertion(built_store: EmbeddedStore) -> None:
    """The asserted union graph holds nothing that no assertion states (100 %, issue 10)."""
    result = built_store.query(
        """PREFIX pkg: <https://w3id.org/peacekg/ontology#>
        SELECT (COUNT(*) AS ?n) WHERE {
            GRAPH <https://w3id.org/peacekg/graph/asserted> { ?s ?p ?o }
            FILTER NOT EXISTS { GRAPH ?assertion { ?s ?p ?o } ?assertion pkg:passage ?passage }
        }"""
    )
    assert isinstance(result, pyoxigraph.QuerySolutions)
    assert [row["n"].value for row in result] == ["0"]  # type: ignore[union-attr]


def test_the_provenance_query_answers_for_every_asserted_triple(
    built_store: EmbeddedStore, sources: LoadedSources
) -> None:
    """The README's provenance pattern (example 20) finds a source for any asserted triple."""
    example = next(
        q for q in load_catalogue(ROOT / "queries" / "examples") if q.slug.startswith("20-")
    )
    every_triple = (
        re.sub(
            r"VALUES \(\?subject \?predicate \?object\) \{.*?\n    \}",
            "GRAPH <https://w3id.org/peacekg/graph/asserted> { ?subject ?predicate ?object }",
            example.text,
            flags=re.S,
        )
        .replace("SELECT ?subject", "SELECT DISTINCT ?subject")
        .replace(" ?assertion ?kind ?document ?quote ?reason WHERE", " WHERE")
    )
    result = built_store.query(every_triple)
    assert isinstance(result, pyoxigraph.QuerySolutions)
    answered = {(r["subject"], r["predicate"], r["object"]) for r in result}
    assert len(answered) == len(sources.asserted)


def test_each_file_is_one_document_in_the_order_of_its_text(sources: LoadedSources) -> None:
    """One TriG file per document part, its assertions ordered by where their passages start."""
    files = sorted(p.name for p in DOCUMENTS.glob("*.trig"))
    assert files == [
        "diesen-post.trig",
        "encyclopedia-summary.trig",
        "explainer.trig",
        "reply-to-diesen-post.trig",
    ]
    for path in DOCUMENTS.glob("*.trig"):
        dataset = Dataset()
        dataset.parse(path, format="trig")
        provenance = dataset.graph(DATASET_DEFAULT_GRAPH_ID)
        documents = {str(d) for d in provenance.objects(None, PROV.wasDerivedFrom)}
        assert documents == {str(PKGR["source-" + path.stem])}, path.name
        starts = [int(s) for s in re.findall(r"oa:start (\d+)", path.read_text(encoding="utf-8"))]
        assert starts == sorted(starts), path.name


def test_curator_inferences_are_kept_apart_from_what_sources_state(
    sources: LoadedSources,
) -> None:
    """'present' in "2014–present" is bounded by the retrieval date: the curator's reading."""
    triple = (
        PKGR["russo-ukrainian-war"],
        PKG.latestDate,
        Literal("2026-11-21", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date")),
    )
    holders = [name for name, graph in sources.assertions.items() if triple in graph]
    assert holders
    for name in holders:
        kinds = set(sources.provenance.objects(URIRef(name), RDF.type))
        assert kinds == {PKG.CuratorInference}, name
        assert sources.provenance.value(URIRef(name), PKG.inferenceReason) is not None


def _move(text_from: str, text_to: str, assertion: str) -> tuple[str, str]:
    """Cut an assertion and its provenance out of one file, re-sourced to the summary."""
    pattern = re.compile(
        rf"(# [^\n]*\n)?pkga:{assertion} \{{.*?\n\}}\npkga:{assertion} a .*?\] \] \.\n", re.S
    )
    match = pattern.search(text_from)
    assert match, assertion
    block = match.group(0).replace("pkgr:source-diesen-post", "pkgr:source-encyclopedia-summary")
    return text_from.replace(match.group(0), ""), text_to + "\n" + block


def test_moving_a_claim_to_another_part_of_the_same_file_fails_the_build(
    tmp_path: Path,
) -> None:
    """The summary, the post and the reply share one file; a quote is verified in its part only."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    post, summary = (
        data / "documents" / "diesen-post.trig",
        data / "documents" / "encyclopedia-summary.trig",
    )
    moved = _move(
        post.read_text(encoding="utf-8"),
        summary.read_text(encoding="utf-8"),
        "claim-nuland-us-uk-advised-abandoning",
    )
    post.write_text(moved[0], encoding="utf-8")
    summary.write_text(moved[1], encoding="utf-8")
    settings = repo_settings(tmp_path / "build")
    settings = Settings(**{**settings.__dict__, "data_dir": data})
    with pytest.raises(QuotesFailed) as failed:
        build_dataset(settings)
    assertion = str(PKGA["claim-nuland-us-uk-advised-abandoning"])
    claim = str(PKGR["claim-nuland-us-uk-advised-abandoning"])
    reasons = {(p.claim, p.source, p.reason) for p in failed.value.problems}
    assert reasons == {
        (assertion, SUMMARY, f"quote not found in its document; it is in <{POST}>"),
        (claim, SUMMARY, "quote not found in source text"),
    }


def test_finder_locates_a_quote_in_its_part_with_offsets(sources: LoadedSources) -> None:
    texts = document_texts(sources.provenance, SEEDS)
    [passage] = find_passages(texts, "Victoria Nuland confirms")
    assert (passage.document, passage.start, passage.end) == (POST, 84, 108)
    assert passage.prefix == "4?s=61&t=BspBEkX2hzhEXXxbQreKxg\n"
    assert passage.suffix == " the US and UK “advised” Ukraine"
    assert texts[POST].text[passage.start : passage.end] == "Victoria Nuland confirms"
    assert find_passages(texts, "not in any document at all") == []
    assert len(find_passages(texts, "Erdoğan")) == 2  # the explainer, twice: quote more words
    assert all(
        p.document != str(PKGR["source-peace-talks-compilation"])
        for p in find_passages(texts, "Ukraine")
    )
