"""WDQS-style queries run unchanged at /sparql (issue 15): no PREFIX lines, the label service
answered locally, WDQS functions supported or refused by name.

The queries are written the way WDQS's own examples are (a ``#`` comment saying what they
ask, predefined prefixes only, ``SERVICE wikibase:label`` at the end of the group) and run
on the built test dataset through Flask's test client and, once, through a real waitress
server on 127.0.0.1. Rows are compared exactly (CSV, in the query's ORDER BY).
"""

from __future__ import annotations

import csv
import io
import urllib.parse
import urllib.request
from dataclasses import replace

import pytest
from flask.testing import FlaskClient

from peacekg.config import Settings
from peacekg.web import create_app
from peacekg.web.sparql import shutdown
from peacekg.web.wdqs import WdqsError, check_prefixes, rewrite
from tests.live import start_server

PKGR = "https://w3id.org/peacekg/id/"
WD = "http://www.wikidata.org/entity/"


def table(client: FlaskClient, query: str, status: int = 200) -> list[list[str]]:
    response = client.post("/sparql", data={"query": query}, headers={"Accept": "text/csv"})
    assert response.status_code == status, response.get_data(as_text=True)
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def message(client: FlaskClient, query: str) -> str:
    response = client.post("/sparql", data={"query": query})
    assert response.status_code == 400, response.get_data(as_text=True)
    return response.get_data(as_text=True)


PARTICIPANTS = """\
# Participants of the 2022 talks and their rounds, with labels (English, then Ukrainian)
SELECT DISTINCT ?item ?itemLabel WHERE {
  ?round wdt:P710 ?item .
  SERVICE wikibase:label { bd:serviceParam wikibase:language "en,uk". }
}
ORDER BY ?item
"""


def test_participants_with_labels(client: FlaskClient) -> None:
    assert table(client, PARTICIPANTS) == [
        ["item", "itemLabel"],
        [WD + "Q159", "Russia"],
        [WD + "Q212", "Ukraine"],
        [WD + "Q43", "Turkey"],
    ]


