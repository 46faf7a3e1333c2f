"""The Wikidata-shaped view served by the build, and the export options, on the test dataset."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph
from click.testing import CliRunner
from rdflib import Graph

from peacekg.cli import main
from peacekg.config import Settings
from peacekg.store import EmbeddedStore
from tests.wikidata.conftest import HERE, fixture_sources

PREFIXES = """PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
PREFIX p: <http://www.wikidata.org/prop/>
PREFIX ps: <http://www.wikidata.org/prop/statement/>
PREFIX psv: <http://www.wikidata.org/prop/statement/value/>
PREFIX pq: <http://www.wikidata.org/prop/qualifier/>
PREFIX pr: <http://www.wikidata.org/prop/reference/>
PREFIX wikibase: <http://wikiba.se/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""
ID = "https://w3id.org/peacekg/id/"


def _rows(store: EmbeddedStore, query: str) -> list[tuple[str, ...]]:
    result = store.query(PREFIXES + query)
    assert isinstance(result, pyoxigraph.QuerySolutions)
    names = [v.value for v in result.variables]
    return [tuple("" if s[n] is None else str(s[n].value) for n in names) for s in result]


def test_view_is_its_own_named_graph(wd_store: EmbeddedStore, wd_settings: Settings) -> None:
    counts = wd_store.graph_counts()
    graphs = wd_settings.graphs
    assertions = set(fixture_sources().assertions)
    assert len(assertions) == 26
    assert set(counts) == {*graphs.all(), graphs.wikidata_view, *assertions}
    # Nothing of the view leaks into the asserted graph.
    assert (
        _rows(wd_store, f"SELECT ?s WHERE {{ GRAPH <{graphs.asserted}> {{ ?s wdt:P710 ?o }} }}")
        == []
    )


def test_wikidata_style_query_returns_our_events(wd_store: EmbeddedStore) -> None:
    """The pattern of issue 7 runs unchanged on the union default graph."""
    rows = _rows(
        wd_store,
        "SELECT ?e ?date WHERE { ?e wdt:P710 wd:Q212 ; wdt:P585 ?date } ORDER BY ?date ?e",
    )
    assert rows == [
        ("http://www.wikidata.org/entity/Q110999040", "2022-02-01T00:00:00Z"),
        (ID + "istanbul-meetings-2022", "2022-03-01T00:00:00Z"),
        (ID + "round-2022-03-10-antalya", "2022-03-10T00:00:00Z"),
    ]


def test_wikidata_style_query_with_precision_and_mediator_role(wd_store: EmbeddedStore) -> None:
    rows = _rows(
        wd_store,
        """SELECT ?e ?precision ?earliest ?latest WHERE {
          ?e p:P710 [ ps:P710 wd:Q43 ; pq:P3831 ?role ] ;
             p:P585 [ psv:P585/wikibase:timePrecision ?precision ;
                      pq:P1319 ?earliest ; pq:P1326 ?latest ] .
          FILTER(STRENDS(STR(?role), "#Mediator"))
        }""",
    )
    assert rows == [
        (ID + "istanbul-meetings-2022", "10", "2022-03-21T00:00:00Z", "2022-03-31T00:00:00Z")
    ]


def test_wikidata_style_query_returns_claims_with_sources(wd_store: EmbeddedStore) -> None:
    rows = _rows(
        wd_store,
        """SELECT ?claim ?quote ?doc ?disputedBy WHERE {
          ?claim wdt:P50 ?claimant ;
                 p:P1683 ?statement .
          ?statement ps:P1683 ?quote ;
                     prov:wasDerivedFrom/pr:P248 ?doc .
          OPTIONAL { ?statement pq:P1310 ?disputedBy }
          VALUES ?claimant { wd:Q7747 wd:Q3874799 <https://w3id.org/peacekg/id/victoria-nuland> }
        } ORDER BY ?claim""",
    )
    assert rows == [
        (
            ID + "claim-nuland-us-uk-advised",
            "Victoria Nuland confirms the US and UK “advised” Ukraine to abandon the Istanbul "
            "peace agreement",
            ID + "source-diesen-post",
            ID + "claim-reply-advising-is-not-blocking",
        ),
        (
            ID + "claim-putin-goal-donbas",
            "Putin himself has recently stated that his primary goal is gaining Donbas.",
            ID + "source-reply-to-diesen-post",
            "",
        ),
        (
            ID + "claim-zelenskyy-no-talks-under-occupation",
            "President Zelenskyy has repeatedly stated that Ukraine will not negotiate with "
            "Russia as long as Russian forces occupy Ukrainian territory",
            ID + "source-explainer",
            "",
        ),
    ]


