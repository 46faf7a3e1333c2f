"""The whole build: the store switch, rebuild detection and failures that keep the old store."""

from __future__ import annotations

import dataclasses
import gc
import json
import os
import time
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest

from peacekg import __version__, pipeline
from peacekg.config import Settings
from peacekg.load import LoadError
from peacekg.pipeline import (
    CODE_KEY,
    MANIFEST,
    ChecksFailed,
    QuotesFailed,
    ValidationFailed,
    build,
    code_digest,
    needs_build,
)
from peacekg.store import REPLACED_STORE_GRACE_SECONDS, EmbeddedStore, StoreError
from tests.conftest import settings_for
from tests.mini import ASSERTION_BASE, add_assertion, data_file, edit, graph_counts

COUNT_ROUNDS = "SELECT (COUNT(*) AS ?n) WHERE { ?r a <http://example.org/mini#Event> }"


def _count(store: EmbeddedStore, query: str = COUNT_ROUNDS) -> int:
    result = store.query(query)
    assert isinstance(result, pyoxigraph.QuerySolutions)
    value = next(iter(result))["n"]
    assert isinstance(value, pyoxigraph.Literal)
    return int(value.value)


def test_build_writes_the_union_graphs_provenance_and_one_graph_per_assertion(
    mini_settings: Settings,
) -> None:
    messages: list[tuple[str, str]] = []
    result = build(mini_settings, lambda stage, message: messages.append((stage, message)))
    store = EmbeddedStore.for_graphs(mini_settings.store_path, mini_settings.graphs)
    graphs = mini_settings.graphs
    assert store.graph_counts() == graph_counts(graphs)
    assert [stage for stage, _ in messages] == [
        "load",
        "validate",
        "validate",
        "reason",
        "check",
        "wikidata",
        "dumps",
        "store",
    ]
    # 4 dumps, plain and gzip, VoID, SHA256SUMS and the JSON-LD context, then the store
    # loaded from the N-Quads dump.
    assert messages[-2][1].startswith("11 files ")
    assert messages[-1][1].startswith("119 triples in 9 graphs ")
    assert result.store_dir is not None
    dumps = [f"peacekg-{__version__}.{ext}" for ext in ("jsonld", "nq", "trig", "ttl")]
    assert sorted(p.name for p in (result.store_dir / "dumps").iterdir()) == [
        "SHA256SUMS",
        *(name + gz for name in dumps for gz in ("", ".gz")),
        "peacekg-context.jsonld",
        "void.ttl",
    ]
    # VoID's count of each graph is the store's (the build hands the dumps its own counts).
    void = pyoxigraph.Store()
    void.load(path=str(result.store_dir / "dumps" / "void.ttl"), format=pyoxigraph.RdfFormat.TURTLE)
    said = void.query(
        "SELECT ?g ?n { ?g <http://www.w3.org/ns/sparql-service-description#name> ?g ; "
        "<http://rdfs.org/ns/void#triples> ?n }"
    )
    assert isinstance(said, pyoxigraph.QuerySolutions)
    named = {g: n for g, n in store.graph_counts().items() if not graphs.is_assertion(g)}
    assert {row["g"].value: int(row["n"].value) for row in said} == named
    # Nothing of the dumps' scratch space is left beside the stores.
    assert [p.name for p in mini_settings.build_dir.iterdir() if p.name.startswith(".")] == []
    assert store.directory == result.store_dir
    # The default graph is the union: the inferred rdf:type Event is visible without GRAPH.
    assert _count(store) == 2
    # The asserted-only view: no Event typing was asserted.
    assert _count_in(store, graphs.curated()) == 0
    # ... and the default graph holds each fact once, not once per assertion stating it.
    twice = "SELECT (COUNT(*) AS ?n) WHERE { <http://example.org/mini#round2> ?p ?o }"
    # Asserted: a Round, its label, part of istanbul (in two assertions); inferred: an Event,
    # part of the talks.
    assert _count(store, twice) == 5
    which = (
        "SELECT ?a WHERE { GRAPH ?a { <http://example.org/mini#round2> "
        "<http://example.org/mini#partOf> <http://example.org/mini#istanbul> } "
        f'FILTER STRSTARTS(STR(?a), "{ASSERTION_BASE}") }} ORDER BY ?a'
    )
    rows = store.query(which)
    assert isinstance(rows, pyoxigraph.QuerySolutions)
    assert [row["a"].value for row in rows] == [
        ASSERTION_BASE + "mini-report-round2",
        ASSERTION_BASE + "mini-round2",
    ]