def test_the_same_query_through_a_real_server(wd_settings: Settings) -> None:
    server, stop = start_server(create_app(wd_settings))
    try:
        body = urllib.parse.urlencode({"query": PARTICIPANTS}).encode()
        request = urllib.request.Request(
            server.url + "/sparql", data=body, headers={"Accept": "text/csv"}
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            status, text = response.status, response.read().decode("utf-8")
    finally:
        stop()
    assert status == 200
    assert text.splitlines() == [
        "item,itemLabel",
        WD + "Q159,Russia",
        WD + "Q212,Ukraine",
        WD + "Q43,Turkey",
    ]


def test_negotiations_by_subclass_path(client: FlaskClient) -> None:
    query = """\
# Negotiation events: anything whose class is a subclass of "negotiation" (Q202875)
SELECT ?event ?eventLabel WHERE {
  ?event wdt:P31/wdt:P279* wd:Q202875 .
  SERVICE wikibase:label { bd:serviceParam wikibase:language "en". }
}
ORDER BY ?event
"""
    assert table(client, query) == [
        ["event", "eventLabel"],
        [PKGR + "istanbul-meetings-2022", "Istanbul meetings (late March 2022)"],
        [
            PKGR + "round-2022-03-10-antalya",
            "Fourth round of Russia–Ukraine talks (10 March 2022, Antalya)",
        ],
        [PKGR + "russia-ukraine-talks-2022", "Russia–Ukraine direct talks (2022)"],
    ]


def test_mediators_with_qualifiers_and_labels(client: FlaskClient) -> None:
    query = """\
# Mediators of each round, from the full statements (p:/ps:/pq:)
SELECT ?round ?roundLabel ?mediator ?mediatorLabel ?date WHERE {
  ?round p:P710 ?statement .
  ?statement ps:P710 ?mediator ;
             pq:P3831 pkg:Mediator .
  OPTIONAL { ?round wdt:P585 ?date . }
  SERVICE wikibase:label { bd:serviceParam wikibase:language "uk,en". }
}
ORDER BY ?round ?mediator
"""
    assert table(client, query) == [
        ["round", "roundLabel", "mediator", "mediatorLabel", "date"],
        [
            PKGR + "istanbul-meetings-2022",
            "Istanbul meetings (late March 2022)",
            WD + "Q43",
            "Turkey",
            "2022-03-01T00:00:00Z",
        ],
    ]


def test_every_wikidata_item_in_the_view_is_labelled(client: FlaskClient) -> None:
    query = """\
# Items of the Wikidata-shaped view without a label (none)
SELECT (COUNT(DISTINCT ?item) AS ?items) (COUNT(DISTINCT ?unlabelled) AS ?without) WHERE {
  GRAPH <https://w3id.org/peacekg/graph/wikidata-view> {
    { ?item ?p ?o } UNION { ?s ?p ?item }
    FILTER(isIRI(?item) && STRSTARTS(STR(?item), STR(wd:)))
  }
  OPTIONAL { FILTER NOT EXISTS { ?item rdfs:label ?label } BIND(?item AS ?unlabelled) }
}
"""
    assert table(client, query) == [["items", "without"], ["21", "0"]]


def test_class_items_carry_the_reference_tables_labels(client: FlaskClient) -> None:
    query = """\
# The Wikidata classes our classes are (sub)classes of
SELECT DISTINCT ?class ?classLabel WHERE {
  [] wdt:P279 ?class .
  FILTER(STRSTARTS(STR(?class), STR(wd:)))
  SERVICE wikibase:label { bd:serviceParam wikibase:language "en". }
}
ORDER BY ?class
"""
    assert table(client, query) == [
        ["class", "classLabel"],
        [WD + "Q131569", "treaty"],
        [WD + "Q198", "war"],
        [WD + "Q202875", "negotiation"],
        [WD + "Q350604", "armed conflict"],
        [WD + "Q467011", "invasion"],
        [WD + "Q6256", "country"],
    ]


def test_manual_mode_descriptions_and_the_qid_fallback(client: FlaskClient) -> None:
    """An item nobody labels gets its QID, as at WDQS; descriptions have no fallback."""
    query = """\
SELECT ?item ?name ?about WHERE {
  VALUES ?item { wd:Q43 pkgr:claim-nuland-us-uk-advised wd:Q237 }
  SERVICE wikibase:label {
    bd:serviceParam wikibase:language "en" .
    ?item rdfs:label ?name ; schema:description ?about .
  }
}
ORDER BY ?name
"""
    assert table(client, query) == [
        ["item", "name", "about"],
        [
            PKGR + "claim-nuland-us-uk-advised",
            "Nuland: the US and UK advised Ukraine to abandon the Istanbul agreement",
            "The US and UK advised Ukraine to abandon the Istanbul peace agreement.",
        ],
        [WD + "Q237", "Q237", ""],
        [WD + "Q43", "Turkey", ""],
    ]


def test_a_language_we_have_no_label_in_falls_back_down_the_list(client: FlaskClient) -> None:
    query = """\
SELECT ?item ?itemLabel ?itemAltLabel WHERE {
  VALUES ?item { wd:Q43 }
  SERVICE wikibase:label { bd:serviceParam wikibase:language "uk" . }
}
"""
    # No Ukrainian label: the English one has a tag not in the list, so the QID is given.
    assert table(client, query) == [["item", "itemLabel", "itemAltLabel"], [WD + "Q43", "Q43", ""]]


def test_label_service_is_never_a_remote_call(wd_settings: Settings) -> None:
    """Even with no SERVICE endpoint allowed, the label service is answered (not 403)."""
    app = create_app(replace(wd_settings, service_allowlist=()))
    try:
        assert table(app.test_client(), PARTICIPANTS)[1] == [WD + "Q159", "Russia"]
    finally:
        shutdown(app)


def test_is_some_value(client: FlaskClient) -> None:
    query = """\
SELECT ?value (wikibase:isSomeValue(?value) AS ?unknown) WHERE {
  VALUES ?value {
    <https://w3id.org/peacekg/.well-known/genid/abc>
    <http://www.wikidata.org/.well-known/genid/def>
    wd:Q43
    "2022"
  }
}
ORDER BY STR(?value)
"""
    assert table(client, query) == [
        ["value", "unknown"],
        ["2022", "false"],
        ["http://www.wikidata.org/.well-known/genid/def", "true"],
        ["http://www.wikidata.org/entity/Q43", "false"],
        ["https://w3id.org/peacekg/.well-known/genid/abc", "true"],
    ]


def test_an_unsupported_wdqs_function_is_a_400_naming_it(client: FlaskClient) -> None:
    text = message(client, "SELECT ?x WHERE { ?x wdt:P625 ?c FILTER(geof:distance(?c, ?c) < 1) }")
    assert text == (
        "function geof:distance (<http://www.opengis.net/def/function/geosparql/distance>) at "
        "line 1, column 41 is a Wikidata Query Service function this endpoint does not "
        "support; supported WDQS functions: <http://wikiba.se/ontology#isSomeValue>\n"
    )


def test_another_wdqs_service_is_a_400_naming_it(client: FlaskClient) -> None:
    query = (
        "SELECT ?place WHERE {\n  SERVICE wikibase:around { ?place wdt:P625 ?c . "
        "bd:serviceParam wikibase:center 'Point(0 0)' . }\n}"
    )
    assert message(client, query).startswith(
        "SERVICE wikibase:around at line 2, column 11 is a Wikidata Query Service extension"
    )


def test_an_unknown_prefix_is_a_readable_400(client: FlaskClient) -> None:
    text = message(client, "SELECT ?x WHERE {\n  ?x foo:bar ?y .\n}")
    assert text.startswith(
        "unknown prefix foo: in 'foo:bar' at line 2, column 6; declare it (PREFIX foo: <...>)"
    )
    assert "wd:, wdata:" in text


# --- the rewrite itself (pure) ------------------------------------------------------------------


def test_rewrite_keeps_lines_and_leaves_other_queries_alone() -> None:
    plain = "SELECT * WHERE { ?s ?p ?o }"
    assert rewrite(plain) is plain
    text = "SELECT ?x ?xLabel WHERE {\n  ?x a ?c .\n  SERVICE wikibase:label {\n"
    text += '    bd:serviceParam wikibase:language "en" .\n  }\n  ?x ?p ?o .\n}\n'
    rewritten = rewrite(text)
    assert rewritten.count("\n") == text.count("\n")
    assert "SERVICE" not in rewritten
    assert rewritten.splitlines()[5] == "  ?x ?p ?o ."
    assert rewritten.splitlines()[6].endswith("AS ?xLabel) }")


def test_rewrite_refuses_what_it_cannot_read() -> None:
    with pytest.raises(WdqsError, match="needs bd:serviceParam wikibase:language"):
        rewrite("SELECT ?x ?xLabel WHERE { ?x a ?c SERVICE wikibase:label { } }")
    with pytest.raises(WdqsError, match="'e n' is no language tag"):
        rewrite('SELECT * { SERVICE wikibase:label { bd:serviceParam wikibase:language "e n" } }')
    with pytest.raises(WdqsError, match="expected \\?item rdfs:label"):
        rewrite(
            'SELECT * { SERVICE wikibase:label { bd:serviceParam wikibase:language "en" . '
            "?x wdt:P31 ?y } }"
        )


def test_declared_and_blank_node_prefixes_are_not_unknown() -> None:
    check_prefixes("PREFIX ex: <http://example.org/> SELECT * { _:b ex:p wd:Q43 }")
    with pytest.raises(WdqsError, match="unknown prefix ex:"):
        check_prefixes("SELECT * { _:b ex:p wd:Q43 }")


def test_variables_the_query_binds_itself_are_left_alone(client: FlaskClient) -> None:
    """WDQS binds only unbound ?xLabel variables; a FILTER on one still sees the label."""
    query = """\
SELECT ?item ?itemLabel ?other ?otherLabel WHERE {
  VALUES ?item { wd:Q43 }
  ?item rdfs:label ?itemLabel .
  BIND(wd:Q212 AS ?other)
  SERVICE wikibase:label { bd:serviceParam wikibase:language "en". }
  FILTER(STRSTARTS(?otherLabel, "Ukr"))
}
"""
    assert table(client, query) == [
        ["item", "itemLabel", "other", "otherLabel"],
        [WD + "Q43", "Turkey", WD + "Q212", "Ukraine"],
    ]
