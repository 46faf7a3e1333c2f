"""Predefined prefixes (issue 12): one table for ``/sparql``, its service description and the
editor, and the ontology terms the editor completes. Plain HTTP through Flask's test client."""

from __future__ import annotations

import json

from flask.testing import FlaskClient
from rdflib import Graph, Namespace, URIRef

from peacekg import namespaces as ns
from peacekg.web.prefixes import PREFIXES, missing_prologue, shift_position

SH = Namespace("http://www.w3.org/ns/shacl#")


def select(client: FlaskClient, query: str) -> list[dict[str, str]]:
    response = client.post(
        "/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    bindings = response.get_json()["results"]["bindings"]
    return [{k: v["value"] for k, v in row.items()} for row in bindings]


def test_the_table_has_every_prefix_the_issue_names() -> None:
    assert set(PREFIXES) == set(
        [
            "pkg",
            "pkgr",
            "pkga",
            "schema",
            "prov",
            "oa",
            "skos",
            "rdf",
            "rdfs",
            "owl",
            "xsd",
            "time",
            "dcat",
            "void",
            "dcterms",
            "sd",
            "wd",
            "wdt",
            "p",
            "ps",
            "pq",
            "pr",
            "psv",
            "pqv",
            "prv",
            "wikibase",
            "bd",
            "wds",
            "wdv",
            "wdref",
            "wdno",
            "wdtn",
            "psn",
            "pqn",
            "prn",
            "wdata",
            "geo",
            "geof",
            "hint",
            "bds",
            "mwapi",
        ]
    )
    assert PREFIXES["pkg"] == str(ns.PKG)
    assert PREFIXES["pkga"] == "https://w3id.org/peacekg/assertion/"
    assert PREFIXES["p"] == "http://www.wikidata.org/prop/"
    assert PREFIXES["bd"] == "http://www.bigdata.com/rdf#"


def test_a_query_without_prefix_lines_answers(ui_client: FlaskClient) -> None:
    rows = select(
        ui_client,
        "SELECT ?label WHERE { <http://example.org/mini#round1> rdfs:label ?label }",
    )
    assert rows == [{"label": "Round 1"}]
    rows = select(ui_client, "SELECT ?c WHERE { ?c a owl:Class ; rdfs:label 'claim'@en }")
    assert rows == [{"c": str(ns.PKG.Claim)}]
    # GET works alike, and so does a query using a prefix only inside a string or comment.
    response = ui_client.get(
        "/sparql",
        query_string={"query": "ASK { pkg:Claim a owl:Class } # wd:Q1", "format": "json"},
    )
    assert response.get_json() == {"head": {}, "boolean": True}


def test_a_declared_prefix_wins_over_the_predefined_one(ui_client: FlaskClient) -> None:
    query = (
        "PREFIX rdfs: <http://example.org/mini#>\n"
        "SELECT ?whole WHERE { rdfs:round1 rdfs:partOf ?whole } ORDER BY ?whole"
    )
    assert select(ui_client, query) == [
        {"whole": "http://example.org/mini#istanbul"},
        {"whole": "http://example.org/mini#talks"},
    ]


def test_an_unknown_prefix_is_still_an_error(ui_client: FlaskClient) -> None:
    response = ui_client.post("/sparql", data={"query": "SELECT * WHERE { ?s nope:x ?o }"})
    assert response.status_code == 400


def test_errors_keep_the_users_line_and_column(ui_client: FlaskClient) -> None:
    query = "SELECT * WHERE { ?s rdfs:label ?p"
    response = ui_client.post("/sparql", data={"query": query})
    assert response.status_code == 400
    assert f"at 1:{len(query) + 1}:" in response.get_data(as_text=True)
    query = "SELECT * WHERE {\n ?s rdfs:label ?p ."
    message = ui_client.post("/sparql", data={"query": query}).get_data(as_text=True)
    assert "at 2:" in message


def test_missing_prologue_adds_only_used_undeclared_known_prefixes() -> None:
    text = 'PREFIX rdfs: <urn:x#> SELECT * { ?s a pkg:Claim ; rdfs:label "wd:Q1" ; ex:y <a:b> }'
    assert missing_prologue(text) == f"PREFIX pkg: <{PREFIXES['pkg']}> "
    assert missing_prologue("SELECT * { ?s ?p ?o } # skos:x") == ""
    prologue = "PREFIX pkg: <x> "
    assert shift_position("error at 1:40: expected", prologue) == "error at 1:24: expected"
    assert shift_position("error at 2:40: expected", prologue) == "error at 2:40: expected"


def test_the_service_description_lists_the_prefixes(ui_client: FlaskClient) -> None:
    response = ui_client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    declared = {
        str(graph.value(d, SH.prefix)): str(graph.value(d, SH.namespace))
        for d in graph.objects(None, SH.declare)
    }
    assert declared == PREFIXES
    service = next(graph.subjects(SH.declare, None))
    assert isinstance(service, URIRef)


def test_the_page_offers_the_same_prefixes(ui_client: FlaskClient) -> None:
    html = ui_client.get("/").get_data(as_text=True)
    island = html.split('id="prefixes">', 1)[1].split("</script>", 1)[0]
    assert json.loads(island) == PREFIXES


def test_terms_of_the_ontology_with_their_labels(ui_client: FlaskClient) -> None:
    response = ui_client.get("/query/terms.json")
    assert response.status_code == 200
    terms = {t["iri"]: t for t in response.get_json()}
    assert terms[str(ns.PKG.Claim)] == {
        "iri": str(ns.PKG.Claim),
        "kind": "class",
        "label": "claim",
        "comment": "Something an agent asserts, as a source reports it.",
    }
    assert terms[str(ns.PKG.claimant)]["kind"] == "property"
    assert terms[str(ns.PKG.Ceasefire)]["kind"] == "concept"
    assert terms["http://example.org/mini#partOf"]["label"] == "part of"
    # Only the ontology graph: no instance data.
    assert "http://example.org/mini#round1" not in terms