def _count_in(store: EmbeddedStore, graphs: list[str]) -> int:
    result = store.query(COUNT_ROUNDS, default_graphs=graphs)
    assert isinstance(result, pyoxigraph.QuerySolutions)
    value = next(iter(result))["n"]
    assert isinstance(value, pyoxigraph.Literal)
    return int(value.value)


def test_rebuild_switches_the_open_store(mini_settings: Settings, mini: Path) -> None:
    build(mini_settings)
    store = EmbeddedStore.for_graphs(mini_settings.store_path, mini_settings.graphs)
    first = store.directory
    assert _count(store) == 2
    add_assertion(
        mini,
        "mini-round3",
        'ex:round3 a ex:Round ; rdfs:label "Round 3" ; rdfs:comment "c" .',
        "Round 3",
    )
    assert needs_build(mini_settings) is True
    build(mini_settings)
    assert needs_build(mini_settings) is False
    assert store.directory != first
    assert _count(store) == 3
    # The previous store is kept one more build for readers still using it.
    assert first.is_dir()


def _only_the_served_store(settings: Settings, mini: Path, served: str) -> None:
    """The store link still names ``served``, and the build directory holds nothing else
    (no new store, no scratch files)."""
    assert os.readlink(settings.store_path) == served
    assert sorted(p.name for p in (mini / "build").iterdir()) == sorted(
        ["manifest.json", "store", served]
    )


def test_failed_builds_leave_the_served_store_untouched(
    mini_settings: Settings, mini: Path
) -> None:
    build(mini_settings)
    store = EmbeddedStore.for_graphs(mini_settings.store_path, mini_settings.graphs)
    served = os.readlink(mini_settings.store_path)
    data = data_file(mini)
    good = data.read_text()

    data.write_text(good + "ex:broken ex:p .\n", encoding="utf-8")
    with pytest.raises(LoadError):
        build(mini_settings)
    assert os.readlink(mini_settings.store_path) == served
    assert _count(store) == 2

    data.write_text(good, encoding="utf-8")
    edit(mini, 'rdfs:label "Round 1" ;', "")
    with pytest.raises(ValidationFailed):
        build(mini_settings)
    assert os.readlink(mini_settings.store_path) == served
    assert _count(store) == 2

    # A fact in the default graph (provenance) has no passage: the mini check refuses it.
    data.write_text(good + 'ex:round9 a ex:Round ; rdfs:label "R9" ; rdfs:comment "c" .\n')
    with pytest.raises(ChecksFailed) as caught:
        build(mini_settings)
    assert [(f.check, len(f.rows)) for f in caught.value.failures] == [
        ("fact-outside-assertion-violation", 3)
    ]
    assert _count(store) == 2
    _only_the_served_store(mini_settings, mini, served)


def test_a_build_whose_dumps_fail_leaves_the_served_store_and_no_scratch(
    mini_settings: Settings, mini: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(mini_settings)
    served = os.readlink(mini_settings.store_path)
    written = pipeline.export_with_context

    def fail_after_writing(*args: Any) -> list[Path]:
        written(*args)  # every dump is complete in the scratch directory, then the disk fills
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pipeline, "export_with_context", fail_after_writing)
    with pytest.raises(OSError, match="No space left on device"):
        build(mini_settings)
    _only_the_served_store(mini_settings, mini, served)


