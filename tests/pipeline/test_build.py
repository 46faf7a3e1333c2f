"""The whole build: the store switch, rebuild detection and failures that keep the old store."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pyoxigraph
import pytest

from peacekg.config import Settings
from peacekg.load import LoadError
from peacekg.pipeline import ValidationFailed, build, needs_build
from peacekg.store import REPLACED_STORE_GRACE_SECONDS, EmbeddedStore, StoreError

COUNT_ROUNDS = "SELECT (COUNT(*) AS ?n) WHERE { ?r a <http://example.org/mini#Event> }"


def _count(store: EmbeddedStore, query: str = COUNT_ROUNDS) -> int:
    result = store.query(query)
    assert isinstance(result, pyoxigraph.QuerySolutions)
    value = next(iter(result))["n"]
    assert isinstance(value, pyoxigraph.Literal)
    return int(value.value)


def test_build_writes_three_named_graphs(mini_settings: Settings) -> None:
    messages: list[tuple[str, str]] = []
    result = build(mini_settings, lambda stage, message: messages.append((stage, message)))
    store = EmbeddedStore.for_graphs(mini_settings.store_path, mini_settings.graphs)
    graphs = mini_settings.graphs
    assert store.graph_counts() == {graphs.ontology: 14, graphs.asserted: 12, graphs.inferred: 9}
    assert [stage for stage, _ in messages] == [
        "load",
        "validate",
        "validate",
        "reason",
        "check",
        "wikidata",
        "store",
    ]
    assert result.store_dir is not None and store.directory == result.store_dir
    # The default graph is the union: the inferred rdf:type Event is visible without GRAPH.
    assert _count(store) == 2
    # The asserted-only view: no Event typing was asserted.
    assert _count_in(store, [graphs.ontology, graphs.asserted]) == 0


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
    data = mini / "data" / "data.ttl"
    data.write_text(
        data.read_text() + 'ex:round3 a ex:Round ; rdfs:label "Round 3" ; rdfs:comment "c" .\n',
        encoding="utf-8",
    )
    assert needs_build(mini_settings) is True
    build(mini_settings)
    assert needs_build(mini_settings) is False
    assert store.directory != first
    assert _count(store) == 3
    # The previous store is kept one more build for readers still using it.
    assert first.is_dir()


def test_failed_builds_leave_the_served_store_untouched(
    mini_settings: Settings, mini: Path
) -> None:
    build(mini_settings)
    store = EmbeddedStore.for_graphs(mini_settings.store_path, mini_settings.graphs)
    served = os.readlink(mini_settings.store_path)
    data = mini / "data" / "data.ttl"
    good = data.read_text()

    data.write_text(good + "ex:broken ex:p .\n", encoding="utf-8")
    with pytest.raises(LoadError):
        build(mini_settings)
    assert os.readlink(mini_settings.store_path) == served
    assert _count(store) == 2

    data.write_text(good.replace('rdfs:label "Round 1" ;', ""), encoding="utf-8")
    with pytest.raises(ValidationFailed):
        build(mini_settings)
    assert os.readlink(mini_settings.store_path) == served
    assert _count(store) == 2
    assert sorted(p.name for p in (mini / "build").iterdir()) == sorted(
        ["manifest.json", "store", served]
    )


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