def test_union_returns_each_triple_once(wd_store: EmbeddedStore) -> None:
    """The served view repeats no asserted triple, so no row comes back twice."""
    rows = _rows(wd_store, f"SELECT ?p ?o WHERE {{ <{ID}round-2022-03-10-antalya> ?p ?o }}")
    assert len(rows) == len(set(rows))


def _cli(settings: Settings, *args: str) -> list[str]:
    result = CliRunner().invoke(
        main,
        [
            *args,
            "--ontology-dir",
            str(settings.ontology_dir),
            "--data-dir",
            str(settings.data_dir),
            "--build-dir",
            str(settings.build_dir),
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def test_export_quickstatements_matches_the_golden(wd_settings: Settings) -> None:
    _cli(wd_settings, "export", "--quickstatements")
    written = wd_settings.dumps_dir / "peacekg-0.1.0-quickstatements.txt"
    golden = HERE / "expected" / "quickstatements.txt"
    assert written.read_text(encoding="utf-8") == golden.read_text(encoding="utf-8")


def test_export_wikidata_writes_a_standalone_view(wd_settings: Settings) -> None:
    lines = _cli(wd_settings, "export", "--wikidata")
    path = wd_settings.dumps_dir / "peacekg-0.1.0-wikidata.ttl"
    assert lines == [f"wrote {path} ({path.stat().st_size} bytes)"]
    view = Graph().parse(path)
    answer = view.query(
        PREFIXES
        + "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        + 'SELECT ?label WHERE { ?e wdt:P1545 "4" ; rdfs:label ?label }'
    )
    assert [str(row[0]) for row in answer] == [  # type: ignore[index]
        "Fourth round of Russia–Ukraine talks (10 March 2022, Antalya)"
    ]
    assert not list(Path(wd_settings.dumps_dir).glob("*.trig"))  # only what was asked for


def test_wikidata_style_query_runs_unchanged_on_the_endpoint(wd_settings: Settings) -> None:
    """Issue 7: the Wikidata pattern through /sparql (SPARQL 1.1 Protocol), no PREFIX needed
    beyond Wikidata's own."""
    from peacekg.web import create_app
    from peacekg.web.sparql import shutdown

    app = create_app(wd_settings)
    try:
        response = _post_query(app)
    finally:
        shutdown(app)  # stop the query worker processes the endpoint started
    assert response.status_code == 200, response.get_data(as_text=True)
    bindings = response.get_json()["results"]["bindings"]
    assert [(b["e"]["value"], b["date"]["value"]) for b in bindings] == [
        ("http://www.wikidata.org/entity/Q110999040", "2022-02-01T00:00:00Z"),
        (ID + "istanbul-meetings-2022", "2022-03-01T00:00:00Z"),
        (ID + "round-2022-03-10-antalya", "2022-03-10T00:00:00Z"),
    ]


def _post_query(app: Any) -> Any:
    client = app.test_client()
    query = (
        "PREFIX wd: <http://www.wikidata.org/entity/>\n"
        "PREFIX wdt: <http://www.wikidata.org/prop/direct/>\n"
        "SELECT ?e ?date WHERE { ?e wdt:P710 wd:Q212 ; wdt:P585 ?date } ORDER BY ?date ?e"
    )
    return client.post(
        "/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