def test_a_build_whose_store_fails_beside_the_dumps_leaves_the_served_store_and_no_scratch(
    mini_settings: Settings, mini: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(mini_settings)
    served = os.readlink(mini_settings.store_path)
    loads = pipeline.write_store
    started: list[Path] = []

    def fail_after_loading(link: Path, nquads: Path, before_switch: Any) -> Path:
        started.append(nquads)

        def refuse(directory: Path) -> None:
            before_switch(directory)  # waits for the other dumps and moves them in
            raise OSError(28, "No space left on device")

        return loads(link, nquads, refuse)

    monkeypatch.setattr(pipeline, "write_store", fail_after_loading)
    with pytest.raises(OSError, match="No space left on device"):
        build(mini_settings)
    assert [path.name for path in started] == ["peacekg-0.1.0.nq"]
    _only_the_served_store(mini_settings, mini, served)


def test_stages_lists_what_a_build_reports_in_order(mini_settings: Settings) -> None:
    reported: list[str] = []

    def record(stage: str, _message: str) -> None:
        if not reported or reported[-1] != stage:
            reported.append(stage)

    build(mini_settings, record)
    assert reported == pipeline.stages(mini_settings)
    with_sources = dataclasses.replace(mini_settings, sources_dir=mini_settings.data_dir)
    assert pipeline.stages(with_sources)[:4] == ["load", "validate", "quotes", "reason"]
    remote = dataclasses.replace(mini_settings, store_url="http://127.0.0.1:1/")
    assert pipeline.stages(remote)[-2:] == ["wikidata", "store"]


def test_query_without_a_store_says_what_to_do(mini_settings: Settings) -> None:
    with pytest.raises(StoreError, match="run `peacekg build` first"):
        EmbeddedStore.for_graphs(mini_settings.store_path, mini_settings.graphs).query("ASK {}")


def test_replaced_stores_are_removed_only_after_the_grace_period(mini_settings: Settings) -> None:
    first = build(mini_settings).store_dir
    second = build(mini_settings).store_dir
    third = build(mini_settings).store_dir
    assert first and second and third
    # The store that replaced `first` (second) is fresh: `first` may still be read.
    assert first.is_dir() and second.is_dir()
    old = time.time() - REPLACED_STORE_GRACE_SECONDS - 60
    os.utime(first, (old - 10, old - 10))
    os.utime(second, (old, old))
    fourth = build(mini_settings).store_dir
    assert fourth is not None
    # `first` was replaced by `second` long ago: gone. `second` was replaced by `third`
    # just now: kept, like the previous store `third`.
    assert sorted(p.name for p in mini_settings.build_dir.glob("store-*")) == sorted(
        [second.name, third.name, fourth.name]
    )


def test_the_mini_passages_verify_against_their_sources(mini: Path) -> None:
    settings = settings_for(mini, sources_dir=mini / "sources")
    messages: list[tuple[str, str]] = []
    build(settings, lambda stage, message: messages.append((stage, message)))
    quotes = [message for stage, message in messages if stage == "quotes"]
    assert len(quotes) == 1 and quotes[0].startswith("5 assertions, 0 problems ")

    edit(mini, "oa:start 27 ; oa:end 53", "oa:start 28 ; oa:end 53")
    with pytest.raises(QuotesFailed) as caught:
        build(settings)
    assert [(p.claim, p.source, p.reason) for p in caught.value.problems] == [
        (
            ASSERTION_BASE + "mini-talks",
            "http://example.org/mini#minutes",
            "oa:start 28 / oa:end 53 do not select the quote (it starts at [27])",
        )
    ]


def test_a_change_of_the_build_code_makes_serve_rebuild(
    mini_settings: Settings, tmp_path: Path
) -> None:
    """The build's own code is part of the fingerprint (issue 14): new code, new build."""
    build(mini_settings)
    assert needs_build(mini_settings) is False
    manifest = mini_settings.build_dir / MANIFEST
    recorded = json.loads(manifest.read_text(encoding="utf-8"))
    assert recorded["sources"][CODE_KEY] == code_digest(Path(pipeline.__file__).parent)
    recorded["sources"][CODE_KEY] = "0" * 64  # as written by another version of the code
    manifest.write_text(json.dumps(recorded), encoding="utf-8")
    assert needs_build(mini_settings) is True

    package = tmp_path / "package"
    (package / "web").mkdir(parents=True)
    (package / "web" / "a.py").write_text("x = 1\n", encoding="utf-8")
    before = code_digest(package)
    (package / "web" / "a.py").write_text("x = 2\n", encoding="utf-8")
    changed = code_digest(package)
    assert changed != before
    (package / "notes.txt").write_text("not code", encoding="utf-8")
    assert code_digest(package) == changed


def test_the_build_holds_the_cyclic_gc_off_and_restores_it_even_when_it_fails(
    mini_settings: Settings, mini: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[str, bool]] = []
    build(mini_settings, lambda stage, _message: seen.append((stage, gc.isenabled())))
    assert seen and {enabled for _stage, enabled in seen} == {False}
    assert gc.isenabled()

    edit(mini, 'rdfs:label "Round 1" ;', "")
    with pytest.raises(ValidationFailed):
        build(mini_settings)
    assert gc.isenabled()


def test_cyclic_gc_pauses_nest_and_overlap_and_leave_a_disabled_gc_disabled() -> None:
    first, second = pipeline.cyclic_gc_paused(), pipeline.cyclic_gc_paused()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert not gc.isenabled()  # the other pause still runs
    second.__exit__(None, None, None)
    assert gc.isenabled()

    gc.disable()
    try:
        with pipeline.cyclic_gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
